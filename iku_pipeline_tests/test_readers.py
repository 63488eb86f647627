"""docs/data-contract.md §2 file formats (and §6 personal data as read), one rule per test.

Each test writes a small extract into ``tmp_path`` and reads it with ``read_file``: the
returned frame has ``_berkas`` (file name), ``_baris`` (the row number a spreadsheet
shows), the spec's columns under their canonical names, and any extra columns.
"""

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from iku_pipeline.sources.readers import FileFailed, read_file
from iku_pipeline.sources.specs import SOURCES

KEY = b"kunci-uji"
LAYANAN = SOURCES["layanan"]

HEADER = "No Register;Tanggal Masuk;Jenis Layanan;Kelurahan;Status"


def write(tmp_path: Path, text: str, name="register.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read(path: Path, source="layanan"):
    return read_file(path, SOURCES[source], KEY)


def column(rows, name):
    return list(rows.frame[name])


def write_xlsx(path: Path, rows: dict[int, list], sheets=None) -> Path:
    """rows: sheet row number -> cells; datetimes are written as real Excel dates."""
    wb = xlsxwriter.Workbook(path)
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet("Register")
    for number, cells in rows.items():
        for col, value in enumerate(cells):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                ws.write_datetime(number - 1, col, value, date)
            else:
                ws.write(number - 1, col, value)
    for name, other in (sheets or {}).items():
        ws2 = wb.add_worksheet(name)
        for number, cells in other.items():
            for col, value in enumerate(cells):
                ws2.write(number - 1, col, value)
    wb.close()
    return path


# ---------------------------------------------------------------- CSV dialects


def test_csv_with_comma(tmp_path):
    rows = read(write(tmp_path, HEADER.replace(";", ",") + "\nR-1,02/01/2023,KK,Banjarsari,Selesai\n"))
    assert column(rows, "no_register") == ["R-1"]
    assert column(rows, "tanggal_masuk") == ["02/01/2023"]
    assert column(rows, "kelurahan") == ["Banjarsari"]
    assert column(rows, "status") == ["Selesai"]


def test_csv_with_semicolon(tmp_path):
    rows = read(write(tmp_path, HEADER + "\nR-1;02/01/2023;KK;Banjarsari;Selesai\n"))
    assert column(rows, "no_register") == ["R-1"]
    assert column(rows, "jenis_layanan") == ["KK"]
    assert column(rows, "status") == ["Selesai"]


def test_semicolon_csv_whose_values_hold_commas(tmp_path):
    text = HEADER + "\nR-1;02/01/2023;Surat keterangan domisili, usaha;Banjarsari;Selesai\n"
    rows = read(write(tmp_path, text))
    assert column(rows, "jenis_layanan") == ["Surat keterangan domisili, usaha"]


def test_semicolon_csv_below_a_title_line_full_of_commas(tmp_path):
    text = (
        "Register pelayanan, Kecamatan Metro Utara, Kota Metro, Triwulan I, 2023\n"
        + HEADER
        + "\nR-1;02/01/2023;KK;Banjarsari;Selesai\n"
    )
    rows = read(write(tmp_path, text))
    assert column(rows, "no_register") == ["R-1"]
    assert column(rows, "kelurahan") == ["Banjarsari"]


def test_crlf_line_ends(tmp_path):
    rows = read(write(tmp_path, HEADER + "\r\nR-1;02/01/2023;KK;Banjarsari;Selesai\r\n"))
    assert column(rows, "status") == ["Selesai"]
    assert column(rows, "_baris") == [2]


# ---------------------------------------------------------------- encodings


TEXT_JOSE = HEADER + ";Catatan\nR-1;02/01/2023;KK;Banjarsari;Selesai;José Müller\n"


def test_utf8_without_bom(tmp_path):
    rows = read(write(tmp_path, TEXT_JOSE, encoding="utf-8"))
    assert column(rows, "Catatan") == ["José Müller"]


def test_utf8_with_bom_does_not_spoil_the_first_header(tmp_path):
    rows = read(write(tmp_path, TEXT_JOSE, encoding="utf-8-sig"))
    assert (tmp_path / "register.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert column(rows, "no_register") == ["R-1"]
    assert column(rows, "Catatan") == ["José Müller"]


def test_windows_1252(tmp_path):
    path = write(tmp_path, TEXT_JOSE, encoding="cp1252")
    assert b"Jos\xe9" in path.read_bytes()
    rows = read(path)
    assert column(rows, "Catatan") == ["José Müller"]


def test_windows_1252_characters_outside_latin1(tmp_path):
    # what Excel on Windows writes for typographic quotes and the euro sign
    text = HEADER + ";Catatan\nR-1;02/01/2023;KK;Banjarsari;Selesai;“berkas” € 5\n"
    rows = read(write(tmp_path, text, encoding="cp1252"))
    assert column(rows, "Catatan") == ["“berkas” € 5"]


def test_utf8_with_bom_and_one_byte_of_windows_1252_drops_the_bom(tmp_path):
    # Saved as UTF-8 with a BOM, then one "é" typed in Windows-1252 (b"\xe9"): no longer
    # UTF-8 as a whole, so read as Windows-1252, and the BOM is no "ï»¿" in the header.
    path = tmp_path / "register.csv"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT_JOSE.replace("José Müller", "Jos\xe9").encode("latin-1"))
    rows = read(path)
    assert rows.encoding == "windows-1252"
    assert rows.headers["no_register"] == "No Register"
    assert column(rows, "no_register") == ["R-1"]
    assert column(rows, "Catatan") == ["José"]


# ---------------------------------------------------------------- quoted fields


def test_quoted_field_with_embedded_delimiter(tmp_path):
    text = (
        "ID Usulan,Kelurahan,Usulan,Bidang\n"
        'USL-01,Banjarsari,"Drainase Jl. Kenanga, RT 03",Infrastruktur\n'
    )
    rows = read(write(tmp_path, text), "musrenbang_usulan")
    assert column(rows, "uraian_usulan") == ["Drainase Jl. Kenanga, RT 03"]
    assert column(rows, "bidang") == ["Infrastruktur"]


def test_quoted_field_with_embedded_newline_stays_one_value(tmp_path):
    text = HEADER + '\nR-1;02/01/2023;"Pengantar KK\r\ndan KTP";Banjarsari;Selesai\n'
    rows = read(write(tmp_path, text))
    assert column(rows, "jenis_layanan") == ["Pengantar KK\r\ndan KTP"]
    assert column(rows, "kelurahan") == ["Banjarsari"]


def test_multi_line_record_keeps_the_row_it_starts_on(tmp_path):
    text = (
        HEADER + "\n"  # row 1
        "R-1;02/01/2023;KK;Banjarsari;Selesai\n"  # row 2
        'R-2;03/01/2023;"Pengantar KK\ndan KTP";Purwosari;Selesai\n'  # row 3, two lines
    )
    rows = read(write(tmp_path, text))
    assert column(rows, "_baris") == [2, 3]


def test_rows_after_a_multi_line_record_are_numbered_as_the_spreadsheet_shows(tmp_path):
    # A spreadsheet opening this file shows the two-line value in one cell of row 2;
    # the next record is row 3, the one after row 4.
    text = (
        HEADER + "\n"  # row 1
        'R-1;02/01/2023;"Pengantar KK\ndan KTP";Banjarsari;Selesai\n'  # row 2
        "R-2;03/01/2023;KK;Purwosari;Selesai\n"  # row 3
        "R-3;04/01/2023;KK;Purwosari;Selesai\n"  # row 4
    )
    rows = read(write(tmp_path, text))
    assert column(rows, "no_register") == ["R-1", "R-2", "R-3"]
    assert column(rows, "_baris") == [2, 3, 4]


KONFLIK_CSV = "No Kegiatan,Tanggal,Kelurahan,Jenis Konflik,Hasil\n"


@pytest.mark.parametrize("end", ["\n", "\r\n", ""])
def test_a_quote_never_closed_fails_the_file_naming_its_row(tmp_path, end):
    # The csv module would end the quoted field with the file: rows 3-5 one cell of row 3.
    text = (
        KONFLIK_CSV  # row 1
        + "K1,02/01/2023,Banjarsari,tanah,Selesai\n"  # row 2
        + 'K2,02/01/2023,Banjarsari,tanah,"Rapat di balai RT 5,Selesai\n'  # row 3
        + "K3,03/01/2023,Purwosari,tanah,Selesai\n"
        + "K4,04/01/2023,Purwosari,tanah,Proses"
    ).replace("\n", "\r\n" if end == "\r\n" else "\n") + end
    e = failure(write(tmp_path, text), "konflik")
    assert e.sebab == (
        'tanda kutip (") di baris 3 tidak pernah ditutup: sisa berkas terbaca sebagai satu sel'
    )


def test_a_quote_never_closed_on_the_last_row_fails_too(tmp_path):
    text = KONFLIK_CSV + 'K1,02/01/2023,Banjarsari,tanah,Selesai\nK2,02/01/2023,"Banjarsari\n'
    assert "di baris 3 tidak pernah ditutup" in failure(write(tmp_path, text), "konflik").sebab


def test_quotes_that_close_or_are_text_are_no_failure(tmp_path):
    text = (
        KONFLIK_CSV
        + 'K1,02/01/2023,Banjarsari,"tanah, batas",Selesai\n'  # closed
        + 'K2,02/01/2023,Banjarsari,pipa 5",Selesai\n'  # a quote inside a field is text
        + 'K3,02/01/2023,Banjarsari,tanah,"Selesai"'  # closed at the very end of the file
    )
    rows = read(write(tmp_path, text), "konflik")
    assert column(rows, "jenis_konflik") == ["tanah, batas", 'pipa 5"', "tanah"]
    assert column(rows, "hasil") == ["Selesai"] * 3
    assert column(rows, "_baris") == [2, 3, 4]


# ---------------------------------------------------------------- header row


def test_first_line_of_a_csv_is_row_1(tmp_path):
    text = HEADER + "\nR-1;02/01/2023;KK;Banjarsari;Selesai\nR-2;03/01/2023;KK;Purwosari;Proses\n"
    rows = read(write(tmp_path, text))
    assert rows.header_row == 1
    assert column(rows, "_baris") == [2, 3]
    assert set(column(rows, "_berkas")) == {"register.csv"}


def test_title_lines_above_the_header(tmp_path):
    text = (
        "REGISTER PELAYANAN KECAMATAN METRO UTARA\n"  # row 1
        "Triwulan I Tahun 2023\n"  # row 2
        "\n"  # row 3
        + HEADER + "\n"  # row 4
        "R-1;02/01/2023;KK;Banjarsari;Selesai\n"  # row 5
    )
    rows = read(write(tmp_path, text))
    assert rows.header_row == 4
    assert column(rows, "no_register") == ["R-1"]
    assert column(rows, "_baris") == [5]


def test_title_rows_naming_some_columns_are_not_the_header(tmp_path):
    text = (
        "Kelurahan;Status\n"  # row 1: two column names, not all required ones
        + HEADER + "\n"  # row 2
        "R-1;02/01/2023;KK;Banjarsari;Selesai\n"
    )
    rows = read(write(tmp_path, text))
    assert rows.header_row == 2
    assert column(rows, "_baris") == [3]


def test_header_is_the_first_row_holding_all_required_columns(tmp_path):
    text = (
        "Laporan\n"  # row 1
        + HEADER + "\n"  # row 2: the header
        + HEADER + "\n"  # row 3: a repeated header is a row of data (and will be rejected)
        "R-1;02/01/2023;KK;Banjarsari;Selesai\n"  # row 4
    )
    rows = read(write(tmp_path, text))
    assert rows.header_row == 2
    assert column(rows, "_baris") == [3, 4]
    assert column(rows, "no_register") == ["No Register", "R-1"]


def test_header_in_row_10_is_found(tmp_path):
    text = "".join(f"judul {n}\n" for n in range(1, 10)) + HEADER + "\nR-1;02/01/2023;KK;Banjarsari;Selesai\n"
    rows = read(write(tmp_path, text))
    assert rows.header_row == 10
    assert column(rows, "_baris") == [11]


def test_header_in_row_10_after_blank_lines_is_found(tmp_path):
    text = "judul\n" + "\n" * 8 + HEADER + "\nR-1;02/01/2023;KK;Banjarsari;Selesai\n"
    rows = read(write(tmp_path, text))
    assert rows.header_row == 10
    assert column(rows, "_baris") == [11]


@pytest.mark.parametrize(
    "written",
    ["No. Register", "NO_REGISTER", "no register", "No Register", "  No   Register  ",
     "No-Register", "no__register", "NO. - REGISTER", "No.Register"],
)  # fmt: skip
def test_header_spellings_are_one_column(tmp_path, written):
    text = f"{written};Tanggal Masuk;Jenis Layanan;Kelurahan;Status\nR-1;02/01/2023;KK;Banjarsari;Selesai\n"
    rows = read(write(tmp_path, text))
    assert column(rows, "no_register") == ["R-1"]


@pytest.mark.parametrize(
    "source, header, canonical",
    [
        ("layanan",
         "Nomor Register;Tanggal;Jenis;Kel;Status Berkas;Tgl Selesai;NIK;Nama",
         ["no_register", "tanggal_masuk", "jenis_layanan", "kelurahan", "status",
          "tanggal_selesai", "nik_pemohon", "nama_pemohon"]),
        ("layanan",
         "No Reg;Tgl Masuk;Layanan;Desa/Kelurahan;Keterangan",
         ["no_register", "tanggal_masuk", "jenis_layanan", "kelurahan", "status"]),
        ("layanan",
         "No Agenda;Tanggal Diterima;Jenis Pelayanan;KEL;STATUS",
         ["no_register", "tanggal_masuk", "jenis_layanan", "kelurahan", "status"]),
        ("musrenbang_usulan",
         "ID;Kelurahan;Usulan;Bidang;Tanggal",
         ["id_usulan", "kelurahan", "uraian_usulan", "bidang", "tanggal_usulan"]),
        ("musrenbang_usulan", "Kode Usulan;Kelurahan;Uraian", ["id_usulan", "kelurahan", "uraian_usulan"]),
        ("musrenbang_usulan", "No Usulan;Kelurahan;Kegiatan", ["id_usulan", "kelurahan", "uraian_usulan"]),
        ("musrenbang_ba", "ID;No BA;Ranking", ["id_usulan", "nomor_ba", "prioritas"]),
        ("musrenbang_ba", "Kode Usulan", ["id_usulan"]),
        ("pbb_dhkp",
         "Nomor Objek Pajak;Kelurahan;Ketetapan;Nama Wajib Pajak;Luas Bumi;Luas Bangunan",
         ["nop", "kelurahan", "pbb_terhutang", "nama_wp", "luas_bumi", "luas_bangunan"]),
        ("pbb_dhkp", "NOP;Kelurahan;Pokok", ["nop", "kelurahan", "pbb_terhutang"]),
        ("pbb_dhkp", "NOP;Kelurahan;PBB", ["nop", "kelurahan", "pbb_terhutang"]),
        ("pbb_pembayaran",
         "NTPD;Nomor Objek Pajak;Tgl Bayar;Jumlah;Tahun",
         ["no_transaksi", "nop", "tanggal_bayar", "jumlah_bayar", "tahun_pajak"]),
        ("pbb_pembayaran",
         "No Bukti;NOP;Tanggal;Bayar;Tahun SPPT",
         ["no_transaksi", "nop", "tanggal_bayar", "jumlah_bayar", "tahun_pajak"]),
        ("pbb_pembayaran",
         "Nomor Transaksi;NOP;Tanggal;Pokok Bayar",
         ["no_transaksi", "nop", "tanggal_bayar", "jumlah_bayar"]),
        ("konflik",
         "No;Tanggal Kegiatan;Kelurahan;Jenis;Uraian;Status",
         ["no_kegiatan", "tanggal", "kelurahan", "jenis_konflik", "uraian_kegiatan", "hasil"]),
        ("konflik",
         "Nomor;Tanggal;Kelurahan;Jenis Konflik;Kegiatan;Keterangan",
         ["no_kegiatan", "tanggal", "kelurahan", "jenis_konflik", "uraian_kegiatan", "hasil"]),
    ],
)  # fmt: skip
def test_aliases(tmp_path, source, header, canonical):
    values = [f"v{i}" for i in range(len(canonical))]
    rows = read(write(tmp_path, header + "\n" + ";".join(values) + "\n"), source)
    for name, value in zip(canonical, values):
        got = rows.frame.at[0, name]
        if name in ("nik_pemohon", "nama_pemohon", "nama_wp"):
            assert got != value  # personal: masked (see below)
        else:
            assert got == value, name


def test_columns_in_any_order(tmp_path):
    text = "Status;Kelurahan;No Register;Jenis Layanan;Tanggal Masuk\nSelesai;Banjarsari;R-1;KK;02/01/2023\n"
    rows = read(write(tmp_path, text))
    assert column(rows, "no_register") == ["R-1"]
    assert column(rows, "status") == ["Selesai"]
    assert column(rows, "tanggal_masuk") == ["02/01/2023"]


def test_extra_columns_are_kept(tmp_path):
    text = HEADER + ";Ruang;Catatan\nR-1;02/01/2023;KK;Banjarsari;Selesai;Loket 2;lengkap\n"
    rows = read(write(tmp_path, text))
    assert column(rows, "Ruang") == ["Loket 2"]
    assert column(rows, "Catatan") == ["lengkap"]


def test_extra_columns_named_as_columns_staging_adds_keep_a_name_of_their_own(tmp_path):
    # Staging adds the key as compared (_kunci) and, for layanan, kategori and diproses:
    # extra columns so named are kept as <name>_<position>, never overwritten (§2.3).
    text = (
        HEADER + ";Kategori;diproses;_kunci;kelurahan_hash\n"
        "R-1;02/01/2023;KK;Banjarsari;Selesai;umum;ya;x;h\n"
    )
    rows = read(write(tmp_path, text))
    extras = ["Kategori", "diproses_7", "_kunci_8", "kelurahan_hash_9"]
    assert rows.order[5:] == extras
    assert [rows.headers[c] for c in extras] == ["Kategori", "diproses", "_kunci", "kelurahan_hash"]
    assert [column(rows, c) for c in extras] == [["umum"], ["ya"], ["x"], ["h"]]


# ---------------------------------------------------------------- blank rows


def test_blank_rows_are_skipped_and_keep_the_numbering(tmp_path):
    text = (
        HEADER + "\n"  # row 1
        "R-1;02/01/2023;KK;Banjarsari;Selesai\n"  # row 2
        "\n"  # row 3: empty line
        ";;;;\n"  # row 4: every cell empty
        " ; ;  ;\t; \n"  # row 5: only whitespace
        "R-2;03/01/2023;KK;Purwosari;Proses\n"  # row 6
    )
    rows = read(write(tmp_path, text))
    assert column(rows, "no_register") == ["R-1", "R-2"]
    assert column(rows, "_baris") == [2, 6]


def test_a_row_with_only_an_extra_column_filled_is_not_blank(tmp_path):
    text = HEADER + ";Catatan\nR-1;02/01/2023;KK;Banjarsari;Selesai;\n;;;;;lihat baris atas\n"
    rows = read(write(tmp_path, text))
    assert column(rows, "_baris") == [2, 3]


# ---------------------------------------------------------------- XLSX


def test_xlsx_title_rows_real_dates_numbers_and_sheet_row_numbers(tmp_path):
    path = write_xlsx(
        tmp_path / "register.xlsx",
        {
            1: ["REGISTER PELAYANAN KECAMATAN METRO UTARA"],
            2: ["Triwulan II Tahun 2023"],
            4: ["No. Register", "Tanggal Masuk", "Jenis Layanan", "Kelurahan", "Status", "Tgl Selesai"],
            5: ["R-015", dt.datetime(2023, 4, 3), "e-KTP", "Karangrejo", "Selesai", dt.datetime(2023, 4, 4)],
            7: [16, "05/04/2023", "PBG", "Banjarsari", "Menunggu"],
        },
    )
    rows = read(path)
    assert rows.header_row == 4
    assert column(rows, "_baris") == [5, 7]
    assert column(rows, "_berkas") == ["register.xlsx"] * 2
    assert rows.frame.at[0, "tanggal_masuk"] == dt.datetime(2023, 4, 3)
    assert rows.frame.at[0, "tanggal_selesai"] == dt.datetime(2023, 4, 4)
    assert rows.frame.at[1, "tanggal_masuk"] == "05/04/2023"
    assert rows.frame.at[1, "no_register"] in (16, 16.0)


def test_xlsx_whitespace_only_row_is_blank(tmp_path):
    path = write_xlsx(
        tmp_path / "register.xlsx",
        {
            1: ["No Register", "Tanggal Masuk", "Jenis Layanan", "Kelurahan", "Status"],
            2: ["R-1", dt.datetime(2023, 1, 2), "KK", "Banjarsari", "Selesai"],
            3: ["  ", " ", None, "", "\t"],
            4: ["R-2", dt.datetime(2023, 1, 3), "KK", "Purwosari", "Selesai"],
        },
    )
    rows = read(path)
    assert column(rows, "_baris") == [2, 4]


def test_xlsx_header_below_a_gap_within_row_10(tmp_path):
    path = write_xlsx(
        tmp_path / "register.xlsx",
        {
            1: ["REGISTER"],
            10: ["No Register", "Tanggal Masuk", "Jenis Layanan", "Kelurahan", "Status"],
            11: ["R-1", dt.datetime(2023, 1, 2), "KK", "Banjarsari", "Selesai"],
        },
    )
    rows = read(path)
    assert rows.header_row == 10
    assert column(rows, "_baris") == [11]


def test_xlsx_only_the_first_sheet_is_read(tmp_path):
    path = write_xlsx(
        tmp_path / "register.xlsx",
        {
            1: ["No Register", "Tanggal Masuk", "Jenis Layanan", "Kelurahan", "Status"],
            2: ["R-1", dt.datetime(2023, 1, 2), "KK", "Banjarsari", "Selesai"],
        },
        sheets={
            "Rekap": {
                1: ["No Register", "Tanggal Masuk", "Jenis Layanan", "Kelurahan", "Status"],
                2: ["X-9", "09/09/2023", "KK", "Purwosari", "Selesai"],
                3: ["X-10", "10/09/2023", "KK", "Purwosari", "Selesai"],
            }
        },
    )
    rows = read(path)
    assert column(rows, "no_register") == ["R-1"]


def test_xlsx_first_sheet_even_when_another_is_active(tmp_path):
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "Data"
    first.append(["No Register", "Tanggal Masuk", "Jenis Layanan", "Kelurahan", "Status"])
    first.append(["R-1", dt.datetime(2023, 1, 2), "KK", "Banjarsari", "Selesai"])
    second = wb.create_sheet("Catatan")
    second.append(["No Register", "Tanggal Masuk", "Jenis Layanan", "Kelurahan", "Status"])
    second.append(["X-9", "09/09/2023", "KK", "Purwosari", "Selesai"])
    wb.active = 1
    wb.save(tmp_path / "register.xlsx")
    rows = read(tmp_path / "register.xlsx")
    assert column(rows, "no_register") == ["R-1"]


def with_error_cells(path: Path, cells: dict[str, str]) -> Path:
    """The workbook at ``path`` with each of ``cells`` (``{"B2": "#N/A"}``) an Excel error
    cell, its cached text as Excel writes it: ``<c r="B2" t="e"><f>…</f><v>#N/A</v></c>``
    (openpyxl writes formulas without a cached value). Each cell must exist already."""
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, text in cells.items():
        cell = f'<c r="{ref}" s="0" t="e"><f>NA()</f><v>{text}</v></c>'
        sheet, found = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', cell, sheet)
        assert found == 1, ref
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_xlsx_error_cells_are_read_as_the_sheet_shows_them(tmp_path):
    from iku_pipeline.sources.xlsx import ExcelError

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["No Register", "Tanggal Masuk", "Jenis Layanan", "Kelurahan", "Status"])
    ws.append(["R-1", dt.datetime(2023, 1, 2), "KK", "=VLOOKUP(A2,X,2)", "Selesai"])
    ws.append(["=A2", "=1/0", "=B2", "=B2", "=B2"])  # row 3: error cells only
    ws.append(["R-3", dt.datetime(2023, 1, 4), "KK", "Purwosari", "Selesai"])
    wb.save(tmp_path / "register.xlsx")
    with_error_cells(tmp_path / "register.xlsx", {
        "D2": "#N/A", "A3": "#REF!", "B3": "#DIV/0!", "C3": "#VALUE!", "D3": "#NAME?", "E3": "#NULL!",
    })  # fmt: skip
    rows = read(tmp_path / "register.xlsx")
    assert column(rows, "_baris") == [2, 3, 4]  # the row of errors only is no blank row
    assert rows.frame.at[0, "kelurahan"] == ExcelError("#N/A")
    assert [str(c) for c in rows.frame.iloc[1, 2:]] == ["#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NULL!"]
    assert column(rows, "kelurahan")[2] == "Purwosari"


