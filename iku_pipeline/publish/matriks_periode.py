"""``matriks_iku_<first>-<last>.xlsx``: the years of the period side by side
(DATA_CONTRACT §5), a sheet of the figures per kelurahan, and the trend charts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from iku_pipeline.indicators.declarations import (
    INDIKATOR,
    KECAMATAN,
    OPD,
)
from iku_pipeline.publish.charts import Trend, sheet_grafik
from iku_pipeline.publish.layout import (
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
from iku_pipeline.publish.matriks_lkjip import sheet_lkjip
from iku_pipeline.publish.matrix import is_missing, keterangan_tahun
from iku_pipeline.publish.penandatangan import TandaTangan
from iku_pipeline.publish.rows import (
    CATATAN_ANGKA,
    CATATAN_STRIP,
    H_ALASAN,
    H_CAPAIAN,
    H_KELURAHAN,
    H_KETERANGAN,
    H_NO,
    H_REALISASI,
    H_RUMUS,
    H_SATUAN,
    H_SUMBER,
    H_TARGET,
    H_URAIAN,
    PERIODE_YEARS,
    TEKS_BELUM_DIPROSES,
    catatan_tambahan,
    ordered,
    realisasi_of,
    target_of,
    text_rows,
    write_text_columns,
    write_value,
)
from iku_pipeline.publish.triwulan import label_tahun  # the running year (§8)


def write_matriks_periode(
    matriks_all: pd.DataFrame,
    matriks_kelurahan_all: pd.DataFrame | None,
    charts: Mapping[str, Trend] | None,
    runs: Mapping[int, str] | None,
    out_dir: str | Path,
    years: Sequence[int] = PERIODE_YEARS,
    status: Sequence[str] | None = None,
    ttd: TandaTangan | None = None,
    targets_not_run: pd.DataFrame | None = None,
) -> Path:
    """``matriks_iku_<first>-<last>.xlsx``: the years side by side (TARGET / REALISASI /
    CAPAIAN (%) per year), the LKjIP comparisons (``matriks_lkjip``), a sheet per
    kelurahan figures, the trend charts, and which run produced each year. A year never
    run shows "belum diproses" and its target from ``targets_not_run`` (``kode, tahun,
    target``). ``status``: a line per year from ``status_publikasi``
    (``publish/status.py``), shown above the matrix. ``ttd``: the signature block
    (``penandatangan``), by default the signed matrix's own."""
    years = sorted(int(y) for y in years)
    path = Path(out_dir) / f"matriks_iku_{years[0]}-{years[-1]}.xlsx"
    run_of: dict[int, str] = {}
    for r in matriks_all.to_dict("records"):
        if not is_missing(r.get("run_id")):
            run_of.setdefault(int(r["tahun"]), str(r["run_id"]))
    for y, run in (runs or {}).items():
        if run:
            run_of[int(y)] = str(run)

    with workbook(
        path,
        title=f"Matriks IKU {OPD.nama_opd.title()} {years[0]}-{years[-1]}",
        comments="; ".join(f"{y}: {run_of.get(y, TEKS_BELUM_DIPROSES)}" for y in years),
    ) as wb:
        _sheet_matriks(wb, ordered(matriks_all), years, run_of, status, ttd,
                       target_of(targets_not_run))
        sheet_lkjip(wb, matriks_all, years, ttd)
        if matriks_kelurahan_all is not None:
            _sheet_kelurahan(wb, matriks_kelurahan_all, matriks_all, years)
        if charts:
            sheet_grafik(wb, charts, years)  # native Excel charts (charts.py)
    return path


_TEXT_WIDTHS = (4.5, 26, 8, 14, 13, 20)
_YEAR_WIDTHS = (8, 9.5, 8.5)
_KET_WIDTH = 34


