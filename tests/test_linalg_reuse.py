"""The linear-algebra rules reuse the forward pass's factorisation: counted by wrapping
the LAPACK factorisation calls (potrf, getrf) that ``wengert.numpy.linalg`` makes."""

from __future__ import annotations

import numpy as onp
import pytest

import wengert
import wengert.numpy as wnp
from wengert.numpy.linalg import _lapack

L = wnp.linalg
RNG = onp.random.default_rng(3)
N = 6
B = RNG.standard_normal((N, N))
SPD = B @ B.T + N * onp.eye(N)
GEN = B + N * onp.eye(N)
RHS = RNG.standard_normal(N)


@pytest.fixture
def count(monkeypatch):
    calls = {"potrf": 0, "getrf": 0, "numpy": 0}

    def wrap(fn, key):
        def counted(*args, **kwargs):
            calls[key] += 1
            return fn(*args, **kwargs)

        return counted

    monkeypatch.setattr(_lapack, "_try_cholesky", wrap(_lapack._try_cholesky, "potrf"))
    monkeypatch.setattr(_lapack, "_lu", wrap(_lapack._lu, "getrf"))
    for name in ("solve", "inv", "slogdet", "det"):
        monkeypatch.setattr(onp.linalg._linalg, name,
                            wrap(getattr(onp.linalg._linalg, name), "numpy"))
    return calls


def _logdet_plus_solve(a):
    return onp.linalg.slogdet(a)[1] + onp.sum(onp.linalg.solve(a, RHS))


def _hand_gradient(a):
    ainv = onp.linalg.inv(a)
    x = onp.linalg.solve(a, RHS)
    return ainv.T - onp.outer(onp.linalg.solve(a.T, onp.ones(N)), x)


@pytest.mark.parametrize("a, kind", [(SPD, "potrf"), (GEN, "getrf")])
def test_slogdet_and_solve_share_one_factorisation(count, a, kind):
    value, g = wengert.value_and_grad(_logdet_plus_solve)(a)
    assert count[kind] == 1, count
    assert count["getrf"] + count["potrf"] == 1 and count["numpy"] == 0, count
    onp.testing.assert_allclose(g, _hand_gradient(a), rtol=1e-10)


def test_the_b_built_workload_factorises_once(count):
    def f(b):
        a = b @ b.T + N * onp.eye(N)
        return onp.linalg.slogdet(a)[1] + onp.sum(onp.linalg.solve(a, RHS))

    g = wengert.grad(f)(B)
    assert count["potrf"] == 1 and count["getrf"] == 0, count
    a = B @ B.T + N * onp.eye(N)
    gA = _hand_gradient(a)
    onp.testing.assert_allclose(g, (gA + gA.T) @ B, rtol=1e-10)


def test_solve_inv_det_gradients_do_not_refactorise(count):
    for f in (lambda a: wnp.sum(L.solve(a, RHS)), lambda a: wnp.sum(L.inv(a)),
              L.det, lambda a: L.slogdet(a)[1]):
        before = count["getrf"]
        wengert.grad(f)(GEN)
        assert count["getrf"] == before + 1, (f, count)
    # Forward mode too: one factorisation for value and tangent.
    before = count["getrf"]
    wengert.jvp(lambda a: L.solve(a, RHS), (GEN,), (B,))
    assert count["getrf"] == before + 1


def test_hessian_vector_product_reuses_the_factors(count):
    # Forward over reverse: the rules call the factored primitives with the same factors.
    t = RNG.standard_normal((N, N))
    hv = wengert.jvp(wengert.grad(lambda a: L.slogdet(a)[1]), (GEN,), (t,))[1]
    assert count["getrf"] == 1, count
    ainv = onp.linalg.inv(GEN)
    onp.testing.assert_allclose(hv, -(ainv @ t @ ainv).T, rtol=1e-10)


def test_a_rebound_tracer_is_factorised_again(count):
    def f(a):
        first = L.slogdet(a)[1]
        a[0, 0] = a[0, 0] + 1.0  # a new value behind the same tracer object
        return first + wnp.sum(L.solve(a, RHS))

    g = wengert.grad(f)(GEN)
    assert count["getrf"] == 2, count
    shifted = GEN.copy()
    shifted[0, 0] += 1.0
    x = onp.linalg.solve(shifted, RHS)
    expected = onp.linalg.inv(GEN).T - onp.outer(onp.linalg.solve(shifted.T, onp.ones(N)), x)
    onp.testing.assert_allclose(g, expected, rtol=1e-10)


def test_plain_arrays_are_never_cached(count):
    a = GEN.copy()
    x1 = L.solve(a, RHS)
    a[0, 0] += 1.0  # NumPy code may mutate between calls
    x2 = L.solve(a, RHS)
    onp.testing.assert_allclose(x2, onp.linalg.solve(a, RHS), rtol=1e-12)
    assert not onp.allclose(x1, x2)


def test_second_order_of_logdet_of_a_symmetric_matrix_in_a_non_symmetric_direction():
    # The Cholesky path reuses A⁻¹ = A⁻ᵀ at first order; the HVP must still be
    # −(A⁻¹ E A⁻¹)ᵀ for a non-symmetric E (and likewise for det).
    e = RNG.standard_normal((N, N))
    ainv = onp.linalg.inv(SPD)
    hv = wengert.jvp(wengert.grad(lambda a: L.slogdet(a)[1]), (SPD,), (e,))[1]
    onp.testing.assert_allclose(hv, -(ainv @ e @ ainv).T, rtol=1e-10, atol=1e-14)
    d = onp.linalg.det(SPD)
    hv = wengert.jvp(wengert.grad(L.det), (SPD,), (e,))[1]
    expected = d * onp.trace(ainv @ e) * ainv.T - d * (ainv @ e @ ainv).T
    onp.testing.assert_allclose(hv, expected, rtol=1e-10)


def test_a_compiled_gradient_factorises_once_per_call(count):
    # Under jit the factors are not known while tracing: the compiled program shares one
    # factorisation between slogdet, solve and both rules, within each call, and never
    # memoises one across calls (its pooled buffers are recycled).
    vg = wengert.jit(wengert.value_and_grad(_logdet_plus_solve))
    for calls in (1, 2):
        value, g = vg(SPD)
        assert count["potrf"] == calls and count["getrf"] == 0, count
    onp.testing.assert_allclose(value, _logdet_plus_solve(SPD), rtol=1e-12)
    onp.testing.assert_allclose(g, _hand_gradient(SPD), rtol=1e-10)
    a = SPD.copy()
    vg(a)
    a[0, 0] += 1.0  # the same array object, changed in place between calls
    onp.testing.assert_allclose(vg(a)[1], _hand_gradient(a), rtol=1e-10)


def test_plain_factors_are_shared_within_a_call_while_the_array_is_unchanged(count):
    from wengert.numpy.linalg._cache import factors_of_plain, shared_factors

    a = SPD.copy()
    factors_of_plain(a)
    factors_of_plain(a)
    assert count["potrf"] == 2  # outside a compiled call: never shared
    with shared_factors():
        first = factors_of_plain(a)
        assert factors_of_plain(a) is first and count["potrf"] == 3
        assert factors_of_plain(a.copy()) is not first  # another object, even if equal
        a[1, 1] += 1.0
        second = factors_of_plain(a)
        assert second is not first and count["potrf"] == 5
        onp.testing.assert_allclose(second.solve(RHS[:, None])[:, 0],
                                    onp.linalg.solve(a, RHS), rtol=1e-12)
    with shared_factors():
        assert factors_of_plain(a) is not second  # a new call starts afresh
