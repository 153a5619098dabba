"""The error function and the normal distribution function.

=============  ========================================  ===========================
function       derivative                                note
=============  ========================================  ===========================
erf(x)         2/sqrt(pi) exp(-x^2)
erfc(x)        -2/sqrt(pi) exp(-x^2)
erfinv(y)      sqrt(pi)/2 exp(erfinv(y)^2)                reads the output; |y| < 1
erfcinv(y)     -sqrt(pi)/2 exp(erfcinv(y)^2)              reads the output; 0 < y < 2
ndtr(x)        phi(x) = exp(-x^2/2) / sqrt(2 pi)
ndtri(p)       1 / phi(ndtri(p))                          reads the output; 0 < p < 1
log_ndtr(x)    phi(x)/ndtr(x) = exp(-x^2/2 - log_ndtr(x) - log sqrt(2 pi))
=============  ========================================  ===========================

``log_ndtr``'s derivative is formed in log space, so it stays finite (about ``-x``) far
in the left tail, where ``ndtr(x)`` underflows. Each rule costs one ``exp``.
"""

from __future__ import annotations

import math

import scipy.special as sc

import wengert.numpy as wnp

from ._common import ANS, elementwise

__all__ = ["erf", "erfc", "erfcinv", "erfinv", "log_ndtr", "ndtr", "ndtri"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)

# fmt: off
erf      = elementwise("erf", sc.erf, lambda ans, x: _TWO_OVER_SQRT_PI * wnp.exp(-(x * x)),
                       reads=((0,),))
erfc     = elementwise("erfc", sc.erfc, lambda ans, x: -_TWO_OVER_SQRT_PI * wnp.exp(-(x * x)),
                       reads=((0,),))
erfinv   = elementwise("erfinv", sc.erfinv,
                       lambda ans, y: _SQRT_PI_OVER_TWO * wnp.exp(ans * ans), reads=((ANS,),))
erfcinv  = elementwise("erfcinv", sc.erfcinv,
                       lambda ans, y: -_SQRT_PI_OVER_TWO * wnp.exp(ans * ans), reads=((ANS,),))
ndtr     = elementwise("ndtr", sc.ndtr, lambda ans, x: wnp.exp(-0.5 * (x * x)) / _SQRT_2PI,
                       reads=((0,),))
ndtri    = elementwise("ndtri", sc.ndtri, lambda ans, p: _SQRT_2PI * wnp.exp(0.5 * (ans * ans)),
                       reads=((ANS,),))
log_ndtr = elementwise("log_ndtr", sc.log_ndtr,
                       lambda ans, x: wnp.exp(-0.5 * (x * x) - ans - _LOG_SQRT_2PI),
                       reads=((0, ANS),))
# fmt: on
