"""The Wengert list as printable data: inputs, one equation per primitive call, outputs.

Built from a reverse-mode tape recorded with every residual kept. ``str()`` prints it the
way the lecture notes write an evaluation trace, one equation per line; ``verify()`` checks
that every variable is defined before it is used and that each equation, evaluated again,
gives the recorded shape and dtype.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .primitive import Primitive
from .shaped import dtype_of, shape_of

_DTYPE_SHORT = {"float64": "f64", "float32": "f32", "float16": "f16", "complex128": "c128",
                "complex64": "c64", "int64": "i64", "int32": "i32", "bool": "bool"}


def type_string(shape: tuple, dtype) -> str:
    name = np.dtype(dtype).name
    return f"{_DTYPE_SHORT.get(name, name)}[{','.join(str(n) for n in shape)}]"


@dataclasses.dataclass(frozen=True)
class Var:
    name: str
    shape: tuple
    dtype: Any

    def __str__(self) -> str:
        return self.name

    @property
    def typed(self) -> str:
        return f"{self.name}:{type_string(self.shape, self.dtype)}"


@dataclasses.dataclass(frozen=True)
class Literal:
    """A constant argument: shown inline when 0-d, by name and type otherwise."""

    name: str
    value: Any

    def __str__(self) -> str:
        if np.ndim(self.value) == 0 and not isinstance(self.value, np.ndarray):
            return repr(float(self.value)) if np.isrealobj(self.value) else repr(self.value)
        if np.ndim(self.value) == 0:
            return repr(self.value.item())
        return self.name


@dataclasses.dataclass(frozen=True)
class Equation:
    outs: tuple
    primitive: Primitive
    ins: tuple
    params: dict

    def __str__(self) -> str:
        lhs = " ".join(v.typed for v in self.outs)
        params = ""
        if self.params:
            params = "[" + " ".join(f"{k}={_short(v)}" for k, v in self.params.items()) + "]"
        args = " ".join(str(a) for a in self.ins)
        if not self.outs:  # a guard (jit): no result, a check
            return f"{self.primitive.name}{params} {args}".rstrip()
        return f"{lhs} = {self.primitive.name}{params} {args}".rstrip()


def is_guard(eq: Equation) -> bool:
    """A guard recorded by jit (``wengert.compile.guards``): an equation with no outputs
    that checks a decision Python code took on a traced value. Passes keep every guard,
    after the definition of its input, and never evaluate it at compile time."""
    return not eq.outs


def _short(value) -> str:
    if isinstance(value, np.ndarray):
        return type_string(value.shape, value.dtype)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclasses.dataclass
class WengertList:
    inputs: list
    constants: list
    equations: list
    outputs: list

    def __str__(self) -> str:
        lines = ["{ " + ", ".join(v.typed for v in self.inputs) + " ->"]
        for c in self.constants:
            lines.append(f"  {c.name}:{type_string(shape_of(c.value), dtype_of(c.value))}"
                         f" = constant")
        lines.extend(f"  {eq}" for eq in self.equations)
        lines.append("  return " + ", ".join(str(o) for o in self.outputs) + " }")
        return "\n".join(lines)

    def __len__(self) -> int:
        return len(self.equations)

    def verify(self, values: dict | None = None) -> None:
        """Raise ``ValueError`` unless every variable is defined before use and, given
        ``values`` (name -> array, as :func:`from_tape` provides), every equation
        evaluated again has its recorded shape and dtype."""
        defined = {v.name for v in self.inputs} | {c.name for c in self.constants}
        for eq in self.equations:
            for a in eq.ins:
                if isinstance(a, Var) and a.name not in defined:
                    raise ValueError(f"verify: {a.name} is used by '{eq}' before it is defined")
            if values is not None:
                args = [values[a.name] if isinstance(a, Var) else a.value for a in eq.ins]
                out = eq.primitive.impl(*args, **eq.params)
                outs = out if eq.primitive.multiple_results else (out,)
                for var, val in zip(eq.outs, outs):
                    if shape_of(val) != var.shape or np.dtype(dtype_of(val)) != np.dtype(var.dtype):
                        raise ValueError(
                            f"verify: '{eq}' gives {type_string(shape_of(val), dtype_of(val))}"
                            f" on evaluation, recorded {type_string(var.shape, var.dtype)}"
                        )
            for v in eq.outs:
                if v.name in defined:
                    raise ValueError(f"verify: {v.name} is defined twice")
                defined.add(v.name)
        for o in self.outputs:
            if isinstance(o, Var) and o.name not in defined:
                raise ValueError(f"verify: output {o.name} is never defined")
