"""Matrix functions: ``expm``, ``logm``, ``sqrtm``, and ``solve_sylvester``.

* ``expm`` and ``logm``: the Fréchet derivative ``L_f(A, E)`` of a primary matrix
  function is the upper-right block of ``f([[A, E], [0, A]])`` (Mathias 1996). So
  ``JVP = f([[A, dA], [0, A]])[:n, n:]`` and, as ``L_f(A, ·)ᵀ = L_f(Aᵀ, ·)``,
  ``VJP = f([[Aᵀ, Ḡ], [0, Aᵀ]])[:n, n:]``. Both call the primitive itself on a 2n×2n
  matrix, so they differentiate again at any order; cost one evaluation of ``f`` at
  twice the size (about 8× the forward pass).
* ``sqrtm``: ``X² = A`` gives the Sylvester equation ``X dX + dX X = dA``:
  ``dX = sylv(X, X, dA)`` and ``Ā = sylv(Xᵀ, Xᵀ, Ḡ)``: one Sylvester solve (two Schur
  decompositions of ``X``, O(n³)).
* ``solve_sylvester(A, B, Q)``, ``X`` with ``AX + XB = Q``:
  ``dX = sylv(A, B, dQ − dA X − X dB)``; ``Q̄ = sylv(Aᵀ, Bᵀ, Ḡ)``, ``Ā = −Q̄ Xᵀ``,
  ``B̄ = −Xᵀ Q̄``: one more Sylvester solve, O(n³).

Real matrices (``logm``/``sqrtm`` of a real matrix with a real result; where SciPy
returns a complex result the derivative is the same formula in complex arithmetic).
"""

from __future__ import annotations

import numpy as onp
import scipy.linalg as sla

from ...core import Primitive, defjvp, defvjp, dtype_of, shape_of
from ...numpy._registry import register
from ...numpy.joining import concatenate
from ...numpy.linalg._util import as_lapack, mT, square


def _batched(fn, a):
    a = onp.asarray(a)
    if a.ndim == 2:
        return fn(a)
    flat = a.reshape((-1,) + a.shape[-2:])
    out = [onp.asarray(fn(m)) for m in flat]
    dtype = onp.result_type(*out) if out else a.dtype
    return onp.stack(out).astype(dtype).reshape(a.shape) if out else a.copy()


def _block(a, e):
    """``[[A, E], [0, A]]`` for stacks of matrices."""
    zeros = onp.zeros(shape_of(a), dtype=onp.result_type(dtype_of(a), dtype_of(e)))
    return concatenate([concatenate([a, e], axis=-1), concatenate([zeros, a], axis=-1)],
                       axis=-2)


def _frechet(prim, a, e):
    n = shape_of(a)[-1]
    return prim(_block(a, e))[..., :n, n:]


def _primary(name: str, impl):
    prim = Primitive(f"scipy.linalg.{name}", impl)
    defvjp(prim, lambda g, ans, a: _frechet(prim, mT(a), g), reads=((0,),))
    defjvp(prim, lambda t, ans, a: _frechet(prim, a, t))
    return prim


def _expm_impl(a):
    return sla.expm(onp.asarray(a))


def _logm_impl(a):
    return _batched(lambda m: sla.logm(m), a)


expm_p = _primary("expm", _expm_impl)
logm_p = _primary("logm", _logm_impl)


def expm(A):  # noqa: N803 (SciPy's name)
    """``scipy.linalg.expm`` (batched); rules in the module docstring."""
    square(A, "wengert.scipy.linalg.expm", "A")
    (A,) = as_lapack(A)
    return expm_p(A)


def logm(A, disp=True):  # noqa: N803
    """``scipy.linalg.logm`` (the principal logarithm); rules in the module docstring."""
    square(A, "wengert.scipy.linalg.logm", "A")
    (A,) = as_lapack(A)
    return logm_p(A)


# -- Sylvester equations -------------------------------------------------------------------


def _sylvester_impl(a, b, q):
    a, b, q = onp.asarray(a), onp.asarray(b), onp.asarray(q)
    if a.ndim == b.ndim == q.ndim == 2:
        return sla.solve_sylvester(a, b, q)
    batch = onp.broadcast_shapes(a.shape[:-2], b.shape[:-2], q.shape[:-2])
    a = onp.broadcast_to(a, batch + a.shape[-2:]).reshape((-1,) + a.shape[-2:])
    b = onp.broadcast_to(b, batch + b.shape[-2:]).reshape((-1,) + b.shape[-2:])
    q = onp.broadcast_to(q, batch + q.shape[-2:]).reshape((-1,) + q.shape[-2:])
    out = onp.stack([sla.solve_sylvester(*m) for m in zip(a, b, q)])
    return out.reshape(batch + out.shape[-2:])


def _q_bar(g, a, b):
    return sylvester_p(mT(a), mT(b), g)


sylvester_p = Primitive("scipy.linalg.solve_sylvester", _sylvester_impl)
defvjp(
    sylvester_p,
    lambda g, x, a, b, q: -(_q_bar(g, a, b) @ mT(x)),
    lambda g, x, a, b, q: -(mT(x) @ _q_bar(g, a, b)),
    lambda g, x, a, b, q: _q_bar(g, a, b),
    reads=((0, 1, -1), (0, 1, -1), (0, 1)),
)
defjvp(
    sylvester_p,
    lambda t, x, a, b, q: sylvester_p(a, b, -(t @ x)),
    lambda t, x, a, b, q: sylvester_p(a, b, -(x @ t)),
    lambda t, x, a, b, q: sylvester_p(a, b, t),
)


def solve_sylvester(a, b, q):
    """``scipy.linalg.solve_sylvester``: ``X`` with ``AX + XB = Q`` (batched)."""
    square(a, "wengert.scipy.linalg.solve_sylvester", "a")
    square(b, "wengert.scipy.linalg.solve_sylvester", "b")
    a, b, q = as_lapack(a, b, q)
    return sylvester_p(a, b, q)


# -- sqrtm ----------------------------------------------------------------------------------


def _sqrtm_impl(a):
    return _batched(lambda m: sla.sqrtm(m), a)


sqrtm_p = Primitive("scipy.linalg.sqrtm", _sqrtm_impl)
defvjp(sqrtm_p, lambda g, x, a: sylvester_p(mT(x), mT(x), g), reads=((-1,),))
defjvp(sqrtm_p, lambda t, x, a: sylvester_p(x, x, t))


def sqrtm(A, disp=True, blocksize=64):  # noqa: N803
    """``scipy.linalg.sqrtm`` (the principal square root); rules in the module
    docstring."""
    square(A, "wengert.scipy.linalg.sqrtm", "A")
    (A,) = as_lapack(A)
    return sqrtm_p(A)


register("scipy.linalg.expm", expm, "primitive", sla.expm)
register("scipy.linalg.logm", logm, "primitive", sla.logm)
register("scipy.linalg.sqrtm", sqrtm, "primitive", sla.sqrtm)
register("scipy.linalg.solve_sylvester", solve_sylvester, "primitive", sla.solve_sylvester)


