"""The same IKU values as the pipeline, computed by DuckDB SQL straight on the files.

The benchmark's reference (docs/data-contract.md §2-§3, written again from the contract, not from
``iku_pipeline.sources``): for one year it reads every source's CSV files with DuckDB,
drops blank rows, parses and checks every value (dates in the accepted formats, rupiah,
NOP digits, kelurahan, status, numbers), checks references to the other sources' accepted
rows, rejects later duplicates among the rows passing every other rule (file name order,
then row order), and counts the indicators per kelurahan. It returns the
``realisasi_iku`` figures (kode × wilayah pembilang/penyebut), the rejected row count
per source, IKU 4's supplementary share, and the figures §3 asks to report.

Python only finds each file's header row and delimiter in its first 10 records (as the
contract says) and maps the header to the columns; everything on the rows is SQL.

It reads CSV only. An XLSX extract is read through a CSV conversion made once, outside
any timing, by :func:`xlsx_to_csv`.

What the pipeline does besides, and this reference does not: mask and hash personal data
(§6), and write each rejected row's record (first failing column, reason, the row's
values as JSON): the reference only counts the rejected rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from iku_pipeline.sources.reference import load_jenis_layanan

CONVERTER_VERSION = 2  # of xlsx_to_csv's rendering: cached conversions are remade on change
KECAMATAN = "Kecamatan Metro Utara"
KELURAHAN = ("Banjarsari", "Purwosari", "Purwoasri", "Karangrejo")
HEADER_SEARCH_ROWS = 10
WS = " \t\r\n\x0b\x0c\xa0"  # stripped like the pipeline strips (ASCII and no-break space)

# docs/data-contract.md §3: (column, required, aliases) per source, in the contract's order.
CONTRACT: dict[str, tuple[tuple[str, bool, tuple[str, ...]], ...]] = {
    "layanan": (
        ("no_register", True, ("nomor register", "no reg", "no agenda")),
        ("tanggal_masuk", True, ("tanggal", "tgl masuk", "tanggal diterima")),
        ("jenis_layanan", True, ("jenis", "layanan", "jenis pelayanan")),
        ("kelurahan", True, ("kel", "desa/kelurahan")),
        ("status", True, ("status berkas", "keterangan")),
        ("tanggal_selesai", False, ("tgl selesai",)),
        ("nik_pemohon", False, ("nik",)),
        ("nama_pemohon", False, ("nama",)),
    ),
    "musrenbang_usulan": (
        ("id_usulan", True, ("id", "kode usulan", "no usulan")),
        ("kelurahan", True, ()),
        ("uraian_usulan", True, ("usulan", "uraian", "kegiatan")),
        ("bidang", False, ()),
        ("tanggal_usulan", False, ("tanggal",)),
    ),
    "musrenbang_ba": (
        ("id_usulan", True, ("id", "kode usulan", "no usulan")),
        ("nomor_ba", False, ("no ba",)),
        ("prioritas", False, ("ranking",)),
    ),
    "pbb_dhkp": (
        ("nop", True, ("nomor objek pajak",)),
        ("kelurahan", True, ()),
        ("pbb_terhutang", True, ("ketetapan", "pokok", "pbb")),
        ("nama_wp", False, ("nama wajib pajak",)),
        ("luas_bumi", False, ()),
        ("luas_bangunan", False, ()),
    ),
    "pbb_pembayaran": (
        ("no_transaksi", True, ("ntpd", "no bukti", "nomor transaksi")),
        ("nop", True, ("nomor objek pajak",)),
        ("tanggal_bayar", True, ("tgl bayar", "tanggal")),
        ("jumlah_bayar", True, ("jumlah", "bayar", "pokok bayar")),
        ("tahun_pajak", False, ("tahun", "tahun sppt")),
    ),
    "konflik": (
        ("no_kegiatan", True, ("no", "nomor")),
        ("tanggal", True, ("tanggal kegiatan",)),
        ("kelurahan", True, ()),
        ("jenis_konflik", True, ("jenis",)),
        ("uraian_kegiatan", False, ("uraian", "kegiatan")),
        ("hasil", False, ("status", "keterangan")),
    ),
}
SOURCE_ORDER = tuple(CONTRACT)
IKU1 = {"KK_KTP": "1a", "IMB": "1b", "IUMK": "1c", "NIKAH": "1d"}

MONTHS = {
    "januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5,
    "juni": 6, "juli": 7, "agustus": 8, "september": 9, "oktober": 10, "nopember": 11,
    "november": 11, "desember": 12, "jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4,
    "jun": 6, "jul": 7, "agu": 8, "agt": 8, "ags": 8, "agus": 8, "sep": 9, "sept": 9,
    "okt": 10, "nov": 11, "nop": 11, "des": 12, "january": 1, "february": 2, "march": 3,
    "may": 5, "june": 6, "july": 7, "august": 8, "october": 10, "december": 12, "aug": 8,
    "oct": 10, "dec": 12,
}  # fmt: skip


class UnreadableFile(Exception):
    """A file the reference cannot read (the pipeline would report it as failed)."""


# ---------------------------------------------------------------- files and headers


def normalise_header(text: object) -> str:
    return re.sub(r"[\s_.\-]+", " ", "" if text is None else str(text)).strip().casefold()


def _positions(cells: list, columns) -> dict[str, int]:
    """Column -> position in a header row: own names before aliases, a cell serves one."""
    normal = [normalise_header(c) for c in cells]
    taken: dict[int, str] = {}

    def take(name: str, header: str) -> bool:
        for i, n in enumerate(normal):
            if n == normalise_header(header) and i not in taken:
                taken[i] = name
                return True
        return False

    unplaced = [c for c in columns if not take(c[0], c[0])]
    for name, _, aliases in unplaced:
        any(take(name, a) for a in aliases)
    return {name: i for i, name in taken.items()}


@dataclass
class Layout:
    path: Path  # the CSV DuckDB reads
    berkas: str  # the file as delivered
    delimiter: str
    skip: int  # physical lines above the header row
    width: int
    positions: dict[str, int]


def _layout(path: Path, berkas: str, columns) -> Layout:
    required = {c[0] for c in columns if c[1]}
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            head = io.StringIO(f.read(1 << 20), newline="")
    except UnicodeDecodeError as e:
        raise UnreadableFile(f"{berkas}: the reference reads UTF-8 CSV only ({e})") from e
    text = head.getvalue()
    first = ";" if text.count(";") >= text.count(",") else ","
    for delimiter in (first, "," if first == ";" else ";"):
        head.seek(0)
        reader = csv.reader(head, delimiter=delimiter)
        start = 1
        for _ in range(HEADER_SEARCH_ROWS):
            try:
                cells = next(reader)
            except (StopIteration, csv.Error):
                break
            positions = _positions(cells, columns)
            if required <= positions.keys():
                return Layout(path, berkas, delimiter, start - 1, len(cells), positions)
            start = reader.line_num + 1
    raise UnreadableFile(f"{berkas}: no header row with {sorted(required)}")


def source_files(
    raw: Path, source: str, tahun: int, xlsx_csv: Path | None
) -> list[tuple[str, Path]]:
    """(file as delivered, CSV to read) of a source-year, in name order."""
    folder = raw / source / str(tahun)
    if not folder.is_dir():
        return []
    out = []
    for p in sorted(folder.iterdir(), key=lambda p: p.name):
        if p.name.startswith((".", "~$")) or p.is_dir():
            continue
        suffix = p.suffix.casefold()
        if suffix == ".csv":
            out.append((p.name, p))
        elif suffix == ".xlsx":
            converted = (xlsx_csv / source / str(tahun) / f"{p.name}.csv") if xlsx_csv else None
            if converted is None or not converted.is_file():
                raise UnreadableFile(f"{p.name}: XLSX, convert it first (xlsx_to_csv)")
            out.append((p.name, converted))
        else:
            raise UnreadableFile(f"{p.name}: neither .csv nor .xlsx")
    return out


def _render(v: object) -> str:
    """An Excel cell as CSV text, shown as the clerk sees it: a real date day first
    (its time of day dropped, as the pipeline takes a real date's day), whole numbers
    without ``.0``."""
    if v is None:
        return ""
    if isinstance(v, (dt.datetime, dt.date)):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    return str(v)


def xlsx_to_csv(raw: Path, out: Path) -> list[Path]:
    """Every ``raw/<source>/<year>/*.xlsx`` as ``out/<source>/<year>/<name>.csv`` (first
    sheet, every row, cells rendered as the pipeline reads them)."""
    import openpyxl

    written = []
    for path in sorted(raw.glob("*/*/*.xlsx")):
        if path.name.startswith((".", "~$")):
            continue
        target = out / path.parent.parent.name / path.parent.name / f"{path.name}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            ws.reset_dimensions()
            rows = [[_render(v) for v in r] for r in ws.iter_rows(values_only=True)]
        finally:
            wb.close()
        width = max((len(r) for r in rows), default=0)
        with target.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerows(r + [""] * (width - len(r)) for r in rows)
        written.append(target)
    return written


# ---------------------------------------------------------------- SQL

_MONTH_MAP = "MAP {" + ", ".join(f"'{k}': {v}" for k, v in MONTHS.items()) + "}"

# Whitespace as the pipeline strips and folds it (ASCII whitespace and the no-break space
# spreadsheets produce; the rarer Unicode spaces are left out of the reference).
_WS_CLASS = "[\\t\\n\\x{0B}\\x{0C}\\r \\x{A0}]"
_WS_RE = _WS_CLASS + "+"
_WS_ANY = " OR ".join(f"contains(x, chr({c}))" for c in (9, 10, 11, 12, 13, 160))

# Each costly regular expression is guarded by a cheap test that only skips it where it
# cannot change the value. Parsing runs in projections (which share common
# subexpressions), never in a filter, so nothing is evaluated twice.
MACROS = f"""
CREATE MACRO strip(x) AS CASE WHEN regexp_matches(x, '^{_WS_CLASS}|{_WS_CLASS}$')
    THEN trim(x, '{WS}') ELSE x END;
CREATE MACRO squash(x) AS CASE WHEN contains(x, '  ') OR {_WS_ANY}
    THEN regexp_replace(x, '{_WS_RE}', ' ', 'g') ELSE x END;
CREATE MACRO blank(row_text) AS regexp_full_match(row_text, '{_WS_CLASS}*');
CREATE MACRO date_text(f) AS CASE WHEN contains(f, ' 00:00')
    THEN regexp_replace(f, '(\\d) 00:00(:00)?$', '\\1') ELSE f END;
CREATE MACRO parse_date(s) AS CAST(CASE
    WHEN regexp_full_match(s, '\\d{{4}}-\\d{{1,2}}-\\d{{1,2}}') THEN try_strptime(s, '%Y-%m-%d')
    WHEN regexp_full_match(s, '\\d{{1,2}}/\\d{{1,2}}/\\d{{4}}') THEN try_strptime(s, '%d/%m/%Y')
    WHEN regexp_full_match(s, '\\d{{1,2}}-\\d{{1,2}}-\\d{{4}}') THEN try_strptime(s, '%d-%m-%Y')
    WHEN regexp_full_match(s, '\\d{{1,2}}[ \\-/]\\s*[a-z]+\\.?[ \\-/]\\s*\\d{{4}}')
    THEN try_strptime(regexp_extract(s, '^(\\d{{1,2}})', 1) || '-'
        || CAST({_MONTH_MAP}[regexp_extract(s, '^\\d{{1,2}}[ \\-/]\\s*([a-z]+)', 1)] AS VARCHAR)
        || '-' || right(s, 4), '%d-%m-%Y')
    END AS DATE);
CREATE MACRO no_rp(t) AS CASE WHEN lower(left(t, 2)) = 'rp'
    THEN regexp_replace(t, '^[Rr][Pp]\\.?\\s*', '') ELSE t END;
CREATE MACRO no_space(x) AS CASE WHEN contains(x, ' ') OR {_WS_ANY}
    THEN regexp_replace(x, '{_WS_RE}', '', 'g') ELSE x END;
CREATE MACRO no_dash(t) AS CASE WHEN suffix(t, ',-') OR suffix(t, '.-')
    THEN t[1:length(t) - 2] ELSE t END;
CREATE MACRO indonesian(c) AS regexp_full_match(c, '-?(\\d{{1,3}}(\\.\\d{{3}})+|\\d+)(,\\d*)?');
CREATE MACRO decimals(c) AS CASE WHEN contains(c, ',') THEN split_part(c, ',', 2) ELSE '' END;
CREATE MACRO rupiah(c) AS CASE WHEN indonesian(c) AND rtrim(decimals(c), '0') = ''
    THEN try_cast(replace(split_part(c, ',', 1), '.', '') AS DOUBLE) END;
CREATE MACRO number(c) AS CASE
    WHEN indonesian(c) THEN try_cast(replace(split_part(c, ',', 1), '.', '') || '.'
        || coalesce(nullif(decimals(c), ''), '0') AS DOUBLE)
    WHEN regexp_full_match(c, '-?\\d+\\.\\d+') THEN try_cast(c AS DOUBLE) END;
CREATE MACRO sane(v) AS v IS NOT NULL AND abs(v) < 1e15;
CREATE MACRO whole(v) AS sane(v) AND v = floor(v);
CREATE MACRO digits(y) AS CASE WHEN regexp_full_match(y, '[0-9]*') THEN y
    ELSE regexp_replace(y, '[^0-9]', '', 'g') END;
CREATE MACRO nop_of(x) AS CASE WHEN length(digits(replace(replace(x, '.', ''), '-', ''))) = 18
    THEN digits(replace(replace(x, '.', ''), '-', '')) END;
"""

STATUS_DIPROSES = ("selesai", "diterbitkan", "ditolak", "dikembalikan")
STATUS_BELUM = ("proses", "diproses", "dalam proses", "menunggu", "baru", "pending")
HASIL = {"selesai": "Selesai", "belum selesai": "Belum Selesai", "proses": "Proses"}


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# How each column the rules look at is parsed (docs/data-contract.md §2), as a chain of steps:
# (alias, expression over the previous step's alias). Step i of every column runs in
# projection level i, so each expression only ever sees plain columns.
def _chain(col: str, kind: str) -> list[tuple[str, str]]:
    t = (f"{col}__t", f"strip({col})")
    fold = (f"{col}__f", f"nullif(lower(squash({col}__t)), '')")
    match kind:
        case "key":
            rest = [(f"{col}__v", f"lower(nullif({col}__t, ''))")]
        case "text":
            rest = [(f"{col}__v", f"nullif({col}__t, '')")]
        case "fold":
            rest = [(f"{col}__v", fold[1])]
        case "date":
            rest = [
                fold,
                (f"{col}__s", f"date_text({col}__f)"),
                (f"{col}__v", f"parse_date({col}__s)"),
            ]
        case "kelurahan":
            f = f"{col}__f"
            prefix = f"regexp_replace({f}, '^(kelurahan|kel)\\b\\.?\\s*', '')"
            names = " ".join(f"WHEN '{k.casefold()}' THEN '{k}'" for k in KELURAHAN)
            rest = [
                fold,
                (f"{col}__k", f"CASE WHEN starts_with({f}, 'kel') THEN {prefix} ELSE {f} END"),
                (f"{col}__v", f"CASE {col}__k {names} END"),
            ]
        case "rupiah" | "number":
            rest = [
                (f"{col}__a", f"no_rp({col}__t)"),
                (f"{col}__b", f"no_space({col}__a)"),
                (f"{col}__c", f"nullif(no_dash({col}__b), '')"),
                (f"{col}__v", f"{kind}({col}__c)"),
            ]
        case "nop":
            rest = [
                (f"{col}__n", f"replace(replace(nullif({col}__t, ''), '.', ''), '-', '')"),
                (f"{col}__d", f"digits({col}__n)"),
                (f"{col}__v", f"CASE WHEN length({col}__d) = 18 THEN CAST({col}__d AS BIGINT) END"),
            ]
        case _:
            raise ValueError(kind)
    return [t, *rest]


KINDS = {
    "layanan": {"no_register": "key", "tanggal_masuk": "date", "jenis_layanan": "text",
                "kelurahan": "kelurahan", "status": "fold", "tanggal_selesai": "date"},
    "musrenbang_usulan": {"id_usulan": "key", "kelurahan": "kelurahan",
                          "uraian_usulan": "text", "tanggal_usulan": "date"},
    "musrenbang_ba": {"id_usulan": "key", "prioritas": "number"},
    "pbb_dhkp": {"nop": "nop", "kelurahan": "kelurahan", "pbb_terhutang": "rupiah",
                 "luas_bumi": "number", "luas_bangunan": "number"},
    "pbb_pembayaran": {"no_transaksi": "key", "nop": "nop", "tanggal_bayar": "date",
                       "jumlah_bayar": "rupiah", "tahun_pajak": "number"},
    "konflik": {"no_kegiatan": "key", "tanggal": "date", "kelurahan": "kelurahan",
                "jenis_konflik": "text", "hasil": "fold"},
}  # fmt: skip


def _parsed(source: str) -> str:
    """SQL: the raw rows with every column parsed: ``<col>__v`` the value, ``<col>__t``
    the trimmed text (empty: nothing given)."""
    chains = [_chain(col, kind) for col, kind in KINDS[source].items()]
    sql = f"SELECT rowid AS rid, * FROM raw_{source}"
    for level in range(max(len(c) for c in chains)):
        steps = [c[level] for c in chains if level < len(c)]
        sql = f"SELECT *, {', '.join(f'{e} AS {a}' for a, e in steps)} FROM ({sql})"
    return sql


def _given(col: str) -> str:
    return f"coalesce({col}__t, '') <> ''"


def _validated(source: str, select: str, ok: str) -> list[str]:
    """Statements making ``acc_<source>``: the rows passing every rule, the first of each
    key ``k`` among them (``rid`` follows the files in name order, then their rows).

    The parsed rows are materialised first: a filter on ``ok`` right over the parsing
    would be pushed down into the scan, where every parsing expression is copied per use.
    """
    return [
        f"CREATE TEMP TABLE v_{source} AS SELECT rid, {select}, {ok} AS ok "
        f"FROM ({_parsed(source)})",
        f"DROP TABLE raw_{source}",
        f"CREATE TEMP TABLE acc_{source} AS SELECT * FROM v_{source} WHERE ok AND rid IN "
        f"(SELECT min(rid) FROM v_{source} WHERE ok GROUP BY k)",
        f"DROP TABLE v_{source}",
    ]


def _sql_layanan(tahun: int) -> list[str]:
    masuk, selesai = "tanggal_masuk__v", "tanggal_selesai__v"
    return _validated(
        "layanan",
        f"no_register__v AS k, {masuk} AS masuk, {selesai} AS selesai, "
        "jenis_layanan__v AS jenis, kelurahan__v AS kelurahan, status__v AS status_f",
        f"""no_register__v IS NOT NULL AND {masuk} IS NOT NULL AND year({masuk}) = {tahun}
            AND jenis_layanan__v IS NOT NULL AND kelurahan__v IS NOT NULL
            AND (status__v IS NULL OR status__v IN {_in(STATUS_DIPROSES + STATUS_BELUM)})
            AND (NOT {_given("tanggal_selesai")}
                 OR ({selesai} IS NOT NULL AND {selesai} >= {masuk}))""",
    ) + [
        f"""CREATE TEMP TABLE iku_layanan AS
        SELECT a.*, coalesce(j.kategori, 'LAINNYA') AS kategori, j.kategori IS NULL AS unmapped,
            CASE WHEN status_f IN {_in(STATUS_DIPROSES)} THEN true
                 WHEN status_f IN {_in(STATUS_BELUM)} THEN false
                 ELSE selesai IS NOT NULL END AS diproses
        FROM acc_layanan a LEFT JOIN jenis_layanan j
            ON j.alias = lower(trim(regexp_replace(a.jenis, '\s+', ' ', 'g')))"""
    ]


def _sql_usulan(tahun: int) -> list[str]:
    tanggal = "tanggal_usulan__v"
    return _validated(
        "musrenbang_usulan",
        "id_usulan__v AS k, kelurahan__v AS kelurahan",
        f"""id_usulan__v IS NOT NULL AND kelurahan__v IS NOT NULL
            AND uraian_usulan__v IS NOT NULL
            AND (NOT {_given("tanggal_usulan")}
                 OR ({tanggal} IS NOT NULL AND year({tanggal}) = {tahun}))""",
    )


def _sql_ba(tahun: int) -> list[str]:
    return _validated(
        "musrenbang_ba",
        "id_usulan__v AS k",
        f"""id_usulan__v IS NOT NULL
            AND (NOT {_given("prioritas")} OR (whole(prioritas__v) AND prioritas__v >= 1))
            AND id_usulan__v IN (SELECT k FROM acc_musrenbang_usulan)""",
    )


def _sql_dhkp(tahun: int) -> list[str]:
    def luas(c: str) -> str:
        return f"(NOT {_given(c)} OR (sane({c}__v) AND {c}__v >= 0))"

    return _validated(
        "pbb_dhkp",
        "nop__v AS k, kelurahan__v AS kelurahan, CAST(pbb_terhutang__v AS BIGINT) AS pbb",
        f"""nop__v IS NOT NULL AND kelurahan__v IS NOT NULL
            AND sane(pbb_terhutang__v) AND pbb_terhutang__v >= 0
            AND {luas("luas_bumi")} AND {luas("luas_bangunan")}""",
    )


def _sql_pembayaran(tahun: int) -> list[str]:
    tanggal, jumlah, tp = "tanggal_bayar__v", "jumlah_bayar__v", "tahun_pajak__v"
    tahun_pajak = f"coalesce(CAST({tp} AS INTEGER), {tahun})"
    return _validated(
        "pbb_pembayaran",
        f"no_transaksi__v AS k, nop__v AS nop, CAST({jumlah} AS BIGINT) AS jumlah, "
        f"{tahun_pajak} AS tahun_pajak",
        f"""no_transaksi__v IS NOT NULL AND nop__v IS NOT NULL
            AND {tanggal} IS NOT NULL AND year({tanggal}) = {tahun}
            AND sane({jumlah}) AND {jumlah} > 0
            AND (NOT {_given("tahun_pajak")} OR (whole({tp}) AND {tp} BETWEEN 1900 AND 2100))
            AND ({tahun_pajak} <> {tahun} OR nop__v IN (SELECT k FROM acc_pbb_dhkp))""",
    )


def _sql_konflik(tahun: int) -> list[str]:
    hasil = "CASE hasil__v " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in HASIL.items()) + " END"
    return _validated(
        "konflik",
        f"no_kegiatan__v AS k, kelurahan__v AS kelurahan, {hasil} AS hasil",
        f"""no_kegiatan__v IS NOT NULL AND tanggal__v IS NOT NULL AND year(tanggal__v) = {tahun}
            AND kelurahan__v IS NOT NULL AND jenis_konflik__v IS NOT NULL
            AND (hasil__v IS NULL OR hasil__v IN {_in(HASIL)})""",
    )


VALIDATE = {
    "layanan": _sql_layanan,
    "musrenbang_usulan": _sql_usulan,
    "musrenbang_ba": _sql_ba,
    "pbb_dhkp": _sql_dhkp,
    "pbb_pembayaran": _sql_pembayaran,
    "konflik": _sql_konflik,
}


# ---------------------------------------------------------------- loading


def _load(con: duckdb.DuckDBPyConnection, source: str, layouts: list[Layout]) -> None:
    """raw_<source>: every non-blank data row of every file. Files are inserted one after
    the other in name order and DuckDB keeps a file's row order (preserve_insertion_order),
    so ``rowid`` is the contract's file-then-row order."""
    names = [c[0] for c in CONTRACT[source]]
    con.execute(f"CREATE TEMP TABLE raw_{source} ({', '.join(f'{n} VARCHAR' for n in names)})")
    for lay in layouts:
        cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(lay.width))
        select = ", ".join(
            f"c{lay.positions[n]}" if n in lay.positions else "NULL" for n in names
        )
        row_text = "concat(" + ", ".join(f"c{i}" for i in range(lay.width)) + ")"
        con.execute(
            f"INSERT INTO raw_{source} SELECT {select} "
            f"FROM read_csv(?, delim=?, skip=?, header=true, auto_detect=false, "
            f"columns={{{cols}}}, quote='\"', escape='\"') WHERE NOT blank({row_text})",
            [str(lay.path), lay.delimiter, lay.skip],
        )


# ---------------------------------------------------------------- result


@dataclass
class Reference:
    tahun: int
    # kode (the IKU and 3_nominal), wilayah, pembilang, penyebut (Int64; null: not delivered)
    realisasi: pd.DataFrame
    read: dict[str, int]  # non-blank rows read per source
    rejected: dict[str, int]  # rejected rows per source
    tambahan: pd.DataFrame  # wilayah, kegiatan, kegiatan_selesai
    laporan: dict = field(default_factory=dict)


def _per_kelurahan(con, sql: str) -> dict[str, tuple[int, int]]:
    """{kelurahan: (pembilang, penyebut)} from a query of (kelurahan, p, q)."""
    rows = {k: (int(p), int(q)) for k, p, q in con.execute(sql).fetchall()}
    return {k: rows.get(k, (0, 0)) for k in KELURAHAN}


def compute(
    data_dir: Path, tahun: int, xlsx_csv: Path | None = None, threads: int | None = None
) -> Reference:
    """The year's IKU figures and rejected counts of the extracts under ``data_dir``."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        for statement in MACROS.split(";\n"):
            if statement.strip():
                con.execute(statement)
        jenis = load_jenis_layanan(data_dir / "reference")
        con.execute("CREATE TEMP TABLE jenis_layanan (alias VARCHAR, kategori VARCHAR)")
        con.executemany("INSERT INTO jenis_layanan VALUES (?, ?)", list(jenis.items()))

        delivered, read, rejected = {}, {}, {}
        for source in SOURCE_ORDER:
            files = source_files(data_dir / "raw", source, tahun, xlsx_csv)
            delivered[source] = bool(files)
            layouts = [_layout(path, berkas, CONTRACT[source]) for berkas, path in files]
            _load(con, source, layouts)
            n_read = con.execute(f"SELECT count(*) FROM raw_{source}").fetchone()[0]
            for statement in VALIDATE[source](tahun):
                con.execute(statement)
            n_acc = con.execute(f"SELECT count(*) FROM acc_{source}").fetchone()[0]
            read[source], rejected[source] = n_read, n_read - n_acc

        figures: dict[str, dict[str, tuple[int, int]] | None] = {}
        if delivered["layanan"]:
            for kode, kategori in [("1", tuple(IKU1)), *((v, (k,)) for k, v in IKU1.items())]:
                figures[kode] = _per_kelurahan(
                    con,
                    f"SELECT kelurahan, count(*) FILTER (diproses), count(*) FROM iku_layanan "
                    f"WHERE kategori IN {_in(kategori)} GROUP BY kelurahan",
                )
        if delivered["musrenbang_usulan"] and delivered["musrenbang_ba"]:
            figures["2"] = _per_kelurahan(
                con,
                "SELECT kelurahan, count(*) FILTER (k IN (SELECT k FROM acc_musrenbang_ba)), "
                "count(*) FROM acc_musrenbang_usulan GROUP BY kelurahan",
            )
        laporan: dict = {}
        if delivered["pbb_dhkp"] and delivered["pbb_pembayaran"]:
            con.execute(
                f"""CREATE TEMP TABLE wp AS
                SELECT d.kelurahan, d.pbb, coalesce(p.dibayar, 0) AS dibayar
                FROM acc_pbb_dhkp d LEFT JOIN (
                    SELECT nop, sum(jumlah) AS dibayar FROM acc_pbb_pembayaran
                    WHERE tahun_pajak = {tahun} GROUP BY nop) p ON p.nop = d.k
                WHERE d.pbb > 0"""
            )
            figures["3"] = _per_kelurahan(
                con,
                "SELECT kelurahan, count(*) FILTER (dibayar >= pbb), count(*) FROM wp "
                "GROUP BY kelurahan",
            )
            # 3_nominal: payments of the year to a wajib pajak, in full / its pbb_terhutang.
            figures["3_nominal"] = _per_kelurahan(
                con, "SELECT kelurahan, sum(dibayar), sum(pbb) FROM wp GROUP BY kelurahan"
            )
            wp, lunas, sebagian = con.execute(
                "SELECT count(*), count(*) FILTER (dibayar >= pbb), "
                "count(*) FILTER (dibayar > 0 AND dibayar < pbb) FROM wp"
            ).fetchone()
            n_arrears, sum_arrears = con.execute(
                f"SELECT count(*), coalesce(sum(jumlah), 0) FROM acc_pbb_pembayaran "
                f"WHERE tahun_pajak <> {tahun}"
            ).fetchone()
            exempt = con.execute("SELECT count(*) FROM acc_pbb_dhkp WHERE pbb = 0").fetchone()[0]
            laporan["pbb"] = {
                "objek_dibebaskan": int(exempt),
                "wajib_pajak": int(wp),
                "wajib_pajak_lunas": int(lunas),
                "wajib_pajak_bayar_sebagian": int(sebagian),
                "pembayaran_tunggakan": int(n_arrears),
                "jumlah_tunggakan_rp": int(sum_arrears),
            }
        if delivered["layanan"]:
            laporan["jenis_layanan_tidak_dikenal"] = {
                j: int(n)
                for j, n in con.execute(
                    "SELECT jenis, count(*) FROM iku_layanan WHERE unmapped "
                    "GROUP BY jenis ORDER BY jenis"
                ).fetchall()
            }
        konflik = None
        if delivered["konflik"]:
            konflik = _per_kelurahan(
                con,
                "SELECT kelurahan, count(*) FILTER (hasil = 'Selesai'), count(*) "
                "FROM acc_konflik GROUP BY kelurahan",
            )
            figures["4"] = {k: (q, None) for k, (_, q) in konflik.items()}
    finally:
        con.close()

    rows = []
    for kode in ("1", "1a", "1b", "1c", "1d", "2", "3", "4", "3_nominal"):
        per_kel = figures.get(kode)
        for wilayah in (KECAMATAN, *KELURAHAN):
            if per_kel is None:
                rows.append((kode, wilayah, None, None))
            elif wilayah == KECAMATAN:
                p = sum(v[0] for v in per_kel.values())
                q = None if kode == "4" else sum(v[1] for v in per_kel.values())
                rows.append((kode, wilayah, p, q))
            else:
                rows.append((kode, wilayah, *per_kel[wilayah]))
    realisasi = pd.DataFrame(rows, columns=["kode", "wilayah", "pembilang", "penyebut"]).astype(
        {"pembilang": "Int64", "penyebut": "Int64"}
    )
    tambahan_rows = []
    for wilayah in (KECAMATAN, *KELURAHAN):
        if konflik is None:
            tambahan_rows.append((wilayah, None, None))
        elif wilayah == KECAMATAN:
            tambahan_rows.append(
                (wilayah, sum(v[1] for v in konflik.values()), sum(v[0] for v in konflik.values()))
            )
        else:
            tambahan_rows.append((wilayah, konflik[wilayah][1], konflik[wilayah][0]))
    tambahan = pd.DataFrame(
        tambahan_rows, columns=["wilayah", "kegiatan", "kegiatan_selesai"]
    ).astype({"kegiatan": "Int64", "kegiatan_selesai": "Int64"})
    return Reference(tahun, realisasi, read, rejected, tambahan, laporan)
