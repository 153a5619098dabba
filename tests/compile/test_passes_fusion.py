"""Fusion of elementwise chains: the groups found, the kernels' results (plain NumPy and
numexpr), writing into ``out=``, and what must not be fused."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from test_passes_support import WL, E, L, V, assert_bitwise, assert_same_outputs, prim_names

from wengert.compile.passes import FusedPrimitive, fusion
from wengert.compile.passes.interpret import run
from wengert.numpy.elementwise import add, multiply, subtract, where_p
from wengert.numpy.reductions import sum_p
from wengert.numpy.unary import exp, tanh

fusion_module = importlib.import_module("wengert.compile.passes.fusion")
RNG = np.random.default_rng(2)
N = 1000


@pytest.fixture
def numpy_only(monkeypatch):
    monkeypatch.setattr(fusion_module, "NUMEXPR_MIN_SIZE", 1 << 40)


def _chain(n=N, dtype=np.float64):
    """y = tanh(x) * 2 + w; s = sum(y): one group of three, the sum outside."""
    x, w = V("x", (n,), dtype), V("w", (n,), dtype)
    t, m, y, s = V("t", (n,), dtype), V("m", (n,), dtype), V("y", (n,), dtype), V("s", (), dtype)
    return WL([x, w], [E(t, tanh, x), E(m, multiply, t, L(2.0)), E(y, add, m, w),
                       E(s, sum_p, y, axis=(0,), keepdims=False)], [s, y])


def test_chain_becomes_one_kernel_with_one_buffer(numpy_only):
    wl = _chain()
    out = fusion(wl)
    assert len(out.equations) == 2 and out.equations[1].primitive is sum_p
    fused = out.equations[0]
    prim = fused.primitive
    assert isinstance(prim, FusedPrimitive) and not prim.uses_numexpr
    assert prim.expression == "((tanh(a0) * a1) + a2)"
    assert [a.name or a.value for a in fused.ins] == ["x", 2.0, "w"]
    assert prim._n_temps == 1 and [s.in_place for s in prim.steps] == [False, True, True]
    assert_same_outputs(wl, out, RNG)


def test_kernel_writes_into_out_even_over_an_argument(numpy_only):
    fused = fusion(_chain()).equations[0]
    x, w = RNG.standard_normal(N), RNG.standard_normal(N)
    want = np.tanh(x) * 2.0 + w
    buf = np.empty(N)
    assert fused.primitive.impl(x, 2.0, w, out=buf) is buf
    assert_bitwise(buf, want)
    w2 = w.copy()
    fused.primitive.impl(x, 2.0, w2, out=w2)      # out is the last argument
    assert_bitwise(w2, want)


def test_numexpr_kernel_is_bitwise_numpy(monkeypatch):
    """Rosenbrock-like arithmetic with a where: numexpr, bitwise equal to NumPy, also
    with -0.0, inf and NaN, and when writing into an argument's buffer."""
    import numexpr  # noqa: F401  (a test dependency: the `test` extra installs it)
    monkeypatch.setattr(fusion_module, "NUMEXPR_MIN_SIZE", 16)
    x, w, c = V("x", (N,)), V("w", (N,)), V("c", (N,), np.bool_)
    xx, a, b, d, y = (V(n, (N,)) for n in ("xx", "a", "b", "d", "y"))
    wl = WL([x, w, c], [E(xx, multiply, x, x), E(a, subtract, w, xx), E(b, multiply, a, a),
                        E(d, multiply, L(100.0), b), E(y, where_p, c, d, w)], [y])
    out = fusion(wl)
    fused = out.equations[0]
    assert len(out.equations) == 1 and fused.primitive.uses_numexpr
    assert fused.primitive.expression == ("where(a3, (a2 * ((a1 - (a0 * a0)) * (a1 - (a0 * a0))))"
                                           ", a1)")
    for _ in range(3):
        xs = [RNG.standard_normal(N), RNG.standard_normal(N), RNG.standard_normal(N) > 0]
        xs[0][:3] = [-0.0, np.inf, np.nan]
        with np.errstate(all="ignore"):
            want = run(wl, *xs)[0]
            assert_bitwise(run(out, *xs)[0], want)
            buf = xs[1].copy()
            args = {"x": xs[0], "w": buf, "c": xs[2]}
            fused.primitive.impl(*[args[a.name] if a.name else a.value for a in fused.ins],
                                 out=buf)
        assert_bitwise(buf, want)


def test_transcendental_groups_stay_on_numpy(monkeypatch):
    monkeypatch.setattr(fusion_module, "NUMEXPR_MIN_SIZE", 16)
    out = fusion(_chain())
    assert not out.equations[0].primitive.uses_numexpr   # tanh: NumPy's loop is faster


def test_values_used_outside_are_not_interior(numpy_only):
    x, t, m, y, z = (V(n, (N,)) for n in "xtmyz")
    # t is read by m (in the group) and by z (another group): t stays its own equation
    wl = WL([x], [E(t, exp, x), E(m, multiply, t, L(3.0)), E(y, add, m, x),
                  E(z, multiply, t, L(2.0))], [y, z])
    out = fusion(wl)
    assert prim_names(out)[0] == "exp" and len(out.equations) == 3
    assert_same_outputs(wl, out, RNG)
    # an output of the list is never interior
    wl = WL([x], [E(t, exp, x), E(m, multiply, t, L(3.0))], [m, t])
    assert prim_names(fusion(wl)) == ["exp", "multiply"]


