"""Unrolling of programs on tiny float64 arrays into code on Python floats.

A NumPy call on a 3×3 array costs about a microsecond, almost all of it overhead; the
arithmetic on its nine elements costs tens of nanoseconds per element in Python. A
program whose every value is a float64 array of at most
``settings.unroll_max_elements`` elements,
built only from the operations below, is emitted with one Python float per element:

* elementwise arithmetic and ``math`` functions (:mod:`.scalar`'s counterparts), with
  NumPy's broadcasting;
* ``matmul`` of two matrices: ``c[i, j] = a[i, 0]*b[0, j] + a[i, 1]*b[1, j] + ...``;
* ``transpose`` and ``reshape``: no code at all, only a renaming of the elements;
* ``sum`` over any axes.

The inputs are read with ``ravel().tolist()`` and every output is assembled as a fresh
array, so nothing returned aliases an input or another call's result. The results agree
with NumPy's to within the last places (BLAS may use fused multiply-adds and NumPy's sum
may pair its terms differently; the transcendental functions are the ``math`` ones, as in
the 0-d float code). Where Python raises instead of returning ``inf``/``nan``
(``1.0 / 0.0``, ``math.log(0.0)``), the NumPy version of the program runs instead.
"""

from __future__ import annotations

import math
import re

import numpy as np

from ..core.wengert_list import Var, WengertList
from . import scalar, settings
from .lowering import is_basic_index

#: Most element statements in one unrolled program (bounds the compile time).
MAX_STATEMENTS = 400_000
#: Unrolled only where NumPy calls number at least this many times the inputs and outputs
#: (each converted between an array and Python floats at about the cost of a NumPy call;
#: at exactly twice, a 2x2 program of 6 calls and 3 conversions runs ~1.8x faster unrolled).
CALLS_PER_CONVERSION = 2

_F64 = np.dtype(np.float64)


def _structural():
    from ..numpy.products import matmul_p
    from ..numpy.reductions import sum_p
    from ..numpy.shapes import reshape_p, transpose_p

    return matmul_p, sum_p, reshape_p, transpose_p


def _renaming():
    """Primitives that only rearrange elements (``rule(elements, params, out_shape)``)."""
    from ..core.basic_ops import broadcast_to_p
    from ..numpy.indexing import getitem_p

    return {broadcast_to_p: lambda x, p, shape: np.broadcast_to(x, shape),
            getitem_p: lambda x, p, shape: x[p["index"]]}


def _small(var) -> bool:
    return (np.dtype(var.dtype) == _F64 and len(var.shape) <= 2
            and math.prod(var.shape) <= settings.unroll_max_elements)


def applies(wl: WengertList) -> bool:
    """Every value a tiny float64 array (at least one not 0-d), no guards, every
    equation one of the operations this module unrolls, and enough of them."""
    from ..core.basic_ops import sum_to_shape_p

    matmul_p, sum_p, reshape_p, transpose_p = _structural()
    if not wl.equations or not all(_small(v) for v in wl.inputs):
        return False
    if any(not (isinstance(c.value, np.ndarray) and c.value.dtype == _F64
                and c.value.size <= settings.unroll_max_elements) for c in wl.constants):
        return False
    some_array = False
    count = calls = 0
    for eq in wl.equations:
        if len(eq.outs) != 1 or not _small(eq.outs[0]):
            return False
        out = eq.outs[0]
        some_array = some_array or out.shape != ()
        count += max(1, math.prod(out.shape))
        for a in eq.ins:
            if isinstance(a, Var):
                if not _small(a):
                    return False
            elif not (a.name or scalar.is_scalar_arg(a)):
                return False
        prim = eq.primitive
        calls += prim not in (reshape_p, transpose_p)
        if prim is matmul_p:
            if eq.params or len(eq.ins) != 2 or any(len(a.shape) != 2 for a in eq.ins
                                                     if isinstance(a, Var)):
                return False
            if not all(isinstance(a, Var) for a in eq.ins):
                return False
        elif prim is sum_p:
            if set(eq.params) - {"axis", "keepdims"} or not isinstance(eq.ins[0], Var):
                return False
        elif prim in (reshape_p, transpose_p) or prim in _renaming():
            if not isinstance(eq.ins[0], Var):
                return False
            if "index" in eq.params and not is_basic_index(eq.params["index"]):
                return False
        elif prim is sum_to_shape_p:
            if not isinstance(eq.ins[0], Var):
                return False
        else:
            if eq.params:
                return False
            try:
                known = prim.impl in scalar.OPERATORS or prim.impl in scalar.FUNCTIONS
            except TypeError:
                return False
            if not known:
                return False
    # worth it where the NumPy calls saved outnumber the conversions in and out
    conversions = len(wl.inputs) + len(wl.outputs)
    return some_array and count <= MAX_STATEMENTS and calls >= CALLS_PER_CONVERSION * conversions


