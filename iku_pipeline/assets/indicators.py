"""Indicator assets: the year's IKU values from the staged sources (docs/data-contract.md §3, §5).

One step reads, of every source, only the accepted columns the computations declare
(``compute.COLUMNS``) and its report; it stores the ``realisasi_iku``,
``realisasi_tambahan`` and ``realisasi_triwulan`` (§8) rows and the figures §3 asks to
report, and checks them in the same step (``realisasi_konsisten``,
``triwulan_konsisten``, blocking: an inconsistent year is never published). The run's
date (resource ``kalender``) makes the current year year to date.
"""

import math

import dagster as dg

from iku_pipeline.assets.checks import realisasi_problems, triwulan_problems
from iku_pipeline.assets.ingest import WILAYAH_KEY, staged_of, sumber_ins
from iku_pipeline.assets.metadata import realisasi_markdown, triwulan_markdown
from iku_pipeline.assets.status import status_gagal
from iku_pipeline.indicators.compute import COLUMNS
from iku_pipeline.indicators.triwulan import periode, sampai_tanggal_tahun, sampai_teks
from iku_pipeline.indicators.year import compute_year
from iku_pipeline.model import SourceFailed, SourceReport, Staged, Wilayah
from iku_pipeline.partitions import tahun_partitions
from iku_pipeline.resources import Kalender
from iku_pipeline.sources.specs import SOURCES

GROUP = "indikator"
PARTS = ("realisasi_iku", "realisasi_tambahan", "realisasi_triwulan", "laporan")


def indikator_key(part: str) -> dg.AssetKey:
    return dg.AssetKey([GROUP, part])


def staged_by_year(inputs: dict) -> dict[int, dict[str, Staged]]:
    """{tahun: {sumber: staged}} from the per-source inputs ``{sumber: {tahun: parts}}``
    (accepted rows and reports; the rejected rows are not read here)."""
    years = next(iter(inputs.values())).keys()
    return {tahun: {name: staged_of(inputs[name][tahun]) for name in SOURCES} for tahun in years}


def failed_files_message(reports: dict[int, dict[str, SourceReport]]) -> str | None:
    """Every file of the run that could not be read, per source and year (§4)."""
    parts = [str(SourceFailed(r)) for by_source in reports.values() for r in by_source.values() if r.gagal]
    if not parts:
        return None
    return (
        "Tidak ada yang dipublikasikan untuk tahun ini; publikasi sebelumnya tetap. "
        "Perbaiki atau ganti berkas berikut, lalu jalankan ulang:\n" + "\n".join(parts)
    )


