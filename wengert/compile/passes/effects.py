"""Which equations a pass may remove, merge, evaluate at compile time or move.

* **Effectful** equations (guards, anything marked with :func:`mark_effectful`, and any
  equation without outputs) are kept as they are: never removed, merged or evaluated.
* **Foldable** primitives are the namespace's own (implemented by NumPy, ``operator`` or
  ``wengert.numpy``/``wengert.core``): pure functions of their arguments, safe to run at
  compile time. User code (``custom_vjp`` bodies), compiled functions and anything random
  is not folded.
"""

from __future__ import annotations

import numpy as np

from ...core.primitive import Primitive
from ...core.wengert_list import Equation

_EFFECTFUL: set = set()
_PURE_MODULES = ("numpy", "operator", "_operator", "wengert.numpy", "wengert.core")


def mark_effectful(prim: Primitive) -> Primitive:
    """Declare that ``prim`` has an effect (randomness, I/O, a check): the passes keep
    each of its equations and never merge or fold them."""
    _EFFECTFUL.add(prim)
    return prim


def is_effectful(eq: Equation) -> bool:
    """A guard (``wengert_list.is_guard``: an equation without outputs) or an equation of
    a primitive marked with :func:`mark_effectful`."""
    return not eq.outs or eq.primitive in _EFFECTFUL


def is_foldable(eq: Equation) -> bool:
    """``eq`` may be evaluated at compile time (given constant inputs)."""
    if is_effectful(eq):
        return False
    impl = eq.primitive.impl
    if isinstance(impl, np.ufunc):
        return True
    module = getattr(impl, "__module__", None) or ""
    return any(module == m or module.startswith(m + ".") for m in _PURE_MODULES)
