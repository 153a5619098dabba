"""Primitives: the operations one line of the Wengert list records.

A primitive has an implementation on NumPy arrays and, per differentiable argument,

* a VJP rule ``vjp(g, ans, *args, **params) -> cotangent of that argument``, and
* a JVP rule ``jvp(t, ans, *args, **params) -> contribution of that argument's tangent
  to the output tangent``.

Rules are written with wengert's own primitives, so they can be differentiated again
(gradients of gradients, Hessian-vector products by forward-over-reverse). A rule may
return ``None`` for a zero that need not be materialised. ``reads`` declares, per
argument, which residuals its VJP reads (argument positions, and ``ANS`` for the output);
reverse mode keeps only those for the backward sweep.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from .. import errors

ANS = -1  # marks the primitive's output in ``reads``


class Primitive:
    """A named operation with its implementation and derivative rules.

    ``multiple_results``: the implementation returns a tuple of arrays.
    ``broadcasts``: arguments broadcast against each other NumPy-style; reverse mode sums
    cotangents back to each argument's shape (the shared ``unbroadcast``), forward mode
    broadcasts tangents to the output's shape.
    """

    __slots__ = (
        "name",
        "impl",
        "vjps",
        "jvps",
        "reads",
        "multiple_results",
        "broadcasts",
        "vjp_all",
        "vjp_fwd",
        "jvp_full",
        "absorbs_negation",
        "_keep_cache",
        "__weakref__",
    )

    def __init__(
        self,
        name: str,
        impl: Callable,
        *,
        multiple_results: bool = False,
        broadcasts: bool = False,
    ):
        self.name = name
        self.impl = impl
        self.vjps: tuple = ()
        self.jvps: tuple = ()
        self.reads: tuple | None = None
        self.multiple_results = multiple_results
        self.broadcasts = broadcasts
        # Whole-primitive hooks, used by custom rules and variadic primitives:
        # vjp_all(g, ans, saved, params, parents) -> sequence of cotangents (None = zero)
        # vjp_fwd(*args, **params) -> (ans, saved)   (what reverse mode stores)
        # jvp_full(primals, tangents, params) -> (ans, tangent)
        self.vjp_all: Callable | None = None
        self.vjp_fwd: Callable | None = None
        self.jvp_full: Callable | None = None
        # its VJP rules take a lazy ``Negated`` cotangent (core/accumulate.py) as it is
        self.absorbs_negation = False
        self._keep_cache: dict = {}

    # __call__ (= bind) is installed by .trace, which defines bind.

    def __repr__(self) -> str:
        return f"Primitive({self.name})"

    # -- rules ---------------------------------------------------------------------------

    def vjp_rule(self, i: int) -> Callable:
        rules = self.vjps
        rule = rules[i] if i < len(rules) else None
        if rule is None:
            raise errors.MissingRuleError(
                f"{self.name}: no reverse-mode (VJP) rule for argument {i}; it is not "
                f"differentiable there. Pass a constant, or wrap the computation in "
                f"wengert.stop_gradient or a wengert.custom_vjp function."
            )
        return rule

    def jvp_rule(self, i: int) -> Callable:
        rules = self.jvps
        rule = rules[i] if i < len(rules) else None
        if rule is None:
            raise errors.MissingRuleError(
                f"{self.name}: no forward-mode (JVP) rule for argument {i}; it is not "
                f"differentiable there. Pass a constant, or wrap the computation in "
                f"wengert.stop_gradient or a wengert.custom_jvp function."
            )
        return rule

    def keep_for(self, traced_mask: int) -> tuple[int, bool]:
        """(bit mask of argument positions to keep, keep ``ans``) for the arguments
        that are traced, given as a bit mask. ``reads is None`` keeps everything."""
        cached = self._keep_cache.get(traced_mask)
        if cached is not None:
            return cached
        keep_args = 0
        keep_ans = False
        reads = self.reads
        for i, need in enumerate(reads):
            if not (traced_mask >> i) & 1:
                continue
            for j in need:
                if j == ANS:
                    keep_ans = True
                else:
                    keep_args |= 1 << j
        # Arguments past the declared ones (variadic) are kept.
        keep_args |= ~((1 << len(reads)) - 1)
        cached = (keep_args, keep_ans)
        self._keep_cache[traced_mask] = cached
        return cached


def defvjp(
    prim: Primitive,
    *rules: Callable | None,
    reads: Sequence[Iterable[int]] | None = None,
) -> Primitive:
    """Give ``prim`` one VJP rule per argument (``None``: not differentiable there).

    ``reads[i]`` lists what rule ``i`` reads: argument positions and :data:`ANS`.
    Omitted, reverse mode keeps every argument and the output.
    """
    prim.vjps = tuple(rules)
    if reads is not None:
        if len(reads) != len(rules):
            raise ValueError(f"defvjp({prim.name}): one `reads` entry per rule expected")
        prim.reads = tuple(frozenset(r) for r in reads)
    prim._keep_cache = {}
    return prim


def defjvp(prim: Primitive, *rules: Callable | None) -> Primitive:
    """Give ``prim`` one JVP rule per argument (``None``: not differentiable there)."""
    prim.jvps = tuple(rules)
    return prim


def zero_rule(*_args, **_params) -> None:
    """The rule of an argument with zero derivative (floor, sign, comparisons...)."""
    return None