_INS = {"wilayah": dg.AssetIn(key=WILAYAH_KEY), **sumber_ins(diterima=COLUMNS, laporan=None)}


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
        "realisasi_triwulan": dg.AssetOut(
            key=indikator_key("realisasi_triwulan"),
            description="Realisasi per triwulan (TW I-IV, cumulative from 1 January) of every "
            "IKU and supplementary figure for the kecamatan and each kelurahan; the current "
            "year up to the run's date (kalender.tanggal_run), quarters not begun left out.",
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
        ),
        dg.AssetCheckSpec(
            "triwulan_konsisten",
            asset=indikator_key("realisasi_triwulan"),
            blocking=True,
            description="Every quarter computed × kode × wilayah present once, no quarter not "
            "begun; sampai_tanggal each quarter's; cumulative figures never fall; a TW IV "
            "to 31 December equals the yearly rows exactly (pembilang, penyebut, nilai).",
        ),
    ],
    group_name=GROUP,
    partitions_def=tahun_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=False,
    hooks={status_gagal},  # its failure (unreadable files) in status_publikasi, any job
)
def indikator(context: dg.AssetExecutionContext, kalender: Kalender, wilayah, **inputs):
    """Fails, naming every unreadable file, when a delivered file could not be read."""
    years = staged_by_year(inputs)
    message = failed_files_message(
        {t: {n: s.laporan for n, s in by.items()} for t, by in years.items()}
    )
    if message:
        raise dg.Failure(description=message)
    of_year = {tahun: Wilayah.from_json(value) for tahun, value in wilayah.items()}
    tanggal = kalender.tanggal  # the run's date: the current year is year to date (§8)
    try:
        quarters = {tahun: periode(tahun, tanggal) for tahun in years}
    except ValueError as e:
        raise dg.Failure(description=f"{e} (kalender.tanggal_run)") from None
    out = {
        tahun: compute_year(staged, tahun, of_year[tahun], tanggal)
        for tahun, staged in years.items()
    }
    sampai = {tahun: sampai_tanggal_tahun(r.triwulan) for tahun, r in out.items()}
    problems, problems_tw = {}, {}
    for tahun, result in out.items():
        kec = result.realisasi[result.realisasi["wilayah"].eq(of_year[tahun].kecamatan)]
        shown = []  # one message for the year: each message is an event Dagster stores
        for row in kec.itertuples():
            missing = row.nilai is None or math.isnan(row.nilai)
            shown.append(f"IKU {row.kode}: {'belum tersedia' if missing else f'{row.nilai:.2f}'}"
                         f" {row.satuan}")  # fmt: skip
        context.log.info(f"{tahun} " + "; ".join(shown))
        if result.belum_diserahkan:
            context.log.warning(
                f"{tahun}: sumber belum diserahkan: " + ", ".join(result.belum_diserahkan)
            )
        if sampai[tahun] is not None:
            context.log.info(f"{tahun}: tahun berjalan, {sampai_teks(sampai[tahun])}")
        found = realisasi_problems(result.realisasi, of_year[tahun])
        if found:
            problems[str(tahun)] = found
        found = triwulan_problems(
            result.triwulan, result.realisasi, result.tambahan, of_year[tahun], quarters[tahun]
        )
        if found:
            problems_tw[str(tahun)] = found

    def heading(tahun: int) -> str:
        """A year's heading in the metadata; the running year's says up to when."""
        return f"**{tahun}**" + (f" ({sampai_teks(sampai[tahun])})" if sampai[tahun] else "")

    realisasi_md = "\n\n".join(
        f"{heading(tahun)}\n\n{realisasi_markdown(r.realisasi)}" for tahun, r in sorted(out.items())
    )
    triwulan_md = "\n\n".join(
        f"{heading(tahun)}\n\n{triwulan_markdown(r.triwulan, of_year[tahun].kecamatan)}"
        for tahun, r in sorted(out.items())
    )
    sampai_md = {str(t): (d.isoformat() if d else None) for t, d in sorted(sampai.items())}
    yield dg.Output(
        {t: r.realisasi for t, r in out.items()},
        "realisasi_iku",
        metadata={
            "dagster/row_count": sum(len(r.realisasi) for r in out.values()),
            "realisasi": dg.MetadataValue.md(realisasi_md),
            "sampai_tanggal": dg.MetadataValue.json(sampai_md),
        },
    )
    yield dg.Output(
        {t: r.tambahan for t, r in out.items()},
        "realisasi_tambahan",
        metadata={"dagster/row_count": sum(len(r.tambahan) for r in out.values())},
    )
    yield dg.Output(
        {t: r.triwulan for t, r in out.items()},
        "realisasi_triwulan",
        metadata={
            "dagster/row_count": sum(len(r.triwulan) for r in out.values()),
            "triwulan": dg.MetadataValue.md(triwulan_md),
            "sampai_tanggal": dg.MetadataValue.json(sampai_md),
        },
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
    yield dg.AssetCheckResult(
        asset_key=indikator_key("realisasi_triwulan"),
        check_name="triwulan_konsisten",
        passed=not problems_tw,
        metadata={"masalah": dg.MetadataValue.json(problems_tw)},
    )