@pytest.mark.parametrize("chunk", [3, 8, 21, 64, 1 << 22])
def test_xlsx_error_cells_are_found_whatever_pieces_the_sheet_is_read_in(monkeypatch, chunk):
    import io

    from iku_pipeline.sources import xlsx

    sheet = (
        b'<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
        b'<c r="B1" s="2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
        b'<row r="2"><x:c r="AA2" t="e"><x:v>#N/A</x:v></x:c><c r="C2" t="e"/>'  # no value
        b'<c r="D2" t="n"><v>5</v></c></row></sheetData></worksheet>'
    )
    monkeypatch.setattr(xlsx, "_CHUNK", chunk)
    assert xlsx._scan(io.BytesIO(sheet)) == {1: {1: "#DIV/0!"}, 2: {26: "#N/A"}}


# ---------------------------------------------------------------- failed files


def failure(path, source="layanan") -> FileFailed:
    with pytest.raises(FileFailed) as e:
        read(path, source)
    assert e.value.berkas == path.name
    assert path.name in str(e.value)
    return e.value


def test_header_row_missing_a_required_column_fails_naming_it(tmp_path):
    text = "No Register;Tanggal Masuk;Jenis Layanan;Kelurahan\nR-1;02/01/2023;KK;Banjarsari\n"
    e = failure(write(tmp_path, text))
    # the header row is there; the cause is the one column it lacks
    assert e.sebab == "baris judul kolom tidak memuat kolom wajib: status"


