"""Value parsers for the formats of docs/data-contract.md §2, vectorised over pandas Series.

Every parser takes the cells of one column exactly as read (text from a CSV; text,
numbers, booleans or datetimes from an XLSX) and returns the parsed values and, for each
non-empty cell that cannot be parsed, a reason in plain Indonesian that quotes the value
as the clerk typed it. Empty cells are left to the validator (required or not).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from itertools import repeat  # map(isinstance, cells, repeat(str)): no frame per cell

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from iku_pipeline.model import Wilayah
from iku_pipeline.sources.digits import digits_only

# Amounts beyond this are typing errors, not rupiah (and would overflow int64).
MAX_RUPIAH = 10**15


# Text is held as Arrow strings: the string methods below run in Arrow's kernels.
TEXT = pd.StringDtype("pyarrow")

# Whitespace in RE2 (Arrow's regex), exactly Python's ``str.isspace`` (a non-breaking
# space, U+00A0, included): RE2's own ``\s`` is ASCII only.
_SPACE = r"[\s\x{0b}\x{1c}-\x{1f}\x{85}\p{Z}]"


def is_text(cells: pd.Series) -> bool:
    """Whether a column is text only (every CSV column), so no cell needs looking at."""
    return isinstance(cells.dtype, pd.StringDtype)


def _text(cells: pd.Series) -> pd.Series:
    return cells if cells.dtype == TEXT else cells.astype(TEXT)


def casefold(text: pd.Series) -> pd.Series:
    """``str.casefold`` of Arrow text: Arrow's lower case where the text is ASCII (the
    same thing there), Python's casefold for the rest (``ß`` -> ``ss``)."""
    text = _text(text)
    return pd.Series(pd.arrays.ArrowStringArray(_casefold_arrow(arrow(text))), index=text.index)


def _casefold_arrow(cells: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``casefold`` of Arrow text, on the array."""
    folded = pc.utf8_lower(cells)
    other = ~pc.fill_null(pc.string_is_ascii(cells), True).to_numpy(zero_copy_only=False)
    if not other.any():
        return folded
    fixed = [
        v.casefold() if o else f
        for v, f, o in zip(cells.to_pylist(), folded.to_pylist(), other)
    ]
    return pa.array(fixed, type=folded.type)


@dataclass
class Parsed:
    values: pd.Series
    errors: pd.Series  # object: reason text, or None where the cell parsed (or was empty)


def is_empty(cells: pd.Series) -> pd.Series:
    """Cells that hold nothing: None/NaN or only whitespace."""
    return pd.Series(empty_cells(cells), index=cells.index)


def empty_cells(cells: pd.Series) -> np.ndarray:
    """``is_empty`` as a boolean array (without the Series: a file's blank rows are
    found column by column)."""
    if cells.dtype == TEXT:
        return _empty_text(arrow(cells))
    # An XLSX column: a cell that is not text (a number, a date) is never empty, so
    # only the text cells are looked at, in Arrow as above.
    values = cells.to_numpy(dtype=object)
    empty = pd.isna(values)
    texts = np.fromiter(map(isinstance, values, repeat(str)), dtype=bool, count=len(values))
    if texts.any():
        empty[texts] = empty_cells(pd.Series(values[texts], dtype=TEXT))
    return empty


def _empty_text(text: pa.ChunkedArray) -> np.ndarray:
    """``is_empty`` of Arrow text: in Arrow, whose whitespace is exactly Python's
    str.isspace."""
    empty = pc.or_kleene(pc.equal(pc.binary_length(text), 0), pc.utf8_is_space(text))
    return pc.fill_null(empty, True).to_numpy(zero_copy_only=False)


def _has_natives(cells: pd.Series) -> bool:
    """Whether an XLSX column holds a cell that is neither text nor empty (None, NaN).
    A loop that stops at the first one: ``Series.map`` costs a call per cell more. A
    column pandas typed datetime64 (made only of Excel dates) holds nothing else."""
    if cells.dtype != object:
        return cells.dtype.kind == "M"
    for v in cells.to_numpy():
        if not (isinstance(v, str) or v is None or (isinstance(v, float) and v != v)):
            return True
    return False


def display(v: object) -> str:
    """A cell as the clerk sees it in the sheet: dates day first, whole numbers plain."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return ""
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        if (v.hour, v.minute, v.second) == (0, 0, 0):
            return v.strftime("%d/%m/%Y")
        return v.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer():  # its digits, never 1.872e+17
        return str(int(v))
    return str(v).strip()


def as_text(cells: pd.Series) -> pd.Series:
    """Cells as trimmed text (``<NA>`` where empty), natives rendered as shown.

    In Arrow, as pandas' ``.str.strip()`` and ``.mask(text.eq(""))`` would do it, without
    pandas' masking of a whole column (a second of a 2.5M-row file)."""
    if _has_natives(cells):
        # What ``cells.map(display, na_action="ignore")`` gave, without pandas' mapping:
        # empty cells stay empty, text is stripped as ``display`` strips it.
        values = cells.to_numpy(dtype=object)
        empty = pd.isna(values)
        shown = [
            None if e else v.strip() if type(v) is str else display(v)
            for v, e in zip(values, empty)
        ]
        cells = pd.Series(
            pa.array(shown, type=pa.large_string()), dtype=TEXT, index=cells.index, name=cells.name
        )
    text = pc.utf8_trim_whitespace(arrow(cells)).combine_chunks()  # one chunk, as pandas'
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)
    return pd.Series(pd.arrays.ArrowStringArray(text), index=cells.index, name=cells.name)


