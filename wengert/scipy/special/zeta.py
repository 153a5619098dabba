"""The Riemann and Hurwitz zeta functions, differentiable in ``x`` (and in ``q``).

The derivatives live in one family of primitives,

    Z_k(s, q) = sum_{n >= 0} log(n + q)^k (n + q)^(-s),        Z_0 = zeta(s, q),

closed under differentiation:

    d/ds Z_k(s, q) = -Z_{k+1}(s, q),
    d/dq Z_k(s, q) = k Z_{k-1}(s + 1, q) - s Z_k(s + 1, q),

so every order of derivative in either argument is again a member. ``Z_0`` is SciPy's
``zeta``; ``Z_k`` for ``k >= 1`` is summed by Euler-Maclaurin: ``N`` terms directly, the
tail's integral in closed form (an upper incomplete gamma function with integer order),
and ten Bernoulli corrections (relative error below 2e-12 against mpmath at 40 digits,
for ``k <= 4``, ``-2 <= s <= 150``, ``0.01 <= q <= 100``). The tail integral is the
analytic continuation, so the Riemann case ``q = 1`` also differentiates for ``s < 1``
(``s != 1``), down to ``s = -2`` (lower ``s`` raises ``UnsupportedFunctionError``).
The Hurwitz function needs ``s > 1`` and ``q > 0``, as in SciPy. Cost: O(N k)
elementwise operations per call.
"""

from __future__ import annotations

import math

import numpy as onp
import scipy.special as sc

from ... import errors
from ...core import Primitive, defjvp, defvjp
from ...numpy._registry import route
from ._common import in_precision_of, register_special

__all__ = ["zeta"]

# The Bernoulli numbers B_2, B_4, ..., B_20, and the Euler-Maclaurin weights B_2j/(2j)!.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330)
_EM_WEIGHTS = tuple(b / math.factorial(2 * j + 2) for j, b in enumerate(_BERNOULLI))

#: Below this x the continuation's terms cancel too much (relative error above ~1e-11).
LOWEST_X = -2.0


def _em_sum(k: int, s, q):
    """``Z_k(s, q)`` by Euler-Maclaurin summation (``k >= 1``), in float64.

    For ``s >= 1`` the terms decay and ``max(12, s + 4)`` of them are summed directly;
    for ``s < 1`` they grow and cancel against the tail integral, so only 4 are (the
    error stays near 1e-12 relative down to ``s = -2``; lower ``s`` is refused)."""
    if onp.iscomplexobj(s) or onp.iscomplexobj(q):
        raise errors.UnsupportedFunctionError(
            "wengert.scipy.special.zeta: derivatives are defined for real x and q only; "
            "got a complex argument.")
    s, q = onp.broadcast_arrays(onp.asarray(s, onp.float64), onp.asarray(q, onp.float64))
    if onp.any(s < LOWEST_X):
        raise errors.UnsupportedFunctionError(
            f"wengert.scipy.special.zeta: derivatives in x are computed for x >= "
            f"{LOWEST_X:g} only (the analytic continuation loses accuracy below); got "
            f"x = {s[s < LOWEST_X].ravel()[0]!r}.")
    out = onp.empty(s.shape)
    for mask in (s >= 1.0, s < 1.0):
        if mask.any():
            n_direct = 4 if s[mask][0] < 1.0 else int(max(12, math.ceil(s[mask].max()) + 4))
            out[mask] = _em_block(k, s[mask], q[mask], n_direct)
    return out


