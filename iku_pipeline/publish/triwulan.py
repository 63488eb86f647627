"""The quarterly realisasi and the running year as the office reads them
(docs/data-contract.md §8): the running year's "realisasi s.d. <tanggal>" on every
presentation of that year (capaian per quarter: ``pengukuran_baris``).

Pure functions on pandas frames. A year is year to date when its ``realisasi_triwulan``
rows end before 31 December (``indicators.triwulan.sampai_tanggal_tahun``); the yearly
publication writes that date into ``matriks_iku.sampai_tanggal`` and each writer of a
matrix reads it from there (``sampai_matriks``), so a file never says more than the
warehouse holds.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from iku_pipeline.indicators.triwulan import sampai_teks
from iku_pipeline.publish.matrix import is_missing

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
    return _sampai(rows["sampai_tanggal"])


def _sampai(values) -> dt.date | None:
    dates = [pd.Timestamp(v).date() for v in values if not is_missing(v)]
    return max(dates) if dates else None


def judul_sd(rows: pd.DataFrame) -> str:
    """What a heading of the year adds: `` (realisasi s.d. 28 November 2026)`` for a year
    to date, else nothing."""
    sampai = sampai_matriks(rows)
    return "" if sampai is None else f" ({sampai_teks(sampai)})"


def label_tahun(matriks: pd.DataFrame, tahun: int) -> str:
    """A year's column heading in a matrix of several years: ``2026 (realisasi s.d. 28
    November 2026)`` for a year to date, else ``2026``."""
    if "sampai_tanggal" not in matriks.columns:
        return f"{tahun}"
    # The year's dates only, not its rows: called per year and per sheet.
    sampai = _sampai(matriks.loc[matriks["tahun"].astype(int) == int(tahun), "sampai_tanggal"])
    return f"{tahun}" if sampai is None else f"{tahun} ({sampai_teks(sampai)})"


# ---------------------------------------------------------------- capaian per quarter
# (computed by pengukuran_baris for the quarterly workbook)

TEKS_TARGET_TW_KOSONG = "Target triwulan tidak ditetapkan; capaian triwulan tidak dihitung."
