"""A trivial Dagster code location: the baseline of the end-to-end timing.

One yearly-partitioned asset that returns a number, run like the pipeline (same CLI,
in-process executor, same kind of partitions), so the difference to the pipeline's
run is the pipeline's own work, not Dagster's start-up.
"""

import dagster as dg

tahun = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start="2021", fmt="%Y", timezone="Asia/Jakarta", end_offset=1
)


@dg.asset(partitions_def=tahun)
def trivial(context: dg.AssetExecutionContext) -> int:
    return int(context.partition_key)


trivial_job = dg.define_asset_job(
    "trivial", selection=[trivial], executor_def=dg.in_process_executor
)

defs = dg.Definitions(assets=[trivial], jobs=[trivial_job], executor=dg.in_process_executor)
