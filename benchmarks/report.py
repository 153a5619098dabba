"""The Markdown report: one table per workload, then the targets wengert must hit."""

from __future__ import annotations

from . import workloads as W

# (workload, what is compared, limit); "us_per_prim": wengert vg in µs per primitive,
# "x_hand": wengert vg time / hand-written NumPy gradient time.
TARGETS = (
    ("scalar", "us_per_prim", 3.0),
    ("mlp", "x_hand", 1.15),
    ("rosenbrock", "x_hand", 1.3),
)


def _unit(workload: str, data_prims: int | None):
    """(header unit, seconds -> number) for a workload's time columns."""
    if workload == "scalar":
        return "µs/primitive", lambda s: s * 1e6 / data_prims
    return "ms", lambda s: s * 1e3


def _fmt(x, digits=3) -> str:
    if x is None:
        return "—"
    if x >= 100:
        return f"{x:.0f}"
    return f"{x:.{digits}g}"


def _median(res, w, kind):
    try:
        return res["workloads"][w][kind]["median"]
    except (KeyError, TypeError):
        return None


def workload_table(results: dict, w: str, mode: str) -> list[str]:
    prims = W.PRIMS_PER_STEP * W.SIZES[mode]["scalar"]["steps"] if w == "scalar" else None
    unit, conv = _unit(w, prims)
    np_f = _median(results.get("numpy", {}), w, "f")
    hand_vg = _median(results.get("hand", {}), w, "vg")
    lines = [
        f"### {w}: {W.describe(w, mode)}",
        "",
        f"| library | f ({unit}) | value_and_grad ({unit}) | vg / f | f / NumPy f "
        f"| vg / NumPy f | vg / hand-written | jit compile f, vg (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for lib, res in results.items():
        label = res.get("label", lib)
        if res.get("status") != "ok":
            lines.append(f"| {label} | {res.get('status')} | | | | | | |")
            continue
        f, vg = _median(res, w, "f"), _median(res, w, "vg")
        if f is None:
            continue
        comp = res["workloads"][w].get("compile_s")
        cells = [
            label,
            _fmt(conv(f)),
            _fmt(conv(vg)) if vg is not None else "—",
            _fmt(vg / f) if vg is not None else "—",
            _fmt(f / np_f) if np_f else "—",
            _fmt(vg / np_f) if vg is not None and np_f else "—",
            _fmt(vg / hand_vg) if vg is not None and hand_vg else "—",
            f"{comp['f']:.2f}, {comp['vg']:.2f}" if comp else "—",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def targets(results: dict, paired: dict, mode: str) -> list[dict]:
    """Each target with wengert's median from its own row and, where measured, from
    the paired run (wengert and the hand-written gradient interleaved in one process,
    median of the per-pair ratios): the steadier number on a noisy machine."""
    out = []
    weng, hand = results.get("wengert", {}), results.get("hand", {})
    prims = W.PRIMS_PER_STEP * W.SIZES[mode]["scalar"]["steps"]
    for w, kind, limit in TARGETS:
        vg = _median(weng, w, "vg")
        if vg is None:
            continue
        pr = paired.get(w)
        if kind == "us_per_prim":
            value = vg * 1e6 / prims
            value_paired = pr["wengert_vg"]["median"] * 1e6 / prims if pr else None
            what = "wengert value_and_grad, µs per primitive"
        else:
            ref = _median(hand, w, "vg")
            if ref is None:
                continue
            value = vg / ref
            value_paired = pr["ratio"]["median"] if pr else None
            what = "wengert value_and_grad / hand-written NumPy gradient"
        decisive = value_paired if value_paired is not None else value
        out.append({"workload": w, "what": what, "value": value,
                    "value_paired": value_paired, "limit": limit, "met": decisive <= limit})
    return out


def markdown(results: dict, paired: dict, meta: dict) -> str:
    mode = meta["mode"]
    lines = [
        f"## wengert benchmarks ({mode} run)",
        "",
        f"{meta['date']} · Python {meta['python']} · NumPy {meta['numpy']} · "
        f"{meta['threads']} thread(s) per library · float64 · "
        f"medians of {meta['rounds']} round(s) x {meta['repeats']} samples · "
        f"log-sum-exp shift: `{meta['lse']}` · wengert {meta['wengert_commit']}",
        "",
        "Versions: " + ", ".join(
            f"{r.get('label', k)} {r.get('version')}" for k, r in results.items()
            if r.get("status") == "ok" and k not in ("numpy", "hand")) + ".",
        "",
    ]
    for w in meta["workloads"]:
        lines += workload_table(results, w, mode)
    tg = targets(results, paired, mode)
    if tg:
        lines += ["### Targets for wengert", ""]
        if mode != "full":
            lines += ["(quick sizes: the targets are defined on the full run)", ""]
        lines += ["| workload | measure | from the tables | paired run | limit | met |",
                  "|---|---|---:|---:|---:|---|"]
        for t in tg:
            vp = "—" if t["value_paired"] is None else f"{t['value_paired']:.3g}"
            lines.append(f"| {t['workload']} | {t['what']} | {t['value']:.3g} | {vp} | "
                         f"≤ {t['limit']} | {'yes' if t['met'] else '**NO**'} |")
        lines += ["", "*from the tables*: ratio of the two rows' medians (separate "
                  "processes, different moments); *paired run*: wengert and the "
                  "hand-written gradient timed alternately in one process, median of the "
                  "per-pair ratios (µs/primitive: wengert's median there); *met* is "
                  "judged on the paired run.", ""]
    return "\n".join(lines)
