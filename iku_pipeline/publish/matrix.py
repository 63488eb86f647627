"""The signed IKU matrix filled in with each year's realisation (DATA_CONTRACT §5).

Pure functions on pandas frames, no Dagster: the analyst's targets and predikat bands
(``reference/target_iku.csv``, ``reference/predikat.csv``), capaian and predikat, and the
matrix rows (one per tahun × indicator, kecamatan level; a per-kelurahan variant). Every
text of the signed document comes from ``indicators/declarations.py``; the notes written
here (``keterangan``) are this module's own words, in Indonesian, for the office.

Rules written down here (the contract is silent on them):

- capaian = realisasi / target × 100 (polaritas ``naik``) or (2 − realisasi / target) × 100
  (``turun``), kept at full precision and never capped; no target or a zero target gives
  no capaian and a note saying why.
- The predikat is read from the capaian as printed (rounded to 2 decimals), against the
  bands' lower bounds: with the default bands 90,99 is *Tinggi* and 91,00 *Sangat
  Tinggi*. The lowest band is open downwards (a capaian below every bound gets it).
- A year whose source was not delivered has no realisasi and the note "data belum
  tersedia"; a zero denominator has no realisasi and a note naming what was counted.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from iku_pipeline.indicators.declarations import (
    INDIKATOR,
    INDIKATOR_BY_KODE,
    KECAMATAN,
    Indikator,
)

TARGET_FILE = "target_iku.csv"
PREDIKAT_FILE = "predikat.csv"

# status_realisasi: why a realisasi is (not) there, so writers need not parse notes.
TERSEDIA = "tersedia"
BELUM_TERSEDIA = "belum tersedia"
PENYEBUT_NOL = "penyebut nol"

TEKS_BELUM_TERSEDIA = "data belum tersedia"

MATRIKS_COLUMNS = (
    "tahun",
    "no",
    "kode",
    "uraian_indikator",
    "satuan",
    "alasan_sasaran",
    "sumber_data",
    "rumus_perhitungan",
    "target",
    "realisasi",
    "capaian",
    "predikat",
    "keterangan",
    "run_id",
    # Beyond the matrix's own columns: what the writers need to show the figures
    # honestly (counts, why a value is missing, the IKU 4 supplementary share).
    "pembilang",
    "penyebut",
    "status_realisasi",
    "kegiatan_selesai",
    "persen_selesai",
)

MATRIKS_KELURAHAN_COLUMNS = (
    "tahun",
    "no",
    "kode",
    "wilayah",
    "uraian_indikator",
    "satuan",
    "realisasi",
    "keterangan",
    "run_id",
    "pembilang",
    "penyebut",
    "status_realisasi",
    "kegiatan_selesai",
    "persen_selesai",
)


# ------------------------------------------------------------------ number parsing

_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")


def _parse_number(text: str) -> float:
    """A number as an analyst types it: ``95``, ``95.5`` or ``95,5`` (decimal comma)."""
    s = text.strip().replace(" ", "")
    if s.endswith("%"):
        s = s[:-1]
    if not _NUMBER.match(s):
        raise ValueError(text)
    return float(s.replace(",", "."))


def _fmt(value: float, decimals: int = 2) -> str:
    """A number the Indonesian way for notes: 1.234,50."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def is_missing(value: object) -> bool:
    """None, NA, NaN or NaT: a value the matrix shows as absent."""
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


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


def read_targets(path: str | Path) -> pd.DataFrame:
    """The analyst's targets: ``kode, tahun, target`` (extra columns such as ``keterangan``
    are ignored).

    A missing file means no targets; a blank target is a missing target. A kode that is
    not an indicator, a year or a target that is not a number, a negative target or a
    kode × tahun given twice is a ``ValueError`` naming the file, row and value, so a
    typo never silently drops a target.
    """
    path = Path(path)
    if not path.is_file():
        return _empty_targets()
    header, rows = _read_csv_rows(path)
    missing = {"kode", "tahun", "target"} - set(header)
    if missing:
        raise ValueError(
            f"{path}: kolom {', '.join(sorted(missing))} tidak ada "
            "(kolom wajib: kode, tahun, target)"
        )
    kode_of = _kode_lookup()
    seen: dict[tuple[str, int], int] = {}
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
        if not row["target"]:
            target = math.nan
        else:
            try:
                target = _parse_number(row["target"])
            except ValueError:
                raise ValueError(f"{where}: target {row['target']!r} bukan angka") from None
            if target < 0:
                raise ValueError(f"{where}: target {row['target']!r} negatif")
        if (kode, tahun) in seen:
            raise ValueError(
                f"{where}: target kode {kode} tahun {tahun} sudah ada di baris "
                f"{seen[(kode, tahun)]}"
            )
        seen[(kode, tahun)] = number
        out.append((kode, tahun, target))
    if not out:
        return _empty_targets()
    frame = pd.DataFrame(out, columns=["kode", "tahun", "target"])
    return frame.astype({"tahun": "int64", "target": "float64"})


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


