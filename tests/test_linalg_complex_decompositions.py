"""Complex ``svd``, ``qr`` and ``pinv``: the gauge convention, gauge-invariant losses
against central differences in the real and imaginary parts (``grad = ∂f/∂x − i ∂f/∂y``),
the dot-product test under the pairing ``Re sum(a b)``, second order, batching, and the
error for phase-dependent losses. (The table rows in ``tests/table/rows_linalg.py`` check
every mode at complex128 as well.)"""

from __future__ import annotations

import numpy as onp
import pytest

import wengert
import wengert.numpy as wnp
from wengert.check import numerical_grad, numerical_jvp

L = wnp.linalg
RNG = onp.random.default_rng(7)


def crandn(*shape):
    return RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)


def mH(x):
    return onp.conj(onp.swapaxes(x, -1, -2))


def wirtinger(f, z):
    """``∂f/∂x − i ∂f/∂y`` by central differences."""
    dx = numerical_grad(lambda x: f(x + 1j * z.imag), z.real)
    dy = numerical_grad(lambda y: f(z.real + 1j * y), z.imag)
    return dx - 1j * dy


W = crandn(5, 5)

# Gauge-invariant real losses of each decomposition, for tall, wide and square inputs.
LOSSES = {
    "svd_values": lambda a: wnp.sum(L.svd(a, compute_uv=False) * onp.arange(1, 4)),
    "svd_pairs": lambda a: (lambda u, s, vh: wnp.real(wnp.sum(
        (u[:, :1] * vh[:1, :] + 2 * u[:, 1:2] * vh[1:2, :]) * W[:a.shape[0], :a.shape[1]])))(
        *L.svd(a, full_matrices=False)),
    "svd_abs_u": lambda a: (lambda u, s, vh: wnp.sum(
        wnp.abs(u[:, :3]) ** 2 * W.real[:a.shape[0], :3]) + wnp.sum(
        wnp.abs(vh[:3]) ** 2 * W.imag[:3, :a.shape[1]]))(*L.svd(a)),
    "svd_complement": lambda a: (lambda u, s, vh: wnp.real(wnp.sum(
        u[:, 3:] @ wnp.conj(u[:, 3:].T) * W[:a.shape[0], :a.shape[0]])))(*L.svd(a)),
    "qr": lambda a: (lambda q, r: wnp.real(wnp.sum(q * W[:a.shape[0], :q.shape[1]]))
                     + wnp.imag(wnp.sum(r * W[:r.shape[0], :a.shape[1]])))(*L.qr(a)),
    "qr_r": lambda a: wnp.sum(wnp.abs(L.qr(a, mode="r")) ** 2 * W.real[:3, :a.shape[1]]),
    "qr_complete": lambda a: (lambda q, r: wnp.real(wnp.sum(
        q[:, 3:] @ wnp.conj(q[:, 3:].T) * W[:a.shape[0], :a.shape[0]])) + wnp.real(
        wnp.sum(r * W[:a.shape[0], :a.shape[1]])))(*L.qr(a, mode="complete")),
    "pinv": lambda a: wnp.real(wnp.sum(L.pinv(a) * W[:a.shape[1], :a.shape[0]])),
}
SHAPES = {"svd_complement": [(5, 3)], "qr_complete": [(5, 3)]}


def _cases():
    for name, f in LOSSES.items():
        for shape in SHAPES.get(name, [(4, 3), (3, 5), (3, 3)]):
            yield pytest.param(f, shape, id=f"{name}-{shape[0]}x{shape[1]}")


@pytest.mark.parametrize("f, shape", list(_cases()))
def test_gradient_jvp_and_hvp_against_central_differences(f, shape):
    a = crandn(*shape)
    onp.testing.assert_allclose(wengert.grad(f)(a), wirtinger(f, a), rtol=1e-6, atol=1e-7)
    t = crandn(*shape)
    jv = wengert.jvp(f, (a,), (t,))[1]
    onp.testing.assert_allclose(jv, numerical_jvp(f, (a,), (t,)), rtol=1e-6, atol=1e-7)
    # Second order: forward-over-reverse against differences of the gradient.
    g = wengert.grad(f)
    hv = wengert.jvp(g, (a,), (t,))[1]
    onp.testing.assert_allclose(hv, numerical_jvp(g, (a,), (t,)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn, shape", [
    (lambda a: L.svd(a, full_matrices=False), (4, 3)),
    (lambda a: L.svd(a), (3, 5)),
    (lambda a: tuple(L.qr(a)), (4, 3)),
    (lambda a: tuple(L.qr(a, mode="complete")), (3, 5)),
    (L.pinv, (2, 3, 4)),
], ids=["svd_reduced", "svd_full", "qr", "qr_complete", "pinv_batched"])
def test_dot_product_test_under_the_real_pairing(fn, shape):
    # Re<v, J u> == Re<Jᵀ v, u>, with v chosen gauge invariant for svd (v's pairing with
    # the phase directions vanishes: only then is the transpose defined, see the error).
    a, u = crandn(*shape), crandn(*shape)
    out, ju = wengert.jvp(fn, (a,), (u,))
    outs = out if isinstance(out, tuple) else (out,)
    jus = ju if isinstance(ju, tuple) else (ju,)
    if len(outs) == 3:  # svd: v = cotangent of the gauge-invariant Re sum(U diag(c) Vh ∘ w)
        c, w = RNG.standard_normal(min(shape)), crandn(*shape)
        _, pull = wengert.vjp(lambda x: (lambda uu, s, vh: wnp.real(wnp.sum(
            (uu[:, :len(c)] * c) @ vh[:len(c)] * w)))(*fn(x)), a)
        lhs = onp.sum(onp.real(w * ((jus[0][:, :len(c)] * c) @ outs[2][:len(c)]
                                    + (outs[0][:, :len(c)] * c) @ jus[2][:len(c)])))
        rhs = onp.sum(onp.real(pull(1.0)[0] * u))
    else:
        vs = [crandn(*o.shape) for o in outs]
        _, pull = wengert.vjp(fn, a)
        ct = pull(tuple(vs) if isinstance(out, tuple) else vs[0])[0]
        lhs = sum(onp.sum(onp.real(v * j)) for v, j in zip(vs, jus))
        rhs = onp.sum(onp.real(ct * u))
    assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs))


