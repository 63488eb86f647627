"""Hostile input: whatever arrives, every row ends accepted or rejected with a reason,
or the file fails with a clear cause naming it — never an unexplained exception, a hang
or a silently dropped row. The contract's layouts, SISMIOP's (§9), the filled input
templates (§1) and the reference tables the analyst edits (a table either loads or
fails naming the file and, for a fault in a row, the row). ``IKU_HYPOTHESIS_EXAMPLES``
sets the cases per property (a small default keeps ``make test`` fast)."""

import copy
import datetime as dt
import functools
import io
import os
import random
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import xlsxwriter
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from iku_pipeline.model import KATEGORI
from iku_pipeline.publish.templat import Lists, write_templates
from iku_pipeline.sources import parsers
from iku_pipeline.sources.readers import FileFailed, read_file
from iku_pipeline.sources.reference import (
    JENIS_LAYANAN_FILE,
    KELURAHAN_FILE,
    load_jenis_layanan,
    load_wilayah,
)
from iku_pipeline.sources.specs import SOURCE_ORDER, SOURCES, Kind
from iku_pipeline.sources.validate import stage_source
from iku_pipeline_tests.common import WILAYAH
from iku_pipeline_tests.test_sismiop import (
    BAYAR_COLUMNS,
    PARTS,
    SHORT,
    SPPT_COLUMNS,
    WIDTH,
    bayar,
    header,
    sppt,
)

EXAMPLES = int(os.environ.get("IKU_HYPOTHESIS_EXAMPLES", "150"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

cells = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["00/00/0000", "31/02/2023", "Rp 1.000,-", "1.000,50", "-0", "1e309",
                     "18.72.030.001.001-0001.0", "  ", "Kel. Banjarsari", "SELESAI", "٣١/٠١/٢٠٢٣"]),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(),
)


@SETTINGS
@given(st.lists(cells, min_size=1, max_size=25))
def test_every_parser_answers_every_cell(values):
    series = pd.Series(values, dtype=object)
    empty = parsers.is_empty(series)
    for parse in (
        parsers.parse_date,
        lambda s: parsers.parse_rupiah(s, "jumlah"),
        lambda s: parsers.parse_number(s, "luas"),
        lambda s: parsers.parse_whole(s, "prioritas"),
        lambda s: parsers.parse_year(s, "tahun"),
        lambda s: parsers.parse_kelurahan(s, WILAYAH),
        parsers.parse_nop,
        parsers.parse_status,
        parsers.parse_hasil,
    ):
        result = parse(series)
        for i in range(len(series)):
            value, reason = result.values.iloc[i], result.errors.iloc[i]
            if empty.iloc[i]:
                assert reason is None and pd.isna(value)
            else:  # parsed, or rejected with a reason — exactly one
                assert (reason is None) != pd.isna(value), (values[i], value, reason)
                if reason is not None:
                    assert isinstance(reason, str) and len(reason) > 5


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ';"\n\r') else text


