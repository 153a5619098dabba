"""Namespace coverage: how many of the functions NumPy and SciPy export differentiate.

``python -m benchmarks.coverage`` writes ``benchmarks/results/coverage.md``: for top-level
NumPy, ``numpy.linalg``, ``numpy.fft`` and ``scipy.special``, the number of public
callables (functions and ufuncs in the module's ``__all__``) that have both derivative
rules, that is, a ``primitive`` or ``composite`` entry of ``wengert.numpy.TABLE`` under
the same dotted name (``solve`` -> ``linalg.solve``, ``gammaln`` ->
``scipy.special.gammaln``), against the total. The table is read at run time, after
importing every package that registers entries, so the report counts whatever is
registered now. ``tests/test_coverage_report.py`` checks the counts.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import os
import sys

import numpy as np

#: (module, prefix of its entries' names in wengert.numpy.TABLE)
NAMESPACES = (
    ("numpy", ""),
    ("numpy.linalg", "linalg."),
    ("numpy.fft", "fft."),
    ("scipy.special", "scipy.special."),
)

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results",
                           "coverage.md")


@dataclasses.dataclass(frozen=True)
class NamespaceCount:
    """The coverage of one namespace; every field but ``namespace`` lists names within it."""

    namespace: str
    callables: tuple  # its public callables
    with_rules: tuple  # ... with a primitive or composite entry
    other_entry: tuple  # ... with a nondiff or passthrough entry only
    missing: tuple  # ... with no entry

    @property
    def total(self) -> int:
        return len(self.callables)

    @property
    def share(self) -> float:
        return len(self.with_rules) / self.total if self.total else 0.0


def count(module_name: str, prefix: str) -> NamespaceCount:
    """The coverage of ``module_name`` by the entries named ``prefix + name``."""
    from wengert.numpy import TABLE
    from wengert.numpy.coverage import DIFFERENTIABLE, public_callables

    callables = sorted(public_callables(importlib.import_module(module_name)))
    kinds = {n: TABLE[prefix + n].kind for n in callables if prefix + n in TABLE}
    return NamespaceCount(
        namespace=module_name,
        callables=tuple(callables),
        with_rules=tuple(n for n in callables if kinds.get(n) in DIFFERENTIABLE),
        other_entry=tuple(n for n in callables
                          if n in kinds and kinds[n] not in DIFFERENTIABLE),
        missing=tuple(n for n in callables if n not in kinds),
    )


def counts() -> list[NamespaceCount]:
    from wengert.numpy.coverage import load_all

    load_all()
    return [count(module, prefix) for module, prefix in NAMESPACES]


def render(results: list[NamespaceCount]) -> str:
    import scipy

    lines = [
        "# Namespace coverage",
        "",
        f"Written by `python -m benchmarks.coverage` (NumPy {np.__version__}, SciPy "
        f"{scipy.__version__}). A public callable (a function or ufunc in the module's "
        "`__all__`) counts as *with both rules* when `wengert.numpy.TABLE` has a "
        "`primitive` (VJP and JVP rules) or `composite` (written with such primitives) entry "
        "of that dotted name; *other entry*: `nondiff` or `passthrough` (no derivative, or "
        "none needed).",
        "",
        "| namespace | with both rules | other entry | no entry | public callables | "
        "share with both rules |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(f"| `{r.namespace}` | {len(r.with_rules)} | {len(r.other_entry)} | "
                     f"{len(r.missing)} | {r.total} | {100 * r.share:.1f}% |")
    total = sum(r.total for r in results)
    rules = sum(len(r.with_rules) for r in results)
    lines += [f"| all four | {rules} | {sum(len(r.other_entry) for r in results)} | "
              f"{sum(len(r.missing) for r in results)} | {total} | "
              f"{100 * rules / max(total, 1):.1f}% |", ""]
    for r in results:
        lines += [f"## `{r.namespace}`", "",
                  f"With both rules ({len(r.with_rules)}): "
                  + (", ".join(f"`{n}`" for n in r.with_rules) or "none") + ".", "",
                  f"No entry ({len(r.missing)}): "
                  + (", ".join(f"`{n}`" for n in r.missing) or "none") + ".", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.coverage",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="where to write the report")
    args = parser.parse_args(argv)
    results = counts()
    text = render(results)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    for r in results:
        print(f"{r.namespace:15s} {len(r.with_rules):4d} / {r.total:4d} with both rules")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
