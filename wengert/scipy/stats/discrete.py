"""The Poisson distribution, differentiable in its mean ``mu``.

    logpmf(k, mu, loc) = k log(mu) - log(k!) - mu     (k = k - loc a non-negative integer;
                                                       -inf otherwise)
    d/dmu logpmf = k / mu - 1
    cdf(k, mu, loc)    = pdtr(floor(k), mu),     d/dmu cdf = -pmf(floor(k), mu)

The count ``k`` (and ``loc``) take integer values; the functions are piecewise constant
in them, so their derivative there is 0 (as for ``floor``).
"""

from __future__ import annotations

import numpy as onp
import scipy.special as sc

import wengert.numpy as wnp

from ...core import Primitive, defjvp, defvjp
from ...numpy._registry import strip
from ..special import gammaln, xlogy
from ._distribution import Distribution

__all__ = ["poisson"]


def _counts(k, loc):
    """(k - loc as plain floats, mask of the non-negative integers among them)."""
    kk = onp.asarray(strip(k), dtype=float) - onp.asarray(strip(loc), dtype=float)
    return kk, (kk >= 0) & (kk == onp.floor(kk))


def _logpmf_counts(kk, mu):
    """k log mu - log k! - mu at plain counts ``kk >= 0``."""
    return xlogy(kk, mu) - gammaln(kk + 1.0) - mu


def logpmf(k, mu, loc=0):
    kk, valid = _counts(k, loc)
    out = _logpmf_counts(onp.where(valid, kk, 0.0), mu)
    return wnp.where(valid, out, -onp.inf)


def pmf(k, mu, loc=0):
    return wnp.exp(logpmf(k, mu, loc))


def _cdf_impl(kk, mu):
    return sc.pdtr(kk, mu)


def _cdf_dmu(g, ans, kk, mu):
    below = kk < 0
    return g * wnp.where(below, 0.0, -wnp.exp(_logpmf_counts(onp.where(below, 0.0, kk), mu)))


_cdf_p = Primitive("scipy.stats.poisson.cdf0", _cdf_impl, broadcasts=True)
defvjp(_cdf_p, None, _cdf_dmu, reads=((), (0, 1)))
defjvp(_cdf_p, None, _cdf_dmu)


def cdf(k, mu, loc=0):
    kk, _ = _counts(k, loc)
    kk = onp.floor(kk)
    return wnp.where(kk >= 0, _cdf_p(onp.where(kk >= 0, kk, 0.0), mu), 0.0)


def logcdf(k, mu, loc=0):
    return wnp.log(cdf(k, mu, loc))


poisson = Distribution("poisson", ("mu", "loc"), {"loc": 0},
                       {"logpmf": logpmf, "pmf": pmf, "cdf": cdf, "logcdf": logcdf})
