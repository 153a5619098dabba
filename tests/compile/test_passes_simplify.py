"""The algebraic simplifications: each rule where it applies, and where it must not."""

from __future__ import annotations

import numpy as np
import pytest
from test_passes_support import WL, E, L, V, assert_same_outputs, prim_names

from wengert.compile.passes import constant_folding, optimize, simplify
from wengert.core.basic_ops import broadcast_to_p, sum_to_shape_p
from wengert.core.wengert_list import Literal
from wengert.numpy.elementwise import add, divide, multiply, negative, subtract
from wengert.numpy.shapes import reshape_p, transpose_p
from wengert.numpy.unary import exp, sin

RNG = np.random.default_rng(1)


def _binary(prim, lhs, rhs, x=None, out_dtype=np.float64, out_shape=(3,)):
    x = x or V("x", (3,))
    y = V("y", out_shape, out_dtype)
    ins = [x if a == "x" else a for a in (lhs, rhs)]
    return WL([x], [E(y, prim, *ins)], [y])


def _removed(wl):
    out = simplify(wl)
    assert_same_outputs(wl, out, RNG)
    return out.equations == [] and out.outputs[0] == wl.inputs[0]


ONES = Literal("c0", np.ones(3))
ZEROS = Literal("c0", np.zeros(3))
NEG_ZEROS = Literal("c0", np.full(3, -0.0))


@pytest.mark.parametrize("lhs, rhs", [("x", L(1.0)), (L(1.0), "x"), ("x", L(1)),
                                      ("x", L(np.float64(1.0)))])
def test_multiply_by_one(lhs, rhs):
    assert _removed(_binary(multiply, lhs, rhs))


def test_multiply_by_uniform_ones_array():
    x, y = V("x", (3,)), V("y", (3,))
    wl = WL([x], [E(y, multiply, ONES, x)], [y], [ONES])
    out = simplify(wl)
    assert out.equations == [] and out.constants == []


def test_multiply_by_one_non_cases():
    x32 = V("x", (3,), np.float32)
    # float32 * float64(1) promotes to float64: kept
    assert not _removed(_binary(multiply, "x", L(np.float64(1.0)), x=x32))
    # broadcasting against a larger ones array changes the shape: kept
    x, y, big = V("x", (3,)), V("y", (2, 3)), Literal("c0", np.ones((2, 3)))
    wl = WL([x], [E(y, multiply, x, big)], [y], [big])
    assert prim_names(simplify(wl)) == ["multiply"]
    # not all ones, or complex (inf * 0 in the cross term gives NaN): kept
    some = Literal("c0", np.array([1.0, 1.0, 2.0]))
    wl = WL([x], [E(V("y", (3,)), multiply, x, some)], [V("y", (3,))], [some])
    assert prim_names(simplify(wl)) == ["multiply"]
    z = V("x", (3,), np.complex128)
    assert not _removed(_binary(multiply, "x", L(1.0), x=z, out_dtype=np.complex128))
    with np.errstate(invalid="ignore"):
        assert np.isnan((np.array([complex(1.0, np.inf)]) * np.array([1 + 0j])).real[0])


def test_divide_by_one():
    assert _removed(_binary(divide, "x", L(1.0)))
    assert not _removed(_binary(divide, L(1.0), "x"))


def test_add_negative_zero_always_and_positive_zero_only_when_exact():
    assert _removed(_binary(add, "x", L(-0.0)))
    assert _removed(_binary(add, NEG_ZEROS, "x"))
    # x + 0.0 is not x at x = -0.0 ...
    assert np.signbit(np.float64(-0.0)) and not np.signbit(np.float64(-0.0) + 0.0)
    assert not _removed(_binary(add, "x", L(0.0)))
    assert not _removed(_binary(add, "x", ZEROS))
    # ... but it is when x can never be -0.0 (exp(x) >= +0.0)
    x, e, y = V("x", (3,)), V("e", (3,)), V("y", (3,))
    wl = WL([x], [E(e, exp, x), E(y, add, e, L(0.0))], [y])
    out = simplify(wl)
    assert prim_names(out) == ["exp"] and out.outputs == [e]
    assert_same_outputs(wl, out, RNG)
    # integers have no signed zero
    xi = V("x", (3,), np.int64)
    assert _removed(_binary(add, "x", L(0), x=xi, out_dtype=np.int64))


