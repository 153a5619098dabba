"""What machine a run came from: CPU model, memory, load (recorded in the JSON)."""

from __future__ import annotations

import os
import platform


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2 ** 20, 1)
    except OSError:
        pass
    return None


def load_average() -> list[float] | None:
    """1, 5 and 15-minute load averages (a loaded machine makes times noisy)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


#: Variables this workplace sets on some processors to steer old OpenBLAS builds away from
#: kernels that crashed or computed wrong results there; a current NumPy's OpenBLAS runs
#: slower under them (measured here: a 256x784 by 784x512 float64 product, one core, 3.62 ms
#: with the forced Haswell kernels, 2.28 ms with the SkylakeX kernels it detects itself).
OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def without_openblas_overrides(env: dict) -> dict:
    """``env`` less both OpenBLAS overrides (together: one without the other is a
    configuration nobody tested), so OpenBLAS picks its kernels by its own detection."""
    return {k: v for k, v in env.items() if k not in OPENBLAS_OVERRIDES}


def blas_kernels() -> str | None:
    """The BLAS NumPy runs in this process and the kernels it chose, as threadpoolctl
    reports them (``"openblas 0.3.31 SkylakeX"``); ``None`` without threadpoolctl."""
    try:
        import threadpoolctl
    except ImportError:
        return None
    import numpy  # noqa: F401  (loads NumPy's BLAS, so threadpoolctl can see it)
    found = [f"{i['internal_api']} {i['version']} {i.get('architecture') or ''}".strip()
             for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    return ", ".join(dict.fromkeys(found)) or None


def pin_to(threads: int) -> list[int] | None:
    """Restrict this process (and the threads it starts later) to ``threads`` CPUs, the
    last ones it may run on; returns them, or ``None`` where affinity is not available.
    XLA:CPU starts a thread pool over every core whatever its flags say, so pinning is
    what holds every library to the same number of cores."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))[-max(threads, 1):]
    os.sched_setaffinity(0, cpus)
    return cpus
