"""docs/data-contract.md §3-§4: which rows are accepted, which are rejected, with which column
and row number. Every extract is a few CSV lines written beside the assertion; the
first line of a CSV is row 1, so the first data row under a header is row 2.

``put`` and ``stage_year`` are in conftest.py: ``stage_year()`` stages every source of
raw/<source>/2023/ in the pipeline's order (a source before those that reference it).
"""

import datetime as dt
import json

import pandas as pd
import pytest
import xlsxwriter

from iku_pipeline.indicators.compute import compute_realisasi
from iku_pipeline.sources.specs import SOURCES
from iku_pipeline.model import REJECTED_COLUMNS
from iku_pipeline.sources.validate import stage_source
from iku_pipeline_tests.common import WILAYAH

LAYANAN = "No Register;Tanggal Masuk;Jenis Layanan;Kelurahan;Status;Tgl Selesai\n"
USULAN = "ID Usulan;Kelurahan;Uraian Usulan;Tanggal Usulan\n"
BA = "ID Usulan;No BA;Prioritas\n"
DHKP = "NOP;Kelurahan;PBB Terhutang;Luas Bumi;Luas Bangunan\n"
BAYAR = "No Transaksi;NOP;Tanggal Bayar;Jumlah Bayar;Tahun Pajak\n"
KONFLIK = "No Kegiatan;Tanggal;Kelurahan;Jenis Konflik;Hasil\n"

NOP_1 = "18.72.030.001.001-0001.0"
NOP_2 = "18.72.030.001.001-0002.0"


def rejections(staged):
    """{(berkas, baris): kolom} of a staged source."""
    r = staged.ditolak
    return {(b, int(n)): k for b, n, k in zip(r["berkas"], r["baris"], r["kolom"])}


def reason(staged, berkas, baris):
    r = staged.ditolak
    hit = r[(r["berkas"] == berkas) & (r["baris"] == baris)]
    assert len(hit) == 1, f"{berkas} row {baris} not rejected once: {rejections(staged)}"
    return hit["alasan"].iloc[0]


def accepted_rows(staged):
    a = staged.diterima
    return sorted(zip(a["_berkas"], a["_baris"].astype(int)))


def realisasi(staged, kode, wilayah="Kecamatan Metro Utara"):
    r = compute_realisasi(staged, 2023, WILAYAH)
    row = r[(r["kode"] == kode) & (r["wilayah"] == wilayah)]
    assert len(row) == 1
    return row.iloc[0]


# ---------------------------------------------------------------- required columns


@pytest.mark.parametrize(
    "line, kolom",
    [
        (";02/01/2023;KK;Banjarsari;Selesai;", "no_register"),
        ("R-1;;KK;Banjarsari;Selesai;", "tanggal_masuk"),
        ("R-1;02/01/2023;  ;Banjarsari;Selesai;", "jenis_layanan"),
        ("R-1;02/01/2023;KK;;Selesai;", "kelurahan"),
    ],
)
def test_layanan_empty_required_value_rejects(put, stage_year, line, kolom):
    put("layanan", "reg.csv", LAYANAN + "R-0;02/01/2023;KK;Banjarsari;Selesai;\n" + line + "\n")
    s = stage_year()["layanan"]
    assert rejections(s) == {("reg.csv", 3): kolom}
    assert kolom in reason(s, "reg.csv", 3)
    assert accepted_rows(s) == [("reg.csv", 2)]


@pytest.mark.parametrize(
    "source, header, line, kolom",
    [
        ("musrenbang_usulan", USULAN, ";Banjarsari;Drainase;", "id_usulan"),
        ("musrenbang_usulan", USULAN, "U-1;;Drainase;", "kelurahan"),
        ("musrenbang_usulan", USULAN, "U-1;Banjarsari; ;", "uraian_usulan"),
        ("pbb_dhkp", DHKP, ";Banjarsari;150.000;;", "nop"),
        ("pbb_dhkp", DHKP, f"{NOP_1};;150.000;;", "kelurahan"),
        ("pbb_dhkp", DHKP, f"{NOP_1};Banjarsari;;;", "pbb_terhutang"),
        ("konflik", KONFLIK, ";01/02/2023;Banjarsari;Sengketa;", "no_kegiatan"),
        ("konflik", KONFLIK, "K-1;;Banjarsari;Sengketa;", "tanggal"),
        ("konflik", KONFLIK, "K-1;01/02/2023;;Sengketa;", "kelurahan"),
        ("konflik", KONFLIK, "K-1;01/02/2023;Banjarsari;  ;", "jenis_konflik"),
    ],
)
def test_other_sources_empty_required_value_rejects(put, stage_year, source, header, line, kolom):
    put(source, "f.csv", header + line + "\n")
    s = stage_year()[source]
    assert rejections(s) == {("f.csv", 2): kolom}
    assert len(s.diterima) == 0


@pytest.mark.parametrize(
    "line, kolom",
    [
        (f";{NOP_1};15/03/2023;150.000;2023", "no_transaksi"),
        ("T-1;;15/03/2023;150.000;2023", "nop"),
        (f"T-1;{NOP_1};;150.000;2023", "tanggal_bayar"),
        (f"T-1;{NOP_1};15/03/2023;;2023", "jumlah_bayar"),
    ],
)
def test_payment_empty_required_value_rejects(put, stage_year, line, kolom):
    put("pbb_dhkp", "dhkp.csv", DHKP + f"{NOP_1};Banjarsari;150.000;;\n")
    put("pbb_pembayaran", "bayar.csv", BAYAR + line + "\n")
    s = stage_year()["pbb_pembayaran"]
    assert rejections(s) == {("bayar.csv", 2): kolom}


def test_ba_empty_id_rejects(put, stage_year):
    put("musrenbang_usulan", "u.csv", USULAN + "U-1;Banjarsari;Drainase;\n")
    put("musrenbang_ba", "ba.csv", BA + ";005/BA/2023;1\nU-1;005/BA/2023;2\n")
    s = stage_year()["musrenbang_ba"]
    assert rejections(s) == {("ba.csv", 2): "id_usulan"}


# ---------------------------------------------------------------- layanan


def test_impossible_tanggal_masuk_rejects_quoting_it(put, stage_year):
    put("layanan", "reg.csv", LAYANAN + "R-1;31/02/2023;KK;Banjarsari;Selesai;\n")
    s = stage_year()["layanan"]
    assert rejections(s) == {("reg.csv", 2): "tanggal_masuk"}
    assert "31/02/2023" in reason(s, "reg.csv", 2)


def test_zero_date_rejects(put, stage_year):
    put("layanan", "reg.csv", LAYANAN + "R-1;00/00/0000;KK;Banjarsari;Selesai;\n")
    s = stage_year()["layanan"]
    assert rejections(s) == {("reg.csv", 2): "tanggal_masuk"}
    assert "00/00/0000" in reason(s, "reg.csv", 2)


