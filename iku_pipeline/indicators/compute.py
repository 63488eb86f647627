"""The IKU computations of DATA_CONTRACT §3 and the rows of ``realisasi_iku`` and
``realisasi_tambahan`` (§5).

Pure pandas: staged sources in, one row per indicator (or supplementary figure) ×
wilayah out. Each figure's pembilang and penyebut are counted (or, for ``3_nominal``,
summed in rupiah) per kelurahan; the kecamatan row is their sum.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from iku_pipeline.indicators.declarations import INDIKATOR, TAMBAHAN
from iku_pipeline.model import KATEGORI_IKU1, KEY, Staged, Wilayah
from iku_pipeline.sources.keys import is_in, sorted_with_order
from iku_pipeline.sources.parsers import arrow
from iku_pipeline.sources.threads import background

REALISASI_COLUMNS = ("tahun", "kode", "wilayah", "pembilang", "penyebut", "nilai", "satuan")

# The accepted columns of each staged source that ``compute_year`` reads, through the
# functions below (IKU 1: _layanan; 2: _musrenbang; 3 and its supplementary figures:
# pbb_payments, pbb_report; 4 and its supplementary figure: _konflik, _selesai) and
# through ``triwulan.py`` (the dates each row counts from, §8). The indicator step and
# the benchmark load only these; test_compute.py checks the list is exactly what is read.
COLUMNS: dict[str, tuple[str, ...]] = {
    "layanan": ("kelurahan", "kategori", "diproses", "tanggal_masuk", "tanggal_selesai"),
    "musrenbang_usulan": ("kelurahan", KEY, "tanggal_usulan"),
    "musrenbang_ba": (KEY,),
    "pbb_dhkp": ("kelurahan", "nop", "pbb_terhutang", "jatuh_tempo"),
    "pbb_pembayaran": ("nop", "jumlah_bayar", "tahun_pajak", "tanggal_bayar"),
    "konflik": ("kelurahan", "hasil", "tanggal"),
}


def _count(frame: pd.DataFrame, mask: pd.Series | None = None) -> pd.Series:
    """Rows per kelurahan (every kelurahan of the wilayah, the category, present, zero
    where none)."""
    kelurahan = frame["kelurahan"]  # only this column: no copy of the others
    names = kelurahan.cat.categories
    if mask is not None:
        kelurahan = kelurahan[np.asarray(mask, dtype=bool)]
    return kelurahan.value_counts().reindex(names, fill_value=0)


def _sum(frame: pd.DataFrame, column: str) -> pd.Series:
    """``column`` summed per kelurahan (int64, exact; zero where none)."""
    names = frame["kelurahan"].cat.categories
    sums = frame.groupby("kelurahan", observed=False)[column].sum()
    return sums.reindex(names, fill_value=0).astype("int64")


def _layanan(kategori: tuple[str, ...]):
    def compute(staged: Mapping[str, Staged], tahun: int):
        layanan = staged["layanan"].diterima
        in_kategori = layanan["kategori"].isin(kategori).to_numpy(dtype=bool)
        diproses = layanan["diproses"].to_numpy(dtype=bool)
        return _count(layanan, in_kategori & diproses), _count(layanan, in_kategori)

    return compute


def _musrenbang(staged: Mapping[str, Staged], tahun: int):
    usulan = staged["musrenbang_usulan"].diterima
    in_ba = is_in(usulan[KEY], staged["musrenbang_ba"].diterima[KEY])
    return _count(usulan, in_ba), _count(usulan)


def _nop_numbers(nop: pd.Series) -> np.ndarray:
    """NOPs (18 digits, checked when staged) as int64: exact, as 18 digits stay below
    2**63, and hashed far faster than text. (Never float64: 18 digits would collide.)"""
    return pc.cast(arrow(nop), pa.int64()).to_numpy(zero_copy_only=False)


def days(dates: pd.Series) -> np.ndarray:
    """Dates as int64 day numbers; an empty date is the smallest int64 (NaT), which no
    date is on or before."""
    return dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").view("int64")


NO_DATE = np.iinfo(np.int64).min  # ``days`` of an empty date


@dataclass
class PbbPayments:
    """The year's wajib pajak and the payments of that tahun_pajak matched to them, as
    arrays: what IKU 3, its supplementary figures and their triwulan (§8) are summed
    from. The wajib pajak are the roll's rows with pbb_terhutang > 0, in roll order;
    the matched payments are grouped by wajib pajak: ``objects[i]``'s payments are
    ``amount[runs[i]:runs[i + 1]]`` (dated ``paid_on``, day numbers)."""

    kelurahan: pd.Categorical  # of each wajib pajak
    terhutang: np.ndarray  # int64, per wajib pajak
    due: np.ndarray  # jatuh_tempo as day numbers (NO_DATE: none), per wajib pajak
    objects: np.ndarray  # the wajib pajak with a payment, one per run
    runs: np.ndarray  # where each run of payments starts
    amount: np.ndarray  # int64, the matched payments
    paid_on: np.ndarray  # day numbers, the matched payments

    def per_run(self, values: np.ndarray) -> np.ndarray:
        """``values`` (one per matched payment) summed per run, i.e. per ``objects``."""
        if not len(self.runs):
            return np.zeros(0, dtype=np.int64)
        return np.add.reduceat(values, self.runs)

    def per_object(self, values: np.ndarray) -> np.ndarray:
        """``values`` summed per wajib pajak (zero for one without a payment)."""
        out = np.zeros(len(self.terhutang), dtype=np.int64)
        out[self.objects] = self.per_run(values)
        return out

    def run_of_payment(self) -> np.ndarray:
        """Each matched payment's run (its index in ``objects``)."""
        lengths = np.diff(np.append(self.runs, len(self.amount)))
        index = np.int32 if len(self.runs) < 2**31 else np.int64  # half the memory
        return np.repeat(np.arange(len(self.runs), dtype=index), lengths)

    def on_time(self) -> np.ndarray:
        """Whether each matched payment is dated on or before its wajib pajak's
        jatuh_tempo (never, without one)."""
        return self.paid_on <= self.due[self.objects][self.run_of_payment()]

    def until(self, day: int) -> PbbPayments:
        """The same wajib pajak with only the payments dated on or before ``day`` (a day
        number): what a running year has received by the run's date (§8)."""
        keep = self.paid_on <= day
        if keep.all():
            return self
        run = self.run_of_payment()[keep]
        starts = np.flatnonzero(np.concatenate(([True], run[1:] != run[:-1]))) if len(run) else run
        return replace(
            self,
            objects=self.objects[run[starts]],
            runs=starts.astype(np.int64),
            amount=self.amount[keep],
            paid_on=self.paid_on[keep],
        )


