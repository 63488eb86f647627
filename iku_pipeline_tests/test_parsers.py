"""docs/data-contract.md §2 value formats, one rule per test: what a clerk types, what it means.

Each parser takes the cells of one column as read and returns ``Parsed(values, errors)``;
a cell that cannot be parsed gets a reason in Indonesian quoting the value as typed.
"""

import datetime as dt

import pandas as pd
import pytest

from iku_pipeline.sources import digits, keys, parsers


def one(parse, cell):
    """(value, reason) of a single cell."""
    result = parse(pd.Series([cell], dtype=object))
    return result.values.iloc[0], result.errors.iloc[0]


def ok(parse, cell):
    value, reason = one(parse, cell)
    assert reason is None, f"{cell!r} rejected: {reason}"
    return value


def rejected(parse, cell):
    value, reason = one(parse, cell)
    assert reason, f"{cell!r} accepted as {value!r}"
    assert pd.isna(value)
    return reason


def rupiah(cells):
    return parsers.parse_rupiah(cells, "jumlah_bayar")


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text", ["2023-01-31", "31/01/2023", "31-01-2023", "31 Januari 2023", "31 Jan 2023"]
)
def test_every_contract_date_format_is_31_january_2023(text):
    assert ok(parsers.parse_date, text) == pd.Timestamp(2023, 1, 31)


@pytest.mark.parametrize(
    "text", ["31 JANUARI 2023", "31 januari 2023", "31 jAnUaRi 2023", "31 JAN 2023", "31 jan 2023"]
)
def test_month_names_in_any_case(text):
    assert ok(parsers.parse_date, text) == pd.Timestamp(2023, 1, 31)


@pytest.mark.parametrize(
    "text, month",
    [
        # Indonesian full names and abbreviations
        ("15 Februari 2023", 2), ("15 Maret 2023", 3), ("15 April 2023", 4),
        ("15 Mei 2023", 5), ("15 Juni 2023", 6), ("15 Juli 2023", 7),
        ("15 Agustus 2023", 8), ("15 September 2023", 9), ("15 Oktober 2023", 10),
        ("15 November 2023", 11), ("15 Desember 2023", 12),
        ("15 Feb 2023", 2), ("15 Mar 2023", 3), ("15 Apr 2023", 4), ("15 Jun 2023", 6),
        ("15 Jul 2023", 7), ("15 Agu 2023", 8), ("15 Sep 2023", 9), ("15 Okt 2023", 10),
        ("15 Nov 2023", 11), ("15 Des 2023", 12),
        # English full names and abbreviations
        ("15 January 2023", 1), ("15 February 2023", 2), ("15 March 2023", 3),
        ("15 May 2023", 5), ("15 June 2023", 6), ("15 July 2023", 7),
        ("15 August 2023", 8), ("15 October 2023", 10), ("15 December 2023", 12),
        ("15 Aug 2023", 8), ("15 Oct 2023", 10), ("15 Dec 2023", 12),
        ("15 MAY 2023", 5), ("15 october 2023", 10),
    ],
)  # fmt: skip
def test_indonesian_and_english_month_names(text, month):
    assert ok(parsers.parse_date, text) == pd.Timestamp(2023, month, 15)


@pytest.mark.parametrize("text", ["01/02/2023", "01-02-2023"])
def test_day_first_always(text):
    assert ok(parsers.parse_date, text) == pd.Timestamp(2023, 2, 1)


def test_day_first_even_when_the_day_could_be_a_month():
    # 12/01/2023 is 12 January, never 1 December
    assert ok(parsers.parse_date, "12/01/2023") == pd.Timestamp(2023, 1, 12)


def test_single_digit_day_and_month():
    assert ok(parsers.parse_date, "1/2/2023") == pd.Timestamp(2023, 2, 1)
    assert ok(parsers.parse_date, "5 Januari 2023") == pd.Timestamp(2023, 1, 5)


def test_real_excel_dates_are_taken_as_they_are():
    assert ok(parsers.parse_date, dt.datetime(2023, 4, 3)) == pd.Timestamp(2023, 4, 3)
    assert ok(parsers.parse_date, dt.date(2023, 4, 3)) == pd.Timestamp(2023, 4, 3)


