"""Compile C source to a shared library and load it.

The compiler is ``$WENGERT_CC`` if set, else ``cc`` or ``gcc`` on the ``PATH``. Flags keep
IEEE semantics, so a kernel computes what the same operations in NumPy and Python
compute: no ``-ffast-math``, no contraction of ``a * b + c`` into a fused multiply-add
(``-ffp-contract=off``), ``-fno-math-errno`` (errno is never read), ``-march=native``
(the code runs on the machine that compiled it), ``-pipe`` (no temporary files between the
compiler's stages).

Libraries are built in a private temporary directory that is removed when the process
exits, and cached in the process by the hash of their source and flags; nothing is
cached across processes, so a first call always pays its compile time. The source is
made by wengert's code generators only: generated names, and numbers passed as
arguments, never written into it.
"""

from __future__ import annotations

import atexit
import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading

BASE_FLAGS = ("-shared", "-fPIC", "-pipe", "-ffp-contract=off", "-fno-math-errno",
              "-march=native")
#: Longest a compilation may take before it is abandoned (the Python code runs instead).
TIMEOUT_S = 120.0

_lock = threading.Lock()
_cache: dict[str, ctypes.CDLL] = {}
_state: dict = {"dir": None, "compiler": None, "checked": False, "reason": None}


class NativeUnavailable(RuntimeError):
    """No C compiler, or it failed on the source (the message says which)."""


def _compiler() -> list[str] | None:
    if not _state["checked"]:
        _state["checked"] = True
        explicit = os.environ.get("WENGERT_CC")
        found = explicit.split() if explicit else None
        if found is None:
            path = shutil.which("cc") or shutil.which("gcc")
            found = [path] if path else None
        _state["compiler"] = found
        if found is None:
            _state["reason"] = "no C compiler found (set WENGERT_CC or install cc/gcc)"
    return _state["compiler"]


def available() -> bool:
    """Whether a C compiler was found (compiling may still fail on a given source)."""
    from .. import settings

    return bool(settings.native) and _compiler() is not None


def _workdir() -> str:
    if _state["dir"] is None:
        _state["dir"] = tempfile.mkdtemp(prefix="wengert-native-")
        atexit.register(shutil.rmtree, _state["dir"], True)
    return _state["dir"]


def load(source: str, opt: str = "-O2") -> ctypes.CDLL:
    """The shared library built from C ``source`` with optimisation flag ``opt``.

    Raises :class:`NativeUnavailable` when there is no compiler or it fails (its first
    lines of error output in the message)."""
    cc = _compiler()
    if cc is None:
        raise NativeUnavailable(_state["reason"])
    flags = (opt, *BASE_FLAGS)
    key = hashlib.sha256("\0".join((*cc, *flags, source)).encode()).hexdigest()[:32]
    with _lock:
        lib = _cache.get(key)
        if lib is not None:
            return lib
        work = _workdir()
        c_path = os.path.join(work, f"k{key}.c")
        so_path = os.path.join(work, f"k{key}.so")
        with open(c_path, "w") as fh:
            fh.write(source)
        try:
            proc = subprocess.run([*cc, *flags, "-o", so_path, c_path, "-lm"],
                                  capture_output=True, text=True, timeout=TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise NativeUnavailable(f"the C compiler did not run: {exc}") from exc
        if proc.returncode != 0:
            raise NativeUnavailable(
                "the C compiler failed: " + "\n".join(proc.stderr.splitlines()[:5]))
        lib = ctypes.CDLL(so_path)
        _cache[key] = lib
        return lib
