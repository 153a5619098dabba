"""wengert.check: finite differences, the dot-product test and check_grads."""

from __future__ import annotations

import numpy as onp
import pytest

import wengert
import wengert.numpy as np
from wengert.check import check_grads, dot_product_test, numerical_grad, numerical_jvp
from wengert.core import Primitive, defjvp, defvjp

X = onp.array([0.3, -1.2, 2.5, 0.8])


# -- finite differences against closed forms -------------------------------------------


def _cube_sum(x):
    return np.sum(x ** 3)


def test_numerical_grad_orders_of_accuracy():
    exact = 3 * X ** 2
    err = {m: onp.max(onp.abs(numerical_grad(_cube_sum, X, method=m) - exact))
           for m in ("forward", "central", "complex")}
    # Forward O(h) with h ~ 1.5e-8, central O(h^2) with h ~ 6e-6, complex step exact.
    assert 1e-10 < err["forward"] < 1e-6
    assert err["central"] < 1e-8
    assert err["complex"] <= 1e-14 * onp.max(exact)
    assert err["central"] * 10 < err["forward"]
    assert err["complex"] * 10 < err["central"]


def test_complex_step_exp_sin_to_rounding():
    x = onp.linspace(-2.0, 2.0, 9)
    g = numerical_grad(lambda v: np.sum(np.exp(v) * np.sin(v)), x, method="complex")
    exact = onp.exp(x) * (onp.sin(x) + onp.cos(x))
    onp.testing.assert_allclose(g, exact, rtol=1e-15, atol=1e-15)


def test_numerical_grad_explicit_step_and_scalar():
    g = numerical_grad(lambda v: np.sin(v), onp.float64(0.7), eps=1e-5)
    assert abs(g - onp.cos(0.7)) < 1e-9
    assert onp.shape(g) == ()


def test_numerical_jvp_closed_form_any_output():
    def f(x, y):
        return {"p": x * y, "q": (np.sin(x), y ** 2)}

    x, y = X, X[::-1].copy()
    tx, ty = onp.ones_like(x), onp.arange(4.0)
    exact = {"p": tx * y + x * ty, "q": (onp.cos(x) * tx, 2 * y * ty)}
    for method, tol in (("forward", 1e-6), ("central", 1e-9), ("complex", 1e-14)):
        got = numerical_jvp(f, (x, y), (tx, ty), method=method)
        onp.testing.assert_allclose(got["p"], exact["p"], atol=tol * 10)
        onp.testing.assert_allclose(got["q"][0], exact["q"][0], atol=tol * 10)
        onp.testing.assert_allclose(got["q"][1], exact["q"][1], atol=tol * 10)


def test_numerical_jvp_zero_tangent_and_bad_method():
    out = numerical_jvp(np.sin, (X,), (onp.zeros_like(X),))
    assert onp.all(out == 0)
    with pytest.raises(ValueError, match="method"):
        numerical_jvp(np.sin, (X,), (X,), method="backward")
    with pytest.raises(ValueError, match="structure"):
        numerical_jvp(np.sin, (X,), (X, X))


def test_numerical_on_pytrees():
    def f(p):
        return np.sum(p["w"] * p["b"][0]) + np.sum(np.exp(p["b"][1]))

    p = {"w": X, "b": (X[::-1].copy(), onp.array(0.5))}
    g = numerical_grad(f, p)
    assert set(g) == {"w", "b"} and isinstance(g["b"], tuple)
    onp.testing.assert_allclose(g["w"], p["b"][0], rtol=1e-9)
    onp.testing.assert_allclose(g["b"][0], X, rtol=1e-9)
    onp.testing.assert_allclose(g["b"][1], onp.exp(0.5), rtol=1e-9)
    ad = wengert.grad(f)(p)
    onp.testing.assert_allclose(ad["w"], g["w"], rtol=1e-8)


# -- correct functions pass --------------------------------------------------------------


def test_check_grads_passes_on_correct_functions():
    check_grads(lambda x, y: np.sin(x) * y + np.exp(x / y), (X, X[:, None] + 3.0), order=3)
    check_grads(lambda x: np.tanh(x) ** 2, (X.astype(onp.float32),), order=2)


def test_check_grads_on_pytrees():
    def f(params, x):
        return {"out": np.tanh(params["w"] * x + params["b"]), "reg": np.sum(params["w"] ** 2)}

    params = {"w": X, "b": onp.array(0.1)}
    check_grads(f, (params, X[::-1].copy()), order=2)
    lhs, rhs = dot_product_test(f, (params, X))
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_dot_product_test_returns_the_two_sides():
    lhs, rhs = dot_product_test(lambda x, y: np.sin(x) * y, (X, X[:, None] + 0.0))
    assert isinstance(lhs, float) and lhs == pytest.approx(rhs, rel=1e-12, abs=1e-12)


def test_check_grads_arguments_are_validated():
    with pytest.raises(ValueError, match="order"):
        check_grads(np.sin, (X,), order=4)
    with pytest.raises(ValueError, match="modes"):
        check_grads(np.sin, (X,), modes=("backward",))


