"""What chapter III of the LKjIP compares, per indicator and year (docs/data-contract.md
§5.4): the realisasi against the previous year's, and against the target of the end of
the period (the target of the signed matrix's last year, 2025); and the analyst's
explanation of causes (*analisis penyebab*) from ``reference/catatan_iku.csv``.

These are columns of ``matriks_iku``, so every document shows what the warehouse holds:

- ``target_akhir_periode``, ``capaian_akhir_periode`` and ``analisis_penyebab`` are
  written with the year (``kolom_lkjip``), from the reference files read then, like
  ``target``;
- ``realisasi_tahun_lalu`` and ``perubahan_tahun_lalu`` compare a year with the
  previous one as published when the year is published (``refresh_perubahan``, in the
  year's transaction). Republishing 2023 leaves 2024's rows as they are (the contract:
  other years untouched); the five-year workbook compares the years as they are
  published now (``sheet_lkjip``), and ``iku_presentasi`` brings every year's columns
  up to date.

Rules written here (the contract is silent on them): the change is realisasi minus the
previous year's realisasi, in the unit of the indicator (for ``%`` a difference in
percentage points); it is empty when either year has no realisasi. The capaian against
the end-of-period target is computed as the yearly capaian (``matrix.capaian``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from iku_pipeline.indicators.declarations import INDIKATOR_BY_KODE, PERIODE
from iku_pipeline.publish.matrix import capaian, is_missing
from iku_pipeline.publish.targets import _kode_lookup, _read_csv_rows
from iku_pipeline.publish.warehouse import matriks_iku

CATATAN_FILE = "catatan_iku.csv"
CATATAN_COLUMNS = ("kode", "tahun", "catatan")

# The columns this module adds to matriks_iku, in the table's order.
KOLOM_LKJIP = (
    "realisasi_tahun_lalu",
    "perubahan_tahun_lalu",
    "target_akhir_periode",
    "capaian_akhir_periode",
    "analisis_penyebab",
)

TAHUN_AKHIR = PERIODE[1]  # the period's last year: its target is the end-of-period target

H_ANALISIS = "ANALISIS PENYEBAB"


# ---------------------------------------------------------------- reference/catatan_iku.csv


def read_catatan(path: str | Path) -> pd.DataFrame:
    """The analyst's explanations of causes: ``kode, tahun, catatan`` (other columns
    ignored; a blank catatan is no note).

    A missing file means no notes. A kode that is not an indicator (as published,
    ``1b``, or as printed, ``1.b``), a tahun that is not a year of the pipeline (a whole
    number from 2021), or the same kode and tahun twice is a ``ValueError`` naming the
    file, the row and the value.
    """
    path = Path(path)
    empty = pd.DataFrame({"kode": pd.Series(dtype="object"),
                          "tahun": pd.Series(dtype="int64"),
                          "catatan": pd.Series(dtype="object")})  # fmt: skip
    if not path.is_file():
        return empty
    header, rows = _read_csv_rows(path)
    missing = [c for c in CATATAN_COLUMNS if c not in header]
    if missing:
        raise ValueError(
            f"{path}, baris 1: kolom {', '.join(missing)} tidak ada "
            f"(kolom wajib: {', '.join(CATATAN_COLUMNS)})"
        )
    kode_of = _kode_lookup()
    seen: dict[tuple[str, int], int] = {}
    out = []
    for number, row in rows:
        where = f"{path}, baris {number}"
        kode = kode_of.get(row["kode"].casefold())
        if kode is None:
            raise ValueError(f"{where}: kode {row['kode']!r} bukan kode IKU")
        text = row["tahun"]
        if not (text.isdigit() and len(text) == 4 and int(text) >= PERIODE[0]):
            raise ValueError(
                f"{where}: tahun {text!r} bukan tahun (empat angka, mulai {PERIODE[0]})"
            )
        tahun = int(text)
        if (kode, tahun) in seen:
            raise ValueError(
                f"{where}: catatan kode {kode} tahun {tahun} sudah ada di baris "
                f"{seen[(kode, tahun)]}"
            )
        seen[(kode, tahun)] = number
        if row["catatan"]:
            out.append((kode, tahun, row["catatan"]))
    if not out:
        return empty
    return pd.DataFrame(out, columns=list(CATATAN_COLUMNS)).astype({"tahun": "int64"})


# ---------------------------------------------------------------- columns of one year


def _yearly_targets(targets: pd.DataFrame | None) -> dict[str, float]:
    """{kode: target} of the period's last year (``read_targets``: yearly targets)."""
    if targets is None or targets.empty:
        return {}
    rows = targets[targets["tahun"].astype(int) == TAHUN_AKHIR]
    return {str(r["kode"]): r["target"] for r in rows.to_dict("records")}


