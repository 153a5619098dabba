"""Helpers shared by the ``scipy.special`` rules modules.

``elementwise`` turns one line of calculus, ``f'(args)``, into a primitive with both rules
(``g * f'`` in reverse mode, ``t * f'`` in forward mode) and registers it under
``scipy.special.<name>`` with the SciPy ufunc as the object that routes to it.
Derivatives are written with wengert functions, so they differentiate again.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as onp
import scipy.special as sc

from ... import errors
from ...core import ANS, Primitive, defjvp, defvjp
from ...numpy._registry import register

__all__ = ["ANS", "elementwise", "in_precision_of", "no_derivative", "register_special"]


def in_precision_of(out, *inputs):
    """``out`` (computed in float64) cast to the floating precision of ``inputs``, so
    float32 inputs keep float32 results and derivatives (a scalar stays a scalar)."""
    dtype = onp.result_type(*inputs)  # Python numbers are weak, as in NumPy's ufuncs
    if not onp.issubdtype(dtype, onp.inexact):
        dtype = onp.dtype(onp.float64)
    if onp.ndim(out) == 0:
        return dtype.type(out)
    return out.astype(dtype, copy=False)


def register_special(name: str, function: Callable, kind: str = "primitive",
                     scipy_function=None) -> Callable:
    """Register ``function`` as ``scipy.special.<name>`` (routing ``scipy.special.<name>``)."""
    target = scipy_function if scipy_function is not None else getattr(sc, name)
    return register(f"scipy.special.{name}", function, kind, target)


def no_derivative(function: str, argument: str, why: str) -> Callable:
    """A rule for an argument with no derivative: raises a clear error when asked for."""

    def rule(*_args, **_params):
        raise errors.MissingRuleError(
            f"{function}: no derivative with respect to the argument {argument!r}: {why}. "
            f"Pass it as a constant (or wrap it in wengert.stop_gradient)."
        )

    return rule


def elementwise(name: str, impl: Callable, *derivatives: Callable | None,
                reads: tuple, why_not: str = "", public: bool = True) -> Primitive:
    """An elementwise (broadcasting) SciPy ufunc with ``derivatives[i](ans, *args)`` the
    partial derivative in argument ``i`` (``None``: not differentiable there, with the
    reason ``why_not``). ``reads[i]`` lists what that derivative reads (positions, ANS).
    Registered as ``scipy.special.<name>`` unless ``public`` is false (for a primitive
    that a checking wrapper of that name calls)."""
    prim = Primitive(f"scipy.special.{name}", impl, broadcasts=len(derivatives) > 1)
    vjps, jvps = [], []
    for i, d in enumerate(derivatives):
        if d is None:
            rule = no_derivative(f"scipy.special.{name}", f"argument {i}", why_not)
            vjps.append(rule)
            jvps.append(rule)
            continue

        def vjp(g, ans, *args, _d=d, **params):
            return g * _d(ans, *args)

        def jvp(t, ans, *args, _d=d, **params):
            return t * _d(ans, *args)

        vjps.append(vjp)
        jvps.append(jvp)
    defvjp(prim, *vjps, reads=tuple(r if r is not None else () for r in reads))
    defjvp(prim, *jvps)
    if public:
        register_special(name, prim, "primitive", getattr(sc, name))
    return prim
