"""Trend charts of the IKU: native Excel charts on the 2021–2025 workbook's sheet
``Grafik``, and a small table of the same figures for the asset's metadata.

Each chart is an Excel chart (xlsxwriter's ``add_chart``) over a data table on the same
sheet, so the office can edit it, restyle it or copy it into a report, and Excel draws
it with the reader's own number separators. A year without a value is an empty cell,
drawn as a gap (never a zero bar), its reason under the year on the axis.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from iku_pipeline.indicators.declarations import INDIKATOR, INDIKATOR_BY_KODE, KECAMATAN, OPD
from iku_pipeline.publish.layout import COUNT_FORMAT, PCT_FORMAT, Formats, print_setup

_BAR_COLOR = "#2F6F9F"
_TARGET_COLOR = "#C0392B"
_GRID_COLOR = "#DDDDDD"


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def realisasi_series(
    realisasi: pd.DataFrame, kode: str, years: Iterable[int]
) -> tuple[list[float | None], list[str]]:
    """The kecamatan's value of ``kode`` per year, and why a year has none.

    ``None`` (a gap in the chart, never 0) with the reason: "data belum tersedia" (the
    source was not delivered), "penyebut 0" (nothing to count), "belum diproses" (the
    year was not run).
    """
    of = (realisasi["kode"].astype(str) == kode) & (realisasi["wilayah"] == KECAMATAN)
    rows = realisasi.loc[of, ["tahun", "pembilang", "nilai"]]  # only what is read below
    by_year = {int(r["tahun"]): r for r in rows.to_dict("records")}
    values: list[float | None] = []
    why: list[str] = []
    for y in years:
        r = by_year.get(int(y))
        if r is None:
            values.append(None)
            why.append("belum diproses")
        elif _missing(r["pembilang"]):
            values.append(None)
            why.append("data belum tersedia")
        elif _missing(r["nilai"]):
            values.append(None)
            why.append("penyebut 0")
        else:
            values.append(float(r["nilai"]))
            why.append("")
    return values, why


@dataclass(frozen=True)
class Trend:
    """One indicator's kecamatan realisasi and target per year: what a chart shows."""

    kode: str
    judul: str  # "IKU 1. <uraian>"
    satuan: str  # "%" or "kegiatan"
    years: tuple[int, ...]
    values: tuple[float | None, ...]  # None: a gap, ``why`` says why
    why: tuple[str, ...]
    targets: tuple[float | None, ...]

    @property
    def persen(self) -> bool:
        return self.satuan == "%"


def trend(
    realisasi: pd.DataFrame,
    kode: str,
    targets: pd.DataFrame | None = None,
    years: Iterable[int] | None = None,
) -> Trend:
    """The figures of one indicator's trend chart.

    ``realisasi`` is the ``realisasi_iku`` frame (any years, any wilayah); ``targets`` a
    frame with ``kode``, ``tahun`` and ``target`` (drawn as a dashed line where given);
    ``years`` the x axis (default: the years present).
    """
    ind = INDIKATOR_BY_KODE[kode]
    if years is None:
        of_kode = realisasi["kode"].astype(str) == kode
        years = {int(y) for y in realisasi.loc[of_kode, "tahun"]}
    years = tuple(sorted(int(y) for y in years))
    target_of: dict[int, float] = {}
    if targets is not None and not targets.empty:
        for r in targets[targets["kode"].astype(str) == kode].to_dict("records"):
            if not _missing(r["target"]):
                target_of[int(r["tahun"])] = float(r["target"])
    values, why = realisasi_series(realisasi, kode, years)
    return Trend(
        kode=kode,
        judul=f"IKU {ind.no}. {ind.uraian}",
        satuan=ind.satuan,
        years=years,
        values=tuple(values),
        why=tuple(why),
        targets=tuple(target_of.get(y) for y in years),
    )


# ---------------------------------------------------------------- the workbook's sheet

_NCOLS = 16  # the sheet's width in default columns: two charts side by side
_COL_PX, _ROW_PX = 64, 20  # a default column (8.43) and row (15 pt), in pixels
_CHART_W = _NCOLS // 2 * _COL_PX - 16
_CHART_H = round(_CHART_W * 0.6)
_BLOCK_ROWS = math.ceil(_CHART_H / _ROW_PX) + 1  # a pair of charts and a gap under it


def sheet_grafik(wb, trends: Mapping[str, Trend], years: Sequence[int]) -> None:
    """The sheet ``Grafik``: a chart per indicator, two side by side, four to a printed
    page, over the table ``DATA GRAFIK`` under them (the cells the charts draw)."""
    ws = wb.add_worksheet("Grafik")
    f = Formats(wb)
    ws.merge_range(0, 0, 0, _NCOLS - 1, f"GRAFIK REALISASI IKU {OPD.nama_opd} "
                   f"TAHUN {years[0]} - {years[-1]}", f(bold=True, align="center", font_size=12))
    ws.set_row(0, 20)
    order = [i.kode for i in INDIKATOR if i.kode in trends]
    order += [k for k in trends if k not in order]
    first_row = 2
    pairs = math.ceil(len(order) / 2)
    table_row = first_row + pairs * _BLOCK_ROWS + 1
    ws.merge_range(table_row, 0, table_row, _NCOLS - 1, "DATA GRAFIK (angka kecamatan; "
                   "grafik di atas menggambar sel-sel ini)", f(bold=True))  # fmt: skip
    breaks = []
    block = 3 + len(years)  # title, header, a row per year, a blank row
    for n, kode in enumerate(order):
        pair, side = divmod(n, 2)
        col = side * _NCOLS // 2
        rows = _data_block(ws, f, trends[kode], table_row + 2 + pair * block, col)
        chart = _chart(wb, ws.get_name(), trends[kode], rows, col)
        ws.insert_chart(first_row + pair * _BLOCK_ROWS, col, chart,
                        {"x_offset": 4, "y_offset": 4, "object_position": 3,
                         "description": f"Grafik realisasi {trends[kode].judul}"})  # fmt: skip
        if side == 1 and pair % 2 == 1:
            breaks.append(first_row + (pair + 1) * _BLOCK_ROWS)
    last_row = table_row + 1 + pairs * block
    ws.set_h_pagebreaks([b for b in [*breaks, table_row] if b < last_row])
    print_setup(ws, last_row, _NCOLS - 1, footer="Grafik realisasi IKU")


