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

Before that, two cotangents scattered to the *same* basic index (slices and integers:
no entry is selected twice, so the scatter is a plain write) are added before they are
scattered (:func:`merge_scatters`):

    add(scatter_add[index=i] a, scatter_add[index=i] b) -> scatter_add[index=i] (a + b)

Bitwise the same values (``a + b`` where the index selects, ``0 + 0`` elsewhere), one
full-size array instead of three, and ``a + b`` is elementwise: fusion joins it to the
computations of ``a`` and ``b``.
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


def is_basic_index(index) -> bool:
    """An index of slices, integers, ``None`` and ``...`` only: it selects every entry
    at most once."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(type(i) in (int, slice, type(None)) or i is Ellipsis for i in parts)


def merge_scatters(wl: WengertList) -> WengertList:
    """``add(scatter_add(a, i), scatter_add(b, i))`` -> ``scatter_add(add(a, b), i)``
    for a basic index ``i``, where each scatter is read only by that ``add`` (see
    above)."""
    from ..numpy.indexing import scatter_add_p

    uses = _uses(wl)
    defined = {v.name: k for k, eq in enumerate(wl.equations) for v in eq.outs}
    number = 1 + max((int(v.name[1:]) for eq in wl.equations for v in eq.outs
                      if v.name[:1] == "v" and v.name[1:].isdigit()), default=0)
    equations: list = list(wl.equations)
    removed: set = set()
    added: dict = {}  # equation index -> equation placed just before it
    for j, eq in enumerate(wl.equations):
        if eq.primitive is not add_p or len(eq.ins) != 2 or len(eq.outs) != 1:
            continue
        if not all(isinstance(a, Var) and uses.get(a.name) == 1 for a in eq.ins):
            continue
        if eq.ins[0].name == eq.ins[1].name:
            continue
        i, k = defined.get(eq.ins[0].name), defined.get(eq.ins[1].name)
        if i is None or k is None or i in removed or k in removed:
            continue
        s1, s2 = equations[i], equations[k]
        if s1.primitive is not scatter_add_p or s2.primitive is not scatter_add_p:
            continue
        a, b = s1.ins[0], s2.ins[0]
        out = eq.outs[0]
        if not (isinstance(a, Var) and isinstance(b, Var) and _same_index(s1, s2)
                and is_basic_index(s1.params["index"])
                and tuple(a.shape) == tuple(b.shape)
                and np.dtype(a.dtype) == np.dtype(b.dtype) == np.dtype(out.dtype)):
            continue
        total = Var(f"v{number}", tuple(a.shape), np.dtype(a.dtype))
        number += 1
        added[j] = Equation((total,), add_p, (a, b), {})
        equations[j] = Equation((out,), scatter_add_p, (total,), dict(s1.params))
        removed.update((i, k))
    if not removed:
        return wl
    kept = []
    for k, eq in enumerate(equations):
        if k in added:
            kept.append(added[k])
        if k not in removed:
            kept.append(eq)
    return WengertList(wl.inputs, wl.constants, kept, wl.outputs)


def _same_index(s1: Equation, s2: Equation) -> bool:
    p1, p2 = s1.params, s2.params
    try:
        return (p1["shape"] == p2["shape"] and p1["index"] == p2["index"]
                and bool(p1.get("unique", False)) == bool(p2.get("unique", False)))
    except (KeyError, ValueError, TypeError):  # an index with arrays: not compared
        return False


def _uses(wl: WengertList) -> dict:
    """var name -> number of readers (an output counts as two: never consumed)."""
    uses: dict = {}
    for eq in wl.equations:
        for a in eq.ins:
            if isinstance(a, Var):
                uses[a.name] = uses.get(a.name, 0) + 1
    for o in wl.outputs:
        if isinstance(o, Var):
            uses[o.name] = uses.get(o.name, 0) + 2
    return uses


def accumulate_scatters(wl: WengertList) -> WengertList:
    """``add(owned, scatter_add(g))`` -> ``scatter_accumulate(owned, g)`` (see above)."""
    from ..numpy.indexing import scatter_add_p

    wl = merge_scatters(wl)
    uses = _uses(wl)
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
