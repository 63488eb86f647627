"""The data-folder sensor: a new or changed delivery requests one run of its year once
its copy is complete; a changed reference table requests the runs it affects."""

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
from iku_pipeline_tests.common import ephemeral_instance

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
    """One evaluation, its state only in ``cursor`` (the sensor keeps nothing in the
    instance, so every tick may use this process's one instance)."""
    context = dg.build_sensor_context(
        cursor=cursor,
        instance=ephemeral_instance(),
        resources={"paths": IkuPaths(data_dir=str(data_dir))},
    )
    return iku_raw_extracts(context)


def settled(data_dir: Path, cursor: str | None = None) -> dg.SensorResult:
    """Two ticks with nothing changing between them: what the folder holds is settled."""
    return tick(data_dir, tick(data_dir, cursor).cursor)


def years(result: dg.SensorResult) -> list[str]:
    return [r.partition_key for r in result.run_requests or [] if r.partition_key]


def jobs(result: dg.SensorResult) -> list[str]:
    return [r.job_name for r in result.run_requests or []]


def skip_message(result: dg.SensorResult) -> str:
    return result.skip_reason.skip_message if result.skip_reason else ""


def test_first_evaluation_waits_one_tick_then_requests_each_year_with_files(data):
    first = tick(data)
    assert years(first) == []
    assert "layanan/2022/reg.csv (baru atau berubah" in skip_message(first)
    result = tick(data, first.cursor)
    assert years(result) == ["2022", "2023"]
    assert set(jobs(result)) == {"iku_tahunan"}
    keys = [r.run_key for r in result.run_requests]
    assert keys[0].startswith("2022:") and keys[1].startswith("2023:")
    assert result.cursor


def test_third_evaluation_with_the_cursor_requests_nothing(data):
    third = tick(data, settled(data).cursor)
    assert years(third) == []
    assert "Tidak ada berkas baru atau berubah" in skip_message(third)


