"""docs/data-contract.md §9: the roll (``pbb_dhkp``) and the payments (``pbb_pembayaran``) in
SISMIOP's own layouts, and Oracle's date forms in every reader.

Every extract is a few CSV lines (or a small workbook) written beside the assertion, as
in test_validate.py; the expectations are worked out by hand from the rules of §9. The
first line of a CSV is row 1, so the first data row under a header is row 2.
"""

import datetime as dt
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from iku_pipeline.indicators.compute import compute_realisasi
from iku_pipeline.sources import parsers
from iku_pipeline.sources.readers import FileFailed, read_file
from iku_pipeline.sources.specs import NOP_PARTS, SOURCES
from iku_pipeline_tests.common import WILAYAH

PARTS = [name for name, _ in NOP_PARTS]
WIDTH = dict(NOP_PARTS)

SPPT_COLUMNS = [*PARTS, "THN_PAJAK_SPPT", "NM_WP_SPPT", "LUAS_BUMI_SPPT", "LUAS_BNG_SPPT",
                "PBB_YG_HARUS_DIBAYAR_SPPT", "TGL_JATUH_TEMPO_SPPT"]  # fmt: skip
BAYAR_COLUMNS = [*PARTS, "THN_PAJAK_SPPT", "PEMBAYARAN_SPPT_KE", "TGL_PEMBAYARAN_SPPT",
                 "JML_SPPT_YG_DIBAYAR", "DENDA_SPPT"]  # fmt: skip

# The contract's own layout (§3), as in test_validate.py.
DHKP = "NOP;Kelurahan;PBB Terhutang;Luas Bumi;Luas Bangunan\n"
BAYAR = "No Transaksi;NOP;Tanggal Bayar;Jumlah Bayar;Tahun Pajak\n"

# NOP 18.72.030.001.001-0001.0 as SISMIOP exports lose its leading zeros.
SHORT = {"KD_PROPINSI": "18", "KD_DATI2": "72", "KD_KECAMATAN": "30", "KD_KELURAHAN": "1",
         "KD_BLOK": "1", "NO_URUT": "1", "KD_JNS_OP": "0"}  # fmt: skip
NOP_1 = "187203000100100010"


def header(columns, extra=()) -> str:
    return ";".join([*columns, *extra]) + "\n"


def sppt(extra=(), **cells) -> str:
    """A roll row in SISMIOP's layout: Banjarsari's NOP_1, tax year 2023, Rp 150.000."""
    row = {**SHORT, "THN_PAJAK_SPPT": "2023", "NM_WP_SPPT": "Budi Santoso",
           "LUAS_BUMI_SPPT": "120", "LUAS_BNG_SPPT": "36",
           "PBB_YG_HARUS_DIBAYAR_SPPT": "150.000", "TGL_JATUH_TEMPO_SPPT": "31-AUG-23"}
    row.update(cells)
    return ";".join([row[c] for c in SPPT_COLUMNS] + list(extra)) + "\n"


def bayar(**cells) -> str:
    """A payment row in SISMIOP's layout: NOP_1's first payment of 2023, Rp 150.000."""
    row = {**SHORT, "THN_PAJAK_SPPT": "2023", "PEMBAYARAN_SPPT_KE": "1",
           "TGL_PEMBAYARAN_SPPT": "15-AUG-23", "JML_SPPT_YG_DIBAYAR": "150.000",
           "DENDA_SPPT": ""}
    row.update(cells)
    return ";".join(row[c] for c in BAYAR_COLUMNS) + "\n"


def parts_of(nop: str) -> dict[str, str]:
    """The seven parts of an 18-digit NOP, leading zeros dropped as exports do."""
    out, at = {}, 0
    for name, width in NOP_PARTS:
        out[name] = str(int(nop[at : at + width]))
        at += width
    return out


def rejections(staged):
    """{(berkas, baris): kolom} of a staged source."""
    r = staged.ditolak
    return {(b, int(n)): k for b, n, k in zip(r["berkas"], r["baris"], r["kolom"])}


def reason(staged, berkas, baris):
    r = staged.ditolak
    hit = r[(r["berkas"] == berkas) & (r["baris"] == baris)]
    assert len(hit) == 1, f"{berkas} row {baris} not rejected once: {rejections(staged)}"
    return hit["alasan"].iloc[0]


def accepted(staged, *columns):
    a = staged.diterima
    return sorted(zip(a["_berkas"].astype(str), a["_baris"].astype(int), *(a[c] for c in columns)))


def roll_with_nop_1(put):
    put("pbb_dhkp", "dhkp.csv", header(SPPT_COLUMNS) + sppt())


# ---------------------------------------------------------------- which layout


def test_a_header_with_the_seven_parts_and_no_nop_is_read_as_sismiop(put, stage_year):
    put("pbb_dhkp", "sppt.csv", "DHKP PBB-P2 TAHUN 2023\n\n" + header(SPPT_COLUMNS) + sppt())
    s = stage_year()["pbb_dhkp"]
    assert rejections(s) == {}
    assert accepted(s, "nop", "kelurahan", "pbb_terhutang") == [
        ("sppt.csv", 4, NOP_1, "Banjarsari", 150_000)
    ]


def test_sismiop_headers_are_folded_as_in_section_2(put, stage_year):
    written = ["kd propinsi", "Kd-Dati2", "KD.KECAMATAN", "kd_kelurahan", " KD  BLOK ",
               "No_Urut", "KD__JNS_OP", "thn pajak sppt", "Pbb_Yg_Harus_Dibayar_Sppt"]  # fmt: skip
    line = ";".join([*SHORT.values(), "2023", "150.000"]) + "\n"
    put("pbb_dhkp", "sppt.csv", ";".join(written) + "\n" + line)
    s = stage_year()["pbb_dhkp"]
    assert accepted(s, "nop") == [("sppt.csv", 2, NOP_1)]


def test_a_file_with_a_nop_column_is_read_in_the_contract_layout_even_with_the_parts(
    put, stage_year
):
    # The parts are then extra columns, and the contract's columns are required.
    put(
        "pbb_dhkp",
        "dhkp.csv",
        header(["NOP", "Kelurahan", "PBB Terhutang", *PARTS])
        + f"18.72.030.002.001-0001.0;Purwosari;150.000;{';'.join(SHORT.values())}\n",
    )
    s = stage_year()["pbb_dhkp"]
    assert accepted(s, "nop", "kelurahan", "KD_KELURAHAN") == [
        ("dhkp.csv", 2, "187203000200100010", "Purwosari", "1")
    ]


