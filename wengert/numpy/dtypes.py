"""dtype conversion: ``astype``, ``real`` precision changes and copies."""

from __future__ import annotations

import numpy as onp

from ..core import Primitive, defjvp, defvjp, dtype_of
from ._registry import register


def _is_complex(dtype) -> bool:
    return onp.issubdtype(dtype, onp.complexfloating)


def _astype_impl(x, dtype):
    x = onp.asarray(x)
    if _is_complex(x.dtype) and not _is_complex(dtype):
        x = x.real  # complex to real keeps the real part (NumPy does, with a warning)
    return x.astype(dtype)


def _astype_vjp(g, ans, x, dtype):
    # The cotangent goes back in the input's dtype (float32 -> float64 -> float32). A real
    # output's cotangent is real (Re g: complex to real is the transpose of real to
    # complex), also when the input is complex.
    if not _is_complex(dtype) and _is_complex(dtype_of(g)):
        g = astype_p(g, dtype=dtype)
    return g if dtype_of(g) == dtype_of(x) else astype_p(g, dtype=dtype_of(x))


astype_p = Primitive("astype", _astype_impl)
defvjp(astype_p, _astype_vjp, reads=((),))
defjvp(astype_p, lambda t, ans, x, dtype: astype_p(t, dtype=dtype))


def astype(x, dtype, copy=True, **kwargs):
    """``x.astype(dtype)``: a new array, as in NumPy (``copy=False``: ``x`` itself when
    the dtype already matches). Converting a traced value to an integer or boolean dtype
    drops its derivative (as the value is then piecewise constant)."""
    dtype = onp.dtype(dtype)
    if dtype_of(x) == dtype:
        # Not ``x`` itself: ``y = x.astype(x.dtype); y[0] = v`` must leave ``x`` alone.
        return copy_p(x) if copy else x
    if not onp.issubdtype(dtype, onp.inexact):
        from ._registry import strip

        return _astype_impl(strip(x), dtype)
    return astype_p(x, dtype=dtype)


register("astype", astype, "primitive", getattr(onp, "astype", None))


def _copy_impl(x):
    return onp.array(x, copy=True)


copy_p = Primitive("copy", _copy_impl)
defvjp(copy_p, lambda g, ans, x: g, reads=((),))
defjvp(copy_p, lambda t, ans, x: t)


def copy(a, order="K"):
    """``numpy.copy``: a new array (so it is not a view of ``a``)."""
    return copy_p(a)


register("copy", copy, "primitive")
