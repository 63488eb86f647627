"""The staged store (``iku_pipeline/store.py``) and the IO manager on it: types come back
exactly, a step reads only the columns it declares, a write is all or nothing."""

import dataclasses
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from iku_pipeline import store
from iku_pipeline.indicators.compute import COLUMNS
from iku_pipeline.definitions import defs
from iku_pipeline.io import YearPickleIOManager
from iku_pipeline.sources.parsers import KELURAHAN_DTYPE, TEXT
from iku_pipeline.sources.reference import load_jenis_layanan
from iku_pipeline.resources import IkuPaths, Warehouse
from iku_pipeline.sources.specs import SOURCE_ORDER, SOURCES
from iku_pipeline.sources.validate import KEY, Staged, empty_rejected, stage_source
from iku_pipeline.store import REFERENCE_COLUMNS, read_staged, write_pickle, write_staged
from iku_pipeline_tests import test_compute
from iku_pipeline_tests.test_pipeline import run_year, table

SAMPLE = Path(__file__).resolve().parent.parent / "data"
KILLS = int(os.environ.get("IKU_STORE_KILLS", "8"))


def stage_sample(tahun: int) -> dict[str, Staged]:
    jenis = load_jenis_layanan(SAMPLE / "reference")
    staged = {}
    for name in SOURCE_ORDER:
        spec = SOURCES[name]
        refs = {r.source: staged[r.source] for r in spec.references}
        staged[name] = stage_source(
            spec, SAMPLE / "raw" / name / str(tahun), tahun, b"kunci-uji", refs,
            jenis if name == "layanan" else None,
        )  # fmt: skip
    return staged


@pytest.fixture(scope="module")
def sample() -> dict[int, dict[str, Staged]]:
    """The bundled sample's 2021 (konflik not delivered: a typed-empty frame) and 2023."""
    return {tahun: stage_sample(tahun) for tahun in (2021, 2023)}


def assert_same(a: Staged, b: Staged, columns=None) -> None:
    expected = a.accepted if columns is None else a.accepted[list(columns)]
    # dtypes, categories and their order (check_category_order) included
    pd.testing.assert_frame_equal(expected, b.accepted, check_exact=True)
    pd.testing.assert_frame_equal(a.rejected, b.rejected, check_exact=True)
    assert (a.sumber, a.tahun, a.delivered, a.files, a.info) == (
        b.sumber, b.tahun, b.delivered, b.files, b.info,
    )  # fmt: skip


# ---------------------------------------------------------------- round trip


def test_every_staged_source_of_the_sample_round_trips_exactly(sample, tmp_path):
    assert not sample[2021]["konflik"].delivered  # the typed-empty frame is among them
    kinds = set()
    for tahun, staged in sample.items():
        for name, s in staged.items():
            path = tmp_path / name / f"{tahun}.pickle"
            write_staged(path, s)
            back = read_staged(path)
            assert_same(s, back)
            kinds |= {str(t) for t in back.accepted.dtypes}
    # every kind of staged column went through
    assert {"string", "category", "Int64", "Float64", "bool", "datetime64[ns]", "int64"} <= kinds
    empty = read_staged(tmp_path / "konflik" / "2021.pickle").accepted
    assert len(empty) == 0 and empty["kelurahan"].dtype == KELURAHAN_DTYPE
    assert list(empty["kelurahan"].cat.categories) == list(KELURAHAN_DTYPE.categories)


def test_types_nulls_and_unused_categories_round_trip(tmp_path):
    n = 6
    accepted = pd.DataFrame(
        {
            "teks": pd.Series(["a", None, "c", "", "e", "f"], dtype=TEXT),
            "kosong": pd.Series([pd.NA] * n, dtype=TEXT),
            "kelurahan": pd.Series(["Purwosari"] * n, dtype=KELURAHAN_DTYPE),  # 3 unused
            "urut": pd.Categorical(["b", "a", None, "b", "a", "a"], categories=["z", "b", "a"]),
            "bulat": pd.array([1, None, 3, 4, None, 6], dtype="Int64"),
            "pecahan": pd.array([1.5, None, 3.25, 0.0, None, 6.0], dtype="Float64"),
            "status": pd.array([True, None, False, True, None, False], dtype="boolean"),
            "diproses": np.array([True, False, True, True, False, False]),
            "tanggal": pd.to_datetime(
                ["2023-01-02", None, "2023-12-31", None, "2262-04-11", "1900-01-01"]
            ),
            "_baris": np.arange(2, n + 2, dtype="int64"),
        }
    )
    s = Staged("uji", 2023, True, accepted, empty_rejected(), info={"x": {"y": 1}})
    write_staged(tmp_path / "2023.pickle", s)
    assert_same(s, read_staged(tmp_path / "2023.pickle"))
    for empty in (accepted.iloc[:0], accepted.iloc[:0].reset_index(drop=True)):
        e = dataclasses.replace(s, accepted=empty, delivered=False)
        write_staged(tmp_path / "2022.pickle", e)
        assert_same(e, read_staged(tmp_path / "2022.pickle"))


