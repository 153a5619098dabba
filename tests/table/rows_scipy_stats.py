"""Rows for ``wengert.scipy.stats``: values against SciPy's distributions, derivatives in
the point and every parameter against central differences (order 2).

SciPy's distributions compute in float64 whatever the input (wengert keeps float32), so
the rows run in float64. Points are mapped into each support by ``args`` (NumPy code,
which routes traced values to wengert), the same for wengert and SciPy; parameters are
traced, except the shape parameters of the t, gamma and beta distribution functions,
which have no derivative there."""

from __future__ import annotations

import numpy as np
import scipy.stats as st

import wengert.scipy.stats as ws

from .row import Row


def _row(dist, method, args, shapes, domains, **options):
    """A row for ``<dist>.<method>(*args(*arrays))``, checked against SciPy's."""
    ours, theirs = getattr(getattr(ws, dist), method), getattr(getattr(st, dist), method)
    options = {"dtypes": ("float64",), "rtol": 1e-5, "atol": 1e-6, **options}
    return Row((f"scipy.stats.{dist}.{method}",), lambda *a: ours(*args(*a)), shapes,
               domains, numpy_fn=lambda *a: theirs(*args(*a)), **options)


def _same(*a):
    return a


METHODS = ("logpdf", "pdf", "cdf", "logcdf")
LS_SHAPES = [((4,), (), ()), ((3, 4), (4,), (3, 1))]  # x, loc, scale
SHAPE_PARAM_SHAPES = [((4,), (), (), ()), ((3, 4), (4,), (), (3, 1))]  # x, shape, loc, scale

ROWS = []
for method in METHODS:
    # No shape parameters; x anywhere on the real line.
    ROWS += [_row(dist, method, _same, LS_SHAPES, ("real", "real", "positive"))
             for dist in ("norm", "cauchy", "laplace", "logistic")]
    # Right of loc: x in (0.5, 2), loc in (-1.9, -0.1).
    ROWS.append(_row("expon", method, lambda x, loc, scale: (x, loc - 1.0, scale),
                     LS_SHAPES, ("positive", "unit", "positive")))

for method in ("logpdf", "pdf"):
    ROWS += [
        _row("gamma", method, lambda x, a, loc, scale: (x, a + 0.5, loc - 1.0, scale),
             SHAPE_PARAM_SHAPES, ("positive", "positive", "unit", "positive")),
        _row("t", method, _same, SHAPE_PARAM_SHAPES,
             ("real", "above_one", "real", "positive")),
        # x in (0.095, 0.905), loc in (-0.045, 0.045), scale in (1.5, 3).
        _row("beta", method,
             lambda x, a, b, loc, scale: (0.5 + 0.45 * x, a + 0.5, b + 0.5, 0.05 * loc,
                                          scale + 1.0),
             [((4,), (), (), (), ()), ((3, 4), (4,), (3, 1), (), ())],
             ("unit", "positive", "positive", "unit", "positive")),
    ]

for method in ("cdf", "logcdf"):
    ROWS += [
        _row("gamma", method, lambda x, loc, scale: (x, 2.5, loc - 1.0, scale), LS_SHAPES,
             ("positive", "unit", "positive")),
        _row("t", method, lambda x, loc, scale: (x, 3.5, loc, scale), LS_SHAPES,
             ("real", "real", "positive")),
        _row("beta", method,
             lambda x, loc, scale: (0.5 + 0.45 * x, 2.0, 3.5, 0.05 * loc, scale + 1.0),
             LS_SHAPES, ("unit", "unit", "positive")),
    ]

# Poisson in mu, at counts including 0, a non-integer (the cdf floors it) and below 0
# (log(0) = -inf there, so logcdf leaves that count out).
K = np.array([0.0, 1.0, 3.0, 7.0])
K_ALL = np.array([-1.0, 0.0, 2.5, 7.0])
for method, counts in (("logpmf", K), ("pmf", K), ("cdf", K_ALL), ("logcdf", K_ALL[1:])):
    ROWS.append(_row("poisson", method, lambda mu, k=counts: (k, 3.0 * mu),
                     [((),), (counts.shape,)], ("positive",), rtol=1e-6))


# Dirichlet: points on the simplex by normalising positive numbers; both layouts, and
# the one with the last component left out.
def _simplex(p):
    return p / np.sum(p, axis=0, keepdims=True)


for method in ("logpdf", "pdf"):
    ROWS.append(_row("dirichlet", method, lambda p, alpha: (_simplex(p), alpha + 0.2),
                     [((3,), (3,)), ((3, 4), (3,))], ("positive", "positive")))
ROWS.append(_row("dirichlet", "logpdf", lambda p, alpha: (0.5 * _simplex(p), alpha + 0.2),
                 [((3, 4), (4,))], ("positive", "positive")))


# Multivariate normal: a full covariance A A^T + 3 I (every entry of A traced), a vector
# of variances, a scalar variance, and one dimension (a vector x is a list of points).
def _spd(a):
    return np.matmul(a, np.transpose(a)) + 3.0 * np.eye(a.shape[-1])


for method in ("logpdf", "pdf"):
    ROWS.append(_row("multivariate_normal", method,
                     lambda x, mean, a: (x, mean, _spd(a)),
                     [((3,), (3,), (3, 3)), ((4, 3), (3,), (3, 3)),
                      ((2, 4, 3), (3,), (3, 3))],
                     ("real", "real", "real")))
ROWS += [
    _row("multivariate_normal", "logpdf", _same, [((4, 3), (3,), (3,)), ((4, 3), (3,), ())],
         ("real", "real", "positive")),
    _row("multivariate_normal", "logpdf", lambda x, var: (x, 0.3, var), [((4,), ())],
         ("real", "positive")),
]
