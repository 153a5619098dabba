"""Reductions with ``axis`` and ``keepdims``, cumulative sums and products.

Rules, for a group of entries reduced together (``expand`` broadcasts the cotangent back
over the reduced axes):

* ``sum``: VJP ``expand(g)``, JVP ``sum(t)``; ``mean``: VJP ``expand(g) / count``, JVP
  ``mean(t)``; ``var``, ``std``, ``nansum``, ``nanmean`` are written with ``sum`` (NaN
  entries through a ``where``: derivative 0).
* ``prod``: ``d/dx_j = prod_{k != j} x_k``, computed by a product tree without division
  (exact with zeros): VJP ``expand(g) * others``, JVP ``sum(t * others)``.
* ``max``/``min`` (``amax``/``amin``): the derivative goes to the winner; k tied winners
  get 1/k each.
* ``cumsum``: JVP ``cumsum(t)``, VJP the reversed cumulative sum of ``g``.
* ``cumprod``: ``dy_i/dx_j = prod_{k<=i, k!=j} x_k``; with no zeros ``revcumsum(g y) / x``
  and ``y cumsum(t / x)``, otherwise linear recurrences solved by an associative scan.

Each costs a few passes over the input; rules are written with wengert functions, so
they differentiate again. The private scans and trees work down the rows of a
C-contiguous 2-D array (``_to_front``), so their operations read memory in order.
"""

from __future__ import annotations

import builtins

import numpy as onp

from ..core import ANS, Primitive, broadcast_to_p, defjvp, defvjp, dtype_of, shape_of
from ._registry import register, strip
from .elementwise import multiply
from .indexing import getitem, index_update
from .shapes import reshape


def normalise_axis(axis, ndim: int) -> tuple:
    """``axis`` as a sorted tuple of non-negative ints (all axes for ``None``)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, onp.integer)) else tuple(axis)
    return tuple(sorted(int(a) % ndim if ndim else int(a) for a in axes))


def keepdims_shape(shape: tuple, axes: tuple) -> tuple:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def expand_to(g, x_shape: tuple, axes: tuple, keepdims: bool):
    """Broadcast a reduction's cotangent ``g`` back to the input's shape."""
    if not keepdims:
        g = reshape(g, keepdims_shape(x_shape, axes))
    return broadcast_to_p(g, shape=x_shape) if shape_of(g) != x_shape else g


def _sum_impl(x, axis, keepdims):
    return onp.sum(x, axis=axis, keepdims=keepdims)


sum_p = Primitive("sum", _sum_impl)
defvjp(
    sum_p,
    lambda g, ans, x, axis, keepdims: expand_to(g, shape_of(x), axis, keepdims),
    reads=((),),
)
defjvp(sum_p, lambda t, ans, x, axis, keepdims: sum_p(t, axis=axis, keepdims=keepdims))


def _linear_reduction(prim, name, a, axis, dtype, out, keepdims):
    """``prim`` (``sum_p`` or ``mean_p``) with NumPy's ``dtype``/``out`` handling."""
    if out is not None:
        raise TypeError(f"wengert.numpy.{name}: out= is not supported on traced values")
    if dtype is not None:
        from .dtypes import astype

        a = astype(a, dtype)
    axes = normalise_axis(axis, len(shape_of(a)))
    return prim(a, axis=axes, keepdims=bool(keepdims))


def sum(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):  # noqa: A001
    """``numpy.sum``."""
    return _linear_reduction(sum_p, "sum", a, axis, dtype, out, keepdims)


register("sum", sum, "primitive")


def _mean_impl(x, axis, keepdims):
    return onp.mean(x, axis=axis, keepdims=keepdims)


# mean = sum / count as one primitive: its rules read nothing (count is in the shape),
# so reverse mode keeps no residual for it.
mean_p = Primitive("mean", _mean_impl)
defvjp(
    mean_p,
    lambda g, ans, x, axis, keepdims:
        expand_to(g / _size(shape_of(x), axis), shape_of(x), axis, keepdims),
    reads=((),),
)
defjvp(mean_p, lambda t, ans, x, axis, keepdims: mean_p(t, axis=axis, keepdims=keepdims))


