"""The array-API functions of ``numpy.linalg`` that are products or views: compositions
of ``wengert.numpy`` functions, whose derivatives they inherit (each costs what its
pieces cost: a product's rules are two more products; a view's, a copy)."""

from __future__ import annotations

import numpy as onp

from ...core import shape_of
from .. import products as _products
from .._registry import register
from ..elementwise import multiply
from ..joining import stack
from ..reductions import sum as _sum
from ..shapes import moveaxis, swapaxes


def matmul(x1, x2, /):
    """``numpy.linalg.matmul``: ``x1 @ x2``."""
    return _products.matmul(x1, x2)


def matrix_transpose(x, /):
    """``numpy.linalg.matrix_transpose``: the last two axes swapped (a view)."""
    if len(shape_of(x)) < 2:
        raise ValueError("Input array must be at least 2-dimensional")
    return swapaxes(x, -1, -2)


def outer(x1, x2, /):
    """``numpy.linalg.outer`` of two 1-D arrays."""
    if len(shape_of(x1)) != 1 or len(shape_of(x2)) != 1:
        raise ValueError("Input arrays must be one-dimensional")
    return _products.outer(x1, x2)


def tensordot(x1, x2, /, *, axes=2):
    """``numpy.linalg.tensordot``."""
    return _products.tensordot(x1, x2, axes=axes)


def trace(x, /, *, offset=0, dtype=None):
    """``numpy.linalg.trace``: the trace of the last two axes."""
    return _products.trace(x, offset=offset, axis1=-2, axis2=-1, dtype=dtype)


def diagonal(x, /, *, offset=0):
    """``numpy.linalg.diagonal``: the diagonal of the last two axes (a view)."""
    return _products.diagonal(x, offset=offset, axis1=-2, axis2=-1)


def vecdot(x1, x2, /, *, axis=-1):
    """``numpy.linalg.vecdot``: ``sum(conj(x1) * x2, axis)``."""
    if onp.dtype(onp.result_type(_dt(x1))).kind == "c":
        from .. import conj

        x1 = conj(x1)
    return _sum(multiply(x1, x2), axis=axis)


def _dt(x):
    from ...core import dtype_of

    return dtype_of(x)


def cross(x1, x2, /, *, axis=-1):
    """``numpy.linalg.cross`` of 3-vectors along ``axis``: the three 2×2 minors."""
    if shape_of(x1)[axis] != 3 or shape_of(x2)[axis] != 3:
        raise ValueError(
            "Both input arrays must be (arrays of) 3-dimensional vectors, but they are "
            f"{shape_of(x1)[axis]} and {shape_of(x2)[axis]} dimensional instead.")
    a, b = moveaxis(x1, axis, -1), moveaxis(x2, axis, -1)
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    out = stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)
    return moveaxis(out, -1, axis)


for _name, _fn in [("matmul", matmul), ("matrix_transpose", matrix_transpose),
                   ("outer", outer), ("tensordot", tensordot), ("trace", trace),
                   ("diagonal", diagonal), ("vecdot", vecdot), ("cross", cross)]:
    register(f"linalg.{_name}", _fn, "composite", getattr(onp.linalg, _name))
