"""End to end through Dagster: one year of the fixture extracts, published and checked
row by row (DATA_CONTRACT §4-§5), rerun, a failed file, a year with nothing delivered."""

import pandas as pd
import pytest
import sqlalchemy as sa

from iku_pipeline.publish.warehouse import YEAR_TABLES, make_engine
from iku_pipeline_tests.common import cli_year, run_year
from iku_pipeline_tests.conftest import SHARED_YEAR

K = "Kecamatan Metro Utara"

# Worked out by hand from the rows listed in fixtures/make_fixtures.py:
# (kode, wilayah, pembilang, penyebut); nilai = 100 * pembilang / penyebut.
EXPECTED_2023 = [
    ("1", K, 7, 11), ("1", "Banjarsari", 2, 3), ("1", "Purwosari", 1, 3),
    ("1", "Purwoasri", 3, 3), ("1", "Karangrejo", 1, 2),
    ("1a", K, 3, 4), ("1a", "Banjarsari", 1, 1), ("1a", "Purwosari", 0, 1),
    ("1a", "Purwoasri", 1, 1), ("1a", "Karangrejo", 1, 1),
    ("1b", K, 1, 2), ("1b", "Banjarsari", 0, 1), ("1b", "Purwosari", 0, 0),
    ("1b", "Purwoasri", 1, 1), ("1b", "Karangrejo", 0, 0),
    ("1c", K, 1, 2), ("1c", "Banjarsari", 0, 0), ("1c", "Purwosari", 0, 1),
    ("1c", "Purwoasri", 1, 1), ("1c", "Karangrejo", 0, 0),
    ("1d", K, 2, 3), ("1d", "Banjarsari", 1, 1), ("1d", "Purwosari", 1, 1),
    ("1d", "Purwoasri", 0, 0), ("1d", "Karangrejo", 0, 1),
    ("2", K, 2, 5), ("2", "Banjarsari", 1, 2), ("2", "Purwosari", 0, 1),
    ("2", "Purwoasri", 1, 1), ("2", "Karangrejo", 0, 1),
    ("3", K, 3, 5), ("3", "Banjarsari", 1, 2), ("3", "Purwosari", 1, 1),
    ("3", "Purwoasri", 1, 1), ("3", "Karangrejo", 0, 1),
    ("4", K, 3, None), ("4", "Banjarsari", 2, None), ("4", "Purwosari", 1, None),
    ("4", "Purwoasri", 0, None), ("4", "Karangrejo", 0, None),
]  # fmt: skip

# realisasi_tambahan, by hand from the same rows: (kode, wilayah, pembilang, penyebut).
# 3_nominal, in rupiah: payments of tahun_pajak 2023 naming a wajib pajak, in full —
# Banjarsari NTPD-0001 150.000 + NTPD-0002 50.000 + NTPD-0011 25.000 (NTPD-0004 is
# arrears) of 150.000 + 100.000; Purwosari NTPD-0003 + NTPD-0007 of 200.000; Purwoasri
# NTPD-0008 of 250.000 (NTPD-0006 rejected); Karangrejo nothing accepted of 300.000.
# 3_tepat_waktu: the roll has no jatuh_tempo: 0 of 0 everywhere.
# 4_selesai: K-01 Selesai, K-03 empty (Banjarsari); K-02 Proses (Purwosari).
EXPECTED_TAMBAHAN_2023 = [
    ("3_nominal", K, 675_000, 1_000_000), ("3_nominal", "Banjarsari", 225_000, 250_000),
    ("3_nominal", "Purwosari", 200_000, 200_000), ("3_nominal", "Purwoasri", 250_000, 250_000),
    ("3_nominal", "Karangrejo", 0, 300_000),
    *[("3_tepat_waktu", w, 0, 0) for w in (K, "Banjarsari", "Purwosari", "Purwoasri",
                                             "Karangrejo")],
    ("4_selesai", K, 1, 3), ("4_selesai", "Banjarsari", 1, 2), ("4_selesai", "Purwosari", 0, 1),
    ("4_selesai", "Purwoasri", 0, 0), ("4_selesai", "Karangrejo", 0, 0),
]  # fmt: skip

