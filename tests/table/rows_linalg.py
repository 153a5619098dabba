"""Rows for ``wengert.numpy.linalg`` (see ``row.py``).

Inputs that need structure are built inside ``fn`` from unstructured ones, so the finite
differences see the whole map: ``spd(a) = a aᵀ + 3I`` (symmetric positive definite),
``wellcond(a) = a + 3I`` (well conditioned). Decompositions whose outputs are only
defined up to a basis (eigenvectors, singular vectors) are checked through quantities
that are smooth functions of the input with LAPACK's conventions (signs fixed by
``U ⊙ U``-style products or products of paired vectors). float64 only where float32
finite differences of an O(n³) map are too coarse for 1e-3.
"""

from __future__ import annotations

import numpy as onp

import wengert.numpy as wnp

from .row import Row

L = wnp.linalg
F64 = ("float64",)


def mT(x):
    return wnp.swapaxes(x, -1, -2)


def spd(a, xp=wnp):
    n = a.shape[-1]
    return a @ xp.swapaxes(a, -1, -2) + 3.0 * onp.eye(n, dtype=a.dtype)


def wellcond(a):
    return a + 3.0 * onp.eye(a.shape[-1], dtype=a.dtype)


def np_spd(a):
    return spd(a, onp)


SQ = [((3, 3),), ((2, 3, 3),)]


def row(entry, fn, numpy_fn, shapes, domains=None, dtypes=F64, **kw):
    return Row(entries=(entry,), fn=fn, numpy_fn=numpy_fn, shapes=shapes,
               domains=domains or ("real",) * len(shapes[0]), dtypes=dtypes, **kw)


