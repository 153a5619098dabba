"""Lowering before code generation: accumulate scattered cotangents in place.

The backward sweep of indexing makes each slice's cotangent a full array,
``scatter_add(g, index) = zeros(shape); out[index] = g``, and then sums them:

    v15 = scatter_add[index=:-1] v14
    v21 = scatter_add[index=:-1] v20
    v22 = add v15 v21
    v23 = scatter_add[index=1:] v17
    v24 = add v22 v23

Each ``scatter_add`` allocates and zeroes an array the size of ``x`` and each ``add``
reads two and writes a third. Where one operand of an ``add`` is a ``scatter_add`` read
only there and the other is a buffer this program owns and reads only there, the pair
becomes one in-place accumulation into the owned buffer, as the eager sweep does:

    v15 = scatter_add[index=:-1] v14
    v22 = scatter_accumulate[index=:-1] v15 v20      # v15[:-1] += v20, v22 is v15
    v24 = scatter_accumulate[index=1:] v22 v17       # v22[1:] += v17

Same values (each entry gets the same additions in the same order: ``a + scattered``
adds ``g`` where it was written and ``0`` elsewhere), one allocation instead of three.
"""

from __future__ import annotations

import numpy as np

from ..core import Primitive, add_p
from ..core.wengert_list import Equation, Var, WengertList


def _scatter_accumulate_impl(buffer, g, index, unique=False):
    from ..numpy.indexing import _scatter_add_into

    if not _scatter_add_into(buffer, g, index, unique):  # pragma: no cover - dtypes checked
        raise TypeError("scatter_accumulate: the buffer's dtype differs from the value's")
    return buffer


scatter_accumulate_p = Primitive("scatter_accumulate", _scatter_accumulate_impl)


def accumulate_scatters(wl: WengertList) -> WengertList:
    """``add(owned, scatter_add(g))`` -> ``scatter_accumulate(owned, g)`` (see above)."""
    from ..numpy.indexing import scatter_add_p

    uses: dict = {}
    for eq in wl.equations:
        for a in eq.ins:
            if isinstance(a, Var):
                uses[a.name] = uses.get(a.name, 0) + 1
    for o in wl.outputs:
        if isinstance(o, Var):
            uses[o.name] = uses.get(o.name, 0) + 2  # never consumed in place
    defined = {}  # var -> index of its equation
    owned = set()  # fresh arrays this program made (scatter_add, scatter_accumulate)
    for i, eq in enumerate(wl.equations):
        for v in eq.outs:
            defined[v.name] = i
        if eq.primitive is scatter_add_p:
            owned.add(eq.outs[0].name)
    equations = list(wl.equations)
    removed = set()
    for j, eq in enumerate(equations):
        if eq.primitive is not add_p or len(eq.ins) != 2 or not eq.outs:
            continue
        out = eq.outs[0]
        found = _pair(eq, out, equations, defined, owned, uses, removed, scatter_add_p)
        if found is None:
            continue
        buffer, i = found
        scatter = equations[i]
        params = {"index": scatter.params["index"],
                  "unique": scatter.params.get("unique", False)}
        equations[j] = Equation((out,), scatter_accumulate_p, (buffer, scatter.ins[0]),
                                params)
        removed.add(i)
        owned.add(out.name)
    if not removed:
        return wl
    kept = [eq for k, eq in enumerate(equations) if k not in removed]
    return WengertList(wl.inputs, wl.constants, kept, wl.outputs)


def _pair(eq, out, equations, defined, owned, uses, removed, scatter_add_p):
    """(owned buffer operand, index of the scatter_add operand's equation) or None."""
    a, b = eq.ins
    for buffer, other in ((a, b), (b, a)):
        if not (isinstance(buffer, Var) and isinstance(other, Var)):
            continue
        i = defined.get(other.name)
        if i is None or i in removed or equations[i].primitive is not scatter_add_p:
            continue
        if (buffer.name in owned and buffer.name != other.name
                and uses.get(buffer.name) == 1 and uses.get(other.name) == 1
                and tuple(buffer.shape) == tuple(out.shape) == tuple(other.shape)
                and np.dtype(buffer.dtype) == np.dtype(out.dtype) == np.dtype(other.dtype)
                and defined.get(buffer.name, -1) != i):
            return buffer, i
    return None
