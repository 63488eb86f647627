"""The files a person opens, written from what the warehouse holds (DATA_CONTRACT §5).

Every file is generated from published rows only, so a workbook never shows a number
that the warehouse does not: ``matriks_iku_<tahun>.xlsx/.csv`` and
``baris_ditolak_<tahun>.xlsx`` for the years of a run (and
``pengukuran_kinerja_<tahun>.xlsx/.csv`` when the year has quarterly figures), and the
2021-2025 workbook (with the trend charts) and CSV refreshed from every published year.
Each is signed by whoever signs on its date (``penandatangan``). Each document is
written by its own module of this package; this one reads the warehouse and calls them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from iku_pipeline.indicators.declarations import KECAMATAN, KODE
from iku_pipeline.publish.lkjip import CATATAN_FILE, kolom_lkjip, read_catatan
from iku_pipeline.publish.matrix import build_matriks, build_matriks_kelurahan
from iku_pipeline.publish.penandatangan import read_penandatangan, ttd_dokumen
from iku_pipeline.publish.targets import (
    PREDIKAT_FILE,
    TARGET_FILE,
    _empty_targets,
    read_predikat_bands,
    read_targets,
    read_targets_triwulan,
)
from iku_pipeline.publish.triwulan import sampai_matriks, tandai_tahun_berjalan
from iku_pipeline.publish.warehouse import read_table

if TYPE_CHECKING:
    from iku_pipeline.publish.charts import Trend


def matriks_for_year(
    realisasi: pd.DataFrame, tambahan: pd.DataFrame, reference_dir: Path, run_id: str,
    sampai_tanggal: dt.date | None = None,
) -> pd.DataFrame:
    """The matriks_iku rows of one year: the signed matrix with target, capaian, predikat,
    each indicator followed by its supplementary rows (``tambahan``: the year's
    realisasi_tambahan), and the LKjIP columns (end-of-period target, the analyst's
    notes). The signers' table is read too, so a typo in it stops the year before
    anything is published rather than when the files are written."""
    targets = read_targets(reference_dir / TARGET_FILE)
    bands = read_predikat_bands(reference_dir / PREDIKAT_FILE)
    catatan = read_catatan(reference_dir / CATATAN_FILE)
    read_penandatangan(reference_dir)
    matriks = build_matriks(realisasi.assign(run_id=run_id), tambahan, targets, bands)
    # The running year: sampai_tanggal and "realisasi s.d. <tanggal>" (§8).
    return tandai_tahun_berjalan(kolom_lkjip(matriks, targets, catatan), sampai_tanggal)


@dataclass
class Exported:
    paths: list[Path] = field(default_factory=list)
    charts: dict[str, Trend] = field(default_factory=dict)  # what each trend chart shows


@contextlib.contextmanager
def _exclusive(out_dir: Path):
    """One exporter at a time: each reads the warehouse after the previous one wrote, so
    two runs of different years cannot leave the 2021-2025 workbook missing either."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir, os.O_RDONLY)  # the folder itself: no lock file beside the exports
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def write_exports(
    engine: sa.Engine, out_dir: Path, years: Iterable[int], kelurahan: Sequence[str],
    reference_dir: Path | None = None, tanggal_ttd: Mapping[int, dt.date] | None = None,
) -> Exported:
    """The files of the run's ``years`` and the period's; ``kelurahan`` in the order
    of their rows and sheets. ``reference_dir``: where ``penandatangan.csv`` (who signs)
    and the quarterly targets are read. ``tanggal_ttd``: per year, the date its
    documents are signed with; by default the running year's "s.d." date
    (``matriks_iku.sampai_tanggal``), else the day the year was published."""
    with _exclusive(out_dir):
        return _write_exports(engine, out_dir, years, kelurahan, reference_dir, tanggal_ttd)


