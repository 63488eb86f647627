"""Every setting of the pipeline, carried into the core as arguments (docs/data-contract.md §7).

This is the one module that reads the environment. Each setting may be given in the run
config (the UI's launchpad, a test); an empty value falls back to its environment
variable, read when a run's resources are set up (not when the code location loads, so a
changed variable needs no reload), then to the documented default:

| resource | setting | variable | default |
|---|---|---|---|
| ``paths`` | ``data_dir`` | ``IKU_DATA_DIR`` | ``data`` |
| ``paths`` | ``output_dir`` | ``IKU_OUTPUT_DIR`` | ``data/published`` |
| ``warehouse`` | ``database_url`` | ``IKU_DATABASE_URL`` | SQLite under ``data/warehouse/`` |
| ``io_manager`` | ``storage_url`` | ``IKU_STORAGE_URL`` | ``storage/iku`` under ``DAGSTER_HOME`` |
| ``validation`` | ``hash_key`` | ``IKU_HASH_KEY`` | a random key of this process |
| ``validation`` | ``max_file_mb``, ``max_rows`` | ``IKU_MAX_FILE_MB``, ``IKU_MAX_ROWS`` | 2048, 20,000,000 |
| ``validation`` | ``batas_penolakan`` | ``IKU_BATAS_PENOLAKAN`` | 0.10 |
| ``kalender`` | ``tanggal_run`` | (none: the run's own date) | today in Asia/Jakarta |
| publishing steps [2] | retries, first delay | ``IKU_PUBLISH_RETRIES``, ``IKU_PUBLISH_RETRY_DELAY`` | 4, 3 s |
| executor [1] | ``broker`` | ``IKU_CELERY_BROKER`` | ``pyamqp://guest@127.0.0.1:5672//`` |
| executor [1] | ``backend`` | ``IKU_CELERY_BACKEND`` | ``rpc://`` |
| executor [1] | ``queue`` | ``IKU_CELERY_QUEUE`` | ``dagster`` |

[1] of the job ``iku_tahunan_celery`` (``execution: {config: ...}`` in the run config).
[2] ``publish_retry_policy``: read when the code location loads, not per run.

``data_dir``, ``output_dir`` and ``storage_url`` may each be a folder or an fsspec URL
(``s3://bucket/prefix``, with the standard ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY`` and ``AWS_ENDPOINT_URL`` read by s3fs itself): with all three
on an object store, a process running a step needs no file of any other process (the
Celery workers of ``iku_tahunan_celery``, README "Deploying").
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import threading
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import fsspec
import sqlalchemy as sa
from fsspec.utils import get_protocol
from pydantic import PrivateAttr
from upath import UPath

from iku_pipeline.io import YearFilesIOManager
from iku_pipeline.partitions import TIMEZONE
from iku_pipeline.publish.warehouse import DEFAULT_OUTPUT_DIR, default_warehouse_url, make_engine
from iku_pipeline.sources import masking
from iku_pipeline.sources.readers import Limits


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def is_url(location: str) -> bool:
    """Whether a setting names a location of an fsspec filesystem other than this disk."""
    return get_protocol(location) not in ("file", "local")


class IkuPaths(dg.ConfigurableResource):
    """The extracts folder (raw/, reference/) and the folder for exported files.

    Either may be a URL. Extracts on a URL are read from a local copy of this process
    (:class:`_Mirror`): ``raw`` and ``reference`` copy what changed under the URL into
    it before returning it, file names and bytes unchanged, so sizes, sha256 and row
    numbers are those of the delivered files. Of ``raw/``, a run copies only the folders
    of its years. Exported files for a URL are written into a local folder and uploaded
    (:meth:`exports`).
    """

    data_dir: str = ""
    output_dir: str = ""
    _years: frozenset[str] | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._years = _run_years(context.run)

    @property
    def data_location(self) -> str:
        return self.data_dir or _env("IKU_DATA_DIR") or "data"

    @property
    def output_location(self) -> str:
        return self.output_dir or _env("IKU_OUTPUT_DIR") or str(DEFAULT_OUTPUT_DIR)

    @property
    def data(self) -> Path:
        """The extracts folder; for a URL the local copy's root (filled by ``raw`` and
        ``reference``)."""
        location = self.data_location
        return _mirror(location).root if is_url(location) else Path(location)

    def require_data(self) -> None:
        """Fail, naming the folder, when the local extracts folder does not exist (a
        mistyped IKU_DATA_DIR, a share not mounted): read as "nothing delivered", a run
        would replace a year's published figures with empty ones."""
        location = self.data_location
        if not is_url(location) and not Path(location).is_dir():
            raise dg.Failure(
                description=f"Folder data '{location}' tidak ada (IKU_DATA_DIR): periksa "
                "nama folder atau sambungan ke folder bersama. Tidak ada yang "
                "dipublikasikan; publikasi sebelumnya tetap.",
                allow_retries=False,
            )

    @property
    def raw(self) -> Path:
        location = self.data_location
        if is_url(location):
            return _mirror(location).sync("raw", self._years)
        return self.data / "raw"

    @property
    def reference(self) -> Path:
        location = self.data_location
        if is_url(location):
            return _mirror(location).sync("reference")
        return self.data / "reference"

    @property
    def output(self) -> Path | UPath:
        """Where the exported files are: a folder, or the URL they are uploaded to."""
        location = self.output_location
        return UPath(location) if is_url(location) else Path(location)

    @contextlib.contextmanager
    def exports(self) -> Iterator[Path]:
        """The local folder to write the exported files into: a new temporary folder
        whose files replace those of ``output`` once all are written (each by a rename,
        a reader sees the old file or the new one), or are uploaded to it for a URL
        (each upload replaces its object whole). After an error nothing is replaced: a
        disk that fills at the fourth file leaves every old file as it was."""
        location = self.output_location
        if is_url(location):
            with tempfile.TemporaryDirectory(prefix="iku-exports-") as tmp:
                yield Path(tmp)
                _upload(Path(tmp), location)
            return
        folder = Path(location)
        folder.mkdir(parents=True, exist_ok=True)
        # Inside the output folder: on its file system, so each file is renamed into place.
        staging = Path(tempfile.mkdtemp(prefix=".iku-berkas-", dir=folder))
        try:
            yield staging
            for path in sorted(p for p in staging.rglob("*") if p.is_file()):
                target = folder / path.relative_to(staging)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _run_years(run) -> frozenset[str] | None:
    """The years of a run (its partition or partition range), None when not known."""
    tags = run.tags if run is not None else {}
    try:
        if "dagster/partition" in tags:
            return frozenset({str(int(tags["dagster/partition"]))})
        start = tags.get("dagster/asset_partition_range_start")
        end = tags.get("dagster/asset_partition_range_end")
        if start and end:
            return frozenset(str(y) for y in range(int(start), int(end) + 1))
    except ValueError:
        pass
    return None


