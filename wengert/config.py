"""Process-wide switches.

``wengert.config.debug_nans = True`` makes every traced primitive (forward values, tangents
and cotangents of the backward sweep) check its result for NaN and raise
:class:`~wengert.errors.NaNError` at the first one, naming the primitive and the line of
user code that called it. It costs one scan of every result, so it is off by default.
"""

debug_nans: bool = False
