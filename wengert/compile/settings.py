"""Switches of the compiler.

``max_specializations``: compiled programs kept per input signature before a jitted
function runs eagerly for that signature (and warns once); ``jit(f,
max_specializations=n)`` overrides it per function.

``use_passes``: run the optimisation passes (``wengert.compile.passes``) before code
generation; off, the traced list is emitted as it is (useful to tell a pass bug from a
code-generation bug).

``unroll_max_elements``: a program whose every value is a float64 array of at most this
many elements is emitted as code on Python floats (``wengert.compile.unroll``); 0 turns
that off (the NumPy code is emitted instead).

``buffer_pool``: large intermediates of a compiled program are written into buffers kept
across calls (``wengert.compile.pool``; one buffer set per concurrently running call);
off, every call allocates them afresh. Read when a program is compiled.

``native``: parts of a program are compiled to machine code by the system's C compiler
where one is found (``wengert.compile.native``); off, or without a compiler, the
generated Python/NumPy code runs. Read when a program is compiled.
"""

max_specializations: int = 8
use_passes: bool = True
unroll_max_elements: int = 16
buffer_pool: bool = True
native: bool = True