# -- wrong rules are caught -----------------------------------------------------------


def _unary(name, impl, derivative):
    """A primitive with derivative(x) as both its VJP and its JVP factor."""
    prim = Primitive(name, impl)
    defvjp(prim, lambda g, ans, x: g * derivative(x), reads=((0,),))
    defjvp(prim, lambda t, ans, x: t * derivative(x))
    return prim


# sin with its derivative off by 1%: wrong at first order, in both modes.
bad_sin = _unary("bad_sin", onp.sin, lambda x: np.cos(x) * 1.01)

# mycos has the right value but a wrong derivative (+sin); mysin's rules use mycos, so
# mysin is right at first order and wrong at second.
mycos = _unary("mycos", onp.cos, lambda x: np.sin(x))
mysin = _unary("mysin", onp.sin, lambda x: mycos(x))

# Third order: sin3' = cos3 (right), cos3' = -sin_bad (right value), sin_bad' wrong.
sin_bad = _unary("sin_bad", onp.sin, lambda x: -np.cos(x))
cos3 = _unary("cos3", onp.cos, lambda x: -sin_bad(x))
sin3 = _unary("sin3", onp.sin, lambda x: cos3(x))


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_wrong_first_order_rule_is_caught(mode):
    with pytest.raises(AssertionError, match=f"order 1, mode {mode}"):
        check_grads(bad_sin, (X,), modes=(mode,))
    with pytest.raises(AssertionError, match="order 1"):
        check_grads(lambda x: np.sum(bad_sin(x) * x), (X,))


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_wrong_second_order_rule_is_caught_at_order_two(mode):
    check_grads(mysin, (X,), modes=(mode,), order=1)
    with pytest.raises(AssertionError, match=f"order 2, mode {mode}"):
        check_grads(mysin, (X,), modes=(mode,), order=2)


def test_wrong_third_order_rule_is_caught_at_order_three():
    check_grads(sin3, (X,), order=2)
    with pytest.raises(AssertionError, match="order 3"):
        check_grads(sin3, (X,), order=3)


def test_wrong_rule_caught_in_a_pytree_argument():
    def f(p):
        return p["a"] * bad_sin(p["b"])

    with pytest.raises(AssertionError, match="order 1"):
        check_grads(f, ({"a": X, "b": X[::-1].copy()},))
    check_grads(lambda p: p["a"] * np.sin(p["b"]), ({"a": X, "b": X[::-1].copy()},), order=2)


def test_dot_product_test_catches_inconsistent_rules():
    inconsistent = Primitive("inconsistent_sin", onp.sin)
    defvjp(inconsistent, lambda g, ans, x: g * np.cos(x) * 1.01, reads=((0,),))
    defjvp(inconsistent, lambda t, ans, x: t * np.cos(x))
    with pytest.raises(AssertionError, match="dot-product test") as info:
        dot_product_test(inconsistent, (X,))
    assert "JVP" in str(info.value) and "VJP" in str(info.value)
    # bad_sin is wrong but consistent: the dot-product test cannot see it; check_grads can.
    dot_product_test(bad_sin, (X,))
    with pytest.raises(AssertionError):
        check_grads(bad_sin, (X,), modes=("fwd",))


def test_dot_product_test_in_a_dict_argument():
    inconsistent = Primitive("inconsistent_exp", onp.exp)
    defvjp(inconsistent, lambda g, ans, x: g * ans * 1.001, reads=((-1,),))
    defjvp(inconsistent, lambda t, ans, x: t * ans)
    with pytest.raises(AssertionError, match="dot-product"):
        dot_product_test(lambda p: inconsistent(p["x"]) * p["y"], ({"x": X, "y": X},))


def test_float32_tolerances_are_looser_but_still_catch_errors():
    x32 = X.astype(onp.float32)
    check_grads(lambda x: np.exp(np.sin(x)), (x32,), order=2)
    dot_product_test(lambda x: np.exp(np.sin(x)), (x32,))
    with pytest.raises(AssertionError):
        check_grads(bad_sin, (x32,))


def test_checks_on_complex_functions_use_the_transpose_pairing():
    """Holomorphic and non-holomorphic complex functions pass; a rule that conjugates
    where the convention does not (the adjoint instead of the transpose) is caught."""
    z = onp.array([0.3 + 0.7j, -1.1 + 0.2j, 0.5 - 0.4j])
    check_grads(lambda z: np.sin(z) * z, (z,), order=2)
    check_grads(lambda z: np.conj(z) * np.exp(z), (z,), order=1)
    check_grads(lambda z: np.sum(np.abs(z) ** 2), (z,), order=2)

    adjoint = Primitive("adjoint_scale", lambda z: (2 + 1j) * z)
    defvjp(adjoint, lambda g, ans, z: g * (2 - 1j))  # conjugated: wrong here
    defjvp(adjoint, lambda t, ans, z: t * (2 + 1j))
    with pytest.raises(AssertionError):
        dot_product_test(adjoint, (z,))