def test_a_real_excel_date_with_a_time_is_that_day():
    assert ok(parsers.parse_date, dt.datetime(2023, 4, 3, 14, 30)) == pd.Timestamp(2023, 4, 3)


def test_a_column_of_excel_date_times_only_is_each_cell_its_day():
    # pandas types a column made only of datetimes datetime64: still Excel dates, not text
    cells = pd.Series([dt.datetime(2023, 8, 1, 10, 15), dt.datetime(2023, 8, 2, 23, 59)])
    assert cells.dtype.kind == "M"
    parsed = parsers.parse_date(cells)
    assert parsed.values.tolist() == [pd.Timestamp(2023, 8, 1), pd.Timestamp(2023, 8, 2)]
    assert parsed.errors.tolist() == [None, None]


@pytest.mark.parametrize(
    "text, day",
    [
        ("31/01/2023 0:00", 31),  # how Excel writes a date-time cell out to CSV
        ("31/01/2023 00:00", 31),
        ("2023-01-31 00:00:00", 31),
        ("2023-01-31 00:00:00.000", 31),
        ("31/01/2023 0.00", 31),  # Indonesian Windows writes the time with a dot
        ("31/01/2023 10.15.30", 31),
        ("2023-08-15 14:22:05", 15),  # an Oracle DATE: the time of payment
        ("15-AUG-23 23:59:59", 15),
        ("31 Januari 2023 9:05", 31),
    ],
)
def test_a_text_date_followed_by_a_time_of_day_is_that_day(text, day):
    assert ok(parsers.parse_date, text).day == day


@pytest.mark.parametrize(
    "text", ["31/01/2023 25:00", "31/01/2023 10:60", "2023-01-31 10:15:61", "31/01/2023 10:15.30",
             "31/01/2023 1015"],
)  # fmt: skip
def test_a_text_date_followed_by_no_time_of_day_is_rejected(text):
    assert rejected(parsers.parse_date, text) == f"tanggal {text} tidak valid"


@pytest.mark.parametrize(
    "text",
    ["31/02/2023", "00/00/0000", "29/02/2023", "31-04-2023", "2023-02-30", "32/01/2023",
     "15/13/2023", "30 Februari 2023", "31 Jun 2023"],
)  # fmt: skip
def test_impossible_date_is_rejected_quoting_the_value(text):
    reason = rejected(parsers.parse_date, text)
    assert text in reason
    assert "tanggal" in reason


def test_the_contract_example_reason_for_an_impossible_date():
    assert rejected(parsers.parse_date, "31/02/2023") == "tanggal 31/02/2023 tidak valid"


def test_29_february_of_a_leap_year_is_a_date():
    assert ok(parsers.parse_date, "29/02/2024") == pd.Timestamp(2024, 2, 29)


@pytest.mark.parametrize("text", ["kemarin", "31 Foo 2023", "2023/31/01", "31.01"])
def test_text_in_no_date_format_is_rejected_quoting_it(text):
    assert text in rejected(parsers.parse_date, text)


def test_empty_date_cell_is_neither_a_date_nor_an_error():
    # emptiness is the validator's business (required or optional column)
    for cell in (None, "", "   "):
        value, reason = one(parsers.parse_date, cell)
        assert pd.isna(value) and reason is None


def test_dates_of_a_column_are_parsed_each_on_its_own():
    result = parsers.parse_date(pd.Series(["01/02/2023", "31/02/2023", "3 Maret 2023"]))
    assert result.values.iloc[0] == pd.Timestamp(2023, 2, 1)
    assert pd.isna(result.values.iloc[1]) and "31/02/2023" in result.errors.iloc[1]
    assert result.values.iloc[2] == pd.Timestamp(2023, 3, 3)
    assert result.errors.iloc[0] is None and result.errors.iloc[2] is None


# ---------------------------------------------------------------- rupiah


@pytest.mark.parametrize(
    "text", ["150000", "150.000", "150.000,00", "Rp 150.000", "Rp150.000,-"]
)
def test_every_contract_rupiah_spelling_is_150000(text):
    assert ok(rupiah, text) == 150000


