"""Generate the bundled sample extracts of Kecamatan Metro Utara for 2021-2026.

2026 is the running year: its extracts are as the sections delivered them by
30 September 2026 (``CUTOFF``): services registered, payments received and activities
held up to that day, services not finished by then still in process; the Musrenbang of
January and February whole; the roll whole, with the SPPT's due date (``Jatuh Tempo``).
A run during 2026 shows the year to date (docs/data-contract.md §8).

What it makes, under ``<out>/raw/<source>/<year>/`` (``<out>`` defaults to the
repository's ``data/`` folder; only ``<out>/raw`` is deleted and rewritten):

- ``layanan``: the service register, ~2,400 rows a year in four quarterly files that mix
  formats: ``;`` CSV in Windows-1252 with title lines, ``,`` CSV in UTF-8 with BOM, and
  XLSX with title rows, real Excel dates and some text dates. Header spellings differ per
  format; service names come in many spellings, a few of them in no alias table.
- ``musrenbang_usulan`` (~180 proposals, one file a year) and ``musrenbang_ba`` (the
  55-75 % written into the Berita Acara, ids in varying case and with spaces).
- ``pbb_dhkp``: the tax roll, ~4,000 objects with NOPs stable across years (a few added
  and removed each year), ~3 % exempt; ``pbb_pembayaran``: ~3,300 payments a year in two
  or three CSV files, with installments, partial payers and arrears of earlier years.
  In 2024 both come as SISMIOP exports (the contract's §9): the roll as table SPPT in a
  workbook (NOP in seven parts that lost their leading zeros, Oracle dates), the payments
  as table PEMBAYARAN_SPPT in CSV files (paid amount including the fine, the fine, the
  payment's number per NOP and tax year). They hold the same objects and payments, and
  the same faults in SISMIOP's terms, as the contract's layout would: the year's figures
  are the same in either layout.
- ``konflik``: 15-40 activities a year, 2022-2025 only (2021 is not delivered).

Values are written as real exports are: every accepted date format, rupiah as ``150000``,
``150.000``, ``Rp 150.000``, ``Rp150.000,-`` or ``150.000,00``, NOPs with and without
separators, kelurahan as ``BANJARSARI``, ``Kel. Purwosari`` or ``Kelurahan Purwoasri``.

Faults, about 2 % of each source's rows, each of which the data contract rejects:
impossible dates (``31/02/2023``, ``30 Februari 2023``), dates outside the partition
year, unknown kelurahan, NOPs of 17 or 19 digits, duplicate keys (also in a later file
and in another case), unknown status or hasil values, rupiah with non-zero decimals,
negative or zero amounts, empty required values, tanggal_selesai before tanggal_masuk,
BA ids that are no proposal of the year, prioritas ``0`` or ``satu``, and payments of the
current tahun_pajak to a NOP not on that year's roll. Some files also hold blank rows
(skipped silently) and quoted fields with an embedded delimiter or newline.

Deterministic: every choice comes from ``random.Random`` seeded from ``--seed`` and a
fixed label, and XLSX files carry a fixed creation date, so two runs give identical bytes.

    python scripts/generate_sample_data.py [--out DIR] [--seed N]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import shutil
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter

YEARS = range(2021, 2027)
# The running year's extracts stop at the day they were delivered (§8: year to date).
CUTOFF = {2026: date(2026, 9, 30)}
# Years whose roll (in the contract's layout) carries the SPPT's due date.
JATUH_TEMPO = {2026: date(2026, 8, 31)}


def until(year: int) -> date:
    """The last day of the year's extracts."""
    return CUTOFF.get(year, date(year, 12, 31))
DEFAULT_SEED = 20210401
FIXED_TIME = datetime(2026, 1, 1)  # creation date stored in every XLSX
FAULT_RATE = (0.018, 0.026)  # share of rows made faulty, drawn per source and year

KEL = ("Banjarsari", "Purwosari", "Purwoasri", "Karangrejo")
# SISMIOP kelurahan codes in NOPs (kecamatan 030), as data/reference/kelurahan.csv gives them.
KEL_CODE = {"Banjarsari": "001", "Purwosari": "002", "Purwoasri": "004", "Karangrejo": "003"}
KEL_OF_CODE = {code: kel for kel, code in KEL_CODE.items()}


def by_kelurahan(nop: str) -> tuple[int, str]:
    """Rolls and same-day payments list the kelurahan in the order of KEL, then by NOP."""
    return KEL.index(KEL_OF_CODE[nop[7:10]]), nop
UNKNOWN_KEL = ("Metro Pusat", "Hadimulyo", "Hadimulyo Barat", "Yosodadi", "Iringmulyo")
STREETS = {
    "Banjarsari": ("Jl. Sumbawa", "Jl. Bali", "Jl. Lombok", "Jl. Flores", "Jl. Halmahera"),
    "Purwosari": ("Jl. Pala", "Jl. Kenanga", "Jl. Cempaka", "Jl. Melati", "Jl. Anggrek"),
    "Purwoasri": ("Jl. Padat Karya", "Jl. Merapi", "Jl. Semeru", "Jl. Sindoro"),
    "Karangrejo": ("Jl. Bayur", "Jl. Jati", "Jl. Mahoni", "Jl. Cendana", "Jl. Meranti"),
}
BULAN = ("Januari Februari Maret April Mei Juni Juli Agustus September Oktober "
         "November Desember").split()
BLN_ID = "Jan Feb Mar Apr Mei Jun Jul Agt Sep Okt Nov Des".split()
BLN_EN = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
BLN_ORACLE_ID = "JAN FEB MAR APR MEI JUN JUL AGU SEP OKT NOV DES".split()
ROMAN = ("I", "II", "III", "IV")

MALE = ("Budi", "Agus", "Joko", "Slamet", "Hendra", "Rudi", "Ahmad", "Muhammad", "Dedi",
        "Eko", "Bambang", "Andi", "Yusuf", "Sugeng", "Teguh", "Irfan", "Fajar", "Dwi")
FEMALE = ("Siti", "Sri", "Rini", "Dewi", "Nur", "Ani", "Wulan", "Ratna", "Yuni", "Endang",
          "Fitri", "Indah", "Eka", "Nurul", "Rina", "Sari", "Putu Ayu", "Komang")
MALE_LAST = ("Santoso", "Prasetyo", "Wibowo", "Saputra", "Setiawan", "Hidayat", "Susanto",
             "Suparman", "Kurniawan", "Gunawan", "Nugroho", "Hartono", "Purnomo")
FEMALE_LAST = ("Aminah", "Wahyuni", "Puspitasari", "Lestari", "Rahayu", "Handayani",
               "Kurniasih", "Anggraini", "Maryati", "Fatimah", "Safitri", "Rahmawati")
BALI = (("Wayan", "Nyoman", "Made", "Ketut"), ("Sudarsa", "Sukerta", "Wirawan", "Arsana"))
EXEMPT_NAMES = ("Masjid Al-Ikhlas", "Masjid Nurul Huda", "Musholla Al-Falah",
                "Gereja Kristen Jawa Metro", "Pura Kertha Buana", "Makam Umum",
                "SD Negeri 5 Metro", "Posyandu Melati", "Balai Pertemuan RW")
PETUGAS = ("Dewi Lestari", "Ahmad Fauzi", "Rina Marlina", "Hendra Gunawan", "Yuliana")

