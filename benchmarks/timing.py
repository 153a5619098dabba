"""Timing: warm-up, then repeated runs; statistics are medians.

Each *sample* is the mean time per call over a batch of ``number`` back-to-back calls,
with ``number`` chosen so that a batch lasts at least ``min_time`` seconds (calls of a
few microseconds are not timed one by one). The garbage collector stays on, as in real
use, but is run before every batch so that a batch does not pay for the last one's
garbage. Samples from several rounds (separate processes) are pooled by the runner.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable

clock = time.perf_counter


def _batch(fn: Callable, number: int) -> float:
    gc.collect()
    t0 = clock()
    for _ in range(number):
        fn()
    return (clock() - t0) / number


def calibrate(fn: Callable, min_time: float) -> int:
    """Calls per batch such that a batch lasts at least ``min_time`` seconds."""
    number = 1
    while True:
        t = _batch(fn, number) * number
        if t >= min_time:
            return number
        # aim a little above min_time; at most x10 per step
        number = max(number + 1, min(number * 10, int(number * 1.2 * min_time / max(t, 1e-9))))


def samples(fn: Callable, repeats: int, min_time: float, warmup: int = 2,
            max_time: float = 5.0) -> dict:
    """``repeats`` samples of seconds per call of ``fn``, after ``warmup`` calls.

    A function so slow that ``repeats`` samples would take more than ``max_time``
    seconds gets fewer samples (at least 3)."""
    t0 = clock()
    fn()
    first = clock() - t0
    for _ in range(warmup - 1 if first < max_time / 10 else 0):
        fn()
    number = 1 if first >= 2 * min_time else calibrate(fn, min_time)
    per_sample = max(number * first, min_time)
    n = max(3, min(repeats, int(max_time / per_sample)))
    times = [_batch(fn, number) for _ in range(n)]
    return {"samples": times, "number": number}


def paired_samples(fn_a: Callable, fn_b: Callable, repeats: int, min_time: float,
                   warmup: int = 2) -> dict:
    """Samples of ``fn_a`` and ``fn_b`` taken alternately in one process (order
    a b b a a b ...), and the ratio b / a of each adjacent pair: load that changes
    slowly hits both sides of a pair alike, so the median ratio is far steadier
    than a ratio of medians taken at different times."""
    for _ in range(warmup):
        fn_a()
        fn_b()
    na, nb = calibrate(fn_a, min_time), calibrate(fn_b, min_time)
    a, b = [], []
    for i in range(repeats):
        if i % 2:
            b.append(_batch(fn_b, nb))
            a.append(_batch(fn_a, na))
        else:
            a.append(_batch(fn_a, na))
            b.append(_batch(fn_b, nb))
    return {"a": a, "b": b, "ratio": [y / x for x, y in zip(a, b, strict=True)],
            "number": [na, nb]}


def summarize(times: list[float]) -> dict:
    """Median and spread of per-call times (seconds)."""
    ts = sorted(times)
    q = statistics.quantiles(ts, n=4) if len(ts) >= 2 else [ts[0]] * 3
    return {
        "median": statistics.median(ts),
        "q1": q[0],
        "q3": q[2],
        "min": ts[0],
        "n": len(ts),
    }
