"""The files a person opens (DATA_CONTRACT §4, §5): the IKU matrix per year (.xlsx, .csv),
the 2021–2025 matrix side by side, and the report of rejected rows for the sections.

Written with xlsxwriter, print-ready: the signed matrix's header block and signature,
merged headers, wrapped text, numbers stored as numbers with format codes (Excel shows
the reader's own separators), A4 landscape fitted to one page wide. Every file is written
under a temporary name in its folder, then renamed over the old one (``os.replace``), so
a reader sees the previous file or the new one, never half a file.

The signed matrix's texts come from ``indicators/declarations.py`` (through the matrix
frames of ``matrix.py``); the words added here (titles, labels, notes) are Indonesian.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import pandas as pd
import xlsxwriter

from iku_pipeline.indicators.declarations import (
    INDIKATOR,
    INDIKATOR_BY_KODE,
    KECAMATAN,
    KELURAHAN,
    OPD,
    PERIODE,
)
from iku_pipeline.publish.matrix import (
    BELUM_TERSEDIA,
    PENYEBUT_NOL,
    TEKS_BELUM_TERSEDIA,
    TERSEDIA,
    is_missing,
    keterangan_periode,
)

# ---------------------------------------------------------------- the office's words

H_NO = "NO"
H_URAIAN = "URAIAN INDIKATOR"
H_SATUAN = "SATUAN"
H_ALASAN = "ALASAN / SASARAN"
H_SUMBER = "SUMBER DATA"
H_RUMUS = "RUMUS PERHITUNGAN INDIKATOR"
H_TARGET = "TARGET"
H_REALISASI = "REALISASI"
H_CAPAIAN = "CAPAIAN (%)"
H_PREDIKAT = "PREDIKAT"
H_KETERANGAN = "KETERANGAN"
H_TAHUN = "TAHUN"
H_KELURAHAN = "KELURAHAN"
H_RUN = "RUN PENGOLAH"

TEKS_PENYEBUT_NOL = "-"
TEKS_BELUM_DIPROSES = "belum diproses"

# The supplementary row under IKU 4 (DATA_CONTRACT §3: published beside the count).
TAMBAHAN_4_URAIAN = (
    "Tambahan IKU 4 (bukan rumus IKU): persentase kegiatan penanganan konflik dengan "
    "hasil Selesai"
)
TAMBAHAN_4_RUMUS = "Jumlah kegiatan dengan hasil Selesai / Jumlah kegiatan x 100%"
TAMBAHAN_4_SATUAN = "%"

CATATAN_STRIP = (
    "Tanda - pada REALISASI: tidak dapat dihitung karena penyebutnya 0 "
    "(tidak ada berkas, usulan atau wajib pajak); lihat KETERANGAN."
)
CATATAN_ANGKA = (
    "Realisasi dan capaian dihitung dengan ketelitian penuh dan ditampilkan dengan dua "
    "angka desimal."
)

FONT = "Arial"
PCT_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"

CSV_HEADERS = (
    H_TAHUN, H_NO, H_URAIAN, H_SATUAN, H_ALASAN, H_SUMBER, H_RUMUS, H_TARGET,
    H_REALISASI, H_CAPAIAN, H_PREDIKAT, H_KETERANGAN, H_RUN,
)  # fmt: skip


# ---------------------------------------------------------------- atomic files


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """A temporary path in ``path``'s folder, renamed to ``path`` when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not tempfile.mkstemp: its 0600 mode would survive the rename and hide the
    # published file from other users; O_EXCL with 0666 honours the umask.
    while True:
        tmp_path = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            os.close(os.open(tmp_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            break
        except FileExistsError:
            continue
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


# ---------------------------------------------------------------- layout helpers


# Advance widths of Helvetica (AFM, 1/1000 em); Arial and Liberation Sans share them.
_HELVETICA = dict(
    zip(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
        "abcdefghijklmnopqrstuvwxyz{|}~",
        (
            278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
            556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
            1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
            667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
            333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
            556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
        ),
        strict=True,
    )
)  # fmt: skip


def _text_px(text: str, size: float, bold: bool) -> float:
    em = sum(_HELVETICA.get(ch, 600) for ch in text) / 1000
    return em * size * 96 / 72 * (1.1 if bold else 1.0)


def _text_lines(text: str, width: float, size: float, bold: bool = False) -> int:
    """Lines a wrapped text takes in a cell ``width`` characters wide (Excel units).

    A column unit is 7 px (plus 5 px padding); words are laid out greedily with Arial's
    widths and 5 % to spare, as screens and printers round glyphs differently: rather
    one line too many than a cut text.
    """
    if not text:
        return 1
    avail = (width * 7 + 5 - 6) / 1.05
    if "\n" not in text and len(text) * size * 96 / 72 * 1.1 <= avail:
        return 1  # fits even if every character were as wide as "W"
    space = _text_px(" ", size, bold)
    lines = 0
    for para in str(text).split("\n"):
        n, used = 1, 0.0
        for word in para.split():
            w = _text_px(word, size, bold)
            if used and used + space + w <= avail:
                used += space + w
                continue
            if used:
                n, used = n + 1, 0.0
            while w > avail:  # a word wider than the cell breaks anywhere
                n, w = n + 1, w - avail
            used = w
        lines += n
    return lines


def _height(lines: int, size: float) -> float:
    return lines * size * 1.25 + 3


class _Heights:
    """Row heights from the wrapped texts written into them (merged cells included:
    Excel and LibreOffice do not grow rows for merged cells themselves)."""

    def __init__(self, widths: Sequence[float]):
        self.widths = list(widths)
        self.need: dict[int, float] = defaultdict(float)
        self.spans: list[tuple[int, int, float]] = []

    def width(self, first_col: int, last_col: int) -> float:
        return sum(self.widths[first_col : last_col + 1]) + 0.7 * (last_col - first_col)

    def fit(self, row: int, col: int, text: str, size: float, last_col: int | None = None,
            bold: bool = False, minimum: float = 0.0) -> None:
        w = self.width(col, col if last_col is None else last_col)
        h = _height(_text_lines(text, w, size, bold), size)
        self.need[row] = max(self.need[row], h, minimum)

    def fit_rows(self, first_row: int, last_row: int, col: int, text: str, size: float,
                 bold: bool = False) -> None:
        w = self.width(col, col)
        self.spans.append((first_row, last_row, _height(_text_lines(text, w, size, bold), size)))

    def apply(self, ws, default: float = 15.0) -> None:
        heights = dict(self.need)
        for first, last, need in self.spans:
            rows = range(first, last + 1)
            have = sum(heights.get(r, default) or default for r in rows)
            if need > have:
                extra = (need - have) / len(rows)
                for r in rows:
                    heights[r] = (heights.get(r, default) or default) + extra
        for r, h in heights.items():
            if h:
                ws.set_row(r, round(h, 1))


class _Formats:
    """The workbook's cell formats, made once per workbook."""

    def __init__(self, wb: xlsxwriter.Workbook, size: float = 10):
        self.size = size
        self._wb = wb
        self._cache: dict[tuple, object] = {}

    def __call__(self, **props) -> object:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            base = {"font_name": FONT, "font_size": self.size, "valign": "top"}
            base.update(props)
            self._cache[key] = self._wb.add_format(base)
        return self._cache[key]

    def _with(self, defaults: dict, extra: dict):
        return self(**{**defaults, **extra})

    # the cells of a table
    def th(self, **p):
        return self._with(dict(bold=True, align="center", valign="vcenter", text_wrap=True,
                               border=1, bg_color="#D9E1F2"), p)

    def nomor(self):
        return self(italic=True, align="center", border=1, bg_color="#F2F2F2",
                    font_size=self.size - 2)

    def td(self, **p):
        return self._with(dict(text_wrap=True, border=1), p)

    def num(self, fmt: str, **p):
        return self._with(dict(num_format=fmt, border=1, align="right", indent=1), p)

    def kosong(self, **p):
        return self._with(dict(italic=True, align="center", text_wrap=True, border=1,
                               font_color="#595959"), p)


def _num_format(satuan: str, value: float | None = None) -> str:
    if satuan != "%" and (value is None or float(value).is_integer()):
        return COUNT_FORMAT
    return PCT_FORMAT


def _print_setup(ws, last_row: int, last_col: int, repeat: tuple[int, int] | None = None,
                 footer: str = "") -> None:
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.center_horizontally()
    ws.print_area(0, 0, last_row, last_col)
    if repeat is not None:
        ws.repeat_rows(*repeat)
    ws.set_footer(f"&L&8{footer}&R&8Halaman &P dari &N")


def _header_block(ws, f: _Formats, h: _Heights, ncols: int, subtitle: str,
                  label_cols: int = 2) -> int:
    """Title lines and NAMA OPD / TUGAS POKOK / FUNGSI as in the signed matrix.

    Returns the next free row.
    """
    last = ncols - 1
    title = f(bold=True, align="center", font_size=f.size + 3)
    ws.merge_range(0, 0, 0, last, OPD.judul, title)
    ws.merge_range(1, 0, 1, last, OPD.kota, title)
    h.need[0] = h.need[1] = _height(1, f.size + 3)
    ws.merge_range(2, 0, 2, last, subtitle, f(bold=True, align="center", font_size=f.size + 1))
    h.need[2] = _height(1, f.size + 1)
    h.need[3] = 8
    label = f(bold=True)
    value = f(text_wrap=True)
    hang = f(text_wrap=True, indent=1)
    lc = label_cols - 1
    row = 4
    items = [
        ("NAMA OPD", ": " + OPD.nama_opd, value),
        ("TUGAS POKOK", ": " + OPD.tugas_pokok, value),
    ]
    for i, fungsi in enumerate(OPD.fungsi, start=1):
        items.append(("FUNGSI" if i == 1 else "", (": " if i == 1 else "") + f"{i}. {fungsi}",
                      value if i == 1 else hang))
    for lab, text, fmt in items:
        if lc > 0:
            ws.merge_range(row, 0, row, lc, lab, label)
        else:
            ws.write_string(row, 0, lab, label)
        ws.merge_range(row, lc + 1, row, last, text, fmt)
        h.fit(row, lc + 1, text, f.size, last_col=last)
        row += 1
    h.need[row] = 8
    return row + 1


def _footer(ws, f: _Formats, h: _Heights, row: int, notes: Sequence[str],
            note_cols: tuple[int, int], sign_cols: tuple[int, int]) -> int:
    """The notes (left) and the signature block of the signed document (right), from the
    declarations, in one row: a row never splits across pages, so the signature prints
    whole (Excel ignores manual page breaks when fitting to a page width)."""
    text = "\n".join(notes)
    ws.merge_range(row, note_cols[0], row, note_cols[1], text,
                   f(italic=True, text_wrap=True, font_size=f.size - 1))
    h.fit(row, note_cols[0], text, f.size - 1, last_col=note_cols[1])
    plain = f(align="center", text_wrap=True)
    bold = f(align="center", text_wrap=True, bold=True)
    name = f(align="center", text_wrap=True, bold=True, underline=1)
    first, last = sign_cols
    if last > first:
        ws.merge_range(row, first, row, last, "", plain)
    ws.write_rich_string(
        row, first,
        plain, OPD.tempat_tanggal + "\n",
        bold, OPD.jabatan_penandatangan,
        plain, "\n\n\n\n",
        name, OPD.nama_penandatangan,
        plain, "\n" + OPD.nip_penandatangan,
        plain,
    )  # fmt: skip
    lines = 6 + max(
        _text_lines(t, h.width(first, last), f.size, bold=True)
        for t in (OPD.tempat_tanggal, OPD.jabatan_penandatangan, OPD.nama_penandatangan)
    )
    h.need[row] = max(h.need[row], _height(lines, f.size))
    return row + 1


def _signature_cols(widths: Sequence[float], minimum: float = 40) -> int:
    """First column of the right-hand block wide enough for the signature."""
    total = 0.0
    for c in range(len(widths) - 1, -1, -1):
        total += widths[c]
        if total >= minimum:
            return c
    return 0


def _family(kode: str) -> str:
    """The indicator a row belongs to: ``1`` for 1, 1a … 1d."""
    return re.match(r"\d*", str(kode)).group(0) or str(kode)


def _block(ws, f: _Formats, h: _Heights, first: int, last: int, col: int, text: str,
           size: float, **props) -> None:
    """One text for rows ``first``..``last`` of a column, drawn as one cell.

    Not a merged range: a page break can fall inside a vertical merge and cut its text
    in two. The text sits in the first row (made tall enough for it) and the borders
    are drawn around the block, so it prints whole wherever the page breaks.
    """
    base = dict(text_wrap=True, left=1, right=1, **props)
    for r in range(first, last + 1):
        edges = dict(top=1 if r == first else 0, bottom=1 if r == last else 0)
        if r == first:
            ws.write_string(r, col, text, f(**base, **edges))
        else:
            ws.write_blank(r, col, None, f(**base, **edges))
    h.fit(first, col, text, size, bold=bool(props.get("bold")))


def _ordered(matriks: pd.DataFrame) -> pd.DataFrame:
    order = {ind.kode: i for i, ind in enumerate(INDIKATOR)}
    return matriks.assign(_o=matriks["kode"].astype(str).map(order)).sort_values(
        ["tahun", "_o"], kind="stable"
    ).drop(columns="_o")


def _text_rows(kodes: Iterable[str]) -> list[dict]:
    """The matrix's text rows in the signed order, with the IKU 4 supplementary row."""
    rows = []
    for kode in kodes:
        ind = INDIKATOR_BY_KODE[kode]
        rows.append(
            {
                "kode": kode,
                "tambahan": False,
                "no": ind.no,
                "uraian": ind.uraian,
                "satuan": ind.satuan,
                "alasan": ind.alasan_sasaran,
                "sumber": ind.sumber_data,
                "rumus": ind.rumus,
            }
        )
        if kode == "4":
            rows.append(
                {
                    "kode": kode,
                    "tambahan": True,
                    "no": "",
                    "uraian": TAMBAHAN_4_URAIAN,
                    "satuan": TAMBAHAN_4_SATUAN,
                    "alasan": ind.alasan_sasaran,
                    "sumber": ind.sumber_data,
                    "rumus": TAMBAHAN_4_RUMUS,
                }
            )
    return rows


def _write_text_columns(ws, f: _Formats, h: _Heights, first_row: int, rows: list[dict]) -> None:
    """NO … RUMUS of the matrix rows; ALASAN, SUMBER and RUMUS written once for the
    rows of one indicator that share the text (1 and 1.a–1.d, 4 and its supplement)."""
    size = f.size
    for i, r in enumerate(rows):
        row = first_row + i
        ws.write_string(row, 0, r["no"], f.td(align="center"))
        fmt = f.td(italic=True) if r["tambahan"] else f.td()
        ws.write_string(row, 1, r["uraian"], fmt)
        h.fit(row, 1, r["uraian"], size)
        ws.write_string(row, 2, r["satuan"], f.td(align="center"))
    for col, key in ((3, "alasan"), (4, "sumber"), (5, "rumus")):
        i = 0
        while i < len(rows):
            j = i
            while (
                j + 1 < len(rows)
                and _family(rows[j + 1]["kode"]) == _family(rows[i]["kode"])
                and rows[j + 1][key] == rows[i][key]
            ):
                j += 1
            _block(ws, f, h, first_row + i, first_row + j, col, rows[i][key], size)
            i = j + 1


def _tambahan_status(r: Mapping) -> str:
    """Why the IKU 4 supplementary share of a matrix row is (not) there."""
    status = r["status_realisasi"]
    if status != TERSEDIA or not is_missing(r["persen_selesai"]):
        return status
    if not is_missing(r["realisasi"]) and float(r["realisasi"]) == 0:
        return PENYEBUT_NOL  # no activity at all: nothing to take a share of
    return BELUM_TERSEDIA  # the count is there but the share was not supplied


def _write_value(ws, f: _Formats, row: int, col: int, value: object, satuan: str,
                 status: str = TERSEDIA, **fmt) -> None:
    """A figure as a number, or the reason it is missing as a text."""
    if status == BELUM_TERSEDIA:
        ws.write_string(row, col, TEKS_BELUM_TERSEDIA, f.kosong(**fmt))
    elif status == PENYEBUT_NOL:
        ws.write_string(row, col, TEKS_PENYEBUT_NOL, f.td(align="center", **fmt))
    elif status == TEKS_BELUM_DIPROSES:
        ws.write_string(row, col, TEKS_BELUM_DIPROSES, f.kosong(**fmt))
    elif is_missing(value):
        ws.write_blank(row, col, None, f.td(**fmt))
    else:
        v = float(value)
        ws.write_number(row, col, v, f.num(_num_format(satuan, v), **fmt))


# ---------------------------------------------------------------- matriks per tahun

_TAHUN_WIDTHS = (5, 30, 9, 18, 17, 26, 9, 11, 10, 12, 42)


def write_matriks_tahun(
    matriks: pd.DataFrame,
    tahun: int,
    out_dir: str | Path,
    *,
    csv_sep: str = ";",
    csv_decimal: str = ",",
) -> list[Path]:
    """``matriks_iku_<tahun>.xlsx`` and ``.csv``: the signed matrix with the year's TARGET,
    REALISASI, CAPAIAN (%), PREDIKAT and KETERANGAN. ``matriks`` is ``build_matriks``'s
    frame (it may hold other years).

    The CSV is UTF-8 with BOM, ``;``-separated with a decimal comma by default: what
    Excel on Windows with Indonesian regional settings opens as columns and numbers.
    """
    out_dir = Path(out_dir)
    rows = _ordered(matriks[matriks["tahun"].astype(int) == int(tahun)])
    if rows.empty:
        raise ValueError(f"matriks tidak memuat tahun {tahun}")
    xlsx = out_dir / f"matriks_iku_{tahun}.xlsx"
    csv_path = out_dir / f"matriks_iku_{tahun}.csv"
    runs = sorted({str(r) for r in rows["run_id"] if not is_missing(r)})

    with _atomic(xlsx) as tmp:
        wb = xlsxwriter.Workbook(str(tmp))
        wb.set_properties(
            {
                "title": f"Matriks IKU {OPD.nama_opd.title()} Tahun {tahun}",
                "author": OPD.nama_opd.title(),
                "comments": f"Diolah oleh run: {', '.join(runs) or '-'}",
            }
        )
        _sheet_tahun(wb, rows, int(tahun), runs)
        wb.close()

    with _atomic(csv_path) as tmp:
        tmp.write_bytes(_csv_bytes(rows, csv_sep, csv_decimal))
    return [xlsx, csv_path]


def _sheet_tahun(wb, rows: pd.DataFrame, tahun: int, runs: list[str]) -> None:
    ws = wb.add_worksheet(f"Matriks IKU {tahun}")
    f = _Formats(wb)
    widths = _TAHUN_WIDTHS
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    h = _Heights(widths)
    ncols = len(widths)
    row = _header_block(ws, f, h, ncols, f"REALISASI DAN CAPAIAN TAHUN {tahun}")

    header_row = row
    heads = (H_NO, H_URAIAN, H_SATUAN, H_ALASAN, H_SUMBER, H_RUMUS, H_TARGET, H_REALISASI,
             H_CAPAIAN, H_PREDIKAT, H_KETERANGAN)  # fmt: skip
    for c, text in enumerate(heads):
        ws.write_string(row, c, text, f.th())
        h.fit(row, c, text, f.size, bold=True)
    for c in range(ncols):
        ws.write_number(row + 1, c, c + 1, f.nomor())
    row += 2

    by_kode = {str(r["kode"]): r for r in rows.to_dict("records")}
    text_rows = _text_rows([k for k in (i.kode for i in INDIKATOR) if k in by_kode])
    _write_text_columns(ws, f, h, row, text_rows)
    for i, t in enumerate(text_rows):
        r = by_kode[t["kode"]]
        rr = row + i
        if t["tambahan"]:
            status = _tambahan_status(r)
            ws.write_blank(rr, 6, None, f.td())
            _write_value(ws, f, rr, 7, r["persen_selesai"], "%", status, italic=True)
            ws.write_blank(rr, 8, None, f.td())
            ws.write_blank(rr, 9, None, f.td())
            note = "Angka tambahan di samping IKU 4, tanpa target dan capaian."
            ws.write_string(rr, 10, note, f.td(italic=True))
            h.fit(rr, 10, note, f.size)
            continue
        satuan = str(r["satuan"])
        _write_value(ws, f, rr, 6, r["target"], satuan)
        _write_value(ws, f, rr, 7, r["realisasi"], satuan, r["status_realisasi"])
        h.fit(rr, 7, TEKS_BELUM_TERSEDIA if r["status_realisasi"] == BELUM_TERSEDIA else "", f.size)
        _write_value(ws, f, rr, 8, r["capaian"], "%")
        ws.write_string(rr, 9, r["predikat"] or "", f.td(align="center"))
        ws.write_string(rr, 10, r["keterangan"] or "", f.td())
        h.fit(rr, 10, r["keterangan"] or "", f.size)
    row += len(text_rows)

    h.need[row] = 10
    row += 1
    notes = [f"Angka tahun {tahun} diolah oleh run: {', '.join(runs) or '-'}.",
             CATATAN_STRIP, CATATAN_ANGKA]
    row = _footer(ws, f, h, row, notes, (0, 5), (_signature_cols(widths), ncols - 1))
    h.apply(ws)
    _print_setup(ws, row - 1, ncols - 1, repeat=(header_row, header_row + 1),
                 footer=f"Matriks IKU {OPD.nama_opd.title()} Tahun {tahun}")


def _csv_number(value: object, satuan: str, decimal: str) -> str:
    if is_missing(value):
        return ""
    v = float(value)
    text = f"{v:.0f}" if satuan != "%" and v.is_integer() else f"{v:.2f}"
    return text.replace(".", decimal)


def _csv_bytes(rows: pd.DataFrame, sep: str, decimal: str) -> bytes:
    text = _csv_frame(rows, decimal).to_csv(index=False, sep=sep, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def _csv_frame(rows: pd.DataFrame, decimal: str) -> pd.DataFrame:
    """The matrix rows of one year as the CSV shows them (texts, numbers as text)."""
    by_kode = {str(r["kode"]): r for r in rows.to_dict("records")}
    out = []
    for t in _text_rows([k for k in (i.kode for i in INDIKATOR) if k in by_kode]):
        r = by_kode[t["kode"]]
        status = r["status_realisasi"]
        if t["tambahan"]:
            value, status = r["persen_selesai"], _tambahan_status(r)
            target = capaian = predikat = ""
            keterangan = "Angka tambahan di samping IKU 4, tanpa target dan capaian."
            satuan = "%"
        else:
            value, satuan = r["realisasi"], str(r["satuan"])
            target = _csv_number(r["target"], satuan, decimal)
            capaian = _csv_number(r["capaian"], "%", decimal)
            predikat = r["predikat"] or ""
            keterangan = r["keterangan"] or ""
        if status == BELUM_TERSEDIA:
            realisasi = TEKS_BELUM_TERSEDIA
        elif status == PENYEBUT_NOL:
            realisasi = TEKS_PENYEBUT_NOL
        else:
            realisasi = _csv_number(value, satuan, decimal)
        out.append(
            (int(r["tahun"]), t["no"], t["uraian"], t["satuan"], t["alasan"], t["sumber"],
             t["rumus"], target, realisasi, capaian, predikat, keterangan,
             "" if is_missing(r["run_id"]) else str(r["run_id"]))
        )  # fmt: skip
    return pd.DataFrame(out, columns=list(CSV_HEADERS))


def write_matriks_periode_csv(
    matriks_all: pd.DataFrame,
    out_dir: str | Path,
    years: Sequence[int] = tuple(range(PERIODE[0], PERIODE[1] + 1)),
    *,
    csv_sep: str = ";",
    csv_decimal: str = ",",
) -> Path:
    """``matriks_iku_<first>-<last>.csv``: the matrix's columns, then TARGET / REALISASI /
    CAPAIAN per year side by side (a year never run: "belum diproses")."""
    text_cols = [H_NO, H_URAIAN, H_SATUAN, H_ALASAN, H_SUMBER, H_RUMUS]
    wide = None
    for tahun in years:
        rows = matriks_all[matriks_all["tahun"] == tahun]
        if rows.empty:
            continue
        year = _csv_frame(rows, csv_decimal)[[*text_cols, H_TARGET, H_REALISASI, H_CAPAIAN]]
        year = year.rename(columns={h: f"{h} {tahun}" for h in (H_TARGET, H_REALISASI, H_CAPAIAN)})
        wide = year if wide is None else wide.merge(year, on=text_cols, how="outer", sort=False)
    if wide is None:
        wide = pd.DataFrame(columns=text_cols)
    for tahun in years:
        for h in (H_TARGET, H_REALISASI, H_CAPAIAN):
            if f"{h} {tahun}" not in wide:
                wide[f"{h} {tahun}"] = TEKS_BELUM_DIPROSES if h == H_REALISASI else ""
    wide = wide[text_cols + [f"{h} {t}" for t in years for h in (H_TARGET, H_REALISASI, H_CAPAIAN)]]
    path = Path(out_dir) / f"matriks_iku_{years[0]}-{years[-1]}.csv"
    with _atomic(path) as tmp:
        text = wide.to_csv(index=False, sep=csv_sep, lineterminator="\r\n")
        tmp.write_bytes(text.encode("utf-8-sig"))
    return path


# ---------------------------------------------------------------- matriks 2021-2025


def write_matriks_periode(
    matriks_all: pd.DataFrame,
    matriks_kelurahan_all: pd.DataFrame | None,
    charts: Mapping[str, bytes] | None,
    runs: Mapping[int, str] | None,
    out_dir: str | Path,
    years: Sequence[int] = tuple(range(PERIODE[0], PERIODE[1] + 1)),
) -> Path:
    """``matriks_iku_<first>-<last>.xlsx``: the years side by side (TARGET / REALISASI /
    CAPAIAN (%) per year), a sheet per kelurahan figures, the trend charts, and which run
    produced each year. A year never run shows "belum diproses"."""
    out_dir = Path(out_dir)
    years = sorted(int(y) for y in years)
    path = out_dir / f"matriks_iku_{years[0]}-{years[-1]}.xlsx"
    run_of: dict[int, str] = {}
    for r in matriks_all.to_dict("records"):
        if not is_missing(r.get("run_id")):
            run_of.setdefault(int(r["tahun"]), str(r["run_id"]))
    for y, run in (runs or {}).items():
        if run:
            run_of[int(y)] = str(run)

    with _atomic(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp))
        wb.set_properties(
            {
                "title": f"Matriks IKU {OPD.nama_opd.title()} {years[0]}-{years[-1]}",
                "author": OPD.nama_opd.title(),
                "comments": "; ".join(
                    f"{y}: {run_of.get(y, TEKS_BELUM_DIPROSES)}" for y in years
                ),
            }
        )
        _sheet_periode(wb, _ordered(matriks_all), years, run_of)
        if matriks_kelurahan_all is not None:
            _sheet_kelurahan(wb, matriks_kelurahan_all, matriks_all, years)
        if charts:
            _sheet_grafik(wb, charts, years)
        wb.close()
    return path


_PERIODE_TEXT_WIDTHS = (4.5, 26, 8, 14, 13, 20)
_PERIODE_YEAR_WIDTHS = (8, 9.5, 8.5)
_PERIODE_KET_WIDTH = 34


def _sheet_periode(wb, matriks: pd.DataFrame, years: list[int], run_of: Mapping[int, str]):
    ws = wb.add_worksheet(f"Matriks IKU {years[0]}-{years[-1]}")
    f = _Formats(wb, size=9)
    widths = list(_PERIODE_TEXT_WIDTHS)
    for _ in years:
        widths += _PERIODE_YEAR_WIDTHS
    widths.append(_PERIODE_KET_WIDTH)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ncols = len(widths)
    h = _Heights(widths)
    row = _header_block(
        ws, f, h, ncols, f"TARGET, REALISASI DAN CAPAIAN TAHUN {years[0]} - {years[-1]}"
    )

    header_row = row
    for c, text in enumerate((H_NO, H_URAIAN, H_SATUAN, H_ALASAN, H_SUMBER, H_RUMUS)):
        ws.merge_range(row, c, row + 1, c, text, f.th())
        h.fit_rows(row, row + 1, c, text, f.size, bold=True)
    for i, y in enumerate(years):
        c = 6 + 3 * i
        ws.merge_range(row, c, row, c + 2, str(y), f.th())
        for j, text in enumerate((H_TARGET, H_REALISASI, H_CAPAIAN)):
            ws.write_string(row + 1, c + j, text, f.th())
            h.fit(row + 1, c + j, text, f.size, bold=True)
    ws.merge_range(row, ncols - 1, row + 1, ncols - 1, H_KETERANGAN, f.th())
    for c in range(ncols):
        ws.write_number(row + 2, c, c + 1, f.nomor())
    row += 3

    cell = {(int(r["tahun"]), str(r["kode"])): r for r in matriks.to_dict("records")}
    kodes = [i.kode for i in INDIKATOR]
    text_rows = _text_rows(kodes)
    _write_text_columns(ws, f, h, row, text_rows)
    for i, t in enumerate(text_rows):
        rr = row + i
        ind = INDIKATOR_BY_KODE[t["kode"]]
        for k, y in enumerate(years):
            c = 6 + 3 * k
            r = cell.get((y, t["kode"]))
            if r is None:
                ws.write_blank(rr, c, None, f.td())
                _write_value(ws, f, rr, c + 1, None, ind.satuan, TEKS_BELUM_DIPROSES)
                h.fit(rr, c + 1, TEKS_BELUM_DIPROSES, f.size)
                ws.write_blank(rr, c + 2, None, f.td())
                continue
            status = r["status_realisasi"]
            if t["tambahan"]:
                status = _tambahan_status(r)
                ws.write_blank(rr, c, None, f.td())
                _write_value(ws, f, rr, c + 1, r["persen_selesai"], "%", status, italic=True)
                ws.write_blank(rr, c + 2, None, f.td())
            else:
                _write_value(ws, f, rr, c, r["target"], ind.satuan)
                _write_value(ws, f, rr, c + 1, r["realisasi"], ind.satuan, status)
                _write_value(ws, f, rr, c + 2, r["capaian"], "%")
            if status == BELUM_TERSEDIA:
                h.fit(rr, c + 1, TEKS_BELUM_TERSEDIA, f.size)
        if t["tambahan"]:
            note = "Angka tambahan di samping IKU 4, tanpa target dan capaian."
            ws.write_string(rr, ncols - 1, note, f.td(italic=True))
        else:
            rows_k = matriks[matriks["kode"].astype(str) == t["kode"]]
            rows_k = rows_k[rows_k["tahun"].astype(int).isin(years)]
            note = keterangan_periode(rows_k) if not rows_k.empty else ind.catatan
            ws.write_string(rr, ncols - 1, note, f.td())
        h.fit(rr, ncols - 1, note, f.size)
    row += len(text_rows)

    # Which run produced each year (the office can trace every figure).
    h.need[row] = 10
    row += 1
    notes = ["Angka tiap tahun diolah oleh run:"]
    notes += [f"    {y}: {run_of.get(y, TEKS_BELUM_DIPROSES)}" for y in years]
    notes += [CATATAN_STRIP, CATATAN_ANGKA]
    row = _footer(ws, f, h, row, notes, (0, 5), (_signature_cols(widths, 36), ncols - 1))
    h.apply(ws)
    _print_setup(ws, row - 1, ncols - 1, repeat=(header_row, header_row + 2),
                 footer=f"Matriks IKU {OPD.nama_opd.title()} {years[0]}-{years[-1]}")


def _sheet_kelurahan(wb, kel: pd.DataFrame, matriks: pd.DataFrame, years: list[int]):
    """REALISASI per kelurahan and year, the kecamatan's figure under them."""
    ws = wb.add_worksheet("Per Kelurahan")
    f = _Formats(wb, size=9)
    widths = [4.5, 40, 8, 22] + [16] * len(years)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ncols = len(widths)
    h = _Heights(widths)
    title = f(bold=True, align="center", font_size=f.size + 3)
    ws.merge_range(0, 0, 0, ncols - 1, OPD.judul, title)
    ws.merge_range(1, 0, 1, ncols - 1, OPD.kota, title)
    ws.merge_range(2, 0, 2, ncols - 1, f"REALISASI PER KELURAHAN TAHUN {years[0]} - {years[-1]}",
                   f(bold=True, align="center", font_size=f.size + 1))
    ws.merge_range(3, 0, 3, ncols - 1, f"NAMA OPD : {OPD.nama_opd}", f(bold=True, align="center"))
    for r_ in range(4):
        h.need[r_] = _height(1, f.size + 3)
    row = 5
    header_row = row
    for c, text in enumerate((H_NO, H_URAIAN, H_SATUAN, H_KELURAHAN)):
        ws.merge_range(row, c, row + 1, c, text, f.th())
    ws.merge_range(row, 4, row, 3 + len(years), H_REALISASI, f.th())
    for i, y in enumerate(years):
        ws.write_string(row + 1, 4 + i, str(y), f.th())
    for c in range(ncols):
        ws.write_number(row + 2, c, c + 1, f.nomor())
    row += 3

    kel_cell = {(int(r["tahun"]), str(r["kode"]), r["wilayah"]): r for r in kel.to_dict("records")}
    kec_cell = {(int(r["tahun"]), str(r["kode"])): r for r in matriks.to_dict("records")}
    wilayah = [*KELURAHAN, KECAMATAN]
    for t in _text_rows([i.kode for i in INDIKATOR]):
        first = row
        ind = INDIKATOR_BY_KODE[t["kode"]]
        for w in wilayah:
            total = w == KECAMATAN
            ws.write_string(row, 3, w, f.td(bold=total))
            for i, y in enumerate(years):
                r = kec_cell.get((y, t["kode"])) if total else kel_cell.get((y, t["kode"], w))
                c = 4 + i
                if r is None:
                    _write_value(ws, f, row, c, None, ind.satuan, TEKS_BELUM_DIPROSES, bold=total)
                    h.fit(row, c, TEKS_BELUM_DIPROSES, f.size)
                    continue
                status = r["status_realisasi"]
                if t["tambahan"]:
                    value, status, satuan = r["persen_selesai"], _tambahan_status(r), "%"
                else:
                    value, satuan = r["realisasi"], ind.satuan
                _write_value(ws, f, row, c, value, satuan, status, bold=total)
                if status == BELUM_TERSEDIA:
                    h.fit(row, c, TEKS_BELUM_TERSEDIA, f.size)
            row += 1
        last = row - 1
        for r_ in range(first, last + 1):  # NO on every row: a page may break in a block
            ws.write_string(r_, 0, t["no"], f.td(align="center"))
        _block(ws, f, h, first, last, 1, t["uraian"], f.size, italic=t["tambahan"])
        _block(ws, f, h, first, last, 2, t["satuan"], f.size, align="center")
    row += 1
    small = f(italic=True, text_wrap=True, font_size=f.size - 1)
    notes = [CATATAN_STRIP,
             "Target ditetapkan untuk kecamatan; capaian tidak dihitung per kelurahan.",
             f"Baris tambahan IKU 4: {TAMBAHAN_4_RUMUS}; tanpa target dan capaian."]
    notes += [f"IKU {i.no}: {i.catatan}" for i in INDIKATOR if i.catatan]
    for note in notes:
        ws.merge_range(row, 0, row, ncols - 1, note, small)
        h.fit(row, 0, note, f.size - 1, last_col=ncols - 1)
        row += 1
    h.apply(ws)
    _print_setup(ws, row - 1, ncols - 1, repeat=(header_row, header_row + 2),
                 footer=f"Realisasi IKU per kelurahan {years[0]}-{years[-1]}")


def _png_size(png: bytes) -> tuple[int, int, float]:
    """Width, height (px) and dpi of a PNG, as xlsxwriter will place it."""
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    dpi = 96.0
    pos = png.find(b"pHYs")
    if pos > 0:
        ppm = int.from_bytes(png[pos + 4 : pos + 8], "big")
        if png[pos + 12] == 1 and ppm:
            dpi = round(ppm * 0.0254)
    return width, height, dpi


def _sheet_grafik(wb, charts: Mapping[str, bytes], years: list[int]) -> None:
    ws = wb.add_worksheet("Grafik")
    f = _Formats(wb)
    col_px, row_px = 64, 20  # default column width 8.43 and row height 15 pt
    ncols = 16
    ws.merge_range(0, 0, 0, ncols - 1, f"GRAFIK REALISASI IKU {OPD.nama_opd} "
                   f"TAHUN {years[0]} - {years[-1]}", f(bold=True, align="center", font_size=12))
    ws.set_row(0, 20)
    order = [i.kode for i in INDIKATOR if i.kode in charts]
    order += [k for k in charts if k not in order]
    target_w = ncols // 2 * col_px - 16  # two charts side by side
    first_row, block_rows = 2, 0
    breaks = []
    for n, kode in enumerate(order):
        png = charts[kode]
        w, hgt, dpi = _png_size(png)
        shown_w, shown_h = w * 96 / dpi, hgt * 96 / dpi
        scale = target_w / shown_w
        block_rows = math.ceil(shown_h * scale / row_px) + 1
        pair = n // 2
        r = first_row + pair * block_rows
        c = 0 if n % 2 == 0 else ncols // 2
        ws.insert_image(r, c, f"iku_{kode}.png", {
            "image_data": io.BytesIO(png), "x_scale": scale, "y_scale": scale,
            "x_offset": 4, "y_offset": 4, "object_position": 3,
            "description": f"Grafik realisasi IKU {INDIKATOR_BY_KODE[kode].no}"
            if kode in INDIKATOR_BY_KODE else f"Grafik {kode}",
        })  # fmt: skip
        if n % 2 == 1 and pair % 2 == 1:
            breaks.append(first_row + (pair + 1) * block_rows)
    pairs = math.ceil(len(order) / 2)
    last_row = first_row + pairs * block_rows
    ws.set_h_pagebreaks([b for b in breaks if b < last_row])
    _print_setup(ws, last_row, ncols - 1, footer="Grafik realisasi IKU")


# ---------------------------------------------------------------- baris ditolak

_REJECT_FIXED = ("BARIS", "KOLOM", "ALASAN")

# Rows listed per delivered file. A clerk fixes a file from its first errors (a wrong
# column repeats on every row); all rejected rows stay in the warehouse table
# baris_ditolak, and the summary and each file's heading count them all. Keeps a sheet
# far below Excel's 1,048,576 rows.
MAX_BARIS_PER_BERKAS = 5_000


def _source_order(sumber: Iterable[str]) -> list[str]:
    known = []
    for ind in INDIKATOR:
        for s in ind.sumber:
            if s not in known:
                known.append(s)
    present = set(sumber)
    return [s for s in known if s in present] + sorted(present - set(known))


def _source_title(sumber: str) -> str:
    try:
        from iku_pipeline.sources.specs import SOURCES
    except ImportError:  # the report does not need the specs to be written
        return sumber
    spec = SOURCES.get(sumber)
    return f"{spec.judul} ({sumber})" if spec else sumber


def _header_of(sumber: str, kolom: str, headers: Sequence[str]) -> str | None:
    """The file's own header for the contract column ``kolom`` (by name or alias)."""
    if not kolom:
        return None
    try:
        from iku_pipeline.sources.specs import SOURCES, normalise_header
    except ImportError:
        return None
    spec = SOURCES.get(sumber)
    names = {normalise_header(kolom)}
    if spec is not None and kolom in spec.names:
        names |= {normalise_header(a) for a in spec.column(kolom).aliases}
    for head in headers:
        if normalise_header(head) in names:
            return head
    return None


def write_baris_ditolak(baris_ditolak: pd.DataFrame, tahun: int, out_dir: str | Path) -> Path:
    """``baris_ditolak_<tahun>.xlsx``: a summary sheet, then one sheet per source with each
    rejected row — file, row, column, reason and the row's (masked) values under the
    file's own headers — sorted by file and row so a clerk can fix the extract and
    deliver it again. The failing value is highlighted."""
    out_dir = Path(out_dir)
    path = out_dir / f"baris_ditolak_{tahun}.xlsx"
    frame = baris_ditolak
    if "tahun" in frame.columns:
        frame = frame[frame["tahun"].astype(int) == int(tahun)]
    frame = frame.assign(
        kolom=frame["kolom"].fillna("").astype(str), baris=frame["baris"].astype(int)
    ).sort_values(["berkas", "baris", "kolom"], kind="stable")
    sources = _source_order(frame["sumber"].unique())

    with _atomic(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False})
        wb.set_properties({"title": f"Baris ditolak tahun {tahun}",
                           "author": OPD.nama_opd.title()})
        _sheet_ringkasan(wb, frame, sources, int(tahun))
        for sumber in sources:
            _sheet_sumber(wb, frame[frame["sumber"] == sumber], sumber, int(tahun))
        wb.close()
    return path


def _sheet_ringkasan(wb, frame: pd.DataFrame, sources: list[str], tahun: int) -> None:
    ws = wb.add_worksheet("Ringkasan")
    f = _Formats(wb)
    widths = (34, 40, 16)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    h = _Heights(widths)
    last = len(widths) - 1
    title = f(bold=True, align="center", font_size=13)
    ws.merge_range(0, 0, 0, last, f"DAFTAR BARIS DITOLAK TAHUN {tahun}", title)
    ws.merge_range(1, 0, 1, last, OPD.nama_opd, f(bold=True, align="center", font_size=11))
    h.need[0] = h.need[1] = 20
    intro = (
        "Baris di bawah ini tidak dipakai dalam perhitungan IKU. Buka lembar tiap sumber "
        "data, perbaiki isi baris pada berkas aslinya (nomor baris seperti yang tampil di "
        "Excel), lalu serahkan kembali berkas yang sudah diperbaiki. Data pribadi (NIK, "
        "nama) disamarkan."
    )
    ws.merge_range(3, 0, 3, last, intro, f(text_wrap=True))
    h.fit(3, 0, intro, f.size, last_col=last)
    row = 5
    for c, text in enumerate(("SUMBER DATA", "BERKAS", "BARIS DITOLAK")):
        ws.write_string(row, c, text, f.th())
    row += 1
    if frame.empty:
        text = f"Tidak ada baris ditolak untuk tahun {tahun}."
        ws.merge_range(row, 0, row, last, text, f.td(italic=True))
        row += 1
    for sumber in sources:
        part = frame[frame["sumber"] == sumber]
        counts = part.groupby("berkas", sort=True).size()
        first = row
        for berkas, n in counts.items():
            ws.write_string(row, 1, str(berkas), f.td())
            h.fit(row, 1, str(berkas), f.size)
            ws.write_number(row, 2, int(n), f.num(COUNT_FORMAT))
            row += 1
        _block(ws, f, h, first, row - 1, 0, _source_title(sumber), f.size)
    if not frame.empty:
        ws.write_string(row, 0, "JUMLAH", f.td(bold=True))
        ws.write_blank(row, 1, None, f.td())
        ws.write_number(row, 2, len(frame), f.num(COUNT_FORMAT, bold=True))
        row += 1
    h.apply(ws)
    _print_setup(ws, row - 1, last, footer=f"Baris ditolak tahun {tahun}")


def _isi(text: object) -> dict[str, str]:
    if is_missing(text) or not str(text).strip():
        return {}
    try:
        values = json.loads(str(text))
    except ValueError:
        return {"isi baris": str(text)}
    if not isinstance(values, dict):
        return {"isi baris": str(text)}
    return {str(k): "" if v is None else str(v) for k, v in values.items()}


def _ribuan(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _sheet_sumber(wb, part: pd.DataFrame, sumber: str, tahun: int) -> None:
    ws = wb.add_worksheet(sumber[:31])
    f = _Formats(wb)
    per_file = {str(k): n for k, n in part.groupby("berkas", sort=False).size().items()}
    records = part.groupby("berkas", sort=False).head(MAX_BARIS_PER_BERKAS).to_dict("records")
    sections: dict[str, list[tuple[dict, dict[str, str]]]] = {}
    for r in records:
        sections.setdefault(str(r["berkas"]), []).append((r, _isi(r["isi_baris"])))

    # Column widths: the fixed columns, then the widest value column by position.
    value_cols = 0
    value_len: dict[int, int] = defaultdict(int)
    for rows in sections.values():
        heads: list[str] = []
        for _, isi in rows:
            heads += [k for k in isi if k not in heads]
        value_cols = max(value_cols, len(heads))
        for i, head in enumerate(heads):
            longest = max([len(head)] + [len(isi.get(head, "")) for _, isi in rows])
            value_len[i] = max(value_len[i], longest)
    widths = [8, 18, 42] + [min(max(value_len[i] * 1.05 + 2, 9), 32) for i in range(value_cols)]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ncols = len(widths)
    h = _Heights(widths)
    title = f"BARIS DITOLAK TAHUN {tahun} — {_source_title(sumber).upper()}"
    ws.merge_range(0, 0, 0, ncols - 1, title, f(bold=True, font_size=12))
    h.need[0] = 20
    row = 2
    if len(part) > len(records):
        text = (
            f"Dari tiap berkas, lembar ini memuat paling banyak "
            f"{_ribuan(MAX_BARIS_PER_BERKAS)} baris ditolak pertama ({_ribuan(len(records))} "
            f"dari {_ribuan(len(part))}); semuanya tercatat di tabel baris_ditolak. Perbaiki "
            "dulu kesalahan di bawah ini: kesalahan yang sama biasanya berulang."
        )
        ws.merge_range(row, 0, row, ncols - 1, text, f(bold=True, text_wrap=True,
                                                         font_color="#C00000"))
        h.fit(row, 0, text, f.size, last_col=ncols - 1, bold=True)
        row += 2
    repeat = (row, row + 1) if len(sections) == 1 else None  # one file: repeat its header
    bad = f.td(bg_color="#F8CBAD", bold=True)
    for berkas, rows in sections.items():
        heads: list[str] = []
        for _, isi in rows:
            heads += [k for k in isi if k not in heads]
        n = per_file[berkas]
        shown = "" if len(rows) == n else f" (ditampilkan {_ribuan(len(rows))})"
        text = f"Berkas: {berkas} — {_ribuan(n)} baris ditolak{shown}"
        ws.merge_range(row, 0, row, ncols - 1, text, f(bold=True, bg_color="#FFF2CC",
                                                         border=1))
        h.fit(row, 0, text, f.size, last_col=ncols - 1, bold=True)
        row += 1
        for c, head in enumerate(list(_REJECT_FIXED) + heads):
            ws.write_string(row, c, head, f.th())
            h.fit(row, c, head, f.size, bold=True)
        for c in range(3 + len(heads), ncols):
            ws.write_blank(row, c, None, f.th())
        row += 1
        for r, isi in rows:
            kolom = str(r["kolom"])
            head = _header_of(sumber, kolom, heads)
            ws.write_number(row, 0, int(r["baris"]), f(num_format="0", border=1, align="center"))
            shown = head or kolom or "(seluruh baris)"
            ws.write_string(row, 1, shown, f.td())
            h.fit(row, 1, shown, f.size)
            ws.write_string(row, 2, str(r["alasan"]), f.td())
            h.fit(row, 2, str(r["alasan"]), f.size)
            for c, key in enumerate(heads, start=3):
                value = isi.get(key, "")
                ws.write_string(row, c, value, bad if key == head else f.td())
                h.fit(row, c, value, f.size)
            for c in range(3 + len(heads), ncols):
                ws.write_blank(row, c, None, f.td())
            row += 1
        row += 1
    h.apply(ws)
    _print_setup(ws, max(row - 2, 0), ncols - 1, repeat=repeat,
                 footer=f"Baris ditolak {sumber} tahun {tahun}")
