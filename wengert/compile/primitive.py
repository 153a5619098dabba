"""A compiled function is a primitive.

:class:`CompiledFunction` wraps a *flat* function (leaves in, list of leaves out) and is a
``Primitive`` with multiple results, so every transformation handles it like ``sin``:

* called on plain values (``impl``), it runs the compiled program of the input signature
  whose guards hold, tracing and compiling a new specialisation on a miss (at most
  ``max_specializations`` per signature; past that it runs the function eagerly and warns
  once, naming the source lines of the guards that kept failing);
* forward mode (``jvp_full``) calls another compiled function, the JVP of the flat
  function, compiled the same way (one per pattern of zero tangents);
* reverse mode (``vjp_fwd``/``vjp_all``) at plain values runs the forward program of a
  cut of the value-and-VJP list (:mod:`.split`), which returns the residuals, and then
  its backward program; under outer transformations (or on a guard miss in the backward
  program) the backward step is a compiled function of (inputs, cotangents) that traces
  the forward and backward sweep into one list (one forward evaluation more);
* under another jit trace it is traced in place (``inline``), so ``jit(jit(f))`` is one
  program.

Since each rule is itself a :class:`CompiledFunction`, the rules of the rules exist too:
``hvp`` through a jitted function differentiates the compiled backward program forward.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from ..core import (
    Primitive,
    Tracer,
    VJPTrace,
    VJPTracer,
    add_p,
    backward,
    densify,
    dtype_of,
    jvp_flat,
    primal,
    shape_of,
)
from ..core.gc_pause import gc_paused
from ..numpy.linalg._cache import shared_factors
from . import codegen, guards
from .lowering import accumulate_scatters
from .split import make_cut
from .tracing import trace_flat


class SpecialisationWarning(UserWarning):
    """A jitted function needed more specialisations than allowed for one signature."""


class Program:
    """One specialisation: the optimised list, its source and the compiled function."""

    __slots__ = ("wengert_list", "source", "function", "guard_sites", "generated")

    def __init__(self, wengert_list, generated: codegen.Generated):
        self.wengert_list = wengert_list
        self.source = generated.source
        self.function = generated.function
        self.guard_sites = generated.guard_sites
        self.generated = generated


def optimize(wl):
    """The passes' ``optimize`` when they are there (``wengert.compile.passes``)."""
    from . import settings

    if not settings.use_passes:
        return wl
    try:
        from .passes import optimize as run_passes
    except ImportError:
        return wl
    return run_passes(wl)


def build_program(wl, name: str = "compiled") -> Program:
    opt = optimize(accumulate_scatters(wl))
    program = Program(opt, codegen.generate(opt, name=name))
    if any(eq.params.get("factors", False) is None for eq in opt.equations):
        program.function = _sharing_factors(program.function)
    return program


def _sharing_factors(function: Callable) -> Callable:
    """``function`` run with the linear algebra's factorisations shared within each call
    (its factored primitives were traced without factors: see ``linalg/_cache.py``)."""

    def run(*args):
        with shared_factors():
            return function(*args)

    return run


def signature(leaves) -> tuple:
    """What one compiled program is specialised to: type, shape and dtype per leaf."""
    return tuple(
        (x.shape, x.dtype) if type(x) is np.ndarray else type(x) for x in leaves
    )


class _Specialisations:
    __slots__ = ("programs", "warned")

    def __init__(self):
        self.programs: list = []
        self.warned = False