def test_a_sismiop_header_with_a_nop_column_but_without_the_contract_columns_fails(
    put, stage_year
):
    put("pbb_dhkp", "sppt.csv", header(SPPT_COLUMNS, ["NOP"]) + sppt([NOP_1]))
    s = stage_year()["pbb_dhkp"]
    (failed,) = s.laporan.gagal
    assert failed.berkas == "sppt.csv"
    assert failed.gagal.startswith(
        "baris judul kolom tidak memuat kolom wajib: kelurahan, pbb_terhutang"
    )
    assert "SISMIOP" in failed.gagal


def test_a_sismiop_header_missing_a_required_column_is_a_failed_file_naming_it(put, stage_year):
    columns = [c for c in SPPT_COLUMNS if c != "PBB_YG_HARUS_DIBAYAR_SPPT"]
    put("pbb_dhkp", "a.csv", header(columns) + ";".join(["1"] * len(columns)) + "\n")
    put("pbb_dhkp", "b.csv", header(SPPT_COLUMNS) + sppt())
    s = stage_year()["pbb_dhkp"]
    (failed,) = s.laporan.gagal
    assert (failed.berkas, failed.gagal) == (
        "a.csv",
        "baris judul kolom ekspor SISMIOP tidak memuat kolom wajib: PBB_YG_HARUS_DIBAYAR_SPPT",
    )
    assert accepted(s, "nop") == [("b.csv", 2, NOP_1)]  # the other file is still read


def test_the_header_is_searched_in_the_first_10_rows_for_either_layout(put, stage_year):
    put("pbb_dhkp", "sppt.csv", "judul\n" * 10 + header(SPPT_COLUMNS) + sppt())
    s = stage_year()["pbb_dhkp"]
    assert "tidak ditemukan baris judul kolom" in s.laporan.gagal[0].gagal
    assert "KD_PROPINSI" in s.laporan.gagal[0].gagal  # the SISMIOP columns are named too


# ---------------------------------------------------------------- the NOP from its parts


@pytest.mark.parametrize(
    "cells",
    [
        SHORT,
        {"KD_PROPINSI": "18", "KD_DATI2": "72", "KD_KECAMATAN": "030", "KD_KELURAHAN": "001",
         "KD_BLOK": "001", "NO_URUT": "0001", "KD_JNS_OP": "0"},
        {"KD_KECAMATAN": " 30 ", "KD_KELURAHAN": "01", "KD_BLOK": "01", "NO_URUT": "001"},
    ],
    ids=["leading-zeros-lost", "as-padded", "partly-padded"],
)  # fmt: skip
def test_parts_are_left_padded_to_2_2_3_3_3_4_1_digits(put, stage_year, cells):
    put("pbb_dhkp", "sppt.csv", header(SPPT_COLUMNS) + sppt(**cells))
    s = stage_year()["pbb_dhkp"]
    # 18 | 72 | 030 | 001 | 001 | 0001 | 0
    assert accepted(s, "nop") == [("sppt.csv", 2, "187203000100100010")]


def test_each_part_has_its_own_width(put, stage_year):
    cells = {"KD_PROPINSI": "9", "KD_DATI2": "8", "KD_KECAMATAN": "30", "KD_KELURAHAN": "2",
             "KD_BLOK": "45", "NO_URUT": "678", "KD_JNS_OP": "7"}  # fmt: skip
    put("pbb_dhkp", "sppt.csv", header(SPPT_COLUMNS) + sppt(**cells))
    s = stage_year()["pbb_dhkp"]
    # 09 | 08 | 030 | 002 | 045 | 0678 | 7
    assert accepted(s, "nop", "kelurahan") == [("sppt.csv", 2, "090803000204506787", "Purwosari")]


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize(
    "value, says",
    [
        ("", "{part} wajib diisi tetapi kosong"),
        ("1A", "{part} '1A' harus berisi angka saja"),
        ("-1", "{part} '-1' harus berisi angka saja"),
        ("1.0", "{part} '1.0' harus berisi angka saja"),
        ("too long", "{part} '{long}' lebih dari {width} angka"),
    ],
    ids=["empty", "letter", "negative", "decimal", "too-long"],
)
def test_a_bad_part_rejects_the_row_under_that_part(put, stage_year, part, value, says):
    long = "1" * (WIDTH[part] + 1)
    value = long if value == "too long" else value
    put("pbb_dhkp", "sppt.csv", header(SPPT_COLUMNS) + sppt(**{part: value}))
    s = stage_year()["pbb_dhkp"]
    assert rejections(s) == {("sppt.csv", 2): part}
    assert reason(s, "sppt.csv", 2) == says.format(part=part, long=long, width=WIDTH[part])


def test_the_first_failing_part_is_the_leftmost_in_the_file(put, stage_year):
    put("pbb_dhkp", "sppt.csv", header(SPPT_COLUMNS) + sppt(KD_BLOK="1234", NO_URUT="x"))
    assert rejections(stage_year()["pbb_dhkp"]) == {("sppt.csv", 2): "KD_BLOK"}


def test_a_payment_part_rejects_under_that_part(put, stage_year):
    roll_with_nop_1(put)
    put("pbb_pembayaran", "bayar.csv", header(BAYAR_COLUMNS) + bayar(NO_URUT="12345"))
    s = stage_year()["pbb_pembayaran"]
    assert rejections(s) == {("bayar.csv", 2): "NO_URUT"}
    assert reason(s, "bayar.csv", 2) == "NO_URUT '12345' lebih dari 4 angka"


# ---------------------------------------------------------------- the roll's kelurahan


@pytest.mark.parametrize(
    "kec, kel, nama",
    [("30", "1", "Banjarsari"), ("30", "2", "Purwosari"), ("030", "003", "Karangrejo"),
     ("30", "4", "Purwoasri")],
)  # fmt: skip
def test_the_kelurahan_comes_from_the_codes_through_the_table(put, stage_year, kec, kel, nama):
    put("pbb_dhkp", "sppt.csv", header(SPPT_COLUMNS) + sppt(KD_KECAMATAN=kec, KD_KELURAHAN=kel))
    s = stage_year()["pbb_dhkp"]
    assert accepted(s, "kelurahan") == [("sppt.csv", 2, nama)]
    assert s.diterima["kelurahan"].dtype == WILAYAH.dtype


