"""The blocked triangular kernels behind the Cholesky inverse, against SciPy's
triangular solve and NumPy's inverse, at orders that take every path of the recursion
(below, at and past the block order)."""

from __future__ import annotations

import numpy as onp
import pytest
from scipy.linalg import solve_triangular

import wengert
import wengert.numpy as wnp
from wengert.numpy.linalg._lapack import factorize
from wengert.numpy.linalg._triangular_blocks import (
    BASE_ORDER,
    lower_triangular_inverse,
    mirror_lower,
)

RNG = onp.random.default_rng(11)
ORDERS = (1, 5, BASE_ORDER, BASE_ORDER + 1, 2 * BASE_ORDER + 3, 300)


def _lower(n, dtype):
    """A well-conditioned lower-triangular matrix with junk above the diagonal."""
    a = RNG.standard_normal((n, n)) / onp.sqrt(n)
    if onp.dtype(dtype).kind == "c":
        a = a + 1j * RNG.standard_normal((n, n)) / onp.sqrt(n)
    onp.fill_diagonal(a, 2.0 + RNG.random(n))
    return a.astype(dtype)


@pytest.mark.parametrize("n", ORDERS)
@pytest.mark.parametrize("dtype, rtol", [(onp.float64, 1e-12), (onp.complex128, 1e-12),
                                         (onp.float32, 1e-4)])
def test_lower_triangular_inverse_matches_a_triangular_solve(n, dtype, rtol):
    a = _lower(n, dtype)
    inv = lower_triangular_inverse(a)
    expected = solve_triangular(onp.tril(a), onp.eye(n, dtype=dtype), lower=True)
    assert inv.dtype == dtype and inv.flags["F_CONTIGUOUS"]
    onp.testing.assert_allclose(onp.tril(inv), expected, rtol=rtol, atol=rtol)
    # only the lower triangle was read, and the strict upper one was carried over
    onp.testing.assert_array_equal(onp.triu(inv, 1), onp.triu(a, 1))


def test_lower_triangular_inverse_leaves_its_argument_alone():
    a = _lower(2 * BASE_ORDER + 1, onp.float64)
    before = a.copy()
    lower_triangular_inverse(a)
    onp.testing.assert_array_equal(a, before)


@pytest.mark.parametrize("n", (3, 2 * BASE_ORDER + 1))
def test_a_zero_on_the_diagonal_is_a_singular_matrix(n):
    a = _lower(n, onp.float64)
    a[n - 2, n - 2] = 0.0
    with pytest.raises(onp.linalg.LinAlgError, match="Singular"):
        lower_triangular_inverse(a)


@pytest.mark.parametrize("n", (1, 2, BASE_ORDER - 1, BASE_ORDER, BASE_ORDER + 1, 200))
def test_mirror_lower_fills_the_upper_triangle(n):
    a = onp.tril(RNG.standard_normal((n, n)))
    expected = a + onp.tril(a, -1).T
    out = mirror_lower(onp.asfortranarray(a.copy()))
    onp.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("shape", [(200, 200), (3, 2 * BASE_ORDER + 5, 2 * BASE_ORDER + 5)])
def test_the_cholesky_inverse_matches_numpy(shape):
    b = RNG.standard_normal(shape)
    m = b @ onp.swapaxes(b, -1, -2) + shape[-1] * onp.eye(shape[-1])
    factors = factorize(m)
    assert factors.kind == "cholesky"
    inv = factors.inverse()
    onp.testing.assert_allclose(inv, onp.linalg.inv(m), rtol=1e-10, atol=1e-14)
    onp.testing.assert_array_equal(inv, onp.swapaxes(inv, -1, -2))


def test_the_logdet_gradient_through_the_blocked_inverse():
    """∂ log det M / ∂B = 2 M⁻¹ B for M = B Bᵀ + n I, at an order that recurses."""
    n = 2 * BASE_ORDER + 7
    b = RNG.standard_normal((n, n)) / onp.sqrt(n)

    def logdet(b):
        return wnp.linalg.slogdet(b @ b.T + n * wnp.eye(n))[1]

    m = b @ b.T + n * onp.eye(n)
    onp.testing.assert_allclose(wengert.grad(logdet)(b), 2 * onp.linalg.solve(m, b),
                                rtol=1e-10, atol=1e-14)
