"""One row of the table-driven derivative tests: how to test one namespace entry.

Each ``rows_*.py`` module in this folder defines ``ROWS: list[Row]``; ``test_table.py``
expands every row over its shapes and dtypes and checks, for each, the dot-product test
``<v, J u> == <Jᵀ v, u>`` (JVP against VJP) and both against central finite differences,
at first and second order. ``test_coverage.py`` checks that every entry of
``wengert.numpy.TABLE`` that is a ``primitive`` or ``composite`` has at least one row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

# Named input domains: a function of (rng, shape, dtype) -> array.
DOMAINS: dict[str, Callable] = {
    "real": lambda rng, shape, dtype: rng.standard_normal(shape).astype(dtype),
    "positive": lambda rng, shape, dtype: rng.uniform(0.5, 2.0, shape).astype(dtype),
    "unit": lambda rng, shape, dtype: rng.uniform(-0.9, 0.9, shape).astype(dtype),
    "above_one": lambda rng, shape, dtype: rng.uniform(1.2, 3.0, shape).astype(dtype),
    "nonzero": lambda rng, shape, dtype: (
        rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    ).astype(dtype),
    # Distinct values, so max/min/sort have no ties (ties are tested separately).
    "distinct": lambda rng, shape, dtype: (
        rng.permutation(int(np.prod(shape, dtype=np.int64))).reshape(shape) * 0.37
        + rng.uniform(-0.1, 0.1, shape)
    ).astype(dtype),
    # Away from integers, so floor/round/remainder are differentiable.
    "off_integer": lambda rng, shape, dtype: (
        rng.integers(-3, 3, shape) + rng.uniform(0.2, 0.8, shape)
    ).astype(dtype),
}

# Shape sets: each a list of argument-shape tuples, one tuple per test case.
REAL = ("float64", "float32")
COMPLEX = ("complex128", "complex64")
UNARY_SHAPES = [((),), ((4,),), ((3, 4),)]
BINARY_SHAPES = [((), ()), ((4,), (4,)), ((3, 4), (3, 4)), ((3, 1), (1, 4)), ((3, 4), ()),
                 ((4,), (3, 4))]


@dataclasses.dataclass
class Row:
    """How to test one entry of ``wengert.numpy``.

    ``fn``: called as ``fn(*arrays)``; writes the call with ``wengert.numpy`` (``wnp``),
    fixing non-array arguments, e.g. ``lambda x: wnp.sum(x, axis=0)``.
    ``shapes``: list of cases, each a tuple with one shape per array argument.
    ``domains``: one domain name per array argument (see ``DOMAINS``).
    ``dtypes``: floating dtypes to test; float32 cases use looser tolerances. Complex
    dtypes (``"complex128"``, ``"complex64"``) test with complex inputs under wengert's
    transpose convention (``complex_check.py``).
    ``order``: highest derivative order to check (1 or 2).
    ``numpy_fn``: the NumPy function ``fn`` corresponds to, called on the same arrays, to
    check that the value is NumPy's (None: skip that check, e.g. for ``getitem``).
    ``entries``: the ``wengert.numpy`` names this row covers (for the coverage test).
    ``rtol``/``atol``: tolerances for float64 (float32 uses 1e-3-ish automatically).
    """

    entries: tuple
    fn: Callable
    shapes: list
    domains: tuple
    numpy_fn: Callable | None = None
    dtypes: tuple = ("float64", "float32")
    order: int = 2
    rtol: float = 1e-6
    atol: float = 1e-6

    @property
    def id(self) -> str:
        return "+".join(self.entries)
