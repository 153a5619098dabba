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

from ..core.wengert_list import Var, WengertList

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


def scalar_vars(wl: WengertList) -> set:
    """Names of the variables held as Python floats: outputs of 0-d float64 equations
    with a ``math`` counterpart whose arguments are 0-d floats too."""
    out = set()
    for eq in wl.equations:
        if len(eq.outs) != 1 or eq.params:
            continue
        v = eq.outs[0]
        if not specialisable(eq.primitive.impl, v.shape, v.dtype):
            continue
        if all(is_scalar_arg(a) for a in eq.ins):
            out.add(v.name)
    return out


def is_scalar_arg(a) -> bool:
    if isinstance(a, Var):
        return is_scalar_float(a.shape, a.dtype)
    value = a.value
    if isinstance(value, np.ndarray):
        return value.shape == () and value.dtype.kind in "fiu"
    return isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(
        value, (bool, np.bool_))


def numpy_scalar(var: Var):
    return np.float64 if np.dtype(var.dtype).kind == "f" else np.bool_


def numpy_consumers(wl: WengertList, svars: set, query: set | None = None) -> set:
    """Variables of ``query`` (default ``svars``) read by an equation that is not
    emitted on floats (whose output is not in ``svars``)."""
    query = svars if query is None else query
    need = set()
    for eq in wl.equations:
        if eq.outs and eq.outs[0].name in svars:
            continue
        if not eq.outs:  # guards read floats as well as arrays
            continue
        need.update(a.name for a in eq.ins if isinstance(a, Var) and a.name in query)
    return need




def registers(stmts: list, out_names: set) -> dict:
    """Float variables -> reused local names ``r0, r1, ...``: a register is free again
    after the last statement that reads its variable (linear scan)."""
    last_read: dict = {}
    for k, st in enumerate(stmts):
        for r in st.reads:
            last_read[r] = k
    registers: dict = {}
    free: list = []
    count = 0
    for k, st in enumerate(stmts):
        for r in dict.fromkeys(st.reads):
            if r in registers and last_read.get(r) == k and r not in out_names:
                free.append(registers[r])
        if st.scalar:
            t = st.targets[0]
            if free:
                registers[t] = free.pop()
            else:
                registers[t] = f"r{count}"
                count += 1
            if t not in last_read and t not in out_names:
                free.append(registers[t])  # never read: its register is free at once
    return registers
