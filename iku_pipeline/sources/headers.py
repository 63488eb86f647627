"""The header row of a delivered file and the layout it is read in (docs/data-contract.md §2,
§9).

The header row is the first of the first 10 rows (as a spreadsheet numbers them) that
holds every required column of a layout of the source: the contract's own, or another
one the source declares (``SourceSpec.layouts``: SISMIOP's exports of the PBB unit). The
contract's layout is tried first; a row holding one of another layout's ``unless``
columns (SISMIOP: ``nop``) is never that layout's header. Header cells are compared as
§2 folds them; a column's own name wins over another's alias, and a cell serves one
column only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from iku_pipeline.model import FILE, ROW
from iku_pipeline.sources.specs import (
    NOT_A_NAME_WORDS,
    NOT_PERSONAL_HEADERS,
    PERSON_HEADER_WORDS,
    PERSONAL_HEADER_WORDS,
    Kind,
    Layout,
    SourceSpec,
    normalise_header,
)

HEADER_SEARCH_ROWS = 10
_NOT_A_WORD = re.compile(r"[\W_]+")  # what separates a header's words (§6)

Records = list[tuple[int, list]]  # (row number as a spreadsheet shows it, cells)


@dataclass(frozen=True)
class Header:
    """A file's header row: its position among the records, the layout it says the file
    is in (None: the contract's) and the column each header cell is."""

    index: int
    layout: Layout | None
    mapping: dict[int, str]

    def columns(self, spec: SourceSpec) -> SourceSpec | Layout:
        """The table of columns the file is read by."""
        return self.layout if self.layout is not None else spec


def _locate(normal: list[str], layout: SourceSpec | Layout) -> dict[int, str]:
    """Positions of a layout's columns among header cells (already folded)."""
    taken: dict[int, str] = {}

    def take(column_name: str, header: str) -> bool:
        wanted = normalise_header(header)
        pos = next((i for i, n in enumerate(normal) if n == wanted and i not in taken), None)
        if pos is not None:
            taken[pos] = column_name
        return pos is not None

    unplaced = [c for c in layout.columns if not take(c.name, c.name)]
    for column in unplaced:
        any(take(column.name, alias) for alias in column.aliases)
    return taken


def _candidates(cells: list, spec: SourceSpec):
    """(layout, columns located, the contract column that rules the layout out) of a
    row, for the contract's layout and then each other one."""
    normal = [normalise_header(c) for c in cells]
    contract = _locate(normal, spec)
    yield spec, contract, None
    for layout in spec.layouts:
        blocked = next((u for u in layout.unless if u in contract.values()), None)
        yield layout, _locate(normal, layout), blocked


def _header_rows(records: Records):
    for idx, (number, cells) in enumerate(records):
        if number > HEADER_SEARCH_ROWS:  # the first 10 rows as the spreadsheet numbers them
            break
        yield idx, cells


def find_header(records: Records, spec: SourceSpec) -> Header | None:
    """The header row and its layout, or None when no row of the first 10 is one."""
    for idx, cells in _header_rows(records):
        for layout, taken, blocked in _candidates(cells, spec):
            if blocked is None and set(layout.required) <= set(taken.values()):
                return Header(idx, None if layout is spec else layout, taken)
    return None


def _closest(records: Records, spec: SourceSpec):
    """(share of required columns found, layout, columns found, the contract column that
    ruled out a layout whose columns the row holds) of the row that came closest to a
    header."""
    best = (0.0, spec, set(), None)
    blocked_by = None
    for _, cells in _header_rows(records):
        for layout, taken, blocked in _candidates(cells, spec):
            found = set(layout.required) & set(taken.values())
            if blocked is not None:
                if found == set(layout.required):
                    blocked_by = blocked_by or (blocked, layout)
                continue
            share = len(found) / len(layout.required)
            if share > best[0]:
                best = (share, layout, found, None)
    return (*best[:3], blocked_by)


def closeness(records: Records, spec: SourceSpec) -> float:
    """How near the nearest row comes to a header row (share of required columns)."""
    return _closest(records, spec)[0]


def missing_header_message(records: Records, spec: SourceSpec) -> str:
    """Why no header row was found, naming what the nearest row lacks."""
    share, layout, found, blocked_by = _closest(records, spec)
    if not share:
        message = (
            "tidak ditemukan baris judul kolom dalam 10 baris pertama; kolom wajib: "
            + ", ".join(spec.required)
        )
        for other in spec.layouts:
            message += f" (atau, untuk ekspor {other.name}: {', '.join(other.required)})"
        return message
    missing = [c for c in layout.required if c not in found]
    what = "baris judul kolom" if layout is spec else f"baris judul kolom ekspor {layout.name}"
    message = f"{what} tidak memuat kolom wajib: " + ", ".join(missing)
    if blocked_by is not None and layout is spec:
        column, other = blocked_by
        message += (
            f" (berkas memuat kolom {column}, maka dibaca dengan susunan kolom kontrak, "
            f"bukan susunan ekspor {other.name})"
        )
    return message


def personal_kind_of_extra(header: str) -> Kind | None:
    """§6: an extra column whose header names personal data is masked as that kind: an
    identity number as a NIK; a name (``nama``, or a person such as ``Pemohon`` without
    another of their details named, the office's staff included) as a name; not the name
    of a place or a thing (``specs.NOT_PERSONAL_HEADERS``)."""
    words = " ".join(_NOT_A_WORD.sub(" ", normalise_header(header)).split())
    if PERSONAL_HEADER_WORDS[Kind.NIK].search(words):
        return Kind.NIK
    if NOT_PERSONAL_HEADERS.fullmatch(words):
        return None
    if PERSONAL_HEADER_WORDS[Kind.NAMA].search(words):
        return Kind.NAMA
    if PERSON_HEADER_WORDS.search(words) and not NOT_A_NAME_WORDS.search(words):
        return Kind.NAMA
    return None


def column_names(
    header_cells: list, width: int, header: Header, spec: SourceSpec
) -> tuple[list[str], dict[str, str]]:
    """The frame's name for each of ``width`` columns, and the header each had. An extra
    column is named by its header, never by a name of the contract's or the layout's
    columns."""
    reserved = spec.names | header.columns(spec).names | {ROW, FILE}
    names: list[str] = []
    headers: dict[str, str] = {}
    for pos in range(width):
        written = header_cells[pos] if pos < len(header_cells) else None
        written_text = "" if written is None else str(written).strip()
        if pos in header.mapping:
            name = header.mapping[pos]
        else:
            name = written_text or f"kolom_{pos + 1}"
            while name in headers or name in reserved:
                name = f"{name}_{pos + 1}"
        names.append(name)
        headers[name] = written_text or name
    return names, headers
