"""Excel input templates, one per source, made from the specs (docs/data-contract.md §1,
Templates).

For the sections that keep a register by hand: ``templat/<sumber>.xlsx`` has

- a first sheet named after the source (the only sheet the reader reads, §2.2) whose
  row 1 holds the contract's canonical column names, so the reader finds every column
  by its own name (§2.3); required columns bold on a fill with a "(wajib)" note;
- per column, on ``DATA_ROWS`` rows, the cell format and a data validation of its kind
  (dropdowns of the kelurahan, status, hasil and service names; dates; whole rupiah;
  NOPs as text) with an input message saying what to type;
- a sheet ``Petunjuk`` in Indonesian: per column its name, whether required, its
  aliases, what it accepts and what rejects a row, and the source's own rules;
- a hidden sheet ``daftar`` holding the dropdown lists.

Nothing here is typed twice: the columns and rules come from ``sources/specs.py``, the
status and hasil words from the parsers' own tables, the kelurahan from
``reference/kelurahan.csv`` and the service names from the alias table (the contract's
aliases and ``reference/jenis_layanan.csv``). After one of those tables changes, the
templates are written again (the asset ``publikasi/templat``, ``make templates``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from xlsxwriter.utility import xl_col_to_name

from iku_pipeline.model import KATEGORI, KATEGORI_IKU1, LAINNYA
from iku_pipeline.publish.layout import Formats, Heights, set_widths, workbook
from iku_pipeline.publish.templat_teks import (
    JENIS_LAYANAN,
    LIST_ERROR,
    TITLE_LIMIT,
    TEXT_LIMIT,
    ColumnText,
    column_text,
    general_notes,
    hasil_words,
    personal_note,
    status_words,
)
from iku_pipeline.sources.reference import (
    CONTRACT_ALIASES,
    JENIS_LAYANAN_FILE,
    _csv_rows,  # the table as the analyst saved it: the names as written
    fold_alias,
    load_jenis_layanan,
    load_wilayah,
)
from iku_pipeline.sources.specs import SOURCES, Column, Kind, SourceSpec

TEMPLAT_DIR = "templat"  # under the output folder
DATA_ROWS = 1000  # rows below the header that carry the formats and validations
PETUNJUK = "Petunjuk"
LIST_SHEET = "daftar"

# Dates the validation lets through: any real date; the year rule is the reader's.
_DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2100, 12, 31))

_RIGHT = dict(align="right", indent=1)  # numbers kept clear of the next column's text
_CELLS = {
    Kind.DATE: dict(num_format="dd/mm/yyyy", align="center"),
    Kind.RUPIAH: dict(num_format="#,##0", **_RIGHT),
    Kind.NUMBER: dict(num_format="#,##0.00", **_RIGHT),
    Kind.WHOLE: dict(num_format="0", **_RIGHT),
    Kind.YEAR: dict(num_format="0", **_RIGHT),
    # Text: a key typed 001 stays 001; a NOP or NIK keeps every digit (§2.5).
    Kind.KEY: dict(num_format="@"),
    Kind.NOP: dict(num_format="@"),
    Kind.NIK: dict(num_format="@"),
}

_WIDTHS = {
    Kind.KEY: 18, Kind.TEXT: 26, Kind.DATE: 14, Kind.RUPIAH: 17, Kind.NUMBER: 14,
    Kind.WHOLE: 12, Kind.YEAR: 12, Kind.KELURAHAN: 18, Kind.NOP: 27, Kind.STATUS: 16,
    Kind.HASIL: 16, Kind.NIK: 21, Kind.NAMA: 26,
}  # fmt: skip

REQUIRED_FILL = "#F8CBAD"  # required columns' header: bold on orange
OPTIONAL_FILL = "#DDEBF7"  # the others: plain on light blue


# ---------------------------------------------------------------- the lists


@dataclass(frozen=True)
class Lists:
    """The dropdown lists of the reference tables."""

    kelurahan: tuple[str, ...]
    kecamatan: str
    # Service names as written, with their category; the contract's first, then the
    # analyst's table, each spelling once (compared as the alias table compares them).
    jenis_layanan: tuple[tuple[str, str], ...]

    @classmethod
    def load(cls, reference: Path) -> Lists:
        wilayah = load_wilayah(reference)
        return cls(wilayah.names, wilayah.kecamatan, jenis_layanan_names(reference))

    def of(self, column: Column) -> tuple[str, ...] | None:
        """The dropdown of a column, None when it has none."""
        if column.name == JENIS_LAYANAN:
            return tuple(name for name, _ in self.jenis_layanan)
        return {
            Kind.KELURAHAN: self.kelurahan,
            Kind.STATUS: status_words(),
            Kind.HASIL: hasil_words(),
        }.get(column.kind)


def jenis_layanan_names(reference: Path) -> tuple[tuple[str, str], ...]:
    """Every service name of the alias table as written, with its category.

    The table itself is ``load_jenis_layanan``'s (which also refuses a table with an
    unknown category); this only recovers each name's spelling, which the table keeps
    folded. Ordered by category (IKU 1a-1d, then LAINNYA), then as first written.
    """
    table = load_jenis_layanan(reference)
    spelled: dict[str, str] = {}
    for aliases in CONTRACT_ALIASES.values():
        for alias in aliases:
            spelled.setdefault(fold_alias(alias), alias)
    path = reference / JENIS_LAYANAN_FILE
    if path.is_file():
        for row in _csv_rows(path):
            name = " ".join(row[0].split()) if row else ""
            if name and fold_alias(name) in table:  # not the header row
                spelled.setdefault(fold_alias(name), name)
    order = {k: i for i, k in enumerate(KATEGORI)}
    names = [(name, table[folded]) for folded, name in spelled.items()]
    return tuple(sorted(names, key=lambda nk: order[nk[1]]))  # stable: as first written


def kategori_label(kategori: str) -> str:
    kode = KATEGORI_IKU1.get(kategori)
    return f"{kategori} (IKU {kode})" if kode else f"{LAINNYA} (di luar IKU 1)"


# ---------------------------------------------------------------- one template


def write_templates(folder: Path, reference: Path) -> list[Path]:
    """``<folder>/<sumber>.xlsx`` for every source; the written paths."""
    lists = Lists.load(reference)
    return [write_template(spec, folder / f"{spec.name}.xlsx", lists) for spec in SOURCES.values()]


def write_template(spec: SourceSpec, path: Path, lists: Lists) -> Path:
    with workbook(path, f"Templat {spec.judul}", comments=_comments(spec)) as wb:
        f = Formats(wb)
        data = wb.add_worksheet(spec.name)  # first: the one the reader reads
        petunjuk = wb.add_worksheet(PETUNJUK)
        daftar = wb.add_worksheet(LIST_SHEET)
        texts = {c.name: column_text(spec, c, lists) for c in spec.columns}
        sources = _write_lists(daftar, f, spec, lists)
        _write_data_sheet(data, f, spec, texts, sources, lists)
        _write_petunjuk(petunjuk, f, spec, texts, lists)
        daftar.hide()
        data.activate()
    return path


def _comments(spec: SourceSpec) -> str:
    return (
        f"Templat masukan {spec.judul}: isi lembar '{spec.name}' mulai baris 2, "
        f"simpan sebagai .xlsx di raw/{spec.name}/<tahun>/."
    )


def _write_lists(ws, f: Formats, spec: SourceSpec, lists: Lists) -> dict[str, str]:
    """The dropdown lists of the spec's columns on the hidden sheet, a column each
    (the service names with their category beside them); {column: list reference}."""
    sources, col = {}, 0
    head = f(bold=True)
    for column in spec.columns:
        values = lists.of(column)
        if values is None:
            continue
        ws.write_string(0, col, column.name, head)
        for r, value in enumerate(values, start=1):
            ws.write_string(r, col, value)
        letter = xl_col_to_name(col)
        sources[column.name] = f"={LIST_SHEET}!${letter}$2:${letter}${len(values) + 1}"
        width = max(len(column.name), *(len(v) for v in values)) + 2
        ws.set_column(col, col, width)
        if column.name == JENIS_LAYANAN:
            col += 1
            ws.write_string(0, col, "kategori", head)
            for r, (_, kategori) in enumerate(lists.jenis_layanan, start=1):
                ws.write_string(r, col, kategori)
            ws.set_column(col, col, 12)
        col += 2  # an empty column between lists
    return sources


def _write_data_sheet(ws, f: Formats, spec: SourceSpec, texts: dict[str, ColumnText],
                      sources: dict[str, str], lists: Lists) -> None:
    for c, column in enumerate(spec.columns):
        text = texts[column.name]
        fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        header = f(bold=column.required, bg_color=fill, border=1, valign="vcenter",
                   align="center", text_wrap=True)
        ws.write_string(0, c, column.name, header)
        ws.write_comment(0, c, text.note, {"x_scale": 1.6, "y_scale": 1.4, "author": "IKU"})
        width = max(_WIDTHS.get(column.kind, 16), len(column.name) + 4)
        values = lists.of(column)
        if values:  # the dropdown's longest entry, within reason
            width = max(width, min(max(len(v) for v in values) + 4, 34))
        ws.set_column(c, c, width, f(**_CELLS.get(column.kind, {})))
        ws.data_validation(1, c, DATA_ROWS, c, _validation(spec, column, c, text, sources))
    ws.set_row(0, 30)
    ws.freeze_panes(1, 0)
    ws.hide_gridlines(0)  # a printed register keeps its grid
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer(f"&L&8Templat {spec.judul}&R&8Halaman &P dari &N")


def _validation(spec: SourceSpec, column: Column, c: int, text: ColumnText,
                sources: dict[str, str]) -> dict:
    """The data validation of a column's cells, with its input message."""
    title = f"{column.name} (wajib)" if column.required else column.name
    options = {
        "input_title": title[:TITLE_LIMIT],
        "input_message": text.message,
        "error_title": title[:TITLE_LIMIT],
    }
    kind = column.kind
    letter = xl_col_to_name(c)
    cells = f"${letter}$2:${letter}${DATA_ROWS + 1}"
    if column.name in sources:
        options.update(validate="list", source=sources[column.name])
        if column.name == JENIS_LAYANAN:  # any name is accepted, as LAINNYA (§3.1)
            options.update(error_type="information", error_message=text.error)
        else:
            options.update(error_type="stop", error_message=LIST_ERROR)
    elif kind is Kind.DATE:
        options.update(validate="date", criteria="between", minimum=_DATE_RANGE[0],
                       maximum=_DATE_RANGE[1], error_message=text.error)
    elif kind in (Kind.RUPIAH, Kind.WHOLE, Kind.YEAR, Kind.NUMBER):
        options.update(_number_rule(column), error_message=text.error)
    elif kind is Kind.NOP or column.name == spec.key:
        checks = []
        if kind is Kind.NOP:  # 18 digits once the usual separators are dropped
            stripped = f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({letter}2,".",""),"-","")," ","")'
            checks.append(f"LEN({stripped})=18")
        if column.name == spec.key:  # compared trimmed, case ignored, as the key (§3)
            checks.append(f"SUMPRODUCT(--(TRIM({cells})=TRIM({letter}2)))<=1")
        formula = checks[0] if len(checks) == 1 else f"AND({','.join(checks)})"
        options.update(validate="custom", value=f"={formula}", error_type="warning",
                       error_message=text.error)
    else:
        options.update(validate="any")
    for key in ("input_message", "error_message"):
        assert len(options.get(key, "")) <= TEXT_LIMIT, (column.name, key, options[key])
    return options


