"""The seven workloads: written once against a NumPy-like namespace ``xp``, their
hand-written NumPy gradients (what an expert writes by hand; Hessian-vector products
where the suite times them), and seeded data.

Every library runs the *same* function text; only ``xp`` changes (``numpy``,
``wengert.numpy``, ``autograd.numpy``, ``jax.numpy``, or the small torch shim in
``libraries.py``). Everything is float64. ``function(workload, xp, data)`` gives the
workload as a function of its differentiated argument (an array or a tuple of arrays).
"""

from __future__ import annotations

import numpy as np

SEED = 0
PRIMS_PER_STEP = 5  # scalar loop: sin, mul, cos, mul, add
WORKLOADS = ("mlp", "logreg", "rosenbrock", "crf", "scalar", "matloop", "logdet")
HVP_WORKLOADS = ("logreg", "rosenbrock")
LOGREG_L2 = 1e-3

SIZES = {
    "quick": {
        "mlp": {"layers": (784, 128, 128, 10), "batch": 64},
        "logreg": {"n": 2000, "d": 50},
        "rosenbrock": {"n": 100_000},
        "crf": {"batch": 4, "T": 8, "states": 8},
        "scalar": {"steps": 100},
        "matloop": {"steps": 20},
        "logdet": {"n": 100},
    },
    "full": {
        "mlp": {"layers": (784, 512, 512, 10), "batch": 256},
        "logreg": {"n": 10_000, "d": 100},
        "rosenbrock": {"n": 1_000_000},
        "crf": {"batch": 32, "T": 64, "states": 32},
        "scalar": {"steps": 1000},
        "matloop": {"steps": 200},
        "logdet": {"n": 300},
    },
}


# -- 1. MLP with softmax cross-entropy -------------------------------------------------


_LOGSUMEXP_HOME = {
    "numpy": "scipy.special",
    "wengert.numpy": "wengert.scipy.special",
    "autograd.numpy": "autograd.scipy.special",
    "jax.numpy": "jax.scipy.special",
}


def logsumexp_of(xp):
    """The library's own ``logsumexp`` for the namespace ``xp`` (SciPy's for NumPy; the
    torch shim carries torch's). Each library's is the stable, fused one its users call."""
    import importlib

    home = _LOGSUMEXP_HOME.get(getattr(xp, "__name__", ""))
    return importlib.import_module(home).logsumexp if home else xp.logsumexp


def mlp_loss(xp, params, X, Y):
    """tanh MLP, softmax cross-entropy averaged over the batch; ``Y`` is one-hot:
    mean(logsumexp(z) - z[label]), written ``logsumexp(z) - sum(Y * z)`` since sum(Y) = 1,
    with the library's own ``logsumexp`` (how users of each library write the loss)."""
    W1, b1, W2, b2, W3, b3 = params
    h1 = xp.tanh(X @ W1 + b1)
    h2 = xp.tanh(h1 @ W2 + b2)
    z = h2 @ W3 + b3
    return xp.mean(logsumexp_of(xp)(z, axis=1) - xp.sum(Y * z, axis=1))


def mlp_forward_hand(params, X, Y):
    """Loss and what the hand-written backward pass needs: h1, h2 (tanh outputs, whose
    derivative is 1 - h²) and the softmax probabilities."""
    W1, b1, W2, b2, W3, b3 = params
    h1 = np.tanh(X @ W1 + b1)
    h2 = np.tanh(h1 @ W2 + b2)
    z = h2 @ W3 + b3
    zs = z - z.max(axis=1, keepdims=True)
    e = np.exp(zs)
    s = e.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(s[:, 0]) - np.sum(Y * zs, axis=1))
    return loss, (h1, h2, e / s)