# ------------------------------------------------------------------ capaian, predikat

CATATAN_TARGET_KOSONG = "Target belum ditetapkan; capaian tidak dihitung."
CATATAN_TARGET_NOL = "Target 0; capaian tidak dapat dihitung (pembagian dengan nol)."
CATATAN_REALISASI_KOSONG = "Realisasi tidak ada; capaian tidak dihitung."


def capaian(realisasi: object, target: object, polaritas: str) -> tuple[float | None, str]:
    """(capaian in %, keterangan). Uncapped; ``None`` with the reason when it cannot be
    computed (no realisasi, no target, target 0). ``polaritas`` is ``naik`` (higher is
    better: realisasi / target × 100) or ``turun`` ((2 − realisasi / target) × 100)."""
    if polaritas not in ("naik", "turun"):
        raise ValueError(f"polaritas {polaritas!r} tidak dikenal (naik atau turun)")
    if is_missing(target):
        return None, CATATAN_TARGET_KOSONG
    target = float(target)
    if target == 0:
        return None, CATATAN_TARGET_NOL
    if target < 0:
        raise ValueError(f"target {target} negatif")
    if is_missing(realisasi):
        return None, CATATAN_REALISASI_KOSONG
    ratio = float(realisasi) / target
    value = ratio * 100 if polaritas == "naik" else (2 - ratio) * 100
    return value, ""


def predikat(capaian: object, bands: Sequence[PredikatBand] = DEFAULT_BANDS) -> str | None:
    """The band of a capaian as printed (2 decimals); ``None`` without capaian."""
    if is_missing(capaian):
        return None
    if not bands:
        raise ValueError("tabel predikat kosong")
    value = round(float(capaian), 2)
    ordered = sorted(bands, key=lambda b: b.batas_bawah, reverse=True)
    for band in ordered:
        if value >= band.batas_bawah:
            return band.predikat
    return ordered[-1].predikat  # the lowest band is open downwards


# ------------------------------------------------------------------ notes

# What the denominator counts, for the note on a zero denominator (this module's words).
_PENYEBUT = {
    "1": "tidak ada berkas masuk",
    "1a": "tidak ada berkas pengantar KK/KTP masuk",
    "1b": "tidak ada berkas pengantar IMB/PBG masuk",
    "1c": "tidak ada berkas pengantar IUMK/NIB masuk",
    "1d": "tidak ada berkas pengantar nikah masuk",
    "2": "tidak ada usulan masuk",
    "3": "tidak ada wajib pajak",
}


def _status(pembilang: object, nilai: object) -> str:
    if is_missing(pembilang):
        return BELUM_TERSEDIA
    if is_missing(nilai):
        return PENYEBUT_NOL
    return TERSEDIA


def _realisasi_notes(ind: Indikator, status: str) -> list[str]:
    if status == BELUM_TERSEDIA:
        return [f"Realisasi: {TEKS_BELUM_TERSEDIA} (sumber data belum diserahkan)."]
    if status == PENYEBUT_NOL:
        what = _PENYEBUT.get(ind.kode, "penyebut 0")
        return [f"Realisasi tidak dapat dihitung: {what} (penyebut 0)."]
    return []


def _selesai_note(kegiatan: object, selesai: object, persen: object) -> list[str]:
    if is_missing(kegiatan):
        return []
    if is_missing(persen):
        return ["Tidak ada kegiatan penanganan konflik; persentase hasil Selesai tidak dihitung."]
    return [
        f"Kegiatan dengan hasil Selesai: {int(selesai)} dari {int(kegiatan)} "
        f"({_fmt(float(persen))}%)."
    ]


