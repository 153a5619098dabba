"""Matrix products.

For ``C = A @ B`` (with NumPy's 1-D and batched conventions):
``dA = G @ Bᵀ``, ``dB = Aᵀ @ G``, summed over broadcast batch axes; forward mode is
``dC = dA @ B + A @ dB``. Each costs one more product of the forward pass's size.
"""

from __future__ import annotations

import numpy as onp

from ..core import Primitive, defjvp, defvjp, shape_of, unbroadcast
from ._registry import register
from .elementwise import multiply
from .shapes import expand_dims, swapaxes


def _ndim(x) -> int:
    return len(shape_of(x))


def _matmul_vjp_a(g, ans, a, b):
    if _ndim(b) == 1:  # (..., n, k) @ (k,) -> (..., n); also (k,) @ (k,) -> ()
        ga = multiply(expand_dims(g, -1), b)
    elif _ndim(a) == 1:  # (k,) @ (..., k, m) -> (..., m)
        ga = matmul_p(b, expand_dims(g, -1))[..., 0]
    else:
        ga = matmul_p(g, swapaxes(b, -1, -2))
    return unbroadcast(ga, a)


def _matmul_vjp_b(g, ans, a, b):
    if _ndim(a) == 1:  # (k,) @ (..., k, m): dB = a ⊗ g; (k,) @ (k,): g a
        gb = multiply(expand_dims(a, -1), expand_dims(g, -2)) if _ndim(b) > 1 else multiply(g, a)
    elif _ndim(b) == 1:  # (..., n, k) @ (k,): dB = Aᵀ g
        gb = matmul_p(swapaxes(a, -1, -2), expand_dims(g, -1))[..., 0]
    else:
        gb = matmul_p(swapaxes(a, -1, -2), g)
    return unbroadcast(gb, b)


matmul_p = Primitive("matmul", onp.matmul)
defvjp(matmul_p, _matmul_vjp_a, _matmul_vjp_b, reads=((1,), (0,)))
defjvp(
    matmul_p,
    lambda t, ans, a, b: matmul_p(t, b),
    lambda t, ans, a, b: matmul_p(a, t),
)


def matmul(a, b):
    """``a @ b``."""
    if _ndim(a) == 0 or _ndim(b) == 0:
        raise ValueError("wengert.numpy.matmul: operands must not be 0-d (use multiply)")
    return matmul_p(a, b)


register("matmul", matmul, "primitive")


def dot(a, b, out=None):
    """``numpy.dot``: a product for 0-d operands, ``matmul`` up to 2-D, and for N-D the
    sum over the last axis of ``a`` and the second-to-last of ``b``."""
    if out is not None:
        raise TypeError("wengert.numpy.dot: out= is not supported on traced values")
    if _ndim(a) == 0 or _ndim(b) == 0:
        return multiply(a, b)
    if _ndim(a) <= 2 and _ndim(b) <= 2:
        return matmul_p(a, b)
    from . import tensordot

    return tensordot(a, b, axes=([-1], [-2 if _ndim(b) > 1 else -1]))


register("dot", dot, "composite")
