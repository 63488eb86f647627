"""The words of the input templates (``templat.py``), in Indonesian for the sections.

Every text is derived from a column's kind and rules in ``sources/specs.py`` and from
the lists of the reference tables, so a changed spec changes its template's words. The
one rule that is code, not spec (``validate.SOURCE_RULES``), has its sentence here in
``ROW_RULES``; a test keeps the two together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from iku_pipeline.sources import parsers
from iku_pipeline.sources.specs import PERSONAL_KINDS, SOURCES, Column, Kind, SourceSpec

if TYPE_CHECKING:
    from iku_pipeline.publish.templat import Lists

TITLE_LIMIT = 32  # Excel's limits on a validation's title and messages
TEXT_LIMIT = 255

LIST_ERROR = (
    "Pilih salah satu isi daftar (klik panah di kanan sel). Isi di luar daftar membuat "
    "barisnya ditolak saat berkas dibaca."
)
_MASKED = {  # docs/data-contract.md §6: what the masks look like
    Kind.NIK: "1872031234560001 menjadi 187203******0001",
    Kind.NAMA: "Budi Santoso menjadi B*** S******",
}


def personal_note(spec: SourceSpec) -> str | None:
    """The Petunjuk's note on the source's personal-data columns, None without any."""
    personal = [c for c in spec.columns if c.kind in PERSONAL_KINDS]
    if not personal:
        return None
    examples = [_MASKED[k] for k in _MASKED if any(c.kind is k for c in personal)]
    return (
        f"Kolom {_words([c.name for c in personal], 'dan')} berisi data pribadi: boleh "
        f"diisi atau dikosongkan. Isinya disamarkan saat berkas dibaca (mis. "
        f"{'; '.join(examples)}) dan tidak pernah ditampilkan atau dipublikasikan. Simpan "
        "berkas aslinya dengan hati-hati."
    )


TAHUN_LAPORAN = "tahun laporan (tahun folder tempat berkas diserahkan)"

# Rules of validate.SOURCE_RULES (code, not spec): (source, column) -> when a row fails.
ROW_RULES = {
    ("layanan", "tanggal_selesai"): "lebih awal dari tanggal_masuk",
}

JENIS_LAYANAN = "jenis_layanan"  # the column read through the alias table (§3.1)

_DATE_EXAMPLE = "31/01/2024"
_NOP_EXAMPLE = "18.72.030.001.001-0001.0"


@dataclass(frozen=True)
class ColumnText:
    wajib: str  # the Petunjuk's "Wajib" cell
    isi: str  # what the column accepts (Petunjuk)
    ditolak: tuple[str, ...]  # what rejects a row (Petunjuk)
    message: str  # the input message shown when a cell is selected
    error: str  # the message when a value breaks the cell's validation
    note: str  # the header cell's note

    def __post_init__(self):
        for text in (self.message, self.error):
            assert len(text) <= TEXT_LIMIT, text


def _words(words, conjunction: str = "atau") -> str:
    words = list(words)
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def status_words() -> tuple[str, ...]:
    """The status words ``parse_status`` accepts, as a clerk writes them."""
    words = (*parsers.STATUS_DIPROSES, *parsers.STATUS_BELUM)
    return tuple(" ".join(w.capitalize() for w in s.split()) for s in words)


def hasil_words() -> tuple[str, ...]:
    """The hasil words ``parse_hasil`` accepts, in its own spelling."""
    return tuple(dict.fromkeys(parsers._HASIL.values()))


def _status_groups() -> tuple[list[str], list[str]]:
    words = status_words()
    done = len(parsers.STATUS_DIPROSES)
    return list(words[:done]), list(words[done:])


def _kind_text(spec: SourceSpec, column: Column, lists: Lists) -> tuple[str, list[str], str, str]:
    """(isi, ditolak, message, error) of a column's kind and rules."""
    name, kind = column.name, column.kind
    is_key = name == spec.key
    dup_error = (
        f"{name} ini sudah ada di baris lain. Baris berikutnya dengan {name} yang sama "
        "akan ditolak: baris pertama yang dipakai."
    )
    match kind:
        case Kind.KEY:
            isi = (
                "Nomor atau kode, disimpan sebagai teks (001 tetap 001). Huruf besar/kecil "
                "dianggap sama; spasi di awal dan akhir diabaikan."
            )
            message = "Nomor atau kode (teks)." + (
                f" Tidak boleh sama dengan {name} baris lain." if is_key else ""
            )
            return isi, [], message, dup_error if is_key else ""
        case Kind.TEXT if name == JENIS_LAYANAN:
            isi = (
                "Nama layanan: pilih dari daftar (lihat daftar nama layanan di bawah). Nama "
                "lain tetap diterima, tetapi dihitung sebagai LAINNYA (di luar IKU 1)."
            )
            message = (
                "Pilih nama layanan dari daftar. Nama lain diterima, tetapi dihitung sebagai "
                "LAINNYA (di luar IKU 1)."
            )
            error = (
                "Nama layanan ini tidak ada dalam daftar. Barisnya tetap diterima, tetapi "
                "dihitung sebagai LAINNYA (di luar IKU 1). Pilih dari daftar bila layanannya "
                "ada di sana."
            )
            return isi, [], message, error
        case Kind.DATE:
            year = (
                f" Harus di dalam {TAHUN_LAPORAN}." if column.in_year
                else " Boleh di luar tahun laporan."
            )
            isi = (
                f"Tanggal: ketik hari/bulan/tahun, mis. {_DATE_EXAMPLE} (tampil dd/mm/yyyy). "
                "Sebagai teks juga diterima: 2024-01-31, 31-01-2024, 31 Januari 2024." + year
            )
            ditolak = ["bukan tanggal yang benar (mis. 31/02/2024, tahun 2 angka, angka biasa)"]
            if column.in_year:
                ditolak.append("di luar tahun laporan (Tanggal harus di dalam tahun laporan)")
            message = f"Ketik tanggal hari/bulan/tahun, mis. {_DATE_EXAMPLE}." + (
                " Harus di dalam tahun laporan." if column.in_year else ""
            )
            error = (
                f"Isi dengan tanggal yang benar, diketik hari/bulan/tahun, mis. {_DATE_EXAMPLE}."
            )
            return isi, ditolak, message, error
        case Kind.RUPIAH:
            bound = "lebih dari 0" if column.positive else "0 atau lebih"
            isi = (
                "Rupiah bulat: ketik angkanya saja, tanpa Rp dan tanpa titik, mis. 150000 "
                f"(tampil 150.000). Harus {bound}."
            )
            ditolak = ["bukan angka, atau ada angka desimal (sen)"]
            if column.positive:
                ditolak.append("0 atau negatif")
            elif column.min_value is not None:
                ditolak.append("negatif")
            too_big = f"{parsers.MAX_RUPIAH:,}".replace(",", ".")
            ditolak.append(f"{too_big} atau lebih (salah ketik)")
            message = f"Rupiah bulat {bound}: ketik angkanya saja, mis. 150000."
            error = (
                f"Isi dengan rupiah bulat {bound}, angkanya saja tanpa Rp dan titik, "
                "mis. 150000."
            )
            return isi, ditolak, message, error
        case Kind.NUMBER:
            isi = "Angka, boleh pecahan, mis. 120,5. Tidak boleh negatif."
            message = "Angka 0 atau lebih, boleh pecahan."
            return isi, ["bukan angka", "negatif"], message, "Isi dengan angka 0 atau lebih."
        case Kind.WHOLE:
            lowest = f"{column.min_value if column.min_value is not None else 0:g}"
            isi = f"Bilangan bulat, paling sedikit {lowest} (mis. 1, 2, 3)."
            ditolak = ["bukan bilangan bulat", f"kurang dari {lowest}"]
            message = f"Bilangan bulat, paling sedikit {lowest}."
            return isi, ditolak, message, f"Isi dengan bilangan bulat {lowest} atau lebih."
        case Kind.YEAR:
            empty = any(r.when_year_column == name for r in spec.references)
            isi = "Tahun 4 angka, mis. 2024." + (" Kosong berarti tahun laporan." if empty else "")
            message = "Tahun 4 angka, mis. 2024." + (" Kosong = tahun laporan." if empty else "")
            error = "Isi dengan tahun 4 angka antara 1900 dan 2100, mis. 2024."
            return isi, ["bukan tahun 4 angka antara 1900 dan 2100"], message, error
        case Kind.KELURAHAN:
            isi = (
                f"Pilih dari daftar: {_words(lists.kelurahan)}. Huruf besar/kecil bebas; "
                "awalan 'Kel.' atau 'Kelurahan' boleh."
            )
            ditolak = [f"bukan salah satu kelurahan di {lists.kecamatan}"]
            return isi, ditolak, "Pilih kelurahan dari daftar.", LIST_ERROR
        case Kind.NOP:
            isi = (
                "NOP 18 angka, disimpan sebagai teks, dengan atau tanpa pemisah: "
                f"{_NOP_EXAMPLE} atau 187203000100100010."
            )
            ditolak = [
                "tidak terdiri dari 18 angka",
                "tersimpan sebagai angka, bukan teks (Excel tidak dapat menyimpan 18 angka "
                "dengan tepat); kolom ini sudah berformat teks",
            ]
            message = f"NOP 18 angka (teks), mis. {_NOP_EXAMPLE}"
            error = f"NOP harus terdiri dari 18 angka, mis. {_NOP_EXAMPLE}." + (
                f" {name} juga tidak boleh sama dengan baris lain." if is_key else ""
            )
            return isi, ditolak, message, error
        case Kind.STATUS:
            done, waiting = _status_groups()
            isi = (
                f"Pilih dari daftar. Sudah diproses: {_words(done)}. Belum diproses: "
                f"{_words(waiting)}. Huruf besar/kecil bebas. Kosong: dianggap sudah "
                "diproses bila tanggal_selesai diisi, belum diproses bila tidak."
            )
            message = "Pilih status dari daftar. Kosong: sudah diproses bila tanggal_selesai diisi."
            return isi, ["isi di luar daftar"], message, LIST_ERROR
        case Kind.HASIL:
            isi = f"Pilih dari daftar: {_words(hasil_words())}. Huruf besar/kecil bebas."
            return isi, ["isi di luar daftar"], "Pilih hasil dari daftar.", LIST_ERROR
        case Kind.NIK:
            isi = "NIK 16 angka, disimpan sebagai teks. Data pribadi: disamarkan saat dibaca."
            return isi, [], "NIK 16 angka (teks). Data pribadi: disamarkan saat dibaca.", ""
        case Kind.NAMA:
            isi = "Nama. Data pribadi: disamarkan saat dibaca."
            return isi, [], "Nama. Data pribadi: disamarkan saat dibaca.", ""
        case _:
            return "Teks bebas.", [], "Teks bebas.", ""


