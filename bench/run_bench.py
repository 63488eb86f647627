"""The benchmark (``make bench SCALE=<size>``): the pipeline's core against DuckDB.

For a scale (see ``generate_scale.SCALES``) it

1. generates the year's extracts (cached under ``bench/.cache/<scale>/``) and, for the
   DuckDB reference, a CSV conversion of each XLSX made once, outside any timing;
2. runs the core once — every source in the contract's order through
   ``stage_source`` (reading, validating, tracing every rejected row) and stored as the
   ingest assets store it (``iku_pipeline/io.py``: accepted and rejected rows as Arrow
   files, the report as JSON, in a temporary folder beside the data, removed
   afterwards), then ``compute_year`` on the columns it declares, loaded as the
   indicator asset loads them — and the DuckDB reference once, and checks that both
   give the same pembilang and penyebut for every kode × wilayah, the same rejected
   rows per source, the same supplementary figures (4_selesai, 3_nominal) and the same §3 report
   figures; any difference stops the benchmark, listing the differing values. The
   store's write and read seconds are among the core's per-step figures;
3. times both in this process, alternating core and DuckDB, for several rounds, and
   reports the medians; publishing (``replace_year`` into a temporary SQLite file) is
   timed separately, after each core round;
4. measures the core's peak memory in a fresh child process;
5. times the pipeline end to end on the sample data with the Dagster CLI: one year
   against a trivial one-asset Dagster run and against the same graph with no work in
   its steps (``bench/floor_defs.py``: what Dagster alone costs for this graph, the
   floor no work inside the steps can go under), and the 2021–2025 single-run backfill
   against one year;
6. times one generated kota year through the CLI (``dagster job execute iku_tahunan``
   on ``bench/.cache/kota/data``, the whole job: steps, stored values, publishing, the
   files), printed beside the core's seconds: what the Dagster shell costs at a real size.

The last line printed is ``bench: scale=… core_s=… duckdb_s=… ratio=… peak_rss_mb=…
e2e_ratio=… backfill_ratio=… e2e_pg_ratio=… floor_ratio=…`` (the end-to-end ratios
``nan`` when not measured). ``e2e_ratio`` is on a default (SQLite) instance;
``e2e_pg_ratio`` the same pair on the office server's instance, ``deploy/dagster.yaml``
on PostgreSQL, when a server is reachable (``IKU_BENCH_PG_HOST``, default 127.0.0.1);
``floor_ratio`` the graph with no work against the trivial run, on SQLite.

    python -m bench.run_bench --scale kota
    pyinstrument -r text -m bench.run_bench --scale kota --core-once   # profile the core
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing as mp
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bench import duckdb_reference, generate_scale

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "iku_pipeline_tests" / "fixtures" / "data"
TAHUN = generate_scale.TAHUN
HASH_KEY = b"bench-hash-key"
DEFAULT_ROUNDS = {"kecamatan": 5, "kota": 3, "provinsi": 1}
E2E_YEAR = "2023"
E2E_RANGE = "2021...2025"


# ---------------------------------------------------------------- the core


@dataclass
class CoreRun:
    staged: dict  # each source as the publish step loads it: files, rejected rows, counts
    result: object  # IkuTahun
    seconds: float
    # seconds per source (stage_source), writing and reading the staged store, and
    # compute_year; then, outside ``seconds``, reading the sources as publish does
    steps: dict[str, float]


def run_core(data_dir: Path, tahun: int = TAHUN) -> CoreRun:
    """Read, validate, store and compute one year as the ingest and indicator assets do
    (``iku_pipeline/assets/ingest.py``, ``indicators.py``), without Dagster.

    Each source is staged, its three values written by the assets' IO manager
    (``iku_pipeline/io.py``) and let go; a referencing source loads the key column of
    the one it refers to, and ``compute_year`` each source's declared columns
    (``COLUMNS``)."""
    from upath import UPath

    from iku_pipeline.indicators.compute import COLUMNS
    from iku_pipeline.indicators.year import compute_year
    from iku_pipeline.io import YearFilesIOManager, read_frame
    from iku_pipeline.model import KEY, SourceReport, Staged
    from iku_pipeline.sources.reference import load_jenis_layanan, load_wilayah
    from iku_pipeline.sources.specs import SOURCES
    from iku_pipeline.sources.memory import release_memory
    from iku_pipeline.sources.validate import stage_source

    # Beside the data, not in /tmp: a tmpfs there would hold the store in memory.
    store = Path(tempfile.mkdtemp(prefix="store-", dir=data_dir.parent))
    io = YearFilesIOManager()

    def put(name: str, part: str, value) -> None:
        io.dump_to_path(None, value, UPath(store / name / part / str(tahun)))

    def staged_of(name: str, columns: list[str]) -> Staged:
        report = json.loads((store / name / "laporan" / f"{tahun}.json").read_bytes())
        diterima = read_frame(store / name / "diterima" / f"{tahun}.arrow", columns)
        ditolak = read_frame(store / name / "ditolak" / f"{tahun}.arrow") if not columns else None
        return Staged(SourceReport.from_json(report), diterima, ditolak)

    try:
        start = time.perf_counter()
        jenis = load_jenis_layanan(data_dir / "reference")
        wilayah = load_wilayah(data_dir / "reference")
        steps: dict[str, float] = {}
        write_s = read_s = 0.0
        for spec in SOURCES.values():
            t0 = time.perf_counter()
            refs = {r.source: staged_of(r.source, [KEY]) for r in spec.references}
            t1 = time.perf_counter()
            staged = stage_source(
                spec,
                data_dir / "raw" / spec.name / str(tahun),
                tahun,
                HASH_KEY,
                refs,
                jenis if spec.name == "layanan" else None,
                root=data_dir,
                wilayah=wilayah,
            )
            t2 = time.perf_counter()
            put(spec.name, "diterima", staged.diterima)
            put(spec.name, "ditolak", staged.ditolak)
            put(spec.name, "laporan", staged.laporan.to_json())
            del staged, refs
            # The next step starts clean, as it does in its own process when a large
            # year runs under the multiprocess job (iku_tahunan_paralel).
            release_memory()
            t3 = time.perf_counter()
            read_s += t1 - t0
            steps[spec.name] = t2 - t1
            write_s += t3 - t2
        t0 = time.perf_counter()
        loaded = {name: staged_of(name, list(COLUMNS[name])) for name in SOURCES}
        t1 = time.perf_counter()
        result = compute_year(loaded, tahun, wilayah)
        del loaded
        t2 = time.perf_counter()
        seconds = t2 - start
        steps["store_write"] = write_s
        steps["store_read"] = read_s + (t1 - t0)
        steps["compute_year"] = t2 - t1
        # What the publish step loads: reports and rejected rows (the row count of the
        # accepted rows only for the balance check below).
        staged = {name: staged_of(name, []) for name in SOURCES}
        for name, s in staged.items():
            s.ditolak = read_frame(store / name / "ditolak" / f"{tahun}.arrow")
        steps["store_read_for_publish"] = time.perf_counter() - t2
    finally:
        shutil.rmtree(store, ignore_errors=True)
    failed = [f"{s.sumber}/{f.berkas}: {f.gagal}" for s in staged.values() for f in s.laporan.gagal]
    if failed:
        raise SystemExit("the core could not read generated files:\n  " + "\n  ".join(failed))
    return CoreRun(staged, result, seconds, steps)


def publish(run: CoreRun, url: str) -> float:
    """Seconds to build the published frames and replace the year in the warehouse."""
    from iku_pipeline.indicators.year import publication_log, rejected_rows
    from iku_pipeline.publish.warehouse import make_engine, replace_year

    engine = make_engine(url)
    try:
        start = time.perf_counter()
        frames = {
            "realisasi_iku": run.result.realisasi,
            "realisasi_tambahan": run.result.tambahan,
            "baris_ditolak": rejected_rows(s.ditolak for s in run.staged.values()),
            "riwayat_publikasi": publication_log({n: s.laporan for n, s in run.staged.items()}),
        }
        replace_year(engine, run.result.tahun, frames, run_id="bench")
        return time.perf_counter() - start
    finally:
        engine.dispose()


def run_reference(data_dir: Path, xlsx_csv: Path) -> tuple[duckdb_reference.Reference, float]:
    start = time.perf_counter()
    ref = duckdb_reference.compute(data_dir, TAHUN, xlsx_csv)
    return ref, time.perf_counter() - start


# ---------------------------------------------------------------- equality


def core_figures(run: CoreRun) -> dict:
    """The core's values in the reference's shape (and its time)."""
    columns = ["kode", "wilayah", "pembilang", "penyebut"]
    nominal = run.result.tambahan[run.result.tambahan["kode"].eq("3_nominal")]
    realisasi = pd.concat([run.result.realisasi[columns], nominal[columns]], ignore_index=True)
    # IKU 4's share in the reference's shape: activities (penyebut), those Selesai (pembilang).
    selesai = run.result.tambahan[run.result.tambahan["kode"].eq("4_selesai")]
    tambahan = selesai.rename(columns={"penyebut": "kegiatan", "pembilang": "kegiatan_selesai"})[
        ["wilayah", "kegiatan", "kegiatan_selesai"]
    ]
    for s in run.staged.values():
        assert s.laporan.dibaca == len(s.diterima) + len(s.ditolak), f"{s.sumber}: rows don't add up"
    return {
        "realisasi": realisasi.reset_index(drop=True),
        "read": {name: s.laporan.dibaca for name, s in run.staged.items()},
        "rejected": {name: len(s.ditolak) for name, s in run.staged.items()},
        "tambahan": tambahan.reset_index(drop=True),
        "laporan": run.result.laporan,
        "seconds": run.seconds,
        "steps": run.steps,
    }


def differences(core: dict, ref: duckdb_reference.Reference) -> list[str]:
    """Every value on which the core's figures and the reference differ (empty: agree)."""
    out = []
    keys = ["kode", "wilayah"]
    merged = core["realisasi"].merge(
        ref.realisasi, on=keys, how="outer", suffixes=("_core", "_duckdb"), indicator=True
    )
    for col in ("pembilang", "penyebut"):
        a, b = merged[f"{col}_core"], merged[f"{col}_duckdb"]
        differ = (a.isna() != b.isna()) | (a.notna() & b.notna() & (a != b)).fillna(False)
        for _, row in merged[differ | merged["_merge"].ne("both")].iterrows():
            out.append(
                f"realisasi_iku kode {row.kode} {row.wilayah}: {col} "
                f"core={row[f'{col}_core']} duckdb={row[f'{col}_duckdb']}"
            )
    for what in ("read", "rejected"):
        for source in duckdb_reference.SOURCE_ORDER:
            a, b = core[what].get(source), getattr(ref, what).get(source)
            if a != b:
                out.append(f"rows {what} {source}: core={a} duckdb={b}")
    merged = core["tambahan"].merge(ref.tambahan, on="wilayah", suffixes=("_core", "_duckdb"))
    for col in ("kegiatan", "kegiatan_selesai"):
        a, b = merged[f"{col}_core"], merged[f"{col}_duckdb"]
        differ = (a.isna() != b.isna()) | (a.notna() & b.notna() & (a != b)).fillna(False)
        for _, row in merged[differ].iterrows():
            out.append(
                f"realisasi_tambahan {row.wilayah}: {col} "
                f"core={row[f'{col}_core']} duckdb={row[f'{col}_duckdb']}"
            )
    for name in sorted(set(core["laporan"]) | set(ref.laporan)):
        a, b = core["laporan"].get(name) or {}, ref.laporan.get(name) or {}
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                out.append(f"laporan {name} {k!r}: core={a.get(k)} duckdb={b.get(k)}")
    return out


