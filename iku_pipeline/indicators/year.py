"""One year's results, from the staged sources to the frames that are published."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from iku_pipeline.indicators.compute import (
    compute_realisasi,
    compute_tambahan,
    pbb_payments,
    pbb_report,
    pbb_status,
)
from iku_pipeline.indicators.triwulan import compute_triwulan, periode
from iku_pipeline.model import SourceReport, Staged, Wilayah, empty_rejected


@dataclass
class IkuTahun:
    tahun: int
    realisasi: pd.DataFrame  # rows of realisasi_iku
    tambahan: pd.DataFrame  # rows of realisasi_tambahan: the supplementary figures
    laporan: dict = field(default_factory=dict)  # figures §3 asks to report
    belum_diserahkan: list[str] = field(default_factory=list)
    triwulan: pd.DataFrame | None = None  # rows of realisasi_triwulan (§8)


def compute_year(
    staged: Mapping[str, Staged], tahun: int, wilayah: Wilayah, tanggal_run: dt.date | None = None
) -> IkuTahun:
    """The year's published figures. ``tanggal_run``: the run's date (Asia/Jakarta); in
    the partition year it makes the year year-to-date (§8: the quarters begun by then,
    the last one up to that date); None or a later year: every quarter to its end."""
    quarters = periode(tahun, tanggal_run)
    last = quarters[-1]
    # A year to date (§8) is counted up to the run's date, its yearly figures too: they
    # are its running quarter's. A row dated later is not counted yet, in any figure.
    to_date = (last.sampai.month, last.sampai.day) != (12, 31)
    # IKU 3, its supplementary figures, their quarters and the §3 report read the same
    # payments matched to the same wajib pajak: matched once.
    pbb = staged["pbb_dhkp"].diserahkan and staged["pbb_pembayaran"].diserahkan
    payments = pbb_payments(staged, tahun) if pbb else None
    sampai = int(np.datetime64(last.sampai, "D").astype("int64")) if to_date else None
    received = payments.until(sampai) if pbb and to_date else payments
    wp = pbb_status(staged, tahun, received) if pbb else None
    laporan = {"pbb": pbb_report(staged, tahun, wp, sampai)}
    if staged["layanan"].diserahkan:
        laporan["jenis_layanan_tidak_dikenal"] = staged["layanan"].laporan.info.get(
            "jenis_layanan_tidak_dikenal", {}
        )
    triwulan = compute_triwulan(staged, tahun, wilayah, quarters, payments)
    realisasi = compute_realisasi(staged, tahun, wilayah, wp)
    tambahan = compute_tambahan(staged, tahun, wilayah, wp)
    if to_date:
        realisasi = _as_of(realisasi, triwulan, last.triwulan)
        tambahan = _as_of(tambahan, triwulan, last.triwulan)
    return IkuTahun(
        tahun=tahun,
        realisasi=realisasi,
        tambahan=tambahan,
        laporan=laporan,
        belum_diserahkan=[s for s, v in staged.items() if not v.diserahkan],
        triwulan=triwulan,
    )


def _as_of(yearly: pd.DataFrame, triwulan: pd.DataFrame, quarter: int) -> pd.DataFrame:
    """``yearly``'s rows with the figures of ``quarter``'s rows of the same kode and
    wilayah: a year to date's figures, counted to its run's date as its running quarter
    is (§8), in the yearly table's rows and types."""
    rows = triwulan[triwulan["triwulan"].eq(quarter)].set_index(["kode", "wilayah"])
    at = pd.MultiIndex.from_frame(yearly[["kode", "wilayah"]])
    out = yearly.copy()
    for column in ("pembilang", "penyebut", "nilai"):
        out[column] = rows[column].reindex(at).astype(yearly[column].dtype).array
    return out


def rejected_rows(ditolak: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Every rejected row of the year, sources in contract order, then file and row."""
    frames = [f for f in ditolak if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else empty_rejected()


def publication_log(laporan: Mapping[str, SourceReport]) -> pd.DataFrame:
    """riwayat_publikasi rows: each delivered file with its checksum and counts; a
    source not delivered appears once with no file."""
    rows = []
    for sumber, r in laporan.items():
        if not r.diserahkan:
            rows.append({"sumber": sumber})
        for f in r.berkas:
            rows.append(
                {
                    "sumber": sumber,
                    "berkas": f.berkas,
                    "ukuran": f.ukuran,
                    "sha256": f.sha256,
                    "dibaca": f.dibaca,
                    "diterima": f.diterima,
                    "ditolak": f.ditolak,
                }
            )
    return pd.DataFrame(rows)
