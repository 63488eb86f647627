"""Publish assets: the year's rows replace that year in the warehouse in one
transaction (DATA_CONTRACT §4-§5)."""

import dagster as dg

from iku_pipeline.assets.ingest import staged_key
from iku_pipeline.indicators.year import IkuTahun, publication_log, rejected_rows
from iku_pipeline.partitions import tahun_partitions
from iku_pipeline.publish.warehouse import replace_year
from iku_pipeline.resources import Warehouse
from iku_pipeline.sources.specs import SOURCES
from iku_pipeline.sources.validate import Staged

GROUP = "publish"

TABLE_DESCRIPTIONS = {
    "realisasi_iku": "Realisasi tiap IKU per tahun dan wilayah (kecamatan, tiap kelurahan).",
    "baris_ditolak": "Setiap baris ekstrak yang ditolak, dengan berkas, baris, kolom dan alasan.",
    "riwayat_publikasi": "Berkas sumber tiap publikasi: nama, ukuran, sha256, jumlah baris.",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=name,
            group_name=GROUP,
            description=text,
            deps=[dg.AssetKey(["indicators", "iku"]), *(staged_key(n) for n in SOURCES)],
            kinds={"sql"},
        )
        for name, text in TABLE_DESCRIPTIONS.items()
    ],
    partitions_def=tahun_partitions,
    ins={
        "iku": dg.AssetIn(key=dg.AssetKey(["indicators", "iku"])),
        **{name: dg.AssetIn(key=staged_key(name)) for name in SOURCES},
    },
    can_subset=False,
)
def warehouse_tables(
    context: dg.AssetExecutionContext,
    warehouse: Warehouse,
    iku: IkuTahun,
    layanan: Staged,
    musrenbang_usulan: Staged,
    musrenbang_ba: Staged,
    pbb_dhkp: Staged,
    pbb_pembayaran: Staged,
    konflik: Staged,
):
    """Replace the year in realisasi_iku, baris_ditolak and riwayat_publikasi together."""
    staged = dict(
        layanan=layanan,
        musrenbang_usulan=musrenbang_usulan,
        musrenbang_ba=musrenbang_ba,
        pbb_dhkp=pbb_dhkp,
        pbb_pembayaran=pbb_pembayaran,
        konflik=konflik,
    )
    frames = {
        "realisasi_iku": iku.realisasi,
        "baris_ditolak": rejected_rows(staged),
        "riwayat_publikasi": publication_log(staged),
    }
    counts = replace_year(warehouse.engine, iku.tahun, frames, context.run.run_id)
    context.log.info(
        f"Tahun {iku.tahun} dipublikasikan: "
        + ", ".join(f"{name} {n} baris" for name, n in counts.items())
    )
    for name in TABLE_DESCRIPTIONS:
        yield dg.MaterializeResult(
            asset_key=name,
            metadata={
                "dagster/row_count": counts[name],
                "dagster/table_name": name,
                "run_id": context.run.run_id,
            },
        )
