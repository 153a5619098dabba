"""Loops found again in unrolled element statements (``wengert/compile/native/rolled.py``):
the runs found on hand-written statement lists, and compiled programs with loops that
give bitwise the values of the straight-line code and of the Python float code."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from native_switches import needs_cc

import wengert.numpy as wnp
from wengert import jit, value_and_grad
from wengert.compile.native import rolled, unrolled


def _chain(steps: int, constant=lambda r: "K[0]"):
    """e1 = x0[0]; then per step r: a = tanh(prev) * <constant>, b = a + prev."""
    stmts = [("e1", "x0[0] * x0[1]", [], False)]
    prev, n = "e1", 1
    for r in range(steps):
        a, b = f"e{n + 1}", f"e{n + 2}"
        stmts.append((a, f"tanh({prev}) * {constant(r)}", [prev], False))
        stmts.append((b, f"{a} + {prev}", [a, prev], False))
        prev, n = b, n + 2
    return stmts


def test_a_chain_of_steps_is_one_loop():
    s = rolled.Statements(_chain(10), {})
    assert s.templates[1] == "tanh({}) * K[0]" and s.refs[2] == [1, 0]
    loops = rolled.find_loops(s)
    assert [(start, period, repeats) for start, period, repeats, _ in loops] == [(1, 2, 10)]
    assert loops[0][3] == [[2], [2, 2]]  # every reference is to the previous step
    body = "\n".join(rolled.body(s, rolled.find_loops(s)))
    assert "for (long r = 0; r < 10; r++)" in body
    assert "E[1 + 2*r] = tanh(E[0 + 2*r]) * K[0];" in body


def test_a_step_that_differs_splits_the_run():
    s = rolled.Statements(_chain(12, lambda r: "K[1]" if r == 6 else "K[0]"), {})
    runs = [(start, period, repeats) for start, period, repeats, _ in rolled.find_loops(s)]
    # statement 13 (step 6's first, with K[1]) stays straight; the second run starts at
    # the next one, the same in every step, and takes the steps in the other phase
    assert runs == [(1, 2, 6), (14, 2, 5)]


def test_reading_earlier_steps_in_reverse_is_a_negative_step():
    forward = _chain(6)
    stmts = list(forward)
    g, n = "e13", 13  # the gradient-like sweep reads the forward values backwards
    for r in range(6):
        fwd = f"e{13 - 2 * r}"
        stmts.append((f"e{n + 1}", f"{g} * {fwd}", [g, fwd], False))
        g, n = f"e{n + 1}", n + 1
    s = rolled.Statements(stmts, {})
    loops = rolled.find_loops(s)
    backward = [loop for loop in loops if loop[0] >= 13]
    assert backward and backward[0][3][0] == [1, -2]
    assert "E[12 + -2*r]" in "\n".join(rolled.body(s, rolled.find_loops(s)))


def test_too_few_repeats_stay_straight():
    s = rolled.Statements(_chain(rolled.MIN_REPEATS - 1), {})
    assert rolled.find_loops(s) == []


def _loop(A, W):
    for _ in range(30):
        A = wnp.tanh(A @ W) / (1.5 + A * A) + 0.01 * A
    return wnp.sum(A * A)


@needs_cc
def test_a_traced_loop_compiles_to_c_loops_with_the_same_values(monkeypatch):
    rng = np.random.default_rng(4)
    A, W = rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(3, 3)) * 0.5
    rolled_fn = jit(value_and_grad(_loop, argnums=(0, 1)))
    low = rolled_fn.lower(A, W)
    assert low.function.native_source.count("for (long r") >= 2  # forward and backward
    monkeypatch.setattr(unrolled, "ROLL_FROM", 10**9)
    straight = jit(value_and_grad(_loop, argnums=(0, 1))).lower(A, W)
    assert "for (long r" not in straight.function.native_source
    for _ in range(3):
        A, W = rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(3, 3)) * 0.5
        got = low.function(A, W)
        for a, b, c in zip(got, straight.function(A, W), low.function.python_version(A, W)):
            np.testing.assert_array_equal(a, b, strict=True)
            np.testing.assert_array_equal(a, c, strict=True)
    value, grads = value_and_grad(_loop, argnums=(0, 1))(A, W)
    for g, w in zip(got, [value, *grads]):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)


@needs_cc
def test_a_check_failing_inside_a_loop_runs_the_numpy_version():
    def loop(A, W):
        for _ in range(12):
            A = wnp.log(A @ W) * 0.5 + A  # log of a negative number: Python raises
        return wnp.sum(A)

    rng = np.random.default_rng(8)
    A, W = rng.uniform(1.0, 2.0, size=(3, 3)), rng.uniform(0.5, 1.0, size=(3, 3))
    low = jit(value_and_grad(loop, argnums=(0, 1))).lower(A, W)
    assert "for (long r" in low.function.native_source
    bad = A.copy()
    bad[1, 2] = -50.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = low.function(bad, W)
        numpy_version = low._generated._fallback(bad, W)
    for a, b in zip(got, numpy_version):
        np.testing.assert_array_equal(a, b, strict=True)
    assert np.isnan(got[0])


@pytest.mark.parametrize("steps", [1, 2])
def test_short_programs_keep_the_straight_line_code(steps):
    s = rolled.Statements(_chain(steps), {})
    assert rolled.find_loops(s) == []


@needs_cc
@pytest.mark.parametrize("seed", [0, 2, 3, 5, 6])
def test_random_steps_in_a_loop_bitwise_equal_to_the_straight_line_code(seed, monkeypatch):
    from test_native_unrolled import random_program

    step = random_program(seed)

    def loop(A, B):
        total = 0.0
        for _ in range(8):
            total = total + step(A, B)
            A = wnp.tanh(A @ B) + 0.1 * A
        return total

    rng = np.random.default_rng(200 + seed)
    A, B = rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(3, 3)) * 0.5
    monkeypatch.setattr(unrolled, "ROLL_FROM", 0)
    low = jit(value_and_grad(loop, argnums=(0, 1))).lower(A, B)
    assert "for (long r" in low.function.native_source
    monkeypatch.setattr(unrolled, "ROLL_FROM", 10**9)
    straight = jit(value_and_grad(loop, argnums=(0, 1))).lower(A, B)
    for _ in range(2):
        A, B = rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(3, 3)) * 0.5
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            got = low.function(A, B)
            want = straight.function(A, B)
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b, strict=True)


def test_the_search_stops_when_its_budget_is_spent(monkeypatch):
    s = rolled.Statements(_chain(40), {})
    assert rolled.find_loops(s) == [(1, 2, 40, [[2], [2, 2]])]
    monkeypatch.setattr(rolled, "WORK_PER_STATEMENT", 0)
    assert rolled.find_loops(s) == []  # nothing searched: the straight-line code
    monkeypatch.setattr(rolled, "WORK_PER_STATEMENT", 1)  # 81 statements' worth
    assert [loop[:3] for loop in rolled.find_loops(s)] == [(1, 2, 40)]


@needs_cc
def test_a_program_left_long_by_its_loops_stays_straight_line(monkeypatch):
    rng = np.random.default_rng(6)
    A, W = rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(3, 3)) * 0.5
    looped = jit(value_and_grad(_loop, argnums=(0, 1))).lower(A, W)
    assert "for (long r" in looped.function.native_source
    monkeypatch.setattr(unrolled, "LARGE", 20)  # the loops' C would be longer than this
    straight = jit(value_and_grad(_loop, argnums=(0, 1))).lower(A, W)
    assert "for (long r" not in straight.function.native_source
    for a, b in zip(looped.function(A, W), straight.function(A, W)):
        np.testing.assert_array_equal(a, b, strict=True)
