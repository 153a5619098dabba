"""What ``jit(f).lower(*args)`` returns: the generated source and the optimised list."""

from __future__ import annotations


class Lowered:
    """``.source``: the generated Python function (one line per equation);
    ``.trace``: the optimised Wengert list it was generated from; ``.traced``: the list
    as traced, before optimisation; ``.function``: the compiled function of the flat
    inputs (returns the tuple of flat outputs); ``.fallback_source``: for float code,
    the plain NumPy version it falls back to where Python raises (None otherwise);
    ``.native_source``: the C code the program runs (``wengert.compile.native``), or
    None where it runs none."""

    def __init__(self, traced, program):
        self.traced = traced
        self.trace = program.wengert_list
        self.source = program.source
        self.function = program.function
        self._generated = program.generated

    @property
    def fallback_source(self) -> str | None:
        return self._generated.fallback_source

    @property
    def native_source(self) -> str | None:
        whole = getattr(self.function, "native_source", None)
        if whole is not None:
            return whole
        kernels = []
        for eq in self.trace.equations:
            kernel = getattr(eq.primitive, "native", None)
            if kernel is not None and getattr(kernel, "source", None):
                kernels.append(kernel.source)
        return "\n".join(kernels) if kernels else None

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return f"Lowered({len(self.trace)} equations)\n{self.source}"
