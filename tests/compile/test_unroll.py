"""Programs on tiny arrays unrolled into Python float code (``wengert/compile/unroll.py``):
same values as eager NumPy (1e-12), fresh outputs, NumPy fallback where Python raises,
and only where every value is a tiny float64 array."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import wengert.numpy as wnp
from wengert import jit, value_and_grad

RNG = np.random.default_rng(7)


def loop(A, W):
    for _ in range(5):
        A = wnp.tanh(A @ W) + 0.01 * A
    return wnp.sum(A)


def mixed(A, v):  # broadcasting a row, a transpose, a reshape, sums over one axis
    B = (A.T * v + 2.0) / (1.5 + A.T * A.T)
    C = wnp.reshape(B, (2, 6)) @ wnp.reshape(A, (6, 2))
    return wnp.sum(wnp.exp(wnp.sum(C, axis=0))) + wnp.sum(wnp.sqrt(B * B + 1.0), axis=1)[0]


def _close(got, want):
    for g, w in zip(np.atleast_1d(got), np.atleast_1d(want)):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("fun, args", [
    (loop, (RNG.normal(size=(3, 3)), RNG.normal(size=(3, 3)) / 2)),
    (mixed, (RNG.normal(size=(4, 3)), RNG.normal(size=4))),
])
def test_unrolled_value_and_grad_matches_eager(fun, args):
    vg = jit(value_and_grad(fun, argnums=(0, 1)))
    source = vg.lower(*args).source
    assert "math_tanh" in source or "math_exp" in source
    assert "matmul" not in source  # the products are written out element by element
    value, grads = vg(*args)
    want_value, want_grads = value_and_grad(fun, argnums=(0, 1))(*args)
    _close(value, want_value)
    for g, w in zip(grads, want_grads):
        assert g.shape == w.shape and g.dtype == np.float64
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)


def test_results_are_fresh_arrays():
    A, W = RNG.normal(size=(3, 3)), RNG.normal(size=(3, 3))
    vg = jit(value_and_grad(loop, argnums=(0, 1)))
    vg(A, W)  # the first call traces (and returns the traced values)
    _, (g1, _) = vg(A, W)
    saved = g1.copy()
    g1[...] = 1e300  # the caller mutates a result ...
    _, (g2, _) = vg(A, W)  # ... the next call is unaffected, and vice versa
    np.testing.assert_array_equal(g2, saved)
    assert g2 is not g1 and not np.shares_memory(g1, g2)
    np.testing.assert_array_equal(g1, 1e300)
    A2 = A + 0.5
    _, (g3, _) = vg(A2, W)
    np.testing.assert_allclose(g3, value_and_grad(loop, argnums=(0, 1))(A2, W)[1][0],
                               rtol=1e-12)
    np.testing.assert_array_equal(g2, saved)


def test_python_errors_fall_back_to_numpy():
    def f(A):
        return wnp.sum(1.0 / A + wnp.log(A))

    vg = jit(value_and_grad(f))
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert "math_log" in vg.lower(A).source
    _close(vg(A)[0], value_and_grad(f)(A)[0])
    Z = np.array([[0.0, 2.0], [3.0, -1.0]])  # 1/0 and log(-1): Python raises, NumPy not
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got, want = vg(Z), value_and_grad(f)(Z)
    np.testing.assert_array_equal(np.isnan(got[1]), np.isnan(want[1]))
    assert np.isnan(got[0]) and np.isnan(want[0])
    np.testing.assert_array_equal(got[1][0], want[1][0])


def test_not_unrolled_beyond_tiny_float64_arrays():
    big = RNG.normal(size=(5, 5))  # 25 elements
    assert "np_matmul" in jit(value_and_grad(loop)).lower(big, big).source
    small32 = RNG.normal(size=(3, 3)).astype(np.float32)
    assert "math_tanh" not in jit(loop).lower(small32, small32).source
