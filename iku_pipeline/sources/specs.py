"""The data contract's sources, as data (DATA_CONTRACT §3).

Each source is a table of columns: canonical name, accepted header aliases, whether the
column is required, and the kind of value it holds. One generic reader and one generic
validator serve every source; adding a source means adding a spec here (and its staged
schema in ``schemas.py``), not new reading code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum


class Kind(str, Enum):
    """How a column's values are parsed and checked (see ``parsers.py``)."""

    TEXT = "text"  # free text, trimmed
    KEY = "key"  # text compared trimmed and case-insensitively
    DATE = "date"  # §2 date formats
    RUPIAH = "rupiah"  # §2 whole-rupiah amounts
    NUMBER = "number"  # a number >= 0 (luas)
    WHOLE = "whole"  # a whole number >= 1 (prioritas)
    YEAR = "year"  # a four-digit year (tahun_pajak)
    KELURAHAN = "kelurahan"  # one of the four kelurahan of Metro Utara
    NOP = "nop"  # 18-digit tax object number
    STATUS = "status"  # layanan status berkas
    HASIL = "hasil"  # konflik hasil
    NIK = "nik"  # personal: masked
    NAMA = "nama"  # personal: masked


PERSONAL_KINDS = frozenset({Kind.NIK, Kind.NAMA})


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    aliases: tuple[str, ...] = ()
    # Rules beyond the kind's own parsing, checked on the parsed value.
    in_year: bool = False  # a date must lie inside the partition year
    min_value: float | None = None  # inclusive lower bound for numbers
    positive: bool = False  # strictly greater than zero


@dataclass(frozen=True)
class Reference:
    """A column whose value must be a key of another source's accepted rows."""

    column: str
    source: str
    source_column: str
    # Only rows whose ``when_column`` equals the partition year are checked (payments:
    # only the current tahun_pajak must name a NOP of the year's roll).
    when_year_column: str | None = None


@dataclass(frozen=True)
class SourceSpec:
    name: str
    judul: str  # what the office calls the extract (used in messages)
    columns: tuple[Column, ...]
    key: str
    references: tuple[Reference, ...] = field(default=())

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_FOLD = re.compile(r"[\s_.\-]+")


def normalise_header(text: object) -> str:
    """§2: case-insensitive, trimmed, runs of spaces, ``_``, ``.`` and ``-`` folded."""
    if text is None:
        return ""
    return _FOLD.sub(" ", str(text)).strip().casefold()


_KELURAHAN = Column("kelurahan", Kind.KELURAHAN, required=True)

SOURCES: dict[str, SourceSpec] = {
    spec.name: spec
    for spec in (
        SourceSpec(
            name="layanan",
            judul="register pelayanan",
            key="no_register",
            columns=(
                Column("no_register", Kind.KEY, True, ("nomor register", "no reg", "no agenda")),
                Column(
                    "tanggal_masuk",
                    Kind.DATE,
                    True,
                    ("tanggal", "tgl masuk", "tanggal diterima"),
                    in_year=True,
                ),
                Column("jenis_layanan", Kind.TEXT, True, ("jenis", "layanan", "jenis pelayanan")),
                Column("kelurahan", Kind.KELURAHAN, True, ("kel", "desa/kelurahan")),
                Column("status", Kind.STATUS, True, ("status berkas", "keterangan")),
                Column("tanggal_selesai", Kind.DATE, False, ("tgl selesai",)),
                Column("nik_pemohon", Kind.NIK, False, ("nik",)),
                Column("nama_pemohon", Kind.NAMA, False, ("nama",)),
            ),
        ),
        SourceSpec(
            name="musrenbang_usulan",
            judul="daftar usulan Musrenbang",
            key="id_usulan",
            columns=(
                Column("id_usulan", Kind.KEY, True, ("id", "kode usulan", "no usulan")),
                _KELURAHAN,
                Column("uraian_usulan", Kind.TEXT, True, ("usulan", "uraian", "kegiatan")),
                Column("bidang", Kind.TEXT),
                Column("tanggal_usulan", Kind.DATE, False, ("tanggal",), in_year=True),
            ),
        ),
        SourceSpec(
            name="musrenbang_ba",
            judul="Berita Acara Musrenbang",
            key="id_usulan",
            columns=(
                Column("id_usulan", Kind.KEY, True, ("id", "kode usulan", "no usulan")),
                Column("nomor_ba", Kind.TEXT, False, ("no ba",)),
                Column("prioritas", Kind.WHOLE, False, ("ranking",), min_value=1),
            ),
            references=(Reference("id_usulan", "musrenbang_usulan", "id_usulan"),),
        ),
        SourceSpec(
            name="pbb_dhkp",
            judul="DHKP PBB",
            key="nop",
            columns=(
                Column("nop", Kind.NOP, True, ("nomor objek pajak",)),
                _KELURAHAN,
                Column(
                    "pbb_terhutang", Kind.RUPIAH, True, ("ketetapan", "pokok", "pbb"), min_value=0
                ),
                Column("nama_wp", Kind.NAMA, False, ("nama wajib pajak",)),
                Column("luas_bumi", Kind.NUMBER, min_value=0),
                Column("luas_bangunan", Kind.NUMBER, min_value=0),
                # The SPPT's due date (IKU 3 tepat waktu); any year, not only the partition's.
                Column("jatuh_tempo", Kind.DATE, False, ("tgl jatuh tempo", "tanggal jatuh tempo")),
            ),
        ),
        SourceSpec(
            name="pbb_pembayaran",
            judul="data pembayaran PBB",
            key="no_transaksi",
            columns=(
                Column("no_transaksi", Kind.KEY, True, ("ntpd", "no bukti", "nomor transaksi")),
                Column("nop", Kind.NOP, True, ("nomor objek pajak",)),
                Column(
                    "tanggal_bayar", Kind.DATE, True, ("tgl bayar", "tanggal"), in_year=True
                ),
                Column(
                    "jumlah_bayar",
                    Kind.RUPIAH,
                    True,
                    ("jumlah", "bayar", "pokok bayar"),
                    positive=True,
                ),
                Column("tahun_pajak", Kind.YEAR, False, ("tahun", "tahun sppt")),
            ),
            references=(
                Reference("nop", "pbb_dhkp", "nop", when_year_column="tahun_pajak"),
            ),
        ),
        SourceSpec(
            name="konflik",
            judul="data penanganan konflik",
            key="no_kegiatan",
            columns=(
                Column("no_kegiatan", Kind.KEY, True, ("no", "nomor")),
                Column("tanggal", Kind.DATE, True, ("tanggal kegiatan",), in_year=True),
                _KELURAHAN,
                Column("jenis_konflik", Kind.TEXT, True, ("jenis",)),
                Column("uraian_kegiatan", Kind.TEXT, False, ("uraian", "kegiatan")),
                Column("hasil", Kind.HASIL, False, ("status", "keterangan")),
            ),
        ),
    )
}

# Sources read before the ones that reference them.
SOURCE_ORDER = tuple(SOURCES)

# Extra (unlisted) columns whose header looks like personal data are masked too: a
# section may add "NIK Suami" or "Nama Ayah" to an export without warning.
PERSONAL_HEADER_WORDS = {
    Kind.NIK: re.compile(r"\b(nik|no ktp|nomor ktp|ktp|no kk|nomor kk|kk)\b"),
    Kind.NAMA: re.compile(r"\bnama\b"),
}
