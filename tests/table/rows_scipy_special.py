"""Rows for ``wengert.scipy.special``: values against SciPy, derivatives against central
differences (order 2). Arguments outside a function's domain are mapped into it inside
``fn`` and ``numpy_fn`` alike (``0.5 + 0.45 x`` for probabilities, with ``x`` in
``(-0.9, 0.9)``)."""

from __future__ import annotations

import numpy as np
import scipy.special as sc

import wengert.scipy.special as ws

from .row import BINARY_SHAPES, UNARY_SHAPES, Row


def _prob(x):
    return 0.5 + 0.45 * x


UNARY = [
    # (name, domain, rtol/atol)
    ("gammaln", "positive", 1e-6),
    ("digamma", "positive", 1e-6),
    ("gamma", "positive", 1e-6),
    ("erf", "real", 1e-6),
    ("erfc", "real", 1e-6),
    ("erfinv", "unit", 1e-5),
    ("expit", "real", 1e-6),
    ("log_expit", "real", 1e-6),
    ("entr", "positive", 1e-6),
    ("i0", "real", 1e-6),
    ("i1", "real", 1e-6),
    ("i0e", "nonzero", 1e-6),
    ("i1e", "nonzero", 1e-6),
    ("ndtr", "real", 1e-6),
    ("log_ndtr", "real", 1e-6),
]

ROWS = [
    Row((f"scipy.special.{name}",), getattr(ws, name), UNARY_SHAPES, (domain,),
        numpy_fn=getattr(sc, name), rtol=tol, atol=tol)
    for name, domain, tol in UNARY
]

