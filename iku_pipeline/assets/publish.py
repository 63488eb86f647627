"""Publish assets: each year's rows replace that year in the warehouse in one
transaction, then the office's files are written from them (docs/data-contract.md §4-§5).

When the warehouse is unreachable or drops the connection, the step fails with a message
naming the database (``publish/failures.py``) and is retried with a growing delay
(``resources.publish_retry_policy``); the transaction of the interrupted year is rolled
back, so its previous publication stays whole. A folder that cannot be written fails
the files' step naming the folder, the old files kept.
"""

import contextlib
import functools
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import dagster as dg

from iku_pipeline.assets.indicators import indikator_key
from iku_pipeline.assets.ingest import WILAYAH_KEY, sumber_key
from iku_pipeline.assets.status import status_gagal
from iku_pipeline.indicators.triwulan import sampai_tanggal_tahun
from iku_pipeline.indicators.year import publication_log, rejected_rows
from iku_pipeline.model import SourceReport, Wilayah
from iku_pipeline.partitions import tahun_partitions
from iku_pipeline.publish.exports import Exported, matriks_for_year, write_exports
from iku_pipeline.publish.failures import database_message, folder_message, is_connection_error
from iku_pipeline.publish.lkjip import refresh_perubahan
from iku_pipeline.publish.status import record_success, refresh_new_files
from iku_pipeline.publish.warehouse import replace_year
from iku_pipeline.resources import IkuPaths, Warehouse, publish_retry_policy
from iku_pipeline.sources.specs import SOURCES

# Publishing and writing the files retry when the warehouse goes away (not for a fault
# of the data, which fails at once).
PUBLISH_RETRY = publish_retry_policy()

GROUP = "publikasi"


def publikasi_key(name: str) -> dg.AssetKey:
    return dg.AssetKey([GROUP, name])


TABLE_DESCRIPTIONS = {
    "realisasi_iku": "Realisasi of every IKU per year and wilayah (kecamatan, each kelurahan).",
    "realisasi_tambahan": "The supplementary figures per year, kode and wilayah, with "
    "realisasi_iku's columns: PBB paid in rupiah (3_nominal) and on time (3_tepat_waktu), "
    "the share of conflict activities Selesai (4_selesai).",
    "realisasi_triwulan": "Realisasi per year, triwulan (cumulative from 1 January), kode and "
    "wilayah, with sampai_tanggal: every IKU and supplementary figure; the current year up "
    "to the run's date.",
    "matriks_iku": "The signed IKU matrix per year: its texts, target, realisasi, capaian, "
    "predikat; each indicator followed by its supplementary rows.",
    "baris_ditolak": "Every rejected row of the extracts: file, row, column, reason, masked values.",
    "riwayat_publikasi": "Publication log: each source file's name, size, sha256 and row counts.",
}


# Of each source, its rejected rows and its report are read (each part of a source is
# read when first used, ``io.StoredParts``): no accepted row is loaded here.
_INS = {
    "realisasi_iku": dg.AssetIn(key=indikator_key("realisasi_iku")),
    "realisasi_tambahan": dg.AssetIn(key=indikator_key("realisasi_tambahan")),
    "realisasi_triwulan": dg.AssetIn(key=indikator_key("realisasi_triwulan")),
    **{name: dg.AssetIn(key=sumber_key(name)) for name in SOURCES},
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=publikasi_key(name),
            group_name=GROUP,
            description=text,
            deps=[i.key for i in _INS.values()],
            kinds={"sql"},
        )
        for name, text in TABLE_DESCRIPTIONS.items()
    ],
    partitions_def=tahun_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    ins=_INS,
    can_subset=False,
    retry_policy=PUBLISH_RETRY,
    hooks={status_gagal},
)
def warehouse_tables(
    context: dg.AssetExecutionContext,
    warehouse: Warehouse,
    paths: IkuPaths,
    realisasi_iku,
    realisasi_tambahan,
    **inputs,
):
    """Replace each year of the run in every published table together, in one
    transaction per year."""
    run_id = context.run.run_id
    totals = dict.fromkeys(TABLE_DESCRIPTIONS, 0)
    for tahun in realisasi_iku:
        with warehouse_errors(context, warehouse, f"mempublikasikan tahun {tahun}"):
            laporan = {n: SourceReport.from_json(inputs[n][tahun]["laporan"]) for n in SOURCES}
            frames = {
                "realisasi_iku": realisasi_iku[tahun],
                "realisasi_tambahan": realisasi_tambahan[tahun],
                "realisasi_triwulan": inputs["realisasi_triwulan"][tahun],
                "matriks_iku": matriks_for_year(
                    realisasi_iku[tahun], realisasi_tambahan[tahun], paths.reference, run_id,
                    sampai_tanggal_tahun(inputs["realisasi_triwulan"][tahun]),  # §8
                ),
                "baris_ditolak": rejected_rows([inputs[n][tahun]["ditolak"] for n in SOURCES]),
                "riwayat_publikasi": publication_log(laporan),
            }
            # The year's own comparison with the year before; other years untouched.
            counts = replace_year(
                warehouse.engine, tahun, frames, run_id,
                after=functools.partial(refresh_perubahan, years=[tahun]),
            )
        context.log.info(
            f"Tahun {tahun} dipublikasikan: "
            + ", ".join(f"{name} {n} baris" for name, n in counts.items())
        )
        for name in totals:
            totals[name] += counts[name]
    with warehouse_errors(context, warehouse, "mencatat status_publikasi"):
        record_success(warehouse.engine, realisasi_iku, run_id, raw_or_none(paths))
    for name in TABLE_DESCRIPTIONS:
        yield dg.MaterializeResult(
            asset_key=publikasi_key(name),
            metadata={
                "dagster/row_count": totals[name],
                "dagster/table_name": name,
                "run_id": run_id,
            },
        )


