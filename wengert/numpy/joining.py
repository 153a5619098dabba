"""Joining and splitting: ``concatenate``, ``stack``, ``hstack``, ``vstack``, ``dstack``,
``split``, ``array_split``.

Two primitives carry everything, each the transpose of the other:

* ``concatenate(*arrays, axis)``, variadic in its arrays: the VJP splits the cotangent
  at the pieces' boundaries (views, O(size)); the JVP concatenates the tangents, with
  zeros for arguments that have none (one concatenation, O(size)). One primitive object
  exists per number of arrays, so that per-argument rules and ``reads`` (the rules read
  shapes only) stay exact; the whole-primitive hooks ``vjp_all`` and ``jvp_full`` do the
  work in one operation instead of one per argument.
* ``split(x, sizes, axis)``, with several results: the pieces of ``x`` that partition it
  along ``axis`` (views). Its VJP concatenates the pieces' cotangents (zeros where a piece
  has none), its JVP splits the tangent.

``stack``/``hstack``/``vstack``/``dstack`` add axes (reshape) and concatenate.
``array_split`` at indices that do not partition the axis in order (overlapping or
reversed pieces, as NumPy allows) falls back to one slice (``getitem``) per piece.
"""

from __future__ import annotations

import numpy as onp

from ..core import Primitive, Tracer, bind, defjvp, defvjp, dtype_of, mark_view, primal, shape_of
from ._registry import register

__all__ = ["array_split", "concatenate", "dstack", "hstack", "split", "stack", "vstack"]


def _norm_axis(axis, ndim: int, name: str) -> int:
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise onp.exceptions.AxisError(axis, ndim, f"wengert.numpy.{name}")
    return axis % ndim


def _cast(c, like):
    """A cotangent in the dtype of its argument (float32 pieces of a float64 result)."""
    want, have = dtype_of(like), dtype_of(primal(c))
    if want == have or want.kind != have.kind or not onp.issubdtype(want, onp.inexact):
        return c
    from .dtypes import astype

    return astype(c, want)


# -- split (several results) ---------------------------------------------------------------


def _split_impl(x, sizes, axis):
    bounds = onp.cumsum(sizes)[:-1]
    return tuple(onp.split(x, bounds, axis=axis))


split_p = Primitive("split", _split_impl, multiple_results=True)
defvjp(split_p, lambda g, ans, x, sizes, axis: concatenate_n(g, axis), reads=((),))
defjvp(split_p, lambda t, ans, x, sizes, axis: split_p(t, sizes=sizes, axis=axis))


# -- concatenate (variadic) --------------------------------------------------------------------


def _concatenate_impl(*arrays, axis):
    return onp.concatenate(arrays, axis=axis)


def _sizes(args, axis):
    return tuple(shape_of(a)[axis] for a in args)


def _concat_vjp_all(g, ans, saved, params, parents):
    axis = params["axis"]
    pieces = split_p(g, sizes=_sizes(saved, axis), axis=axis)
    return [_cast(c, s) if p >= 0 else None for c, s, p in zip(pieces, saved, parents, strict=True)]


def _piece_vjp(i):
    def rule(g, ans, *args, axis):
        from .indexing import getitem_p

        start = sum(_sizes(args[:i], axis))
        index = (slice(None),) * axis + (slice(start, start + shape_of(args[i])[axis]),)
        return _cast(getitem_p(g, index=index), args[i])

    return rule


def _piece_jvp(i):
    # Used by forward sweeps that go argument by argument (linearize).
    def rule(t, ans, *args, axis):
        parts = [_zeros_like(a, ans) for a in args]
        parts[i] = t
        return concatenate_n(parts, axis)

    return rule


def _zeros_like(a, ans):
    return onp.zeros(shape_of(a), dtype=dtype_of(primal(ans)))


def _concat_jvp_full(primals, tangents, params):
    n = len(primals)
    ans = bind(_concatenate_prim(n), *primals, **params)
    if all(t is None for t in tangents):
        return ans, None
    parts = [
        _zeros_like(p, ans) if t is None else t
        for p, t in zip(primals, tangents, strict=True)
    ]
    return ans, bind(_concatenate_prim(n), *parts, **params)


_CONCATENATE: dict[int, Primitive] = {}


def _concatenate_prim(n: int) -> Primitive:
    """The concatenate primitive of ``n`` arrays."""
    prim = _CONCATENATE.get(n)
    if prim is None:
        prim = Primitive("concatenate", _concatenate_impl)
        defvjp(prim, *[_piece_vjp(i) for i in range(n)], reads=((),) * n)
        defjvp(prim, *[_piece_jvp(i) for i in range(n)])
        prim.vjp_all = _concat_vjp_all
        prim.jvp_full = _concat_jvp_full
        _CONCATENATE[n] = prim
    return prim


def concatenate_n(arrays, axis: int):
    """Concatenate a sequence of arrays (traced or not) along a normalised ``axis``."""
    arrays = tuple(arrays)
    if len(arrays) == 1:
        from .dtypes import copy

        return copy(arrays[0])
    return _concatenate_prim(len(arrays))(*arrays, axis=axis)