@pytest.mark.parametrize("tanggal", ["31/12/2022", "01/01/2024", "2024-01-01"])
def test_tanggal_masuk_outside_the_partition_year_rejects(put, stage_year, tanggal):
    put("layanan", "reg.csv", LAYANAN + f"R-1;{tanggal};KK;Banjarsari;Selesai;\n")
    s = stage_year()["layanan"]
    assert rejections(s) == {("reg.csv", 2): "tanggal_masuk"}
    assert tanggal in reason(s, "reg.csv", 2)


@pytest.mark.parametrize("tanggal", ["01/01/2023", "31/12/2023", "31 Desember 2023"])
def test_tanggal_masuk_on_the_edges_of_the_year_is_inside(put, stage_year, tanggal):
    put("layanan", "reg.csv", LAYANAN + f"R-1;{tanggal};KK;Banjarsari;Selesai;\n")
    s = stage_year()["layanan"]
    assert rejections(s) == {}
    assert accepted_rows(s) == [("reg.csv", 2)]


def test_unknown_kelurahan_rejects_quoting_it(put, stage_year):
    put("layanan", "reg.csv", LAYANAN + "R-1;02/01/2023;KK;Metro Pusat;Selesai;\n")
    s = stage_year()["layanan"]
    assert rejections(s) == {("reg.csv", 2): "kelurahan"}
    assert "Metro Pusat" in reason(s, "reg.csv", 2)


def test_unknown_status_rejects_quoting_it(put, stage_year):
    put("layanan", "reg.csv", LAYANAN + "R-1;02/01/2023;KK;Banjarsari;Batal;\n")
    s = stage_year()["layanan"]
    assert rejections(s) == {("reg.csv", 2): "status"}
    assert "Batal" in reason(s, "reg.csv", 2)


def test_empty_status_does_not_reject(put, stage_year):
    put("layanan", "reg.csv", LAYANAN + "R-1;02/01/2023;KK;Banjarsari;;\nR-2;02/01/2023;KK;Banjarsari;;03/01/2023\n")
    s = stage_year()["layanan"]
    assert rejections(s) == {}
    assert accepted_rows(s) == [("reg.csv", 2), ("reg.csv", 3)]


def test_tanggal_selesai_before_tanggal_masuk_rejects(put, stage_year):
    put("layanan", "reg.csv", LAYANAN + "R-1;05/03/2023;KK;Banjarsari;Selesai;01/03/2023\n")
    s = stage_year()["layanan"]
    assert rejections(s) == {("reg.csv", 2): "tanggal_selesai"}


def test_tanggal_selesai_on_the_day_or_in_the_next_year_is_fine(put, stage_year):
    put(
        "layanan",
        "reg.csv",
        LAYANAN
        + "R-1;05/03/2023;KK;Banjarsari;Selesai;05/03/2023\n"
        + "R-2;28/12/2023;KK;Banjarsari;Selesai;03/01/2024\n",
    )
    s = stage_year()["layanan"]
    assert rejections(s) == {}
    assert len(s.diterima) == 2


def test_impossible_tanggal_selesai_rejects(put, stage_year):
    put("layanan", "reg.csv", LAYANAN + "R-1;05/03/2023;KK;Banjarsari;Selesai;31/04/2023\n")
    s = stage_year()["layanan"]
    assert rejections(s) == {("reg.csv", 2): "tanggal_selesai"}
    assert "31/04/2023" in reason(s, "reg.csv", 2)


def test_first_failing_column_is_named(put, stage_year):
    # tanggal_masuk (2nd column) and kelurahan (4th) both fail: the first is reported
    put("layanan", "reg.csv", LAYANAN + "R-1;31/02/2023;KK;Metro Pusat;Batal;\n")
    s = stage_year()["layanan"]
    assert rejections(s) == {("reg.csv", 2): "tanggal_masuk"}


def test_empty_status_is_processed_iff_tanggal_selesai_is_given(put, stage_year):
    put(
        "layanan",
        "reg.csv",
        LAYANAN
        + "R-1;02/01/2023;KK;Banjarsari;;03/01/2023\n"  # processed
        + "R-2;02/01/2023;KK;Banjarsari;;\n"  # not processed
        + "R-3;02/01/2023;KK;Banjarsari;;\n",  # not processed
    )
    row = realisasi(stage_year(), "1a")
    assert (row["pembilang"], row["penyebut"]) == (1, 3)


def test_status_words_decide_processed_whatever_tanggal_selesai(put, stage_year):
    put(
        "layanan",
        "reg.csv",
        LAYANAN
        + "R-1;02/01/2023;KK;Banjarsari;Ditolak;\n"  # processed, no tanggal_selesai
        + "R-2;02/01/2023;KK;Banjarsari;Proses;05/01/2023\n"  # not processed
        + "R-3;02/01/2023;KK;Banjarsari;Dikembalikan;\n",  # processed
    )
    row = realisasi(stage_year(), "1a")
    assert (row["pembilang"], row["penyebut"]) == (2, 3)


def test_unmapped_jenis_layanan_is_accepted_as_lainnya_and_counted(put, stage_year):
    put(
        "layanan",
        "reg.csv",
        LAYANAN
        + "R-1;02/01/2023;Surat Pindah;Banjarsari;Selesai;\n"
        + "R-2;02/01/2023;Surat Pindah;Purwosari;Proses;\n"
        + "R-3;02/01/2023;Legalisir Ijazah;Purwosari;Selesai;\n"
        + "R-4;02/01/2023;KK;Purwosari;Selesai;\n",
    )
    staged = stage_year()
    s = staged["layanan"]
    assert rejections(s) == {}
    assert len(s.diterima) == 4
    assert s.laporan.info["jenis_layanan_tidak_dikenal"] == {"Surat Pindah": 2, "Legalisir Ijazah": 1}
    # outside IKU 1: only the KK row counts
    row = realisasi(staged, "1")
    assert (row["pembilang"], row["penyebut"]) == (1, 1)


def test_rejected_rows_are_not_counted_as_unmapped(put, stage_year):
    put("layanan", "reg.csv", LAYANAN + "R-1;31/02/2023;Surat Pindah;Banjarsari;Selesai;\n")
    s = stage_year()["layanan"]
    assert s.laporan.info.get("jenis_layanan_tidak_dikenal", {}) == {}


def test_alias_matching_folds_case_and_spacing(put, stage_year):
    put(
        "layanan",
        "reg.csv",
        LAYANAN
        + "R-1;02/01/2023;pengantar   kk;Banjarsari;Selesai;\n"
        + "R-2;02/01/2023;E-KTP;Banjarsari;Selesai;\n"
        + "R-3;02/01/2023; Numpang  Nikah ;Banjarsari;Selesai;\n",
    )
    staged = stage_year()
    assert staged["layanan"].laporan.info["jenis_layanan_tidak_dikenal"] == {}
    assert realisasi(staged, "1a")["penyebut"] == 2
    assert realisasi(staged, "1d")["penyebut"] == 1


