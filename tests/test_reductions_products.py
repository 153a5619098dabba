"""Reductions (``reductions.py``) and products (``products.py``) against independent
references: values against NumPy; gradients (per argument), JVPs and second derivatives
against central finite differences computed here; ties, zeros and NaNs against closed
forms; float32 kept as float32.
"""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp

# -- references ---------------------------------------------------------------------------

EPS = 1e-6


def fd_grad(f, x, eps=EPS):
    """Central differences of the scalar ``f`` at ``x``, one coordinate at a time."""
    x = np.asarray(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (float(f(x + e)) - float(f(x - e))) / (2 * eps)
    return g


def fd_dir(f, args, tangents, eps=EPS):
    """Central difference of ``f`` (array-valued) along ``tangents``."""
    plus = f(*[a + eps * t for a, t in zip(args, tangents, strict=True)])
    minus = f(*[a - eps * t for a, t in zip(args, tangents, strict=True)])
    return (np.asarray(plus, np.float64) - np.asarray(minus, np.float64)) / (2 * eps)


def replace(args, i, v):
    out = list(args)
    out[i] = v
    return out


def close(actual, expected, rtol=1e-5, atol=1e-6, what=""):
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


def make(rng, shape, domain):
    if domain == "distinct":  # no ties, gaps of at least ~0.17 between values
        n = int(np.prod(shape, dtype=np.int64))
        return (rng.permutation(n).reshape(shape) * 0.37 + rng.uniform(-0.1, 0.1, shape))
    if domain == "positive":
        return rng.uniform(0.5, 1.5, shape)
    return rng.standard_normal(shape)


# -- the cases ----------------------------------------------------------------------------
# (id, wengert fn, numpy fn, argument shapes, domain)


def case(name, fn, np_fn, shapes, domain="real"):
    return pytest.param(fn, np_fn, shapes, domain, id=name)


def red(name, shapes, domain="real", **kw):
    """A reduction case: ``wnp.<name>(x, **kw)`` against ``numpy.<name>(x, **kw)``."""
    label = f"{name}-{'x'.join(map(str, shapes[0])) or 's'}-{kw}"
    return case(label, lambda x: getattr(wnp, name)(x, **kw),
                lambda x: getattr(np, name)(x, **kw), shapes, domain)


def two(name, shapes, label="", domain="real", **kw):
    label = f"{name}-{label or ','.join('x'.join(map(str, s)) or 's' for s in shapes)}"
    return case(label, lambda a, b: getattr(wnp, name)(a, b, **kw),
                lambda a, b: getattr(np, name)(a, b, **kw), shapes, domain)


def ein(spec, *shapes):
    return case(f"einsum-{spec}", lambda *ops: wnp.einsum(spec, *ops),
                lambda *ops: np.einsum(spec, *ops), list(shapes))


CASES = [
    red("sum", [()]),
    red("sum", [(3, 4)], axis=1, keepdims=True),
    red("mean", [(2, 3, 4)], axis=(0, 2)),
    red("prod", [()]),
    red("prod", [(5,)]),
    red("prod", [(3, 4)], axis=0),
    red("prod", [(3, 4)], axis=1, keepdims=True),
    red("prod", [(2, 3, 4)], axis=(0, 2)),
    red("prod", [(2, 3, 4)], axis=None, keepdims=True),
    red("var", [(5,)]),
    red("var", [(3, 4)], axis=0, ddof=1),
    red("var", [(2, 3, 4)], axis=(1, 2), keepdims=True),
    red("std", [(6,)], ddof=1),
    red("std", [(3, 4)], axis=-1, keepdims=True),
    red("std", [(2, 3, 4)], axis=(0, 2)),
    red("max", [()], domain="distinct"),
    red("max", [(5,)], domain="distinct"),
    red("max", [(3, 4)], axis=0, domain="distinct"),
    red("min", [(3, 4)], axis=1, keepdims=True, domain="distinct"),
    red("amax", [(2, 3, 4)], axis=(0, 2), domain="distinct"),
    red("amin", [(2, 3, 4)], domain="distinct"),
    red("cumsum", [()]),
    red("cumsum", [(5,)]),
    red("cumsum", [(3, 4)]),
    red("cumsum", [(2, 3, 4)], axis=1),
    red("cumsum", [(2, 3, 4)], axis=-1),
    red("cumprod", [(5,)]),
    red("cumprod", [(3, 4)]),
    red("cumprod", [(3, 4)], axis=0),
    red("cumprod", [(2, 3, 5)], axis=-1),
    red("cumprod", [(7,)], axis=0),
    red("nansum", [(3, 4)], axis=0),
    red("nansum", [(2, 3, 4)], axis=(0, 2), keepdims=True),
    red("nanmean", [(3, 4)]),
    red("nanmean", [(2, 3, 4)], axis=1, keepdims=True),
    two("tensordot", [(3, 4), (4, 5)], axes=1),
    two("tensordot", [(2, 3, 4), (3, 4, 5)]),
    two("tensordot", [(2, 3, 4), (4, 2)], label="pairs", axes=([0, 2], [1, 0])),
    two("tensordot", [(), (3,)], axes=0),
    ein("ii->i", (3, 3)),
    ein("ij->ji", (3, 4)),
    ein("ii", (4, 4)),
    ein("ij", (3, 4)),
    ein("ijk->k", (2, 3, 4)),
    ein("...ii->...i", (2, 3, 3)),
    ein("ij,jk->ik", (3, 4), (4, 2)),
    ein("ij,jk", (3, 4), (4, 2)),
    ein("bij,bjk->bik", (2, 3, 4), (2, 4, 2)),
    ein("i,i", (4,), (4,)),
    ein("ij,ij->ij", (3, 1), (3, 4)),
    ein("ii,i->i", (3, 3), (3,)),
    ein("...ij,...jk->...ik", (2, 3, 4), (4, 2)),
    ein("...i,...i->...", (2, 1, 3), (4, 3)),
    ein("iij->ji", (3, 3, 2)),
    ein("ij,jk,kl->il", (2, 3), (3, 4), (4, 2)),
    ein("i,j,k->ijk", (2,), (3,), (2,)),
    ein("ij,j,jk", (2, 3), (3,), (3, 2)),
    two("inner", [(4,), (4,)]),
    two("inner", [(3, 4), (2, 4)]),
    two("inner", [(), (3,)]),
    two("outer", [(3,), (4,)]),
    two("outer", [(2, 2), (3,)]),
    two("kron", [(2, 3), (3, 2)]),
    two("kron", [(3,), (2, 2)]),
    two("kron", [(), (3,)]),
    two("dot", [(), (3,)]),
    two("dot", [(3,), (3,)]),
    two("dot", [(2, 3), (3, 4)]),
    two("dot", [(2, 3, 4), (4,)]),
    two("dot", [(2, 3, 4), (5, 4, 2)]),
    two("dot", [(4,), (2, 4, 3)]),
    two("matmul", [(3, 4), (4, 5)]),
    two("matmul", [(2, 1, 3, 4), (5, 4, 2)]),
    red("trace", [(4, 4)]),
    red("trace", [(3, 5)], offset=1),
    red("trace", [(2, 3, 4)], offset=-1, axis1=1, axis2=2),
    red("diag", [(4,)]),
    red("diag", [(4,)], k=1),
    red("diag", [(3,)], k=-2),
    red("diag", [(3, 4)], k=1),
    red("diag", [(4, 3)], k=-1),
    red("diagonal", [(3, 4)]),
    red("diagonal", [(2, 3, 4)], offset=1, axis1=2, axis2=0),
    red("tril", [(4, 4)]),
    red("tril", [(3,)]),
    red("tril", [(2, 3, 4)], k=-1),
    red("triu", [(3, 5)], k=1),
    red("triu", [(2, 4, 3)]),
]


def _args(shapes, domain, seed=0):
    rng = np.random.default_rng(seed)
    return [make(rng, s, domain) for s in shapes]


@pytest.mark.parametrize("fn, np_fn, shapes, domain", CASES)
def test_value(fn, np_fn, shapes, domain):
    args = _args(shapes, domain)
    out = fn(*args)
    expected = np_fn(*args)
    assert np.shape(out) == np.shape(expected)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    args32 = [a.astype(np.float32) for a in args]
    out32 = np.asarray(fn(*args32))
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32, np_fn(*args32), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fn, np_fn, shapes, domain", CASES)
def test_first_order(fn, np_fn, shapes, domain):
    args = _args(shapes, domain)
    rng = np.random.default_rng(1)
    w = rng.standard_normal(np.shape(np_fn(*args)))

    def scalar(*a):
        return wnp.sum(wnp.multiply(fn(*a), w))

    for i in range(len(args)):
        # Reverse mode, one argument at a time (so wrong ``reads=`` show).
        g = wengert.grad(scalar, argnums=i)(*args)
        ref = fd_grad(lambda x, i=i: np.sum(np_fn(*replace(args, i, x)) * w), args[i])
        close(g, ref, what=f"grad in argument {i}")
        # vjp of the array-valued function in that argument (the others constant).
        out, pullback = wengert.vjp(lambda x, i=i: fn(*replace(args, i, x)), args[i])
        (ct,) = pullback(w)
        close(ct, ref, what=f"vjp in argument {i}")
    # Forward mode: all arguments at once, and each one alone.
    tangents = [rng.standard_normal(np.shape(a)) for a in args]
    _, t_out = wengert.jvp(fn, tuple(args), tuple(tangents))
    close(t_out, fd_dir(np_fn, args, tangents), what="jvp")
    for i in range(len(args)):
        only = [t if j == i else np.zeros_like(t) for j, t in enumerate(tangents)]
        _, t_out = wengert.jvp(fn, tuple(args), tuple(only))
        close(t_out, fd_dir(np_fn, args, only), what=f"jvp in argument {i}")


@pytest.mark.parametrize("fn, np_fn, shapes, domain", CASES)
def test_second_order(fn, np_fn, shapes, domain):
    args = _args(shapes, domain)
    rng = np.random.default_rng(2)
    w = rng.standard_normal(np.shape(np_fn(*args)))

    def scalar(*a):  # nonlinear in the output, so linear functions get curvature too
        return wnp.sum(wnp.multiply(wnp.sin(fn(*a)), w))

    for i in range(len(args)):
        v = rng.standard_normal(np.shape(args[i]))
        g_i = wengert.grad(scalar, argnums=i)

        def g_of(x, i=i, g_i=g_i):
            return np.asarray(g_i(*replace(args, i, x)))

        ref = (g_of(args[i] + 1e-5 * v) - g_of(args[i] - 1e-5 * v)) / 2e-5
        # Forward-over-reverse (hvp) in argument i.
        hv = wengert.hvp(lambda x, i=i: scalar(*replace(args, i, x)), (args[i],), (v,))
        close(hv, ref, rtol=1e-4, atol=1e-5, what=f"hvp in argument {i}")
        # Reverse-over-reverse.
        gg = wengert.grad(lambda x, i=i, v=v: wnp.sum(wnp.multiply(
            wengert.grad(lambda y: scalar(*replace(args, i, y)))(x), v)))(args[i])
        close(gg, ref, rtol=1e-4, atol=1e-5, what=f"grad of grad in argument {i}")


@pytest.mark.parametrize("fn, np_fn, shapes, domain", CASES)
def test_float32(fn, np_fn, shapes, domain):
    args = [a.astype(np.float32) for a in _args(shapes, domain)]
    w = np.random.default_rng(3).standard_normal(np.shape(np_fn(*args))).astype(np.float32)
    for i in range(len(args)):
        out, pullback = wengert.vjp(lambda x, i=i: fn(*replace(args, i, x)), args[i])
        assert np.asarray(out).dtype == np.float32
        (ct,) = pullback(w)
        assert np.asarray(ct).dtype == np.float32
        _, t = wengert.jvp(lambda x, i=i: fn(*replace(args, i, x)), (args[i],),
                           (np.ones_like(args[i]),))
        assert np.asarray(t).dtype == np.float32
        h = wengert.hvp(lambda x, i=i: wnp.sum(wnp.multiply(
            wnp.sin(fn(*replace(args, i, x))), w)), (args[i],), (np.ones_like(args[i]),))
        assert np.asarray(h).dtype == np.float32


# -- closed forms: ties, zeros, NaNs ------------------------------------------------------


@pytest.mark.parametrize("name", ["max", "amax", "min", "amin"])
def test_ties_share_evenly(name):
    f = getattr(wnp, name)
    big = name.endswith("max")
    x = np.array([1.0, 3.0, 3.0, 2.0, 3.0]) if big else -np.array([1.0, 3.0, 3.0, 2.0, 3.0])
    g = wengert.grad(f)(x)
    close(g, [0, 1 / 3, 1 / 3, 0, 1 / 3], rtol=1e-15, atol=0)
    # JVP: the mean of the tied tangents (consistent with the VJP).
    t = np.array([5.0, 1.0, 2.0, 7.0, 6.0])
    close(wengert.jvp(f, (x,), (t,))[1], 3.0, rtol=1e-15, atol=0)
    # Per group along an axis, with keepdims.
    m = np.array([[1.0, 4.0, 4.0], [2.0, 2.0, 2.0]]) * (1 if big else -1)
    gm = wengert.grad(lambda m: wnp.sum(f(m, axis=1, keepdims=True) * np.array([[2.0], [3.0]])))(m)
    close(gm, [[0, 1, 1], [1, 1, 1]], rtol=1e-15, atol=0)
    gm0 = wengert.grad(lambda m: wnp.sum(f(m, axis=0)))(m)
    close(gm0, [[0, 1, 1], [1, 0, 0]], rtol=1e-15, atol=0)
    # Second order is zero (the function is piecewise linear).
    close(wengert.hvp(lambda x: f(x), (x,), (t,)), np.zeros(5), atol=0)
    # Method form on traced values.
    close(wengert.grad(lambda x: getattr(x, name[-3:])())(x), g, atol=0)


def test_prod_with_zeros_closed_form():
    x = np.array([2.0, 0.0, 3.0, 5.0])
    close(wengert.grad(wnp.prod)(x), [0.0, 30.0, 0.0, 0.0], atol=0)
    x2 = np.array([2.0, 0.0, 3.0, 0.0])
    close(wengert.grad(wnp.prod)(x2), np.zeros(4), atol=0)
    # Hessian of prod at a single zero: d2/dx_i dx_j = prod of the others but i, j.
    v = np.array([1.0, 2.0, -1.0, 0.5])
    hess = np.zeros((4, 4))
    for i in range(4):
        for j in range(4):
            if i != j:
                hess[i, j] = np.prod([x[k] for k in range(4) if k not in (i, j)])
    close(wengert.hvp(wnp.prod, (x,), (v,)), hess @ v, rtol=1e-14, atol=0)
    # Along an axis, with zeros in some groups, against finite differences (prod is
    # multilinear, so central differences are exact up to rounding).
    m = np.array([[0.0, 2.0, 3.0, 0.5, 1.5], [1.0, 0.0, 0.0, 2.0, 3.0],
                  [1.0, 2.0, 3.0, 4.0, 0.0]])
    w = np.array([1.0, -2.0, 0.5])
    f = lambda m: wnp.sum(wnp.prod(m, axis=1) * w)
    close(wengert.grad(f)(m), fd_grad(f, m), rtol=1e-8, atol=1e-8)
    t = np.random.default_rng(0).standard_normal(m.shape)
    close(wengert.jvp(lambda m: wnp.prod(m, axis=1), (m,), (t,))[1],
          fd_dir(lambda m: np.prod(m, axis=1), [m], [t]), rtol=1e-8, atol=1e-8)
    gf = wengert.grad(f)
    close(wengert.hvp(f, (m,), (t,)), (gf(m + 1e-5 * t) - gf(m - 1e-5 * t)) / 2e-5,
          rtol=1e-6, atol=1e-6)


def test_prod_long_axis_and_empty():
    rng = np.random.default_rng(5)
    x = rng.uniform(0.8, 1.2, (3, 37))
    x[1, 5] = 0.0
    g = wengert.grad(lambda x: wnp.sum(wnp.prod(x, axis=1)))(x)
    expected = np.stack([np.prod(np.delete(x, j, axis=1), axis=1) for j in range(37)], axis=1)
    close(g, expected, rtol=1e-12, atol=1e-15)
    e = np.zeros((0, 3))
    close(wengert.grad(lambda e: wnp.sum(wnp.prod(e, axis=0)))(e), e)


def test_cumprod_with_zeros():
    x = np.array([[1.5, 0.0, 2.0, 0.0, -1.0, 3.0], [0.5, 2.0, 0.0, 1.0, 2.0, 1.5]])
    w = np.random.default_rng(1).standard_normal(x.shape)
    for axis in (0, 1):
        f = lambda x, axis=axis: wnp.sum(wnp.cumprod(x, axis=axis) * w)
        close(wengert.grad(f)(x), fd_grad(f, x), rtol=1e-8, atol=1e-8)
        t = np.random.default_rng(2).standard_normal(x.shape)
        close(wengert.jvp(lambda x, axis=axis: wnp.cumprod(x, axis=axis), (x,), (t,))[1],
              fd_dir(lambda x, axis=axis: np.cumprod(x, axis=axis), [x], [t]),
              rtol=1e-8, atol=1e-8)
        gf = wengert.grad(f)
        close(wengert.hvp(f, (x,), (t,)), (gf(x + 1e-5 * t) - gf(x - 1e-5 * t)) / 2e-5,
              rtol=1e-6, atol=1e-6)
    # Closed form for 1-D: d/dx_j sum_i y_i = sum_{i>=j} prod_{k<=i, k!=j} x_k.
    v = np.array([2.0, 0.0, 3.0, 4.0])
    close(wengert.grad(lambda v: wnp.sum(wnp.cumprod(v)))(v), [1.0, 2 + 6 + 24, 0.0, 0.0])


def test_nan_reductions():
    x = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, 2.0]])
    close(wnp.nansum(x), np.nansum(x))
    g = wengert.grad(wnp.nansum)(x)
    close(g, [[1, 0, 1], [0, 0, 1]], atol=0)
    g = wengert.grad(lambda x: wnp.sum(wnp.nanmean(x, axis=1)))(x)
    close(g, [[0.5, 0, 0.5], [0, 0, 1]], atol=0)
    t = np.arange(6.0).reshape(2, 3)
    close(wengert.jvp(lambda x: wnp.nanmean(x, axis=1), (x,), (t,))[1], [1.0, 5.0])
    close(wengert.jvp(lambda x: wnp.nansum(x, axis=0), (x,), (t,))[1], [0.0, 0.0, 7.0])
    assert np.isnan(wnp.nanmean(np.full(3, np.nan)))


