"""Outputs stay as fresh as they were: no optimisation may hand back a caller's array.

Eager code returns a new array for ``x * 1`` or for two outputs that compute the same
value; after ``simplify`` or ``cse`` the optimised list could return the input ``x``
itself, a constant, a view, or one array at two output positions, and a caller who
updates a result in place (``g *= 0.5``) would silently change their input or the other
result. :func:`keep_outputs_fresh` adds a ``copy`` where an output that was a fresh
array (made by a ufunc, a product, a sum... :data:`buffer_reuse.FRESH`) is no longer a
fresh array of its own. 0-d results are NumPy scalars, immutable, and never copied.
"""

from __future__ import annotations

from ...core.wengert_list import Equation, Var, WengertList
from ...numpy.dtypes import copy_p
from ._graph import Namer
from .buffer_reuse import is_fresh


def _fresh_names(wl: WengertList) -> set[str]:
    return {v.name for eq in wl.equations if is_fresh(eq) for v in eq.outs}


def keep_outputs_fresh(original: WengertList, optimized: WengertList) -> WengertList:
    was_fresh = _fresh_names(original)
    is_new = _fresh_names(optimized)
    namer = Namer(optimized)
    copies, outputs, seen = [], [], set()
    for before, after in zip(original.outputs, optimized.outputs):
        if (isinstance(before, Var) and before.name in was_fresh and before.shape
                and not (isinstance(after, Var) and after.name in is_new
                         and after.name not in seen)):
            var = Var(namer.fresh("v"), tuple(before.shape), before.dtype)
            copies.append(Equation((var,), copy_p, (after,), {}))
            after = var
        if isinstance(after, Var):
            seen.add(after.name)
        outputs.append(after)
    if not copies:
        return optimized
    return WengertList(list(optimized.inputs), list(optimized.constants),
                       list(optimized.equations) + copies, outputs)
