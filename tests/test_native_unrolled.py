"""Native code for programs on tiny arrays (``wengert/compile/native/unrolled.py``):
bitwise the values of the Python float code it replaces, the NumPy version where Python
raises, the Python code where the native one cannot run, and safe to call from threads."""

from __future__ import annotations

import operator
import threading
import warnings

import numpy as np
import pytest
from native_switches import needs_cc, turn_native_off

import wengert.numpy as wnp
from wengert import jit, value_and_grad

UNARY = [wnp.tanh, wnp.sin, lambda x: wnp.exp(wnp.tanh(x)), lambda x: wnp.log(x * x + 1.0),
         lambda x: wnp.sqrt(x * x + 0.5), lambda x: 1.0 / (1.5 + x * x), operator.neg]
BINARY = [operator.add, operator.sub, operator.mul, operator.matmul,
          lambda a, b: a / (1.25 + b * b), lambda a, b: a * wnp.sum(b, axis=0),
          lambda a, b: a.T - 0.5 * b]


def random_program(seed: int):
    """A random composition of elementwise functions, quotients, products, transposes
    and sums of two 3x3 matrices, with a scalar result."""
    rng = np.random.default_rng(seed)
    plan = [(int(rng.integers(2)), int(rng.integers(len(UNARY))),
             int(rng.integers(len(BINARY)))) for _ in range(6)]

    def fun(A, B):
        vals = [A, B]
        for unary, u, b in plan:
            x, y = vals[-1], vals[-2]
            vals.append(UNARY[u](x) if unary else BINARY[b](x, y))
        return wnp.sum(vals[-1]) + 0.1 * wnp.sum(vals[-2] * vals[-3])

    return fun


def _lower(fun, *args):
    g = jit(value_and_grad(fun, argnums=tuple(range(len(args)))))
    g(*args)
    return g.lower(*args)


def _assert_bitwise(got, want):
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert type(a) is type(b)
        np.testing.assert_array_equal(a, b, strict=True)


def _flat_eager(fun, *args):
    value, grads = value_and_grad(fun, argnums=tuple(range(len(args))))(*args)
    return [value, *grads]


@needs_cc
@pytest.mark.parametrize("seed", [0, 2, 3, 4, 5, 6, 7])  # 1 is not unrolled
def test_random_programs_bitwise_equal_to_the_python_float_code(seed):
    rng = np.random.default_rng(100 + seed)
    A, B = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    fun = random_program(seed)
    low = _lower(fun, A, B)
    native = low.function
    assert "wengert_unrolled" in native.native_source
    for _ in range(3):
        A, B = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
        got = native(A, B)
        _assert_bitwise(got, native.python_version(A, B))
        for g, w in zip(got, _flat_eager(fun, A, B)):  # and the values are right
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


@needs_cc
def test_scalar_inputs_non_contiguous_inputs_and_constant_outputs():
    def fun(A, s):
        B = wnp.exp(A * s) / (1.0 + wnp.tanh(A.T) @ A)
        return wnp.sum(wnp.log(B + 2.0) * wnp.sqrt(B * B + s)), B, 3.0

    A = np.random.default_rng(1).normal(size=(3, 3))
    g = jit(fun)
    g(A, 0.7)
    native = g.lower(A, 0.7).function
    assert hasattr(native, "native_source")
    for args in [(A, 0.7), (A.T, 0.7), (np.asfortranarray(A), np.float64(2.0)),
                 (A, np.array(1.5))]:
        got = native(*args)
        _assert_bitwise(got, native.python_version(*args))
        want = fun(*args)
        np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
        np.testing.assert_allclose(got[1], want[1], rtol=1e-12)
        assert got[2] == 3.0


def _overflow(A, W):  # exp overflows in the product's corner; 1/(1+inf) is a finite 0
    return wnp.sum(1.0 / (1.0 + wnp.exp(A @ W)) + wnp.tanh(A))


def _domain(A, W):  # log of a negative number: Python raises, NumPy gives nan
    return wnp.sum(wnp.log(A @ W) * W + wnp.tanh(A) * A)


