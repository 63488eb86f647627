"""DATA_CONTRACT §3 formulas and §5 rows of ``realisasi_iku`` and ``realisasi_tambahan``:
each expected figure is counted by hand from the few rows written beside it.

``put`` and ``stage_year`` are in conftest.py.
"""

import pandas as pd
import pytest

from iku_pipeline.indicators.compute import compute_realisasi, compute_tambahan, pbb_report
from iku_pipeline_tests.common import WILAYAH

K = "Kecamatan Metro Utara"
KELURAHAN = ("Banjarsari", "Purwosari", "Purwoasri", "Karangrejo")
KODES = ("1", "1a", "1b", "1c", "1d", "2", "3", "4")
KODES_TAMBAHAN = ("3_nominal", "3_tepat_waktu", "4_selesai")

LAYANAN = (
    "No Register;Tanggal Masuk;Jenis Layanan;Kelurahan;Status;Tgl Selesai\n"
    "R-01;02/01/2023;KK;Banjarsari;Selesai;03/01/2023\n"  # 1a processed
    "R-02;02/01/2023;KTP;Banjarsari;Proses;\n"  # 1a not yet
    "R-03;02/01/2023;IMB;Banjarsari;Diterbitkan;\n"  # 1b processed
    "R-04;02/01/2023;SKTM;Banjarsari;Selesai;\n"  # LAINNYA: outside IKU 1
    "R-05;02/01/2023;IUMK;Purwosari;Menunggu;\n"  # 1c not yet
    "R-06;02/01/2023;NIB;Purwosari;Dikembalikan;\n"  # 1c processed
    "R-07;02/01/2023;Nikah;Purwosari;Ditolak;\n"  # 1d processed
    "R-08;02/01/2023;Pengantar KK dan KTP;Purwoasri;;04/01/2023\n"  # 1a processed (empty status, selesai given)
    "R-09;02/01/2023;Numpang Nikah;Purwoasri;Baru;\n"  # 1d not yet
    "R-10;02/01/2023;PBG;Karangrejo;Pending;\n"  # 1b not yet
    "R-11;02/01/2023;Surat Pindah;Karangrejo;Selesai;\n"  # unmapped: LAINNYA, outside
    "R-12;31/02/2023;KK;Karangrejo;Selesai;\n"  # rejected: not counted
)

USULAN = (
    "ID Usulan;Kelurahan;Uraian Usulan\n"
    "U-1;Banjarsari;Drainase\n"
    "U-2;Banjarsari;Posyandu\n"
    "U-3;Purwosari;Pelatihan UMKM\n"
    "U-4;Purwoasri;Lampu jalan\n"
    "U-5;Purwoasri;Sumur bor\n"
    "U-6;Purwoasri;Bank sampah\n"
    "U-7;Karangrejo;  \n"  # rejected: uraian blank, so Karangrejo has no valid proposal
)
BA = (
    "ID Usulan;No BA;Prioritas\n"
    "U-1;005/BA/2023;1\n"
    "u-4;005/BA/2023;2\n"
    "U-5;005/BA/2023;3\n"
    "U-1;005/BA/2023;4\n"  # duplicate: counted once
    "U-7;005/BA/2023;5\n"  # rejected proposal: rejected
)

