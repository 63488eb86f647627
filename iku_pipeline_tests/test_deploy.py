"""The shipped production instance (deploy/dagster.yaml): run history in PostgreSQL, and
the run queue never runs two runs of one year at once.

Each test gets a fresh PostgreSQL database for the instance and drops it afterwards.
Skipped, saying why, when PostgreSQL is not reachable or dagster-postgres is missing.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

from iku_pipeline_tests.conftest import FIXTURES
from iku_pipeline_tests.test_ui import (
    POLL_SECONDS,
    DagsterUI,
    _free_port,
    _stop,
    _wait_for_location,
)

ROOT = Path(__file__).resolve().parents[1]
DEPLOY_YAML = ROOT / "deploy" / "dagster.yaml"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}
RUN_TIMEOUT = 240  # seconds for both queued runs to finish
QUEUED_ASSET = ("referensi", "kelurahan")  # what each of the two queued runs materialises


def _admin_connection():
    try:
        import psycopg2
    except ImportError:
        pytest.skip("psycopg2 is not installed (pip install -e '.[dev]')")
    try:
        import dagster_postgres  # noqa: F401
    except ImportError:
        pytest.skip("dagster-postgres is not installed (pip install -e '.[dev]')")
    try:
        conn = psycopg2.connect(connect_timeout=5, **PG)
    except psycopg2.OperationalError as e:
        pytest.skip(
            f"PostgreSQL is not reachable at {PG['host']}:{PG['port']} as {PG['user']}: "
            f"{str(e).strip().splitlines()[0]}"
        )
    conn.autocommit = True
    return conn


@pytest.fixture
def pg_instance(tmp_path: Path):
    """A DAGSTER_HOME holding the shipped deploy/dagster.yaml, its DAGSTER_PG_* variables
    pointing at a fresh database; the extracts and warehouse in tmp."""
    admin = _admin_connection()
    db_name = f"dagster_test_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{db_name}"')
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY_YAML, home / "dagster.yaml")
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", data)
    warehouse = tmp_path / "warehouse.sqlite"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_HOST": PG["host"],
        "DAGSTER_PG_PORT": str(PG["port"]),
        "DAGSTER_PG_USER": PG["user"],
        "DAGSTER_PG_PASSWORD": "",
        "DAGSTER_PG_DB": db_name,
        "IKU_DATA_DIR": str(data),
        "IKU_DATABASE_URL": f"sqlite:///{warehouse}",
        "IKU_OUTPUT_DIR": str(tmp_path / "published"),
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }
    try:
        yield {"env": env, "home": home, "db": db_name, "warehouse": warehouse, "tmp": tmp_path}
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        admin.close()


def _query(db_name: str, sql: str, *params) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(**{**PG, "dbname": db_name})
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def test_docker_instance_is_valid_and_keeps_the_vm_storage_and_queue():
    """deploy/dagster-docker.yaml passes Dagster's instance schema (dagster-docker itself
    is not installed here) and keeps the same storage and run queue as dagster.yaml."""
    from dagster._core.instance.config import dagster_instance_config

    vm, _ = dagster_instance_config(str(DEPLOY_YAML.parent), "dagster.yaml")
    docker, _ = dagster_instance_config(str(DEPLOY_YAML.parent), "dagster-docker.yaml")
    assert docker["storage"] == vm["storage"]
    assert docker["run_coordinator"] == vm["run_coordinator"]
    assert docker["run_launcher"]["class"] == "DockerRunLauncher"
    passed = set(docker["run_launcher"]["config"]["env_vars"])
    assert {"DAGSTER_PG_HOST", "DAGSTER_PG_DB", "IKU_DATA_DIR", "IKU_DATABASE_URL"} <= passed


def test_a_year_run_is_recorded_in_postgres(pg_instance, monkeypatch):
    """A year run in this process on the instance of DAGSTER_HOME, as `dagster job
    execute` runs it (test_pipeline.py runs that command itself)."""
    import dagster as dg

    from iku_pipeline.definitions import defs

    for name, value in pg_instance["env"].items():
        if name.startswith(("DAGSTER_", "IKU_")):
            monkeypatch.setenv(name, value)
    with dg.DagsterInstance.get() as instance:  # DAGSTER_HOME/dagster.yaml: PostgreSQL
        result = defs.resolve_job_def("iku_tahunan").execute_in_process(
            partition_key="2023", instance=instance
        )
    assert result.success

    runs = _query(pg_instance["db"], "SELECT run_id, pipeline_name, status FROM runs")
    assert len(runs) == 1, runs
    run_id, job, status = runs[0]
    assert (job, status) == ("iku_tahunan", "SUCCESS")
    tags = dict(
        _query(pg_instance["db"], "SELECT key, value FROM run_tags WHERE run_id = %s", run_id)
    )
    assert tags["dagster/partition"] == "2023"
    materialized = {
        key
        for (key,) in _query(
            pg_instance["db"],
            "SELECT DISTINCT asset_key FROM event_logs "
            "WHERE run_id = %s AND dagster_event_type = 'ASSET_MATERIALIZATION'",
            run_id,
        )
    }
    assert '["publikasi", "realisasi_iku"]' in materialized, materialized
    # Nothing of the instance went to SQLite files in DAGSTER_HOME.
    assert not list(pg_instance["home"].rglob("*.db")), list(pg_instance["home"].rglob("*.db"))

    with sqlite3.connect(pg_instance["warehouse"]) as db:
        published = db.execute("SELECT DISTINCT tahun, run_id FROM realisasi_iku").fetchall()
    assert published == [(2023, run_id)]


@pytest.mark.slow
def test_two_runs_of_one_year_are_queued_one_after_the_other(pg_instance):
    """The webserver and daemon on the shipped instance: two runs of 2023 launched
    together never run at the same time (tag limit on dagster/partition): the daemon
    takes the second off the queue only once the first has ended.

    Each run materialises one asset of the year (the kelurahan table): the limit is on
    the run's partition tag, whatever the run selects, and a whole year in each run
    process would only make the test longer."""
    # The shipped instance, its queue polled every second instead of every five (the
    # limits are the shipped ones).
    config = yaml.safe_load((pg_instance["home"] / "dagster.yaml").read_text())
    config["run_coordinator"]["config"]["dequeue_interval_seconds"] = 1
    (pg_instance["home"] / "dagster.yaml").write_text(yaml.safe_dump(config))
    log = pg_instance["tmp"] / "dagster_dev.log"
    port = _free_port()
    dagster = Path(sys.executable).parent / "dagster"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(dagster), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=ROOT,
            env=pg_instance["env"],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    ui = DagsterUI(port, proc, log, pg_instance["warehouse"])
    try:
        _wait_for_location(ui)
        launch = """
        mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
          __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }
        """
        params = {
            "selector": {
                "repositoryLocationName": ui.location,
                "repositoryName": ui.repository,
                "pipelineName": "iku_tahunan",
                "assetSelection": [{"path": list(QUEUED_ASSET)}],
            },
            "runConfigData": {},
            "executionMetadata": {"tags": [{"key": "dagster/partition", "value": "2023"}]},
        }
        run_ids = []
        for _ in range(2):
            launched = ui.graphql(launch, params=params)["launchRun"]
            assert launched["__typename"] == "LaunchRunSuccess", launched
            run_ids.append(launched["run"]["runId"])

        query = """
        query($ids: [String!]) { runsOrError(filter: {runIds: $ids}) {
          ... on Runs { results { runId status startTime endTime } } } }
        """
        deadline = time.monotonic() + RUN_TIMEOUT
        while time.monotonic() < deadline:
            runs = ui.graphql(query, ids=run_ids)["runsOrError"]["results"]
            if all(r["status"] in ("SUCCESS", "FAILURE", "CANCELED") for r in runs):
                break
            time.sleep(POLL_SECONDS)
        else:
            pytest.fail(f"runs not finished after {RUN_TIMEOUT}s: {runs}\n{ui.log_tail()}")
    finally:
        _stop(proc)

    assert [r["status"] for r in runs] == ["SUCCESS", "SUCCESS"], ui.log_tail()
    first, second = sorted(runs, key=lambda r: r["startTime"])
    assert second["startTime"] >= first["endTime"], runs
    # Held in the queue until the first ended: the daemon launches a run it takes off
    # the queue at once (PIPELINE_STARTING); without the limit it would take both in
    # one pass, before either run process had even started.
    events = {
        (run_id, kind): when
        for run_id, kind, when in _query(
            pg_instance["db"],
            "SELECT run_id, dagster_event_type, MIN(timestamp) FROM event_logs "
            "WHERE dagster_event_type IN ('PIPELINE_STARTING', 'PIPELINE_SUCCESS') "
            "GROUP BY run_id, dagster_event_type",
        )
    }
    assert len(events) == 4, events
    assert events[second["runId"], "PIPELINE_STARTING"] >= events[
        first["runId"], "PIPELINE_SUCCESS"
    ], (events, runs)
    # Each run materialised its one asset of 2023.
    materialized = _query(
        pg_instance["db"],
        "SELECT run_id, asset_key, partition FROM event_logs "
        "WHERE dagster_event_type = 'ASSET_MATERIALIZATION'",
    )
    key = '["' + '", "'.join(QUEUED_ASSET) + '"]'
    assert sorted(materialized) == sorted((r, key, "2023") for r in run_ids), materialized
    # Both runs are in the PostgreSQL instance.
    recorded = _query(pg_instance["db"], "SELECT run_id, status FROM runs")
    assert sorted(recorded) == sorted((r, "SUCCESS") for r in run_ids)
