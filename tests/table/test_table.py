"""The table-driven derivative tests.

Every ``rows_*.py`` module of this folder defines ``ROWS`` (see ``row.py``); each row is
expanded over its shapes and dtypes into one test case, which checks, in one go:

1. the value against NumPy (``row.numpy_fn``), dtype included;
2. the dot-product test ``<v, J u> == <Jᵀ v, u>`` (JVP against VJP, no finite difference);
3. the gradient of ``F = sum(fn(*args) * w)`` (``w`` random, fixed) with respect to each
   argument separately (``argnums=i``) against central differences: a wrong ``reads=``
   declaration only fails when the other arguments are not traced;
4. the JVP (all arguments at once, random tangents) against central differences;
5. with ``row.order >= 2``, per argument ``i``, the second derivatives of ``F`` through
   ``g_i = grad(F, argnums=i)``: forward-over-reverse (``jvp(g_i)``, the Hessian-vector
   product with mixed terms) against central differences of ``g_i``,
   reverse-over-reverse (``vjp(g_i)``) by the dot product against the same reference, and
   forward-over-forward (``jvp`` of the JVP) against central differences of the JVP.

Complex dtypes in a row, and real inputs with complex outputs (``fft``), are checked under
the transpose convention by ``complex_check.py`` instead (same checks, complex pairing).

float32 cases differentiate in float32 and compare with float64 finite differences of
the same arrays (cast up exactly), with tolerances of 1e-3; the finite-difference step is
sized for the lowest precision among the inputs and outputs, so a function that computes
in float32 inside does not drown the reference in rounding. Derivatives come back in
their primal's dtype.
"""

from __future__ import annotations

import importlib
import importlib.util
import pathlib
import traceback
import zlib

import numpy as onp
import pytest

import wengert
import wengert.numpy as wnp
from wengert.check import dot_product_test, numerical_grad, numerical_jvp
from wengert.tree import tree_flatten

from .complex_check import check_complex_case
from .row import DOMAINS

HERE = pathlib.Path(__file__).resolve().parent


