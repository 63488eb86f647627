"""Reading one delivered extract into rows (docs/data-contract.md §1-§2, §9).

One reader for every source: it finds the header row and the layout the file is in
(``headers.py``: the first of the first 10 rows that holds all the required columns of
the contract's layout, or of another layout of the source, by name or alias), maps
headers to that layout's column names, masks personal data, drops blank rows and keeps
the row number a spreadsheet shows. A file it cannot read raises :class:`FileFailed`
with a cause in plain Indonesian.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from iku_pipeline.model import KEY
from iku_pipeline.sources import masking, threads
from iku_pipeline.sources.headers import (
    HEADER_SEARCH_ROWS,
    Header,
    closeness,
    column_names,
    find_header,
    missing_header_message,
    personal_kind_of_extra,
)
from iku_pipeline.sources.parsers import empty_cells
from iku_pipeline.sources.specs import Kind, Layout, SourceSpec

EXTENSIONS = (".csv", ".xlsx")
ROW = "_baris"  # row number as a spreadsheet shows it
FILE = "_berkas"  # file name as delivered

csv.field_size_limit(2**31 - 1)

# How much of a CSV's start is read (first try, second try) to find its header row.
HEAD_BYTES = (64 * 2**10, 2**20)
ARROW_BLOCK_BYTES = 16 * 2**20  # Arrow's CSV reader parses a file in blocks of this size
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")  # Python's cp1252 fails on these

@dataclass(frozen=True)
class Limits:
    """What one delivered file may hold; beyond it the file fails with a clear cause
    instead of exhausting memory (settings ``IKU_MAX_FILE_MB``, ``IKU_MAX_ROWS``)."""

    max_bytes: int = 2048 * 2**20
    max_rows: int = 20_000_000

    def too_many_rows(self, berkas: str) -> FileFailed:
        return FileFailed(
            berkas,
            f"berkas berisi lebih dari {self.max_rows:,} baris (batas IKU_MAX_ROWS); "
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
    layout: Layout | None = None  # the layout the file is in (§9); None: the contract's


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


def read_file(
    path: Path, spec: SourceSpec, key: bytes, limits: Limits = Limits(), *, fast_csv: bool = True
) -> FileRows:
    """The rows of one delivered file, or :class:`FileFailed`.

    A CSV is read with Arrow's CSV reader where that gives exactly what Python's csv
    module gives (see ``_read_csv_arrow``), else with the csv module. ``fast_csv=False``
    reads with the csv module only: the reference the Arrow reading is tested against.
    """
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise FileFailed(
            path.name,
            f"berkas berukuran {size / 2**20:,.0f} MB, melebihi batas "
            f"{limits.max_bytes / 2**20:,.0f} MB (IKU_MAX_FILE_MB)",
        )
    suffix = path.suffix.casefold()
    if suffix == ".csv":
        rows = _read_csv_arrow(path, spec, key, limits) if fast_csv else None
        if rows is not None:
            return rows
        text, encoding = _decode(path.read_bytes(), path.name)
        # The sniffer's guess first; a title line above the table can fool it, so the
        # other delimiter is tried when no header row is found with the first.
        tried = []
        for delimiter in _delimiters(text):
            records, unclosed = _parse_csv(text, delimiter, path.name, limits)
            header = find_header(records, spec)
            if header is not None:
                break
            tried.append((records, unclosed))
        else:
            # No header either way: explain the failure with the split that came closest
            # (the header row found, missing a column), not with the last one tried.
            records, unclosed = max(tried, key=lambda r: closeness(r[0], spec))
        if unclosed is not None:  # §4: a corrupt file, its rest never one cell of a row
            raise FileFailed(path.name, f'tanda kutip (") di baris {unclosed} tidak pernah '
                             "ditutup: sisa berkas terbaca sebagai satu sel")  # fmt: skip
        meta = {"delimiter": delimiter, "encoding": encoding}
    elif suffix == ".xlsx":
        from iku_pipeline.sources import xlsx  # here: xlsx.py raises this module's FileFailed

        records = xlsx.records(path, limits)
        header = find_header(records, spec)
        meta = {}
    else:
        raise FileFailed(
            path.name,
            f"jenis berkas '{path.suffix or path.name}' tidak dapat dibaca; kirim sebagai "
            ".csv atau .xlsx",
        )
    if header is None:
        raise FileFailed(path.name, missing_header_message(records, spec))
    return _rows_from_records(path.name, records, header, spec, key, **meta)


# ---------------------------------------------------------------- CSV


def _decode(raw: bytes, berkas: str) -> tuple[str, str]:
    if b"\x00" in raw:
        raise FileFailed(berkas, "berkas bukan teks CSV (berisi data biner)")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    # A UTF-8 file spoilt by one byte is read as Windows-1252: its BOM is dropped still
    # (as "ï»¿" it would spoil the first header).
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return codecs.decode(memoryview(raw)[bom:], "cp1252"), "windows-1252"
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


_END = "\ufdd0akhir"  # the line _parse_csv puts after a text (any would do)


def _parse_csv(
    text: str, delimiter: str, berkas: str, limits: Limits = Limits()
) -> tuple[list[tuple[int, list]], int | None]:
    """Records numbered as a spreadsheet shows them (§2): one row per record, so a
    quoted field spanning lines stays in the row it starts on and the next record is
    the next row, not the next physical line. An empty line is an (empty) row.

    And the row where a quote opens that is never closed (None: none does): the csv
    module, not strict, then ends that field silently with the text. To tell, an empty
    line and ``_END`` follow the text: after a closed field they are two records of
    their own; in an open one, its last characters (never ``_END`` alone).
    """
    lines = itertools.chain(io.StringIO(text, newline=""), ("\n", _END))
    reader = csv.reader(lines, delimiter=delimiter)
    records = []
    try:
        for row, fields in enumerate(reader, start=1):
            if row > limits.max_rows + 2:
                raise limits.too_many_rows(berkas)
            records.append((row, fields))
    except csv.Error as e:
        raise FileFailed(berkas, f"CSV rusak di baris {len(records) + 1}: {e}") from e
    unclosed = records[-1][0] if records[-1][1] != [_END] else None
    if unclosed is None:
        del records[-2:]
    if len(records) > limits.max_rows:
        raise limits.too_many_rows(berkas)
    return records, unclosed


# ---------------------------------------------------------------- CSV with Arrow
#
# The csv-module path above holds the whole file as one str and every cell as a Python
# str (some 60 bytes a cell: gigabytes for a tax roll). Arrow's CSV reader parses the
# bytes into Arrow strings in C++, in parallel. It is used only where it provably gives
# the csv-module path's rows; anything else is left to that path:
#
# - the encoding is decided on the whole file as ``_decode`` decides it (UTF-8 when every
#   byte decodes, else Windows-1252; a NUL byte or an undecodable file is left to it);
# - the delimiter, header row and column mapping come from the file's head, parsed with
#   the csv module as ``read_file`` would, and only when the head holds everything they
#   depend on: the sniffer's 30 lines, the first 10 records, the header record complete;
# - the records after the header are parsed by Arrow with the csv module's quoting
#   (``"`` quotes, ``""`` is a quote, a quote inside an unquoted field is text, text
#   after a closing quote joins the field), all as text, nothing inferred;
# - every record must have the header's number of fields (a ragged file, whose short
#   rows the csv-module path pads, fails Arrow's parse); Arrow gives an empty line as a
#   record of empty fields where the csv module gives one without fields: both are blank
#   rows, dropped and counted alike;
# - an unterminated quote, a record longer than a block, or any other parse error fails
#   Arrow's parse; but a quote opening the last record's last field and never closed,
#   Arrow ends silently with the file: a file that ends as such a field would (a quote
#   opening a field, then the last cell's text, its quotes doubled) is left to the csv
#   module, which tells (``_parse_csv``).
#
# Records are numbered as the csv module numbers them: one per record, a quoted field
# spanning lines included, so record i after the header is row header_row + 1 + i.


def _read_csv_arrow(path: Path, spec: SourceSpec, key: bytes, limits: Limits) -> FileRows | None:
    """The CSV's rows read with Arrow, or None where they could differ from the csv
    module's (the caller then reads the file with the csv module)."""
    raw = path.read_bytes()
    encoding = _whole_file_encoding(raw)
    if encoding is None:
        return None
    layout = None
    for head_bytes in HEAD_BYTES:
        layout = _csv_layout(raw, encoding, spec, head_bytes)
        if layout is not None:
            break
    if layout is None:
        return None
    delimiter, header_row, header_cells, header, offset = layout
    if encoding == "utf-8":
        table = _arrow_records(raw, offset, delimiter, len(header_cells))
    else:
        table = _arrow_records(_utf8_from_cp1252(raw, offset), 0, delimiter, len(header_cells))
    del raw
    if table is None:
        return None
    if header_row + table.num_rows > limits.max_rows:
        raise limits.too_many_rows(path.name)

    names, headers = _column_names(header_cells, len(header_cells), header, spec)
    # ArrowStringArray keeps Arrow's buffers: no cell becomes a Python object.
    frame = pd.DataFrame(
        {name: pd.arrays.ArrowStringArray(column) for name, column in zip(names, table.columns)}
    )
    del table
    numbers = np.arange(header_row + 1, header_row + 1 + len(frame), dtype=np.int64)
    frame, order, blank_rows = _tidy(frame, numbers, path.name, names, headers, header.mapping)
    return _file_rows(
        path.name, frame, order, headers, header, spec, key, header_row, blank_rows,
        delimiter=delimiter, encoding=encoding,
    )  # fmt: skip


