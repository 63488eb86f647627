"""The files a person opens: matrix per year (.xlsx, .csv), the 2021–2025 matrix, the
rejected-rows report, the trend charts. Opened again with openpyxl, as a reader would."""

from __future__ import annotations

import io
import json
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from iku_pipeline.indicators import declarations as decl
from iku_pipeline.publish import baris_ditolak, matriks_csv, matriks_periode, matriks_tahun
from iku_pipeline.publish.charts import markdown, realisasi_series, trend
from iku_pipeline.publish.matrix import (
    DEFAULT_BANDS,
    build_matriks,
    build_matriks_kelurahan,
    predikat,
)
from iku_pipeline_tests.test_matrix import (
    kec,
    make_realisasi,
    make_tambahan,
    tambahan_kec,
    targets_frame,
)
from iku_pipeline_tests.common import WILAYAH

KODE = [i.kode for i in decl.INDIKATOR]
URUTAN = list(decl.URUTAN)  # every printed row: the indicators, each with its supplements
TAMBAHAN_4_URAIAN = decl.TAMBAHAN_BY_KODE["4_selesai"].judul
HEADERS = [
    "NO", "URAIAN INDIKATOR", "SATUAN", "ALASAN / SASARAN", "SUMBER DATA",
    "RUMUS PERHITUNGAN INDIKATOR", "TARGET", "REALISASI", "CAPAIAN (%)", "PREDIKAT",
    "KETERANGAN",
]  # fmt: skip


@pytest.fixture
def data():
    realisasi = make_realisasi(
        years=(2021, 2022, 2023),
        belum={2023: ("1", "1a", "1b", "1c", "1d"), 2022: ("4",)},
        nol={2023: ("3",)},
    )
    tambahan = make_tambahan(realisasi)
    targets = targets_frame(
        [("1", 2022, 95.0), ("2", 2022, 60.0), ("4", 2022, 10.0), ("2", 2023, 0.0),
         ("4", 2023, 4.0), ("3", 2021, 80.0)]
    )  # fmt: skip
    matriks = build_matriks(realisasi, tambahan, targets, DEFAULT_BANDS)
    kelurahan = build_matriks_kelurahan(realisasi, tambahan, WILAYAH.names)
    return realisasi, tambahan, targets, matriks, kelurahan


def find(ws, text, exact=True):
    """(row, column) of the first cell equal to (or containing) ``text``."""
    for row in ws.iter_rows():
        for cell in row:
            v = cell.value
            if isinstance(v, str) and (v == text if exact else text in v):
                return cell.row, cell.column
    raise AssertionError(f"{text!r} not in sheet {ws.title}")


def all_text(ws) -> str:
    return "\n".join(
        str(c.value) for row in ws.iter_rows() for c in row if c.value is not None
    )


def table_rows(ws, header_row: int, n: int = len(decl.URUTAN)):
    """The matrix rows under the header and its column-number row."""
    return [[c for c in ws[header_row + 2 + i]] for i in range(n)]


def assert_print_ready(ws):
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    # fitToWidth is left out when 1, its default in the OOXML schema (ECMA-376 §18.3.1.64)
    assert ws.page_setup.fitToWidth in (None, 1)
    assert ws.page_setup.fitToHeight == 0


# ---------------------------------------------------------------- matriks per tahun


def test_annual_workbook_header_block_and_columns(data, tmp_path):
    *_, matriks, _ = data
    path = matriks_tahun.write_matriks_tahun(matriks, 2022, tmp_path)
    assert path.name == "matriks_iku_2022.xlsx"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == decl.OPD.judul
    assert ws["A2"].value == decl.OPD.kota
    r, c = find(ws, "NAMA OPD")
    assert ws.cell(r, 3).value == ": " + decl.OPD.nama_opd
    r, c = find(ws, "TUGAS POKOK")
    assert ws.cell(r, 3).value == ": " + decl.OPD.tugas_pokok
    r, c = find(ws, "FUNGSI")
    for i, fungsi in enumerate(decl.OPD.fungsi):
        assert ws.cell(r + i, 3).value.endswith(f"{i + 1}. {fungsi}")
    header, _ = find(ws, "NO")
    assert [ws.cell(header, c).value for c in range(1, 13)] == [*HEADERS, "ANALISIS PENYEBAB"]
    assert [ws.cell(header + 1, c).value for c in range(1, 13)] == list(range(1, 13))
    assert_print_ready(ws)
    assert ws.print_title_rows == f"${header}:${header + 1}"  # repeated on every page
    assert ws.print_area.endswith("!$A$1:$L$" + str(ws.max_row))


