"""Plain ``numpy.linalg``/``scipy.linalg`` calls on traced values, closed-form
derivatives, complex matrices (JAX's convention) and batching."""

from __future__ import annotations

import numpy as onp
import pytest
import scipy.linalg as sla

import wengert
import wengert.numpy as wnp
import wengert.scipy.linalg as wsl
from wengert.check import numerical_grad

L = wnp.linalg
RNG = onp.random.default_rng(11)
A = RNG.standard_normal((4, 4)) + 4 * onp.eye(4)
S = A @ A.T
C = RNG.standard_normal((4, 4))

NUMPY_CALLS = {
    "solve": lambda m, a: m.solve(a, C), "inv": lambda m, a: m.inv(a),
    "det": lambda m, a: m.det(a), "slogdet": lambda m, a: m.slogdet(a)[1],
    "cholesky": lambda m, a: m.cholesky(a @ a.T), "eigh": lambda m, a: m.eigh(a)[0],
    "eigvalsh": lambda m, a: m.eigvalsh(a), "svd": lambda m, a: m.svd(a)[1],
    "qr": lambda m, a: m.qr(a)[1], "norm": lambda m, a: m.norm(a, 2),
    "pinv": lambda m, a: m.pinv(a), "matrix_power": lambda m, a: m.matrix_power(a, 3),
    "lstsq": lambda m, a: m.lstsq(a, C[:, 0])[0],
    "eig": lambda m, a: m.eig(a @ a.T)[0], "eigvals": lambda m, a: m.eigvals(a @ a.T),
    "tensorsolve": lambda m, a: m.tensorsolve(a, C[0]),
    "multi_dot": lambda m, a: m.multi_dot([a, C, a]),
    "svdvals": lambda m, a: m.svdvals(a), "matrix_norm": lambda m, a: m.matrix_norm(a),
}


@pytest.mark.parametrize("name", sorted(NUMPY_CALLS))
def test_plain_numpy_linalg_calls_route_to_wengert(name):
    call = NUMPY_CALLS[name]

    def through_numpy(a):
        return wnp.sum(wnp.real(call(onp.linalg, a)) * 1.0)

    def through_wengert(a):
        return wnp.sum(wnp.real(call(L, a)) * 1.0)

    g = wengert.grad(through_numpy)(A)
    onp.testing.assert_allclose(g, wengert.grad(through_wengert)(A), rtol=1e-12)
    onp.testing.assert_allclose(g, numerical_grad(through_numpy, A), rtol=1e-5, atol=1e-6)


def test_plain_scipy_linalg_call_names_the_wengert_function():
    with pytest.raises(wengert.errors.TracerConversionError,
                       match="wengert.scipy.linalg.expm"):
        wengert.grad(lambda a: wnp.sum(sla.expm(a)))(A)


def test_every_scipy_entry_is_registered_with_its_scipy_object():
    for name in wsl.__all__:
        entry = wnp.TABLE[f"scipy.linalg.{name}"]
        assert entry.numpy_function is getattr(sla, name)


# -- closed forms -------------------------------------------------------------------------


def test_logdet_gradient_and_hessian_closed_forms():
    ainv = onp.linalg.inv(A)
    g = wengert.grad(lambda a: L.slogdet(a)[1])(A)
    onp.testing.assert_allclose(g, ainv.T, rtol=1e-12)
    # d/dA det = det(A) A⁻ᵀ; HVP of logdet: −(A⁻¹ E A⁻¹)ᵀ.
    onp.testing.assert_allclose(wengert.grad(L.det)(A), onp.linalg.det(A) * ainv.T,
                                rtol=1e-12)
    hv = wengert.hvp(lambda a: L.slogdet(a)[1], (A,), (C,))
    hv = hv[0] if isinstance(hv, tuple) else hv
    onp.testing.assert_allclose(hv, -(ainv @ C @ ainv).T, rtol=1e-10)


def test_expm_frechet_matches_scipy():
    e = RNG.standard_normal((4, 4)) * 0.3
    a = A * 0.2
    t = wengert.jvp(wsl.expm, (a,), (e,))[1]
    onp.testing.assert_allclose(t, sla.expm_frechet(a, e, compute_expm=False), rtol=1e-10)
    # The VJP is the Fréchet derivative at Aᵀ.
    g = wengert.vjp(wsl.expm, a)[1](e)[0]
    onp.testing.assert_allclose(g, sla.expm_frechet(a.T, e, compute_expm=False), rtol=1e-10)


