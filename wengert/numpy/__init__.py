"""``wengert.numpy``: a NumPy-compatible namespace whose functions differentiate.

Built from an explicit table (:data:`TABLE`): each name is a primitive with JVP and VJP
rules, a composition of primitives, non-differentiable, or a passthrough for array
creation. Plain NumPy calls on traced values are routed here too, so unmodified NumPy code
differentiates; a NumPy function that is not in the table raises an error naming it.
"""

from __future__ import annotations

import numpy as _onp

from . import (
    fft,  # noqa: E402,F401  (registers "fft.<name>")
    linalg,  # noqa: E402,F401  (registers "linalg.<name>")
)
from . import tracer_methods as _tracer_methods  # noqa: F401
from ._registry import TABLE, register  # noqa: F401
from .comparisons import *  # noqa: F401,F403
from .creation import *  # noqa: F401,F403
from .dtypes import *  # noqa: F401,F403
from .elementwise import *  # noqa: F401,F403
from .indexing import getitem, index_update, sort, take, take_along_axis  # noqa: F401
from .joining import *  # noqa
from .products import *  # noqa: F401,F403
from .reductions import *  # noqa: F401,F403
from .shapes import *  # noqa: F401,F403
from .unary import *  # noqa: F401,F403

# Constants and types, as in NumPy.
pi = _onp.pi
e = _onp.e
inf = _onp.inf
nan = _onp.nan
newaxis = None
float32 = _onp.float32
float64 = _onp.float64
complex64 = _onp.complex64
complex128 = _onp.complex128
int32 = _onp.int32
int64 = _onp.int64
bool_ = _onp.bool_
ndarray = _onp.ndarray
dtype = _onp.dtype
random = _onp.random

_tracer_methods.install()


def __getattr__(name: str):
    entry = TABLE.get(name)
    if entry is not None:
        return entry.function
    if hasattr(_onp, name):
        raise AttributeError(
            f"wengert.numpy has no {name!r}: numpy.{name} has no derivative rule in "
            f"wengert. Define one with wengert.custom_vjp, or call numpy.{name} on plain "
            f"values."
        )
    raise AttributeError(f"module 'wengert.numpy' has no attribute {name!r}")