def _as_arrays(arrays, name: str) -> list:
    if isinstance(arrays, Tracer) or isinstance(arrays, onp.ndarray):
        arrays = list(arrays)  # numpy iterates an array argument along its first axis
    arrays = [a if isinstance(a, Tracer) else onp.asarray(a) for a in arrays]
    if not arrays:
        raise ValueError(f"wengert.numpy.{name}: need at least one array to concatenate")
    return arrays


def _with_dtype(arrays, dtype):
    if dtype is None:
        return arrays
    from .dtypes import astype

    return [astype(a, dtype) for a in arrays]


def concatenate(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """``numpy.concatenate`` along ``axis`` (``None``: of the flattened arrays)."""
    if out is not None:
        raise TypeError("wengert.numpy.concatenate: out= is not supported")
    arrays = _with_dtype(_as_arrays(arrays, "concatenate"), dtype)
    if axis is None:
        from .shapes import ravel

        arrays = [ravel(a) for a in arrays]
        axis = 0
    ndim = len(shape_of(arrays[0]))
    if ndim == 0:
        raise ValueError(
            "wengert.numpy.concatenate: zero-dimensional arrays cannot be concatenated"
        )
    axis = _norm_axis(axis, ndim, "concatenate")
    first = shape_of(arrays[0])
    for a in arrays:
        s = shape_of(a)
        if len(s) != ndim or any(
            m != n for d, (m, n) in enumerate(zip(s, first, strict=True)) if d != axis
        ):
            raise ValueError(
                f"wengert.numpy.concatenate: all the input array dimensions except for the "
                f"concatenation axis must match exactly; got shapes "
                f"{[shape_of(b) for b in arrays]} along axis {axis}"
            )
    return concatenate_n(arrays, axis)


register("concatenate", concatenate, "primitive")


def stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """``numpy.stack``: a new axis on each array (reshape), then ``concatenate``."""
    if out is not None:
        raise TypeError("wengert.numpy.stack: out= is not supported")
    from .shapes import expand_dims

    arrays = _with_dtype(_as_arrays(arrays, "stack"), dtype)
    shapes = {tuple(shape_of(a)) for a in arrays}
    if len(shapes) != 1:
        raise ValueError("wengert.numpy.stack: all input arrays must have the same shape")
    axis = _norm_axis(axis, len(shapes.pop()) + 1, "stack")
    return concatenate_n([expand_dims(a, axis) for a in arrays], axis)


register("stack", stack, "composite")


def hstack(tup, *, dtype=None, casting="same_kind"):
    """``numpy.hstack``: along axis 1, or axis 0 for 1-d arrays."""
    from .shapes import atleast_1d

    arrays = [atleast_1d(a) for a in _as_arrays(tup, "hstack")]
    axis = 0 if len(shape_of(arrays[0])) == 1 else 1
    return concatenate(arrays, axis, dtype=dtype)


register("hstack", hstack, "composite")


def vstack(tup, *, dtype=None, casting="same_kind"):
    """``numpy.vstack``: ``atleast_2d`` of each, then along axis 0."""
    from .shapes import atleast_2d

    return concatenate([atleast_2d(a) for a in _as_arrays(tup, "vstack")], 0, dtype=dtype)


register("vstack", vstack, "composite")


def dstack(tup):
    """``numpy.dstack``: ``atleast_3d`` of each, then along axis 2."""
    from .shapes import atleast_3d

    return concatenate([atleast_3d(a) for a in _as_arrays(tup, "dstack")], 2)


register("dstack", dstack, "composite")


# -- split, array_split ------------------------------------------------------------------------


def _split(ary, indices_or_sections, axis, name, equal):
    shape = shape_of(ary)
    axis = _norm_axis(axis, len(shape), name)
    n = shape[axis]
    if isinstance(indices_or_sections, (int, onp.integer)) or (
        onp.ndim(indices_or_sections) == 0
    ):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError(f"wengert.numpy.{name}: number sections must be larger than 0.")
        if equal and n % sections:
            raise ValueError(
                f"wengert.numpy.{name}: array split does not result in an equal division"
            )
        each, extra = divmod(n, sections)
        sizes = (each + 1,) * extra + (each,) * (sections - extra)
    else:
        cuts = [0] + [int(i) for i in onp.asarray(indices_or_sections).ravel()] + [n]
        ranges = [slice(a, b).indices(n)[:2] for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
        ranges = [(a, max(a, b)) for a, b in ranges]
        partition = all(r[1] == s[0] for r, s in zip(ranges[:-1], ranges[1:], strict=True))
        if not partition or ranges[0][0] != 0 or ranges[-1][1] != n:
            from .indexing import getitem

            return [
                getitem(ary, (slice(None),) * axis + (slice(a, b),)) for a, b in ranges
            ]
        sizes = tuple(b - a for a, b in ranges)
    pieces = split_p(ary, sizes=sizes, axis=axis)
    for p in pieces:
        mark_view(p, ary)
    return list(pieces)


def split(ary, indices_or_sections, axis=0):
    """``numpy.split``: into equal sections or at indices; the pieces are views."""
    return _split(ary, indices_or_sections, axis, "split", equal=True)


register("split", split, "primitive")


def array_split(ary, indices_or_sections, axis=0):
    """``numpy.array_split``: like ``split``, sections may differ in length by one."""
    return _split(ary, indices_or_sections, axis, "array_split", equal=False)


register("array_split", array_split, "composite")
