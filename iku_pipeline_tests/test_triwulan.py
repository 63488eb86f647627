"""docs/data-contract.md §8: realisasi per triwulan, written from the contract.

One year of extracts whose rows are spread over the quarters; every expected figure of
``realisasi_triwulan`` is counted by hand from the rows written beside them (the table
EXPECTED below), and TW IV must equal the yearly rows exactly. Then the running year,
with a frozen run date: quarters not begun have no row, the running one ends on that
date, and every presentation of the year says "realisasi s.d. <tanggal>". Then the
quarterly targets of ``reference/target_iku.csv``.

``put``, ``stage_year``, ``data_dir`` and ``warehouse_url`` are in conftest.py.
"""

from __future__ import annotations

import datetime as dt
import shutil

import dagster as dg
import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from iku_pipeline.indicators.declarations import URUTAN
from iku_pipeline.indicators.triwulan import akhir_triwulan, periode
from iku_pipeline.indicators.year import compute_year
from iku_pipeline.publish.warehouse import make_engine
from iku_pipeline.resources import Kalender
from iku_pipeline_tests.common import WILAYAH, run_year

K = "Kecamatan Metro Utara"
B, P, A, R = "Banjarsari", "Purwosari", "Purwoasri", "Karangrejo"  # R: Karangrejo

# ---------------------------------------------------------------- the year's extracts
# ``{Y}`` is the year, ``{Z}`` the next one. What each row counts for is beside it.

LAYANAN = (
    "No Register;Tanggal Masuk;Jenis Layanan;Kelurahan;Status;Tgl Selesai\n"
    "R-01;10/01/{Y};KK;Banjarsari;Selesai;15/01/{Y}\n"  # 1a: in TW I, done TW I
    "R-02;20/03/{Y};KTP;Banjarsari;Selesai;05/04/{Y}\n"  # 1a: in TW I, finished TW II
    "R-03;25/03/{Y};IMB;Purwosari;Diterbitkan;\n"  # 1b: processed by status, from TW I
    "R-04;14/05/{Y};IUMK;Purwosari;Proses;\n"  # 1c: in TW II, never processed
    "R-05;02/08/{Y};Nikah;Purwoasri;;10/10/{Y}\n"  # 1d: empty status + selesai; TW III, done TW IV
    "R-06;20/12/{Y};KK;Karangrejo;Selesai;08/01/{Z}\n"  # 1a: in TW IV, finished next January
    "R-07;28/09/{Y};PBG;Karangrejo;Ditolak;\n"  # 1b: processed by status, from TW III
    "R-08;30/06/{Y};SKTM;Banjarsari;Selesai;\n"  # LAINNYA: outside IKU 1
    "R-09;15/11/{Y};NIB;Purwoasri;Dikembalikan;20/11/{Y}\n"  # 1c: in and done TW IV
    "R-10;31/03/{Y};Nikah;Purwosari;Selesai;31/03/{Y}\n"  # 1d: the quarter's last day, TW I
    "R-11;01/04/{Y};KK;Purwosari;Menunggu;\n"  # 1a: in TW II, never processed
    "R-12;15/02/{Y};KK;Purwoasri;Selesai;01/07/{Y}\n"  # 1a: in TW I, finished TW III
)
USULAN = (
    "ID Usulan;Kelurahan;Uraian Usulan;Tanggal Usulan\n"
    "U-1;Banjarsari;Drainase;15/01/{Y}\n"  # TW I, in the BA
    "U-2;Banjarsari;Posyandu;\n"  # no date: from TW I, not in the BA
    "U-3;Purwosari;Pelatihan UMKM;10/04/{Y}\n"  # TW II, not in the BA
    "U-4;Purwoasri;Lampu jalan;20/08/{Y}\n"  # TW III, in the BA: counts from TW III
    "U-5;Purwoasri;Sumur bor;05/12/{Y}\n"  # TW IV, in the BA
    "U-6;Karangrejo;Bank sampah;\n"  # no date: from TW I, in the BA
)
BA = "ID Usulan;No BA\nU-1;005/BA/{Y}\nU-4;005/BA/{Y}\nU-6;005/BA/{Y}\nU-5;005/BA/{Y}\n"