def test_the_analysts_alias_table_extends_the_mapping(put, stage_year, raw_dir):
    ref = raw_dir.parent / "reference"
    ref.mkdir(parents=True)
    (ref / "jenis_layanan.csv").write_text(
        "alias,kategori\nLegalisir KK,KK_KTP\nSurat Pindah,LAINNYA\n", encoding="utf-8"
    )
    put(
        "layanan",
        "reg.csv",
        LAYANAN
        + "R-1;02/01/2023;Legalisir KK;Banjarsari;Selesai;\n"
        + "R-2;02/01/2023;Surat Pindah;Banjarsari;Selesai;\n",
    )
    staged = stage_year()
    assert staged["layanan"].laporan.info["jenis_layanan_tidak_dikenal"] == {}
    assert realisasi(staged, "1a")["penyebut"] == 1


# ---------------------------------------------------------------- keys and duplicates


def test_duplicate_key_in_one_file_rejects_the_later_row_with_empty_kolom(put, stage_year):
    put(
        "layanan",
        "reg.csv",
        LAYANAN
        + "R-1;02/01/2023;KK;Banjarsari;Selesai;\n"
        + "R-2;02/01/2023;KK;Banjarsari;Selesai;\n"
        + "R-1;03/01/2023;KTP;Purwosari;Proses;\n",
    )
    s = stage_year()["layanan"]
    assert rejections(s) == {("reg.csv", 4): ""}
    assert accepted_rows(s) == [("reg.csv", 2), ("reg.csv", 3)]


def test_keys_are_compared_trimmed_and_case_insensitively(put, stage_year):
    put(
        "layanan",
        "reg.csv",
        LAYANAN
        + "R-001;02/01/2023;KK;Banjarsari;Selesai;\n"
        + "r-001;03/01/2023;KK;Banjarsari;Selesai;\n"
        + "  R-001  ;04/01/2023;KK;Banjarsari;Selesai;\n",
    )
    s = stage_year()["layanan"]
    assert rejections(s) == {("reg.csv", 3): "", ("reg.csv", 4): ""}
    assert accepted_rows(s) == [("reg.csv", 2)]


def test_duplicates_across_files_in_file_name_order(put, stage_year):
    # written in the other order: the file *name* decides which is first
    put("layanan", "register_tw2.csv", LAYANAN + "R-9;02/04/2023;KK;Banjarsari;Selesai;\nR-1;03/04/2023;KK;Purwosari;Selesai;\n")
    put("layanan", "register_tw1.csv", LAYANAN + "R-1;02/01/2023;KK;Banjarsari;Selesai;\n")
    s = stage_year()["layanan"]
    assert rejections(s) == {("register_tw2.csv", 3): ""}
    assert accepted_rows(s) == [("register_tw1.csv", 2), ("register_tw2.csv", 2)]


def test_a_rejected_row_does_not_make_a_later_valid_row_a_duplicate(put, stage_year):
    put(
        "layanan",
        "reg.csv",
        LAYANAN
        + "R-1;02/01/2023;KK;Metro Pusat;Selesai;\n"  # rejected: kelurahan
        + "R-1;03/01/2023;KK;Banjarsari;Selesai;\n",  # the first valid R-1: kept
    )
    s = stage_year()["layanan"]
    assert rejections(s) == {("reg.csv", 2): "kelurahan"}
    assert accepted_rows(s) == [("reg.csv", 3)]


def test_a_rejected_row_in_an_earlier_file_does_not_make_a_duplicate(put, stage_year):
    put("layanan", "a.csv", LAYANAN + "R-1;31/02/2023;KK;Banjarsari;Selesai;\n")
    put("layanan", "b.csv", LAYANAN + "r-1;03/01/2023;KK;Banjarsari;Selesai;\n")
    s = stage_year()["layanan"]
    assert rejections(s) == {("a.csv", 2): "tanggal_masuk"}
    assert accepted_rows(s) == [("b.csv", 2)]


def test_every_later_copy_is_a_duplicate(put, stage_year):
    put("konflik", "k.csv", KONFLIK + "".join(f"K-1;0{d}/02/2023;Banjarsari;Sengketa;\n" for d in range(1, 5)))
    s = stage_year()["konflik"]
    assert rejections(s) == {("k.csv", 3): "", ("k.csv", 4): "", ("k.csv", 5): ""}


def test_each_duplicate_names_the_row_that_was_kept(put, stage_year):
    # K-1 is copied twice before K-2's copy: each reason must still name its own key's
    # first row, in this file or an earlier one.
    put(
        "konflik",
        "k1.csv",
        KONFLIK
        + "K-1;01/02/2023;Banjarsari;Sengketa;\n"
        + "K-2;02/02/2023;Banjarsari;Sengketa;\n"
        + "K-1;03/02/2023;Banjarsari;Sengketa;\n"
        + "K-1;04/02/2023;Banjarsari;Sengketa;\n"
        + "K-2;05/02/2023;Banjarsari;Sengketa;\n",
    )
    put("konflik", "k2.csv", KONFLIK + "k-2;06/02/2023;Banjarsari;Sengketa;\nK-3;07/02/2023;Banjarsari;Sengketa;\n")
    s = stage_year()["konflik"]
    reasons = {(r.berkas, r.baris): r.alasan for r in s.ditolak.itertuples()}
    assert reasons == {
        ("k1.csv", 4): "duplikat: no_kegiatan 'K-1' sudah ada di k1.csv baris 2",
        ("k1.csv", 5): "duplikat: no_kegiatan 'K-1' sudah ada di k1.csv baris 2",
        ("k1.csv", 6): "duplikat: no_kegiatan 'K-2' sudah ada di k1.csv baris 3",
        ("k2.csv", 2): "duplikat: no_kegiatan 'k-2' sudah ada di k1.csv baris 3",
    }


def test_nop_key_is_its_18_digits(put, stage_year):
    put(
        "pbb_dhkp",
        "dhkp.csv",
        DHKP
        + f"{NOP_1};Banjarsari;150.000;;\n"
        + "187203000100100010;Banjarsari;150.000;;\n",  # the same NOP without separators
    )
    s = stage_year()["pbb_dhkp"]
    assert rejections(s) == {("dhkp.csv", 3): ""}


def test_duplicate_payment_across_files(put, stage_year):
    put("pbb_dhkp", "dhkp.csv", DHKP + f"{NOP_1};Banjarsari;150.000;;\n{NOP_2};Banjarsari;100.000;;\n")
    put("pbb_pembayaran", "bayar_s1.csv", BAYAR + f"NTPD-1;{NOP_1};15/03/2023;150.000;2023\n")
    put("pbb_pembayaran", "bayar_s2.csv", BAYAR + f"ntpd-1;{NOP_2};03/08/2023;100.000;2023\n")
    s = stage_year()["pbb_pembayaran"]
    assert rejections(s) == {("bayar_s2.csv", 2): ""}


