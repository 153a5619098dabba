"""The speed rewrites of the jit compiler that must not change a bit: negations absorbed
into sums and products (``passes/signs.py``), implicit broadcasting instead of
``broadcast_to`` (``passes/broadcasts.py``) and ``scatter_accumulate`` written as
``buffer[index] += g`` (``codegen``). Each is checked against the list before the
rewrite, run by the reference interpreter, on inputs with signed zeros, infinities and
NaNs, and end to end against eager value_and_grad."""

from __future__ import annotations

import numpy as onp
import pytest

import wengert
import wengert.numpy as np
from wengert.compile.passes import broadcasts, signs
from wengert.compile.passes.interpret import run
from wengert.core.basic_ops import broadcast_to_p
from wengert.core.wengert_list import Equation, Var, WengertList
from wengert.numpy.elementwise import add, divide, multiply, negative, subtract

SPECIAL = onp.array([-0.0, 0.0, onp.inf, -onp.inf, onp.nan, 1.5, -2.25, 1e-310, -3e300])


def V(name, shape=(9,)):  # noqa: N802 - reads like the printed list
    return Var(name, tuple(shape), onp.dtype(onp.float64))


def assert_bitwise(a, b):
    a, b = onp.asarray(a), onp.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    onp.testing.assert_array_equal(a, b)
    keep = ~onp.isnan(a)  # the sign of zero counts; a NaN's sign bit means nothing
    onp.testing.assert_array_equal(onp.signbit(a[keep]), onp.signbit(b[keep]))


def all_pairs():
    """Every pair of special values, as two arrays."""
    a, b = onp.meshgrid(SPECIAL, SPECIAL)
    return a.ravel(), b.ravel()


def prim_names(wl):
    return [eq.primitive.name for eq in wl.equations]


# op(x, -y), op(-x, y) and nested forms, for every pair of special values
CASES = [
    ("add x -y", lambda n: [(add, ("x", n("y")))]),
    ("add -x y", lambda n: [(add, (n("x"), "y"))]),
    ("sub x -y", lambda n: [(subtract, ("x", n("y")))]),
    ("mul x -y", lambda n: [(multiply, ("x", n("y")))]),
    ("mul -x y", lambda n: [(multiply, (n("x"), "y"))]),
    ("div x -y", lambda n: [(divide, ("x", n("y")))]),
    ("div -x y", lambda n: [(divide, (n("x"), "y"))]),
]


def _list(case):
    """out = op(...) where each negation is its own equation."""
    x, y = V("x", (81,)), V("y", (81,))
    eqs = []
    names = {"x": x, "y": y}

    def n(name):
        v = Var(f"n{name}", (81,), onp.dtype(onp.float64))
        eqs.append(Equation((v,), negative, (names[name],), {}))
        return v

    (prim, args), = case(n)
    out = V("out", (81,))
    eqs.append(Equation((out,), prim, tuple(names[a] if isinstance(a, str) else a
                                            for a in args), {}))
    return WengertList([x, y], [], eqs, [out])


@pytest.mark.parametrize("label, case", CASES, ids=[c[0] for c in CASES])
def test_each_negation_rule_is_bitwise_exact(label, case):
    wl = _list(case)
    new = signs(wl)
    new.verify()
    assert new is not wl
    xs = all_pairs()
    with onp.errstate(all="ignore"):
        assert_bitwise(run(new, *xs)[0], run(wl, *xs)[0])


def test_the_product_rule_leaves_a_shared_or_broadcast_negation_alone():
    x, y, small = V("x"), V("y"), V("s", (1,))
    ny, ns, o1, o2, o3 = V("ny"), V("ns", (1,)), V("o1"), V("o2"), V("o3")
    wl = WengertList([x, y, small], [], [
        Equation((ny,), negative, (y,), {}),
        Equation((o1,), multiply, (x, ny), {}),   # ny read twice: kept
        Equation((o2,), exp_of(ny), (ny,), {}),
        Equation((ns,), negative, (small,), {}),
        Equation((o3,), multiply, (x, ns), {}),   # the negation is smaller: kept
    ], [o1, o2, o3])
    assert signs(wl).equations == wl.equations


def exp_of(_):
    from wengert.numpy.unary import exp

    return exp


