"""Forward sweep over a recorded Wengert list: the linear map ``t ↦ J t``.

``linearize`` records the list once with every residual kept; each application of the
linear map then runs the JVP rules over the list in order, using the stored values, so
the function itself is not evaluated again.

Primitives whose reverse mode stores what *it* needs (``vjp_fwd``: ``custom_vjp``,
``custom_jvp`` and ``jit`` functions) have no per-argument JVP rules to replay. Such a
primitive says where its primal inputs are in what it stored, with a method
``linearize_primals(saved) -> flat primal inputs``; the sweep then pushes the tangents
through its whole-primitive forward rule ``jvp_full`` at those inputs (the user's JVP
rule, forward mode over a ``custom_vjp``'s body, a ``jit`` function's compiled JVP
program). That evaluates the primitive's primal again on each application (its output
value is discarded), which is the price of not storing a forward rule's residuals.
"""

from __future__ import annotations

from .forward import combine_tangents
from .reverse import VJPTrace, _Projection


def forward_sweep(trace: VJPTrace, in_index: list, in_tangents: list, out_index: list):
    """Tangents of the outputs at ``out_index`` given tangents of the inputs."""
    tape = trace.tape
    tangent: list = [None] * len(tape)
    for i, t in zip(in_index, in_tangents):
        tangent[i] = t
    for k, entry in enumerate(tape):
        if entry is None:
            continue
        if type(entry) is _Projection:
            parts = tangent[entry.k]
            tangent[k] = None if parts is None else parts[entry.j]
            continue
        prim, parents, saved, ans, params = entry
        ts = [tangent[p] if p >= 0 else None for p in parents]
        if all(t is None for t in ts):
            continue
        if prim.vjp_fwd is not None:
            tangent[k] = _through_jvp_full(prim, saved, ts, params)
            continue
        tangent[k] = combine_tangents(prim, ans, saved, ts, params)
    return [tangent[i] if i >= 0 else None for i in out_index]


def _through_jvp_full(prim, saved, ts: list, params: dict):
    """Output tangent(s) of an equation recorded by ``vjp_fwd``: its ``jvp_full`` at the
    primal inputs it stored."""
    primals_of = getattr(prim, "linearize_primals", None)
    if primals_of is None or prim.jvp_full is None:
        raise NotImplementedError(
            f"linearize: {prim.name} stores only its reverse-mode residuals (vjp_fwd) and "
            f"does not say where its primal inputs are (linearize_primals) or has no "
            f"forward rule (jvp_full); use jvp instead"
        )
    _, t_out = prim.jvp_full(list(primals_of(saved)), ts, params)
    return t_out
