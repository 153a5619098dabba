"""Pause Python's cyclic garbage collector while a Wengert list is recorded and swept.

A tape is millions of small containers (one tuple and two lists per equation). Each
allocation counts towards the collector's thresholds, so long traces trigger collections
that walk the ever larger tape again and again, for nothing: the tape holds no reference
cycles (tracers point to their trace, never back), so reference counting frees it. The
collector is paused for the duration and restored after; cycles made by user code in
between are collected at the next collection as usual. A counter makes nested and
concurrent pauses restore the collector only when the last one ends.
"""

from __future__ import annotations

import contextlib
import gc
import threading

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def gc_paused():
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
