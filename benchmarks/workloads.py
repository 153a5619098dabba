"""The three workloads: written once against a NumPy-like namespace ``xp``, their
hand-written NumPy gradients (what an expert writes by hand), and seeded data.

Every library runs the *same* function text; only ``xp`` changes (``numpy``,
``wengert.numpy``, ``autograd.numpy``, ``jax.numpy``, or the small torch shim in
``libraries.py``). Everything is float64.
"""

from __future__ import annotations

import numpy as np

SEED = 0
PRIMS_PER_STEP = 5  # sin, mul, cos, mul, add
WORKLOADS = ("scalar", "mlp", "rosenbrock")

SIZES = {
    "quick": {
        "scalar": {"steps": 100},
        "mlp": {"layers": (784, 128, 128, 10), "batch": 64},
        "rosenbrock": {"n": 100_000},
    },
    "full": {
        "scalar": {"steps": 1000},
        "mlp": {"layers": (784, 512, 512, 10), "batch": 256},
        "rosenbrock": {"n": 1_000_000},
    },
}


# -- (a) scalar loop -------------------------------------------------------------------


def scalar_loop(xp, x, steps):
    for _ in range(steps):
        x = xp.sin(x) * 1.0001 + 0.1 * xp.cos(x)
    return x


def scalar_vg_hand(x, steps):
    """Value and derivative in one forward pass (the chain rule by hand, reusing sin
    and cos): what one writes for a scalar recurrence."""
    g = 1.0
    sin, cos = np.sin, np.cos
    for _ in range(steps):
        s = sin(x)
        c = cos(x)
        g = g * (1.0001 * c - 0.1 * s)
        x = s * 1.0001 + 0.1 * c
    return x, g


# -- (b) MLP with softmax cross-entropy ------------------------------------------------


def row_max(xp, z, lse: str):
    """Row-wise max of ``z`` as a ``(B, 1)`` column, for the log-sum-exp shift.

    ``"max"``: ``xp.max(z, axis=1)``. ``"fold"``: ``maximum`` folded over the columns
    (for a namespace without ``max``). The shift's derivative cancels exactly in the
    loss (1 - sum(softmax) = 0), so both give the hand-written gradient.
    """
    if lse == "max":
        return xp.reshape(xp.max(z, axis=1), (-1, 1))
    m = z[:, 0:1]
    for j in range(1, z.shape[1]):
        m = xp.maximum(m, z[:, j : j + 1])
    return m


def mlp_loss(xp, params, X, Y, lse="max"):
    """tanh MLP, softmax cross-entropy averaged over the batch; ``Y`` is one-hot."""
    W1, b1, W2, b2, W3, b3 = params
    h1 = xp.tanh(X @ W1 + b1)
    h2 = xp.tanh(h1 @ W2 + b2)
    z = h2 @ W3 + b3
    zs = z - row_max(xp, z, lse)
    # log-sum-exp(z) - z[label] == log(sum(exp(zs))) - sum(Y * zs) since sum(Y) == 1
    return xp.mean(xp.log(xp.sum(xp.exp(zs), axis=1)) - xp.sum(Y * zs, axis=1))


def mlp_vg_hand(params, X, Y, lse="max"):
    W1, b1, W2, b2, W3, b3 = params
    B = X.shape[0]
    h1 = np.tanh(X @ W1 + b1)
    h2 = np.tanh(h1 @ W2 + b2)
    z = h2 @ W3 + b3
    zs = z - z.max(axis=1, keepdims=True)
    e = np.exp(zs)
    s = e.sum(axis=1)
    loss = np.mean(np.log(s) - np.sum(Y * zs, axis=1))
    dz = (e / s[:, None] - Y) / B
    dW3 = h2.T @ dz
    db3 = dz.sum(axis=0)
    da2 = (dz @ W3.T) * (1.0 - h2 * h2)
    dW2 = h1.T @ da2
    db2 = da2.sum(axis=0)
    da1 = (da2 @ W2.T) * (1.0 - h1 * h1)
    dW1 = X.T @ da1
    db1 = da1.sum(axis=0)
    return loss, (dW1, db1, dW2, db2, dW3, db3)


# -- (c) Rosenbrock ------------------------------------------------------------------


def rosenbrock(xp, x):
    return xp.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def rosenbrock_vg_hand(x):
    a = x[:-1]
    d = x[1:] - a * a
    e = 1.0 - a
    value = np.sum(100.0 * d * d + e * e)
    g = np.empty_like(x)
    g[:-1] = -400.0 * d * a - 2.0 * e
    g[-1] = 0.0
    g[1:] += 200.0 * d
    return value, g


# -- data and dispatch -------------------------------------------------------------------


def make_data(workload: str, mode: str) -> dict:
    """Seeded inputs: ``args`` (differentiated, first) and ``consts`` (not)."""
    size = SIZES[mode][workload]
    rng = np.random.default_rng(SEED)
    if workload == "scalar":
        return {"x": 0.5, "steps": size["steps"], "prims": PRIMS_PER_STEP * size["steps"]}
    if workload == "mlp":
        layers, batch = size["layers"], size["batch"]
        params = []
        for n_in, n_out in zip(layers[:-1], layers[1:], strict=False):
            params.append(rng.standard_normal((n_in, n_out)) / np.sqrt(n_in))
            params.append(0.1 * rng.standard_normal(n_out))
        X = rng.standard_normal((batch, layers[0]))
        labels = rng.integers(0, layers[-1], batch)
        Y = np.zeros((batch, layers[-1]))
        Y[np.arange(batch), labels] = 1.0
        return {"params": tuple(params), "X": X, "Y": Y}
    if workload == "rosenbrock":
        return {"x": rng.uniform(-2.0, 2.0, size["n"])}
    raise ValueError(f"unknown workload {workload!r}")


def describe(workload: str, mode: str) -> str:
    s = SIZES[mode][workload]
    if workload == "scalar":
        return f"{s['steps']} steps x {PRIMS_PER_STEP} primitives, 0-d float64"
    if workload == "mlp":
        return f"MLP {'-'.join(map(str, s['layers']))}, tanh, softmax CE, batch {s['batch']}"
    return f"Rosenbrock, n = {s['n']:,}"


def hand_vg(workload: str, data: dict, lse: str):
    """Hand-written (value, gradient) for the data: the reference every library
    is checked against."""
    if workload == "scalar":
        return scalar_vg_hand(data["x"], data["steps"])
    if workload == "mlp":
        return mlp_vg_hand(data["params"], data["X"], data["Y"], lse)
    return rosenbrock_vg_hand(data["x"])


def numpy_f(workload: str, data: dict, lse: str):
    if workload == "scalar":
        return scalar_loop(np, data["x"], data["steps"])
    if workload == "mlp":
        return mlp_loss(np, data["params"], data["X"], data["Y"], lse)
    return rosenbrock(np, data["x"])
