"""Loops found again in unrolled element statements.

Tracing a Python loop unrolls it: the 200 steps of ``A = tanh(A @ W) + 0.01 A`` on a 3x3
matrix give 200 copies of the same few dozen element statements, and their gradient as
many again in reverse. Compiling that straight-line C costs about 0.08 ms per statement
even at ``-O0``. This module finds the copies and writes each run of them as one C loop.

Every statement defines one value, stored in an array ``E`` at its position in the
program (its *index*). A run of ``repeats`` blocks of ``period`` statements starting at
``start`` is a loop when statement ``j`` of block ``r`` is statement ``j`` of block 0 with
the same text outside its references to earlier values, and its ``k``-th such reference
is the one of block 0 moved by ``r * delta[j][k]``: ``delta`` is a loop-carried step
(the previous iteration's value: ``period``), 0 (a value computed before the loop), or
any other constant (the backward sweep reads the forward iterations in reverse:
``-period_forward``). Each statement then runs once per block, as ``E[i + period*r] =
... E[ref + delta*r] ...``: the same operations in the same order as the straight-line
program, so the values are bitwise the same.
"""

from __future__ import annotations

import re

#: Fewest blocks worth a loop.
MIN_REPEATS = 3
#: Longest block looked for, in statements.
MAX_PERIOD = 4096
#: Periods tried at a statement: the distances to the next this many equal windows.
NEXT = 8
#: Statements in a window.
WINDOW = 16
#: Most statements compared in the search, per statement of the program (bounds its time
#: on long programs that repeat in no useful way).
WORK_PER_STATEMENT = 64

_DEFINED = re.compile(r"\be\d+\b")


class Statements:
    """Folded element statements split into what loops compare: per statement, its text
    with each reference to an earlier statement replaced by ``{}`` (``templates``), the
    indices of those statements (``refs``), and whether its result is checked."""

    __slots__ = ("templates", "refs", "checks", "keys")

    def __init__(self, stmts: list, where: dict):
        index = {name: i for i, (name, *_) in enumerate(stmts)}
        self.templates: list[str] = []
        self.refs: list[list[int]] = []
        self.checks: list[bool] = [bool(check) for *_, check in stmts]

        for _name, expr, _reads, _check in stmts:
            refs: list[int] = []

            def hole(m, refs=refs):
                word = m.group(0)
                if word in index:
                    refs.append(index[word])
                    return "{}"
                return where.get(word, word)

            self.templates.append(_DEFINED.sub(hole, expr.replace("{", "{{").replace("}", "}}")))
            self.refs.append(refs)
        keys: dict = {}
        self.keys = [keys.setdefault((t, c), len(keys))
                     for t, c in zip(self.templates, self.checks)]


def find_loops(s: Statements) -> list[tuple[int, int, int, list]]:
    """Runs of repeated blocks, as ``(start, period, repeats, deltas)`` with ``deltas[j]``
    the steps of statement ``j``'s references; disjoint and in program order.

    The periods tried at a statement are the distances to the next :data:`NEXT` equal
    statements and to the next :data:`NEXT` places where the same :data:`WINDOW`
    statements follow it (a lone statement recurs within one step, at each element of a
    matrix); the run covering the most statements wins, so the steps of a traced loop
    are found rather than the rows of one matrix product inside a step. The search
    compares at most :data:`WORK_PER_STATEMENT` statements per statement of the
    program, then keeps the loops found so far."""
    keys = s.keys
    n = len(keys)
    windows = [hash(tuple(keys[i:i + WINDOW])) for i in range(n)]  # equal: checked later
    next_equal = [_next_equal(keys), _next_equal(windows)]
    budget = [WORK_PER_STATEMENT * n]
    loops = []
    i = 0
    while i < n and budget[0] > 0:
        best = None
        for period in sorted({nxt - i for occ, rank in next_equal
                              for nxt in occ[i][rank[i] + 1:rank[i] + 1 + NEXT]}):
            if period > MAX_PERIOD or i + MIN_REPEATS * period > n:
                break
            found = _run_at(s, i, period, budget)
            if found is not None and (best is None or found[0] * found[1] > best[0] * best[1]):
                best = found
        if best is None:
            i += 1
            continue
        loops.append((i, *best))
        i += best[0] * best[1]
    return loops


def _next_equal(items: list) -> tuple[list, list]:
    """Per position, the positions of the items equal to its own (one shared list per
    value), and its rank among them."""
    occurrences: dict = {}
    lists, rank = [], []
    for i, item in enumerate(items):
        occ = occurrences.setdefault(item, [])
        lists.append(occ)
        rank.append(len(occ))
        occ.append(i)
    return lists, rank


def _run_at(s: Statements, start: int, period: int, budget: list):
    """``(period, repeats, deltas)`` of the run of blocks at ``start``, or None; the
    statements compared are taken from ``budget[0]``."""
    keys, refs = s.keys, s.refs
    if any(keys[start + q] != keys[start + period + q] for q in range(min(period, 8))):
        return None  # most positions fail here, before any slice is copied
    budget[0] -= period
    block = keys[start:start + period]
    if keys[start + period:start + 2 * period] != block:
        return None
    # Every block is checked against these steps, so the loop runs exactly the
    # straight-line statements, in their order, on the same values.
    deltas = [[b - a for a, b in zip(refs[start + j], refs[start + period + j])]
              for j in range(period)]
    repeats = 2
    n = len(keys)
    while start + (repeats + 1) * period <= n:
        budget[0] -= period
        base = start + repeats * period
        if keys[base:base + period] != block or not all(
                all(b == a + repeats * d for a, b, d in zip(refs[start + j], refs[base + j],
                                                            deltas[j]))
                for j in range(period)):
            break
        repeats += 1
    return (period, repeats, deltas) if repeats >= MIN_REPEATS else None


def body(s: Statements, loops: list) -> list[str]:
    """The C statements of the whole program, with the ``loops`` of :func:`find_loops`."""
    lines: list[str] = []
    i = 0
    for start, period, repeats, deltas in loops:
        while i < start:
            lines.extend(_statement(s, i, None, "    "))
            i += 1
        lines.append(f"    for (long r = 0; r < {repeats}; r++) {{")
        for j in range(period):
            lines.extend(_statement(s, start + j, (period, deltas[j]), "        "))
        lines.append("    }")
        i = start + period * repeats
    while i < len(s.templates):
        lines.extend(_statement(s, i, None, "    "))
        i += 1
    return lines


def _statement(s: Statements, i: int, loop, indent: str) -> list[str]:
    if loop is None:
        target = f"E[{i}]"
        args = [f"E[{r}]" for r in s.refs[i]]
    else:
        period, deltas = loop
        target = f"E[{i} + {period}*r]"
        args = [f"E[{r}]" if d == 0 else f"E[{r} + {d}*r]" for r, d in zip(s.refs[i], deltas)]
    lines = [f"{indent}{target} = {s.templates[i].format(*args)};"]
    if s.checks[i]:
        lines.append(f"{indent}bad |= !isfinite({target});")
    return lines
