"""Publishing survives being killed and running beside itself (docs/data-contract.md §5).

A year in the warehouse is always the previous complete publication or the new one,
never a mix or nothing; concurrent runs complete or fail clearly, losing and
duplicating nothing. ``IKU_RELIABILITY_KILLS`` sets how many kills (default 20).
"""

import os
import random
import signal
import subprocess
import sys
import time

import pandas as pd
import sqlalchemy as sa

from iku_pipeline.publish.warehouse import YEAR_TABLES, make_engine
from iku_pipeline_tests.publisher_child import REJECTED_ROWS

KILLS = int(os.environ.get("IKU_RELIABILITY_KILLS", "20"))
CHILD = [sys.executable, "-m", "iku_pipeline_tests.publisher_child"]


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


def publish(url: str, tahun: int, run_id: str, loops: int = 1) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CHILD, url, str(tahun), run_id, str(loops)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_killed_publication_leaves_the_previous_or_the_new_year(warehouse_url):
    assert publish(warehouse_url, 2023, "awal").returncode == 0
    previous = assert_whole(warehouse_url, 2023)
    rng = random.Random(20231)
    changed = 0
    for k in range(KILLS):
        child = subprocess.Popen(
            [*CHILD, warehouse_url, "2023", f"kill{k}", "50"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # Start-up takes longer than a publication: kill at a random point after the
        # child's first commit, while it is deleting, inserting or committing again.
        child.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.6))
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        now = assert_whole(warehouse_url, 2023)
        changed += now != previous
        assert now.startswith(f"kill{k}-")
        previous = now
    assert changed == KILLS  # every child committed at least once before its kill
    assert publish(warehouse_url, 2023, "sesudah").returncode == 0
    assert assert_whole(warehouse_url, 2023) == "sesudah-0"
    print(f"reliability: {KILLS} kills survived")


def test_two_years_and_the_same_year_published_at_once(warehouse_url):
    publish(warehouse_url, 2022, "siap")  # tables exist before the race
    runs = [(2022, "a"), (2023, "b"), (2023, "c"), (2022, "d")]
    children = [
        subprocess.Popen(
            [*CHILD, warehouse_url, str(t), r, "3"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for t, r in runs
    ]
    outcomes = [c.communicate(timeout=300) + (c.returncode,) for c in children]
    for (tahun, run), (out, err, code) in zip(runs, outcomes, strict=True):
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
