"""The pseudo-inverse and least squares.

``pinv`` (``X = A⁺``, derivative at constant rank, Golub and Pereyra 1973):

* JVP: ``dX = −X dA X + X Xᴴ dAᴴ (I − A X) + (I − X A) dAᴴ Xᴴ X``;
* VJP: ``Ā = −Xᵀ Ḡ Xᵀ + conj((I − A X) Ḡᵀ X Xᴴ + Xᴴ X Ḡᵀ (I − X A))``, the transpose of
  the JVP under the pairing ``Re sum(a b)`` (JAX's convention; ``ᴴ = ᵀ`` and no ``conj``
  for real matrices, where this is the real rule).

Six matrix products, O(mn·min(m, n)) like the SVD behind the value, and reusing the
result ``X`` (complex: two more conjugations). Singular values at or below the cut-off
(``rcond``/``rtol``) count as zero: the derivative is that of the map at constant rank,
and is not defined where the rank changes.

``lstsq(a, b)``: ``x = pinv(a, rcond) b`` (the minimum-norm least-squares solution; its
derivative is the one above), ``residuals = ‖b − a x‖²`` per column when ``a`` has full
column rank and more rows than columns (else empty, as NumPy), ``rank`` (an integer, no
derivative) and the singular values of ``a`` (derivative through ``svd``).
"""

from __future__ import annotations

import numpy as onp

from ...core import Primitive, Tracer, defjvp, defvjp, primal, shape_of
from .._registry import register
from ..products import matmul
from ..reductions import sum as _sum
from ._util import at_least_2d, hermitian_from, is_complex, mH, mT


def _minus_proj(a, x, m):
    """``(I − A X) M`` without forming ``I``."""
    return m - matmul(a, matmul(x, m))


def _pinv_jvp(t, x, a, rcond, hermitian):
    tt, xh = mH(t), mH(x)
    term1 = -matmul(x, matmul(t, x))
    term2 = matmul(matmul(x, xh), _minus_proj_right(tt, a, x))
    term3 = _minus_proj(x, a, matmul(tt, matmul(xh, x)))
    return term1 + term2 + term3


def _minus_proj_right(m, a, x):
    """``M (I − A X)`` without forming ``I``."""
    return m - matmul(matmul(m, a), x)


def _pinv_vjp(g, x, a, rcond, hermitian):
    xt, gt, xh = mT(x), mT(g), mH(x)
    term1 = -matmul(xt, matmul(g, xt))
    term2 = _minus_proj(a, x, matmul(gt, matmul(x, xh)))
    term3 = _minus_proj_right(matmul(matmul(xh, x), gt), x, a)
    if is_complex(x):
        from ..complex_parts import conj

        return term1 + conj(term2 + term3)
    return term1 + term2 + term3


def _pinv_impl(a, rcond, hermitian):
    return onp.linalg.pinv(a, rcond=rcond, hermitian=hermitian)


pinv_p = Primitive("linalg.pinv", _pinv_impl)
defvjp(pinv_p, _pinv_vjp, reads=((0, -1),))
defjvp(pinv_p, _pinv_jvp)

_NO_VALUE = object()


def pinv(a, rcond=None, hermitian=False, *, rtol=_NO_VALUE):
    """``numpy.linalg.pinv`` (rules: module docstring). With ``hermitian=True`` the
    lower triangle is read."""
    if not isinstance(a, Tracer):
        kw = {} if rtol is _NO_VALUE else {"rtol": rtol}
        return onp.linalg.pinv(a, rcond=rcond, hermitian=hermitian, **kw)
    at_least_2d(a, "wengert.numpy.linalg.pinv")
    if rcond is None:
        if rtol is _NO_VALUE:
            rcond = 1e-15
        elif rtol is None:
            rcond = max(shape_of(a)[-2:]) * onp.finfo(onp.asarray(primal(a)).dtype).eps
        else:
            rcond = rtol
    elif rtol is not _NO_VALUE:
        raise ValueError("`rtol` and `rcond` can't be both set.")
    if hermitian:
        a = hermitian_from(a, lower=True)
    return pinv_p(a, rcond=float(rcond), hermitian=bool(hermitian))


register("linalg.pinv", pinv, "primitive", onp.linalg.pinv)


def lstsq(a, b, rcond=None):
    """``numpy.linalg.lstsq``: ``(x, residuals, rank, s)`` (see the module docstring)."""
    if not isinstance(a, Tracer) and not isinstance(b, Tracer):
        return onp.linalg.lstsq(a, b, rcond=rcond)
    from .decompositions import svd

    if len(shape_of(a)) != 2 or len(shape_of(b)) not in (1, 2):
        raise onp.linalg.LinAlgError(
            f"wengert.numpy.linalg.lstsq: a must be 2-D and b 1-D or 2-D, got shapes "
            f"{shape_of(a)} and {shape_of(b)}")
    m, n = shape_of(a)
    if shape_of(b)[0] != m:
        raise onp.linalg.LinAlgError("Incompatible dimensions")
    a_plain = onp.asarray(primal(a))
    if rcond is None:
        rcond = onp.finfo(onp.result_type(a_plain.dtype, float)).eps * max(m, n)
    s = svd(a, compute_uv=False)
    s_plain = onp.asarray(primal(s))
    rank = int(onp.sum(s_plain > rcond * s_plain.max())) if s_plain.size else 0
    x = matmul(pinv_p(a, rcond=float(rcond), hermitian=False), b)
    if rank == n and m > n:
        r = b - matmul(a, x)
        if is_complex(r):
            from ..complex_parts import conj, real

            residuals = _sum(real(r * conj(r)), axis=0)
        else:
            residuals = _sum(r * r, axis=0)
        if len(shape_of(b)) == 1:
            residuals = residuals[None]
    else:
        residuals = onp.empty((0,), dtype=onp.finfo(onp.result_type(a_plain.dtype, float)).dtype)
    return x, residuals, rank, s


register("linalg.lstsq", lstsq, "composite", onp.linalg.lstsq)
