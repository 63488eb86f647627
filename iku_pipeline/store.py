"""The staged store: a staged source written once, then read by the columns a step needs.

A staged source (``Staged``) is stored as two files side by side:

- ``<stem>.<token>.arrow``: the accepted rows, an uncompressed Arrow IPC file;
- ``<stem>.pickle``: everything else — files, rejected rows, info, the accepted rows'
  count and column types (an empty frame of them) — and the name of that Arrow file.

Reading maps the Arrow file into memory and converts only the requested columns, so
columns a step does not ask for are never read; text stays Arrow text (``TEXT``),
zero-copy on the mapped file. ``columns=[]`` reads no Arrow file at all: the accepted
frame then has the stored number of rows and no columns.

Writing is atomic: the Arrow file is written under a new name, then the pickle naming
it replaces the old pickle in one ``os.replace`` (the commit point), then the files of
earlier writes are removed. A process killed at any point leaves the previous complete
value or the new one; what a killed write left behind is removed by the next write.
Writers of one path take a lock, so two runs writing the same year cannot remove each
other's files. Only staged data passes through here, masked when it was staged (§6).

This module does not import Dagster: the benchmark's core uses it as the assets do.
"""

from __future__ import annotations

import dataclasses
import fcntl
import os
import pickle
import re
import secrets
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from iku_pipeline.sources.parsers import TEXT
from iku_pipeline.sources.validate import KEY, Staged

# The accepted columns a referencing source's validation reads of the source it refers
# to (validate.py: the referenced keys ``accepted[KEY]``; besides, only ``delivered``).
REFERENCE_COLUMNS: tuple[str, ...] = (KEY,)

_READ_ATTEMPTS = 5  # a writer may replace the value between reading the pickle and its Arrow file


@dataclass
class StoredStaged:
    """The pickled part of a staged source: ``staged.accepted`` is an empty frame with
    the accepted columns' types; the rows are in the Arrow file ``arrow``."""

    staged: Staged
    rows: int
    arrow: str  # file name, in the pickle's folder


# ---------------------------------------------------------------- writing


def write_staged(path: Path | str, staged: Staged) -> None:
    """Store ``staged`` at ``path`` (the pickle; its Arrow file goes beside it)."""
    path = Path(path)
    accepted = staged.accepted
    if not accepted.index.equals(pd.RangeIndex(len(accepted))):
        raise ValueError(f"{staged.sumber}: accepted rows must have a default RangeIndex")
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(path):
        arrow = f"{path.stem}.{secrets.token_hex(16)}.arrow"
        try:
            _write_arrow(path.parent / arrow, accepted)
        except BaseException:
            (path.parent / arrow).unlink(missing_ok=True)
            raise
        head = StoredStaged(
            dataclasses.replace(staged, accepted=accepted.iloc[:0]), len(accepted), arrow
        )
        _commit_pickle(path, head)  # the commit point
        _sweep(path, keep=arrow)


