"""Derivatives of iv and ive in the order v (wengert/scipy/special/bessel_order.py),
against mpmath's numerical derivatives of its arbitrary-precision besseli, and against
central differences (check_grads) at second order."""

from __future__ import annotations

import functools

import mpmath
import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
import wengert.scipy.special as ws
from wengert.errors import MissingRuleError
from wengert.scipy.special.bessel_order import order_derivatives

ORDERS = (-3.5, -2.0, -0.5, 0.0, 0.3, 1.0, 2.5, 5.0, 10.0)
POINTS = (1e-3, 0.05, 0.5, 1.0, 5.0, 20.0, 50.0, 200.0)
V, X = (a.ravel() for a in np.meshgrid(ORDERS, POINTS, indexing="ij"))
LARGE = X >= 20.0  # ive is tested where its scaling matters


@functools.cache
def _mp_derivative(v: float, x: float, n: int) -> tuple[float, float]:
    """(∂ⁿI_v(x)/∂vⁿ, e^-x ∂ⁿI_v(x)/∂vⁿ) by mpmath. At v = 0 the first derivative is
    -K_0(x), e^-2x times the size of I_0: the working precision grows with x to keep it."""
    extra = int(x) if (v == 0.0 and n == 1) else 0
    with mpmath.workdps(30 + extra):
        d = mpmath.diff(lambda t: mpmath.besseli(t, x), v, n)
        return float(d), float(d * mpmath.exp(-x))


def _reference(n: int, scaled: bool, v=V, x=X) -> np.ndarray:
    return np.array([_mp_derivative(float(a), float(b), n)[scaled] for a, b in zip(v, x)])


@pytest.mark.parametrize("n", [1, 2])
def test_values_against_mpmath(n):
    d = order_derivatives(V, X, scaled=False)[n - 1]
    np.testing.assert_allclose(d, _reference(n, False), rtol=1e-12, atol=0)
    d = order_derivatives(V[LARGE], X[LARGE], scaled=True)[n - 1]
    np.testing.assert_allclose(d, _reference(n, True, V[LARGE], X[LARGE]), rtol=1e-12, atol=0)


def test_both_sides_of_the_switch_and_larger_orders():
    # Series below x = max(20, v²/5), asymptotic expansion from there on.
    v = np.array([0.3, 4.1, 9.6, 0.3, 4.1, 9.6, 4.1, -15.1, 15.1, 15.1])
    x = np.array([14.0, 14.0, 14.0, 19.9, 19.9, 20.0, 25.0, 40.0, 40.0, 50.0])
    for n in (1, 2):
        for scaled in (False, True):
            np.testing.assert_allclose(order_derivatives(v, x, scaled)[n - 1],
                                       _reference(n, scaled, v, x), rtol=1e-12)


def test_case_that_broke_the_integer_order_closed_form():
    # DLMF 10.38.4 at n = 5, x = 0.05 lost every digit; the series keeps them all.
    np.testing.assert_allclose(order_derivatives(5.0, 0.05)[0], _mp_derivative(5.0, 0.05, 1)[0],
                               rtol=1e-14)


def test_near_a_negative_integer_order():
    # 1/Γ(z) and its derivatives by reflection: no loss next to the poles of Γ.
    for v in (-2.0 + 1e-9, -3.0 - 1e-7):
        for n in (1, 2):
            np.testing.assert_allclose(order_derivatives(v, 0.7)[n - 1],
                                       _mp_derivative(v, 0.7, n)[0], rtol=1e-12)