def test_svd_tangents_follow_the_stated_gauge():
    # U, V stay unitary; the phase gauge Im diag(Vᴴ dV) = 0; d(U S Vᴴ) = dA.
    a, t = crandn(4, 4), crandn(4, 4)
    (u, s, vh), (du, ds, dvh) = wengert.jvp(lambda x: tuple(L.svd(x)), (a,), (t,))
    v, dv = mH(vh), mH(dvh)
    onp.testing.assert_allclose(mH(u) @ du + mH(du) @ u, 0, atol=1e-12)
    onp.testing.assert_allclose(mH(v) @ dv + mH(dv) @ v, 0, atol=1e-12)
    onp.testing.assert_allclose(onp.diagonal(mH(v) @ dv).imag, 0, atol=1e-12)
    recon = du @ onp.diag(s) @ vh + u @ onp.diag(ds) @ vh + u @ onp.diag(s) @ dvh
    onp.testing.assert_allclose(recon, t, atol=1e-12)
    assert ds.dtype == onp.float64


def test_qr_tangent_keeps_r_upper_with_a_real_diagonal():
    a, t = crandn(4, 3), crandn(4, 3)
    (q, r), (dq, dr) = wengert.jvp(lambda x: tuple(L.qr(x)), (a,), (t,))
    onp.testing.assert_allclose(onp.tril(dr, -1), 0, atol=1e-12)
    onp.testing.assert_allclose(onp.diagonal(dr).imag, 0, atol=1e-12)
    onp.testing.assert_allclose(dq @ r + q @ dr, t, atol=1e-12)


def test_batched_matches_per_matrix():
    stack = crandn(3, 4, 3)

    def f(a):
        u, s, vh = L.svd(a, full_matrices=False)
        q, r = L.qr(a)
        return (wnp.sum(s ** 2) + wnp.sum(wnp.abs(u) ** 3) + wnp.real(wnp.sum(r * r))
                + wnp.sum(wnp.abs(L.pinv(a)) ** 2))

    g = wengert.grad(f)(stack)
    for k in range(3):
        onp.testing.assert_allclose(g[k], wengert.grad(f)(stack[k]), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("loss", [
    lambda a: wnp.real(wnp.sum(L.svd(a)[0][:, 0])),
    lambda a: wnp.imag(wnp.sum(L.svd(a, full_matrices=False)[2])),
], ids=["u_column", "vh"])
def test_phase_dependent_svd_loss_raises(loss):
    with pytest.raises(L.DegenerateDerivativeError, match="phases"):
        wengert.grad(loss)(crandn(4, 3))


def test_complex_svd_of_a_hermitian_matrix_reads_the_lower_triangle():
    z = crandn(3, 3)
    h = z @ mH(z) + onp.eye(3) + onp.triu(crandn(3, 3), 1) + 0.5j * onp.eye(3)

    def f(a):
        return wnp.sum(L.svd(a, hermitian=True, compute_uv=False) ** 2 * onp.arange(3))

    onp.testing.assert_allclose(
        f(h), onp.sum(onp.linalg.svd(h, hermitian=True, compute_uv=False) ** 2
                      * onp.arange(3)), rtol=1e-12)
    onp.testing.assert_allclose(wengert.grad(f)(h), wirtinger(f, h), rtol=1e-6, atol=1e-7)


def test_qr_raw_still_has_no_rule():
    with pytest.raises(wengert.errors.MissingRuleError):
        wengert.grad(lambda a: wnp.sum(wnp.abs(L.qr(a, mode="raw")[0])))(crandn(3, 3))
