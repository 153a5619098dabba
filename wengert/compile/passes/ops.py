"""The elementwise primitives, as the passes and the code generator see them.

An equation is *elementwise* when its primitive computes each output element from the
elements at the same (broadcast) position of its arguments, with no parameters: NumPy
ufuncs (``exp``, ``maximum``...), the operators ``+ - * /`` and unary ``-`` (whose
``impl`` is the ``operator`` function, spelled here by its ufunc), and ``where``.

For each, :func:`ufunc_of` gives the ufunc that accepts ``out=`` (``None`` for ``where``),
:data:`NUMEXPR` the numexpr spelling (only where numexpr computes exactly what NumPy
computes and is not slower: arithmetic, ``abs``, ``sqrt``, ``where``; numexpr's
transcendental functions call the C library, which is slower here than NumPy's SIMD loops
and not bitwise equal to them), and :data:`PYTHON` the spelling on Python floats for 0-d
code (with ``raises``: whether the Python spelling can raise where NumPy returns inf/NaN).
"""

from __future__ import annotations

import dataclasses
import operator

import numpy as np

from ...core.primitive import Primitive
from ...core.wengert_list import Equation
from ...numpy.elementwise import where_p

_OPERATOR_UFUNCS = {
    operator.add: np.add,
    operator.sub: np.subtract,
    operator.mul: np.multiply,
    operator.truediv: np.true_divide,
    operator.neg: np.negative,
}


_UFUNCS: dict = {}


def ufunc_of(prim: Primitive) -> np.ufunc | None:
    """The plain elementwise ufunc ``prim`` computes (accepting ``out=``), or ``None``."""
    try:
        return _UFUNCS[prim]
    except KeyError:
        u = _UFUNCS[prim] = _find_ufunc(prim)
        return u


def _find_ufunc(prim: Primitive) -> np.ufunc | None:
    impl = prim.impl
    if isinstance(impl, np.ufunc):
        return impl if impl.signature is None and impl.nout == 1 else None
    try:
        return _OPERATOR_UFUNCS.get(impl)
    except TypeError:  # an unhashable impl
        return None


def is_elementwise(eq: Equation) -> bool:
    """``eq`` computes each output element from the same position of its arguments."""
    if eq.params or len(eq.outs) != 1 or eq.primitive.multiple_results:
        return False
    return eq.primitive is where_p or ufunc_of(eq.primitive) is not None


# numexpr spellings, by ufunc; ``{0}``, ``{1}`` are the generated argument names.
NUMEXPR = {
    np.add: "({0} + {1})",
    np.subtract: "({0} - {1})",
    np.multiply: "({0} * {1})",
    np.true_divide: "({0} / {1})",
    np.negative: "(-{0})",
    np.square: "({0} * {0})",
    np.absolute: "abs({0})",
    np.fabs: "abs({0})",
    np.sqrt: "sqrt({0})",
}
NUMEXPR_WHERE = "where({0}, {1}, {2})"


def numexpr_spelling(eq: Equation) -> str | None:
    if eq.primitive is where_p:
        return NUMEXPR_WHERE
    u = ufunc_of(eq.primitive)
    return NUMEXPR.get(u) if u is not None else None


@dataclasses.dataclass(frozen=True)
class PythonOp:
    """A 0-d float operation as Python source: ``template.format(*argument_names)``.
    ``raises``: Python raises (ZeroDivisionError, OverflowError, ValueError) on some
    inputs where NumPy returns inf or NaN, so generated code needs a fallback there."""

    template: str
    raises: bool


PYTHON = {
    np.add: PythonOp("({0} + {1})", False),
    np.subtract: PythonOp("({0} - {1})", False),
    np.multiply: PythonOp("({0} * {1})", False),
    np.negative: PythonOp("(-{0})", False),
    np.square: PythonOp("({0} * {0})", False),
    np.absolute: PythonOp("abs({0})", False),
    np.fabs: PythonOp("abs({0})", False),
    np.tanh: PythonOp("math.tanh({0})", False),
    np.arctan: PythonOp("math.atan({0})", False),
    np.true_divide: PythonOp("({0} / {1})", True),
    np.exp: PythonOp("math.exp({0})", True),
    np.expm1: PythonOp("math.expm1({0})", True),
    np.log: PythonOp("math.log({0})", True),
    np.log1p: PythonOp("math.log1p({0})", True),
    np.sqrt: PythonOp("math.sqrt({0})", True),
    np.sin: PythonOp("math.sin({0})", True),
    np.cos: PythonOp("math.cos({0})", True),
    np.tan: PythonOp("math.tan({0})", True),
    np.sinh: PythonOp("math.sinh({0})", True),
    np.cosh: PythonOp("math.cosh({0})", True),
    np.arcsin: PythonOp("math.asin({0})", True),
    np.arccos: PythonOp("math.acos({0})", True),
}