def test_header_missing_several_required_columns_names_each(tmp_path):
    text = "No Register;Kelurahan;Status\nR-1;Banjarsari;Selesai\n"
    e = failure(write(tmp_path, text))
    assert e.sebab == "baris judul kolom tidak memuat kolom wajib: tanggal_masuk, jenis_layanan"


def test_header_below_row_10_fails(tmp_path):
    text = "".join(f"judul {n}\n" for n in range(1, 11)) + HEADER + "\nR-1;02/01/2023;KK;Banjarsari;Selesai\n"
    e = failure(write(tmp_path, text))
    assert "10 baris pertama" in e.sebab


def test_xlsx_header_in_row_11_fails(tmp_path):
    path = write_xlsx(
        tmp_path / "register.xlsx",
        {
            1: ["REGISTER"],
            11: ["No Register", "Tanggal Masuk", "Jenis Layanan", "Kelurahan", "Status"],
            12: ["R-1", dt.datetime(2023, 1, 2), "KK", "Banjarsari", "Selesai"],
        },
    )
    e = failure(path)
    assert "10 baris pertama" in e.sebab


def test_file_without_any_header_fails(tmp_path):
    e = failure(write(tmp_path, "R-1;02/01/2023;KK;Banjarsari;Selesai\n"))
    assert "judul kolom" in e.sebab