def test_add_zero_non_cases_shape_and_dtype():
    x = V("x", (3,), np.float32)
    assert not _removed(_binary(add, "x", L(np.float64(-0.0)), x=x))   # promotes
    x, y, z = V("x", (3,)), V("y", (2, 3)), Literal("c0", np.full((2, 3), -0.0))
    wl = WL([x], [E(y, add, x, z)], [y], [z])
    assert prim_names(simplify(wl)) == ["add"]                          # broadcasts


def test_subtract_zero():
    assert _removed(_binary(subtract, "x", L(0.0)))
    assert not _removed(_binary(subtract, "x", L(-0.0)))   # -0.0 - -0.0 = +0.0
    out = simplify(_binary(subtract, L(-0.0), "x"))       # -0.0 - x = -x exactly
    assert prim_names(out) == ["negative"]
    assert_same_outputs(_binary(subtract, L(-0.0), "x"), out, RNG)
    assert prim_names(simplify(_binary(subtract, L(0.0), "x"))) == ["subtract"]  # 0-0=+0


def test_double_negation():
    x, a, b = V("x", (3,)), V("a", (3,)), V("b", (3,))
    wl = WL([x], [E(a, negative, x), E(b, negative, a)], [b])
    out = simplify(wl)
    assert out.outputs == [x]
    assert_same_outputs(wl, out, RNG)
    # optimize hands back a copy, not the caller's x (-(-x) was a new array)
    out = optimize(wl)
    assert prim_names(out) == ["copy"] and out.equations[0].ins == (x,)
    assert_same_outputs(wl, out, RNG)


def test_transpose_of_transpose():
    x = V("x", (2, 3, 4))
    a, b = V("a", (4, 2, 3)), V("b", (3, 4, 2))
    wl = WL([x], [E(a, transpose_p, x, axes=(2, 0, 1)), E(b, transpose_p, a, axes=(2, 0, 1))],
            [b])
    out = optimize(wl)
    assert prim_names(out) == ["transpose"] and out.equations[0].ins == (x,)
    assert_same_outputs(wl, out, RNG)
    back = V("c", (2, 3, 4))
    wl = WL([x], [E(a, transpose_p, x, axes=(2, 0, 1)), E(back, transpose_p, a, axes=(1, 2, 0))],
            [back])
    out = optimize(wl)
    assert out.equations == [] and out.outputs == [x]


def test_reshape_chains_and_identities():
    x, a, b, c = V("x", (2, 6)), V("a", (12,)), V("b", (3, 4)), V("c", (2, 6))
    wl = WL([x], [E(a, reshape_p, x, shape=(12,)), E(b, reshape_p, a, shape=(3, 4))], [b])
    out = optimize(wl)
    assert prim_names(out) == ["reshape"] and out.equations[0].ins == (x,)
    assert_same_outputs(wl, out, RNG)
    wl = WL([x], [E(a, reshape_p, x, shape=(12,)), E(c, reshape_p, a, shape=(2, 6))], [c, a])
    out = optimize(wl)
    assert prim_names(out) == ["reshape"] and out.outputs[0] == x
    for prim, params in [(broadcast_to_p, {"shape": (2, 6)}), (sum_to_shape_p, {"shape": (2, 6)}),
                         (transpose_p, {"axes": (0, 1)})]:
        wl = WL([x], [E(c, prim, x, **params)], [c])
        assert optimize(wl).outputs == [x]
    wl = WL([x], [E(V("d", (3, 2, 6)), broadcast_to_p, x, shape=(3, 2, 6))], [V("d", (3, 2, 6))])
    assert prim_names(optimize(wl)) == ["broadcast_to"]            # changes the shape


