"""Uniform cotangents (``wengert/core/uniform.py``): a reduction's broadcast cotangent
stays one number through scaling and negation, gives the numbers of the full-array
products, and reaches the user as a fresh writeable array."""

import numpy as onp
import pytest

import wengert
import wengert.numpy as np
from wengert.check import numerical_grad
from wengert.core.accumulate import Negated, accumulate, densify
from wengert.core.uniform import divided, negated, scaled, uniform_value


def _uniform(value, shape, dtype=onp.float64):
    return onp.broadcast_to(onp.asarray(value, dtype=dtype), shape)


@pytest.mark.parametrize("dtype", [onp.float32, onp.float64, onp.complex128])
def test_helpers_match_the_full_array_products_and_stay_uniform(dtype):
    g = _uniform(1.5, (4, 3), dtype)
    dense = onp.array(g)
    d = onp.linspace(-1.0, 2.0, 12).reshape(4, 3).astype(dtype)
    for got, want in [(scaled(g, 100.0), dense * 100.0), (scaled(g, d), dense * d),
                      (divided(g, 7.0), dense / 7.0), (divided(g, d + 3), dense / (d + 3)),
                      (negated(g), -dense)]:
        assert got.shape == want.shape and got.dtype == want.dtype
        onp.testing.assert_array_equal(got, want)
    for got in (scaled(g, 100.0), divided(g, 7.0), negated(g)):  # no full array written
        assert uniform_value(got) is not None and not any(got.strides)


def test_non_uniform_cotangents_are_left_to_numpy():
    g = onp.arange(6.0).reshape(2, 3)
    assert uniform_value(g) is None and uniform_value(onp.float64(2.0)) is None
    assert uniform_value(onp.ones(1)) is None  # one element: nothing to save
    onp.testing.assert_array_equal(scaled(g, 2.0), g * 2.0)


def test_a_negation_stays_lazy_until_something_needs_it():
    g = onp.linspace(-2.0, 3.0, 6).reshape(2, 3)
    n = negated(g)
    assert type(n) is Negated and n.value is g  # nothing written
    assert negated(n) is g
    onp.testing.assert_array_equal(densify(n), -g)
    onp.testing.assert_array_equal(densify(scaled(n, 2.0)), (-g) * 2.0)
    onp.testing.assert_array_equal(densify(scaled(n, g)), (-g) * g)
    onp.testing.assert_array_equal(densify(divided(n, 3.0)), (-g) / 3.0)
    # accumulated by subtraction into a buffer the sweep owns, or negated once
    ct, owned = [g.copy()], {}
    accumulate(ct, owned, 0, n)
    onp.testing.assert_array_equal(ct[0], g - g)
    ct = [n]
    accumulate(ct, {}, 0, negated(g * 2))
    onp.testing.assert_array_equal(ct[0], (-g) + (-(g * 2)))
    # a plain array the sweep does not own and a negated one, either way round: one
    # subtraction into a fresh buffer, the plain array untouched
    h = g[::-1] + 0.5
    for first, second, want in ((h, n, h - g), (n, h, h - g)):
        kept = h.copy()
        ct, owned = [first], {}
        accumulate(ct, owned, 0, second)
        onp.testing.assert_array_equal(ct[0], want)
        assert owned[0] is ct[0] and ct[0] is not h and ct[0] is not g
        onp.testing.assert_array_equal(h, kept)


@pytest.mark.parametrize("case", ["negative", "subtract", "broadcast", "repeated_index",
                                  "divide", "into_tanh"])
def test_gradients_through_lazy_negations(case):
    rng = onp.random.default_rng(3)
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((1, 4))
    funs = {
        "negative": lambda x, y: np.sum(np.square(-x) * 3.0),
        "subtract": lambda x, y: np.sum((1.0 - x) ** 2 + np.square(x - 2.0 * x)),
        "broadcast": lambda x, y: np.sum(np.sin(x - y)),
        "repeated_index": lambda x, y: np.sum((1.0 - x[[0, 0, 2]]) ** 2),
        "divide": lambda x, y: np.sum(3.0 / (2.0 + x * x) - y),
        "into_tanh": lambda x, y: np.sum(np.tanh(-(x - y)) * x),
    }
    f = funs[case]
    gx, gy = wengert.grad(f, argnums=(0, 1))(x, y)
    for got, want in ((gx, numerical_grad(lambda a: f(a, y), x)),
                      (gy, numerical_grad(lambda b: f(x, b), y))):
        onp.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-8)
        assert type(got) is onp.ndarray and got.flags.writeable
    # the jitted gradient traces the same rules on tracers: bitwise the same
    jx, jy = wengert.jit(wengert.grad(f, argnums=(0, 1)))(x, y)
    onp.testing.assert_array_equal(jx, gx)
    onp.testing.assert_array_equal(jy, gy)


def test_gradients_through_uniform_cotangents_are_exact_and_writeable():
    x = onp.linspace(-1.0, 1.0, 7)
    for f, want in [(lambda x: np.sum(100.0 * x), onp.full(7, 100.0)),
                    (lambda x: -np.mean(3.0 * x), onp.full(7, -3.0 / 7)),
                    (lambda x: np.sum(x / 4.0), onp.full(7, 0.25)),
                    (lambda x: np.sum(5.0 * x ** 2), 10.0 * x)]:
        g = wengert.grad(f)(x)
        assert g.flags.writeable
        onp.testing.assert_allclose(g, want, rtol=1e-15)


def test_rosenbrock_gradient_against_its_closed_form_and_second_order():
    x = onp.linspace(-1.2, 1.1, 9)

    def f(x):
        return np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)

    a, d = x[:-1], x[1:] - x[:-1] ** 2
    want = onp.zeros_like(x)
    want[:-1] = -400 * d * a - 2 * (1 - a)
    want[1:] += 200 * d
    onp.testing.assert_allclose(wengert.grad(f)(x), want, rtol=1e-13, atol=1e-12)
    wengert.check_grads(f, (x,), modes=("rev", "fwd"), order=2)  # tracers: no shortcut
