"""Keys compared at scale (docs/data-contract.md §4): membership, duplicates and
uniqueness of a column of keys without a Python string per row. NOPs (18 ASCII
digits) go by sorted int64, other keys by Arrow's hashing and sorting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from iku_pipeline.sources.parsers import arrow


def _arrow_of(text) -> pa.Array | pa.ChunkedArray:
    """Text given as Arrow, or a Series of Arrow text, as Arrow."""
    return text if isinstance(text, (pa.Array, pa.ChunkedArray)) else arrow(text)


def nop_numbers(text) -> np.ndarray | None:
    """Keys as int64 when every one is exactly 18 ASCII digits (NOPs), else None.

    For such keys the number is exact (18 digits stay below 2**63) and equal numbers mean
    equal texts, so membership and duplicates can be decided on int64, several times
    faster than hashing text. (Never float64: 18 digits would collide.)
    """
    cells = _arrow_of(text)
    if len(cells) == 0 or cells.null_count:
        return None
    lengths = pc.min_max(pc.binary_length(cells))
    if lengths["min"].as_py() != 18 or lengths["max"].as_py() != 18:
        return None
    if not pc.all(pc.ascii_is_decimal(cells)).as_py():
        return None
    return pc.cast(cells, pa.int64()).to_numpy(zero_copy_only=False)


_PACK_STEP = 1 << 20  # positions packed this many at a time (no full-length temporary)


def sorted_with_order(
    numbers: np.ndarray, overwrite: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """``(numbers[order], order)`` with ``order = np.argsort(numbers, kind="stable")``, for
    int64 numbers, about twice as fast at millions of rows.

    When the numbers' spread (largest minus smallest) and their positions fit in 64 bits
    together, as a kecamatan's NOPs do (their first seven digits are the kecamatan's:
    37 bits of spread, 24 of position for ten million), each number's offset from the
    smallest is packed above its position into one uint64 and only these are sorted: a
    plain sort, vectorised, instead of an argsort and a gather; equal numbers stay in
    position order, as a stable sort leaves them. Otherwise, the argsort itself.
    ``overwrite``: ``numbers`` may be packed in place when it is writable (the caller
    no longer needs it): one full-length array less.
    """
    n = len(numbers)
    if n < 2:
        return numbers.copy(), np.arange(n, dtype=np.int64)
    lo, hi = int(numbers.min()), int(numbers.max())
    bits = (n - 1).bit_length()
    if hi - lo >= 1 << (64 - bits):
        order = np.argsort(numbers, kind="stable")
        return numbers[order], order
    # Two's complement: the offset below wraps right.
    if overwrite and numbers.flags.writeable and numbers.dtype == np.int64:
        packed = numbers.view(np.uint64)
    else:
        packed = numbers.astype(np.uint64)
    packed -= np.uint64(lo % 2**64)
    packed <<= np.uint64(bits)
    for start in range(0, n, _PACK_STEP):
        packed[start : start + _PACK_STEP] |= np.arange(
            start, min(n, start + _PACK_STEP), dtype=np.uint64
        )
    packed.sort()
    ranked = (packed >> np.uint64(bits)).view(np.int64)
    ranked += np.int64(lo)  # wraps back to the numbers, negative ones included
    packed &= np.uint64((1 << bits) - 1)
    return ranked, packed.view(np.int64)


# Up to this many known keys (half a megabyte of int64: the processor's cache) a lookup
# searches them directly; beyond it the lookups are sorted first, so neighbouring
# lookups touch neighbouring memory.
_SMALL_KEYS = 1 << 16


def sorted_search(known: np.ndarray, numbers: np.ndarray, positions: bool = True):
    """For each of ``numbers``: whether it is in the sorted ``known``, and (``positions``)
    its position there, meaningful where found: ``(found, at)``."""
    if not len(known):
        return np.zeros(len(numbers), dtype=bool), np.zeros(len(numbers), dtype=np.intp)
    if len(known) <= _SMALL_KEYS:
        at = np.minimum(np.searchsorted(known, numbers), len(known) - 1)
        return known[at] == numbers, at
    ranked, order = sorted_with_order(numbers)
    at_ranked = np.searchsorted(known, ranked)
    np.minimum(at_ranked, len(known) - 1, out=at_ranked)
    found = np.empty(len(numbers), dtype=bool)
    found[order] = known[at_ranked] == ranked
    del ranked
    at = None
    if positions:
        at = np.empty(len(numbers), dtype=at_ranked.dtype)
        at[order] = at_ranked
    return found, at


class KeySet:
    """Exact lookups in a fixed list of text keys, prepared once for many lookups.

    NOPs (every key 18 ASCII digits) are held as sorted int64; other keys are looked up
    by Arrow hashing (pandas' own ``isin`` on Arrow text walks the values in Python).
    """

    def __init__(self, known):
        cells = _arrow_of(known)
        self._count = len(cells)
        numbers = nop_numbers(cells)
        if numbers is not None:
            self._numbers, self._order = sorted_with_order(numbers)
        else:
            self._numbers = None
            self._text = cells.combine_chunks() if isinstance(cells, pa.ChunkedArray) else cells
            self._text = self._text.cast(pa.large_string())

    def extended(self, more) -> KeySet:
        """This list with ``more`` appended (positions run on into ``more``). NOPs are
        merged into the sorted list; other keys are concatenated."""
        cells = _arrow_of(more)
        numbers = nop_numbers(cells) if self._numbers is not None else None
        if numbers is None and len(cells):
            known = pa.chunked_array([self._known_text(), *_chunks(cells)], type=pa.large_string())
            return KeySet(known)
        if numbers is None:  # nothing to add
            return self
        joined = KeySet.__new__(KeySet)
        joined._count = self._count + len(cells)
        # Two sorted runs: a stable sort merges them in linear time.
        ranked, order = sorted_with_order(numbers)
        merged = np.concatenate([self._numbers, ranked])
        order = np.concatenate([self._order, order + self._count])
        del ranked
        by = np.argsort(merged, kind="stable")
        joined._numbers, joined._order = merged[by], order[by]
        return joined

    def _known_text(self) -> pa.Array:
        if self._numbers is None:
            return self._text
        texts = np.empty(self._count, dtype=object)
        texts[self._order] = [f"{n:018d}" for n in self._numbers]
        return pa.array(texts, type=pa.large_string())

    def positions(self, text) -> np.ndarray:
        """For each of ``text``, the position of an equal key in the known list, or -1
        (empty cells: -1)."""
        cells = _arrow_of(text)
        if self._numbers is None:
            at = pc.index_in(cells.cast(pa.large_string()), value_set=self._text, skip_nulls=True)
            return pc.fill_null(at, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        where = np.full(len(cells), -1, dtype=np.int64)
        if not len(self._numbers) or not len(cells):
            return where
        numbers = nop_numbers(cells)
        if numbers is not None:  # NOPs all: no text to set aside
            fits = np.ones(len(cells), dtype=bool)
        else:  # only an 18-digit text can equal an 18-digit key: the rest stay -1
            fits = pc.and_(pc.equal(pc.binary_length(cells), 18), pc.ascii_is_decimal(cells))
            fits = pc.fill_null(fits, False).to_numpy(zero_copy_only=False)
            numbers = pc.cast(pc.filter(cells, fits), pa.int64()).to_numpy(zero_copy_only=False)
        # In a list of millions, looked up in sorted order: neighbouring lookups touch
        # neighbouring memory, several times faster than random ones (``sorted_search``).
        found, at = sorted_search(self._numbers, numbers)
        where[fits] = np.where(found, self._order[at], -1)
        return where

    def contains(self, text) -> np.ndarray:
        """Which of ``text`` are in the set; empty cells: False."""
        return self.positions(text) >= 0


def _chunks(cells) -> list[pa.Array]:
    return cells.chunks if isinstance(cells, pa.ChunkedArray) else [cells]


def is_in(text, known) -> np.ndarray:
    """Which texts are among ``known`` (exact); empty: False."""
    return KeySet(known).contains(text)


def duplicated(text) -> np.ndarray:
    """``Series.duplicated(keep="first")`` of text without a Python string per row.
    Empty cells are never duplicates.

    NOPs go by int64 through a stable sort (the first of equal keys stays first). Other
    text is factorised (Arrow's dictionary encoding), whose codes number the distinct
    values in order of first appearance: a row is a first occurrence exactly when its
    code exceeds every code before it.
    """
    cells = _arrow_of(text)
    n = len(cells)
    numbers = nop_numbers(cells)
    if numbers is not None:
        ranked, order = sorted_with_order(numbers)
        dup = np.zeros(n, dtype=bool)
        dup[order[1:]] = ranked[1:] == ranked[:-1]
        return dup
    if n == 0:
        return np.zeros(0, dtype=bool)
    codes, _ = pd.factorize(pd.Series(pd.arrays.ArrowStringArray(cells)), use_na_sentinel=True)
    seen = np.maximum.accumulate(np.concatenate(([-1], codes[:-1])))
    return (codes <= seen) & (codes >= 0)


def all_distinct(text) -> bool:
    """Whether no text occurs twice (empty cells aside), by sorting: hashing ten million
    distinct keys in Arrow takes twice the memory of sorting them."""
    cells = _arrow_of(text)
    if len(cells) < 2:
        return True
    numbers = nop_numbers(cells)
    if numbers is not None:
        numbers = np.sort(numbers)
        return not (numbers[1:] == numbers[:-1]).any()
    ranked = pc.take(cells, pc.sort_indices(cells))
    ranked = ranked.combine_chunks() if isinstance(ranked, pa.ChunkedArray) else ranked
    same = pc.equal(ranked.slice(1), ranked.slice(0, len(ranked) - 1))
    return not pc.any(same).as_py()
