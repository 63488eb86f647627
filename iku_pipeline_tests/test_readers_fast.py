"""The Arrow CSV reader gives exactly what the csv-module reader gives.

``read_file`` reads a CSV with Arrow's CSV reader where that is provably the same, and
with Python's csv module otherwise (``fast_csv=False`` forces the latter). Each test
writes a small extract, reads it both ways and compares everything a FileRows holds; it
also says which reader it expects, so that a test cannot pass by always falling back.
"""

import hashlib
import hmac
import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iku_pipeline.sources import masking, parsers, readers
from iku_pipeline.sources.readers import FileFailed, Limits, read_file
from iku_pipeline.sources.specs import SOURCES, Kind

KEY = b"kunci-uji"
HEADER = "No Register;Tanggal Masuk;Jenis Layanan;Kelurahan;Status"
ROW = "R-{n};02/01/2023;KK;Banjarsari;Selesai"
NIK = "1872031203850001"

FIELDS = ("berkas", "headers", "order", "header_row", "blank_rows", "delimiter", "encoding",
          "missing_optional")  # fmt: skip


@pytest.fixture
def arrow_used(monkeypatch):
    """Records, per read, whether the Arrow reader gave the rows or the failure (True)
    or left the file to the csv module (False)."""
    used = []
    arrow = readers._read_csv_arrow

    def spy(*args):
        try:
            rows = arrow(*args)
        except FileFailed:
            used.append(True)
            raise
        used.append(rows is not None)
        return rows

    monkeypatch.setattr(readers, "_read_csv_arrow", spy)
    return used


def outcome(path, source, limits):
    try:
        return read_file(path, SOURCES[source], KEY, limits)
    except FileFailed as e:
        return e


def reference(path, source, limits):
    try:
        return read_file(path, SOURCES[source], KEY, limits, fast_csv=False)
    except FileFailed as e:
        return e


def assert_same(fast, slow):
    if isinstance(slow, FileFailed) or isinstance(fast, FileFailed):
        assert type(fast) is type(slow), (fast, slow)
        assert (fast.berkas, fast.sebab) == (slow.berkas, slow.sebab)
        return
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True)
    for name in FIELDS:
        assert getattr(fast, name) == getattr(slow, name), name


def both(path, used, *, arrow: bool, source="layanan", limits=Limits()):
    """The file read both ways: identical, and by the reader expected."""
    fast = outcome(path, source, limits)
    assert used == [arrow], "Arrow reader used" if used == [True] else "csv module used"
    assert_same(fast, reference(path, source, limits))
    return fast


