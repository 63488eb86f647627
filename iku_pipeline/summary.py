"""Print the kecamatan's published values per year: ``python -m iku_pipeline.summary``.

Reads the warehouse named by ``IKU_DATABASE_URL`` (default: SQLite under the data folder).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd

from iku_pipeline.indicators.declarations import KECAMATAN, KODE
from iku_pipeline.publish.warehouse import default_sqlite_url, make_engine, read_table


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
    data = Path(os.environ.get("IKU_DATA_DIR") or "data")
    url = os.environ.get("IKU_DATABASE_URL") or default_sqlite_url(data)
    wide = kecamatan_table(url)
    if wide.empty:
        print("Belum ada tahun yang dipublikasikan.")
        return 1
    print(f"Realisasi IKU {KECAMATAN}")
    print(wide.to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
