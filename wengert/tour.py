"""The tour: ``python -m wengert``. Real output for the lecture-note examples."""

from __future__ import annotations

import math
import time

import numpy as onp

import wengert
import wengert.numpy as np
from wengert.check import numerical_grad


def _examples():
    def f1(x1, x2):
        return np.cos(np.sin(x1 * x2))

    def L(w1, w2):  # noqa: N802  (the lecture notes' name)
        return w2 * np.log(w1) + np.sqrt(w2 * np.log(w1))

    def f3(w1, w2):
        return (np.sin(2 * math.pi * w1 / w2) + 3 * w1 / w2 - np.exp(2 * w2)) * (
            3 * w1 / w2 - np.exp(2 * w2)
        )

    return [
        ("f(x1, x2) = cos(sin(x1·x2))", f1, (1.5, 0.5)),
        ("L(w1, w2) = w2·log w1 + sqrt(w2·log w1)", L, (2.0, 3.0)),
        ("f(w1, w2) = (sin(2π w1/w2) + 3 w1/w2 − exp(2 w2))·(3 w1/w2 − exp(2 w2))", f3,
         (1.5, 0.5)),
    ]


def _section(title: str) -> None:
    print()
    print(title)
    print("-" * len(title))


def show_gradients() -> None:
    for title, f, point in _examples():
        _section(title)
        print(f"The Wengert list at (w1, w2) = {point}:")
        print(wengert.make_trace(f)(*point))
        x = onp.array(point)

        def on_vector(w):
            return f(w[0], w[1])

        reverse = onp.array(wengert.grad(f, argnums=(0, 1))(*point))
        forward = onp.array([
            wengert.jvp(f, point, tuple(float(i == j) for j in range(2)))[1] for i in range(2)
        ])
        central = numerical_grad(on_vector, x, method="central")
        complex_step = numerical_grad(on_vector, x, method="complex")
        print(f"{'method':<22}{'∂/∂w1':>24}{'∂/∂w2':>24}{'max error vs reverse':>24}")
        for name, g in [("reverse mode", reverse), ("forward mode", forward),
                        ("central differences", central), ("complex step", complex_step)]:
            err = float(onp.max(onp.abs(g - reverse)))
            print(f"{name:<22}{g[0]:>24.16g}{g[1]:>24.16g}{err:>24.2e}")


def show_hvp() -> None:
    _section("Hessian-vector product of E(θ) = (xᵀθ)², forward-over-reverse")
    rng = onp.random.default_rng(0)
    x, theta, v = rng.standard_normal((3, 5))

    def energy(t):
        return np.dot(x, t) ** 2

    hv = wengert.hvp(energy, (theta,), (v,))
    exact = 2 * onp.dot(x, v) * x
    print(f"hvp       = {onp.array2string(onp.asarray(hv), precision=6)}")
    print(f"2(xᵀv)x   = {onp.array2string(exact, precision=6)}")
    print(f"max error = {float(onp.max(onp.abs(hv - exact))):.2e}")


def mlp_loss(params, x, labels):
    """Softmax cross-entropy of a tanh MLP, averaged over the batch."""
    h = x
    for w, b in params[:-1]:
        h = np.tanh(h @ w + b)
    w, b = params[-1]
    z = h @ w + b
    z = z - np.max(z, axis=1, keepdims=True)
    log_probs = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.mean(np.sum(log_probs * labels, axis=1))


def mlp_problem(sizes=(784, 512, 512, 10), batch=256, seed=0):
    rng = onp.random.default_rng(seed)
    params = [
        (rng.standard_normal((m, n)) / math.sqrt(m), onp.zeros(n))
        for m, n in zip(sizes[:-1], sizes[1:])
    ]
    x = rng.standard_normal((batch, sizes[0]))
    labels = onp.eye(sizes[-1])[rng.integers(0, sizes[-1], batch)]
    return params, x, labels


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(onp.median(times))


