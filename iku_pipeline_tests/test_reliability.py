"""Publishing survives being killed and running beside itself (docs/data-contract.md §5).

A year in the warehouse is always the previous complete publication or the new one,
never a mix or nothing; concurrent runs complete or fail clearly, losing and
duplicating nothing. ``IKU_RELIABILITY_KILLS`` sets how many kills (default 20).
"""

import os
import random
import signal
import time

import pandas as pd
import pytest
import sqlalchemy as sa

from iku_pipeline.publish.warehouse import YEAR_TABLES, make_engine
from iku_pipeline_tests.forking import ForkServer
from iku_pipeline_tests.publisher_child import REJECTED_ROWS

KILLS = int(os.environ.get("IKU_RELIABILITY_KILLS", "20"))

# One fork server for the module: its tests on one pytest-xdist worker, one after the other.
pytestmark = pytest.mark.xdist_group("publisher_fork_server")


@pytest.fixture(scope="module")
def fork():
    """Publishing children (``publisher_child``), forked from one parent that imported
    them: each starts publishing at once instead of after Python's start-up."""
    with ForkServer("iku_pipeline_tests.publisher_child") as server:
        yield server


def year_state(url: str, tahun: int) -> dict[str, tuple[int, set]]:
    """Rows and run ids of the year in every table."""
    engine = make_engine(url)
    state = {}
    with engine.connect() as conn:
        for name, table in YEAR_TABLES.items():
            rows = conn.execute(
                sa.select(table.c.run_id).where(table.c.tahun == tahun)
            ).scalars().all()
            state[name] = (len(rows), set(rows))
    engine.dispose()
    return state


def assert_whole(url: str, tahun: int) -> str:
    """The year is one complete publication; returns its run id."""
    state = year_state(url, tahun)
    runs = set().union(*(ids for _, ids in state.values()))
    assert len(runs) == 1, f"year {tahun} mixes publications: {state}"
    assert state["realisasi_iku"][0] == 40
    assert state["baris_ditolak"][0] == REJECTED_ROWS
    assert state["riwayat_publikasi"][0] == 1
    return runs.pop()


def publish(fork: ForkServer, url: str, tahun: int, run_id: str, loops: int = 1) -> int:
    """Publish in a child to its end; its exit code."""
    return fork.start([url, tahun, run_id, loops], tag=run_id).wait()


@pytest.mark.slow
def test_killed_publication_leaves_the_previous_or_the_new_year(fork, warehouse_url):
    assert publish(fork, warehouse_url, 2023, "awal") == 0
    previous = assert_whole(warehouse_url, 2023)
    rng = random.Random(20231)
    changed = 0
    for k in range(KILLS):
        started = time.monotonic()
        child = fork.start([warehouse_url, 2023, f"kill{k}", 50], tag=f"kill{k}")
        # Kill at a random point after the child's first commit, while it is deleting,
        # inserting or committing again: anywhere in its next two publications, each
        # taking about as long as its first (measured, so on any machine and database).
        assert child.readline().startswith(f"published kill{k}-"), child.lines
        time.sleep(rng.uniform(0.0, 2 * (time.monotonic() - started)))
        os.killpg(child.pid, signal.SIGKILL)
        assert child.wait() == -signal.SIGKILL  # killed, not finished
        now = assert_whole(warehouse_url, 2023)
        changed += now != previous
        assert now.startswith(f"kill{k}-")
        previous = now
    assert changed == KILLS  # every child committed at least once before its kill
    assert publish(fork, warehouse_url, 2023, "sesudah") == 0
    assert assert_whole(warehouse_url, 2023) == "sesudah-0"
    print(f"reliability: {KILLS} kills survived")


@pytest.mark.slow
def test_two_years_and_the_same_year_published_at_once(fork, warehouse_url, tmp_path):
    assert publish(fork, warehouse_url, 2022, "siap") == 0  # tables exist before the race
    runs = [(2022, "a"), (2023, "b"), (2023, "c"), (2022, "d")]
    children = [  # forked at once: they race from their first statement
        fork.start([warehouse_url, t, r, 3], tag=r, stderr=str(tmp_path / f"{r}.err"))
        for t, r in runs
    ]
    codes = [c.wait() for c in children]
    outcomes = [((tmp_path / f"{r}.err").read_text(), code)
                for (_, r), code in zip(runs, codes, strict=True)]  # fmt: skip
    for (err, code) in outcomes:
        if code != 0:  # a clear error, never a silent partial write
            assert "locked" in err or "deadlock" in err or "could not" in err, err
    assert sum(code == 0 for *_, code in outcomes) >= 2
    for tahun in (2022, 2023):
        assert_whole(warehouse_url, tahun)
    engine = make_engine(warehouse_url)
    with engine.connect() as conn:
        counts = pd.read_sql(
            sa.text("SELECT tahun, kode, wilayah, COUNT(*) AS n FROM realisasi_iku "
                    "GROUP BY tahun, kode, wilayah"),
            conn,
        )
    engine.dispose()
    assert (counts["n"] == 1).all()
    print(f"reliability: {len(runs)} concurrent publications, {sum(c == 0 for *_, c in outcomes)} completed")
