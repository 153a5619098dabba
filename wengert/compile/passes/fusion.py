"""Fusion of elementwise chains into one equation.

A *group* is a maximal set of elementwise equations (:func:`ops.is_elementwise`) with the
same output shape, of at least :data:`FUSE_MIN_SIZE` elements, whose values other than
the last one (the root) are read only inside the group. Built by one backward walk: an
equation joins the group of its readers when all its readers are in one group of its
shape and it is not an output of the list. Each group of two or more becomes one
equation ``root = fused[...](arguments)``, placed where the root was; the arguments are
the group's outside values and literals.

The fused primitive (:class:`FusedPrimitive`) is callable on arrays, ``impl(*args,
out=None)``, and runs the group one of three ways:

(0) **native**: one C loop (:mod:`wengert.compile.native.elementwise`) when a C compiler
    is found (``settings.native``), the output has at least :data:`NATIVE_MIN_SIZE`
    elements, and every member is an operation C computes bitwise as NumPy does on
    float64 (arithmetic, ``abs``, ``sqrt``, comparisons, ``where``). At run time an
    argument that is not a C-contiguous array of the group's shape falls back to (a)/(b).
    A group whose value is read only by a ``sum`` over all its axes becomes one
    :class:`FusedSum` (the sum in NumPy's pairwise order, without storing the group).
    Arguments may broadcast to the group's shape. Where they broadcast with short
    inner runs (:func:`_short_broadcast`, where NumPy's loops are slow) a lone
    equation runs natively too, and a group that has no native kernel (``exp``...) is
    split: its exact part natively, the rest on NumPy (:func:`_native_part`). Finally
    ``sum``/``max``/``min``/``sum_to_shape`` over some axes of a float64 array become
    native reductions (:class:`NativeReducePrimitive`,
    :mod:`wengert.compile.native.reductions`, bitwise NumPy's).

(a) **numexpr**, when it is installed, the output has at least
    :data:`NUMEXPR_MIN_SIZE` elements (:data:`NUMEXPR_MIN_SIZE_UNPOOLED` when the
    cross-call buffer pool is off), every value is float64 (a ``where`` condition
    bool) and every member has a numexpr spelling (:data:`ops.NUMEXPR`: arithmetic,
    ``abs``, ``sqrt``, ``where``, which numexpr computes bitwise as NumPy does). The
    expression is built from generated names ``a0, a1, ...`` and operators only; constants
    are passed as arguments, never written into it. One pass over memory, in blocks that
    stay in cache, on all cores.
(b) otherwise **plain NumPy**: the members' ufuncs in order, each writing with ``out=``
    into the buffer of a group value that died at that step (so a chain of ``k`` ufuncs
    allocates one array instead of ``k``), and the root into ``out`` when given. The
    remaining temporaries may be given as ``scratch=`` buffers (:attr:`scratch_dtypes`;
    codegen passes pool buffers), so that a call allocates nothing. The
    plan runs as a small generated Python function (generated names only, the ufuncs
    bound by reference); ``steps`` describes it for a code generator that prefers to
    inline it.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ...core.basic_ops import sum_to_shape_p
from ...core.primitive import Primitive
from ...core.wengert_list import Equation, Literal, Var, WengertList
from ...numpy.elementwise import where_p
from ...numpy.reductions import max_p, min_p, sum_p
from ..native import elementwise as native_elementwise
from ..native import reductions as native_reductions
from ._graph import consumers, output_names, rebuild, size_of
from .effects import is_effectful
from .ops import is_elementwise, numexpr_spelling, ufunc_of

try:  # optional extra
    from numexpr.necompiler import NumExpr as _NumExpr
except ImportError:  # pragma: no cover - depends on the environment
    _NumExpr = None

#: Smallest output (in elements) whose elementwise chains are fused at all; below it the
#: per-call overhead of a fused kernel outweighs the saved allocations.
FUSE_MIN_SIZE = 256
#: Smallest output for which numexpr is used while the cross-call buffer pool is on
#: (``settings.buffer_pool``, :mod:`wengert.compile.pool`: the NumPy plan then writes its
#: temporaries into pooled buffers). Measured on the development machine, one thread:
#: numexpr's kernels take 1.1-1.8x the time of the same chain of NumPy ufuncs writing into
#: pooled buffers from 6.5e4 to 1e6 elements (2-10 operations), and 0.76-1.0x from 4e6
#: elements on (memory bound); with two numexpr threads they tie at 1e6. Divided by
#: numexpr's thread count (:func:`numexpr_min_size`).
NUMEXPR_MIN_SIZE = 1 << 21
#: The same without the pool (every NumPy temporary a fresh allocation): numexpr wins
#: from ~1e5 elements (measured: slower than NumPy below).
NUMEXPR_MIN_SIZE_UNPOOLED = 1 << 16
#: Longest numexpr expression (a value read twice in a group is spelled twice).
NUMEXPR_MAX_LENGTH = 1000
#: Most arguments of a numexpr kernel (NumPy's iterator takes at most 32 operands in
#: NumPy 1 and 64 in NumPy 2, the output included).
NUMEXPR_MAX_ARGS = 31

#: Smallest output for which a group runs as a native C kernel
#: (:mod:`wengert.compile.native.elementwise`), when it has one and a compiler is found;
#: numexpr is then not used for it. Measured on the development machine, one CPU, a
#: chain of k operations on two float64 arrays, microseconds per call
#: (native / NumPy plan with pooled buffers / numexpr with one thread):
#:
#:     elements   k=2               k=4               k=8
#:     1024       1.8 / 1.3 / 1.4   1.9 / 2.3 / 2.0   2.1 / 3.9 / 3.1
#:     4096       2.2 / 2.3 / 3.3   2.4 / 3.9 / 5.8   2.7 / 7.1 / 11
#:     65536      16 / 30 / 41      16 / 45 / 77      16 / 76 / 148
#:     1e6        455 / 596 / 920   404 / 918 / 1500  511 / 1625 / 2622
#:     4e6        2281 / 3995 / 4207 2192 / 6177 / 6284 2452 / 10235 / 10660
#:
#: (~1.5 us of fixed cost per native call: ctypes and the argument checks.) So native
#: from 4096 elements, where it ties NumPy at two operations and wins at more.
NATIVE_MIN_SIZE = 4096
#: Smallest array (in elements) whose ``sum``/``max``/``min`` over some axes runs as a
#: native reduction (:func:`native_reductions_pass`). Measured on the development machine,
#: one CPU, a (32, 32, 32) array, microseconds per call (NumPy / native): sum over axis
#: 0: 4.3 / 3.5, axis 1: 15 / 6, axis 2: 17 / 5; max over axis 1: 27 / 7.4, axis 2: 44 / 12.
#: NumPy's fixed cost is ~3 us against ~1.5 us for a native call, so below a few
#: thousand elements the gain is a microsecond or two: native from 4096, as elementwise.
NATIVE_REDUCE_MIN_SIZE = 4096

HAVE_NUMEXPR = _NumExpr is not None


def numexpr_min_size() -> int:
    """:data:`NUMEXPR_MIN_SIZE` divided by numexpr's thread count (its kernels scale
    with threads, NumPy's ufuncs do not), or :data:`NUMEXPR_MIN_SIZE_UNPOOLED` when the
    buffer pool is off; read at compile time."""
    from .. import settings

    if not settings.buffer_pool:
        return NUMEXPR_MIN_SIZE_UNPOOLED
    try:
        import numexpr

        threads = max(1, int(numexpr.get_num_threads()))
    except (ImportError, AttributeError, TypeError, ValueError):
        threads = 1
    return NUMEXPR_MIN_SIZE // threads


@dataclasses.dataclass(frozen=True)
class Step:
    """One member of a plain-NumPy fused kernel: ``target = function(*args)``.

    ``args`` are ``("arg", i)`` (the kernel's ``i``-th argument) or ``("tmp", j)`` (a
    buffer of the kernel); ``target`` is ``("tmp", j)``; ``in_place``: write with
    ``out=`` into that buffer, which holds a value that is dead after this step (else
    the ufunc allocates it). The last step is the root and writes into ``out`` if given.
    """

    function: object
    args: tuple
    target: tuple
    in_place: bool


class FusedPrimitive(Primitive):
    """A group of elementwise equations run as one kernel; see the module docstring.

    ``members``: the original equations; ``expression``: the group as one expression in
    the argument names ``a0, a1, ...`` (numexpr syntax); ``uses_numexpr``; ``steps``:
    the plain-NumPy plan; ``accepts_out``: ``impl`` takes ``out=`` (a buffer of the
    output's shape and dtype, which may be one of the arguments)."""

    accepts_out = True

    def __init__(self, members: tuple, expression: str, steps: tuple, numexpr_kernel,
                 n_temps: int, n_args: int, native_kernel=None):
        super().__init__(f"fused[{expression}]", self._run)
        self.members = members
        self.expression = expression
        self.steps = steps
        #: the C kernel (:mod:`wengert.compile.native.elementwise`) run first, or None
        self.native = native_kernel
        if native_kernel is not None:
            numexpr_kernel = None  # the native kernel is faster at every size (see above)
        self.uses_numexpr = numexpr_kernel is not None
        self._numexpr = numexpr_kernel
        self._n_temps = n_temps
        self._kernel = _numpy_kernel(steps, n_args)
        #: dtypes of the full-size temporaries the NumPy plan allocates (in order), which
        #: a caller may pass as ``scratch=`` buffers of the output's shape; none for numexpr
        self.scratch_dtypes = () if self.uses_numexpr else _scratch_dtypes(steps, members)
        self._scratch_kernel = _numpy_kernel(steps, n_args, scratch=True) \
            if self.scratch_dtypes else None

    def _run(self, *args, out=None, scratch=None):
        if self.native is not None:
            result = self.native(*args, out=out)
            if result is not None:
                return result
        if self._numexpr is not None:
            return self._numexpr(*args, out=out, ex_uses_vml=False)
        if scratch:
            return self._scratch_kernel(*args, *scratch, out=out)
        return self._kernel(*args, out=out)


def _allocating(steps: tuple) -> list:
    """Non-root steps of the NumPy plan that allocate their target (``scratch`` can
    replace these allocations; ``where`` has no ``out=`` and keeps allocating)."""
    return [s for s in steps[:-1] if not s.in_place and s.function is not where_p]


def _scratch_dtypes(steps: tuple, members: tuple) -> tuple:
    allocating = {id(s) for s in _allocating(steps)}
    return tuple(np.dtype(eq.outs[0].dtype) for step, eq in zip(steps, members)
                 if id(step) in allocating)


def _numpy_kernel(steps: tuple, n_args: int, scratch: bool = False):
    """The plain-NumPy plan as one Python function. Its source holds only generated
    names (``a0``, ``t0``, ``f0``); the ufuncs are bound by reference, never spelled.
    With ``scratch``, the function also takes one buffer ``s<k>`` per allocating step
    (:func:`_allocating`) after the arguments, and writes that temporary into it; its
    root then allocates when ``out`` is None (never returns a scratch buffer)."""
    functions: dict = {"copyto": np.copyto, "where": np.where}
    names: dict = {}
    into_scratch = {s.target: f"s{k}" for k, s in enumerate(_allocating(steps))} \
        if scratch else {}
    params = [f"a{i}" for i in range(n_args)] + list(into_scratch.values())
    lines = [f"def kernel({''.join(p + ', ' for p in params)}out=None):"]

    def call(step: Step, out: str | None) -> str:
        if step.function is where_p:
            name = "where"
        else:
            name = names.setdefault(step.function, f"f{len(names)}")
            functions[name] = step.function
        args = ", ".join(f"a{i}" if kind == "arg" else f"t{i}" for kind, i in step.args)
        return f"{name}({args}{'' if out is None else ', out=' + out})"

    for step in steps[:-1]:
        target = f"t{step.target[1]}"
        if step.in_place:
            lines.append(f"    {call(step, target)}")
        else:
            lines.append(f"    {target} = {call(step, into_scratch.get(step.target))}")
    root = steps[-1]
    mine = f"t{root.target[1]}" if root.in_place and not scratch else None
    lines.append("    if out is None:")
    lines.append(f"        return {call(root, mine)}")
    if root.function is where_p:
        lines.append(f"    copyto(out, {call(root, None)})")
        lines.append("    return out")
    else:
        lines.append(f"    return {call(root, 'out')}")
    source = "\n".join(lines) + "\n"
    exec(compile(source, "<fused kernel>", "exec"), functions)  # noqa: S102 - generated names only
    kernel = functions["kernel"]
    kernel.source = source
    return kernel


def _fusible(eq: Equation) -> bool:
    if not is_elementwise(eq) or is_effectful(eq):
        return False
    shape = eq.outs[0].shape
    return len(shape) > 0 and size_of(shape) >= FUSE_MIN_SIZE


def groups(wl: WengertList) -> dict[int, list[int]]:
    """Root equation index -> member indices in order, for groups of two or more."""
    eqs = wl.equations
    users = consumers(wl)
    outs = output_names(wl)
    root_of: dict[int, int] = {}
    for k in range(len(eqs) - 1, -1, -1):
        eq = eqs[k]
        if not _fusible(eq):
            continue
        v = eq.outs[0]
        readers = {root_of.get(u, -1) for u in users.get(v.name, ())}
        if v.name not in outs and len(readers) == 1:
            (root,) = readers
            if root >= 0 and tuple(eqs[root].outs[0].shape) == tuple(v.shape):
                root_of[k] = root
                continue
        root_of[k] = k
    members: dict[int, list[int]] = {}
    for k, root in root_of.items():
        members.setdefault(root, []).append(k)
    return {r: sorted(m) for r, m in members.items() if len(m) > 1}


def _arguments(members: list[Equation]) -> list:
    inside = {eq.outs[0].name for eq in members}
    args: list = []
    seen: set = set()
    for eq in members:
        for a in eq.ins:
            key = a.name if isinstance(a, Var) else id(a)
            if isinstance(a, Var) and a.name in inside or key in seen:
                continue
            seen.add(key)
            args.append(a)
    return args


def _slot(a, args: list) -> int:
    for i, b in enumerate(args):
        if (isinstance(a, Var) and isinstance(b, Var) and a.name == b.name) or a is b:
            return i
    raise AssertionError("fusion: argument not found")


def _expression(members: list[Equation], args: list) -> str:
    spelled: dict[str, str] = {}

    def arg(a) -> str:
        if isinstance(a, Var) and a.name in spelled:
            return spelled[a.name]
        return f"a{_slot(a, args)}"

    text = ""
    for eq in members:
        spelling = numexpr_spelling(eq)
        if spelling is None:
            u = ufunc_of(eq.primitive)
            name = "where" if u is None else u.__name__
            spelling = name + "(" + ", ".join(f"{{{i}}}" for i in range(len(eq.ins))) + ")"
        text = spelling.format(*(arg(a) for a in eq.ins))
        spelled[eq.outs[0].name] = text
    return text


def _plan(members: list[Equation], args: list) -> tuple[tuple, int]:
    """Steps of the plain-NumPy kernel, reusing the buffer of a group value at its last
    read when shapes (equal in a group) and dtypes allow."""
    last_read: dict[str, int] = {}
    for k, eq in enumerate(members):
        for a in eq.ins:
            if isinstance(a, Var):
                last_read[a.name] = k
    where_tmp: dict[str, int] = {}
    dtype_of_tmp: list = []
    free: list[int] = []
    steps = []
    for k, eq in enumerate(members):
        refs = tuple(("tmp", where_tmp[a.name]) if isinstance(a, Var) and a.name in where_tmp
                     else ("arg", _slot(a, args)) for a in eq.ins)
        for a in eq.ins:  # group values read for the last time here free their buffer
            if isinstance(a, Var) and a.name in where_tmp and last_read[a.name] == k:
                j = where_tmp.pop(a.name)
                if j not in free:
                    free.append(j)
        out = eq.outs[0]
        fn = where_p if eq.primitive is where_p else ufunc_of(eq.primitive)
        reuse = [j for j in free if dtype_of_tmp[j] == np.dtype(out.dtype)]
        if reuse and fn is not where_p:
            j = reuse[0]
            free.remove(j)
            steps.append(Step(fn, refs, ("tmp", j), True))
        else:
            j = len(dtype_of_tmp)
            dtype_of_tmp.append(np.dtype(out.dtype))
            steps.append(Step(fn, refs, ("tmp", j), False))
        where_tmp[out.name] = j
    return tuple(steps), len(dtype_of_tmp)


def _numexpr_kernel(members: list[Equation], args: list, expression: str):
    out = members[-1].outs[0]
    if not HAVE_NUMEXPR or size_of(out.shape) < numexpr_min_size():
        return None
    if len(expression) > NUMEXPR_MAX_LENGTH or len(args) > NUMEXPR_MAX_ARGS:
        return None
    if any(numexpr_spelling(eq) is None or np.dtype(eq.outs[0].dtype) != np.float64
           for eq in members):
        return None
    conditions = {eq.ins[0].name for eq in members
                  if eq.primitive is where_p and isinstance(eq.ins[0], Var)}
    signature = []
    for i, a in enumerate(args):
        if isinstance(a, Literal):
            v = np.asarray(a.value)
            if v.ndim or v.dtype.kind not in "iuf" or float(v) != v:
                return None
            kind = np.float64
        else:
            dt = np.dtype(a.dtype)
            if dt == np.bool_ and a.name in conditions:
                kind = bool
            elif dt == np.float64:
                kind = np.float64
            else:
                return None
        signature.append((f"a{i}", kind))
    try:
        kernel = _NumExpr(expression, signature=signature)
    except Exception:  # noqa: BLE001 - numexpr refuses it: the NumPy plan runs instead
        return None
    literal = [i for i, a in enumerate(args) if isinstance(a, Literal)]
    if not literal:
        return kernel
    values = {i: np.asarray(float(args[i].value)) for i in literal}

    def run(*call_args, out=None, ex_uses_vml=False):
        call_args = list(call_args)
        for i, v in values.items():
            call_args[i] = v
        return kernel(*call_args, out=out, ex_uses_vml=ex_uses_vml)

    return run


def _broadcasts_to(a_shape: tuple, shape: tuple) -> bool:
    """An array of ``a_shape`` broadcasts to ``shape`` without changing it."""
    lead = len(shape) - len(a_shape)
    return lead >= 0 and all(n in (1, m) for n, m in zip(a_shape, shape[lead:]))


def _native_kinds(members: list[Equation], args: list) -> tuple | None:
    """Per argument: ``"f"`` float64 array of (or broadcasting to) the group's shape,
    ``"b"`` bool array
    (a ``where`` condition), ``"s"`` a number or 0-d float64 (passed as a double); None
    when an argument fits none of these."""
    shape = tuple(members[-1].outs[0].shape)
    conditions = {eq.ins[0].name for eq in members
                  if eq.primitive is where_p and isinstance(eq.ins[0], Var)}
    kinds = []
    for a in args:
        if isinstance(a, Literal):
            if native_elementwise.scalar_value(a.value) is None:
                return None
            kinds.append("s")
            continue
        dt, a_shape = np.dtype(a.dtype), tuple(a.shape)
        fits = _broadcasts_to(a_shape, shape)
        if a_shape == () and dt == np.float64:
            kinds.append("s")
        elif fits and dt == np.float64:
            kinds.append("f")
        elif fits and dt == np.bool_ and a.name in conditions:
            kinds.append("b")
        else:
            return None
    return tuple(kinds)


def _native_plan(members: list[Equation], args: list):
    """``(members as native_elementwise.Member, argument kinds)`` when the group has an
    exact C spelling (no compiling), else None."""
    out = members[-1].outs[0]
    if size_of(out.shape) < NATIVE_MIN_SIZE or len(args) > native_elementwise.MAX_ARGS:
        return None
    kinds = _native_kinds(members, args)
    if kinds is None:
        return None
    index = {eq.outs[0].name: k for k, eq in enumerate(members)}
    native_members = []
    for eq in members:
        op = "where" if eq.primitive is where_p else ufunc_of(eq.primitive)
        if not native_elementwise.supported(op):
            return None
        is_bool = op in native_elementwise.BOOL_OPS
        if np.dtype(eq.outs[0].dtype) != (np.bool_ if is_bool else np.float64):
            return None
        refs = []
        for k, a in enumerate(eq.ins):
            if isinstance(a, Var) and a.name in index:
                ref = ("tmp", index[a.name])
                operand_bool = native_members[ref[1]].is_bool
            else:
                ref = ("arg", _slot(a, args))
                operand_bool = kinds[ref[1]] == "b"
            # a boolean is read only as a where condition; a condition only as a boolean
            if operand_bool != (op == "where" and k == 0):
                return None
            refs.append(ref)
        native_members.append(native_elementwise.Member(op, tuple(refs), is_bool))
    if native_members[-1].is_bool:
        return None
    return native_members, kinds


def _native_kernel(members: list[Equation], args: list, reduce: bool = False):
    """The C kernel of the group (:mod:`wengert.compile.native.elementwise`), or None
    (too small, an operation or dtype without an exact C spelling, no compiler, or
    ``settings.native`` off)."""
    plan = _native_plan(members, args)
    if plan is None:
        return None
    arg_shapes = tuple(() if kind == "s" else tuple(a.shape)
                       for a, kind in zip(args, plan[1]))
    return native_elementwise.build(plan[0], plan[1], tuple(members[-1].outs[0].shape),
                                    reduce, arg_shapes)


def _native_groups(wl: WengertList) -> set[int]:
    """``id`` of every fusible equation whose group (as :func:`groups` forms it, a
    single equation included) would run natively."""
    if not native_elementwise.toolchain.available():
        return set()
    found = groups(wl)
    grouped = {k for ms in found.values() for k in ms}
    ready: set = set()
    for k, eq in enumerate(wl.equations):
        if k in grouped and k not in found or not _fusible(eq):
            continue
        members = [wl.equations[i] for i in found.get(k, [k])]
        if _native_plan(members, _arguments(members)) is not None:
            ready.update(id(m) for m in members)
    return ready


def fuse_group(members: list[Equation]) -> Equation:
    """One equation computing the root of ``members`` (in order, root last)."""
    args = _arguments(members)
    expression = _expression(members, args)
    steps, n_temps = _plan(members, args)
    prim = FusedPrimitive(tuple(members), expression, steps,
                          _numexpr_kernel(members, args, expression), n_temps, len(args),
                          _native_kernel(members, args))
    return Equation(members[-1].outs, prim, tuple(args), {})


class FusedSum(FusedPrimitive):
    """``sum(group)`` over all axes as one native kernel that never stores the group
    (:mod:`wengert.compile.native.elementwise`: NumPy's summation order, bitwise its
    result). ``total``: the original ``sum`` equation. Falls back at run time to the
    group's NumPy plan followed by that sum."""

    def __init__(self, members: tuple, total: Equation, expression: str, steps: tuple,
                 n_temps: int, n_args: int, native_kernel):
        super().__init__(members, expression, steps, None, n_temps, n_args, native_kernel)
        self.name = f"fused[sum({expression})]"
        self.total = total
        self.scratch_dtypes = ()
        self._scratch_kernel = None

    def _run(self, *args, out=None, scratch=None):
        result = self.native(*args)
        if result is None:
            result = self.total.primitive.impl(self._kernel(*args), **self.total.params)
        if out is None:
            return result
        out[...] = result
        return out


def _total_over_all(eq: Equation, v: Var) -> bool:
    """``eq`` is ``sum(v)`` over every axis of the float64 ``v``, without keepdims."""
    if eq.primitive is not sum_p or set(eq.params) != {"axis", "keepdims"}:
        return False
    axis, ndim = eq.params["axis"], len(v.shape)
    if eq.params["keepdims"] or np.dtype(v.dtype) != np.float64:
        return False
    return axis is None or sorted(int(a) % ndim for a in axis) == list(range(ndim))


def fuse_sum(members: list[Equation], total: Equation) -> Equation | None:
    """One equation computing ``total`` (a sum over all axes of the root of
    ``members``) with a native kernel, or None when there is none for the group."""
    args = _arguments(members)
    native = _native_kernel(members, args, reduce=True)
    if native is None:
        return None
    expression = _expression(members, args)
    steps, n_temps = _plan(members, args)
    prim = FusedSum(tuple(members), total, expression, steps, n_temps, len(args), native)
    return Equation(total.outs, prim, tuple(args), {})


#: Most readers a value may be recomputed for (:func:`rematerialise`).
REMAT_MAX_READERS = 3
#: Most array arguments of a value recomputed in its readers.
REMAT_MAX_ARRAYS = 2


def _numexpr_eligible(eq: Equation, native: frozenset | set = frozenset()) -> bool:
    """Fusible, and its group would run in one pass: natively (``id(eq)`` in
    ``native``, from :func:`_native_groups`) or on numexpr (float64, large, a numexpr
    spelling)."""
    if id(eq) in native:
        return True
    if not HAVE_NUMEXPR or not _fusible(eq) or numexpr_spelling(eq) is None:
        return False
    out = eq.outs[0]
    return np.dtype(out.dtype) == np.float64 and size_of(out.shape) >= numexpr_min_size()


def rematerialise(wl: WengertList) -> WengertList:
    """Recompute a cheap elementwise value in each of its elementwise readers instead of
    storing it once and reading it back: ``t = a - b*b`` read by two chains becomes one
    copy of ``t`` per chain, so each chain fuses into one numexpr kernel reading ``a``
    and ``b`` and ``t`` is never written to memory (a large array costs far more to
    write and read back than to recompute in a kernel's cache-sized blocks). Only where
    numexpr runs both (a NumPy plan would pay a full pass per recomputation), for at most
    :data:`REMAT_MAX_READERS` readers of the same shape and a value of at most
    :data:`REMAT_MAX_ARRAYS` array arguments. The copies compute bitwise the same value."""
    eqs = list(wl.equations)
    outs = output_names(wl)
    native = _native_groups(wl)
    number = 1 + max((int(v.name[1:]) for eq in eqs for v in eq.outs
                      if v.name[:1] == "v" and v.name[1:].isdigit()), default=0)
    changed = False
    readers = {name: len(ks) for name, ks in consumers(wl).items()}  # kept up to date
    for k in range(len(eqs) - 1, -1, -1):
        eq = eqs[k]
        if eq is None or not _numexpr_eligible(eq, native) or eq.outs[0].name in outs:
            continue
        v = eq.outs[0]
        if readers.get(v.name, 0) < 2:
            continue  # a cheap first test (the count includes repeated reads)
        users = sorted({j for j, e in enumerate(eqs) if e is not None and any(
            isinstance(a, Var) and a.name == v.name for a in e.ins)})
        if not 2 <= len(users) <= REMAT_MAX_READERS:
            continue
        if not all(_numexpr_eligible(eqs[j], native) and
                   tuple(eqs[j].outs[0].shape) == tuple(v.shape) for j in users):
            continue
        arrays = {a.name for a in eq.ins if isinstance(a, Var) and a.shape}
        if len(arrays) > REMAT_MAX_ARRAYS:
            continue
        for j in users:
            copy = Var(f"v{number}", v.shape, v.dtype)
            number += 1
            reader = eqs[j]
            ins = tuple(copy if isinstance(a, Var) and a.name == v.name else a
                        for a in reader.ins)
            pair = _Pair([Equation((copy,), eq.primitive, eq.ins, dict(eq.params)),
                          Equation(reader.outs, reader.primitive, ins, reader.params)])
            if id(reader) in native:  # the copies run where the originals ran
                native.update(id(e) for e in pair)
            for a in eq.ins:
                if isinstance(a, Var):
                    readers[a.name] = readers.get(a.name, 0) + 1
            eqs[j] = pair
        for a in eq.ins:
            if isinstance(a, Var):
                readers[a.name] -= 1
        eqs[k] = None
        changed = True
        eqs = _flatten(eqs)
    if not changed:
        return wl
    return rebuild(wl, eqs, {})


class _Pair(list):
    """A recomputed value and its reader, flattened into the list afterwards."""


def _flatten(eqs: list) -> list:
    flat: list = []
    for e in eqs:
        if isinstance(e, _Pair):
            flat.extend(e)
        elif e is not None:
            flat.append(e)
    return flat


def _fused_sums(wl: WengertList, found: dict) -> dict[int, tuple[int, Equation]]:
    """Root index -> (index of the sum, fused-sum equation) for each group (or single
    fusible equation) whose value is read only by a sum over all its axes that a
    native kernel computes without storing it (:func:`fuse_sum`)."""
    if not native_elementwise.toolchain.available():
        return {}
    eqs = wl.equations
    users = consumers(wl)
    outs = output_names(wl)
    grouped = {k for ms in found.values() for k in ms}
    fused: dict = {}
    for k, eq in enumerate(eqs):
        if k in grouped and k not in found or not _fusible(eq):
            continue
        v = eq.outs[0]
        readers = users.get(v.name, ())
        if v.name in outs or len(readers) != 1 or not _total_over_all(eqs[readers[0]], v):
            continue
        members = [eqs[i] for i in found.get(k, [k])]
        equation = fuse_sum(members, eqs[readers[0]])
        if equation is not None:
            fused[k] = (readers[0], equation)
    return fused


class NativeReducePrimitive(Primitive):
    """A ``sum``/``max``/``min``/``sum_to_shape`` over some axes of a float64 array as a
    native reduction (:mod:`wengert.compile.native.reductions`, bitwise NumPy's result);
    ``original``: the equation it replaces, whose implementation runs when the argument
    (or ``out``) does not fit. ``impl(x, out=None)`` writes into ``out`` when given."""

    accepts_out = True
    scratch_dtypes = ()

    def __init__(self, original: Equation, kernel):
        super().__init__(f"native_{original.primitive.name}", self._run)
        self.original = original
        self.native = kernel

    def _run(self, x, out=None):
        result = self.native(x, out=out)
        if result is not None:
            return result
        eq = self.original
        result = np.asarray(eq.primitive.impl(x, **eq.params)).reshape(eq.outs[0].shape)
        if out is None:
            return result
        out[...] = result
        return out


_REDUCE_KINDS = {sum_p: "sum", max_p: "max", min_p: "min"}


def _reduction_axes(eq: Equation) -> tuple[str, tuple] | None:
    """``(kind, reduced axes)`` of a ``sum``/``max``/``min`` (over ``axis``, with or
    without keepdims) or ``sum_to_shape`` equation, else None."""
    x = eq.ins[0] if eq.ins else None
    if len(eq.ins) != 1 or not isinstance(x, Var) or len(eq.outs) != 1:
        return None
    ndim = len(x.shape)
    if ndim == 0:
        return None
    kind = _REDUCE_KINDS.get(eq.primitive)
    if kind is not None and set(eq.params) == {"axis", "keepdims"}:
        axis = eq.params["axis"]
        if axis is None:
            return kind, tuple(range(ndim))
        axis = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
        return kind, tuple(sorted({int(a) % ndim for a in axis}))
    if eq.primitive is sum_to_shape_p and set(eq.params) == {"shape"}:
        x_shape, shape = tuple(x.shape), tuple(eq.params["shape"])
        lead = ndim - len(shape)
        if lead < 0 or any(n not in (1, m) for n, m in zip(shape, x_shape[lead:])):
            return None
        return "sum", tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(shape) if n == 1 and x_shape[lead + i] != 1)
    return None


