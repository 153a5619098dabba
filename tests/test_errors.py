"""Every error names the function, the argument and what was expected."""

import numpy as onp
import pytest

import wengert
import wengert.numpy as np
from wengert import errors


def test_grad_of_non_scalar_output_points_to_jacrev():
    with pytest.raises(errors.NonScalarOutputError, match=r"grad\(<lambda>\).*shape \(3,\).*jacrev"):
        wengert.grad(lambda x: x * 2)(onp.ones(3))


def test_grad_of_tuple_output():
    with pytest.raises(errors.NonScalarOutputError, match="vjp"):
        wengert.grad(lambda x: (x, x))(1.0)


@pytest.mark.parametrize("bad, kind", [(3, "an integer"), (True, "a boolean"),
                                       (onp.arange(3), "dtype int64")])
def test_integer_and_boolean_inputs(bad, kind):
    with pytest.raises(errors.InputTypeError, match=f"argument 0 .*{kind}"):
        wengert.grad(lambda x: np.sum(x * 1.0))(bad)


def test_integer_leaf_in_pytree_names_its_path():
    with pytest.raises(errors.InputTypeError, match=r"argument 1\['b'\]"):
        wengert.grad(lambda x, p: x * p["a"], argnums=1)(1.0, {"a": 1.0, "b": 2})


def test_argnums_out_of_range():
    with pytest.raises(errors.ArgnumsError, match=r"argnums=2 .* 2 positional"):
        wengert.grad(lambda x, y: x * y, argnums=2)(1.0, 2.0)


def test_unsupported_numpy_function_names_it_and_points_to_custom_vjp():
    with pytest.raises(errors.UnsupportedFunctionError, match=r"numpy\.unwrap.*custom_vjp"):
        wengert.grad(lambda x: onp.sum(onp.unwrap(x)))(onp.ones(3))


def test_unsupported_ufunc_method():
    with pytest.raises(errors.UnsupportedFunctionError, match=r"numpy\.add\.accumulate"):
        wengert.grad(lambda x: onp.sum(onp.add.accumulate(x)))(onp.ones(3))


def test_no_silent_conversion_to_constant():
    with pytest.raises(errors.TracerConversionError, match="float"):
        wengert.grad(lambda x: float(x) * 2.0)(1.0)
    with pytest.raises(errors.TracerConversionError, match="asarray"):
        wengert.grad(lambda x: onp.asarray(x).sum())(onp.ones(2))


def test_writing_tracer_into_numpy_array_is_refused():
    def f_row(x):
        out = onp.zeros((2, 2))
        out[0] = x
        return out.sum()

    with pytest.raises(errors.TracerConversionError, match="zeros_like"):
        wengert.grad(f_row)(onp.ones(2))

    def f_element(x):
        out = onp.zeros(2)
        out[0] = x[0]
        return out.sum()

    # NumPy wraps the element conversion in its own ValueError; ours is the cause.
    with pytest.raises(ValueError) as info:
        wengert.grad(f_element)(onp.ones(2))
    assert isinstance(info.value.__cause__, errors.TracerConversionError)
    assert "zeros_like" in str(info.value.__cause__)


def test_primitive_without_rule_for_the_mode():
    from wengert.core import Primitive, defvjp

    only_reverse = Primitive("only_reverse", lambda x: x * 2.0)
    defvjp(only_reverse, lambda g, ans, x: g * 2.0)
    assert wengert.grad(only_reverse)(1.0) == 2.0
    with pytest.raises(errors.MissingRuleError, match=r"only_reverse: no forward-mode \(JVP\) rule for argument 0"):
        wengert.jvp(only_reverse, (1.0,), (1.0,))
    only_first = Primitive("only_first", lambda x, y: x * y)
    defvjp(only_first, lambda g, ans, x, y: g * y)
    with pytest.raises(errors.MissingRuleError, match=r"only_first: no reverse-mode \(VJP\) rule for argument 1"):
        wengert.grad(only_first, argnums=1)(1.0, 2.0)


