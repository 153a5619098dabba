"""Cholesky, symmetric eigen-, singular value and QR decompositions.

Real and complex matrices. The rules below are written for real ones; for complex input
each transpose in a JVP is a conjugate transpose (``mH``, which is ``mT`` on real arrays)
and the VJP is that JVP transposed by one reverse sweep over it (JAX's convention):

* ``cholesky``, ``eigh``, ``eigvalsh`` (Hermitian): ``dL = L Φ(L⁻¹ E L⁻ᴴ)``;
  ``M = Vᴴ E V``, ``dλ = Re diag(M)``, ``dV = V (F ∘ M)``, each eigenvector's phase held.
* ``svd``: ``dP = Uᴴ dA V``, ``ds = Re diag(dP)``, the phase term ``i Im diag(dP) S⁻¹``
  in ``Uᴴ dU`` (gauge ``Im diag(Vᴴ dV) = 0``, as JAX). The VJP first checks that the
  loss is phase invariant (``Im diag(U₁ᵀŪ₁ + V₁ᵀV̄₁) = 0``), else
  ``DegenerateDerivativeError``.
* ``qr``: ``R`` has a real diagonal, so ``Ω`` gets ``i Im diag(C)`` besides its
  anti-Hermitian strict part.

Notation: ``Φ(X) = tril(X, −1) + diag(X)/2``; ``F_ij = 1/(λ_j − λ_i)`` off the diagonal
(``1/(s_j² − s_i²)`` for the SVD), 0 on it and on pairs of repeated values; ``sym_L(X)``
is the symmetric matrix a routine reading the lower triangle sees,
``tril(X) + tril(X, −1)ᵀ``, and ``tri_L`` its transpose (``tril(P) + tril(Pᵀ, −1)``).

* ``cholesky`` (reads the lower triangle; ``A = L Lᵀ``): ``dL = L Φ(L⁻¹ E L⁻ᵀ)`` with
  ``E = sym_L(dA)``; ``Ā = tri_L(L⁻ᵀ Φ(Lᵀ L̄) L⁻¹)``. Four triangular solves with n
  right-hand sides and a product: O(n³), about 3× the factorisation.
* ``eigh`` (``A = V diag(λ) Vᵀ``, one triangle read): with ``M = Vᵀ E V``,
  ``dλ = diag(M)``, ``dV = V (F ∘ M)``; ``Ā = tri(V (diag(λ̄) + F ∘ Vᵀ V̄) Vᵀ)``.
  Three or four matrix products, O(n³).
* ``svd`` (``A = U diag(s) Vᵀ``, ``k = min(m, n)``): with ``dP = Uᵀ dA V``:
  ``ds = diag(dP)``, ``dU = U (F ∘ (dP S + S dPᵀ)) + (I − U Uᵀ) dA V S⁻¹``,
  ``dV = V (F ∘ (S dP + dPᵀ S)) + (I − V Vᵀ) dAᵀ U S⁻¹``;
  ``Ā = U [diag(s̄) + (F ∘ (UᵀŪ − ŪᵀU)) S + S (F ∘ (VᵀV̄ − V̄ᵀV))] Vᵀ
  + (I − UUᵀ) Ū S⁻¹ Vᵀ + U S⁻¹ V̄ᵀ (I − VVᵀ)``. O(mnk).
* ``qr`` (``m ≥ n``, reduced): with ``C = Qᵀ dA R⁻¹`` and ``Ω = tril(C, −1) −
  tril(C, −1)ᵀ``: ``dQ = Q (Ω − C) + dA R⁻¹``, ``dR = (C − Ω) R``;
  ``Ā = (Q̄ + Q sym_L(R R̄ᵀ − Q̄ᵀ Q)) R⁻ᵀ``. For ``m < n``, ``A = [X | Y]`` with
  ``X = Q U``, ``R = [U | Qᵀ Y]`` and the square rule for ``X``. O(mn²).

Columns that complete an orthonormal basis (``full_matrices=True`` in ``svd``,
``mode='complete'`` in ``qr``, beyond the first ``k``) are not unique; their derivative
follows the convention ``dQ₂ = −Q₁ dQ₁ᵀ Q₂`` (the completion rotates only as much as
orthogonality forces), in both modes consistently.

Degenerate points (``docs/linalg.md``): repeated eigenvalues or singular values give no
error when the loss does not depend on the basis of their subspace (eigenvalue sums,
singular values, projectors); reverse mode raises ``DegenerateDerivativeError`` when it
does. Forward mode at a repeated value uses the gauge in which the vectors of the
repeated value do not rotate among themselves (F = 0 on those pairs). Non-positive-
definite input to ``cholesky`` raises NumPy's ``LinAlgError`` unchanged.
"""

