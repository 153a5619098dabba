"""One library, in its own process: check every gradient, then time.

    python -m benchmarks.worker --lib wengert --mode full --out result.json

The runner starts it with the thread-count variables already in the environment (they
must be set before NumPy is imported). Exit status 3 means a gradient, Hessian-vector
product or value disagreed with the hand-written reference; nothing is timed then. A
workload the library cannot run (it lacks a function) is recorded as *unsupported*, one on which it
raises any other error as *error* (with the message; the run then ends with exit status
2 after writing its report), and the others go on.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import traceback

import numpy as np

RTOL = 1e-8
EXIT_MISMATCH = 3


class Mismatch(Exception):
    pass


def _rel_err(got, ref) -> float:
    """max |got - ref| / (|ref| + max|ref|): relative, with an absolute floor of the
    array's scale so that entries that are ~0 by cancellation do not dominate."""
    got, ref = np.asarray(got, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    if got.shape != ref.shape:
        raise Mismatch(f"shape {got.shape} != reference shape {ref.shape}")
    if not np.all(np.isfinite(got)):
        raise Mismatch("non-finite entries")
    scale = np.max(np.abs(ref)) if ref.size else 0.0
    denom = np.abs(ref) + scale
    denom = np.where(denom == 0, 1.0, denom)
    return float(np.max(np.abs(got - ref) / denom)) if ref.size else 0.0


def check(lib: str, workload: str, case, data) -> dict:
    """Value, every gradient array and the HVP against the hand-written NumPy code."""
    from . import workloads as W

    ref_value, ref_grad = W.hand_vg(workload, data)
    ref_leaves = [np.asarray(g) for g in ref_grad] if isinstance(ref_grad, tuple) else [ref_grad]
    report = {"f_value": float(case.f())}
    errors = []
    if abs(report["f_value"] - ref_value) > RTOL * abs(ref_value):
        errors.append(f"f = {report['f_value']!r}, hand-written {float(ref_value)!r}")
    if case.vg is not None:
        value, grads = case.to_numpy(case.vg())
        report["vg_value"] = value
        if abs(value - ref_value) > RTOL * abs(ref_value):
            errors.append(f"value_and_grad value {value!r}, hand-written {float(ref_value)!r}")
        if len(grads) != len(ref_leaves):
            errors.append(f"{len(grads)} gradient arrays, hand-written has {len(ref_leaves)}")
        else:
            worst = 0.0
            for i, (g, r) in enumerate(zip(grads, ref_leaves, strict=True)):
                try:
                    e = _rel_err(g, r)
                except Mismatch as exc:
                    errors.append(f"gradient leaf {i}: {exc}")
                    continue
                worst = max(worst, e)
                if e > RTOL:
                    errors.append(f"gradient leaf {i}: relative error {e:.3e} > {RTOL}")
            report["grad_rel_err"] = worst
    if case.hvp is not None:
        try:
            e = _rel_err(case.hvp_to_numpy(case.hvp()), W.hand_hvp(workload, data))
            report["hvp_rel_err"] = e
            if e > RTOL:
                errors.append(f"Hessian-vector product: relative error {e:.3e} > {RTOL}")
        except Mismatch as exc:
            errors.append(f"Hessian-vector product: {exc}")
    if errors:
        raise Mismatch(f"{lib} / {workload}: " + "; ".join(errors))
    return report


def _unsupported_errors() -> tuple:
    """What a library raises for a function it does not have."""
    kinds = [AttributeError, NotImplementedError]
    try:
        from wengert.errors import UnsupportedFunctionError

        kinds.append(UnsupportedFunctionError)
    except ImportError:
        pass
    return tuple(kinds)


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--lib", required=True)
    p.add_argument("--mode", choices=("quick", "full"), default="full")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--min-time", type=float, default=0.1)
    p.add_argument("--workloads", default="mlp")
    p.add_argument("--max-time", type=float, default=5.0)
    p.add_argument("--paired", action="store_true",
                   help="time --lib and the hand-written gradient alternately (ratios)")
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)

    from . import machine

    cpus = machine.pin_to(a.threads)  # before any library starts its threads
    from . import libraries as L
    from . import memory, timing
    from . import workloads as W

    result = {"lib": a.lib, "label": L.LABELS[a.lib], "cpus": cpus,
              "blas_kernels": machine.blas_kernels()}
    try:
        L.setup(a.lib, a.threads)
    except L.NotInstalled as exc:
        result.update(status="not installed" if a.lib != "wengert-jit" else "not available",
                      reason=str(exc))
        _write(a.out, result)
        return 0
    result.update(status="ok", version=L.version(a.lib), workloads={},
                  memory_method=memory.method())
    names = [w for w in a.workloads.split(",") if w]
    unsupported = _unsupported_errors()

    # 1. every gradient is checked before anything is timed
    cases = {}
    for w in names:
        data = W.make_data(w, a.mode)
        try:
            case = L.build(a.lib, w, data)
            rep = check(a.lib, w, case, data)
        except Mismatch as exc:
            print(f"\n!!! GRADIENT CHECK FAILED: {exc}\n", file=sys.stderr, flush=True)
            return EXIT_MISMATCH
        except unsupported as exc:
            result["workloads"][w] = {"status": "unsupported",
                                      "reason": f"{type(exc).__name__}: {exc}"[:300]}
            continue
        except Exception as exc:  # noqa: BLE001 - recorded, reported, exit status 2
            traceback.print_exc()
            result["workloads"][w] = {"status": "error",
                                      "reason": f"{type(exc).__name__}: {exc}"[:300]}
            continue
        cases[w] = case
        result["workloads"][w] = {"status": "ok", "check": rep, "compile_s": case.compile_s}

    # 2. timing and memory. Everything alive now (the library's modules, the data) is
    # moved out of the collector's reach: the gc.collect() before each sample then costs
    # microseconds instead of the 0.1 s a full collection takes with torch or jax loaded.
    gc.collect()
    gc.freeze()
    for w, case in cases.items():
        out = result["workloads"][w]
        if a.paired:
            hand = L.build("hand", w, W.make_data(w, a.mode))
            out["paired"] = timing.paired_samples(hand.vg, case.vg, a.repeats, a.min_time)
            continue
        for kind in ("f", "vg", "hvp"):
            fn = getattr(case, kind)
            if fn is None:
                continue
            out[kind] = timing.samples(fn, a.repeats, a.min_time, max_time=a.max_time)
            out[kind]["peak_bytes"] = memory.peak_bytes(fn)["bytes"]
    if a.lib == "torch":
        import torch

        result["torch_threads"] = torch.get_num_threads()
    _write(a.out, result)
    return 0


def _write(path: str, result: dict) -> None:
    with open(path, "w") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    sys.exit(main())
