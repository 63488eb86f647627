"""The matrix rows as every document shows them (DATA_CONTRACT §3, §5): the column
headings, the signed texts in the signed order, each indicator followed by the
supplementary rows declared beside it (IKU 3's nominal and on-time figures, IKU 4's
share Selesai), the figure each row shows (or the text saying why there is none), and
the notes under the matrix. The yearly and five-year workbooks and the CSVs all take
them from here.

The signed texts and the supplementary figures' texts come from
``indicators/declarations.py``; the words added here (labels, notes) are Indonesian, as
printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from iku_pipeline.indicators.declarations import (
    INDIKATOR_BY_KODE,
    PERIODE,
    TAMBAHAN,
    URUTAN,
    tambahan_of,
)
from iku_pipeline.publish.layout import COUNT_FORMAT, PCT_FORMAT, Formats, Heights, block
from iku_pipeline.publish.matrix import (
    BELUM_TERSEDIA,
    PENYEBUT_NOL,
    TEKS_BELUM_TERSEDIA,
    TERSEDIA,
    is_missing,
)

# The years of the five-year matrix, in its workbook and CSV.
PERIODE_YEARS = tuple(range(PERIODE[0], PERIODE[1] + 1))

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
# A year never run; also passed as the status of its figures.
TEKS_BELUM_DIPROSES = "belum diproses"

CATATAN_STRIP = (
    "Tanda - pada REALISASI: tidak dapat dihitung karena penyebutnya 0 "
    "(misalnya tidak ada berkas, usulan, wajib pajak atau kegiatan); lihat KETERANGAN."
)
CATATAN_ANGKA = (
    "Realisasi dan capaian dihitung dengan ketelitian penuh dan ditampilkan dengan dua "
    "angka desimal."
)


def catatan_tambahan() -> list[str]:
    """One line per supplementary row, under a matrix: its formula, and that it has no
    target or capaian."""
    return [
        f"Baris tambahan IKU {INDIKATOR_BY_KODE[t.induk].no}, {t.uraian}: {t.rumus}; "
        "tanpa target dan capaian."
        for t in TAMBAHAN
    ]


# ---------------------------------------------------------------- rows


def ordered(matriks: pd.DataFrame) -> pd.DataFrame:
    """Matrix rows by year, then in the printed order (each indicator, then its
    supplementary rows)."""
    order = {kode: i for i, kode in enumerate(URUTAN)}
    return matriks.assign(_o=matriks["kode"].astype(str).map(order)).sort_values(
        ["tahun", "_o"], kind="stable"
    ).drop(columns="_o")


def year_rows(matriks: pd.DataFrame, tahun: int) -> pd.DataFrame:
    """The matrix rows of one year, in the printed order; a year not there is an error."""
    rows = ordered(matriks[matriks["tahun"].astype(int) == int(tahun)])
    if rows.empty:
        raise ValueError(f"matriks tidak memuat tahun {tahun}")
    return rows


def text_rows(kodes: Iterable[str]) -> list[dict]:
    """The matrix's text rows of the indicators ``kodes`` in the signed order, each
    followed by the supplementary rows declared beside it (``tambahan``: True). A
    supplementary row has no NO and shares its indicator's ALASAN and SUMBER DATA;
    ``keterangan`` is the row's standing note."""
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
                "keterangan": ind.catatan,
            }
        )
        for t in tambahan_of(kode):
            rows.append(
                {
                    "kode": t.kode,
                    "tambahan": True,
                    "no": "",
                    "uraian": t.judul,
                    "satuan": t.satuan,
                    "alasan": ind.alasan_sasaran,
                    "sumber": ind.sumber_data,
                    "rumus": t.rumus,
                    "keterangan": t.keterangan,
                }
            )
    return rows


def _family(kode: str) -> str:
    """The indicator a row belongs to: ``1`` for 1, 1a … 1d; ``3`` for 3 and its
    supplementary rows."""
    return re.match(r"\d*", str(kode)).group(0) or str(kode)


# ---------------------------------------------------------------- figures


def target_of(targets: pd.DataFrame | None) -> dict[tuple[int, str], float]:
    """``{(tahun, kode): target}`` of a ``kode, tahun, target`` frame (None: none)."""
    if targets is None or targets.empty:
        return {}
    return {(int(r["tahun"]), str(r["kode"])): float(r["target"])
            for r in targets.to_dict("records") if not is_missing(r["target"])}  # fmt: skip


def realisasi_of(t: Mapping, r: Mapping | None) -> tuple[object, str, str]:
    """(value, satuan, status) of the REALISASI that text row ``t`` shows from its matrix
    row ``r`` (the row of ``t``'s kode; None: the year's publication has no such row,
    which is shown as not processed)."""
    if r is None:
        return None, t["satuan"], TEKS_BELUM_DIPROSES
    return r["realisasi"], t["satuan"], r["status_realisasi"]


def missing_text(status: str) -> str | None:
    """What a figure's cell says instead of a number, or None when it has one."""
    return {
        BELUM_TERSEDIA: TEKS_BELUM_TERSEDIA,
        PENYEBUT_NOL: TEKS_PENYEBUT_NOL,
        TEKS_BELUM_DIPROSES: TEKS_BELUM_DIPROSES,
    }.get(status)


def is_count(satuan: str, value: float) -> bool:
    """A whole number of things shows no decimals; a percentage or a fraction shows two."""
    return satuan != "%" and float(value).is_integer()


# ---------------------------------------------------------------- workbook cells


def write_text_columns(ws, f: Formats, h: Heights, first_row: int, rows: list[dict]) -> None:
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
            block(ws, f, h, first_row + i, first_row + j, col, rows[i][key], size)
            i = j + 1


def write_value(ws, f: Formats, h: Heights, row: int, col: int, value: object, satuan: str,
                status: str = TERSEDIA, **fmt) -> None:
    """A figure as a number, or the reason it is missing as a text (its row made tall
    enough for the wrapped reason)."""
    text = missing_text(status)
    if status == PENYEBUT_NOL:
        ws.write_string(row, col, text, f.td(align="center", **fmt))
    elif text is not None:
        ws.write_string(row, col, text, f.kosong(**fmt))
        h.fit(row, col, text, f.size)
    elif is_missing(value):
        ws.write_blank(row, col, None, f.td(**fmt))
    else:
        v = float(value)
        ws.write_number(row, col, v, f.num(COUNT_FORMAT if is_count(satuan, v) else PCT_FORMAT,
                                           **fmt))
