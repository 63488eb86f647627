"""The rows of the quarterly measurement (*pengukuran kinerja triwulan*,
docs/data-contract.md §8, §5.7) as its workbook and CSV show them, from the published
table ``realisasi_triwulan`` (``tahun``, ``triwulan`` 1–4, ``kode``, ``wilayah``,
``pembilang``, ``penyebut``, ``nilai``, ``satuan``, ``sampai_tanggal``), the year's
``matriks_iku`` rows (yearly target, analisis penyebab) and the quarterly targets of
``reference/target_iku.csv`` (its ``triwulan`` column).

Rules written here (project rules where the contract is silent):

- A quarter's capaian is computed only against a quarterly target that is given, never
  a share of the yearly one; without one the cell is empty and KETERANGAN says
  "target triwulan tidak ditetapkan".
- A quarter with no row in a year still running (after the last quarter published)
  has not begun: its REALISASI says "belum berjalan" (its quarterly target, when given,
  is shown; no capaian). A quarter missing otherwise: "belum diproses".
- The running quarter's rows end on the run's date (``sampai_tanggal`` before the
  quarter's last day): its heading says "realisasi s.d. <tanggal>", as does the
  sheet's title.
- KETERANGAN gives each note once with its quarters ("TW I–III: target triwulan tidak
  ditetapkan."), then the row's standing note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from iku_pipeline.indicators.declarations import INDIKATOR, INDIKATOR_BY_KODE, KECAMATAN
from iku_pipeline.indicators.triwulan import (
    ROMAWI,
    akhir_triwulan,
    sampai_tanggal_tahun,
    sampai_teks,
    tanggal_teks,
)
from iku_pipeline.publish.layout import atomic
from iku_pipeline.publish.lkjip import H_ANALISIS
from iku_pipeline.publish.matrix import (
    BELUM_TERSEDIA,
    CATATAN_TARGET_NOL,
    PENYEBUT_NOL,
    TERSEDIA,
    _realisasi_notes,
    capaian,
    is_missing,
)
from iku_pipeline.publish.rows import (
    H_CAPAIAN,
    H_KETERANGAN,
    H_NO,
    H_REALISASI,
    H_SATUAN,
    H_TAHUN,
    H_TARGET,
    H_URAIAN,
    TEKS_BELUM_DIPROSES,
    is_count,
    missing_text,
    text_rows,
)

TABLE = "realisasi_triwulan"
TRIWULAN = (1, 2, 3, 4)

BELUM_BERJALAN = "belum berjalan"
TEKS_TARGET_TW_KOSONG = "target triwulan tidak ditetapkan"


def romawi(triwulan: int) -> str:
    return ROMAWI[int(triwulan) - 1]


def label_tw(triwulan: int) -> str:
    return f"TW {romawi(triwulan)}"


def daftar_tw(quarters: Sequence[int]) -> str:
    """``TW I, TW II``; three or more consecutive quarters as ``TW I–III``."""
    qs = sorted(int(q) for q in quarters)
    if len(qs) >= 3 and qs == list(range(qs[0], qs[-1] + 1)):
        return f"TW {romawi(qs[0])}–{romawi(qs[-1])}"
    return ", ".join(label_tw(q) for q in qs)


# ---------------------------------------------------------------- inputs


def _date(value: object) -> dt.date | None:
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def read_triwulan(engine: sa.Engine, tahun: int) -> pd.DataFrame | None:
    """``realisasi_triwulan``'s rows of ``tahun``; None when the warehouse has no such
    table yet or no row of the year (the workbook is then not written)."""
    if not sa.inspect(engine).has_table(TABLE):
        return None
    table = sa.Table(TABLE, sa.MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        frame = pd.read_sql(sa.select(table).where(table.c.tahun == int(tahun)), conn)
    if frame.empty:
        return None
    frame["sampai_tanggal"] = [_date(v) for v in frame["sampai_tanggal"]]
    return frame


# ---------------------------------------------------------------- cells


@dataclass
class Sel:
    """One quarter of one row: what its TARGET, REALISASI and CAPAIAN cells show."""

    status: str  # TERSEDIA, BELUM_TERSEDIA, PENYEBUT_NOL, BELUM_BERJALAN, TEKS_BELUM_DIPROSES
    realisasi: float | None = None
    target: float | None = None
    capaian: float | None = None
    sampai: dt.date | None = None  # the row's sampai_tanggal

    def teks(self) -> str | None:
        """What the REALISASI cell says instead of a number (None: it has one)."""
        if self.status == BELUM_BERJALAN:
            return BELUM_BERJALAN
        return missing_text(self.status)


class Triwulan:
    """The year's quarterly rows, indexed by (kode, wilayah, triwulan)."""

    def __init__(self, frame: pd.DataFrame, tahun: int):
        self.tahun = int(tahun)
        self.rows = {
            (str(r["kode"]), r["wilayah"], int(r["triwulan"])): r
            for r in frame.to_dict("records")
        }
        self.begun = sorted({int(q) for q in frame["triwulan"]})
        self.sampai = sampai_tanggal_tahun(frame)  # None: the year is over

    def sel(self, kode: str, wilayah: str, q: int) -> Sel:
        r = self.rows.get((kode, wilayah, q))
        if r is None:
            running = self.sampai is not None and (not self.begun or q > max(self.begun))
            return Sel(BELUM_BERJALAN if running else TEKS_BELUM_DIPROSES)
        if is_missing(r["pembilang"]):
            status = BELUM_TERSEDIA
        elif is_missing(r["nilai"]):
            status = PENYEBUT_NOL
        else:
            status = TERSEDIA
        value = float(r["nilai"]) if status == TERSEDIA else None
        return Sel(status, value, sampai=_date(r["sampai_tanggal"]))

    def judul_tw(self, q: int) -> str:
        """A quarter's heading: ``TRIWULAN II`` and the day its figures run to."""
        end = akhir_triwulan(self.tahun, q)
        if self.sampai is not None and q == max(self.begun, default=0) and self.sampai < end:
            return f"TRIWULAN {romawi(q)}\n({sampai_teks(self.sampai)})"
        return f"TRIWULAN {romawi(q)}\n(s.d. {tanggal_teks(end)})"


