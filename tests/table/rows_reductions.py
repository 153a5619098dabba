"""Rows for the reductions and scans of ``reductions.py``.

Each row fixes ``axis``/``keepdims``/``ddof``; several rows per function cover 0-d,
vector, matrix and 3-D inputs, ``axis=None``, negative axes, tuples of axes and
``keepdims``. ``max``/``min`` use distinct values (ties, zeros in ``prod``/``cumprod``
and NaNs are checked against closed forms in ``tests/test_reductions_products.py``).
"""

from __future__ import annotations

import dataclasses

import numpy as onp

import wengert.numpy as wnp

from .row import COMPLEX, Row

S0, S1, S2, S3 = ((),), ((4,),), ((3, 4),), ((2, 3, 4),)


def red(name, shapes, domain="real", method=None, **kw):
    """``wnp.<name>(x, **kw)`` against ``numpy.<name>(x, **kw)`` (or ``x.<method>``)."""
    if method is not None:
        return Row(entries=(name,), fn=lambda x: getattr(x, method)(**kw),
                   shapes=shapes, domains=(domain,),
                   numpy_fn=lambda x: getattr(onp.asarray(x), method)(**kw))
    return Row(entries=(name,), fn=lambda x: getattr(wnp, name)(x, **kw), shapes=shapes,
               domains=(domain,), numpy_fn=lambda x: getattr(onp, name)(x, **kw))


ROWS = [
    # -- sum and mean ------------------------------------------------------------------
    red("sum", [S0, S1, S2, S3]),
    red("sum", [S2, S3], axis=1, keepdims=True),
    red("sum", [S3], axis=(0, 2)),
    red("mean", [S0, S1, S2, S3]),
    red("mean", [S2, S3], axis=-1),
    red("mean", [S3], axis=(0, 1), keepdims=True),
    # -- prod --------------------------------------------------------------------------
    red("prod", [S0, S1, S2, S3]),
    red("prod", [S2, S3], axis=0),
    red("prod", [S3], axis=(0, 2), keepdims=True),
    red("prod", [((2, 3, 5),), ((7,),)], axis=-1),
    red("prod", [S2], method="prod", axis=1),
    # -- var and std ----------------------------------------------------------------------
    red("var", [S0, S1, S2, S3]),
    red("var", [S2, S3], axis=1, ddof=1, keepdims=True),
    red("var", [S3], axis=(0, 2)),
    red("std", [S1, S2, S3]),
    red("std", [S2, S3], axis=0, ddof=1),
    red("std", [S3], axis=(1, 2), keepdims=True),
    # -- max, min (distinct values: no ties) ------------------------------------------------
    red("max", [S0, S1, S2, S3], "distinct"),
    red("max", [S2, S3], "distinct", axis=1),
    red("max", [S3], "distinct", axis=(0, 2), keepdims=True),
    red("min", [S0, S1, S2, S3], "distinct"),
    red("min", [S2, S3], "distinct", axis=-1, keepdims=True),
    red("min", [S3], "distinct", axis=(0, 1)),
    red("amax", [S1, S2], "distinct"),
    red("amax", [S3], "distinct", axis=0),
    red("amin", [S1, S2], "distinct"),
    red("amin", [S3], "distinct", axis=(1, 2), keepdims=True),
    red("max", [S2], "distinct", method="max", axis=0),
    # -- cumulative sums and products -------------------------------------------------------
    red("cumsum", [S0, S1, S2, S3]),
    red("cumsum", [S2, S3], axis=0),
    red("cumsum", [S2, S3], axis=-1),
    red("cumprod", [S0, S1, S2, S3]),
    red("cumprod", [S2, S3], axis=0),
    red("cumprod", [S3, ((2, 7),)], axis=-1),
    red("cumprod", [S3], axis=1),
    # -- NaN-ignoring (no NaNs here: see the test file for them) ------------------------------
    red("nansum", [S0, S1, S2, S3]),
    red("nansum", [S2, S3], axis=1, keepdims=True),
    red("nanmean", [S1, S2, S3]),
    red("nanmean", [S3], axis=(0, 2)),
]

# Complex inputs (tests/table/complex_check.py): sums and products are holomorphic; var and
# std are real (|x - mean|^2); max and min select by NumPy's lexicographic order.
# (complex128 only: complex64 runs the same code paths; rows_elementwise tests it.)
ROWS += [dataclasses.replace(r, dtypes=COMPLEX[:1]) for r in list(ROWS)]
