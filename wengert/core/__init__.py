"""The engine: primitives, traces and tracers, reverse and forward mode.

Imports nothing from the layers above (the NumPy namespace, the API); a test imports it
alone to keep that honest.
"""

from .accumulate import Negated, Scattered, densify
from .basic_ops import add_p, broadcast_to_p, sum_to_shape_p, unbroadcast
from .forward import JVPTrace, JVPTracer, jvp_flat
from .primitive import ANS, Primitive, defjvp, defvjp, zero_rule
from .reverse import VJPTrace, VJPTracer, backward, check_input
from .shaped import Shaped, dtype_of, shape_of
from .trace import Trace, Tracer, bind, mark_view, primal

__all__ = [
    "ANS",
    "JVPTrace",
    "JVPTracer",
    "Primitive",
    "Negated",
    "Scattered",
    "Shaped",
    "Trace",
    "Tracer",
    "VJPTrace",
    "VJPTracer",
    "add_p",
    "backward",
    "bind",
    "broadcast_to_p",
    "check_input",
    "defjvp",
    "defvjp",
    "densify",
    "dtype_of",
    "jvp_flat",
    "mark_view",
    "primal",
    "shape_of",
    "sum_to_shape_p",
    "unbroadcast",
    "zero_rule",
]
