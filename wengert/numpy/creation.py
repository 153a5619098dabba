"""Array creation: passed through to NumPy, and ``*_like`` of traced values.

``zeros_like(x)`` (and ``ones_like``, ``full_like``, ``empty_like``) of a traced ``x``
returns a traced constant of the same trace, so that code which fills an array
(``out = np.zeros_like(x); out[i] = ...``) records its assignments and differentiates.
"""

from __future__ import annotations

import numpy as onp

from ..core import Tracer, primal
from ._registry import passthrough, register

for _name in (
    "zeros", "ones", "full", "empty", "arange", "linspace", "logspace", "geomspace",
    "eye", "identity", "array", "asarray", "asanyarray", "ascontiguousarray", "meshgrid",
    "indices", "tri", "frombuffer",
):
    globals()[_name] = passthrough(_name)
del _name


def _traced_constant(like, value):
    """``value`` as a constant of the innermost trace of ``like`` (outer traces see a
    constant anyway)."""
    if not isinstance(like, Tracer):
        return value
    return like._trace.new_constant(value)


def _like(name, make):
    np_fn = getattr(onp, name)

    def function(a, *args, **kwargs):
        return _traced_constant(a, make(primal(a), *args, **kwargs))

    function.__name__ = name
    function.__doc__ = (
        f"``numpy.{name}``; of a traced array, a traced constant that records "
        f"assignments into it."
    )
    return register(name, function, "passthrough", np_fn)


zeros_like = _like("zeros_like", onp.zeros_like)
ones_like = _like("ones_like", onp.ones_like)
empty_like = _like("empty_like", onp.zeros_like)  # zeros: never uninitialised memory
full_like = _like("full_like", onp.full_like)
