"""The C toolchain of the native backend: compile, cache, report failures."""

import ctypes

import pytest
from native_switches import needs_cc, pretend_no_compiler

from wengert.compile import settings
from wengert.compile.native import toolchain


@needs_cc
def test_compiles_loads_and_caches_a_kernel():
    source = "double scaled_sum(const double *x, long n, double k) {\n" \
             "    double s = 0.0;\n    for (long i = 0; i < n; i++) s += k * x[i];\n" \
             "    return s;\n}\n"
    lib = toolchain.load(source)
    f = lib.scaled_sum
    f.restype = ctypes.c_double
    f.argtypes = [ctypes.POINTER(ctypes.c_double), ctypes.c_long, ctypes.c_double]
    xs = (ctypes.c_double * 4)(1.0, 2.0, 3.0, 4.5)
    assert f(xs, 4, 2.0) == 2.0 * (1.0 + 2.0 + 3.0 + 4.5)
    assert toolchain.load(source) is lib  # cached in the process


@needs_cc
def test_a_compiler_error_is_reported_not_raised_as_something_else():
    with pytest.raises(toolchain.NativeUnavailable, match="the C compiler failed"):
        toolchain.load("this is not C")


def test_no_compiler_means_unavailable(monkeypatch):
    pretend_no_compiler(monkeypatch)
    assert toolchain.available() is False
    with pytest.raises(toolchain.NativeUnavailable, match="no C compiler"):
        toolchain.load("int f(void) { return 1; }")


def test_the_setting_turns_it_off(monkeypatch):
    monkeypatch.setattr(settings, "native", False)
    assert toolchain.available() is False
