"""The benchmark command.

    python -m benchmarks.run            # full run (< 15 minutes)
    python -m benchmarks.run --quick    # CI smoke test (< 2 minutes): small sizes, few repeats

Prints a Markdown report and writes ``latest.json``, ``latest.md`` and (with matplotlib)
``latest.png`` to ``benchmarks/results/`` (full run) or ``benchmarks/results/quick/``
(``--quick``, git-ignored, so a smoke run never overwrites the committed full run).
Every library's value, gradient and Hessian-vector product are checked against the
hand-written NumPy code (rtol 1e-8) before anything is timed; a mismatch aborts with
exit status 1 and prints no times; a library that fails on a workload is reported
and the run ends with exit status 2. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time

from . import libraries as L
from . import machine, report, runner
from . import workloads as W

RESULTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
QUICK_DIR = os.path.join(RESULTS_DIR, "quick")
DEFAULTS = {
    "full": {"rounds": 2, "repeats": 5, "min_time": 0.05, "max_time": 3.0},
    "quick": {"rounds": 1, "repeats": 3, "min_time": 0.01, "max_time": 0.3},
}


def wengert_commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=runner.ROOT,
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "wengert"],
                               cwd=runner.ROOT, capture_output=True, text=True).stdout.strip()
        return head + ("+uncommitted" if dirty else "")
    except OSError:
        return "unknown"


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="CI smoke run: small sizes, few repeats")
    p.add_argument("--threads", type=int, default=1,
                   help="threads per library (default 1: the one count XLA:CPU can be held "
                        "to, and immune to BLAS thread contention on a busy machine)")
    p.add_argument("--libs", default=",".join(L.LIBRARIES),
                   help="comma-separated subset of " + ",".join(L.LIBRARIES))
    p.add_argument("--workloads", default=",".join(W.WORKLOADS),
                   help="comma-separated subset of " + ",".join(W.WORKLOADS))
    p.add_argument("--rounds", type=int, help="processes per library, samples pooled")
    p.add_argument("--repeats", type=int, help="samples per round")
    p.add_argument("--min-time", type=float, help="seconds per sample (calls are batched)")
    p.add_argument("--no-costs", action="store_true", help="skip the cost model")
    p.add_argument("--keep-openblas-env", action="store_true",
                   help="pass OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE on to the workers (by "
                        "default both are removed, so OpenBLAS picks its own kernels; CI "
                        "keeps them)")
    p.add_argument("--out-dir", help="where to write latest.{json,md,png} (default "
                   "benchmarks/results, or benchmarks/results/quick with --quick)")
    return p.parse_args(argv)


def output_dir(args) -> str:
    """``--out-dir``, else ``results/quick`` for ``--quick`` (git-ignored: a smoke run
    never overwrites the committed full run), else ``results``."""
    return args.out_dir or (QUICK_DIR if args.quick else RESULTS_DIR)


def main(argv=None) -> int:
    a = parse(argv)
    mode = "quick" if a.quick else "full"
    d = DEFAULTS[mode]
    libs = [x for x in a.libs.split(",") if x]
    wls = [x for x in a.workloads.split(",") if x]
    for x in libs:
        if x not in L.LIBRARIES:
            sys.exit(f"unknown library {x!r}; choose from {', '.join(L.LIBRARIES)}")
    for x in wls:
        if x not in W.WORKLOADS:
            sys.exit(f"unknown workload {x!r}; choose from {', '.join(W.WORKLOADS)}")
    if "numpy" not in libs or "hand" not in libs:
        print("note: ratios need the 'numpy' and 'hand' rows", file=sys.stderr)
    cfg = {
        "mode": mode,
        "threads": a.threads,
        "repeats": a.repeats or d["repeats"],
        "min_time": a.min_time if a.min_time is not None else d["min_time"],
        "max_time": d["max_time"],
        "workloads": wls,
        "keep_openblas_env": a.keep_openblas_env,
    }
    rounds = a.rounds or d["rounds"]
    t0 = time.perf_counter()
    load_before = machine.load_average()
    print(f"benchmarks ({mode}): {', '.join(libs)}; {a.threads} thread(s); "
          f"{rounds} round(s)", file=sys.stderr)
    try:
        results, paired, costs = runner.run_all(libs, cfg, rounds, costs=not a.no_costs)
    except runner.GradientMismatch as exc:
        print(f"\nABORTED: {exc}\nNo timings are reported.", file=sys.stderr)
        return 1
    except runner.BenchmarkError as exc:
        print(f"\nABORTED: {exc}", file=sys.stderr)
        return 2
    meta = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": L.version("numpy"),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "cpu": machine.cpu_model(),
        "memory_gib": machine.memory_gib(),
        "blas_kernels": next((r["blas_kernels"] for r in results.values()
                              if r.get("blas_kernels")), None),
        "openblas_env": {v: os.environ[v] for v in machine.OPENBLAS_OVERRIDES
                         if a.keep_openblas_env and v in os.environ},
        "load_before": load_before,
        "rounds": rounds,
        "wengert_commit": wengert_commit(),
        "total_s": round(time.perf_counter() - t0, 1),
        **cfg,
    }
    meta["load_after"] = machine.load_average()
    record = {"meta": meta, "targets": report.targets(results, paired, mode),
              "cost_targets": report.cost_targets(costs),
              "peer_targets": report.peer_targets(results, mode), "paired": paired,
              "costs": costs, "results": results}
    out_dir = output_dir(a)
    written = report.write_outputs(record, out_dir)
    print(report.markdown(record))
    print(f"total {meta['total_s']} s; wrote {', '.join(written)}", file=sys.stderr)
    failed = report.failures(results)
    if failed:
        print("\nERRORS (exit status 2):\n" + "\n".join(failed), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
