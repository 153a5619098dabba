"""Algebraic simplifications that are exact in IEEE floating point.

Each rule replaces an equation's output by an existing value (or by one cheaper equation)
only where the result is bitwise the same for every input, and only where the argument
kept already has the output's shape and dtype (no broadcasting or promotion is lost):

* ``x * 1``, ``1 * x``, ``x / 1`` → ``x`` (real and integer dtypes; for complex ``x``,
  ``(a+bi)(1+0i)`` computes ``b*0``, which is NaN for infinite ``b``, so it is kept);
* ``x + (-0.0)``, ``x - (+0.0)`` → ``x``; ``x + (+0.0)`` and ``x - (-0.0)`` → ``x`` only
  when ``x`` can never be ``-0.0`` (``-0.0 + 0.0 = +0.0``; see
  :func:`values.never_negative_zero`), any zero for integers; ``(-0.0) - x`` → ``-x``;
* a uniform array literal in an elementwise equation → the 0-d NumPy scalar of its dtype
  (strongly typed, so promotion is unchanged) when the other arguments alone give the
  output's shape: ``x * full(n, 100.0)`` → ``x * float64(100.0)`` reads one array less;
* ``-(-x)`` → ``x``; ``transpose(transpose(x))`` → one transpose, or ``x``;
  ``reshape(reshape(x))`` → one reshape; a reshape, transpose, ``broadcast_to`` or
  ``sum_to_shape`` that does not change the shape → ``x``.

The literals ``1`` and ``0`` may be arrays: any literal whose elements are all equal
(:func:`values.uniform`) counts, which covers the all-ones seeds and the all-zeros
cotangents a backward sweep produces. Zero cotangents propagate as follows: an equation
of literals only is evaluated by constant folding (for large uniform arrays as a broadcast
view), so zeros flow through reshapes, sums, negations and products of literals, and an
addition of a zero vanishes under the rules above. ``x * 0`` is *not* replaced by zeros:
it is NaN for infinite or NaN ``x`` and ``-0.0`` for negative ``x``.
"""

from __future__ import annotations

import numpy as np

from ...core.basic_ops import broadcast_to_p, sum_to_shape_p
from ...core.wengert_list import Equation, Literal, Var, WengertList
from ...numpy.elementwise import negative
from ...numpy.shapes import reshape_p, transpose_p
from ._graph import rebuild, rename
from .ops import is_elementwise, ufunc_of
from .values import is_real_value, never_negative_zero, uniform


def _same_type(a, out: Var) -> bool:
    return (isinstance(a, Var) and tuple(a.shape) == tuple(out.shape)
            and np.dtype(a.dtype) == np.dtype(out.dtype))


def _is_zero_for(x, zero, out: Var, safe, zero_sign_free: float) -> bool:
    """``x (+) zero`` equals ``x``: ``zero_sign_free`` is the zero that is always exact
    (``-0.0`` for addition, ``+0.0`` for subtraction)."""
    kind = np.dtype(out.dtype).kind
    if kind in "biu":
        return is_real_value(zero, 0)
    if kind != "f":
        return False
    if is_real_value(zero, zero_sign_free):
        return True
    return is_real_value(zero, -zero_sign_free) and x.name in safe()


def _arithmetic(eq: Equation, safe):
    if len(eq.ins) != 2 or eq.params or not (type(eq.ins[0]) is Literal
                                             or type(eq.ins[1]) is Literal):
        return None
    u = ufunc_of(eq.primitive)
    if u is None:
        return None
    out = eq.outs[0]
    a, b = eq.ins
    real = np.dtype(out.dtype).kind in "biuf"
    if u is np.multiply and real:
        for x, one in ((a, b), (b, a)):
            if _same_type(x, out) and is_real_value(uniform(one), 1):
                return x
    if u is np.true_divide and real and _same_type(a, out) and is_real_value(uniform(b), 1):
        return a
    if u is np.add:
        for x, zero in ((a, b), (b, a)):
            if _same_type(x, out) and _is_zero_for(x, uniform(zero), out, safe, -0.0):
                return x
    if u is np.subtract:
        if _same_type(a, out) and _is_zero_for(a, uniform(b), out, safe, 0.0):
            return a
        zero = uniform(a)
        if _same_type(b, out) and (is_real_value(zero, -0.0) if np.dtype(out.dtype).kind == "f"
                                   else np.dtype(out.dtype).kind in "iu"
                                   and is_real_value(zero, 0)):
            return Equation(eq.outs, negative, (b,), {})
    return None


def _scalar_literals(eq: Equation) -> Equation | None:
    """Replace uniform array literals by 0-d scalars where the shape is kept."""
    if len(eq.ins) < 2 or not any(type(a) is Literal and a.name for a in eq.ins):
        return None
    if not is_elementwise(eq):
        return None
    ins = list(eq.ins)
    changed = False
    for i, a in enumerate(eq.ins):
        if not isinstance(a, Literal) or not a.name or np.ndim(a.value) == 0:
            continue
        value = uniform(a)
        others = [np.shape(b.value) if isinstance(b, Literal) else tuple(b.shape)
                  for j, b in enumerate(ins) if j != i]
        if value is None or np.broadcast_shapes(*others) != tuple(eq.outs[0].shape):
            continue
        ins[i] = Literal("", np.asarray(value, dtype=np.asarray(a.value).dtype)[()])
        changed = True
    return Equation(eq.outs, eq.primitive, tuple(ins), eq.params) if changed else None


def _axes(eq: Equation) -> tuple:
    axes = eq.params.get("axes")
    n = len(eq.outs[0].shape)
    return tuple(range(n))[::-1] if axes is None else tuple(int(a) for a in axes)


def _structural(eq: Equation, defs: dict):
    out = eq.outs[0]
    prim = eq.primitive
    if prim not in (negative, transpose_p, reshape_p, broadcast_to_p, sum_to_shape_p):
        return None
    x = eq.ins[0]
    if prim is not negative and _same_type(x, out) and (
        prim is not transpose_p or _axes(eq) == tuple(range(len(out.shape)))
    ):
        return x
    inner = defs.get(x.name) if isinstance(x, Var) else None
    if inner is None or inner.primitive is not prim:
        return None
    y = inner.ins[0]
    if prim is negative:
        return y if _same_type(y, out) else None
    if prim is reshape_p:
        if _same_type(y, out):
            return y
        return Equation(eq.outs, reshape_p, (y,), {"shape": tuple(out.shape)})
    if prim is transpose_p:
        p, q = _axes(inner), _axes(eq)
        axes = tuple(p[i] for i in q)
        if axes == tuple(range(len(axes))) and _same_type(y, out):
            return y
        return Equation(eq.outs, transpose_p, (y,), {"axes": axes})
    return None


def simplify(wl: WengertList) -> WengertList:
    cache: list = []

    def safe() -> set:  # computed when first needed
        if not cache:
            cache.append(never_negative_zero(wl))
        return cache[0]

    defs: dict = {}
    mapping: dict = {}
    kept = []
    for eq in wl.equations:
        eq = rename(eq, mapping)
        result = None
        if len(eq.outs) == 1 and eq.ins:
            eq = _scalar_literals(eq) or eq
            result = _arithmetic(eq, safe) or _structural(eq, defs)
        if isinstance(result, Equation):
            eq = result
        elif result is not None:
            mapping[eq.outs[0].name] = result
            continue
        for v in eq.outs:
            defs[v.name] = eq
        kept.append(eq)
    return rebuild(wl, kept, mapping)
