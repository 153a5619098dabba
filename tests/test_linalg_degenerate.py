"""Degenerate points of the linear-algebra rules: repeated eigenvalues and singular
values, zero singular values, singular and non-positive-definite matrices, the norm at
zero. Each gives a documented finite result or a clear error (docs/linalg.md)."""

from __future__ import annotations

import numpy as onp
import pytest

import wengert
import wengert.numpy as wnp
from wengert.check import numerical_grad
from wengert.numpy.linalg import DegenerateDerivativeError

L = wnp.linalg
RNG = onp.random.default_rng(7)
Q, _ = onp.linalg.qr(RNG.standard_normal((4, 4)))
# Symmetric, eigenvalues 1, 1, 1, 3: a repeated eigenvalue of multiplicity 3.
A_REP = Q @ onp.diag([1.0, 1.0, 1.0, 3.0]) @ Q.T
A_REP = (A_REP + A_REP.T) / 2


def test_eigenvalue_functions_are_differentiable_at_repeated_eigenvalues():
    # sum(w²) = ‖A‖_F² for symmetric A; only the lower triangle is read.
    g = wengert.grad(lambda a: wnp.sum(L.eigvalsh(a) ** 2))(A_REP)
    expected = onp.tril(4 * A_REP, -1) + onp.diag(onp.diag(2 * A_REP))
    onp.testing.assert_allclose(g, expected, atol=1e-10)
    g = wengert.grad(lambda a: wnp.sum(L.eigh(a)[0]))(A_REP)
    onp.testing.assert_allclose(g, onp.eye(4), atol=1e-12)
    assert onp.all(onp.isfinite(wengert.hessian(lambda a: wnp.sum(L.eigvalsh(a)))(A_REP)))


def test_projector_onto_a_repeated_eigenspace_has_its_derivative():
    # The projector onto the eigenvalue-1 eigenspace is smooth while the gap to 3 stays.
    c = RNG.standard_normal((4, 4))

    def f(a):
        v = L.eigh(a)[1][:, :3]
        return wnp.sum((v @ v.T) * c)

    g = wengert.grad(f)(A_REP)
    onp.testing.assert_allclose(g, numerical_grad(f, A_REP), atol=1e-6)


def test_basis_dependent_loss_at_repeated_eigenvalues_raises():
    with pytest.raises(DegenerateDerivativeError, match="eigh: the eigenvalues are repeated"):
        wengert.grad(lambda a: wnp.sum(L.eigh(a)[1][:, 0]))(A_REP)
    # Separated eigenvalues: the same loss is fine.
    a = A_REP + onp.diag([0.0, 0.5, 1.0, 0.0])
    assert onp.all(onp.isfinite(wengert.grad(lambda a: wnp.sum(L.eigh(a)[1][:, 0]))(a)))


def test_forward_mode_at_repeated_eigenvalues_is_finite():
    t = RNG.standard_normal((4, 4))
    dw, dv = wengert.jvp(lambda a: tuple(L.eigh(a)), (A_REP,), (t,))[1]
    assert onp.all(onp.isfinite(dw)) and onp.all(onp.isfinite(dv))
    # The eigenvalue tangents of the cluster: the eigenvalues of the projected tangent.
    t_sym = onp.tril(t) + onp.tril(t, -1).T
    w, v = onp.linalg.eigh(A_REP)
    onp.testing.assert_allclose(onp.sum(dw[:3]), onp.trace(v[:, :3].T @ t_sym @ v[:, :3]))


def test_svd_at_repeated_singular_values():
    a = 2.0 * Q  # all singular values 2
    u, s, vh = onp.linalg.svd(a)
    onp.testing.assert_allclose(wengert.grad(lambda x: wnp.sum(L.svd(x)[1]))(a), u @ vh,
                                atol=1e-12)
    onp.testing.assert_allclose(wengert.grad(lambda x: L.norm(x, "nuc"))(a), u @ vh,
                                atol=1e-12)
    with pytest.raises(DegenerateDerivativeError, match="singular values"):
        wengert.grad(lambda x: wnp.sum(L.svd(x)[0][:, 0]))(a)


def test_svd_zero_singular_value_of_a_tall_matrix():
    a = RNG.standard_normal((5, 2)) @ RNG.standard_normal((2, 3))  # rank 2 of 3
    u, s, vh = onp.linalg.svd(a, full_matrices=False)
    g = wengert.grad(lambda x: wnp.sum(L.svd(x, compute_uv=False)))(a)
    onp.testing.assert_allclose(g, u @ vh, atol=1e-10)  # a subgradient, finite
    with pytest.raises(DegenerateDerivativeError, match="zero singular value"):
        wengert.grad(lambda x: wnp.sum(L.svd(x, full_matrices=False)[0][:, 2]))(a)


def test_singular_matrices_in_solve_inv_det_slogdet():
    a = onp.array([[1.0, 2.0], [2.0, 4.0]])
    b = onp.ones(2)
    with pytest.raises(onp.linalg.LinAlgError, match="Singular matrix"):
        wengert.grad(lambda x: wnp.sum(onp.linalg.solve(x, b)))(a)
    with pytest.raises(onp.linalg.LinAlgError, match="Singular matrix"):
        wengert.grad(lambda x: wnp.sum(onp.linalg.inv(x)))(a)
    # Values as NumPy's: det 0, slogdet (0, -inf); their derivatives raise, naming them.
    assert L.det(a) == 0.0
    s, ld = L.slogdet(a)
    assert s == 0.0 and ld == -onp.inf
    with pytest.raises(onp.linalg.LinAlgError, match="det: the derivative at a singular"):
        wengert.grad(L.det)(a)
    with pytest.raises(onp.linalg.LinAlgError, match="slogdet: the derivative at a singular"):
        wengert.grad(lambda x: L.slogdet(x)[1])(a)


def test_cholesky_of_a_non_positive_definite_matrix_raises_numpys_error():
    a = onp.array([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(onp.linalg.LinAlgError, match="not positive definite"):
        wengert.grad(lambda x: wnp.sum(onp.linalg.cholesky(x)))(a)


def test_norm_at_zero_has_subgradient_zero():
    z = onp.zeros((3, 2))
    for f in (lambda x: L.norm(x), lambda x: L.norm(x, "fro"), lambda x: L.norm(x[:, 0]),
              lambda x: wnp.sum(L.norm(x, axis=0))):
        g = wengert.grad(f)(z)
        onp.testing.assert_array_equal(g, 0.0)
        t = wengert.jvp(f, (z,), (onp.ones_like(z),))[1]
        assert onp.all(onp.isfinite(t))


def test_non_square_and_bad_arguments_are_named():
    with pytest.raises(onp.linalg.LinAlgError, match="solve.*square"):
        wengert.grad(lambda x: wnp.sum(L.solve(x, onp.ones(2))))(onp.ones((2, 3)))
    with pytest.raises(ValueError, match="solve: b has 3 rows"):
        wengert.grad(lambda x: wnp.sum(L.solve(x, onp.ones(3))))(onp.eye(2))
    with pytest.raises(wengert.errors.MissingRuleError, match="raw"):
        wengert.grad(lambda x: wnp.sum(L.qr(x, mode="raw")[0]))(onp.eye(2))
