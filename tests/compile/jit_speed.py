"""In-process speed check of ``wengert.jit`` against ``jax.jit`` (and PyTorch for the
MLP), on the benchmark workloads (``benchmarks/workloads.py``, full sizes).

    python tests/compile/jit_speed.py [workload ...] [--rounds N]

Runs are interleaved (jit, jax.jit, torch, eager, jit, ...) so that load on a shared
machine hits every library alike; prints min and median per library, the ratio of
mins, and compile times (wengert: first call = trace + passes + code generation; jax:
``lower().compile()``). Not a test (pytest does not collect it); the benchmark suite
(``python -m benchmarks.run``) is the reference measurement.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import timeit
import tracemalloc

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

import wengert  # noqa: E402
import wengert.numpy as wnp  # noqa: E402
from benchmarks import workloads as W  # noqa: E402


def _jax(workload, data):
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None, None
    jax.config.update("jax_enable_x64", True)
    fun, arg = W.function(workload, jnp, data, convert=jnp.asarray)
    t0 = time.perf_counter()
    compiled = jax.jit(jax.value_and_grad(fun)).lower(arg).compile()
    return (lambda: jax.block_until_ready(compiled(arg))), time.perf_counter() - t0


def _torch(workload, data):
    try:
        import torch

        from benchmarks.libraries import _torch as torch_case
    except ImportError:
        return None
    torch.set_num_threads(2)
    return torch_case(workload, data, "max").vg


def _peak_mib(fn) -> float:
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak / 2**20


def run(workload: str, rounds: int) -> None:
    data = W.make_data(workload, "full")
    fun, arg = W.function(workload, wnp, data)
    t0 = time.perf_counter()
    vg = wengert.jit(wengert.value_and_grad(fun))
    vg(arg)
    compile_s = time.perf_counter() - t0
    eager = wengert.value_and_grad(fun)
    runs = {"wengert.jit": lambda: vg(arg), "wengert eager": lambda: eager(arg)}
    jax_run, jax_compile = _jax(workload, data)
    if jax_run is not None:
        runs["jax.jit"] = jax_run
    if workload == "mlp":
        torch_run = _torch(workload, data)
        if torch_run is not None:
            runs["torch"] = torch_run
    samples: dict = {k: [] for k in runs}
    for f in runs.values():
        f()
    for _ in range(rounds):
        for k, f in runs.items():
            once = timeit.timeit(f, number=1)
            n = max(1, int(0.05 / max(once, 1e-7)))
            samples[k].append(timeit.timeit(f, number=n) / n)
    if workload == "scalar":
        scale, unit = 1e6 / data["prims"], "us/primitive"
    else:
        scale, unit = 1e3, "ms"
    print(f"## {W.describe(workload, 'full')}  ({unit})")
    for k, s in samples.items():
        print(f"  {k:14s} min {min(s) * scale:9.4f}  median {np.median(s) * scale:9.4f}")
    if jax_run is not None:
        ratio = min(samples["wengert.jit"]) / min(samples["jax.jit"])
        print(f"  jit / jax.jit (min): {ratio:.2f}; compile: wengert {compile_s:.2f} s, "
              f"jax {jax_compile:.2f} s (ratio {compile_s / jax_compile:.3f})")
    if "torch" in samples:
        best = min(min(samples["torch"]), min(samples["jax.jit"]))
        print(f"  jit / faster of torch and jax.jit (min): "
              f"{min(samples['wengert.jit']) / best:.2f}")
    if workload == "mlp":
        print(f"  peak MiB: jit {_peak_mib(lambda: vg(arg)):.2f}, "
              f"eager {_peak_mib(lambda: eager(arg)):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*",
                        default=["scalar", "matloop", "mlp", "rosenbrock", "crf"])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    for w in args.workloads:
        run(w, args.rounds)


if __name__ == "__main__":
    main()
