"""The cross-call buffer pool of compiled programs (``wengert.compile.pool``): large
intermediates are written into buffers kept across calls; no returned array is (or views)
a pool buffer, concurrent calls get buffer sets of their own, a raising call drops its
set. Every result is checked against the same function run eagerly (NumPy)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import wengert
import wengert.numpy as wnp
from wengert.compile import settings
from wengert.compile.passes.fusion import FusedPrimitive
from wengert.compile.pool import MIN_BYTES, BufferPool

N = MIN_BYTES // 8 + 8  # float64 elements: just large enough to be pooled
RNG = np.random.default_rng(7)


def _pool_of(function) -> BufferPool | None:
    """The pool a generated function takes its buffers from (a closure variable)."""
    for cell in function.__closure__ or ():
        owner = getattr(cell.cell_contents, "__self__", None)
        if isinstance(owner, BufferPool):
            return owner
    return None


def _rosenbrock(xp, x):
    return xp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _rosenbrock_grad(x):
    """Closed form: g_i = -400 x_i (x_{i+1} - x_i²) - 2 (1 - x_i) + 200 (x_i - x_{i-1}²)."""
    a, d = x[:-1], x[1:] - x[:-1] ** 2
    g = np.zeros_like(x)
    g[:-1] = -400.0 * a * d - 2.0 * (1.0 - a)
    g[1:] += 200.0 * d
    return g


def _views_and_outputs(xp, x, y):
    """Outputs that are views of (or computed into the buffers of) intermediates:
    a transpose, a slice, a reshape of elementwise results, and a plain sum."""
    t = xp.sin(x) * y + 1.0
    u = xp.exp(-t * t) * 2.0
    w = (u - y) * x
    m = xp.reshape(w, (N // 8, 8))
    return xp.transpose(m), t[::3], xp.sum(u * u), xp.reshape(u * 3.0 + t, (8, N // 8))


def _assert_no_pool_memory(results, pool: BufferPool, held: list) -> None:
    for r in results:
        for buf in held:
            assert not np.shares_memory(np.asarray(r), buf), "an output views a pool buffer"


def test_pool_is_used_and_outputs_never_alias_its_buffers():
    x, y = RNG.standard_normal(N), RNG.standard_normal(N)
    lowered = wengert.jit(lambda x, y: _views_and_outputs(wnp, x, y)).lower(x, y)
    assert "buffers = pool_take()" in lowered.source and "pool_give(buffers)" in lowered.source
    fn = lowered.function
    pool = _pool_of(fn)
    assert pool is not None and pool.specs
    first = fn(x, y)
    expected_first = _views_and_outputs(np, x, y)
    kept = [np.array(r, copy=True) for r in first]
    held = list(pool._free[-1])  # the set the first call used and gave back
    x2, y2 = RNG.standard_normal(N), RNG.standard_normal(N)
    second = fn(x2, y2)
    assert pool.idle == 1  # the same set, taken and given back again
    for r, k, e in zip(first, kept, expected_first):
        np.testing.assert_array_equal(np.asarray(r), k)  # untouched by the second call
        np.testing.assert_allclose(np.asarray(r), e, rtol=1e-12, atol=1e-12)
    for r, e in zip(second, _views_and_outputs(np, x2, y2)):
        np.testing.assert_allclose(np.asarray(r), e, rtol=1e-12, atol=1e-12)
    _assert_no_pool_memory(first + second, pool, held)


def test_value_and_grad_twice_keeps_first_results():
    vg = wengert.jit(wengert.value_and_grad(lambda x: _rosenbrock(wnp, x)))
    x1, x2 = RNG.uniform(-1, 1, N), RNG.uniform(-1, 1, N)
    assert "pool_take" in vg.lower(x1).source
    v1, g1 = vg(x1)
    g1_copy = g1.copy()
    v2, g2 = vg(x2)
    v3, g3 = vg(x1)
    assert g3 is not g1 and not np.shares_memory(g1, g3) and not np.shares_memory(g1, g2)
    np.testing.assert_array_equal(g1, g1_copy)
    for x, v, g in ((x1, v1, g1), (x2, v2, g2), (x1, v3, g3)):
        assert v == pytest.approx(_rosenbrock(np, x), rel=1e-12)
        np.testing.assert_allclose(g, _rosenbrock_grad(x), rtol=1e-10, atol=1e-10)


def test_threads_calling_one_compiled_function():
    f = wengert.jit(lambda x, y: _views_and_outputs(wnp, x, y))
    inputs = [(RNG.standard_normal(N), RNG.standard_normal(N)) for _ in range(6)]
    f(*inputs[0])  # compiled once, before the threads start
    errors: list = []
    barrier = threading.Barrier(len(inputs))

    def work(x, y):
        try:
            barrier.wait()
            expected = _views_and_outputs(np, x, y)
            for _ in range(8):
                for r, e in zip(f(x, y), expected):
                    np.testing.assert_allclose(np.asarray(r), e, rtol=1e-12, atol=1e-12)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=xy) for xy in inputs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_a_raising_call_drops_its_set_and_later_calls_are_right():
    x, y = RNG.standard_normal(N), RNG.standard_normal(N)
    fn = wengert.jit(lambda x, y: _views_and_outputs(wnp, x, y)).lower(x, y).function
    pool = _pool_of(fn)
    fn(x, y)
    assert pool.idle == 1
    with pytest.raises(ValueError):  # y of a wrong shape: fails after the set is taken
        fn(x, y[:-1])
    assert pool.idle == 0  # the raising call took the idle set and dropped it
    for r, e in zip(fn(x, y), _views_and_outputs(np, x, y)):
        np.testing.assert_allclose(np.asarray(r), e, rtol=1e-12, atol=1e-12)
    assert pool.idle == 1


def test_recursive_and_nested_takes_get_distinct_sets():
    pool = BufferPool([((4,), np.float64), ((2, 3), np.int64)], max_idle=2)
    a = pool.take()
    b = pool.take()  # taken while ``a`` is held: a set of its own
    assert [s.shape for s in a] == [(4,), (2, 3)] and a[1].dtype == np.int64
    assert not any(np.shares_memory(p, q) for p in a for q in b)
    pool.give(a)
    pool.give(b)
    assert pool.take() is b and pool.take() is a
    for s in (a, b, pool.take()):
        pool.give(s)
    assert pool.idle == 2  # bounded: the oldest idle set was dropped
    assert pool.nbytes == 4 * 8 + 6 * 8


def test_tiny_arrays_and_the_setting_turn_pooling_off(monkeypatch):
    small = RNG.standard_normal(64)
    src = wengert.jit(lambda x: wnp.sum(wnp.sin(x) * x + x)).lower(small).source
    assert "pool_take" not in src
    monkeypatch.setattr(settings, "buffer_pool", False)
    x, y = RNG.standard_normal(N), RNG.standard_normal(N)
    lowered = wengert.jit(lambda x, y: _views_and_outputs(wnp, x, y)).lower(x, y)
    assert "pool_take" not in lowered.source
    for r, e in zip(lowered.function(x, y), _views_and_outputs(np, x, y)):
        np.testing.assert_allclose(np.asarray(r), e, rtol=1e-12, atol=1e-12)


def test_float_code_with_pool_and_fallback():
    """0-d float code (with its NumPy fallback) around pooled array code."""
    def f(x, s):
        k = wnp.exp(s) * 2.0 - s
        return wnp.sum(wnp.tanh(x * k) * x + k), k * 3.0

    x, s = RNG.standard_normal(N), np.float64(0.3)
    jf = wengert.jit(f)
    assert "pool_take" in jf.lower(x, s).source
    for _ in range(3):
        total, k3 = jf(x, s)
        k = np.exp(0.3) * 2.0 - 0.3
        assert total == pytest.approx(np.sum(np.tanh(x * k) * x + k), rel=1e-12)
        assert k3 == pytest.approx(3 * k, rel=1e-15)


def test_fused_kernel_scratch_never_returned():
    """A NumPy-plan kernel given scratch buffers writes its temporaries there and, without
    ``out``, returns a fresh array (never one of the scratch buffers)."""
    from wengert.compile.passes import fusion
    from wengert.core.wengert_list import Equation, Var, WengertList
    from wengert.numpy.elementwise import multiply
    from wengert.numpy.unary import exp, tanh

    x, a, b, y = (Var(n, (N,), np.float64) for n in ("x", "a", "b", "y"))
    wl = WengertList([x], [], [Equation((a,), tanh, (x,), {}), Equation((b,), exp, (a,), {}),
                               Equation((y,), multiply, (b, x), {})], [y])
    prims = [eq.primitive for eq in fusion(wl).equations]
    (prim,) = [p for p in prims if isinstance(p, FusedPrimitive)]
    assert not prim.uses_numexpr and prim.scratch_dtypes
    values = RNG.standard_normal(N)
    scratch = tuple(np.empty(N, dt) for dt in prim.scratch_dtypes)
    expected = np.exp(np.tanh(values)) * values
    result = prim.impl(values, scratch=scratch)
    assert not any(np.shares_memory(result, s) for s in scratch)
    np.testing.assert_array_equal(result, expected)
    out = np.empty(N)
    assert prim.impl(values, out=out, scratch=scratch) is out
    np.testing.assert_array_equal(out, expected)


# -- random programs, every intermediate pooled ---------------------------------------

_UNARY = [
    lambda v: np.sin(v) * 2.0, np.tanh, lambda v: np.exp(np.tanh(v)), np.negative,
    lambda v: v.T.T * 0.5 + 1.0, lambda v: np.reshape(v, (30, 40)).T, lambda v: v[::-1] * v,
    lambda v: np.sqrt(1.0 + v * v),
]
_BINARY = [
    np.add, np.multiply, lambda a, b: a / (1.0 + b * b),
    lambda a, b: np.where(a > b, a, b), lambda a, b: 0.01 * (a @ (b.T @ a)),
    lambda a, b: a * np.sum(b, axis=0, keepdims=True),
    lambda a, b: np.concatenate([a[:, :10], b[:, 10:]], axis=1),
]


def _program(steps):
    """Several outputs: the last values, a transpose and a slice of earlier ones (views
    of intermediates), and a gradient-like reduction."""
    def f(xp, x):
        vals = [x, xp.cos(x)]
        for kind, k, i, j in steps:
            a, b = vals[i % len(vals)], vals[j % len(vals)]
            vals.append(_UNARY[k % len(_UNARY)](a) if kind == "u"
                        else _BINARY[k % len(_BINARY)](a, b))
        return vals[-1], vals[-2].T, vals[len(vals) // 2][1:, ::2], xp.sum(vals[-1] * x)

    return f


@hypothesis_settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ub"), st.integers(0, 7), st.integers(0, 20),
                          st.integers(0, 20)), min_size=1, max_size=8),
       st.integers(0, 2**31 - 1))
def test_random_programs_pooled_everywhere(steps, seed):
    import wengert.compile.pool as pool_module

    old = pool_module.MIN_BYTES
    pool_module.MIN_BYTES = 0  # pool every intermediate, however small
    try:
        f = _program(steps)
        jf = wengert.jit(lambda x: f(wnp, x))
        rng = np.random.default_rng(seed)
        x1, x2 = rng.uniform(-1, 1, (40, 30)), rng.uniform(-1, 1, (40, 30))
        first = jf(x1)
        kept = [np.array(r, copy=True) for r in first]
        second = jf(x2)
        for got, want in ((first, f(np, x1)), (second, f(np, x2))):
            for g, w in zip(got, want):
                np.testing.assert_allclose(np.asarray(g), w, rtol=1e-12, atol=1e-12)
        for r, k in zip(first, kept):
            np.testing.assert_array_equal(np.asarray(r), k)
        g1 = wengert.jit(wengert.grad(lambda x: f(wnp, x)[-1]))(x1)
        g2 = wengert.grad(lambda x: f(wnp, x)[-1])(x1)
        np.testing.assert_allclose(g1, g2, rtol=1e-12, atol=1e-12)
    finally:
        pool_module.MIN_BYTES = old