def test_an_unknown_kelurahan_code_rejects_under_kd_kelurahan(put, stage_year):
    put("pbb_dhkp", "sppt.csv", header(SPPT_COLUMNS) + sppt(KD_KELURAHAN="9"))
    s = stage_year()["pbb_dhkp"]
    assert rejections(s) == {("sppt.csv", 2): "KD_KELURAHAN"}
    assert reason(s, "sppt.csv", 2) == (
        "kode kecamatan 030 / kelurahan 009 tidak ada dalam reference/kelurahan.csv"
    )


def test_an_unknown_kecamatan_code_rejects_under_kd_kecamatan(put, stage_year):
    # 031/001: no kelurahan of the table has kecamatan code 031 (kelurahan 001 exists in 030).
    put("pbb_dhkp", "sppt.csv", header(SPPT_COLUMNS) + sppt(KD_KECAMATAN="31"))
    s = stage_year()["pbb_dhkp"]
    assert rejections(s) == {("sppt.csv", 2): "KD_KECAMATAN"}
    assert reason(s, "sppt.csv", 2) == (
        "kode kecamatan 031 tidak ada dalam reference/kelurahan.csv "
        "(bukan Kecamatan Metro Utara)"
    )


@pytest.mark.parametrize(
    "cell, kolom",
    [("Banjarsari", None), ("KEL. BANJARSARI", None), ("", None), ("   ", None),
     ("Purwosari", "kelurahan"), ("Metro Pusat", "kelurahan")],
    ids=["agrees", "agrees-spelt-otherwise", "empty", "blank", "disagrees", "unknown"],
)  # fmt: skip
def test_a_kelurahan_column_must_agree_with_the_codes_when_not_empty(put, stage_year, cell, kolom):
    put("pbb_dhkp", "sppt.csv", header(SPPT_COLUMNS, ["Kelurahan"]) + sppt([cell]))
    s = stage_year()["pbb_dhkp"]
    if kolom is None:
        assert accepted(s, "kelurahan") == [("sppt.csv", 2, "Banjarsari")]
    else:
        assert rejections(s) == {("sppt.csv", 2): "kelurahan"}


def test_a_disagreeing_kelurahan_names_both(put, stage_year):
    put("pbb_dhkp", "sppt.csv", header(SPPT_COLUMNS, ["KELURAHAN"]) + sppt(["Purwosari"]))
    assert reason(stage_year()["pbb_dhkp"], "sppt.csv", 2) == (
        "kelurahan 'Purwosari' tidak sesuai dengan kode kecamatan 030 / kelurahan 001 "
        "(Banjarsari)"
    )


def test_the_kelurahan_table_decides_the_codes(tmp_path):
    # The table, not the code, names the kelurahan: swap the codes of two of them.
    from iku_pipeline.model import Kelurahan, Wilayah

    swap = {"001": "002", "002": "001"}
    swapped = Wilayah(tuple(
        Kelurahan(k.kode, k.nama, k.kd_kecamatan, swap.get(k.kd_kelurahan, k.kd_kelurahan))
        for k in WILAYAH.kelurahan
    ))  # fmt: skip
    staged = _stage_one(tmp_path, "pbb_dhkp", header(SPPT_COLUMNS) + sppt(), wilayah=swapped)
    assert list(staged["kelurahan"]) == ["Purwosari"]


# ---------------------------------------------------------------- the roll's other columns


def test_thn_pajak_sppt_must_be_the_partition_year(put, stage_year):
    put(
        "pbb_dhkp",
        "sppt.csv",
        header(SPPT_COLUMNS)
        + sppt(THN_PAJAK_SPPT="2022")
        + sppt(THN_PAJAK_SPPT="", NO_URUT="2")
        + sppt(THN_PAJAK_SPPT="23", NO_URUT="3")
        + sppt(THN_PAJAK_SPPT="2023", NO_URUT="4"),
    )
    s = stage_year()["pbb_dhkp"]
    assert rejections(s) == {("sppt.csv", r): "THN_PAJAK_SPPT" for r in (2, 3, 4)}
    assert reason(s, "sppt.csv", 2) == "THN_PAJAK_SPPT 2022 bukan tahun 2023"
    assert reason(s, "sppt.csv", 3) == "THN_PAJAK_SPPT wajib diisi tetapi kosong"
    assert reason(s, "sppt.csv", 4) == "THN_PAJAK_SPPT 23 bukan tahun yang valid"
    assert accepted(s, "nop") == [("sppt.csv", 5, "187203000100100040")]


def test_the_sppt_columns_are_staged_as_the_contract_columns(put, stage_year):
    put(
        "pbb_dhkp",
        "sppt.csv",
        header(SPPT_COLUMNS, ["NJOP_SPPT"])
        + sppt(["150.000.000"], LUAS_BUMI_SPPT="1.200", LUAS_BNG_SPPT="36,5",
               PBB_YG_HARUS_DIBAYAR_SPPT="Rp 150.000", TGL_JATUH_TEMPO_SPPT="31-AGU-2023")
        + sppt(["0"], NO_URUT="2", LUAS_BUMI_SPPT="", LUAS_BNG_SPPT="",
               PBB_YG_HARUS_DIBAYAR_SPPT="0", TGL_JATUH_TEMPO_SPPT="", NM_WP_SPPT=""),
    )  # fmt: skip
    s = stage_year()["pbb_dhkp"]
    a = s.diterima
    assert list(a["pbb_terhutang"]) == [150_000, 0]
    assert list(a["luas_bumi"].astype(object)) == [1200.0, pd.NA]
    assert list(a["luas_bangunan"].astype(object)) == [36.5, pd.NA]
    assert list(a["jatuh_tempo"]) == [pd.Timestamp(2023, 8, 31), pd.NaT]
    assert list(a["NJOP_SPPT"]) == ["150.000.000", "0"]  # an extra column, kept as text


