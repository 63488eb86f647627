"""The signed IKU matrix, declared once.

Every text here is copied from the signed document (Matriks Indikator Kinerja Utama OPD,
Kota Metro 2021-2025, Kecamatan Metro Utara). The published tables and files are
generated from these declarations, so the document's wording lives only here.
"""

from __future__ import annotations

from dataclasses import dataclass

from iku_pipeline.model import KECAMATAN  # noqa: F401  (the signed matrix's kecamatan)

# The kelurahan are named only in reference/kelurahan.csv (model.Wilayah).

PERIODE = (2021, 2025)


@dataclass(frozen=True)
class OpdHeader:
    judul: str
    kota: str
    nama_opd: str
    tugas_pokok: str
    fungsi: tuple[str, ...]
    tempat_tanggal: str
    jabatan_penandatangan: str
    nama_penandatangan: str
    nip_penandatangan: str


OPD = OpdHeader(
    judul="MATRIKS INDIKATOR KINERJA UTAMA (IKU) OPD",
    kota="KOTA METRO TAHUN 2021 - 2025",
    nama_opd="KECAMATAN METRO UTARA",
    tugas_pokok=(
        "Melaksanakan kewenangan pemerintahan yang dilimpahkan oleh Walikota untuk "
        "menangani sebagian urusan otonomi daerah"
    ),
    fungsi=(
        "Pengkoordinasian kegiatan pemberdayaan masyarakat",
        "Pengkoordinasian upaya penyelenggaraan ketentraman dan ketertiban umum",
        "Pengkoordinasian penerapan dan penegakan peraturan perundang-undangan",
        "Pengkoordinasian pemeliharaan prasarana dan fasilitas pelayanan umum",
        "Pengkoordinasian penyelenggaraan kegiatan pemerintahan di tingkat Kecamatan",
        "Pembinaan penyelenggaraan pemerintahan Kelurahan",
        "Pelaksanaan pelayanan masyarakat yang menjadi ruang lingkup tugasnya dan/atau "
        "yang belum dapat dilaksanakan pemerintahan Kelurahan",
        "Penyelenggaraan kesekretariatan Kecamatan",
        "Pelaksanaan tugas lain yang diberikan Walikota sesuai dengan tugas pokok dan "
        "fungsinya",
    ),
    tempat_tanggal="Banjarsari, April 2021",
    jabatan_penandatangan="CAMAT METRO UTARA,",
    nama_penandatangan="USMAN AMADIN, SE. MM.",
    nip_penandatangan="NIP. 19630726 199203 1 004",
)


@dataclass(frozen=True)
class Indikator:
    """One row of the signed matrix (or one of indicator 1's sub-items 1.a-1.d)."""

    kode: str  # as published in realisasi_iku: 1, 1a, ..., 4
    no: str  # as printed in the matrix: 1, 1.a, ...
    uraian: str  # URAIAN INDIKATOR
    satuan: str  # SATUAN: "%" or "kegiatan"
    alasan_sasaran: str  # ALASAN / SASARAN (empty where the signed matrix leaves it empty)
    sumber_data: str  # SUMBER DATA
    rumus: str  # RUMUS PERHITUNGAN INDIKATOR, as plain text
    sumber: tuple[str, ...]  # extracts (contract sources) the indicator needs
    polaritas: str = "naik"  # "naik": higher is better; "turun": lower is better
    catatan: str = ""  # a note printed in the matrix, where the signed text needs one


_RUMUS_1 = "Jumlah berkas yang telah diproses / Jumlah berkas yang masuk x 100%"
_SUMBER_1 = "Seksi : Pemerintahan Pembangunan Perekonomian Kesra"
_ALASAN_1 = "Meningkatnya kualitas pelayanan publik"

INDIKATOR: tuple[Indikator, ...] = (
    Indikator(
        kode="1",
        no="1",
        uraian=(
            "Persentase rekomendasi pelayanan yang diberikan di Kecamatan : "
            "a. Pengantar KK dan KTP b. Pengantar IMB c. Pengantar IUMK "
            "d. Pengantar Surat Nikah"
        ),
        satuan="%",
        alasan_sasaran=_ALASAN_1,
        sumber_data=_SUMBER_1,
        rumus=_RUMUS_1,
        sumber=("layanan",),
    ),
    Indikator(
        kode="1a",
        no="1.a",
        uraian="Pengantar KK dan KTP",
        satuan="%",
        alasan_sasaran=_ALASAN_1,
        sumber_data=_SUMBER_1,
        rumus=_RUMUS_1,
        sumber=("layanan",),
    ),
    Indikator(
        kode="1b",
        no="1.b",
        uraian="Pengantar IMB",
        satuan="%",
        alasan_sasaran=_ALASAN_1,
        sumber_data=_SUMBER_1,
        rumus=_RUMUS_1,
        sumber=("layanan",),
        catatan=(
            "Sejak 2021 IMB digantikan PBG (Persetujuan Bangunan Gedung); pengantar "
            "IMB dan PBG dihitung bersama."
        ),
    ),
    Indikator(
        kode="1c",
        no="1.c",
        uraian="Pengantar IUMK",
        satuan="%",
        alasan_sasaran=_ALASAN_1,
        sumber_data=_SUMBER_1,
        rumus=_RUMUS_1,
        sumber=("layanan",),
        catatan=(
            "Sejak 2021 IUMK digantikan NIB (Nomor Induk Berusaha); pengantar IUMK "
            "dan NIB dihitung bersama."
        ),
    ),
    Indikator(
        kode="1d",
        no="1.d",
        uraian="Pengantar Surat Nikah",
        satuan="%",
        alasan_sasaran=_ALASAN_1,
        sumber_data=_SUMBER_1,
        rumus=_RUMUS_1,
        sumber=("layanan",),
    ),
    Indikator(
        kode="2",
        no="2",
        uraian="Tingkat partisipasi masyarakat dalam proses perencanaan pembangunan",
        satuan="%",
        alasan_sasaran="Meningkatnya partisipasi masyarakat dalam pembangunan",
        sumber_data="Seksi Pembangunan",
        rumus=(
            "Jumlah usulan yang tertuang dalam BA Musrenbang / "
            "Jumlah usulan yang masuk x 100%"
        ),
        sumber=("musrenbang_usulan", "musrenbang_ba"),
    ),
    Indikator(
        kode="3",
        no="3",
        uraian=(
            "Tingkat partisipasi masyarakat dalam pembangunan melalui ketaatan "
            "membayar PBB"
        ),
        satuan="%",
        alasan_sasaran="",
        sumber_data="Seksi Pemerintahan",
        rumus="Jumlah Wajib Pajak yang membayar PBB / Jumlah Wajib Pajak keseluruhan x 100%",
        sumber=("pbb_dhkp", "pbb_pembayaran"),
    ),
    Indikator(
        kode="4",
        no="4",
        uraian="Presentase penanganan Konflik pada kecamatan",
        satuan="kegiatan",
        alasan_sasaran="",
        sumber_data="Sekretariat dan Kesra",
        rumus="Jumlah kegiatan",
        sumber=("konflik",),
        catatan=(
            "Judul indikator menyebut persentase, tetapi rumus yang ditandatangani "
            "menghitung jumlah kegiatan; realisasi adalah jumlah kegiatan penanganan "
            "konflik. Persentase kegiatan dengan hasil Selesai disajikan sebagai "
            "keterangan tambahan."
        ),
    ),
)