def native_reductions_pass(wl: WengertList) -> WengertList:
    """Each reduction over some axes of a float64 array of at least
    :data:`NATIVE_REDUCE_MIN_SIZE` elements with a native layout
    (:func:`native_reductions.layout`) becomes a :class:`NativeReducePrimitive` equation."""
    if not native_elementwise.toolchain.available():
        return wl
    changed = False
    equations = []
    for eq in wl.equations:
        found = _reduction_axes(eq)
        kernel = None
        if found is not None:
            x, out = eq.ins[0], eq.outs[0]
            if (np.dtype(x.dtype) == np.float64 and np.dtype(out.dtype) == np.float64
                    and out.shape and size_of(x.shape) >= NATIVE_REDUCE_MIN_SIZE):
                kernel = native_reductions.build(found[0], tuple(x.shape), found[1],
                                                 tuple(out.shape))
        if kernel is None:
            equations.append(eq)
            continue
        equations.append(Equation(eq.outs, NativeReducePrimitive(eq, kernel), eq.ins, {}))
        changed = True
    return rebuild(wl, equations, {}) if changed else wl


def fusion(wl: WengertList) -> WengertList:
    wl = _fusion(wl)
    return native_reductions_pass(wl)


#: Longest innermost run (in elements) for which a broadcast is "short": NumPy's ufunc
#: loop then runs once per run, with its fixed cost each time (measured: (32, 32, 1) +
#: (32, 32) takes 15 us, natively 5 us); longer runs NumPy handles at full speed.
SHORT_BROADCAST_RUN = 256


