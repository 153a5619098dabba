"""Dead-code elimination, common-subexpression elimination and constant folding."""

from __future__ import annotations

import numpy as np
import pytest
from test_passes_support import WL, E, L, V, assert_bitwise, assert_same_outputs, prim_names

from wengert.compile.passes import constant_folding, cse, dce, mark_effectful
from wengert.compile.passes.constant_folding import FOLD_LIMIT
from wengert.core import Primitive
from wengert.core.basic_ops import broadcast_to_p
from wengert.core.wengert_list import Literal
from wengert.numpy.elementwise import add, multiply
from wengert.numpy.joining import split_p
from wengert.numpy.products import matmul_p
from wengert.numpy.reductions import sum_p
from wengert.numpy.unary import cos, exp, sin

RNG = np.random.default_rng(0)


def _check_p():
    """An effectful primitive with no outputs (like a guard)."""
    def impl(x):
        if not np.all(np.isfinite(x)):
            raise ValueError("check failed")
    return mark_effectful(Primitive("check", impl))


# -- dead-code elimination -----------------------------------------------------------

def test_dce_removes_unused_equations_and_constants():
    x, a, b, c, d = V("x", (4,)), V("a", (4,)), V("b", (4,)), V("c", (4,)), V("d", (4,))
    k = Literal("c0", np.arange(4.0))
    wl = WL([x], [E(a, sin, x), E(b, multiply, a, k), E(c, cos, x), E(d, exp, c)], [c],
            [k])
    out = dce(wl)
    assert prim_names(out) == ["cos"]
    assert out.constants == [] and out.inputs == wl.inputs
    assert_same_outputs(wl, out, RNG)


def test_dce_keeps_effects_and_needed_multiple_results():
    check = _check_p()
    x, a, b = V("x", (4,)), V("a", (2,)), V("b", (2,))
    s = E((a, b), split_p, x, sizes=(2, 2), axis=0)
    wl = WL([x], [E((), check, x), s, E(V("u", (4,)), sin, x)], [b])
    out = dce(wl)
    assert prim_names(out) == ["check", "split"]
    assert_same_outputs(wl, out, RNG, special=False)


# -- common-subexpression elimination ------------------------------------------------

def test_cse_merges_identical_equations():
    x, a, b, c = V("x", (3,)), V("a", (3,)), V("b", (3,)), V("c", (3,))
    wl = WL([x], [E(a, multiply, x, L(2.0)), E(b, multiply, x, L(2.0)), E(c, add, a, b)],
            [c, b])
    out = cse(wl)
    assert prim_names(out) == ["multiply", "add"]
    assert out.equations[1].ins == (a, a) and out.outputs == [c, a]
    assert_same_outputs(wl, out, RNG)


def test_cse_keeps_apart_what_differs():
    x = V("x", (2, 3))
    eqs = [
        E(V("s0", (3,)), sum_p, x, axis=(0,), keepdims=False),
        E(V("s1", (2,)), sum_p, x, axis=(1,), keepdims=False),   # other params
        E(V("p", (2, 3)), add, x, L(0.0)),
        E(V("m", (2, 3)), add, x, L(-0.0)),                      # other sign of zero
        E(V("f", (2, 3)), multiply, x, L(2.0)),
        E(V("g", (2, 3)), multiply, x, L(np.float32(2.0))),      # other literal type
    ]
    wl = WL([x], eqs, [v for e in eqs for v in e.outs])
    assert len(cse(wl).equations) == len(eqs)
    # the signs matter: x = -0.0 gives +0.0 and -0.0
    xs = np.full((2, 3), -0.0)
    assert_bitwise(np.add(xs, 0.0), np.zeros((2, 3)))
    assert_same_outputs(wl, cse(wl), RNG)


def test_cse_never_merges_effects_or_array_params():
    check = _check_p()
    x = V("x", (3,))
    take = Primitive("take_rows", lambda a, rows: a[rows])
    rows = np.array([0, 2])
    eqs = [E((), check, x), E((), check, x),
           E(V("a", (2,)), take, x, rows=rows), E(V("b", (2,)), take, x, rows=rows)]
    wl = WL([x], eqs, [V("a", (2,)), V("b", (2,))])
    assert len(cse(wl).equations) == 4


# -- constant folding ----------------------------------------------------------------

def test_folding_evaluates_constant_chains():
    x, a, b, c = V("x", (3,)), V("a"), V("b"), V("c", (3,))
    wl = WL([x], [E(a, sin, L(2.0)), E(b, exp, a), E(c, multiply, x, b)], [c, a])
    out = constant_folding(wl)
    assert prim_names(out) == ["multiply"]
    folded = out.equations[0].ins[1]
    assert isinstance(folded, Literal) and folded.name == ""
    assert_bitwise(folded.value, np.exp(np.sin(2.0)))
    assert_bitwise(out.outputs[1].value, np.sin(2.0))
    assert_same_outputs(wl, out, RNG)


