"""How the files are laid out and written: the pieces every workbook shares.

Written with xlsxwriter, print-ready: cell formats made once per workbook, row heights
that fit the wrapped texts, the signed matrix's heading and signature blocks, numbers
stored as numbers with format codes (Excel shows the reader's own separators), A4
landscape fitted to one page wide. Every file, workbook or CSV, is written under a
temporary name in its folder, then renamed over the old one (``os.replace``), so a
reader sees the previous file or the new one, never half a file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections import defaultdict
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import repeat
from pathlib import Path

import xlsxwriter

from iku_pipeline.indicators.declarations import OPD
from iku_pipeline.publish.penandatangan import TANDA_TANGAN_MATRIKS, TandaTangan

FONT = "Arial"
PCT_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"


# ---------------------------------------------------------------- whole files


@contextlib.contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """A temporary path in ``path``'s folder, renamed to ``path`` when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not tempfile.mkstemp: its 0600 mode would survive the rename and hide the
    # published file from other users; O_EXCL with 0666 honours the umask.
    while True:
        tmp_path = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            os.close(os.open(tmp_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            break
        except FileExistsError:
            continue
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


@contextlib.contextmanager
def workbook(
    path: Path, title: str, comments: str | None = None, **options
) -> Iterator[xlsxwriter.Workbook]:
    """A workbook by the office, written whole to ``path`` when the block succeeds.

    Assembled in memory: by default xlsxwriter writes each of the workbook's XML parts
    to a temporary file of its own and deletes it, about fifty files a workbook, which
    took longer than writing the cells. The office's workbooks are small (a sheet of
    rejected rows stops at 5,000 rows a file)."""
    with atomic(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True, **options})
        properties = {"title": title, "author": OPD.nama_opd.title()}
        if comments is not None:
            properties["comments"] = comments
        wb.set_properties(properties)
        yield wb
        wb.close()


# ---------------------------------------------------------------- text and row heights


# Advance widths of Helvetica (AFM, 1/1000 em); Arial and Liberation Sans share them.
_HELVETICA = dict(
    zip(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
        "abcdefghijklmnopqrstuvwxyz{|}~",
        (
            278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
            556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
            1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
            667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
            333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
            556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
        ),
        strict=True,
    )
)  # fmt: skip


def _text_px(text: str, size: float, bold: bool) -> float:
    # map() over the characters, not a generator: every word of every wrapped cell is
    # measured once per process (a first export's texts are all new to the cache).
    em = sum(map(_HELVETICA.get, text, repeat(600, len(text)))) / 1000
    return em * size * 96 / 72 * (1.1 if bold else 1.0)


@lru_cache(maxsize=1 << 16)  # the same reasons, headers and values recur row after row
def _text_lines(text: str, width: float, size: float, bold: bool = False) -> int:
    """Lines a wrapped text takes in a cell ``width`` characters wide (Excel units).

    A column unit is 7 px (plus 5 px padding); words are laid out greedily with Arial's
    widths and 5 % to spare, as screens and printers round glyphs differently: rather
    one line too many than a cut text.
    """
    if not text:
        return 1
    avail = (width * 7 + 5 - 6) / 1.05
    if "\n" not in text and len(text) * size * 96 / 72 * 1.1 <= avail:
        return 1  # fits even if every character were as wide as "W"
    space = _text_px(" ", size, bold)
    lines = 0
    for para in str(text).split("\n"):
        n, used = 1, 0.0
        for word in para.split():
            w = _text_px(word, size, bold)
            if used and used + space + w <= avail:
                used += space + w
                continue
            if used:
                n, used = n + 1, 0.0
            while w > avail:  # a word wider than the cell breaks anywhere
                n, w = n + 1, w - avail
            used = w
        lines += n
    return lines


def height(lines: int, size: float) -> float:
    """Row height (points) of ``lines`` lines of text."""
    return lines * size * 1.25 + 3


class Heights:
    """Row heights from the wrapped texts written into them (merged cells included:
    Excel and LibreOffice do not grow rows for merged cells themselves)."""

    def __init__(self, widths: Sequence[float]):
        self.widths = list(widths)
        self.need: dict[int, float] = defaultdict(float)
        self.spans: list[tuple[int, int, float]] = []

    def width(self, first_col: int, last_col: int) -> float:
        return sum(self.widths[first_col : last_col + 1]) + 0.7 * (last_col - first_col)

    def fit(self, row: int, col: int, text: str, size: float, last_col: int | None = None,
            bold: bool = False, minimum: float = 0.0) -> None:
        w = self.width(col, col if last_col is None else last_col)
        h = height(_text_lines(text, w, size, bold), size)
        self.need[row] = max(self.need[row], h, minimum)

    def fit_rows(self, first_row: int, last_row: int, col: int, text: str, size: float,
                 bold: bool = False) -> None:
        w = self.width(col, col)
        self.spans.append((first_row, last_row, height(_text_lines(text, w, size, bold), size)))

    def apply(self, ws, default: float = 15.0) -> dict[int, float]:
        """Set the rows' heights; returns them (points; rows left out are ``default``)."""
        heights = dict(self.need)
        for first, last, need in self.spans:
            rows = range(first, last + 1)
            have = sum(heights.get(r, default) or default for r in rows)
            if need > have:
                extra = (need - have) / len(rows)
                for r in rows:
                    heights[r] = (heights.get(r, default) or default) + extra
        for r, h in heights.items():
            if h:
                ws.set_row(r, round(h, 1))
        return heights


# ---------------------------------------------------------------- cells and columns


class Formats:
    """The workbook's cell formats, made once per workbook."""

    def __init__(self, wb: xlsxwriter.Workbook, size: float = 10):
        self.size = size
        self._wb = wb
        self._cache: dict[tuple, object] = {}
        self._named: dict[tuple, object] = {}  # th(), td(bold=True), …: asked per cell

    def __call__(self, **props) -> object:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            base = {"font_name": FONT, "font_size": self.size, "valign": "top"}
            base.update(props)
            self._cache[key] = self._wb.add_format(base)
        return self._cache[key]

    def _with(self, name: str, defaults: dict, extra: dict, *args):
        # Looked up by the call itself (its name and arguments as given) before the
        # properties are merged and sorted: a sheet asks for a few formats thousands of
        # times. The key's order is the caller's, so a second order only adds an entry.
        key = (name, *args, *extra.items())
        fmt = self._named.get(key)
        if fmt is None:
            fmt = self._named[key] = self(**{**defaults, **extra})
        return fmt

    # the cells of a table
    def th(self, **p):
        return self._with("th", _TH, p)

    def nomor(self):
        return self._with("nomor", {**_NOMOR, "font_size": self.size - 2}, {})

    def td(self, **p):
        return self._with("td", _TD, p)

    def num(self, fmt: str, **p):
        return self._with("num", {"num_format": fmt, **_NUM}, p, fmt)

    def kosong(self, **p):
        return self._with("kosong", _KOSONG, p)


# The properties of Formats' cells of a table, before the caller's own.
_TH = dict(bold=True, align="center", valign="vcenter", text_wrap=True, border=1,
           bg_color="#D9E1F2")
_NOMOR = dict(italic=True, align="center", border=1, bg_color="#F2F2F2")
_TD = dict(text_wrap=True, border=1)
_NUM = dict(border=1, align="right", indent=1)
_KOSONG = dict(italic=True, align="center", text_wrap=True, border=1, font_color="#595959")


def set_widths(ws, widths: Sequence[float]) -> None:
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)


