"""``wengert.numpy.fft`` beyond the table rows (``tests/table/rows_fft.py``): plain
``numpy.fft`` calls on traced values, closed forms (Parseval), the peer library JAX where
installed, and the errors for bad arguments."""

from __future__ import annotations

import numpy as onp
import pytest

import wengert
import wengert.numpy as wnp
from wengert.check import numerical_grad

RNG = onp.random.default_rng(7)


def test_plain_numpy_fft_calls_route_to_wengert():
    x = RNG.standard_normal((3, 8))

    def f(a):  # unmodified NumPy code
        spec = onp.fft.rfft(a, axis=-1, norm="ortho")
        back = onp.fft.irfft(spec * onp.exp(-onp.arange(5.0)), n=8, norm="ortho")
        return onp.sum(onp.abs(onp.fft.fftshift(onp.fft.fft2(back))) ** 2)

    def f_wnp(a):
        spec = wnp.fft.rfft(a, axis=-1, norm="ortho")
        back = wnp.fft.irfft(spec * onp.exp(-onp.arange(5.0)), n=8, norm="ortho")
        return wnp.sum(wnp.abs(wnp.fft.fftshift(wnp.fft.fft2(back))) ** 2)

    g = wengert.grad(f)(x)
    onp.testing.assert_allclose(g, wengert.grad(f_wnp)(x), rtol=1e-13)
    onp.testing.assert_allclose(g, numerical_grad(f, x), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("norm, scale", [(None, 8.0), ("ortho", 1.0), ("forward", 1 / 8)])
def test_parseval_gradient(norm, scale):
    # sum |fft(x)|^2 = c^2 N sum |x|^2, so its gradient is 2 c^2 N x (c the norm's scale):
    # N, 1 and 1/N for backward, ortho and forward.
    x = RNG.standard_normal(8) + 1j * RNG.standard_normal(8)
    g = wengert.grad(lambda z: wnp.sum(wnp.abs(wnp.fft.fft(z, norm=norm)) ** 2))(x)
    onp.testing.assert_allclose(g, 2 * scale * onp.conj(x), rtol=1e-12)


def test_holomorphic_fft_jacobian_is_the_dft_matrix():
    z = RNG.standard_normal(5) + 1j * RNG.standard_normal(5)
    dft = onp.exp(-2j * onp.pi * onp.outer(onp.arange(5), onp.arange(5)) / 5)
    for jac in (wengert.jacfwd, wengert.jacrev):
        onp.testing.assert_allclose(jac(wnp.fft.fft, holomorphic=True)(z), dft, atol=1e-12)


def test_irfft_jacobian_against_its_matrix():
    # irfft is real-linear in the half spectrum X: y = A Re X + B Im X. The gradient of
    # y_j is column j of A minus i times column j of B.
    n, m = 6, 4
    X = RNG.standard_normal(m) + 1j * RNG.standard_normal(m)
    A = onp.stack([onp.fft.irfft(e, n) for e in onp.eye(m)], axis=1)
    B = onp.stack([onp.fft.irfft(1j * e, n) for e in onp.eye(m)], axis=1)
    J = wengert.jacrev(lambda a: wnp.fft.irfft(a, n))(X)
    onp.testing.assert_allclose(J, A - 1j * B, atol=1e-14)


def test_hessian_vector_product_through_fft():
    x = RNG.standard_normal(6)

    def f(a):
        return wnp.sum(wnp.real(wnp.fft.ifft(wnp.fft.fft(a) ** 2)) * onp.arange(6.0))

    v = RNG.standard_normal(6)
    hv = wengert.hvp(f, (x,), (v,))
    g = wengert.grad(f)
    reference = (g(x + 1e-5 * v) - g(x - 1e-5 * v)) / 2e-5
    onp.testing.assert_allclose(hv, reference, rtol=1e-7, atol=1e-8)


def test_against_jax():
    jax = pytest.importorskip("jax", reason="JAX is an optional peer (the bench extra); the other tests here check the same rules against finite differences and closed forms")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    x = RNG.standard_normal((4, 6))
    w = RNG.standard_normal((4, 4))

    def make(np_):
        def f(a):
            s = np_.fft.rfft2(a, s=(4, 7), norm="ortho")
            return np_.sum(np_.real(np_.fft.irfft2(s * w[:, :4], s=(4, 6))) * a) + np_.sum(
                np_.abs(np_.fft.hfft(a[0], n=9)))
        return f

    onp.testing.assert_allclose(wengert.grad(make(wnp))(x), jax.grad(make(jnp))(x),
                                rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("call, error, words", [
    (lambda x: wnp.fft.fft(x, norm="unitary"), ValueError, "norm must be"),
    (lambda x: wnp.fft.fft(x, n=0), ValueError, "n must be at least 1"),
    (lambda x: wnp.fft.fft(x, axis=2), onp.exceptions.AxisError, "fft.fft"),
    (lambda x: wnp.fft.fftn(x, axes=(0, 0)), ValueError, "repeat an axis"),
    (lambda x: wnp.fft.fftn(x, s=(2, 3, 4), axes=(0, 1)), ValueError, "one length per axis"),
    (lambda x: wnp.fft.rfft(x + 1j), TypeError, "the input must be real"),
    (lambda x: wnp.fft.fft(x, out=onp.empty(4, complex)), TypeError, "out= is not supported"),
    (lambda x: wnp.fft.fft(x[0, 0]), ValueError, "at least one dimension"),
])
def test_bad_arguments_are_named(call, error, words):
    x = onp.ones((3, 4))
    with pytest.raises(error, match=words):
        wengert.grad(lambda a: wnp.sum(wnp.abs(call(a))))(x)


def test_fftfreq_is_differentiable_in_the_spacing():
    d = 0.3
    g = wengert.grad(lambda s: wnp.sum(wnp.fft.fftfreq(7, s) ** 2))(d)
    k = onp.fft.fftfreq(7) * 7
    onp.testing.assert_allclose(g, -2 * onp.sum(k ** 2) / (49 * d ** 3), rtol=1e-12)
    onp.testing.assert_array_equal(wnp.fft.rfftfreq(6, 0.5), onp.fft.rfftfreq(6, 0.5))
