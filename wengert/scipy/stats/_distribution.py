"""A distribution object with SciPy's call signatures, built from plain functions.

``Distribution("norm", ("loc", "scale"), {"logpdf": f, ...})`` binds SciPy's positional
and keyword arguments (``norm.logpdf(x, loc=0, scale=1)``, ``t.logpdf(x, df, loc, scale)``)
to ``f(x, *parameters)`` with the parameters in declaration order and registers each
method in ``wengert.numpy.TABLE`` as ``scipy.stats.<name>.<method>``, with SciPy's bound
method as its ``numpy_function``. Calling the distribution freezes parameters, as SciPy's
``norm(loc, scale)`` does.
"""

from __future__ import annotations

from collections.abc import Callable

import scipy.stats as st

from ... import errors
from ...numpy._registry import register


class Distribution:
    """A SciPy-like distribution whose methods differentiate in their parameters."""

    def __init__(self, name: str, parameters: tuple, defaults: dict,
                 methods: dict[str, Callable], kind: str = "composite"):
        self.name = name
        self.parameters = parameters
        self.defaults = defaults
        self._methods = {}
        scipy_dist = getattr(st, name)
        for method, fn in methods.items():
            bound = self._binder(method, fn)
            self._methods[method] = bound
            setattr(self, method, bound)
            register(f"scipy.stats.{name}.{method}", bound, kind, getattr(scipy_dist, method))

    def _binder(self, method: str, fn: Callable) -> Callable:
        qualified = f"wengert.scipy.stats.{self.name}.{method}"
        names, defaults = self.parameters, self.defaults

        def bound(x, *args, **kwargs):
            if len(args) > len(names):
                raise TypeError(f"{qualified}: takes at most {len(names)} parameters "
                                f"{names} after x, got {len(args)}")
            values = dict(zip(names, args))
            for key, value in kwargs.items():
                if key not in names:
                    raise TypeError(f"{qualified}: unexpected keyword argument {key!r}; "
                                    f"the parameters are {names}")
                if key in values:
                    raise TypeError(f"{qualified}: got multiple values for {key!r}")
                values[key] = value
            missing = [n for n in names if n not in values and n not in defaults]
            if missing:
                raise TypeError(f"{qualified}: missing the parameter(s) {missing}")
            return fn(x, *[values[n] if n in values else defaults[n] for n in names])

        bound.__name__ = method
        bound.__qualname__ = f"{self.name}.{method}"
        bound.__doc__ = (f"``scipy.stats.{self.name}.{method}(x, "
                         f"{', '.join(names)})``, differentiable in ``x`` and the "
                         f"parameters. {fn.__doc__ or ''}")
        return bound

    def __call__(self, *args, **kwargs) -> Frozen:
        """Freeze parameters, as SciPy's ``norm(loc, scale)``."""
        return Frozen(self, args, kwargs)

    def __repr__(self) -> str:
        return f"<wengert.scipy.stats.{self.name}>"


class Frozen:
    """A distribution with its parameters fixed: ``norm(0.0, 2.0).logpdf(x)``."""

    def __init__(self, dist: Distribution, args: tuple, kwargs: dict):
        self.dist, self.args, self.kwargs = dist, args, kwargs

    def __getattr__(self, method: str) -> Callable:
        if method.startswith("__") or method in ("dist", "args", "kwargs"):
            raise AttributeError(method)
        fn = self.dist._methods.get(method)
        if fn is None:
            raise errors.UnsupportedFunctionError(
                f"wengert.scipy.stats.{self.dist.name} has no method {method!r}; it has "
                f"{sorted(self.dist._methods)}")
        return lambda x: fn(x, *self.args, **self.kwargs)