def test_custom_vjp_wrong_shape_and_dtype():
    @wengert.custom_vjp
    def f(x):
        return x * 1.0

    f.defvjp(lambda x: (f(x), None), lambda res, g: (onp.ones(5),))
    with pytest.raises(errors.CustomRuleError, match=r"shape \(5,\).*expected \(3,\)"):
        wengert.grad(lambda x: np.sum(f(x)))(onp.ones(3))
    f.defvjp(lambda x: (f(x), None), lambda res, g: (onp.ones(3, complex),))
    with pytest.raises(errors.CustomRuleError, match="dtype complex128.*float64"):
        wengert.grad(lambda x: np.sum(f(x)))(onp.ones(3))
    f.defvjp(lambda x: (f(x), None), lambda res, g: onp.ones(3))
    with pytest.raises(errors.CustomRuleError, match="tuple"):
        wengert.grad(lambda x: np.sum(f(x)))(onp.ones(3))


def test_custom_vjp_without_rule():
    @wengert.custom_vjp
    def f(x):
        return x

    with pytest.raises(errors.MissingRuleError, match="defvjp"):
        wengert.grad(f)(1.0)


def test_mutating_a_saved_constant_raises_not_a_wrong_gradient():
    c = onp.array([1.0, 2.0, 3.0])

    def f(x):
        y = np.sum(np.sin(x * c))   # the sweep needs c
        c[0] = 100.0                # ... so this write must fail
        return y

    with pytest.raises(ValueError, match="read-only"):
        wengert.grad(f)(onp.ones(3))
    assert c.flags.writeable  # released afterwards
    c[0] = 1.0


def test_saved_view_protects_its_base():
    base = onp.arange(6.0)
    view = base[:3]

    def f(x):
        y = np.sum(x * view)
        base[0] = 7.0
        return y

    with pytest.raises(ValueError, match="read-only"):
        wengert.grad(f)(onp.ones(3))
    assert base.flags.writeable and view.flags.writeable


def test_constant_not_saved_stays_writeable_and_correct():
    c = onp.array([1.0, 2.0])

    def f(x):
        y = np.sum(x + c)  # add keeps no residuals
        c[0] = 5.0
        return y

    onp.testing.assert_allclose(wengert.grad(f)(onp.ones(2)), [1.0, 1.0])


def test_debug_nans_names_primitive_and_line(monkeypatch):
    monkeypatch.setattr(wengert.config, "debug_nans", True)

    def f(x):
        return np.sum(np.log(x - 2.0))  # log of a negative number: NaN here

    with onp.errstate(invalid="ignore"):
        with pytest.raises(errors.NaNError, match=r"log produced NaN .*test_errors\.py:\d+"):
            wengert.grad(f)(onp.ones(2))


def test_debug_nans_off_by_default():
    with onp.errstate(invalid="ignore"):
        g = wengert.grad(lambda x: np.sum(np.log(x - 2.0)))(onp.ones(2))
    assert g.shape == (2,)


def test_escaped_tracer():
    leaked = []

    def f(x):
        leaked.append(x)
        return x * 2.0

    wengert.grad(f)(1.0)
    with pytest.raises(errors.EscapedTracerError, match="escaped"):
        wengert.grad(lambda y: y * leaked[0])(1.0)


def test_setitem_with_live_view_refused():
    def f(x):
        y = x * 1.0
        row = y[0]
        y[0, 0] = 5.0
        return np.sum(row)

    with pytest.raises(errors.TracerConversionError, match="view"):
        wengert.grad(f)(onp.ones((2, 2)))


def test_zero_dim_constant_is_protected():
    c = onp.array(2.0)

    def f(x):
        y = np.sin(x * c)
        c[()] = 5.0
        return y

    with pytest.raises(ValueError, match="read-only"):
        wengert.grad(f)(1.0)
    assert c.flags.writeable


def test_input_array_is_protected_from_writes_through_a_closure():
    x0 = onp.array([1.0, 2.0])

    def f(x):
        y = np.sum(np.sin(x))
        x0[0] = 100.0
        return y

    with pytest.raises(ValueError, match="read-only"):
        wengert.grad(f)(x0)
    assert x0.flags.writeable and x0[0] == 1.0


def test_custom_vjp_residuals_are_protected():
    store = {}

    @wengert.custom_vjp
    def f(x):
        return np.sin(x)

    def fwd(x):
        res = onp.cos(wengert.stop_gradient(x))
        store["res"] = res
        return np.sin(x), res

    f.defvjp(fwd, lambda res, g: (g * res,))

    def loss(x):
        y = np.sum(f(x))
        store["res"][0] = 0.0
        return y

    with pytest.raises(ValueError, match="read-only"):
        wengert.grad(loss)(onp.ones(2))
