"""Factorisations of plain arrays, batched, for the linear-algebra rules to reuse.

A :class:`Factorization` of a stack of square matrices ``A`` (shape ``(..., n, n)``) is
either Cholesky (``A = L Lᵀ``, chosen when every matrix of the stack is exactly symmetric,
real and positive definite; cost n³/3 each) or LU with partial pivoting (``A = P L U``;
2n³/3 each). Solves with ``A`` or ``Aᵀ``, the inverse and ``log|det A|`` then cost O(n²)
per right-hand side, O(n³) for the inverse, O(n) for the determinant. Everything here
runs on plain NumPy arrays; the primitives in ``solve.py`` carry a factorisation as a
parameter whose derivative rules are those of the un-factored operation in ``A`` (the
factors are only a cache of ``A``'s value).
"""

from __future__ import annotations

import functools

import numpy as onp
from scipy.linalg import lapack

from ._triangular_blocks import lower_triangular_inverse, mirror_lower

LinAlgError = onp.linalg.LinAlgError


@functools.cache
def _lapack_funcs(names: tuple, dtype: onp.dtype):
    return lapack.get_lapack_funcs(names, dtype=dtype)


def lapack_dtype(dtype) -> onp.dtype:
    """The dtype LAPACK computes in for ``dtype`` (integers and float16 go to float64)."""
    dtype = onp.dtype(dtype)
    if dtype in (onp.float32, onp.float64, onp.complex64, onp.complex128):
        return dtype
    return onp.dtype(onp.complex128 if dtype.kind == "c" else onp.float64)


def _batches(a: onp.ndarray):
    """(flattened stack of shape (N, *a.shape[-2:]), batch shape)."""
    return a.reshape((-1,) + a.shape[-2:]), a.shape[:-2]


def _fortran_stack(shape: tuple, dtype) -> onp.ndarray:
    """An empty stack whose matrices are each Fortran-contiguous, so LAPACK reads and
    writes them without a transposing copy (merging the batch axes stays a view)."""
    return onp.swapaxes(onp.empty(shape[:-2] + (shape[-1], shape[-2]), dtype=dtype), -1, -2)


class Factorization:
    """Cholesky or LU factors of a stack of square matrices (see the module docstring).

    ``kind`` is ``"cholesky"`` (``data`` holds ``L``, lower) or ``"lu"`` (``data`` the
    packed LU of LAPACK's getrf, ``piv`` its pivots). ``singular`` is True when some
    ``U`` has an exact zero on its diagonal (LAPACK's info > 0).
    """

    __slots__ = ("kind", "data", "piv", "singular", "shape", "dtype")

    def __init__(self, kind: str, data: onp.ndarray, piv, singular: bool):
        self.kind = kind
        self.data = data
        self.piv = piv
        self.singular = singular
        self.shape = data.shape
        self.dtype = data.dtype

    def __repr__(self) -> str:
        return f"<{self.kind} factors of {self.shape} {self.dtype}>"

    # -- operations -------------------------------------------------------------------

    def _require_nonsingular(self, what: str) -> None:
        if self.singular:
            raise LinAlgError(f"Singular matrix ({what})")

    def solve(self, b: onp.ndarray, trans: bool = False) -> onp.ndarray:
        """``A⁻¹ b`` (``A⁻ᵀ b`` with ``trans``; transpose, not conjugate transpose) for
        ``b`` of shape ``(..., n, k)`` with the same batch shape. Cost 2n²k each."""
        self._require_nonsingular("solve")
        data, batch = _batches(self.data)
        bb = b.reshape((-1,) + b.shape[-2:])
        out = onp.empty(bb.shape, dtype=onp.result_type(self.dtype, b.dtype))
        if self.kind == "cholesky":
            (potrs,) = _lapack_funcs(("potrs",), self.dtype)
            for i in range(data.shape[0]):
                out[i], info = potrs(data[i], bb[i], lower=1)
        else:
            (getrs,) = _lapack_funcs(("getrs",), self.dtype)
            piv = self.piv.reshape(-1, self.piv.shape[-1])
            for i in range(data.shape[0]):
                out[i], info = getrs(data[i], piv[i], bb[i], trans=1 if trans else 0)
        return out.reshape(b.shape)

    def inverse(self) -> onp.ndarray:
        """``A⁻¹`` from the factors: L⁻¹ then L⁻ᵀL⁻¹ (lauum; 2n³/3 in all) or getri
        (4n³/3)."""
        self._require_nonsingular("inverse")
        data, batch = _batches(self.data)
        if self.kind == "cholesky":
            (lauum,) = _lapack_funcs(("lauum",), self.dtype)
            # What LAPACK's potri computes, with a faster L⁻¹ (_triangular_blocks), in
            # L⁻¹'s own buffer: lauum writes L⁻ᵀL⁻¹'s lower triangle over it and leaves
            # the zero upper one, which the mirror fills. Each result is symmetric and
            # Fortran-ordered, so its transpose is the same matrix, C-ordered.
            inverses = [
                mirror_lower(lauum(lower_triangular_inverse(m), lower=1, overwrite_c=1)[0]).T
                for m in data]
            if len(inverses) == 1:
                return inverses[0].reshape(self.shape)
            return onp.stack(inverses).reshape(self.shape)
        out = onp.empty(data.shape, dtype=self.dtype)
        getri, getri_lwork = _lapack_funcs(("getri", "getri_lwork"), self.dtype)
        n = data.shape[-1]
        lwork = int(onp.real(getri_lwork(n)[0])) if n else 1
        piv = self.piv.reshape(-1, self.piv.shape[-1])
        for i in range(data.shape[0]):
            out[i], info = getri(data[i], piv[i], lwork=max(lwork, 1))
        return out.reshape(self.shape)

    def slogdet(self) -> tuple[onp.ndarray, onp.ndarray]:
        """(sign, log|det A|) as NumPy's ``slogdet``: sign 0 and -inf when singular."""
        diag = onp.diagonal(self.data, axis1=-2, axis2=-1)
        real_dtype = onp.finfo(self.dtype).dtype
        if self.kind == "cholesky":
            logabs = 2 * onp.sum(onp.log(diag.real), axis=-1)
            return onp.ones(logabs.shape, self.dtype), logabs.astype(real_dtype)
        absd = onp.abs(diag)
        with onp.errstate(divide="ignore"):
            logabs = onp.sum(onp.log(absd), axis=-1)
        n = diag.shape[-1]
        swaps = onp.sum(self.piv != onp.arange(n), axis=-1)
        sign = onp.where(swaps % 2 == 1, -1, 1).astype(self.dtype)
        if self.dtype.kind == "c":
            sign = sign * onp.prod(diag / onp.where(absd == 0, 1, absd), axis=-1)
        else:
            sign = sign * onp.prod(onp.sign(diag), axis=-1)
        zero = onp.any(absd == 0, axis=-1)
        sign = onp.where(zero, 0, sign).astype(self.dtype)
        logabs = onp.where(zero, -onp.inf, logabs).astype(real_dtype)
        return sign, logabs

    def det(self) -> onp.ndarray:
        sign, logabs = self.slogdet()
        return sign * onp.exp(logabs)


