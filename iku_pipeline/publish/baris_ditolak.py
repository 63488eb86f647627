"""``baris_ditolak_<tahun>.xlsx``: the rows a year's delivered files could not give, for
the sections that fix and deliver the files again (DATA_CONTRACT §4)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from iku_pipeline.indicators.declarations import INDIKATOR, OPD
from iku_pipeline.publish.layout import (
    COUNT_FORMAT,
    Formats,
    Heights,
    block,
    print_setup,
    set_widths,
    workbook,
)
from iku_pipeline.publish.matrix import is_missing

_FIXED = ("BARIS", "KOLOM", "ALASAN")

# Rows listed per delivered file. A clerk fixes a file from its first errors (a wrong
# column repeats on every row); all rejected rows stay in the warehouse table
# baris_ditolak, and the summary and each file's heading count them all. Keeps a sheet
# far below Excel's 1,048,576 rows.
MAX_BARIS_PER_BERKAS = 5_000


def _source_order(sumber: Iterable[str]) -> list[str]:
    known = []
    for ind in INDIKATOR:
        for s in ind.sumber:
            if s not in known:
                known.append(s)
    present = set(sumber)
    return [s for s in known if s in present] + sorted(present - set(known))


def _source_title(sumber: str) -> str:
    try:
        from iku_pipeline.sources.specs import SOURCES
    except ImportError:  # the report does not need the specs to be written
        return sumber
    spec = SOURCES.get(sumber)
    return f"{spec.judul} ({sumber})" if spec else sumber


def _header_of(sumber: str, kolom: str, headers: Sequence[str]) -> str | None:
    """The file's own header for the contract column ``kolom`` (by name or alias)."""
    if not kolom:
        return None
    try:
        from iku_pipeline.sources.specs import SOURCES, normalise_header
    except ImportError:
        return None
    spec = SOURCES.get(sumber)
    names = {normalise_header(kolom)}
    if spec is not None and kolom in spec.names:
        names |= {normalise_header(a) for a in spec.column(kolom).aliases}
    for head in headers:
        if normalise_header(head) in names:
            return head
    return None


def write_baris_ditolak(baris_ditolak: pd.DataFrame, tahun: int, out_dir: str | Path) -> Path:
    """``baris_ditolak_<tahun>.xlsx``: a summary sheet, then one sheet per source with each
    rejected row — file, row, column, reason and the row's (masked) values under the
    file's own headers — sorted by file and row so a clerk can fix the extract and
    deliver it again. The failing value is highlighted."""
    path = Path(out_dir) / f"baris_ditolak_{tahun}.xlsx"
    frame = baris_ditolak
    if "tahun" in frame.columns:
        frame = frame[frame["tahun"].astype(int) == int(tahun)]
    frame = frame.assign(
        kolom=frame["kolom"].fillna("").astype(str), baris=frame["baris"].astype(int)
    ).sort_values(["berkas", "baris", "kolom"], kind="stable")
    sources = _source_order(frame["sumber"].unique())

    with workbook(path, title=f"Baris ditolak tahun {tahun}", strings_to_numbers=False) as wb:
        _sheet_ringkasan(wb, frame, sources, int(tahun))
        for sumber in sources:
            _sheet_sumber(wb, frame[frame["sumber"] == sumber], sumber, int(tahun))
    return path


def _sheet_ringkasan(wb, frame: pd.DataFrame, sources: list[str], tahun: int) -> None:
    ws = wb.add_worksheet("Ringkasan")
    f = Formats(wb)
    widths = (34, 40, 16)
    set_widths(ws, widths)
    h = Heights(widths)
    last = len(widths) - 1
    title = f(bold=True, align="center", font_size=13)
    ws.merge_range(0, 0, 0, last, f"DAFTAR BARIS DITOLAK TAHUN {tahun}", title)
    ws.merge_range(1, 0, 1, last, OPD.nama_opd, f(bold=True, align="center", font_size=11))
    h.need[0] = h.need[1] = 20
    intro = (
        "Baris di bawah ini tidak dipakai dalam perhitungan IKU. Buka lembar tiap sumber "
        "data, perbaiki isi baris pada berkas aslinya (nomor baris seperti yang tampil di "
        "Excel), lalu serahkan kembali berkas yang sudah diperbaiki. Data pribadi (NIK, "
        "nama) disamarkan."
    )
    ws.merge_range(3, 0, 3, last, intro, f(text_wrap=True))
    h.fit(3, 0, intro, f.size, last_col=last)
    row = 5
    for c, text in enumerate(("SUMBER DATA", "BERKAS", "BARIS DITOLAK")):
        ws.write_string(row, c, text, f.th())
    row += 1
    if frame.empty:
        text = f"Tidak ada baris ditolak untuk tahun {tahun}."
        ws.merge_range(row, 0, row, last, text, f.td(italic=True))
        row += 1
    for sumber in sources:
        part = frame[frame["sumber"] == sumber]
        counts = part.groupby("berkas", sort=True).size()
        first = row
        for berkas, n in counts.items():
            ws.write_string(row, 1, str(berkas), f.td())
            h.fit(row, 1, str(berkas), f.size)
            ws.write_number(row, 2, int(n), f.num(COUNT_FORMAT))
            row += 1
        block(ws, f, h, first, row - 1, 0, _source_title(sumber), f.size)
    if not frame.empty:
        ws.write_string(row, 0, "JUMLAH", f.td(bold=True))
        ws.write_blank(row, 1, None, f.td())
        ws.write_number(row, 2, len(frame), f.num(COUNT_FORMAT, bold=True))
        row += 1
    h.apply(ws)
    print_setup(ws, row - 1, last, footer=f"Baris ditolak tahun {tahun}")


