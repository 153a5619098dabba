"""``wengert.scipy.stats``: log densities and distribution functions of SciPy's
distributions, differentiable in the point and in the parameters.

``norm t cauchy laplace logistic gamma beta expon`` (``logpdf pdf logcdf cdf``, with
``loc``/``scale`` and shape parameters as in SciPy), ``poisson`` (``logpmf pmf logcdf
cdf``, in ``mu``), ``dirichlet`` and ``multivariate_normal`` (``logpdf pdf``). Each method
is registered in ``wengert.numpy.TABLE`` as ``scipy.stats.<dist>.<method>``.

SciPy's own ``scipy.stats.norm.logpdf`` converts its arguments with ``numpy.asarray``, so
it cannot be routed here; called on a traced value its error names the function of this
module to call instead. Results keep the inputs' precision (float32 stays float32), where
SciPy's distributions compute in float64.
"""

from __future__ import annotations

from .continuous import beta, cauchy, expon, gamma, laplace, logistic, norm, t  # noqa: F401
from .discrete import poisson  # noqa: F401
from .multivariate import dirichlet, multivariate_normal  # noqa: F401
