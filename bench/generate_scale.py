"""Deterministic extracts of one year (2024) at a chosen size, for the benchmark.

Every file follows the data contract (docs/data-contract.md §1-§3): the headers use the
contract's names and aliases, the values its accepted formats (dates in every accepted
spelling, rupiah with and without ``Rp``/thousands dots/``,00``, NOPs with separators,
kelurahan with ``Kel.``/``Kelurahan``, any case), CSVs delimited by ``;`` or ``,``, some
with a BOM, CRLF line ends or title lines above the header, quoted fields holding the
delimiter or a line break, and blank rows. About 1% of the rows of every source carry
one of the contract's faults (impossible or out-of-year dates, unknown kelurahan, a NOP
not of 18 digits, a duplicate key, non-zero rupiah decimals, a BA id not among the
proposals, a current-year payment to a NOP not on the roll, …), and the valid rows
include what the contract counts apart: arrears, partial payers, exempt objects, empty
statuses with and without tanggal_selesai, service names in no alias row.

Values are drawn from a seeded ``numpy`` generator per source, so a scale's files are
the same bytes on every machine. Rows are formatted as lines in chunks and written
with plain file writes: no frame of ten million Python objects is ever built.

    python -m bench.generate_scale --scale kota        # -> bench/.cache/kota/data

A marker with the generation parameters is written last; a later call with the same
parameters reuses the files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

TAHUN = 2024
SEED = 20240101
FAULT_RATE = 0.01
CHUNK = 250_000
GENERATOR_VERSION = 3  # bump when the output changes, so caches are remade
CACHE = Path(__file__).resolve().parent / ".cache"
MARKER = ".generated.json"


@dataclass(frozen=True)
class Scale:
    name: str
    objects: int  # tax objects on the roll (pbb_dhkp rows); payments follow from them
    layanan: int  # service register rows
    usulan: int  # Musrenbang proposals (the BA holds about 60% of them)
    konflik: int
    parts: dict[str, int] = field(default_factory=dict)  # CSV files per source
    xlsx: bool = False  # one XLSX per source for layanan and pbb_dhkp


SCALES = {
    s.name: s
    for s in (
        # the size of the bundled sample (data/raw, one year)
        Scale("kecamatan", objects=4_000, layanan=2_500, usulan=165, konflik=25),
        Scale(
            "kota",
            objects=60_000,
            layanan=50_000,
            usulan=2_000,
            konflik=300,
            parts={"pbb_dhkp": 2},
            xlsx=True,
        ),
        Scale(
            "provinsi",
            objects=10_000_000,
            layanan=2_000_000,
            usulan=50_000,
            konflik=5_000,
            parts={"pbb_dhkp": 4, "pbb_pembayaran": 4, "musrenbang_usulan": 2},
        ),
    )
}

# ---------------------------------------------------------------- value tables

KELURAHAN = ("Banjarsari", "Purwosari", "Purwoasri", "Karangrejo")
KEL_VARIANTS = np.array(
    [[k, f"Kel. {k}", f"KELURAHAN {k.upper()}", k.lower(), f"Kel {k}"] for k in KELURAHAN],
    dtype=object,
)
KEL_WEIGHTS = (0.6, 0.15, 0.1, 0.1, 0.05)
KEL_UNKNOWN = ("Hadimulyo", "Metro Pusat", "Banjar Sari", "Kel. Yosodadi", "Iringmulyo")

BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
    "September", "Oktober", "November", "Desember",
)  # fmt: skip
BLN = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")

# Dates from 2023-12-01 to 2025-01-31; index DAY0 is 1 January of TAHUN.
FIRST_DAY = dt.date(TAHUN - 1, 12, 1)
DAY0 = (dt.date(TAHUN, 1, 1) - FIRST_DAY).days
DAYS_IN_YEAR = (dt.date(TAHUN + 1, 1, 1) - dt.date(TAHUN, 1, 1)).days
_ALL_DAYS = [FIRST_DAY + dt.timedelta(days=i) for i in range(DAY0 + DAYS_IN_YEAR + 31)]
DATE_FORMATS = (
    lambda d: d.isoformat(),
    lambda d: d.strftime("%d/%m/%Y"),
    lambda d: d.strftime("%d-%m-%Y"),
    lambda d: f"{d.day} {BULAN[d.month - 1]} {d.year}",
    lambda d: f"{d.day:02d} {BLN[d.month - 1]} {d.year}",
    lambda d: f"{d.day}/{d.month}/{d.year}",
    lambda d: f"{d.isoformat()} 00:00:00",
    lambda d: f"{d.day}-{BLN[d.month - 1].lower()}-{d.year}",
)
DATE_WEIGHTS = (0.3, 0.33, 0.1, 0.1, 0.1, 0.04, 0.02, 0.01)
DATE_TABLE = np.array([[f(d) for d in _ALL_DAYS] for f in DATE_FORMATS], dtype=object)
DATE_IMPOSSIBLE = ("30/02/2024", "31/04/2024", "2024-02-30", "31 Juni 2024", "31-09-2024",
                   "32/01/2024", "29 Feb 2023")  # fmt: skip
DATE_OUTSIDE = ("31/12/2023", "2023-12-28", "02/01/2025", "15 Desember 2023", "2025-01-03")

RUPIAH_FORMATS = ("{p}", "{g}", "{g},00", "Rp {g}", "Rp{g},-", "Rp. {g}")
RUPIAH_WEIGHTS = (0.25, 0.35, 0.1, 0.15, 0.1, 0.05)

FIRST_NAMES = (
    "Budi", "Siti", "Wayan", "Rini", "Agus", "Dewi", "Joko", "Sri", "Andi", "Nur", "Made",
    "Eko", "Lestari", "Bambang", "Yuni", "Hendra", "Ratna", "Slamet", "Ani", "Rudi", "Putu",
    "Fitri", "Dedi", "Wati", "Suparman", "Indah", "Ketut", "Rahmat", "Endang", "Heru",
)  # fmt: skip
LAST_NAMES = (
    "Santoso", "Aminah", "Sudarsa", "Puspitasari", "Saputra", "Wahyuni", "Prasetyo",
    "Rahayu", "Gunawan", "Hidayat", "Kusuma", "Setiawan", "Suryani", "Nugroho", "Utami",
    "Wibowo", "Handayani", "Susanto", "Purnomo", "Maharani", "Hartono", "Sari", "",
)  # fmt: skip
NAMES = np.array([f"{a} {b}".strip() for a in FIRST_NAMES for b in LAST_NAMES], dtype=object)

JENIS = {
    # category: spellings as registers write them (contract aliases, the analyst's table)
    "KK_KTP": ("Pengantar KK", "Pengantar KTP", "KTP-el", "e-KTP", "KK", "KTP", "Kartu Keluarga",
               "KK dan KTP", "Pengantar KK dan KTP", "pengantar  kk", "KTP Elektronik"),
    "IMB": ("IMB", "Pengantar IMB", "PBG", "Persetujuan Bangunan Gedung"),
    "IUMK": ("IUMK", "Pengantar IUMK", "NIB"),
    "NIKAH": ("Nikah", "Surat Nikah", "Pengantar Nikah", "Pengantar Surat Nikah", "Numpang Nikah"),
    "LAINNYA": ("SKTM", "Surat Keterangan Domisili", "Surat Keterangan Tidak Mampu"),
    "unmapped": ("Surat Pindah", "Legalisir", "Surat Keterangan Usaha",
                 "Surat Keterangan Ahli Waris", "Rekomendasi BBM"),
}  # fmt: skip
JENIS_WEIGHTS = {"KK_KTP": 0.45, "IMB": 0.08, "IUMK": 0.1, "NIKAH": 0.12, "LAINNYA": 0.2,
                 "unmapped": 0.05}  # fmt: skip
JENIS_MULTILINE = "Pengantar KK\ndan KTP"  # a quoted field spanning two lines
# The analyst's alias table shipped with the generated data (besides the contract's).
JENIS_LAYANAN_CSV = (
    "alias,kategori\n"
    "SKTM,LAINNYA\n"
    "Surat Keterangan Domisili,LAINNYA\n"
    "Surat Keterangan Tidak Mampu,LAINNYA\n"
    "KTP Elektronik,KK_KTP\n"
)

STATUS_DIPROSES = ("Selesai", "Diterbitkan", "Ditolak", "Dikembalikan", "SELESAI", "selesai ")
STATUS_BELUM = ("Proses", "Diproses", "Dalam Proses", "Menunggu", "Baru", "Pending",
                "dalam  proses")  # fmt: skip
STATUS_UNKNOWN = ("Batal", "Dibatalkan", "Tunda")

URAIAN = (
    "Pembangunan drainase Jl. Kenanga, RT 03", "Rehab posyandu", "Pelatihan UMKM",
    "Lampu jalan", "Sumur bor", "Bank sampah", "Pengaspalan jalan lingkungan; RW 02",
    'Pembangunan "pos kamling"', "Sarana air bersih\nRT 05 dan RT 06", "Taman bermain anak",
)  # fmt: skip
BIDANG = ("Infrastruktur", "Sosial Budaya", "Ekonomi", "Lingkungan", "")
JENIS_KONFLIK = ("Sengketa tanah", "Perselisihan warga", "Konflik batas", "Kenakalan remaja",
                 "Sengketa waris")  # fmt: skip
HASIL = ("Selesai", "Belum Selesai", "Proses", "", "selesai", "BELUM SELESAI")
HASIL_WEIGHTS = (0.5, 0.2, 0.1, 0.1, 0.07, 0.03)
PETUGAS = ("Andi", "Dewi", "Rina", "Yusuf", "")


# ---------------------------------------------------------------- helpers


def _pick(rng: np.random.Generator, n: int, weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(w), size=n, p=w / w.sum())


def _faults(rng: np.random.Generator, n: int, kinds: int) -> np.ndarray:
    """Fault code per row: 0 = none, 1..kinds = which fault (about FAULT_RATE of rows)."""
    hit = rng.random(n) < FAULT_RATE
    return np.where(hit, rng.integers(1, kinds + 1, n), 0).astype(np.int8)


def _earlier(rng: np.random.Generator, n: int) -> np.ndarray:
    """For each row i, a random earlier row (the one a duplicate copies); -1 for row 0."""
    return (rng.random(n) * np.arange(n)).astype(np.int64) - (np.arange(n) == 0)


def _grouped(values) -> list[str]:
    return [f"{v:,}".replace(",", ".") for v in values]


def _rupiah(amounts: np.ndarray, variant: np.ndarray) -> list[str]:
    return [
        RUPIAH_FORMATS[k].format(g=g, p=p)
        for k, g, p in zip(variant.tolist(), _grouped(amounts.tolist()), amounts.tolist())
    ]


def _dates(day: np.ndarray, fmt: np.ndarray) -> np.ndarray:
    """Date texts; ``day`` counts from 1 January of TAHUN (negative: December before)."""
    return DATE_TABLE[fmt, day + DAY0]


def _nop_digits(obj: np.ndarray, kel: np.ndarray, kec: str = "030") -> list[str]:
    return [
        f"1872{kec}{k + 1:03d}{(i // 10000) % 1000:03d}{i % 10000:04d}0"
        for i, k in zip(obj.tolist(), kel.tolist())
    ]


def _nop_dotted(d: str) -> str:
    return f"{d[0:2]}.{d[2:4]}.{d[4:7]}.{d[7:10]}.{d[10:13]}-{d[13:17]}.{d[17]}"


def _set(column: list, mask: np.ndarray, values) -> None:
    """column[i] = values(i) where mask (values: a callable of the row's position)."""
    for i in np.flatnonzero(mask).tolist():
        column[i] = values(i)


# ---------------------------------------------------------------- files


@dataclass(frozen=True)
class FileSpec:
    name: str
    header: tuple[str, ...]
    lo: int  # rows [lo, hi) of the source
    hi: int
    delimiter: str = ";"
    titles: tuple[str, ...] = ()
    bom: bool = False
    crlf: bool = False
    xlsx: bool = False


# A source's rows: (lo, hi, native) -> the columns of rows [lo, hi), in header order.
# ``native`` asks for Excel cells (dates as dates, some amounts as numbers).
Formatter = Callable[[int, int, bool], list[list]]


@dataclass
class Extract:
    source: str
    rows: int
    files: list[FileSpec]
    format: Formatter
    quoted: tuple[int, ...] = ()  # columns whose values may need CSV quoting


def _quote(values: list, delimiter: str) -> list:
    return [
        '"' + v.replace('"', '""') + '"'
        if isinstance(v, str) and (delimiter in v or '"' in v or "\n" in v)
        else v
        for v in values
    ]


def _blank_line(width: int, i: int, delimiter: str) -> str:
    return (" " + delimiter * (width - 1)) if i % 2 else delimiter * (width - 1)


def _chunks(lo: int, hi: int) -> Iterator[tuple[int, int]]:
    for start in range(lo, hi, CHUNK):
        yield start, min(hi, start + CHUNK)


def write_csv(path: Path, spec: FileSpec, extract: Extract) -> None:
    end = "\r\n" if spec.crlf else "\n"
    width = len(spec.header)
    with path.open("w", encoding="utf-8-sig" if spec.bom else "utf-8", newline="") as f:
        for title in spec.titles:
            f.write(title + end)
        f.write(spec.delimiter.join(spec.header) + end)
        for lo, hi in _chunks(spec.lo, spec.hi):
            columns = extract.format(lo, hi, False)
            for c in extract.quoted:
                columns[c] = _quote(columns[c], spec.delimiter)
            lines = [spec.delimiter.join(row) for row in zip(*columns, strict=True)]
            # Blank rows (skipped silently by the contract): one per 5,000 rows.
            for k, pos in enumerate(range(len(lines) - 2, 0, -5000)):
                lines.insert(pos, _blank_line(width, lo + k, spec.delimiter))
            f.write(end.join(lines))
            f.write(end)


def write_xlsx(path: Path, spec: FileSpec, extract: Extract) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Data")
    date_format = wb.add_format({"num_format": "dd/mm/yyyy"})
    r = 0
    for title in spec.titles:
        ws.write_string(r, 0, title)
        r += 1
    for c, h in enumerate(spec.header):
        ws.write_string(r, c, h)
    r += 1
    for lo, hi in _chunks(spec.lo, spec.hi):
        for row in zip(*extract.format(lo, hi, True), strict=True):
            for c, v in enumerate(row):
                if isinstance(v, dt.date):
                    ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), date_format)
                elif isinstance(v, int):
                    ws.write_number(r, c, v)
                elif v != "":
                    ws.write_string(r, c, v)
            r += 1
            if r % 5000 == 0:
                r += 1  # a blank row
    wb.close()


