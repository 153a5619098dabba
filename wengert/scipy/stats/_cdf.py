"""Distribution functions that are regularised incomplete gamma/beta functions or the
Student t integral. Their derivative in ``x`` is the density; in the shape parameters it
has no closed form in SciPy's functions, and asking for it raises
:class:`~wengert.errors.MissingRuleError` naming the parameter.

=====================  ======================================  =====================
primitive              value                                   d/dz
=====================  ======================================  =====================
t_cdf(z, df)           stdtr(df, z)                            t density
gamma_cdf(z, a)        gammainc(a, z), z >= 0 (0 below)        gamma density
beta_cdf(z, a, b)      betainc(a, b, z), z in [0, 1] (clipped)  beta density
=====================  ======================================  =====================

Each rule costs one density evaluation.
"""

from __future__ import annotations

import numpy as onp
import scipy.special as sc

import wengert.numpy as wnp

from ...core import Primitive, defjvp, defvjp
from ...numpy._registry import strip
from ..special import betaln, gammaln, xlog1py, xlogy
from ..special._common import no_derivative


def _shape_rule(dist: str, parameter: str):
    return no_derivative(
        f"scipy.stats.{dist}.cdf", parameter,
        f"the derivative of the distribution function in {parameter!r} has no closed form "
        f"in SciPy's special functions")


def t_logpdf0(z, df):
    """log density of the standard t: log G((df+1)/2) - log G(df/2) - log(df pi)/2
    - (df+1)/2 log(1 + z^2/df)."""
    return (gammaln(0.5 * (df + 1.0)) - gammaln(0.5 * df) - 0.5 * wnp.log(df * onp.pi)
            - 0.5 * (df + 1.0) * wnp.log1p(z * z / df))


def _inside(z, lower=0.0, upper=None):
    """Mask of the points of the support (a constant: no derivative flows through it)."""
    plain = onp.asarray(strip(z))
    mask = plain >= lower if upper is None else (plain >= lower) & (plain <= upper)
    return mask


def gamma_logpdf0(z, a):
    """(a-1) log z - z - log G(a) for z >= 0, -inf below."""
    inside = _inside(z)
    safe = wnp.where(inside, z, 1.0)
    return wnp.where(inside, xlogy(a - 1.0, safe) - safe - gammaln(a), -onp.inf)


def beta_logpdf0(z, a, b):
    """(a-1) log z + (b-1) log(1-z) - log B(a, b) on [0, 1], -inf outside."""
    inside = _inside(z, 0.0, 1.0)
    safe = wnp.where(inside, z, 0.5)
    return wnp.where(inside, xlogy(a - 1.0, safe) + xlog1py(b - 1.0, -safe) - betaln(a, b),
                     -onp.inf)


def _density_rule(logpdf0):
    def rule(g, ans, z, *shapes):
        return g * wnp.exp(logpdf0(z, *shapes))
    return rule


def _cdf_primitive(name, impl, logpdf0, parameters):
    prim = Primitive(f"scipy.stats.{name}.cdf0", impl, broadcasts=True)
    density = _density_rule(logpdf0)
    shape_rules = [_shape_rule(name, p) for p in parameters]
    n = 1 + len(parameters)
    defvjp(prim, density, *shape_rules, reads=((tuple(range(n)),) + ((),) * len(parameters)))
    defjvp(prim, density, *shape_rules)
    return prim


t_cdf = _cdf_primitive("t", lambda z, df: sc.stdtr(df, z), t_logpdf0, ("df",))
gamma_cdf = _cdf_primitive("gamma", lambda z, a: sc.gammainc(a, onp.maximum(z, 0.0)),
                           gamma_logpdf0, ("a",))
beta_cdf = _cdf_primitive("beta", lambda z, a, b: sc.betainc(a, b, onp.clip(z, 0.0, 1.0)),
                          beta_logpdf0, ("a", "b"))
