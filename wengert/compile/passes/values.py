"""What the passes know about values without running the program.

* :func:`uniform` — the one value every element of a literal has (a 0-d constant, a
  broadcast view such as the seed ``broadcast_to(1.0, shape)`` of a backward sweep, or a
  small array whose elements are all bitwise equal), or ``None``.
* :func:`never_negative_zero` — the variables that can never hold ``-0.0`` in any element,
  which decides whether ``x + 0.0`` may be replaced by ``x`` (``-0.0 + 0.0 = +0.0``).
"""

from __future__ import annotations

import math
import weakref

import numpy as np

from ...core.wengert_list import Literal, Var, WengertList
from ...numpy.reductions import sum_p
from .ops import ufunc_of

#: Arrays larger than this are only recognised as uniform when they are broadcast views.
#: (A scan stops at the first differing element among a sample; a full scan of a uniform
#: array costs about a millisecond per million elements, once per array.)
UNIFORM_SCAN_LIMIT = 1 << 21

# Constants are taken as immutable once traced (as jit specialises on them): the result
# of a scan is kept per array.
_SCANNED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def uniform(a) -> np.ndarray | None:
    """The common value of all elements of literal ``a`` as a 0-d array of its dtype
    (Python numbers keep their own type), or ``None`` if not uniform, empty or a Var."""
    if not isinstance(a, Literal):
        return None
    v = a.value
    if isinstance(v, (bool, int, float, complex)):
        return v
    v = np.asarray(v)
    if v.size == 0:
        return None
    first = np.array(v[(0,) * v.ndim])
    if v.ndim == 0:
        return first.copy()
    if all(s == 0 for s in v.strides):
        return first.copy()
    if v.size > UNIFORM_SCAN_LIMIT or v.dtype.kind not in "biufc":
        return None
    try:
        known = _SCANNED.get(a.value)
    except TypeError:  # not weakly referenceable
        known = None
    if known is None:
        known = _scan(v, first)
        try:
            _SCANNED[a.value] = known
        except TypeError:
            pass
    return first.copy() if known else None


def _scan(v: np.ndarray, first: np.ndarray) -> bool:
    """All elements of ``v`` bitwise equal to ``first`` (a sample first, to fail fast)."""
    if v.flags.c_contiguous:
        flat = v.reshape(-1)
        if not np.all(flat[:: max(1, flat.size // 64)] == first):
            return False
    # bitwise comparison: -0.0 and +0.0 differ, NaNs never count as uniform
    same = np.all(v == first)
    if v.dtype.kind in "fc":
        same = same and bool(np.all(np.signbit(v.real) == np.signbit(first.real)))
        if v.dtype.kind == "c":
            same = same and bool(np.all(np.signbit(v.imag) == np.signbit(first.imag)))
    return bool(same)


def is_real_value(value, target) -> bool:
    """``value`` (a uniform value) equals the real number ``target``; for a zero target
    the sign is part of the comparison (``target`` ``-0.0`` matches only ``-0.0``)."""
    if value is None:
        return False
    if type(value) is float:  # the common case: an inline Python literal
        if value != target:
            return False
        return target != 0 or math.copysign(1.0, value) == math.copysign(1.0, target)
    v = np.asarray(value)
    if v.dtype.kind == "c":
        if v.imag != 0 or np.signbit(v.imag):
            return False
        v = v.real
    if v.dtype.kind not in "biuf" or v != target:
        return False
    if target == 0 and v.dtype.kind == "f":
        return bool(np.signbit(v)) == bool(np.signbit(target))
    return True


def has_no_negative_zero(value) -> bool:
    v = np.asarray(value)
    if v.dtype.kind not in "fc":
        return True
    parts = (v.real, v.imag) if v.dtype.kind == "c" else (v,)
    return not any(bool(np.any((p == 0) & np.signbit(p))) for p in parts)


# ufuncs whose result is never -0.0: exp, cosh, |x|, x², hypot are >= +0.0.
_NONNEGATIVE = {np.exp, np.exp2, np.cosh, np.absolute, np.fabs, np.square, np.hypot}


def never_negative_zero(wl: WengertList) -> set[str]:
    """Names of the variables that hold no ``-0.0`` anywhere, for any inputs.

    In round-to-nearest, ``a + b`` is ``-0.0`` only when both are ``-0.0``, and a sum
    reduction is a chain of such additions (``+0.0`` when empty), so both inherit the
    property from one argument. Real dtypes only."""
    safe: set[str] = set()

    def ok(a) -> bool:
        if isinstance(a, Var):
            return a.name in safe
        return has_no_negative_zero(a.value)

    for eq in wl.equations:
        if len(eq.outs) != 1 or np.dtype(eq.outs[0].dtype).kind != "f":
            continue
        u = ufunc_of(eq.primitive) if not eq.params else None
        if u in _NONNEGATIVE or (u is np.add and any(ok(a) for a in eq.ins)):
            safe.add(eq.outs[0].name)
        elif eq.primitive is sum_p and ok(eq.ins[0]):
            safe.add(eq.outs[0].name)
    return safe
