"""Run the pipeline on a data folder and dump what it publishes, for comparing two versions.

    python scripts/dump_published.py DATA_DIR OUT_DIR --years 2021...2025

Materialises every asset for the years into a fresh SQLite warehouse and output folder
(under OUT_DIR/run), then writes each published table sorted, one CSV per table, without
the columns that differ between runs (run ids, timestamps), and copies every exported CSV.
``diff -r`` of two OUT_DIRs then shows any change in what the office receives.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

# Run ids and clock times differ between any two runs (status_publikasi: when each
# year was last published, failed or checked for new files).
VOLATILE = {"run_id", "dipublikasikan", "run pengolah", "run_sukses", "waktu_sukses",
            "run_gagal", "waktu_gagal", "diperiksa"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--years", default="2021...2025", help="a year or FIRST...LAST")
    args = parser.parse_args()
    out = args.out_dir.resolve()
    run = out / "run"
    shutil.rmtree(out, ignore_errors=True)
    (run / "dagster_home").mkdir(parents=True)
    env = {
        **os.environ,
        "IKU_DATA_DIR": str(args.data_dir.resolve()),
        "IKU_DATABASE_URL": f"sqlite:///{run / 'warehouse.sqlite'}",
        "IKU_OUTPUT_DIR": str(run / "published"),
        "IKU_STORAGE_URL": str(run / "storage"),
        "IKU_HASH_KEY": "dump-published",
        "DAGSTER_HOME": str(run / "dagster_home"),
    }
    years = ["--partition-range", args.years] if "..." in args.years else ["--partition", args.years]
    dagster = Path(sys.executable).with_name("dagster")
    subprocess.run(
        [str(dagster), "asset", "materialize", "-m", "iku_pipeline.definitions", "--select", "*", *years],
        env=env,
        check=True,
        cwd=run,
        stdout=subprocess.DEVNULL,
        stderr=(out / "run.log").open("w"),
    )
    engine = sa.create_engine(env["IKU_DATABASE_URL"])
    tables = out / "tables"
    tables.mkdir()
    for name in sorted(sa.inspect(engine).get_table_names()):
        frame = pd.read_sql_table(name, engine)
        frame = frame.drop(columns=[c for c in frame.columns if c in VOLATILE])
        frame = frame.sort_values(list(frame.columns), na_position="first", kind="stable")
        frame.to_csv(tables / f"{name}.csv", index=False)
    exports = out / "exports"
    exports.mkdir()
    for csv in sorted((run / "published").glob("*.csv")):
        frame = pd.read_csv(csv, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frame = frame.drop(columns=[c for c in frame.columns if c.casefold() in VOLATILE])
        frame.to_csv(exports / csv.name, sep=";", index=False)
    print(f"dumped {len(list(tables.iterdir()))} tables, {len(list(exports.iterdir()))} CSV exports")


if __name__ == "__main__":
    main()