# ---------------------------------------------------------------- peak memory


def _high_water_kb() -> int:
    """This process's peak resident set (kB). ``VmHWM`` rather than ``ru_maxrss``: on
    Linux a spawned child's ``ru_maxrss`` starts at its parent's size (it survives the
    fork and the exec), so it would report the benchmark's own memory."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child(target: str, data_dir: str, xlsx_csv: str, conn) -> None:
    import iku_pipeline.indicators.year  # noqa: F401  (imports before the baseline)
    import iku_pipeline.sources.validate  # noqa: F401

    baseline = _high_water_kb()
    if target == "core":
        seconds = run_core(Path(data_dir)).seconds
    else:
        seconds = run_reference(Path(data_dir), Path(xlsx_csv))[1]
    conn.send((seconds, baseline, _high_water_kb()))
    conn.close()


@dataclass
class Memory:
    peak_mb: float  # the process's peak resident set
    imports_mb: float  # of which the interpreter and imported libraries, before the run
    seconds: float


def peak_rss(target: str, data_dir: Path, xlsx_csv: Path) -> Memory:
    """Peak RSS of one core (or reference) run in a fresh process."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(target, str(data_dir), str(xlsx_csv), child))
    proc.start()
    child.close()
    try:
        seconds, baseline_kb, peak_kb = parent.recv()
    except EOFError:
        proc.join()
        raise SystemExit(f"the {target} child process died (exit code {proc.exitcode})") from None
    proc.join()
    return Memory(peak_kb / 1024, baseline_kb / 1024, seconds)