def test_annual_workbook_texts_values_formats(data, tmp_path):
    realisasi, tambahan, targets, matriks, _ = data
    xlsx = matriks_tahun.write_matriks_tahun(matriks, 2022, tmp_path)
    ws = openpyxl.load_workbook(xlsx).active
    header, _ = find(ws, "NO")
    rows = table_rows(ws, header)
    group_first = {}
    for cells, kode in zip(rows, URUTAN, strict=True):
        if kode == "4_selesai":  # the supplementary row under IKU 4
            assert cells[1].value == TAMBAHAN_4_URAIAN
            assert cells[7].value == "data belum tersedia"  # konflik not delivered
            continue
        if kode in decl.TAMBAHAN_BY_KODE:
            continue  # IKU 3's: test_annual_iku_3_supplementary_rows
        ind = decl.INDIKATOR_BY_KODE[kode]
        assert cells[0].value == ind.no
        assert cells[1].value == ind.uraian
        assert cells[2].value == ind.satuan
        family = kode[0]
        if family not in group_first:  # ALASAN / SUMBER / RUMUS once per indicator
            group_first[family] = True
            assert (cells[3].value or "") == ind.alasan_sasaran
            assert cells[4].value == ind.sumber_data
            assert cells[5].value == ind.rumus
        src = kec(realisasi, 2022, kode)
        if kode == "4":  # konflik not delivered in 2022
            assert cells[7].value == "data belum tersedia"
            assert cells[8].value is None
            continue
        assert cells[7].data_type == "n"
        assert cells[7].value == pytest.approx(src.nilai)
        assert cells[7].number_format == "#,##0.00"
    by_no = {cells[0].value: cells for cells in rows}
    one = by_no["1"]
    assert one[6].value == 95.0 and one[6].data_type == "n"
    assert one[8].value == pytest.approx(kec(realisasi, 2022, "1").nilai / 95 * 100)
    assert one[8].data_type == "n" and one[8].number_format == "#,##0.00"
    assert one[9].value == predikat(kec(realisasi, 2022, "1").nilai / 95 * 100, DEFAULT_BANDS)
    two = by_no["2"]
    assert two[8].value == pytest.approx(kec(realisasi, 2022, "2").nilai / 60 * 100)
    assert two[8].value > 100  # uncapped
    assert two[9].value == "Sangat Tinggi"
    assert by_no["1.a"][8].value is None
    assert "Target belum ditetapkan" in by_no["1.a"][10].value
    assert decl.INDIKATOR_BY_KODE["1b"].catatan in by_no["1.b"][10].value
    assert decl.INDIKATOR_BY_KODE["1c"].catatan in by_no["1.c"][10].value


def test_annual_indicator_4_count_share_and_note(data, tmp_path):
    realisasi, tambahan, _, matriks, _ = data
    xlsx = matriks_tahun.write_matriks_tahun(matriks, 2023, tmp_path)
    ws = openpyxl.load_workbook(xlsx).active
    header, _ = find(ws, "NO")
    rows = table_rows(ws, header)
    four, extra = rows[URUTAN.index("4")], rows[URUTAN.index("4_selesai")]
    assert four[0].value == "4"
    count = kec(realisasi, 2023, "4").nilai
    assert four[7].value == count and four[7].data_type == "n"
    assert four[7].number_format == "#,##0"
    assert four[6].value == 4.0
    assert four[8].value == pytest.approx(count / 4 * 100)
    assert decl.INDIKATOR_BY_KODE["4"].catatan in four[10].value
    assert "hasil Selesai" in four[10].value
    t = tambahan_kec(tambahan, 2023, "4_selesai")
    assert extra[1].value == TAMBAHAN_4_URAIAN
    assert extra[2].value == "%"
    assert extra[7].value == pytest.approx(t.nilai)
    assert extra[7].data_type == "n" and extra[7].number_format == "#,##0.00"
    assert extra[6].value is None and extra[8].value is None