def mlp_backward_hand(params, X, Y, saved):
    W1, b1, W2, b2, W3, b3 = params
    h1, h2, p = saved
    dz = (p - Y) / X.shape[0]
    dW3 = h2.T @ dz
    db3 = dz.sum(axis=0)
    da2 = (dz @ W3.T) * (1.0 - h2 * h2)
    dW2 = h1.T @ da2
    db2 = da2.sum(axis=0)
    da1 = (da2 @ W2.T) * (1.0 - h1 * h1)
    dW1 = X.T @ da1
    db1 = da1.sum(axis=0)
    return dW1, db1, dW2, db2, dW3, db3


def mlp_vg_hand(params, X, Y):
    loss, saved = mlp_forward_hand(params, X, Y)
    return loss, mlp_backward_hand(params, X, Y, saved)


# -- 2. logistic regression --------------------------------------------------------------


def logreg_loss(xp, w, X, y):
    """Mean logistic loss, labels y in {0, 1}, plus (λ/2)|w|²:
    mean(log(1 + exp(z)) - y z) with z = X w, written with logaddexp(0, z)."""
    z = X @ w
    return xp.mean(xp.logaddexp(0.0, z) - y * z) + 0.5 * LOGREG_L2 * xp.sum(w * w)


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def logreg_vg_hand(w, X, y):
    z = X @ w
    value = np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * LOGREG_L2 * (w @ w)
    return value, X.T @ ((_sigmoid(z) - y) / X.shape[0]) + LOGREG_L2 * w


def logreg_hvp_hand(w, v, X, y):
    """H v = Xᵀ diag(p(1 - p)) X v / N + λ v, p = σ(X w)."""
    p = _sigmoid(X @ w)
    return X.T @ (p * (1.0 - p) * (X @ v) / X.shape[0]) + LOGREG_L2 * v


# -- 3. Rosenbrock ----------------------------------------------------------------------


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


def rosenbrock_hvp_hand(x, v):
    """Directional derivative of the gradient: with d = x[1:] - x[:-1]², its change
    δd = v[1:] - 2 x[:-1] v[:-1]."""
    a, va = x[:-1], v[:-1]
    d = x[1:] - a * a
    dd = v[1:] - 2.0 * a * va
    h = np.zeros_like(x)
    h[:-1] = -400.0 * (va * d + a * dd) + 2.0 * va
    h[1:] += 200.0 * dd
    return h


# -- 4. linear-chain CRF log-partition ----------------------------------------------------


def crf_log_partition(xp, params):
    """sum over the batch of log Z, by the forward algorithm in a Python loop:
    α₀ = E[:, 0], α_t[j] = logsumexp_i(α_{t-1}[i] + A[i, j]) + E[:, t, j],
    log Z = logsumexp_j α_{T-1}[j]. Its gradient is the marginals: ∂/∂E[b, t, j] =
    P(y_t = j), ∂/∂A[i, j] = Σ_b Σ_t P(y_{t-1} = i, y_t = j)."""
    E, A = params
    B, T, S = E.shape
    alpha = E[:, 0, :]
    for t in range(1, T):
        s = xp.reshape(alpha, (B, S, 1)) + A  # s[b, i, j]
        m = xp.max(s, axis=1)
        alpha = xp.log(xp.sum(xp.exp(s - xp.reshape(m, (B, 1, S))), axis=1)) + m + E[:, t, :]
    m = xp.max(alpha, axis=1)
    return xp.sum(xp.log(xp.sum(xp.exp(alpha - xp.reshape(m, (B, 1))), axis=1)) + m)


def _lse(a, axis):
    m = a.max(axis=axis, keepdims=True)
    return np.squeeze(m, axis) + np.log(np.exp(a - m).sum(axis=axis))


