"""Uniform cotangents: one number standing for a whole array.

The VJP of a reduction (``sum``, ``mean``) broadcasts its cotangent back over the reduced
axes as a read-only view with all-zero strides: one number repeated. The elementwise
rules keep such a cotangent uniform where they scale it by a number (``100 * g``,
``g / n``, ``2 g`` in the rule of ``square``) or negate it, instead of writing out a
full array, so the chain rule through ``sum(c * f(x) ** 2)`` costs one full-size pass
where it would cost three. A negation of a non-uniform array is not written out either:
it stays a lazy :class:`~wengert.core.accumulate.Negated` that the rules here, scatters
and the accumulation of cotangents absorb.

Only plain NumPy arrays are concerned (a first-order sweep); tracers (higher orders)
go through the rules' arithmetic as usual. The numbers are those of the full-array
products (an elementwise product with a repeated number is that product), and a
gradient still uniform when the sweep ends reaches the user as a fresh writeable array
(``api._writeable``).
"""

from __future__ import annotations

import numpy as np

from .accumulate import Negated

_ndarray = np.ndarray


def uniform_value(g):
    """The number a plain array with all-zero strides repeats, else ``None``."""
    if type(g) is _ndarray and g.ndim and g.size > 1 and not any(g.strides):
        return g[(0,) * g.ndim]
    return None


def _is_number(d) -> bool:
    return isinstance(d, (int, float, complex, np.generic)) or (
        type(d) is _ndarray and d.ndim == 0)


def scaled(g, d):
    """``g * d`` for a cotangent ``g``: uniform again when ``g`` is uniform and ``d`` a
    number."""
    tg = type(g)
    if tg is not _ndarray:
        if tg is Negated:  # (-v) d = -(v d), exactly
            return Negated(scaled(g.value, d))
        return g * d  # scalars and tracers: the hot path of scalar code
    if _is_number(d):
        u = uniform_value(g)
        if u is not None:
            return np.broadcast_to(u * d, g.shape)
    return g * d


def divided(g, y):
    """``g / y`` for a cotangent ``g``: uniform again when ``g`` is uniform and ``y`` a
    number."""
    tg = type(g)
    if tg is not _ndarray:
        if tg is Negated:
            return Negated(divided(g.value, y))
        return g / y
    if _is_number(y):
        u = uniform_value(g)
        if u is not None:
            return np.broadcast_to(u / y, g.shape)
    return g / y


def negated(g):
    """``-g`` for a cotangent ``g``: uniform again when ``g`` is uniform; a plain array's
    negation is left to its reader (:class:`~wengert.core.accumulate.Negated`)."""
    tg = type(g)
    if tg is not _ndarray:
        if tg is Negated:
            return g.value
        return -g
    u = uniform_value(g)
    if u is not None:
        return np.broadcast_to(-u, g.shape)
    return Negated(g) if g.ndim else -g
