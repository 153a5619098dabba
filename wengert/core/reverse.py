"""Reverse mode: record the Wengert list while the function runs, then sweep it backwards.

The list (the *tape*) holds one equation per primitive call, in execution order, so no
topological sort is ever needed: the backward sweep is a plain loop over it in reverse.
Each equation keeps only the residuals its rules read (see ``Primitive.reads``); the sweep
drops each equation, and so its residuals, as soon as it has passed it (unless the tape is
kept for more sweeps, as ``vjp`` does). Cotangents that are still zero are ``None`` and
never materialised; the first contribution is stored, later ones added.
"""

from __future__ import annotations

import numpy as np

from .. import config, errors
from ..tree import tree_leaves
from . import residual_locks
from .accumulate import Negated, Scattered, accumulate, densify
from .basic_ops import add_p, unbroadcast
from .primitive import Primitive
from .shaped import Shaped
from .trace import SCALARS, Trace, Tracer, bind, check_nans

_ndarray = np.ndarray
# Values that are never arrays: no residual to drop or protect.
_SCALARS = SCALARS


class _Projection:
    """Tape marker: output ``j`` of the multiple-result equation at index ``k``."""

    __slots__ = ("k", "j", "n")

    def __init__(self, k: int, j: int, n: int):
        self.k, self.j, self.n = k, j, n


class VJPTracer(Tracer):
    __slots__ = ("_index",)

    def __init__(self, trace: VJPTrace, value, index: int):
        self._value = value
        self._trace = trace
        self._level = trace.level
        self._index = index


