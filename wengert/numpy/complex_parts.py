"""Complex parts: ``real``, ``imag``, ``conj``/``conjugate``, ``angle``, and the helpers
that the rules of other non-holomorphic functions (``abs``, ``sign``) share.

wengert's convention is JAX's (``docs/complex.md``): a VJP is the *transpose* of the JVP's
real-linear map under the pairing ``<a, b> = Re sum(a * b)`` (no conjugation), so for a
real-valued ``f`` of ``z = x + iy``, ``grad f = ∂f/∂x - i ∂f/∂y``. For these functions of a
complex ``z`` with tangent ``t`` and cotangent ``g`` (``Re g`` where the output is real: the
cotangent of a real value that met complex numbers downstream may carry an imaginary part
that the value does not see):

========  ===========================  ===================================================
function  JVP                          VJP
========  ===========================  ===================================================
real      ``Re t``                     ``Re g``                  (as a complex number)
imag      ``Im t``                     ``-i Re g``
conj      ``conj t``                   ``conj g``
angle     ``Im(t / z)``                ``-i Re g / z``           (0 at z = 0)
abs       ``Re(conj(z) t) / |z|``      ``Re g · conj(z) / |z|``  (0 at z = 0)
========  ===========================  ===================================================

Of a real array, ``real`` and ``conj`` are the identity, ``imag`` the constant 0 and
``angle`` piecewise constant (0 or pi): NumPy's results, with those derivatives.
Each rule costs one or two elementwise passes.
"""

from __future__ import annotations

import math

import numpy as onp

from ..core import Primitive, Tracer, defjvp, defvjp, dtype_of, mark_view, primal, shape_of
from ._registry import register, strip
from .dtypes import astype_p, copy_p
from .elementwise import divide, multiply, where

__all__ = ["real", "imag", "conj", "conjugate", "angle", "is_complex", "real_part",
           "safe_reciprocal"]


def is_complex(x) -> bool:
    """Whether ``x`` (an array, a number or a traced value) has a complex dtype."""
    return dtype_of(x).kind == "c"


def real_part(g):
    """``Re g`` (``g`` itself when it is real): the cotangent of a real-valued output."""
    return real_p(g) if is_complex(g) else g


def _as_complex(r, like):
    """The real ``r`` as a complex array of ``like``'s dtype (imaginary part 0)."""
    return astype_p(r, dtype=dtype_of(like)) if dtype_of(r) != dtype_of(like) else r


def safe_reciprocal(z):
    """``1 / z`` where ``z != 0``, 0 where ``z == 0`` (the convention at the kink of
    ``abs`` and the singularity of ``angle``)."""
    zero = onp.asarray(strip(z) == 0)
    if not zero.any():
        return divide(1.0, z)
    return where(zero, 0.0, divide(1.0, where(zero, 1.0, z)))


# -- real ------------------------------------------------------------------------------

real_p = Primitive("real", onp.real)
defvjp(real_p, lambda g, ans, x: _as_complex(real_part(g), x), reads=((),))
defjvp(real_p, lambda t, ans, x: real_p(t))


def real(val):
    """``numpy.real``. Of a complex array: its real part (JVP ``Re t``, VJP ``Re g``). Of a
    real array: the array itself; NumPy returns a view, so the traced result is marked as
    a view of ``val``."""
    if not isinstance(val, Tracer):
        return onp.real(val)
    if is_complex(val):
        return real_p(val)
    out = copy_p(val)
    mark_view(out, val)
    return out


# -- imag ------------------------------------------------------------------------------

imag_p = Primitive("imag", onp.imag)
defvjp(imag_p, lambda g, ans, x: multiply(_as_complex(real_part(g), x), -1j), reads=((),))
defjvp(imag_p, lambda t, ans, x: imag_p(t))


def imag(val):
    """``numpy.imag``. Of a complex array: its imaginary part (JVP ``Im t``, VJP
    ``-i Re g``). Of a real array: zeros, a constant (no derivative)."""
    if is_complex(val):
        return imag_p(val) if isinstance(val, Tracer) else onp.imag(val)
    return onp.zeros(shape_of(primal(val)), dtype=dtype_of(primal(val)))


# -- conj ------------------------------------------------------------------------------

conj_p = Primitive("conjugate", onp.conjugate)
defvjp(conj_p, lambda g, ans, x: conj_p(g), reads=((),))
defjvp(conj_p, lambda t, ans, x: conj_p(t))


def conjugate(x):
    """``numpy.conjugate``: JVP ``conj t``, VJP ``conj g``. Of a real array: a copy of it
    (derivative 1)."""
    if not isinstance(x, Tracer):
        return onp.conjugate(x)
    return conj_p(x) if is_complex(x) else copy_p(x)


conj = conjugate


# -- angle -----------------------------------------------------------------------------

# arg z = atan2(y, x): d arg = (x dy - y dx) / |z|^2 = Im(dz / z).
_angle_complex_p = Primitive("angle", onp.angle)
defvjp(_angle_complex_p,
       lambda g, ans, z: multiply(real_part(g), multiply(safe_reciprocal(z), -1j)),
       reads=((0,),))
defjvp(_angle_complex_p, lambda t, ans, z: imag_p(multiply(t, safe_reciprocal(z))))

# Of a real array: 0 or pi, piecewise constant.
_angle_real_p = Primitive("angle", lambda x: onp.angle(x))
defvjp(_angle_real_p, lambda g, ans, x: None, reads=((),))
defjvp(_angle_real_p, lambda t, ans, x: None)


def angle(z, deg=False):
    """``numpy.angle``: the argument of ``z`` in (-pi, pi] (degrees with ``deg``). JVP
    ``Im(t / z)``, VJP ``-i Re g / z``; both taken as 0 at ``z = 0``. Of a real array,
    0 or pi: derivative 0."""
    if not isinstance(z, Tracer):
        return onp.angle(z, deg=deg)
    out = _angle_complex_p(z) if is_complex(z) else _angle_real_p(z)
    return multiply(out, 180.0 / math.pi) if deg else out


register("real", real, "primitive")
register("imag", imag, "primitive")
register("conj", conj, "primitive", onp.conjugate)
register("conjugate", conjugate, "primitive", onp.conjugate)
register("angle", angle, "primitive")
