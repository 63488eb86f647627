"""The quarterly measurement (pengukuran_kinerja_<tahun>.xlsx/.csv, docs/data-contract.md
§8, §5.7), written from realisasi_triwulan-shaped frames and opened again as a reader
would (openpyxl), its charts native Excel charts."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from iku_pipeline.indicators import declarations as decl
from iku_pipeline.publish import pengukuran
from iku_pipeline.publish.exports import write_exports
from iku_pipeline.publish.lkjip import kolom_lkjip
from iku_pipeline.publish.matrix import DEFAULT_BANDS, build_matriks
from iku_pipeline.publish.pengukuran_baris import (
    baris_pengukuran,
    daftar_tw,
    read_triwulan,
    write_pengukuran_csv,
)
from iku_pipeline.publish.warehouse import make_engine, replace_year
from iku_pipeline_tests.common import WILAYAH
from iku_pipeline_tests.test_matrix import make_realisasi, make_tambahan, targets_frame

AKHIR = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}
NOTE = "Pengantar nikah naik setelah sosialisasi KUA."


def make_triwulan(realisasi: pd.DataFrame, tambahan: pd.DataFrame, tahun: int,
                  quarters=(1, 2, 3, 4), sampai: dt.date | None = None) -> pd.DataFrame:
    """realisasi_triwulan rows of ``tahun`` consistent with the yearly rows: in quarter
    q the pembilang is q/4 of the year's (rounded down), the penyebut the year's, so TW
    IV is the yearly figure; ``sampai``: the running quarter's last day counted."""
    rows = []
    year = pd.concat([realisasi[realisasi["tahun"] == tahun],
                      tambahan[tambahan["tahun"] == tahun]])  # fmt: skip
    for q in quarters:
        end = dt.date(tahun, *AKHIR[q])
        if sampai is not None and q == max(quarters):
            end = sampai
        for r in year.to_dict("records"):
            p, n = r["pembilang"], r["penyebut"]
            if pd.isna(p):
                nilai = p = n = None
            else:
                p = int(p) * q // 4
                n = None if pd.isna(n) else int(n)
                nilai = float(p) if n is None else (100.0 * p / n if n else None)
            rows.append((tahun, q, r["kode"], r["wilayah"], p, n, nilai, r["satuan"], end))
    frame = pd.DataFrame(rows, columns=["tahun", "triwulan", "kode", "wilayah", "pembilang",
                                        "penyebut", "nilai", "satuan", "sampai_tanggal"])
    return frame.astype({"pembilang": "Int64", "penyebut": "Int64", "nilai": "float64"})


def quarterly_targets(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["kode", "tahun", "triwulan", "target"]).astype(
        {"tahun": "int64", "triwulan": "int64", "target": "float64"}
    )


def kec_tw(frame: pd.DataFrame, kode: str, q: int) -> pd.Series:
    f = frame
    return f[(f.kode == kode) & (f.triwulan == q) & (f.wilayah == decl.KECAMATAN)].iloc[0]


@pytest.fixture
def tahun_penuh():
    """2023, every quarter: IKU 1 with a target each quarter, IKU 2 a target 0 in TW I,
    IKU 4 a target in TW II only; the yearly targets; a note on 1.d."""
    realisasi = make_realisasi(years=(2023,))
    tambahan = make_tambahan(realisasi)
    targets = targets_frame([("1", 2023, 95.0), ("4", 2023, 20.0), ("1", 2025, 100.0)])
    catatan = pd.DataFrame([("1d", 2023, NOTE)], columns=["kode", "tahun", "catatan"])
    matriks = kolom_lkjip(build_matriks(realisasi, tambahan, targets, DEFAULT_BANDS),
                          targets, catatan)  # fmt: skip
    triwulan = make_triwulan(realisasi, tambahan, 2023)
    targets_tw = quarterly_targets(
        [("1", 2023, q, 80.0 + 5 * q) for q in (1, 2, 3, 4)]
        + [("2", 2023, 1, 0.0), ("4", 2023, 2, 5.0)]
    )
    return triwulan, matriks, targets_tw


