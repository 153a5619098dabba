"""What to call instead, when a SciPy function converts a traced value.

Many SciPy functions (``scipy.stats.norm.logpdf``, ``scipy.special.logsumexp``,
``scipy.signal.convolve``) turn their arguments into arrays with ``numpy.asarray``
before NumPy's dispatch could route them, so a traced value fails there. The tracer's
``__array__`` then asks :func:`conversion_hint`, which finds the SciPy function the user
called (the outermost SciPy frame on the stack) and names its ``wengert.scipy``
counterpart, if there is one.
"""

from __future__ import annotations

import sys

from ..numpy._registry import TABLE


def _distribution_name(obj) -> str | None:
    """The name of a scipy.stats distribution object (generic or frozen), or None."""
    module = type(obj).__module__ or ""
    if not module.startswith("scipy.stats"):
        return None
    dist = getattr(obj, "dist", obj)  # a frozen distribution holds the generic one
    name = getattr(dist, "name", None)
    if isinstance(name, str):
        return name
    cls = type(dist).__name__
    for suffix in ("_gen", "_frozen"):
        if cls.endswith(suffix):
            return cls[: -len(suffix)]
    return None


def _caller() -> str | None:
    """``scipy.<package>.<function>`` (or ``scipy.stats.<dist>.<method>``) of the
    outermost frame of the innermost run of SciPy frames on the stack."""
    frame, entry = sys._getframe(1), None
    while frame is not None:
        is_scipy = frame.f_globals.get("__name__", "").split(".")[0] == "scipy"
        if is_scipy:
            entry = frame
        elif entry is not None:
            break
        frame = frame.f_back
    if entry is None:
        return None
    name = entry.f_code.co_name
    dist = _distribution_name(entry.f_locals.get("self"))
    if dist is not None:
        return f"scipy.stats.{dist}.{name}"
    package = entry.f_globals["__name__"].split(".")
    return f"scipy.{package[1]}.{name}" if len(package) > 1 else f"scipy.{name}"


def conversion_hint() -> str:
    """A sentence for the conversion error, or ``''`` when no SciPy function is calling."""
    try:
        caller = _caller()
    except Exception:  # never mask the conversion error itself
        return ""
    if caller is None:
        return ""
    if caller in TABLE:
        return (f"{caller} converts its arguments with numpy.asarray, so it cannot carry "
                f"derivatives; call wengert.{caller} instead, which does. ")
    return (f"{caller} (SciPy) converts its arguments with numpy.asarray and has no "
            f"wengert counterpart; define its derivative with wengert.custom_vjp. ")
