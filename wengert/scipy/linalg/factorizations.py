"""``cho_factor``/``cho_solve`` and ``lu_factor``/``lu_solve`` of ``scipy.linalg``.

* ``cho_factor(a, lower)`` is ``cholesky`` of the triangle read (rules in
  ``wengert.numpy.linalg.decompositions``), with the other triangle of ``a`` left in
  place as SciPy leaves it (its derivative is the identity on those entries).
* ``cho_solve((c, lower), b)``: two triangular solves with the factor's triangle,
  ``x = L⁻ᵀ (L⁻¹ b)`` (or ``U⁻¹ (U⁻ᵀ b)``); derivatives through the triangular-solve
  rules, O(n²k), in ``c`` and ``b``.
* ``lu_factor(a)``: ``P A = L U`` (``L`` unit lower, packed with ``U``; the pivots carry
  no derivative). With ``M = L⁻¹ P dA U⁻¹``: ``dL = L tril(M, −1)``, ``dU = triu(M) U``;
  ``Ā = Pᵀ L⁻ᵀ (tril(Lᵀ L̄, −1) + triu(Ū Uᵀ)) U⁻ᵀ``. Four triangular solves with n
  right-hand sides, O(n³), written with the triangular-solve primitive on the packed
  factors (so they differentiate again).
* ``lu_solve((lu, piv), b, trans)``: ``x = U⁻¹ L⁻¹ P b`` (``trans``: ``Pᵀ L⁻ᵀ U⁻ᵀ b``),
  derivatives through the triangular solves, in ``lu`` and ``b``.
"""

from __future__ import annotations

import numpy as onp
import scipy.linalg as sla

from ...core import Primitive, Tracer, defjvp, defvjp, primal, shape_of
from ...numpy._registry import register
from ...numpy.elementwise import where
from ...numpy.indexing import take_along_axis
from ...numpy.linalg._util import as_lapack, broadcast_batch, mT, square
from ...numpy.linalg.decompositions import cholesky
from ...numpy.linalg.triangular import solve_right, triangular_solve
from ...numpy.products import matmul, tril, triu


def _trans_code(trans) -> int:
    from .solve import _trans_code as code

    return code(trans)


# -- Cholesky -------------------------------------------------------------------------------


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """``scipy.linalg.cho_factor``: ``(c, lower)``; see the module docstring."""
    square(a, "wengert.scipy.linalg.cho_factor")
    (a,) = as_lapack(a)
    n = shape_of(a)[-1]
    if lower:
        factor, mask = cholesky(a), onp.tri(n, dtype=bool)
    else:
        factor, mask = cholesky(a, upper=True), ~onp.tri(n, k=-1, dtype=bool)
    return where(mask, factor, a), bool(lower)


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """``scipy.linalg.cho_solve``: ``A⁻¹ b`` for ``A = L Lᵀ`` (or ``Uᵀ U``)."""
    c, lower = c_and_lower
    square(c, "wengert.scipy.linalg.cho_solve", "c")
    vector = len(shape_of(b)) == 1
    b2 = b[:, None] if vector else b
    if shape_of(b2)[-2] != shape_of(c)[-1]:
        raise ValueError(
            f"wengert.scipy.linalg.cho_solve: b has {shape_of(b2)[-2]} rows; the factor "
            f"is {shape_of(c)[-1]}×{shape_of(c)[-1]}")
    c, b2 = as_lapack(*broadcast_batch(c, b2))
    lower = bool(lower)
    y = triangular_solve(c, b2, lower=lower, trans=not lower)
    x = triangular_solve(c, y, lower=lower, trans=lower)
    return x[..., 0] if vector else x


# -- LU -----------------------------------------------------------------------------------


def _permutation(piv: onp.ndarray) -> onp.ndarray:
    """The row order ``perm`` with ``P A = A[perm]`` from LAPACK's pivots (row ``i`` was
    swapped with row ``piv[i]``), for a stack of pivot vectors."""
    piv = onp.asarray(piv)
    n = piv.shape[-1]
    flat = piv.reshape(-1, n)
    perm = onp.tile(onp.arange(n), (flat.shape[0], 1))
    for k in range(flat.shape[0]):
        p = perm[k]
        for i, j in enumerate(flat[k]):
            p[i], p[j] = p[j], p[i]
    return perm.reshape(piv.shape)


