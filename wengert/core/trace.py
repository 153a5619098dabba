"""Trace levels, tracers and ``bind``.

Each transformation (``grad``, ``jvp``, ...) opens a *trace* with a fresh level, and wraps
its inputs in tracers of that level. ``bind(prim, *args)`` finds the tracer of the highest
level among the arguments and lets its trace process the call; the trace unwraps its own
tracers, binds the primitive again on what is inside (which may be tracers of outer, lower
levels), and wraps the result. With no tracer among the arguments the implementation runs
directly, so rules evaluated during a first-order sweep cost what NumPy costs.

Levels are what keep nested derivatives apart (no perturbation confusion). In

    d/dx [ x * d/dy (x + y) ]   at y = 1

the outer ``grad`` boxes ``x`` at level 1 and the inner one boxes ``y`` at level 2. Inside,
``x + y`` is handled by level 2, which treats the level-1 ``x`` as a constant, so the inner
derivative is exactly 1 and the whole expression is d/dx [x] = 1, not 2.

Levels come from one process-wide counter, so a trace opened later (an inner one) always
has a higher level, and traces of different threads never share a level: there is no other
global trace state, so gradients in several threads at once are each correct.
"""

from __future__ import annotations

import itertools
import os
import sys
import weakref

import numpy as np

from .. import errors
from .primitive import Primitive

_levels = itertools.count(1)

#: Types of values that are never arrays (Python and NumPy scalars).
SCALARS = frozenset({float, int, complex, np.float64, np.float32, np.float16, np.complex128,
                     np.complex64})
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Trace:
    """Base of the reverse- and forward-mode traces."""

    __slots__ = ("level", "active", "__weakref__")
    # A staging trace (jit) records where Python reads a traced value, as a guard: it
    # defines ``read(tracer, kind)`` and ``call_nondiff(...)``.
    stages = False

    def __init__(self):
        self.level = next(_levels)
        self.active = True

    def process(self, prim: Primitive, args: tuple, params: dict):
        raise NotImplementedError

    def check_active(self, prim: Primitive) -> None:
        if not self.active:
            raise errors.EscapedTracerError(
                f"{prim.name}: an argument is a traced value of a {type(self).__name__} "
                f"(level {self.level}) that has already finished: a tracer escaped the "
                f"function being differentiated (stored in a global, a closure or an "
                f"attribute) and was used afterwards. Return it from the function instead."
            )


