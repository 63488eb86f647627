"""A file's accepted rows, typed as they are staged, and the columns a source derives
from them (docs/data-contract.md §3): the last step of ``validate``'s work on a file."""

from __future__ import annotations

import numpy as np
import pandas as pd

from iku_pipeline.model import FILE, KEY, ROW, Wilayah
from iku_pipeline.sources import parsers
from iku_pipeline.sources.columns import absent
from iku_pipeline.sources.readers import FileRows
from iku_pipeline.sources.reference import map_jenis_layanan
from iku_pipeline.sources.specs import Kind, Layout, SourceSpec
from iku_pipeline.sources.threads import SHARED_ROWS

_DTYPES = {
    Kind.DATE: "datetime64[ns]",
    Kind.RUPIAH: "Int64",
    Kind.WHOLE: "Int64",
    Kind.YEAR: "Int64",
    Kind.NUMBER: "Float64",
    Kind.STATUS: "boolean",
}

# Raw cells a source's derivation needs beside the parsed values.
_RAW_FOR_DERIVED = {"layanan": ("status",)}


def accepted_part(
    rows: FileRows | None,
    keep: np.ndarray,
    values: pd.DataFrame | None,
    spec: SourceSpec,
    wilayah: Wilayah,
    layout: Layout | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A file's accepted rows, typed: ``_berkas``, ``_baris``, the spec's columns, the
    key as compared, then the file's unlisted columns (for a file of another layout,
    those the layout does not read); and the raw cells a derivation needs
    (``_RAW_FOR_DERIVED``). A large file's ``values`` are emptied: each column let go
    once copied."""
    frame = rows.frame if rows is not None else pd.DataFrame({FILE: [], ROW: []}, dtype=object)
    read = spec.names if layout is None else layout.names
    extras = [c for c in frame.columns if c not in read and c not in (FILE, ROW, KEY)]
    index = pd.RangeIndex(int(keep.sum()))
    if values is None:
        values = pd.DataFrame({c.name: absent(c, index, wilayah) for c in spec.columns})
        values[KEY] = pd.Series(dtype=parsers.TEXT)
    berkas = frame[FILE].iloc[0] if len(frame) else None
    out = pd.DataFrame(
        {
            FILE: pd.Categorical.from_codes(
                np.zeros(len(index), dtype=np.int8), [berkas] if berkas is not None else []
            ),
            ROW: frame[ROW].to_numpy()[keep].astype("int64"),
        },
        index=index,
    )
    # A small file's typed columns are framed at once (setting each into the frame costs
    # more than typing it); a large file's set one by one, each without a copy.
    typed = {} if len(index) < SHARED_ROWS else out
    for column in spec.columns:  # each column of values let go once its rows are kept
        cells = values.pop(column.name) if typed is out else values[column.name]
        kept = cells[keep] if len(keep) else cells
        del cells
        dtype = wilayah.dtype if column.kind is Kind.KELURAHAN else _DTYPES.get(column.kind, parsers.TEXT)
        typed[column.name] = kept.reset_index(drop=True).astype(dtype)
    if typed is not out:
        out = pd.DataFrame({FILE: out[FILE], ROW: out[ROW], **typed}, index=index)
    if spec.column(spec.key).kind is Kind.NOP:
        out[KEY] = out[spec.key]  # the same digits: one copy of them
    else:
        cells = values.pop(KEY)
        kept = cells[keep] if len(keep) else cells
        out[KEY] = kept.reset_index(drop=True).astype(parsers.TEXT)
    for c in extras:  # kept in staging as text, personal ones already masked (§2, §6)
        cells = frame[c][keep].reset_index(drop=True)
        out[c] = cells.astype(parsers.TEXT) if c.endswith("_hash") else parsers.as_text(cells)
    raw = frame.loc[keep, [c for c in _RAW_FOR_DERIVED.get(spec.name, ()) if c in frame]]
    raw = raw.reindex(columns=list(_RAW_FOR_DERIVED.get(spec.name, ()))).reset_index(drop=True)
    return out, raw


def _derive_layanan(out: pd.DataFrame, raw: pd.DataFrame, tahun: int, jenis_layanan) -> dict:
    # §3: an empty status means processed when tanggal_selesai is given.
    out["diproses"] = out["status"].fillna(out["tanggal_selesai"].notna()).astype(bool)
    out["status"] = parsers.as_text(raw["status"])
    out["kategori"], unmapped = map_jenis_layanan(out["jenis_layanan"], jenis_layanan)
    return {"jenis_layanan_tidak_dikenal": unmapped}


def _derive_pembayaran(out: pd.DataFrame, raw: pd.DataFrame, tahun: int, _) -> dict:
    out["tahun_pajak"] = out["tahun_pajak"].fillna(tahun).astype("Int64")
    return {}


DERIVED = {"layanan": _derive_layanan, "pbb_pembayaran": _derive_pembayaran}
