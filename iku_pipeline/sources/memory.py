"""Memory given back to the system between the large pieces of a staging step: the
cycles pandas leaves, and the pages the allocators keep (README "Performance")."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

from iku_pipeline.sources import threads

# Files (and sources) of at least this many rows give their memory back when done.
RELEASE_ROWS = 100_000


def release_memory() -> None:
    """Give the memory of a large file's work back to the system before the next file.

    pandas' ``.str`` and ``.dt`` accessors refer back to their Series, so intermediate
    columns (a file's raw cells among them) sit in reference cycles until Python's
    cycle collector runs; a collection frees them now (about 0.1 s, hence only after
    large files). Arrow's allocator (mimalloc) and glibc's then keep the freed pages for
    reuse: between files of millions of rows they would otherwise hold a gigabyte or
    more that the process no longer uses. (``malloc_trim`` is glibc's; elsewhere it is
    skipped.)
    """
    gc.collect()
    give_back()


def give_back() -> None:
    """``release_memory`` without the cycle collection: the pages the allocators keep
    after large arrays were let go (within a file's work, between its steps)."""
    threads.release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _glibc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_LIBC = _glibc()
