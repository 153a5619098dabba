"""``wengert.scipy.linalg.eigh`` with ``subset_by_value`` and generalised problems of
types 1–3, and ``wengert.scipy.linalg.solve``/``inv`` with every ``assume_a`` SciPy 1.17
accepts: values against SciPy, gradients and JVPs against central differences of SciPy's
own function (which reads only the parts of the matrix its structure names), second
order, batching and the errors."""

from __future__ import annotations

import numpy as onp
import pytest
import scipy.linalg as sla

import wengert
import wengert.numpy as wnp
import wengert.scipy.linalg as wsl
from wengert.check import numerical_grad, numerical_jvp

RNG = onp.random.default_rng(11)
N = 4


def _complex_numerical_grad(f, z):
    """Central differences of a real function of a complex array in the real and the
    imaginary parts, combined as wengert's convention has it: df/dx - i df/dy."""
    dx = numerical_grad(lambda x: f(x + 1j * z.imag), z.real)
    dy = numerical_grad(lambda y: f(z.real + 1j * y), z.imag)
    return dx - 1j * dy


def _sym(x):
    return x + x.T


A = _sym(RNG.standard_normal((N, N)))
_Bf = RNG.standard_normal((N, N))
B = _Bf @ _Bf.T + N * onp.eye(N)
CW = RNG.standard_normal(N)  # weights of the eigenvalues
VW = RNG.standard_normal((N, N))  # weights of v ⊙ v (sign free)

# Non-symmetric inputs: only the triangle named by `lower` is read, by SciPy and wengert.
A_NS = A + onp.triu(RNG.standard_normal((N, N)), 1)
B_NS = B + onp.triu(RNG.standard_normal((N, N)), 1)


def _loss(xp, w, v):
    """Eigenvalues weighted, plus the sign-free squares of the eigenvector entries."""
    k = w.shape[-1]
    return xp.sum(w * CW[:k]) + xp.sum(v * v * VW[:, :k])


def _closure(kw, xp_eigh, xp):
    def f(a, b):
        w, v = xp_eigh(a, b, **kw)
        return _loss(xp, w, v)
    return f


def _interval(values, lo_index, hi_index):
    """A value interval (lo, hi] around eigenvalues lo_index..hi_index, away from all."""
    values = onp.sort(values)
    lo = (values[lo_index - 1] + values[lo_index]) / 2 if lo_index else values[0] - 1
    hi = (values[hi_index] + values[hi_index + 1]) / 2 if hi_index + 1 < len(values) \
        else values[-1] + 1
    return lo, hi


EIGH_CASES = [
    pytest.param({"type": t, "lower": lo}, id=f"type{t}-{'lower' if lo else 'upper'}")
    for t in (1, 2, 3) for lo in (True, False)
] + [
    pytest.param({"subset_by_value": "mid"}, id="standard-by-value"),
    pytest.param({"subset_by_value": "mid", "type": 2}, id="type2-by-value"),
    pytest.param({"subset_by_value": "top", "type": 3, "lower": False}, id="type3-by-value-top"),
    pytest.param({"subset_by_index": (1, 2), "type": 3}, id="type3-by-index"),
]


def _resolve(kw, a, b):
    kw = dict(kw)
    if "subset_by_value" in kw:
        bb = None if "type" not in kw else b
        values = sla.eigh(a, bb, eigvals_only=True, type=kw.get("type", 1),
                          lower=kw.get("lower", True))
        lo_i, hi_i = (1, 2) if kw["subset_by_value"] == "mid" else (2, N - 1)
        kw["subset_by_value"] = _interval(values, lo_i, hi_i)
    return kw


