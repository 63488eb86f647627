"""LKjIP chapter III (docs/data-contract.md §5.4): each year against the previous one and
against the end-of-period target, and the analyst's explanation of causes
(reference/catatan_iku.csv) in matriks_iku and in every workbook."""

from __future__ import annotations

import functools
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from iku_pipeline.indicators import declarations as decl
from iku_pipeline.publish import lkjip, matriks_csv, matriks_periode, matriks_tahun, warehouse
from iku_pipeline.publish.lkjip import (
    CATATAN_FILE,
    bandingkan,
    kolom_lkjip,
    read_catatan,
    refresh_perubahan,
)
from iku_pipeline.publish.matriks_lkjip import SHEET
from iku_pipeline.publish.matrix import DEFAULT_BANDS, build_matriks
from iku_pipeline.publish.warehouse import make_engine, read_table, replace_year
from iku_pipeline_tests.test_matrix import kec, make_realisasi, make_tambahan, targets_frame

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "reference"
NOTE_2 = "Pagu indikatif tidak naik, usulan yang masuk bertambah."
NOTE_3 = "Jemput bola pembayaran PBB di kelurahan."


def catatan_file(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CATATAN_FILE
    path.write_text(text, encoding="utf-8")
    return path


def matriks_of(years, targets=None, catatan=None, **kwargs) -> pd.DataFrame:
    realisasi = make_realisasi(years=years, **kwargs)
    matriks = build_matriks(realisasi, make_tambahan(realisasi), targets, DEFAULT_BANDS)
    return kolom_lkjip(matriks, targets, catatan)


def row(frame: pd.DataFrame, tahun: int, kode: str) -> pd.Series:
    return frame[(frame["tahun"] == tahun) & (frame["kode"] == kode)].iloc[0]


# ---------------------------------------------------------------- catatan_iku.csv


def test_catatan_read_with_kode_as_printed_and_blank_notes_skipped(tmp_path):
    path = catatan_file(tmp_path, "kode;tahun;catatan;keterangan\n"
                        f"2;2023;{NOTE_2};contoh\n1.b;2024;;\n3;2024;{NOTE_3};\n")  # fmt: skip
    frame = read_catatan(path)
    assert list(frame.itertuples(index=False, name=None)) == [
        ("2", 2023, NOTE_2), ("3", 2024, NOTE_3),
    ]  # fmt: skip
    assert read_catatan(tmp_path / "tidak_ada.csv").empty


def test_the_shipped_example_notes_are_read():
    frame = read_catatan(SHIPPED / CATATAN_FILE)
    assert 1 <= len(frame) <= 3
    assert set(frame["kode"]) <= {i.kode for i in decl.INDIKATOR}


@pytest.mark.parametrize(
    "lines, words",
    [
        (["5,2023,x"], ["baris 2", "kode '5' bukan kode IKU"]),
        (["2,2023,x", "3_nominal,2023,y"], ["baris 3", "kode '3_nominal'"]),
        (["2,20x3,x"], ["baris 2", "tahun '20x3' bukan tahun"]),
        (["2,2019,x"], ["baris 2", "tahun '2019' bukan tahun"]),
        (["2,2023,x", "1,2023,y", "2,2023,z"], ["baris 4", "kode 2 tahun 2023", "baris 2"]),
    ],
)  # fmt: skip
def test_a_bad_catatan_row_names_file_row_and_value(tmp_path, lines, words):
    path = catatan_file(tmp_path, "kode,tahun,catatan\n" + "\n".join(lines) + "\n")
    with pytest.raises(ValueError) as error:
        read_catatan(path)
    message = str(error.value)
    assert CATATAN_FILE in message
    for word in words:
        assert word in message


def test_a_catatan_file_without_its_columns_is_an_error(tmp_path):
    path = catatan_file(tmp_path, "kode,tahun,analisis\n2,2023,x\n")
    with pytest.raises(ValueError, match="baris 1: kolom catatan tidak ada"):
        read_catatan(path)


# ---------------------------------------------------------------- the comparisons


def test_change_against_the_previous_year_by_hand():
    realisasi = make_realisasi(years=(2022, 2023, 2025), belum={2025: ("4",)})
    frame = bandingkan(build_matriks(realisasi, make_tambahan(realisasi), None, DEFAULT_BANDS))
    # IKU 2 (%), by hand from make_realisasi: 84 of 94 usulan in 2022, 88 of 98 in 2023;
    # the change is in percentage points.
    r = row(frame, 2023, "2")
    assert row(frame, 2022, "2")["realisasi"] == pytest.approx(100 * 84 / 94)
    assert r["realisasi"] == pytest.approx(100 * 88 / 98)
    assert r["realisasi_tahun_lalu"] == pytest.approx(100 * 84 / 94)
    assert r["perubahan_tahun_lalu"] == pytest.approx(100 * 88 / 98 - 100 * 84 / 94)
    assert r["perubahan_tahun_lalu"] == pytest.approx(0.4342, abs=1e-4)
    # IKU 4 (kegiatan): the difference of the counts, 22 - 18.
    assert row(frame, 2022, "4")["realisasi"] == 18 and row(frame, 2023, "4")["realisasi"] == 22
    assert row(frame, 2023, "4")["perubahan_tahun_lalu"] == 4
    # A supplementary figure compares too.
    share = row(frame, 2023, "3_nominal")
    assert share["perubahan_tahun_lalu"] == pytest.approx(
        share["realisasi"] - row(frame, 2022, "3_nominal")["realisasi"]
    )
    # The first year, a year after a missing one, a year without realisasi: no change.
    assert pd.isna(row(frame, 2022, "2")["perubahan_tahun_lalu"])
    assert pd.isna(row(frame, 2025, "2")["realisasi_tahun_lalu"])  # 2024 missing
    assert pd.isna(row(frame, 2025, "2")["perubahan_tahun_lalu"])
    assert pd.isna(row(frame, 2025, "4")["perubahan_tahun_lalu"])  # data belum tersedia


def test_end_of_period_target_and_capaian_and_the_note():
    targets = targets_frame([("2", 2023, 60.0), ("2", 2025, 80.0), ("4", 2025, 20.0)])
    catatan = pd.DataFrame([("2", 2023, NOTE_2)], columns=["kode", "tahun", "catatan"])
    frame = matriks_of((2022, 2023), targets, catatan)
    r = row(frame, 2023, "2")
    assert r["target"] == 60.0  # the year's own target is untouched
    assert r["target_akhir_periode"] == 80.0  # the target of 2025
    assert r["capaian_akhir_periode"] == pytest.approx(r["realisasi"] / 80 * 100)
    assert r["analisis_penyebab"] == NOTE_2
    assert row(frame, 2022, "2")["analisis_penyebab"] is None
    four = row(frame, 2022, "4")
    assert four["capaian_akhir_periode"] == pytest.approx(four["realisasi"] / 20 * 100)
    assert pd.isna(row(frame, 2023, "1")["target_akhir_periode"])  # no 2025 target for 1
    assert pd.isna(row(frame, 2023, "1")["capaian_akhir_periode"])
    for kode in decl.KODE_TAMBAHAN:  # no target, so no end-of-period capaian
        assert pd.isna(row(frame, 2023, kode)["target_akhir_periode"])


# ---------------------------------------------------------------- in the warehouse


def publish(engine, tahun: int, realisasi: pd.DataFrame, catatan=None) -> None:
    """As the publishing step does: the year's tables, then its comparison."""
    year = realisasi[realisasi["tahun"] == tahun]
    tambahan = make_tambahan(year)
    matriks = kolom_lkjip(build_matriks(year, tambahan, None, DEFAULT_BANDS), None, catatan)
    frames = {"realisasi_iku": year, "realisasi_tambahan": tambahan, "matriks_iku": matriks}
    replace_year(engine, tahun, frames, f"run-{tahun}",
                 after=functools.partial(refresh_perubahan, years=[tahun]))  # fmt: skip


def test_a_year_is_compared_with_the_previous_one_as_published_then(warehouse_url):
    engine = make_engine(warehouse_url)
    first = make_realisasi(years=(2022, 2023))
    publish(engine, 2022, first)
    publish(engine, 2023, first)
    got = read_table(engine, "matriks_iku", 2023).set_index("kode")
    expected = kec(first, 2023, "2").nilai - kec(first, 2022, "2").nilai
    assert got.at["2", "perubahan_tahun_lalu"] == pytest.approx(expected)
    # 2022 republished with other figures: every row of 2023 stays as it was (other
    # years untouched, §5), its comparison included, until 2023 is rebuilt.
    before = read_table(engine, "matriks_iku", 2023)
    second = make_realisasi(years=(2022,), run_prefix="lagi")
    second["nilai"] = second["nilai"] / 2
    publish(engine, 2022, second)
    pd.testing.assert_frame_equal(read_table(engine, "matriks_iku", 2023), before)
    # Rebuilding every year (iku_presentasi) compares 2023 with 2022 as published now.
    with engine.begin() as conn:
        assert refresh_perubahan(conn) > 0
    got = read_table(engine, "matriks_iku", 2023).set_index("kode")
    assert got.at["2", "realisasi_tahun_lalu"] == pytest.approx(kec(second, 2022, "2").nilai)
    assert got.at["2", "perubahan_tahun_lalu"] == pytest.approx(
        kec(first, 2023, "2").nilai - kec(second, 2022, "2").nilai
    )
    assert set(got["run_id"]) == {"run-2023"}
    engine.dispose()


def test_an_older_matriks_iku_gets_the_new_columns(warehouse_url):
    """A warehouse written before the LKjIP columns: they are added, empty for the rows
    already there, which are kept; the next publication fills them."""
    old = sa.MetaData()
    new_columns = set(lkjip.KOLOM_LKJIP) | {"sampai_tanggal"}
    columns = [sa.Column(c.name, c.type, nullable=c.nullable)
               for c in warehouse.matriks_iku.columns if c.name not in new_columns]
    sa.Table("matriks_iku", old, *columns, sa.UniqueConstraint("tahun", "kode"))
    engine = make_engine(warehouse_url)
    old.create_all(engine)
    realisasi = make_realisasi(years=(2022, 2023))
    lama = build_matriks(realisasi[realisasi["tahun"] == 2022], None, None, DEFAULT_BANDS)
    with engine.begin() as conn:
        records = lama.assign(dipublikasikan=pd.Timestamp("2023-01-05 08:00")).to_dict("records")
        conn.execute(old.tables["matriks_iku"].insert(), [
            {k: (None if pd.isna(v) else v) for k, v in r.items()} for r in records
        ])  # fmt: skip
    warehouse.ensure_tables(engine)
    found = {c["name"] for c in sa.inspect(engine).get_columns("matriks_iku")}
    assert set(lkjip.KOLOM_LKJIP) <= found
    kept = read_table(engine, "matriks_iku", 2022)
    assert len(kept) == len(decl.URUTAN) and kept["perubahan_tahun_lalu"].isna().all()
    warehouse.ensure_tables(engine)  # a second time: nothing to do
    catatan = pd.DataFrame([("2", 2023, NOTE_2)], columns=["kode", "tahun", "catatan"])
    publish(engine, 2023, realisasi, catatan)
    got = read_table(engine, "matriks_iku", 2023).set_index("kode")
    assert got.at["2", "analisis_penyebab"] == NOTE_2
    assert got.at["2", "perubahan_tahun_lalu"] == pytest.approx(
        kec(realisasi, 2023, "2").nilai - kec(realisasi, 2022, "2").nilai
    )
    engine.dispose()


# ---------------------------------------------------------------- in every document


@pytest.fixture
def lengkap():
    targets = targets_frame([("2", 2025, 80.0), ("3", 2025, 90.0)])
    catatan = pd.DataFrame([("2", 2023, NOTE_2), ("3", 2022, NOTE_3), ("3", 2023, "Naik.")],
                           columns=["kode", "tahun", "catatan"])  # fmt: skip
    frame = matriks_of((2021, 2022, 2023), targets, catatan, nol={2023: ("3",)})
    return bandingkan(frame)  # as refresh_perubahan leaves the table


def test_the_note_in_the_yearly_workbook_and_csv(tmp_path, lengkap):
    ws = openpyxl.load_workbook(matriks_tahun.write_matriks_tahun(lengkap, 2023, tmp_path)).active
    header = next(c.row for c in ws["A"] if c.value == "NO")
    assert ws.cell(header, 12).value == "ANALISIS PENYEBAB"
    by_no = {ws.cell(r, 1).value: r for r in range(header + 2, ws.max_row) if ws.cell(r, 1).value}
    assert ws.cell(by_no["2"], 12).value == NOTE_2
    assert ws.cell(by_no["1"], 12).value is None or ws.cell(by_no["1"], 12).value == ""
    raw = matriks_csv.write_matriks_tahun_csv(lengkap, 2023, tmp_path).read_bytes()
    frame = pd.read_csv(io.StringIO(raw.decode("utf-8-sig")), sep=";", dtype=str,
                        keep_default_na=False).set_index("NO")  # fmt: skip
    assert frame.at["2", "ANALISIS PENYEBAB"] == NOTE_2


def test_the_lkjip_sheet_of_the_five_year_workbook(tmp_path, lengkap):
    path = matriks_periode.write_matriks_periode(lengkap, None, None, None, tmp_path)
    ws = openpyxl.load_workbook(path)[SHEET]
    header = next(c.row for c in ws["A"] if c.value == "NO")
    assert ws.cell(header, 4).value == "TARGET AKHIR PERIODE (2025)"
    assert ws.cell(header, 5).value == "2021" and ws.cell(header, 20).value == "ANALISIS PENYEBAB"
    assert [ws.cell(header + 1, c).value for c in (5, 6, 7)] == [
        "REALISASI", "PERUBAHAN THD TAHUN LALU", "CAPAIAN THD TARGET AKHIR PERIODE (%)",
    ]  # fmt: skip
    rows = {ws.cell(r, 1).value: r for r in range(header + 3, ws.max_row) if ws.cell(r, 1).value}
    col = {y: 5 + 3 * i for i, y in enumerate(range(2021, 2026))}
    r2 = rows["2"]
    two = {y: row(lengkap, y, "2") for y in (2021, 2022, 2023)}
    assert ws.cell(r2, 4).value == 80.0
    assert ws.cell(r2, col[2022]).value == pytest.approx(two[2022]["realisasi"])
    assert ws.cell(r2, col[2022] + 1).value == pytest.approx(
        two[2022]["realisasi"] - two[2021]["realisasi"]
    )
    assert ws.cell(r2, col[2022] + 1).number_format == "+#,##0.00;-#,##0.00;0.00"
    assert ws.cell(r2, col[2022] + 2).value == pytest.approx(two[2022]["realisasi"] / 0.8)
    assert ws.cell(r2, col[2021] + 1).value == "-"  # no 2020
    assert ws.cell(r2, col[2025]).value == "belum diproses"
    assert ws.cell(r2, col[2025] + 1).value == "-"
    r3 = rows["3"]
    assert ws.cell(r3, col[2023]).value == "-"  # zero penyebut in 2023
    assert ws.cell(r3, col[2023] + 1).value == "-"
    assert ws.cell(rows["4"], col[2022] + 1).number_format == "+#,##0;-#,##0;0"
    assert ws.cell(r2, 20).value == f"2023: {NOTE_2}"
    assert ws.cell(r3, 20).value == f"2022: {NOTE_3}\n2023: Naik."
    ps = ws.page_setup
    assert (ps.paperSize, ps.orientation, ps.fitToHeight) == (9, "landscape", 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
