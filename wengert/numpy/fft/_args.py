"""Argument normalisation of the FFT functions: ``n``/``axis``, ``s``/``axes``, ``norm``.

Every transform reaches its primitive with ``axes`` a tuple of distinct non-negative ints,
``s`` a tuple of output lengths (one per axis, each >= 1) and ``norm`` one of
``"backward"``, ``"ortho"``, ``"forward"``, so the rules never see NumPy's defaults.
"""

from __future__ import annotations

import numpy as onp

from ...core import shape_of

NORMS = (None, "backward", "ortho", "forward")


def where(name: str) -> str:
    return f"wengert.numpy.fft.{name}"


def check_norm(name: str, norm) -> str:
    if norm not in NORMS:
        raise ValueError(
            f"{where(name)}: norm must be None, 'backward', 'ortho' or 'forward'; got "
            f"{norm!r}"
        )
    return norm or "backward"


def swap_norm(norm: str) -> str:
    """The normalisation of the opposite direction (hfft/ihfft are irfft/rfft of the
    conjugate with the direction's scaling swapped)."""
    return {"backward": "forward", "forward": "backward"}.get(norm, norm)


def check_out(name: str, out) -> None:
    if out is not None:
        raise TypeError(
            f"{where(name)}: out= is not supported; assign the result instead"
        )


def _axis(name: str, axis, ndim: int) -> int:
    if isinstance(axis, (bool, onp.bool_)) or not isinstance(axis, (int, onp.integer)):
        raise TypeError(f"{where(name)}: axis must be an int; got {axis!r}")
    if not -ndim <= axis < ndim:
        raise onp.exceptions.AxisError(int(axis), ndim, where(name))
    return int(axis) % ndim


def _length(name: str, what: str, n) -> int:
    if isinstance(n, (bool, onp.bool_)) or not isinstance(n, (int, onp.integer)):
        raise TypeError(f"{where(name)}: {what} must be an int; got {n!r}")
    if n < 1:
        raise ValueError(f"{where(name)}: {what} must be at least 1; got {n}")
    return int(n)


def _ndim(name: str, x) -> int:
    ndim = len(shape_of(x))
    if ndim == 0:
        raise ValueError(f"{where(name)}: the input must have at least one dimension")
    return ndim


def one_axis(name: str, x, n, axis, default_n=None) -> tuple[tuple, tuple]:
    """``(s, axes)`` of a 1-D transform. ``default_n(m)`` gives ``n`` from the input
    length ``m`` when ``n`` is None (the input length itself if not given)."""
    ndim = _ndim(name, x)
    ax = _axis(name, axis, ndim)
    if n is None:
        m = shape_of(x)[ax]
        n = default_n(m) if default_n is not None else m
    return (_length(name, "n", n),), (ax,)


def many_axes(name: str, x, s, axes, default_last=None) -> tuple[tuple, tuple]:
    """``(s, axes)`` of an N-D transform, as NumPy reads them: ``axes=None`` means all
    axes (or the last ``len(s)`` when ``s`` is given); ``s=None`` means the input's
    lengths (``default_last(m)`` for the last axis of ``irfftn``); an entry ``-1`` of
    ``s`` keeps that input length."""
    ndim = _ndim(name, x)
    shape = shape_of(x)
    if axes is None:
        axes = range(ndim) if s is None else range(ndim - len(s), ndim)
    elif isinstance(axes, (int, onp.integer)):
        axes = (axes,)
    axes = tuple(_axis(name, a, ndim) for a in axes)
    if not axes:
        raise ValueError(f"{where(name)}: axes must name at least one axis")
    if len(set(axes)) != len(axes):
        raise ValueError(
            f"{where(name)}: axes {axes} repeat an axis; wengert transforms each axis once "
            f"(call the transform twice to apply it twice)"
        )
    if s is None:
        s = [shape[a] for a in axes]
        if default_last is not None:
            s[-1] = default_last(shape[axes[-1]])
    else:
        s = list(s)
        if len(s) != len(axes):
            raise ValueError(
                f"{where(name)}: s has {len(s)} entries but axes has {len(axes)}; give one "
                f"length per axis"
            )
        for i, (n, a) in enumerate(zip(s, axes)):
            if n == -1:
                s[i] = default_last(shape[a]) if (
                    default_last is not None and i == len(s) - 1) else shape[a]
    return tuple(_length(name, "s", n) for n in s), axes


def half_length(n: int) -> int:
    """Length of the half spectrum of a real signal of length ``n``."""
    return n // 2 + 1


def irfft_length(m: int) -> int:
    """NumPy's default output length of ``irfft`` for a half spectrum of length ``m``."""
    return 2 * (m - 1)