def test_dot_groups_thousands_in_millions():
    assert ok(rupiah, "1.250.000") == 1250000


def test_real_excel_numbers_are_rupiah():
    assert ok(rupiah, 150000) == 150000
    assert ok(rupiah, 150000.0) == 150000


def test_zero_rupiah_is_an_amount():
    # exempt objects carry 0 (the >= 0 / > 0 rules are the validator's)
    assert ok(rupiah, "0") == 0


@pytest.mark.parametrize("text", ["150.000,50", "150.000,5", "150000,01", "Rp 150.000,75"])
def test_non_zero_decimals_reject_quoting_the_value(text):
    assert text in rejected(rupiah, text)


def test_non_zero_decimals_in_a_real_excel_number_reject():
    reason = rejected(rupiah, 150000.5)
    assert "150000.5" in reason


@pytest.mark.parametrize(
    "cell, whole",
    [(300000.00000000006, 300000), (299999.99999999994, 300000), (0.1 + 0.2 - 0.3, 0),
     (12_345_678_901.000002, 12_345_678_901)],
)  # fmt: skip
def test_a_formula_result_with_floating_point_noise_is_the_whole_number_excel_shows(cell, whole):
    assert cell != whole
    assert ok(rupiah, cell) == whole
    assert ok(lambda s: parsers.parse_whole(s, "prioritas"), cell) == whole


def test_a_real_fraction_of_a_rupiah_or_of_a_whole_number_still_rejects():
    assert rejected(rupiah, 150000.000002) == (
        "jumlah_bayar 150000.000002 bukan rupiah bulat (ada angka desimal)"
    )
    assert rejected(lambda s: parsers.parse_whole(s, "prioritas"), 3.5) == (
        "prioritas 3.5 bukan bilangan bulat"
    )


def test_comma_starts_the_decimals_even_after_three_digits():
    # §2: ',' starts the decimals, so "150,000" is 150 rupiah and 0 sen, not 150 thousand
    assert ok(rupiah, "150,000") == 150


@pytest.mark.parametrize("text", ["seratus ribu", "15O.000", "1.50.000", "150.000.00,5,0"])
def test_text_that_is_no_amount_is_rejected_quoting_it(text):
    assert text in rejected(rupiah, text)


def test_empty_amount_is_left_to_the_validator():
    value, reason = one(rupiah, "")
    assert pd.isna(value) and reason is None


# ---------------------------------------------------------------- kelurahan


@pytest.mark.parametrize(
    "text, name",
    [
        ("Banjarsari", "Banjarsari"), ("Purwosari", "Purwosari"),
        ("Purwoasri", "Purwoasri"), ("Karangrejo", "Karangrejo"),
        ("BANJARSARI", "Banjarsari"), ("purwoasri", "Purwoasri"), ("kArAnGrEjO", "Karangrejo"),
        ("  Purwosari  ", "Purwosari"),
        ("Kel. Banjarsari", "Banjarsari"), ("kel. purwosari", "Purwosari"),
        ("KEL. KARANGREJO", "Karangrejo"), ("Kel.Purwoasri", "Purwoasri"),
        ("Kelurahan Purwoasri", "Purwoasri"), ("KELURAHAN BANJARSARI", "Banjarsari"),
        ("kelurahan karangrejo", "Karangrejo"),
    ],
)  # fmt: skip
def test_kelurahan_spellings(text, name):
    assert ok(lambda s: parsers.parse_kelurahan(s, WILAYAH), text) == name


def test_purwosari_and_purwoasri_are_two_kelurahan():
    result = parsers.parse_kelurahan(pd.Series(["Purwosari", "Purwoasri"]), WILAYAH)
    assert list(result.values) == ["Purwosari", "Purwoasri"]


@pytest.mark.parametrize(
    "text", ["Metro Pusat", "Hadimulyo", "Kelurahan", "Banjar sari", "Banjarsari Lama", "Kec. Banjarsari"]
)
def test_anything_else_rejects_quoting_it(text):
    assert text in rejected(lambda s: parsers.parse_kelurahan(s, WILAYAH), text)


# ---------------------------------------------------------------- NOP


