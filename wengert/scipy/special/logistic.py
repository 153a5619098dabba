"""The logistic sigmoid and its inverse.

=============  =================================  ==============================
function       derivative                         note
=============  =================================  ==============================
expit(x)       expit(x) (1 - expit(x))            reads the output
logit(p)       1 / (p (1 - p))                    0 < p < 1
log_expit(x)   1 - expit(x) = expit(-x)           finite for all x
=============  =================================  ==============================
"""

from __future__ import annotations

import scipy.special as sc

from ._common import ANS, elementwise

__all__ = ["expit", "log_expit", "logit"]

# fmt: off
expit     = elementwise("expit", sc.expit, lambda ans, x: ans * (1.0 - ans), reads=((ANS,),))
logit     = elementwise("logit", sc.logit, lambda ans, p: 1.0 / (p * (1.0 - p)), reads=((0,),))
log_expit = elementwise("log_expit", sc.log_expit, lambda ans, x: expit(-x), reads=((0,),))
# fmt: on