# (sumber, berkas, baris, kolom) of every rejected row of the fixtures.
EXPECTED_REJECTED_2023 = {
    ("layanan", "register_tw1.csv", 8, "tanggal_masuk"),
    ("layanan", "register_tw1.csv", 14, "tanggal_masuk"),
    ("layanan", "register_tw1.csv", 15, "kelurahan"),
    ("layanan", "register_tw1.csv", 16, "status"),
    ("layanan", "register_tw1.csv", 17, "tanggal_selesai"),
    ("layanan", "register_tw1.csv", 18, "tanggal_masuk"),
    ("layanan", "register_tw1.csv", 20, ""),  # after a field spanning two lines: row 20
    ("layanan", "register_tw2.xlsx", 9, ""),
    ("layanan", "register_tw2.xlsx", 12, "tanggal_masuk"),
    ("musrenbang_usulan", "usulan_2023.csv", 7, "uraian_usulan"),
    ("musrenbang_usulan", "usulan_2023.csv", 8, "kelurahan"),
    ("musrenbang_usulan", "usulan_2023.csv", 9, ""),
    ("musrenbang_usulan", "usulan_2023.csv", 10, "tanggal_usulan"),
    ("musrenbang_ba", "ba_musrenbang_2023.csv", 5, "prioritas"),
    ("musrenbang_ba", "ba_musrenbang_2023.csv", 6, "id_usulan"),
    ("musrenbang_ba", "ba_musrenbang_2023.csv", 7, "id_usulan"),
    ("musrenbang_ba", "ba_musrenbang_2023.csv", 8, ""),
    ("musrenbang_ba", "ba_musrenbang_2023.csv", 9, "prioritas"),
    ("pbb_dhkp", "DHKP_2023.xlsx", 12, "nop"),
    ("pbb_dhkp", "DHKP_2023.xlsx", 13, ""),
    ("pbb_dhkp", "DHKP_2023.xlsx", 14, "pbb_terhutang"),
    ("pbb_pembayaran", "bayar_2023_s1.csv", 6, "nop"),
    ("pbb_pembayaran", "bayar_2023_s1.csv", 7, "jumlah_bayar"),
    ("pbb_pembayaran", "bayar_2023_s2.csv", 5, ""),
    ("pbb_pembayaran", "bayar_2023_s2.csv", 6, "tanggal_bayar"),
    ("pbb_pembayaran", "bayar_2023_s2.csv", 7, "jumlah_bayar"),
    ("konflik", "konflik_2023.xlsx", 5, "jenis_konflik"),
    ("konflik", "konflik_2023.xlsx", 6, "hasil"),
}


def table(url, name, tahun=None) -> pd.DataFrame:
    engine = make_engine(url)
    query = f"SELECT * FROM {name}" + (f" WHERE tahun = {int(tahun)}" if tahun else "")
    with engine.connect() as conn:
        frame = pd.read_sql(sa.text(query), conn)
    engine.dispose()
    return frame


@pytest.mark.xdist_group(SHARED_YEAR)
def test_year_published_row_by_row(published):
    result, warehouse_url = published.result, published.url
    assert result.success

    got = table(warehouse_url, "realisasi_iku", 2023).set_index(["kode", "wilayah"])
    assert len(got) == len(EXPECTED_2023) == 40
    for kode, wilayah, pembilang, penyebut in EXPECTED_2023:
        row = got.loc[(kode, wilayah)]
        assert row["tahun"] == 2023
        assert row["pembilang"] == pembilang, (kode, wilayah)
        if kode == "4":
            assert pd.isna(row["penyebut"])
            assert row["nilai"] == pembilang
            assert row["satuan"] == "kegiatan"
            continue
        assert row["penyebut"] == penyebut, (kode, wilayah)
        assert row["satuan"] == "%"
        if penyebut == 0:
            assert pd.isna(row["nilai"]), (kode, wilayah)
        else:
            assert row["nilai"] == pytest.approx(100 * pembilang / penyebut, rel=1e-12)
    assert set(got["run_id"]) == {result.run_id}


def assert_rows(got: pd.DataFrame, expected, tahun: int) -> None:
    """``got`` (kode, wilayah)-indexed holds exactly ``expected`` (kode, wilayah,
    pembilang, penyebut), in %, nilai = 100 p / q (null for q = 0)."""
    assert len(got) == len(expected)
    for kode, wilayah, pembilang, penyebut in expected:
        row = got.loc[(kode, wilayah)]
        assert row["tahun"] == tahun
        assert (row["pembilang"], row["penyebut"]) == (pembilang, penyebut), (kode, wilayah)
        assert row["satuan"] == "%"
        if penyebut == 0:
            assert pd.isna(row["nilai"]), (kode, wilayah)
        else:
            assert row["nilai"] == pytest.approx(100 * pembilang / penyebut, rel=1e-12)


