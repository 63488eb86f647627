"""Ingest assets: the kelurahan table, then one multi-asset per source reading
``raw/<sumber>/<tahun>/`` (docs/data-contract.md §1-§4, §9).

Each source's step stores three values per year, so every later step loads only what it
reads: ``sumber/<sumber>/diterima`` (the accepted rows, typed, personal data masked),
``sumber/<sumber>/ditolak`` (the rejected rows as ``baris_ditolak`` records) and
``sumber/<sumber>/laporan`` (files, counts, figures). Its checks run in the same step.
A file that cannot be read does not stop the other sources from being read: it is
logged, shown in the metadata and the checks, and the indicator step then fails the
year naming every such file at once (§4).

Wiring only: the reading and the rules are in ``iku_pipeline.sources``; the inputs are
built from the specs, so a new source needs only its spec and its schema.
"""

import dagster as dg

from iku_pipeline.assets.metadata import column_schema, staged_metadata
from iku_pipeline.io import only_columns
from iku_pipeline.model import KEY, SourceReport, Staged, Wilayah, empty_rejected
from iku_pipeline.partitions import tahun_partitions
from iku_pipeline.resources import IkuPaths, Validation
from iku_pipeline.sources.reference import KELURAHAN_FILE, load_jenis_layanan, load_wilayah
from iku_pipeline.sources.specs import SOURCES, SourceSpec
from iku_pipeline.sources.validate import stage_source

GROUP = "sumber"
PARTS = ("diterima", "ditolak", "laporan")
WILAYAH_KEY = dg.AssetKey(["referensi", "kelurahan"])


def sumber_key(sumber: str, part: str) -> dg.AssetKey:
    """``sumber/<sumber>/<part>``, part one of ``PARTS``."""
    return dg.AssetKey([GROUP, sumber, part])


def sumber_ins(part: str, columns=None) -> dict[str, dg.AssetIn]:
    """One input per source, named after it: its ``part``; of a frame, when ``columns``
    is given, only ``columns[sumber]`` (none of a source missing there: its rows are
    counted, not read)."""
    return {
        name: dg.AssetIn(
            key=sumber_key(name, part),
            metadata=only_columns(columns.get(name, ())) if columns is not None else None,
        )
        for name in SOURCES
    }


_COMMON = dict(partitions_def=tahun_partitions, backfill_policy=dg.BackfillPolicy.single_run())


@dg.asset(key=WILAYAH_KEY, group_name="referensi", kinds={"csv"}, **_COMMON)
def kelurahan(context: dg.AssetExecutionContext, paths: IkuPaths) -> dict[int, dict]:
    """The kelurahan of ``reference/kelurahan.csv`` (§9), read once per run: the only
    place the kelurahan are named. Every year of the run uses this table."""
    wilayah = load_wilayah(paths.reference)
    context.log.info(f"Kelurahan dari {KELURAHAN_FILE}: {', '.join(wilayah.names)}")
    if wilayah.placeholder_codes:
        context.log.warning(
            f"Kode SISMIOP di {KELURAHAN_FILE} masih sementara: ganti dengan kode dari unit "
            "PBB sebelum membaca berkas PBB dalam format SISMIOP."
        )
    context.add_output_metadata(
        {"kelurahan": dg.MetadataValue.json([k.nama for k in wilayah.kelurahan])}
    )
    return {int(k): wilayah.to_json() for k in context.partition_keys}


def _referenced(spec: SourceSpec, inputs: dict, tahun: int) -> dict[str, Staged]:
    """The sources ``spec`` refers to, of one year: their report and accepted keys."""
    return {
        ref.source: Staged(
            SourceReport.from_json(inputs[f"{ref.source}_laporan"][tahun]),
            inputs[f"{ref.source}_diterima"][tahun],
            empty_rejected(),
        )
        for ref in spec.references
    }


def _checks(spec: SourceSpec) -> list[dg.AssetCheckSpec]:
    asset = sumber_key(spec.name, "diterima")
    return [
        dg.AssetCheckSpec(
            "baris_seimbang",
            asset=asset,
            blocking=True,
            description="Rows read = rows accepted + rows rejected, per file and in total (§4).",
        ),
        dg.AssetCheckSpec(
            "berkas_terbaca",
            asset=asset,
            description="Every delivered file could be read (§4). A failure here also fails "
            "the year's indicator step, which names every unreadable file.",
        ),
        dg.AssetCheckSpec(
            "penolakan_wajar",
            asset=asset,
            description="Warns when the source was not delivered, or rejects more than a share "
            "of its rows (setting `batas_penolakan`, default 10%).",
        ),
    ]


