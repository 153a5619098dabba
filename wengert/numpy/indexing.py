"""Indexing: ``x[index]``, the functional update behind ``x[index] = v``, ``take``,
``take_along_axis`` and ``sort``.

Every index NumPy accepts works: slices, integers (negative too), integer and boolean
arrays, ``None``, ``Ellipsis``, and mixtures of them (basic and advanced indexing).

* ``getitem``: the VJP scatters the cotangent into zeros (``scatter_add``), and repeated
  indices accumulate, as the chain rule requires. It is a plain write where no entry can
  be selected twice (basic indices, boolean masks, a sort's permutation); with one
  integer array (``take``, ``pad``, ``x[[0, 2, 2]]``), a write of the first occurrence of
  each index value plus ``numpy.add.at`` of the repeats; with several integer arrays, a
  ``bincount`` over flat positions. The JVP indexes the tangent. ``scatter_add`` is
  linear; its VJP is ``getitem``. Both cost O(size of x + size of the result).
* ``index_update(x, index, v)`` is ``x`` with ``v`` written at ``index`` (a new array);
  ``x[index] = v`` on a traced ``x`` records it. The derivative in ``x`` is the
  cotangent/tangent with zeros written at ``index``; in ``v`` it is the cotangent read at
  ``index`` and summed back over ``v``'s broadcasting. Where an integer index writes the
  same entry more than once, NumPy keeps the last write, and so does the derivative:
  the earlier writes get zero cotangent. The JVP is one ``index_update`` of the tangents.
  ``x`` keeps its dtype, as NumPy's assignment does (a float32 array stays float32).
* ``take`` and ``take_along_axis`` are ``getitem`` with an integer array index; ``sort``
  is ``take_along_axis`` with the (constant) sorting permutation, so the derivative
  follows the permutation.
"""

from __future__ import annotations

import numpy as onp

from ..core import (
    Negated,
    Primitive,
    Scattered,
    Tracer,
    bind,
    defjvp,
    defvjp,
    dtype_of,
    mark_view,
    primal,
    shape_of,
    sum_to_shape_p,
)
from ._registry import register, strip

_BASIC = (slice, int, onp.integer, type(None), type(Ellipsis))


def _plain_bound(b):
    b = strip(b)
    return int(b) if isinstance(b, (onp.integer, onp.ndarray)) else b


def _plain_part(part):
    if part is None or part is Ellipsis:
        return part
    if isinstance(part, slice):
        return slice(_plain_bound(part.start), _plain_bound(part.stop), _plain_bound(part.step))
    if isinstance(part, (bool, onp.bool_)):
        return bool(part)
    if isinstance(part, (int, onp.integer)):
        return int(part)
    part = strip(part)
    if isinstance(part, (list, tuple)):
        part = onp.asarray(strip(list(part)))
    if isinstance(part, onp.ndarray):
        if part.size == 0 and part.dtype.kind not in "biu":
            part = part.astype(onp.intp)  # x[[]]: an empty integer index, as in NumPy
        else:
            part = part.copy()  # the recorded index must not change under the tape
    return part


def normalise_index(index):
    """A plain index tuple: tracers in it are replaced by their values, lists and nested
    sequences become arrays, arrays are copied (the tape keeps the index)."""
    if not isinstance(index, tuple):
        index = (index,)
    return tuple(_plain_part(p) for p in index)


def is_basic(index: tuple) -> bool:
    """True when NumPy returns a view for this index (no arrays, no booleans in it)."""
    return all(isinstance(p, _BASIC) and not isinstance(p, bool) for p in index)


def _may_repeat(index: tuple) -> bool:
    """Whether an entry can be selected more than once: an integer array of size > 1."""
    return any(
        isinstance(p, onp.ndarray) and p.dtype.kind in "iu" and p.size > 1 for p in index
    )


# -- getitem and its transpose -----------------------------------------------------------


def _getitem_impl(x, index, unique=False):
    return x[index]


def _flat_positions(index: tuple, shape: tuple) -> onp.ndarray:
    """The flat (C-order) position in ``x`` of every entry of ``x[index]``: the index
    applied to each axis's coordinates (broadcast views, so nothing of ``x``'s size is
    allocated), weighted by the axis strides."""
    flat = None
    stride = 1
    for d in range(len(shape) - 1, -1, -1):
        along = [1] * len(shape)
        along[d] = shape[d]
        coords = onp.broadcast_to(onp.arange(shape[d], dtype=onp.intp).reshape(along), shape)
        part = coords[index] * stride if stride != 1 else coords[index]
        flat = part if flat is None else flat + part
        stride *= shape[d]
    return flat


