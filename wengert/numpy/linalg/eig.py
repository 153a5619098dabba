"""Eigenvalues and eigenvectors of general square matrices (complex results).

With ``A = V diag(λ) V⁻¹``, ``M = V⁻¹ dA V`` and ``F_ij = 1/(λ_j − λ_i)`` off the
diagonal (0 on it and on repeated eigenvalues):

* JVP: ``dλ = diag(M)``; ``dV = V (F ∘ M)``, then ``dv_j −= v_j Re(v_jᴴ dv_j)`` per
  column, which keeps NumPy's unit norm (the phase of each column stays as free as it
  is in LAPACK's result: only phase-invariant functions of the eigenvectors, such as
  ``abs(V)``, or real eigenvectors of real eigenvalues, have a derivative);
* VJP (the transpose, JAX's convention): ``V̄' = V̄ − conj(V) Re(diag(Vᵀ V̄))``, then
  ``Ā = V⁻ᵀ (diag(λ̄) + F ∘ (Vᵀ V̄')) Vᵀ``, whose real part is the cotangent of a real
  ``A``.

Cost: one inverse of ``V`` and four products, O(n³). Where NumPy returns real arrays
(a real matrix with real eigenvalues) the derivatives are real too. A loss that depends
on eigenvectors of a repeated eigenvalue raises ``DegenerateDerivativeError`` in
reverse mode.
"""

from __future__ import annotations

import numpy as onp

from ...core import Primitive, Tracer, defjvp, defvjp, primal
from .._registry import register
from ..elementwise import multiply
from ..products import matmul
from ._util import (
    DegenerateDerivativeError,
    diag_matrix,
    diag_part,
    gap_matrix,
    is_complex,
    mT,
    result_tuple,
    safe_reciprocal,
    square,
)


def _eig_impl(a):
    w, v = onp.linalg.eig(a)
    return w, v


def _inv(v):
    from .solve import inv

    return inv(v)


def _as_out(x, like):
    """``x`` in ``like``'s dtype: the real part where NumPy's result is real."""
    from .. import real

    if is_complex(x) and not is_complex(like):
        return real(x)
    return x


def _eig_jvp(t, ans, a):
    from .. import conj, real

    w, v = ans
    m = matmul(_inv(v), matmul(t, v))
    _, mask = gap_matrix(w)
    f = safe_reciprocal(w[..., None, :] - w[..., :, None], mask)
    dv = matmul(v, multiply(f, m))
    if is_complex(dv):
        norm_part = real(diag_part(matmul(mT(conj(v)), dv)))
        dv = dv - v * norm_part[..., None, :]
    return _as_out(diag_part(m), w), _as_out(dv, v)


def _eig_vjp(g, ans, a):
    from .. import conj, real

    w, v = ans
    gw, gv = g
    if is_complex(v):
        gv = gv - conj(v) * real(diag_part(matmul(mT(v), gv)))[..., None, :]
    k = matmul(mT(v), gv)
    _, mask = gap_matrix(w)
    _check_degenerate(k, mask)
    f = safe_reciprocal(w[..., None, :] - w[..., :, None], mask)
    vinv_t = mT(_inv(v))
    ga = matmul(vinv_t, matmul(diag_matrix(gw) + multiply(f, k), mT(v)))
    return _as_out(ga, a)


def _check_degenerate(k, mask) -> None:
    off = mask & ~onp.eye(mask.shape[-1], dtype=bool)
    if not onp.any(off):
        return
    kp = onp.abs(onp.asarray(primal(k)))
    tol = 1e3 * kp.shape[-1] * onp.finfo(kp.dtype).eps * max(1.0, float(kp.max()))
    if onp.any(kp[off] > tol):
        raise DegenerateDerivativeError(
            "wengert.numpy.linalg.eig: the eigenvalues are repeated and the function "
            "being differentiated depends on the eigenvectors chosen in their "
            "eigenspace, which are arbitrary: the derivative does not exist.")


eig_p = Primitive("linalg.eig", _eig_impl, multiple_results=True)
defvjp(eig_p, _eig_vjp, reads=((0, -1),))
defjvp(eig_p, _eig_jvp)


def eig(a):
    """``numpy.linalg.eig``: eigenvalues and unit-norm eigenvectors (an ``EigResult``);
    rules in the module docstring."""
    square(a, "wengert.numpy.linalg.eig")
    w, v = eig_p(a)
    return result_tuple("EigResult", w, v)


def eigvals(a):
    """``numpy.linalg.eigvals``; traced, the eigenvectors are computed too (the rule
    ``Ā = V⁻ᵀ diag(λ̄) Vᵀ`` needs them), and repeated eigenvalues are no error."""
    if not isinstance(a, Tracer):
        return onp.linalg.eigvals(a)
    square(a, "wengert.numpy.linalg.eigvals")
    return eig_p(a)[0]


register("linalg.eig", eig, "primitive", onp.linalg.eig)
register("linalg.eigvals", eigvals, "composite", onp.linalg.eigvals)


