"""Dead-code elimination: drop every equation none of whose outputs is needed.

One backward walk: a value is needed if it is an output of the list or read by a kept
equation; effectful equations (guards) are always kept. Constants no longer read go too.
The inputs stay (they are the compiled function's signature).
"""

from __future__ import annotations

from ...core.wengert_list import Var, WengertList
from ._graph import output_names, rebuild
from .effects import is_effectful


def dce(wl: WengertList) -> WengertList:
    needed = output_names(wl)
    kept = []
    for eq in reversed(wl.equations):
        outs = eq.outs
        if (len(outs) == 1 and outs[0].name in needed) or is_effectful(eq) or any(
                v.name in needed for v in outs):
            kept.append(eq)
            for a in eq.ins:
                if type(a) is Var:
                    needed.add(a.name)
    kept.reverse()
    return rebuild(wl, kept, {})
