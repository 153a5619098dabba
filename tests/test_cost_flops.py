"""The flop model against hand counts on small programs (counted on their Wengert lists)."""

import numpy as onp
import pytest

import wengert
import wengert.numpy as np
from wengert.cost import count, flops
from wengert.cost.programs import record


def counts(mode, f, *args, extra=None):
    if mode == "value_and_grad" and extra is None:
        extra = onp.float64(1.0)
    return count(record(mode, f, args, (0,), extra))


def test_matmul_is_2mnk_and_vector_cases():
    a, b = onp.ones((3, 4)), onp.ones((4, 5))
    c = counts("f", lambda a, b: a @ b, a, b)
    assert (c.calls, c.flops) == (1, 2 * 3 * 5 * 4)
    # (k,) @ (k, n): 2kn; (k,) @ (k,): 2k; batched (2, 3, 4) @ (4, 5): 2 * 2*3*5 * 4
    assert counts("f", lambda v, b: v @ b, onp.ones(4), b).flops == 2 * 4 * 5
    assert counts("f", lambda v, w: v @ w, onp.ones(4), onp.ones(4)).flops == 2 * 4
    assert counts("f", lambda a, b: a @ b, onp.ones((2, 3, 4)), b).flops == 2 * 30 * 4


def test_small_program_by_hand():
    # sum(tanh(x @ W) * 3) for x (4, 5), W (5, 6):
    # matmul 2*4*6*5 = 240, tanh 24, multiply 24, sum 24 - 1 = 23
    x, W = onp.ones((4, 5)), onp.full((5, 6), 0.1)
    c = counts("f", lambda x, W: np.sum(np.tanh(x @ W) * 3.0), x, W)
    assert c.calls == 4
    assert c.flops == 240 + 24 + 24 + 23
    assert c.per_primitive == {"matmul": (1, 240), "tanh": (1, 24), "multiply": (1, 24),
                               "sum": (1, 23)}
    # bytes: matmul reads 20 + 30 doubles, writes 24; tanh, multiply read 24 (and the
    # literal 3.0, 8 bytes), write 24; sum reads 24, writes 1
    assert c.bytes_read == 8 * (50 + 24 + 25 + 24)
    assert c.bytes_written == 8 * (24 + 24 + 24 + 1)


def test_value_and_grad_by_hand():
    # f = sum(sin(x)^2), n elements. Forward: sin n, square n, sum n-1.
    # Sweep: sum's rule broadcasts the seed (0 flops, plus a reshape), square's rule
    # g * 2 * x (2 multiplications, 2n), sin's rule g * cos(x) (cos n, multiply n).
    n = 10
    f = lambda x: np.sum(np.sin(x) ** 2)
    cf = counts("f", f, onp.linspace(0, 1, n))
    cv = counts("value_and_grad", f, onp.linspace(0, 1, n))
    assert cf.flops == 3 * n - 1
    assert cv.flops == (3 * n - 1) + 2 * n + 2 * n
    assert cv.per_primitive["multiply"] == (3, 3 * n)
    assert cv.per_primitive["cos"] == (1, n)
    assert not cv.unmodelled


def test_jvp_by_hand():
    # jvp of sum(sin(x)): sin n, sum n-1; tangent cos(x) * t: 2n, sum(t): n-1
    n = 7
    x = onp.linspace(0, 1, n)
    c = counts("jvp", lambda x: np.sum(np.sin(x)), x, extra=(onp.ones(n),))
    assert c.calls == 5
    assert c.flops == 5 * n - 2


def test_hvp_by_hand_scalar():
    # HVP of sin at a 0-d x by forward over reverse, counted by hand:
    # forward sin (1) and its tangent t*cos(x) (cos, multiply: 2); the sweep's rule
    # g*cos(x) with the seed g = 1 (cos, multiply: 2) and that rule's tangent
    # g*(t*(-sin(x))) (sin, negative, multiply, multiply: 4). All 0-d: 1 flop each.
    c = counts("hvp", lambda x: np.sin(x), onp.float64(0.3), extra=(onp.float64(1.0),))
    assert c.calls == 9
    assert c.flops == 9
    assert c.per_primitive["multiply"] == (4, 4)


