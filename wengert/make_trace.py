"""``make_trace``: the Wengert list of a call, as data that prints one equation per line."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .core import Tracer, VJPTrace, VJPTracer, check_input, dtype_of, primal, shape_of
from .core.reverse import _Projection
from .core.wengert_list import Equation, Literal, Var, WengertList
from .tree import tree_flatten, tree_paths, tree_unflatten


class TracedCall:
    """A recorded call: ``.wengert_list`` (printable, verifiable) and ``.values`` (name ->
    array, for ``verify``). ``str()`` prints the list."""

    def __init__(self, wengert_list: WengertList, values: dict):
        self.wengert_list = wengert_list
        self.values = values
        self.optimized: WengertList | None = None  # with make_trace(f, optimize=True)

    def __str__(self) -> str:
        if self.optimized is None:
            return str(self.wengert_list)
        return (f"{self.wengert_list}\n\noptimised ({len(self.wengert_list)} -> "
                f"{len(self.optimized)} equations):\n{self.optimized}")

    def __repr__(self) -> str:
        return str(self)

    def verify(self) -> None:
        self.wengert_list.verify(self.values)

    def __len__(self) -> int:
        return len(self.wengert_list)


def make_trace(fun: Callable, optimize: bool = False) -> Callable[..., TracedCall]:
    """Return a function that runs ``fun`` and returns its Wengert list.

    With ``optimize=True`` the result also holds ``.optimized``, the list after the
    jit compiler's passes (``wengert.compile.passes``), and prints both.

    Every floating-point leaf of the arguments becomes an input ``x0, x1, ...``; every
    primitive call one equation ``v7:f64[3] = sin v6``. Constants are shown inline when
    0-d and as ``c0, c1, ...`` otherwise.

    >>> print(make_trace(lambda a, b: np.cos(np.sin(a * b)))(1.0, 2.0))
    { x0:f64[], x1:f64[] ->
      v1:f64[] = multiply x0 x1
      ...
    """

    def traced(*args) -> TracedCall:
        trace = VJPTrace(keep_all=True)
        leaves, treedef = tree_flatten(args)
        paths = tree_paths(args)
        boxed, inputs = [], {}
        for leaf, path in zip(leaves, paths):
            if _is_float(leaf):
                t = trace.new_input(check_input(leaf, "make_trace", path))
                inputs[t._index] = t._value
                boxed.append(t)
            else:
                boxed.append(leaf)
        try:
            out = fun(*tree_unflatten(treedef, boxed))
        finally:
            trace.finish()
        try:
            traced_call = _build(trace, inputs, tree_flatten(out)[0])
        finally:
            trace.release()
        if optimize:
            from .compile.primitive import optimize as run_passes

            traced_call.optimized = run_passes(traced_call.wengert_list)
        return traced_call

    return traced


def _is_float(x) -> bool:
    if isinstance(x, float):
        return True
    if isinstance(x, (np.ndarray, np.generic)) or isinstance(x, Tracer):
        return np.issubdtype(dtype_of(primal(x)), np.inexact)
    return False


def _build(trace: VJPTrace, inputs: dict, outs: list) -> TracedCall:
    names: dict[int, Var] = {}
    values: dict[str, object] = {}
    in_vars, constants, equations = [], [], []
    counter = [0]

    def new_var(value) -> Var:
        counter[0] += 1
        var = Var(f"v{counter[0]}", shape_of(value), dtype_of(primal(value)))
        values[var.name] = value
        return var

    def constant(value):
        if np.ndim(value) == 0:
            return Literal("", value)
        for c in constants:
            if c.value is value:
                return c
        c = Literal(f"c{len(constants)}", value)
        constants.append(c)
        values[c.name] = value
        return c

    for k, entry in enumerate(trace.tape):
        if entry is None:
            if k in inputs:
                var = Var(f"x{len(in_vars)}", shape_of(inputs[k]), dtype_of(primal(inputs[k])))
                in_vars.append(var)
                values[var.name] = inputs[k]
                names[k] = var
            else:  # a traced constant (zeros_like of a traced value)
                names[k] = constant(trace.constants[k])
            continue
            continue
        if type(entry) is _Projection:
            names[k] = names[(entry.k, entry.j)]
            continue
        prim, parents, saved, ans, params = entry
        if prim.vjp_fwd is not None:  # custom rule: show the call, not its residuals
            saved = [None] * len(parents)
        ins = tuple(
            names[p] if p >= 0 else constant(a) for p, a in zip(parents, saved)
        )
        if prim.multiple_results:
            outs_vars = tuple(new_var(a) for a in ans)
            for j, v in enumerate(outs_vars):
                names[(k, j)] = v
        else:
            outs_vars = (new_var(ans),)
            names[k] = outs_vars[0]
        equations.append(Equation(outs_vars, prim, ins, dict(params)))
    out_vars = []
    for o in outs:
        if isinstance(o, VJPTracer) and o._trace is trace:
            out_vars.append(names[o._index])
        else:
            out_vars.append(constant(o))
    return TracedCall(WengertList(in_vars, constants, equations, out_vars), values)
