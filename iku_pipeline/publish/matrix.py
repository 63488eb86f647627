"""The signed IKU matrix filled in with each year's realisation (DATA_CONTRACT §5).

Pure functions on pandas frames, no Dagster: capaian and predikat, and the matrix rows
(one per tahun × indicator at kecamatan level, each indicator followed by the
supplementary figures declared beside it; a per-kelurahan variant). The analyst's
targets and predikat bands are read in ``targets.py``. Every text of the signed
document, and of each supplementary figure, comes from ``indicators/declarations.py``;
the notes written here (``keterangan``) are this module's own words, in Indonesian, for
the office.

Rules written down here (the contract is silent on them):

- capaian = realisasi / target × 100 (polaritas ``naik``) or (2 − realisasi / target) × 100
  (``turun``), kept at full precision and never capped; no target or a zero target gives
  no capaian and a note saying why.
- The predikat is read from the capaian as printed (rounded to 2 decimals), against the
  bands' lower bounds: with the default bands 90,99 is *Tinggi* and 91,00 *Sangat
  Tinggi*. The lowest band is open downwards (a capaian below every bound gets it).
- A year whose source was not delivered has no realisasi and the note "data belum
  tersedia"; a zero denominator has no realisasi and a note naming what was counted.
- A supplementary figure's row has no NO, target, capaian or predikat: it is not one of
  the signed indicators.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from iku_pipeline.indicators.declarations import (
    INDIKATOR,
    INDIKATOR_BY_KODE,
    KECAMATAN,
    TAMBAHAN_BY_KODE,
    Indikator,
    Tambahan,
    tambahan_of,
)
from iku_pipeline.publish.targets import (  # noqa: F401  (re-exported: the matrix's inputs)
    DEFAULT_BANDS,
    PREDIKAT_FILE,
    TARGET_FILE,
    PredikatBand,
    read_predikat_bands,
    read_targets,
)

# status_realisasi: why a realisasi is (not) there, so writers need not parse notes.
TERSEDIA = "tersedia"
BELUM_TERSEDIA = "belum tersedia"
PENYEBUT_NOL = "penyebut nol"

TEKS_BELUM_TERSEDIA = "data belum tersedia"

# The supplementary figure whose share the IKU 4 row also carries (its own columns).
SELESAI = "4_selesai"

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
    # honestly (counts, why a value is missing, the IKU 4 share on IKU 4's row).
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

# What the denominator counts, for the note on a zero denominator (this module's words);
# a supplementary figure declares its own (``Tambahan.penyebut_nol``).
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


def _realisasi_notes(kode: str, status: str) -> list[str]:
    if status == BELUM_TERSEDIA:
        return [f"Realisasi: {TEKS_BELUM_TERSEDIA} (sumber data belum diserahkan)."]
    if status == PENYEBUT_NOL:
        tambahan = TAMBAHAN_BY_KODE.get(kode)
        what = tambahan.penyebut_nol if tambahan else _PENYEBUT.get(kode, "penyebut 0")
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
    kode: str,
    status: str,
    target: object,
    tambahan: tuple[object, object, object] | None = None,
) -> list[str]:
    """The notes of one matrix row in one year (not its standing note).

    An indicator's row also says why it has no capaian (no target, target 0); a
    supplementary figure has none to explain. ``tambahan`` (kegiatan, kegiatan_selesai,
    persen_selesai) adds the IKU 4 share of activities with hasil Selesai.
    """
    notes = _realisasi_notes(kode, status)
    if kode in TAMBAHAN_BY_KODE:
        return notes
    if is_missing(target):
        notes.append(CATATAN_TARGET_KOSONG)
    elif float(target) == 0:
        notes.append(CATATAN_TARGET_NOL)
    if tambahan is not None and status == TERSEDIA:
        notes += _selesai_note(*tambahan)
    return notes


def _standing_note(kode: str) -> str:
    """The row's standing note: the indicator's catatan, or the supplementary figure's
    keterangan."""
    tambahan = TAMBAHAN_BY_KODE.get(kode)
    return tambahan.keterangan if tambahan else INDIKATOR_BY_KODE[kode].catatan


def keterangan_periode(rows: pd.DataFrame) -> str:
    """KETERANGAN of one matrix row (an indicator, or a supplementary figure) in the
    multi-year matrix.

    ``rows`` are that kode's rows of ``build_matriks`` (one per year). Notes that recur
    are given once with their years ("2021, 2022: Target belum ditetapkan; ..."); the
    IKU 4 share of hasil Selesai is left out (the matrix shows it as its own row); the
    standing note comes last.
    """
    if rows.empty:
        return ""
    kodes = set(rows["kode"].astype(str))
    if len(kodes) != 1:
        raise ValueError(f"keterangan_periode: satu indikator saja, bukan {sorted(kodes)}")
    return keterangan_tahun(kodes.pop(), rows.sort_values("tahun").to_dict("records"))


def keterangan_tahun(kode: str, records: Iterable[Mapping]) -> str:
    """``keterangan_periode`` of ``kode``'s matrix rows given as records in year order
    (a writer that already holds the rows as records: no frame filtered per kode)."""
    years_of: dict[str, list[int]] = {}
    for r in records:
        for note in _year_notes(kode, r["status_realisasi"], r["target"]):
            years_of.setdefault(note, []).append(int(r["tahun"]))
    parts = [f"{', '.join(map(str, ys))}: {note}" for note, ys in years_of.items()]
    if _standing_note(kode):
        parts.append(_standing_note(kode))
    return " ".join(parts)


def _none(value: object) -> object:
    return None if is_missing(value) else value


def _index(frames: Iterable[pd.DataFrame | None], wilayah: Iterable[str]) -> dict:
    """{(tahun, kode, wilayah): (pembilang, penyebut, nilai, run_id)} of realisasi-shaped
    frames (realisasi_iku, realisasi_tambahan)."""
    wanted = set(wilayah)
    index = {}
    for frame in frames:
        if frame is None or frame.empty:
            continue
        rows = frame[frame["wilayah"].isin(wanted)]
        has_run = "run_id" in rows.columns
        for rec in rows.to_dict("records"):
            key = (int(rec["tahun"]), str(rec["kode"]), rec["wilayah"])
            run_id = rec.get("run_id") if has_run else None
            index[key] = (rec["pembilang"], rec["penyebut"], rec["nilai"], run_id)
    return index


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


_NOTHING = (None, None, None, None)


def _figure(index: dict, key: tuple, year_run: object) -> dict:
    """The published figure of one matrix cell: pembilang, penyebut, status, realisasi
    (only when there is one) and the run."""
    pembilang, penyebut, nilai, run_id = index.get(key, _NOTHING)
    status = _status(pembilang, nilai)
    return {
        "realisasi": _none(nilai) if status == TERSEDIA else None,
        "run_id": _none(run_id) if not is_missing(run_id) else year_run,
        "pembilang": _none(pembilang),
        "penyebut": _none(penyebut),
        "status_realisasi": status,
    }


def _selesai_of(index: dict, tahun: int, wilayah: str) -> dict:
    """IKU 4's own columns of the share Selesai, and the figures of its note."""
    selesai, kegiatan, persen, _ = index.get((tahun, SELESAI, wilayah), _NOTHING)
    return {
        "kegiatan_selesai": _none(selesai),
        "persen_selesai": _none(persen),
        "_catatan": (kegiatan, selesai, persen),
    }


