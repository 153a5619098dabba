"""The coverage report of ``wengert.numpy``, built from its table (:data:`TABLE`).

``python -m wengert.numpy.coverage`` writes ``docs/numpy-coverage.md``; ``tests/test_docs.py``
checks that the file is current. The report counts the entries per kind and compares them
with NumPy's public callables (top-level functions and ufuncs, from ``numpy.__all__``). A
NumPy callable counts as covered when it is the very object an entry routes from: dispatch
of plain NumPy calls on traced values goes by object (``__array_ufunc__``,
``__array_function__``), not by name, so an alias NumPy defines as a separate function is
not covered until it has an entry of its own.
"""

from __future__ import annotations

import inspect
import os
import warnings

import numpy as onp

from ._registry import KINDS, TABLE

__all__ = ["coverage_table", "numpy_callables", "render_markdown", "write", "DOC_PATH"]

#: Where ``python -m wengert.numpy.coverage`` writes the report, relative to the repository.
DOC_PATH = os.path.join("docs", "numpy-coverage.md")

#: Heading of the section that depends on the installed NumPy (its version and names).
NUMPY_SECTION = "## Against NumPy"


def _numpy_name(name: str, function) -> str:
    """How a user reaches ``function`` in NumPy: ``numpy.<name>`` when the entry's own name
    is that NumPy attribute, else the function's module and name; '' when there is none."""
    if function is None:
        return ""
    if getattr(onp, name, None) is function:
        return f"numpy.{name}"
    module = getattr(function, "__module__", None) or "numpy"
    return f"{module}.{getattr(function, '__name__', name)}"


def coverage_table() -> list[tuple[str, str, str]]:
    """``(name, kind, numpy name or '')`` for every entry of ``wengert.numpy``, by name."""
    return [
        (name, entry.kind, _numpy_name(name, entry.numpy_function))
        for name, entry in sorted(TABLE.items())
    ]


def numpy_callables() -> dict[str, object]:
    """NumPy's public top-level callables (functions and ufuncs; not types or modules),
    by name."""
    names = getattr(onp, "__all__", None) or [n for n in dir(onp) if not n.startswith("_")]
    found = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in sorted(set(names)):
            try:
                obj = getattr(onp, name)
            except AttributeError:
                continue
            if isinstance(obj, onp.ufunc) or (
                inspect.isroutine(obj) and not isinstance(obj, type)
            ):
                found[name] = obj
    return found


def _covered(callables: dict) -> set[str]:
    routed = [e.numpy_function for e in TABLE.values() if e.numpy_function is not None]
    return {name for name, obj in callables.items() if any(obj is f for f in routed)}


def _numpy_section() -> list[str]:
    callables = numpy_callables()
    covered = _covered(callables)
    ufuncs = {n for n, o in callables.items() if isinstance(o, onp.ufunc)}
    functions = set(callables) - ufuncs
    return [
        f"{NUMPY_SECTION} {onp.__version__}",
        "",
        "NumPy's public top-level callables (names in `numpy.__all__` that are functions or "
        "ufuncs) with a wengert entry, that is, whose calls on traced values are routed to "
        "`wengert.numpy`. The others, called on traced values, raise an error "
        "(`UnsupportedFunctionError` naming the function, where NumPy dispatches the call).",
        "",
        "| | with an entry | in NumPy |",
        "| --- | ---: | ---: |",
        f"| functions | {len(covered & functions)} | {len(functions)} |",
        f"| ufuncs | {len(covered & ufuncs)} | {len(ufuncs)} |",
        f"| total | {len(covered)} | {len(callables)} |",
        "",
    ]


def render_markdown() -> str:
    """The coverage report as Markdown: counts per kind, NumPy's callables covered, and
    the full table."""
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
            "Entries with no top-level NumPy function of that name (indexing, assignment "
            "and array methods): " + ", ".join(f"`{n}`" for n in no_numpy) + ".",
            "",
        ]
    lines += _numpy_section()
    lines += [
        "## The table",
        "",
        "| name | kind | NumPy |",
        "| --- | --- | --- |",
        *(f"| `{name}` | {kind} | {f'`{np_name}`' if np_name else ''} |"
          for name, kind, np_name in rows),
        "",
    ]
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
