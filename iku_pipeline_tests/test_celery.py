"""Scale-out: a year on Celery workers that share no file with the launcher, and the
settings that make it possible (extracts, intermediate values and exported files on an
object store).

The object store is moto's S3 server, started here on 127.0.0.1. The Celery test needs
RabbitMQ on 127.0.0.1:5672 and PostgreSQL on 127.0.0.1:5432 and skips, saying which is
missing, without them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from iku_pipeline.definitions import defs
from iku_pipeline.io import read_frame
from iku_pipeline.publish.warehouse import YEAR_TABLES
from iku_pipeline.resources import IkuPaths, Storage, Validation, Warehouse, _mirror
from iku_pipeline_tests.common import ephemeral_instance
from iku_pipeline_tests.conftest import FIXTURES, PG_URL
from iku_pipeline_tests.test_pipeline import run_year, table

s3fs = pytest.importorskip("s3fs", reason="s3fs is not installed (pip install -e '.[dev]')")
moto_server = pytest.importorskip(
    "moto.server", reason="moto[server] is not installed (pip install -e '.[dev]')"
)

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RABBITMQ = ("127.0.0.1", 5672)
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}
HASH_KEY = "kunci-uji-celery"
TRACE = ["run_id", "dipublikasikan"]  # differ between two runs by design
WORKER_READY_TIMEOUT = 120  # seconds for a worker to connect to the broker
EXECUTE_TIMEOUT = 480  # seconds for `dagster job execute` of one year on the workers
STAGED = "iku/sumber/layanan/diterima/2023.arrow"


# ---------------------------------------------------------------- the object store


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a free port of 127.0.0.1, for this module."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint, monkeypatch):
    """A fresh bucket; this process's AWS_* point at the server. Yields (fs, bucket,
    the AWS_* variables)."""
    with _bucket(s3_endpoint, monkeypatch) as value:
        yield value


@contextlib.contextmanager
def _bucket(s3_endpoint, monkeypatch):
    aws = {
        "AWS_ACCESS_KEY_ID": "uji",
        "AWS_SECRET_ACCESS_KEY": "uji-rahasia",
        "AWS_ENDPOINT_URL": s3_endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    for name, value in aws.items():
        monkeypatch.setenv(name, value)
    for name in ("IKU_STORAGE_URL", "IKU_DATA_DIR", "IKU_OUTPUT_DIR", "IKU_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    s3fs.S3FileSystem.clear_instance_cache()
    fs = s3fs.S3FileSystem()
    bucket = f"iku-{uuid.uuid4().hex[:12]}"
    fs.mkdir(bucket)
    yield fs, bucket, aws
    s3fs.S3FileSystem.clear_instance_cache()


def _upload_tree(fs, local: Path, remote: str) -> None:
    for path in sorted(p for p in local.rglob("*") if p.is_file()):
        fs.put_file(str(path), f"{remote}/{path.relative_to(local).as_posix()}")


def _keys(fs, prefix: str) -> set[str]:
    return {name[len(prefix) + 1 :] for name in fs.find(prefix)}


# ---------------------------------------------------------------- in this process

# The two tests of a year run on the object store share one run (``remote_year``).
REMOTE_YEAR = "celery_remote_year"


@pytest.fixture(scope="module")
def remote_year(s3_endpoint, tmp_path_factory):
    """2023 of the fixture extracts run once in this process with everything on the
    object store: the extracts and reference tables under s3://<bucket>/data, the
    exported files under …/published, the intermediate values under …/iku
    (IKU_STORAGE_URL); the warehouse a SQLite file. Yields (fs, bucket, warehouse url,
    the run's result)."""
    with pytest.MonkeyPatch.context() as mp, _bucket(s3_endpoint, mp) as (fs, bucket, _):
        tmp = tmp_path_factory.mktemp("remote-year")
        shutil.copytree(FIXTURES / "data", tmp / "data")
        _upload_tree(fs, tmp / "data", f"{bucket}/data")
        url = f"sqlite:///{tmp / 'remote.sqlite'}"
        result = defs.resolve_job_def("iku_tahunan").execute_in_process(
            partition_key="2023",
            instance=ephemeral_instance(),
            resources={
                "paths": IkuPaths(
                    data_dir=f"s3://{bucket}/data", output_dir=f"s3://{bucket}/published"
                ),
                "warehouse": Warehouse(database_url=url),
                "validation": Validation(hash_key=HASH_KEY),
                "io_manager": Storage(storage_url=f"s3://{bucket}/iku"),
            },
        )
        yield fs, bucket, url, result


@pytest.mark.xdist_group(REMOTE_YEAR)
def test_staged_values_land_in_the_bucket(remote_year):
    """IKU_STORAGE_URL on an object store: every intermediate value is an object there,
    readable as the local file would be."""
    fs, bucket, _, result = remote_year
    assert result.success
    keys = _keys(fs, bucket)
    assert STAGED in keys, sorted(keys)
    assert "iku/sumber/layanan/laporan/2023.json" in keys
    assert "iku/referensi/kelurahan/2023.json" in keys
    frame = read_frame(f"s3://{bucket}/{STAGED}")
    assert len(frame) == len(read_frame(f"s3://{bucket}/{STAGED}", []))
    assert len(frame) > 0


@pytest.mark.xdist_group(REMOTE_YEAR)
def test_extracts_and_exports_on_urls_publish_what_local_folders_publish(
    remote_year, data_dir, tmp_path
):
    """IKU_DATA_DIR and IKU_OUTPUT_DIR as URLs: the same rows (file names, sizes, sha256
    and row numbers included) and the same files as from local folders."""
    fs, bucket, remote_db, result = remote_year
    local_db = f"sqlite:///{tmp_path / 'local.sqlite'}"
    assert result.success
    local = run_year(
        data_dir, local_db, "2023",
        paths=IkuPaths(data_dir=str(data_dir), output_dir=str(tmp_path / "out")),
        validation=Validation(hash_key=HASH_KEY),
    )  # fmt: skip
    assert local.success
    _assert_same_publication(remote_db, local_db)
    exported = _keys(fs, f"{bucket}/published")
    assert exported == {p.name for p in (tmp_path / "out").iterdir()}
    assert "matriks_iku_2023.xlsx" in exported


def test_local_copy_follows_the_url(s3):
    """A changed file is copied again, a removed one removed; of raw/ only the run's
    years; names that would leave the copy are refused."""
    fs, bucket, _ = s3
    url = f"s3://{bucket}/data"
    fs.pipe(f"{bucket}/data/reference/jenis_layanan.csv", b"a\n")
    fs.pipe(f"{bucket}/data/raw/layanan/2023/a.csv", b"v1")
    fs.pipe(f"{bucket}/data/raw/layanan/2024/b.csv", b"x")
    paths = IkuPaths(data_dir=url)
    paths._years = frozenset({"2023"})

    raw = paths.raw
    assert raw.parent == paths.data
    assert (raw / "layanan/2023/a.csv").read_bytes() == b"v1"
    assert not (raw / "layanan/2024").exists()
    assert (paths.reference / "jenis_layanan.csv").read_bytes() == b"a\n"

    fs.pipe(f"{bucket}/data/raw/layanan/2023/a.csv", b"v2")  # same size, new version
    fs.pipe(f"{bucket}/data/raw/layanan/2023/c.csv", b"c")
    assert (paths.raw / "layanan/2023/a.csv").read_bytes() == b"v2"
    assert (raw / "layanan/2023/c.csv").read_bytes() == b"c"
    fs.rm(f"{bucket}/data/raw/layanan/2023/a.csv")
    assert sorted(p.name for p in (paths.raw / "layanan/2023").iterdir()) == ["c.csv"]

    paths._years = None  # no run (the sensor): every year
    assert (paths.raw / "layanan/2024/b.csv").read_bytes() == b"x"

    fs.pipe(f"{bucket}/data/raw/layanan/2023/../../../keluar.csv", b"!")
    if any(".." in k for k in fs.find(f"{bucket}/data/raw")):  # the store kept the name
        with pytest.raises(ValueError, match="tidak dapat disalin"):
            _mirror(url).sync("raw")


def _published(url: str, name: str) -> pd.DataFrame:
    frame = table(url, name, 2023).drop(columns=TRACE)
    return frame.sort_values(list(frame.columns), ignore_index=True, na_position="first")


def _assert_same_publication(url_a: str, url_b: str) -> None:
    for name in YEAR_TABLES:
        a, b = _published(url_a, name), _published(url_b, name)
        assert len(a) > 0, name
        pd.testing.assert_frame_equal(a, b, check_dtype=False, obj=name)


# ---------------------------------------------------------------- Celery workers


def _rabbitmq_reason() -> str | None:
    try:
        with socket.create_connection(RABBITMQ, timeout=3):
            return None
    except OSError as e:
        return f"RabbitMQ is not reachable at {RABBITMQ[0]}:{RABBITMQ[1]}: {e}"


def _postgres_admin():
    try:
        import psycopg2
    except ImportError:
        pytest.skip("psycopg2 is not installed (pip install -e '.[dev]')")
    try:
        conn = psycopg2.connect(connect_timeout=5, **PG)
    except psycopg2.OperationalError as e:
        pytest.skip(
            f"PostgreSQL is not reachable at {PG['host']}:{PG['port']}: "
            f"{str(e).strip().splitlines()[0]}"
        )
    conn.autocommit = True
    return conn


def _query(db: str, sql: str, *params) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(connect_timeout=5, **{**PG, "dbname": db})
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def _process_env(home: Path, extra: dict[str, str]) -> dict[str, str]:
    """The whole environment of a launcher or worker: PATH-like basics, its own
    DAGSTER_HOME, HOME and TMPDIR, and the given AWS_*, IKU_* and DAGSTER_PG_* only."""
    tmp = home.parent / "tmp"
    tmp.mkdir(exist_ok=True)
    return {
        "PATH": f"{BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": str(home.parent),
        "TMPDIR": str(tmp),
        "DAGSTER_HOME": str(home),
        "DAGSTER_DISABLE_TELEMETRY": "1",
        **extra,
    }


def _new_process_dir(root: Path, name: str) -> tuple[Path, Path]:
    """An empty working directory and a DAGSTER_HOME holding only the instance file."""
    cwd = root / name / "cwd"
    home = root / name / "dagster_home"
    cwd.mkdir(parents=True)
    home.mkdir()
    shutil.copy(ROOT / "deploy" / "dagster-celery.yaml", home / "dagster.yaml")
    return cwd, home


def _stop_group(proc: subprocess.Popen) -> None:
    """Stop a worker's process group (the CLI, celery's main process and its child)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # celery's processes outlive the CLI
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass


def _delete_queue(broker: str, queue: str) -> None:
    """Remove the test's queue (durable, as Celery declares it) and its exchange."""
    import kombu

    try:
        with kombu.Connection(broker, connect_timeout=5) as conn:
            channel = conn.channel()
            channel.queue_delete(queue)
            channel.exchange_delete(queue)
    except Exception as e:  # noqa: BLE001 - leaves an empty queue behind, nothing more
        print(f"queue {queue} not deleted: {e}")


@pytest.fixture
def celery_setup(s3, tmp_path):
    """RabbitMQ, a fresh PostgreSQL database for the instance and a private warehouse
    schema, the fixture extracts in the bucket, and the environment of every process."""
    reason = _rabbitmq_reason()
    if reason:
        pytest.skip(reason)
    pytest.importorskip("dagster_celery", reason="dagster-celery is not installed")
    pytest.importorskip("dagster_postgres", reason="dagster-postgres is not installed")
    admin = _postgres_admin()
    tag = uuid.uuid4().hex[:12]
    db, schema = f"dagster_celery_{tag}", f"t_celery_{tag}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{db}"')
        cur.execute(f'CREATE SCHEMA "{schema}"')
    fs, bucket, aws = s3
    _upload_tree(fs, FIXTURES / "data", f"{bucket}/data")
    sep = "&" if "?" in PG_URL else "?"
    shared = {
        **aws,
        "DAGSTER_PG_HOST": PG["host"],
        "DAGSTER_PG_PORT": str(PG["port"]),
        "DAGSTER_PG_USER": PG["user"],
        "DAGSTER_PG_PASSWORD": "",
        "DAGSTER_PG_DB": db,
        "IKU_STORAGE_URL": f"s3://{bucket}/iku",
        "IKU_DATA_DIR": f"s3://{bucket}/data",
        "IKU_OUTPUT_DIR": f"s3://{bucket}/published",
        "IKU_DATABASE_URL": f"{PG_URL}{sep}options=-csearch_path%3D{schema}",
        "IKU_HASH_KEY": HASH_KEY,
        "IKU_CELERY_BROKER": "pyamqp://guest:guest@127.0.0.1:5672//",
        # A queue of this test only: no other worker on the broker takes its steps.
        "IKU_CELERY_QUEUE": f"iku_test_{tag}",
    }
    try:
        yield {"db": db, "fs": fs, "bucket": bucket, "shared": shared, "root": tmp_path}
    finally:
        _delete_queue(shared["IKU_CELERY_BROKER"], shared["IKU_CELERY_QUEUE"])
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.close()


@pytest.fixture
def workers(celery_setup):
    """Two Celery workers, each from its own empty directory and DAGSTER_HOME, one step
    at a time each; always stopped afterwards. The second starts once the first is
    ready: the first creates the instance's tables in the new database, and two workers
    creating them at once collide ("alembic_version" already exists)."""
    setup = celery_setup
    started: list[tuple[subprocess.Popen, Path, str, Path]] = []
    try:
        for i in (1, 2):
            cwd, home = _new_process_dir(setup["root"], f"worker{i}")
            name = f"iku{i}-{uuid.uuid4().hex[:6]}"
            log = cwd.parent / "worker.log"
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    [
                        str(BIN / "dagster-celery"),
                        "worker",
                        "start",
                        "-A",
                        "dagster_celery.app",
                        "-y",
                        str(ROOT / "deploy" / "celery-worker.yaml"),
                        "-q",
                        setup["shared"]["IKU_CELERY_QUEUE"],
                        "-n",
                        name,
                        "--",
                        "--concurrency",
                        "1",
                        "--without-gossip",
                        "--without-mingle",
                    ],
                    cwd=cwd,
                    env=_process_env(home, setup["shared"]),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            started.append((proc, log, name, cwd))
            deadline = time.monotonic() + WORKER_READY_TIMEOUT
            while b" ready." not in log.read_bytes():
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"worker {name} did not start:\n{log.read_text()[-4000:]}")
                time.sleep(0.5)
        yield started
    finally:
        for proc, *_ in started:
            _stop_group(proc)


