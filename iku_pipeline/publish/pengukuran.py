"""``pengukuran_kinerja_<tahun>.xlsx``: the quarterly measurement of performance
(*pengukuran kinerja triwulan*, docs/data-contract.md §8, §5.7), as the office reports it.

- ``Pengukuran TW <tahun>``: per IKU (each followed by its supplementary rows) the
  signed matrix's NO, URAIAN INDIKATOR and SATUAN, the yearly target, then for TW I–IV
  the quarterly target, realisasi and capaian, KETERANGAN and ANALISIS PENYEBAB; headed
  like the matrix and signed (``penandatangan``).
- ``Per Kelurahan``: the realisasi of every quarter per kelurahan, the kecamatan's
  under them.
- ``Grafik``: per IKU, its quarterly realisasi against its yearly target as a native
  Excel chart (columns and a target line) beside the cells it is drawn from, so the
  office can edit it.

Every sheet prints A4 landscape, one page wide. The rows and notes come from
``pengukuran_baris``; the CSV is written there.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from iku_pipeline.indicators.declarations import INDIKATOR, KECAMATAN, OPD
from iku_pipeline.indicators.triwulan import akhir_triwulan, sampai_teks, tanggal_teks
from iku_pipeline.publish.layout import (
    COUNT_FORMAT,
    PCT_FORMAT,
    Formats,
    Heights,
    block,
    finish_block_sheet,
    header_block,
    height,
    notes_and_signature,
    print_setup,
    set_widths,
    signature_cols,
    title_lines,
    workbook,
)
from iku_pipeline.publish.lkjip import H_ANALISIS
from iku_pipeline.publish.matrix import PENYEBUT_NOL, TERSEDIA, is_missing
from iku_pipeline.publish.penandatangan import TandaTangan
from iku_pipeline.publish.pengukuran_baris import (
    BELUM_BERJALAN,
    TRIWULAN,
    Sel,
    Triwulan,
    baris_pengukuran,
    label_tw,
    realisasi_kelurahan,
    write_pengukuran_csv,
)
from iku_pipeline.publish.rows import (
    CATATAN_ANGKA,
    CATATAN_STRIP,
    H_CAPAIAN,
    H_KELURAHAN,
    H_KETERANGAN,
    H_NO,
    H_REALISASI,
    H_SATUAN,
    H_TARGET,
    H_URAIAN,
    text_rows,
    write_value,
)

CATATAN_KUMULATIF = (
    "Realisasi triwulan dihitung kumulatif sejak 1 Januari: TW I s.d. 31 Maret, TW II s.d. "
    "30 Juni, TW III s.d. 30 September, TW IV s.d. 31 Desember (sama dengan realisasi "
    "tahunan)."
)
CATATAN_TARGET_TW = (
    "Capaian triwulan dihitung hanya terhadap target triwulan yang ditetapkan "
    "(target_iku.csv, kolom triwulan), tidak terhadap target tahunan yang dibagi; tanpa "
    "target triwulan, kolom CAPAIAN kosong dan KETERANGAN menyebut sebabnya."
)


def write_pengukuran_tahun(
    triwulan: pd.DataFrame, matriks: pd.DataFrame, targets_tw: pd.DataFrame | None,
    kelurahan: Sequence[str], out_dir: str | Path, ttd: TandaTangan | None = None,
) -> list[Path]:
    """The workbook and CSV of the year of ``triwulan`` (its ``realisasi_triwulan``
    rows, ``pengukuran_baris.read_triwulan``); ``targets_tw``: the quarterly targets
    (``targets.read_targets_triwulan``)."""
    tahun = int(triwulan["tahun"].iloc[0])
    triwulan = triwulan[triwulan["tahun"].astype(int) == tahun]
    # The rows are indexed and the measurement computed once for both files.
    data = Triwulan(triwulan, tahun)
    baris = baris_pengukuran(triwulan, matriks, targets_tw, tahun, data=data)
    return [
        _write(triwulan, data, baris, out_dir, kelurahan, ttd),
        write_pengukuran_csv(baris, tahun, out_dir, data),
    ]


def write_pengukuran(
    triwulan: pd.DataFrame, matriks: pd.DataFrame, targets_tw: pd.DataFrame | None,
    tahun: int, out_dir: str | Path, kelurahan: Sequence[str] = (),
    ttd: TandaTangan | None = None,
) -> Path:
    """``pengukuran_kinerja_<tahun>.xlsx`` from ``triwulan`` (realisasi_triwulan rows of
    the year), ``matriks`` (matriks_iku rows: yearly target, analisis penyebab) and
    ``targets_tw`` (``targets.read_targets_triwulan``); ``kelurahan`` in the order of
    their rows."""
    tahun = int(tahun)
    triwulan = triwulan[triwulan["tahun"].astype(int) == tahun]
    if triwulan.empty:
        raise ValueError(f"realisasi_triwulan tidak memuat tahun {tahun}")
    data = Triwulan(triwulan, tahun)
    baris = baris_pengukuran(triwulan, matriks, targets_tw, tahun, data=data)
    return _write(triwulan, data, baris, out_dir, kelurahan, ttd)


def _write(triwulan: pd.DataFrame, data: Triwulan, baris: list[dict], out_dir: str | Path,
           kelurahan: Sequence[str], ttd: TandaTangan | None) -> Path:
    """``write_pengukuran`` once the year's rows are indexed (``data``) and measured."""
    tahun = data.tahun
    runs = sorted({str(r) for r in triwulan.get("run_id", pd.Series(dtype=object))
                   if not is_missing(r)})  # fmt: skip
    path = Path(out_dir) / f"pengukuran_kinerja_{tahun}.xlsx"
    with workbook(
        path,
        title=f"Pengukuran Kinerja Triwulan {OPD.nama_opd.title()} Tahun {tahun}",
        comments=f"Diolah oleh run: {', '.join(runs) or '-'}",
    ) as wb:
        _sheet_pengukuran(wb, baris, data, runs, ttd)
        wilayah, cells = realisasi_kelurahan(triwulan, tahun, kelurahan, data=data)
        _sheet_kelurahan(wb, wilayah, cells, data)
        _sheet_grafik(wb, baris, data)
    return path