@pytest.mark.parametrize(
    "cells, kolom, says",
    [
        ({"PBB_YG_HARUS_DIBAYAR_SPPT": ""}, "PBB_YG_HARUS_DIBAYAR_SPPT",
         "PBB_YG_HARUS_DIBAYAR_SPPT wajib diisi tetapi kosong"),
        ({"PBB_YG_HARUS_DIBAYAR_SPPT": "-5.000"}, "PBB_YG_HARUS_DIBAYAR_SPPT",
         "PBB_YG_HARUS_DIBAYAR_SPPT -5.000 tidak boleh negatif"),
        ({"PBB_YG_HARUS_DIBAYAR_SPPT": "150.000,50"}, "PBB_YG_HARUS_DIBAYAR_SPPT",
         "PBB_YG_HARUS_DIBAYAR_SPPT 150.000,50 bukan rupiah bulat (ada angka desimal)"),
        ({"LUAS_BUMI_SPPT": "-1"}, "LUAS_BUMI_SPPT", "LUAS_BUMI_SPPT -1 tidak boleh negatif"),
        ({"LUAS_BNG_SPPT": "abc"}, "LUAS_BNG_SPPT", "LUAS_BNG_SPPT abc bukan angka yang dikenali"),
        ({"TGL_JATUH_TEMPO_SPPT": "31-FEB-23"}, "TGL_JATUH_TEMPO_SPPT",
         "tanggal 31-FEB-23 tidak valid"),
    ],
)  # fmt: skip
def test_the_sppt_columns_keep_their_contract_rules_under_their_own_names(
    put, stage_year, cells, kolom, says
):
    put("pbb_dhkp", "sppt.csv", header(SPPT_COLUMNS) + sppt(**cells))
    s = stage_year()["pbb_dhkp"]
    assert rejections(s) == {("sppt.csv", 2): kolom}
    assert reason(s, "sppt.csv", 2) == says


def test_the_taxpayer_name_is_masked_and_hashed_like_nama_wp(put, stage_year):
    put(
        "pbb_dhkp",
        "sppt.csv",
        header(SPPT_COLUMNS, ["NPWP_SPPT", "SUBJEK_PAJAK_ID"])
        + sppt(["09.254.294.3-407.000", "1872031203850001"])
        + sppt(["", ""], NO_URUT="2", PBB_YG_HARUS_DIBAYAR_SPPT="-1"),
    )
    s = stage_year()["pbb_dhkp"]
    a = s.diterima
    assert list(a["nama_wp"]) == ["B*** S******"]
    assert list(a["NPWP_SPPT"]) == ["09.254**********.000"]
    assert list(a["SUBJEK_PAJAK_ID"]) == ["187203******0001"]
    assert a["nama_wp_hash"].str.fullmatch(r"[0-9a-f]{32}").all()
    assert "NM_WP_SPPT_hash" not in a
    isi = json.loads(s.ditolak["isi_baris"].iloc[0])
    assert isi["NM_WP_SPPT"] == "B*** S******"
    everything = a.astype(str).to_string() + s.ditolak.to_string()
    for secret in ("Budi", "Santoso", "1203850001", "294.3-407"):
        assert secret not in everything


def test_a_sismiop_roll_is_staged_as_the_same_roll_in_the_contract_layout(tmp_path):
    sismiop = _stage_one(tmp_path / "sismiop", "pbb_dhkp", header(SPPT_COLUMNS) + sppt())
    contract = _stage_one(
        tmp_path / "contract", "pbb_dhkp",
        "NOP;Kelurahan;PBB Terhutang;Nama Wajib Pajak;Luas Bumi;Luas Bangunan;Jatuh Tempo\n"
        "18.72.030.001.001-0001.0;Banjarsari;150.000;Budi Santoso;120;36;31/08/2023\n",
    )  # fmt: skip
    assert dict(sismiop.dtypes) == dict(contract.dtypes)
    pd.testing.assert_frame_equal(sismiop, contract)


def _stage_one(folder: Path, source: str, text: str, wilayah=WILAYAH):
    """The accepted rows of one file ``f.csv`` of ``source`` (no references)."""
    from iku_pipeline.sources.validate import stage_source

    path = folder / "raw" / source / "2023" / "f.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return stage_source(SOURCES[source], path.parent, 2023, b"kunci-uji", wilayah=wilayah).diterima


# ---------------------------------------------------------------- payments


def test_payments_are_keyed_by_nop_tax_year_and_payment_number(put, stage_year):
    roll_with_nop_1(put)
    put(
        "pbb_pembayaran",
        "bayar.csv",
        header(BAYAR_COLUMNS)
        + bayar(PEMBAYARAN_SPPT_KE="1", JML_SPPT_YG_DIBAYAR="50.000")
        + bayar(PEMBAYARAN_SPPT_KE="2", JML_SPPT_YG_DIBAYAR="100.000")
        + bayar(PEMBAYARAN_SPPT_KE="01", JML_SPPT_YG_DIBAYAR="50.000")  # = payment 1
        + bayar(PEMBAYARAN_SPPT_KE="1", THN_PAJAK_SPPT="2022", JML_SPPT_YG_DIBAYAR="90.000"),
    )
    s = stage_year()["pbb_pembayaran"]
    assert accepted(s, "no_transaksi", "jumlah_bayar", "tahun_pajak") == [
        ("bayar.csv", 2, f"{NOP_1}/2023/1", 50_000, 2023),
        ("bayar.csv", 3, f"{NOP_1}/2023/2", 100_000, 2023),
        ("bayar.csv", 5, f"{NOP_1}/2022/1", 90_000, 2022),
    ]
    assert rejections(s) == {("bayar.csv", 4): ""}
    assert reason(s, "bayar.csv", 4) == (
        f"duplikat: NOP/THN_PAJAK_SPPT/PEMBAYARAN_SPPT_KE '{NOP_1}/2023/1' sudah ada di "
        "bayar.csv baris 2"
    )


def test_a_duplicate_payment_in_a_later_file_names_the_first(put, stage_year):
    roll_with_nop_1(put)
    put("pbb_pembayaran", "a.csv", header(BAYAR_COLUMNS) + bayar())
    later = bayar(KD_BLOK="001", TGL_PEMBAYARAN_SPPT="16-AUG-23")  # the same NOP, year, ke
    put("pbb_pembayaran", "b.csv", header(BAYAR_COLUMNS) + later)
    s = stage_year()["pbb_pembayaran"]
    assert rejections(s) == {("b.csv", 2): ""}
    assert reason(s, "b.csv", 2).endswith("sudah ada di a.csv baris 2")


