"""The coverage report of ``wengert.numpy``, built from its table (:data:`TABLE`).

``python -m wengert.numpy.coverage`` writes ``docs/numpy-coverage.md``; ``tests/test_docs.py``
checks that the file is current. The report counts the entries per kind, compares them
with the public callables of NumPy, ``numpy.linalg`` and ``numpy.fft`` (functions and
ufuncs, from each module's ``__all__``), and lists the table with a section per namespace
(top-level NumPy, then the dotted ones: ``linalg.``, ``fft.``, ``scipy.special.``...). A
NumPy callable counts as routed when it is the very object an entry routes from: dispatch
of plain NumPy calls on traced values goes by object (``__array_ufunc__``,
``__array_function__``), not by name, so an alias NumPy defines as a separate function is
not routed until it has an entry of its own. ``benchmarks/coverage.py`` uses the same
helpers to count, per namespace, the functions with both derivative rules.

The SciPy namespaces register when ``wengert.scipy`` is imported; :func:`load_all` does
that first, so the report is the same whatever was imported before.
"""

from __future__ import annotations

import importlib
import inspect
import os
import warnings

import numpy as onp

from ._registry import KINDS, TABLE

__all__ = ["coverage_table", "numpy_callables", "public_callables", "namespace_of",
           "load_all", "render_markdown", "write", "DOC_PATH", "NAMESPACES"]

#: Where ``python -m wengert.numpy.coverage`` writes the report, relative to the repository.
DOC_PATH = os.path.join("docs", "numpy-coverage.md")

#: Heading of the section that depends on the installed NumPy (its version and names).
NUMPY_SECTION = "## Against NumPy"

#: The namespaces wengert mirrors: (the module users call, the prefix of its entries'
#: names in the table). Top-level NumPy has no prefix.
NAMESPACES = (
    ("numpy", ""),
    ("numpy.linalg", "linalg."),
    ("numpy.fft", "fft."),
    ("scipy.special", "scipy.special."),
    ("scipy.linalg", "scipy.linalg."),
    ("scipy.stats", "scipy.stats."),
    ("scipy.signal", "scipy.signal."),
)

#: Entries that differentiate: a primitive with both rules, or a composite of them.
DIFFERENTIABLE = ("primitive", "composite")


def load_all() -> None:
    """Import every package that registers entries (``wengert.scipy`` and its namespaces),
    so that counts do not depend on what the caller imported."""
    importlib.import_module("wengert.scipy")


def namespace_of(name: str) -> str:
    """The namespace of the entry ``name``: the module of the longest matching prefix
    (``"scipy.stats.norm.logpdf"`` -> ``"scipy.stats"``); otherwise what precedes its last
    dot, and ``"numpy"`` for a name without one."""
    best = ("numpy", "")
    for module, prefix in NAMESPACES:
        if prefix and name.startswith(prefix) and len(prefix) > len(best[1]):
            best = (module, prefix)
    if not best[1] and "." in name:
        return name.rsplit(".", 1)[0]
    return best[0]


def _numpy_name(name: str, function) -> str:
    """How a user reaches ``function``: ``numpy.<name>`` when the entry's own name is that
    NumPy attribute, else the function's module and name; '' when there is none."""
    if function is None:
        return ""
    if getattr(onp, name, None) is function:
        return f"numpy.{name}"
    module = getattr(function, "__module__", None) or "numpy"
    if isinstance(function, onp.ufunc) and module == "numpy" and "." in name:
        module = namespace_of(name)  # SciPy's ufuncs report no module of their own
    return f"{module}.{getattr(function, '__name__', name)}"


def coverage_table() -> list[tuple[str, str, str]]:
    """``(name, kind, numpy name or '')`` for every entry of ``wengert.numpy``, by name."""
    return [
        (name, entry.kind, _numpy_name(name, entry.numpy_function))
        for name, entry in sorted(TABLE.items())
    ]


def public_callables(module) -> dict[str, object]:
    """A module's public callables (functions, ufuncs and callable objects such as
    SciPy's multi-output ufuncs; not types, modules, constants or ``numpy.test``), by
    name, from its ``__all__`` (or its public attributes)."""
    names = getattr(module, "__all__", None) or [n for n in dir(module)
                                                 if not n.startswith("_")]
    found = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in sorted(set(names)):
            try:
                obj = getattr(module, name)
            except AttributeError:
                continue
            if callable(obj) and not isinstance(obj, type) and (
                isinstance(obj, onp.ufunc) or inspect.isroutine(obj)
                or type(obj).__name__ != "PytestTester"  # ``numpy.test`` runs NumPy's tests
            ):
                found[name] = obj
    return found


def numpy_callables() -> dict[str, object]:
    """NumPy's public top-level callables (functions and ufuncs), by name."""
    return public_callables(onp)


