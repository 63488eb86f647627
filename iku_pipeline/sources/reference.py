"""Lookup tables the analyst edits under ``$IKU_DATA_DIR/reference/`` (§1).

``jenis_layanan.csv`` maps the service names the register uses to the categories of
IKU 1 (``alias,kategori``). The contract's own aliases are always known, so a missing
or shortened table can only add, never lose, a mapping.

``kelurahan.csv`` names the kelurahan (§9): the only place they are named.
"""

from __future__ import annotations

import csv
import io
from importlib import resources
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from iku_pipeline.model import KATEGORI, KATEGORI_IKU1, LAINNYA, Kelurahan, Wilayah

# docs/data-contract.md §3: the aliases the shipped table must hold at least.
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
    the second the category) or without one. A row with an unknown category, or an alias
    the table already maps to another category, is an error naming the file and rows, so
    a typo cannot silently move services out of IKU 1.
    """
    table = contract_aliases()
    path = reference_dir / JENIS_LAYANAN_FILE
    if not path.is_file():
        return table
    given: dict[str, tuple[int, str]] = {}  # folded alias -> (row, category) in the file
    for row_number, row in enumerate(_csv_rows(path), start=1):
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
        folded = fold_alias(alias)
        earlier = given.get(folded)
        if earlier is not None and earlier[1] != kategori:
            raise ValueError(
                f"{path.name} baris {row_number}: '{alias}' dipetakan ke {kategori}, tetapi "
                f"baris {earlier[0]} memetakannya ke {earlier[1]}: hapus salah satu"
            )
        given.setdefault(folded, (row_number, kategori))
        table[folded] = kategori
    return table


def map_jenis_layanan(
    jenis: pd.Series, table: Mapping[str, str] | None
) -> tuple[pd.Series, dict[str, int]]:
    """Categories of the service names, and the unmapped names with their counts
    (accepted as LAINNYA, reported so the analyst can extend the table). Spellings one
    alias row would map (``Surat Pindah``, ``surat  pindah``) are counted together,
    under the spelling written most often."""
    table = table if table is not None else contract_aliases()
    # Folded once per distinct name: a register repeats a handful of service names.
    codes, names = pd.factorize(jenis, use_na_sentinel=True)
    of_name = pd.array([table.get(fold_alias(v)) for v in names], dtype=object)
    kategori = pd.Series(of_name, dtype=object).array.take(codes, allow_fill=True)
    kategori = pd.Series(kategori, index=jenis.index, dtype=object)
    unmapped = jenis[kategori.isna() & jenis.notna()]
    by_alias: dict[str, list[tuple[int, str]]] = {}
    for name, n in unmapped.value_counts().sort_index().items():
        by_alias.setdefault(fold_alias(name), []).append((-int(n), str(name)))
    shown = {min(found)[1]: -sum(n for n, _ in found) for found in by_alias.values()}
    counts = dict(sorted(shown.items()))
    return kategori.fillna(LAINNYA).astype(pd.CategoricalDtype(list(KATEGORI))), counts


def _csv_rows(path: Path) -> list[list[str]]:
    """A reference table's rows as the analyst may save it: ``,`` or ``;``, UTF-8 (with or
    without BOM) or Windows-1252."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as e:  # a byte Windows-1252 leaves undefined
            raise ReferenceError(
                f"{path.name}: bukan teks UTF-8 atau Windows-1252 (byte ke-{e.start + 1}); "
                "simpan ulang sebagai CSV"
            ) from None
    if "\x00" in text:
        raise ReferenceError(
            f"{path.name}: bukan teks CSV (berisi byte NUL; mungkin UTF-16 atau berkas Excel); "
            "simpan ulang sebagai CSV UTF-8"
        )
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as e:  # e.g. a field beyond the csv module's size limit
        raise ReferenceError(f"{path.name} baris {reader.line_num}: {e}") from None


KELURAHAN_FILE = "kelurahan.csv"
KELURAHAN_COLUMNS = ("kode", "nama", "kd_kecamatan", "kd_kelurahan")
# A row whose ``catatan`` says this marks SISMIOP codes not yet confirmed by the tax unit.
PLACEHOLDER_WORD = "sementara"


class ReferenceError(ValueError):
    """A reference table the run cannot use; the message names the file and row."""


def load_wilayah(reference_dir: Path) -> Wilayah:
    """The kelurahan of ``reference/kelurahan.csv`` (§9), in the file's order.

    Columns ``kode``, ``nama``, ``kd_kecamatan``, ``kd_kelurahan`` (header names folded as
    in §2; other columns, such as ``catatan``, are kept out). A missing file or column, an
    empty cell, or a name or code pair given twice fails the run naming the file and row.
    SISMIOP codes are kept as written, left-padded with zeros to 3 digits. Without the
    file, the table shipped with the package is used.
    """
    path = reference_dir / KELURAHAN_FILE
    if not path.is_file():  # the table the package ships (the same as data/reference/'s)
        path = Path(str(resources.files("iku_pipeline") / KELURAHAN_FILE))
    rows = [r for r in _csv_rows(path) if any(c.strip() for c in r)]
    if not rows:
        raise ReferenceError(f"{KELURAHAN_FILE} kosong")
    header = [re.sub(r"[\s_.\-]+", " ", h).strip().casefold() for h in rows[0]]
    at = {}
    for name in (*KELURAHAN_COLUMNS, "catatan"):
        if name.replace("_", " ") in header:
            at[name] = header.index(name.replace("_", " "))
    missing = [c for c in KELURAHAN_COLUMNS if c not in at]
    if missing:
        raise ReferenceError(
            f"{KELURAHAN_FILE} baris 1: kolom {', '.join(missing)} tidak ada "
            f"(kolom wajib: {', '.join(KELURAHAN_COLUMNS)})"
        )
    kelurahan, placeholder = [], False
    seen: dict[object, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in at.items()}
        empty = [c for c in KELURAHAN_COLUMNS if not cells[c]]
        if empty:
            raise ReferenceError(f"{KELURAHAN_FILE} baris {number}: {', '.join(empty)} kosong")
        for c in ("kd_kecamatan", "kd_kelurahan"):
            if not cells[c].isdigit() or len(cells[c]) > 3:
                raise ReferenceError(
                    f"{KELURAHAN_FILE} baris {number}: {c} '{cells[c]}' bukan kode 3 angka"
                )
            cells[c] = cells[c].zfill(3)
        k = Kelurahan(cells["kode"], cells["nama"], cells["kd_kecamatan"], cells["kd_kelurahan"])
        for what, value in (
            ("kode", k.kode),
            ("nama", k.nama.casefold()),
            ("kd_kecamatan + kd_kelurahan", (k.kd_kecamatan, k.kd_kelurahan)),
        ):
            if (what, value) in seen:
                raise ReferenceError(
                    f"{KELURAHAN_FILE} baris {number}: {what} sama dengan baris "
                    f"{seen[(what, value)]}"
                )
            seen[(what, value)] = number
        kelurahan.append(k)
        placeholder |= PLACEHOLDER_WORD in cells.get("catatan", "").casefold()
    if not kelurahan:
        raise ReferenceError(f"{KELURAHAN_FILE}: tidak ada kelurahan")
    return Wilayah(tuple(kelurahan), placeholder_codes=placeholder)
