"""The code location: every asset, job and resource of the IKU pipeline."""

import gc

import dagster as dg

from iku_pipeline.assets.indicators import indikator
from iku_pipeline.assets.ingest import ingest_assets
from iku_pipeline.assets.publish import berkas_matriks, warehouse_tables
from iku_pipeline.assets.templat import templat, templat_masukan
from iku_pipeline.jobs import STATUS_HOOKS, TAHUNAN, iku_presentasi, iku_tahunan
from iku_pipeline.resources import (
    CELERY_SETTINGS,
    IkuPaths,
    Kalender,
    Storage,
    Validation,
    Warehouse,
    celery_config,
)
from iku_pipeline.schedules import iku_tahunan_nightly
from iku_pipeline.sensors import iku_raw_extracts

try:
    from dagster_celery import celery_executor
except ImportError:  # the `celery` extra is not installed
    celery_executor = None

# iku_tahunan (one year's assets in one process) and iku_presentasi: jobs.py.

# The same assets with a subprocess per step, for a machine where the steps of a (much
# larger) year are worth running in parallel; max_concurrent is set in the run config.
iku_tahunan_paralel = dg.define_asset_job(
    "iku_tahunan_paralel",
    selection=TAHUNAN,
    executor_def=dg.multiprocess_executor,
    hooks=STATUS_HOOKS,
    description="iku_tahunan dengan satu proses per langkah (multiprocess executor).",
)


def _celery_executor() -> dg.ExecutorDefinition:
    """dagster_celery's executor, configured from CELERY_SETTINGS (resources.py)."""
    if celery_executor is not None:
        return celery_executor.configured(celery_config, config_schema=CELERY_SETTINGS)

    @dg.executor(name="celery", config_schema=CELERY_SETTINGS)
    def _not_installed(_):
        raise dg.DagsterInvariantViolationError(
            "dagster-celery tidak terpasang: pip install -e '.[postgres,celery]'"
        )

    return _not_installed


# The same assets with each step a task for Celery workers (README "Deploying",
# Scale-out): for an office whose years outgrow one server. Every process shares only
# RabbitMQ, the object store (IKU_STORAGE_URL, IKU_DATA_DIR, IKU_OUTPUT_DIR as URLs) and
# the PostgreSQL instance.
iku_tahunan_celery = dg.define_asset_job(
    "iku_tahunan_celery",
    selection=TAHUNAN,
    executor_def=_celery_executor(),
    hooks=STATUS_HOOKS,
    description="iku_tahunan dengan setiap langkah dijalankan oleh worker Celery.",
)

defs = dg.Definitions(
    assets=[*ingest_assets, indikator, warehouse_tables, berkas_matriks, templat],
    jobs=[iku_tahunan, iku_tahunan_paralel, iku_tahunan_celery, templat_masukan, iku_presentasi],
    schedules=[iku_tahunan_nightly],
    sensors=[iku_raw_extracts],
    executor=dg.in_process_executor,  # also for `dagster asset materialize` and UI backfills
    resources={
        "paths": IkuPaths(),
        "warehouse": Warehouse(),
        "validation": Validation(),
        "io_manager": Storage(),
        "kalender": Kalender(),
    },
)

# What is loaded now (Dagster, pandas, Pandera, the definitions: some 200,000 objects)
# lives as long as the process. Frozen, it stays out of the cycle collector's full
# passes, each of which walked all of it again: two or three such passes in a year's
# run. Collected first, so no garbage of the imports (or of what the process did
# before importing this module) is frozen with it.
gc.collect()
gc.freeze()
