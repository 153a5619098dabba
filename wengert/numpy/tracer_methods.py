"""Operators and array methods on tracers, so traced values behave like NumPy arrays.

``x + y``, ``x @ w``, ``x.sum(axis=0)``, ``x.T``, ``x[idx]``, ``x[idx] = v`` ... each goes
to the ``wengert.numpy`` function of the same meaning. Comparisons return plain boolean
arrays: they carry no derivative, and Python control flow can read them.
"""

from __future__ import annotations

import numpy as onp

from .. import errors
from ..core import Primitive, Tracer, primal
from ..core.trace import SCALARS, bind, live_alias, staged

_NO_PARAMS: dict = {}  # shared by operator calls; nothing writes into params


def _ns():
    from .. import numpy as wnp

    return wnp


def _binary(name: str, reflected: bool = False):
    # Resolved once, at install time (after the namespace is built): operators are hot.
    # ``x * 2.0`` with a Python or NumPy scalar has one tracer, so its trace is the one
    # that handles the call: the operator goes straight to it, skipping ``bind``.
    def make():
        fn = getattr(_ns(), name)
        if not isinstance(fn, Primitive):
            if reflected:
                def method(self, other):
                    return fn(other, self)
            else:
                def method(self, other):
                    return fn(self, other)
        elif reflected:
            def method(self, other):
                if type(other) in SCALARS:
                    return self._trace.process(fn, (other, self), _NO_PARAMS)
                return bind(fn, other, self)
        else:
            def method(self, other):
                if type(other) in SCALARS:
                    return self._trace.process(fn, (self, other), _NO_PARAMS)
                return bind(fn, self, other)
        method.__name__ = name
        return method

    return make


def _compare(np_op):
    def method(self, other):
        found = staged(self)
        if found is None:
            found = staged(other)
        if found is not None:  # under jit: recorded, so a branch on it becomes a guard
            return found._trace.call_nondiff(np_op, (self, other), {})
        return np_op(primal(self), primal(other))

    return method


_OPERATORS = {
    "__add__": _binary("add"), "__radd__": _binary("add", True),
    "__sub__": _binary("subtract"), "__rsub__": _binary("subtract", True),
    "__mul__": _binary("multiply"), "__rmul__": _binary("multiply", True),
    "__truediv__": _binary("divide"), "__rtruediv__": _binary("divide", True),
    "__floordiv__": _binary("floor_divide"), "__rfloordiv__": _binary("floor_divide", True),
    "__mod__": _binary("remainder"), "__rmod__": _binary("remainder", True),
    "__pow__": _binary("power"), "__rpow__": _binary("power", True),
    "__matmul__": _binary("matmul"), "__rmatmul__": _binary("matmul", True),
    "__lt__": _compare(onp.less), "__le__": _compare(onp.less_equal),
    "__gt__": _compare(onp.greater), "__ge__": _compare(onp.greater_equal),
    "__eq__": _compare(onp.equal), "__ne__": _compare(onp.not_equal),
}


def _neg(self):
    return _ns().negative(self)


def _pos(self):
    return self


def _abs(self):
    return _ns().absolute(self)


def _getitem(self, index):
    return _ns().getitem(self, index)


def _rebind(self, new, what: str) -> None:
    """Make tracer ``self`` stand for ``new``: how in-place operations (``x[i] = v``,
    ``x.sort()``) are recorded, as functional updates in the Wengert list."""
    why = live_alias(self)
    if why is not None:
        raise errors.TracerConversionError(
            f"{what} on a traced array: {why}. NumPy would update that alias in place; "
            f"wengert records in-place operations as functional updates and cannot. Copy "
            f"first (x = x.copy()) or do it before taking views."
        )
    if not isinstance(new, type(self)) or new._trace is not self._trace:
        raise errors.TracerConversionError(
            f"{what}: the new value is traced by a transformation nested inside the one "
            f"that traces x, so x cannot hold it. Build the array with np.stack or "
            f"np.concatenate, or make x inside the inner transformation."
        )
    self._value = new._value
    for slot in type(self).__slots__:  # the mode's own slots: _index or _tangent
        setattr(self, slot, getattr(new, slot))
    for slot in ("_base", "_views"):
        if hasattr(self, slot):
            delattr(self, slot)


def _setitem(self, index, value):
    """``x[index] = value`` as a functional update recorded in the Wengert list: the
    tracer ``x`` now stands for the updated array."""
    if live_alias(self) is None:
        new = _ns().index_update(self, index, value)
    else:
        new = None
    _rebind(self, new, "x[...] = v")


def _sort_in_place(self, axis=-1, kind=None, order=None):
    """``x.sort()``: sorts in place, as NumPy's method does (returns None)."""
    new = _ns().sort(self, axis=axis, kind=kind, order=order) if live_alias(self) is None else None
    _rebind(self, new, "x.sort()")


def _property(name):
    return property(lambda self: getattr(_ns(), name)(self))


_METHODS = {
    "__neg__": _neg, "__pos__": _pos, "__abs__": _abs,
    "__getitem__": _getitem, "__setitem__": _setitem,
    "T": _property("transpose"),
    "mT": property(lambda self: _ns().swapaxes(self, -1, -2)),
    "real": _property("real"), "imag": _property("imag"),
}

# Array methods that are the namespace function with ``self`` first.
_SAME_AS_FUNCTION = (
    "sum", "prod", "mean", "var", "std", "max", "min", "cumsum", "cumprod", "dot",
    "transpose", "swapaxes", "squeeze", "ravel", "flatten", "diagonal", "trace",
    "clip", "round", "conj", "conjugate", "repeat", "take", "argmax", "argmin",
    "argsort", "nonzero", "all", "any", "astype", "copy",
)


def _function_method(name):
    def method(self, *args, **kwargs):
        return getattr(_ns(), name)(self, *args, **kwargs)

    method.__name__ = name
    return method


def _reshape(self, *shape, **kwargs):
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = shape[0]
    return _ns().reshape(self, shape, **kwargs)


def _item(self, *args):
    return Tracer._no_conversion(self, "item")


def install() -> None:
    """Put the operators and methods on ``Tracer``; called once the namespace is built."""
    for name, fn in _OPERATORS.items():
        setattr(Tracer, name, fn() if fn.__name__ == "make" else fn)
    for name, fn in _METHODS.items():
        setattr(Tracer, name, fn)
    for name in _SAME_AS_FUNCTION:
        setattr(Tracer, name, _function_method(name))
    Tracer.reshape = _reshape
    Tracer.sort = _sort_in_place
    Tracer.item = _item
    Tracer.tolist = _item