def test_folding_keeps_large_results_unless_uniform():
    n = int(np.sqrt(FOLD_LIMIT)) + 1
    k1 = Literal("c0", RNG.standard_normal((n, n)))
    k2 = Literal("c1", RNG.standard_normal((n, n)))
    x = V("x", (n, n))
    big = V("p", (n, n))
    ones = V("o", (n * n,))
    three = V("t", (n * n,))
    eqs = [E(big, matmul_p, k1, k2), E(V("y", (n, n)), add, x, big),
           E(ones, broadcast_to_p, L(1.0), shape=(n * n,)),
           E(three, multiply, ones, L(3.0))]
    wl = WL([x], eqs, [V("y", (n, n)), three], [k1, k2])
    out = constant_folding(wl)
    assert prim_names(out) == ["matmul", "add"]          # n*n > FOLD_LIMIT: not folded
    folded = out.outputs[1]
    assert isinstance(folded, Literal) and folded.value.strides == (0,)  # a view, no memory
    assert_bitwise(folded.value, np.full(n * n, 3.0))
    assert_same_outputs(wl, out, RNG)


def test_folding_never_runs_effects_or_user_code():
    calls = []

    def user(x):
        calls.append(x)
        return x + 1.0

    custom = Primitive("user_fn", user)
    check = _check_p()
    a = V("a")
    wl = WL([V("x")], [E((), check, L(1.0)), E(a, custom, L(1.0))], [a])
    out = constant_folding(wl)
    assert prim_names(out) == ["check", "user_fn"] and calls == []


def test_folding_leaves_failing_or_mistyped_results():
    bad = Primitive("bad", lambda x: np.float32(x))      # recorded f64, gives f32
    boom = Primitive("boom", lambda x: 1 / 0)
    bad.impl.__module__ = boom.impl.__module__ = "wengert.numpy.fake"  # count as pure
    wl = WengertList_unverified([V("x")], [E(V("a"), bad, L(1.0)), E(V("b"), boom, L(1.0))],
                                [V("a"), V("b")])
    out = constant_folding(wl)
    assert prim_names(out) == ["bad", "boom"]


def WengertList_unverified(inputs, eqs, outs):  # noqa: N802
    from wengert.core.wengert_list import WengertList

    return WengertList(list(inputs), [], list(eqs), list(outs))


@pytest.mark.parametrize("value", [0.0, -0.0, np.inf, np.nan])
def test_folding_is_exact_on_special_values(value):
    a, b = V("a"), V("b")
    wl = WL([V("x")], [E(a, exp, L(value)), E(b, multiply, a, L(-0.0))], [b])
    out = constant_folding(wl)
    assert out.equations == []
    with np.errstate(all="ignore"):
        assert_bitwise(out.outputs[0].value, np.exp(value) * -0.0)


def test_jit_guards_are_kept_unmerged_and_unevaluated():
    """The jit's guards: an equation with no outputs. optimize keeps each one, keeps the
    value it reads (though nothing else reads it) and never evaluates one at compile time
    (a guard on a folded constant that would fail stays, to fail at run time)."""
    from wengert.compile.guards import GuardMiss, guard_p
    from wengert.compile.passes import optimize
    from wengert.compile.passes.interpret import run

    x, a, b, c = V("x"), V("a"), V("b"), V("c")
    flag = dict(kind="bool", expected=True, where="f.py:1")
    eqs = [E(a, sin, x), E((), guard_p, a, **flag), E((), guard_p, a, **flag),
           E(b, exp, L(0.0)), E((), guard_p, b, kind="float", expected=2.0, where="f.py:2"),
           E(c, cos, x)]
    wl = WL([x], eqs, [c])
    out = optimize(wl)
    assert prim_names(out) == ["sin", "guard", "guard", "guard", "cos"]
    assert isinstance(out.equations[3].ins[0], Literal)      # exp(0.0) folded, guard kept
    with pytest.raises(GuardMiss):
        run(out, np.float64(1.0))                              # exp(0) = 1.0 != 2.0


def test_optimize_never_returns_the_callers_array_or_one_array_twice():
    from wengert.compile.passes import optimize
    from wengert.compile.passes.interpret import run
    from wengert.numpy.shapes import reshape_p

    x, a, b, c, r, s = (V("x", (4,)), V("a", (4,)), V("b", (4,)), V("c", (4,)),
                        V("r", (2, 2)), V("s", (2, 2)))
    eqs = [E(a, multiply, x, L(1.0)), E(b, sin, x), E(c, sin, x),
           E(r, reshape_p, x, shape=(2, 2)), E(s, multiply, r, L(1.0))]
    wl = WL([x], eqs, [a, b, c, r, s])
    out = optimize(wl)
    xs = np.arange(4.0)
    got = run(out, xs)
    assert_bitwise(got[0], xs)
    assert_bitwise(got[1], np.sin(xs))
    assert got[0] is not xs and not np.shares_memory(got[0], xs)       # x * 1: a copy
    assert not np.shares_memory(got[1], got[2])                         # CSE'd sin: two arrays
    assert np.shares_memory(got[3], xs)                                 # reshape was a view
    assert not np.shares_memory(got[4], xs)                             # r * 1: a copy
    got[0][:] = -1.0
    got[1][:] = -1.0
    assert_bitwise(xs, np.arange(4.0))
    assert_bitwise(got[2], np.sin(xs))
    assert prim_names(out).count("copy") == 3
