"""One validator for every source (docs/data-contract.md §3-§4, §9): accepted rows and rejected
rows.

For one source and year it reads every delivered file (in name order), parses each
column by its kind (``columns.py``), derives the contract's columns of a file delivered
in another layout (``layouts.py``), applies the source's rules, then the references to
other sources, then the duplicate-key rule. Every non-blank row ends up either accepted
(typed, staged with the contract's columns whatever its file's layout) or rejected with
the first failing column and a reason a section clerk understands. A file that cannot
be read is recorded as failed; the caller decides what fails.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import union_categoricals

from iku_pipeline.model import (
    FILE,
    KEY,
    ROW,
    FileReport,
    SourceReport,
    Staged,
    Wilayah,
    empty_rejected,
)
from iku_pipeline.sources import layouts, masking, parsers, threads
from iku_pipeline.sources.accepted import DERIVED, accepted_part
from iku_pipeline.sources.columns import NONE, first_of, parse_columns
from iku_pipeline.sources.keys import KeySet, duplicated, is_in, nop_numbers, sorted_search
from iku_pipeline.sources.memory import RELEASE_ROWS, give_back, release_memory
from iku_pipeline.sources.schemas import check_staged
from iku_pipeline.sources.readers import (
    FileFailed,
    FileRows,
    Limits,
    list_files,
    read_file,
)
from iku_pipeline.sources.specs import PERSONAL_KINDS, SOURCES, Column, Kind, SourceSpec

# A source-specific rule: (parsed values, year) -> {column: reasons, at the failing rows}
RowRule = Callable[[pd.DataFrame, int], dict[str, pd.Series]]


def stage_source(
    spec: SourceSpec,
    folder: Path,
    tahun: int,
    key: bytes,
    references: Mapping[str, Staged] | None = None,
    jenis_layanan: Mapping[str, str] | None = None,
    root: Path | None = None,
    limits: Limits | None = None,
    *,
    wilayah: Wilayah,
) -> Staged:
    """Read and validate every file of ``folder`` (one source, one year).

    ``root`` is the data directory (default: three levels above ``raw/<src>/<year>``):
    a file or link resolving outside it is refused.
    """
    paths = list_files(folder)
    if not paths:
        laporan = SourceReport(spec.name, tahun, diserahkan=False)
        return Staged(laporan, _typed_empty(spec, wilayah), empty_rejected())

    reports: list[FileReport] = []
    limits = limits or Limits()
    root = (root or folder.parents[2]).resolve()
    run = _SourceRun(spec, tahun, references or {}, wilayah)
    digests: list[tuple[FileReport, Future]] = []
    for path in paths:
        report = FileReport(path.name, 0, "")
        reports.append(report)
        if not path.resolve().is_relative_to(root):
            report.gagal = (
                "berkas (atau tautannya) menunjuk ke luar folder data; tidak dibaca. "
                "Salin berkasnya ke folder ini."
            )
            continue
        report.ukuran = path.stat().st_size
        digests.append((report, threads.background(_sha256, path)))
        try:
            rows = read_file(path, spec, key, limits)
        except FileFailed as e:
            report.gagal = masking.scrub_text(e.sebab)  # §6: a cause may quote a cell
            continue
        except Exception as e:  # nothing may end in an unexplained crash
            cause = f"berkas tidak dapat dibaca ({type(e).__name__}: {e})"
            report.gagal = masking.scrub_text(cause)
            continue
        report.baris_kosong = rows.blank_rows
        report.dibaca = len(rows.frame)
        if report.dibaca >= RELEASE_ROWS:  # what reading it allocated and let go
            release_memory()
        report.diterima, report.ditolak = run.add(rows)
        del rows  # its raw cells: what the year keeps of them is traced by now
        if report.dibaca >= RELEASE_ROWS:
            release_memory()

    for report, digest in digests:
        report.sha256 = digest.result()
    accepted, rejected, info = run.finish(jenis_layanan)
    del run  # the referenced keys it held
    if len(accepted) >= RELEASE_ROWS:  # the files' parts, joined and let go
        release_memory()
    check_staged(spec.name, accepted, wilayah)
    if len(accepted) >= RELEASE_ROWS:
        release_memory()
    return Staged(SourceReport(spec.name, tahun, True, reports, info), accepted, rejected)


# Each file's checksum and the referenced keys' sorting run beside the staging on
# ``threads.background`` (hashlib, numpy's sorts and Arrow's casts release the GIL).


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


# ---------------------------------------------------------------- source rules


def _layanan_rules(values: pd.DataFrame, tahun: int) -> dict[str, pd.Series]:
    masuk, selesai = values["tanggal_masuk"], values["tanggal_selesai"]
    before = masuk.notna() & selesai.notna() & (selesai < masuk)
    rows = before.index[before.to_numpy(dtype=bool)]
    reasons = [
        f"tanggal_selesai {s:%d/%m/%Y} lebih awal dari tanggal_masuk {m:%d/%m/%Y}"
        for s, m in zip(selesai.loc[rows], masuk.loc[rows])
    ]
    return {"tanggal_selesai": pd.Series(reasons, index=rows, dtype=object)}


SOURCE_RULES: dict[str, RowRule] = {"layanan": _layanan_rules}


# ---------------------------------------------------------------- validation


class _SourceRun:
    """A source-year validated file by file, in name order.

    Each file is decided completely before the next is read: its cells are parsed, its
    rows checked against the source's rules, the referenced sources and the keys
    accepted from the files before it, its rejected rows traced, and its accepted rows
    kept as typed values. Only then are its raw cells freed, so a source of millions of
    rows never holds more than one file's raw cells. Rows are numbered across the files
    (the first file's rows first), exactly as if the files were one.
    """

    def __init__(
        self, spec: SourceSpec, tahun: int, references: Mapping[str, Staged], wilayah: Wilayah
    ):
        self.spec = spec
        self.tahun = tahun
        self.wilayah = wilayah
        self.start = 0  # number of the next file's first row
        self.parts: list[pd.DataFrame] = []  # accepted rows of each file, typed
        # With NOP keys: the keys accepted so far, sorted, for the next file's duplicates;
        # a file's keys are merged in when the next file is added (after the last file,
        # never: merging ten million keys takes half a gigabyte for a moment).
        self.earlier: KeySet | None = None
        self.unmerged: list[pd.Series] = []
        self.raw_parts: list[pd.DataFrame] = []  # raw cells a derivation needs
        self.rejected: list[pd.DataFrame] = []
        self.extras: list[str] = []  # unlisted columns, in order of first appearance
        # The referenced sources' keys, prepared once for every file.
        self.references = {
            ref.column: (references.get(ref.source), _known_keys(references.get(ref.source)))
            for ref in spec.references
        }

    def add(self, rows: FileRows) -> tuple[int, int]:
        """Validate one file: (rows accepted, rows rejected)."""
        spec, tahun = self.spec, self.tahun
        for keys in self.unmerged:
            self.earlier = (
                KeySet(keys) if self.earlier is None else self.earlier.extended(keys)
            )
        self.unmerged = []
        frame = rows.frame
        n = len(frame)
        frame.index = pd.RangeIndex(self.start, self.start + n)
        self.start += n
        read_by = rows.layout or spec  # the columns of the file's layout (§9)
        values, errors = parse_columns(frame, read_by.columns, tahun, self.wilayah)
        if n >= RELEASE_ROWS:  # what parsing allocated and let go
            release_memory()
        if rows.layout is not None:  # the contract's columns, from the layout's
            values, derived = layouts.derive(
                rows.layout, values, frame, errors, spec, self.wilayah
            )
            for name, err in derived.items():
                errors[name] = first_of(errors.get(name, NONE), err)

        rule = SOURCE_RULES.get(spec.name)
        if rule and n:
            for name, err in rule(values, tahun).items():
                errors[name] = first_of(errors.get(name, NONE), err)

        # References to another source's accepted rows of the year are rules of the
        # referencing column, so they take part in "the first failing column" like any
        # other.
        for ref in spec.references:
            target, known = self.references[ref.column]
            err = _reference_errors(ref, values, frame, target, known, tahun)
            errors[ref.column] = first_of(errors.get(ref.column, NONE), err)

        if n >= RELEASE_ROWS:  # the lookups' arrays, before the duplicates'
            give_back()
        kolom, alasan = _first_failure(errors, layouts.error_order(rows.layout, rows.order))

        # Keys as compared (§3): trimmed, case-insensitive; a NOP by its digits.
        values[KEY] = _compared(values[spec.key], spec.column(spec.key))
        kolom, alasan = self._duplicates(rows, values, kolom, alasan)

        bad = np.zeros(n, dtype=bool)
        bad[alasan.index.to_numpy() - frame.index.start] = True
        if bad.any():
            self.rejected.append(_rejected_records(rows, bad, kolom, alasan, spec.name, tahun))
        keep = ~bad
        part, raw = accepted_part(rows, keep, values, spec, self.wilayah, rows.layout)
        del values  # the part holds the accepted rows' values
        self.extras += [c for c in part.columns[len(spec.columns) + 3 :] if c not in self.extras]
        self.parts.append(part)
        self.raw_parts.append(raw)
        if spec.column(spec.key).kind is Kind.NOP:
            self.unmerged.append(part[KEY])
        return int(keep.sum()), int(bad.sum())

    def _duplicates(self, rows: FileRows, values: pd.DataFrame, kolom, alasan):
        """Duplicate keys, among rows that pass every other rule: the first one, in this
        file or an earlier one, is kept and the others rejected naming it."""
        spec, frame = self.spec, rows.frame
        label = layouts.key_label(rows.layout, spec)  # how the reason names the key
        n, lo = len(frame), frame.index.start
        ok = np.ones(n, dtype=bool)
        ok[alasan.index.to_numpy() - lo] = False
        keys = values[KEY]
        ok_keys = keys if ok.all() else keys[ok]  # one copy, for both lookups
        dup = np.zeros(n, dtype=bool)
        nop = spec.column(spec.key).kind is Kind.NOP
        dup[ok] = duplicated(ok_keys) if nop else _duplicated_text(ok_keys)
        if n >= RELEASE_ROWS:  # its pages, before the earlier files' lookup
            give_back()
        # Keys accepted from the earlier files, with the row that holds each.
        earlier: dict[str, tuple[str, int]] = {}
        if self.parts and ok.any():
            if self.earlier is not None:  # NOPs: the earlier files' keys, held sorted
                at = self.earlier.positions(ok_keys)
                found = at >= 0
                dup[ok] |= found
                ends = np.cumsum([len(p) for p in self.parts])
                of_part = np.searchsorted(ends, at[found], side="right")
                for i, part in enumerate(self.parts):
                    rows = at[found][of_part == i] - (ends[i] - len(part))
                    if len(rows):
                        earlier.update(_holders(part, rows))
            else:
                # Looked up the other way round (the earlier keys in a set of this
                # file's), so the set built is one file's, not everything before it.
                before = pa.chunked_array(
                    [c for p in self.parts for c in parsers.arrow(p[KEY]).chunks],
                    type=pa.large_string(),
                )
                # As they are, in chunks: joining them first would copy the file's keys
                # (60 MB for 2.4M) at the moment the lookup's hash table is largest.
                known = parsers.arrow(ok_keys).cast(pa.large_string())
                # Arrow's own membership: a bit per earlier key, not a position.
                hit = pc.is_in(before, value_set=known)
                hit = hit.to_numpy(zero_copy_only=False)
                del before, known
                ends = np.cumsum([len(p) for p in self.parts])
                for part, end in zip(self.parts, ends):
                    here = np.flatnonzero(hit[end - len(part) : end])
                    if len(here):
                        earlier.update(_holders(part, here))
                if earlier:
                    dup[ok] |= is_in(ok_keys, pd.Series(list(earlier), dtype=parsers.TEXT))
        if not dup.any():
            return kolom, alasan
        dup_rows = frame.index[dup]
        dup_keys = keys.loc[dup_rows]
        holders = ok & ~dup & is_in(keys, dup_keys)
        first_row = pd.Series(frame.index[holders], index=keys[holders].to_numpy())
        first_row = first_row[~first_row.index.duplicated()]
        shown = _cells(frame, spec.key, dup_rows, values[spec.key])
        reasons = []
        for v, k in zip(shown, dup_keys.to_numpy()):
            if k in earlier:
                berkas, baris = earlier[k]
            else:
                at = first_row.loc[k]
                berkas, baris = frame[FILE].loc[at], frame[ROW].loc[at]
            reasons.append(
                f"duplikat: {label} '{parsers.display(v)}' sudah ada di {berkas} baris {baris}"
            )
        kolom = pd.concat([kolom, pd.Series("", index=dup_rows, dtype=object)])
        alasan = pd.concat([alasan, pd.Series(reasons, index=dup_rows, dtype=object)])
        return kolom, alasan

    def finish(
        self, jenis_layanan: Mapping[str, str] | None
    ) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
        """(accepted, rejected, info) of the source-year."""
        spec = self.spec
        if not self.parts:  # no file could be read: the typed empty frame
            part, raw = accepted_part(None, np.zeros(0, dtype=bool), None, spec, self.wilayah)
            self.parts, self.raw_parts = [part], [raw]
        parts, raws = self.parts, self.raw_parts
        for part in parts:  # every file's part with every extra column, empty where absent
            for c in self.extras:
                if c not in part:
                    part[c] = pd.Series(pd.NA, index=part.index, dtype=parsers.TEXT)
        # A source has a few files: their names as a category cost a byte a row.
        files = union_categoricals([p[FILE].array for p in parts], sort_categories=True)
        for part in parts:
            del part[FILE]
        self.parts, self.raw_parts, self.earlier, self.unmerged = [], [], None, []
        # A large source's parts joined column by column; a small one's as _joined's
        # docstring says, at once (popping each column of each part costs more).
        small = sum(len(p) for p in parts) < threads.SHARED_ROWS
        out = pd.concat(parts, ignore_index=True) if small else _joined(parts)
        del parts
        out.insert(0, FILE, files)
        # A file that kept no row adds no raw cell; left out, its dtype (object for an
        # XLSX) cannot decide the column's, now or when pandas stops ignoring empties.
        raw = pd.concat([r for r in raws if len(r)] or raws[:1], ignore_index=True)
        del raws
        info: dict = {}
        derive = DERIVED.get(spec.name)
        if derive:
            info = derive(out, raw, self.tahun, jenis_layanan)
        rejected = (
            pd.concat(self.rejected, ignore_index=True) if self.rejected else empty_rejected()
        )
        return out, rejected, info


def _joined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat(parts, ignore_index=True)``, column by column, each column taken out
    of the parts once joined: the parts and the whole are never both in memory (Arrow
    text is joined without a copy; the other columns are copied)."""
    columns = pd.concat([p.iloc[:0] for p in parts]).columns
    joined = {c: pd.concat([p.pop(c) for p in parts], ignore_index=True) for c in columns}
    return pd.DataFrame(joined, columns=columns, copy=False)


def _duplicated_text(keys: pd.Series) -> np.ndarray:
    """``duplicated`` of text keys by a stable sort instead of a hash table:
    equal keys end up side by side in file order, the first of each run kept; empty
    cells are never duplicates. For 2.4M keys: +150 MB and 0.7 s, against +340 MB and
    1.8 s factorising them."""
    cells = parsers.arrow(keys)
    n = len(cells)
    dup = np.zeros(n, dtype=bool)
    if n < 2:
        return dup
    order = pc.sort_indices(cells)  # stable
    ranked = pc.take(cells, order)
    ranked = ranked.combine_chunks() if isinstance(ranked, pa.ChunkedArray) else ranked
    same = pc.equal(ranked.slice(1), ranked.slice(0, n - 1))  # null beside an empty cell
    dup[order.to_numpy()[1:]] = pc.fill_null(same, False).to_numpy(zero_copy_only=False)
    return dup


def _holders(part: pd.DataFrame, rows: np.ndarray) -> dict[str, tuple[str, int]]:
    """{key: (file, row)} of an accepted part's rows at the given positions."""
    held = part.iloc[rows]
    return dict(zip(held[KEY].to_numpy(), zip(held[FILE].to_numpy(), held[ROW].to_numpy())))


def _cells(frame: pd.DataFrame, column: str, rows: pd.Index, derived: pd.Series):
    """A file's raw cells of a column at some rows; where the file's layout has no such
    column, the values derived for it (the NOP composed of its parts, §9)."""
    if column in frame:
        return frame[column].loc[rows]
    return derived.loc[rows]


def _known_keys(target: Staged | None) -> _Known:
    keys = target.diterima[KEY] if target is not None else pd.Series([], dtype=parsers.TEXT)
    return _Known(keys)


class _Known:
    """A referenced source's accepted keys, for membership only. NOPs (every key 18
    ASCII digits) as one sorted int64 list: ``KeySet`` would also keep each
    key's position (another 80 MB for a roll of ten million); other keys a KeySet."""

    def __init__(self, keys: pd.Series):
        self._sorted: np.ndarray | None = None
        self._set: KeySet | None = None
        # Prepared in the background while the first file is read.
        self._ready: Future | None = threads.background(self._prepare, keys)

    def _prepare(self, keys: pd.Series) -> None:
        numbers = nop_numbers(parsers.arrow(keys))
        self._sorted = None if numbers is None else np.sort(numbers)
        self._set = KeySet(keys) if numbers is None else None

    def contains(self, keys: pd.Series) -> np.ndarray:
        """Which of ``keys`` are known (exactly); empty cells: False."""
        if self._ready is not None:
            self._ready.result()  # raises what preparing raised
            self._ready = None
        if self._sorted is None:
            return self._set.contains(keys)
        cells = parsers.arrow(keys)
        out = np.zeros(len(cells), dtype=bool)
        if not len(self._sorted) or not len(cells):
            return out
        # Only an 18-digit text can equal an 18-digit key.
        fits = pc.and_(pc.equal(pc.binary_length(cells), 18), pc.ascii_is_decimal(cells))
        fits = pc.fill_null(fits, False).to_numpy(zero_copy_only=False)
        numbers = pc.cast(pc.filter(cells, fits), pa.int64()).to_numpy(zero_copy_only=False)
        # Looked up in sorted order: neighbouring lookups touch neighbouring memory.
        out[fits] = sorted_search(self._sorted, numbers, positions=False)[0]
        return out


def _compared(values: pd.Series, column: Column) -> pd.Series:
    """Keys as compared (§3): trimmed (parsing did that) and case-insensitive."""
    return values if column.kind is Kind.NOP else parsers.casefold(values)


def _reference_errors(
    ref, values, frame: pd.DataFrame, target: Staged | None, known: _Known, tahun: int
) -> pd.Series:
    """Rows whose ``ref.column`` names no accepted row of the referenced source."""
    keys = _compared(values[ref.column], SOURCES[ref.source].column(ref.source_column))
    checked = keys.notna().to_numpy(dtype=bool)
    if ref.when_year_column:  # only the partition year's tahun_pajak must be on the roll
        checked &= values[ref.when_year_column].fillna(tahun).eq(tahun).to_numpy(dtype=bool)
    missing = checked & ~known.contains(keys)
    note = "" if target is not None and target.diserahkan else " (belum diserahkan)"
    rows = frame.index[missing]
    judul = SOURCES[ref.source].judul
    return pd.Series(
        [
            f"{ref.column} '{parsers.display(v)}' tidak ada dalam {judul} tahun {tahun}{note}"
            for v in _cells(frame, ref.column, rows, values[ref.column])
        ],
        index=rows,
        dtype=object,
    )


def _first_failure(
    errors: dict[str, pd.Series], columns: list[str]
) -> tuple[pd.Series, pd.Series]:
    """The first failing column of each row, left to right as the file has them
    (``columns``): (kolom, alasan), indexed by the failing rows."""
    order = [c for c in columns if c in errors]
    order += [c for c in errors if c not in order]  # absent optional columns
    order = [c for c in order if len(errors[c])]
    if not order:
        return pd.Series(dtype=object), pd.Series(dtype=object)
    # What a concat of (kolom, alasan) frames kept at each row's first index gave, on the
    # arrays: a frame per column and its concat cost more than a small file's reasons.
    rows = np.concatenate([errors[c].index.to_numpy() for c in order])
    kolom = np.repeat(np.array(order, dtype=object), [len(errors[c]) for c in order])
    alasan = np.concatenate([errors[c].to_numpy(dtype=object) for c in order])
    _, first = np.unique(rows, return_index=True)
    first.sort()  # in the concat's order
    index = pd.Index(rows[first])
    return pd.Series(kolom[first], index=index), pd.Series(alasan[first], index=index)


def _rejected_records(
    rows: FileRows, bad: np.ndarray, kolom: pd.Series, alasan: pd.Series, sumber: str, tahun: int
) -> pd.DataFrame:
    # The rejected rows' cells taken by position, column by column: ``frame.loc`` of a
    # sub-frame and ``kolom.loc`` by label cost more than a small file's rows. ``kolom``
    # and ``alasan`` hold exactly the rejected rows, once each: sorted by row, they are
    # the rows in file order.
    frame = rows.frame
    at = np.flatnonzero(bad)
    names = [rows.headers[c] for c in rows.order]
    # §6, again on the rows shown (the reader masked them): a NIK, or a name after a
    # marker, in any cell but a key's, a NOP's and the masked personal columns'.
    spec = SOURCES[sumber]
    kept = {
        c.name
        for c in (*spec.columns, *(rows.layout.columns if rows.layout else ()))
        if c.kind in masking.KEPT_KINDS | PERSONAL_KINDS
    } | {c for c in rows.order if f"{c}_hash" in frame}
    shown = [_shown(frame[c], at, scrub=c not in kept) for c in rows.order]
    if not rows.order:
        isi = ["{}"] * len(at)
    elif len(set(names)) == len(names) and all(isinstance(n, str) for n in names):
        # What json.dumps(dict(zip(names, cells)), ensure_ascii=False) writes, each cell
        # encoded by the same function it uses, without a dict and an encoder per row
        # (a file's hundred thousand rejected rows: about a second).
        heads = [_json_text(n) + ": " for n in names]
        encoded = [[head + _json_text(v) for v in cells] for head, cells in zip(heads, shown)]
        isi = ["{" + ", ".join(cells) + "}" for cells in zip(*encoded)]
    else:  # headers written twice: the dict keeps the last cell under the first name
        isi = [json.dumps(dict(zip(names, cells)), ensure_ascii=False) for cells in zip(*shown)]
    return pd.DataFrame(
        {
            "sumber": sumber,
            "tahun": tahun,
            "berkas": frame[FILE].to_numpy(dtype=object)[at],
            "baris": frame[ROW].to_numpy()[at].astype("int64"),
            "kolom": _in_row_order(kolom),
            "alasan": _reasons_shown(_in_row_order(alasan), _in_row_order(kolom), kept),
            "isi_baris": isi,
        }
    )


def _in_row_order(found: pd.Series) -> np.ndarray:
    """A reason per failing row (each once), in the rows' order."""
    order = np.argsort(found.index.to_numpy(), kind="stable")
    return found.to_numpy(dtype=object)[order]


_json_text = json.encoder.encode_basestring  # a str as json.dumps(ensure_ascii=False) writes it


def _shown(cells: pd.Series, at: np.ndarray, scrub: bool = False) -> list[str]:
    """``parsers.display`` of the cells at positions ``at``: for text, the cell trimmed
    (in Arrow, whose whitespace is ``str.strip``'s), an empty cell ""; with ``scrub``,
    NIKs and names after a marker masked (§6)."""
    if cells.dtype == parsers.TEXT:
        text = pc.utf8_trim_whitespace(pc.take(parsers.arrow(cells), pa.array(at)))
        text = pc.fill_null(text, "")
        scrubbed = masking.scrub_array(text) if scrub else None
        return (text if scrubbed is None else scrubbed).to_pylist()
    shown = [parsers.display(v) for v in cells.to_numpy(dtype=object)[at]]
    return masking.scrub_texts(shown) if scrub else shown


def _reasons_shown(alasan: np.ndarray, kolom: np.ndarray, kept: set[str]) -> np.ndarray:
    """The reasons, a NIK or a name after a marker masked in each (§6: a reason quotes
    the failing cell), except where it quotes a key or a NOP: a duplicate's (kolom "")
    and a key's, NOP's or reference's, whose values are kept as written."""
    scrub = np.flatnonzero([k != "" and k not in kept for k in kolom])
    if len(scrub):
        alasan = alasan.copy()
        alasan[scrub] = np.array(masking.scrub_texts(list(alasan[scrub])), dtype=object)
    return alasan


# ---------------------------------------------------------------- a source not delivered


def _typed_empty(spec: SourceSpec, wilayah: Wilayah) -> pd.DataFrame:
    """The accepted rows of a source not delivered: none, with every column typed."""
    return _typed_empty_once(spec, wilayah).copy(deep=True)


@functools.lru_cache(maxsize=32)
def _typed_empty_once(spec: SourceSpec, wilayah: Wilayah) -> pd.DataFrame:
    # Built once per spec and kelurahan table (13 ms each, the Pandera check included);
    # every caller gets its own copy.
    accepted, _, _ = _SourceRun(spec, 0, {}, wilayah).finish(None)
    return accepted