N = {i: f"18.72.030.00{i}.001-0001.0" for i in range(1, 7)}
DHKP = (
    "NOP;Kelurahan;PBB Terhutang;Jatuh Tempo\n"
    f"{N[1]};Banjarsari;100.000;31/08/{{Y}}\n"
    f"{N[2]};Banjarsari;200.000;31/08/{{Y}}\n"
    f"{N[3]};Purwosari;150.000;31/08/{{Y}}\n"
    f"{N[4]};Purwoasri;120.000;\n"  # no jatuh_tempo: outside 3_tepat_waktu
    f"{N[5]};Karangrejo;0;30/09/{{Y}}\n"  # exempt: outside IKU 3
    f"{N[6]};Karangrejo;80.000;30/09/{{Y}}\n"
)
BAYAR = (
    "No Transaksi;NOP;Tanggal Bayar;Jumlah Bayar;Tahun Pajak\n"
    f"T-01;{N[1]};15/03/{{Y}};40.000;{{Y}}\n"  # N1 first instalment (TW I) ...
    f"T-02;{N[1]};10/07/{{Y}};60.000;{{Y}}\n"  # ... whole in TW III, before jatuh_tempo
    f"T-03;{N[1]};05/05/{{Y}};50.000;{{X}}\n"  # arrears: outside
    f"T-04;{N[2]};15/09/{{Y}};200.000;{{Y}}\n"  # whole in TW III, after jatuh_tempo
    f"T-05;{N[3]};30/06/{{Y}};150.000;{{Y}}\n"  # whole on TW II's last day, on time
    f"T-06;{N[3]};01/11/{{Y}};10.000;{{Y}}\n"  # overpaid in TW IV: 3_nominal counts it
    f"T-07;{N[4]};01/02/{{Y}};50.000;{{Y}}\n"  # N4 partial ...
    f"T-08;{N[4]};20/11/{{Y}};50.000;{{Y}}\n"  # ... and still partial
    f"T-09;{N[6]};31/03/{{Y}};30.000;{{Y}}\n"  # N6 first instalment ...
    f"T-10;{N[6]};01/10/{{Y}};50.000;{{Y}}\n"  # ... whole in TW IV, after jatuh_tempo
)
KONFLIK = (
    "No Kegiatan;Tanggal;Kelurahan;Jenis Konflik;Hasil\n"
    "K-1;15/02/{Y};Banjarsari;Sengketa tanah;Selesai\n"
    "K-2;20/03/{Y};Purwosari;Perselisihan warga;Proses\n"
    "K-3;10/05/{Y};Banjarsari;Konflik waris;\n"
    "K-4;12/08/{Y};Purwoasri;Sengketa batas;Selesai\n"
    "K-5;30/09/{Y};Karangrejo;Perselisihan pemuda;Belum Selesai\n"
    "K-6;02/11/{Y};Purwosari;Sengketa jual beli;Selesai\n"
)
EXTRACTS = {
    "layanan": LAYANAN, "musrenbang_usulan": USULAN, "musrenbang_ba": BA,
    "pbb_dhkp": DHKP, "pbb_pembayaran": BAYAR, "konflik": KONFLIK,
}  # fmt: skip


def write_year(put, tahun: int, sources=EXTRACTS) -> None:
    for sumber in sources:
        text = EXTRACTS[sumber].format(Y=tahun, Z=tahun + 1, X=tahun - 1)
        put(sumber, f"{sumber}.csv", text, tahun=tahun)


