"""Code generation on hand-written Wengert lists and on scalar programs: the generated
function computes what the list says (evaluated equation by equation with NumPy)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import wengert.numpy as wnp
from wengert import grad, jit, value_and_grad
from wengert.compile import codegen
from wengert.compile.lowering import accumulate_scatters, scatter_accumulate_p
from wengert.core.wengert_list import Equation, Literal, Var, WengertList
from wengert.numpy.indexing import scatter_add_p


def evaluate(wl: WengertList, *inputs):
    """The list evaluated one equation at a time (the reference)."""
    env = {v.name: x for v, x in zip(wl.inputs, inputs)}
    for eq in wl.equations:
        args = [env[a.name] if isinstance(a, Var) else a.value for a in eq.ins]
        out = eq.primitive.impl(*args, **eq.params)
        for v, o in zip(eq.outs, out if eq.primitive.multiple_results else (out,)):
            env[v.name] = o
    return [env[o.name] if isinstance(o, Var) else o.value for o in wl.outputs]


def test_scatter_accumulation_is_one_buffer_and_exact():
    x = Var("x0", (6,), np.dtype(float))
    a, b, c = Var("x1", (5,), np.dtype(float)), Var("x2", (5,), np.dtype(float)), \
        Var("x3", (3,), np.dtype(float))
    s1, s2, s3 = (Var(f"v{k}", (6,), np.dtype(float)) for k in (1, 2, 3))
    t1, t2 = Var("v4", (6,), np.dtype(float)), Var("v5", (6,), np.dtype(float))
    from wengert.core import add_p

    lo, hi, mid = (slice(None, -1),), (slice(1, None),), (np.array([0, 2, 2]),)
    wl = WengertList([x, a, b, c], [], [
        Equation((s1,), scatter_add_p, (a,), {"index": lo, "shape": (6,), "unique": False}),
        Equation((s2,), scatter_add_p, (b,), {"index": hi, "shape": (6,), "unique": False}),
        Equation((t1,), add_p, (s1, s2), {}),
        Equation((s3,), scatter_add_p, (c,), {"index": mid, "shape": (6,), "unique": False}),
        Equation((t2,), add_p, (s3, t1), {}),
    ], [t2])
    lowered = accumulate_scatters(wl)
    prims = [eq.primitive for eq in lowered.equations]
    assert prims.count(scatter_accumulate_p) == 2 and prims.count(scatter_add_p) == 1
    rng = np.random.default_rng(0)
    args = [rng.normal(size=6), rng.normal(size=5), rng.normal(size=5), rng.normal(size=3)]
    want = np.zeros(6)
    want[:-1] += args[1]
    want[1:] += args[2]
    np.add.at(want, mid, args[3])  # index 2 twice: both writes count
    got = codegen.generate(lowered).function(*args)[0]
    np.testing.assert_array_equal(got, evaluate(wl, *args)[0])
    np.testing.assert_allclose(got, want, rtol=1e-15)


def test_output_and_reused_buffers_are_never_overwritten():
    x = Var("x0", (4,), np.dtype(float))
    v1, v2, v3 = (Var(f"v{k}", (4,), np.dtype(float)) for k in (1, 2, 3))
    wl = WengertList([x], [], [
        Equation((v1,), wnp.exp, (x,), {}),
        Equation((v2,), wnp.sin, (v1,), {}),  # v1 is still an output: no out=v1
        Equation((v3,), wnp.multiply, (v2, Literal("", 2.0)), {}),  # v2 dead: reused
    ], [v1, v3])
    gen = codegen.generate(wl)
    assert "out=v1" not in gen.source and "out=v2" in gen.source
    assert "out=x0" not in gen.source
    xs = np.linspace(0, 1, 4)
    before = xs.copy()
    e, y = gen.function(xs)
    np.testing.assert_array_equal(xs, before)
    np.testing.assert_array_equal(e, np.exp(before))
    np.testing.assert_array_equal(y, np.sin(np.exp(before)) * 2.0)


SCALAR_UNARY = [np.sin, np.cos, np.tanh, np.arctan, lambda v: np.exp(np.sin(v)),
                lambda v: np.sqrt(1.0 + v * v), lambda v: np.log1p(v * v), np.negative]
SCALAR_BINARY = [np.add, np.subtract, np.multiply, lambda a, b: a / (2.0 + np.cos(b)),
                 lambda a, b: a if a > b else b * 0.5]


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 7), st.integers(0, 9),
                          st.integers(0, 9)), min_size=1, max_size=12),
       st.floats(-2.0, 2.0))
def test_scalar_programs_agree_with_eager(steps, x0):
    """0-d code runs on Python floats with ``math``; it agrees with NumPy to 1e-12."""

    def f(x):
        pool = [x, x * 0.5 + 1.0]
        for unary, k, i, j in steps:
            a, b = pool[i % len(pool)], pool[j % len(pool)]
            pool.append(SCALAR_UNARY[k](a) if unary else SCALAR_BINARY[k % 5](a, b))
        return pool[-1] * pool[0] + 0.1 * pool[-2]

    x = np.float64(x0)
    for _ in range(2):
        np.testing.assert_allclose(jit(f)(x), f(x), rtol=1e-12, atol=1e-12)
        v, g = jit(value_and_grad(f))(x)
        v0, g0 = value_and_grad(f)(x)
        np.testing.assert_allclose([v, g], [v0, g0], rtol=1e-12, atol=1e-12)


def test_scalar_code_is_floats_with_few_locals():
    def loop(x):
        for _ in range(50):
            x = np.sin(x) * 1.0001 + 0.1 * np.cos(x)
        return x

    src = jit(value_and_grad(loop)).lower(0.5).source
    assert "math_sin(" in src and "np_sin" not in src.split("def compiled(")[1]
    assert "v150" not in src  # registers r0, r1, ... instead of one local per value
    v, g = jit(value_and_grad(loop))(0.5)
    x, d = 0.5, 1.0
    for _ in range(50):  # the derivative by hand
        d *= 1.0001 * math.cos(x) - 0.1 * math.sin(x)
        x = math.sin(x) * 1.0001 + 0.1 * math.cos(x)
    assert abs(v - x) <= 1e-14 and abs(g - d) <= 1e-12 * abs(d)
    assert jit(grad(loop))(0.5) == g


def _two_slices_list():
    """g = scatter(a*b, :-1) + scatter(a-b, :-1) + scatter(b, 1:), as the backward sweep
    of a function of x[:-1] and x[1:] records it."""
    from wengert.core import add_p

    n = 7
    a, b = Var("x0", (n - 1,), np.dtype(float)), Var("x1", (n - 1,), np.dtype(float))
    p, m = Var("v1", (n - 1,), np.dtype(float)), Var("v2", (n - 1,), np.dtype(float))
    s1, s2, s3 = (Var(f"v{k}", (n,), np.dtype(float)) for k in (3, 4, 5))
    t1, t2 = Var("v6", (n,), np.dtype(float)), Var("v7", (n,), np.dtype(float))
    lo, hi = (slice(None, -1),), (slice(1, None),)
    wl = WengertList([a, b], [], [
        Equation((p,), wnp.multiply, (a, b), {}),
        Equation((s1,), scatter_add_p, (p,), {"index": lo, "shape": (n,), "unique": False}),
        Equation((m,), wnp.subtract, (a, b), {}),
        Equation((s2,), scatter_add_p, (m,), {"index": lo, "shape": (n,), "unique": False}),
        Equation((t1,), add_p, (s1, s2), {}),
        Equation((s3,), scatter_add_p, (b,), {"index": hi, "shape": (n,), "unique": False}),
        Equation((t2,), add_p, (t1, s3), {}),
    ], [t2])
    return wl


def test_scatters_to_one_index_are_merged_and_written_in_place():
    from wengert.compile.lowering import merge_scatters

    wl = _two_slices_list()
    merged = merge_scatters(wl)
    prims = [eq.primitive for eq in merged.equations]
    assert prims.count(scatter_add_p) == 2  # the two scatters to :-1 became one
    lowered = accumulate_scatters(wl)
    gen = codegen.generate(lowered, specialise_scalars=False)
    assert "out=v" in gen.source and "zeros(" in gen.source  # a - b straight into g[:-1]
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=6), rng.normal(size=6)
    a[0], b[0] = -0.0, 0.0
    want = np.zeros(7)
    want[:-1] = (a * b) + (a - b)  # eager: 0 + a*b, then + (a - b)
    want[1:] += b
    first = gen.function(a, b)[0]
    np.testing.assert_array_equal(first, evaluate(wl, a, b)[0])
    np.testing.assert_allclose(first, want, rtol=1e-15)
    saved = first.copy()
    first[:] = 7.0  # the caller's result is its own: the next call is unaffected
    second = gen.function(a, b)[0]
    np.testing.assert_array_equal(second, saved)
    assert not np.shares_memory(first, second)


def test_scatters_with_repeating_index_are_not_merged():
    from wengert.compile.lowering import is_basic_index, merge_scatters

    assert is_basic_index((slice(1, None), 0)) and not is_basic_index((np.array([0, 0]),))
    wl = _two_slices_list()
    index = (np.array([0, 2, 2, 1, 3, 3]),)
    for eq in wl.equations:
        if eq.primitive is scatter_add_p and eq.params["index"] == (slice(None, -1),):
            eq.params["index"] = index
    assert merge_scatters(wl) is wl


def test_reductions_are_emitted_as_ufunc_reduce_and_bitwise_eager():
    """sum/max/min and the gradient's sum_to_shape (broadcast operands) as
    ``np.add.reduce``/``np.maximum.reduce`` calls: bitwise what eager computes."""

    def f(x, b, c):
        y = wnp.tanh(x + b) * c  # b (1, 40) and c (40,) broadcast: sum_to_shape in grad
        return wnp.sum(wnp.max(y, axis=0, keepdims=True) - wnp.min(y, axis=1)[:40])

    rng = np.random.default_rng(5)
    args = (rng.normal(size=(50, 40)), rng.normal(size=(1, 40)), rng.normal(size=40))
    vg = jit(value_and_grad(f, argnums=(0, 1, 2)))
    source = vg.lower(*args).source
    assert "np_add.reduce(" in source and "np_maximum.reduce(" in source
    assert "np_minimum.reduce(" in source and "sum_to_shape(" not in source
    vg(*args)
    value, grads = vg(*args)
    want_value, want_grads = value_and_grad(f, argnums=(0, 1, 2))(*args)
    assert value == want_value
    for g, w in zip(grads, want_grads):
        assert g.shape == w.shape
        np.testing.assert_array_equal(g, w)
