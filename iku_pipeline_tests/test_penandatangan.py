"""Who signs a report, and its date line (docs/data-contract.md §5.7): the signer valid
on the report's date from reference/penandatangan.csv, dated in Indonesian; a malformed
table fails naming the file, the row and the value."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from iku_pipeline.indicators import declarations as decl
from iku_pipeline.publish import clock, matriks_periode, matriks_tahun
from iku_pipeline.publish.exports import write_exports
from iku_pipeline.publish.matrix import DEFAULT_BANDS, build_matriks
from iku_pipeline.publish.penandatangan import (
    DEFAULT_SIGNERS,
    PENANDATANGAN_FILE,
    TANDA_TANGAN_MATRIKS,
    read_penandatangan,
    signer_at,
    tanda_tangan,
    tanggal_dokumen,
)
from iku_pipeline.publish.warehouse import make_engine, replace_year
from iku_pipeline_tests.common import WILAYAH
from iku_pipeline_tests.test_matrix import make_realisasi, make_tambahan

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "reference"
HEADER = "berlaku_mulai,nama,nip,jabatan,tempat\n"
USMAN = '2021-04-01,"USMAN AMADIN, SE. MM.",19630726 199203 1 004,CAMAT METRO UTARA,Banjarsari\n'
SITI = "08/01/2024,Dra. SITI RAHMAWATI,19700312 199503 2 002,Plt. CAMAT METRO UTARA,Banjarsari\n"


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PENANDATANGAN_FILE).write_text(text, encoding="utf-8")
    return folder


def signature_lines(ws) -> list[str]:
    """The signature block's lines, as a reader sees them."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and "NIP" in cell.value and "\n" in cell.value:
                return [line for line in cell.value.split("\n") if line]
    raise AssertionError(f"no signature block in {ws.title}")


# ---------------------------------------------------------------- the table


def test_without_the_file_the_matrix_signer_signs(tmp_path):
    assert read_penandatangan(None) == DEFAULT_SIGNERS
    assert read_penandatangan(tmp_path) == DEFAULT_SIGNERS  # no penandatangan.csv there
    ttd = tanda_tangan(dt.date(2026, 11, 29))
    assert ttd.tempat_tanggal == "Banjarsari, 29 November 2026"
    assert (ttd.jabatan, ttd.nama, ttd.nip) == (
        decl.OPD.jabatan_penandatangan, decl.OPD.nama_penandatangan, decl.OPD.nip_penandatangan,
    )  # fmt: skip


def test_the_shipped_table_is_the_matrix_signer():
    assert read_penandatangan(SHIPPED) == DEFAULT_SIGNERS
    assert DEFAULT_SIGNERS[0].berlaku_mulai == dt.date(2021, 4, 1)


def test_the_signer_valid_on_the_report_date(tmp_path):
    signers = read_penandatangan(write(tmp_path, HEADER + SITI + USMAN))  # any row order
    assert [s.nama for s in signers] == ["USMAN AMADIN, SE. MM.", "Dra. SITI RAHMAWATI"]
    before = tanda_tangan(dt.date(2024, 1, 7), signers)
    assert before.tempat_tanggal == "Banjarsari, 7 Januari 2024"
    assert before.nama == "USMAN AMADIN, SE. MM."
    assert before.nip == "NIP. 19630726 199203 1 004"
    after = tanda_tangan(dt.date(2024, 1, 8), signers)  # from its berlaku_mulai on
    assert after.tempat_tanggal == "Banjarsari, 8 Januari 2024"
    assert (after.jabatan, after.nama, after.nip) == (
        "Plt. CAMAT METRO UTARA,", "Dra. SITI RAHMAWATI", "NIP. 19700312 199503 2 002",
    )  # fmt: skip
    # A date before every row: the earliest signer (project rule).
    assert signer_at(signers, dt.date(2020, 12, 31)).nama == "USMAN AMADIN, SE. MM."


@pytest.mark.parametrize(
    "text, words",
    [
        ("berlaku_mulai,nama,jabatan,tempat\n" + "2021-04-01,A,CAMAT,Banjarsari\n",
         ["baris 1", "kolom nip tidak ada"]),
        (HEADER + USMAN + "31/02/2024,B,1,CAMAT,Banjarsari\n",
         ["baris 3", "berlaku_mulai '31/02/2024' bukan tanggal"]),
        (HEADER + USMAN + "April 2024,B,1,CAMAT,Banjarsari\n",
         ["baris 3", "'April 2024' bukan tanggal"]),
        (HEADER + USMAN + "01/04/2021,B,1,CAMAT,Banjarsari\n",
         ["baris 3", "berlaku_mulai '01/04/2021' sama dengan baris 2"]),
        (HEADER + USMAN + "2024-01-08,,1,CAMAT,Banjarsari\n", ["baris 3", "nama kosong"]),
    ],
)  # fmt: skip
def test_a_malformed_table_names_file_row_and_value(tmp_path, text, words):
    with pytest.raises(ValueError) as error:
        read_penandatangan(write(tmp_path, text))
    message = str(error.value)
    assert PENANDATANGAN_FILE in message
    for word in words:
        assert word in message


