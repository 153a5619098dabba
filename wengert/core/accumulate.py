"""Accumulating cotangents in the backward sweep.

The first contribution to a variable's cotangent is stored as it is (never added to
zeros). From the second on, contributions are summed into a buffer the sweep *owns* (one
it allocated itself, so no rule or user holds it), in place where shapes and dtypes allow:
a variable used k times costs one allocation, not k - 1.

A rule may return a :class:`Scattered` cotangent: zero except where values are scattered
into it (the VJP of ``x[index]``). It is materialised only when needed, and added into an
owned buffer in place (``buf[index] += g``), so n slices of an array cost O(slice) each
plus one zero-filled buffer, not n full-size arrays and n - 1 full-size additions.
A rule may also return a :class:`Negated` cotangent (``-value``, the VJP of a negation),
which the rules that read it and the accumulation absorb (``buf -= value``) instead of
writing the negation out. In-place accumulation happens only in a first-order sweep, on
plain arrays; under an outer trace every addition is recorded with ``add``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .basic_ops import add_p
from .trace import Tracer

_ndarray = np.ndarray


class Scattered:
    """A cotangent given by ``dense() -> fresh array`` and ``add_into(buffer) -> bool``
    (add it into ``buffer`` in place; False when it cannot, e.g. another dtype)."""

    __slots__ = ("dense", "add_into")

    def __init__(self, dense: Callable, add_into: Callable):
        self.dense = dense
        self.add_into = add_into


class Negated:
    """The cotangent ``-value``, not written out. A negation in the sweep (the VJP of
    ``negative`` and of ``subtract``'s second argument) is absorbed by what reads it: a
    product (``(-v) d = -(v d)``), an accumulation (``buf - v``), a scatter, another
    negation. All exact: the numbers are those of the written-out negation."""

    __slots__ = ("value",)

    def __init__(self, value: np.ndarray):
        self.value = value


def densify(c):
    tc = type(c)
    if tc is Scattered:
        return c.dense()
    if tc is Negated:
        return np.negative(c.value)
    return c


def _difference(a, b):
    """``a + b`` as one subtraction into a fresh array when exactly one of the two is a
    :class:`Negated` plain array and the other a plain array of its shape and dtype;
    else ``None``."""
    if type(a) is Negated:
        a, b = b, a
    if type(b) is not Negated or type(a) is not _ndarray:
        return None
    v = b.value
    if type(v) is not _ndarray or v.shape != a.shape or v.dtype != a.dtype or not a.ndim:
        return None
    return np.subtract(a, v)


def accumulate(ct: list, owned: dict, p: int, c) -> None:
    """Add contribution ``c`` to ``ct[p]``; ``owned[p]`` is ``ct[p]`` when the sweep owns
    that buffer."""
    old = ct[p]
    if old is None:
        ct[p] = c
        return
    if isinstance(old, Tracer) or isinstance(c, Tracer):
        ct[p] = add_p(densify(old), densify(c))
        return
    buf = old if owned.get(p) is old else None
    if buf is None:
        difference = _difference(old, c)
        if difference is not None:  # one pass into a fresh buffer, the sweep's own
            ct[p] = owned[p] = difference
            return
        if type(old) is Scattered:
            buf = old.dense()
        elif type(old) is Negated:
            old = densify(old)  # a fresh array (or number) the sweep now owns
            buf = old if type(old) is _ndarray and old.ndim else None
        elif type(old) is _ndarray and type(c) is Scattered:
            buf = old.copy()
    if buf is not None:
        if type(c) is Scattered:
            if c.add_into(buf):
                ct[p] = owned[p] = buf
                return
            c = c.dense()
        if type(c) is Negated:
            v = c.value
            if type(v) is _ndarray and v.shape == buf.shape and v.dtype == buf.dtype:
                np.subtract(buf, v, out=buf)
                ct[p] = owned[p] = buf
                return
            c = densify(c)
        if type(c) is _ndarray and c.shape == buf.shape and c.dtype == buf.dtype:
            np.add(buf, c, out=buf)
            ct[p] = owned[p] = buf
            return
        old = buf
    result = add_p(densify(old), densify(c))
    ct[p] = result
    if type(result) is _ndarray:
        owned[p] = result
