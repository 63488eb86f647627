"""Ingest assets: one per source, reading ``raw/<source>/<tahun>/`` (DATA_CONTRACT §1-§4).

Wiring only: the reading and the rules are in ``iku_pipeline.sources``. A file that
cannot be read does not stop the other sources from being read: it is logged, shown in
the metadata and carried in the staged value, and the indicator step then fails the
year naming every such file at once (§4).
"""

import dagster as dg

from iku_pipeline.assets.metadata import column_schema, staged_metadata, years_metadata
from iku_pipeline.io import for_output, only_columns, per_year, years_of
from iku_pipeline.partitions import tahun_partitions
from iku_pipeline.resources import IkuPaths
from iku_pipeline.sources import masking
from iku_pipeline.sources.reference import load_jenis_layanan
from iku_pipeline.sources.specs import SOURCES, SourceSpec
from iku_pipeline.sources.validate import Staged, stage_source
from iku_pipeline.store import REFERENCE_COLUMNS

GROUP = "ingest"
PREFIX = "staging"


def staged_key(source: str) -> dg.AssetKey:
    return dg.AssetKey([PREFIX, source])


def _ingest(
    context: dg.AssetExecutionContext,
    paths: IkuPaths,
    spec: SourceSpec,
    referensi: dict[int, Staged] | None,
) -> dg.Output:
    key, stable = masking.hash_key()
    if not stable:
        context.log.warning(
            f"{masking.HASH_KEY_ENV} tidak diatur: data pribadi tetap disamarkan, tetapi "
            "hash NIK/nama hanya dapat dihubungkan dalam run ini, tidak antar-run."
        )
    jenis = load_jenis_layanan(paths.reference) if spec.name == "layanan" else None
    out: dict[int, Staged] = {}
    for tahun in years_of(context):
        folder = paths.raw / spec.name / str(tahun)
        refs = {r.source: referensi[tahun] for r in spec.references} if referensi else {}
        context.log.info(f"Membaca {spec.name} {tahun} dari raw/{spec.name}/{tahun}/ ...")
        staged = stage_source(spec, folder, tahun, key, refs, jenis, root=paths.data)
        if not staged.delivered:
            context.log.warning(
                f"{spec.judul} tahun {tahun} belum diserahkan (folder raw/{spec.name}/{tahun} "
                "tidak ada atau kosong): indikator yang memerlukannya tidak bernilai."
            )
        for f in staged.files:
            if f.gagal:
                context.log.error(f"{spec.name} {tahun}: {f.berkas} tidak dapat dibaca: {f.gagal}")
            else:
                context.log.info(
                    f"{f.berkas}: {f.dibaca} baris dibaca, {f.diterima} diterima, "
                    f"{f.ditolak} ditolak"
                )
        out[tahun] = staged
    if len(out) == 1:
        metadata = staged_metadata(next(iter(out.values())), spec)
    else:
        metadata = years_metadata(out)
    return dg.Output(for_output(out), metadata=metadata)


def _build(spec: SourceSpec) -> dg.AssetsDefinition:
    common = dict(
        name=spec.name,
        key_prefix=[PREFIX],
        group_name=GROUP,
        partitions_def=tahun_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        description=(
            f"Rows of the {spec.judul} (`raw/{spec.name}/<tahun>/`) that pass every rule "
            "of the data contract, typed, personal data masked. Rejected rows are carried "
            "with their reasons to `baris_ditolak`."
        ),
        kinds={"pandas"},
        metadata={"dagster/column_schema": column_schema(spec.name)},
    )
    if not spec.references:

        @dg.asset(**common)
        def _asset(context: dg.AssetExecutionContext, paths: IkuPaths) -> dg.Output:
            return _ingest(context, paths, spec, None)

        return _asset
    (ref,) = spec.references

    # Of the referenced source, only the keys the references are checked against.
    keys_only = dg.AssetIn(key=staged_key(ref.source), metadata=only_columns(REFERENCE_COLUMNS))

    @dg.asset(**common, ins={"referensi": keys_only})
    def _asset_ref(
        context: dg.AssetExecutionContext, paths: IkuPaths, referensi
    ) -> dg.Output:
        return _ingest(context, paths, spec, per_year(context, referensi))

    return _asset_ref


ingest_assets = [_build(spec) for spec in SOURCES.values()]