# ---------------------------------------------------------------- expected, by hand
# pembilang/penyebut at the end of TW I, II, III, IV (cumulative from 1 January); a
# count for IKU 4. Counted from the rows above, row by row: e.g. 1a Banjarsari is R-01
# (in and done TW I) and R-02 (in TW I, done TW II): 1/2, 2/2, 2/2, 2/2.
EXPECTED_TABLE = """
kode           wilayah     TW I           TW II          TW III         TW IV
1              Kecamatan   3/5            4/7            6/9            9/11
1              Banjarsari  1/2            2/2            2/2            2/2
1              Purwosari   2/2            2/4            2/4            2/4
1              Purwoasri   0/1            0/1            1/2            3/3
1              Karangrejo  0/0            0/0            1/1            2/2
1a             Kecamatan   1/3            2/4            3/4            4/5
1a             Banjarsari  1/2            2/2            2/2            2/2
1a             Purwosari   0/0            0/1            0/1            0/1
1a             Purwoasri   0/1            0/1            1/1            1/1
1a             Karangrejo  0/0            0/0            0/0            1/1
1b             Kecamatan   1/1            1/1            2/2            2/2
1b             Banjarsari  0/0            0/0            0/0            0/0
1b             Purwosari   1/1            1/1            1/1            1/1
1b             Purwoasri   0/0            0/0            0/0            0/0
1b             Karangrejo  0/0            0/0            1/1            1/1
1c             Kecamatan   0/0            0/1            0/1            1/2
1c             Banjarsari  0/0            0/0            0/0            0/0
1c             Purwosari   0/0            0/1            0/1            0/1
1c             Purwoasri   0/0            0/0            0/0            1/1
1c             Karangrejo  0/0            0/0            0/0            0/0
1d             Kecamatan   1/1            1/1            1/2            2/2
1d             Banjarsari  0/0            0/0            0/0            0/0
1d             Purwosari   1/1            1/1            1/1            1/1
1d             Purwoasri   0/0            0/0            0/1            1/1
1d             Karangrejo  0/0            0/0            0/0            0/0
2              Kecamatan   2/3            2/4            3/5            4/6
2              Banjarsari  1/2            1/2            1/2            1/2
2              Purwosari   0/0            0/1            0/1            0/1
2              Purwoasri   0/0            0/0            1/1            2/2
2              Karangrejo  1/1            1/1            1/1            1/1
3              Kecamatan   0/5            1/5            3/5            4/5
3              Banjarsari  0/2            0/2            2/2            2/2
3              Purwosari   0/1            1/1            1/1            1/1
3              Purwoasri   0/1            0/1            0/1            0/1
3              Karangrejo  0/1            0/1            0/1            1/1
3_nominal      Kecamatan   120000/650000  270000/650000  530000/650000  640000/650000
3_nominal      Banjarsari  40000/300000   40000/300000   300000/300000  300000/300000
3_nominal      Purwosari   0/150000       150000/150000  150000/150000  160000/150000
3_nominal      Purwoasri   50000/120000   50000/120000   50000/120000   100000/120000
3_nominal      Karangrejo  30000/80000    30000/80000    30000/80000    80000/80000
3_tepat_waktu  Kecamatan   0/4            1/4            2/4            2/4
3_tepat_waktu  Banjarsari  0/2            0/2            1/2            1/2
3_tepat_waktu  Purwosari   0/1            1/1            1/1            1/1
3_tepat_waktu  Purwoasri   0/0            0/0            0/0            0/0
3_tepat_waktu  Karangrejo  0/1            0/1            0/1            0/1
4              Kecamatan   2              3              5              6
4              Banjarsari  1              2              2              2
4              Purwosari   1              1              1              2
4              Purwoasri   0              0              1              1
4              Karangrejo  0              0              1              1
4_selesai      Kecamatan   1/2            1/3            2/5            3/6
4_selesai      Banjarsari  1/1            1/2            1/2            1/2
4_selesai      Purwosari   0/1            0/1            0/1            1/2
4_selesai      Purwoasri   0/0            0/0            1/1            1/1
4_selesai      Karangrejo  0/0            0/0            0/1            0/1
"""


def expected() -> dict[tuple[int, str, str], tuple[int, int | None]]:
    """{(triwulan, kode, wilayah): (pembilang, penyebut)} from EXPECTED_TABLE."""
    out = {}
    for line in EXPECTED_TABLE.strip().splitlines()[1:]:
        kode, wilayah, *cells = line.split()
        wilayah = K if wilayah == "Kecamatan" else wilayah
        for q, cell in enumerate(cells, start=1):
            p, _, d = cell.partition("/")
            out[(q, kode, wilayah)] = (int(p), int(d) if d else None)
    return out


def as_dict(frame: pd.DataFrame) -> dict[tuple[int, str, str], tuple]:
    """{(triwulan, kode, wilayah): (pembilang, penyebut, nilai, satuan, sampai_tanggal)}."""
    return {
        (int(r.triwulan), r.kode, r.wilayah): tuple(
            None if v is None or (not isinstance(v, dt.date) and pd.isna(v)) else v
            for v in (r.pembilang, r.penyebut, r.nilai, r.satuan, r.sampai_tanggal)
        )
        for r in frame.itertuples()
    }


@pytest.fixture
def year_2023(put, stage_year):
    write_year(put, 2023)
    staged = stage_year(2023)
    assert all(s.ditolak.empty for s in staged.values())  # every row above is accepted
    return compute_year(staged, 2023, WILAYAH)


