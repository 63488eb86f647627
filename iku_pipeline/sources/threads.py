"""Threads for the work inside one staging step that can use the machine's other core.

Arrow's compute kernels, numpy's sorts and hashlib release the GIL, so independent
pieces of one file's work (its columns, its checksum, the referenced keys) run side by
side on threads. Two helper threads, each used flat (work given to one never waits for
other work of the same one):

- ``background`` runs work beside a step's own (queued work runs in order, so a step
  never holds more than one such piece of work's memory at a time);
- ``each`` shares a list of items between the calling thread and a helper thread.

The threads are started when first used, in each process: a process forked from one
that used them (a multiprocess run's step) starts its own instead of inheriting pools
whose threads did not survive the fork.

Arrow's allocator (mimalloc) keeps freed pages per thread: ``release_unused`` gives back
the pages of every thread that works here, not only the caller's.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import pyarrow as pa

T = TypeVar("T")
R = TypeVar("R")

_POOLS: dict[str, ThreadPoolExecutor] = {}
_CREATING = threading.Lock()  # two threads asking at once still get one pool


def _forget() -> None:
    """In a forked child: no pool (their threads did not survive the fork), and a lock
    no thread of the parent can be holding."""
    global _CREATING
    _POOLS.clear()
    _CREATING = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget)


def _pool(name: str) -> ThreadPoolExecutor:
    pool = _POOLS.get(name)
    if pool is None:
        with _CREATING:
            pool = _POOLS.get(name)
            if pool is None:
                pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"iku-{name}")
                _POOLS[name] = pool
    return pool


def background(work: Callable[..., R], *args) -> Future:
    """``work(*args)`` on the background thread, after what was queued before it."""
    return _pool("background").submit(work, *args)


# Below this many rows an item's work is mostly Python (pandas' and Arrow's wrapping),
# which holds the GIL: handing it to the helper thread costs more than it saves. The
# staging's other small-input paths (a file's columns framed at once, a source's parts
# joined by one concat) use the same bound, for the same reason.
SHARED_ROWS = 20_000


def each(work: Callable[[T], R], items: Iterable[T], rows: int | None = None) -> list[R]:
    """``[work(item) for item in items]``, the items worked on two at a time: every
    second one by the helper thread, the others by the caller. (Each item's memory is
    what it would be one after the other: only the order of the work changes.) Items
    of fewer than ``SHARED_ROWS`` ``rows`` are all worked on by the caller."""
    items = list(items)
    if len(items) < 2 or (rows is not None and rows < SHARED_ROWS):
        return [work(item) for item in items]
    helper = _pool("helper")
    helped = [helper.submit(work, item) for item in items[1::2]]
    own = [work(item) for item in items[0::2]]
    out: list = [None] * len(items)
    out[0::2] = own
    out[1::2] = [future.result() for future in helped]
    return out


def release_unused() -> None:
    """Give back the pages Arrow's allocator keeps for reuse, on this thread and on the
    helper threads (each keeps its own)."""
    pool = pa.default_memory_pool()
    for helper in list(_POOLS.values()):
        helper.submit(pool.release_unused).result()
    pool.release_unused()
