"""What the asset checks test: the data contract's invariants (docs/data-contract.md §4-§5).

The checks run in the step of the asset they check (``check_specs``): a source's in its
ingest step, ``realisasi_konsisten`` and ``triwulan_konsisten`` in the indicator step.
Blocking checks stop the publish step, so a number that breaks an invariant never
reaches the warehouse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from iku_pipeline.indicators.declarations import KODE, URUTAN
from iku_pipeline.indicators.triwulan import Periode
from iku_pipeline.model import Wilayah


def realisasi_problems(realisasi: pd.DataFrame, wilayah: Wilayah) -> list[str]:
    """What is wrong with a year's realisasi rows, if anything (§5)."""
    problems = []
    present = set(zip(realisasi["kode"], realisasi["wilayah"], strict=True))
    missing = [(k, w) for k in KODE for w in wilayah.all if (k, w) not in present]
    problems += [f"baris {k} / {w} tidak ada" for k, w in missing]
    if len(realisasi) != len(present):
        problems.append("ada baris kode × wilayah ganda")
    for row in realisasi.itertuples():
        where = f"{row.kode} / {row.wilayah}"
        p, q, v = row.pembilang, row.penyebut, row.nilai
        has_value = v is not None and not (isinstance(v, float) and math.isnan(v))
        if row.satuan == "%":
            if not (pd.isna(p) or pd.isna(q)) and p > q:
                problems.append(f"{where}: pembilang {p} > penyebut {q}")
            if has_value and not 0 <= v <= 100:
                problems.append(f"{where}: nilai {v} di luar 0-100")
        elif has_value and (v < 0 or v != p):
            problems.append(f"{where}: nilai {v} bukan jumlah kegiatan {p}")
    return problems


def triwulan_problems(
    triwulan: pd.DataFrame,
    realisasi: pd.DataFrame,
    tambahan: pd.DataFrame,
    wilayah: Wilayah,
    quarters: Sequence[Periode],
) -> list[str]:
    """What is wrong with a year's realisasi_triwulan rows, if anything (§8): every
    quarter computed × kode × wilayah once, and no other quarter; each row's
    sampai_tanggal; pembilang and penyebut never falling from one quarter to the next;
    the bounds of realisasi_problems; and a TW IV counted to 31 December equal to the
    yearly rows (pembilang, penyebut, nilai), so a divergence is never published."""
    problems = []
    sampai = {p.triwulan: p.sampai for p in quarters}
    keys = list(zip(triwulan["triwulan"], triwulan["kode"], triwulan["wilayah"], strict=True))
    present = set(keys)
    if len(keys) != len(present):
        problems.append("ada baris triwulan × kode × wilayah ganda")
    extra = sorted({int(q) for q, _, _ in present} - set(sampai))
    problems += [f"triwulan {q} belum dimulai tetapi ada barisnya" for q in extra]
    problems += [
        f"baris TW {q} {k} / {w} tidak ada"
        for q in sampai for k in URUTAN for w in wilayah.all if (q, k, w) not in present
    ]
    for q, when in sampai.items():
        wrong = triwulan[triwulan["triwulan"].eq(q)]["sampai_tanggal"].map(
            lambda d, when=when: pd.Timestamp(d).date() != when
        )
        if wrong.any():
            problems.append(f"TW {q}: sampai_tanggal bukan {when:%d/%m/%Y}")
    for row in triwulan.itertuples():
        where = f"TW {row.triwulan} {row.kode} / {row.wilayah}"
        p, q, v = row.pembilang, row.penyebut, row.nilai
        has_value = not pd.isna(v)
        if row.satuan == "%" and row.kode != "3_nominal":
            if not (pd.isna(p) or pd.isna(q)) and p > q:
                problems.append(f"{where}: pembilang {p} > penyebut {q}")
            if has_value and not 0 <= v <= 100:
                problems.append(f"{where}: nilai {v} di luar 0-100")
        elif row.satuan != "%" and has_value and (v < 0 or v != p):
            problems.append(f"{where}: nilai {v} bukan jumlah kegiatan {p}")
    problems += _falling(triwulan)
    last = quarters[-1] if quarters else None
    if last is not None and last.triwulan == 4 and last.penuh:
        problems += _tw4_problems(triwulan, pd.concat([realisasi, tambahan], ignore_index=True))
    return problems


def _falling(triwulan: pd.DataFrame) -> list[str]:
    """Each kode × wilayah whose pembilang or penyebut falls from one quarter to a later
    one (empty quarters skipped), in the order the pairs first appear by quarter; one
    grouped ``diff`` per column, not a loop over the pairs."""
    ordered = triwulan.sort_values("triwulan", kind="stable")
    pair = ["kode", "wilayah"]
    falling = set()
    for column in ("pembilang", "penyebut"):
        given = ordered[ordered[column].notna()]
        step = given.groupby(pair, sort=False)[column].diff()
        down = given.loc[step.lt(0).fillna(False).to_numpy(dtype=bool), pair]
        falling |= {(k, w, column) for k, w in down.itertuples(index=False)}
    return [
        f"{kode} / {wil}: {column} turun dari triwulan ke triwulan"
        for kode, wil in ordered[pair].drop_duplicates().itertuples(index=False)
        for column in ("pembilang", "penyebut")
        if (kode, wil, column) in falling
    ]


def _tw4_problems(triwulan: pd.DataFrame, yearly: pd.DataFrame) -> list[str]:
    """TW IV (to 31 December) against the yearly rows, exactly."""
    def values(frame: pd.DataFrame) -> dict:
        return {
            (r.kode, r.wilayah): tuple(None if pd.isna(x) else x
                                       for x in (r.pembilang, r.penyebut, r.nilai))
            for r in frame.itertuples()
        }  # fmt: skip

    tw4 = values(triwulan[triwulan["triwulan"].eq(4)])
    year = values(yearly)
    return [
        f"TW IV {k} / {w} {tw4.get((k, w))} tidak sama dengan angka tahunan {year.get((k, w))}"
        for k, w in sorted(set(tw4) | set(year))
        if tw4.get((k, w)) != year.get((k, w))
    ]
