"""Files in another layout than the contract's (docs/data-contract.md §9): the contract's columns
derived from the layout's own.

The reader tells a file's layout by its header row (``headers.py``); the validator parses
the layout's columns like any (``columns.py``) and then asks this module for the values
of the contract's columns the file is staged with, and for the reasons of the rows whose
derivation fails, each under the layout column a clerk corrects. What is derived from
what is declared with the layout in ``specs.py``; here is only how each kind of
derivation is done.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from iku_pipeline.model import Wilayah
from iku_pipeline.sources import parsers
from iku_pipeline.sources.columns import NONE, absent, first_of, taken
from iku_pipeline.sources.specs import (
    ComposedNop,
    Difference,
    JoinedKey,
    KelurahanFromCodes,
    Layout,
    SourceSpec,
)

KELURAHAN_TABLE = "reference/kelurahan.csv"


def derive(
    layout: Layout,
    parsed: pd.DataFrame,
    frame: pd.DataFrame,
    errors: dict[str, pd.Series],
    spec: SourceSpec,
    wilayah: Wilayah,
) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """(the contract's columns of a file read in ``layout``, the derivations' reasons by
    column). ``parsed`` holds the layout's columns, ``errors`` their own reasons: a value
    that failed is not derived from."""
    index = parsed.index
    values: dict[str, pd.Series] = {
        c.staged_as: parsed[c.name] for c in layout.columns if c.staged_as is not None
    }
    found: dict[str, pd.Series] = {}
    for d in layout.derived:
        match d:
            case ComposedNop():
                values[d.target] = _composed(parsed, d)
            case KelurahanFromCodes():
                values[d.target], more = _kelurahan(parsed, frame, d, wilayah)
                for column, reasons in more.items():
                    found[column] = first_of(found.get(column, NONE), reasons)
            case Difference():
                values[d.target], reasons = _difference(parsed, frame, errors, d)
                found[d.minuend] = first_of(found.get(d.minuend, NONE), reasons)
            case JoinedKey():
                values[d.target] = _joined(values, parsed, d)
    out = pd.DataFrame(
        {
            c.name: values[c.name] if c.name in values else absent(c, index, wilayah)
            for c in spec.columns
        },
        index=index,
    )
    return out, found


def error_order(layout: Layout | None, file_order: list[str]) -> list[str]:
    """The columns "the first failing column" (§4.2) runs through: as the file has them,
    and a composed NOP at the place of its first part."""
    order = list(file_order)
    for d in layout.derived if layout is not None else ():
        if isinstance(d, ComposedNop):
            at = min((order.index(p) for p in d.parts if p in order), default=len(order))
            order.insert(at, d.target)
    return order


def key_label(layout: Layout | None, spec: SourceSpec) -> str:
    """How a duplicate's reason names the key of a file of ``layout``."""
    joined = layout.derivation(spec.key) if layout is not None else None
    return joined.label if isinstance(joined, JoinedKey) else spec.key


# ---------------------------------------------------------------- derivations


def _text(values: pd.Series) -> pa.ChunkedArray:
    """A column's values as Arrow text, empty where empty (whole numbers without
    decimals)."""
    if not isinstance(values.dtype, pd.StringDtype):
        values = values.astype(parsers.TEXT)
    return parsers.arrow(values).cast(pa.large_string())


def _join(parts: list[pa.ChunkedArray], separator: str) -> pa.ChunkedArray:
    """The parts joined row by row; empty where any part is."""
    return pc.binary_join_element_wise(*parts, pa.scalar(separator, pa.large_string()))


def _series(text, index: pd.Index) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(text), index=index)


def _composed(parsed: pd.DataFrame, d: ComposedNop) -> pd.Series:
    """The parts (already padded) joined; empty where a part is."""
    parts = [_text(parsed[p]) for p in d.parts]
    return _series(_join(parts, ""), parsed.index)


def _joined(values: dict[str, pd.Series], parsed: pd.DataFrame, d: JoinedKey) -> pd.Series:
    parts = [_text(values[p] if p in values else parsed[p]) for p in d.parts]
    return _series(_join(parts, "/"), parsed.index)