def crf_vg_hand(params):
    """Forward-backward in log space: the marginals are the gradient."""
    E, A = params
    B, T, S = E.shape
    alpha = np.empty((B, T, S))
    beta = np.zeros((B, T, S))
    alpha[:, 0] = E[:, 0]
    for t in range(1, T):
        alpha[:, t] = _lse(alpha[:, t - 1, :, None] + A, 1) + E[:, t]
    for t in range(T - 2, -1, -1):
        beta[:, t] = _lse(A + (E[:, t + 1] + beta[:, t + 1])[:, None, :], 2)
    logz = _lse(alpha[:, -1], 1)  # (B,)
    dE = np.exp(alpha + beta - logz[:, None, None])
    pair = (alpha[:, :-1, :, None] + A + (E[:, 1:] + beta[:, 1:])[:, :, None, :]
            - logz[:, None, None, None])
    dA = np.exp(pair).sum(axis=(0, 1))
    return logz.sum(), (dE, dA)


# -- 5. scalar loop -------------------------------------------------------------------


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


# -- 6. 3x3 matrix loop ----------------------------------------------------------------


def matloop(xp, params, steps):
    """sum(A) after ``steps`` steps of A = tanh(A @ W) + 0.01 A; gradient in (A0, W)."""
    A, W = params
    for _ in range(steps):
        A = xp.tanh(A @ W) + 0.01 * A
    return xp.sum(A)


def matloop_vg_hand(params, steps):
    A, W = params
    As, Ts = [], []
    for _ in range(steps):
        T = np.tanh(A @ W)
        As.append(A)
        Ts.append(T)
        A = T + 0.01 * A
    gA = np.ones_like(A)
    gW = np.zeros_like(W)
    for A_k, T_k in zip(reversed(As), reversed(Ts)):
        gpre = gA * (1.0 - T_k * T_k)
        gW += A_k.T @ gpre
        gA = 0.01 * gA + gpre @ W.T
    return A.sum(), (gA, gW)


# -- 7. log-determinant and a solve --------------------------------------------------------


def logdet_solve(xp, params, I):
    """logdet(M) + sum(M⁻¹ b) with M = B Bᵀ + n I (symmetric positive definite)."""
    B, b = params
    M = B @ B.T + B.shape[0] * I
    return xp.linalg.slogdet(M)[1] + xp.sum(xp.linalg.solve(M, b))


def logdet_vg_hand(params, I):
    """One Cholesky factorisation of M, reused: with x = M⁻¹ b and u = M⁻¹ 1,
    ∂f/∂M = M⁻¹ - u xᵀ, ∂f/∂B = (G + Gᵀ) B, ∂f/∂b = u."""
    from scipy.linalg import cho_factor, cho_solve

    B, b = params
    n = B.shape[0]
    M = B @ B.T + n * I
    c = cho_factor(M)
    logdet = 2.0 * np.sum(np.log(np.diag(c[0])))
    x = cho_solve(c, b)
    u = cho_solve(c, np.ones(n))
    G = cho_solve(c, I) - np.outer(u, x)
    return logdet + x.sum(), ((G + G.T) @ B, u)


# -- data and dispatch -------------------------------------------------------------------


def make_data(workload: str, mode: str) -> dict:
    """Seeded inputs: the differentiated argument ``arg`` and the constants."""
    size = SIZES[mode][workload]
    rng = np.random.default_rng(SEED)
    if workload == "scalar":
        return {"arg": 0.5, "steps": size["steps"], "prims": PRIMS_PER_STEP * size["steps"]}
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
        return {"arg": tuple(params), "X": X, "Y": Y}
    if workload == "logreg":
        n, d = size["n"], size["d"]
        X = rng.standard_normal((n, d))
        w_true = rng.standard_normal(d) / np.sqrt(d)
        y = (rng.uniform(size=n) < _sigmoid(X @ w_true)).astype(np.float64)
        return {"arg": 0.1 * rng.standard_normal(d), "X": X, "y": y,
                "v": rng.standard_normal(d)}
    if workload == "rosenbrock":
        n = size["n"]
        return {"arg": rng.uniform(-2.0, 2.0, n), "v": rng.standard_normal(n)}
    if workload == "crf":
        B, T, S = size["batch"], size["T"], size["states"]
        return {"arg": (rng.standard_normal((B, T, S)), 0.5 * rng.standard_normal((S, S)))}
    if workload == "matloop":
        return {"arg": (0.5 * rng.standard_normal((3, 3)), 0.5 * rng.standard_normal((3, 3))),
                "steps": size["steps"]}
    if workload == "logdet":
        n = size["n"]
        return {"arg": (rng.standard_normal((n, n)) / np.sqrt(n), rng.standard_normal(n)),
                "I": np.eye(n)}
    raise ValueError(f"unknown workload {workload!r}; choose from {', '.join(WORKLOADS)}")