@SETTINGS
@given(
    st.lists(st.lists(st.text(max_size=12), min_size=5, max_size=7), max_size=30),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_random_rows_are_each_accepted_or_rejected(tmp_path_factory, rows, encoding):
    folder = tmp_path_factory.mktemp("konflik") / "2023"
    folder.mkdir()
    lines = ["Data kegiatan", "No;Tanggal;Kelurahan;Jenis;Hasil"]
    lines += [";".join(_csv_field(c) for c in row) for row in rows]
    text = "\r\n".join(lines)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    (folder / "kegiatan.csv").write_bytes(data)
    staged = stage_source(SOURCES["konflik"], folder, 2023, b"k", wilayah=WILAYAH)
    if staged.laporan.gagal:  # a clear cause, naming the file
        assert staged.laporan.gagal[0].berkas == "kegiatan.csv" and staged.laporan.gagal[0].gagal
        return
    non_blank = sum(any(c.strip() for c in row) for row in rows)
    assert staged.laporan.dibaca == non_blank
    assert len(staged.diterima) + len(staged.ditolak) == non_blank
    assert staged.ditolak["alasan"].str.len().gt(5).all()


@SETTINGS
@given(st.binary(max_size=3000), st.sampled_from([".csv", ".xlsx"]))
def test_garbage_bytes_fail_clearly_or_read(tmp_path_factory, blob, suffix):
    path = tmp_path_factory.mktemp("sampah") / f"berkas{suffix}"
    path.write_bytes(blob)
    try:
        rows = read_file(path, SOURCES["layanan"], b"k")
    except FileFailed as e:
        assert e.berkas == path.name and len(e.sebab) > 10
    else:
        assert len(rows.frame) >= 0


def _workbook(rows: list[list]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.close()
    return buf.getvalue()


GOOD_XLSX = _workbook(
    [["No", "Tanggal", "Kelurahan", "Jenis"], ["K-1", "01/02/2023", "Banjarsari", "Sengketa"]]
)


@SETTINGS
@given(st.integers(min_value=0, max_value=len(GOOD_XLSX) - 1), st.binary(min_size=1, max_size=8))
def test_truncated_or_damaged_workbooks_fail_clearly(tmp_path_factory, cut, noise):
    path = tmp_path_factory.mktemp("rusak") / "kegiatan.xlsx"
    damaged = GOOD_XLSX[:cut] + noise + GOOD_XLSX[cut + len(noise) :]
    path.write_bytes(random.Random(cut).choice([GOOD_XLSX[:cut], damaged]))
    try:
        rows = read_file(path, SOURCES["konflik"], b"k")
    except FileFailed as e:
        assert e.berkas == "kegiatan.xlsx" and e.sebab
    else:
        assert len(rows.frame) <= 1


@SETTINGS
@given(st.lists(st.sampled_from([" ", "_", ".", "-", "  ", "__"]), min_size=1, max_size=3),
       st.sampled_from([str.upper, str.lower, str.title, lambda s: s]))
def test_header_spellings_are_recognised(tmp_path_factory, seps, case):
    sep = "".join(seps)
    header = [case(h.replace(" ", sep)) for h in ["no kegiatan", "tanggal", "kelurahan", "jenis konflik"]]
    path = tmp_path_factory.mktemp("judul") / "k.csv"
    path.write_text(";".join(header) + "\nK-1;01/02/2023;Banjarsari;Sengketa\n", encoding="utf-8")
    rows = read_file(path, SOURCES["konflik"], b"k")
    assert {"no_kegiatan", "tanggal", "kelurahan", "jenis_konflik"} <= set(rows.frame.columns)


def test_sheet_whose_used_range_spans_a_million_rows(tmp_path):
    path = tmp_path / "kegiatan.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    for r, row in enumerate([["No", "Tanggal", "Kelurahan", "Jenis"], ["K-1", "01/02/2023", "Banjarsari", "Sengketa"]]):
        ws.write_row(r, 0, row)
    ws.write_blank(1_048_575, 3, None, wb.add_format({"bold": True}))  # styled last row
    wb.close()
    start = time.monotonic()
    rows = read_file(path, SOURCES["konflik"], b"k")
    elapsed = time.monotonic() - start
    assert len(rows.frame) == 1 and rows.frame["_baris"].tolist() == [2]
    print(f"million-row used range read in {elapsed:.1f} s")


def test_zip_bomb_like_member_is_a_clear_failure(tmp_path):
    path = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<x/>")
    try:
        read_file(path, SOURCES["konflik"], b"k")
    except FileFailed as e:
        assert "bom.xlsx" == e.berkas


# ---------------------------------------------------------------- SISMIOP layouts (§9)

# Characters a workbook cell can hold (XML 1.0: no control characters).
_XLSX_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=15)
_AMOUNTS = ["150.000", "150000", "0", "-5", "1,5", "Rp 1.000,-", "1e309", "99999999999999999999"]
_DATES = ["15-AUG-23", "31-DEC-99", "15-AGU-2023", "2023-08-15 00:00:00", "31/02/2023",
          "15-AUG-023", "2023-08-15 10:00", "01/02/23"]  # fmt: skip


def _sismiop_cell(column: str) -> st.SearchStrategy[str]:
    """A value of a SISMIOP column: mostly one a clerk's export could hold, else any."""
    if column in PARTS:
        width = WIDTH[column]
        plausible = st.one_of(
            st.just(SHORT[column]),
            st.integers(0, 10**width - 1).map(str),
            st.integers(0, 10**width - 1).map(lambda n, w=width: f"{n:0{w}d}"),
            st.sampled_from(["", "-1", "1.0", "A1", "0" * (width + 1)]),
        )
    elif column == "THN_PAJAK_SPPT":
        plausible = st.sampled_from(["2023", "2022", "23", "2023.0", ""])
    elif column == "PEMBAYARAN_SPPT_KE":
        plausible = st.sampled_from(["1", "2", "0", "-1", "1.5", ""])
    elif column.startswith(("TGL_",)):
        plausible = st.one_of(
            st.sampled_from(_DATES),
            st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31)).map(
                lambda d: d.strftime("%d-%b-%y").upper()
            ),
        )
    elif column.startswith(("LUAS_", "PBB_", "JML_", "DENDA_")):
        plausible = st.one_of(st.sampled_from(_AMOUNTS), st.integers(-(10**6), 10**9).map(str))
    else:
        plausible = _XLSX_TEXT
    return st.one_of(plausible, plausible, plausible, _XLSX_TEXT)