def column_text(spec: SourceSpec, column: Column, lists: Lists) -> ColumnText:
    isi, ditolak, message, error = _kind_text(spec, column, lists)
    if column.required and column.kind is not Kind.STATUS:
        ditolak.insert(0, f"kosong ({column.name} wajib diisi)")
    if column.name == spec.key:
        ditolak.append(
            f"sama dengan {column.name} baris sebelumnya. Duplikat {column.name} ditolak: "
            "baris pertama yang dipakai (juga bila baris pertama itu ada di berkas lain "
            "tahun yang sama)"
        )
    for ref in spec.references:
        if ref.column == column.name:
            ditolak.append(_reference(ref))
    if (spec.name, column.name) in ROW_RULES:
        ditolak.append(ROW_RULES[(spec.name, column.name)])
    if column.kind is Kind.STATUS:
        wajib = "Ya (kolomnya harus ada; isinya boleh kosong)"
    else:
        wajib = "Ya" if column.required else "Tidak"
    personal = " Data pribadi." if column.kind in PERSONAL_KINDS else ""
    note = ("(wajib) " if column.required else "(tidak wajib) ") + message
    if personal and "Data pribadi" not in note:
        note += personal
    return ColumnText(wajib, isi, tuple(ditolak), message, error, note)


def _reference(ref) -> str:
    target = SOURCES[ref.source]
    text = f"tidak ada dalam {target.judul} ({ref.source}) tahun yang sama"
    if ref.when_year_column:
        text += f" (diperiksa bila {ref.when_year_column} kosong atau sama dengan tahun laporan)"
    return text


