"""``wengert.numpy.fft``: NumPy's discrete Fourier transforms, differentiable.

Every transform is linear, so its JVP is the transform of the tangent and its VJP the
transpose map (no conjugation: wengert's complex convention is JAX's, see
``docs/complex.md``). With the DFT ``F_jk = exp(-2 pi i jk/n)``, the scale ``c`` of
``norm`` and ``P`` the zero-padding or truncation of the input to ``n``:

=====================  ==========================  =====================================
function               map                         VJP (cotangent ``ȳ``)
=====================  ==========================  =====================================
``fft``/``fftn``       ``y = c F P x``             ``Pᵀ fft(ȳ)`` (same norm)
``ifft``/``ifftn``     ``y = c F⁻¹ P x``           ``Pᵀ ifft(ȳ)`` (same norm)
``rfft``/``rfftn``     first ``n//2+1`` of fft     ``Re Pᵀ fft(ȳ padded with zeros)``
``irfft``/``irfftn``   Hermitian extension, ifft   ``Pᵀ (w ⊙ first n//2+1 of ifft(ȳ))``
``hfft``               ``irfft(conj(a))``          through ``conj`` and ``irfft``
``ihfft``              ``conj(rfft(a))``           through ``rfft`` and ``conj``
``fftshift``           a cyclic shift (``roll``)   the opposite shift
=====================  ==========================  =====================================

``w`` is 1 at frequency 0 (and ``n/2`` for even ``n``) and 2 elsewhere; ``Pᵀ`` truncates
what ``P`` padded and pads what it truncated; a real input's cotangent is the real part.
The ``*2`` functions are the ``*n`` ones over ``axes=(-2, -1)``. Details and costs in
:mod:`wengert.numpy.fft._transforms`. ``fftfreq`` and ``rfftfreq`` are differentiable in
the sample spacing ``d``.

Plain ``numpy.fft.fft(x)`` on a traced ``x`` is routed here (each entry is registered in
``wengert.numpy.TABLE`` as ``"fft.<name>"`` with NumPy's function).
"""

from __future__ import annotations

import numpy as onp

from .. import _registry
from ..elementwise import divide, multiply
from ..shapes import roll
from ..unary import conjugate
from . import _args
from ._args import check_norm, check_out, half_length, irfft_length, many_axes, one_axis
from ._transforms import c2c_p, c2r_p, r2c_p

__all__ = [
    "fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn",
    "rfftn", "irfftn", "hfft", "ihfft", "fftshift", "ifftshift", "fftfreq", "rfftfreq",
]


def _refuse_complex(name: str, a) -> None:
    from ...core import dtype_of

    if onp.issubdtype(dtype_of(a), onp.complexfloating):
        raise TypeError(
            f"{_args.where(name)}: the input must be real; got dtype {dtype_of(a)} "
            f"(use fft/fftn for complex input)"
        )


# -- complex to complex ------------------------------------------------------------------


def fft(a, n=None, axis=-1, norm=None, out=None):
    """``numpy.fft.fft``: the DFT of length ``n`` along ``axis``. VJP: ``fft`` of the
    cotangent, resized back to the input's length."""
    check_out("fft", out)
    s, axes = one_axis("fft", a, n, axis)
    return c2c_p(a, s=s, axes=axes, norm=check_norm("fft", norm), inverse=False)


def ifft(a, n=None, axis=-1, norm=None, out=None):
    """``numpy.fft.ifft``: the inverse DFT along ``axis``. VJP: ``ifft`` of the
    cotangent (same norm), resized back."""
    check_out("ifft", out)
    s, axes = one_axis("ifft", a, n, axis)
    return c2c_p(a, s=s, axes=axes, norm=check_norm("ifft", norm), inverse=True)


def fftn(a, s=None, axes=None, norm=None, out=None):
    """``numpy.fft.fftn``: the DFT over ``axes`` with lengths ``s``."""
    check_out("fftn", out)
    s, axes = many_axes("fftn", a, s, axes)
    return c2c_p(a, s=s, axes=axes, norm=check_norm("fftn", norm), inverse=False)


def ifftn(a, s=None, axes=None, norm=None, out=None):
    """``numpy.fft.ifftn``: the inverse DFT over ``axes`` with lengths ``s``."""
    check_out("ifftn", out)
    s, axes = many_axes("ifftn", a, s, axes)
    return c2c_p(a, s=s, axes=axes, norm=check_norm("ifftn", norm), inverse=True)


def fft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """``numpy.fft.fft2``: ``fftn`` over the last two axes by default."""
    check_out("fft2", out)
    s, axes = many_axes("fft2", a, s, axes)
    return c2c_p(a, s=s, axes=axes, norm=check_norm("fft2", norm), inverse=False)


def ifft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """``numpy.fft.ifft2``: ``ifftn`` over the last two axes by default."""
    check_out("ifft2", out)
    s, axes = many_axes("ifft2", a, s, axes)
    return c2c_p(a, s=s, axes=axes, norm=check_norm("ifft2", norm), inverse=True)


# -- real to complex and back ------------------------------------------------------------


def rfft(a, n=None, axis=-1, norm=None, out=None):
    """``numpy.fft.rfft``: the first ``n//2 + 1`` DFT coefficients of a real signal.
    VJP: ``Re fft`` of the cotangent padded with zeros to ``n``, resized back."""
    check_out("rfft", out)
    _refuse_complex("rfft", a)
    s, axes = one_axis("rfft", a, n, axis)
    return r2c_p(a, s=s, axes=axes, norm=check_norm("rfft", norm))


