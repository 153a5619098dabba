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


def cpu_flags() -> set[str]:
    """The instruction-set flags of the first CPU (Linux; empty elsewhere)."""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


#: AVX-512 subsets OpenBLAS's SkylakeX kernels use.
AVX512 = {"avx512f", "avx512dq", "avx512bw", "avx512vl"}


def openblas_coretype() -> str | None:
    """``SKYLAKEX`` where the CPU has AVX-512 (OpenBLAS's runtime detection gives AMD
    Zen 4 its AVX2 Haswell kernels, half the speed of the AVX-512 code that XLA and
    PyTorch use there); ``None`` to leave OpenBLAS's choice, or the user's
    ``OPENBLAS_CORETYPE``, alone."""
    if os.environ.get("OPENBLAS_CORETYPE"):
        return None
    return "SKYLAKEX" if AVX512 <= cpu_flags() else None


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
