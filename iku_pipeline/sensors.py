"""A sensor on the extracts folder: a new, changed or removed delivery under
``raw/<source>/<year>/`` requests one run of that year (docs/data-contract.md §1, §7).

Changes are detected by content (sha256), not by modification time: a re-delivered file
with the same mtime still counts, a file merely touched or copied over with the same
bytes does not. The cursor keeps what was seen; it is JSON::

    {"files": {"<source>/<year>/<file>": "<sha256>", ...},
     "keys":  {"<year>": "<run key of the year's last requested run>", ...}}

The run key is ``<year>:<digest>``, the digest chaining the year's previous run key with
the year's current file hashes. Chaining matters: Dagster never starts a second run with
a run key it has seen, so a key of the file hashes alone would swallow the run when a
section puts back an earlier version of a file (v1 -> v2 -> v1).

Files the pipeline would not read are reported, never ignored silently: a year outside
the partitions (before 2021, or a coming year delivered early - it is picked up when its
year begins), a folder that is not a known source, a file outside a year folder, a
subfolder of a year folder. Hidden files and Excel lock files (``~$...``) are not
deliveries (``iku_pipeline.sources.readers.list_files``).

Only ``raw/`` is watched: after editing ``reference/`` (e.g. the service alias table),
rematerialise the affected years from the UI.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from iku_pipeline.partitions import FIRST_YEAR, tahun_partitions
from iku_pipeline.resources import IkuPaths
from iku_pipeline.schedules import JOB_NAME
from iku_pipeline.sources.readers import list_files
from iku_pipeline.sources.specs import SOURCES

_YEAR = re.compile(r"^\d{4}$")
_NOT_DELIVERIES = (".", "~$")
# Files named per reason in a skip message or log line; the rest are counted.
MAX_LISTED = 20


def _is_delivery_name(name: str) -> bool:
    return not name.startswith(_NOT_DELIVERIES)


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
    not_read: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    unhashable: dict[str, str] = field(default_factory=dict)


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
                    try:
                        scan.files[rel] = sha256_of(path)
                    except OSError as e:
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


def _load_cursor(cursor: str | None) -> tuple[dict[str, str], dict[str, str]]:
    if not cursor:
        return {}, {}
    state = json.loads(cursor)
    return dict(state.get("files", {})), dict(state.get("keys", {}))


def year_run_key(year: str, previous_key: str | None, files: dict[str, str]) -> str:
    """``<year>:<digest>`` of the year's previous run key and its current file hashes."""
    digest = hashlib.sha256()
    digest.update((previous_key or "").encode())
    for rel in sorted(files):
        digest.update(f"\n{rel}\0{files[rel]}".encode())
    return f"{year}:{digest.hexdigest()[:20]}"


def evaluate(
    raw: Path, cursor: str | None, years: set[str]
) -> tuple[dict, dict[str, list[str]], Scan]:
    """The new cursor state, the changed paths per year to run, and the scan."""
    seen, keys = _load_cursor(cursor)
    scan = scan_raw(raw, years)
    # A file the sensor could not hash this time keeps its last known hash.
    current = dict(scan.files)
    current.update({rel: seen[rel] for rel in scan.unhashable if rel in seen})

    changed: dict[str, list[str]] = defaultdict(list)
    for rel in sorted(set(current) | set(seen)):
        year = rel.split("/")[1]
        if year in years and current.get(rel) != seen.get(rel):
            changed[year].append(rel)

    new_keys = dict(keys)
    for year in sorted(changed):
        year_files = {rel: h for rel, h in current.items() if rel.split("/")[1] == year}
        new_keys[year] = year_run_key(year, keys.get(year), year_files)
    # Only the partitions' years are kept: a coming year's early delivery is new when
    # its year begins.
    return {"files": current, "keys": new_keys}, dict(changed), scan


@dg.sensor(
    name="iku_raw_extracts",
    job_name=JOB_NAME,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="A new, changed (by content) or removed file under raw/<source>/<year>/ "
    "requests one run of that year. Files in a year outside the partitions or in an "
    "unknown folder are reported on the tick.",
)
def iku_raw_extracts(context: dg.SensorEvaluationContext, paths: IkuPaths):
    raw = paths.raw
    years = set(tahun_partitions.get_partition_keys())
    state, changed, scan = evaluate(raw, context.cursor, years)

    requests = []
    for year, rels in sorted(changed.items()):
        context.log.info(f"{year}: berkas baru, berubah atau dihapus: {_listed(rels)}")
        requests.append(dg.RunRequest(partition_key=year, run_key=state["keys"][year]))

    message = not_read_message(scan, raw)
    if message:
        context.log.warning(message)
    skip = None
    if not requests:
        if message:
            skip = f"Tidak ada kiriman baru atau berubah. {message}"
        elif not raw.is_dir():
            skip = f"Folder ekstrak {raw} tidak ada (IKU_DATA_DIR)."
        else:
            skip = f"Tidak ada berkas baru atau berubah di {raw}."
    return dg.SensorResult(
        run_requests=requests,
        skip_reason=skip,
        cursor=json.dumps(state, sort_keys=True, separators=(",", ":")),
    )
