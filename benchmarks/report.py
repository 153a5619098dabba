"""The Markdown report of a run, its files, and the generated ``docs/benchmarks.md``.

    python -m benchmarks.report --docs     # regenerate the doc page and picture from
                                           # benchmarks/results/latest.json

Everything here reads only the run's JSON record, so the page can always be rebuilt
from the committed record, and every figure in it comes from that one run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import plots
from . import workloads as W

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")
DOCS_PAGE = os.path.join(ROOT, "docs", "benchmarks.md")

# (workload, what is compared, limit); "us_per_prim": wengert vg in µs per primitive,
# "x_hand": wengert vg time / hand-written NumPy gradient time.
TARGETS = (
    ("scalar", "us_per_prim", 3.0),
    ("mlp", "x_hand", 1.15),
    ("rosenbrock", "x_hand", 1.3),
    ("logdet", "x_hand", 1.15),
)
# The cost model's targets: flops of value_and_grad / flops of f on these workloads.
FLOP_RATIO_WORKLOADS = ("mlp", "logreg", "rosenbrock", "crf", "logdet")
FLOP_RATIO_LIMIT = 3.0


def _fmt(x, digits=3) -> str:
    if x is None:
        return "—"
    if x >= 100:
        return f"{x:.0f}"
    return f"{x:.{digits}g}"


def _mib(b) -> str:
    return "—" if b is None else f"{b / 2 ** 20:.1f}"


def _median(res, w, kind):
    try:
        return res["workloads"][w][kind]["median"]
    except (KeyError, TypeError):
        return None


def _peak(res, w, kind):
    try:
        return res["workloads"][w][kind].get("peak_bytes")
    except (KeyError, TypeError, AttributeError):
        return None


def workload_table(results: dict, w: str, mode: str) -> list[str]:
    if w == "scalar":
        prims = W.PRIMS_PER_STEP * W.SIZES[mode]["scalar"]["steps"]
        unit, conv = "µs/primitive", lambda s: s * 1e6 / prims
    else:
        unit, conv = "ms", lambda s: s * 1e3
    np_f = _median(results.get("numpy", {}), w, "f")
    hand_vg = _median(results.get("hand", {}), w, "vg")
    hvp = w in W.HVP_WORKLOADS
    head = [f"f ({unit})", f"value_and_grad ({unit})", "vg / f", "f / NumPy f",
            "vg / NumPy f", "vg / hand-written"]
    if hvp:
        head += [f"HVP ({unit})", "HVP / f"]
    head += ["jit compile (s)", "peak MiB f, vg" + (", HVP" if hvp else "")]
    lines = [f"### {w}: {W.describe(w, mode)}", "",
             "| library | " + " | ".join(head) + " |",
             "|---|" + "---:|" * len(head)]
    for lib, res in results.items():
        label = res.get("label", lib)
        wres = res.get("workloads", {}).get(w, {})
        if res.get("status") != "ok" or wres.get("status", "ok") != "ok":
            status = res.get("status") if res.get("status") != "ok" else wres.get("status")
            lines.append(f"| {label} | {status} |" + " |" * (len(head) - 1))
            continue
        f, vg, h = _median(res, w, "f"), _median(res, w, "vg"), _median(res, w, "hvp")
        if f is None:
            continue
        comp = wres.get("compile_s") or {}
        cells = [
            label,
            _fmt(conv(f)),
            _fmt(conv(vg)) if vg is not None else "—",
            _fmt(vg / f) if vg is not None else "—",
            _fmt(f / np_f) if np_f else "—",
            _fmt(vg / np_f) if vg is not None and np_f else "—",
            _fmt(vg / hand_vg) if vg is not None and hand_vg else "—",
        ]
        if hvp:
            cells += [_fmt(conv(h)) if h is not None else "—",
                      _fmt(h / f) if h is not None else "—"]
        cells.append(", ".join(f"{comp[k]:.2f}" for k in ("f", "vg", "hvp") if k in comp)
                     or "—")
        cells.append(", ".join(_mib(_peak(res, w, k)) for k in ("f", "vg", "hvp")
                               if k in wres))
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""] + _notes(results, w)


def failures(results: dict) -> list[str]:
    """``library / workload: reason`` for every workload that raised an error."""
    return [f"{lib} / {w}: {wres.get('reason', '')}"
            for lib, res in results.items()
            for w, wres in res.get("workloads", {}).items() if wres.get("status") == "error"]


def _notes(results: dict, w: str) -> list[str]:
    """Why a row has no numbers: the reason of each unsupported or failed workload."""
    notes = []
    for lib, res in results.items():
        wres = res.get("workloads", {}).get(w, {})
        if wres.get("status", "ok") != "ok":
            notes.append(f"* {res.get('label', lib)}: {wres['status']}: "
                         f"{wres.get('reason', '').splitlines()[0] if wres.get('reason') else ''}")
    return notes + [""] if notes else []


def targets(results: dict, paired: dict, mode: str) -> list[dict]:
    """Each time target with wengert's median from its own row and, where measured, from
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


