"""Reading one delivered extract into rows (DATA_CONTRACT §1-§2).

One reader for every source: it finds the header row (the first of the first 10 rows
that holds all the source's required columns, by name or alias), maps headers to the
spec's column names, masks personal data, drops blank rows and keeps the row number a
spreadsheet shows. A file it cannot read raises :class:`FileFailed` with a cause in
plain Indonesian.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from iku_pipeline.sources import masking
from iku_pipeline.sources.parsers import is_empty
from iku_pipeline.sources.specs import (
    PERSONAL_HEADER_WORDS,
    PERSONAL_KINDS,
    Kind,
    SourceSpec,
    normalise_header,
)

HEADER_SEARCH_ROWS = 10
EXTENSIONS = (".csv", ".xlsx")
ROW = "_baris"  # row number as a spreadsheet shows it
FILE = "_berkas"  # file name as delivered

csv.field_size_limit(2**31 - 1)

MAX_FILE_MB_ENV = "IKU_MAX_FILE_MB"
MAX_ROWS_ENV = "IKU_MAX_ROWS"


@dataclass(frozen=True)
class Limits:
    """What one delivered file may hold; beyond it the file fails with a clear cause
    instead of exhausting memory. Set by ``IKU_MAX_FILE_MB`` and ``IKU_MAX_ROWS``."""

    max_bytes: int = 2048 * 2**20
    max_rows: int = 20_000_000

    @classmethod
    def from_env(cls) -> "Limits":
        env = os.environ
        return cls(
            max_bytes=int(float(env.get(MAX_FILE_MB_ENV, 2048)) * 2**20),
            max_rows=int(env.get(MAX_ROWS_ENV, 20_000_000)),
        )

    def too_many_rows(self, berkas: str) -> FileFailed:
        return FileFailed(
            berkas,
            f"berkas berisi lebih dari {self.max_rows:,} baris (batas {MAX_ROWS_ENV}); "
            "bagi menjadi beberapa berkas",
        )


class FileFailed(Exception):
    """A delivered file that cannot be read at all (§4): its name and the cause."""

    def __init__(self, berkas: str, sebab: str):
        super().__init__(f"{berkas}: {sebab}")
        self.berkas = berkas
        self.sebab = sebab


@dataclass
class FileRows:
    """The data rows of one file, columns renamed to the spec's names."""

    berkas: str
    frame: pd.DataFrame  # _berkas, _baris, spec columns present, extra columns
    headers: dict[str, str]  # column in frame -> header as written in the file
    order: list[str]  # columns in the file's left-to-right order
    header_row: int
    blank_rows: int = 0
    delimiter: str | None = None
    encoding: str | None = None
    missing_optional: list[str] = field(default_factory=list)


def list_files(folder: Path) -> list[Path]:
    """Every delivered file of a source-year folder, in name order.

    Hidden files and Excel's lock files (``~$...``) are not deliveries.
    """
    if not folder.is_dir():
        return []
    return sorted(
        (p for p in folder.iterdir() if not p.name.startswith((".", "~$")) and not p.is_dir()),
        key=lambda p: p.name,
    )


def read_file(path: Path, spec: SourceSpec, key: bytes, limits: Limits = Limits()) -> FileRows:
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise FileFailed(
            path.name,
            f"berkas berukuran {size / 2**20:,.0f} MB, melebihi batas "
            f"{limits.max_bytes / 2**20:,.0f} MB ({MAX_FILE_MB_ENV})",
        )
    suffix = path.suffix.casefold()
    if suffix == ".csv":
        text, encoding = _decode(path.read_bytes(), path.name)
        # The sniffer's guess first; a title line above the table can fool it, so the
        # other delimiter is tried when no header row is found with the first.
        tried = []
        for delimiter in _delimiters(text):
            records = _parse_csv(text, delimiter, path.name, limits)
            header_idx, mapping = _find_header(records, spec)
            if mapping is not None:
                break
            tried.append(records)
        else:
            # No header either way: explain the failure with the split that came closest
            # (the header row found, missing a column), not with the last one tried.
            records = max(tried, key=lambda r: len(_required_found(r, spec)))
        meta = {"delimiter": delimiter, "encoding": encoding}
    elif suffix == ".xlsx":
        records = _xlsx_records(path, limits)
        header_idx, mapping = _find_header(records, spec)
        meta = {}
    else:
        raise FileFailed(
            path.name,
            f"jenis berkas '{path.suffix or path.name}' tidak dapat dibaca; kirim sebagai "
            ".csv atau .xlsx",
        )
    if mapping is None:
        raise FileFailed(path.name, _missing_header_message(records, spec))
    return _rows_from_records(path.name, records, header_idx, mapping, spec, key, **meta)