def _year_notes(
    ind: Indikator,
    status: str,
    target: object,
    tambahan: tuple[object, object, object] | None = None,
) -> list[str]:
    """The notes of one indicator in one year (not the indicator's standing note).

    ``tambahan`` (kegiatan, kegiatan_selesai, persen_selesai) adds the IKU 4 share of
    activities with hasil Selesai.
    """
    notes = _realisasi_notes(ind, status)
    if is_missing(target):
        notes.append(CATATAN_TARGET_KOSONG)
    elif float(target) == 0:
        notes.append(CATATAN_TARGET_NOL)
    if tambahan is not None and status == TERSEDIA:
        notes += _selesai_note(*tambahan)
    return notes


def keterangan_periode(rows: pd.DataFrame) -> str:
    """KETERANGAN of one indicator in the multi-year matrix.

    ``rows`` are that indicator's rows of ``build_matriks`` (one per year). Notes that
    recur are given once with their years ("2021, 2022: Target belum ditetapkan; ...");
    the IKU 4 share of hasil Selesai is left out (the matrix shows it as its own row);
    the indicator's standing note comes last.
    """
    if rows.empty:
        return ""
    kodes = set(rows["kode"].astype(str))
    if len(kodes) != 1:
        raise ValueError(f"keterangan_periode: satu indikator saja, bukan {sorted(kodes)}")
    ind = INDIKATOR_BY_KODE[kodes.pop()]
    years_of: dict[str, list[int]] = {}
    for r in rows.sort_values("tahun").to_dict("records"):
        for note in _year_notes(ind, r["status_realisasi"], r["target"]):
            years_of.setdefault(note, []).append(int(r["tahun"]))
    parts = [f"{', '.join(map(str, ys))}: {note}" for note, ys in years_of.items()]
    if ind.catatan:
        parts.append(ind.catatan)
    return " ".join(parts)


def _none(value: object) -> object:
    return None if is_missing(value) else value


def _index_realisasi(realisasi: pd.DataFrame, wilayah: Iterable[str]) -> dict:
    wanted = set(wilayah)
    rows = realisasi[realisasi["wilayah"].isin(wanted)]
    has_run = "run_id" in rows.columns
    index = {}
    for rec in rows.to_dict("records"):
        key = (int(rec["tahun"]), str(rec["kode"]), rec["wilayah"])
        run_id = rec.get("run_id") if has_run else None
        index[key] = (rec["pembilang"], rec["penyebut"], rec["nilai"], run_id)
    return index


def _index_tambahan(tambahan: pd.DataFrame | None) -> dict:
    if tambahan is None or tambahan.empty:
        return {}
    return {
        (int(r["tahun"]), r["wilayah"]): (r["kegiatan"], r["kegiatan_selesai"], r["persen_selesai"])
        for r in tambahan.to_dict("records")
    }


def _years_run(realisasi: pd.DataFrame) -> dict[int, object]:
    """Years in the realisasi, with the run that produced each (first run_id seen)."""
    runs: dict[int, object] = {}
    has_run = "run_id" in realisasi.columns
    for rec in realisasi.to_dict("records"):
        tahun = int(rec["tahun"])
        run = _none(rec.get("run_id")) if has_run else None
        if tahun not in runs or (runs[tahun] is None and run is not None):
            runs[tahun] = run
    return dict(sorted(runs.items()))


def _target_index(targets: pd.DataFrame | None) -> dict[tuple[str, int], float]:
    if targets is None or targets.empty:
        return {}
    return {
        (str(r["kode"]), int(r["tahun"])): r["target"] for r in targets.to_dict("records")
    }


# ------------------------------------------------------------------ the matrix


