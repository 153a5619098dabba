"""Implicit broadcasting instead of ``broadcast_to`` before elementwise equations.

A backward sweep broadcasts a reduced cotangent back to the full shape
(``broadcast_to(g.reshape(b, 1, s), (b, s, s))``) and then multiplies it elementwise.
NumPy's ufuncs broadcast their arguments themselves, with the same element pairing, so
an elementwise equation (:func:`ops.is_elementwise`) may read ``g.reshape(b, 1, s)``
directly: bitwise the same values, one Python-level ``np.broadcast_to`` call (a few
microseconds) less. The argument is replaced only where the equation's output shape,
broadcast from its arguments, stays what was recorded (another argument or the output
itself carries the full shape), and ``broadcast_to`` never changes the dtype. The
``broadcast_to`` equation is left for dead-code elimination once nothing reads it.
"""

from __future__ import annotations

import numpy as np

from ...core.basic_ops import broadcast_to_p
from ...core.wengert_list import Equation, Literal, Var, WengertList
from ._graph import rebuild
from .ops import is_elementwise


def _shape(a) -> tuple:
    return tuple(a.shape) if isinstance(a, Var) else np.shape(a.value)


def _unbroadcast(eq: Equation, defs: dict) -> Equation | None:
    ins = list(eq.ins)
    changed = False
    out_shape = tuple(eq.outs[0].shape)
    for i, a in enumerate(eq.ins):
        if type(a) is not Var:
            continue
        src = defs.get(a.name)
        if src is None or src.primitive is not broadcast_to_p:
            continue
        x = src.ins[0]
        if not isinstance(x, (Var, Literal)):
            continue
        trial = ins[:i] + [x] + ins[i + 1:]
        try:
            shape = np.broadcast_shapes(*(_shape(b) for b in trial))
        except ValueError:
            continue
        if shape == out_shape:
            ins = trial
            changed = True
    return Equation(eq.outs, eq.primitive, tuple(ins), eq.params) if changed else None


def broadcasts(wl: WengertList) -> WengertList:
    """Elementwise equations read the arguments of ``broadcast_to`` directly."""
    defs: dict = {}
    kept: list = []
    changed = False
    for eq in wl.equations:
        if eq.primitive is broadcast_to_p and eq.outs:
            defs[eq.outs[0].name] = eq
        elif defs and is_elementwise(eq):
            new = _unbroadcast(eq, defs)
            if new is not None:
                eq = new
                changed = True
        kept.append(eq)
    return rebuild(wl, kept, {}) if changed else wl
