"""``status_publikasi``: per year, what the office reads about its publication
(docs/data-contract.md §5.8).

One row per year: the last successful run and when it published, the last failed run,
when and why (in Indonesian), and ``ada_berkas_baru``: whether the extracts in the
folder now differ from those the published figures came from (the file names, sizes and
sha256 in ``riwayat_publikasi``). Written by the publishing step when a year is
published, by the jobs' failure hook when a step fails, and refreshed before the
five-year workbook is written, whose first sheet shows it (``status_lines``).

A row is updated in place (an upsert), never replaced with the year's tables, so a
failed run cannot erase the record of the last good one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from iku_pipeline.publish import clock
from iku_pipeline.publish.warehouse import ensure_tables, riwayat_publikasi, status_publikasi
from iku_pipeline.sources.readers import list_files
from iku_pipeline.sources.specs import SOURCES

# A failure's message as stored (the whole of it, up to this) and as a workbook line.
MAX_MESSAGE = 4000
MAX_SHOWN = 300
_LOCK = 0x494B56  # advisory lock of the table's creation on PostgreSQL


def ensure_status_table(engine: sa.Engine) -> None:
    """Create ``status_publikasi`` (and the published tables, which a failure before
    the first publication finds missing) when missing."""
    ensure_tables(engine)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK)))
        status_publikasi.create(conn, checkfirst=True)


def _upsert(conn: sa.Connection, tahun: int, values: Mapping) -> None:
    table = status_publikasi
    if conn.dialect.name in ("postgresql", "sqlite"):
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(table).values(tahun=tahun, **values)
        conn.execute(stmt.on_conflict_do_update(index_elements=["tahun"], set_=dict(values)))
        return
    done = conn.execute(table.update().where(table.c.tahun == tahun).values(**values))
    if not done.rowcount:
        conn.execute(table.insert().values(tahun=tahun, **values))


# ---------------------------------------------------------------- new files in the folder


def _folder_files(raw: Path, tahun: int) -> dict[tuple[str, str], Path]:
    return {
        (sumber, path.name): path
        for sumber in SOURCES
        for path in list_files(raw / sumber / str(tahun))
    }


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def has_new_files(engine: sa.Engine, raw: Path, tahun: int) -> bool:
    """Whether ``raw/<sumber>/<tahun>/`` now holds other files, or other contents, than
    the year's last publication read (``riwayat_publikasi``). Sizes are compared first;
    a file is hashed only when its name and size match."""
    log = riwayat_publikasi
    with engine.connect() as conn:
        published = {
            (r.sumber, r.berkas): (r.ukuran, r.sha256)
            for r in conn.execute(
                sa.select(log.c.sumber, log.c.berkas, log.c.ukuran, log.c.sha256).where(
                    log.c.tahun == tahun, log.c.berkas.is_not(None)
                )
            )
        }
    now = _folder_files(raw, tahun)
    if set(now) != set(published):
        return True
    for key, path in now.items():
        size, sha = published[key]
        try:
            if path.stat().st_size != size or _sha256(path) != sha:
                return True
        except OSError:
            return True  # being replaced right now
    return False


def _new_files_or_none(engine: sa.Engine, raw: Path | None, tahun: int) -> bool | None:
    if raw is None:
        return None
    try:
        return has_new_files(engine, raw, tahun)
    except (OSError, sa.exc.NoSuchTableError):
        return None


# ---------------------------------------------------------------- recording runs


def record_success(
    engine: sa.Engine, years: Iterable[int], run_id: str, raw: Path | None = None
) -> None:
    """The years were published by ``run_id`` now."""
    ensure_status_table(engine)
    when = clock.now()
    for tahun in sorted({int(y) for y in years}):
        values = {"run_sukses": run_id, "waktu_sukses": when, "diperiksa": when,
                  "ada_berkas_baru": _new_files_or_none(engine, raw, tahun)}  # fmt: skip
        with engine.begin() as conn:
            _upsert(conn, tahun, values)


def record_failure(
    engine: sa.Engine, years: Iterable[int], run_id: str, message: str, raw: Path | None = None
) -> None:
    """``run_id`` failed for the years now, for ``message`` (Indonesian)."""
    ensure_status_table(engine)
    when = clock.now()
    text = message.strip() or "run gagal tanpa keterangan"
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 1] + "…"
    for tahun in sorted({int(y) for y in years}):
        values = {"run_gagal": run_id, "waktu_gagal": when, "pesan_gagal": text}
        new = _new_files_or_none(engine, raw, tahun)
        if new is not None:
            values.update(ada_berkas_baru=new, diperiksa=when)
        with engine.begin() as conn:
            _upsert(conn, tahun, values)


def _adopt_earlier_publications(engine: sa.Engine) -> None:
    """A year published before ``status_publikasi`` existed gets its row from
    ``riwayat_publikasi``: its run and when it published (so it never reads "belum pernah
    dipublikasikan")."""
    known = set(read_status(engine)["tahun"].astype(int))
    log = riwayat_publikasi
    with engine.connect() as conn:
        last = conn.execute(
            sa.select(log.c.tahun, log.c.run_id, sa.func.max(log.c.dipublikasikan))
            .group_by(log.c.tahun, log.c.run_id)
        ).all()
    for tahun, run_id, when in last:
        if int(tahun) in known:
            continue
        with engine.begin() as conn:
            _upsert(conn, int(tahun), {"run_sukses": run_id, "waktu_sukses": when})


def refresh_new_files(engine: sa.Engine, raw: Path, years: Iterable[int]) -> None:
    """Recompute ``ada_berkas_baru`` of the years that have a status row (every
    published year has one), writing only the years whose answer changed: a run of one
    year leaves the others' rows as they were."""
    ensure_status_table(engine)
    _adopt_earlier_publications(engine)
    when = clock.now()
    status = read_status(engine)
    stored = dict(zip(status["tahun"].astype(int), status["ada_berkas_baru"]))
    for tahun in sorted({int(y) for y in years} & set(stored)):
        new = _new_files_or_none(engine, raw, tahun)
        if new is None or (_present(stored[tahun]) and bool(stored[tahun]) == new):
            continue
        with engine.begin() as conn:
            conn.execute(
                status_publikasi.update()
                .where(status_publikasi.c.tahun == tahun)
                .values(ada_berkas_baru=new, diperiksa=when)
            )


def read_status(engine: sa.Engine) -> pd.DataFrame:
    """The table, one row per year (empty when nothing was ever recorded)."""
    if not sa.inspect(engine).has_table(status_publikasi.name):
        return pd.DataFrame(columns=[c.name for c in status_publikasi.columns])
    with engine.connect() as conn:
        return pd.read_sql(sa.select(status_publikasi).order_by(status_publikasi.c.tahun), conn)


def published_years(engine: sa.Engine) -> list[int]:
    """Every year with a row in ``riwayat_publikasi``."""
    if not sa.inspect(engine).has_table(riwayat_publikasi.name):
        return []
    with engine.connect() as conn:
        rows = conn.execute(sa.select(riwayat_publikasi.c.tahun).distinct())
        return sorted(int(t) for (t,) in rows)


# ---------------------------------------------------------------- what the office reads


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and (
        value is not pd.NaT
    )


def _short(message: str) -> str:
    text = " ".join(str(message).split())
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def status_line(tahun: int, row: Mapping | None) -> str:
    """``Tahun 2023: publikasi terakhir 12 Maret 2027; ada berkas baru yang belum
    diproses``, or ``Tahun 2023: gagal 13 Maret 2027: <pesan>; …``."""
    row = row or {}
    ok = clock.as_jakarta(row.get("waktu_sukses")) if _present(row.get("waktu_sukses")) else None
    bad = clock.as_jakarta(row.get("waktu_gagal")) if _present(row.get("waktu_gagal")) else None
    parts = []
    if bad is not None and (ok is None or bad > ok):
        parts.append(f"gagal {clock.tanggal(bad)}: {_short(row.get('pesan_gagal') or '')}")
        if ok is not None:
            parts.append(f"publikasi terakhir {clock.tanggal(ok)} tetap berlaku")
    elif ok is not None:
        parts.append(f"publikasi terakhir {clock.tanggal(ok)}")
    else:
        parts.append("belum pernah dipublikasikan")
    new = row.get("ada_berkas_baru")
    if _present(new) and bool(new):
        parts.append("ada berkas baru yang belum diproses")
    return f"Tahun {tahun}: " + "; ".join(parts)


def status_lines(status: pd.DataFrame, years: Iterable[int]) -> list[str]:
    """One line per year, in order."""
    by_year = {int(r["tahun"]): r for r in status.to_dict("records")}
    return [status_line(int(y), by_year.get(int(y))) for y in years]