def _split_natives(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(text cells, native non-text cells) of an XLSX column; CSV columns have no natives."""
    if not _has_natives(cells):
        return _text(cells), cells.iloc[0:0]
    values = cells.to_numpy()
    strings = np.fromiter(map(isinstance, values, repeat(str)), dtype=bool, count=len(values))
    native_mask = ~pd.isna(values) & ~strings
    return _text(cells[~native_mask]), cells[native_mask]


def _errors_like(cells: pd.Series) -> pd.Series:
    return pd.Series(np.full(len(cells), None, dtype=object), index=cells.index)


def _rows(mask: pd.Series) -> pd.Index:
    return mask.index[mask.fillna(False).to_numpy(dtype=bool)]


def _say(errors: pd.Series, rows: pd.Index, cells: pd.Series, say) -> None:
    """A reason for each of ``rows``, quoting its cell as the clerk sees it."""
    if len(rows):
        errors.loc[rows] = [say(display(v)) for v in cells.loc[rows]]


def _fold(text: pd.Series) -> pd.Series:
    """Trimmed, runs of whitespace one space, case folded."""
    text = _text(text)
    return pd.Series(pd.arrays.ArrowStringArray(_fold_arrow(arrow(text))), index=text.index)


def _fold_arrow(cells: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``_fold`` on the array (the kernels pandas' ``str.strip`` and ``str.replace`` run
    on Arrow text)."""
    spaced = pc.replace_substring_regex(pc.utf8_trim_whitespace(cells), _SPACE + "+", " ")
    return _casefold_arrow(spaced)


# ---------------------------------------------------------------- dates

_MONTHS = {
    # Indonesian
    "januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5,
    "juni": 6, "juli": 7, "agustus": 8, "september": 9, "oktober": 10, "nopember": 11,
    "november": 11, "desember": 12,
    "jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8,
    "agt": 8, "ags": 8, "agus": 8, "sep": 9, "sept": 9, "okt": 10, "nov": 11, "nop": 11,
    "des": 12,
    # English
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7,
    "august": 8, "october": 10, "december": 12, "aug": 8, "oct": 10, "dec": 12,
}  # fmt: skip

# A year of two digits is 20YY, and only beside a month name (§9: Oracle's ``15-AUG-23``).
_DATE_FORMATS = (
    (re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$"), "%Y-%m-%d", None),
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$"), "%d/%m/%Y", None),
    (re.compile(r"^\d{1,2}-\d{1,2}-\d{4}$"), "%d-%m-%Y", None),
    (re.compile(r"^\d{1,2}[ \-/]\s*[a-z]+\.?[ \-/]\s*(?:\d{4}|\d{2})$"), "%d %m %Y", "month_name"),
)
_MONTH_NAME = re.compile(r"^(\d{1,2})[ \-/]\s*([a-z]+)\.?[ \-/]\s*(\d{4}|\d{2})$")


def _native_dates(dates: pd.Series) -> pd.Series:
    """Excel dates (``date``/``datetime`` cells) at midnight, NaT beyond pandas' range
    (years 1677-2262)."""
    try:
        return pd.to_datetime(dates, errors="coerce").astype("datetime64[ns]").dt.normalize()
    except (TypeError, ValueError):  # mixed time zones: one by one
        def one(v):
            try:
                return pd.Timestamp(v).as_unit("ns").normalize().tz_localize(None)
            except (OverflowError, ValueError):
                return pd.NaT
        return pd.Series([one(v) for v in dates], index=dates.index, dtype="datetime64[ns]")


def parse_date(cells: pd.Series) -> Parsed:
    """§2 dates, day first always; real Excel dates taken as they are.

    Returns datetime64 values (midnight). A well-formed but impossible date
    (``31/02/2023``) and text in no accepted format are both reasons to reject.
    """
    text, natives = _split_natives(cells)
    # Filled by position (``cells`` are a column's distinct cells: a unique index), in
    # numpy: each pandas assignment costs more than parsing a few hundred dates.
    values = np.full(len(cells), np.datetime64("NaT", "ns"))
    errors = np.full(len(cells), None, dtype=object)
    at = np.arange(len(cells))  # position in ``cells`` of each cell of ``text``

    if len(natives):
        is_date = natives.map(lambda v: isinstance(v, (dt.date, dt.datetime))).astype(bool)
        dates = natives[is_date]
        stamps = _native_dates(dates)
        values[cells.index.get_indexer(dates.index)] = stamps.to_numpy(dtype="datetime64[ns]")
        invalid = pd.concat([dates[stamps.isna()], natives[~is_date]])
        errors[cells.index.get_indexer(invalid.index)] = [
            f"tanggal {display(v)} tidak valid" for v in invalid
        ]
        at = cells.index.get_indexer(text.index)

    # ``_fold`` and the steps after it on the arrays (Python's ``re`` for ``\1``, where
    # pandas falls back to it too): pandas' own wrapping of each step costs more than
    # the step on small input.
    cells_text = arrow(text)
    present = pc.is_valid(cells_text).to_numpy(zero_copy_only=False)
    original = pc.filter(cells_text, present)
    at = at[present]
    folded = [_TIME.sub(r"\1", v) for v in _fold_arrow(original).to_pylist()]
    kept = np.array([v != "" for v in folded], dtype=bool)
    folded = pa.array([v for v in folded if v != ""], type=pa.large_string())
    at = at[kept]
    matched = np.zeros(len(folded), dtype=bool)
    for pattern, fmt, special in _DATE_FORMATS:
        hit = ~matched & _matches(folded, pattern.pattern)
        if not hit.any():
            continue
        matched |= hit
        if special == "month_name":  # "5 jan 23" -> "5 1 2023"; an unknown month dropped
            hit = _month_numbers(folded.filter(hit).to_pylist(), np.flatnonzero(hit))
        else:
            hit = pd.Series(
                pd.arrays.ArrowStringArray(folded.filter(hit)), index=np.flatnonzero(hit)
            )
        if hit.empty:
            continue
        parsed = pd.to_datetime(hit, format=fmt, errors="coerce")
        values[at[parsed.index.to_numpy()]] = parsed.to_numpy(dtype="datetime64[ns]")
    bad = np.flatnonzero(np.isnat(values[at]))
    if len(bad):
        shown = pc.take(original, pa.array(np.flatnonzero(kept)[bad])).to_pylist()
        errors[at[bad]] = [f"tanggal {display(v)} tidak valid" for v in shown]
    return Parsed(pd.Series(values, index=cells.index), pd.Series(errors, index=cells.index))


# A time of day after a date, dropped: the date is what counts (an Oracle DATE carries
# the time of payment; Excel writes a date-time cell to CSV as ``31/01/2023 0:00``, and
# with a ``.`` on Indonesian Windows). H or HH, MM, optional SS and fraction; ``25:00``
# is no time, and stays to reject the cell.
_TIME = re.compile(r"(\d) (?:[01]?\d|2[0-3])([:.])[0-5]\d(?:\2[0-5]\d(?:[.,]\d+)?)?$")


def _month_numbers(texts: list[str], rows: np.ndarray) -> pd.Series:
    """What ``str.extract(_MONTH_NAME)`` (Python's ``re``, as pandas runs it on Arrow
    text), the month looked up in ``_MONTHS`` and the parts joined gave, cell by cell."""
    joined, where = [], []
    for row, text in zip(rows, texts):
        found = _MONTH_NAME.search(text)
        month = _MONTHS.get(found.group(2)) if found else None
        if month is None:
            continue
        day, _, year = found.groups()
        joined.append(f"{day} {month} {year if len(year) == 4 else '20' + year}")
        where.append(row)
    return pd.Series(joined, index=np.array(where, dtype=np.int64), dtype=TEXT)


def _matches(text: pa.Array, pattern: str) -> np.ndarray:
    """``Series.str.match(pattern)`` of Arrow text without nulls (RE2, as pandas runs it)."""
    return pc.match_substring_regex(text, pattern).to_numpy(zero_copy_only=False)


# ---------------------------------------------------------------- numbers

# The amount grammar, as RE2 patterns run by Arrow over a whole column at once.
_RP_PREFIX = rf"(?i)^rp\.?{_SPACE}*"
_THOUSANDS = r"\d{1,3}(?:\.\d{3})+"
_RUPIAH = rf"^(?P<sign>-?)(?P<int>{_THOUSANDS}|\d+)(?:,(?P<dec>\d*))?$"
_NUMBER_DOT_DECIMAL = r"^(?P<sign>-?)(?P<int>\d+)\.(?P<dec>\d+)$"


def arrow(text: pd.Series) -> pa.ChunkedArray:
    """The Arrow array under a text Series (no copy when it is Arrow text already)."""
    return _text(text).array._pa_array


def _clean_amount_text(text: pa.ChunkedArray) -> pa.ChunkedArray:
    t = pc.replace_substring_regex(pc.utf8_trim_whitespace(text), _RP_PREFIX, "")
    t = pc.replace_substring_regex(t, _SPACE + "+", "")
    return pc.replace_substring_regex(t, r"[,.]-$", "")  # "Rp150.000,-"


def _parse_indonesian_number(cells: pd.Series, whole: bool, label: str) -> Parsed:
    """Numbers written the Indonesian way: ``.`` groups thousands, ``,`` starts decimals.

    ``whole``: a non-zero decimal part is a reason to reject (whole rupiah).
    """
    text, natives = _split_natives(cells)
    # Filled by position, in numpy, as in ``parse_date`` (``cells``: a unique index).
    values = np.full(len(cells), np.nan)
    errors = np.full(len(cells), None, dtype=object)
    at = np.arange(len(cells))  # position in ``cells`` of each cell of ``text``

    if len(natives):
        shown = natives.to_numpy(dtype=object)  # datetime64 cells as Timestamps, as shown
        where = cells.index.get_indexer(natives.index)
        numeric = np.fromiter(
            (isinstance(v, (int, float)) and not isinstance(v, bool) for v in shown),
            dtype=bool, count=len(shown),
        )  # fmt: skip
        errors[where[~numeric]] = [f"{label} {display(v)} bukan angka" for v in shown[~numeric]]
        numbers = _whole_if_noise(natives[numeric].astype("float64").to_numpy())
        where, shown = where[numeric], shown[numeric]
        if whole:  # float.is_integer: finite and without a fraction
            with np.errstate(invalid="ignore"):
                fraction = ~(np.isfinite(numbers) & (numbers == np.floor(numbers)))
            errors[where[fraction]] = [
                f"{label} {display(v)} bukan rupiah bulat (ada angka desimal)"
                for v in shown[fraction]
            ]
            numbers, where = numbers[~fraction], where[~fraction]
        values[where] = numbers
        at = cells.index.get_indexer(text.index)

    cells_text = arrow(text)
    filled = ~_empty_text(cells_text)
    cells_text, at = pc.filter(cells_text, filled), at[filled]
    cleaned = _clean_amount_text(cells_text)
    parts = pc.extract_regex(cleaned, _RUPIAH)
    ok = pc.is_valid(parts)
    if not whole:
        # "120.5" is a decimal point to anyone typing an area; "1.200" is still 1200.
        dotted = pc.extract_regex(cleaned, _NUMBER_DOT_DECIMAL)
        parts = pc.if_else(ok, parts, dotted)
        ok = pc.is_valid(parts)
    sign = pc.fill_null(pc.struct_field(parts, "sign"), "")
    integer = pc.replace_substring(pc.fill_null(pc.struct_field(parts, "int"), "0"), ".", "")
    decimals = pc.fill_null(pc.struct_field(parts, "dec"), "")
    def lit(v):
        return pa.scalar(v, integer.type)

    decimals_or_0 = pc.if_else(pc.equal(decimals, lit("")), lit("0"), decimals)
    digits = pc.binary_join_element_wise(sign, integer, lit("."), decimals_or_0, lit(""))
    number = pc.cast(pc.if_else(ok, digits, lit(None)), pa.float64())
    ok = ok.to_numpy(zero_copy_only=False)
    _say_at(errors, at, cells_text, ~ok, lambda v: f"{label} {v} bukan angka yang dikenali")
    if whole:
        nonzero = pc.not_equal(pc.utf8_trim(decimals, "0"), "").to_numpy(zero_copy_only=False)
        nonzero_decimals = ok & nonzero
        _say_at(errors, at, cells_text, nonzero_decimals,
                lambda v: f"{label} {v} bukan rupiah bulat (ada angka desimal)")  # fmt: skip
        ok = ok & ~nonzero_decimals
    values[at[ok]] = number.to_numpy(zero_copy_only=False)[ok]
    too_big = np.flatnonzero(np.abs(values) >= MAX_RUPIAH)
    if len(too_big):
        shown = cells.iloc[too_big]
        errors[too_big] = [f"{label} {display(v)} terlalu besar" for v in shown]
        values[too_big] = np.nan
    return Parsed(pd.Series(values, index=cells.index), pd.Series(errors, index=cells.index))


def _whole_if_noise(numbers: np.ndarray) -> np.ndarray:
    """Excel numbers, a formula's floating-point noise dropped: within 1e-6 of a whole
    number (beyond 1e9, within 1e-15 of its size: less than Excel's 15 significant
    digits show) a number is that whole number. 300000.00000000006 is what the sheet
    shows, 300.000; 150000.5 stays."""
    with np.errstate(invalid="ignore"):
        whole = np.round(numbers)
        near = np.abs(numbers - whole) <= np.maximum(1e-6, np.abs(numbers) * 1e-15)
    return np.where(near, whole, numbers)


def _say_at(errors: np.ndarray, at: np.ndarray, text, rows: np.ndarray, say) -> None:
    """``_say`` by position: a reason for each of ``text``'s ``rows`` (a mask), put at
    its position ``at`` in ``errors``, quoting the cell as the clerk sees it."""
    if rows.any():
        shown = pc.filter(text, rows).to_pylist()
        errors[at[rows]] = [say(display(v)) for v in shown]


def parse_rupiah(cells: pd.Series, label: str) -> Parsed:
    """§2 rupiah amounts (``150.000``, ``Rp 150.000``, ``Rp150.000,-``, ``150.000,00``)."""
    parsed = _parse_indonesian_number(cells, whole=True, label=label)
    return Parsed(parsed.values.round().astype("Int64"), parsed.errors)


def parse_number(cells: pd.Series, label: str) -> Parsed:
    return _parse_indonesian_number(cells, whole=False, label=label)


def parse_whole(cells: pd.Series, label: str) -> Parsed:
    """A whole number (``3``, or ``3.0`` as Excel may store it)."""
    parsed = _parse_indonesian_number(cells, whole=False, label=label)
    values, errors = parsed.values, parsed.errors
    fractional = values.notna() & (values % 1 != 0)
    _say(errors, _rows(fractional), cells, lambda v: f"{label} {v} bukan bilangan bulat")
    return Parsed(values.where(~fractional).round().astype("Int64"), errors)


def parse_year(cells: pd.Series, label: str) -> Parsed:
    parsed = parse_whole(cells, label)
    values, errors = parsed.values, parsed.errors
    outside = values.notna() & ((values < 1900) | (values > 2100))
    invalid = _rows(outside | (values.isna() & errors.notna()))
    _say(errors, invalid, cells, lambda v: f"{label} {v} bukan tahun yang valid")
    return Parsed(values.mask(outside), errors)


# ---------------------------------------------------------------- codes

_KELURAHAN_PREFIX = re.compile(r"^(?:kelurahan|kel)\b\.?\s*")


def parse_kelurahan(cells: pd.Series, wilayah: Wilayah) -> Parsed:
    """§2: one of the kelurahan of ``reference/kelurahan.csv``, any case, a leading
    ``Kel.``/``Kelurahan`` ignored; held as the wilayah's category."""
    text = as_text(cells)
    folded = _fold(text).str.replace(_KELURAHAN_PREFIX, "", regex=True)
    by_fold = {k.casefold(): k for k in wilayah.names}
    values = folded.map(by_fold).astype(object).astype(wilayah.dtype)
    errors = _errors_like(cells)
    bad = _rows(text.notna() & values.isna())
    _say(errors, bad, text, lambda v: f"kelurahan '{v}' bukan kelurahan di {wilayah.kecamatan}")
    return Parsed(values, errors)


def _inexact_numbers(cells: pd.Series) -> np.ndarray | None:
    """Where an XLSX column holds a number cell of 2**53 or more (None: nowhere). Beyond
    it a double cannot hold every whole number, so the digits read need not be the ones
    typed (and Excel keeps 15 significant digits): two such keys may read as one."""
    if cells.dtype != object:  # text (a CSV's) or Excel dates only
        return None
    values = cells.to_numpy()
    types = np.fromiter(map(type, values), dtype=object, count=len(values))
    number = (types == float) | (types == int)  # a bool is neither
    found = np.zeros(len(values), dtype=bool)
    found[number] = np.abs(values[number].astype(np.float64)) >= 2**53
    return found if found.any() else None


def _as_number(label: str, shown: str, why: str = "") -> str:
    return (
        f"{label} {shown} tersimpan sebagai angka di Excel: angka sepanjang itu tidak "
        f"tersimpan utuh (Excel hanya menyimpan 15 digit){why}; ketik {label} sebagai teks"
    )


def parse_nop(cells: pd.Series) -> Parsed:
    """§2: a NOP is its 18 digits; separators are dropped. An Excel number cannot hold
    18 digits exactly: a NOP stored as one is rejected, never read with wrong digits."""
    text = as_text(cells)
    digits = digits_only(arrow(text))
    ok = pc.fill_null(pc.equal(pc.utf8_length(digits), 18), False).to_numpy(zero_copy_only=False)
    bad = text.notna().to_numpy(dtype=bool) & ~ok
    errors = _errors_like(cells)
    inexact = _inexact_numbers(cells)
    if inexact is not None:
        _say(errors, cells.index[inexact], cells, lambda v: _as_number("NOP", v))
        ok, bad = ok & ~inexact, bad & ~inexact
    values = pc.if_else(pa.chunked_array([ok]), digits, pa.scalar(None, digits.type))
    _say(errors, cells.index[bad], text, lambda v: f"NOP '{v}' tidak terdiri dari 18 angka")
    return Parsed(pd.Series(pd.arrays.ArrowStringArray(values), index=cells.index), errors)


def parse_key(cells: pd.Series, label: str) -> Parsed:
    """§3 keys: trimmed text; a number cell that cannot hold its digits exactly (see
    ``_inexact_numbers``) is rejected."""
    text = as_text(cells)
    errors = _errors_like(cells)
    inexact = _inexact_numbers(cells)
    if inexact is not None:
        why = ", sehingga dua nomor berbeda bisa terbaca sama"
        _say(errors, cells.index[inexact], cells, lambda v: _as_number(label, v, why))
        text = text.mask(inexact)
    return Parsed(text, errors)


def parse_code(cells: pd.Series, label: str, width: int) -> Parsed:
    """§9: a code of digits only (``18``, ``001``; an XLSX number as the sheet shows it),
    at most ``width`` of them, left-padded with zeros to ``width`` (exports lose them)."""
    text = as_text(cells)
    cells_arrow = arrow(text)
    digits = pc.fill_null(pc.match_substring_regex(cells_arrow, r"^[0-9]+$"), False)
    digits = digits.to_numpy(zero_copy_only=False)
    fits = pc.fill_null(pc.less_equal(pc.utf8_length(cells_arrow), width), False)
    fits = fits.to_numpy(zero_copy_only=False)
    ok = digits & fits
    padded = pc.utf8_lpad(cells_arrow, width=width, padding="0")
    values = pc.if_else(pa.chunked_array([ok]), padded, pa.scalar(None, padded.type))
    errors = np.full(len(cells), None, dtype=object)  # by position, as in parse_date
    present = pc.is_valid(cells_arrow).to_numpy(zero_copy_only=False)
    rows = np.arange(len(cells))
    _say_at(errors, rows, cells_arrow, present & ~digits,
            lambda v: f"{label} '{v}' harus berisi angka saja")  # fmt: skip
    _say_at(errors, rows, cells_arrow, present & digits & ~fits,
            lambda v: f"{label} '{v}' lebih dari {width} angka")  # fmt: skip
    return Parsed(
        pd.Series(pd.arrays.ArrowStringArray(values), index=cells.index),
        pd.Series(errors, index=cells.index),
    )


STATUS_DIPROSES = ("selesai", "diterbitkan", "ditolak", "dikembalikan")
STATUS_BELUM = ("proses", "diproses", "dalam proses", "menunggu", "baru", "pending")


def parse_status(cells: pd.Series) -> Parsed:
    """§3 layanan status: True = processed, False = not yet, <NA> = empty (decided later)."""
    text = as_text(cells)
    folded = _fold(text)
    values = pd.Series(pd.NA, index=cells.index, dtype="boolean")
    values[folded.isin(STATUS_DIPROSES).fillna(False)] = True
    values[folded.isin(STATUS_BELUM).fillna(False)] = False
    errors = _errors_like(cells)
    bad = _rows(text.notna() & values.isna())
    _say(
        errors,
        bad,
        text,
        lambda v: f"status '{v}' tidak dikenal (gunakan Selesai, Diterbitkan, Ditolak, "
        "Dikembalikan, Proses, Diproses, Dalam Proses, Menunggu, Baru atau Pending)",
    )
    return Parsed(values, errors)


_HASIL = {"selesai": "Selesai", "belum selesai": "Belum Selesai", "proses": "Proses"}


def parse_hasil(cells: pd.Series) -> Parsed:
    text = as_text(cells)
    values = _fold(text).map(_HASIL).astype(TEXT)
    errors = _errors_like(cells)
    bad = _rows(text.notna() & values.isna())
    _say(
        errors,
        bad,
        text,
        lambda v: f"hasil '{v}' tidak dikenal (gunakan Selesai, Belum Selesai atau Proses)",
    )
    return Parsed(values, errors)
