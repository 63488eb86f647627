"""One validator for every source (DATA_CONTRACT §3-§4): accepted rows and rejected rows.

For one source and year it reads every delivered file (in name order), parses each
column by its kind, applies the source's rules, then the references to other sources,
then the duplicate-key rule. Every non-blank row ends up either accepted (typed, staged)
or rejected with the first failing column and a reason a section clerk understands.
A file that cannot be read is recorded as failed; the caller decides what fails.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from iku_pipeline.sources import parsers
from iku_pipeline.sources.reference import map_jenis_layanan
from iku_pipeline.sources.schemas import check_staged
from iku_pipeline.sources.readers import (
    FILE,
    ROW,
    FileFailed,
    FileRows,
    Limits,
    list_files,
    read_file,
)
from iku_pipeline.sources.specs import SOURCES, Column, Kind, SourceSpec

REJECTED_COLUMNS = ("sumber", "tahun", "berkas", "baris", "kolom", "alasan", "isi_baris")
KEY = "_kunci"  # the source key as compared: trimmed, case-folded (a NOP: its digits)


@dataclass
class FileReport:
    berkas: str
    ukuran: int  # bytes
    sha256: str
    dibaca: int = 0  # non-blank rows read
    diterima: int = 0
    ditolak: int = 0
    baris_kosong: int = 0
    gagal: str | None = None  # why the file could not be read at all


@dataclass
class Staged:
    """A source's rows for one year, after validation. Personal data is masked."""

    sumber: str
    tahun: int
    delivered: bool
    accepted: pd.DataFrame
    rejected: pd.DataFrame
    files: list[FileReport] = field(default_factory=list)
    info: dict = field(default_factory=dict)  # source-specific figures for the report

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.gagal]

    @property
    def rows_read(self) -> int:
        return sum(f.dibaca for f in self.files)


class SourceFailed(Exception):
    """One or more delivered files of a source-year could not be read (§4)."""

    def __init__(self, sumber: str, tahun: int, failed: list[FileReport]):
        lines = [f"{f.berkas}: {f.gagal}" for f in failed]
        super().__init__(
            f"{len(failed)} berkas {sumber} tahun {tahun} tidak dapat dibaca:\n  "
            + "\n  ".join(lines)
        )
        self.sumber = sumber
        self.tahun = tahun
        self.failed = failed


# A source-specific rule: (accepted-so-far frame, parsed values, year) -> {column: errors}
RowRule = Callable[[pd.DataFrame, int], dict[str, pd.Series]]


def empty_rejected() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in REJECTED_COLUMNS})


def stage_source(
    spec: SourceSpec,
    folder: Path,
    tahun: int,
    key: bytes,
    references: Mapping[str, Staged] | None = None,
    jenis_layanan: Mapping[str, str] | None = None,
    root: Path | None = None,
    limits: Limits | None = None,
) -> Staged:
    """Read and validate every file of ``folder`` (one source, one year).

    ``root`` is the data directory (default: three levels above ``raw/<src>/<year>``):
    a file or link resolving outside it is refused.
    """
    paths = list_files(folder)
    if not paths:
        return Staged(spec.name, tahun, False, _typed_empty(spec), empty_rejected())

    reads: list[FileRows] = []
    reports: list[FileReport] = []
    limits = limits or Limits.from_env()
    root = (root or folder.parents[2]).resolve()
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
        with path.open("rb") as f:
            report.sha256 = hashlib.file_digest(f, "sha256").hexdigest()
        try:
            rows = read_file(path, spec, key, limits)
        except FileFailed as e:
            report.gagal = e.sebab
            continue
        except Exception as e:  # nothing may end in an unexplained crash
            report.gagal = f"berkas tidak dapat dibaca ({type(e).__name__}: {e})"
            continue
        report.baris_kosong = rows.blank_rows
        reads.append(rows)

    frame = (
        pd.concat([r.frame for r in reads], ignore_index=True)
        if reads
        else pd.DataFrame(columns=[FILE, ROW])
    )
    accepted, rejected, info = _validate(frame, reads, spec, tahun, references or {}, jenis_layanan)
    check_staged(spec.name, accepted)

    by_file = {r.berkas: r for r in reports}
    for name, n in frame[FILE].value_counts().items():
        by_file[name].dibaca = int(n)
    for name, n in accepted[FILE].value_counts().items():
        by_file[name].diterima = int(n)
    for name, n in rejected["berkas"].value_counts().items():
        by_file[name].ditolak = int(n)
    return Staged(spec.name, tahun, True, accepted, rejected, reports, info)


# ---------------------------------------------------------------- parsing


def _parse(column: Column, cells: pd.Series) -> parsers.Parsed:
    label = column.name
    match column.kind:
        case Kind.DATE:
            return parsers.parse_date(cells)
        case Kind.RUPIAH:
            return parsers.parse_rupiah(cells, label)
        case Kind.NUMBER:
            return parsers.parse_number(cells, label)
        case Kind.WHOLE:
            return parsers.parse_whole(cells, label)
        case Kind.YEAR:
            return parsers.parse_year(cells, label)
        case Kind.KELURAHAN:
            return parsers.parse_kelurahan(cells)
        case Kind.NOP:
            return parsers.parse_nop(cells)
        case Kind.STATUS:
            return parsers.parse_status(cells)
        case Kind.HASIL:
            return parsers.parse_hasil(cells)
        case _:  # TEXT, KEY and the already-masked personal columns
            text = parsers.as_text(cells)
            return parsers.Parsed(text, pd.Series([None] * len(cells), index=cells.index))