class Tracer:
    """A value being traced at some level. Subclasses add what their mode carries.

    NumPy calls on tracers are routed to ``wengert.numpy`` through ``__array_ufunc__`` and
    ``__array_function__``; the NumPy layer installs the operators and methods.
    """

    __slots__ = ("_value", "_trace", "_level", "_base", "_views", "__weakref__")
    __array_priority__ = 1000
    # Installed by wengert.numpy: (ufunc, method, inputs, kwargs) and
    # (func, types, args, kwargs) -> result.
    _ufunc_dispatch = None
    _function_dispatch = None

    # -- what the traced value looks like --------------------------------------------

    @property
    def shape(self) -> tuple:
        return np.shape(primal(self))

    @property
    def dtype(self) -> np.dtype:
        return np.result_type(primal(self))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def __len__(self) -> int:
        shape = self.shape
        if not shape:
            raise TypeError("len() of a 0-d traced array")
        return shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(shape={self.shape}, dtype={self.dtype}, "
            f"level={self._level})"
        )

    # -- NumPy protocols --------------------------------------------------------------

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return Tracer._ufunc_dispatch(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return Tracer._function_dispatch(func, types, args, kwargs)

    def __array__(self, dtype=None, copy=None):
        if self._trace.stages:  # jit: specialise on the value, guarded
            value = self._trace.read(self, "array")
            return value if dtype is None else value.astype(dtype)
        # A SciPy function that converts its arguments: the hint names wengert's own.
        hint = getattr(Tracer, "_conversion_hint", None)
        raise errors.TracerConversionError(
            (hint() if hint is not None else "") +
            "numpy.asarray(): cannot turn a traced value into a plain NumPy array; that "
            "would drop its derivative. Use wengert.numpy functions (or NumPy functions, "
            "which dispatch to them) on it, or wengert.stop_gradient(x) to use it as a "
            "constant on purpose. Writing a traced value into a NumPy array fails the same "
            "way: build the array from a traced one (np.zeros_like(x)) or use np.stack."
        )

    def _no_conversion(self, kind: str):
        raise errors.TracerConversionError(
            f"{kind}() of a traced value would drop its derivative. Keep it an array, or "
            f"use wengert.stop_gradient(x) to use its value as a constant on purpose. To "
            f"fill an array with traced values, start from a traced one (np.zeros_like(x)) "
            f"or use np.stack."
        )

    def __float__(self):
        if self._trace.stages:  # jit: a guarded constant (no derivative is dropped)
            return self._trace.read(self, "float")
        self._no_conversion("float")

    def __int__(self):
        if self._trace.stages:
            return self._trace.read(self, "int")
        self._no_conversion("int")

    def __complex__(self):
        if self._trace.stages:
            return self._trace.read(self, "complex")
        self._no_conversion("complex")

    def __index__(self):
        if self._trace.stages:
            return self._trace.read(self, "index")
        self._no_conversion("operator.index")

    def __bool__(self) -> bool:
        # Control flow reads the value; the derivative is not involved. Under jit the
        # decision is recorded as a guard.
        found = staged(self)
        if found is not None:
            return found._trace.read(found, "bool")
        return bool(primal(self))

    def __hash__(self):
        return id(self)


def primal(x):
    """The plain value inside any number of tracers."""
    while isinstance(x, Tracer):
        x = x._value
    return x


def staged(x):
    """The tracer of a staging trace (jit) inside ``x``, or None."""
    while isinstance(x, Tracer):
        if x._trace.stages:
            return x
        x = x._value
    return None


def concrete(x):
    """The plain value inside ``x``, for code that needs a value rather than a traced
    one (an index, a shape). Under jit the value is specialised on, with a guard."""
    found = staged(x)
    if found is not None:
        return found._trace.read(found, "array")
    return primal(x)


def nondiff_operand(x, as_array: bool = False):
    """``x`` for a computation that is not differentiated (a mask, a count): its plain
    value (as an array with ``as_array``), or under jit its staging tracer, so that the
    computation is recorded and stays valid for other inputs (branches on it become
    guards)."""
    found = staged(x)
    if found is not None:
        return found
    return np.asarray(primal(x)) if as_array else primal(x)


def bind(prim: Primitive, *args, **params):
    """Apply ``prim``: by the trace of the highest-level tracer among ``args``, or
    directly when there is none."""
    if len(args) == 1:  # one argument: its trace, if it is traced, is the top one
        a = args[0]
        if isinstance(a, Tracer):
            return a._trace.process(prim, args, params)
        return prim.impl(a, **params) if params else prim.impl(a)
    level = 0
    for a in args:
        if isinstance(a, Tracer) and a._level > level:
            level = a._level
            top = a._trace
    if not level:  # no tracer: the implementation, directly (the common case in a sweep)
        if params:
            return prim.impl(*args, **params)
        return prim.impl(*args)
    return top.process(prim, args, params)


Primitive.__call__ = bind  # prim(*args, **params) binds it


# -- views ------------------------------------------------------------------------------


def mark_view(out, base) -> None:
    """Record that traced ``out`` is, in NumPy, a view of traced ``base``.

    Assignment into a tracer is a functional update; NumPy's would also change every
    live view of the array, or the array a view was taken from. Where that difference
    could show, ``__setitem__`` raises rather than silently diverge from NumPy.
    """
    if isinstance(out, Tracer) and isinstance(base, Tracer):
        out._base = weakref.ref(base)
        views = getattr(base, "_views", None)
        if views is None:
            views = base._views = []
        views.append(weakref.ref(out))


def live_alias(x: Tracer) -> str | None:
    """Why an in-place update of ``x`` would show through an alias, or None."""
    base = getattr(x, "_base", None)
    if base is not None and base() is not None:
        return "it is a view of another traced array that is still in use"
    for ref in getattr(x, "_views", None) or ():
        if ref() is not None:
            return "a view of it (a slice, reshape or transpose) is still in use"
    return None


# -- debugging ----------------------------------------------------------------------------


def user_frame() -> str:
    """``file:line`` of the innermost frame outside the wengert package."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(_PACKAGE_DIR):
            return f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "<unknown>"


def check_nans(prim: Primitive, value, what: str) -> None:
    """Raise at the first NaN ``prim`` produced (callers check ``config.debug_nans``)."""
    for v in value if isinstance(value, (tuple, list)) else (value,):
        v = primal(v)
        if v is None:
            continue
        try:
            bad = bool(np.isnan(v).any())
        except TypeError:
            continue
        if bad:
            raise errors.NaNError(
                f"{prim.name} produced NaN in its {what}, called from {user_frame()} "
                f"(config.debug_nans is on)"
            )
