"""Products of several matrices: ``matrix_power``, ``multi_dot``; and ``tensorsolve``,
``tensorinv``. All compositions of ``matmul``, ``inv``, ``solve`` and reshapes, so their
derivatives are those of the pieces (each ``matmul`` costs two more products of its size
in either mode). ``multi_dot`` picks NumPy's multiplication order (the optimal
matrix-chain order), which the derivatives inherit.
"""

from __future__ import annotations

import numpy as onp

from ...core import dtype_of, shape_of
from .._registry import register
from ..products import matmul
from ..shapes import reshape, transpose
from ._util import square
from .solve import inv, solve


def matrix_power(a, n):
    """``numpy.linalg.matrix_power``: repeated squaring as NumPy does it (``n < 0``:
    powers of ``inv(a)``; ``n = 0``: the identity, a constant)."""
    square(a, "wengert.numpy.linalg.matrix_power")
    try:
        n = int(onp.asarray(n).item()) if not isinstance(n, int) else n
    except (TypeError, ValueError) as exc:
        raise TypeError("exponent must be an integer") from exc
    if n == 0:
        eye = onp.broadcast_to(onp.eye(shape_of(a)[-1], dtype=dtype_of(a)), shape_of(a))
        return 0 * a + eye
    if n < 0:
        a = inv(a)
        n = -n
    if n == 1:
        return 1 * a
    if n == 2:
        return matmul(a, a)
    if n == 3:
        return matmul(matmul(a, a), a)
    z = result = None
    while n > 0:
        z = a if z is None else matmul(z, z)
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else matmul(result, z)
    return result


register("linalg.matrix_power", matrix_power, "composite", onp.linalg.matrix_power)


def _chain_order(dims: list) -> list:
    """The optimal parenthesisation of a matrix chain with dimensions ``dims``: the
    split table of the O(k³) dynamic programme (as NumPy's multi_dot)."""
    k = len(dims) - 1
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = onp.inf
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s
    return split


def _chain(arrays, split, i, j):
    if i == j:
        return arrays[i]
    s = split[i][j]
    return matmul(_chain(arrays, split, i, s), _chain(arrays, split, s + 1, j))


def multi_dot(arrays, *, out=None):
    """``numpy.linalg.multi_dot``: the chain product in the cheapest order; a first 1-D
    array is a row vector, a last 1-D array a column vector."""
    if out is not None:
        raise TypeError("wengert.numpy.linalg.multi_dot: out= is not supported on traced values")
    arrays = list(arrays)
    if len(arrays) < 2:
        raise ValueError("Expecting at least two arrays.")
    if len(arrays) == 2:
        from ..products import dot

        return dot(arrays[0], arrays[1])
    first_1d, last_1d = len(shape_of(arrays[0])) == 1, len(shape_of(arrays[-1])) == 1
    if first_1d:
        arrays[0] = reshape(arrays[0], (1, -1))
    if last_1d:
        arrays[-1] = reshape(arrays[-1], (-1, 1))
    for k, x in enumerate(arrays):
        if len(shape_of(x)) != 2:
            raise onp.linalg.LinAlgError(
                f"wengert.numpy.linalg.multi_dot: array {k} has {len(shape_of(x))} "
                f"dimensions; 2 expected (1 allowed first and last)")
    dims = [shape_of(x)[0] for x in arrays] + [shape_of(arrays[-1])[1]]
    if len(arrays) == 3:
        a0, a1b0, b1c0, c1 = dims
        cost1 = a0 * b1c0 * (a1b0 + c1)  # (AB)C
        cost2 = a1b0 * c1 * (a0 + b1c0)  # A(BC)
        result = (matmul(matmul(arrays[0], arrays[1]), arrays[2]) if cost1 < cost2
                  else matmul(arrays[0], matmul(arrays[1], arrays[2])))
    else:
        result = _chain(arrays, _chain_order(dims), 0, len(arrays) - 1)
    if first_1d and last_1d:
        return result[0, 0]
    if first_1d:
        return result[0]
    if last_1d:
        return result[:, 0]
    return result


register("linalg.multi_dot", multi_dot, "composite", onp.linalg.multi_dot)


def tensorsolve(a, b, axes=None):
    """``numpy.linalg.tensorsolve``: ``x`` with ``tensordot(a, x, x.ndim) = b``, as a
    ``solve`` of the reshaped square system."""
    an, bn = len(shape_of(a)), len(shape_of(b))
    if axes is not None:
        order = list(range(an))
        for k in axes:
            order.remove(k)
            order.insert(an, k)
        a = transpose(a, tuple(order))
    old_shape = shape_of(a)[-(an - bn):]
    prod = int(onp.prod(old_shape, dtype=onp.int64))
    if int(onp.prod(shape_of(a), dtype=onp.int64)) != prod * prod:
        raise onp.linalg.LinAlgError(
            "Input arrays must satisfy the requirement prod(a.shape[b.ndim:]) == "
            "prod(a.shape[:b.ndim])")
    x = solve(reshape(a, (prod, prod)), reshape(b, (-1,)))
    return reshape(x, old_shape)


register("linalg.tensorsolve", tensorsolve, "composite", onp.linalg.tensorsolve)


def tensorinv(a, ind=2):
    """``numpy.linalg.tensorinv``: the inverse of ``a`` reshaped to a square matrix."""
    if ind <= 0:
        raise ValueError("Invalid ind argument.")
    shape = shape_of(a)
    old = shape[ind:] + shape[:ind]
    prod = int(onp.prod(shape[ind:], dtype=onp.int64))
    return reshape(inv(reshape(a, (prod, -1))), old)


register("linalg.tensorinv", tensorinv, "composite", onp.linalg.tensorinv)
