"""Indicator assets: the year's IKU values from the staged sources (DATA_CONTRACT §3)."""

import dagster as dg

from iku_pipeline.assets.ingest import staged_key
from iku_pipeline.assets.metadata import realisasi_markdown
from iku_pipeline.indicators.declarations import KECAMATAN
from iku_pipeline.indicators.year import IkuTahun, compute_year
from iku_pipeline.partitions import tahun_partitions
from iku_pipeline.sources.specs import SOURCES
from iku_pipeline.sources.validate import Staged

GROUP = "indicators"


@dg.asset(
    key=dg.AssetKey(["indicators", "iku"]),
    group_name=GROUP,
    partitions_def=tahun_partitions,
    ins={name: dg.AssetIn(key=staged_key(name)) for name in SOURCES},
    kinds={"pandas"},
)
def iku(
    context: dg.AssetExecutionContext,
    layanan: Staged,
    musrenbang_usulan: Staged,
    musrenbang_ba: Staged,
    pbb_dhkp: Staged,
    pbb_pembayaran: Staged,
    konflik: Staged,
) -> dg.Output[IkuTahun]:
    """Realisasi of every IKU (1, 1a-1d, 2, 3, 4) for the kecamatan and each kelurahan:
    pembilang, penyebut and nilai, as the signed matrix's formulas say."""
    staged = dict(
        layanan=layanan,
        musrenbang_usulan=musrenbang_usulan,
        musrenbang_ba=musrenbang_ba,
        pbb_dhkp=pbb_dhkp,
        pbb_pembayaran=pbb_pembayaran,
        konflik=konflik,
    )
    result = compute_year(staged, int(context.partition_key))
    kec = result.realisasi[result.realisasi["wilayah"].eq(KECAMATAN)]
    for row in kec.itertuples():
        shown = "belum tersedia" if row.nilai != row.nilai or row.nilai is None else f"{row.nilai:.2f}"
        context.log.info(f"IKU {row.kode}: {shown} {row.satuan}")
    if result.belum_diserahkan:
        context.log.warning("Sumber belum diserahkan: " + ", ".join(result.belum_diserahkan))
    metadata = {
        "realisasi": dg.MetadataValue.md(realisasi_markdown(result.realisasi)),
        "sumber_belum_diserahkan": dg.MetadataValue.json(result.belum_diserahkan),
        "laporan": dg.MetadataValue.json(result.laporan),
        "dagster/row_count": len(result.realisasi),
    }
    for row in kec.itertuples():
        if row.nilai == row.nilai and row.nilai is not None:
            metadata[f"iku_{row.kode}"] = float(row.nilai)
    return dg.Output(result, metadata=metadata)