def _only_array(index: tuple, ndim: int):
    """For an index whose only advanced part is one integer array of at least one
    dimension: (its position in ``index``, the axis of ``x`` it indexes, the first axis
    of ``x[index]`` its dimensions occupy); else None."""
    arrays = [k for k, p in enumerate(index) if isinstance(p, onp.ndarray)]
    if len(arrays) != 1 or any(type(p) in (int, bool) for p in index):
        return None
    k = arrays[0]
    if index[k].dtype.kind not in "iu" or index[k].ndim == 0:
        return None
    ellipsis = ndim - sum(1 for p in index if p is not None and p is not Ellipsis)
    x_axis = out_axis = 0
    for p in index[:k]:
        out_axis += ellipsis if p is Ellipsis else 1
        x_axis += ellipsis if p is Ellipsis else (0 if p is None else 1)
    return k, x_axis, out_axis


def _scatter_add_impl(g, index, shape, unique=False):
    dtype = onp.result_type(g)
    out = onp.zeros(shape, dtype=dtype)
    if unique or not _may_repeat(index):
        out[index] = g  # every entry is selected at most once
        return out
    single = _only_array(index, len(shape))
    if single is not None:
        # One integer array (take, pad, x[[0, 2, 2]]): assign the first occurrence of
        # each index value (a plain write), then add the repeats (usually few).
        k, x_axis, out_axis = single
        arr = index[k]
        values = arr.ravel() % shape[x_axis] if shape[x_axis] else arr.ravel()
        _, first = onp.unique(values, return_index=True)
        if first.size == values.size:
            out[index] = g
            return out
        g = onp.reshape(g, g.shape[:out_axis] + (values.size,) + g.shape[out_axis + arr.ndim:])
        repeats = onp.ones(values.size, dtype=bool)
        repeats[first] = False
        repeats = onp.flatnonzero(repeats)
        lead = (slice(None),) * out_axis
        out[index[:k] + (values[first],) + index[k + 1:]] = g[lead + (first,)]
        onp.add.at(out, index[:k] + (values[repeats],) + index[k + 1:], g[lead + (repeats,)])
        return out
    if dtype.kind not in "fc" or not shape:
        onp.add.at(out, index, g)
        return out
    # Several index arrays that may repeat an entry: bincount over the flat positions
    # does what numpy.add.at does, two to three times faster (it sums in float64).
    positions = _flat_positions(index, shape)
    flat = positions.ravel()
    g = onp.broadcast_to(g, positions.shape).ravel()
    size = out.size
    if dtype.kind == "c":
        total = onp.bincount(flat, g.real, minlength=size) + 1j * onp.bincount(
            flat, g.imag, minlength=size)
    else:
        total = onp.bincount(flat, g, minlength=size)
    return total.astype(dtype, copy=False).reshape(shape)


getitem_p = Primitive("getitem", _getitem_impl)
scatter_add_p = Primitive("scatter_add", _scatter_add_impl)

# ``unique=True`` (a parameter of both): the index selects no entry twice (a sort's
# permutation), so the scatter is a plain write.
def _scatter_add_into(buffer, g, index, unique, negate: bool = False) -> bool:
    """Add ``g`` (``-g`` with ``negate``) at ``index`` into ``buffer`` in place (the
    sweep's own buffer)."""
    if buffer.dtype != onp.result_type(g):
        return False
    if unique or not _may_repeat(index):
        if negate:
            buffer[index] -= g
        else:
            buffer[index] += g
    else:
        (onp.subtract if negate else onp.add).at(buffer, index, g)
    return True


def _scatter_negated(v, index, shape, unique):
    """A fresh array, ``-v`` scattered at ``index`` (zero elsewhere)."""
    if unique or not _may_repeat(index):
        out = onp.zeros(shape, dtype=onp.result_type(v))
        _scatter_add_into(out, v, index, unique, negate=True)
        return out
    out = _scatter_add_impl(v, index, shape, unique)
    return onp.negative(out, out=out)


def _getitem_vjp(g, ans, x, index, unique=False):
    shape = shape_of(x)
    if isinstance(g, Tracer):  # under an outer transformation: record the scatter
        return scatter_add_p(g, index=index, shape=shape, unique=unique)
    if type(g) is Negated:  # scatter -v: subtracted where it lands, never written out
        v = g.value
        return Scattered(
            lambda: _scatter_negated(v, index, shape, unique),
            lambda buffer: _scatter_add_into(buffer, v, index, unique, negate=True),
        )
    # First order: a lazy cotangent the sweep adds in place (core.accumulate).
    return Scattered(
        lambda: _scatter_add_impl(g, index, shape, unique),
        lambda buffer: _scatter_add_into(buffer, g, index, unique),
    )


defvjp(getitem_p, _getitem_vjp, reads=((),))
getitem_p.absorbs_negation = True
defjvp(getitem_p, lambda t, ans, x, index, unique=False: getitem_p(t, index=index, unique=unique))

