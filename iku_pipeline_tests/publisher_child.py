"""A child process that publishes one year again and again, for the crash and
concurrency tests: ``python -m iku_pipeline_tests.publisher_child URL YEAR RUN_ID LOOPS``,
or forked by ``iku_pipeline_tests.forking`` (``main(argv)``).

Each publication writes a realisasi_iku year, 5,000 rejected rows and a publication
log that all carry the run id, so a reader can tell whether a year is whole. Inserting
the rejected rows is most of a publication's time, so a kill at a random point mostly
lands inside its transaction; more rows would only make each kill take longer.
"""

import sys

import pandas as pd

from iku_pipeline.indicators.declarations import INDIKATOR
from iku_pipeline_tests.common import WILAYAH
from iku_pipeline.publish.warehouse import make_engine, replace_year

REJECTED_ROWS = 5_000


def frames(tahun: int, run_id: str) -> dict[str, pd.DataFrame]:
    realisasi = pd.DataFrame(
        [(i.kode, w, 1, 2, 50.0, i.satuan) for i in INDIKATOR for w in WILAYAH.all],
        columns=["kode", "wilayah", "pembilang", "penyebut", "nilai", "satuan"],
    )
    rejected = pd.DataFrame(
        {
            "sumber": "layanan",
            "berkas": f"{run_id}.csv",
            "baris": range(2, REJECTED_ROWS + 2),
            "kolom": "tanggal_masuk",
            "alasan": "tanggal 31/02/2023 tidak valid",
            "isi_baris": "{}",
        }
    )
    log = pd.DataFrame([{"sumber": "layanan", "berkas": f"{run_id}.csv", "dibaca": 1}])
    return {"realisasi_iku": realisasi, "baris_ditolak": rejected, "riwayat_publikasi": log}


def main(argv: list[str] | None = None) -> int:
    url, tahun, run_id, loops = argv if argv is not None else sys.argv[1:]
    tahun, loops = int(tahun), int(loops)
    engine = make_engine(url)
    for i in range(loops):
        replace_year(engine, tahun, frames(tahun, f"{run_id}-{i}"), f"{run_id}-{i}")
        print(f"published {run_id}-{i}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