AMOUNT_FIELDS = frozenset({"pbb_terhutang", "jumlah_bayar", "denda", "biaya"})


def rng_for(seed: int, *label: object) -> random.Random:
    """An independent, reproducible stream per label (str seeds hash with SHA-512)."""
    return random.Random(f"{seed}/" + "/".join(map(str, label)))


def pick(rng: random.Random, weighted: tuple) -> object:
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


# ---------------------------------------------------------------- value spellings


def dot(n: int) -> str:
    return ("-" if n < 0 else "") + f"{abs(n):,}".replace(",", ".")


def fmt_amount(n: int, style: str) -> str:
    return {"plain": str(n), "dot": dot(n), "rp": f"Rp {dot(n)}",
            "rp_dash": f"Rp{dot(n)},-", "dec": f"{dot(n)},00"}[style]


def fmt_date(d: date, style: str, rng: random.Random) -> str:
    if style == "iso":
        return d.isoformat()
    if style == "slash":
        return d.strftime("%d/%m/%Y")
    if style == "dash":
        return d.strftime("%d-%m-%Y")
    if style == "oracle":  # Oracle's DD-MON-RR
        return f"{d.day:02d}-{BLN_EN[d.month - 1].upper()}-{d.year % 100:02d}"
    if style == "oracle_id":  # the same with Indonesian month names and the full year
        return f"{d.day:02d}-{BLN_ORACLE_ID[d.month - 1]}-{d.year}"
    if style == "timestamp":
        return f"{d.isoformat()} 00:00:00"
    if style == "long":
        text = f"{d.day} {BULAN[d.month - 1]} {d.year}"
    else:  # short month name, Indonesian or English
        text = f"{d.day:02d} {rng.choice((BLN_ID, BLN_EN))[d.month - 1]} {d.year}"
    r = rng.random()
    return text.upper() if r < 0.1 else text.lower() if r < 0.18 else text


def impossible_date(rng: random.Random, year: int) -> str:
    return rng.choice((f"31/02/{year}", f"30 Februari {year}", f"31-04-{year}",
                       f"31 Juni {year}", f"{year}-02-30", f"31/09/{year}"))


def shift_year(d: date, years: int) -> date:
    return date(d.year + years, d.month, min(d.day, 28) if d.month == 2 else d.day)


def fmt_nop(digits: str, plain: bool = False) -> str:
    if plain:
        return digits
    d = digits
    return f"{d[0:2]}.{d[2:4]}.{d[4:7]}.{d[7:10]}.{d[10:13]}-{d[13:-1]}.{d[-1]}"


def kel_spelling(rng: random.Random, kel: str, weights=(70, 10, 6, 8, 6)) -> str:
    forms = (kel, kel.upper(), kel.lower(), f"Kel. {kel}", f"Kelurahan {kel}")
    return rng.choices(forms, weights)[0]


def person(rng: random.Random) -> tuple[str, str]:
    """(NIK, name): a fake NIK of Kota Metro (187203 + birth date + serial)."""
    female = rng.random() < 0.5
    if not female and rng.random() < 0.12:
        name = f"{rng.choice(BALI[0])} {rng.choice(BALI[1])}"
    elif female:
        name = f"{rng.choice(FEMALE)} {rng.choice(FEMALE_LAST)}"
    else:
        name = f"{rng.choice(MALE)} {rng.choice(MALE_LAST)}"
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(20000))
    day = born.day + (40 if female else 0)
    nik = f"187203{day:02d}{born.month:02d}{born.year % 100:02d}{rng.randint(1, 300):04d}"
    return nik, name


HOLIDAYS = ((1, 1), (5, 1), (6, 1), (8, 17), (12, 25))  # fixed-date national holidays


def workdays(year: int, months=range(1, 13)) -> list[date]:
    d, out = date(year, 1, 1), []
    while d.year == year:
        if d.weekday() < 5 and d.month in months and (d.month, d.day) not in HOLIDAYS:
            out.append(d)
        d += timedelta(days=1)
    return out


# ---------------------------------------------------------------- faults


def inject(rng, rows, kinds, apply, eligible=lambda r: True, minimum=1, first=0) -> None:
    """Make about FAULT_RATE of ``rows`` faulty, every kind in turn from ``kinds[first]``
    (small sources rotate ``first`` by year so that every kind shows up).

    ``apply(kind, row)`` corrupts a row in place (and the row is marked ``_bad``);
    ``dup`` instead puts a copy of the row at a later position, possibly in a later file.
    """
    n = max(minimum, round(len(rows) * rng.uniform(*FAULT_RATE)))
    chosen = rng.sample([i for i, r in enumerate(rows) if eligible(r)], n)
    plan = [kinds[(first + i) % len(kinds)] for i in range(n)]
    rng.shuffle(plan)
    copies = []
    for i, kind in zip(chosen, plan):
        if kind == "dup":
            copies.append((rng.randint(i + 1, len(rows)), dict(rows[i], _copy=True)))
        else:
            apply(kind, rows[i])
            rows[i]["_bad"] = kind
    for pos, copy in sorted(copies, key=lambda t: t[0], reverse=True):
        copy["_f"] = rows[pos - 1]["_f"]
        rows.insert(pos, copy)


def by_file(rows: list[dict], count: int) -> list[list[dict]]:
    return [[r for r in rows if r["_f"] == f] for f in range(count)]


def with_blanks(rng: random.Random, rows: list, count: int) -> list:
    rows = list(rows)
    for _ in range(count):
        rows.insert(rng.randint(1, len(rows) - 1), None)
    return rows


# ---------------------------------------------------------------- writing


@dataclass
class Sheet:
    """One delivered file: ``rows`` are dicts by field (``None`` = a blank row)."""

    path: str  # relative to <out>
    columns: list[tuple[str, str]]  # (field, header as written)
    rows: list
    titles: tuple[str, ...] = ()
    dates: tuple = (("slash", 1),)  # weighted date spellings for text dates
    amounts: tuple = (("dot", 1),)  # weighted rupiah spellings for text amounts
    delimiter: str = ";"
    encoding: str = "cp1252"
    text_dates: float = 0.0  # XLSX: share of dates written as text, not date cells
    text_amounts: float = 0.0  # XLSX: share of amounts written as text
    sheet_name: str = "Sheet1"


def cell_text(field: str, v: object, sheet: Sheet, rng: random.Random) -> str:
    if v is None:
        return ""
    if isinstance(v, date):
        return fmt_date(v, pick(rng, sheet.dates), rng)
    if isinstance(v, int) and field in AMOUNT_FIELDS:
        return fmt_amount(v, pick(rng, sheet.amounts))
    return str(v)


def write_csv(path: Path, sheet: Sheet, rng: random.Random) -> None:
    buf = io.StringIO(newline="")
    out = csv.writer(buf, delimiter=sheet.delimiter, lineterminator="\r\n")
    pad = sheet.delimiter * (len(sheet.columns) - 1)  # Excel pads title lines
    for title in sheet.titles:
        buf.write(title + pad + "\r\n")
    out.writerow([header for _, header in sheet.columns])
    for row in sheet.rows:
        if row is None:
            buf.write(rng.choice((pad, "   ", "")) + "\r\n")
        else:
            out.writerow([cell_text(f, row.get(f), sheet, rng) for f, _ in sheet.columns])
    path.write_bytes(buf.getvalue().encode(sheet.encoding))  # "utf-8-sig" writes the BOM


