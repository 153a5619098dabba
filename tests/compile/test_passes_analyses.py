"""The analyses the code generator uses: liveness, buffer reuse, 0-d float code.

Each is checked by running the list the way generated code would: deleting every value
after its last use (a read of a deleted value fails), and writing results into the
buffers ``buffer_reuse`` names; the outputs must equal the plain interpreter's bitwise."""

from __future__ import annotations

import math

import numpy as np
from test_passes_support import WL, E, L, V, assert_bitwise, random_inputs, run_like_codegen

from wengert.compile.passes import buffer_reuse, liveness, optimize, scalar_code, scalar_vars
from wengert.compile.passes.interpret import run
from wengert.core.wengert_list import Literal, Var
from wengert.numpy.elementwise import add, divide, multiply, subtract
from wengert.numpy.products import matmul_p
from wengert.numpy.reductions import sum_p
from wengert.numpy.shapes import reshape_p
from wengert.numpy.unary import exp, sin, tanh

RNG = np.random.default_rng(3)


def _check(wl, special=True):
    for dead_values in (False, True):
        xs = random_inputs(wl, RNG, special)
        with np.errstate(all="ignore"):
            want = run(wl, *[np.copy(x) for x in xs])
            got, _ = run_like_codegen(wl, *xs, dead_values=dead_values)
        for w, g in zip(want, got):
            assert_bitwise(w, g)


def _mlp_like(n=64):
    """h = tanh(x @ W + b); loss = sum(h * h) with a view of h kept as an output."""
    x, W, b = V("x", (n, n)), V("W", (n, n)), V("b", (n,))
    z, a, h, hh, s, r = (V("z", (n, n)), V("a", (n, n)), V("h", (n, n)), V("hh", (n, n)),
                         V("s"), V("r", (n * n,)))
    eqs = [E(z, matmul_p, x, W), E(a, add, z, b), E(h, tanh, a), E(r, reshape_p, h, shape=(n * n,)),
           E(hh, multiply, h, h), E(s, sum_p, hh, axis=(0, 1), keepdims=False)]
    return WL([x, W, b], eqs, [s, r])


def test_liveness_frees_each_value_once_after_its_last_use():
    wl = _mlp_like()
    free = liveness(wl)
    names = [[v.name for v in vs] for vs in free]
    assert names == [["x", "W"], ["z", "b"], ["a"], [], ["h"], ["hh"]]
    _check(wl)


def test_liveness_frees_unused_values_at_definition_and_never_outputs():
    x, a, b = V("x", (3,)), V("a", (3,)), V("b", (3,))
    wl = WL([x], [E(a, exp, x), E(b, sin, x)], [x, b])   # a is never read; x is an output
    assert [[v.name for v in vs] for vs in liveness(wl)] == [["a"], []]
    _check(wl)


def test_buffer_reuse_writes_into_dying_fresh_values_only():
    wl = _mlp_like()
    plan = {k: v.name for k, v in buffer_reuse(wl).items()}
    # a = z + b reuses z (fresh from matmul, dies there, same shape; b is an input);
    # tanh(a) reuses a; h * h may not reuse h: its view r is an output
    assert plan == {1: "z", 2: "a"}
    _check(wl)


def test_buffer_reuse_refuses_inputs_constants_views_broadcasts_and_dtypes():
    n = 8
    x, c = V("x", (n,)), Literal("c0", np.ones(n))
    e, v, y, s = V("e", (n,)), V("v", (n,)), V("y", (n,)), V("s", (2, n))
    e32, y32 = V("e32", (n,), np.float32), V("y32", (n,), np.float64)
    eqs = [E(y, add, x, c),                        # input and constant: never
           E(e, exp, x), E(v, reshape_p, e, shape=(n,)),
           E(V("w", (n,)), sin, e),                # e dies here but its view v lives on
           E(V("u", (n,)), exp, y),
           E(s, add, V("u", (n,)), V("row", (2, n))),     # u is smaller than the output
           E(e32, exp, V("x32", (n,), np.float32)),
           E(y32, multiply, e32, L(np.float64(2.0)))]                       # dtype changes
    wl = WL([x, V("row", (2, n)), V("x32", (n,), np.float32)], eqs,
            [V("w", (n,)), v, s, y32], [c])
    # only u = exp(y) may write into y (fresh from an add, dies there)
    assert {k: v.name for k, v in buffer_reuse(wl).items()} == {4: "y"}
    _check(wl)


