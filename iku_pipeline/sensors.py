"""A sensor on the data folder (docs/data-contract.md §1, §7): a delivery under
``raw/<source>/<year>/`` that is new, changed or removed requests one run of that year,
once its copy is complete; a changed reference table requests the runs it affects.

**By content, once settled** (project rule). Changes are detected by content (size and
sha256), not by modification time: a re-delivered file with the same mtime still
counts, a file merely touched or copied over with the same bytes does not. A change is
acted on only when the sensor has seen the same content on two consecutive ticks, so a
file still being copied (a large workbook over a network share, a CSV written in
chunks) is never read half-written: a file whose content moved between two ticks is
named on the tick ("sedang disalin?") and its year waits, with every other change of
that year. A file with a download or copy tool's temporary name (``.tmp``, ``.part``,
``.crdownload``, …) is never a change itself, and holds its year while it is there.
Hidden files and Excel lock files (``~$...``) are not deliveries
(``iku_pipeline.sources.readers.list_files``).

**Reference tables.** ``reference/jenis_layanan.csv`` and ``reference/kelurahan.csv``
decide which rows count: a settled change of either requests a run of every year that
has extracts. Every other table of ``reference/`` (``target_iku.csv``, ``predikat.csv``,
…) only changes how figures are shown: a settled change requests one run of the job
``iku_presentasi``, which rebuilds the matrices and files of every published year from
the warehouse without reading an extract.

The cursor keeps what was seen; it is JSON::

    {"files":   {"<source>/<year>/<file>": "<sha256>", ...},   settled deliveries
     "keys":    {"<year>": "<run key of the year's last requested run>", ...},
     "ref":     {"<reference file>": "<sha256>", ...},          settled reference tables
     "pending": {"<path>": "<size>:<sha256 prefix>" or "-", ...},  changes seen once
     "owed":    ["<year>", ...],          years a reference change still has to run
     "pkey":    "<run key of the last iku_presentasi request>"}

``pending``, ``owed`` and ``pkey`` are left out when empty. A cursor of an earlier
version (``files`` and ``keys`` only) is read as settled: its files run nothing again,
and the reference tables as they are at the first tick become the baseline.

A year's run key is ``<year>:<digest>``, the digest chaining the year's previous run key
with its current file hashes and the row tables' hashes. Chaining matters: Dagster
never starts a second run with a run key it has seen, so a key of the file hashes alone
would swallow the run when a section puts back an earlier version of a file
(v1 -> v2 -> v1).

Files the pipeline would not read are reported, never ignored silently: a year outside
the partitions (before 2021, or a coming year delivered early - it is picked up when its
year begins), a folder that is not a known source, a file outside a year folder, a
subfolder of a year folder.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from iku_pipeline.jobs import iku_presentasi, iku_tahunan
from iku_pipeline.partitions import FIRST_YEAR, tahun_partitions
from iku_pipeline.publish.presentasi import ROW_TABLES
from iku_pipeline.resources import IkuPaths
from iku_pipeline.sources.readers import list_files
from iku_pipeline.sources.specs import SOURCES

_YEAR = re.compile(r"^\d{4}$")
_NOT_DELIVERIES = (".", "~$")
# Names download and copy tools give a file until it is complete (project rule).
TEMPORARY_SUFFIXES = (
    ".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".filepart",
)  # fmt: skip
# Files named per reason in a skip message or log line; the rest are counted.
MAX_LISTED = 20


def _is_delivery_name(name: str) -> bool:
    return not name.startswith(_NOT_DELIVERIES)


def is_temporary_name(name: str) -> bool:
    return name.lower().endswith(TEMPORARY_SUFFIXES)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Scan:
    """What is under ``raw/``: the deliveries the pipeline reads, by relative path, and
    the files it would not read, by reason."""

    files: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    not_read: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    unhashable: dict[str, str] = field(default_factory=dict)
    temporary: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def _files_under(folder: Path) -> list[Path]:
    """Every file under ``folder`` that would count as a delivery (not hidden, no lock)."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and all(_is_delivery_name(part) for part in p.relative_to(folder).parts)
    )


