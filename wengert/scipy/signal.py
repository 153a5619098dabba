"""``wengert.scipy.signal``: ``convolve`` and ``correlate`` (modes full, same, valid; any
number of dimensions), differentiable in both inputs.

Convolution is bilinear. With ``F = convolve(x, y, 'full')`` (shape ``n + m - 1`` per
axis), every mode's output is the centred slice of ``F`` starting at
``(n + m - 1 - out) // 2`` (SciPy's ``_centered``). So, with ``G`` the cotangent ``g``
zero-padded back into that full frame,

    VJP in x:  convolve(G, flip(y), 'valid')      (shape of x)
    VJP in y:  convolve(G, flip(x), 'valid')      (shape of y)
    JVP:       convolve(tx, y, mode) + convolve(x, ty, mode)

(transposes without conjugation, the project's complex convention). Each rule costs one
convolution of the same size as the forward one (SciPy picks direct or FFT).
``correlate(x, y, mode) = convolve(x, flip(conj(y)), mode)``, which SciPy's correlate
equals in every mode.
"""

from __future__ import annotations

import numpy as onp
import scipy.signal as ss

import wengert.numpy as wnp

from ..core import Primitive, defjvp, defvjp, dtype_of, shape_of
from ..numpy._registry import register

__all__ = ["convolve", "correlate"]

_MODES = ("full", "same", "valid")


def _to_full_frame(g, x_shape, y_shape):
    """The cotangent of a mode's output, zero-padded into the 'full' output's frame."""
    widths = []
    for n, m, out in zip(x_shape, y_shape, shape_of(g)):
        full = n + m - 1
        start = (full - out) // 2
        widths.append((start, full - out - start))
    return wnp.pad(g, widths) if any(w != (0, 0) for w in widths) else g


def _vjp_x(g, ans, x, y, mode):
    return convolve_p(_to_full_frame(g, shape_of(x), shape_of(y)), wnp.flip(y), mode="valid")


def _vjp_y(g, ans, x, y, mode):
    return convolve_p(_to_full_frame(g, shape_of(x), shape_of(y)), wnp.flip(x), mode="valid")


convolve_p = Primitive("scipy.signal.convolve",
                       lambda x, y, mode: ss.convolve(x, y, mode=mode))
defvjp(convolve_p, _vjp_x, _vjp_y, reads=((1,), (0,)))
defjvp(convolve_p,
       lambda t, ans, x, y, mode: convolve_p(t, y, mode=mode),
       lambda t, ans, x, y, mode: convolve_p(x, t, mode=mode))


def _check(name: str, in1, in2, mode: str, method: str) -> None:
    if mode not in _MODES:
        raise ValueError(f"wengert.scipy.signal.{name}: mode must be one of {_MODES}, got "
                         f"{mode!r}")
    if method not in ("auto", "direct", "fft"):
        raise ValueError(f"wengert.scipy.signal.{name}: method must be 'auto', 'direct' or "
                         f"'fft', got {method!r}")
    s1, s2 = shape_of(in1), shape_of(in2)
    if len(s1) != len(s2):
        raise ValueError(f"wengert.scipy.signal.{name}: in1 and in2 should have the same "
                         f"dimensionality; got shapes {s1} and {s2}")
    if mode == "valid" and not (all(a >= b for a, b in zip(s1, s2))
                                or all(b >= a for a, b in zip(s1, s2))):
        raise ValueError(f"wengert.scipy.signal.{name}: in 'valid' mode one of in1, in2 "
                         f"must be at least as large as the other in every dimension; got "
                         f"shapes {s1} and {s2}")


def convolve(in1, in2, mode: str = "full", method: str = "auto"):
    """``scipy.signal.convolve``: the N-dimensional convolution of ``in1`` and ``in2``.
    ``method`` is passed over: SciPy chooses direct or FFT summation (same values)."""
    _check("convolve", in1, in2, mode, method)
    return convolve_p(in1, in2, mode=mode)


def correlate(in1, in2, mode: str = "full", method: str = "auto"):
    """``scipy.signal.correlate``: ``convolve(in1, flip(conj(in2)), mode)``."""
    _check("correlate", in1, in2, mode, method)
    if onp.issubdtype(dtype_of(in2), onp.complexfloating):
        in2 = wnp.conjugate(in2)
    return convolve_p(in1, wnp.flip(in2), mode=mode)


register("scipy.signal.convolve", convolve, "primitive", ss.convolve)
register("scipy.signal.correlate", correlate, "composite", ss.correlate)