def _sheet_matriks(wb, matriks: pd.DataFrame, years: list[int], run_of: Mapping[int, str],
                   status: Sequence[str] | None = None, ttd: TandaTangan | None = None,
                   belum: Mapping[tuple[int, str], float] | None = None):
    ws = wb.add_worksheet(f"Matriks IKU {years[0]}-{years[-1]}")
    f = Formats(wb, size=9)
    widths = list(_TEXT_WIDTHS)
    for _ in years:
        widths += _YEAR_WIDTHS
    widths.append(_KET_WIDTH)
    set_widths(ws, widths)
    ncols = len(widths)
    h = Heights(widths)
    row = header_block(
        ws, f, h, ncols, f"TARGET, REALISASI DAN CAPAIAN TAHUN {years[0]} - {years[-1]}"
    )
    if status:
        row = _status_block(ws, f, h, row, ncols, status)

    header_row = row
    for c, text in enumerate((H_NO, H_URAIAN, H_SATUAN, H_ALASAN, H_SUMBER, H_RUMUS)):
        ws.merge_range(row, c, row + 1, c, text, f.th())
        h.fit_rows(row, row + 1, c, text, f.size, bold=True)
    for i, y in enumerate(years):
        c = 6 + 3 * i
        label = label_tahun(matriks, y)  # the running year: "realisasi s.d. …" (§8)
        ws.merge_range(row, c, row, c + 2, label, f.th())
        h.fit(row, c, label, f.size, last_col=c + 2, bold=True)
        for j, text in enumerate((H_TARGET, H_REALISASI, H_CAPAIAN)):
            ws.write_string(row + 1, c + j, text, f.th())
            h.fit(row + 1, c + j, text, f.size, bold=True)
    ws.merge_range(row, ncols - 1, row + 1, ncols - 1, H_KETERANGAN, f.th())
    for c in range(ncols):
        ws.write_number(row + 2, c, c + 1, f.nomor())
    row += 3

    cell = {(int(r["tahun"]), str(r["kode"])): r for r in matriks.to_dict("records")}
    texts = text_rows([i.kode for i in INDIKATOR])
    write_text_columns(ws, f, h, row, texts)
    for i, t in enumerate(texts):
        rr = row + i
        emph = {"italic": True} if t["tambahan"] else {}  # no target, no capaian
        for k, y in enumerate(years):
            c = 6 + 3 * k
            # None: a year never run, or published without this supplementary row
            r = cell.get((y, t["kode"]))
            value, satuan, status = realisasi_of(t, r)
            if r is None or t["tambahan"]:
                target = None if t["tambahan"] else (belum or {}).get((y, t["kode"]))
                if target is None:
                    ws.write_blank(rr, c, None, f.td())
                else:  # a year not run yet: its target all the same
                    write_value(ws, f, h, rr, c, target, satuan)
                write_value(ws, f, h, rr, c + 1, value, satuan, status, **emph)
                ws.write_blank(rr, c + 2, None, f.td())
            else:
                write_value(ws, f, h, rr, c, r["target"], satuan)
                write_value(ws, f, h, rr, c + 1, value, satuan, status)
                write_value(ws, f, h, rr, c + 2, r["capaian"], "%")
        # The kode's rows of the years, in year order: from the records above, not a
        # frame filtered and sorted per kode (most of the sheet's time otherwise).
        rows_k = [cell[(y, t["kode"])] for y in years if (y, t["kode"]) in cell]
        note = keterangan_tahun(t["kode"], rows_k) if rows_k else t["keterangan"]
        ws.write_string(rr, ncols - 1, note, f.td(**emph))
        h.fit(rr, ncols - 1, note, f.size)
    row += len(texts)

    # Which run produced each year (the office can trace every figure).
    h.need[row] = 10
    row += 1
    notes = ["Angka tiap tahun diolah oleh run:"]
    notes += [f"    {y}: {run_of.get(y, TEKS_BELUM_DIPROSES)}" for y in years]
    notes += [CATATAN_STRIP, CATATAN_ANGKA]
    row = notes_and_signature(ws, f, h, row, notes, (0, 5),
                              (signature_cols(widths, 36), ncols - 1), ttd)
    h.apply(ws)
    print_setup(ws, row - 1, ncols - 1, repeat=(header_row, header_row + 2),
                footer=f"Matriks IKU {OPD.nama_opd.title()} {years[0]}-{years[-1]}")