N = {i: f"18.72.030.00{i}.001-0001.0" for i in range(1, 8)}
DHKP = (
    "NOP;Kelurahan;PBB Terhutang\n"
    f"{N[1]};Banjarsari;150.000\n"
    f"{N[2]};Banjarsari;100.000\n"
    f"{N[3]};Purwosari;200.000\n"
    f"{N[4]};Purwoasri;250.000\n"
    f"{N[5]};Karangrejo;0\n"  # exempt: outside IKU 3
    f"{N[6]};Karangrejo;300.000\n"
)
BAYAR_S1 = (
    "No Transaksi;NOP;Tanggal Bayar;Jumlah Bayar;Tahun Pajak\n"
    f"T-01;{N[1]};15/03/2023;Rp 150.000;2023\n"  # N1 paid in full
    f"T-02;{N[2]};16/03/2023;50.000;2023\n"  # N2 partial ...
    f"T-03;{N[2]};16/03/2023;50.000;2022\n"  # ... arrears do not make it whole
    f"T-04;{N[3]};17/03/2023;100.000;\n"  # N3 first instalment (tahun_pajak = 2023)
    f"T-05;{N[6]};18/03/2023;300.000;2022\n"  # N6 arrears only: not paid for 2023
    f"T-06;{N[7]};19/03/2023;75.000;2021\n"  # arrears of an object not on the 2023 roll: kept
)
BAYAR_S2 = (
    "No Transaksi;NOP;Tanggal Bayar;Jumlah Bayar;Tahun Pajak\n"
    f"T-07;{N[3]};01/08/2023;100.000;2023\n"  # N3 second instalment: 200.000 in all, paid
    f"T-08;{N[4]};02/08/2023;300.000;2023\n"  # N4 paid more than due: paid
    f"T-09;{N[5]};03/08/2023;10.000;2023\n"  # a payment to the exempt object
)

KONFLIK = (
    "No Kegiatan;Tanggal;Kelurahan;Jenis Konflik;Hasil\n"
    "K-1;01/02/2023;Banjarsari;Sengketa tanah;Selesai\n"
    "K-2;15/03/2023;Banjarsari;Perselisihan warga;Proses\n"
    "K-3;09/06/2023;Purwosari;Konflik waris;\n"
    "K-4;01/07/2023;Purwoasri;Sengketa batas;Selesai\n"
    "K-5;02/08/2023;Karangrejo;;Selesai\n"  # rejected: jenis_konflik blank
    "K-6;03/08/2023;Karangrejo;Sengketa;Gagal\n"  # rejected: hasil
)


@pytest.fixture
def everything(put):
    put("layanan", "register.csv", LAYANAN)
    put("musrenbang_usulan", "usulan.csv", USULAN)
    put("musrenbang_ba", "ba.csv", BA)
    put("pbb_dhkp", "dhkp.csv", DHKP)
    put("pbb_pembayaran", "bayar_s1.csv", BAYAR_S1)
    put("pbb_pembayaran", "bayar_s2.csv", BAYAR_S2)
    put("konflik", "konflik.csv", KONFLIK)


def figures(realisasi, kode):
    """{wilayah: (pembilang, penyebut, nilai)} of one indicator, NA as None."""
    rows = realisasi[realisasi["kode"] == kode]
    out = {}
    for r in rows.itertuples():
        vals = []
        for v in (r.pembilang, r.penyebut, r.nilai):
            vals.append(None if pd.isna(v) else v)
        out[r.wilayah] = tuple(vals)
    return out


def counts(realisasi, kode):
    return {w: (p, q) for w, (p, q, _) in figures(realisasi, kode).items()}


@pytest.fixture
def realisasi(everything, stage_year):
    return compute_realisasi(stage_year(), 2023, WILAYAH)


# ---------------------------------------------------------------- shape of the table


def test_one_row_per_indicator_and_wilayah(realisasi):
    assert len(realisasi) == len(KODES) * 5
    for kode in KODES:
        assert set(realisasi.loc[realisasi["kode"] == kode, "wilayah"]) == {K, *KELURAHAN}
    assert set(realisasi["tahun"]) == {2023}


def test_satuan(realisasi):
    satuan = dict(zip(realisasi["kode"], realisasi["satuan"]))
    assert satuan == {"1": "%", "1a": "%", "1b": "%", "1c": "%", "1d": "%", "2": "%", "3": "%", "4": "kegiatan"}


@pytest.mark.parametrize("kode", KODES)
def test_kecamatan_row_is_the_sum_of_the_kelurahan_rows(realisasi, kode):
    f = figures(realisasi, kode)
    assert f[K][0] == sum(f[k][0] for k in KELURAHAN)
    if kode != "4":
        assert f[K][1] == sum(f[k][1] for k in KELURAHAN)
        # a ratio of the sums, not a mean of the kelurahan values
        assert f[K][2] == pytest.approx(100 * f[K][0] / f[K][1], rel=1e-12)