# ---------------------------------------------------------------- CSV


def _decode(raw: bytes, berkas: str) -> tuple[str, str]:
    if b"\x00" in raw:
        raise FileFailed(berkas, "berkas bukan teks CSV (berisi data biner)")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as e:
        raise FileFailed(
            berkas, f"pengkodean huruf tidak dikenali (bukan UTF-8 atau Windows-1252): {e}"
        ) from e


def _delimiters(text: str) -> list[str]:
    sample = "\n".join(text.splitlines()[: HEADER_SEARCH_ROWS + 20])
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",;").delimiter
    except csv.Error:
        sniffed = ";" if sample.count(";") > sample.count(",") else ","
    return [sniffed] + [d for d in (",", ";") if d != sniffed]


def _parse_csv(
    text: str, delimiter: str, berkas: str, limits: Limits = Limits()
) -> list[tuple[int, list]]:
    """Records numbered as a spreadsheet shows them (§2): one row per record, so a
    quoted field spanning lines stays in the row it starts on and the next record is
    the next row, not the next physical line. An empty line is an (empty) row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = []
    try:
        for row, fields in enumerate(reader, start=1):
            if row > limits.max_rows:
                raise limits.too_many_rows(berkas)
            records.append((row, fields))
    except csv.Error as e:
        raise FileFailed(berkas, f"CSV rusak di baris {len(records) + 1}: {e}") from e
    return records


# ---------------------------------------------------------------- XLSX


def _cell(value):
    """A calamine cell as the rest of the reader expects it: empty -> None, a date-only
    Excel date -> midnight datetime (what openpyxl gives, and what display() shows)."""
    if value == "":
        return None
    if type(value) is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value


def _xlsx_records(path: Path, limits: Limits = Limits()) -> list[tuple[int, list]]:
    """The first sheet's non-empty rows with their sheet row numbers.

    Read with calamine (a Rust reader pandas supports as an engine): ten times faster
    than openpyxl on a tax roll. Real Excel dates arrive as dates, numbers as floats,
    empty cells as None.
    """
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # zip, XML or format errors: all mean "not a workbook"
        raise FileFailed(path.name, f"bukan berkas Excel (.xlsx) yang dapat dibuka: {e}") from e
    try:
        if not workbook.sheet_names:
            raise FileFailed(path.name, "berkas Excel tidak berisi lembar kerja")
        sheet = workbook.get_sheet_by_index(0)
        # skip_empty_area=False keeps the sheet's own row numbers (row 1 is row 1); empty
        # rows are dropped here, so a used range of a million rows costs one pass.
        records = []
        for number, values in enumerate(sheet.iter_rows(), start=1):
            if any(v != "" for v in values):
                if len(records) >= limits.max_rows:
                    raise limits.too_many_rows(path.name)
                records.append((number, [_cell(v) for v in values]))
    except FileFailed:
        raise
    except Exception as e:  # a damaged sheet
        raise FileFailed(path.name, f"isi berkas Excel rusak: {type(e).__name__}: {e}") from e
    finally:
        workbook.close() if hasattr(workbook, "close") else None
    return records


# ---------------------------------------------------------------- header and rows


def _locate_columns(cells: list, spec: SourceSpec) -> dict[int, str]:
    """Positions of the spec's columns in a candidate header row. A column's own name
    wins over its aliases, and each header cell serves one column."""
    normal = [normalise_header(c) for c in cells]
    taken: dict[int, str] = {}

    def take(column_name: str, header: str) -> bool:
        wanted = normalise_header(header)
        pos = next((i for i, n in enumerate(normal) if n == wanted and i not in taken), None)
        if pos is not None:
            taken[pos] = column_name
        return pos is not None

    unplaced = [c for c in spec.columns if not take(c.name, c.name)]
    for column in unplaced:
        any(take(column.name, alias) for alias in column.aliases)
    return taken


def _header_map(cells: list, spec: SourceSpec) -> dict[int, str] | None:
    """The column positions when the row holds every required column, else None."""
    taken = _locate_columns(cells, spec)
    return taken if set(spec.required) <= set(taken.values()) else None


def _find_header(records: list[tuple[int, list]], spec: SourceSpec):
    for idx, (number, cells) in enumerate(records):
        if number > HEADER_SEARCH_ROWS:  # the first 10 rows as the spreadsheet numbers them
            break
        mapping = _header_map(cells, spec)
        if mapping is not None:
            return idx, mapping
    return None, None


def _required_found(records: list[tuple[int, list]], spec: SourceSpec) -> set[str]:
    """The most required columns any one of the first 10 rows holds."""
    required = set(spec.required)
    found = [
        required & set(_locate_columns(cells, spec).values())
        for number, cells in records
        if number <= HEADER_SEARCH_ROWS
    ]
    return max(found, key=len, default=set())


def _missing_header_message(records: list[tuple[int, list]], spec: SourceSpec) -> str:
    best = _required_found(records, spec)
    if not best:
        return (
            "tidak ditemukan baris judul kolom dalam 10 baris pertama; kolom wajib: "
            + ", ".join(spec.required)
        )
    missing = [c for c in spec.required if c not in best]
    return "baris judul kolom tidak memuat kolom wajib: " + ", ".join(missing)


def _personal_kind_of_extra(header: str) -> Kind | None:
    normal = normalise_header(header)
    for kind, pattern in PERSONAL_HEADER_WORDS.items():
        if pattern.search(normal):
            return kind
    return None


def _rows_from_records(
    berkas: str,
    records: list[tuple[int, list]],
    header_idx: int,
    mapping: dict[int, str],
    spec: SourceSpec,
    key: bytes,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> FileRows:
    header_row, header_cells = records[header_idx]
    data = records[header_idx + 1 :]
    width = max([len(header_cells)] + [len(cells) for _, cells in data])

    names: list[str] = []
    headers: dict[str, str] = {}
    for pos in range(width):
        written = header_cells[pos] if pos < len(header_cells) else None
        written_text = "" if written is None else str(written).strip()
        if pos in mapping:
            name = mapping[pos]
        else:
            name = written_text or f"kolom_{pos + 1}"
            while name in headers or name in spec.names or name in (ROW, FILE):
                name = f"{name}_{pos + 1}"
        names.append(name)
        headers[name] = written_text or name

    rows = [cells + [None] * (width - len(cells)) for _, cells in data]
    # A CSV holds only text: an Arrow string dtype tells the parsers so without looking at
    # each cell, and runs their string methods in Arrow's kernels. An XLSX column may mix
    # text, numbers and dates: object.
    dtype = "string[pyarrow]" if delimiter is not None else object
    frame = pd.DataFrame(rows, columns=names, dtype=dtype) if rows else pd.DataFrame(
        columns=names, dtype=dtype
    )
    frame.insert(0, ROW, pd.array([n for n, _ in data], dtype="int64"))
    frame.insert(0, FILE, berkas)

    # Unnamed columns with nothing in them are layout, not data.
    for name in names:
        if name.startswith("kolom_") and name not in mapping.values():
            if is_empty(frame[name]).all():
                frame = frame.drop(columns=name)
                headers.pop(name)
    order = [n for n in names if n in frame.columns]

    blank = pd.concat([is_empty(frame[c]) for c in order], axis=1).all(axis=1) if order else None
    blank_rows = 0
    if blank is not None and blank.any():
        blank_rows = int(blank.sum())
        frame = frame[~blank]

    # §6: personal data never leaves the reader in clear.
    for name in order:
        kind = (
            spec.column(name).kind
            if name in mapping.values()
            else _personal_kind_of_extra(headers[name])
        )
        if kind in PERSONAL_KINDS:
            masked, hashed = masking.mask_column(frame[name], kind, key)
            frame[name] = masked.astype(object).where(masked.notna(), None)
            frame[f"{name}_hash"] = hashed

    frame = frame.reset_index(drop=True)
    present = set(mapping.values())
    return FileRows(
        berkas=berkas,
        frame=frame,
        headers=headers,
        order=order,
        header_row=header_row,
        blank_rows=blank_rows,
        delimiter=delimiter,
        encoding=encoding,
        missing_optional=[c.name for c in spec.columns if c.name not in present],
    )