def _try_cholesky(a: onp.ndarray) -> onp.ndarray | None:
    """Lower Cholesky factors of every matrix of the stack, or None if one is not
    positive definite."""
    data, _ = _batches(a)
    (potrf,) = _lapack_funcs(("potrf",), a.dtype)
    out = _fortran_stack(data.shape, a.dtype)
    for i in range(data.shape[0]):
        # data[i] is symmetric: its transpose is the same matrix, Fortran-ordered.
        c, info = potrf(data[i].T, lower=1, clean=1)
        if info != 0:
            return None
        if data.shape[0] == 1:
            return c.reshape(a.shape)
        out[i] = c
    return out.reshape(a.shape)


def _lu(a: onp.ndarray) -> Factorization:
    data, _ = _batches(a)
    (getrf,) = _lapack_funcs(("getrf",), a.dtype)
    lu = _fortran_stack(data.shape, a.dtype)
    piv = onp.empty(data.shape[:-1], dtype=onp.int32)
    singular = False
    for i in range(data.shape[0]):
        lu[i], piv[i], info = getrf(data[i])
        if info < 0:  # an illegal argument: a bug, not the user's matrix
            raise ValueError(f"LAPACK getrf: illegal argument {-info}")
        singular = singular or info > 0
    return Factorization("lu", lu.reshape(a.shape), piv.reshape(a.shape[:-1]), singular)


def factorize(a: onp.ndarray, what: str = "solve") -> Factorization:
    """Cholesky if every matrix of the stack is real, exactly symmetric and positive
    definite (what MATLAB's backslash does: a failed attempt costs at most n³/3 and the
    check O(n²)); LU with partial pivoting otherwise. Non-finite input gives non-finite
    results, as in NumPy."""
    a = onp.asarray(a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise LinAlgError(
            f"{what}: last 2 dimensions of the array must be square, got shape {a.shape}")
    dtype = lapack_dtype(a.dtype)
    a = a.astype(dtype, copy=False)
    if a.shape[-1] == 0 or a.size == 0:
        return Factorization("lu", a.copy(), onp.zeros(a.shape[:-1], onp.int32), False)
    if dtype.kind == "f" and onp.array_equal(a, onp.swapaxes(a, -1, -2)):
        chol = _try_cholesky(a)
        if chol is not None:
            return Factorization("cholesky", chol, None, False)
    return _lu(a)
