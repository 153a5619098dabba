"""Native fused elementwise kernels (and fused whole-array sums) for large float64 arrays.

A fused group (:mod:`wengert.compile.passes.fusion`) whose members are all operations
that C computes bitwise as NumPy does becomes one C loop::

    for (i = 0; i < n; i++) { double t0 = a0[i] * a0[i]; double t1 = a1[i] - t0; out[i] = t1; }

**Bitwise equality.** Only IEEE basic operations, correctly rounded in both C and
NumPy: ``+ - * /``, negation (sign flip), ``square`` as ``x * x`` (what NumPy's loop
computes), ``sqrt``, ``abs``/``fabs`` (sign cleared), the six comparisons and ``where``
(:data:`C_OPS`). The toolchain compiles without ``-ffast-math`` and with
``-ffp-contract=off`` (no fused multiply-add), so vectorising the loop changes nothing.
Transcendental functions (``exp``, ``log``, ``tanh``...) stay on NumPy's own loops: the
C library's results are not NumPy's. Finite results and infinities are bitwise NumPy's;
NaN results are NaN in the same places (their payload bits may differ, as they may
between NumPy's own SIMD and scalar loops). Floating-point warnings NumPy would issue
(division by zero, overflow) are not issued, as with numexpr.

**Whole-array sum.** ``sum(group)`` over all axes is computed without storing the group:
in NumPy's own order for a C-contiguous float64 array (``add.reduce`` with identity 0,
then NumPy's pairwise summation over all ``n`` elements: a block of fewer than 8
elements summed left to right from 0, a block of at most 128 in 8 interleaved
accumulators combined as ``((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))`` plus the remainder
left to right, a longer one split at ``n/2`` rounded down to a multiple of 8, halves
summed recursively). Each block of at most 128 values is computed into a stack buffer
first, so the loop that computes the values vectorises as the elementwise one does.

**Arguments** (:func:`build`): each array argument has dtype float64 (``bool`` for a
``where`` condition) and the output's shape, or a shape that broadcasts to it; 0-d
arguments and numbers are passed as C ``double`` (never written into the source). With
a broadcast argument the kernel is a loop nest (:func:`_broadcast_source`) over the
output with adjacent axes merged (:func:`collapse`), its lengths and each argument's
strides passed in an array; an argument broadcast along the innermost loop is read once
per run. At run time a kernel returns ``None`` when an array argument (or ``out``) is not
a C-contiguous ndarray of the expected shape and dtype, or (broadcast kernels) ``out``
overlaps an argument other than in place; the caller then runs the NumPy plan. The C
function releases the GIL (:mod:`ctypes`) and keeps no state, so concurrent calls are
safe.
"""

from __future__ import annotations

import ctypes
import threading

import numpy as np

from . import toolchain

#: C spelling of each operation, by ufunc; ``{0}``, ``{1}`` are C expressions of the
#: arguments (local names or array loads, so repeating one is free).
C_OPS = {
    np.add: "({0} + {1})",
    np.subtract: "({0} - {1})",
    np.multiply: "({0} * {1})",
    np.true_divide: "({0} / {1})",
    np.negative: "(-{0})",
    np.square: "({0} * {0})",
    np.absolute: "fabs({0})",
    np.fabs: "fabs({0})",
    np.sqrt: "sqrt({0})",
    np.greater: "({0} > {1})",
    np.greater_equal: "({0} >= {1})",
    np.less: "({0} < {1})",
    np.less_equal: "({0} <= {1})",
    np.equal: "({0} == {1})",
    np.not_equal: "({0} != {1})",
}
#: Operations whose result is boolean.
BOOL_OPS = frozenset({np.greater, np.greater_equal, np.less, np.less_equal, np.equal,
                      np.not_equal})
C_WHERE = "({0} ? {1} : {2})"
#: ``where`` in broadcast kernels: the bits of one value or the other chosen by a mask
#: (exact; GCC's vectorised ``c ? x : y`` on a byte condition measured 2x slower here).
_SELECT = ("static inline double select(long c, double x, double y) {\n"
           "    long bx, by, mask = -(long)(c != 0), r; double d;\n"
           "    memcpy(&bx, &x, 8); memcpy(&by, &y, 8); r = (bx & mask) | (by & ~mask);\n"
           "    memcpy(&d, &r, 8); return d;\n}")