def test_changed_content_with_the_same_mtime_requests_that_year_once(data):
    cursor = settled(data).cursor
    path = data / "raw" / "layanan" / "2023" / "register_tw1.csv"
    stat = path.stat()
    path.write_bytes(path.read_bytes() + b"\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_mtime_ns == stat.st_mtime_ns

    seen = tick(data, cursor)
    assert years(seen) == []
    changed = tick(data, seen.cursor)
    assert years(changed) == ["2023"]
    assert years(tick(data, changed.cursor)) == []


def test_a_file_copied_in_chunks_across_ticks_runs_once_when_complete(data):
    cursor = settled(data).cursor
    content = (data / "raw" / "layanan" / "2023" / "register_tw1.csv").read_bytes() * 40
    path = data / "raw" / "layanan" / "2023" / "register_tw3.csv"
    chunks = [content[i : i + 1000] for i in range(0, len(content), 1000)]
    assert len(chunks) >= 4
    requested, messages = [], []
    with path.open("wb") as f:
        for chunk in chunks:  # a slow copy: the sensor ticks between every two chunks
            f.write(chunk)
            f.flush()
            result = tick(data, cursor)
            cursor = result.cursor
            requested += years(result)
            messages.append(skip_message(result))
    assert requested == []  # never while the file grew
    assert all("layanan/2023/register_tw3.csv" in m for m in messages)
    assert all("sedang disalin?" in m for m in messages[1:])
    # Complete: the first tick sees it unchanged since the last chunk and runs the year.
    after = [tick(data, cursor)]
    after.append(tick(data, after[0].cursor))
    assert [years(r) for r in after] == [["2023"], []]
    assert "layanan/2023/register_tw3.csv" not in skip_message(after[1])


def test_a_year_waits_for_every_file_being_copied(data):
    cursor = settled(data).cursor
    folder = data / "raw" / "layanan" / "2023"
    (folder / "a.csv").write_text("no_register\n1\n")
    (folder / "b.csv").write_text("no_register\n")
    first = tick(data, cursor)
    (folder / "b.csv").write_text("no_register\n1\n2\n")  # a.csv done, b.csv not
    second = tick(data, first.cursor)
    assert years(first) == years(second) == []
    assert "2023/a.csv (sudah lengkap; menunggu berkas lain" in skip_message(second)
    assert "2023/b.csv (sedang disalin?" in skip_message(second)
    third = tick(data, second.cursor)
    assert years(third) == ["2023"]
    assert years(tick(data, third.cursor)) == []


def test_a_temporary_name_holds_its_year_and_is_named(data):
    cursor = settled(data).cursor
    folder = data / "raw" / "layanan" / "2023"
    (folder / "register_tw1.csv").write_bytes(b"no_register\n9\n")
    (folder / "register_tw4.xlsx.crdownload").write_bytes(b"PK\x03\x04 half")
    results = [tick(data, cursor)]
    for _ in range(2):
        results.append(tick(data, results[-1].cursor))
    assert [years(r) for r in results] == [[], [], []]
    assert "register_tw4.xlsx.crdownload (nama berkas sementara" in skip_message(results[-1])
    (folder / "register_tw4.xlsx.crdownload").rename(folder / "register_tw4.xlsx")
    done = settled(data, results[-1].cursor)
    assert years(done) == ["2023"]


def test_a_cursor_of_the_previous_version_runs_nothing_again(data):
    # What the sensor stored before it waited for copies and watched reference/.
    old = {
        "files": json.loads(settled(data).cursor)["files"],
        "keys": {"2022": "2022:0123456789abcdef0123", "2023": "2023:fedcba98765432100123"},
    }
    result = tick(data, json.dumps(old))
    assert years(result) == [] and jobs(result) == []
    state = json.loads(result.cursor)
    assert state["keys"] == old["keys"] and state["files"] == old["files"]
    assert set(state["ref"]) == {"jenis_layanan.csv"}  # the baseline from now on
    assert "pending" not in state and "owed" not in state
    # Compact: the file hashes plus a few bytes per reference table.
    assert len(result.cursor) < len(json.dumps(old)) + 120
    assert years(tick(data, result.cursor)) == []


def test_a_row_table_change_reruns_every_year_with_extracts(data):
    cursor = settled(data).cursor
    table = data / "reference" / "jenis_layanan.csv"
    table.write_text(table.read_text(encoding="utf-8") + "Legalisir KK,KK_KTP\n", encoding="utf-8")
    seen = tick(data, cursor)
    assert jobs(seen) == []
    assert "reference/jenis_layanan.csv (baru atau berubah" in skip_message(seen)
    result = tick(data, seen.cursor)
    assert years(result) == ["2022", "2023"]  # the empty 2024 folder has no extract
    assert jobs(result) == ["iku_tahunan", "iku_tahunan"]
    assert jobs(tick(data, result.cursor)) == []


def test_a_presentation_table_change_runs_iku_presentasi_only(data):
    reference = data / "reference"
    cursor = settled(data).cursor
    (reference / "target_iku.csv").write_text("kode,tahun,target\n1,2023,90\n")
    result = settled(data, cursor)
    assert jobs(result) == ["iku_presentasi"]
    request = result.run_requests[0]
    assert request.partition_key is None and request.run_key.startswith("presentasi:")
    assert jobs(tick(data, result.cursor)) == []
    # Each further change has its own key: Dagster would skip a run key it has seen.
    (reference / "predikat.csv").write_text("batas_bawah,predikat\n90,Baik\n,Kurang\n")
    (reference / "catatan_iku.csv").write_text("kode,catatan\n1,uji\n")
    again = settled(data, result.cursor)
    assert jobs(again) == ["iku_presentasi"]
    assert again.run_requests[0].run_key != request.run_key


def test_touching_or_copying_the_same_bytes_requests_nothing(data):
    cursor = settled(data).cursor
    path = data / "raw" / "layanan" / "2023" / "register_tw1.csv"
    os.utime(path, (1_900_000_000, 1_900_000_000))
    content = path.read_bytes()
    path.unlink()
    path.write_bytes(content)  # re-delivered unchanged: new inode, new mtime
    assert years(settled(data, cursor)) == []


def test_a_new_file_in_a_year_requests_that_year(data):
    cursor = settled(data).cursor
    shutil.copy(
        data / "raw" / "layanan" / "2023" / "register_tw1.csv",
        data / "raw" / "layanan" / "2022" / "reg_tw2.csv",
    )
    assert years(settled(data, cursor)) == ["2022"]


def test_a_removed_file_requests_its_year(data):
    cursor = settled(data).cursor
    (data / "raw" / "layanan" / "2023" / "register_tw2.xlsx").unlink()
    assert years(settled(data, cursor)) == ["2023"]


def test_putting_back_an_earlier_version_requests_a_run_again(data):
    path = data / "raw" / "layanan" / "2023" / "register_tw1.csv"
    original = path.read_bytes()
    first = settled(data)
    path.write_bytes(original + b"\n")
    second = settled(data, first.cursor)
    path.write_bytes(original)
    third = settled(data, second.cursor)
    assert years(third) == ["2023"]
    # Dagster starts no second run with a run key it has seen: every change has its own.
    keys = [
        next(r.run_key for r in result.run_requests if r.partition_key == "2023")
        for result in (first, second, third)
    ]
    assert len(set(keys)) == 3


def test_hidden_files_and_excel_lock_files_are_not_deliveries(data):
    cursor = settled(data).cursor
    folder = data / "raw" / "layanan" / "2023"
    (folder / "~$register_tw2.xlsx").write_bytes(b"lock")
    (folder / ".DS_Store").write_bytes(b"finder")
    (data / "reference" / "~$target_iku.csv").write_bytes(b"lock")
    for result in (tick(data, cursor), settled(data, cursor)):
        assert years(result) == [] and jobs(result) == []
        assert "Tidak ada berkas baru atau berubah" in skip_message(result)


def test_years_outside_the_partitions_and_unknown_folders_are_reported(data):
    cursor = settled(data).cursor
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
    cursor = settled(data).cursor
    (data / "raw" / "layanan" / "2019").mkdir()
    (data / "raw" / "layanan" / "2019" / "lama.csv").write_text("x\n")
    (data / "raw" / "layanan" / "2022" / "reg.csv").write_text("changed\n")
    result = settled(data, cursor)
    assert years(result) == ["2022"]
    # No skip reason beside a run request: the tick's log names the file instead.
    assert "layanan/2019/lama.csv" in capfd.readouterr().err


def test_a_coming_years_early_delivery_runs_when_its_year_begins(data):
    raw = data / "raw"
    early = raw / "konflik" / "2027"
    early.mkdir()
    (early / "konflik_2027.csv").write_text("no\n1\n")
    partitions_2026 = {str(y) for y in range(2021, 2027)}
    first = evaluate(raw, None, partitions_2026)
    before = evaluate(raw, first.cursor, partitions_2026)
    assert "2027" not in before.years
    assert any(
        "konflik/2027/konflik_2027.csv" in p for p in sum(before.scan.not_read.values(), [])
    )

    seen = evaluate(raw, before.cursor, partitions_2026 | {"2027"})
    assert "2027" not in seen.years
    after = evaluate(raw, seen.cursor, partitions_2026 | {"2027"})
    assert after.years == {"2027": ["konflik/2027/konflik_2027.csv"]}


def test_data_dir_comes_from_IKU_DATA_DIR_as_for_runs(data, monkeypatch):
    monkeypatch.setenv("IKU_DATA_DIR", str(data))
    repo = defs.get_repository_def()
    sensor = repo.get_sensor_def("iku_raw_extracts")
    assert sensor.minimum_interval_seconds == 60

    def settled(cursor):
        """Two ticks (the sensor waits for a change to settle): the second's result."""
        for _ in range(2):
            with (
                dg.DagsterInstance.ephemeral() as instance,
                dg.build_sensor_context(
                    cursor=cursor,
                    instance=instance,
                    repository_def=repo,
                    resources=repo.get_top_level_resources(),
                ) as context,
            ):
                data_out = sensor.evaluate_tick(context)
            cursor = data_out.cursor
        return data_out

    (data / "reference" / "target_iku.csv").write_text("kode,tahun,target\n1,2023,90\n")
    data_out = settled(None)
    # Resolved against the jobs as the daemon does it: each yearly request is a
    # partition run of iku_tahunan. (The presentation table is the baseline of a first
    # tick: the yearly runs rebuild every matrix anyway.)
    assert [(r.job_name, r.tags["dagster/partition"]) for r in data_out.run_requests] == [
        ("iku_tahunan", "2022"), ("iku_tahunan", "2023")
    ]
    assert {t.job_name for t in sensor.targets} == {"iku_tahunan", "iku_presentasi"}
    (data / "reference" / "target_iku.csv").write_text("kode,tahun,target\n1,2023,95\n")
    data_out = settled(data_out.cursor)
    assert [(r.job_name, r.partition_key) for r in data_out.run_requests] == [
        ("iku_presentasi", None)
    ]
