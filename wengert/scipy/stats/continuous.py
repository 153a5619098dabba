"""Continuous location-scale families: ``norm t cauchy laplace logistic gamma beta
expon``.

Each is its standard form in ``z = (x - loc) / scale`` with shape parameters, and

    logpdf(x) = logpdf0(z) - log(scale),    pdf = exp(logpdf),
    cdf(x)    = cdf0(z),                    logcdf = logcdf0(z)  (log(cdf0) by default).

All are composites of wengert functions, so they differentiate in ``x``, ``loc``,
``scale`` and the shape parameters, to any order, with these exceptions: the
distribution functions of ``t``, ``gamma`` and ``beta`` (incomplete beta/gamma functions)
differentiate in ``x``, ``loc`` and ``scale`` but not in their shape parameters
(``MissingRuleError``). Outside the support the log density is ``-inf`` with zero
derivative, as SciPy's value is. Standard forms, with ``log_expit(z) = -log(1+e^-z)``:

=========  ===============================================  ===============================
family     logpdf0(z, shapes)                               cdf0(z, shapes)
=========  ===============================================  ===============================
norm       -z^2/2 - log(2 pi)/2                             ndtr(z); logcdf0 = log_ndtr(z)
t(df)      see ``_cdf.t_logpdf0``                           stdtr(df, z)
cauchy     -log(pi) - log1p(z^2)                            1/2 + arctan(z)/pi
laplace    -log 2 - |z|                                     e^z/2 (z<0), 1 - e^-z/2
logistic   log_expit(z) + log_expit(-z)                     expit(z); logcdf0 = log_expit(z)
gamma(a)   (a-1) log z - z - gammaln(a), z >= 0             gammainc(a, z)
beta(a,b)  (a-1) log z + (b-1) log(1-z) - betaln(a, b)      betainc(a, b, z)
expon      -z, z >= 0                                       -expm1(-z), z >= 0
=========  ===============================================  ===============================
"""

from __future__ import annotations

import math

import numpy as onp

import wengert.numpy as wnp

from ...numpy._registry import strip
from ..special import expit, log_expit, log_ndtr, ndtr
from . import _cdf
from ._distribution import Distribution

__all__ = ["beta", "cauchy", "expon", "gamma", "laplace", "logistic", "norm", "t"]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_LOG_PI = math.log(math.pi)
_LOG2 = math.log(2.0)


def _nonnegative(z):
    return onp.asarray(strip(z)) >= 0


def _family(name: str, shapes: tuple, logpdf0, cdf0, logcdf0=None) -> Distribution:
    """The Distribution ``name`` with methods logpdf, pdf, cdf, logcdf."""
    n = len(shapes)
    logcdf0 = logcdf0 or (lambda z, *s: wnp.log(cdf0(z, *s)))

    def standardise(x, params):
        shape_values, loc, scale = params[:n], params[n], params[n + 1]
        return (x - loc) / scale, shape_values, scale

    def logpdf(x, *params):
        z, s, scale = standardise(x, params)
        return logpdf0(z, *s) - wnp.log(scale)

    def pdf(x, *params):
        return wnp.exp(logpdf(x, *params))

    def cdf(x, *params):
        z, s, _ = standardise(x, params)
        return cdf0(z, *s)

    def logcdf(x, *params):
        z, s, _ = standardise(x, params)
        return logcdf0(z, *s)

    return Distribution(name, shapes + ("loc", "scale"), {"loc": 0.0, "scale": 1.0},
                        {"logpdf": logpdf, "pdf": pdf, "cdf": cdf, "logcdf": logcdf})


def _laplace_cdf0(z):
    half_tail = 0.5 * wnp.exp(-wnp.abs(z))
    return wnp.where(_nonnegative(z), 1.0 - half_tail, half_tail)


def _laplace_logcdf0(z):
    upper = _nonnegative(z)
    return wnp.where(upper, wnp.log1p(-0.5 * wnp.exp(-wnp.abs(z))),
                     wnp.where(upper, -1.0, z) - _LOG2)


def _expon_logpdf0(z):
    inside = _nonnegative(z)
    return wnp.where(inside, -wnp.where(inside, z, 0.0), -onp.inf)


def _expon_cdf0(z):
    inside = _nonnegative(z)
    return wnp.where(inside, -wnp.expm1(-wnp.where(inside, z, 0.0)), 0.0)


# fmt: off
norm     = _family("norm", (), lambda z: -0.5 * (z * z) - _LOG_SQRT_2PI, ndtr, log_ndtr)
t        = _family("t", ("df",), _cdf.t_logpdf0, _cdf.t_cdf)
cauchy   = _family("cauchy", (), lambda z: -_LOG_PI - wnp.log1p(z * z),
                   lambda z: 0.5 + wnp.arctan(z) / math.pi)
laplace  = _family("laplace", (), lambda z: -_LOG2 - wnp.abs(z), _laplace_cdf0,
                   _laplace_logcdf0)
logistic = _family("logistic", (), lambda z: log_expit(z) + log_expit(-z), expit, log_expit)
gamma    = _family("gamma", ("a",), _cdf.gamma_logpdf0, _cdf.gamma_cdf)
beta     = _family("beta", ("a", "b"), _cdf.beta_logpdf0, _cdf.beta_cdf)
expon    = _family("expon", (), _expon_logpdf0, _expon_cdf0)
# fmt: on