def _split(n: int, parts: int, bounds: np.ndarray | None = None) -> list[tuple[int, int]]:
    """[lo, hi) of each part: equal shares, or at the given boundaries."""
    if bounds is None:
        bounds = np.linspace(0, n, parts + 1).astype(np.int64)
    return list(zip(bounds[:-1].tolist(), bounds[1:].tolist()))


# ---------------------------------------------------------------- sources


def _layanan(scale: Scale, rng: np.random.Generator) -> Extract:
    n = scale.layanan
    day = np.sort(rng.integers(0, DAYS_IN_YEAR, n))  # a register is chronological
    kel = rng.integers(0, 4, n)
    kel_v = _pick(rng, n, KEL_WEIGHTS)
    cats = list(JENIS)
    cat = _pick(rng, n, [JENIS_WEIGHTS[c] for c in cats])
    spelling = rng.integers(0, 1000, n)
    group = _pick(rng, n, (0.80, 0.12, 0.05, 0.03))  # processed, not yet, empty+selesai, empty
    status_v = rng.integers(0, 100, n)
    selesai_given = (group == 2) | ((group == 0) & (rng.random(n) < 0.85))
    selesai_day = day + rng.integers(0, 15, n)  # may run into the next year: allowed
    fmt_masuk = _pick(rng, n, DATE_WEIGHTS)
    fmt_selesai = _pick(rng, n, DATE_WEIGHTS)
    nik = rng.integers(10**9, 10**10, n)
    nama = rng.integers(0, len(NAMES), n)
    petugas = rng.integers(0, len(PETUGAS), n)
    multiline = rng.random(n) < 0.001
    # 1 impossible masuk, 2 masuk outside the year, 3 unknown kelurahan, 4 duplicate key,
    # 5 unknown status, 6 selesai before masuk, 7 empty jenis, 8 empty kelurahan
    fault = _faults(rng, n, 8)
    dup_of = _earlier(rng, n)
    fault[(fault == 4) & (dup_of < 0)] = 0
    fault[(fault == 6) & (day < 3)] = 0
    pick = rng.integers(0, 1000, n)

    def rng_native(lo: int, hi: int) -> np.ndarray:
        """Which cells of an XLSX chunk hold real dates (drawn per chunk: reproducible)."""
        return np.random.default_rng([SEED, 99, lo]).random(hi - lo)

    def fmt(lo: int, hi: int, native: bool) -> list[list]:
        s = slice(lo, hi)
        f, p = fault[s], pick[s]
        keys = [f"{i + 1:07d}/PL/{TAHUN}" for i in range(lo, hi)]
        _set(keys, f == 4, lambda i: f" {dup_of[lo + i] + 1:07d}/pl/{TAHUN} ")
        masuk = list(_dates(day[s], fmt_masuk[s]))
        if native:
            as_date = np.flatnonzero((rng_native(lo, hi) < 0.6) & (f == 0)).tolist()
            for i in as_date:
                masuk[i] = _ALL_DAYS[day[lo + i] + DAY0]
        _set(masuk, f == 1, lambda i: DATE_IMPOSSIBLE[p[i] % len(DATE_IMPOSSIBLE)])
        _set(masuk, f == 2, lambda i: DATE_OUTSIDE[p[i] % len(DATE_OUTSIDE)])
        jenis = [
            JENIS[cats[c]][k % len(JENIS[cats[c]])]
            for c, k in zip(cat[s].tolist(), spelling[s].tolist())
        ]
        if not native:
            _set(jenis, multiline[s] & (f == 0), lambda i: JENIS_MULTILINE)
        _set(jenis, f == 7, lambda i: "")
        kelurahan = list(KEL_VARIANTS[kel[s], kel_v[s]])
        _set(kelurahan, f == 3, lambda i: KEL_UNKNOWN[p[i] % len(KEL_UNKNOWN)])
        _set(kelurahan, f == 8, lambda i: " ")
        g = group[s]
        status = [""] * (hi - lo)
        _set(status, g == 0, lambda i: STATUS_DIPROSES[status_v[lo + i] % len(STATUS_DIPROSES)])
        _set(status, g == 1, lambda i: STATUS_BELUM[status_v[lo + i] % len(STATUS_BELUM)])
        _set(status, f == 5, lambda i: STATUS_UNKNOWN[p[i] % len(STATUS_UNKNOWN)])
        selesai = list(_dates(selesai_day[s], fmt_selesai[s]))
        _set(selesai, ~selesai_given[s], lambda i: "")
        _set(
            selesai,
            f == 6,
            lambda i: DATE_TABLE[1, day[lo + i] + DAY0 - 1 - p[i] % 3],
        )
        niks = [f"187203{v}" for v in nik[s].tolist()]
        _set(niks, (p % 10) == 0, lambda i: "")
        return [
            keys,
            masuk,
            jenis,
            kelurahan,
            status,
            selesai,
            niks,
            list(NAMES[nama[s]]),
            list(np.array(PETUGAS, dtype=object)[petugas[s]]),
        ]

    quarters = np.searchsorted(day, [0, 91, 182, 274]).tolist() + [n]
    h1 = ("No. Register", "Tgl Masuk", "Jenis Layanan", "Kel", "Status Berkas", "Tgl Selesai",
          "NIK", "Nama", "Petugas")  # fmt: skip
    h2 = ("no_register", "tanggal_masuk", "jenis_layanan", "kelurahan", "status",
          "tanggal_selesai", "nik_pemohon", "nama_pemohon", "petugas")  # fmt: skip
    title = ("REGISTER PELAYANAN KECAMATAN METRO UTARA", "Triwulan {} Tahun 2024", "")
    files = []
    for q, (lo, hi) in enumerate(_split(n, 4, np.array(quarters))):
        roman = ("I", "II", "III", "IV")[q]
        titles = (title[0], title[1].format(roman), title[2]) if q in (0, 3) else ()
        files.append(
            FileSpec(
                f"register_{TAHUN}_tw{q + 1}.{'xlsx' if q == 3 and scale.xlsx else 'csv'}",
                h1 if q % 2 == 0 else h2,
                lo,
                hi,
                delimiter=";" if q != 1 else ",",
                titles=titles,
                bom=q == 2,
                crlf=q == 0,
                xlsx=q == 3 and scale.xlsx,
            )
        )
    return Extract("layanan", n, files, fmt, quoted=(2,))


