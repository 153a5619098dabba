"""Two primitives on symmetric positive-definite matrices, for the multivariate normal.

For a symmetric positive-definite ``C`` (d x d), factorised once per call by Cholesky
(``C = L L^T``, O(d^3)), and right-hand sides ``B`` as rows (n x d):

* ``spd_solve(C, B) = B C^-1`` (each row solved; O(d^3 + n d^2));
  d(B C^-1) = dB C^-1 - A dC C^-1 with A = B C^-1, so

  - VJP in B: ``G C^-1 = spd_solve(C, G)``; VJP in C: ``-A^T (G C^-1)``;
  - JVP: ``spd_solve(C, dB) - spd_solve(C, A dC)``.

* ``spd_logdet(C) = log det C = 2 sum log diag L`` (O(d^3));
  VJP ``g C^-1 = g spd_solve(C, I)``, JVP ``sum(C^-1 * dC)``.

The rules are those of the general (unsymmetric) matrix functions, evaluated at a
symmetric ``C``; the callers symmetrise ``C`` first, so derivatives in every entry are
exact. Rules use these primitives again, so they differentiate to any order.
A matrix that is not positive definite raises NumPy's ``LinAlgError`` unchanged.
"""

from __future__ import annotations

import numpy as onp
import scipy.linalg as sla

import wengert.numpy as wnp

from ...core import ANS, Primitive, defjvp, defvjp, shape_of


def _rows(x):
    """``x`` as a matrix of rows (n x d)."""
    return wnp.reshape(x, (-1, shape_of(x)[-1]))


def _solve_impl(c, b):
    factor = sla.cho_factor(c, lower=True)
    rows = onp.reshape(b, (-1, onp.shape(b)[-1]))
    return onp.reshape(sla.cho_solve(factor, rows.T).T, onp.shape(b))


spd_solve = Primitive("scipy.stats.spd_solve", _solve_impl)
defvjp(spd_solve,
       lambda g, ans, c, b: -wnp.matmul(wnp.transpose(_rows(ans)), _rows(spd_solve(c, g))),
       lambda g, ans, c, b: spd_solve(c, g),
       reads=((0, ANS), (0,)))
defjvp(spd_solve,
       lambda t, ans, c, b: -spd_solve(c, wnp.matmul(ans, t)),
       lambda t, ans, c, b: spd_solve(c, t))


def _logdet_impl(c):
    factor = onp.linalg.cholesky(c)
    return 2.0 * onp.sum(onp.log(onp.diagonal(factor)))


def _inverse(c):
    return spd_solve(c, onp.eye(shape_of(c)[-1], dtype=wnp.result_type(c)))


spd_logdet = Primitive("scipy.stats.spd_logdet", _logdet_impl)
defvjp(spd_logdet, lambda g, ans, c: g * _inverse(c), reads=((0,),))
defjvp(spd_logdet, lambda t, ans, c: wnp.sum(_inverse(c) * t))