def test_annual_iku_3_supplementary_rows(data, tmp_path):
    realisasi, tambahan, _, matriks, _ = data
    xlsx = matriks_tahun.write_matriks_tahun(matriks, 2021, tmp_path)
    ws = openpyxl.load_workbook(xlsx).active
    header, _ = find(ws, "NO")
    rows = table_rows(ws, header)
    three = URUTAN.index("3")
    assert rows[three][0].value == "3"
    assert rows[three][6].value == 80.0  # IKU 3's own target and capaian stay
    for offset, kode in enumerate(("3_nominal", "3_tepat_waktu"), start=1):
        t = decl.TAMBAHAN_BY_KODE[kode]
        cells = rows[three + offset]  # right under IKU 3, in the declared order
        assert cells[0].value is None or cells[0].value == ""
        assert cells[1].value == t.judul and cells[1].font.i  # italic: not a signed row
        assert cells[2].value == "%"
        assert cells[5].value == t.rumus
        assert cells[7].value == pytest.approx(tambahan_kec(tambahan, 2021, kode).nilai)
        assert cells[7].data_type == "n" and cells[7].number_format == "#,##0.00"
        assert cells[6].value is None and cells[8].value is None and not cells[9].value
        assert t.keterangan in cells[10].value
    assert rows[three + 1][7].value == 105.0  # a nominal realisation above 100 % stays
    # SUMBER DATA of IKU 3 is written once for it and its supplementary rows (one block)
    assert rows[three][4].value == decl.INDIKATOR_BY_KODE["3"].sumber_data
    assert rows[three + 1][4].value is None and rows[three + 2][4].value is None
    assert not rows[three][4].border.bottom.style and rows[three + 2][4].border.bottom.style


def test_annual_supplementary_row_missing_from_an_older_publication(data, tmp_path):
    *_, matriks, _ = data
    older = matriks[~matriks["kode"].isin(["3_nominal", "3_tepat_waktu"])]
    xlsx = matriks_tahun.write_matriks_tahun(older, 2021, tmp_path)
    ws = openpyxl.load_workbook(xlsx).active
    header, _ = find(ws, "NO")
    rows = table_rows(ws, header)
    three = URUTAN.index("3")
    assert rows[three + 1][1].value == decl.TAMBAHAN_BY_KODE["3_nominal"].judul
    assert rows[three + 1][7].value == "belum diproses"
    frame = pd.read_csv(matriks_csv.write_matriks_tahun_csv(older, 2021, tmp_path), sep=";",
                        dtype=str, keep_default_na=False, encoding="utf-8-sig")
    row = frame[frame["URAIAN INDIKATOR"] == decl.TAMBAHAN_BY_KODE["3_tepat_waktu"].judul]
    assert row["REALISASI"].tolist() == ["belum diproses"]


def test_annual_missing_data_and_zero_denominator(data, tmp_path):
    *_, matriks, _ = data
    xlsx = matriks_tahun.write_matriks_tahun(matriks, 2023, tmp_path)
    ws = openpyxl.load_workbook(xlsx).active
    header, _ = find(ws, "NO")
    by_no = {cells[0].value: cells for cells in table_rows(ws, header)}
    for no in ("1", "1.a", "1.b", "1.c", "1.d"):
        assert by_no[no][7].value == "data belum tersedia"
        assert "data belum tersedia" in by_no[no][10].value
    assert by_no["3"][7].value == "-"
    assert "tidak ada wajib pajak" in by_no["3"][10].value
    assert by_no["2"][6].value == 0 and by_no["2"][8].value is None
    assert "Target 0" in by_no["2"][10].value


def test_annual_signature_block_and_run(data, tmp_path):
    *_, matriks, _ = data
    xlsx = matriks_tahun.write_matriks_tahun(matriks, 2021, tmp_path)
    ws = openpyxl.load_workbook(xlsx).active
    r, c = find(ws, decl.OPD.nama_penandatangan, exact=False)
    block = ws.cell(r, c).value
    lines = [line for line in block.split("\n") if line]
    assert lines == [
        decl.OPD.tempat_tanggal,
        decl.OPD.jabatan_penandatangan,
        decl.OPD.nama_penandatangan,
        decl.OPD.nip_penandatangan,
    ]
    header, _ = find(ws, "NO")
    assert r > header + 10  # below the table
    assert "run-2021" in all_text(ws)


