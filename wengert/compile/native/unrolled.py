"""Native code for programs on tiny arrays: the element statements of
:mod:`wengert.compile.unroll` as one C function on ``double``\\ s.

Each statement ``e9 = math_tanh(e1 * e2 + e3 * e4)`` becomes ``double e9 = tanh(e1 * e2
+ e3 * e4);``: the same IEEE operations in the same order (``-ffp-contract=off``, no
reassociation) and the same libm functions that Python's ``math`` calls, so the results
are bitwise those of the Python float code. Constants are read from an array passed with
each call, never written into the source.

Where Python raises (``1.0 / 0.0``, ``math.exp(1000.0)``, ``math.log(-1.0)``), the
operation's result is not finite; the C code checks the result of every division and
every function that can raise, and when one is not finite it returns 1 and the Python
float code runs instead (which raises and runs the NumPy version, or computes the same
values). An input that is not a C-contiguous aligned native float64 array of the
expected shape returns 2, with the same outcome.

The call goes through :mod:`ctypes` with the arrays passed as Python objects; the C code
reads their data pointer, flags, shape and dtype from NumPy's ``PyArrayObject`` fields
(the layout behind ``PyArray_DATA``), whose offsets are checked against NumPy once per
process (:func:`layout`); where they do not match, no native code is made.

Compile time grows faster than linearly with the size of one C function, so the
statements are split into functions of :data:`CHUNK` statements each; values read
across functions live in a scratch array (slots reused once dead). A long program made
mostly of repeated steps (a traced loop) is written with C loops instead
(:mod:`.rolled`), over an array holding every value.
"""

from __future__ import annotations

import ctypes
import math
import re
import threading

import numpy as np

from . import rolled, toolchain

#: Statements per C function (compile time grows superlinearly with a function's size).
CHUNK = 400
#: Optimisation level, and the one above :data:`LARGE` statements. Measured on the
#: 200-step 3x3 matrix loop's gradient (21 600 statements): -O1 compiles in ~2.4 s and
#: runs in 29 us, -O0 in ~1.0 s and 60 us (the Python float code: 450 us); -O1 costs
#: ~0.11 ms of compile time per statement, -O0 ~0.045 ms.
OPT, OPT_LARGE, LARGE = "-O1", "-O0", 2000
#: Programs of more statements are searched for loops (:mod:`.rolled`), and written with
#: them (one function, at ``OPT``) where they cover at least half the statements and
#: leave at most ``LARGE`` C statements; else as straight-line functions.
ROLL_FROM = 200
#: Scratch arrays up to this many doubles live on the C stack, larger ones are malloc'd.
STACK_DOUBLES = 4096

# math functions -> C (libm) names; math.hypot is CPython's own algorithm: not here
_C_FUNCTIONS = {
    math.sin: "sin", math.cos: "cos", math.tan: "tan", math.asin: "asin",
    math.acos: "acos", math.atan: "atan", math.sinh: "sinh", math.cosh: "cosh",
    math.tanh: "tanh", math.asinh: "asinh", math.acosh: "acosh", math.atanh: "atanh",
    math.exp: "exp", math.expm1: "expm1", math.log: "log", math.log1p: "log1p",
    math.log2: "log2", math.log10: "log10", math.sqrt: "sqrt", math.pow: "pow",
    math.atan2: "atan2", math.fabs: "fabs", abs: "fabs",
}
# functions Python never raises on (finite result from finite arguments, and nan/inf
# arguments are passed through): their results need no check
_NEVER_RAISE = {math.tanh, math.atan, math.fabs, abs}
_IDENT = re.compile(r"[A-Za-z_]\w*")
_ELEMENT = re.compile(r"e\d+\Z")
_WORD = re.compile(r"\b[A-Za-z_]\w*")  # a whole identifier (not the "e5" of "1e5")

_NPY_DOUBLE = 12
_C_CONTIGUOUS_ALIGNED = 0x0001 | 0x0100
_layout: dict = {}
_layout_lock = threading.Lock()


def layout() -> dict | None:
    """Offsets of ``data``, ``nd``, ``dimensions``, ``descr``, ``flags`` in an ndarray
    and of ``byteorder``, ``type_num`` in its dtype, checked against NumPy's own view of
    a few arrays (None where they do not match: no native code then)."""
    with _layout_lock:
        if "ok" not in _layout:
            _layout["ok"] = _check_layout()
        return _layout["ok"]


