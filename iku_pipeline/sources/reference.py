"""Lookup tables the analyst edits under ``$IKU_DATA_DIR/reference/`` (§1).

``jenis_layanan.csv`` maps the service names the register uses to the categories of
IKU 1 (``alias,kategori``). The contract's own aliases are always known, so a missing
or shortened table can only add, never lose, a mapping.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

KATEGORI_IKU1 = {"KK_KTP": "1a", "IMB": "1b", "IUMK": "1c", "NIKAH": "1d"}
LAINNYA = "LAINNYA"
KATEGORI = (*KATEGORI_IKU1, LAINNYA)

# DATA_CONTRACT §3: the aliases the shipped table must hold at least.
CONTRACT_ALIASES = {
    "KK_KTP": (
        "KK", "KTP", "KTP-el", "e-KTP", "Kartu Keluarga", "KK dan KTP", "Pengantar KK",
        "Pengantar KTP", "Pengantar KK dan KTP",
    ),
    "IMB": ("IMB", "Pengantar IMB", "PBG", "Persetujuan Bangunan Gedung"),
    "IUMK": ("IUMK", "Pengantar IUMK", "NIB"),
    "NIKAH": (
        "Nikah", "Surat Nikah", "Pengantar Nikah", "Pengantar Surat Nikah", "Numpang Nikah",
    ),
}  # fmt: skip

JENIS_LAYANAN_FILE = "jenis_layanan.csv"


def fold_alias(text: str) -> str:
    """Alias matching folds case and spacing (§3)."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def contract_aliases() -> dict[str, str]:
    return {fold_alias(a): k for k, aliases in CONTRACT_ALIASES.items() for a in aliases}


_KATEGORI_SPELLINGS = {
    **{k.casefold(): k for k in KATEGORI},
    **{kode: k for k, kode in KATEGORI_IKU1.items()},
    **{f"{kode[0]}.{kode[1]}": k for k, kode in KATEGORI_IKU1.items()},
    "kk/ktp": "KK_KTP", "kk ktp": "KK_KTP", "pbg": "IMB", "nib": "IUMK", "lain-lain": LAINNYA,
    "lainnya": LAINNYA, "lain": LAINNYA,
}  # fmt: skip


def _kategori(text: str) -> str | None:
    return _KATEGORI_SPELLINGS.get(re.sub(r"\s+", " ", text).strip().casefold())


def load_jenis_layanan(reference_dir: Path) -> dict[str, str]:
    """Folded alias -> category: the contract's aliases, extended by the analyst's table.

    The table is read as the analyst may save it: ``,`` or ``;``, UTF-8 or Windows-1252,
    with a header row (``alias,kategori`` or any names: the first column is the alias,
    the second the category) or without one. A row with an unknown category is an error
    naming the file and row, so a typo cannot silently move services out of IKU 1.
    """
    table = contract_aliases()
    path = reference_dir / JENIS_LAYANAN_FILE
    if not path.is_file():
        return table
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    for row_number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row] + ["", ""]
        alias, kategori_text = cells[0], cells[1]
        if not alias and not kategori_text:
            continue
        kategori = _kategori(kategori_text)
        if kategori is None:
            if row_number == 1:  # a header row
                continue
            raise ValueError(
                f"{path.name} baris {row_number}: kategori '{kategori_text}' tidak dikenal "
                f"(gunakan {', '.join(KATEGORI)})"
            )
        table[fold_alias(alias)] = kategori
    return table


def map_jenis_layanan(
    jenis: pd.Series, table: Mapping[str, str] | None
) -> tuple[pd.Series, dict[str, int]]:
    """Categories of the service names, and the unmapped names with their counts
    (accepted as LAINNYA, reported so the analyst can extend the table)."""
    table = table if table is not None else contract_aliases()
    # Folded once per distinct name: a register repeats a handful of service names.
    codes, names = pd.factorize(jenis, use_na_sentinel=True)
    of_name = pd.array([table.get(fold_alias(v)) for v in names], dtype=object)
    kategori = pd.Series(of_name, dtype=object).array.take(codes, allow_fill=True)
    kategori = pd.Series(kategori, index=jenis.index, dtype=object)
    unmapped = jenis[kategori.isna() & jenis.notna()]
    counts = {str(k): int(v) for k, v in unmapped.value_counts().sort_index().items()}
    return kategori.fillna(LAINNYA).astype(pd.CategoricalDtype(list(KATEGORI))), counts