def _isi(text: object) -> dict[str, str]:
    if is_missing(text) or not str(text).strip():
        return {}
    try:
        values = json.loads(str(text))
    except ValueError:
        return {"isi baris": str(text)}
    if not isinstance(values, dict):
        return {"isi baris": str(text)}
    return {str(k): "" if v is None else str(v) for k, v in values.items()}


def _ribuan(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _sheet_sumber(wb, part: pd.DataFrame, sumber: str, tahun: int) -> None:
    ws = wb.add_worksheet(sumber[:31])
    f = Formats(wb)
    per_file = {str(k): n for k, n in part.groupby("berkas", sort=False).size().items()}
    records = part.groupby("berkas", sort=False).head(MAX_BARIS_PER_BERKAS).to_dict("records")
    sections: dict[str, list[tuple[dict, dict[str, str]]]] = {}
    for r in records:
        sections.setdefault(str(r["berkas"]), []).append((r, _isi(r["isi_baris"])))

    # Column widths: the fixed columns, then the widest value column by position.
    value_cols = 0
    value_len: dict[int, int] = defaultdict(int)
    for rows in sections.values():
        heads: list[str] = []
        for _, isi in rows:
            heads += [k for k in isi if k not in heads]
        value_cols = max(value_cols, len(heads))
        for i, head in enumerate(heads):
            longest = max([len(head)] + [len(isi.get(head, "")) for _, isi in rows])
            value_len[i] = max(value_len[i], longest)
    widths = [8, 18, 42] + [min(max(value_len[i] * 1.05 + 2, 9), 32) for i in range(value_cols)]
    set_widths(ws, widths)
    ncols = len(widths)
    h = Heights(widths)
    title = f"BARIS DITOLAK TAHUN {tahun} — {_source_title(sumber).upper()}"
    ws.merge_range(0, 0, 0, ncols - 1, title, f(bold=True, font_size=12))
    h.need[0] = 20
    row = 2
    if len(part) > len(records):
        text = (
            f"Dari tiap berkas, lembar ini memuat paling banyak "
            f"{_ribuan(MAX_BARIS_PER_BERKAS)} baris ditolak pertama ({_ribuan(len(records))} "
            f"dari {_ribuan(len(part))}); semuanya tercatat di tabel baris_ditolak. Perbaiki "
            "dulu kesalahan di bawah ini: kesalahan yang sama biasanya berulang."
        )
        ws.merge_range(row, 0, row, ncols - 1, text, f(bold=True, text_wrap=True,
                                                         font_color="#C00000"))
        h.fit(row, 0, text, f.size, last_col=ncols - 1, bold=True)
        row += 2
    repeat = (row, row + 1) if len(sections) == 1 else None  # one file: repeat its header
    bad = f.td(bg_color="#F8CBAD", bold=True)
    for berkas, rows in sections.items():
        heads: list[str] = []
        for _, isi in rows:
            heads += [k for k in isi if k not in heads]
        n = per_file[berkas]
        shown = "" if len(rows) == n else f" (ditampilkan {_ribuan(len(rows))})"
        text = f"Berkas: {berkas} — {_ribuan(n)} baris ditolak{shown}"
        ws.merge_range(row, 0, row, ncols - 1, text, f(bold=True, bg_color="#FFF2CC",
                                                         border=1))
        h.fit(row, 0, text, f.size, last_col=ncols - 1, bold=True)
        row += 1
        for c, head in enumerate(list(_FIXED) + heads):
            ws.write_string(row, c, head, f.th())
            h.fit(row, c, head, f.size, bold=True)
        for c in range(3 + len(heads), ncols):
            ws.write_blank(row, c, None, f.th())
        row += 1
        header_of: dict[str, str | None] = {}  # per column of the file, looked up once
        for r, isi in rows:
            kolom = str(r["kolom"])
            if kolom not in header_of:
                header_of[kolom] = _header_of(sumber, kolom, heads)
            head = header_of[kolom]
            ws.write_number(row, 0, int(r["baris"]), f(num_format="0", border=1, align="center"))
            shown = head or kolom or "(seluruh baris)"
            ws.write_string(row, 1, shown, f.td())
            h.fit(row, 1, shown, f.size)
            ws.write_string(row, 2, str(r["alasan"]), f.td())
            h.fit(row, 2, str(r["alasan"]), f.size)
            for c, key in enumerate(heads, start=3):
                value = isi.get(key, "")
                ws.write_string(row, c, value, bad if key == head else f.td())
                h.fit(row, c, value, f.size)
            for c in range(3 + len(heads), ncols):
                ws.write_blank(row, c, None, f.td())
            row += 1
        row += 1
    h.apply(ws)
    print_setup(ws, max(row - 2, 0), ncols - 1, repeat=repeat,
                footer=f"Baris ditolak {sumber} tahun {tahun}")
