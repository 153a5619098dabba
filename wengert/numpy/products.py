"""Products, and the diagonals and triangles of arrays.

For ``C = A @ B`` (with NumPy's 1-D and batched conventions):
``dA = G @ Bᵀ``, ``dB = Aᵀ @ G``, summed over broadcast batch axes; forward mode is
``dC = dA @ B + A @ dB``. Each costs one more product of the forward pass's size.

``tensordot`` and ``einsum`` follow the same pattern: the JVP in one operand is the same
product with that operand's tangent; the VJP in one operand is the product of the
cotangent with the other operands, contracted over everything that operand does not
have (a ``tensordot`` and a transpose; an ``einsum`` whose output is that operand's
subscripts). ``dot``, ``inner``, ``outer``, ``kron`` and ``trace`` are written with them
(or with ``multiply`` and reshapes). ``diagonal`` is linear: its VJP writes the cotangent
on the diagonal of zeros (``diag_embed``), whose VJP is ``diagonal`` again. ``tril`` and
``triu`` are a ``where`` with a constant mask.
"""

from __future__ import annotations

import string
from builtins import max as _max

import numpy as onp

from ..core import (
    Primitive,
    Tracer,
    broadcast_to_p,
    defjvp,
    defvjp,
    dtype_of,
    mark_view,
    primal,
    shape_of,
    unbroadcast,
)
from ._registry import register
from .elementwise import add, multiply
from .shapes import expand_dims, reshape, swapaxes, transpose


def _ndim(x) -> int:
    return len(shape_of(x))


def _matmul_vjp_a(g, ans, a, b):
    if _ndim(b) == 1:  # (..., n, k) @ (k,) -> (..., n); also (k,) @ (k,) -> ()
        ga = multiply(expand_dims(g, -1), b)
    elif _ndim(a) == 1:  # (k,) @ (..., k, m) -> (..., m)
        ga = matmul_p(b, expand_dims(g, -1))[..., 0]
    else:
        ga = matmul_p(g, swapaxes(b, -1, -2))
    return unbroadcast(ga, a)


def _matmul_vjp_b(g, ans, a, b):
    if _ndim(a) == 1:  # (k,) @ (..., k, m): dB = a ⊗ g; (k,) @ (k,): g a
        gb = multiply(expand_dims(a, -1), expand_dims(g, -2)) if _ndim(b) > 1 else multiply(g, a)
    elif _ndim(b) == 1:  # (..., n, k) @ (k,): dB = Aᵀ g
        gb = matmul_p(swapaxes(a, -1, -2), expand_dims(g, -1))[..., 0]
    else:
        gb = matmul_p(swapaxes(a, -1, -2), g)
    return unbroadcast(gb, b)


matmul_p = Primitive("matmul", onp.matmul)
defvjp(matmul_p, _matmul_vjp_a, _matmul_vjp_b, reads=((1,), (0,)))
defjvp(
    matmul_p,
    lambda t, ans, a, b: matmul_p(t, b),
    lambda t, ans, a, b: matmul_p(a, t),
)


def _gram_impl(x):
    return onp.matmul(x, onp.swapaxes(x, -1, -2))


def _symmetric_part_times(m, x):
    """``(M + Mᵀ) X`` (over the last two axes)."""
    return matmul_p(add(m, swapaxes(m, -1, -2)), x)


def _gram_jvp(t, ans, x):
    p = matmul_p(t, swapaxes(x, -1, -2))
    return add(p, swapaxes(p, -1, -2))


# The Gram product A = X Xᵀ, which ``X @ X.T`` (and ``X.T @ X``, the Gram product of
# ``X.T``) records: dA = P + Pᵀ with P = dX Xᵀ; the VJP is (G + Gᵀ) X, one product where
# the two operands' separate VJPs of ``matmul`` would take two.
gram_p = Primitive("gram", _gram_impl)
defvjp(gram_p, lambda g, ans, x: _symmetric_part_times(g, x), reads=((0,),))
defjvp(gram_p, _gram_jvp)


