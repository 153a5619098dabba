"""``norm`` and its array-API relatives ``vector_norm``, ``matrix_norm``, ``svdvals``.

Vector norms are compositions of ``abs``, ``max``/``min``, ``sum`` and ``power``, except
the 2-norm (and the Frobenius norm), a primitive so that its derivative at zero is
defined: ``d‖x‖ = Re⟨x̄, dx⟩ / ‖x‖`` and ``x̄ = ḡ conj(x) / ‖x‖`` (the JAX convention for
complex ``x``), with the subgradient 0 at ``x = 0`` (a documented convention, not NaN);
cost O(size). Matrix norms: ``'fro'`` is that 2-norm over two axes; ``'nuc'``, ``2``
and ``-2`` are the sum, max and min of the singular values (derivatives through ``svd``:
``U diag(s̄) Vᵀ``); ``1``, ``-1``, ``inf``, ``-inf`` are max/min of absolute column or
row sums. At ties of ``max``/``min`` the derivative is shared, as for ``numpy.max``.
"""

from __future__ import annotations

import numpy as onp

from ...core import Primitive, defjvp, defvjp, dtype_of, shape_of
from .._registry import nondiff, register
from ..elementwise import power, where
from ..reductions import max as _max
from ..reductions import min as _min
from ..reductions import sum as _sum
from ..shapes import expand_dims, moveaxis, reshape
from ..unary import absolute
from ._util import is_complex


def _norm2_impl(x, axis, keepdims):
    x = onp.asarray(x)
    sq = x.real * x.real + x.imag * x.imag if x.dtype.kind == "c" else x * x
    return onp.sqrt(onp.sum(sq, axis=axis, keepdims=keepdims))


def _safe_norm(ans, axis, keepdims):
    """``‖x‖`` kept on the reduced axes, with 1 where it is 0 (the caller masks)."""
    from ...core import primal

    n = ans if keepdims else expand_dims(ans, axis)
    zero = onp.asarray(primal(n)) == 0
    one = onp.ones((), dtype=dtype_of(ans))
    return where(zero, one, n), zero


def _norm2_vjp(g, ans, x, axis, keepdims):
    n, zero = _safe_norm(ans, axis, keepdims)
    gk = g if keepdims else expand_dims(g, axis)
    xc = x
    if is_complex(x):
        from .. import conj

        xc = conj(x)
    return where(zero, onp.zeros((), dtype_of(x)), gk * xc / n)


def _norm2_jvp(t, ans, x, axis, keepdims):
    n, zero = _safe_norm(ans, axis, keepdims)
    prod = x * t
    if is_complex(x):
        from .. import conj, real

        prod = real(conj(x) * t)
    s = _sum(where(zero, onp.zeros((), dtype_of(prod)), prod / n), axis=axis,
             keepdims=keepdims)
    return s


norm2_p = Primitive("linalg.norm2", _norm2_impl)
defvjp(norm2_p, _norm2_vjp, reads=((0, -1),))
defjvp(norm2_p, _norm2_jvp)


def _as_float(x):
    from ..dtypes import astype

    dt = dtype_of(x)
    if dt.kind in "fc":
        return x
    return astype(x, onp.float64)


def _vector(x, ord, axis: tuple, keepdims: bool):  # noqa: A002
    if ord is None or ord == 2:
        return norm2_p(x, axis=axis, keepdims=keepdims)
    a = absolute(x)
    if ord == onp.inf:
        return _max(a, axis=axis, keepdims=keepdims)
    if ord == -onp.inf:
        return _min(a, axis=axis, keepdims=keepdims)
    if ord == 0:
        from ...core import primal

        count = onp.sum(onp.asarray(primal(x)) != 0, axis=axis, keepdims=keepdims)
        return count.astype(onp.real(onp.zeros((), dtype_of(a))).dtype)
    if ord == 1:
        return _sum(a, axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"wengert.numpy.linalg.norm: invalid norm order {ord!r} for vectors")
    p = float(ord)
    return power(_sum(power(a, p), axis=axis, keepdims=keepdims), 1.0 / p)


def _svdvals_along(x, row: int, col: int):
    from .decompositions import svd

    return svd(moveaxis(x, (row, col), (-2, -1)), compute_uv=False)