def general_notes(spec: SourceSpec, lists: Lists) -> list[str]:
    """The Petunjuk's numbered notes: how to fill, deliver, and what happens to a row."""
    required = [c.name for c in spec.columns if c.required]
    listed = [c.name for c in spec.columns if lists.of(c) is not None]
    notes = [
        f"Isi data di lembar '{spec.name}' mulai baris 2, satu baris untuk satu data. "
        "Baris 1 berisi nama kolom: jangan diubah, dihapus atau dipindah, karena kolom "
        "dikenali dari namanya.",
        f"Kolom wajib ({', '.join(required)}) bertanda judul tebal berlatar oranye dan "
        "catatan '(wajib)'; kolom berlatar biru boleh dikosongkan. Klik sebuah sel untuk "
        "melihat petunjuk singkat isinya.",
    ]
    if listed:
        notes.append(
            f"Kolom {_words(listed, 'dan')} berisi daftar pilihan (panah di kanan sel): pilih dari "
            "daftar. Isi yang tetap diketik di luar daftar (mis. disalin dari berkas lain) "
            "membuat barisnya ditolak"
            + (", kecuali nama layanan (dihitung sebagai LAINNYA)." if JENIS_LAYANAN in listed
               else ".")
        )
    notes.append(
        f"Setiap {spec.key} hanya boleh muncul sekali dalam setahun. Duplikat {spec.key} "
        "ditolak: baris pertama yang dipakai, juga bila baris pertama itu ada di berkas "
        "lain tahun yang sama (berkas dibaca menurut urutan namanya)."
    )
    for ref in spec.references:
        target = SOURCES[ref.source]
        when = (
            f" (bila {ref.when_year_column} kosong atau sama dengan tahun laporan; "
            f"tahun lain tidak diperiksa)" if ref.when_year_column else ""
        )
        notes.append(
            f"{ref.column} harus ada dalam {target.judul} ({ref.source}) tahun yang sama "
            f"yang diterima{when}. Serahkan {target.judul} tahun itu juga, ke "
            f"raw/{ref.source}/<tahun>/."
        )
    notes += [
        "Tahun laporan adalah tahun folder tempat berkas diserahkan: raw/"
        f"{spec.name}/<tahun>/. Simpan sebagai .xlsx (bukan .xls); satu berkas setahun atau "
        "beberapa (mis. per triwulan: tw1, tw2, ...). Hanya lembar pertama yang dibaca; "
        "lembar Petunjuk ini tidak ikut dibaca.",
        "Baris yang seluruhnya kosong dilewati. Setiap baris lain diterima atau ditolak; "
        "baris yang ditolak tercantum beserta kolom dan alasannya di "
        "baris_ditolak_<tahun>.xlsx. Kolom tambahan di sebelah kanan boleh ada: disimpan "
        "tetapi tidak dihitung.",
    ]
    return notes
