"""Triangular solves: ``X = op(T)⁻¹ B`` where ``T`` is the lower (or upper) triangle of
``a`` (with a unit diagonal if asked) and ``op`` the identity or the transpose.

* JVP:  ``dX = −op(T)⁻¹ op(mask(dA)) X + op(T)⁻¹ dB``;
* VJP:  ``B̄ = op(T)⁻ᵀ Ḡ``,  ``Ā = −mask(op(B̄ Xᵀ))``,

where ``mask`` keeps the triangle that is read (without the diagonal for a unit
diagonal). Each rule is one more triangular solve (n²k) and one product; the rules use
this primitive again, so they differentiate at any order. Used by ``cholesky``, ``qr``
and ``scipy.linalg.solve_triangular``/``cho_solve``/``lu_solve``.
"""

from __future__ import annotations

import numpy as onp

from ...core import Primitive, defjvp, defvjp
from ..products import matmul, tril, triu
from ._lapack import LinAlgError, _lapack_funcs
from ._util import mT


def _triangular_impl(a, b, lower, trans, unit_diagonal):
    a, b = onp.asarray(a), onp.asarray(b)
    dtype = onp.result_type(a.dtype, b.dtype)
    (trtrs,) = _lapack_funcs(("trtrs",), dtype)
    aa = a.reshape((-1,) + a.shape[-2:]).astype(dtype, copy=False)
    bb = b.reshape((-1,) + b.shape[-2:]).astype(dtype, copy=False)
    out = onp.empty(bb.shape, dtype=dtype)
    for i in range(aa.shape[0]):
        x, info = trtrs(aa[i], bb[i], lower=int(lower), trans=int(trans),
                        unitdiag=int(unit_diagonal))
        if info > 0:
            raise LinAlgError(
                f"singular matrix: resolution failed at diagonal {info - 1}")
        out[i] = x
    return out.reshape(b.shape)


def _mask(x, lower, unit_diagonal):
    k = 1 if unit_diagonal else 0
    return tril(x, -k) if lower else triu(x, k)


def _op(x, trans):
    return mT(x) if trans else x


def _vjp_a(g, ans, a, b, lower, trans, unit_diagonal):
    gb = triangular_solve_p(a, g, lower=lower, trans=not trans, unit_diagonal=unit_diagonal)
    return -_mask(_op(matmul(gb, mT(ans)), trans), lower, unit_diagonal)


def _vjp_b(g, ans, a, b, lower, trans, unit_diagonal):
    return triangular_solve_p(a, g, lower=lower, trans=not trans, unit_diagonal=unit_diagonal)


def _jvp_a(t, ans, a, b, lower, trans, unit_diagonal):
    rhs = matmul(_op(_mask(t, lower, unit_diagonal), trans), ans)
    return -triangular_solve_p(a, rhs, lower=lower, trans=trans, unit_diagonal=unit_diagonal)


triangular_solve_p = Primitive("linalg.triangular_solve", _triangular_impl)
defvjp(triangular_solve_p, _vjp_a, _vjp_b, reads=((0, -1), (0,)))
defjvp(
    triangular_solve_p,
    _jvp_a,
    lambda t, ans, a, b, lower, trans, unit_diagonal: triangular_solve_p(
        a, t, lower=lower, trans=trans, unit_diagonal=unit_diagonal),
)


def triangular_solve(a, b, *, lower: bool, trans: bool = False, unit_diagonal: bool = False):
    """``op(T)⁻¹ b`` for stacks ``a`` (..., n, n) and ``b`` (..., n, k) of one batch
    shape (see the module docstring)."""
    return triangular_solve_p(a, b, lower=bool(lower), trans=bool(trans),
                              unit_diagonal=bool(unit_diagonal))


def solve_right(b, a, *, lower: bool, trans: bool = False):
    """``b op(T)⁻¹`` (a solve from the right), as ``(op(T)⁻ᵀ bᵀ)ᵀ``."""
    return mT(triangular_solve(a, mT(b), lower=lower, trans=not trans))
