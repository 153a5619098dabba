"""Run each library in its own subprocess, with the same thread count for all, and
merge the rounds.

Libraries run one after another (never at the same time), in the same order each
round; with several rounds, a burst of machine noise hits one round of one library
rather than all of its samples, and the samples of all rounds are pooled before the
median is taken.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

from . import timing

THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class BenchmarkError(RuntimeError):
    pass


class GradientMismatch(BenchmarkError):
    pass


def worker_env(threads: int) -> dict:
    env = dict(os.environ)
    for var in THREAD_VARS:
        env[var] = str(threads)
    env["JAX_PLATFORMS"] = "cpu"
    env["JAX_ENABLE_X64"] = "1"
    flags = env.get("XLA_FLAGS", "")
    if threads == 1:  # XLA:CPU has no knob for n > 1; it uses the machine's cores
        flags += " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    env["XLA_FLAGS"] = flags.strip()
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_worker(lib: str, cfg: dict, paired: bool = False, timeout: float = 900) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.json")
        cmd = [
            sys.executable, "-m", "benchmarks.worker",
            "--lib", lib, "--mode", cfg["mode"], "--lse", cfg["lse"],
            "--threads", str(cfg["threads"]), "--repeats", str(cfg["repeats"]),
            "--min-time", str(cfg["min_time"]), "--max-time", str(cfg["max_time"]),
            "--workloads", ",".join(cfg["workloads"]), "--out", out,
        ] + (["--paired"] if paired else [])
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=worker_env(cfg["threads"]),
                              capture_output=True, text=True, timeout=timeout)
        wall = time.perf_counter() - t0
        if proc.returncode == 3:
            raise GradientMismatch(f"[{lib}] gradient check failed:\n{proc.stderr.strip()}")
        if proc.returncode != 0 or not os.path.exists(out):
            raise BenchmarkError(
                f"[{lib}] worker failed (exit {proc.returncode}):\n{proc.stderr.strip()[-4000:]}"
            )
        with open(out) as fh:
            result = json.load(fh)
    result["wall_s"] = wall
    return result


def run_all(libs: list[str], cfg: dict, rounds: int, log=print) -> tuple[dict, dict]:
    """``({lib: merged result}, {workload: paired wengert/hand-written ratio})``;
    raises on the first failure. Each round ends with the paired run (wengert and the
    hand-written gradient alternately in one process) when both are selected."""
    per_lib: dict[str, list[dict]] = {lib: [] for lib in libs}
    paired_runs: list[dict] = []
    skip = set()
    pair = "wengert" in libs and "hand" in libs
    for r in range(rounds):
        for lib in libs:
            if lib in skip:
                continue
            res = run_worker(lib, cfg)
            note = res["status"] if res["status"] != "ok" else "ok, gradients agree"
            log(f"  round {r + 1}/{rounds}  {lib:<9} {res['wall_s']:6.1f} s  {note}")
            if res["status"] != "ok":
                skip.add(lib)
            per_lib[lib].append(res)
        if pair and "wengert" not in skip:
            res = run_worker("wengert", cfg, paired=True)
            log(f"  round {r + 1}/{rounds}  {'paired':<9} {res['wall_s']:6.1f} s  "
                f"wengert vs hand-written, interleaved")
            paired_runs.append(res)
    return {lib: merge(runs) for lib, runs in per_lib.items()}, merge_paired(paired_runs)


def merge_paired(runs: list[dict]) -> dict:
    out = {}
    if not runs:
        return out
    for w in runs[0]["workloads"]:
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
        out = {"check": wres["check"]}
        for kind in ("f", "vg"):
            if kind in wres:
                pooled = [s for run in runs for s in run["workloads"][w][kind]["samples"]]
                out[kind] = timing.summarize(pooled)
                out[kind]["number"] = [run["workloads"][w][kind]["number"] for run in runs]
        comp = [run["workloads"][w]["compile_s"] for run in runs]
        comp = [c for c in comp if c]
        if comp:
            out["compile_s"] = {k: timing.summarize([c[k] for c in comp])["median"]
                                for k in comp[0]}
        merged["workloads"][w] = out
    return merged