@pytest.mark.parametrize(
    "text",
    ["18.72.030.001.001-0001.0", "187203000100100010", "18 72 030 001 001 0001 0",
     "18.72.030.001.001.0001.0", " 18-72-030-001-001-0001-0 "],
)  # fmt: skip
def test_nop_is_its_18_digits_whatever_the_separators(text):
    assert ok(parsers.parse_nop, text) == "187203000100100010"


def test_nop_as_a_real_excel_number_rejects_showing_its_digits():
    # What calamine gives for a NOP typed as a number: a float, whose digits are not
    # the ones typed (187203000402504611 here); never read as a NOP with wrong digits.
    cell = float(187203000402504611)
    assert cell == 1.872030004025046e17
    assert rejected(parsers.parse_nop, cell) == (
        "NOP 187203000402504608 tersimpan sebagai angka di Excel: angka sepanjang itu tidak "
        "tersimpan utuh (Excel hanya menyimpan 15 digit); ketik NOP sebagai teks"
    )


def test_nop_as_a_short_excel_number_is_not_18_digits():
    assert rejected(parsers.parse_nop, 1872030.0) == "NOP '1872030' tidak terdiri dari 18 angka"


def key(cells):
    return parsers.parse_key(cells, "no_register")


def test_a_key_as_an_excel_number_below_2_to_the_53_is_its_digits():
    assert ok(key, 12345.0) == "12345"
    assert ok(key, float(2**53 - 1)) == "9007199254740991"
    assert ok(key, " R-001 ") == "R-001"


def test_a_key_as_an_excel_number_of_2_to_the_53_or_more_rejects():
    # 2**53 and 2**53 + 1 are one float: two such keys would be one
    assert float(2**53) == float(2**53 + 1)
    assert rejected(key, float(2**53)) == (
        "no_register 9007199254740992 tersimpan sebagai angka di Excel: angka sepanjang itu "
        "tidak tersimpan utuh (Excel hanya menyimpan 15 digit), sehingga dua nomor berbeda "
        "bisa terbaca sama; ketik no_register sebagai teks"
    )
    assert "-20000000000000000 " in rejected(key, -2e16)


@pytest.mark.parametrize(
    "cell, shown",
    [(1.872030004025046e17, "187203000402504608"), (1e16, "10000000000000000"),
     (123.0, "123"), (-5.0, "-5"), (150000.5, "150000.5")],
)  # fmt: skip
def test_a_number_cell_is_shown_with_its_digits_never_in_exponent_form(cell, shown):
    assert parsers.display(cell) == shown


@pytest.mark.parametrize(
    "text",
    ["18.72.030.004.001-003.0",  # 17 digits
     "18.72.030.004.001-00003.0",  # 19 digits
     "1872030001001000",  # 16 digits
     "NOP belum ada"],
)  # fmt: skip
def test_nop_of_other_than_18_digits_rejects_quoting_it(text):
    assert text in rejected(parsers.parse_nop, text)


# ---------------------------------------------------------------- Unicode spaces

NBSP = "\u00a0"  # what a copy from a web page or a Word document brings


@pytest.mark.parametrize("space", [NBSP, "\u2009", "\u202f", "\u3000", NBSP + " " + NBSP])
def test_every_unicode_space_inside_a_value_is_a_space(space):
    assert ok(parsers.parse_date, f"31{space}Januari{space}2023") == pd.Timestamp(2023, 1, 31)
    assert ok(parsers.parse_status, f"Dalam{space}Proses") == False  # noqa: E712
    assert ok(parsers.parse_hasil, f"Belum{space}Selesai") == "Belum Selesai"
    assert ok(rupiah, f"Rp{space}150.000") == 150000
    assert ok(rupiah, f"150{space}000") == 150000
    assert ok(lambda s: parsers.parse_number(s, "luas_bumi"), f"1{space}200,5") == 1200.5
    kelurahan = ok(lambda s: parsers.parse_kelurahan(s, WILAYAH), f"Kel.{space}Banjarsari")
    assert kelurahan == "Banjarsari"


# ---------------------------------------------------------------- status (layanan)


@pytest.mark.parametrize("text", ["Selesai", "Diterbitkan", "Ditolak", "Dikembalikan"])
def test_status_processed(text):
    assert ok(parsers.parse_status, text) == True  # noqa: E712


