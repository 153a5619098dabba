"""The public transformations: argnums, has_aux, pytrees, vjp, custom rules, make_trace."""

import collections
import dataclasses

import numpy as onp
import pytest

import wengert
import wengert.numpy as np
from wengert.check import numerical_grad


def test_grad_unmodified_numpy_code():
    x = onp.linspace(-1.0, 1.0, 7)
    g = wengert.grad(lambda x: onp.sum(onp.tanh(x) ** 2))(x)
    t = onp.tanh(x)
    onp.testing.assert_allclose(g, 2 * t * (1 - t**2), rtol=1e-14)


def test_array_methods_on_tracers():
    a = onp.arange(6.0).reshape(2, 3) / 7
    f = lambda x: (x.T.dot(x).sum(axis=0) * x.reshape(3, 2).sum()).sum()
    g = wengert.grad(f)(a)
    onp.testing.assert_allclose(g, numerical_grad(f, a), rtol=1e-7)


@pytest.mark.parametrize("argnums", [0, 1, (0,), (1, 0), (0, 1)])
def test_argnums(argnums):
    f = lambda x, y: np.sum(np.sin(x) * y**2)
    x, y = onp.array([0.2, 0.4]), onp.array([1.5, -0.5])
    ref = {0: onp.cos(x) * y**2, 1: 2 * y * onp.sin(x)}
    g = wengert.grad(f, argnums)(x, y)
    if isinstance(argnums, int):
        onp.testing.assert_allclose(g, ref[argnums], rtol=1e-14)
    else:
        assert isinstance(g, tuple) and len(g) == len(argnums)
        for gi, i in zip(g, argnums):
            onp.testing.assert_allclose(gi, ref[i], rtol=1e-14)


def test_value_and_grad_has_aux():
    f = lambda x: (np.sum(x**2), {"norm": np.sqrt(np.sum(x**2))})
    x = onp.array([3.0, 4.0])
    (value, aux), g = wengert.value_and_grad(f, has_aux=True)(x)
    assert value == 25.0 and aux["norm"] == 5.0
    assert not isinstance(aux["norm"], wengert.core.Tracer)
    onp.testing.assert_allclose(g, 2 * x)
    g2, aux2 = wengert.grad(f, has_aux=True)(x)
    onp.testing.assert_allclose(g2, 2 * x)
    assert aux2["norm"] == 5.0


Point = collections.namedtuple("Point", "a b")


@dataclasses.dataclass
class Params:
    w: onp.ndarray
    b: float


def test_pytree_arguments_and_gradients():
    params = {
        "layers": [(onp.array([1.0, 2.0]), onp.array(0.5))],
        "point": Point(onp.array(3.0), onp.array([1.0, -1.0])),
        "dc": Params(onp.array([0.1, 0.2]), 2.0),
        "nothing": None,
    }

    def f(p):
        (w, c), = p["layers"]
        return (np.sum(w**2) * c + p["point"].a * np.sum(p["point"].b ** 3)
                + np.sum(p["dc"].w) * p["dc"].b)

    g = wengert.grad(f)(params)
    assert g["nothing"] is None
    onp.testing.assert_allclose(g["layers"][0][0], 2 * onp.array([1.0, 2.0]) * 0.5)
    onp.testing.assert_allclose(g["layers"][0][1], 5.0)
    assert isinstance(g["point"], Point)
    onp.testing.assert_allclose(g["point"].a, 0.0)
    onp.testing.assert_allclose(g["point"].b, 3 * 3.0 * onp.array([1.0, 1.0]))
    assert isinstance(g["dc"], Params)
    onp.testing.assert_allclose(g["dc"].w, [2.0, 2.0])
    onp.testing.assert_allclose(g["dc"].b, 0.30000000000000004)


def test_vjp_multiple_outputs_and_repeated_calls():
    f = lambda x, y: (x * y, {"s": np.sin(x)})
    x, y = onp.array([0.3, 0.6]), onp.array([2.0, -1.0])
    out, pullback = wengert.vjp(f, x, y)
    onp.testing.assert_allclose(out[0], x * y)
    for scale in (1.0, 2.0):
        gx, gy = pullback((scale * onp.ones(2), {"s": onp.array([1.0, 0.0])}))
        onp.testing.assert_allclose(gx, scale * y + onp.array([onp.cos(0.3), 0.0]))
        onp.testing.assert_allclose(gy, scale * x)