def mean(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    """``numpy.mean``: ``sum / count``, VJP ``expand(g) / count``."""
    return _linear_reduction(mean_p, "mean", a, axis, dtype, out, keepdims)


register("mean", mean, "primitive")


def _check_unsupported(name, out=None, initial=None, where=None):
    if out is not None:
        raise TypeError(f"wengert.numpy.{name}: out= is not supported on traced values")
    if initial is not None:
        raise NotImplementedError(f"wengert.numpy.{name}: initial= is not supported")
    if where is not None and where is not True:
        raise NotImplementedError(f"wengert.numpy.{name}: where= is not supported")


def _size(shape, axes) -> int:
    return int(onp.prod([shape[i] for i in axes], dtype=onp.int64))


# -- private helpers: reversal, C order, interleaving ---------------------------------------

# Reversal along one axis is its own transpose: VJP ``flip(g)``, JVP ``flip(t)``.
_flip_p = Primitive("flip_axis", lambda x, axis: onp.flip(x, axis))
defvjp(_flip_p, lambda g, ans, x, axis: _flip_p(g, axis=axis), reads=((),))
defjvp(_flip_p, lambda t, ans, x, axis: _flip_p(t, axis=axis))

# A C-contiguous copy (the identity in value): VJP ``g``, JVP ``t``.
_c_order_p = Primitive("ascontiguousarray", onp.ascontiguousarray)
defvjp(_c_order_p, lambda g, ans, x: g, reads=((),))
defjvp(_c_order_p, lambda t, ans, x: t)


def _interleave_impl(first, even, odd):
    n = first.shape[0] + even.shape[0] + odd.shape[0]
    out = onp.empty((n,) + first.shape[1:], dtype=onp.result_type(first, even, odd))
    out[0:1] = first
    out[2::2] = even
    out[1::2] = odd
    return out


def _interleave_jvp(which):
    def rule(t, ans, first, even, odd):
        parts = [onp.zeros(shape_of(v), dtype=dtype_of(t)) for v in (first, even, odd)]
        parts[which] = t
        return _interleave_p(*parts)

    return rule


# Rows ``first, odd[0], even[0], odd[1], even[1], ...`` along axis 0 (a scan's output):
# each VJP reads its rows back out of the cotangent; each JVP writes the tangent in.
_interleave_p = Primitive("interleave_rows", _interleave_impl)
defvjp(
    _interleave_p,
    lambda g, ans, first, even, odd: getitem(g, (slice(0, 1),)),
    lambda g, ans, first, even, odd: getitem(g, (slice(2, None, 2),)),
    lambda g, ans, first, even, odd: getitem(g, (slice(1, None, 2),)),
    reads=((), (), ()),
)
defjvp(_interleave_p, _interleave_jvp(0), _interleave_jvp(1), _interleave_jvp(2))


def _to_front(x, axes: tuple):
    """``x`` with ``axes`` moved to the front and merged, the rest merged after them, as a
    C-contiguous 2-D ``(n, r)`` array (so the row operations below read memory in order),
    and the function that undoes it."""
    from .shapes import transpose

    shape = shape_of(x)
    rest = tuple(i for i in range(len(shape)) if i not in axes)
    perm = tuple(axes) + rest
    moved = tuple(shape[i] for i in perm)
    x = transpose(x, perm)
    if not onp.asarray(strip(x)).flags.c_contiguous:
        x = _c_order_p(x)
    x = reshape(x, (_size(shape, axes), _size(shape, rest)))
    inverse = tuple(int(i) for i in onp.argsort(perm))

    def back(y):
        return transpose(reshape(y, moved), inverse)

    return x, back


def _shift_down(v, fill):
    """Rows of the 2-D ``v`` moved down by one: ``out[0] = fill``, ``out[i] = v[i - 1]``."""
    shape = shape_of(v)
    if shape[0] == 0:
        return v
    base = onp.full(shape, fill, dtype=dtype_of(v))
    return index_update(base, (slice(1, None),), getitem(v, (slice(0, shape[0] - 1),)))


# -- scans and product trees, written with wengert functions (so they differentiate again) --


def _assoc_scan(combine, elems: list) -> list:
    """Inclusive scan down the rows (axis 0) of the arrays ``elems`` with the associative
    ``combine(earlier, later)``, by the odd/even recursion of ``jax.lax.associative_scan``:
    O(n) work in O(log n) vectorised steps, no Python loop over elements."""
    n = shape_of(elems[0])[0]
    if n < 2:
        return list(elems)
    reduced = combine([getitem(e, (slice(0, n - 1, 2),)) for e in elems],
                      [getitem(e, (slice(1, None, 2),)) for e in elems])
    odd = _assoc_scan(combine, reduced)  # results at rows 1, 3, 5, ...
    later = [getitem(e, (slice(2, None, 2),)) for e in elems]
    if n % 2 == 0:
        odd_before = [getitem(o, (slice(0, -1),)) for o in odd]
    else:
        odd_before = odd
    even = combine(odd_before, later)  # results at rows 2, 4, ...
    return [_interleave_p(getitem(e, (slice(0, 1),)), v, o)
            for e, v, o in zip(elems, even, odd, strict=True)]


def _linear_recurrence(a, b):
    """``h`` with ``h[i] = a[i] h[i-1] + b[i]`` down the rows and ``h[-1] = 0`` (``a[0]`` is
    not used): an associative scan over the affine maps ``h -> a h + b``, composed as
    ``(a2, b2) o (a1, b1) = (a2 a1, a2 b1 + b2)``. No division, so zeros in ``a`` are fine.
    """
    from .elementwise import add

    def combine(first, second):
        (a1, b1), (a2, b2) = first, second
        return [multiply(a2, a1), add(multiply(a2, b1), b2)]

    return _assoc_scan(combine, [a, b])[1]


def _others_rows(x):
    """``out[j] = prod_{k != j} x[k]`` down the rows of the 2-D ``x``, without division.

    A product tree: pair neighbouring rows up (an odd count padded with a row of ones),
    multiply each pair, recurse on the pair products, then an entry's "others" product
    is that of its pair times its partner. O(n) work in O(log n) vectorised steps, exact
    with any number of zeros, and differentiable again (products and reshapes only).
    """
    n, r = shape_of(x)
    if n <= 1:
        return onp.ones((n, r), dtype=dtype_of(x))
    if n % 2:
        x = index_update(onp.ones((n + 1, r), dtype=dtype_of(x)), (slice(0, n),), x)
    m = (n + 1) // 2
    pairs = reshape(x, (m, 2, r))
    up = multiply(getitem(pairs, (slice(None), 0)), getitem(pairs, (slice(None), 1)))
    o = _others_rows(up)
    partner = getitem(pairs, (slice(None), slice(None, None, -1)))
    out = reshape(multiply(reshape(o, (m, 1, r)), partner), (2 * m, r))
    return getitem(out, (slice(0, n),)) if n % 2 else out


def _prod_others(x, axes: tuple):
    """For each entry of ``x``, the product of the other entries of its reduction group
    (over ``axes``): the derivative of ``prod`` in that entry."""
    flat, back = _to_front(x, axes)
    return back(_others_rows(flat))


# -- prod ----------------------------------------------------------------------------------


def _prod_impl(x, axis, keepdims):
    return onp.prod(x, axis=axis, keepdims=keepdims)


# d prod / d x_j = prod_{k != j} x_k (computed by ``_prod_others``, never ans / x_j):
# VJP  g -> expand(g) * others(x);   JVP  t -> sum(t * others(x)).
prod_p = Primitive("prod", _prod_impl)
defvjp(
    prod_p,
    lambda g, ans, x, axis, keepdims: multiply(
        expand_to(g, shape_of(x), axis, keepdims), _prod_others(x, axis)),
    reads=((0,),),
)
defjvp(
    prod_p,
    lambda t, ans, x, axis, keepdims: sum_p(
        multiply(t, _prod_others(x, axis)), axis=axis, keepdims=keepdims),
)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """``numpy.prod``. The derivative in ``x_j`` is the product of the other entries of
    its group, computed by a product tree (no division), so it is exact where ``x`` has
    zeros (one zero: only that entry has a nonzero derivative; two or more: all zero).
    Cost: a few passes over ``x``."""
    _check_unsupported("prod", out, initial, where)
    if dtype is not None:
        from .dtypes import astype

        a = astype(a, dtype)
    axes = normalise_axis(axis, len(shape_of(a)))
    return prod_p(a, axis=axes, keepdims=bool(keepdims))


register("prod", prod, "primitive")


# -- max and min -------------------------------------------------------------------------------


def _select_winners(v, x, ans, axes, keepdims):
    """``v`` (shaped like ``x``) kept where ``x`` attains its group's max (or min), 0
    elsewhere; where k entries of a group tie, each keeps 1/k of ``v`` (NaN entries count
    as equal to a NaN result). The mask and weights are constants: no derivative."""
    from ..core.trace import nondiff_operand
    from .elementwise import where_p

    # Plain values; under jit, traced ones (the mask is then recorded, not baked in).
    xs = nondiff_operand(x, as_array=True)
    a = nondiff_operand(ans, as_array=True)
    if not keepdims:
        a = onp.reshape(a, keepdims_shape(xs.shape, axes))
    hit = xs == a
    if onp.issubdtype(a.dtype, onp.inexact) and onp.isnan(a).any():
        hit = onp.logical_or(hit, onp.logical_and(onp.isnan(xs), onp.isnan(a)))
    if onp.count_nonzero(hit) == a.size:  # one winner per group: no ties
        return where_p(hit, v, onp.zeros((), dtype=dtype_of(v)))
    count = onp.count_nonzero(hit, axis=axes, keepdims=True)
    return multiply(v, (hit / count).astype(onp.result_type(dtype_of(v), onp.float16)))


def _extremum(name, np_fn):
    def impl(x, axis, keepdims):
        return np_fn(x, axis=axis, keepdims=keepdims)

    prim = Primitive(name, impl)
    # VJP  g -> expand(g) * w,  JVP  t -> sum(t * w), with w the winners' weights
    # (1 at the winner, 1/k each at k tied winners, 0 elsewhere).
    defvjp(
        prim,
        lambda g, ans, x, axis, keepdims: _select_winners(
            expand_to(g, shape_of(x), axis, keepdims), x, ans, axis, keepdims),
        reads=((0, ANS),),
    )
    defjvp(
        prim,
        lambda t, ans, x, axis, keepdims: sum_p(
            _select_winners(t, x, ans, axis, keepdims), axis=axis, keepdims=keepdims),
    )

    def function(a, axis=None, out=None, keepdims=False, initial=None, where=None):
        _check_unsupported(name, out, initial, where)
        axes = normalise_axis(axis, len(shape_of(a)))
        return prim(a, axis=axes, keepdims=bool(keepdims))

    function.__name__ = name
    function.__doc__ = (
        f"``numpy.{name}`` over ``axis`` (int, tuple or None), with ``keepdims``.\n\n"
        f"The derivative goes to the entry that attains the {name}imum. Where k entries "
        f"of a group tie, it is shared evenly: each gets 1/k of the cotangent (and the "
        f"JVP is the mean of their tangents). Cost: one comparison pass over ``a``."
    )
    return prim, function


max_p, max = _extremum("max", onp.max)  # noqa: A001
min_p, min = _extremum("min", onp.min)  # noqa: A001
amax = max
amin = min
register("max", max, "primitive")
register("min", min, "primitive")
register("amax", amax, "primitive")
register("amin", amin, "primitive")


# -- var and std ---------------------------------------------------------------------------------

_mean = mean


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        mean=None, correction=None):
    """``numpy.var``: ``sum((a - mean(a))**2) / (N - ddof)`` over ``axis``; differentiates
    through ``sum`` and ``mean`` (VJP ``2 (a - mean(a)) g / (N - ddof)``). Of complex ``a``,
    ``|a - mean(a)|^2`` (real), whose gradient is ``2 conj(a - mean(a)) / (N - ddof)``."""
    _check_unsupported("var", out, None, where)
    if mean is not None:
        raise NotImplementedError("wengert.numpy.var: mean= is not supported")
    if correction is not None:
        ddof = correction
    from .elementwise import divide, subtract

    if dtype is not None:
        from .dtypes import astype

        a = astype(a, dtype)
    shape = shape_of(a)
    axes = normalise_axis(axis, len(shape))
    d = subtract(a, _mean(a, axes, keepdims=True))
    if onp.issubdtype(dtype_of(d), onp.complexfloating):  # |d|^2, real, as NumPy
        from .complex_parts import conj_p, real_p

        s = sum(real_p(multiply(d, conj_p(d))), axes, keepdims=keepdims)
    else:
        s = sum(multiply(d, d), axes, keepdims=keepdims)
    return divide(s, float(builtins.max(_size(shape, axes) - ddof, 0)))


