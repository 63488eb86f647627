"""The analyst's reference tables for the matrix (DATA_CONTRACT §5): the targets
(``reference/target_iku.csv``, yearly and, with a ``triwulan`` column, per quarter,
§8) and the predikat bands (``reference/predikat.csv``).

Read strictly: a typo stops the publication with a message naming the file, the row and
the value (in Indonesian, for the analyst), rather than silently dropping a target.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from iku_pipeline.indicators.declarations import INDIKATOR

TARGET_FILE = "target_iku.csv"
PREDIKAT_FILE = "predikat.csv"

_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")


def _parse_number(text: str) -> float:
    """A number as an analyst types it: ``95``, ``95.5`` or ``95,5`` (decimal comma)."""
    s = text.strip().replace(" ", "")
    if s.endswith("%"):
        s = s[:-1]
    if not _NUMBER.match(s):
        raise ValueError(text)
    return float(s.replace(",", "."))


# ------------------------------------------------------------------ reference files


def _read_csv_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header (folded names) and (spreadsheet row number, row) pairs; blank rows skipped.

    UTF-8 with or without BOM, or Windows-1252 (Excel on Indonesian Windows); ``,`` or
    ``;`` as delimiter, as the extracts (§2).
    """
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = list(reader)
    if not records:
        return [], []
    header = [h.strip().casefold() for h in records[0]]
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = [c.strip() for c in record] + [""] * (len(header) - len(record))
        values = dict(zip(header, cells, strict=False))
        rows.append((number, values))
    return header, rows


def _kode_lookup() -> dict[str, str]:
    """Accept a kode as published (``1b``) or as printed in the matrix (``1.b``)."""
    lookup = {}
    for ind in INDIKATOR:
        lookup[ind.kode.casefold()] = ind.kode
        lookup[ind.no.casefold()] = ind.kode
    return lookup


def _empty_targets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kode": pd.Series(dtype="object"),
            "tahun": pd.Series(dtype="int64"),
            "target": pd.Series(dtype="float64"),
        }
    )


def _empty_targets_triwulan() -> pd.DataFrame:
    return _empty_targets().assign(triwulan=pd.Series(dtype="int64"))[
        ["kode", "tahun", "triwulan", "target"]
    ]


def _parse_triwulan(text: str, where: str) -> int | None:
    """A quarter as the analyst types it: ``1`` to ``4``; empty: the yearly target."""
    value = text.strip()
    if not value:
        return None
    if value not in ("1", "2", "3", "4"):
        raise ValueError(f"{where}: triwulan {text!r} bukan 1, 2, 3 atau 4")
    return int(value)


def _read_target_rows(path: Path) -> list[tuple[str, int, int | None, float]]:
    """Every target of the file as (kode, tahun, triwulan or None, target), checked."""
    header, rows = _read_csv_rows(path)
    missing = {"kode", "tahun", "target"} - set(header)
    if missing:
        raise ValueError(
            f"{path}: kolom {', '.join(sorted(missing))} tidak ada "
            "(kolom wajib: kode, tahun, target)"
        )
    kode_of = _kode_lookup()
    seen: dict[tuple[str, int, int | None], int] = {}
    out = []
    for number, row in rows:
        where = f"{path}, baris {number}"
        kode = kode_of.get(row["kode"].casefold())
        if kode is None:
            raise ValueError(f"{where}: kode {row['kode']!r} bukan kode IKU")
        try:
            tahun = int(row["tahun"])
        except ValueError:
            raise ValueError(f"{where}: tahun {row['tahun']!r} bukan tahun") from None
        triwulan = _parse_triwulan(row.get("triwulan", ""), where)
        if not row["target"]:
            target = math.nan
        else:
            try:
                target = _parse_number(row["target"])
            except ValueError:
                raise ValueError(f"{where}: target {row['target']!r} bukan angka") from None
            if target < 0:
                raise ValueError(f"{where}: target {row['target']!r} negatif")
        key = (kode, tahun, triwulan)
        if key in seen:
            which = "" if triwulan is None else f" triwulan {triwulan}"
            raise ValueError(
                f"{where}: target kode {kode} tahun {tahun}{which} sudah ada di baris "
                f"{seen[key]}"
            )
        seen[key] = number
        out.append(key + (target,))
    return out