def write_pickle(path: Path | str, value) -> None:
    """Store any other value at ``path`` as a pickle, by the same atomic commit."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(path):
        _commit_pickle(path, value)
        _sweep(path, keep=None)


def _write_arrow(file: Path, frame: pd.DataFrame) -> None:
    # Arrow text and numpy columns are taken without a copy; the writer cuts the table
    # into record batches where its columns' chunks end.
    table = pa.Table.from_pandas(frame, preserve_index=False)
    os.close(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # private, as the pickle
    with pa.OSFile(str(file), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _commit_pickle(path: Path, value) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_tmp_prefix(path))
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _tmp_prefix(path: Path) -> str:
    return f".{path.name}.tmp-"


def _arrow_pattern(path: Path) -> re.Pattern:
    return re.compile(rf"{re.escape(path.stem)}\.[0-9a-f]{{32}}\.arrow")


def _sweep(path: Path, keep: str | None) -> None:
    """Remove the Arrow files of ``path`` other than ``keep`` and any temporary pickle:
    what earlier writes named, or left behind when killed."""
    pattern, tmp = _arrow_pattern(path), _tmp_prefix(path)
    for entry in os.scandir(path.parent):
        name = entry.name
        if (pattern.fullmatch(name) and name != keep) or name.startswith(tmp):
            Path(entry.path).unlink(missing_ok=True)


@contextmanager
def _writer_lock(path: Path) -> Iterator[None]:
    with open(path.parent / f".{path.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# ---------------------------------------------------------------- reading


def read_value(path: Path | str, columns: Sequence[str] | None = None):
    """What ``write_staged`` or ``write_pickle`` stored at ``path``; a staged source with
    only ``columns`` of its accepted rows (None: all). ``columns`` is ignored for other
    values."""
    path = Path(path)
    for attempt in range(_READ_ATTEMPTS):
        with path.open("rb") as f:
            value = pickle.load(f)
        if not isinstance(value, StoredStaged):
            return value
        try:
            return _staged(path.parent, value, columns)
        except FileNotFoundError:
            # Replaced (and its Arrow file removed) since the pickle was read: read again.
            if attempt == _READ_ATTEMPTS - 1:
                raise


def read_staged(path: Path | str, columns: Sequence[str] | None = None) -> Staged:
    """The staged source stored at ``path``, with only ``columns`` of its accepted rows
    (None: all; ``[]``: none, but as many rows as were stored)."""
    value = read_value(path, columns)
    if not isinstance(value, Staged):
        raise TypeError(f"{path} holds no staged source but a {type(value).__name__}")
    return value


def _staged(folder: Path, stored: StoredStaged, columns: Sequence[str] | None) -> Staged:
    types = stored.staged.accepted  # the stored columns, typed, no rows
    if columns is not None:
        missing = [c for c in columns if c not in types.columns]
        if missing:
            raise KeyError(f"{stored.staged.sumber} has no accepted column {missing}")
        columns = list(columns)
    if columns == []:
        accepted = pd.DataFrame(index=pd.RangeIndex(stored.rows))
    else:
        accepted = _read_arrow(folder / stored.arrow, types, columns)
        if len(accepted) != stored.rows:
            raise ValueError(f"{stored.arrow} holds {len(accepted)} rows, not {stored.rows}")
    return dataclasses.replace(stored.staged, accepted=accepted)


def _read_arrow(file: Path, types: pd.DataFrame, columns: list[str] | None) -> pd.DataFrame:
    # Read from the mapped file, the table's buffers point into the mapping (and keep it
    # alive after close): nothing is copied, and a column's pages are read only when it
    # is used. (The reader's included_fields would copy the fields it reads instead.)
    with pa.memory_map(str(file)) as source:
        table = pa.ipc.open_file(source).read_all()
    if columns is not None:
        table = table.select(columns)
    frame = table.to_pandas(types_mapper=_TEXT_TYPES.get)
    return _restore_types(frame, types)


# Arrow text converts to python-storage ``string`` by the pandas metadata; mapped here,
# it stays Arrow text (``string[pyarrow]``) on the mapped buffers, without a copy.
_TEXT_TYPES = {pa.large_string(): TEXT, pa.string(): TEXT}


def _restore_types(frame: pd.DataFrame, types: pd.DataFrame) -> pd.DataFrame:
    """Each column with exactly its stored type. Arrow loses a categorical's categories
    when no rows were written (a source not delivered); a categorical's categories and
    their order are compared as lists, since ``CategoricalDtype`` equality ignores the
    order of unordered categories."""
    for name in frame.columns:
        want, got = types[name].dtype, frame[name].dtype
        if _same_type(want, got):
            continue
        frame[name] = frame[name].astype(want)
    return frame


def _same_type(want, got) -> bool:
    if isinstance(want, pd.CategoricalDtype):
        return (
            isinstance(got, pd.CategoricalDtype)
            and want.ordered == got.ordered
            and want.categories.dtype == got.categories.dtype
            and want.categories.equals(got.categories)
        )
    return want == got