class VJPTrace(Trace):
    """Records equations ``(prim, parents, saved, ans, params)``; ``parents[i]`` is the
    tape index of argument ``i``, or -1 when it is not traced at this level."""

    __slots__ = ("tape", "held", "keep_all", "constants")

    def __init__(self, keep_all: bool = False):
        super().__init__()
        self.tape: list = []
        self.held: list = []  # constant arrays made read-only until the sweep is done
        self.keep_all = keep_all  # keep every residual (make_trace, linearize)
        self.constants: dict = {}  # tape index -> value of traced constants (keep_all)

    def new_input(self, value) -> VJPTracer:
        """A traced input. Its array is protected from writes until the sweep is done
        (user code could reach it through a closure)."""
        self.tape.append(None)
        if type(value) is _ndarray:
            residual_locks.hold(value, self.held)
        return VJPTracer(self, value, len(self.tape) - 1)

    def new_constant(self, value) -> VJPTracer:
        """A traced value with no inputs (``np.zeros_like(x)`` of a traced ``x``), so
        that assignments into it are recorded."""
        self.tape.append(None)
        if self.keep_all:
            self.constants[len(self.tape) - 1] = value
        return VJPTracer(self, value, len(self.tape) - 1)

    def process(self, prim: Primitive, args: tuple, params: dict):
        if not self.active:
            self.check_active(prim)
        if len(args) == 1 and prim.vjp_fwd is None and not prim.multiple_results:
            # Fast path: one argument, necessarily a tracer of this level (bind chose it).
            a = args[0]
            v = a._value
            if not isinstance(v, Tracer):
                ans = prim.impl(v, **params) if params else prim.impl(v)
                if type(ans) is not _ndarray and type(v) in _SCALARS:
                    # Scalar code: no residual to drop or protect.
                    if config.debug_nans:
                        check_nans(prim, ans, "output")
                    tape = self.tape
                    tape.append((prim, (a._index,), (v,), ans, params))
                    return VJPTracer(self, ans, len(tape) - 1)
                saved = [v]
                parents = [a._index]
                saved_ans = ans
                if (type(v) is _ndarray or type(ans) is _ndarray) and prim.reads is not None \
                        and not self.keep_all:
                    saved_ans = self._drop_unread(prim, saved, parents, 1, ans)
                if config.debug_nans:
                    check_nans(prim, ans, "output")
                tape = self.tape
                tape.append((prim, parents, saved, saved_ans, params))
                return VJPTracer(self, ans, len(tape) - 1)
        elif len(args) == 2 and prim.vjp_fwd is None and not prim.multiple_results:
            # Fast path: scalar arithmetic with a constant or between two tracers of this
            # level (the eager cost per primitive of scalar code).
            a, b = args
            ta, tb = type(a), type(b)
            if ta is VJPTracer and a._trace is self:
                va, pa = a._value, a._index
            elif ta in _SCALARS:
                va, pa = a, -1
            else:
                va = None
            if va is not None:
                if tb is VJPTracer and b._trace is self:
                    vb, pb = b._value, b._index
                elif tb in _SCALARS:
                    vb, pb = b, -1
                else:
                    vb = None
                if vb is not None and type(va) in _SCALARS and type(vb) in _SCALARS:
                    ans = prim.impl(va, vb, **params) if params else prim.impl(va, vb)
                    if config.debug_nans:
                        check_nans(prim, ans, "output")
                    tape = self.tape
                    tape.append((prim, (pa, pb), (va, vb), ans, params))
                    return VJPTracer(self, ans, len(tape) - 1)
        level = self.level
        vals = list(args)
        parents = [-1] * len(args)
        mask = 0
        nested = False  # tracers of outer (lower) levels among the arguments
        arrays = False  # arrays whose residuals may be dropped or must be held
        i = 0
        for a in args:
            if isinstance(a, Tracer):
                if a._level == level:
                    a_value = vals[i] = a._value
                    parents[i] = a._index
                    mask |= 1 << i
                    if type(a_value) is _ndarray:
                        arrays = True
                    elif isinstance(a_value, Tracer):  # an outer level inside
                        nested = True
                else:
                    nested = True
            elif type(a) is _ndarray:
                arrays = True
            i += 1
        if prim.vjp_fwd is not None:
            ans, saved = prim.vjp_fwd(*vals, **params)
            saved_ans = ans
            for leaf in tree_leaves(saved):  # user-chosen residuals are protected too
                if type(leaf) is _ndarray:
                    residual_locks.hold(leaf, self.held)
        else:
            if nested:
                ans = bind(prim, *vals, **params)
            elif params:
                ans = prim.impl(*vals, **params)
            else:
                ans = prim.impl(*vals)
            saved = vals
            saved_ans = ans
            if arrays or type(ans) is _ndarray:
                if prim.reads is not None and not self.keep_all:
                    saved_ans = self._drop_unread(prim, vals, parents, mask, ans)
                else:
                    self._hold_constants(vals, parents)
        if config.debug_nans:
            check_nans(prim, ans, "output")
        tape = self.tape
        tape.append((prim, parents, saved, saved_ans, params))
        if not prim.multiple_results:
            return VJPTracer(self, ans, len(tape) - 1)
        k = len(tape) - 1
        outs = []
        n = len(ans)
        for j, a in enumerate(ans):
            tape.append(_Projection(k, j, n))
            outs.append(VJPTracer(self, a, len(tape) - 1))
        return tuple(outs)

    def _drop_unread(self, prim, vals, parents, mask, ans):
        """Replace arrays no rule will read by their shape; hold constant ones it will."""
        keep_args, keep_ans = prim.keep_for(mask)
        for i, v in enumerate(vals):
            if type(v) is _ndarray:
                if not (keep_args >> i) & 1:
                    if v.ndim:
                        vals[i] = Shaped(v)
                elif parents[i] < 0:
                    residual_locks.hold(v, self.held)
        if not keep_ans and (type(ans) is _ndarray or isinstance(ans, np.generic)):
            return Shaped(ans)
        return ans

    def _hold_constants(self, vals, parents):
        for v, p in zip(vals, parents):
            if p < 0 and type(v) is _ndarray:
                residual_locks.hold(v, self.held)

    def finish(self) -> None:
        """The traced function has returned: no new equations from now on."""
        self.active = False

    def release(self) -> None:
        """Drop the tape and make the constants it saved writeable again."""
        self.tape = []
        residual_locks.release(self.held)


def _materialise(cts: list, ans: tuple) -> tuple:
    from .basic_ops import broadcast_to_p

    out = []
    for c, a in zip(cts, ans):
        if c is None:
            c = broadcast_to_p(np.zeros((), dtype=np.result_type(a)), shape=np.shape(a))
        out.append(c)
    return tuple(out)


