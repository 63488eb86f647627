"""A seventh source declared by its spec and schema alone, then a year run through the
whole job: ``python -m iku_pipeline_tests.toy_source_child DATA_DIR WORK_DIR``.

Nothing of the package is edited: the spec and the Pandera model are registered before
the code location is imported, as a new source's two declarations would be. Prints what
the run produced, as JSON, for ``test_toy_source.py``.
"""

import json
import sys
from pathlib import Path

import dagster as dg
import pandas as pd
import pandera.pandas as pa
import sqlalchemy as sa
from pandera.typing import Series

from iku_pipeline.sources import schemas, specs
from iku_pipeline.sources.specs import Column, Kind, SourceSpec

specs.SOURCES["kerja_bakti"] = SourceSpec(
    name="kerja_bakti",
    judul="daftar kerja bakti",
    key="no_kegiatan",
    columns=(
        Column("no_kegiatan", Kind.KEY, True, ("no",)),
        Column("tanggal", Kind.DATE, True, in_year=True),
        Column("kelurahan", Kind.KELURAHAN, True),
        Column("peserta", Kind.WHOLE, False, min_value=1),
    ),
)


class KerjaBakti(schemas._Staged):
    no_kegiatan: Series[schemas.Text]
    tanggal: Series[pd.Timestamp]
    kelurahan: Series[pd.CategoricalDtype]
    peserta: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)


schemas.SCHEMAS["kerja_bakti"] = KerjaBakti


def main() -> int:
    from iku_pipeline.definitions import defs
    from iku_pipeline.resources import IkuPaths, Storage, Warehouse

    data, work = Path(sys.argv[1]), Path(sys.argv[2])
    url = f"sqlite:///{work / 'w.sqlite'}"
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("iku_tahunan").execute_in_process(
            partition_key="2023",
            instance=instance,
            resources={
                "paths": IkuPaths(data_dir=str(data), output_dir=str(work / "published")),
                "warehouse": Warehouse(database_url=url),
                "io_manager": Storage(storage_url=str(work / "storage")),
            },
        )
    engine = sa.create_engine(url)

    def rows(table: str) -> list[dict]:
        query = f"SELECT * FROM {table} WHERE sumber = 'kerja_bakti'"
        return pd.read_sql(query, engine).drop(columns=["run_id", "dipublikasikan"]).to_dict("records")

    print(
        json.dumps(
            {
                "success": result.success,
                "checks": sorted(
                    (e.asset_key.to_user_string(), e.check_name, e.passed)
                    for e in result.get_asset_check_evaluations()
                    if "kerja_bakti" in e.asset_key.to_user_string()
                ),
                "stored": sorted(
                    str(p.relative_to(work / "storage"))
                    for p in (work / "storage").rglob("*")
                    if "kerja_bakti" in str(p) and p.is_file()
                ),
                "baris_ditolak": rows("baris_ditolak"),
                "riwayat_publikasi": rows("riwayat_publikasi"),
            },
            default=str,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