@pytest.mark.parametrize(
    "ke, says",
    [("", "PEMBAYARAN_SPPT_KE wajib diisi tetapi kosong"),
     ("0", "PEMBAYARAN_SPPT_KE 0 harus paling sedikit 1"),
     ("1,5", "PEMBAYARAN_SPPT_KE 1,5 bukan bilangan bulat"),
     ("ke-1", "PEMBAYARAN_SPPT_KE ke-1 bukan angka yang dikenali")],
)  # fmt: skip
def test_pembayaran_sppt_ke_is_a_whole_number_of_at_least_1(put, stage_year, ke, says):
    roll_with_nop_1(put)
    put("pbb_pembayaran", "bayar.csv", header(BAYAR_COLUMNS) + bayar(PEMBAYARAN_SPPT_KE=ke))
    s = stage_year()["pbb_pembayaran"]
    assert rejections(s) == {("bayar.csv", 2): "PEMBAYARAN_SPPT_KE"}
    assert reason(s, "bayar.csv", 2) == says


@pytest.mark.parametrize(
    "jml, denda, counted",
    [("150.000", "", 150_000), ("153.000", "3.000", 150_000), ("Rp 10.500", "Rp500", 10_000),
     ("10.000", "0", 10_000)],
)  # fmt: skip
def test_the_amount_that_counts_is_jml_minus_denda(put, stage_year, jml, denda, counted):
    roll_with_nop_1(put)
    put("pbb_pembayaran", "bayar.csv",
        header(BAYAR_COLUMNS) + bayar(JML_SPPT_YG_DIBAYAR=jml, DENDA_SPPT=denda))  # fmt: skip
    s = stage_year()["pbb_pembayaran"]
    assert accepted(s, "jumlah_bayar") == [("bayar.csv", 2, counted)]


@pytest.mark.parametrize(
    "jml, denda, kolom, says",
    [
        ("10.000", "10.000", "JML_SPPT_YG_DIBAYAR",
         "jumlah dibayar dikurangi denda harus lebih dari 0 "
         "(JML_SPPT_YG_DIBAYAR 10.000, DENDA_SPPT 10.000)"),
        ("5.000", "6.000", "JML_SPPT_YG_DIBAYAR",
         "jumlah dibayar dikurangi denda harus lebih dari 0 "
         "(JML_SPPT_YG_DIBAYAR 5.000, DENDA_SPPT 6.000)"),
        ("0", "", "JML_SPPT_YG_DIBAYAR",
         "jumlah dibayar dikurangi denda harus lebih dari 0 "
         "(JML_SPPT_YG_DIBAYAR 0, DENDA_SPPT 0)"),
        ("-5.000", "", "JML_SPPT_YG_DIBAYAR",
         "jumlah dibayar dikurangi denda harus lebih dari 0 "
         "(JML_SPPT_YG_DIBAYAR -5.000, DENDA_SPPT 0)"),
        ("", "1.000", "JML_SPPT_YG_DIBAYAR", "JML_SPPT_YG_DIBAYAR wajib diisi tetapi kosong"),
        ("10.000,50", "", "JML_SPPT_YG_DIBAYAR",
         "JML_SPPT_YG_DIBAYAR 10.000,50 bukan rupiah bulat (ada angka desimal)"),
        ("10.000", "-1.000", "DENDA_SPPT", "DENDA_SPPT -1.000 tidak boleh negatif"),
        ("10.000", "seribu", "DENDA_SPPT", "DENDA_SPPT seribu bukan angka yang dikenali"),
    ],
)  # fmt: skip
def test_jml_minus_denda_must_be_above_zero(put, stage_year, jml, denda, kolom, says):
    roll_with_nop_1(put)
    put("pbb_pembayaran", "bayar.csv",
        header(BAYAR_COLUMNS) + bayar(JML_SPPT_YG_DIBAYAR=jml, DENDA_SPPT=denda))  # fmt: skip
    s = stage_year()["pbb_pembayaran"]
    assert rejections(s) == {("bayar.csv", 2): kolom}
    assert reason(s, "bayar.csv", 2) == says


def test_a_payment_file_without_denda_counts_jml_in_full(put, stage_year):
    roll_with_nop_1(put)
    columns = BAYAR_COLUMNS[:-1]
    put("pbb_pembayaran", "bayar.csv", header(columns) + bayar()[: bayar().rindex(";")] + "\n")
    assert accepted(stage_year()["pbb_pembayaran"], "jumlah_bayar") == [("bayar.csv", 2, 150_000)]


@pytest.mark.parametrize(
    "cells, kolom, says",
    [
        ({"THN_PAJAK_SPPT": ""}, "THN_PAJAK_SPPT", "THN_PAJAK_SPPT wajib diisi tetapi kosong"),
        ({"THN_PAJAK_SPPT": "22"}, "THN_PAJAK_SPPT", "THN_PAJAK_SPPT 22 bukan tahun yang valid"),
        ({"TGL_PEMBAYARAN_SPPT": ""}, "TGL_PEMBAYARAN_SPPT",
         "TGL_PEMBAYARAN_SPPT wajib diisi tetapi kosong"),
        ({"TGL_PEMBAYARAN_SPPT": "02-JAN-24"}, "TGL_PEMBAYARAN_SPPT",
         "tanggal 02-JAN-24 di luar tahun 2023"),
        ({"TGL_PEMBAYARAN_SPPT": "31/12/2022"}, "TGL_PEMBAYARAN_SPPT",
         "tanggal 31/12/2022 di luar tahun 2023"),
    ],
)  # fmt: skip
def test_the_payment_columns_keep_their_rules_under_their_own_names(
    put, stage_year, cells, kolom, says
):
    roll_with_nop_1(put)
    put("pbb_pembayaran", "bayar.csv", header(BAYAR_COLUMNS) + bayar(**cells))
    s = stage_year()["pbb_pembayaran"]
    assert rejections(s) == {("bayar.csv", 2): kolom}
    assert reason(s, "bayar.csv", 2) == says


def test_a_payment_of_the_year_must_name_a_nop_of_the_roll_under_kolom_nop(put, stage_year):
    roll_with_nop_1(put)
    put(
        "pbb_pembayaran",
        "bayar.csv",
        header(BAYAR_COLUMNS)
        + bayar(NO_URUT="2")  # 2023: not on the roll
        + bayar(NO_URUT="2", THN_PAJAK_SPPT="2022")  # arrears: not checked
        + bayar(NO_URUT="3", TGL_PEMBAYARAN_SPPT="02-JAN-24"),  # both: nop is left of TGL
    )
    s = stage_year()["pbb_pembayaran"]
    assert rejections(s) == {("bayar.csv", 2): "nop", ("bayar.csv", 4): "nop"}
    assert reason(s, "bayar.csv", 2) == (
        "nop '187203000100100020' tidak ada dalam DHKP PBB tahun 2023"
    )
    assert accepted(s, "nop", "tahun_pajak") == [("bayar.csv", 3, "187203000100100020", 2022)]