def _rule_errors(column: Column, values: pd.Series, cells: pd.Series, tahun: int) -> pd.Series:
    """Errors of a column's own rules (range, inside the year), on parsed values."""
    errors = pd.Series([None] * len(values), index=values.index, dtype=object)
    if column.in_year:
        outside = values.notna() & values.dt.year.ne(tahun)
        for i in outside[outside].index:
            errors[i] = f"tanggal {parsers.display(cells[i])} di luar tahun {tahun}"
    if column.min_value is not None:
        low = values.notna() & (values < column.min_value)
        for i in low[low].index:
            if column.min_value == 0:
                errors[i] = f"{column.name} {parsers.display(cells[i])} tidak boleh negatif"
            else:
                errors[i] = (
                    f"{column.name} {parsers.display(cells[i])} harus paling sedikit "
                    f"{column.min_value:g}"
                )
    if column.positive:
        low = values.notna() & (values <= 0)
        for i in low[low].index:
            errors[i] = f"{column.name} {parsers.display(cells[i])} harus lebih dari 0"
    return errors


# ---------------------------------------------------------------- source rules


def _layanan_rules(values: pd.DataFrame, tahun: int) -> dict[str, pd.Series]:
    masuk, selesai = values["tanggal_masuk"], values["tanggal_selesai"]
    before = masuk.notna() & selesai.notna() & (selesai < masuk)
    errors = pd.Series([None] * len(values), index=values.index, dtype=object)
    for i in before[before].index:
        errors[i] = (
            f"tanggal_selesai {selesai[i]:%d/%m/%Y} lebih awal dari tanggal_masuk "
            f"{masuk[i]:%d/%m/%Y}"
        )
    return {"tanggal_selesai": errors}


SOURCE_RULES: dict[str, RowRule] = {"layanan": _layanan_rules}


# ---------------------------------------------------------------- validation


def _validate(
    frame: pd.DataFrame,
    reads: list[FileRows],
    spec: SourceSpec,
    tahun: int,
    references: Mapping[str, Staged],
    jenis_layanan: Mapping[str, str] | None,
):
    n = len(frame)
    index = frame.index
    values = pd.DataFrame(index=index)
    errors = pd.DataFrame(index=index)
    for column in spec.columns:
        cells = frame[column.name] if column.name in frame else pd.Series([None] * n, index=index, dtype=object)
        parsed = _parse(column, cells)
        err = parsed.errors.copy()
        if column.required and column.kind is not Kind.STATUS:
            empty = parsers.is_empty(cells)
            err[empty] = f"{column.name} wajib diisi tetapi kosong"
        rule = _rule_errors(column, parsed.values, cells, tahun)
        err = err.where(err.notna(), rule)
        values[column.name] = parsed.values
        errors[column.name] = err
    rule = SOURCE_RULES.get(spec.name)
    if rule:
        for name, err in rule(values, tahun).items():
            errors[name] = errors[name].where(errors[name].notna(), err)

    # References to another source's accepted rows of the year are rules of the
    # referencing column, so they take part in "the first failing column" like any other.
    for ref in spec.references:
        err = _reference_errors(ref, values, frame, references.get(ref.source), tahun)
        errors[ref.column] = errors[ref.column].where(errors[ref.column].notna(), err)

    kolom, alasan = _first_failure(errors, frame, reads, spec)

    # Keys as compared (§3): trimmed, case-insensitive; a NOP by its digits.
    values[KEY] = _compared(values[spec.key], spec.column(spec.key))

    # Duplicate keys, among rows that pass every other rule: the first one is kept.
    ok = alasan.isna()
    dup = values[KEY].where(ok).duplicated(keep="first") & ok
    if dup.any():
        first = (
            frame.loc[ok & ~dup, [FILE, ROW]]
            .assign(k=values.loc[ok & ~dup, KEY])
            .drop_duplicates("k")
            .set_index("k")
        )
        for i in dup[dup].index:
            k = values.at[i, KEY]
            kolom[i] = ""
            alasan[i] = (
                f"duplikat: {spec.key} '{parsers.display(frame.at[i, spec.key])}' sudah ada di "
                f"{first.at[k, FILE]} baris {first.at[k, ROW]}"
            )

    bad = alasan.notna()
    rejected = _rejected_records(frame[bad], kolom[bad], alasan[bad], reads, spec.name, tahun)
    accepted, info = _accepted_frame(frame[~bad], values[~bad], spec, tahun, jenis_layanan)
    return accepted, rejected, info


def _compared(values: pd.Series, column: Column) -> pd.Series:
    """Keys as compared (§3): trimmed (parsing did that) and case-insensitive."""
    return values if column.kind is Kind.NOP else values.str.casefold()