_C_SELECT = "select({0}, {1}, {2})"
#: Most arguments of a native kernel (one C parameter each).
MAX_ARGS = 64
#: Largest integer argument passed as a double (exactly representable).
_EXACT_INT = 2 ** 53

#: GCC's -O2 vectorises only loops that need no run-time alias check nor scalar
#: remainder, so a kernel's loop would stay scalar (measured: 3-5x slower than -O3 at 1.6e4
#: elements); this turns vectorisation on for the kernel alone (other compilers ignore
#: it). Vector lanes compute the same IEEE operations, so results are unchanged.
_VECTORISE = '#pragma GCC optimize ("tree-vectorize", "vect-cost-model=dynamic")'

_F64 = np.dtype(np.float64)
_BOOL = np.dtype(np.bool_)


class Member:
    """One operation of a kernel, as :func:`build` reads it: ``op`` (a ufunc of
    :data:`C_OPS`, or ``"where"``), ``args`` (``("arg", i)`` or ``("tmp", j)``: the
    ``j``-th member's value) and ``is_bool`` (its value is boolean)."""

    __slots__ = ("op", "args", "is_bool")

    def __init__(self, op, args: tuple, is_bool: bool):
        self.op, self.args, self.is_bool = op, args, is_bool


def supported(op) -> bool:
    """Whether ``op`` (a ufunc, or ``"where"``) has a bitwise-exact C spelling."""
    return op == "where" or (isinstance(op, np.ufunc) and op in C_OPS)


def scalar_value(value) -> float | None:
    """The double a number argument (or 0-d array) is passed as, or ``None`` when it is
    not a float (of at most 64 bits) or an integer exactly representable as one."""
    if isinstance(value, np.ndarray):  # a 0-d array literal: its element
        return scalar_value(value.item()) if value.ndim == 0 else None
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | np.integer):
        return float(value) if abs(int(value)) <= _EXACT_INT else None
    if isinstance(value, float | np.floating) and np.dtype(type(value)).itemsize <= 8:
        return float(value)
    return None


def _source(members: list[Member], kinds: tuple[str, ...], reduce: bool) -> str:
    """C source of one kernel. ``kinds[i]``: ``"f"`` (float64 array), ``"b"`` (bool
    array), ``"s"`` (double scalar)."""
    ctypes_ = {"f": "const double *", "b": "const unsigned char *", "s": "double "}
    fields = [f"    {ctypes_[k]}a{i};" for i, k in enumerate(kinds)]
    # arrays arrive as the ndarray objects: their data pointer is read at ``off`` bytes
    params = ["long off"] + [f"const char *o{i}" if k != "s" else f"double a{i}"
                             for i, k in enumerate(kinds)]
    unpack = "".join(f"    {ctypes_[k]}a{i} = *({ctypes_[k]}const *)(o{i} + off);\n"
                     for i, k in enumerate(kinds) if k != "s")
    loads = " ".join(f"{ctypes_[k]}a{i} = p->a{i};" for i, k in enumerate(kinds))

    def ref(r) -> str:
        kind, j = r
        if kind == "tmp":
            return f"t{j}"
        return f"a{j}" if kinds[j] == "s" else f"a{j}[j]"

    body = []
    for k, m in enumerate(members):
        template = C_WHERE if m.op == "where" else C_OPS[m.op]
        ctype = "int" if m.is_bool else "double"
        body.append(f"{ctype} t{k} = {template.format(*(ref(r) for r in m.args))};")
    root = f"t{len(members) - 1}"
    lines = [_VECTORISE, "#include <math.h>", "typedef struct {", *fields, "} args_t;", "",
             "static void fill(const args_t *p, long lo, long n, double *o) {",
             f"    {loads}",
             "    for (long i = 0; i < n; i++) {",
             "        long j = lo + i;",
             *(f"        {b}" for b in body),
             f"        o[i] = {root};",
             "    }", "}", ""]
    pack = unpack + "    args_t p = {" + ", ".join(f"a{i}" for i in range(len(kinds))) + "};"
    if not reduce:
        lines += [f"void kernel(long n, {', '.join(params)}, const char *out) {{", pack,
                  "    fill(&p, 0, n, *(double *const *)(out + off));", "}"]
    else:
        lines += [
            "static double pairwise(const args_t *p, long lo, long n) {",
            "    if (n > 128) {",
            "        long h = n / 2;",
            "        h -= h % 8;",
            "        return pairwise(p, lo, h) + pairwise(p, lo + h, n - h);",
            "    }",
            "    double b[128];",
            "    fill(p, lo, n, b);",
            "    long i = 0;",
            "    double res = 0.0;",
            "    if (n >= 8) {",
            "        double r[8];",
            "        for (int k = 0; k < 8; k++) r[k] = b[k];",
            "        for (i = 8; i < n - (n % 8); i += 8)",
            "            for (int k = 0; k < 8; k++) r[k] += b[i + k];",
            "        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));",
            "    }",
            "    for (; i < n; i++) res += b[i];",
            "    return res;",
            "}", "",
            f"double kernel(long n, {', '.join(params)}) {{", pack,
            "    return 0.0 + pairwise(&p, 0, n);", "}"]
    return "\n".join(lines) + "\n"