def test_nop_duplicates_across_three_files_name_the_kept_row(put, stage_year):
    # Each file's NOPs join the earlier files' sorted list when the next file is read:
    # the third file finds the first file's and the second file's keys alike.
    nop_3 = "18.72.030.001.001-0003.0"
    put("pbb_dhkp", "dhkp_a.csv", DHKP + f"{NOP_1};Banjarsari;150.000;;\n")
    put("pbb_dhkp", "dhkp_b.csv", DHKP + f"{NOP_2};Banjarsari;100.000;;\n{nop_3};Purwosari;1;;\n")
    put(
        "pbb_dhkp",
        "dhkp_c.csv",
        DHKP
        + "187203000100100020;Banjarsari;100.000;;\n"  # NOP_2 without separators
        + f"{NOP_1};Banjarsari;150.000;;\n"
        + "18.72.030.001.001-0004.0;Purwosari;5;;\n",
    )
    s = stage_year()["pbb_dhkp"]
    reasons = {(r.berkas, r.baris): r.alasan for r in s.ditolak.itertuples()}
    assert reasons == {
        ("dhkp_c.csv", 2): "duplikat: nop '187203000100100020' sudah ada di dhkp_b.csv baris 2",
        ("dhkp_c.csv", 3): f"duplikat: nop '{NOP_1}' sudah ada di dhkp_a.csv baris 2",
    }
    assert accepted_rows(s) == [
        ("dhkp_a.csv", 2), ("dhkp_b.csv", 2), ("dhkp_b.csv", 3), ("dhkp_c.csv", 4)
    ]  # fmt: skip


def test_files_with_different_extra_columns_join_as_one_frame(put, stage_year):
    # The files' accepted rows are joined column by column (each part let go as it is
    # joined): the same frame as joining them whole, extra columns empty where absent.
    put("konflik", "k1.csv", "No Kegiatan;Tanggal;Kelurahan;Jenis Konflik;Hasil;Catatan\n"
        "K-1;01/02/2023;Banjarsari;Sengketa;Selesai;satu\n")  # fmt: skip
    put("konflik", "k2.csv", "No Kegiatan;Tanggal;Kelurahan;Jenis Konflik;Hasil;Lokasi\n"
        "K-2;02/02/2023;Purwosari;Sengketa;;dua\nK-3;03/02/2023;Banjarsari;Batas;;\n")  # fmt: skip
    a = stage_year()["konflik"].diterima
    assert list(a.columns[-2:]) == ["Catatan", "Lokasi"]
    assert a["Catatan"].tolist() == ["satu", pd.NA, pd.NA]
    assert a["Lokasi"].tolist() == [pd.NA, "dua", pd.NA]
    assert a["_berkas"].tolist() == ["k1.csv", "k2.csv", "k2.csv"]
    assert a["kelurahan"].dtype == WILAYAH.dtype
    assert a.index.equals(pd.RangeIndex(3))


# ---------------------------------------------------------------- musrenbang


def test_proposal_date_only_checked_when_given(put, stage_year):
    put(
        "musrenbang_usulan",
        "u.csv",
        USULAN
        + "U-1;Banjarsari;Drainase;\n"
        + "U-2;Banjarsari;Posyandu;05/01/2024\n"
        + "U-3;Banjarsari;Lampu;31/02/2023\n"
        + "U-4;Banjarsari;Sumur;10/01/2023\n",
    )
    s = stage_year()["musrenbang_usulan"]
    assert rejections(s) == {("u.csv", 3): "tanggal_usulan", ("u.csv", 4): "tanggal_usulan"}
    assert accepted_rows(s) == [("u.csv", 2), ("u.csv", 5)]


def test_proposal_kelurahan_must_be_one_of_the_four(put, stage_year):
    put("musrenbang_usulan", "u.csv", USULAN + "U-1;Hadimulyo;Taman;\n")
    s = stage_year()["musrenbang_usulan"]
    assert rejections(s) == {("u.csv", 2): "kelurahan"}


def test_ba_id_must_be_an_accepted_proposal_of_the_year(put, stage_year):
    put(
        "musrenbang_usulan",
        "u.csv",
        USULAN
        + "USL-01;Banjarsari;Drainase;\n"
        + "USL-02;Banjarsari;  ;\n"  # rejected proposal (uraian blank)
        + "USL-04;Purwoasri;Lampu;\n",
    )
    put("musrenbang_usulan", "u_lama.csv", USULAN + "USL-77;Purwosari;Jalan;\n", tahun=2022)
    put(
        "musrenbang_ba",
        "ba.csv",
        BA
        + "USL-01;005/BA/2023;1\n"  # row 2: valid
        + " usl-04 ;005/BA/2023;2\n"  # row 3: valid, compared trimmed and case-insensitively
        + "USL-99;005/BA/2023;3\n"  # row 4: no such proposal
        + "USL-02;005/BA/2023;4\n"  # row 5: the proposal was rejected
        + "USL-77;005/BA/2023;5\n",  # row 6: a proposal of 2022, not 2023
    )
    s = stage_year()["musrenbang_ba"]
    assert rejections(s) == {("ba.csv", 4): "id_usulan", ("ba.csv", 5): "id_usulan", ("ba.csv", 6): "id_usulan"}
    assert accepted_rows(s) == [("ba.csv", 2), ("ba.csv", 3)]
    assert "USL-99" in reason(s, "ba.csv", 4)


def test_ba_rows_rejected_when_no_proposals_were_delivered(put, stage_year):
    put("musrenbang_ba", "ba.csv", BA + "USL-01;005/BA/2023;1\n")
    s = stage_year()["musrenbang_ba"]
    assert rejections(s) == {("ba.csv", 2): "id_usulan"}


@pytest.mark.parametrize("prioritas", ["0", "-1", "satu", "1,5"])
def test_prioritas_must_be_a_whole_number_from_1(put, stage_year, prioritas):
    put("musrenbang_usulan", "u.csv", USULAN + "U-1;Banjarsari;Drainase;\n")
    put("musrenbang_ba", "ba.csv", BA + f"U-1;005/BA/2023;{prioritas}\n")
    s = stage_year()["musrenbang_ba"]
    assert rejections(s) == {("ba.csv", 2): "prioritas"}


@pytest.mark.parametrize("prioritas", ["", "1", "12"])
def test_prioritas_is_optional(put, stage_year, prioritas):
    put("musrenbang_usulan", "u.csv", USULAN + "U-1;Banjarsari;Drainase;\n")
    put("musrenbang_ba", "ba.csv", BA + f"U-1;005/BA/2023;{prioritas}\n")
    s = stage_year()["musrenbang_ba"]
    assert rejections(s) == {}


def test_ba_row_failing_both_reference_and_prioritas_names_the_first_column(put, stage_year):
    # id_usulan (1st column) names no proposal and prioritas (3rd) is 0: the first
    # failing column is id_usulan (§4 "the first failing column").
    put("musrenbang_usulan", "u.csv", USULAN + "U-1;Banjarsari;Drainase;\n")
    put("musrenbang_ba", "ba.csv", BA + "U-99;005/BA/2023;0\n")
    s = stage_year()["musrenbang_ba"]
    assert rejections(s) == {("ba.csv", 2): "id_usulan"}


# ---------------------------------------------------------------- PBB


@pytest.mark.parametrize("pbb", ["-50.000", "150.000,50", "seratus"])
def test_pbb_terhutang_must_be_whole_rupiah_not_negative(put, stage_year, pbb):
    put("pbb_dhkp", "dhkp.csv", DHKP + f"{NOP_1};Banjarsari;{pbb};;\n")
    s = stage_year()["pbb_dhkp"]
    assert rejections(s) == {("dhkp.csv", 2): "pbb_terhutang"}
    assert pbb in reason(s, "dhkp.csv", 2)


