"""The extracts sensor: a new or changed delivery requests one run of its year."""

import json
import os
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from iku_pipeline.definitions import defs
from iku_pipeline.resources import IkuPaths
from iku_pipeline.sensors import evaluate, iku_raw_extracts

CURRENT_YEAR = datetime.now(ZoneInfo("Asia/Jakarta")).year


@pytest.fixture
def data(data_dir: Path) -> Path:
    """The fixture extracts (2023) plus one 2022 delivery and an empty 2024 folder."""
    target = data_dir / "raw" / "layanan" / "2022"
    target.mkdir(parents=True)
    shutil.copy(data_dir / "raw" / "layanan" / "2023" / "register_tw1.csv", target / "reg.csv")
    (data_dir / "raw" / "konflik" / "2024").mkdir()
    return data_dir


def tick(data_dir: Path, cursor: str | None = None) -> dg.SensorResult:
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_sensor_context(
            cursor=cursor,
            instance=instance,
            resources={"paths": IkuPaths(data_dir=str(data_dir))},
        )
        return iku_raw_extracts(context)


def years(result: dg.SensorResult) -> list[str]:
    return [r.partition_key for r in result.run_requests or []]


def skip_message(result: dg.SensorResult) -> str:
    return result.skip_reason.skip_message if result.skip_reason else ""


def test_first_evaluation_requests_each_year_with_files(data):
    result = tick(data)
    assert years(result) == ["2022", "2023"]
    keys = [r.run_key for r in result.run_requests]
    assert keys[0].startswith("2022:") and keys[1].startswith("2023:")
    assert result.cursor


def test_second_evaluation_with_the_cursor_requests_nothing(data):
    first = tick(data)
    second = tick(data, first.cursor)
    assert years(second) == []
    assert "Tidak ada berkas baru atau berubah" in skip_message(second)


def test_changed_content_with_the_same_mtime_requests_that_year_once(data):
    cursor = tick(data).cursor
    path = data / "raw" / "layanan" / "2023" / "register_tw1.csv"
    stat = path.stat()
    path.write_bytes(path.read_bytes() + b"\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_mtime_ns == stat.st_mtime_ns

    changed = tick(data, cursor)
    assert years(changed) == ["2023"]
    assert years(tick(data, changed.cursor)) == []


def test_touching_or_copying_the_same_bytes_requests_nothing(data):
    cursor = tick(data).cursor
    path = data / "raw" / "layanan" / "2023" / "register_tw1.csv"
    os.utime(path, (1_900_000_000, 1_900_000_000))
    content = path.read_bytes()
    path.unlink()
    path.write_bytes(content)  # re-delivered unchanged: new inode, new mtime
    assert years(tick(data, cursor)) == []


def test_a_new_file_in_a_year_requests_that_year(data):
    cursor = tick(data).cursor
    shutil.copy(
        data / "raw" / "layanan" / "2023" / "register_tw1.csv",
        data / "raw" / "layanan" / "2022" / "reg_tw2.csv",
    )
    assert years(tick(data, cursor)) == ["2022"]


def test_a_removed_file_requests_its_year(data):
    cursor = tick(data).cursor
    (data / "raw" / "layanan" / "2023" / "register_tw2.xlsx").unlink()
    assert years(tick(data, cursor)) == ["2023"]


def test_putting_back_an_earlier_version_requests_a_run_again(data):
    path = data / "raw" / "layanan" / "2023" / "register_tw1.csv"
    original = path.read_bytes()
    first = tick(data)
    path.write_bytes(original + b"\n")
    second = tick(data, first.cursor)
    path.write_bytes(original)
    third = tick(data, second.cursor)
    assert years(third) == ["2023"]
    # Dagster starts no second run with a run key it has seen: every change has its own.
    keys = [
        next(r.run_key for r in result.run_requests if r.partition_key == "2023")
        for result in (first, second, third)
    ]
    assert len(set(keys)) == 3


def test_hidden_files_and_excel_lock_files_are_not_deliveries(data):
    cursor = tick(data).cursor
    folder = data / "raw" / "layanan" / "2023"
    (folder / "~$register_tw2.xlsx").write_bytes(b"lock")
    (folder / ".DS_Store").write_bytes(b"finder")
    result = tick(data, cursor)
    assert years(result) == []
    assert "tidak dibaca" not in skip_message(result)


def test_years_outside_the_partitions_and_unknown_folders_are_reported(data):
    cursor = tick(data).cursor
    old = data / "raw" / "layanan" / "2019"
    old.mkdir()
    (old / "register_2019.csv").write_text("no_register\n1\n")
    coming = data / "raw" / "pbb_dhkp" / str(CURRENT_YEAR + 1)
    coming.mkdir()
    (coming / "dhkp_early.xlsx").write_bytes(b"x")
    unknown = data / "raw" / "layanan_lama" / "2023"
    unknown.mkdir(parents=True)
    (unknown / "arsip.csv").write_text("a\n")

    result = tick(data, cursor)
    assert years(result) == []
    message = skip_message(result)
    assert "layanan/2019/register_2019.csv" in message
    assert f"pbb_dhkp/{CURRENT_YEAR + 1}/dhkp_early.xlsx" in message
    assert "layanan_lama/2023/arsip.csv" in message
    assert "di luar rentang" in message
    assert "folder sumber tidak dikenal" in message


def test_a_report_does_not_hold_back_a_run(data, capfd):
    cursor = tick(data).cursor
    (data / "raw" / "layanan" / "2019").mkdir()
    (data / "raw" / "layanan" / "2019" / "lama.csv").write_text("x\n")
    (data / "raw" / "layanan" / "2022" / "reg.csv").write_text("changed\n")
    result = tick(data, cursor)
    assert years(result) == ["2022"]
    # No skip reason beside a run request: the tick's log names the file instead.
    assert "layanan/2019/lama.csv" in capfd.readouterr().err


def test_a_coming_years_early_delivery_runs_when_its_year_begins(data):
    raw = data / "raw"
    early = raw / "konflik" / "2027"
    early.mkdir()
    (early / "konflik_2027.csv").write_text("no\n1\n")
    partitions_2026 = {str(y) for y in range(2021, 2027)}
    state, changed, scan = evaluate(raw, None, partitions_2026)
    assert "2027" not in changed
    assert any("konflik/2027/konflik_2027.csv" in p for p in sum(scan.not_read.values(), []))

    _, changed, _ = evaluate(raw, json.dumps(state), partitions_2026 | {"2027"})
    assert changed == {"2027": ["konflik/2027/konflik_2027.csv"]}


def test_data_dir_comes_from_IKU_DATA_DIR_as_for_runs(data, monkeypatch):
    monkeypatch.setenv("IKU_DATA_DIR", str(data))
    repo = defs.get_repository_def()
    sensor = repo.get_sensor_def("iku_raw_extracts")
    assert sensor.minimum_interval_seconds == 60
    with (
        dg.DagsterInstance.ephemeral() as instance,
        dg.build_sensor_context(
            instance=instance, repository_def=repo, resources=repo.get_top_level_resources()
        ) as context,
    ):
        data_out = sensor.evaluate_tick(context)
    # Resolved against the job as the daemon does it: each request is a partition run.
    assert [r.tags["dagster/partition"] for r in data_out.run_requests] == ["2022", "2023"]
    assert sensor.job_name == "iku_tahunan"
