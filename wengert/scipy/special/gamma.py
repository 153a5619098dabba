"""The gamma function family.

=================  ==========================================================
function           derivative
=================  ==========================================================
gammaln(x)         digamma(x)
digamma(x)         polygamma(1, x)
polygamma(n, x)    polygamma(n + 1, x)   (none in the integer order n)
gamma(x)           gamma(x) digamma(x)
beta(a, b)         beta(a, b) (digamma(a) - digamma(a + b)), symmetric in b
betaln(a, b)       digamma(a) - digamma(a + b), symmetric in b
multigammaln(a,d)  sum_j digamma(a - j/2), j = 0..d-1 (composite of gammaln)
=================  ==========================================================

Each rule costs one or two elementwise special-function evaluations.
"""

from __future__ import annotations

import math

import numpy as onp
import scipy.special as sc

import wengert.numpy as wnp

from ... import errors
from ...numpy._registry import strip
from ._common import ANS, elementwise, in_precision_of, register_special

__all__ = ["beta", "betaln", "digamma", "gamma", "gammaln", "multigammaln", "polygamma",
           "psi"]


def _polygamma_impl(n, x):
    if onp.iscomplexobj(x):
        raise errors.UnsupportedFunctionError(
            "wengert.scipy.special.polygamma: SciPy computes polygamma for real x only, "
            "so it (and the derivative of digamma, the second derivative of gamma) is not "
            "available for complex inputs.")
    # SciPy's polygamma computes in float64; keep the input's float precision.
    return in_precision_of(sc.polygamma(n, x), x)


# fmt: off
gammaln = elementwise("gammaln", sc.gammaln, lambda ans, x: digamma(x), reads=((0,),))
digamma = elementwise("digamma", sc.digamma, lambda ans, x: polygamma(1, x), reads=((0,),))
gamma   = elementwise("gamma", sc.gamma, lambda ans, x: ans * digamma(x), reads=((0, ANS),))
betaln  = elementwise("betaln", sc.betaln,
                      lambda ans, a, b: digamma(a) - digamma(a + b),
                      lambda ans, a, b: digamma(b) - digamma(a + b),
                      reads=((0, 1), (0, 1)))
beta    = elementwise("beta", sc.beta,
                      lambda ans, a, b: ans * (digamma(a) - digamma(a + b)),
                      lambda ans, a, b: ans * (digamma(b) - digamma(a + b)),
                      reads=((0, 1, ANS), (0, 1, ANS)))
# fmt: on
psi = digamma
register_special("psi", digamma, "composite")

_polygamma_p = elementwise(
    "polygamma", _polygamma_impl, None, lambda ans, n, x: polygamma(n + 1, x),
    reads=((), (0, 1)), why_not="the order n is an integer", public=False)


def polygamma(n, x):
    """``scipy.special.polygamma(n, x)``, the n-th derivative of digamma; differentiable
    in ``x`` (its derivative is ``polygamma(n + 1, x)``), not in the integer order ``n``."""
    n_plain = onp.asarray(strip(n))
    if not (onp.issubdtype(n_plain.dtype, onp.integer)
            or bool(onp.all(n_plain == onp.floor(n_plain)))) or bool(onp.any(n_plain < 0)):
        raise errors.UnsupportedFunctionError(
            f"wengert.scipy.special.polygamma: the order n must be a non-negative integer, "
            f"got {n_plain!r}.")
    return _polygamma_p(n, x)


register_special("polygamma", polygamma, "primitive")

_LOG_PI = math.log(math.pi)


def multigammaln(a, d: int):
    """``scipy.special.multigammaln(a, d)``: log of the multivariate gamma function,
    ``d(d-1)/4 log(pi) + sum_{j=0}^{d-1} gammaln(a - j/2)``, for ``a > (d-1)/2``;
    derivative ``sum_j digamma(a - j/2)`` (through ``gammaln``)."""
    if not isinstance(d, (int, onp.integer)) or d < 1:
        raise errors.UnsupportedFunctionError(
            f"wengert.scipy.special.multigammaln: the dimension d must be a positive "
            f"integer (a plain value, not traced), got {d!r}.")
    if onp.any(onp.asarray(strip(a)) <= 0.5 * (d - 1)):
        raise ValueError("wengert.scipy.special.multigammaln: condition a > 0.5 * (d-1) "
                         "not met")
    offsets = -0.5 * onp.arange(d)
    terms = gammaln(wnp.expand_dims(a, -1) + offsets.astype(wnp.result_type(a, 0.5)))
    return wnp.sum(terms, axis=-1) + d * (d - 1) / 4.0 * _LOG_PI


register_special("multigammaln", multigammaln, "composite")
