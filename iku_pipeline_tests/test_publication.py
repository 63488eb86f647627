"""The matrix as published: matriks_iku, the files a person opens, and traceability
from every published number back to the checksums of the files it came from."""

import hashlib

import openpyxl
import pandas as pd
import pytest

from iku_pipeline.indicators.declarations import INDIKATOR_BY_KODE, TAMBAHAN_BY_KODE, URUTAN
from iku_pipeline_tests.common import run_year
from iku_pipeline_tests.conftest import SHARED_YEAR
from iku_pipeline_tests.test_pipeline import table


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"


def set_target(data_dir, kode: str, tahun: int, target: float) -> None:
    path = data_dir / "reference" / "target_iku.csv"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else ["kode,tahun,target"]
    lines = [ln for ln in lines if not ln.startswith(f"{kode},{tahun},")]
    path.write_text("\n".join([*lines, f"{kode},{tahun},{target}"]) + "\n", encoding="utf-8")


def test_matriks_carries_the_signed_text_target_and_capaian(data_dir, url):
    set_target(data_dir, "1", 2023, 80)
    set_target(data_dir, "3", 2023, 0)
    run_year(data_dir, url, "2023")
    matriks = table(url, "matriks_iku", 2023).set_index("kode")
    assert list(matriks.index) == [
        "1", "1a", "1b", "1c", "1d", "2", "3", "3_nominal", "3_tepat_waktu", "4", "4_selesai"
    ]  # fmt: skip
    assert list(matriks.index) == list(URUTAN)
    for kode, row in matriks.iterrows():
        declared = TAMBAHAN_BY_KODE.get(kode) or INDIKATOR_BY_KODE[kode]
        assert row["uraian_indikator"] == getattr(declared, "judul", declared.uraian)
        assert row["rumus_perhitungan"] == declared.rumus
    assert matriks.at["1", "realisasi"] == pytest.approx(700 / 11)
    assert matriks.at["1", "capaian"] == pytest.approx(700 / 11 / 80 * 100)
    assert matriks.at["1", "predikat"] == "Tinggi"  # 79.5
    assert pd.isna(matriks.at["3", "capaian"])  # a zero target: explained, no division
    assert "Target 0" in matriks.at["3", "keterangan"]
    assert pd.isna(matriks.at["2", "target"]) and pd.isna(matriks.at["2", "capaian"])
    assert matriks.at["4", "realisasi"] == 3
    # The supplementary rows (hand counts: test_pipeline.EXPECTED_TAMBAHAN_2023), without
    # target, capaian or predikat, whatever the target file says of IKU 3.
    assert matriks.at["3_nominal", "realisasi"] == 67.5
    assert (matriks.at["3_nominal", "pembilang"], matriks.at["3_nominal", "penyebut"]) == (
        675_000, 1_000_000,
    )  # fmt: skip
    assert pd.isna(matriks.at["3_tepat_waktu", "realisasi"])  # no jatuh_tempo in the roll
    assert matriks.at["3_tepat_waktu", "status_realisasi"] == "penyebut nol"
    assert "jatuh tempo" in matriks.at["3_tepat_waktu", "keterangan"]
    assert matriks.at["4_selesai", "realisasi"] == pytest.approx(100 / 3)
    for kode in ("3_nominal", "3_tepat_waktu", "4_selesai"):
        assert matriks.at[kode, "no"] == ""
        assert pd.isna(matriks.at[kode, "target"]) and pd.isna(matriks.at[kode, "capaian"])
        assert matriks.at[kode, "predikat"] is None

def test_changing_a_target_changes_only_the_rerun_years_capaian(data_dir, url):
    (data_dir / "raw" / "layanan" / "2022").mkdir(parents=True)
    for tahun in (2022, 2023):
        set_target(data_dir, "1", tahun, 80)
    run_year(data_dir, url, "2022")
    run_year(data_dir, url, "2023")
    before = table(url, "matriks_iku")
    for tahun in (2022, 2023):
        set_target(data_dir, "1", tahun, 70)
    run_year(data_dir, url, "2023")
    after = table(url, "matriks_iku")

    def capaian(frame, tahun):
        return frame[(frame["tahun"] == tahun) & (frame["kode"] == "1")]["capaian"].iloc[0]

    assert capaian(after, 2023) == pytest.approx(700 / 11 / 70 * 100)
    assert capaian(before, 2023) == pytest.approx(700 / 11 / 80 * 100)
    cols = ["tahun", "kode", "target", "capaian", "run_id"]
    pd.testing.assert_frame_equal(
        before[before["tahun"] == 2022][cols].reset_index(drop=True),
        after[after["tahun"] == 2022][cols].reset_index(drop=True),
    )