def _subtitle(data: Triwulan) -> str:
    text = f"PENGUKURAN KINERJA TRIWULAN TAHUN {data.tahun}"
    if data.sampai is not None:
        text += f" ({sampai_teks(data.sampai)})"
    return text


# ---------------------------------------------------------------- the measurement


_WIDTHS = [4.5, 26, 8, 8.5, *([7, 8.5, 8] * 4), 30, 26]
_FIRST_TW = 4  # the column of TW I's TARGET


def _write_sel(ws, f: Formats, h: Heights, row: int, col: int, sel: Sel, satuan: str,
               **emph) -> None:
    if sel.status == BELUM_BERJALAN:
        ws.write_string(row, col, BELUM_BERJALAN, f.kosong(**emph))
        h.fit(row, col, BELUM_BERJALAN, f.size)
    else:
        write_value(ws, f, h, row, col, sel.realisasi, satuan, sel.status, **emph)


def _sheet_pengukuran(wb, baris: list[dict], data: Triwulan, runs: list[str],
                      ttd: TandaTangan | None) -> None:
    ws = wb.add_worksheet(f"Pengukuran TW {data.tahun}")
    f = Formats(wb, size=9)
    widths = _WIDTHS
    set_widths(ws, widths)
    ncols = len(widths)
    h = Heights(widths)
    row = header_block(ws, f, h, ncols, _subtitle(data))

    header_row = row
    heads = (H_NO, H_URAIAN, H_SATUAN, f"{H_TARGET} TAHUN {data.tahun}")
    for c, text in enumerate(heads):
        ws.merge_range(row, c, row + 1, c, text, f.th())
        h.fit_rows(row, row + 1, c, text, f.size, bold=True)
    for q in TRIWULAN:
        c = _FIRST_TW + 3 * (q - 1)
        text = data.judul_tw(q)
        ws.merge_range(row, c, row, c + 2, text, f.th())
        h.fit(row, c, text, f.size, last_col=c + 2, bold=True)
        for j, sub in enumerate((H_TARGET, H_REALISASI, H_CAPAIAN)):
            ws.write_string(row + 1, c + j, sub, f.th())
            h.fit(row + 1, c + j, sub, f.size, bold=True)
    for c, text in ((ncols - 2, H_KETERANGAN), (ncols - 1, H_ANALISIS)):
        ws.merge_range(row, c, row + 1, c, text, f.th())
    for c in range(ncols):
        ws.write_number(row + 2, c, c + 1, f.nomor())
    row += 3

    for i, b in enumerate(baris):
        rr = row + i
        emph = {"italic": True} if b["tambahan"] else {}
        ws.write_string(rr, 0, b["no"], f.td(align="center"))
        ws.write_string(rr, 1, b["uraian"], f.td(**emph))
        h.fit(rr, 1, b["uraian"], f.size)
        ws.write_string(rr, 2, b["satuan"], f.td(align="center"))
        write_value(ws, f, h, rr, 3, b["target_tahun"], b["satuan"])
        for q in TRIWULAN:
            c = _FIRST_TW + 3 * (q - 1)
            sel = b["tw"][q]
            write_value(ws, f, h, rr, c, sel.target, b["satuan"])
            _write_sel(ws, f, h, rr, c + 1, sel, b["satuan"], **emph)
            write_value(ws, f, h, rr, c + 2, sel.capaian, "%")
        for c, key in ((ncols - 2, "keterangan"), (ncols - 1, "analisis")):
            ws.write_string(rr, c, b[key], f.td(**emph))
            h.fit(rr, c, b[key], f.size)
    row += len(baris)

    h.need[row] = 10
    row += 1
    notes = [f"Angka tahun {data.tahun} diolah oleh run: {', '.join(runs) or '-'}.",
             CATATAN_KUMULATIF, CATATAN_TARGET_TW, CATATAN_STRIP, CATATAN_ANGKA]
    row = notes_and_signature(ws, f, h, row, notes, (0, 9),
                              (signature_cols(widths, 40), ncols - 1), ttd)
    h.apply(ws)
    print_setup(ws, row - 1, ncols - 1, repeat=(header_row, header_row + 2),
                footer=f"Pengukuran Kinerja Triwulan {OPD.nama_opd.title()} {data.tahun}")


