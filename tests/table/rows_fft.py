"""Rows for ``wengert.numpy.fft``: every transform with and without ``n``/``s`` (padding
and truncation), along another axis, and with each ``norm``; real inputs (complex
outputs: checked under the transpose convention, see ``complex_check.py``) and complex
inputs. ``irfft``-type rows use even and odd output lengths (the Hermitian weights
differ) and half spectra whose length does not match ``n``.
"""

from __future__ import annotations

import numpy as onp

import wengert.numpy as wnp

from .row import COMPLEX, REAL, Row

wfft = wnp.fft
ALL = REAL + COMPLEX
V, M = ((5,),), ((3, 4),)


def row(name, fn, numpy_fn, shapes, dtypes=ALL, domains=("real",), **kw):
    return Row(entries=(f"fft.{name}",), fn=fn, numpy_fn=numpy_fn, shapes=shapes,
               domains=domains, dtypes=dtypes, **kw)


def same(name, shapes, dtypes=ALL, **kwargs):
    """A row calling ``wengert.numpy.fft.<name>`` and ``numpy.fft.<name>`` alike."""
    w, n = getattr(wfft, name), getattr(onp.fft, name)
    return row(name, lambda a: w(a, **kwargs), lambda a: n(a, **kwargs), shapes, dtypes)


ROWS = [
    # complex to complex
    same("fft", [V, M]),
    same("fft", [V, M], n=7),
    same("fft", [M], n=2, axis=0, norm="ortho"),
    same("ifft", [V, M]),
    same("ifft", [M], n=6, axis=0, norm="forward"),
    same("fftn", [M]),
    same("fftn", [((2, 3, 4),)], s=(3, 2), axes=(2, 0), norm="ortho"),
    same("ifftn", [M], s=(2, 5), axes=(0, 1), norm="forward"),
    same("fft2", [M, ((2, 3, 2),)]),
    same("fft2", [M], s=(4, 3), norm="ortho"),
    same("ifft2", [M], s=(2, 6)),
    # real to complex
    same("rfft", [V, ((6,),), M], REAL),
    same("rfft", [V], REAL, n=8, norm="ortho"),
    same("rfft", [M], REAL, n=3, axis=0, norm="forward"),
    same("rfftn", [M, ((2, 3, 4),)], REAL),
    same("rfftn", [((2, 3, 4),)], REAL, s=(4, 5), axes=(0, 2), norm="ortho"),
    same("rfft2", [M], REAL, s=(2, 6), norm="forward"),
    same("ihfft", [V, ((6,),)], REAL),
    same("ihfft", [M], REAL, n=7, axis=0, norm="ortho"),
    # complex (half spectrum) to real
    same("irfft", [V, M]),
    same("irfft", [V], n=9),
    same("irfft", [M], n=3, axis=0, norm="ortho"),
    same("irfft", [((4,),)], n=4, norm="forward"),
    same("irfftn", [M, ((2, 3, 4),)]),
    same("irfftn", [((2, 3, 4),)], s=(3, 5), axes=(0, 2), norm="ortho"),
    same("irfft2", [M], s=(4, 7), norm="forward"),
    same("hfft", [V, M]),
    same("hfft", [((4,),)], n=7, norm="forward"),
    same("hfft", [M], n=4, axis=0, norm="ortho"),
    # shifts and frequencies
    same("fftshift", [V, M]),
    same("fftshift", [((3, 4, 5),)], axes=(0, 2)),
    same("ifftshift", [V, M]),
    same("ifftshift", [M], axes=1),
    row("fftfreq", lambda d: wfft.fftfreq(7, d), lambda d: onp.fft.fftfreq(7, d), [((),)],
        REAL[:1], ("positive",)),
    row("fftfreq", lambda d: wfft.fftfreq(6, d), lambda d: onp.fft.fftfreq(6, d), [((),)],
        REAL[:1], ("positive",)),
    row("rfftfreq", lambda d: wfft.rfftfreq(7, d), lambda d: onp.fft.rfftfreq(7, d),
        [((),)], REAL[:1], ("positive",)),
]
