"""``linearize`` through primitives that store only reverse-mode residuals: ``jit``,
``custom_jvp`` and ``custom_vjp`` functions. The linear map must agree with ``jvp`` and
with central finite differences, stay linear over several calls, and work where such a
function sits among other operations, takes pytrees, or is nested."""

from __future__ import annotations

import numpy as onp
import pytest

import wengert
import wengert.numpy as np
from wengert.check import numerical_jvp
from wengert.tree import tree_leaves


def R(*shape, seed=0):
    return onp.random.default_rng(seed).standard_normal(shape)


def assert_tree_close(actual, expected, rtol=1e-7, atol=1e-9):
    a, e = tree_leaves(actual), tree_leaves(expected)
    assert len(a) == len(e)
    for x, y in zip(a, e):
        onp.testing.assert_allclose(x, y, rtol=rtol, atol=atol)


def check_linearize(f, primals, tangent_sets, fd_rtol=1e-6):
    """linearize(f) against jvp (to rounding) and central differences, for several
    tangents through one linear map, and its linearity."""
    out, f_jvp = wengert.linearize(f, *primals)
    assert_tree_close(out, f(*primals), rtol=1e-12, atol=1e-12)
    results = []
    for ts in tangent_sets:
        lin = f_jvp(*ts)
        _, by_jvp = wengert.jvp(f, tuple(primals), tuple(ts))
        assert_tree_close(lin, by_jvp, rtol=1e-10, atol=1e-12)
        fd = numerical_jvp(f, tuple(primals), tuple(ts))
        assert_tree_close(lin, fd, rtol=fd_rtol, atol=1e-7)
        results.append(lin)
    # Linearity: J(2 t0 - 3 t1) = 2 J t0 - 3 J t1.
    t0, t1 = tangent_sets[0], tangent_sets[1]
    combo = [2.0 * onp.asarray(a) - 3.0 * onp.asarray(b) if not isinstance(a, (tuple, dict))
             else _combine(a, b) for a, b in zip(t0, t1)]
    lin = f_jvp(*combo)
    expected = [2.0 * x - 3.0 * y for x, y in
                zip(tree_leaves(results[0]), tree_leaves(results[1]))]
    assert_tree_close(tree_leaves(lin), expected, rtol=1e-10, atol=1e-12)


def _combine(a, b):
    if isinstance(a, dict):
        return {k: 2.0 * a[k] - 3.0 * b[k] for k in a}
    return tuple(2.0 * x - 3.0 * y for x, y in zip(a, b))


# -- jit ---------------------------------------------------------------------------------


def test_linearize_of_a_jitted_function():
    f = wengert.jit(lambda x: np.sum(np.tanh(x) ** 2 * x[::-1]) + np.exp(x) * 0.5)
    x = R(5)
    check_linearize(f, [x], [(R(5, seed=1),), (R(5, seed=2),), (R(5, seed=3),)])


def test_jit_among_other_operations_with_a_constant_argument():
    """The jitted function gets one traced argument and one constant; its outputs are
    used by other operations, and one of them is not traced at all."""
    inner = wengert.jit(lambda a, w: (np.sin(a @ w), a.sum() * 2.0, w * 3.0))
    w = R(3, 2, seed=5)

    def f(x):
        s, t, w3 = inner(np.cos(x), w)
        return np.log1p(s ** 2) * t + w3.sum()

    x = R(4, 3)
    check_linearize(f, [x], [(R(4, 3, seed=1),), (R(4, 3, seed=2),)])


def test_jit_with_pytrees_and_several_inputs():
    @wengert.jit
    def inner(params, x):
        return {"y": np.tanh(x @ params["w"] + params["b"]), "n": np.sum(x * x)}

    def f(params, x):
        out = inner(params, x)
        return out["y"] * out["n"], np.exp(-out["n"])

    params = {"w": R(3, 2, seed=1), "b": R(2, seed=2)}
    x = R(4, 3, seed=3) * 0.3
    tangents = [({"w": R(3, 2, seed=s), "b": R(2, seed=s + 1)}, R(4, 3, seed=s + 2))
                for s in (10, 20)]
    check_linearize(f, [params, x], tangents)


def test_jit_called_twice_and_with_a_branch():
    @wengert.jit
    def step(x):
        if np.sum(x) > 0:  # a guard: the branch taken is linearised
            return np.sin(x) * x
        return np.cos(x)

    def f(x):
        return step(step(x) + 1.0)

    x = onp.abs(R(3)) + 0.1
    check_linearize(f, [x], [(R(3, seed=1),), (R(3, seed=2),)])
    check_linearize(f, [-x - 5.0], [(R(3, seed=3),), (R(3, seed=4),)])