def header_of(ws) -> int:
    return next(c.row for c in ws["A"] if c.value == "NO")


def by_kode(ws, header: int) -> dict[str, int]:
    """Row of each printed matrix row, in decl.URUTAN order."""
    return {kode: header + 3 + i for i, kode in enumerate(decl.URUTAN)}


def assert_print_ready(ws):
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the schema's default
    assert ws.page_setup.fitToHeight == 0


# ---------------------------------------------------------------- the measurement


def test_quarters_named_together():
    assert daftar_tw([1, 2, 3, 4]) == "TW I–IV"
    assert daftar_tw([2, 3, 4]) == "TW II–IV"
    assert daftar_tw([1, 3, 4]) == "TW I, TW III, TW IV"
    assert daftar_tw([2]) == "TW II"


def test_workbook_headed_like_the_matrix_with_the_quarters(tmp_path, tahun_penuh):
    triwulan, matriks, targets_tw = tahun_penuh
    path = pengukuran.write_pengukuran(triwulan, matriks, targets_tw, 2023, tmp_path,
                                       WILAYAH.names)  # fmt: skip
    assert path.name == "pengukuran_kinerja_2023.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Pengukuran TW 2023", "Per Kelurahan", "Grafik"]
    ws = wb["Pengukuran TW 2023"]
    assert ws["A1"].value == decl.OPD.judul and ws["A2"].value == decl.OPD.kota
    assert ws["A3"].value == "PENGUKURAN KINERJA TRIWULAN TAHUN 2023"
    texts = [c.value for row in ws.iter_rows(max_row=20) for c in row if c.value]
    assert "NAMA OPD" in texts and ": " + decl.OPD.nama_opd in texts
    h = header_of(ws)
    assert [ws.cell(h, c).value for c in range(1, 5)] == [
        "NO", "URAIAN INDIKATOR", "SATUAN", "TARGET TAHUN 2023"]
    assert [ws.cell(h, 5 + 3 * i).value for i in range(4)] == [
        "TRIWULAN I\n(s.d. 31 Maret 2023)", "TRIWULAN II\n(s.d. 30 Juni 2023)",
        "TRIWULAN III\n(s.d. 30 September 2023)", "TRIWULAN IV\n(s.d. 31 Desember 2023)",
    ]  # fmt: skip
    assert [ws.cell(h + 1, c).value for c in range(5, 17)] == [
        "TARGET", "REALISASI", "CAPAIAN (%)"] * 4
    assert [ws.cell(h, c).value for c in (17, 18)] == ["KETERANGAN", "ANALISIS PENYEBAB"]
    assert [ws.cell(h + 2, c).value for c in range(1, 19)] == list(range(1, 19))
    assert ws.print_title_rows == f"${h}:${h + 2}"
    rows = by_kode(ws, h)
    for kode, r in rows.items():
        declared = decl.TAMBAHAN_BY_KODE.get(kode) or decl.INDIKATOR_BY_KODE[kode]
        assert ws.cell(r, 2).value == getattr(declared, "judul", declared.uraian)
        assert ws.cell(r, 3).value == declared.satuan
        assert ws.cell(r, 1).value == ("" if kode in decl.TAMBAHAN_BY_KODE else declared.no) \
            or ws.cell(r, 1).value is None
    for sheet in wb.worksheets:
        assert_print_ready(sheet)


