"""Reductions with ``axis`` and ``keepdims``.

The VJP of a sum broadcasts the cotangent back over the reduced axes; every other
reduction here is written through ``sum`` or has its own rule next to it.
"""

from __future__ import annotations

import numpy as onp

from ..core import Primitive, broadcast_to_p, defjvp, defvjp, shape_of
from ._registry import register
from .shapes import reshape


def normalise_axis(axis, ndim: int) -> tuple:
    """``axis`` as a sorted tuple of non-negative ints (all axes for ``None``)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, onp.integer)) else tuple(axis)
    return tuple(sorted(int(a) % ndim if ndim else int(a) for a in axes))


def keepdims_shape(shape: tuple, axes: tuple) -> tuple:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def expand_to(g, x_shape: tuple, axes: tuple, keepdims: bool):
    """Broadcast a reduction's cotangent ``g`` back to the input's shape."""
    if not keepdims:
        g = reshape(g, keepdims_shape(x_shape, axes))
    return broadcast_to_p(g, shape=x_shape) if shape_of(g) != x_shape else g


def _sum_impl(x, axis, keepdims):
    return onp.sum(x, axis=axis, keepdims=keepdims)


sum_p = Primitive("sum", _sum_impl)
defvjp(
    sum_p,
    lambda g, ans, x, axis, keepdims: expand_to(g, shape_of(x), axis, keepdims),
    reads=((),),
)
defjvp(sum_p, lambda t, ans, x, axis, keepdims: sum_p(t, axis=axis, keepdims=keepdims))


def sum(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):  # noqa: A001
    """``numpy.sum``."""
    if out is not None:
        raise TypeError("wengert.numpy.sum: out= is not supported on traced values")
    if dtype is not None:
        from .dtypes import astype

        a = astype(a, dtype)
    axes = normalise_axis(axis, len(shape_of(a)))
    return sum_p(a, axis=axes, keepdims=bool(keepdims))


register("sum", sum, "primitive")


def mean(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    """``numpy.mean``: ``sum / count``."""
    from .elementwise import divide

    shape = shape_of(a)
    axes = normalise_axis(axis, len(shape))
    count = int(onp.prod([shape[i] for i in axes], dtype=onp.int64))
    return divide(sum(a, axes, dtype=dtype, keepdims=keepdims), float(count))


register("mean", mean, "composite")
