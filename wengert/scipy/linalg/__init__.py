"""``wengert.scipy.linalg``: SciPy's linear algebra with derivative rules.

Registered in ``wengert.numpy.TABLE`` as ``scipy.linalg.<name>`` with the SciPy object.
SciPy's linear-algebra functions convert their arguments with ``numpy.asarray`` (they do
not dispatch), so a plain SciPy call on a traced value raises an error naming the
function here to call instead. Formulas, costs, conventions: ``docs/linalg.md``.
"""

from __future__ import annotations

from .decompositions import block_diag, eigh
from .factorizations import cho_factor, cho_solve, lu_factor, lu_solve
from .matfuncs import expm, logm, solve_sylvester, sqrtm
from .solve import det, inv, solve, solve_triangular

__all__ = [
    "block_diag", "cho_factor", "cho_solve", "det", "eigh", "expm", "inv", "logm",
    "lu_factor", "lu_solve", "solve", "solve_sylvester", "solve_triangular", "sqrtm",
]
