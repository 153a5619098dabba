"""Rows for ``indexing.py``: ``getitem`` with every kind of index, ``index_update`` (what
``x[index] = v`` records), ``take``, ``take_along_axis`` and ``sort``.

Integer index arrays are fixed in the lambdas; several repeat an entry, so the scatter in
the VJP must accumulate. The ``index_update`` rows with a repeated index check that only
the write NumPy keeps (the last) gets the derivative.
"""

from __future__ import annotations

import numpy as onp

import wengert.numpy as wnp

from .row import Row

MASK = onp.array([[True, False, True, False], [False, False, True, True],
                  [True, True, False, False]])


def getitem(index, shapes=((3, 4),), nonlinear=False):
    if nonlinear:
        return Row(entries=("getitem",), fn=lambda x: x[index] * x[index],
                   shapes=[(s,) for s in shapes], domains=("real",),
                   numpy_fn=lambda x: x[index] * x[index])
    return Row(entries=("getitem",), fn=lambda x: x[index],
               shapes=[(s,) for s in shapes], domains=("real",),
               numpy_fn=lambda x: x[index])


def _set(x, index, v):
    y = onp.array(x, copy=True)
    y[index] = v
    return y


def index_update(index, shapes, nonlinear=False):
    if nonlinear:
        def fn(x, v):
            return wnp.index_update(x * x, index, v * v)

        def numpy_fn(x, v):
            return _set(x * x, index, v * v)
    else:
        def fn(x, v):
            return wnp.index_update(x, index, v)

        def numpy_fn(x, v):
            return _set(x, index, v)

    return Row(entries=("index_update",), fn=fn, shapes=shapes, domains=("real", "real"),
               numpy_fn=numpy_fn)


def same(names, fn, shapes, domains=("real",), **kw):
    names = (names,) if isinstance(names, str) else tuple(names)
    return Row(entries=names, fn=fn(wnp), shapes=shapes, domains=domains,
               numpy_fn=fn(onp), **kw)


def _setitem_fill(x):
    out = wnp.zeros_like(x)
    for i in range(x.shape[0]):
        out[i] = wnp.sin(x[i]) * x[i - 1]
    return out


def _setitem_fill_ref(x):
    return onp.sin(x) * onp.roll(x, 1, axis=0)


ROWS = [
    # -- getitem: basic, advanced and mixed indices ------------------------------------------
    getitem(1, shapes=((4,), (3, 4))),
    getitem(-1, shapes=((4,), (3, 4))),
    getitem((1, -2)),
    getitem(slice(1, None), shapes=((4,), (3, 4))),
    getitem((slice(None, None, -1), slice(0, 4, 2)), nonlinear=True),
    getitem((Ellipsis, 1), shapes=((3, 4), (2, 3, 4))),
    getitem((None, 1, Ellipsis, None)),
    getitem([0, 2, 2, 0], shapes=((4,), (3, 4))),
    getitem(([0, 2, 2], [1, -1, 1]), nonlinear=True),
    getitem(([0, 2, 0, 0], [1, 3, 1, 1]), nonlinear=True),  # entry (0, 1) three times
    getitem((slice(1, None), [3, 0, 3])),
    getitem(([[0, 1], [2, 2]], slice(None, 2))),
    getitem(([0, 2], None, slice(1, 3))),
    getitem(([0, 2], Ellipsis, [1, 1])),
    getitem(MASK, nonlinear=True),
    getitem((MASK[:, 0], slice(1, 3))),
    getitem((Ellipsis, onp.array([True, False, False, True]))),
    getitem((), shapes=((), (3, 4))),
    # -- index_update: x[index] = v ----------------------------------------------------------
    index_update(1, [((4,), ()), ((3, 4), (4,)), ((3, 4), ())]),
    index_update((slice(None), -1), [((3, 4), (3,)), ((3, 4), ())], nonlinear=True),
    index_update((Ellipsis, slice(1, 3)), [((3, 4), (3, 1)), ((2, 3, 4), (2,))]),
    index_update((None, 1), [((3, 4), (4,))]),
    index_update([0, 2], [((3, 4), (2, 4)), ((3, 4), (4,))]),
    index_update(([0, 2, 1], [3, 3, 0]), [((3, 4), (3,))], nonlinear=True),
    index_update(([0, 0, 2], 1), [((3, 4), (3,)), ((3, 4), ())]),  # repeated: last wins
    index_update((slice(1, None), [0, 3]), [((3, 4), (2, 2))]),
    index_update(MASK, [((3, 4), (6,)), ((3, 4), ())]),
    index_update(MASK[:, 0], [((3, 4), (2, 4)), ((3, 4), (4,))]),
    index_update(slice(0, 2), [((3, 4), (1, 2, 4))]),  # v with an extra leading axis
    Row(entries=("index_update", "getitem"), fn=_setitem_fill, shapes=[((5,),), ((4, 3),)],
        domains=("real",), numpy_fn=_setitem_fill_ref),
    # -- take, take_along_axis, sort ---------------------------------------------------------
    same("take", lambda m: lambda x: m.take(x, [2, 0, 2]), [((4,),), ((3, 4),)]),
    same("take", lambda m: lambda x: m.take(x, [[1, -1], [0, 0]], axis=1), [((3, 4),)]),
    same("take", lambda m: lambda x: m.take(x, 1, axis=0) ** 2, [((3, 4),)]),
    same("take", lambda m: lambda x: m.take(x, [5, -7, 3], axis=-1, mode="wrap"),
         [((3, 4),)]),
    same("take", lambda m: lambda x: m.take(x, [5, -7, 3], axis=0, mode="clip"),
         [((3, 4),)]),
    same("take_along_axis",
         lambda m: lambda x: m.take_along_axis(x, onp.array([[0, 0], [3, 1], [2, -1]]), 1),
         [((3, 4),)]),
    same("take_along_axis",
         lambda m: lambda x: m.take_along_axis(x, onp.array([[0, 2, 1, 1]]), axis=0) * x,
         [((3, 4),)]),
    same("take_along_axis",
         lambda m: lambda x: m.take_along_axis(x, onp.array([11, 0, 0]), axis=None),
         [((3, 4),)]),
    same("sort", lambda m: lambda x: m.sort(x), [((4,),), ((3, 4),)], domains=("distinct",)),
    same("sort", lambda m: lambda x: m.sort(x, axis=0) ** 2, [((3, 4),)],
         domains=("distinct",)),
    same("sort", lambda m: lambda x: m.sort(x, axis=None), [((3, 4),)],
         domains=("distinct",)),
]
