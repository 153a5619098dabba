"""Helpers that turn one line of calculus into a primitive with both rules.

Most NumPy functions are elementwise; for them the VJP and the JVP are the same product
with the local derivative, ``g * f'(x)`` and ``t * f'(x)``, so one line gives both.

Rules may use NumPy operators and ufuncs: on plain arrays they cost what NumPy costs (no
dispatch at all, which is what makes a first-order sweep cheap), and on tracers NumPy
routes them to wengert's primitives, so the rules differentiate again.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core import ANS, Primitive, defjvp, defvjp, zero_rule
from ._registry import register


def unary(
    name: str,
    impl: Callable,
    derivative: Callable,
    *,
    uses_ans: bool = False,
    numpy_function=None,
) -> Primitive:
    """An elementwise function with derivative ``derivative(ans, x)``.

    ``uses_ans``: the derivative reads the output (``exp``: f' = f), so reverse mode
    keeps the output rather than the input.
    """
    prim = Primitive(name, impl)

    def rule(g, ans, x):
        return g * derivative(ans, x)

    defvjp(prim, rule, reads=((ANS,) if uses_ans else (0,),))
    defjvp(prim, rule)
    register(name, prim, "primitive", numpy_function)
    return prim


def zero_derivative(name: str, impl: Callable, nargs: int = 1, numpy_function=None):
    """A piecewise-constant function (floor, round, sign...): derivative zero wherever
    it exists; at its jumps wengert also returns zero, as every AD library does."""
    prim = Primitive(name, impl, broadcasts=nargs > 1)
    defvjp(prim, *([zero_rule] * nargs), reads=((),) * nargs)
    defjvp(prim, *([zero_rule] * nargs))
    register(name, prim, "primitive", numpy_function)
    return prim


def binary(
    name: str,
    impl: Callable,
    vjp_x: Callable | None,
    vjp_y: Callable | None,
    jvp_x: Callable | None,
    jvp_y: Callable | None,
    *,
    reads: tuple = ((0, 1), (0, 1)),
    numpy_function=None,
) -> Primitive:
    """An elementwise, broadcasting function of two arguments; rules as in ``defvjp``.
    The core sums cotangents back over broadcast axes (``unbroadcast``)."""
    prim = Primitive(name, impl, broadcasts=True)
    defvjp(prim, vjp_x, vjp_y, reads=reads)
    defjvp(prim, jvp_x, jvp_y)
    register(name, prim, "primitive", numpy_function)
    return prim