def _elements(names: list, shape) -> np.ndarray:
    out = np.empty(len(names), dtype=object)
    out[:] = names
    return out.reshape(shape)


class Program:
    """A program on tiny arrays written element by element: ``inputs`` (per input, its
    element names), ``stmts`` (``(name, expression)`` in order: one operation each, on
    element names and the closure names of ``env``), ``outputs`` (per output:
    ``("value", ref)`` a constant returned as it is, ``("scalar", element)``, or
    ``("array", elements, shape_ref)``)."""

    __slots__ = ("inputs", "stmts", "outputs", "shapes")

    def __init__(self, inputs: list, stmts: list, outputs: list, shapes: list):
        self.inputs = inputs
        self.stmts = stmts
        self.outputs = outputs
        self.shapes = shapes  # output shapes (tuples), for native code


def program(wl: WengertList, env) -> Program:
    """``wl`` (for which :func:`applies`) as element statements."""
    from ..core.basic_ops import sum_to_shape_p

    matmul_p, sum_p, reshape_p, transpose_p = _structural()
    renaming = _renaming()
    elems: dict = {}  # var name -> object array of element expressions (local names)
    counter = [0]

    def fresh() -> str:
        counter[0] += 1
        return f"e{counter[0]}"

    stmts: list = []  # (name, expression) of the element statements

    def emit(expr: str) -> str:
        name = fresh()
        stmts.append((name, expr))
        return name

    inputs = []
    for v in wl.inputs:
        names = [fresh() for _ in range(math.prod(v.shape))]
        inputs.append(names)
        elems[v.name] = _elements(names, v.shape)
    for c in wl.constants:
        flat = [env.ref(float(x), "k") for x in np.ravel(c.value)]
        elems[c.name] = _elements(flat, c.value.shape)

    def operand(a):
        if isinstance(a, Var):
            return elems[a.name]
        if a.name:
            return elems[a.name]
        return _elements([env.ref(float(a.value), "k")], ())

    for eq in wl.equations:
        out = eq.outs[0]
        prim = eq.primitive
        args = [operand(a) for a in eq.ins]
        if prim is transpose_p:
            result = np.transpose(args[0], eq.params.get("axes"))
        elif prim is reshape_p:
            result = args[0].reshape(out.shape)
        elif prim is matmul_p:
            a, b = args
            result = np.empty(out.shape, dtype=object)
            for i in range(a.shape[0]):
                for j in range(b.shape[1]):
                    terms = [f"{a[i, k]} * {b[k, j]}" for k in range(a.shape[1])]
                    result[i, j] = emit(" + ".join(terms) if terms else "0.0")
        elif prim is sum_p:
            result = _sum(args[0], eq.params, out.shape, emit)
        elif prim is sum_to_shape_p:
            x = args[0]
            lead = x.ndim - len(out.shape)
            axes = tuple(range(lead)) + tuple(
                lead + i for i, n in enumerate(out.shape) if n == 1 and x.shape[lead + i] != 1)
            result = _sum(x, {"axis": axes}, out.shape, emit)
        elif prim in renaming:
            result = renaming[prim](args[0], eq.params, out.shape)
        else:
            impl = prim.impl
            template = scalar.OPERATORS.get(impl)
            if template is None:
                fn = scalar.FUNCTIONS[impl]
                template = (f"{env.ref(fn, 'math_' + fn.__name__)}("
                            + ", ".join(f"{{{i}}}" for i in range(len(args))) + ")")
            parts = np.broadcast_arrays(*args)
            result = np.empty(out.shape, dtype=object)
            for idx in np.ndindex(*out.shape):
                result[idx] = emit(template.format(*(p[idx] for p in parts)))
        elems[out.name] = np.asarray(result, dtype=object).reshape(out.shape)
    outputs, shapes = [], []
    for o in wl.outputs:
        shapes.append(tuple(o.shape) if isinstance(o, Var) else np.shape(o.value))
        if not isinstance(o, Var) and not o.name:
            outputs.append(("value", env.ref(o.value, "k")))
        elif shapes[-1] == ():
            outputs.append(("scalar", elems[o.name][()]))
        else:  # a variable, or a named constant (written out afresh, as a variable)
            outputs.append(("array", list(elems[o.name].ravel()),
                            env.ref(shapes[-1], "q")))
    return Program(inputs, stmts, outputs, shapes)


