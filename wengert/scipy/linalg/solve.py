"""``solve``, ``solve_triangular``, ``inv`` and ``det`` of ``scipy.linalg``.

They are the rules of ``wengert.numpy.linalg`` (``solve``, ``inv``, ``det``, and the
triangular-solve primitive: ``dX = −op(T)⁻¹ op(dT) X + op(T)⁻¹ dB``,
``B̄ = op(T)⁻ᵀ Ḡ``, ``Ā = −mask(op(B̄ Xᵀ))``, one more triangular solve), applied to the
matrix SciPy's solver actually reads for each ``assume_a`` (SciPy 1.17), so the
derivative lands on the entries that reach the result, as finite differences of SciPy's
function see them:

==================================  =========================================  =========
``assume_a``                        matrix read                                solve
==================================  =========================================  =========
``None``, ``'gen'``, ``'general'``  all of ``a`` (``None``: SciPy detects a     LU/Chol.
                                    structure from the values, but any
                                    perturbation breaks it, so the derivative
                                    is the general one)
``'banded'``                        all of ``a`` (the band is found from the    LU/Chol.
                                    values, and widens under a perturbation)
``'tridiagonal'``                   the three central diagonals                LU
``'diagonal'``                      the diagonal                               division
``'lower/upper triangular'``        that triangle                              trtrs
``'sym'``, ``'symmetric'``          ``sym(triangle)`` (complex symmetric)      LU/Chol.
``'her'``, ``'hermitian'``,         the Hermitian matrix of the triangle, real  LU/Chol.
``'pos'``, ``'positive definite'``  diagonal (``sym`` for real ``a``)
==================================  =========================================  =========

The triangle is the lower one with ``lower=True``, else the upper one. The tridiagonal
and banded kinds are solved as full matrices (O(n³) where SciPy's ``gttrs``/``gbsv``
costs O(n)/O(n·band²)): correct values and derivatives, not SciPy's speed.
``transposed=True`` solves ``aᵀ x = b`` (real ``a`` only, as SciPy). ``inv`` accepts
SciPy's kinds for it (``None``, ``'gen'``, ``'general'``, ``'diagonal'``, the
triangular ones, ``'sym'``, ``'her'``, ``'pos'``); with ``'diagonal'`` it returns, as
SciPy 1.17 does, the reciprocal diagonal with ``a``'s off-diagonal entries unchanged.
"""

from __future__ import annotations

import numpy as onp
import scipy.linalg as sla

from ...core import shape_of
from ...numpy import linalg as _la
from ...numpy._registry import register
from ...numpy.elementwise import where
from ...numpy.linalg._util import (
    as_lapack,
    broadcast_batch,
    hermitian_from,
    is_complex,
    mT,
    symmetric_from,
)
from ...numpy.linalg.triangular import triangular_solve
from ...numpy.products import diagonal, tril, triu

_GENERAL = (None, "gen", "general", "banded")
_SYMMETRIC = ("sym", "symmetric")
_HERMITIAN = ("her", "hermitian", "pos", "positive definite")
_TRIANGULAR = {"lower triangular": True, "upper triangular": False}
_SOLVE_KINDS = (*_GENERAL, "diagonal", "tridiagonal", *_TRIANGULAR, *_SYMMETRIC, *_HERMITIAN)
_INV_KINDS = (None, "gen", "general", "diagonal", *_TRIANGULAR, "sym", "her", "pos")


def _as_matrix_rhs(b):
    vector = len(shape_of(b)) == 1
    return (b[:, None] if vector else b), vector