def collapse(shape: tuple, arg_shapes: list) -> tuple[list, list]:
    """The loop nest of a broadcast kernel: ``(dims, strides)`` with ``strides[i][k]``
    the element stride of array argument ``i`` along loop ``k`` (0 where it is
    broadcast), adjacent axes merged where every argument is either contiguous or
    broadcast across both, and axes of length 1 dropped."""
    ndim = len(shape)
    padded = [(1,) * (ndim - len(a)) + tuple(a) for a in arg_shapes]
    axes = []  # (length, per argument: strides) from the last axis to the first
    steps = [1] * len(padded)
    for k in range(ndim - 1, -1, -1):
        n = shape[k]
        strides = tuple(steps[i] if p[k] != 1 else 0 for i, p in enumerate(padded))
        for i, p in enumerate(padded):
            steps[i] *= p[k]
        if n == 1:
            continue
        if axes:  # merged into the next inner loop when every stride continues it
            m, inner = axes[-1]
            if all(st == t * m for st, t in zip(strides, inner)):
                axes[-1] = (m * n, inner)
                continue
        axes.append((n, strides))
    if not axes:
        axes.append((1, tuple(1 for _ in padded)))
    axes.reverse()
    dims = [n for n, _ in axes]
    return dims, [[st[i] for _, st in axes] for i in range(len(padded))]


