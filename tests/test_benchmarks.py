"""The benchmark suite's workloads, references and report (fast parts only; the
timed run itself is `python -m benchmarks.run --quick`, run by CI)."""

import itertools
import json

import numpy as onp
import pytest

import wengert
import wengert.numpy as wnp
from benchmarks import memory, report, run, worker
from benchmarks import workloads as W
from benchmarks.libraries import Case


def _crf_brute_force(E, A):
    """log Z and the marginals of a linear-chain CRF by enumerating every path."""
    B, T, S = E.shape
    logz = onp.zeros(B)
    dE = onp.zeros_like(E)
    dA = onp.zeros_like(A)
    for b in range(B):
        scores = {}
        for path in itertools.product(range(S), repeat=T):
            scores[path] = sum(E[b, t, path[t]] for t in range(T)) + sum(
                A[path[t - 1], path[t]] for t in range(1, T))
        m = max(scores.values())
        z = sum(onp.exp(s - m) for s in scores.values())
        logz[b] = m + onp.log(z)
        for path, s in scores.items():
            p = onp.exp(s - logz[b])
            for t in range(T):
                dE[b, t, path[t]] += p
            for t in range(1, T):
                dA[path[t - 1], path[t]] += p
    return logz.sum(), dE, dA


def test_crf_gradients_are_the_marginals_by_enumeration():
    rng = onp.random.default_rng(1)
    E, A = rng.standard_normal((2, 4, 3)), rng.standard_normal((3, 3))
    ref_z, ref_dE, ref_dA = _crf_brute_force(E, A)
    z, (dE, dA) = W.crf_vg_hand((E, A))
    assert z == pytest.approx(ref_z, rel=1e-12)
    onp.testing.assert_allclose(dE, ref_dE, rtol=1e-10)
    onp.testing.assert_allclose(dA, ref_dA, rtol=1e-10)
    # every position's marginals sum to one
    onp.testing.assert_allclose(dE.sum(axis=2), 1.0, rtol=1e-12)
    z, (dE, dA) = wengert.value_and_grad(lambda p: W.crf_log_partition(wnp, p))((E, A))
    assert z == pytest.approx(ref_z, rel=1e-12)
    onp.testing.assert_allclose(dE, ref_dE, rtol=1e-10)
    onp.testing.assert_allclose(dA, ref_dA, rtol=1e-10)


def _small(workload):
    """Seeded data at sizes small enough for finite differences."""
    data = W.make_data(workload, "quick")
    rng = onp.random.default_rng(2)
    if workload == "mlp":
        params = [rng.standard_normal((5, 4)) / 2, 0.1 * rng.standard_normal(4),
                  rng.standard_normal((4, 4)) / 2, 0.1 * rng.standard_normal(4),
                  rng.standard_normal((4, 3)) / 2, 0.1 * rng.standard_normal(3)]
        Y = onp.eye(3)[[0, 2, 1, 1, 0, 2]]
        data = {"arg": tuple(params), "X": rng.standard_normal((6, 5)), "Y": Y}
    elif workload == "logreg":
        data = {"arg": rng.standard_normal(4), "X": rng.standard_normal((7, 4)),
                "y": (rng.uniform(size=7) < 0.5).astype(float), "v": rng.standard_normal(4)}
    elif workload == "rosenbrock":
        data = {"arg": rng.uniform(-2, 2, 6), "v": rng.standard_normal(6)}
    elif workload == "crf":
        data = {"arg": (rng.standard_normal((2, 4, 3)), rng.standard_normal((3, 3)))}
    elif workload == "matloop":
        data["steps"] = 7
    elif workload == "scalar":
        data["steps"] = 5  # longer, the loop contracts to a fixed point: derivative ~ 0
    elif workload == "logdet":
        data = {"arg": (rng.standard_normal((5, 5)) / 2, rng.standard_normal(5)),
                "I": onp.eye(5)}
    return data


def _flat(tree):
    return onp.concatenate([onp.ravel(a) for a in (tree if isinstance(tree, tuple) else (tree,))])


