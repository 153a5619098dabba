"""wengert.scipy.signal beyond the table rows: the gradient against the transpose of the
convolution matrix built by brute force, the derivative in both arguments at second
order, argument errors, and what a plain SciPy call on a traced value says."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as ss

import wengert
import wengert.numpy as wnp
import wengert.scipy.signal as ws
from wengert.errors import TracerConversionError


def _matrix(f, y, x_shape, mode):
    """The matrix of the linear map x -> f(x, y, mode), one unit vector at a time."""
    columns = []
    for k in range(int(np.prod(x_shape))):
        e = np.zeros(int(np.prod(x_shape)))
        e[k] = 1.0
        columns.append(np.ravel(f(e.reshape(x_shape), y, mode)))
    return np.stack(columns, axis=1)


SHAPE_PAIRS = [((7,), (3,)), ((3,), (7,)), ((5, 4), (2, 3)), ((2, 3), (4, 5)),
               ((4, 2), (2, 3))]  # the last: neither is larger ('valid' refuses it)
CASES = [(name, mode, xs, ys) for name in ("convolve", "correlate")
         for mode in ("full", "same", "valid") for xs, ys in SHAPE_PAIRS
         if not (mode == "valid" and xs == (4, 2))]


@pytest.mark.parametrize("name, mode, x_shape, y_shape", CASES)
def test_gradients_are_the_transposed_convolution_matrix(name, mode, x_shape, y_shape):
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal(x_shape), rng.standard_normal(y_shape)
    f_scipy = getattr(ss, name)
    out = f_scipy(x, y, mode)
    w = rng.standard_normal(out.shape)
    gx, gy = wengert.grad(lambda a, b: wnp.sum(getattr(ws, name)(a, b, mode) * w),
                          argnums=(0, 1))(x, y)
    mx = _matrix(f_scipy, y, x_shape, mode)  # out = Mx @ x
    my = _matrix(lambda b, a, m: f_scipy(a, b, m), x, y_shape, mode)  # out = My @ y
    np.testing.assert_allclose(gx, (mx.T @ w.ravel()).reshape(x_shape), rtol=1e-12,
                               atol=1e-12)
    np.testing.assert_allclose(gy, (my.T @ w.ravel()).reshape(y_shape), rtol=1e-12,
                               atol=1e-12)


def test_second_order_mixed_derivative_is_the_convolution_matrix():
    # d^2/dx dy of <w, x * y> is bilinear: the JVP in y of the gradient in x is M_x^T w
    # with y replaced by the tangent.
    rng = np.random.default_rng(2)
    x, y, t = rng.standard_normal(6), rng.standard_normal(3), rng.standard_normal(3)
    w = rng.standard_normal(6)
    gx = lambda b: wengert.grad(lambda a: wnp.sum(ws.convolve(a, b, "same") * w))(x)  # noqa
    _, hv = wengert.jvp(gx, (y,), (t,))
    np.testing.assert_allclose(hv, _matrix(ss.convolve, t, (6,), "same").T @ w, rtol=1e-12)


def test_both_methods_are_accepted():
    x, y = np.arange(5.0), np.array([1.0, -2.0, 0.5])
    for method in ("direct", "fft", "auto"):
        np.testing.assert_allclose(ws.convolve(x, y, "same", method),
                                   ss.convolve(x, y, "same", method), atol=1e-12)


def test_errors():
    x = np.zeros((3, 4))
    with pytest.raises(ValueError, match="convolve: mode must be one of"):
        ws.convolve(x, x, "middle")
    with pytest.raises(ValueError, match="correlate: method must be"):
        ws.correlate(x, x, "full", "fast")
    with pytest.raises(ValueError, match="same dimensionality"):
        ws.convolve(x, np.zeros(3))
    with pytest.raises(ValueError, match="'valid' mode"):
        ws.convolve(np.zeros((2, 5)), np.zeros((3, 3)), "valid")


@pytest.mark.parametrize("name", ["convolve", "correlate"])
def test_plain_scipy_signal_on_traced_values_names_the_wengert_function(name):
    with pytest.raises(TracerConversionError, match=rf"wengert\.scipy\.signal\.{name}"):
        wengert.grad(lambda x: wnp.sum(getattr(ss, name)(x, np.ones(2))))(np.ones(4))
