"""Switching the native backend off in tests: by its setting, or by pretending the
machine has no C compiler; and the marker for tests that need one."""

import pytest

from wengert.compile import settings
from wengert.compile.native import toolchain

needs_cc = pytest.mark.skipif(toolchain._compiler() is None,
                              reason="no C compiler on this machine: the native backend "
                                     "is off and the Python code runs (tested elsewhere)")


def pretend_no_compiler(monkeypatch) -> None:
    monkeypatch.setitem(toolchain._state, "checked", True)
    monkeypatch.setitem(toolchain._state, "compiler", None)
    monkeypatch.setitem(toolchain._state, "reason", "no C compiler found")


def turn_native_off(monkeypatch, how: str) -> None:
    """``how``: ``"setting"`` (``settings.native = False``) or anything else (no
    compiler)."""
    if how == "setting":
        monkeypatch.setattr(settings, "native", False)
    else:
        pretend_no_compiler(monkeypatch)
