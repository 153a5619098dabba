r"""Derivatives of the modified Bessel function ``I_v(x)`` in its order ``v``.

``D1(v, x) = ∂I_v(x)/∂v`` and ``D2(v, x) = ∂²I_v(x)/∂v²`` for real ``v`` (any sign,
integer or not) and ``x > 0``, and the scaled forms ``e^(-x) D1``, ``e^(-x) D2`` (the
order derivatives of ``ive``). SciPy has no closed form for them; the closed form at
integer orders (DLMF 10.38.4) cancels catastrophically for small ``x`` (``docs/scipy.md``).

**Power series** (``x < 20`` or ``x < v²/5``). With ``L = ln(x/2)`` and the reciprocal
gamma function ``r(z) = 1/Γ(z)``,

    I_v(x) = Σ_k (x/2)^(2k+v) r(k+v+1) / k!,

and termwise in ``v`` (``z = k + v + 1``)

    D1 = Σ_k (x/2)^(2k+v)/k! · [L r(z) + r'(z)],
    D2 = Σ_k (x/2)^(2k+v)/k! · [L² r(z) + 2L r'(z) + r''(z)].

For ``z > 1/2``: ``r' = -ψ(z) r``, ``r'' = (ψ(z)² - ψ'(z)) r``, so a term is
``b (L - ψ)`` and ``b ((L - ψ)² - ψ')`` with ``b = exp((2k+v)L - lnΓ(k+1) - lnΓ(z))``
(formed in logarithms: no overflow of the pieces). For ``z ≤ 1/2`` (the first terms of a
negative order) ``1/Γ`` is written by reflection, ``r(z) = Γ(1-z) sin(πz)/π``, whose
derivatives have no poles: with ``w = 1 - z``, ``s = sin(πz)``, ``c = cos(πz)``,

    r'(z)  = Γ(w) [c - ψ(w) s/π],
    r''(z) = Γ(w) [-2ψ(w) c + (ψ(w)² + ψ'(w) - π²) s/π],

finite at ``z = 0, -1, -2, ...`` (``r'(-m) = (-1)^m m!``, ``r''(-m) = -2(-1)^m m! ψ(m+1)``);
``s`` and ``c`` come from the fractional part of ``v`` (exact), so orders near a negative
integer keep their digits. The sum stops past the largest term
(``(x/2)² < (k+1)(k+v+1)/2``) once a term is below ``2^-56`` of the sum of magnitudes.

**Asymptotic expansion** (``x ≥ 20`` and ``x ≥ v²/5``, switch chosen by measurement):

    I_v(x) ~ e^x/√(2πx) Σ_k (-1)^k a_k(v)/x^k,   a_k = a_{k-1} p_k/(8k),
    p_k = 4v² - (2k-1)²,

differentiated termwise in ``v``: ``a'_k = (a'_{k-1} p_k + 8v a_{k-1})/(8k)``,
``a''_k = (a''_{k-1} p_k + 16v a'_{k-1} + 8 a_{k-1})/(8k)`` (no division by ``p_k``).
Truncated where the terms stop decreasing (``|p_k| ≥ 8kx`` past ``k > |v| + 1``) or are
below ``2^-56`` of the sums. The scaled form drops ``e^x``, so ``ive``'s derivatives do not
overflow. At ``v = 0`` the exact ``D1 = -K_0(x)`` (DLMF 10.38.6) is used: there the
``e^x`` parts cancel and the power series would keep no digit of the ``e^-x`` result.

**Accuracy**, measured against mpmath (``tests/test_scipy_bessel_order.py`` and scans of
random points): on the test grid (``-3.5 ≤ v ≤ 10``, ``1e-3 ≤ x ≤ 200``) the relative error
is below 2e-14 for ``x ≤ 20`` (series) and 3e-15 in the asymptotic region; over 400 random
points with ``|v| ≤ 10``, ``1e-3 ≤ x ≤ 300`` the error is below 1.5e-14 of
``max(|D|, I_v(x)/max(x, 1))``: where ``D1`` or ``D2`` crosses zero, or ``D1`` is small
because ``v`` is near 0 and ``x`` is several units, the error is absolute at that scale.
Where the series serves large ``x`` (large ``|v|``) its terms' logarithms grow and so does
the error: 2e-13 at ``v = 50, x = 400``, 3e-13 at ``v = 60, x = 700``. Negative orders below
about -15 with ``x`` near ``0.7|v|`` lose digits to the alternating first terms: 5e-13 at
``v = -16.4, x = 11.2``, 1e-11 at ``v = -30.7, x = 21.3``, 1e-10 at ``v = -50.3, x = 30``.

**NaN** where the order derivative is not defined or not computed: ``x < 0`` (``I_v(x)``
is complex there for non-integer ``v``), ``x = 0`` with ``v ≤ 0`` (the derivatives diverge there;
for ``v > 0`` both are 0, the limit), infinite or NaN ``v`` or ``x``, and where the
series has not converged within 20000 terms (``|v|`` in the hundreds with ``x ~ v²/5``).
Where ``I_v(x)`` itself overflows the result is ``±inf`` (or NaN).

**Rules.** ``∂D1/∂v = D2``; in ``x``, the recurrence ``∂I_v/∂x = (I_{v-1} + I_{v+1})/2``
differentiated in ``v``: ``∂Dn/∂x = (Dn(v-1, x) + Dn(v+1, x))/2``, and for the scaled
forms ``(En(v-1, x) + En(v+1, x))/2 - sign(x) En``. ``∂D2/∂v`` (the third derivative in the
order) raises ``MissingRuleError``. **Cost**: the series is about 5 (``D1``) to 14 (``D1``
and ``D2``) times one ``scipy.special.iv`` evaluation at ``|v| ≤ 5``, ``x ≤ 20``; the
asymptotic expansion about 2 times.
"""