# ---------------------------------------------------------------- IKU 1


def test_iku_1a_kk_ktp(realisasi):
    # Banjarsari: KK processed, KTP not; Purwoasri: Pengantar KK dan KTP processed
    assert counts(realisasi, "1a") == {
        K: (2, 3), "Banjarsari": (1, 2), "Purwosari": (0, 0), "Purwoasri": (1, 1), "Karangrejo": (0, 0)
    }
    f = figures(realisasi, "1a")
    assert f[K][2] == pytest.approx(200 / 3, rel=1e-12)  # full precision, not rounded
    assert f["Banjarsari"][2] == 50.0
    assert f["Purwoasri"][2] == 100.0


def test_iku_1b_imb_and_pbg(realisasi):
    assert counts(realisasi, "1b") == {
        K: (1, 2), "Banjarsari": (1, 1), "Purwosari": (0, 0), "Purwoasri": (0, 0), "Karangrejo": (0, 1)
    }
    assert figures(realisasi, "1b")["Karangrejo"][2] == 0.0  # 0 processed of 1: 0, not null


def test_iku_1c_iumk_and_nib(realisasi):
    assert counts(realisasi, "1c") == {
        K: (1, 2), "Banjarsari": (0, 0), "Purwosari": (1, 2), "Purwoasri": (0, 0), "Karangrejo": (0, 0)
    }


def test_iku_1d_nikah(realisasi):
    assert counts(realisasi, "1d") == {
        K: (1, 2), "Banjarsari": (0, 0), "Purwosari": (1, 1), "Purwoasri": (0, 1), "Karangrejo": (0, 0)
    }


def test_iku_1_is_the_four_categories_together_without_lainnya(realisasi):
    assert counts(realisasi, "1") == {
        K: (5, 9), "Banjarsari": (2, 3), "Purwosari": (2, 3), "Purwoasri": (1, 2), "Karangrejo": (0, 1)
    }
    assert figures(realisasi, "1")[K][2] == pytest.approx(500 / 9, rel=1e-12)


def test_nilai_is_null_when_the_denominator_is_zero(realisasi):
    f = figures(realisasi, "1a")
    assert f["Purwosari"] == (0, 0, None)
    assert f["Karangrejo"] == (0, 0, None)


# ---------------------------------------------------------------- IKU 2


def test_iku_2_proposals_in_the_ba_over_valid_proposals(realisasi):
    assert counts(realisasi, "2") == {
        K: (3, 6), "Banjarsari": (1, 2), "Purwosari": (0, 1), "Purwoasri": (2, 3), "Karangrejo": (0, 0)
    }
    f = figures(realisasi, "2")
    assert f[K][2] == 50.0
    assert f["Purwoasri"][2] == pytest.approx(200 / 3, rel=1e-12)
    assert f["Karangrejo"][2] is None


# ---------------------------------------------------------------- IKU 3


def test_iku_3_wajib_pajak_who_paid(realisasi):
    # N1 paid; N2 partial (arrears do not add); N3 two instalments = paid; N4 overpaid =
    # paid; N5 exempt: outside; N6 only arrears: not paid
    assert counts(realisasi, "3") == {
        K: (3, 5), "Banjarsari": (1, 2), "Purwosari": (1, 1), "Purwoasri": (1, 1), "Karangrejo": (0, 1)
    }
    assert figures(realisasi, "3")[K][2] == 60.0


def test_pbb_report(everything, stage_year):
    report = pbb_report(stage_year(), 2023)
    assert report["objek_dibebaskan"] == 1  # N5
    assert report["wajib_pajak"] == 5
    assert report["wajib_pajak_lunas"] == 3
    assert report["wajib_pajak_bayar_sebagian"] == 1  # N2
    assert report["pembayaran_tunggakan"] == 3  # T-03, T-05, T-06
    assert report["jumlah_tunggakan_rp"] == 50_000 + 300_000 + 75_000


