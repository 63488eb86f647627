"""Who signs a document, and on which date (docs/data-contract.md §5.7).

The signed matrix is signed "Banjarsari, April 2021" by the camat of 2021. A report the
pipeline writes later is signed by whoever holds the office on the report's date, and
dated with that date: ``reference/penandatangan.csv`` lists the signers, each valid from
its ``berlaku_mulai`` until the next one's. Without the file, the matrix's own signer
(``declarations.OPD``) signs every report.

Read strictly, like the targets: a missing column, a date that is not one, an empty
cell or the same ``berlaku_mulai`` twice stops the run with a message naming the file,
the row and the value (in Indonesian, for the analyst).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from iku_pipeline.indicators.declarations import OPD
from iku_pipeline.indicators.triwulan import tanggal_teks
from iku_pipeline.publish import clock
from iku_pipeline.publish.matrix import is_missing
from iku_pipeline.publish.targets import _read_csv_rows

PENANDATANGAN_FILE = "penandatangan.csv"
COLUMNS = ("berlaku_mulai", "nama", "nip", "jabatan", "tempat")


@dataclass(frozen=True)
class TandaTangan:
    """The four lines of a signature block, as printed."""

    tempat_tanggal: str  # "Banjarsari, 29 November 2026"
    jabatan: str  # "CAMAT METRO UTARA,"
    nama: str
    nip: str  # "NIP. 19630726 199203 1 004"


# The signed matrix's own block, word for word: what a document shows when it is given
# no signer (and what the matrix itself was signed with).
TANDA_TANGAN_MATRIKS = TandaTangan(
    OPD.tempat_tanggal, OPD.jabatan_penandatangan, OPD.nama_penandatangan,
    OPD.nip_penandatangan,
)  # fmt: skip


@dataclass(frozen=True)
class Penandatangan:
    """One row of ``reference/penandatangan.csv``."""

    berlaku_mulai: dt.date
    nama: str
    nip: str  # the digits as written, without "NIP."
    jabatan: str  # without the trailing comma: "CAMAT METRO UTARA", "Plt. CAMAT ..."
    tempat: str  # where the office signs: "Banjarsari"

    def tanda_tangan(self, tanggal: dt.date) -> TandaTangan:
        """The signature block of a document dated ``tanggal``."""
        jabatan = self.jabatan if self.jabatan.endswith(",") else self.jabatan + ","
        nip = self.nip if self.nip.upper().startswith("NIP") else f"NIP. {self.nip}"
        return TandaTangan(f"{self.tempat}, {tanggal_teks(tanggal)}", jabatan,
                           self.nama, nip)


def _matrix_signer() -> Penandatangan:
    """The signed matrix's signer, valid from the month it was signed (April 2021)."""
    tempat = OPD.tempat_tanggal.split(",")[0].strip()
    nip = re.sub(r"^NIP\.?\s*", "", OPD.nip_penandatangan)
    return Penandatangan(dt.date(2021, 4, 1), OPD.nama_penandatangan, nip,
                         OPD.jabatan_penandatangan.rstrip(","), tempat)


# Without reference/penandatangan.csv: the matrix's signer signs every report.
DEFAULT_SIGNERS: tuple[Penandatangan, ...] = (_matrix_signer(),)


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


def _parse_date(text: str) -> dt.date:
    """``2021-04-01``, ``01/04/2021`` or ``01-04-2021`` (day first, as Indonesian Excel
    writes it)."""
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def read_penandatangan(reference_dir: str | Path | None) -> tuple[Penandatangan, ...]:
    """The signers of ``reference/penandatangan.csv``, earliest first; the default (the
    signed matrix's signer) when there is no such file or ``reference_dir`` is None.

    Columns ``berlaku_mulai`` (a date), ``nama``, ``nip``, ``jabatan``, ``tempat``; other
    columns are ignored, blank rows skipped. A missing column, an empty cell, a date that
    is not one or a ``berlaku_mulai`` given twice is a ``ValueError`` naming the file,
    the row and the value.
    """
    if reference_dir is None:
        return DEFAULT_SIGNERS
    path = Path(reference_dir) / PENANDATANGAN_FILE
    if not path.is_file():
        return DEFAULT_SIGNERS
    header, rows = _read_csv_rows(path)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValueError(
            f"{path}, baris 1: kolom {', '.join(missing)} tidak ada "
            f"(kolom wajib: {', '.join(COLUMNS)})"
        )
    signers: list[Penandatangan] = []
    seen: dict[dt.date, int] = {}
    for number, row in rows:
        where = f"{path}, baris {number}"
        empty = [c for c in COLUMNS if not row[c]]
        if empty:
            raise ValueError(f"{where}: {', '.join(empty)} kosong")
        try:
            mulai = _parse_date(row["berlaku_mulai"])
        except ValueError:
            raise ValueError(
                f"{where}: berlaku_mulai {row['berlaku_mulai']!r} bukan tanggal "
                "(tulis 2021-04-01 atau 01/04/2021)"
            ) from None
        if mulai in seen:
            raise ValueError(
                f"{where}: berlaku_mulai {row['berlaku_mulai']!r} sama dengan baris "
                f"{seen[mulai]}"
            )
        seen[mulai] = number
        signers.append(Penandatangan(mulai, row["nama"], row["nip"], row["jabatan"],
                                     row["tempat"]))
    if not signers:
        raise ValueError(f"{path}: tidak ada penandatangan")
    return tuple(sorted(signers, key=lambda s: s.berlaku_mulai))


def signer_at(signers: Sequence[Penandatangan], tanggal: dt.date) -> Penandatangan:
    """The signer valid on ``tanggal``: the last whose ``berlaku_mulai`` is on or before
    it. A date before every row is signed by the earliest signer."""
    ordered = sorted(signers, key=lambda s: s.berlaku_mulai)
    if not ordered:
        raise ValueError("tidak ada penandatangan")
    valid = [s for s in ordered if s.berlaku_mulai <= tanggal]
    return valid[-1] if valid else ordered[0]


def tanda_tangan(tanggal: dt.date,
                 signers: Sequence[Penandatangan] = DEFAULT_SIGNERS) -> TandaTangan:
    """The signature block of a document dated ``tanggal``: its signer, and the date in
    Indonesian after the signer's place."""
    return signer_at(signers, tanggal).tanda_tangan(tanggal)


def tanggal_dokumen(dipublikasikan: Iterable[object], sampai: dt.date | None = None) -> dt.date:
    """The date a document is signed with: ``sampai`` (the running year's "s.d." date)
    when given, else the day its figures were published (the latest ``dipublikasikan``,
    Asia/Jakarta), else today in Jakarta."""
    if sampai is not None:
        return sampai
    times = [clock.as_jakarta(v) for v in dipublikasikan if not is_missing(v)]
    times = [t for t in times if t is not None]
    return max(times).date() if times else clock.now().date()


def ttd_dokumen(rows, signers: Sequence[Penandatangan] = DEFAULT_SIGNERS,
                sampai: dt.date | None = None) -> TandaTangan:
    """The signature block of a document showing ``rows`` (warehouse rows with
    ``dipublikasikan``): dated ``sampai`` when given (the running year's "s.d." date),
    else the day they were published."""
    published = rows["dipublikasikan"] if "dipublikasikan" in rows.columns else ()
    return tanda_tangan(tanggal_dokumen(published, sampai), signers)