def _kelurahan(
    parsed: pd.DataFrame, frame: pd.DataFrame, d: KelurahanFromCodes, wilayah: Wilayah
) -> tuple[pd.Series, dict[str, pd.Series]]:
    """The kelurahan of each row's code pair, looked up once per distinct pair."""
    index = parsed.index
    pair = pd.Series(
        _join([_text(parsed[d.kecamatan]), _text(parsed[d.kelurahan])], "/"),
        index=index,
        dtype=parsers.TEXT,
    )
    codes, pairs = pd.factorize(pair, use_na_sentinel=True)
    split = [tuple(p.split("/")) for p in pairs]
    by_pair = {(k.kd_kecamatan, k.kd_kelurahan): k.nama for k in wilayah.kelurahan}
    kecamatan = {k.kd_kecamatan for k in wilayah.kelurahan}
    nama = pd.Series([by_pair.get(p) for p in split], dtype=object)
    values = taken(nama, codes, index).astype(wilayah.dtype)

    # Per distinct pair, the column it fails (None: known) and why; a pair with an empty
    # code (code -1) is left to that code's own column.
    failing = [
        None if p in by_pair
        else (d.kelurahan if p[0] in kecamatan else d.kecamatan, _unknown_codes(p, wilayah))
        for p in split
    ]  # fmt: skip
    unknown = np.array([f is not None for f in failing] + [False], dtype=bool)
    bad = np.flatnonzero(unknown[codes])
    found: dict[str, dict] = {}
    for row, code in zip(index[bad], codes[bad]):
        column, reason = failing[code]
        found.setdefault(column, {})[row] = reason
    found = {c: pd.Series(r, dtype=object) for c, r in found.items()}

    if d.agree is not None and d.agree in frame:
        # Both are the wilayah's categories: compared by their codes (-1: empty).
        given = pd.Categorical(parsed[d.agree], dtype=wilayah.dtype).codes
        derived = pd.Categorical(values, dtype=wilayah.dtype).codes
        rows = np.flatnonzero((given >= 0) & (derived >= 0) & (given != derived))
        if len(rows):
            cells = frame[d.agree].to_numpy()[rows]
            found[d.agree] = pd.Series(
                [
                    f"kelurahan '{parsers.display(cell)}' tidak sesuai dengan kode kecamatan "
                    f"{split[code][0]} / kelurahan {split[code][1]} "
                    f"({wilayah.names[derived[row]]})"
                    for row, cell, code in zip(rows, cells, codes[rows])
                ],
                index=index[rows],
                dtype=object,
            )
    return values, found


def _unknown_codes(pair: tuple[str, str], wilayah: Wilayah) -> str:
    kec, kel = pair
    if kec not in {k.kd_kecamatan for k in wilayah.kelurahan}:
        return (
            f"kode kecamatan {kec} tidak ada dalam {KELURAHAN_TABLE} "
            f"(bukan {wilayah.kecamatan})"
        )
    return f"kode kecamatan {kec} / kelurahan {kel} tidak ada dalam {KELURAHAN_TABLE}"


def _difference(
    parsed: pd.DataFrame, frame: pd.DataFrame, errors: dict[str, pd.Series], d: Difference
) -> tuple[pd.Series, pd.Series]:
    """minuend − subtrahend (empty = 0), and the reason of each row where it is not
    above 0. Rows where either value failed are left to that value's reason."""
    minuend, subtrahend = parsed[d.minuend], parsed[d.subtrahend]
    result = (minuend - subtrahend.fillna(0)).astype("Int64")
    checked = minuend.notna().to_numpy(dtype=bool)
    for column in (d.minuend, d.subtrahend):
        failed = errors.get(column, NONE).index
        checked &= ~result.index.isin(failed)
    bad = checked & (result.fillna(0) <= 0).to_numpy(dtype=bool)
    rows = result.index[bad]

    def shown(column: str, row) -> str:
        cell = frame[column].loc[row] if column in frame else None
        return parsers.display(cell) or "0"

    reasons = pd.Series(
        [
            f"{d.reason} ({d.minuend} {shown(d.minuend, r)}, {d.subtrahend} "
            f"{shown(d.subtrahend, r)})"
            for r in rows
        ],
        index=rows,
        dtype=object,
    )
    return result, reasons