def _check_layout() -> dict | None:
    head = ctypes.sizeof(ctypes.c_ssize_t) + ctypes.sizeof(ctypes.c_void_p)
    if head != 16 or ctypes.sizeof(ctypes.c_void_p) != 8:
        return None
    off = {"data": 16, "nd": 24, "dims": 32, "descr": 56, "flags": 64,
           "byteorder": 26, "type_num": 28}

    def at(obj, kind, offset):
        return kind.from_address(id(obj) + offset).value

    c = np.zeros((2, 3))
    f = np.zeros((3, 2)).T
    swapped = np.zeros(3, dtype=">f8")
    try:
        ok = (at(c, ctypes.c_void_p, off["data"]) == c.ctypes.data
              and at(c, ctypes.c_int, off["nd"]) == 2
              and at(c, ctypes.c_void_p, off["descr"]) == id(c.dtype)
              and at(f, ctypes.c_void_p, off["descr"]) == id(f.dtype))
        if not ok:
            return None
        dims = (ctypes.c_ssize_t * 2).from_address(at(c, ctypes.c_void_p, off["dims"]))
        ok = (tuple(dims) == (2, 3)
              and at(c, ctypes.c_int, off["flags"]) & _C_CONTIGUOUS_ALIGNED
              == _C_CONTIGUOUS_ALIGNED
              and not at(f, ctypes.c_int, off["flags"]) & 0x0001
              and at(c.dtype, ctypes.c_int, off["type_num"]) == _NPY_DOUBLE
              and at(c.dtype, ctypes.c_char, off["byteorder"]) == b"="
              and at(swapped.dtype, ctypes.c_char, off["byteorder"]) != b"=")
    except (ValueError, OverflowError):
        return None
    return off if ok else None


class Native:
    """C source of one unrolled program and what its call needs: ``constants`` (the
    array passed as ``K``), ``argtypes``."""

    __slots__ = ("source", "constants", "argtypes", "opt", "statements")

    def __init__(self, source, constants, argtypes, opt, statements):
        self.source = source
        self.constants = constants
        self.argtypes = argtypes
        self.opt = opt
        self.statements = statements


def translate(prog, input_shapes: list, env_values: dict) -> Native | None:
    """C source of the unrolled program ``prog`` (:class:`unroll.Program`), or None where
    a name it reads has no C counterpart."""
    off = layout()
    if off is None:
        return None
    const_index: dict = {}  # float bits -> index into K
    constants: list = []
    where: dict = {}  # element of an input -> "xI[J]"
    for i, names in enumerate(prog.inputs):
        for j, n in enumerate(names):
            where[n] = f"x{i}[{j}]"

    def constant(value: float) -> str:
        key = value.hex() if value == value else "nan"
        k = const_index.get(key)
        if k is None:
            k = const_index[key] = len(constants)
            constants.append(value)
        return f"K[{k}]"

    # one C statement per element statement: (name, C expression, elements read, check)
    stmts = []
    for name, expr in prog.stmts:
        reads: list = []
        check = [False]
        bad = [False]

        def sub(m, reads=reads, check=check, bad=bad):
            word = m.group(0)
            if _ELEMENT.match(word) and word not in env_values:
                if word not in where:
                    reads.append(word)
                return word
            value = env_values.get(word, None)
            if type(value) is float:
                return constant(value)
            try:
                c_name = _C_FUNCTIONS.get(value)
            except TypeError:
                c_name = None
            if c_name is None:
                bad[0] = True
                return word
            check[0] = check[0] or value not in _NEVER_RAISE
            return c_name

        c_expr = _IDENT.sub(sub, expr)
        if bad[0]:
            return None
        stmts.append((name, c_expr, reads, check[0] or "/" in expr))
    # outputs: element -> targets "oK[J]" (scalar outputs: slots of one more array)
    n_outputs = len(prog.outputs)
    out_targets: dict = {}
    scalar_slots = 0
    out_args = []  # per output: "array" | "scalar" | None (a constant returned as is)
    for k, (kind, *rest) in enumerate(prog.outputs):
        if kind == "value":
            out_args.append(None)
        elif kind == "scalar":
            out_args.append("scalar")
            out_targets.setdefault(rest[0], []).append(f"o{n_outputs}[{scalar_slots}]")
            scalar_slots += 1
        else:
            out_args.append("array")
            for j, e in enumerate(rest[0]):
                out_targets.setdefault(e, []).append(f"o{k}[{j}]")
    defined = {name for name, *_ in stmts}
    tail = []  # outputs no statement defines: inputs' elements or constants
    for element, targets in out_targets.items():
        if element in defined:
            continue
        if element in where:
            value = where[element]
        elif type(env_values.get(element)) is float:
            value = constant(env_values[element])
        else:
            return None
        tail.extend((t, value) for t in targets)
    stmts = _fold(stmts, out_targets)
    statements = rolled.Statements(stmts, where) if len(stmts) > ROLL_FROM else None
    loops = rolled.find_loops(statements) if statements else []
    looped = sum(p * r for _, p, r, _ in loops)
    written = len(stmts) - looped + sum(p for _, p, _, _ in loops)  # C statements
    if looped * 2 >= len(stmts) > ROLL_FROM and written <= LARGE:
        source = _rolled_source(statements, loops, stmts, out_targets, tail, input_shapes,
                                out_args, scalar_slots, off)
        opt = OPT
    else:
        source = _source(stmts, where, out_targets, tail, input_shapes, out_args,
                         scalar_slots, off)
        opt = OPT if len(stmts) <= LARGE else OPT_LARGE
    argtypes = []
    for shape in input_shapes:
        argtypes.append(ctypes.py_object if shape != () else ctypes.c_double)
    argtypes.append(ctypes.c_void_p)
    argtypes.extend(ctypes.py_object for a in out_args if a == "array")
    if scalar_slots:
        argtypes.append(ctypes.py_object)
    k_array = np.array(constants if constants else [0.0], dtype=np.float64)
    return Native(source, k_array, argtypes, opt, len(stmts))