def _routed(callables: dict) -> set[str]:
    routed = {id(e.numpy_function) for e in TABLE.values() if e.numpy_function is not None}
    return {name for name, obj in callables.items() if id(obj) in routed}


def _numpy_section() -> list[str]:
    lines = [
        f"{NUMPY_SECTION} {onp.__version__}",
        "",
        "NumPy's public callables (names in each module's `__all__` that are functions or "
        "ufuncs) with a wengert entry, that is, whose calls on traced values are routed to "
        "`wengert.numpy`; of those, the ones with both derivative rules (a `primitive` or "
        "`composite` entry of the same name). The others, called on traced values, raise an "
        "error (`UnsupportedFunctionError` naming the function, where NumPy dispatches the "
        "call).",
        "",
        "| namespace | | routed | with both rules | in NumPy |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for module_name, prefix in NAMESPACES[:3]:
        callables = public_callables(importlib.import_module(module_name))
        routed = _routed(callables)
        rules = {n for n in callables
                 if getattr(TABLE.get(prefix + n), "kind", None) in DIFFERENTIABLE}
        ufuncs = {n for n, o in callables.items() if isinstance(o, onp.ufunc)}
        groups = [("functions", set(callables) - ufuncs), ("ufuncs", ufuncs),
                  ("total", set(callables))]
        for label, names in groups:
            if label == "ufuncs" and not ufuncs:
                continue
            lines.append(f"| `{module_name}` | {label} | {len(routed & names)} | "
                         f"{len(rules & names)} | {len(names)} |")
    lines.append("")
    return lines


def _table_sections(rows) -> list[str]:
    order = [m for m, _ in NAMESPACES]
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(namespace_of(row[0]), []).append(row)
    lines = ["## The table", "",
             "One section per namespace; entries of a dotted namespace are named with its "
             "prefix (`linalg.solve`, `fft.rfft`, `scipy.special.gammaln`).", ""]
    for namespace in sorted(groups, key=lambda m: (order.index(m) if m in order
                                                   else len(order), m)):
        title = "top-level NumPy" if namespace == "numpy" else f"`{namespace}`"
        counts = {k: sum(1 for _, kind, _ in groups[namespace] if kind == k) for k in KINDS}
        summary = ", ".join(f"{counts[k]} {k}" for k in KINDS if counts[k])
        lines += [f"### {title}", "", f"{len(groups[namespace])} entries: {summary}.", "",
                  "| name | kind | routes |", "| --- | --- | --- |"]
        lines += [f"| `{name}` | {kind} | {f'`{np_name}`' if np_name else ''} |"
                  for name, kind, np_name in groups[namespace]]
        lines.append("")
    return lines


def render_markdown() -> str:
    """The coverage report as Markdown: counts per kind, NumPy's callables covered, and
    the table, a section per namespace."""
    load_all()
    rows = coverage_table()
    counts = {kind: sum(1 for _, k, _ in rows if k == kind) for kind in KINDS}
    no_numpy = [name for name, _, np_name in rows if not np_name]
    lines = [
        "# NumPy coverage of `wengert.numpy`",
        "",
        "Generated from the table in `wengert/numpy/_registry.py` by "
        "`python -m wengert.numpy.coverage`; do not edit by hand (`tests/test_docs.py` "
        "checks that it is current). The kinds are described in "
        "`docs/contributing-rules.md`.",
        "",
        "## Entries per kind",
        "",
        "| kind | entries |",
        "| --- | ---: |",
        *(f"| {kind} | {counts[kind]} |" for kind in KINDS),
        f"| total | {len(rows)} |",
        "",
        "- `primitive`: a primitive with a VJP and a JVP rule per differentiable argument;",
        "- `composite`: written with other entries, differentiated through them;",
        "- `nondiff`: the output carries no derivative; on traced values NumPy runs on their "
        "plain values;",
        "- `passthrough`: array creation, which takes no traced values (`*_like` of a "
        "traced array returns a traced constant).",
        "",
    ]
    if no_numpy:
        lines += [
            "Entries with no NumPy or SciPy function of that name (indexing, assignment "
            "and array methods): " + ", ".join(f"`{n}`" for n in no_numpy) + ".",
            "",
        ]
    lines += _numpy_section()
    lines += _table_sections(rows)
    return "\n".join(lines)


def without_numpy_section(text: str) -> str:
    """``text`` without the section that depends on the installed NumPy version (for
    comparing a report made under another NumPy)."""
    out, skipping = [], False
    for line in text.splitlines():
        if line.startswith("## "):
            skipping = line.startswith(NUMPY_SECTION)
        if not skipping:
            out.append(line)
    return "\n".join(out)


def write(path: str | None = None) -> str:
    """Write the report to ``path`` (default: ``docs/numpy-coverage.md`` of the repository
    this package sits in); return the path."""
    if path is None:
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        path = os.path.join(root, DOC_PATH)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(render_markdown())
    return path


if __name__ == "__main__":
    print(f"wrote {write()}")
