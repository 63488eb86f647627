"""The warehouse (DATA_CONTRACT §4-§5): SQLAlchemy Core tables and the year replacement.

Publishing a year deletes that year's rows from every published table and inserts the
new ones in one transaction, so a reader sees the previous complete year or the new
complete year, never a mix; other years are untouched. SQL goes through SQLAlchemy
expressions only (bound parameters), the same on SQLite and PostgreSQL.

A warehouse written by an earlier version is brought to the tables below before a year
is published (``ensure_tables``), in one transaction: ``realisasi_tambahan`` in its old
wide layout (IKU 4's share only) is rewritten as the long table, its rows kept as
``4_selesai`` rows; a column declared here but missing from the table is added (empty
for the rows already there); a text column narrower than declared is widened
(PostgreSQL).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from iku_pipeline.publish import clock

metadata = sa.MetaData()


def _trace() -> list[sa.Column]:
    """Every published row names the run that wrote it, and when (§5)."""
    return [
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("dipublikasikan", sa.DateTime(timezone=True), nullable=False),
    ]


def _figures() -> list[sa.Column]:
    """A realisasi row's figures (realisasi_iku, realisasi_tambahan, realisasi_triwulan)."""
    return [
        sa.Column("pembilang", sa.BigInteger),
        sa.Column("penyebut", sa.BigInteger),
        sa.Column("nilai", sa.Float(precision=53)),
        sa.Column("satuan", sa.String(16), nullable=False),
    ]


realisasi_iku = sa.Table(
    "realisasi_iku",
    metadata,
    sa.Column("tahun", sa.Integer, nullable=False),
    sa.Column("kode", sa.String(4), nullable=False),
    sa.Column("wilayah", sa.String(64), nullable=False),
    *_figures(),
    *_trace(),
    sa.UniqueConstraint("tahun", "kode", "wilayah", name="uq_realisasi_iku"),
)

baris_ditolak = sa.Table(
    "baris_ditolak",
    metadata,
    sa.Column("sumber", sa.String(32), nullable=False),
    sa.Column("tahun", sa.Integer, nullable=False, index=True),
    sa.Column("berkas", sa.Text, nullable=False),
    sa.Column("baris", sa.Integer, nullable=False),
    sa.Column("kolom", sa.String(64), nullable=False),
    sa.Column("alasan", sa.Text, nullable=False),
    sa.Column("isi_baris", sa.Text, nullable=False),
    *_trace(),
)

# The supplementary figures beside IKU 3 and 4 (§3, §5): realisasi_iku's columns, one
# row per year × kode (3_nominal, 3_tepat_waktu, 4_selesai) × wilayah.
realisasi_tambahan = sa.Table(
    "realisasi_tambahan",
    metadata,
    sa.Column("tahun", sa.Integer, nullable=False),
    sa.Column("kode", sa.String(16), nullable=False),
    sa.Column("wilayah", sa.String(64), nullable=False),
    *_figures(),
    *_trace(),
    sa.UniqueConstraint("tahun", "kode", "wilayah", name="uq_realisasi_tambahan"),
)

# The signed matrix filled in: one row per year × indicator (kecamatan level), and one
# per supplementary figure under its indicator, with the figures the files show.
matriks_iku = sa.Table(
    "matriks_iku",
    metadata,
    sa.Column("tahun", sa.Integer, nullable=False),
    sa.Column("no", sa.String(8), nullable=False),
    sa.Column("kode", sa.String(16), nullable=False),
    sa.Column("uraian_indikator", sa.Text, nullable=False),
    sa.Column("satuan", sa.String(16), nullable=False),
    sa.Column("alasan_sasaran", sa.Text),
    sa.Column("sumber_data", sa.Text),
    sa.Column("rumus_perhitungan", sa.Text),
    sa.Column("target", sa.Float(precision=53)),
    sa.Column("realisasi", sa.Float(precision=53)),
    sa.Column("capaian", sa.Float(precision=53)),
    sa.Column("predikat", sa.String(32)),
    sa.Column("keterangan", sa.Text),
    sa.Column("pembilang", sa.BigInteger),
    sa.Column("penyebut", sa.BigInteger),
    sa.Column("status_realisasi", sa.String(32)),
    sa.Column("kegiatan_selesai", sa.BigInteger),
    sa.Column("persen_selesai", sa.Float(precision=53)),
    # LKjIP chapter III (publish/lkjip.py): against the previous year and the end of the
    # period, and the analyst's explanation of causes (reference/catatan_iku.csv).
    sa.Column("realisasi_tahun_lalu", sa.Float(precision=53)),
    sa.Column("perubahan_tahun_lalu", sa.Float(precision=53)),
    sa.Column("target_akhir_periode", sa.Float(precision=53)),
    sa.Column("capaian_akhir_periode", sa.Float(precision=53)),
    sa.Column("analisis_penyebab", sa.Text),
    # The running year's realisasi is year to date, counted up to this date (§8);
    # empty for a year counted to 31 December.
    sa.Column("sampai_tanggal", sa.Date),
    *_trace(),
    sa.UniqueConstraint("tahun", "kode", name="uq_matriks_iku"),
)

