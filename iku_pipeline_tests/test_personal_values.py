"""docs/data-contract.md §6: a NIK or a name never leaves the reader in clear, whatever the
column is called and wherever a row's cells put it.

Extracts are a few CSV lines (or a small workbook) written beside the assertions and
staged as the pipeline stages them (``put`` and ``stage_year``, conftest.py). Everything
a staged source keeps — its accepted rows, its rejected rows (``isi_baris``, ``alasan``)
and the Dagster metadata built from them — is searched, cell by cell, for every NIK and
every name written in the file.
"""

import datetime as dt
import json

import pandas as pd
import pytest
import xlsxwriter

from iku_pipeline.assets.metadata import staged_metadata
from iku_pipeline.model import Staged
from iku_pipeline.sources import masking
from iku_pipeline.sources.headers import personal_kind_of_extra
from iku_pipeline.sources.specs import Kind

# The audit's file: the contract's columns, then extra columns a section added. Row 3
# misses its jenis_layanan cell, so its cells shift left (a NIK under TANGGAL_SELESAI, a
# name under NIK_PEMOHON); row 4 has a NIK typed under KELURAHAN; row 5 is rejected
# (status Batal) with every extra column filled.
AUDIT = (
    "NO_REGISTER,TANGGAL_MASUK,JENIS_LAYANAN,KELURAHAN,STATUS,TANGGAL_SELESAI,NIK_PEMOHON,"
    "NAMA_PEMOHON,Nomor Induk Kependudukan,Pemohon,No. Identitas,NIK/KTP,Nama Ibu,"
    "KETERANGAN_TAMBAHAN\n"
    "9001/PII/2023,2023-05-02,KTP,Purwosari,Selesai,2023-05-03,3171011111110001,"
    "Wiryo Kusumadinata,3171012222220002,Sastro Prawirodirjo,3171013333330003,"
    "3171014444440004,Ratna Sekarwangi,a.n. Joko Tingkir NIK 3171015555550005\n"
    "9002/PII/2023,2023-05-02,Purwosari,Selesai,2023-05-03,3171016666660006,Bambang Kartosuwiryo\n"
    "9003/PII/2023,2023-05-02,KTP,3171017777770007,Selesai,2023-05-03,,,,,,,,\n"
    "9004/PII/2023,2023-05-02,KTP,Purwosari,Batal,2023-05-03,3171018888880008,"
    "Wiryo Kusumadinata,3171012222220002,Sastro Prawirodirjo,3171013333330003,"
    "3171014444440004,Ratna Sekarwangi,a.n. Joko Tingkir NIK 3171015555550005\n"
)
AUDIT_NIKS = [f"317101{d}{d}{d}{d}{d}{d}000{d}" for d in "12345678"]
AUDIT_NAMES = ["Wiryo", "Kusumadinata", "Sastro", "Prawirodirjo", "Ratna", "Sekarwangi",
               "Joko", "Tingkir", "Bambang", "Kartosuwiryo"]  # fmt: skip


def metadata_texts(staged: Staged) -> list[str]:
    """The text of each value of the Dagster metadata built from a staged source."""
    values = staged_metadata({2023: staged}).values()
    return [str(getattr(v, "md_str", None) or getattr(v, "data", v)) for v in values]


def texts_kept(staged: Staged) -> list[str]:
    """The text of every cell a staged source keeps, and of the metadata built from it."""
    frames = [staged.diterima, staged.ditolak]
    cells = [str(v) for f in frames for c in f.columns for v in f[c].tolist()]
    return cells + [str(c) for f in frames for c in f.columns] + metadata_texts(staged)


def in_clear(staged: Staged, secrets) -> list[tuple[str, str]]:
    return [(s, cell) for cell in texts_kept(staged) for s in secrets if s in cell]


def rejected(staged: Staged, baris: int) -> pd.Series:
    r = staged.ditolak
    return r[r["baris"] == baris].iloc[0]


def test_the_audit_file_keeps_no_nik_and_no_name_in_clear(put, stage_year):
    put("layanan", "layanan_pii.csv", AUDIT)
    s = stage_year()["layanan"]
    assert list(s.diterima["no_register"]) == ["9001/PII/2023"]  # the figures' rows
    assert sorted(s.ditolak["baris"]) == [3, 4, 5]
    assert in_clear(s, AUDIT_NIKS + AUDIT_NAMES) == []

    a = s.diterima.iloc[0]
    assert a["Nomor Induk Kependudukan"] == "317101******0002"  # masked as a NIK
    assert a["No. Identitas"] == "317101******0003"
    assert a["Pemohon"] == "S***** P***********"  # masked as a name
    assert a["KETERANGAN_TAMBAHAN"] == "a.n. *** 317101******0005"
    for column in ("Nomor Induk Kependudukan", "No. Identitas", "Pemohon"):
        assert a[f"{column}_hash"] != a[column]  # and hashed, as the contract's are
    assert a["kategori"] == "KK_KTP" and a["kelurahan"] == "Purwosari"

    shifted = rejected(s, 3)
    isi = json.loads(shifted["isi_baris"])
    assert isi["TANGGAL_SELESAI"] == "317101******0006"
    assert set(isi["NIK_PEMOHON"]) == {"*"}  # a name under a NIK column keeps no letter
    typed = rejected(s, 4)
    assert typed["kolom"] == "kelurahan"
    assert typed["alasan"] == (
        "kelurahan '317101******0007' bukan kelurahan di Kecamatan Metro Utara"
    )
    md = staged_metadata({2023: s})["contoh_baris_ditolak"].md_str
    assert "317101******0007" in md


