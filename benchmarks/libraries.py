"""One adapter per library: how to import it, move the data in, and call ``f``,
``value_and_grad`` and (for the HVP workloads) the Hessian-vector product on it.

``build(lib, workload, data)`` returns a :class:`Case`; its ``f``, ``vg`` and
``hvp`` are zero-argument callables that finish their work before returning (JAX results
are blocked on), ``to_numpy`` turns ``vg``'s output into ``(float, [arrays])`` for the
gradient check. Importing a library that is not installed raises ``NotInstalled``; a
workload a library cannot run (a function it lacks) raises ``Unsupported``.
"""

from __future__ import annotations

import dataclasses
import time
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from . import workloads as W

LIBRARIES = ("numpy", "hand", "wengert", "wengert-jit", "autograd", "torch", "jax", "jax-jit")
LABELS = {
    "numpy": "NumPy (f only)",
    "hand": "hand-written NumPy gradient",
    "wengert": "wengert (eager)",
    "wengert-jit": "wengert (jit)",
    "autograd": "HIPS autograd",
    "torch": "PyTorch (eager)",
    "jax": "JAX (un-jitted)",
    "jax-jit": "JAX (jit)",
}
JITTED = ("wengert-jit", "jax-jit")


class NotInstalled(Exception):
    pass


class Unsupported(Exception):
    """The library cannot run this workload (a function it does not have)."""


@dataclasses.dataclass
class Case:
    f: Callable[[], Any]
    vg: Callable[[], Any] | None
    to_numpy: Callable[[Any], tuple] | None = None  # vg output -> (value, [grads])
    hvp: Callable[[], Any] | None = None
    hvp_to_numpy: Callable[[Any], np.ndarray] = np.asarray
    compile_s: dict = dataclasses.field(default_factory=dict)


def _leaves(g) -> list:
    return [np.asarray(a) for a in g] if isinstance(g, (tuple, list)) else [np.asarray(g)]


def _vg_to_numpy(o) -> tuple:
    return float(o[0]), _leaves(o[1])


def version(lib: str) -> str | None:
    from importlib import metadata

    dist = {"hand": "numpy", "jax-jit": "jax", "wengert-jit": "wengert"}.get(lib, lib)
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def setup(lib: str, threads: int) -> None:
    """Import the library (``NotInstalled`` if it is missing) and set its options."""
    try:
        if lib == "wengert":
            import wengert  # noqa: F401
        elif lib == "wengert-jit":
            import wengert

            if not hasattr(wengert, "jit"):
                raise NotInstalled("wengert.jit does not exist yet")
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


def build(lib: str, workload: str, data: dict) -> Case:
    return _BUILDERS[lib](workload, data)


# -- NumPy and the hand-written gradient ------------------------------------------------


def _numpy(workload, data):
    fun, arg = W.function(workload, np, data)
    return Case(f=lambda: fun(arg), vg=None)


def _hand(workload, data):
    fun, arg = W.function(workload, np, data)
    hvp = (lambda: W.hand_hvp(workload, data)) if workload in W.HVP_WORKLOADS else None
    return Case(f=lambda: fun(arg), vg=lambda: W.hand_vg(workload, data),
                to_numpy=_vg_to_numpy, hvp=hvp)


# -- wengert and autograd: same shape of API --------------------------------------------


def _wengert(workload, data):
    import wengert
    import wengert.numpy as wnp

    fun, arg = W.function(workload, wnp, data)
    vg_fun = wengert.value_and_grad(fun)
    case = Case(f=lambda: fun(arg), vg=lambda: vg_fun(arg), to_numpy=_vg_to_numpy)
    if workload in W.HVP_WORKLOADS:
        v = data["v"]
        case.hvp = lambda: wengert.hvp(fun, (arg,), (v,))
    return case


def _wengert_jit(workload, data):
    import wengert
    import wengert.numpy as wnp

    fun, arg = W.function(workload, wnp, data)
    compile_s = {}

    def first_call(g, key, *args):
        """wengert.jit traces and compiles on the first call: that call is the
        compile time."""
        t0 = time.perf_counter()
        g(*args)
        compile_s[key] = time.perf_counter() - t0
        return g

    f_c = first_call(wengert.jit(fun), "f", arg)
    vg_c = first_call(wengert.jit(wengert.value_and_grad(fun)), "vg", arg)
    case = Case(f=lambda: f_c(arg), vg=lambda: vg_c(arg), to_numpy=_vg_to_numpy,
                compile_s=compile_s)
    if workload in W.HVP_WORKLOADS:
        v = data["v"]
        h_c = first_call(wengert.jit(lambda x, t: wengert.hvp(fun, (x,), (t,))), "hvp", arg, v)
        case.hvp = lambda: h_c(arg, v)
    return case


