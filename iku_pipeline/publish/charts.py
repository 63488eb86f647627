"""Trend charts of the IKU (PNG), for the 2021–2025 workbook and the asset's metadata.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global state), so a
chart can be made from any thread without a display.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Iterable

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from iku_pipeline.indicators.declarations import INDIKATOR_BY_KODE, KECAMATAN

_BAR = "#2f6f9f"
_TARGET = "#c0392b"
_MUTED = "#7f7f7f"


def _id_number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


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
    rows = realisasi[(realisasi["kode"].astype(str) == kode) & (realisasi["wilayah"] == KECAMATAN)]
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


def trend_chart(
    realisasi: pd.DataFrame,
    kode: str,
    targets: pd.DataFrame | None = None,
    years: Iterable[int] | None = None,
) -> bytes:
    """PNG of one indicator's kecamatan realisasi over the years, as bars.

    ``realisasi`` is the ``realisasi_iku`` frame (any years, any wilayah); ``targets`` the
    frame of ``read_targets`` (drawn as a dashed line where given); ``years`` the x axis
    (default: the years present). A year without a value is a gap labelled with why
    ("data belum tersedia", "penyebut 0", "belum diproses"), never a zero bar.
    """
    ind = INDIKATOR_BY_KODE[kode]
    if years is None:
        of_kode = realisasi["kode"].astype(str) == kode
        years = sorted({int(y) for y in realisasi.loc[of_kode, "tahun"]})
    years = sorted(int(y) for y in years)
    target_of: dict[int, float] = {}
    if targets is not None and not targets.empty:
        for r in targets[targets["kode"].astype(str) == kode].to_dict("records"):
            if not _missing(r["target"]):
                target_of[int(r["tahun"])] = float(r["target"])

    persen = ind.satuan == "%"
    decimals = 2 if persen else 0
    fig = Figure(figsize=(7.0, 4.2), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)

    x = list(range(len(years)))
    values, why = realisasi_series(realisasi, kode, years)
    present = [v for v in values if v is not None]
    top = max(present + list(target_of.values()) + [100.0 if persen else 1.0])
    ax.set_ylim(0, top * 1.18)
    for xi, v, w in zip(x, values, why, strict=True):
        if v is None:
            label = "\n".join(textwrap.wrap(w, 10))
            ax.text(xi, top * 0.04, label, ha="center", va="bottom", fontsize=8, color=_MUTED,
                    style="italic")
            continue
        ax.bar(xi, v, width=0.6, color=_BAR, zorder=2)
        ax.text(xi, v + top * 0.015, _id_number(v, decimals), ha="center", va="bottom",
                fontsize=8)

    tx = [xi for xi, y in zip(x, years, strict=True) if y in target_of]
    if tx:
        ty = [target_of[years[xi]] if years[xi] in target_of else math.nan for xi in x]
        ax.plot(x, ty, linestyle="--", marker="o", markersize=4, color=_TARGET,
                label="Target", zorder=3)
    ax.bar([], [], color=_BAR, label="Realisasi")

    ax.set_xticks(x, [str(y) for y in years])
    ax.set_xlim(-0.6, len(years) - 0.4 if years else 0.6)
    ax.set_xlabel("Tahun")
    ax.set_ylabel("Persen (%)" if persen else f"Jumlah {ind.satuan}")
    if not persen:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _id_number(v, 0)))
    ax.grid(axis="y", color="#dddddd", zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    title = "\n".join(textwrap.wrap(f"IKU {ind.no}. {ind.uraian}", 70))
    ax.set_title(title, fontsize=9.5, loc="left")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8, frameon=False,
              ncols=2)
    fig.text(0.01, 0.01, f"{KECAMATAN}", fontsize=7, color=_MUTED)
    fig.tight_layout()

    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
