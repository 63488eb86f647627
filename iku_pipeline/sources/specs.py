"""The data contract's sources, as data (docs/data-contract.md §3, §9).

Each source is a table of columns: canonical name, accepted header aliases, whether the
column is required, and the kind of value it holds. One generic reader and one generic
validator serve every source; adding a source means adding a spec here (and its staged
schema in ``schemas.py``), not new reading code.

A source may also be delivered in another layout (§9: the SISMIOP exports of the PBB
unit): a :class:`Layout` is that layout's own table of columns, read and checked like the
contract's, plus the derivations that give the contract's columns from them (the NOP
composed of its parts, the kelurahan from its codes, …). The validator stages a file of
either layout with the contract's columns.
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
    CODE = "code"  # digits only, at most ``width`` of them, left-padded with zeros (§9)


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
    # For the columns of another layout (§9):
    width: int | None = None  # CODE: the number of digits the code is padded to
    is_year: bool = False  # a YEAR that must be the partition year
    staged_as: str | None = None  # the contract column whose value this column gives


@dataclass(frozen=True)
class Reference:
    """A column whose value must be a key of another source's accepted rows."""

    column: str
    source: str
    source_column: str
    # Only rows whose ``when_column`` equals the partition year are checked (payments:
    # only the current tahun_pajak must name a NOP of the year's roll).
    when_year_column: str | None = None


# ---------------------------------------------------------------- other layouts (§9)


@dataclass(frozen=True)
class ComposedNop:
    """``target`` = the ``parts`` columns (kind CODE, each padded to its width) joined."""

    parts: tuple[str, ...]
    target: str = "nop"


@dataclass(frozen=True)
class KelurahanFromCodes:
    """``target`` = the kelurahan of ``reference/kelurahan.csv`` whose SISMIOP codes are
    the row's ``kecamatan`` and ``kelurahan`` codes; an unknown pair fails the kelurahan
    code's column (the kecamatan code's, when no kelurahan has it). When the file has the
    ``agree`` column too, a non-empty cell of it must name the same kelurahan."""

    kecamatan: str
    kelurahan: str
    agree: str | None = None
    target: str = "kelurahan"


@dataclass(frozen=True)
class Difference:
    """``target`` = ``minuend`` − ``subtrahend`` (an empty subtrahend is 0), which must be
    above 0, else the row fails ``minuend`` with ``reason``."""

    minuend: str
    subtrahend: str
    target: str
    reason: str


@dataclass(frozen=True)
class JoinedKey:
    """``target`` = the values of ``parts`` (derived or layout columns) joined by ``/``;
    a duplicate's reason names it ``label``."""

    parts: tuple[str, ...]
    target: str
    label: str


Derivation = ComposedNop | KelurahanFromCodes | Difference | JoinedKey