# scatter_add is linear in g; its transpose is getitem.
defvjp(
    scatter_add_p,
    lambda g, ans, c, index, shape, unique=False: getitem_p(g, index=index, unique=unique),
    reads=((),),
)
defjvp(
    scatter_add_p,
    lambda t, ans, c, index, shape, unique=False: scatter_add_p(
        t, index=index, shape=shape, unique=unique
    ),
)


def getitem(x, index):
    """``x[index]`` with slices, integers, integer and boolean arrays, None, Ellipsis."""
    index = normalise_index(index)
    out = getitem_p(x, index=index)
    if is_basic(index):
        mark_view(out, x)
    return out


register("getitem", getitem, "primitive", None)


# -- index_update (x[index] = v) ----------------------------------------------------------


def _update_dtype(x, v):
    """NumPy's assignment keeps x's dtype; wengert does too unless v is of a wider kind
    (complex into real, float into integer), where it promotes instead of dropping."""
    xd = onp.result_type(x)
    both = onp.result_type(x, v)
    if onp.issubdtype(xd, onp.inexact) and both.kind == xd.kind:
        return xd
    return both


def _index_update_impl(x, v, index):
    out = onp.array(x, copy=True, dtype=_update_dtype(x, v))
    out[index] = v
    return out


index_update_p = Primitive("index_update", _index_update_impl)


def _zero_at(g, index):
    return index_update_p(g, onp.zeros((), dtype=dtype_of(g)), index=index)


def _kept_writes(index, shape):
    """Boolean array shaped like ``x[index]``: False where NumPy overwrote that write
    with a later one to the same entry (repeated integer indices); None if none was."""
    if not _may_repeat(index):
        return None
    owner = onp.full(shape, -1, dtype=onp.intp)
    selected = owner[index].shape
    ids = onp.arange(int(onp.prod(selected, dtype=onp.int64)), dtype=onp.intp).reshape(selected)
    owner[index] = ids
    kept = owner[index] == ids
    return None if kept.all() else kept


def _sum_to(c, shape):
    """Sum ``c`` (shaped like ``x[index]``) back to the shape of the assigned value."""
    c_shape = shape_of(c)
    if len(shape) > len(c_shape):  # v had extra leading axes of length 1
        from .shapes import reshape

        c = reshape(c, (1,) * (len(shape) - len(c_shape)) + tuple(c_shape))
    return sum_to_shape_p(c, shape=tuple(shape)) if shape_of(c) != tuple(shape) else c


def _cast_like(c, like):
    want, have = dtype_of(like), dtype_of(primal(c))
    if want == have or want.kind != have.kind:
        return c
    from .dtypes import astype

    return astype(c, want)


def _v_cotangent(g, ans, x, v, index):
    c = getitem_p(g, index=index)
    kept = _kept_writes(index, shape_of(g))
    if kept is not None:
        from .elementwise import where_p

        c = where_p(kept, c, onp.zeros((), dtype=dtype_of(primal(c))))
    return _cast_like(_sum_to(c, shape_of(v)), v)


def _v_tangent(t, ans, x, v, index):
    zeros = onp.zeros(shape_of(ans), dtype_of(ans))
    return index_update_p(zeros, t, index=index)


def _index_update_jvp_full(primals, tangents, params):
    """Both tangents in one update: ``t_x`` with ``t_v`` written at ``index``. The
    tangent is never ``None``, even when both are zero, so that a traced constant
    (``np.zeros_like(x)``) stays traced after an assignment of a constant into it."""
    x, v = primals
    tx, tv = tangents
    ans = bind(index_update_p, x, v, **params)
    dtype = dtype_of(primal(ans))
    if tx is None and tv is None:
        return ans, onp.zeros(shape_of(ans), dtype=dtype)
    if tx is None:
        tx = onp.zeros(shape_of(ans), dtype=dtype)
    if tv is None:
        tv = onp.zeros((), dtype=dtype)
    return ans, index_update_p(tx, tv, **params)


defvjp(
    index_update_p,
    lambda g, ans, x, v, index: _zero_at(g, index),
    _v_cotangent,
    reads=((), ()),
)
defjvp(index_update_p, lambda t, ans, x, v, index: _zero_at(t, index), _v_tangent)
index_update_p.jvp_full = _index_update_jvp_full


def _contains_tracer(value) -> bool:
    if isinstance(value, Tracer):
        return True
    if isinstance(value, (list, tuple)):
        return any(_contains_tracer(v) for v in value)
    return False


def _as_value(value):
    """A list or tuple holding traced values becomes one traced array (``stack``)."""
    if isinstance(value, (list, tuple)) and _contains_tracer(value):
        from .joining import stack

        return stack([_as_value(v) for v in value])
    return value