ROWS += [
    Row(("scipy.special.psi",), ws.psi, [((4,),)], ("positive",), numpy_fn=sc.psi),
    # Probabilities in (0.095, 0.905), and erfcinv's argument in (0.1, 1.9).
    Row(("scipy.special.logit",), lambda x: ws.logit(_prob(x)), UNARY_SHAPES, ("unit",),
        numpy_fn=lambda x: sc.logit(_prob(x)), rtol=1e-5, atol=1e-5),
    Row(("scipy.special.ndtri",), lambda x: ws.ndtri(_prob(x)), UNARY_SHAPES, ("unit",),
        numpy_fn=lambda x: sc.ndtri(_prob(x)), rtol=1e-5, atol=1e-5),
    Row(("scipy.special.erfcinv",), lambda x: ws.erfcinv(2 * _prob(x)), UNARY_SHAPES,
        ("unit",), numpy_fn=lambda x: sc.erfcinv(2 * _prob(x)), rtol=1e-5, atol=1e-5),
    # log_ndtr far in the left tail, where ndtr underflows.
    Row(("scipy.special.log_ndtr",), lambda x: ws.log_ndtr(x - 40.0), [((3,),)], ("real",),
        numpy_fn=lambda x: sc.log_ndtr(x - 40.0), dtypes=("float64",)),
    # SciPy's polygamma computes in float64; wengert keeps float32 inputs float32, so
    # the value check runs in float64 (float32 is exercised through digamma's rules).
    Row(("scipy.special.polygamma",), lambda x: ws.polygamma(2, x), UNARY_SHAPES,
        ("positive",), numpy_fn=lambda x: sc.polygamma(2, x), dtypes=("float64",)),
    Row(("scipy.special.multigammaln",), lambda a: ws.multigammaln(a + 1.5, 3),
        UNARY_SHAPES, ("positive",), numpy_fn=lambda a: sc.multigammaln(a + 1.5, 3),
        dtypes=("float64",)),
    Row(("scipy.special.beta",), ws.beta, BINARY_SHAPES, ("positive", "positive"),
        numpy_fn=sc.beta, rtol=1e-5, atol=1e-5),
    Row(("scipy.special.betaln",), ws.betaln, BINARY_SHAPES, ("positive", "positive"),
        numpy_fn=sc.betaln, rtol=1e-5, atol=1e-5),
    Row(("scipy.special.xlogy",), ws.xlogy, BINARY_SHAPES, ("real", "positive"),
        numpy_fn=sc.xlogy),
    Row(("scipy.special.xlog1py",), ws.xlog1py, BINARY_SHAPES, ("real", "positive"),
        numpy_fn=sc.xlog1py),
    Row(("scipy.special.rel_entr",), ws.rel_entr, BINARY_SHAPES, ("positive", "positive"),
        numpy_fn=sc.rel_entr),
    # Bessel functions of real order, differentiated in x (the order is a constant).
    Row(("scipy.special.iv",), lambda x: ws.iv(1.5, x), UNARY_SHAPES, ("positive",),
        numpy_fn=lambda x: sc.iv(1.5, x)),
    # Integer orders on both sides of 0 (|x| in ive), half-integer orders for x > 0.
    Row(("scipy.special.ive",), lambda x: ws.ive(np.array([0.0, 1.0, 2.0, 3.0]), x),
        [((4,),), ((3, 4),)], ("nonzero",),
        numpy_fn=lambda x: sc.ive(np.array([0.0, 1.0, 2.0, 3.0]), x)),
    Row(("scipy.special.ive",), lambda x: ws.ive(np.array([0.5, 1.5, 2.5, -0.5]), x),
        [((3, 4),)], ("positive",),
        numpy_fn=lambda x: sc.ive(np.array([0.5, 1.5, 2.5, -0.5]), x)),
    # Both arguments differentiated: the order v through bessel_order's series (x here is
    # in (0.5, 2)); orders of both signs.
    Row(("scipy.special.iv",), ws.iv, BINARY_SHAPES, ("real", "positive"), numpy_fn=sc.iv),
    Row(("scipy.special.ive",), ws.ive, BINARY_SHAPES, ("real", "positive"),
        numpy_fn=sc.ive),
    # Riemann zeta in x (also in (-1.9, -0.4), through its analytic continuation),
    # Hurwitz zeta in both arguments.
    Row(("scipy.special.zeta",), lambda x: ws.zeta(x + 1.0), UNARY_SHAPES, ("above_one",),
        numpy_fn=lambda x: sc.zeta(x + 1.0), dtypes=("float64",)),
    Row(("scipy.special.zeta",), lambda x: ws.zeta(x - 2.4), [((4,),)], ("positive",),
        numpy_fn=lambda x: sc.zeta(x - 2.4), dtypes=("float64",)),
    Row(("scipy.special.zeta",), lambda x, q: ws.zeta(x + 1.0, q), BINARY_SHAPES[:4],
        ("above_one", "positive"), numpy_fn=lambda x, q: sc.zeta(x + 1.0, q),
        dtypes=("float64",)),
    # logsumexp and friends, over all axes, one axis, with keepdims, with b.
    Row(("scipy.special.logsumexp",), ws.logsumexp, UNARY_SHAPES, ("real",),
        numpy_fn=sc.logsumexp),
    Row(("scipy.special.logsumexp",), lambda a: ws.logsumexp(a, axis=-1, keepdims=True),
        [((3, 4),)], ("real",), numpy_fn=lambda a: sc.logsumexp(a, axis=-1, keepdims=True)),
    Row(("scipy.special.logsumexp",), lambda a, b: ws.logsumexp(a, axis=0, b=b),
        [((3, 4), (3, 4)), ((3, 4), (4,))], ("real", "positive"),
        numpy_fn=lambda a, b: sc.logsumexp(a, axis=0, b=b)),
    # b with both signs: log|sum| and its sign.
    Row(("scipy.special.logsumexp",),
        lambda a, b: ws.logsumexp(a, axis=1, b=b, return_sign=True),
        [((3, 4), (3, 4))], ("real", "nonzero"),
        numpy_fn=lambda a, b: sc.logsumexp(a, axis=1, b=b, return_sign=True)),
    Row(("scipy.special.softmax",), ws.softmax, UNARY_SHAPES, ("real",),
        numpy_fn=sc.softmax),
    Row(("scipy.special.softmax",), lambda x: ws.softmax(x, axis=0), [((3, 4),)],
        ("real",), numpy_fn=lambda x: sc.softmax(x, axis=0)),
    Row(("scipy.special.log_softmax",), ws.log_softmax, UNARY_SHAPES, ("real",),
        numpy_fn=sc.log_softmax),
    Row(("scipy.special.log_softmax",), lambda x: ws.log_softmax(x, axis=1), [((3, 4),)],
        ("real",), numpy_fn=lambda x: sc.log_softmax(x, axis=1)),
]

# Complex inputs, where SciPy computes the function on complex numbers: the rules are
# the holomorphic derivatives (the project's transpose convention; complex_check.py).
_COMPLEX = [
    Row((f"scipy.special.{name}",), getattr(ws, name), [((4,),), ((3, 4),)], (domain,),
        numpy_fn=getattr(sc, name), dtypes=("complex128", "complex64"), rtol=1e-5,
        atol=1e-5)
    for name, domain in (("erf", "real"), ("erfc", "real"), ("ndtr", "real"),
                         ("log_ndtr", "real"))
]
# gamma: first order only (its second derivative needs polygamma(1, z), which SciPy does
# not compute for complex z).
_COMPLEX.append(Row(("scipy.special.gamma",), ws.gamma, [((4,),)], ("positive",),
                    numpy_fn=sc.gamma, dtypes=("complex128",), order=1))
_COMPLEX += [
    Row((f"scipy.special.{name}",), getattr(ws, name), [((4,), (4,)), ((3, 4), (4,))],
        ("positive", "positive"), numpy_fn=getattr(sc, name),
        dtypes=("complex128", "complex64"), rtol=1e-5, atol=1e-5)
    for name in ("xlogy", "xlog1py")
]
ROWS += _COMPLEX
