"""Optimisation passes of the jit compiler, on the core's Wengert list.

Each pass is a function ``WengertList -> WengertList`` returning a list that computes
the same outputs bitwise (numexpr-fused kernels included: they only fuse operations
numexpr computes as NumPy does). :func:`optimize` runs them in order:

1. constant folding, algebraic simplification, negations absorbed into sums and
   products (:mod:`.signs`), implicit broadcasting instead of ``broadcast_to``
   (:mod:`.broadcasts`), common-subexpression elimination and dead-code elimination,
   repeated until nothing changes (each exposes work for the others: a folded seed
   makes ``x * 1`` visible, a simplification makes duplicates);
2. fusion of elementwise chains, last, on the smallest list.

Analyses for the code generator: :func:`liveness`, :func:`buffer_reuse`,
:func:`scalar_code` / :func:`scalar_vars`.
"""

from __future__ import annotations

import sys

from ...core.wengert_list import WengertList
from .broadcasts import broadcasts
from .buffer_reuse import buffer_reuse
from .constant_folding import constant_folding
from .cse import cse
from .dce import dce
from .effects import is_effectful, mark_effectful
from .fusion import HAVE_NUMEXPR, FusedPrimitive, fusion
from .liveness import liveness
from .ops import is_elementwise, ufunc_of
from .outputs import keep_outputs_fresh
from .scalars import scalar_code, scalar_vars
from .signs import signs
from .simplify import simplify

__all__ = [
    "HAVE_NUMEXPR", "FusedPrimitive", "broadcasts", "buffer_reuse", "configure",
    "constant_folding", "cse", "dce",
    "fusion", "is_effectful", "is_elementwise", "liveness", "mark_effectful", "optimize",
    "scalar_code", "scalar_vars", "signs", "simplify", "ufunc_of",
]

_MAX_ROUNDS = 8


def configure(*, fuse_min_size: int | None = None, numexpr_min_size: int | None = None,
              fold_limit: int | None = None) -> dict:
    """Set the size thresholds (in elements) of fusion, of numexpr kernels and of
    constant folding; returns the previous values. (The modules ``fusion`` and
    ``constant_folding`` are shadowed by their functions here, hence this setter.)"""
    fusion_mod = sys.modules[__name__ + ".fusion"]
    folding_mod = sys.modules[__name__ + ".constant_folding"]
    old = {"fuse_min_size": fusion_mod.FUSE_MIN_SIZE,
           "numexpr_min_size": fusion_mod.NUMEXPR_MIN_SIZE,
           "fold_limit": folding_mod.FOLD_LIMIT}
    for value, name in ((fuse_min_size, "fuse_min_size"), (numexpr_min_size, "numexpr_min_size"),
                        (fold_limit, "fold_limit")):
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ValueError(f"passes.configure: {name} must be a non-negative int, "
                             f"got {value!r}")
    if fuse_min_size is not None:
        fusion_mod.FUSE_MIN_SIZE = fuse_min_size
    if numexpr_min_size is not None:
        fusion_mod.NUMEXPR_MIN_SIZE = numexpr_min_size
    if fold_limit is not None:
        folding_mod.FOLD_LIMIT = fold_limit
    return old


def optimize(wl: WengertList, *, fuse: bool = True, verify: bool = False) -> WengertList:
    """The optimised list: fold, simplify, CSE and DCE to a fixed point, then fuse.

    ``verify``: run ``WengertList.verify`` (definitions before uses) after each pass.
    Outputs that were fresh arrays stay fresh arrays (:mod:`.outputs`)."""
    original = wl
    for _ in range(_MAX_ROUNDS):
        rewritten = False
        for p in (constant_folding, simplify, signs, broadcasts, cse, dce):
            before = wl.equations
            wl = p(wl)
            if verify:
                wl.verify()
            if p in _REWRITERS and not _unchanged(before, wl.equations):
                rewritten = True
        # CSE and DCE only remove equations, which exposes nothing new to the others
        if not rewritten:
            break
    if fuse:
        wl = fusion(wl)
        if verify:
            wl.verify()
    return keep_outputs_fresh(original, wl)


_REWRITERS = (constant_folding, simplify, signs, broadcasts)


def _unchanged(before: list, after: list) -> bool:
    """The passes return the same ``Equation`` objects for what they leave alone."""
    return len(before) == len(after) and all(a is b for a, b in zip(before, after))
