"""Common-subexpression elimination.

Two equations with the same primitive (the same object), the same arguments and equal
parameters compute the same values, so the later one is dropped and its outputs renamed
to the earlier one's. Arguments compare by variable name; inline literals by type, dtype
and bytes (so ``0.0`` and ``-0.0``, or a Python ``2.0`` and a NumPy ``float64(2.0)``,
which promote differently, stay apart); named constants by name. Parameters must be
hashable after turning lists and dicts into tuples; an equation with an array parameter
is left alone. Effectful equations are never merged.
"""

from __future__ import annotations

import math

import numpy as np

from ...core.wengert_list import Var, WengertList
from ._graph import rebuild, rename
from .effects import is_effectful


class _Unhashable(Exception):
    pass


def _freeze(value):
    if isinstance(value, np.ndarray):
        raise _Unhashable
    if isinstance(value, (list, tuple)):
        return (type(value).__name__,) + tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return ("dict",) + tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, slice):
        return ("slice", _freeze(value.start), _freeze(value.stop), _freeze(value.step))
    try:
        hash(value)
    except TypeError:
        raise _Unhashable from None
    return (type(value).__name__, value)


def _arg_key(a):
    if type(a) is Var:
        return a.name
    if a.name:
        return ("const", a.name)
    v = a.value
    if type(v) is float:  # the sign of zero counts; NaN never equals itself
        return ("float", v, math.copysign(1.0, v))
    if isinstance(v, np.generic):
        return ("scalar", type(v), v.tobytes())
    arr = np.asarray(v)
    return ("lit", type(v).__name__, arr.dtype.str, arr.tobytes())


def _key(eq):
    try:
        params = _freeze(eq.params) if eq.params else ()
    except _Unhashable:
        return None
    return (eq.primitive, tuple([a.name if type(a) is Var else _arg_key(a) for a in eq.ins]),
            params)


def cse(wl: WengertList) -> WengertList:
    seen: dict = {}
    mapping: dict = {}
    kept = []
    for eq in wl.equations:
        if mapping:
            eq = rename(eq, mapping)
        key = _key(eq) if eq.outs and not is_effectful(eq) else None
        if key is not None:
            first = seen.get(key)
            if first is not None:
                for old, new in zip(eq.outs, first.outs):
                    mapping[old.name] = new
                continue
            seen[key] = eq
        kept.append(eq)
    return rebuild(wl, kept, mapping)
