"""``jit``: trace by example, guard, optimise, generate code, cache.

``jit(f)(*args)`` flattens the arguments; numeric leaves (arrays, NumPy and Python
numbers, tracers) are the dynamic inputs, everything else (``None``, strings, static
arguments named by ``static_argnums``/``static_argnames``) is part of the cache key by
value. One :class:`~wengert.compile.primitive.CompiledFunction` exists per key; it keeps
the compiled programs per input signature (shapes and dtypes). The call itself is
``bind`` of that primitive, so ``grad``, ``jvp``, ``hvp``... of a jitted function use its
compiled rules, and a jitted function traced by an outer ``jit`` is inlined.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence

import numpy as np

from .. import errors
from ..core import Tracer
from ..tree import tree_flatten, tree_paths, tree_unflatten
from . import settings
from .lowered import Lowered
from .primitive import CompiledFunction, build_program
from .tracing import trace_flat


class StaticArgumentError(errors.WengertError, TypeError):
    """A static argument of a jitted function is unhashable or traced."""


_DYNAMIC = object()  # marks a dynamic leaf in the cache key
_NUMERIC = (np.ndarray, np.generic, float, int, complex, bool, Tracer)


def _is_dynamic(leaf) -> bool:
    return isinstance(leaf, _NUMERIC)


class Jitted:
    """A function compiled by :func:`jit` (call it like the function; ``lower`` shows
    the generated code)."""

    def __init__(self, fun: Callable, static_argnums: Sequence[int],
                 static_argnames: Sequence[str], max_specializations: int | None):
        self.fun = fun
        self._explicit_argnums = tuple(static_argnums)
        self._names = _positional_names(fun)
        nums, names = _static_both_ways(fun, tuple(static_argnums), tuple(static_argnames))
        self.static_argnums = nums
        self.static_argnames = names
        self.max_specializations = max_specializations
        self._compiled: dict = {}
        self._by_arity: dict = {}  # nargs -> compiled function, when all are plain
        self.__name__ = getattr(fun, "__name__", type(fun).__name__)
        functools.update_wrapper(self, fun, updated=())

    def __repr__(self) -> str:
        return f"jit({self.__name__})"

    def __get__(self, obj, objtype=None):  # used as a method decorator
        return self if obj is None else functools.partial(self, obj)

    def __call__(self, *args, **kwargs):
        if not kwargs and not self.static_argnums:
            # Fast path: every argument a plain number or array (no pytree to flatten).
            for a in args:
                if type(a) not in _PLAIN:
                    break
            else:
                compiled = self._by_arity.get(len(args))
                if compiled is not None:
                    return _unflatten(compiled, compiled(*args))
                compiled, leaves = self._prepare(args, kwargs)
                self._by_arity[len(args)] = compiled
                return _unflatten(compiled, compiled(*leaves))
        compiled, leaves = self._prepare(args, kwargs)
        return _unflatten(compiled, compiled(*leaves))

    def lower(self, *args, **kwargs) -> Lowered:
        """Trace, optimise and generate code for these arguments, without running or
        caching it: ``.source`` is the generated function, ``.trace`` the optimised
        Wengert list (``.traced`` the list before optimisation)."""
        compiled, leaves = self._prepare(args, kwargs)
        traced = trace_flat(compiled.flat_fun, [_plain(x) for x in leaves])
        program = build_program(traced.wengert_list, name=_identifier(self.__name__))
        return Lowered(traced.wengert_list, program)

    # -- arguments ------------------------------------------------------------------------

    def _static_positions(self, nargs: int, kwargs: dict) -> set:
        pos = set()
        for n in self.static_argnums:
            if not -nargs <= n < nargs:
                if n not in self._explicit_argnums or self._names.get(n) in kwargs:
                    continue  # passed by keyword (or, named in static_argnames, not at all)
                raise StaticArgumentError(
                    f"jit({self.__name__}): static_argnums names argument {n}, but the "
                    f"function was called with {nargs} positional argument(s)")
            pos.add(n % nargs)
        return pos

    def _prepare(self, args: tuple, kwargs: dict):
        static_pos = self._static_positions(len(args), kwargs) if self.static_argnums \
            else ()
        static_vals = []
        dyn_args = []
        for i, a in enumerate(args):
            if i in static_pos:
                static_vals.append((i, _check_static(self.__name__, f"argument {i}", a)))
            else:
                dyn_args.append(a)
        static_kw = []
        dyn_kwargs = {}
        for k, v in kwargs.items():
            if k in self.static_argnames:
                static_kw.append((k, _check_static(self.__name__, f"argument {k!r}", v)))
            else:
                dyn_kwargs[k] = v
        leaves, treedef = tree_flatten((tuple(dyn_args), dyn_kwargs))
        fixed = []
        dynamic = []
        paths = None
        for j, leaf in enumerate(leaves):
            if _is_dynamic(leaf):
                fixed.append(_DYNAMIC)
                dynamic.append(leaf)
            else:
                if paths is None:
                    paths = tree_paths((tuple(dyn_args), dyn_kwargs))
                fixed.append(_check_static(self.__name__, f"leaf {paths[j]}", leaf))
        key = (treedef, tuple(static_vals), tuple(sorted(static_kw)), tuple(fixed))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._make(
                treedef, static_vals, static_kw, fixed, len(args))
        return compiled, dynamic

    def _make(self, treedef, static_vals, static_kw, fixed, nargs) -> CompiledFunction:
        fun = self.fun
        max_spec = self.max_specializations or settings.max_specializations
        compiled: CompiledFunction

        def flat_fun(*dynamic):
            given = iter(dynamic)
            leaves = [next(given) if f is _DYNAMIC else f for f in fixed]
            dyn_args, kwargs = tree_unflatten(treedef, leaves)
            call = list(dyn_args)
            for i, v in static_vals:
                call.insert(i, v)
            kwargs = dict(kwargs)
            kwargs.update(static_kw)
            out = fun(*call, **kwargs)
            out_leaves, out_def = tree_flatten(out)
            if compiled.out_tree is None:
                compiled.out_tree = out_def
            elif compiled.out_tree != out_def:
                raise errors.WengertError(
                    f"jit({self.__name__}): the function returned {out_def!r} for these "
                    f"arguments but {compiled.out_tree!r} before; the structure of the "
                    f"output may depend on static arguments and on the structure of the "
                    f"inputs, not on traced values")
            return out_leaves

        compiled = CompiledFunction(flat_fun, self.__name__, max_spec)
        return compiled


def _positional_names(fun) -> dict:
    try:
        params = inspect.signature(fun).parameters.values()
    except (TypeError, ValueError):
        return {}
    return {i: p.name for i, p in enumerate(params)
            if p.kind is p.POSITIONAL_OR_KEYWORD}


def _static_both_ways(fun, nums: tuple, names: tuple) -> tuple[tuple, frozenset]:
    """Static arguments by position and by name: a parameter named in
    ``static_argnames`` is static when passed by position too, and one numbered in
    ``static_argnums`` when passed by keyword (as in JAX)."""
    try:
        params = list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):
        return nums, frozenset(names)
    positional = [p.name for p in params
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    nums = set(nums)
    names = set(names)
    for i, name in enumerate(positional):
        if name in names:
            nums.add(i)
        if i in nums or (i - len(positional)) in nums:
            if params[i].kind is not params[i].POSITIONAL_ONLY:
                names.add(name)
    return tuple(sorted(nums)), frozenset(names)


_PLAIN = frozenset({np.ndarray, float, np.float64, np.float32, np.complex128, int,
                    complex, np.int64})


def _unflatten(compiled: CompiledFunction, outs):
    tree = compiled.out_tree
    if tree.kind == "leaf":
        return outs[0]
    if tree.kind == "tuple" and all(c.kind == "leaf" for c in tree.children):
        return tuple(outs)
    return tree_unflatten(tree, list(outs))


def _check_static(name: str, where: str, value):
    if isinstance(value, Tracer):
        raise StaticArgumentError(
            f"jit({name}): static {where} is a traced value; static arguments must be "
            f"plain hashable Python values (the cache is keyed by their value)")
    try:
        hash(value)
    except TypeError:
        raise StaticArgumentError(
            f"jit({name}): static {where} of type {type(value).__name__} is not "
            f"hashable; static arguments are part of the cache key, so they must be "
            f"hashable (use a tuple instead of a list, or pass arrays as dynamic "
            f"arguments)") from None
    return value


def _plain(x):
    from ..core import primal

    return primal(x)


def _identifier(name: str) -> str:
    return "compiled"


def jit(fun: Callable | None = None, *, static_argnums: int | Sequence[int] = (),
        static_argnames: str | Sequence[str] = (),
        max_specializations: int | None = None):
    """Compile ``fun``: trace it once per input signature, optimise its Wengert list and
    run generated Python/NumPy code on later calls.

    Works as ``jit(f)``, ``@jit``, ``@jit(static_argnums=1)`` and on any transformation
    (``jit(value_and_grad(f))``); a jitted function can itself be transformed
    (``grad(jit(f))``, ``jvp``, ``hvp``). Python control flow on traced values becomes
    guards (see ``docs/jit.md``): at most ``max_specializations`` programs (default
    ``wengert.compile.settings.max_specializations``) per input signature, then the
    function runs eagerly with a warning.
    """
    if isinstance(static_argnums, (int, np.integer)):
        static_argnums = (int(static_argnums),)
    if isinstance(static_argnames, str):
        static_argnames = (static_argnames,)
    if max_specializations is not None and max_specializations < 1:
        raise ValueError(f"jit: max_specializations must be at least 1, got "
                         f"{max_specializations!r}")
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums,
                                 static_argnames=static_argnames,
                                 max_specializations=max_specializations)
    if not callable(fun):
        raise TypeError(f"jit: expected a function, got {type(fun).__name__}")
    return Jitted(fun, static_argnums, static_argnames, max_specializations)
