"""Constant folding: evaluate at compile time each equation whose arguments are all
literals, and use the result as a literal.

Only pure namespace primitives are run (:func:`effects.is_foldable`), never guards,
user code or anything random. Results are kept small: an equation whose outputs have more
than :data:`FOLD_LIMIT` elements in all is folded only when it is elementwise (or a
reshape/transpose/broadcast) of *uniform* literals, in which case one element is computed
on 0-d arrays of the arguments' dtypes and broadcast (a read-only view, no memory). The
result must have the recorded shape and dtype, or the equation is left as it was.
"""

from __future__ import annotations

import numpy as np

from ...core.basic_ops import broadcast_to_p
from ...core.wengert_list import Var, WengertList
from ...numpy.shapes import reshape_p, transpose_p
from ._graph import Namer, evaluate, literal_for, matches, rebuild, rename, size_of
from .effects import is_foldable
from .ops import is_elementwise
from .values import uniform

#: Folded results with more elements than this are only kept as broadcast views.
FOLD_LIMIT = 1 << 12

_SHAPE_ONLY = (broadcast_to_p, reshape_p, transpose_p)


def _fold(eq) -> tuple | None:
    if not is_foldable(eq):
        return None
    args = [a.value for a in eq.ins]
    if sum(size_of(v.shape) for v in eq.outs) <= FOLD_LIMIT:
        try:
            with np.errstate(all="ignore"):
                return evaluate(eq, args)
        except Exception:  # noqa: BLE001 - a failing fold is left for run time
            return None
    reps = [uniform(a) for a in eq.ins]
    if any(r is None for r in reps):
        return None
    out = eq.outs[0]
    if is_elementwise(eq):
        with np.errstate(all="ignore"):
            one = evaluate(eq, reps)[0]
    elif eq.primitive in _SHAPE_ONLY:
        one = reps[0]
    else:
        return None
    one = np.asarray(one)
    if one.dtype != np.dtype(out.dtype):
        return None
    return (np.broadcast_to(one, out.shape),)


def constant_folding(wl: WengertList) -> WengertList:
    namer = Namer(wl)
    mapping: dict = {}
    new_constants: list = []
    kept = []
    for eq in wl.equations:
        eq = rename(eq, mapping)
        if eq.ins and not any(isinstance(a, Var) for a in eq.ins):
            values = _fold(eq)
            if values is not None and all(matches(v, o) for v, o in zip(values, eq.outs)):
                for var, value in zip(eq.outs, values):
                    mapping[var.name] = literal_for(_as_literal_value(value), namer,
                                                    new_constants)
                continue
        kept.append(eq)
    return rebuild(wl, kept, mapping, new_constants)


def _as_literal_value(value):
    """0-d results become NumPy scalars: strongly typed like the variable they replace,
    and immutable."""
    if np.ndim(value) == 0:
        return np.asarray(value)[()]
    return value
