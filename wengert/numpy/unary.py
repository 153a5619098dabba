"""Elementwise functions of one argument, one line of calculus each.

Each row is ``unary(name, numpy function, derivative(ans, x))``; the helper makes both
rules, ``g * f'(x)`` for reverse mode and ``t * f'(x)`` for forward mode. Rows marked
``uses_ans`` express f' through the output (``exp``, ``tanh``, ``sqrt``), so reverse
mode keeps the output, not the input.

Derivatives are written with NumPy operators and ufuncs. On plain arrays (a first-order
sweep) they run at NumPy's own speed; on traced values (second order, HVPs) NumPy
dispatches them to wengert's primitives, so every rule differentiates again.
"""

from __future__ import annotations

import math

import numpy as onp

from ..core import Primitive, defjvp, defvjp
from ..core import Tracer as _Tracer
from ..core import zero_rule as _zero_rule
from ..core.uniform import scaled
from ._registry import register
from ._rules import unary, zero_derivative
from .complex_parts import is_complex as _is_complex
from .complex_parts import real
from .complex_parts import real_part as _real_part
from .elementwise import add, divide, multiply, subtract

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


# fmt: off
exp     = unary("exp",     onp.exp,     lambda ans, x: ans, uses_ans=True)
exp2    = unary("exp2",    onp.exp2,    lambda ans, x: ans * _LN2, uses_ans=True)
expm1   = unary("expm1",   onp.expm1,   lambda ans, x: ans + 1.0, uses_ans=True)
log     = unary("log",     onp.log,     lambda ans, x: 1.0 / x)
log2    = unary("log2",    onp.log2,    lambda ans, x: 1.0 / (x * _LN2))
log10   = unary("log10",   onp.log10,   lambda ans, x: 1.0 / (x * _LN10))
log1p   = unary("log1p",   onp.log1p,   lambda ans, x: 1.0 / (x + 1.0))
sqrt    = unary("sqrt",    onp.sqrt,    lambda ans, x: 0.5 / ans, uses_ans=True)
cbrt    = unary("cbrt",    onp.cbrt,    lambda ans, x: 1.0 / (3.0 * ans * ans), uses_ans=True)
square  = unary("square",  onp.square,  lambda ans, x: 2.0 * x)
reciprocal = unary("reciprocal", onp.reciprocal, lambda ans, x: -(ans * ans), uses_ans=True)
positive = unary("positive", onp.positive, lambda ans, x: onp.ones((), onp.result_type(x)))

sin     = unary("sin",     onp.sin,     lambda ans, x: onp.cos(x))
cos     = unary("cos",     onp.cos,     lambda ans, x: -onp.sin(x))
tan     = unary("tan",     onp.tan,     lambda ans, x: 1.0 + ans * ans, uses_ans=True)
arcsin  = unary("arcsin",  onp.arcsin,  lambda ans, x: 1.0 / onp.sqrt(1.0 - x * x))
arccos  = unary("arccos",  onp.arccos,  lambda ans, x: -1.0 / onp.sqrt(1.0 - x * x))
arctan  = unary("arctan",  onp.arctan,  lambda ans, x: 1.0 / (1.0 + x * x))
sinh    = unary("sinh",    onp.sinh,    lambda ans, x: onp.cosh(x))
cosh    = unary("cosh",    onp.cosh,    lambda ans, x: onp.sinh(x))
tanh    = unary("tanh",    onp.tanh,    lambda ans, x: 1.0 - ans * ans, uses_ans=True)
arcsinh = unary("arcsinh", onp.arcsinh, lambda ans, x: 1.0 / onp.sqrt(x * x + 1.0))
arccosh = unary("arccosh", onp.arccosh, lambda ans, x: 1.0 / onp.sqrt(x * x - 1.0))
arctanh = unary("arctanh", onp.arctanh, lambda ans, x: 1.0 / (1.0 - x * x))
deg2rad = unary("deg2rad", onp.deg2rad, lambda ans, x: onp.asarray(math.pi / 180.0, onp.result_type(x)))  # noqa: E501
rad2deg = unary("rad2deg", onp.rad2deg, lambda ans, x: onp.asarray(180.0 / math.pi, onp.result_type(x)))  # noqa: E501
# fmt: on


# square's rules as (2 g) x: one pass where g is uniform (``core/uniform.py``), as in
# sum(c * d ** 2); bitwise the same as g (2 x), since doubling is exact.
def _square_rule(g, ans, x):
    return scaled(scaled(g, 2.0), x)