def _label(year: int, why: str) -> str:
    """A year on the axis, with the reason it has no bar."""
    return f"{year}\n({why})" if why else str(year)


# The columns of an indicator's block in DATA GRAFIK, from its first column.
_TAHUN, _REALISASI, _TARGET = (0, 2), (3, 4), (5, 6)


def _data_block(ws, f: Formats, t: Trend, row: int, col: int) -> tuple[int, int]:
    """One indicator's table at (``row``, ``col``): its title, then a row per year:
    TAHUN (with why a year has no value), REALISASI, TARGET. Returns the rows of the
    years (first, last)."""
    ws.merge_range(row, col, row, col + _TARGET[1], t.judul, f(italic=True, text_wrap=True))
    ws.set_row(row, 26)
    satuan = "(%)" if t.persen else f"({t.satuan})"
    for (a, b), text in ((_TAHUN, "TAHUN"), (_REALISASI, f"REALISASI {satuan}"),
                         (_TARGET, f"TARGET {satuan}")):  # fmt: skip
        ws.merge_range(row + 1, col + a, row + 1, col + b, text, f.th(font_size=8))
    fmt = PCT_FORMAT if t.persen else COUNT_FORMAT
    first = row + 2
    for i, (y, v, why, target) in enumerate(zip(t.years, t.values, t.why, t.targets, strict=True)):
        r = first + i
        ws.merge_range(r, col + _TAHUN[0], r, col + _TAHUN[1], _label(y, why),
                       f.td(font_size=8, align="center"))  # fmt: skip
        if why:
            ws.set_row(r, 24)
        for (a, b), value in ((_REALISASI, v), (_TARGET, target)):
            ws.merge_range(r, col + a, r, col + b, None, f.num(fmt, font_size=8))
            if value is not None:  # else an empty cell: a gap, never 0
                ws.write_number(r, col + a, value, f.num(fmt, font_size=8))
    return first, first + len(t.years) - 1


def _chart(wb, sheet: str, t: Trend, rows: tuple[int, int], col: int):
    """A column chart of REALISASI with TARGET as a dashed line, over the cells of
    ``t``'s block (``rows``: its years, ``col``: its first column)."""

    def ref(offset: int) -> list:
        return [sheet, rows[0], col + offset, rows[1], col + offset]

    fmt = PCT_FORMAT if t.persen else COUNT_FORMAT
    bars = wb.add_chart({"type": "column"})
    bars.add_series({
        "name": "Realisasi",
        "categories": ref(_TAHUN[0]),
        "values": ref(_REALISASI[0]),
        "fill": {"color": _BAR_COLOR},
        "gap": 80,
        "data_labels": {"value": True, "num_format": fmt, "font": {"size": 8}},
    })  # fmt: skip
    if any(v is not None for v in t.targets):
        line = wb.add_chart({"type": "line"})
        line.add_series({
            "name": "Target",
            "categories": ref(_TAHUN[0]),
            "values": ref(_TARGET[0]),
            "line": {"color": _TARGET_COLOR, "width": 1.5, "dash_type": "dash"},
            "marker": {"type": "circle", "size": 5, "fill": {"color": _TARGET_COLOR},
                       "border": {"color": _TARGET_COLOR}},
        })  # fmt: skip
        bars.combine(line)
    title = "\n".join(textwrap.wrap(" ".join(t.judul.split()), 80))
    bars.set_title({"name": title, "name_font": {"size": 9, "bold": True}, "overlay": False})
    bars.set_x_axis({"name": "Tahun", "num_font": {"size": 8}, "name_font": {"size": 9}})
    bars.set_y_axis({
        "name": "Persen (%)" if t.persen else f"Jumlah {t.satuan}",
        "min": 0,
        "num_format": COUNT_FORMAT,
        "major_gridlines": {"visible": True, "line": {"color": _GRID_COLOR}},
        "num_font": {"size": 8},
        "name_font": {"size": 9},
    })  # fmt: skip
    bars.set_legend({"position": "bottom", "font": {"size": 8}})
    bars.show_blanks_as("gap")
    bars.set_size({"width": _CHART_W, "height": _CHART_H})
    return bars


# ---------------------------------------------------------------- the asset's metadata


def _id_number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def markdown(t: Trend) -> str:
    """The trend as a small Markdown table (the UI's metadata): a bar of blocks per
    year, scaled to the largest value, the figures with the office's separators."""
    decimals = 2 if t.persen else 0
    unit = " %" if t.persen else f" {t.satuan}"
    top = max([v for v in (*t.values, *t.targets) if v is not None] or [1.0]) or 1.0
    lines = [f"**{t.judul}**", "", "| Tahun | Realisasi | | Target |", "|---|---:|---|---:|"]
    for y, v, why, target in zip(t.years, t.values, t.why, t.targets, strict=True):
        shown = _id_number(v, decimals) + unit if v is not None else f"_{why}_"
        bar = "█" * max(1, round(10 * v / top)) if v else ""
        aim = _id_number(target, decimals) + unit if target is not None else "-"
        lines.append(f"| {y} | {shown} | {bar} | {aim} |")
    return "\n".join(lines)