@pytest.fixture
def local_schema(celery_setup):
    """Another private schema of the PostgreSQL warehouse, for the in-process run."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


def test_a_year_on_two_celery_workers_publishes_what_one_process_publishes(
    celery_setup, workers, local_schema, data_dir, monkeypatch
):
    setup, fs, bucket = celery_setup, celery_setup["fs"], celery_setup["bucket"]
    cwd, home = _new_process_dir(setup["root"], "launcher")
    started = time.monotonic()
    result = subprocess.run(
        [
            str(BIN / "dagster"),
            "job",
            "execute",
            "-m",
            "iku_pipeline.definitions",
            "-j",
            "iku_tahunan_celery",
            "--tags",
            json.dumps({"dagster/partition": "2023"}),
        ],
        cwd=cwd,
        env=_process_env(home, setup["shared"]),
        capture_output=True,
        text=True,
        timeout=EXECUTE_TIMEOUT,
    )
    elapsed = time.monotonic() - started
    logs = "\n".join(log.read_text()[-3000:] for _, log, _, _ in workers)
    output = (result.stdout + result.stderr)[-6000:]
    assert result.returncode == 0, f"{output}\n--- workers ---\n{logs}"

    # The run succeeded, its steps executed by both workers.
    runs = _query(setup["db"], "SELECT run_id, pipeline_name, status FROM runs")
    assert [(job, status) for _, job, status in runs] == [("iku_tahunan_celery", "SUCCESS")]
    run_id = runs[0][0]
    engine_events = [
        text
        for (text,) in _query(
            setup["db"],
            "SELECT event FROM event_logs WHERE run_id = %s AND dagster_event_type = %s",
            run_id,
            "ENGINE_EVENT",
        )
    ]
    for _, _, name, _ in workers:
        assert any(f"{name}@" in text for text in engine_events), f"{name} ran no step"

    # Each worker read the extracts from its own copy (in its own TMPDIR) ...
    copies = [
        p
        for _, _, _, worker_cwd in workers
        for p in (worker_cwd.parent / "tmp").glob("iku-data-*/raw/layanan/2023/*.csv")
    ]
    assert copies, "no worker copied the extracts from the bucket"
    for copy in copies:
        original = FIXTURES / "data/raw/layanan/2023" / copy.name
        assert copy.read_bytes() == original.read_bytes()
    # ... and wrote nothing into its working directory (no default local folder), nor
    # into the launcher's DAGSTER_HOME or working directory, which hold what they held.
    for _, _, name, worker_cwd in workers:
        assert not list(worker_cwd.iterdir()), (name, list(worker_cwd.iterdir()))
    assert sorted(p.name for p in home.rglob("*")) == ["dagster.yaml"]
    assert not list(cwd.iterdir())

    # Staged values and exported files are in the bucket.
    assert STAGED in _keys(fs, bucket)
    exported = _keys(fs, f"{bucket}/published")

    # The same year in one process, from local folders, into another schema.
    monkeypatch.setenv("IKU_HASH_KEY", HASH_KEY)
    local = run_year(data_dir, local_schema, "2023")
    assert local.success
    _assert_same_publication(setup["shared"]["IKU_DATABASE_URL"], local_schema)
    assert exported == {p.name for p in (data_dir / "published").iterdir()}
    print(f"\niku_tahunan_celery 2023 on two Celery workers: {elapsed:.1f} s")