# ---------------------------------------------------------------- end to end


def sample_data() -> tuple[Path, str]:
    data = ROOT / "data"
    if (data / "raw").is_dir() and any(p.is_file() for p in (data / "raw").rglob("*")):
        return data, "data/ (the bundled sample extracts)"
    return FIXTURES, "iku_pipeline_tests/fixtures/data (data/raw was empty; only 2023 delivered)"


def _dagster(args: list[str], env: dict, label: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
        raise SystemExit(f"end-to-end run '{label}' failed (exit {proc.returncode}):\n{tail}")
    return seconds


def _fresh_instance(tmp: Path, data: Path) -> tuple[Path, dict]:
    """(DAGSTER_HOME, environment) of CLI runs on ``data`` with a new instance, warehouse
    and output folder in ``tmp``."""
    home = tmp / "dagster_home"
    home.mkdir()
    return home, {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "IKU_DATA_DIR": str(data),
        "IKU_DATABASE_URL": f"sqlite:///{tmp}/iku.sqlite",
        "IKU_OUTPUT_DIR": str(tmp / "published"),
        "IKU_HASH_KEY": HASH_KEY.decode(),
    }


# The office server's instance (deploy/dagster.yaml) on this machine's PostgreSQL.
PG_INSTANCE = {
    "DAGSTER_PG_HOST": os.environ.get("IKU_BENCH_PG_HOST", "127.0.0.1"),
    "DAGSTER_PG_PORT": os.environ.get("IKU_BENCH_PG_PORT", "5432"),
    "DAGSTER_PG_USER": os.environ.get("IKU_BENCH_PG_USER", "postgres"),
    "DAGSTER_PG_PASSWORD": os.environ.get("IKU_BENCH_PG_PASSWORD", ""),
}


def _pg_admin():
    """A connection to the PostgreSQL server of ``PG_INSTANCE`` (autocommit, for CREATE
    and DROP DATABASE), or the reason there is none."""
    import psycopg2

    try:
        conn = psycopg2.connect(
            host=PG_INSTANCE["DAGSTER_PG_HOST"], port=int(PG_INSTANCE["DAGSTER_PG_PORT"]),
            user=PG_INSTANCE["DAGSTER_PG_USER"], password=PG_INSTANCE["DAGSTER_PG_PASSWORD"],
            dbname="postgres", connect_timeout=3,
        )  # fmt: skip
    except psycopg2.OperationalError as e:
        return None, f"PostgreSQL not reachable at {PG_INSTANCE['DAGSTER_PG_HOST']}: {e}".strip()
    conn.autocommit = True
    return conn, None


def stored_events(home: Path, jobs: dict[str, str]) -> dict[str, int]:
    """The events the instance at ``home`` stored for the latest run of each job: each one
    a write to the run's event log (on SQLite a commit), much of a small run's cost."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        counts = {}
        for label, job in jobs.items():
            run = instance.get_runs(dg.RunsFilter(job_name=job), limit=1)[0]
            counts[label] = len(instance.all_logs(run.run_id))
    return counts


def end_to_end(rounds: int) -> dict:
    data, described = sample_data()
    tags = json.dumps({"dagster/partition": E2E_YEAR})
    commands = {
        "pipeline_year": ["job", "execute", "-m", "iku_pipeline.definitions", "-j",
                          "iku_tahunan", "--tags", tags],
        "trivial_year": ["job", "execute", "-m", "bench.trivial_defs", "-j", "trivial",
                         "--tags", tags],
        "floor_year": ["job", "execute", "-m", "bench.floor_defs", "-j", "kosong",
                       "--tags", tags],
        "backfill": ["asset", "materialize", "-m", "iku_pipeline.definitions", "--select",
                     "*", "--partition-range", E2E_RANGE],
        "one_year": ["asset", "materialize", "-m", "iku_pipeline.definitions", "--select",
                     "*", "--partition", E2E_YEAR],
    }  # fmt: skip
    times: dict[str, list[float]] = {k: [] for k in commands}
    with tempfile.TemporaryDirectory(prefix="iku-bench-e2e-") as tmp:
        home, env = _fresh_instance(Path(tmp), data)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        for name, args in commands.items():  # warm-up: instance storage, bytecode caches
            _dagster(args, env, name)
        for _ in range(rounds):
            for pair in (("pipeline_year", "floor_year", "trivial_year"), ("backfill", "one_year")):
                for name in pair:
                    times[name].append(_dagster(commands[name], env, name))
        events = stored_events(
            home, {"pipeline_year": "iku_tahunan", "floor_year": "kosong", "trivial_year": "trivial"}
        )
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "data": described,
        "rounds": rounds,
        "times": times,
        "events": events,
        "median": med,
        "year_vs_trivial": med["pipeline_year"] / med["trivial_year"],
        "floor_vs_trivial": med["floor_year"] / med["trivial_year"],
        "backfill_vs_year": med["backfill"] / med["one_year"],
        "postgres": end_to_end_pg(
            rounds, data, {k: commands[k] for k in ("pipeline_year", "floor_year", "trivial_year")}
        ),
    }


def end_to_end_pg(rounds: int, data: Path, commands: dict[str, list[str]]) -> dict:
    """The year and the trivial run again on the office server's instance: the shipped
    ``deploy/dagster.yaml`` (run and event storage in PostgreSQL) with a new database of
    its own, dropped afterwards. Where an analyst clicks (the UI of the deployed
    server), a run's events go there, not into SQLite files. ``{"skipped": why}`` when
    no PostgreSQL server is reachable."""
    conn, why = _pg_admin()
    if conn is None:
        return {"skipped": why}
    db = f"iku_bench_{os.getpid()}"
    times: dict[str, list[float]] = {k: [] for k in commands}
    try:
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{db}"')
        with tempfile.TemporaryDirectory(prefix="iku-bench-e2e-pg-") as tmp:
            home, env = _fresh_instance(Path(tmp), data)
            shutil.copy(ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
            env.update(PG_INSTANCE, DAGSTER_PG_DB=db)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
            for name, args in commands.items():  # warm-up
                _dagster(args, env, f"{name} (PostgreSQL instance)")
            for _ in range(rounds):
                for name, args in commands.items():
                    times[name].append(_dagster(args, env, f"{name} (PostgreSQL instance)"))
    finally:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.close()
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "times": times,
        "median": med,
        "year_vs_trivial": med["pipeline_year"] / med["trivial_year"],
        "floor_vs_trivial": med["floor_year"] / med["trivial_year"],
    }


def cli_year(scale: str, rounds: int) -> dict:
    """Seconds of ``dagster job execute iku_tahunan`` on the generated year of ``scale``
    (generated first if it is not cached), in a fresh instance, warehouse and store
    beside the data (not in /tmp: a tmpfs there would hold the store in memory)."""
    data = generate_scale.data_dir(scale)
    generate_scale.generate(generate_scale.SCALES[scale], data)
    args = ["job", "execute", "-m", "iku_pipeline.definitions", "-j", "iku_tahunan",
            "--tags", json.dumps({"dagster/partition": str(TAHUN)})]  # fmt: skip
    times = []
    with tempfile.TemporaryDirectory(prefix="iku-bench-cli-", dir=data.parent) as tmp:
        _, env = _fresh_instance(Path(tmp), data)
        for _ in range(rounds):
            times.append(_dagster(args, env, f"{scale} year {TAHUN} through the CLI"))
    return {"scale": scale, "times": times, "median": statistics.median(times)}


# ---------------------------------------------------------------- driver


def prepare(scale: str) -> tuple[Path, Path, dict, float]:
    """(data dir, XLSX-as-CSV dir, generation marker, seconds the conversion took)."""
    data = generate_scale.data_dir(scale)
    t0 = time.perf_counter()
    marker = generate_scale.generate(generate_scale.SCALES[scale], data)
    if time.perf_counter() - t0 > 1:
        print(f"generated {scale} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    xlsx_csv = data.parent / "xlsx_csv"
    stamp = xlsx_csv / ".converted.json"
    wanted = json.dumps(
        {"data": marker["params"], "converter": duckdb_reference.CONVERTER_VERSION},
        sort_keys=True,
    )
    if stamp.is_file() and json.loads(stamp.read_text()).get("params") == wanted:
        return data, xlsx_csv, marker, json.loads(stamp.read_text())["seconds"]
    shutil.rmtree(xlsx_csv, ignore_errors=True)
    xlsx_csv.mkdir(parents=True)
    t0 = time.perf_counter()
    duckdb_reference.xlsx_to_csv(data / "raw", xlsx_csv)
    seconds = time.perf_counter() - t0
    stamp.write_text(json.dumps({"params": wanted, "seconds": seconds}))
    return data, xlsx_csv, marker, seconds


def _versions() -> str:
    import dagster
    import duckdb
    import numpy
    import pyarrow

    return (
        f"Python {platform.python_version()}, pandas {pd.__version__}, numpy "
        f"{numpy.__version__}, pyarrow {pyarrow.__version__}, dagster {dagster.__version__}, "
        f"duckdb {duckdb.__version__} (threads: all {os.cpu_count()} CPUs)"
    )


def _row(label: str, value: str, note: str = "") -> None:
    print(f"{label:<52}{value:>10}  {note}".rstrip())


def _seconds(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.2f}" for v in values) + "]"


def compare_and_time(data: Path, xlsx_csv: Path, rounds: int, no_warmup: bool) -> dict:
    """Equality first (stops on any difference), then alternating timed rounds."""
    with tempfile.TemporaryDirectory(prefix="iku-bench-") as tmp:
        url = f"sqlite:///{tmp}/iku.sqlite"

        # The equality run is also the warm-up. The core's staged frames are let go
        # before DuckDB runs, so the two never hold their data at the same time.
        core = run_core(data)
        first_publish = publish(core, url)
        figures = core_figures(core)
        del core
        gc.collect()
        ref, ref_s = run_reference(data, xlsx_csv)
        diff = differences(figures, ref)
        if diff:
            print(f"\nMISMATCH: core and DuckDB disagree on {len(diff)} value(s):", file=sys.stderr)
            for line in diff:
                print("  " + line, file=sys.stderr)
            raise SystemExit(1)
        rejected = sum(ref.rejected.values())
        del ref
        gc.collect()

        times: dict[str, list[float]] = {"core": [], "duckdb": [], "publish": []}
        if no_warmup:
            times = {"core": [figures["seconds"]], "duckdb": [ref_s], "publish": [first_publish]}
        for i in range(len(times["core"]), rounds):
            run = run_core(data)
            times["core"].append(run.seconds)
            times["publish"].append(publish(run, url))
            del run
            gc.collect()
            times["duckdb"].append(run_reference(data, xlsx_csv)[1])
            gc.collect()
            print(
                f"  round {i + 1}/{rounds}: core {times['core'][-1]:.2f} s, "
                f"duckdb {times['duckdb'][-1]:.2f} s, publish {times['publish'][-1]:.2f} s",
                file=sys.stderr,
            )
    return {"times": times, "rejected": rejected, "core_steps": figures["steps"]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="IKU pipeline benchmark")
    parser.add_argument("--scale", choices=generate_scale.SCALES, default="kota")
    parser.add_argument("--rounds", type=int, help="timed rounds (default by scale)")
    parser.add_argument("--e2e-rounds", type=int, default=3)
    parser.add_argument("--skip-e2e", action="store_true", help="no end-to-end Dagster runs")
    parser.add_argument(
        "--cli-scale",
        choices=generate_scale.SCALES,
        default="kota",
        help="the generated year timed through the CLI (default kota)",
    )
    parser.add_argument("--cli-rounds", type=int, default=2, help="its rounds (0: none)")
    parser.add_argument(
        "--no-warmup",
        action="store_true",
        help="the equality run is also the first timed round (for provinsi: one run less)",
    )
    parser.add_argument(
        "--memory-limit-gb",
        type=float,
        help="address-space limit of this process and its children (RLIMIT_AS): a run "
        "that outgrows it fails with MemoryError instead of waking the OOM killer",
    )
    parser.add_argument(
        "--core-once", action="store_true", help="only run the core once (for a profiler)"
    )
    args = parser.parse_args(argv)
    scale = args.scale
    if args.memory_limit_gb:
        limit = int(args.memory_limit_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    data, xlsx_csv, marker, convert_s = prepare(scale)

    if args.core_once:
        run = run_core(data)
        steps = ", ".join(f"{k} {v:.2f}" for k, v in run.steps.items())
        peak = _high_water_kb() / 1024
        print(f"core {scale}: {run.seconds:.2f} s ({steps}); peak RSS {peak:.0f} MB")
        return

    rows: dict[str, int] = {}
    for f in marker["files"]:
        rows[f["source"]] = rows.get(f["source"], 0) + f["rows"]
    xlsx = [f["file"] for f in marker["files"] if f["file"].endswith(".xlsx")]
    print(f"== IKU benchmark, scale {scale} (year {TAHUN}) ==")
    print(_versions())
    print("load average at start (the CPUs are shared): %.2f %.2f %.2f" % os.getloadavg())
    print(f"data: {data}")
    print(
        "rows: " + ", ".join(f"{s} {n:,}" for s, n in rows.items())
        + f"; {len(marker['files'])} files, "
        + f"{sum(f['bytes'] for f in marker['files']) / 1e6:,.0f} MB"
    )
    if xlsx:
        print(
            f"XLSX: {', '.join(xlsx)}: the core reads them (calamine); DuckDB reads their CSV "
            f"conversion, made once outside the timing ({convert_s:.2f} s, not in duckdb_s)"
        )

    rounds = args.rounds or DEFAULT_ROUNDS[scale]
    measured = compare_and_time(data, xlsx_csv, rounds, args.no_warmup)
    times = measured["times"]
    print(
        "equality: realisasi_iku pembilang and penyebut of every kode × wilayah, rows read and "
        f"rejected per source ({measured['rejected']:,} rejected in all), realisasi_tambahan "
        "(4_selesai, 3_nominal) and the §3 report figures: all agree"
    )
    core_s, duck_s, pub_s = (statistics.median(times[k]) for k in ("core", "duckdb", "publish"))
    memory = {name: peak_rss(name, data, xlsx_csv) for name in ("core", "duckdb")}

    print(f"\n-- core vs DuckDB: {rounds} round(s), alternating, medians --")
    _row("core: read + validate + trace + store + compute", f"{core_s:.2f} s",
         _seconds(times["core"]))
    _row("  per step (equality run)", "",
         ", ".join(f"{k} {v:.2f}" for k, v in measured["core_steps"].items()))
    _row("duckdb reference: same files, same rules", f"{duck_s:.2f} s",
         _seconds(times["duckdb"]))
    _row("ratio core / duckdb", f"{core_s / duck_s:.2f}", "(goal at provinsi: ≤ 2, aim 1.2)")
    _row("publish: frames + replace_year into temp SQLite", f"{pub_s:.2f} s",
         _seconds(times["publish"]))
    for name, m in memory.items():
        _row(f"peak RSS of {name} in a fresh process", f"{m.peak_mb:.0f} MB",
             f"(imports alone {m.imports_mb:.0f} MB; that run {m.seconds:.2f} s)")

    result = {
        "scale": scale,
        "rounds": rounds,
        "seconds": times,
        "core_steps_first_run": measured["core_steps"],
        "peak_rss_mb": {k: m.peak_mb for k, m in memory.items()},
        "imports_rss_mb": memory["core"].imports_mb,
        "xlsx_conversion_s": convert_s,
        "load_average_at_end": os.getloadavg(),
    }
    failed = None
    cli = None
    if args.cli_rounds > 0:
        try:
            cli = cli_year(args.cli_scale, args.cli_rounds)
        except SystemExit as e:
            failed = str(e)
            print(f"\n-- {args.cli_scale} year through the CLI: FAILED --\n{failed}")
        else:
            beside = f"(core at {scale}: {core_s:.2f} s)" if args.cli_scale == scale else ""
            _row(f"{args.cli_scale} year {TAHUN} through the CLI: job execute iku_tahunan",
                 f"{cli['median']:.2f} s", f"{_seconds(cli['times'])} {beside}".rstrip())
            result["cli_year"] = cli
    e2e_ratio = backfill_ratio = e2e_pg_ratio = floor_ratio = float("nan")
    if not args.skip_e2e:
        try:
            e2e = end_to_end(args.e2e_rounds)
        except SystemExit as e:
            failed = str(e)
            print(f"\n-- end to end: FAILED --\n{failed}")
        else:
            m = e2e["median"]
            print(f"\n-- end to end, Dagster CLI: {e2e['rounds']} round(s), medians --")
            print(f"data: {e2e['data']}")
            _row(f"one year {E2E_YEAR}: job execute iku_tahunan", f"{m['pipeline_year']:.2f} s",
                 _seconds(e2e["times"]["pipeline_year"]))
            _row("trivial one-asset run: same CLI, same executor", f"{m['trivial_year']:.2f} s",
                 _seconds(e2e["times"]["trivial_year"]))
            _row("ratio one year / trivial", f"{e2e['year_vs_trivial']:.2f}", "(goal ≤ 1.5)")
            _row("the same graph with no work (bench/floor_defs.py)", f"{m['floor_year']:.2f} s",
                 _seconds(e2e["times"]["floor_year"]))
            _row("ratio no work / trivial: the graph's floor", f"{e2e['floor_vs_trivial']:.2f}")
            _row("events stored: one year / no work / trivial",
                 " / ".join(str(e2e["events"][k])
                            for k in ("pipeline_year", "floor_year", "trivial_year")))
            pg = e2e["postgres"]
            if "skipped" in pg:
                _row("the same on the server's instance (PostgreSQL)", "skipped", pg["skipped"])
            else:
                _row("one year, instance of deploy/dagster.yaml (PostgreSQL)",
                     f"{pg['median']['pipeline_year']:.2f} s", _seconds(pg["times"]["pipeline_year"]))
                _row("trivial run, the same instance", f"{pg['median']['trivial_year']:.2f} s",
                     _seconds(pg["times"]["trivial_year"]))
                _row("ratio one year / trivial on PostgreSQL", f"{pg['year_vs_trivial']:.2f}")
                _row("the graph's floor on PostgreSQL (no work / trivial)",
                     f"{pg['floor_vs_trivial']:.2f}", _seconds(pg["times"]["floor_year"]))
                e2e_pg_ratio = pg["year_vs_trivial"]
            _row(f"backfill {E2E_RANGE}: asset materialize", f"{m['backfill']:.2f} s",
                 _seconds(e2e["times"]["backfill"]))
            _row(f"one year: asset materialize --partition {E2E_YEAR}", f"{m['one_year']:.2f} s",
                 _seconds(e2e["times"]["one_year"]))
            _row("ratio backfill / one year", f"{e2e['backfill_vs_year']:.2f}", "(goal ≤ 2)")
            result["e2e"] = e2e
            e2e_ratio, backfill_ratio = e2e["year_vs_trivial"], e2e["backfill_vs_year"]
            floor_ratio = e2e["floor_vs_trivial"]
    (generate_scale.CACHE / scale / "result.json").write_text(json.dumps(result, indent=2))
    print(
        f"bench: scale={scale} core_s={core_s:.2f} duckdb_s={duck_s:.2f} "
        f"ratio={core_s / duck_s:.2f} peak_rss_mb={memory['core'].peak_mb:.0f} "
        f"e2e_ratio={e2e_ratio:.2f} backfill_ratio={backfill_ratio:.2f} "
        f"e2e_pg_ratio={e2e_pg_ratio:.2f} floor_ratio={floor_ratio:.2f}"
    )
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
