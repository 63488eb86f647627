"""The job ``iku_presentasi``: after a presentation table under ``reference/`` changed
(``target_iku.csv``, ``predikat.csv``, any table that changes how the figures are shown,
not which rows count), the matrices and files of every published year again, from the
warehouse, without reading any extract (docs/data-contract.md §5.4, §7).

Launched by the sensor ``iku_raw_extracts`` when such a table changes, or by hand in the
UI (Jobs > iku_presentasi > Launch run). Not partitioned: it covers every year that has
published figures. Each year's ``matriks_iku`` is replaced in one transaction; then the
files are written as a yearly run writes them.
"""

import dagster as dg

from iku_pipeline.assets.publish import (
    PUBLISH_RETRY,
    export_files,
    publikasi_key,
    raw_or_none,
    warehouse_errors,
)
from iku_pipeline.assets.status import status_gagal
from iku_pipeline.publish.presentasi import rebuild_matriks
from iku_pipeline.publish.status import record_success
from iku_pipeline.resources import IkuPaths, Warehouse
from iku_pipeline.sources.reference import load_wilayah

JOB_NAME = "iku_presentasi"


@dg.op(
    name="presentasi",
    out={},
    retry_policy=PUBLISH_RETRY,
    description="matriks_iku tiap tahun yang sudah dipublikasikan disusun ulang dari "
    "realisasi di gudang data dengan tabel referensi terbaru, lalu berkasnya ditulis ulang.",
)
def presentasi(context: dg.OpExecutionContext, warehouse: Warehouse, paths: IkuPaths):
    run_id = context.run.run_id
    with warehouse_errors(context, warehouse, "menyusun ulang matriks_iku"):
        done = rebuild_matriks(warehouse.engine, paths.reference)
    if not done:
        context.log.info("Belum ada tahun yang dipublikasikan; tidak ada yang disusun ulang.")
        return
    for tahun, n in done.items():
        context.log.info(f"Tahun {tahun}: matriks_iku disusun ulang ({n} baris).")
    raw = raw_or_none(paths)
    with warehouse_errors(context, warehouse, "mencatat status_publikasi"):
        record_success(warehouse.engine, done, run_id, raw)
    with warehouse_errors(context, warehouse, "membaca reference/kelurahan.csv"):
        kelurahan = load_wilayah(paths.reference).names
    exported = export_files(context, warehouse, paths, done, kelurahan)
    for path in exported.paths:
        context.log.info(f"Ditulis: {path.name}")
    for tahun in done:
        for name in ("matriks_iku", "berkas_matriks"):
            context.log_event(
                dg.AssetMaterialization(
                    asset_key=publikasi_key(name),
                    partition=str(tahun),
                    description="Disusun ulang oleh iku_presentasi (tabel referensi berubah).",
                    metadata={"run_id": run_id},
                )
            )


@dg.job(
    name=JOB_NAME,
    hooks={status_gagal},
    executor_def=dg.in_process_executor,
    description="Matriks dan berkas semua tahun yang sudah dipublikasikan disusun ulang dari "
    "gudang data (setelah target_iku.csv, predikat.csv atau tabel tampilan lain diubah), "
    "tanpa membaca ekstrak.",
)
def iku_presentasi():
    presentasi()
