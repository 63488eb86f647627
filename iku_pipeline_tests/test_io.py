"""Stored intermediate values (``iku_pipeline/io.py``): plain Arrow and JSON files whose
types come back exactly, a step reads only the columns it declares, a write is all or
nothing, and no Python object is pickled."""

import dataclasses
import json
import os
import random
import signal
import time
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from upath import UPath

from iku_pipeline.definitions import defs
from iku_pipeline.indicators.compute import COLUMNS
from iku_pipeline.io import YearFilesIOManager, read_frame
from iku_pipeline.model import KEY, SourceReport, Staged
from iku_pipeline.resources import IkuPaths, Warehouse
from iku_pipeline.sources.parsers import TEXT
from iku_pipeline.sources.reference import load_jenis_layanan
from iku_pipeline.sources.specs import SOURCE_ORDER, SOURCES
from iku_pipeline.sources.validate import stage_source
from iku_pipeline_tests import test_compute
from iku_pipeline_tests.common import WILAYAH
from iku_pipeline_tests.forking import ForkServer
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
            jenis if name == "layanan" else None, wilayah=WILAYAH)  # fmt: skip
    return staged


@pytest.fixture(scope="module")
def sample() -> dict[int, dict[str, Staged]]:
    """The bundled sample's 2021 (konflik not delivered: a typed-empty frame) and 2023."""
    return {tahun: stage_sample(tahun) for tahun in (2021, 2023)}


def store(folder: Path, value, tahun: int = 2023) -> Path:
    YearFilesIOManager().dump_to_path(None, value, UPath(folder) / str(tahun))
    return folder / f"{tahun}.arrow"


def assert_frames(a: pd.DataFrame, b: pd.DataFrame) -> None:
    # dtypes, categories and their order (check_category_order) included
    pd.testing.assert_frame_equal(a, b, check_exact=True)


# ---------------------------------------------------------------- round trip


def test_every_staged_part_of_the_sample_round_trips_exactly(sample, tmp_path):
    """A source-year is stored as three files a person can open, each read back exactly."""
    assert not sample[2021]["konflik"].diserahkan  # the typed-empty frame is among them
    kinds = set()
    for tahun, staged in sample.items():
        for name, s in staged.items():
            folder = tmp_path / name
            YearFilesIOManager().dump_to_path(None, s, UPath(folder) / str(tahun))
            assert_frames(s.diterima, read_frame(folder / "diterima" / f"{tahun}.arrow"))
            assert_frames(s.ditolak, read_frame(folder / "ditolak" / f"{tahun}.arrow"))
            report = json.loads((folder / "laporan" / f"{tahun}.json").read_text(encoding="utf-8"))
            assert SourceReport.from_json(report) == s.laporan
            kinds |= {str(t) for t in s.diterima.dtypes}
    # every kind of staged column went through
    assert {"string", "category", "Int64", "Float64", "bool", "datetime64[ns]", "int64"} <= kinds
    empty = read_frame(tmp_path / "konflik" / "diterima" / "2021.arrow")
    assert len(empty) == 0 and empty["kelurahan"].dtype == WILAYAH.dtype
    assert list(empty["kelurahan"].cat.categories) == list(WILAYAH.names)