def _musrenbang(scale: Scale, rng: np.random.Generator) -> tuple[Extract, Extract]:
    n = scale.usulan
    kel = rng.integers(0, 4, n)
    kel_v = _pick(rng, n, KEL_WEIGHTS)
    uraian = rng.integers(0, len(URAIAN), n)
    bidang = rng.integers(0, len(BIDANG), n)
    day = rng.integers(0, 60, n)
    fmt_day = _pick(rng, n, DATE_WEIGHTS)
    no_date = rng.random(n) < 0.1
    # 1 unknown kelurahan, 2 duplicate id, 3 empty uraian, 4 tanggal outside the year,
    # 5 impossible tanggal
    fault = _faults(rng, n, 5)
    dup_of = _earlier(rng, n)
    fault[(fault == 2) & (dup_of < 0)] = 0
    pick = rng.integers(0, 1000, n)

    def fmt_usulan(lo: int, hi: int, native: bool) -> list[list]:
        s = slice(lo, hi)
        f, p = fault[s], pick[s]
        ids = [f"USL-{TAHUN}-{i + 1:06d}" for i in range(lo, hi)]
        _set(ids, f == 2, lambda i: f"usl-{TAHUN}-{dup_of[lo + i] + 1:06d}")
        kelurahan = list(KEL_VARIANTS[kel[s], kel_v[s]])
        _set(kelurahan, f == 1, lambda i: KEL_UNKNOWN[p[i] % len(KEL_UNKNOWN)])
        text = [URAIAN[u] for u in uraian[s].tolist()]
        _set(text, f == 3, lambda i: "  ")
        tanggal = list(_dates(day[s], fmt_day[s]))
        _set(tanggal, no_date[s], lambda i: "")
        _set(tanggal, f == 4, lambda i: DATE_OUTSIDE[p[i] % len(DATE_OUTSIDE)])
        _set(tanggal, f == 5, lambda i: DATE_IMPOSSIBLE[p[i] % len(DATE_IMPOSSIBLE)])
        return [ids, kelurahan, text, [BIDANG[b] for b in bidang[s].tolist()], tanggal]

    parts = scale.parts.get("musrenbang_usulan", 1)
    usulan_files = [
        FileSpec(
            f"usulan_{TAHUN}_{k + 1}.csv",
            ("ID Usulan", "Kelurahan", "Usulan", "Bidang", "Tanggal"),
            lo,
            hi,
            delimiter=",",
            bom=True,
        )
        for k, (lo, hi) in enumerate(_split(n, parts))
    ]
    usulan = Extract("musrenbang_usulan", n, usulan_files, fmt_usulan, quoted=(2,))

    # The BA: about 60% of the proposals, in ranking order.
    chosen = rng.permutation(np.flatnonzero(rng.random(n) < 0.6))
    m = len(chosen)
    id_v = _pick(rng, m, (0.85, 0.1, 0.05))
    # 1 id not among the proposals, 2 duplicate id, 3 prioritas 0 / not a number, 4 empty id
    ba_fault = _faults(rng, m, 4)
    ba_dup = _earlier(rng, m)
    ba_fault[(ba_fault == 2) & (ba_dup < 0)] = 0
    ba_pick = rng.integers(0, 1000, m)

    def fmt_ba(lo: int, hi: int, native: bool) -> list[list]:
        s = slice(lo, hi)
        f, p = ba_fault[s], ba_pick[s]
        spell = ("USL-{y}-{i:06d}", "usl-{y}-{i:06d}", " USL-{y}-{i:06d} ")
        ids = [
            spell[v].format(y=TAHUN, i=i + 1)
            for v, i in zip(id_v[s].tolist(), chosen[s].tolist())
        ]
        _set(ids, f == 1, lambda i: f"USL-{TAHUN - 1}-{p[i] + 1:06d}")
        _set(ids, f == 2, lambda i: f"USL-{TAHUN}-{chosen[ba_dup[lo + i]] + 1:06d}")
        _set(ids, f == 4, lambda i: "")
        prioritas = [str(r + 1) for r in range(lo, hi)]
        _set(prioritas, f == 3, lambda i: ("0", "satu", "-2", "1,5")[p[i] % 4])
        return [ids, [f"050/BA-MUSRENBANG/MU/{TAHUN}"] * (hi - lo), prioritas]

    ba = Extract(
        "musrenbang_ba",
        m,
        [
            FileSpec(
                f"ba_musrenbang_{TAHUN}.csv",
                ("No Usulan", "No BA", "Ranking"),
                0,
                m,
                titles=(f"BERITA ACARA MUSRENBANG KECAMATAN METRO UTARA TAHUN {TAHUN}",),
            )
        ],
        fmt_ba,
    )
    return usulan, ba


