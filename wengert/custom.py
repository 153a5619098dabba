"""User-defined derivatives: ``custom_vjp`` and ``custom_jvp`` (JAX's interface).

A decorated function becomes a primitive of its own. Its rules are the user's:

* ``custom_vjp``: ``f.defvjp(fwd, bwd)`` with ``fwd(*args) -> (out, residuals)`` and
  ``bwd(residuals, g) -> tuple of cotangents, one per argument``. Reverse mode records one
  equation and calls ``bwd`` in the sweep. Forward mode, which has no rule to use,
  differentiates ``f``'s own body.
* ``custom_jvp``: ``f.defjvp(rule)`` with ``rule(primals, tangents) -> (out, tangent)``.
  Forward mode calls the rule. Reverse mode transposes it: the tangent output is linear in
  the tangents, so its VJP, taken by reverse mode over the rule, is ``Jᵀ g`` (one extra
  evaluation of the rule in the sweep).

Arguments and outputs may be pytrees. Cotangents returned by ``bwd`` are checked against
the arguments' shapes and dtypes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from . import errors
from .core import Primitive, Tracer, dtype_of, primal, shape_of
from .tree import tree_flatten, tree_unflatten


class _CustomPrimitive(Primitive):
    """The primitive of a custom function: ``linearize_primals(saved)`` returns the
    flat primal inputs from what its ``vjp_fwd`` stored (``linearize`` pushes tangents
    through ``jvp_full`` at them)."""

    __slots__ = ("linearize_primals",)


class _Custom:
    """Shared machinery: flatten arguments, bind one primitive, unflatten outputs."""

    kind = "custom"

    def __init__(self, fun: Callable):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.prim = _CustomPrimitive(f"{self.kind}[{getattr(fun, '__name__', 'f')}]",
                                     self._impl, multiple_results=True)
        self.prim.linearize_primals = None
        self._out_def = None

    def _impl(self, *flat, in_def):
        out = self.fun(*tree_unflatten(in_def, flat))
        leaves, self._out_def = tree_flatten(out)
        return tuple(leaves)

    def __call__(self, *args):
        flat, in_def = tree_flatten(args)
        if not any(isinstance(x, Tracer) for x in flat):
            return self.fun(*args)
        self._check_ready()
        outs = self.prim(*flat, in_def=in_def)
        return tree_unflatten(self._out_def, list(outs))

    def _check_ready(self):
        raise NotImplementedError


class custom_vjp(_Custom):  # noqa: N801  (JAX's name)
    """Decorator: give a function a hand-written reverse-mode rule.

    >>> @custom_vjp
    ... def f(x): ...
    >>> f.defvjp(f_fwd, f_bwd)
    """

    kind = "custom_vjp"

    def __init__(self, fun: Callable):
        super().__init__(fun)
        self.fwd = self.bwd = None

    def defvjp(self, fwd: Callable, bwd: Callable) -> custom_vjp:
        self.fwd, self.bwd = fwd, bwd
        self.prim.vjp_fwd = self._vjp_fwd
        self.prim.vjp_all = self._vjp_bwd
        self.prim.jvp_full = self._jvp_by_body
        self.prim.linearize_primals = _saved_flat_of_vjp
        return self

    def _check_ready(self):
        if self.fwd is None:
            raise errors.MissingRuleError(
                f"custom_vjp {self.__name__}: call {self.__name__}.defvjp(fwd, bwd) before "
                f"differentiating it"
            )

    def _vjp_fwd(self, *flat, in_def):
        args = tree_unflatten(in_def, flat)
        result = self.fwd(*args)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise errors.CustomRuleError(
                f"custom_vjp {self.__name__}: fwd must return a pair (output, residuals)"
            )
        out, res = result
        leaves, self._out_def = tree_flatten(out)
        return tuple(leaves), (res, flat, in_def)

    def _vjp_bwd(self, g, ans, saved, params, parents):
        res, flat, in_def = saved
        cts = self.bwd(res, tree_unflatten(self._out_def, list(g)))
        name = f"custom_vjp {self.__name__}: bwd"
        if not isinstance(cts, tuple):
            raise errors.CustomRuleError(f"{name} must return a tuple, one cotangent per argument")
        ct_leaves, ct_def = tree_flatten(cts)
        if ct_def != in_def:
            raise errors.CustomRuleError(
                f"{name} returned cotangents of structure {ct_def!r}; expected {in_def!r} "
                f"(the structure of the arguments)"
            )
        checked = []
        for i, (c, x) in enumerate(zip(ct_leaves, flat)):
            if c is None:
                checked.append(None)
                continue
            if shape_of(c) != shape_of(x):
                raise errors.CustomRuleError(
                    f"{name} returned a cotangent of shape {shape_of(c)} for argument leaf "
                    f"{i}; expected {shape_of(x)}, the argument's shape"
                )
            cd, xd = np.dtype(dtype_of(primal(c))), np.dtype(dtype_of(primal(x)))
            if np.issubdtype(xd, np.floating) and not np.can_cast(cd, xd, "same_kind"):
                raise errors.CustomRuleError(
                    f"{name} returned a cotangent of dtype {cd} for argument leaf {i}; "
                    f"expected {xd}, the argument's dtype"
                )
            checked.append(c)
        return checked

    def _jvp_by_body(self, primals, tangents, params):
        from .core import jvp_flat

        return tuple_pair(jvp_flat(lambda *p: self._impl(*p, **params), primals, tangents))


def _saved_flat_of_vjp(saved) -> tuple:
    """The flat primal inputs in what ``custom_vjp``'s ``vjp_fwd`` stored."""
    return saved[1]