def test_running_and_reductions():
    x = onp.ones((4, 6))
    assert counts("f", lambda x: np.cumsum(x, axis=1), x).flops == 4 * 5
    assert counts("f", lambda x: np.max(x, axis=0), x).flops == 24 - 6
    assert counts("f", lambda x: np.sum(x), x).flops == 23


def test_data_movement_is_free():
    x = onp.ones((4, 6))
    c = counts("f", lambda x: np.reshape(np.transpose(x), (3, 8))[1:], x)
    assert c.flops == 0 and c.calls == 3
    # transpose and reshape are views: no bytes; the slice reads and writes 2 rows of 8
    assert c.bytes_read == c.bytes_written == 8 * 16


def test_einsum_and_tensordot_match_matmul():
    a, b = onp.ones((3, 4)), onp.ones((4, 5))
    assert counts("f", lambda a, b: np.einsum("ij,jk->ik", a, b), a, b).flops == 2 * 3 * 4 * 5
    assert counts("f", lambda a, b: np.tensordot(a, b, axes=1), a, b).flops == 2 * 3 * 4 * 5
    assert flops("einsum", [(2, 3, 4), (4, 5)], [(2, 3, 5)],
                 {"subscripts": "...j,jk->...k"}) == 2 * 2 * 3 * 4 * 5


@pytest.mark.parametrize("name, ins, outs, expected", [
    ("linalg.cholesky", [(30, 30)], [(30, 30)], 30 ** 3 // 3),
    ("linalg.solve", [(30, 30), (30,)], [(30,)], 2 * 30 ** 3 // 3 + 2 * 30 ** 2),
    ("linalg.solve", [(30, 30), (30, 4)], [(30, 4)], 2 * 30 ** 3 // 3 + 2 * 30 ** 2 * 4),
    ("linalg.solve", [(5, 30, 30), (5, 30)], [(5, 30)], 5 * (2 * 30 ** 3 // 3 + 2 * 900)),
    ("linalg.factored_solve", [(30, 30), (30, 4)], [(30, 4)], 2 * 30 ** 2 * 4),
    ("linalg.inv", [(30, 30)], [(30, 30)], 2 * 30 ** 3),
    ("scipy.linalg.solve_triangular", [(30, 30), (30, 2)], [(30, 2)], 2 * 30 ** 2),
    ("scipy.special.gammaln", [(7,)], [(7,)], 7),
])
def test_linalg_textbook_counts(name, ins, outs, expected):
    assert flops(name, ins, outs, {}) == expected


def test_logdet_and_solve_share_one_cholesky_by_hand():
    # f = logdet(M) + sum(solve(M, b)), M = B Bᵀ + n I (I a constant): matmul 2n³,
    # add n², one Cholesky n³/3 shared by slogdet and solve, log-determinant from the
    # diagonal n, the solve with the factors 2n², sum n - 1, the final add 1
    n = 12
    rng = onp.random.default_rng(0)
    B, b, I = rng.standard_normal((n, n)), rng.standard_normal(n), onp.eye(n)

    def f(B, b):
        M = B @ B.T + n * I
        return np.linalg.slogdet(M)[1] + np.sum(np.linalg.solve(M, b))

    c = counts("f", f, B, b)
    assert not c.unmodelled
    assert c.flops == 2 * n ** 3 + n * n + n ** 3 // 3 + n + 2 * n * n + (n - 1) + 1


def test_unknown_primitive_is_flagged_not_zero():
    assert flops("no_such_primitive", [(3,)], [(3,)], {}) is None

    @wengert.custom_vjp
    def double(x):
        return 2.0 * x

    double.defvjp(lambda x: (2.0 * x, None), lambda res, g: (2.0 * g,))
    c = counts("f", lambda x: np.sum(double(x)), onp.ones(5))
    assert list(c.unmodelled) and all(k.startswith("custom_vjp") for k in c.unmodelled)
    assert c.flops == 4  # only the sum is counted
    assert not c.complete
