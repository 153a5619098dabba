"""Guards: Python control flow on traced values under jit never gives a stale result."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from wengert import grad, jit, value_and_grad
from wengert.compile import SpecialisationWarning


def piecewise(x):
    if x > 0:
        return np.sin(x) * x
    return np.cos(x) - x


def d_piecewise(x):
    """Closed-form derivative of ``piecewise``."""
    return math.sin(x) + x * math.cos(x) if x > 0 else -math.sin(x) - 1.0


def test_branch_flips_between_calls():
    traces = []

    def f(x):
        traces.append(1)
        return piecewise(x)

    jf = jit(f)
    xs = [1.0, -1.0, 2.0, -0.5, 0.7, -2.0]
    for x in xs:
        assert jf(x) == pytest.approx(piecewise(x), rel=1e-15)
    assert len(traces) == 2  # one specialisation per branch, then cached


def test_branch_on_array_reduction_and_grad_flip():
    def f(x):
        if np.all(x > 0):
            return np.sum(np.log(x))
        return np.sum(x**2)

    vg = jit(value_and_grad(f))
    for x in (np.array([1.0, 2.0]), np.array([1.0, -2.0]), np.array([3.0, 4.0])):
        v, g = vg(x)
        if np.all(x > 0):
            np.testing.assert_allclose(v, np.sum(np.log(x)), rtol=1e-15)
            np.testing.assert_allclose(g, 1.0 / x, rtol=1e-15)
        else:
            np.testing.assert_allclose(v, np.sum(x**2), rtol=1e-15)
            np.testing.assert_allclose(g, 2.0 * x, rtol=1e-15)


@pytest.mark.parametrize("compose", ["jit_grad", "grad_jit"])
def test_guards_inside_nested_transformations(compose):
    d = jit(grad(piecewise)) if compose == "jit_grad" else grad(jit(piecewise))
    for x in (0.3, -0.3, 1.7, -2.5, 0.3):
        assert d(x) == pytest.approx(d_piecewise(x), rel=1e-14)


def test_while_loop_on_a_traced_error():
    def sqrt_newton(a):
        x = a
        while abs(x * x - a) > 1e-12 * a:
            x = 0.5 * (x + a / x)
        return x

    f = jit(sqrt_newton, max_specializations=16)
    for a in (2.0, 2.0, 9.0, 1e4, 2.0, 0.25):
        assert f(a) == pytest.approx(math.sqrt(a), rel=1e-12)
    # the derivative through the unrolled loop is the derivative of sqrt
    assert jit(grad(sqrt_newton))(9.0) == pytest.approx(1 / 6, rel=1e-10)


def test_indexing_by_traced_integers():
    table = np.array([10.0, 20.0, 30.0, 40.0])

    @jit
    def pick(x, i):
        return x[int(i)] * table[np.argmax(x)]

    x = np.array([1.0, 5.0, 2.0, 3.0])
    assert pick(x, 2) == 2.0 * 20.0
    assert pick(x, 3) == 3.0 * 20.0
    y = np.array([9.0, 5.0, 2.0, 3.0])
    assert pick(y, 3) == 3.0 * 10.0
    assert pick(x, np.int64(0)) == 1.0 * 20.0


def test_float_read_is_guarded():
    @jit
    def f(x):
        scale = float(np.sum(x))  # a Python number from a traced value
        return x / scale

    a, b = np.array([1.0, 3.0]), np.array([2.0, 2.0])
    np.testing.assert_allclose(f(a), a / 4.0)
    np.testing.assert_allclose(f(b), b / 4.0)
    np.testing.assert_allclose(f(np.array([1.0, 1.0])), [0.5, 0.5])


def test_where_on_a_traced_condition_needs_no_guard():
    traces = []

    def relu_sum(x):
        traces.append(1)
        return np.sum(np.where(x > 0, x, 0.0) ** 2)

    vg = jit(value_and_grad(relu_sum))
    rng = np.random.default_rng(1)
    for _ in range(4):
        x = rng.normal(size=20)
        v, g = vg(x)
        np.testing.assert_allclose(v, np.sum(np.maximum(x, 0) ** 2), rtol=1e-14)
        np.testing.assert_allclose(g, 2 * np.maximum(x, 0), rtol=1e-14)
    assert len(traces) == 1


def test_past_the_bound_runs_eagerly_and_warns_once_naming_the_line():
    def f(x):
        n = 0
        while x > 1.0:  # one specialisation per iteration count
            x = x / 2.0
            n += 1
        return x + n

    def eager(x):
        n = 0
        while x > 1.0:
            x = x / 2.0
            n += 1
        return x + n

    jf = jit(f, max_specializations=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for x in (0.5, 1.5, 3.0, 6.5, 13.0, 0.25):
            assert jf(x) == eager(x)
    ours = [w for w in caught if issubclass(w.category, SpecialisationWarning)]
    assert len(ours) == 1
    assert "test_guards.py:" in str(ours[0].message)
    assert "max_specializations" in str(ours[0].message)
