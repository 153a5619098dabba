"""Comparisons, logical and predicate functions: boolean outputs, no derivative."""

from __future__ import annotations

from ._registry import nondiff

for _name in (
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_not", "logical_xor",
    "isfinite", "isnan", "isinf", "isneginf", "isposinf", "signbit", "isclose", "allclose",
    "array_equal", "array_equiv", "isreal", "iscomplex", "isscalar",
    "shape", "ndim", "size", "result_type", "iscomplexobj", "isrealobj",
    "argmax", "argmin", "argsort", "argwhere", "nonzero", "flatnonzero", "count_nonzero",
    "searchsorted", "digitize", "all", "any",
):
    globals()[_name] = nondiff(_name)
del _name
