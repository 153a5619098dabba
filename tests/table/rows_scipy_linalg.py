"""Rows for ``wengert.scipy.linalg`` (see ``row.py``); structured inputs are built inside
``fn`` (``spd``: ``a aᵀ + 3I``; ``near_eye``: ``I + a/4``, whose logarithm and square
root are real and well conditioned)."""

from __future__ import annotations

import numpy as onp
import scipy.linalg as sla

import wengert.numpy as wnp
import wengert.scipy.linalg as wsl

from .row import Row
from .rows_linalg import mT, np_spd, spd, wellcond

F64 = ("float64",)


def near_eye(a):
    return onp.eye(a.shape[-1], dtype=a.dtype) + 0.25 * a


def row(entry, fn, numpy_fn, shapes, dtypes=F64, **kw):
    return Row(entries=(f"scipy.linalg.{entry}",), fn=fn, numpy_fn=numpy_fn, shapes=shapes,
               domains=("real",) * len(shapes[0]), dtypes=dtypes, **kw)


def _tri(a, lower):
    """``a + 3I``: its triangles are well conditioned."""
    return a + 3.0 * onp.eye(a.shape[-1], dtype=a.dtype)


ROWS = [
    # -- triangular solves ----------------------------------------------------------------
    *[row("solve_triangular",
          (lambda kw: lambda a, b: wsl.solve_triangular(_tri(a, True), b, **kw))(kw),
          (lambda kw: lambda a, b: sla.solve_triangular(_tri(a, True), b, **kw))(kw),
          [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 2))], dtypes=("float64",
                                                                                "float32"))
      for kw in [{}, {"lower": True}, {"trans": 1}, {"trans": "T", "lower": True},
                 {"unit_diagonal": True, "lower": True}, {"trans": 2}]],
    # -- solve, inv, det -------------------------------------------------------------------
    row("solve", lambda a, b: wsl.solve(wellcond(a), b),
        lambda a, b: sla.solve(wellcond(a), b), [((3, 3), (3,)), ((3, 3), (3, 2))]),
    row("solve", lambda a, b: wsl.solve(spd(a) + wnp.triu(a, 1), b, assume_a="pos",
                                        lower=True),
        lambda a, b: sla.solve(np_spd(a) + onp.triu(a, 1), b, assume_a="pos", lower=True),
        [((3, 3), (3, 2))]),
    row("solve", lambda a, b: wsl.solve(spd(a) + wnp.tril(a, -1), b, assume_a="sym"),
        lambda a, b: sla.solve(np_spd(a) + onp.tril(a, -1), b, assume_a="sym"),
        [((3, 3), (3,))]),
    row("solve", lambda a, b: wsl.solve(wellcond(a), b, transposed=True),
        lambda a, b: sla.solve(wellcond(a), b, transposed=True), [((3, 3), (3, 2))]),
    row("solve", lambda a, b: wsl.solve(_tri(a, True), b, assume_a="lower triangular"),
        lambda a, b: sla.solve(_tri(a, True), b, assume_a="lower triangular"),
        [((3, 3), (3, 2))]),
    *[row("solve", (lambda k: lambda a, b: wsl.solve(wellcond(a), b, assume_a=k))(k),
          (lambda k: lambda a, b: sla.solve(wellcond(a), b, assume_a=k))(k),
          [((3, 3), (3,)), ((3, 3), (3, 2))]) for k in ("tridiagonal", "banded")],
    row("solve", lambda a, b: wsl.solve(wellcond(a), b, assume_a="tridiagonal",
                                        transposed=True),
        lambda a, b: sla.solve(wellcond(a), b, assume_a="tridiagonal", transposed=True),
        [((3, 3), (3, 2))]),
    *[row("solve", (lambda k: lambda a, b: wsl.solve(wellcond(a), b, assume_a=k, lower=True))(
        k), (lambda k: lambda a, b: sla.solve(wellcond(a), b, assume_a=k, lower=True))(k),
        [((3, 3), (3, 2))], dtypes=("float64", "complex128"))
      for k in ("her", "sym", "tridiagonal")],
    row("solve", lambda a, b: wsl.solve(wellcond(a), b, assume_a="diagonal"),
        lambda a, b: sla.solve(wellcond(a), b, assume_a="diagonal"), [((3, 3), (3,))]),
    row("inv", lambda a: wsl.inv(wellcond(a)), lambda a: sla.inv(wellcond(a)),
        [((3, 3),), ((2, 3, 3),)]),
    row("inv", lambda a: wsl.inv(spd(a) + wnp.triu(a, 1), assume_a="pos", lower=True),
        lambda a: sla.inv(np_spd(a) + onp.triu(a, 1), assume_a="pos", lower=True),
        [((3, 3),)]),
    row("inv", lambda a: wsl.inv(_tri(a, False), assume_a="upper triangular"),
        lambda a: sla.inv(_tri(a, False), assume_a="upper triangular"), [((3, 3),)]),
    row("det", wsl.det, sla.det, [((3, 3),), ((2, 3, 3),)]),
    # -- Cholesky and LU -----------------------------------------------------------------
    row("cho_factor", lambda a: wsl.cho_factor(spd(a))[0],
        lambda a: sla.cho_factor(np_spd(a))[0], [((3, 3),), ((4, 4),)]),
    row("cho_factor", lambda a: wsl.cho_factor(spd(a) + wnp.triu(a, 1), lower=True)[0],
        lambda a: sla.cho_factor(np_spd(a) + onp.triu(a, 1), lower=True)[0], [((3, 3),)]),
    *[row("cho_solve", (lambda low: lambda a, b: wsl.cho_solve(
        wsl.cho_factor(spd(a), lower=low), b))(low),
        (lambda low: lambda a, b: sla.cho_solve(sla.cho_factor(np_spd(a), lower=low), b))(low),
        [((3, 3), (3,)), ((3, 3), (3, 2))]) for low in (False, True)],
    row("lu_factor", lambda a: wsl.lu_factor(a)[0], lambda a: sla.lu_factor(a)[0],
        [((3, 3),), ((4, 4),), ((2, 3, 3),)]),
    *[row("lu_solve", (lambda tr: lambda a, b: wsl.lu_solve(wsl.lu_factor(a), b, trans=tr))(tr),
          (lambda tr: lambda a, b: sla.lu_solve(sla.lu_factor(a), b, trans=tr))(tr),
          [((3, 3), (3,)), ((4, 4), (4, 2))]) for tr in (0, 1)],
    # -- matrix functions --------------------------------------------------------------------
    row("expm", wsl.expm, sla.expm, [((3, 3),), ((2, 3, 3),), ((1, 1),)],
        dtypes=("float64", "float32")),
    row("logm", lambda a: wsl.logm(near_eye(a)), lambda a: sla.logm(near_eye(a)),
        [((3, 3),), ((2, 3, 3),)], rtol=1e-5, atol=1e-6),
    row("sqrtm", lambda a: wsl.sqrtm(spd(a)), lambda a: sla.sqrtm(np_spd(a)), [((3, 3),)]),
    row("sqrtm", lambda a: wsl.sqrtm(near_eye(a)), lambda a: sla.sqrtm(near_eye(a)),
        [((3, 3),), ((2, 3, 3),)]),
    row("solve_sylvester", lambda a, b, q: wsl.solve_sylvester(wellcond(a), wellcond(b), q),
        lambda a, b, q: sla.solve_sylvester(wellcond(a), wellcond(b), q),
        [((3, 3), (2, 2), (3, 2)), ((2, 2), (2, 2), (2, 2))]),
    # -- eigh, block_diag ------------------------------------------------------------------
    row("eigh", lambda a: wsl.eigh(a)[0], lambda a: sla.eigh(a)[0], [((3, 3),)]),
    row("eigh", lambda a: wsl.eigh(a, lower=False)[1] ** 2,
        lambda a: sla.eigh(a, lower=False)[1] ** 2, [((3, 3),)]),
    row("eigh", lambda a, b: (lambda w, v: (w, v ** 2))(*wsl.eigh(a, spd(b))),
        lambda a, b: (lambda w, v: (w, v ** 2))(*sla.eigh(a, np_spd(b))), [((3, 3), (3, 3))],
        rtol=1e-5, atol=1e-7),
    row("eigh", lambda a: wsl.eigh(a, eigvals_only=True, subset_by_index=(1, 2)),
        lambda a: sla.eigh(a, eigvals_only=True, subset_by_index=(1, 2)), [((4, 4),)]),
    # Generalised problems of types 2 and 3, and a value window that holds exactly the
    # middle two eigenvalues of `0.1 a + diag(0, 5, 10, 15)`.
    *[row("eigh", (lambda k: lambda a, b: (lambda w, v: (w, v ** 2))(
        *wsl.eigh(a, spd(b), type=k, lower=False)))(k),
        (lambda k: lambda a, b: (lambda w, v: (w, v ** 2))(
            *sla.eigh(a, np_spd(b), type=k, lower=False)))(k),
        [((3, 3), (3, 3)), ((2, 3, 3), (2, 3, 3))], rtol=1e-5, atol=1e-7) for k in (2, 3)],
    row("eigh", lambda a: (lambda w, v: (w, v ** 2))(*wsl.eigh(
        0.1 * a + onp.diag([0.0, 5.0, 10.0, 15.0]), subset_by_value=(2.0, 12.0))),
        lambda a: (lambda w, v: (w, v ** 2))(*sla.eigh(
            0.1 * a + onp.diag([0.0, 5.0, 10.0, 15.0]), subset_by_value=(2.0, 12.0))),
        [((4, 4),), ((2, 4, 4),)]),
    row("block_diag", lambda a, b, c: wsl.block_diag(a, b, c),
        lambda a, b, c: sla.block_diag(a, b, c), [((2, 3), (3,), ())]),
    row("block_diag", lambda a: wsl.block_diag(a, mT(a)), lambda a: sla.block_diag(a, a.T),
        [((2, 3),)], dtypes=("float64", "float32")),
]
