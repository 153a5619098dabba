"""Fusion of elementwise chains into one equation.

A *group* is a maximal set of elementwise equations (:func:`ops.is_elementwise`) with the
same output shape, of at least :data:`FUSE_MIN_SIZE` elements, whose values other than
the last one (the root) are read only inside the group. Built by one backward walk: an
equation joins the group of its readers when all its readers are in one group of its
shape and it is not an output of the list. Each group of two or more becomes one
equation ``root = fused[...](arguments)``, placed where the root was; the arguments are
the group's outside values and literals.

The fused primitive (:class:`FusedPrimitive`) is callable on arrays, ``impl(*args,
out=None)``, and runs the group one of two ways:

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

from ...core.primitive import Primitive
from ...core.wengert_list import Equation, Literal, Var, WengertList
from ...numpy.elementwise import where_p
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
                 n_temps: int, n_args: int):
        super().__init__(f"fused[{expression}]", self._run)
        self.members = members
        self.expression = expression
        self.steps = steps
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


def fuse_group(members: list[Equation]) -> Equation:
    """One equation computing the root of ``members`` (in order, root last)."""
    args = _arguments(members)
    expression = _expression(members, args)
    steps, n_temps = _plan(members, args)
    prim = FusedPrimitive(tuple(members), expression, steps,
                          _numexpr_kernel(members, args, expression), n_temps, len(args))
    return Equation(members[-1].outs, prim, tuple(args), {})


#: Most readers a value may be recomputed for (:func:`rematerialise`).
REMAT_MAX_READERS = 3
#: Most array arguments of a value recomputed in its readers.
REMAT_MAX_ARRAYS = 2


def _numexpr_eligible(eq: Equation) -> bool:
    """Fusible, and its group would run on numexpr (float64, large, a numexpr spelling)."""
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
    number = 1 + max((int(v.name[1:]) for eq in eqs for v in eq.outs
                      if v.name[:1] == "v" and v.name[1:].isdigit()), default=0)
    changed = False
    for k in range(len(eqs) - 1, -1, -1):
        eq = eqs[k]
        if eq is None or not _numexpr_eligible(eq) or eq.outs[0].name in outs:
            continue
        v = eq.outs[0]
        users = sorted({j for j, e in enumerate(eqs) if e is not None and any(
            isinstance(a, Var) and a.name == v.name for a in e.ins)})
        if not 2 <= len(users) <= REMAT_MAX_READERS:
            continue
        if not all(_numexpr_eligible(eqs[j]) and
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
            eqs[j] = [Equation((copy,), eq.primitive, eq.ins, dict(eq.params)),
                      Equation(reader.outs, reader.primitive, ins, reader.params)]
            eqs[j] = _Pair(eqs[j])
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


def fusion(wl: WengertList) -> WengertList:
    wl = rematerialise(wl)
    found = groups(wl)
    if not found:
        return wl
    member_of = {k for ms in found.values() for k in ms}
    equations = []
    for k, eq in enumerate(wl.equations):
        if k in found:
            equations.append(fuse_group([wl.equations[i] for i in found[k]]))
        elif k not in member_of:
            equations.append(eq)
    return rebuild(wl, equations, {})
