"""Forward sweep over a recorded Wengert list: the linear map ``t ↦ J t``.

``linearize`` records the list once with every residual kept; each application of the
linear map then runs the JVP rules over the list in order, using the stored values, so
the function itself is not evaluated again.
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
            raise NotImplementedError(
                f"linearize: {prim.name} is a custom_vjp/custom_jvp function, whose forward "
                f"rule is not stored in the list; use jvp instead"
            )
        tangent[k] = combine_tangents(prim, ans, saved, ts, params)
    return [tangent[i] if i >= 0 else None for i in out_index]
