"""Randomised: hypothesis builds small programs from the namespace's primitives and jit
must agree with eager wengert to 1e-12 relative in float64, for the value, the gradient,
a JVP and a Hessian-vector product (each through ``jit`` in several compositions)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wengert import grad, hvp, jit, jvp

UNARY = [
    np.sin, np.cos, np.tanh, np.arctan, np.square, np.negative,
    lambda v: np.exp(np.tanh(v)),
    lambda v: np.log1p(v * v),
    lambda v: np.sqrt(1.0 + v * v),
    lambda v: v * 0.5 + 1.0,
    lambda v: np.reshape(v, (4, 3)).T,
    lambda v: np.flip(v, axis=0) ** 3,
]

BINARY = [
    np.add, np.subtract, np.multiply,
    lambda a, b: a / (1.0 + b * b),
    lambda a, b: np.where(a > b, a, b),  # a traced condition, no guard
    lambda a, b: 0.1 * (a @ (b.T @ a)),
    lambda a, b: a * np.sum(b, axis=0, keepdims=True),
    lambda a, b: a - np.mean(b, axis=1, keepdims=True),
    lambda a, b: np.concatenate([a[:, :2], b[:, 2:]], axis=1),
    lambda a, b: np.maximum(a, 0.5 * b),
    lambda a, b: np.sin(a) if np.sum(a) > np.sum(b) else np.cos(b),  # a guard
]

step = st.one_of(
    st.tuples(st.just("u"), st.integers(0, len(UNARY) - 1), st.integers(0, 20)),
    st.tuples(st.just("b"), st.integers(0, len(BINARY) - 1), st.integers(0, 20),
              st.integers(0, 20)),
)


def build(steps):
    def f(x):
        pool = [x, np.cos(x)]
        for s in steps:
            if s[0] == "u":
                pool.append(UNARY[s[1]](pool[s[2] % len(pool)]))
            else:
                pool.append(BINARY[s[1]](pool[s[2] % len(pool)], pool[s[3] % len(pool)]))
        return np.sum(pool[-1] * pool[0]) + 0.1 * np.sum(pool[-2] ** 2)

    return f


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    scale = max(1.0, float(np.max(np.abs(b))))
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * scale)


@settings(max_examples=12, deadline=None)
@given(st.lists(step, min_size=1, max_size=6), st.integers(0, 2**31 - 1))
def test_jit_agrees_with_eager(steps, seed):
    rng = np.random.default_rng(seed)
    x, t = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    f = build(steps)
    jf = jit(f)
    for _ in range(2):  # trace, then the compiled program
        same(jf(x), f(x))
        same(jit(grad(f))(x), grad(f)(x))
    same(grad(jf)(x), grad(f)(x))
    v, tan = jvp(jf, (x,), (t,))
    v0, tan0 = jvp(f, (x,), (t,))
    same(v, v0)
    same(tan, tan0)
    h0 = hvp(f, (x,), (t,))
    same(hvp(jf, (x,), (t,)), h0)
    same(jit(lambda x, t: hvp(f, (x,), (t,)))(x, t), h0)
    # a second input point: the cached programs (and their guards) still agree
    y = rng.normal(size=(3, 4))
    same(jf(y), f(y))
    same(jit(grad(f))(y), grad(f)(y))
