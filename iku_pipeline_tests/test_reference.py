"""The analyst's service alias table, as it may be saved (DATA_CONTRACT §1, §3)."""

import pytest

from iku_pipeline.sources.reference import load_jenis_layanan


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
