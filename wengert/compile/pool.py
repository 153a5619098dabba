"""Cross-call buffer pool of a compiled program.

A large intermediate array allocated afresh on every call costs more than the
arithmetic that fills it: glibc gives freed large blocks back to the operating system,
and every new array faults its pages in again (a 1e6-element float64 array: ~2-3 ms of
page faults against ~0.2 ms for one ufunc pass over it). So the generated code takes
the buffers of such intermediates from a per-program pool instead::

    def compiled(x0):
        buffers = pool_take()                   # a whole set, for this call only
        buf0, buf1 = buffers
        v4 = fused(x0, k, out=buf0)
        ...
        pool_give(buffers)                      # back to the free list
        return (v9,)

**Which values** (:func:`plan`): the result of an equation that can write into a given
buffer (an ``out=``-taking ufunc or a fused kernel) and would otherwise allocate, of at
least :data:`MIN_BYTES`, such that no value that may share memory with it (its *alias
class*: views of it, values computed by writing into its buffer again, ``+=`` into it) is
an output of the program or is read by a primitive that is not the library's own (a
user's implementation could keep a reference). Values whose lifetimes do not overlap
share a buffer. The fused kernels' own full-size temporaries (their NumPy plan) come from
the pool too (``scratch=``).

**Safety.** A returned array is never a pool buffer nor a view of one, so a later call
never overwrites what a caller holds. Each call takes a whole buffer set from the free
list at its start (or allocates a new one when the list is empty) and gives it back only
when it returns normally: a concurrent call (another thread) or a recursive one gets a
set of its own, and a call that raises simply drops its set. ``take``/``give`` are a
``deque``'s ``pop``/``append`` (atomic).

**Memory.** A pool keeps one set of intermediates alive per concurrently running call,
and at most :data:`MAX_IDLE_SETS` idle sets after the calls return (each the size of the
program's pooled intermediates, at most the sum of their sizes). Each cached program
(``settings.max_specializations`` per jitted function) has its own pool.
``wengert.compile.settings.buffer_pool = False`` turns pooling off for programs compiled
afterwards.
"""

from __future__ import annotations

import collections
import dataclasses

import numpy as np

from ..core.wengert_list import Var, WengertList
from .lowering import scatter_accumulate_p
from .passes.buffer_reuse import is_fresh
from .passes.effects import is_foldable

#: Smallest intermediate (in bytes) taken from the pool: below glibc's mmap threshold
#: (128 KiB) allocations come from the heap without page faults, and ``out=`` would only
#: add work.
MIN_BYTES = 1 << 17
#: Most idle buffer sets a pool keeps (more concurrent calls allocate sets of their own,
#: dropped when they return if the free list is full).
MAX_IDLE_SETS = 4


class BufferPool:
    """Free list of buffer sets for one program: ``take()`` a set (a tuple of empty
    arrays of ``specs``' shapes and dtypes) at call start, ``give(set)`` it back at the
    end."""

    __slots__ = ("specs", "_free")

    def __init__(self, specs: list[tuple[tuple, np.dtype]], max_idle: int = MAX_IDLE_SETS):
        self.specs = tuple((tuple(shape), np.dtype(dtype)) for shape, dtype in specs)
        self._free: collections.deque = collections.deque(maxlen=max_idle)

    def take(self) -> tuple:
        """A buffer set no other call holds: an idle one, else a new one."""
        try:
            return self._free.pop()
        except IndexError:
            return tuple(np.empty(shape, dtype) for shape, dtype in self.specs)

    def give(self, buffers: tuple) -> None:
        """Return a set taken by :meth:`take` (the oldest idle set is dropped when
        ``MAX_IDLE_SETS`` are already idle)."""
        self._free.append(buffers)

    @property
    def idle(self) -> int:
        """Number of idle sets held."""
        return len(self._free)

    @property
    def nbytes(self) -> int:
        """Bytes of one buffer set."""
        return sum(int(np.prod(s)) * d.itemsize for s, d in self.specs)

    def __repr__(self) -> str:
        return f"BufferPool({len(self.specs)} buffers, {self.nbytes} bytes per set)"


@dataclasses.dataclass
class PoolPlan:
    """``slots``: {equation index: buffer number its output is written into};
    ``scratch``: {equation index of a fused kernel: buffer numbers of its temporaries};
    ``specs``: (shape, dtype) of each buffer."""

    slots: dict
    scratch: dict
    specs: list

    def __bool__(self) -> bool:
        return bool(self.specs)


