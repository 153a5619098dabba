"""Small matrix helpers written with wengert's own functions (so rules that use them
differentiate again), and argument checks shared by the linear-algebra functions."""

from __future__ import annotations

import numpy as onp

from ...core import dtype_of, shape_of
from ...errors import WengertError
from ..dtypes import astype
from ..products import diag_embed_p, diagonal_p, tril, triu
from ..shapes import broadcast_to, swapaxes
from ._lapack import LinAlgError, lapack_dtype


def ndim(x) -> int:
    return len(shape_of(x))


def mT(x):
    """The transpose of the last two axes (not conjugated: the JAX convention)."""
    return swapaxes(x, -1, -2)


def mH(x):
    """The conjugate transpose of the last two axes (``mT`` for real ``x``: no ``conj``
    is recorded on a real path)."""
    if not is_complex(x):
        return mT(x)
    from ..complex_parts import conj

    return conj(mT(x))


def diag_part(x):
    """The diagonals of a stack of matrices, as the last axis."""
    nd = ndim(x)
    return diagonal_p(x, offset=0, axis1=nd - 2, axis2=nd - 1)


def diag_matrix(v):
    """A stack of diagonal matrices with ``v`` (last axis) on the diagonal."""
    shape = shape_of(v) + shape_of(v)[-1:]
    nd = len(shape)
    return diag_embed_p(v, shape=shape, offset=0, axis1=nd - 2, axis2=nd - 1)


def eye(n: int, dtype) -> onp.ndarray:
    return onp.eye(n, dtype=dtype)


def symmetric_from(x, lower: bool):
    """The symmetric matrix a routine that reads one triangle of ``x`` sees:
    ``tril(x) + tril(x, -1)ᵀ`` (lower) or the same with ``triu``."""
    if lower:
        return tril(x) + mT(tril(x, -1))
    return triu(x) + mT(triu(x, 1))


def onto_triangle(p, lower: bool):
    """The transpose of :func:`symmetric_from`: a cotangent ``p`` of the symmetric
    matrix, moved onto the triangle that was read: ``tril(p + pᵀ, -1) + diag(p)``."""
    if lower:
        return tril(p) + tril(mT(p), -1)
    return triu(p) + triu(mT(p), 1)


def square(a, name: str, arg: str = "a") -> int:
    """Check that ``a`` is a stack of square matrices; return n."""
    shape = shape_of(a)
    if len(shape) < 2:
        raise LinAlgError(
            f"{name}: {len(shape)}-dimensional array given for {arg!r}. Array must be at "
            f"least two-dimensional")
    if shape[-1] != shape[-2]:
        raise LinAlgError(
            f"{name}: last 2 dimensions of the array {arg!r} must be square, got shape "
            f"{shape}")
    return shape[-1]


def at_least_2d(a, name: str, arg: str = "a") -> None:
    if ndim(a) < 2:
        raise LinAlgError(
            f"{name}: {ndim(a)}-dimensional array given for {arg!r}. Array must be at "
            f"least two-dimensional")


def as_lapack(*arrays):
    """The arrays cast to the one dtype LAPACK computes their result in (as NumPy's
    linalg does: integers to float64)."""
    dtype = lapack_dtype(onp.result_type(*[dtype_of(a) for a in arrays]))
    return tuple(a if dtype_of(a) == dtype else astype(a, dtype) for a in arrays)


def broadcast_batch(a, b, core_a: int = 2, core_b: int = 2):
    """``a`` and ``b`` broadcast to one batch shape (all but their last ``core_*`` axes)."""
    sa, sb = shape_of(a), shape_of(b)
    batch = onp.broadcast_shapes(sa[:len(sa) - core_a], sb[:len(sb) - core_b])
    ta, tb = batch + sa[len(sa) - core_a:], batch + sb[len(sb) - core_b:]
    return (a if ta == sa else broadcast_to(a, ta)), (b if tb == sb else broadcast_to(b, tb))


def is_complex(x) -> bool:
    return onp.dtype(dtype_of(x)).kind == "c"


def expand_last2(x):
    """``x[..., None, None]``: a value per matrix, broadcast over its entries."""
    return x[..., None, None]


def result_tuple(name: str, *values):
    """NumPy's named result (``SlogdetResult``, ``SVDResult``...), or a plain tuple on
    a NumPy without it."""
    try:
        from numpy.linalg import _linalg
    except ImportError:  # pragma: no cover - NumPy < 2
        return tuple(values)
    cls = getattr(_linalg, name, None)
    return cls(*values) if cls is not None else tuple(values)


