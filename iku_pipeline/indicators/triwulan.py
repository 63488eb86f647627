"""Realisasi per triwulan (docs/data-contract.md §8): every IKU and every supplementary
figure cumulative from 1 January to the end of each quarter, from the same accepted rows
as the yearly figure, for the kecamatan and each kelurahan: the rows of
``realisasi_triwulan``.

Each row of a source gets the first quarter it counts in (a day number against the
quarters' last days, ``np.searchsorted``); one ``np.bincount`` per figure over
kelurahan × quarter, summed along the quarters, gives every quarter's count at once. PBB
reuses the year's match of payments to the roll (``compute.pbb_payments``): each wajib
pajak's payments summed per quarter once. The kecamatan's figures are the kelurahan's
sums, as in the yearly table.

The running year (the run's date in the partition year) is year to date: quarters not
begun have no row, and the running quarter ends on the run's date (``periode``). Rules
the contract leaves open are the project's (docs/data-contract.md §8, "project rule").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from iku_pipeline.indicators.compute import NO_DATE, PbbPayments, days, pbb_payments
from iku_pipeline.indicators.declarations import (
    INDIKATOR_BY_KODE,
    TAMBAHAN_BY_KODE,
    URUTAN,
)
from iku_pipeline.model import KATEGORI_IKU1, KEY, Staged, Wilayah
from iku_pipeline.sources.keys import is_in

TRIWULAN_COLUMNS = (
    "tahun", "triwulan", "kode", "wilayah", "pembilang", "penyebut", "nilai", "satuan",
    "sampai_tanggal",
)  # fmt: skip

ROMAWI = ("I", "II", "III", "IV")
BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
    "September", "Oktober", "November", "Desember",
)  # fmt: skip


def akhir_triwulan(tahun: int, triwulan: int) -> dt.date:
    """The last day of quarter ``triwulan`` (1-4) of ``tahun``."""
    month = 3 * triwulan
    return dt.date(tahun, month, 31 if month in (3, 12) else 30)


def tanggal_teks(tanggal: dt.date) -> str:
    """``28 November 2026``: a date as the office writes it."""
    return f"{tanggal.day} {BULAN[tanggal.month - 1]} {tanggal.year}"


def sampai_teks(tanggal: dt.date) -> str:
    """``realisasi s.d. 28 November 2026``: what every presentation of a year to date
    says (§8)."""
    return f"realisasi s.d. {tanggal_teks(tanggal)}"


@dataclass(frozen=True)
class Periode:
    """One quarter of a year as computed: counted from 1 January up to ``sampai``."""

    triwulan: int
    sampai: dt.date

    @property
    def penuh(self) -> bool:
        """Whether the quarter is counted to its last day."""
        return self.sampai == akhir_triwulan(self.sampai.year, self.triwulan)


def periode(tahun: int, tanggal_run: dt.date | None = None) -> tuple[Periode, ...]:
    """The quarters of ``tahun`` as a run dated ``tanggal_run`` computes them: all four
    to their last day for a past year (or without a date); for the running year, the
    quarters begun by that date, the last one up to that date (§8). A run dated before
    the year is an error."""
    if tanggal_run is not None and tanggal_run.year < tahun:
        raise ValueError(
            f"tanggal run {tanggal_run:%d/%m/%Y} lebih awal dari tahun {tahun}: "
            f"tahun {tahun} belum dimulai, realisasinya tidak dapat dihitung"
        )
    if tanggal_run is None or tanggal_run.year > tahun:
        return tuple(Periode(q, akhir_triwulan(tahun, q)) for q in range(1, 5))
    running = (tanggal_run.month - 1) // 3 + 1
    done = tuple(Periode(q, akhir_triwulan(tahun, q)) for q in range(1, running))
    return (*done, Periode(running, tanggal_run))


def sampai_tanggal_tahun(triwulan: pd.DataFrame) -> dt.date | None:
    """The date a year's realisasi is counted to when the year is year to date (its
    ``realisasi_triwulan`` rows end before 31 December), else None (project rule: a year
    is shown as "realisasi s.d. <tanggal>" exactly when its last quarter ends early)."""
    if triwulan is None or triwulan.empty:
        return None
    last = max(pd.Timestamp(d).date() for d in triwulan["sampai_tanggal"] if pd.notna(d))
    return last if (last.month, last.day) != (12, 31) else None


# ---------------------------------------------------------------- counting


class _Quarters:
    """The quarters computed, as day numbers: a row dated ``d`` first counts in quarter
    ``start(d)`` (0-based); ``len`` means never (after the last day counted)."""

    def __init__(self, quarters: Sequence[Periode]):
        self.n = len(quarters)
        self.ends = np.array([np.datetime64(p.sampai, "D") for p in quarters]).view("int64")
        # At a complete TW IV every processed service counts, whatever its
        # tanggal_selesai (§8): a start past the year is clipped into TW IV.
        self.tutup_tahun = bool(quarters) and quarters[-1].penuh and quarters[-1].triwulan == 4

    def start(self, day_numbers: np.ndarray) -> np.ndarray:
        """The first quarter each date counts in (int8); an empty date (NO_DATE) counts
        from TW I. A compare per quarter: at most four, several times faster than a
        binary search per date."""
        out = np.zeros(len(day_numbers), dtype=np.int8)
        for end in self.ends:
            out += day_numbers > end
        return out


def _codes(kelurahan, names: list[str], sumber: str, compact: bool = False) -> np.ndarray:
    """The kelurahan of each row as its position in the wilayah (int64; ``compact``: the
    category's own codes, a byte a row for up to 127 kelurahan, for counting only); the
    staged category must be the wilayah's kelurahan, in their order."""
    values = pd.Categorical(kelurahan)
    if list(values.categories) != names:
        raise ValueError(f"{sumber}: kelurahan {list(values.categories)} bukan {names}")
    return np.asarray(values.codes) if compact else np.asarray(values.codes, dtype=np.int64)


def _cumulative(codes: np.ndarray, start: np.ndarray, nkel: int, nq: int) -> np.ndarray:
    """(nkel, nq): per kelurahan, the rows counting by the end of each quarter."""
    flat = np.bincount(codes * (nq + 1) + start, minlength=nkel * (nq + 1))
    return flat.reshape(nkel, nq + 1)[:, :nq].cumsum(axis=1)


# Rupiah are summed as float64 bincount weights: exact, as every partial sum of whole
# rupiah below 2**53 (9 × 10**15, far above any roll's total) is a whole float.
_EXACT = 2**53


_CHUNK = 1 << 20  # rows summed at a time: no full-length temporary copies


def _sums(codes: np.ndarray, values: np.ndarray, nkel: int) -> np.ndarray:
    """Whole ``values`` summed per kelurahan code, exactly (int64)."""
    out = np.zeros(nkel, dtype=np.int64)
    total = 0
    for lo in range(0, len(values), _CHUNK):
        part = values[lo : lo + _CHUNK]
        total += int(np.abs(part).sum())
        if total >= _EXACT:
            raise ValueError("jumlah rupiah terlalu besar untuk dijumlahkan dengan tepat")
        out += np.bincount(codes[lo : lo + _CHUNK], weights=part, minlength=nkel).astype(np.int64)
    return out


Figures = tuple[np.ndarray, np.ndarray | None]  # (pembilang, penyebut), each (nkel, nq)


def _layanan(frame: pd.DataFrame, q: _Quarters, names: list[str]) -> dict[str, Figures]:
    """IKU 1 and 1.a-1.d: penyebut the rows that came in by the quarter's end; pembilang
    those of them processed by then: finished by then or, without tanggal_selesai,
    came in by then."""
    nkel = len(names)
    codes = _codes(frame["kelurahan"], names, "layanan")
    kategori = pd.Categorical(frame["kategori"])
    # Each row's IKU 1 category as 0-3 (the order of KATEGORI_IKU1), -1 outside IKU 1.
    position = {kat: i for i, kat in enumerate(KATEGORI_IKU1)}
    of_code = np.array([position.get(str(c), -1) for c in kategori.categories] + [-1])
    kat = of_code[np.asarray(kategori.codes)]  # a missing category (-1) is outside too
    iku1 = kat >= 0
    group = kat[iku1] * nkel + codes[iku1]  # category × kelurahan
    masuk = days(frame["tanggal_masuk"])[iku1]
    selesai = days(frame["tanggal_selesai"])[iku1]
    diproses = frame["diproses"].to_numpy(dtype=bool)[iku1]
    start_in = q.start(masuk)
    start_done = q.start(np.where(selesai != NO_DATE, selesai, masuk)[diproses])
    if q.tutup_tahun:
        np.minimum(start_done, q.n - 1, out=start_done)
    ngroups = len(KATEGORI_IKU1) * nkel
    masuk_q = _cumulative(group, start_in, ngroups, q.n).reshape(-1, nkel, q.n)
    done_q = _cumulative(group[diproses], start_done, ngroups, q.n).reshape(-1, nkel, q.n)
    out: dict[str, Figures] = {
        kode: (done_q[i], masuk_q[i]) for i, kode in enumerate(KATEGORI_IKU1.values())
    }
    out["1"] = (done_q.sum(axis=0), masuk_q.sum(axis=0))
    return out


def _musrenbang(usulan: pd.DataFrame, ba: pd.DataFrame, q: _Quarters,
                names: list[str]) -> Figures:
    """IKU 2: proposals dated by the quarter's end or undated (from TW I); pembilang
    those of them in the BA (a BA entry counts from its proposal's quarter)."""
    nkel = len(names)
    codes = _codes(usulan["kelurahan"], names, "musrenbang_usulan")
    start = q.start(days(usulan["tanggal_usulan"]))
    in_ba = np.asarray(is_in(usulan[KEY], ba[KEY]), dtype=bool)
    return (
        _cumulative(codes[in_ba], start[in_ba], nkel, q.n),
        _cumulative(codes, start, nkel, q.n),
    )


def _konflik(frame: pd.DataFrame, q: _Quarters, names: list[str]) -> dict[str, Figures]:
    """IKU 4 (a count) and 4_selesai: activities dated by the quarter's end."""
    nkel = len(names)
    codes = _codes(frame["kelurahan"], names, "konflik")
    start = q.start(days(frame["tanggal"]))
    selesai = frame["hasil"].eq("Selesai").fillna(False).to_numpy(dtype=bool)
    kegiatan = _cumulative(codes, start, nkel, q.n)
    return {
        "4": (kegiatan, None),
        "4_selesai": (_cumulative(codes[selesai], start[selesai], nkel, q.n), kegiatan),
    }


def _pbb(p: PbbPayments, q: _Quarters, names: list[str]) -> dict[str, Figures]:
    """IKU 3, 3_nominal and 3_tepat_waktu per quarter: each wajib pajak's payments dated
    by the quarter's end (for 3_tepat_waktu, also by its jatuh_tempo: by the earlier of
    the two) added quarter by quarter; the penyebut the whole roll's every quarter."""
    nkel = len(names)
    # Ten million wajib pajak: every array held here is per wajib pajak with a payment
    # or per payment, kept as small as it can be (the kelurahan a byte each).
    codes = _codes(p.kelurahan, names, "pbb_dhkp", compact=True)
    run_codes = codes[p.objects]
    owed = p.terhutang[p.objects]
    has_due = p.due[p.objects] != NO_DATE
    run_of = p.run_of_payment()
    if int(p.amount.sum()) >= _EXACT:
        raise ValueError("jumlah pembayaran terlalu besar untuk dijumlahkan dengan tepat")
    # Each quarter's payments (q.n: after the last day counted, never added) taken by a
    # mask, quarter by quarter: only one quarter's copies exist at a time (at 10M
    # payments, sorting them by quarter instead held three more full-length arrays).
    quarter = q.start(p.paid_on)
    paid = np.zeros(len(p.objects))  # per wajib pajak with a payment, so far (rupiah)
    paid_on_time = np.zeros(len(p.objects))
    lunas, nominal, tepat = (np.zeros((nkel, q.n), dtype=np.int64) for _ in range(3))
    for i in range(q.n):
        now = quarter == i
        runs, rupiah = run_of[now], p.amount[now]
        # By its jatuh_tempo (never without one).
        in_time = p.paid_on[now] <= p.due[p.objects[runs]]
        del now
        paid += np.bincount(runs, weights=rupiah, minlength=len(paid))
        paid_on_time += np.bincount(runs[in_time], weights=rupiah[in_time], minlength=len(paid))
        del runs, rupiah, in_time
        lunas[:, i] = np.bincount(run_codes[paid >= owed], minlength=nkel)
        nominal[:, i] = np.bincount(run_codes, weights=paid, minlength=nkel).astype(np.int64)
        tepat[:, i] = np.bincount(run_codes[has_due & (paid_on_time >= owed)], minlength=nkel)
    every = np.ones((1, q.n), dtype=np.int64)
    wajib = np.bincount(codes, minlength=nkel)
    with_due = np.bincount(codes[p.due != NO_DATE], minlength=nkel)
    return {
        "3": (lunas, wajib[:, None] * every),
        "3_nominal": (nominal, _sums(codes, p.terhutang, nkel)[:, None] * every),
        "3_tepat_waktu": (tepat, with_due[:, None] * every),
    }


def _sumber(kode: str) -> tuple[str, ...]:
    declared = INDIKATOR_BY_KODE.get(kode) or TAMBAHAN_BY_KODE[kode]
    return declared.sumber


def _satuan(kode: str) -> str:
    declared = INDIKATOR_BY_KODE.get(kode) or TAMBAHAN_BY_KODE[kode]
    return declared.satuan


def compute_triwulan(
    staged: Mapping[str, Staged],
    tahun: int,
    wilayah: Wilayah,
    quarters: Sequence[Periode] | None = None,
    payments: PbbPayments | None = None,
) -> pd.DataFrame:
    """Rows of ``realisasi_triwulan`` for one year (§8): every quarter of ``quarters``
    (default: all four, to their last days) × every kode of the printed order
    (``URUTAN``) × wilayah, the kecamatan first. A figure whose sources were not all
    delivered has null pembilang, penyebut and nilai in every quarter; a zero penyebut
    gives a null nilai. ``payments``: the year's ``pbb_payments``, if already matched."""
    quarters = tuple(periode(tahun) if quarters is None else quarters)
    q = _Quarters(quarters)
    names = list(wilayah.names)

    def delivered(*sources: str) -> bool:
        return all(staged[s].diserahkan for s in sources)

    figures: dict[str, Figures] = {}
    if delivered("layanan"):
        figures.update(_layanan(staged["layanan"].diterima, q, names))
    if delivered("musrenbang_usulan", "musrenbang_ba"):
        usulan, ba = staged["musrenbang_usulan"].diterima, staged["musrenbang_ba"].diterima
        figures["2"] = _musrenbang(usulan, ba, q, names)
    if delivered("pbb_dhkp", "pbb_pembayaran"):
        p = pbb_payments(staged, tahun) if payments is None else payments
        figures.update(_pbb(p, q, names))
    if delivered("konflik"):
        figures.update(_konflik(staged["konflik"].diterima, q, names))

    rows = []
    for i, per in enumerate(quarters):
        for kode in URUTAN:
            found = figures.get(kode) if delivered(*_sumber(kode)) else None
            rows += _rows(tahun, per, kode, found, i, wilayah)
    return _frame(rows)


def _rows(tahun: int, per: Periode, kode: str, found: Figures | None, i: int,
          wilayah: Wilayah) -> list[tuple]:
    satuan = _satuan(kode)
    if found is None:
        return [(tahun, per.triwulan, kode, w, None, None, None, satuan, per.sampai)
                for w in wilayah.all]  # fmt: skip
    pembilang, penyebut = found
    p_col = [int(v) for v in pembilang[:, i]]
    q_col = None if penyebut is None else [int(v) for v in penyebut[:, i]]
    rows = []
    for k, name in enumerate(wilayah.all):
        p = sum(p_col) if k == 0 else p_col[k - 1]
        if q_col is None:
            q, nilai = None, float(p)
        else:
            q = sum(q_col) if k == 0 else q_col[k - 1]
            nilai = 100.0 * p / q if q else None
        rows.append((tahun, per.triwulan, kode, name, p, q, nilai, satuan, per.sampai))
    return rows


def _frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(TRIWULAN_COLUMNS))
    return frame.astype(
        {"tahun": "int64", "triwulan": "int64", "pembilang": "Int64", "penyebut": "Int64",
         "nilai": "float64", "sampai_tanggal": "object"}
    )  # fmt: skip
