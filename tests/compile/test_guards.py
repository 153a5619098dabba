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


def test_max_and_maximum_gradients_are_traced_not_specialised():
    """The rules' masks (which entry wins a max, ties) are recorded, so new values need
    no new trace; only a tie (a different rule branch) adds a specialisation."""
    traces = []

    def f(x):
        traces.append(1)
        return np.sum(np.max(x, axis=1) ** 2) + np.sum(np.maximum(x, 0.0))

    vg = jit(value_and_grad(f))
    rng = np.random.default_rng(3)
    for _ in range(10):
        x = rng.normal(size=(4, 3))
        v, g = vg(x)
        want = 2 * np.max(x, axis=1, keepdims=True) * (x == np.max(x, axis=1,
                                                                 keepdims=True))
        want = want + (x > 0)
        want_v = np.sum(np.max(x, axis=1) ** 2) + np.sum(np.maximum(x, 0.0))
        np.testing.assert_allclose(v, want_v, rtol=1e-14)
        np.testing.assert_allclose(g, want, rtol=1e-14)
    assert len(traces) == 1
    tie = np.array([[1.0, 1.0, -1.0]])
    _, g = vg(tie)  # two winners share the cotangent: 2 * 1 * 1/2 each, + 1 from maximum
    np.testing.assert_allclose(g, [[2.0, 2.0, 0.0]])


def test_reverse_mode_of_a_jitted_function_with_a_branch_on_the_cotangent():
    """``grad(jit(f))`` runs a forward program with residuals and a backward program;
    a guard that depends on the cotangent lives in the backward one, and a miss there
    falls back to recomputing, never to a stale cotangent."""
    from wengert import custom_vjp, vjp

    @custom_vjp
    def clip_cotangent(x):
        return x * 1.0

    clip_cotangent.defvjp(lambda x: (clip_cotangent(x), None),
                          lambda _, g: (g if g < 1.0 else 1.0 + 0.0 * g,))

    def f(x):
        return clip_cotangent(np.sin(x))

    jf = jit(f)
    for g in (0.5, 2.0, 0.25, 3.0):
        _, pullback = vjp(jf, 1.0)
        assert pullback(g)[0] == pytest.approx(min(g, 1.0) * math.cos(1.0), rel=1e-15)