from __future__ import annotations

import math

import numpy as onp
import scipy.special as sc

import wengert.numpy as wnp

from ... import errors
from ._common import ANS, elementwise, in_precision_of

__all__ = ["iv_order_derivative", "iv_order_second_derivative",
           "ive_order_derivative", "ive_order_second_derivative", "order_derivatives"]

SWITCH_X = 20.0          # asymptotic expansion for x >= max(SWITCH_X, v² / SWITCH_V2)
SWITCH_V2 = 5.0
MAX_TERMS = 20000
_TOL = 2.0 ** -56
_PI = math.pi
# Bernoulli numbers B_2, B_4, ..., B_14 for the trigamma expansion.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)


def _trigamma(z):
    """ψ'(z) for z > 0: the expansion 1/z + 1/(2z²) + Σ B_2j / z^(2j+1) (7 terms, relative
    error below 1e-15) for z ≥ 12, SciPy's polygamma below."""
    out = onp.empty_like(z)
    big = z >= 12.0
    zb = z[big]
    inv2 = 1.0 / (zb * zb)
    tail = 0.0
    for b in reversed(_BERNOULLI):
        tail = (tail + b) * inv2
    out[big] = (1.0 + (0.5 + tail * zb) / zb) / zb
    out[~big] = sc.polygamma(1, z[~big])
    return out