def _upload(folder: Path, url: str) -> None:
    fs, base = fsspec.core.url_to_fs(url)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue  # a writer's temporary file
        fs.put_file(str(path), f"{base.rstrip('/')}/{rel.as_posix()}")


# Versions of a listed file: a copy is refreshed when any of them differs. A filesystem
# whose listing has none of them (only a size) is copied again at every use.
_VERSION_FIELDS = {
    "etag", "lastmodified", "mtime", "md5hash", "crc32c", "generation", "updated", "versionid"
}  # fmt: skip


def _version(info: dict) -> str | None:
    fields = {k: str(v) for k, v in info.items() if k.lower() in _VERSION_FIELDS}
    return json.dumps([info.get("size"), sorted(fields.items())]) if fields else None


class _Mirror:
    """This process's local copy of the files under a URL, kept equal to it by ``sync``.

    The copy lives in a new temporary folder (under ``TMPDIR``) per process and URL; a
    file is downloaded again only when its version in the listing changed, and removed
    when it is gone from the URL.
    """

    def __init__(self, url: str):
        self.url = url
        self.fs, base = fsspec.core.url_to_fs(url)
        self.base = base.rstrip("/")
        self.root = Path(tempfile.mkdtemp(prefix="iku-data-"))
        atexit.register(shutil.rmtree, self.root, ignore_errors=True)
        self._copied: dict[str, str | None] = {}  # relative path -> version copied
        self._lock = threading.Lock()

    def sync(self, folder: str, years: frozenset[str] | None = None) -> Path:
        """Bring ``folder`` (of ``raw/``: only ``raw/<sumber>/<tahun>/`` of ``years``,
        when given) up to date with the URL; its local path."""

        def wanted(parts: tuple[str, ...]) -> bool:
            return (
                len(parts) > 1
                and parts[0] == folder
                and (years is None or (len(parts) > 3 and parts[2] in years))
            )

        with self._lock:
            self.fs.invalidate_cache(f"{self.base}/{folder}")  # a listing of the URL now
            listing = self.fs.find(f"{self.base}/{folder}", detail=True)
            remote: dict[str, str | None] = {}
            for name, info in listing.items():
                if info.get("type", "file") != "file":
                    continue
                rel = self._relative(name)
                if wanted(tuple(rel.split("/"))):
                    remote[rel] = _version(info)
            for rel in [r for r in self._copied if wanted(tuple(r.split("/")))]:
                if rel not in remote:
                    (self.root / rel).unlink(missing_ok=True)
                    del self._copied[rel]
            for rel, version in sorted(remote.items()):
                local = self.root / rel
                if version is not None and self._copied.get(rel) == version and local.is_file():
                    continue
                local.parent.mkdir(parents=True, exist_ok=True)
                part = local.with_name(f".{local.name}.part-{uuid.uuid4().hex[:8]}")
                try:
                    self.fs.get_file(f"{self.base}/{rel}", str(part))
                    os.replace(part, local)
                except BaseException:
                    part.unlink(missing_ok=True)
                    raise
                self._copied[rel] = version
        return self.root / folder

    def _relative(self, name: str) -> str:
        name = self.fs._strip_protocol(name)
        rel = name[len(self.base) :].lstrip("/") if name.startswith(self.base) else ""
        parts = rel.split("/")
        if not rel or any(p in ("", ".", "..") for p in parts):
            raise ValueError(
                f"Berkas {name!r} di {self.url} tidak dapat disalin: namanya berisi "
                "bagian kosong, '.' atau '..'. Ganti nama berkas itu."
            )
        return rel


