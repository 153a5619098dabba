"""Pytrees: flatten nested containers to a list of leaves and back.

Containers are tuple, list, dict (keys in sorted order, as JAX does), namedtuple,
dataclass instances and ``None`` (a container with no leaves). Everything else is a leaf.
A :class:`TreeDef` records the structure; ``unflatten(treedef, leaves)`` rebuilds it.
Paths name a leaf for error messages: ``[0]['w'].b``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "TreeDef",
    "tree_flatten",
    "tree_unflatten",
    "tree_map",
    "tree_leaves",
    "tree_structure",
    "tree_paths",
]

_LEAF = "leaf"
_NONE = "none"
_TUPLE = "tuple"
_LIST = "list"
_DICT = "dict"
_NAMEDTUPLE = "namedtuple"
_DATACLASS = "dataclass"


class TreeDef:
    """The structure of a pytree: a kind, auxiliary data and child structures."""

    __slots__ = ("kind", "aux", "children", "num_leaves")

    def __init__(self, kind: str, aux: Any, children: tuple[TreeDef, ...]):
        self.kind = kind
        self.aux = aux
        self.children = children
        self.num_leaves = 1 if kind == _LEAF else sum(c.num_leaves for c in children)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TreeDef)
            and self.kind == other.kind
            and self.aux == other.aux
            and self.children == other.children
        )

    def __hash__(self) -> int:
        aux = self.aux if not isinstance(self.aux, list) else tuple(self.aux)
        return hash((self.kind, aux, self.children))

    def __repr__(self) -> str:
        if self.kind == _LEAF:
            return "*"
        if self.kind == _NONE:
            return "None"
        inner = ", ".join(repr(c) for c in self.children)
        if self.kind == _DICT:
            inner = ", ".join(f"{k!r}: {c!r}" for k, c in zip(self.aux, self.children))
            return "{" + inner + "}"
        if self.kind == _LIST:
            return "[" + inner + "]"
        if self.kind == _TUPLE:
            return "(" + inner + ("," if len(self.children) == 1 else "") + ")"
        return f"{self.aux[0].__name__}({inner})"


LEAF = TreeDef(_LEAF, None, ())


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _children(x: Any) -> tuple[str, Any, list] | None:
    """(kind, aux, children) of a container, or None for a leaf."""
    if x is None:
        return _NONE, None, []
    t = type(x)
    if t is tuple:
        return _TUPLE, None, list(x)
    if t is list:
        return _LIST, None, list(x)
    if t is dict:
        keys = sorted(x)
        return _DICT, tuple(keys), [x[k] for k in keys]
    if _is_namedtuple(x):
        return _NAMEDTUPLE, (t,), list(x)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        names = tuple(f.name for f in dataclasses.fields(x))
        return _DATACLASS, (t, names), [getattr(x, n) for n in names]
    return None


def _flatten(x: Any, leaves: list) -> TreeDef:
    found = _children(x)
    if found is None:
        leaves.append(x)
        return LEAF
    kind, aux, kids = found
    return TreeDef(kind, aux, tuple(_flatten(k, leaves) for k in kids))


def tree_flatten(tree: Any) -> tuple[list, TreeDef]:
    """Return the leaves of ``tree`` in a fixed order and its structure."""
    leaves: list = []
    return leaves, _flatten(tree, leaves)


def _build(treedef: TreeDef, it) -> Any:
    kind = treedef.kind
    if kind == _LEAF:
        return next(it)
    kids = [_build(c, it) for c in treedef.children]
    if kind == _NONE:
        return None
    if kind == _TUPLE:
        return tuple(kids)
    if kind == _LIST:
        return kids
    if kind == _DICT:
        return dict(zip(treedef.aux, kids))
    if kind == _NAMEDTUPLE:
        return treedef.aux[0](*kids)
    cls, names = treedef.aux
    obj = cls.__new__(cls)
    for name, value in zip(names, kids):
        object.__setattr__(obj, name, value)
    return obj


def tree_unflatten(treedef: TreeDef, leaves: Iterable) -> Any:
    """Rebuild a tree of structure ``treedef`` from ``leaves``."""
    leaves = list(leaves)
    if len(leaves) != treedef.num_leaves:
        raise ValueError(
            f"tree_unflatten: the structure {treedef!r} has {treedef.num_leaves} leaves, "
            f"got {len(leaves)}"
        )
    return _build(treedef, iter(leaves))


def tree_leaves(tree: Any) -> list:
    """The leaves of ``tree``, in flattening order."""
    return tree_flatten(tree)[0]


def tree_structure(tree: Any) -> TreeDef:
    """The structure of ``tree`` without its leaves."""
    return tree_flatten(tree)[1]


def tree_map(fn: Callable, tree: Any, *rest: Any) -> Any:
    """Apply ``fn`` leaf-wise to ``tree`` and trees of the same structure ``rest``."""
    leaves, treedef = tree_flatten(tree)
    others = []
    for r in rest:
        r_leaves, r_def = tree_flatten(r)
        if r_def != treedef:
            raise ValueError(
                f"tree_map: trees differ in structure: {treedef!r} and {r_def!r}"
            )
        others.append(r_leaves)
    return tree_unflatten(treedef, [fn(*xs) for xs in zip(leaves, *others)])


def _paths(x: Any, prefix: str, out: list) -> None:
    found = _children(x)
    if found is None:
        out.append(prefix)
        return
    kind, aux, kids = found
    if kind == _DICT:
        labels = [f"[{k!r}]" for k in aux]
    elif kind == _DATACLASS or kind == _NAMEDTUPLE:
        names = aux[1] if kind == _DATACLASS else aux[0]._fields
        labels = [f".{n}" for n in names]
    else:
        labels = [f"[{i}]" for i in range(len(kids))]
    for label, kid in zip(labels, kids):
        _paths(kid, prefix + label, out)


def tree_paths(tree: Any, prefix: str = "") -> list[str]:
    """The path of every leaf, in flattening order, e.g. ``"[0]['w']"``."""
    out: list[str] = []
    _paths(tree, prefix, out)
    return out