def test_unused_input_gets_zero_gradient_of_its_dtype():
    g = wengert.grad(lambda x, y: np.sum(x), argnums=1)(onp.ones(2), onp.ones(3, onp.float32))
    assert g.dtype == onp.float32 and not g.any() and g.shape == (3,)


def test_float32_gradient_stays_float32():
    x = onp.linspace(0.1, 1, 4).astype(onp.float32)
    g = wengert.grad(lambda x: np.sum(np.exp(x) * 2.0))(x)
    assert g.dtype == onp.float32
    onp.testing.assert_allclose(g, 2 * onp.exp(x), rtol=1e-6)


def test_stop_gradient():
    f = lambda x: x * wengert.stop_gradient(x)
    assert wengert.grad(f)(3.0) == 3.0
    assert wengert.grad(wengert.grad(f))(3.0) == 0.0


def test_custom_vjp_is_used_and_differentiates_again():
    calls = []

    @wengert.custom_vjp
    def clipped_identity(x):
        return x

    def fwd(x):
        return x, None

    def bwd(_, g):
        calls.append(1)
        return (np.clip(g, -1.0, 1.0),)

    clipped_identity.defvjp(fwd, bwd)
    g = wengert.grad(lambda x: np.sum(clipped_identity(x) * 5.0))(onp.ones(3))
    onp.testing.assert_allclose(g, onp.ones(3))
    assert calls
    # Forward mode differentiates the body.
    assert wengert.jvp(clipped_identity, (2.0,), (3.0,))[1] == 3.0


def test_custom_jvp_in_both_modes():
    @wengert.custom_jvp
    def log1pexp(x):
        return np.log1p(np.exp(x))

    @log1pexp.defjvp
    def _(primals, tangents):
        (x,), (t,) = primals, tangents
        return log1pexp(x), t / (1.0 + np.exp(-x))

    x = onp.array([-800.0, 0.0, 800.0])  # the naive derivative is NaN at +800
    with onp.errstate(over="ignore"):
        g = wengert.grad(lambda x: np.sum(log1pexp(x)))(x)
        t = wengert.jvp(log1pexp, (x,), (onp.ones(3),))[1]
    onp.testing.assert_allclose(g, [0.0, 0.5, 1.0])
    onp.testing.assert_allclose(t, [0.0, 0.5, 1.0])
    h = wengert.hvp(lambda x: np.sum(log1pexp(x)), (onp.zeros(1),), (onp.ones(1),))
    onp.testing.assert_allclose(h, [0.25])


def test_make_trace_prints_one_equation_per_line_and_verifies():
    traced = wengert.make_trace(lambda a, b: np.cos(np.sin(a * b)))(1.0, 2.0)
    lines = str(traced).splitlines()
    assert lines[0] == "{ x0:f64[], x1:f64[] ->"
    assert lines[1:4] == ["  v1:f64[] = multiply x0 x1", "  v2:f64[] = sin v1",
                          "  v3:f64[] = cos v2"]
    assert lines[-1] == "  return v3 }"
    traced.verify()
    assert len(traced) == 3


def test_make_trace_verify_catches_a_broken_list():
    traced = wengert.make_trace(lambda a: np.sin(a) + a)(onp.ones(3))
    eqs = traced.wengert_list.equations
    eqs[0], eqs[1] = eqs[1], eqs[0]
    with pytest.raises(ValueError, match="before it is defined"):
        traced.verify()


def test_sort_method_sorts_in_place_like_numpy():
    def f(x):
        y = x * 1.0
        assert y.sort() is None
        return np.sum(y * onp.arange(3.0))

    x = onp.array([3.0, 1.0, 2.0])
    onp.testing.assert_allclose(wengert.grad(f)(x), [2.0, 0.0, 1.0])


def test_make_trace_of_code_that_fills_an_array():
    def f(x):
        out = onp.zeros_like(x)
        out[0] = x[1] * 2.0
        out[1] = onp.sin(x[0])
        return out

    traced = wengert.make_trace(f)(onp.array([0.5, 1.5]))
    traced.verify()
    text = str(traced)
    assert "index_update" in text and "c0:f64[2] = constant" in text


def test_gradients_are_writeable_arrays_even_from_a_broadcast_cotangent():
    x = onp.linspace(-1.0, 1.0, 5)
    for f, want in [(lambda x: np.sum(x), onp.ones(5)),
                    (lambda x: np.mean(x), onp.full(5, 0.2))]:
        g = wengert.grad(f)(x)
        assert g.flags.writeable and g.flags.c_contiguous
        onp.testing.assert_allclose(g, want, rtol=1e-15)
        g += 1.0  # the user owns it
