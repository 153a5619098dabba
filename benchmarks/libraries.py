"""One adapter per library: how to import it, move the data in, and call ``f`` and
``value_and_grad`` on it.

``build(lib, workload, data, lse)`` returns a :class:`Case`; its ``f`` and ``vg`` are
zero-argument callables that finish their work before returning (JAX results are
blocked on), ``to_numpy`` turns ``vg``'s output into ``(float, [arrays])`` for the
gradient check. Importing a library that is not installed raises ``NotInstalled``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from . import workloads as W

LIBRARIES = ("numpy", "hand", "wengert", "autograd", "torch", "jax", "jax-jit")
LABELS = {
    "numpy": "NumPy (f only)",
    "hand": "hand-written NumPy gradient",
    "wengert": "wengert",
    "autograd": "HIPS autograd",
    "torch": "PyTorch (eager)",
    "jax": "JAX (un-jitted)",
    "jax-jit": "JAX (jit)",
}


class NotInstalled(Exception):
    pass


@dataclasses.dataclass
class Case:
    f: Callable[[], Any]
    vg: Callable[[], Any] | None
    to_numpy: Callable[[Any], tuple] | None = None  # vg output -> (value, [grads])
    f_value: Callable[[Any], float] = float
    compile_s: dict = dataclasses.field(default_factory=dict)


def _leaves(g) -> list:
    return [np.asarray(a) for a in g] if isinstance(g, (tuple, list)) else [np.asarray(g)]


def _function(workload: str, xp, data: dict, lse: str, convert=lambda a: a):
    """``(fun, arg)``: the workload as a function of its differentiated argument."""
    if workload == "scalar":
        steps = data["steps"]
        return (lambda x: W.scalar_loop(xp, x, steps)), convert(data["x"])
    if workload == "mlp":
        X, Y = convert(data["X"]), convert(data["Y"])
        params = tuple(convert(p) for p in data["params"])
        return (lambda p: W.mlp_loss(xp, p, X, Y, lse)), params
    return (lambda x: W.rosenbrock(xp, x)), convert(data["x"])


def version(lib: str) -> str | None:
    from importlib import metadata

    dist = {"hand": "numpy", "jax-jit": "jax"}.get(lib, lib)
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def setup(lib: str, threads: int) -> None:
    """Import the library (``NotInstalled`` if it is missing) and set its options."""
    try:
        if lib == "wengert":
            import wengert  # noqa: F401
        elif lib == "autograd":
            import autograd  # noqa: F401
        elif lib == "torch":
            import torch

            torch.set_num_threads(threads)
        elif lib in ("jax", "jax-jit"):
            import jax

            jax.config.update("jax_enable_x64", True)
            jax.config.update("jax_platforms", "cpu")
    except ImportError as exc:
        raise NotInstalled(str(exc)) from exc


def build(lib: str, workload: str, data: dict, lse: str) -> Case:
    return _BUILDERS[lib](workload, data, lse)


# -- NumPy and the hand-written gradient ------------------------------------------------


def _numpy(workload, data, lse):
    fun, arg = _function(workload, np, data, lse)
    return Case(f=lambda: fun(arg), vg=None)


def _hand(workload, data, lse):
    fun, arg = _function(workload, np, data, lse)
    if workload == "scalar":
        steps = data["steps"]
        vg = lambda: W.scalar_vg_hand(arg, steps)
    elif workload == "mlp":
        X, Y = data["X"], data["Y"]
        vg = lambda: W.mlp_vg_hand(arg, X, Y, lse)
    else:
        vg = lambda: W.rosenbrock_vg_hand(arg)
    return Case(f=lambda: fun(arg), vg=vg, to_numpy=lambda o: (float(o[0]), _leaves(o[1])))


# -- wengert and autograd: same shape of API --------------------------------------------


def _wengert(workload, data, lse):
    import wengert
    import wengert.numpy as wnp

    fun, arg = _function(workload, wnp, data, lse)
    vg_fun = wengert.value_and_grad(fun)
    return Case(f=lambda: fun(arg), vg=lambda: vg_fun(arg),
                to_numpy=lambda o: (float(o[0]), _leaves(o[1])))


def _autograd(workload, data, lse):
    import autograd
    import autograd.numpy as anp

    fun, arg = _function(workload, anp, data, lse)
    vg_fun = autograd.value_and_grad(fun)
    return Case(f=lambda: fun(arg), vg=lambda: vg_fun(arg),
                to_numpy=lambda o: (float(o[0]), _leaves(o[1])))


# -- PyTorch (eager) --------------------------------------------------------------------


class _TorchNS:
    """The few NumPy names the workloads use, spelled in torch."""

    def __init__(self):
        import torch

        self.sin, self.cos, self.tanh = torch.sin, torch.cos, torch.tanh
        self.exp, self.log, self.maximum = torch.exp, torch.log, torch.maximum
        self.reshape = torch.reshape
        self.sum = lambda x, axis=None: torch.sum(x) if axis is None else torch.sum(x, dim=axis)
        self.mean = torch.mean
        self.max = lambda x, axis: torch.amax(x, dim=axis)


def _torch(workload, data, lse):
    import torch

    def convert(a):
        return torch.tensor(a, dtype=torch.float64) if np.ndim(a) == 0 else torch.from_numpy(a)

    fun, arg = _function(workload, _TorchNS(), data, lse, convert)
    multi = isinstance(arg, tuple)
    leaves = list(arg) if multi else [arg]

    def vg():
        ps = [p.detach().requires_grad_() for p in leaves]
        out = fun(tuple(ps) if multi else ps[0])
        grads = torch.autograd.grad(out, ps)
        return out.detach(), grads

    def to_numpy(o):
        return float(o[0]), [g.numpy() for g in o[1]]

    def f():
        with torch.no_grad():
            return fun(arg)

    return Case(f=f, vg=vg, to_numpy=to_numpy)


# -- JAX --------------------------------------------------------------------------------


def _jax_parts(workload, data, lse):
    import jax
    import jax.numpy as jnp

    fun, arg = _function(workload, jnp, data, lse, lambda a: jax.device_put(jnp.asarray(a)))
    jax.block_until_ready(arg)
    to_numpy = lambda o: (float(o[0]), [np.asarray(g) for g in jax.tree_util.tree_leaves(o[1])])
    return jax, fun, arg, to_numpy


def _jax(workload, data, lse):
    jax, fun, arg, to_numpy = _jax_parts(workload, data, lse)
    vg_fun = jax.value_and_grad(fun)
    return Case(f=lambda: jax.block_until_ready(fun(arg)),
                vg=lambda: jax.block_until_ready(vg_fun(arg)), to_numpy=to_numpy)


def _jax_jit(workload, data, lse):
    jax, fun, arg, to_numpy = _jax_parts(workload, data, lse)
    compile_s = {}

    def compiled(g, key):
        t0 = time.perf_counter()
        c = jax.jit(g).lower(arg).compile()  # trace + lower + XLA compile
        compile_s[key] = time.perf_counter() - t0
        return c

    f_c = compiled(fun, "f")
    vg_c = compiled(jax.value_and_grad(fun), "vg")
    return Case(f=lambda: jax.block_until_ready(f_c(arg)),
                vg=lambda: jax.block_until_ready(vg_c(arg)), to_numpy=to_numpy,
                compile_s=compile_s)


_BUILDERS = {
    "numpy": _numpy,
    "hand": _hand,
    "wengert": _wengert,
    "autograd": _autograd,
    "torch": _torch,
    "jax": _jax,
    "jax-jit": _jax_jit,
}
