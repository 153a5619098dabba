"""Native kernels with broadcast arguments and native reductions over axes: bitwise
NumPy's results (NaN propagated by max/min), the CRF log-partition against eager and
brute-force enumeration, fallbacks (non-contiguous, empty/size-1 axes, the setting off,
no compiler)."""

import itertools

import numpy as np
import pytest
from native_switches import needs_cc, turn_native_off

import wengert
import wengert.numpy as wnp
from wengert.compile.native import reductions
from wengert.compile.passes.fusion import FusedPrimitive, NativeReducePrimitive


def _bits_equal(a, b) -> bool:
    """Same bits, except that NaNs only need to be NaN at the same places."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape or not np.array_equal(np.isnan(a), np.isnan(b)):
        return False
    return np.array_equal(np.where(np.isnan(a), 0.0, a).view(np.int64),
                          np.where(np.isnan(b), 0.0, b).view(np.int64))


def _wide(rng, shape):
    return rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 6, shape)


def _compiled(jitted, *args):
    jitted(*args)
    return jitted(*args)


def _primitives(jitted, *args) -> list:
    return [eq.primitive for eq in jitted.lower(*args).trace.equations]


@needs_cc
def test_reductions_are_bitwise_numpy_on_random_shapes_and_axes():
    rng = np.random.default_rng(0)
    checked = 0
    for trial in range(150):
        ndim = int(rng.integers(1, 5))
        shape = tuple(int(rng.choice([1, 2, 3, 7, 8, 9, 16, 33, 130])) for _ in range(ndim))
        if np.prod(shape) > 60_000:
            continue
        axes = tuple(sorted(rng.choice(ndim, int(rng.integers(1, ndim + 1)),
                                       replace=False).tolist()))
        x = _wide(rng, shape)
        if trial % 3 == 0:
            x[rng.random(shape) < 0.02] = np.nan
        if trial % 4 == 0:  # ties of +0 and -0: max/min keep NumPy's choice
            x[rng.random(shape) < 0.3] = 0.0
            x[rng.random(shape) < 0.3] = -0.0
        for kind, ufunc in (("sum", np.add), ("max", np.maximum), ("min", np.minimum)):
            want = ufunc.reduce(x, axis=axes)
            kernel = reductions.build(kind, shape, axes, want.shape)
            if kernel is None:
                assert reductions.layout(shape, axes) is None
                continue
            got = kernel(x)
            if got is None:  # a zero maximum over the last axis is left to NumPy
                assert kind != "sum" and np.any(want == 0)
                continue
            checked += 1
            assert _bits_equal(got, want), (kind, shape, axes)
    assert checked > 150


@needs_cc
def test_max_and_min_propagate_nan():
    x = np.arange(1.0, 1 + 5 * 6 * 7).reshape(5, 6, 7)
    x[1, 2, 3] = np.nan
    x[4, 0, 0] = np.nan
    for axes in ((0,), (1,), (2,), (1, 2), (0, 1)):
        for kind, ufunc in (("max", np.maximum), ("min", np.minimum), ("sum", np.add)):
            want = ufunc.reduce(x, axis=axes)
            got = reductions.build(kind, x.shape, axes, want.shape)(x)
            assert _bits_equal(got, want) and np.isnan(got).any()


def test_layout_of_reductions():
    assert reductions.layout((4, 5, 6), (1,)) == (4, 5, 6)
    assert reductions.layout((4, 5, 6), (1, 2)) == (4, 30, 1)
    assert reductions.layout((4, 1, 5, 6), (0, 2)) == (1, 20, 6)  # a length-1 axis between
    assert reductions.layout((4, 5, 6), (0, 2)) is None  # not consecutive
    assert reductions.layout((4, 1, 6), (1,)) is None  # only a length-1 axis
    assert reductions.layout((4, 0, 6), (0,)) is None  # empty


@needs_cc
def test_jit_reductions_over_axes_run_natively_and_bitwise():
    def f(x):
        return (wnp.sum(x, axis=1) + wnp.max(x, axis=(1, 2), keepdims=True)[:, :, 0]
                - wnp.min(x, axis=0)[None, 0] + wnp.sum(x, axis=2))

    rng = np.random.default_rng(1)
    x = _wide(rng, (8, 40, 40))
    x[3, 5, 7] = np.nan
    jitted = wengert.jit(f)
    kinds = {p.original.primitive.name for p in _primitives(jitted, x)
             if isinstance(p, NativeReducePrimitive)}
    assert kinds == {"sum", "max", "min"}
    assert _bits_equal(_compiled(jitted, x), f(x))
    # a non-contiguous argument falls back to NumPy, same bits
    prim = next(p for p in _primitives(jitted, x) if isinstance(p, NativeReducePrimitive))
    y = np.asfortranarray(x)
    want = prim.original.primitive.impl(y, **prim.original.params)
    assert _bits_equal(prim.impl(y), want)
    out = np.empty(prim.original.outs[0].shape)
    assert prim.impl(y, out=out) is out and _bits_equal(out, want)


@needs_cc
def test_broadcast_elementwise_groups_are_native_and_bitwise():
    rng = np.random.default_rng(2)
    shapes = [((8, 16, 40), (8, 1, 40), (16, 1)), ((8, 16, 40), (40,), (8, 16, 1)),
              ((64, 80), (1, 80), (64, 1)), ((4, 8, 8, 20), (8, 1, 20), (4, 1, 1, 1))]

    def f(x, y, z):
        t = x * y - z / (y + 3.0)
        return wnp.where(t > 0.5, t, -t * 0.25) + wnp.sqrt(wnp.abs(z))

    for shapes_ in shapes:
        args = [_wide(rng, s) for s in shapes_]
        jitted = wengert.jit(f)
        native = [p for p in _primitives(jitted, *args)
                  if isinstance(p, FusedPrimitive) and p.native is not None]
        assert native and native[0].native.meta is not None, shapes_
        assert _bits_equal(_compiled(jitted, *args), f(*args)), shapes_
        # non-contiguous arguments fall back to the NumPy plan, same bits
        kernel_args = [np.asfortranarray(a) for a in args]
        assert _bits_equal(jitted(*kernel_args), f(*kernel_args))


@needs_cc
def test_broadcast_kernel_does_not_write_over_a_broadcast_argument():
    rng = np.random.default_rng(3)
    x, y = _wide(rng, (64, 80)), _wide(rng, (1, 80))
    jitted = wengert.jit(lambda x, y: x * y + y)
    prim = next(p for p in _primitives(jitted, x, y) if isinstance(p, FusedPrimitive))
    assert prim.native is not None
    big = np.zeros((64, 80))
    view = big[:1]  # shares memory with ``out``: the kernel declines, NumPy runs
    assert prim.native(x, view, out=big) is None


def crf(params):
    E, A = params
    B, T, S = E.shape
    alpha = E[:, 0, :]
    for t in range(1, T):
        s = wnp.reshape(alpha, (B, S, 1)) + A
        m = wnp.max(s, axis=1)
        alpha = wnp.log(wnp.sum(wnp.exp(s - wnp.reshape(m, (B, 1, S))), axis=1)) + m \
            + E[:, t, :]
    m = wnp.max(alpha, axis=1)
    return wnp.sum(wnp.log(wnp.sum(wnp.exp(alpha - wnp.reshape(m, (B, 1))), axis=1)) + m)


@needs_cc
def test_crf_value_and_grad_jit_is_bitwise_eager():
    rng = np.random.default_rng(4)
    params = (rng.standard_normal((4, 6, 32)), rng.standard_normal((32, 32)))
    jitted = wengert.jit(wengert.value_and_grad(crf))
    prims = _primitives(jitted, params)
    assert any(isinstance(p, NativeReducePrimitive) for p in prims)
    assert any(isinstance(p, FusedPrimitive) and p.native is not None
               and p.native.meta is not None for p in prims)
    value, grads = _compiled(jitted, params)
    want_value, want_grads = wengert.value_and_grad(crf)(params)
    assert value == want_value
    for g, w in zip(grads, want_grads):
        assert _bits_equal(g, w)


@needs_cc
def test_crf_against_brute_force_enumeration():
    """log Z = logsumexp over all label paths of the path score; its gradient in E is
    the marginals P(y_t = j), in A the expected transition counts."""
    rng = np.random.default_rng(5)
    B, T, S = 2, 3, 48  # (B, S, S) has 4608 elements: the native kernels run
    E, A = rng.standard_normal((B, T, S)), rng.standard_normal((S, S))
    value, (gE, gA) = _compiled(wengert.jit(wengert.value_and_grad(crf)), (E, A))
    want, want_E, want_A = 0.0, np.zeros_like(E), np.zeros_like(A)
    for b in range(B):
        score = (E[b, 0][:, None, None] + A[:, :, None] + E[b, 1][None, :, None]
                 + A[None, :, :] + E[b, 2][None, None, :])
        top = score.max()
        p = np.exp(score - top)
        z = p.sum()
        want += top + np.log(z)
        p /= z
        want_E[b, 0], want_E[b, 1], want_E[b, 2] = p.sum((1, 2)), p.sum((0, 2)), p.sum((0, 1))
        want_A += p.sum(2) + p.sum(0)
    np.testing.assert_allclose(value, want, rtol=1e-12)
    np.testing.assert_allclose(gE, want_E, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(gA, want_A, rtol=1e-9, atol=1e-14)


def _natives(x):
    jitted = wengert.jit(lambda x, y: wnp.sum(x * y + y, axis=1))
    y = x[:1]
    return [p for p in _primitives(jitted, x, y) if isinstance(p, NativeReducePrimitive)
            or isinstance(p, FusedPrimitive) and p.native is not None], jitted, y


@pytest.mark.parametrize("off", ["setting", "no_compiler"])
def test_without_the_native_backend_numpy_runs(monkeypatch, off):
    turn_native_off(monkeypatch, off)
    assert reductions.build("sum", (64, 80), (1,), (64,)) is None
    x = _wide(np.random.default_rng(6), (64, 80))
    found, jitted, y = _natives(x)
    assert found == []
    assert _bits_equal(_compiled(jitted, x, y), np.sum(x * y + y, axis=1))


def test_empty_and_length_one_axes_stay_on_numpy():
    for shape, axes in (((0, 5000), (0,)), ((5000, 1), (1,)), ((1, 5000), (0,))):
        jitted = wengert.jit(lambda x, a=axes: wnp.sum(x, axis=a) * 2.0)
        x = np.ones(shape)
        assert not any(isinstance(p, NativeReducePrimitive) for p in _primitives(jitted, x))
        assert _bits_equal(_compiled(jitted, x), np.sum(x, axis=axes) * 2.0)


def test_collapse_merges_contiguous_and_broadcast_runs():
    from wengert.compile.native.elementwise import collapse

    assert collapse((4, 5, 6), [(4, 5, 6), (5, 6)]) == ([4, 30], [[30, 1], [0, 1]])
    assert collapse((4, 5, 6), [(4, 1, 6)]) == ([4, 5, 6], [[6, 0, 1]])
    assert collapse((4, 5, 1), [(4, 5, 1), ()]) == ([20], [[1], [0]])
    for shape in itertools.product((1, 3), repeat=3):
        dims, strides = collapse((3, 3, 3), [shape])
        assert int(np.prod(dims)) == 27 and len(strides[0]) == len(dims)


@needs_cc
def test_short_broadcasts_split_from_numpy_groups_and_single_ops():
    """``exp(x - m)`` with ``m`` broadcast along a middle axis: the subtraction runs
    natively, ``exp`` on NumPy; a lone broadcast ``+`` runs natively; same bits."""
    rng = np.random.default_rng(7)
    x, m = rng.standard_normal((16, 24, 32)), rng.standard_normal((16, 1, 32))
    c = _wide(rng, (16, 24, 1))

    def f(x, m, c):
        return wnp.exp(x - m) * 2.0, c + wnp.tanh(x[0])

    jitted = wengert.jit(f)
    prims = _primitives(jitted, x, m, c)
    natives = [p.expression for p in prims
               if isinstance(p, FusedPrimitive) and p.native is not None]
    assert natives == ["(a0 - a1)", "(a0 + a1)"]
    for got, want in zip(_compiled(jitted, x, m, c), f(x, m, c)):
        assert _bits_equal(got, want)