from __future__ import annotations

import numpy as onp

from ... import errors
from ...core import Primitive, Tracer, defjvp, defvjp, shape_of
from .._registry import register
from ..elementwise import multiply
from ..joining import concatenate
from ..products import matmul, tril
from ._util import (
    DegenerateDerivativeError,
    check_gauge,
    diag_matrix,
    diag_part,
    gap_matrix,
    hermitian_from,
    is_complex,
    mH,
    mT,
    onto_triangle,
    result_tuple,
    safe_reciprocal,
    symmetric_from,
    transpose_linear,
)
from .triangular import solve_right, triangular_solve


def _phi(x):
    return tril(x, -1) + 0.5 * diag_matrix(diag_part(x))


# -- cholesky -----------------------------------------------------------------------------


def _cholesky_jvp(t, L, a):
    if is_complex(L):
        return _cholesky_jvp_complex(t, L)
    w = triangular_solve(L, symmetric_from(t, lower=True), lower=True)  # L⁻¹ E
    s = mT(triangular_solve(L, mT(w), lower=True))  # L⁻¹ E L⁻ᵀ
    return matmul(L, _phi(s))


def _cholesky_jvp_complex(t, L):
    """Hermitian ``A = L Lᴴ``: ``dL = L Φ(L⁻¹ E L⁻ᴴ)``, ``E`` the Hermitian matrix of
    the lower triangle of ``dA`` (the diagonal of ``L⁻¹ E L⁻ᴴ`` is real)."""
    from .. import conj

    w = triangular_solve(L, hermitian_from(t, lower=True), lower=True)  # L⁻¹ E
    s = conj(mT(triangular_solve(L, conj(mT(w)), lower=True)))  # (L⁻¹ Wᴴ)ᴴ = W L⁻ᴴ
    return matmul(L, _phi(s))


def _cholesky_vjp(g, L, a):
    if is_complex(L):
        return transpose_linear(lambda t: _cholesky_jvp_complex(t, L), g, a)
    y = _phi(matmul(mT(L), g))
    z = triangular_solve(L, y, lower=True, trans=True)  # L⁻ᵀ Y
    p = solve_right(z, L, lower=True)  # L⁻ᵀ Y L⁻¹
    return onto_triangle(p, lower=True)


cholesky_p = Primitive("linalg.cholesky", lambda a: onp.linalg.cholesky(a))
defvjp(cholesky_p, _cholesky_vjp, reads=((-1,),))
defjvp(cholesky_p, _cholesky_jvp)


def cholesky(a, /, *, upper: bool = False):
    """``numpy.linalg.cholesky``: ``L`` lower with ``A = L Lᴴ`` (reads the lower
    triangle), or ``Lᴴ`` with ``upper=True`` (reads the upper triangle). Complex
    matrices: the JVP below in complex arithmetic, the VJP its transpose (one reverse
    sweep over the JVP)."""
    if upper:
        if is_complex(a):
            from .. import conj

            return conj(mT(cholesky_p(conj(mT(a)))))
        return mT(cholesky_p(mT(a)))
    return cholesky_p(a)


register("linalg.cholesky", cholesky, "primitive", onp.linalg.cholesky)


# -- eigh -----------------------------------------------------------------------------------


def _eigh_impl(a, lower):
    w, v = onp.linalg.eigh(a, UPLO="L" if lower else "U")
    return w, v


def _eigh_jvp(t, ans, a, lower):
    w, v = ans
    if is_complex(v):
        return _eigh_jvp_complex(t, w, v, lower)
    m = matmul(mT(v), matmul(symmetric_from(t, lower), v))
    d, mask = gap_matrix(w)
    return diag_part(m), matmul(v, multiply(safe_reciprocal(d, mask), m))