@dataclass
class Roll:
    """What payments need to know of the roll: each object's kelurahan and ketetapan."""

    kel: np.ndarray
    terhutang: np.ndarray


def _dhkp(scale: Scale, rng: np.random.Generator) -> tuple[Extract, Roll]:
    n = scale.objects
    kel = rng.integers(0, 4, n)
    kel_v = _pick(rng, n, KEL_WEIGHTS)
    exempt = rng.random(n) < 0.03
    terhutang = np.where(exempt, 0, rng.integers(50, 5000, n) * 100)
    rp_v = _pick(rng, n, RUPIAH_WEIGHTS)
    dotted = rng.random(n) < 0.6
    nama = rng.integers(0, len(NAMES), n)
    bumi = rng.integers(60, 2500, n)
    bangunan = np.where(rng.random(n) < 0.3, 0, rng.integers(21, 400, n))
    # 1 NOP not of 18 digits, 2 duplicate NOP, 3 unknown kelurahan, 4 non-zero decimals,
    # 5 negative ketetapan, 6 empty NOP
    fault = _faults(rng, n, 6)
    dup_of = _earlier(rng, n)
    fault[(fault == 2) & (dup_of < 0)] = 0
    pick = rng.integers(0, 1000, n)

    def fmt(lo: int, hi: int, native: bool) -> list[list]:
        s = slice(lo, hi)
        f, p = fault[s], pick[s]
        digits = _nop_digits(np.arange(lo, hi), kel[s])
        nop = [_nop_dotted(d) if o else d for d, o in zip(digits, dotted[s].tolist())]
        _set(nop, f == 1, lambda i: digits[i][:-1] if p[i] % 2 else digits[i] + "1")
        dup = np.flatnonzero(f == 2)
        if len(dup):
            j = dup_of[lo + dup]
            for i, d in zip(dup.tolist(), _nop_digits(j, kel[j])):
                nop[i] = d if dotted[lo + i] else _nop_dotted(d)
        _set(nop, f == 6, lambda i: "")
        kelurahan = list(KEL_VARIANTS[kel[s], kel_v[s]])
        _set(kelurahan, f == 3, lambda i: KEL_UNKNOWN[p[i] % len(KEL_UNKNOWN)])
        amount = terhutang[s]
        pbb: list = _rupiah(amount, rp_v[s])
        if native:
            _set(pbb, (rp_v[s] <= 1) & (f == 0), lambda i: int(amount[i]))
        _set(pbb, f == 4, lambda i: f"{_grouped([int(amount[i])])[0]},50")
        _set(pbb, f == 5, lambda i: f"-{_grouped([int(amount[i]) + 100])[0]}")
        luas_bumi = _grouped(bumi[s].tolist())
        luas_bangunan = [str(b) if b % 7 else f"{b}.5" for b in bangunan[s].tolist()]
        _set(luas_bangunan, bangunan[s] == 0, lambda i: "")
        return [nop, list(NAMES[nama[s]]), kelurahan, luas_bumi, luas_bangunan, pbb]

    parts = scale.parts.get("pbb_dhkp", 1) + (1 if scale.xlsx else 0)
    header = ("NOP", "Nama Wajib Pajak", "Kelurahan", "Luas Bumi", "Luas Bangunan",
              "PBB Terhutang")  # fmt: skip
    title = (f"DAFTAR HIMPUNAN KETETAPAN PAJAK (DHKP) PBB-P2 TAHUN {TAHUN}", "KOTA METRO")
    files = []
    for k, (lo, hi) in enumerate(_split(n, parts)):
        xlsx = scale.xlsx and k == parts - 1
        files.append(
            FileSpec(
                f"dhkp_{TAHUN}_{chr(ord('a') + k)}.{'xlsx' if xlsx else 'csv'}",
                header if k % 2 == 0 else ("Nomor Objek Pajak", "nama_wp", "kelurahan",
                                            "luas_bumi", "luas_bangunan", "Ketetapan"),
                lo,
                hi,
                delimiter=";" if k % 2 == 0 else ",",
                titles=title if k == 0 else (),
                crlf=k % 2 == 1,
                xlsx=xlsx,
            )
        )
    return Extract("pbb_dhkp", n, files, fmt, quoted=(5,)), Roll(kel, terhutang)