#: Deepest nesting of statements folded into their one reader.
FOLD_DEPTH = 4


def _fold(stmts: list, out_targets: dict) -> list:
    """Each statement read exactly once, not an output and not checked (no division, no
    function that can raise), written into its reader, parenthesised, at most
    :data:`FOLD_DEPTH` deep: the same operations in the same order (bitwise the same
    values), and about a third as many statements for the compiler to get through."""
    uses: dict = {}
    for _, _, reads, _ in stmts:
        for r in reads:
            uses[r] = uses.get(r, 0) + 1
    pending: dict = {}  # name -> (expression, reads, depth)
    out = []
    for name, expr, reads, check in stmts:
        depth = 0
        merged: list = []
        folded: dict = {}  # name read here -> the expression written in its place
        for r in reads:
            held = pending.pop(r, None)
            if held is None:
                merged.append(r)
                continue
            folded[r] = f"({held[0]})"
            merged.extend(held[1])
            depth = max(depth, held[2] + 1)
        if folded:  # one pass over the expression (a folded name occurs in it once)
            expr = _WORD.sub(lambda m, f=folded: f.get(m.group(0), m.group(0)), expr)
        if (not check and uses.get(name) == 1 and name not in out_targets
                and depth < FOLD_DEPTH):
            pending[name] = (expr, merged, depth)
        else:
            out.append((name, expr, merged, check))
    return out


def _source(stmts, where, out_targets, tail, input_shapes, out_args, scalar_slots,
            off) -> str:
    chunks = [stmts[i:i + CHUNK] for i in range(0, len(stmts), CHUNK)]
    defined_in: dict = {}
    last_use: dict = {}
    for c, chunk in enumerate(chunks):
        for name, _, reads, _ in chunk:
            for r in reads:
                last_use[r] = c
            defined_in[name] = c
    # elements read in a later function than their own: a scratch slot, reused once dead
    slot: dict = {}
    free: list = []
    count = 0
    releases: dict = {}
    for c, chunk in enumerate(chunks):
        for name, _, _, _ in chunk:
            if last_use.get(name, c) > c:
                if free:
                    slot[name] = free.pop()
                else:
                    slot[name] = count
                    count += 1
                releases.setdefault(last_use[name], []).append(name)
        for name in releases.pop(c, ()):
            free.append(slot[name])
    lines = _preamble(off)
    for c, chunk in enumerate(chunks):
        lines.extend(_function(c, chunk, where, slot, defined_in, out_targets))
    lines.extend(_entry(input_shapes, out_args, scalar_slots))
    lines.extend(_scratch("T", count))
    for c in range(len(chunks)):
        lines.append(f"    bad |= f{c}(X, K, T, O);")
    return _finish(lines, tail, "T", count)