def _write_exports(
    engine: sa.Engine, out_dir: Path, years: Iterable[int], kelurahan: Sequence[str],
    reference_dir: Path | None = None, tanggal_ttd: Mapping[int, dt.date] | None = None,
) -> Exported:
    # xlsxwriter is imported here, not at module level: loading the
    # code location (UI, daemon, every sensor tick) should not pay for them.
    from iku_pipeline.publish import (
        baris_ditolak,
        charts,
        matriks_csv,
        matriks_periode,
        matriks_tahun,
        pengukuran,
    )
    from iku_pipeline.publish.pengukuran_baris import read_triwulan
    from iku_pipeline.publish.rows import PERIODE_YEARS
    from iku_pipeline.publish.status import read_status, status_lines

    result = Exported()
    matriks = read_table(engine, "matriks_iku")
    signers = read_penandatangan(reference_dir)
    targets_tw = None if reference_dir is None else read_targets_triwulan(
        reference_dir / TARGET_FILE
    )
    for tahun in years:
        rows = matriks[matriks["tahun"].eq(tahun)]
        if rows.empty:
            continue
        # Signed on the running year's "s.d." date, or the day the year was published.
        ttd = ttd_dokumen(rows, signers, (tanggal_ttd or {}).get(tahun) or sampai_matriks(rows))
        result.paths.append(matriks_tahun.write_matriks_tahun(rows, tahun, out_dir, ttd))
        result.paths.append(matriks_csv.write_matriks_tahun_csv(rows, tahun, out_dir))
        rejected = read_table(engine, "baris_ditolak", tahun)
        result.paths.append(baris_ditolak.write_baris_ditolak(rejected, tahun, out_dir))
        triwulan = read_triwulan(engine, tahun)  # None: no quarterly figures (yet)
        if triwulan is not None:
            result.paths += pengukuran.write_pengukuran_tahun(
                triwulan, rows, targets_tw, kelurahan, out_dir, ttd
            )

    realisasi = read_table(engine, "realisasi_iku")
    tambahan = read_table(engine, "realisasi_tambahan")
    # A chart shows the kecamatan's figures: each kode's rows picked out once (one
    # filter of the whole table per chart took longer than drawing it).
    kecamatan = realisasi[realisasi["wilayah"] == KECAMATAN]
    kec_of = dict(tuple(kecamatan.groupby(kecamatan["kode"].astype(str), sort=False)))
    # A year of the period not run yet still shows its target from reference/ (§5);
    # a published year the target it was published with.
    belum = _targets_not_run(reference_dir, set(matriks["tahun"].astype(int)), PERIODE_YEARS)
    targets = pd.concat([matriks[["kode", "tahun", "target"]], belum], ignore_index=True)
    target_of = dict(tuple(targets.groupby(targets["kode"].astype(str), sort=False)))
    result.charts = {
        kode: charts.trend(
            kec_of.get(kode, kecamatan.iloc[:0]), kode,
            targets=target_of.get(kode, targets.iloc[:0]), years=PERIODE_YEARS,
        )
        for kode in KODE
    }
    runs = matriks.drop_duplicates("tahun").set_index("tahun")["run_id"].to_dict()
    per_kelurahan = build_matriks_kelurahan(realisasi, tambahan, kelurahan)
    result.paths.append(
        matriks_csv.write_matriks_periode_csv(
            matriks[matriks["tahun"].isin(PERIODE_YEARS)], out_dir, years=PERIODE_YEARS,
            targets_not_run=belum,
        )
    )
    result.paths.append(
        matriks_periode.write_matriks_periode(
            matriks[matriks["tahun"].isin(PERIODE_YEARS)],
            per_kelurahan[per_kelurahan["tahun"].isin(PERIODE_YEARS)],
            result.charts,
            runs,
            out_dir,
            years=PERIODE_YEARS,
            status=status_lines(read_status(engine), PERIODE_YEARS),
            ttd=ttd_dokumen(matriks[matriks["tahun"].isin(PERIODE_YEARS)], signers),
            targets_not_run=belum,
        )
    )
    return result


def _targets_not_run(
    reference_dir: Path | None, published: set[int], years: Iterable[int]
) -> pd.DataFrame:
    """``kode, tahun, target`` of ``reference/target_iku.csv`` for the ``years`` not in
    ``published``."""
    if reference_dir is None:
        return _empty_targets()
    targets = read_targets(reference_dir / TARGET_FILE)
    wanted = [int(y) for y in years if int(y) not in published]
    return targets[targets["tahun"].isin(wanted)].reset_index(drop=True)