def irfft(a, n=None, axis=-1, norm=None, out=None):
    """``numpy.fft.irfft``: the real signal of length ``n`` (default ``2(m - 1)``) with
    half spectrum ``a``. VJP: ``w ⊙`` the first ``n//2 + 1`` entries of ``ifft`` of the
    cotangent (``w`` = 1 at frequency 0 and n/2, 2 elsewhere), resized back."""
    check_out("irfft", out)
    s, axes = one_axis("irfft", a, n, axis, default_n=irfft_length)
    return c2r_p(a, s=s, axes=axes, norm=check_norm("irfft", norm))


def rfftn(a, s=None, axes=None, norm=None, out=None):
    """``numpy.fft.rfftn``: ``rfft`` over the last of ``axes``, ``fft`` over the others."""
    check_out("rfftn", out)
    _refuse_complex("rfftn", a)
    s, axes = many_axes("rfftn", a, s, axes)
    return r2c_p(a, s=s, axes=axes, norm=check_norm("rfftn", norm))


def irfftn(a, s=None, axes=None, norm=None, out=None):
    """``numpy.fft.irfftn``: the inverse of ``rfftn``; the last output length defaults to
    ``2(m - 1)``."""
    check_out("irfftn", out)
    s, axes = many_axes("irfftn", a, s, axes, default_last=irfft_length)
    return c2r_p(a, s=s, axes=axes, norm=check_norm("irfftn", norm))


def rfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """``numpy.fft.rfft2``: ``rfftn`` over the last two axes by default."""
    check_out("rfft2", out)
    _refuse_complex("rfft2", a)
    s, axes = many_axes("rfft2", a, s, axes)
    return r2c_p(a, s=s, axes=axes, norm=check_norm("rfft2", norm))


def irfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """``numpy.fft.irfft2``: ``irfftn`` over the last two axes by default."""
    check_out("irfft2", out)
    s, axes = many_axes("irfft2", a, s, axes, default_last=irfft_length)
    return c2r_p(a, s=s, axes=axes, norm=check_norm("irfft2", norm))


def hfft(a, n=None, axis=-1, norm=None, out=None):
    """``numpy.fft.hfft``: the real spectrum of a signal with Hermitian symmetry,
    ``irfft(conj(a), n)`` with the direction of ``norm`` swapped (as NumPy does)."""
    check_out("hfft", out)
    norm = _args.swap_norm(check_norm("hfft", norm))
    s, axes = one_axis("hfft", a, n, axis, default_n=irfft_length)
    return c2r_p(conjugate(a), s=s, axes=axes, norm=norm)


def ihfft(a, n=None, axis=-1, norm=None, out=None):
    """``numpy.fft.ihfft``: the inverse of ``hfft``, ``conj(rfft(a, n))`` with the
    direction of ``norm`` swapped."""
    check_out("ihfft", out)
    _refuse_complex("ihfft", a)
    norm = _args.swap_norm(check_norm("ihfft", norm))
    s, axes = one_axis("ihfft", a, n, axis)
    return conjugate(r2c_p(a, s=s, axes=axes, norm=norm))


# -- shifts and frequencies -----------------------------------------------------------


def _shift(name: str, x, axes, sign: int):
    from ...core import shape_of

    shape = shape_of(x)
    if axes is None:
        axes = tuple(range(len(shape)))
    elif isinstance(axes, (int, onp.integer)):
        axes = (int(axes),)
    axes = tuple(int(a) for a in axes)
    if not axes:
        return roll(x, 0, axis=None) if shape else x
    shifts = tuple(sign * (shape[a] // 2) for a in axes)
    return roll(x, shifts, axis=axes)


def fftshift(x, axes=None):
    """``numpy.fft.fftshift``: frequency 0 moved to the centre, a cyclic shift by
    ``n // 2`` along ``axes``; its VJP shifts back."""
    return _shift("fftshift", x, axes, +1)


def ifftshift(x, axes=None):
    """``numpy.fft.ifftshift``: the inverse of ``fftshift``, a shift by ``-(n // 2)``."""
    return _shift("ifftshift", x, axes, -1)


def _frequencies(name: str, k: onp.ndarray, n, d):
    from ...core import Tracer

    if not isinstance(n, (int, onp.integer)) or isinstance(n, (bool, onp.bool_)):
        raise TypeError(f"{_args.where(name)}: n must be an int; got {n!r}")
    if not isinstance(d, Tracer):
        return k * (1.0 / (n * d))
    # NumPy's k * (1 / (n d)); the derivative in d is -k / (n d^2).
    return multiply(k, divide(1.0, multiply(n, d)))


def fftfreq(n, d=1.0, device=None):
    """``numpy.fft.fftfreq``: ``[0, 1, ..., -1] / (d n)``; differentiable in ``d``."""
    k = None
    if isinstance(n, (int, onp.integer)):  # 0, 1, ..., (n-1)//2, -(n//2), ..., -1
        k = onp.concatenate([onp.arange(0, (n - 1) // 2 + 1), onp.arange(-(n // 2), 0)])
    return _frequencies("fftfreq", k, n, d)


def rfftfreq(n, d=1.0, device=None):
    """``numpy.fft.rfftfreq``: ``[0, 1, ..., n//2] / (d n)``; differentiable in ``d``."""
    k = onp.arange(half_length(n)) if isinstance(n, (int, onp.integer)) else None
    return _frequencies("rfftfreq", k, n, d)


_PRIMITIVES = ("fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn",
               "ifftn", "rfftn", "irfftn")
_COMPOSITES = ("hfft", "ihfft", "fftshift", "ifftshift", "fftfreq", "rfftfreq")

for _name in _PRIMITIVES + _COMPOSITES:
    _registry.register(f"fft.{_name}", globals()[_name],
                       "primitive" if _name in _PRIMITIVES else "composite",
                       getattr(onp.fft, _name))
del _name