def _preamble(off) -> list:
    """Includes, the ``PyArrayObject`` field macros and the pointer types."""
    return ["#include <math.h>", "#include <stdlib.h>", "",
            f"#define DATA(o) (*(double **)((char *)(o) + {off['data']}))",
            f"#define ND(o) (*(int *)((char *)(o) + {off['nd']}))",
            f"#define DIM(o, i) ((*(long **)((char *)(o) + {off['dims']}))[i])",
            f"#define FLAGS(o) (*(int *)((char *)(o) + {off['flags']}))",
            f"#define DESCR(o) (*(char **)((char *)(o) + {off['descr']}))",
            f"#define OK(o) ((FLAGS(o) & {_C_CONTIGUOUS_ALIGNED}) == "
            f"{_C_CONTIGUOUS_ALIGNED} && *(int *)(DESCR(o) + {off['type_num']}) == "
            f"{_NPY_DOUBLE} && DESCR(o)[{off['byteorder']}] == '=')",
            "",
            "typedef const double *const *restrict In;",
            "typedef double *const *restrict Out;", ""]


def _entry(input_shapes, out_args, scalar_slots) -> list:
    """The entry point's head: its parameters, the layout checks of the input arrays
    (return 2 on a mismatch), and the input and output pointer tables ``X`` and ``O``."""
    params = []
    for i, shape in enumerate(input_shapes):
        params.append(f"void *a{i}" if shape != () else f"double a{i}")
    params.append("const double *restrict K")
    params.extend(f"void *r{k}" for k, a in enumerate(out_args) if a == "array")
    if scalar_slots:
        params.append("void *rs")
    lines = [f"int wengert_unrolled({', '.join(params)}) {{"]
    checks = []
    for i, shape in enumerate(input_shapes):
        if shape != ():
            checks.append(f"OK(a{i}) && ND(a{i}) == {len(shape)}"
                          + "".join(f" && DIM(a{i}, {d}) == {n}" for d, n in enumerate(shape)))
    if checks:
        lines.append("    if (!(" + " &&\n          ".join(checks) + ")) return 2;")
    for i, shape in enumerate(input_shapes):
        if shape == ():
            lines.append(f"    const double s{i}[1] = {{a{i}}};")
    x_init = ", ".join(f"DATA(a{i})" if shape != () else f"s{i}"
                       for i, shape in enumerate(input_shapes)) or "0"
    lines.append(f"    const double *X[{max(1, len(input_shapes))}] = {{{x_init}}};")
    o_init = [f"DATA(r{k})" if a == "array" else "0" for k, a in enumerate(out_args)]
    if scalar_slots:
        o_init.append("DATA(rs)")
    lines.append(f"    double *O[{max(1, len(o_init))}] = {{{', '.join(o_init) or '0'}}};")
    return lines


def _scratch(name: str, count: int) -> list:
    """A scratch array of ``count`` doubles: on the stack, or malloc'd when large."""
    if count > STACK_DOUBLES:
        return [f"    double *{name} = malloc({count} * sizeof(double));",
                f"    if (!{name}) return 2;", "    int bad = 0;"]
    return [f"    double {name}[{max(1, count)}];", "    int bad = 0;"]


def _finish(lines, tail, scratch: str, count: int) -> str:
    for target, value in tail:  # outputs that are inputs or constants
        lines.append(f"    {_deref(target)} = {_deref(value)};")
    if count > STACK_DOUBLES:
        lines.append(f"    free({scratch});")
    lines.append("    return bad;")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _rolled_source(statements, loops, stmts, out_targets, tail, input_shapes, out_args,
                   scalar_slots, off) -> str:
    """The program as one function over a value array ``E`` (one slot per statement),
    with the loops :mod:`.rolled` finds."""
    lines = _preamble(off) + _entry(input_shapes, out_args, scalar_slots)
    lines.extend(f"    const double *restrict x{i} = X[{i}];" for i in range(len(input_shapes)))
    lines.extend(f"    double *restrict o{k} = O[{k}];"
                 for k in range(len(out_args) + (1 if scalar_slots else 0)))
    lines.extend(_scratch("E", len(stmts)))
    lines.extend(rolled.body(statements, loops))
    for i, (name, *_) in enumerate(stmts):
        lines.extend(f"    {t} = E[{i}];" for t in out_targets.get(name, ()))
    return _finish(lines, tail, "E", len(stmts))