def test_the_table_adds_up():
    """The hand counts themselves: each kecamatan cell is its kelurahan's sum."""
    exp = expected()
    for (q, kode, w), (p, d) in exp.items():
        if w == K:
            kel = [exp[(q, kode, k)] for k in (B, P, A, R)]
            assert p == sum(x for x, _ in kel)
            assert d is None or d == sum(y for _, y in kel)


def test_every_quarter_row_is_what_the_contract_says(year_2023):
    got = as_dict(year_2023.triwulan)
    exp = expected()
    assert set(got) == set(exp)  # every quarter × kode × wilayah, once
    assert len(year_2023.triwulan) == len(exp) == 4 * len(URUTAN) * 5
    for key, (p, d) in exp.items():
        q, kode, _ = key
        pembilang, penyebut, nilai, satuan, sampai = got[key]
        assert (pembilang, penyebut) == (p, d), key
        if d is None:
            assert (nilai, satuan) == (float(p), "kegiatan"), key
        else:
            assert satuan == "%"
            assert nilai == (100.0 * p / d if d else None), key
        assert sampai == akhir_triwulan(2023, q)


def test_tw_iv_equals_the_yearly_rows_exactly(year_2023):
    tw4 = year_2023.triwulan[year_2023.triwulan["triwulan"] == 4]
    yearly = pd.concat([year_2023.realisasi, year_2023.tambahan], ignore_index=True)
    cols = ["kode", "wilayah", "pembilang", "penyebut", "nilai", "satuan"]
    a = tw4[cols].sort_values(["kode", "wilayah"]).reset_index(drop=True)
    b = yearly[cols].sort_values(["kode", "wilayah"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_a_source_not_delivered_is_null_in_every_quarter(put, stage_year):
    write_year(put, 2023, ("layanan", "pbb_dhkp"))  # no payments, no proposals, no konflik
    result = compute_year(stage_year(2023), 2023, WILAYAH)
    got = as_dict(result.triwulan)
    for (q, kode, w), (p, d, v, _, _) in got.items():
        if kode.startswith("1"):
            assert p is not None
        else:
            assert (p, d, v) == (None, None, None), (q, kode, w)


# ---------------------------------------------------------------- the running year


def test_the_quarters_of_a_run_date():
    assert [p.sampai for p in periode(2026, dt.date(2027, 1, 2))] == [
        dt.date(2026, 3, 31), dt.date(2026, 6, 30), dt.date(2026, 9, 30), dt.date(2026, 12, 31)
    ]  # fmt: skip
    assert [(p.triwulan, p.sampai) for p in periode(2026, dt.date(2026, 1, 1))] == [
        (1, dt.date(2026, 1, 1))
    ]
    assert [(p.triwulan, p.sampai) for p in periode(2026, dt.date(2026, 7, 1))] == [
        (1, dt.date(2026, 3, 31)), (2, dt.date(2026, 6, 30)), (3, dt.date(2026, 7, 1))
    ]  # fmt: skip
    assert periode(2026, dt.date(2026, 6, 30))[-1].penuh  # a run on the quarter's last day
    with pytest.raises(ValueError, match="belum dimulai"):
        periode(2027, dt.date(2026, 12, 31))


# Frozen run date 15 August 2026: TW I and II whole, TW III up to 15 August. Counted by
# hand from the rows above, as of 15 August (pembilang, penyebut) at kecamatan level:
# IKU 1: in by then, R-12 (8); processed by then
# R-01, R-02 (5 April), R-03 (status, in 25 March), R-10, R-12 (1 July): 5. IKU 2: U-4 is
# dated 20 August: U-1, U-2, U-3, U-6 (4), of them in the BA U-1, U-6 (2). IKU 3: N1
# (whole 10 July) and N3 of 5. 3_nominal 100.000 + 150.000 + 50.000 + 30.000 of 650.000.
# 3_tepat_waktu: N1, N3 of 4. IKU 4: K-1 … K-4; 4_selesai K-1, K-4 of 4.
TANGGAL_RUN = dt.date(2026, 8, 15)
EXPECTED_TW3_15_AGUSTUS = {
    "1": (5, 8), "2": (2, 4), "3": (2, 5), "3_nominal": (330_000, 650_000),
    "3_tepat_waktu": (2, 4), "4": (4, None), "4_selesai": (2, 4),
}  # fmt: skip
SD = "realisasi s.d. 15 Agustus 2026"


def run(data_dir, url, partition: str, tanggal_run: dt.date, raise_on_error=True):
    kalender = Kalender(tanggal_run=tanggal_run.isoformat())
    return run_year(data_dir, url, partition, raise_on_error, kalender=kalender)


def table(url, name, tahun=None) -> pd.DataFrame:
    engine = make_engine(url)
    t = sa.Table(name, sa.MetaData(), autoload_with=engine)
    query = sa.select(t) if tahun is None else sa.select(t).where(t.c.tahun == tahun)
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    engine.dispose()
    return frame


def metadata_text(result, *path: str) -> str:
    """Every metadata value of the materialisations of asset ``path``, as text."""
    key = dg.AssetKey(list(path))
    values = [
        str(getattr(v, "value", v))
        for m in result.asset_materializations_for_node("indikator")
        if m.asset_key == key
        for v in m.metadata.values()
    ]
    return "\n".join(values)


def test_the_running_year_is_year_to_date_in_every_presentation(data_dir, put, warehouse_url):
    write_year(put, 2026)
    result = run(data_dir, warehouse_url, "2026", TANGGAL_RUN)
    assert result.success

    tw = table(warehouse_url, "realisasi_triwulan", 2026)
    assert sorted(set(tw["triwulan"])) == [1, 2, 3]  # TW IV has not begun: no row
    sampai = {int(q): pd.Timestamp(d).date() for q, d in zip(tw["triwulan"], tw["sampai_tanggal"])}
    assert sampai == {1: dt.date(2026, 3, 31), 2: dt.date(2026, 6, 30), 3: TANGGAL_RUN}
    kec = tw[(tw["wilayah"] == K) & (tw["triwulan"] == 3)].set_index("kode")
    for kode, (p, d) in EXPECTED_TW3_15_AGUSTUS.items():
        got = (int(kec.at[kode, "pembilang"]),
               None if pd.isna(kec.at[kode, "penyebut"]) else int(kec.at[kode, "penyebut"]))
        assert got == (p, d), kode
    assert len(tw) == 3 * len(URUTAN) * 5

    # The yearly figures too are the year's up to that date (the extracts run to
    # December): every wilayah's realisasi_iku and realisasi_tambahan rows are TW III's.
    yearly = pd.concat(
        [table(warehouse_url, "realisasi_iku", 2026), table(warehouse_url, "realisasi_tambahan", 2026)]
    )
    tw3 = tw[tw["triwulan"] == 3].set_index(["kode", "wilayah"])
    assert len(yearly) == len(tw3)
    for row in yearly.itertuples():
        quarter = tw3.loc[(row.kode, row.wilayah)]
        for column in ("pembilang", "penyebut", "nilai"):
            assert pd.isna(getattr(row, column)) == pd.isna(quarter[column]), (row, column)
            if not pd.isna(quarter[column]):
                assert getattr(row, column) == quarter[column], (row, column)
    kec_year = yearly[yearly["wilayah"] == K].set_index("kode")
    assert kec_year.at["1", "pembilang"] == 5 and kec_year.at["1", "penyebut"] == 8

    # matriks_iku: the date, and KETERANGAN saying it, on every row of the year; its
    # REALISASI the figure to that date (IKU 1: 5 of 8).
    matriks = table(warehouse_url, "matriks_iku", 2026)
    assert {pd.Timestamp(d).date() for d in matriks["sampai_tanggal"]} == {TANGGAL_RUN}
    assert matriks["keterangan"].str.contains(SD, regex=False).all()
    assert matriks.set_index("kode").at["1", "realisasi"] == pytest.approx(62.5)

    # The yearly workbook's heading and the CSV.
    out = data_dir / "published"
    sheet = openpyxl.load_workbook(out / "matriks_iku_2026.xlsx").worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows(max_row=12) for c in row if c.value]
    assert any(f"TAHUN 2026 ({SD})" in c for c in cells), cells
    csv = (out / "matriks_iku_2026.csv").read_bytes().decode("utf-8-sig")
    assert f"REALISASI ({SD})" in csv.splitlines()[0]
    pengukuran = (out / "pengukuran_kinerja_2026.csv").read_bytes().decode("utf-8-sig")
    assert f"REALISASI TW III ({SD})" in pengukuran.splitlines()[0]

    # The indicator step's metadata in the UI.
    assert f"**2026** ({SD})" in metadata_text(result, "indikator", "realisasi_iku")
    triwulan_md = metadata_text(result, "indikator", "realisasi_triwulan")
    assert "TW III (s.d. 15 Agustus 2026)" in triwulan_md and "TW IV" not in triwulan_md
    assert "2026-08-15" in triwulan_md
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["triwulan_konsisten"] and checks["realisasi_konsisten"]


def test_a_rebuilt_matrix_keeps_the_running_year_s_date(data_dir, put, tmp_path):
    """iku_presentasi rebuilds matriks_iku from the published rows (a target changed):
    the running year stays "realisasi s.d. <tanggal>"."""
    from iku_pipeline.publish.presentasi import rebuild_matriks

    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    write_year(put, 2026)
    assert run(data_dir, url, "2026", TANGGAL_RUN).success
    engine = make_engine(url)
    assert rebuild_matriks(engine, data_dir / "reference") == {2026: len(URUTAN)}
    engine.dispose()
    matriks = table(url, "matriks_iku", 2026)
    assert {pd.Timestamp(d).date() for d in matriks["sampai_tanggal"]} == {TANGGAL_RUN}
    assert matriks["keterangan"].str.contains(SD, regex=False).all()


def test_a_past_year_is_unchanged_by_the_run_date(data_dir, warehouse_url):
    """2023 run on a date in 2026: four whole quarters, TW IV the yearly figure, and no
    "s.d." anywhere."""
    assert run(data_dir, warehouse_url, "2023", TANGGAL_RUN).success
    tw = table(warehouse_url, "realisasi_triwulan", 2023)
    assert sorted(set(tw["triwulan"])) == [1, 2, 3, 4]
    assert {pd.Timestamp(d).date() for d in tw[tw["triwulan"] == 4]["sampai_tanggal"]} == {
        dt.date(2023, 12, 31)
    }
    yearly = pd.concat([table(warehouse_url, "realisasi_iku", 2023),
                        table(warehouse_url, "realisasi_tambahan", 2023)])  # fmt: skip
    cols = ["kode", "wilayah", "pembilang", "penyebut", "nilai"]
    a = tw[tw["triwulan"] == 4][cols].sort_values(cols[:2]).reset_index(drop=True)
    b = yearly[cols].sort_values(cols[:2]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    matriks = table(warehouse_url, "matriks_iku", 2023)
    assert matriks["sampai_tanggal"].isna().all()
    assert not matriks["keterangan"].fillna("").str.contains("s.d.", regex=False).any()
    csv = (data_dir / "published" / "matriks_iku_2023.csv").read_bytes().decode("utf-8-sig")
    assert "s.d." not in csv


def test_a_running_year_of_the_period_is_marked_in_the_five_year_matrix(data_dir, tmp_path):
    """A run dated inside 2023 makes 2023 the running year: its column of the 2021-2025
    workbook (both sheets) and CSV says so."""
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    assert run(data_dir, url, "2023", dt.date(2023, 5, 10)).success
    sd = "2023 (realisasi s.d. 10 Mei 2023)"
    out = data_dir / "published"
    book = openpyxl.load_workbook(out / "matriks_iku_2021-2025.xlsx")
    for name in ("Matriks IKU 2021-2025", "Per Kelurahan"):
        cells = [str(c.value) for row in book[name].iter_rows(max_row=40) for c in row if c.value]
        assert sd in cells, name
    header = (out / "matriks_iku_2021-2025.csv").read_bytes().decode("utf-8-sig").splitlines()[0]
    assert f"REALISASI {sd}" in header and "REALISASI 2022;" in header + ";"
    tw = table(url, "realisasi_triwulan", 2023)
    assert sorted(set(tw["triwulan"])) == [1, 2]


def test_a_run_date_before_the_year_fails_naming_the_setting(data_dir, tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    result = run(data_dir, url, "2023", dt.date(2022, 12, 31), raise_on_error=False)
    assert not result.success
    failure = [e for e in result.all_events if e.is_step_failure][0]
    assert "kalender.tanggal_run" in str(failure.event_specific_data.error.message)


# ---------------------------------------------------------------- quarterly targets


def write_targets(data_dir, text: str) -> None:
    (data_dir / "reference" / "target_iku.csv").write_text(text, encoding="utf-8")


def test_quarterly_targets_are_read_and_capaian_only_against_them(data_dir, tmp_path):
    from iku_pipeline.publish.targets import read_targets, read_targets_triwulan
    from iku_pipeline.publish.pengukuran_baris import baris_pengukuran

    write_targets(data_dir, "kode;tahun;triwulan;target\n1;2023;;90\n1;2023;1;50\n1;2023;2;0\n"
                            "2;2023;4;80\n")  # fmt: skip
    path = data_dir / "reference" / "target_iku.csv"
    assert read_targets(path)[["kode", "tahun", "target"]].values.tolist() == [["1", 2023, 90.0]]
    quarterly = read_targets_triwulan(path)
    assert quarterly.values.tolist() == [
        ["1", 2023, 1, 50.0], ["1", 2023, 2, 0.0], ["2", 2023, 4, 80.0]
    ]  # fmt: skip

    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    assert run(data_dir, url, "2023", dt.date(2026, 1, 5)).success
    rows = {
        r["kode"]: r
        for r in baris_pengukuran(
            table(url, "realisasi_triwulan", 2023), table(url, "matriks_iku", 2023), quarterly, 2023
        )
    }
    iku1 = rows["1"]["tw"]
    assert iku1[1].target == 50  # TW I of IKU 1 against its quarterly target 50
    assert iku1[1].capaian == pytest.approx(iku1[1].realisasi / 50 * 100)
    assert iku1[2].target == 0 and iku1[2].capaian is None  # a zero target: no capaian
    # TW III of IKU 1 has only the yearly target: no capaian, never a share of 90.
    assert iku1[3].target is None and iku1[3].capaian is None
    assert rows["1"]["target_tahun"] == 90
    assert "target triwulan tidak ditetapkan" in rows["1"]["keterangan"].casefold()
    assert "TW II" in rows["1"]["keterangan"] and "0" in rows["1"]["keterangan"]
    iku2 = rows["2"]["tw"][4]
    assert iku2.capaian == pytest.approx(iku2.realisasi / 80 * 100)
    assert rows["3_nominal"]["tw"][4].target is None  # a supplementary figure: no target
    assert rows["3_nominal"]["tw"][4].capaian is None


GOOD_TARGETS = "kode,tahun,target\n1,2023,90\n"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def year_with_a_target(request, tmp_path_factory):
    """(data_dir, warehouse url): 2023 published with a yearly target for IKU 1, once
    per database for the bad target files below. Each of them fails and must leave it
    as it was, which each test checks against what it read before its own run."""
    from iku_pipeline_tests.conftest import FIXTURES, new_warehouse

    folder = tmp_path_factory.mktemp(f"target-{request.param}")
    data_dir = folder / "data"
    shutil.copytree(FIXTURES / "data", data_dir)
    write_targets(data_dir, GOOD_TARGETS)
    with new_warehouse(request.param, folder) as url:
        assert run(data_dir, url, "2023", dt.date(2026, 1, 5)).success
        yield data_dir, url


@pytest.mark.xdist_group("year_with_a_target")
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kode,tahun,triwulan,target\n1,2023,1,50\n1,2023,5,60\n",
         "target_iku.csv, baris 3: triwulan '5' bukan 1, 2, 3 atau 4"),
        ("kode,tahun,triwulan,target\n1,2023,IV,50\n",
         "target_iku.csv, baris 2: triwulan 'IV' bukan 1, 2, 3 atau 4"),
        ("kode,tahun,triwulan,target\n1,2023,2,50\n1.a,2023,,70\n1,2023,2,55\n",
         "target_iku.csv, baris 4: target kode 1 tahun 2023 triwulan 2 sudah ada di baris 2"),
    ],
)  # fmt: skip
def test_bad_quarterly_targets_fail_the_run_and_keep_the_publication(
    year_with_a_target, text, message
):
    data_dir, warehouse_url = year_with_a_target
    before = table(warehouse_url, "realisasi_triwulan", 2023).drop(columns=["dipublikasikan"])
    run_before = set(table(warehouse_url, "matriks_iku", 2023)["run_id"])

    write_targets(data_dir, text)
    try:
        result = run(data_dir, warehouse_url, "2023", dt.date(2026, 1, 5), raise_on_error=False)
    finally:
        write_targets(data_dir, GOOD_TARGETS)  # as published, for the next bad file
    assert not result.success
    errors = [str(e.event_specific_data.error.message) for e in result.all_events
              if e.is_step_failure]  # fmt: skip
    assert any(message in e for e in errors), errors
    after = table(warehouse_url, "realisasi_triwulan", 2023).drop(columns=["dipublikasikan"])
    pd.testing.assert_frame_equal(before, after)
    assert set(table(warehouse_url, "matriks_iku", 2023)["run_id"]) == run_before


