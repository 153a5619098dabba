"""The error classes wengert raises. Each message names the function, the argument and
what was expected, and where possible what to do instead."""

from __future__ import annotations


class WengertError(Exception):
    """Base class of wengert's own errors."""


class NonScalarOutputError(WengertError, TypeError):
    """``grad`` of a function whose output is not a real scalar."""


class InputTypeError(WengertError, TypeError):
    """Differentiation with respect to an integer, boolean or non-numeric input."""


class ArgnumsError(WengertError, ValueError):
    """``argnums`` names an argument the function was not called with."""


class UnsupportedFunctionError(WengertError, TypeError):
    """A NumPy or SciPy function with no wengert rule was called on a traced value."""


class MissingRuleError(WengertError, NotImplementedError):
    """A primitive has no derivative rule for the requested mode and argument."""


class CustomRuleError(WengertError, ValueError):
    """A user-supplied ``custom_vjp``/``custom_jvp`` rule returned the wrong structure,
    shape or dtype."""


class TracerConversionError(WengertError, TypeError):
    """A traced value was turned into a Python number or a plain NumPy array, which would
    drop its derivative."""


class EscapedTracerError(WengertError, RuntimeError):
    """A traced value outlived the transformation that made it and was used again."""


class NaNError(WengertError, FloatingPointError):
    """With ``config.debug_nans``, the first primitive that produced a NaN."""
