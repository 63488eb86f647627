"""What the office reads about each year (docs/data-contract.md §5.8), the matrices
again after a presentation table changed (§5.4, §7), and the office's clock across the
turn of the year (§5, §7)."""

import datetime as dt
import os
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from iku_pipeline.definitions import defs
from iku_pipeline.partitions import tahun_partitions
from iku_pipeline.publish import clock, status
from iku_pipeline.publish.warehouse import make_engine, replace_year
from iku_pipeline.resources import IkuPaths
from iku_pipeline.schedules import years_to_run
from iku_pipeline_tests.common import cli_year, run_year

JAKARTA = clock.JAKARTA
PERIODE = "matriks_iku_2021-2025.xlsx"


def run_job(data_dir: Path, url: str, job: str = "iku_tahunan", tahun: str | None = "2023"):
    return run_year(data_dir, url, tahun, raise_on_error=False, job=job)


def status_row(url: str, tahun: int) -> dict:
    engine = make_engine(url)
    try:
        frame = status.read_status(engine)
    finally:
        engine.dispose()
    rows = frame[frame["tahun"].astype(int) == tahun].to_dict("records")
    return rows[0] if rows else {}


def table(url: str, name: str, tahun: int) -> pd.DataFrame:
    engine = make_engine(url)
    with engine.connect() as conn:
        frame = pd.read_sql(sa.text(f"SELECT * FROM {name} WHERE tahun = {int(tahun)}"), conn)
    engine.dispose()
    return frame


def status_block(path: Path) -> list[str]:
    """The lines of the status block on top of the five-year workbook's first sheet."""
    ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    cells = [str(c) for row in ws.iter_rows(max_row=40, values_only=True) for c in row if c]
    start = next(i for i, c in enumerate(cells) if c.startswith("STATUS PUBLIKASI"))
    return [c for c in cells[start + 1 :] if c.startswith("Tahun ")]


def test_a_failed_run_then_a_success_as_the_office_reads_them(data_dir, warehouse_url):
    ok = run_job(data_dir, warehouse_url)
    assert ok.success
    row = status_row(warehouse_url, 2023)
    assert row["run_sukses"] == ok.run_id and row["run_gagal"] is None
    assert not row["ada_berkas_baru"]  # the folder holds what was published
    when = clock.tanggal(clock.now())
    lines = status_block(data_dir / "published" / PERIODE)
    assert f"Tahun 2023: publikasi terakhir {when}" in lines
    assert "Tahun 2021: belum pernah dipublikasikan" in lines

    # A section re-delivers an unreadable workbook: the year fails, naming it.
    bad = data_dir / "raw/konflik/2023/konflik_2023.xlsx"
    good = bad.read_bytes()
    bad.write_bytes(b"PK\x03\x04 bukan buku kerja")
    failed = run_job(data_dir, warehouse_url)
    assert not failed.success
    row = status_row(warehouse_url, 2023)
    assert row["run_gagal"] == failed.run_id
    assert row["run_sukses"] == ok.run_id  # the last good publication is still named
    assert "konflik_2023.xlsx" in row["pesan_gagal"]
    assert "publikasi sebelumnya tetap" in row["pesan_gagal"]
    assert clock.as_jakarta(row["waktu_gagal"]) >= clock.as_jakarta(row["waktu_sukses"])
    assert row["ada_berkas_baru"]  # the folder differs from what was published
    line = status.status_line(2023, row)
    assert line.startswith(f"Tahun 2023: gagal {when}: Tidak ada yang dipublikasikan")
    assert f"publikasi terakhir {when} tetap berlaku" in line
    assert line.endswith("ada berkas baru yang belum diproses")

    bad.write_bytes(good)
    again = run_job(data_dir, warehouse_url)
    assert again.success
    row = status_row(warehouse_url, 2023)
    assert row["run_sukses"] == again.run_id and row["run_gagal"] == failed.run_id
    assert not row["ada_berkas_baru"]
    assert f"Tahun 2023: publikasi terakhir {when}" in status_block(data_dir / "published" / PERIODE)


def test_new_files_in_the_folder_show_on_the_workbook_of_another_year(data_dir, tmp_path):
    url = f"sqlite:///{tmp_path / 'iku.sqlite'}"
    assert run_job(data_dir, url).success
    extra = data_dir / "raw/konflik/2023/konflik_susulan.csv"
    extra.write_text("No;Tanggal;Kelurahan;Jenis\nK-9;01/09/2023;Banjarsari;Sengketa\n")
    shutil.copytree(data_dir / "raw/konflik/2023", data_dir / "raw/konflik/2022")
    assert run_job(data_dir, url, tahun="2022").success  # writes the five-year workbook
    lines = status_block(data_dir / "published" / PERIODE)
    assert [ln for ln in lines if ln.startswith("Tahun 2023")] == [
        f"Tahun 2023: publikasi terakhir {clock.tanggal(clock.now())}; "
        "ada berkas baru yang belum diproses"
    ]
    assert status_row(url, 2022)["ada_berkas_baru"] is False or not status_row(url, 2022)[
        "ada_berkas_baru"
    ]