def index_update(x, index, value):
    """The array ``x`` with ``value`` written at ``index`` (a new array; ``x`` is
    unchanged). This is what ``x[index] = value`` on a traced ``x`` records."""
    return index_update_p(x, _as_value(value), index=normalise_index(index))


register("index_update", index_update, "primitive", None)


# -- take, take_along_axis, sort -------------------------------------------------------------


def _norm_axis(axis, ndim: int, name: str) -> int:
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise onp.exceptions.AxisError(axis, ndim, f"wengert.numpy.{name}")
    return axis % ndim


def _int_indices(indices, name: str) -> onp.ndarray:
    idx = onp.asarray(strip(indices))
    if idx.size == 0 and idx.dtype.kind not in "iu":
        idx = idx.astype(onp.intp)
    if idx.dtype.kind not in "iu":
        raise IndexError(f"wengert.numpy.{name}: indices must be integers, got {idx.dtype}")
    return idx


def take(a, indices, axis=None, out=None, mode="raise"):
    """``numpy.take``: ``a[..., indices, ...]`` with the integer array at ``axis`` (the
    flattened array for ``axis=None``); a ``getitem``, so the VJP scatter-adds (repeated
    indices accumulate). ``mode`` 'raise', 'wrap' or 'clip'."""
    if out is not None:
        raise TypeError("wengert.numpy.take: out= is not supported")
    idx = _int_indices(indices, "take")
    if axis is None:
        from .shapes import ravel

        a = ravel(a)
        axis = 0
    ndim = len(shape_of(a))
    axis = _norm_axis(axis, ndim, "take")
    n = shape_of(a)[axis]
    if mode == "wrap":
        idx = onp.mod(idx, n) if n else idx
    elif mode == "clip":
        idx = onp.clip(idx, 0, n - 1)
    elif mode != "raise":
        raise ValueError(
            f"wengert.numpy.take: mode must be 'raise', 'wrap' or 'clip', not {mode!r}"
        )
    else:
        if idx.size and (idx.max() >= n or idx.min() < -n):
            raise IndexError(
                f"wengert.numpy.take: index {int(idx.max()) if idx.max() >= n else int(idx.min())} "
                f"is out of bounds for axis {axis} with size {n}"
            )
    return getitem_p(a, index=(slice(None),) * axis + (idx,))


register("take", take, "composite")


def _along_axis_index(shape: tuple, idx: onp.ndarray, axis: int) -> tuple:
    """The advanced index that picks ``idx`` along ``axis`` and keeps every other axis
    (as NumPy's own ``take_along_axis`` builds it)."""
    ndim = len(shape)
    if idx.ndim != ndim:
        raise ValueError(
            "wengert.numpy.take_along_axis: `indices` and `arr` must have the same number "
            "of dimensions"
        )
    parts = []
    for d, n in enumerate(shape):
        if d == axis:
            parts.append(idx)
        else:
            along = [1] * ndim
            along[d] = n
            parts.append(onp.arange(n).reshape(along))
    return tuple(parts)


def take_along_axis(arr, indices, axis=-1):
    """``numpy.take_along_axis``: a ``getitem`` with broadcast integer arrays; the VJP
    scatter-adds the cotangent back (repeated indices accumulate)."""
    idx = _int_indices(indices, "take_along_axis")
    if axis is None:
        if idx.ndim != 1:
            raise ValueError(
                "wengert.numpy.take_along_axis: when axis=None, `indices` must have a "
                "single dimension."
            )
        from .shapes import ravel

        arr = ravel(arr)
        axis = 0
    shape = shape_of(arr)
    axis = _norm_axis(axis, len(shape), "take_along_axis")
    return getitem_p(arr, index=_along_axis_index(shape, idx, axis))


register("take_along_axis", take_along_axis, "composite")


def sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """``numpy.sort``: ``take_along_axis`` with the sorting permutation (``argsort`` of
    the values, a constant), so the derivative of each output follows the entry that
    lands there. At ties the permutation is NumPy's (stable for kind='stable')."""
    if order is not None:
        raise NotImplementedError("wengert.numpy.sort: order= (structured arrays) is not supported")
    if not isinstance(a, Tracer):
        return onp.sort(a, axis=axis, kind=kind, stable=stable)
    if axis is None:
        from .shapes import ravel

        a = ravel(a)
        axis = -1
    perm = onp.argsort(primal(a), axis=axis, kind=kind, stable=stable)
    shape = shape_of(a)
    axis = _norm_axis(axis, len(shape), "sort")
    return getitem_p(a, index=_along_axis_index(shape, perm, axis), unique=True)


register("sort", sort, "composite")