register("var", var, "composite")


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        mean=None, correction=None):
    """``numpy.std``: ``sqrt(var(a))``. Its derivative is infinite where the variance is 0
    (a constant group), as the square root's is."""
    from .unary import sqrt

    return sqrt(var(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean,
                    correction=correction))


register("std", std, "composite")


# -- cumsum and cumprod ------------------------------------------------------------------------


def _scan_axis(a, axis, dtype, out, name):
    if out is not None:
        raise TypeError(f"wengert.numpy.{name}: out= is not supported on traced values")
    if dtype is not None:
        from .dtypes import astype

        a = astype(a, dtype)
    if axis is None:
        a = reshape(a, (-1,))
        return a, 0
    ndim = len(shape_of(a))
    return a, int(axis) % builtins.max(ndim, 1)


# y_i = sum_{k <= i} x_k.  JVP: cumsum(t);  VJP: reverse cumsum, flip(cumsum(flip(g))).
cumsum_p = Primitive("cumsum", lambda x, axis: onp.cumsum(x, axis=axis))
defvjp(
    cumsum_p,
    lambda g, ans, x, axis: _flip_p(cumsum_p(_flip_p(g, axis=axis), axis=axis), axis=axis),
    reads=((),),
)
defjvp(cumsum_p, lambda t, ans, x, axis: cumsum_p(t, axis=axis))