def _eigh_jvp_complex(t, w, v, lower):
    """Hermitian ``A``: ``M = Vᴴ E V``, ``dλ = Re diag(M)``, ``dV = V (F ∘ M)`` (the
    gauge ``diag(Vᴴ dV) = 0``: each eigenvector's phase does not move)."""
    from .. import conj, real

    m = matmul(conj(mT(v)), matmul(hermitian_from(t, lower), v))
    d, mask = gap_matrix(w)
    return real(diag_part(m)), matmul(v, multiply(safe_reciprocal(d, mask), m))


def _eigh_vjp(g, ans, a, lower):
    w, v = ans
    gw, gv = g
    if is_complex(v):
        check_gauge(matmul(mT(v), gv), gap_matrix(w)[1], "eigh", "eigenvalues",
                    hermitian=True)
        return transpose_linear(lambda t: _eigh_pair(_eigh_jvp_complex(t, w, v, lower),
                                                     gw, gv), None, a)
    k = matmul(mT(v), gv)
    d, mask = gap_matrix(w)
    check_gauge(k, mask, "eigh", "eigenvalues")
    inner = diag_matrix(gw) + multiply(safe_reciprocal(d, mask), k)
    return onto_triangle(matmul(v, matmul(inner, mT(v))), lower)


def _eigh_pair(tangents, gw, gv):
    """``<(dλ, dV), (λ̄, V̄)>`` as the bilinear pairing ``sum(dλ λ̄) + sum(dV V̄)``:
    its transpose in the tangent, seeded with 1, is the cotangent of the input."""
    from ..reductions import sum as _sum

    dw, dv = tangents
    return _sum(dw * gw) + _sum(dv * gv)


eigh_p = Primitive("linalg.eigh", _eigh_impl, multiple_results=True)
defvjp(eigh_p, _eigh_vjp, reads=((-1,),))
defjvp(eigh_p, _eigh_jvp)


def _uplo(UPLO: str, name: str) -> bool:
    if UPLO not in ("L", "U"):
        raise ValueError(f"wengert.numpy.linalg.{name}: UPLO must be 'L' or 'U', got {UPLO!r}")
    return UPLO == "L"


def eigh(a, UPLO="L"):  # noqa: N803 (NumPy's name)
    """``numpy.linalg.eigh``: eigenvalues (ascending) and eigenvectors of the symmetric
    matrix whose ``UPLO`` triangle is read (see the module docstring for the rules)."""
    w, v = eigh_p(a, lower=_uplo(UPLO, "eigh"))
    return result_tuple("EighResult", w, v)


def eigvalsh(a, UPLO="L"):  # noqa: N803
    """``numpy.linalg.eigvalsh``: the eigenvalues of ``eigh``; traced, it computes the
    eigenvectors too (the rule needs them): ``Ā = tri(V diag(λ̄) Vᵀ)``, defined at
    repeated eigenvalues as well."""
    lower = _uplo(UPLO, "eigvalsh")
    if not isinstance(a, Tracer):
        return onp.linalg.eigvalsh(a, UPLO=UPLO)
    return eigh_p(a, lower=lower)[0]


register("linalg.eigh", eigh, "primitive", onp.linalg.eigh)
register("linalg.eigvalsh", eigvalsh, "composite", onp.linalg.eigvalsh)


# -- completing an orthonormal basis --------------------------------------------------------


def complement_tangent(q1, q2, dq1):
    """``dQ₂ = −Q₁ dQ₁ᴴ Q₂``: the tangent of the completing columns ``Q₂`` (``ᴴ`` is
    ``ᵀ`` for real matrices)."""
    return -matmul(q1, matmul(mH(dq1), q2))


def complement_cotangent(q1, q2, gq2):
    """The transpose of :func:`complement_tangent`: what ``Q̄₂`` adds to ``Q̄₁``."""
    return -matmul(q2, matmul(mT(gq2), q1))


# -- svd ----------------------------------------------------------------------------------


def _svd_impl(a, full_matrices):
    u, s, vh = onp.linalg.svd(a, full_matrices=full_matrices)
    return u, s, vh


def _svd_parts(ans, a):
    u, s, vh = ans
    m, n = shape_of(a)[-2:]
    k = min(m, n)
    v = mH(vh)
    return u[..., :, :k], u[..., :, k:], s, v[..., :, :k], v[..., :, k:], m, n, k