@pytest.mark.xdist_group(SHARED_YEAR)
def test_supplementary_figures_published_as_one_long_table(published):
    result, warehouse_url = published.result, published.url
    got = table(warehouse_url, "realisasi_tambahan", 2023)
    assert list(got.columns) == [
        "tahun", "kode", "wilayah", "pembilang", "penyebut", "nilai", "satuan", "run_id",
        "dipublikasikan",
    ]  # fmt: skip
    assert not got.duplicated(["kode", "wilayah"]).any()
    assert_rows(got.set_index(["kode", "wilayah"]), EXPECTED_TAMBAHAN_2023, 2023)
    assert set(got["run_id"]) == {result.run_id}
    assert got["dipublikasikan"].notna().all()
    # A rerun replaces these rows, never adds to them: test_rerun_replaces_the_year_….


def add_jatuh_tempo(data_dir) -> None:
    """The fixture roll with a due date column: real Excel dates, a text date and an
    empty cell, as a tax unit's export has them."""
    import datetime as dt

    import openpyxl

    path = data_dir / "raw" / "pbb_dhkp" / "2023" / "DHKP_2023.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws.cell(5, 7, "Tgl Jatuh Tempo")
    due = {
        6: dt.datetime(2023, 8, 31),  # 001.001-0001: paid 150.000 of 150.000 on 15/03
        7: "31/08/2023",  # 001.001-0002: 50.000 + 25.000 of 100.000 by then
        8: dt.datetime(2023, 7, 31),  # 002.001-0001: 100.000 by then, the rest 01/08
        9: None,  # 003.001-0001: no due date (paid in full)
        10: dt.datetime(2023, 8, 31),  # exempt
        11: dt.datetime(2023, 8, 31),  # 004.001-0002: nothing accepted
    }
    for row, value in due.items():
        if value is not None:
            ws.cell(row, 7, value).number_format = "dd/mm/yyyy"
    wb.save(path)


def test_tepat_waktu_from_a_roll_with_due_dates(data_dir, warehouse_url):
    add_jatuh_tempo(data_dir)
    run_year(data_dir, warehouse_url, "2023")
    got = table(warehouse_url, "realisasi_tambahan", 2023).set_index(["kode", "wilayah"])
    expected = [
        ("3_tepat_waktu", K, 1, 4), ("3_tepat_waktu", "Banjarsari", 1, 2),
        ("3_tepat_waktu", "Purwosari", 0, 1),
        ("3_tepat_waktu", "Purwoasri", 0, 0),  # its only wajib pajak has no due date
        ("3_tepat_waktu", "Karangrejo", 0, 1),
    ]  # fmt: skip
    assert_rows(got.loc[["3_tepat_waktu"]], expected, 2023)
    # the due dates change neither IKU 3 nor the nominal figure
    nominal = [r for r in EXPECTED_TAMBAHAN_2023 if r[0] == "3_nominal"]
    assert_rows(got.loc[["3_nominal"]], nominal, 2023)
    realisasi = table(warehouse_url, "realisasi_iku", 2023).set_index(["kode", "wilayah"])
    assert realisasi.loc[("3", K), "pembilang"] == 3
    assert len(table(warehouse_url, "baris_ditolak", 2023)) == len(EXPECTED_REJECTED_2023)


@pytest.mark.xdist_group(SHARED_YEAR)
def test_every_rejected_row_recorded_and_rows_balance(published):
    warehouse_url = published.url
    rejected = table(warehouse_url, "baris_ditolak", 2023)
    assert set(
        rejected[["sumber", "berkas", "baris", "kolom"]].itertuples(index=False, name=None)
    ) == EXPECTED_REJECTED_2023
    assert len(rejected) == len(EXPECTED_REJECTED_2023)
    assert rejected["alasan"].str.len().gt(10).all()

    log = table(warehouse_url, "riwayat_publikasi", 2023)
    assert (log["dibaca"] == log["diterima"] + log["ditolak"]).all()
    per_file = rejected.groupby("berkas").size()
    for row in log.itertuples():
        assert per_file.get(row.berkas, 0) == row.ditolak
        assert len(row.sha256) == 64