ROWS = [
    # -- solve, inv, det, slogdet ----------------------------------------------------------
    row("linalg.solve", lambda a, b: L.solve(wellcond(a), b),
        lambda a, b: onp.linalg.solve(wellcond(a), b),
        [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 2)), ((2, 3, 3), (3, 1)),
         ((3, 3), (2, 3, 2))], dtypes=("float64", "float32")),
    row("linalg.solve", lambda a, b: L.solve(spd(a), b),
        lambda a, b: onp.linalg.solve(np_spd(a), b), [((3, 3), (3,)), ((2, 3, 3), (2, 3, 2))]),
    row("linalg.inv", lambda a: L.inv(wellcond(a)), lambda a: onp.linalg.inv(wellcond(a)),
        SQ, dtypes=("float64", "float32")),
    row("linalg.inv", lambda a: L.inv(spd(a)), lambda a: onp.linalg.inv(np_spd(a)), SQ),
    row("linalg.det", L.det, onp.linalg.det, SQ + [((1, 1),)], dtypes=("float64", "float32")),
    row("linalg.det", lambda a: L.det(spd(a)), lambda a: onp.linalg.det(np_spd(a)), SQ),
    row("linalg.slogdet", L.slogdet, onp.linalg.slogdet, SQ),
    row("linalg.slogdet", lambda a: L.slogdet(spd(a)), lambda a: onp.linalg.slogdet(np_spd(a)),
        SQ),
    # -- decompositions --------------------------------------------------------------------
    row("linalg.cholesky", lambda a: L.cholesky(spd(a)),
        lambda a: onp.linalg.cholesky(np_spd(a)), SQ + [((4, 4),)]),
    # Only the lower triangle is read: the upper one of a non-symmetric input has no effect.
    row("linalg.cholesky", lambda a: L.cholesky(spd(a) + wnp.triu(a, 1)),
        lambda a: onp.linalg.cholesky(np_spd(a) + onp.triu(a, 1)), SQ),
    row("linalg.cholesky", lambda a: L.cholesky(spd(a) + wnp.tril(a, -1), upper=True),
        lambda a: onp.linalg.cholesky(np_spd(a) + onp.tril(a, -1), upper=True), SQ),
    # eigh: values, and eigenvectors through sign-independent products.
    row("linalg.eigh", lambda a: L.eigh(a)[0], lambda a: onp.linalg.eigh(a)[0], SQ),
    row("linalg.eigh", lambda a: L.eigh(a, UPLO="U")[1] ** 2,
        lambda a: onp.linalg.eigh(a, UPLO="U")[1] ** 2, SQ),
    row("linalg.eigh", lambda a: (lambda w, v: v[..., :1] * v[..., 1:2] * w[..., None, 2:])(
        *L.eigh(a)), lambda a: (lambda w, v: v[..., :1] * v[..., 1:2] * w[..., None, 2:])(
        *onp.linalg.eigh(a)), SQ),
    row("linalg.eigvalsh", L.eigvalsh, onp.linalg.eigvalsh, SQ),
    row("linalg.eigvalsh", lambda a: L.eigvalsh(a, UPLO="U"),
        lambda a: onp.linalg.eigvalsh(a, UPLO="U"), SQ),
    # svd: singular values; singular vectors through u_i v_iᵀ products (sign-free).
    row("linalg.svd", lambda a: L.svd(a, compute_uv=False),
        lambda a: onp.linalg.svd(a, compute_uv=False), [((3, 3),), ((4, 3),), ((2, 3, 4),)]),
    row("linalg.svd", lambda a: (lambda u, s, vh: (u[..., :, :1] * vh[..., :1, :], s,
                                                    u[..., :, 1:2] * vh[..., 1:2, :]))(
        *L.svd(a, full_matrices=False)),
        lambda a: (lambda u, s, vh: (u[..., :, :1] * vh[..., :1, :], s,
                                     u[..., :, 1:2] * vh[..., 1:2, :]))(
            *onp.linalg.svd(a, full_matrices=False)),
        [((3, 3),), ((4, 3),), ((3, 5),), ((2, 4, 3),)]),
    row("linalg.svd", lambda a: (lambda u, s, vh: (u[..., :, :2] ** 2, vh[..., :2, :] ** 2))(
        *L.svd(a)), lambda a: (lambda u, s, vh: (u[..., :, :2] ** 2, vh[..., :2, :] ** 2))(
        *onp.linalg.svd(a)), [((3, 3),), ((4, 2),), ((2, 5),)]),
    # full_matrices: the completing columns through their (unique) projector.
    row("linalg.svd", lambda a: (lambda u, s, vh: (u[..., :, 2:] @ mT(u[..., :, 2:]), s))(
        *L.svd(a)), lambda a: (lambda u, s, vh: (u[..., :, 2:] @ mT(u[..., :, 2:]), s))(
        *onp.linalg.svd(a)), [((4, 2),)]),
    row("linalg.svd", lambda a: (lambda u, s, vh: mT(vh[..., 2:, :]) @ vh[..., 2:, :])(
        *L.svd(a)), lambda a: (lambda u, s, vh: mT(vh[..., 2:, :]) @ vh[..., 2:, :])(
        *onp.linalg.svd(a)), [((2, 5),)]),
    row("linalg.svd", lambda a: L.svd(spd(a), hermitian=True, compute_uv=False),
        lambda a: onp.linalg.svd(np_spd(a), hermitian=True, compute_uv=False), SQ),
    row("linalg.qr", lambda a: tuple(L.qr(a)), lambda a: tuple(onp.linalg.qr(a)),
        [((3, 3),), ((4, 3),), ((3, 5),), ((2, 4, 3),), ((2, 2, 4),)]),
    row("linalg.qr", lambda a: L.qr(a, mode="r"), lambda a: onp.linalg.qr(a, mode="r"),
        [((4, 3),), ((2, 3),)]),
    row("linalg.qr", lambda a: (lambda q, r: (q[..., :, :2], r,
                                              q[..., :, 2:] @ mT(q[..., :, 2:])))(
        *L.qr(a, mode="complete")), lambda a: (lambda q, r: (
            q[..., :, :2], r, q[..., :, 2:] @ mT(q[..., :, 2:])))(
        *onp.linalg.qr(a, mode="complete")), [((4, 2),), ((2, 4, 2),)]),
]


def _abs_eig(xp):
    return lambda a: (xp.abs(xp.linalg.eig(a)[0]), xp.abs(xp.linalg.eig(a)[1]))


def _real_eigvals(xp):
    return lambda a: xp.sort(xp.real(xp.linalg.eigvals(a + xp.swapaxes(a, -1, -2) * 0.9)))


