"""The office's clock: every time the pipeline writes or shows is Asia/Jakarta's
(docs/data-contract.md §5, §7).

``now`` is the one place a publication takes its time from, so a test can set the
clock (a run at 00:30 on 1 January in Jakarta is already the new year while UTC is
still in the old one). ``as_jakarta`` reads a time back from the warehouse: PostgreSQL
returns an instant (``timestamptz``), SQLite the wall-clock time as written, which is
Jakarta's.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from iku_pipeline.indicators.triwulan import tanggal_teks

TIMEZONE = "Asia/Jakarta"
JAKARTA = ZoneInfo(TIMEZONE)

def now() -> dt.datetime:
    """The current time in Asia/Jakarta (timezone-aware)."""
    return dt.datetime.now(JAKARTA)


def as_jakarta(value) -> dt.datetime | None:
    """A time read from the warehouse (datetime, pandas Timestamp or ISO text) as an
    aware Asia/Jakarta datetime; a naive value is taken as Jakarta's wall clock."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        if value != value:  # NaT
            return None
        value = value.to_pydatetime()
    if value.tzinfo is None:
        return value.replace(tzinfo=JAKARTA)
    return value.astimezone(JAKARTA)


def tanggal(value) -> str:
    """``12 Maret 2027``: the date of a time, in Jakarta, with the Indonesian month."""
    return tanggal_teks(as_jakarta(value).date())


def tanggal_jam(value) -> str:
    """``12 Maret 2027 pukul 01.05 WIB``."""
    when = as_jakarta(value)
    return f"{tanggal(when)} pukul {when:%H.%M} WIB"