def _tambahan_row(t: Tambahan, ind: Indikator, figure: dict) -> dict:
    """A supplementary figure's row under its indicator ``ind``: its own texts, the
    indicator's ALASAN and SUMBER DATA, no NO, target, capaian or predikat."""
    notes = _realisasi_notes(t.kode, figure["status_realisasi"])
    return {
        "no": "",
        "kode": t.kode,
        "uraian_indikator": t.judul,
        "satuan": t.satuan,
        "alasan_sasaran": ind.alasan_sasaran,
        "sumber_data": ind.sumber_data,
        "rumus_perhitungan": t.rumus,
        "target": None,
        "capaian": None,
        "predikat": None,
        "keterangan": " ".join([*notes, t.keterangan]),
        **figure,
        "kegiatan_selesai": None,
        "persen_selesai": None,
    }


def build_matriks(
    realisasi: pd.DataFrame,
    tambahan: pd.DataFrame | None,
    targets: pd.DataFrame | None,
    bands: Sequence[PredikatBand] = DEFAULT_BANDS,
) -> pd.DataFrame:
    """One row per tahun × indicator, kecamatan level, in the signed matrix's order, each
    indicator followed by the supplementary figures declared beside it (``tambahan``:
    rows of realisasi_tambahan).

    Every indicator and figure has a row for every year present in ``realisasi``, even
    one the inputs lack (it shows "data belum tersedia"). ``keterangan`` holds every
    note of the row: why a realisasi or capaian is missing, the IKU 4 share of hasil
    Selesai, the standing note from the declarations.
    """
    years = _years_run(realisasi)
    index = _index([realisasi, tambahan], [KECAMATAN])
    target_of = _target_index(targets)
    rows = []
    for tahun, year_run in years.items():
        for ind in INDIKATOR:
            figure = _figure(index, (tahun, ind.kode, KECAMATAN), year_run)
            target = _none(target_of.get((ind.kode, tahun)))
            value, _ = capaian(figure["realisasi"], target, ind.polaritas)
            selesai = _selesai_of(index, tahun, KECAMATAN) if ind.kode == "4" else {}
            notes = _year_notes(
                ind.kode, figure["status_realisasi"], target, selesai.pop("_catatan", None)
            )
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
                    "capaian": value,
                    "predikat": predikat(value, bands),
                    "keterangan": " ".join(notes + ([ind.catatan] if ind.catatan else [])),
                    **figure,
                    **selesai,
                }
            )
            for t in tambahan_of(ind.kode):
                figure = _figure(index, (tahun, t.kode, KECAMATAN), year_run)
                rows.append({"tahun": tahun, **_tambahan_row(t, ind, figure)})
    return _typed(pd.DataFrame(rows, columns=list(MATRIKS_COLUMNS)))


