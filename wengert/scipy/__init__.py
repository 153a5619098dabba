"""``wengert.scipy``: SciPy-compatible functions that differentiate.

Each submodule mirrors a SciPy namespace and registers its functions in
``wengert.numpy.TABLE`` under dotted names (``scipy.special.gammaln``,
``scipy.stats.norm.logpdf``, ...) with the SciPy object as ``numpy_function``, so that
plain SciPy calls on traced values route here where SciPy's dispatch allows it
(``scipy.special`` functions are ufuncs and reach ``__array_ufunc__``).

Importing this package imports SciPy; ``import wengert`` does not. The dispatch of
``wengert.numpy`` imports it lazily the first time a SciPy function meets a tracer.
"""

from __future__ import annotations

from . import linalg, signal, special, stats  # noqa: F401