# ---------------------------------------------------------------- the warehouse


def test_an_older_warehouse_gets_the_new_table_and_column(data_dir, warehouse_url):
    """A warehouse published before §8: no realisasi_triwulan, no
    matriks_iku.sampai_tanggal. The next publication adds both and keeps the other
    years."""
    from iku_pipeline.publish import warehouse

    old = sa.MetaData()
    for name in ("realisasi_iku", "realisasi_tambahan", "baris_ditolak", "riwayat_publikasi"):
        warehouse.YEAR_TABLES[name].to_metadata(old)
    sa.Table(
        "matriks_iku", old,
        *[sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
          for c in warehouse.matriks_iku.columns if c.name != "sampai_tanggal"],
    )  # fmt: skip
    engine = make_engine(warehouse_url)
    old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(old.tables["realisasi_iku"].insert(), [dict(
            tahun=2022, kode="1", wilayah=K, pembilang=1, penyebut=2, nilai=50.0, satuan="%",
            run_id="run-lama", dipublikasikan=dt.datetime(2023, 1, 5, tzinfo=dt.timezone.utc),
        )])  # fmt: skip
    assert "realisasi_triwulan" not in sa.inspect(engine).get_table_names()
    engine.dispose()

    assert run(data_dir, warehouse_url, "2023", dt.date(2026, 1, 5)).success
    assert len(table(warehouse_url, "realisasi_triwulan", 2023)) == 4 * len(URUTAN) * 5
    assert "sampai_tanggal" in table(warehouse_url, "matriks_iku", 2023).columns
    assert len(table(warehouse_url, "realisasi_iku", 2022)) == 1