# ---------------------------------------------------------------- per kelurahan


def _sheet_kelurahan(wb, wilayah: list[str], cells: dict, data: Triwulan) -> None:
    ws = wb.add_worksheet("Per Kelurahan")
    f = Formats(wb, size=9)
    widths = [4.5, 40, 8, 22, 17, 17, 17, 17]
    set_widths(ws, widths)
    ncols = len(widths)
    h = Heights(widths)
    title_lines(ws, f, h, ncols - 1, f"REALISASI TRIWULAN PER KELURAHAN TAHUN {data.tahun}")
    ws.merge_range(3, 0, 3, ncols - 1, f"NAMA OPD : {OPD.nama_opd}", f(bold=True, align="center"))
    h.need[3] = height(1, f.size + 3)
    row = 5
    header_row = row
    for c, text in enumerate((H_NO, H_URAIAN, H_SATUAN, H_KELURAHAN)):
        ws.merge_range(row, c, row + 1, c, text, f.th())
    ws.merge_range(row, 4, row, 7, H_REALISASI, f.th())
    for q in TRIWULAN:
        text = data.judul_tw(q)
        ws.write_string(row + 1, 3 + q, text, f.th())
        h.fit(row + 1, 3 + q, text, f.size, bold=True)
    for c in range(ncols):
        ws.write_number(row + 2, c, c + 1, f.nomor())
    row += 3

    blocks = []
    for t in text_rows([i.kode for i in INDIKATOR]):
        first = row
        blocks.append(first)
        emph = {"italic": True} if t["tambahan"] else {}
        for w in wilayah:
            total = w == KECAMATAN
            ws.write_string(row, 3, w, f.td(bold=total))
            for q in TRIWULAN:
                sel = cells[(t["kode"], w, q)]
                _write_sel(ws, f, h, row, 3 + q, sel, t["satuan"], bold=total, **emph)
            row += 1
        for r_ in range(first, row):  # NO on every row: a page may break in a block
            ws.write_string(r_, 0, t["no"], f.td(align="center"))
        block(ws, f, h, first, row - 1, 1, t["uraian"], f.size, italic=t["tambahan"])
        block(ws, f, h, first, row - 1, 2, t["satuan"], f.size, align="center")
    blocks.append(row)
    row += 1
    notes = (CATATAN_KUMULATIF, CATATAN_STRIP,
             "Target ditetapkan untuk kecamatan; capaian tidak dihitung per kelurahan.")
    finish_block_sheet(ws, f, h, widths, header_row, row, blocks, notes,
                       footer=f"Realisasi triwulan per kelurahan {data.tahun}")


