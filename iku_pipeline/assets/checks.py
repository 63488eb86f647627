"""What the asset checks test: the data contract's invariants (docs/data-contract.md §4-§5).

The checks run in the step of the asset they check (``check_specs``): a source's in its
ingest step, ``realisasi_konsisten`` in the indicator step. Blocking checks stop the
publish step, so a number that breaks an invariant never reaches the warehouse.
"""

from __future__ import annotations

import math

import pandas as pd

from iku_pipeline.indicators.declarations import KODE
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
