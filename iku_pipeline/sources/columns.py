"""A file's columns parsed by their kind and checked by their own rules
(docs/data-contract.md §2-§4): the typed values, and per column the reasons of its failing cells.

The validator (``validate.py``) runs this on the columns of the layout a file is read in
(the contract's, or another one of §9); what a column may hold is its ``Column`` of
``specs.py``. Within one column, the first reason found is kept, in the order of §4.2:
the value cannot be read; a required cell is empty; the column's range rule; the date
outside the partition year (or the year not the partition year).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from itertools import repeat

import numpy as np
import pandas as pd

from iku_pipeline.model import Wilayah
from iku_pipeline.sources import parsers
from iku_pipeline.sources.specs import Column, Kind
from iku_pipeline.sources.threads import SHARED_ROWS
from iku_pipeline.sources.xlsx import ExcelError

NONE = pd.Series(dtype=object)  # no reasons

# Kinds parsed once per distinct value (a column of 10M dates holds a few hundred
# distinct texts): the cells are factorised, the parser sees the distinct values, and
# values and reasons are taken back by code. Keys, NOPs and free text are nearly all
# distinct, and their parsers are single Arrow kernels, so they are parsed as they are.
_BY_DISTINCT = frozenset(
    {Kind.DATE, Kind.RUPIAH, Kind.NUMBER, Kind.WHOLE, Kind.YEAR, Kind.KELURAHAN, Kind.STATUS,
     Kind.HASIL, Kind.CODE}
)  # fmt: skip


def _parse(column: Column, cells: pd.Series, wilayah: Wilayah) -> parsers.Parsed:
    label = column.name
    match column.kind:
        case Kind.DATE:
            return parsers.parse_date(cells)
        case Kind.RUPIAH:
            return parsers.parse_rupiah(cells, label)
        case Kind.NUMBER:
            return parsers.parse_number(cells, label)
        case Kind.WHOLE:
            return parsers.parse_whole(cells, label)
        case Kind.YEAR:
            return parsers.parse_year(cells, label)
        case Kind.KELURAHAN:
            return parsers.parse_kelurahan(cells, wilayah)
        case Kind.NOP:
            return parsers.parse_nop(cells)
        case Kind.CODE:
            return parsers.parse_code(cells, label, column.width)
        case Kind.STATUS:
            return parsers.parse_status(cells)
        case Kind.HASIL:
            return parsers.parse_hasil(cells)
        case Kind.KEY:
            return parsers.parse_key(cells, label)
        case _:  # TEXT and the already-masked personal columns
            text = parsers.as_text(cells)
            none = np.full(len(cells), None, dtype=object)  # not a list: 0.3 s for 2.5M rows
            return parsers.Parsed(text, pd.Series(none, index=cells.index))


def _sparse(errors: pd.Series) -> pd.Series:
    """Only the reasons (the failing cells), indexed by row."""
    return errors[errors.notna()].astype(object)


def taken(values: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """``values`` (one per distinct cell) taken back to the rows; code -1 is empty."""
    return pd.Series(values.array.take(codes, allow_fill=True), index=index, name=values.name)


def _factorize(cells: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(code per cell, -1 where empty; the distinct cells). An XLSX column may mix text,
    numbers and dates: its cells are told apart by type too, so ``1``, ``1.0`` and
    ``True`` (equal in Python) stay three values, each shown as the sheet shows it."""
    if parsers.is_text(cells):
        codes, uniques = pd.factorize(cells, use_na_sentinel=True)
        return codes, pd.Series(uniques, dtype=cells.dtype)
    values = cells.to_numpy(dtype=object)
    present = ~pd.isna(values)
    typed = np.full(len(values), None, dtype=object)
    kept = values[present]
    typed[present] = np.fromiter(
        zip(map(type, kept), kept), dtype=object, count=len(kept)  # (type, cell) pairs
    )
    codes, uniques = pd.factorize(typed, use_na_sentinel=True)
    return codes, pd.Series([v for _, v in uniques], dtype=object)


def _excel_errors(column: Column, cells: pd.Series) -> pd.Series:
    """Reasons of an XLSX column's error cells (``#N/A``, ``#REF!``, …), whatever the
    column's kind: a formula that failed gives no value, not even text."""
    if cells.dtype != object:  # every CSV column
        return NONE
    values = cells.to_numpy()
    found = np.fromiter(map(isinstance, values, repeat(ExcelError)), dtype=bool, count=len(values))
    if not found.any():
        return NONE
    reasons = [f"{column.name} berisi galat Excel {v}" for v in values[found]]
    return pd.Series(reasons, index=cells.index[found], dtype=object)


def _parse_column(
    column: Column, cells: pd.Series, wilayah: Wilayah
) -> tuple[pd.Series, pd.Series]:
    """(parsed values, reasons of the cells that failed to parse)."""
    values, reasons = _parsed(column, cells, wilayah)
    return values, first_of(_excel_errors(column, cells), reasons)