def test_a_payment_without_a_roll_delivered_says_so(put, stage_year):
    put("pbb_pembayaran", "bayar.csv", header(BAYAR_COLUMNS) + bayar())
    s = stage_year()["pbb_pembayaran"]
    assert reason(s, "bayar.csv", 2).endswith("tahun 2023 (belum diserahkan)")


def test_payment_codes_are_not_looked_up_in_the_kelurahan_table(put, stage_year):
    # Kecamatan 099 names no kelurahan of the table; an arrears payment is not checked
    # against the roll either, so nothing rejects it.
    roll_with_nop_1(put)
    arrears = bayar(KD_KECAMATAN="99", KD_KELURAHAN="9", THN_PAJAK_SPPT="2021")
    put("pbb_pembayaran", "bayar.csv", header(BAYAR_COLUMNS) + arrears)
    s = stage_year()["pbb_pembayaran"]
    assert accepted(s, "nop") == [("bayar.csv", 2, "187209900900100010")]
    assert "kelurahan" not in s.diterima


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text, day",
    [("15-AUG-23", dt.date(2023, 8, 15)), ("15-AGU-2023", dt.date(2023, 8, 15)),
     ("2023-08-15 00:00:00", dt.date(2023, 8, 15)), ("15-aug-23", dt.date(2023, 8, 15)),
     ("01-JAN-00", dt.date(2000, 1, 1)), ("31-DEC-99", dt.date(2099, 12, 31)),
     ("5 Mei 23", dt.date(2023, 5, 5)), ("15/Agt/23", dt.date(2023, 8, 15)),
     ("15-AUG-23 00:00:00", dt.date(2023, 8, 15)), ("29-FEB-24", dt.date(2024, 2, 29)),
     ("15-AUG-2023 10:30:00", dt.date(2023, 8, 15))],  # an Oracle DATE's time: dropped
)  # fmt: skip
def test_oracle_dates_parse_a_two_digit_year_as_20yy(text, day):
    parsed = parsers.parse_date(pd.Series([text], dtype="string[pyarrow]"))
    assert parsed.errors.iloc[0] is None
    assert parsed.values.iloc[0] == pd.Timestamp(day)


@pytest.mark.parametrize(
    "text", ["15/08/23", "15-08-23", "23-08-15", "29-FEB-23", "15-AUG-2023 25:30:00", "15-AUG-023"]
)
def test_a_two_digit_year_without_a_month_name_or_an_impossible_date_is_rejected(text):
    parsed = parsers.parse_date(pd.Series([text], dtype="string[pyarrow]"))
    assert parsed.errors.iloc[0] == f"tanggal {text} tidak valid"


@pytest.mark.parametrize("tanggal", ["15-AUG-23", "15-AGU-2023", "2023-08-15 00:00:00"])
def test_oracle_dates_in_the_contract_layout(put, stage_year, tanggal):
    put("pbb_dhkp", "dhkp.csv", DHKP + "18.72.030.001.001-0001.0;Banjarsari;150.000;;\n")
    put("pbb_pembayaran", "bayar.csv", BAYAR + f"T-1;{NOP_1};{tanggal};150.000;2023\n")
    put("layanan", "reg.csv",
        "No Register;Tanggal Masuk;Jenis Layanan;Kelurahan;Status;Tgl Selesai\n"
        f"R-1;{tanggal};KK;Banjarsari;Selesai;{tanggal}\n")  # fmt: skip
    staged = stage_year()
    assert accepted(staged["pbb_pembayaran"], "tanggal_bayar") == [
        ("bayar.csv", 2, pd.Timestamp(2023, 8, 15))
    ]
    assert accepted(staged["layanan"], "tanggal_masuk", "tanggal_selesai") == [
        ("reg.csv", 2, pd.Timestamp(2023, 8, 15), pd.Timestamp(2023, 8, 15))
    ]


@pytest.mark.parametrize("tanggal", ["15-AUG-23", "15-AGU-2023", "2023-08-15 00:00:00"])
def test_oracle_dates_in_the_sismiop_layout(put, stage_year, tanggal):
    put("pbb_dhkp", "sppt.csv", header(SPPT_COLUMNS) + sppt(TGL_JATUH_TEMPO_SPPT=tanggal))
    put("pbb_pembayaran", "bayar.csv", header(BAYAR_COLUMNS) + bayar(TGL_PEMBAYARAN_SPPT=tanggal))
    staged = stage_year()
    assert accepted(staged["pbb_dhkp"], "jatuh_tempo") == [
        ("sppt.csv", 2, pd.Timestamp(2023, 8, 15))
    ]
    assert accepted(staged["pbb_pembayaran"], "tanggal_bayar") == [
        ("bayar.csv", 2, pd.Timestamp(2023, 8, 15))
    ]


# ---------------------------------------------------------------- both layouts in a year


def test_a_year_may_mix_the_layouts_and_a_nop_is_a_duplicate_across_them(put, stage_year):
    put("pbb_dhkp", "dhkp_1.csv", DHKP
        + "18.72.030.001.001-0001.0;Banjarsari;150.000;;\n"
        + "18.72.030.002.001-0001.0;Purwosari;80.000;;\n")  # fmt: skip
    put("pbb_dhkp", "dhkp_2_sismiop.csv", "SPPT 2023\n" + header(SPPT_COLUMNS)
        + sppt(KD_KELURAHAN="4")  # Purwoasri: new
        + sppt()  # NOP_1 again: a duplicate of dhkp_1.csv row 2
        + "\n"
        + sppt(KD_KELURAHAN="4"))  # a duplicate within this file  # fmt: skip
    s = stage_year()["pbb_dhkp"]
    assert accepted(s, "nop", "kelurahan") == [
        ("dhkp_1.csv", 2, NOP_1, "Banjarsari"),
        ("dhkp_1.csv", 3, "187203000200100010", "Purwosari"),
        ("dhkp_2_sismiop.csv", 3, "187203000400100010", "Purwoasri"),
    ]
    assert rejections(s) == {("dhkp_2_sismiop.csv", 4): "", ("dhkp_2_sismiop.csv", 6): ""}
    assert reason(s, "dhkp_2_sismiop.csv", 4) == (
        f"duplikat: nop '{NOP_1}' sudah ada di dhkp_1.csv baris 2"
    )
    assert reason(s, "dhkp_2_sismiop.csv", 6) == (
        "duplikat: nop '187203000400100010' sudah ada di dhkp_2_sismiop.csv baris 3"
    )
    report = {f.berkas: (f.dibaca, f.diterima, f.ditolak, f.baris_kosong) for f in s.laporan.berkas}
    assert report == {"dhkp_1.csv": (2, 2, 0, 0), "dhkp_2_sismiop.csv": (3, 1, 2, 1)}