@pytest.mark.parametrize("delivered", ["pbb_dhkp", "pbb_pembayaran"])
def test_pbb_report_of_one_source_reports_what_it_holds(put, stage_year, delivered):
    """The roll alone still reports its exempt objects and wajib pajak; the payments
    alone their arrears. Who paid needs both."""
    if delivered == "pbb_dhkp":
        put("pbb_dhkp", "dhkp.csv", DHKP)
        assert pbb_report(stage_year(), 2023) == {"objek_dibebaskan": 1, "wajib_pajak": 5}
    else:
        put("pbb_pembayaran", "bayar.csv", "NTPD;NOP;Tgl Bayar;Jumlah;Tahun\n"
            f"T-1;{N[1]};15/03/2023;10.000;2022\nT-2;{N[2]};16/03/2023;2.500;2021\n")  # fmt: skip
        assert pbb_report(stage_year(), 2023) == {
            "pembayaran_tunggakan": 2, "jumlah_tunggakan_rp": 12_500
        }


def test_partial_payer_has_not_paid(put, stage_year):
    put("pbb_dhkp", "dhkp.csv", "NOP;Kelurahan;PBB\n" f"{N[1]};Banjarsari;150.000\n")
    put("pbb_pembayaran", "b.csv", "NTPD;NOP;Tgl Bayar;Jumlah;Tahun\n" f"T-1;{N[1]};15/03/2023;149.999;2023\n")
    assert counts(compute_realisasi(stage_year(), 2023, WILAYAH), "3")[K] == (0, 1)


def test_instalments_that_add_up_are_paid(put, stage_year):
    put("pbb_dhkp", "dhkp.csv", "NOP;Kelurahan;PBB\n" f"{N[1]};Banjarsari;150.000\n")
    put(
        "pbb_pembayaran",
        "b.csv",
        "NTPD;NOP;Tgl Bayar;Jumlah;Tahun\n"
        f"T-1;{N[1]};15/03/2023;100.000;2023\n"
        f"T-2;187203000100100010;15/04/2023;50.000;\n",  # the same NOP, written as digits
    )
    assert counts(compute_realisasi(stage_year(), 2023, WILAYAH), "3")[K] == (1, 1)


def test_only_exempt_objects_give_a_null_iku_3(put, stage_year):
    put("pbb_dhkp", "dhkp.csv", "NOP;Kelurahan;PBB\n" f"{N[5]};Karangrejo;0\n")
    put("pbb_pembayaran", "b.csv", "NTPD;NOP;Tgl Bayar;Jumlah;Tahun\n" f"T-1;{N[5]};15/03/2023;10.000;2023\n")
    assert figures(compute_realisasi(stage_year(), 2023, WILAYAH), "3")[K] == (0, 0, None)


# ---------------------------------------------------------------- IKU 3 supplementary


def test_realisasi_tambahan_is_one_long_table(everything, stage_year):
    t = compute_tambahan(stage_year(), 2023, WILAYAH)
    assert list(t.columns) == ["tahun", "kode", "wilayah", "pembilang", "penyebut", "nilai", "satuan"]
    assert list(zip(t["kode"], t["wilayah"])) == [
        (kode, w) for kode in KODES_TAMBAHAN for w in (K, *KELURAHAN)
    ]
    assert set(t["tahun"]) == {2023} and set(t["satuan"]) == {"%"}
    assert str(t["pembilang"].dtype) == str(t["penyebut"].dtype) == "Int64"


def test_3_nominal_payments_in_full_over_the_roll(everything, stage_year):
    # Payments of tahun_pajak 2023 naming a wajib pajak, each in full:
    # Banjarsari N1 150.000 + N2 50.000 (T-03, arrears, left out) of 150.000 + 100.000;
    # Purwosari N3 100.000 + 100.000 (T-04's empty tahun_pajak is 2023) of 200.000;
    # Purwoasri N4 300.000 of 250.000: 120 %, an overpayment is not capped;
    # Karangrejo: N6 paid arrears only (T-05), and T-09 is a payment to the exempt N5,
    # which is no wajib pajak: 0 of 300.000. T-06 (arrears of an object off the roll):
    # nowhere.
    t = compute_tambahan(stage_year(), 2023, WILAYAH)
    assert figures(t, "3_nominal") == {
        K: (700_000, 1_000_000, 70.0),
        "Banjarsari": (200_000, 250_000, 80.0),
        "Purwosari": (200_000, 200_000, 100.0),
        "Purwoasri": (300_000, 250_000, 120.0),
        "Karangrejo": (0, 300_000, 0.0),
    }