def _target_index(targets_tw: pd.DataFrame, tahun: int) -> dict[tuple[str, int], float]:
    rows = targets_tw[targets_tw["tahun"].astype(int) == int(tahun)]
    return {(str(r["kode"]), int(r["triwulan"])): r["target"] for r in rows.to_dict("records")}


def baris_pengukuran(triwulan: pd.DataFrame, matriks: pd.DataFrame,
                     targets_tw: pd.DataFrame | None, tahun: int,
                     data: Triwulan | None = None) -> list[dict]:
    """The kecamatan's rows of the measurement of ``tahun``: each text row of the matrix
    (``rows.text_rows``: the indicators, each followed by its supplementary rows) with
    ``target_tahun``, ``tw`` ({1..4: Sel}), ``keterangan`` and ``analisis``.

    ``triwulan``: realisasi_triwulan rows of the year; ``matriks``: matriks_iku rows
    (the yearly target and the analyst's note); ``targets_tw``: the quarterly targets
    (``targets.read_targets_triwulan``: ``kode``, ``tahun``, ``triwulan``, ``target``);
    ``data``: ``triwulan`` already indexed (``Triwulan``), when the caller has it.
    """
    data = Triwulan(triwulan, tahun) if data is None else data
    matrix_of = {str(r["kode"]): r for r in matriks.to_dict("records")
                 if int(r["tahun"]) == int(tahun)}  # fmt: skip
    target_of = {} if targets_tw is None else _target_index(targets_tw, tahun)
    out = []
    for t in text_rows([i.kode for i in INDIKATOR]):
        kode = t["kode"]
        m = matrix_of.get(kode)
        ind = None if t["tambahan"] else INDIKATOR_BY_KODE[kode]
        cells = {}
        for q in TRIWULAN:
            sel = data.sel(kode, KECAMATAN, q)
            if ind is not None:  # a quarter not begun shows its target, without capaian
                target = target_of.get((kode, q))
                sel.target = None if is_missing(target) else float(target)
                if sel.target is not None and sel.status == TERSEDIA:
                    sel.capaian, _ = capaian(sel.realisasi, sel.target, ind.polaritas)
            cells[q] = sel
        target_tahun = None
        if ind is not None and m is not None and not is_missing(m["target"]):
            target_tahun = float(m["target"])
        analisis = "" if m is None or is_missing(m.get("analisis_penyebab")) else str(
            m["analisis_penyebab"])
        out.append({**t, "target_tahun": target_tahun, "tw": cells,
                    "keterangan": _keterangan(t, cells), "analisis": analisis})
    return out