def _pembayaran(scale: Scale, rng: np.random.Generator, roll: Roll) -> Extract:
    n = scale.objects
    r = rng.random(n)
    wp = roll.terhutang > 0
    full = wp & (r < 0.70)
    installments = wp & (r >= 0.70) & (r < 0.78)
    partial = wp & (r >= 0.78) & (r < 0.84)
    arrears = rng.random(n) < 0.08
    t = roll.terhutang
    first_half = (np.round(t * 0.5 / 100) * 100).astype(np.int64)
    part_paid = np.maximum(100, (np.round(t * rng.uniform(0.2, 0.9, n) / 100) * 100)).astype(
        np.int64
    )
    obj = np.concatenate(
        [
            np.flatnonzero(full),
            np.flatnonzero(installments),
            np.flatnonzero(installments),
            np.flatnonzero(partial),
            np.flatnonzero(arrears),
        ]
    )
    amount = np.concatenate(
        [
            t[full],
            first_half[installments],
            (t - first_half)[installments],
            part_paid[partial],
            rng.integers(50, 3000, int(arrears.sum())) * 100,
        ]
    )
    current = len(obj) - int(arrears.sum())
    p = len(obj)
    # tahun_pajak: 0 "2024", 1 empty (defaults to the year), 2 "2023", 3 "2022" (arrears)
    tahun = np.concatenate(
        [
            np.where(rng.random(current) < 0.75, 0, 1),
            np.where(rng.random(p - current) < 0.9, 2, 3),
        ]
    ).astype(np.int8)
    # A tenth of the arrears are for objects no longer on this year's roll: still valid.
    off_roll = np.zeros(p, dtype=bool)
    off_roll[current:] = rng.random(p - current) < 0.1
    day = rng.integers(0, DAYS_IN_YEAR, p)
    order = np.argsort(day, kind="stable")  # the bank's export is chronological
    obj, amount, tahun, off_roll, day = (a[order] for a in (obj, amount, tahun, off_roll, day))
    kel = roll.kel[obj]
    fmt_day = _pick(rng, p, DATE_WEIGHTS)
    rp_v = _pick(rng, p, RUPIAH_WEIGHTS)
    dotted = rng.random(p) < 0.5
    # 1 impossible date, 2 date outside the year, 3 non-zero decimals, 4 NOP not of 18
    # digits, 5 current-year payment to a NOP not on the roll, 6 duplicate no_transaksi,
    # 7 zero amount, 8 empty NOP
    fault = _faults(rng, p, 8)
    dup_of = _earlier(rng, p)
    fault[(fault == 6) & (dup_of < 0)] = 0
    pick = rng.integers(0, 1000, p)

    def fmt(lo: int, hi: int, native: bool) -> list[list]:
        s = slice(lo, hi)
        f, k = fault[s], pick[s]
        keys = [f"NTPD-{TAHUN}-{i + 1:08d}" for i in range(lo, hi)]
        _set(keys, f == 6, lambda i: f"ntpd-{TAHUN}-{dup_of[lo + i] + 1:08d}")
        off = off_roll[s] | (f == 5)
        digits = _nop_digits(obj[s], kel[s])
        off_digits = _nop_digits(obj[s], kel[s], kec="031")
        digits = [o if x else d for d, o, x in zip(digits, off_digits, off.tolist())]
        nop = [_nop_dotted(d) if o else d for d, o in zip(digits, dotted[s].tolist())]
        _set(nop, f == 4, lambda i: digits[i][1:])
        _set(nop, f == 8, lambda i: "")
        tanggal = list(_dates(day[s], fmt_day[s]))
        _set(tanggal, f == 1, lambda i: DATE_IMPOSSIBLE[k[i] % len(DATE_IMPOSSIBLE)])
        _set(tanggal, f == 2, lambda i: DATE_OUTSIDE[k[i] % len(DATE_OUTSIDE)])
        jumlah = _rupiah(amount[s], rp_v[s])
        _set(jumlah, f == 3, lambda i: f"{_grouped([int(amount[lo + i])])[0]},25")
        _set(jumlah, f == 7, lambda i: ("0", "Rp 0", "0,00")[k[i] % 3])
        ty = tahun[s].copy()
        ty[f == 5] = 0
        years = [("2024", "", "2023", "2022")[y] for y in ty.tolist()]
        return [keys, nop, tanggal, jumlah, years]

    parts = scale.parts.get("pbb_pembayaran", 2)
    cut = np.searchsorted(day, np.linspace(0, DAYS_IN_YEAR, parts + 1)[:-1]).tolist() + [p]
    files = []
    for k, (lo, hi) in enumerate(_split(p, parts, np.array(cut))):
        comma = k % 2 == 0
        files.append(
            FileSpec(
                f"bayar_{TAHUN}_p{k + 1}.csv",
                ("NTPD", "NOP", "Tgl Bayar", "Jumlah Bayar", "Tahun SPPT")
                if comma
                else ("No Transaksi", "Nomor Objek Pajak", "Tanggal", "Jumlah", "Tahun"),
                lo,
                hi,
                delimiter="," if comma else ";",
                titles=() if comma else (f"PEMBAYARAN PBB TAHUN {TAHUN} BAGIAN {k + 1}",),
            )
        )
    return Extract("pbb_pembayaran", p, files, fmt, quoted=(3,))