def cost_targets(costs: dict) -> list[dict]:
    """The cost model's targets: value_and_grad / f flops at most 3 on workloads 1-4 and
    7; the MLP's residual bytes at most the hand-written gradient's."""
    out = []
    for w in FLOP_RATIO_WORKLOADS:
        c = costs.get(w)
        if not c:
            continue
        if c.get("status") != "ok":
            out.append({"workload": w, "what": "flops value_and_grad / f", "value": None,
                        "limit": FLOP_RATIO_LIMIT, "met": None, "note": c.get("status")})
            continue
        r = c["value_and_grad"]["ratios"]["flops"]
        out.append({"workload": w, "what": "flops value_and_grad / f", "value": r,
                    "limit": FLOP_RATIO_LIMIT, "met": r is not None and r <= FLOP_RATIO_LIMIT,
                    "note": "unmodelled: " + ", ".join(c["unmodelled"]) if c["unmodelled"]
                    else ""})
    c = costs.get("mlp")
    if c and c.get("status") == "ok" and c.get("hand_residual_bytes"):
        mine, hand = c["value_and_grad"]["residual_bytes"], c["hand_residual_bytes"]
        out.append({"workload": "mlp", "what": "residual bytes, wengert / hand-written",
                    "value": mine / hand, "limit": 1.0, "met": mine <= hand,
                    "note": f"{mine / 2 ** 20:.2f} MiB vs {hand / 2 ** 20:.2f} MiB"})
    return out


def peer_targets(results: dict, mode: str) -> list[dict]:
    """The targets that set wengert against NumPy's f or against the peers (the jit
    issue's and logdet's value_and_grad / f), as ratios of the rows' medians (separate
    processes: no paired run exists across libraries)."""
    out = []

    def row(lib):
        return results.get(lib, {})

    def compile_s(lib, w):
        wres = row(lib).get("workloads", {}).get(w, {})
        return (wres.get("compile_s") or {}).get("vg")

    def add(w, what, num, den, limit, scale=1.0):
        if num is None or not den:
            return
        value = num / den * scale
        out.append({"workload": w, "what": what, "value": value, "limit": limit,
                    "met": value <= limit})

    add("logdet", "wengert value_and_grad / NumPy f", _median(row("wengert"), "logdet", "vg"),
        _median(row("numpy"), "logdet", "f"), 1.6)
    prims = W.PRIMS_PER_STEP * W.SIZES[mode]["scalar"]["steps"]
    add("scalar", "wengert jit value_and_grad, µs per primitive",
        _median(row("wengert-jit"), "scalar", "vg"), prims, 0.05, scale=1e6)
    for w, limit in (("scalar", 0.2), ("matloop", 0.1)):
        add(w, "jit compile time / jax.jit's (value_and_grad)", compile_s("wengert-jit", w),
            compile_s("jax-jit", w), limit)
    for w, limit in (("matloop", 2.0), ("rosenbrock", 1.5), ("crf", 1.2)):
        add(w, "wengert jit value_and_grad / jax.jit's", _median(row("wengert-jit"), w, "vg"),
            _median(row("jax-jit"), w, "vg"), limit)
    peers = [v for v in (_median(row("torch"), "mlp", "vg"), _median(row("jax-jit"), "mlp", "vg"))
             if v is not None]
    add("mlp", "wengert jit value_and_grad / the faster of PyTorch's and jax.jit's",
        _median(row("wengert-jit"), "mlp", "vg"), min(peers) if peers else None, 1.1)
    add("mlp", "peak memory of jit value_and_grad / eager value_and_grad's",
        _peak(row("wengert-jit"), "mlp", "vg"), _peak(row("wengert"), "mlp", "vg"), 1.0)
    return out