def test_exempt_object_with_zero_is_valid(put, stage_year):
    put("pbb_dhkp", "dhkp.csv", DHKP + f"{NOP_1};Karangrejo;0;500;200\n")
    s = stage_year()["pbb_dhkp"]
    assert rejections(s) == {}
    assert len(s.diterima) == 1


def test_nop_not_18_digits_rejects(put, stage_year):
    put("pbb_dhkp", "dhkp.csv", DHKP + "18.72.030.004.001-003.0;Karangrejo;100.000;;\n")
    s = stage_year()["pbb_dhkp"]
    assert rejections(s) == {("dhkp.csv", 2): "nop"}
    assert "18.72.030.004.001-003.0" in reason(s, "dhkp.csv", 2)


@pytest.mark.parametrize("luas, kolom", [("-5;", "luas_bumi"), ("100;-1", "luas_bangunan"), ("luas;", "luas_bumi")])
def test_luas_must_be_a_number_not_negative(put, stage_year, luas, kolom):
    put("pbb_dhkp", "dhkp.csv", DHKP + f"{NOP_1};Banjarsari;150.000;{luas}\n")
    s = stage_year()["pbb_dhkp"]
    assert rejections(s) == {("dhkp.csv", 2): kolom}


def test_luas_is_optional(put, stage_year):
    put("pbb_dhkp", "dhkp.csv", DHKP + f"{NOP_1};Banjarsari;150.000;;\n")
    assert rejections(stage_year()["pbb_dhkp"]) == {}


@pytest.mark.parametrize("jumlah", ["0", "-50.000", "150.000,50", "Rp 0,-"])
def test_payment_amount_must_be_whole_and_above_zero(put, stage_year, jumlah):
    put("pbb_dhkp", "dhkp.csv", DHKP + f"{NOP_1};Banjarsari;150.000;;\n")
    put("pbb_pembayaran", "bayar.csv", BAYAR + f'T-1;{NOP_1};15/03/2023;"{jumlah}";2023\n')
    s = stage_year()["pbb_pembayaran"]
    assert rejections(s) == {("bayar.csv", 2): "jumlah_bayar"}


@pytest.mark.parametrize("tanggal", ["30/12/2022", "31/02/2023", "02/01/2024"])
def test_payment_date_inside_the_year(put, stage_year, tanggal):
    put("pbb_dhkp", "dhkp.csv", DHKP + f"{NOP_1};Banjarsari;150.000;;\n")
    put("pbb_pembayaran", "bayar.csv", BAYAR + f"T-1;{NOP_1};{tanggal};150.000;2023\n")
    s = stage_year()["pbb_pembayaran"]
    assert rejections(s) == {("bayar.csv", 2): "tanggal_bayar"}


def test_current_year_payment_must_name_a_nop_of_the_roll(put, stage_year):
    put("pbb_dhkp", "dhkp.csv", DHKP + f"{NOP_1};Banjarsari;150.000;;\n")
    put(
        "pbb_pembayaran",
        "bayar.csv",
        BAYAR
        + f"T-1;{NOP_1};15/03/2023;150.000;2023\n"  # row 2: on the roll
        + "T-2;18.72.030.009.009-0009.0;15/03/2023;50.000;2023\n"  # row 3: not on the roll
        + "T-3;18.72.030.009.009-0009.0;15/03/2023;50.000;\n"  # row 4: tahun_pajak defaults to 2023
        + "T-4;18.72.030.009.009-0009.0;15/03/2023;50.000;2022\n"  # row 5: arrears: kept
        + "T-5;187203000100100010;16/03/2023;10.000;2023\n",  # row 6: NOP_1 by its digits
    )
    s = stage_year()["pbb_pembayaran"]
    assert rejections(s) == {("bayar.csv", 3): "nop", ("bayar.csv", 4): "nop"}
    assert accepted_rows(s) == [("bayar.csv", 2), ("bayar.csv", 5), ("bayar.csv", 6)]


def test_payment_to_a_rejected_roll_row_is_not_on_the_roll(put, stage_year):
    put("pbb_dhkp", "dhkp.csv", DHKP + f"{NOP_1};Metro Pusat;150.000;;\n")
    put("pbb_pembayaran", "bayar.csv", BAYAR + f"T-1;{NOP_1};15/03/2023;150.000;2023\n")
    s = stage_year()["pbb_pembayaran"]
    assert rejections(s) == {("bayar.csv", 2): "nop"}


def test_a_payment_rejected_for_its_nop_does_not_make_a_duplicate(put, stage_year):
    put("pbb_dhkp", "dhkp.csv", DHKP + f"{NOP_1};Banjarsari;150.000;;\n")
    put(
        "pbb_pembayaran",
        "bayar.csv",
        BAYAR
        + "T-1;18.72.030.009.009-0009.0;15/03/2023;50.000;2023\n"  # not on the roll
        + f"T-1;{NOP_1};16/03/2023;150.000;2023\n",  # the first valid T-1
    )
    s = stage_year()["pbb_pembayaran"]
    assert rejections(s) == {("bayar.csv", 2): "nop"}
    assert accepted_rows(s) == [("bayar.csv", 3)]


# ---------------------------------------------------------------- konflik


@pytest.mark.parametrize("hasil", ["", "Selesai", "Belum Selesai", "Proses"])
def test_hasil_accepted_values(put, stage_year, hasil):
    put("konflik", "k.csv", KONFLIK + f"K-1;01/02/2023;Banjarsari;Sengketa;{hasil}\n")
    assert rejections(stage_year()["konflik"]) == {}


def test_other_hasil_rejects(put, stage_year):
    put("konflik", "k.csv", KONFLIK + "K-1;01/02/2023;Banjarsari;Sengketa;Gagal\n")
    s = stage_year()["konflik"]
    assert rejections(s) == {("k.csv", 2): "hasil"}
    assert "Gagal" in reason(s, "k.csv", 2)


def test_konflik_date_inside_the_year(put, stage_year):
    put("konflik", "k.csv", KONFLIK + "K-1;15/12/2022;Banjarsari;Sengketa;Selesai\n")
    assert rejections(stage_year()["konflik"]) == {("k.csv", 2): "tanggal"}


# ---------------------------------------------------------------- records of rejections


def test_rejected_record_has_every_field(put, stage_year):
    put("layanan", "reg.csv", "REGISTER 2023\n" + LAYANAN.replace("\n", ";Ruang\n") + "R-1;02/01/2023;KK;Metro Pusat;Selesai;;Loket 2\n")
    s = stage_year()["layanan"]
    assert set(REJECTED_COLUMNS) <= set(s.ditolak.columns)
    rec = s.ditolak.iloc[0]
    assert rec["sumber"] == "layanan"
    assert rec["tahun"] == 2023
    assert rec["berkas"] == "reg.csv"
    assert rec["baris"] == 3  # title line is row 1, header row 2
    assert rec["kolom"] == "kelurahan"
    isi = json.loads(rec["isi_baris"])
    assert "Metro Pusat" in isi.values()
    assert "Loket 2" in isi.values()


