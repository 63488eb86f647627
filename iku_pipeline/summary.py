"""Print the kecamatan's published values per year: ``python -m iku_pipeline.summary``.

Reads the warehouse named by ``IKU_DATABASE_URL`` (default: SQLite under data/warehouse/).
"""

from __future__ import annotations

import sys

import pandas as pd

from iku_pipeline.indicators.declarations import KECAMATAN, KODE
from iku_pipeline.publish.warehouse import make_engine, read_table, warehouse_url


def kecamatan_table(url: str) -> pd.DataFrame:
    engine = make_engine(url)
    try:
        realisasi = read_table(engine, "realisasi_iku")
    finally:
        engine.dispose()
    kec = realisasi[realisasi["wilayah"].eq(KECAMATAN)]
    shown = kec.assign(
        nilai=kec["nilai"].map(lambda v: "belum tersedia" if pd.isna(v) else f"{v:,.2f}")
    )
    wide = shown.pivot(index="kode", columns="tahun", values="nilai").reindex(list(KODE))
    wide.insert(0, "satuan", kec.drop_duplicates("kode").set_index("kode")["satuan"])
    return wide


def main() -> int:
    wide = kecamatan_table(warehouse_url())
    if wide.empty:
        print("Belum ada tahun yang dipublikasikan.")
        return 1
    print(f"Realisasi IKU {KECAMATAN}")
    print(wide.to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