def cost_table(costs: dict) -> list[str]:
    if not costs:
        return []
    lines = ["### Cost model (`wengert.cost_report`)", "",
             "Counted on the Wengert lists of each program (flop model and definitions: "
             "`docs/cost.md`); ratios are over f. Residuals: bytes reverse mode keeps for "
             "its backward sweep (first-order gradient); the hand-written MLP gradient's "
             "saved arrays counted the same way.", "",
             "| workload | calls f | flops f | flops vg / f | flops JVP / f | "
             "flops HVP / f | calls vg / f | residual MiB | hand-written residual MiB | "
             "unmodelled |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for w, c in costs.items():
        if c.get("status") != "ok":
            lines.append(f"| {w} | {c.get('status')} |" + " |" * 8)
            continue

        def r(mode, field="flops"):
            return _fmt(c[mode]["ratios"][field])

        hand = c.get("hand_residual_bytes")
        lines.append(
            f"| {w} | {c['f']['calls']} | {c['f']['flops']:.3g} | {r('value_and_grad')} | "
            f"{r('jvp')} | {r('hvp')} | {r('value_and_grad', 'calls')} | "
            f"{_mib(c['value_and_grad']['residual_bytes'])} | "
            f"{_mib(hand) if hand else '—'} | "
            f"{', '.join(c['unmodelled']) or 'none'} |")
    return lines + [""]


def _blas(meta: dict) -> str:
    """NumPy's BLAS kernels, and the OpenBLAS overrides the workers kept, if any."""
    kept = ", ".join(f"{k}={v}" for k, v in (meta.get("openblas_env") or {}).items())
    kernels = meta.get("blas_kernels") or meta.get("openblas_coretype")
    if kernels:
        return f" · NumPy's BLAS {kernels}" + (f" (forced by {kept})" if kept else "")
    return f" · OpenBLAS settings kept from the environment: {kept}" if kept else ""


def _header(meta: dict, results: dict) -> list[str]:
    load = meta.get("load_before")
    return [
        f"{meta['date']} · {meta.get('cpu', 'unknown CPU')} · {meta.get('cpu_count')} "
        f"logical CPUs · {meta.get('memory_gib', '?')} GiB · {meta.get('platform', '')}",
        "",
        f"Python {meta['python']} · NumPy {meta['numpy']} · {meta['threads']} thread(s) "
        f"and as many CPUs (affinity) per library"
        + _blas(meta)
        + f" · float64 · medians of {meta['rounds']} round(s) x "
        f"{meta['repeats']} samples · wengert "
        f"{meta['wengert_commit']}" + (f" · load average (1, 5, 15 min) before the run {load}, "
                                        f"after {meta.get('load_after')}" if load else "")
        + (f" · total {meta['total_s']} s" if "total_s" in meta else ""),
        "",
        "Versions: " + ", ".join(
            f"{r.get('label', k)} {r.get('version')}" for k, r in results.items()
            if r.get("status") == "ok" and k not in ("numpy", "hand")) + ".",
        "",
    ]


def markdown(record: dict, title_level: str = "##") -> str:
    meta, results, paired = record["meta"], record["results"], record.get("paired", {})
    mode = meta["mode"]
    lines = [f"{title_level} wengert benchmarks ({mode} run)", ""] + _header(meta, results)
    for w in meta["workloads"]:
        lines += workload_table(results, w, mode)
    lines += cost_table(record.get("costs", {}))
    tg = record.get("targets") or targets(results, paired, mode)
    ctg = record.get("cost_targets", [])
    ptg = record.get("peer_targets") or peer_targets(results, mode)
    if tg or ctg or ptg:
        lines += ["### Targets for wengert", ""]
        if mode != "full":
            lines += ["(quick sizes: the targets are defined on the full run)", ""]
    if tg:
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
    if ptg:
        lines += ["| workload | measure against NumPy's f or a peer (from the tables) | value | "
                  "limit | met |", "|---|---|---:|---:|---|"]
        for t in ptg:
            lines.append(f"| {t['workload']} | {t['what']} | {_fmt(t['value'], 3)} | "
                         f"≤ {t['limit']:g} | {'yes' if t['met'] else '**NO**'} |")
        lines.append("")
    if ctg:
        lines += ["| workload | cost-model measure | value | limit | met | note |",
                  "|---|---|---:|---:|---|---|"]
        for t in ctg:
            met = "—" if t["met"] is None else ("yes" if t["met"] else "**NO**")
            lines.append(f"| {t['workload']} | {t['what']} | {_fmt(t['value'], 4)} | "
                         f"≤ {t['limit']:g} | {met} | {t.get('note', '')} |")
        lines.append("")
    return "\n".join(lines)


def write_outputs(record: dict, out_dir: str) -> list[str]:
    """``latest.json``, ``latest.md`` and (with matplotlib) ``latest.png`` in ``out_dir``."""
    os.makedirs(out_dir, exist_ok=True)
    written = []
    path = os.path.join(out_dir, "latest.json")
    with open(path, "w") as fh:
        json.dump(record, fh, indent=1)
    written.append(path)
    path = os.path.join(out_dir, "latest.md")
    with open(path, "w") as fh:
        fh.write(markdown(record) + "\n")
    written.append(path)
    png = plots.draw(record, os.path.join(out_dir, "latest.png"))
    if png:
        written.append(png)
    return written


DOC_INTRO = """# Benchmarks

Generated by `python -m benchmarks.report --docs` from the recorded run
`benchmarks/results/latest.json` (committed beside its picture `latest.png`); every figure
on this page comes from that one run. To reproduce: `python -m benchmarks.run` (full
run, under 15 minutes; it rewrites the JSON, the Markdown and the picture), then
`python -m benchmarks.report --docs`. How the suite measures, and what each column
means: `benchmarks/README.md`. The cost model: `docs/cost.md`.

Peak memory is the growth of the process's resident set (RSS) during one call, read from
the kernel's high-water mark after resetting it (`/proc/self/clear_refs`); it sees every
allocator (NumPy's, PyTorch's, XLA's); the C heap is trimmed first (`malloc_trim`) so
memory freed by earlier calls is counted again when reused. It is a lower bound where an
allocator's own cache is reused, and allocations of a few kilobytes do not show
(`benchmarks/memory.py`).
"""


def docs_page(record: dict, picture: str | None) -> str:
    lines = [DOC_INTRO]
    if picture:
        lines += ["![value_and_grad / f per workload and library, and µs per primitive on the "
                  f"scalar loop]({picture})", ""]
    lines.append(markdown(record, title_level="##"))
    return "\n".join(lines) + "\n"


def write_docs(json_path: str, page: str = DOCS_PAGE) -> list[str]:
    """Rebuild ``docs/benchmarks.md``, and ``latest.md`` and the picture beside the JSON,
    from a record."""
    with open(json_path) as fh:
        record = json.load(fh)
    out_dir = os.path.dirname(os.path.abspath(json_path))
    md = os.path.join(out_dir, "latest.md")
    with open(md, "w") as fh:
        fh.write(markdown(record) + "\n")
    png = plots.draw(record, os.path.join(out_dir, "latest.png"))
    if png is None and os.path.exists(os.path.join(out_dir, "latest.png")):
        png = os.path.join(out_dir, "latest.png")
    rel = os.path.relpath(png, os.path.dirname(os.path.abspath(page))) if png else None
    with open(page, "w") as fh:
        fh.write(docs_page(record, rel))
    return [page, md] + ([png] if png else [])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.report", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", default=os.path.join(RESULTS, "latest.json"),
                   help="the recorded run (default benchmarks/results/latest.json)")
    p.add_argument("--docs", action="store_true", help=f"write {DOCS_PAGE}")
    p.add_argument("--page", default=DOCS_PAGE, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.docs:
        print("wrote " + ", ".join(write_docs(a.json, a.page)), file=sys.stderr)
        return 0
    with open(a.json) as fh:
        print(markdown(json.load(fh)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