def _konflik(scale: Scale, rng: np.random.Generator) -> Extract:
    n = scale.konflik
    day = np.sort(rng.integers(0, DAYS_IN_YEAR, n))
    kel = rng.integers(0, 4, n)
    kel_v = _pick(rng, n, KEL_WEIGHTS)
    fmt_day = _pick(rng, n, DATE_WEIGHTS)
    jenis = rng.integers(0, len(JENIS_KONFLIK), n)
    hasil = _pick(rng, n, HASIL_WEIGHTS)
    # 1 impossible date, 2 unknown kelurahan, 3 unknown hasil, 4 duplicate, 5 empty jenis,
    # 6 date outside the year
    fault = _faults(rng, n, 6)
    dup_of = _earlier(rng, n)
    fault[(fault == 4) & (dup_of < 0)] = 0
    pick = rng.integers(0, 1000, n)

    def fmt(lo: int, hi: int, native: bool) -> list[list]:
        s = slice(lo, hi)
        f, p = fault[s], pick[s]
        keys = [f"KFK-{i + 1:05d}" for i in range(lo, hi)]
        _set(keys, f == 4, lambda i: f"kfk-{dup_of[lo + i] + 1:05d}")
        tanggal = list(_dates(day[s], fmt_day[s]))
        _set(tanggal, f == 1, lambda i: DATE_IMPOSSIBLE[p[i] % len(DATE_IMPOSSIBLE)])
        _set(tanggal, f == 6, lambda i: DATE_OUTSIDE[p[i] % len(DATE_OUTSIDE)])
        kelurahan = list(KEL_VARIANTS[kel[s], kel_v[s]])
        _set(kelurahan, f == 2, lambda i: KEL_UNKNOWN[p[i] % len(KEL_UNKNOWN)])
        jk = [JENIS_KONFLIK[j] for j in jenis[s].tolist()]
        _set(jk, f == 5, lambda i: "")
        h = [HASIL[x] for x in hasil[s].tolist()]
        _set(h, f == 3, lambda i: "Batal")
        uraian = [f"Mediasi {j.lower()}" for j in jk]
        return [keys, tanggal, kelurahan, jk, uraian, h]

    header = ("No", "Tanggal", "Kelurahan", "Jenis Konflik", "Uraian Kegiatan", "Hasil")
    files = [FileSpec(f"konflik_{TAHUN}.csv", header, 0, n, delimiter=";")]
    return Extract("konflik", n, files, fmt)