# A row a clean export holds: NOP_1's parts, the year, amounts and dates as SISMIOP
# writes them (so the property reaches accepted rows, not only rejections).
_CLEAN = {**SHORT, "THN_PAJAK_SPPT": "2023", "NM_WP_SPPT": "Budi Santoso",
          "LUAS_BUMI_SPPT": "120", "LUAS_BNG_SPPT": "36", "PBB_YG_HARUS_DIBAYAR_SPPT": "150.000",
          "TGL_JATUH_TEMPO_SPPT": "31-AUG-23", "TGL_PEMBAYARAN_SPPT": "15-AUG-23",
          "JML_SPPT_YG_DIBAYAR": "150.000", "DENDA_SPPT": ""}  # fmt: skip


def _sismiop_rows(columns: list[str]):
    clean = st.tuples(*[
        st.integers(1, 9).map(str) if c == "PEMBAYARAN_SPPT_KE" else st.just(_CLEAN[c])
        for c in columns
    ])  # fmt: skip
    mixed = st.tuples(*[_sismiop_cell(c) for c in columns])
    return st.lists(st.one_of(clean, mixed), max_size=20)


def _write_rows(path, columns: list[str], rows: list[tuple], title: bool) -> None:
    """``rows`` under ``columns`` as a CSV (``;``) or a workbook, by ``path``'s suffix;
    ``title``: a title line above the header, as exports have."""
    lines = ([["DAFTAR SPPT TAHUN 2023"]] if title else []) + [columns] + [list(r) for r in rows]
    if path.suffix == ".csv":
        path.write_text(
            "\r\n".join(";".join(_csv_field(c) for c in line) for line in lines), encoding="utf-8"
        )
        return
    wb = xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet()
    for r, line in enumerate(lines):
        for c, value in enumerate(line):
            ws.write_string(r, c, value)
    wb.close()


