"""Indicator assets: the year's IKU values from the staged sources (docs/data-contract.md §3, §5).

One step reads, of every source, only the accepted columns the computations declare
(``compute.COLUMNS``) and its report; it stores the ``realisasi_iku`` and
``realisasi_tambahan`` rows and the figures §3 asks to report, and checks them in the
same step (``realisasi_konsisten``, blocking: an inconsistent year is never published).
"""

import math

import dagster as dg

from iku_pipeline.assets.checks import realisasi_problems
from iku_pipeline.assets.ingest import WILAYAH_KEY, sumber_ins
from iku_pipeline.assets.metadata import realisasi_markdown
from iku_pipeline.indicators.compute import COLUMNS
from iku_pipeline.indicators.year import compute_year
from iku_pipeline.model import SourceFailed, SourceReport, Staged, Wilayah, empty_rejected
from iku_pipeline.partitions import tahun_partitions
from iku_pipeline.sources.specs import SOURCES

GROUP = "indikator"
PARTS = ("realisasi_iku", "realisasi_tambahan", "laporan")


def indikator_key(part: str) -> dg.AssetKey:
    return dg.AssetKey([GROUP, part])


def staged_by_year(diterima: dict, laporan: dict) -> dict[int, dict[str, Staged]]:
    """{tahun: {sumber: staged}} from the per-source inputs ``{sumber: {tahun: value}}``
    (accepted rows and reports; the rejected rows are not read here)."""
    years = next(iter(laporan.values())).keys()
    return {
        tahun: {
            name: Staged(
                SourceReport.from_json(laporan[name][tahun]),
                diterima[name][tahun],
                empty_rejected(),
            )
            for name in SOURCES
        }
        for tahun in years
    }


def failed_files_message(reports: dict[int, dict[str, SourceReport]]) -> str | None:
    """Every file of the run that could not be read, per source and year (§4)."""
    parts = [str(SourceFailed(r)) for by_source in reports.values() for r in by_source.values() if r.gagal]
    if not parts:
        return None
    return (
        "Tidak ada yang dipublikasikan untuk tahun ini; publikasi sebelumnya tetap. "
        "Perbaiki atau ganti berkas berikut, lalu jalankan ulang:\n" + "\n".join(parts)
    )


_INS = {
    "wilayah": dg.AssetIn(key=WILAYAH_KEY),
    **{f"{n}_diterima": i for n, i in sumber_ins("diterima", COLUMNS).items()},
    **{f"{n}_laporan": i for n, i in sumber_ins("laporan").items()},
}


@dg.multi_asset(
    name="indikator",
    outs={
        "realisasi_iku": dg.AssetOut(
            key=indikator_key("realisasi_iku"),
            description="Realisasi of every IKU (1, 1a-1d, 2, 3, 4) for the kecamatan and "
            "each kelurahan: pembilang, penyebut and nilai, as the signed matrix's formulas say.",
            kinds={"pandas"},
        ),
        "realisasi_tambahan": dg.AssetOut(
            key=indikator_key("realisasi_tambahan"),
            description="The supplementary figures beside the IKU, as realisasi_iku's rows: "
            "3_nominal (PBB paid / PBB due, in rupiah), 3_tepat_waktu (wajib pajak paid in "
            "full by the due date), 4_selesai (activities Selesai).",
            kinds={"pandas"},
        ),
        "laporan": dg.AssetOut(
            key=indikator_key("laporan"),
            description="The figures the contract asks to report beside the IKU, and the "
            "sources not delivered.",
            kinds={"json"},
        ),
    },
    ins=_INS,
    check_specs=[
        dg.AssetCheckSpec(
            "realisasi_konsisten",
            asset=indikator_key("realisasi_iku"),
            blocking=True,
            description="Every indicator × wilayah row present once; pembilang ≤ penyebut; "
            "0 ≤ nilai ≤ 100 for percentages; IKU 4's nilai is its count.",
        )
    ],
    group_name=GROUP,
    partitions_def=tahun_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=False,
)
def indikator(context: dg.AssetExecutionContext, wilayah, **inputs):
    """Fails, naming every unreadable file, when a delivered file could not be read."""
    diterima = {n: inputs[f"{n}_diterima"] for n in SOURCES}
    laporan = {n: inputs[f"{n}_laporan"] for n in SOURCES}
    years = staged_by_year(diterima, laporan)
    message = failed_files_message(
        {t: {n: s.laporan for n, s in by.items()} for t, by in years.items()}
    )
    if message:
        raise dg.Failure(description=message)
    of_year = {tahun: Wilayah.from_json(value) for tahun, value in wilayah.items()}
    out = {tahun: compute_year(staged, tahun, of_year[tahun]) for tahun, staged in years.items()}
    problems = {}
    for tahun, result in out.items():
        kec = result.realisasi[result.realisasi["wilayah"].eq(of_year[tahun].kecamatan)]
        for row in kec.itertuples():
            missing = row.nilai is None or math.isnan(row.nilai)
            shown = "belum tersedia" if missing else f"{row.nilai:.2f}"
            context.log.info(f"{tahun} IKU {row.kode}: {shown} {row.satuan}")
        if result.belum_diserahkan:
            context.log.warning(
                f"{tahun}: sumber belum diserahkan: " + ", ".join(result.belum_diserahkan)
            )
        found = realisasi_problems(result.realisasi, of_year[tahun])
        if found:
            problems[str(tahun)] = found
    realisasi_md = "\n\n".join(
        f"**{tahun}**\n\n{realisasi_markdown(r.realisasi)}" for tahun, r in sorted(out.items())
    )
    yield dg.Output(
        {t: r.realisasi for t, r in out.items()},
        "realisasi_iku",
        metadata={
            "dagster/row_count": sum(len(r.realisasi) for r in out.values()),
            "realisasi": dg.MetadataValue.md(realisasi_md),
        },
    )
    yield dg.Output(
        {t: r.tambahan for t, r in out.items()},
        "realisasi_tambahan",
        metadata={"dagster/row_count": sum(len(r.tambahan) for r in out.values())},
    )
    yield dg.Output(
        {t: {"laporan": r.laporan, "belum_diserahkan": r.belum_diserahkan} for t, r in out.items()},
        "laporan",
        metadata={
            "sumber_belum_diserahkan": dg.MetadataValue.json(
                {str(t): r.belum_diserahkan for t, r in out.items()}
            ),
            "laporan": dg.MetadataValue.json({str(t): r.laporan for t, r in out.items()}),
        },
    )
    yield dg.AssetCheckResult(
        asset_key=indikator_key("realisasi_iku"),
        check_name="realisasi_konsisten",
        passed=not problems,
        metadata={"masalah": dg.MetadataValue.json(problems)},
    )