def _is_transpose_of(view, x) -> bool:
    """Whether traced ``view`` is, in value and in derivative, ``swapaxes(x, -1, -2)``:
    a view taken from ``x`` itself (``mark_view``) over the same memory with the last
    two axes' shape and strides exchanged."""
    if not (isinstance(view, Tracer) and isinstance(x, Tracer)) or view._trace is not x._trace:
        return False
    base = getattr(view, "_base", None)
    if base is None or base() is not x:
        return False
    v, a = primal(view), primal(x)  # nested traces: the arrays inside
    if type(v) is not onp.ndarray or type(a) is not onp.ndarray or a.ndim < 2 or v.ndim != a.ndim:
        return False
    swap = list(range(a.ndim))
    swap[-1], swap[-2] = swap[-2], swap[-1]
    return (v.shape == tuple(a.shape[i] for i in swap)
            and v.strides == tuple(a.strides[i] for i in swap)
            and v.__array_interface__["data"][0] == a.__array_interface__["data"][0])


def matmul(a, b):
    """``a @ b``. ``x @ x.T`` and ``x.T @ x`` are recorded as one Gram product, whose
    gradient takes one matrix product instead of two."""
    if _ndim(a) == 0 or _ndim(b) == 0:
        raise ValueError("wengert.numpy.matmul: operands must not be 0-d (use multiply)")
    if _is_transpose_of(b, a):
        return gram_p(a)
    if _is_transpose_of(a, b):
        return gram_p(a)
    return matmul_p(a, b)


register("matmul", matmul, "primitive")


def dot(a, b, out=None):
    """``numpy.dot``: a product for 0-d operands, ``matmul`` up to 2-D, and for N-D the
    sum over the last axis of ``a`` and the second-to-last of ``b``."""
    if out is not None:
        raise TypeError("wengert.numpy.dot: out= is not supported on traced values")
    if _ndim(a) == 0 or _ndim(b) == 0:
        return multiply(a, b)
    if _ndim(a) <= 2 and _ndim(b) <= 2:
        return matmul(a, b)
    # N-D: sum over the last axis of a and the second-to-last of b (the only one if 1-D);
    # result shape a.shape[:-1] + b.shape[:-2] + b.shape[-1:].
    return tensordot(a, b, axes=((_ndim(a) - 1,), (_ndim(b) - 2 if _ndim(b) > 1 else 0,)))


register("dot", dot, "composite")


def _nonneg_axes(axes, ndim: int) -> tuple:
    return tuple(int(ax) % ndim if ndim else int(ax) for ax in axes)


# -- tensordot ------------------------------------------------------------------------------


def _tensordot_impl(a, b, axes):
    return onp.tensordot(a, b, axes=(list(axes[0]), list(axes[1])))


def _tensordot_vjp_a(g, ans, a, b, axes):
    # C[free_a, free_b] = sum_c A[free_a, c] B[c, free_b]:
    # dA[free_a, c] = sum_{free_b} G[free_a, free_b] B[c, free_b], then put A's axes back.
    ax_a, ax_b = axes
    nd_b = _ndim(b)
    free_b = tuple(i for i in range(nd_b) if i not in ax_b)
    nfa = _ndim(g) - len(free_b)
    ga = tensordot_p(g, b, axes=(tuple(range(nfa, nfa + len(free_b))), free_b))
    free_a = tuple(i for i in range(_ndim(a)) if i not in ax_a)
    labels = free_a + tuple(ax_a[ax_b.index(j)] for j in sorted(ax_b))
    return transpose(ga, tuple(int(i) for i in onp.argsort(labels)))


def _tensordot_vjp_b(g, ans, a, b, axes):
    # dB[c, free_b] = sum_{free_a} A[free_a, c] G[free_a, free_b], then put B's axes back.
    ax_a, ax_b = axes
    free_a = tuple(i for i in range(_ndim(a)) if i not in ax_a)
    gb = tensordot_p(a, g, axes=(free_a, tuple(range(len(free_a)))))
    free_b = tuple(i for i in range(_ndim(b)) if i not in ax_b)
    labels = tuple(ax_b[ax_a.index(i)] for i in sorted(ax_a)) + free_b
    return transpose(gb, tuple(int(i) for i in onp.argsort(labels)))


