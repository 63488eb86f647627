"""Print the kecamatan's published values per year: ``python -m iku_pipeline.summary``.

Reads the warehouse named by ``IKU_DATABASE_URL`` (default: SQLite under data/warehouse/).
The running year is headed with the date its realisasi is counted to (§8).
"""

from __future__ import annotations

import sys

import pandas as pd
import sqlalchemy as sa

from iku_pipeline.indicators.declarations import KECAMATAN, KODE
from iku_pipeline.indicators.triwulan import sampai_tanggal_tahun, tanggal_teks
from iku_pipeline.publish.warehouse import make_engine, read_table
from iku_pipeline.resources import Warehouse


def kecamatan_table(url: str) -> pd.DataFrame:
    engine = make_engine(url)
    try:
        realisasi = read_table(engine, "realisasi_iku")
        has_triwulan = sa.inspect(engine).has_table("realisasi_triwulan")
        triwulan = read_table(engine, "realisasi_triwulan") if has_triwulan else None
    finally:
        engine.dispose()
    kec = realisasi[realisasi["wilayah"].eq(KECAMATAN)]
    shown = kec.assign(
        nilai=kec["nilai"].map(lambda v: "belum tersedia" if pd.isna(v) else f"{v:,.2f}")
    )
    wide = shown.pivot(index="kode", columns="tahun", values="nilai").reindex(list(KODE))
    if triwulan is not None:
        labels = {}
        for tahun, rows in triwulan.groupby("tahun"):
            sampai = sampai_tanggal_tahun(rows)
            if sampai is not None:
                labels[tahun] = f"{tahun} (s.d. {tanggal_teks(sampai)})"
        wide = wide.rename(columns=labels)
    wide.insert(0, "satuan", kec.drop_duplicates("kode").set_index("kode")["satuan"])
    return wide


def main() -> int:
    wide = kecamatan_table(Warehouse().url)
    if wide.empty:
        print("Belum ada tahun yang dipublikasikan.")
        return 1
    print(f"Realisasi IKU {KECAMATAN}")
    print(wide.to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