def _broadcast_source(members: list[Member], kinds: tuple[str, ...],
                      strides: list, full: list) -> str:
    """C source of a kernel whose array arguments broadcast: a loop nest over the
    collapsed output (``ndim`` loops, lengths in ``m[0..ndim)``, then per array argument
    its strides in elements, read from the ``meta`` array); in the innermost loop an
    argument is read contiguously or (broadcast there) as one value. Then ``meta`` holds
    each array argument's size in bytes and the output's: the kernel returns 1 (writes
    nothing; the caller falls back) when ``out`` overlaps an argument, unless it is a
    full-shape argument (``full``) at the same address (in place, element by element),
    so the inner loop can be vectorised without alias checks (``ivdep``)."""
    ndim = len(strides[0]) if strides else 1
    ctypes_ = {"f": "const double *", "b": "const unsigned char *"}
    arrays = [i for i, k in enumerate(kinds) if k != "s"]
    params = ["long off", "const char *meta"] + [
        f"const char *o{i}" if k != "s" else f"double a{i}" for i, k in enumerate(kinds)]
    lines = [_VECTORISE, "#include <math.h>", "#include <string.h>", _SELECT, "",
             "static int clash(const void *a, long na, const void *o, long no, int same) {",
             "    const char *p = (const char *)a, *q = (const char *)o;",
             "    if (same && p == q && na == no) return 0;",
             "    return p < q + no && q < p + na;", "}", "",
             f"int kernel({', '.join(params)}, const char *out) {{",
             "    const long *m = *(const long *const *)(meta + off);",
             f"    const long n_inner = m[{ndim - 1}];",
             "    double *o = *(double *const *)(out + off);"]
    for i in arrays:
        lines.append(f"    {ctypes_[kinds[i]]}a{i} = "
                     f"*({ctypes_[kinds[i]]}const *)(o{i} + off);")
    sizes = ndim + len(arrays) * ndim  # byte sizes in meta from here
    for r, i in enumerate(arrays):
        lines.append(f"    if (clash(a{i}, m[{sizes + r}], o, m[{sizes + len(arrays)}], "
                     f"{int(full[r])})) return 1;")
    slot = {i: ndim + r * ndim for r, i in enumerate(arrays)}
    contiguous_last = {i: strides[r][-1] != 0 for r, i in enumerate(arrays)}
    lines.append("    long ob = 0;")
    for i in arrays:
        lines.append(f"    long b{i} = 0;")
    indent = "    "
    for k in range(ndim - 1):  # outer loops: offsets kept as running sums
        lines.append(f"{indent}for (long i{k} = 0; i{k} < m[{k}]; i{k}++) {{")
        indent += "    "
        for i in arrays:
            outer = f"b{i}" if k == 0 else f"b{i}_{k - 1}"
            lines.append(f"{indent}long b{i}_{k} = {outer} + i{k} * m[{slot[i] + k}];")
    last = ndim - 1

    def base(i: int) -> str:
        return f"b{i}_{last - 1}" if ndim > 1 else f"b{i}"

    def ref(r) -> str:
        kind, j = r
        if kind == "tmp":
            return f"t{j}"
        if kinds[j] == "s":
            return f"a{j}"
        return f"x{j}"

    lines.append(f"{indent}#pragma GCC ivdep")
    lines.append(f"{indent}for (long j = 0; j < n_inner; j++) {{")
    for i in arrays:  # every load first, so a ``where`` selects without branching
        ctype = "double" if kinds[i] == "f" else "long"
        at = f"{base(i)} + j" if contiguous_last[i] else base(i)
        lines.append(f"{indent}    {ctype} x{i} = a{i}[{at}];")
    for k, mem in enumerate(members):
        template = _C_SELECT if mem.op == "where" else C_OPS[mem.op]
        ctype = "int" if mem.is_bool else "double"
        lines.append(f"{indent}    {ctype} t{k} = "
                     f"{template.format(*(ref(r) for r in mem.args))};")
    lines.append(f"{indent}    o[ob + j] = t{len(members) - 1};")
    lines.append(f"{indent}}}")
    lines.append(f"{indent}ob += n_inner;")
    for _ in range(ndim - 1):
        indent = indent[:-4]
        lines.append(f"{indent}}}")
    lines.append("    return 0;")
    lines.append("}")
    return "\n".join(lines) + "\n"


class NativeKernel:
    """A compiled group: ``kernel(*args, out=None)`` returns the group's value (a new
    array, or ``out``), or for a fused sum an ``np.float64``; ``None`` when an argument
    does not fit (the caller falls back). ``source``: its C source. ``arg_shapes``: the
    shape each array argument must have (the output's unless it broadcasts); ``meta``:
    for a broadcast kernel, the loop lengths and strides it reads (else None)."""

    def __init__(self, function, source: str, kinds: tuple, shape: tuple, reduce: bool,
                 arg_shapes: tuple | None = None, meta=None):
        self._function = function
        self.source = source
        self.kinds = kinds
        self.shape = tuple(shape)
        self.reduce = reduce
        self._size = int(np.prod(self.shape, dtype=np.int64))
        self.arg_shapes = arg_shapes or tuple(self.shape for _ in kinds)
        self.meta = meta

    def __call__(self, *args, out=None):
        shape = self.shape
        if self.meta is None:
            values = [self._size, _DATA_OFFSET]
        else:
            values = [_DATA_OFFSET, self.meta]
        for a, kind, a_shape in zip(args, self.kinds, self.arg_shapes):
            if kind == "s":
                values.append(float(a))
                continue
            if (type(a) is not np.ndarray or a.shape != a_shape or not a.flags.c_contiguous
                    or a.dtype != (_F64 if kind == "f" else _BOOL)):
                return None
            values.append(a)
        if self.reduce:
            return np.float64(self._function(*values))
        if out is None:
            out = np.empty(shape, _F64)
        elif (type(out) is not np.ndarray or out.shape != shape or out.dtype != _F64
              or not out.flags.c_contiguous or not out.flags.writeable):
            return None
        values.append(out)
        if self._function(*values):
            return None  # ``out`` overlaps an argument (see _broadcast_source)
        return out