class DegenerateDerivativeError(WengertError, LinAlgError):
    """The derivative asked for does not exist at this point: the loss depends on the
    basis chosen inside a degenerate eigenspace or singular subspace (repeated
    eigenvalues or singular values), or on singular vectors of zero singular values."""


def gap_matrix(w, tol_scale: float = 100.0):
    """``(D, mask)``: ``D[..., i, j] = w_j − w_i`` (traced) and the constant boolean
    mask of the pairs treated as equal: the diagonal and ``|w_i − w_j| ≤ tol`` with
    ``tol = tol_scale · n · eps · max|w|`` (eigenvalues equal to rounding)."""
    from ...core import primal

    wp = onp.asarray(primal(w))
    n = wp.shape[-1]
    eps = onp.finfo(wp.dtype).eps if wp.dtype.kind in "fc" else onp.finfo(float).eps
    scale = onp.max(onp.abs(wp), axis=-1, keepdims=True) if n else onp.zeros(wp.shape)
    tol = (tol_scale * max(n, 1) * eps * scale)[..., None]
    mask = onp.abs(wp[..., None, :] - wp[..., :, None]) <= tol
    mask = mask | onp.eye(n, dtype=bool)
    return w[..., None, :] - w[..., :, None], mask


def safe_reciprocal(d, mask):
    """``1/d`` where ``mask`` is False, 0 where it is True (no division by zero)."""
    from ..elementwise import where

    one = onp.ones((), dtype=dtype_of(d))
    zero = onp.zeros((), dtype=dtype_of(d))
    return where(mask, zero, one / where(mask, one, d))


def check_gauge(k, mask, name: str, what: str, hermitian: bool = False) -> None:
    """Raise :class:`DegenerateDerivativeError` if the antisymmetric part of ``k`` (a
    plain or traced stack of matrices) is not negligible on the off-diagonal pairs of
    ``mask``: the loss then depends on the basis of a degenerate subspace."""
    from ...core import primal

    kp = onp.asarray(primal(k))
    n = kp.shape[-1]
    off = mask & ~onp.eye(n, dtype=bool)
    if not onp.any(off):
        return
    # The antisymmetric part (real), or the anti-Hermitian part (``hermitian``: complex
    # ``k = Vᵀ V̄`` under JAX's convention).
    other = onp.swapaxes(kp, -1, -2)
    if hermitian:
        other = onp.conj(other)
    anti = onp.abs(kp - other)
    eps = onp.finfo(kp.dtype).eps if kp.dtype.kind in "fc" else onp.finfo(float).eps
    tol = 1e3 * n * eps * max(1.0, float(onp.max(onp.abs(kp)))) if kp.size else 0.0
    if onp.any(anti[off] > tol):
        raise DegenerateDerivativeError(
            f"wengert.numpy.linalg.{name}: the {what} are repeated, and the function being "
            f"differentiated depends on which basis of their eigen/singular subspace is "
            f"returned, which is arbitrary: the derivative does not exist. Make the loss "
            f"depend on the subspace only (e.g. on projectors V Vᵀ or on the values), or "
            f"perturb the input to separate the values.")


def hermitian_from(x, lower: bool):
    """The Hermitian matrix a complex routine reading one triangle sees (LAPACK ignores
    the imaginary part of the diagonal); ``symmetric_from`` for real ``x``."""
    if not is_complex(x):
        return symmetric_from(x, lower)
    from .. import conj, real

    strict = tril(x, -1) if lower else triu(x, 1)
    return strict + conj(mT(strict)) + diag_matrix(real(diag_part(x)))


def transpose_linear(linear, g, like):
    """``Jᵀ g`` for a map ``linear`` that is linear in its one argument (shaped like
    ``like``; ``g=None`` seeds a scalar output with 1), by one reverse sweep over it
    (JAX's convention for non-holomorphic maps, as ``custom_jvp`` transposes its rules).
    Costs one more evaluation of ``linear``."""
    from ...core import VJPTrace, VJPTracer, backward, densify, primal

    trace = VJPTrace()
    zeros = onp.zeros(shape_of(like), dtype=dtype_of(like))
    t = trace.new_input(zeros)
    try:
        out = linear(t)
    finally:
        trace.finish()
    try:
        if not (isinstance(out, VJPTracer) and out._trace is trace):
            return None
        if g is None:  # a scalar pairing with the cotangent: seed 1
            g = onp.ones((), dtype=onp.asarray(primal(out)).dtype)
        ct = backward(trace, {out._index: g}, False)
        return densify(ct[t._index])
    finally:
        trace.release()