def test_linearize_of_a_jitted_scalar_loop():
    @wengert.jit
    def loop(x):
        for _ in range(20):
            x = np.sin(x) * 1.0001 + 0.1 * np.cos(x)
        return x

    check_linearize(loop, [0.5], [(1.0,), (-0.25,)])


def test_gradient_of_the_linear_map_through_jit():
    """The primal inputs the map keeps are traced by an outer reverse trace: the map's
    gradient in x is the mixed second derivative, checked by differences of jvp."""
    f = wengert.jit(lambda x: np.sum(np.sin(x) * x ** 2))
    t = R(3, seed=7)

    def directional(x):
        _, f_jvp = wengert.linearize(f, x)
        return f_jvp(t)

    x = R(3)
    g = wengert.grad(directional)(x)
    fd = wengert.check.numerical_grad(lambda x: wengert.jvp(f, (x,), (t,))[1], x)
    onp.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-8)


def test_jit_around_linearize_of_a_jitted_function():
    f = wengert.jit(lambda x: np.exp(np.sin(x)) * x)

    def lin(x, t):
        return wengert.linearize(f, x)[1](t)

    x, t = R(4), R(4, seed=1)
    onp.testing.assert_allclose(wengert.jit(lin)(x, t), wengert.jvp(f, (x,), (t,))[1],
                                rtol=1e-12)


# -- custom rules ------------------------------------------------------------------------


def _softplus_custom_jvp():
    @wengert.custom_jvp
    def softplus(x):
        return np.logaddexp(x, 0.0)

    @softplus.defjvp
    def _(primals, tangents):
        (x,), (t,) = primals, tangents
        return softplus(x), t / (1.0 + np.exp(-x))

    return softplus


def test_linearize_of_a_custom_jvp_function():
    softplus = _softplus_custom_jvp()
    f = lambda x: np.sum(softplus(x * 2.0) ** 2) + softplus(x)
    check_linearize(f, [R(4)], [(R(4, seed=1),), (R(4, seed=2),)])


def test_linearize_uses_the_custom_jvp_rule():
    """A rule that is deliberately not the derivative (scaled by 3): linearize must
    call it, as jvp does."""
    @wengert.custom_jvp
    def f(x):
        return np.sin(x)

    @f.defjvp
    def _(primals, tangents):
        return f(primals[0]), 3.0 * np.cos(primals[0]) * tangents[0]

    x, t = R(3), R(3, seed=1)
    _, f_jvp = wengert.linearize(lambda x: f(x) * 2.0, x)
    onp.testing.assert_allclose(f_jvp(t), 6.0 * onp.cos(x) * t, rtol=1e-13)


def test_linearize_of_a_custom_vjp_function_with_pytrees():
    @wengert.custom_vjp
    def affine(p, x):
        return {"out": np.tanh(x * p[0] + p[1]), "scale": np.sum(p[0] ** 2)}

    def fwd(p, x):
        out = affine(p, x)
        return out, (p, x, out["out"])

    def bwd(res, g):
        p, x, y = res
        d = g["out"] * (1.0 - y ** 2)
        return (np.sum(d * x) + g["scale"] * 2.0 * p[0], np.sum(d)), d * p[0]

    affine.defvjp(fwd, bwd)

    def f(p, x):
        r = affine(p, np.sin(x))
        return r["out"] * r["scale"]

    p = (onp.float64(0.7), onp.float64(-0.2))
    x = R(5)
    tangents = [((onp.float64(0.3), onp.float64(1.1)), R(5, seed=1)),
                ((onp.float64(-0.5), onp.float64(0.4)), R(5, seed=2))]
    check_linearize(f, [p, x], tangents)


def test_custom_vjp_inside_a_jitted_function_under_linearize():
    @wengert.custom_vjp
    def square(x):
        return x * x

    square.defvjp(lambda x: (x * x, x), lambda x, g: (2.0 * x * g,))
    f = wengert.jit(lambda x: np.sum(square(np.sin(x))) * x)
    check_linearize(f, [R(3)], [(R(3, seed=1),), (R(3, seed=2),)])


def test_a_primitive_without_linearize_primals_still_says_so():
    """A vjp_fwd primitive that does not say where its inputs are: a clear error."""
    from wengert.core import Primitive

    prim = Primitive("opaque", lambda x: (x * 2.0,), multiple_results=True)
    prim.vjp_fwd = lambda x: ((x * 2.0,), None)
    prim.vjp_all = lambda g, ans, saved, params, parents: [g[0] * 2.0]
    prim.jvp_full = lambda p, t, params: ((p[0] * 2.0,), [t[0] * 2.0])
    _, f_jvp = wengert.linearize(lambda x: prim(x)[0], R(2))
    with pytest.raises(NotImplementedError, match="opaque"):
        f_jvp(R(2, seed=1))
