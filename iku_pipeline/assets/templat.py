"""The input templates for the sections (docs/data-contract.md §1, Templates):
``templat/<sumber>.xlsx`` under the output folder, written by ``publish/templat.py``.

Not partitioned: the templates follow the specs and the reference tables, not a year.
The analyst refreshes them after editing ``reference/kelurahan.csv`` or
``reference/jenis_layanan.csv`` with the job ``templat_masukan`` (or ``make templates``:
``python -m iku_pipeline.assets.templat``). The yearly jobs leave the asset out; a
single-run backfill policy lets ``dagster asset materialize --select '*'
--partition-range ...`` run it with the years.
"""

import dagster as dg

from iku_pipeline.assets.publish import GROUP, publikasi_key
from iku_pipeline.publish.templat import TEMPLAT_DIR, write_templates
from iku_pipeline.resources import IkuPaths

TEMPLAT_KEY = publikasi_key("templat")


@dg.asset(
    key=TEMPLAT_KEY,
    group_name=GROUP,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"excel"},
)
def templat(context: dg.AssetExecutionContext, paths: IkuPaths) -> dg.MaterializeResult:
    """Excel input templates, one per source, for the sections that keep registers by
    hand: the contract's columns, dropdowns of the reference tables, a Petunjuk sheet."""
    with paths.exports() as folder:
        written = write_templates(folder / TEMPLAT_DIR, paths.reference)
    for path in written:
        context.log.info(f"Ditulis: {TEMPLAT_DIR}/{path.name}")
    return dg.MaterializeResult(
        metadata={
            "berkas": dg.MetadataValue.json([p.name for p in written]),
            "folder": dg.MetadataValue.path(f"{paths.output}/{TEMPLAT_DIR}"),
        }
    )


templat_masukan = dg.define_asset_job(
    "templat_masukan",
    selection=dg.AssetSelection.assets(TEMPLAT_KEY),
    executor_def=dg.in_process_executor,
    description="Tulis ulang templat Excel masukan per sumber (setelah tabel referensi diubah).",
)


def main() -> int:
    """``make templates``: the templates from the data folder's reference tables into
    the output folder (``IKU_DATA_DIR``, ``IKU_OUTPUT_DIR``, as for a run)."""
    paths = IkuPaths()
    with paths.exports() as folder:
        written = write_templates(folder / TEMPLAT_DIR, paths.reference)
    for path in written:
        print(f"Ditulis: {paths.output}/{TEMPLAT_DIR}/{path.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