def pbb_payments(staged: Mapping[str, Staged], tahun: int) -> PbbPayments:
    """The wajib pajak of the year's roll and their payments of that tahun_pajak."""
    roll = staged["pbb_dhkp"].diterima
    payments = staged["pbb_pembayaran"].diterima
    # The roll's side and the payments' side are independent until they are matched:
    # the roll's is prepared on the helper thread (numpy's sorts and Arrow's casts
    # release the GIL), so both cores work.
    roll_side = background(_roll_side, roll)
    pay_nop, amount, paid_on = _payment_side(payments, tahun)
    on_roll, terhutang, due, sorted_nop, order = roll_side.result()
    # Payments matched to the roll by a merge of the two sorted NOP lists (a roll's NOPs
    # are unique): at millions of rows this is several times faster than a hash join or
    # unsorted lookups, whose memory accesses miss the cache. Each list of ten million
    # is let go as soon as it is used.
    objects = runs = np.zeros(0, dtype=np.int64)
    matched = np.zeros(0, dtype=np.int64)
    matched_on = np.zeros(0, dtype=np.int64)
    if len(sorted_nop) and len(pay_nop):
        at = np.searchsorted(sorted_nop, pay_nop)
        np.minimum(at, len(sorted_nop) - 1, out=at)
        hit = sorted_nop[at] == pay_nop
        del sorted_nop, pay_nop
        at, matched, matched_on = at[hit], amount[hit], paid_on[hit]
        if len(at):
            # ``at`` is sorted: each object's payments are one run.
            runs = np.flatnonzero(np.concatenate(([True], at[1:] != at[:-1])))
            objects = order[at[runs]]
    return PbbPayments(
        kelurahan=roll["kelurahan"].array[on_roll],
        terhutang=terhutang,
        due=due,
        objects=objects,
        runs=runs,
        amount=matched,
        paid_on=matched_on,
    )