def test_the_document_date_is_the_publication_day_in_jakarta():
    # 18:30 UTC on 7 January is already 8 January in Jakarta.
    utc = dt.datetime(2024, 1, 7, 18, 30, tzinfo=dt.timezone.utc)
    assert tanggal_dokumen([utc]) == dt.date(2024, 1, 8)
    naive = dt.datetime(2024, 1, 7, 23, 0)  # SQLite: Jakarta's wall clock as written
    assert tanggal_dokumen([naive, utc]) == dt.date(2024, 1, 8)
    assert tanggal_dokumen([utc], sampai=dt.date(2024, 1, 3)) == dt.date(2024, 1, 3)


# ---------------------------------------------------------------- the documents


@pytest.fixture
def matriks():
    realisasi = make_realisasi(years=(2023, 2024))
    return build_matriks(realisasi, make_tambahan(realisasi), None, DEFAULT_BANDS)


def test_workbooks_carry_the_given_signature(tmp_path, matriks):
    signers = read_penandatangan(write(tmp_path / "ref", HEADER + USMAN + SITI))
    ttd = tanda_tangan(dt.date(2026, 11, 29), signers)
    expected = ["Banjarsari, 29 November 2026", "Plt. CAMAT METRO UTARA,",
                "Dra. SITI RAHMAWATI", "NIP. 19700312 199503 2 002"]  # fmt: skip
    path = matriks_tahun.write_matriks_tahun(matriks, 2024, tmp_path, ttd)
    assert signature_lines(openpyxl.load_workbook(path).active) == expected
    path = matriks_periode.write_matriks_periode(matriks, None, None, None, tmp_path, ttd=ttd)
    wb = openpyxl.load_workbook(path)
    for name in ("Matriks IKU 2021-2025", "Perbandingan LKjIP"):
        assert signature_lines(wb[name]) == expected
    # Without a signature given, the signed matrix's own block, word for word.
    path = matriks_tahun.write_matriks_tahun(matriks, 2023, tmp_path)
    assert signature_lines(openpyxl.load_workbook(path).active) == [
        TANDA_TANGAN_MATRIKS.tempat_tanggal, TANDA_TANGAN_MATRIKS.jabatan,
        TANDA_TANGAN_MATRIKS.nama, TANDA_TANGAN_MATRIKS.nip,
    ]  # fmt: skip


def test_exports_sign_each_year_by_its_publication_date(tmp_path, monkeypatch):
    """2023 published on 7 January 2024 (Jakarta) is signed by the camat of then; 2024,
    published after the change of 8 January 2024, by the new one."""
    reference = write(tmp_path / "reference", HEADER + USMAN + SITI)
    engine = make_engine(f"sqlite:///{tmp_path / 'iku.sqlite'}")
    realisasi = make_realisasi(years=(2023, 2024))
    tambahan = make_tambahan(realisasi)
    jakarta = ZoneInfo("Asia/Jakarta")
    for tahun, when in ((2023, dt.datetime(2024, 1, 7, 16, 0, tzinfo=jakarta)),
                        (2024, dt.datetime(2025, 2, 3, 9, 0, tzinfo=jakarta))):  # fmt: skip
        monkeypatch.setattr(clock, "now", lambda when=when: when)
        year = realisasi[realisasi["tahun"] == tahun]
        more = tambahan[tambahan["tahun"] == tahun]
        frames = {
            "realisasi_iku": year,
            "realisasi_tambahan": more,
            "matriks_iku": build_matriks(year, more, None, DEFAULT_BANDS),
        }
        replace_year(engine, tahun, frames, f"run-{tahun}")
    out = tmp_path / "published"
    write_exports(engine, out, [2023, 2024], WILAYAH.names, reference_dir=reference)
    engine.dispose()
    first = signature_lines(openpyxl.load_workbook(out / "matriks_iku_2023.xlsx").active)
    assert first[:3] == ["Banjarsari, 7 Januari 2024", "CAMAT METRO UTARA,",
                         "USMAN AMADIN, SE. MM."]  # fmt: skip
    second = signature_lines(openpyxl.load_workbook(out / "matriks_iku_2024.xlsx").active)
    assert second[:3] == ["Banjarsari, 3 Februari 2025", "Plt. CAMAT METRO UTARA,",
                          "Dra. SITI RAHMAWATI"]  # fmt: skip
    # The five-year workbook: the latest publication among its years.
    period = openpyxl.load_workbook(out / "matriks_iku_2021-2025.xlsx")
    assert signature_lines(period["Matriks IKU 2021-2025"])[0] == "Banjarsari, 3 Februari 2025"
