"""The files a person opens, written from what the warehouse holds (DATA_CONTRACT §5).

Every file is generated from published rows only, so a workbook never shows a number
that the warehouse does not: ``matriks_iku_<tahun>.xlsx/.csv`` and
``baris_ditolak_<tahun>.xlsx`` for the years of a run, and the 2021-2025 workbook
(with the trend charts) and CSV refreshed from every published year. Each document is
written by its own module of this package; this one reads the warehouse and calls them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from iku_pipeline.indicators.declarations import KODE
from iku_pipeline.publish.matrix import build_matriks, build_matriks_kelurahan
from iku_pipeline.publish.targets import (
    PREDIKAT_FILE,
    TARGET_FILE,
    read_predikat_bands,
    read_targets,
)
from iku_pipeline.publish.warehouse import read_table


def matriks_for_year(
    realisasi: pd.DataFrame, tambahan: pd.DataFrame, reference_dir: Path, run_id: str
) -> pd.DataFrame:
    """The matriks_iku rows of one year: the signed matrix with target, capaian, predikat,
    each indicator followed by its supplementary rows (``tambahan``: the year's
    realisasi_tambahan)."""
    targets = read_targets(reference_dir / TARGET_FILE)
    bands = read_predikat_bands(reference_dir / PREDIKAT_FILE)
    return build_matriks(realisasi.assign(run_id=run_id), tambahan, targets, bands)


@dataclass
class Exported:
    paths: list[Path] = field(default_factory=list)
    charts: dict[str, bytes] = field(default_factory=dict)


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
    engine: sa.Engine, out_dir: Path, years: Iterable[int], kelurahan: Sequence[str]
) -> Exported:
    """The files of the run's ``years`` and the period's; ``kelurahan`` in the order
    of their rows and sheets."""
    with _exclusive(out_dir):
        return _write_exports(engine, out_dir, years, kelurahan)


def _write_exports(
    engine: sa.Engine, out_dir: Path, years: Iterable[int], kelurahan: Sequence[str]
) -> Exported:
    # matplotlib and xlsxwriter are imported here, not at module level: loading the
    # code location (UI, daemon, every sensor tick) should not pay for them.
    from iku_pipeline.publish import (
        baris_ditolak,
        charts,
        matriks_csv,
        matriks_periode,
        matriks_tahun,
    )
    from iku_pipeline.publish.rows import PERIODE_YEARS
    from iku_pipeline.publish.status import read_status, status_lines

    result = Exported()
    matriks = read_table(engine, "matriks_iku")
    for tahun in years:
        rows = matriks[matriks["tahun"].eq(tahun)]
        if rows.empty:
            continue
        result.paths.append(matriks_tahun.write_matriks_tahun(rows, tahun, out_dir))
        result.paths.append(matriks_csv.write_matriks_tahun_csv(rows, tahun, out_dir))
        rejected = read_table(engine, "baris_ditolak", tahun)
        result.paths.append(baris_ditolak.write_baris_ditolak(rejected, tahun, out_dir))

    realisasi = read_table(engine, "realisasi_iku")
    tambahan = read_table(engine, "realisasi_tambahan")
    targets = matriks[["kode", "tahun", "target"]]
    result.charts = {
        kode: charts.trend_chart(realisasi, kode, targets=targets, years=PERIODE_YEARS)
        for kode in KODE
    }
    runs = matriks.drop_duplicates("tahun").set_index("tahun")["run_id"].to_dict()
    per_kelurahan = build_matriks_kelurahan(realisasi, tambahan, kelurahan)
    result.paths.append(
        matriks_csv.write_matriks_periode_csv(
            matriks[matriks["tahun"].isin(PERIODE_YEARS)], out_dir, years=PERIODE_YEARS
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
        )
    )
    return result