@dataclass(frozen=True)
class Layout:
    """Another layout a source's files may come in: its own columns (canonical names as
    the layout's system writes them; matched in a header as in §2), the contract columns
    its values give (``Column.staged_as``) and the ``derived`` ones. A header row holding
    one of the contract's ``unless`` columns is read in the contract's layout instead."""

    name: str
    columns: tuple[Column, ...]
    derived: tuple[Derivation, ...] = ()
    unless: tuple[str, ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def derivation(self, target: str) -> Derivation | None:
        return next((d for d in self.derived if d.target == target), None)


@dataclass(frozen=True)
class SourceSpec:
    name: str
    judul: str  # what the office calls the extract (used in messages)
    columns: tuple[Column, ...]
    key: str
    references: tuple[Reference, ...] = field(default=())
    layouts: tuple[Layout, ...] = field(default=())  # other layouts besides the contract's

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

# §9: SISMIOP's NOP parts and the widths they are padded to.
NOP_PARTS = (
    ("KD_PROPINSI", 2), ("KD_DATI2", 2), ("KD_KECAMATAN", 3), ("KD_KELURAHAN", 3),
    ("KD_BLOK", 3), ("NO_URUT", 4), ("KD_JNS_OP", 1),
)  # fmt: skip
_NOP_PART_COLUMNS = tuple(Column(n, Kind.CODE, True, width=w) for n, w in NOP_PARTS)
_SISMIOP_NOP = ComposedNop(tuple(n for n, _ in NOP_PARTS))

# The tax roll as SISMIOP exports it (table SPPT).
SISMIOP_DHKP = Layout(
    name="SISMIOP",
    columns=(
        *_NOP_PART_COLUMNS,
        Column("THN_PAJAK_SPPT", Kind.YEAR, True, is_year=True),
        Column("PBB_YG_HARUS_DIBAYAR_SPPT", Kind.RUPIAH, True, min_value=0,
               staged_as="pbb_terhutang"),
        Column("NM_WP_SPPT", Kind.NAMA, staged_as="nama_wp"),
        Column("TGL_JATUH_TEMPO_SPPT", Kind.DATE, staged_as="jatuh_tempo"),
        Column("LUAS_BUMI_SPPT", Kind.NUMBER, min_value=0, staged_as="luas_bumi"),
        Column("LUAS_BNG_SPPT", Kind.NUMBER, min_value=0, staged_as="luas_bangunan"),
        Column("kelurahan", Kind.KELURAHAN),  # optional here: must agree with the codes
    ),
    derived=(_SISMIOP_NOP, KelurahanFromCodes("KD_KECAMATAN", "KD_KELURAHAN", "kelurahan")),
    unless=("nop",),
)  # fmt: skip

# Payments as SISMIOP exports them (table PEMBAYARAN_SPPT).
SISMIOP_PEMBAYARAN = Layout(
    name="SISMIOP",
    columns=(
        *_NOP_PART_COLUMNS,
        Column("THN_PAJAK_SPPT", Kind.YEAR, True, staged_as="tahun_pajak"),
        Column("PEMBAYARAN_SPPT_KE", Kind.WHOLE, True, min_value=1),
        Column("TGL_PEMBAYARAN_SPPT", Kind.DATE, True, in_year=True,
               staged_as="tanggal_bayar"),
        Column("JML_SPPT_YG_DIBAYAR", Kind.RUPIAH, True),
        Column("DENDA_SPPT", Kind.RUPIAH, min_value=0),
    ),
    derived=(
        _SISMIOP_NOP,
        Difference("JML_SPPT_YG_DIBAYAR", "DENDA_SPPT", "jumlah_bayar",
                   "jumlah dibayar dikurangi denda harus lebih dari 0"),
        JoinedKey(("nop", "THN_PAJAK_SPPT", "PEMBAYARAN_SPPT_KE"), "no_transaksi",
                  "NOP/THN_PAJAK_SPPT/PEMBAYARAN_SPPT_KE"),
    ),
    unless=("nop",),
)  # fmt: skip

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
            layouts=(SISMIOP_DHKP,),
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
            layouts=(SISMIOP_PEMBAYARAN,),
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

# Extra (unlisted) columns whose header looks like personal data are masked too (§6): a
# section may add "NIK Suami", "Nama Ayah", "Nomor Induk Kependudukan" or "Pemohon" to an
# export without warning. SISMIOP names the taxpayer NM_WP(_SPPT) and may export NPWP_SPPT
# (an individual's NPWP is the NIK) and SUBJEK_PAJAK_ID (usually the NIK) beside a
# layout's own columns (§9). A header is matched on its words: folded as in §2.3, any
# character but a letter or digit separating them ("NIK/KTP" is "nik ktp").
PERSONAL_HEADER_WORDS = {
    # An identity number: masked (and hashed) as a NIK.
    Kind.NIK: re.compile(
        r"\b(nik|ktp|kk|kartu keluarga|npwp|pokok wajib pajak|subjek pajak id"
        r"|induk kependudukan|identitas|paspor|(no|nomor|nomer|id) (penduduk|pemohon))\b"
    ),
    # A person's name: masked (and hashed) as a name.
    Kind.NAMA: re.compile(r"\b(nama|nm)\b"),
}
# A header naming a person without the word "nama" ("Pemohon", "Wajib Pajak", "Pemilik")
# is their name, unless it names one of their other details ("Alamat Pemohon", "Jumlah
# Penduduk", "NOP WP"): those stay as written, as the contract's columns do.
PERSON_HEADER_WORDS = re.compile(
    r"\b(pemohon|pemilik|penduduk|wajib pajak|wp|pelapor|terlapor|pihak|kuasa|ahli waris"
    r"|kepala keluarga|suami|istri|ayah|ibu|pengusul|petugas|operator|verifikator|pejabat)\b"
)
NOT_A_NAME_WORDS = re.compile(
    r"\b(alamat|jalan|jln|jl|blok|kav|rt|rw|kelurahan|kel|desa|kecamatan|kec|kota|kabupaten"
    r"|kab|provinsi|pos|jumlah|jml|jenis|status|tanggal|tgl|lahir|tahun|thn|nop|objek|luas"
    r"|umur|usia|pekerjaan|agama|telp|telepon|hp)\b"
)
# "nama" of a place or a thing is no person's name (the whole header, e.g. "Nama
# Kelurahan", "Nama Desa/Kelurahan"). The office's staff ("Petugas", "Nama Petugas") are
# people too and are masked as names: §6 names applicants and taxpayers, but a clerk's
# name is often a citizen's name as well, and who handled a row is kept by its hash.
NOT_PERSONAL_HEADERS = re.compile(
    r"(nama|nm) (kelurahan|kel|desa|kecamatan|kec|kabupaten|kab|kota|provinsi|propinsi"
    r"|jalan|jln|dusun|lingkungan|lokasi|wilayah|daerah|layanan|pelayanan|jenis layanan"
    r"|kegiatan|usulan|program|bidang|dokumen|berkas|surat|instansi|dinas|opd|unit|seksi"
    r"|kantor|bank|objek pajak|op)( desa| kelurahan)*"
)
