"""Checking derivatives: finite differences, the dot-product test and ``check_grads``.

Three tools, each usable on its own:

* :func:`numerical_grad` and :func:`numerical_jvp`: derivatives by finite differences
  (forward, central) or by the complex step;
* :func:`dot_product_test`: the adjoint identity ``<v, J u> == <Jᵀ v, u>``, which ties
  wengert's forward mode (``jvp``) to its reverse mode (``vjp``) without any finite
  difference, so it holds to rounding;
* :func:`check_grads`: JVPs and VJPs against central differences in random directions,
  at first order and, recursively, at second and third order (the derivative rules are
  themselves differentiated and checked), as ``jax.test_util.check_grads`` does.

Arguments may be pytrees (tuples, lists, dicts... of arrays); see :mod:`wengert.tree`.
The inputs to differentiate must be real floating-point arrays.

**Step sizes.** A finite difference has a truncation error that shrinks with the step
``h`` and a rounding error ``~ ε |f| / h`` (``ε`` the machine epsilon) that grows as ``h``
shrinks. Balancing the two gives ``h ~ √ε`` for the forward difference (error ``O(h)``,
about ``√ε ≈ 1.5e-8`` in float64) and ``h ~ ∛ε`` for the central one (error ``O(h²)``,
about ``ε^(2/3) ≈ 4e-11``), each scaled by ``max(1, |x|)`` so that the step is relative for
large ``x``. The complex step ``Im f(x + i h v) / h`` subtracts nothing, so it has no
cancellation: with ``h = 1e-20`` its truncation error ``O(h²)`` is far below rounding and
the derivative is exact to rounding, provided ``f`` is analytic and written with
operations that are correct on complex numbers (``abs``, ``maximum``, comparisons and
``real`` are not).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .tree import tree_flatten, tree_unflatten

__all__ = ["numerical_grad", "numerical_jvp", "dot_product_test", "check_grads"]

_METHODS = ("central", "forward", "complex")
_COMPLEX_STEP = 1e-20

# Default tolerances of check_grads and dot_product_test, by the lowest precision involved.
_GRAD_TOL = {np.dtype(np.float16): 5e-2, np.dtype(np.float32): 2e-3,
             np.dtype(np.float64): 1e-5}
_DOT_TOL = {np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-4,
            np.dtype(np.float64): 1e-10}


# -- helpers ---------------------------------------------------------------------------


def _leaves(tree) -> tuple[list, Any]:
    leaves, treedef = tree_flatten(tree)
    return [np.asarray(v) for v in leaves], treedef


def _float_dtype(dtype) -> np.dtype:
    """The real floating dtype that holds values of ``dtype`` (float64 for integers)."""
    dtype = np.dtype(dtype)
    if np.issubdtype(dtype, np.complexfloating):
        return np.finfo(dtype).dtype
    if np.issubdtype(dtype, np.floating):
        return dtype
    return np.dtype(np.float64)


def _lowest_precision(*dtypes) -> np.dtype:
    """The least precise floating dtype among ``dtypes`` (float64 when there is none)."""
    floats = [_float_dtype(d) for d in dtypes
              if np.issubdtype(np.dtype(d), np.inexact)]
    if not floats:
        return np.dtype(np.float64)
    return max(floats, key=lambda d: np.finfo(d).eps)


def _eps_of(dtype) -> float:
    return float(np.finfo(_float_dtype(dtype)).eps)


def _inf_norm(leaves) -> float:
    norms = [float(np.max(np.abs(v))) for v in leaves if np.size(v)]
    return max(norms, default=0.0)


def _check_method(method: str) -> None:
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")


def _out_leaves(out) -> tuple[list, Any]:
    leaves, treedef = tree_flatten(out)
    return [np.asarray(v) for v in leaves], treedef


def _difference(plus, minus, scale: float, dtype) -> np.ndarray:
    """``(plus - minus) * scale`` in a floating dtype (integer outputs give zeros)."""
    plus, minus = np.asarray(plus), np.asarray(minus)
    if not np.issubdtype(np.result_type(plus, minus), np.inexact):
        return np.zeros(np.shape(plus), dtype)
    return (plus - minus) * scale


def _random_like(rng, x) -> np.ndarray:
    x = np.asarray(x)
    dtype = x.dtype if np.issubdtype(x.dtype, np.inexact) else np.dtype(np.float64)
    if np.issubdtype(dtype, np.complexfloating):
        return (rng.standard_normal(x.shape) + 1j * rng.standard_normal(x.shape)).astype(dtype)
    return rng.standard_normal(x.shape).astype(dtype)


def _inner(a_leaves, b_leaves) -> float:
    """The pairing ``Re sum(a b)`` over matching leaves, in float64 or complex128.

    No conjugate: under wengert's convention (docs/complex.md) a VJP is the transpose of
    the JVP's real-linear map for this pairing, so ``<v, J u> = <Jᵀ v, u>`` holds with it.
    """
    total = 0.0
    for a, b in zip(a_leaves, b_leaves):
        a = np.asarray(a, dtype=np.result_type(a, np.float64))
        b = np.asarray(b, dtype=np.result_type(b, np.float64))
        total += float(np.real(np.sum(a * b)))
    return total


def _abs_inner(a_leaves, b_leaves) -> float:
    """``sum |a| |b|``: the scale of the terms of the inner product (for tolerances)."""
    total = 0.0
    for a, b in zip(a_leaves, b_leaves):
        total += float(np.sum(np.abs(np.asarray(a)).astype(np.float64) * np.abs(b)))
    return total


def _plain(tree):
    """Plain NumPy values of a tree's leaves (outputs of wengert transformations)."""
    from .core import primal

    leaves, treedef = tree_flatten(tree)
    return tree_unflatten(treedef, [np.asarray(primal(v)) for v in leaves])


