"""``x log y`` and the entropy functions, with SciPy's convention ``0 log 0 = 0``.

==============  ======================================  ================================
function        d/dx                                    d/dy
==============  ======================================  ================================
xlogy(x, y)     log(y)                                  x / y   (0 where x == 0)
xlog1py(x, y)   log1p(y)                                x / (1 + y)   (0 where x == 0)
entr(x)         -(log(x) + 1)                           (x > 0; +inf at x = 0)
rel_entr(x, y)  log(x / y) + 1                          -x / y  (0 where x == 0)
==============  ======================================  ================================

At ``x == 0`` the value is 0 whatever ``y`` is, so the derivative in ``y`` is 0 there;
the derivative in ``x`` is the one-sided slope (``-inf`` at ``y == 0``, which is exact).
"""

from __future__ import annotations

import scipy.special as sc

import wengert.numpy as wnp

from ...numpy._registry import strip
from ._common import elementwise

__all__ = ["entr", "rel_entr", "xlog1py", "xlogy"]


def _over_where_nonzero(x, y):
    """``x / y``, and 0 where ``x == 0`` (whatever ``y`` is)."""
    zero = wnp.asarray(strip(x)) == 0
    return x / wnp.where(zero, 1.0, y)


# fmt: off
xlogy    = elementwise("xlogy", sc.xlogy,
                       lambda ans, x, y: wnp.log(y),
                       lambda ans, x, y: _over_where_nonzero(x, y),
                       reads=((1,), (0, 1)))
xlog1py  = elementwise("xlog1py", sc.xlog1py,
                       lambda ans, x, y: wnp.log1p(y),
                       lambda ans, x, y: _over_where_nonzero(x, 1.0 + y),
                       reads=((1,), (0, 1)))
entr     = elementwise("entr", sc.entr, lambda ans, x: -(wnp.log(x) + 1.0), reads=((0,),))
rel_entr = elementwise("rel_entr", sc.rel_entr,
                       lambda ans, x, y: wnp.log(x / y) + 1.0,
                       lambda ans, x, y: -_over_where_nonzero(x, y),
                       reads=((0, 1), (0, 1)))
# fmt: on