def _series(v, x, scaled, second):
    """(D1, D2) by the power series; v, x 1-D float64 with x > 0 (``e^-x`` times them if
    ``scaled``); D2 is zeros unless ``second``. NaN where not converged."""
    n = v.shape[0]
    d1, d2 = onp.zeros(n), onp.zeros(n)
    m1, m2 = onp.zeros(n), onp.zeros(n)  # sums of magnitudes, for the stopping rule
    half_log = onp.log(0.5 * x)
    shift = -x if scaled else onp.zeros(n)
    nearest = onp.round(v)
    sin_f = onp.sin(_PI * (v - nearest)) / _PI  # sin(πz)/π = ± sin_f, exactly reduced
    cos_f = onp.cos(_PI * (v - nearest))
    active = onp.arange(n)
    for k in range(MAX_TERMS):
        if active.size == 0:
            break
        va, xa, la, sa = v[active], x[active], half_log[active], shift[active]
        z = k + va + 1.0
        t1, t2 = onp.empty(active.size), onp.zeros(active.size)
        regular = z > 0.5
        if regular.any():
            zr, lr = z[regular], la[regular]
            b = onp.exp((2 * k + va[regular]) * lr - math.lgamma(k + 1.0) - sc.gammaln(zr)
                        + sa[regular])
            u = lr - sc.digamma(zr)
            t1[regular] = b * u
            if second:
                t2[regular] = b * (u * u - _trigamma(zr))
        reflected = ~regular
        if reflected.any():
            idx = active[reflected]
            w = -(k + va[reflected])  # 1 - z >= 1/2
            lr = la[reflected]
            sign = onp.where((nearest[idx] + (k + 1)) % 2 == 0, 1.0, -1.0)
            s, c = sign * sin_f[idx], sign * cos_f[idx]
            big_g = onp.exp((2 * k + va[reflected]) * lr - math.lgamma(k + 1.0)
                            + sc.gammaln(w) + sa[reflected])
            psi_w = sc.digamma(w)
            r1 = c - psi_w * s
            t1[reflected] = big_g * (lr * s + r1)
            if second:
                r2 = -2.0 * psi_w * c + (psi_w * psi_w + sc.polygamma(1, w) - _PI ** 2) * s
                t2[reflected] = big_g * (lr * (lr * s + 2.0 * r1) + r2)
        d1[active] += t1
        d2[active] += t2
        m1[active] += onp.abs(t1)
        m2[active] += onp.abs(t2)
        past_peak = regular & (0.5 * (k + 1.0) * z > 0.25 * xa * xa)
        small = (onp.abs(t1) <= _TOL * m1[active]) & (onp.abs(t2) <= _TOL * m2[active])
        active = active[~(past_peak & small)]
    d1[active] = onp.nan
    d2[active] = onp.nan
    return d1, d2


def _asymptotic(v, x, scaled):
    """(D1, D2) by the large-x expansion; v, x 1-D float64 with x >= SWITCH_X."""
    n = v.shape[0]
    a0, a1, a2 = onp.ones(n), onp.zeros(n), onp.zeros(n)
    s0, s1, s2 = onp.ones(n), onp.zeros(n), onp.zeros(n)
    active = onp.ones(n, dtype=bool)
    order = onp.abs(v)
    for k in range(1, 400):
        p = 4.0 * v * v - (2.0 * k - 1.0) ** 2
        d = 8.0 * k * x
        a0, a1, a2 = a0 * p / d, (a1 * p + 8.0 * v * a0) / d, \
            (a2 * p + 16.0 * v * a1 + 8.0 * a0) / d
        late = k > order + 1.0
        active &= ~(late & (onp.abs(p) >= d))  # terms would grow from here on
        sign = -1.0 if k % 2 else 1.0
        s0 = onp.where(active, s0 + sign * a0, s0)
        s1 = onp.where(active, s1 + sign * a1, s1)
        s2 = onp.where(active, s2 + sign * a2, s2)
        small = ((onp.abs(a0) <= _TOL * onp.abs(s0)) & (onp.abs(a1) <= _TOL * onp.abs(s1))
                 & (onp.abs(a2) <= _TOL * onp.abs(s2)))
        active &= ~(late & small)
        if not active.any():
            break
    factor = onp.exp((0.0 if scaled else x) - 0.5 * onp.log(2.0 * _PI * x))
    return factor * s1, factor * s2