def _data_offset() -> int | None:
    """Byte offset of the data pointer in an ndarray object (NumPy's
    ``PyArrayObject_fields``: the object header, then ``char *data``), checked on a
    probe array; None when the check fails (the native backend is then off)."""
    probe = np.arange(3.0)
    offset = object.__basicsize__
    try:
        found = ctypes.c_void_p.from_address(id(probe) + offset).value
    except (ValueError, OSError):  # pragma: no cover - an unusual interpreter
        return None
    return offset if found == probe.ctypes.data else None


#: Passing the ndarray itself and reading its data pointer in C costs ~0.1 us per
#: array, against ~0.85 us for ``ndarray.ctypes.data``.
_DATA_OFFSET = _data_offset()

_built: dict = {}
_built_lock = threading.Lock()


def build(members: list[Member], kinds: tuple[str, ...], shape: tuple,
          reduce: bool = False, arg_shapes: tuple | None = None) -> NativeKernel | None:
    """The native kernel of ``members`` (in order, the last one the result), or
    ``None`` when the native backend is off or unavailable, an operation has no exact C
    spelling, or compiling fails. ``kinds`` as in :func:`_source`; ``reduce``: return the
    sum of the result over all elements (in NumPy's order) instead of the array.
    ``arg_shapes``: per argument its shape, which for an array may be any shape that
    broadcasts to ``shape`` (:func:`_broadcast_source`; not with ``reduce``)."""
    if (not toolchain.available() or _DATA_OFFSET is None or len(kinds) > MAX_ARGS
            or not members):
        return None
    if members[-1].is_bool or not all(supported(m.op) for m in members):
        return None
    shape = tuple(shape)
    meta = None
    if arg_shapes is not None and any(
            k != "s" and tuple(a) != shape for k, a in zip(kinds, arg_shapes)):
        if reduce:
            return None
        arrays = [tuple(a) for k, a in zip(kinds, arg_shapes) if k != "s"]
        dims, strides = collapse(shape, arrays)
        nbytes = [int(np.prod(a, dtype=np.int64)) * (8 if k == "f" else 1)
                   for k, a in zip(kinds, arg_shapes) if k != "s"]
        meta = np.array(dims + [s for st in strides for s in st] + nbytes
                        + [8 * int(np.prod(shape, dtype=np.int64))], dtype=np.int64)
        source = _broadcast_source(members, kinds, strides,
                                   [a == shape for a in arrays])
    else:
        arg_shapes = None
        source = _source(members, kinds, reduce)
    try:
        lib = toolchain.load(source, "-O2" if meta is None else "-O3")
    except toolchain.NativeUnavailable:
        return None
    with _built_lock:
        function = _built.get(source)
        if function is None:
            function = lib.kernel
            head = [ctypes.c_long, ctypes.py_object] if meta is not None else [
                ctypes.c_long, ctypes.c_long]
            function.argtypes = head + [
                ctypes.c_double if k == "s" else ctypes.py_object for k in kinds] + (
                [] if reduce else [ctypes.py_object])
            function.restype = ctypes.c_double if reduce else (
                None if meta is None else ctypes.c_int)
            _built[source] = function
    return NativeKernel(function, source, kinds, shape, reduce,
                        None if arg_shapes is None else tuple(
                            tuple(a) for a in arg_shapes), meta)