def test_rejected_record_content_is_json_of_the_cells_as_shown(put, stage_year):
    """isi_baris is json.dumps of {header: cell as shown}: cells trimmed, an empty one
    "", quotes, backslashes and letters outside ASCII as json.dumps writes them; with a
    header written twice, the dict's way (the last cell under the first place)."""
    put("layanan", "reg.csv", LAYANAN.replace("\n", ';Catatan "x"\n')
        + 'R-1;02/01/2023;KK;Metro Pusat;Selesai;; Ä "q" \\ \t€ \n')
    put("konflik", "k.csv", "No Kegiatan;Tanggal;Kelurahan;Jenis Konflik;Hasil;Catatan;Catatan\n"
        "K-1;02/01/2023;Metro Pusat;Tanah;Selesai;a;b\n")
    s = stage_year()
    isi = s["layanan"].ditolak["isi_baris"].iloc[0]
    assert isi == json.dumps(
        {"No Register": "R-1", "Tanggal Masuk": "02/01/2023", "Jenis Layanan": "KK",
         "Kelurahan": "Metro Pusat", "Status": "Selesai", "Tgl Selesai": "",
         'Catatan "x"': 'Ä "q" \\ \t€'},
        ensure_ascii=False,
    )
    konflik = json.loads(s["konflik"].ditolak["isi_baris"].iloc[0])
    assert list(konflik)[-1] == "Catatan" and konflik["Catatan"] == "b"


def test_rejected_row_numbers_of_an_xlsx_are_the_sheet_rows(tmp_path):
    folder = tmp_path / "layanan" / "2023"
    folder.mkdir(parents=True)
    wb = xlsxwriter.Workbook(folder / "reg.xlsx")
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["REGISTER PELAYANAN"])
    ws.write_row(3, 0, ["No Register", "Tanggal Masuk", "Jenis Layanan", "Kelurahan", "Status"])
    for r, (no, kel) in {4: ("R-1", "Banjarsari"), 7: ("R-2", "Metro Barat")}.items():
        ws.write(r, 0, no)
        ws.write_datetime(r, 1, dt.datetime(2023, 5, 2), date)
        ws.write_row(r, 2, ["KK", kel, "Selesai"])
    wb.close()
    s = stage_source(SOURCES["layanan"], folder, 2023, b"k", wilayah=WILAYAH)
    assert rejections(s) == {("reg.xlsx", 8): "kelurahan"}
    assert accepted_rows(s) == [("reg.xlsx", 5)]
    assert s.diterima["tanggal_masuk"].iloc[0] == pd.Timestamp(2023, 5, 2)


def test_personal_data_never_in_clear_in_accepted_or_rejected_rows(put, stage_year):
    put(
        "layanan",
        "reg.csv",
        "No Register;Tanggal Masuk;Jenis Layanan;Kelurahan;Status;NIK;Nama;NIK Suami;Nama Ayah\n"
        "R-1;02/01/2023;Nikah;Banjarsari;Selesai;1872031203850001;Budi Santoso;1872030707770003;Wayan Sudarsa\n"
        "R-2;31/02/2023;Nikah;Banjarsari;Selesai;1872034506900002;Siti Aminah;1872030101010004;Made Wirawan\n",
    )
    s = stage_year()["layanan"]
    assert len(s.diterima) == 1 and len(s.ditolak) == 1
    text = s.diterima.astype(str).to_csv() + s.ditolak.astype(str).to_csv()
    for secret in ("1872031203850001", "1872030707770003", "1872034506900002", "1872030101010004",
                   "Budi", "Santoso", "Wayan", "Sudarsa", "Siti", "Aminah", "Made", "Wirawan"):  # fmt: skip
        assert secret not in text


# ---------------------------------------------------------------- counts and delivery


def test_rows_read_equal_accepted_plus_rejected_per_file(put, stage_year):
    put(
        "layanan",
        "a.csv",
        "REGISTER\n\n"
        + LAYANAN
        + "R-1;02/01/2023;KK;Banjarsari;Selesai;\n"
        + ";;;;;\n"  # blank: not read
        + "R-2;31/02/2023;KK;Banjarsari;Selesai;\n"
        + "R-3;02/01/2023;KK;Banjarsari;Selesai;\n"
        + "\n",
    )
    put("layanan", "b.csv", LAYANAN + "R-3;02/04/2023;KK;Purwosari;Selesai;\nR-4;02/04/2023;KK;Purwosari;Batal;\nR-5;02/04/2023;KK;Purwosari;;\n")
    s = stage_year()["layanan"]
    by_file = {f.berkas: f for f in s.laporan.berkas}
    assert (by_file["a.csv"].dibaca, by_file["a.csv"].diterima, by_file["a.csv"].ditolak) == (3, 2, 1)
    assert (by_file["b.csv"].dibaca, by_file["b.csv"].diterima, by_file["b.csv"].ditolak) == (3, 1, 2)
    for f in s.laporan.berkas:
        assert f.dibaca == f.diterima + f.ditolak
    assert s.laporan.dibaca == len(s.diterima) + len(s.ditolak) == 6


def test_blank_rows_are_neither_accepted_nor_rejected(put, stage_year):
    put("konflik", "k.csv", KONFLIK + "\n ; ;;;\n;;;;\nK-1;01/02/2023;Banjarsari;Sengketa;Selesai\n\n")
    s = stage_year()["konflik"]
    assert rejections(s) == {}
    assert accepted_rows(s) == [("k.csv", 5)]
    assert s.laporan.dibaca == 1


def test_missing_folder_is_not_delivered(stage_year):
    staged = stage_year()
    for s in staged.values():
        assert not s.diserahkan
        assert len(s.diterima) == 0 and len(s.ditolak) == 0 and s.laporan.berkas == []


def test_empty_folder_is_not_delivered(raw_dir, stage_year):
    (raw_dir / "konflik" / "2023").mkdir(parents=True)
    assert stage_year()["konflik"].diserahkan is False


def test_a_file_with_only_a_header_is_delivered(put, stage_year):
    put("konflik", "k.csv", KONFLIK)
    s = stage_year()["konflik"]
    assert s.diserahkan is True
    assert len(s.diterima) == 0


def test_only_the_years_folder_is_read(put, stage_year):
    put("konflik", "k.csv", KONFLIK + "K-1;01/02/2022;Banjarsari;Sengketa;Selesai\n", tahun=2022)
    assert stage_year()["konflik"].diserahkan is False


def test_a_failed_file_is_reported_and_the_others_still_read(put, stage_year):
    put("layanan", "a.csv", LAYANAN + "R-1;02/01/2023;KK;Banjarsari;Selesai;\n")
    put("layanan", "b.csv", "No Register;Tanggal Masuk;Jenis Layanan;Kelurahan\nR-2;02/01/2023;KK;Banjarsari\n")
    bad = put("layanan", "c.xlsx", "")
    bad.write_bytes(b"not a workbook")
    s = stage_year()["layanan"]
    failed = {f.berkas: f.gagal for f in s.laporan.gagal}
    assert set(failed) == {"b.csv", "c.xlsx"}
    assert "status" in failed["b.csv"]
    assert accepted_rows(s) == [("a.csv", 2)]