def test_annual_csv_utf8_bom_indonesian_headers(data, tmp_path):
    realisasi, *_, matriks, _ = data
    csv_path = matriks_csv.write_matriks_tahun_csv(matriks, 2023, tmp_path)
    assert csv_path.name == "matriks_iku_2023.csv"
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.StringIO(raw.decode("utf-8-sig")), sep=";", dtype=str,
                        keep_default_na=False)
    assert list(frame.columns) == ["TAHUN", *HEADERS, "ANALISIS PENYEBAB", "RUN PENGOLAH"]
    assert len(frame) == len(URUTAN)
    extra = frame[frame["NO"] == ""]
    assert list(extra["URAIAN INDIKATOR"]) == [
        decl.TAMBAHAN_BY_KODE[k].judul for k in ("3_nominal", "3_tepat_waktu", "4_selesai")
    ]
    assert list(frame.index[frame["NO"] == ""]) == [
        URUTAN.index(k) for k in ("3_nominal", "3_tepat_waktu", "4_selesai")
    ]
    # 2023: IKU 3 has no wajib pajak, so neither figure beside it has a value; konflik
    # was delivered: the share is there.
    assert list(extra["REALISASI"])[:2] == ["-", "-"]
    assert (extra[["TARGET", "CAPAIAN (%)", "PREDIKAT"]] == "").all().all()
    assert "tidak ada ketetapan PBB" in extra["KETERANGAN"].iloc[0]
    share = tambahan_kec(make_tambahan(realisasi), 2023, "4_selesai").nilai
    assert extra["REALISASI"].iloc[2] == f"{share:.2f}".replace(".", ",")
    by_no = frame[frame["NO"] != ""].set_index("NO")
    assert by_no.at["1", "REALISASI"] == "data belum tersedia"
    assert by_no.at["3", "REALISASI"] == "-"
    expected = f"{kec(realisasi, 2023, '2').nilai:.2f}".replace(".", ",")
    assert by_no.at["2", "REALISASI"] == expected
    assert by_no.at["4", "REALISASI"] == str(int(kec(realisasi, 2023, "4").nilai))
    assert by_no.at["1.b", "URAIAN INDIKATOR"] == decl.INDIKATOR_BY_KODE["1b"].uraian
    assert (frame["RUN PENGOLAH"] == "run-2023").all()


def test_year_not_in_matrix_is_an_error(data, tmp_path):
    *_, matriks, _ = data
    for write in (matriks_tahun.write_matriks_tahun, matriks_csv.write_matriks_tahun_csv):
        with pytest.raises(ValueError, match="2030"):
            write(matriks, 2030, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_the_previous_file_and_no_temp(data, tmp_path, monkeypatch):
    *_, matriks, _ = data
    xlsx = matriks_tahun.write_matriks_tahun(matriks, 2022, tmp_path)
    before = xlsx.read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disk penuh")

    monkeypatch.setattr(matriks_tahun, "_sheet", boom)
    with pytest.raises(RuntimeError):
        matriks_tahun.write_matriks_tahun(matriks, 2022, tmp_path)
    assert xlsx.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [xlsx.name]


# ---------------------------------------------------------------- matriks 2021-2025


def test_period_workbook_years_side_by_side(data, tmp_path):
    realisasi, _, targets, matriks, kelurahan = data
    charts = {k: trend(realisasi, k, targets, range(2021, 2026)) for k in ("1", "4")}
    runs = {2021: "run-2021", 2022: "run-2022", 2023: "run-2023"}
    path = matriks_periode.write_matriks_periode(matriks, kelurahan, charts, runs, tmp_path)
    assert path.name == "matriks_iku_2021-2025.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Matriks IKU 2021-2025", "Perbandingan LKjIP", "Per Kelurahan", "Grafik",
    ]  # fmt: skip
    ws = wb["Matriks IKU 2021-2025"]
    assert ws["A1"].value == decl.OPD.judul and ws["A2"].value == decl.OPD.kota
    header, _ = find(ws, "NO")
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert f"A{header}:A{header + 1}" in merged
    cols = {}
    for i, y in enumerate(range(2021, 2026)):
        first = 7 + 3 * i
        assert ws.cell(header, first).value == str(y)
        letter = openpyxl.utils.get_column_letter
        assert f"{letter(first)}{header}:{letter(first + 2)}{header}" in merged
        assert [ws.cell(header + 1, first + j).value for j in range(3)] == [
            "TARGET", "REALISASI", "CAPAIAN (%)",
        ]  # fmt: skip
        cols[y] = first
    assert ws.cell(header, 22).value == "KETERANGAN"
    assert_print_ready(ws)

    first_row = header + 3
    by_no = {ws.cell(first_row + i, 1).value: first_row + i for i in range(len(URUTAN))}
    by_kode = {kode: first_row + i for i, kode in enumerate(URUTAN)}
    for y in (2021, 2022):
        r = by_no["2"]
        assert ws.cell(r, cols[y] + 1).value == pytest.approx(kec(realisasi, y, "2").nilai)
        assert ws.cell(r, cols[y] + 1).data_type == "n"
    r = by_no["2"]
    assert ws.cell(r, cols[2022]).value == 60.0
    assert ws.cell(r, cols[2022] + 2).value == pytest.approx(
        kec(realisasi, 2022, "2").nilai / 60 * 100
    )
    assert ws.cell(by_no["1"], cols[2023] + 1).value == "data belum tersedia"
    assert ws.cell(by_no["4"], cols[2022] + 1).value == "data belum tersedia"
    assert ws.cell(by_no["3"], cols[2023] + 1).value == "-"
    assert ws.cell(by_no["1"], cols[2025] + 1).value == "belum diproses"  # never run
    assert ws.cell(by_no["4"], cols[2023] + 1).number_format == "#,##0"
    note_4 = ws.cell(by_no["4"], 22).value
    assert decl.INDIKATOR_BY_KODE["4"].catatan in note_4
    note_1b = ws.cell(by_no["1.b"], 22).value
    assert "2023: Realisasi: data belum tersedia" in note_1b
    assert decl.INDIKATOR_BY_KODE["1b"].catatan in note_1b
    for kode in ("3_nominal", "3_tepat_waktu"):  # IKU 3's supplementary rows, no target
        r = by_kode[kode]
        assert ws.cell(r, 2).value == decl.TAMBAHAN_BY_KODE[kode].judul
        for y in (2021, 2022):
            value = tambahan_kec(make_tambahan(realisasi), y, kode).nilai
            assert ws.cell(r, cols[y] + 1).value == pytest.approx(value)
            assert ws.cell(r, cols[y]).value is None and ws.cell(r, cols[y] + 2).value is None
        assert ws.cell(r, cols[2023] + 1).value == "-"  # no wajib pajak in 2023
        assert ws.cell(r, cols[2025] + 1).value == "belum diproses"
    assert "2023: Realisasi tidak dapat dihitung: tidak ada ketetapan PBB" in ws.cell(
        by_kode["3_nominal"], 22
    ).value
    assert ws.cell(by_kode["3_nominal"], 22).value.endswith(
        decl.TAMBAHAN_BY_KODE["3_nominal"].keterangan
    )
    text = all_text(ws)
    for y in (2021, 2022, 2023):
        assert f"{y}: run-{y}" in text
    assert "2025: belum diproses" in text
    assert decl.OPD.nama_penandatangan in text and decl.OPD.nip_penandatangan in text