def function(workload: str, xp, data: dict, convert=lambda a: a):
    """``(fun, arg)``: the workload as a function of its differentiated argument, the
    constants moved into the library with ``convert``."""
    c = {k: convert(v) for k, v in data.items() if isinstance(v, np.ndarray)}
    arg = data["arg"]
    arg = tuple(convert(a) for a in arg) if isinstance(arg, tuple) else convert(arg)
    if workload == "scalar":
        steps = data["steps"]
        return (lambda x: scalar_loop(xp, x, steps)), arg
    if workload == "mlp":
        return (lambda p: mlp_loss(xp, p, c["X"], c["Y"])), arg
    if workload == "logreg":
        return (lambda w: logreg_loss(xp, w, c["X"], c["y"])), arg
    if workload == "rosenbrock":
        return (lambda x: rosenbrock(xp, x)), arg
    if workload == "crf":
        return (lambda p: crf_log_partition(xp, p)), arg
    if workload == "matloop":
        steps = data["steps"]
        return (lambda p: matloop(xp, p, steps)), arg
    if workload == "logdet":
        return (lambda p: logdet_solve(xp, p, c["I"])), arg
    raise ValueError(f"unknown workload {workload!r}")


def hand_vg(workload: str, data: dict):
    """Hand-written (value, gradient): the reference every library is checked against."""
    a = data["arg"]
    if workload == "scalar":
        return scalar_vg_hand(a, data["steps"])
    if workload == "mlp":
        return mlp_vg_hand(a, data["X"], data["Y"])
    if workload == "logreg":
        return logreg_vg_hand(a, data["X"], data["y"])
    if workload == "rosenbrock":
        return rosenbrock_vg_hand(a)
    if workload == "crf":
        return crf_vg_hand(a)
    if workload == "matloop":
        return matloop_vg_hand(a, data["steps"])
    if workload == "logdet":
        return logdet_vg_hand(a, data["I"])
    raise ValueError(f"unknown workload {workload!r}")


def hand_hvp(workload: str, data: dict):
    """Hand-written Hessian-vector product along ``data["v"]`` (HVP workloads only)."""
    if workload == "logreg":
        return logreg_hvp_hand(data["arg"], data["v"], data["X"], data["y"])
    if workload == "rosenbrock":
        return rosenbrock_hvp_hand(data["arg"], data["v"])
    raise ValueError(f"{workload!r} has no Hessian-vector product in the suite")


def describe(workload: str, mode: str) -> str:
    s = SIZES[mode][workload]
    if workload == "scalar":
        return f"{s['steps']} steps x {PRIMS_PER_STEP} primitives, 0-d float64"
    if workload == "mlp":
        return f"MLP {'-'.join(map(str, s['layers']))}, tanh, softmax CE, batch {s['batch']}"
    if workload == "logreg":
        return f"logistic regression, {s['n']:,} x {s['d']}, gradient and HVP"
    if workload == "rosenbrock":
        return f"Rosenbrock, n = {s['n']:,}, gradient and HVP"
    if workload == "crf":
        return (f"linear-chain CRF log-partition (forward algorithm, Python loop), batch "
                f"{s['batch']}, T = {s['T']}, {s['states']} states")
    if workload == "matloop":
        return f"3x3 matrix loop, {s['steps']} steps of A = tanh(A @ W) + 0.01 A"
    return f"logdet(BBᵀ + nI) + sum(solve(BBᵀ + nI, b)), n = {s['n']}"