def _assert_each_row_accounted_for(staged, berkas: str, rows: list[tuple]) -> None:
    """Every non-blank row accepted or rejected with a reason, or the file failed with
    a cause naming it."""
    if staged.laporan.gagal:
        [failed] = staged.laporan.gagal
        assert failed.berkas == berkas and len(failed.gagal) > 10
        event("berkas gagal")
        return
    non_blank = sum(any(str(c).strip() for c in row if c is not None) for row in rows)
    event("ada baris diterima" if len(staged.diterima) else "tidak ada baris diterima")
    assert staged.laporan.dibaca == non_blank
    assert len(staged.diterima) + len(staged.ditolak) == non_blank
    assert staged.ditolak["alasan"].str.len().gt(5).all()
    assert staged.ditolak["berkas"].eq(berkas).all()


_ROLL: dict[str, object] = {}


def _roll(tmp_path_factory):
    """A staged roll holding NOP_1 (Banjarsari), for payments to refer to."""
    if "roll" not in _ROLL:
        folder = tmp_path_factory.mktemp("dhkp") / "raw" / "pbb_dhkp" / "2023"
        folder.mkdir(parents=True)
        (folder / "sppt.csv").write_text(header(SPPT_COLUMNS) + sppt(), encoding="utf-8")
        _ROLL["roll"] = stage_source(SOURCES["pbb_dhkp"], folder, 2023, b"k", wilayah=WILAYAH)
    return _ROLL["roll"]


@SETTINGS
@given(
    st.sampled_from(["pbb_dhkp", "pbb_pembayaran"]),
    st.data(),
    st.sampled_from([".csv", ".xlsx"]),
    st.booleans(),
)
def test_sismiop_exports_of_anything_are_read_row_by_row(
    tmp_path_factory, source, data, suffix, title
):
    columns = SPPT_COLUMNS if source == "pbb_dhkp" else BAYAR_COLUMNS
    rows = data.draw(_sismiop_rows(columns))
    folder = tmp_path_factory.mktemp("sismiop") / "raw" / source / "2023"
    folder.mkdir(parents=True)
    _write_rows(folder / f"ekspor{suffix}", columns, rows, title)
    refs = {"pbb_dhkp": _roll(tmp_path_factory)} if source == "pbb_pembayaran" else {}
    staged = stage_source(SOURCES[source], folder, 2023, b"k", refs, wilayah=WILAYAH)
    _assert_each_row_accounted_for(staged, f"ekspor{suffix}", rows)


def test_the_sismiop_strategies_reach_accepted_rows(tmp_path):
    """The property above is not only rejections: its plausible values stage."""
    folder = tmp_path / "raw" / "pbb_pembayaran" / "2023"
    folder.mkdir(parents=True)
    (folder / "bayar.csv").write_text(header(BAYAR_COLUMNS) + bayar(), encoding="utf-8")
    roll_dir = tmp_path / "raw" / "pbb_dhkp" / "2023"
    roll_dir.mkdir(parents=True)
    (roll_dir / "sppt.csv").write_text(header(SPPT_COLUMNS) + sppt(), encoding="utf-8")
    roll = stage_source(SOURCES["pbb_dhkp"], roll_dir, 2023, b"k", wilayah=WILAYAH)
    paid = stage_source(SOURCES["pbb_pembayaran"], folder, 2023, b"k", {"pbb_dhkp": roll},
                        wilayah=WILAYAH)  # fmt: skip
    assert len(roll.diterima) == len(paid.diterima) == 1


# ---------------------------------------------------------------- filled input templates

REFERENCE = Path(__file__).parent / "fixtures" / "data" / "reference"


@functools.cache
def _templates() -> dict[str, bytes]:
    folder = Path(tempfile.mkdtemp(prefix="templat-"))
    write_templates(folder, REFERENCE)
    return {name: (folder / f"{name}.xlsx").read_bytes() for name in SOURCE_ORDER}


@functools.cache
def _lists() -> Lists:
    return Lists.load(REFERENCE)