# -- finite differences ---------------------------------------------------------------


def numerical_jvp(
    f: Callable,
    args: tuple,
    tangents: tuple,
    method: str = "central",
    eps: float | None = None,
):
    """The directional derivative ``J(args) · tangents`` of ``f`` by finite differences.

    ``f`` is called as ``f(*args)`` on plain arrays and may return any pytree of arrays;
    ``args`` and ``tangents`` are tuples of the same structure. Returns a pytree shaped
    like ``f``'s output (non-floating output leaves give zeros).

    ``method``:

    * ``"forward"``: ``(f(x + h v) - f(x)) / h``; error ``O(h)``, with the default step
      ``h = √ε · max(1, |x|) / |v|`` (infinity norms over all leaves) about ``√ε``
      relative, i.e. ~1e-8 in float64;
    * ``"central"``: ``(f(x + h v) - f(x - h v)) / 2h``; error ``O(h²)``, with the default
      ``h = ∛ε · max(1, |x|) / |v|`` about ``ε^(2/3)``, i.e. ~1e-11 in float64;
    * ``"complex"``: ``Im f(x + i h v) / h`` with ``h = 1e-20``: one evaluation and no
      subtraction, hence no cancellation; the ``O(h²)`` truncation error is far below
      rounding, so the result is exact to rounding for an ``f`` that is analytic and
      computed with complex-safe operations.

    ``eps``: the step ``h`` itself (``x + h v``), overriding the default. The arithmetic is
    done in the dtype of ``args``; pass float64 arrays for accurate references.
    """
    _check_method(method)
    args = tuple(args)
    tangents = tuple(tangents)
    x_leaves, x_def = _leaves(args)
    t_leaves, t_def = _leaves(tangents)
    if x_def != t_def:
        raise ValueError(
            f"numerical_jvp: tangents have structure {t_def!r}; expected {x_def!r}"
        )
    for x, t in zip(x_leaves, t_leaves):
        if np.shape(x) != np.shape(t):
            raise ValueError(
                f"numerical_jvp: a tangent has shape {np.shape(t)}; expected {np.shape(x)}"
            )
    dtypes = [x.dtype for x in x_leaves if np.issubdtype(x.dtype, np.inexact)]
    work = _lowest_precision(*dtypes) if dtypes else np.dtype(np.float64)

    def call(leaves):
        return _out_leaves(f(*tree_unflatten(x_def, leaves)))

    t_norm = _inf_norm(t_leaves)
    if method == "complex":
        h = _COMPLEX_STEP if eps is None else float(eps)
        cdtype = np.result_type(work, np.complex64)
        shifted = [
            (x.astype(np.result_type(x.dtype, cdtype)) + 1j * h * t) for x, t in
            zip(x_leaves, t_leaves)
        ]
        out, out_def = call(shifted)
        return tree_unflatten(out_def, [
            (np.imag(o) / h).astype(_float_dtype(o.dtype)) if np.iscomplexobj(o)
            else np.zeros(o.shape, _float_dtype(o.dtype))
            for o in out
        ])
    if t_norm == 0.0:
        out, out_def = call(x_leaves)
        return tree_unflatten(out_def, [np.zeros(o.shape, _float_dtype(o.dtype)) for o in out])
    if eps is None:
        power = 1 / 2 if method == "forward" else 1 / 3
        h = _eps_of(work) ** power * max(1.0, _inf_norm(x_leaves)) / t_norm
    else:
        h = float(eps)
    plus = [x + h * t for x, t in zip(x_leaves, t_leaves)]
    if method == "forward":
        hi, out_def = call(plus)
        lo, _ = call(x_leaves)
        scale = 1.0 / h
    else:
        minus = [x - h * t for x, t in zip(x_leaves, t_leaves)]
        hi, out_def = call(plus)
        lo, _ = call(minus)
        scale = 0.5 / h
    return tree_unflatten(
        out_def, [_difference(a, b, scale, _float_dtype(np.result_type(a))) for a, b in
                  zip(hi, lo)]
    )


