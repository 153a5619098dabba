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

``ive(v, x) = iv(v, x) exp(-|x|)``. Each rule in ``x`` costs two Bessel evaluations.

The derivative in the order ``v`` has no closed form in SciPy's functions (the one at
integer orders, DLMF 10.38.4, cancels catastrophically for small ``x``). It is the
primitive ``iv_order_derivative(v, x) = ∂I_v(x)/∂v`` of :mod:`.bessel_order`
(``ive_order_derivative = e^(-x) ∂I_v/∂v``): the power series in ``x`` differentiated
termwise in ``v`` for ``x < max(20, v²/5)``, the large-``x`` expansion beyond, for real
``v`` and ``x > 0`` (NaN for ``x < 0``, and at ``x = 0`` unless ``v > 0``, where it is 0).
Its own derivatives are ``∂²I_v/∂v²`` (same methods) and, in ``x``, the recurrence above
differentiated in ``v``; the third derivative in the order raises
:class:`~wengert.errors.MissingRuleError`.
"""

from __future__ import annotations

import scipy.special as sc

import wengert.numpy as wnp

from ._common import ANS, elementwise
from .bessel_order import iv_order_derivative, ive_order_derivative

__all__ = ["i0", "i0e", "i1", "i1e", "iv", "ive"]

# fmt: off
iv  = elementwise("iv", sc.iv, lambda ans, v, x: iv_order_derivative(v, x),
                  lambda ans, v, x: 0.5 * (iv(v - 1.0, x) + iv(v + 1.0, x)),
                  reads=((0, 1), (0, 1)))
ive = elementwise("ive", sc.ive, lambda ans, v, x: ive_order_derivative(v, x),
                  lambda ans, v, x: 0.5 * (ive(v - 1.0, x) + ive(v + 1.0, x))
                  - wnp.sign(x) * ans,
                  reads=((0, 1), (0, 1, ANS)))
i0  = elementwise("i0", sc.i0, lambda ans, x: i1(x), reads=((0,),))
i1  = elementwise("i1", sc.i1, lambda ans, x: 0.5 * (i0(x) + iv(2.0, x)), reads=((0,),))
i0e = elementwise("i0e", sc.i0e, lambda ans, x: i1e(x) - wnp.sign(x) * ans,
                  reads=((0, ANS),))
i1e = elementwise("i1e", sc.i1e,
                  lambda ans, x: 0.5 * (i0e(x) + ive(2.0, x)) - wnp.sign(x) * ans,
                  reads=((0, ANS),))
# fmt: on
