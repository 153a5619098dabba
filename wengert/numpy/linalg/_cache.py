"""One factorisation per traced matrix, shared by the calls that need it.

``slogdet(A)`` and ``solve(A, b)`` on the same traced ``A`` in one trace factorise ``A``
once: the factors are remembered per tracer object (weakly: the entry goes when the
tracer does) together with the identity of its value, so a tracer rebound by ``x[i] = v``
is factorised again. The value is also compared with a private copy taken at
factorisation time (O(n²), against the O(n³) saved), so an in-place write into the array
behind a tracer can never reuse stale factors. Plain arrays are never cached: NumPy code
that mutates its arrays between calls stays correct.
"""

from __future__ import annotations

import threading
import weakref

import numpy as onp

from ...core import Tracer, primal
from ._lapack import Factorization, factorize

try:  # a staging trace (jit) reads values later; absent in cores without one
    from ...core.trace import staged as _staged
except ImportError:  # pragma: no cover
    _staged = None

_lock = threading.Lock()
_entries: dict[int, tuple] = {}  # id(tracer) -> (weakref(tracer), value, copy, factors)


def _forget(key: int):
    def callback(_ref):
        with _lock:
            _entries.pop(key, None)

    return callback


def factors_of(a, what: str) -> Factorization | None:
    """The factorisation of ``a``'s value, shared between calls on the same tracer.
    None under a staging trace (jit): the value is not known until the compiled code
    runs, so the primitives factorise then (``factors=None``)."""
    if _staged is not None and _staged(a) is not None:
        return None
    value = onp.asarray(primal(a))
    if not isinstance(a, Tracer):
        return factorize(value, what)
    key = id(a)
    with _lock:
        entry = _entries.get(key)
    if entry is not None:
        ref, cached_value, copy, fac = entry
        if ref() is a and cached_value is value and onp.array_equal(value, copy):
            return fac
    fac = factorize(value, what)
    with _lock:
        _entries[key] = (weakref.ref(a, _forget(key)), value, value.copy(), fac)
    return fac