@pytest.mark.parametrize(
    "header, kind",
    [
        ("Nomor Induk Kependudukan", Kind.NIK),
        ("Nomer Induk Kependudukan", Kind.NIK),
        ("No. Identitas", Kind.NIK),
        ("Nomor Identitas", Kind.NIK),
        ("NIK/KTP", Kind.NIK),
        ("NIK Pemohon", Kind.NIK),
        ("No KTP", Kind.NIK),
        ("No. KK", Kind.NIK),
        ("Nomor KK", Kind.NIK),
        ("Nomor Kartu Keluarga", Kind.NIK),
        ("No. Penduduk", Kind.NIK),
        ("NPWP", Kind.NIK),
        ("SUBJEK_PAJAK_ID", Kind.NIK),
        ("Pemohon", Kind.NAMA),
        ("Nama Pemohon", Kind.NAMA),
        ("Nama Lengkap", Kind.NAMA),
        ("Pemilik", Kind.NAMA),
        ("Nama Pemilik", Kind.NAMA),
        ("Penduduk", Kind.NAMA),
        ("Wajib Pajak", Kind.NAMA),
        ("Nama WP", Kind.NAMA),
        ("Nama Wajib Pajak", Kind.NAMA),
        ("NM_WP", Kind.NAMA),
        ("Nama Ibu", Kind.NAMA),
        ("Kepala Keluarga", Kind.NAMA),
        ("Pelapor", Kind.NAMA),
        # not personal: places, things, the office's staff, a person's other details
        ("Jenis Pelayanan", None),
        ("Nama Kelurahan", None),
        ("Nama Desa/Kelurahan", None),
        ("NM_KELURAHAN", None),
        ("Nama Layanan", None),
        ("Nama Petugas", Kind.NAMA),  # the office's staff are people too
        ("Petugas", Kind.NAMA),
        ("Nomor Objek Pajak", None),
        ("NOP", None),
        ("NOP WP", None),
        ("Alamat Pemohon", None),
        ("JLN_WP_SPPT", None),
        ("Jumlah Penduduk", None),
        ("Nikah", None),
        ("Keterangan Tambahan", None),
    ],
)
def test_a_header_naming_personal_data_says_how_it_is_masked(header, kind):
    assert personal_kind_of_extra(header) == kind


@pytest.mark.parametrize(
    "text, shown",
    [
        ("NIK 3171015555550005", "NIK 317101******0005"),
        ("NIK:3171015555550005.", "NIK:317101******0005."),
        ("3171 0155 5555 0005", "317101******0005"),  # groups of 4
        ("317101-555555-0005", "317101******0005"),  # 6-6-4
        ("317101.555555.0005", "317101******0005"),
        ("3171015555550005,3171016666660006,3171017777770007",
         "317101******0005,317101******0006,317101******0007"),  # fmt: skip
        ("317101555555000", "317101555555000"),  # 15 digits: no NIK
        ("31710155555500051", "31710155555500051"),  # 17 digits: no NIK
        ("187203001001000010", "187203001001000010"),  # a NOP
        ("NOP 18.72.030.001.001-0001.0", "NOP 18.72.030.001.001-0001.0"),
        ("Rp 1.500.000.000", "Rp 1.500.000.000"),
        ("a.n. Joko Tingkir, pengantar RT", "a.n. ***, pengantar RT"),
        ("KK a.n.Budi Santoso", "KK a.n.***"),
        ("surat atas nama: Ni Made Ayu (istri)", "surat atas nama: *** (istri)"),
        ("A.N BUDI SANTOSO 3171015555550005", "A.N *** 317101******0005"),
        ("diterima Sdr. Budi", "diterima Sdr. ***"),
        ("Pengantar BPKB motor", "Pengantar BPKB motor"),  # no marker
        ("Pembangunan jalan lingkungan.", "Pembangunan jalan lingkungan."),
    ],
)
def test_a_nik_or_a_name_after_a_marker_is_masked_in_any_text(text, shown):
    assert masking.scrub_text(text) == shown