class _Classes:
    """Union-find over variable names: values that may share memory."""

    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


def _nbytes(var: Var) -> int:
    return int(np.prod(var.shape, dtype=np.int64)) * np.dtype(var.dtype).itemsize


def _trusted(eq) -> bool:
    """A reader that keeps no reference to its arguments: a guard, a fused kernel, or a
    primitive implemented by NumPy/``operator``/wengert's namespace (never user code)."""
    if not eq.outs or getattr(eq.primitive, "accepts_out", False):
        return True
    return eq.primitive is scatter_accumulate_p or is_foldable(eq)


def _aliased_arguments(eq) -> list:
    """Arguments whose memory ``eq``'s outputs may share."""
    if is_fresh(eq):
        return []
    if eq.primitive is scatter_accumulate_p:  # writes into its first argument
        return [eq.ins[0]] if isinstance(eq.ins[0], Var) else []
    return [a for a in eq.ins if isinstance(a, Var)]


def plan(wl: WengertList, allocating: dict, reuse: dict, views: dict,
         min_bytes: int | None = None) -> PoolPlan:
    """Pool buffers of ``wl``'s code.

    ``allocating``: {equation index: its output Var} for the equations that take
    ``out=`` and would allocate their result (codegen knows which); ``reuse``:
    {equation index: Var whose buffer it writes into}; ``views``: {equation index: Var
    whose memory its result is written into (a view of it)}. A buffer is shared by
    values whose alias classes' lifetimes do not overlap (same shape and dtype).
    ``min_bytes``: smallest value pooled (default :data:`MIN_BYTES`)."""
    if min_bytes is None:
        min_bytes = MIN_BYTES
    allocating = {i: v for i, v in allocating.items()
                  if v.shape and _nbytes(v) >= min_bytes and not np.dtype(v.dtype).hasobject}
    kernels = [i for i, eq in enumerate(wl.equations)
               if getattr(eq.primitive, "scratch_dtypes", ()) and eq.outs
               and _nbytes(eq.outs[0]) >= min_bytes]
    if not allocating and not kernels:
        return PoolPlan({}, {}, [])
    outs = {o.name for o in wl.outputs if isinstance(o, Var)}
    classes = _Classes()
    for eq in wl.equations:
        for v in eq.outs:
            for a in _aliased_arguments(eq):
                classes.union(v.name, a.name)
    for table in (reuse, views):
        for i, var in table.items():
            classes.union(wl.equations[i].outs[0].name, var.name)
    banned: set = {classes.find(n) for n in outs}
    end: dict[str, int] = {}  # class -> last equation reading or defining a member
    for i, eq in enumerate(wl.equations):
        trusted = _trusted(eq)
        for a in eq.ins:
            if isinstance(a, Var):
                root = classes.find(a.name)
                end[root] = i
                if not trusted:
                    banned.add(root)
        for v in eq.outs:
            root = classes.find(v.name)
            end[root] = max(end.get(root, i), i)
    slots: dict = {}
    specs: list = []
    busy_until: list = []  # buffer number -> last equation using it
    for i in sorted(allocating):
        var = allocating[i]
        root = classes.find(var.name)
        if root in banned:
            continue
        slots[i] = _free_buffer(specs, busy_until, var, i)
        busy_until[slots[i]] = max(busy_until[slots[i]], end.get(root, i))
    scratch: dict = {}
    for i in kernels:
        out = wl.equations[i].outs[0]
        taken = []
        for dt in wl.equations[i].primitive.scratch_dtypes:
            tmp = Var("", tuple(out.shape), np.dtype(dt))
            k = _free_buffer(specs, busy_until, tmp, i, exclude=taken)
            busy_until[k] = max(busy_until[k], i)
            taken.append(k)
        scratch[i] = tuple(taken)
    return PoolPlan(slots, scratch, specs)


def _free_buffer(specs: list, busy_until: list, var: Var, i: int, exclude=()) -> int:
    """A buffer of ``var``'s shape and dtype not in use at equation ``i`` (a new one if
    none)."""
    key = (tuple(var.shape), np.dtype(var.dtype))
    for k, spec in enumerate(specs):
        if spec == key and busy_until[k] < i and k not in exclude:
            return k
    specs.append(key)
    busy_until.append(i)
    return len(specs) - 1