def test_backward_sweep_of_the_scalar_loop_has_no_negation():
    """d cos = -sin: absorbed into the sum of the chain rule, in the float code too."""
    def loop(x):
        for _ in range(3):
            x = np.sin(x) * 1.0001 + 0.1 * np.cos(x)
        return x

    vg = wengert.jit(wengert.value_and_grad(loop))
    low = vg.lower(0.5)
    assert "negative" not in prim_names(low.trace)
    assert "negative" in prim_names(low.traced)
    for x in (0.5, -1.25, 0.0, -0.0, 3.0):
        v, g = vg(x)
        v0, g0 = wengert.value_and_grad(loop)(x)
        assert_bitwise(v, v0)
        assert_bitwise(g, g0)


def test_broadcast_to_before_an_elementwise_equation_is_implicit():
    x, g, e = V("x", (3, 1, 4)), V("g", (3, 1, 4)), V("e", (3, 2, 4))
    b, o, keep = V("b", (3, 2, 4)), V("o", (3, 2, 4)), V("k", (3, 2, 4))
    wl = WengertList([x, g, e], [], [
        Equation((b,), broadcast_to_p, (g,), {"shape": (3, 2, 4)}),
        Equation((o,), multiply, (b, e), {}),
        Equation((keep,), add, (b, x), {}),  # no argument of the full shape: kept
    ], [o, keep])
    new = broadcasts(wl)
    new.verify()
    assert new.equations[1].ins == (g, e)
    assert new.equations[2].ins == (b, x)
    rng = onp.random.default_rng(0)
    xs = [rng.standard_normal(v.shape) for v in wl.inputs]
    for w, n in zip(run(wl, *xs), run(new, *xs)):
        assert_bitwise(w, n)


def test_crf_like_gradient_matches_eager_bitwise():
    """logsumexp over a Python loop: its backward sweep broadcasts cotangents, negates
    them and scatters slices (value_and_grad compiled against eager, bit for bit)."""
    def crf(E, A):
        alpha = E[:, 0, :]
        for t in range(1, E.shape[1]):
            s = np.reshape(alpha, (E.shape[0], E.shape[2], 1)) + A
            m = np.max(s, axis=1)
            alpha = np.log(np.sum(np.exp(s - np.reshape(m, (E.shape[0], 1, -1))),
                                  axis=1)) + m + E[:, t, :]
        return np.sum(alpha)

    rng = onp.random.default_rng(3)
    E, A = rng.standard_normal((3, 5, 6)), rng.standard_normal((6, 6))
    vg = wengert.jit(wengert.value_and_grad(crf, argnums=(0, 1)))
    low = vg.lower(E, A)
    assert "broadcast_to" not in prim_names(low.trace)
    v, (gE, gA) = vg(E, A)
    v0, (gE0, gA0) = wengert.value_and_grad(crf, argnums=(0, 1))(E, A)
    assert_bitwise(v, v0)
    assert_bitwise(gE, gE0)
    assert_bitwise(gA, gA0)
    fd = wengert.check.numerical_grad(lambda A: crf(E, A), A)
    onp.testing.assert_allclose(gA, fd, rtol=1e-6, atol=1e-8)


def test_slice_cotangents_accumulate_in_place_bitwise():
    """Cotangents of column slices are added into one buffer, ``buffer[index] += g``."""
    def f(x):
        total = 0.0
        for t in range(x.shape[1]):
            total = total + np.sum(np.sin(x[:, t]) * x[:, t])
        return total

    x = onp.random.default_rng(0).standard_normal((40, 5))
    x[:4, 0] = [-0.0, 0.0, 1e-310, -1e-310]
    vg = wengert.jit(wengert.value_and_grad(f))
    assert "] += " in vg.lower(x).source
    v, g = vg(x)
    v0, g0 = wengert.value_and_grad(f)(x)
    assert_bitwise(v, v0)
    assert_bitwise(g, g0)
    onp.testing.assert_allclose(g, onp.sin(x) + x * onp.cos(x), rtol=1e-13, atol=1e-300)
    g2 = vg(x + 1.0)[1]  # a second call writes a fresh buffer
    assert not onp.shares_memory(g, g2)
    assert_bitwise(g, g0)
