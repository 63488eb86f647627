"""What several test modules share: the kelurahan table the package ships, one
in-memory Dagster instance per test process, and a year run in it."""

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import dagster as dg

from iku_pipeline.sources.reference import load_wilayah

# The shipped table (the fixtures' reference/ has none, so a run falls back to it too).
WILAYAH = load_wilayah(Path(__file__).resolve().parents[1] / "data" / "reference")


@cache
def ephemeral_instance() -> dg.DagsterInstance:
    """An in-memory Dagster instance for this test process's in-process runs: making
    one migrates its storage (half a second a run otherwise). Each run in it is its
    own (by run id); no test reads another run's events."""
    return dg.DagsterInstance.ephemeral()


def run_year(data_dir, url, tahun: str | None, raise_on_error=True, job="iku_tahunan",
             **resources):
    """Run ``job`` (``iku_tahunan``) for ``tahun`` in this process: the extracts of
    ``data_dir``, published into the warehouse ``url`` and ``data_dir/published``;
    ``resources`` added or replaced (``kalender``)."""
    from iku_pipeline.definitions import defs
    from iku_pipeline.resources import IkuPaths, Warehouse

    return defs.resolve_job_def(job).execute_in_process(
        partition_key=tahun,
        instance=ephemeral_instance(),
        resources={
            "paths": IkuPaths(data_dir=str(data_dir), output_dir=str(data_dir / "published")),
            "warehouse": Warehouse(database_url=url),
            **resources,
        },
        raise_on_error=raise_on_error,
    )


def cli_year(tahun: str, env: dict, cwd=None, text: bool = True) -> subprocess.CompletedProcess:
    """``dagster job execute -j iku_tahunan`` for ``tahun`` in a process of its own, as the
    README documents it: its output captured, ``env`` its whole environment."""
    return subprocess.run(
        [sys.executable, "-m", "dagster", "job", "execute", "-m", "iku_pipeline.definitions",
         "-j", "iku_tahunan", "--tags", json.dumps({"dagster/partition": tahun})],
        cwd=cwd, env=env, capture_output=True, text=text, timeout=300,
    )  # fmt: skip