def numerical_grad(f: Callable, x, method: str = "central", eps: float | None = None):
    """The gradient of scalar-valued ``f(x)`` by finite differences, one coordinate at a
    time (``2 n`` evaluations for ``n`` entries in central mode, ``n + 1`` forward, ``n``
    complex). ``x`` may be a pytree; the result has its structure.

    Per coordinate the step is ``h = √ε · max(1, |x_k|)`` (forward, error ``O(h)``),
    ``∛ε · max(1, |x_k|)`` (central, error ``O(h²)``), or ``1e-20`` (complex step: no
    subtraction, so no cancellation, exact to rounding for analytic, complex-safe ``f``).
    ``eps`` overrides the step. The step is rounded so that ``x_k + h`` is exactly
    representable, removing one source of error.
    """
    _check_method(method)
    leaves, treedef = _leaves(x)
    leaves = [v.astype(_float_dtype(v.dtype)) if not np.issubdtype(v.dtype, np.inexact)
              else v for v in leaves]

    def call(new_leaves):
        out = np.asarray(f(tree_unflatten(treedef, new_leaves)))
        if out.size != 1:
            raise ValueError(
                f"numerical_grad: f must return a scalar; it returned shape {out.shape}"
            )
        return out.reshape(())

    grads = []
    base = None
    if method == "forward":
        base = call(leaves)
    for i, leaf in enumerate(leaves):
        g = np.zeros(leaf.shape, _float_dtype(leaf.dtype))
        flat_g = g.reshape(-1)
        eps_m = _eps_of(leaf.dtype)
        for k in range(leaf.size):
            xk = leaf.reshape(-1)[k]
            if method == "complex":
                h = _COMPLEX_STEP if eps is None else float(eps)
                shifted = leaf.astype(np.result_type(leaf.dtype, np.complex64)).copy()
                shifted.reshape(-1)[k] += 1j * h
                new = list(leaves)
                new[i] = shifted
                flat_g[k] = np.imag(call(new)) / h
                continue
            if eps is None:
                power = 1 / 2 if method == "forward" else 1 / 3
                h = eps_m ** power * max(1.0, float(abs(xk)))
            else:
                h = float(eps)
            h = float((xk + leaf.dtype.type(h)) - xk) or h  # representable step

            def at(delta, i=i, k=k, leaf=leaf):
                moved = leaf.copy()
                moved.reshape(-1)[k] += delta
                new = list(leaves)
                new[i] = moved
                return call(new)

            if method == "forward":
                flat_g[k] = _difference(at(h), base, 1.0 / h, g.dtype)
            else:
                flat_g[k] = _difference(at(h), at(-h), 0.5 / h, g.dtype)
        grads.append(g)
    return tree_unflatten(treedef, grads)


# -- the dot-product test --------------------------------------------------------------