def kolom_lkjip(matriks: pd.DataFrame, targets: pd.DataFrame | None,
                catatan: pd.DataFrame | None) -> pd.DataFrame:
    """``matriks`` (``build_matriks``' rows) with the LKjIP columns: the end-of-period
    target and the capaian against it (indicators only: a supplementary figure has no
    target), the analyst's note of the row's kode and year, and the comparison with the
    previous year as far as ``matriks`` itself holds it (``refresh_perubahan`` fills it
    from the warehouse)."""
    akhir = _yearly_targets(targets)
    notes = {}
    if catatan is not None and not catatan.empty:
        notes = {(str(r["kode"]), int(r["tahun"])): r["catatan"]
                 for r in catatan.to_dict("records")}  # fmt: skip
    out = bandingkan(matriks)
    target_akhir, capaian_akhir, analisis = [], [], []
    for r in out.to_dict("records"):
        ind = INDIKATOR_BY_KODE.get(str(r["kode"]))
        target = akhir.get(str(r["kode"])) if ind is not None else None
        target = None if is_missing(target) else float(target)
        value = None
        if ind is not None and target is not None:
            value, _ = capaian(r["realisasi"], target, ind.polaritas)
        target_akhir.append(target)
        capaian_akhir.append(value)
        analisis.append(notes.get((str(r["kode"]), int(r["tahun"]))))
    out["target_akhir_periode"] = pd.Series(target_akhir, index=out.index, dtype="float64")
    out["capaian_akhir_periode"] = pd.Series(capaian_akhir, index=out.index, dtype="float64")
    out["analisis_penyebab"] = pd.Series(analisis, index=out.index, dtype="object")
    return out


# ---------------------------------------------------------------- the previous year


def _number(value: object) -> float | None:
    return None if is_missing(value) else float(value)


def perubahan(realisasi: object, sebelumnya: object) -> float | None:
    """Realisasi minus the previous year's (points for ``%``); None when either is
    missing."""
    a, b = _number(realisasi), _number(sebelumnya)
    return None if a is None or b is None else a - b


def bandingkan(matriks: pd.DataFrame) -> pd.DataFrame:
    """``matriks`` (rows of one or more years) with ``realisasi_tahun_lalu`` and
    ``perubahan_tahun_lalu`` computed from the rows it holds: a year whose previous year
    is not in ``matriks``, or has no realisasi, gets neither."""
    value = {(int(r["tahun"]), str(r["kode"])): _number(r["realisasi"])
             for r in matriks.to_dict("records")}  # fmt: skip
    lalu, beda = [], []
    for r in matriks.to_dict("records"):
        before = value.get((int(r["tahun"]) - 1, str(r["kode"])))
        lalu.append(before)
        beda.append(perubahan(r["realisasi"], before))
    out = matriks.copy()
    out["realisasi_tahun_lalu"] = pd.Series(lalu, index=out.index, dtype="float64")
    out["perubahan_tahun_lalu"] = pd.Series(beda, index=out.index, dtype="float64")
    return out


def lengkapi(matriks: pd.DataFrame) -> pd.DataFrame:
    """``matriks`` with every LKjIP column: the comparison with the previous year as the
    warehouse holds it, or computed from ``matriks`` when it lacks the columns (a frame
    built without the warehouse); the others empty when absent."""
    out = matriks if "perubahan_tahun_lalu" in matriks.columns else bandingkan(matriks)
    out = out.copy()
    for column in KOLOM_LKJIP:
        if column not in out.columns:
            out[column] = None
    return out


def refresh_perubahan(conn: sa.Connection, years: Iterable[int] | None = None) -> int:
    """Recompute ``realisasi_tahun_lalu`` and ``perubahan_tahun_lalu`` of the rows of
    ``years`` (None: every year) of ``matriks_iku`` from the published realisasi, in the
    caller's transaction (the one publishing those years). Returns the number of rows
    whose comparison changed."""
    table = matriks_iku
    rows = conn.execute(
        sa.select(table.c.tahun, table.c.kode, table.c.realisasi,
                  table.c.realisasi_tahun_lalu, table.c.perubahan_tahun_lalu)
    ).all()  # fmt: skip
    value = {(r.tahun, r.kode): r.realisasi for r in rows}
    wanted = None if years is None else {int(y) for y in years}
    changes = []
    for r in rows:
        if wanted is not None and r.tahun not in wanted:
            continue
        before = _number(value.get((r.tahun - 1, r.kode)))
        diff = perubahan(r.realisasi, before)
        if _same(before, r.realisasi_tahun_lalu) and _same(diff, r.perubahan_tahun_lalu):
            continue
        changes.append({"_tahun": r.tahun, "_kode": r.kode,
                        "realisasi_tahun_lalu": before, "perubahan_tahun_lalu": diff})
    if changes:
        conn.execute(
            table.update()
            .where(table.c.tahun == sa.bindparam("_tahun"), table.c.kode == sa.bindparam("_kode"))
            .values(realisasi_tahun_lalu=sa.bindparam("realisasi_tahun_lalu"),
                    perubahan_tahun_lalu=sa.bindparam("perubahan_tahun_lalu")),
            changes,
        )  # fmt: skip
    return len(changes)


def _same(a: object, b: object) -> bool:
    a, b = _number(a), _number(b)
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-12)


# ---------------------------------------------------------------- notes for documents


def analisis_periode(rows: pd.DataFrame) -> str:
    """ANALISIS PENYEBAB of one kode over several years: each year's note after its
    year (``2023: ...``), one per line."""
    if rows.empty or "analisis_penyebab" not in rows.columns:
        return ""
    return analisis_tahun(rows.sort_values("tahun").to_dict("records"))


def analisis_tahun(records: Iterable[Mapping]) -> str:
    """``analisis_periode`` of one kode's rows given as records (with
    ``analisis_penyebab``) in year order."""
    parts = [f"{int(r['tahun'])}: {r['analisis_penyebab']}" for r in records
             if not is_missing(r["analisis_penyebab"]) and str(r["analisis_penyebab"])]
    return "\n".join(parts)
