"""The transformations: ``grad``, ``value_and_grad``, ``vjp``, ``jvp``, ``linearize``,
``jacfwd``, ``jacrev``, ``hessian``, ``hvp``, ``stop_gradient``.

Names and signatures follow JAX where JAX has them, so users' habits carry over.
Arguments and outputs may be pytrees (tuples, lists, dicts, namedtuples, dataclasses,
None).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import errors
from .core import (
    Tracer,
    VJPTrace,
    VJPTracer,
    backward,
    check_input,
    densify,
    dtype_of,
    jvp_flat,
    primal,
    shape_of,
)
from .core.gc_pause import gc_paused
from .tree import tree_flatten, tree_paths, tree_unflatten

__all__ = [
    "grad",
    "value_and_grad",
    "vjp",
    "jvp",
    "linearize",
    "jacfwd",
    "jacrev",
    "hessian",
    "hvp",
    "stop_gradient",
]


# -- shared plumbing --------------------------------------------------------------------


def _argnums_tuple(where: str, argnums, nargs: int) -> tuple[int, ...]:
    single = isinstance(argnums, (int, np.integer))
    nums = (int(argnums),) if single else tuple(argnums)
    if not nums:
        raise errors.ArgnumsError(f"{where}: argnums is empty; name at least one argument")
    for n in nums:
        if not isinstance(n, (int, np.integer)) or not -nargs <= n < nargs:
            raise errors.ArgnumsError(
                f"{where}: argnums={argnums!r} names argument {n}, but the function was "
                f"called with {nargs} positional argument(s)"
            )
    return tuple(int(n) % nargs for n in nums)


class _Recording:
    """A function run once under a reverse-mode trace, ready for backward sweeps."""

    def __init__(self, where, fun, args, argnums, has_aux=False, keep_all=False):
        self.where = where
        nargs = len(args)
        self.argnums = _argnums_tuple(where, argnums, nargs)
        self.trace = trace = VJPTrace(keep_all=keep_all)
        diff = tuple(args[i] for i in self.argnums)
        leaves, self.in_def = tree_flatten(diff)
        names = [
            path for j, i in enumerate(self.argnums) for path in tree_paths(diff[j], f"{i}")
        ]
        self.in_values = [check_input(x, where, n) for x, n in zip(leaves, names)]
        self.in_tracers = [trace.new_input(x) for x in self.in_values]
        # Taken now: assignment into an input (x[i] = v) rebinds its tracer.
        self.in_index = [t._index for t in self.in_tracers]
        boxed = tree_unflatten(self.in_def, self.in_tracers)
        call_args = list(args)
        for j, i in enumerate(self.argnums):
            call_args[i] = boxed[j]
        try:
            out = fun(*call_args)
        except BaseException:
            trace.release()
            raise
        finally:
            trace.finish()
        self.aux = None
        if has_aux:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise errors.WengertError(
                    f"{where}: has_aux=True needs the function to return a pair "
                    f"(output, aux); it returned {type(out).__name__}"
                )
            out, self.aux = out
            self.aux = _strip_level(self.aux, trace)
        out_leaves, self.out_def = tree_flatten(out)
        self.out_values, self.out_index = [], []
        for o in out_leaves:
            if isinstance(o, VJPTracer) and o._trace is trace:
                self.out_values.append(o._value)
                self.out_index.append(o._index)
            else:
                self.out_values.append(o)
                self.out_index.append(-1)

    @property
    def out(self):
        return tree_unflatten(self.out_def, self.out_values)

    def pullback_flat(self, cts: Sequence, keep: bool) -> list:
        seeds: dict = {}
        for index, c in zip(self.out_index, cts):
            if index < 0 or c is None:
                continue
            seeds[index] = c if index not in seeds else seeds[index] + c
        ct = backward(self.trace, seeds, keep)
        grads = []
        for index, x in zip(self.in_index, self.in_values):
            g = densify(ct[index])
            grads.append(_zeros_like(x) if g is None else _writeable(_match_dtype(g, x)))
        return grads

    def release(self) -> None:
        self.trace.release()


def _strip_level(tree, trace):
    def unwrap(x):
        return x._value if isinstance(x, Tracer) and x._trace is trace else x

    leaves, treedef = tree_flatten(tree)
    return tree_unflatten(treedef, [unwrap(x) for x in leaves])


def _zeros_like(x):
    return np.zeros(shape_of(x), dtype=dtype_of(primal(x)))


def _writeable(g):
    """A gradient the user may write into: a read-only array (the broadcast view a
    reduction's VJP leaves, as in ``grad(sum)``) is copied; anything else is returned."""
    if type(g) is np.ndarray and not g.flags.writeable:
        return np.array(g)
    return g


def _match_dtype(g, x):
    """Cotangents and tangents come back in the dtype of their primal."""
    want = dtype_of(primal(x))
    if dtype_of(primal(g)) == want:
        return g
    from .numpy.dtypes import astype

    return astype(g, want)


def _check_like(where: str, what: str, given, expected_values, expected_def, paths=None):
    leaves, treedef = tree_flatten(given)
    if treedef != expected_def:
        raise errors.WengertError(
            f"{where}: {what} has structure {treedef!r}; expected {expected_def!r}"
        )
    for i, (c, x) in enumerate(zip(leaves, expected_values)):
        if shape_of(c) != shape_of(x):
            label = paths[i] if paths else f"leaf {i}"
            raise errors.WengertError(
                f"{where}: {what} {label} has shape {shape_of(c)}; expected {shape_of(x)}"
            )
    return leaves


# -- reverse mode -----------------------------------------------------------------------


def vjp(fun: Callable, *primals: Any, has_aux: bool = False):
    """Evaluate ``fun(*primals)`` and return ``(out, vjp_fun)`` (and ``aux``).

    ``vjp_fun(v)`` computes the vector-Jacobian product ``vᵀ J`` for a cotangent ``v``
    shaped like ``out``, returning one cotangent per primal. It can be called many times;
    each call is one backward sweep over the recorded Wengert list (a small constant times
    the cost of ``fun``).
    """
    with gc_paused():
        rec = _Recording("vjp", fun, primals, tuple(range(len(primals))), has_aux)

    def vjp_fun(cotangent):
        cts = _check_like("vjp_fun", "the cotangent", cotangent, rec.out_values, rec.out_def)
        with gc_paused():
            return tree_unflatten(rec.in_def, rec.pullback_flat(cts, keep=True))

    weakref.finalize(vjp_fun, rec.release)
    if has_aux:
        return rec.out, vjp_fun, rec.aux
    return rec.out, vjp_fun


def value_and_grad(fun: Callable, argnums=0, has_aux: bool = False,
                   holomorphic: bool = False) -> Callable:
    """Return a function computing ``fun``'s value and gradient in one reverse sweep.

    ``fun`` must return a real scalar (plus ``aux`` with ``has_aux``). The gradient has the
    structure of the argument (``argnums`` an int) or a tuple of them (a tuple). Cost: one
    evaluation of ``fun`` recording its Wengert list, plus one backward sweep.

    Complex inputs (``docs/complex.md``): for real-valued ``f`` of ``z = x + iy`` the
    gradient is ``∂f/∂x - i ∂f/∂y`` (a steepest-descent step is ``z - lr * conj(g)``).
    ``holomorphic=True``: ``fun`` is holomorphic in complex inputs with a complex scalar
    output, and the result is the complex derivative ``f'(z)``.
    """

    def value_and_grad_fun(*args, **kwargs):
        where = f"value_and_grad({_name(fun)})" if not getattr(
            value_and_grad_fun, "_is_grad", False) else f"grad({_name(fun)})"
        bound = (lambda *a: fun(*a, **kwargs)) if kwargs else fun
        with gc_paused():
            return _value_and_grad_call(where, bound, args, argnums, has_aux, holomorphic)

    value_and_grad_fun.__name__ = f"value_and_grad_{_name(fun)}"
    value_and_grad_fun.__wrapped__ = fun
    return value_and_grad_fun


def _value_and_grad_call(where, fun, args, argnums, has_aux, holomorphic=False):
    rec = _Recording(where, fun, args, argnums, has_aux)
    try:
        if len(rec.out_values) != 1 or rec.out_def.kind != "leaf":
            raise errors.NonScalarOutputError(
                f"{where}: the function returned {rec.out_def!r}; grad needs a single "
                f"real scalar. Use jacrev for the Jacobian, or vjp for a "
                f"vector-Jacobian product."
            )
        value = rec.out_values[0]
        shape, dtype = shape_of(value), dtype_of(primal(value))
        if shape == () and (holomorphic or np.issubdtype(dtype, np.complexfloating)):
            _check_complex(where, holomorphic, rec.in_values, [value], "grad")
        elif shape != () or not np.issubdtype(dtype, np.floating):
            raise errors.NonScalarOutputError(
                f"{where}: the function returned an array of shape {shape} and dtype "
                f"{dtype}; grad needs a real scalar (shape ()). Use jacrev for the "
                f"Jacobian, or vjp for a vector-Jacobian product."
            )
        grads = rec.pullback_flat([np.ones((), dtype=dtype)], keep=False)
    finally:
        rec.release()
    tree = tree_unflatten(rec.in_def, grads)
    g = tree[0] if isinstance(argnums, (int, np.integer)) else tree
    return ((value, rec.aux), g) if has_aux else (value, g)


def grad(fun: Callable, argnums=0, has_aux: bool = False,
         holomorphic: bool = False) -> Callable:
    """Return a function computing the gradient of scalar-valued ``fun``.

    ``grad(f)(x)`` is ∇f(x), shaped like ``x``; for complex inputs and ``holomorphic``
    see :func:`value_and_grad` and ``docs/complex.md``.
    """
    vg = value_and_grad(fun, argnums, has_aux, holomorphic)
    vg._is_grad = True

    def grad_fun(*args, **kwargs):
        if has_aux:
            (_, aux), g = vg(*args, **kwargs)
            return g, aux
        return vg(*args, **kwargs)[1]

    grad_fun.__name__ = f"grad_{_name(fun)}"
    grad_fun.__wrapped__ = fun
    return grad_fun


def _name(fun) -> str:
    return getattr(fun, "__name__", type(fun).__name__)


def _is_complex(x) -> bool:
    return np.issubdtype(dtype_of(primal(x)), np.complexfloating)


def _check_complex(where: str, holomorphic: bool, inputs, outputs, what: str) -> None:
    """The dtype rules of complex differentiation, as in JAX. Without ``holomorphic``, a
    complex output has no gradient (``grad``, ``jacrev``) and a complex input no column of
    a forward-mode Jacobian (``jacfwd``): the derivative of a non-holomorphic map is not one
    complex number. With it, every input and output must be complex."""
    if holomorphic:
        for kind, values in (("input", inputs), ("output", outputs)):
            for k, v in enumerate(values):
                if not _is_complex(v):
                    raise errors.InputTypeError(
                        f"{where}: holomorphic=True needs complex {kind}s; {kind} {k} has "
                        f"dtype {dtype_of(primal(v))}. Convert it with .astype(complex), "
                        f"or drop holomorphic=True for a real-valued function."
                    )
        return
    if what in ("grad", "jacrev"):
        for k, v in enumerate(outputs):
            if _is_complex(v):
                raise errors.NonScalarOutputError(
                    f"{where}: output {k} is complex (dtype {dtype_of(primal(v))}); {what} "
                    f"needs real outputs. If the function is holomorphic, pass "
                    f"holomorphic=True (the result is then f'(z)); otherwise differentiate "
                    f"a real-valued function of the output, such as wengert.numpy.real(f) "
                    f"or wengert.numpy.abs(f) ** 2 (see docs/complex.md)."
                )
    else:
        for k, v in enumerate(inputs):
            if _is_complex(v):
                raise errors.InputTypeError(
                    f"{where}: input {k} is complex (dtype {dtype_of(primal(v))}); jacfwd "
                    f"needs real inputs unless the function is holomorphic (pass "
                    f"holomorphic=True). Use jacrev for a real-valued function of complex "
                    f"inputs, or differentiate the real and imaginary parts separately."
                )


# -- forward mode ---------------------------------------------------------------------


def jvp(fun: Callable, primals: Sequence, tangents: Sequence, has_aux: bool = False):
    """Evaluate ``fun(*primals)`` and the Jacobian-vector product ``J t`` in one forward
    pass with dual numbers; return ``(out, tangent_out)`` (and ``aux``).

    ``primals`` and ``tangents`` are tuples of the same structure. Cost: a small constant
    times ``fun``, independent of the number of inputs.
    """
    where = f"jvp({_name(fun)})"
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise errors.WengertError(f"{where}: primals and tangents must be tuples")
    p_leaves, p_def = tree_flatten(tuple(primals))
    paths = tree_paths(tuple(primals))
    p_leaves = [check_input(x, where, p) for x, p in zip(p_leaves, paths)]
    t_leaves = _check_like(where, "tangents", tuple(tangents), p_leaves, p_def, paths)
    t_leaves = [_match_dtype(np.asarray(t) if not isinstance(t, Tracer) else t, x)
                for t, x in zip(t_leaves, p_leaves)]
    aux_box = []

    def flat_fun(*leaves):
        out = fun(*tree_unflatten(p_def, leaves))
        if has_aux:
            out, aux = out
            aux_box.append(aux)
        o_leaves, o_def = tree_flatten(out)
        aux_box.append(o_def)
        return o_leaves

    values, tans = jvp_flat(flat_fun, p_leaves, t_leaves)
    out_def = aux_box[-1]
    tans = [_zeros_like(v) if t is None else t for t, v in zip(tans, values)]
    out = tree_unflatten(out_def, values), tree_unflatten(out_def, tans)
    if has_aux:
        return (*out, stop_gradient(aux_box[0]))
    return out


def linearize(fun: Callable, *primals: Any):
    """Evaluate ``fun(*primals)`` once and return ``(out, f_jvp)``, where
    ``f_jvp(*tangents)`` is the linear map ``t ↦ J t`` at ``primals``.

    The Wengert list is recorded once with all its residuals; each call of ``f_jvp`` is a
    forward sweep over it with the JVP rules, without evaluating ``fun`` again.
    """
    from .core.linearize import forward_sweep

    rec = _Recording("linearize", fun, primals, tuple(range(len(primals))), keep_all=True)

    def f_jvp(*tangents):
        t_leaves = _check_like("linearize f_jvp", "tangents", tuple(tangents),
                               rec.in_values, rec.in_def)
        outs = forward_sweep(rec.trace, rec.in_index, t_leaves,
                             rec.out_index)
        outs = [_zeros_like(v) if t is None else t for t, v in zip(outs, rec.out_values)]
        return tree_unflatten(rec.out_def, outs)

    weakref.finalize(f_jvp, rec.release)
    return rec.out, f_jvp


# -- Jacobians and second order -----------------------------------------------------------


def _basis(shape, dtype):
    size = int(np.prod(shape, dtype=np.int64))
    for k in range(size):
        e = np.zeros(size, dtype=dtype)
        e[k] = 1
        yield e.reshape(shape)


def _stack_rows(rows: list, lead_shape: tuple, tail_shape: tuple):
    from . import numpy as wnp

    if not rows:
        return np.zeros(lead_shape + tail_shape)
    return wnp.reshape(wnp.stack(rows), lead_shape + tail_shape)


def jacrev(fun: Callable, argnums=0, has_aux: bool = False,
           holomorphic: bool = False) -> Callable:
    """Jacobian by reverse mode: one backward sweep per output element.

    The result for an output of shape ``So`` and an input of shape ``Si`` has shape
    ``So + Si``; for pytrees, the output's structure holds the input's structure.
    Prefer it when outputs are fewer than inputs. Outputs must be real (rows
    ``∂/∂x - i ∂/∂y`` for complex inputs), or, with ``holomorphic=True``, inputs and outputs
    complex (the complex Jacobian ``∂f/∂z``).
    """

    def jac_fun(*args):
        rec = _Recording(f"jacrev({_name(fun)})", fun, args, argnums, has_aux)
        try:
            _check_complex(rec.where, holomorphic, rec.in_values, rec.out_values, "jacrev")
            per_out = []
            for k, value in enumerate(rec.out_values):
                rows = []
                for e in _basis(shape_of(value), dtype_of(primal(value))):
                    cts = [None] * len(rec.out_values)
                    cts[k] = e
                    rows.append(rec.pullback_flat(cts, keep=True))
                per_in = [
                    _stack_rows([r[i] for r in rows], shape_of(value), shape_of(x))
                    for i, x in enumerate(rec.in_values)
                ]
                per_out.append(_select(tree_unflatten(rec.in_def, per_in), argnums))
        finally:
            rec.release()
        jac = tree_unflatten(rec.out_def, per_out)
        return (jac, rec.aux) if has_aux else jac

    return jac_fun


def _select(tree, argnums):
    return tree[0] if isinstance(argnums, (int, np.integer)) else tree


def jacfwd(fun: Callable, argnums=0, has_aux: bool = False,
           holomorphic: bool = False) -> Callable:
    """Jacobian by forward mode: one JVP per input element; shapes as :func:`jacrev`.
    Prefer it when inputs are fewer than outputs. Inputs must be real, or, with
    ``holomorphic=True``, inputs and outputs complex (the complex Jacobian ``∂f/∂z``)."""

    def jac_fun(*args):
        where = f"jacfwd({_name(fun)})"
        nums = _argnums_tuple(where, argnums, len(args))
        diff = tuple(args[i] for i in nums)
        leaves, in_def = tree_flatten(diff)
        _check_complex(where, holomorphic, leaves, [], "jacfwd")

        def partial(*d):
            call = list(args)
            for j, i in enumerate(nums):
                call[i] = d[j]
            return fun(*call)

        columns = []  # per input leaf: list of output-leaf tangents
        out_def = aux = None
        out_values = None
        for i, x in enumerate(leaves):
            cols = []
            for e in _basis(shape_of(x), dtype_of(primal(x))):
                tangent = [np.zeros(shape_of(y), dtype_of(primal(y))) for y in leaves]
                tangent[i] = e
                res = jvp(partial, diff, tree_unflatten(in_def, tangent), has_aux=has_aux)
                out, t_out = res[0], res[1]
                if has_aux:
                    aux = res[2]
                out_values, out_def = tree_flatten(out)
                cols.append(tree_flatten(t_out)[0])
            columns.append(cols)
        if out_def is None:  # every input is empty
            out = fun(*args)
            out_values, out_def = tree_flatten(out[0] if has_aux else out)
        if holomorphic:
            _check_complex(where, holomorphic, leaves, out_values, "jacfwd")
        from . import numpy as wnp

        per_out = []
        for k, y in enumerate(out_values):
            per_in = []
            for i, x in enumerate(leaves):
                cols = [c[k] for c in columns[i]]
                if cols:
                    stacked = wnp.stack(cols, axis=-1)
                    per_in.append(wnp.reshape(stacked, shape_of(y) + shape_of(x)))
                else:
                    per_in.append(np.zeros(shape_of(y) + shape_of(x)))
            per_out.append(_select(tree_unflatten(in_def, per_in), argnums))
        jac = tree_unflatten(out_def, per_out)
        return (jac, aux) if has_aux else jac

    return jac_fun


def hessian(fun: Callable, argnums=0, holomorphic: bool = False) -> Callable:
    """The Hessian of scalar ``fun``, as ``jacfwd(jacrev(fun))`` (forward-over-reverse);
    ``holomorphic`` as in :func:`jacrev`."""
    return jacfwd(jacrev(fun, argnums, holomorphic=holomorphic), argnums,
                  holomorphic=holomorphic)


def hvp(fun: Callable, primals: Sequence, tangents: Sequence):
    """The Hessian-vector product ``∇²f(x) v`` by forward-over-reverse: the JVP of
    ``grad(fun)`` (the four passes). Cost: a small constant times ``fun``, without ever
    forming the Hessian. The result has the structure of the first argument; tangents of
    the other arguments contribute their mixed second derivatives.
    """
    return jvp(grad(fun), tuple(primals), tuple(tangents))[1]


def stop_gradient(x: Any) -> Any:
    """``x`` as a constant: no derivative flows through it, in any mode or order."""
    leaves, treedef = tree_flatten(x)
    return tree_unflatten(treedef, [primal(v) for v in leaves])