def test_3_tepat_waktu_without_any_jatuh_tempo_has_penyebut_0(everything, stage_year):
    # The roll has no jatuh_tempo column: no wajib pajak has a due date anywhere.
    t = compute_tambahan(stage_year(), 2023, WILAYAH)
    assert figures(t, "3_tepat_waktu") == {w: (0, 0, None) for w in (K, *KELURAHAN)}


M = {i: f"18.72.030.001.001-{i:04d}.0" for i in range(1, 11)}
DHKP_JT = (
    "NOP;Kelurahan;PBB Terhutang;Tgl Jatuh Tempo\n"
    f"{M[1]};Banjarsari;100.000;31/08/2023\n"
    f"{M[2]};Banjarsari;100.000;31 Agustus 2023\n"
    f"{M[3]};Purwosari;200.000;2023-08-31\n"
    f"{M[4]};Purwosari;200.000;31/08/2023\n"
    f"{M[9]};Purwosari;100.000;31-08-2023\n"
    f"{M[5]};Purwoasri;50.000;31/01/2024\n"  # due the next year: accepted
    f"{M[8]};Purwoasri;80.000;30/09/2023\n"
    f"{M[6]};Purwoasri;0;30/09/2023\n"  # exempt: no wajib pajak, due date or not
    f"{M[7]};Karangrejo;300.000;\n"  # Karangrejo's only wajib pajak has no due date
    f"{M[10]};Karangrejo;100.000;31/02/2023\n"  # rejected: impossible date
)
BAYAR_JT = (
    "No Transaksi;NOP;Tanggal Bayar;Jumlah Bayar;Tahun Pajak\n"
    f"P-01;{M[1]};31/08/2023;100.000;2023\n"  # on the due date itself: on time
    f"P-02;{M[2]};01/09/2023;100.000;2023\n"  # a day late: paid, not on time
    f"P-03;{M[3]};01/07/2023;150.000;2023\n"  # early, but only part ...
    f"P-04;{M[3]};15/09/2023;50.000;2023\n"  # ... the rest late: paid, not on time
    f"P-05;{M[4]};01/06/2023;120.000;2023\n"  # two early payments, more than due:
    f"P-06;{M[4]};30/08/2023;100.000;2023\n"  # on time
    f"P-07;{M[9]};01/03/2023;60.000;2023\n"  # instalments adding up by the due date:
    f"P-08;{M[9]};31/08/2023;40.000;\n"  # on time (empty tahun_pajak: 2023)
    f"P-09;{M[5]};20/12/2023;50.000;2023\n"  # before a due date of 2024: on time
    f"P-10;{M[8]};01/03/2023;30.000;2023\n"  # partial ...
    f"P-11;{M[8]};01/03/2023;50.000;2022\n"  # ... arrears do not make it whole
    f"P-12;{M[7]};01/03/2023;300.000;2023\n"  # paid, but no due date
    f"P-13;{M[6]};01/03/2023;10.000;2023\n"  # the exempt object
)