def test_rerun_replaces_the_year_and_leaves_other_years(data_dir, warehouse_url):
    (data_dir / "raw" / "layanan" / "2022").mkdir(parents=True)  # 2022: nothing delivered
    run_year(data_dir, warehouse_url, "2022")
    first = run_year(data_dir, warehouse_url, "2023")
    before_2022 = table(warehouse_url, "realisasi_iku", 2022)
    cols = ["tahun", "kode", "wilayah", "pembilang", "penyebut", "nilai", "satuan"]
    realisasi_1 = table(warehouse_url, "realisasi_iku", 2023)[cols]
    rejected_1 = table(warehouse_url, "baris_ditolak", 2023).drop(
        columns=["run_id", "dipublikasikan"]
    )

    second = run_year(data_dir, warehouse_url, "2023")
    realisasi_2 = table(warehouse_url, "realisasi_iku", 2023)
    rejected_2 = table(warehouse_url, "baris_ditolak", 2023)
    assert second.run_id != first.run_id
    assert set(realisasi_2["run_id"]) == {second.run_id}
    pd.testing.assert_frame_equal(
        realisasi_1.sort_values(["kode", "wilayah"]).reset_index(drop=True),
        realisasi_2[cols].sort_values(["kode", "wilayah"]).reset_index(drop=True),
    )
    key = ["sumber", "berkas", "baris"]
    pd.testing.assert_frame_equal(
        rejected_1.sort_values(key).reset_index(drop=True),
        rejected_2.drop(columns=["run_id", "dipublikasikan"]).sort_values(key).reset_index(
            drop=True
        ),
    )
    pd.testing.assert_frame_equal(before_2022, table(warehouse_url, "realisasi_iku", 2022))
    # realisasi_tambahan too: the rerun's rows replace the year's, never add to them.
    tambahan = table(warehouse_url, "realisasi_tambahan", 2023)
    assert len(tambahan) == len(EXPECTED_TAMBAHAN_2023)
    assert set(tambahan["run_id"]) == {second.run_id}

    # The year before republished, now with a register: every table's 2023 rows stay as
    # they were, matriks_iku's comparison with the previous year and 2023's publication
    # status included (§5).
    before_2023 = {name: table(warehouse_url, name, 2023)
                   for name in [*YEAR_TABLES, "status_publikasi"]}  # fmt: skip
    (data_dir / "raw" / "layanan" / "2022" / "register.csv").write_text(
        "No Register;Tanggal Masuk;Jenis Layanan;Kelurahan;Status\n"
        "R-1;10/01/2022;KK;Banjarsari;Selesai\n"
    )
    assert run_year(data_dir, warehouse_url, "2022").success
    assert table(warehouse_url, "realisasi_iku", 2022).set_index(["kode", "wilayah"]).at[
        ("1", "Kecamatan Metro Utara"), "nilai"] == 100.0  # fmt: skip
    for name, rows in before_2023.items():
        pd.testing.assert_frame_equal(table(warehouse_url, name, 2023), rows, obj=name)


def test_year_with_nothing_delivered_has_null_rows(data_dir, warehouse_url):
    result = run_year(data_dir, warehouse_url, "2022")
    assert result.success
    got = table(warehouse_url, "realisasi_iku", 2022)
    assert len(got) == 40
    assert got[["pembilang", "penyebut", "nilai"]].isna().all().all()
    tambahan = table(warehouse_url, "realisasi_tambahan", 2022)
    assert len(tambahan) == 3 * 5
    assert tambahan[["pembilang", "penyebut", "nilai"]].isna().all().all()
    assert set(tambahan["satuan"]) == {"%"}
    laporan = result.output_for_node("indikator", "laporan")[2022]
    assert sorted(laporan["belum_diserahkan"]) == sorted(
        ["layanan", "musrenbang_usulan", "musrenbang_ba", "pbb_dhkp", "pbb_pembayaran", "konflik"]
    )


