"""The world around the pipeline failing mid-run (docs/data-contract.md §5.6-§5.8):
PostgreSQL dropping the connection inside the publishing transaction, an output folder
that is full or read-only. The year's previous publication stays whole, the publishing
step retries with a growing delay, and the office reads a message naming the database
or the folder.

The PostgreSQL tests put a small TCP proxy of their own between the pipeline and the
local server and cut the connection there (the server itself is never stopped); they
skip, saying why, when no server is reachable.
"""

import contextlib
import errno
import os
import select
import socket
import threading
import uuid
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from iku_pipeline.publish import layout, status
from iku_pipeline.publish.warehouse import YEAR_TABLES, make_engine, replace_year
from iku_pipeline_tests.common import cli_year, run_year
from iku_pipeline_tests.conftest import PG_URL, _postgres_available

PASSWORD = "rahasia-jangan-tampil"


# ---------------------------------------------------------------- the proxy


class CuttingProxy:
    """127.0.0.1:<port> relaying to PostgreSQL. While ``cuts`` is above zero, a
    connection whose transaction has sent a DELETE is closed, both ways, when it next
    sends an INSERT: the server has deleted the year's rows inside the transaction and
    never sees the new ones or the COMMIT. Every loop is bounded by timeouts."""

    def __init__(self, host: str, port: int, cuts: int = 0):
        self.target = (host, port)
        self.cuts = cuts
        self.cut = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except (TimeoutError, OSError):
                continue
            thread = threading.Thread(target=self._relay, args=(client,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _should_cut(self) -> bool:
        with self._lock:
            if self.cuts <= 0:
                return False
            self.cuts -= 1
            self.cut += 1
            return True

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        deleted = False  # in the current transaction
        with client, upstream:
            while not self._stop.is_set():
                ready, _, _ = select.select([client, upstream], [], [], 0.2)
                for sock in ready:
                    try:
                        data = sock.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return
                    if sock is client:
                        if b"COMMIT" in data or b"ROLLBACK" in data:
                            deleted = False
                        if b"DELETE FROM" in data:
                            deleted = True
                        elif deleted and b"INSERT INTO" in data and self._should_cut():
                            return  # both sockets closed: the server rolls back
                        upstream.sendall(data)
                    else:
                        client.sendall(data)

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        for thread in self._threads:
            thread.join(timeout=5)


@pytest.fixture
def pg():
    """(direct URL, URL through a proxy with a password in it, the proxy) on a private
    schema of the local PostgreSQL."""
    reason = _postgres_available()
    if reason:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    direct = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    proxy = CuttingProxy(direct.host or "127.0.0.1", direct.port or 5432)
    through = direct.set(host="127.0.0.1", port=proxy.port, password=PASSWORD)
    try:
        yield (
            direct.render_as_string(hide_password=False),
            through.render_as_string(hide_password=False),
            proxy,
        )
    finally:
        proxy.close()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def run_job(data_dir: Path, url: str, tahun: str = "2023"):
    return run_year(data_dir, url, tahun, raise_on_error=False)


def year_state(url: str, tahun: int = 2023) -> dict[str, tuple[int, set]]:
    """Rows and run ids of the year in every published table."""
    engine = make_engine(url)
    state = {}
    with engine.connect() as conn:
        for name, table in YEAR_TABLES.items():
            ids = conn.execute(sa.select(table.c.run_id).where(table.c.tahun == tahun)).scalars()
            ids = list(ids)
            state[name] = (len(ids), set(ids))
    engine.dispose()
    return state


def events(result, kind: str, step: str | None = None) -> list:
    return [
        e for e in result.all_events
        if e.event_type_value == kind and (step is None or e.step_key == step)
    ]  # fmt: skip


# ---------------------------------------------------------------- PostgreSQL goes away


def test_a_cut_inside_the_transaction_leaves_the_previous_year_whole(pg, data_dir):
    direct, through, proxy = pg
    assert run_job(data_dir, direct).success
    before = year_state(direct)
    assert before["realisasi_iku"][0] == 40
    frames = {"realisasi_iku": pd.DataFrame(
        {"kode": ["4"], "wilayah": ["Kecamatan Metro Utara"], "pembilang": [9],
         "penyebut": [None], "nilai": [9.0], "satuan": ["kegiatan"]}
    )}  # fmt: skip

    proxy.cuts = 1
    engine = make_engine(through)
    with pytest.raises(sa.exc.OperationalError):
        replace_year(engine, 2023, frames, "terputus")
    engine.dispose()
    assert proxy.cut == 1
    assert year_state(direct) == before  # the DELETE was rolled back with the connection

    engine = make_engine(through)  # the proxy lets it through now; no lock is left
    replace_year(engine, 2023, frames, "utuh")
    engine.dispose()
    after = year_state(direct)
    assert after["realisasi_iku"] == (1, {"utuh"})
    assert all(n == 0 for name, (n, _) in after.items() if name != "realisasi_iku")


def test_the_publishing_step_retries_and_succeeds_when_the_server_is_back(pg, data_dir):
    direct, through, proxy = pg
    first = run_job(data_dir, direct)
    assert first.success
    proxy.cuts = 1
    result = run_job(data_dir, through)
    assert result.success
    assert proxy.cut == 1
    [retry] = events(result, "STEP_UP_FOR_RETRY", "warehouse_tables")
    error, said = retry.event_specific_data.error, ""
    while error is not None:  # RetryRequestedFromPolicy, caused by the step's Failure
        said, error = said + error.message, error.cause
    assert f"Gudang data PostgreSQL 127.0.0.1:{proxy.port}/test " in said
    assert "percobaan 1 dari 5" in said and PASSWORD not in said
    state = year_state(direct)
    assert state["realisasi_iku"] == (40, {result.run_id})
    assert all(ids == {result.run_id} for n, ids in state.values() if n)
    row = status.read_status(make_engine(direct)).set_index("tahun").loc[2023]
    assert row["run_sukses"] == result.run_id


def test_when_the_server_stays_away_the_cli_run_fails_naming_the_database(pg, data_dir, tmp_path):
    """Retries used up (shortened here through the environment), a run from the CLI
    with no daemon: its status names the database, never the password."""
    direct, through, proxy = pg
    first = run_job(data_dir, direct)
    assert first.success
    before = year_state(direct)
    proxy.cuts = 100
    home = tmp_path / "dh"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IKU_")}
    env.update(
        IKU_DATA_DIR=str(data_dir), IKU_DATABASE_URL=through, DAGSTER_HOME=str(home),
        IKU_OUTPUT_DIR=str(tmp_path / "out"), IKU_PUBLISH_RETRIES="2",
        IKU_PUBLISH_RETRY_DELAY="0.2",
    )  # fmt: skip
    run = cli_year("2023", env)
    assert run.returncode != 0
    assert proxy.cut == 3  # the first attempt and two retries
    assert year_state(direct) == before
    row = status.read_status(make_engine(direct)).set_index("tahun").loc[2023]
    message = row["pesan_gagal"]
    assert message.startswith(f"Gudang data PostgreSQL 127.0.0.1:{proxy.port}/test ")
    assert "percobaan 3 dari 3" in message and "publikasi sebelumnya tetap utuh" in message
    assert "Traceback" not in message and 'File "' not in message
    assert PASSWORD not in message and PASSWORD not in run.stdout + run.stderr
    assert row["run_sukses"] == first.run_id


# ---------------------------------------------------------------- the output folder


def _fails_in(folder: Path, error: int):
    """Patches of the file writes that fail with ``error`` inside ``folder`` only (the
    run's own stored values and logs are written elsewhere)."""
    real_open, real_fsync = os.open, os.fsync

    def inside(path) -> bool:
        return Path(path).resolve().is_relative_to(folder.resolve())

    def fsync(fd):
        if inside(os.readlink(f"/proc/self/fd/{fd}")):
            raise OSError(error, os.strerror(error))
        return real_fsync(fd)

    def open_(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and inside(path):
            raise OSError(error, os.strerror(error), str(path))
        return real_open(path, flags, *args, **kwargs)

    return {"fsync": fsync, "open": open_}


@pytest.mark.parametrize(
    ("error", "where", "words"),
    [
        (errno.ENOSPC, "fsync", "disk penuh"),  # written, then the disk is full
        (errno.EROFS, "open", "hanya dapat dibaca"),  # cannot even be created
    ],
)
def test_a_folder_that_cannot_be_written_keeps_the_old_files(
    data_dir, tmp_path, monkeypatch, error, where, words
):
    url = f"sqlite:///{tmp_path / 'iku.sqlite'}"
    assert run_job(data_dir, url).success
    out = data_dir / "published"
    old = {p.name: p.read_bytes() for p in out.iterdir()}
    assert "matriks_iku_2023.xlsx" in old and "matriks_iku_2021-2025.xlsx" in old

    monkeypatch.setattr(layout.os, where, _fails_in(out, error)[where])
    result = run_job(data_dir, url)
    monkeypatch.undo()
    assert not result.success
    [failure] = events(result, "STEP_FAILURE")
    assert failure.step_key == "publikasi__berkas_matriks"
    message = failure.event_specific_data.error.message
    assert f"ke folder {out}: " in message and words in message
    assert not events(result, "STEP_UP_FOR_RETRY")  # a full disk is not retried
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old  # no temporary left
    assert year_state(url)["realisasi_iku"] == (40, {result.run_id})  # tables published
    row = status.read_status(make_engine(url)).set_index("tahun").loc[2023]
    assert row["run_gagal"] == result.run_id and words in row["pesan_gagal"]
    line = status.status_line(2023, row.to_dict())
    assert "gagal" in line and str(out) in line


def test_a_disk_that_fills_at_the_last_file_keeps_every_old_file(data_dir, tmp_path, monkeypatch):
    """The five-year workbook is written last: the disk full there, no file of the run
    replaces an old one (they are written aside and renamed into place once all are)."""
    url = f"sqlite:///{tmp_path / 'iku.sqlite'}"
    assert run_job(data_dir, url).success
    out = data_dir / "published"
    old = {p.name: p.read_bytes() for p in out.iterdir()}
    real_fsync = os.fsync

    def fsync(fd):
        if "2021-2025.xlsx" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    (data_dir / "raw" / "konflik" / "2023" / "konflik_2023.xlsx").unlink()  # new figures
    monkeypatch.setattr(layout.os, "fsync", fsync)
    result = run_job(data_dir, url)
    monkeypatch.undo()
    assert not result.success
    [failure] = events(result, "STEP_FAILURE")
    assert "disk penuh" in failure.event_specific_data.error.message
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old


def test_the_proxy_relays_untouched_when_not_armed(pg):
    direct, through, proxy = pg
    engine = make_engine(through)
    with contextlib.closing(engine.connect()) as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    engine.dispose()
    assert proxy.cut == 0