def _matrix(x, ord, row: int, col: int, keepdims: bool):  # noqa: A002
    if ord in (None, "fro", "f"):
        return norm2_p(x, axis=(row, col), keepdims=keepdims)
    if ord in ("nuc", 2, -2):
        s = _svdvals_along(x, row, col)
        out = _sum(s, axis=-1) if ord == "nuc" else (
            _max(s, axis=-1) if ord == 2 else _min(s, axis=-1))
    elif ord in (1, -1, onp.inf, -onp.inf):
        a = absolute(x)
        red, keep = (row, col) if ord in (1, -1) else (col, row)
        sums = _sum(a, axis=red)
        keep_after = keep - 1 if keep > red else keep
        out = (_max if ord in (1, onp.inf) else _min)(sums, axis=keep_after)
    else:
        raise ValueError(f"wengert.numpy.linalg.norm: invalid norm order {ord!r} for matrices")
    if keepdims:
        shape = list(shape_of(x))
        shape[row] = shape[col] = 1
        out = reshape(out, tuple(shape))
    return out


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002
    """``numpy.linalg.norm``: vector norms (``axis`` an int, or 1-D input), matrix norms
    (``axis`` a pair, or 2-D input) and the 2-norm of the flattened array
    (``ord=None, axis=None``). Rules: module docstring."""
    x = _as_float(x)
    nd = len(shape_of(x))
    if axis is None:
        if ord is None:
            flat = reshape(x, (-1,))
            out = norm2_p(flat, axis=(0,), keepdims=False)
            return reshape(out, (1,) * nd) if keepdims else out
        if nd == 1:
            axis = (0,)
        elif nd == 2:
            axis = (0, 1)
        else:
            raise ValueError("Improper number of dimensions to norm.")
    elif isinstance(axis, (int, onp.integer)):
        axis = (int(axis),)
    else:
        axis = tuple(int(a) for a in axis)
    axis = tuple(a % nd for a in axis) if nd else axis
    if len(axis) == 1:
        return _vector(x, ord, axis, keepdims)
    if len(axis) == 2:
        if axis[0] == axis[1]:
            raise ValueError("Duplicate axes given.")
        return _matrix(x, ord, axis[0], axis[1], keepdims)
    raise ValueError("Improper number of dimensions to norm.")


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):  # noqa: A002
    """``numpy.linalg.vector_norm``: the vector norm over ``axis`` (all axes if None)."""
    x = _as_float(x)
    nd = len(shape_of(x))
    if axis is None:
        out = _vector(reshape(x, (-1,)), ord, (0,), False)
        return reshape(out, (1,) * nd) if keepdims else out
    axes = (axis,) if isinstance(axis, (int, onp.integer)) else tuple(axis)
    return _vector(x, ord, tuple(int(a) % nd for a in axes), keepdims)


def matrix_norm(x, /, *, keepdims=False, ord="fro"):  # noqa: A002
    """``numpy.linalg.matrix_norm``: the matrix norm of the last two axes."""
    x = _as_float(x)
    nd = len(shape_of(x))
    return _matrix(x, ord, nd - 2, nd - 1, keepdims)


def svdvals(x, /):
    """``numpy.linalg.svdvals``: ``svd(x, compute_uv=False)``."""
    from .decompositions import svd

    return svd(x, compute_uv=False)


register("linalg.norm", norm, "composite", onp.linalg.norm)
register("linalg.vector_norm", vector_norm, "composite", onp.linalg.vector_norm)
register("linalg.matrix_norm", matrix_norm, "composite", onp.linalg.matrix_norm)
register("linalg.svdvals", svdvals, "composite", onp.linalg.svdvals)


def cond(x, p=None):
    """``numpy.linalg.cond``: ``s_max/s_min`` (``p`` None or 2; ``-2`` the inverse) from
    the singular values, else ``norm(x, p) · norm(inv(x), p)``; derivatives through
    ``svd``, ``norm`` and ``inv``."""
    from ..reductions import max as _max_
    from ..reductions import min as _min_
    from .solve import inv

    x = _as_float(x)
    if p is None or p in (2, -2):
        s = svdvals(x)
        ratio = _max_(s, axis=-1) / _min_(s, axis=-1)
        return 1.0 / ratio if p == -2 else ratio
    nd = len(shape_of(x))
    return _matrix(x, p, nd - 2, nd - 1, False) * _matrix(inv(x), p, nd - 2, nd - 1, False)


register("linalg.cond", cond, "composite", onp.linalg.cond)
nondiff("linalg.matrix_rank", onp.linalg.matrix_rank)