def test_3_tepat_waktu_paid_in_full_by_the_due_date(put, stage_year):
    put("pbb_dhkp", "dhkp.csv", DHKP_JT)
    put("pbb_pembayaran", "bayar.csv", BAYAR_JT)
    staged = stage_year()
    rejected = staged["pbb_dhkp"].ditolak
    assert list(zip(rejected["baris"], rejected["kolom"])) == [(11, "jatuh_tempo")]
    t = compute_tambahan(staged, 2023, WILAYAH)
    # With a due date: Banjarsari M1 (on time), M2 (late); Purwosari M3 (partial by the
    # due date), M4, M9 (on time); Purwoasri M5 (on time), M8 (partial). Karangrejo's M7
    # has none: penyebut 0, nilai null.
    assert figures(t, "3_tepat_waktu") == {
        K: (4, 7, pytest.approx(400 / 7, rel=1e-12)),
        "Banjarsari": (1, 2, 50.0),
        "Purwosari": (2, 3, pytest.approx(200 / 3, rel=1e-12)),
        "Purwoasri": (1, 2, 50.0),
        "Karangrejo": (0, 0, None),
    }
    # IKU 3 counts what was paid by the year's end, due date or not: all but M8.
    assert counts(compute_realisasi(staged, 2023, WILAYAH), "3") == {
        K: (7, 8), "Banjarsari": (2, 2), "Purwosari": (3, 3), "Purwoasri": (1, 2),
        "Karangrejo": (1, 1),
    }  # fmt: skip
    # 3_nominal: 100+100 | 150+50+120+100+60+40 | 50+30 | 300 (thousands).
    assert figures(t, "3_nominal") == {
        K: (1_100_000, 1_130_000, pytest.approx(110_000 / 1_130, rel=1e-12)),
        "Banjarsari": (200_000, 200_000, 100.0),
        "Purwosari": (520_000, 500_000, 104.0),
        "Purwoasri": (80_000, 130_000, pytest.approx(8_000 / 130, rel=1e-12)),
        "Karangrejo": (300_000, 300_000, 100.0),
    }


def test_3_nominal_null_when_the_roll_holds_only_exempt_objects(put, stage_year):
    put("pbb_dhkp", "dhkp.csv", "NOP;Kelurahan;PBB\n" f"{N[5]};Karangrejo;0\n")
    put("pbb_pembayaran", "b.csv", "NTPD;NOP;Tgl Bayar;Jumlah;Tahun\n" f"T-1;{N[5]};15/03/2023;10.000;2023\n")
    t = compute_tambahan(stage_year(), 2023, WILAYAH)
    assert figures(t, "3_nominal")[K] == (0, 0, None)
    assert figures(t, "3_tepat_waktu")[K] == (0, 0, None)


# ---------------------------------------------------------------- IKU 4


def test_iku_4_is_the_number_of_activities(realisasi):
    f = figures(realisasi, "4")
    assert f == {
        K: (4, None, 4.0), "Banjarsari": (2, None, 2.0), "Purwosari": (1, None, 1.0),
        "Purwoasri": (1, None, 1.0), "Karangrejo": (0, None, 0.0),
    }  # fmt: skip


def test_selesai_share_beside_iku_4(everything, stage_year):
    # K-1 Selesai, K-2 Proses (Banjarsari); K-3 empty hasil (Purwosari); K-4 Selesai
    # (Purwoasri); Karangrejo's two rows are rejected: no activity there.
    t = compute_tambahan(stage_year(), 2023, WILAYAH)
    assert figures(t, "4_selesai") == {
        K: (2, 4, 50.0), "Banjarsari": (1, 2, 50.0),
        "Purwosari": (0, 1, 0.0),  # an empty hasil is not Selesai
        "Purwoasri": (1, 1, 100.0), "Karangrejo": (0, 0, None),  # no activity: null
    }  # fmt: skip


def test_iku_4_delivered_without_activities_is_zero(put, stage_year):
    put("konflik", "k.csv", "No Kegiatan;Tanggal;Kelurahan;Jenis Konflik\n")
    assert figures(compute_realisasi(stage_year(), 2023, WILAYAH), "4")[K] == (0, None, 0.0)


# ---------------------------------------------------------------- sources not delivered


def test_indicators_of_undelivered_sources_are_null(put, stage_year):
    put("layanan", "register.csv", LAYANAN)
    r = compute_realisasi(stage_year(), 2023, WILAYAH)
    for kode in ("2", "3", "4"):
        for wilayah, values in figures(r, kode).items():
            assert values == (None, None, None), (kode, wilayah)
    assert figures(r, "1")[K] == (5, 9, pytest.approx(500 / 9))


