"""Buffers of the generated code: when each variable is last read (``del`` after it)
and which dead buffer an equation's output may be written into (``out=``).

The plan comes from the passes' alias analysis (``passes.buffer_reuse``) when it is
there, else from a conservative analysis of our own; either way it is checked again:
only primitives that take ``out=``, equal shape and dtype, never an input or output of
the list.
"""

from __future__ import annotations

import operator

import numpy as np

from ..core.wengert_list import Var, WengertList

_AS_UFUNC = {operator.add: np.add, operator.sub: np.subtract, operator.mul: np.multiply,
             operator.truediv: np.true_divide, operator.neg: np.negative}


def ufunc_of(impl):
    """The ufunc an implementation computes (accepting ``out=``), or None."""
    if isinstance(impl, np.ufunc):
        return impl
    try:
        return _AS_UFUNC.get(impl)
    except TypeError:
        return None


def last_reads(wl: WengertList) -> dict:
    """var name -> index of the last equation reading it."""
    last = {}
    for i, eq in enumerate(wl.equations):
        for a in eq.ins:
            if isinstance(a, Var):
                last[a.name] = i
    return last


def reuse_plan(wl: WengertList, out_names: set, in_names: set) -> dict:
    """{equation index: dead argument whose buffer its output is written into}. The
    passes' ``buffer_reuse`` (alias analysis) when present, else a conservative plan of
    our own; either way only for primitives that take ``out=``, with equal shape and
    dtype."""
    try:
        from .passes import buffer_reuse
    except ImportError:
        buffer_reuse = None
    if buffer_reuse is not None:
        try:  # also buffers that died earlier (kept alive until reused: codegen)
            plan = buffer_reuse(wl, dead_values=True)
        except TypeError:
            plan = buffer_reuse(wl)
    else:
        plan = _own_plan(wl, out_names, in_names)
    checked = {}
    for i, var in plan.items():
        eq = wl.equations[i]
        out = eq.outs[0]
        takes_out = getattr(eq.primitive, "accepts_out", False) or (
            ufunc_of(eq.primitive.impl) is not None and not eq.params)
        if (takes_out and len(eq.outs) == 1 and out.shape and var.shape == out.shape
                and np.dtype(var.dtype) == np.dtype(out.dtype)
                and var.name not in out_names and var.name not in in_names):
            checked[i] = var
    return checked


def _own_plan(wl: WengertList, out_names: set, in_names: set) -> dict:
    owned = _owned_buffers(wl, out_names, in_names)
    last = last_reads(wl)
    plan = {}
    for i, eq in enumerate(wl.equations):
        if len(eq.outs) != 1 or eq.params or ufunc_of(eq.primitive.impl) is None:
            continue
        for a in eq.ins:
            if isinstance(a, Var) and a.name in owned and last.get(a.name) == i:
                plan[i] = a
                break
    return plan


def _owned_buffers(wl: WengertList, out_names: set, in_names: set) -> set:
    """Variables whose array only the generated code holds and nothing views: made by
    an elementwise ufunc (a fresh array) and read only by elementwise ufuncs and guards
    (which make no views). Such a buffer may be overwritten (``out=``) once dead."""
    fresh = set()
    for eq in wl.equations:
        if len(eq.outs) == 1 and ufunc_of(eq.primitive.impl) is not None \
                and eq.outs[0].shape:
            fresh.add(eq.outs[0].name)
    for eq in wl.equations:
        if eq.outs and (ufunc_of(eq.primitive.impl) is None or eq.params):
            for a in eq.ins:
                if isinstance(a, Var):
                    fresh.discard(a.name)
    return fresh - out_names - in_names


def scatters_in_place(wl: WengertList, out_names: set, svars: set) -> dict:
    """{index of a ``scatter_add`` equation: index of the equation producing its value}
    where the producer may write straight into the scattered region of a zeroed result
    (``r = zeros(shape); producer(..., out=r[index])``) instead of into an array of its
    own that the scatter then copies: a basic index (a plain write, each entry once),
    the value read only by the scatter and not an output, a producer taking ``out=``
    (a ufunc or a fused kernel), the same dtype. Bitwise the same result."""
    from ..numpy.indexing import scatter_add_p
    from .lowering import is_basic_index

    readers: dict = {}
    for eq in wl.equations:
        for a in eq.ins:
            if isinstance(a, Var):
                readers[a.name] = readers.get(a.name, 0) + 1
    defined = {v.name: k for k, eq in enumerate(wl.equations) for v in eq.outs}
    found = {}
    for k, eq in enumerate(wl.equations):
        if eq.primitive is not scatter_add_p or not isinstance(eq.ins[0], Var):
            continue
        g, out = eq.ins[0], eq.outs[0]
        index = eq.params.get("index")
        p = defined.get(g.name)
        if p is None or readers.get(g.name) != 1 or g.name in out_names or \
                g.name in svars or not is_basic_index(index):
            continue
        producer = wl.equations[p]
        takes_out = getattr(producer.primitive, "accepts_out", False) or (
            ufunc_of(producer.primitive.impl) is not None and not producer.params)
        if not takes_out or len(producer.outs) != 1 or not g.shape:
            continue
        if np.dtype(g.dtype) != np.dtype(out.dtype) or \
                tuple(eq.params.get("shape", ())) != tuple(out.shape):
            continue
        try:
            region = np.broadcast_to(np.zeros((), dtype=np.int8), out.shape)[index].shape
        except (IndexError, TypeError, ValueError):
            continue
        if tuple(region) == tuple(g.shape):
            found[k] = p
    return found


def pool_plan(wl: WengertList, reuse: dict, direct: dict, svars: set):
    """Cross-call pool buffers (:mod:`.pool`) of the generated code, or None (pooling
    off in ``settings.buffer_pool``, or nothing to pool). ``reuse``: the checked
    :func:`reuse_plan`; ``direct``: :func:`scatters_in_place` (scatter index -> producer
    index, the producer writing into a view of the scatter's result); ``svars``: values
    held as Python floats. Only an equation that takes ``out=`` and would otherwise
    allocate its result is given a pool buffer."""
    from . import pool, settings

    if not settings.buffer_pool:
        return None
    producers = set(direct.values())
    views = {p: wl.equations[k].outs[0] for k, p in direct.items()}
    allocating = {}
    for i, eq in enumerate(wl.equations):
        if (i in reuse or i in direct or i in producers or len(eq.outs) != 1
                or eq.primitive.multiple_results or not eq.outs[0].shape
                or eq.outs[0].name in svars):
            continue
        if getattr(eq.primitive, "accepts_out", False) or (
                ufunc_of(eq.primitive.impl) is not None and not eq.params):
            allocating[i] = eq.outs[0]
    found = pool.plan(wl, allocating, reuse, views)
    return found if found else None
