"""``logsumexp``, ``softmax`` and ``log_softmax``, with rules that stay finite.

``lse = log|sum_i b_i e^(a_i)|`` over ``axis``. Its derivatives are the weights

    d lse / d a_i = b_i e^(a_i - m) / s,    d lse / d b_i = e^(a_i - m) / s,
    s = sum_j b_j e^(a_j - m),               m = the largest finite a_j (a constant),

formed from the shifted ``a - m`` (never from ``e^a``, never from ``a - lse``: at
``a ~ 1e300`` the rounding of ``lse`` would lose ``log 2`` and double a weight). So inputs
of ``+-1e300`` give finite, correct weights; ``a_i = -inf`` gives weight 0, and a slice
that is all ``-inf`` (``s = 0``) gets weights 0 rather than 0/0. With b of either sign,
``s`` carries the sign. Rules (``z`` = softmax, ``v``/``t`` = cotangent/tangent, sums over
``axis``):

================  ===================================  ====================================
function          VJP                                  JVP
================  ===================================  ====================================
logsumexp         a: v b e^(a-m)/s;  b: v e^(a-m)/s    sum(t_a b e^(a-m)/s + t_b e^(a-m)/s)
softmax           z (v - sum(z v))                     z (t - sum(z t))
log_softmax       v - e^(ans) sum(v)                   t - sum(e^(ans) t)
================  ===================================  ====================================

All are O(n): the softmax Jacobian ``diag(z) - z z^T`` is never formed. logsumexp's
rules cost one ``exp`` and one sum over the input.
"""

from __future__ import annotations

import numpy as onp
import scipy.special as sc

import wengert.numpy as wnp

from ... import errors
from ...core import ANS, Primitive, defjvp, defvjp, shape_of, unbroadcast
from ...numpy._registry import strip
from ...numpy.reductions import normalise_axis
from ._common import register_special

__all__ = ["log_softmax", "logsumexp", "softmax"]


# -- logsumexp ---------------------------------------------------------------------------


def _expand(v, shape: tuple, axes: tuple, keepdims: bool):
    """A reduction's output ``v`` reshaped to broadcast against the input's ``shape``."""
    if keepdims:
        return v
    return wnp.reshape(v, tuple(1 if i in axes else n for i, n in enumerate(shape)))


def _scipy_axis(a, axis):
    """SciPy's axis for our normalised tuple (a 0-d array's is None)."""
    return axis if onp.ndim(a) else None


def _weights(a, b, axes):
    """``(e^(a-m) / s, b e^(a-m) / s)`` with ``s = sum b e^(a-m)`` over ``axes`` and ``m``
    the largest finite entry (a constant: the weights do not depend on it). Both are 0
    where ``a = -inf``, and everywhere along a slice whose sum is 0 (all ``-inf``)."""
    plain = onp.asarray(strip(a))
    with onp.errstate(invalid="ignore"):
        m = onp.max(plain, axis=axes, keepdims=True) if plain.size else onp.zeros(())
    m = onp.where(onp.isfinite(m), m, 0.0).astype(plain.dtype)
    e = wnp.exp(a - m)
    be = e if b is None else e * b
    total = wnp.sum(be, axis=axes, keepdims=True)
    empty = onp.asarray(strip(total)) == 0
    if empty.any():
        total = wnp.where(empty, 1.0, total)
    return e / total, be / total


def _lse_impl(a, axis, keepdims):
    return sc.logsumexp(a, axis=_scipy_axis(a, axis), keepdims=keepdims)


def _lse_b_impl(a, b, axis, keepdims):
    return sc.logsumexp(a, axis=_scipy_axis(a, axis), b=b, keepdims=keepdims)


def _lse_abs_impl(a, b, axis, keepdims):
    return sc.logsumexp(a, axis=_scipy_axis(a, axis), b=b, keepdims=keepdims,
                        return_sign=True)[0]


lse_p = Primitive("scipy.special.logsumexp", _lse_impl)
defvjp(lse_p,
       lambda g, ans, a, axis, keepdims:
           _expand(g, shape_of(a), axis, keepdims) * _weights(a, None, axis)[1],
       reads=((0,),))
defjvp(lse_p,
       lambda t, ans, a, axis, keepdims:
           wnp.sum(t * _weights(a, None, axis)[1], axis=axis, keepdims=keepdims))