def test_extra_columns_are_kept_in_the_accepted_rows(put, stage_year):
    put("konflik", "k.csv", KONFLIK.replace("\n", ";Ruang\n") + "K-1;01/02/2023;Banjarsari;Sengketa;Selesai;Aula\n")
    s = stage_year()["konflik"]
    assert list(s.diterima["Ruang"]) == ["Aula"]


def test_real_excel_numbers_in_a_roll(tmp_path):
    folder = tmp_path / "pbb_dhkp" / "2023"
    folder.mkdir(parents=True)
    wb = xlsxwriter.Workbook(folder / "DHKP_2023.xlsx")
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["DHKP PBB-P2 TAHUN 2023"])
    ws.write_row(2, 0, ["NOP", "Kelurahan", "Ketetapan", "Luas Bumi", "Luas Bangunan"])
    ws.write_row(3, 0, [NOP_1, "Banjarsari", 150000, 200, 70.5])
    ws.write_row(4, 0, [NOP_2, "Banjarsari", 150000.5, 200, 0])  # not whole rupiah
    wb.close()
    s = stage_source(SOURCES["pbb_dhkp"], folder, 2023, b"k", wilayah=WILAYAH)
    assert rejections(s) == {("DHKP_2023.xlsx", 5): "pbb_terhutang"}
    assert s.diterima["pbb_terhutang"].iloc[0] == 150000
    assert s.diterima["luas_bangunan"].iloc[0] == 70.5


@pytest.mark.parametrize("name", ["catatan.pdf", "register_lama.xls"])
def test_a_file_neither_csv_nor_xlsx_is_a_failed_file(put, stage_year, name):
    put("layanan", "a.csv", LAYANAN + "R-1;02/01/2023;KK;Banjarsari;Selesai;\n")
    put("layanan", name, "apa saja")
    s = stage_year()["layanan"]
    assert [f.berkas for f in s.laporan.gagal] == [name]
    assert ".csv" in s.laporan.gagal[0].gagal and ".xlsx" in s.laporan.gagal[0].gagal
    assert accepted_rows(s) == [("a.csv", 2)]


def test_payment_failing_both_roll_and_amount_names_the_first_column(put, stage_year):
    # nop (2nd column) is not on the roll and jumlah_bayar (4th) is 0: nop is reported
    put("pbb_dhkp", "dhkp.csv", DHKP + f"{NOP_1};Banjarsari;150.000;;\n")
    put("pbb_pembayaran", "bayar.csv", BAYAR + "T-1;18.72.030.009.009-0009.0;15/03/2023;0;2023\n")
    s = stage_year()["pbb_pembayaran"]
    assert rejections(s) == {("bayar.csv", 2): "nop"}


# ---------------------------------------------------------------- the staged models


def test_a_key_staged_twice_is_a_pipeline_defect(put, stage_year):
    """The Pandera model is the last guard: were a bug to let a duplicate key through,
    the run must fail loudly rather than count the row twice."""
    from pandera.errors import SchemaErrors

    from iku_pipeline.sources.schemas import check_staged

    put("konflik", "k.csv", KONFLIK + "K-1;01/02/2023;Banjarsari;Sengketa;\nK-2;02/02/2023;Banjarsari;Sengketa;\n")
    accepted = stage_year()["konflik"].diterima
    check_staged("konflik", accepted, WILAYAH)  # as staged: fine
    twice = pd.concat([accepted, accepted.iloc[[0]]], ignore_index=True)
    with pytest.raises(SchemaErrors, match="kunci_unique"):
        check_staged("konflik", twice, WILAYAH)



def test_staged_text_of_another_dtype_is_a_pipeline_defect(put, stage_year):
    """The models' text dtype answers once per column (not cell by cell, as Pandera's
    own does): text held other than as Arrow strings still fails, text cells in an
    object column still pass, as with Pandera's check."""
    from pandera.errors import SchemaErrors

    from iku_pipeline.sources.schemas import check_staged

    put("konflik", "k.csv", KONFLIK + "K-1;01/02/2023;Banjarsari;Sengketa;\n")
    accepted = stage_year()["konflik"].diterima
    as_objects = accepted.assign(jenis_konflik=accepted["jenis_konflik"].astype(object))
    check_staged("konflik", as_objects, WILAYAH)
    python_text = accepted.assign(jenis_konflik=accepted["jenis_konflik"].astype("string[python]"))
    with pytest.raises(SchemaErrors, match="jenis_konflik"):
        check_staged("konflik", python_text, WILAYAH)
    numbers = accepted.assign(jenis_konflik=1)
    with pytest.raises(SchemaErrors, match="jenis_konflik"):
        check_staged("konflik", numbers, WILAYAH)

def test_a_staged_source_is_freed_as_soon_as_it_is_let_go(put, stage_year):
    """No reference cycle keeps a staged source's data alive once it is let go (Pandera
    validating a copy and leaving its accessor on it made one): at province scale a
    gigabyte would otherwise linger into the next source's step."""
    import gc
    import weakref

    from iku_pipeline.sources.parsers import arrow

    put("konflik", "k.csv", KONFLIK + "K-1;01/02/2023;Banjarsari;Sengketa;\n")
    staged = stage_year()
    accepted = staged["konflik"].diterima
    held = [weakref.ref(accepted), weakref.ref(arrow(accepted["no_kegiatan"]))]
    gc.disable()  # what is freed must be freed without the cycle collector
    try:
        del staged, accepted
        assert [ref() for ref in held] == [None, None]
    finally:
        gc.enable()


# ---------------------------------------------------------------- cells as Excel and clerks write them


def xlsx_source(tmp_path, source: str, rows: list[list], errors=None):
    """One source's folder holding one workbook of ``rows`` (openpyxl: datetimes as real
    Excel date cells), ``errors`` ({"B2": "#N/A"}) made Excel error cells; staged."""
    import openpyxl

    from iku_pipeline_tests.test_readers import with_error_cells

    folder = tmp_path / source / "2023"
    folder.mkdir(parents=True)
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(folder / "data.xlsx")
    if errors:
        with_error_cells(folder / "data.xlsx", errors)
    return stage_source(SOURCES[source], folder, 2023, b"k", wilayah=WILAYAH)


KONFLIK_HEADER = ["No Kegiatan", "Tanggal", "Kelurahan", "Jenis Konflik", "Hasil"]


def test_an_xlsx_date_column_of_date_time_cells_only_is_each_cell_its_day(tmp_path):
    # pandas would type such a column datetime64; it stays the sheet's Excel dates
    s = xlsx_source(tmp_path, "konflik", [
        KONFLIK_HEADER,
        ["K-1", dt.datetime(2023, 8, 1, 10, 15), "Banjarsari", "tanah", "Selesai"],
        ["K-2", dt.datetime(2023, 8, 2, 16, 40), "Purwosari", "tanah", "Selesai"],
    ])  # fmt: skip
    assert rejections(s) == {}
    assert s.diterima["tanggal"].tolist() == [pd.Timestamp(2023, 8, 1), pd.Timestamp(2023, 8, 2)]


