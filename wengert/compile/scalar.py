"""Specialisation of 0-d float64 code to Python floats and ``math``.

NumPy's 0-d arithmetic costs about a microsecond per operation; the same operation on
Python floats costs tens of nanoseconds. An equation whose inputs and output are all 0-d
float64 and whose primitive has an exact counterpart below is emitted as Python float
code. The counterparts compute the same IEEE-754 operation (the four arithmetic
operations exactly; the transcendental functions to within an ulp, as NumPy's own do).

Python signals what NumPy returns as ``inf``/``nan`` with an exception (``1/0``,
``math.log(0)``, ``math.exp(1000)``): the generated code then falls back to the plain
NumPy version of the same program, so results never differ from eager NumPy beyond those
last-place differences.
"""

from __future__ import annotations

import math
import operator

import numpy as np

# impl -> template on operand names (infix operators)
OPERATORS = {
    operator.add: "{0} + {1}",
    operator.sub: "{0} - {1}",
    operator.mul: "{0} * {1}",
    operator.truediv: "{0} / {1}",
    operator.neg: "-{0}",
    np.add: "{0} + {1}",
    np.subtract: "{0} - {1}",
    np.multiply: "{0} * {1}",
    np.true_divide: "{0} / {1}",
    np.negative: "-{0}",
    np.square: "{0} * {0}",
    np.reciprocal: "1.0 / {0}",
}

# comparisons of 0-d floats: a Python bool (what a guard then reads)
COMPARISONS = {
    np.greater: "{0} > {1}", np.greater_equal: "{0} >= {1}", np.less: "{0} < {1}",
    np.less_equal: "{0} <= {1}", np.equal: "{0} == {1}", np.not_equal: "{0} != {1}",
    operator.gt: "{0} > {1}", operator.ge: "{0} >= {1}", operator.lt: "{0} < {1}",
    operator.le: "{0} <= {1}", operator.eq: "{0} == {1}", operator.ne: "{0} != {1}",
}

# impl -> function on Python floats
FUNCTIONS = {
    np.sin: math.sin, np.cos: math.cos, np.tan: math.tan,
    np.arcsin: math.asin, np.arccos: math.acos, np.arctan: math.atan,
    np.sinh: math.sinh, np.cosh: math.cosh, np.tanh: math.tanh,
    np.arcsinh: math.asinh, np.arccosh: math.acosh, np.arctanh: math.atanh,
    np.exp: math.exp, np.expm1: math.expm1, np.log: math.log, np.log1p: math.log1p,
    np.log2: math.log2, np.log10: math.log10, np.sqrt: math.sqrt,
    np.power: math.pow, np.arctan2: math.atan2, np.hypot: math.hypot,
    np.fabs: math.fabs, np.absolute: abs,
}

SCALAR_ERRORS = (ArithmeticError, ValueError)

_F64 = np.dtype(np.float64)


def is_scalar_float(shape, dtype) -> bool:
    return shape == () and np.dtype(dtype) == _F64


_BOOL = np.dtype(bool)


def specialisable(impl, shape, dtype) -> bool:
    """Whether an equation of ``impl`` with this output has a float counterpart."""
    try:
        if impl in COMPARISONS:
            return shape == () and np.dtype(dtype) == _BOOL
        return (impl in OPERATORS or impl in FUNCTIONS) and is_scalar_float(shape, dtype)
    except TypeError:  # an unhashable implementation
        return False


def template(impl):
    """Infix template of ``impl`` or None."""
    t = OPERATORS.get(impl)
    return COMPARISONS.get(impl) if t is None else t