def write_xlsx(path: Path, sheet: Sheet, rng: random.Random) -> None:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": FIXED_TIME, "author": "Kecamatan Metro Utara"})
    ws = wb.add_worksheet(sheet.sheet_name)
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "border": 1, "bg_color": "#D9D9D9"})
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    money = wb.add_format({"num_format": "#,##0"})
    r = 0
    for title in sheet.titles:
        if title:
            ws.write_string(r, 0, title, bold)
        r += 1
    for c, (_, header) in enumerate(sheet.columns):
        ws.write_string(r, c, header, head)
    for row in sheet.rows:
        r += 1
        if row is None:
            if rng.random() < 0.5:  # a row of spaces; otherwise an untouched row
                for c in range(0, len(sheet.columns), 2):
                    ws.write_string(r, c, " ")
            continue
        for c, (field, _) in enumerate(sheet.columns):
            v = row.get(field)
            if v is None:
                continue
            if isinstance(v, date):
                if rng.random() < sheet.text_dates:
                    ws.write_string(r, c, fmt_date(v, pick(rng, sheet.dates), rng))
                else:
                    ws.write_datetime(r, c, datetime(v.year, v.month, v.day), day)
            elif isinstance(v, int) and field in AMOUNT_FIELDS:
                if rng.random() < sheet.text_amounts:
                    ws.write_string(r, c, fmt_amount(v, pick(rng, sheet.amounts)))
                else:
                    ws.write_number(r, c, v, money)
            elif isinstance(v, int):
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, str(v))
    ws.set_column(0, len(sheet.columns) - 1, 18)
    wb.close()


# ---------------------------------------------------------------- layanan

SEMICOLON = dict(delimiter=";", encoding="cp1252")
COMMA_BOM = dict(delimiter=",", encoding="utf-8-sig")
LAYANAN_COLUMNS = {
    "csv;": ["No", "No. Register", "Tgl Masuk", "NIK", "Nama", "Jenis Layanan", "Kel",
             "Status Berkas", "Tgl Selesai", "Petugas", "Catatan"],
    "csv,": ["NO_REGISTER", "TANGGAL_MASUK", "JENIS_LAYANAN", "KELURAHAN", "STATUS",
             "TANGGAL_SELESAI", "NIK_PEMOHON", "NAMA_PEMOHON", "KETERANGAN_TAMBAHAN"],
    "xlsx": ["No.", "Nomor Register", "Tanggal Diterima", "Nama", "NIK", "Jenis Pelayanan",
             "Desa/Kelurahan", "Status Berkas", "Tgl. Selesai", "Petugas",
             "Keterangan Tambahan"],
}
LAYANAN_FIELDS = {
    "csv;": ["no", "no_register", "tanggal_masuk", "nik", "nama", "jenis_layanan",
             "kelurahan", "status", "tanggal_selesai", "petugas", "catatan"],
    "csv,": ["no_register", "tanggal_masuk", "jenis_layanan", "kelurahan", "status",
             "tanggal_selesai", "nik", "nama", "catatan"],
    "xlsx": ["no", "no_register", "tanggal_masuk", "nama", "nik", "jenis_layanan",
             "kelurahan", "status", "tanggal_selesai", "petugas", "catatan"],
}
JENIS = (  # (weight, spellings); IMB/PBG and IUMK/NIB shift after 2021
    (38, ("Pengantar KK", "KTP-el", "e-KTP", "Kartu Keluarga", "Pengantar KK dan KTP",
          "KTP-EL", "E-KTP", "pengantar kk", "Pengantar  KK", "KARTU KELUARGA")),
    (5, ("IMB", "PBG", "Persetujuan Bangunan Gedung", "pbg", "PERSETUJUAN BANGUNAN GEDUNG")),
    (10, ("IUMK", "NIB", "nib", "Iumk")),
    (12, ("Pengantar Nikah", "Numpang Nikah", "Surat Nikah", "PENGANTAR NIKAH",
          "pengantar  nikah")),
    (32, ("SKTM", "Surat Keterangan Domisili", "Surat Keterangan Usaha", "sktm",
          "SURAT KETERANGAN DOMISILI")),
    (3, ("Surat Pindah", "Legalisir", "Surat Keterangan Ahli Waris")),
)
PROCESSED = (("Selesai", 70), ("Diterbitkan", 17), ("Ditolak", 4), ("Dikembalikan", 5),
             (None, 4))
PENDING = (("Proses", 30), ("Diproses", 20), ("Dalam Proses", 15), ("Menunggu", 12),
           ("Baru", 8), ("Pending", 5), (None, 10))
NOTES = ("Sudah diambil pemohon", "Diambil keluarga \u2013 dengan surat kuasa",
         "Berkas kurang; fotokopi KK belum ada", "Berkas kurang, pengantar RT/RW belum ada",
         "Dikembalikan ke pemohon\nKTP belum dilegalisir")


def jenis_layanan(rng: random.Random, year: int) -> str:
    weights, spellings = zip(*JENIS)
    group = rng.choices(range(len(JENIS)), weights)[0]
    names = spellings[group]
    if group in (1, 2) and year > 2021:  # PBG replaces IMB, NIB replaces IUMK
        names = [n for n in names if n.casefold() not in ("imb", "iumk")] or names
        if rng.random() < 0.08:
            names = ("IMB",) if group == 1 else ("IUMK",)
    return rng.choice(names)