def test_quarterly_target_realisasi_and_capaian(tmp_path, tahun_penuh):
    triwulan, matriks, targets_tw = tahun_penuh
    path = pengukuran.write_pengukuran(triwulan, matriks, targets_tw, 2023, tmp_path)
    ws = openpyxl.load_workbook(path)["Pengukuran TW 2023"]
    rows = by_kode(ws, header_of(ws))
    col = {q: 5 + 3 * (q - 1) for q in (1, 2, 3, 4)}  # TARGET of each quarter
    r1 = rows["1"]
    assert ws.cell(r1, 4).value == 95.0  # the yearly target
    for q in (1, 2, 3, 4):
        realisasi = kec_tw(triwulan, "1", q).nilai
        assert ws.cell(r1, col[q]).value == 80.0 + 5 * q
        assert ws.cell(r1, col[q] + 1).value == pytest.approx(realisasi)
        assert ws.cell(r1, col[q] + 2).value == pytest.approx(realisasi / (80 + 5 * q) * 100)
        assert ws.cell(r1, col[q] + 1).number_format == "#,##0.00"
    assert not ws.cell(r1, 17).value  # every quarter has its target: nothing to explain
    # No quarterly target: an empty capaian and the reason, never a share of the year's.
    r1a = rows["1a"]
    for q in (1, 2, 3, 4):
        assert ws.cell(r1a, col[q]).value is None and ws.cell(r1a, col[q] + 2).value is None
        assert ws.cell(r1a, col[q] + 1).value == pytest.approx(kec_tw(triwulan, "1a", q).nilai)
    assert ws.cell(r1a, 17).value == "TW I–IV: target triwulan tidak ditetapkan."
    # A quarterly target of 0: no capaian, said so.
    r2 = rows["2"]
    assert ws.cell(r2, col[1]).value == 0 and ws.cell(r2, col[1] + 2).value is None
    assert "TW I: Target 0; capaian tidak dapat dihitung" in ws.cell(r2, 17).value
    assert "TW II–IV: target triwulan tidak ditetapkan." in ws.cell(r2, 17).value
    # IKU 4 counts: a target for TW II only.
    r4 = rows["4"]
    assert ws.cell(r4, 4).value == 20.0
    tw2 = kec_tw(triwulan, "4", 2).nilai
    assert ws.cell(r4, col[2] + 1).value == tw2 and ws.cell(r4, col[2] + 1).number_format == "#,##0"
    assert ws.cell(r4, col[2] + 2).value == pytest.approx(tw2 / 5 * 100)
    assert ws.cell(r4, 17).value.startswith("TW I, TW III, TW IV: target triwulan tidak ditetapkan.")
    assert ws.cell(r4, 17).value.endswith(decl.INDIKATOR_BY_KODE["4"].catatan)
    # A supplementary row: realisasi only, no target or capaian, none explained as missing.
    r = rows["3_nominal"]
    assert ws.cell(r, col[2] + 1).value == pytest.approx(kec_tw(triwulan, "3_nominal", 2).nilai)
    assert ws.cell(r, col[2]).value is None and ws.cell(r, col[2] + 2).value is None
    assert ws.cell(r, 2).font.i and "target triwulan" not in ws.cell(r, 17).value
    # TW IV is the yearly figure.
    yearly = matriks.set_index("kode").at["1b", "realisasi"]
    assert ws.cell(rows["1b"], col[4] + 1).value == pytest.approx(yearly)
    # The analyst's note of the year.
    assert ws.cell(rows["1d"], 18).value == NOTE


def test_running_year_quarters_not_begun_and_the_sd_date(tmp_path):
    realisasi = make_realisasi(years=(2026,))
    tambahan = make_tambahan(realisasi)
    matriks = build_matriks(realisasi, tambahan, None, DEFAULT_BANDS)
    triwulan = make_triwulan(realisasi, tambahan, 2026, quarters=(1, 2, 3),
                             sampai=dt.date(2026, 9, 14))  # fmt: skip
    targets_tw = quarterly_targets([("1", 2026, 4, 95.0)])
    path = pengukuran.write_pengukuran(triwulan, matriks, targets_tw, 2026, tmp_path)
    ws = openpyxl.load_workbook(path)["Pengukuran TW 2026"]
    assert ws["A3"].value == (
        "PENGUKURAN KINERJA TRIWULAN TAHUN 2026 (realisasi s.d. 14 September 2026)")
    h = header_of(ws)
    assert ws.cell(h, 11).value == "TRIWULAN III\n(realisasi s.d. 14 September 2026)"
    rows = by_kode(ws, h)
    for kode, r in rows.items():
        assert ws.cell(r, 15).value == "belum berjalan"  # TW IV's REALISASI
        assert ws.cell(r, 16).value is None
    assert ws.cell(rows["1"], 14).value == 95.0  # its target is known already
    assert ws.cell(rows["1"], 12).value == pytest.approx(kec_tw(triwulan, "1", 3).nilai)
    assert ws.cell(rows["1a"], 17).value == "TW I–III: target triwulan tidak ditetapkan."
    grafik = openpyxl.load_workbook(path)["Grafik"]
    notes = [c.value for row in grafik.iter_rows() for c in row
             if isinstance(c.value, str) and "belum ditetapkan" in c.value]
    assert notes == ["Target tahun 2026 belum ditetapkan: grafik tanpa garis target."] * 8


