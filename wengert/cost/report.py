"""``cost_report``: what ``f``, its gradient, a JVP and a Hessian-vector product cost.

For each of the four programs (``programs.py``) the report has the number of primitive
calls, the floating-point operations of the flop model (``flops.py``), the bytes the
equations read and write (``counting.py``), the bytes of residuals reverse mode keeps for
its backward sweep (``residuals.py``) and the measured wall time; and every ratio to
``f``, against the bound of the cheap-gradient principle (Baur and Strassen 1983;
Griewank 1989): value and gradient together cost at most about 5 times ``f``.
"""

from __future__ import annotations

import dataclasses
import gc
import statistics
import time
from collections.abc import Callable

import numpy as np

from .. import errors
from . import programs
from .counting import Counts, count
from .residuals import hvp_residual_bytes, reverse_residual_bytes

BOUND = 5.0
FIELDS = ("calls", "flops", "bytes_read", "bytes_written", "residual_bytes", "seconds")


@dataclasses.dataclass
class Cost:
    """The cost of one program. ``flops`` leaves out the ``unmodelled`` primitives
    (name -> calls), which the report names. ``seconds`` is ``None`` when not timed."""

    calls: int
    flops: int
    bytes_read: int
    bytes_written: int
    residual_bytes: int
    seconds: float | None
    unmodelled: dict
    per_primitive: dict

    @classmethod
    def from_counts(cls, c: Counts, residual_bytes: int, seconds: float | None) -> Cost:
        return cls(c.calls, c.flops, c.bytes_read, c.bytes_written, residual_bytes, seconds,
                   dict(c.unmodelled), dict(c.per_primitive))


@dataclasses.dataclass
class CostReport:
    """The costs of ``f``, ``value_and_grad(f)``, ``jvp`` and ``hvp`` at one point.
    ``str()`` is a table; :meth:`ratio` and :meth:`as_dict` give the numbers."""

    name: str
    f: Cost
    value_and_grad: Cost
    jvp: Cost
    hvp: Cost
    bound: float = BOUND

    def cost(self, mode: str) -> Cost:
        if mode not in programs.MODES:
            raise errors.WengertError(
                f"CostReport: unknown program {mode!r}; expected one of {programs.MODES}")
        return getattr(self, mode)

    def ratio(self, mode: str, field: str = "flops") -> float | None:
        """``mode``'s ``field`` over ``f``'s (``None`` when ``f``'s is zero or untimed)."""
        if field not in FIELDS:
            raise errors.WengertError(
                f"CostReport.ratio: unknown field {field!r}; expected one of {FIELDS}")
        num, den = getattr(self.cost(mode), field), getattr(self.f, field)
        if num is None or not den:
            return None
        return num / den

    @property
    def unmodelled(self) -> dict:
        """Primitives with no flop rule, over all four programs (name -> calls)."""
        out: dict = {}
        for mode in programs.MODES:
            for name, n in self.cost(mode).unmodelled.items():
                out[name] = out.get(name, 0) + n
        return out

    def within_bound(self, field: str = "flops") -> bool | None:
        """Is value_and_grad's ``field`` at most ``bound`` times f's?"""
        r = self.ratio("value_and_grad", field)
        return None if r is None else r <= self.bound

    def as_dict(self) -> dict:
        out = {"name": self.name, "bound": self.bound, "unmodelled": self.unmodelled}
        for mode in programs.MODES:
            c = dataclasses.asdict(self.cost(mode))
            c["ratios"] = {f: self.ratio(mode, f) for f in FIELDS if f != "residual_bytes"}
            out[mode] = c
        return out

    def __str__(self) -> str:
        return format_report(self)

    def __repr__(self) -> str:
        return format_report(self)


def _si(x: float | None, unit: str = "") -> str:
    if x is None:
        return "—"
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= factor:
            return f"{x / factor:.3g} {prefix}{unit}".rstrip()
    return f"{x:.3g} {unit}".rstrip()


def _bytes(x: int) -> str:
    for factor, prefix in ((2 ** 30, "GiB"), (2 ** 20, "MiB"), (2 ** 10, "KiB")):
        if x >= factor:
            return f"{x / factor:.3g} {prefix}"
    return f"{x} B"


def _seconds(s: float | None) -> str:
    if s is None:
        return "—"
    if s >= 1:
        return f"{s:.3g} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} µs"


def _ratio(r: float | None) -> str:
    return "—" if r is None else f"{r:.2f}"