def test_grad_of_iv_and_ive_in_the_order():
    def first(f, x):
        return wengert.grad(lambda v: wnp.sum(f(v, x)))

    np.testing.assert_allclose(first(ws.iv, X)(V), _reference(1, False), rtol=1e-12)
    np.testing.assert_allclose(first(ws.ive, X[LARGE])(V[LARGE]),
                               _reference(1, True, V[LARGE], X[LARGE]), rtol=1e-12)
    # Second derivative in v: forward over reverse, elementwise (the Hessian is diagonal).
    second = wengert.jvp(first(ws.iv, X), (V,), (np.ones_like(V),))[1]
    np.testing.assert_allclose(second, _reference(2, False), rtol=1e-12)
    second = wengert.jvp(first(ws.ive, X[LARGE]), (V[LARGE],), (np.ones(LARGE.sum()),))[1]
    np.testing.assert_allclose(second, _reference(2, True, V[LARGE], X[LARGE]), rtol=1e-12)
    # Forward mode in v alone.
    np.testing.assert_allclose(wengert.jvp(lambda v: ws.iv(v, X), (V,), (np.ones_like(V),))[1],
                               _reference(1, False), rtol=1e-12)


@pytest.mark.parametrize("f", [ws.iv, ws.ive])
def test_mixed_derivative_against_mpmath(f):
    v, x = np.array([0.3, -2.5, 4.0, 1.5]), np.array([0.8, 3.0, 25.0, 60.0])
    mixed = wengert.jvp(lambda x_: wengert.grad(lambda v_: wnp.sum(f(v_, x_)))(v), (x,),
                        (np.ones_like(x),))[1]
    with mpmath.workdps(30):
        scale = (lambda b: 1) if f is ws.iv else (lambda b: mpmath.exp(-b))
        expected = [float(mpmath.diff(lambda a_, b_: mpmath.besseli(a_, b_) * scale(b_),
                                      (a, b), (1, 1))) for a, b in zip(v, x)]
    np.testing.assert_allclose(mixed, expected, rtol=1e-12)


@pytest.mark.parametrize("f", [ws.iv, ws.ive])
def test_second_order_against_finite_differences(f):
    # Series (x < 20), asymptotic expansion (x >= 20), a negative integer and a negative
    # half-integer order.
    v = np.array([0.3, 2.5, -2.0, -0.5, 3.0])
    x = np.array([1.5, 4.0, 1.0, 0.7, 26.0])
    wengert.check_grads(f, (v, x), order=2)


def test_third_derivative_in_the_order_is_refused():
    third = wengert.grad(wengert.grad(wengert.grad(lambda v: ws.iv(v, 1.5))))
    with pytest.raises(MissingRuleError, match="third derivative of iv"):
        third(0.5)
    with pytest.raises(MissingRuleError, match="third derivative of ive"):
        wengert.grad(wengert.grad(wengert.grad(lambda v: ws.ive(v, 1.5))))(0.5)


def test_nan_where_undefined():
    with np.errstate(invalid="ignore"):
        for f in (ws.iv, ws.ive):
            g = wengert.grad(lambda v: wnp.sum(f(v, np.array([-1.5, -1.5, 0.0, 0.0, 0.0]))))
            d = g(np.array([2.0, 0.5, -0.5, 0.0, 1.5]))
            assert np.isnan(d[:4]).all()
            assert d[4] == 0.0  # x = 0, v > 0: I_v(x) = (x/2)^v/Γ(v+1) + ..., limit 0
    d1, d2 = order_derivatives(np.array([np.nan, np.inf, 1.0]), np.array([1.0, 1.0, np.inf]))
    assert np.isnan(d1).all() and np.isnan(d2).all()


def test_float32_keeps_float32():
    v, x = np.float32(0.5), np.array([1.5, 3.0], dtype=np.float32)
    for f in (ws.iv, ws.ive):
        d = wengert.grad(lambda v_: wnp.sum(f(v_, x)))(v)
        assert d.dtype == np.float32
        expected = np.sum(order_derivatives(0.5, x.astype(np.float64), scaled=f is ws.ive)[0])
        np.testing.assert_allclose(d, expected, rtol=1e-6)
        h = wengert.grad(wengert.grad(lambda v_: wnp.sum(f(v_, x))))(v)
        assert h.dtype == np.float32
