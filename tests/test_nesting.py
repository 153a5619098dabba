"""Nested derivatives at any order, in any mix of modes, against closed forms."""

import math

import numpy as onp
import pytest

import wengert
import wengert.numpy as np


def test_no_perturbation_confusion():
    # d/dx [x * d/dy (x + y)] at y = 1 is 1; a confused implementation gives 2.
    def outer(x):
        inner = wengert.grad(lambda y: x + y)(1.0)
        return x * inner

    assert wengert.grad(outer)(2.0) == 1.0
    # The same in forward mode, and mixed.
    def outer_fwd(x):
        return x * wengert.jvp(lambda y: x + y, (1.0,), (1.0,))[1]

    assert wengert.jvp(outer_fwd, (2.0,), (1.0,))[1] == 1.0
    assert wengert.grad(outer_fwd)(2.0) == 1.0
    assert wengert.jvp(outer, (2.0,), (1.0,))[1] == 1.0


def test_closure_over_outer_variable_is_differentiated():
    # f(x) = x * d/dy (x * y^2)|_{y=x} = x * 2 x * x = 2 x^3  ->  f' = 6 x^2
    def f(x):
        return x * wengert.grad(lambda y: x * y**2)(x)

    assert wengert.grad(f)(1.5) == pytest.approx(6 * 1.5**2, rel=1e-14)


@pytest.mark.parametrize("order", [1, 2, 3, 4, 5])
def test_reverse_to_any_order(order):
    # d^n/dx^n sin(x) = sin(x + n pi / 2)
    f = np.sin
    for _ in range(order):
        f = wengert.grad(f)
    x = 0.7
    assert f(x) == pytest.approx(math.sin(x + order * math.pi / 2), rel=1e-13)


@pytest.mark.parametrize("modes", ["ff", "fr", "rf", "rr", "frf", "rfr"])
def test_mixed_modes_third_order(modes):
    # exp(2x): n-th derivative is 2^n exp(2x)
    f = lambda x: np.exp(2.0 * x)
    for m in modes:
        if m == "r":
            f = wengert.grad(f)
        else:
            f = (lambda g: lambda x: wengert.jvp(g, (x,), (1.0,))[1])(f)
    x = 0.3
    n = len(modes)
    assert f(x) == pytest.approx(2.0**n * math.exp(2 * x), rel=1e-13)


def test_hvp_forward_over_reverse_matches_closed_form():
    rng = onp.random.default_rng(1)
    x, theta, v = rng.standard_normal((3, 6))
    energy = lambda t: np.dot(x, t) ** 2
    hv = wengert.hvp(energy, (theta,), (v,))
    onp.testing.assert_allclose(hv, 2 * onp.dot(x, v) * x, rtol=1e-12)


def test_hessian_and_jacobians_closed_form():
    a = onp.array([[2.0, 1.0], [1.0, 3.0]])
    quad = lambda x: 0.5 * np.dot(x, np.dot(a, x)) + np.sum(np.sin(x))
    x = onp.array([0.3, -0.4])
    onp.testing.assert_allclose(wengert.hessian(quad)(x), a - onp.diag(onp.sin(x)), rtol=1e-12)
    f = lambda x: np.sin(x) * x[0]
    expected = onp.diag(onp.cos(x) * x[0])
    expected[:, 0] += onp.sin(x)
    onp.testing.assert_allclose(wengert.jacrev(f)(x), expected, rtol=1e-12)
    onp.testing.assert_allclose(wengert.jacfwd(f)(x), expected, rtol=1e-12)


def test_linearize_matches_jvp_and_does_not_rerun():
    calls = []

    def f(x):
        calls.append(1)
        return np.tanh(x) * np.exp(x[::-1])

    x = onp.array([0.1, 0.5, -0.3])
    out, f_jvp = wengert.linearize(f, x)
    assert len(calls) == 1
    for t in onp.eye(3):
        onp.testing.assert_allclose(f_jvp(t), wengert.jvp(f, (x,), (t,))[1], rtol=1e-13)
    assert len(calls) == 4  # only the three jvp calls evaluated f again
    onp.testing.assert_allclose(out, f(x))


def test_gradient_of_a_loop_with_control_flow():
    def newton_sqrt(a):
        x = a
        for _ in range(30):
            x = 0.5 * (x + a / x)
            if abs(float(wengert.stop_gradient(x * x - a))) < 1e-15:
                break
        return x

    assert wengert.grad(newton_sqrt)(2.0) == pytest.approx(0.5 / math.sqrt(2.0), rel=1e-12)
