"""The first sheet of a delivered workbook as records (docs/data-contract.md §2.2).

Read with calamine (a Rust reader pandas supports as an engine): ten times faster than
openpyxl on a tax roll. Real Excel dates arrive as datetimes, numbers as floats, empty
cells as None, and an error cell (``#N/A``, ``#REF!``, ``#DIV/0!``, …) as an
:class:`ExcelError`: calamine gives those as empty cells, so they are looked up in the
sheet's XML (``error_cells``), beside calamine's reading.
"""

from __future__ import annotations

import bisect
import datetime as dt
import posixpath
import re
import zipfile
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from xml.etree import ElementTree

from iku_pipeline.sources import threads
from iku_pipeline.sources.readers import FileFailed, Limits

_CONVERTED = frozenset({str, dt.date})  # what _cell may change; the rest without a call


@dataclass(frozen=True)
class ExcelError:
    """An Excel error cell, as the sheet shows it (``#N/A``). Neither text nor empty:
    the row is kept, and its column rejects it (``columns.py``)."""

    text: str

    def __str__(self) -> str:
        return self.text


def _cell(value):
    """A calamine cell as the rest of the reader expects it: empty -> None, a date-only
    Excel date -> midnight datetime (what openpyxl gives, and what display() shows)."""
    if value == "":
        return None
    if type(value) is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value


def records(path: Path, limits: Limits = Limits()) -> list[tuple[int, list]]:
    """The first sheet's non-empty rows with their sheet row numbers."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # zip, XML or format errors: all mean "not a workbook"
        raise FileFailed(path.name, f"bukan berkas Excel (.xlsx) yang dapat dibuka: {e}") from e
    # On the other core while calamine reads: zlib inflates without the GIL.
    errors = threads.background(error_cells, path)
    try:
        if not workbook.sheet_names:
            raise FileFailed(path.name, "berkas Excel tidak berisi lembar kerja")
        sheet = workbook.get_sheet_by_index(0)
        first_column = sheet.start[1] if sheet.start else 0  # the rows' first cell's
        # Rows come from the sheet's row 1 (row 1 is row 1); empty rows are dropped here,
        # so a used range of a million rows costs one pass.
        found = []
        number = 0
        for number, values in enumerate(sheet.iter_rows(), start=1):
            if values.count("") != len(values):  # a cell not empty (== as != does)
                if len(found) >= limits.max_rows:
                    raise limits.too_many_rows(path.name)
                found.append((number, [_cell(v) if type(v) in _CONVERTED else v for v in values]))
    except FileFailed:
        raise
    except Exception as e:  # a damaged sheet
        raise FileFailed(path.name, f"isi berkas Excel rusak: {type(e).__name__}: {e}") from e
    except BaseException as e:
        # calamine's Rust code panics (pyo3's PanicException, not an Exception) on a
        # cell it cannot convert, e.g. a huge number in a date-formatted cell.
        if type(e).__name__ != "PanicException":
            raise
        raise FileFailed(
            path.name,
            f"sel di baris {number + 1} (atau sesudahnya) tidak dapat dibaca: {e}. Periksa "
            "sel berformat tanggal yang berisi angka sangat besar atau negatif",
        ) from None
    finally:
        workbook.close() if hasattr(workbook, "close") else None
    errors = errors.result()
    if errors:
        found = _with_errors(found, errors, first_column)
        if len(found) > limits.max_rows:
            raise limits.too_many_rows(path.name)
    return found


def _with_errors(found: list, errors: dict[int, dict[int, str]], first_column: int) -> list:
    """The records with each error cell in its place; a row of error cells only (to
    calamine, an empty row) is put back."""
    added = []
    for number, cells_of_row in errors.items():
        at = bisect.bisect_left(found, number, key=itemgetter(0))
        if at < len(found) and found[at][0] == number:
            cells = found[at][1]
        else:
            cells = []
            added.append((number, cells))
        for column, text in cells_of_row.items():
            i = column - first_column  # calamine's range holds its error cells: i >= 0
            if i >= 0:
                cells.extend([None] * (i + 1 - len(cells)))
                cells[i] = ExcelError(text)
    return sorted(found + added, key=itemgetter(0)) if added else found


# ---------------------------------------------------------------- error cells
#
# An error cell is ``<c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c>`` in the sheet's XML:
# ``t="e"`` and its cached text in ``<v>``. The sheet is read a few megabytes at a time;
# only a piece holding ` t="e"` is looked into (most sheets have none: one pass of
# inflating and a substring search). A piece ends before its last cell's start, which
# goes with the next piece, so no error cell is cut in two. An error cell without a
# cached value (never calculated) or without its ``r`` (its place) is left out, as
# calamine leaves it empty.

_CHUNK = 1 << 22
_MARK = b' t="e"'
_ERROR_TAG = re.compile(rb'<(?:\w+:)?c\s[^>]*?\bt="e"[^>]*>')
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")


def error_cells(path: Path) -> dict[int, dict[int, str]]:
    """{sheet row number: {column (0 = A): error text}} of the first sheet's error
    cells. Calamine has opened the workbook; a part it did not need that cannot be read
    here leaves the cells as calamine gave them."""
    try:
        with zipfile.ZipFile(path) as workbook, workbook.open(_first_sheet(workbook)) as sheet:
            return _scan(sheet)
    except Exception:
        return {}


def _first_sheet(workbook: zipfile.ZipFile) -> str:
    """The part of the workbook's first sheet (calamine's sheet 0), through
    ``xl/workbook.xml`` and its relationships."""

    def local(name: str) -> str:
        return name.rsplit("}", 1)[-1]

    book = ElementTree.fromstring(workbook.read("xl/workbook.xml"))
    sheet = next(e for e in book.iter() if local(e.tag) == "sheet")
    rid = next(v for k, v in sheet.attrib.items() if local(k) == "id")
    rels = ElementTree.fromstring(workbook.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels.iter() if r.get("Id") == rid)
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


def _scan(sheet) -> dict[int, dict[int, str]]:
    found: dict[int, dict[int, str]] = {}
    rest = b""
    while True:
        chunk = sheet.read(_CHUNK)
        data = rest + chunk
        cut = len(data) if not chunk else _last_cell_start(data)
        if data.find(_MARK, 0, cut) >= 0:
            _errors_in(data, cut, found)
        rest = data[cut:]
        if not chunk:
            return found


def _last_cell_start(data: bytes) -> int:
    """Where the piece's last cell starts; when none does, its last tag (which may be a
    cell's, cut short). What goes on to the next piece is at most one cell."""
    cut = data.rfind(b"<c ")
    prefixed = data.rfind(b":c ")  # <x:c …>, as some writers name the cells
    if prefixed > cut:
        cut = data.rfind(b"<", 0, prefixed)
    if cut < 0:
        cut = data.rfind(b"<")
    return cut if cut >= 0 else len(data)


def _errors_in(data: bytes, end: int, found: dict[int, dict[int, str]]) -> None:
    for tag in _ERROR_TAG.finditer(data, 0, end):
        ref = _REF.search(tag.group())
        close = _CELL_END.search(data, tag.end(), end)
        if ref is None or tag.group().endswith(b"/>") or close is None:
            continue
        value = _VALUE.search(data, tag.end(), close.start())
        if value is None:
            continue
        letters, row = ref.groups()
        column = 0
        for letter in letters:
            column = column * 26 + letter - 64
        text = value.group(1).decode("utf-8", "replace").strip()
        found.setdefault(int(row), {})[column - 1] = text