def test_a_year_not_run_shows_its_target_from_reference(data, tmp_path):
    """§5: per year, TARGET from reference/ when given, also for a year of the period
    not run yet (its REALISASI "belum diproses", no capaian); never beside a
    supplementary figure."""
    *_, matriks, kelurahan = data
    belum = targets_frame([("1", 2025, 97.5), ("4", 2025, 12.0), ("2", 2024, 70.0)])
    path = matriks_periode.write_matriks_periode(
        matriks, kelurahan, None, None, tmp_path, targets_not_run=belum
    )
    ws = openpyxl.load_workbook(path).worksheets[0]
    header, _ = find(ws, "NO")
    cols = {y: 7 + 3 * i for i, y in enumerate(range(2021, 2026))}
    first_row = header + 3
    by_no = {ws.cell(first_row + i, 1).value: first_row + i for i in range(len(URUTAN))}
    by_kode = {kode: first_row + i for i, kode in enumerate(URUTAN)}
    assert ws.cell(by_no["1"], cols[2025]).value == 97.5
    assert ws.cell(by_no["1"], cols[2025] + 1).value == "belum diproses"
    assert ws.cell(by_no["1"], cols[2025] + 2).value is None
    assert ws.cell(by_no["4"], cols[2025]).value == 12
    assert ws.cell(by_no["2"], cols[2024]).value == 70.0
    assert ws.cell(by_no["3"], cols[2025]).value is None  # no target given
    assert ws.cell(by_kode["4_selesai"], cols[2025]).value is None

    frame = pd.read_csv(
        matriks_csv.write_matriks_periode_csv(matriks, tmp_path, targets_not_run=belum),
        sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig",
    ).set_index("NO")
    assert frame.at["1", "TARGET 2025"] == "97,50" and frame.at["4", "TARGET 2025"] == "12"
    assert frame.at["2", "TARGET 2024"] == "70,00" and frame.at["3", "TARGET 2025"] == ""
    assert frame.at["1", "REALISASI 2025"] == "belum diproses"