def test_sqrtm_and_inverse_closed_forms():
    x = sla.sqrtm(S)
    t = wengert.jvp(wsl.sqrtm, (S,), (C,))[1]
    onp.testing.assert_allclose(x @ t + t @ x, C, atol=1e-9)
    g = wengert.grad(lambda a: wnp.sum(L.inv(a) * C))(A)
    ainv = onp.linalg.inv(A)
    onp.testing.assert_allclose(g, -ainv.T @ C @ ainv.T, rtol=1e-12)


# -- complex matrices (JAX's convention: grad = ∂f/∂x − i ∂f/∂y) ------------------------


@pytest.mark.parametrize("f", [
    lambda z: wnp.real(wnp.sum(L.solve(z, C[:, 0] + 1j))),
    lambda z: wnp.abs(L.det(z)),
    lambda z: L.slogdet(z)[1],
    lambda z: wnp.imag(L.slogdet(z)[0]),
    lambda z: wnp.real(wnp.sum(L.inv(z) * C)),
    lambda z: wnp.real(wnp.sum(wsl.expm(z * 0.3))),
], ids=["solve", "abs_det", "logabsdet", "sign", "inv", "expm"])
def test_complex_input_convention(f):
    z = A + 1j * RNG.standard_normal((4, 4))
    g = wengert.grad(f)(z)
    dx = numerical_grad(lambda x: f(x + 1j * z.imag), z.real)
    dy = numerical_grad(lambda y: f(z.real + 1j * y), z.imag)
    onp.testing.assert_allclose(g, dx - 1j * dy, rtol=1e-6, atol=1e-7)


# -- batching -------------------------------------------------------------------------------


def test_batched_gradients_equal_the_per_matrix_ones():
    stack = onp.stack([A, S / 10, A.T])
    b = RNG.standard_normal((3, 4, 2))

    def f(a, rhs):
        return (wnp.sum(L.slogdet(a)[1]) + wnp.sum(L.solve(a, rhs) ** 2)
                + wnp.sum(L.eigvalsh(a) ** 3) + wnp.sum(L.svd(a, compute_uv=False)))

    ga, gb = wengert.grad(f, argnums=(0, 1))(stack, b)
    for k in range(3):
        gk = wengert.grad(f, argnums=(0, 1))(stack[k], b[k])
        onp.testing.assert_allclose(ga[k], gk[0], rtol=1e-10)
        onp.testing.assert_allclose(gb[k], gk[1], rtol=1e-10)


_HZ = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))
HERM = _HZ @ _HZ.conj().T + 3 * onp.eye(3)
CC = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))


@pytest.mark.parametrize("f", [
    lambda z: wnp.sum(wnp.abs(L.cholesky(z)) ** 2 * CC.real),
    lambda z: wnp.real(wnp.sum(L.cholesky(z, upper=True) * CC)),
    lambda z: wnp.sum(L.eigvalsh(z) ** 2 * onp.arange(3)),
    lambda z: wnp.sum(wnp.abs(L.eigh(z, UPLO="U")[1]) ** 2 * CC.real),
], ids=["cholesky", "cholesky_upper", "eigvalsh", "eigh_abs_vectors"])
def test_hermitian_decompositions_of_complex_matrices(f):
    # Gradient (JAX's convention), JVP and forward-over-reverse against central
    # differences; only the lower (or upper) triangle and the real diagonal are read.
    g = wengert.grad(f)(HERM)
    dx = numerical_grad(lambda x: f(x + 1j * HERM.imag), HERM.real)
    dy = numerical_grad(lambda y: f(HERM.real + 1j * y), HERM.imag)
    onp.testing.assert_allclose(g, dx - 1j * dy, rtol=1e-6, atol=1e-7)
    t = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))
    eps = 1e-6
    jv = wengert.jvp(f, (HERM,), (t,))[1]
    assert abs(jv - (f(HERM + eps * t) - f(HERM - eps * t)) / (2 * eps)) < 1e-6
    hv = wengert.jvp(wengert.grad(f), (HERM,), (t,))[1]
    gf = wengert.grad(f)
    onp.testing.assert_allclose(hv, (gf(HERM + eps * t) - gf(HERM - eps * t)) / (2 * eps),
                                rtol=1e-5, atol=1e-6)


def test_complex_eigh_basis_dependent_loss_at_repeated_eigenvalues_raises():
    q, _ = onp.linalg.qr(_HZ)
    h = q @ onp.diag([1.0, 1.0, 2.0]) @ q.conj().T
    with pytest.raises(L.DegenerateDerivativeError):
        wengert.grad(lambda z: wnp.real(wnp.sum(L.eigh(z)[1][:, 0])))(h)
    g = wengert.grad(lambda z: wnp.sum(L.eigvalsh(z) ** 2))(h)
    assert onp.all(onp.isfinite(g))
