"""The table the NumPy namespace is built from.

Every public name of ``wengert.numpy`` is one entry, of one of four kinds:

* ``primitive``: a :class:`~wengert.core.Primitive` with VJP and JVP rules;
* ``composite``: written with other entries, so it differentiates through them;
* ``nondiff``: the output carries no derivative (``argmax``, comparisons); called on
  traced values it runs NumPy on their plain values;
* ``passthrough``: array creation and the like, which take no traced values.

The same table routes plain NumPy calls on tracers (``__array_ufunc__`` and
``__array_function__``) and is the coverage report in the docs. A NumPy function with no
entry, called on a traced value, raises :class:`UnsupportedFunctionError` naming it.
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
from collections.abc import Callable
from typing import Any

import numpy as onp

from .. import errors
from ..core import Tracer, primal
from ..core.trace import concrete, staged
from ..tree import tree_map

KINDS = ("primitive", "composite", "nondiff", "passthrough")


@dataclasses.dataclass(frozen=True)
class Entry:
    name: str
    kind: str
    function: Callable
    numpy_function: Any  # the NumPy object this entry stands for, or None


TABLE: dict[str, Entry] = {}
_BY_NUMPY: dict[Any, Callable] = {}


def register(name: str, function: Callable, kind: str, numpy_function: Any = None):
    """Add ``name`` to the namespace; route ``numpy_function`` on tracers to it."""
    if kind not in KINDS:
        raise ValueError(f"register({name!r}): kind must be one of {KINDS}, got {kind!r}")
    if name in TABLE:
        raise ValueError(f"register({name!r}): already registered")
    if numpy_function is None:
        numpy_function = getattr(onp, name, None)
    TABLE[name] = Entry(name, kind, function, numpy_function)
    if numpy_function is not None and numpy_function not in _BY_NUMPY:
        _BY_NUMPY[numpy_function] = function
    return function


def strip(tree):
    """Plain values of every tracer in ``tree`` (for non-differentiable functions).
    Under jit each value read is specialised on, with a guard (``core.concrete``)."""
    return tree_map(concrete, tree) if not isinstance(tree, Tracer) else concrete(tree)


def _plain(tree):
    """Plain values, for functions of shapes and dtypes only (no guard needed)."""
    return tree_map(primal, tree) if not isinstance(tree, Tracer) else primal(tree)


# Functions of shape and dtype only: under jit the input signature already fixes them.
_STATIC = frozenset({"shape", "ndim", "size", "result_type", "iscomplexobj", "isrealobj",
                     "isscalar"})


def nondiff(name: str, numpy_function: Callable | None = None) -> Callable:
    """Register a NumPy function whose output has no derivative."""
    np_fn = numpy_function if numpy_function is not None else getattr(onp, name)

    if name in _STATIC:
        def function(*args, **kwargs):
            return np_fn(*[_plain(a) for a in args], **{k: _plain(v) for k, v in kwargs.items()})
    else:
        def function(*args, **kwargs):
            for a in (*args, *kwargs.values()):
                found = staged(a)
                if found is not None:  # under jit: recorded, not evaluated once
                    return found._trace.call_nondiff(np_fn, args, kwargs)
            return np_fn(*[strip(a) for a in args], **{k: strip(v) for k, v in kwargs.items()})

    function.__name__ = name
    function.__doc__ = f"``numpy.{name}``; its output carries no derivative."
    return register(name, function, "nondiff", np_fn)


def passthrough(name: str, numpy_function: Callable | None = None) -> Callable:
    """Register a NumPy function that takes no traced values (array creation)."""
    np_fn = numpy_function if numpy_function is not None else getattr(onp, name)

    def function(*args, **kwargs):
        for a in list(args) + list(kwargs.values()):
            if isinstance(a, Tracer):
                raise errors.UnsupportedFunctionError(
                    f"wengert.numpy.{name}: got a traced value; {name} creates arrays from "
                    f"plain values and has no derivative."
                )
        return np_fn(*args, **kwargs)

    function.__name__ = name
    function.__doc__ = f"``numpy.{name}``, passed through (takes no traced values)."
    return register(name, function, "passthrough", np_fn)


def _unsupported(what: str) -> errors.UnsupportedFunctionError:
    return errors.UnsupportedFunctionError(
        f"{what} was called on a traced value, but wengert has no derivative rule for it. "
        f"Use a wengert.numpy function that has one, or define its derivative with "
        f"wengert.custom_vjp (and custom_jvp for forward mode)."
    )


def route(numpy_function: Any, function: Callable) -> None:
    """Route another NumPy/SciPy object (a private ufunc that a public function calls)
    to an existing entry's function, without a name of its own in the table."""
    _BY_NUMPY.setdefault(numpy_function, function)


