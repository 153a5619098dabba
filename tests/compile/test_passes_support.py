"""Helpers for the pass tests: building Wengert lists by hand and comparing lists
bitwise (NaNs equal whatever their sign bit, which IEEE leaves unspecified for
arithmetic; the sign of zero significant; dtypes and shapes exact)."""

from __future__ import annotations

import numpy as np

from wengert.compile.passes.interpret import run
from wengert.core.wengert_list import Equation, Literal, Var, WengertList
from wengert.numpy.elementwise import multiply
from wengert.numpy.unary import exp, sin


def V(name, shape=(), dtype=np.float64):  # noqa: N802 - reads like the printed list
    return Var(name, tuple(shape), np.dtype(dtype))


def L(value):  # noqa: N802
    return Literal("", value)


def E(outs, prim, *ins, **params):  # noqa: N802
    outs = outs if isinstance(outs, tuple) else (outs,)
    return Equation(outs, prim, tuple(ins), params)


def WL(inputs, equations, outputs, constants=()):  # noqa: N802
    wl = WengertList(list(inputs), list(constants), list(equations), list(outputs))
    wl.verify()
    return wl


def random_inputs(wl, rng, special=True):
    """Random values for the inputs, with -0.0, inf and NaN mixed in when ``special``."""
    values = []
    for v in wl.inputs:
        x = rng.standard_normal(v.shape).astype(v.dtype)
        if special and x.size >= 8:
            flat = x.reshape(-1)
            flat[:4] = [-0.0, 0.0, np.inf, np.nan]
        values.append(x[()] if x.ndim == 0 else x)
    return values


def assert_bitwise(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, a.dtype, b.shape, b.dtype)
    np.testing.assert_array_equal(a, b)
    if a.dtype.kind in "fc":  # the sign of zero counts; a NaN's sign bit means nothing
        for pa, pb in ((a.real, b.real), (a.imag, b.imag)):
            keep = ~np.isnan(pa)
            np.testing.assert_array_equal(np.signbit(pa[keep]), np.signbit(pb[keep]))


def assert_same_outputs(before, after, rng, trials=3, special=True):
    """``after`` computes bitwise what ``before`` computes, on random inputs."""
    after.verify()
    for _ in range(trials):
        xs = random_inputs(before, rng, special)
        with np.errstate(all="ignore"):
            want = run(before, *xs)
            got = run(after, *xs)
        assert len(want) == len(got)
        for w, g in zip(want, got):
            assert_bitwise(w, g)


def prim_names(wl):
    return [eq.primitive.name for eq in wl.equations]


def test_interpreter_matches_numpy():
    x, a, b = V("x", (5,)), V("a", (5,)), V("b", (5,))
    wl = WL([x], [E(a, sin, x), E(b, multiply, a, two := L(2.0))], [b, a])
    xs = np.linspace(-1.0, 1.0, 5)
    got = run(wl, xs)
    assert_bitwise(got[0], np.sin(xs) * two.value)
    assert_bitwise(got[1], np.sin(xs))


def test_interpreter_rejects_wrong_arity():
    import pytest

    wl = WL([V("x")], [E(V("y"), exp, V("x"))], [V("y")])
    with pytest.raises(TypeError, match="takes 1 inputs"):
        run(wl)
