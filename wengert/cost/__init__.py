"""Cost reports: what a function, its gradient, a JVP and a Hessian-vector product cost,
counted on their Wengert lists (primitive calls, flops, bytes, residual bytes) and timed.

    >>> print(wengert.cost_report(f)(x))

The flop model is in ``flops.py`` and ``docs/cost.md``.
"""

from .counting import Counts, count
from .flops import flops
from .report import BOUND, Cost, CostReport, cost_report
from .residuals import stored_bytes

__all__ = ["BOUND", "Cost", "CostReport", "Counts", "cost_report", "count", "flops",
           "stored_bytes"]