# VJPs: one tensordot of the cotangent with the other operand (same flops as the forward
# product) and a transpose; JVP: dC = tensordot(dA, B) + tensordot(A, dB).
tensordot_p = Primitive("tensordot", _tensordot_impl)
defvjp(tensordot_p, _tensordot_vjp_a, _tensordot_vjp_b, reads=((1,), (0,)))
defjvp(
    tensordot_p,
    lambda t, ans, a, b, axes: tensordot_p(t, b, axes=axes),
    lambda t, ans, a, b, axes: tensordot_p(a, t, axes=axes),
)


def tensordot(a, b, axes=2):
    """``numpy.tensordot``: ``axes`` an int N (the last N axes of ``a`` with the first N
    of ``b``) or a pair of sequences (or ints) of axes to contract."""
    nd_a, nd_b = _ndim(a), _ndim(b)
    if isinstance(axes, (int, onp.integer)):
        n = int(axes)
        ax_a, ax_b = tuple(range(nd_a - n, nd_a)), tuple(range(n))
    else:
        ax_a, ax_b = axes
        ax_a = (ax_a,) if isinstance(ax_a, (int, onp.integer)) else tuple(ax_a)
        ax_b = (ax_b,) if isinstance(ax_b, (int, onp.integer)) else tuple(ax_b)
    if len(ax_a) != len(ax_b):
        raise ValueError("wengert.numpy.tensordot: shape-mismatch for sum")
    axes = (_nonneg_axes(ax_a, nd_a), _nonneg_axes(ax_b, nd_b))
    return tensordot_p(a, b, axes=axes)


register("tensordot", tensordot, "primitive")


# -- einsum ---------------------------------------------------------------------------------


def _parse_einsum(subscripts: str, shapes: list) -> tuple[list, str]:
    """Explicit subscripts with letters only: ellipses become unused letters (aligned
    from the right, as NumPy broadcasts them) and implicit mode gets NumPy's output
    (ellipsis dimensions, then the letters that appear once in character-code order)."""
    s = subscripts.replace(" ", "")
    lhs, arrow, rhs = s.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(
            f"wengert.numpy.einsum: {len(ins)} operand subscripts for {len(shapes)} operands"
        )
    for part in ins + [rhs]:
        if not all(c.isalpha() and c.isascii() for c in part.replace("...", "")):
            raise ValueError(f"wengert.numpy.einsum: invalid subscripts {subscripts!r}")
    used = set(c for c in s if c.isalpha())
    spare = [c for c in string.ascii_letters if c not in used]
    n_ell = 0
    for sub, shape in zip(ins, shapes, strict=True):
        if "..." in sub:
            n_ell = _max(n_ell, len(shape) - (len(sub) - 3))
    if n_ell > len(spare):
        raise ValueError("wengert.numpy.einsum: too many dimensions")
    ell = "".join(spare[:n_ell])
    new_ins = []
    for sub, shape in zip(ins, shapes, strict=True):
        if "..." in sub:
            k = len(shape) - (len(sub) - 3)
            if k < 0:
                raise ValueError(f"wengert.numpy.einsum: operand has too few dimensions "
                                 f"for subscripts {sub!r}")
            sub = sub.replace("...", ell[n_ell - k:])
        if len(sub) != len(shape):
            raise ValueError(
                f"wengert.numpy.einsum: subscripts {sub!r} do not match an operand of "
                f"shape {shape}"
            )
        new_ins.append(sub)
    if not arrow:
        plain = "".join(ins).replace("...", "")
        out = ell + "".join(sorted(c for c in set(plain) if plain.count(c) == 1))
    elif "..." in rhs:
        out = rhs.replace("...", ell)
    else:
        if n_ell:
            raise ValueError(
                "wengert.numpy.einsum: output has more dimensions than subscripts given in "
                "einstein sum, but no '...' ellipsis provided to broadcast the extra "
                "dimensions."
            )
        out = rhs
    if len(set(out)) != len(out) or not set(out) <= set("".join(new_ins)):
        raise ValueError(f"wengert.numpy.einsum: invalid output subscripts in {subscripts!r}")
    return new_ins, out


