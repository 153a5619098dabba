"""Guards: where Python code read a traced value while jit traced it.

``if x > 0``, ``while err > tol``, ``bool()``, ``int()``, ``float()``, ``operator.index``
(indexing by a traced integer) and ``numpy.asarray`` of a traced value each record one
guard equation in the Wengert list: no outputs, one input, and the decision taken,

    guard[kind=bool expected=True] v7

The compiled program checks every guard; a guard that fails raises :class:`GuardMiss`,
and the jit cache then tries another specialisation or traces again. A result is only
ever returned by a program whose guards all held, so a changed branch never gives a
stale result.
"""

from __future__ import annotations

import operator

import numpy as np

from ..core import Primitive

KINDS = ("bool", "int", "index", "float", "complex", "array", "shape")


class GuardMiss(Exception):
    """A compiled program met a guard that does not hold for its arguments."""


_CONVERT = {"bool": bool, "int": int, "index": operator.index, "float": float,
            "complex": complex}


def convert(kind: str, value):
    """What Python code reading ``value`` as ``kind`` saw (the guarded decision)."""
    if kind == "array":
        return value
    if kind == "shape":
        return np.shape(value)
    return _CONVERT[kind](value)


def same_array(a, b) -> bool:
    """Equal shape, dtype and entries (NaN equal to NaN): the array guard's test."""
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))


def holds(kind: str, value, expected) -> bool:
    """Whether the guard ``kind``/``expected`` holds for ``value``."""
    try:
        seen = convert(kind, value)
    except (TypeError, ValueError, OverflowError):
        return False
    if kind == "array":
        return same_array(seen, expected)
    if type(seen) is not type(expected):
        return False
    return seen == expected


def _guard_impl(value, *, kind: str, expected, where: str) -> None:
    if not holds(kind, value, expected):
        raise GuardMiss(where)


guard_p = Primitive("guard", _guard_impl)