@pytest.mark.parametrize(
    "text", ["Proses", "Diproses", "Dalam Proses", "Menunggu", "Baru", "Pending"]
)
def test_status_not_yet_processed(text):
    assert ok(parsers.parse_status, text) == False  # noqa: E712


@pytest.mark.parametrize("text, processed", [("SELESAI", True), ("dalam proses", False)])
def test_status_in_another_case(text, processed):
    # the contract lists the words, not their case; an office clerk types either
    assert ok(parsers.parse_status, text) == processed


def test_empty_status_is_neither_processed_nor_an_error():
    # its meaning depends on tanggal_selesai (decided by the validator)
    value, reason = one(parsers.parse_status, "")
    assert pd.isna(value) and reason is None


@pytest.mark.parametrize("text", ["Batal", "Selesai?", "OK"])
def test_any_other_status_rejects_quoting_it(text):
    assert text in rejected(parsers.parse_status, text)


# ---------------------------------------------------------------- hasil (konflik)


@pytest.mark.parametrize(
    "text, value",
    [("Selesai", "Selesai"), ("Belum Selesai", "Belum Selesai"), ("Proses", "Proses"),
     ("selesai", "Selesai"), ("BELUM SELESAI", "Belum Selesai")],
)  # fmt: skip
def test_hasil_values(text, value):
    assert ok(parsers.parse_hasil, text) == value


def test_hasil_is_optional():
    value, reason = one(parsers.parse_hasil, None)
    assert pd.isna(value) and reason is None


@pytest.mark.parametrize("text", ["Gagal", "Damai", "Sudah"])
def test_any_other_hasil_rejects_quoting_it(text):
    assert text in rejected(parsers.parse_hasil, text)


# ---------------------------------------------------------------- keys compared at scale

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from iku_pipeline_tests.common import WILAYAH