def _number_rule(column: Column) -> dict:
    kind = column.kind
    if kind is Kind.YEAR:
        return dict(validate="integer", criteria="between", minimum=1900, maximum=2100)
    validate = "decimal" if kind is Kind.NUMBER else "integer"
    if column.positive:
        return dict(validate=validate, criteria=">", value=0)
    lowest = column.min_value if column.min_value is not None else 0
    return dict(validate=validate, criteria=">=", value=lowest)


# ---------------------------------------------------------------- Petunjuk

_PETUNJUK_HEADERS = (
    ("No", 5), ("Kolom", 18), ("Wajib", 11), ("Nama kolom lain yang diterima", 22),
    ("Isi dan format", 46), ("Baris ditolak bila", 44),
)  # fmt: skip


def _write_petunjuk(ws, f: Formats, spec: SourceSpec, texts: dict[str, ColumnText],
                    lists: Lists) -> None:
    widths = [w for _, w in _PETUNJUK_HEADERS]
    set_widths(ws, widths)
    h = Heights(widths)
    last = len(widths) - 1
    title = f"Petunjuk pengisian templat {spec.judul} ({spec.name})"
    ws.merge_range(0, 0, 0, last, title, f(bold=True, font_size=f.size + 3))
    h.fit(0, 0, title, f.size + 3, last_col=last, bold=True)
    row = 2
    plain, number = f(text_wrap=True), f(align="right")
    for i, note in enumerate(general_notes(spec, lists), start=1):
        ws.write_string(row, 0, f"{i}.", number)
        ws.merge_range(row, 1, row, last, note, plain)
        h.fit(row, 1, note, f.size, last_col=last)
        row += 1
    row += 1
    ws.merge_range(row, 0, row, last, "Kolom", f(bold=True, font_size=f.size + 1))
    row += 1
    for c, (name, _) in enumerate(_PETUNJUK_HEADERS):
        ws.write_string(row, c, name, f.th())
        h.fit(row, c, name, f.size, bold=True)
    row += 1
    for n, column in enumerate(spec.columns, start=1):
        text = texts[column.name]
        name_format = f.td(bold=column.required, bg_color=REQUIRED_FILL if column.required
                           else OPTIONAL_FILL)
        cells = (str(n), column.name, text.wajib, ", ".join(column.aliases) or "-",
                 text.isi, "\n".join(f"- {r}" for r in text.ditolak) or "-")
        for c, value in enumerate(cells):
            cell = name_format if c == 1 else f.td(align="center") if c == 0 else f.td()
            ws.write_string(row, c, value, cell)
            h.fit(row, c, value, f.size, bold=c == 1 and column.required)
        row += 1
    note = personal_note(spec)
    if note:
        row += 1
        ws.merge_range(row, 0, row, last, note, f(text_wrap=True, italic=True))
        h.fit(row, 0, note, f.size, last_col=last)
        row += 1
    if any(c.name == JENIS_LAYANAN for c in spec.columns):
        row = _service_names(ws, f, h, row + 1, lists)
    h.apply(ws)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.print_area(0, 0, row - 1, last)
    ws.set_footer(f"&L&8Petunjuk templat {spec.judul}&R&8Halaman &P dari &N")


