"""One factorisation per traced matrix, shared by the calls that need it.

``slogdet(A)`` and ``solve(A, b)`` on the same traced ``A`` in one trace factorise ``A``
once: the factors are remembered per tracer object (weakly: the entry goes when the
tracer does) together with the identity of its value, so a tracer rebound by ``x[i] = v``
is factorised again. The value is also compared with a private copy taken at
factorisation time (O(n²), against the O(n³) saved), so an in-place write into the array
behind a tracer can never reuse stale factors. Plain arrays are never cached: NumPy code
that mutates its arrays between calls stays correct.

Compiled code (``jit``) knows no factors while it traces: its primitives receive plain
arrays and factorise when they run. Within one call of such a program
(:func:`shared_factors`), :func:`factors_of_plain` shares one factorisation between the
calls on the same array object, under the same guard: reused only while the array
equals the private copy taken when it was factorised, so a buffer written again in
place is factorised again. Nothing is kept past the call.
"""

from __future__ import annotations

import contextlib
import contextvars
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


_call_scope: contextvars.ContextVar = contextvars.ContextVar("wengert_shared_factors",
                                                             default=None)


@contextlib.contextmanager
def shared_factors():
    """Within this block (one call of a compiled program), :func:`factors_of_plain`
    shares factorisations between the calls on the same unchanged array; they are all
    dropped when it ends, so nothing is memoised across calls."""
    token = _call_scope.set({})
    try:
        yield
    finally:
        _call_scope.reset(token)


def factors_of_plain(a, what: str = "solve") -> Factorization:
    """The factorisation of the plain array ``a``: inside :func:`shared_factors`, shared
    with the earlier calls on the same array object while it equals the copy taken when
    it was factorised (a buffer written again in place is factorised again); outside,
    computed afresh."""
    kept = _call_scope.get()
    if kept is None or type(a) is not onp.ndarray:
        return factorize(onp.asarray(a), what)
    entry = kept.get(id(a))
    if entry is not None:
        held, copy, fac = entry  # held: a reference, so the id is not reused meanwhile
        if held is a and onp.array_equal(a, copy):
            return fac
    fac = factorize(a, what)
    kept[id(a)] = (a, a.copy(), fac)
    return fac