def _em_block(k: int, s, q, n_direct: int):
    """Euler-Maclaurin for 1-d ``s``, ``q``: ``n_direct`` terms, the tail's integral in
    closed form, and the Bernoulli corrections at ``a = q + n_direct``."""
    n = onp.arange(n_direct, dtype=onp.float64)[:, None]
    with onp.errstate(divide="ignore", invalid="ignore"):
        total = onp.sum(onp.log(n + q) ** k * (n + q) ** (-s), axis=0)
        a = q + n_direct
        log_a = onp.log(a)
        sigma = s - 1.0
        # int_a^inf log(x)^k x^(-s) dx = e^(-sigma L) sum_m k!/m! L^m / sigma^(k-m+1).
        integral = sum(math.factorial(k) / math.factorial(m) * log_a**m / sigma ** (k - m + 1)
                       for m in range(k + 1)) * onp.exp(-sigma * log_a)
        derivs = _derivatives(k, s, a, 2 * len(_EM_WEIGHTS))
        total = total + integral + 0.5 * derivs[0]
        for j, w in enumerate(_EM_WEIGHTS):
            total = total - w * derivs[2 * j + 1]
    return total


def _derivatives(k: int, s, x, orders: int) -> list:
    """``[f^(m)(x) for m < orders]`` for ``f(x) = log(x)^k x^(-s)``: with
    ``f^(m) = x^(-s-m) sum_i c_i log(x)^i``, ``c_i <- (i+1) c_{i+1} - (s+m) c_i``."""
    logx = onp.log(x)
    powers = [onp.ones_like(logx)]
    for _ in range(k):
        powers.append(powers[-1] * logx)
    coeffs = [onp.zeros_like(logx) for _ in range(k)] + [onp.ones_like(logx)]
    out = []
    for m in range(orders):
        p = s + m
        out.append(x ** (-p) * sum(c * lp for c, lp in zip(coeffs, powers)))
        coeffs = [((i + 1) * coeffs[i + 1] if i < k else 0.0) - p * coeffs[i]
                  for i in range(k + 1)]
    return out


def _zeta_k_impl(s, q, k: int):
    if k == 0:
        return sc.zeta(s, q)
    return in_precision_of(_em_sum(k, s, q), s, q)


def _riemann_k_impl(s, k: int):
    if k == 0:
        return sc.zeta(s)
    return in_precision_of(_em_sum(k, s, 1.0), s)


hurwitz_p = Primitive("scipy.special.zeta_log_power", _zeta_k_impl, broadcasts=True)
defvjp(hurwitz_p,
       lambda g, ans, s, q, k: -(g * hurwitz_p(s, q, k=k + 1)),
       lambda g, ans, s, q, k: g * _d_q(s, q, k),
       reads=((0, 1), (0, 1)))
defjvp(hurwitz_p,
       lambda t, ans, s, q, k: -(t * hurwitz_p(s, q, k=k + 1)),
       lambda t, ans, s, q, k: t * _d_q(s, q, k))


def _d_q(s, q, k: int):
    """d/dq Z_k(s, q) = k Z_{k-1}(s + 1, q) - s Z_k(s + 1, q)."""
    out = -(s * hurwitz_p(s + 1.0, q, k=k))
    return out + k * hurwitz_p(s + 1.0, q, k=k - 1) if k else out


riemann_p = Primitive("scipy.special.riemann_zeta_log_power", _riemann_k_impl)
defvjp(riemann_p, lambda g, ans, s, k: -(g * riemann_p(s, k=k + 1)), reads=((0,),))
defjvp(riemann_p, lambda t, ans, s, k: -(t * riemann_p(s, k=k + 1)))


def zeta(x, q=None):
    """``scipy.special.zeta(x, q=None)``: the Riemann zeta function ``sum n^-x`` (``q``
    None) or the Hurwitz zeta function ``sum (n + q)^-x``, differentiable in ``x``
    (``d/dx = -sum log(n + q) (n + q)^-x``) and in ``q`` (``d/dq = -x zeta(x + 1, q)``)."""
    if q is None:
        return riemann_p(x, k=0)
    return hurwitz_p(x, q, k=0)


register_special("zeta", zeta, "primitive")

# scipy.special.zeta is a Python function calling one of two private ufuncs; on a traced
# value those reach __array_ufunc__ and come here.
route(sc._ufuncs._riemann_zeta, lambda x: zeta(x))
route(sc._ufuncs._zeta, zeta)
