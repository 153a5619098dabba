"""Forward mode by dual numbers: a tracer carries a primal value and its tangent.

For an equation ``ans = prim(*args)`` the output tangent is the sum over traced arguments
of each argument's JVP rule, ``sum_i jvp_i(t_i, ans, *args)``. A zero tangent is ``None``
and is never materialised; an output with no tangent is returned as a plain value.
"""

from __future__ import annotations

from .. import config
from .basic_ops import add_p, broadcast_like
from .primitive import Primitive
from .shaped import shape_of
from .trace import Trace, Tracer, bind, check_nans


class JVPTracer(Tracer):
    __slots__ = ("_tangent",)

    def __init__(self, trace: JVPTrace, value, tangent):
        self._value = value
        self._trace = trace
        self._level = trace.level
        self._tangent = tangent


class JVPTrace(Trace):
    __slots__ = ()

    def finish(self) -> None:
        self.active = False

    def new_input(self, value, tangent) -> JVPTracer:
        return JVPTracer(self, value, tangent)

    def new_constant(self, value) -> JVPTracer:
        return JVPTracer(self, value, None)

    def process(self, prim: Primitive, args: tuple, params: dict):
        if not self.active:
            self.check_active(prim)
        level = self.level
        primals = list(args)
        tangents = [None] * len(args)
        for i, a in enumerate(args):
            if isinstance(a, Tracer) and a._level == level:
                primals[i] = a._value
                tangents[i] = a._tangent
        if prim.jvp_full is not None:
            ans, t_out = prim.jvp_full(primals, tangents, params)
        else:
            ans = bind(prim, *primals, **params)
            t_out = combine_tangents(prim, ans, primals, tangents, params)
        if config.debug_nans:
            check_nans(prim, ans, "output")
            check_nans(prim, t_out, "tangent")
        if prim.multiple_results:
            return tuple(
                a if t is None else JVPTracer(self, a, t) for a, t in zip(ans, t_out)
            )
        if t_out is None:
            return ans
        return JVPTracer(self, ans, t_out)


def combine_tangents(prim: Primitive, ans, primals: list, tangents: list, params: dict):
    """Sum the tangent contributions of every traced argument (forward mode, and the
    forward sweep of ``linearize``)."""
    if prim.multiple_results:
        total = [None] * len(ans)
        for i, t in enumerate(tangents):
            if t is None:
                continue
            parts = prim.jvp_rule(i)(t, ans, *primals, **params)
            for j, c in enumerate(parts):
                if c is not None:
                    total[j] = c if total[j] is None else add_p(total[j], c)
        return total
    total = None
    for i, t in enumerate(tangents):
        if t is None:
            continue
        c = prim.jvp_rule(i)(t, ans, *primals, **params)
        if c is not None:
            total = c if total is None else add_p(total, c)
    if total is not None and prim.broadcasts:
        total = broadcast_like(total, shape_of(ans))
    return total


def jvp_flat(fun, primals: list, tangents: list):
    """Run ``fun(*primals)`` in a new forward trace with the given tangents (``None`` for
    zero); return (outputs, output tangents) as lists, a tangent ``None`` where zero."""
    trace = JVPTrace()
    try:
        boxed = [
            p if t is None else trace.new_input(p, t) for p, t in zip(primals, tangents)
        ]
        outs = fun(*boxed)
    finally:
        trace.finish()
    single = not isinstance(outs, (tuple, list))
    values, tans = [], []
    for o in (outs,) if single else outs:
        if isinstance(o, JVPTracer) and o._trace is trace:
            values.append(o._value)
            tans.append(o._tangent)
        else:
            values.append(o)
            tans.append(None)
    return values, tans