# Keys that trip the int64 path for NOPs: 18 ASCII digits (with leading zeros), 17 or 19
# digits, a sign, Arabic-Indic digits of 18 characters, case and trailing spaces.
_KEYS = st.lists(
    st.one_of(
        st.none(),
        st.sampled_from(
            ["a", "A", "a ", "ß", "0" * 18, "1" * 18, "0" * 17 + "1", "1" * 17, "1" * 19,
             "+" + "1" * 17, "\u0661" * 18, ""]
        ),
    ),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(_KEYS, _KEYS)
def test_key_comparisons_agree_with_pandas_on_python_strings(values, known):
    """duplicated, is_in, KeySet.positions and all_distinct decide exactly as pandas does
    on plain Python strings, whichever path (int64 NOPs or Arrow hashing/sorting) they
    take."""
    text = pd.Series(values, dtype=parsers.TEXT)
    plain = pd.Series(values, dtype=object)
    present = plain.notna().to_numpy()
    assert (keys.duplicated(text) == (plain.duplicated().to_numpy() & present)).all()
    known_text = pd.Series(known, dtype=parsers.TEXT)
    expected = plain.isin([k for k in known if k is not None]).to_numpy() & present
    assert (keys.is_in(text, known_text) == expected).all()
    at = keys.KeySet(known_text).positions(text)
    assert [known[p] if p >= 0 else None for p in at] == [
        v if ok else None for v, ok in zip(values, expected)
    ]
    half = len(known) // 2  # the same list built in two steps
    grown = keys.KeySet(known_text[:half]).extended(known_text[half:])
    assert [known[p] if p >= 0 else None for p in grown.positions(text)] == [
        known[p] if p >= 0 else None for p in at
    ]
    assert keys.all_distinct(text) == (not plain.dropna().duplicated().any())


def test_an_xlsx_column_is_parsed_once_per_distinct_value_and_type():
    """An XLSX column mixes text, numbers, dates and booleans; each distinct cell is
    parsed once, but ``1``, ``1.0`` and ``True`` (equal in Python) stay apart: the
    boolean is no amount, and each reason quotes the cell as the sheet shows it."""
    from iku_pipeline.sources.columns import parse_columns
    from iku_pipeline.sources.specs import Column, Kind

    cells = [1, True, 1.0, "Rp 2.000", None, "dua ribu", 1, dt.datetime(2023, 5, 1), 2.5]
    frame = pd.DataFrame({"nilai": pd.Series(cells, dtype=object, index=range(10, 19))})
    values, errors = parse_columns(frame, [Column("nilai", Kind.RUPIAH)], 2023, WILAYAH)

    got = [None if pd.isna(v) else int(v) for v in values["nilai"]]
    assert got == [1, None, 1, 2000, None, None, 1, None, None]
    assert errors["nilai"].sort_index().to_dict() == {
        11: "nilai TRUE bukan angka",
        15: "nilai dua ribu bukan angka yang dikenali",
        17: "nilai 01/05/2023 bukan angka",
        18: "nilai 2.5 bukan rupiah bulat (ada angka desimal)",
    }


def test_excel_dates_beyond_pandas_range_are_rejected_not_dropped():
    cells = pd.Series(
        [dt.datetime(2023, 3, 1, 14, 30), dt.date(2023, 3, 2), dt.datetime(3000, 1, 1), 7],
        dtype=object,
    )
    parsed = parsers.parse_date(cells)
    assert parsed.values.tolist()[:2] == [pd.Timestamp("2023-03-01"), pd.Timestamp("2023-03-02")]
    assert parsed.values.isna().tolist()[2:] == [True, True]
    assert parsed.errors.tolist() == [
        None, None, "tanggal 01/01/3000 tidak valid", "tanggal 7 tidak valid"
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.text(alphabet="0123456789.- a\u0663é\u00a0\U0001F600\t")),
             max_size=30),
    st.lists(st.integers(0, 8), min_size=1, max_size=8),  # 0: an empty chunk
    st.sampled_from([1, 3, 1 << 16]),
    st.booleans(),
)
def test_digits_only_is_the_regex(values, cuts, rows, large):
    """``digits_only`` (the NOP's digits, taken from the bytes in numpy) gives exactly
    Arrow's ``\\D`` regex replacement, whatever the chunks, slices, nulls and
    characters outside ASCII."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = pa.large_string() if large else pa.string()
    whole = pa.array(values, kind)
    chunks, at = [], 0
    for cut in cuts * (len(values) + 1):  # slices of a larger array: offsets not at zero
        if at >= len(values) and chunks:
            break
        chunks.append(whole.slice(at, cut))
        at += cut
    text = pa.chunked_array(chunks, type=kind)
    old, digits._DIGITS_ROWS = digits._DIGITS_ROWS, rows
    try:
        got = digits.digits_only(text)
    finally:
        digits._DIGITS_ROWS = old
    assert got.type == kind
    assert got.to_pylist() == pc.replace_substring_regex(text, r"\D", "").to_pylist()


_INT64 = st.integers(-(2**63), 2**63 - 1)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(_INT64, st.integers(10**17, 10**17 + 50)), max_size=40),
    st.lists(st.one_of(_INT64, st.integers(10**17, 10**17 + 50)), max_size=40),
    st.booleans(),
)
def test_sorted_with_order_and_sorted_search_agree_with_numpy(values, known, small):
    """The packed sort gives numpy's stable argsort (equal numbers in position order,
    negative and extreme numbers included, and the fallback when the spread does not fit),
    and ``sorted_search`` finds exactly what a plain membership test finds, whether the
    known numbers are searched directly or the lookups sorted first."""
    import numpy as np

    numbers = np.array(values, dtype=np.int64)
    ranked, order = keys.sorted_with_order(numbers)
    expected = np.argsort(numbers, kind="stable")
    assert order.tolist() == expected.tolist()
    assert ranked.tolist() == numbers[expected].tolist()
    sorted_known = np.sort(np.array(known, dtype=np.int64))
    old, keys._SMALL_KEYS = keys._SMALL_KEYS, (1 << 16) if small else 0
    try:
        found, at = keys.sorted_search(sorted_known, numbers)
    finally:
        keys._SMALL_KEYS = old
    assert found.tolist() == [v in set(known) for v in values]
    assert all(sorted_known[a] == v for a, v, f in zip(at, values, found) if f)
