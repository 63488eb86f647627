"""The asset checks see what breaks the contract's invariants, and let a sound year pass."""

import pandas as pd

from iku_pipeline.assets.checks import realisasi_problems
from iku_pipeline_tests.common import WILAYAH
from iku_pipeline_tests.test_pipeline import run_year


def _good_year() -> pd.DataFrame:
    from iku_pipeline.indicators.declarations import INDIKATOR

    rows = [
        (i.kode, w, 1, None if i.satuan == "kegiatan" else 2, 1.0 if i.satuan == "kegiatan" else 50.0, i.satuan)
        for i in INDIKATOR
        for w in WILAYAH.all
    ]
    return pd.DataFrame(rows, columns=["kode", "wilayah", "pembilang", "penyebut", "nilai", "satuan"])


def test_sound_year_has_no_problems():
    assert realisasi_problems(_good_year(), WILAYAH) == []


def test_missing_row_numerator_above_denominator_and_out_of_range_value_are_found():
    frame = _good_year()
    frame = frame[~((frame["kode"] == "2") & (frame["wilayah"] == "Purwosari"))]
    frame.loc[frame["kode"].eq("3") & frame["wilayah"].eq("Banjarsari"), ["pembilang", "nilai"]] = (5, 250.0)
    problems = realisasi_problems(frame, WILAYAH)
    assert "baris 2 / Purwosari tidak ada" in problems
    assert any("pembilang 5 > penyebut 2" in p for p in problems)
    assert any("nilai 250.0 di luar 0-100" in p for p in problems)


def test_checks_run_with_the_year(data_dir, tmp_path):
    result = run_year(data_dir, f"sqlite:///{tmp_path / 'w.sqlite'}", "2023")
    evaluations = {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in result.get_asset_check_evaluations()
    }
    assert evaluations[("indikator/realisasi_iku", "realisasi_konsisten")].passed
    for source in ("layanan", "pbb_dhkp", "konflik"):
        assert evaluations[(f"sumber/{source}", "baris_seimbang")].passed
        files = evaluations[(f"sumber/{source}", "berkas_wajar")]
        assert files.passed or files.severity.value == "WARN"  # every file was read
    # The fixture rejects 9 of 22 register rows on purpose: above the 10% warning line.
    warning = evaluations[("sumber/layanan", "berkas_wajar")]
    assert not warning.passed
    assert warning.severity.value == "WARN"
    assert warning.metadata["masalah"].value == {"2023": ["9 dari 22 baris ditolak (40.9% > 10%)"]}


def test_an_unreadable_file_fails_berkas_wajar_as_an_error_without_blocking(data_dir, tmp_path):
    """berkas_wajar is an error for an unreadable file but not blocking: the indicator
    step still runs and fails the year naming the file (§4)."""
    (data_dir / "raw/layanan/2023/register_tw3.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    result = run_year(data_dir, f"sqlite:///{tmp_path / 'w.sqlite'}", "2023", raise_on_error=False)
    evaluations = {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in result.get_asset_check_evaluations()
    }
    check = evaluations[("sumber/layanan", "berkas_wajar")]
    assert not check.passed
    assert check.severity.value == "ERROR"
    (problem, *rest) = check.metadata["masalah"].value["2023"]
    assert problem.startswith("register_tw3.xlsx: ")  # the unreadable file first
    assert evaluations[("sumber/layanan", "baris_seimbang")].passed
    failures = {
        e.step_key: e.event_specific_data.error.message
        for e in result.all_events
        if e.event_type_value == "STEP_FAILURE"
    }
    assert "register_tw3.xlsx" in failures["indikator"]
