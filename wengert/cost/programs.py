"""The four programs a cost report counts, each recorded as one Wengert list.

``make_trace`` records every primitive call made on traced values. To count everything a
transformation computes, every value it works on is made an input of the recorded
program: the function's floating-point arguments, the tangent of the JVP and the HVP,
and the seed cotangent of the gradient (so no operation of the backward sweep runs on
constants alone and escapes the count). Recorded that way,

* ``f``: the function's own equations;
* ``value_and_grad``: its equations and the backward sweep's (the rules' operations and
  the accumulation of cotangents), as ``vjp`` with the seed 1;
* ``jvp``: the forward pass with dual numbers, primal and tangent operations together;
* ``hvp``: forward over reverse, ``jvp`` of ``grad``: the four passes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..core import dtype_of, primal, shape_of
from ..core.wengert_list import WengertList
from ..tree import tree_map

MODES = ("f", "value_and_grad", "jvp", "hvp")


def partial(fun: Callable, args: tuple, argnums: tuple[int, ...]) -> Callable:
    """``fun`` as a function of the arguments in ``argnums``, the others fixed."""

    def g(*diff):
        call = list(args)
        for j, i in enumerate(argnums):
            call[i] = diff[j]
        return fun(*call)

    return g


def random_tangents(diff: tuple, seed: int = 0) -> tuple:
    """A seeded standard-normal direction shaped like the differentiated arguments."""
    rng = np.random.default_rng(seed)

    def draw(x):
        v = rng.standard_normal(shape_of(x))
        return np.asarray(v, dtype=dtype_of(primal(x))) if np.ndim(v) else np.float64(v)

    return tree_map(draw, diff)


def program(mode: str, fun: Callable, argnums: tuple[int, ...]) -> Callable:
    """The function of ``(args, extra)`` whose Wengert list is ``mode``'s program;
    ``extra`` is the seed (``value_and_grad``) or the tangents (``jvp``, ``hvp``)."""
    from .. import api

    def run(args, extra):
        g = partial(fun, args, argnums)
        diff = tuple(args[i] for i in argnums)
        if mode == "f":
            return fun(*args)
        if mode == "value_and_grad":
            out, pullback = api.vjp(g, *diff)
            return out, pullback(extra)
        if mode == "jvp":
            return api.jvp(g, diff, extra)
        if mode == "hvp":
            return api.hvp(g, diff, extra)
        raise ValueError(f"cost_report: unknown mode {mode!r}; expected one of {MODES}")

    return run


def record(mode: str, fun: Callable, args: tuple, argnums: tuple[int, ...],
           extra) -> WengertList:
    """The Wengert list of ``mode``'s program at ``args``."""
    from ..make_trace import make_trace

    return make_trace(program(mode, fun, argnums))(tuple(args), extra).wengert_list