def _whole_file_encoding(raw: bytes) -> str | None:
    """The encoding ``_decode`` finds for the file, or None where it fails."""
    if b"\x00" in raw:
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    step = 16 * 2**20  # decoded a piece at a time: no copy of the file as text
    try:
        for start in range(0, len(raw), step):
            decoder.decode(view[start : start + step])
        decoder.decode(b"", final=True)
        return "utf-8"  # utf-8-sig only drops a leading BOM: the same bytes decode
    except UnicodeDecodeError:
        pass
    if any(byte in raw for byte in _CP1252_UNDEFINED):
        return None
    return "windows-1252"


def _csv_layout(raw: bytes, encoding: str, spec: SourceSpec, head_bytes: int):
    """(delimiter, header row, header cells, :class:`Header`, byte offset of the first
    data record) as the csv-module path finds them, from the first ``head_bytes`` of the
    file; None when the head is not enough to be sure, or there is no header."""
    whole = len(raw) <= head_bytes
    cut = len(raw) if whole else raw.rfind(b"\n", 0, head_bytes) + 1  # never inside a char
    if cut == 0:
        return None
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0  # dropped, as _decode does
    head = raw[bom:cut].decode("utf-8" if encoding == "utf-8" else "cp1252")
    if not whole and len(head.splitlines()) <= HEADER_SEARCH_ROWS + 20:
        return None  # the sniffer reads 30 lines of the whole text
    for tried, delimiter in enumerate(_delimiters(head)):
        parsed = _head_records(head, delimiter)
        if parsed is None:
            return None
        records, ends = parsed
        header = find_header(records, spec)
        if header is not None:
            break
        if not whole and len(records) <= HEADER_SEARCH_ROWS:
            return None  # record 10 may run on past the head
    else:
        return None  # no header: the csv-module path explains which column is missing
    if not whole and header.index == len(records) - 1:
        return None  # the header record may run on past the head
    if tried and b'"' in raw:
        # The csv-module path counts the file's records (for Limits.max_rows) with the
        # first delimiter tried; with no quote they are its lines whatever the delimiter.
        return None
    chars = ends[header.index]  # in Windows-1252, one byte a character
    offset = bom + (len(head[:chars].encode("utf-8")) if encoding == "utf-8" else chars)
    header_row, header_cells = records[header.index]
    return delimiter, header_row, header_cells, header, offset