def block(ws, f: Formats, h: Heights, first: int, last: int, col: int, text: str,
          size: float, **props) -> None:
    """One text for rows ``first``..``last`` of a column, drawn as one cell.

    Not a merged range: a page break can fall inside a vertical merge and cut its text
    in two. The text sits in the first row (made tall enough for it) and the borders
    are drawn around the block, so it prints whole wherever the page breaks.
    """
    base = dict(text_wrap=True, left=1, right=1, **props)
    for r in range(first, last + 1):
        edges = dict(top=1 if r == first else 0, bottom=1 if r == last else 0)
        if r == first:
            ws.write_string(r, col, text, f(**base, **edges))
        else:
            ws.write_blank(r, col, None, f(**base, **edges))
    h.fit(first, col, text, size, bold=bool(props.get("bold")))


# ---------------------------------------------------------------- the signed document


def title_lines(ws, f: Formats, h: Heights, last_col: int, subtitle: str) -> None:
    """Rows 0-2: the office, the city, and what the sheet shows."""
    title = f(bold=True, align="center", font_size=f.size + 3)
    ws.merge_range(0, 0, 0, last_col, OPD.judul, title)
    ws.merge_range(1, 0, 1, last_col, OPD.kota, title)
    h.need[0] = h.need[1] = height(1, f.size + 3)
    ws.merge_range(2, 0, 2, last_col, subtitle,
                   f(bold=True, align="center", font_size=f.size + 1))
    h.need[2] = height(1, f.size + 1)


