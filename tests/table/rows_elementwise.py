"""Rows for the elementwise functions: ``elementwise.py``, ``unary.py`` and ``dtypes.py``.

Domains keep each function away from its singularities and kinks (``log``: positive,
``arcsin``: the open unit interval, ``max``/``min``: distinct values; ties and special
points are tested in ``test_table.py``).
"""

from __future__ import annotations

import dataclasses

import numpy as onp

import wengert.numpy as wnp

from .row import BINARY_SHAPES, COMPLEX, UNARY_SHAPES, Row

TERNARY_SHAPES = [((), (), ()), ((4,), (4,), (4,)), ((3, 4), (4,), ()),
                  ((3, 1), (1, 4), (3, 4))]


def _mask(*arrays):
    """A fixed checkerboard condition, broadcast like the arguments."""
    shape = onp.broadcast_shapes(*(onp.shape(a) for a in arrays))
    return (onp.indices(shape).sum(axis=0) % 2 == 0) if shape else onp.array(True)


def unary(names, fn, domain="real", numpy_fn=None, **kw):
    names = (names,) if isinstance(names, str) else tuple(names)
    if numpy_fn is None:
        numpy_fn = getattr(onp, names[0])
    return Row(entries=names, fn=fn, shapes=UNARY_SHAPES, domains=(domain,),
               numpy_fn=numpy_fn, **kw)


def binary(names, fn, domains=("real", "real"), numpy_fn=None, **kw):
    names = (names,) if isinstance(names, str) else tuple(names)
    if numpy_fn is None:
        numpy_fn = getattr(onp, names[0])
    return Row(entries=names, fn=fn, shapes=BINARY_SHAPES, domains=tuple(domains),
               numpy_fn=numpy_fn, **kw)


