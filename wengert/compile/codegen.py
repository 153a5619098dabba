"""Code generation: an (optimised) Wengert list as readable Python source calling NumPy.

One line per equation, in list order:

    def compiled(x0, x1):
        v1 = np_multiply(x0, x1)
        v2 = np_sin(v1, out=v1)        # v1's buffer is dead: reused
        guard: if not v3: raise GuardMiss(0)
        del v4                         # released right after its last use
        return (v2,)

Nothing from user code or data reaches the source: variable names are generated
(``x0``, ``v7``, ``c0``), implementations, constants and parameters are closure
variables of the compiled function (passed by reference, never by ``repr``), and a
primitive is named after itself only when wengert defines it. 0-d float64 code is
emitted on Python floats with ``math`` (:mod:`.scalar`), with the NumPy version of the
same program as the fallback for the cases where Python raises instead of returning
``inf``/``nan``.
"""

from __future__ import annotations

import builtins
import keyword
import operator
import re
import sys

import numpy as np

from ..core import Primitive
from ..core.wengert_list import Var, WengertList
from . import guards, scalar, unroll
from .buffers import last_reads, pool_plan, reuse_plan, scatters_in_place, ufunc_of
from .lowering import is_basic_index, scatter_accumulate_p
from .pool import BufferPool

# operator implementations, written as the operator (the same call, without a frame)
_INFIX = {operator.add: "{0} + {1}", operator.sub: "{0} - {1}", operator.mul: "{0} * {1}",
          operator.truediv: "{0} / {1}", operator.neg: "-{0}"}
_NAME = re.compile(r"[a-z][a-z0-9_]{0,30}\Z")
_library_prims: set = set()


_scanned = [0]  # how many modules were loaded at the last scan


def _library_primitives() -> set:
    """ids of the primitives wengert itself defines (their names may appear in source);
    scanned again when modules have been imported since."""
    if _scanned[0] != len(sys.modules):
        _scanned[0] = len(sys.modules)
        for mod_name, mod in list(sys.modules.items()):
            if mod is None or not mod_name.startswith("wengert."):
                continue
            for value in list(vars(mod).values()):
                if isinstance(value, Primitive):
                    _library_prims.add(id(value))
        from ..numpy._registry import TABLE

        for entry in TABLE.values():
            if isinstance(entry.function, Primitive):
                _library_prims.add(id(entry.function))
        from .tracing import _nondiff_prims

        _library_prims.update(id(p) for p in _nondiff_prims.values())
    return _library_prims


class _Env:
    """Closure variables of the generated code, by reference."""

    def __init__(self):
        self.values: dict[str, object] = {}
        self._by_id: dict = {}
        self._taken: set = set()

    def ref(self, value, hint: str) -> str:
        if type(value) is float:  # floats made for the scalar code: shared by value
            key = ("float", value.hex())
        elif hint == "q" and type(value) in (tuple, int, bool, str, type(None)):
            try:  # parameters (shapes, axes, flags): shared by value and type
                key = ("param", type(value), value, repr(value))
                hash(key)
            except TypeError:
                key = (id(value), hint[:2])
        else:
            key = (id(value), hint[:2])
        name = self._by_id.get(key)
        if name is not None:
            return name
        base = hint if _NAME.match(hint) and not keyword.iskeyword(hint) else "f"
        name = base
        k = 1
        while name in self._taken or hasattr(builtins, name):
            name = f"{base}_{k}"
            k += 1
        self._taken.add(name)
        self.values[name] = value
        self._by_id[key] = name
        return name


class Generated:
    """Source and callable of one compiled program. ``fallback_source`` is the plain
    NumPy version that the float code falls back to (generated on first use)."""

    __slots__ = ("source", "function", "guard_sites", "_fallback")

    def __init__(self, source: str, function, guard_sites: list, fallback=None):
        self.source = source
        self.function = function
        self.guard_sites = guard_sites
        self._fallback = fallback

    @property
    def fallback_source(self) -> str | None:
        return None if self._fallback is None else self._fallback.generated().source


class _LazyFallback:
    """The NumPy version of a program, generated and compiled on its first call (most
    programs never need it)."""

    __slots__ = ("wl", "name", "_generated")

    def __init__(self, wl: WengertList, name: str):
        self.wl = wl
        self.name = name
        self._generated = None

    def generated(self) -> Generated:
        if self._generated is None:
            self._generated = generate(self.wl, self.name, specialise_scalars=False)
        return self._generated

    def __call__(self, *args):
        return self.generated().function(*args)


