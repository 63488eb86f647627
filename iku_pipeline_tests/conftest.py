"""Shared fixtures: a copy of the small extracts, a warehouse on SQLite or PostgreSQL, and
one published year for the tests that only read it; the order and grouping of the tests
on the two pytest-xdist workers."""

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

import pytest
import sqlalchemy as sa

# The publishing steps' first retry wait (resources.publish_retry_policy, read when the
# package is imported): half a second in the tests that make a step retry instead of the
# shipped 3 s; the number of retries stays the shipped one.
os.environ.setdefault("IKU_PUBLISH_RETRY_DELAY", "0.5")

from iku_pipeline_tests.common import WILAYAH  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
PG_URL = os.environ.get(
    "IKU_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)


# ---------------------------------------------------------------- scheduling
# `make test` runs on both cores (pytest-xdist, pyproject.toml). The longest tests start
# first, so that the two workers end together rather than one waiting on a long test
# picked up last: those marked ``slow``, then the modules that start Dagster processes
# or servers, then the rest, each in file order.
PROCESS_MODULES = {
    "test_celery", "test_deploy", "test_outage", "test_personal_data", "test_pipeline",
    "test_reliability", "test_status", "test_toy_source", "test_ui",
}  # fmt: skip


def pytest_configure(config):
    """Temporary folders of this session under a folder of its own (unless --basetemp is
    given): pytest's numbered folders are shared by every session of the user, and the
    one ending would delete the older ones (their Hypothesis cases are thousands of
    folders) while other sessions still delete or use them. Removed at the end when
    every test passed, kept otherwise."""
    if hasattr(config, "workerinput") or config.option.basetemp:
        return  # a pytest-xdist worker: its folder is under the controller's
    config.option.basetemp = tempfile.mkdtemp(prefix="iku-tests-")
    config._iku_basetemp = config.option.basetemp


def pytest_unconfigure(config):
    basetemp = getattr(config, "_iku_basetemp", None)
    if basetemp and getattr(config, "_iku_passed", False):
        shutil.rmtree(basetemp, ignore_errors=True)


def pytest_sessionfinish(session, exitstatus):
    session.config._iku_passed = exitstatus == 0


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        if item.get_closest_marker("slow"):
            return 0
        return 1 if item.module.__name__.rsplit(".", 1)[-1] in PROCESS_MODULES else 2

    items.sort(key=rank)  # stable: file order within a rank
    _mark_xdist_groups(config, items)


def _mark_xdist_groups(config, items) -> None:
    """``--dist loadgroup`` sends the tests of one ``xdist_group`` to one worker by the
    ``@<group>`` suffix of their node ids. pytest-xdist 3.8 writes the suffix where
    pytest 9.2 no longer reads a node id (``_nodeid``), so every test was scheduled on
    its own (``dagster dev`` started on both workers, say); on a worker, write it where
    pytest reads it. A no-op when the suffix is there already."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = sorted(
            {str(m.args[0] if m.args else m.kwargs.get("name", "default"))
             for m in item.iter_markers("xdist_group")}
        )  # fmt: skip
        if not names or "@" in item.nodeid:
            continue
        nodeid = f"{item.nodeid}@{'_'.join(names)}"
        if hasattr(item, "_id"):  # pytest >= 9.2
            from _pytest.nodeid import coerce_node_id

            item._id = coerce_node_id(nodeid)
        else:
            item._nodeid = nodeid


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A writable copy of the fixture extracts (raw/ and reference/)."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", target)
    return target


def _postgres_available() -> str | None:
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        return "psycopg2 is not installed (pip install -e '.[dev]')"
    try:
        engine = sa.create_engine(PG_URL)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as e:  # noqa: BLE001
        return f"PostgreSQL is not reachable at {PG_URL}: {type(e).__name__}"
    return None


@contextlib.contextmanager
def new_warehouse(kind: str, folder: Path) -> Iterator[str]:
    """A fresh, empty warehouse: a SQLite file in ``folder``, or a private schema on
    PostgreSQL (dropped afterwards; the test skips, saying why, without a server)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'warehouse' / 'iku.sqlite'}"
        return
    reason = _postgres_available()
    if reason:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse_url(request, tmp_path: Path):
    """A fresh, empty warehouse: a SQLite file, or a private schema on PostgreSQL."""
    with new_warehouse(request.param, tmp_path) as url:
        yield url