def test_missing_sources_and_zero_denominators_per_quarter(tmp_path):
    realisasi = make_realisasi(years=(2023,), belum={2023: ("4",)}, nol={2023: ("2",)})
    tambahan = make_tambahan(realisasi)
    matriks = build_matriks(realisasi, tambahan, None, DEFAULT_BANDS)
    triwulan = make_triwulan(realisasi, tambahan, 2023)
    path = pengukuran.write_pengukuran(triwulan, matriks, None, 2023, tmp_path)
    ws = openpyxl.load_workbook(path)["Pengukuran TW 2023"]
    rows = by_kode(ws, header_of(ws))
    assert [ws.cell(rows["4"], 6 + 3 * i).value for i in range(4)] == ["data belum tersedia"] * 4
    assert [ws.cell(rows["2"], 6 + 3 * i).value for i in range(4)] == ["-"] * 4
    assert ws.cell(rows["2"], 17).value.startswith(
        "TW I–IV: Realisasi tidak dapat dihitung: tidak ada usulan masuk (penyebut 0).")
    assert ws.cell(rows["4"], 17).value.startswith("TW I–IV: Realisasi: data belum tersedia")


def test_per_kelurahan_sheet(tmp_path, tahun_penuh):
    triwulan, matriks, targets_tw = tahun_penuh
    path = pengukuran.write_pengukuran(triwulan, matriks, targets_tw, 2023, tmp_path,
                                       WILAYAH.names)  # fmt: skip
    ws = openpyxl.load_workbook(path)["Per Kelurahan"]
    h = header_of(ws)
    assert [ws.cell(h, c).value for c in range(1, 6)] == [
        "NO", "URAIAN INDIKATOR", "SATUAN", "KELURAHAN", "REALISASI"]
    assert ws.cell(h + 1, 5).value == "TRIWULAN I\n(s.d. 31 Maret 2023)"
    wilayah = [*WILAYAH.names, decl.KECAMATAN]
    first = h + 3
    assert [ws.cell(first + i, 4).value for i in range(len(wilayah))] == wilayah
    for i, w in enumerate(wilayah):
        for q in (1, 2, 3, 4):
            t = triwulan
            value = t[(t.kode == "1") & (t.wilayah == w) & (t.triwulan == q)].nilai.iloc[0]
            assert ws.cell(first + i, 4 + q).value == pytest.approx(value)
    assert ws.cell(first + len(wilayah) - 1, 4).font.b  # the kecamatan's row in bold
    assert ws.row_breaks.count >= 1  # pages break between blocks