def _status_block(ws, f: Formats, h: Heights, row: int, ncols: int,
                  lines: Sequence[str]) -> int:
    """STATUS PUBLIKASI: a line per year (last publication, last failure, new files in
    the folder), above the matrix; returns the next free row."""
    box = dict(text_wrap=True, bg_color="#FFF2CC", left=1, right=1)
    ws.merge_range(row, 0, row, ncols - 1, "STATUS PUBLIKASI (saat berkas ini ditulis)",
                   f(bold=True, top=1, **box))
    for i, line in enumerate(lines, start=1):
        last = {"bottom": 1} if i == len(lines) else {}
        ws.merge_range(row + i, 0, row + i, ncols - 1, line, f(**box, **last))
        h.fit(row + i, 0, line, f.size, last_col=ncols - 1)
    h.need[row + len(lines) + 1] = 8
    return row + len(lines) + 2


def _sheet_kelurahan(wb, kel: pd.DataFrame, matriks: pd.DataFrame, years: list[int]):
    """REALISASI per kelurahan and year, the kecamatan's figure under them."""
    ws = wb.add_worksheet("Per Kelurahan")
    f = Formats(wb, size=9)
    widths = [4.5, 40, 8, 22] + [16] * len(years)
    set_widths(ws, widths)
    ncols = len(widths)
    h = Heights(widths)
    title_lines(ws, f, h, ncols - 1, f"REALISASI PER KELURAHAN TAHUN {years[0]} - {years[-1]}")
    ws.merge_range(3, 0, 3, ncols - 1, f"NAMA OPD : {OPD.nama_opd}", f(bold=True, align="center"))
    h.need[2] = h.need[3] = height(1, f.size + 3)  # as tall as the title lines
    row = 5
    header_row = row
    for c, text in enumerate((H_NO, H_URAIAN, H_SATUAN, H_KELURAHAN)):
        ws.merge_range(row, c, row + 1, c, text, f.th())
    ws.merge_range(row, 4, row, 3 + len(years), H_REALISASI, f.th())
    for i, y in enumerate(years):
        label = label_tahun(matriks, y)  # the running year: "realisasi s.d. …" (§8)
        ws.write_string(row + 1, 4 + i, label, f.th())
        h.fit(row + 1, 4 + i, label, f.size, bold=True)
    for c in range(ncols):
        ws.write_number(row + 2, c, c + 1, f.nomor())
    row += 3

    kel_cell = {(int(r["tahun"]), str(r["kode"]), r["wilayah"]): r for r in kel.to_dict("records")}
    kec_cell = {(int(r["tahun"]), str(r["kode"])): r for r in matriks.to_dict("records")}
    wilayah = [*dict.fromkeys(kel["wilayah"]), KECAMATAN]  # kel: in the table's order
    blocks = []  # the first row of each indicator's (or supplementary figure's) block
    for t in text_rows([i.kode for i in INDIKATOR]):
        first = row
        blocks.append(first)
        emph = {"italic": True} if t["tambahan"] else {}
        for w in wilayah:
            total = w == KECAMATAN
            ws.write_string(row, 3, w, f.td(bold=total))
            for i, y in enumerate(years):
                r = kec_cell.get((y, t["kode"])) if total else kel_cell.get((y, t["kode"], w))
                write_value(ws, f, h, row, 4 + i, *realisasi_of(t, r), bold=total, **emph)
            row += 1
        last = row - 1
        for r_ in range(first, last + 1):  # NO on every row: a page may break in a block
            ws.write_string(r_, 0, t["no"], f.td(align="center"))
        block(ws, f, h, first, last, 1, t["uraian"], f.size, italic=t["tambahan"])
        block(ws, f, h, first, last, 2, t["satuan"], f.size, align="center")
    blocks.append(row)  # the notes under the table, kept together too
    row += 1
    notes = [CATATAN_STRIP,
             "Target ditetapkan untuk kecamatan; capaian tidak dihitung per kelurahan.",
             *catatan_tambahan()]
    notes += [f"IKU {i.no}: {i.catatan}" for i in INDIKATOR if i.catatan]
    finish_block_sheet(ws, f, h, widths, header_row, row, blocks, notes,
                       footer=f"Realisasi IKU per kelurahan {years[0]}-{years[-1]}")