# Realisasi per triwulan (§8): realisasi_iku's columns per year × triwulan × kode (every
# IKU and supplementary figure) × wilayah, cumulative from 1 January to sampai_tanggal.
realisasi_triwulan = sa.Table(
    "realisasi_triwulan",
    metadata,
    sa.Column("tahun", sa.Integer, nullable=False),
    sa.Column("triwulan", sa.Integer, nullable=False),
    sa.Column("kode", sa.String(16), nullable=False),
    sa.Column("wilayah", sa.String(64), nullable=False),
    *_figures(),
    sa.Column("sampai_tanggal", sa.Date, nullable=False),
    *_trace(),
    sa.UniqueConstraint("tahun", "triwulan", "kode", "wilayah", name="uq_realisasi_triwulan"),
)

# Publication log: which files, with which checksums, produced a year (§5 traceability).
riwayat_publikasi = sa.Table(
    "riwayat_publikasi",
    metadata,
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("tahun", sa.Integer, nullable=False, index=True),
    sa.Column("dipublikasikan", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sumber", sa.String(32), nullable=False),
    sa.Column("berkas", sa.Text),  # null: the source was not delivered
    sa.Column("ukuran", sa.BigInteger),
    sa.Column("sha256", sa.String(64)),
    sa.Column("dibaca", sa.Integer),
    sa.Column("diterima", sa.Integer),
    sa.Column("ditolak", sa.Integer),
)

# Per year, the last successful and the last failed run, and whether the extracts in
# the folder now differ from the published ones (§5.8). Not a year table: a publication
# updates its year's row, it never replaces the table (``publish/status.py``).
status_publikasi = sa.Table(
    "status_publikasi",
    metadata,
    sa.Column("tahun", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("run_sukses", sa.String(64)),
    sa.Column("waktu_sukses", sa.DateTime(timezone=True)),
    sa.Column("run_gagal", sa.String(64)),
    sa.Column("waktu_gagal", sa.DateTime(timezone=True)),
    sa.Column("pesan_gagal", sa.Text),
    sa.Column("ada_berkas_baru", sa.Boolean),
    sa.Column("diperiksa", sa.DateTime(timezone=True)),
)

# Year-partitioned tables replaced together. A table added here is replaced with them.
YEAR_TABLES: dict[str, sa.Table] = {
    t.name: t
    for t in (
        realisasi_iku, realisasi_tambahan, realisasi_triwulan, matriks_iku, baris_ditolak,
        riwayat_publikasi,
    )
}


# DATA_CONTRACT §7: the defaults are folders of the working directory, whatever
# IKU_DATA_DIR says (the same ./data when it is not set).
DEFAULT_WAREHOUSE = Path("data") / "warehouse" / "iku.sqlite"
DEFAULT_OUTPUT_DIR = Path("data") / "published"


def default_warehouse_url() -> str:
    """The SQLite file under ``data/warehouse/`` of the working directory."""
    return f"sqlite:///{DEFAULT_WAREHOUSE.resolve()}"


def make_engine(url: str) -> sa.Engine:
    """An engine that publishes safely under concurrent runs.

    SQLite: WAL, a long busy timeout and ``BEGIN IMMEDIATE``, so a second writer waits
    for the first instead of failing on a read-then-write upgrade.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 60})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # let BEGIN below decide the locking
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def ensure_tables(engine: sa.Engine) -> None:
    """Create the published tables, bringing those of an earlier version up to date
    first; one transaction, one process at a time."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two runs starting together must not both upgrade (or create) the tables;
            # released at commit. (SQLite: BEGIN IMMEDIATE already serialises writers.)
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_SCHEMA_LOCK)))
        _upgrade(conn)
        metadata.create_all(conn, tables=list(YEAR_TABLES.values()))


_SCHEMA_LOCK = 0x494B55  # "IKU": the advisory lock of ensure_tables

# realisasi_tambahan as published before it became the long table.
_WIDE_TAMBAHAN = ("kegiatan", "kegiatan_selesai", "persen_selesai")