def _autograd(workload, data):
    import autograd
    import autograd.numpy as anp

    fun, arg = W.function(workload, anp, data)
    vg_fun = autograd.value_and_grad(fun)
    case = Case(f=lambda: fun(arg), vg=lambda: vg_fun(arg), to_numpy=_vg_to_numpy)
    if workload in W.HVP_WORKLOADS:
        v = data["v"]
        hvp_fun = autograd.hessian_vector_product(fun)
        case.hvp = lambda: hvp_fun(arg, v)
    return case


# -- PyTorch (eager) --------------------------------------------------------------------


def _torch_ns():
    """The NumPy names the workloads use, spelled in torch."""
    import torch

    def as_t(a):
        return a if isinstance(a, torch.Tensor) else torch.tensor(a, dtype=torch.float64)

    return types.SimpleNamespace(
        sin=torch.sin, cos=torch.cos, tanh=torch.tanh, exp=torch.exp, log=torch.log,
        maximum=torch.maximum, reshape=torch.reshape, mean=torch.mean,
        logaddexp=lambda a, b: torch.logaddexp(as_t(a), as_t(b)),
        sum=lambda x, axis=None: torch.sum(x) if axis is None else torch.sum(x, dim=axis),
        max=lambda x, axis: torch.amax(x, dim=axis),
        logsumexp=lambda x, axis: torch.logsumexp(x, dim=axis),
        linalg=types.SimpleNamespace(slogdet=torch.linalg.slogdet, solve=torch.linalg.solve),
    )


def _torch(workload, data):
    import torch

    def convert(a):
        return torch.tensor(a, dtype=torch.float64) if np.ndim(a) == 0 else torch.from_numpy(a)

    fun, arg = W.function(workload, _torch_ns(), data, convert)
    multi = isinstance(arg, tuple)
    leaves = list(arg) if multi else [arg]

    def vg():
        ps = [p.detach().requires_grad_() for p in leaves]
        out = fun(tuple(ps) if multi else ps[0])
        grads = torch.autograd.grad(out, ps)
        return out.detach(), grads

    def f():
        with torch.no_grad():
            return fun(arg)

    case = Case(f=f, vg=vg, to_numpy=lambda o: (float(o[0]), [g.numpy() for g in o[1]]))
    if workload in W.HVP_WORKLOADS:
        v = convert(data["v"])
        grad = torch.func.grad(fun)
        case.hvp = lambda: torch.func.jvp(grad, (arg,), (v,))[1]
        case.hvp_to_numpy = lambda h: h.detach().numpy()
    return case


# -- JAX --------------------------------------------------------------------------------


def _jax_parts(workload, data):
    import jax
    import jax.numpy as jnp

    fun, arg = W.function(workload, jnp, data, lambda a: jax.device_put(jnp.asarray(a)))
    jax.block_until_ready(arg)
    to_numpy = lambda o: (float(o[0]), [np.asarray(g) for g in jax.tree_util.tree_leaves(o[1])])
    return jax, fun, arg, to_numpy


def _jax_hvp(jax, fun):
    return lambda x, v: jax.jvp(jax.grad(fun), (x,), (v,))[1]


def _jax(workload, data):
    jax, fun, arg, to_numpy = _jax_parts(workload, data)
    vg_fun = jax.value_and_grad(fun)
    case = Case(f=lambda: jax.block_until_ready(fun(arg)),
                vg=lambda: jax.block_until_ready(vg_fun(arg)), to_numpy=to_numpy)
    if workload in W.HVP_WORKLOADS:
        v = jax.device_put(data["v"])
        h = _jax_hvp(jax, fun)
        case.hvp = lambda: jax.block_until_ready(h(arg, v))
    return case


def _jax_jit(workload, data):
    jax, fun, arg, to_numpy = _jax_parts(workload, data)
    compile_s = {}

    def compiled(g, key, *args):
        t0 = time.perf_counter()
        c = jax.jit(g).lower(*args).compile()  # trace + lower + XLA compile
        compile_s[key] = time.perf_counter() - t0
        return c

    f_c = compiled(fun, "f", arg)
    vg_c = compiled(jax.value_and_grad(fun), "vg", arg)
    case = Case(f=lambda: jax.block_until_ready(f_c(arg)),
                vg=lambda: jax.block_until_ready(vg_c(arg)), to_numpy=to_numpy,
                compile_s=compile_s)
    if workload in W.HVP_WORKLOADS:
        v = jax.device_put(data["v"])
        h_c = compiled(_jax_hvp(jax, fun), "hvp", arg, v)
        case.hvp = lambda: jax.block_until_ready(h_c(arg, v))
    return case


_BUILDERS = {
    "numpy": _numpy,
    "hand": _hand,
    "wengert": _wengert,
    "wengert-jit": _wengert_jit,
    "autograd": _autograd,
    "torch": _torch,
    "jax": _jax,
    "jax-jit": _jax_jit,
}