def _short_broadcast(members: list[Equation]) -> bool:
    """Some array argument of ``members`` broadcasts to their shape, and the loop nest
    over them (:func:`native_elementwise.collapse`) has an innermost run shorter than
    :data:`SHORT_BROADCAST_RUN`."""
    shape = tuple(members[-1].outs[0].shape)
    arrays = [tuple(a.shape) for a in _arguments(members) if isinstance(a, Var) and a.shape]
    if all(a == shape for a in arrays):
        return False
    dims, _ = native_elementwise.collapse(shape, arrays)
    return dims[-1] < SHORT_BROADCAST_RUN


def _broadcast_singles(wl: WengertList, found: dict, sums: dict) -> dict[int, Equation]:
    """Index -> native one-equation kernel, for each fusible equation in no group whose
    array arguments broadcast with a short inner loop (:func:`_short_broadcast`)."""
    if not native_elementwise.toolchain.available():
        return {}
    member_of = {k for ms in found.values() for k in ms}
    singles: dict = {}
    for k, eq in enumerate(wl.equations):
        if k in member_of or k in sums or not _fusible(eq):
            continue
        if not _short_broadcast([eq]):
            continue
        args = _arguments([eq])
        if _native_plan([eq], args) is None:
            continue
        fused = fuse_group([eq])
        if fused.primitive.native is not None:
            singles[k] = fused
    return singles