def test_text_comes_back_as_arrow_text_on_the_mapped_file(tmp_path):
    text = pd.Series([f"nilai teks nomor {i:08d}" for i in range(200_000)], dtype=TEXT)
    s = Staged("uji", 2023, True, pd.DataFrame({"teks": text}), empty_rejected())
    write_staged(tmp_path / "2023.pickle", s)
    before = pa.total_allocated_bytes()
    back = read_staged(tmp_path / "2023.pickle", ["teks"]).accepted["teks"]
    assert back.dtype == TEXT
    assert pa.total_allocated_bytes() - before < 100_000  # not a copy of its ~5 MB
    assert back.array._pa_array.equals(text.array._pa_array)


# ---------------------------------------------------------------- projection


def test_projection_reads_only_the_asked_columns(sample, tmp_path):
    s = sample[2023]["pbb_dhkp"]
    path = tmp_path / "2023.pickle"
    write_staged(path, s)
    wanted = ["nop", "kelurahan", "pbb_terhutang"]
    back = read_staged(path, wanted)
    assert list(back.accepted.columns) == wanted
    assert_same(s, back, wanted)
    assert_same(s, read_staged(path, list(reversed(wanted))), list(reversed(wanted)))
    with pytest.raises(KeyError, match="tidak_ada"):
        read_staged(path, ["nop", "tidak_ada"])


def test_no_columns_keeps_the_row_count_and_reads_no_arrow_file(sample, tmp_path):
    s = sample[2023]["layanan"]
    path = tmp_path / "2023.pickle"
    write_staged(path, s)
    for arrow in tmp_path.glob("*.arrow"):
        arrow.unlink()  # a read without columns does not open it
    back = read_staged(path, [])
    assert len(back.accepted) == len(s.accepted) > 0 and back.accepted.columns.empty
    assert back.rows_read == len(back.accepted) + len(back.rejected)
    pd.testing.assert_frame_equal(back.rejected, s.rejected)


def test_other_values_stay_pickles(tmp_path):
    write_pickle(tmp_path / "2023.pickle", {"nilai": [1, 2]})
    assert store.read_value(tmp_path / "2023.pickle", ["ignored"]) == {"nilai": [1, 2]}
    with pytest.raises(TypeError):
        read_staged(tmp_path / "2023.pickle")


# ---------------------------------------------------------------- atomic writes


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


def test_interrupted_write_leaves_the_old_value_and_no_orphans(sample, tmp_path, monkeypatch):
    old, new = sample[2023]["konflik"], sample[2023]["musrenbang_ba"]
    path = tmp_path / "2023.pickle"
    write_staged(path, old)

    def killed(*args, **kwargs):  # the Arrow file is written, the pickle not yet replaced
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "_commit_pickle", killed)
    with pytest.raises(KeyboardInterrupt):
        write_staged(path, new)
    monkeypatch.undo()
    assert len(files(tmp_path)) == 3  # the pickle, its Arrow file, the new one not named
    assert_same(old, read_staged(path))
    (tmp_path / ".2023.pickle.tmp-left-by-a-kill").write_bytes(b"half")

    write_staged(path, new)
    assert_same(new, read_staged(path))
    remaining = files(tmp_path)
    assert len(remaining) == 2 and remaining[-1] == "2023.pickle"  # one Arrow file, named
    write_staged(path, old)
    write_staged(tmp_path / "2024.pickle", old)  # another year's files are its own
    assert len(files(tmp_path)) == 4
    assert_same(old, read_staged(path))


def test_killed_writer_leaves_a_complete_value(tmp_path):
    path, rows = tmp_path / "2023.pickle", 300_000
    child = [sys.executable, "-m", "iku_pipeline_tests.store_writer_child", str(path), str(rows)]
    assert subprocess.run([*child, "1"], timeout=120).returncode == 0
    rng = random.Random(2023)
    for k in range(KILLS):
        proc = subprocess.Popen([*child, "1000"], stdout=subprocess.PIPE, start_new_session=True)
        proc.stdout.readline()  # killed after its first write, at a random point
        time.sleep(rng.uniform(0.0, 0.4))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        s = read_staged(path)
        i = s.info["i"]
        assert len(s.accepted) == rows + i, k
        assert (s.accepted["i"] == i).all(), k
        assert s.accepted["teks"].iloc[-1] == f"baris {rows + i - 1:07d}"
        assert len(files(tmp_path)) <= 4  # at most what one killed write left behind
    assert subprocess.run([*child, "1"], timeout=120).returncode == 0
    assert len(files(tmp_path)) == 2
    print(f"store: {KILLS} kills survived")