def test_types_nulls_and_unused_categories_round_trip(tmp_path):
    n = 6
    frame = pd.DataFrame(
        {
            "teks": pd.Series(["a", None, "c", "", "e", "f"], dtype=TEXT),
            "kosong": pd.Series([pd.NA] * n, dtype=TEXT),
            "kelurahan": pd.Series(["Purwosari"] * n, dtype=WILAYAH.dtype),  # 3 unused
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
    assert_frames(frame, read_frame(store(tmp_path, frame)))
    for empty in (frame.iloc[:0], frame.iloc[:0].reset_index(drop=True)):
        assert_frames(empty.reset_index(drop=True), read_frame(store(tmp_path, empty, 2022)))


def test_text_comes_back_as_arrow_text_on_the_mapped_file(tmp_path):
    text = pd.Series([f"nilai teks nomor {i:08d}" for i in range(200_000)], dtype=TEXT)
    path = store(tmp_path, pd.DataFrame({"teks": text}))
    before = pa.total_allocated_bytes()
    back = read_frame(path, ["teks"])["teks"]
    assert back.dtype == TEXT
    assert pa.total_allocated_bytes() - before < 100_000  # not a copy of its ~5 MB
    assert back.array._pa_array.equals(text.array._pa_array)


def test_a_copied_column_keeps_no_mapping_of_the_file(tmp_path):
    # A column copied when read (here nullable integers: pandas builds their values and
    # mask itself) is read from a mapping let go at once: the file's pages it touched
    # must not stay in memory beside the copy. Text, read without a copy, keeps the file
    # mapped, and only while it is held.
    maps = Path("/proc/self/maps")
    if not maps.exists():
        pytest.skip("needs /proc/self/maps (Linux)")
    n = 1_000
    frame = pd.DataFrame(
        {
            "teks": pd.Series([f"t{i}" for i in range(n)], dtype=TEXT),
            "bulat": pd.array(range(n), dtype="Int64"),
            "tanggal": pd.to_datetime(["2023-01-02"] * n),
            "kelurahan": pd.Series(["Purwosari"] * n, dtype=WILAYAH.dtype),
        }
    )
    path = store(tmp_path, frame).resolve()

    def mappings() -> int:
        return sum(line.endswith(str(path)) for line in maps.read_text().splitlines())

    copied = read_frame(path, ["bulat"])
    assert_frames(frame[["bulat"]], copied)
    assert mappings() == 0
    both = read_frame(path)
    assert_frames(frame, both)
    assert mappings() >= 1  # the text's
    del both
    assert mappings() == 0


def test_values_are_plain_files_no_pickle(sample, tmp_path):
    """Other tools open them: Arrow IPC and JSON, nothing of Python's."""
    s = sample[2023]["layanan"]
    path = store(tmp_path, s.diterima)
    with pa.memory_map(str(path)) as f:
        assert pa.ipc.open_file(f).read_all().num_rows == len(s.diterima)
    assert not list(tmp_path.glob("*.pickle")) and not list(tmp_path.glob(".*"))


# ---------------------------------------------------------------- projection


def test_projection_reads_only_the_asked_columns(sample, tmp_path):
    s = sample[2023]["pbb_dhkp"]
    path = store(tmp_path, s.diterima)
    wanted = ["nop", "kelurahan", "pbb_terhutang"]
    assert_frames(s.diterima[wanted], read_frame(path, wanted))
    assert_frames(s.diterima[wanted[::-1]], read_frame(path, wanted[::-1]))
    with pytest.raises(KeyError, match="tidak_ada"):
        read_frame(path, ["nop", "tidak_ada"])
    counted = read_frame(path, [])  # no column: only the number of rows
    assert len(counted) == len(s.diterima) > 0 and counted.columns.empty


# ---------------------------------------------------------------- atomic writes


def test_interrupted_write_leaves_the_old_value_and_no_temporary_file(sample, tmp_path, monkeypatch):
    old, new = sample[2023]["konflik"].diterima, sample[2023]["layanan"].diterima
    path = store(tmp_path, old)

    def killed(*args, **kwargs):  # the new file is half written
        raise KeyboardInterrupt

    monkeypatch.setattr("iku_pipeline.io._write_arrow", killed)
    with pytest.raises(KeyboardInterrupt):
        store(tmp_path, new)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023.arrow"]
    assert_frames(old, read_frame(path))
    store(tmp_path, new)
    assert_frames(new, read_frame(path))


def test_killed_writer_leaves_a_complete_value(tmp_path):
    rows = 300_000
    # Writers forked from one parent that imported them: each writes at once.
    with ForkServer("iku_pipeline_tests.store_writer_child") as fork:
        assert fork.start([tmp_path, rows, 1], tag="first").wait() == 0
        rng = random.Random(2023)
        for k in range(KILLS):
            child = fork.start([tmp_path, rows, 1000], tag=f"kill{k}")
            assert child.readline().startswith("stored ")  # killed after its first write,
            time.sleep(rng.uniform(0.0, 0.4))  # at a random point
            os.killpg(child.pid, signal.SIGKILL)
            assert child.wait() == -signal.SIGKILL
            _assert_whole_value(tmp_path, rows, k)
        assert fork.start([tmp_path, rows, 1], tag="last").wait() == 0
    # What a killed write left (its temporary file) never replaces a value.
    assert "2023.arrow" in {p.name for p in tmp_path.iterdir()}
    print(f"stored values: {KILLS} kills survived")


def _assert_whole_value(tmp_path: Path, rows: int, k: int) -> None:
    """The stored value is one write's, whole."""
    frame = read_frame(tmp_path / "2023.arrow")
    i = int(frame["i"].iloc[0])
    assert len(frame) == rows + i, k
    assert (frame["i"] == i).all(), k
    assert frame["teks"].iloc[-1] == f"baris {rows + i - 1:07d}"


# ---------------------------------------------------------------- who reads what


def test_references_need_only_the_key_column(put, stage_year, raw_dir):
    """Staging a referencing source against its reference's key column alone (what its
    step loads) gives what it gives against the whole reference."""
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
    for name in ("musrenbang_ba", "pbb_pembayaran"):
        spec = SOURCES[name]
        (ref,) = spec.references
        target = staged[ref.source]
        keys_only = dataclasses.replace(target, diterima=target.diterima[[KEY]])
        folder = raw_dir / name / "2023"
        again = stage_source(
            spec, folder, 2023, b"kunci-uji", {ref.source: keys_only}, wilayah=WILAYAH
        )
        assert again.ditolak["alasan"].str.contains("tidak ada dalam").any()
        assert_frames(staged[name].diterima, again.diterima)
        assert_frames(staged[name].ditolak, again.ditolak)


LOADS: list[tuple[str, str, list | None]] = []


class RecordingIOManager(YearFilesIOManager):
    """Records which columns each step read of each stored value (of a source: of each
    part, ``sumber/<sumber>/<part>``)."""

    def load_stored(self, context, path, key, columns):
        name = context.asset_key.to_user_string()
        if name.startswith("sumber/"):
            name += "/" + path.parent.name
        LOADS.append((context.step_context.step.key, name, columns))
        return super().load_stored(context, path, key, columns)


def test_backfill_run_loads_only_the_declared_columns(data_dir, tmp_path):
    """A two-year run (2022: nothing delivered; 2023: the fixtures) as one run: every
    year is published as a one-year run publishes it, and each step loads of a source's
    accepted rows only the columns it declares."""
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
                "io_manager": RecordingIOManager(base_path=UPath(tmp_path / "store")),
            },
        )
    assert result.success
    for tahun in (2022, 2023):
        assert len(table(url, "realisasi_iku", tahun)) == 40
    assert (tmp_path / "store" / "sumber" / "layanan" / "diterima" / "2023.arrow").is_file()
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

    accepted = [(step, key, c) for step, key, c in LOADS if key.endswith("/diterima")]
    by_step: dict[str, dict[str, list | None]] = {}
    for step, key, c in accepted:
        by_step.setdefault(step, {})[key.split("/")[1]] = c
    assert by_step.pop("indikator") == {n: list(c) for n, c in COLUMNS.items()}
    assert by_step.pop("sumber__musrenbang_ba") == {"musrenbang_usulan": [KEY]}
    assert by_step.pop("sumber__pbb_pembayaran") == {"pbb_dhkp": [KEY]}
    assert by_step == {}  # publishing and the checks load no accepted row
    assert all(c is not None for _, _, c in accepted)  # nobody loads every column