def test_failed_files_fail_the_year_and_keep_its_previous_publication(data_dir, warehouse_url):
    first = run_year(data_dir, warehouse_url, "2023")
    published = table(warehouse_url, "realisasi_iku", 2023)

    (data_dir / "raw/layanan/2023/register_tw3.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    (data_dir / "raw/konflik/2023/konflik_susulan.csv").write_text(
        "Daftar kegiatan\nNo;Tanggal;Uraian\nK-9;01/09/2023;Mediasi\n", encoding="utf-8"
    )
    result = run_year(data_dir, warehouse_url, "2023", raise_on_error=False)
    assert not result.success
    failures = {
        e.step_key: e.event_specific_data.error.message
        for e in result.all_events
        if e.event_type_value == "STEP_FAILURE"
    }
    # Every unreadable file of every source is named at once, with its cause.
    message = failures["indikator"]
    assert "register_tw3.xlsx" in message
    assert "konflik_susulan.csv" in message
    assert "jenis_konflik" in message  # the required column its header lacks
    assert "warehouse_tables" not in failures  # not attempted: nothing was published
    after = table(warehouse_url, "realisasi_iku", 2023)
    pd.testing.assert_frame_equal(published, after)
    assert set(after["run_id"]) == {first.run_id}


def test_a_missing_data_folder_fails_the_year_and_keeps_its_publication(
    data_dir, warehouse_url, tmp_path
):
    """IKU_DATA_DIR mistyped, or the share not mounted: not "nothing delivered", which
    would replace the year's figures with empty ones, but a failure naming the folder."""
    first = run_year(data_dir, warehouse_url, "2023")
    published = table(warehouse_url, "realisasi_iku", 2023)
    missing = tmp_path / "data-tidak-terpasang"
    result = run_year(missing, warehouse_url, "2023", raise_on_error=False)
    assert not result.success
    messages = [e.event_specific_data.error.message for e in result.all_events
                if e.event_type_value == "STEP_FAILURE"]  # fmt: skip
    assert messages and all(str(missing) in m and "IKU_DATA_DIR" in m for m in messages)
    after = table(warehouse_url, "realisasi_iku", 2023)
    pd.testing.assert_frame_equal(published, after)
    assert set(after["run_id"]) == {first.run_id}


@pytest.mark.slow
def test_contract_command_with_defaults_writes_under_data(data_dir, tmp_path):
    """§7: only IKU_DATA_DIR set; the warehouse and files go to data/warehouse/ and
    data/published/ of the working directory."""
    import os

    cwd = tmp_path / "kerja"
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IKU_")}
    env.update(IKU_DATA_DIR=str(data_dir), DAGSTER_HOME=str(tmp_path / "dh"))
    (tmp_path / "dh").mkdir()
    run = cli_year("2023", env, cwd=cwd)
    assert run.returncode == 0, run.stderr[-2000:]
    url = f"sqlite:///{cwd / 'data' / 'warehouse' / 'iku.sqlite'}"
    assert len(table(url, "realisasi_iku", 2023)) == 40
    assert (cwd / "data" / "published" / "matriks_iku_2023.xlsx").is_file()