def test_empty_csv_fails(tmp_path):
    e = failure(write(tmp_path, ""))
    assert "judul kolom" in e.sebab


def test_corrupt_xlsx_fails(tmp_path):
    path = tmp_path / "register.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook \x00\x01\x02" * 20)
    e = failure(path)
    assert "bukan berkas Excel" in e.sebab


def test_truncated_xlsx_fails(tmp_path):
    good = write_xlsx(
        tmp_path / "good.xlsx",
        {1: ["No Register", "Tanggal Masuk", "Jenis Layanan", "Kelurahan", "Status"]},
    )
    path = tmp_path / "register.xlsx"
    path.write_bytes(good.read_bytes()[:400])
    e = failure(path)
    assert "Excel" in e.sebab and ("bukan" in e.sebab or "rusak" in e.sebab)


def test_zip_that_is_no_workbook_fails(tmp_path):
    path = tmp_path / "register.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "bukan workbook")
    e = failure(path)
    assert "bukan berkas Excel" in e.sebab


def test_binary_file_named_csv_fails(tmp_path):
    # e.g. a workbook saved under a .csv name
    xlsx = write_xlsx(
        tmp_path / "asli.xlsx",
        {
            1: ["No Register", "Tanggal Masuk", "Jenis Layanan", "Kelurahan", "Status"],
            2: ["R-1", dt.datetime(2023, 1, 2), "KK", "Banjarsari", "Selesai"],
        },
    )
    path = tmp_path / "register.csv"
    path.write_bytes(xlsx.read_bytes())
    e = failure(path)
    assert "biner" in e.sebab


