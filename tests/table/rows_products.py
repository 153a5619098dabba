"""Rows for the products, diagonals and triangles of ``products.py``.

Non-array arguments (``axes``, subscripts, ``k``, ``offset``) are fixed per row; the
shapes cover 0-d operands where NumPy allows them, vectors, matrices, 3-D and batched
operands (with broadcasting in ``matmul`` and ``einsum``).
"""

from __future__ import annotations

import dataclasses

import numpy as onp

import wengert.numpy as wnp

from .row import COMPLEX, Row


def two(name, shapes, **kw):
    """``wnp.<name>(a, b, **kw)`` against ``numpy.<name>(a, b, **kw)``."""
    return Row(entries=(name,), fn=lambda a, b: getattr(wnp, name)(a, b, **kw),
               shapes=shapes, domains=("real", "real"),
               numpy_fn=lambda a, b: getattr(onp, name)(a, b, **kw))


def one(name, shapes, **kw):
    return Row(entries=(name,), fn=lambda x: getattr(wnp, name)(x, **kw), shapes=shapes,
               domains=("real",), numpy_fn=lambda x: getattr(onp, name)(x, **kw))


def ein(spec, *shapes):
    """``einsum(spec, ...)``; NumPy's value with its path optimiser, as wengert's."""
    return Row(entries=("einsum",), fn=lambda *ops: wnp.einsum(spec, *ops),
               shapes=[tuple(shapes)], domains=("real",) * len(shapes),
               numpy_fn=lambda *ops: onp.einsum(spec, *ops, optimize=len(ops) > 1))


ROWS = [
    # -- matmul, dot -----------------------------------------------------------------------
    two("matmul", [((3, 4), (4, 5)), ((4,), (4,)), ((2, 3, 4), (4,)), ((4,), (2, 4, 3)),
                   ((2, 1, 3, 4), (5, 4, 2))]),
    # x @ x.T and x.T @ x: recorded as one Gram product (its own rules)
    Row(entries=("matmul",), fn=lambda x: wnp.matmul(x, wnp.swapaxes(x, -1, -2)),
        shapes=[((3, 4),), ((2, 3, 4),)], domains=("real",),
        numpy_fn=lambda x: onp.matmul(x, onp.swapaxes(x, -1, -2))),
    Row(entries=("matmul", "dot"), fn=lambda x: wnp.dot(x.T, x), shapes=[((3, 4),)],
        domains=("real",), numpy_fn=lambda x: onp.dot(x.T, x)),
    two("dot", [((), (3,)), ((3, 4), ()), ((3,), (3,)), ((2, 3), (3,)), ((2, 3), (3, 4)),
                ((3,), (3, 2)), ((2, 3, 4), (4,)), ((2, 3, 4), (5, 4, 2)),
                ((4,), (2, 4, 3)), ((3, 4), (2, 4, 2))]),
    # -- tensordot, inner, outer, kron ----------------------------------------------------------
    two("tensordot", [((3, 4), (4, 5)), ((4,), (4,)), ((2, 3), (3,))], axes=1),
    two("tensordot", [((2, 3, 4), (3, 4, 5)), ((3, 4), (3, 4))]),
    two("tensordot", [((2, 3, 4), (4, 2))], axes=([0, 2], [1, 0])),
    two("tensordot", [((), (3,)), ((2,), (3, 2))], axes=0),
    two("tensordot", [((3, 2), (2, 3))], axes=(-1, 0)),
    two("inner", [((4,), (4,)), ((3, 4), (2, 4)), ((), (3,)), ((2, 3, 4), (4,))]),
    two("outer", [((3,), (4,)), ((2, 2), (3,)), ((), (2,))]),
    two("vdot", [((4,), (4,)), ((3, 4), (2, 6)), ((), ())]),
    two("kron", [((2, 3), (3, 2)), ((3,), (2, 2)), ((), (3,)), ((2, 1, 2), (2, 3))]),
    # -- einsum: one, two and three operands, implicit and explicit, ellipsis --------------------
    ein("ii->i", (3, 3)),
    ein("ij->ji", (3, 4)),
    ein("ii", (4, 4)),
    ein("ijk->k", (2, 3, 4)),
    ein("...ii->...i", (2, 3, 3)),
    ein("ij,jk->ik", (3, 4), (4, 2)),
    ein("ij,jk", (3, 4), (4, 2)),
    ein("bij,bjk->bik", (2, 3, 4), (2, 4, 2)),
    ein("i,i", (4,), (4,)),
    ein("ij,ij->ij", (3, 1), (3, 4)),
    ein("ii,i->i", (3, 3), (3,)),
    ein("...ij,...jk->...ik", (2, 3, 4), (4, 2)),
    ein(",i->i", (), (3,)),
    ein("ij,jk,kl->il", (2, 3), (3, 4), (4, 2)),
    ein("i,j,k->ijk", (2,), (3,), (2,)),
    ein("ij,j,jk", (2, 3), (3,), (3, 2)),
    # -- diagonals and triangles ----------------------------------------------------------------
    one("trace", [((4, 4),), ((3, 5),), ((2, 3, 4),)]),
    one("trace", [((3, 5),), ((2, 3, 4),)], offset=1),
    one("trace", [((2, 3, 4),)], offset=-1, axis1=1, axis2=2),
    one("diag", [((4,),), ((3, 4),), ((4, 3),)]),
    one("diag", [((3,),), ((3, 4),)], k=1),
    one("diag", [((3,),), ((4, 3),)], k=-2),
    one("diagonal", [((3, 4),), ((2, 3, 4),)]),
    one("diagonal", [((2, 3, 4),)], offset=1, axis1=2, axis2=0),
    one("diagonal", [((4, 3),)], offset=-1),
    Row(entries=("diagonal", "trace"), fn=lambda x: x.diagonal(1) * x.trace(),
        shapes=[((3, 4),)], domains=("real",),
        numpy_fn=lambda x: x.diagonal(1) * x.trace()),
    one("tril", [((4, 4),), ((3, 5),), ((2, 3, 4),), ((3,),)]),
    one("tril", [((4, 4),), ((2, 3, 4),)], k=-1),
    one("triu", [((4, 4),), ((3, 5),), ((2, 3, 4),), ((3,),)]),
    one("triu", [((3, 5),), ((2, 4, 3),)], k=1),
]

# Complex inputs: every product is holomorphic (bilinear), so its rules take no conjugate.
# (complex128 only: complex64 runs the same code paths; rows_elementwise tests it.)
ROWS += [dataclasses.replace(r, dtypes=COMPLEX[:1]) for r in list(ROWS)]
