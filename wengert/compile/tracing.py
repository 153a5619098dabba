"""Tracing by example into the Wengert list: the staging trace of ``jit``.

A :class:`StagingTrace` is a trace level like reverse and forward mode. Its tracers hold
the example values, so every primitive runs on real arrays while it is recorded and the
shape and dtype of every variable come for free. Each primitive call becomes one
``Equation`` of a ``WengertList`` (the core's one representation); constants are kept by
reference. Where Python reads a traced value (``bool``, ``int``, ``float``, an index,
``numpy.asarray``) the trace records a guard (:mod:`.guards`) and returns the value read.
Non-differentiable NumPy functions (comparisons, ``argmax``...) on traced values are
recorded too, so a branch on ``x > 0`` is a guard on a computed value, not a constant.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from .. import errors
from ..core import Primitive, Tracer, dtype_of, primal, shape_of
from ..core.gc_pause import gc_paused
from ..core.trace import Trace, user_frame
from ..core.wengert_list import Equation, Literal, Var, WengertList
from ..tree import tree_flatten, tree_unflatten
from . import guards

# NumPy functions whose output shape depends on the values: their shape is guarded.
_VALUE_SHAPED = frozenset({"nonzero", "argwhere", "flatnonzero"})
_nondiff_prims: dict = {}


class StagingTracer(Tracer):
    __slots__ = ("_var",)

    def __init__(self, trace: StagingTrace, value, var):
        self._value = value
        self._trace = trace
        self._level = trace.level
        self._var = var


class StagingTrace(Trace):
    """Records every primitive call on its tracers as an equation of a Wengert list."""

    stages = True
    __slots__ = ("inputs", "constants", "equations", "_count", "_scalars")

    def __init__(self):
        super().__init__()
        self.inputs: list = []
        self.constants: list = []
        self.equations: list = []
        self._count = itertools.count(1)
        self._scalars: dict = {}

    # -- variables and constants ------------------------------------------------------

    def _var(self, value, prefix: str = "v") -> Var:
        name = f"{prefix}{len(self.inputs)}" if prefix == "x" else f"v{next(self._count)}"
        return Var(name, shape_of(value), np.dtype(dtype_of(value)))

    def new_input(self, value) -> StagingTracer:
        var = self._var(value, "x")
        self.inputs.append(var)
        return StagingTracer(self, value, var)

    def constant(self, value) -> Literal:
        """A constant argument, by reference: arrays once each (by identity), 0-d numbers
        inline and shared by type and bit pattern."""
        if isinstance(value, np.ndarray) and value.ndim:
            for c in self.constants:
                if c.value is value:
                    return c
            c = Literal(f"c{len(self.constants)}", value)
            self.constants.append(c)
            return c
        try:
            key = (type(value), np.asarray(value).tobytes())
        except (TypeError, ValueError):
            return Literal("", value)
        lit = self._scalars.get(key)
        if lit is None:
            lit = self._scalars[key] = Literal("", value)
        return lit

    def new_constant(self, value) -> StagingTracer:
        """A traced constant (``zeros_like`` of a traced value), so that assignments
        into it are recorded."""
        return StagingTracer(self, value, self.constant(value))

    # -- recording ------------------------------------------------------------------------

    def _atom(self, a, prim_name: str):
        """(value, Var or Literal) of one argument."""
        if isinstance(a, Tracer):
            if a._trace is self:
                return a._value, a._var
            if not a._trace.active:
                a._trace.check_active(_named(prim_name))  # raises EscapedTracerError
            raise errors.EscapedTracerError(
                f"jit: {prim_name} got a traced value of an enclosing transformation "
                f"(level {a._level}) that the jitted function closes over. Pass it to the "
                f"jitted function as an argument instead."
            )
        return a, self.constant(a)

    def process(self, prim: Primitive, args: tuple, params: dict):
        if not self.active:
            self.check_active(prim)
        inline = getattr(prim, "inline", None)
        if inline is not None:  # jit(jit(f)): the inner function is traced in place
            return inline(args)
        vals, ins = [], []
        for a in args:
            v, atom = self._atom(a, prim.name)
            vals.append(v)
            ins.append(atom)
        ans = prim.impl(*vals, **params) if params else prim.impl(*vals)
        if prim.multiple_results:
            outs = tuple(self._var(a) for a in ans)
            self.equations.append(Equation(outs, prim, tuple(ins), dict(params)))
            return tuple(StagingTracer(self, a, v) for a, v in zip(ans, outs))
        var = self._var(ans)
        self.equations.append(Equation((var,), prim, tuple(ins), dict(params)))
        return StagingTracer(self, ans, var)

    def read(self, tracer: StagingTracer, kind: str):
        """Python reads ``tracer`` as ``kind``: record the decision as a guard."""
        if not self.active:
            self.check_active(_named(f"{kind}()"))
        if tracer._trace is not self:
            raise errors.EscapedTracerError(
                f"jit: {kind}() of a traced value of another transformation")
        seen = guards.convert(kind, tracer._value)
        expected = np.array(seen, copy=True) if kind == "array" else seen
        self.equations.append(Equation(
            (), guards.guard_p, (tracer._var,),
            {"kind": kind, "expected": expected, "where": user_frame()}))
        return seen

    def call_nondiff(self, np_fn: Callable, args: Sequence, kwargs: dict):
        """A NumPy function with no derivative (comparison, ``argmax``...) on traced
        values: recorded as an equation, so that what depends on it stays traced."""
        from ..core.trace import concrete, staged
        from ..tree import tree_map

        call_args = []
        for a in args:
            found = staged(a) if isinstance(a, Tracer) else None
            if found is not None:
                call_args.append(found)
            else:  # plain, or a container of traced values: specialised, guarded
                call_args.append(tree_map(concrete, a))
        params = {k: tree_map(concrete, v) for k, v in kwargs.items()}
        values = [primal(a) for a in call_args]
        ans = np_fn(*values, **params)
        multiple = isinstance(ans, tuple)
        prim = _nondiff_primitive(np_fn, multiple)
        out = self.process(prim, tuple(call_args), params)
        name = getattr(np_fn, "__name__", "")
        if name in _VALUE_SHAPED:
            for o in out if multiple else (out,):
                self.read(o, "shape")
        return out

    def finish(self) -> None:
        self.active = False


def _named(name: str) -> Primitive:
    return Primitive(name, lambda *a: None)


def _nondiff_primitive(np_fn: Callable, multiple: bool) -> Primitive:
    key = (np_fn, multiple)
    prim = _nondiff_prims.get(key)
    if prim is None:
        prim = Primitive(getattr(np_fn, "__name__", "nondiff"), np_fn,
                         multiple_results=multiple)
        _nondiff_prims[key] = prim
    return prim


class Traced:
    """The result of tracing a flat function once: its Wengert list and the outputs'
    example values (what the call that traced it returns)."""

    __slots__ = ("wengert_list", "out_values")

    def __init__(self, wengert_list: WengertList, out_values: list):
        self.wengert_list = wengert_list
        self.out_values = out_values


def trace_flat(flat_fun: Callable, leaves: Sequence) -> Traced:
    """Run ``flat_fun(*leaves)`` (which returns a list of leaves) on staging tracers."""
    trace = StagingTrace()
    with gc_paused():
        boxed = [trace.new_input(x) for x in leaves]
        try:
            outs = flat_fun(*boxed)
        finally:
            trace.finish()
    atoms, values = [], []
    for o in outs:
        if isinstance(o, Tracer):
            if o._trace is not trace:
                raise errors.EscapedTracerError(
                    "jit: the function returned a traced value of another transformation "
                    "(a tracer that escaped from where it was made)")
            atoms.append(o._var)
            values.append(o._value)
        else:
            atoms.append(trace.constant(o))
            values.append(o)
    wl = WengertList(trace.inputs, trace.constants, trace.equations, atoms)
    return Traced(wl, values)


def flatten_call(args: tuple, kwargs: dict):
    """Leaves and structure of a call's arguments."""
    return tree_flatten((args, kwargs))


def unflatten_call(treedef, leaves):
    args, kwargs = tree_unflatten(treedef, leaves)
    return args, kwargs