def header_block(ws, f: Formats, h: Heights, ncols: int, subtitle: str,
                 label_cols: int = 2) -> int:
    """Title lines and NAMA OPD / TUGAS POKOK / FUNGSI as in the signed matrix.

    Returns the next free row.
    """
    last = ncols - 1
    title_lines(ws, f, h, last, subtitle)
    h.need[3] = 8
    label = f(bold=True)
    value = f(text_wrap=True)
    hang = f(text_wrap=True, indent=1)
    lc = label_cols - 1
    row = 4
    items = [
        ("NAMA OPD", ": " + OPD.nama_opd, value),
        ("TUGAS POKOK", ": " + OPD.tugas_pokok, value),
    ]
    for i, fungsi in enumerate(OPD.fungsi, start=1):
        items.append(("FUNGSI" if i == 1 else "", (": " if i == 1 else "") + f"{i}. {fungsi}",
                      value if i == 1 else hang))
    for lab, text, fmt in items:
        if lc > 0:
            ws.merge_range(row, 0, row, lc, lab, label)
        else:
            ws.write_string(row, 0, lab, label)
        ws.merge_range(row, lc + 1, row, last, text, fmt)
        h.fit(row, lc + 1, text, f.size, last_col=last)
        row += 1
    h.need[row] = 8
    return row + 1


def notes_and_signature(ws, f: Formats, h: Heights, row: int, notes: Sequence[str],
                        note_cols: tuple[int, int], sign_cols: tuple[int, int],
                        ttd: TandaTangan | None = None) -> int:
    """The notes (left) and the signature block (right) in one row: a row never splits
    across pages, so the signature prints whole (Excel ignores manual page breaks when
    fitting to a page width). ``ttd``: who signs, where and when (``penandatangan``);
    without it, the signed matrix's own block.

    Returns the next free row.
    """
    ttd = ttd or TANDA_TANGAN_MATRIKS
    text = "\n".join(notes)
    ws.merge_range(row, note_cols[0], row, note_cols[1], text,
                   f(italic=True, text_wrap=True, font_size=f.size - 1))
    h.fit(row, note_cols[0], text, f.size - 1, last_col=note_cols[1])
    plain = f(align="center", text_wrap=True)
    bold = f(align="center", text_wrap=True, bold=True)
    name = f(align="center", text_wrap=True, bold=True, underline=1)
    first, last = sign_cols
    if last > first:
        ws.merge_range(row, first, row, last, "", plain)
    ws.write_rich_string(
        row, first,
        plain, ttd.tempat_tanggal + "\n",
        bold, ttd.jabatan,
        plain, "\n\n\n\n",
        name, ttd.nama,
        plain, "\n" + ttd.nip,
        plain,
    )  # fmt: skip
    lines = 6 + max(
        _text_lines(t, h.width(first, last), f.size, bold=True)
        for t in (ttd.tempat_tanggal, ttd.jabatan, ttd.nama)
    )
    h.need[row] = max(h.need[row], height(lines, f.size))
    return row + 1