def _s_inverse(s):
    """``1/s`` with 0 for zero singular values, and the constant mask of those."""
    from ...core import primal

    sp = onp.asarray(primal(s))
    tol = 100 * max(sp.shape[-1], 1) * onp.finfo(sp.dtype).eps * (
        onp.max(sp, axis=-1, keepdims=True) if sp.shape[-1] else 0)
    zero = sp <= tol
    return safe_reciprocal(s, zero), zero


def _svd_jvp(t, ans, a, full_matrices):
    """Real or complex ``A = U S Vᴴ`` (``ᴴ`` is ``ᵀ`` for real ``A``). Complex: the phase
    gauge ``Im diag(Vᴴ dV) = 0`` puts the phase term ``i Im diag(dP) S⁻¹`` into ``dU``
    (JAX's choice)."""
    u1, u2, s, v1, v2, m, n, k = _svd_parts(ans, a)
    cplx = is_complex(u1)
    dp = matmul(mH(u1), matmul(t, v1))
    ds = diag_part(dp)
    if cplx:
        from ..complex_parts import imag, real

        phase, ds = imag(ds), real(ds)
    _, mask = gap_matrix(s)
    f = safe_reciprocal(gap_matrix(s * s)[0], mask)
    srow, scol = s[..., None, :], s[..., :, None]
    dph = mH(dp)
    du = matmul(u1, multiply(f, dp * srow + scol * dph))
    dv = matmul(v1, multiply(f, scol * dp + dph * srow))
    s_inv, _ = _s_inverse(s)
    if cplx:
        du = du + u1 * (1j * (phase * s_inv))[..., None, :]
    if m > k:
        dav = matmul(t, v1)
        du = du + (dav - matmul(u1, matmul(mH(u1), dav))) * s_inv[..., None, :]
    if n > k:
        dau = matmul(mH(t), u1)
        dv = dv + (dau - matmul(v1, matmul(mH(v1), dau))) * s_inv[..., None, :]
    if full_matrices and m > k:
        du = concatenate([du, complement_tangent(u1, u2, du)], axis=-1)
    if full_matrices and n > k:
        dv = concatenate([dv, complement_tangent(v1, v2, dv)], axis=-1)
    return du, ds, mH(dv)


def _pair(tangents, cotangents):
    """``sum_k sum(d_k ḡ_k)``, the bilinear pairing of a tuple of tangents with their
    cotangents: transposed in the tangent (seeded with 1) it gives the input's
    cotangent (JAX's convention)."""
    from ..reductions import sum as _sum

    total = None
    for d, c in zip(tangents, cotangents):
        term = _sum(d * c)
        total = term if total is None else total + term
    return total


def _svd_vjp_complex(g, ans, a, full_matrices):
    """The transpose of the complex JVP, by one reverse sweep over it, after checking
    that the loss is gauge invariant: ``K = U₁ᵀ Ū₁ + V₁ᵀ V̄₁`` (``V̄ = conj(V̄ₕᵀ)``)
    must have a real diagonal (phases) and be Hermitian on repeated values."""
    from ..complex_parts import conj

    u1, u2, s, v1, v2, m, n, k = _svd_parts(ans, a)
    gu, gs, gvh = g
    gu1, gv1 = gu[..., :, :k], conj(mT(gvh))[..., :, :k]
    kk = matmul(mT(u1), gu1) + matmul(mT(v1), gv1)
    _, mask = gap_matrix(s)
    check_gauge(kk, mask & ~_zero_pairs(s), "svd", "singular values", hermitian=True)
    _check_phase(kk, "svd", "singular vectors")
    _, zero = _s_inverse(s)
    if m > k:
        _check_zero_singular(gu1 - matmul(conj(u1), matmul(mT(u1), gu1)), zero, "left")
    if n > k:
        _check_zero_singular(gv1 - matmul(conj(v1), matmul(mT(v1), gv1)), zero, "right")
    return transpose_linear(
        lambda t: _pair(_svd_jvp(t, ans, a, full_matrices), g), None, a)