def _roll_side(roll: pd.DataFrame):
    """The wajib pajak (rows with pbb_terhutang > 0): (which rows they are, their
    pbb_terhutang and jatuh_tempo, their NOPs sorted, the order that sorts them)."""
    on_roll = (roll["pbb_terhutang"] > 0).fillna(False).to_numpy()
    # The NOPs first, sorted in place where they were copied (the packed sort of
    # ``sorted_with_order``: twice as fast as an argsort), while little else is held.
    sorted_nop, order = sorted_with_order(_where(_nop_numbers(roll["nop"]), on_roll), True)
    terhutang = _where(roll["pbb_terhutang"].to_numpy(dtype="int64", na_value=0), on_roll)
    due = _where(days(roll["jatuh_tempo"]), on_roll)
    # Arrow's allocator keeps the pages freed on a thread for that thread's reuse: the
    # cast NOPs' are given back here, not kept by a thread that is done.
    pa.default_memory_pool().release_unused()
    return on_roll, terhutang, due, sorted_nop, order


def _payment_side(payments: pd.DataFrame, tahun: int):
    """The payments of tahun_pajak ``tahun`` ordered by NOP: (NOPs, amounts, dates). The
    payments of one NOP stay in file order; any order would do, as they are only summed."""
    current = payments["tahun_pajak"].eq(tahun).fillna(False).to_numpy()
    pay_nop, by_nop = sorted_with_order(_where(_nop_numbers(payments["nop"]), current), True)
    amount = _where(payments["jumlah_bayar"].to_numpy(dtype="int64", na_value=0), current)
    amount = amount[by_nop]
    paid_on = _where(days(payments["tanggal_bayar"]), current)[by_nop]
    return pay_nop, amount, paid_on


def pbb_status(
    staged: Mapping[str, Staged], tahun: int, payments: PbbPayments | None = None
) -> pd.DataFrame:
    """Each wajib pajak of the year's roll with what it paid of that tahun_pajak: in all
    (IKU 3, ``3_nominal``) and dated on or before its jatuh_tempo (``3_tepat_waktu``).
    ``payments``: the year's ``pbb_payments``, if already matched."""
    p = pbb_payments(staged, tahun) if payments is None else payments
    dibayar = p.per_object(p.amount)
    tepat = p.per_object(np.where(p.on_time(), p.amount, 0))
    has_due = p.due != NO_DATE
    return pd.DataFrame(
        {
            "kelurahan": p.kelurahan,
            "pbb_terhutang": p.terhutang,
            "dibayar": dibayar,
            "lunas": dibayar >= p.terhutang,
            "ada_jatuh_tempo": has_due,
            "lunas_tepat_waktu": has_due & (tepat >= p.terhutang),
        },
        copy=False,  # the arrays as they are (read only here), not copied into blocks
    )


