"""``eigh`` and ``block_diag`` of ``scipy.linalg``.

* ``eigh(a, b=None, lower=True, eigvals_only=False, type=1, subset_by_index=None,
  subset_by_value=None)``: the rules of ``numpy.linalg.eigh`` on the Hermitian
  (symmetric) matrix of the ``lower``/upper triangle. With ``b`` (``B = L Lᴴ``, the
  Cholesky factor of the triangle read) the generalised problems reduce to the standard
  one as LAPACK's ``sygvd``/``hegvd`` do:

  ======  ==============  ==================  =================  ==================
  type    problem         ``C``               eigenvectors       normalisation
  ======  ==============  ==================  =================  ==================
  1       ``A v = λ B v``  ``L⁻¹ A L⁻ᴴ``      ``V = L⁻ᴴ W``      ``Vᴴ B V = I``
  2       ``A B v = λ v``  ``Lᴴ A L``         ``V = L⁻ᴴ W``      ``Vᴴ B V = I``
  3       ``B A v = λ v``  ``Lᴴ A L``         ``V = L W``        ``Vᴴ B⁻¹ V = I``
  ======  ==============  ==================  =================  ==================

  with ``eigh(C) = (λ, W)``, so the derivative in ``a`` and ``b`` follows from those of
  ``cholesky``, triangular solves (or products) and ``eigh``: O(n³).
  ``subset_by_index=(lo, hi)`` keeps the eigenpairs ``lo..hi``; ``subset_by_value=(lo,
  hi)`` those with ``lo < λ ≤ hi`` (SciPy's half-open interval). The selection is
  piecewise constant (made from the computed values) and the selected pairs are
  differentiated; all eigenpairs are computed when traced (the rule needs the whole
  basis). A value within rounding of an end of the interval may be selected differently
  from SciPy's subset driver.
* ``block_diag(*arrs)``: the blocks placed in zeros (``concatenate``); its derivative
  hands each block its part of the cotangent.
"""

from __future__ import annotations

import numpy as onp
import scipy.linalg as sla

from ...core import Tracer, dtype_of, primal, shape_of
from ...numpy._registry import register
from ...numpy.indexing import take_along_axis
from ...numpy.joining import concatenate
from ...numpy.linalg import decompositions as _dec
from ...numpy.linalg._util import hermitian_from, is_complex, mH
from ...numpy.linalg.triangular import triangular_solve
from ...numpy.products import matmul
from ...numpy.shapes import broadcast_to, reshape


def _conj_if_complex(x):
    if not is_complex(x):
        return x
    from ...numpy.complex_parts import conj

    return conj(x)


def _reduce_generalized(a, b, lower: bool, kind: int):
    """``(λ, V)`` of the generalised problem of ``type`` ``kind`` through ``B = L Lᴴ``."""
    chol = _dec.cholesky(hermitian_from(b, lower=lower))
    ah = hermitian_from(a, lower=lower)
    if kind == 1:
        c = triangular_solve(chol, ah, lower=True)  # L⁻¹ A
        c = mH(triangular_solve(chol, mH(c), lower=True))  # L⁻¹ A L⁻ᴴ
    else:
        c = matmul(mH(chol), matmul(ah, chol))  # Lᴴ A L
    w, u = _dec.eigh(c)
    if kind == 3:
        return w, matmul(chol, u)
    return w, triangular_solve(_conj_if_complex(chol), u, lower=True, trans=True)  # L⁻ᴴ W


def _by_value(w, v, lo: float, hi: float):
    """The eigenpairs with ``lo < λ ≤ hi`` (the same number in every matrix of a stack,
    as SciPy requires)."""
    wp = onp.asarray(primal(w))
    keep = (wp > lo) & (wp <= hi)
    counts = keep.sum(axis=-1)
    if counts.size and onp.any(counts != counts.flat[0]):
        raise ValueError(
            f"wengert.scipy.linalg.eigh: subset_by_value=({lo}, {hi}) selects "
            f"{sorted(set(counts.ravel().tolist()))} eigenvalues in different matrices of "
            f"the stack; the results must have one shape")
    count = int(counts.flat[0]) if counts.size else 0
    # Ascending values: the selected ones are contiguous, starting at the first kept.
    start = onp.argmax(keep, axis=-1)[..., None]
    idx = start + onp.arange(count)
    n = shape_of(v)[-2]
    vidx = onp.broadcast_to(idx[..., None, :], idx.shape[:-1] + (n, count))
    return take_along_axis(w, idx, axis=-1), take_along_axis(v, vidx, axis=-1)


def eigh(a, b=None, *, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False,
         type=1, check_finite=True, subset_by_index=None, subset_by_value=None,  # noqa: A002
         driver=None):
    """``scipy.linalg.eigh`` (see the module docstring); ``driver`` only chooses SciPy's
    LAPACK routine and is ignored on traced values."""
    traced = isinstance(a, Tracer) or isinstance(b, Tracer)
    if not traced:
        return sla.eigh(a, b, lower=lower, eigvals_only=eigvals_only, type=type,
                        subset_by_index=subset_by_index, subset_by_value=subset_by_value,
                        driver=driver)
    if subset_by_index is not None and subset_by_value is not None:
        raise ValueError("wengert.scipy.linalg.eigh: either subset_by_index or "
                         "subset_by_value can be given, not both")
    lower = bool(lower)
    if b is None:
        w, v = _dec.eigh(a, UPLO="L" if lower else "U")
    else:
        if type not in (1, 2, 3):
            raise ValueError(f"wengert.scipy.linalg.eigh: type must be 1, 2 or 3, got {type!r}")
        a, b = _broadcast_pair(a, b)
        w, v = _reduce_generalized(a, b, lower, type)
    if subset_by_index is not None:
        lo, hi = (int(i) for i in subset_by_index)
        w, v = w[..., lo:hi + 1], v[..., :, lo:hi + 1]
    elif subset_by_value is not None:
        lo, hi = (float(x) for x in subset_by_value)
        w, v = _by_value(w, v, lo, hi)
    return w if eigvals_only else (w, v)


def _broadcast_pair(a, b):
    sa, sb = shape_of(a), shape_of(b)
    shape = onp.broadcast_shapes(sa, sb)
    return ((a if sa == shape else broadcast_to(a, shape)),
            (b if sb == shape else broadcast_to(b, shape)))


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
