"""``dirichlet`` and ``multivariate_normal``, differentiable in the point and the
parameters.

Dirichlet, components along the first axis of ``x`` (as in SciPy: ``x`` of shape
``(K,)`` or ``(K, N)``, or with ``K - 1`` entries and the last one ``1 - sum``):

    logpdf(x, alpha) = sum_i (alpha_i - 1) log x_i - (sum_i gammaln(alpha_i)
                       - gammaln(sum_i alpha_i))
    d/dalpha_i = log x_i - digamma(alpha_i) + digamma(sum alpha),
    d/dx_i     = (alpha_i - 1) / x_i.

Multivariate normal (``x`` of shape ``(..., d)``, ``mean`` ``(d,)``, ``cov`` ``(d, d)``,
a vector of variances or a scalar):

    logpdf = -(r C^-1 r^T)/2 - log det C / 2 - d log(2 pi)/2,   r = x - mean,
    d/dx = -r C^-1,  d/dmean = r C^-1,  d/dC = (C^-1 r^T r C^-1 - C^-1)/2 (per point).

``C`` is symmetrised, ``(C + C^T)/2``, before use, so the derivative in ``cov`` is
symmetric and exact for every entry (SciPy reads the matrix as symmetric too). Cost:
one Cholesky factorisation per call and per derivative rule (``_spd``).
"""

from __future__ import annotations

import math

import numpy as onp

import wengert.numpy as wnp

from ...core import shape_of
from ...numpy._registry import strip
from ..special import gammaln, xlogy
from ._distribution import Distribution
from ._spd import spd_logdet, spd_solve

__all__ = ["dirichlet", "multivariate_normal"]

_LOG_2PI = math.log(2.0 * math.pi)


def _squeeze(out):
    """SciPy's ``_squeeze_output``: drop length-1 axes."""
    return wnp.squeeze(out) if any(n == 1 for n in shape_of(out)) else out


# -- dirichlet -------------------------------------------------------------------------------


def _dirichlet_check(x, alpha):
    a = onp.asarray(strip(alpha))
    if a.ndim != 1 or not onp.all(a > 0):
        raise ValueError("wengert.scipy.stats.dirichlet: alpha must be a one-dimensional "
                         f"array of positive numbers, got {a!r}")
    shape = shape_of(x)
    if not shape or shape[0] not in (a.shape[0], a.shape[0] - 1):
        raise ValueError("wengert.scipy.stats.dirichlet: x must have the components along "
                         f"its first axis, {a.shape[0]} (or {a.shape[0] - 1}) of them; got "
                         f"x of shape {shape}")
    if len(shape) > 2:
        raise ValueError("wengert.scipy.stats.dirichlet: x must be one- or two-dimensional")


def _dirichlet_logpdf(x, alpha):
    _dirichlet_check(x, alpha)
    k = shape_of(alpha)[0]
    if shape_of(x)[0] == k - 1:
        last = 1.0 - wnp.sum(x, axis=0, keepdims=True)
        x = wnp.concatenate([x, last], axis=0)
    plain = onp.asarray(strip(x))
    if plain.min() < 0 or plain.max() > 1 or onp.any(onp.abs(plain.sum(0) - 1.0) > 1e-9):
        raise ValueError("wengert.scipy.stats.dirichlet: each point x must lie in the "
                         "simplex (entries in [0, 1] summing to 1 along the first axis)")
    a = wnp.reshape(alpha, (k,) + (1,) * (len(shape_of(x)) - 1))
    log_norm = wnp.sum(gammaln(alpha)) - gammaln(wnp.sum(alpha))
    return _squeeze(wnp.sum(xlogy(a - 1.0, x), axis=0) - log_norm)


def _dirichlet_pdf(x, alpha):
    return wnp.exp(_dirichlet_logpdf(x, alpha))


dirichlet = Distribution("dirichlet", ("alpha",), {},
                         {"logpdf": _dirichlet_logpdf, "pdf": _dirichlet_pdf})


# -- multivariate normal -----------------------------------------------------------------------


def _mvn_arguments(x, mean, cov):
    """(points as (n, d), mean (d,), symmetric covariance (d, d)), as SciPy reads them.
    Real arguments only (SciPy casts complex ones to float, dropping their imaginary
    part; here that is an error rather than a silently different answer)."""
    for name, value in (("x", x), ("mean", mean), ("cov", cov)):
        if value is not None and onp.iscomplexobj(value):
            raise TypeError(f"wengert.scipy.stats.multivariate_normal: argument {name} "
                            f"must be real; got a complex array.")
    cov_shape = shape_of(cov)
    if mean is not None:  # SciPy's rule: the dimension is the size of the mean...
        d = int(onp.prod(shape_of(mean), dtype=int))
        mean = wnp.reshape(mean, (d,))
    else:  # ... or else that of a covariance matrix, 1 for variances.
        d = cov_shape[0] if len(cov_shape) == 2 else 1
        mean = onp.zeros(d)
    if len(cov_shape) == 0:
        cov = cov * onp.eye(d)
    elif len(cov_shape) == 1:
        cov = wnp.diag(cov)
    if shape_of(mean) != (d,) or shape_of(cov) != (d, d):
        raise ValueError(f"wengert.scipy.stats.multivariate_normal: mean must have shape "
                         f"({d},) and cov ({d}, {d}); got {shape_of(mean)} and "
                         f"{shape_of(cov)}")
    xs = shape_of(x)
    if len(xs) == 0:
        x = wnp.reshape(x, (1, 1))
    elif len(xs) == 1:
        x = wnp.reshape(x, (-1, 1) if d == 1 else (1, d))
    if shape_of(x)[-1] != d:
        raise ValueError(f"wengert.scipy.stats.multivariate_normal: x must have {d} "
                         f"components along its last axis; got shape {xs}")
    return x, mean, 0.5 * (cov + wnp.transpose(cov))


def _mvn_logpdf(x, mean=None, cov=1.0):
    x, mean, cov = _mvn_arguments(x, mean, cov)
    d = shape_of(mean)[0]
    r = x - mean
    quad = wnp.sum(r * spd_solve(cov, r), axis=-1)
    return _squeeze(-0.5 * quad - 0.5 * spd_logdet(cov) - 0.5 * d * _LOG_2PI)


def _mvn_pdf(x, mean=None, cov=1.0):
    return wnp.exp(_mvn_logpdf(x, mean, cov))


multivariate_normal = Distribution(
    "multivariate_normal", ("mean", "cov"), {"mean": None, "cov": 1.0},
    {"logpdf": _mvn_logpdf, "pdf": _mvn_pdf})
