"""Rows for ``wengert.scipy.signal``: convolve and correlate in every mode, 1-D to 3-D,
with either input the larger, against SciPy, derivatives in both inputs (order 2)."""

from __future__ import annotations

import scipy.signal as ss

import wengert.scipy.signal as ws

from .row import Row

SHAPES = {
    "full": [((5,), (3,)), ((3,), (5,)), ((4, 5), (2, 3)), ((2, 3, 2), (3, 2, 2))],
    "same": [((5,), (3,)), ((3,), (6,)), ((4, 5), (3, 2)), ((2, 3), (4, 4))],
    "valid": [((6,), (3,)), ((3,), (6,)), ((4, 5), (2, 3)), ((2, 3), (4, 5)),
              ((3, 3, 2), (2, 1, 2))],
}


def _row(name, mode, shapes):
    ours, theirs = getattr(ws, name), getattr(ss, name)
    return Row((f"scipy.signal.{name}",), lambda x, y: ours(x, y, mode), shapes,
               ("real", "real"), numpy_fn=lambda x, y: theirs(x, y, mode))


ROWS = [_row(name, mode, shapes) for name in ("convolve", "correlate")
        for mode, shapes in SHAPES.items()]
