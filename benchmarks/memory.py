"""Peak memory of one call, as the growth of the process's resident set (RSS).

On Linux the kernel's high-water mark of the resident set (``VmHWM`` in
``/proc/self/status``) can be reset to the current size by writing ``5`` to
``/proc/self/clear_refs``. One call is measured as: collect garbage, reset the mark,
read the resident size, call, read the mark; the peak is the difference. RSS sees every
allocator (NumPy's, PyTorch's, XLA's), which tracemalloc does not. Before the call the
C heap's free memory is given back to the system (glibc's ``malloc_trim``), so memory
freed by earlier calls but kept by the allocator is not reused unseen. Memory an
allocator caches itself and the Python object heap can still be reused without growing
the resident set, so the number is a lower bound on what the call allocates, and
allocations of a few kilobytes do not show (a page is 4 KiB).

Where ``clear_refs`` is not available (not Linux), ``tracemalloc``'s peak is
used instead, which sees only allocations made through Python's and NumPy's allocators;
the JSON says which (``method``).
"""

from __future__ import annotations

import ctypes
import gc
import tracemalloc
from collections.abc import Callable


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise OSError(f"{field} not in /proc/self/status")


def _rss_reset() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        _status_kib("VmHWM")
        return True
    except OSError:
        return False


def method() -> str:
    return "rss" if _rss_reset() else "tracemalloc"


def _trim() -> None:
    """Give the C heap's free memory back to the system (glibc ``malloc_trim``), so that
    memory an earlier call freed but the allocator kept must be faulted in again, and
    so counted, if this call uses it."""
    global _LIBC
    if _LIBC is None:
        try:
            _LIBC = ctypes.CDLL("libc.so.6")
            _LIBC.malloc_trim  # noqa: B018 - glibc only
        except (OSError, AttributeError):
            _LIBC = False
    if _LIBC:
        _LIBC.malloc_trim(0)


_LIBC = None


def peak_bytes(fn: Callable[[], object]) -> dict:
    """``{"bytes": peak growth during one call of fn, "method": "rss" | "tracemalloc"}``."""
    gc.collect()
    _trim()
    if _rss_reset():
        before = _status_kib("VmRSS")
        fn()
        peak = _status_kib("VmHWM")
        return {"bytes": max(peak - before, 0) * 1024, "method": "rss"}
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return {"bytes": max(tracemalloc.get_traced_memory()[1] - base, 0),
                "method": "tracemalloc"}
    finally:
        tracemalloc.stop()