def layanan_sheets(seed: int, year: int) -> list[Sheet]:
    rng = rng_for(seed, "layanan", year)
    base = {2021: 0.88, 2022: 0.89, 2023: 0.9, 2024: 0.92, 2025: 0.93, 2026: 0.93}[year]
    offset = {k: rng.uniform(-0.03, 0.02) for k in KEL}
    days = [d for d in workdays(year) if d <= until(year)]
    rows = []
    count = rng.randint(2330, 2480) * len(days) // len(workdays(year))  # fewer days: fewer rows
    for seq, d in enumerate(sorted(rng.choice(days) for _ in range(count))):
        kel = rng.choices(KEL, (30, 26, 18, 26))[0]
        processed = rng.random() < base + offset[kel]
        status = pick(rng, PROCESSED if processed else PENDING)
        done = d + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 5, 7))) if processed else None
        if year in CUTOFF and done is not None and done > CUTOFF[year]:  # not finished yet
            status, done = pick(rng, PENDING), None
        if status and rng.random() < 0.15:
            status = rng.choice((status.upper(), status.lower()))
        note = rng.choice(NOTES[2:] if status == "Dikembalikan" else NOTES[:2])
        nik, nama = person(rng)
        rows.append({
            "no_register": f"{seq + 1:04d}/PLY/MU/{year}", "tanggal_masuk": d,
            "jenis_layanan": jenis_layanan(rng, year), "kelurahan": kel_spelling(rng, kel),
            "status": status, "tanggal_selesai": done, "nik": nik if rng.random() > 0.04
            else None, "nama": nama, "petugas": rng.choice(PETUGAS),
            "catatan": note if status == "Dikembalikan" or rng.random() < 0.05 else None,
            "_f": (d.month - 1) // 3,
        })

    def apply(kind: str, r: dict) -> None:
        if kind == "bad_date":
            r["tanggal_masuk"] = impossible_date(rng, year)
        elif kind == "out_of_year":
            r["tanggal_masuk"] = shift_year(r["tanggal_masuk"], rng.choice((-1, 1)))
        elif kind == "unknown_kel":
            r["kelurahan"] = rng.choice(UNKNOWN_KEL)
        elif kind == "bad_status":
            r["status"] = rng.choice(("Batal", "OK", "Tunda", "Tidak Lengkap"))
        elif kind == "empty":
            r[rng.choice(("no_register", "tanggal_masuk", "jenis_layanan", "kelurahan"))] = None
        elif kind == "done_before":
            r["status"] = "Selesai"
            r["tanggal_selesai"] = r["tanggal_masuk"] - timedelta(days=rng.randint(1, 20))
        elif kind == "bad_done":
            r["status"], r["tanggal_selesai"] = "Selesai", impossible_date(rng, year)

    inject(rng, rows, ["bad_date", "out_of_year", "unknown_kel", "bad_status", "dup", "dup",
                       "empty", "done_before", "bad_done"], apply)
    for r in rows:
        if r.get("_copy") and rng.random() < 0.4:  # the same key in another case
            r["no_register"] = r["no_register"].lower()
    sheets = []
    for q, part in enumerate(by_file(rows, 4)):
        if not part:  # a quarter not reached by the delivery (the running year)
            continue
        fmt = ("csv;", "csv,", "xlsx")[(year + q) % 3]
        for no, r in enumerate(part, 1):
            r["no"] = no
        if fmt != "xlsx":  # one multi-line note and one with the delimiter in every CSV
            returned = [r for r in part if r["status"] == "Dikembalikan"] or part
            rng.choice(returned)["catatan"] = NOTES[4]
            rng.choice(returned)["catatan"] = NOTES[2] if fmt == "csv;" else NOTES[3]
        ext = "xlsx" if fmt == "xlsx" else "csv"
        months = f"{BULAN[3 * q]} \u2013 {BULAN[3 * q + 2]}"
        titles = ("REGISTER PELAYANAN KECAMATAN METRO UTARA",
                  f"Triwulan {ROMAN[q]} Tahun {year} ({months})", "")
        sheets.append(Sheet(
            path=f"raw/layanan/{year}/layanan_{year}_TW{q + 1}.{ext}",
            columns=list(zip(LAYANAN_FIELDS[fmt], LAYANAN_COLUMNS[fmt])),
            rows=with_blanks(rng, part, rng.randint(0, 3)),
            titles=() if fmt == "csv," else titles[: 2 + (q % 2)] if fmt == "csv;" else titles,
            dates={"csv;": (("slash", 70), ("long", 15), ("short", 10), ("dash", 5)),
                   "csv,": (("iso", 80), ("slash", 10), ("long", 10)),
                   "xlsx": (("long", 40), ("slash", 30), ("short", 20), ("dash", 10))}[fmt],
            text_dates=0.12, sheet_name="Register",
            **(COMMA_BOM if fmt == "csv," else SEMICOLON)))
    return sheets


# ---------------------------------------------------------------- musrenbang

URAIAN = {
    "Infrastruktur": ("Pembangunan drainase {jl} RT {rt} RW {rw}",
                      "Pengaspalan jalan lingkungan {jl} RT {rt}",
                      "Rehab talud saluran {jl}, RW {rw}",
                      "Pembangunan gorong-gorong {jl} RW {rw}",
                      "Pemasangan lampu penerangan jalan {jl}",
                      "Rabat beton gang {pos}, RT {rt} RW {rw}"),
    "Ekonomi": ("Pelatihan UMKM pengolahan keripik pisang Kelurahan {kel}",
                "Pelatihan menjahit bagi ibu-ibu PKK RW {rw}",
                "Bantuan alat usaha bagi pelaku UMKM, Kelurahan {kel}",
                "Pelatihan pemasaran daring bagi UMKM RW {rw}"),
    "Sosial Budaya": ("Rehab posyandu {pos} RW {rw}",
                      "Pemberian makanan tambahan balita Posyandu {pos}",
                      "Pengadaan sarana olahraga karang taruna Kelurahan {kel}",
                      "Rehab balai pertemuan RW {rw}"),
    "Lingkungan Hidup": ("Pengadaan tong sampah terpilah RW {rw}",
                         "Pembuatan sumur resapan {jl} RT {rt}",
                         "Penanaman pohon peneduh {jl}"),
}
POSYANDU = ("Melati", "Mawar", "Kenanga", "Dahlia", "Anggrek", "Flamboyan")
USULAN_COLUMNS = {
    "xlsx": [("no", "No"), ("id_usulan", "ID Usulan"), ("kelurahan", "Kelurahan"),
             ("uraian_usulan", "Uraian Usulan"), ("bidang", "Bidang"), ("lokasi", "Lokasi"),
             ("volume", "Volume"), ("biaya", "Perkiraan Biaya"),
             ("tanggal_usulan", "Tanggal Usulan")],
    "csv;": [("no", "NO"), ("id_usulan", "KODE USULAN"), ("kelurahan", "KELURAHAN"),
             ("uraian_usulan", "USULAN"), ("bidang", "BIDANG"), ("volume", "VOLUME"),
             ("tanggal_usulan", "TANGGAL")],
    "csv,": [("id_usulan", "id_usulan"), ("kelurahan", "kelurahan"),
             ("uraian_usulan", "uraian"), ("bidang", "bidang"), ("lokasi", "lokasi"),
             ("biaya", "perkiraan_biaya"), ("tanggal_usulan", "tanggal_usulan")],
}


