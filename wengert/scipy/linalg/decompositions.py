"""``eigh`` and ``block_diag`` of ``scipy.linalg``.

* ``eigh(a, b=None, lower=True, eigvals_only=False, subset_by_index=None)``: the rules
  of ``numpy.linalg.eigh`` on the ``lower``/upper triangle. With ``b`` (the generalised
  problem ``A v = λ B v``), ``B = L Lᵀ`` reduces it to the standard one:
  ``C = L⁻¹ A L⁻ᵀ``, ``eigh(C) = (λ, W)``, ``V = L⁻ᵀ W`` (as LAPACK's sygvd does, with
  ``Vᵀ B V = I``), so the derivative in ``a`` and ``b`` follows from those of
  ``cholesky``, the triangular solves and ``eigh``.
* ``block_diag(*arrs)``: the blocks placed in zeros (``concatenate``); its derivative
  hands each block its part of the cotangent.
"""

from __future__ import annotations

import numpy as onp
import scipy.linalg as sla

from ...core import Tracer, dtype_of, shape_of
from ...numpy._registry import register
from ...numpy.joining import concatenate
from ...numpy.linalg import decompositions as _dec
from ...numpy.linalg._util import mT, symmetric_from
from ...numpy.linalg.triangular import triangular_solve
from ...numpy.shapes import reshape


def eigh(a, b=None, *, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False,
         type=1, check_finite=True, subset_by_index=None, subset_by_value=None,  # noqa: A002
         driver=None):
    """``scipy.linalg.eigh`` (see the module docstring); ``subset_by_value`` and
    ``type`` other than 1 are not supported on traced values."""
    traced = isinstance(a, Tracer) or isinstance(b, Tracer)
    if not traced:
        return sla.eigh(a, b, lower=lower, eigvals_only=eigvals_only, type=type,
                        subset_by_index=subset_by_index, subset_by_value=subset_by_value,
                        driver=driver)
    if subset_by_value is not None or type != 1:
        raise NotImplementedError(
            "wengert.scipy.linalg.eigh: subset_by_value and type != 1 are not supported on "
            "traced values")
    if b is None:
        w, v = _dec.eigh(a, UPLO="L" if lower else "U")
    else:
        chol = _dec.cholesky(symmetric_from(b, lower=bool(lower)))
        c = triangular_solve(chol, symmetric_from(a, lower=bool(lower)), lower=True)
        c = mT(triangular_solve(chol, mT(c), lower=True))  # L⁻¹ A L⁻ᵀ
        w, u = _dec.eigh(c)
        v = triangular_solve(chol, u, lower=True, trans=True)
    if subset_by_index is not None:
        lo, hi = (int(i) for i in subset_by_index)
        w, v = w[..., lo:hi + 1], v[..., :, lo:hi + 1]
    return w if eigvals_only else (w, v)


def block_diag(*arrs):
    """``scipy.linalg.block_diag``: 0-d and 1-D inputs are single-row blocks."""
    if not arrs:
        return onp.empty((1, 0))
    blocks = []
    for k, x in enumerate(arrs):
        nd = len(shape_of(x))
        if nd > 2:
            raise ValueError(
                f"arguments in the following positions have dimension greater than 2: {[k]}")
        blocks.append(reshape(x, (1, -1)) if nd < 2 else x)
    dtype = onp.result_type(*[dtype_of(x) for x in blocks])
    widths = [shape_of(x)[1] for x in blocks]
    total = sum(widths)
    rows, col = [], 0
    for x, w in zip(blocks, widths):
        r = shape_of(x)[0]
        left = onp.zeros((r, col), dtype)
        right = onp.zeros((r, total - col - w), dtype)
        rows.append(concatenate([left, x, right], axis=1))
        col += w
    return concatenate(rows, axis=0)


register("scipy.linalg.eigh", eigh, "composite", sla.eigh)
register("scipy.linalg.block_diag", block_diag, "composite", sla.block_diag)