def _reference_errors(ref, values, frame, target: Staged | None, tahun: int) -> pd.Series:
    """Rows whose ``ref.column`` names no accepted row of the referenced source."""
    known = set(target.accepted[KEY]) if target is not None else set()
    keys = _compared(values[ref.column], SOURCES[ref.source].column(ref.source_column))
    checked = keys.notna()
    if ref.when_year_column:  # only the partition year's tahun_pajak must be on the roll
        checked &= values[ref.when_year_column].fillna(tahun).eq(tahun)
    missing = checked & ~keys.isin(known)
    note = "" if target is not None and target.delivered else " (belum diserahkan)"
    errors = pd.Series([None] * len(values), index=values.index, dtype=object)
    for i in missing[missing].index:
        errors[i] = (
            f"{ref.column} '{parsers.display(frame.at[i, ref.column])}' tidak ada dalam "
            f"{SOURCES[ref.source].judul} tahun {tahun}{note}"
        )
    return errors


def _first_failure(errors: pd.DataFrame, frame: pd.DataFrame, reads: list[FileRows], spec):
    """The first failing column of each row, left to right as the file has them."""
    kolom = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    alasan = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    failing = errors.notna().any(axis=1)
    if not failing.any():
        return kolom, alasan
    for rows in reads:
        in_file = failing & frame[FILE].eq(rows.berkas)
        if not in_file.any():
            continue
        order = [c for c in rows.order if c in errors.columns]
        order += [c for c in errors.columns if c not in order]  # absent optional columns
        sub = errors.loc[in_file, order]
        first_col = sub.notna().idxmax(axis=1)
        kolom[first_col.index] = first_col
        alasan[first_col.index] = [sub.at[i, c] for i, c in first_col.items()]
    return kolom, alasan


def _rejected_records(frame, kolom, alasan, reads, sumber: str, tahun: int) -> pd.DataFrame:
    if frame.empty:
        return empty_rejected()
    headers = {r.berkas: r for r in reads}
    isi = []
    for i, row in frame.iterrows():
        rows = headers[row[FILE]]
        isi.append(
            json.dumps(
                {rows.headers[c]: parsers.display(row[c]) for c in rows.order},
                ensure_ascii=False,
            )
        )
    return pd.DataFrame(
        {
            "sumber": sumber,
            "tahun": tahun,
            "berkas": frame[FILE].to_numpy(),
            "baris": frame[ROW].astype("int64").to_numpy(),
            "kolom": kolom.to_numpy(),
            "alasan": alasan.to_numpy(),
            "isi_baris": isi,
        }
    )


# ---------------------------------------------------------------- accepted rows


def _typed_empty(spec: SourceSpec) -> pd.DataFrame:
    frame = pd.DataFrame(columns=[FILE, ROW])
    accepted, _ = _accepted_frame(frame, pd.DataFrame(index=frame.index), spec, 0, None)
    return accepted


_DTYPES = {
    Kind.DATE: "datetime64[ns]",
    Kind.RUPIAH: "Int64",
    Kind.WHOLE: "Int64",
    Kind.YEAR: "Int64",
    Kind.NUMBER: "Float64",
    Kind.STATUS: "boolean",
}


def _accepted_frame(frame, values, spec: SourceSpec, tahun: int, jenis_layanan):
    out = pd.DataFrame(
        {FILE: frame[FILE].astype("string"), ROW: frame[ROW].astype("int64")}, index=frame.index
    )
    for column in spec.columns:
        v = values[column.name] if column.name in values else pd.Series(dtype=object)
        out[column.name] = v.astype(_DTYPES.get(column.kind, "string"))
    out[KEY] = (values[KEY] if KEY in values else pd.Series(dtype=object)).astype("string")
    extras = [c for c in frame.columns if c not in out.columns and c not in (FILE, ROW)]
    for c in extras:  # kept in staging as text, personal ones already masked (§2, §6)
        out[c] = parsers.as_text(frame[c]) if not c.endswith("_hash") else frame[c]
    info: dict = {}
    derive = DERIVED.get(spec.name)
    if derive:
        info = derive(out, frame, tahun, jenis_layanan)
    return out.reset_index(drop=True), info


def _derive_layanan(out: pd.DataFrame, frame: pd.DataFrame, tahun: int, jenis_layanan) -> dict:
    # §3: an empty status means processed when tanggal_selesai is given.
    out["diproses"] = out["status"].fillna(out["tanggal_selesai"].notna()).astype(bool)
    out["status"] = parsers.as_text(frame["status"]) if len(frame) else out["status"].astype("string")
    out["kategori"], unmapped = map_jenis_layanan(out["jenis_layanan"], jenis_layanan)
    return {"jenis_layanan_tidak_dikenal": unmapped}


def _derive_pembayaran(out: pd.DataFrame, frame: pd.DataFrame, tahun: int, _) -> dict:
    out["tahun_pajak"] = out["tahun_pajak"].fillna(tahun).astype("Int64")
    return {}


DERIVED = {"layanan": _derive_layanan, "pbb_pembayaran": _derive_pembayaran}
