"""The nightly schedule: the current year every night, and the previous year too in
January-March, while its late extracts still arrive (docs/data-contract.md §7).

Each year is its own run, so an unreadable file in one year cannot stop the other
year's publication.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import dagster as dg

from iku_pipeline.partitions import TIMEZONE, tahun_partitions

JOB_NAME = "iku_tahunan"
# The previous year's late extracts (PBB payments, BA, the last quarter's register)
# arrive until the end of March.
LATE_EXTRACT_MONTHS = frozenset({1, 2, 3})

_JAKARTA = ZoneInfo(TIMEZONE)


def jakarta_time(when: datetime) -> datetime:
    """``when`` in Asia/Jakarta time; a naive datetime is taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(_JAKARTA)


def years_to_run(when: datetime) -> list[str]:
    """The partition keys the nightly run at ``when`` requests, current year first.

    The year and month are Asia/Jakarta's. Years outside ``tahun_partitions`` (before
    2021) are never requested.
    """
    local = jakarta_time(when)
    years = [local.year]
    if local.month in LATE_EXTRACT_MONTHS:
        years.append(local.year - 1)
    valid = set(tahun_partitions.get_partition_keys(current_time=local))
    return [str(y) for y in years if str(y) in valid]


@dg.schedule(
    name="iku_tahunan_nightly",
    cron_schedule="0 1 * * *",
    execution_timezone=TIMEZONE,
    job_name=JOB_NAME,
    description="Every night at 01:00 Asia/Jakarta: the current year; from January to "
    "March also the previous year (its late extracts arrive then). One run per year.",
)
def iku_tahunan_nightly(context: dg.ScheduleEvaluationContext):
    when = context.scheduled_execution_time
    years = years_to_run(when)
    if not years:
        return dg.SkipReason(f"Tidak ada tahun IKU untuk dijalankan pada {when.isoformat()} (sebelum 2021).")
    night = jakarta_time(when).date().isoformat()
    return [
        dg.RunRequest(partition_key=year, run_key=f"{year}:nightly:{night}") for year in years
    ]