def read_targets(path: str | Path) -> pd.DataFrame:
    """The analyst's yearly targets: ``kode, tahun, target`` (extra columns such as
    ``keterangan`` are ignored; rows with a ``triwulan`` are quarterly targets, read by
    ``read_targets_triwulan``).

    A missing file means no targets; a blank target is a missing target. A kode that is
    not an indicator, a year or a target that is not a number, a negative target, a
    triwulan other than 1-4 or a kode × tahun (× triwulan) given twice is a
    ``ValueError`` naming the file, row and value, so a typo never silently drops a
    target. Every row of the file is checked, quarterly ones too.
    """
    path = Path(path)
    if not path.is_file():
        return _empty_targets()
    out = [(k, t, target) for k, t, q, target in _read_target_rows(path) if q is None]
    if not out:
        return _empty_targets()
    frame = pd.DataFrame(out, columns=["kode", "tahun", "target"])
    return frame.astype({"tahun": "int64", "target": "float64"})


def read_targets_triwulan(path: str | Path) -> pd.DataFrame:
    """The analyst's quarterly targets (docs/data-contract.md §8): the rows of
    ``target_iku.csv`` with a ``triwulan`` (1-4), as ``kode, tahun, triwulan, target``;
    none without the file or the column. Checked as ``read_targets`` checks them."""
    path = Path(path)
    if not path.is_file():
        return _empty_targets_triwulan()
    out = [row for row in _read_target_rows(path) if row[2] is not None]
    if not out:
        return _empty_targets_triwulan()
    frame = pd.DataFrame(out, columns=["kode", "tahun", "triwulan", "target"])
    return frame.astype({"tahun": "int64", "triwulan": "int64", "target": "float64"})


@dataclass(frozen=True)
class PredikatBand:
    batas_bawah: float  # inclusive lower bound of the capaian (%); -inf: no bound
    predikat: str


DEFAULT_BANDS: tuple[PredikatBand, ...] = (
    PredikatBand(91.0, "Sangat Tinggi"),
    PredikatBand(76.0, "Tinggi"),
    PredikatBand(66.0, "Sedang"),
    PredikatBand(51.0, "Rendah"),
    PredikatBand(-math.inf, "Sangat Rendah"),
)


def read_predikat_bands(path: str | Path | None) -> tuple[PredikatBand, ...]:
    """The predikat table ``batas_bawah, predikat`` (highest band first when returned).

    ``None`` or a missing file gives the default bands (≥ 91 Sangat Tinggi, 76–90
    Tinggi, 66–75 Sedang, 51–65 Rendah, ≤ 50 Sangat Rendah). A blank ``batas_bawah``
    means no lower bound. Errors name the file and row.
    """
    if path is None or not Path(path).is_file():
        return DEFAULT_BANDS
    path = Path(path)
    header, rows = _read_csv_rows(path)
    missing = {"batas_bawah", "predikat"} - set(header)
    if missing:
        raise ValueError(
            f"{path}: kolom {', '.join(sorted(missing))} tidak ada "
            "(kolom wajib: batas_bawah, predikat)"
        )
    bands = []
    seen: dict[float, int] = {}
    for number, row in rows:
        where = f"{path}, baris {number}"
        if not row["predikat"]:
            raise ValueError(f"{where}: predikat kosong")
        if row["batas_bawah"]:
            try:
                bound = _parse_number(row["batas_bawah"])
            except ValueError:
                raise ValueError(
                    f"{where}: batas_bawah {row['batas_bawah']!r} bukan angka"
                ) from None
        else:
            bound = -math.inf
        if bound in seen:
            raise ValueError(
                f"{where}: batas_bawah {row['batas_bawah']!r} sama dengan baris {seen[bound]}"
            )
        seen[bound] = number
        bands.append(PredikatBand(bound, row["predikat"]))
    if not bands:
        raise ValueError(f"{path}: tidak ada baris predikat")
    return tuple(sorted(bands, key=lambda b: b.batas_bawah, reverse=True))