def generate(wl: WengertList, name: str = "compiled", specialise_scalars: bool = True,
             reuse_buffers: bool = True) -> Generated:
    """Compile ``wl`` to a Python function of its inputs returning the tuple of outputs."""
    env = _Env()
    if specialise_scalars and unroll.applies(wl):
        return _unrolled(wl, name, env)
    has_arrays = any(v.shape for eq in wl.equations for v in eq.outs)
    out_names = {o.name for o in wl.outputs if isinstance(o, Var)}
    in_names = {v.name for v in wl.inputs}
    plan = reuse_plan(wl, out_names, in_names) if reuse_buffers and has_arrays else {}
    svars = scalar.scalar_vars(wl) if specialise_scalars else set()
    fallback = _LazyFallback(wl, f"{name}_numpy") if svars else None
    guard_sites: list = []
    body = _function(wl, name, svars, env, plan, guard_sites,
                     None if fallback is None else env.ref(fallback, "numpy_version"))
    return _build(body, name, env, guard_sites, fallback)


def _unrolled(wl: WengertList, name: str, env: _Env) -> Generated:
    """A program on tiny arrays as code on Python floats (:mod:`.unroll`), with the
    NumPy version as its fallback; where it pays and a C compiler is found, the same
    statements run as native code, with the float code (the ``source``) as fallback."""
    fallback = _LazyFallback(wl, f"{name}_numpy")
    prog = unroll.program(wl, env)
    code = unroll.body(wl, env, env.ref(fallback, "numpy_version"), prog)
    head = f"def {name}({', '.join(v.name for v in wl.inputs)}):"
    generated = _build([head] + ["    " + c for c in code], name, env, [], fallback)
    native = unroll.native_version(wl, prog, env.values, generated.function, name)
    if native is not None:
        generated.function = native
    return generated


def _build(body: list, name: str, env: _Env, guard_sites: list, fallback) -> Generated:
    lines = [f"def build({', '.join(env.values)}):"]
    lines.extend("    " + line for line in body)
    lines.append("")
    lines.append(f"    return {name}")
    source = "\n".join(lines) + "\n"
    namespace: dict = {"__builtins__": builtins}
    exec(compile(source, f"<wengert.jit {name}>", "exec"), namespace)  # noqa: S102
    function = namespace["build"](**env.values)
    return Generated(source, function, guard_sites, fallback)


_MAX_INLINE_DEPTH = 6
_VNAME = re.compile(r"\bv\d+\b")


class _Stmt:
    __slots__ = ("targets", "expr", "reads", "scalar", "dels")

    def __init__(self, targets, expr, reads, scalar_target, dels=()):
        self.targets = targets  # names assigned (a tuple; empty for a guard)
        self.expr = expr  # the line, with ``{}`` where the targets go (or the guard)
        self.reads = reads  # names of the variables it reads
        self.scalar = scalar_target  # one float target: it gets a register
        self.dels = list(dels)