def dot_product_test(
    f: Callable,
    args: Sequence,
    rng: np.random.Generator | None = None,
    rtol: float | None = None,
    atol: float | None = None,
) -> tuple[float, float]:
    """Check ``<v, J u> == <Jᵀ v, u>`` for random ``u`` (shaped like ``args``) and ``v``
    (shaped like ``f(*args)``), with ``J u`` from :func:`wengert.jvp` and ``Jᵀ v`` from
    :func:`wengert.vjp`.

    Both sides are exact up to rounding, so the identity holds to about ``ε`` times the
    size of the terms ``sum |v| |J u|``; it fails when a JVP rule and a VJP rule disagree
    (one of them is wrong, or a broadcast is undone wrongly). Returns the two numbers
    ``(<v, J u>, <Jᵀ v, u>)``; raises ``AssertionError`` if
    ``|lhs - rhs| > atol + rtol · sum |v| |J u|``. Default tolerances: 1e-10 in float64,
    1e-4 in float32.
    """
    from .api import jvp, vjp

    rng = np.random.default_rng(0) if rng is None else rng
    args = tuple(args)
    x_leaves, x_def = _leaves(args)
    u_leaves = [_random_like(rng, x) for x in x_leaves]
    u = tree_unflatten(x_def, u_leaves)
    out, ju = jvp(f, args, u)
    out_leaves, out_def = _leaves(_plain(out))
    ju_leaves, _ = _leaves(_plain(ju))
    v_leaves = [_random_like(rng, o) for o in out_leaves]
    _, vjp_fun = vjp(f, *args)
    jtv = vjp_fun(tree_unflatten(out_def, v_leaves))
    jtv_leaves, _ = _leaves(_plain(tuple(jtv)))
    lhs = _inner(v_leaves, ju_leaves)
    rhs = _inner(jtv_leaves, u_leaves)
    tol = _DOT_TOL[_lowest_precision(*[x.dtype for x in x_leaves],
                                     *[o.dtype for o in out_leaves])]
    rtol = tol if rtol is None else rtol
    atol = tol if atol is None else atol
    scale = max(_abs_inner(v_leaves, ju_leaves), _abs_inner(jtv_leaves, u_leaves))
    if not abs(lhs - rhs) <= atol + rtol * scale:
        raise AssertionError(
            f"dot-product test failed for {_fname(f)}: <v, J u> = {lhs!r} (JVP) but "
            f"<J^T v, u> = {rhs!r} (VJP); difference {abs(lhs - rhs):.3g} exceeds "
            f"atol + rtol * scale = {atol:g} + {rtol:g} * {scale:.3g}. The forward (JVP) "
            f"and reverse (VJP) rules of some primitive in f disagree."
        )
    return lhs, rhs


def _fname(f) -> str:
    return getattr(f, "__name__", type(f).__name__)


# -- check_grads -------------------------------------------------------------------------


def _assert_close(what: str, actual_leaves, expected_leaves, atol, rtol):
    for j, (a, e) in enumerate(zip(actual_leaves, expected_leaves)):
        a = np.asarray(a, dtype=np.result_type(a, np.float64))
        e = np.asarray(e, dtype=np.result_type(e, np.float64))
        if a.shape != e.shape:
            raise AssertionError(
                f"{what}: output leaf {j} has shape {a.shape}; expected {e.shape}"
            )
        if not a.size:
            continue
        err = np.abs(a - e)
        bound = atol + rtol * np.abs(e)
        bad = ~(err <= bound)
        if bad.any():
            k = np.unravel_index(int(np.argmax(np.where(bad, err - bound, -np.inf))), a.shape)
            raise AssertionError(
                f"{what}: output leaf {j}, {int(bad.sum())} of {a.size} entries differ; "
                f"worst at index {tuple(int(i) for i in k)}: got {a[k]!r}, expected "
                f"{e[k]!r} (|difference| {err[k]:.3g} > atol {atol:g} + rtol {rtol:g} * "
                f"|expected|); max |difference| {float(err.max()):.3g}"
            )


def check_grads(
    f: Callable,
    args: Sequence,
    modes: Sequence[str] = ("fwd", "rev"),
    order: int = 1,
    eps: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    rng: np.random.Generator | None = None,
) -> None:
    """Check ``f``'s derivatives against central finite differences, up to ``order``.

    * ``"fwd"``: ``wengert.jvp(f, args, t)`` against :func:`numerical_jvp` in a random
      direction ``t`` (and its primal output against ``f(*args)``);
    * ``"rev"``: ``wengert.vjp`` through the dot-product identity
      ``<Jᵀ c, t> == <c, J t>`` with ``J t`` by central differences, for random ``c``, ``t``.

    For ``order`` 2 and 3 the same checks are applied, recursively, to the derivative
    functions ``(x, t) ↦ jvp(f, x, t)`` and ``x ↦ vjp(f, x)(f(x))``, so that a rule whose
    first-order value is right but whose own derivative is wrong (a second-order error)
    is caught. Modelled on ``jax.test_util.check_grads``.

    ``args`` is a tuple of arguments (pytrees of real floating arrays). Finite differences
    of float32 (float16) arguments are taken on float64 copies, with a step sized for the
    lower precision so that rounding inside ``f`` stays small. Default tolerances
    (``rtol`` and ``atol``): 1e-5 in float64, 2e-3 in float32. ``eps``: the finite
    difference step (see :func:`numerical_jvp`). Raises ``AssertionError`` naming the
    order, the mode and the numbers.
    """
    if order not in (1, 2, 3):
        raise ValueError(f"check_grads: order must be 1, 2 or 3, got {order!r}")
    bad_modes = [m for m in modes if m not in ("fwd", "rev")]
    if bad_modes or not modes:
        raise ValueError(f"check_grads: modes must be among ('fwd', 'rev'), got {modes!r}")
    rng = np.random.default_rng(0) if rng is None else rng
    args = tuple(args)
    x_leaves, _ = _leaves(args)
    low = _lowest_precision(*[x.dtype for x in x_leaves])
    rtol = _GRAD_TOL[low] if rtol is None else rtol
    atol = _GRAD_TOL[low] if atol is None else atol
    _check_grads(f, args, order, tuple(modes), eps, rtol, atol, rng, "", 1)


