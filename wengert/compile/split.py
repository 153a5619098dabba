"""Reverse mode of a compiled function: a forward program with residuals and a
backward program, cut from one traced list.

For ``grad(jit(f))`` at plain values, the function is traced once as its value and
its vector-Jacobian product together: the inputs ``x``, the cotangents ``g`` (staging
inputs made after ``f`` has run, so their shapes are known) and the backward sweep over
``f``'s tape, run on staging tracers, all in one Wengert list. The list is then cut:

* the **forward** part is every equation that does not depend on ``g``; its program
  returns ``f``'s outputs and the *residuals*, the forward values the backward part
  reads (what reverse mode's tape would keep);
* the **backward** part is the rest; its program takes (residuals, ``g``) and returns
  the cotangents. It is compiled per pattern of differentiated inputs, so dead-code
  elimination drops the cotangents nobody asked for (the data of a loss, say).

Each cut is one specialisation: the forward program checks the guards of the forward
part, the backward program those that depend on ``g``. Where the backward program misses
a guard, or the cut cannot be made, the caller falls back to the program that recomputes
the forward inside the backward (``CompiledFunction``'s recompute path).
"""

from __future__ import annotations

import numpy as np

from ..core import (
    Tracer,
    VJPTrace,
    VJPTracer,
    backward,
    densify,
    dtype_of,
    primal,
    shape_of,
)
from ..core.gc_pause import gc_paused
from ..core.wengert_list import Var, WengertList
from .tracing import StagingTrace, StagingTracer


class Cut:
    """One specialisation: forward program, backward list, backward programs by mask."""

    __slots__ = ("forward", "backward_list", "backward", "n_out", "inexact_in",
                 "inexact_out", "build")

    def __init__(self, forward, backward_list, n_out, inexact_in, inexact_out, build):
        self.forward = forward
        self.backward_list = backward_list
        self.backward: dict = {}
        self.n_out = n_out
        self.inexact_in = inexact_in  # positions of the differentiable inputs
        self.inexact_out = inexact_out  # positions of the outputs with cotangents
        self.build = build

    def run_forward(self, vals) -> tuple:
        """(outputs, residuals); raises GuardMiss."""
        res = self.forward.function(*vals)
        return tuple(res[:self.n_out]), tuple(res[self.n_out:])

    def run_backward(self, mask: tuple, residuals: tuple, gs: list) -> list:
        """Cotangents of the inputs in ``mask`` (None elsewhere); raises GuardMiss."""
        program = self.backward.get(mask)
        if program is None:
            wanted = [o for i, o in zip(self.inexact_in, self.backward_list.outputs)
                      if mask[i]]
            bl = self.backward_list
            program = self.backward[mask] = self.build(
                WengertList(bl.inputs, bl.constants, bl.equations, wanted))
        cts = iter(program.function(*residuals, *gs))
        return [next(cts) if m else None for m in mask]


def _inexact(x) -> bool:
    return np.issubdtype(dtype_of(primal(x)), np.inexact)


def trace_joint(flat_fun, vals) -> tuple:
    """The list of (x, g) -> (f(x), cotangents of the differentiable inputs), with the
    positions of the differentiable inputs and of the outputs that take cotangents."""
    from ..api import _match_dtype

    trace = StagingTrace()
    with gc_paused():
        xs = [trace.new_input(v) for v in vals]
        n_x = len(xs)
        inexact_in = [i for i, v in enumerate(vals) if _inexact(v)]
        tape = VJPTrace()
        boxed = list(xs)
        index = []
        for i in inexact_in:
            boxed[i] = tape.new_input(xs[i])
            index.append(boxed[i]._index)
        try:
            try:
                outs = flat_fun(*boxed)
            finally:
                tape.finish()
            out_atoms, gs, seeds, inexact_out = [], [], {}, []
            for j, o in enumerate(outs):
                value = o._value if isinstance(o, VJPTracer) and o._trace is tape else o
                out_atoms.append(value)
                if _inexact(value):
                    inexact_out.append(j)
                    g = trace.new_input(np.zeros(shape_of(value), dtype_of(primal(value))))
                    gs.append(g)
                    if isinstance(o, VJPTracer) and o._trace is tape:
                        k = o._index
                        seeds[k] = g if k not in seeds else seeds[k] + g
            ct = backward(tape, seeds, keep=False)
        finally:
            tape.release()
            trace.finish()
        cts = []
        for i, k in zip(inexact_in, index):
            c = densify(ct[k])
            cts.append(np.zeros(shape_of(xs[i]), dtype_of(vals[i])) if c is None
                       else _match_dtype(c, xs[i]))

    def atom(v):
        if isinstance(v, StagingTracer) and v._trace is trace:
            return v._var
        if isinstance(v, Tracer):
            raise ValueError("jit: a traced value of another transformation escaped")
        return trace.constant(v)

    wl = WengertList(trace.inputs, trace.constants, trace.equations,
                     [atom(o) for o in out_atoms] + [atom(c) for c in cts])
    return wl, n_x, len(out_atoms), inexact_in, inexact_out


def cut(wl: WengertList, n_x: int, n_out: int) -> tuple[WengertList, WengertList]:
    """Forward list (x -> outputs, residuals) and backward list (residuals, g ->
    cotangents) of a joint list whose first ``n_x`` inputs are x, the rest g."""
    g_names = {v.name for v in wl.inputs[n_x:]}
    late = set(g_names)  # variables that depend on g
    fwd_eqs, bwd_eqs = [], []
    for eq in wl.equations:
        if any(isinstance(a, Var) and a.name in late for a in eq.ins):
            late.update(v.name for v in eq.outs)
            bwd_eqs.append(eq)
        else:
            fwd_eqs.append(eq)
    early_vars = {v.name: v for v in wl.inputs[:n_x]}
    for eq in fwd_eqs:
        for v in eq.outs:
            early_vars[v.name] = v
    needed: dict = {}
    for eq in bwd_eqs:
        for a in eq.ins:
            if isinstance(a, Var) and a.name in early_vars:
                needed[a.name] = early_vars[a.name]
    cts = wl.outputs[n_out:]
    for o in cts:
        if isinstance(o, Var) and o.name in early_vars:
            needed[o.name] = early_vars[o.name]
    residuals = list(needed.values())
    forward = WengertList(wl.inputs[:n_x], wl.constants, fwd_eqs,
                          list(wl.outputs[:n_out]) + residuals)
    backward_list = WengertList(residuals + list(wl.inputs[n_x:]), wl.constants, bwd_eqs,
                                list(cts))
    return forward, backward_list


def make_cut(flat_fun, vals, build) -> Cut:
    wl, n_x, n_out, inexact_in, inexact_out = trace_joint(flat_fun, vals)
    forward, backward_list = cut(wl, n_x, n_out)
    return Cut(build(forward), backward_list, n_out, inexact_in, inexact_out, build)