def musrenbang_sheets(seed: int, year: int) -> list[Sheet]:
    rng = rng_for(seed, "musrenbang", year)
    days = workdays(year, months=(1, 2))
    rows = []
    for kel in KEL:
        for _ in range(rng.randint(38, 52)):
            bidang = rng.choices(list(URAIAN), (45, 22, 23, 10))[0]
            rt, rw = f"{rng.randint(1, 40):03d}", f"{rng.randint(1, 12):03d}"
            jl = rng.choice(STREETS[kel])
            uraian = rng.choice(URAIAN[bidang]).format(
                jl=jl, rt=rt, rw=rw, kel=kel, pos=rng.choice(POSYANDU))
            infra = bidang == "Infrastruktur"
            rows.append({
                "kelurahan": kel_spelling(rng, kel), "uraian_usulan": uraian,
                "bidang": bidang, "lokasi": f"{jl} RT {rt} RW {rw}", "_kel": kel,
                "volume": rng.choice(("150 m", "300 m\u00b2", "2 unit", "1 paket") if infra
                                     else ("25 orang", "1 paket", "40 orang")),
                "biaya": rng.randrange(50_000_000, 400_000_000, 500_000) if infra
                else rng.randrange(15_000_000, 75_000_000, 250_000),
                "tanggal_usulan": rng.choice(days) if rng.random() > 0.05 else None, "_f": 0,
            })
    for seq, r in enumerate(rows, 1):
        r["id_usulan"], r["no"] = f"USL-{year}-{seq:03d}", seq

    def apply(kind: str, r: dict) -> None:
        if kind == "bad_date":
            r["tanggal_usulan"] = impossible_date(rng, year)
        elif kind == "out_of_year":
            r["tanggal_usulan"] = date(year - 1, 12, rng.randint(1, 28))
        elif kind == "unknown_kel":
            r["kelurahan"] = rng.choice(UNKNOWN_KEL)
        elif kind == "empty":
            r["uraian_usulan"] = None

    inject(rng, rows, ["bad_date", "out_of_year", "unknown_kel", "empty", "dup"], apply,
           minimum=3, first=year)
    fmt = ("xlsx", "csv;", "xlsx", "csv,", "xlsx", "csv;")[year - 2021]
    usulan = Sheet(
        path=f"raw/musrenbang_usulan/{year}/usulan_musrenbang_{year}."
             + ("xlsx" if fmt == "xlsx" else "csv"),
        columns=USULAN_COLUMNS[fmt], rows=with_blanks(rng, rows, rng.randint(0, 2)),
        titles=() if fmt == "csv," else (
            "DAFTAR USULAN MUSRENBANG KELURAHAN SE-KECAMATAN METRO UTARA",
            f"Tahun {year} \u2013 untuk RKPD Tahun {year + 1}", ""),
        dates=(("long", 50), ("slash", 40), ("short", 10)), amounts=(("dot", 1),),
        text_dates=0.2, sheet_name="Usulan", **(COMMA_BOM if fmt == "csv," else SEMICOLON))

    # Berita Acara: a share of the valid proposals, in priority order.
    valid = [r for r in rows if not r.get("_bad") and not r.get("_copy")]
    chosen = rng.sample(valid, round(len(valid) * rng.uniform(0.55, 0.75)))
    nomor = f"{rng.randint(1, 20):03d}/BA/MU/{year}"
    ba = []
    for rank, r in enumerate(chosen, 1):
        key = r["id_usulan"]
        key = key.lower() if rng.random() < 0.08 else f" {key} " if rng.random() < 0.05 else key
        ba.append({"id_usulan": key, "kelurahan": r["_kel"], "uraian": r["uraian_usulan"],
                   "prioritas": rank, "nomor_ba": nomor, "_f": 0})
    stranger = (f"USL-{year - 1}-{rng.randint(1, 180):03d}" if year % 2
                else f"USL-{year}-{rng.randint(300, 399)}")  # no proposal of this year
    ba.insert(rng.randint(0, len(ba)), {"id_usulan": stranger, "kelurahan": rng.choice(KEL),
                                         "uraian": "Usulan susulan", "prioritas": None,
                                         "nomor_ba": nomor, "_f": 0})

    def apply_ba(kind: str, r: dict) -> None:
        if kind == "prioritas0":
            r["prioritas"] = 0
        elif kind == "prioritas_text":
            r["prioritas"] = rng.choice(("satu", "dua", "1a"))
        elif kind == "empty":
            r["id_usulan"] = None

    inject(rng, ba, ["prioritas0", "prioritas_text", "dup", "empty"], apply_ba, minimum=2,
           first=year, eligible=lambda r: r["prioritas"] is not None)
    for no, r in enumerate(ba, 1):
        r["no"] = no
    semi = year % 2 == 1
    ba_sheet = Sheet(
        path=f"raw/musrenbang_ba/{year}/ba_musrenbang_{year}.csv",
        columns=[("no", "No"), ("id_usulan", "Kode Usulan"), ("kelurahan", "Kelurahan"),
                 ("uraian", "Uraian"), ("prioritas", "Ranking"), ("nomor_ba", "No BA")]
        if semi else [("no", "no"), ("id_usulan", "id_usulan"), ("nomor_ba", "nomor_ba"),
                      ("prioritas", "prioritas"), ("uraian", "uraian_usulan")],
        rows=with_blanks(rng, ba, 1 if semi else 0),
        titles=("BERITA ACARA MUSRENBANG KECAMATAN METRO UTARA",
                f"Nomor: {nomor} \u2013 Tahun {year}", "") if semi else (),
        **(SEMICOLON if semi else COMMA_BOM))
    return [usulan, ba_sheet]


# ---------------------------------------------------------------- PBB


def pbb_amount(o: dict, year: int) -> int:
    """SPPT amount: 0.1 % of NJOP above the NJOPTKP, at least Rp 10.000."""
    if o["exempt"]:
        return 0
    factor = {2021: 1.0, 2022: 1.0, 2023: 1.15, 2024: 1.15, 2025: 1.25, 2026: 1.25}[year]
    njop = (o["luas_bumi"] * o["rate_bumi"] + o["luas_bangunan"] * o["rate_bangunan"]) * factor
    return max(10_000, round((njop - 10_000_000) * 0.001))


