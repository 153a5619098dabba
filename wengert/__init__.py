"""wengert: exact automatic differentiation of NumPy code over its Wengert list.

    >>> import wengert
    >>> import wengert.numpy as np
    >>> wengert.grad(lambda x: np.sum(np.tanh(x) ** 2))(np.ones(3))
"""

from . import config, errors, numpy  # noqa: F401
from .api import (
    grad,
    hessian,
    hvp,
    jacfwd,
    jacrev,
    jvp,
    linearize,
    stop_gradient,
    value_and_grad,
    vjp,
)
from .check import check_grads, dot_product_test, numerical_grad, numerical_jvp
from .compile import jit
from .cost import cost_report
from .custom import custom_jvp, custom_vjp
from .make_trace import make_trace
from .tree import tree_flatten, tree_leaves, tree_map, tree_unflatten

__version__ = "0.1.0"

__all__ = [
    "check_grads",
    "config",
    "cost_report",
    "custom_jvp",
    "custom_vjp",
    "dot_product_test",
    "make_trace",
    "errors",
    "grad",
    "hessian",
    "hvp",
    "jit",
    "jacfwd",
    "jacrev",
    "jvp",
    "linearize",
    "numerical_grad",
    "numerical_jvp",
    "numpy",
    "stop_gradient",
    "tree_flatten",
    "tree_leaves",
    "tree_map",
    "tree_unflatten",
    "value_and_grad",
    "vjp",
]