def test_shapes_sizes_and_zero_d_not_fused(numpy_only):
    x, r = V("x", (N,)), V("r", (10, N))
    small, big = V("s", (N,)), V("b", (10, N))
    # the small member broadcasts into the big one: different shapes, not one group
    wl = WL([x, r], [E(small, exp, x), E(big, multiply, small, r)], [big])
    assert prim_names(fusion(wl)) == ["exp", "multiply"]
    assert_same_outputs(wl, fusion(wl), RNG)
    n = fusion_module.FUSE_MIN_SIZE - 1
    x, a, b = V("x", (n,)), V("a", (n,)), V("b", (n,))
    wl = WL([x], [E(a, exp, x), E(b, multiply, a, x)], [b])
    assert prim_names(fusion(wl)) == ["exp", "multiply"]
    x, a, b = V("x"), V("a"), V("b")
    wl = WL([x], [E(a, exp, x), E(b, multiply, a, x)], [b])
    assert prim_names(fusion(wl)) == ["exp", "multiply"]


def test_diamond_and_mixed_dtypes(numpy_only):
    """A value read twice inside the group (a diamond) and a float32 chain."""
    x, a, b, c, y = (V(n, (N,)) for n in "xabcy")
    wl = WL([x], [E(a, exp, x), E(b, multiply, a, L(2.0)), E(c, subtract, a, x),
                  E(y, multiply, b, c)], [y])
    out = fusion(wl)
    assert len(out.equations) == 1
    assert_same_outputs(wl, out, RNG)
    wl32 = _chain(dtype=np.float32)
    out = fusion(wl32)
    assert out.equations[0].outs[0].dtype == np.float32
    assert_same_outputs(wl32, out, RNG)


def test_configure_sets_and_checks_thresholds():
    from wengert.compile.passes import configure

    old = configure(fuse_min_size=10**9)
    try:
        assert prim_names(fusion(_chain()))[:3] == ["tanh", "multiply", "add"]
        with pytest.raises(ValueError, match="fuse_min_size must be a non-negative int"):
            configure(fuse_min_size=-1)
    finally:
        configure(**old)
    assert len(fusion(_chain()).equations) == 2


def test_numpy_kernel_source_has_generated_names_only(numpy_only):
    """The kernel is Python source made of generated names; functions are bound by
    reference. A where at the root writes into out with copyto."""
    import re

    x, w, c = V("x", (N,)), V("w", (N,)), V("c", (N,), np.bool_)
    a, y = V("a", (N,)), V("y", (N,))
    wl = WL([x, w, c], [E(a, exp, x), E(y, where_p, c, a, w)], [y])
    fused = fusion(wl).equations[0]
    prim = fused.primitive
    source = prim._kernel.source
    words = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", source))
    assert words <= {"def", "kernel", "out", "None", "if", "is", "return", "where", "copyto"} | {
        w for w in words if re.fullmatch(r"[aft]\d+", w)}
    values = {"x": RNG.standard_normal(N), "w": RNG.standard_normal(N),
              "c": RNG.standard_normal(N) > 0}
    args = [values[a.name] for a in fused.ins]
    buf = np.empty(N)
    assert prim.impl(*args, out=buf) is buf
    assert_bitwise(buf, np.where(values["c"], np.exp(values["x"]), values["w"]))
    assert_bitwise(prim.impl(*args), buf)


def test_many_arguments_fall_back_to_numpy(monkeypatch):
    """numexpr takes a bounded number of operands: a wider group runs the NumPy plan."""
    import numexpr  # noqa: F401  (a test dependency: the `test` extra installs it)
    monkeypatch.setattr(fusion_module, "NUMEXPR_MIN_SIZE", 16)
    k = fusion_module.NUMEXPR_MAX_ARGS + 2
    xs = [V(f"x{i}", (N,)) for i in range(k)]
    sums = [V(f"s{i}", (N,)) for i in range(k)]
    eqs = [E(sums[1], add, xs[0], xs[1])]
    eqs += [E(sums[i], add, sums[i - 1], xs[i]) for i in range(2, k)]
    wl = WL(xs, eqs, [sums[-1]])
    out = fusion(wl)
    assert len(out.equations) == 1 and not out.equations[0].primitive.uses_numexpr
    assert_same_outputs(wl, out, RNG)
    wl = WL(xs[:4], eqs[:3], [sums[3]])
    assert fusion(wl).equations[0].primitive.uses_numexpr


def test_shared_value_is_recomputed_in_each_numexpr_reader(monkeypatch):
    """d = w - x*x read by two chains: one copy per chain, two kernels reading x and w
    (d never stored), bitwise the same; not done for the NumPy plan or many readers."""
    import numexpr  # noqa: F401  (a test dependency: the `test` extra installs it)
    monkeypatch.setattr(fusion_module, "NUMEXPR_MIN_SIZE", 16)
    x, w = V("x", (N,)), V("w", (N,))
    xx, d, p, q, r = (V(n, (N,)) for n in ("xx", "d", "p", "q", "r"))
    wl = WL([x, w], [E(xx, multiply, x, x), E(d, subtract, w, xx),
                     E(p, multiply, d, d), E(q, multiply, L(2.0), d),
                     E(r, add, q, x)], [p, r])
    out = fusion(wl)
    assert len(out.equations) == 2
    assert all(eq.primitive.uses_numexpr for eq in out.equations)
    assert {a.name for eq in out.equations for a in eq.ins if a.name} == {"x", "w"}
    assert_same_outputs(wl, out, RNG)
    monkeypatch.setattr(fusion_module, "NUMEXPR_MIN_SIZE", 1 << 40)
    assert "d" in {v.name for eq in fusion(wl).equations for v in eq.outs}
    monkeypatch.setattr(fusion_module, "NUMEXPR_MIN_SIZE", 16)
    monkeypatch.setattr(fusion_module, "REMAT_MAX_READERS", 1)
    assert "d" in {v.name for eq in fusion(wl).equations for v in eq.outs}
