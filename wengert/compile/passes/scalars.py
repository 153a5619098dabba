"""Which parts of a list are 0-d float64 code that may run on Python floats.

``scalar_code(wl)`` maps the index of each equation that can be emitted as Python float
arithmetic or a ``math`` call to its :class:`ops.PythonOp` (``template.format(*names)``):
its output is 0-d float64, every argument is a 0-d float64 variable or a 0-d real
literal (float64, or a Python ``int``/``float``), and its primitive has a spelling in
:data:`ops.PYTHON`. Python's ``+ - *`` are the IEEE operations NumPy uses, so these are
bitwise equal; ``math`` functions may differ from NumPy's in the last bit.

``scalar_vars(wl)`` names the 0-d float64 variables. A code generator that keeps such a
value as a Python ``float`` must turn it back into ``numpy.float64`` wherever it meets an
array of another dtype: a Python float is a *weak* scalar under NumPy 2's promotion
(``float32 array * 2.0`` stays float32) while the recorded ``float64`` value is not.
"""

from __future__ import annotations

import numpy as np

from ...core.wengert_list import Var, WengertList
from .ops import PYTHON, PythonOp, ufunc_of


def _is_scalar_f64(v: Var) -> bool:
    return tuple(v.shape) == () and np.dtype(v.dtype) == np.float64


def scalar_vars(wl: WengertList) -> set[str]:
    names = {v.name for v in wl.inputs if _is_scalar_f64(v)}
    for eq in wl.equations:
        names.update(v.name for v in eq.outs if _is_scalar_f64(v))
    return names


def _scalar_literal(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, (np.floating, np.ndarray)) and np.ndim(value) == 0 and (
        np.result_type(value) == np.float64)


def scalar_code(wl: WengertList) -> dict[int, PythonOp]:
    plan: dict[int, PythonOp] = {}
    for k, eq in enumerate(wl.equations):
        if eq.params or len(eq.outs) != 1 or not _is_scalar_f64(eq.outs[0]):
            continue
        op = PYTHON.get(ufunc_of(eq.primitive))
        if op is None:
            continue
        if all(_is_scalar_f64(a) if isinstance(a, Var) else _scalar_literal(a.value)
               for a in eq.ins):
            plan[k] = op
    return plan
