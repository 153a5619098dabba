"""Linear solves, inverses and determinants, reusing one factorisation.

With ``X = op(A)⁻¹ B`` (``op`` the identity or the transpose):

* JVP:  ``dX = op(A)⁻¹ (dB − op(dA) X)``;
* VJP:  ``B̄ = op(A)⁻ᵀ Ḡ``,  ``Ā = −op(B̄ Xᵀ)``.

Each rule is one more solve with the factors of the forward pass (a triangular-solve
pair, O(n²k)) and one outer product, never a new factorisation. ``inv``:
``d(A⁻¹) = −A⁻¹ dA A⁻¹`` and ``Ā = −A⁻ᵀ Ḡ A⁻ᵀ``, two matrix products with the result
itself. ``slogdet``: ``d log|det A| = tr(A⁻¹ dA)`` and ``Ā = ḡ A⁻ᵀ``; ``det``:
``d det A = det A · tr(A⁻¹ dA)`` and ``Ā = ḡ det A · A⁻ᵀ``, where ``A⁻¹`` comes from
the forward factors (L⁻ᵀL⁻¹ for Cholesky, getri for LU; O(n³), cheaper than a new factorisation plus
inverse). The sign of ``slogdet`` is piecewise constant (zero derivative) for real
matrices; for complex ones ``d sign = sign · i Im tr(A⁻¹ dA)`` and
``d log|det A| = Re tr(A⁻¹ dA)``.

The factors are a parameter of the primitives: their values come from the factors, and
their derivative rules are those of the un-factored operation in ``A`` (written with the
same primitives and the same factors, so they differentiate again at any order). A
traced matrix is factorised once per trace however many of these functions use it
(``_cache.py``).

Singular matrices: ``solve`` and ``inv`` raise NumPy's ``LinAlgError`` ("Singular
matrix") as NumPy does; ``det`` and ``slogdet`` return 0 (sign 0, log -inf) as NumPy does,
and their derivative there raises ``LinAlgError`` naming the function (the adjugate is
not computed).
"""

from __future__ import annotations

import numpy as onp

from ...core import Primitive, Tracer, defjvp, defvjp, shape_of
from ...core.uniform import negated
from .._registry import register
from ..elementwise import multiply
from ..products import matmul
from ..reductions import sum as _sum
from ..shapes import reshape
from ._cache import factors_of, factors_of_plain
from ._lapack import LinAlgError
from ._util import (
    as_lapack,
    broadcast_batch,
    expand_last2,
    is_complex,
    mT,
    result_tuple,
    square,
)

# -- solve with factors ------------------------------------------------------------------


def _op(x, trans):
    return mT(x) if trans else x


def _minus_times_transpose(gb, ans, trans):
    """``−op(B̄ Xᵀ)``, the cotangent of ``A``. With one right-hand side (inner dimension
    1) the product is an outer product, computed by broadcasting: the same numbers, in a
    third of the time of NumPy's matmul there. The negation is left to the reader of a
    plain array (``negated``)."""
    x_t = mT(ans)
    product = multiply(gb, x_t) if shape_of(gb)[-1] == 1 else matmul(gb, x_t)
    return negated(_op(product, trans))


def _fsolve_vjp_a(g, ans, a, b, factors, trans):
    gb = factored_solve_p(a, g, factors=factors, trans=not trans)
    return _minus_times_transpose(gb, ans, trans)


def _fsolve_vjp_b(g, ans, a, b, factors, trans):
    return factored_solve_p(a, g, factors=factors, trans=not trans)


def _factors(a, factors):
    """The factors given, or (under jit, where they are not known while tracing) those
    of the array ``a``, shared by the calls on the same unchanged array."""
    return factors if factors is not None else factors_of_plain(a)


factored_solve_p = Primitive(
    "linalg.factored_solve",
    lambda a, b, factors, trans: _factors(a, factors).solve(b, trans))