@pytest.mark.parametrize("kw", EIGH_CASES)
def test_eigh_against_central_differences_of_scipy(kw):
    generalized = "type" in kw or "subset_by_index" in kw
    kw = _resolve(kw, A_NS, B_NS)
    if not generalized:
        def sp(a, b, **k):
            return sla.eigh(a, **k)

        def wp(a, b, **k):
            return wsl.eigh(a, **k)
    else:
        sp, wp = sla.eigh, wsl.eigh
    f_ref, f = _closure(kw, sp, onp), _closure(kw, wp, wnp)
    w_ref = sp(A_NS, B_NS, eigvals_only=True, **kw)
    onp.testing.assert_allclose(wp(A_NS, B_NS, eigvals_only=True, **kw), w_ref, rtol=1e-10)
    onp.testing.assert_allclose(f(A_NS, B_NS), f_ref(A_NS, B_NS), rtol=1e-10)
    ga, gb = wengert.grad(f, argnums=(0, 1))(A_NS, B_NS)
    onp.testing.assert_allclose(ga, numerical_grad(lambda a: f_ref(a, B_NS), A_NS),
                                rtol=1e-6, atol=1e-7)
    if generalized:
        onp.testing.assert_allclose(gb, numerical_grad(lambda b: f_ref(A_NS, b), B_NS),
                                    rtol=1e-6, atol=1e-7)
    ta, tb = RNG.standard_normal((N, N)), RNG.standard_normal((N, N))
    jv = wengert.jvp(f, (A_NS, B_NS), (ta, tb))[1]
    ref = numerical_jvp(f_ref, (A_NS, B_NS), (ta, tb if generalized else 0 * tb))
    onp.testing.assert_allclose(jv, ref, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kind", [1, 2, 3])
def test_generalized_eigh_second_order(kind):
    def f(a, b):
        w, v = wsl.eigh(a, b, type=kind)
        return _loss(wnp, w, v)

    g = wengert.grad(f, argnums=(0, 1))
    ta, tb = RNG.standard_normal((N, N)), RNG.standard_normal((N, N))
    hv = wengert.jvp(g, (A, B), (ta, tb))[1]
    ref = numerical_jvp(g, (A, B), (ta, tb))
    for h, r in zip(hv, ref):
        onp.testing.assert_allclose(h, r, rtol=1e-5, atol=1e-6)


def test_eigh_by_value_on_a_stack_and_the_shape_error():
    stack = onp.stack([A, A + 0.01 * _sym(RNG.standard_normal((N, N)))])
    lo, hi = _interval(onp.linalg.eigvalsh(A), 1, 2)

    def f(a):
        w, v = wsl.eigh(a, subset_by_value=(lo, hi))
        return wnp.sum(w ** 2) + wnp.sum(v ** 2 * VW[:, :2])

    g = wengert.grad(f)(stack)
    for k in range(2):
        onp.testing.assert_allclose(g[k], wengert.grad(f)(stack[k]), rtol=1e-12)
    with pytest.raises(ValueError, match="one shape"):
        wengert.grad(f)(onp.stack([A, 3 * A]))


def test_complex_hermitian_generalized_eigh():
    z = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))
    h = z + z.conj().T
    y = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))
    p = y @ y.conj().T + 3 * onp.eye(3)
    for kind in (1, 2, 3):
        def f(a, xp=wnp, eigh=wsl.eigh):
            w, v = eigh(a, p, type=kind)
            return xp.sum(w * CW[:3]) + xp.sum(xp.abs(v) ** 2 * VW[:3, :3])

        onp.testing.assert_allclose(f(h), f(h, onp, sla.eigh), rtol=1e-10)
        g = wengert.grad(f)(h)
        want = _complex_numerical_grad(lambda w: f(w, onp, sla.eigh), h)
        onp.testing.assert_allclose(g, want, rtol=1e-6, atol=1e-7)


def test_eigh_argument_errors():
    with pytest.raises(ValueError, match="not both"):
        wengert.grad(lambda a: wnp.sum(wsl.eigh(a, subset_by_index=(0, 1),
                                                subset_by_value=(0, 1))[0]))(A)
    with pytest.raises(ValueError, match="type"):
        wengert.grad(lambda a: wnp.sum(wsl.eigh(a, B, type=4)[0]))(A)