_MIRRORS: dict[tuple[int, str], _Mirror] = {}
_MIRRORS_LOCK = threading.Lock()


def _mirror(url: str) -> _Mirror:
    """The local copy of ``url`` of this process (a forked process makes its own)."""
    key = (os.getpid(), url.rstrip("/"))
    with _MIRRORS_LOCK:
        if key not in _MIRRORS:
            _MIRRORS[key] = _Mirror(url)
        return _MIRRORS[key]


def publish_retry_policy() -> dg.RetryPolicy:
    """How a publishing step retries when the warehouse is unreachable or drops the
    connection: ``IKU_PUBLISH_RETRIES`` more attempts (default 4), the first after
    ``IKU_PUBLISH_RETRY_DELAY`` seconds (default 3), each wait twice the one before
    (3, 6, 12, 24 s: about 45 s in all). Read when the code location loads: a retry
    policy is part of the step's definition, not of a run's resources."""
    return dg.RetryPolicy(
        max_retries=int(_env("IKU_PUBLISH_RETRIES") or 4),
        delay=float(_env("IKU_PUBLISH_RETRY_DELAY") or 3),
        backoff=dg.Backoff.EXPONENTIAL,
    )


class Warehouse(dg.ConfigurableResource):
    """The SQL warehouse the tables are published to."""

    database_url: str = ""
    _engine: sa.Engine | None = PrivateAttr(default=None)

    @property
    def url(self) -> str:
        return self.database_url or _env("IKU_DATABASE_URL") or default_warehouse_url()

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._engine = make_engine(self.url)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._engine is not None:
            self._engine.dispose()

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            self._engine = make_engine(self.url)
        return self._engine

    @contextlib.contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """One holder of ``name`` at a time among every process publishing to this
        warehouse: on PostgreSQL a transaction's advisory lock (so across machines, e.g.
        Celery workers), else a lock file of this machine."""
        if self.engine.dialect.name == "postgresql":
            key = zlib.crc32(f"iku:{name}".encode())
            with self.engine.begin() as conn:
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({key})")
                yield
            return
        digest = hashlib.sha256(f"{self.url}\n{name}".encode()).hexdigest()[:16]
        with open(Path(tempfile.gettempdir()) / f"iku-{digest}.lock", "ab") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
            yield


