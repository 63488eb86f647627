"""The sheet ``Perbandingan LKjIP`` of ``matriks_iku_<first>-<last>.xlsx``: what chapter
III of the LKjIP compares (docs/data-contract.md §5.4, §5.7), per indicator and year —
the realisasi, its change against the previous year, the capaian against the
end-of-period target — and the analyst's explanation of causes, from ``matriks_iku``'s
LKjIP columns (``lkjip``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from iku_pipeline.indicators.declarations import INDIKATOR, OPD
from iku_pipeline.publish.layout import (
    Formats,
    Heights,
    notes_and_signature,
    print_setup,
    set_widths,
    signature_cols,
    title_lines,
)
from iku_pipeline.publish.lkjip import (
    H_ANALISIS,
    TAHUN_AKHIR,
    analisis_tahun,
    bandingkan,
    lengkapi,
)
from iku_pipeline.publish.matrix import is_missing
from iku_pipeline.publish.penandatangan import TandaTangan
from iku_pipeline.publish.rows import (
    CATATAN_ANGKA,
    CATATAN_STRIP,
    H_NO,
    H_REALISASI,
    H_SATUAN,
    H_URAIAN,
    ordered,
    realisasi_of,
    text_rows,
    write_value,
)
from iku_pipeline.publish.triwulan import label_tahun

SHEET = "Perbandingan LKjIP"
H_TARGET_AKHIR = f"TARGET AKHIR PERIODE ({TAHUN_AKHIR})"
H_PERUBAHAN = "PERUBAHAN THD TAHUN LALU"
H_CAPAIAN_AKHIR = "CAPAIAN THD TARGET AKHIR PERIODE (%)"
TEKS_TIDAK_ADA = "-"

CATATAN_PERUBAHAN = (
    "PERUBAHAN THD TAHUN LALU: realisasi tahun itu dikurangi realisasi tahun sebelumnya; "
    "untuk satuan % dalam poin persentase, untuk satuan kegiatan dalam jumlah kegiatan. "
    "Tanda - pada kolom ini: realisasi tahun itu atau tahun sebelumnya tidak ada."
)
CATATAN_AKHIR = (
    f"TARGET AKHIR PERIODE: target tahun {TAHUN_AKHIR}, tahun terakhir Matriks IKU; "
    "CAPAIAN THD TARGET AKHIR PERIODE = realisasi tahun itu / target akhir periode x 100. "
    "Baris tambahan (bukan rumus IKU) tanpa target dan capaian."
)

_TEXT_WIDTHS = (4.5, 25, 8, 9)
_YEAR_WIDTHS = (9, 8.5, 9)
_ANALISIS_WIDTH = 30
_PLUS_PCT = "+#,##0.00;-#,##0.00;0.00"
_PLUS_COUNT = "+#,##0;-#,##0;0"


def sheet_lkjip(wb, matriks: pd.DataFrame, years: Sequence[int],
                ttd: TandaTangan | None = None) -> None:
    """The comparisons of ``matriks`` (matriks_iku rows of the period's years), each
    year with the previous one as both are published now (a year's stored comparison
    was made when it was published)."""
    years = sorted(int(y) for y in years)
    matriks = ordered(lengkapi(bandingkan(matriks)))
    ws = wb.add_worksheet(SHEET)
    f = Formats(wb, size=9)
    widths = [*_TEXT_WIDTHS, *(list(_YEAR_WIDTHS) * len(years)), _ANALISIS_WIDTH]
    set_widths(ws, widths)
    ncols = len(widths)
    h = Heights(widths)
    title_lines(ws, f, h, ncols - 1, "PERBANDINGAN REALISASI DAN CAPAIAN KINERJA TAHUN "
                f"{years[0]} - {years[-1]} (LKjIP BAB III)")
    ws.merge_range(3, 0, 3, ncols - 1, f"NAMA OPD : {OPD.nama_opd}", f(bold=True, align="center"))
    row = 5
    header_row = row
    for c, text in enumerate((H_NO, H_URAIAN, H_SATUAN, H_TARGET_AKHIR)):
        ws.merge_range(row, c, row + 1, c, text, f.th())
        h.fit_rows(row, row + 1, c, text, f.size, bold=True)
    for i, y in enumerate(years):
        c = len(_TEXT_WIDTHS) + 3 * i
        label = label_tahun(matriks, y)  # the running year: "realisasi s.d. …" (§8)
        ws.merge_range(row, c, row, c + 2, label, f.th())
        h.fit(row, c, label, f.size, last_col=c + 2, bold=True)
        for j, text in enumerate((H_REALISASI, H_PERUBAHAN, H_CAPAIAN_AKHIR)):
            ws.write_string(row + 1, c + j, text, f.th())
            h.fit(row + 1, c + j, text, f.size, bold=True)
    ws.merge_range(row, ncols - 1, row + 1, ncols - 1, H_ANALISIS, f.th())
    for c in range(ncols):
        ws.write_number(row + 2, c, c + 1, f.nomor())
    row += 3

    cell = {(int(r["tahun"]), str(r["kode"])): r for r in matriks.to_dict("records")}
    texts = text_rows([i.kode for i in INDIKATOR])
    # NO, URAIAN and SATUAN as in the matrix; ALASAN … RUMUS are not on this sheet.
    _texts(ws, f, h, row, texts)
    for i, t in enumerate(texts):
        rr = row + i
        emph = {"italic": True} if t["tambahan"] else {}
        # The kode's rows of the years, in year order, from the records above.
        of_kode = [cell[(y, t["kode"])] for y in years if (y, t["kode"]) in cell]
        target = _latest(of_kode, "target_akhir_periode")
        if t["tambahan"]:
            ws.write_blank(rr, 3, None, f.td())
        else:
            write_value(ws, f, h, rr, 3, target, t["satuan"])
        for k, y in enumerate(years):
            c = len(_TEXT_WIDTHS) + 3 * k
            r = cell.get((y, t["kode"]))
            write_value(ws, f, h, rr, c, *realisasi_of(t, r), **emph)
            change = None if r is None else r["perubahan_tahun_lalu"]
            if is_missing(change):
                ws.write_string(rr, c + 1, TEKS_TIDAK_ADA, f.td(align="center", **emph))
            else:
                fmt = _PLUS_PCT if t["satuan"] == "%" else _PLUS_COUNT
                ws.write_number(rr, c + 1, float(change), f.num(fmt, **emph))
            if t["tambahan"] or r is None:
                ws.write_blank(rr, c + 2, None, f.td())
            else:
                write_value(ws, f, h, rr, c + 2, r["capaian_akhir_periode"], "%")
        note = analisis_tahun(of_kode)
        ws.write_string(rr, ncols - 1, note, f.td(**emph))
        h.fit(rr, ncols - 1, note, f.size)
    row += len(texts)

    h.need[row] = 10
    row += 1
    notes = [CATATAN_PERUBAHAN, CATATAN_AKHIR, CATATAN_STRIP, CATATAN_ANGKA]
    row = notes_and_signature(ws, f, h, row, notes, (0, ncols - 6),
                              (signature_cols(widths, 36), ncols - 1), ttd)
    h.apply(ws)
    print_setup(ws, row - 1, ncols - 1, repeat=(header_row, header_row + 2),
                footer=f"Perbandingan kinerja {OPD.nama_opd.title()} {years[0]}-{years[-1]}")


def _texts(ws, f: Formats, h: Heights, first_row: int, rows: list[dict]) -> None:
    for i, t in enumerate(rows):
        r = first_row + i
        ws.write_string(r, 0, t["no"], f.td(align="center"))
        ws.write_string(r, 1, t["uraian"], f.td(italic=True) if t["tambahan"] else f.td())
        h.fit(r, 1, t["uraian"], f.size)
        ws.write_string(r, 2, t["satuan"], f.td(align="center"))


def _latest(rows: Sequence[Mapping], column: str) -> object:
    """The value of ``column`` in the latest year that has one (None: no year has);
    ``rows``: one kode's records in year order."""
    for r in reversed(rows):
        if not is_missing(r[column]):
            return r[column]
    return None