def _parsed(column: Column, cells: pd.Series, wilayah: Wilayah) -> tuple[pd.Series, pd.Series]:
    if column.kind in _BY_DISTINCT and (parsers.is_text(cells) or cells.dtype == object):
        codes, uniques = _factorize(cells)
        parsed = _parse(column, uniques, wilayah)
        bad = parsed.errors.notna().to_numpy()
        where = np.full(len(uniques) + 1, -1, dtype=np.int64)  # [-1] for empty cells
        where[: len(uniques)][bad] = np.arange(int(bad.sum()))
        row_where = where[codes]
        failing = np.flatnonzero(row_where >= 0)
        reasons = pd.Series(
            parsed.errors.to_numpy()[bad][row_where[failing]],
            index=cells.index[failing],
            dtype=object,
        )
        return taken(parsed.values, codes, cells.index), reasons
    parsed = _parse(column, cells, wilayah)
    return parsed.values, _sparse(parsed.errors)


def absent(column: Column, index: pd.Index, wilayah: Wilayah) -> pd.Series:
    """The typed values of a column the file does not have: all empty."""
    return taken(_empty_value(column, wilayah), np.full(len(index), -1, dtype=np.intp), index)


@functools.lru_cache(maxsize=256)
def _empty_value(column: Column, wilayah: Wilayah) -> pd.Series:
    # An empty cell parsed once per column and kelurahan table (a parser's calls cost
    # more than a small file's rows); only read, by ``taken``, never changed.
    return _parse(column, pd.Series([None], dtype=object), wilayah).values


def reasons(mask: pd.Series, cells: pd.Series, say: Callable[[str], str]) -> pd.Series:
    """A reason for each row where ``mask`` holds, quoting the cell as the clerk sees it."""
    rows = mask.index[mask.fillna(False).to_numpy(dtype=bool)]
    return pd.Series([say(parsers.display(v)) for v in cells.loc[rows]], index=rows, dtype=object)


def first_of(*found: pd.Series) -> pd.Series:
    """Per row, the first reason given (earlier arguments win)."""
    given = [r for r in found if len(r)]
    if not given:
        return pd.Series(dtype=object)
    if len(given) == 1:
        return given[0]
    joined = pd.concat(given)
    return joined[~joined.index.duplicated(keep="first")]


def _rule_errors(column: Column, values: pd.Series, cells: pd.Series, tahun: int) -> pd.Series:
    """Reasons of a column's own rules (range, inside the year), on parsed values."""
    found = []
    if column.positive:
        found.append(reasons(values <= 0, cells, lambda v: f"{column.name} {v} harus lebih dari 0"))
    if column.min_value is not None:
        if column.min_value == 0:
            say = lambda v: f"{column.name} {v} tidak boleh negatif"  # noqa: E731
        else:
            say = lambda v: f"{column.name} {v} harus paling sedikit {column.min_value:g}"  # noqa: E731
        found.append(reasons(values < column.min_value, cells, say))
    if column.in_year:
        outside = values.notna() & values.dt.year.ne(tahun)
        found.append(reasons(outside, cells, lambda v: f"tanggal {v} di luar tahun {tahun}"))
    if column.is_year:
        other = values.notna() & values.ne(tahun)
        found.append(reasons(other, cells, lambda v: f"{column.name} {v} bukan tahun {tahun}"))
    return first_of(*found)


def parse_columns(
    frame: pd.DataFrame, columns: Iterable[Column], tahun: int, wilayah: Wilayah
) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """A file's parsed values of ``columns`` (all empty where the file lacks one) and,
    per column it has, the reasons of its failing cells."""
    # A small file's columns are framed at once (each column set into a frame costs
    # more than parsing it); a large file's one by one, each without a copy.
    values: dict[str, pd.Series] | pd.DataFrame = {}
    if len(frame) >= SHARED_ROWS:
        values = pd.DataFrame(index=frame.index)
    errors: dict[str, pd.Series] = {}
    for column in columns:
        if column.name not in frame:
            values[column.name] = absent(column, frame.index, wilayah)
            continue
        cells = frame[column.name]
        parsed, found = _parse_column(column, cells, wilayah)
        found = [found]
        if column.required and column.kind is not Kind.STATUS:
            empty = parsers.is_empty(cells)
            found.append(
                pd.Series(
                    f"{column.name} wajib diisi tetapi kosong",
                    index=frame.index[empty.to_numpy(dtype=bool)],
                    dtype=object,
                )
            )
        found.append(_rule_errors(column, parsed, cells, tahun))
        values[column.name] = parsed
        errors[column.name] = first_of(*found)
    if isinstance(values, dict):
        values = pd.DataFrame(values, index=frame.index)
    return values, errors