defvjp(factored_solve_p, _fsolve_vjp_a, _fsolve_vjp_b, reads=((0, -1), (0,)))
defjvp(
    factored_solve_p,
    lambda t, ans, a, b, factors, trans: -factored_solve_p(
        a, matmul(_op(t, trans), ans), factors=factors, trans=trans),
    lambda t, ans, a, b, factors, trans: factored_solve_p(a, t, factors=factors, trans=trans),
)


def _fsolve_vjp_all(g, ans, saved, params, parents):
    """Both cotangents with one shared solve: ``B̄ = op(A)⁻ᵀ Ḡ``, ``Ā = −op(B̄ Xᵀ)``."""
    a = saved[0]
    trans = params["trans"]
    gb = factored_solve_p(a, g, factors=params["factors"], trans=not trans)
    ga = _minus_times_transpose(gb, ans, trans) if parents[0] >= 0 else None
    return ga, (gb if parents[1] >= 0 else None)


factored_solve_p.vjp_all = _fsolve_vjp_all


def solve_with(a, b, factors, trans: bool = False):
    """``op(A)⁻¹ b`` for ``b`` of shape ``(..., n, k)`` with ``a``'s batch shape, using
    ``factors`` of ``a`` (derivatives flow to ``a`` and ``b``)."""
    return factored_solve_p(a, b, factors=factors, trans=trans)


# -- the inverse from factors ---------------------------------------------------------------


def _inverse_impl(a, factors):
    return _factors(a, factors).inverse()


factored_inverse_p = Primitive("linalg.factored_inverse", _inverse_impl)
defvjp(factored_inverse_p,
       lambda g, ans, a, factors: -matmul(mT(ans), matmul(g, mT(ans))), reads=((-1,),))
defjvp(factored_inverse_p, lambda t, ans, a, factors: -matmul(ans, matmul(t, ans)))


def _inverse_for_derivative(a, factors, name: str):
    if factors is not None and factors.singular:
        raise LinAlgError(
            f"wengert.numpy.linalg.{name}: the derivative at a singular matrix is not "
            f"computed (it would need the adjugate; the inverse does not exist)")
    return factored_inverse_p(a, factors=factors)


def _trace_product(m, t):
    """``tr(M dA)`` for each matrix of the stack, as ``sum(Mᵀ ⊙ dA)``."""
    return _sum(multiply(mT(m), t), axis=(-2, -1))


# -- slogdet and det --------------------------------------------------------------------------


def _slogdet_impl(a, factors):
    return _factors(a, factors).slogdet()


def _inverse_transposed(a, factors, name):
    """``A⁻ᵀ``. For Cholesky factors (a symmetric ``A``) at first order, ``A⁻¹``
    itself (equal, and contiguous); traced (higher order) always the transpose, whose
    derivative along a non-symmetric direction differs."""
    inv = _inverse_for_derivative(a, factors, name)
    if factors is not None and factors.kind == "cholesky" and not isinstance(inv, Tracer):
        return inv
    return mT(inv)


def _is_plain_one(g, x) -> bool:
    """Whether ``g`` is a plain number exactly 1 whose product with the plain array ``x``
    is ``x`` itself, dtype included (multiplying by 1 is exact)."""
    return (type(x) is onp.ndarray and isinstance(g, (float, onp.floating, onp.ndarray))
            and onp.ndim(g) == 0 and g == 1 and onp.result_type(g, x) == x.dtype)


def _slogdet_vjp(g, ans, a, factors):
    g_sign, g_logabs = g
    inv_t = _inverse_transposed(a, factors, "slogdet")
    if not is_complex(a):
        if _is_plain_one(g_logabs, inv_t):  # ḡ = 1 (a sum's): the product is inv_t
            return inv_t
        return multiply(expand_last2(g_logabs), inv_t)
    from .. import real

    # z = tr(A⁻¹ dA); logabs' = Re z, sign' = sign · i Im z. Transposed (JAX convention):
    # z̄ = ḡ_logabs − i Re(i sign ḡ_sign).
    sign = ans[0]
    z_bar = g_logabs - 1j * real(1j * sign * g_sign)
    return multiply(expand_last2(z_bar), inv_t)