def test_a_contract_row_after_a_sismiop_one_is_the_duplicate(put, stage_year):
    put("pbb_dhkp", "a_sppt.csv", header(SPPT_COLUMNS) + sppt())
    put("pbb_dhkp", "b_dhkp.csv", DHKP + "18.72.030.001.001-0001.0;Banjarsari;150.000;;\n")
    s = stage_year()["pbb_dhkp"]
    assert rejections(s) == {("b_dhkp.csv", 2): ""}
    assert reason(s, "b_dhkp.csv", 2) == (
        "duplikat: nop '18.72.030.001.001-0001.0' sudah ada di a_sppt.csv baris 2"
    )


def test_payments_may_mix_the_layouts(put, stage_year):
    roll_with_nop_1(put)
    put("pbb_pembayaran", "bayar_1.csv", BAYAR + f"NTPD-1;{NOP_1};10/03/2023;50.000;2023\n")
    second = bayar(JML_SPPT_YG_DIBAYAR="102.000", DENDA_SPPT="2.000", PEMBAYARAN_SPPT_KE="2")
    put("pbb_pembayaran", "bayar_2.csv", header(BAYAR_COLUMNS) + second)
    s = stage_year()["pbb_pembayaran"]
    assert accepted(s, "no_transaksi", "nop", "jumlah_bayar") == [
        ("bayar_1.csv", 2, "NTPD-1", NOP_1, 50_000),
        ("bayar_2.csv", 2, f"{NOP_1}/2023/2", NOP_1, 100_000),
    ]
    assert list(s.diterima.columns[:8]) == [
        "_berkas", "_baris", "no_transaksi", "nop", "tanggal_bayar", "jumlah_bayar",
        "tahun_pajak", "_kunci",
    ]  # fmt: skip


# The same roll and payments in either layout. By hand: the wajib pajak are A, B, C and E
# (D is exempt); A pays in full (with a fine), B in two installments, C only partly, E in
# full; an arrears payment of A counts for nothing. IKU 3 = 3 / 4.
ROLL = [  # (NOP, kelurahan, pbb_terhutang)
    ("187203000100100010", "Banjarsari", 100_000),  # A
    ("187203000200100010", "Purwosari", 200_000),  # B
    ("187203000300100010", "Karangrejo", 50_000),  # C
    ("187203000400200070", "Purwoasri", 0),  # D
    ("187203000400200080", "Purwoasri", 80_000),  # E
]
PAYMENTS = [  # (NOP, tahun_pajak, ke, tanggal, paid incl. fine, fine)
    ("187203000100100010", 2023, 1, dt.date(2023, 9, 2), 102_000, 2_000),
    ("187203000200100010", 2023, 1, dt.date(2023, 3, 1), 100_000, 0),
    ("187203000200100010", 2023, 2, dt.date(2023, 7, 1), 100_000, 0),
    ("187203000300100010", 2023, 1, dt.date(2023, 5, 5), 20_000, 0),
    ("187203000400200080", 2023, 1, dt.date(2023, 8, 1), 80_000, 0),
    ("187203000100100010", 2022, 1, dt.date(2023, 1, 9), 30_000, 0),
]
IKU_3 = {  # wilayah: (pembilang, penyebut)
    "Kecamatan Metro Utara": (3, 4), "Banjarsari": (1, 1), "Purwosari": (1, 1),
    "Purwoasri": (1, 1), "Karangrejo": (0, 1),
}  # fmt: skip


def _roll_text(sismiop: bool) -> str:
    if not sismiop:
        return DHKP + "".join(f"{nop};{kel};{pbb};;\n" for nop, kel, pbb in ROLL)
    return header(SPPT_COLUMNS) + "".join(
        sppt(**parts_of(nop), PBB_YG_HARUS_DIBAYAR_SPPT=str(pbb)) for nop, _, pbb in ROLL
    )


def _payments_text(sismiop: bool) -> str:
    if not sismiop:
        return BAYAR + "".join(
            f"T-{i};{nop};{day:%d/%m/%Y};{paid - fine};{tahun}\n"
            for i, (nop, tahun, _, day, paid, fine) in enumerate(PAYMENTS)
        )
    return header(BAYAR_COLUMNS) + "".join(
        bayar(**parts_of(nop), THN_PAJAK_SPPT=str(tahun), PEMBAYARAN_SPPT_KE=str(ke),
              TGL_PEMBAYARAN_SPPT=f"{day:%d-%b-%y}".upper(), JML_SPPT_YG_DIBAYAR=str(paid),
              DENDA_SPPT=str(fine) if fine else "")
        for nop, tahun, ke, day, paid, fine in PAYMENTS
    )  # fmt: skip


@pytest.mark.parametrize(
    "roll_sismiop, payments_sismiop",
    [(False, False), (True, False), (False, True), (True, True)],
    ids=["contract-contract", "sismiop-roll", "sismiop-payments", "sismiop-sismiop"],
)
def test_iku_3_is_the_same_whichever_layout_each_source_comes_in(
    put, stage_year, roll_sismiop, payments_sismiop
):
    put("pbb_dhkp", "dhkp.csv", _roll_text(roll_sismiop))
    put("pbb_pembayaran", "bayar.csv", _payments_text(payments_sismiop))
    staged = stage_year()
    assert staged["pbb_dhkp"].laporan.ditolak == 0
    assert staged["pbb_pembayaran"].laporan.ditolak == 0
    r = compute_realisasi(staged, 2023, WILAYAH)
    r = r[r["kode"] == "3"]
    got = {w: (int(p), int(q)) for w, p, q in zip(r["wilayah"], r["pembilang"], r["penyebut"])}
    assert got == IKU_3
    kec = r[r["wilayah"] == "Kecamatan Metro Utara"]["nilai"].iloc[0]
    assert kec == pytest.approx(75.0)


