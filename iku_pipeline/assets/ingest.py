"""Ingest assets: one per source, reading ``raw/<source>/<tahun>/`` (DATA_CONTRACT §1-§4).

Wiring only: the reading and the rules are in ``iku_pipeline.sources``.
"""

import dagster as dg

from iku_pipeline.assets.metadata import column_schema, staged_metadata
from iku_pipeline.partitions import tahun_partitions
from iku_pipeline.resources import IkuPaths
from iku_pipeline.sources import masking
from iku_pipeline.sources.reference import load_jenis_layanan
from iku_pipeline.sources.specs import SOURCES, SourceSpec
from iku_pipeline.sources.validate import SourceFailed, Staged, stage_source

GROUP = "ingest"
PREFIX = "staging"


def staged_key(source: str) -> dg.AssetKey:
    return dg.AssetKey([PREFIX, source])


def _ingest(
    context: dg.AssetExecutionContext, paths: IkuPaths, spec: SourceSpec, refs: dict
) -> dg.Output[Staged]:
    tahun = int(context.partition_key)
    folder = paths.raw / spec.name / str(tahun)
    key, stable = masking.hash_key()
    if not stable:
        context.log.warning(
            f"{masking.HASH_KEY_ENV} tidak diatur: data pribadi tetap disamarkan, tetapi "
            "hash NIK/nama hanya dapat dihubungkan dalam run ini, tidak antar-run."
        )
    jenis = load_jenis_layanan(paths.reference) if spec.name == "layanan" else None
    context.log.info(f"Membaca {spec.name} {tahun} dari {folder.name}/ ...")
    staged = stage_source(spec, folder, tahun, key, refs, jenis)
    if not staged.delivered:
        context.log.warning(
            f"{spec.judul} tahun {tahun} belum diserahkan (folder {spec.name}/{tahun} tidak "
            "ada atau kosong): indikator yang memerlukannya tidak bernilai untuk tahun ini."
        )
    for f in staged.files:
        if f.gagal:
            context.log.error(f"{f.berkas}: {f.gagal}")
        else:
            context.log.info(
                f"{f.berkas}: {f.dibaca} baris dibaca, {f.diterima} diterima, "
                f"{f.ditolak} ditolak"
            )
    if staged.failed:
        raise dg.Failure(
            description=str(SourceFailed(spec.name, tahun, staged.failed)),
            metadata=staged_metadata(staged, spec),
        )
    return dg.Output(staged, metadata=staged_metadata(staged, spec))


def _build(spec: SourceSpec) -> dg.AssetsDefinition:
    refs = {r.source for r in spec.references}
    common = dict(
        name=spec.name,
        key_prefix=[PREFIX],
        group_name=GROUP,
        partitions_def=tahun_partitions,
        description=(
            f"Baris {spec.judul} yang lolos validasi untuk satu tahun (data pribadi "
            f"disamarkan), dibaca dari raw/{spec.name}/<tahun>/. Rows that fail a rule "
            "go to baris_ditolak with their reason."
        ),
        kinds={"pandas"},
        metadata={"dagster/column_schema": column_schema(spec.name)},
    )
    if not refs:

        @dg.asset(**common)
        def _asset(context: dg.AssetExecutionContext, paths: IkuPaths) -> dg.Output[Staged]:
            return _ingest(context, paths, spec, {})

        return _asset
    (ref,) = refs

    @dg.asset(**common, ins={"referensi": dg.AssetIn(key=staged_key(ref))})
    def _asset_ref(context: dg.AssetExecutionContext, paths: IkuPaths, referensi: Staged) -> dg.Output[Staged]:
        return _ingest(context, paths, spec, {ref: referensi})

    return _asset_ref


ingest_assets = [_build(spec) for spec in SOURCES.values()]