def _scipy_label(obj) -> str | None:
    """``scipy.special.<name>`` for a SciPy ufunc, ``<module>.<name>`` for a SciPy
    function, None for anything else."""
    if isinstance(obj, onp.ufunc):
        for module in ("scipy.special", "scipy.special._ufuncs"):
            if getattr(sys.modules.get(module), obj.__name__, None) is obj:
                return f"scipy.special.{obj.__name__}"
        return None
    module = getattr(obj, "__module__", None) or ""
    return f"{module}.{obj.__name__}" if module.split(".")[0] == "scipy" else None


def _lookup(obj):
    """The entry's function for a NumPy/SciPy object. ``wengert.scipy`` (slow to import,
    so not imported with wengert) is imported the first time a SciPy object misses."""
    fn = _BY_NUMPY.get(obj)
    if fn is None and "wengert.scipy" not in sys.modules and _scipy_label(obj):
        importlib.import_module("wengert.scipy")  # registers the scipy.* entries
        fn = _BY_NUMPY.get(obj)
    return fn


def conversion_hint() -> str:
    """For ``Tracer.__array__``: if SciPy is converting the tracer, a sentence naming
    the wengert function to call instead (``''`` otherwise)."""
    if "scipy" not in sys.modules:
        return ""
    return importlib.import_module("wengert.scipy._hints").conversion_hint()


def dispatch_ufunc(ufunc, method: str, inputs: tuple, kwargs: dict):
    """``__array_ufunc__`` of tracers: ``numpy.sin(x)`` -> ``wengert.numpy.sin(x)``."""
    fn = _lookup(ufunc)
    if fn is None:
        raise _unsupported(_scipy_label(ufunc) or f"numpy.{ufunc.__name__}")
    if method != "__call__":
        if method == "reduce" and ufunc in _UFUNC_REDUCTIONS:
            return _BY_NUMPY[_UFUNC_REDUCTIONS[ufunc]](*inputs, **kwargs)
        raise _unsupported(f"numpy.{ufunc.__name__}.{method}")
    if kwargs.get("out") is not None:
        raise errors.UnsupportedFunctionError(
            f"numpy.{ufunc.__name__}(..., out=...): writing a traced result into an "
            f"existing array is not supported; assign the result instead."
        )
    kwargs = {k: v for k, v in kwargs.items() if k != "out"}
    if kwargs:
        raise errors.UnsupportedFunctionError(
            f"numpy.{ufunc.__name__} on a traced value: keyword arguments "
            f"{sorted(kwargs)} are not supported."
        )
    return fn(*inputs)


def dispatch_function(func, types, args: tuple, kwargs: dict):
    """``__array_function__`` of tracers: ``numpy.sum(x)`` -> ``wengert.numpy.sum(x)``."""
    fn = _lookup(func)
    if fn is None:
        module = getattr(func, "__module__", "numpy") or "numpy"
        raise _unsupported(f"{module}.{func.__name__}")
    return fn(*args, **kwargs)


_UFUNC_REDUCTIONS = {onp.add: onp.sum, onp.multiply: onp.prod, onp.maximum: onp.max,
                     onp.minimum: onp.min}

Tracer._ufunc_dispatch = staticmethod(dispatch_ufunc)
Tracer._function_dispatch = staticmethod(dispatch_function)
Tracer._conversion_hint = staticmethod(conversion_hint)