# -- solve and inv with every assume_a --------------------------------------------------------

_G = RNG.standard_normal((N, N))
GENERAL = _G + 4 * onp.eye(N)  # well conditioned, no structure
RHS = RNG.standard_normal((N, 2))
WX = RNG.standard_normal((N, 2))

# The 'pos' input: an SPD matrix plus small noise on both sides, so both triangles are SPD.
POS = _G @ _G.T + N * onp.eye(N) + 0.1 * RNG.standard_normal((N, N))
BANDED = onp.triu(onp.tril(GENERAL, 2), -1)  # bandwidths (1 below, 2 above)

SOLVE_CASES = []
for kind in (None, "gen", "general", "banded", "tridiagonal", "diagonal", "lower triangular",
             "upper triangular", "sym", "symmetric", "her", "hermitian", "pos",
             "positive definite"):
    mat = POS if kind in ("pos", "positive definite") else GENERAL
    for lower in ((False, True) if kind in ("sym", "symmetric", "her", "hermitian", "pos",
                                            "positive definite") else (False,)):
        for transposed in (False, True):
            SOLVE_CASES.append(pytest.param(kind, mat, lower, transposed,
                                            id=f"{kind}-lower{lower:d}-T{transposed:d}"))
SOLVE_CASES += [
    pytest.param(None, onp.tril(GENERAL), False, False, id="None-at-a-triangular-a"),
    pytest.param("banded", BANDED, False, False, id="banded-at-a-banded-a"),
    pytest.param("banded", BANDED, False, True, id="banded-at-a-banded-a-T"),
]


def _solve_loss(solve, a, b, kind, lower, transposed, xp):
    return xp.sum(solve(a, b, assume_a=kind, lower=lower, transposed=transposed) * WX)


@pytest.mark.parametrize("kind, mat, lower, transposed", SOLVE_CASES)
def test_solve_against_central_differences_of_scipy(kind, mat, lower, transposed):
    def f(a, b):
        return _solve_loss(wsl.solve, a, b, kind, lower, transposed, wnp)

    def f_ref(a, b):
        return _solve_loss(sla.solve, a, b, kind, lower, transposed, onp)

    x = wsl.solve(mat, RHS, assume_a=kind, lower=lower, transposed=transposed)
    onp.testing.assert_allclose(
        x, sla.solve(mat, RHS, assume_a=kind, lower=lower, transposed=transposed),
        rtol=1e-10, atol=1e-12)
    ga, gb = wengert.grad(f, argnums=(0, 1))(mat, RHS)
    onp.testing.assert_allclose(ga, numerical_grad(lambda a: f_ref(a, RHS), mat),
                                rtol=1e-6, atol=1e-8)
    onp.testing.assert_allclose(gb, numerical_grad(lambda b: f_ref(mat, b), RHS),
                                rtol=1e-6, atol=1e-8)
    ta, tb = RNG.standard_normal((N, N)), RNG.standard_normal((N, 2))
    onp.testing.assert_allclose(wengert.jvp(f, (mat, RHS), (ta, tb))[1],
                                numerical_jvp(f_ref, (mat, RHS), (ta, tb)), rtol=1e-6,
                                atol=1e-8)


_Z = RNG.standard_normal((N, N)) + 1j * RNG.standard_normal((N, N))
ZGEN = _Z + 4 * onp.eye(N)
ZPOS = _Z @ _Z.conj().T + N * onp.eye(N) + 0.1 * (RNG.standard_normal((N, N))
                                                   + 1j * RNG.standard_normal((N, N)))
ZRHS = RNG.standard_normal((N, 2)) + 1j * RNG.standard_normal((N, 2))