def _function(wl, fn_name, svars, env, plan, guard_sites, fallback) -> list:
    """Lines of the function ``fn_name``. Float code (``svars``) is emitted with
    single-use temporaries folded into their one reader (``a * k * -b``, at most
    ``_MAX_INLINE_DEPTH`` deep) and held in a few reused locals (``r0, r1, ...``), so
    that the frame stays small; array variables keep their names and are deleted right
    after their last use."""
    out_names = {o.name for o in wl.outputs if isinstance(o, Var)}
    direct = scatters_in_place(wl, out_names, svars)  # scatter index -> producer index
    direct_into = {p: (wl.equations[k].outs[0],
                       env.ref(wl.equations[k].params["index"], "q"))
                   for k, p in direct.items()}
    redirected = {wl.equations[p].outs[0].name for p in direct_into}
    plan = {i: v for i, v in plan.items()
            if i not in direct_into and v.name not in redirected}
    last = last_reads(wl)
    for i, var in plan.items():  # a reused buffer lives until the equation reusing it
        last[var.name] = max(last.get(var.name, -1), i)
    pooled = pool_plan(wl, plan, direct, svars)  # buffers kept across calls (.pool)
    ins = [v.name for v in wl.inputs]
    head: list = []
    renamed: dict = {}  # inputs held as Python floats, under their own names
    if svars:
        scalar_inputs = {v.name for v in wl.inputs
                         if scalar.is_scalar_float(v.shape, v.dtype)}
        used = set()
        for eq in wl.equations:
            if eq.outs and eq.outs[0].name in svars:
                used.update(a.name for a in eq.ins if isinstance(a, Var))
        need_numpy = scalar.numpy_consumers(wl, svars, scalar_inputs)
        for n in ins:
            if n in scalar_inputs and n in used and n not in need_numpy:
                renamed[n] = f"{n}_float"
                head.append(f"{renamed[n]} = {env.ref(float, 'to_float')}({n})")
                svars = svars | {n}
    as_numpy = scalar.numpy_consumers(wl, svars) if svars else set()
    arrays = {v.name for eq in wl.equations for v in eq.outs if v.shape != ()}
    uses: dict = {}
    scalar_only: dict = {}  # var -> read only by float equations
    for eq in wl.equations:
        is_scalar = bool(eq.outs) and eq.outs[0].name in svars
        for a in eq.ins:
            if isinstance(a, Var):
                uses[a.name] = uses.get(a.name, 0) + 1
                scalar_only[a.name] = scalar_only.get(a.name, True) and is_scalar

    def arg(a, in_scalar: bool) -> str:
        if isinstance(a, Var):
            return renamed.get(a.name, a.name)
        if in_scalar:
            return env.ref(float(a.value), "k")
        return env.ref(a.value, a.name if a.name else "k")

    stmts: list = []
    inline: dict = {}  # var -> (expression, reads, depth), folded into its one reader
    for i, eq in enumerate(wl.equations):
        prim = eq.primitive
        if not eq.outs:
            names = [a.name for a in eq.ins if isinstance(a, Var)]
            stmts.append(_Stmt((), _guard_line(eq, env, len(guard_sites), renamed),
                               [renamed.get(n, n) for n in names], False))
            guard_sites.append(eq.params.get("where", "<unknown>"))
        elif eq.outs[0].name in svars and len(eq.outs) == 1:
            texts, reads, depth = [], [], 0
            for a in eq.ins:
                if isinstance(a, Var) and a.name in inline:
                    e, r, d = inline.pop(a.name)
                    texts.append(f"({e})")
                    reads.extend(r)
                    depth = max(depth, d + 1)
                else:
                    texts.append(arg(a, True))
                    if isinstance(a, Var):
                        reads.append(renamed.get(a.name, a.name))
            impl = prim.impl
            template = scalar.template(impl)
            if template is not None:
                expr = template.format(*texts)
            else:
                fn = scalar.FUNCTIONS[impl]
                expr = f"{env.ref(fn, 'math_' + fn.__name__)}({', '.join(texts)})"
            out = eq.outs[0].name
            if out in as_numpy:  # also read by NumPy code: a NumPy scalar
                expr = f"{env.ref(scalar.numpy_scalar(eq.outs[0]), 'to_numpy')}({expr})"
            if (uses.get(out) == 1 and scalar_only.get(out) and out not in out_names
                    and out not in as_numpy and depth < _MAX_INLINE_DEPTH):
                inline[out] = (expr, reads, depth)
            else:
                stmts.append(_Stmt((out,), "{} = " + expr, reads, True))
        elif i in direct:  # written by its producer into a view of its result
            pass
        else:
            into = plan[i].name if i in plan else None
            if pooled is not None and i in pooled.slots:
                into = f"buf{pooled.slots[i]}"
            if i in direct_into:  # the result is scattered: written in place
                target, index_ref = direct_into[i]
                stmts.append(_Stmt((target.name,), f"{target.name} = "
                                   f"{env.ref(np.zeros, 'zeros')}("
                                   f"{env.ref(tuple(target.shape), 'q')}, "
                                   f"{env.ref(np.dtype(target.dtype), 'q')})", [], False))
                into = f"{target.name}[{index_ref}]"
            scratch = None if pooled is None or i not in pooled.scratch else \
                _tuple_text([f"buf{k}" for k in pooled.scratch[i]])
            line = _call_line(eq, env, arg, into, scratch)
            reads = [renamed.get(a.name, a.name) for a in eq.ins if isinstance(a, Var)]
            stmts.append(_Stmt(tuple(v.name for v in eq.outs), line, reads, False))
        reads = [a for a in eq.ins if isinstance(a, Var)]
        if i in plan:
            reads.append(plan[i])
        dead = [a.name for a in reads if last.get(a.name) == i
                and a.name in arrays and a.name not in out_names]
        dead += [v.name for v in eq.outs if v.name not in last and v.name in arrays
                 and v.name not in out_names]
        if dead and stmts:
            stmts[-1].dels.extend(dict.fromkeys(dead))
    registers = scalar.registers(stmts, out_names) if svars else {}

    def local(name: str) -> str:
        return registers.get(name, name)

    def sub(text: str) -> str:
        return _VNAME.sub(lambda m: registers.get(m.group(0), m.group(0)), text) \
            if registers else text

    code = []
    for st in stmts:
        if st.scalar:
            code.append(sub(st.expr.format(local(st.targets[0]))))
        else:
            code.append(sub(st.expr))
        if st.dels:
            code.append("del " + ", ".join(st.dels))
    rets = []
    for o in wl.outputs:
        if isinstance(o, Var):
            name = local(renamed.get(o.name, o.name))
            rets.append(f"{env.ref(scalar.numpy_scalar(o), 'to_numpy')}({name})"
                        if o.name in svars and o.name not in as_numpy else name)
        else:
            rets.append(env.ref(o.value, "k"))
    ret = f"return ({', '.join(rets)}{',' if len(rets) == 1 else ''})"
    body = list(head)
    if pooled is not None:  # a buffer set of this call's own, given back on return
        pool = BufferPool(pooled.specs)
        env._taken.update(["buffers"] + [f"buf{k}" for k in range(len(pooled.specs))])
        body.append(f"buffers = {env.ref(pool.take, 'pool_take')}()")
        names = [f"buf{k}" for k in range(len(pooled.specs))]
        rows = [", ".join(names[k:k + 10]) for k in range(0, len(names), 10)]
        if len(rows) == 1:
            body.append(f"{rows[0]}{',' if len(names) == 1 else ''} = buffers")
        else:  # ten names a line
            body.extend(["(" + rows[0] + ","] + [f" {r}," for r in rows[1:-1]]
                        + [f" {rows[-1]}) = buffers"])
        code.append(f"{env.ref(pool.give, 'pool_give')}(buffers)")
    if fallback is not None:
        body.append("try:")
        body.extend("    " + c for c in code)
        errs = env.ref(scalar.SCALAR_ERRORS, "scalar_errors")
        body.append(f"except {errs}:  # Python raised where NumPy gives inf/nan")
        body.append(f"    return {fallback}({', '.join(ins)})")
    else:
        body.extend(code)
    body.append(ret)
    return [f"def {fn_name}({', '.join(ins)}):"] + ["    " + b for b in body]