# ---------------------------------------------------------------- who reads what


def test_references_need_only_the_declared_columns(put, stage_year, raw_dir):
    """Staging a referencing source against its reference projected to
    REFERENCE_COLUMNS gives what it gives against the whole reference."""
    put("musrenbang_usulan", "usulan.csv", test_compute.USULAN)
    put("musrenbang_ba", "ba.csv", test_compute.BA)
    put("pbb_dhkp", "dhkp.csv", test_compute.DHKP)
    put("pbb_pembayaran", "bayar_s1.csv", test_compute.BAYAR_S1)
    put("pbb_pembayaran", "bayar_s2.csv", test_compute.BAYAR_S2)
    put(
        "pbb_pembayaran",
        "bayar_s3.csv",  # this year's tax of an object not on the roll
        "No Transaksi;NOP;Tanggal Bayar;Jumlah Bayar;Tahun Pajak\n"
        "T-10;18.72.030.009.001-0001.0;01/09/2023;10.000;2023\n",
    )
    staged = stage_year()
    assert REFERENCE_COLUMNS == (KEY,)
    for name in ("musrenbang_ba", "pbb_pembayaran"):
        spec = SOURCES[name]
        (ref,) = spec.references
        target = staged[ref.source]
        keys_only = dataclasses.replace(target, accepted=target.accepted[list(REFERENCE_COLUMNS)])
        folder = raw_dir / name / "2023"
        again = stage_source(spec, folder, 2023, b"kunci-uji", {ref.source: keys_only})
        assert again.rejected["alasan"].str.contains("tidak ada dalam").any()
        assert_same(staged[name], again)


class RecordingIOManager(YearPickleIOManager):
    """Records which columns each step asked of each staged source."""

    def load(self, context, columns):
        LOADS.append((context.step_context.step.key, context.asset_key.to_user_string(), columns))
        return super().load(context, columns)


LOADS: list[tuple[str, str, list | None]] = []


def test_backfill_run_loads_only_the_declared_columns(data_dir, tmp_path):
    """A two-year run (2022: nothing delivered; 2023: the fixtures) as one run: every
    year is published, and each step loads of a staged source only what it declares."""
    LOADS.clear()
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("iku_tahunan").execute_in_process(
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": "2022",
                "dagster/asset_partition_range_end": "2023",
            },
            resources={
                "paths": IkuPaths(data_dir=str(data_dir), output_dir=str(data_dir / "published")),
                "warehouse": Warehouse(database_url=url),
                "io_manager": RecordingIOManager(base_dir=str(tmp_path / "store")),
            },
        )
    assert result.success
    for tahun in (2022, 2023):
        assert len(table(url, "realisasi_iku", tahun)) == 40
    one_year = f"sqlite:///{tmp_path / 'w1.sqlite'}"
    assert run_year(data_dir, one_year, "2023").success
    cols = ["kode", "wilayah", "pembilang", "penyebut", "nilai"]
    keys = {"realisasi_iku": cols[:2], "baris_ditolak": ["sumber", "berkas", "baris"]}
    for name, key in keys.items():
        a, b = table(url, name, 2023), table(one_year, name, 2023)
        keep = [c for c in a.columns if c not in ("run_id", "dipublikasikan")]
        pd.testing.assert_frame_equal(
            a[keep].sort_values(key).reset_index(drop=True),
            b[keep].sort_values(key).reset_index(drop=True),
        )

    staged_loads = [(step, key, c) for step, key, c in LOADS if key.startswith("staging/")]
    by_step: dict[str, dict[str, list | None]] = {}
    for step, key, c in staged_loads:
        by_step.setdefault(step, {})[key.removeprefix("staging/")] = c
    assert by_step["indicators__iku"] == {n: list(c) for n, c in COLUMNS.items()}
    assert by_step["staging__musrenbang_ba"] == {"musrenbang_usulan": list(REFERENCE_COLUMNS)}
    assert by_step["staging__pbb_pembayaran"] == {"pbb_dhkp": list(REFERENCE_COLUMNS)}
    assert by_step["warehouse_tables"] == dict.fromkeys(SOURCES, [])
    for name in SOURCES:
        for check in ("baris_seimbang", "berkas_terbaca", "penolakan_wajar"):
            assert by_step[f"staging__{name}_{check}"] == {name: []}
    assert all(c is not None for _, _, c in staged_loads)  # nobody loads every column