def _deref(target: str) -> str:
    """``o3[5]`` -> ``O[3][5]``, ``x1[2]`` -> ``X[1][2]`` (``K[4]`` as it is)."""
    if target[0] in "ox":
        head, index = target.split("[", 1)
        return f"{target[0].upper()}[{head[1:]}][{index}"
    return target


def _function(c, chunk, where, slot, defined_in, out_targets) -> list:
    body = []
    used_inputs: set = set()
    used_outputs: set = set()

    def ref(m):
        word = m.group(0)
        if word in where:
            used_inputs.add(where[word].split("[")[0])
            return where[word]
        if defined_in.get(word, c) != c:
            return f"T[{slot[word]}]"
        return word

    for name, expr, _, check in chunk:
        expr = _IDENT_E.sub(ref, expr)
        body.append(f"    const double {name} = {expr};")
        if check:
            body.append(f"    bad |= !isfinite({name});")
        if name in slot:
            body.append(f"    T[{slot[name]}] = {name};")
        for t in out_targets.get(name, ()):
            used_outputs.add(t.split("[")[0])
            body.append(f"    {t} = {name};")
    head = [f"static int f{c}(In X, const double *restrict K, double *restrict T, Out O) {{"]
    for x in sorted(used_inputs):
        head.append(f"    const double *restrict {x} = X[{x[1:]}];")
    for o in sorted(used_outputs):
        head.append(f"    double *restrict {o} = O[{o[1:]}];")
    head.append("    int bad = 0;")
    return head + body + ["    return bad;", "}", ""]


_IDENT_E = re.compile(r"\be\d+\b")


def compile_program(prog, input_names: list, input_shapes: list, env_values: dict,
                    python_version, name: str):
    """The function of the inputs that runs the native code of ``prog`` and returns the
    tuple of outputs (``python_version`` where the C code says so), with the C source as
    its ``native_source``; None where no native code can be made (no compiler, a
    compiler error, a name without a C counterpart, an unchecked NumPy layout)."""
    native = translate(prog, input_shapes, env_values)
    if native is None:
        return None
    try:
        lib = toolchain.load(native.source, native.opt)
    except toolchain.NativeUnavailable:
        return None
    kernel = ctypes.CFUNCTYPE(ctypes.c_int, *native.argtypes)(("wengert_unrolled", lib))
    names = {"kernel": kernel, "nd": np.ndarray, "empty": np.empty,
             "kp": native.constants.ctypes.data, "python_version": python_version,
             "keep": (lib, native.constants)}
    arrays = [n for n, shape in zip(input_names, input_shapes) if shape != ()]
    args = list(input_names) + ["kp"]
    lines, rets = [], []
    n_scalars = 0
    for k, ((kind, *rest), shape) in enumerate(zip(prog.outputs, prog.shapes)):
        if kind == "value":
            names[f"v{k}"] = env_values[rest[0]]
            rets.append(f"v{k}")
        elif kind == "scalar":
            rets.append(f"s[{n_scalars}]")
            n_scalars += 1
        else:
            names[f"q{k}"] = tuple(shape)
            lines.append(f"r{k} = empty(q{k})")
            args.append(f"r{k}")
            rets.append(f"r{k}")
    if n_scalars:
        lines.append(f"s = empty({n_scalars})")
        args.append("s")
    call = [f"if not kernel({', '.join(args)}):",
            f"    return ({', '.join(rets)}{',' if len(rets) == 1 else ''})"]
    body = lines + call
    if arrays:
        body = [f"if {' and '.join(f'type({a}) is nd' for a in arrays)}:"] + [
            "    " + b for b in body]
    params = ", ".join(input_names)
    source = "\n".join([f"def {name}({params}):"] + ["    " + b for b in body]
                       + [f"    return python_version({params})", ""])
    namespace = dict(names)
    exec(compile(source, f"<wengert.jit native {name}>", "exec"), namespace)  # noqa: S102
    function = namespace[name]
    function.native_source = native.source
    function.python_version = python_version
    return function
