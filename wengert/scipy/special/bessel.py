"""Modified Bessel functions of the first kind, plain and exponentially scaled.

==============  ==========================================================
function        d/dx
==============  ==========================================================
iv(v, x)        (iv(v - 1, x) + iv(v + 1, x)) / 2
ive(v, x)       (ive(v - 1, x) + ive(v + 1, x)) / 2 - sign(x) ive(v, x)
i0(x)           i1(x)
i1(x)           (i0(x) + iv(2, x)) / 2
i0e(x)          i1e(x) - sign(x) i0e(x)
i1e(x)          (i0e(x) + ive(2, x)) / 2 - sign(x) i1e(x)
==============  ==========================================================

``ive(v, x) = iv(v, x) exp(-|x|)``. The derivative in the order ``v`` has no closed form
in SciPy's functions; asking for it raises :class:`~wengert.errors.MissingRuleError`.
Each rule costs two Bessel evaluations.
"""

from __future__ import annotations

import scipy.special as sc

import wengert.numpy as wnp

from ._common import ANS, elementwise

__all__ = ["i0", "i0e", "i1", "i1e", "iv", "ive"]

_NO_ORDER = ("the derivative of the Bessel function in its order has no closed form in "
             "SciPy's special functions")

# fmt: off
iv  = elementwise("iv", sc.iv, None,
                  lambda ans, v, x: 0.5 * (iv(v - 1.0, x) + iv(v + 1.0, x)),
                  reads=((), (0, 1)), why_not=_NO_ORDER)
ive = elementwise("ive", sc.ive, None,
                  lambda ans, v, x: 0.5 * (ive(v - 1.0, x) + ive(v + 1.0, x))
                  - wnp.sign(x) * ans,
                  reads=((), (0, 1, ANS)), why_not=_NO_ORDER)
i0  = elementwise("i0", sc.i0, lambda ans, x: i1(x), reads=((0,),))
i1  = elementwise("i1", sc.i1, lambda ans, x: 0.5 * (i0(x) + iv(2.0, x)), reads=((0,),))
i0e = elementwise("i0e", sc.i0e, lambda ans, x: i1e(x) - wnp.sign(x) * ans,
                  reads=((0, ANS),))
i1e = elementwise("i1e", sc.i1e,
                  lambda ans, x: 0.5 * (i0e(x) + ive(2.0, x)) - wnp.sign(x) * ans,
                  reads=((0, ANS),))
# fmt: on