def write(tmp_path, text, encoding="utf-8", name="register.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def column(rows, name):
    return list(rows.frame[name])


# ---------------------------------------------------------------- read by Arrow


def test_title_lines_blank_records_and_empty_lines(tmp_path, arrow_used):
    text = (
        "REGISTER PELAYANAN KECAMATAN METRO UTARA\n"  # row 1
        "Triwulan I Tahun 2023\n"  # row 2
        "\n"  # row 3
        + HEADER + "\n"  # row 4
        + ROW.format(n=1) + "\n"  # row 5
        "\n"  # row 6: empty line
        ";;;;\n"  # row 7: every cell empty
        " ; ;  ;\t; \n"  # row 8: only whitespace
        + ROW.format(n=2) + "\n"  # row 9
    )
    rows = both(write(tmp_path, text), arrow_used, arrow=True)
    assert rows.header_row == 4
    assert column(rows, "_baris") == [5, 9]
    assert rows.blank_rows == 3


def test_comma_delimiter_quoted_delimiters_and_doubled_quotes(tmp_path, arrow_used):
    text = (
        "ID Usulan,Kelurahan,Usulan,Bidang\n"
        'USL-01,Banjarsari,"Drainase Jl. Kenanga, RT 03",Infrastruktur\n'
        'USL-02,Purwosari,"Pembangunan ""pos kamling""",Sosial Budaya\n'
        'USL-03,"",Lampu "jalan",""\n'  # a quote inside an unquoted field is text
        'USL-04,Karangrejo,"Rehab" posyandu,Sosial\n'  # text after a closing quote joins
    )
    rows = both(write(tmp_path, text), arrow_used, arrow=True, source="musrenbang_usulan")
    assert column(rows, "uraian_usulan") == [
        "Drainase Jl. Kenanga, RT 03", 'Pembangunan "pos kamling"', 'Lampu "jalan"', "Rehab posyandu",
    ]  # fmt: skip


def test_bom_and_crlf(tmp_path, arrow_used):
    text = HEADER + "\r\n" + ROW.format(n=1) + "\r\n" + ROW.format(n=2) + "\r\n"
    rows = both(write(tmp_path, text, encoding="utf-8-sig"), arrow_used, arrow=True)
    assert column(rows, "no_register") == ["R-1", "R-2"]
    assert rows.encoding == "utf-8"


def test_quoted_line_breaks_number_rows_as_a_spreadsheet_shows(tmp_path, arrow_used):
    text = (
        HEADER + "\n"  # row 1
        'R-1;02/01/2023;"Pengantar KK\ndan KTP";Banjarsari;Selesai\n'  # row 2, two lines
        'R-2;03/01/2023;"Surat\r\nketerangan\r\n";Purwosari;Selesai\r\n'  # row 3, three lines
        "R-3;04/01/2023;KK;Purwosari;Selesai\n"  # row 4
    )
    rows = both(write(tmp_path, text), arrow_used, arrow=True)
    assert column(rows, "_baris") == [2, 3, 4]
    assert column(rows, "jenis_layanan") == [
        "Pengantar KK\ndan KTP", "Surat\r\nketerangan\r\n", "KK",
    ]  # fmt: skip


def test_line_break_in_a_value_across_arrow_blocks(tmp_path, arrow_used, monkeypatch):
    # Arrow reads in blocks; a CR ending one block and an LF opening the next, inside a
    # quoted value, must stay in the value.
    monkeypatch.setattr(readers, "ARROW_BLOCK_BYTES", 64)
    lines = [HEADER] + [f'R-{n};02/01/2023;"baris\r\nkedua";Banjarsari;Selesai' for n in range(60)]
    rows = both(write(tmp_path, "\r\n".join(lines)), arrow_used, arrow=True)
    assert set(column(rows, "jenis_layanan")) == {"baris\r\nkedua"}
    assert column(rows, "_baris") == list(range(2, 62))


def test_windows_1252(tmp_path, arrow_used):
    text = HEADER + ";Catatan\n" + ROW.format(n=1) + ";“berkas” € 5, José\n"
    rows = both(write(tmp_path, text, encoding="cp1252"), arrow_used, arrow=True)
    assert column(rows, "Catatan") == ["“berkas” € 5, José"]
    assert rows.encoding == "windows-1252"


def test_utf8_head_with_a_windows_1252_tail_is_windows_1252(tmp_path, arrow_used):
    # The encoding is decided on the whole file, not on the head the header is found in.
    lines = [HEADER] + [ROW.format(n=n) for n in range(5000)]
    lines.append("R-x;02/01/2023;KK;Banjarsari;Jos\xe9")  # beyond the head
    path = tmp_path / "register.csv"
    path.write_bytes("\n".join(lines).encode("latin-1"))
    rows = both(path, arrow_used, arrow=True)
    assert rows.encoding == "windows-1252"
    assert column(rows, "status")[-1] == "José"


def test_utf8_with_bom_and_a_windows_1252_byte_drops_the_bom(tmp_path, arrow_used):
    path = tmp_path / "register.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "\nR-1;02/01/2023;KK;Banjarsari;Jos\xe9\n").encode("latin-1"))
    rows = both(path, arrow_used, arrow=True)
    assert rows.encoding == "windows-1252"
    assert rows.headers["no_register"] == "No Register"
    assert column(rows, "status") == ["José"]


def test_extra_unnamed_columns(tmp_path, arrow_used):
    text = HEADER + ";;Ruang;\n" + ROW.format(n=1) + ";;Loket 2;catatan\n" + ROW.format(n=2) + ";;;\n"
    rows = both(write(tmp_path, text), arrow_used, arrow=True)
    assert "kolom_6" not in rows.frame.columns  # empty and unnamed: layout
    assert column(rows, "kolom_8") == ["catatan", ""]
    assert column(rows, "Ruang") == ["Loket 2", ""]


def test_personal_columns_are_masked_alike(tmp_path, arrow_used):
    text = (
        HEADER + ";NIK;Nama;NIK Suami\n"
        + ROW.format(n=1) + f";{NIK};Budi  Santoso;1872030707770003\n"
        + ROW.format(n=2) + ";;  ;\n"
        + ROW.format(n=3) + f"; {NIK} ;budi santoso;\n"
    )
    rows = both(write(tmp_path, text), arrow_used, arrow=True)
    nik, nama = column(rows, "nik_pemohon"), column(rows, "nama_pemohon")
    assert nik[0] == nik[2] == "187203******0001" and pd.isna(nik[1])
    assert nama[0] == "B*** S******" and nama[2] == "b*** s******" and pd.isna(nama[1])
    hashes = column(rows, "nama_pemohon_hash")
    assert hashes[0] == hashes[2] and pd.isna(hashes[1])


def test_header_below_a_title_line_full_of_commas(tmp_path, arrow_used):
    title = "Register pelayanan, Kecamatan Metro Utara, Kota Metro, 2023"
    text = title + "\n" + HEADER + "\n" + ROW.format(n=1) + "\n"
    rows = both(write(tmp_path, text), arrow_used, arrow=True)
    assert rows.delimiter == ";"


TITLES_WITH_COMMAS = "Register, Kecamatan, Kota\nTriwulan, I, 2023\n"  # the sniffer picks ","


def test_header_found_with_the_second_delimiter(tmp_path, arrow_used):
    rows = both(write(tmp_path, TITLES_WITH_COMMAS + HEADER + "\n"), arrow_used, arrow=True)
    assert rows.delimiter == ";" and rows.header_row == 3


def test_long_file_whose_head_holds_the_header(tmp_path, arrow_used):
    lines = ["DAFTAR", "KOTA METRO"] + [HEADER] + [ROW.format(n=n) for n in range(20_000)]
    rows = both(write(tmp_path, "\n".join(lines) + "\n"), arrow_used, arrow=True)
    assert rows.header_row == 3
    assert column(rows, "_baris")[-1] == 20_003


def test_too_many_rows_fails_alike(tmp_path, arrow_used):
    text = "Judul\n" + HEADER + "\n" + "".join(ROW.format(n=n) + "\n" for n in range(10))
    e = both(write(tmp_path, text), arrow_used, arrow=True, limits=Limits(max_rows=11))
    assert isinstance(e, FileFailed) and "IKU_MAX_ROWS" in e.sebab


def test_header_only(tmp_path, arrow_used):
    rows = both(write(tmp_path, HEADER), arrow_used, arrow=True)
    assert len(rows.frame) == 0


# ---------------------------------------------------------------- left to the csv module


def test_ragged_rows_fall_back(tmp_path, arrow_used):
    text = HEADER + "\n" + ROW.format(n=1) + ";lebih\nR-2;03/01/2023\n"
    rows = both(write(tmp_path, text), arrow_used, arrow=False)
    assert column(rows, "kolom_6")[0] == "lebih" and pd.isna(column(rows, "kolom_6")[1])


UNCLOSED = 'tanda kutip (") di baris {} tidak pernah ditutup: sisa berkas terbaca sebagai satu sel'


def test_unterminated_quote_fails_alike(tmp_path, arrow_used):
    text = HEADER + '\nR-1;02/01/2023;"KK;Banjarsari;Selesai\nR-2;03/01/2023;KK;Purwosari;Selesai\n'
    assert both(write(tmp_path, text), arrow_used, arrow=False).sebab == UNCLOSED.format(2)


@pytest.mark.parametrize("end", ["\n", ""])
def test_a_quote_left_open_in_the_last_field_fails_alike(tmp_path, arrow_used, end):
    # The swallowed rows give the last record as many fields as the header: Arrow's parse
    # takes it; the file is still left to the csv module, which fails it.
    text = HEADER + "\n" + ROW.format(n=1) + '\nR-2;03/01/2023;KK;Purwosari;"Sel""esai\n'
    text += ROW.format(n=3) + "\n" + ROW.format(n=4) + end
    assert both(write(tmp_path, text), arrow_used, arrow=False).sebab == UNCLOSED.format(3)


@pytest.mark.parametrize("end", ['"ditolak"', '"dito""lak"', 'di"tolak', '"di"tolak', '""""'])
def test_a_file_ending_in_quotes_that_close_is_read_by_arrow(tmp_path, arrow_used, end):
    text = HEADER + "\n" + ROW.format(n=1) + "\nR-2;03/01/2023;KK;Purwosari;" + end
    rows = both(write(tmp_path, text), arrow_used, arrow=True)
    assert len(rows.frame) == 2


def test_bom_opening_a_data_record_falls_back(tmp_path, arrow_used):
    both(write(tmp_path, HEADER + "\n\ufeff" + ROW.format(n=1) + "\n"), arrow_used, arrow=False)


def test_second_delimiter_with_quotes_falls_back(tmp_path, arrow_used):
    # The csv module counts the file's records (for IKU_MAX_ROWS) with the first
    # delimiter; with a quote in the file that count may differ with the second.
    text = TITLES_WITH_COMMAS.replace("Kota", '"Kota"') + HEADER + "\n"
    rows = both(write(tmp_path, text), arrow_used, arrow=False)
    assert rows.delimiter == ";"


@pytest.mark.parametrize(
    "data",
    [b"", b"R-1;02/01/2023;KK\n", HEADER.encode() + b"\nR-1;\x00;KK;Banjarsari;Selesai\n",
     HEADER.encode() + b"\nR-1;\x81;KK;Banjarsari;Selesai\n"],
    ids=["empty", "no-header", "nul-byte", "undecodable"],
)  # fmt: skip
def test_failures_are_the_same(tmp_path, arrow_used, data):
    path = tmp_path / "register.csv"
    path.write_bytes(data)
    assert isinstance(both(path, arrow_used, arrow=False), FileFailed)


# ---------------------------------------------------------------- any file


def _field(text: str, delimiter: str) -> str:
    special = any(c in text for c in (delimiter, '"', "\n", "\r"))
    return '"' + text.replace('"', '""') + '"' if special else text


@settings(
    max_examples=int(os.environ.get("IKU_HYPOTHESIS_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(
        st.lists(st.text(alphabet='ab é€" ;,\t\r\n\x85\u3000', max_size=6), min_size=5, max_size=6),
        max_size=25,
    ),
    delimiter=st.sampled_from([";", ","]),
    line_end=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    titles=st.integers(min_value=0, max_value=3),
    block=st.sampled_from([readers.ARROW_BLOCK_BYTES, 32, 100]),
)
def test_any_file_reads_the_same_both_ways(
    tmp_path, monkeypatch, rows, delimiter, line_end, encoding, titles, block
):
    monkeypatch.setattr(readers, "ARROW_BLOCK_BYTES", block)
    header = delimiter.join(["No Register", "Tanggal Masuk", "Jenis Layanan", "Kelurahan", "Status"])
    lines = ["Register, Kecamatan"] * titles + [header]
    lines += [delimiter.join(_field(c, delimiter) for c in row) for row in rows]
    text = line_end.join(lines) + line_end
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    path = tmp_path / "register.csv"
    path.write_bytes(data)
    assert_same(outcome(path, "layanan", Limits()), reference(path, "layanan", Limits()))


@settings(
    max_examples=int(os.environ.get("IKU_HYPOTHESIS_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(st.lists(st.text(alphabet='ab"; \n', max_size=5), min_size=5, max_size=5),
                  max_size=8),
    line_end=st.sampled_from(["\n", "\r\n", ""]),
)  # fmt: skip
def test_stray_and_unclosed_quotes_read_the_same_both_ways(tmp_path, rows, line_end):
    # Cells written as they are: quotes inside fields, quotes left open, anywhere.
    lines = [HEADER] + [";".join(row) for row in rows]
    path = tmp_path / "register.csv"
    path.write_bytes(("\n".join(lines) + line_end).encode())
    assert_same(outcome(path, "layanan", Limits()), reference(path, "layanan", Limits()))


# ---------------------------------------------------------------- parts


@pytest.mark.parametrize("key", [b"", b"k", b"kunci-uji", b"x" * 64, b"y" * 65, os.urandom(200)])
def test_faster_hash_is_the_hmac(key):
    values = ["Budi Santoso", "  budi   SANTOSO ", "Straße", "José", "", "\u3000x\u2028y"]
    expected = [
        hmac.new(key, " ".join(v.split()).casefold().encode("utf-8"), hashlib.sha256).hexdigest()[:32]
        for v in values
    ]
    assert masking._hash_all(values, key) == expected


@pytest.mark.parametrize(
    "cells",
    [
        pd.Series(["Budi Santoso", " budi santoso ", "", "  ", None, "Siti"], dtype="string[pyarrow]"),
        pd.Series(["Budi Santoso", None, 1872031203850001, 1.5e15, "\u3000Siti\x85"], dtype=object),
        pd.Series([], dtype="string[pyarrow]"),
        pd.Series([None, " "], dtype=object, index=[7, 3]),
    ],
    ids=["arrow", "xlsx", "empty", "all-empty"],
)
@pytest.mark.parametrize("kind", [Kind.NAMA, Kind.NIK])
def test_mask_column_is_each_value_masked_and_hashed(cells, kind):
    text = parsers.as_text(cells)
    mask = {Kind.NAMA: masking.mask_nama, Kind.NIK: masking.mask_nik}[kind]
    masked, hashed = masking.mask_column(cells, kind, KEY)
    expected_masked = pd.Series(pd.NA, index=cells.index, dtype=parsers.TEXT)
    expected_hashed = pd.Series(pd.NA, index=cells.index, dtype=parsers.TEXT)
    for label, value in text.dropna().items():
        expected_masked[label] = mask(value)
        expected_hashed[label] = masking._hash(value, KEY)
    pd.testing.assert_series_equal(masked, expected_masked)
    pd.testing.assert_series_equal(hashed, expected_hashed)


def test_blank_cells_are_what_the_parsers_call_empty():
    lookalikes = ["\u200b", "\ufeff", "\u180e", "x", " x ", "\x1c\x1d\x1e\x1f", "\x85\xa0\u3000"]
    spaces = [chr(c) for c in range(0x3001) if chr(c).isspace()] + ["\u3000", "", None]
    cells = pd.Series(lookalikes + spaces + [" \t\n\r\x0b\x0c"], dtype="string[pyarrow]")
    assert list(readers._empty_cells(cells)) == list(parsers.is_empty(cells))