def test_iku_2_null_when_only_the_ba_is_missing(put, stage_year):
    put("musrenbang_usulan", "usulan.csv", USULAN)
    f = figures(compute_realisasi(stage_year(), 2023, WILAYAH), "2")
    assert all(v == (None, None, None) for v in f.values())


def test_iku_2_null_when_only_the_proposals_are_missing(put, stage_year):
    put("musrenbang_ba", "ba.csv", BA)
    f = figures(compute_realisasi(stage_year(), 2023, WILAYAH), "2")
    assert all(v == (None, None, None) for v in f.values())


def test_iku_3_null_when_the_payments_are_missing(put, stage_year):
    put("pbb_dhkp", "dhkp.csv", DHKP)
    f = figures(compute_realisasi(stage_year(), 2023, WILAYAH), "3")
    assert all(v == (None, None, None) for v in f.values())


def test_iku_3_null_when_the_roll_is_missing(put, stage_year):
    put("pbb_pembayaran", "b.csv", BAYAR_S1)
    f = figures(compute_realisasi(stage_year(), 2023, WILAYAH), "3")
    assert all(v == (None, None, None) for v in f.values())


def test_iku_1_null_when_the_register_is_missing(put, stage_year):
    put("konflik", "konflik.csv", KONFLIK)
    r = compute_realisasi(stage_year(), 2023, WILAYAH)
    for kode in ("1", "1a", "1b", "1c", "1d"):
        assert all(v == (None, None, None) for v in figures(r, kode).values())
    assert figures(r, "4")[K] == (4, None, 4.0)


def test_supplementary_figures_null_when_their_sources_are_missing(stage_year):
    t = compute_tambahan(stage_year(), 2023, WILAYAH)
    assert len(t) == len(KODES_TAMBAHAN) * 5
    for kode in KODES_TAMBAHAN:
        assert all(v == (None, None, None) for v in figures(t, kode).values()), kode


def test_iku_3_figures_null_when_the_payments_are_missing(put, stage_year):
    put("pbb_dhkp", "dhkp.csv", DHKP_JT)
    put("konflik", "konflik.csv", KONFLIK)
    t = compute_tambahan(stage_year(), 2023, WILAYAH)
    for kode in ("3_nominal", "3_tepat_waktu"):
        assert all(v == (None, None, None) for v in figures(t, kode).values()), kode
    assert figures(t, "4_selesai")[K] == (2, 4, 50.0)


def test_iku_3_figures_null_when_the_roll_is_missing(put, stage_year):
    put("pbb_pembayaran", "b.csv", BAYAR_JT)  # every 2023 payment is rejected: no roll
    t = compute_tambahan(stage_year(), 2023, WILAYAH)
    for kode in KODES_TAMBAHAN:
        assert all(v == (None, None, None) for v in figures(t, kode).values()), kode


def test_delivered_but_empty_register_has_zero_counts_and_null_nilai(put, stage_year):
    put("layanan", "register.csv", "No Register;Tanggal Masuk;Jenis Layanan;Kelurahan;Status\n")
    f = figures(compute_realisasi(stage_year(), 2023, WILAYAH), "1")
    assert f[K] == (0, 0, None)


def test_the_committed_fixtures_iku_3(data_dir):
    """The committed fixtures (make_fixtures.py), counted by hand for IKU 3.

    Roll 2023 (DHKP_2023.xlsx): accepted N-0001 Banjarsari 150.000, N-0002 Banjarsari
    100.000, 200100010 Purwosari 200.000, 003 Purwoasri 250.000, 004-0001 Karangrejo 0
    (exempt), 004-0002 Karangrejo 300.000 -> 5 wajib pajak (2, 1, 1, 1).
    Payments 2023: N-0001 150.000 (paid); N-0002 50.000 + 25.000 (partial); 002.001-0001
    (= 187203000200100010, Purwosari) 100.000 + 100.000 (paid); 003 250.000 (paid;
    the 150.000,50 row is rejected); 004-0002's only 2023 payment reuses NTPD-0001
    (duplicate) and the other is dated 2022 -> not paid.
    """
    from iku_pipeline.sources.reference import load_jenis_layanan
    from iku_pipeline.sources.specs import SOURCE_ORDER, SOURCES
    from iku_pipeline.sources.validate import stage_source

    staged = {}
    for name in SOURCE_ORDER:
        spec = SOURCES[name]
        staged[name] = stage_source(
            spec, data_dir / "raw" / name / "2023", 2023, b"k",
            {r.source: staged[r.source] for r in spec.references},
            load_jenis_layanan(data_dir / "reference"), wilayah=WILAYAH)  # fmt: skip
    assert counts(compute_realisasi(staged, 2023, WILAYAH), "3") == {
        K: (3, 5), "Banjarsari": (1, 2), "Purwosari": (1, 1), "Purwoasri": (1, 1), "Karangrejo": (0, 1)
    }