def _central_difference(fun, arg, eps=1e-6):
    """Gradient of fun by central differences over every entry of arg (a tuple or array)."""
    leaves = list(arg) if isinstance(arg, tuple) else [onp.asarray(arg, dtype=float)]
    out = []
    for i, leaf in enumerate(leaves):
        g = onp.zeros(onp.shape(leaf))
        for idx in onp.ndindex(onp.shape(leaf)):
            parts = []
            for sign in (1, -1):
                moved = [onp.array(x, dtype=float) for x in leaves]
                moved[i][idx] += sign * eps
                parts.append(fun(tuple(moved) if isinstance(arg, tuple) else moved[0]))
            g[idx] = (parts[0] - parts[1]) / (2 * eps)
        out.append(g)
    return _flat(tuple(out))


@pytest.mark.parametrize("workload", W.WORKLOADS)
def test_hand_gradient_against_finite_differences_and_wengert(workload):
    data = _small(workload)
    fun, arg = W.function(workload, onp, data)
    value, grad = W.hand_vg(workload, data)
    assert value == pytest.approx(fun(arg), rel=1e-12)
    fd = _central_difference(fun, arg)
    onp.testing.assert_allclose(_flat(grad), fd, rtol=1e-6, atol=1e-6 * onp.abs(fd).max())
    wfun, warg = W.function(workload, wnp, data)
    wvalue, wgrad = wengert.value_and_grad(wfun)(warg)
    assert wvalue == pytest.approx(value, rel=1e-12)
    onp.testing.assert_allclose(_flat(wgrad), _flat(grad), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("workload", W.HVP_WORKLOADS)
def test_hand_hvp_against_differences_of_the_gradient(workload):
    data = _small(workload)
    x, v, eps = data["arg"], data["v"], 1e-5
    grad_at = lambda y: W.hand_vg(workload, {**data, "arg": y})[1]
    fd = (grad_at(x + eps * v) - grad_at(x - eps * v)) / (2 * eps)
    hvp = W.hand_hvp(workload, data)
    onp.testing.assert_allclose(hvp, fd, rtol=1e-6, atol=1e-7 * onp.abs(fd).max())
    wfun, _ = W.function(workload, wnp, data)
    onp.testing.assert_allclose(wengert.hvp(wfun, (x,), (v,)), hvp, rtol=1e-9)


def test_check_refuses_a_wrong_gradient():
    data = _small("rosenbrock")
    fun, arg = W.function("rosenbrock", onp, data)
    good = W.rosenbrock_vg_hand(arg)
    bad = Case(f=lambda: fun(arg), vg=lambda: (good[0], good[1] * (1 + 1e-6)),
               to_numpy=lambda o: (float(o[0]), [o[1]]))
    with pytest.raises(worker.Mismatch, match="gradient leaf 0: relative error"):
        worker.check("test", "rosenbrock", bad, data)
    bad_hvp = Case(f=lambda: fun(arg), vg=lambda: good, to_numpy=lambda o: (float(o[0]), [o[1]]),
                   hvp=lambda: 2 * W.rosenbrock_hvp_hand(arg, data["v"]))
    with pytest.raises(worker.Mismatch, match="Hessian-vector product"):
        worker.check("test", "rosenbrock", bad_hvp, data)


def test_quick_results_go_to_their_own_ignored_folder():
    assert run.output_dir(run.parse(["--quick"])) == run.QUICK_DIR
    assert run.output_dir(run.parse([])) == run.RESULTS_DIR
    assert run.output_dir(run.parse(["--quick", "--out-dir", "/tmp/x"])) == "/tmp/x"
    with open(f"{run.RESULTS_DIR}/../.gitignore") as fh:
        assert "results/quick/" in fh.read().split()


def test_peak_memory_sees_a_large_allocation():
    n = 10_000_000  # 80 MB

    def alloc():
        a = onp.ones(n)
        return float(a[-1])

    got = memory.peak_bytes(alloc)["bytes"]
    assert 0.9 * 8 * n <= got <= 2 * 8 * n


def _record():
    """A small synthetic run record in the format run.py writes."""
    def res(label, f, vg=None, hvp=None):
        w = {"status": "ok", "check": {}, "f": {"median": f, "peak_bytes": 2 ** 20}}
        if vg:
            w["vg"] = {"median": vg, "peak_bytes": 3 * 2 ** 20}
        if hvp:
            w["hvp"] = {"median": hvp, "peak_bytes": 2 ** 21}
        return w

    results = {
        "numpy": {"label": "NumPy (f only)", "status": "ok",
                  "workloads": {"rosenbrock": res("", 1e-3), "logdet": res("", 2e-3)}},
        "hand": {"label": "hand", "status": "ok",
                 "workloads": {"rosenbrock": res("", 1e-3, 3e-3, 4e-3),
                               "logdet": res("", 2e-3, 5e-3)}},
        "wengert": {"label": "wengert (eager)", "status": "ok", "version": "0.1.0",
                    "workloads": {"rosenbrock": res("", 1.1e-3, 4e-3, 9e-3),
                                  "logdet": {"status": "unsupported", "reason": "x"}}},
        "wengert-jit": {"label": "wengert (jit)", "status": "not available"},
    }
    costs = {"rosenbrock": {"status": "ok", "unmodelled": {},
                            "f": {"calls": 11, "flops": 1000},
                            "value_and_grad": {"ratios": {"flops": 2.4, "calls": 2.5},
                                               "residual_bytes": 2 ** 20},
                            "jvp": {"ratios": {"flops": 2.5}}, "hvp": {"ratios": {"flops": 5.2}},
                            "hand_residual_bytes": None},
             "logdet": {"status": "unsupported"}}
    meta = {"date": "2026-01-01T00:00:00", "python": "3.11", "numpy": "2", "threads": 2,
            "rounds": 1, "repeats": 3, "wengert_commit": "abc", "mode": "full",
            "workloads": ["rosenbrock", "logdet"], "cpu": "Test CPU", "cpu_count": 2}
    return {"meta": meta, "results": results, "paired": {}, "costs": costs,
            "targets": report.targets(results, {}, "full"),
            "cost_targets": report.cost_targets(costs)}


def test_markdown_report_from_a_record():
    md = report.markdown(_record())
    assert "Test CPU" in md
    # wengert rosenbrock: vg / f = 4e-3 / 1.1e-3, vg / hand = 4 / 3, HVP / f = 9 / 1.1
    assert "| wengert (eager) | 1.1 | 4 | 3.64 | 1.1 | 4 | 1.33 | 9 | 8.18 | — | 1.0, 3.0, 2.0 |" in md
    assert "| wengert (eager) | unsupported |" in md
    assert "| wengert (jit) | not available |" in md
    assert "| rosenbrock | flops value_and_grad / f | 2.4 | ≤ 3 | yes |" in md
    assert "| logdet | flops value_and_grad / f | — | ≤ 3 | — | unsupported |" in md


def test_docs_page_is_generated_from_the_json(tmp_path):
    path = tmp_path / "latest.json"
    path.write_text(json.dumps(_record()))
    page = tmp_path / "benchmarks.md"
    written = report.write_docs(str(path), str(page))
    text = page.read_text()
    assert text.startswith("# Benchmarks")
    assert "python -m benchmarks.report --docs" in text and "Test CPU" in text
    assert (tmp_path / "latest.md").read_text().startswith("## wengert benchmarks")
    if len(written) > 2:  # matplotlib installed: the picture is drawn beside the JSON
        assert (tmp_path / "latest.png").read_bytes()[:4] == b"\x89PNG"
        assert "](latest.png)" in text


def test_mlp_residual_bytes_of_the_hand_written_gradient():
    from benchmarks.costs import hand_residual_bytes

    data = _small("mlp")
    # h1 (6x4), h2 (6x4), softmax probabilities (6x3): 8 bytes each
    assert hand_residual_bytes("mlp", data) == 8 * (24 + 24 + 18)


def test_merge_pools_the_rounds_and_keeps_the_first_compile_time():
    from benchmarks.runner import merge

    def run(samples, compile_s, status="ok"):
        w = {"status": status, "check": {}, "compile_s": compile_s,
             "f": {"samples": samples, "number": 10, "peak_bytes": 100 * len(samples)}}
        if status != "ok":
            w = {"status": status, "reason": "ValueError: x"}
        return {"lib": "jax-jit", "label": "JAX (jit)", "status": "ok",
                "workloads": {"w": w, "v": {"status": "unsupported", "reason": "r"}}}

    m = merge([run([1.0, 2.0, 3.0], {"f": 9.0}), run([4.0, 5.0], {"f": 0.5})])
    f = m["workloads"]["w"]["f"]
    assert (f["median"], f["n"], f["number"]) == (3.0, 5, [10, 10])
    assert f["peak_bytes"] == 300  # the largest of the rounds
    assert m["workloads"]["w"]["compile_s"] == {"f": 9.0}  # round 1: the cold compile
    assert m["workloads"]["v"]["status"] == "unsupported"
    # a workload that failed in the first round is reported as failed
    m = merge([run([], {}, status="error"), run([4.0], {"f": 1.0})])
    assert m["workloads"]["w"]["status"] == "error"
    assert report.failures({"jax-jit": m}) == ["jax-jit / w: ValueError: x"]


def test_plain_progress_and_no_picture_without_the_optional_extras(monkeypatch, tmp_path, capsys):
    import sys

    from benchmarks import plots
    from benchmarks.progress import Progress

    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm raises ImportError
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    bar = Progress(2)
    bar.step("numpy done")
    bar.close()
    assert "[1/2] numpy done" in capsys.readouterr().err
    assert not plots.available()
    written = report.write_outputs(_record(), str(tmp_path))
    assert sorted(p.rsplit("/", 1)[1] for p in written) == ["latest.json", "latest.md"]
    assert json.loads((tmp_path / "latest.json").read_text())["meta"]["cpu"] == "Test CPU"


def test_peer_targets_are_ratios_of_the_rows_medians():
    def res(f=None, vg=None, compile_vg=None, peak_vg=None):
        w = {"status": "ok"}
        if f is not None:
            w["f"] = {"median": f}
        if vg is not None:
            w["vg"] = {"median": vg, "peak_bytes": peak_vg}
        if compile_vg is not None:
            w["compile_s"] = {"vg": compile_vg}
        return w

    prims = W.PRIMS_PER_STEP * W.SIZES["full"]["scalar"]["steps"]
    results = {
        "numpy": {"workloads": {"logdet": res(f=2.0)}},
        "wengert": {"workloads": {"logdet": res(vg=3.0), "mlp": res(vg=1.0, peak_vg=100)}},
        "wengert-jit": {"workloads": {
            "scalar": res(vg=0.04e-6 * prims, compile_vg=0.1),
            "rosenbrock": res(vg=6.0), "mlp": res(vg=1.2, peak_vg=90)}},
        "jax-jit": {"workloads": {"scalar": res(vg=1.0, compile_vg=1.0),
                                  "rosenbrock": res(vg=3.0), "mlp": res(vg=1.5)}},
        "torch": {"workloads": {"mlp": res(vg=1.0)}},
    }
    got = {(t["workload"], t["what"]): (round(t["value"], 6), t["met"])
           for t in report.peer_targets(results, "full")}
    assert got[("logdet", "wengert value_and_grad / NumPy f")] == (1.5, True)
    assert got[("scalar", "wengert jit value_and_grad, µs per primitive")] == (0.04, True)
    assert got[("scalar", "jit compile time / jax.jit's (value_and_grad)")] == (0.1, True)
    assert got[("rosenbrock", "wengert jit value_and_grad / jax.jit's")] == (2.0, False)
    # the faster peer is torch (1.0): 1.2 / 1.0 > 1.1
    assert got[("mlp", "wengert jit value_and_grad / the faster of PyTorch's and jax.jit's")] \
        == (1.2, False)
    assert got[("mlp", "peak memory of jit value_and_grad / eager value_and_grad's")] == (0.9, True)
    # rows that were not measured give no target rather than a made-up one
    assert not any(w == "crf" for w, _ in got)
    md = report.markdown({**_record(), "peer_targets": report.peer_targets(results, "full")})
    assert "| rosenbrock | wengert jit value_and_grad / jax.jit's | 2 | ≤ 1.5 | **NO** |" in md
