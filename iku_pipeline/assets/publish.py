"""Publish assets: each year's rows replace that year in the warehouse in one
transaction (DATA_CONTRACT §4-§5)."""

import base64

import dagster as dg

from iku_pipeline.assets.indicators import IKU_KEY, staged_by_year
from iku_pipeline.assets.ingest import staged_key
from iku_pipeline.indicators.year import publication_log, rejected_rows
from iku_pipeline.io import STAGED_COUNTS, per_year, years_of
from iku_pipeline.partitions import tahun_partitions
from iku_pipeline.publish.exports import matriks_for_year, write_exports
from iku_pipeline.publish.warehouse import replace_year
from iku_pipeline.resources import IkuPaths, Warehouse
from iku_pipeline.sources.specs import SOURCES

GROUP = "publish"

TABLE_DESCRIPTIONS = {
    "realisasi_iku": "Realisasi of every IKU per year and wilayah (kecamatan, each kelurahan).",
    "realisasi_tambahan": "IKU 4's supplementary figure: share of conflict activities Selesai.",
    "matriks_iku": "The signed IKU matrix per year: its texts, target, realisasi, capaian, predikat.",
    "baris_ditolak": "Every rejected row of the extracts: file, row, column, reason, masked values.",
    "riwayat_publikasi": "Publication log: each source file's name, size, sha256 and row counts.",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=name,
            group_name=GROUP,
            description=text,
            deps=[IKU_KEY, *(staged_key(n) for n in SOURCES)],
            kinds={"sql"},
        )
        for name, text in TABLE_DESCRIPTIONS.items()
    ],
    partitions_def=tahun_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    # Of each staged source, its files and rejected rows: no accepted column.
    ins={
        "iku": dg.AssetIn(key=IKU_KEY),
        **{n: dg.AssetIn(key=staged_key(n), input_manager_key=STAGED_COUNTS) for n in SOURCES},
    },
    can_subset=False,
)
def warehouse_tables(
    context: dg.AssetExecutionContext,
    warehouse: Warehouse,
    paths: IkuPaths,
    iku,
    layanan,
    musrenbang_usulan,
    musrenbang_ba,
    pbb_dhkp,
    pbb_pembayaran,
    konflik,
):
    """Replace each year of the run in every published table together, in one
    transaction per year."""
    results = per_year(context, iku)
    years = staged_by_year(
        context,
        layanan=layanan,
        musrenbang_usulan=musrenbang_usulan,
        musrenbang_ba=musrenbang_ba,
        pbb_dhkp=pbb_dhkp,
        pbb_pembayaran=pbb_pembayaran,
        konflik=konflik,
    )
    run_id = context.run.run_id
    totals = dict.fromkeys(TABLE_DESCRIPTIONS, 0)
    for tahun, staged in years.items():
        frames = {
            "realisasi_iku": results[tahun].realisasi,
            "realisasi_tambahan": results[tahun].tambahan,
            "matriks_iku": matriks_for_year(
                results[tahun].realisasi, results[tahun].tambahan, paths.reference, run_id
            ),
            "baris_ditolak": rejected_rows(staged),
            "riwayat_publikasi": publication_log(staged),
        }
        counts = replace_year(warehouse.engine, tahun, frames, run_id)
        context.log.info(
            f"Tahun {tahun} dipublikasikan: "
            + ", ".join(f"{name} {n} baris" for name, n in counts.items())
        )
        for name in totals:
            totals[name] += counts[name]
    for name in TABLE_DESCRIPTIONS:
        yield dg.MaterializeResult(
            asset_key=name,
            metadata={
                "dagster/row_count": totals[name],
                "dagster/table_name": name,
                "run_id": run_id,
            },
        )


@dg.asset(
    key="berkas_matriks",
    group_name=GROUP,
    partitions_def=tahun_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=list(TABLE_DESCRIPTIONS),
    kinds={"excel", "csv"},
)
def berkas_matriks(context: dg.AssetExecutionContext, warehouse: Warehouse, paths: IkuPaths):
    """Files for the office under IKU_OUTPUT_DIR: matriks_iku_<tahun>.xlsx/.csv and
    baris_ditolak_<tahun>.xlsx for the run's years, and matriks_iku_2021-2025.xlsx with
    the trend charts, refreshed from every published year."""
    exported = write_exports(warehouse.engine, paths.output, years_of(context))
    for path in exported.paths:
        context.log.info(f"Ditulis: {path.name}")
    images = "\n\n".join(
        f"**IKU {kode}**\n\n![IKU {kode}](data:image/png;base64,"
        f"{base64.b64encode(png).decode()})"
        for kode, png in exported.charts.items()
        if kode in ("1", "2", "3", "4")
    )
    return dg.MaterializeResult(
        metadata={
            "berkas": dg.MetadataValue.json([p.name for p in exported.paths]),
            "folder": dg.MetadataValue.path(str(paths.output)),
            "grafik": dg.MetadataValue.md(images),
        }
    )