def _check_results(spec: SourceSpec, staged: dict[int, Staged], limit: float):
    asset = sumber_key(spec.name, "diterima")
    seimbang, terbaca, wajar = {}, {}, {}
    for tahun, s in staged.items():
        r = s.laporan
        seimbang[tahun] = [
            f"{f.berkas}: dibaca {f.dibaca} != diterima {f.diterima} + ditolak {f.ditolak}"
            for f in r.berkas
            if f.dibaca != f.diterima + f.ditolak
        ]
        if r.dibaca != len(s.diterima) + len(s.ditolak):
            seimbang[tahun].append(
                f"total: dibaca {r.dibaca} != diterima {len(s.diterima)} + "
                f"ditolak {len(s.ditolak)}"
            )
        terbaca[tahun] = [f"{f.berkas}: {f.gagal}" for f in r.gagal]
        if not r.diserahkan:
            wajar[tahun] = [f"{spec.name} {tahun} belum diserahkan"]
        elif r.dibaca and len(s.ditolak) / r.dibaca > limit:
            share = len(s.ditolak) / r.dibaca
            wajar[tahun] = [
                f"{len(s.ditolak)} dari {r.dibaca} baris ditolak ({share:.1%} > {limit:.0%})"
            ]
    for name, problems, severity in (
        ("baris_seimbang", seimbang, dg.AssetCheckSeverity.ERROR),
        ("berkas_terbaca", terbaca, dg.AssetCheckSeverity.ERROR),
        ("penolakan_wajar", wajar, dg.AssetCheckSeverity.WARN),
    ):
        found = {str(y): p for y, p in problems.items() if p}
        yield dg.AssetCheckResult(
            asset_key=asset,
            check_name=name,
            passed=not found,
            severity=severity,
            metadata={"masalah": dg.MetadataValue.json(found)},
        )


def _log_year(context, spec: SourceSpec, staged: Staged) -> None:
    """What was read, in one message (each message is an event Dagster stores)."""
    r = staged.laporan
    if not r.diserahkan:
        context.log.warning(
            f"{spec.judul} tahun {r.tahun} belum diserahkan (folder raw/{spec.name}/{r.tahun} "
            "tidak ada atau kosong): indikator yang memerlukannya tidak bernilai."
        )
    read = []
    for f in r.berkas:
        if f.gagal:
            context.log.error(f"{spec.name} {r.tahun}: {f.berkas} tidak dapat dibaca: {f.gagal}")
        else:
            read.append(f"{f.berkas}: {f.dibaca} baris dibaca, {f.diterima} diterima, "
                        f"{f.ditolak} ditolak")  # fmt: skip
    if read:
        folder = f"raw/{spec.name}/{r.tahun}/"
        context.log.info(f"{spec.name} {r.tahun} dari {folder}: " + "; ".join(read))


def _build(spec: SourceSpec) -> dg.AssetsDefinition:
    ins = {"wilayah": dg.AssetIn(key=WILAYAH_KEY)}
    for ref in spec.references:  # of a referenced source, its report and accepted keys
        ins[f"{ref.source}_laporan"] = dg.AssetIn(key=sumber_key(ref.source, "laporan"))
        ins[f"{ref.source}_diterima"] = dg.AssetIn(
            key=sumber_key(ref.source, "diterima"), metadata=only_columns([KEY])
        )
    outs = {
        "diterima": dg.AssetOut(
            key=sumber_key(spec.name, "diterima"),
            description=f"Rows of the {spec.judul} that pass every rule of the data contract, "
            "typed, personal data masked.",
            metadata={"dagster/column_schema": column_schema(spec.name)},
            kinds={"pandas"},
        ),
        "ditolak": dg.AssetOut(
            key=sumber_key(spec.name, "ditolak"),
            description=f"Rejected rows of the {spec.judul}: file, row, column, reason, "
            "masked values (to baris_ditolak).",
            kinds={"pandas"},
        ),
        "laporan": dg.AssetOut(
            key=sumber_key(spec.name, "laporan"),
            description=f"The {spec.judul}'s files: size, sha256, rows read, accepted, "
            "rejected, and why a file could not be read.",
            kinds={"json"},
        ),
    }

    @dg.multi_asset(
        name=f"sumber_{spec.name}",
        outs=outs,
        ins=ins,
        check_specs=_checks(spec),
        group_name=GROUP,
        can_subset=False,
        **_COMMON,
    )
    def _asset(
        context: dg.AssetExecutionContext, paths: IkuPaths, validation: Validation, **inputs
    ):
        key, stable = validation.key
        if not stable:
            context.log.warning(
                "IKU_HASH_KEY tidak diatur: data pribadi tetap disamarkan, tetapi hash "
                "NIK/nama hanya dapat dihubungkan dalam run ini, tidak antar-run."
            )
        jenis = load_jenis_layanan(paths.reference) if spec.name == "layanan" else None
        staged: dict[int, Staged] = {}
        for tahun, wilayah in inputs["wilayah"].items():
            staged[tahun] = stage_source(
                spec,
                paths.raw / spec.name / str(tahun),
                tahun,
                key,
                _referenced(spec, inputs, tahun),
                jenis,
                root=paths.data,
                limits=validation.limits,
                wilayah=Wilayah.from_json(wilayah),
            )
            _log_year(context, spec, staged[tahun])
        meta = staged_metadata(staged)
        yield dg.Output(
            {t: s.diterima for t, s in staged.items()}, "diterima", metadata=meta["diterima"]
        )
        yield dg.Output(
            {t: s.ditolak for t, s in staged.items()}, "ditolak", metadata=meta["ditolak"]
        )
        yield dg.Output(
            {t: s.laporan.to_json() for t, s in staged.items()},
            "laporan",
            metadata=meta["laporan"],
        )
        yield from _check_results(spec, staged, validation.rejected_share)

    return _asset


ingest_assets = [kelurahan, *(_build(spec) for spec in SOURCES.values())]
