"""The documentation stays true to the code.

* ``docs/numpy-coverage.md`` is what ``python -m wengert.numpy.coverage`` writes now;
* the README's example (its first ``python`` code block) runs;
* every public name of ``wengert`` has a docstring.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import os
import re

import numpy as onp

import wengert
from wengert.numpy import coverage

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REGENERATE = "python -m wengert.numpy.coverage"


def _read(*parts: str) -> str:
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


def test_numpy_coverage_doc_is_current():
    doc = _read(coverage.DOC_PATH)
    expected = coverage.render_markdown()
    if doc == expected:
        return
    message = (f"{coverage.DOC_PATH} is out of date with wengert.numpy.TABLE; "
               f"regenerate it with `{REGENERATE}`")
    recorded = re.search(rf"^{coverage.NUMPY_SECTION} (\S+)$", doc, re.MULTILINE)
    if recorded is not None and recorded.group(1) != onp.__version__:
        # Written under another NumPy: its NumPy counts may differ; the rest may not.
        assert coverage.without_numpy_section(doc) == coverage.without_numpy_section(
            expected), message
        return
    assert doc == expected, message


def test_coverage_table_matches_registry():
    rows = coverage.coverage_table()
    assert [name for name, _, _ in rows] == sorted(wengert.numpy.TABLE)
    for name, kind, np_name in rows:
        assert kind == wengert.numpy.TABLE[name].kind
        assert (np_name == "") == (wengert.numpy.TABLE[name].numpy_function is None)


def _first_python_block(text: str) -> str:
    match = re.search(r"^```python\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert match, "README.md has no ```python code block"
    return match.group(1)


def test_readme_example_runs():
    code = _first_python_block(_read("README.md"))
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})


def test_every_public_name_has_a_docstring():
    missing = [name for name in wengert.__all__
               if not (inspect.getdoc(getattr(wengert, name)) or "").strip()]
    assert not missing, f"public names of wengert without a docstring: {missing}"
