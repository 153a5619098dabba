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


def run_like_codegen(wl, *inputs, dead_values=False):
    """Run with ``del`` after last use and ``out=`` into reused buffers; also returns the
    largest number of live values."""
    from wengert.compile.passes import buffer_reuse, liveness
    from wengert.compile.passes.ops import ufunc_of

    reuse = buffer_reuse(wl, dead_values=dead_values)
    free = liveness(wl, reuse=reuse)
    env = {v.name: x for v, x in zip(wl.inputs, inputs)}
    consts = {c.name: c.value for c in wl.constants}
    peak = 0

    def value(a):
        if isinstance(a, Var):
            return env[a.name]          # KeyError if freed too early
        return consts[a.name] if a.name else a.value

    for k, eq in enumerate(wl.equations):
        args = [value(a) for a in eq.ins]
        if k in reuse:
            buf = env[reuse[k].name]
            assert buf.flags.writeable and buf.base is None
            impl = getattr(eq.primitive, "accepts_out", False) and eq.primitive.impl
            result = impl(*args, out=buf) if impl else ufunc_of(eq.primitive)(*args, out=buf)
            assert result is buf
            outs = (result,)
        else:
            out = eq.primitive.impl(*args, **eq.params)
            outs = out if eq.primitive.multiple_results else (out,)
        env.update((v.name, o) for v, o in zip(eq.outs, outs))
        peak = max(peak, len(env))
        for v in free[k]:
            del env[v.name]
    result = [value(o) for o in wl.outputs]
    # all that is left: outputs and inputs no equation reads
    read = {a.name for eq in wl.equations for a in eq.ins if isinstance(a, Var)}
    unread_inputs = {v.name for v in wl.inputs} - read
    assert set(env) <= {o.name for o in wl.outputs if isinstance(o, Var)} | unread_inputs
    return result, peak


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