def test_zero_cotangents_propagate_and_vanish():
    """A zeros cotangent, reshaped and negated, added to a contribution: all folded away
    (-(+0.0) = -0.0, and x + -0.0 is x); the +0.0 zeros added to sin(x) stay."""
    n = 5000
    zeros = Literal("c0", np.broadcast_to(0.0, (n,)))
    x, a, b, y, s, t = (V("x", (n,)), V("a", (50, 100)), V("b", (50, 100)), V("y", (50, 100)),
                        V("s", (n,)), V("t", (n,)))
    eqs = [E(a, reshape_p, zeros, shape=(50, 100)), E(b, negative, a),
           E(V("xr", (50, 100)), reshape_p, x, shape=(50, 100)),
           E(y, add, V("xr", (50, 100)), b),
           E(s, sin, x), E(t, add, s, zeros)]
    wl = WL([x], eqs, [y, t], [zeros])
    out = optimize(wl, fuse=False)
    assert prim_names(out) == ["reshape", "sin", "add", "copy"]   # y was a new array
    assert out.equations[3].ins == (V("xr", (50, 100)),)
    assert_same_outputs(wl, out, RNG)


def test_multiply_by_zero_is_kept():
    """x * 0 is NaN at x = inf and -0.0 at x < 0: not replaced by zeros."""
    wl = _binary(multiply, "x", ZEROS)
    wl.constants.append(ZEROS)
    out = optimize(wl)
    assert prim_names(out) == ["multiply"]
    with np.errstate(invalid="ignore"):
        assert np.isnan(np.inf * 0.0) and np.signbit(-1.0 * 0.0)
    assert_same_outputs(wl, out, RNG)


def test_folding_then_simplifying_a_backward_sweep_seed():
    """sum's cotangent broadcast_to(1.0) times x: folded to a ones view, then x * 1 = x."""
    n = 10_000
    x, ones, g = V("x", (n,)), V("o", (n,)), V("g", (n,))
    wl = WL([x], [E(ones, broadcast_to_p, L(1.0), shape=(n,)), E(g, multiply, ones, x)], [g])
    folded = constant_folding(wl)
    assert prim_names(folded) == ["multiply"]
    out = optimize(wl)
    assert prim_names(out) == ["copy"] and out.equations[0].ins == (x,)
    assert_same_outputs(wl, out, RNG)


@pytest.mark.parametrize("xdtype, kdtype", [(np.float64, np.float64), (np.float32, np.float32),
                                            (np.float32, np.float64)])
def test_uniform_array_literal_becomes_a_scalar(xdtype, kdtype):
    n = 7
    x = V("x", (n,), xdtype)
    k = Literal("c0", np.full(n, 100.0, dtype=kdtype))
    y = V("y", (n,), np.result_type(xdtype, kdtype))
    wl = WL([x], [E(y, multiply, x, k)], [y], [k])
    out = simplify(wl)
    lit = out.equations[0].ins[1]
    assert lit.name == "" and np.ndim(lit.value) == 0 and lit.value.dtype == kdtype
    assert out.constants == []
    assert_same_outputs(wl, out, RNG)


def test_uniform_array_literal_kept_where_it_sets_the_shape():
    x, y = V("x", (3,)), V("y", (2, 3))
    k = Literal("c0", np.full((2, 3), 100.0))
    wl = WL([x], [E(y, multiply, x, k)], [y], [k])
    assert simplify(wl).equations[0].ins[1] is k
    m = Literal("c0", np.array([100.0, 100.0, 99.0]))
    wl = WL([x], [E(V("z", (3,)), multiply, x, m)], [V("z", (3,))], [m])
    assert simplify(wl).equations[0].ins[1] is m