def _tuple_text(names: list) -> str:
    return f"({names[0]},)" if len(names) == 1 else f"({', '.join(names)})"


def _guard_line(eq, env, k: int, renamed: dict) -> str:
    v = eq.ins[0]
    name = renamed.get(v.name, v.name) if isinstance(v, Var) else env.ref(v.value, "k")
    kind, expected = eq.params["kind"], eq.params["expected"]
    miss = f"raise {env.ref(guards.GuardMiss, 'guard_miss')}({k})"
    if kind == "bool":
        return f"if {'not ' if expected else ''}{name}: {miss}"
    if kind == "array":
        same = env.ref(guards.same_array, "same_array")
        return f"if not {same}({name}, {env.ref(expected, 'expected')}): {miss}"
    if kind == "shape":
        return (f"if {env.ref(np.shape, 'shape')}({name}) != "
                f"{env.ref(expected, 'expected')}: {miss}")
    conv = env.ref(guards._CONVERT[kind], kind)
    return f"if {conv}({name}) != {env.ref(expected, 'expected')}: {miss}"


def _array_method(eq, args, env) -> str | None:
    """NumPy's own spelling of a few structural primitives on arrays, where it is
    exactly what their implementation does (``x.T``, ``x.reshape(s)``, ``x[i]``):
    no Python-level wrapper call."""
    from ..numpy.indexing import getitem_p
    from ..numpy.shapes import reshape_p, transpose_p

    x = eq.ins[0] if eq.ins else None
    if not isinstance(x, Var) or not x.shape:  # not certainly an ndarray
        return None
    prim = eq.primitive
    if prim is transpose_p:
        axes = eq.params.get("axes")
        if axes is None or tuple(axes) == tuple(range(len(x.shape)))[::-1]:
            return f"{args[0]}.T"
    elif prim is reshape_p:
        return f"{args[0]}.reshape({env.ref(eq.params['shape'], 'q')})"
    elif prim is getitem_p and not eq.params.get("unique", False):
        return f"{args[0]}[{env.ref(eq.params['index'], 'q')}]"
    elif np.dtype(x.dtype).kind in "fc":
        return _reduction(eq, args[0], env)
    return None


