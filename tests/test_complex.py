"""wengert's complex convention (``docs/complex.md``, JAX's): for real-valued ``f`` of
``z = x + iy``, ``grad f = ∂f/∂x - i ∂f/∂y``; holomorphic derivatives with
``holomorphic=True``; VJPs are transposes, not conjugate transposes. References: the
complex step, central differences in ``x`` and ``y`` separately, the Cauchy–Riemann
equations, closed forms, and JAX where it is installed."""

from __future__ import annotations

import os
import re

import numpy as onp
import pytest

import wengert
import wengert.numpy as wnp
from wengert.check import numerical_grad
from wengert.errors import InputTypeError, NonScalarOutputError

RNG = onp.random.default_rng(3)
Z = onp.array([0.7 + 1.3j, -1.1 + 0.4j, 2.0 - 0.5j])


def _complex_step_wirtinger(G, x, y):
    """``∂G/∂x - i ∂G/∂y`` of a real-analytic ``G(x, y)`` by the complex step (exact to
    rounding: no subtraction)."""
    gx = numerical_grad(lambda a: G(a, y), x, method="complex")
    gy = numerical_grad(lambda b: G(x, b), y, method="complex")
    return gx - 1j * gy


# f written with wengert's complex functions; G the same value as a real-analytic
# function of x = Re z and y = Im z (for the complex step). Away from x <= 0, angle(z) is
# arctan(y / x).
CASES = {
    "abs_cubed_and_angle": (
        lambda z: wnp.sum(wnp.abs(z) ** 3 + wnp.angle(z * 1j + 3.0) * wnp.real(z)),
        lambda x, y: onp.sum((x * x + y * y) ** 1.5 + onp.arctan((x) / (3.0 - y)) * x),
    ),
    "real_imag_products": (
        lambda z: wnp.sum(wnp.real(z * z) * wnp.imag(wnp.exp(z)) + wnp.imag(z) ** 2),
        lambda x, y: onp.sum((x * x - y * y) * onp.exp(x) * onp.sin(y) + y * y),
    ),
    "abs_of_holomorphic": (
        lambda z: wnp.sum(wnp.abs(wnp.sin(z) * z) ** 2),
        lambda x, y: onp.sum((onp.sin(x) * onp.cosh(y) * x - onp.cos(x) * onp.sinh(y) * y) ** 2
                             + (onp.sin(x) * onp.cosh(y) * y + onp.cos(x) * onp.sinh(y) * x) ** 2),
    ),
    # conj(z)ᵀ M z = xᵀMx + yᵀMy + i (xᵀMy - yᵀMx) for a real M.
    "conj_and_matmul": (
        lambda z: wnp.real(wnp.conj(z) @ M @ z),
        lambda x, y: x @ M @ x + y @ M @ y,
    ),
}
M = onp.arange(9.0).reshape(3, 3) - 4.0


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_against_the_complex_step(name):
    f, G = CASES[name]
    x, y = Z.real.copy(), Z.imag.copy()
    assert onp.isclose(float(f(Z)), G(x, y), rtol=1e-12)  # f and G agree
    onp.testing.assert_allclose(wengert.grad(f)(Z), _complex_step_wirtinger(G, x, y),
                                rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_against_central_differences_in_x_and_y(name):
    f = CASES[name][0]
    x, y = Z.real.copy(), Z.imag.copy()
    dx = numerical_grad(lambda a: float(f(a + 1j * y)), x)
    dy = numerical_grad(lambda b: float(f(x + 1j * b)), y)
    onp.testing.assert_allclose(wengert.grad(f)(Z), dx - 1j * dy, rtol=1e-8, atol=1e-8)


HOLOMORPHIC = [
    lambda z: wnp.sum(wnp.sin(z) * wnp.exp(z) / (z * z + 2.0)),
    lambda z: wnp.sum(wnp.fft.fft(z ** 3) * onp.arange(3.0)),
    lambda z: wnp.prod(wnp.log(z + 4.0)) + wnp.sum(wnp.cumprod(wnp.sqrt(z + 3.0))),
]


@pytest.mark.parametrize("k", range(len(HOLOMORPHIC)))
def test_holomorphic_derivative_satisfies_cauchy_riemann(k):
    f = HOLOMORPHIC[k]
    d = wengert.grad(f, holomorphic=True)(Z)
    h = 1e-6
    for j in range(len(Z)):
        e = onp.zeros(3)
        e[j] = 1.0
        along_x = (f(Z + h * e) - f(Z - h * e)) / (2 * h)
        along_y = (f(Z + 1j * h * e) - f(Z - 1j * h * e)) / (2j * h)
        onp.testing.assert_allclose(d[j], along_x, rtol=1e-8)
        onp.testing.assert_allclose(d[j], along_y, rtol=1e-8)


def test_holomorphic_derivative_against_the_complex_step_on_the_real_axis():
    # f is real on the real axis, so f'(x) = Im f(x + ih) / h exactly to rounding.
    def f(z):
        return wnp.sum(wnp.sin(z) * wnp.exp(z) / (z * z + 2.0) + wnp.arctan(z) ** 3)

    x = onp.array([0.3, -1.2, 2.5])
    reference = numerical_grad(lambda v: onp.sum(onp.sin(v) * onp.exp(v) / (v * v + 2.0)
                                                 + onp.arctan(v) ** 3), x, method="complex")
    d = wengert.grad(f, holomorphic=True)(x.astype(complex))
    onp.testing.assert_allclose(d, reference, rtol=1e-14, atol=1e-15)
    # Second derivative, through the rules of the rules.
    d2 = wengert.grad(lambda z: wnp.sum(wengert.grad(f, holomorphic=True)(z)),
                      holomorphic=True)(x.astype(complex))
    # f' is real on the real axis too: central differences of it along the real axis.
    reference2 = numerical_grad(lambda v: float(onp.sum(onp.real(
        wengert.grad(f, holomorphic=True)(v.astype(complex))))), x)
    onp.testing.assert_allclose(d2, reference2, rtol=1e-7)


def test_holomorphic_jacobians_agree_with_the_closed_form():
    def f(z):
        return wnp.exp(z) * z[::-1]

    J = onp.diag(onp.exp(Z) * Z[::-1]) + onp.fliplr(onp.diag(onp.exp(Z)))
    for jac in (wengert.jacfwd, wengert.jacrev):
        onp.testing.assert_allclose(jac(f, holomorphic=True)(Z), J, rtol=1e-13)
    H = wengert.hessian(lambda z: wnp.sum(z ** 3), holomorphic=True)(Z)
    onp.testing.assert_allclose(H, onp.diag(6 * Z), rtol=1e-13)


def test_vjp_is_the_transpose_not_the_conjugate_transpose():
    w = onp.array([2.0 - 1.0j, 0.5 + 3.0j, -1.0j])
    g = onp.array([1.0 + 1.0j, -2.0j, 0.3])
    (ct,) = wengert.vjp(lambda z: z * w, Z)[1](g)
    onp.testing.assert_allclose(ct, g * w)  # not g * conj(w)
    _, t = wengert.jvp(lambda z: wnp.conj(z) * w, (Z,), (g,))
    onp.testing.assert_allclose(t, onp.conj(g) * w)
    (ct,) = wengert.vjp(lambda z: wnp.conj(z) * w, Z)[1](g)
    onp.testing.assert_allclose(ct, onp.conj(g * w))


def test_hvp_of_a_real_function_of_complex_inputs():
    f = CASES["abs_of_holomorphic"][0]
    t = RNG.standard_normal(3) + 1j * RNG.standard_normal(3)
    hv = wengert.hvp(f, (Z,), (t,))
    g = wengert.grad(f)
    reference = (g(Z + 1e-6 * t) - g(Z - 1e-6 * t)) / 2e-6
    onp.testing.assert_allclose(hv, reference, rtol=1e-7, atol=1e-7)


def test_a_real_input_gets_a_real_cotangent_of_its_dtype():
    x = onp.array([0.5, -1.5, 2.0], onp.float32)

    def f(a):
        c = a * (1.0 + 2.0j) + wnp.fft.fft(a)
        return wnp.sum(wnp.abs(c) ** 2) + wnp.real(wnp.sum(c * c))

    g = wengert.grad(f)(x)
    assert g.dtype == onp.float32
    x64 = x.astype(onp.float64)
    onp.testing.assert_allclose(g, numerical_grad(lambda a: float(f(a)), x64), rtol=1e-4)


def test_abs_and_angle_at_zero_take_derivative_zero():
    z = onp.array([0.0 + 0.0j, 3.0 + 4.0j])
    g = wengert.grad(lambda v: wnp.sum(wnp.abs(v) + wnp.angle(v)))(z)
    # At 3 + 4i: conj(z)/|z| from abs, -i/z = (-4 - 3i)/25 from angle.
    onp.testing.assert_allclose(g, [0.0, (3 - 4j) / 5 + (-4 - 3j) / 25], atol=1e-15)
    t = wengert.jvp(lambda v: wnp.abs(v) + wnp.angle(v), (z,), (onp.array([1.0, 1j]),))[1]
    onp.testing.assert_allclose(t, [0.0, 4 / 5 + 3 / 25], atol=1e-15)
    # numpy.sign of a complex array is z / |z|: differentiable, unlike the real sign.
    s = wengert.jvp(lambda v: onp.sign(v), (z,), (onp.array([1.0, 1j]),))[1]
    onp.testing.assert_allclose(s, [0.0, (1j * 5 - (3 + 4j) * (4 / 5)) / 25], atol=1e-15)


def test_errors_name_the_function_and_the_fix():
    with pytest.raises(NonScalarOutputError, match=r"grad\(square\).*holomorphic=True"):
        def square(z):
            return z * z

        wengert.grad(square)(Z[0])
    with pytest.raises(InputTypeError, match="holomorphic=True needs complex inputs"):
        wengert.grad(lambda z: z * (1 + 1j), holomorphic=True)(1.0)
    with pytest.raises(InputTypeError, match="holomorphic=True needs complex outputs"):
        wengert.grad(lambda z: wnp.abs(z), holomorphic=True)(Z[0])
    with pytest.raises(InputTypeError, match="jacfwd needs real inputs"):
        wengert.jacfwd(lambda z: wnp.abs(z))(Z)
    with pytest.raises(NonScalarOutputError, match="jacrev needs real outputs"):
        wengert.jacrev(lambda z: z * 2.0)(Z)
    # jacrev of a real function of complex inputs is allowed: rows ∂/∂x - i ∂/∂y.
    J = wengert.jacrev(lambda z: wnp.abs(z) ** 2)(Z)
    onp.testing.assert_allclose(J, onp.diag(2 * onp.conj(Z)))


def test_the_documented_example_runs():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "docs", "complex.md"), encoding="utf-8") as f:
        text = f.read()
    code = re.search(r"^```python\n(.*?)^```", text, re.MULTILINE | re.DOTALL).group(1)
    exec(compile(code, "docs/complex.md", "exec"), {"__name__": "complex_example"})


def test_against_jax():
    jax = pytest.importorskip("jax", reason="JAX is an optional peer (the bench extra); the other tests here check the same rules against finite differences and closed forms")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy

    def make(np_):
        def f(z):
            u = np_.fft.ifft(np_.fft.fft(z) * np_.exp(z)) + np_.conj(z) * z[::-1]
            return np_.sum(np_.abs(u) ** 2 + np_.angle(u + 3.0) * np_.real(u)
                           + np_.imag(np_.sin(u)))
        return f

    onp.testing.assert_allclose(wengert.grad(make(wnp))(Z), jax.grad(make(jnp))(Z),
                                rtol=1e-11, atol=1e-12)