def test_max_nan_propagates():
    x = np.array([1.0, np.nan, 3.0])
    assert np.isnan(wnp.max(x))
    close(wengert.grad(wnp.max)(x), [0.0, 1.0, 0.0], atol=0)


# -- einsum and friends: operand counts, subscripts, errors ------------------------------


def test_einsum_operand_counts_and_modes():
    rng = np.random.default_rng(7)
    a, b, c = rng.standard_normal((3, 4)), rng.standard_normal((4, 5)), rng.standard_normal(5)
    for spec, ops in [("ij->", [a]), ("ij,jk->ki", [a, b]), ("ij,jk,k->i", [a, b, c]),
                      ("ij,jk,k", [a, b, c]), ("Ai,iB->AB", [a, b]), ("...,...", [c, c])]:
        close(wnp.einsum(spec, *ops), np.einsum(spec, *ops), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError):
        wnp.einsum("...ij->ij", np.ones((2, 3, 4)))


def test_diagonal_is_view_and_dot_nd():
    rng = np.random.default_rng(8)
    a = rng.standard_normal((2, 3, 4))
    b = rng.standard_normal((5, 4, 6))
    close(wnp.dot(a, b), np.dot(a, b), rtol=1e-12, atol=1e-12)
    assert wnp.dot(a, b).shape == (2, 3, 5, 6)

    def f(x):
        d = wnp.diagonal(x)
        return wnp.sum(d * d) + x.trace()

    m = rng.standard_normal((3, 3))
    close(wengert.grad(f)(m), 2 * np.diag(np.diag(m)) + np.eye(3))


