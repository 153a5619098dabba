"""Elementwise functions of one argument, one line of calculus each.

Each row is ``unary(name, numpy function, derivative(ans, x))``; the helper makes both
rules, ``g * f'(x)`` for reverse mode and ``t * f'(x)`` for forward mode. Rows marked
``uses_ans`` express f' through the output (``exp``, ``tanh``, ``sqrt``), so reverse
mode keeps the output, not the input. Derivatives are written with wengert functions, so
every rule differentiates again.
"""

from __future__ import annotations

import math

import numpy as onp

from ..core import Primitive, defjvp, defvjp
from ._registry import register
from ._rules import unary, zero_derivative
from .elementwise import add, divide, multiply, negative, subtract

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _recip(v):
    return divide(1.0, v)


# fmt: off
exp     = unary("exp",     onp.exp,     lambda ans, x: ans, uses_ans=True)
exp2    = unary("exp2",    onp.exp2,    lambda ans, x: multiply(ans, _LN2), uses_ans=True)
expm1   = unary("expm1",   onp.expm1,   lambda ans, x: add(ans, 1.0), uses_ans=True)
log     = unary("log",     onp.log,     lambda ans, x: _recip(x))
log2    = unary("log2",    onp.log2,    lambda ans, x: _recip(multiply(x, _LN2)))
log10   = unary("log10",   onp.log10,   lambda ans, x: _recip(multiply(x, _LN10)))
log1p   = unary("log1p",   onp.log1p,   lambda ans, x: _recip(add(x, 1.0)))
sqrt    = unary("sqrt",    onp.sqrt,    lambda ans, x: divide(0.5, ans), uses_ans=True)
cbrt    = unary("cbrt",    onp.cbrt,    lambda ans, x: _recip(multiply(3.0, square(ans))), uses_ans=True)  # noqa: E501
square  = unary("square",  onp.square,  lambda ans, x: multiply(2.0, x))
reciprocal = unary("reciprocal", onp.reciprocal, lambda ans, x: negative(square(ans)), uses_ans=True)  # noqa: E501
positive = unary("positive", onp.positive, lambda ans, x: onp.ones((), onp.result_type(x)))

sin     = unary("sin",     onp.sin,     lambda ans, x: cos(x))
cos     = unary("cos",     onp.cos,     lambda ans, x: negative(sin(x)))
tan     = unary("tan",     onp.tan,     lambda ans, x: add(1.0, square(ans)), uses_ans=True)
arcsin  = unary("arcsin",  onp.arcsin,  lambda ans, x: _recip(sqrt(subtract(1.0, square(x)))))
arccos  = unary("arccos",  onp.arccos,  lambda ans, x: negative(_recip(sqrt(subtract(1.0, square(x))))))  # noqa: E501
arctan  = unary("arctan",  onp.arctan,  lambda ans, x: _recip(add(1.0, square(x))))
sinh    = unary("sinh",    onp.sinh,    lambda ans, x: cosh(x))
cosh    = unary("cosh",    onp.cosh,    lambda ans, x: sinh(x))
tanh    = unary("tanh",    onp.tanh,    lambda ans, x: subtract(1.0, square(ans)), uses_ans=True)
arcsinh = unary("arcsinh", onp.arcsinh, lambda ans, x: _recip(sqrt(add(square(x), 1.0))))
arccosh = unary("arccosh", onp.arccosh, lambda ans, x: _recip(sqrt(subtract(square(x), 1.0))))
arctanh = unary("arctanh", onp.arctanh, lambda ans, x: _recip(subtract(1.0, square(x))))
deg2rad = unary("deg2rad", onp.deg2rad, lambda ans, x: onp.asarray(math.pi / 180.0, onp.result_type(x)))  # noqa: E501
rad2deg = unary("rad2deg", onp.rad2deg, lambda ans, x: onp.asarray(180.0 / math.pi, onp.result_type(x)))  # noqa: E501
# fmt: on
radians = deg2rad
degrees = rad2deg
register("radians", deg2rad, "composite", onp.radians)
register("degrees", rad2deg, "composite", onp.degrees)

# |x|' = sign(x), taken as 0 at x = 0 (a subgradient, as JAX and autograd do).
absolute = unary("absolute", onp.absolute, lambda ans, x: sign(x))
abs = absolute  # noqa: A001
register("abs", absolute, "composite", onp.abs)
fabs = unary("fabs", onp.fabs, lambda ans, x: sign(x))

# Piecewise constant: zero derivative.
sign = zero_derivative("sign", onp.sign)
floor = zero_derivative("floor", onp.floor)
ceil = zero_derivative("ceil", onp.ceil)
rint = zero_derivative("rint", onp.rint)
trunc = zero_derivative("trunc", onp.trunc)
fix = zero_derivative("fix", onp.fix)


def _round_impl(x, decimals=0):
    return onp.round(x, decimals)


round = zero_derivative("round", _round_impl)  # noqa: A001
around = round
register("around", round, "composite", getattr(onp, "around", None))


def _sinc_derivative(ans, x):
    # d/dx sin(pi x)/(pi x) = (cos(pi x) - sinc(x)) / x, and 0 at x = 0.
    from .elementwise import where

    nonzero = x != 0
    safe_x = where(nonzero, x, 1.0)
    return where(nonzero, divide(subtract(cos(multiply(math.pi, x)), ans), safe_x), 0.0)


sinc = unary("sinc", onp.sinc, _sinc_derivative, uses_ans=False)
# sinc's derivative reads both ans and x: keep everything.
sinc.reads = None


def _nan_to_num_impl(x, copy=True, nan=0.0, posinf=None, neginf=None):
    return onp.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)


def _finite_mask(x):
    from ._registry import strip

    return onp.isfinite(strip(x)).astype(onp.result_type(x))


nan_to_num = Primitive("nan_to_num", _nan_to_num_impl)
defvjp(nan_to_num, lambda g, ans, x, **p: multiply(g, _finite_mask(x)), reads=((0,),))
defjvp(nan_to_num, lambda t, ans, x, **p: multiply(t, _finite_mask(x)))
register("nan_to_num", nan_to_num, "primitive")