ROWS = [
    # -- arithmetic ---------------------------------------------------------------------
    binary("add", wnp.add),
    binary("subtract", wnp.subtract),
    binary("multiply", wnp.multiply),
    binary("divide", wnp.divide, ("real", "nonzero")),
    binary("true_divide", wnp.true_divide, ("real", "nonzero")),
    unary("negative", wnp.negative),
    unary("positive", wnp.positive),
    binary("power", wnp.power, ("positive", "real")),
    unary("power", lambda x: wnp.power(x, 3.0), numpy_fn=lambda x: onp.power(x, 3.0)),
    unary("power", lambda x: wnp.power(2.5, x), numpy_fn=lambda x: onp.power(2.5, x)),
    binary("float_power", wnp.float_power, ("positive", "real")),
    # Operators on traced values route to the same functions.
    binary("add", lambda x, y: x + y * 2.0 - 1.0, numpy_fn=lambda x, y: x + y * 2.0 - 1.0),
    binary("divide", lambda x, y: 1.0 / y + x / 3.0, ("real", "nonzero"),
           numpy_fn=lambda x, y: 1.0 / y + x / 3.0),
    binary("power", lambda x, y: x ** y + y ** 2, ("positive", "real"),
           numpy_fn=lambda x, y: x ** y + y ** 2),
    unary("negative", lambda x: -x, numpy_fn=lambda x: -x),
    # -- selection ------------------------------------------------------------------------
    binary("where", lambda x, y: wnp.where(_mask(x, y), x, y),
           numpy_fn=lambda x, y: onp.where(_mask(x, y), x, y)),
    binary("where", lambda x, y: wnp.where(x > y, x * y, y),
           numpy_fn=lambda x, y: onp.where(x > y, x * y, y)),
    binary("maximum", wnp.maximum, ("distinct", "distinct")),
    binary("minimum", wnp.minimum, ("distinct", "distinct")),
    binary("fmax", wnp.fmax, ("distinct", "distinct")),
    binary("fmin", wnp.fmin, ("distinct", "distinct")),
    unary("clip", lambda x: wnp.clip(x, -0.5, 0.7),
          numpy_fn=lambda x: onp.clip(x, -0.5, 0.7)),
    unary("clip", lambda x: wnp.clip(x, None, 0.3),
          numpy_fn=lambda x: onp.clip(x, None, 0.3)),
    Row(entries=("clip",), fn=lambda x, lo, hi: wnp.clip(x, lo, hi), shapes=TERNARY_SHAPES,
        domains=("real", "real", "real"), numpy_fn=onp.clip),
    # -- two-argument functions -----------------------------------------------------------
    binary("arctan2", wnp.arctan2, ("nonzero", "nonzero")),
    binary("hypot", wnp.hypot, ("nonzero", "nonzero")),
    binary("logaddexp", wnp.logaddexp),
    binary("logaddexp2", wnp.logaddexp2),
    binary("remainder", wnp.remainder, ("real", "positive")),
    binary("mod", wnp.mod, ("real", "nonzero")),
    binary("remainder", lambda x, y: x % y, ("real", "positive"),
           numpy_fn=lambda x, y: x % y),
    binary("floor_divide", wnp.floor_divide, ("real", "positive")),
    binary("floor_divide", lambda x, y: x // y + y, ("real", "positive"),
           numpy_fn=lambda x, y: x // y + y),
    # -- one-argument functions -----------------------------------------------------------
    unary("exp", wnp.exp),
    unary("exp2", wnp.exp2),
    unary("expm1", wnp.expm1),
    unary("log", wnp.log, "positive"),
    unary("log2", wnp.log2, "positive"),
    unary("log10", wnp.log10, "positive"),
    unary("log1p", wnp.log1p, "positive"),
    unary("log1p", wnp.log1p, "unit"),
    unary("sqrt", wnp.sqrt, "positive"),
    unary("cbrt", wnp.cbrt, "nonzero"),
    unary("square", wnp.square),
    unary("reciprocal", wnp.reciprocal, "nonzero"),
    unary("sin", wnp.sin),
    unary("cos", wnp.cos),
    unary("tan", wnp.tan, "unit"),
    unary("arcsin", wnp.arcsin, "unit"),
    unary("arccos", wnp.arccos, "unit"),
    unary("arctan", wnp.arctan),
    unary("sinh", wnp.sinh),
    unary("cosh", wnp.cosh),
    unary("tanh", wnp.tanh),
    unary("arcsinh", wnp.arcsinh),
    unary("arccosh", wnp.arccosh, "above_one"),
    unary("arctanh", wnp.arctanh, "unit"),
    unary("deg2rad", wnp.deg2rad),
    unary("rad2deg", wnp.rad2deg),
    unary("radians", wnp.radians),
    unary("degrees", wnp.degrees),
    unary("absolute", wnp.absolute, "nonzero"),
    unary("abs", wnp.abs, "nonzero"),
    unary("abs", lambda x: abs(x) * x, "nonzero", numpy_fn=lambda x: abs(x) * x),
    unary("fabs", wnp.fabs, "nonzero"),
    unary("sinc", wnp.sinc),
    unary("nan_to_num", wnp.nan_to_num),
    # Piecewise constant: zero derivative away from the jumps.
    unary("sign", wnp.sign, "nonzero"),
    unary("floor", wnp.floor, "off_integer"),
    unary("ceil", wnp.ceil, "off_integer"),
    unary("rint", wnp.rint, "off_integer"),
    unary("trunc", wnp.trunc, "off_integer"),
    unary("fix", wnp.fix, "off_integer"),
    unary("round", wnp.round, "off_integer"),
    unary("around", wnp.around, "off_integer", numpy_fn=onp.round),
    unary("round", lambda x: wnp.round(x, 1) + x, "off_integer",
          numpy_fn=lambda x: onp.round(x, 1) + x),
    # -- complex parts, of real arrays --------------------------------------------------
    unary("real", wnp.real),
    unary("real", lambda x: x.real * x, numpy_fn=lambda x: x.real * x),
    unary("imag", lambda x: wnp.imag(x) + x, numpy_fn=lambda x: onp.imag(x) + x),
    unary("conj", wnp.conj),
    unary("conjugate", lambda x: wnp.conjugate(x) * x.conj(),
          numpy_fn=lambda x: onp.conjugate(x) * x.conj()),
    unary("angle", wnp.angle, "nonzero"),
    unary("angle", lambda x: wnp.angle(x, deg=True) * x, "nonzero",
          numpy_fn=lambda x: onp.angle(x, deg=True) * x),
    # -- dtypes and copies ---------------------------------------------------------------
    unary("astype", lambda x: wnp.astype(x, onp.float64), dtypes=("float32",),
          numpy_fn=lambda x: x.astype(onp.float64)),
    unary("astype", lambda x: wnp.astype(x, onp.float32), dtypes=("float64",),
          numpy_fn=lambda x: x.astype(onp.float32)),
    unary("astype", lambda x: wnp.sin(x).astype(onp.float32) * x.astype("float32"),
          dtypes=("float64",),
          numpy_fn=lambda x: onp.sin(x).astype(onp.float32) * x.astype("float32")),
    unary("copy", wnp.copy),
    unary("copy", lambda x: x.copy() * x, numpy_fn=lambda x: x.copy() * x),
]

# -- complex inputs: the same rows at complex dtypes (tests/table/complex_check.py) -------
# Every function here that NumPy computes on complex numbers: holomorphic ones, the
# non-holomorphic parts (abs, real, imag, conj, angle, sign) and the lexicographic
# selections (maximum, where on a comparison).
_COMPLEX = {
    "add", "subtract", "multiply", "divide", "true_divide", "negative", "positive", "power",
    "float_power", "where", "maximum", "minimum", "fmax", "fmin", "exp", "exp2", "expm1",
    "log", "log2", "log10", "log1p", "sqrt", "square", "reciprocal", "sin", "cos", "tan",
    "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh",
    "absolute", "abs", "sinc", "nan_to_num", "sign", "real", "imag", "conj", "conjugate",
    "angle", "copy",
}
ROWS += [dataclasses.replace(r, dtypes=COMPLEX) for r in list(ROWS)
         if r.entries[0] in _COMPLEX]
ROWS += [
    unary("astype", lambda x: wnp.astype(x, onp.complex128) * x, dtypes=("float64",),
          numpy_fn=lambda x: x.astype(onp.complex128) * x),
    unary("astype", lambda x: wnp.astype(x * x, onp.float64), dtypes=("complex128",),
          numpy_fn=lambda x: (x * x).real),
    unary("astype", lambda x: wnp.astype(x, onp.complex64), dtypes=("complex128",),
          numpy_fn=lambda x: x.astype(onp.complex64)),
]
