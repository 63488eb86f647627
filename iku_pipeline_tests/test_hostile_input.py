"""Hostile input: whatever arrives, every row ends accepted or rejected with a reason,
or the file fails with a clear cause naming it — never an unexplained exception, a hang
or a silently dropped row. ``IKU_HYPOTHESIS_EXAMPLES`` sets the cases per property."""

import datetime as dt
import io
import os
import random
import time
import zipfile

import pandas as pd
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iku_pipeline.sources import parsers
from iku_pipeline.sources.readers import FileFailed, read_file
from iku_pipeline.sources.specs import SOURCES
from iku_pipeline.sources.validate import stage_source
from iku_pipeline_tests.common import WILAYAH

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