def _rows(x, order):
    """``x[..., order, :]`` with one order per matrix of the stack."""
    idx = onp.broadcast_to(order[..., :, None], shape_of(x)[:-2] + (order.shape[-1],)
                           + shape_of(x)[-1:])
    return take_along_axis(x, onp.ascontiguousarray(idx), axis=-2)


def _lu_impl(a, packed):
    return packed[0]


def _lu_jvp(t, lu, a, packed):
    perm = _permutation(packed[1])
    m = triangular_solve(lu, _rows(t, perm), lower=True, unit_diagonal=True)  # L⁻¹ P dA
    m = solve_right(m, lu, lower=False)  # … U⁻¹
    lower = tril(m, -1)
    d_l = tril(lu, -1) @ lower + lower  # L tril(M, −1), L = I + tril(lu, −1)
    return d_l + matmul(triu(m), triu(lu))


def _lu_vjp(g, lu, a, packed):
    perm = _permutation(packed[1])
    inverse = onp.argsort(perm, axis=-1)
    l_bar, u_bar = tril(g, -1), triu(g)
    unit_l = tril(lu, -1)
    m_bar = tril(matmul(mT(unit_l), l_bar) + l_bar, -1) + triu(matmul(u_bar, mT(triu(lu))))
    y = triangular_solve(lu, m_bar, lower=True, trans=True, unit_diagonal=True)  # L⁻ᵀ M̄
    y = solve_right(y, lu, lower=False, trans=True)  # … U⁻ᵀ
    return _rows(y, inverse)


lu_p = Primitive("scipy.linalg.lu", _lu_impl)
defvjp(lu_p, _lu_vjp, reads=((-1,),))
defjvp(lu_p, _lu_jvp)


class _Packed(tuple):
    """(lu, piv) computed on the plain value, as a hashable parameter (by identity)."""

    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other

    def __repr__(self) -> str:
        return f"<LU factors {onp.shape(self[0])}>"


def lu_factor(a, overwrite_a=False, check_finite=True):
    """``scipy.linalg.lu_factor``: ``(lu, piv)``; ``lu`` carries the derivative
    (module docstring), ``piv`` is an integer array."""
    square(a, "wengert.scipy.linalg.lu_factor")
    (a,) = as_lapack(a)
    lu, piv = sla.lu_factor(onp.asarray(primal(a)), check_finite=check_finite)
    if not isinstance(a, Tracer):
        return lu, piv
    return lu_p(a, packed=_Packed((lu, piv))), piv


def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """``scipy.linalg.lu_solve``: ``A⁻¹ b`` (``trans=1``: ``A⁻ᵀ b``) from
    ``lu_factor``'s result."""
    lu, piv = lu_and_piv
    square(lu, "wengert.scipy.linalg.lu_solve", "lu")
    code = _trans_code(trans)
    vector = len(shape_of(b)) == 1
    b2 = b[:, None] if vector else b
    lu, b2 = as_lapack(*broadcast_batch(lu, b2))
    perm = _permutation(onp.broadcast_to(onp.asarray(piv), shape_of(lu)[:-1]))
    if code == 2 and onp.dtype(lu.dtype).kind == "c":
        from ...numpy import conj

        lu = conj(lu)
    if code == 0:
        y = triangular_solve(lu, _rows(b2, perm), lower=True, unit_diagonal=True)
        x = triangular_solve(lu, y, lower=False)
    else:
        y = triangular_solve(lu, b2, lower=False, trans=True)
        y = triangular_solve(lu, y, lower=True, trans=True, unit_diagonal=True)
        x = _rows(y, onp.argsort(perm, axis=-1))
    return x[..., 0] if vector else x


register("scipy.linalg.cho_factor", cho_factor, "composite", sla.cho_factor)
register("scipy.linalg.cho_solve", cho_solve, "composite", sla.cho_solve)
register("scipy.linalg.lu_factor", lu_factor, "primitive", sla.lu_factor)
register("scipy.linalg.lu_solve", lu_solve, "composite", sla.lu_solve)
