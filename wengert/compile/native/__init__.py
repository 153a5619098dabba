"""Native code for compiled programs: C source generated from the Wengert list, compiled
at run time by the system's C compiler and loaded with :mod:`ctypes`.

Optional. ``wengert.compile.settings.native`` says whether it is used (``True``: where a
C compiler is found; ``False``: never); without a compiler, or when compiling fails,
the Python code the compiler emits anyway runs instead (:mod:`.toolchain`).
"""

from .toolchain import NativeUnavailable, available, load

__all__ = ["NativeUnavailable", "available", "load"]
