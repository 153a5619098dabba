"""The flop model: floating-point operations of one equation of the Wengert list.

A rule gets the equation's input and output shapes and its parameters and returns a
count. The conventions (``docs/cost.md`` has the full table):

* elementwise functions, arithmetic and transcendental alike: **n**, one operation per
  output element (Griewank's operation count, not an instruction count: ``sin`` and
  ``+`` both count 1);
* reductions of N elements to M results (``sum``, ``max``, ``prod``, ``sum_to_shape``,
  ``repeat_sum``): **N − M**; running reductions along an axis of length L: **N − N/L**;
* ``matmul``: **2mnk** (2·output size·contracted length), and ``gram`` (``X @ X.T``) as
  the matmul it stands for; ``tensordot``: 2·output size·
  contracted size; ``einsum`` of p operands: p·(product of every index's length);
* data movement (reshape, transpose, indexing, joining, copies, dtype casts): **0**;
* dense linear algebra (registered as ``linalg.*``): the textbook counts for an n×n
  matrix, times the number of matrices in a batch: Cholesky n³/3, LU 2n³/3, a triangular
  solve n² per right-hand side (so ``solve`` is 2n³/3 + 2n²·k), ``inv`` 2n³,
  ``eigh`` 9n³ (4n³/3 for eigenvalues only), ``svd`` 4m²n + 8mn² + 9n³ (m ≥ n), QR
  2mn² − 2n³/3. ``wengert.numpy.linalg`` factorises a traced matrix once, outside the
  list, and passes the factors to the equations as a parameter: the factorisation is
  counted once per distinct factors object (:func:`factorisation`), a solve with factors
  2n² per right-hand side, the inverse from factors 2n³/3 (Cholesky) or 4n³/3 (LU),
  ``det``/``slogdet`` from factors n;
* anything else is *unmodelled*: :func:`flops` returns ``None`` and the report counts
  and names it, never a silent zero.

Complex dtypes count one operation per complex element operation, like reals.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

Shape = tuple


def size(shape: Shape) -> int:
    return int(math.prod(shape))


# -- rule shapes -------------------------------------------------------------------------


def _elementwise(ins, outs, params) -> int:
    return sum(size(s) for s in outs)


def _zero(ins, outs, params) -> int:
    return 0


def _reduction(ins, outs, params) -> int:
    return max(size(ins[0]) - size(outs[0]), 0)


def _running(ins, outs, params) -> int:
    """cumsum/cumprod along ``axis``: L − 1 operations per line of length L."""
    shape = ins[0]
    axis = params.get("axis")
    if axis is None or not shape:
        return max(size(shape) - 1, 0)
    length = shape[axis]
    return size(shape) - size(shape) // length if length else 0


def _matmul(ins, outs, params) -> int:
    a = ins[0]
    k = a[-1] if a else 1
    return 2 * size(outs[0]) * k


def _contraction(ins, outs, params) -> int:
    """tensordot: 2 · output size · contracted size, where the contracted size K
    satisfies |A|·|B| = |out|·K²."""
    na, nb, no = size(ins[0]), size(ins[1]), size(outs[0])
    if no == 0 or na == 0 or nb == 0:
        return 0
    return 2 * no * math.isqrt((na * nb) // no)


def _einsum(ins, outs, params) -> int:
    """p operands: (p − 1) multiplications and one addition per point of the full index
    space, i.e. p · (product over every distinct index of its length)."""
    spec = params["subscripts"].replace(" ", "")
    lhs = spec.split("->")[0].split(",")
    lengths: dict[str, int] = {}
    for term, shape in zip(lhs, ins):
        if "..." in term:
            n_explicit = len(term) - 3
            ell = shape[: len(shape) - n_explicit]
            # name the broadcast axes by position from the right, shared by all terms
            names = [f"@{len(ell) - i}" for i in range(len(ell))]
            for name, n in zip(names, ell):
                lengths[name] = max(lengths.get(name, 1), n)
            term = term.replace("...", "")
            shape = shape[len(ell):]
        for letter, n in zip(term, shape):
            lengths[letter] = max(lengths.get(letter, 1), n)
    return len(ins) * size(tuple(lengths.values()))


# -- dense linear algebra ------------------------------------------------------------------


def _square(ins) -> tuple[int, int]:
    """(batch count, n) for a (..., n, n) first argument."""
    a = ins[0]
    return size(a[:-2]), a[-1]


def _rhs(ins) -> int:
    """Right-hand sides per matrix of the second argument: (..., n) or (..., n, k)."""
    a, b = ins[0], ins[1]
    return 1 if len(b) == len(a) - 1 else b[-1]


def _cholesky(ins, outs, params) -> int:
    batch, n = _square(ins)
    return batch * n ** 3 // 3


def _lu(ins, outs, params) -> int:
    batch, n = _square(ins)
    return batch * 2 * n ** 3 // 3


def _lu_logdet(ins, outs, params) -> int:
    batch, n = _square(ins)
    return batch * (2 * n ** 3 // 3 + n)


def _solve(ins, outs, params) -> int:
    """LU (2n³/3) and a forward and a back substitution (n² each) per right-hand side."""
    batch, n = _square(ins)
    return batch * (2 * n ** 3 // 3 + 2 * n * n * _rhs(ins))


def _triangular_solve(ins, outs, params) -> int:
    batch, n = _square(ins)
    return batch * n * n * _rhs(ins)


def _cho_solve(ins, outs, params) -> int:
    batch, n = _square(ins)
    return batch * 2 * n * n * _rhs(ins)


def _inv(ins, outs, params) -> int:
    batch, n = _square(ins)
    return batch * 2 * n ** 3


def _eigh(ins, outs, params) -> int:
    batch, n = _square(ins)
    return batch * (9 * n ** 3 if len(outs) > 1 else 4 * n ** 3 // 3)


def _eigvalsh(ins, outs, params) -> int:
    batch, n = _square(ins)
    return batch * 4 * n ** 3 // 3


def _svd(ins, outs, params) -> int:
    a = ins[0]
    batch, m, n = size(a[:-2]), max(a[-2:]), min(a[-2:])
    if len(outs) == 1:  # singular values only
        return batch * (4 * m * n * n - 4 * n ** 3 // 3)
    return batch * (4 * m * m * n + 8 * m * n * n + 9 * n ** 3)


def _qr(ins, outs, params) -> int:
    a = ins[0]
    batch, m, n = size(a[:-2]), max(a[-2:]), min(a[-2:])
    return batch * (2 * m * n * n - 2 * n ** 3 // 3)


def _norm(ins, outs, params) -> int:
    return 2 * size(ins[0])


def _factored_solve(ins, outs, params) -> int:
    """A solve with the factors of the forward pass: a forward and a back substitution,
    n² each, per right-hand side (b is (..., n, k))."""
    batch, n = _square(ins)
    return batch * 2 * n * n * ins[1][-1]


def _factored_inverse(ins, outs, params) -> int:
    """The inverse from factors: 2n³/3 from a Cholesky factor (potri), 4n³/3 from LU
    (getri)."""
    batch, n = _square(ins)
    kind = getattr(params.get("factors"), "kind", "lu")
    return batch * (2 if kind == "cholesky" else 4) * n ** 3 // 3


def _from_diagonal(ins, outs, params) -> int:
    """det, slogdet from factors: a product (or sum of logs) over the diagonal."""
    batch, n = _square(ins)
    return batch * n


def _logsumexp(ins, outs, params) -> int:
    """max, subtract, exp, add: about 4 operations per input element."""
    return 4 * size(ins[0])


def factorisation(factors) -> int:
    """Flops of a ``Factorization`` the linalg functions compute once per traced matrix
    outside the list (a parameter of the equations that use it): Cholesky n³/3, LU 2n³/3
    per matrix of the stack."""
    shape = getattr(factors, "shape", None)
    if shape is None or len(shape) < 2:
        return 0
    batch, n = size(shape[:-2]), shape[-1]
    return batch * (n ** 3 // 3 if factors.kind == "cholesky" else 2 * n ** 3 // 3)


# -- the table -----------------------------------------------------------------------------

ELEMENTWISE = (
    "add subtract multiply divide negative positive power square sqrt cbrt reciprocal "
    "exp exp2 expm1 log log2 log10 log1p logaddexp logaddexp2 sin cos tan arcsin arccos "
    "arctan arctan2 sinh cosh tanh arcsinh arccosh arctanh hypot sinc deg2rad rad2deg "
    "absolute fabs sign floor ceil trunc fix rint round maximum minimum fmax fmin "
    "remainder floor_divide where nan_to_num angle real imag conj conjugate clip"
).split()
REDUCTIONS = "sum max min prod sum_to_shape repeat_sum".split()
RUNNING = "cumsum cumprod".split()
DATA_MOVEMENT = (
    "reshape transpose broadcast_to getitem flip flip_axis roll repeat pad concatenate "
    "split copy astype ascontiguousarray diagonal diag_embed interleave_rows index_update"
).split()

RULES: dict[str, Callable] = {}
RULES.update({name: _elementwise for name in ELEMENTWISE})
RULES.update({name: _reduction for name in REDUCTIONS})
RULES.update({name: _running for name in RUNNING})
RULES.update({name: _zero for name in DATA_MOVEMENT})
RULES.update({
    "matmul": _matmul,
    "gram": _matmul,  # X Xᵀ: counted as the matmul it stands for, 2m²k
    "tensordot": _contraction,
    "einsum": _einsum,
    # scatter_add(x, updates): one addition per update element
    "mean": lambda ins, outs, params: size(ins[0]),  # N - M additions, M divisions
    "scatter_add": lambda ins, outs, params: size(ins[1]) if len(ins) > 1 else 0,
    "scipy.special.logsumexp": _logsumexp,
    "scipy.special.logsumexp_b": _logsumexp,
    "scipy.special.logsumexp_abs": _logsumexp,
})
_LINALG = {
    "cholesky": _cholesky,
    "det": _lu,
    "slogdet": _lu_logdet,
    "solve": _solve,
    "inv": _inv,
    "eigh": _eigh,
    "eigvalsh": _eigvalsh,
    "svd": _svd,
    "qr": _qr,
    "norm": _norm,
    "solve_triangular": _triangular_solve,
    "cho_factor": _cholesky,
    "cho_solve": _cho_solve,
    "lu_factor": _lu,
    "factored_solve": _factored_solve,
    "factored_inverse": _factored_inverse,
    "triangular_solve": _triangular_solve,
}
for _name, _rule in _LINALG.items():
    RULES["linalg." + _name] = _rule
    RULES["scipy.linalg." + _name] = _rule
# With factors as a parameter (wengert.numpy.linalg), det and slogdet only read them.
RULES["linalg.slogdet"] = RULES["linalg.det"] = _from_diagonal

# Primitives whose NumPy implementation returns a view: they move no bytes.
VIEWS = frozenset("reshape transpose broadcast_to diagonal flip flip_axis".split())


def rule_for(name: str) -> Callable | None:
    """The flop rule of primitive ``name``, or ``None`` when it is not modelled.
    SciPy's special functions (``scipy.special.*``) are elementwise."""
    rule = RULES.get(name)
    if rule is None and name.startswith("scipy.special."):
        return _elementwise
    return rule


def flops(name: str, ins: list[Shape], outs: list[Shape], params: dict) -> int | None:
    """Floating-point operations of primitive ``name`` on inputs and outputs of the
    given shapes, or ``None`` if the model has no rule for it (or its rule does not fit
    these arguments)."""
    rule = rule_for(name)
    if rule is None:
        return None
    try:
        return int(rule(ins, outs, params))
    except (IndexError, KeyError, TypeError, ValueError, ZeroDivisionError):
        return None


def nbytes(shape: Shape, dtype) -> int:
    return size(shape) * np.dtype(dtype).itemsize