@pytest.mark.slow
def test_the_demo_commands_run_a_range_as_one_run_and_print_it(data_dir, tmp_path):
    """What `make demo` runs, from a shell: `dagster asset materialize --select '*'
    --partition-range` (every asset a single-run backfill: one run for the years), then
    the summary of the published values."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("IKU_")}
    env.update(IKU_DATA_DIR=str(data_dir), IKU_OUTPUT_DIR=str(tmp_path / "published"),
               IKU_DATABASE_URL=f"sqlite:///{tmp_path / 'iku.sqlite'}",
               DAGSTER_HOME=str(tmp_path / "dh"))  # fmt: skip
    (tmp_path / "dh").mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "dagster", "asset", "materialize", "-m",
         "iku_pipeline.definitions", "--select", "*", "--partition-range", "2022...2023"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    url = env["IKU_DATABASE_URL"]
    published = table(url, "realisasi_iku")
    assert published.groupby("tahun").size().to_dict() == {2022: 40, 2023: 40}
    assert published["run_id"].nunique() == 1  # both years in one run
    assert (tmp_path / "published" / "matriks_iku_2021-2025.xlsx").is_file()

    summary = subprocess.run(
        [sys.executable, "-m", "iku_pipeline.summary"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert summary.returncode == 0, summary.stderr[-2000:]
    assert f"Realisasi IKU {K}" in summary.stdout
    row_1 = next(line for line in summary.stdout.splitlines() if line.startswith("1 "))
    assert f"{700 / 11:,.2f}" in row_1 and "belum tersedia" in row_1  # 2023; 2022 none


def test_an_older_warehouse_is_upgraded_and_a_rerun_publishes(data_dir, warehouse_url):
    """A warehouse written before realisasi_tambahan became the long table (IKU 4's
    share as columns; matriks_iku.kode four characters wide): publishing a year upgrades
    it in place, keeps the old years' shares as 4_selesai rows, and publishes."""
    import datetime as dt

    from iku_pipeline.publish import warehouse

    old = sa.MetaData()
    sa.Table(
        "realisasi_tambahan", old,
        sa.Column("tahun", sa.Integer, nullable=False),
        sa.Column("wilayah", sa.String(64), nullable=False),
        sa.Column("kegiatan", sa.BigInteger),
        sa.Column("kegiatan_selesai", sa.BigInteger),
        sa.Column("persen_selesai", sa.Float(precision=53)),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("dipublikasikan", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tahun", "wilayah", name="uq_realisasi_tambahan"),
    )  # fmt: skip
    matriks = warehouse.matriks_iku.to_metadata(old)
    matriks.c.kode.type = sa.String(4)
    for name in ("realisasi_iku", "baris_ditolak", "riwayat_publikasi"):
        warehouse.YEAR_TABLES[name].to_metadata(old)
    when = dt.datetime(2024, 1, 5, 1, 0, tzinfo=dt.timezone.utc)
    engine = make_engine(warehouse_url)
    old.create_all(engine)
    shares = [  # (tahun, wilayah, kegiatan, selesai, persen)
        (2021, K, 4, 1, 25.0), (2021, "Banjarsari", 0, 0, None), (2021, "Purwosari", 4, 1, 25.0),
        (2022, K, None, None, None), (2023, K, 9, 9, 100.0),
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(
            old.tables["realisasi_tambahan"].insert(),
            [dict(tahun=t, wilayah=w, kegiatan=n, kegiatan_selesai=s, persen_selesai=p,
                  run_id="run-lama", dipublikasikan=when) for t, w, n, s, p in shares],
        )  # fmt: skip
    engine.dispose()

    result = run_year(data_dir, warehouse_url, "2023")
    assert result.success

    got = table(warehouse_url, "realisasi_tambahan")
    assert list(got.columns) == [c.name for c in warehouse.realisasi_tambahan.columns]
    kept = got[got["tahun"] < 2023].sort_values(["tahun", "wilayah"])
    assert list(
        kept[["tahun", "kode", "wilayah", "pembilang", "penyebut", "satuan", "run_id"]]
        .astype(object).where(kept.notna(), None).itertuples(index=False, name=None)
    ) == [
        (2021, "4_selesai", "Banjarsari", 0, 0, "%", "run-lama"),
        (2021, "4_selesai", K, 1, 4, "%", "run-lama"),
        (2021, "4_selesai", "Purwosari", 1, 4, "%", "run-lama"),
        (2022, "4_selesai", K, None, None, "%", "run-lama"),
    ]  # fmt: skip
    assert kept["nilai"].tolist()[1:3] == [25.0, 25.0] and kept["nilai"].isna().sum() == 2
    assert pd.to_datetime(kept["dipublikasikan"], utc=True).eq(when).all()
    this_year = got[got["tahun"] == 2023].set_index(["kode", "wilayah"])
    assert_rows(this_year, EXPECTED_TAMBAHAN_2023, 2023)  # the old 2023 row replaced
    kodes = set(table(warehouse_url, "matriks_iku", 2023)["kode"])
    assert {"3_nominal", "3_tepat_waktu", "4_selesai"} <= kodes  # wider than 4 characters

    # Upgrading again is a no-op; the next run publishes as usual.
    engine = make_engine(warehouse_url)
    warehouse.ensure_tables(engine)
    if engine.dialect.name == "postgresql":
        columns = {c["name"]: c["type"] for c in sa.inspect(engine).get_columns("matriks_iku")}
        assert columns["kode"].length == 16
    engine.dispose()
    assert run_year(data_dir, warehouse_url, "2023").success
    assert len(table(warehouse_url, "realisasi_tambahan")) == len(EXPECTED_TAMBAHAN_2023) + 4