INDIKATOR_BY_KODE = {i.kode: i for i in INDIKATOR}
KODE = tuple(i.kode for i in INDIKATOR)


# ---------------------------------------------------------------- supplementary figures


@dataclass(frozen=True)
class Tambahan:
    """A supplementary figure published beside an indicator (DATA_CONTRACT §3, §5:
    ``realisasi_tambahan``): not part of the signed matrix, so it has no target and no
    capaian. Every document shows it as a row under its indicator, with these texts."""

    kode: str  # as published in realisasi_tambahan
    induk: str  # the kode of the indicator it stands beside
    uraian: str  # the figure's name, as the office says it
    satuan: str
    rumus: str  # RUMUS PERHITUNGAN, as plain text
    keterangan: str  # the row's standing note
    sumber: tuple[str, ...]  # extracts the figure needs
    penyebut_nol: str  # what a zero penyebut means, for the note saying why no value

    @property
    def judul(self) -> str:
        """URAIAN INDIKATOR as printed: says it is not one of the signed formulas."""
        return f"Tambahan IKU {INDIKATOR_BY_KODE[self.induk].no} (bukan rumus IKU): {self.uraian}"


_BUKAN_TARGET = "tanpa target dan capaian."

TAMBAHAN: tuple[Tambahan, ...] = (
    Tambahan(
        kode="3_nominal",
        induk="3",
        uraian="realisasi penerimaan PBB (nominal) terhadap ketetapan",
        satuan="%",
        rumus="Jumlah pembayaran PBB tahun berjalan / Jumlah ketetapan PBB x 100%",
        keterangan=(
            f"Angka tambahan di samping IKU 3, {_BUKAN_TARGET} Pembayaran dihitung penuh "
            "(dapat melebihi 100%); tunggakan dan pembayaran objek yang dibebaskan tidak "
            "dihitung."
        ),
        sumber=("pbb_dhkp", "pbb_pembayaran"),
        penyebut_nol="tidak ada ketetapan PBB (tidak ada wajib pajak)",
    ),
    Tambahan(
        kode="3_tepat_waktu",
        induk="3",
        uraian="persentase Wajib Pajak yang membayar PBB tepat waktu",
        satuan="%",
        rumus=(
            "Jumlah Wajib Pajak yang melunasi PBB sampai jatuh tempo / Jumlah Wajib Pajak "
            "dengan jatuh tempo x 100%"
        ),
        keterangan=(
            f"Angka tambahan di samping IKU 3, {_BUKAN_TARGET} Dihitung atas Wajib Pajak "
            "yang tanggal jatuh temponya tercantum di DHKP."
        ),
        sumber=("pbb_dhkp", "pbb_pembayaran"),
        penyebut_nol="tidak ada Wajib Pajak dengan tanggal jatuh tempo di DHKP",
    ),
    Tambahan(
        kode="4_selesai",
        induk="4",
        uraian="persentase kegiatan penanganan konflik dengan hasil Selesai",
        satuan="%",
        rumus="Jumlah kegiatan dengan hasil Selesai / Jumlah kegiatan x 100%",
        keterangan=f"Angka tambahan di samping IKU 4, {_BUKAN_TARGET}",
        sumber=("konflik",),
        penyebut_nol="tidak ada kegiatan penanganan konflik",
    ),
)

TAMBAHAN_BY_KODE = {t.kode: t for t in TAMBAHAN}
KODE_TAMBAHAN = tuple(t.kode for t in TAMBAHAN)


def tambahan_of(kode: str) -> tuple[Tambahan, ...]:
    """The supplementary figures declared beside indicator ``kode``, in declared order."""
    return tuple(t for t in TAMBAHAN if t.induk == kode)


# Every kode of a matrix in its printed order: each indicator, then the supplementary
# figures declared beside it.
URUTAN: tuple[str, ...] = tuple(
    kode for ind in INDIKATOR for kode in (ind.kode, *(t.kode for t in tambahan_of(ind.kode)))
)