def cumsum(a, axis=None, dtype=None, out=None):
    """``numpy.cumsum`` (``axis=None`` flattens). VJP: the reversed cumulative sum of the
    cotangent; JVP: the cumulative sum of the tangent."""
    a, axis = _scan_axis(a, axis, dtype, out, "cumsum")
    return cumsum_p(a, axis=axis)


register("cumsum", cumsum, "primitive")


def _divides_safely(ans) -> bool:
    """True when every ``y_i`` is finite and normal (so no ``x_k`` is 0 and ``y / x``
    neither overflows nor loses precision): the cheap rules of ``cumprod`` apply."""
    y = onp.asarray(strip(ans))
    if not onp.issubdtype(y.dtype, onp.floating):
        return False
    with onp.errstate(invalid="ignore"):
        return bool(onp.all(onp.abs(y) >= onp.finfo(y.dtype).tiny) & onp.all(onp.isfinite(y)))


def _cumprod_vjp(g, ans, x, axis):
    from .elementwise import divide

    if _divides_safely(ans):
        # No zero anywhere: dx_j = sum_{i>=j} g_i y_i / x_j (a reversed cumsum).
        gy = _flip_p(multiply(g, ans), axis=axis)
        return divide(_flip_p(cumsum_p(gy, axis=axis), axis=axis), x)
    # Division-free (zeros, or y under/overflowing): dx_j = E_j S_j with
    # E_j = prod_{k<j} x_k (y shifted down by one) and
    # S_j = sum_{i>=j} g_i prod_{j<k<=i} x_k, i.e. S_j = g_j + x_{j+1} S_{j+1}:
    # a linear recurrence, run from the end of the axis.
    y2, back = _to_front(ans, (axis,))
    x2, _ = _to_front(x, (axis,))
    g2, _ = _to_front(g, (axis,))
    a = _shift_down(_flip_p(x2, axis=0), 0)
    s = _flip_p(_linear_recurrence(a, _flip_p(g2, axis=0)), axis=0)
    return back(multiply(_shift_down(y2, 1), s))


