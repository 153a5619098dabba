"""Native fused elementwise kernels: bitwise NumPy's results, fused sums in NumPy's
order, fallbacks (non-contiguous arguments, the setting off, no compiler), threads."""

import threading

import numpy as np
import pytest
from native_switches import needs_cc, pretend_no_compiler

import wengert
import wengert.numpy as wnp
from wengert.compile import settings
from wengert.compile.native import elementwise
from wengert.compile.passes.fusion import NATIVE_MIN_SIZE, FusedPrimitive, FusedSum


def _fused(jitted, *args) -> list:
    return [eq.primitive for eq in jitted.lower(*args).trace.equations
            if isinstance(eq.primitive, FusedPrimitive)]


def _compiled(jitted, *args):
    """The compiled program's result (a jitted function's first call may return the
    values of its tracing run)."""
    jitted(*args)
    return jitted(*args)


def _wide(rng, shape):
    """Values over many magnitudes and both signs (rounding differences would show)."""
    return rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 6, shape)


_BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b,
           lambda a, b: a / b]
_UNARY = [lambda a: -a, lambda a: a ** 2, lambda a: wnp.sqrt(wnp.abs(a)),
          lambda a: wnp.abs(a), lambda a: wnp.where(a > 0.25, a, 2.5 * a)]


def _random_function(rng, n_ops: int):
    """A random elementwise expression in ``x``, ``y`` and a 0-d ``s``."""
    plan = [(int(rng.integers(2)), int(rng.integers(5)), int(rng.integers(3)))
            for _ in range(n_ops)]

    def f(x, y, s):
        values = [x, y, s * x]
        for unary, op, pick in plan:
            a = values[-1]
            if unary:
                values.append(_UNARY[op % len(_UNARY)](a))
            else:
                values.append(_BINARY[op % len(_BINARY)](a, values[pick]))
        return values[-1] + 1.5 * values[-2]

    return f


@needs_cc
@pytest.mark.parametrize("seed", range(12))
def test_random_expressions_are_bitwise_numpys(seed):
    rng = np.random.default_rng(seed)
    shape = [(5000,), (64, 80), (3, 40, 41)][seed % 3]
    f = _random_function(rng, int(rng.integers(3, 9)))
    x, y = _wide(rng, shape), _wide(rng, shape)
    s = np.float64(rng.standard_normal())
    with np.errstate(all="ignore"):
        expected = f(x, y, s)
        jitted = wengert.jit(f)
        got = _compiled(jitted, x, y, s)
    assert any(p.native is not None for p in _fused(jitted, x, y, s))
    np.testing.assert_array_equal(got, expected)  # NaN where NaN, else bitwise
    finite = np.isfinite(expected)
    assert np.array_equal(got[finite].view(np.int64), expected[finite].view(np.int64))


@needs_cc
def test_views_zero_d_arguments_and_where():
    def f(x, c):
        a = x[1:] - x[:-1] ** 2
        return wnp.where(a > c, a * c, -a / (1.0 + c))

    rng = np.random.default_rng(1)
    x = _wide(rng, 6001)
    c = np.array(0.125)
    jitted = wengert.jit(f)
    assert any(p.native is not None for p in _fused(jitted, x, c))
    np.testing.assert_array_equal(_compiled(jitted, x, c), f(x, c))
    # gradients through jit: the same kernels on the backward pass
    g = wengert.jit(wengert.grad(lambda x, c: wnp.sum(f(x, c) ** 2)))
    np.testing.assert_array_equal(_compiled(g, x, c), wengert.grad(lambda x, c: wnp.sum(f(x, c) ** 2))(x, c))


@needs_cc
@pytest.mark.parametrize("shape", [(4096,), (4103,), (8191,), (8192,), (100_001,),
                                   (70, 90), (2, 3, 700)])
def test_a_fused_sum_is_numpys_pairwise_sum(shape):
    def f(x, y):
        return wnp.sum(x * y - (1.0 - x) ** 2)

    rng = np.random.default_rng(shape[0])
    x, y = _wide(rng, shape), _wide(rng, shape)
    jitted = wengert.jit(f)
    assert any(isinstance(p, FusedSum) for p in _fused(jitted, x, y))
    got = _compiled(jitted, x, y)
    assert isinstance(got, np.float64)
    assert got == np.sum(x * y - (1.0 - x) ** 2)


@needs_cc
def test_rosenbrock_value_and_grad_is_bitwise_eager():
    def f(x):
        return wnp.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)

    x = _wide(np.random.default_rng(2), 20_000)
    v, g = _compiled(wengert.jit(wengert.value_and_grad(f)), x)
    v0, g0 = wengert.value_and_grad(f)(x)
    assert v == v0
    np.testing.assert_array_equal(g, g0)


def _kernel_of(f, *args) -> FusedPrimitive:
    (prim,) = [p for p in _fused(wengert.jit(f), *args) if p.native is not None]
    return prim