def _template_cell(column) -> st.SearchStrategy:
    """What a clerk may type into a template's column: its dropdown's values, values
    of its kind, values of another kind, garbage, nothing."""
    choices = _lists().of(column)
    of_kind = {
        Kind.DATE: st.one_of(st.dates(dt.date(2022, 6, 1), dt.date(2024, 6, 30)),
                             st.datetimes(dt.datetime(2023, 1, 1), dt.datetime(2023, 12, 31))),
        Kind.RUPIAH: st.one_of(st.integers(-(10**6), 10**12), st.floats(-1e6, 1e12)),
        Kind.NUMBER: st.floats(-1e6, 1e9),
        Kind.WHOLE: st.integers(-3, 10),
        Kind.YEAR: st.sampled_from([2023, 2022, 23, 2023.5]),
        Kind.NOP: st.sampled_from(["18.72.030.001.001-0001.0", "187203000100100010",
                                   187203000100100010, "18.72.030.009.001-0001.0"]),
        Kind.NIK: st.sampled_from(["1872031234560001", "12345", 1872031234560001]),
    }.get(column.kind, _XLSX_TEXT)  # fmt: skip
    anything = st.one_of(
        st.none(), _XLSX_TEXT, st.integers(-(10**15), 10**15), st.booleans(),
        st.floats(-1e15, 1e15), st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
    )  # fmt: skip
    plausible = st.sampled_from(choices) if choices else of_kind
    return st.one_of(plausible, plausible, of_kind, anything)


def _clean_template_cell(column) -> st.SearchStrategy:
    """A value the template's own rules accept (its dropdowns, a date of the year)."""
    choices = _lists().of(column)
    if choices:
        return st.sampled_from(choices)
    return {
        Kind.DATE: st.dates(dt.date(2023, 1, 1), dt.date(2023, 1, 31)),
        Kind.RUPIAH: st.integers(1, 10**9),
        Kind.NUMBER: st.integers(0, 10**4),
        Kind.WHOLE: st.integers(1, 10),
        Kind.YEAR: st.just(2023),
        Kind.NOP: st.integers(1, 9999).map(lambda n: f"18.72.030.001.001-{n:04d}.0"),
        Kind.NIK: st.just("1872031234560001"),
    }.get(column.kind, st.text(alphabet="ABCDEFGH-0123456789 ", min_size=1, max_size=8))


@SETTINGS
@given(st.sampled_from(SOURCE_ORDER), st.data())
def test_filled_templates_with_anything_typed_are_read_row_by_row(
    tmp_path_factory, name, data
):
    spec = SOURCES[name]
    clean = st.tuples(*[_clean_template_cell(c) for c in spec.columns])
    mixed = st.tuples(*[_template_cell(c) for c in spec.columns])
    rows = data.draw(st.lists(st.one_of(clean, mixed), max_size=12))
    wb = openpyxl.load_workbook(io.BytesIO(_templates()[name]))
    ws = wb.worksheets[0]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(r, c)
            cell._style = copy.copy(ws.column_dimensions[cell.column_letter]._style)
            cell.value = value
    folder = tmp_path_factory.mktemp("templat") / "raw" / name / "2023"
    folder.mkdir(parents=True)
    wb.save(folder / f"{name}.xlsx")
    staged = stage_source(
        spec, folder, 2023, b"k", {}, load_jenis_layanan(REFERENCE), wilayah=WILAYAH
    )
    _assert_each_row_accounted_for(staged, f"{name}.xlsx", rows)


# ---------------------------------------------------------------- reference tables

_REF_HEADERS = {
    KELURAHAN_FILE: ["kode", "nama", "kd_kecamatan", "kd_kelurahan", "catatan", "Kode ", "NAMA"],
    JENIS_LAYANAN_FILE: ["alias", "kategori", "jenis_layanan", ""],
}
_REF_CELLS = ["1872031001", "Banjarsari", "030", "001", "30", "1", "0001", "abc", "",
              "KK_KTP", "IMB", "1a", "1.b", "lainnya", "Nikah", "sementara", "IUMK", "x y"]  # fmt: skip
# Whole-file faults, which have no row to name.
_WHOLE_FILE = ("kosong", "tidak ada kelurahan", "bukan teks")


