"""``benchmarks/coverage.py``: its counts agree with ``wengert.numpy.TABLE`` and with the
namespaces themselves (counted here independently, from each module's ``__all__``), the
report it writes states them, and it counts entries registered at run time."""

from __future__ import annotations

import importlib
import re

import pytest

from benchmarks import coverage as report
from wengert.numpy import TABLE
from wengert.numpy._registry import Entry


def _independent(module_name: str, prefix: str) -> tuple[int, int]:
    """(public callables, of which with a primitive or composite entry)."""
    module = importlib.import_module(module_name)
    names = [n for n in set(module.__all__)
             if callable(getattr(module, n, None)) and not isinstance(getattr(module, n), type)
             and n != "test"]
    rules = [n for n in names
             if prefix + n in TABLE and TABLE[prefix + n].kind in ("primitive", "composite")]
    return len(names), len(rules)


@pytest.fixture(scope="module")
def results():
    return report.counts()


def test_counts_agree_with_the_table_and_the_namespaces(results):
    assert [r.namespace for r in results] == ["numpy", "numpy.linalg", "numpy.fft",
                                              "scipy.special"]
    for r, (module, prefix) in zip(results, report.NAMESPACES):
        total, rules = _independent(module, prefix)
        assert (r.total, len(r.with_rules)) == (total, rules), r.namespace
        assert len(r.with_rules) + len(r.other_entry) + len(r.missing) == r.total
        for name in r.with_rules:
            assert TABLE[prefix + name].kind in ("primitive", "composite")
        for name in r.missing:
            assert prefix + name not in TABLE


def test_known_entries_are_counted(results):
    by = {r.namespace: r for r in results}
    assert set(by["numpy.fft"].with_rules) == {
        "fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn",
        "rfftn", "irfftn", "hfft", "ihfft", "fftshift", "ifftshift", "fftfreq", "rfftfreq"}
    assert {"sin", "matmul", "sum", "abs"} <= set(by["numpy"].with_rules)
    assert "argmax" in by["numpy"].other_entry  # nondiff: an entry, but no derivative


def test_report_states_the_counts(results, tmp_path):
    out = tmp_path / "coverage.md"
    assert report.main(["--out", str(out)]) == 0
    text = out.read_text()
    for r in results:
        row = re.search(rf"^\| `{re.escape(r.namespace)}` \| (\d+) \| (\d+) \| (\d+) \| "
                        rf"(\d+) \|", text, re.MULTILINE)
        assert row, f"no row for {r.namespace}"
        assert tuple(int(v) for v in row.groups()) == (
            len(r.with_rules), len(r.other_entry), len(r.missing), r.total)


def test_counts_what_is_registered_at_run_time():
    before = report.count("scipy.special", "scipy.special.")
    name = before.missing[0]
    TABLE["scipy.special." + name] = Entry("scipy.special." + name, "composite",
                                           lambda x: x, None)
    try:
        after = report.count("scipy.special", "scipy.special.")
    finally:
        del TABLE["scipy.special." + name]
    assert len(after.with_rules) == len(before.with_rules) + 1
    assert name in after.with_rules and name not in after.missing