@pytest.mark.xdist_group(SHARED_YEAR)
def test_every_matrix_number_traces_to_file_checksums(published_sqlite):
    data_dir, url, result = published_sqlite
    matriks = table(url, "matriks_iku", 2023)
    log = table(url, "riwayat_publikasi", 2023)
    assert set(matriks["run_id"]) == set(log["run_id"]) == {result.run_id}
    for row in log.dropna(subset=["berkas"]).itertuples():
        path = data_dir / "raw" / row.sumber / "2023" / row.berkas
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row.sha256
        assert path.stat().st_size == row.ukuran
    delivered = set(log["sumber"])
    assert delivered == {
        "layanan", "musrenbang_usulan", "musrenbang_ba", "pbb_dhkp", "pbb_pembayaran", "konflik"
    }


@pytest.mark.xdist_group(SHARED_YEAR)
def test_files_for_the_office_hold_the_published_values(published_sqlite):
    data_dir, url, result = published_sqlite
    out = data_dir / "published"
    names = {p.name for p in out.iterdir()}
    assert {
        "matriks_iku_2023.xlsx",
        "matriks_iku_2023.csv",
        "matriks_iku_2021-2025.xlsx",
        "matriks_iku_2021-2025.csv",
        "baris_ditolak_2023.xlsx",
    } <= names
    wide = pd.read_csv(out / "matriks_iku_2021-2025.csv", sep=";", dtype=str, encoding="utf-8-sig")
    assert list(wide.columns[:6]) == [
        "NO", "URAIAN INDIKATOR", "SATUAN", "ALASAN / SASARAN", "SUMBER DATA",
        "RUMUS PERHITUNGAN INDIKATOR",
    ]
    row_1 = wide[wide["NO"] == "1"].iloc[0]
    assert row_1["REALISASI 2023"] == f"{700 / 11:.2f}".replace(".", ",")
    assert row_1["REALISASI 2022"] == "belum diproses"
    # every row in the printed order, the supplementary ones under their indicator
    uraian = [TAMBAHAN_BY_KODE[k].judul if k in TAMBAHAN_BY_KODE else INDIKATOR_BY_KODE[k].uraian
              for k in URUTAN]  # fmt: skip
    assert list(wide["URAIAN INDIKATOR"]) == uraian
    by_uraian = wide.set_index("URAIAN INDIKATOR")
    assert by_uraian.at[TAMBAHAN_BY_KODE["3_nominal"].judul, "REALISASI 2023"] == "67,50"
    assert by_uraian.at[TAMBAHAN_BY_KODE["3_tepat_waktu"].judul, "REALISASI 2023"] == "-"
    assert by_uraian.at[TAMBAHAN_BY_KODE["4_selesai"].judul, "REALISASI 2023"] == "33,33"
    yearly = pd.read_csv(out / "matriks_iku_2023.csv", sep=";", dtype=str,
                         keep_default_na=False, encoding="utf-8-sig")  # fmt: skip
    assert list(yearly["URAIAN INDIKATOR"]) == uraian
    assert not [n for n in names if n.startswith(".")]  # no temporary file left behind

    realisasi = table(url, "realisasi_iku", 2023)
    kec = realisasi[realisasi["wilayah"] == "Kecamatan Metro Utara"].set_index("kode")["nilai"]
    sheet = openpyxl.load_workbook(out / "matriks_iku_2023.xlsx").worksheets[0]
    numbers = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, float | int)]
    for kode in ("1", "2", "3"):
        assert any(c.value == pytest.approx(kec[kode]) for c in numbers), kode
    texts = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "KECAMATAN METRO UTARA" in texts
    assert result.run_id in texts or result.run_id[:8] in texts
    for t in TAMBAHAN_BY_KODE.values():
        assert t.judul in texts
    assert any(c.value == pytest.approx(67.5) for c in numbers)  # 3_nominal

    periode = openpyxl.load_workbook(out / "matriks_iku_2021-2025.xlsx")
    assert len(periode.worksheets) >= 2
    per_kelurahan = " ".join(
        str(c.value) for row in periode["Per Kelurahan"].iter_rows() for c in row if c.value
    )
    for t in TAMBAHAN_BY_KODE.values():
        assert t.judul in per_kelurahan
    all_text = " ".join(
        str(c.value) for ws in periode.worksheets for row in ws.iter_rows() for c in row if c.value
    )
    assert "belum diproses" in all_text  # years never run are not shown as zero

    rejected = openpyxl.load_workbook(out / "baris_ditolak_2023.xlsx")
    assert "layanan" in " ".join(ws.title.lower() for ws in rejected.worksheets)