def _keterangan(t: dict, cells: dict[int, Sel]) -> str:
    """The quarters' notes of one row, each once with its quarters, then the row's
    standing note."""
    grouped: dict[str, list[int]] = {}

    def add(note: str, q: int) -> None:
        grouped.setdefault(note, []).append(q)

    parts = []
    for q, sel in cells.items():
        # A quarter not begun says so in its cell, and the running quarter's "s.d." date
        # is in its heading: neither is repeated here.
        if sel.status in (BELUM_BERJALAN, TEKS_BELUM_DIPROSES):
            continue
        for note in _realisasi_notes(t["kode"], sel.status):
            add(note, q)
        if t["tambahan"]:
            continue
        if sel.target is None:
            add(f"{TEKS_TARGET_TW_KOSONG}.", q)
        elif sel.target == 0:
            add(CATATAN_TARGET_NOL, q)
    for note, quarters in grouped.items():
        parts.append(f"{daftar_tw(quarters)}: {note}")
    if t["keterangan"]:
        parts.append(t["keterangan"])
    return " ".join(parts)


def realisasi_kelurahan(triwulan: pd.DataFrame, tahun: int, kelurahan: Sequence[str],
                        data: Triwulan | None = None
                        ) -> tuple[list[str], dict[tuple[str, str, int], Sel]]:
    """The wilayah of the Per Kelurahan sheet (``kelurahan`` in their order, any other
    the table holds, then the kecamatan) and the realisasi of every kode × wilayah ×
    quarter (``data``: ``triwulan`` already indexed)."""
    data = Triwulan(triwulan, tahun) if data is None else data
    published = [w for w in dict.fromkeys(triwulan["wilayah"]) if w != KECAMATAN]
    wilayah = [*dict.fromkeys([*kelurahan, *published]), KECAMATAN]
    kodes = [t["kode"] for t in text_rows([i.kode for i in INDIKATOR])]
    cells = {(k, w, q): data.sel(k, w, q) for k in kodes for w in wilayah for q in TRIWULAN}
    return wilayah, cells


# ---------------------------------------------------------------- CSV


def _number(value: float | None, satuan: str) -> str:
    if value is None or is_missing(value):
        return ""
    text = f"{value:.0f}" if is_count(satuan, value) else f"{value:.2f}"
    return text.replace(".", ",")


def write_pengukuran_csv(
    baris: list[dict], tahun: int, out_dir: str | Path, data: Triwulan | None = None
) -> Path:
    """``pengukuran_kinerja_<tahun>.csv``: the kecamatan's rows of the workbook's first
    sheet, ``;`` and a decimal comma, UTF-8 with BOM (as ``matriks_csv``). A year to
    date (``data.sampai``) says so on its running quarter's REALISASI, as the workbook
    heads it (§8)."""
    header = [H_TAHUN, H_NO, H_URAIAN, H_SATUAN, f"{H_TARGET} TAHUN {tahun}"]
    running = max(data.begun, default=None) if data is not None and data.sampai else None
    for q in TRIWULAN:
        sd = f" ({sampai_teks(data.sampai)})" if q == running else ""
        header += [f"{H_TARGET} {label_tw(q)}", f"{H_REALISASI} {label_tw(q)}{sd}",
                   f"{H_CAPAIAN} {label_tw(q)}"]  # fmt: skip
    header += [H_KETERANGAN, H_ANALISIS]
    lines = []
    for b in baris:
        row = [str(tahun), b["no"], b["uraian"], b["satuan"],
               _number(b["target_tahun"], b["satuan"])]  # fmt: skip
        for q in TRIWULAN:
            sel = b["tw"][q]
            text = sel.teks()
            row += [_number(sel.target, b["satuan"]),
                    text if text is not None else _number(sel.realisasi, b["satuan"]),
                    _number(sel.capaian, "%")]  # fmt: skip
        row += [b["keterangan"], b["analisis"]]
        lines.append(row)
    frame = pd.DataFrame(lines, columns=header)
    path = Path(out_dir) / f"pengukuran_kinerja_{tahun}.csv"
    with atomic(path) as tmp:
        text = frame.to_csv(index=False, sep=";", lineterminator="\r\n")
        tmp.write_bytes(text.encode("utf-8-sig"))
    return path