defvjp(square, _square_rule, reads=((0,),))
defjvp(square, _square_rule)
square.absorbs_negation = True

radians = deg2rad
degrees = rad2deg
register("radians", deg2rad, "composite", onp.radians)
register("degrees", rad2deg, "composite", onp.degrees)

# |x|' = sign(x), taken as 0 at x = 0 (a subgradient, as JAX and autograd do). Of a
# complex z (not holomorphic; see complex_parts.py): JVP Re(conj(z) t) / |z|,
# VJP Re(g) conj(z) / |z|, both 0 at z = 0.


def _conj_unit(z):
    """``conj(z) / |z|`` (0 at z = 0)."""
    from .complex_parts import conj_p, safe_reciprocal

    return multiply(conj_p(z), safe_reciprocal(absolute(z)))


def _abs_vjp(g, ans, x):
    if not _is_complex(x):
        return g * _sign_p(x)
    return multiply(_real_part(g), _conj_unit(x))


def _abs_jvp(t, ans, x):
    if not _is_complex(x):
        return t * _sign_p(x)
    return real(multiply(_conj_unit(x), t))


absolute = Primitive("absolute", onp.absolute)
defvjp(absolute, _abs_vjp, reads=((0,),))
defjvp(absolute, _abs_jvp)
register("absolute", absolute, "primitive")
abs = absolute  # noqa: A001
register("abs", absolute, "composite", onp.abs)
fabs = unary("fabs", onp.fabs, lambda ans, x: _sign_p(x))

# Piecewise constant: zero derivative. (Complex sign, z / |z|, is not: see ``sign``.)
_sign_p = Primitive("sign", onp.sign)
defvjp(_sign_p, _zero_rule, reads=((),))
defjvp(_sign_p, _zero_rule)


def sign(x):
    """``numpy.sign``: piecewise constant for real ``x`` (derivative 0, also at the jump).
    For complex ``z``, NumPy's ``z / |z|``, differentiated through ``multiply``, ``divide``
    and ``abs`` (value and derivative 0 at ``z = 0``)."""
    if isinstance(x, _Tracer) and _is_complex(x):
        from .complex_parts import safe_reciprocal

        return multiply(x, safe_reciprocal(absolute(x)))
    return _sign_p(x)


register("sign", sign, "primitive")
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
    # d/dx sin(pi x)/(pi x) = (cos(pi x) - sinc(x)) / x. Near 0 that quotient cancels,
    # and at 0 it is 0/0: there, the Maclaurin series -pi^2 x/3 + pi^4 x^3/30 (error
    # ~1.1 x^5, below the quotient's ~eps/|x| for |x| < eps^(1/6)), so that the second
    # and third derivatives at 0 (-pi^2/3 and 0) are right too.
    from ._registry import strip
    from .elementwise import where

    xs = onp.asarray(strip(x))
    tiny = onp.finfo(xs.dtype if onp.issubdtype(xs.dtype, onp.inexact) else onp.float64)
    small = onp.abs(xs) < tiny.eps ** (1 / 6)
    safe_x = where(small, 1.0, x)
    quotient = divide(subtract(cos(multiply(math.pi, safe_x)), ans), safe_x)
    series = multiply(x, add(-(math.pi**2) / 3, multiply(math.pi**4 / 30, square(x))))
    return where(small, series, quotient)


sinc = unary("sinc", onp.sinc, _sinc_derivative, uses_ans=False)
# sinc's derivative reads both ans and x: keep everything.
sinc.reads = None


def _nan_to_num_impl(x, copy=True, nan=0.0, posinf=None, neginf=None):
    return onp.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)


def _finite_mask(x):
    from ._registry import strip

    return onp.isfinite(strip(x)).astype(onp.result_type(x))


nan_to_num_p = Primitive("nan_to_num", _nan_to_num_impl)
defvjp(nan_to_num_p, lambda g, ans, x, **p: multiply(g, _finite_mask(x)), reads=((0,),))
defjvp(nan_to_num_p, lambda t, ans, x, **p: multiply(t, _finite_mask(x)))


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """``numpy.nan_to_num``: derivative 1 where ``x`` is finite, 0 where it was replaced.
    (Options go to the primitive as parameters, even when given positionally.)"""
    return nan_to_num_p(x, nan=nan, posinf=posinf, neginf=neginf)


register("nan_to_num", nan_to_num, "primitive")


# -- complex parts: real, imag, conj, angle (complex_parts.py) ------------------------------

from .complex_parts import angle, conj, conjugate, imag  # noqa: E402,F401