def test_period_kelurahan_sheet_and_charts(data, tmp_path):
    realisasi, _, targets, matriks, kelurahan = data
    charts = {k: trend(realisasi, k, targets, range(2021, 2026)) for k in KODE}
    path = matriks_periode.write_matriks_periode(matriks, kelurahan, charts, {}, tmp_path)
    ws = openpyxl.load_workbook(path)["Per Kelurahan"]
    assert_print_ready(ws)
    header, _ = find(ws, "NO")
    years = [ws.cell(header + 1, 5 + i).value for i in range(5)]
    assert years == [str(y) for y in range(2021, 2026)]
    r = header + 3  # indicator 1: the four kelurahan, then the kecamatan
    assert ws.cell(r, 1).value == "1"
    assert ws.cell(r, 2).value == decl.INDIKATOR_BY_KODE["1"].uraian
    for i, wilayah in enumerate([*WILAYAH.names, decl.KECAMATAN]):
        assert ws.cell(r + i, 4).value == wilayah
        src = realisasi[
            (realisasi.tahun == 2021) & (realisasi.kode == "1") & (realisasi.wilayah == wilayah)
        ].iloc[0]  # fmt: skip
        assert ws.cell(r + i, 5).value == pytest.approx(src.nilai)
        assert ws.cell(r + i, 7).value == "data belum tersedia"  # 2023, layanan missing
        assert ws.cell(r + i, 9).value == "belum diproses"  # 2025
    # the supplementary rows, per kelurahan too: 3_nominal right after IKU 3's block
    tambahan = make_tambahan(realisasi)
    r, _ = find(ws, decl.TAMBAHAN_BY_KODE["3_nominal"].judul)
    assert ws.cell(r - 1, 4).value == decl.KECAMATAN  # IKU 3's last row above it
    assert ws.cell(r - 5, 2).value == decl.INDIKATOR_BY_KODE["3"].uraian
    for i, wilayah in enumerate([*WILAYAH.names, decl.KECAMATAN]):
        assert ws.cell(r + i, 4).value == wilayah
        src = tambahan[(tambahan.tahun == 2021) & (tambahan.kode == "3_nominal")
                       & (tambahan.wilayah == wilayah)].iloc[0]  # fmt: skip
        assert ws.cell(r + i, 5).value == pytest.approx(src.nilai)
        assert ws.cell(r + i, 5).font.i
    r, _ = find(ws, decl.TAMBAHAN_BY_KODE["3_tepat_waktu"].judul)
    assert ws.cell(r, 4).value == WILAYAH.names[0]
    assert ws.cell(r, 5).value == "-"  # 0 of 0 wajib pajak with a due date there
    notes = all_text(ws)
    for t in decl.TAMBAHAN:
        assert t.rumus in notes
    with zipfile.ZipFile(path) as z:
        drawn = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        media = [n for n in z.namelist() if n.startswith("xl/media/")]
    assert len(drawn) == len(KODE) and media == []  # native charts, no pictures


def test_period_kelurahan_pages_break_between_blocks(data, tmp_path):
    """Printed, a page of Per Kelurahan never starts inside an indicator's block: the
    rows at its top would have no uraian beside them (supplementary rows no NO either)."""
    *_, matriks, kelurahan = data
    path = matriks_periode.write_matriks_periode(matriks, kelurahan, None, None, tmp_path)
    ws = openpyxl.load_workbook(path)["Per Kelurahan"]
    header, _ = find(ws, "NO")
    starts = {r for r in range(header + 3, ws.max_row + 1) if ws.cell(r, 2).value}
    breaks = [b.id for b in ws.row_breaks.brk]  # a break after row ``id`` (1-based)
    assert breaks, "the sheet is longer than a page"
    notes = find(ws, "Tanda - pada REALISASI", exact=False)[0]
    for after in breaks:
        assert after + 1 in starts or after + 1 == notes - 1, after
    heights = [ws.row_dimensions[r].height for r in range(header, notes)]
    assert all(h for h in heights)  # every row's height set: both programs agree


def test_period_runs_from_the_matrix_when_not_given(data, tmp_path):
    *_, matriks, kelurahan = data
    path = matriks_periode.write_matriks_periode(matriks, kelurahan, None, None, tmp_path,
                                                 years=(2021, 2022, 2023))
    assert path.name == "matriks_iku_2021-2023.xlsx"
    wb = openpyxl.load_workbook(path)
    assert "Grafik" not in wb.sheetnames
    text = all_text(wb.active)
    assert "2022: run-2022" in text and "belum diproses" not in text


