"""The nightly schedule: which years it runs, by the Jakarta calendar."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from iku_pipeline.definitions import defs
from iku_pipeline.schedules import iku_tahunan_nightly

JAKARTA = ZoneInfo("Asia/Jakarta")


def requested(when: datetime) -> list[str]:
    context = dg.build_schedule_context(scheduled_execution_time=when)
    result = iku_tahunan_nightly(context)
    if isinstance(result, dg.SkipReason):
        return []
    return [r.partition_key for r in result]


def test_schedule_fires_nightly_at_one_in_jakarta():
    schedule = defs.get_repository_def().get_schedule_def("iku_tahunan_nightly")
    assert schedule.cron_schedule == "0 1 * * *"
    assert schedule.execution_timezone == "Asia/Jakarta"
    assert schedule.job_name == "iku_tahunan"


def test_new_years_night_in_jakarta_runs_the_new_year_and_the_old_one():
    # 2026-01-01 01:00 in Jakarta is still 2025-12-31 in UTC.
    utc = datetime(2025, 12, 31, 18, 0, tzinfo=timezone.utc)
    assert requested(utc) == ["2026", "2025"]
    assert requested(utc.astimezone(JAKARTA)) == ["2026", "2025"]


def test_new_years_eve_in_jakarta_runs_only_that_year():
    # 2025-12-31 01:00 Jakarta: December, no late extracts of 2024 any more.
    assert requested(datetime(2025, 12, 31, 1, 0, tzinfo=JAKARTA)) == ["2025"]


def test_mid_year_runs_only_the_current_year():
    assert requested(datetime(2025, 7, 15, 1, 0, tzinfo=JAKARTA)) == ["2025"]


@pytest.mark.parametrize(
    ("when", "years"),
    [
        (datetime(2025, 2, 28, 1, 0, tzinfo=JAKARTA), ["2025", "2024"]),
        (datetime(2025, 3, 31, 1, 0, tzinfo=JAKARTA), ["2025", "2024"]),
        (datetime(2025, 4, 1, 1, 0, tzinfo=JAKARTA), ["2025"]),
        # 1 April 01:00 in Jakarta is 31 March 18:00 UTC: Jakarta's calendar decides.
        (datetime(2025, 3, 31, 18, 0, tzinfo=timezone.utc), ["2025"]),
    ],
)
def test_previous_year_only_from_january_to_march(when, years):
    assert requested(when) == years


def test_never_a_year_before_2021():
    # January 2021: 2020 is not a partition.
    assert requested(datetime(2021, 1, 10, 1, 0, tzinfo=JAKARTA)) == ["2021"]
    # Before the partitions begin there is nothing to run.
    assert requested(datetime(2020, 6, 1, 1, 0, tzinfo=JAKARTA)) == []


def test_each_year_is_its_own_run_with_its_own_key():
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 1, 1, 1, 0, tzinfo=JAKARTA)
    )
    runs = iku_tahunan_nightly(context)
    assert len(runs) == 2
    assert len({r.run_key for r in runs}) == 2
    # The next night's keys differ, so each night runs again.
    next_night = iku_tahunan_nightly(
        dg.build_schedule_context(
            scheduled_execution_time=datetime(2026, 1, 2, 1, 0, tzinfo=JAKARTA)
        )
    )
    assert not {r.run_key for r in runs} & {r.run_key for r in next_night}


def test_requests_resolve_to_partitions_of_the_job():
    # Evaluated as the daemon does: the partition keys must exist in iku_tahunan.
    repo = defs.get_repository_def()
    schedule = repo.get_schedule_def("iku_tahunan_nightly")
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2025, 12, 31, 18, 0, tzinfo=timezone.utc),
        repository_def=repo,
    )
    data = schedule.evaluate_tick(context)
    assert [r.tags["dagster/partition"] for r in data.run_requests] == ["2026", "2025"]