ROWS += [
    # -- norms -----------------------------------------------------------------------------
    *[row("linalg.norm", (lambda o, ax: lambda x: L.norm(x, ord=o, axis=ax))(o, ax),
          (lambda o, ax: lambda x: onp.linalg.norm(x, ord=o, axis=ax))(o, ax), shapes,
          domains=("nonzero",), dtypes=("float64", "float32"))
      for o, ax, shapes in [
          (None, None, [((4,),), ((3, 4),), ((2, 3, 2),)]),
          (2, None, [((4,),)]), (1, None, [((4,),), ((3, 4),)]), (3, -1, [((3, 4),)]),
          (0.5, 0, [((3, 4),)]), (onp.inf, None, [((5,),), ((3, 4),)]),
          (-onp.inf, 1, [((3, 4),)]), (-1, None, [((3, 4),)]), ("fro", (0, 2), [((3, 2, 4),)]),
          (-onp.inf, None, [((3, 4),)])]],
    *[row("linalg.norm", (lambda o: lambda x: L.norm(x, ord=o, axis=(-2, -1)))(o),
          (lambda o: lambda x: onp.linalg.norm(x, ord=o, axis=(-2, -1)))(o),
          [((3, 4),), ((2, 3, 3),)]) for o in ("nuc", 2, -2)],
    row("linalg.norm", lambda x: L.norm(x, axis=1, keepdims=True),
        lambda x: onp.linalg.norm(x, axis=1, keepdims=True), [((3, 4),)]),
    row("linalg.norm", lambda x: L.norm(x, ord=1, axis=(1, 0), keepdims=True),
        lambda x: onp.linalg.norm(x, ord=1, axis=(1, 0), keepdims=True), [((3, 4),)],
        domains=("nonzero",)),
    row("linalg.vector_norm", lambda x: L.vector_norm(x, ord=3, axis=(0, 1)),
        lambda x: onp.linalg.vector_norm(x, ord=3, axis=(0, 1)), [((3, 4, 2),)],
        domains=("nonzero",)),
    row("linalg.vector_norm", L.vector_norm, onp.linalg.vector_norm, [((3, 4),)]),
    row("linalg.matrix_norm", L.matrix_norm, onp.linalg.matrix_norm, [((2, 3, 4),)]),
    row("linalg.matrix_norm", lambda x: L.matrix_norm(x, ord=onp.inf, keepdims=True),
        lambda x: onp.linalg.matrix_norm(x, ord=onp.inf, keepdims=True), [((2, 3, 4),)],
        domains=("nonzero",)),
    row("linalg.svdvals", L.svdvals, onp.linalg.svdvals, [((3, 4),), ((2, 4, 3),)]),
    # -- pinv, lstsq ------------------------------------------------------------------------
    row("linalg.pinv", L.pinv, onp.linalg.pinv, [((3, 3),), ((4, 2),), ((2, 5),), ((2, 3, 4),)]),
    row("linalg.pinv", lambda a: L.pinv(spd(a), hermitian=True),
        lambda a: onp.linalg.pinv(np_spd(a), hermitian=True), [((3, 3),)]),
    # Rank-deficient (rank 2 of 4x3) with the default cut-off: constant rank nearby.
    row("linalg.pinv", lambda a, b: L.pinv(a @ b, rtol=None),
        lambda a, b: onp.linalg.pinv(a @ b, rtol=None), [((4, 2), (2, 3))]),
    row("linalg.lstsq", lambda a, b: L.lstsq(a, b)[:2] + L.lstsq(a, b)[3:],
        lambda a, b: onp.linalg.lstsq(a, b)[:2] + onp.linalg.lstsq(a, b)[3:],
        [((5, 3), (5,)), ((5, 3), (5, 2)), ((3, 3), (3,)), ((2, 4), (2, 3))]),
    # -- products and chains -------------------------------------------------------------
    *[row("linalg.matrix_power", (lambda k: lambda a: L.matrix_power(a, k))(k),
          (lambda k: lambda a: onp.linalg.matrix_power(a, k))(k), [((3, 3),), ((2, 3, 3),)])
      for k in (0, 1, 2, 3, 5, 6)],
    row("linalg.matrix_power", lambda a: L.matrix_power(wellcond(a), -3),
        lambda a: onp.linalg.matrix_power(wellcond(a), -3), [((3, 3),)]),
    row("linalg.multi_dot", lambda a, b: L.multi_dot([a, b]),
        lambda a, b: onp.linalg.multi_dot([a, b]), [((3, 4), (4, 2))]),
    row("linalg.multi_dot", lambda a, b, c: L.multi_dot([a, b, c]),
        lambda a, b, c: onp.linalg.multi_dot([a, b, c]),
        [((4,), (4, 2), (2, 5)), ((6, 2), (2, 5), (5, 1)), ((3, 4), (4, 2), (2,))]),
    row("linalg.multi_dot", lambda a, b, c, d: L.multi_dot([a, b, c, d]),
        lambda a, b, c, d: onp.linalg.multi_dot([a, b, c, d]),
        [((2, 5), (5, 3), (3, 6), (6, 2)), ((4,), (4, 3), (3, 2), (2,))]),
    row("linalg.tensorsolve", lambda a, b: L.tensorsolve(
        a + 3 * onp.eye(6).reshape(2, 3, 2, 3), b),
        lambda a, b: onp.linalg.tensorsolve(a + 3 * onp.eye(6).reshape(2, 3, 2, 3), b),
        [((2, 3, 2, 3), (2, 3))]),
    row("linalg.tensorsolve", lambda a, b: L.tensorsolve(
        a + 3 * onp.eye(6).reshape(2, 3, 3, 2).transpose(0, 1, 3, 2), b, axes=(2,)),
        lambda a, b: onp.linalg.tensorsolve(
            a + 3 * onp.eye(6).reshape(2, 3, 3, 2).transpose(0, 1, 3, 2), b, axes=(2,)),
        [((2, 3, 2, 3), (2, 3))]),
    row("linalg.tensorinv", lambda a: L.tensorinv(a + 3 * onp.eye(6).reshape(6, 2, 3), ind=1),
        lambda a: onp.linalg.tensorinv(a + 3 * onp.eye(6).reshape(6, 2, 3), ind=1),
        [((6, 2, 3),)]),
    # -- eig (complex results, real input) -------------------------------------------------
    row("linalg.eig", _abs_eig(wnp), _abs_eig(onp), [((3, 3),), ((2, 4, 4),)]),
    row("linalg.eig", lambda a: L.eig(spd(a)), lambda a: onp.linalg.eig(np_spd(a)),
        [((3, 3),)]),
    row("linalg.eigvals", _real_eigvals(wnp), _real_eigvals(onp), [((3, 3),), ((2, 4, 4),)]),
    row("linalg.eigvals", lambda a: wnp.imag(L.eigvals(a)) ** 2,
        lambda a: onp.imag(onp.linalg.eigvals(a)) ** 2, [((3, 3),)]),
    # -- array-API extras --------------------------------------------------------------------
    row("linalg.matmul", L.matmul, onp.linalg.matmul, [((2, 3, 4), (4, 2))]),
    row("linalg.matrix_transpose", L.matrix_transpose, onp.linalg.matrix_transpose,
        [((2, 3, 4),)]),
    row("linalg.outer", L.outer, onp.linalg.outer, [((3,), (4,))]),
    row("linalg.tensordot", lambda a, b: L.tensordot(a, b, axes=1),
        lambda a, b: onp.linalg.tensordot(a, b, axes=1), [((2, 3), (3, 4))]),
    row("linalg.trace", lambda x: L.trace(x, offset=1), lambda x: onp.linalg.trace(x, offset=1),
        [((2, 3, 4),)]),
    row("linalg.diagonal", L.diagonal, onp.linalg.diagonal, [((2, 3, 4),)]),
    row("linalg.vecdot", L.vecdot, onp.linalg.vecdot, [((2, 3), (3,))]),
    row("linalg.cross", L.cross, onp.linalg.cross, [((3,), (3,)), ((2, 3), (2, 3))]),
    row("linalg.cross", lambda a, b: L.cross(a, b, axis=0),
        lambda a, b: onp.linalg.cross(a, b, axis=0), [((3, 2), (3, 2))]),
]