def _slogdet_jvp(t, ans, a, factors):
    z = _trace_product(_inverse_for_derivative(a, factors, "slogdet"), t)
    if not is_complex(a):
        return None, z
    from .. import imag, real

    return ans[0] * 1j * imag(z), real(z)


slogdet_p = Primitive("linalg.slogdet", _slogdet_impl, multiple_results=True)
defvjp(slogdet_p, _slogdet_vjp, reads=((0, -1),))
defjvp(slogdet_p, _slogdet_jvp)


def _det_vjp(g, ans, a, factors):
    inv_t = _inverse_transposed(a, factors, "det")
    return multiply(expand_last2(g * ans), inv_t)


det_p = Primitive("linalg.det", lambda a, factors: _factors(a, factors).det())
defvjp(det_p, _det_vjp, reads=((0, -1),))
defjvp(det_p, lambda t, ans, a, factors: ans * _trace_product(
    _inverse_for_derivative(a, factors, "det"), t))


# -- the public functions -------------------------------------------------------------------


def solve(a, b):
    """``numpy.linalg.solve``: ``x`` with ``a @ x = b``; ``b`` is a vector if it is 1-D,
    else a stack of ``(n, k)`` matrices; batch axes broadcast. One factorisation of ``a``
    (shared with other calls on the same traced ``a``); see the module docstring for
    the rules (cost: one more solve pair)."""
    n = square(a, "wengert.numpy.linalg.solve")
    vector = len(shape_of(b)) == 1
    if vector:  # b[:, None] and x[..., 0], written as reshapes (the same views, cheaper)
        b = reshape(b, shape_of(b) + (1,))
    if shape_of(b)[-2] != n:
        raise ValueError(
            f"wengert.numpy.linalg.solve: b has {shape_of(b)[-2]} rows; expected {n} "
            f"(a has shape {shape_of(a)})")
    a, b = as_lapack(*broadcast_batch(a, b))
    x = factored_solve_p(a, b, factors=factors_of(a, "solve"), trans=False)
    return reshape(x, shape_of(x)[:-1]) if vector else x


def inv(a):
    """``numpy.linalg.inv``: ``A⁻¹`` from the (shared) factors of ``a``. Rules reuse
    the result: ``d(A⁻¹) = −A⁻¹ dA A⁻¹``, ``Ā = −A⁻ᵀ Ḡ A⁻ᵀ`` (two matrix products)."""
    square(a, "wengert.numpy.linalg.inv")
    (a,) = as_lapack(a)
    return factored_inverse_p(a, factors=factors_of(a, "inv"))


def slogdet(a):
    """``numpy.linalg.slogdet``: ``(sign, log|det a|)`` (a ``SlogdetResult``), from the
    (shared) factors; its derivative ``Ā = ḡ A⁻ᵀ`` uses the inverse from those factors."""
    square(a, "wengert.numpy.linalg.slogdet")
    (a,) = as_lapack(a)
    sign, logabsdet = slogdet_p(a, factors=factors_of(a, "slogdet"))
    return result_tuple("SlogdetResult", sign, logabsdet)


def det(a):
    """``numpy.linalg.det``, from the (shared) factors; ``Ā = ḡ det(A) A⁻ᵀ``."""
    square(a, "wengert.numpy.linalg.det")
    (a,) = as_lapack(a)
    return det_p(a, factors=factors_of(a, "det"))


register("linalg.solve", solve, "primitive", onp.linalg.solve)
register("linalg.inv", inv, "primitive", onp.linalg.inv)
register("linalg.slogdet", slogdet, "primitive", onp.linalg.slogdet)
register("linalg.det", det, "primitive", onp.linalg.det)