def scan_raw(raw: Path, years: set[str]) -> Scan:
    """Hash every delivery under ``raw/<source>/<year>/`` for the given years, and list
    everything else that looks like a delivery with the reason it is not read."""
    scan = Scan()
    if not raw.is_dir():
        return scan
    first, last = FIRST_YEAR, max(years, default=str(FIRST_YEAR))
    outside_years = f"tahun di luar rentang {first}-{last}"

    def report(reason: str, paths: list[Path]) -> None:
        scan.not_read[reason] += [p.relative_to(raw).as_posix() for p in paths]

    for entry in sorted(raw.iterdir()):
        if not _is_delivery_name(entry.name):
            continue
        if not entry.is_dir():
            report("tidak berada dalam folder <sumber>/<tahun>/", [entry])
            continue
        if entry.name not in SOURCES:
            report(
                f"folder sumber tidak dikenal (yang dikenal: {', '.join(SOURCES)})",
                _files_under(entry),
            )
            continue
        for year_dir in sorted(entry.iterdir()):
            if not _is_delivery_name(year_dir.name):
                continue
            if not year_dir.is_dir():
                report("tidak berada dalam folder tahun", [year_dir])
            elif not _YEAR.match(year_dir.name):
                report("nama folder bukan tahun empat angka", _files_under(year_dir))
            elif year_dir.name not in years:
                report(outside_years, _files_under(year_dir))
            else:
                for sub in sorted(p for p in year_dir.iterdir() if p.is_dir()):
                    if _is_delivery_name(sub.name):
                        report("berada di subfolder folder tahun", _files_under(sub))
                for path in list_files(year_dir):
                    rel = path.relative_to(raw).as_posix()
                    if is_temporary_name(path.name):
                        scan.temporary[year_dir.name].append(rel)
                        continue
                    try:
                        scan.sizes[rel] = path.stat().st_size
                        scan.files[rel] = sha256_of(path)
                    except OSError as e:
                        scan.sizes.pop(rel, None)
                        scan.unhashable[rel] = f"{type(e).__name__}: {e}"
    return scan


def _listed(paths: list[str]) -> str:
    shown = ", ".join(paths[:MAX_LISTED])
    more = len(paths) - MAX_LISTED
    return shown + (f" dan {more} lainnya" if more > 0 else "")


def not_read_message(scan: Scan, raw: Path) -> str | None:
    parts = [
        f"{reason}: {_listed(paths)}" for reason, paths in scan.not_read.items() if paths
    ]
    parts += [
        f"tidak dapat dibaca sensor: {rel} ({err})" for rel, err in scan.unhashable.items()
    ]
    if not parts:
        return None
    return f"Berkas di {raw} yang tidak dibaca pipeline - " + "; ".join(parts)




# ---------------------------------------------------------------- the cursor

_REF = "reference/"  # prefix of a reference table's path in ``pending``
_ABSENT = "-"


@dataclass
class State:
    """What the cursor holds (see the module's docstring)."""

    files: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    ref: dict[str, str] | None = None  # None: a cursor of an earlier version, or none
    pending: dict[str, str] = field(default_factory=dict)
    owed: set[str] = field(default_factory=set)
    pkey: str = ""

    @classmethod
    def load(cls, cursor: str | None) -> State:
        if not cursor:
            return cls()
        data = json.loads(cursor)
        return cls(
            files=dict(data.get("files", {})),
            keys=dict(data.get("keys", {})),
            ref=dict(data["ref"]) if "ref" in data else None,
            pending=dict(data.get("pending", {})),
            owed=set(data.get("owed", [])),
            pkey=str(data.get("pkey", "")),
        )

    def dump(self) -> str:
        data: dict = {"files": self.files, "keys": self.keys, "ref": self.ref or {}}
        if self.pending:
            data["pending"] = self.pending
        if self.owed:
            data["owed"] = sorted(self.owed)
        if self.pkey:
            data["pkey"] = self.pkey
        return json.dumps(data, sort_keys=True, separators=(",", ":"))


def _observed(size: int | None, sha: str | None) -> str:
    """What a tick saw of a path, compactly: size and sha256 prefix, or absent."""
    return _ABSENT if sha is None else f"{size}:{sha[:16]}"


def _digest(previous: str | None, hashes: dict[str, str]) -> str:
    digest = hashlib.sha256()
    digest.update((previous or "").encode())
    for rel in sorted(hashes):
        digest.update(f"\n{rel}\0{hashes[rel]}".encode())
    return digest.hexdigest()[:20]