def _vjp_b(which):
    def rule(g, ans, a, b, axis, keepdims):
        w = _weights(a, b, axis)[which]
        return unbroadcast(_expand(g, shape_of(a), axis, keepdims) * w, (a, b)[1 - which])
    return rule


def _jvp_b(which):
    def rule(t, ans, a, b, axis, keepdims):
        return wnp.sum(t * _weights(a, b, axis)[which], axis=axis, keepdims=keepdims)
    return rule


# With b: log|sum b e^a| (the sign is SciPy's, a constant); the same rules serve the
# signed value (NaN for a negative sum, as in SciPy) and log|sum|.
lse_b_p = Primitive("scipy.special.logsumexp_b", _lse_b_impl)
_lse_abs_p = Primitive("scipy.special.logsumexp_abs", _lse_abs_impl)
for _prim in (lse_b_p, _lse_abs_p):
    defvjp(_prim, _vjp_b(1), _vjp_b(0), reads=((0, 1), (0, 1)))
    defjvp(_prim, _jvp_b(1), _jvp_b(0))


def logsumexp(a, axis=None, b=None, keepdims: bool = False, return_sign: bool = False):
    """``scipy.special.logsumexp``: ``log|sum b e^a|`` over ``axis``, with the sign of the
    sum as a second result if ``return_sign`` (the sign has no derivative). Without
    ``return_sign`` a negative sum gives NaN, as in SciPy. Gradient: the weights
    ``sign b e^(a - lse)`` in ``a`` and ``sign e^(a - lse)`` in ``b`` (see the module)."""
    shape = shape_of(a)
    axes = normalise_axis(axis, len(shape))
    keepdims = bool(keepdims)
    if b is not None and onp.broadcast_shapes(shape, shape_of(b)) != tuple(shape):
        raise errors.UnsupportedFunctionError(
            f"wengert.scipy.special.logsumexp: b of shape {shape_of(b)} must broadcast to "
            f"the shape of a, {tuple(shape)}.")
    if not return_sign:
        if b is None:
            return lse_p(a, axis=axes, keepdims=keepdims)
        return lse_b_p(a, b, axis=axes, keepdims=keepdims)
    # log|sum| and its sign; the sign, a constant, is SciPy's on the plain values.
    sign = sc.logsumexp(onp.asarray(strip(a)), axis=_scipy_axis(strip(a), axes),
                        b=None if b is None else onp.asarray(strip(b)),
                        keepdims=keepdims, return_sign=True)[1]
    if b is None:
        return lse_p(a, axis=axes, keepdims=keepdims), sign
    return _lse_abs_p(a, b, axis=axes, keepdims=keepdims), sign


register_special("logsumexp", logsumexp, "primitive")


# -- softmax and log_softmax ---------------------------------------------------------------


def _axes(x, axis):
    return normalise_axis(axis, len(shape_of(x)))


def _softmax_rule(v, ans, x, axis):
    """z (v - sum(z v)): the O(n) product with the softmax Jacobian (symmetric)."""
    return ans * (v - wnp.sum(ans * v, axis=axis, keepdims=True))


softmax_p = Primitive("scipy.special.softmax",
                      lambda x, axis: sc.softmax(x, axis=_scipy_axis(x, axis)))
defvjp(softmax_p, _softmax_rule, reads=((ANS,),))
defjvp(softmax_p, _softmax_rule)


def softmax(x, axis=None):
    """``scipy.special.softmax``: ``z = e^(x - lse(x))`` over ``axis`` (all axes for None).
    VJP and JVP: ``z (v - sum(z v))``, O(n)."""
    return softmax_p(x, axis=_axes(x, axis))


log_softmax_p = Primitive("scipy.special.log_softmax",
                          lambda x, axis: sc.log_softmax(x, axis=_scipy_axis(x, axis)))
defvjp(log_softmax_p,
       lambda g, ans, x, axis: g - wnp.exp(ans) * wnp.sum(g, axis=axis, keepdims=True),
       reads=((ANS,),))
defjvp(log_softmax_p,
       lambda t, ans, x, axis: t - wnp.sum(wnp.exp(ans) * t, axis=axis, keepdims=True))


def log_softmax(x, axis=None):
    """``scipy.special.log_softmax``: ``x - lse(x)`` over ``axis``. VJP
    ``v - e^(ans) sum(v)``, JVP ``t - sum(e^(ans) t)``, O(n)."""
    return log_softmax_p(x, axis=_axes(x, axis))


register_special("softmax", softmax, "primitive")
register_special("log_softmax", log_softmax, "primitive")
