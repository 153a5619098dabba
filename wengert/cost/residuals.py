"""Bytes of residuals: the memory reverse mode keeps alive for its backward sweep.

Measured on the tape itself. After the function has run under a reverse-mode trace,
every computed value an equation saved (traced arguments its rules read, and its output
where they read it; unread ones are already ``Shaped`` stand-ins holding only a shape)
is collected, and the memory behind them is added up once per buffer: a view counts as
the array that owns its memory (keeping the view keeps the owner alive), each buffer is
counted once however many equations save it, and buffers owned by the function's own
arguments are left out (they exist whether or not a gradient is taken). Constants the
rules read (data the function closes over, such as a design matrix) are kept by
reference, not copied, and are not counted either. Python numbers (the literals of the
program) are not counted; NumPy scalars are. A forward-mode tracer saved by an outer
reverse pass (as in the Hessian-vector product) counts its primal and its tangent.

:func:`stored_bytes` applies the same count to any collection of arrays, so a
hand-written gradient's saved intermediates are counted the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from ..core import JVPTracer, Shaped, Tracer, dtype_of, primal
from ..core.reverse import _Projection
from ..tree import tree_leaves


def _owner(a: np.ndarray) -> np.ndarray:
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _expand(x) -> Iterable:
    """The plain values inside ``x`` (a tracer's primal and, in forward mode, tangent)."""
    if isinstance(x, Tracer):
        yield from _expand(x._value)
        if isinstance(x, JVPTracer) and x._tangent is not None:
            yield from _expand(x._tangent)
    else:
        yield x


def stored_bytes(values: Iterable, exclude: Iterable = ()) -> int:
    """Bytes of the distinct buffers behind ``values`` (pytrees allowed), leaving out the
    buffers behind ``exclude`` (the function's arguments)."""
    excluded = {id(_owner(a)) for a in _plain(exclude) if isinstance(a, np.ndarray)}
    excluded |= {id(a) for a in _plain(exclude) if isinstance(a, np.generic)}
    seen: set = set()
    total = 0
    for v in _plain(values):
        if isinstance(v, np.ndarray):
            owner = _owner(v)
            key, n = id(owner), owner.nbytes
        elif isinstance(v, np.generic):
            key, n = id(v), v.nbytes
        else:  # Python numbers, Shaped stand-ins, None, parameters
            continue
        if key in excluded or key in seen:
            continue
        seen.add(key)
        total += n
    return total


def _plain(tree) -> Iterable:
    for leaf in tree_leaves(list(tree) if not isinstance(tree, list) else tree):
        yield from _expand(leaf)


def tape_residuals(tape: Sequence) -> list:
    """Every computed value the equations of a reverse-mode tape keep for the backward
    sweep: saved traced arguments and saved outputs. Saved constants (``parents[i] <
    0``: data the function closes over, literals) are references to arrays that exist
    anyway and are left out; a custom rule's own residuals are all counted."""
    kept = []
    for entry in tape:
        if entry is None or type(entry) is _Projection:
            continue
        prim, parents, saved, ans, _ = entry
        if prim.vjp_fwd is not None:
            kept.extend(tree_leaves(saved))
        else:
            kept.extend(v for v, p in zip(saved, parents)
                        if p >= 0 and not isinstance(v, Shaped))
        if not isinstance(ans, Shaped):
            kept.extend(tree_leaves(ans))
    return kept


def reverse_residual_bytes(fun: Callable, args: tuple, argnums: tuple[int, ...]) -> int:
    """Residual bytes of ``value_and_grad(fun, argnums)(*args)``: ``fun`` is recorded
    exactly as ``value_and_grad`` records it and the tape is measured before the sweep."""
    from ..api import _Recording

    rec = _Recording("cost_report", fun, args, argnums)
    try:
        return stored_bytes(tape_residuals(rec.trace.tape), exclude=args)
    finally:
        rec.release()


def hvp_residual_bytes(fun: Callable, args: tuple, argnums: tuple[int, ...],
                       tangents: tuple) -> int:
    """Residual bytes of the reverse pass inside the Hessian-vector product (forward over
    reverse): the gradient's tape recorded on forward-mode tracers, so each residual
    holds a primal and a tangent."""
    from ..api import _Recording, jvp

    measured = []

    def grad_with_measure(*diff):
        call = list(args)
        for j, i in enumerate(argnums):
            call[i] = diff[j]
        rec = _Recording("cost_report", fun, tuple(call), argnums)
        try:
            measured.append(stored_bytes(tape_residuals(rec.trace.tape),
                                         exclude=(args, tangents)))
            seed = np.ones((), dtype=dtype_of(primal(rec.out_values[0])))
            return rec.pullback_flat([seed], keep=False)
        finally:
            rec.release()

    jvp(grad_with_measure, tuple(args[i] for i in argnums), tuple(tangents))
    return measured[0]
