"""The quarterly realisasi and the running year as the office reads them
(docs/data-contract.md §8): the running year's "realisasi s.d. <tanggal>" on every
presentation of that year, and capaian per quarter against the quarterly targets.

Pure functions on pandas frames. A year is year to date when its ``realisasi_triwulan``
rows end before 31 December (``indicators.triwulan.sampai_tanggal_tahun``); the yearly
publication writes that date into ``matriks_iku.sampai_tanggal`` and each writer of a
matrix reads it from there (``sampai_matriks``), so a file never says more than the
warehouse holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from iku_pipeline.indicators.declarations import (
    INDIKATOR_BY_KODE,
    KECAMATAN,
    TAMBAHAN_BY_KODE,
    URUTAN,
)
from iku_pipeline.indicators.triwulan import ROMAWI, akhir_triwulan, sampai_teks
from iku_pipeline.publish.matrix import (
    BELUM_TERSEDIA,
    CATATAN_TARGET_NOL,
    DEFAULT_BANDS,
    PENYEBUT_NOL,
    TERSEDIA,
    PredikatBand,
    _realisasi_notes,
    capaian,
    is_missing,
    predikat,
)

# ---------------------------------------------------------------- the running year


def catatan_berjalan(sampai: dt.date) -> str:
    """The note the running year's matriks_iku rows start their KETERANGAN with."""
    return f"Tahun berjalan: {sampai_teks(sampai)}."


def tandai_tahun_berjalan(matriks: pd.DataFrame, sampai: dt.date | None) -> pd.DataFrame:
    """``matriks`` (one year's matriks_iku rows) with ``sampai_tanggal``: ``sampai`` for a
    year to date, its KETERANGAN led by "Tahun berjalan: realisasi s.d. <tanggal>.";
    empty for a year counted to 31 December (its rows otherwise unchanged)."""
    out = matriks.copy()
    out["sampai_tanggal"] = pd.Series([sampai] * len(out), index=out.index, dtype=object)
    if sampai is not None:
        note = catatan_berjalan(sampai)
        out["keterangan"] = [
            note if is_missing(k) or not str(k) else f"{note} {k}" for k in out["keterangan"]
        ]
    return out


def sampai_matriks(rows: pd.DataFrame) -> dt.date | None:
    """The date a year's matrix rows are counted to when the year is year to date, from
    their ``sampai_tanggal``; None for a whole year (or rows published before the
    column existed)."""
    if "sampai_tanggal" not in rows.columns:
        return None
    dates = [pd.Timestamp(v).date() for v in rows["sampai_tanggal"] if not is_missing(v)]
    return max(dates) if dates else None


def judul_sd(rows: pd.DataFrame) -> str:
    """What a heading of the year adds: `` (realisasi s.d. 28 November 2026)`` for a year
    to date, else nothing."""
    sampai = sampai_matriks(rows)
    return "" if sampai is None else f" ({sampai_teks(sampai)})"


def label_tahun(matriks: pd.DataFrame, tahun: int) -> str:
    """A year's column heading in a matrix of several years: ``2026 (realisasi s.d. 28
    November 2026)`` for a year to date, else ``2026``."""
    rows = matriks[matriks["tahun"].astype(int) == int(tahun)]
    return f"{tahun}{judul_sd(rows)}"


# ---------------------------------------------------------------- capaian per quarter

TEKS_TARGET_TW_KOSONG = "Target triwulan tidak ditetapkan; capaian triwulan tidak dihitung."
TEKS_TAMBAHAN = "Angka tambahan, tanpa target dan capaian."
TEKS_BELUM_DIMULAI = "Triwulan belum dimulai; realisasi belum ada."
TEKS_BELUM_DIPROSES = "Triwulan belum diproses."

CAPAIAN_TRIWULAN_COLUMNS = (
    "tahun", "triwulan", "kode", "sampai_tanggal", "target", "realisasi", "capaian",
    "predikat", "status_realisasi", "keterangan",
)  # fmt: skip


