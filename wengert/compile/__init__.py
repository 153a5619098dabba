"""The compiler: ``jit`` traces a function by example into its Wengert list, records
guards where Python reads traced values, optimises the list (``passes``) and emits it as
Python source calling NumPy, cached per input signature. See ``docs/jit.md``."""

from .guards import GuardMiss
from .jit import Jitted, StaticArgumentError, jit
from .lowered import Lowered
from .primitive import CompiledFunction, SpecialisationWarning

__all__ = ["CompiledFunction", "GuardMiss", "Jitted", "Lowered", "SpecialisationWarning",
           "StaticArgumentError", "jit"]