# ---------------------------------------------------------------- driver


def extracts(scale: Scale, seed: int = SEED) -> list[Extract]:
    """Every source's rows and files, in the contract's source order."""

    def rng(k: int) -> np.random.Generator:
        return np.random.default_rng([seed, k])

    layanan = _layanan(scale, rng(1))
    usulan, ba = _musrenbang(scale, rng(2))
    dhkp, roll = _dhkp(scale, rng(3))
    bayar = _pembayaran(scale, rng(4), roll)
    konflik = _konflik(scale, rng(5))
    return [layanan, usulan, ba, dhkp, bayar, konflik]


def params(scale: Scale, seed: int = SEED) -> dict:
    return {
        "version": GENERATOR_VERSION,
        "seed": seed,
        "tahun": TAHUN,
        "fault_rate": FAULT_RATE,
        "scale": asdict(scale),
    }


def generate(scale: Scale, out: Path, seed: int = SEED, force: bool = False) -> dict:
    """Write the scale's extracts under ``out`` (``raw/<source>/2024/``, ``reference/``).

    Returns the marker: parameters, files with their row counts, generation seconds.
    Reuses ``out`` when its marker holds the same parameters (unless ``force``).
    """
    marker = out / MARKER
    wanted = params(scale, seed)
    if not force and marker.is_file():
        existing = json.loads(marker.read_text())
        if existing.get("params") == wanted:
            return existing
    if out.exists():
        shutil.rmtree(out)
    start = time.perf_counter()
    (out / "reference").mkdir(parents=True)
    (out / "reference" / "jenis_layanan.csv").write_text(JENIS_LAYANAN_CSV, encoding="utf-8")
    files = []
    for extract in extracts(scale, seed):
        folder = out / "raw" / extract.source / str(TAHUN)
        folder.mkdir(parents=True)
        for spec in extract.files:
            t0 = time.perf_counter()
            path = folder / spec.name
            (write_xlsx if spec.xlsx else write_csv)(path, spec, extract)
            files.append(
                {
                    "source": extract.source,
                    "file": spec.name,
                    "rows": spec.hi - spec.lo,
                    "bytes": path.stat().st_size,
                    "seconds": round(time.perf_counter() - t0, 2),
                }
            )
            print(
                f"  {extract.source}/{spec.name}: {spec.hi - spec.lo:,} rows, "
                f"{path.stat().st_size / 1e6:.1f} MB",
                file=sys.stderr,
            )
    result = {
        "params": wanted,
        "files": files,
        "seconds": round(time.perf_counter() - start, 1),
    }
    marker.write_text(json.dumps(result, indent=2))
    return result


def data_dir(scale_name: str) -> Path:
    return CACHE / scale_name / "data"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=SCALES, default="kota")
    parser.add_argument("--out", type=Path, help="data dir (default bench/.cache/<scale>/data)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--force", action="store_true", help="regenerate even if cached")
    args = parser.parse_args(argv)
    out = args.out or data_dir(args.scale)
    result = generate(SCALES[args.scale], out, args.seed, args.force)
    rows = sum(f["rows"] for f in result["files"])
    print(f"{out}: {len(result['files'])} files, {rows:,} rows ({result['seconds']} s)")


if __name__ == "__main__":
    main()