def test_period_csv_years_side_by_side_with_the_indicator_4_share(data, tmp_path):
    _, tambahan, _, matriks, _ = data
    path = matriks_csv.write_matriks_periode_csv(matriks, tmp_path)
    assert path.name == "matriks_iku_2021-2025.csv"
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame.columns[6:9]) == ["TARGET 2021", "REALISASI 2021", "CAPAIAN (%) 2021"]
    assert (frame["REALISASI 2025"] == "belum diproses").all()  # never run
    assert len(frame) == len(URUTAN)
    extra = frame[frame["URAIAN INDIKATOR"] == TAMBAHAN_4_URAIAN].iloc[0]
    t = tambahan_kec(tambahan, 2021, "4_selesai")
    assert extra["REALISASI 2021"] == f"{t.nilai:.2f}".replace(".", ",")
    nominal = frame[frame["URAIAN INDIKATOR"] == decl.TAMBAHAN_BY_KODE["3_nominal"].judul]
    assert nominal.index[0] == URUTAN.index("3_nominal")
    assert nominal["REALISASI 2022"].iloc[0] == "105,00"
    assert nominal["TARGET 2022"].iloc[0] == "" and nominal["CAPAIAN (%) 2022"].iloc[0] == ""
    assert extra["REALISASI 2022"] == "data belum tersedia"  # konflik not delivered
    assert extra["TARGET 2021"] == "" and extra["CAPAIAN (%) 2021"] == ""


# ---------------------------------------------------------------- charts


def test_trend_chart_native_and_gaps_not_zero(data, tmp_path):
    """Each chart is an Excel chart over cells of the sheet: the kecamatan's values, a
    year without one an empty cell drawn as a gap (never 0), its reason on the axis."""
    realisasi, _, targets, matriks, _ = data
    values, why = realisasi_series(realisasi, "1", range(2021, 2026))
    assert values[0] == pytest.approx(kec(realisasi, 2021, "1").nilai)
    assert values[2] is None and why[2] == "data belum tersedia"  # 2023: not delivered
    assert values[4] is None and why[4] == "belum diproses"  # 2025: not run
    values, why = realisasi_series(realisasi, "3", [2023])
    assert values == [None] and why == ["penyebut 0"]

    charts = {k: trend(realisasi, k, targets, range(2021, 2026)) for k in ("1", "4")}
    path = matriks_periode.write_matriks_periode(matriks, None, charts, None, tmp_path)
    ws = openpyxl.load_workbook(path)["Grafik"]
    with zipfile.ZipFile(path) as z:
        xml = {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")}
    assert len(xml) == 2
    chart_1 = next(x for x in xml.values() if "IKU 1." in x)
    assert not re.search(r'<c:dispBlanksAs val="(zero|span)"', chart_1)  # default: a gap
    refs = re.findall(r"<c:f>'?Grafik'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)</c:f>", chart_1)
    cats, bars, line = refs[0], refs[1], refs[3]  # Realisasi: categories, values; Target
    assert cats[0] == cats[2] and bars[0] == bars[2]  # each a column of five rows
    rows = range(int(bars[1]), int(bars[3]) + 1)
    assert len(rows) == 5
    cells = [ws[f"{bars[0]}{r}"].value for r in rows]
    assert cells[0] == pytest.approx(kec(realisasi, 2021, "1").nilai)
    assert cells[2] is None and cells[4] is None  # empty, not 0
    assert ws[f"{cats[0]}{rows[2]}"].value == "2023\n(data belum tersedia)"
    assert ws[f"{cats[0]}{rows[0]}"].value == "2021"
    target = [ws[f"{line[0]}{r}"].value for r in rows]
    given = targets[(targets.kode == "1")].set_index("tahun")["target"]
    for y, got in zip(range(2021, 2026), target, strict=True):
        assert got == (pytest.approx(given[y]) if y in given.index else None)
    assert "Target" in chart_1 and "Realisasi" in chart_1

    table = markdown(charts["1"])  # the figures in the asset's metadata
    assert "| 2023 | _data belum tersedia_ |" in table
    assert _id(kec(realisasi, 2021, "1").nilai) in table


def _id(value: float) -> str:
    return f"{value:,.2f}".replace(",", "\0").replace(".", ",").replace("\0", ".")


# ---------------------------------------------------------------- baris ditolak


def _rejected():
    def row(sumber, berkas, baris, kolom, alasan, isi):
        return dict(sumber=sumber, tahun=2023, berkas=berkas, baris=baris, kolom=kolom,
                    alasan=alasan, isi_baris=json.dumps(isi))

    return pd.DataFrame(
        [
            row("konflik", "konflik_2023.csv", 5, "hasil", "hasil 'Damai' tidak dikenal",
                {"No": "K-05", "Kelurahan": "Karangrejo", "Hasil": "Damai"}),
            row("layanan", "layanan_q2.csv", 14, "tanggal_masuk",
                "tanggal 31/02/2023 tidak valid",
                {"No. Register": "R-14", "Tgl Masuk": "31/02/2023", "NIK": "187203******0001"}),
            row("layanan", "layanan_q1.csv", 9, "", "no_register R-1 sudah ada di baris 3",
                {"No. Register": "R-1", "Tgl Masuk": "02/01/2023", "NIK": "187203******0002"}),
            row("layanan", "layanan_q1.csv", 4, "kelurahan", "kelurahan 'Hadimulyo' bukan "
                "kelurahan Kecamatan Metro Utara",
                {"No. Register": "R-4", "Kel": "Hadimulyo", "NIK": "187203******0003"}),
        ]
    )  # fmt: skip


def test_rejected_rows_report(tmp_path):
    path = baris_ditolak.write_baris_ditolak(_rejected(), 2023, tmp_path)
    assert path.name == "baris_ditolak_2023.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Ringkasan", "layanan", "konflik"]  # the contract's order
    for ws in wb.worksheets:
        assert_print_ready(ws)
    summary = all_text(wb["Ringkasan"])
    assert "layanan_q1.csv" in summary and "konflik_2023.csv" in summary

    ws = wb["layanan"]
    r, _ = find(ws, "Berkas: layanan_q1.csv", exact=False)
    assert [ws.cell(r + 1, c).value for c in range(1, 7)] == [
        "BARIS", "KOLOM", "ALASAN", "No. Register", "Kel", "NIK",
    ]  # fmt: skip
    assert ws.cell(r + 1, 7).value == "Tgl Masuk"
    first, second = r + 2, r + 3  # sorted by row number
    assert ws.cell(first, 1).value == 4 and ws.cell(first, 1).data_type == "n"
    assert ws.cell(first, 2).value == "Kel"  # the file's own header for 'kelurahan'
    assert ws.cell(first, 5).value == "Hadimulyo"
    assert ws.cell(first, 5).fill.fgColor.rgb.endswith("F8CBAD")  # the failing value
    assert ws.cell(first, 4).fill.fgColor.rgb in (None, "00000000")
    assert ws.cell(first, 6).value == "187203******0003"  # masked as delivered
    assert ws.cell(second, 1).value == 9
    assert ws.cell(second, 2).value == "(seluruh baris)"
    assert ws.cell(second, 3).value == "no_register R-1 sudah ada di baris 3"
    r2, _ = find(ws, "Berkas: layanan_q2.csv", exact=False)
    assert r2 > second
    assert ws.cell(r2 + 2, 1).value == 14
    assert ws.cell(r2 + 2, 2).value == "Tgl Masuk"