def test_image_named_csv_fails(tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    e = failure(path)
    assert "bukan teks CSV" in e.sebab


@pytest.mark.parametrize("name", ["register.xls", "register.pdf", "register.txt", "register"])
def test_unsupported_extension_fails_naming_the_accepted_ones(tmp_path, name):
    e = failure(write(tmp_path, HEADER + "\nR-1;02/01/2023;KK;Banjarsari;Selesai\n", name=name))
    assert ".csv" in e.sebab and ".xlsx" in e.sebab
    assert "tidak dapat dibaca" in e.sebab


def test_extension_in_capitals_is_read(tmp_path):
    rows = read(write(tmp_path, HEADER + "\nR-1;02/01/2023;KK;Banjarsari;Selesai\n", name="REGISTER.CSV"))
    assert column(rows, "no_register") == ["R-1"]


# ---------------------------------------------------------------- personal data (§6)

NIK = "1872031203850001"
NIK_SUAMI = "1872030707770003"


def cells_of(rows) -> list[str]:
    frame = rows.frame
    return [str(v) for col in frame.columns for v in frame[col]] + [str(c) for c in frame.columns]


def assert_nowhere(rows, *secrets):
    text = "\n".join(cells_of(rows))
    for secret in secrets:
        assert secret not in text, f"{secret!r} in clear"


def test_nik_and_name_are_masked_in_csv(tmp_path):
    text = HEADER + f";NIK;Nama\nR-1;02/01/2023;KK;Banjarsari;Selesai;{NIK};Budi Santoso\n"
    rows = read(write(tmp_path, text))
    assert_nowhere(rows, NIK, "Budi", "Santoso", "1203850001", "187203120385")
    # still recognisable by a clerk: the region code and the last four digits
    assert rows.frame.at[0, "nik_pemohon"] == "187203******0001"
    assert rows.frame.at[0, "nama_pemohon"] == "B*** S******"


def test_nik_and_names_in_extra_columns_are_masked(tmp_path):
    text = (
        HEADER + ";NIK Suami;Nama Ayah;No KK\n"
        f"R-1;02/01/2023;Nikah;Banjarsari;Selesai;{NIK_SUAMI};Wayan Sudarsa;1872031111110009\n"
    )
    rows = read(write(tmp_path, text))
    assert_nowhere(rows, NIK_SUAMI, "Wayan", "Sudarsa", "1872031111110009")


def test_personal_data_masked_in_xlsx_also_when_typed_as_numbers(tmp_path):
    path = write_xlsx(
        tmp_path / "register.xlsx",
        {
            1: ["No Register", "Tanggal Masuk", "Jenis Layanan", "Kelurahan", "Status",
                "NIK", "Nama Pemohon", "NIK Suami"],
            2: ["R-1", dt.datetime(2023, 1, 2), "KK", "Banjarsari", "Selesai",
                int(NIK), "Siti Aminah", float(NIK_SUAMI)],
        },
    )  # fmt: skip
    rows = read(path)
    assert_nowhere(rows, NIK, NIK_SUAMI, "Siti", "Aminah")


def test_taxpayer_name_is_masked(tmp_path):
    text = "NOP;Kelurahan;Ketetapan;Nama WP\n18.72.030.001.001-0001.0;Banjarsari;150.000;Sutrisno Hadi\n"
    rows = read(write(tmp_path, text), "pbb_dhkp")
    assert_nowhere(rows, "Sutrisno", "Hadi")


def test_personal_data_masked_in_rows_that_will_be_rejected(tmp_path):
    # a row that fails every rule still leaves the reader masked
    text = HEADER + f";NIK;Nama\n;31/02/2023;;Metro Pusat;Batal;{NIK};José Ramos\n"
    rows = read(write(tmp_path, text, encoding="cp1252"))
    assert_nowhere(rows, NIK, "José", "Ramos")


def test_xlsx_table_not_starting_in_column_a(tmp_path):
    path = write_xlsx(
        tmp_path / "register.xlsx",
        {
            2: [None, "REGISTER PELAYANAN"],
            3: [None, "No. Register ", " Tanggal Masuk", "Jenis Layanan", "Kelurahan", "Status"],
            4: [None, "R-1", dt.datetime(2023, 1, 2), "KK", "Banjarsari", "Selesai"],
        },
    )
    rows = read(path)
    assert rows.header_row == 3
    assert column(rows, "no_register") == ["R-1"]
    assert column(rows, "_baris") == [4]
