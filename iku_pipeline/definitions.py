"""The code location: every asset, job and resource of the IKU pipeline."""

import dagster as dg

from iku_pipeline.assets.checks import asset_checks
from iku_pipeline.assets.indicators import iku
from iku_pipeline.assets.ingest import ingest_assets
from iku_pipeline.assets.publish import berkas_matriks, warehouse_tables
from iku_pipeline.io import STAGED_COUNTS, YearPickleIOManager, staged_counts
from iku_pipeline.resources import IkuPaths, Warehouse
from iku_pipeline.schedules import iku_tahunan_nightly
from iku_pipeline.sensors import iku_raw_extracts

# One year's assets, in one process: at this data size a step is seconds, and starting
# a subprocess per step (re-importing pandas) would cost more than the work itself.
iku_tahunan = dg.define_asset_job(
    "iku_tahunan",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Semua aset berpartisi tahun untuk satu tahun: baca, validasi, hitung, publikasi.",
)

# The same assets with a subprocess per step, for a machine where the steps of a (much
# larger) year are worth running in parallel; max_concurrent is set in the run config.
iku_tahunan_paralel = dg.define_asset_job(
    "iku_tahunan_paralel",
    selection=dg.AssetSelection.all(),
    executor_def=dg.multiprocess_executor,
    description="iku_tahunan with one process per step (multiprocess executor).",
)

defs = dg.Definitions(
    assets=[*ingest_assets, iku, warehouse_tables, berkas_matriks],
    asset_checks=asset_checks,
    jobs=[iku_tahunan, iku_tahunan_paralel],
    schedules=[iku_tahunan_nightly],
    sensors=[iku_raw_extracts],
    executor=dg.in_process_executor,  # also for `dagster asset materialize` and UI backfills
    resources={
        "paths": IkuPaths(),
        "warehouse": Warehouse(),
        "io_manager": YearPickleIOManager(),
        STAGED_COUNTS: staged_counts,
    },
)