def test_xlsx_error_cells_reject_their_rows_naming_the_error(tmp_path):
    s = xlsx_source(tmp_path, "konflik", [
        KONFLIK_HEADER,
        ["K-1", dt.datetime(2023, 8, 1), "=X", "tanah", "Selesai"],  # row 2
        ["=X", "=X", "=X", "=X", "=X"],  # row 3: Excel errors only
        ["K-3", dt.datetime(2023, 8, 3), "Banjarsari", "tanah", "=X"],  # row 4
        ["K-4", dt.datetime(2023, 8, 4), "Banjarsari", "tanah", "Selesai"],
    ], errors={"C2": "#N/A", "A3": "#REF!", "B3": "#DIV/0!", "C3": "#N/A", "D3": "#N/A",
               "E3": "#N/A", "E4": "#VALUE!"})  # fmt: skip
    assert rejections(s) == {
        ("data.xlsx", 2): "kelurahan", ("data.xlsx", 3): "no_kegiatan", ("data.xlsx", 4): "hasil",
    }  # fmt: skip
    assert reason(s, "data.xlsx", 2) == "kelurahan berisi galat Excel #N/A"
    assert reason(s, "data.xlsx", 3) == "no_kegiatan berisi galat Excel #REF!"
    assert reason(s, "data.xlsx", 4) == "hasil berisi galat Excel #VALUE!"
    isi = json.loads(s.ditolak["isi_baris"].iloc[1])
    assert list(isi.values()) == ["#REF!", "#DIV/0!", "#N/A", "#N/A", "#N/A"]
    assert accepted_rows(s) == [("data.xlsx", 5)]
    assert s.laporan.berkas[0].dibaca == 4  # rows read = accepted + rejected


def test_an_xlsx_nop_typed_as_a_number_is_rejected_never_read_with_wrong_digits(tmp_path):
    s = xlsx_source(tmp_path, "pbb_dhkp", [
        ["NOP", "Kelurahan", "PBB Terhutang"],
        [187203000100100011, "Banjarsari", 150000],  # Excel keeps 1.87203000100100e+17
        [NOP_2, "Banjarsari", 150000],
    ])  # fmt: skip
    assert rejections(s) == {("data.xlsx", 2): "nop"}
    assert reason(s, "data.xlsx", 2).startswith(
        "NOP 187203000100100000 tersimpan sebagai angka di Excel"
    )
    assert s.diterima["nop"].tolist() == ["187203000100100020"]


def test_an_xlsx_key_typed_as_a_long_number_is_rejected_a_short_one_is_its_digits(tmp_path):
    s = xlsx_source(tmp_path, "konflik", [
        KONFLIK_HEADER,
        [20230001, dt.datetime(2023, 8, 1), "Banjarsari", "tanah", "Selesai"],
        [2**53 + 1, dt.datetime(2023, 8, 2), "Banjarsari", "tanah", "Selesai"],
        [2**53, dt.datetime(2023, 8, 3), "Banjarsari", "tanah", "Selesai"],  # one float
    ])  # fmt: skip
    assert rejections(s) == {("data.xlsx", 3): "no_kegiatan", ("data.xlsx", 4): "no_kegiatan"}
    assert "9007199254740992 tersimpan sebagai angka di Excel" in reason(s, "data.xlsx", 4)
    assert s.diterima["no_kegiatan"].tolist() == ["20230001"]


def test_an_xlsx_amount_with_floating_point_noise_is_the_amount_excel_shows(tmp_path):
    s = xlsx_source(tmp_path, "pbb_dhkp", [
        ["NOP", "Kelurahan", "PBB Terhutang", "Luas Bumi"],
        [NOP_1, "Banjarsari", 300000.00000000006, 200.00000000000003],  # formula results
        [NOP_2, "Banjarsari", 150000.5, 200],
    ])  # fmt: skip
    assert rejections(s) == {("data.xlsx", 3): "pbb_terhutang"}
    assert s.diterima["pbb_terhutang"].tolist() == [300000]
    assert s.diterima["luas_bumi"].tolist() == [200.0]


def test_values_written_with_non_breaking_spaces_are_read_as_with_spaces(put, stage_year):
    nb = "\u00a0"
    put("layanan", "reg.csv", LAYANAN
        + f"R-1;31{nb}Januari{nb}2023;Kartu{nb}Keluarga;Kel.{nb}Banjarsari;Dalam{nb}Proses;\n")  # fmt: skip
    put("pbb_dhkp", "dhkp.csv", DHKP + f"{NOP_1};Banjarsari;Rp{nb}150.000;1{nb}200;0\n")
    put("konflik", "k.csv", KONFLIK + f"K-1;01/02/2023;Banjarsari;Sengketa;Belum{nb}Selesai\n")
    staged = stage_year()
    layanan = staged["layanan"]
    assert rejections(layanan) == {}
    assert layanan.laporan.info["jenis_layanan_tidak_dikenal"] == {}
    assert layanan.diterima["tanggal_masuk"].tolist() == [pd.Timestamp(2023, 1, 31)]
    assert layanan.diterima["kategori"].tolist() == ["KK_KTP"]
    assert layanan.diterima["diproses"].tolist() == [False]
    assert staged["pbb_dhkp"].diterima["pbb_terhutang"].tolist() == [150000]
    assert staged["pbb_dhkp"].diterima["luas_bumi"].tolist() == [1200.0]
    assert staged["konflik"].diterima["hasil"].tolist() == ["Belum Selesai"]


def test_extra_columns_named_as_derived_columns_are_kept_beside_them(put, stage_year):
    # §2: extra columns are kept in staging; layanan derives kategori and diproses, and
    # every source stages its key as compared, _kunci
    put("layanan", "reg.csv", LAYANAN.replace("\n", ";kategori;Diproses;_kunci\n")
        + "R-1;02/01/2023;KK;Banjarsari;Proses;;umum;sudah;baris satu\n")  # fmt: skip
    a = stage_year()["layanan"].diterima
    assert a["kategori"].tolist() == ["KK_KTP"] and a["diproses"].tolist() == [False]
    assert a["_kunci"].tolist() == ["r-1"]
    assert a[["kategori_7", "Diproses", "_kunci_9"]].values.tolist() == [["umum", "sudah", "baris satu"]]


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_every_column_staging_adds_is_one_no_extra_column_is_named_as(source):
    """The columns staging adds to a file's, beyond the contract's (the key as compared,
    a source's derived columns), are the ones the reader keeps extra columns apart from
    (``readers.DERIVED_COLUMNS``): a column derived one day cannot overwrite a file's."""
    from pathlib import Path

    from iku_pipeline.model import KEY
    from iku_pipeline.sources.readers import DERIVED_COLUMNS, list_files, read_file

    folder = Path(__file__).parent / "fixtures" / "data" / "raw" / source / "2023"
    spec = SOURCES[source]
    read = set().union(*(read_file(p, spec, b"k").frame.columns for p in list_files(folder)))
    staged = stage_source(spec, folder, 2023, b"k", wilayah=WILAYAH).diterima
    added = set(staged.columns) - read - spec.names - {KEY}
    assert added == set(DERIVED_COLUMNS.get(source, ()))
