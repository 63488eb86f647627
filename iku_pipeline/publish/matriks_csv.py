"""The matrix as CSV (DATA_CONTRACT §5): ``matriks_iku_<tahun>.csv`` with the yearly
workbook's rows, and ``matriks_iku_<first>-<last>.csv`` with the years side by side.

UTF-8 with BOM, ``;``-separated with a decimal comma by default: what Excel on Windows
with Indonesian regional settings opens as columns and numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from iku_pipeline.indicators.declarations import INDIKATOR
from iku_pipeline.publish.layout import atomic
from iku_pipeline.publish.lkjip import H_ANALISIS
from iku_pipeline.publish.matrix import is_missing
from iku_pipeline.publish.rows import (
    H_ALASAN,
    H_CAPAIAN,
    H_KETERANGAN,
    H_NO,
    H_PREDIKAT,
    H_REALISASI,
    H_RUMUS,
    H_RUN,
    H_SATUAN,
    H_SUMBER,
    H_TAHUN,
    H_TARGET,
    H_URAIAN,
    PERIODE_YEARS,
    TEKS_BELUM_DIPROSES,
    is_count,
    missing_text,
    realisasi_of,
    target_of,
    text_rows,
    year_rows,
)
from iku_pipeline.publish.triwulan import judul_sd, label_tahun  # the running year (§8)

_HEADERS = (
    H_TAHUN, H_NO, H_URAIAN, H_SATUAN, H_ALASAN, H_SUMBER, H_RUMUS, H_TARGET,
    H_REALISASI, H_CAPAIAN, H_PREDIKAT, H_KETERANGAN, H_ANALISIS, H_RUN,
)  # fmt: skip
_TEXT_HEADERS = [H_NO, H_URAIAN, H_SATUAN, H_ALASAN, H_SUMBER, H_RUMUS]
_YEAR_HEADERS = (H_TARGET, H_REALISASI, H_CAPAIAN)


def write_matriks_tahun_csv(
    matriks: pd.DataFrame, tahun: int, out_dir: str | Path, *, sep: str = ";",
    decimal: str = ",",
) -> Path:
    """``matriks_iku_<tahun>.csv``: the yearly matrix's rows, with TAHUN and the run that
    produced each. ``matriks`` is ``build_matriks``'s frame (it may hold other years)."""
    rows = year_rows(matriks, tahun)
    path = Path(out_dir) / f"matriks_iku_{tahun}.csv"
    running = {H_REALISASI: f"{H_REALISASI}{judul_sd(rows)}"}  # the running year (§8)
    _write(path, _year_frame(rows, decimal).rename(columns=running), sep)
    return path


def write_matriks_periode_csv(
    matriks_all: pd.DataFrame,
    out_dir: str | Path,
    years: Sequence[int] = PERIODE_YEARS,
    *,
    sep: str = ";",
    decimal: str = ",",
    targets_not_run: pd.DataFrame | None = None,
) -> Path:
    """``matriks_iku_<first>-<last>.csv``: the matrix's columns, then TARGET / REALISASI /
    CAPAIAN per year side by side (a year never run: "belum diproses", and its target
    from ``targets_not_run``, ``kode, tahun, target``), the rows in the printed order."""
    texts = text_rows([i.kode for i in INDIKATOR])
    wide = pd.DataFrame(
        [[t["no"], t["uraian"], t["satuan"], t["alasan"], t["sumber"], t["rumus"]] for t in texts],
        columns=_TEXT_HEADERS,
    )
    run = [tahun for tahun in years if (matriks_all["tahun"] == tahun).any()]
    label = {t: label_tahun(matriks_all, t) if t in run else t for t in years}  # §8
    if not run:
        wide = wide.iloc[0:0]
    belum = target_of(targets_not_run)
    for tahun in years:
        if tahun not in run:
            for h in _YEAR_HEADERS:
                wide[f"{h} {label[tahun]}"] = TEKS_BELUM_DIPROSES if h == H_REALISASI else ""
            wide[f"{H_TARGET} {label[tahun]}"] = [
                "" if t["tambahan"] or (tahun, t["kode"]) not in belum
                else _number(belum[(tahun, t["kode"])], t["satuan"], decimal)
                for t in texts
            ][: len(wide)]  # no row at all when no year of the period is run
            continue
        year = _year_frame(matriks_all[matriks_all["tahun"] == tahun], decimal)
        year = year[[*_TEXT_HEADERS, *_YEAR_HEADERS]]
        year = year.rename(columns={h: f"{h} {label[tahun]}" for h in _YEAR_HEADERS})
        # A left merge keeps the printed order (an outer merge would sort the rows).
        wide = wide.merge(year, on=_TEXT_HEADERS, how="left", validate="one_to_one")
        missing = wide[f"{H_REALISASI} {label[tahun]}"].isna()
        wide.loc[missing, f"{H_REALISASI} {label[tahun]}"] = TEKS_BELUM_DIPROSES
        wide = wide.fillna("")
    wide = wide[_TEXT_HEADERS + [f"{h} {label[t]}" for t in years for h in _YEAR_HEADERS]]
    path = Path(out_dir) / f"matriks_iku_{years[0]}-{years[-1]}.csv"
    _write(path, wide, sep)
    return path


def _write(path: Path, frame: pd.DataFrame, sep: str) -> None:
    with atomic(path) as tmp:
        text = frame.to_csv(index=False, sep=sep, lineterminator="\r\n")
        tmp.write_bytes(text.encode("utf-8-sig"))


def _number(value: object, satuan: str, decimal: str) -> str:
    if is_missing(value):
        return ""
    v = float(value)
    text = f"{v:.0f}" if is_count(satuan, v) else f"{v:.2f}"
    return text.replace(".", decimal)


def _year_frame(rows: pd.DataFrame, decimal: str) -> pd.DataFrame:
    """The matrix rows of one year as the CSV shows them (texts, numbers as text)."""
    by_kode = {str(r["kode"]): r for r in rows.to_dict("records")}
    out = []
    tahun = int(rows["tahun"].iloc[0])
    for t in text_rows([k for k in (i.kode for i in INDIKATOR) if k in by_kode]):
        r = by_kode.get(t["kode"])  # None: a supplementary row the year was published without
        value, satuan, status = realisasi_of(t, r)
        text = missing_text(status)
        realisasi = text if text is not None else _number(value, satuan, decimal)
        keterangan = (r["keterangan"] if r is not None else t["keterangan"]) or ""
        if t["tambahan"]:
            target = capaian = predikat = ""
        else:
            target = _number(r["target"], satuan, decimal)
            capaian = _number(r["capaian"], "%", decimal)
            predikat = r["predikat"] or ""
        run = "" if r is None or is_missing(r["run_id"]) else str(r["run_id"])
        analisis = "" if r is None or is_missing(r.get("analisis_penyebab")) else str(
            r["analisis_penyebab"])
        out.append(
            (tahun, t["no"], t["uraian"], t["satuan"], t["alasan"], t["sumber"], t["rumus"],
             target, realisasi, capaian, predikat, keterangan, analisis, run)
        )  # fmt: skip
    return pd.DataFrame(out, columns=list(_HEADERS))