def _upgrade(conn: sa.Connection) -> None:
    inspector = sa.inspect(conn)
    existing = set(inspector.get_table_names())
    if realisasi_tambahan.name in existing:
        columns = {c["name"] for c in inspector.get_columns(realisasi_tambahan.name)}
        if "kode" not in columns:
            _wide_tambahan_to_long(conn, columns)
    _add_missing_columns(conn, existing)
    if conn.dialect.name != "postgresql":
        return  # SQLite does not enforce a VARCHAR's length
    preparer = conn.dialect.identifier_preparer
    for table in YEAR_TABLES.values():
        if table.name not in existing:
            continue
        found = {c["name"]: c["type"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            old, new = found.get(column.name), column.type
            if (
                isinstance(new, sa.String) and isinstance(old, sa.String)
                and old.length is not None and new.length is not None
                and old.length < new.length
            ):  # fmt: skip
                conn.exec_driver_sql(
                    f"ALTER TABLE {preparer.quote(table.name)} ALTER COLUMN "
                    f"{preparer.quote(column.name)} TYPE VARCHAR({int(new.length)})"
                )


def _add_missing_columns(conn: sa.Connection, existing: set[str]) -> None:
    """A nullable column declared here that an older table lacks is added to it (its
    rows keep their values, the new column empty), e.g. matriks_iku's LKjIP columns."""
    inspector = sa.inspect(conn)  # afresh: a table may have just been rewritten
    preparer = conn.dialect.identifier_preparer
    for table in YEAR_TABLES.values():
        if table.name not in existing:
            continue
        found = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in found or not column.nullable:
                continue
            kind = column.type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(
                f"ALTER TABLE {preparer.quote(table.name)} ADD COLUMN "
                f"{preparer.quote(column.name)} {kind}"
            )


def _wide_tambahan_to_long(conn: sa.Connection, columns: set[str]) -> None:
    """The old wide realisasi_tambahan (IKU 4's share per year × wilayah) rewritten as the
    long table: each row becomes the ``4_selesai`` row it stood for (pembilang = activities
    Selesai, penyebut = activities, nilai = the share), with its run and time."""
    missing = set(_WIDE_TAMBAHAN) - columns
    if missing:
        raise RuntimeError(
            f"tabel {realisasi_tambahan.name} di gudang data tidak dikenal (tanpa kolom "
            f"kode, tanpa {', '.join(sorted(missing))}); pindahkan atau hapus tabel itu, "
            "lalu jalankan ulang"
        )
    old = sa.Table(realisasi_tambahan.name, sa.MetaData(), autoload_with=conn)
    rows = [
        {
            "tahun": r.tahun,
            "kode": "4_selesai",
            "wilayah": r.wilayah,
            "pembilang": r.kegiatan_selesai,
            "penyebut": r.kegiatan,
            "nilai": r.persen_selesai,
            "satuan": "%",
            "run_id": r.run_id,
            "dipublikasikan": r.dipublikasikan,
        }
        for r in conn.execute(sa.select(old))
    ]
    old.drop(conn)
    realisasi_tambahan.create(conn)
    if rows:
        conn.execute(realisasi_tambahan.insert(), rows)


def _records(frame: pd.DataFrame, table: sa.Table, extra: Mapping) -> list[dict]:
    names = [c.name for c in table.columns if c.name in frame.columns]
    out = []
    for row in frame[names].itertuples(index=False, name=None):
        record = dict(extra)
        for name, value in zip(names, row, strict=True):
            if value is None or value is pd.NA or value is pd.NaT:
                value = None
            elif isinstance(value, float) and math.isnan(value):
                value = None
            elif hasattr(value, "item"):  # numpy scalar
                value = value.item()
            record[name] = value
        out.append(record)
    return out


def replace_year(
    engine: sa.Engine, tahun: int, frames: Mapping[str, pd.DataFrame], run_id: str,
    after: Callable[[sa.Connection], object] | None = None,
) -> dict[str, int]:
    """Replace ``tahun`` in every year table with ``frames`` in one transaction.

    Every table of YEAR_TABLES is cleared for the year, even one without a frame, so
    nothing of a previous publication survives beside the new one. ``after`` runs in the
    same transaction once the year is in (columns derived across years, such as
    ``lkjip.refresh_perubahan``).
    """
    ensure_tables(engine)
    now = clock.now()  # Asia/Jakarta (§5): a run at 00:30 on 1 January is the new year's
    trace = {"run_id": run_id, "dipublikasikan": now}
    counts = {}
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Serialise publications: two runs of one year must not both delete, then
            # both insert. Readers are not blocked.
            names = ", ".join(conn.dialect.identifier_preparer.quote(t) for t in YEAR_TABLES)
            conn.exec_driver_sql(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")
        for name, table in YEAR_TABLES.items():
            conn.execute(table.delete().where(table.c.tahun == tahun))
            frame = frames.get(name)
            if frame is None or frame.empty:
                counts[name] = 0
                continue
            extra = {k: v for k, v in trace.items() if k in table.c}
            records = _records(frame.assign(tahun=tahun), table, extra)
            conn.execute(table.insert(), records)
            counts[name] = len(records)
        if after is not None:
            after(conn)
    return counts


def read_table(engine: sa.Engine, name: str, tahun: int | None = None) -> pd.DataFrame:
    """A published table (one year, or all), typed as the pipeline wrote it."""
    table = YEAR_TABLES[name]
    query = sa.select(table)
    if tahun is not None:
        query = query.where(table.c.tahun == tahun)
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    ints = [c.name for c in table.columns if isinstance(c.type, sa.BigInteger)]
    return frame.astype({c: "Int64" for c in ints})
