"""The trace at scale: long chains, memory that grows only by the residuals needed,
gradients in several threads at once, and the layering of the package."""

import ast
import pathlib
import threading
import tracemalloc

import numpy as onp
import pytest

import wengert
import wengert.numpy as np


def test_chain_of_a_million_primitives_has_no_recursion_limit():
    n = 10**6

    def f(x):
        for _ in range(n):
            x = x * 1.000001
        return x

    value, g = wengert.value_and_grad(f)(1.0)
    assert g == pytest.approx(1.000001**n, rel=1e-9)
    assert value == pytest.approx(1.000001**n, rel=1e-9)


def _peak_bytes(f, x):
    vg = wengert.value_and_grad(f)
    vg(x)  # warm caches outside the measurement
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    vg(x)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak


def _chain(op, n):
    def f(x):
        for _ in range(n):
            x = op(x)
        return np.sum(x)

    return f


ARRAY = onp.linspace(0.0, 0.5, 20_000)  # 160 kB


def test_reverse_memory_grows_by_the_residuals_the_rules_need():
    nbytes = ARRAY.nbytes
    # tanh keeps its output for the sweep: one array per step.
    growth = _peak_bytes(_chain(np.tanh, 40), ARRAY) - _peak_bytes(_chain(np.tanh, 20), ARRAY)
    assert 0.9 * 20 * nbytes <= growth <= 1.3 * 20 * nbytes
    # x * c + d keeps nothing that grows with the input's size (c and d are scalars).
    affine = lambda x: x * 1.01 + 0.1
    growth = _peak_bytes(_chain(affine, 40), ARRAY) - _peak_bytes(_chain(affine, 20), ARRAY)
    assert growth <= 0.1 * 20 * nbytes


def test_concurrent_gradients_in_threads_are_each_correct():
    results, errors = {}, []
    barrier = threading.Barrier(4)

    def work(k):
        try:
            barrier.wait()
            x = onp.linspace(0.1, 1.0, 50) * (k + 1)
            for _ in range(30):
                g = wengert.grad(lambda x: np.sum(np.sin(k * x) * x))(x)
                inner = wengert.grad(lambda x: x * wengert.grad(lambda y: x + k * y)(1.0))(2.0)
            results[k] = (x, g, inner)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for k, (x, g, inner) in results.items():
        onp.testing.assert_allclose(g, onp.sin(k * x) + k * x * onp.cos(k * x), rtol=1e-13)
        assert inner == k


def _imports(path: pathlib.Path) -> set:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_core_imports_nothing_from_the_layers_above():
    package = pathlib.Path(wengert.__file__).parent
    allowed_up = {"..", "..errors", "..config", "..tree"}
    for path in (package / "core").glob("*.py"):
        for name in _imports(path):
            if name.startswith("..") or name.startswith("wengert"):
                assert name in allowed_up, f"{path.name} imports {name}"
    assert not any(n.startswith(".") or n.startswith("wengert")
                   for n in _imports(package / "tree.py"))
