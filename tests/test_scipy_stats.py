"""wengert.scipy.stats beyond the table rows: gradients against closed forms, supports,
the parameters without derivatives, SciPy's call forms, and what a plain SciPy call on a
traced value says."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sc
import scipy.stats as st

import wengert
import wengert.numpy as wnp
import wengert.scipy.stats as ws
from wengert.errors import MissingRuleError, TracerConversionError, UnsupportedFunctionError

X = np.array([-1.3, 0.2, 0.9, 2.4])


def test_normal_gradients_in_point_mean_and_scale():
    mu, sigma = 0.4, 1.7
    gx, gmu, gsigma = wengert.grad(lambda x, m, s: wnp.sum(ws.norm.logpdf(x, m, s)),
                                   argnums=(0, 1, 2))(X, mu, sigma)
    np.testing.assert_allclose(gx, -(X - mu) / sigma ** 2, rtol=1e-14)
    assert float(gmu) == pytest.approx(np.sum(X - mu) / sigma ** 2, rel=1e-14)
    assert float(gsigma) == pytest.approx(np.sum(-1 / sigma + (X - mu) ** 2 / sigma ** 3),
                                          rel=1e-14)
    # Second derivative in the mean: -n / sigma^2.
    h = wengert.hessian(lambda m: wnp.sum(ws.norm.logpdf(X, m, sigma)))(mu)
    assert float(h) == pytest.approx(-X.size / sigma ** 2, rel=1e-14)


@pytest.mark.parametrize("dist, params", [
    ("norm", (0.3, 1.4)), ("t", (2.5, 0.3, 1.4)), ("cauchy", (0.3, 1.4)),
    ("laplace", (0.3, 1.4)), ("logistic", (0.3, 1.4)), ("gamma", (2.2, -2.0, 1.4)),
    ("beta", (2.2, 3.1, -2.0, 5.0)), ("expon", (-2.0, 1.4)),
])
def test_the_derivative_of_the_cdf_is_scipys_pdf(dist, params):
    ours, theirs = getattr(ws, dist), getattr(st, dist)
    g = wengert.grad(lambda x: wnp.sum(ours.cdf(x, *params)))(X)
    np.testing.assert_allclose(g, theirs.pdf(X, *params), rtol=1e-12, atol=1e-300)
    g = wengert.grad(lambda x: wnp.sum(ours.logcdf(x, *params)))(X)
    np.testing.assert_allclose(g, theirs.pdf(X, *params) / theirs.cdf(X, *params),
                               rtol=1e-10)
    # d/dloc cdf = -pdf.
    loc_index = len(params) - 2
    g = wengert.grad(lambda loc: wnp.sum(ours.cdf(
        X, *params[:loc_index], loc, params[-1])))(params[loc_index])
    assert float(g) == pytest.approx(-np.sum(theirs.pdf(X, *params)), rel=1e-12)


def test_gamma_and_beta_shape_gradients_of_the_log_density():
    x = np.array([0.2, 1.5, 3.0])
    a = 2.3
    g = wengert.grad(lambda a: wnp.sum(ws.gamma.logpdf(x, a)))(a)
    assert float(g) == pytest.approx(np.sum(np.log(x) - sc.digamma(a)), rel=1e-13)
    y = np.array([0.1, 0.5, 0.8])
    ga, gb = wengert.grad(lambda a, b: wnp.sum(ws.beta.logpdf(y, a, b)), argnums=(0, 1))(
        2.0, 3.5)
    assert float(ga) == pytest.approx(np.sum(np.log(y) - sc.digamma(2.0) + sc.digamma(5.5)),
                                      rel=1e-13)
    assert float(gb) == pytest.approx(
        np.sum(np.log1p(-y) - sc.digamma(3.5) + sc.digamma(5.5)), rel=1e-13)
    # t in df, against central differences of SciPy's own logpdf.
    g = wengert.grad(lambda df: wnp.sum(ws.t.logpdf(X, df)))(3.0)
    h = 1e-6
    fd = (np.sum(st.t.logpdf(X, 3.0 + h)) - np.sum(st.t.logpdf(X, 3.0 - h))) / (2 * h)
    assert float(g) == pytest.approx(fd, rel=1e-7)


@pytest.mark.parametrize("dist, params", [("gamma", (2.0,)), ("beta", (2.0, 3.0)),
                                          ("expon", ())])
def test_outside_the_support_minus_infinity_with_zero_gradient(dist, params):
    x = np.array([-0.5, 0.3, 1.5])  # below, inside and (beta) above the support
    ours = getattr(ws, dist)
    np.testing.assert_array_equal(ours.logpdf(x, *params), getattr(st, dist).logpdf(x, *params))
    g = wengert.grad(lambda x: wnp.sum(wnp.where(wnp.isfinite(ours.logpdf(x, *params)),
                                                 ours.logpdf(x, *params), 0.0)))(x)
    assert np.all(np.isfinite(g))
    assert g[0] == 0.0
    gs = wengert.grad(lambda s: wnp.sum(ours.pdf(x, *params, 0.0, s)))(1.0)
    assert np.isfinite(gs)
    np.testing.assert_array_equal(wengert.grad(lambda x: wnp.sum(ours.cdf(x, *params)))(x)[0],
                                  0.0)


@pytest.mark.parametrize("dist, call, parameter", [
    ("t", lambda p: ws.t.cdf(X, p), "df"),
    ("gamma", lambda p: ws.gamma.logcdf(np.abs(X), p), "a"),
    ("beta", lambda p: ws.beta.cdf(np.array([0.3, 0.6]), p, 2.0), "a"),
    ("beta", lambda p: ws.beta.cdf(np.array([0.3, 0.6]), 2.0, p), "b"),
])
def test_shape_parameters_of_distribution_functions_have_no_derivative(dist, call,
                                                                        parameter):
    with pytest.raises(MissingRuleError, match=rf"scipy\.stats\.{dist}\.cdf.*'{parameter}'"):
        wengert.grad(lambda p: wnp.sum(call(p)))(2.5)
    with pytest.raises(MissingRuleError, match=parameter):
        wengert.jvp(call, (2.5,), (1.0,))


def test_poisson_in_mu():
    k = np.array([0.0, 1.0, 4.0, 9.0])
    mu = 3.2
    g = wengert.grad(lambda m: wnp.sum(ws.poisson.logpmf(k, m)))(mu)
    assert float(g) == pytest.approx(np.sum(k / mu - 1), rel=1e-14)
    # d/dmu P(K <= k) = -pmf(k, mu), for integer and non-integer k.
    kk = np.array([0.0, 2.5, 7.0])
    g = wengert.jvp(lambda m: ws.poisson.cdf(kk, m), (mu,), (1.0,))[1]
    np.testing.assert_allclose(g, -st.poisson.pmf(np.floor(kk), mu), rtol=1e-12)
    # Counts that are not non-negative integers: probability 0, derivative 0.
    bad = np.array([-1.0, 1.5])
    np.testing.assert_array_equal(ws.poisson.logpmf(bad, mu), st.poisson.logpmf(bad, mu))
    np.testing.assert_array_equal(
        wengert.grad(lambda m: wnp.sum(ws.poisson.pmf(bad, m)))(mu), 0.0)
    # loc shifts the counts, as in SciPy.
    np.testing.assert_allclose(ws.poisson.logpmf(k, mu, 2), st.poisson.logpmf(k, mu, 2))


def test_dirichlet_gradients():
    x = np.array([0.2, 0.3, 0.5])
    alpha = np.array([1.5, 2.0, 3.5])
    galpha = wengert.grad(lambda a: ws.dirichlet.logpdf(x, a))(alpha)
    np.testing.assert_allclose(galpha, np.log(x) - sc.digamma(alpha) + sc.digamma(alpha.sum()),
                               rtol=1e-13)
    gx = wengert.grad(lambda y: ws.dirichlet.logpdf(y, alpha))(x)
    np.testing.assert_allclose(gx, (alpha - 1) / x, rtol=1e-13)
    with pytest.raises(ValueError, match="simplex"):
        ws.dirichlet.logpdf(np.array([0.2, 0.3, 0.6]), alpha)
    with pytest.raises(ValueError, match="positive"):
        ws.dirichlet.logpdf(x, -alpha)


def test_multivariate_normal_gradients():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 3))
    mean = rng.standard_normal(3)
    a = rng.standard_normal((3, 3))
    cov = a @ a.T + np.eye(3)
    f = lambda x, m, c: wnp.sum(ws.multivariate_normal.logpdf(x, m, c))  # noqa: E731
    gx, gm, gc = wengert.grad(f, argnums=(0, 1, 2))(x, mean, cov)
    inv = np.linalg.inv(cov)
    r = x - mean
    np.testing.assert_allclose(gx, -r @ inv, rtol=1e-12)
    np.testing.assert_allclose(gm, np.sum(r @ inv, axis=0), rtol=1e-12)
    expected = 0.5 * sum(inv @ np.outer(ri, ri) @ inv - inv for ri in r)
    np.testing.assert_allclose(gc, expected, rtol=1e-12)
    np.testing.assert_allclose(gc, gc.T, rtol=1e-14)
    # The Hessian in the mean is -n C^-1.
    h = wengert.hessian(lambda m: f(x, m, cov))(mean)
    np.testing.assert_allclose(h, -5 * inv, rtol=1e-12)


def test_multivariate_normal_refuses_a_covariance_that_is_not_positive_definite():
    with pytest.raises(np.linalg.LinAlgError):
        ws.multivariate_normal.logpdf(np.zeros(2), np.zeros(2), np.array([[1.0, 2.0],
                                                                           [2.0, 1.0]]))
    with pytest.raises(ValueError, match="mean must have shape"):
        ws.multivariate_normal.logpdf(np.zeros(2), np.zeros(2), np.eye(3))


def test_scipy_call_forms():
    np.testing.assert_allclose(ws.t.logpdf(X, 3.0, 0.5, 2.0),
                               st.t.logpdf(X, 3.0, 0.5, 2.0), rtol=1e-14)
    np.testing.assert_allclose(ws.t.logpdf(X, df=3.0, scale=2.0),
                               st.t.logpdf(X, df=3.0, scale=2.0), rtol=1e-14)
    np.testing.assert_allclose(ws.norm(0.5, 2.0).logcdf(X), st.norm(0.5, 2.0).logcdf(X),
                               rtol=1e-14)
    g = wengert.grad(lambda s: wnp.sum(ws.gamma(2.0, scale=s).logpdf(np.abs(X))))(1.5)
    assert float(g) == pytest.approx(
        (np.sum(st.gamma.logpdf(np.abs(X), 2.0, scale=1.5 + 1e-6))
         - np.sum(st.gamma.logpdf(np.abs(X), 2.0, scale=1.5 - 1e-6))) / 2e-6, rel=1e-7)
    with pytest.raises(TypeError, match="missing the parameter.*df"):
        ws.t.logpdf(X)
    with pytest.raises(TypeError, match="unexpected keyword argument 'sigma'"):
        ws.norm.logpdf(X, sigma=2.0)
    with pytest.raises(TypeError, match="at most 2 parameters"):
        ws.norm.logpdf(X, 0.0, 1.0, 2.0)
    with pytest.raises(UnsupportedFunctionError, match="no method 'ppf'"):
        ws.norm(0.0, 1.0).ppf(X)


@pytest.mark.parametrize("call, name", [
    (lambda x: st.norm.logpdf(x), "wengert.scipy.stats.norm.logpdf"),
    (lambda x: st.norm(0.0, 2.0).cdf(x), "wengert.scipy.stats.norm.cdf"),
    (lambda x: st.t.logpdf(1.0, 3.0, x[0]), "wengert.scipy.stats.t.logpdf"),
    (lambda x: st.poisson.logpmf(2, x), "wengert.scipy.stats.poisson.logpmf"),
    (lambda x: st.dirichlet.logpdf(np.array([0.2, 0.8]), x),
     "wengert.scipy.stats.dirichlet.logpdf"),
    (lambda x: st.multivariate_normal.logpdf(x, np.zeros(2)),
     "wengert.scipy.stats.multivariate_normal.logpdf"),
])
def test_plain_scipy_stats_on_traced_values_names_the_wengert_function(call, name):
    with pytest.raises(TracerConversionError, match=name.replace(".", r"\.")):
        wengert.grad(lambda x: wnp.sum(call(x)))(np.array([0.5, 1.5]))


def test_an_uncovered_distribution_says_so():
    with pytest.raises(TracerConversionError, match=r"scipy\.stats\.weibull_min\.logpdf.*"
                                                     r"no wengert counterpart"):
        wengert.grad(lambda x: wnp.sum(st.weibull_min.logpdf(x, 1.5)))(np.array([0.5]))


def test_multivariate_normal_refuses_complex_arguments():
    import wengert.scipy.stats as wst

    with pytest.raises(TypeError, match="multivariate_normal: argument x must be real"):
        wst.multivariate_normal.logpdf(np.array([1 + 1j, 0.5]), np.zeros(2), np.eye(2))
