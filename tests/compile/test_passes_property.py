"""Property test: on random small lists, ``optimize(wl)`` computes bitwise what ``wl``
computes (NaNs equal, signs of zeros equal), with fusion on NumPy and on numexpr."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_passes_support import assert_bitwise, assert_same_outputs, random_inputs, run_like_codegen

from wengert.compile.passes import optimize
from wengert.core.basic_ops import broadcast_to_p
from wengert.core.wengert_list import Equation, Literal, Var, WengertList
from wengert.numpy.elementwise import add, divide, multiply, negative, subtract, where_p
from wengert.numpy.reductions import sum_p
from wengert.numpy.shapes import reshape_p, transpose_p
from wengert.numpy.unary import absolute, exp, sin, square, tanh

fusion_module = importlib.import_module("wengert.compile.passes.fusion")

UNARY = [exp, sin, tanh, negative, square, absolute]
BINARY = [add, subtract, multiply, divide]
SHAPES = [(), (4, 3), (300,)]


def _literals(shape):
    lits = [Literal("", v) for v in (0.0, -0.0, 1.0, 2.0, 1)]
    if shape:
        lits += [Literal("k_ones", np.ones(shape)), Literal("k_zeros", np.zeros(shape)),
                 Literal("k_negz", np.full(shape, -0.0)),
                 Literal("k_rand", np.linspace(-1.0, 1.0, int(np.prod(shape))).reshape(shape))]
    return lits


@st.composite
def programs(draw):
    shape = draw(st.sampled_from(SHAPES))
    inputs = [Var(f"x{i}", shape, np.dtype(np.float64)) for i in range(2)]
    env = {v.name: np.zeros(shape) + 0.5 for v in inputs}
    values = list(inputs)
    lits = _literals(shape)
    eqs = []

    def arg():
        pick = draw(st.integers(0, len(values) + len(lits) - 1))
        return values[pick] if pick < len(values) else lits[pick - len(values)]

    def val(a):
        return env[a.name] if isinstance(a, Var) else a.value

    for k in range(draw(st.integers(1, 10))):
        kind = draw(st.sampled_from(["unary", "binary", "binary", "shape", "where", "seed"]))
        if kind == "unary":
            prim, ins, params = draw(st.sampled_from(UNARY)), (arg(),), {}
        elif kind == "binary":
            prim, ins, params = draw(st.sampled_from(BINARY)), (arg(), arg()), {}
        elif kind == "where":
            cond = Literal("k_cond", np.arange(int(np.prod(shape))).reshape(shape) % 2 == 0)
            prim, ins, params = where_p, (cond, arg(), arg()), {}
        elif kind == "seed":
            prim, ins, params = broadcast_to_p, (draw(st.sampled_from(lits[:5])),), {
                "shape": shape}
        else:  # there and back: transpose twice, or reshape and reshape back
            x = values[draw(st.integers(0, len(values) - 1))]
            if len(x.shape) == 2:
                prim, params = transpose_p, {"axes": (1, 0)}
            else:
                prim, params = reshape_p, {"shape": (2, x.shape[0] // 2) if x.shape else (1,)}
            var = Var(f"w{k}", prim.impl(env[x.name], **params).shape, x.dtype)
            env[var.name] = prim.impl(env[x.name], **params)
            eqs.append(Equation((var,), prim, (x,), params))
            ins = (var,)
            params = {"axes": (1, 0)} if prim is transpose_p else {"shape": x.shape}
        try:
            with np.errstate(all="ignore"):
                out = prim.impl(*[val(a) for a in ins], **params)
        except ZeroDivisionError:  # Python floats: 1.0 / 0.0
            assume(False)
        var = Var(f"v{k}", np.shape(out), np.result_type(out))
        env[var.name] = out
        values.append(var)
        eqs.append(Equation((var,), prim, ins, params))
    if draw(st.booleans()):
        last = values[-1]
        var = Var("total", (), np.dtype(np.float64))
        eqs.append(Equation((var,), sum_p, (last,), {"axis": tuple(range(len(last.shape))),
                                                      "keepdims": False}))
        values.append(var)
    outs = [values[-1]] + draw(st.lists(st.sampled_from(values), max_size=2))
    constants = {a.name: a for eq in eqs for a in eq.ins if isinstance(a, Literal) and a.name}
    return WengertList(inputs, list(constants.values()), eqs, outs)


@pytest.mark.parametrize("numexpr_min_size", [1 << 40, 16])
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wl=programs(), seed=st.integers(0, 2**32 - 1))
def test_optimize_keeps_the_outputs_bitwise(wl, seed, numexpr_min_size):
    wl.verify()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fusion_module, "NUMEXPR_MIN_SIZE", numexpr_min_size)
        out = optimize(wl, verify=True)
    # never longer, but for the copies that keep outputs fresh (outputs.py)
    copies = sum(eq.primitive.name == "copy" for eq in out.equations)
    assert len(out.equations) - copies <= len(wl.equations)
    assert len(out.outputs) == len(wl.outputs) and out.inputs == wl.inputs
    rng = np.random.default_rng(seed)
    assert_same_outputs(wl, out, rng, trials=2)
    # run as generated code would: del after the last use, out= into reused buffers
    from wengert.compile.passes.interpret import run

    for dead_values in (False, True):
        xs = random_inputs(wl, rng)
        with np.errstate(all="ignore"):
            want = run(wl, *[np.copy(x) for x in xs])
            got, _ = run_like_codegen(out, *xs, dead_values=dead_values)
        for w, g in zip(want, got):
            assert_bitwise(w, g)