@needs_cc
@pytest.mark.parametrize("fun", [_overflow, _domain])
def test_where_python_raises_the_numpy_version_runs(fun):
    rng = np.random.default_rng(3)
    A, W = rng.uniform(0.5, 1.0, size=(3, 3)), rng.uniform(0.5, 1.0, size=(3, 3))
    low = _lower(fun, A, W)
    native = low.function
    assert hasattr(native, "native_source")
    bad_A = A.copy()
    bad_A[0, 0] = 2000.0 if fun is _overflow else -2000.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = native(bad_A, W)
        numpy_version = low._generated._fallback(bad_A, W)
        eager = _flat_eager(fun, bad_A, W)
    _assert_bitwise(got, numpy_version)
    for g, w in zip(got, eager):
        np.testing.assert_allclose(g, w, rtol=1e-12, equal_nan=True)
    if fun is _domain:
        assert np.isnan(got[0])
    else:
        assert np.isfinite(got[0])
    _assert_bitwise(native(A, W), native.python_version(A, W))  # finite again


@pytest.mark.parametrize("how", ["setting", "no compiler"])
def test_without_native_code_the_python_float_code_runs(monkeypatch, how):
    turn_native_off(monkeypatch, how)
    rng = np.random.default_rng(5)
    A, B = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    fun = random_program(0)
    low = _lower(fun, A, B)
    assert not hasattr(low.function, "native_source")
    assert "math_" in low.source and "ravel" in low.source  # the unrolled float code
    for g, w in zip(low.function(A, B), _flat_eager(fun, A, B)):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


@needs_cc
def test_concurrent_calls_from_threads():
    fun = random_program(2)
    rng = np.random.default_rng(9)
    inputs = [(rng.normal(size=(3, 3)), rng.normal(size=(3, 3))) for _ in range(16)]
    low = _lower(fun, *inputs[0])
    native = low.function
    assert hasattr(native, "native_source")
    want = [native.python_version(*args) for args in inputs]
    failures = []

    def worker(offset):
        for k in range(200):
            i = (k + offset) % len(inputs)
            got = native(*inputs[i])
            if not all(np.array_equal(a, b) for a, b in zip(got, want[i])):
                failures.append(i)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


@needs_cc
def test_the_matrix_loop_runs_native_and_fresh_outputs():
    def loop(A, W):
        for _ in range(20):
            A = wnp.tanh(A @ W) + 0.01 * A
        return wnp.sum(A)

    rng = np.random.default_rng(11)
    A, W = rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(3, 3)) * 0.5
    g = jit(value_and_grad(loop, argnums=(0, 1)))
    value, (gA, gW) = g(A, W)
    native = g.lower(A, W).function
    assert hasattr(native, "native_source")
    v1, (a1, w1) = g(A, W)
    v2, (a2, w2) = g(A, W)
    assert a1 is not a2 and not np.shares_memory(a1, w1)
    _assert_bitwise([v1, a1, w1], native.python_version(A, W))
    want = _flat_eager(loop, A, W)
    for got, w in zip([v1, a1, w1], want):
        np.testing.assert_allclose(got, w, rtol=1e-12, atol=1e-14)


def test_statements_read_once_are_written_into_their_reader():
    from wengert.compile.native.unrolled import _fold

    stmts = [("e1", "x0[0] * x0[1]", [], False),
             ("e2", "e1 + K[0]", ["e1"], False),
             ("e3", "exp(e2)", ["e2"], True),       # checked: stays a statement
             ("e4", "e3 * e3", ["e3", "e3"], False),  # an output: stays
             ("e5", "e4 - e1x", ["e4"], False)]      # a name that only starts like e1
    got = _fold(stmts, {"e4": ["o0[0]"], "e5": ["o0[1]"]})
    assert got == [("e3", "exp(((x0[0] * x0[1]) + K[0]))", [], True),
                   ("e4", "e3 * e3", ["e3", "e3"], False),
                   ("e5", "e4 - e1x", ["e4"], False)]
