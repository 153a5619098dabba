"""Rows for ``shapes.py`` (reshape and relatives, flips, rolls, repeats, tiling, padding)
and ``joining.py`` (concatenate, stack, split and relatives).

These functions only move entries, so they are linear and their second derivatives are
zero; some rows multiply the result by a moved copy of the input (``x * flip(x)``), which
makes the second-order checks exercise the rules' own derivatives.
"""

from __future__ import annotations

import numpy as onp

import wengert.numpy as wnp

from .row import Row


def row(names, fn, shapes, numpy_fn, domains=None, **kw):
    names = (names,) if isinstance(names, str) else tuple(names)
    if domains is None:
        domains = ("real",) * len(shapes[0])
    return Row(entries=names, fn=fn, shapes=shapes, domains=tuple(domains),
               numpy_fn=numpy_fn, **kw)


def same(names, fn, shapes, **kw):
    """A row whose NumPy reference is ``fn`` with ``onp`` in place of ``wnp``."""
    return row(names, fn(wnp), shapes, fn(onp), **kw)


M34 = [((3, 4),)]
M234 = [((2, 3, 4),)]

ROWS = [
    # -- reshape and relatives ------------------------------------------------------------
    same("reshape", lambda m: lambda x: m.reshape(x, (4, 3)), M34),
    same("reshape", lambda m: lambda x: m.reshape(x, (-1, 2)), M34 + [((4,),)]),
    same("reshape", lambda m: lambda x: m.reshape(x, (1, 1)), [((),)]),
    same("reshape", lambda m: lambda x: x.reshape(2, 6) * x.reshape(2, 6)[::-1], M34),
    same("ravel", lambda m: lambda x: m.ravel(x), [((),), ((4,),), ((2, 3, 4),)]),
    row("flatten", lambda x: wnp.flatten(x), M34, lambda x: x.flatten()),
    same("transpose", lambda m: lambda x: m.transpose(x), [((),), ((4,),)] + M34 + M234),
    same("transpose", lambda m: lambda x: m.transpose(x, (1, 2, 0)), M234),
    same("transpose", lambda m: lambda x: x.T * x.T, M34),
    same("swapaxes", lambda m: lambda x: m.swapaxes(x, 0, -1), M34 + M234),
    same("expand_dims", lambda m: lambda x: m.expand_dims(x, 0), [((),), ((4,),)] + M34),
    same("expand_dims", lambda m: lambda x: m.expand_dims(x, (-1, 1)), M34),
    same("squeeze", lambda m: lambda x: m.squeeze(x), [((1,),), ((3, 1, 4, 1),)]),
    same("squeeze", lambda m: lambda x: m.squeeze(x, axis=-1), [((3, 1),)]),
    same("broadcast_to", lambda m: lambda x: m.broadcast_to(x, (2, 3, 4)),
         [((),), ((4,),), ((3, 1),), ((3, 4),)]),
    same("moveaxis", lambda m: lambda x: m.moveaxis(x, 0, -1), M34 + M234),
    same("moveaxis", lambda m: lambda x: m.moveaxis(x, (0, 1), (2, 0)), M234),
    same(("atleast_1d",), lambda m: lambda x: m.atleast_1d(x),
         [((),), ((4,),), ((3, 4),)]),
    same(("atleast_2d",), lambda m: lambda x: m.atleast_2d(x),
         [((),), ((4,),), ((3, 4),), ((2, 3, 4),)]),
    same(("atleast_3d",), lambda m: lambda x: m.atleast_3d(x),
         [((),), ((4,),), ((3, 4),), ((2, 3, 4),)]),
    same(("atleast_1d", "atleast_2d", "atleast_3d"),
         lambda m: lambda x, y: (m.atleast_1d(x, y), m.atleast_2d(x, y), m.atleast_3d(x, y)),
         [((), (4,)), ((3, 4), (2,))]),
    # -- flips, rotations, rolls ----------------------------------------------------------
    same("flip", lambda m: lambda x: m.flip(x), [((4,),)] + M34),
    same("flip", lambda m: lambda x: m.flip(x, 1) * x, M34),
    same("flip", lambda m: lambda x: m.flip(x, (0, -1)), M234),
    same("fliplr", lambda m: lambda x: m.fliplr(x) * x, M34),
    same("flipud", lambda m: lambda x: m.flipud(x), [((4,),)] + M34),
    same("rot90", lambda m: lambda x: m.rot90(x), M34),
    same("rot90", lambda m: lambda x: m.rot90(x, 2) * x, M34),
    same("rot90", lambda m: lambda x: m.rot90(x, -1, axes=(2, 0)), M234),
    same("roll", lambda m: lambda x: m.roll(x, 2), [((4,),)] + M34),
    same("roll", lambda m: lambda x: m.roll(x, -1, axis=1) * x, M34),
    same("roll", lambda m: lambda x: m.roll(x, (1, 5), axis=(0, 2)), M234),
    # -- repeat, tile, pad ----------------------------------------------------------------
    same("repeat", lambda m: lambda x: m.repeat(x, 2), [((),), ((4,),)] + M34),
    same("repeat", lambda m: lambda x: m.repeat(x, 3, axis=1), M34),
    same("repeat", lambda m: lambda x: m.repeat(x, [2, 0, 1], axis=0), M34),
    same("repeat", lambda m: lambda x: m.repeat(x, [1, 3, 0, 2], axis=-1) ** 2, M34),
    same("tile", lambda m: lambda x: m.tile(x, 2), [((),), ((4,),)] + M34),
    same("tile", lambda m: lambda x: m.tile(x, (2, 1, 3)), [((4,),)] + M34),
    same("pad", lambda m: lambda x: m.pad(x, 1), [((4,),)] + M34),
    same("pad", lambda m: lambda x: m.pad(x, ((1, 2), (0, 3)), constant_values=1.5), M34),
    same("pad", lambda m: lambda x: m.pad(x, (2, 1), mode="edge"), [((4,),)] + M34),
    same("pad", lambda m: lambda x: m.pad(x, ((1, 2), (3, 0)), mode="reflect") ** 2, M34),
    same("pad", lambda m: lambda x: m.pad(x, ((2, 4), (1, 1)), mode="symmetric"), M34),
    same("pad", lambda m: lambda x: m.pad(x, 5, mode="wrap"), [((4,),)]),
    # -- joining ---------------------------------------------------------------------------
    same("concatenate", lambda m: lambda x, y: m.concatenate([x, y]),
         [((4,), (2,)), ((2, 3), (4, 3))]),
    same("concatenate", lambda m: lambda x, y: m.concatenate((x, y, x), axis=-1) * 2.0,
         [((2, 3), (2, 1))]),
    same("concatenate", lambda m: lambda x, y: m.concatenate([x, y], axis=None),
         [((2, 3), (4,))]),
    same("concatenate", lambda m: lambda x, y: m.concatenate([x * y, onp.ones((2, 2)), y],
                                                              axis=1),
         [((2, 3), (2, 3))]),
    same("stack", lambda m: lambda x, y: m.stack([x, y]), [((), ()), ((4,), (4,))]),
    same("stack", lambda m: lambda x, y: m.stack([x, y, x * y], axis=-1),
         [((2, 3), (2, 3))]),
    same("hstack", lambda m: lambda x, y: m.hstack([x, y]),
         [((), ()), ((4,), (2,)), ((2, 3), (2, 1))]),
    same("vstack", lambda m: lambda x, y: m.vstack([x, y]),
         [((), ()), ((4,), (4,)), ((2, 4), (4,))]),
    same("dstack", lambda m: lambda x, y: m.dstack([x, y]),
         [((4,), (4,)), ((2, 3), (2, 3))]),
    same("split", lambda m: lambda x: m.split(x, 3), [((6,),), ((6, 2),)]),
    same("split", lambda m: lambda x: m.split(x, [1, 3], axis=1), M34),
    same("split", lambda m: lambda x: [p * p for p in m.split(x, 2, axis=-1)], M34),
    same("array_split", lambda m: lambda x: m.array_split(x, 3, axis=1), M34),
    same("array_split", lambda m: lambda x: m.array_split(x, [3, 1], axis=1), M34),
    same(("split", "concatenate"),
         lambda m: lambda x: m.concatenate(m.split(x, 2, axis=1)[::-1], axis=1) * x, M34),
]
