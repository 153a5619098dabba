"""Elementwise arithmetic: the operators and ufuncs with broadcasting.

Each primitive sits next to its rules. Cotangents are summed back over broadcast axes by
the core, never here. For ``x ** y`` the derivative in ``y`` is ``log(x) x^y``, taken as 0
where ``x == 0`` (the limit from the side where it exists), as JAX and autograd do.
"""

from __future__ import annotations

import operator

import numpy as onp

from ..core import ANS, add_p
from ..core.uniform import divided, negated, scaled
from ._registry import register
from ._rules import binary

# -- the four operations --------------------------------------------------------------

add = add_p
register("add", add_p, "primitive")

subtract = binary(
    "subtract", operator.sub,
    lambda g, ans, x, y: g,
    lambda g, ans, x, y: negated(g),
    lambda t, ans, x, y: t,
    lambda t, ans, x, y: -t,
    reads=((), ()),
)

# Rules use NumPy operators: plain arrays get NumPy's speed, tracers dispatch to wengert.
multiply = binary(
    "multiply", operator.mul,
    lambda g, ans, x, y: scaled(g, y),
    lambda g, ans, x, y: scaled(g, x),
    lambda t, ans, x, y: t * y,
    lambda t, ans, x, y: x * t,
    reads=((1,), (0,)),
)

divide = binary(
    "divide", operator.truediv,
    lambda g, ans, x, y: divided(g, y),
    lambda g, ans, x, y: negated(scaled(g, ans / y)),
    lambda t, ans, x, y: t / y,
    lambda t, ans, x, y: -(t * (ans / y)),
    reads=((1,), (1, ANS)),
)
true_divide = divide
register("true_divide", divide, "composite")


from ..core import Primitive, Tracer, defjvp, defvjp  # noqa: E402

negative = Primitive("negative", operator.neg)
defvjp(negative, lambda g, ans, x: negated(g), reads=((),))
# Their rules go through core/uniform.py's scaled/divided/negated, which take a lazy
# negated cotangent as it is (and add_p's rules pass it on unchanged).
for _prim in (add, subtract, multiply, divide, negative):
    _prim.absorbs_negation = True
defjvp(negative, lambda t, ans, x: -t)
register("negative", negative, "primitive")


def _log_or_zero(x):
    """log(x) where x != 0, else 0: the factor of the exponent's derivative in x ** y."""
    if isinstance(x, (int, float)):  # a Python number stays weakly typed (float32 stays)
        with onp.errstate(invalid="ignore", divide="ignore"):
            return float(onp.log(x)) if x != 0 else 0.0
    return onp.log(where(x == 0, 1.0, x))


def _power_dx(ans, x, y):
    # y * x ** (y - 1), written without dividing by x so that x == 0 is fine.
    return y * x ** (y - 1)


power_p = Primitive("power", onp.power, broadcasts=True)
defvjp(
    power_p,
    lambda g, ans, x, y: g * _power_dx(ans, x, y),
    lambda g, ans, x, y: g * (ans * _log_or_zero(x)),
    reads=((0, 1), (0, ANS)),
)
defjvp(
    power_p,
    lambda t, ans, x, y: t * _power_dx(ans, x, y),
    lambda t, ans, x, y: t * (ans * _log_or_zero(x)),
)


def power(x, y):
    """``x ** y``. A constant exponent 2 is recorded as ``square`` (one pass for its
    derivative ``2x`` instead of three for ``y x^(y-1)``)."""
    if not isinstance(y, Tracer) and onp.ndim(y) == 0 and y == 2 and not isinstance(
        y, (bool, onp.bool_)
    ):
        from .unary import square

        return square(x)
    return power_p(x, y)


register("power", power, "primitive")


# -- selection ---------------------------------------------------------------------------

where_p = Primitive("where", onp.where, broadcasts=True)
defvjp(
    where_p,
    None,
    lambda g, ans, c, x, y: where_p(c, g, 0.0),
    lambda g, ans, c, x, y: where_p(c, 0.0, g),
    reads=((), (0,), (0,)),
)
defjvp(
    where_p,
    None,
    lambda t, ans, c, x, y: where_p(c, t, 0.0),
    lambda t, ans, c, x, y: where_p(c, 0.0, t),
)


def where(condition, x=None, y=None):
    """``numpy.where``: with ``x`` and ``y``, differentiable in both (the cotangent goes
    to the branch that was taken); with the condition alone, ``nonzero`` (no derivative).
    """
    from ..core.trace import staged
    from ._registry import strip

    # Under jit a traced condition stays traced (it is not differentiated).
    traced_condition = staged(condition)
    condition = strip(condition) if traced_condition is None else traced_condition
    if x is None and y is None:
        return onp.where(condition)
    if x is None or y is None:
        raise ValueError("wengert.numpy.where: give both x and y, or neither")
    return where_p(condition, x, y)


register("where", where, "primitive")


def _share_ties(x, y, strict):
    """Weight of x in max/min: 1 where x wins, 1/2 at ties (documented), 0 elsewhere."""
    from ..core.trace import nondiff_operand

    # Plain values; under jit traced ones, so the weights are recorded, not baked in.
    x, y = nondiff_operand(x), nondiff_operand(y)
    wins = strict(x, y)
    weight = onp.where(wins, 1.0, onp.where(x == y, 0.5, 0.0))
    return weight.astype(onp.result_type(x, y, onp.float16))


