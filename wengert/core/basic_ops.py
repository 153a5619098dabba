"""The few primitives the core itself needs: accumulation of cotangents (``add``) and the
pair that undoes and performs broadcasting (``sum_to_shape`` / ``broadcast_to``).

Broadcasting is undone here, once, for every primitive marked ``broadcasts``; no rule
sums over broadcast axes itself.
"""

from __future__ import annotations

import operator

import numpy as np

from .primitive import Primitive, defjvp, defvjp
from .shaped import shape_of


def _sum_to_shape(x, shape):
    x_shape = np.shape(x)
    if x_shape == shape:
        return x
    lead = len(x_shape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and x_shape[lead + i] != 1
    )
    out = np.sum(x, axis=axes, keepdims=True) if axes else x
    return np.reshape(out, shape) if lead or np.shape(out) != shape else out


add_p = Primitive("add", operator.add, broadcasts=True)
sum_to_shape_p = Primitive("sum_to_shape", _sum_to_shape)
broadcast_to_p = Primitive("broadcast_to", np.broadcast_to)


def _identity_rule(g, ans, *args, **params):
    return g


defvjp(add_p, _identity_rule, _identity_rule, reads=((), ()))
defjvp(add_p, _identity_rule, _identity_rule)

defvjp(
    sum_to_shape_p,
    lambda g, ans, x, shape: broadcast_to_p(g, shape=shape_of(x)),
    reads=((),),
)
defjvp(sum_to_shape_p, lambda t, ans, x, shape: sum_to_shape_p(t, shape=shape))

defvjp(
    broadcast_to_p,
    lambda g, ans, x, shape: sum_to_shape_p(g, shape=shape_of(x)),
    reads=((),),
)
defjvp(broadcast_to_p, lambda t, ans, x, shape: broadcast_to_p(t, shape=shape))


def unbroadcast(cotangent, like):
    """Sum ``cotangent`` over the axes along which ``like`` was broadcast."""
    shape = shape_of(like)
    if shape_of(cotangent) == shape:
        return cotangent
    return sum_to_shape_p(cotangent, shape=shape)


def broadcast_like(tangent, shape: tuple):
    """Broadcast a tangent to the output's ``shape`` (forward mode of broadcasting)."""
    if shape_of(tangent) == shape:
        return tangent
    return broadcast_to_p(tangent, shape=shape)