# ---------------------------------------------------------------- XLSX


def _workbook(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_a_sismiop_workbook_with_numbers_in_the_part_cells(raw_dir, stage_year):
    folder = raw_dir / "pbb_dhkp" / "2023"
    folder.mkdir(parents=True)
    _workbook(folder / "sppt.xlsx", [
        ["DHKP PBB-P2 2023"],
        [],
        [*SPPT_COLUMNS, "kelurahan"],
        [18, 72, 30, 1, 1, 1, 0, 2023, "Budi Santoso", 120.5, 36, 150000, dt.datetime(2023, 8, 31), "Banjarsari"],
        ["18", "72", "030", "002", "001", "0001", "0", 2023, "Siti", 80, 0, "Rp 80.000", "31-AUG-23", None],
        [18, 72, 30, 1, 1.5, 2, 0, 2023, "Ani", 80, 0, 10000, None, None],
        [18, 72, 30, 1, 1, 3, 0, 2022.0, "Ani", 80, 0, 10000, None, None],
        [18, 72, 30, 1, 1, 12345, 0, 2023, "Ani", 80, 0, 10000, None, None],
        [18, 72, 30, 1, 1, 4, True, 2023, "Ani", 80, 0, 10000, None, None],
    ])  # fmt: skip
    folder = raw_dir / "pbb_pembayaran" / "2023"
    folder.mkdir(parents=True)
    _workbook(folder / "bayar.xlsx", [
        BAYAR_COLUMNS,
        [18, 72, 30, 1, 1, 1, 0, 2023, 1, dt.datetime(2023, 8, 15), 153000, 3000],
        [18, 72, 30, 2, 1, 1, 0, 2023, 1, "15-AUG-23", 80000, None],
    ])  # fmt: skip
    staged = stage_year()
    s = staged["pbb_dhkp"]
    assert accepted(s, "nop", "kelurahan", "luas_bumi", "pbb_terhutang", "jatuh_tempo") == [
        ("sppt.xlsx", 4, NOP_1, "Banjarsari", 120.5, 150_000, pd.Timestamp(2023, 8, 31)),
        ("sppt.xlsx", 5, "187203000200100010", "Purwosari", 80.0, 80_000, pd.Timestamp(2023, 8, 31)),
    ]  # fmt: skip
    assert rejections(s) == {
        ("sppt.xlsx", 6): "KD_BLOK", ("sppt.xlsx", 7): "THN_PAJAK_SPPT",
        ("sppt.xlsx", 8): "NO_URUT", ("sppt.xlsx", 9): "KD_JNS_OP",
    }  # fmt: skip
    assert reason(s, "sppt.xlsx", 6) == "KD_BLOK '1.5' harus berisi angka saja"
    assert reason(s, "sppt.xlsx", 7) == "THN_PAJAK_SPPT 2022 bukan tahun 2023"
    assert reason(s, "sppt.xlsx", 8) == "NO_URUT '12345' lebih dari 4 angka"
    assert reason(s, "sppt.xlsx", 9) == "KD_JNS_OP 'TRUE' harus berisi angka saja"
    assert json.loads(s.ditolak["isi_baris"].iloc[0])["KD_PROPINSI"] == "18"
    p = staged["pbb_pembayaran"]
    assert accepted(p, "no_transaksi", "tanggal_bayar", "jumlah_bayar") == [
        ("bayar.xlsx", 2, f"{NOP_1}/2023/1", pd.Timestamp(2023, 8, 15), 150_000),
        ("bayar.xlsx", 3, "187203000200100010/2023/1", pd.Timestamp(2023, 8, 15), 80_000),
    ]


# ---------------------------------------------------------------- reading


def test_a_sismiop_csv_reads_the_same_with_arrow_and_with_the_csv_module(tmp_path):
    text = "JUDUL\n" + header(SPPT_COLUMNS, ["", "Keterangan"]) + "".join(
        sppt(["", f'"catatan; {i}"'], NO_URUT=str(i)) for i in range(1, 30)
    )
    path = tmp_path / "sppt.csv"
    path.write_text(text, encoding="utf-8")
    fast = read_file(path, SOURCES["pbb_dhkp"], b"k")
    slow = read_file(path, SOURCES["pbb_dhkp"], b"k", fast_csv=False)
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True)
    for name in ("headers", "order", "header_row", "missing_optional", "layout"):
        assert getattr(fast, name) == getattr(slow, name), name
    assert fast.layout is SOURCES["pbb_dhkp"].layouts[0]
    assert fast.missing_optional == ["kelurahan"]


def test_a_payments_header_in_the_roll_is_not_a_roll(tmp_path):
    path = tmp_path / "bayar.csv"
    path.write_text(header(BAYAR_COLUMNS) + bayar(), encoding="utf-8")
    with pytest.raises(FileFailed) as failed:
        read_file(path, SOURCES["pbb_dhkp"], b"k")
    assert failed.value.sebab == (
        "baris judul kolom ekspor SISMIOP tidak memuat kolom wajib: PBB_YG_HARUS_DIBAYAR_SPPT"
    )


# ---------------------------------------------------------------- the document


def test_section_9_lists_every_column_of_the_sismiop_layouts():
    """docs/data-contract.md §9 has, per source, a table headed "SISMIOP column" whose
    first column names exactly the layout's columns (backticked, in order)."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "data-contract.md").read_text("utf-8")
    section = doc[doc.index("\n## 9.") :]
    for source in ("pbb_dhkp", "pbb_pembayaran"):
        (layout,) = SOURCES[source].layouts
        heading = re.search(rf"\n### [^\n]*`{source}`[^\n]*\n", section)
        assert heading, f"§9 has no subsection headed `{source}`"
        body = section[heading.end() :]
        body = body[: body.index("\n### ")] if "\n### " in body else body
        rows = [line for line in body.splitlines() if line.startswith("|")]
        assert rows and rows[0].startswith("| SISMIOP column"), f"{source}: no table"
        names = []
        for line in rows[2:]:
            names += re.findall(r"`([^`]+)`", line.split("|")[1])
        assert names == [c.name for c in layout.columns], source