def _head_records(text: str, delimiter: str):
    """The first 11 records of ``text`` as ``_parse_csv`` numbers them, and the number
    of characters read up to the end of each; None on a csv error."""
    lines = io.StringIO(text, newline="")
    read = 0

    def counted():
        nonlocal read
        for line in lines:
            read += len(line)
            yield line

    # The csv module reads a record's lines and no further: after each record, ``read``
    # is where the next one starts.
    records, ends = [], []
    try:
        for number, fields in enumerate(csv.reader(counted(), delimiter=delimiter), start=1):
            records.append((number, fields))
            ends.append(read)
            if number > HEADER_SEARCH_ROWS:
                break
    except csv.Error:
        return None
    return records, ends


def _arrow_records(data: bytes, start: int, delimiter: str, width: int) -> pa.Table | None:
    """The records of UTF-8 ``data[start:]`` as a table of ``width`` text columns, or
    None where Arrow cannot parse them as the csv module does (see above)."""
    names = [str(i) for i in range(width)]
    if start >= len(data):
        return pa.table({name: pa.array([], pa.string()) for name in names})
    if data.startswith(codecs.BOM_UTF8, start):
        return None  # Arrow drops a BOM opening its input; the csv module keeps it as text
    block_size = _block_size(data, start)
    if block_size is None:
        return None
    quoted = data.find(b'"', start) >= 0
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(memoryview(data)[start:]),  # no copy of the bytes
            read_options=pa_csv.ReadOptions(column_names=names, block_size=block_size),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                # without a quote there is no line break in a value: faster parallel split
                newlines_in_values=quoted,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError, UnicodeError):
        return None
    if quoted and table.num_rows:  # may the last field be a quote never closed (above)?
        last = table.column(width - 1)[table.num_rows - 1].as_py()
        tail = b'"' + last.encode("utf-8").replace(b'"', b'""')
        at = len(data) - len(tail)
        field_start = at == start or data[at - 1 : at] in (delimiter.encode(), b"\n", b"\r")
        if at >= start and field_start and data.endswith(tail):
            return None
    return table