def test_charts_are_native_excel_charts(tmp_path, tahun_penuh):
    triwulan, matriks, targets_tw = tahun_penuh
    path = pengukuran.write_pengukuran(triwulan, matriks, targets_tw, 2023, tmp_path)
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        charts = sorted(n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        assert len(charts) == len(decl.INDIKATOR)  # one per IKU
        assert not [n for n in names if n.startswith("xl/media/")]  # no picture
        first = z.read(charts[0]).decode("utf-8")
    assert "<c:barChart>" in first and "<c:lineChart>" in first  # columns and target line
    assert "Grafik!$B$" in first and "Grafik!$C$" in first  # drawn from the cells beside
    assert "IKU 1. Persentase rekomendasi pelayanan" in first
    ws = openpyxl.load_workbook(path)["Grafik"]
    cells = {}  # the first cell of each text: IKU 1's table comes first
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                cells.setdefault(cell.value, (cell.row, cell.column))
    r, c = cells["TW II"]
    assert ws.cell(r, c + 1).value == pytest.approx(kec_tw(triwulan, "1", 2).nilai)
    assert ws.cell(r, c + 2).value == 95.0  # the yearly target drawn as a line
    assert ws.cell(r, c + 3).value == 90.0  # the quarter's own target


def test_csv_rows_of_the_measurement(tmp_path, tahun_penuh):
    triwulan, matriks, targets_tw = tahun_penuh
    baris = baris_pengukuran(triwulan, matriks, targets_tw, 2023)
    path = write_pengukuran_csv(baris, 2023, tmp_path)
    assert path.name == "pengukuran_kinerja_2023.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    frame = pd.read_csv(io.StringIO(raw.decode("utf-8-sig")), sep=";", dtype=str,
                        keep_default_na=False)  # fmt: skip
    assert list(frame.columns)[:5] == ["TAHUN", "NO", "URAIAN INDIKATOR", "SATUAN",
                                       "TARGET TAHUN 2023"]  # fmt: skip
    assert "CAPAIAN (%) TW III" in frame.columns and frame.columns[-1] == "ANALISIS PENYEBAB"
    assert len(frame) == len(decl.URUTAN)
    one = frame[frame["NO"] == "1"].iloc[0]
    tw1 = kec_tw(triwulan, "1", 1).nilai
    assert one["REALISASI TW I"] == f"{tw1:.2f}".replace(".", ",")
    assert one["CAPAIAN (%) TW I"] == f"{tw1 / 85 * 100:.2f}".replace(".", ",")
    one_a = frame[frame["NO"] == "1.a"].iloc[0]
    assert one_a["CAPAIAN (%) TW I"] == "" and "target triwulan" in one_a["KETERANGAN"]
    assert frame[frame["NO"] == "1.d"].iloc[0]["ANALISIS PENYEBAB"] == NOTE


# ---------------------------------------------------------------- written with the run's files


def test_exports_write_the_measurement_when_the_year_has_quarterly_rows(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'iku.sqlite'}")
    assert read_triwulan(engine, 2023) is None  # no table yet: nothing to write
    realisasi = make_realisasi(years=(2022, 2023))
    tambahan = make_tambahan(realisasi)
    for tahun in (2022, 2023):
        year, more = realisasi[realisasi.tahun == tahun], tambahan[tambahan.tahun == tahun]
        frames = {
            "realisasi_iku": year,
            "realisasi_tambahan": more,
            "matriks_iku": build_matriks(year, more, None, DEFAULT_BANDS),
        }
        replace_year(engine, tahun, frames, f"run-{tahun}")
    # Only 2023 has quarterly rows (2022 was published before they existed).
    quarterly = make_triwulan(realisasi, tambahan, 2023).assign(
        run_id="run-2023", dipublikasikan=pd.Timestamp("2024-01-05 09:00"))
    quarterly.to_sql("realisasi_triwulan", engine, if_exists="append", index=False)
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "target_iku.csv").write_text(
        "kode,tahun,triwulan,target\n1,2023,,95\n1,2023,2,90\n", encoding="utf-8")
    out = tmp_path / "published"
    exported = write_exports(engine, out, [2022, 2023], WILAYAH.names, reference_dir=reference)
    names = {p.name for p in exported.paths}
    assert {"pengukuran_kinerja_2023.xlsx", "pengukuran_kinerja_2023.csv"} <= names
    assert not any("pengukuran_kinerja_2022" in n for n in names)
    ws = openpyxl.load_workbook(out / "pengukuran_kinerja_2023.xlsx")["Pengukuran TW 2023"]
    rows = by_kode(ws, header_of(ws))
    assert ws.cell(rows["1"], 8).value == 90.0  # TW II's target, from the target file
    assert ws.cell(rows["1"], 10).value == pytest.approx(
        kec_tw(make_triwulan(realisasi, tambahan, 2023), "1", 2).nilai / 90 * 100)
    engine.dispose()