def test_a_year_published_before_the_status_table_existed_is_not_unpublished(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'iku.sqlite'}")
    try:
        log = pd.DataFrame({"sumber": ["konflik"], "berkas": ["k.csv"], "ukuran": [3],
                            "sha256": ["0" * 64], "dibaca": [1], "diterima": [1],
                            "ditolak": [0]})  # fmt: skip
        replace_year(engine, 2022, {"riwayat_publikasi": log}, "run-lama")
        with engine.begin() as conn:  # as an earlier version left it: no status table
            conn.exec_driver_sql("DROP TABLE IF EXISTS status_publikasi")
        raw = tmp_path / "raw"
        (raw / "konflik" / "2022").mkdir(parents=True)
        (raw / "konflik" / "2022" / "k.csv").write_text("abc")
        status.refresh_new_files(engine, raw, [2021, 2022])
        frame = status.read_status(engine)
    finally:
        engine.dispose()
    [row] = frame.to_dict("records")
    assert (row["tahun"], row["run_sukses"]) == (2022, "run-lama")
    assert row["ada_berkas_baru"]  # another content than the published sha256
    assert status.status_lines(frame, [2021, 2022]) == [
        "Tahun 2021: belum pernah dipublikasikan",
        f"Tahun 2022: publikasi terakhir {clock.tanggal(row['waktu_sukses'])}; "
        "ada berkas baru yang belum diproses",
    ]


def test_a_failure_from_the_cli_without_a_daemon_is_recorded(data_dir, tmp_path):
    """§7: ``dagster job execute`` in a shell: the job's hook writes the status."""
    (data_dir / "raw/layanan/2023/register_tw3.xlsx").write_bytes(b"PK\x03\x04 rusak")
    url = f"sqlite:///{tmp_path / 'iku.sqlite'}"
    home = tmp_path / "dh"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IKU_")}
    env.update(IKU_DATA_DIR=str(data_dir), IKU_DATABASE_URL=url, DAGSTER_HOME=str(home),
               IKU_OUTPUT_DIR=str(tmp_path / "out"))  # fmt: skip
    run = cli_year("2023", env)
    assert run.returncode != 0
    row = status_row(url, 2023)
    assert row["run_gagal"] and "register_tw3.xlsx" in row["pesan_gagal"]
    assert row["run_sukses"] is None


def test_a_failure_outside_the_jobs_is_recorded_too(data_dir, tmp_path):
    """Materialising the assets from the UI runs Dagster's own asset job, without the
    jobs' hooks: the steps that fail by design carry the hook themselves."""
    (data_dir / "raw/konflik/2023/konflik_2023.xlsx").write_bytes(b"bukan buku kerja")
    url = f"sqlite:///{tmp_path / 'iku.sqlite'}"
    job = defs.resolve_implicit_global_asset_job_def()
    assert not job.hook_defs  # no job-level hook here
    result = run_year(
        data_dir, url, "2023", raise_on_error=False, job=job.name,
        paths=IkuPaths(data_dir=str(data_dir), output_dir=str(tmp_path / "out")),
    )  # fmt: skip
    assert not result.success
    row = status_row(url, 2023)
    assert row["run_gagal"] == result.run_id and "konflik_2023.xlsx" in row["pesan_gagal"]


# ---------------------------------------------------------------- iku_presentasi