def _reduction(eq, x: str, env) -> str | None:
    """``sum``/``max``/``min``/``sum_to_shape`` of a float array as the ufunc reduction
    their implementations call (``np.sum`` is ``np.add.reduce`` on an ndarray), without
    the Python wrappers around it; ``sum_to_shape``'s axes are worked out here, from
    the shapes the list knows."""
    from ..core.basic_ops import sum_to_shape_p
    from ..numpy.reductions import max_p, min_p, sum_p

    prim, params = eq.primitive, eq.params
    ufunc = {sum_p: np.add, max_p: np.maximum, min_p: np.minimum}.get(prim)
    if ufunc is not None and set(params) == {"axis", "keepdims"}:
        return (f"{env.ref(ufunc, 'np_' + ufunc.__name__)}.reduce({x}, "
                f"axis={env.ref(params['axis'], 'q')}, "
                f"keepdims={env.ref(params['keepdims'], 'q')})")
    if prim is not sum_to_shape_p or set(params) != {"shape"}:
        return None
    x_shape, shape = tuple(eq.ins[0].shape), tuple(params["shape"])
    if x_shape == shape:
        return x  # the implementation returns its argument
    lead = len(x_shape) - len(shape)
    if lead < 0:
        return None
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and x_shape[lead + i] != 1)
    if not axes:
        return f"{x}.reshape({env.ref(shape, 'q')})"
    line = (f"{env.ref(np.add, 'np_add')}.reduce({x}, axis={env.ref(axes, 'q')}, "
            f"keepdims=True)")
    kept = tuple(1 if k in axes else n for k, n in enumerate(x_shape))
    return line if kept == shape else f"{line}.reshape({env.ref(shape, 'q')})"


def _scatter_accumulate_line(eq, args, env) -> str | None:
    """``buffer[index] += g`` written out, as ``scatter_accumulate``'s implementation
    does it for a basic index and equal dtypes (known here from the list), without its
    wrapper: the result is the buffer itself."""
    buffer, g = eq.ins[0], eq.ins[1]
    index = eq.params.get("index")
    if not (isinstance(buffer, Var) and isinstance(g, Var) and buffer.shape
            and np.dtype(buffer.dtype) == np.dtype(g.dtype) and is_basic_index(index)):
        return None
    return (f"{args[0]}[{env.ref(index, 'q')}] += {args[1]}; "
            f"{eq.outs[0].name} = {args[0]}")


def _call_line(eq, env, arg, into: str | None, scratch: str | None = None) -> str:
    """``outs = impl(args, params)``; with ``into``, written into that buffer (a dead
    variable's, a pool buffer, or a view of a scatter's result); ``scratch``: pool
    buffers for a fused kernel's temporaries."""
    prim = eq.primitive
    impl = prim.impl
    args = [arg(a, False) for a in eq.ins]
    if into is None and prim is scatter_accumulate_p:
        line = _scatter_accumulate_line(eq, args, env)
        if line is not None:
            return line
    if into is None and len(eq.outs) == 1 and not prim.multiple_results:
        expr = _array_method(eq, args, env)
        if expr is None and not eq.params:
            template = _INFIX.get(impl) if not isinstance(impl, np.ufunc) else None
            if template is not None:
                expr = template.format(*args)
        if expr is not None:
            return f"{eq.outs[0].name} = {expr}"
    ufunc = ufunc_of(impl)
    if ufunc is not None and (into is not None or isinstance(impl, np.ufunc)):
        callee = env.ref(ufunc, "np_" + ufunc.__name__)
    elif id(prim) in _library_primitives():
        callee = env.ref(impl, prim.name)
    else:
        callee = env.ref(impl, "fused" if getattr(prim, "accepts_out", False) else "p")
    for key, value in eq.params.items():
        if not key.isidentifier() or keyword.iskeyword(key):
            raise ValueError(f"jit: parameter name {key!r} of {prim.name} is not an identifier")
        args.append(f"{key}={env.ref(value, 'q')}")
    if scratch is not None:
        args.append(f"scratch={scratch}")
    if into is not None:
        args.append(f"out={into}")
    lhs = ", ".join(v.name for v in eq.outs)
    if len(eq.outs) == 1 and prim.multiple_results:
        lhs += ","
    return f"{lhs} = {callee}({', '.join(args)})"