def show_cheap_gradient(repeats: int = 7) -> None:
    _section("The cheap-gradient principle: time(value_and_grad) / time(f)")
    params, x, labels = mlp_problem()
    vg = wengert.value_and_grad(mlp_loss)
    mlp_loss(params, x, labels)
    vg(params, x, labels)
    t_f = _median_time(lambda: mlp_loss(params, x, labels), repeats)
    t_vg = _median_time(lambda: vg(params, x, labels), repeats)
    print("784-512-512-10 tanh MLP, softmax cross-entropy, batch 256, float64:")
    print(f"  f               {t_f * 1e3:8.2f} ms (median of {repeats})")
    print(f"  value_and_grad  {t_vg * 1e3:8.2f} ms")
    print(f"  ratio           {t_vg / t_f:8.2f}   (Baur–Strassen/Griewank bound: 5)")


def show_matrix_calculus() -> None:
    _section("Matrix calculus: ∇_A [log det A + 1ᵀ A⁻¹ b] = A⁻ᵀ − (A⁻ᵀ 1)(A⁻¹ b)ᵀ")
    rng = onp.random.default_rng(1)
    n = 5
    B = rng.standard_normal((n, n))
    A = B @ B.T + n * onp.eye(n)
    b = rng.standard_normal(n)

    def objective(a):
        sign, logdet = np.linalg.slogdet(a)
        return logdet + np.sum(np.linalg.solve(a, b))

    g = wengert.grad(objective)(A)
    inv_t = onp.linalg.inv(A).T
    exact = inv_t - onp.outer(inv_t @ onp.ones(n), onp.linalg.solve(A, b))
    print(f"reverse mode vs closed form, max error: {float(onp.max(onp.abs(g - exact))):.2e}")
    print("(the VJP of solve reuses the forward pass's LU factors: docs/linalg.md)")


def _scalar_loop(x):
    for _ in range(1000):
        x = np.sin(x) * 1.0001 + 0.1 * np.cos(x)
    return x


def show_jit(repeats: int = 7) -> None:
    _section("jit: the Wengert list compiled to Python source")
    small = wengert.jit(wengert.value_and_grad(lambda x: np.sin(x) * x))
    lowered = small.lower(0.5)
    print("value_and_grad of sin(x)·x, optimised list and generated code (0-d floats run")
    print("on Python's math module):")
    print(lowered.trace)
    print(lowered.source)
    eager = wengert.value_and_grad(_scalar_loop)
    start = time.perf_counter()
    compiled = wengert.jit(wengert.value_and_grad(_scalar_loop))
    compiled(0.5)
    compile_time = time.perf_counter() - start
    value, slope = compiled(0.5)
    eager_value, eager_slope = eager(0.5)
    prims = 5 * 1000
    t_eager = _median_time(lambda: eager(0.5), repeats)
    t_jit = _median_time(lambda: compiled(0.5), repeats)
    print("scalar loop, 1000 steps of x = sin(x)·1.0001 + 0.1·cos(x), value_and_grad:")
    print(f"  eager   {t_eager / prims * 1e6:8.3f} µs per primitive")
    print(f"  jit     {t_jit / prims * 1e6:8.3f} µs per primitive "
          f"(first call, tracing and compiling included: {compile_time:.2f} s)")
    print(f"  jit − eager: value {abs(value - eager_value):.1e}, "
          f"derivative {abs(slope - eager_slope):.1e}")


def show_cost_report() -> None:
    _section("The cost of a gradient, counted: wengert.cost_report")
    params, x, labels = mlp_problem(sizes=(784, 128, 10), batch=64)
    print("tanh MLP 784-128-10, batch 64 (flop model and residual bytes: docs/cost.md)")
    print(wengert.cost_report(mlp_loss)(params, x, labels))


def main() -> None:
    print("wengert: exact automatic differentiation over the Wengert list")
    show_gradients()
    show_hvp()
    show_matrix_calculus()
    show_cheap_gradient()
    show_jit()
    show_cost_report()


if __name__ == "__main__":
    main()
