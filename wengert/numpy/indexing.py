"""Indexing: ``x[index]`` and the functional update behind ``x[index] = v``.

``getitem``'s VJP scatters the cotangent into zeros with ``numpy.add.at``, so repeated
integer indices accumulate, as the chain rule requires. ``x[index] = v`` on a traced
array records ``index_update``: the result equals ``x`` with ``v`` written at ``index``;
its derivative is zero at ``index`` in ``x`` and the (summed back) cotangent there in ``v``.
With repeated indices the last write wins in NumPy, and the derivative in ``v`` follows
NumPy's choice for the value but is summed over the repeats (documented limit).
"""

from __future__ import annotations

import numpy as onp

from ..core import Primitive, defjvp, defvjp, dtype_of, mark_view, shape_of, sum_to_shape_p
from ._registry import register, strip


def normalise_index(index):
    """A hashable, plain index: tracers in it are rejected, lists become arrays."""
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    for part in index:
        part = strip(part) if not isinstance(part, (slice, type(None), type(Ellipsis))) else part
        if isinstance(part, list):
            part = onp.asarray(part)
        out.append(part)
    return tuple(out)


def is_basic(index: tuple) -> bool:
    """True when NumPy returns a view for this index (no arrays in it)."""
    return all(
        isinstance(p, (slice, int, onp.integer, type(None), type(Ellipsis))) for p in index
    )


def _getitem_impl(x, index):
    return x[index]


def _scatter_add_impl(g, index, shape):
    out = onp.zeros(shape, dtype=onp.result_type(g))
    onp.add.at(out, index, g)
    return out


getitem_p = Primitive("getitem", _getitem_impl)
scatter_add_p = Primitive("scatter_add", _scatter_add_impl)

defvjp(
    getitem_p,
    lambda g, ans, x, index: scatter_add_p(g, index=index, shape=shape_of(x)),
    reads=((),),
)
defjvp(getitem_p, lambda t, ans, x, index: getitem_p(t, index=index))

# scatter_add is linear in g; its transpose is getitem.
defvjp(scatter_add_p, lambda g, ans, c, index, shape: getitem_p(g, index=index), reads=((),))
defjvp(scatter_add_p, lambda t, ans, c, index, shape: scatter_add_p(t, index=index, shape=shape))


def getitem(x, index):
    """``x[index]`` with slices, integers, integer and boolean arrays, None, Ellipsis."""
    index = normalise_index(index)
    out = getitem_p(x, index=index)
    if is_basic(index):
        mark_view(out, x)
    return out


register("getitem", getitem, "primitive", None)


def _index_update_impl(x, v, index):
    out = onp.array(x, copy=True, dtype=onp.result_type(x, v))
    out[index] = v
    return out


index_update_p = Primitive("index_update", _index_update_impl)


def _zero_at(g, index):
    return index_update_p(g, onp.zeros((), dtype=dtype_of(g)), index=index)


def _v_cotangent(g, ans, x, v, index):
    return sum_to_shape_p(getitem_p(g, index=index), shape=shape_of(v))


def _v_tangent(t, ans, x, v, index):
    zeros = onp.zeros(shape_of(ans), dtype_of(ans))
    return index_update_p(zeros, t, index=index)


defvjp(
    index_update_p,
    lambda g, ans, x, v, index: _zero_at(g, index),
    _v_cotangent,
    reads=((), ()),
)
defjvp(index_update_p, lambda t, ans, x, v, index: _zero_at(t, index), _v_tangent)


def index_update(x, index, value):
    """The array ``x`` with ``value`` written at ``index`` (a new array; ``x`` is
    unchanged). This is what ``x[index] = value`` on a traced ``x`` records."""
    return index_update_p(x, value, index=normalise_index(index))


register("index_update", index_update, "primitive", None)