class CompiledFunction(Primitive):
    """``flat_fun`` compiled per input signature, as a multiple-result primitive."""

    __slots__ = ("flat_fun", "label", "max_specializations", "cache", "out_tree",
                 "_jvps", "_vjps", "_cuts")

    def __init__(self, flat_fun: Callable, label: str, max_specializations: int):
        super().__init__(f"jit[{label}]", self._run, multiple_results=True)
        self.flat_fun = flat_fun
        self.label = label
        self.max_specializations = max_specializations
        self.cache: dict = {}
        self.out_tree = None
        self._jvps: dict = {}
        self._vjps: dict = {}
        self._cuts: dict = {}  # signature -> cuts of value-and-VJP (reverse mode)
        self.jvp_full = self._jvp_full
        self.vjp_fwd = self._vjp_fwd
        self.vjp_all = self._vjp_all

    def inline(self, args) -> tuple:
        """Under a jit trace: trace the function in place."""
        return tuple(self.flat_fun(*args))

    # -- running ----------------------------------------------------------------------

    def _run(self, *leaves) -> tuple:
        sig = signature(leaves)
        specs = self.cache.get(sig)
        if specs is None:
            specs = self.cache[sig] = _Specialisations()
        missed = []
        for program in specs.programs:
            try:
                return program.function(*leaves)
            except guards.GuardMiss as miss:
                missed.append(program.guard_sites[miss.args[0]])
        if len(specs.programs) < self.max_specializations:
            with shared_factors():  # tracing computes the values too
                traced = trace_flat(self.flat_fun, leaves)
            specs.programs.append(build_program(traced.wengert_list))
            return tuple(traced.out_values)
        if not specs.warned:
            specs.warned = True
            sites = ", ".join(dict.fromkeys(missed))
            warnings.warn(
                f"jit({self.label}): its {self.max_specializations} specialisations for "
                f"this input signature all failed a guard (Python control flow on a traced "
                f"value at {sites}); running it eagerly for these inputs from now on. "
                f"Raise max_specializations, or make the decision a static argument.",
                SpecialisationWarning,
                stacklevel=4,
            )
        with gc_paused():
            return tuple(self.flat_fun(*leaves))

    def programs(self, leaves) -> list:
        specs = self.cache.get(signature(leaves))
        return [] if specs is None else list(specs.programs)

    # -- forward mode -------------------------------------------------------------------

    def _jvp_full(self, primals, tangents, params):
        mask = tuple(t is not None for t in tangents)
        compiled = self._jvps.get(mask)
        if compiled is None:
            compiled = self._jvps[mask] = CompiledFunction(
                _jvp_flat_fun(self.flat_fun, mask), f"jvp of {self.label}",
                self.max_specializations)
        res = compiled(*primals, *[t for t in tangents if t is not None])
        k = len(res) // 2
        return tuple(res[:k]), tuple(res[k:])

    # -- reverse mode -------------------------------------------------------------------

    def _vjp_fwd(self, *vals, **params):
        """First order at plain values: the forward program of a cut (outputs and
        residuals, :mod:`.split`); under outer transformations, or where no cut is
        possible: the compiled function, keeping the inputs to recompute from."""
        if not any(isinstance(v, Tracer) for v in vals):
            found = self._cut_forward(vals)
            if found is not None:
                cut, outs, residuals = found
                return outs, ("cut", cut, residuals, tuple(vals))
        return self(*vals), ("inputs", None, None, tuple(vals))

    def _cut_forward(self, vals):
        sig = signature(vals)
        cuts = self._cuts.get(sig)
        if cuts is None:
            cuts = self._cuts[sig] = []
        for cut in cuts:
            if cut is None:  # no cut possible for this signature
                return None
            try:
                outs, residuals = cut.run_forward(vals)
                return cut, outs, residuals
            except guards.GuardMiss:
                continue
        if len(cuts) >= self.max_specializations:
            return None
        try:
            cut = make_cut(self.flat_fun, vals, build_program)
        except Exception:  # noqa: BLE001 - the recompute path raises real errors itself
            cuts.append(None)
            return None
        cuts.append(cut)
        try:
            outs, residuals = cut.run_forward(vals)
        except guards.GuardMiss:  # pragma: no cover - traced at these very values
            return None
        return cut, outs, residuals

    @staticmethod
    def linearize_primals(saved) -> tuple:
        """The flat primal inputs in what ``_vjp_fwd`` stored (``linearize`` pushes
        tangents through the compiled JVP program at them)."""
        return saved[3]

    def _vjp_all(self, g, ans, saved, params, parents):
        mask = tuple(p >= 0 for p in parents)
        kind, cut, residuals, vals = saved
        if kind == "cut" and not any(isinstance(x, Tracer) for x in g):
            gs = [g[j] for j in cut.inexact_out]
            try:
                return cut.run_backward(mask, residuals, gs)
            except guards.GuardMiss:
                pass  # a guard on the cotangents: recompute below
        return self._vjp_recompute(g, ans, vals, mask)

    def _vjp_recompute(self, g, ans, saved, mask):
        out_mask = tuple(_inexact(a) for a in ans)
        key = (mask, out_mask)
        compiled = self._vjps.get(key)
        if compiled is None:
            compiled = self._vjps[key] = CompiledFunction(
                _vjp_flat_fun(self.flat_fun, mask, out_mask), f"vjp of {self.label}",
                self.max_specializations)
        cts = iter(compiled(*saved, *[gi for gi, m in zip(g, out_mask) if m]))
        return [next(cts) if m else None for m in mask]


def _inexact(x) -> bool:
    return np.issubdtype(dtype_of(primal(x)), np.inexact)


def _zeros_like(x):
    return np.zeros(shape_of(x), dtype=dtype_of(primal(x)))


def _jvp_flat_fun(flat_fun: Callable, mask: tuple) -> Callable:
    n = len(mask)

    def jvp_fun(*args):
        primals = args[:n]
        given = iter(args[n:])
        tangents = [next(given) if m else None for m in mask]
        values, tans = jvp_flat(flat_fun, list(primals), tangents)
        out_t = []
        for v, t in zip(values, tans):
            if t is None and _inexact(v):
                t = _zeros_like(v)
            out_t.append(t)
        return [*values, *out_t]

    return jvp_fun


def _vjp_flat_fun(flat_fun: Callable, mask: tuple, out_mask: tuple) -> Callable:
    n = len(mask)
    from ..api import _match_dtype

    def vjp_fun(*args):
        xs, gs = args[:n], args[n:]
        trace = VJPTrace()
        boxed = list(xs)
        index = []
        for i, m in enumerate(mask):
            if m:
                boxed[i] = trace.new_input(xs[i])
                index.append((i, boxed[i]._index))
        try:
            try:
                outs = flat_fun(*boxed)
            finally:
                trace.finish()
            seeds: dict = {}
            for o, g in zip([o for o, m in zip(outs, out_mask) if m], gs):
                if isinstance(o, VJPTracer) and o._trace is trace:
                    k = o._index
                    seeds[k] = g if k not in seeds else add_p(seeds[k], g)
            ct = backward(trace, seeds, keep=False)
        finally:
            trace.release()
        result = []
        for i, k in index:
            c = densify(ct[k])
            result.append(_zeros_like(xs[i]) if c is None else _match_dtype(c, xs[i]))
        return result

    return vjp_fun