class Validation(dg.ConfigurableResource):
    """How extracts are validated: the key for hashing personal data, what one file may
    hold, and the share of rejected rows above which a source is flagged."""

    hash_key: str = ""
    max_file_mb: float = 0  # 0: the environment, else the default
    max_rows: int = 0
    batas_penolakan: float = -1  # below 0: the environment, else the default

    @property
    def key(self) -> tuple[bytes, bool]:
        """The key for hashing personal data, and whether it is stable across runs."""
        key = self.hash_key or _env("IKU_HASH_KEY")
        return (key.encode("utf-8"), True) if key else (masking.EPHEMERAL_KEY, False)

    @property
    def limits(self) -> Limits:
        mb = self.max_file_mb or float(_env("IKU_MAX_FILE_MB") or 0)
        rows = self.max_rows or int(_env("IKU_MAX_ROWS") or 0)
        default = Limits()
        return Limits(
            max_bytes=int(mb * 2**20) if mb else default.max_bytes,
            max_rows=rows or default.max_rows,
        )

    @property
    def rejected_share(self) -> float:
        if self.batas_penolakan >= 0:
            return self.batas_penolakan
        return float(_env("IKU_BATAS_PENOLAKAN") or 0.10)


class Kalender(dg.ConfigurableResource):
    """The run's date (docs/data-contract.md §8): in the current year, the quarters begun
    by this date are computed, the running one up to it. ``tanggal_run`` (YYYY-MM-DD)
    sets it, e.g. to reproduce a run or in a test; empty, it is today in Asia/Jakarta,
    taken when the run's resources are set up. No environment variable: a date left in
    a server's environment would freeze every later run."""

    tanggal_run: str = ""
    _tanggal: dt.date | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._tanggal = self._resolve()

    @property
    def tanggal(self) -> dt.date:
        if self._tanggal is None:
            self._tanggal = self._resolve()
        return self._tanggal

    def _resolve(self) -> dt.date:
        text = self.tanggal_run.strip()
        if not text:
            return dt.datetime.now(ZoneInfo(TIMEZONE)).date()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"tanggal_run {text!r} bukan tanggal dengan bentuk TTTT-BB-HH (misalnya "
                "2026-11-28)"
            ) from None


class Storage(dg.ConfigurableIOManagerFactory):
    """Where intermediate values live (``iku_pipeline/io.py``): a folder or an fsspec URL."""

    storage_url: str = ""

    def create_io_manager(self, context: dg.InitResourceContext) -> YearFilesIOManager:
        url = self.storage_url or _env("IKU_STORAGE_URL")
        if not url:
            url = str(Path(context.instance.storage_directory()) / "iku")
        return YearFilesIOManager(base_path=UPath(url))


# ---------------------------------------------------------------- Celery executor

DEFAULT_CELERY_BROKER = "pyamqp://guest@127.0.0.1:5672//"

# The run config of iku_tahunan_celery's executor (execution: {config: ...}); empty
# values fall back to the environment, then to the defaults.
CELERY_SETTINGS = {
    "broker": dg.Field(str, default_value="", description="IKU_CELERY_BROKER"),
    "backend": dg.Field(str, default_value="", description="IKU_CELERY_BACKEND"),
    "queue": dg.Field(
        str,
        default_value="",
        description="IKU_CELERY_QUEUE: the queue the workers listen on (-q)",
    ),
}


def celery_config(settings: dict) -> dict:
    """dagster_celery's executor config from ``CELERY_SETTINGS`` (read when a run's
    execution plan is made, so a changed variable needs no reload)."""
    queue = settings.get("queue") or _env("IKU_CELERY_QUEUE") or "dagster"
    return {
        "broker": settings.get("broker") or _env("IKU_CELERY_BROKER") or DEFAULT_CELERY_BROKER,
        "backend": settings.get("backend") or _env("IKU_CELERY_BACKEND") or "rpc://",
        "config_source": {"task_default_queue": queue},
    }
