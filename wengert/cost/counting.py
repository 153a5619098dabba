"""Counting over a Wengert list: primitive calls, flops and bytes, equation by equation.

The list is the one ``make_trace`` builds (``wengert.core.wengert_list.WengertList``):
each equation has its primitive, its inputs (variables with shape and dtype, or constant
literals) and its outputs. Bytes: an equation reads its array inputs and writes its
outputs in full (no cache reuse, no fusion), except primitives NumPy answers with a view
(``flops.VIEWS``), which move nothing, and ``getitem``, which reads only what it selects.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np

from ..core.wengert_list import Literal, Var, WengertList
from . import flops as F


@dataclasses.dataclass
class Counts:
    """Totals over one Wengert list. ``flops`` excludes the unmodelled equations, which
    ``unmodelled`` names with their number of calls."""

    calls: int = 0
    flops: int = 0
    bytes_read: int = 0
    bytes_written: int = 0
    unmodelled: dict = dataclasses.field(default_factory=dict)
    per_primitive: dict = dataclasses.field(default_factory=dict)  # name -> (calls, flops)

    @property
    def complete(self) -> bool:
        """True when every equation has a flop rule."""
        return not self.unmodelled


def _shape_dtype(arg) -> tuple[tuple, object] | None:
    """(shape, dtype) of an equation's argument; ``None`` for a non-numeric literal."""
    if isinstance(arg, Var):
        return tuple(arg.shape), arg.dtype
    value = arg.value if isinstance(arg, Literal) else arg
    if value is None:
        return None
    try:
        a = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything NumPy cannot make an array of
        return None
    if a.dtype == object:
        return None
    return a.shape, a.dtype


def equation_cost(eq) -> tuple[int | None, int, int]:
    """(flops or ``None`` if unmodelled, bytes read, bytes written) of one equation."""
    ins = [sd for sd in (_shape_dtype(a) for a in eq.ins) if sd is not None]
    outs = [(tuple(v.shape), v.dtype) for v in eq.outs]
    name = eq.primitive.name
    n_flops = F.flops(name, [s for s, _ in ins], [s for s, _ in outs], eq.params)
    written = sum(F.nbytes(s, d) for s, d in outs)
    if name in F.VIEWS:
        return n_flops, 0, 0
    if name == "getitem":
        return n_flops, written, written
    return n_flops, sum(F.nbytes(s, d) for s, d in ins), written


def count(wl: WengertList) -> Counts:
    """Calls, flops and bytes of every equation of ``wl``. A factorisation passed to
    equations as their ``factors`` parameter is counted once, with the first equation
    that uses it."""
    c = Counts()
    unmodelled: Counter = Counter()
    per: dict = {}
    factored: set = set()
    for eq in wl.equations:
        n_flops, read, written = equation_cost(eq)
        name = eq.primitive.name
        factors = eq.params.get("factors")
        if factors is not None and n_flops is not None and id(factors) not in factored:
            factored.add(id(factors))
            n_flops += F.factorisation(factors)
        c.calls += 1
        c.bytes_read += read
        c.bytes_written += written
        calls, total = per.get(name, (0, 0))
        if n_flops is None:
            unmodelled[name] += 1
        else:
            c.flops += n_flops
            total += n_flops
        per[name] = (calls + 1, total)
    c.unmodelled = dict(unmodelled)
    c.per_primitive = per
    return c
