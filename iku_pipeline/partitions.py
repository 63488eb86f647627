"""Yearly partitions: 2021 (the signed matrix's first year) to the current year."""

from dagster import TimeWindowPartitionsDefinition

TIMEZONE = "Asia/Jakarta"
FIRST_YEAR = 2021

# There is no yearly partitions class; end_offset=1 includes the current,
# year-to-date, year.
tahun_partitions = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *",
    start=str(FIRST_YEAR),
    fmt="%Y",
    timezone=TIMEZONE,
    end_offset=1,
)
