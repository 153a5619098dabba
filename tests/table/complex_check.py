"""The table-driven checks of a row at a complex dtype (``"complex128"``, ``"complex64"``).

wengert's convention (``docs/complex.md``, JAX's): a VJP is the transpose of the JVP's
real-linear map under the pairing ``<a, b> = Re sum(a * b)`` (no conjugation), and for a
real-valued ``F`` of ``z = x + iy``, ``grad F = ∂F/∂x - i ∂F/∂y``. Every array argument is
complex (``a + 0.5 i b`` with ``a``, ``b`` drawn from the row's domain). Checked:

The same checks run on rows with real inputs whose outputs are complex (``fft``).

1. the value against NumPy, dtype included;
2. the dot-product test ``<v, J u> == <Jᵀ v, u>`` with complex ``u`` (and complex ``v``
   for complex outputs) under that pairing;
3. per argument, the gradient of the real scalar ``F = Re sum(fn(*args) * w)`` against
   central differences in the real and in the imaginary directions separately;
4. the JVP in a complex direction against central differences along it;
5. with ``row.order >= 2``: forward-over-reverse (HVP) and reverse-over-reverse of
   ``grad F`` against central differences of the gradient, and forward-over-forward.
"""

from __future__ import annotations

import numpy as onp

import wengert
import wengert.numpy as wnp
from wengert.check import numerical_grad, numerical_jvp
from wengert.tree import tree_flatten

from .row import DOMAINS


def complex_args(row, shapes, dtype, rng) -> tuple:
    return tuple(
        (DOMAINS[d](rng, s, onp.float64) + 0.5j * DOMAINS[d](rng, s, onp.float64)).astype(dtype)
        for d, s in zip(row.domains, shapes))


def _leaves(tree) -> list:
    return [onp.asarray(wengert.stop_gradient(v)) for v in tree_flatten(tree)[0]]


def _single(a) -> bool:
    return onp.asarray(a).dtype in (onp.complex64, onp.float32)


def _is_inexact(a) -> bool:
    return onp.issubdtype(onp.asarray(a).dtype, onp.inexact)


def _random_like(rng, a, dtype=None):
    a = onp.asarray(a)
    dtype = a.dtype if dtype is None else dtype
    if onp.issubdtype(dtype, onp.complexfloating):
        return (rng.standard_normal(a.shape) + 1j * rng.standard_normal(a.shape)).astype(dtype)
    return rng.standard_normal(a.shape).astype(dtype)


def pairing(a_leaves, b_leaves) -> float:
    """``Re sum(a * b)`` over matching leaves: the bilinear pairing of the convention."""
    return float(sum(onp.real(onp.sum(onp.asarray(a, onp.complex128) * b))
                     for a, b in zip(a_leaves, b_leaves)))


def _scale(a_leaves, b_leaves) -> float:
    return float(sum(onp.sum(onp.abs(a) * onp.abs(b)) for a, b in zip(a_leaves, b_leaves)))


def _replace(args, i, value):
    new = list(args)
    new[i] = value
    return tuple(new)


def _close(what, actual, expected, rtol, atol):
    actual, expected = onp.asarray(actual), onp.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} vs {expected.shape}"
    onp.testing.assert_allclose(actual.astype(onp.complex128), expected.astype(onp.complex128),
                                rtol=rtol, atol=atol, err_msg=what)


def wirtinger_reference(F, args, i, eps=None):
    """``∂F/∂x - i ∂F/∂y`` in argument ``i`` by central differences, the real and the
    imaginary parts of the argument moved separately."""
    a = onp.asarray(args[i])
    if not onp.iscomplexobj(a):  # a real argument: its gradient is real
        return numerical_grad(lambda xr: F(*_replace(args, i, xr)), a, eps=eps)
    x, y = a.real.copy(), a.imag.copy()
    dx = numerical_grad(lambda xr: F(*_replace(args, i, xr + 1j * y)), x, eps=eps)
    dy = numerical_grad(lambda yi: F(*_replace(args, i, x + 1j * yi)), y, eps=eps)
    return dx - 1j * dy


def _wide(a):
    """An exact copy in double precision (complex128 or float64)."""
    return a.astype(onp.result_type(a.dtype, onp.float64))


