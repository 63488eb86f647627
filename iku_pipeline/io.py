"""Intermediate values between steps: plain files on a local folder or any fsspec URL.

Every value is stored per asset and year as a file a person (or another tool) can open:

- a DataFrame as an uncompressed Arrow IPC file, ``<asset key>/<tahun>.arrow``;
- anything else (reports, lists) as JSON, ``<asset key>/<tahun>.json``.

No Python class is pickled, so a renamed field never makes stored values unreadable.
The root is ``IKU_STORAGE_URL`` (a folder, or a URL such as ``s3://bucket/prefix`` with
the standard ``AWS_*`` variables), by default ``storage/iku`` under ``DAGSTER_HOME``.

Partitioned values pass to and from assets as ``{tahun: value}`` whatever the number of
years in the run, so a single-run backfill of 2021-2025 and a one-year run are one code
path (Dagster's own UPath IO manager refuses an output of several partitions).

A source's staged year (``Staged``) is stored as its three parts, each its own file:
``<asset key>/diterima/<tahun>.arrow``, ``.../ditolak/<tahun>.arrow`` and
``.../laporan/<tahun>.json``. An input of such an asset names the parts it reads
(``parts(diterima=[...], laporan=None)``) and gets ``{tahun: {part: value}}``, so a step
loads only what it reads while the source stays one asset (one materialisation, one
set of events per run).

An input declared with ``metadata={"columns": [...]}`` (or a part given a list of
columns) gets only those columns of a stored frame: on a local folder the file is
memory-mapped, so the other columns are never read; ``[]`` reads no column, only the
number of rows.

A local write goes to a temporary file renamed over the old one (atomic): a run killed
mid-write leaves the previous value readable. An object store's put is atomic itself.
Only staged (masked) data passes through here (docs/data-contract.md §6).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd
import pyarrow as pa
from upath import UPath

from iku_pipeline.model import Staged
from iku_pipeline.sources.parsers import TEXT

ARROW, JSON = ".arrow", ".json"


STAGED_PARTS = ("diterima", "ditolak", "laporan")


def parts(**wanted) -> dict:
    """Input metadata of a staged source: the parts read, each with its columns (a list)
    or whole (None; ``laporan`` is always whole)."""
    unknown = set(wanted) - set(STAGED_PARTS)
    if unknown:
        raise ValueError(f"no staged part {sorted(unknown)} (parts: {STAGED_PARTS})")
    return {"parts": {name: None if c is None else list(c) for name, c in wanted.items()}}


def _part_path(path: UPath, part: str) -> UPath:
    """``<asset key>/<tahun>`` -> ``<asset key>/<part>/<tahun>``."""
    return path.parent / part / path.name


class YearFilesIOManager(dg.UPathIOManager):
    """One file per asset and year under ``base_path`` (see the module docstring)."""

    extension = None  # by value: ARROW or JSON

    def make_safe_partition_path(self, base_path: UPath, partition: str) -> UPath:
        return base_path / partition.replace("/", "_").replace("..", "_")

    # ---------------------------------------------------------------- outputs

    def handle_output(self, context: dg.OutputContext, obj: dict[int, Any]) -> None:
        if not context.has_asset_partitions:
            return super().handle_output(context, obj)
        paths = self._get_paths_for_partitions(context)
        missing = set(paths) - {str(k) for k in obj}
        if missing:
            raise ValueError(f"{context.asset_key.to_user_string()}: no value for {sorted(missing)}")
        for tahun, value in obj.items():
            path = paths[str(tahun)]
            self.make_directory(path.parent)
            self.dump_to_path(context, value, path)

    def dump_to_path(self, context: dg.OutputContext, obj: Any, path: UPath) -> None:
        if isinstance(obj, Staged):
            for part, value in (("diterima", obj.diterima), ("ditolak", obj.ditolak),
                                ("laporan", obj.laporan.to_json())):  # fmt: skip
                self.dump_to_path(context, value, _part_path(path, part))
            return
        if isinstance(obj, pd.DataFrame):
            _commit(path.with_suffix(ARROW), lambda sink: _write_arrow(sink, obj))
            stale = path.with_suffix(JSON)
        else:
            data = json.dumps(obj, ensure_ascii=False, default=str).encode()
            _commit(path.with_suffix(JSON), lambda sink: sink.write(data))
            stale = path.with_suffix(ARROW)
        if stale.exists():  # the asset changed its kind of value
            stale.unlink()

    # ---------------------------------------------------------------- inputs

    def load_input(self, context: dg.InputContext):
        if not context.has_asset_partitions:
            return super().load_input(context)
        # Each partition read directly: UPathIOManager logs two debug messages per input
        # (each one an event Dagster stores: a fifth of a year's events).
        paths = self._get_paths_for_partitions(context)
        metadata = context.definition_metadata or {}
        wanted = metadata.get("parts")
        out = {}
        for key in context.asset_partition_keys:
            path = paths[key]
            if wanted:
                out[int(key)] = {
                    part: self.load_stored(context, _part_path(path, part), key, columns)
                    for part, columns in wanted.items()
                }
            elif not self.path_exists(path) and self.path_exists(_part_path(path, "laporan")):
                out[int(key)] = StoredParts(self, context, path, key)
            else:
                out[int(key)] = self.load_stored(context, path, key, metadata.get("columns"))
        return out

    def load_stored(self, context: dg.InputContext, path: UPath, key: str, columns):
        """One stored value of an input (a frame: only ``columns`` of it, None: all)."""
        if not self.path_exists(path):
            raise FileNotFoundError(
                f"{context.asset_key.to_user_string()} {key}: tidak ada nilai tersimpan "
                f"di {path} (materialisasikan tahun itu dulu)"
            )
        return read_value(path, columns)

    def load_from_path(self, context: dg.InputContext, path: UPath):
        return read_value(path, (context.definition_metadata or {}).get("columns"))

    def path_exists(self, path: UPath) -> bool:
        return path.with_suffix(ARROW).exists() or path.with_suffix(JSON).exists()


class StoredParts(Mapping):
    """A staged source-year loaded without ``parts`` metadata (an input that may carry
    none, such as a multi-asset's dependency): each part read, whole, when first used."""

    def __init__(self, manager: YearFilesIOManager, context, path: UPath, key: str):
        self._load = lambda part: manager.load_stored(context, _part_path(path, part), key, None)
        self._read: dict[str, Any] = {}

    def __getitem__(self, part: str):
        if part not in STAGED_PARTS:
            raise KeyError(part)
        if part not in self._read:
            self._read[part] = self._load(part)
        return self._read[part]

    def __iter__(self):
        return iter(STAGED_PARTS)

    def __len__(self) -> int:
        return len(STAGED_PARTS)


def read_value(path: UPath, columns: list[str] | None = None):
    """The value stored at ``path`` (either suffix), only ``columns`` of a frame."""
    arrow = path.with_suffix(ARROW)
    if arrow.exists():
        return read_frame(arrow, columns)
    return json.loads(path.with_suffix(JSON).read_bytes())


# ---------------------------------------------------------------- files

# Categories are kept in the file's metadata: Arrow keeps a categorical's categories in
# the dictionary of its batches, and a frame of no rows has no batch.
_CATEGORIES = b"iku:categories"


def _write_arrow(sink, frame: pd.DataFrame) -> None:
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        frame = frame.reset_index(drop=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    categories = {
        str(name): [str(c) for c in frame[name].cat.categories]
        for name in frame.columns
        if isinstance(frame[name].dtype, pd.CategoricalDtype)
    }
    meta = {**(table.schema.metadata or {}), _CATEGORIES: json.dumps(categories).encode()}
    table = table.replace_schema_metadata(meta)
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _commit(path: UPath, write) -> None:
    """Write a file whole or not at all: locally through a temporary file and a rename."""
    if path.protocol in ("", "file", "local"):
        local = Path(path.path)
        local.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=local.parent, prefix=f".{local.name}.tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                write(f)
            os.replace(tmp, local)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    else:
        with path.open("wb") as f:
            write(f)


def read_frame(path: UPath | Path | str, columns: list[str] | None = None) -> pd.DataFrame:
    """A stored frame, only ``columns`` of it (None: all; ``[]``: none, its rows kept)."""
    path = UPath(path)
    local = path.protocol in ("", "file", "local")
    if local:
        table = _mapped(path.path)
    else:
        with path.open("rb") as f:
            table = pa.ipc.open_file(pa.BufferReader(f.read())).read_all()
    meta = table.schema.metadata or {}
    if columns is not None:
        missing = [c for c in columns if c not in table.column_names]
        if missing:
            raise KeyError(f"{path.name} has no column {missing}")
        if not columns:
            return pd.DataFrame(index=pd.RangeIndex(table.num_rows))
    names = list(table.column_names if columns is None else columns)
    if not local:
        frame = _to_pandas(table.select(names))
    else:
        # Text stays in the mapping, without a copy. Every other column is copied when
        # converted, from a mapping of its own let go at once: the file's pages it was
        # read from leave memory with it (pages of a mapping still held stay resident,
        # and would count twice beside the copy).
        text = [n for n in names if _is_text(table.schema.field(n).type)]
        converted = dict(_to_pandas(table.select(text)).items()) if text else {}
        del table
        for name in names:
            if name not in converted:
                converted[name] = _to_pandas(_mapped(path.path).select([name]))[name]
        frame = pd.DataFrame({n: converted.pop(n) for n in names}, columns=names, copy=False)
    categories = json.loads(meta.get(_CATEGORIES, b"{}"))
    for name, cats in categories.items():
        if name in frame and list(frame[name].dtype.categories) != cats:
            frame[name] = frame[name].astype(pd.CategoricalDtype(cats))
    return frame


def _mapped(local: str) -> pa.Table:
    """A local Arrow file's table, memory-mapped: its buffers point into the file, and
    only the pages a column touches are ever read."""
    with pa.memory_map(local) as source:
        return pa.ipc.open_file(source).read_all()


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    # Text stays Arrow text, without a copy; a column written as Python objects goes back
    # to them (the pandas metadata says which: small frames such as rejected rows).
    frame = table.to_pandas(types_mapper={pa.large_string(): TEXT, pa.string(): TEXT}.get)
    written = (table.schema.pandas_metadata or {}).get("columns", [])
    for column in written:
        name = column.get("name")
        if column.get("numpy_type") == "object" and name in frame and frame[name].dtype == TEXT:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame
