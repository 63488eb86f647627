"""``matriks_iku_<tahun>.xlsx``: the signed matrix with one year's TARGET, REALISASI,
CAPAIAN (%), PREDIKAT, KETERANGAN and the analyst's ANALISIS PENYEBAB (DATA_CONTRACT §5),
headed as signed and signed by whoever signs on its date (``penandatangan``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from iku_pipeline.indicators.declarations import INDIKATOR, OPD
from iku_pipeline.publish.layout import (
    Formats,
    Heights,
    header_block,
    notes_and_signature,
    print_setup,
    set_widths,
    signature_cols,
    workbook,
)
from iku_pipeline.publish.lkjip import H_ANALISIS
from iku_pipeline.publish.matrix import is_missing
from iku_pipeline.publish.penandatangan import TandaTangan
from iku_pipeline.publish.rows import (
    CATATAN_ANGKA,
    CATATAN_STRIP,
    H_ALASAN,
    H_CAPAIAN,
    H_KETERANGAN,
    H_NO,
    H_PREDIKAT,
    H_REALISASI,
    H_RUMUS,
    H_SATUAN,
    H_SUMBER,
    H_TARGET,
    H_URAIAN,
    realisasi_of,
    text_rows,
    write_text_columns,
    write_value,
    year_rows,
)
from iku_pipeline.publish.triwulan import judul_sd  # the running year (§8)

# KETERANGAN and ANALISIS PENYEBAB wide enough that the year's notes, with the
# supplementary rows, leave the table, the notes and the signature on one A4 page.
_WIDTHS = (5, 28, 8, 17, 16, 24, 9, 11, 10, 12, 46, 30)


def write_matriks_tahun(matriks: pd.DataFrame, tahun: int, out_dir: str | Path,
                        ttd: TandaTangan | None = None) -> Path:
    """``matriks_iku_<tahun>.xlsx``. ``matriks`` is ``build_matriks``'s frame (it may
    hold other years); ``ttd``: the signature block (``penandatangan``), by default the
    signed matrix's own."""
    rows = year_rows(matriks, tahun)
    runs = sorted({str(r) for r in rows["run_id"] if not is_missing(r)})
    path = Path(out_dir) / f"matriks_iku_{tahun}.xlsx"
    with workbook(
        path,
        title=f"Matriks IKU {OPD.nama_opd.title()} Tahun {tahun}",
        comments=f"Diolah oleh run: {', '.join(runs) or '-'}",
    ) as wb:
        _sheet(wb, rows, int(tahun), runs, ttd)
    return path


def _sheet(wb, rows: pd.DataFrame, tahun: int, runs: list[str],
           ttd: TandaTangan | None) -> None:
    ws = wb.add_worksheet(f"Matriks IKU {tahun}")
    f = Formats(wb)
    widths = _WIDTHS
    set_widths(ws, widths)
    h = Heights(widths)
    ncols = len(widths)
    row = header_block(ws, f, h, ncols, f"REALISASI DAN CAPAIAN TAHUN {tahun}{judul_sd(rows)}")

    header_row = row
    heads = (H_NO, H_URAIAN, H_SATUAN, H_ALASAN, H_SUMBER, H_RUMUS, H_TARGET, H_REALISASI,
             H_CAPAIAN, H_PREDIKAT, H_KETERANGAN, H_ANALISIS)  # fmt: skip
    for c, text in enumerate(heads):
        ws.write_string(row, c, text, f.th())
        h.fit(row, c, text, f.size, bold=True)
    for c in range(ncols):
        ws.write_number(row + 1, c, c + 1, f.nomor())
    row += 2

    by_kode = {str(r["kode"]): r for r in rows.to_dict("records")}
    texts = text_rows([k for k in (i.kode for i in INDIKATOR) if k in by_kode])
    write_text_columns(ws, f, h, row, texts)
    for i, t in enumerate(texts):
        r = by_kode.get(t["kode"])  # None: a supplementary row the year was published without
        rr = row + i
        value, satuan, status = realisasi_of(t, r)
        keterangan = (r["keterangan"] if r is not None else t["keterangan"]) or ""
        if t["tambahan"]:
            ws.write_blank(rr, 6, None, f.td())
            write_value(ws, f, h, rr, 7, value, satuan, status, italic=True)
            ws.write_blank(rr, 8, None, f.td())
            ws.write_blank(rr, 9, None, f.td())
            fmt = f.td(italic=True)
        else:
            write_value(ws, f, h, rr, 6, r["target"], satuan)
            write_value(ws, f, h, rr, 7, value, satuan, status)
            write_value(ws, f, h, rr, 8, r["capaian"], "%")
            ws.write_string(rr, 9, r["predikat"] or "", f.td(align="center"))
            fmt = f.td()
        ws.write_string(rr, 10, keterangan, fmt)
        h.fit(rr, 10, keterangan, f.size)
        analisis = "" if r is None or is_missing(r.get("analisis_penyebab")) else str(
            r["analisis_penyebab"])
        ws.write_string(rr, 11, analisis, fmt)
        h.fit(rr, 11, analisis, f.size)
    row += len(texts)

    h.need[row] = 10
    row += 1
    notes = [f"Angka tahun {tahun} diolah oleh run: {', '.join(runs) or '-'}.",
             CATATAN_STRIP, CATATAN_ANGKA]
    row = notes_and_signature(ws, f, h, row, notes, (0, 5), (signature_cols(widths), ncols - 1),
                              ttd)
    h.apply(ws)
    print_setup(ws, row - 1, ncols - 1, repeat=(header_row, header_row + 1),
                footer=f"Matriks IKU {OPD.nama_opd.title()} Tahun {tahun}")