@dg.asset(
    key=publikasi_key("berkas_matriks"),
    group_name=GROUP,
    partitions_def=tahun_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[publikasi_key(name) for name in TABLE_DESCRIPTIONS],
    ins={"wilayah": dg.AssetIn(key=WILAYAH_KEY)},
    kinds={"excel", "csv"},
    retry_policy=PUBLISH_RETRY,
    hooks={status_gagal},
)
def berkas_matriks(
    context: dg.AssetExecutionContext, warehouse: Warehouse, paths: IkuPaths, wilayah
):
    """Files for the office under IKU_OUTPUT_DIR: matriks_iku_<tahun>.xlsx/.csv and
    baris_ditolak_<tahun>.xlsx for the run's years, and matriks_iku_2021-2025.xlsx with
    the trend charts and the status of every year, refreshed from every published year."""
    years = [int(k) for k in context.partition_keys]
    kelurahan = Wilayah.from_json(wilayah[max(wilayah)]).names
    exported = export_files(context, warehouse, paths, years, kelurahan)
    context.log.info("Ditulis: " + ", ".join(path.name for path in exported.paths))
    # The trend charts are Excel charts in the workbook; here their figures, as tables.
    from iku_pipeline.publish.charts import markdown

    grafik = "\n\n".join(
        markdown(t) for kode, t in exported.charts.items() if kode in ("1", "2", "3", "4")
    )
    return dg.MaterializeResult(
        metadata={
            "berkas": dg.MetadataValue.json([p.name for p in exported.paths]),
            "folder": dg.MetadataValue.path(str(paths.output)),
            "grafik": dg.MetadataValue.md(grafik),
        }
    )


# ---------------------------------------------------------------- failures around the run


@contextlib.contextmanager
def warehouse_errors(context, warehouse: Warehouse, action: str) -> Iterator[None]:
    """Within the block, the warehouse unreachable or the connection dropping becomes a
    ``Failure`` the office can read, naming the database, retried by the step's policy.
    Any other error (a fault of the data or of a reference table, a bug) fails the step
    at once: a retry would only repeat it."""
    try:
        yield
    except dg.Failure:
        raise
    except Exception as error:
        if not is_connection_error(error):
            raise dg.Failure(
                description=f"{type(error).__name__}: {error}", allow_retries=False
            ) from error
        policy = context.op_def.retry_policy
        attempts = policy.max_retries + 1 if policy else None
        message = database_message(
            error, warehouse.url, action, context.retry_number + 1, attempts
        )
        context.log.warning(message)
        raise dg.Failure(description=message, allow_retries=True) from None


def raw_or_none(paths: IkuPaths) -> Path | None:
    """The extracts folder, or None when it cannot be reached (the status then leaves
    the new-file check out rather than fail a publication that succeeded)."""
    try:
        return paths.raw
    except Exception:  # noqa: BLE001
        return None


def export_files(
    context, warehouse: Warehouse, paths: IkuPaths, years: Iterable[int],
    kelurahan: Sequence[str], checked: Iterable[int] | None = None,
) -> Exported:
    """Write the files of ``years`` and of the period, the status of every year brought
    up to date first (``checked``: years whose new-file check was just done, default
    ``years``). An output folder that cannot be written fails naming the folder."""
    years = list(years)
    checked = set(years if checked is None else checked)
    raw = raw_or_none(paths)
    with warehouse_errors(context, warehouse, "menulis berkas dari gudang data"):
        if raw is not None:
            every = [int(k) for k in tahun_partitions.get_partition_keys()]
            refresh_new_files(warehouse.engine, raw, [y for y in every if y not in checked])
        try:
            with warehouse.exclusive("berkas_matriks"), paths.exports() as folder:
                return write_exports(
                    warehouse.engine, folder, years, kelurahan, reference_dir=paths.reference
                )
        except OSError as e:
            message = folder_message(e, paths.output)
            context.log.error(message)
            raise dg.Failure(description=message, allow_retries=False) from None