def _cumprod_jvp(t, ans, x, axis):
    from .elementwise import divide

    if _divides_safely(ans):
        # dy_i = sum_{j<=i} t_j y_i / x_j = y_i cumsum(t / x)_i.
        return multiply(ans, cumsum_p(divide(t, x), axis=axis))
    # Division-free: dy_i = x_i dy_{i-1} + t_i y_{i-1}, a linear recurrence.
    y2, back = _to_front(ans, (axis,))
    x2, _ = _to_front(x, (axis,))
    t2, _ = _to_front(t, (axis,))
    return back(_linear_recurrence(x2, multiply(t2, _shift_down(y2, 1))))


cumprod_p = Primitive("cumprod", lambda x, axis: onp.cumprod(x, axis=axis))
defvjp(cumprod_p, _cumprod_vjp, reads=((0, ANS),))
defjvp(cumprod_p, _cumprod_jvp)


def cumprod(a, axis=None, dtype=None, out=None):
    """``numpy.cumprod`` (``axis=None`` flattens).

    ``y_i = prod_{k<=i} x_k``; ``dy_i/dx_j = prod_{k<=i, k!=j} x_k`` for ``j <= i``.
    Where every ``y_i`` is finite and nonzero (so no ``x_k`` is 0), the rules are
    ``VJP: revcumsum(g y) / x`` and ``JVP: y cumsum(t / x)`` (a few passes). Otherwise
    (zeros in ``x``, or ``y`` under/overflowing) both are linear recurrences (see
    ``_cumprod_vjp``/``_cumprod_jvp``) solved by an associative scan without division,
    so the derivative is exact with zeros: O(n) work in O(log n) vectorised steps."""
    a, axis = _scan_axis(a, axis, dtype, out, "cumprod")
    return cumprod_p(a, axis=axis)


