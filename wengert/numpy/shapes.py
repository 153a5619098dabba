"""Shape manipulation: reshape, transpose and relatives.

These rules only move entries around, so each VJP is the inverse movement of the
cotangent and each JVP the same movement of the tangent. Results that NumPy returns as
views are marked as views (see ``core.trace.mark_view``).
"""

from __future__ import annotations

import numpy as onp

from ..core import Primitive, broadcast_to_p, defjvp, defvjp, mark_view, shape_of
from ._registry import register


def _view(prim, x, **params):
    out = prim(x, **params)
    mark_view(out, x)
    return out


# -- reshape -----------------------------------------------------------------------------

reshape_p = Primitive("reshape", lambda x, shape: onp.reshape(x, shape))
defvjp(reshape_p, lambda g, ans, x, shape: reshape_p(g, shape=shape_of(x)), reads=((),))
defjvp(reshape_p, lambda t, ans, x, shape: reshape_p(t, shape=shape))


def _normalise_shape(shape, size: int) -> tuple:
    if isinstance(shape, (int, onp.integer)):
        shape = (int(shape),)
    shape = tuple(int(s) for s in shape)
    if -1 in shape:
        known = int(onp.prod([s for s in shape if s != -1], dtype=onp.int64))
        shape = tuple(size // known if s == -1 else s for s in shape)
    return shape


def reshape(a, shape=None, order="C", *, newshape=None):
    """``numpy.reshape`` (C order)."""
    if shape is None:
        shape = newshape
    if order != "C":
        raise NotImplementedError("wengert.numpy.reshape: only order='C' is supported")
    size = int(onp.prod(shape_of(a), dtype=onp.int64))
    shape = _normalise_shape(shape, size)
    if shape == shape_of(a):
        return a
    return _view(reshape_p, a, shape=shape)


register("reshape", reshape, "primitive")


def ravel(a, order="C"):
    return reshape(a, (-1,), order)


register("ravel", ravel, "composite")


def flatten(a):
    from .dtypes import copy

    return copy(reshape(a, (-1,)))


register("flatten", flatten, "composite", None)


# -- transpose ---------------------------------------------------------------------------

transpose_p = Primitive("transpose", lambda x, axes: onp.transpose(x, axes))
defvjp(
    transpose_p,
    lambda g, ans, x, axes: transpose_p(g, axes=tuple(onp.argsort(axes))),
    reads=((),),
)
defjvp(transpose_p, lambda t, ans, x, axes: transpose_p(t, axes=axes))


def transpose(a, axes=None):
    """``numpy.transpose``: reverse the axes, or permute them by ``axes``."""
    ndim = len(shape_of(a))
    if axes is None:
        axes = tuple(range(ndim))[::-1]
    axes = tuple(int(ax) % ndim if ndim else int(ax) for ax in axes)
    if axes == tuple(range(ndim)):
        return a
    return _view(transpose_p, a, axes=axes)


register("transpose", transpose, "primitive")


def swapaxes(a, axis1, axis2):
    ndim = len(shape_of(a))
    axes = list(range(ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose(a, axes)


register("swapaxes", swapaxes, "composite")


def expand_dims(a, axis):
    shape = list(shape_of(a))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    ndim = len(shape) + len(axes)
    for ax in sorted(ax % ndim for ax in axes):
        shape.insert(ax, 1)
    return reshape(a, tuple(shape))


register("expand_dims", expand_dims, "composite")


def squeeze(a, axis=None):
    shape = shape_of(a)
    if axis is None:
        axes = {i for i, n in enumerate(shape) if n == 1}
    else:
        axes = {ax % len(shape) for ax in ((axis,) if isinstance(axis, int) else axis)}
        for ax in axes:
            if shape[ax] != 1:
                raise ValueError(
                    f"wengert.numpy.squeeze: axis {ax} has length {shape[ax]}, expected 1"
                )
    return reshape(a, tuple(n for i, n in enumerate(shape) if i not in axes))


register("squeeze", squeeze, "composite")


def broadcast_to(array, shape):
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if shape_of(array) == shape:
        return array
    return broadcast_to_p(array, shape=shape)


register("broadcast_to", broadcast_to, "primitive")