def _import_rows_module(stem: str):
    if __package__:
        return importlib.import_module(f"{__package__}.{stem}")
    spec = importlib.util.spec_from_file_location(stem, HERE / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_rows() -> tuple[list, dict]:
    """(rows as (module name, Row) pairs, {module name: import error text})."""
    rows, broken = [], {}
    for path in sorted(HERE.glob("rows_*.py")):
        try:
            module = _import_rows_module(path.stem)
            rows.extend((path.stem, row) for row in module.ROWS)
        except Exception:  # reported as a failing test, not a collection error
            broken[path.stem] = traceback.format_exc()
    return rows, broken


def _shape_id(shape) -> str:
    return "x".join(str(n) for n in shape) if shape else "s"


def _cases():
    rows, broken = load_rows()
    cases, seen = [], set()
    for _module, row in rows:
        for shapes in row.shapes:
            for dtype in row.dtypes:
                case_id = f"{row.id}-{','.join(_shape_id(s) for s in shapes)}-{dtype}"
                unique, k = case_id, 2
                while unique in seen:
                    unique, k = f"{case_id}#{k}", k + 1
                seen.add(unique)
                cases.append(pytest.param(row, tuple(shapes), onp.dtype(dtype), id=unique))
    return cases, broken


CASES, BROKEN = _cases()


@pytest.mark.parametrize("module", sorted(BROKEN) or [None])
def test_rows_modules_import(module):
    if module is not None:
        pytest.fail(f"tests/table/{module}.py failed to import:\n{BROKEN[module]}")


# -- helpers -----------------------------------------------------------------------------


def _leaves(tree) -> tuple[list, object]:
    leaves, treedef = tree_flatten(tree)
    return [onp.asarray(wengert.stop_gradient(v)) for v in leaves], treedef


def _is_float(a) -> bool:
    return onp.issubdtype(onp.asarray(a).dtype, onp.floating)


def _tolerances(row, low: onp.dtype) -> tuple[float, float]:
    if low == onp.float64:
        return row.rtol, row.atol
    return max(row.rtol, 1e-3), max(row.atol, 1e-3)


def _lowest(*dtypes) -> onp.dtype:
    floats = [onp.dtype(d) for d in dtypes if onp.issubdtype(d, onp.floating)]
    return max(floats, key=lambda d: onp.finfo(d).eps, default=onp.dtype(onp.float64))


def _step(low: onp.dtype, arrays) -> float | None:
    """Central-difference step for functions computed in precision ``low`` (None: the
    float64 default of wengert.check, per coordinate)."""
    if low == onp.float64:
        return None
    scale = max([1.0] + [float(onp.max(onp.abs(a))) for a in arrays if onp.size(a)])
    return float(onp.finfo(low).eps) ** (1 / 3) * scale


def _direction_step(low: onp.dtype, arrays, direction) -> float | None:
    """The step of a directional central difference along ``direction``."""
    step = _step(low, arrays)
    norms = [float(onp.max(onp.abs(d))) for d in direction if onp.size(d)]
    if step is None or not norms or max(norms) == 0:
        return step
    return step / max(norms)


def _close(what, actual, expected, rtol, atol):
    actual, expected = onp.asarray(actual), onp.asarray(expected)
    assert actual.shape == expected.shape, (
        f"{what}: shape {actual.shape}, expected {expected.shape}")
    onp.testing.assert_allclose(
        actual.astype(onp.float64), expected.astype(onp.float64), rtol=rtol, atol=atol,
        err_msg=what)


def _weighted_sum(fn, weights):
    """``F(*a) = sum_k sum(fn(*a)[k] * w[k])``, a real scalar."""

    def F(*args):
        out_leaves, _ = tree_flatten(fn(*args))
        total = 0.0
        for o, w in zip(out_leaves, weights):
            if w is not None:
                total = total + wnp.sum(wnp.multiply(o, w))
        return total

    return F


def _replace(args, i, value):
    new = list(args)
    new[i] = value
    return tuple(new)


# -- the test ------------------------------------------------------------------------------


@pytest.mark.parametrize("row, shapes, dtype", CASES)
def test_row(row, shapes, dtype):
    case = f"{row.id} shapes={shapes} dtype={dtype}"
    rng = onp.random.default_rng(zlib.crc32(case.encode()))
    assert len(row.domains) == len(shapes), f"{row.id}: one domain per argument shape"
    if onp.issubdtype(dtype, onp.complexfloating):  # the transpose convention, complex_check.py
        return check_complex_case(row, shapes, dtype, rng)
    args = tuple(onp.asarray(DOMAINS[d](rng, s, onp.float64)).astype(dtype)
                 for d, s in zip(row.domains, shapes))
    args64 = tuple(a.astype(onp.float64) for a in args)  # exact copies for references

    # 1. The value, against NumPy.
    out = row.fn(*args)
    out_leaves, out_def = _leaves(out)
    low = _lowest(dtype, *[o.dtype for o in out_leaves])
    rtol, atol = _tolerances(row, low)
    if row.numpy_fn is not None:
        expected_leaves, expected_def = tree_flatten(row.numpy_fn(*args))
        assert len(expected_leaves) == len(out_leaves), f"{case}: output structure"
        for k, (o, e) in enumerate(zip(out_leaves, expected_leaves)):
            e = onp.asarray(e)
            assert o.dtype == e.dtype, f"{case}: output {k} has dtype {o.dtype}; NumPy's {e.dtype}"
            assert o.shape == e.shape, f"{case}: output {k} has shape {o.shape}; NumPy's {e.shape}"
            onp.testing.assert_allclose(o, e, rtol=1e-12 if low == onp.float64 else 1e-5,
                                        atol=0, equal_nan=True, err_msg=f"{case}: value")

    if any(onp.iscomplexobj(o) for o in out_leaves):  # real in, complex out (fft)
        return check_complex_case(row, shapes, dtype, rng, args)
    diff_out = [_is_float(o) for o in out_leaves]
    if not any(diff_out):
        return

    # 2. The dot-product test: JVP against VJP.
    dot_product_test(row.fn, args, rng=rng)

    # 3. The gradient, argument by argument, against central differences.
    weights = [rng.standard_normal(o.shape).astype(o.dtype) if f else None
               for o, f in zip(out_leaves, diff_out)]
    weights64 = [None if w is None else w.astype(onp.float64) for w in weights]
    F = _weighted_sum(row.fn, weights)
    F64 = _weighted_sum(row.fn, weights64)
    # The step suits the precision fn computes in on float64 inputs (float32 inside
    # an astype row), not the precision of the AD run.
    fd_low = _lowest(*[o.dtype for o in _leaves(row.fn(*args64))[0]])
    step = _step(fd_low, args64)
    for i in range(len(args)):
        g = onp.asarray(wengert.grad(F, argnums=i)(*args))
        assert g.dtype == args[i].dtype, (
            f"{case}: the gradient in argument {i} has dtype {g.dtype}; expected "
            f"{args[i].dtype}")
        reference = numerical_grad(lambda xi, i=i: F64(*_replace(args64, i, xi)), args64[i],
                                   eps=step)
        _close(f"{case}: gradient in argument {i} (reverse mode) vs central differences",
               g, reference, rtol, atol)

    # 4. The JVP, all arguments at once.
    tangents = tuple(rng.standard_normal(a.shape).astype(dtype) for a in args)
    tangents64 = tuple(t.astype(onp.float64) for t in tangents)
    _, t_out = wengert.jvp(row.fn, args, tangents)
    t_leaves, _ = _leaves(t_out)
    jvp_step = _direction_step(fd_low, args64, tangents64)
    ref_leaves, _ = _leaves(numerical_jvp(row.fn, args64, tangents64, eps=jvp_step))
    for k, (t, r, o) in enumerate(zip(t_leaves, ref_leaves, out_leaves)):
        if not _is_float(o):
            continue
        assert t.dtype == o.dtype, (
            f"{case}: tangent of output {k} has dtype {t.dtype}; the output's is {o.dtype}")
        _close(f"{case}: JVP of output {k} vs central differences", t, r, rtol, atol)

    if row.order < 2:
        return

    # 5. Second order, per argument: g_i = grad(F, argnums=i).
    for i in range(len(args)):
        g_i = wengert.grad(F, argnums=i)
        g64_i = wengert.grad(F64, argnums=i)
        # Central differences of the (float64) AD gradient: the reference H_i t.
        hv_ref = numerical_jvp(g64_i, args64, tangents64, eps=jvp_step)
        # Forward-over-reverse.
        hv = onp.asarray(wengert.jvp(g_i, args, tangents)[1])
        _close(f"{case}: second order, forward-over-reverse (HVP) of grad in argument {i} "
               f"vs central differences of the gradient", hv, hv_ref, rtol, atol)
        # Reverse-over-reverse: <vjp(g_i)(u), t> == <u, H_i t>.
        u = rng.standard_normal(args[i].shape).astype(dtype)
        _, pullback = wengert.vjp(g_i, *args)
        ct = [onp.asarray(c) for c in pullback(u)]
        lhs = sum(float(onp.vdot(c.astype(onp.float64), t)) for c, t in zip(ct, tangents64))
        rhs = float(onp.vdot(u.astype(onp.float64), hv_ref))
        scale = sum(float(onp.sum(onp.abs(c) * onp.abs(t))) for c, t in zip(ct, tangents64))
        assert abs(lhs - rhs) <= atol * max(1.0, scale) + rtol * abs(rhs), (
            f"{case}: second order, reverse-over-reverse of grad in argument {i}: "
            f"<VJP(u), t> = {lhs!r}, <u, H t> by central differences = {rhs!r}")

    # Forward-over-forward: the JVP of the JVP, in a second direction s.
    s = tuple(rng.standard_normal(a.shape).astype(dtype) for a in args)
    s64 = tuple(v.astype(onp.float64) for v in s)

    def jvp_out(*a, _t=tangents):
        return wengert.jvp(row.fn, a, tuple(t.astype(x.dtype) for t, x in zip(_t, a)))[1]

    ff_leaves, _ = _leaves(wengert.jvp(jvp_out, args, s)[1])
    ff_ref, _ = _leaves(numerical_jvp(lambda *a: jvp_out(*a, _t=tangents64), args64, s64,
                                      eps=_direction_step(fd_low, args64, s64)))
    for k, (a, r, o) in enumerate(zip(ff_leaves, ff_ref, out_leaves)):
        if _is_float(o):
            _close(f"{case}: second order, forward-over-forward of output {k} vs central "
                   f"differences of the JVP", a, r, rtol, atol)


# -- special points the random domains avoid ------------------------------------------


@pytest.mark.parametrize("name", ["maximum", "minimum", "fmax", "fmin"])
def test_ties_share_the_derivative(name):
    f = getattr(wnp, name)
    x = onp.array([1.0, 2.0, 3.0])
    gx, gy = wengert.grad(lambda a, b: wnp.sum(f(a, b)), argnums=(0, 1))(x, x.copy())
    onp.testing.assert_array_equal(gx, 0.5)
    onp.testing.assert_array_equal(gy, 0.5)
    t = wengert.jvp(lambda a, b: f(a, b), (x, x.copy()), (onp.ones(3), onp.zeros(3)))[1]
    onp.testing.assert_array_equal(t, 0.5)


def test_fmax_fmin_take_the_other_argument_at_nan():
    x = onp.array([onp.nan, 2.0])
    y = onp.array([1.0, onp.nan])
    for f in (wnp.fmax, wnp.fmin):
        gx, gy = wengert.grad(lambda a, b: wnp.sum(f(a, b)), argnums=(0, 1))(x, y)
        onp.testing.assert_array_equal(gx, [0.0, 1.0])
        onp.testing.assert_array_equal(gy, [1.0, 0.0])


def test_clip_at_a_bound_and_numpy2_keywords():
    x = onp.array([-1.0, 0.0, 0.5, 1.0, 2.0])
    g = wengert.grad(lambda a: wnp.sum(onp.clip(a, min=0.0, max=1.0)))(x)
    onp.testing.assert_array_equal(g, [0.0, 0.5, 1.0, 0.5, 0.0])
    g = wengert.grad(lambda a: wnp.sum(a.clip(0.0, 1.0)))(x)
    onp.testing.assert_array_equal(g, [0.0, 0.5, 1.0, 0.5, 0.0])


def test_kinks_at_zero_take_zero():
    x = onp.array([0.0, -2.0, 3.0])
    onp.testing.assert_array_equal(wengert.grad(lambda a: wnp.sum(wnp.abs(a)))(x), [0, -1, 1])
    onp.testing.assert_array_equal(wengert.grad(lambda a: wnp.sum(wnp.sign(a)))(x), 0)


def test_sinc_derivatives_at_zero():
    d = wnp.sinc
    values = []
    for _ in range(4):
        d = wengert.grad(d)
        values.append(float(d(0.0)))
    onp.testing.assert_allclose(values, [0.0, -onp.pi ** 2 / 3, 0.0, onp.pi ** 4 / 5],
                                rtol=1e-14, atol=1e-14)
    # Continuous across the switch to the series.
    for v in (1e-9, 1e-4, 2e-3, 3e-3, 0.3):
        exact = (onp.cos(onp.pi * v) - onp.sinc(v)) / v if v > 1e-3 else (
            -onp.pi ** 2 * v / 3 + onp.pi ** 4 * v ** 3 / 30)
        assert float(wengert.grad(wnp.sinc)(v)) == pytest.approx(exact, rel=1e-9)


def test_power_at_zero_base():
    # d/dx x^2 = 0 and d2/dx2 = 2 at x = 0; d/dy 0^y = 0 for y > 0 (not NaN).
    assert wengert.grad(lambda x: x ** 2.0)(0.0) == 0.0
    assert wengert.grad(wengert.grad(lambda x: x ** 2.0))(0.0) == 2.0
    assert wengert.grad(lambda y: wnp.power(0.0, y))(1.5) == 0.0
    gx, gy = wengert.grad(lambda x, y: wnp.sum(x ** y), argnums=(0, 1))(
        onp.array([0.0, 2.0]), onp.array([2.0, 3.0]))
    onp.testing.assert_allclose(gx, [0.0, 12.0])
    onp.testing.assert_allclose(gy, [0.0, 8 * onp.log(2.0)])


def test_nan_to_num_replaced_entries_have_zero_derivative():
    x = onp.array([1.0, onp.nan, onp.inf, -onp.inf, -2.0])
    g = wengert.grad(lambda a: wnp.sum(wnp.nan_to_num(a, True, 0.0, 5.0, -5.0) * 3.0))(x)
    onp.testing.assert_array_equal(g, [3.0, 0.0, 0.0, 0.0, 3.0])


def test_astype_and_copy_are_new_arrays():
    x = onp.array([1.0, 2.0, 3.0])

    def f(a):
        b = a.astype(a.dtype)
        c = wnp.copy(a)
        b[0] = 0.0
        c[1] = 0.0
        return wnp.sum(a * b * c)

    onp.testing.assert_allclose(wengert.grad(f)(x), [0.0, 0.0, 27.0])


def test_real_is_a_view_and_assignment_through_it_is_refused():
    def f(a):
        r = wnp.real(a)
        r[0] = 1.0
        return wnp.sum(r)

    with pytest.raises(wengert.errors.TracerConversionError):
        wengert.grad(f)(onp.array([1.0, 2.0]))


def test_float32_power_with_constant_base_stays_float32():
    x = onp.array([0.5, 1.5], onp.float32)
    out, t = wengert.jvp(lambda a: 2.5 ** a, (x,), (onp.ones_like(x),))
    assert out.dtype == t.dtype == onp.float32
    assert wengert.grad(lambda a: wnp.sum(2.5 ** a))(x).dtype == onp.float32
