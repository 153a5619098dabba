"""wengert.scipy.special beyond the table rows: derivatives against closed forms and
SciPy's own functions, numerical care of logsumexp/softmax/log_softmax, routing of plain
SciPy calls, and errors."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import scipy.special as sc

import wengert
import wengert.numpy as wnp
import wengert.scipy.special as ws
from wengert.errors import MissingRuleError, TracerConversionError, UnsupportedFunctionError

X = np.array([0.3, 1.1, 2.7, 6.5])


def _grad_elementwise(f, x):
    return wengert.grad(lambda a: wnp.sum(f(a)))(x)


# -- derivatives against closed forms ---------------------------------------------------


@pytest.mark.parametrize("f, derivative", [
    (ws.gammaln, sc.digamma),
    (ws.digamma, lambda x: sc.polygamma(1, x)),
    (lambda x: ws.polygamma(3, x), lambda x: sc.polygamma(4, x)),
    (ws.gamma, lambda x: sc.gamma(x) * sc.digamma(x)),
    (ws.erf, lambda x: 2 / np.sqrt(np.pi) * np.exp(-x * x)),
    (ws.erfc, lambda x: -2 / np.sqrt(np.pi) * np.exp(-x * x)),
    (ws.ndtr, lambda x: np.exp(-x * x / 2) / np.sqrt(2 * np.pi)),
    (ws.log_ndtr, lambda x: np.exp(-x * x / 2) / np.sqrt(2 * np.pi) / sc.ndtr(x)),
    (ws.expit, lambda x: sc.expit(x) * sc.expit(-x)),
    (ws.log_expit, lambda x: sc.expit(-x)),
    (ws.entr, lambda x: -np.log(x) - 1),
    (ws.i0, sc.i1),
    (ws.i1, lambda x: sc.i0(x) - sc.i1(x) / x),
    (ws.i0e, lambda x: sc.i1e(x) - sc.i0e(x)),
    (lambda x: ws.iv(2.5, x), lambda x: sc.iv(1.5, x) - 2.5 / x * sc.iv(2.5, x)),
    (lambda x: ws.multigammaln(x + 1.0, 2),
     lambda x: sc.digamma(x + 1.0) + sc.digamma(x + 0.5)),
])
def test_derivative_closed_forms(f, derivative):
    np.testing.assert_allclose(_grad_elementwise(f, X), derivative(X), rtol=1e-12)
    # Forward mode gives the same.
    np.testing.assert_allclose(wengert.jvp(f, (X,), (np.ones_like(X),))[1], derivative(X),
                               rtol=1e-12)


def test_inverse_functions_by_the_inverse_function_theorem():
    p = np.array([0.01, 0.3, 0.5, 0.97])
    for inverse, forward in ((ws.ndtri, sc.ndtr), (ws.erfinv, sc.erf),
                             (ws.logit, sc.expit)):
        y = 2 * p - 1 if inverse is ws.erfinv else p
        x = inverse(y)
        slope = wengert.jvp(forward, (x,), (np.ones_like(x),))[1]
        np.testing.assert_allclose(_grad_elementwise(inverse, y), 1.0 / slope, rtol=1e-10)
    y = 2 * p
    np.testing.assert_allclose(_grad_elementwise(ws.erfcinv, y),
                               -np.sqrt(np.pi) / 2 * np.exp(sc.erfcinv(y) ** 2), rtol=1e-12)


def test_two_argument_partials():
    a, b = np.array([0.7, 2.0, 3.5]), np.array([1.3, 0.4, 5.0])
    da, db = wengert.grad(lambda a, b: wnp.sum(ws.betaln(a, b)), argnums=(0, 1))(a, b)
    np.testing.assert_allclose(da, sc.digamma(a) - sc.digamma(a + b), rtol=1e-12)
    np.testing.assert_allclose(db, sc.digamma(b) - sc.digamma(a + b), rtol=1e-12)
    da = wengert.grad(lambda a: wnp.sum(ws.beta(a, b)))(a)
    np.testing.assert_allclose(da, sc.beta(a, b) * (sc.digamma(a) - sc.digamma(a + b)),
                               rtol=1e-12)


def test_higher_derivatives_follow_polygamma():
    f = ws.gammaln
    for n in range(1, 5):  # d^n/dx^n gammaln = polygamma(n - 1)
        f = wengert.grad(f)
        assert float(f(1.7)) == pytest.approx(float(sc.polygamma(n - 1, 1.7)), rel=1e-12)


def test_log_ndtr_far_in_the_left_tail():
    # ndtr(-40) underflows to 0; d/dx log ndtr(x) = phi(x)/ndtr(x), by the asymptotic
    # series of Mills' ratio -x - 1/x + 2/x^3 - 10/x^5 + O(x^-7). (At -1e4 the rule's
    # exponent -x^2/2 - log_ndtr(x) cancels two numbers of size 5e7: ~1e-8 relative.)
    x = np.array([-40.0, -200.0, -1e4])
    g = _grad_elementwise(ws.log_ndtr, x)
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, -x - 1 / x + 2 / x ** 3 - 10 / x ** 5, rtol=2e-8)


def test_xlogy_family_at_zero():
    y = np.array([0.0, 0.5, 2.0])
    x = np.zeros(3)
    for f, d_x in ((ws.xlogy, np.log), (ws.xlog1py, np.log1p)):
        with np.errstate(divide="ignore"):
            gx, gy = wengert.grad(lambda a, b: wnp.sum(f(a, b)), argnums=(0, 1))(x, y)
            np.testing.assert_array_equal(gx, d_x(y))  # -inf at y = 0 for xlogy: exact
        np.testing.assert_array_equal(gy, 0.0)  # the value is 0 whatever y is
        np.testing.assert_array_equal(f(x, y), 0.0)
    gy = wengert.grad(lambda b: wnp.sum(ws.rel_entr(np.array([0.0, 1.5]), b)))(
        np.array([0.3, 0.6]))
    np.testing.assert_allclose(gy, [0.0, -1.5 / 0.6], rtol=1e-14)


def test_ive_for_negative_arguments():
    # ive(v, x) = iv(v, x) exp(-|x|): d/dx = iv'(v, x) e^-|x| - sign(x) ive(v, x).
    x = np.array([-3.0, -0.4, 0.4, 3.0])
    v = 2.0
    expected = 0.5 * (sc.iv(v - 1, x) + sc.iv(v + 1, x)) * np.exp(-np.abs(x)) \
        - np.sign(x) * sc.ive(v, x)
    np.testing.assert_allclose(_grad_elementwise(lambda a: ws.ive(v, a), x), expected,
                               rtol=1e-12)


# -- zeta -------------------------------------------------------------------------------

_GLAISHER = 1.2824271291006226368753425688697917277676889273250


def test_riemann_zeta_derivative_closed_forms():
    dz = wengert.grad(ws.zeta)
    # zeta'(0) = -log(2 pi)/2;  zeta'(-1) = 1/12 - log A;
    # zeta'(2) = pi^2/6 (gamma + log(2 pi) - 12 log A).
    assert float(dz(0.0)) == pytest.approx(-0.5 * math.log(2 * math.pi), rel=1e-12)
    assert float(dz(-1.0)) == pytest.approx(1 / 12 - math.log(_GLAISHER), rel=1e-11)
    expected = math.pi ** 2 / 6 * (np.euler_gamma + math.log(2 * math.pi)
                                   - 12 * math.log(_GLAISHER))
    assert float(dz(2.0)) == pytest.approx(expected, rel=1e-12)


def test_zeta_derivatives_below_minus_two_are_refused():
    assert float(ws.zeta(-3.0)) == pytest.approx(1 / 120, rel=1e-12)  # the value: SciPy's
    with pytest.raises(UnsupportedFunctionError, match="zeta.*x >= -2"):
        wengert.grad(ws.zeta)(-3.0)
    # Mixed arguments on both sides of 1 in one array.
    s = np.array([-1.0, 0.0, 3.0])
    g = wengert.grad(lambda v: wnp.sum(ws.zeta(v)))(s)
    h = 1e-6
    np.testing.assert_allclose(g, (sc.zeta(s + h) - sc.zeta(s - h)) / (2 * h), rtol=1e-8)


def test_hurwitz_zeta_derivative_in_q_and_higher_orders():
    s, q = np.array([2.5, 4.0]), np.array([0.3, 3.0])
    gq = wengert.grad(lambda q: wnp.sum(ws.zeta(s, q)))(q)
    np.testing.assert_allclose(gq, -s * sc.zeta(s + 1, q), rtol=1e-12)
    gqq = wengert.grad(lambda q: wnp.sum(wengert.grad(lambda r: wnp.sum(ws.zeta(s, r)))(q)))(q)
    np.testing.assert_allclose(gqq, s * (s + 1) * sc.zeta(s + 2, q), rtol=1e-12)
    # Second derivative in s: sum log(n + q)^2 (n + q)^-s, against a direct sum with its
    # tail integrated (the terms decay like n^-4 log^2 n, so 200000 terms plus the
    # integral of the rest is accurate to far below the tolerance).
    n = np.arange(200000.0) + q[1]
    direct = np.sum(np.log(n) ** 2 * n ** -s[1])
    big = n[-1] + 1.0
    tail = (np.log(big) ** 2 / 3 + 2 * np.log(big) / 9 + 2 / 27) * big ** -3 \
        + 0.5 * np.log(big) ** 2 * big ** -4
    d2 = wengert.grad(wengert.grad(lambda v: ws.zeta(v, q[1])))(s[1])
    assert float(d2) == pytest.approx(direct + tail, rel=1e-9)


def test_plain_scipy_zeta_routes():
    s = np.array([2.5, 3.5])
    g = wengert.grad(lambda v: wnp.sum(sc.zeta(v, 1.0)))(s)
    np.testing.assert_allclose(g, wengert.grad(lambda v: wnp.sum(ws.zeta(v)))(s), rtol=1e-14)
    g = wengert.grad(lambda q: wnp.sum(sc.zeta(3.0, q)))(s)
    np.testing.assert_allclose(g, -3.0 * sc.zeta(4.0, s), rtol=1e-12)


# -- numerical care: logsumexp, softmax, log_softmax -------------------------------------

HUGE = np.array([1e300, -1e300, 0.5, -np.inf])


def test_logsumexp_is_finite_at_extremes():
    assert float(ws.logsumexp(HUGE)) == 1e300
    g = wengert.grad(ws.logsumexp)(HUGE)
    np.testing.assert_array_equal(g, [1.0, 0.0, 0.0, 0.0])
    h = wengert.hessian(ws.logsumexp)(HUGE)
    assert np.all(np.isfinite(h))
    # Moderate entries next to -inf: the gradient is the softmax, the Hessian
    # diag(z) - z z^T, and -inf entries get exactly 0.
    a = np.array([0.3, -np.inf, 1.2, -0.5])
    z = sc.softmax(a)
    np.testing.assert_allclose(wengert.grad(ws.logsumexp)(a), z, rtol=1e-14)
    np.testing.assert_allclose(wengert.hessian(ws.logsumexp)(a), np.diag(z) - np.outer(z, z),
                               rtol=1e-12, atol=1e-15)


def test_logsumexp_all_minus_infinity_has_zero_gradient():
    a = np.full((2, 3), -np.inf)
    a[1, 0] = 0.0
    out = ws.logsumexp(a, axis=1)
    np.testing.assert_array_equal(out, [-np.inf, 0.0])
    g = wengert.grad(lambda x: ws.logsumexp(x, axis=1)[1])(a)
    np.testing.assert_array_equal(g, [[0, 0, 0], [1, 0, 0]])
    _, t = wengert.jvp(lambda x: ws.logsumexp(x, axis=1), (a,), (np.ones_like(a),))
    np.testing.assert_array_equal(t, [0.0, 1.0])


def test_logsumexp_with_b_and_return_sign():
    a = np.array([[0.1, 0.5, -1.0], [0.3, -0.2, 2.0]])
    b = np.array([1.0, -2.0, 0.5])
    out, sign = ws.logsumexp(a, axis=1, b=b, return_sign=True)
    ref_out, ref_sign = sc.logsumexp(a, axis=1, b=b, return_sign=True)
    np.testing.assert_allclose(out, ref_out, rtol=1e-14)
    np.testing.assert_array_equal(sign, ref_sign)
    # d/da log|sum b e^a| = b e^a / sum(b e^a), of either sign.
    s = np.sum(b * np.exp(a), axis=1, keepdims=True)
    ga = wengert.grad(lambda x: wnp.sum(ws.logsumexp(x, axis=1, b=b, return_sign=True)[0]))(a)
    np.testing.assert_allclose(ga, b * np.exp(a) / s, rtol=1e-12)
    gb = wengert.grad(lambda c: wnp.sum(ws.logsumexp(a, axis=1, b=c, return_sign=True)[0]))(b)
    np.testing.assert_allclose(gb, np.sum(np.exp(a) / s, axis=0), rtol=1e-12)
    # With huge entries, b weights stay finite and right: lse rounds log(2) away at
    # 1e300, the weights must not.
    g = wengert.grad(lambda x: ws.logsumexp(x, b=np.array([2.0, 3.0, 1.0])))(HUGE[:3])
    np.testing.assert_array_equal(g, [1.0, 0.0, 0.0])
    g = wengert.grad(ws.logsumexp)(np.array([1e300, 1e300, -1e300]))
    np.testing.assert_array_equal(g, [0.5, 0.5, 0.0])


@pytest.mark.parametrize("f", [ws.softmax, ws.log_softmax])
def test_softmax_family_is_finite_at_extremes(f):
    out = f(HUGE)
    assert not np.any(np.isnan(out))
    for k in range(3):
        g = wengert.grad(lambda x, k=k: f(x)[k])(HUGE)
        assert np.all(np.isfinite(g)), (f, k, g)
        hv = wengert.hvp(lambda x, k=k: f(x)[k], (HUGE,), (np.ones(4),))
        assert not np.any(np.isnan(hv)), (f, k, hv)
    np.testing.assert_array_equal(wengert.grad(lambda x: f(x)[0])(HUGE),
                                  [0.0, 0.0, 0.0, 0.0] if f is ws.softmax else
                                  [0.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(wengert.grad(lambda x: f(x)[2])(HUGE),
                                  [0.0, 0.0, 0.0, 0.0] if f is ws.softmax else
                                  [-1.0, 0.0, 1.0, 0.0])


def test_softmax_vjp_is_linear_in_n():
    # The n x n Jacobian of a million-vector would take 8 TB; the O(n) rule
    # z (v - (z.v)) takes milliseconds. Checked against that formula with NumPy.
    rng = np.random.default_rng(0)
    x = rng.standard_normal(1_000_000)
    v = rng.standard_normal(x.size)
    _, pullback = wengert.vjp(ws.softmax, x)
    z = sc.softmax(x)
    np.testing.assert_allclose(pullback(v)[0], z * (v - z @ v), rtol=1e-10, atol=1e-20)
    _, t = wengert.jvp(ws.log_softmax, (x,), (v,))
    np.testing.assert_allclose(t, v - z @ v, rtol=1e-10, atol=1e-12)


def test_softmax_over_an_axis_against_its_jacobian():
    x = np.array([[0.2, -1.0, 0.7], [2.0, 0.1, -0.3]])
    jac = wengert.jacrev(lambda a: ws.softmax(a, axis=1))(x)
    for i in range(2):
        z = sc.softmax(x[i])
        np.testing.assert_allclose(jac[i, :, i, :], np.diag(z) - np.outer(z, z), atol=1e-15)
        np.testing.assert_array_equal(jac[i, :, 1 - i, :], 0.0)


# -- routing and errors ----------------------------------------------------------------


def test_plain_scipy_ufuncs_route_in_both_modes():
    x = np.array([0.5, 1.5, 3.0])
    np.testing.assert_allclose(wengert.grad(lambda a: wnp.sum(sc.gammaln(a)))(x),
                               sc.digamma(x), rtol=1e-14)
    _, t = wengert.jvp(lambda a: sc.xlogy(a, 2.0 * a), (x,), (np.ones(3),))
    np.testing.assert_allclose(t, np.log(2 * x) + 1.0, rtol=1e-14)
    np.testing.assert_allclose(wengert.grad(wengert.grad(lambda a: sc.erf(a)))(0.7),
                               -2 * 0.7 * 2 / np.sqrt(np.pi) * np.exp(-0.49), rtol=1e-12)


def test_scipy_routing_needs_no_import_and_import_wengert_stays_light():
    code = (
        "import sys, numpy as np, wengert, scipy.special as sc\n"
        "assert 'scipy.stats' not in sys.modules and 'wengert.scipy' not in sys.modules\n"
        "g = wengert.grad(lambda x: sc.gammaln(x).sum())(np.array([0.5, 2.0]))\n"
        "assert np.allclose(g, sc.digamma([0.5, 2.0])), g\n"
        "assert 'wengert.scipy' in sys.modules\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


@pytest.mark.parametrize("call, wengert_name", [
    (lambda x: sc.logsumexp(x), "wengert.scipy.special.logsumexp"),
    (lambda x: sc.softmax(x), "wengert.scipy.special.softmax"),
    (lambda x: sc.log_softmax(x), "wengert.scipy.special.log_softmax"),
    (lambda x: sc.polygamma(1, x), "wengert.scipy.special.polygamma"),
    (lambda x: sc.multigammaln(x[0] + 2.0, 2), "wengert.scipy.special.multigammaln"),
])
def test_scipy_functions_that_convert_name_the_wengert_function(call, wengert_name):
    with pytest.raises(TracerConversionError, match=wengert_name.replace(".", r"\.")):
        wengert.grad(lambda x: wnp.sum(call(x)))(np.array([0.5, 1.5]))


def test_an_uncovered_scipy_ufunc_is_named():
    with pytest.raises(UnsupportedFunctionError, match=r"scipy\.special\.gammainc"):
        wengert.grad(lambda x: wnp.sum(sc.gammainc(x, 1.0)))(np.array([0.5, 1.5]))


def test_polygamma_order_must_be_a_nonnegative_integer():
    with pytest.raises(UnsupportedFunctionError, match="polygamma.*non-negative integer"):
        ws.polygamma(1.5, 2.0)
    with pytest.raises(MissingRuleError, match="polygamma.*integer"):
        wengert.grad(lambda n: ws.polygamma(n, 2.0))(1.0)
    # Arrays of orders broadcast against x, as in SciPy.
    np.testing.assert_allclose(ws.polygamma(np.array([0, 1, 2]), 1.5),
                               sc.polygamma([0, 1, 2], 1.5), rtol=1e-14)


def test_float32_stays_float32():
    x = np.array([0.5, 1.5], np.float32)
    for f in (ws.gammaln, ws.digamma, lambda a: ws.polygamma(2, a), ws.zeta,
              lambda a: ws.zeta(a + 1.0, a)):
        assert f(x + 1.0).dtype == np.float32
        assert wengert.grad(lambda a, f=f: wnp.sum(f(a + 1.0)))(x).dtype == np.float32


def test_argument_errors():
    with pytest.raises(ValueError, match="multigammaln"):
        ws.multigammaln(np.array([0.4]), 3)
    with pytest.raises(UnsupportedFunctionError, match="multigammaln.*d"):
        ws.multigammaln(np.array([3.0]), 0)
    with pytest.raises(UnsupportedFunctionError, match="logsumexp.*b of shape"):
        ws.logsumexp(np.zeros(3), b=np.ones((2, 3)))


def test_complex_inputs_where_scipy_has_no_polygamma():
    z = np.array([1.5 + 0.5j])
    # grad Re f(z) = d/dx - i d/dy = f'(z) for holomorphic f (the transpose convention).
    g = wengert.grad(lambda a: wnp.real(wnp.sum(ws.gamma(a))))(z)
    np.testing.assert_allclose(g, sc.gamma(z) * sc.digamma(z), rtol=1e-12)
    with pytest.raises(UnsupportedFunctionError, match="polygamma.*complex"):
        wengert.grad(lambda a: wnp.real(wnp.sum(ws.digamma(a))))(z)


def test_zeta_derivative_refuses_complex_arguments():
    """SciPy's zeta accepts complex x; its derivative here is for real x only, so a
    complex argument raises instead of silently dropping the imaginary part."""
    with pytest.raises(UnsupportedFunctionError, match="zeta"):
        wengert.grad(lambda z: wnp.real(ws.zeta(z)))(np.complex128(2 + 1j))
