"""Run each library in its own subprocess, with the same thread count for all, and
merge the rounds.

Libraries run one after another (never at the same time), in the same order each
round; with several rounds, a burst of machine noise hits one round of one library
rather than all of its samples, and the samples of all rounds are pooled before the
median is taken. The cost model (``costs.py``) runs once, in its own process, first.
Compile times are the first round's (cold); JAX jit's later rounds load the compiled
executables from a persistent cache that lives as long as the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

from . import machine, timing
from .progress import Progress

THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KINDS = ("f", "vg", "hvp")


class BenchmarkError(RuntimeError):
    pass


class GradientMismatch(BenchmarkError):
    pass


def worker_env(threads: int, jax_cache: str | None = None,
               keep_openblas_env: bool = False) -> dict:
    """The environment of a worker: thread counts; for JAX, CPU, float64 and (``jax_cache``)
    the persistent compilation cache shared by the rounds of one run; OpenBLAS's own
    kernel choice unless ``keep_openblas_env``."""
    env = dict(os.environ) if keep_openblas_env else machine.without_openblas_overrides(os.environ)
    for var in THREAD_VARS:
        env[var] = str(threads)
    env["JAX_PLATFORMS"] = "cpu"
    env["JAX_ENABLE_X64"] = "1"
    flags = env.get("XLA_FLAGS", "")
    if threads == 1:  # XLA:CPU has no knob for n > 1; it uses the machine's cores
        flags += " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    env["XLA_FLAGS"] = flags.strip()
    if jax_cache:
        env["JAX_COMPILATION_CACHE_DIR"] = jax_cache
        env["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
        env["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "0"
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run(module: str, args: list[str], env: dict, what: str, timeout: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.json")
        cmd = [sys.executable, "-m", module, *args, "--out", out]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout)
        wall = time.perf_counter() - t0
        if proc.returncode == 3:
            raise GradientMismatch(f"[{what}] gradient check failed:\n{proc.stderr.strip()}")
        if proc.returncode != 0 or not os.path.exists(out):
            raise BenchmarkError(
                f"[{what}] worker failed (exit {proc.returncode}):\n{proc.stderr.strip()[-4000:]}"
            )
        with open(out) as fh:
            result = json.load(fh)
    if isinstance(result, dict):
        result["wall_s"] = wall
    return result


def run_worker(lib: str, cfg: dict, paired: bool = False, timeout: float = 900) -> dict:
    args = [
        "--lib", lib, "--mode", cfg["mode"],
        "--threads", str(cfg["threads"]), "--repeats", str(cfg["repeats"]),
        "--min-time", str(cfg["min_time"]), "--max-time", str(cfg["max_time"]),
        "--workloads", ",".join(cfg["workloads"]),
    ] + (["--paired"] if paired else [])
    env = worker_env(cfg["threads"], cfg.get("jax_cache") if lib == "jax-jit" else None,
                     cfg.get("keep_openblas_env", False))
    return _run("benchmarks.worker", args, env, lib, timeout)


def run_costs(cfg: dict, timeout: float = 600) -> dict:
    args = ["--mode", cfg["mode"], "--workloads", ",".join(cfg["workloads"])]
    env = worker_env(cfg["threads"], keep_openblas_env=cfg.get("keep_openblas_env", False))
    res = _run("benchmarks.costs", args, env, "cost model", timeout)
    res.pop("wall_s", None)
    return res


def run_all(libs: list[str], cfg: dict, rounds: int, costs: bool = True
            ) -> tuple[dict, dict, dict]:
    """``({lib: merged result}, {workload: paired wengert/hand-written ratio},
    {workload: cost report})``; raises on the first failure. Each round ends with the
    paired run (wengert and the hand-written gradient alternately in one process) when
    both are selected."""
    per_lib: dict[str, list[dict]] = {lib: [] for lib in libs}
    paired_runs: list[dict] = []
    skip = set()
    pair = "wengert" in libs and "hand" in libs
    bar = Progress(int(costs) + rounds * (len(libs) + int(pair)))
    cost_res = {}
    # JAX jit compiles in the first round; later rounds reuse the executables from a
    # persistent cache (their compile times are not reported).
    cache = tempfile.TemporaryDirectory(prefix="wengert-bench-jax-")
    cfg = {**cfg, "jax_cache": cache.name}
    try:
        if costs:
            t0 = time.perf_counter()
            cost_res = run_costs(cfg)
            bar.step(f"cost model     {time.perf_counter() - t0:6.1f} s  wengert.cost_report "
                     f"on {len(cost_res)} workloads")
        for r in range(rounds):
            for lib in libs:
                if lib in skip:
                    bar.step(f"round {r + 1}/{rounds}  {lib:<11} skipped")
                    continue
                res = run_worker(lib, cfg)
                note = res["status"] if res["status"] != "ok" else "ok, gradients agree"
                bad = [f"{w}: {x['status']}" for w, x in res.get("workloads", {}).items()
                       if x.get("status", "ok") != "ok"]
                if bad:
                    note += " (" + "; ".join(bad) + ")"
                bar.step(f"round {r + 1}/{rounds}  {lib:<11} {res['wall_s']:6.1f} s  {note}")
                if res["status"] != "ok":
                    skip.add(lib)
                per_lib[lib].append(res)
            if pair:
                if "wengert" in skip:
                    bar.step(f"round {r + 1}/{rounds}  paired      skipped")
                    continue
                res = run_worker("wengert", cfg, paired=True)
                bar.step(f"round {r + 1}/{rounds}  {'paired':<11} {res['wall_s']:6.1f} s  "
                         f"wengert vs hand-written, interleaved")
                paired_runs.append(res)
    finally:
        bar.close()
        cache.cleanup()
    return ({lib: merge(runs) for lib, runs in per_lib.items()}, merge_paired(paired_runs),
            cost_res)


def merge_paired(runs: list[dict]) -> dict:
    out = {}
    if not runs:
        return out
    for w, first in runs[0]["workloads"].items():
        if first.get("status") != "ok":
            continue
        ps = [run["workloads"][w]["paired"] for run in runs]
        out[w] = {
            "ratio": timing.summarize([x for p in ps for x in p["ratio"]]),
            "hand_vg": timing.summarize([x for p in ps for x in p["a"]]),
            "wengert_vg": timing.summarize([x for p in ps for x in p["b"]]),
        }
    return out


def merge(runs: list[dict]) -> dict:
    first = runs[0]
    if first["status"] != "ok":
        return {k: first[k] for k in ("lib", "label", "status", "reason") if k in first}
    merged = {k: v for k, v in first.items() if k not in ("workloads", "wall_s")}
    merged["rounds"] = len(runs)
    merged["workloads"] = {}
    for w, wres in first["workloads"].items():
        if wres.get("status") != "ok":
            merged["workloads"][w] = wres
            continue
        ok = [run["workloads"][w] for run in runs
              if run["workloads"].get(w, {}).get("status") == "ok"]
        out = {"status": "ok", "check": wres["check"]}
        for kind in KINDS:
            if kind in wres:
                parts = [x[kind] for x in ok if kind in x]
                out[kind] = timing.summarize([s for p in parts for s in p["samples"]])
                out[kind]["number"] = [p["number"] for p in parts]
                out[kind]["peak_bytes"] = max(p["peak_bytes"] for p in parts)
        if ok and ok[0].get("compile_s") and runs[0]["workloads"][w].get("status") == "ok":
            out["compile_s"] = ok[0]["compile_s"]  # the first round's: a cold compile
        merged["workloads"][w] = out
    return merged