def build_matriks(
    realisasi: pd.DataFrame,
    tambahan: pd.DataFrame | None,
    targets: pd.DataFrame | None,
    bands: Sequence[PredikatBand] = DEFAULT_BANDS,
) -> pd.DataFrame:
    """One row per tahun × indicator, kecamatan level, in the signed matrix's order.

    Every indicator has a row for every year present in ``realisasi``, even one the
    realisasi lacks (it shows "data belum tersedia"). ``keterangan`` holds every note of
    the row: why a realisasi or capaian is missing, the IKU 4 share of hasil Selesai,
    the indicator's standing note from the declarations.
    """
    years = _years_run(realisasi)
    index = _index_realisasi(realisasi, [KECAMATAN])
    extra = _index_tambahan(tambahan)
    target_of = _target_index(targets)
    rows = []
    for tahun, year_run in years.items():
        for ind in INDIKATOR:
            pembilang, penyebut, nilai, run_id = index.get(
                (tahun, ind.kode, KECAMATAN), (None, None, None, year_run)
            )
            status = _status(pembilang, nilai)
            nilai = _none(nilai) if status == TERSEDIA else None
            target = _none(target_of.get((ind.kode, tahun)))
            value, _ = capaian(nilai, target, ind.polaritas)
            kegiatan_selesai = persen_selesai = None
            tambah = None
            if ind.kode == "4":
                tambah = extra.get((tahun, KECAMATAN), (None, None, None))
                kegiatan_selesai, persen_selesai = _none(tambah[1]), _none(tambah[2])
            notes = _year_notes(ind, status, target, tambah)
            rows.append(
                {
                    "tahun": tahun,
                    "no": ind.no,
                    "kode": ind.kode,
                    "uraian_indikator": ind.uraian,
                    "satuan": ind.satuan,
                    "alasan_sasaran": ind.alasan_sasaran,
                    "sumber_data": ind.sumber_data,
                    "rumus_perhitungan": ind.rumus,
                    "target": target,
                    "realisasi": nilai,
                    "capaian": value,
                    "predikat": predikat(value, bands),
                    "keterangan": " ".join(notes + ([ind.catatan] if ind.catatan else [])),
                    "run_id": _none(run_id) if not is_missing(run_id) else year_run,
                    "pembilang": _none(pembilang),
                    "penyebut": _none(penyebut),
                    "status_realisasi": status,
                    "kegiatan_selesai": kegiatan_selesai,
                    "persen_selesai": persen_selesai,
                }
            )
    return _typed(pd.DataFrame(rows, columns=list(MATRIKS_COLUMNS)))


def build_matriks_kelurahan(
    realisasi: pd.DataFrame, tambahan: pd.DataFrame | None, kelurahan: Sequence[str]
) -> pd.DataFrame:
    """One row per tahun × indicator × kelurahan (the matrix's second sheet), the
    kelurahan in the order given (``reference/kelurahan.csv``'s), then any other kelurahan
    a published year holds.

    Targets are set for the kecamatan, so this variant has no target, capaian or
    predikat: it shows where the kecamatan's realisasi comes from.
    """
    years = _years_run(realisasi)
    published = realisasi.loc[realisasi["wilayah"].ne(KECAMATAN), "wilayah"]
    kelurahan = list(dict.fromkeys([*kelurahan, *published]))
    index = _index_realisasi(realisasi, kelurahan)
    extra = _index_tambahan(tambahan)
    rows = []
    for tahun, year_run in years.items():
        for ind in INDIKATOR:
            for wilayah in kelurahan:
                pembilang, penyebut, nilai, run_id = index.get(
                    (tahun, ind.kode, wilayah), (None, None, None, year_run)
                )
                status = _status(pembilang, nilai)
                notes = _realisasi_notes(ind, status)
                kegiatan_selesai = persen_selesai = None
                if ind.kode == "4":
                    tambah = extra.get((tahun, wilayah), (None, None, None))
                    if status == TERSEDIA:
                        notes += _selesai_note(*tambah)
                    kegiatan_selesai, persen_selesai = _none(tambah[1]), _none(tambah[2])
                rows.append(
                    {
                        "tahun": tahun,
                        "no": ind.no,
                        "kode": ind.kode,
                        "wilayah": wilayah,
                        "uraian_indikator": ind.uraian,
                        "satuan": ind.satuan,
                        "realisasi": _none(nilai) if status == TERSEDIA else None,
                        "keterangan": " ".join(notes + ([ind.catatan] if ind.catatan else [])),
                        "run_id": _none(run_id) if not is_missing(run_id) else year_run,
                        "pembilang": _none(pembilang),
                        "penyebut": _none(penyebut),
                        "status_realisasi": status,
                        "kegiatan_selesai": kegiatan_selesai,
                        "persen_selesai": persen_selesai,
                    }
                )
    return _typed(pd.DataFrame(rows, columns=list(MATRIKS_KELURAHAN_COLUMNS)))


_DTYPES = {
    "tahun": "int64",
    "target": "float64",
    "realisasi": "float64",
    "capaian": "float64",
    "pembilang": "Int64",
    "penyebut": "Int64",
    "kegiatan_selesai": "Int64",
    "persen_selesai": "float64",
}


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    types = {c: t for c, t in _DTYPES.items() if c in frame.columns}
    frame = frame.astype(types)
    for c in ("predikat", "run_id"):
        if c in frame.columns:
            frame[c] = frame[c].astype("object").where(frame[c].notna(), None)
    return frame

