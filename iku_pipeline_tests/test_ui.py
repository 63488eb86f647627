"""The Dagster UI, as the analyst opens it with `make dev`: the asset graph, the job's
years, a year run launched from the UI (through its GraphQL API), and a screenshot."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from iku_pipeline_tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
STARTUP_TIMEOUT = 120  # seconds until the UI answers with the code location loaded
RUN_TIMEOUT = 180  # seconds for the 2023 run to finish
SCREENSHOT_MIN_BYTES = 20_000
# The graph zoomed to fit draws its nodes only above a scale: a screen wide enough
# for the sources' 18 assets side by side.
SCREEN = (3600, 2200)
PAGE_POLLS = 120  # half-second polls: the page and the graph get a minute each
POLL_SECONDS = 0.5  # between two questions to the server (ready? run finished?)
GRAPH_SETTLE_SECONDS = 3

EXPECTED_ASSETS = {
    "referensi/kelurahan",
    *(f"sumber/{s}" for s in ("layanan", "musrenbang_usulan", "musrenbang_ba", "pbb_dhkp",
                              "pbb_pembayaran", "konflik")),
    "indikator/realisasi_iku",
    "indikator/realisasi_tambahan",
    "indikator/laporan",
    "publikasi/realisasi_iku",
    "publikasi/matriks_iku",
    "publikasi/baris_ditolak",
    "publikasi/riwayat_publikasi",
    "publikasi/berkas_matriks",
}
GROUPS = ("referensi", "sumber", "indikator", "publikasi")

# One `dagster dev` for the module: every test of it on the same pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("dagster_dev_ui")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DagsterUI:
    def __init__(self, port: int, proc: subprocess.Popen, log: Path, warehouse: Path):
        self.port = port
        self.proc = proc
        self.log = log
        self.warehouse = warehouse
        self.url = f"http://127.0.0.1:{port}"
        self.location = ""
        self.repository = ""

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=10) as r:
            return r.read()

    def graphql(self, query: str, **variables) -> dict:
        request = urllib.request.Request(
            self.url + "/graphql",
            data=json.dumps({"query": query, "variables": variables}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as r:
            body = json.loads(r.read())
        assert "errors" not in body, body["errors"]
        return body["data"]

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server's whole process group (webserver, daemon, code server)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    except ProcessLookupError:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # children outlive a SIGTERM'd parent
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def _wait_for_location(ui: DagsterUI) -> None:
    query = """
    { workspaceOrError { __typename ... on Workspace { locationEntries {
        name loadStatus
        locationOrLoadError { __typename
          ... on RepositoryLocation { repositories { name } }
          ... on PythonError { message } } } } } }
    """
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last = None
    while time.monotonic() < deadline:
        if ui.proc.poll() is not None:
            pytest.fail(f"dagster dev exited with {ui.proc.returncode}:\n{ui.log_tail()}")
        try:
            ui.get("/server_info")
            entries = ui.graphql(query)["workspaceOrError"]["locationEntries"]
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as e:
            last = e
            time.sleep(POLL_SECONDS)
            continue
        loaded = [e for e in entries if e["loadStatus"] == "LOADED"]
        if loaded:
            location = loaded[0]["locationOrLoadError"]
            assert location["__typename"] == "RepositoryLocation", location
            ui.location = loaded[0]["name"]
            ui.repository = location["repositories"][0]["name"]
            return
        last = entries
        time.sleep(POLL_SECONDS)
    pytest.fail(f"UI not ready after {STARTUP_TIMEOUT}s ({last!r}):\n{ui.log_tail()}")


@pytest.fixture(scope="module")
def ui(tmp_path_factory) -> DagsterUI:
    """`dagster dev` on a free port, on a copy of the fixture extracts."""
    base = tmp_path_factory.mktemp("ui")
    home = base / "dagster_home"
    home.mkdir()
    data = base / "data"
    shutil.copytree(FIXTURES / "data", data)
    warehouse = base / "warehouse.sqlite"
    log = base / "dagster_dev.log"
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "IKU_DATA_DIR": str(data),
        "IKU_DATABASE_URL": f"sqlite:///{warehouse}",
        "IKU_OUTPUT_DIR": str(base / "published"),
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }
    dagster = Path(sys.executable).parent / "dagster"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(dagster), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = DagsterUI(port, proc, log, warehouse)
    try:
        _wait_for_location(server)
        yield server
    finally:
        _stop(proc)


def test_asset_graph_has_every_asset(ui):
    data = ui.graphql("{ assetNodes { assetKey { path } groupName } }")
    keys = {"/".join(n["assetKey"]["path"]) for n in data["assetNodes"]}
    assert EXPECTED_ASSETS <= keys, EXPECTED_ASSETS - keys


def test_job_offers_every_year_from_2021(ui):
    query = """
    query($selector: PipelineSelector!) { pipelineOrError(params: $selector) {
      __typename ... on Pipeline { partitionKeysOrError { ... on PartitionKeys { partitionKeys } } }
      ... on PythonError { message } } }
    """
    selector = {
        "repositoryLocationName": ui.location,
        "repositoryName": ui.repository,
        "pipelineName": "iku_tahunan",
    }
    job = ui.graphql(query, selector=selector)["pipelineOrError"]
    assert job["__typename"] == "Pipeline", job
    current = datetime.now(ZoneInfo("Asia/Jakarta")).year
    expected = [str(y) for y in range(2021, current + 1)]
    assert job["partitionKeysOrError"]["partitionKeys"] == expected


def test_schedule_and_sensor_are_listed(ui):
    query = """
    query($selector: RepositorySelector!) { repositoryOrError(repositorySelector: $selector) {
      ... on Repository { schedules { name cronSchedule executionTimezone }
                          sensors { name minIntervalSeconds } } } }
    """
    selector = {"repositoryLocationName": ui.location, "repositoryName": ui.repository}
    repo = ui.graphql(query, selector=selector)["repositoryOrError"]
    assert {
        "name": "iku_tahunan_nightly",
        "cronSchedule": "0 1 * * *",
        "executionTimezone": "Asia/Jakarta",
    } in repo["schedules"]
    assert {"name": "iku_raw_extracts", "minIntervalSeconds": 60} in repo["sensors"]


def test_a_year_launched_from_the_ui_runs_and_publishes(ui):
    launch = """
    mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
      __typename
      ... on LaunchRunSuccess { run { runId } }
      ... on PythonError { message }
      ... on RunConfigValidationInvalid { errors { message } }
      ... on InvalidSubsetError { message }
    } }
    """
    params = {
        "selector": {
            "repositoryLocationName": ui.location,
            "repositoryName": ui.repository,
            "pipelineName": "iku_tahunan",
        },
        "runConfigData": {},
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": "2023"}]},
    }
    result = ui.graphql(launch, params=params)["launchRun"]
    assert result["__typename"] == "LaunchRunSuccess", result
    run_id = result["run"]["runId"]

    status_query = "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"
    deadline = time.monotonic() + RUN_TIMEOUT
    status = None
    while time.monotonic() < deadline:
        status = ui.graphql(status_query, id=run_id)["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(POLL_SECONDS)
    assert status == "SUCCESS", f"run {run_id} ended {status}:\n{ui.log_tail()}"

    with sqlite3.connect(ui.warehouse) as db:
        rows = db.execute(
            "SELECT DISTINCT tahun, run_id FROM realisasi_iku ORDER BY tahun"
        ).fetchall()
    assert rows == [(2023, run_id)]

    materialized = """
    { assetNodes { assetKey { path } assetMaterializations(partitions: ["2023"]) { runId } } }
    """
    nodes = ui.graphql(materialized)["assetNodes"]
    by_key = {"/".join(n["assetKey"]["path"]): n["assetMaterializations"] for n in nodes}
    for key in EXPECTED_ASSETS:
        assert [m["runId"] for m in by_key[key]] == [run_id], key


def _asset_graph_url(ui: DagsterUI) -> str:
    """The global asset lineage with every group expanded (the UI collapses groups when
    there are several; group ids are ``global@global:<group>``)."""
    groups = ",".join(f"global@global:{g}" for g in GROUPS)
    return f"{ui.url}/asset-groups?expanded={urllib.parse.quote(groups)}"


async def _cdp_screenshot(port: int, ui: DagsterUI, url: str, ready_js: str) -> bytes:
    """Through Chromium's DevTools protocol: lay the graph out top to bottom (the UI's
    own setting, in localStorage), open ``url``, wait until ``ready_js`` holds, capture."""
    from websockets.asyncio.client import connect

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
        targets = json.loads(r.read())
    ws_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
    async with connect(ws_url, max_size=None, open_timeout=30) as ws:
        ids = iter(range(1, 1_000_000))

        async def call(method: str, **params):
            msg_id = next(ids)
            await ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
            while True:
                reply = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
                if reply.get("id") == msg_id:
                    assert "error" not in reply, reply
                    return reply["result"]

        async def evaluate(expression: str):
            result = await call("Runtime.evaluate", expression=expression, returnByValue=True)
            return result["result"].get("value")

        async def open_page(target: str):
            await call("Page.navigate", url=target)
            for _ in range(PAGE_POLLS):
                if await evaluate("document.readyState") == "complete":
                    return
                await asyncio.sleep(0.5)

        await call("Page.enable")
        await call(
            "Emulation.setDeviceMetricsOverride",
            width=SCREEN[0],
            height=SCREEN[1],
            deviceScaleFactor=1,
            mobile=False,
        )
        await open_page(ui.url + "/server_info")  # same origin, for localStorage
        await evaluate("localStorage.setItem('asset-graph-direction', JSON.stringify('vertical'))")
        await open_page(url)
        for _ in range(PAGE_POLLS):
            if await evaluate(ready_js):
                break
            await asyncio.sleep(0.5)
        else:
            pytest.fail(f"asset graph not shown at {url}")
        await asyncio.sleep(GRAPH_SETTLE_SECONDS)  # the graph zooms to fit after layout
        shot = await call("Page.captureScreenshot", format="png")
        return base64.b64decode(shot["data"])


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium)"
)
def test_screenshot_of_the_asset_graph(ui, tmp_path):
    shot = tmp_path / "asset_graph.png"
    profile = tmp_path / "chromium-profile"
    # What a first visit to a local UI shows over the graph: the community sign-up.
    ui.graphql("mutation { setNuxSeen }")
    proc = subprocess.Popen(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--window-size={SCREEN[0]},{SCREEN[1]}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        for _ in range(PAGE_POLLS):
            if port_file.exists() and port_file.read_text().strip():
                break
            assert proc.poll() is None, f"chromium exited with {proc.returncode}"
            time.sleep(0.5)
        port = int(port_file.read_text().split()[0])
        names = sorted(k.rsplit("/", 1)[-1] for k in EXPECTED_ASSETS)
        ready = " && ".join(f"document.body.innerText.includes({json.dumps(n)})" for n in names)
        png = asyncio.run(_cdp_screenshot(port, ui, _asset_graph_url(ui), ready))
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    shot.write_bytes(png)
    assert png.startswith(b"\x89PNG"), png[:16]
    assert len(png) > SCREENSHOT_MIN_BYTES, len(png)
    target = os.environ.get("IKU_UI_SCREENSHOT")
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, target)