def build_matriks_kelurahan(
    realisasi: pd.DataFrame, tambahan: pd.DataFrame | None, kelurahan: Sequence[str]
) -> pd.DataFrame:
    """One row per tahun × indicator (each followed by its supplementary figures) ×
    kelurahan (the matrix's second sheet), the kelurahan in the order given
    (``reference/kelurahan.csv``'s), then any other kelurahan a published year holds.

    Targets are set for the kecamatan, so this variant has no target, capaian or
    predikat: it shows where the kecamatan's realisasi comes from.
    """
    years = _years_run(realisasi)
    published = realisasi.loc[realisasi["wilayah"].ne(KECAMATAN), "wilayah"]
    kelurahan = list(dict.fromkeys([*kelurahan, *published]))
    index = _index([realisasi, tambahan], kelurahan)
    rows = []
    for tahun, year_run in years.items():
        for ind in INDIKATOR:
            for wilayah in kelurahan:
                figure = _figure(index, (tahun, ind.kode, wilayah), year_run)
                notes = _realisasi_notes(ind.kode, figure["status_realisasi"])
                selesai = {}
                if ind.kode == "4":
                    selesai = _selesai_of(index, tahun, wilayah)
                    catatan = selesai.pop("_catatan")
                    if figure["status_realisasi"] == TERSEDIA:
                        notes += _selesai_note(*catatan)
                rows.append(
                    {
                        "tahun": tahun,
                        "no": ind.no,
                        "kode": ind.kode,
                        "wilayah": wilayah,
                        "uraian_indikator": ind.uraian,
                        "satuan": ind.satuan,
                        "keterangan": " ".join(notes + ([ind.catatan] if ind.catatan else [])),
                        **figure,
                        **selesai,
                    }
                )
            for t in tambahan_of(ind.kode):
                for wilayah in kelurahan:
                    figure = _figure(index, (tahun, t.kode, wilayah), year_run)
                    row = _tambahan_row(t, ind, figure)
                    rows.append({"tahun": tahun, "wilayah": wilayah, **row})
    frame = pd.DataFrame(rows)
    return _typed(frame.reindex(columns=list(MATRIKS_KELURAHAN_COLUMNS)))


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