def test_reuse_liveness_and_fusion_together_on_an_optimised_list():
    n = 300
    x, w = V("x", (n,)), V("w", (n,))
    t, m, y, g, s = V("t", (n,)), V("m", (n,)), V("y", (n,)), V("g", (n,)), V("s")
    eqs = [E(t, tanh, x), E(m, multiply, t, L(1.0)), E(y, add, m, w), E(g, divide, y, w),
           E(s, sum_p, g, axis=(0,), keepdims=False)]
    wl = WL([x, w], eqs, [s])
    out = optimize(wl)
    assert len(out.equations) == 2
    _check(out)
    xs = random_inputs(wl, RNG)
    with np.errstate(all="ignore"):
        assert_bitwise(run_like_codegen(out, *xs)[0][0], run(wl, *xs)[0])


def test_scalar_code_marks_zero_d_float64_arithmetic():
    x, y = V("x"), V("y")
    a, b, c, d = V("a"), V("b"), V("c"), V("d")
    arr, f32, s = V("arr", (3,)), V("f32", (), np.float32), V("s", (3,))
    eqs = [E(a, multiply, x, y), E(b, add, a, L(2.0)), E(c, exp, b), E(d, subtract, c, L(1)),
           E(s, multiply, arr, x),                    # an array: no
           E(V("g", (), np.float32), sin, f32),       # float32: no
           E(V("r"), sum_p, arr, axis=(0,), keepdims=False)]   # no Python spelling
    wl = WL([x, y, arr, f32], eqs, [d, s, V("g", (), np.float32), V("r")])
    plan = scalar_code(wl)
    assert sorted(plan) == [0, 1, 2, 3]
    assert not plan[0].raises and plan[2].raises and plan[2].template == "math.exp({0})"
    assert {"x", "y", "a", "b", "c", "d", "r"} <= scalar_vars(wl) and "f32" not in scalar_vars(wl)
    # the templates on Python floats give what NumPy gives (bitwise for + - *)
    env = {"math": math, "x": 1.25, "y": -3.5}
    for k, name in enumerate("abcd"):
        eq = wl.equations[k]
        names = [a.name if isinstance(a, Var) else repr(a.value) for a in eq.ins]
        env[name] = eval(plan[k].template.format(*names), env)  # noqa: S307 - test only
    want = run(wl, np.float64(1.25), np.float64(-3.5), np.ones(3), np.float32(1.0))[0]
    assert env["d"] == want or math.isclose(env["d"], want, rel_tol=1e-15)
    assert env["a"] == np.float64(1.25) * np.float64(-3.5)


def test_tanh_template_matches_numpy_closely():
    xs = RNG.standard_normal(200) * 5
    got = np.array([math.tanh(float(v)) for v in xs])
    np.testing.assert_allclose(got, np.tanh(xs), rtol=1e-15, atol=0)


def test_buffer_reuse_takes_scatter_and_sum_results_but_not_sum_to_shape():
    from wengert.core.basic_ops import sum_to_shape_p
    from wengert.numpy.indexing import scatter_add_p

    n = 6
    g, w = V("g", (n - 1,)), V("w", (n,))
    s, y, m, t, z = V("s", (n,)), V("y", (n,)), V("m", (n,)), V("t", (n,)), V("z", (n,))
    eqs = [E(s, scatter_add_p, g, index=(slice(None, -1),), shape=(n,), unique=False),
           E(y, add, s, w),                                  # s: fresh from the scatter
           E(m, sum_p, V("M", (2, n)), axis=(0,), keepdims=False),
           E(z, exp, m),                                     # m: fresh from the sum
           E(t, sum_to_shape_p, w, shape=(n,)),              # t may be w itself
           E(V("u", (n,)), sin, t)]
    wl = WL([g, w, V("M", (2, n))], eqs, [y, z, V("u", (n,))])
    assert {k: v.name for k, v in buffer_reuse(wl).items()} == {1: "s", 3: "m"}
    _check(wl)


def test_dead_values_are_reused_later_and_kept_alive_until_then():
    n = 16
    x, t, s, u, v, y = V("x", (n,)), V("t", (n,)), V("s"), V("u", (n,)), V("v", (n,)), V("y", (n,))
    eqs = [E(t, exp, x), E(s, sum_p, t, axis=(0,), keepdims=False),   # t dies here
           E(u, sin, x),                                             # may take t's buffer
           E(v, reshape_p, u, shape=(n,)), E(y, tanh, x)]            # u has a live view
    wl = WL([x], eqs, [s, v, y])
    assert buffer_reuse(wl) == {}
    plan = buffer_reuse(wl, dead_values=True)
    assert {k: b.name for k, b in plan.items()} == {2: "t"}
    assert [b.name for b in liveness(wl, reuse=plan)[2]] == ["t"]   # kept until reused
    assert [b.name for b in liveness(wl)[1]] == ["t"]
    _check(wl)