def body(wl: WengertList, env, fallback: str, prog: Program | None = None) -> list:
    """Lines of the function body (inputs ``x0, x1, ...`` already its parameters)."""
    prog = program(wl, env) if prog is None else prog
    lines: list = []
    tolist = env.ref(np.ravel, "ravel")
    for v, names in zip(wl.inputs, prog.inputs):
        n = len(names)
        if v.shape == ():
            lines.append(f"{names[0]} = {env.ref(float, 'to_float')}({v.name})")
        else:
            lines.append(f"{', '.join(names)}{',' if n == 1 else ''} = "
                         f"{tolist}({v.name}).tolist()")
    rets = []
    to_numpy = env.ref(np.float64, "to_numpy")
    for kind, *rest in prog.outputs:
        if kind == "value":
            rets.append(rest[0])
        elif kind == "scalar":
            rets.append(f"{to_numpy}({rest[0]})")
        else:
            array = env.ref(np.array, "array")
            rets.append(f"{array}([{', '.join(rest[0])}]).reshape({rest[1]})")
    lines.extend(_inline(prog.stmts, " ".join(rets)))
    ins = ", ".join(v.name for v in wl.inputs)
    code = ["try:"] + ["    " + line for line in lines]
    code.append(f"except {env.ref(scalar.SCALAR_ERRORS, 'scalar_errors')}:"
                "  # Python raised where NumPy gives inf/nan")
    code.append(f"    return {fallback}({ins})")
    code.append(f"return ({', '.join(rets)}{',' if len(rets) == 1 else ''})")
    return code


_ELEMENT = re.compile(r"\be\d+\b")
_MAX_DEPTH = 4


def _inline(stmts: list, tail: str) -> list:
    """Lines ``name = expression``, with each element read exactly once folded into its
    reader (``e9 = math_tanh(e1 * e2 + e3 * e4) + k * e5``), at most
    :data:`_MAX_DEPTH` deep."""
    uses: dict = {}
    for _, expr in stmts:
        for m in _ELEMENT.findall(expr):
            uses[m] = uses.get(m, 0) + 1
    for m in _ELEMENT.findall(tail):
        uses[m] = uses.get(m, 0) + 2
    pending: dict = {}  # name -> (expression, depth)
    lines = []
    for name, expr in stmts:
        depth = [0]

        def fold(m):
            held = pending.pop(m.group(0), None)
            if held is None:
                return m.group(0)
            depth[0] = max(depth[0], held[1] + 1)
            return f"({held[0]})"

        expr = _ELEMENT.sub(fold, expr)
        if uses.get(name) == 1 and depth[0] < _MAX_DEPTH:
            pending[name] = (expr, depth[0])
        elif uses.get(name):
            lines.append(f"{name} = {expr}")
    return lines


def _sum(x: np.ndarray, params: dict, out_shape, emit) -> np.ndarray:
    axis = params.get("axis")
    if axis is None:
        axes = tuple(range(x.ndim))
    elif isinstance(axis, int):
        axes = (axis % x.ndim,)
    else:
        axes = tuple(a % x.ndim for a in axis)
    kept = [d for d in range(x.ndim) if d not in axes]
    moved = np.transpose(x, kept + list(axes))
    lead = moved.shape[:len(kept)]
    flat = moved.reshape(lead + (-1,)) if moved.size else moved.reshape(lead + (0,))
    result = np.empty(lead, dtype=object)
    for idx in np.ndindex(*lead):
        terms = list(flat[idx])
        result[idx] = emit(" + ".join(terms) if terms else "0.0")
    return result.reshape(out_shape)


def native_version(wl: WengertList, prog: Program, env_values: dict, python_version,
                   name: str):
    """``prog`` as native code (:mod:`.native.unrolled`) where ``settings.native`` is on
    and a C compiler is found; else None (the Python float code runs). It pays from the
    smallest programs unrolled: a 2x2 program of 6 operations runs in 0.76 us natively
    against 1.45 us as Python floats (the ctypes call included)."""
    from .native import toolchain
    from .native import unrolled as native

    if not toolchain.available():
        return None
    return native.compile_program(prog, [v.name for v in wl.inputs],
                                  [tuple(v.shape) for v in wl.inputs], env_values,
                                  python_version, name)