def _service_names(ws, f: Formats, h: Heights, row: int, lists: Lists) -> int:
    """The service names of the dropdown per category: what counts in which IKU."""
    last = len(_PETUNJUK_HEADERS) - 1
    head = "Nama layanan yang dikenal (daftar pilihan kolom jenis_layanan)"
    ws.merge_range(row, 0, row, last, head, f(bold=True, font_size=f.size + 1))
    row += 1
    ws.merge_range(row, 0, row, 2, "Kategori", f.th())
    ws.merge_range(row, 3, row, last, "Nama layanan", f.th())
    row += 1
    for kategori in KATEGORI:
        names = [n for n, k in lists.jenis_layanan if k == kategori]
        text = ", ".join(names) if names else "-"
        if kategori == LAINNYA:
            text += (". Nama yang tidak ada dalam daftar juga diterima dan dihitung di sini "
                     "(analis dapat menambahkannya ke tabel jenis_layanan.csv).")
        ws.merge_range(row, 0, row, 2, kategori_label(kategori), f.td(bold=True))
        ws.merge_range(row, 3, row, last, text, f.td())
        h.fit(row, 3, text, f.size, last_col=last)
        h.fit(row, 0, kategori_label(kategori), f.size, last_col=2, bold=True)
        row += 1
    return row
