"""The analyst's reference tables, as they may be saved (docs/data-contract.md §1, §3, §9):
the service alias table and the kelurahan table."""

from pathlib import Path

import pandas as pd
import pytest

from iku_pipeline.sources.reference import (
    ReferenceError,
    load_jenis_layanan,
    load_wilayah,
    map_jenis_layanan,
)


def write(tmp_path, text: str, encoding="utf-8"):
    (tmp_path / "jenis_layanan.csv").write_bytes(text.encode(encoding))
    return load_jenis_layanan(tmp_path)


def test_semicolons_other_header_names_and_windows_1252(tmp_path):
    table = write(tmp_path, "Jenis;Kategori IKU\r\nSurat Pindah;lainnya\r\nPengantar Café;kk_ktp\r\n", "cp1252")
    assert table["surat pindah"] == "LAINNYA"
    assert table["pengantar café"] == "KK_KTP"


def test_no_header_and_indicator_codes_as_categories(tmp_path):
    table = write(tmp_path, "Surat Pindah,LAINNYA\nPBG Baru,1b\n")
    assert table["pbg baru"] == "IMB"


def test_contract_aliases_are_known_even_when_the_table_omits_them(tmp_path):
    table = write(tmp_path, "alias,kategori\nSKTM,LAINNYA\n")
    assert table["numpang nikah"] == "NIKAH" and table["nib"] == "IUMK"


def test_an_unknown_category_names_the_file_and_row(tmp_path):
    with pytest.raises(ValueError, match=r"jenis_layanan.csv baris 3: kategori 'KTPP'"):
        write(tmp_path, "alias,kategori\nSKTM,LAINNYA\nX,KTPP\n")


def test_an_alias_mapped_to_two_categories_names_both_rows(tmp_path):
    with pytest.raises(ValueError, match=r"baris 4: 'domisili' dipetakan ke KK_KTP, tetapi "
                                         r"baris 2 memetakannya ke LAINNYA"):
        write(tmp_path, "alias,kategori\nDomisili,LAINNYA\nSKTM,LAINNYA\ndomisili ,KK_KTP\n")
    table = write(tmp_path, "alias,kategori\nDomisili,LAINNYA\nDOMISILI,lainnya\n")
    assert table["domisili"] == "LAINNYA"  # the same mapping twice is no conflict


def test_unmapped_spellings_of_one_service_are_counted_together(tmp_path):
    """One alias row would map them all, so the analyst reads them as one service."""
    names = ["Surat Pindah", "surat  pindah", "Surat Pindah", "Legalisir", "KTP", None]
    kategori, unmapped = map_jenis_layanan(pd.Series(names, dtype=object), None)
    assert unmapped == {"Legalisir": 1, "Surat Pindah": 3}
    assert list(kategori.astype(object)[:5]) == ["LAINNYA"] * 4 + ["KK_KTP"]


# ---------------------------------------------------------------- reference/kelurahan.csv


def kelurahan(tmp_path, text: str, encoding="utf-8"):
    (tmp_path / "kelurahan.csv").write_bytes(text.encode(encoding))
    return load_wilayah(tmp_path)


def test_the_shipped_table_names_the_four_kelurahan_and_says_its_codes_are_placeholders():
    wilayah = load_wilayah(Path(__file__).resolve().parents[1] / "data" / "reference")
    assert wilayah.names == ("Banjarsari", "Purwosari", "Purwoasri", "Karangrejo")
    assert [(k.kode, k.kd_kecamatan, k.kd_kelurahan) for k in wilayah.kelurahan] == [
        ("1872021001", "030", "001"), ("1872021002", "030", "002"),
        ("1872021004", "030", "004"), ("1872021003", "030", "003"),
    ]  # fmt: skip
    assert wilayah.placeholder_codes
    assert load_wilayah(Path("/nonexistent")) == wilayah  # without the file: the package's copy


def test_the_analysts_table_is_read_as_saved_codes_padded(tmp_path):
    wilayah = kelurahan(
        tmp_path, "Kode;Nama;KD_KECAMATAN;KD KELURAHAN\r\n1872021005;Tejosari;30;5\r\n", "cp1252"
    )
    (k,) = wilayah.kelurahan
    assert (k.nama, k.kd_kecamatan, k.kd_kelurahan) == ("Tejosari", "030", "005")
    assert not wilayah.placeholder_codes
    assert wilayah.all == ("Kecamatan Metro Utara", "Tejosari")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kode,nama,kd_kecamatan\n1,A,030\n", r"kelurahan.csv baris 1: kolom kd_kelurahan tidak ada"),
        ("kode,nama,kd_kecamatan,kd_kelurahan\n1,A,030,001\n2,a,030,002\n", r"baris 3: nama sama dengan baris 2"),
        ("kode,nama,kd_kecamatan,kd_kelurahan\n1,A,030,001\n2,B,030,001\n", r"baris 3: kd_kecamatan \+ kd_kelurahan sama"),
        ("kode,nama,kd_kecamatan,kd_kelurahan\n1,A,030,001\n1,B,030,002\n", r"baris 3: kode sama dengan baris 2"),
        ("kode,nama,kd_kecamatan,kd_kelurahan\n1,,030,001\n", r"baris 2: nama kosong"),
        ("kode,nama,kd_kecamatan,kd_kelurahan\n1,A,03O,001\n", r"baris 2: kd_kecamatan '03O' bukan kode 3 angka"),
    ],
)  # fmt: skip
def test_a_malformed_kelurahan_table_fails_naming_file_and_row(tmp_path, text, message):
    with pytest.raises(ReferenceError, match=message):
        kelurahan(tmp_path, text)


def test_the_kelurahan_table_decides_what_a_row_may_name(put, stage_year, raw_dir):
    """A kelurahan added to the table is accepted and counted; one removed is rejected."""
    ref = raw_dir.parent / "reference"
    ref.mkdir(parents=True)
    (ref / "kelurahan.csv").write_text(
        "kode,nama,kd_kecamatan,kd_kelurahan\n1,Banjarsari,030,001\n2,Tejosari,030,005\n",
        encoding="utf-8",
    )
    put(
        "konflik",
        "k.csv",
        "No;Tanggal;Kelurahan;Jenis Konflik\n"
        "K-1;01/02/2023;Kel. Tejosari;Sengketa\n"
        "K-2;02/02/2023;Purwosari;Sengketa\n",
    )
    wilayah = load_wilayah(ref)
    staged = stage_year(wilayah=wilayah)["konflik"]
    assert list(staged.diterima["kelurahan"]) == ["Tejosari"]
    assert staged.ditolak["alasan"].tolist() == [
        "kelurahan 'Purwosari' bukan kelurahan di Kecamatan Metro Utara"
    ]


def test_a_run_logs_that_the_shipped_sismiop_codes_are_placeholders(data_dir, tmp_path):
    import dagster as dg

    from iku_pipeline.definitions import defs
    from iku_pipeline.resources import IkuPaths, Warehouse

    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("iku_tahunan").execute_in_process(
            partition_key="2022",  # nothing delivered: the table is read all the same
            instance=instance,
            resources={
                "paths": IkuPaths(data_dir=str(data_dir), output_dir=str(tmp_path / "out")),
                "warehouse": Warehouse(database_url=f"sqlite:///{tmp_path / 'w.sqlite'}"),
            },
        )
        messages = [e.user_message for e in instance.all_logs(result.run_id)]
    assert result.success
    assert any("Kode SISMIOP" in m and "sementara" in m for m in messages)