def _block_size(data: bytes, start: int) -> int | None:
    """A block size for Arrow's CSV reader with no block boundary between a CR and an LF.

    Arrow reads ``data[start:]`` in blocks of exactly this size and, when a block ends
    in CR, takes an LF opening the next as the rest of a CRLF line end: inside a quoted
    value that LF would be lost (pyarrow 26). Moving the boundaries by a byte avoids it.
    """
    size = ARROW_BLOCK_BYTES
    for _ in range(64):
        if size >= 2**31 - 1:
            return None
        if all(data[at - 1 : at + 1] != b"\r\n" for at in range(start + size, len(data), size)):
            return size
        size += 1
    return None


def _utf8_from_cp1252(raw: bytes, start: int) -> bytes:
    """``raw[start:]`` (Windows-1252, decodable) as UTF-8, a piece at a time."""
    view = memoryview(raw)
    step = 16 * 2**20  # one byte a character: any cut is between characters
    return b"".join(
        codecs.decode(view[at : at + step], "cp1252").encode("utf-8")
        for at in range(start, len(raw), step)
    )


# ---------------------------------------------------------------- header and rows


_empty_cells = empty_cells  # parsers.is_empty as a boolean array


def _rows_from_records(
    berkas: str,
    records: list[tuple[int, list]],
    header: Header,
    spec: SourceSpec,
    key: bytes,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> FileRows:
    header_row, header_cells = records[header.index]
    data = records[header.index + 1 :]
    width = max([len(header_cells)] + [len(cells) for _, cells in data])
    names, headers = _column_names(header_cells, width, header, spec)

    rows = [cells + [None] * (width - len(cells)) for _, cells in data]
    # A CSV holds only text: an Arrow string dtype tells the parsers so without looking at
    # each cell, and runs their string methods in Arrow's kernels. An XLSX column may mix
    # text, numbers and dates: object.
    dtype = "string[pyarrow]" if delimiter is not None else object
    frame = pd.DataFrame(rows, columns=names, dtype=dtype) if rows else pd.DataFrame(
        columns=names, dtype=dtype
    )
    del rows
    numbers = np.array([n for n, _ in data], dtype=np.int64)
    frame, order, blank_rows = _tidy(frame, numbers, berkas, names, headers, header.mapping)
    return _file_rows(
        berkas, frame, order, headers, header, spec, key, header_row, blank_rows,
        delimiter=delimiter, encoding=encoding,
    )  # fmt: skip


# Columns staging adds to a file's (accepted.py: the key as compared and the columns a
# source derives; masking: ``<column>_hash``). An extra column of the file named as one
# of them is kept under ``<name>_<n>`` (n: its position), as ``column_names`` keeps one
# named as a contract column (§2.3), never overwritten.
DERIVED_COLUMNS = {"layanan": ("diproses", "kategori")}


def _column_names(header_cells: list, width: int, header: Header, spec: SourceSpec):
    """``column_names``, no extra column named as a column staging adds (above)."""
    names, headers = column_names(header_cells, width, header, spec)
    added = {KEY, *DERIVED_COLUMNS.get(spec.name, ()), *(f"{n}_hash" for n in names)}
    added |= {f"{c.staged_as}_hash" for c in header.columns(spec).columns if c.staged_as}
    taken, renamed = set(names) | added, list(names)
    for pos, name in enumerate(names):
        if pos not in header.mapping and name in added:
            while renamed[pos] in taken:
                renamed[pos] = f"{renamed[pos]}_{pos + 1}"
            taken.add(renamed[pos])
    return renamed, {new: headers[old] for new, old in zip(renamed, names)}


def _tidy(
    frame: pd.DataFrame,
    numbers: np.ndarray,
    berkas: str,
    names: list[str],
    headers: dict[str, str],
    mapping: dict[int, str],
) -> tuple[pd.DataFrame, list[str], int]:
    """The cells under the header (one column per name) with their row numbers and the
    file name, layout columns and blank rows dropped: (frame, order, blank rows).

    The caller rebinds its frame to the result, so the unfiltered one is freed before
    the personal columns are masked. (The result's index is not the rows': the caller
    numbers them afresh.)
    """
    # Unnamed columns with nothing in them are layout, not data.
    for name in names:
        if name.startswith("kolom_") and name not in mapping.values():
            if _empty_cells(frame[name]).all():
                frame = frame.drop(columns=name)
                headers.pop(name)
    order = [n for n in names if n in frame.columns]

    blank_rows = 0
    keep = None
    if order:
        cells = [frame[c] for c in order]
        blank = np.logical_and.reduce(threads.each(_empty_cells, cells, rows=len(frame)))
        if blank.any():
            blank_rows = int(blank.sum())
            keep = ~blank
    # frame[keep], column by column and side by side: Arrow filters its text columns in
    # place of pandas' take, several times faster on millions of rows. The file name and
    # the row numbers lead, as the columns the rows are known by.
    columns = list(frame.columns)
    cells = [frame[c].array for c in columns]
    if keep is not None:
        cells = threads.each(lambda array: _kept(array, keep), cells, rows=len(keep))
        numbers = numbers[keep]
    # An XLSX column stays object: from a bare array pandas would infer datetime64 for a
    # column of Excel dates only, whose cells the parsers would then take for text.
    cells = [c if isinstance(c, pd.arrays.ArrowStringArray) else pd.Series(c, dtype=object)
             for c in cells]  # fmt: skip
    berkas_cells = np.empty(len(numbers), dtype=object)
    berkas_cells.fill(berkas)  # one str for every row (np.full would make one a row)
    tidy = pd.DataFrame(
        {FILE: berkas_cells, ROW: numbers, **dict(zip(columns, cells))}, copy=False
    )
    return tidy, order, blank_rows


def _kept(array, keep: np.ndarray):
    """The cells of one column (Arrow text, or objects from an XLSX) where ``keep``."""
    if isinstance(array, pd.arrays.ArrowStringArray):
        return type(array)(pc.filter(array._pa_array, keep))
    return array[keep]


def _file_rows(
    berkas: str,
    frame: pd.DataFrame,
    order: list[str],
    headers: dict[str, str],
    header: Header,
    spec: SourceSpec,
    key: bytes,
    header_row: int,
    blank_rows: int,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> FileRows:
    """FileRows of a tidied frame, its personal data masked."""
    columns = header.columns(spec)
    present = set(header.mapping.values())
    # §6: personal data never leaves the reader in clear (``masking.protect``): each
    # column by its kind, an extra one as free text unless its header names personal
    # data. A layout's personal column keeps its hash under the contract column it is
    # staged as (``nama_wp_hash``).
    plan = {}
    for name in order:
        column = columns.column(name) if name in present else None
        kind = column.kind if column is not None else personal_kind_of_extra(headers[name])
        plan[name] = (kind or Kind.TEXT, column.staged_as if column and column.staged_as else name)
    masking.protect(frame, plan, key)

    frame = frame.reset_index(drop=True)
    return FileRows(
        berkas=berkas,
        frame=frame,
        headers=headers,
        order=order,
        header_row=header_row,
        blank_rows=blank_rows,
        delimiter=delimiter,
        encoding=encoding,
        missing_optional=[c.name for c in columns.columns if c.name not in present],
        layout=header.layout,
    )