def year_run_key(year: str, previous_key: str | None, files: dict[str, str]) -> str:
    """``<year>:<digest>`` of the year's previous run key and its current file hashes
    (with the row tables' hashes as ``reference/<name>``)."""
    return f"{year}:{_digest(previous_key, files)}"


def scan_reference(folder: Path) -> tuple[dict[str, str], dict[str, int], list[str]]:
    """The reference tables by name: sha256 and size; and the temporary names found."""
    hashes, sizes, temporary = {}, {}, []
    if not folder.is_dir():
        return hashes, sizes, temporary
    for path in list_files(folder):
        if is_temporary_name(path.name):
            temporary.append(f"{_REF}{path.name}")
            continue
        try:
            sizes[path.name] = path.stat().st_size
            hashes[path.name] = sha256_of(path)
        except OSError:
            sizes.pop(path.name, None)  # kept as it was; retried next tick
    return hashes, sizes, temporary


# ---------------------------------------------------------------- one tick


@dataclass
class Evaluation:
    """A tick's outcome: the new cursor, the years to run (and why), whether
    ``iku_presentasi`` runs, and what is still being copied."""

    state: State
    years: dict[str, list[str]] = field(default_factory=dict)
    presentasi: list[str] = field(default_factory=list)
    waiting: dict[str, list[str]] = field(default_factory=dict)
    scan: Scan = field(default_factory=Scan)

    @property
    def cursor(self) -> str:
        return self.state.dump()


_FIRST_SEEN = "baru atau berubah; diperiksa lagi pada pemeriksaan berikutnya"
_MOVING = "sedang disalin? isinya berubah sejak pemeriksaan sebelumnya"
_HELD = "sudah lengkap; menunggu berkas lain di folder yang sama"
_TEMPORARY = "nama berkas sementara (sedang disalin?)"


def _settle(
    paths: list[str], observed: dict[str, str], pending: dict[str, str],
    temporary: list[str], waiting: list[str],
) -> bool:
    """Whether every changed path was seen the same on the previous tick and nothing is
    under a temporary name; otherwise each is described into ``waiting``."""
    settled = not temporary and all(pending.get(p) == observed[p] for p in paths)
    if not settled:
        for p in paths:
            before = pending.get(p)
            why = _FIRST_SEEN if before is None else _HELD if before == observed[p] else _MOVING
            waiting.append(f"{p} ({why})")
        waiting += [f"{p} ({_TEMPORARY})" for p in temporary]
    return settled


def evaluate(
    raw: Path, cursor: str | None, years: set[str], reference: Path | None = None
) -> Evaluation:
    """One tick over ``raw`` (and ``reference``, when given) against ``cursor``."""
    old = State.load(cursor)
    new = State(keys=dict(old.keys), pkey=old.pkey, owed=set(old.owed))
    result = Evaluation(state=new, scan=scan_raw(raw, years))
    scan = result.scan

    # Reference tables first: a settled change of a row table owes a run to every year.
    ref_now, ref_sizes, ref_temporary = scan_reference(reference) if reference else ({}, {}, [])
    confirmed_ref = dict(old.ref) if old.ref is not None else dict(ref_now)  # baseline
    for name in set(confirmed_ref) - set(ref_now):
        if reference is not None and (reference / name).exists():
            ref_now[name] = confirmed_ref[name]  # could not be hashed this tick
    changed_ref = sorted(n for n in set(ref_now) | set(confirmed_ref)
                         if ref_now.get(n) != confirmed_ref.get(n))  # fmt: skip
    observed = {f"{_REF}{n}": _observed(ref_sizes.get(n), ref_now.get(n)) for n in changed_ref}
    waiting: list[str] = []
    if changed_ref and _settle(list(observed), observed, old.pending, ref_temporary, waiting):
        confirmed_ref = {**confirmed_ref, **{n: ref_now[n] for n in changed_ref if n in ref_now}}
        for n in changed_ref:
            if n not in ref_now:
                confirmed_ref.pop(n, None)
        if any(n in ROW_TABLES for n in changed_ref):  # every year with extracts
            new.owed |= {rel.split("/")[1] for rel in scan.files} & years
        shown = [n for n in changed_ref if n not in ROW_TABLES]
        if shown:
            presentation = {n: h for n, h in confirmed_ref.items() if n not in ROW_TABLES}
            new.pkey = f"presentasi:{_digest(old.pkey, presentation)}"
            result.presentasi = shown
    elif changed_ref:
        new.pending.update(observed)
        result.waiting["reference"] = waiting
    new.ref = confirmed_ref
    row_hashes = {f"{_REF}{n}": h for n, h in confirmed_ref.items() if n in ROW_TABLES}

    # A file the sensor could not hash this time keeps its last known hash.
    current = dict(scan.files)
    current.update({rel: old.files[rel] for rel in scan.unhashable if rel in old.files})
    by_year: dict[str, set[str]] = defaultdict(set)
    for rel in set(current) | set(old.files):
        by_year[rel.split("/")[1]].add(rel)

    # Only the partitions' years are kept: a coming year's early delivery is new when
    # its year begins.
    for year in sorted(years):
        rels = by_year.get(year, set())
        changed = sorted(r for r in rels if current.get(r) != old.files.get(r))
        observed = {r: _observed(scan.sizes.get(r), current.get(r)) for r in changed}
        waiting = []
        temporary = scan.temporary.get(year, [])
        if (changed or temporary) and not _settle(
            changed, observed, old.pending, temporary, waiting
        ):
            new.pending.update(observed)
            new.files.update({r: old.files[r] for r in rels if r in old.files})
            result.waiting[year] = waiting  # a reference change owed waits too
            continue
        new.files.update({r: current[r] for r in rels if r in current})
        if changed:
            result.years[year] = changed
        elif year in new.owed:
            result.years[year] = [f"tabel referensi ({' atau '.join(sorted(ROW_TABLES))})"]
        if year in result.years:
            new.owed.discard(year)
            year_files = {r: current[r] for r in rels if r in current}
            new.keys[year] = year_run_key(year, old.keys.get(year), {**year_files, **row_hashes})
    new.owed &= years
    return result


