"""The three FFT primitives and their rules: complex-to-complex (``c2c``), real-to-complex
(``r2c``, the half spectrum) and complex-to-real (``c2r``), each over ``axes`` with output
lengths ``s`` and normalisation ``norm``, plus ``resize`` (zero-padding or truncation).

All are linear, so each JVP is the primitive itself applied to the tangent, and each VJP is
the transpose of that linear map under the pairing ``Re sum(a * b)`` (wengert's complex
convention, JAX's: no conjugation; see ``docs/complex.md``). With ``F`` the DFT along an
axis (``F_jk = exp(-2 pi i jk / n)``), the scale ``c`` set by ``norm`` (``1``,
``1/sqrt(N)`` or ``1/N`` for ``"backward"``, ``"ortho"``, ``"forward"`` in the forward
direction, the reverse for the inverse), and ``P`` the resize of the input to length ``n``:

* ``c2c``: ``y = c F P x``. ``F`` is symmetric, so ``x̄ = Pᵀ c F ȳ``: the *same* transform
  (same direction, same norm) of the cotangent, resized back (the transpose of
  zero-padding is truncation and vice versa).
* ``r2c`` (``rfftn``): ``y = T c F P x`` with ``T`` keeping the first ``n//2 + 1``
  frequencies of the last axis. ``Tᵀ`` pads with zeros and a real input's cotangent is the
  real part: ``x̄ = Re(Pᵀ c F Tᵀ ȳ)``.
* ``c2r`` (``irfftn``): ``y_j = c Re(sum_k w_k X_k exp(+2 pi i jk/n))`` along the last
  axis (after the inverse transforms of the others), with ``w_0 = 1``, ``w_k = 2`` for
  ``0 < k < n/2`` and ``w_{n/2} = 1`` (n even): the Hermitian extension of the half
  spectrum, whose ``Im X_0`` (and ``Im X_{n/2}``) it ignores. So
  ``X̄ = Pᵀ (w ⊙ T (c F⁻¹ ȳ))``: the inverse transform of the cotangent (same norm),
  truncated to the half spectrum and weighted.

Cost: each rule is one transform of the cotangent's size (``O(N log N)``), plus a copy
when lengths change. The rules are written with these primitives, so they differentiate
again.
"""

from __future__ import annotations

import numpy as onp

from ...core import Primitive, defjvp, defvjp, dtype_of, shape_of
from ..elementwise import multiply
from ..unary import real


def _is_complex(x) -> bool:
    return onp.issubdtype(dtype_of(x), onp.complexfloating)


def _real_like(c, x):
    """The cotangent of ``x``: a real input's is the real part (the transpose of the
    embedding of the reals in the complex numbers)."""
    return c if _is_complex(x) else real(c)


# -- resize: zero-padding or truncation along axes -----------------------------------------


def _resize_impl(x, sizes, axes):
    x = onp.asarray(x)
    shape = list(x.shape)
    for a, n in zip(axes, sizes):
        shape[a] = n
    out = onp.zeros(shape, dtype=x.dtype)
    common = [slice(None)] * x.ndim
    for a, n in zip(axes, sizes):
        common[a] = slice(0, min(n, x.shape[a]))
    out[tuple(common)] = x[tuple(common)]
    return out


resize_p = Primitive("fft_resize", _resize_impl)
# Linear: the transpose of padding is truncation and vice versa.
defvjp(resize_p, lambda g, ans, x, sizes, axes: resize(g, _sizes(x, axes), axes),
       reads=((),))
defjvp(resize_p, lambda t, ans, x, sizes, axes: resize_p(t, sizes=sizes, axes=axes))


def _sizes(x, axes) -> tuple:
    shape = shape_of(x)
    return tuple(shape[a] for a in axes)


def resize(x, sizes: tuple, axes: tuple):
    """``x`` zero-padded or truncated to lengths ``sizes`` along ``axes`` (``x`` itself
    when nothing changes)."""
    if _sizes(x, axes) == tuple(sizes):
        return x
    return resize_p(x, sizes=tuple(sizes), axes=tuple(axes))


# -- complex to complex ----------------------------------------------------------------


def _c2c_impl(x, s, axes, norm, inverse):
    transform = onp.fft.ifftn if inverse else onp.fft.fftn
    return transform(x, s=s, axes=axes, norm=norm)


def _c2c_vjp(g, ans, x, s, axes, norm, inverse):
    return _real_like(resize(c2c_p(g, s=s, axes=axes, norm=norm, inverse=inverse),
                             _sizes(x, axes), axes), x)


c2c_p = Primitive("fft_c2c", _c2c_impl)
defvjp(c2c_p, _c2c_vjp, reads=((),))
defjvp(c2c_p, lambda t, ans, x, s, axes, norm, inverse: c2c_p(
    t, s=s, axes=axes, norm=norm, inverse=inverse))


# -- real to complex (half spectrum) -------------------------------------------------------


def _r2c_impl(x, s, axes, norm):
    return onp.fft.rfftn(x, s=s, axes=axes, norm=norm)


def _r2c_vjp(g, ans, x, s, axes, norm):
    full = resize(g, s, axes)  # the half spectrum padded with zeros to length s[-1]
    spectrum = c2c_p(full, s=s, axes=axes, norm=norm, inverse=False)
    return real(resize(spectrum, _sizes(x, axes), axes))


r2c_p = Primitive("fft_r2c", _r2c_impl)
defvjp(r2c_p, _r2c_vjp, reads=((),))
defjvp(r2c_p, lambda t, ans, x, s, axes, norm: r2c_p(t, s=s, axes=axes, norm=norm))


# -- complex (half spectrum) to real -----------------------------------------------------


def _c2r_impl(x, s, axes, norm):
    return onp.fft.irfftn(x, s=s, axes=axes, norm=norm)


def hermitian_weights(n: int, ndim: int, axis: int, dtype) -> onp.ndarray:
    """``w``: 1 at frequency 0 (and n/2 for even n), 2 elsewhere, shaped to broadcast
    along ``axis`` of an ``ndim``-dimensional half spectrum."""
    m = n // 2 + 1
    w = onp.full(m, 2.0)
    w[0] = 1.0
    if n % 2 == 0:
        w[-1] = 1.0
    shape = [1] * ndim
    shape[axis] = m
    return w.reshape(shape).astype(onp.finfo(dtype).dtype)


def _c2r_vjp(g, ans, x, s, axes, norm):
    n = s[-1]
    spectrum = c2c_p(g, s=s, axes=axes, norm=norm, inverse=True)
    half = resize(spectrum, s[:-1] + (n // 2 + 1,), axes)
    weighted = multiply(half, hermitian_weights(n, len(shape_of(g)), axes[-1],
                                                dtype_of(half)))
    return _real_like(resize(weighted, _sizes(x, axes), axes), x)


c2r_p = Primitive("fft_c2r", _c2r_impl)
defvjp(c2r_p, _c2r_vjp, reads=((),))
defjvp(c2r_p, lambda t, ans, x, s, axes, norm: c2r_p(t, s=s, axes=axes, norm=norm))