def _einsum_impl(*operands, subscripts):
    # optimize=True lets NumPy contract pairs with BLAS (tensordot) where it can.
    return onp.einsum(subscripts, *operands, optimize=len(operands) > 1)


def _split(subscripts: str) -> tuple[list, str]:
    lhs, _, out = subscripts.partition("->")
    return lhs.split(","), out


def _diagonal_mask(sub: str, shape: tuple, dtype):
    """1 where the axes that share a letter in ``sub`` have equal indices, else 0."""
    mask = onp.ones((1,) * len(shape), dtype=bool)
    for c in set(sub):
        where = [p for p, d in enumerate(sub) if d == c]
        if len(where) < 2:
            continue

        def grid(p):
            return onp.arange(shape[p]).reshape(
                tuple(shape[p] if q == p else 1 for q in range(len(shape))))

        for p in where[1:]:
            mask = mask & (grid(where[0]) == grid(p))
    return mask.astype(dtype)


def _einsum_vjp(i, g, operands, subscripts):
    """Cotangent of operand ``i``: ``einsum(out, *other_subs -> sub_i)(g, *others)``.

    Letters of ``sub_i`` found nowhere else (summed in operand ``i`` alone) are broadcast
    back; a letter repeated in ``sub_i`` (a diagonal) is put back on the diagonal by a
    constant 0/1 mask; axes that NumPy broadcast from length 1 are summed back."""
    ins, out = _split(subscripts)
    sub = ins[i]
    others = [(s, o) for j, (s, o) in enumerate(zip(ins, operands, strict=True)) if j != i]
    avail = set(out).union(*[set(s) for s, _ in others])
    target = "".join(dict.fromkeys(c for c in sub if c in avail))
    spec = ",".join([out] + [s for s, _ in others]) + "->" + target
    r = _einsum_call(spec, [g] + [o for _, o in others])
    shape = shape_of(operands[i])
    first = {}
    for p, c in enumerate(sub):
        first.setdefault(c, p)
    r_shape = shape_of(r)
    placed = tuple(
        r_shape[target.index(c)] if (first[c] == p and c in target) else 1
        for p, c in enumerate(sub)
    )
    r = reshape(r, placed)
    if len(set(sub)) != len(sub):
        r = multiply(r, _diagonal_mask(sub, shape, dtype_of(g)))
    full = onp.broadcast_shapes(shape_of(r), shape)
    if shape_of(r) != full:
        r = broadcast_to_p(r, shape=full)
    return unbroadcast(r, operands[i])


def _einsum_jvp(i, t, operands, subscripts):
    args = list(operands)
    args[i] = t
    return _einsum_call(subscripts, args)


_EINSUM_PRIMS: dict[int, Primitive] = {}


def _einsum_prim(n: int) -> Primitive:
    """The einsum primitive of ``n`` operands (one VJP and JVP rule per operand)."""
    prim = _EINSUM_PRIMS.get(n)
    if prim is not None:
        return prim
    prim = Primitive("einsum", _einsum_impl)

    def vjp_rule(i):
        return lambda g, ans, *ops, subscripts: _einsum_vjp(i, g, ops, subscripts)

    def jvp_rule(i):
        return lambda t, ans, *ops, subscripts: _einsum_jvp(i, t, ops, subscripts)

    defvjp(prim, *[vjp_rule(i) for i in range(n)],
           reads=tuple(tuple(j for j in range(n) if j != i) for i in range(n)))
    defjvp(prim, *[jvp_rule(i) for i in range(n)])
    _EINSUM_PRIMS[n] = prim
    return prim


def _einsum_call(subscripts: str, operands: list):
    return _einsum_prim(len(operands))(*operands, subscripts=subscripts)