ROWS += [
    *[row("linalg.cond", (lambda p: lambda a: L.cond(wellcond(a), p))(p),
          (lambda p: lambda a: onp.linalg.cond(wellcond(a), p))(p), [((3, 3),), ((2, 3, 3),)])
      for p in (None, -2, "fro", 1, onp.inf)],
]


# -- complex svd, qr, pinv: gauge-invariant functions (docs/linalg.md) ---------------------
C128 = ("complex128",)


def _mH(x, xp):
    return xp.conj(xp.swapaxes(x, -1, -2))


def _hpd(a, xp):
    """Hermitian positive definite ``a aᴴ + 3I``."""
    return a @ _mH(a, xp) + 3.0 * onp.eye(a.shape[-1], dtype=a.dtype)


def _svd_pairs(xp, full):
    """Phase-invariant functions of the singular vectors: ``u_j v_jᴴ``, ``|U|²``, ``s``."""
    def f(a):
        u, s, vh = xp.linalg.svd(a, full_matrices=full)
        return (u[..., :, :1] * vh[..., :1, :], s, u[..., :, 1:2] * vh[..., 1:2, :],
                xp.abs(u[..., :, :2]) ** 2, xp.abs(vh[..., :2, :]) ** 2)
    return f


def _svd_complement(xp):
    """The completing columns of a full SVD through their (unique) projectors."""
    def f(a):
        u, s, vh = xp.linalg.svd(a)
        k = min(a.shape[-2:])
        u2, v2 = u[..., :, k:], _mH(vh[..., k:, :], xp)
        return u2 @ _mH(u2, xp), v2 @ _mH(v2, xp), s
    return f