def waiting_message(waiting: dict[str, list[str]]) -> str | None:
    """The changes not acted on yet, named: what is still being copied."""
    items = [item for _, found in sorted(waiting.items()) for item in found]
    if not items:
        return None
    return (
        "Menunggu berkas selesai disalin (sebuah perubahan dijalankan setelah isinya sama "
        f"pada dua pemeriksaan berturut-turut): {_listed(items)}"
    )


@dg.sensor(
    name="iku_raw_extracts",
    jobs=[iku_tahunan, iku_presentasi],
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="A new, changed (by content) or removed file under raw/<source>/<year>/ "
    "requests one run of that year once its copy is complete (the same content on two "
    "ticks). A changed reference/jenis_layanan.csv or kelurahan.csv reruns every year with "
    "extracts; another changed reference table runs iku_presentasi. Files in a year "
    "outside the partitions or in an unknown folder, and files still being copied, are "
    "named on the tick.",
)
def iku_raw_extracts(context: dg.SensorEvaluationContext, paths: IkuPaths):
    raw = paths.raw
    years = set(tahun_partitions.get_partition_keys())
    result = evaluate(raw, context.cursor, years, paths.reference)

    requests = []
    for year, rels in sorted(result.years.items()):
        context.log.info(f"{year}: berkas baru, berubah atau dihapus: {_listed(rels)}")
        requests.append(
            dg.RunRequest(
                job_name=iku_tahunan.name, partition_key=year, run_key=result.state.keys[year]
            )
        )
    if result.presentasi:
        context.log.info(
            f"Tabel referensi tampilan berubah: {', '.join(result.presentasi)}; "
            f"{iku_presentasi.name} menyusun ulang matriks dan berkas semua tahun yang sudah "
            "dipublikasikan."
        )
        requests.append(dg.RunRequest(job_name=iku_presentasi.name, run_key=result.state.pkey))

    waiting = waiting_message(result.waiting)
    message = not_read_message(result.scan, raw)
    for text in (waiting, message):
        if text:
            context.log.warning(text)
    skip = None
    if not requests:
        if waiting:
            skip = waiting + (f" {message}" if message else "")
        elif message:
            skip = f"Tidak ada kiriman baru atau berubah. {message}"
        elif not raw.is_dir():
            skip = f"Folder ekstrak {raw} tidak ada (IKU_DATA_DIR)."
        else:
            skip = f"Tidak ada berkas baru atau berubah di {raw}."
    return dg.SensorResult(run_requests=requests, skip_reason=skip, cursor=result.cursor)