# ---------------------------------------------------------------- the blocking check


def test_the_check_blocks_a_tw_iv_that_differs_from_the_year(year_2023):
    from iku_pipeline.assets.checks import triwulan_problems

    r = year_2023
    quarters = periode(2023)
    assert triwulan_problems(r.triwulan, r.realisasi, r.tambahan, WILAYAH, quarters) == []

    off = r.triwulan.copy()
    at = off.index[(off["triwulan"] == 4) & (off["kode"] == "3") & (off["wilayah"] == K)][0]
    off.loc[at, "pembilang"] = 3
    found = triwulan_problems(off, r.realisasi, r.tambahan, WILAYAH, quarters)
    assert any(p.startswith("TW IV 3 / Kecamatan Metro Utara") for p in found), found

    # A cumulative figure falling from TW I to TW II is named, pair and column; an
    # empty quarter between two others is skipped, not read as a fall.
    fall = r.triwulan.copy()
    pair = fall["kode"].eq("1") & fall["wilayah"].eq(K)
    fall.loc[pair & fall["triwulan"].eq(1), "penyebut"] = 10**9
    found = triwulan_problems(fall, r.realisasi, r.tambahan, WILAYAH, quarters)
    assert f"1 / {K}: penyebut turun dari triwulan ke triwulan" in found
    assert f"1 / {K}: pembilang turun dari triwulan ke triwulan" not in found
    gap = r.triwulan.copy()
    gap.loc[gap["kode"].eq("1") & gap["triwulan"].eq(2), "pembilang"] = pd.NA
    found = triwulan_problems(gap, r.realisasi, r.tambahan, WILAYAH, quarters)
    assert not any("turun" in p for p in found), found
    gap.loc[gap["kode"].eq("1") & gap["wilayah"].eq(K) & gap["triwulan"].eq(1), "pembilang"] = 10**9
    found = triwulan_problems(gap, r.realisasi, r.tambahan, WILAYAH, quarters)
    assert f"1 / {K}: pembilang turun dari triwulan ke triwulan" in found  # across the gap

    running = periode(2023, dt.date(2023, 5, 10))  # TW III and IV have not begun
    found = triwulan_problems(r.triwulan, r.realisasi, r.tambahan, WILAYAH, running)
    assert "triwulan 3 belum dimulai tetapi ada barisnya" in found
    assert any("TW 2: sampai_tanggal bukan 10/05/2023" in p for p in found)
