"""Liveness: after which equation each variable is read for the last time.

``liveness(wl)[k]`` lists the variables (inputs of the list and values of equations)
whose last read is equation ``k``, or that equation ``k`` defines and nothing reads, so
generated code can ``del`` them right after it and every intermediate is released as
early as possible. Outputs of the list are never listed; neither are literals.
"""

from __future__ import annotations

from ...core.wengert_list import Var, WengertList
from ._graph import output_names


def last_reads(wl: WengertList) -> dict[str, int]:
    """Variable name -> index of the last equation reading it (outputs excluded)."""
    last: dict[str, int] = {}
    for k, eq in enumerate(wl.equations):
        for a in eq.ins:
            if isinstance(a, Var):
                last[a.name] = k
    for name in output_names(wl):
        last.pop(name, None)
    return last


def liveness(wl: WengertList, reuse: dict | None = None) -> list[tuple[Var, ...]]:
    """Per equation, the variables to release after it. ``reuse``: a plan of
    :func:`buffer_reuse` whose buffers are kept until the equation that reuses them."""
    outs = output_names(wl)
    release_at: dict[str, int] = {}
    var_of: dict[str, Var] = {}
    for k, eq in enumerate(wl.equations):
        for v in eq.outs:  # never read: released where it is defined
            release_at[v.name] = k
            var_of[v.name] = v
        for a in eq.ins:
            if isinstance(a, Var):
                release_at[a.name] = k
                var_of.setdefault(a.name, a)
    for k, var in (reuse or {}).items():
        release_at[var.name] = max(release_at.get(var.name, k), k)
        var_of.setdefault(var.name, var)
    released: list[list[Var]] = [[] for _ in wl.equations]
    for name, k in release_at.items():
        if name not in outs:
            released[k].append(var_of[name])
    return [tuple(r) for r in released]
