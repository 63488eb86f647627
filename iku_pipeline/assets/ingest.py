"""Ingest assets: the kelurahan table, then one asset per source reading
``raw/<sumber>/<tahun>/`` (docs/data-contract.md §1-§4, §9).

Each source is one asset, ``sumber/<sumber>``, whose year is stored as three parts, so
every later step loads only what it reads (``io.parts``): ``diterima`` (the accepted
rows, typed, personal data masked), ``ditolak`` (the rejected rows as ``baris_ditolak``
records) and ``laporan`` (files, counts, figures). Its checks run in the same step.
A file that cannot be read does not stop the other sources from being read: it is
logged, shown in the metadata and the checks, and the indicator step then fails the
year naming every such file at once (§4).

Wiring only: the reading and the rules are in ``iku_pipeline.sources``; the inputs are
built from the specs, so a new source needs only its spec and its schema.
"""

import dagster as dg

from iku_pipeline.assets.metadata import column_schema, staged_metadata
from iku_pipeline.io import parts
from iku_pipeline.model import KEY, SourceReport, Staged, Wilayah, empty_rejected
from iku_pipeline.partitions import tahun_partitions
from iku_pipeline.resources import IkuPaths, Validation
from iku_pipeline.sources.reference import KELURAHAN_FILE, load_jenis_layanan, load_wilayah
from iku_pipeline.sources.specs import SOURCES, SourceSpec
from iku_pipeline.sources.validate import stage_source

GROUP = "sumber"
WILAYAH_KEY = dg.AssetKey(["referensi", "kelurahan"])


def sumber_key(sumber: str) -> dg.AssetKey:
    """``sumber/<sumber>``."""
    return dg.AssetKey([GROUP, sumber])


def sumber_ins(**wanted) -> dict[str, dg.AssetIn]:
    """One input per source, named after it, loading the parts ``wanted`` (``io.parts``):
    ``{tahun: {part: value}}``. A part given as a mapping takes ``columns[sumber]`` of
    its frame (none of a source missing there: its rows are counted, not read)."""
    def of(name: str) -> dict:
        return {
            part: columns.get(name, ()) if isinstance(columns, dict) else columns
            for part, columns in wanted.items()
        }

    return {name: dg.AssetIn(key=sumber_key(name), metadata=parts(**of(name))) for name in SOURCES}


_COMMON = dict(partitions_def=tahun_partitions, backfill_policy=dg.BackfillPolicy.single_run())


@dg.asset(key=WILAYAH_KEY, group_name="referensi", kinds={"csv"}, **_COMMON)
def kelurahan(context: dg.AssetExecutionContext, paths: IkuPaths) -> dict[int, dict]:
    """The kelurahan of ``reference/kelurahan.csv`` (§9), read once per run: the only
    place the kelurahan are named. Every year of the run uses this table."""
    paths.require_data()
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


def staged_of(loaded: dict) -> Staged:
    """A staged source-year from the parts an input loaded (``diterima`` and
    ``laporan``); its rejected rows are not read."""
    return Staged(SourceReport.from_json(loaded["laporan"]), loaded["diterima"], empty_rejected())


def _referenced(spec: SourceSpec, inputs: dict, tahun: int) -> dict[str, Staged]:
    """The sources ``spec`` refers to, of one year: their report and accepted keys."""
    return {ref.source: staged_of(inputs[ref.source][tahun]) for ref in spec.references}


def _checks(spec: SourceSpec) -> list[dg.AssetCheckSpec]:
    # Two checks, the blocking one alone: each check is three events Dagster stores
    # (planned, output, evaluation), the costliest kinds on a SQLite instance.
    asset = sumber_key(spec.name)
    return [
        dg.AssetCheckSpec(
            "baris_seimbang",
            asset=asset,
            blocking=True,
            description="Rows read = rows accepted + rows rejected, per file and in total (§4).",
        ),
        dg.AssetCheckSpec(
            "berkas_wajar",
            asset=asset,
            description="The delivered files: every one could be read (ERROR; the indicator "
            "step then fails naming every unreadable file), and the source was delivered and "
            "rejects at most a share of its rows (WARN; setting `batas_penolakan`, default "
            "10%).",
        ),
    ]


def _check_results(spec: SourceSpec, staged: dict[int, Staged], limit: float):
    asset = sumber_key(spec.name)
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
    yield dg.AssetCheckResult(
        asset_key=asset,
        check_name="baris_seimbang",
        passed=not any(seimbang.values()),
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"masalah": _by_year(seimbang)},
    )
    # Unreadable files first: they decide the severity (an error), a source not
    # delivered or rejecting too much only warns.
    masalah = {y: terbaca.get(y, []) + wajar.get(y, []) for y in staged}
    yield dg.AssetCheckResult(
        asset_key=asset,
        check_name="berkas_wajar",
        passed=not any(masalah.values()),
        severity=(
            dg.AssetCheckSeverity.ERROR if any(terbaca.values()) else dg.AssetCheckSeverity.WARN
        ),
        metadata={"masalah": _by_year(masalah)},
    )


def _by_year(problems: dict[int, list[str]]) -> dg.MetadataValue:
    """``{tahun: [problem, ...]}`` of the years with problems, for the UI."""
    return dg.MetadataValue.json({str(y): p for y, p in problems.items() if p})


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
        ins[ref.source] = dg.AssetIn(
            key=sumber_key(ref.source), metadata=parts(diterima=[KEY], laporan=None)
        )

    @dg.asset(
        key=sumber_key(spec.name),
        description=f"The {spec.judul} of each year, validated: the rows that pass every "
        "rule of the data contract (typed, personal data masked), the rejected rows (file, "
        "row, column, reason, masked values) and the report of its files (size, sha256, "
        "rows read, accepted, rejected, and why a file could not be read).",
        ins=ins,
        check_specs=_checks(spec),
        group_name=GROUP,
        metadata={"dagster/column_schema": column_schema(spec.name)},
        kinds={"pandas"},
        **_COMMON,
    )
    def _asset(
        context: dg.AssetExecutionContext, paths: IkuPaths, validation: Validation, **inputs
    ):
        paths.require_data()
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
        yield dg.Output(staged, metadata=staged_metadata(staged))
        yield from _check_results(spec, staged, validation.rejected_share)

    return _asset


ingest_assets = [kelurahan, *(_build(spec) for spec in SOURCES.values())]