# ---------------------------------------------------------------- the declared columns


def test_compute_year_reads_exactly_the_declared_columns(everything, stage_year, tmp_path):
    """COLUMNS (what the indicator step loads) is what compute_year reads: on frames
    projected to it, in memory and through the stored files, it gives what it gives on
    the whole frames; without any one declared column it fails."""
    import dataclasses

    from upath import UPath

    from iku_pipeline.indicators.compute import COLUMNS
    from iku_pipeline.indicators.year import compute_year
    from iku_pipeline.sources.specs import SOURCES
    from iku_pipeline.io import YearFilesIOManager, read_frame

    staged = stage_year()
    assert set(COLUMNS) == set(SOURCES)
    assert all(s.diserahkan and len(s.diterima) for s in staged.values())
    full = compute_year(staged, 2023, WILAYAH)

    def project(name, s, columns):
        return dataclasses.replace(s, diterima=s.diterima[list(columns)])

    projected = {name: project(name, s, COLUMNS[name]) for name, s in staged.items()}
    stored = {}
    for name, s in staged.items():
        YearFilesIOManager().dump_to_path(None, s.diterima, UPath(tmp_path / name))
        stored[name] = dataclasses.replace(
            s, diterima=read_frame(tmp_path / f"{name}.arrow", COLUMNS[name])
        )
    for variant in (projected, stored):
        got = compute_year(variant, 2023, WILAYAH)
        pd.testing.assert_frame_equal(got.realisasi, full.realisasi)
        pd.testing.assert_frame_equal(got.tambahan, full.tambahan)
        pd.testing.assert_frame_equal(got.triwulan, full.triwulan)
        assert got.laporan == full.laporan and got.laporan["pbb"]
        assert got.belum_diserahkan == full.belum_diserahkan

    for name, columns in COLUMNS.items():
        for column in columns:
            fewer = [c for c in columns if c != column]
            less = {**projected, name: project(name, staged[name], fewer)}
            with pytest.raises(KeyError):
                compute_year(less, 2023, WILAYAH)


def test_rupiah_sums_per_kelurahan_are_exact_chunk_by_chunk(monkeypatch):
    # The roll's rupiah are summed per kelurahan a chunk of rows at a time (no copy of
    # ten million values): the sums stay exact across chunks, and a total too large to
    # sum exactly in float64 is refused whichever chunk reaches it.
    import numpy as np

    from iku_pipeline.indicators import triwulan

    monkeypatch.setattr(triwulan, "_CHUNK", 3)
    codes = np.array([0, 1, 0, 2, 1, 0, 2, 3], dtype=np.int8)
    values = np.array([2**52 - 1, 5, 1, 7, 3, 0, 2**40, 9], dtype=np.int64)
    expected = [sum(int(v) for c, v in zip(codes, values) if c == k) for k in range(4)]
    got = triwulan._sums(codes, values, 4)
    assert got.dtype == np.int64 and got.tolist() == expected
    assert triwulan._sums(codes[:0], values[:0], 4).tolist() == [0, 0, 0, 0]
    too_large = values.copy()
    too_large[-1] = 2**52  # the total reaches 2**53 in the last chunk only
    with pytest.raises(ValueError, match="terlalu besar"):
        triwulan._sums(codes, too_large, 4)
