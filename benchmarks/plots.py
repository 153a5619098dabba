"""The picture of a run (matplotlib, the ``plot`` extra): left, the cheap-gradient ratio
value_and_grad / f per workload and library on a log axis with the bound of 5 marked;
right, time per primitive on the scalar loop, f and value_and_grad, per library."""

from __future__ import annotations

from . import workloads as W

BOUND = 5.0


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _median(res: dict, w: str, kind: str):
    try:
        return res["workloads"][w][kind]["median"]
    except (KeyError, TypeError):
        return None


def draw(record: dict, path: str) -> str | None:
    """Write the PNG to ``path``; ``None`` (nothing written) without matplotlib."""
    if not available():
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    meta, results = record["meta"], record["results"]
    libs = [lib for lib, r in results.items() if r.get("status") == "ok" and lib != "numpy"]
    wls = list(meta["workloads"])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 5), gridspec_kw={"width_ratios": [3, 1]})
    width = 0.8 / max(len(libs), 1)
    for k, lib in enumerate(libs):
        res = results[lib]
        xs, ys = [], []
        for i, w in enumerate(wls):
            f, vg = _median(res, w, "f"), _median(res, w, "vg")
            if f and vg:
                xs.append(i + (k - (len(libs) - 1) / 2) * width)
                ys.append(vg / f)
        ax1.bar(xs, ys, width, label=res.get("label", lib))
    ax1.axhline(BOUND, color="black", linestyle="--", linewidth=1)
    ax1.text(len(wls) - 0.5, BOUND * 1.05, "bound of 5", ha="right", va="bottom")
    ax1.set_yscale("log")
    ax1.set_xticks(range(len(wls)))
    ax1.set_xticklabels(wls)
    ax1.set_ylabel("value_and_grad time / f time (log)")
    ax1.set_title("cheap-gradient ratio, per library")
    ax1.legend(fontsize=8, ncol=2)

    if "scalar" in wls:
        prims = W.PRIMS_PER_STEP * W.SIZES[meta["mode"]]["scalar"]["steps"]
        names, f_us, vg_us = [], [], []
        for lib in [x for x, r in results.items() if r.get("status") == "ok"]:
            f, vg = _median(results[lib], "scalar", "f"), _median(results[lib], "scalar", "vg")
            if f is None:
                continue
            names.append(lib)
            f_us.append(f * 1e6 / prims)
            vg_us.append(vg * 1e6 / prims if vg else 0.0)
        ys = range(len(names))
        ax2.barh([y - 0.2 for y in ys], f_us, 0.4, label="f")
        ax2.barh([y + 0.2 for y in ys], vg_us, 0.4, label="value_and_grad")
        ax2.set_yticks(list(ys))
        ax2.set_yticklabels(names)
        ax2.set_xscale("log")
        ax2.set_xlabel("µs per primitive (log)")
        ax2.set_title("scalar loop")
        ax2.legend(fontsize=8)
    else:
        ax2.set_visible(False)
    fig.suptitle(f"wengert benchmarks, {meta['mode']} run, {meta.get('date', '')}, "
                 f"{meta.get('cpu', '')}, {meta['threads']} thread(s)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