def test_a_key_of_16_digits_and_a_nop_keep_their_digits(put, stage_year):
    nop = "187203001001000010"
    put("pbb_dhkp", "dhkp.csv",
        f"NOP;Kelurahan;PBB Terhutang;NOP Lama\n{nop};Purwosari;150.000;{nop}\n")  # fmt: skip
    put(
        "pbb_pembayaran",
        "bayar.csv",
        "No Transaksi;NOP;Tanggal Bayar;Jumlah Bayar;Catatan\n"
        f"2023050200000001;{nop};15/03/2023;150.000;NOP {nop}\n"
        f"2023050200000001;{nop};16/03/2023;150.000;\n",
    )
    put("layanan", "reg.csv", "No Register;Tanggal;Jenis;Kel;Status\n"
        "3171015555550005;02/05/2023;KK;Purwosari;Selesai\n")  # fmt: skip
    staged = stage_year()
    roll = staged["pbb_dhkp"].diterima
    assert list(roll["nop"]) == [nop] and list(roll["NOP Lama"]) == [nop]
    paid = staged["pbb_pembayaran"]
    assert list(paid.diterima["no_transaksi"]) == ["2023050200000001"]
    assert list(paid.diterima["Catatan"]) == [f"NOP {nop}"]
    # The duplicate's reason names the key as written: a key is no personal data.
    assert "2023050200000001" in paid.ditolak["alasan"].iloc[0]
    assert list(staged["layanan"].diterima["no_register"]) == ["3171015555550005"]


def test_a_nik_shifted_into_an_amount_is_rejected_quoting_its_mask(put, stage_year):
    put(
        "pbb_dhkp",
        "dhkp.csv",
        "NOP;Kelurahan;PBB Terhutang;Nama WP\n"
        "187203001001000010;Purwosari;150.000;Budi Santoso\n"
        "187203001001000020;Purwosari;3171015555550005\n",
    )
    s = stage_year()["pbb_dhkp"]
    assert list(s.diterima["pbb_terhutang"]) == [150000]
    row = rejected(s, 3)
    assert row["kolom"] == "pbb_terhutang" and "317101******0005" in row["alasan"]
    assert in_clear(s, ["3171015555550005", "Budi", "Santoso"]) == []


def test_a_name_after_a_marker_is_masked_in_a_reason(put, stage_year):
    put(
        "konflik",
        "k.csv",
        "No Kegiatan;Tanggal;Kelurahan;Jenis Konflik;Uraian Kegiatan\n"
        "K-1;01/02/2023;a.n. Joko Tingkir;Sengketa;mediasi atas nama Ratna Sekarwangi\n"
        "K-2;01/02/2023;Banjarsari;Sengketa;mediasi a/n Wiryo Kusumadinata\n",
    )
    s = stage_year()["konflik"]
    assert list(s.diterima["uraian_kegiatan"]) == ["mediasi a/n ***"]
    assert rejected(s, 2)["alasan"].startswith("kelurahan 'a.n. ***'")
    assert in_clear(s, ["Joko", "Tingkir", "Ratna", "Sekarwangi", "Wiryo", "Kusumadinata"]) == []


def test_a_nik_typed_as_a_number_in_a_workbook_is_masked(raw_dir, stage_year):
    folder = raw_dir / "layanan" / "2023"
    folder.mkdir(parents=True)
    wb = xlsxwriter.Workbook(folder / "reg.xlsx")
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["No Register", "Tanggal Masuk", "Jenis Layanan", "Kelurahan", "Status",
                        "Keterangan Tambahan", "Lampiran"])  # fmt: skip
    for r, kel in ((1, "Banjarsari"), (2, 3171017777770007)):
        ws.write(r, 0, f"R-{r}")
        ws.write_datetime(r, 1, dt.datetime(2023, 5, 2), date)
        ws.write_row(r, 2, ["KK", kel, "Selesai", 3171015555550005, 2])
    wb.close()
    s = stage_year()["layanan"]
    assert list(s.diterima["Keterangan Tambahan"]) == ["317101******0005"]
    assert list(s.diterima["Lampiran"]) == ["2"]  # other numbers stay
    assert "317101******0007" in rejected(s, 3)["alasan"]
    assert in_clear(s, ["3171015555550005", "3171017777770007"]) == []


def test_metadata_masks_what_a_rejected_row_quotes(put, stage_year):
    put("konflik", "k.csv", "No Kegiatan;Tanggal;Kelurahan;Jenis Konflik\n"
        "K-1;01/02/2023;Banjarsari;Sengketa\n")  # fmt: skip
    s = stage_year()["konflik"]
    # Whatever built them, the UI's previews show no NIK and no name after a marker.
    s.ditolak = pd.DataFrame(
        {"sumber": ["konflik"], "tahun": [2023], "berkas": ["k.csv"], "baris": [9],
         "kolom": ["kelurahan"], "alasan": ["kelurahan '3171015555550005 a.n. Joko' salah"],
         "isi_baris": ["{}"]}  # fmt: skip
    )
    s.laporan.info["jenis_layanan_tidak_dikenal"] = {"Pengantar a.n. Ratna": 1}
    shown = " ".join(metadata_texts(s))
    assert "317101******0005 a.n. ***" in shown and "a.n. ***" in shown
    assert "3171015555550005" not in shown and "Joko" not in shown and "Ratna" not in shown