# ---------------------------------------------------------------- one published year
# Tests that only read a published year (its tables, files and the run's result) share
# one run of the fixture extracts' 2023 per database and test process, instead of each
# running the year again. They are one xdist group (``SHARED_YEAR``), so one worker runs
# the year once per database. A test that changes the extracts, the reference tables,
# the warehouse or the files runs a year of its own.

SHARED_YEAR = "published_2023"


class PublishedYear(NamedTuple):
    data_dir: Path  # the extracts it was run on; the files under data_dir/published
    url: str  # the warehouse
    result: object  # the run's ExecuteInProcessResult


@pytest.fixture(scope="session")
def published_years(tmp_path_factory):
    """year(kind) -> PublishedYear: 2023 of the fixture extracts run once in this test
    process into a warehouse of ``kind`` ("sqlite" or "postgresql")."""
    from iku_pipeline_tests.common import run_year

    years: dict[str, PublishedYear] = {}
    with contextlib.ExitStack() as stack:

        def year(kind: str) -> PublishedYear:
            if kind not in years:
                folder = tmp_path_factory.mktemp(f"published-{kind}")
                url = stack.enter_context(new_warehouse(kind, folder))
                data = folder / "data"
                shutil.copytree(FIXTURES / "data", data)
                result = run_year(data, url, "2023")
                assert result.success
                years[kind] = PublishedYear(data, url, result)
            return years[kind]

        yield year


@pytest.fixture(params=["sqlite", "postgresql"])
def published(request, published_years) -> PublishedYear:
    """The shared published 2023 (read only) on SQLite and on PostgreSQL."""
    return published_years(request.param)


@pytest.fixture
def published_sqlite(published_years) -> PublishedYear:
    """The shared published 2023 (read only) on SQLite."""
    return published_years("sqlite")


# ---------------------------------------------------------------- contract tests
# Helpers for test_validate.py and test_compute.py: extracts written as small CSV texts
# into raw/<source>/<tahun>/ of a temporary data directory, then staged in the order the
# pipeline stages them (a source before the ones referencing it).


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    return tmp_path / "data" / "raw"


@pytest.fixture
def put(raw_dir: Path):
    """put(source, file name, csv text, tahun=2023, encoding="utf-8"): one delivered file."""

    def write(source: str, name: str, text: str, tahun: int = 2023, encoding: str = "utf-8"):
        path = raw_dir / source / str(tahun) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode(encoding))
        return path

    return write


class StagedYear(Mapping):
    """{source: Staged} of one year, in the pipeline's order. The sources with a folder
    when it was made are staged at once (with the sources they reference); a source
    without one is staged as not delivered when first looked up, with its folder as it
    was then (absent), whatever was written since. Most contract tests deliver one or two
    sources and look at those; staging the four others (each as not delivered) was
    most of their time."""

    def __init__(self, raw_dir: Path, tahun: int, jenis_layanan, wilayah):
        from iku_pipeline.sources.specs import SOURCE_ORDER

        self._args = (raw_dir, tahun, jenis_layanan, wilayah)
        self._order = SOURCE_ORDER
        self._staged: dict = {}
        self._absent = {
            name for name in SOURCE_ORDER if not (raw_dir / name / str(tahun)).exists()
        }
        for name in SOURCE_ORDER:
            if name not in self._absent:
                self[name]

    def __getitem__(self, name: str):
        from iku_pipeline.sources.specs import SOURCES
        from iku_pipeline.sources.validate import stage_source

        if name not in self._staged:
            raw_dir, tahun, jenis_layanan, wilayah = self._args
            spec = SOURCES[name]  # KeyError for a name that is no source
            refs = {r.source: self[r.source] for r in spec.references}
            folder = raw_dir / name / str(tahun)
            if name in self._absent and folder.exists():  # written since: still absent
                folder = raw_dir.parent / "tidak-diserahkan" / name / str(tahun)
            self._staged[name] = stage_source(
                spec, folder, tahun, b"kunci-uji", refs, jenis_layanan, wilayah=wilayah
            )
        return self._staged[name]

    def __iter__(self):
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)


@pytest.fixture
def stage_year(raw_dir: Path):
    """stage_year(tahun=2023, jenis_layanan=None, wilayah=WILAYAH) -> {source: Staged}
    for every source (a ``StagedYear``)."""
    from iku_pipeline.sources.reference import load_jenis_layanan

    def stage(tahun: int = 2023, jenis_layanan=None, wilayah=WILAYAH):
        if jenis_layanan is None:
            jenis_layanan = load_jenis_layanan(raw_dir.parent / "reference")
        return StagedYear(raw_dir, tahun, jenis_layanan, wilayah)

    return stage