register("cumprod", cumprod, "primitive")


# -- NaN-ignoring reductions -------------------------------------------------------------------


def _zero_nans(a):
    """``a`` with NaN entries replaced by 0; the derivative there is 0 (a ``where``)."""
    values = onp.asarray(strip(a))
    if not onp.issubdtype(values.dtype, onp.inexact):
        return a, onp.zeros(values.shape, dtype=bool)
    nan = onp.isnan(values)
    if not nan.any():
        return a, nan
    from .elementwise import where_p

    return where_p(nan, onp.zeros((), dtype=values.dtype), a), nan


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """``numpy.nansum``: ``sum`` with NaNs taken as 0; derivative 0 at NaN entries."""
    _check_unsupported("nansum", out, initial, where)
    clean, _ = _zero_nans(a)
    return sum(clean, axis, dtype=dtype, keepdims=keepdims)


register("nansum", nansum, "composite")


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """``numpy.nanmean``: ``nansum / (number of non-NaN entries)``; derivative 0 at NaN
    entries and ``g / count`` elsewhere. An all-NaN group gives NaN, as in NumPy."""
    _check_unsupported("nanmean", out, None, where)
    from .elementwise import divide

    clean, nan = _zero_nans(a)
    axes = normalise_axis(axis, len(shape_of(a)))
    total = sum(clean, axes, dtype=dtype, keepdims=keepdims)
    count = onp.sum(~nan, axis=axes, keepdims=bool(keepdims))
    ct = dtype_of(total)
    if not onp.issubdtype(ct, onp.inexact):
        ct = onp.float64
    with onp.errstate(invalid="ignore", divide="ignore"):
        return divide(total, count.astype(ct))


register("nanmean", nanmean, "composite")
