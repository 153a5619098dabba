"""In-place reuse of dead buffers through ``out=``.

``buffer_reuse(wl)`` maps the index of an equation to one of its argument variables
whose buffer the equation's output may be written into, for equations whose primitive
accepts ``out=`` (an elementwise ufunc, :func:`ops.ufunc_of`, or a fused kernel). The
argument must

* be read for the last time by this equation and not be an output of the list;
* have the output's shape (at least one dimension: 0-d ufunc results are scalars) and
  dtype;
* be a fresh array that this program allocated: the result of an elementwise ufunc, a
  fused kernel, a product, a sum, a scatter or a concatenation (:data:`FRESH`; never an
  input of the list, a constant, or the result of a primitive that may return a view or
  its argument, such as ``reshape``, ``transpose``, ``broadcast_to``, ``sum_to_shape``,
  ``einsum`` or an unknown primitive);
* have no live view: every value that may share memory with it (computed by following
  the primitives that may return views or their arguments) is dead after this equation.

Writing an elementwise result over an argument of the same shape is safe in NumPy (each
element is read before it is written).
"""

from __future__ import annotations

import numpy as np

from ...core.wengert_list import Var, WengertList
from ...numpy.indexing import index_update_p, scatter_add_p
from ...numpy.joining import _concatenate_impl
from ...numpy.products import matmul_p, tensordot_p
from ...numpy.reductions import cumprod_p, cumsum_p, sum_p
from ._graph import output_names
from .liveness import last_reads
from .ops import is_elementwise, ufunc_of


def _accepts_out(eq) -> bool:
    if getattr(eq.primitive, "accepts_out", False):
        return True
    return is_elementwise(eq) and ufunc_of(eq.primitive) is not None


#: Primitives whose result is always a newly allocated array (for at least one dimension).
FRESH = frozenset({matmul_p, tensordot_p, sum_p, cumsum_p, cumprod_p, scatter_add_p,
                   index_update_p})


def is_fresh(eq) -> bool:
    """``eq``'s result is a newly allocated array never aliasing an argument."""
    return (_accepts_out(eq) or eq.primitive in FRESH
            or eq.primitive.impl is _concatenate_impl)


class _Aliases:
    """Union-find over variable names: values that may share memory."""

    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        while self.parent.get(x, x) != x:
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def buffer_reuse(wl: WengertList, *, dead_values: bool = False) -> dict[int, Var]:
    """{equation index: variable whose buffer that equation's output may be written
    into}. The variable is an argument of the equation dying there; with
    ``dead_values``, when no argument qualifies, also a value that died earlier and has
    not been reused since (its buffer must then be kept until that equation:
    ``liveness(wl, reuse=plan)`` says when to release it)."""
    aliases = _Aliases()
    fresh: set[str] = set()
    for eq in wl.equations:
        if is_fresh(eq):
            fresh.update(v.name for v in eq.outs)
            continue
        for v in eq.outs:
            for a in eq.ins:
                if isinstance(a, Var):
                    aliases.union(v.name, a.name)
    last = last_reads(wl)
    outs = output_names(wl)
    # last read of any member of each alias class (infinite if an output is a member)
    class_end: dict[str, float] = {}
    names = {v.name for v in wl.inputs} | {v.name for eq in wl.equations for v in eq.outs}
    defined_at = {v.name: k for k, eq in enumerate(wl.equations) for v in eq.outs}
    for name in names:
        root = aliases.find(name)
        end = float("inf") if name in outs else last.get(name, defined_at.get(name, -1))
        class_end[root] = max(class_end.get(root, -1), end)

    def free_after(name: str) -> float:
        """Index of the equation after which ``name``'s buffer may be overwritten."""
        return max(last.get(name, defined_at[name]), class_end[aliases.find(name)])

    pool: dict[tuple, list[Var]] = {}
    released: dict[int, list[Var]] = {}
    if dead_values:
        for eq in wl.equations:
            for v in eq.outs:
                if v.name in fresh and v.shape and free_after(v.name) != float("inf"):
                    released.setdefault(int(free_after(v.name)), []).append(v)
    plan: dict[int, Var] = {}
    taken: set[str] = set()
    for k, eq in enumerate(wl.equations):
        if len(eq.outs) == 1 and _accepts_out(eq) and eq.outs[0].shape:
            out = eq.outs[0]
            key = (tuple(out.shape), np.dtype(out.dtype))
            for a in eq.ins:
                if (isinstance(a, Var) and a.name in fresh and a.name not in taken
                        and free_after(a.name) <= k
                        and (tuple(a.shape), np.dtype(a.dtype)) == key):
                    plan[k] = a
                    taken.add(a.name)
                    break
            else:
                candidates = pool.get(key, [])
                while candidates and candidates[-1].name in taken:
                    candidates.pop()
                if candidates:
                    plan[k] = candidates.pop()
                    taken.add(plan[k].name)
        for v in released.get(k, ()):
            if v.name not in taken:
                pool.setdefault((tuple(v.shape), np.dtype(v.dtype)), []).append(v)
    return plan