def _saved_flat_of_jvp(saved) -> tuple:
    """The flat primal inputs in what ``custom_jvp``'s ``vjp_fwd`` stored."""
    return saved[0]


def tuple_pair(values_tangents):
    values, tangents = values_tangents
    return tuple(values), list(tangents)


class custom_jvp(_Custom):  # noqa: N801  (JAX's name)
    """Decorator: give a function a hand-written forward-mode rule.

    >>> @custom_jvp
    ... def f(x): ...
    >>> @f.defjvp
    ... def f_jvp(primals, tangents): return f(*primals), tangent_out
    """

    kind = "custom_jvp"

    def __init__(self, fun: Callable):
        super().__init__(fun)
        self.rule = None

    def defjvp(self, rule: Callable) -> Callable:
        self.rule = rule
        self.prim.jvp_full = self._jvp_full
        self.prim.vjp_fwd = self._vjp_fwd
        self.prim.vjp_all = self._vjp_by_transposition
        self.prim.linearize_primals = _saved_flat_of_jvp
        return rule

    def _check_ready(self):
        if self.rule is None:
            raise errors.MissingRuleError(
                f"custom_jvp {self.__name__}: define its rule with @{self.__name__}.defjvp "
                f"before differentiating it"
            )

    def _call_rule(self, flat_primals, flat_tangents, in_def):
        primals = tree_unflatten(in_def, flat_primals)
        tangents = tree_unflatten(in_def, flat_tangents)
        result = self.rule(primals, tangents)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise errors.CustomRuleError(
                f"custom_jvp {self.__name__}: the rule must return (output, tangent)"
            )
        out, t_out = result
        out_leaves, self._out_def = tree_flatten(out)
        t_leaves, t_def = tree_flatten(t_out)
        if t_def != self._out_def:
            raise errors.CustomRuleError(
                f"custom_jvp {self.__name__}: the tangent has structure {t_def!r}; expected "
                f"{self._out_def!r}, the output's"
            )
        return out_leaves, t_leaves

    def _jvp_full(self, primals, tangents, params):
        tangents = [
            np.zeros(shape_of(p), dtype_of(primal(p))) if t is None else t
            for p, t in zip(primals, tangents)
        ]
        out, t_out = self._call_rule(primals, tangents, params["in_def"])
        return tuple(out), list(t_out)

    def _vjp_fwd(self, *flat, in_def):
        from .core import bind

        out = bind(self.prim, *flat, in_def=in_def)
        return out, (flat, in_def)

    def _vjp_by_transposition(self, g, ans, saved, params, parents):
        from .api import vjp

        flat, in_def = saved
        zeros = tuple(np.zeros(shape_of(x), dtype_of(primal(x))) for x in flat)

        def tangent_map(*ts):
            return tuple(self._call_rule(flat, list(ts), in_def)[1])

        _, pullback = vjp(tangent_map, *zeros)
        return list(pullback(tuple(g)))
