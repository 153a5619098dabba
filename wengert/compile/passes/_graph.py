"""Shared helpers of the passes: uses of variables, renaming, fresh names, evaluation.

Every pass rebuilds the list rather than editing it: equations are frozen, and a pass that
replaces a value records ``name -> replacement`` and rewrites the later equations' inputs
and the outputs once through :func:`rebuild`.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from ...core.wengert_list import Equation, Literal, Var, WengertList


def use_counts(wl: WengertList) -> Counter:
    """Number of times each variable name is read (by equations and as an output)."""
    counts: Counter = Counter()
    for eq in wl.equations:
        for a in eq.ins:
            if isinstance(a, Var):
                counts[a.name] += 1
    for o in wl.outputs:
        if isinstance(o, Var):
            counts[o.name] += 1
    return counts


def consumers(wl: WengertList) -> dict[str, list[int]]:
    """For each variable name, the indices of the equations that read it (with repeats)."""
    users: dict[str, list[int]] = {}
    for k, eq in enumerate(wl.equations):
        for a in eq.ins:
            if isinstance(a, Var):
                users.setdefault(a.name, []).append(k)
    return users


def output_names(wl: WengertList) -> set[str]:
    return {o.name for o in wl.outputs if isinstance(o, Var)}


def resolve(a, mapping: dict):
    """``a`` after the replacements in ``mapping`` (followed transitively)."""
    while isinstance(a, Var) and a.name in mapping:
        a = mapping[a.name]
    return a


def rename(eq: Equation, mapping: dict) -> Equation:
    if not mapping or not any(type(a) is Var and a.name in mapping for a in eq.ins):
        return eq
    return Equation(eq.outs, eq.primitive, tuple(resolve(a, mapping) for a in eq.ins),
                    eq.params)


def rebuild(wl: WengertList, equations: list, mapping: dict,
            new_constants: list | None = None) -> WengertList:
    """A list with ``equations`` (inputs renamed through ``mapping``), the same inputs,
    its outputs renamed, and the array constants it still reads."""
    if mapping:
        equations = [rename(eq, mapping) for eq in equations]
    outputs = [resolve(o, mapping) for o in wl.outputs]
    constants = list(wl.constants) + list(new_constants or ())
    if constants:
        read = {a.name for eq in equations for a in eq.ins if type(a) is Literal and a.name}
        read |= {o.name for o in outputs if isinstance(o, Literal) and o.name}
        constants = [c for c in constants if c.name in read]
    return WengertList(list(wl.inputs), constants, equations, outputs)


class Namer:
    """Fresh variable and constant names that no name of ``wl`` uses (the names in use
    are collected when the first fresh one is asked for)."""

    def __init__(self, wl: WengertList):
        self.wl = wl
        self._taken: set | None = None
        self.counters: dict[str, int] = {}

    @property
    def taken(self) -> set:
        if self._taken is None:
            wl = self.wl
            self._taken = {v.name for v in wl.inputs} | {c.name for c in wl.constants}
            for eq in wl.equations:
                self._taken.update(v.name for v in eq.outs)
        return self._taken

    def fresh(self, prefix: str) -> str:
        n = self.counters.get(prefix, 0)
        while f"{prefix}{n}" in self.taken:
            n += 1
        self.counters[prefix] = n + 1
        name = f"{prefix}{n}"
        self.taken.add(name)
        return name


def literal_for(value, namer: Namer, new_constants: list) -> Literal:
    """A literal holding ``value``: inline when 0-d, else a new named constant."""
    if np.ndim(value) == 0:
        return Literal("", value)
    c = Literal(namer.fresh("c"), value)
    new_constants.append(c)
    return c


def evaluate(eq: Equation, args: list) -> tuple:
    """Run one equation on plain values; always a tuple of results."""
    out = eq.primitive.impl(*args, **eq.params)
    return tuple(out) if eq.primitive.multiple_results else (out,)


def size_of(shape: tuple) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


def matches(value, var: Var) -> bool:
    """``value`` has the recorded shape and dtype of ``var``."""
    return np.shape(value) == tuple(var.shape) and np.result_type(value) == np.dtype(var.dtype)
