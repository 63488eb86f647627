"""End to end through Dagster: one year of the fixture extracts, published and checked
row by row (DATA_CONTRACT §4-§5), rerun, a failed file, a year with nothing delivered."""

import dagster as dg
import pandas as pd
import pytest
import sqlalchemy as sa

from iku_pipeline.definitions import defs
from iku_pipeline.publish.warehouse import make_engine
from iku_pipeline.resources import IkuPaths, Warehouse

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


def run_year(data_dir, url, tahun: str, raise_on_error=True):
    job = defs.resolve_job_def("iku_tahunan")
    with dg.DagsterInstance.ephemeral() as instance:
        return job.execute_in_process(
            partition_key=tahun,
            instance=instance,
            resources={
                "paths": IkuPaths(data_dir=str(data_dir), output_dir=str(data_dir / "published")),
                "warehouse": Warehouse(database_url=url),
            },
            raise_on_error=raise_on_error,
        )


def table(url, name, tahun=None) -> pd.DataFrame:
    engine = make_engine(url)
    query = f"SELECT * FROM {name}" + (f" WHERE tahun = {int(tahun)}" if tahun else "")
    with engine.connect() as conn:
        frame = pd.read_sql(sa.text(query), conn)
    engine.dispose()
    return frame


def test_year_published_row_by_row(data_dir, warehouse_url):
    result = run_year(data_dir, warehouse_url, "2023")
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


def test_every_rejected_row_recorded_and_rows_balance(data_dir, warehouse_url):
    run_year(data_dir, warehouse_url, "2023")
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


def test_year_with_nothing_delivered_has_null_rows(data_dir, warehouse_url):
    result = run_year(data_dir, warehouse_url, "2022")
    assert result.success
    got = table(warehouse_url, "realisasi_iku", 2022)
    assert len(got) == 40
    assert got[["pembilang", "penyebut", "nilai"]].isna().all().all()
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


def test_contract_command_with_defaults_writes_under_data(data_dir, tmp_path):
    """§7: only IKU_DATA_DIR set; the warehouse and files go to data/warehouse/ and
    data/published/ of the working directory."""
    import os
    import subprocess
    import sys

    cwd = tmp_path / "kerja"
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IKU_")}
    env.update(IKU_DATA_DIR=str(data_dir), DAGSTER_HOME=str(tmp_path / "dh"))
    (tmp_path / "dh").mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "dagster", "job", "execute", "-m", "iku_pipeline.definitions",
         "-j", "iku_tahunan", "--tags", '{"dagster/partition": "2023"}'],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    url = f"sqlite:///{cwd / 'data' / 'warehouse' / 'iku.sqlite'}"
    assert len(table(url, "realisasi_iku", 2023)) == 40
    assert (cwd / "data" / "published" / "matriks_iku_2023.xlsx").is_file()
