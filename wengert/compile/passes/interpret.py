"""A reference interpreter of a Wengert list: each equation's ``impl`` in order.

Used to check that a pass keeps the outputs, and as a slow fallback. Guards are run too
(their ``impl`` raises on a miss)."""

from __future__ import annotations

from ...core.wengert_list import Var, WengertList
from ._graph import evaluate


def run(wl: WengertList, *inputs) -> list:
    if len(inputs) != len(wl.inputs):
        raise TypeError(f"interpret.run: the list takes {len(wl.inputs)} inputs, "
                        f"got {len(inputs)}")
    env = {v.name: x for v, x in zip(wl.inputs, inputs)}
    env.update((c.name, c.value) for c in wl.constants)

    def value(a):
        return env[a.name] if isinstance(a, Var) else a.value

    for eq in wl.equations:
        for var, out in zip(eq.outs, evaluate(eq, [value(a) for a in eq.ins])):
            env[var.name] = out
    return [value(o) for o in wl.outputs]
