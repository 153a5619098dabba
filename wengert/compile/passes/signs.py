"""Negations absorbed into the arithmetic around them, exactly.

Backward sweeps are full of negations (``d cos = -sin``, ``d(a - b)/db = -1``) that are
then multiplied and added. In IEEE floating point the sign of a product or quotient is
the exclusive or of the signs and its magnitude does not depend on them, and ``a - b``
*is* ``a + (-b)``; so, bitwise for every input of a real floating dtype:

* ``a + (-b)`` → ``a - b``;  ``(-a) + b`` → ``b - a``;  ``a - (-b)`` → ``a + b``;
* ``a * (-b)``, ``(-a) * b`` → ``-(a * b)``;  ``a / (-b)``, ``(-a) / b`` → ``-(a / b)``,
  when the negation is read only there and has the product's shape (so the negation
  moved outside costs what it cost inside), which lets a later sum absorb it.

A rule applies only where the negation's argument has the negation's dtype and the
equation's output keeps its dtype. (A negation is *not* moved through a sum: ``-(p + q)``
is ``-0.0`` where ``(-p) + (-q)`` is ``+0.0``.)
"""

from __future__ import annotations

import numpy as np

from ...core.basic_ops import add_p
from ...core.wengert_list import Equation, Var, WengertList
from ...numpy.elementwise import negative, subtract
from ._graph import Namer, rebuild, use_counts
from .ops import ufunc_of


def _negated(a, defs: dict):
    """``y`` when ``a`` is ``negative(y)`` of a float dtype, else None."""
    if type(a) is not Var:
        return None
    eq = defs.get(a.name)
    if eq is None or eq.primitive is not negative:
        return None
    y = eq.ins[0]
    if type(y) is not Var or np.dtype(y.dtype) != np.dtype(a.dtype):
        return None
    return y


def _rewrite(eq: Equation, defs: dict, uses, namer: Namer) -> list | None:
    if len(eq.ins) != 2 or eq.params or len(eq.outs) != 1:
        return None
    out = eq.outs[0]
    if np.dtype(out.dtype).kind != "f":
        return None
    u = ufunc_of(eq.primitive)
    a, b = eq.ins
    if u is np.add:
        y = _negated(b, defs)
        if y is not None:
            return [Equation(eq.outs, subtract, (a, y), {})]
        y = _negated(a, defs)
        if y is not None:
            return [Equation(eq.outs, subtract, (b, y), {})]
    elif u is np.subtract:
        y = _negated(b, defs)
        if y is not None:
            return [Equation(eq.outs, add_p, (a, y), {})]
    elif u is np.multiply or u is np.true_divide:
        for k in (1, 0):
            n = eq.ins[k]
            y = _negated(n, defs)
            if y is None or uses[n.name] != 1 or tuple(n.shape) != tuple(out.shape):
                continue
            ins = list(eq.ins)
            ins[k] = y
            inner = Var(namer.fresh("v"), out.shape, out.dtype)
            return [Equation((inner,), eq.primitive, tuple(ins), {}),
                    Equation(eq.outs, negative, (inner,), {})]
    return None


def signs(wl: WengertList) -> WengertList:
    """The list with negations absorbed where exact (module docstring)."""
    if not any(eq.primitive is negative for eq in wl.equations):
        return wl
    uses = use_counts(wl)
    namer = Namer(wl)
    defs: dict = {}
    kept: list = []
    for eq in wl.equations:
        new = _rewrite(eq, defs, uses, namer)
        for e in new if new is not None else (eq,):
            for v in e.outs:
                defs[v.name] = e
            kept.append(e)
    return rebuild(wl, kept, {})
