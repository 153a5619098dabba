"""``wengert.numpy.linalg``: NumPy's linear algebra with derivative rules.

Each function is registered in ``wengert.numpy.TABLE`` as ``linalg.<name>`` with the
``numpy.linalg`` object, so plain ``numpy.linalg.solve(x, b)`` on traced values routes
here. Formulas, costs and the conventions at degenerate points: ``docs/linalg.md``.
"""

from __future__ import annotations

from ._lapack import LinAlgError
from ._util import DegenerateDerivativeError
from .chains import matrix_power, multi_dot, tensorinv, tensorsolve
from .decompositions import cholesky, eigh, eigvalsh, qr, svd
from .eig import eig, eigvals
from .extras import cross, diagonal, matmul, matrix_transpose, outer, tensordot, trace, vecdot
from .norms import cond, matrix_norm, norm, svdvals, vector_norm
from .pinv import lstsq, pinv
from .solve import det, inv, slogdet, solve

__all__ = [
    "DegenerateDerivativeError", "LinAlgError", "cholesky", "cond", "cross", "det", "diagonal",
    "eig", "eigh", "eigvals", "eigvalsh", "inv", "lstsq", "matmul", "matrix_norm",
    "matrix_power", "matrix_transpose", "multi_dot", "norm", "outer", "pinv", "qr",
    "slogdet", "solve", "svd", "svdvals", "tensordot", "tensorinv", "tensorsolve", "trace",
    "vecdot", "vector_norm",
]
