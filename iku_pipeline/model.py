"""The types every layer shares: a staged source, its reports, the wilayah, the codes.

This module is the bottom of the package: ``sources/``, ``indicators/``, ``publish/`` and
``assets/`` import it, and it imports nothing of theirs. Names follow the project's rule
(README, "Naming"): the contract's Indonesian words for data, English for programming.
Everything here that is stored between steps round-trips through plain JSON
(``SourceReport.to_json``) or an Arrow file (the frames): no pickled class.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

# Columns the reader adds to every row, and the key as compared (docs/data-contract.md §3:
# trimmed and case-folded; a NOP by its 18 digits).
FILE = "_berkas"  # file name as delivered
ROW = "_baris"  # row number as a spreadsheet shows it
KEY = "_kunci"

# The IKU 1 categories of the service register and the indicator each counts in (§3).
KATEGORI_IKU1 = {"KK_KTP": "1a", "IMB": "1b", "IUMK": "1c", "NIKAH": "1d"}
LAINNYA = "LAINNYA"
KATEGORI = (*KATEGORI_IKU1, LAINNYA)

# baris_ditolak's columns (§4).
REJECTED_COLUMNS = ("sumber", "tahun", "berkas", "baris", "kolom", "alasan", "isi_baris")


def empty_rejected() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in REJECTED_COLUMNS})


# ---------------------------------------------------------------- wilayah

KECAMATAN = "Kecamatan Metro Utara"  # the wilayah of the kecamatan's own rows (§5)


@dataclass(frozen=True)
class Kelurahan:
    """One row of ``reference/kelurahan.csv`` (§9)."""

    kode: str  # Kemendagri code
    nama: str
    kd_kecamatan: str  # SISMIOP codes, as in a NOP
    kd_kelurahan: str


@dataclass(frozen=True)
class Wilayah:
    """The kecamatan and its kelurahan, in the order of ``reference/kelurahan.csv``:
    the order of every per-kelurahan row and sheet."""

    kelurahan: tuple[Kelurahan, ...]
    kecamatan: str = KECAMATAN
    placeholder_codes: bool = False  # the SISMIOP codes are not confirmed yet

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(k.nama for k in self.kelurahan)

    @property
    def all(self) -> tuple[str, ...]:
        """Every wilayah of a published table: the kecamatan, then each kelurahan."""
        return (self.kecamatan, *self.names)

    @property
    def dtype(self) -> pd.CategoricalDtype:
        """The kelurahan as a category: a byte a row, grouped and checked by code."""
        return pd.CategoricalDtype(list(self.names))

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict) -> Wilayah:
        kelurahan = tuple(Kelurahan(**k) for k in value["kelurahan"])
        return cls(**{**value, "kelurahan": kelurahan})


# ---------------------------------------------------------------- staged sources


@dataclass
class FileReport:
    """What became of one delivered file (§4)."""

    berkas: str
    ukuran: int  # bytes
    sha256: str
    dibaca: int = 0  # non-blank rows read
    diterima: int = 0
    ditolak: int = 0
    baris_kosong: int = 0
    gagal: str | None = None  # why the file could not be read at all


@dataclass
class SourceReport:
    """A source-year's delivery: its files, their counts and the source's own figures
    (``info``: e.g. the service names found in no alias row). Small, stored as JSON."""

    sumber: str
    tahun: int
    diserahkan: bool  # False: no file in raw/<sumber>/<tahun>/ (§1)
    berkas: list[FileReport] = field(default_factory=list)
    info: dict = field(default_factory=dict)

    @property
    def gagal(self) -> list[FileReport]:
        """The files that could not be read."""
        return [f for f in self.berkas if f.gagal]

    @property
    def dibaca(self) -> int:
        return sum(f.dibaca for f in self.berkas)

    @property
    def diterima(self) -> int:
        return sum(f.diterima for f in self.berkas)

    @property
    def ditolak(self) -> int:
        return sum(f.ditolak for f in self.berkas)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict) -> SourceReport:
        files = [FileReport(**f) for f in value.get("berkas", [])]
        return cls(**{**value, "berkas": files})


@dataclass
class Staged:
    """A source's rows for one year after validation, personal data masked: the accepted
    rows (typed), the rejected rows (``baris_ditolak`` records) and the report. Each is
    stored as its own value, so a step loads only what it reads."""

    laporan: SourceReport
    diterima: pd.DataFrame
    ditolak: pd.DataFrame

    @property
    def sumber(self) -> str:
        return self.laporan.sumber

    @property
    def tahun(self) -> int:
        return self.laporan.tahun

    @property
    def diserahkan(self) -> bool:
        return self.laporan.diserahkan


class SourceFailed(Exception):
    """One or more delivered files of a source-year could not be read (§4)."""

    def __init__(self, laporan: SourceReport):
        failed = laporan.gagal
        lines = [f"{f.berkas}: {f.gagal}" for f in failed]
        super().__init__(
            f"{len(failed)} berkas {laporan.sumber} tahun {laporan.tahun} tidak dapat "
            "dibaca:\n  " + "\n  ".join(lines)
        )
        self.laporan = laporan