def test_a_target_change_rebuilds_the_matrices_without_reading_an_extract(
    data_dir, warehouse_url
):
    # 2022: the same files, every row outside the year: IKU 4 counts 0 activities.
    for folder in (data_dir / "raw").iterdir():
        shutil.copytree(folder / "2023", folder / "2022")
    assert run_job(data_dir, warehouse_url, tahun="2022").success
    first = run_job(data_dir, warehouse_url)
    assert first.success
    before = {n: table(warehouse_url, n, 2023) for n in ("realisasi_iku", "riwayat_publikasi")}
    matriks = table(warehouse_url, "matriks_iku", 2023).set_index("kode")
    assert matriks["target"].isna().all()
    assert matriks.loc["4", "perubahan_tahun_lalu"] == 3  # 3 activities against 0
    xlsx = data_dir / "published" / "matriks_iku_2023.xlsx"
    old_bytes = xlsx.read_bytes()

    (data_dir / "reference/target_iku.csv").write_text("kode,tahun,target\n1,2023,80\n3,2023,50\n")
    (data_dir / "reference/predikat.csv").write_text("batas_bawah,predikat\n100,Tercapai\n,Belum\n")
    shutil.rmtree(data_dir / "raw")  # no extract can be read
    result = run_job(data_dir, warehouse_url, job="iku_presentasi", tahun=None)
    assert result.success

    matriks = table(warehouse_url, "matriks_iku", 2023).set_index("kode")
    assert matriks.loc["1", "target"] == 80 and matriks.loc["3", "target"] == 50
    assert round(matriks.loc["1", "capaian"], 4) == round(100 * (7 / 11 * 100) / 80, 4)
    assert matriks.loc["1", "predikat"] == "Belum"  # 79.55 % of the target
    assert matriks.loc["3", "predikat"] == "Tercapai"  # 60 % against 50: 120 %
    assert set(matriks["run_id"]) == {first.run_id}  # still leads to riwayat_publikasi
    assert matriks.loc["4", "perubahan_tahun_lalu"] == 3  # the LKjIP comparison kept
    for name, frame in before.items():  # the figures and their files untouched
        pd.testing.assert_frame_equal(frame, table(warehouse_url, name, 2023))
    assert xlsx.read_bytes() != old_bytes
    sheet = openpyxl.load_workbook(xlsx, read_only=True).worksheets[0]
    assert "Tercapai" in {c for row in sheet.iter_rows(values_only=True) for c in row}
    assert status_row(warehouse_url, 2023)["run_sukses"] == result.run_id
    assert status_row(warehouse_url, 2022)["run_sukses"] == result.run_id
    materialized = {
        (e.asset_key.to_user_string(), e.partition)
        for e in result.get_asset_materialization_events()
        for e in [e.event_specific_data.materialization]
    }
    assert ("publikasi/matriks_iku", "2023") in materialized


def test_a_bad_target_file_changes_no_year_and_is_recorded(data_dir, tmp_path):
    url = f"sqlite:///{tmp_path / 'iku.sqlite'}"
    assert run_job(data_dir, url).success
    before = table(url, "matriks_iku", 2023)
    (data_dir / "reference/target_iku.csv").write_text("kode,tahun,target\n1,2023,sembilan\n")
    result = run_job(data_dir, url, job="iku_presentasi", tahun=None)
    assert not result.success
    pd.testing.assert_frame_equal(before, table(url, "matriks_iku", 2023))
    row = status_row(url, 2023)
    assert row["run_gagal"] == result.run_id and "target_iku.csv" in row["pesan_gagal"]


def test_iku_presentasi_with_nothing_published_does_nothing(data_dir, tmp_path):
    result = run_job(data_dir, f"sqlite:///{tmp_path / 'iku.sqlite'}", "iku_presentasi", None)
    assert result.success
    assert not (data_dir / "published").exists()


# ---------------------------------------------------------------- the office's clock

# 00:30 on 1 January 2026 in Jakarta; in UTC still 31 December 2025.
NEW_YEAR = dt.datetime(2025, 12, 31, 17, 30, tzinfo=dt.timezone.utc)


def test_half_past_midnight_on_new_years_day_is_the_new_year(warehouse_url, monkeypatch):
    assert tahun_partitions.get_partition_keys(current_time=NEW_YEAR)[-1] == "2026"
    assert years_to_run(NEW_YEAR) == ["2026", "2025"]

    monkeypatch.setattr(clock, "now", lambda: NEW_YEAR.astimezone(JAKARTA))
    engine = make_engine(warehouse_url)
    try:
        frame = pd.DataFrame(
            {"kode": ["4"], "wilayah": ["Kecamatan Metro Utara"], "pembilang": [1],
             "penyebut": [None], "nilai": [1.0], "satuan": ["kegiatan"]}
        )  # fmt: skip
        replace_year(engine, 2026, {"realisasi_iku": frame}, "malam-tahun-baru")
        status.record_success(engine, [2026], "malam-tahun-baru")
        with engine.connect() as conn:
            published = conn.execute(
                sa.text("SELECT dipublikasikan FROM realisasi_iku WHERE tahun = 2026")
            ).scalar_one()
        row = status.read_status(engine).set_index("tahun").loc[2026]
    finally:
        engine.dispose()
    for value in (published, row["waktu_sukses"]):
        local = clock.as_jakarta(value)
        assert (local.year, local.month, local.day, local.hour, local.minute) == (2026, 1, 1, 0, 30)
    assert status.status_line(2026, row.to_dict() | {"tahun": 2026}) == (
        "Tahun 2026: publikasi terakhir 1 Januari 2026"
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (dt.datetime(2027, 3, 12, 1, 5), "12 Maret 2027 pukul 01.05 WIB"),  # SQLite: as written
        (dt.datetime(2027, 3, 11, 18, 5, tzinfo=dt.timezone.utc), "12 Maret 2027 pukul 01.05 WIB"),
        (pd.Timestamp("2027-08-17 09:00", tz="UTC"), "17 Agustus 2027 pukul 16.00 WIB"),
        ("2027-12-31 23:59:00", "31 Desember 2027 pukul 23.59 WIB"),
    ],
)
def test_times_read_back_are_shown_in_jakarta(value, shown):
    assert clock.tanggal_jam(value) == shown