# ---------------------------------------------------------------- native charts


_CHART_SHEET = "Grafik"
_TABLE_WIDTHS = (11, 11, 11, 11, 26)  # TRIWULAN, REALISASI, TARGET TAHUN, TARGET TW, KET.
_BLOCK_ROWS = 17  # a chart's rows: its title, the table, the chart's height, a gap
_CHART_W, _CHART_H = 560, 300


def _chart_title(b: dict) -> str:
    uraian = b["uraian"].split(" : ")[0]
    return f"IKU {b['no']}. {uraian} ({b['satuan']})"


def _sheet_grafik(wb, baris: list[dict], data: Triwulan) -> None:
    """Per IKU: a small table (the quarters' realisasi, the yearly and quarterly
    targets) and the chart drawn from it; two IKU a page."""
    ws = wb.add_worksheet(_CHART_SHEET)
    f = Formats(wb, size=9)
    set_widths(ws, _TABLE_WIDTHS)
    ws.set_column(len(_TABLE_WIDTHS), len(_TABLE_WIDTHS) + 8, 9.5)
    last_col = len(_TABLE_WIDTHS) + 8
    ws.merge_range(0, 0, 0, last_col, f"GRAFIK REALISASI TRIWULAN IKU {OPD.nama_opd} TAHUN "
                   f"{data.tahun}", f(bold=True, align="center", font_size=12))
    ws.set_row(0, 20)
    ws.merge_range(1, 0, 1, last_col,
                   "Batang: realisasi kumulatif per triwulan; garis: target tahunan. Grafik "
                   "dapat diubah di Excel (data di tabel kiri).",
                   f(italic=True, align="center"))
    indicators = [b for b in baris if not b["tambahan"]]
    breaks = []
    for n, b in enumerate(indicators):
        top = 3 + n * _BLOCK_ROWS
        if n and n % 2 == 0:
            breaks.append(top)
        _chart_block(wb, ws, f, top, b, data)
    last_row = 3 + len(indicators) * _BLOCK_ROWS - 1
    ws.set_h_pagebreaks(breaks)
    print_setup(ws, last_row, last_col, footer=f"Grafik realisasi triwulan IKU {data.tahun}")