def capaian_triwulan(
    triwulan: pd.DataFrame,
    targets_triwulan: pd.DataFrame | None,
    bands: Sequence[PredikatBand] = DEFAULT_BANDS,
) -> pd.DataFrame:
    """Per (tahun, triwulan, kode), at kecamatan level (targets are the kecamatan's):
    the quarterly target, realisasi, capaian, predikat and KETERANGAN saying why a value
    is missing. Every year of ``triwulan`` (realisasi_triwulan rows) gets all four
    quarters, every kode in the printed order.

    A capaian is computed only against a quarterly target that is given
    (``targets_triwulan``: ``read_targets_triwulan``), never a share of the yearly one.
    A supplementary figure has no target or capaian. A quarter without rows is one not
    begun in a year to date ("belum dimulai"), else one not processed. The running
    quarter's KETERANGAN says "realisasi s.d. <tanggal>".
    """
    target_of = {}
    if targets_triwulan is not None and not targets_triwulan.empty:
        target_of = {
            (str(r["kode"]), int(r["tahun"]), int(r["triwulan"])): r["target"]
            for r in targets_triwulan.to_dict("records")
        }
    kec = triwulan[triwulan["wilayah"] == KECAMATAN]
    cell = {(int(r["tahun"]), int(r["triwulan"]), str(r["kode"])): r
            for r in kec.to_dict("records")}  # fmt: skip
    rows = []
    for tahun in sorted({int(t) for t in kec["tahun"]}):
        begun = [q for (t, q, _) in cell if t == tahun]
        last = max(begun, default=0)
        for q in (1, 2, 3, 4):
            for kode in URUTAN:
                rows.append(_row(tahun, q, kode, cell.get((tahun, q, kode)), last,
                                 target_of.get((kode, tahun, q)), bands))  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(CAPAIAN_TRIWULAN_COLUMNS))
    return frame.astype(
        {"tahun": "int64", "triwulan": "int64", "target": "float64", "realisasi": "float64",
         "capaian": "float64"}
    )  # fmt: skip


def _row(tahun: int, q: int, kode: str, r: dict | None, last: int, target: object,
         bands: Sequence[PredikatBand]) -> dict:
    tambahan = kode in TAMBAHAN_BY_KODE
    target = None if tambahan or is_missing(target) else float(target)
    out = {"tahun": tahun, "triwulan": q, "kode": kode, "sampai_tanggal": None,
           "target": target, "realisasi": None, "capaian": None, "predikat": None}  # fmt: skip
    if r is None:
        status = TEKS_BELUM_DIMULAI if q > last else TEKS_BELUM_DIPROSES
        return {**out, "status_realisasi": "belum ada", "keterangan": status}
    sampai = pd.Timestamp(r["sampai_tanggal"]).date()
    if is_missing(r["pembilang"]):
        status = BELUM_TERSEDIA
    elif is_missing(r["nilai"]):
        status = PENYEBUT_NOL
    else:
        status = TERSEDIA
    realisasi = float(r["nilai"]) if status == TERSEDIA else None
    notes = []
    if sampai < akhir_triwulan(tahun, q):
        notes.append(f"Triwulan {ROMAWI[q - 1]} berjalan: {sampai_teks(sampai)}.")
    notes += _realisasi_notes(kode, status)
    value = None
    if tambahan:
        notes.append(TEKS_TAMBAHAN)
    elif target is None:
        notes.append(TEKS_TARGET_TW_KOSONG)
    elif target == 0:
        notes.append(CATATAN_TARGET_NOL.replace("Target 0", "Target triwulan 0"))
    elif realisasi is not None:
        value, _ = capaian(realisasi, target, INDIKATOR_BY_KODE[kode].polaritas)
    return {**out, "sampai_tanggal": sampai, "realisasi": realisasi, "capaian": value,
            "predikat": predikat(value, bands), "status_realisasi": status,
            "keterangan": " ".join(notes)}  # fmt: skip