def _maxmin(name, impl, strict, ignores_nan=False):
    def weight(x, y):
        w = _share_ties(x, y, strict)
        if ignores_nan:  # fmax/fmin take the other argument where one is NaN
            from ._registry import strip

            xs, ys = strip(x), strip(y)
            w = onp.where(onp.isnan(ys) & ~onp.isnan(xs), 1.0, w)
            w = onp.where(onp.isnan(xs) & ~onp.isnan(ys), 0.0, w).astype(w.dtype)
        return w

    return binary(
        name, impl,
        lambda g, ans, x, y: multiply(g, weight(x, y)),
        lambda g, ans, x, y: multiply(g, weight(y, x)),
        lambda t, ans, x, y: multiply(t, weight(x, y)),
        lambda t, ans, x, y: multiply(t, weight(y, x)),
    )


# Ties (x == y) share the derivative evenly: each argument gets half.
maximum = _maxmin("maximum", onp.maximum, onp.greater)
minimum = _maxmin("minimum", onp.minimum, onp.less)
fmax = _maxmin("fmax", onp.fmax, onp.greater, ignores_nan=True)
fmin = _maxmin("fmin", onp.fmin, onp.less, ignores_nan=True)


def clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None, **kwargs):  # noqa: A002
    """``numpy.clip`` as ``minimum(maximum(a, a_min), a_max)``: the derivative goes to
    ``a`` inside the interval and to the bound that is active outside it (shared at a
    tie, like ``maximum``). ``min``/``max`` are NumPy 2's names for the bounds."""
    if out is not None:
        raise TypeError("wengert.numpy.clip: out= is not supported on traced values")
    if kwargs:
        raise TypeError(f"wengert.numpy.clip: unsupported arguments {sorted(kwargs)}")
    if min is not None:
        if a_min is not None:
            raise TypeError("wengert.numpy.clip: give a_min or min, not both")
        a_min = min
    if max is not None:
        if a_max is not None:
            raise TypeError("wengert.numpy.clip: give a_max or max, not both")
        a_max = max
    out = a
    if a_min is not None:
        out = maximum(out, a_min)
    if a_max is not None:
        out = minimum(out, a_max)
    return out


register("clip", clip, "composite")


# -- two-argument functions ------------------------------------------------------------

def _hyp2(x, y):
    return add(multiply(x, x), multiply(y, y))


arctan2 = binary(
    "arctan2", onp.arctan2,
    lambda g, ans, y, x: multiply(g, divide(x, _hyp2(x, y))),
    lambda g, ans, y, x: multiply(g, negative(divide(y, _hyp2(x, y)))),
    lambda t, ans, y, x: multiply(t, divide(x, _hyp2(x, y))),
    lambda t, ans, y, x: multiply(t, negative(divide(y, _hyp2(x, y)))),
)

hypot = binary(
    "hypot", onp.hypot,
    lambda g, ans, x, y: multiply(g, divide(x, ans)),
    lambda g, ans, x, y: multiply(g, divide(y, ans)),
    lambda t, ans, x, y: multiply(t, divide(x, ans)),
    lambda t, ans, x, y: multiply(t, divide(y, ans)),
    reads=((0, ANS), (1, ANS)),
)


def _exp(v):
    from .unary import exp

    return exp(v)


def _exp2(v):
    from .unary import exp2

    return exp2(v)


logaddexp = binary(
    "logaddexp", onp.logaddexp,
    lambda g, ans, x, y: multiply(g, _exp(subtract(x, ans))),
    lambda g, ans, x, y: multiply(g, _exp(subtract(y, ans))),
    lambda t, ans, x, y: multiply(t, _exp(subtract(x, ans))),
    lambda t, ans, x, y: multiply(t, _exp(subtract(y, ans))),
    reads=((0, ANS), (1, ANS)),
)

logaddexp2 = binary(
    "logaddexp2", onp.logaddexp2,
    lambda g, ans, x, y: multiply(g, _exp2(subtract(x, ans))),
    lambda g, ans, x, y: multiply(g, _exp2(subtract(y, ans))),
    lambda t, ans, x, y: multiply(t, _exp2(subtract(x, ans))),
    lambda t, ans, x, y: multiply(t, _exp2(subtract(y, ans))),
    reads=((0, ANS), (1, ANS)),
)


def _floor_quotient(x, y):
    from ._registry import strip

    return onp.floor_divide(strip(x), strip(y))


# x mod y = x - floor(x / y) * y: derivative 1 in x and -floor(x / y) in y.
remainder = binary(
    "remainder", onp.remainder,
    lambda g, ans, x, y: g,
    lambda g, ans, x, y: multiply(g, negative(_floor_quotient(x, y))),
    lambda t, ans, x, y: t,
    lambda t, ans, x, y: multiply(t, negative(_floor_quotient(x, y))),
    reads=((), (0, 1)),
)
mod = remainder
register("mod", remainder, "composite", onp.mod)

from ._rules import zero_derivative  # noqa: E402

floor_divide = zero_derivative("floor_divide", onp.floor_divide, nargs=2)


def float_power(x, y):
    """``numpy.float_power``: ``x ** y`` computed in at least float64."""
    from .dtypes import astype

    dtype = onp.result_type(onp.float64, _dtype(x), _dtype(y))
    return power(astype(x, dtype), astype(y, dtype))


def _dtype(v):
    from ..core import dtype_of, primal

    return dtype_of(primal(v))


register("float_power", float_power, "composite")