def order_derivatives(v, x, scaled: bool = False, second: bool = True):
    """``(∂I_v(x)/∂v, ∂²I_v(x)/∂v²)`` in float64 over the broadcast ``v``, ``x`` (times
    ``e^-x`` if ``scaled``; the second is None unless ``second``). Methods, accuracy and
    where the result is NaN: the module docstring."""
    if onp.iscomplexobj(v) or onp.iscomplexobj(x):
        raise errors.UnsupportedFunctionError(
            "wengert.scipy.special.iv/ive: the derivative in the order v is computed for "
            "real v and x only, got complex input.")
    v, x = onp.broadcast_arrays(onp.asarray(v, dtype=onp.float64),
                                onp.asarray(x, dtype=onp.float64))
    shape = v.shape
    v, x = v.ravel(), x.ravel()
    d1, d2 = onp.full(v.shape, onp.nan), onp.full(v.shape, onp.nan)
    finite = onp.isfinite(v) & onp.isfinite(x)
    at_zero = finite & (x == 0.0) & (v > 0.0)
    d1[at_zero] = 0.0
    d2[at_zero] = 0.0
    positive = finite & (x > 0.0)
    asym = positive & (x >= SWITCH_X) & (SWITCH_V2 * x >= v * v)
    series = positive & ~asym
    order_zero = positive & (v == 0.0)  # D1(0, x) = -K_0(x), DLMF 10.38.6
    # Overflow of the pieces gives the ±inf (or NaN) of an overflowing I_v: no warnings.
    with onp.errstate(over="ignore", under="ignore", invalid="ignore"):
        if asym.any():
            d1[asym], d2[asym] = _asymptotic(v[asym], x[asym], scaled)
        if series.any():
            d1[series], d2[series] = _series(v[series], x[series], scaled, second)
        if order_zero.any():
            xz = x[order_zero]
            d1[order_zero] = -sc.kve(0.0, xz) * onp.exp(-2.0 * xz) if scaled else -sc.k0(xz)
    return d1.reshape(shape), (d2.reshape(shape) if second else None)


# -- the primitives ----------------------------------------------------------------------

def _first(scaled):
    def impl(v, x):
        return in_precision_of(order_derivatives(v, x, scaled, second=False)[0], v, x)
    return impl


def _second(scaled):
    def impl(v, x):
        return in_precision_of(order_derivatives(v, x, scaled)[1], v, x)
    return impl


def _third(name):
    return (f"that is the third derivative of {name}(v, x) in its order v, which is not "
            "implemented")


# ∂/∂x follows from I_v' = (I_{v-1} + I_{v+1})/2 differentiated in v; the scaled forms
# carry the extra -sign(x) term of ive' = (ive_{v-1} + ive_{v+1})/2 - sign(x) ive.
# fmt: off
iv_order_derivative = elementwise(
    "iv_order_derivative", _first(False),
    lambda ans, v, x: iv_order_second_derivative(v, x),
    lambda ans, v, x: 0.5 * (iv_order_derivative(v - 1.0, x)
                             + iv_order_derivative(v + 1.0, x)),
    reads=((0, 1), (0, 1)), public=False)
iv_order_second_derivative = elementwise(
    "iv_order_second_derivative", _second(False), None,
    lambda ans, v, x: 0.5 * (iv_order_second_derivative(v - 1.0, x)
                             + iv_order_second_derivative(v + 1.0, x)),
    reads=((), (0, 1)), why_not=_third("iv"), public=False)
ive_order_derivative = elementwise(
    "ive_order_derivative", _first(True),
    lambda ans, v, x: ive_order_second_derivative(v, x),
    lambda ans, v, x: 0.5 * (ive_order_derivative(v - 1.0, x)
                             + ive_order_derivative(v + 1.0, x)) - wnp.sign(x) * ans,
    reads=((0, 1), (0, 1, ANS)), public=False)
ive_order_second_derivative = elementwise(
    "ive_order_second_derivative", _second(True), None,
    lambda ans, v, x: 0.5 * (ive_order_second_derivative(v - 1.0, x)
                             + ive_order_second_derivative(v + 1.0, x)) - wnp.sign(x) * ans,
    reads=((), (0, 1, ANS)), why_not=_third("ive"), public=False)
# fmt: on