def test_numpy_dispatch_on_tracers():
    """Plain NumPy calls on traced values reach these functions."""
    rng = np.random.default_rng(9)
    x = rng.standard_normal((3, 4))
    y = rng.standard_normal((4, 2))
    f = lambda x: (np.prod(x, axis=0).sum() + np.max(x) + np.var(x) + np.std(x, axis=1).sum()
                   + np.cumsum(x).sum() + np.einsum("ij,jk->", x, y) + np.tensordot(x, y, 1).sum()
                   + np.trace(x) + np.tril(x).sum() + np.kron(x, y).sum())
    fw = lambda x: (wnp.sum(wnp.prod(x, axis=0)) + wnp.max(x) + wnp.var(x)
                    + wnp.sum(wnp.std(x, axis=1)) + wnp.sum(wnp.cumsum(x))
                    + wnp.einsum("ij,jk->", x, y) + wnp.sum(wnp.tensordot(x, y, 1))
                    + wnp.trace(x) + wnp.sum(wnp.tril(x)) + wnp.sum(wnp.kron(x, y)))
    close(wengert.grad(f)(x), wengert.grad(fw)(x), rtol=1e-12, atol=1e-12)
    close(wengert.grad(fw)(x), fd_grad(lambda x: f(x), x), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumprod_scan_path_matches(axis, monkeypatch):
    """The division-free scan (used where x has zeros) gives the same derivatives as the
    division formula on zero-free data, at first and second order."""
    from wengert.numpy import reductions

    rng = np.random.default_rng(11)
    x = rng.uniform(0.5, 1.5, (3, 9)) * rng.choice([-1.0, 1.0], (3, 9))
    w = rng.standard_normal(np.cumprod(x, axis=axis).shape)
    v = rng.standard_normal(x.shape)
    f = lambda x: wnp.sum(wnp.sin(wnp.cumprod(x, axis=axis)) * w)
    fast = (wengert.grad(f)(x), wengert.jvp(lambda x: wnp.cumprod(x, axis=axis), (x,), (v,))[1],
            wengert.hvp(f, (x,), (v,)))
    monkeypatch.setattr(reductions, "_divides_safely", lambda ans: False)
    scan = (wengert.grad(f)(x), wengert.jvp(lambda x: wnp.cumprod(x, axis=axis), (x,), (v,))[1],
            wengert.hvp(f, (x,), (v,)))
    for a, b in zip(fast, scan, strict=True):
        close(a, b, rtol=1e-10, atol=1e-12)


def test_linearize_uses_the_jvp_rules():
    rng = np.random.default_rng(12)
    x = rng.standard_normal((3, 4))
    x[1, 2] = 0.0
    y = rng.standard_normal((4, 2))
    f = lambda x: (wnp.prod(x, axis=0), wnp.cumprod(x, axis=1), wnp.max(x, axis=1),
                   wnp.einsum("ij,jk->ik", x, y), wnp.tensordot(x, y, 1), wnp.diagonal(x))
    out, f_jvp = wengert.linearize(f, x)
    t = rng.standard_normal(x.shape)
    for a, b in zip(f_jvp(t), wengert.jvp(f, (x,), (t,))[1], strict=True):
        close(a, b, rtol=1e-12, atol=1e-12)