def _chart_block(wb, ws, f: Formats, top: int, b: dict, data: Triwulan) -> None:
    satuan = b["satuan"]
    fmt = COUNT_FORMAT if satuan != "%" else PCT_FORMAT
    ws.merge_range(top, 0, top, len(_TABLE_WIDTHS) - 1, _chart_title(b),
                   f(bold=True, text_wrap=True))
    ws.set_row(top, height(2, f.size))
    heads = ("TRIWULAN", H_REALISASI, f"TARGET TAHUN {data.tahun}", "TARGET TRIWULAN",
             H_KETERANGAN)
    for c, text in enumerate(heads):
        ws.write_string(top + 1, c, text, f.th())
    ws.set_row(top + 1, height(2, f.size))
    quarterly = False
    for q in TRIWULAN:
        r = top + 1 + q
        sel: Sel = b["tw"][q]
        ws.write_string(r, 0, label_tw(q), f.td(align="center"))
        # A cell without a number stays blank, so the chart leaves a gap, not a 0.
        if sel.status == TERSEDIA and sel.realisasi is not None:
            ws.write_number(r, 1, sel.realisasi, f.num(fmt))
        else:
            ws.write_blank(r, 1, None, f.td())
        if b["target_tahun"] is not None:
            ws.write_number(r, 2, b["target_tahun"], f.num(fmt))
        else:
            ws.write_blank(r, 2, None, f.td())
        if sel.target is not None:
            quarterly = True
            ws.write_number(r, 3, sel.target, f.num(fmt))
        else:
            ws.write_blank(r, 3, None, f.td())
        ws.write_string(r, 4, _why(sel, q, data), f.td(font_size=f.size - 1))
    if b["target_tahun"] is None:  # say why the chart has no target line
        ws.merge_range(top + 6, 0, top + 6, len(_TABLE_WIDTHS) - 1,
                       f"Target tahun {data.tahun} belum ditetapkan: grafik tanpa garis target.",
                       f(italic=True))

    sheet = _CHART_SHEET
    first, last = top + 2, top + 5
    chart = wb.add_chart({"type": "column"})
    chart.add_series({
        "name": H_REALISASI.capitalize(),
        "categories": [sheet, first, 0, last, 0],
        "values": [sheet, first, 1, last, 1],
        "fill": {"color": "#4472C4"},
        "gap": 80,
        "data_labels": {"value": True, "num_format": fmt, "font": {"size": 8}},
    })  # fmt: skip
    line = wb.add_chart({"type": "line"})
    if b["target_tahun"] is not None:
        line.add_series({
            "name": f"Target tahun {data.tahun}",
            "categories": [sheet, first, 0, last, 0],
            "values": [sheet, first, 2, last, 2],
            "line": {"color": "#C00000", "width": 2, "dash_type": "dash"},
            "marker": {"type": "none"},
        })  # fmt: skip
    if quarterly:
        line.add_series({
            "name": "Target triwulan",
            "categories": [sheet, first, 0, last, 0],
            "values": [sheet, first, 3, last, 3],
            "line": {"none": True},
            "marker": {"type": "diamond", "size": 8, "fill": {"color": "#ED7D31"},
                       "border": {"color": "#ED7D31"}},
        })  # fmt: skip
    if b["target_tahun"] is not None or quarterly:
        chart.combine(line)
    chart.set_title({"name": _chart_title(b), "name_font": {"size": 10, "bold": True}})
    axis = {"min": 0, "num_format": "0", "major_gridlines": {
        "visible": True, "line": {"color": "#D9D9D9"}}}
    if satuan == "%":
        axis["max"] = 100
    chart.set_y_axis(axis)
    chart.set_x_axis({"name": f"Triwulan tahun {data.tahun}"})
    chart.set_legend({"position": "bottom"})
    chart.show_blanks_as("gap")
    chart.set_size({"width": _CHART_W, "height": _CHART_H})
    ws.insert_chart(top, len(_TABLE_WIDTHS), chart,
                    {"x_offset": 10, "y_offset": 2, "object_position": 1,
                     "description": f"Grafik realisasi triwulan {_chart_title(b)}"})


def _why(sel: Sel, q: int, data: Triwulan) -> str:
    """The mini table's KETERANGAN of a quarter: why it has no bar, or the day a running
    quarter's realisasi runs to."""
    if sel.status == PENYEBUT_NOL:
        return "penyebut 0: tidak dapat dihitung"
    text = sel.teks()
    if text is not None:
        return text
    if sel.sampai is not None and sel.sampai < akhir_triwulan(data.tahun, q):
        return f"s.d. {tanggal_teks(sel.sampai)}"
    return ""