def check_complex_case(row, shapes, dtype, rng, args=None) -> None:
    """Run the checks; ``args``: real inputs whose outputs are complex (``fft`` of a real
    array), else complex inputs are drawn."""
    case = f"{row.id} shapes={shapes} dtype={dtype}"
    args = complex_args(row, shapes, dtype, rng) if args is None else args
    args128 = tuple(_wide(a) for a in args)
    out_leaves = _leaves(row.fn(*args))
    # Tolerances for the precision of the AD run; the finite-difference step for the
    # precision fn computes in on the double-precision copies (single only inside astype).
    single = dtype in (onp.complex64, onp.float32) or any(_single(o) for o in out_leaves)
    rtol = max(row.rtol, 1e-3) if single else row.rtol
    atol = max(row.atol, 1e-3) if single else row.atol
    step = None
    if any(_single(o) for o in _leaves(row.fn(*args128))):
        step = float(onp.finfo(onp.float32).eps) ** (1 / 3) * max(
            [1.0] + [float(onp.max(onp.abs(a))) for a in args if a.size])

    # 1. The value, against NumPy.
    if row.numpy_fn is not None:
        expected = [onp.asarray(e) for e in tree_flatten(row.numpy_fn(*args))[0]]
        assert len(expected) == len(out_leaves), f"{case}: output structure"
        for k, (o, e) in enumerate(zip(out_leaves, expected)):
            assert o.dtype == e.dtype, f"{case}: output {k} has dtype {o.dtype}; NumPy's {e.dtype}"
            onp.testing.assert_allclose(o, e, rtol=1e-5 if single else 1e-12, atol=0,
                                        err_msg=f"{case}: value")
    diff_out = [_is_inexact(o) for o in out_leaves]
    if not any(diff_out):
        return

    # 2. The dot-product test under the transpose convention.
    u = tuple(_random_like(rng, a) for a in args)
    _, ju = wengert.jvp(row.fn, args, u)
    ju_leaves = _leaves(ju)
    v_leaves = [_random_like(rng, o) if f else onp.zeros_like(o)
                for o, f in zip(out_leaves, diff_out)]
    out_tree = tree_flatten(row.fn(*args))[1]
    from wengert.tree import tree_unflatten

    _, pullback = wengert.vjp(row.fn, *args)
    jtv = _leaves(tuple(pullback(tree_unflatten(out_tree, v_leaves))))
    for c, a in zip(jtv, args):
        assert c.dtype == a.dtype, f"{case}: VJP dtype {c.dtype}, argument's {a.dtype}"
    lhs, rhs = pairing(v_leaves, ju_leaves), pairing(jtv, u)
    tol = (1e-4 if single else 1e-10) * max(1.0, _scale(v_leaves, ju_leaves))
    assert abs(lhs - rhs) <= tol, (
        f"{case}: dot-product test (transpose convention): Re<v, J u> = {lhs!r} but "
        f"Re<Jᵀ v, u> = {rhs!r}")

    # 3. Gradients of F = Re sum(fn * w), against differences in x and y separately.
    weights = [_random_like(rng, o) if f else None for o, f in zip(out_leaves, diff_out)]

    def make_F(ws):
        def F(*a):
            total = 0.0
            for o, w in zip(tree_flatten(row.fn(*a))[0], ws):
                if w is not None:
                    total = total + wnp.real(wnp.sum(wnp.multiply(o, w)))
            return total
        return F

    F = make_F(weights)
    F128 = make_F([None if w is None else w.astype(onp.result_type(w, onp.complex128))
                   for w in weights])
    for i in range(len(args)):
        g = onp.asarray(wengert.grad(F, argnums=i)(*args))
        assert g.dtype == args[i].dtype, f"{case}: gradient dtype {g.dtype}"
        _close(f"{case}: gradient in argument {i} vs ∂F/∂x - i ∂F/∂y by central "
               f"differences", g, wirtinger_reference(F128, args128, i, step), rtol, atol)

    # 4. The JVP in a complex direction.
    t = tuple(_random_like(rng, a) for a in args)
    t128 = tuple(_wide(v) for v in t)
    jstep = None if step is None else step / max(float(onp.max(onp.abs(v))) for v in t128)
    _, t_out = wengert.jvp(row.fn, args, t)
    reference = _leaves(numerical_jvp(row.fn, args128, t128, eps=jstep))
    for k, (a, r, f) in enumerate(zip(_leaves(t_out), reference, diff_out)):
        if f:
            _close(f"{case}: JVP of output {k} vs central differences", a, r, rtol, atol)

    if row.order < 2:
        return

    # 5. Second order.
    for i in range(len(args)):
        g_i = wengert.grad(F, argnums=i)
        g128_i = wengert.grad(F128, argnums=i)
        hv_ref = onp.asarray(numerical_jvp(g128_i, args128, t128, eps=jstep))
        hv = onp.asarray(wengert.jvp(g_i, args, t)[1])
        _close(f"{case}: HVP (forward-over-reverse) in argument {i}", hv, hv_ref, rtol, atol)
        w = _random_like(rng, args[i])
        _, pb = wengert.vjp(g_i, *args)
        ct = _leaves(tuple(pb(w)))
        lhs, rhs = pairing(ct, t128), pairing([w], [hv_ref])
        scale = max(1.0, _scale(ct, t128))
        assert abs(lhs - rhs) <= atol * scale + rtol * abs(rhs), (
            f"{case}: reverse-over-reverse in argument {i}: {lhs!r} vs {rhs!r}")

    s = tuple(_random_like(rng, a) for a in args)
    s128 = tuple(_wide(v) for v in s)

    def jvp_out(*a, _t=t):
        return wengert.jvp(row.fn, a, tuple(v.astype(x.dtype) for v, x in zip(_t, a)))[1]

    ff = _leaves(wengert.jvp(jvp_out, args, s)[1])
    sstep = None if step is None else step / max(float(onp.max(onp.abs(v))) for v in s128)
    ff_ref = _leaves(numerical_jvp(lambda *a: jvp_out(*a, _t=t128), args128, s128, eps=sstep))
    for k, (a, r, f) in enumerate(zip(ff, ff_ref, diff_out)):
        if f:
            _close(f"{case}: forward-over-forward of output {k}", a, r, rtol, atol)
