"""What several test modules share: the kelurahan table the package ships, and one
in-memory Dagster instance per test process."""

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