def format_report(r: CostReport) -> str:
    """The report as a fixed-width table with the ratios to ``f``."""
    header = ("program", "calls", "flops", "read", "written", "residuals", "time",
              "flops/f", "bytes/f", "time/f")
    rows = [header]
    for mode in programs.MODES:
        c = r.cost(mode)
        moved = r.ratio(mode, "bytes_read")
        rows.append((
            mode,
            str(c.calls),
            _si(c.flops) + ("+?" if c.unmodelled else ""),
            _bytes(c.bytes_read),
            _bytes(c.bytes_written),
            _bytes(c.residual_bytes),
            _seconds(c.seconds),
            _ratio(r.ratio(mode, "flops")),
            _ratio(moved),
            _ratio(r.ratio(mode, "seconds")),
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [f"cost report: {r.name}"]
    for k, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [x.rjust(w) for x, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    vg_f, vg_t = r.ratio("value_and_grad", "flops"), r.ratio("value_and_grad", "seconds")
    verdict = []
    for what, x in (("flops", vg_f), ("time", vg_t)):
        if x is not None:
            verdict.append(f"{what} {x:.2f} ({'within' if x <= r.bound else 'ABOVE'})")
    lines.append(f"value_and_grad / f against the cheap-gradient bound of {r.bound:g}: "
                 + (", ".join(verdict) if verdict else "—"))
    if r.unmodelled:
        names = ", ".join(f"{k} ({v} call{'s' if v != 1 else ''})"
                          for k, v in sorted(r.unmodelled.items()))
        lines.append(f"UNMODELLED primitives (flops not counted, marked +?): {names}")
    lines.append("bytes/f: bytes read over f's; residuals: bytes reverse mode keeps for "
                 "the backward sweep (docs/cost.md)")
    return "\n".join(lines)


def wall_time(fn: Callable[[], object], budget: float) -> float:
    """Median seconds per call of ``fn``: one warm-up call, then at least 3 samples,
    each a batch of back-to-back calls, taking about ``budget`` seconds in all."""
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    number = max(1, int(budget / 5 / max(first, 1e-9)))
    n_samples = max(3, min(5, int(budget / max(first * number, 1e-9))))
    samples = []
    for _ in range(n_samples):
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return statistics.median(samples)


def cost_report(fun: Callable, argnums=0, *, timeit: bool = True,
                time_budget: float = 0.25, seed: int = 0) -> Callable[..., CostReport]:
    """Return a function of ``fun``'s arguments that measures what ``fun`` costs.

    ``cost_report(f)(*args)`` counts, on the Wengert lists of ``f``,
    ``value_and_grad(f, argnums)``, ``jvp`` and the Hessian-vector product ``hvp`` (both
    along a seeded random direction of the ``argnums`` arguments), the primitive calls,
    flops (``docs/cost.md``), bytes read and written and the residual bytes of reverse
    mode, and (``timeit``) times each, about ``time_budget`` seconds apiece. ``fun``
    must return a real scalar.

    >>> print(wengert.cost_report(lambda x: np.sum(np.sin(x) ** 2))(np.ones(1000)))
    """
    if not callable(fun):
        raise errors.InputTypeError(
            f"cost_report: fun must be callable; got a {type(fun).__name__}")
    from .. import api

    name = getattr(fun, "__name__", type(fun).__name__)

    def report(*args) -> CostReport:
        nums = api._argnums_tuple(f"cost_report({name})", argnums, len(args))
        g = programs.partial(fun, args, nums)
        diff = tuple(args[i] for i in nums)
        tangents = programs.random_tangents(diff, seed)
        value = fun(*args)
        if np.shape(value) != () or not np.issubdtype(np.result_type(value), np.floating):
            raise errors.NonScalarOutputError(
                f"cost_report({name}): the function returned shape {np.shape(value)}, "
                f"dtype {np.result_type(value)}; a cost report needs a real scalar output "
                f"(the gradient and the Hessian-vector product are of a scalar function)")
        seed_ct = np.ones((), dtype=np.result_type(value))
        extras = {"f": None, "value_and_grad": seed_ct, "jvp": tangents, "hvp": tangents}
        calls = {
            "f": lambda: fun(*args),
            "value_and_grad": lambda: api.value_and_grad(g, tuple(range(len(nums))))(*diff),
            "jvp": lambda: api.jvp(g, diff, tangents),
            "hvp": lambda: api.hvp(g, diff, tangents),
        }
        residuals = {
            "f": 0,
            "value_and_grad": reverse_residual_bytes(fun, args, nums),
            "jvp": 0,  # forward mode keeps no tape
            "hvp": hvp_residual_bytes(fun, args, nums, tangents),
        }
        costs = {}
        for mode in programs.MODES:
            counts = count(programs.record(mode, fun, args, nums, extras[mode]))
            seconds = wall_time(calls[mode], time_budget) if timeit else None
            costs[mode] = Cost.from_counts(counts, residuals[mode], seconds)
        return CostReport(name, **costs)

    return report