def _check_phase(k, name: str, what: str) -> None:
    """Raise :class:`DegenerateDerivativeError` unless ``Im diag(k)`` is negligible:
    the loss must not change when a pair of complex singular vectors (or an eigenvector)
    is multiplied by a phase ``e^{iφ}``, which the decomposition leaves arbitrary."""
    from ...core import primal

    kp = onp.asarray(primal(k))
    if not kp.size:
        return
    eps = onp.finfo(kp.dtype).eps
    tol = 1e3 * kp.shape[-1] * eps * max(1.0, float(onp.max(onp.abs(kp))))
    if onp.any(onp.abs(onp.imag(onp.diagonal(kp, axis1=-2, axis2=-1))) > tol):
        raise DegenerateDerivativeError(
            f"wengert.numpy.linalg.{name}: the function being differentiated depends on "
            f"the phases of the complex {what}, which are arbitrary (the decomposition is "
            f"unchanged by u_j → u_j e^(iφ), v_j → v_j e^(iφ)): the derivative does not "
            f"exist. Make the loss phase invariant (singular values, U S Vᴴ, abs(U), "
            f"u_j v_jᴴ).")


def _svd_vjp(g, ans, a, full_matrices):
    if is_complex(ans[0]):
        return _svd_vjp_complex(g, ans, a, full_matrices)
    u1, u2, s, v1, v2, m, n, k = _svd_parts(ans, a)
    gu, gs, gvh = g
    gv = mT(gvh)
    if full_matrices and m > k:
        gu = gu[..., :, :k] + complement_cotangent(u1, u2, gu[..., :, k:])
    if full_matrices and n > k:
        gv = gv[..., :, :k] + complement_cotangent(v1, v2, gv[..., :, k:])
    ku, kv = matmul(mT(u1), gu), matmul(mT(v1), gv)
    _, mask = gap_matrix(s)
    check_gauge(ku + kv, mask & ~_zero_pairs(s), "svd", "singular values")
    f = safe_reciprocal(gap_matrix(s * s)[0], mask)
    srow, scol = s[..., None, :], s[..., :, None]
    core = (diag_matrix(gs) + multiply(f, ku - mT(ku)) * srow
            + scol * multiply(f, kv - mT(kv)))
    ga = matmul(u1, matmul(core, mT(v1)))
    s_inv, zero = _s_inverse(s)
    if m > k:
        pu = gu - matmul(u1, ku)
        _check_zero_singular(pu, zero, "left")
        ga = ga + matmul(pu * s_inv[..., None, :], mT(v1))
    if n > k:
        pv = gv - matmul(v1, kv)
        _check_zero_singular(pv, zero, "right")
        ga = ga + matmul(u1 * s_inv[..., None, :], mT(pv))
    return ga


def _zero_pairs(s):
    from ...core import primal

    _, zero = _s_inverse(primal(s))
    return zero[..., :, None] & zero[..., None, :]


def _check_zero_singular(p, zero, side: str) -> None:
    from ...core import primal

    if not onp.any(zero):
        return
    pp = onp.asarray(primal(p))
    col = onp.max(onp.abs(pp), axis=-2)
    scale = max(1.0, float(onp.max(onp.abs(pp)))) if pp.size else 1.0
    if onp.any(col[zero] > 1e3 * onp.finfo(pp.dtype).eps * scale * pp.shape[-2]):
        raise DegenerateDerivativeError(
            f"wengert.numpy.linalg.svd: the loss depends on the {side} singular vectors "
            f"of a zero singular value, which are arbitrary: the derivative does not "
            f"exist there.")


svd_p = Primitive("linalg.svd", _svd_impl, multiple_results=True)
defvjp(svd_p, _svd_vjp, reads=((-1,),))
defjvp(svd_p, _svd_jvp)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """``numpy.linalg.svd``: ``(U, S, Vh)`` (an ``SVDResult``) or the singular values
    alone (``compute_uv=False``). Rules: module docstring; with ``hermitian=True`` the
    lower triangle is read (as NumPy's eigh-based routine does)."""
    if not isinstance(a, Tracer):
        return onp.linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv,
                              hermitian=hermitian)
    if len(shape_of(a)) < 2:
        raise onp.linalg.LinAlgError(
            f"wengert.numpy.linalg.svd: {len(shape_of(a))}-dimensional array given. Array "
            f"must be at least two-dimensional")
    if hermitian:
        a = hermitian_from(a, lower=True)
    if not compute_uv:
        return svd_p(a, full_matrices=False)[1]
    u, s, vh = svd_p(a, full_matrices=bool(full_matrices))
    return result_tuple("SVDResult", u, s, vh)


