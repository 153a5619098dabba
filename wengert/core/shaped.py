"""A stand-in for an array whose values the backward sweep does not need.

Reverse mode stores for each equation only the residuals its rules read (``ans`` for
``exp``, the input for ``sin``, nothing for ``add``). An argument that is not needed is
replaced by a :class:`Shaped` that keeps its shape and dtype, which the shared
``unbroadcast`` and shape-changing rules still read. A rule that reads values it declared
it would not fails loudly on the stand-in, never silently.
"""

from __future__ import annotations

import numpy as np


class Shaped:
    __slots__ = ("shape", "dtype")

    def __init__(self, array: np.ndarray):
        self.shape = array.shape
        self.dtype = array.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def __repr__(self) -> str:
        return f"Shaped({self.shape}, {self.dtype})"


def shape_of(x) -> tuple:
    """Shape of an array, NumPy scalar, Python number, tracer or :class:`Shaped`."""
    try:
        return x.shape
    except AttributeError:
        return np.shape(x)


def dtype_of(x) -> np.dtype:
    try:
        return x.dtype
    except AttributeError:
        return np.result_type(x)