def _call_arguments(f, names: dict, *args) -> list:
    """The fused equation's arguments, the inputs ``x0, x1...`` replaced by ``names``."""
    (eq,) = [eq for eq in wengert.jit(f).lower(*args).trace.equations
             if isinstance(eq.primitive, FusedPrimitive)]
    return eq.primitive, [names[a.name] if a.name in names else a.value for a in eq.ins]


@needs_cc
def test_non_contiguous_arguments_fall_back_to_the_numpy_plan():
    rng = np.random.default_rng(3)
    x, y = _wide(rng, (80, 60)), _wide(rng, (80, 60))
    xt, yt = _wide(rng, (60, 80)).T, _wide(rng, (60, 80)).T  # Fortran order
    prim, args = _call_arguments(lambda x, y: (x - y * y) * 3.0 + x, {"x0": xt, "x1": yt}, x, y)
    assert prim.native is not None and prim.native(*args) is None
    expected = (xt - yt * yt) * 3.0 + xt
    np.testing.assert_array_equal(prim.impl(*args), expected)
    out = np.empty((80, 120))[:, ::2]  # a non-contiguous out: falls back too
    assert prim.impl(*args, out=out) is out
    np.testing.assert_array_equal(out, expected)
    _, args = _call_arguments(lambda x, y: (x - y * y) * 3.0 + x, {"x0": x, "x1": y}, x, y)
    np.testing.assert_array_equal(prim.impl(*args), (x - y * y) * 3.0 + x)


@needs_cc
def test_transcendental_functions_stay_on_numpy():
    x = np.linspace(-1.0, 1.0, 5000)
    prims = _fused(wengert.jit(lambda x: wnp.exp(x * x - 1.0) + x), x)
    assert prims and all(p.native is None for p in prims)


def test_the_setting_turns_native_kernels_off(monkeypatch):
    monkeypatch.setattr(settings, "native", False)
    x = np.linspace(-1.0, 1.0, NATIVE_MIN_SIZE + 7)
    jitted = wengert.jit(lambda x: wnp.sum((x * x - 1.0) * x))
    assert all(p.native is None and not isinstance(p, FusedSum) for p in _fused(jitted, x))
    assert _compiled(jitted, x) == np.sum((x * x - 1.0) * x)


def test_no_compiler_means_the_numpy_plan(monkeypatch):
    pretend_no_compiler(monkeypatch)
    x = np.linspace(-1.0, 1.0, NATIVE_MIN_SIZE + 9)
    jitted = wengert.jit(lambda x: (x * x - 1.0) * x + 2.0)
    prims = _fused(jitted, x)
    assert prims and all(p.native is None for p in prims)
    np.testing.assert_array_equal(_compiled(jitted, x), (x * x - 1.0) * x + 2.0)


@needs_cc
def test_each_kernel_is_compiled_once_per_process():
    x = np.linspace(-1.0, 1.0, 6000)
    first = _kernel_of(lambda x: (x * x - 0.5) / (x + 3.0), x)
    second = _kernel_of(lambda x: (x * x - 0.5) / (x + 3.0), x)
    assert first.native.source == second.native.source
    assert first.native._function is second.native._function
    assert "0.5" not in first.native.source and "3.0" not in first.native.source


@needs_cc
def test_concurrent_calls_are_independent():
    def f(x, y):
        return wnp.sum((x - y) * (x + y)), (x - y) * y + 1.0

    jitted = wengert.jit(f)
    rng = np.random.default_rng(4)
    inputs = [(_wide(rng, 50_000), _wide(rng, 50_000)) for _ in range(8)]
    expected = [(np.sum((x - y) * (x + y)), (x - y) * y + 1.0) for x, y in inputs]
    jitted(*inputs[0])
    failures = []

    def work(k):
        for _ in range(20):
            total, arr = jitted(*inputs[k])
            if total != expected[k][0] or not np.array_equal(arr, expected[k][1]):
                failures.append(k)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


def test_scalar_arguments_are_exact_doubles_or_refused():
    assert elementwise.scalar_value(3) == 3.0
    assert elementwise.scalar_value(np.float32(0.1)) == float(np.float32(0.1))
    assert elementwise.scalar_value(2 ** 60 + 1) is None
    assert elementwise.scalar_value(True) is None
    assert elementwise.scalar_value(np.longdouble(1.0)) is None or \
        np.dtype(np.longdouble).itemsize <= 8


@needs_cc
def test_lowered_shows_the_c_it_runs_and_only_then():
    x = np.linspace(-1.0, 1.0, NATIVE_MIN_SIZE * 2)
    low = wengert.jit(lambda x: wnp.sum((x - 0.5) * x)).lower(x)
    assert "double kernel(" in low.native_source and "0.5" not in low.native_source
    # exp has no bitwise C spelling: NumPy runs it and there is no C to show
    assert wengert.jit(lambda x: wnp.sum(wnp.exp(x))).lower(x).native_source is None