def _qr_complete(xp):
    def f(a):
        q, r = xp.linalg.qr(a, mode="complete")
        k = min(a.shape[-2:])
        return q[..., :, :k], r, q[..., :, k:] @ _mH(q[..., :, k:], xp)
    return f


ROWS += [
    row("linalg.svd", lambda a: L.svd(a, compute_uv=False),
        lambda a: onp.linalg.svd(a, compute_uv=False), [((3, 3),), ((4, 3),), ((2, 3, 4),)],
        dtypes=C128),
    row("linalg.svdvals", L.svdvals, onp.linalg.svdvals, [((3, 4),)], dtypes=C128),
    *[row("linalg.svd", _svd_pairs(wnp, full), _svd_pairs(onp, full),
          [((3, 3),), ((4, 3),), ((3, 5),), ((2, 4, 3),)], dtypes=C128)
      for full in (False, True)],
    row("linalg.svd", _svd_complement(wnp), _svd_complement(onp), [((4, 2),), ((2, 5),)],
        dtypes=C128),
    row("linalg.svd", lambda a: L.svd(_hpd(a, wnp), hermitian=True, compute_uv=False),
        lambda a: onp.linalg.svd(_hpd(a, onp), hermitian=True, compute_uv=False), SQ,
        dtypes=C128),
    row("linalg.qr", lambda a: tuple(L.qr(a)), lambda a: tuple(onp.linalg.qr(a)),
        [((3, 3),), ((4, 3),), ((3, 5),), ((2, 4, 3),), ((2, 2, 4),)], dtypes=C128),
    row("linalg.qr", lambda a: L.qr(a, mode="r"), lambda a: onp.linalg.qr(a, mode="r"),
        [((4, 3),), ((2, 3),)], dtypes=C128),
    row("linalg.qr", _qr_complete(wnp), _qr_complete(onp), [((4, 2),), ((2, 4, 2),), ((2, 3),)],
        dtypes=C128),
    row("linalg.pinv", L.pinv, onp.linalg.pinv, [((3, 3),), ((4, 2),), ((2, 5),), ((2, 3, 4),)],
        dtypes=C128),
    row("linalg.pinv", lambda a: L.pinv(_hpd(a, wnp) + wnp.triu(a, 1), hermitian=True),
        lambda a: onp.linalg.pinv(_hpd(a, onp) + onp.triu(a, 1), hermitian=True), [((3, 3),)],
        dtypes=C128),
    row("linalg.pinv", lambda a, b: L.pinv(a @ b, rtol=None),
        lambda a, b: onp.linalg.pinv(a @ b, rtol=None), [((4, 2), (2, 3))], dtypes=C128),
    row("linalg.lstsq", lambda a, b: L.lstsq(a, b)[:2] + L.lstsq(a, b)[3:],
        lambda a, b: onp.linalg.lstsq(a, b)[:2] + onp.linalg.lstsq(a, b)[3:],
        [((5, 3), (5,)), ((5, 3), (5, 2)), ((2, 4), (2, 3))], dtypes=C128),
    *[row("linalg.norm", (lambda o: lambda x: L.norm(x, ord=o, axis=(-2, -1)))(o),
          (lambda o: lambda x: onp.linalg.norm(x, ord=o, axis=(-2, -1)))(o),
          [((3, 4),), ((2, 3, 3),)], dtypes=C128) for o in ("nuc", 2, -2)],
]