def _where(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``values[mask]``, without a copy when every row is kept (the usual case)."""
    return values if mask.all() else values[mask]


def _pbb(staged: Mapping[str, Staged], tahun: int, wp: pd.DataFrame | None = None):
    wp = pbb_status(staged, tahun) if wp is None else wp
    return _count(wp, wp["lunas"]), _count(wp)


def _konflik(staged: Mapping[str, Staged], tahun: int):
    return _count(staged["konflik"].diterima), None


# The supplementary figures (§3), from the staged sources and the year's pbb_status.


def _nominal(staged: Mapping[str, Staged], tahun: int, wp: pd.DataFrame):
    return _sum(wp, "dibayar"), _sum(wp, "pbb_terhutang")


def _tepat_waktu(staged: Mapping[str, Staged], tahun: int, wp: pd.DataFrame):
    return _count(wp, wp["lunas_tepat_waktu"]), _count(wp, wp["ada_jatuh_tempo"])


def _selesai(staged: Mapping[str, Staged], tahun: int, wp: pd.DataFrame | None):
    frame = staged["konflik"].diterima
    return _count(frame, frame["hasil"].eq("Selesai").fillna(False)), _count(frame)


Compute = Callable[[Mapping[str, Staged], int], tuple[pd.Series, pd.Series | None]]

COMPUTE: dict[str, Compute] = {
    "1": _layanan(tuple(KATEGORI_IKU1)),
    **{kode: _layanan((kat,)) for kat, kode in KATEGORI_IKU1.items()},
    "2": _musrenbang,
    "3": _pbb,
    "4": _konflik,
}

ComputeTambahan = Callable[
    [Mapping[str, Staged], int, pd.DataFrame | None], tuple[pd.Series, pd.Series]
]

COMPUTE_TAMBAHAN: dict[str, ComputeTambahan] = {
    "3_nominal": _nominal,
    "3_tepat_waktu": _tepat_waktu,
    "4_selesai": _selesai,
}


def compute_realisasi(
    staged: Mapping[str, Staged], tahun: int, wilayah: Wilayah, wp: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Rows of ``realisasi_iku`` for one year: every indicator × wilayah (§5).

    An indicator whose sources were not all delivered gets null pembilang, penyebut and
    nilai; a zero denominator gives a null nilai. ``wp``: the year's ``pbb_status``, if
    already computed.
    """
    rows = []
    for ind in INDIKATOR:
        figures = None
        if all(staged[s].diserahkan for s in ind.sumber):
            if ind.kode == "3" and wp is not None:
                figures = _pbb(staged, tahun, wp)
            else:
                figures = COMPUTE[ind.kode](staged, tahun)
        rows += _rows(tahun, ind.kode, ind.satuan, figures, wilayah)
    return _frame(rows)


def compute_tambahan(
    staged: Mapping[str, Staged], tahun: int, wilayah: Wilayah, wp: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Rows of ``realisasi_tambahan`` for one year: every supplementary figure × wilayah
    (§5), with the columns of ``realisasi_iku``; null as there when a source was not
    delivered or the penyebut is 0. ``wp``: the year's ``pbb_status``, if already
    computed."""
    rows = []
    for tambahan in TAMBAHAN:
        figures = None
        if all(staged[s].diserahkan for s in tambahan.sumber):
            if wp is None and "pbb_dhkp" in tambahan.sumber:
                wp = pbb_status(staged, tahun)
            figures = COMPUTE_TAMBAHAN[tambahan.kode](staged, tahun, wp)
        rows += _rows(tahun, tambahan.kode, tambahan.satuan, figures, wilayah)
    return _frame(rows)


def _rows(
    tahun: int,
    kode: str,
    satuan: str,
    figures: tuple[pd.Series, pd.Series | None] | None,
    wilayah: Wilayah,
) -> list[tuple]:
    """One figure's rows, the kecamatan's first. ``figures``: (pembilang, penyebut) per
    kelurahan, penyebut None for a count (nilai = pembilang); None when a source was not
    delivered (everything null)."""
    if figures is not None:
        pembilang, penyebut = figures
        pembilang = _with_kecamatan(pembilang, wilayah)
        if penyebut is not None:
            penyebut = _with_kecamatan(penyebut, wilayah)
    rows = []
    for name in wilayah.all:
        p = q = nilai = None
        if figures is not None:
            p = int(pembilang[name])
            if penyebut is None:
                nilai = float(p)
            else:
                q = int(penyebut[name])
                nilai = 100.0 * p / q if q else None
        rows.append((tahun, kode, name, p, q, nilai, satuan))
    return rows


def _frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(REALISASI_COLUMNS))
    return frame.astype(
        {"tahun": "int64", "pembilang": "Int64", "penyebut": "Int64", "nilai": "float64"}
    )


def _with_kecamatan(counts: pd.Series, wilayah: Wilayah) -> pd.Series:
    """Counts per kelurahan, led by the kecamatan's: their sum."""
    return pd.concat([pd.Series({wilayah.kecamatan: counts.sum()}), counts])


def pbb_report(
    staged: Mapping[str, Staged],
    tahun: int,
    wp: pd.DataFrame | None = None,
    sampai: int | None = None,
) -> dict:
    """The figures §3 asks to report beside IKU 3, of the sources delivered: the exempt
    objects and the wajib pajak from the roll, the arrears from the payments, who paid
    in full or in part from both. ``wp``: the year's ``pbb_status``, if already
    computed; ``sampai``: the running year's last day counted (a day number), after which
    no payment is counted yet (§8)."""
    roll_given = staged["pbb_dhkp"].diserahkan
    payments_given = staged["pbb_pembayaran"].diserahkan
    out = {}
    if roll_given:
        roll = staged["pbb_dhkp"].diterima
        out["objek_dibebaskan"] = int((roll["pbb_terhutang"] == 0).sum())
        out["wajib_pajak"] = int((roll["pbb_terhutang"] > 0).fillna(False).sum())
    if roll_given and payments_given:
        wp = pbb_status(staged, tahun) if wp is None else wp
        partial = wp[(~wp["lunas"]) & (wp["dibayar"] > 0)]
        out["wajib_pajak_lunas"] = int(wp["lunas"].sum())
        out["wajib_pajak_bayar_sebagian"] = len(partial)
    if payments_given:
        payments = staged["pbb_pembayaran"].diterima
        other = payments["tahun_pajak"].ne(tahun).fillna(False).to_numpy()
        if sampai is not None:
            other &= days(payments["tanggal_bayar"]) <= sampai
        arrears = payments.loc[other, ["jumlah_bayar"]]
        out["pembayaran_tunggakan"] = len(arrears)
        out["jumlah_tunggakan_rp"] = int(arrears["jumlah_bayar"].sum())
    return out