def einsum(*operands, out=None, optimize=False, **kwargs):
    """``numpy.einsum(subscripts, *operands)``: explicit (``'ij,jk->ik'``) or implicit
    (``'ij,jk'``) output, any number of operands, ``...`` broadcasting, repeated letters
    (diagonals). ``optimize`` is accepted and ignored (NumPy's path optimiser is always
    used for two or more operands).

    JVP in operand i: the same einsum with operand i replaced by its tangent. VJP in
    operand i: the einsum of the cotangent with the other operands whose output is
    operand i's subscripts (see ``_einsum_vjp``), the cost of one forward contraction."""
    if out is not None:
        raise TypeError("wengert.numpy.einsum: out= is not supported on traced values")
    if kwargs:
        raise NotImplementedError(f"wengert.numpy.einsum: {sorted(kwargs)} not supported")
    if not operands or not isinstance(operands[0], str):
        raise NotImplementedError(
            "wengert.numpy.einsum: give the subscripts as a string first "
            "(the interleaved operand/sublist form is not supported)"
        )
    subscripts, ops = operands[0], list(operands[1:])
    ins, out_sub = _parse_einsum(subscripts, [shape_of(o) for o in ops])
    return _einsum_call(",".join(ins) + "->" + out_sub, ops)


register("einsum", einsum, "primitive")


# -- inner, outer, kron ---------------------------------------------------------------------


def inner(a, b):
    """``numpy.inner``: the sum over the last axes of ``a`` and ``b`` (a product for 0-d
    operands); a ``tensordot``."""
    if _ndim(a) == 0 or _ndim(b) == 0:
        return multiply(a, b)
    return tensordot(a, b, axes=((_ndim(a) - 1,), (_ndim(b) - 1,)))


register("inner", inner, "composite")


def outer(a, b, out=None):
    """``numpy.outer``: ``ravel(a)[:, None] * ravel(b)[None, :]``."""
    if out is not None:
        raise TypeError("wengert.numpy.outer: out= is not supported on traced values")
    return multiply(reshape(a, (-1, 1)), reshape(b, (1, -1)))


register("outer", outer, "composite")


def vdot(a, b):
    """``numpy.vdot``: ``sum(conj(a) * b)`` over the flattened arrays (the conjugate only
    matters for complex ``a``). Differentiated through ``conj``, ``multiply`` and ``sum``:
    the VJP in ``b`` is ``g conj(a)``, in ``a`` it is ``conj(g b)``."""
    from .complex_parts import conjugate
    from .reductions import sum as _sum

    a_flat, b_flat = reshape(a, (-1,)), reshape(b, (-1,))
    if shape_of(a_flat) != shape_of(b_flat):
        raise ValueError(
            f"wengert.numpy.vdot: the arrays have {shape_of(a_flat)[0]} and "
            f"{shape_of(b_flat)[0]} elements; vdot needs the same number"
        )
    return _sum(multiply(conjugate(a_flat), b_flat))


register("vdot", vdot, "composite")


def kron(a, b):
    """``numpy.kron``: with both shapes padded to the same rank r, the product of ``a``
    reshaped to ``(a1, 1, a2, 1, ...)`` and ``b`` to ``(1, b1, 1, b2, ...)``, reshaped to
    ``(a1 b1, a2 b2, ...)``. Its derivatives are those of that product (cost: the size of
    the result)."""
    sa, sb = shape_of(a), shape_of(b)
    nd = _max(len(sa), len(sb))
    if nd == 0:
        return multiply(a, b)
    sa = (1,) * (nd - len(sa)) + tuple(sa)
    sb = (1,) * (nd - len(sb)) + tuple(sb)
    a2 = reshape(a, tuple(x for n in sa for x in (n, 1)))
    b2 = reshape(b, tuple(x for n in sb for x in (1, n)))
    return reshape(multiply(a2, b2), tuple(m * n for m, n in zip(sa, sb, strict=True)))


register("kron", kron, "composite")


# -- diagonals and triangles ---------------------------------------------------------------