def backward(trace: VJPTrace, seeds: dict[int, object], keep: bool) -> list:
    """Sweep the tape of ``trace`` backwards from ``seeds`` (tape index -> cotangent).

    Returns the list of cotangents by tape index (``None`` where zero; read them with
    ``densify``, as one may be :class:`Scattered` or :class:`Negated`). With ``keep``
    false, each equation is dropped from the tape once it has been passed, so its
    residuals are freed as early as possible.
    """
    tape = trace.tape
    ct: list = [None] * len(tape)
    owned: dict = {}  # tape index -> the buffer in ct that this sweep may add into
    for index, g in seeds.items():
        accumulate(ct, owned, index, g)
    start = max(seeds) if seeds else -1
    debug = config.debug_nans
    for i in range(start, -1, -1):
        g = ct[i]
        if g is None:
            if not keep:
                tape[i] = None
            continue
        entry = tape[i]
        if entry is None:  # an input or a constant: its cotangent is a result
            continue
        if not keep:
            tape[i] = ct[i] = None
        if type(g) is Scattered:
            g = g.dense()
        elif type(g) is Negated and (type(entry) is _Projection
                                     or not entry[0].absorbs_negation):
            g = densify(g)
        if owned:
            owned.pop(i, None)  # final now: no contribution comes after its uses
        if type(entry) is _Projection:
            parts = ct[entry.k]
            if parts is None:
                parts = ct[entry.k] = [None] * entry.n
            parts[entry.j] = g if parts[entry.j] is None else add_p(parts[entry.j], g)
            continue
        prim, parents, saved, ans, params = entry
        if prim.multiple_results:
            g = _materialise(g, ans)
        if prim.vjp_all is not None:
            for p, c in zip(parents, prim.vjp_all(g, ans, saved, params, parents)):
                if p >= 0 and c is not None:
                    if debug:
                        check_nans(prim, densify(c), "cotangent")
                    accumulate(ct, owned, p, c)
            continue
        rules = prim.vjps
        broadcasts = prim.broadcasts
        j = 0
        for p in parents:
            if p >= 0:
                rule = rules[j] if j < len(rules) else None
                if rule is None:
                    rule = prim.vjp_rule(j)  # raises MissingRuleError
                c = rule(g, ans, *saved, **params) if params else rule(g, ans, *saved)
                if c is not None:
                    tc = type(c)
                    if tc in _SCALARS:  # a scalar: nothing to unbroadcast or densify
                        if debug:
                            check_nans(prim, c, "cotangent")
                        if ct[p] is None:
                            ct[p] = c
                        else:
                            accumulate(ct, owned, p, c)
                        j += 1
                        continue
                    if broadcasts:
                        if tc is _ndarray or isinstance(c, Tracer):
                            c = unbroadcast(c, saved[j])
                        elif tc is Negated:  # a sum of negated values is exact
                            v = unbroadcast(c.value, saved[j])
                            c = Negated(v) if type(v) is _ndarray and v.ndim else -v
                    if debug:
                        check_nans(prim, densify(c), "cotangent")
                    accumulate(ct, owned, p, c)
            j += 1
    return ct


def check_input(value, where: str, path: str):
    """Inputs to differentiate must be floating-point or complex arrays or numbers."""
    if isinstance(value, Tracer):
        return value
    if isinstance(value, (bool, np.bool_)) or (
        isinstance(value, (int, np.integer))
    ):
        kind = "a boolean" if isinstance(value, (bool, np.bool_)) else "an integer"
        raise errors.InputTypeError(
            f"{where}: argument {path} is {kind} ({value!r}); only floating-point or "
            f"complex inputs can be differentiated. Pass a float (e.g. {float(value)!r}) "
            f"or leave this argument out of argnums."
        )
    if isinstance(value, float):
        return np.float64(value)
    if isinstance(value, complex):
        return np.complex128(value)
    if isinstance(value, (np.ndarray, np.generic)):
        if not np.issubdtype(value.dtype, np.inexact):
            raise errors.InputTypeError(
                f"{where}: argument {path} has dtype {value.dtype}; only floating-point or "
                f"complex arrays can be differentiated. Convert it with "
                f".astype(float), or leave it out of argnums."
            )
        return value
    raise errors.InputTypeError(
        f"{where}: argument {path} is a {type(value).__name__}; expected a float or "
        f"complex NumPy array or number (or a pytree of them)."
    )
