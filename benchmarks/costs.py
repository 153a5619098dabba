"""The cost model of every workload: ``wengert.cost_report`` on the workload's function,
in its own process (``python -m benchmarks.costs --mode full --out costs.json``).

For each workload it records the four programs' primitive calls, flops, bytes and
residual bytes (``docs/cost.md``), and for the MLP the residual bytes of the
hand-written gradient, counted the same way: the arrays its forward pass keeps for its
backward pass (``workloads.mlp_forward_hand``), measured with
``wengert.cost.stored_bytes``, which counts each buffer once and leaves out the
function's arguments.
"""

from __future__ import annotations

import argparse
import json
import sys


def hand_residual_bytes(workload: str, data: dict) -> int | None:
    """Bytes the hand-written gradient keeps between its forward and backward pass."""
    from wengert.cost import stored_bytes

    from . import workloads as W

    if workload != "mlp":
        return None
    params, X, Y = data["arg"], data["X"], data["Y"]
    _, saved = W.mlp_forward_hand(params, X, Y)
    return stored_bytes(saved, exclude=(params, X, Y))


def report_for(workload: str, mode: str) -> dict:
    import wengert
    import wengert.numpy as wnp

    from . import workloads as W
    from .worker import _unsupported_errors

    data = W.make_data(workload, mode)
    fun, arg = W.function(workload, wnp, data)
    try:
        r = wengert.cost_report(fun, timeit=False)(arg)  # the suite times everything
    except _unsupported_errors() as exc:
        return {"status": "unsupported", "reason": f"{type(exc).__name__}: {exc}"[:300]}
    out = {"status": "ok", **r.as_dict()}
    for mode_ in ("f", "value_and_grad", "jvp", "hvp"):
        out[mode_].pop("per_primitive")
    out["per_primitive_f"] = r.f.per_primitive
    out["hand_residual_bytes"] = hand_residual_bytes(workload, data)
    out["table"] = str(r)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=("quick", "full"), default="full")
    p.add_argument("--workloads", default="mlp")
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    result = {w: report_for(w, a.mode) for w in a.workloads.split(",") if w}
    with open(a.out, "w") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
