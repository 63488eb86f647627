"""Indicator assets: the year's IKU values from the staged sources (DATA_CONTRACT §3)."""

import math

import dagster as dg

from iku_pipeline.assets.ingest import staged_key
from iku_pipeline.assets.metadata import realisasi_markdown
from iku_pipeline.indicators.compute import COLUMNS
from iku_pipeline.indicators.declarations import KECAMATAN
from iku_pipeline.indicators.year import compute_year
from iku_pipeline.io import for_output, only_columns, per_year, years_of
from iku_pipeline.partitions import tahun_partitions
from iku_pipeline.sources.specs import SOURCES
from iku_pipeline.sources.validate import SourceFailed, Staged

GROUP = "indicators"
IKU_KEY = dg.AssetKey(["indicators", "iku"])


def staged_by_year(context, **sources) -> dict[int, dict[str, Staged]]:
    """{year: {source: staged}} from the staged inputs of a (possibly multi-year) run."""
    by_source = {name: per_year(context, value) for name, value in sources.items()}
    return {y: {name: by_source[name][y] for name in SOURCES} for y in years_of(context)}


def failed_files_message(years: dict[int, dict[str, Staged]]) -> str | None:
    """Every file of the run that could not be read, per source and year (§4)."""
    parts = [
        str(SourceFailed(name, tahun, s.failed))
        for tahun, staged in years.items()
        for name, s in staged.items()
        if s.failed
    ]
    if not parts:
        return None
    return (
        "Tidak ada yang dipublikasikan untuk tahun ini; publikasi sebelumnya tetap. "
        "Perbaiki atau ganti berkas berikut, lalu jalankan ulang:\n" + "\n".join(parts)
    )


@dg.asset(
    key=IKU_KEY,
    group_name=GROUP,
    partitions_def=tahun_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    # Only the accepted columns the computation reads (and every file and count).
    ins={
        name: dg.AssetIn(key=staged_key(name), metadata=only_columns(COLUMNS[name]))
        for name in SOURCES
    },
    kinds={"pandas"},
)
def iku(
    context: dg.AssetExecutionContext,
    layanan,
    musrenbang_usulan,
    musrenbang_ba,
    pbb_dhkp,
    pbb_pembayaran,
    konflik,
) -> dg.Output:
    """Realisasi of every IKU (1, 1a-1d, 2, 3, 4) for the kecamatan and each kelurahan:
    pembilang, penyebut and nilai, as the signed matrix's formulas say. Fails, naming
    every unreadable file, when a delivered file could not be read."""
    years = staged_by_year(
        context,
        layanan=layanan,
        musrenbang_usulan=musrenbang_usulan,
        musrenbang_ba=musrenbang_ba,
        pbb_dhkp=pbb_dhkp,
        pbb_pembayaran=pbb_pembayaran,
        konflik=konflik,
    )
    message = failed_files_message(years)
    if message:
        raise dg.Failure(description=message)
    out = {tahun: compute_year(staged, tahun) for tahun, staged in years.items()}
    metadata = {}
    for tahun, result in out.items():
        kec = result.realisasi[result.realisasi["wilayah"].eq(KECAMATAN)]
        for row in kec.itertuples():
            missing = row.nilai is None or math.isnan(row.nilai)
            shown = "belum tersedia" if missing else f"{row.nilai:.2f}"
            context.log.info(f"{tahun} IKU {row.kode}: {shown} {row.satuan}")
            if len(out) == 1 and not missing:
                metadata[f"iku_{row.kode}"] = float(row.nilai)
        if result.belum_diserahkan:
            context.log.warning(
                f"{tahun}: sumber belum diserahkan: " + ", ".join(result.belum_diserahkan)
            )
        suffix = "" if len(out) == 1 else f"_{tahun}"
        metadata[f"realisasi{suffix}"] = dg.MetadataValue.md(realisasi_markdown(result.realisasi))
        metadata[f"sumber_belum_diserahkan{suffix}"] = dg.MetadataValue.json(
            result.belum_diserahkan
        )
        metadata[f"laporan{suffix}"] = dg.MetadataValue.json(result.laporan)
    metadata["dagster/row_count"] = sum(len(r.realisasi) for r in out.values())
    return dg.Output(for_output(out), metadata=metadata)
