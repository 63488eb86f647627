"""The matrices again from what is published, after a presentation table changed
(docs/data-contract.md §5.4, §7): ``reference/target_iku.csv``, ``predikat.csv`` or any
other reference table that changes how the figures are shown, not which rows count.

``rebuild_matriks`` derives each published year's ``matriks_iku`` rows from the
``realisasi_iku`` and ``realisasi_tambahan`` rows the warehouse holds, with the
reference tables as they are now, exactly as the yearly publication derives them
(``exports.matriks_for_year``), and replaces that year's ``matriks_iku`` in one
transaction. No extract is read. The rows keep the run id of the run that computed the
figures (so ``run_id`` still leads to ``riwayat_publikasi``); ``dipublikasikan`` is the
time of the rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from iku_pipeline.indicators.triwulan import sampai_tanggal_tahun
from iku_pipeline.publish import clock
from iku_pipeline.publish.exports import matriks_for_year
from iku_pipeline.publish.lkjip import refresh_perubahan
from iku_pipeline.publish.warehouse import (
    YEAR_TABLES,
    _records,
    ensure_tables,
    matriks_iku,
    realisasi_iku,
    realisasi_tambahan,
    realisasi_triwulan,
)

# Reference tables that decide which rows count (§3, §9): a change reruns the years from
# their extracts. Every other table under reference/ only changes what the matrices and
# workbooks show (project rule).
ROW_TABLES = frozenset({"jenis_layanan.csv", "kelurahan.csv"})


def _read(conn: sa.Connection, table: sa.Table, tahun: int) -> pd.DataFrame:
    frame = pd.read_sql(sa.select(table).where(table.c.tahun == tahun), conn)
    ints = [c.name for c in table.columns if isinstance(c.type, sa.BigInteger)]
    return frame.astype({c: "Int64" for c in ints}).drop(columns=["dipublikasikan"])


def rebuild_year(engine: sa.Engine, tahun: int, reference_dir: Path) -> int:
    """Replace ``tahun``'s ``matriks_iku`` from its published figures, in one
    transaction; the number of rows written (0: the year has no published figures)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # As replace_year: a publication of the year waits for this one, and this
            # one reads the figures that publication would replace only before or after.
            names = ", ".join(conn.dialect.identifier_preparer.quote(t) for t in YEAR_TABLES)
            conn.exec_driver_sql(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")
        realisasi = _read(conn, realisasi_iku, tahun)
        if realisasi.empty:
            return 0
        tambahan = _read(conn, realisasi_tambahan, tahun)
        # A year published as year to date stays so (§8: "realisasi s.d. <tanggal>").
        sampai = sampai_tanggal_tahun(_read(conn, realisasi_triwulan, tahun))
        run_id = str(realisasi["run_id"].iloc[0])
        frame = matriks_for_year(
            realisasi.drop(columns=["run_id"]), tambahan, reference_dir, run_id, sampai
        )
        records = _records(
            frame.assign(tahun=tahun, run_id=run_id),
            matriks_iku,
            {"run_id": run_id, "dipublikasikan": clock.now()},
        )
        conn.execute(matriks_iku.delete().where(matriks_iku.c.tahun == tahun))
        if records:
            conn.execute(matriks_iku.insert(), records)
        refresh_perubahan(conn, [tahun])  # its LKjIP comparison, with the years as now
        return len(records)


def rebuild_matriks(
    engine: sa.Engine, reference_dir: Path, years: Iterable[int] | None = None
) -> dict[int, int]:
    """``matriks_iku`` of every published year (or of ``years``) rebuilt, one
    transaction per year; rows written per year rebuilt."""
    ensure_tables(engine)
    if years is None:
        with engine.connect() as conn:
            years = conn.execute(sa.select(realisasi_iku.c.tahun).distinct()).scalars().all()
    done = {}
    for tahun in sorted(int(y) for y in years):
        n = rebuild_year(engine, tahun, reference_dir)
        if n:
            done[tahun] = n
    return done