def _diagonal_impl(x, offset, axis1, axis2):
    return onp.diagonal(x, offset=offset, axis1=axis1, axis2=axis2)


def _diag_embed_impl(d, shape, offset, axis1, axis2):
    """Zeros of ``shape`` with ``d`` (diagonal last) written on that diagonal."""
    out = onp.zeros(shape, dtype=onp.result_type(d))
    view = onp.moveaxis(out, (axis1, axis2), (-2, -1))
    i = onp.arange(onp.shape(d)[-1])
    view[..., i + _max(-offset, 0), i + _max(offset, 0)] = d
    return out


# diagonal and its transpose, diag_embed (the diagonal written into zeros), are linear:
# each one's VJP is the other; each one's JVP is itself on the tangent.
diagonal_p = Primitive("diagonal", _diagonal_impl)
diag_embed_p = Primitive("diag_embed", _diag_embed_impl)
defvjp(
    diagonal_p,
    lambda g, ans, x, offset, axis1, axis2: diag_embed_p(
        g, shape=shape_of(x), offset=offset, axis1=axis1, axis2=axis2),
    reads=((),),
)
defjvp(
    diagonal_p,
    lambda t, ans, x, offset, axis1, axis2: diagonal_p(
        t, offset=offset, axis1=axis1, axis2=axis2),
)
defvjp(
    diag_embed_p,
    lambda g, ans, d, shape, offset, axis1, axis2: diagonal_p(
        g, offset=offset, axis1=axis1, axis2=axis2),
    reads=((),),
)
defjvp(
    diag_embed_p,
    lambda t, ans, d, shape, offset, axis1, axis2: diag_embed_p(
        t, shape=shape, offset=offset, axis1=axis1, axis2=axis2),
)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """``numpy.diagonal`` (a view, as in NumPy): the diagonal of the ``axis1``/``axis2``
    planes, as the last axis. VJP: the cotangent written on that diagonal of zeros."""
    nd = _ndim(a)
    if nd < 2:
        raise ValueError("wengert.numpy.diagonal: array must be at least 2-d")
    axis1, axis2 = int(axis1) % nd, int(axis2) % nd
    if axis1 == axis2:
        raise ValueError("wengert.numpy.diagonal: axis1 and axis2 cannot be the same")
    out = diagonal_p(a, offset=int(offset), axis1=axis1, axis2=axis2)
    mark_view(out, a)
    return out


register("diagonal", diagonal, "primitive")


def diag(v, k=0):
    """``numpy.diag``: of a 1-D array, the 2-D array with ``v`` on diagonal ``k``; of a
    2-D array, its diagonal ``k`` (a view)."""
    nd = _ndim(v)
    k = int(k)
    if nd == 1:
        n = shape_of(v)[0] + abs(k)
        return diag_embed_p(v, shape=(n, n), offset=k, axis1=0, axis2=1)
    if nd == 2:
        return diagonal(v, k)
    raise ValueError("wengert.numpy.diag: input must be 1- or 2-d")


register("diag", diag, "composite")


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """``numpy.trace``: ``sum(diagonal(a, offset, axis1, axis2), axis=-1)``."""
    if out is not None:
        raise TypeError("wengert.numpy.trace: out= is not supported on traced values")
    from .reductions import sum as _sum

    return _sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


register("trace", trace, "composite")


def _triangle(m, mask):
    from .elementwise import where_p

    return where_p(mask, m, onp.zeros((), dtype=dtype_of(m)))


def tril(m, k=0):
    """``numpy.tril``: ``where(mask, m, 0)`` with the constant lower-triangle mask of the
    last two axes (derivative: the cotangent masked the same way)."""
    return _triangle(m, onp.tri(*shape_of(m)[-2:], k=int(k), dtype=bool))


register("tril", tril, "composite")


def triu(m, k=0):
    """``numpy.triu``: ``where(mask, m, 0)`` with the constant upper-triangle mask."""
    return _triangle(m, ~onp.tri(*shape_of(m)[-2:], k=int(k) - 1, dtype=bool))


register("triu", triu, "composite")