def _native_part(members: list[Equation]) -> tuple[list, list] | None:
    """For a group with no native kernel: ``(exact, rest)``, its members split into an
    exact part computed by one native kernel (operations with an exact C spelling, whose
    only value read by the rest is its last member) and the rest, run on NumPy reading
    that value; None when there is no such split worth making (the exact part has no
    short broadcast, :func:`_short_broadcast`). NumPy's plan stores that value anyway,
    so splitting moves no more memory; NumPy's broadcast loops are the slow part."""
    if _native_plan(members, _arguments(members)) is not None:
        return None
    names = {eq.outs[0].name for eq in members}
    exact: list = []
    exact_names: set = set()
    for eq in members:
        op = "where" if eq.primitive is where_p else ufunc_of(eq.primitive)
        if native_elementwise.supported(op) and all(
                not isinstance(a, Var) or a.name not in names or a.name in exact_names
                for a in eq.ins):
            exact.append(eq)
            exact_names.add(eq.outs[0].name)
    rest = [eq for eq in members if eq.outs[0].name not in exact_names]
    if not exact or not rest:
        return None
    read = {a.name for eq in rest for a in eq.ins if isinstance(a, Var)}
    roots = [eq for eq in exact if eq.outs[0].name in read]
    if len(roots) != 1 or roots[0] is not exact[-1]:
        return None
    if not _short_broadcast(exact):
        return None
    if _native_plan(exact, _arguments(exact)) is None:
        return None
    return exact, rest


def _split_group(members: list[Equation]) -> list[Equation] | None:
    """The equations of a group split by :func:`_native_part` (the native kernel
    first), or None."""
    parts = _native_part(members)
    if parts is None:
        return None
    exact, rest = parts
    head = fuse_group(exact)
    if head.primitive.native is None:
        return None
    return [head, fuse_group(rest) if len(rest) > 1 else rest[0]]


def _fusion(wl: WengertList) -> WengertList:
    wl = rematerialise(wl)
    found = groups(wl)
    sums = _fused_sums(wl, found)
    singles = _broadcast_singles(wl, found, sums)
    if not found and not sums and not singles:
        return wl
    member_of = {k for ms in found.values() for k in ms}
    absorbed = {j for j, _ in sums.values()}
    equations = []
    for k, eq in enumerate(wl.equations):
        if k in sums:
            equations.append(sums[k][1])
        elif k in singles:
            equations.append(singles[k])
        elif k in found:
            members = [wl.equations[i] for i in found[k]]
            split = _split_group(members) if native_elementwise.toolchain.available() \
                else None
            equations.extend(split or [fuse_group(members)])
        elif k not in member_of and k not in absorbed:
            equations.append(eq)
    return rebuild(wl, equations, {})
