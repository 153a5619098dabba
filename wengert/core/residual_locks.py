"""Protect arrays saved for the backward sweep from being written before it runs.

Reverse mode keeps references, not copies, of the constant arrays its rules read. If user
code wrote into such an array after it was saved, the sweep would compute a wrong gradient
without a word. So a saved constant (and the arrays it is a view of) is made read-only
until the sweep that needs it has finished; a write in between raises NumPy's
"assignment destination is read-only" error at the line that writes. Arrays are counted,
so several traces (nested, or in other threads) can hold the same one.

Limit: a second, independent view of the same memory taken *before* the save stays
writeable (NumPy keeps a writeable flag per view); writing through it is not caught.
"""

from __future__ import annotations

import threading

import numpy as np

_lock = threading.Lock()
_held: dict[int, list] = {}  # id(array) -> [array, count]


def _chain(array: np.ndarray):
    while isinstance(array, np.ndarray):
        yield array
        array = array.base


def hold(array: np.ndarray, held_by: list) -> None:
    """Make ``array`` read-only until :func:`release`; remember it in ``held_by``."""
    with _lock:
        for a in _chain(array):
            key = id(a)
            entry = _held.get(key)
            if entry is not None:
                entry[1] += 1
            elif a.flags.writeable:
                a.flags.writeable = False
                _held[key] = [a, 1]
            else:
                continue
            held_by.append(a)


def release(held_by: list) -> None:
    """Undo :func:`hold` for every array in ``held_by`` (bases before their views)."""
    with _lock:
        for a in reversed(held_by):
            entry = _held.get(id(a))
            if entry is None:
                continue
            entry[1] -= 1
            if entry[1] == 0:
                del _held[id(a)]
                try:
                    a.flags.writeable = True
                except ValueError:  # its base went read-only meanwhile: leave it
                    pass
        held_by.clear()