@pytest.mark.parametrize("kind, mat", [
    ("gen", ZGEN), ("banded", ZGEN), ("tridiagonal", ZGEN), ("diagonal", ZGEN),
    ("upper triangular", ZGEN), ("sym", ZGEN), ("her", ZGEN), ("hermitian", ZGEN),
    ("pos", ZPOS)])
@pytest.mark.parametrize("lower", [False, True])
def test_complex_solve_against_central_differences_of_scipy(kind, mat, lower):
    def f(a, xp=wnp, solve=wsl.solve):
        return xp.sum(xp.abs(solve(a, ZRHS, assume_a=kind, lower=lower)) ** 2 * WX)

    onp.testing.assert_allclose(f(mat), f(mat, onp, sla.solve), rtol=1e-10)
    g = wengert.grad(f)(mat)
    want = _complex_numerical_grad(lambda w: f(w, onp, sla.solve), mat)
    onp.testing.assert_allclose(g, want, rtol=1e-6, atol=1e-8)


def test_solve_second_order_and_batch():
    def f(a, b):
        return wnp.sum(wsl.solve(a, b, assume_a="tridiagonal") ** 2) + wnp.sum(
            wsl.solve(a, b, assume_a="her", lower=True) * WX)

    g = wengert.grad(f, argnums=(0, 1))
    ta, tb = RNG.standard_normal((N, N)), RNG.standard_normal((N, 2))
    hv = wengert.jvp(g, (GENERAL, RHS), (ta, tb))[1]
    for h, r in zip(hv, numerical_jvp(g, (GENERAL, RHS), (ta, tb))):
        onp.testing.assert_allclose(h, r, rtol=1e-5, atol=1e-7)
    stack, rhs = onp.stack([GENERAL, POS]), onp.stack([RHS, 2 * RHS])
    x = wsl.solve(stack, rhs, assume_a="tridiagonal")
    onp.testing.assert_allclose(x, sla.solve(stack, rhs, assume_a="tridiagonal"), rtol=1e-10)


def test_solve_errors_match_scipy():
    for kind in ("pd", "band"):
        with pytest.raises(ValueError, match="not a recognized matrix structure"):
            wengert.grad(lambda a: wnp.sum(wsl.solve(a, RHS, assume_a=kind)))(GENERAL)
        with pytest.raises(ValueError):
            sla.solve(GENERAL, RHS, assume_a=kind)
    with pytest.raises(NotImplementedError):
        wengert.grad(lambda a: wnp.sum(wnp.abs(wsl.solve(a, ZRHS, transposed=True))))(ZGEN)


@pytest.mark.parametrize("kind, mat", [
    (None, GENERAL), ("gen", GENERAL), ("general", GENERAL), ("diagonal", GENERAL),
    ("lower triangular", GENERAL), ("upper triangular", GENERAL), ("sym", GENERAL),
    ("her", GENERAL), ("pos", POS), ("sym", ZGEN), ("her", ZGEN), ("pos", ZPOS),
    ("diagonal", ZGEN)])
@pytest.mark.parametrize("lower", [False, True])
def test_inv_against_central_differences_of_scipy(kind, mat, lower):
    w = WX[:, :1] * WX[:, 1]

    def f(a, xp=wnp, inv=wsl.inv):
        out = inv(a, assume_a=kind, lower=lower)
        return xp.sum(xp.real(out * w)) + xp.sum(xp.imag(out) * w.T)

    onp.testing.assert_allclose(wsl.inv(mat, assume_a=kind, lower=lower),
                                sla.inv(mat, assume_a=kind, lower=lower), rtol=1e-10,
                                atol=1e-12)
    g = wengert.grad(f)(mat)
    if onp.iscomplexobj(mat):
        ref = _complex_numerical_grad(lambda w_: f(w_, onp, sla.inv), mat)
    else:
        ref = numerical_grad(lambda x: f(x, onp, sla.inv), mat)
    onp.testing.assert_allclose(g, ref, rtol=1e-6, atol=1e-8)