register("linalg.svd", svd, "primitive", onp.linalg.svd)


# -- qr -----------------------------------------------------------------------------------


def _qr_jvp_tall(q, r, t):
    """(dQ, dR) of the reduced QR of a tall (m ≥ n) matrix. Complex: ``Ω`` also gets
    ``i Im diag(C)`` (LAPACK's ``R`` has a real diagonal, so ``diag(dR R⁻¹)`` is real
    and ``Qᴴ dQ`` takes the imaginary part)."""
    dx_rinv = solve_right(t, r, lower=False)
    c = matmul(mH(q), dx_rinv)
    low = tril(c, -1)
    omega = low - mH(low)
    if is_complex(c):
        from ..complex_parts import imag

        omega = omega + diag_matrix(1j * imag(diag_part(c)))
    return matmul(q, omega - c) + dx_rinv, matmul(c - omega, r)


def _qr_vjp_tall(q, r, gq, gr):
    m = matmul(r, mT(gr)) - matmul(mT(gq), q)
    return solve_right(gq + matmul(q, symmetric_from(m, lower=True)), r, lower=False,
                       trans=True)


def _qr_impl(a, complete):
    q, r = onp.linalg.qr(a, mode="complete" if complete else "reduced")
    return q, r


def _qr_jvp(t, ans, a, complete):
    q, r = ans
    m, n = shape_of(a)[-2:]
    if m >= n:
        q1, r1 = q[..., :, :n], r[..., :n, :]
        dq, dr = _qr_jvp_tall(q1, r1, t)
        if complete and m > n:
            dq = concatenate([dq, complement_tangent(q1, q[..., :, n:], dq)], axis=-1)
            zeros = 0.0 * r[..., n:, :]
            dr = concatenate([dr, zeros], axis=-2)
        return dq, dr
    x_t, y_t = t[..., :, :m], t[..., :, m:]
    u, y = r[..., :, :m], a[..., :, m:]
    dq, du = _qr_jvp_tall(q, u, x_t)
    dv = matmul(mH(dq), y) + matmul(mH(q), y_t)
    return dq, concatenate([du, dv], axis=-1)


def _qr_vjp(g, ans, a, complete):
    q, r = ans
    if is_complex(q):  # the transpose of the complex JVP, one reverse sweep over it
        return transpose_linear(lambda t: _pair(_qr_jvp(t, ans, a, complete), g), None, a)
    gq, gr = g
    m, n = shape_of(a)[-2:]
    if m >= n:
        q1, r1 = q[..., :, :n], r[..., :n, :]
        gq1 = gq[..., :, :n]
        if complete and m > n:
            gq1 = gq1 + complement_cotangent(q1, q[..., :, n:], gq[..., :, n:])
        return _qr_vjp_tall(q1, r1, gq1, gr[..., :n, :])
    u, y = r[..., :, :m], a[..., :, m:]
    gu, gv = gr[..., :, :m], gr[..., :, m:]
    gy = matmul(q, gv)
    gx = _qr_vjp_tall(q, u, gq + matmul(y, mT(gv)), gu)
    return concatenate([gx, gy], axis=-1)


qr_p = Primitive("linalg.qr", _qr_impl, multiple_results=True)
defvjp(qr_p, _qr_vjp, reads=((0, -1),))
defjvp(qr_p, _qr_jvp)


def qr(a, mode="reduced"):
    """``numpy.linalg.qr``: modes 'reduced', 'complete' and 'r' (rules: module
    docstring); 'raw' (Householder reflectors) has no derivative."""
    if not isinstance(a, Tracer):
        return onp.linalg.qr(a, mode=mode)
    if mode == "raw":
        raise errors.MissingRuleError(
            "wengert.numpy.linalg.qr: mode='raw' has no derivative rule; use 'reduced'.")
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"wengert.numpy.linalg.qr: unrecognized mode {mode!r}")
    if len(shape_of(a)) < 2:
        raise onp.linalg.LinAlgError(
            f"wengert.numpy.linalg.qr: {len(shape_of(a))}-dimensional array given. Array "
            f"must be at least two-dimensional")
    q, r = qr_p(a, complete=mode == "complete")
    if mode == "r":
        return r
    return result_tuple("QRResult", q, r)


register("linalg.qr", qr, "primitive", onp.linalg.qr)