@st.composite
def _table_bytes(draw, name: str) -> bytes:
    """A reference table as an analyst's editor might save it, or damaged."""
    sep = draw(st.sampled_from([",", ";", "\t"]))
    cell = st.one_of(st.sampled_from(_REF_CELLS), st.text(max_size=10))
    lines = [draw(st.lists(st.sampled_from(_REF_HEADERS[name]), max_size=6))]
    lines += draw(st.lists(st.lists(cell, max_size=6), max_size=8))
    text = "\n".join(sep.join(_csv_field(c) if sep != "\t" else c for c in line) for line in lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    cut = draw(st.integers(0, len(data)))
    return draw(st.sampled_from([data, data[:cut], data[:cut] + b"\x00" + data[cut:]]))


_SHIPPED = {
    name: (Path(__file__).resolve().parents[1] / "data" / "reference" / name).read_text("utf-8")
    for name in (KELURAHAN_FILE, JENIS_LAYANAN_FILE)
}


@st.composite
def _edited_table(draw, name: str) -> bytes:
    """The shipped table as an analyst edits it: rows dropped or repeated, a cell
    changed, another separator or encoding, a header in other case."""
    rows = [line.split(",") for line in _SHIPPED[name].splitlines()]
    body = draw(st.lists(st.sampled_from(rows[1:]), min_size=0, max_size=len(rows) + 1))
    table = [[h.upper() if draw(st.booleans()) else h for h in rows[0]], *map(list, body)]
    if draw(st.booleans()) and len(table) > 1:
        r = draw(st.integers(0, len(table) - 1))
        c = draw(st.integers(0, len(table[r]) - 1))
        table[r][c] = draw(st.one_of(st.sampled_from(_REF_CELLS), st.text(max_size=6)))
    sep = draw(st.sampled_from([",", ";"]))
    text = "\r\n".join(sep.join(_csv_field(c) for c in row) for row in table)
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])), errors="replace")


@SETTINGS
@given(st.sampled_from([KELURAHAN_FILE, JENIS_LAYANAN_FILE]), st.data())
def test_reference_tables_of_any_bytes_load_or_fail_naming_the_file(
    tmp_path_factory, name, data
):
    blob = data.draw(
        st.one_of(st.binary(max_size=2000), _table_bytes(name), _edited_table(name))
    )
    folder = tmp_path_factory.mktemp("reference")
    (folder / name).write_bytes(blob)
    try:
        if name == KELURAHAN_FILE:
            wilayah = load_wilayah(folder)
            assert wilayah.kelurahan
            assert len({k.nama.casefold() for k in wilayah.kelurahan}) == len(wilayah.kelurahan)
        else:
            table = load_jenis_layanan(folder)
            assert set(table.values()) <= set(KATEGORI)
        event(f"{name} dimuat")
    except ValueError as e:  # ReferenceError is one
        message = str(e)
        event(f"{name} ditolak" + (" (baris)" if "baris " in message else ""))
        assert message.startswith(name), message
        assert "baris " in message or any(w in message for w in _WHOLE_FILE), message


def test_a_huge_negative_number_in_a_date_cell_fails_the_file_naming_the_row(tmp_path):
    """Found by the template property: calamine panics (a BaseException) converting it."""
    path = tmp_path / "kegiatan.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["No", "Tanggal", "Kelurahan", "Jenis"])
    ws.write_row(1, 0, ["K-1", "01/02/2023", "Banjarsari", "Sengketa"])
    ws.write_row(2, 0, ["K-2"])
    ws.write_number(2, 1, -1e12, wb.add_format({"num_format": "dd/mm/yyyy"}))
    wb.close()
    try:
        read_file(path, SOURCES["konflik"], b"k")
    except FileFailed as e:
        assert e.berkas == "kegiatan.xlsx" and "baris 3" in e.sebab
    else:
        raise AssertionError("read without a failure")