def signature_cols(widths: Sequence[float], minimum: float = 40) -> int:
    """First column of the right-hand block wide enough for the signature."""
    total = 0.0
    for c in range(len(widths) - 1, -1, -1):
        total += widths[c]
        if total >= minimum:
            return c
    return 0


# The printed page of ``print_setup``: A4 landscape less its margins, in points.
_PAGE_W = 841.9 - 72 * (0.4 + 0.4)
_PAGE_H = 595.3 - 72 * (0.5 + 0.6)


def block_breaks(heights: dict[int, float], widths: Sequence[float], blocks: Sequence[int],
                 end: int, repeat: tuple[int, int], default: float = 15.0) -> list[int]:
    """Rows to break the pages before, so that no block of rows starting at ``blocks``
    (and ending before the next, the last before ``end``) is cut in two when the sheet
    is printed one page wide with the rows ``repeat`` on every page; a block taller than
    a page is cut where it must. The scale is estimated from the column widths (7 px a
    character plus 5, as Excel and LibreOffice lay out the default font), with 5 % to
    spare: rather a page a little short than a block cut."""
    px = sum(int(w * 7 + 5) for w in widths)
    scale = min(1.0, _PAGE_W / (px * 0.75))
    room = _PAGE_H / scale * 0.95

    def tall(first: int, last: int) -> float:
        return sum(heights.get(r) or default for r in range(first, last))

    header = tall(repeat[0], repeat[1] + 1)
    used = tall(0, blocks[0]) if blocks else 0.0  # the first page's title rows
    breaks = []
    for first, last in zip(blocks, [*blocks[1:], end], strict=True):
        need = tall(first, last)
        if used + need > room and used > header:
            breaks.append(first)
            used = header
        used += need
    return breaks


def print_setup(ws, last_row: int, last_col: int, repeat: tuple[int, int] | None = None,
                footer: str = "") -> None:
    """A4 landscape, one page wide and as many tall as needed, page numbers at the foot."""
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.center_horizontally()
    ws.print_area(0, 0, last_row, last_col)
    if repeat is not None:
        ws.repeat_rows(*repeat)
    ws.set_footer(f"&L&8{footer}&R&8Halaman &P dari &N")


def finish_block_sheet(ws, f: Formats, h: Heights, widths: Sequence[float], header_row: int,
                       row: int, blocks: Sequence[int], notes: Sequence[str],
                       footer: str) -> None:
    """End a sheet of indicator blocks (the per-kelurahan sheets): its notes in small
    italics across the sheet from ``row``, every row's height set (Excel and LibreOffice
    differ on a row left to its default, so the page breaks fall where computed), page
    breaks only between blocks (a page never starts inside one: its rows would have no
    indicator beside them), and the print setup repeating the header."""
    ncols = len(widths)
    small = f(italic=True, text_wrap=True, font_size=f.size - 1)
    for note in notes:
        ws.merge_range(row, 0, row, ncols - 1, note, small)
        h.fit(row, 0, note, f.size - 1, last_col=ncols - 1)
        row += 1
    one_line = height(1, f.size)
    for r_ in range(header_row, row):
        h.need[r_] = max(h.need[r_], one_line)
    heights = h.apply(ws, default=one_line)
    repeat = (header_row, header_row + 2)
    ws.set_h_pagebreaks(block_breaks(heights, widths, blocks, row, repeat, default=one_line))
    print_setup(ws, row - 1, ncols - 1, repeat=repeat, footer=footer)