def _trans_code(trans) -> int:
    codes = {0: 0, 1: 1, 2: 2, "N": 0, "T": 1, "C": 2}
    if trans not in codes:
        raise ValueError(f"wengert.scipy.linalg: trans must be 0, 1, 2, 'N', 'T' or 'C', "
                         f"got {trans!r}")
    return codes[trans]


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    """``scipy.linalg.solve_triangular``: ``x`` with ``op(T) x = b``, ``T`` the
    ``lower``/upper triangle of ``a``; trans 0, 1 ('T') or 2 ('C', the conjugate
    transpose, for complex ``a`` written with ``conj``)."""
    _la._util.square(a, "wengert.scipy.linalg.solve_triangular")
    code = _trans_code(trans)
    b2, vector = _as_matrix_rhs(b)
    a, b2 = as_lapack(*broadcast_batch(a, b2))
    if code == 2 and is_complex(a):
        from ...numpy import conj

        a = conj(a)
    x = triangular_solve(a, b2, lower=bool(lower), trans=code != 0,
                         unit_diagonal=bool(unit_diagonal))
    return x[..., 0] if vector else x


def _structured(a, assume_a, lower, name, kinds):
    """``a`` as the solver sees it, and (for triangular/diagonal) how to solve."""
    if assume_a not in kinds:
        raise ValueError(
            f"wengert.scipy.linalg.{name}: assume_a={assume_a!r} is not a recognized matrix "
            f"structure; expected one of {list(kinds)}")
    if assume_a in _GENERAL:
        return a, None
    if assume_a in _SYMMETRIC:
        return symmetric_from(a, lower=bool(lower)), None
    if assume_a in _HERMITIAN:
        return hermitian_from(a, lower=bool(lower)), None
    if assume_a == "tridiagonal":
        return tril(triu(a, -1), 1), None
    if assume_a in _TRIANGULAR:
        return a, ("triangular", _TRIANGULAR[assume_a])
    return a, ("diagonal", None)


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
          assume_a=None, transposed=False):
    """``scipy.linalg.solve``: one factorisation of ``a`` (Cholesky when it is exactly
    symmetric positive definite), shared with other calls on the same traced ``a``."""
    _la._util.square(a, "wengert.scipy.linalg.solve")
    a, how = _structured(a, assume_a, lower, "solve", _SOLVE_KINDS)
    if transposed and is_complex(a):
        raise NotImplementedError(
            "wengert.scipy.linalg.solve: transposed=True is not available for complex a "
            "(as in SciPy)")
    if transposed:
        a = mT(a)
    if how is None:
        return _la.solve(a, b)
    b2, vector = _as_matrix_rhs(b)
    a, b2 = as_lapack(*broadcast_batch(a, b2))
    if how[0] == "triangular":
        low = how[1] if not transposed else not how[1]
        x = triangular_solve(a, b2, lower=low)
    else:
        x = b2 / diagonal(a, axis1=-2, axis2=-1)[..., :, None]
    return x[..., 0] if vector else x


def inv(a, overwrite_a=False, check_finite=True, *, assume_a=None, lower=False):
    """``scipy.linalg.inv`` (``Ā = −A⁻ᵀ Ḡ A⁻ᵀ``, reusing the result)."""
    _la._util.square(a, "wengert.scipy.linalg.inv")
    a, how = _structured(a, assume_a, lower, "inv", _INV_KINDS)
    if how is None:
        return _la.inv(a)
    n = shape_of(a)[-1]
    eye = onp.broadcast_to(onp.eye(n), shape_of(a))
    if how[0] == "triangular":
        (a,) = as_lapack(a)
        tri = tril(a) if how[1] else triu(a)
        return triangular_solve(tri, eye.astype(a.dtype), lower=how[1])
    # SciPy 1.17 inverts the diagonal in place and leaves the other entries as they are.
    mask = onp.eye(n, dtype=bool)
    return where(mask, 1.0 / diagonal(a, axis1=-2, axis2=-1)[..., None, :], a)


def det(a, overwrite_a=False, check_finite=True):
    """``scipy.linalg.det``: the rules of ``numpy.linalg.det``."""
    return _la.det(a)


register("scipy.linalg.solve_triangular", solve_triangular, "primitive",
         sla.solve_triangular)
register("scipy.linalg.solve", solve, "primitive", sla.solve)
register("scipy.linalg.inv", inv, "primitive", sla.inv)
register("scipy.linalg.det", det, "primitive", sla.det)
