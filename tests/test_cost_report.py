"""cost_report: its fields, residual bytes against hand counts, ratios, errors, table."""

import numpy as onp
import pytest

import wengert
import wengert.numpy as np
from wengert import errors
from wengert.cost import stored_bytes


def test_fields_and_ratios_on_a_small_program():
    n = 50
    f = lambda x: np.sum(np.sin(x) ** 2)
    r = wengert.cost_report(f, time_budget=0.01)(onp.linspace(0.0, 1.0, n))
    assert (r.f.calls, r.f.flops) == (3, 3 * n - 1)
    assert r.value_and_grad.flops == 7 * n - 1  # see test_cost_flops
    assert r.ratio("value_and_grad") == pytest.approx((7 * n - 1) / (3 * n - 1))
    assert r.within_bound() is True
    # residuals: square keeps sin(x) (n doubles); sin keeps x, the argument: not
    # counted; sum's 0-d result is not kept (sum's rules do not read it)
    assert r.value_and_grad.residual_bytes == 8 * n
    assert r.f.residual_bytes == r.jvp.residual_bytes == 0
    for mode in ("f", "value_and_grad", "jvp", "hvp"):
        assert r.cost(mode).seconds > 0
    d = r.as_dict()
    assert d["value_and_grad"]["ratios"]["flops"] == r.ratio("value_and_grad")
    assert d["unmodelled"] == {}


def test_residual_bytes_hand_counts():
    n = 20
    x, y = onp.linspace(0.1, 1.0, n), onp.linspace(1.0, 2.0, n)
    # exp keeps its output e (n doubles); multiply(e, y) keeps e (the same buffer) and y
    # (an argument); sum keeps nothing (its rules read neither input nor result).
    r = wengert.cost_report(lambda x, y: np.sum(np.exp(x) * y), timeit=False)(x, y)
    assert r.value_and_grad.residual_bytes == 8 * n
    # Rosenbrock-like slices of the argument are views of it: only the computed
    # d = b - a*a (n-1 doubles) is kept by the square's rule; sum keeps nothing.
    r = wengert.cost_report(lambda x: np.sum((x[1:] - x[:-1] * x[:-1]) ** 2),
                            timeit=False)(x)
    assert r.value_and_grad.residual_bytes == 8 * (n - 1)


def test_hvp_residuals_hold_primal_and_tangent():
    n = 10
    x = onp.linspace(0.1, 1.0, n)
    r = wengert.cost_report(lambda x: np.sum(np.exp(x) * x), timeit=False)(x)
    # first order: exp's output (n doubles); under the HVP each residual is a dual
    # number, so exp's output and its tangent: 2n doubles at least
    assert r.value_and_grad.residual_bytes == 8 * n
    assert r.hvp.residual_bytes >= 2 * 8 * n


def test_stored_bytes_counts_each_buffer_once_and_views_as_owners():
    a = onp.ones(100)
    b = onp.ones((10, 10))
    arg = onp.ones(1000)
    assert stored_bytes([a, a, a[10:]]) == 800
    assert stored_bytes([b.T, b[0]]) == 800
    assert stored_bytes([arg[:5], a], exclude=[arg]) == 800
    assert stored_bytes([onp.float64(1.0), 2.0]) == 8  # Python literals are not counted


def test_argnums_and_nondifferentiated_data():
    X = onp.ones((6, 3))
    w = onp.full(3, 0.5)
    f = lambda w, X: np.sum(np.tanh(X @ w))
    r = wengert.cost_report(f, argnums=0, timeit=False)(w, X)
    # matmul 2*6*3 = 36, tanh 6, sum 5
    assert r.f.flops == 47
    # sweep: sum -> broadcast (0), tanh rule g*(1-ans^2) (square, subtract, multiply: 18),
    # matmul rule for w only: X^T g (2*3*6 = 36)
    assert r.value_and_grad.flops == 47 + 18 + 36


def test_unmodelled_primitives_are_named_in_the_table():
    @wengert.custom_vjp
    def cube(x):
        return x ** 3

    cube.defvjp(lambda x: (x ** 3, x), lambda x, g: (3.0 * x ** 2 * g,))
    r = wengert.cost_report(lambda x: np.sum(cube(x)), timeit=False)(onp.ones(4))
    assert any(k.startswith("custom_vjp") for k in r.unmodelled)
    text = str(r)
    assert "UNMODELLED" in text and "custom_vjp" in text and "+?" in text


def test_table_text():
    r = wengert.cost_report(lambda x: np.sum(x * x), time_budget=0.01)(onp.ones(8))
    text = str(r)
    for word in ("f ", "value_and_grad", "jvp", "hvp", "flops/f", "residuals", "bound of 5"):
        assert word in text
    assert repr(r) == text


def test_errors():
    with pytest.raises(errors.InputTypeError, match="cost_report: fun must be callable"):
        wengert.cost_report(3)
    with pytest.raises(errors.ArgnumsError, match="argnums"):
        wengert.cost_report(lambda x: np.sum(x), argnums=2, timeit=False)(onp.ones(2))
    with pytest.raises(errors.NonScalarOutputError):
        wengert.cost_report(lambda x: x * 2, timeit=False)(onp.ones(2))
    r = wengert.cost_report(lambda x: np.sum(x), timeit=False)(onp.ones(2))
    with pytest.raises(errors.WengertError, match="unknown field"):
        r.ratio("value_and_grad", "speed")
    with pytest.raises(errors.WengertError, match="unknown program"):
        r.cost("grad")


def test_cheap_gradient_flop_ratio_on_a_small_mlp():
    rng = onp.random.default_rng(0)
    W1, W2 = rng.standard_normal((8, 16)), rng.standard_normal((16, 3))
    X = rng.standard_normal((5, 8))

    def loss(params, X):
        W1, W2 = params
        z = np.tanh(X @ W1) @ W2
        return np.sum(np.log(np.sum(np.exp(z), axis=1)))

    r = wengert.cost_report(loss, timeit=False)((W1, W2), X)
    assert r.ratio("value_and_grad") <= 3.0
    assert not r.unmodelled


def test_docs_example_runs_and_prints_the_table(capsys):
    import os
    import re

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "docs", "cost.md")
    with open(path, encoding="utf-8") as fh:
        code = re.search(r"^```python\n(.*?)^```", fh.read(), re.M | re.S).group(1)
    scope: dict = {}
    exec(code, scope)
    out = capsys.readouterr().out
    assert out.startswith("cost report: loss")
    r = scope["report"]
    # logistic loss, 1000 x 20: matmul 2*1000*20 = 40000 flops dominate f
    assert 40_000 < r.f.flops < 50_000
    assert r.ratio("value_and_grad") <= 3