def test_rejected_rows_report_for_a_clean_year(tmp_path):
    empty = _rejected().iloc[0:0]
    path = baris_ditolak.write_baris_ditolak(empty, 2024, tmp_path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Ringkasan"]
    assert "Tidak ada baris ditolak untuk tahun 2024." in all_text(wb["Ringkasan"])


def test_rejected_rows_of_another_year_are_left_out(tmp_path):
    frame = _rejected()
    frame.loc[frame.sumber == "konflik", "tahun"] = 2022
    wb = openpyxl.load_workbook(baris_ditolak.write_baris_ditolak(frame, 2023, tmp_path))
    assert wb.sheetnames == ["Ringkasan", "layanan"]
    assert "konflik" not in all_text(wb["Ringkasan"])


def test_rejected_rows_listed_per_file_are_capped_but_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(baris_ditolak, "MAX_BARIS_PER_BERKAS", 1)
    wb = openpyxl.load_workbook(baris_ditolak.write_baris_ditolak(_rejected(), 2023, tmp_path))
    ws = wb["layanan"]
    r, _ = find(ws, "Berkas: layanan_q1.csv", exact=False)
    assert ws.cell(r, 1).value == "Berkas: layanan_q1.csv — 2 baris ditolak (ditampilkan 1)"
    assert ws.cell(r + 2, 1).value == 4
    assert ws.cell(r + 3, 1).value is None  # row 9 left out of the sheet, not of the count
    assert "(2 dari 3)" in all_text(ws)
    summary = wb["Ringkasan"]
    r, _ = find(summary, "layanan_q1.csv")
    assert summary.cell(r, 3).value == 2