def build_rolls(seed: int) -> dict[int, list[dict]]:
    """Objects per year: stable NOPs, a few removed and added, owners changing."""
    rng = rng_for(seed, "pbb_dhkp", "objects")
    blocks = {"Banjarsari": 12, "Purwosari": 10, "Purwoasri": 7, "Karangrejo": 11}
    objects, last_number = [], {}

    def new_object(kel: str, block: int) -> dict:
        number = last_number[kel, block] = last_number.get((kel, block), 0) + 1
        exempt = rng.random() < 0.03
        sawah = not exempt and rng.random() < 0.05
        large = rng.random() < 0.2
        bumi = rng.randint(2000, 8000) if sawah else rng.randint(*(400, 1500) if large
                                                                  else (100, 400))
        return {"nop": f"1872030{KEL_CODE[kel]}{block:03d}{number:04d}0", "kel": kel,
                "nama": rng.choice(EXEMPT_NAMES) if exempt else person(rng)[1],
                "alamat": f"{rng.choice(STREETS[kel])} No. {rng.randint(1, 120)}",
                "luas_bumi": bumi, "exempt": exempt,
                "luas_bangunan": 0 if sawah or rng.random() < 0.12 else rng.randint(36, 300),
                "rate_bumi": rng.randrange(90_000, 400_000, 1_000),
                "rate_bangunan": rng.randrange(500_000, 1_200_000, 5_000)}

    for kel, n in blocks.items():
        for block in range(1, n + 1):
            objects += [new_object(kel, block) for _ in range(rng.randint(80, 118))]
    rolls = {}
    for year in YEARS:
        if year > YEARS[0]:
            for o in rng.sample(objects, rng.randint(10, 20)):
                objects.remove(o)
            for _ in range(rng.randint(30, 50)):
                kel = rng.choice(KEL)
                objects.append(new_object(kel, rng.randint(1, blocks[kel])))
            for o in rng.sample(objects, len(objects) // 50):
                o["nama"] = person(rng)[1] if not o["exempt"] else o["nama"]
        objects.sort(key=lambda o: by_kelurahan(o["nop"]))
        rolls[year] = [dict(o, pbb=pbb_amount(o, year)) for o in objects]
    return rolls


PAY_MONTHS = (1, 2, 4, 6, 8, 10, 12, 16, 8, 4, 3, 4)  # paid mostly before the August due date
PAY_COLUMNS = (
    [("no_transaksi", "No. Transaksi"), ("nop", "NOP"), ("nama_wp", "Nama WP"),
     ("tahun_pajak", "Tahun Pajak"), ("tanggal_bayar", "Tgl Bayar"),
     ("jumlah_bayar", "Jumlah Bayar"), ("denda", "Denda"), ("tempat", "Tempat Bayar")],
    [("no_transaksi", "NTPD"), ("nop", "Nomor Objek Pajak"), ("tahun_pajak", "Tahun SPPT"),
     ("tanggal_bayar", "Tanggal Bayar"), ("jumlah_bayar", "Pokok Bayar"),
     ("denda", "Denda"), ("tempat", "Tempat Pembayaran")],
    [("no_transaksi", "no_bukti"), ("nop", "nop"), ("tahun_pajak", "tahun"),
     ("tanggal_bayar", "tanggal_bayar"), ("jumlah_bayar", "jumlah"), ("nama_wp", "nama_wp")],
)
DHKP_HEADERS = (
    ("NO", "NOP", "NAMA WAJIB PAJAK", "ALAMAT OBJEK PAJAK", "KELURAHAN", "LUAS BUMI",
     "LUAS BANGUNAN", "PBB TERHUTANG"),
    ("No", "Nomor Objek Pajak", "Nama WP", "Alamat Objek", "Kelurahan", "Luas Bumi",
     "Luas Bangunan", "Ketetapan"),
    ("No.", "NOP", "Nama Wajib Pajak", "Alamat", "Kelurahan", "Luas_Bumi", "Luas_Bangunan",
     "Pokok"),
)


# ---------------------------------------------------------------- PBB as SISMIOP exports

SISMIOP_YEARS = (2024,)  # years whose roll and payments come as SISMIOP exports (§9)
NOP_PARTS = (("kd_propinsi", "KD_PROPINSI", 2), ("kd_dati2", "KD_DATI2", 2),
             ("kd_kecamatan", "KD_KECAMATAN", 3), ("kd_kelurahan", "KD_KELURAHAN", 3),
             ("kd_blok", "KD_BLOK", 3), ("no_urut", "NO_URUT", 4), ("kd_jns_op", "KD_JNS_OP", 1))
PART_COLUMNS = [(field, header) for field, header, _ in NOP_PARTS]
SPPT_COLUMNS = PART_COLUMNS + [
    ("thn_pajak", "THN_PAJAK_SPPT"), ("nama_wp", "NM_WP_SPPT"), ("alamat", "JALAN_OP"),
    ("luas_bumi", "LUAS_BUMI_SPPT"), ("luas_bangunan", "LUAS_BNG_SPPT"),
    ("njop", "NJOP_SPPT"), ("pbb_terhutang", "PBB_YG_HARUS_DIBAYAR_SPPT"),
    ("jatuh_tempo", "TGL_JATUH_TEMPO_SPPT"), ("status", "STATUS_PEMBAYARAN_SPPT")]
PEMBAYARAN_COLUMNS = PART_COLUMNS + [
    ("tahun_pajak", "THN_PAJAK_SPPT"), ("ke", "PEMBAYARAN_SPPT_KE"), ("kd_tp", "KD_TP"),
    ("denda", "DENDA_SPPT"), ("jumlah_bayar", "JML_SPPT_YG_DIBAYAR"),
    ("tanggal_bayar", "TGL_PEMBAYARAN_SPPT"), ("rekam", "TGL_REKAM_BYR_SPPT")]
KD_TP = {"Bank Lampung": "01", "Kantor Pos Metro": "02", "QRIS Bank Lampung": "03",
         "Tokopedia": "04", "Indomaret": "05"}
ORACLE_DATES = (("oracle", 60), ("timestamp", 25), ("oracle_id", 15))


def nop_parts(nop: str) -> dict:
    """The seven parts of an 18-digit NOP as SISMIOP exports them: numbers, so the
    leading zeros are lost (``030`` is 30)."""
    out, at = {}, 0
    for field, _, width in NOP_PARTS:
        out[field] = int(nop[at:at + width])
        at += width
    return out


def sismiop_nop(parts: dict, bad: str | None, empty: bool) -> dict:
    """The contract layout's NOP faults in SISMIOP's terms: a lost digit is a letter O
    typed for a zero in KD_BLOK, an extra digit makes NO_URUT five digits long, an empty
    NOP an empty NO_URUT."""
    if empty:
        parts["no_urut"] = None
    elif bad == "nop17":
        parts["kd_blok"] = f"{parts['kd_blok']:03d}".replace("0", "O", 1)
    elif bad == "nop19":
        parts["no_urut"] = f"0{parts['no_urut']:04d}"
    return parts


def sppt_rows(rows: list, year: int, roll: list[dict], paid: set, rng: random.Random) -> list:
    """The roll's rows (blank rows kept) as SISMIOP's table SPPT has them."""
    objects = {o["nop"]: o for o in roll}
    out = []
    for r in rows:
        if r is None:
            out.append(None)
            continue
        bad = r.get("_bad")
        parts = sismiop_nop(nop_parts(r["_nop"]), bad, r["nop"] is None)
        if bad == "unknown_kel":  # a kelurahan code the table does not know
            parts["kd_kelurahan"] = rng.choice((5, 6, 7, 9, 11))
        elif r["kelurahan"] is None:
            parts["kd_kelurahan"] = None
        o = objects[r["_nop"]]
        njop = o["luas_bumi"] * o["rate_bumi"] + o["luas_bangunan"] * o["rate_bangunan"]
        out.append(dict(parts, thn_pajak=year, nama_wp=r["nama_wp"], alamat=r["alamat"],
                        luas_bumi=r["luas_bumi"], luas_bangunan=r["luas_bangunan"],
                        njop=njop, pbb_terhutang=r["pbb_terhutang"],
                        jatuh_tempo=date(year, 8, 31), status=int(r["_nop"] in paid)))
    return out


def pembayaran_rows(rows: list, year: int, rng: random.Random) -> list:
    """The payments (blank rows kept) as SISMIOP's table PEMBAYARAN_SPPT has them: the
    amount paid includes the fine."""
    out = []
    for p in rows:
        if p is None:
            out.append(None)
            continue
        parts = sismiop_nop(nop_parts(p["_nop"]), p.get("_bad"), p["nop"] is None)
        paid, fine = p["jumlah_bayar"], p["denda"]
        when = p["tanggal_bayar"]
        rekam = (f"{when:%Y-%m-%d} {rng.randint(8, 15):02d}:{rng.randint(0, 59):02d}:"
                 f"{rng.randint(0, 59):02d}" if isinstance(when, date) else None)
        out.append(dict(parts, tahun_pajak=p["tahun_pajak"] or year,
                        ke=None if p["no_transaksi"] is None else p["_ke"],
                        kd_tp=KD_TP[p["tempat"]], denda=fine, tanggal_bayar=when, rekam=rekam,
                        jumlah_bayar=paid + fine if isinstance(paid, int) else paid))
    return out


def pbb_sheets(seed: int, year: int, rolls: dict[int, list[dict]]) -> list[Sheet]:
    rng = rng_for(seed, "pbb", year)
    roll = rolls[year]
    base = {2021: 0.72, 2022: 0.75, 2023: 0.79, 2024: 0.82, 2025: 0.77, 2026: 0.8}[year]
    offset = {k: rng.uniform(-0.05, 0.05) for k in KEL}
    months = 2 if year < 2024 else 3  # semesters, later four-month periods

    def pay_date(earliest: int = 1, latest: int = 12) -> date:
        m = rng.choices(range(earliest, latest + 1), PAY_MONTHS[earliest - 1:latest])[0]
        return date(year, m, rng.randint(1, 28 if m == 2 else 30))

    def payment(o: dict, amount: int, when: date, tahun: int = year, **extra) -> dict:
        late = max(0, when.month - 8) if tahun == year else rng.randint(3, 24)
        return {"_nop": o["nop"], "nama_wp": o["nama"], "tahun_pajak": tahun,
                "tanggal_bayar": when, "jumlah_bayar": amount,
                "denda": round(amount * 0.02 * late), **extra,
                "tempat": rng.choice(("Bank Lampung", "Bank Lampung", "Kantor Pos Metro",
                                      "QRIS Bank Lampung", "Tokopedia", "Indomaret"))}

    pays = []
    wajib = [o for o in roll if o["pbb"] > 0]
    for o in wajib:
        t, r = o["pbb"], rng.random()
        p = base + offset[o["kel"]]
        if r < p and t >= 40_000 and rng.random() < 0.07:  # two installments
            first = int(round(t / 2, -3))
            pays += [payment(o, first, pay_date(1, 6), _inst=True),
                     payment(o, t - first, pay_date(7, 12), _inst=True)]
        elif r < p:
            pays.append(payment(o, t, pay_date()))
        elif r < p + 0.035:  # partial payer
            pays.append(payment(o, int(round(t * rng.uniform(0.3, 0.8), -3)) or 5_000, pay_date()))
    for _ in range(round(len(pays) * 0.05)):  # arrears of earlier tax years
        o = rng.choice(wajib)
        pays.append(payment(o, round(o["pbb"] * rng.uniform(0.85, 1.0)), pay_date(),
                            tahun=year - rng.choice((1, 1, 1, 2))))
    on_roll = {o["nop"] for o in roll}
    gone = [o for o in rolls.get(year - 1, []) if o["nop"] not in on_roll]
    for i in range(rng.randint(3, 6)):  # this year's tax to a NOP not on this year's roll
        if i < len(gone):  # removed from the roll this year
            o = gone[i]
        else:  # in a block that does not exist
            tail = f"0{rng.randint(60, 99)}{rng.randint(1, 999):04d}0"
            o = dict(rng.choice(wajib), nop=f"1872030{KEL_CODE[rng.choice(KEL)]}{tail}")
        pays.append(payment(o, o["pbb"] or 25_000, pay_date(), _orphan=True))
    pays = [p for p in pays if p["tanggal_bayar"] <= until(year)]  # received by delivery
    pays.sort(key=lambda p: (p["tanggal_bayar"], by_kelurahan(p["_nop"]), p["tahun_pajak"]))
    for seq, p in enumerate(pays, 1):
        p["no_transaksi"] = f"NTPD{year}{seq:06d}"
        p["nop"] = fmt_nop(p["_nop"], plain=rng.random() < 0.15)
        p["_f"] = (p["tanggal_bayar"].month - 1) * months // 12
        if p["tahun_pajak"] == year and rng.random() < 0.02:
            p["tahun_pajak"] = None  # defaults to the partition year
    number: dict[tuple, int] = {}  # SISMIOP numbers a NOP's payments of a tax year
    for p in pays:
        key = (p["_nop"], p["tahun_pajak"] or year)
        p["_ke"] = number[key] = number.get(key, 0) + 1

    def apply_pay(kind: str, p: dict) -> None:
        if kind == "bad_date":
            p["tanggal_bayar"] = impossible_date(rng, year)
        elif kind == "out_of_year":
            p["tanggal_bayar"] = date(year + 1, 1, rng.randint(2, 10))
        elif kind in ("nop17", "nop19"):
            d = p["_nop"]
            p["nop"] = fmt_nop(d[:13] + (d[14:17] if kind == "nop17" else d[13:17] + "1") + d[17])
        elif kind == "decimals":
            p["jumlah_bayar"] = f"{dot(p['jumlah_bayar'])},{rng.choice(('50', '75', '5'))}"
        elif kind == "not_positive":
            p["jumlah_bayar"] = rng.choice((0, -p["jumlah_bayar"]))
        elif kind == "empty":
            p[rng.choice(("no_transaksi", "nop", "tanggal_bayar", "jumlah_bayar"))] = None

    inject(rng, pays, ["bad_date", "out_of_year", "nop17", "nop19", "dup", "dup", "decimals",
                       "not_positive", "empty"], apply_pay,
           eligible=lambda p: not p.get("_inst") and not p.get("_orphan"))
    sismiop = year in SISMIOP_YEARS
    srng = rng_for(seed, "sismiop", year)  # SISMIOP's own details: not the year's draws
    sheets = []
    for f, part in enumerate(by_file(pays, months)):
        variant = (year + f) % 3
        label = f"smt{f + 1}" if months == 2 else f"tahap{f + 1}"
        first, last = date(year, 12 * f // months + 1, 1), date(year, 12 * (f + 1) // months, 28)
        rows = with_blanks(rng, part, variant)
        if sismiop:
            sheets.append(Sheet(
                path=f"raw/pbb_pembayaran/{year}/PEMBAYARAN_SPPT_{year}_{label}.csv",
                columns=PEMBAYARAN_COLUMNS, rows=pembayaran_rows(rows, year, srng),
                dates=ORACLE_DATES, amounts=(("plain", 1),), delimiter=",", encoding="utf-8"))
            continue
        sheets.append(Sheet(
            path=f"raw/pbb_pembayaran/{year}/pembayaran_pbb_{year}_{label}.csv",
            columns=PAY_COLUMNS[variant], rows=rows,
            titles=("DATA PEMBAYARAN PBB-P2 KECAMATAN METRO UTARA",
                    f"Periode {first:%m/%Y} \u2013 {last:%m/%Y}", "") if variant == 0 else (),
            dates=((("slash", 85), ("dash", 15)), (("iso", 90), ("slash", 10)),
                   (("long", 40), ("short", 30), ("slash", 30)))[variant],
            amounts=((("dot", 50), ("rp", 30), ("rp_dash", 20)), (("plain", 60), ("dec", 40)),
                     (("rp", 40), ("dot", 30), ("plain", 30)))[variant],
            **(COMMA_BOM if variant == 1 else SEMICOLON)))

    # The roll: faults only on objects without a payment of this year's tax, so they do
    # not cascade into rejected payments.
    paid = {p["_nop"] for p in pays if p["tahun_pajak"] in (year, None)}
    spelling = rng.choice(((0, 100, 0, 0, 0), (100, 0, 0, 0, 0), (0, 0, 0, 100, 0),
                           (60, 25, 5, 5, 5)))
    dhkp = [{"nop": fmt_nop(o["nop"], plain=rng.random() < 0.15), "_nop": o["nop"],
             "nama_wp": o["nama"], "alamat": o["alamat"], "kelurahan": kel_spelling(
                 rng, o["kel"], spelling), "luas_bumi": o["luas_bumi"],
             "luas_bangunan": o["luas_bangunan"], "pbb_terhutang": o["pbb"], "_f": 0,
             "jatuh_tempo": JATUH_TEMPO.get(year)}
            for o in roll]

    def apply_dhkp(kind: str, r: dict) -> None:
        d = r["_nop"]
        if kind == "nop17":
            r["nop"] = fmt_nop(d[:13] + d[14:])
        elif kind == "nop19":
            r["nop"] = d[:13] + "0" + d[13:]
        elif kind == "unknown_kel":
            r["kelurahan"] = rng.choice(UNKNOWN_KEL)
        elif kind == "decimals":
            r["pbb_terhutang"] = f"{dot(r['pbb_terhutang'])},50"
        elif kind == "negative":
            r["pbb_terhutang"] = -r["pbb_terhutang"] or -10_000
        elif kind == "empty":
            r[rng.choice(("nop", "kelurahan", "pbb_terhutang"))] = None

    inject(rng, dhkp, ["nop17", "nop19", "unknown_kel", "dup", "decimals", "negative", "empty"],
           apply_dhkp, eligible=lambda r: r["_nop"] not in paid)
    for no, r in enumerate(dhkp, 1):
        r["no"] = no
    fields = ("no", "nop", "nama_wp", "alamat", "kelurahan", "luas_bumi", "luas_bangunan",
              "pbb_terhutang")
    headers = DHKP_HEADERS[year % 3]
    if year in JATUH_TEMPO:
        fields, headers = (*fields, "jatuh_tempo"), (*headers, "JATUH TEMPO")
    rows = with_blanks(rng, dhkp, rng.randint(0, 2))
    if sismiop:
        sheets.insert(0, Sheet(
            path=f"raw/pbb_dhkp/{year}/SPPT_{year}_Metro_Utara.xlsx",
            columns=SPPT_COLUMNS, rows=sppt_rows(rows, year, roll, paid, srng),
            dates=(("oracle", 1),), text_dates=0.3, text_amounts=0.0, sheet_name="SPPT"))
        return sheets
    sheets.insert(0, Sheet(
        path=f"raw/pbb_dhkp/{year}/DHKP_{year}_Metro_Utara.xlsx",
        columns=list(zip(fields, headers)), rows=rows,
        titles=("DAFTAR HIMPUNAN KETETAPAN DAN PEMBAYARAN (DHKP) PBB-P2",
                "KECAMATAN METRO UTARA - KOTA METRO", f"TAHUN PAJAK {year}", ""),
        amounts=(("rp", 60), ("dot", 40)), text_amounts=0.1, sheet_name="DHKP"))
    return sheets


# ---------------------------------------------------------------- konflik

KONFLIK = {
    "Sengketa batas tanah": "Mediasi sengketa batas tanah antara dua warga RT {rt} RW {rw} "
                            "di Balai Kelurahan {kel}",
    "Perselisihan warga": "Fasilitasi penyelesaian perselisihan antarwarga RT {rt} terkait "
                          "{sebab}",
    "Konflik waris": "Mediasi pembagian harta waris keluarga di RW {rw}, dihadiri tokoh agama",
    "Sengketa jual beli tanah": "Klarifikasi dokumen jual beli tanah bersama Lurah {kel} "
                                "dan Bhabinkamtibmas",
    "Perselisihan antarpemuda": "Rapat koordinasi dengan Bhabinkamtibmas dan Babinsa terkait "
                                "perkelahian pemuda RW {rw}",
    "Pengaduan usaha warga": "Mediasi keberatan warga atas usaha peternakan ayam di RT {rt}",
}
HASIL = (("Selesai", 55), ("SELESAI", 5), ("Belum Selesai", 10), ("Belum selesai", 4),
         ("Proses", 14), (None, 12))


def konflik_sheets(seed: int, year: int) -> list[Sheet]:
    rng = rng_for(seed, "konflik", year)
    n = {2022: 18, 2023: rng.randint(22, 28), 2024: rng.randint(30, 38), 2025: 24,
         2026: 19}[year]
    days = [d for d in workdays(year) if d <= until(year)]
    rows = []
    for seq, d in enumerate(sorted(rng.sample(days, n)), 1):
        jenis = rng.choices(list(KONFLIK), (25, 25, 15, 15, 10, 10))[0]
        kel = rng.choice(KEL)
        rows.append({
            "no_kegiatan": f"K-{year}-{seq:02d}", "tanggal": d, "jenis_konflik": jenis,
            "kelurahan": kel_spelling(rng, kel), "hasil": pick(rng, HASIL), "_f": 0,
            "uraian_kegiatan": KONFLIK[jenis].format(
                rt=f"{rng.randint(1, 40):03d}", rw=f"{rng.randint(1, 12):03d}", kel=kel,
                sebab=rng.choice(("saluran air", "kebisingan", "ternak lepas", "parkir"))),
            "tempat": f"Balai Kelurahan {kel}" if rng.random() < 0.6 else "Kantor Camat"})

    def apply(kind: str, r: dict) -> None:
        if kind == "hasil_gagal":
            r["hasil"] = rng.choice(("Gagal", "Tidak Selesai", "Batal"))
        elif kind == "bad_date":
            r["tanggal"] = impossible_date(rng, year)
        elif kind == "unknown_kel":
            r["kelurahan"] = rng.choice(UNKNOWN_KEL)
        elif kind == "empty":
            r["jenis_konflik"] = None
        elif kind == "out_of_year":
            r["tanggal"] = shift_year(r["tanggal"], -1)

    inject(rng, rows, ["hasil_gagal", "bad_date", "unknown_kel", "dup", "empty", "out_of_year"],
           apply, minimum=2 if n > 30 else 1, first=year - 2022)
    upper = year % 2 == 0
    headers = (("NO. KEGIATAN", "TANGGAL KEGIATAN", "KELURAHAN", "JENIS", "URAIAN", "HASIL",
                "TEMPAT") if upper else
               ("No Kegiatan", "Tanggal", "Kelurahan", "Jenis Konflik", "Uraian Kegiatan",
                "Hasil", "Tempat"))
    fields = ("no_kegiatan", "tanggal", "kelurahan", "jenis_konflik", "uraian_kegiatan",
              "hasil", "tempat")
    return [Sheet(
        path=f"raw/konflik/{year}/penanganan_konflik_{year}.xlsx",
        columns=list(zip(fields, headers)), rows=with_blanks(rng, rows, int(upper)),
        titles=("REKAPITULASI PENANGANAN KONFLIK SOSIAL",
                f"KECAMATAN METRO UTARA TAHUN {year}", ""),
        dates=(("long", 60), ("slash", 40)), text_dates=0.1, sheet_name="Konflik")]


# ---------------------------------------------------------------- main


def generate(out: Path, seed: int) -> list[tuple[str, int]]:
    raw = out / "raw"
    if raw.exists():
        shutil.rmtree(raw)
    rolls = build_rolls(seed)
    sheets = [s for y in YEARS for s in layanan_sheets(seed, y)]
    sheets += [s for y in YEARS for s in musrenbang_sheets(seed, y)]
    sheets += [s for y in YEARS for s in pbb_sheets(seed, y, rolls)]
    sheets += [s for y in YEARS if y >= 2022 for s in konflik_sheets(seed, y)]  # 2021: none
    written = []
    for sheet in sorted(sheets, key=lambda s: s.path):
        path = out / sheet.path
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = write_xlsx if path.suffix == ".xlsx" else write_csv
        writer(path, sheet, rng_for(seed, "write", sheet.path))
        written.append((sheet.path, sum(r is not None for r in sheet.rows)))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "data",
                        help="folder whose raw/ subtree is replaced (default: data/)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    written = generate(args.out, args.seed)
    for path, rows in written:
        print(f"{path}  {rows} rows")
    print(f"{len(written)} files, {sum(n for _, n in written)} rows")


if __name__ == "__main__":
    main()
