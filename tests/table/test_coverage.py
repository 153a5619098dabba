"""Coverage of the NumPy namespace table.

* every ``primitive`` and ``composite`` entry of ``wengert.numpy.TABLE`` has a row in some
  ``rows_*.py`` module (so ``test_table.py`` checks its derivatives);
* every ``nondiff`` entry, called on traced values, returns plain (untraced) values;
* every ``passthrough`` entry refuses traced values, except the ``*_like`` functions,
  which return traced constants;
* a NumPy function with no entry, called on a traced value, raises
  ``UnsupportedFunctionError`` naming it.
"""

from __future__ import annotations

import numpy as onp
import pytest

import wengert
import wengert.numpy as wnp
from wengert.core import Tracer
from wengert.errors import UnsupportedFunctionError
from wengert.tree import tree_leaves

from .test_table import BROKEN, load_rows

TABLE = wnp.TABLE


def _names(kind):
    return sorted(n for n, e in TABLE.items() if e.kind == kind)


# -- differentiable entries have rows -------------------------------------------------


def test_every_differentiable_entry_has_a_row():
    rows, broken = load_rows()
    covered = {name for _, row in rows for name in row.entries}
    missing = sorted(n for n, e in TABLE.items()
                     if e.kind in ("primitive", "composite") and n not in covered)
    note = f" (rows modules that failed to import: {sorted(broken)})" if broken else ""
    assert not missing, (
        f"{len(missing)} differentiable entries of wengert.numpy.TABLE have no row in "
        f"tests/table/rows_*.py{note}: {missing}")


def test_rows_name_real_entries():
    rows, _ = load_rows()
    unknown = sorted({name for _, row in rows for name in row.entries} - set(TABLE))
    assert not unknown, f"rows name entries that are not in wengert.numpy.TABLE: {unknown}"


def test_rows_modules_all_import():
    assert not BROKEN, f"rows modules failed to import: {sorted(BROKEN)}"


# -- nondiff entries ---------------------------------------------------------------------

X = onp.array([[0.3, -1.2, 2.5], [1.1, 0.0, -0.7]])
Y = onp.array([[0.3, 1.2, -2.5], [1.0, 0.5, -0.7]])
BINS = onp.array([-1.0, 0.0, 1.0])

# How to call the nondiff entries that do not take a single array; any other entry is
# called as f(x), or f(x, y) if that fails with TypeError.
NONDIFF_CALLS = {
    "searchsorted": lambda f, x, y: f(wnp.reshape(x, (-1,)), wnp.reshape(y, (-1,))),
    "digitize": lambda f, x, y: f(x, BINS),
    "isscalar": lambda f, x, y: f(x),
}


def _call_nondiff(name, x, y):
    f = TABLE[name].function
    if name in NONDIFF_CALLS:
        return NONDIFF_CALLS[name](f, x, y)
    try:
        return f(x)
    except TypeError:
        return f(x, y)


@pytest.mark.parametrize("name", _names("nondiff"))
def test_nondiff_returns_plain_values(name):
    seen = {}

    def fun(x, y):
        seen["out"] = _call_nondiff(name, x, y)
        return wnp.sum(x * y)

    g = wengert.grad(fun, argnums=(0, 1))(X, Y)
    onp.testing.assert_allclose(g[0], Y)
    out = seen["out"]
    traced = [type(v).__name__ for v in tree_leaves(out) if isinstance(v, Tracer)]
    assert not traced, f"wengert.numpy.{name} on traced values returned tracers: {traced}"
    # The same value as NumPy's on the plain arrays.
    plain = _call_nondiff(name, X, Y)
    for a, b in zip(tree_leaves(out), tree_leaves(plain)):
        onp.testing.assert_array_equal(onp.asarray(a), onp.asarray(b))


# -- passthrough entries ---------------------------------------------------------------

LIKE_ARGS = {"full_like": (2.5,)}


@pytest.mark.parametrize("name", _names("passthrough"))
def test_passthrough_refuses_tracers(name):
    f = TABLE[name].function
    if name.endswith("_like"):
        extra = LIKE_ARGS.get(name, ())

        def fun(x):
            out = f(x, *extra)
            assert isinstance(out, Tracer), f"{name} of a traced array should be traced"
            assert out.shape == x.shape and out.dtype == x.dtype
            expected = getattr(onp, name if name != "empty_like" else "zeros_like")(
                X, *extra)
            onp.testing.assert_array_equal(wengert.stop_gradient(out), expected)
            out[0] = x[0]  # assignments into it are recorded
            return wnp.sum(out * x)

        g = wengert.grad(fun)(X)
        expected_g = getattr(onp, name if name != "empty_like" else "zeros_like")(X, *extra)
        expected_g[0] = 2 * X[0]
        onp.testing.assert_allclose(g, expected_g)
        return

    def fun(x):
        with pytest.raises(UnsupportedFunctionError, match=name):
            f(x)
        return wnp.sum(x)

    wengert.grad(fun)(X)


# -- functions outside the table -------------------------------------------------------

_CANDIDATES = [
    ("numpy.unwrap", onp.unwrap),
    ("numpy.linalg.qr", onp.linalg.qr),
    ("numpy.ediff1d", onp.ediff1d),
    ("numpy.i0", onp.i0),
    ("numpy.spacing", onp.spacing),  # a ufunc
    ("numpy.heaviside", onp.heaviside),  # a binary ufunc
    ("numpy.polyval", onp.polyval),
]
_KNOWN = {id(e.numpy_function) for e in TABLE.values()}
OUTSIDE = [(label, fn) for label, fn in _CANDIDATES if id(fn) not in _KNOWN]


def test_some_functions_are_outside_the_table():
    assert OUTSIDE, "every candidate is in the table now; add new candidates"


@pytest.mark.parametrize("label, fn", OUTSIDE, ids=[label for label, _ in OUTSIDE])
def test_function_outside_the_table_raises(label, fn):
    name = label.rsplit(".", 1)[1]

    def fun(x):
        with pytest.raises(UnsupportedFunctionError) as info:
            if fn is onp.heaviside:
                fn(x, 0.5)
            elif fn is onp.polyval:
                fn(x[0], x[1])
            elif fn is onp.linalg.qr:
                fn(x[:, :2])
            else:
                fn(x)
        assert name in str(info.value), str(info.value)
        return wnp.sum(x)

    wengert.grad(fun)(X)
    # The same refusal in forward mode.
    wengert.jvp(fun, (X,), (onp.ones_like(X),))
