"""Shapes, joining and indexing: values against NumPy, first derivatives (VJP per
argument, JVP) against central finite differences, second order (HVP) against finite
differences of the gradient, and the behaviour of ``x[index] = v`` on traced arrays."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert.errors import TracerConversionError

EPS = 1e-6


def _rng(seed=0):
    return np.random.default_rng(seed)


def _fd_jvp(f, args, i, u):
    """Central difference of f along u in argument i."""
    plus = list(args)
    minus = list(args)
    plus[i] = args[i] + EPS * u
    minus[i] = args[i] - EPS * u
    return (np.asarray(f(*plus)) - np.asarray(f(*minus))) / (2 * EPS)


def check(f, *args, reference=None, order=2, rtol=1e-6, atol=1e-6, seed=0):
    """Check ``f(*args)`` (float64 arrays) against NumPy and finite differences.

    ``reference``: the same function in plain NumPy (None: ``f`` on plain arrays).
    Per argument ``i``: the VJP with a random cotangent ``w`` against the finite
    difference of ``<w, f>``; the JVP against the finite difference of ``f``; and the
    HVP of ``s(x) = <w, sin(f(x))>`` (nonlinear, so it exercises the rules at second
    order) against the finite difference of its gradient.
    """
    rng = _rng(seed)
    args = [np.asarray(a, dtype=np.float64) for a in args]
    out = f(*args)
    expected = (reference or f)(*args)
    np.testing.assert_allclose(np.asarray(out), np.asarray(expected), rtol=1e-12, atol=0)
    assert np.shape(out) == np.shape(expected)
    w = rng.standard_normal(np.shape(out))
    for i, x in enumerate(args):
        def fi(xi, i=i):
            call = list(args)
            call[i] = xi
            return f(*call)

        def s(xi, fi=fi):
            return wnp.sum(w * fi(xi))

        # reverse mode, argument i alone
        g = wengert.grad(s)(x)
        assert g.shape == x.shape and g.dtype == x.dtype
        u = rng.standard_normal(x.shape)
        fd = np.sum(w * _fd_jvp(fi, [x], 0, u))
        np.testing.assert_allclose(np.sum(g * u), fd, rtol=rtol, atol=atol)
        # vjp gives the same
        _, pullback = wengert.vjp(fi, x)
        np.testing.assert_allclose(pullback(w)[0], g, rtol=1e-12, atol=1e-12)
        # forward mode
        _, t = wengert.jvp(fi, (x,), (u,))
        np.testing.assert_allclose(np.asarray(t), _fd_jvp(fi, [x], 0, u), rtol=rtol, atol=atol)
        if order >= 2:
            def s2(xi, fi=fi):
                return wnp.sum(w * wnp.sin(fi(xi)))

            h = wengert.hvp(s2, (x,), (u,))
            gp = wengert.grad(s2)(x + EPS * u)
            gm = wengert.grad(s2)(x - EPS * u)
            np.testing.assert_allclose(h, (gp - gm) / (2 * EPS), rtol=1e-5, atol=1e-5)


def R(*shape, seed=1):
    return _rng(seed).standard_normal(shape)


# -- shapes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "f, shape",
    [
        (lambda x: wnp.reshape(x, (4, 3)), (3, 4)),
        (lambda x: wnp.reshape(x, -1), (3, 4)),
        (lambda x: x.reshape(2, -1, 2), (3, 4)),
        (lambda x: wnp.ravel(x), (3, 4)),
        (lambda x: wnp.flatten(x), (3, 4)),
        (lambda x: wnp.transpose(x), (2, 3, 4)),
        (lambda x: wnp.transpose(x, (1, 2, 0)), (2, 3, 4)),
        (lambda x: wnp.swapaxes(x, 0, -1), (2, 3, 4)),
        (lambda x: wnp.expand_dims(x, (0, -1)), (3, 4)),
        (lambda x: wnp.squeeze(x), (3, 1, 4, 1)),
        (lambda x: wnp.squeeze(x, axis=1), (3, 1, 4)),
        (lambda x: wnp.broadcast_to(x, (2, 3, 4)), (3, 1)),
        (lambda x: wnp.moveaxis(x, 0, -1), (2, 3, 4)),
        (lambda x: wnp.moveaxis(x, (0, 1), (2, 0)), (2, 3, 4)),
        (lambda x: wnp.flip(x), (3, 4)),
        (lambda x: wnp.flip(x, 1), (3, 4)),
        (lambda x: wnp.flip(x, (0, -1)), (2, 3, 4)),
        (lambda x: wnp.fliplr(x), (3, 4)),
        (lambda x: wnp.flipud(x), (3, 4)),
        (lambda x: wnp.rot90(x), (3, 4)),
        (lambda x: wnp.rot90(x, 2), (3, 4)),
        (lambda x: wnp.rot90(x, 3), (3, 4)),
        (lambda x: wnp.rot90(x, -1, axes=(2, 0)), (2, 3, 4)),
        (lambda x: wnp.roll(x, 2), (3, 4)),
        (lambda x: wnp.roll(x, -1, axis=1), (3, 4)),
        (lambda x: wnp.roll(x, (1, 2), axis=(0, 1)), (3, 4)),
        (lambda x: wnp.roll(x, (1, 2), axis=1), (3, 4)),
        (lambda x: wnp.repeat(x, 2), (3, 4)),
        (lambda x: wnp.repeat(x, 3, axis=1), (3, 4)),
        (lambda x: wnp.repeat(x, [2, 0, 1], axis=0), (3, 4)),
        (lambda x: wnp.repeat(x, [1, 3, 0, 2], axis=-1), (3, 4)),
        (lambda x: wnp.repeat(x, 0, axis=0), (3, 4)),
        (lambda x: wnp.tile(x, 2), (3,)),
        (lambda x: wnp.tile(x, (2, 1, 3)), (3, 4)),
        (lambda x: wnp.tile(x, (2, 3)), (1,)),
        (lambda x: wnp.tile(x, 1), (3, 4)),
        (lambda x: wnp.pad(x, 1), (3, 4)),
        (lambda x: wnp.pad(x, ((1, 2), (0, 3)), constant_values=((1.5, -2.0), (3.0, 4.0))),
         (3, 4)),
        (lambda x: wnp.pad(x, (2, 1), mode="edge"), (3, 4)),
        (lambda x: wnp.pad(x, ((1, 2), (3, 0)), mode="reflect"), (3, 4)),
        (lambda x: wnp.pad(x, 5, mode="reflect"), (3,)),
        (lambda x: wnp.pad(x, ((2, 4), (1, 1)), mode="symmetric"), (3, 4)),
        (lambda x: wnp.pad(x, ((2, 4), (5, 1)), mode="wrap"), (3, 4)),
    ],
)
def test_shapes(f, shape):
    check(f, R(*shape), reference=lambda x: np.asarray(f(x)))


SHAPE_REFERENCES = [
    (lambda m: m.moveaxis(R(2, 3, 4), (0, 1), (2, 0))),
    (lambda m: m.flip(R(2, 3, 4), (0, -1))),
    (lambda m: m.rot90(R(2, 3, 4), -1, axes=(2, 0))),
    (lambda m: m.rot90(R(3, 4), 7)),
    (lambda m: m.roll(R(3, 4), (1, 2), axis=1)),
    (lambda m: m.roll(R(3, 4), -7)),
    (lambda m: m.repeat(R(3, 4), [2, 0, 1], axis=0)),
    (lambda m: m.repeat(R(3, 4), 2)),
    (lambda m: m.tile(R(3, 4), (2, 1, 3))),
    (lambda m: m.tile(R(2,), (3, 1))),
    (lambda m: m.pad(R(3, 4), ((1, 2), (0, 3)), constant_values=((1.5, -2.0), (3.0, 4.0)))),
    (lambda m: m.pad(R(3,), 7, mode="reflect")),
    (lambda m: m.pad(R(3, 4), ((2, 4), (5, 1)), mode="symmetric")),
    (lambda m: m.pad(R(3, 4), ((2, 4), (5, 1)), mode="wrap")),
    (lambda m: m.pad(R(3, 4), 3, mode="edge")),
    (lambda m: m.atleast_3d(R(4))),
    (lambda m: m.atleast_3d(R(3, 4))),
    (lambda m: m.atleast_2d(R(4))),
]


@pytest.mark.parametrize("make", SHAPE_REFERENCES)
def test_shapes_match_numpy(make):
    """Values against NumPy itself (the checks above compare with plain-array calls)."""
    ours, theirs = make(wnp), make(np)
    assert np.shape(ours) == np.shape(theirs)
    np.testing.assert_array_equal(ours, theirs)
    # and traced: the same value comes out of jvp
    x = R(3, 4)
    out, _ = wengert.jvp(lambda x: wnp.rot90(wnp.tile(x, (2, 1)), 1), (x,), (x,))
    np.testing.assert_array_equal(out, np.rot90(np.tile(x, (2, 1)), 1))


@pytest.mark.parametrize("name", ["atleast_1d", "atleast_2d", "atleast_3d"])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 2), (1, 2, 1, 2)])
def test_atleast(name, shape):
    f = getattr(wnp, name)
    x = R(*shape) if shape else np.float64(0.7)
    check(f, x, reference=lambda x: getattr(np, name)(x))


@pytest.mark.parametrize("name", ["atleast_1d", "atleast_2d", "atleast_3d"])
def test_atleast_several(name):
    a, b, c = np.float64(0.5), R(3), R(2, 3)
    ours = getattr(wnp, name)(a, b, c)
    theirs = getattr(np, name)(a, b, c)
    assert type(ours) is type(theirs)
    for o, t in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(o, t)

    def f(a, b, c):
        ps = getattr(wnp, name)(a, b, c)
        return wnp.concatenate([wnp.ravel(p) for p in ps])

    check(f, a, b, c)


def test_numpy_calls_dispatch_to_shapes():
    """Plain NumPy calls on traced values go to these functions."""
    x = R(3, 4)

    def f(x):
        y = np.concatenate([np.flip(x, 0), np.roll(x, 1, axis=1)], axis=1)
        y = np.pad(np.rot90(y), 1, mode="edge")
        y = np.tile(np.moveaxis(np.atleast_3d(y), -1, 0), (2, 1, 1))
        y = np.repeat(y, 2, axis=1) + np.take(y, [0, 0, 1], axis=0).sum() * 0.1
        return np.sort(np.ravel(y)) * np.linspace(0.0, 1.0, y.size)

    check(f, x, order=2)


# -- joining -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "f, shapes",
    [
        (lambda x, y: wnp.concatenate([x, y]), [(2, 3), (4, 3)]),
        (lambda x, y: wnp.concatenate((x, y), axis=1), [(2, 3), (2, 1)]),
        (lambda x, y: wnp.concatenate([x, y, x], axis=-1), [(2, 3), (2, 1)]),
        (lambda x, y: wnp.concatenate([x, y], axis=None), [(2, 3), (4,)]),
        (lambda x, y: wnp.concatenate([x, np.ones((1, 3)), y]), [(2, 3), (4, 3)]),
        (lambda x, y: wnp.stack([x, y]), [(2, 3), (2, 3)]),
        (lambda x, y: wnp.stack([x, y, x], axis=-1), [(2, 3), (2, 3)]),
        (lambda x, y: wnp.stack((x, y), axis=1), [(3,), (3,)]),
        (lambda x, y: wnp.hstack([x, y]), [(3,), (2,)]),
        (lambda x, y: wnp.hstack([x, y]), [(2, 3), (2, 2)]),
        (lambda x, y: wnp.vstack([x, y]), [(3,), (3,)]),
        (lambda x, y: wnp.vstack([x, y]), [(2, 3), (3,)]),
        (lambda x, y: wnp.dstack([x, y]), [(2, 3), (2, 3)]),
        (lambda x, y: wnp.dstack([x, y]), [(3,), (3,)]),
    ],
)
def test_joining(f, shapes):
    args = [R(*s, seed=k) for k, s in enumerate(shapes)]
    check(f, *args)


JOIN_REFERENCES = [
    lambda m, x, y: m.concatenate([x, y], axis=None),
    lambda m, x, y: m.concatenate([x, y], axis=0),
    lambda m, x, y: m.stack([x, y], axis=-1),
    lambda m, x, y: m.stack([x, y], axis=1),
    lambda m, x, y: m.hstack([x, y]),
    lambda m, x, y: m.vstack([x, y]),
    lambda m, x, y: m.dstack([x, y]),
    lambda m, x, y: m.concatenate([x[0], y[1]]),
    lambda m, x, y: m.hstack([x[0], y[1]]),
    lambda m, x, y: m.vstack([x[0], y[1]]),
    lambda m, x, y: m.dstack([x[0], y[1]]),
    lambda m, x, y: m.concatenate(m.stack([x, y])),
]


@pytest.mark.parametrize("make", JOIN_REFERENCES)
def test_joining_matches_numpy(make):
    x, y = R(2, 3), R(2, 3, seed=5)
    np.testing.assert_array_equal(make(wnp, x, y), make(np, x, y))
    out, _ = wengert.jvp(lambda x, y: make(wnp, x, y), (x, y), (x, y))
    np.testing.assert_array_equal(out, make(np, x, y))


@pytest.mark.parametrize(
    "how, args",
    [
        ("split", (3,)),
        ("split", ([1, 4],)),
        ("split", (2, 1)),
        ("split", ([1], -1)),
        ("array_split", (4,)),
        ("array_split", (5, 1)),
        ("array_split", ([2, 2, 5],)),
        ("array_split", ([-2],)),
        ("array_split", ([4, 1],)),  # overlapping pieces, as NumPy allows
        ("array_split", ([3, 1, 9],)),
    ],
)
def test_split(how, args):
    x = R(6, 4)
    ours = getattr(wnp, how)(x, *args)
    theirs = getattr(np, how)(x, *args)
    assert isinstance(ours, list) and len(ours) == len(theirs)
    for o, t in zip(ours, theirs, strict=True):
        assert o.shape == t.shape
        np.testing.assert_array_equal(o, t)

    def f(x):
        pieces = getattr(wnp, how)(x, *args)
        # weight each piece differently, so a mix-up of pieces shows in the gradient
        return wnp.concatenate([wnp.ravel(p) * (k + 1.0) for k, p in enumerate(pieces)])

    check(f, x)


def test_split_only_some_pieces_used():
    x = R(6, 4)
    check(lambda x: wnp.split(x, 3)[1] * 2.0, x)
    check(lambda x: wnp.array_split(x, [1, 3], axis=1)[2], x)


def test_split_errors():
    with pytest.raises(ValueError, match="equal division"):
        wnp.split(R(5), 2)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_split_concatenate_round_trip(axis):
    x = R(4, 6, 2)
    n = x.shape[axis]

    def f(x):
        return wnp.concatenate(wnp.split(x, n // 2, axis=axis), axis=axis)

    np.testing.assert_array_equal(f(x), x)
    g = wengert.grad(lambda x: wnp.sum(f(x) * x))(x)
    np.testing.assert_allclose(g, 2 * x)
    _, t = wengert.jvp(f, (x,), (x * 3,))
    np.testing.assert_allclose(t, 3 * x)

    def h(x, y):
        return wnp.split(wnp.concatenate([x, y], axis=axis), [x.shape[axis]], axis=axis)

    y = R(4, 6, 2, seed=3)
    a, b = h(x, y)
    np.testing.assert_array_equal(a, x)
    np.testing.assert_array_equal(b, y)
    check(lambda x, y: h(x, y)[0] * h(x, y)[1], x, y)


def test_concatenate_many_and_linearize():
    xs = [R(2, 3, seed=k) for k in range(7)]

    def f(*xs):
        return wnp.concatenate([x * (k + 1.0) for k, x in enumerate(xs)], axis=1)

    check(f, *xs, order=1)
    out, f_jvp = wengert.linearize(f, *xs)
    ts = [R(2, 3, seed=10 + k) for k in range(7)]
    _, expected = wengert.jvp(f, tuple(xs), tuple(ts))
    np.testing.assert_allclose(f_jvp(*ts), expected)


def test_concatenate_mixed_dtypes():
    x32 = R(2, 3).astype(np.float32)
    y = R(1, 3)

    def f(x, y):
        return wnp.sum(wnp.concatenate([x, y]) ** 2)

    gx, gy = wengert.grad(f, argnums=(0, 1))(x32, y)
    assert gx.dtype == np.float32 and gy.dtype == np.float64
    np.testing.assert_allclose(gx, 2 * x32, rtol=1e-6)
    np.testing.assert_allclose(gy, 2 * y)
    # a constant integer piece is fine
    g = wengert.grad(lambda x: wnp.sum(wnp.concatenate([x, np.ones((1, 3), int)]) ** 2))(y)
    np.testing.assert_allclose(g, 2 * y)


# -- indexing: getitem ----------------------------------------------------------------------------

MASK = np.array([[True, False, True, False], [False, False, True, True],
                 [True, True, False, False]])

GETITEM_INDICES = [
    1,
    -1,
    (1, 2),
    (-1, -2),
    slice(1, None),
    (slice(None, None, -1), slice(0, 4, 2)),
    (Ellipsis, 1),
    (None, 1, Ellipsis, None),
    [0, 2, 2, 0],  # repeated rows
    np.array([-1, 0, -1]),
    ([0, 2, 2], [1, 1, 1]),  # repeated entries
    (slice(1, None), [3, 0, 3]),
    ([[0, 1], [2, 2]], slice(None, 2)),
    (1, [0, 0, 3]),
    ([0, 2], None, slice(1, 3)),
    ([0, 2], Ellipsis, [1, 1]),
    (slice(None), None, np.array([2, 2])),
    MASK,
    (slice(None), MASK[0]),
    (MASK[:, 0], slice(1, 3)),
    (Ellipsis, np.array([True, False, False, True])),
    (np.array([True, False, True]), [1, 1]),
    (),
    Ellipsis,
    [],
]


@pytest.mark.parametrize("index", GETITEM_INDICES, ids=repr)
def test_getitem(index):
    x = R(3, 4)
    check(lambda x: x[index], x, reference=lambda x: x[index])
    check(lambda x: wnp.getitem(x, index), x, reference=lambda x: x[index], order=1)


def test_getitem_repeated_indices_accumulate():
    x = R(4)
    g = wengert.grad(lambda x: wnp.sum(x[[0, 0, 0, 3]] * np.array([1.0, 2.0, 3.0, 4.0])))(x)
    np.testing.assert_allclose(g, [6.0, 0.0, 0.0, 4.0])


def test_getitem_scalar_of_0d_and_traced_index():
    x = R(5)
    idx = wengert.stop_gradient(np.array([4, 1]))
    check(lambda x: x[idx] * x[np.int64(2)], x)
    check(lambda x: x[()] * 2.0, np.float64(1.5))


# -- indexing: assignment -------------------------------------------------------------------------

SETITEM_CASES = [
    (1, (4,)),
    (-1, ()),
    ((2, -1), ()),
    (slice(0, 3, 2), (2, 4)),
    (slice(None), (4,)),
    ((slice(None), 1), (3,)),
    ((slice(None), 1), ()),
    ((Ellipsis, slice(1, 3)), (3, 1)),
    ((None, 1), (4,)),
    ((1, None, slice(None)), (1, 4)),
    ([0, 2], (2, 4)),
    ([2, 0], (4,)),
    (([0, 2, 1], [3, 3, 0]), (3,)),
    ((slice(1, None), [0, 3]), (2, 2)),
    (MASK, (6,)),
    (MASK, ()),
    (MASK[:, 0], (2, 4)),
    ((Ellipsis, [True, False, True, True]), (3, 1)),
    (slice(0, 2), (1, 2, 4)),  # v with extra leading axes of length 1
]


@pytest.mark.parametrize("index, vshape", SETITEM_CASES, ids=repr)
def test_setitem(index, vshape):
    x, v = R(3, 4), R(*vshape, seed=2) if vshape else np.float64(0.3)

    def f(x, v):
        y = x + 0.0 * wnp.sum(v)  # traced when either argument is
        y[index] = v * v
        return y

    def reference(x, v):
        y = x.copy()
        y[index] = v * v
        return y

    check(f, x, v, reference=reference)
    check(lambda x, v: wnp.index_update(x, index, v), x, v,
          reference=lambda x, v: _set(x, index, v), order=1)


def _set(x, index, v):
    y = x.copy()
    y[index] = v
    return y


@pytest.mark.parametrize(
    "index, v",
    [
        (([0, 0, 2], 1), np.array([1.0, 2.0, 3.0])),
        (([1, 1], [2, 2]), np.array([4.0, 5.0])),
        ([1, 1], np.array(7.0)),  # one value written twice: counts once
        ([2, 0, 2, 2], np.array([[1.0], [2.0], [3.0], [4.0]])),
    ],
    ids=repr,
)
def test_setitem_repeated_indices_last_write_wins(index, v):
    x = R(3, 4)
    x_shape = x.shape

    def f(x, v):
        y = x + 0.0 * wnp.sum(v)  # traced when either argument is
        y[index] = v
        return y

    expected = _set(x, index, v)
    np.testing.assert_array_equal(f(x, v), expected)
    w = R(*x_shape, seed=7)
    _, pullback = wengert.vjp(f, x, v)
    gx, gv = pullback(w)
    # finite differences: the map is linear, so this is exact up to rounding
    for k in range(v.size):
        e = np.zeros(v.size)
        e[k] = 1.0
        e = e.reshape(v.shape)
        d = (_set(x, index, v + e) - _set(x, index, v - e)) / 2
        np.testing.assert_allclose(gv.reshape(-1)[k], np.sum(w * d), atol=1e-12)
    mask = _set(np.ones(x_shape), index, 0.0)
    np.testing.assert_allclose(gx, w * mask)
    check(f, x, v)


def test_fill_an_array_with_plain_numpy():
    def f(x):
        out = np.zeros_like(x)  # plain numpy: a traced constant
        for i in range(len(x)):
            out[i] = np.sin(x[i]) * x[i - 1]
        return np.sum(out ** 2)

    def reference(x):
        return np.sum((np.sin(x) * np.roll(x, 1)) ** 2)

    x = R(6)
    np.testing.assert_allclose(f(x), reference(x))
    check(f, x, reference=reference)

    def g(x):  # rows of a matrix, broadcast assignment of a whole row
        out = np.zeros_like(np.broadcast_to(x, (3, 4)))
        for i in range(3):
            out[i] = x * (i + 1.0)
            out[i, i] = np.exp(x[i])
        return out

    def g_ref(x):
        out = np.stack([x * (i + 1.0) for i in range(3)])
        for i in range(3):
            out[i, i] = np.exp(x[i])
        return out

    check(g, R(4), reference=g_ref)


def test_assign_constant_into_traced_constant_under_jvp():
    def f(x):
        out = np.zeros_like(x)
        out[0] = 1.0
        out[1:] = x[1:] ** 2
        return out

    x = R(4)
    out, t = wengert.jvp(f, (x,), (np.ones(4),))
    np.testing.assert_allclose(out, np.r_[1.0, x[1:] ** 2])
    np.testing.assert_allclose(t, np.r_[0.0, 2 * x[1:]])
    check(f, x)


def test_assign_list_of_traced_values():
    def f(x):
        y = np.zeros_like(x)
        y[1:3] = [x[0] * x[1], np.sin(x[2])]
        return y

    check(f, R(4))


def test_assign_with_live_view_raises():
    def f(x):
        y = x[0:2]  # a view of x in NumPy
        x[0] = 1.0
        return np.sum(y)

    with pytest.raises(TracerConversionError):
        wengert.grad(f)(R(3))
    with pytest.raises(TracerConversionError):
        wengert.jvp(f, (R(3),), (R(3),))

    def g(x):
        y = wnp.transpose(x)
        y[0] = 1.0  # y is a view of x: writing into it would change x in NumPy
        return np.sum(x)

    with pytest.raises(TracerConversionError):
        wengert.grad(g)(R(2, 2))

    def h(x):
        pieces = wnp.split(x, 2)
        x[0] = 1.0
        return np.sum(pieces[0])

    with pytest.raises(TracerConversionError):
        wengert.grad(h)(R(4))

    def ok(x):
        y = x * 1.0
        _ = y[[0, 1]]  # advanced indexing copies: no view
        y[0] = 1.0
        return np.sum(y)

    np.testing.assert_allclose(wengert.grad(ok)(R(3)), [0.0, 1.0, 1.0])


def test_float32_stays_float32():
    x = R(3, 4).astype(np.float32)

    def f(x):
        y = wnp.concatenate([wnp.flip(x, 0), wnp.roll(x, 1), wnp.pad(x, 1)[1:-1, 1:-1]])
        y = wnp.stack(wnp.split(y, 3)) + wnp.take(x, [0, 0, 2], axis=0)
        y = wnp.repeat(wnp.tile(y, 2), 2, axis=0)
        z = np.zeros_like(x)
        z[[0, 0, 1]] = x[:3] * np.float64(2.0)  # a float64 value into a float32 array
        return wnp.sum(y ** 2) + wnp.sum(wnp.sort(z, axis=0) ** 2) + wnp.sum(
            wnp.take_along_axis(x, np.argsort(x, axis=1), axis=1)) + wnp.sum(
            x[[0, 0, 1], [1, 1, 2]] ** 2)

    g = wengert.grad(f)(x)
    assert g.dtype == np.float32
    _, t = wengert.jvp(f, (x,), (np.ones_like(x),))
    assert t.dtype == np.float32
    g64 = wengert.grad(f)(x.astype(np.float64))
    np.testing.assert_allclose(g, g64, rtol=1e-4, atol=1e-4)


# -- take, take_along_axis, sort ------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: m.take(x, [2, 0, 2]),
        lambda m, x: m.take(x, [[1, -1], [0, 0]], axis=1),
        lambda m, x: m.take(x, 1, axis=0),
        lambda m, x: m.take(x, [5, -7, 3], axis=1, mode="wrap"),
        lambda m, x: m.take(x, [5, -7, 3], axis=0, mode="clip"),
        lambda m, x: m.take(x, [], axis=0),
        lambda m, x: m.take_along_axis(x, np.array([[0, 0], [3, 1], [2, -1]]), axis=1),
        lambda m, x: m.take_along_axis(x, np.array([[0, 2, 1, 1]]), axis=0),
        lambda m, x: m.take_along_axis(x, np.array([11, 0, 0]), axis=None),
        lambda m, x: m.sort(x),
        lambda m, x: m.sort(x, axis=0),
        lambda m, x: m.sort(x, axis=None),
        lambda m, x: m.sort(x, kind="stable"),
    ],
)
def test_take_and_sort(call):
    x = R(3, 4)
    ours, theirs = call(wnp, x), call(np, x)
    assert np.shape(ours) == np.shape(theirs)
    np.testing.assert_array_equal(ours, theirs)
    check(lambda x: call(wnp, x), x, reference=lambda x: call(np, x))


def test_sort_derivative_follows_permutation():
    x = np.array([3.0, -1.0, 2.0])
    w = np.array([1.0, 10.0, 100.0])
    g = wengert.grad(lambda x: wnp.sum(wnp.sort(x) * w))(x)
    np.testing.assert_allclose(g, [100.0, 1.0, 10.0])
    _, t = wengert.jvp(wnp.sort, (x,), (np.array([1.0, 2.0, 3.0]),))
    np.testing.assert_allclose(t, [2.0, 3.0, 1.0])


def test_take_repeated_indices_accumulate():
    x = R(5)
    g = wengert.grad(lambda x: wnp.sum(wnp.take(x, [1, 1, 4, 1])))(x)
    np.testing.assert_allclose(g, [0.0, 3.0, 0.0, 0.0, 1.0])


def test_errors_match_numpy():
    x = R(3, 4)
    with pytest.raises(IndexError):
        wnp.take(x, [4], axis=1)
    with pytest.raises(ValueError):
        wnp.concatenate([x, R(2, 3)], axis=0)
    with pytest.raises(ValueError):
        wnp.stack([x, R(4, 3)])
    with pytest.raises(np.exceptions.AxisError):
        wnp.flip(x, 2)
    with pytest.raises(NotImplementedError):
        wnp.pad(x, 1, mode="mean")


def test_linearize_goes_rule_by_rule():
    """linearize replays the per-argument JVP rules (not the whole-primitive hooks)."""
    x, v = R(3, 4), R(4, seed=4)

    def f(x, v):
        y = x + 0.0 * wnp.sum(v)  # traced when either argument is
        y[[0, 2, 0]] = v * np.array([[1.0], [2.0], [3.0]])
        pieces = wnp.array_split(wnp.concatenate([y, x ** 2], axis=0), 3)
        return wnp.stack([p.sum(axis=0) for p in pieces]) + wnp.sort(x, axis=0)[0]

    tx, tv = R(3, 4, seed=8), R(4, seed=9)
    _, f_jvp = wengert.linearize(f, x, v)
    _, expected = wengert.jvp(f, (x, v), (tx, tv))
    np.testing.assert_allclose(f_jvp(tx, tv), expected, rtol=1e-12, atol=1e-12)
    check(f, x, v)


def test_assign_into_the_input():
    def f(x):
        x[0] = 1.0
        return np.sum(x * x)

    x = R(3)
    np.testing.assert_allclose(wengert.grad(f)(x), np.r_[0.0, 2 * x[1:]])
    np.testing.assert_allclose(wengert.jvp(f, (x,), (np.ones(3),))[1], 2 * x[1:].sum())
