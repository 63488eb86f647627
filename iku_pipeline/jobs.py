"""The jobs the sensor and the schedule start (docs/data-contract.md §7), apart from
``definitions.py`` so that ``sensors.py`` can name them without importing the code
location.

- ``iku_tahunan``: one year's assets, read to published, in one process: at this data
  size a step is seconds, and a subprocess per step (re-importing pandas) would cost
  more than the work itself.
- ``iku_presentasi``: the matrices and files of every published year again from the
  warehouse, after a presentation table of ``reference/`` changed.

Every job carries the failure hook writing ``status_publikasi`` (``assets/status.py``).
"""

import dagster as dg

from iku_pipeline.assets.presentasi import iku_presentasi
from iku_pipeline.assets.status import status_gagal
from iku_pipeline.assets.templat import TEMPLAT_KEY
from iku_pipeline.schedules import JOB_NAME

# Every year-partitioned asset: all but the input templates (not partitioned, their
# own job templat_masukan).
TAHUNAN = dg.AssetSelection.all() - dg.AssetSelection.assets(TEMPLAT_KEY)

STATUS_HOOKS = {status_gagal}

iku_tahunan = dg.define_asset_job(
    JOB_NAME,
    selection=TAHUNAN,
    executor_def=dg.in_process_executor,
    hooks=STATUS_HOOKS,
    description="Semua aset berpartisi tahun untuk satu tahun: baca, validasi, hitung, publikasi.",
)

__all__ = ["STATUS_HOOKS", "TAHUNAN", "iku_presentasi", "iku_tahunan"]
