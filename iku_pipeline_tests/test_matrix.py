"""The IKU matrix builder: targets, predikat bands, capaian, the matrix rows."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pandas as pd
import pytest

from iku_pipeline.indicators import declarations as decl
from iku_pipeline.publish import matrix
from iku_pipeline.publish.matrix import (
    BELUM_TERSEDIA,
    DEFAULT_BANDS,
    PENYEBUT_NOL,
    TERSEDIA,
    PredikatBand,
    build_matriks,
    build_matriks_kelurahan,
    capaian,
    keterangan_periode,
    predikat,
    read_predikat_bands,
    read_targets,
)
from iku_pipeline_tests.common import WILAYAH

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
KODE = [i.kode for i in decl.INDIKATOR]
URUTAN = list(decl.URUTAN)  # the indicators, each followed by its supplementary figures


# ---------------------------------------------------------------- small input frames


def make_realisasi(
    years=(2022, 2023),
    belum: dict[int, tuple[str, ...]] | None = None,
    nol: dict[int, tuple[str, ...]] | None = None,
    run_prefix: str = "run",
) -> pd.DataFrame:
    """realisasi_iku rows as the core produces them, with known numbers.

    ``belum``: per year, the kodes whose source was not delivered (all null);
    ``nol``: per year, the kodes with a zero denominator (0 / 0, nilai null).
    """
    belum, nol = belum or {}, nol or {}
    rows = []
    for y in years:
        for j, kode in enumerate(KODE):
            per = []
            for i, kel in enumerate(WILAYAH.names):
                if kode == "4":
                    per.append((kel, 2 + i + (y - 2021), None))
                else:
                    q = 10 + 5 * i + j + (y - 2021)
                    per.append((kel, q - i - 1, q))
            p_kec = sum(p for _, p, _ in per)
            q_kec = None if kode == "4" else sum(q for _, _, q in per)
            for wilayah, p, q in [(decl.KECAMATAN, p_kec, q_kec), *per]:
                if kode in belum.get(y, ()):
                    p = q = None
                elif kode in nol.get(y, ()):
                    p, q = 0, 0
                if p is None:
                    nilai = None
                elif q is None:
                    nilai = float(p)
                else:
                    nilai = 100.0 * p / q if q else None
                satuan = decl.INDIKATOR_BY_KODE[kode].satuan
                rows.append((y, kode, wilayah, p, q, nilai, satuan, f"{run_prefix}-{y}"))
    frame = pd.DataFrame(
        rows,
        columns=["tahun", "kode", "wilayah", "pembilang", "penyebut", "nilai", "satuan", "run_id"],
    )
    return frame.astype({"pembilang": "Int64", "penyebut": "Int64", "nilai": "float64"})


def make_tambahan(realisasi: pd.DataFrame) -> pd.DataFrame:
    """realisasi_tambahan rows consistent with ``realisasi``, with known numbers in the
    i-th kelurahan (i = 0 … 3): ``3_nominal`` 90.000 + 10.000·i of 100.000 rupiah;
    ``3_tepat_waktu`` i of 2·i wajib pajak with a due date (none in the first);
    ``4_selesai`` i+1 activities Selesai of IKU 4's count. Null where the indicator
    beside them is; 0 of 0 where IKU 3 has no wajib pajak."""
    rows = []
    for y in sorted(realisasi["tahun"].unique()):
        year = realisasi[realisasi["tahun"] == y]
        for kode, induk in (("3_nominal", "3"), ("3_tepat_waktu", "3"), ("4_selesai", "4")):
            base = year[year["kode"] == induk].set_index("wilayah")
            if base["pembilang"].isna().any():
                rows += [(y, kode, w, None, None, None, "%") for w in WILAYAH.all]
                continue
            per = []
            for i, kel in enumerate(WILAYAH.names):
                if induk == "3" and base.at[kel, "penyebut"] == 0:
                    p, q = 0, 0
                elif kode == "3_nominal":
                    p, q = 90_000 + 10_000 * i, 100_000
                elif kode == "3_tepat_waktu":
                    p, q = i, 2 * i
                else:
                    q = int(base.at[kel, "pembilang"])
                    p = min(i + 1, q)
                per.append((kel, p, q))
            kecamatan = (decl.KECAMATAN, sum(p for _, p, _ in per), sum(q for *_, q in per))
            for wilayah, p, q in [kecamatan, *per]:
                rows.append((y, kode, wilayah, p, q, 100.0 * p / q if q else None, "%"))
    frame = pd.DataFrame(
        rows, columns=["tahun", "kode", "wilayah", "pembilang", "penyebut", "nilai", "satuan"]
    )
    return frame.astype({"pembilang": "Int64", "penyebut": "Int64", "nilai": "float64"})


def tambahan_kec(tambahan: pd.DataFrame, tahun: int, kode: str) -> pd.Series:
    t = tambahan
    return t[(t.tahun == tahun) & (t.kode == kode) & (t.wilayah == decl.KECAMATAN)].iloc[0]


def kec(realisasi: pd.DataFrame, tahun: int, kode: str) -> pd.Series:
    r = realisasi
    return r[(r.tahun == tahun) & (r.kode == kode) & (r.wilayah == decl.KECAMATAN)].iloc[0]


def targets_frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["kode", "tahun", "target"]).astype(
        {"tahun": "int64", "target": "float64"}
    )


# ---------------------------------------------------------------- read_targets


def test_shipped_targets_cover_every_indicator_2021_2025_and_say_they_are_examples():
    targets = read_targets(REFERENCE / "target_iku.csv")
    assert sorted(zip(targets.kode, targets.tahun)) == sorted(
        (k, y) for k in KODE for y in range(2021, 2026)
    )
    assert targets.target.notna().all() and (targets.target > 0).all()
    raw = pd.read_csv(REFERENCE / "target_iku.csv", dtype=str, encoding="utf-8-sig")
    assert (raw["keterangan"] == "contoh, ganti dengan target resmi").all()


def test_missing_target_file_means_no_targets(tmp_path):
    targets = read_targets(tmp_path / "target_iku.csv")
    assert targets.empty
    assert list(targets.columns) == ["kode", "tahun", "target"]


def test_targets_blank_is_missing_and_decimal_comma_and_matrix_numbering(tmp_path):
    path = tmp_path / "target_iku.csv"
    path.write_text(
        "kode;tahun;target;keterangan\n1.b;2023;92,5;resmi\n4;2023;;belum ada\n\n2;2024;60;x\n",
        encoding="utf-8-sig",
    )
    targets = read_targets(path)
    got = {(k, y): t for k, y, t in targets.itertuples(index=False)}
    assert got[("1b", 2023)] == 92.5
    assert math.isnan(got[("4", 2023)])
    assert got[("2", 2024)] == 60.0


def test_non_numeric_target_names_file_row_and_value(tmp_path):
    path = tmp_path / "target_iku.csv"
    path.write_text("kode,tahun,target\n1,2023,95\n2,2023,enam puluh\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        read_targets(path)
    message = str(err.value)
    assert "target_iku.csv" in message
    assert "baris 3" in message
    assert "enam puluh" in message


@pytest.mark.parametrize(
    "line, words",
    [
        ("9,2023,50", ["kode", "'9'"]),
        ("1,dua ribu,50", ["tahun", "dua ribu"]),
        ("1,2023,-5", ["negatif"]),
        ("1,2023,nan", ["bukan angka"]),
        ("1,2021,80", ["sudah ada di baris 2"]),
    ],
)
def test_bad_target_rows_are_errors(tmp_path, line, words):
    path = tmp_path / "target_iku.csv"
    path.write_text(f"kode,tahun,target\n1,2021,90\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        read_targets(path)
    assert "baris 3" in str(err.value)
    for word in words:
        assert word in str(err.value)


# ---------------------------------------------------------------- predikat bands


def test_default_bands_and_shipped_file_agree():
    assert read_predikat_bands(None) == DEFAULT_BANDS
    assert read_predikat_bands(REFERENCE / "predikat.csv") == DEFAULT_BANDS
    assert [b.predikat for b in DEFAULT_BANDS] == [
        "Sangat Tinggi", "Tinggi", "Sedang", "Rendah", "Sangat Rendah",
    ]  # fmt: skip


def test_custom_bands_are_read_and_sorted(tmp_path):
    path = tmp_path / "predikat.csv"
    path.write_text("batas_bawah,predikat\n50,Cukup\n80,Baik\n,Kurang\n", encoding="utf-8")
    bands = read_predikat_bands(path)
    assert bands == (
        PredikatBand(80.0, "Baik"),
        PredikatBand(50.0, "Cukup"),
        PredikatBand(-math.inf, "Kurang"),
    )
    assert predikat(85, bands) == "Baik"
    assert predikat(79.99, bands) == "Cukup"
    assert predikat(10, bands) == "Kurang"


def test_bad_band_is_an_error_naming_the_row(tmp_path):
    path = tmp_path / "predikat.csv"
    path.write_text("batas_bawah,predikat\n91,Sangat Tinggi\nsembilan,Tinggi\n", encoding="utf-8")
    with pytest.raises(ValueError, match="baris 3"):
        read_predikat_bands(path)


@pytest.mark.parametrize(
    "value, expected",
    [
        (250.0, "Sangat Tinggi"),
        (91.0, "Sangat Tinggi"),
        (90.996, "Sangat Tinggi"),  # printed as 91,00
        (90.99, "Tinggi"),
        (76.0, "Tinggi"),
        (75.99, "Sedang"),
        (66.0, "Sedang"),
        (65.5, "Rendah"),
        (51.0, "Rendah"),
        (50.99, "Sangat Rendah"),
        (0.0, "Sangat Rendah"),
        (-20.0, "Sangat Rendah"),
        (None, None),
        (float("nan"), None),
    ],
)
def test_predikat_default_bands(value, expected):
    assert predikat(value, DEFAULT_BANDS) == expected


# ---------------------------------------------------------------- capaian


def test_capaian_higher_is_better():
    assert capaian(80.0, 100.0, "naik") == (pytest.approx(80.0), "")
    assert capaian(47.0, 40.0, "naik")[0] == pytest.approx(117.5)  # not capped


def test_capaian_lower_is_better():
    assert capaian(80.0, 100.0, "turun")[0] == pytest.approx(120.0)
    assert capaian(120.0, 100.0, "turun")[0] == pytest.approx(80.0)
    assert capaian(300.0, 100.0, "turun")[0] == pytest.approx(-100.0)  # not capped


@pytest.mark.parametrize("target", [None, float("nan"), pd.NA])
def test_capaian_without_target_is_empty_and_explained(target):
    value, why = capaian(80.0, target, "naik")
    assert value is None
    assert "Target belum ditetapkan" in why


@pytest.mark.parametrize("polaritas", ["naik", "turun"])
def test_capaian_zero_target_is_empty_and_explained(polaritas):
    value, why = capaian(80.0, 0, polaritas)
    assert value is None
    assert "Target 0" in why


def test_capaian_without_realisasi_and_unknown_polarity():
    assert capaian(None, 90.0, "naik")[0] is None
    with pytest.raises(ValueError):
        capaian(80.0, 90.0, "lebih baik")


# ---------------------------------------------------------------- build_matriks


def test_matrix_rows_carry_the_declared_text_in_the_signed_order():
    realisasi = make_realisasi(years=(2022, 2023))
    m = build_matriks(realisasi, make_tambahan(realisasi), None, DEFAULT_BANDS)
    assert list(m.columns[:14]) == [
        "tahun", "no", "kode", "uraian_indikator", "satuan", "alasan_sasaran", "sumber_data",
        "rumus_perhitungan", "target", "realisasi", "capaian", "predikat", "keterangan",
        "run_id",
    ]  # fmt: skip
    assert list(zip(m.tahun, m.kode)) == [(y, k) for y in (2022, 2023) for k in URUTAN]
    assert URUTAN == ["1", "1a", "1b", "1c", "1d", "2", "3", "3_nominal", "3_tepat_waktu",
                      "4", "4_selesai"]  # fmt: skip
    for row in m.itertuples():
        if row.kode in decl.TAMBAHAN_BY_KODE:  # a supplementary row, under its indicator
            t = decl.TAMBAHAN_BY_KODE[row.kode]
            ind = decl.INDIKATOR_BY_KODE[t.induk]
            assert (row.no, row.uraian_indikator, row.satuan) == ("", t.judul, "%")
            assert (row.alasan_sasaran, row.sumber_data, row.rumus_perhitungan) == (
                ind.alasan_sasaran, ind.sumber_data, t.rumus,
            )  # fmt: skip
            assert row.target is None or math.isnan(row.target)
            assert math.isnan(row.capaian) and row.predikat is None
            assert row.keterangan.endswith(t.keterangan)
        else:
            ind = decl.INDIKATOR_BY_KODE[row.kode]
            assert (row.no, row.uraian_indikator, row.satuan) == (ind.no, ind.uraian, ind.satuan)
            assert (row.alasan_sasaran, row.sumber_data, row.rumus_perhitungan) == (
                ind.alasan_sasaran, ind.sumber_data, ind.rumus,
            )  # fmt: skip
        assert row.run_id == f"run-{row.tahun}"


def test_matrix_values_targets_capaian_predikat():
    realisasi = make_realisasi(years=(2023,))
    targets = targets_frame([("1a", 2023, 90.0), ("2", 2023, 50.0), ("4", 2023, 20.0)])
    m = build_matriks(realisasi, make_tambahan(realisasi), targets, DEFAULT_BANDS).set_index("kode")
    for kode in KODE:
        assert m.at[kode, "realisasi"] == pytest.approx(kec(realisasi, 2023, kode).nilai)
        assert m.at[kode, "pembilang"] == kec(realisasi, 2023, kode).pembilang
    nilai_1a = kec(realisasi, 2023, "1a").nilai
    assert m.at["1a", "target"] == 90.0
    assert m.at["1a", "capaian"] == pytest.approx(nilai_1a / 90.0 * 100)
    assert m.at["1a", "predikat"] == predikat(nilai_1a / 90.0 * 100, DEFAULT_BANDS)
    assert m.at["2", "capaian"] > 100  # uncapped
    assert m.at["2", "predikat"] == "Sangat Tinggi"
    count_4 = kec(realisasi, 2023, "4").nilai
    assert m.at["4", "capaian"] == pytest.approx(count_4 / 20.0 * 100)
    assert m.at["1", "capaian"] is None or math.isnan(m.at["1", "capaian"])
    assert "Target belum ditetapkan" in m.at["1", "keterangan"]
    assert m.at["1", "predikat"] is None


def test_matrix_honours_lower_is_better(monkeypatch):
    turun = tuple(
        dataclasses.replace(i, polaritas="turun") if i.kode == "3" else i for i in decl.INDIKATOR
    )
    monkeypatch.setattr(matrix, "INDIKATOR", turun)
    realisasi = make_realisasi(years=(2023,))
    targets = targets_frame([("3", 2023, 50.0)])
    m = build_matriks(realisasi, None, targets, DEFAULT_BANDS).set_index("kode")
    nilai = kec(realisasi, 2023, "3").nilai
    assert m.at["3", "capaian"] == pytest.approx((2 - nilai / 50.0) * 100)


def test_zero_target_gives_an_explained_empty_capaian():
    realisasi = make_realisasi(years=(2023,))
    m = build_matriks(realisasi, None, targets_frame([("2", 2023, 0.0)]), DEFAULT_BANDS)
    row = m.set_index("kode").loc["2"]
    assert row.target == 0.0
    assert math.isnan(row.capaian)
    assert row.predikat is None
    assert "Target 0; capaian tidak dapat dihitung" in row.keterangan


def test_undelivered_source_is_data_belum_tersedia_not_zero():
    realisasi = make_realisasi(years=(2022, 2023), belum={2023: ("1", "1a", "1b", "1c", "1d")})
    targets = targets_frame([("1", 2023, 95.0)])
    m = build_matriks(realisasi, make_tambahan(realisasi), targets, DEFAULT_BANDS)
    y23 = m[m.tahun == 2023].set_index("kode")
    for kode in ("1", "1a", "1b", "1c", "1d"):
        assert math.isnan(y23.at[kode, "realisasi"])
        assert y23.at[kode, "status_realisasi"] == BELUM_TERSEDIA
        assert "data belum tersedia" in y23.at[kode, "keterangan"]
    assert math.isnan(y23.at["1", "capaian"])
    assert y23.at["2", "status_realisasi"] == TERSEDIA
    assert "data belum tersedia" not in y23.at["2", "keterangan"]
    y22 = m[m.tahun == 2022].set_index("kode")
    assert y22.at["1", "status_realisasi"] == TERSEDIA


def test_zero_denominator_says_what_was_missing():
    realisasi = make_realisasi(years=(2023,), nol={2023: ("3",)})
    m = build_matriks(realisasi, None, None, DEFAULT_BANDS).set_index("kode")
    assert m.at["3", "status_realisasi"] == PENYEBUT_NOL
    assert math.isnan(m.at["3", "realisasi"])
    assert m.at["3", "penyebut"] == 0
    assert "tidak ada wajib pajak (penyebut 0)" in m.at["3", "keterangan"]


def test_a_kode_missing_from_the_realisasi_still_has_its_row():
    realisasi = make_realisasi(years=(2023,))
    realisasi = realisasi[realisasi.kode != "2"]
    m = build_matriks(realisasi, None, None, DEFAULT_BANDS).set_index("kode")
    assert m.at["2", "status_realisasi"] == BELUM_TERSEDIA
    assert m.at["2", "run_id"] == "run-2023"


def test_indicator_4_note_share_selesai_and_the_declared_note():
    realisasi = make_realisasi(years=(2023,))
    tambahan = make_tambahan(realisasi)
    m = build_matriks(realisasi, tambahan, None, DEFAULT_BANDS).set_index("kode")
    t = tambahan_kec(tambahan, 2023, "4_selesai")
    assert m.at["4", "realisasi"] == t.penyebut  # the count, as the signed formula says
    assert m.at["4", "persen_selesai"] == pytest.approx(t.nilai)
    assert m.at["4", "kegiatan_selesai"] == t.pembilang
    share = f"{t.nilai:.2f}".replace(".", ",")
    note = m.at["4", "keterangan"]
    expected = f"Kegiatan dengan hasil Selesai: {t.pembilang} dari {t.penyebut} ({share}%)"
    assert expected in note
    assert decl.INDIKATOR_BY_KODE["4"].catatan in note
    # and its own row, as every supplementary figure
    assert m.at["4_selesai", "realisasi"] == pytest.approx(t.nilai)
    assert (m.at["4_selesai", "pembilang"], m.at["4_selesai", "penyebut"]) == (10, t.penyebut)


def test_iku_3_supplementary_rows_without_target_or_capaian():
    realisasi = make_realisasi(years=(2023,))
    tambahan = make_tambahan(realisasi)
    targets = targets_frame([("3", 2023, 80.0)])
    m = build_matriks(realisasi, tambahan, targets, DEFAULT_BANDS).set_index("kode")
    # 3_nominal: (90 + 100 + 110 + 120) thousand of 4 x 100 thousand; above 100 % stays.
    assert (m.at["3_nominal", "pembilang"], m.at["3_nominal", "penyebut"]) == (420_000, 400_000)
    assert m.at["3_nominal", "realisasi"] == 105.0
    # 3_tepat_waktu: 0+1+2+3 of 0+2+4+6 wajib pajak with a due date.
    assert (m.at["3_tepat_waktu", "pembilang"], m.at["3_tepat_waktu", "penyebut"]) == (6, 12)
    assert m.at["3_tepat_waktu", "realisasi"] == 50.0
    for kode in ("3_nominal", "3_tepat_waktu"):
        assert math.isnan(m.at[kode, "target"]) and math.isnan(m.at[kode, "capaian"])
        assert m.at[kode, "predikat"] is None
        assert m.at[kode, "status_realisasi"] == TERSEDIA
        assert "Target" not in m.at[kode, "keterangan"]  # no target to explain
    assert m.at["3", "target"] == 80.0 and not math.isnan(m.at["3", "capaian"])


def test_supplementary_rows_say_why_they_have_no_value():
    realisasi = make_realisasi(years=(2023,), nol={2023: ("3",)}, belum={2023: ("4",)})
    tambahan = make_tambahan(realisasi)
    no_due = (tambahan.kode == "3_tepat_waktu") & (tambahan.tahun == 2023)
    tambahan.loc[no_due, ["pembilang", "penyebut"]] = 0
    tambahan.loc[no_due, "nilai"] = None
    m = build_matriks(realisasi, tambahan, None, DEFAULT_BANDS).set_index("kode")
    assert m.at["3_tepat_waktu", "status_realisasi"] == PENYEBUT_NOL
    assert (
        "tidak ada Wajib Pajak dengan tanggal jatuh tempo di DHKP (penyebut 0)"
        in m.at["3_tepat_waktu", "keterangan"]
    )
    assert "tidak ada ketetapan PBB" in m.at["3_nominal", "keterangan"]
    assert m.at["4_selesai", "status_realisasi"] == BELUM_TERSEDIA
    assert "data belum tersedia" in m.at["4_selesai", "keterangan"]
    # without any realisasi_tambahan, the rows are there, their data not
    m = build_matriks(realisasi, None, None, DEFAULT_BANDS).set_index("kode")
    assert m.loc[["3_nominal", "3_tepat_waktu", "4_selesai"], "status_realisasi"].eq(
        BELUM_TERSEDIA
    ).all()


def test_imb_pbg_and_iumk_nib_notes():
    realisasi = make_realisasi(years=(2023,))
    m = build_matriks(realisasi, None, None, DEFAULT_BANDS).set_index("kode")
    assert decl.INDIKATOR_BY_KODE["1b"].catatan in m.at["1b", "keterangan"]
    assert decl.INDIKATOR_BY_KODE["1c"].catatan in m.at["1c", "keterangan"]
    assert "PBG" in m.at["1b", "keterangan"] and "NIB" in m.at["1c", "keterangan"]
    assert "PBG" not in m.at["1a", "keterangan"]


def test_kelurahan_variant():
    realisasi = make_realisasi(years=(2022, 2023), belum={2022: ("4",)})
    tambahan = make_tambahan(realisasi)
    k = build_matriks_kelurahan(realisasi, tambahan, WILAYAH.names)
    assert len(k) == 2 * len(URUTAN) * len(WILAYAH.names)
    assert set(k.wilayah) == set(WILAYAH.names)
    assert list(dict.fromkeys(k.kode)) == URUTAN
    both = pd.concat([realisasi, tambahan])
    for row in k.itertuples():
        source = both[
            (both.tahun == row.tahun) & (both.kode == row.kode) & (both.wilayah == row.wilayah)
        ].iloc[0]  # fmt: skip
        if row.tahun == 2022 and row.kode in ("4", "4_selesai"):
            assert row.status_realisasi == BELUM_TERSEDIA
            assert math.isnan(row.realisasi)
            assert "data belum tersedia" in row.keterangan
        elif pd.isna(source.nilai):
            assert row.status_realisasi == PENYEBUT_NOL and math.isnan(row.realisasi)
        else:
            assert row.realisasi == pytest.approx(source.nilai)
        if row.kode in decl.TAMBAHAN_BY_KODE:
            assert row.uraian_indikator == decl.TAMBAHAN_BY_KODE[row.kode].judul
            assert (row.pembilang, row.penyebut) == (source.pembilang, source.penyebut)
        else:
            assert row.uraian_indikator == decl.INDIKATOR_BY_KODE[row.kode].uraian


def test_keterangan_periode_groups_years():
    realisasi = make_realisasi(years=(2021, 2022, 2023), belum={2022: ("1b",)})
    targets = targets_frame([("1b", 2021, 90.0)])
    m = build_matriks(realisasi, None, targets, DEFAULT_BANDS)
    text = keterangan_periode(m[m.kode == "1b"])
    assert "2022, 2023: Target belum ditetapkan" in text
    assert "2022: Realisasi: data belum tersedia" in text
    assert text.endswith(decl.INDIKATOR_BY_KODE["1b"].catatan)
    with pytest.raises(ValueError):
        keterangan_periode(m)
