"""``wengert.scipy.special``: SciPy's special functions with derivative rules.

Each function is registered in ``wengert.numpy.TABLE`` as ``scipy.special.<name>`` with
the SciPy function as the object that routes to it: SciPy's special functions are
ufuncs, so ``scipy.special.gammaln(x)`` on a traced ``x`` lands here. The formulas are
in each module's docstring and in ``docs/scipy.md``.
"""

from __future__ import annotations

from .bessel import i0, i0e, i1, i1e, iv, ive  # noqa: F401
from .entropy import entr, rel_entr, xlog1py, xlogy  # noqa: F401
from .error_function import erf, erfc, erfcinv, erfinv, log_ndtr, ndtr, ndtri  # noqa: F401
from .gamma import beta, betaln, digamma, gamma, gammaln, multigammaln, polygamma, psi  # noqa: F401
from .log_sum_exp import log_softmax, logsumexp, softmax  # noqa: F401
from .logistic import expit, log_expit, logit  # noqa: F401
from .zeta import zeta  # noqa: F401