def _reference_jvp(f, args, tangents, eps, out_leaves=()):
    """Central differences on float64 copies; the step is sized for the lowest precision
    of the arguments and of the output, so float32 arithmetic inside ``f`` is tolerated.
    """
    x_leaves, x_def = _leaves(args)
    t_leaves, _ = _leaves(tangents)
    low = _lowest_precision(*[x.dtype for x in x_leaves], *[o.dtype for o in out_leaves])
    x64 = [x.astype(np.result_type(x.dtype, np.float64))
           if np.issubdtype(x.dtype, np.inexact) else x for x in x_leaves]
    t64 = [t.astype(np.result_type(t.dtype, np.float64)) for t in t_leaves]
    if eps is None:
        eps = (np.finfo(low).eps ** (1 / 3) * max(1.0, _inf_norm(x_leaves))
               / max(_inf_norm(t_leaves), np.finfo(np.float64).tiny))
    return numerical_jvp(f, tree_unflatten(x_def, x64), tree_unflatten(x_def, t64),
                         method="central", eps=eps)


def _check_grads(f, args, order, modes, eps, rtol, atol, rng, label, level):
    from .api import jvp, vjp

    x_leaves, x_def = _leaves(args)
    name = _fname(f)
    if "fwd" in modes:
        what = f"JVP of {label}" if label else "JVP"
        t_leaves = [_random_like(rng, x) for x in x_leaves]
        tangents = tree_unflatten(x_def, t_leaves)
        out, t_out = jvp(f, args, tangents)
        head = f"check_grads({name}): order {level}, mode fwd ({what})"
        expected_out = f(*args)
        _assert_close(f"{head}, primal output", _leaves(_plain(out))[0],
                      _leaves(_plain(expected_out))[0], atol, rtol)
        numeric = _reference_jvp(f, args, tangents, eps, _leaves(_plain(out))[0])
        _assert_close(f"{head}: AD tangent vs central differences",
                      _leaves(_plain(t_out))[0], _leaves(numeric)[0], atol, rtol)
        if order > 1:
            def f_jvp(primals, tangents_):
                return jvp(f, tuple(primals), tuple(tangents_))

            f_jvp.__name__ = f"jvp({name})"
            _check_grads(f_jvp, (args, tangents), order - 1, modes, eps, rtol, atol, rng,
                         what, level + 1)
    if "rev" in modes:
        what = f"VJP of {label}" if label else "VJP"
        head = f"check_grads({name}): order {level}, mode rev ({what})"
        out, vjp_fun = vjp(f, *args)
        out_leaves, out_def = _leaves(_plain(out))
        t_leaves = [_random_like(rng, x) for x in x_leaves]
        tangents = tree_unflatten(x_def, t_leaves)
        numeric_leaves, _ = _leaves(_reference_jvp(f, args, tangents, eps, out_leaves))
        c_leaves = [_random_like(rng, o) for o in out_leaves]
        ct = vjp_fun(tree_unflatten(out_def, c_leaves))
        ct_leaves, _ = _leaves(_plain(tuple(ct)))
        ip = _inner(ct_leaves, t_leaves)
        ip_expected = _inner(c_leaves, numeric_leaves)
        scale = max(_abs_inner(ct_leaves, t_leaves), _abs_inner(c_leaves, numeric_leaves))
        if not abs(ip - ip_expected) <= atol * max(1.0, scale) + rtol * abs(ip_expected):
            raise AssertionError(
                f"{head}: <VJP(c), t> = {ip!r} but <c, J t> by central differences = "
                f"{ip_expected!r}; |difference| {abs(ip - ip_expected):.3g} exceeds "
                f"atol {atol:g} * max(1, {scale:.3g}) + rtol {rtol:g} * |expected|"
            )
        if order > 1:
            def f_vjp(*primals):
                out_, pullback = vjp(f, *primals)
                return pullback(out_)

            f_vjp.__name__ = f"vjp({name})"
            _check_grads(f_vjp, args, order - 1, modes, eps, rtol, atol, rng, what,
                         level + 1)
