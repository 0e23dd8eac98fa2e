"""Strict number and date reading (dti_report.core.numbers)."""

import calendar
import datetime as dt
import math
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dti_report.core.numbers import DateReading, parse_date, parse_number_text, read_date

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize("text, expected", [
    ("1234", (1234.0, False)),
    ("1.234", (1234.0, False)),
    ("12.345.678", (12345678.0, False)),
    ("1.234,5", (1234.5, False)),
    ("0,5", (0.5, False)),
    ("1234,56", (1234.56, False)),
    ("1 234 567", (1234567.0, False)),
    (f"1{NBSP}234{NBSP}567", (1234567.0, False)),
    (f"1{NNBSP}234,5", (1234.5, False)),
    ("0.5", (0.5, False)),
    ("12.75", (12.75, False)),
    ("0.234", (0.234, False)),
    ("12.750", (12750.0, False)),
    ("1234.567", (1234.567, False)),
    ("1,234", (1.234, False)),  # comma is the decimal mark
    ("80 %", (80.0, True)),
    ("80%", (80.0, True)),
    ("85,5 %", (85.5, True)),
    (f"1.234{NBSP}%", (1234.0, True)),
    ("-3", (-3.0, False)),
    ("\u22123", (-3.0, False)),  # U+2212 MINUS SIGN
    ("+7", (7.0, False)),
    ("-1.234,5", (-1234.5, False)),
    ("  42 \t", (42.0, False)),
    (f"{NBSP}42{NBSP}", (42.0, False)),
    ("0", (0.0, False)),
    ("007", (7.0, False)),
])
def test_accepted_numbers(text, expected):
    assert parse_number_text(text) == expected


@pytest.mark.parametrize("text", [
    "1.234.5", "1.5.2023", "1,234.5", "1.234,5,6", "1,2,3", "12a", "", "   ", "-", "+", "%", "-%",
    "inf", "-inf", "nan", "1e5", "0x10", "１２", "1..2", "1.", "1,", "1 .234", "1 96", ".5", ",5",
    "1 234.5", "1.234 567", "1 234.567", "1234.567.890", "0.234.567", "0 234", "12.34.567",
    "1_000", "- 5", "+-5", "5-", "%5", "80 %%", "1,5%x", "1.234,", "٣",
    "9" * 400,  # overflows to inf
])
def test_rejected_numbers(text):
    assert parse_number_text(text) == (None, False)


def test_negative_zero_is_zero():
    value, _ = parse_number_text("-0")
    assert value == 0.0 and math.copysign(1.0, value) == 1.0


def test_non_text_is_a_programming_error():
    with pytest.raises(TypeError):
        parse_number_text(12)


NUMBER_LIKE = st.text("0123456789.,+-% \u2212\u00a0\u202f", max_size=20)


@settings(deadline=None)
@given(st.one_of(st.text(), NUMBER_LIKE))
def test_never_raises_on_text(text):
    value, percent = parse_number_text(text)
    assert isinstance(percent, bool)
    assert value is None or (isinstance(value, float) and math.isfinite(value))


def vietnamese(n: int, sep: str = ".") -> str:
    return f"{n:,}".replace(",", sep)


@settings(deadline=None)
@given(st.integers(0, 10**12), st.sampled_from([".", " ", NBSP, NNBSP]))
def test_grouped_integer_round_trip(n, sep):
    assert parse_number_text(vietnamese(n, sep)) == (float(n), False)


@settings(deadline=None)
@given(st.integers(0, 10**12), st.integers(1, 4).flatmap(lambda k: st.tuples(st.just(k), st.integers(0, 10**k - 1))))
def test_grouped_decimal_round_trip(n, frac):
    width, digits = frac
    decimals = f"{digits:0{width}d}"
    value, percent = parse_number_text(f"{vietnamese(n)},{decimals}")
    assert value == float(Decimal(f"{n}.{decimals}")) and not percent


@st.composite
def badly_grouped(draw):
    """Digit groups joined by one separator where some later group is not 3 digits long."""
    sep = draw(st.sampled_from([".", " ", NBSP, NNBSP]))
    lengths = draw(st.lists(st.integers(1, 6), min_size=1, max_size=5))
    bad_at = draw(st.integers(0, len(lengths) - 1))
    lengths[bad_at] = draw(st.sampled_from([1, 2, 4, 5, 6]))
    groups = [draw(st.text("0123456789", min_size=k, max_size=k)) for k in [draw(st.integers(1, 3))] + lengths]
    return sep.join(groups), sep, draw(st.sampled_from(["", ",5"]))


@settings(deadline=None)
@given(badly_grouped())
def test_bad_groups_are_rejected(case):
    text, sep, tail = case
    # A lone "." with a bad group is a plain decimal ("12.75"), and form B takes no "," part.
    assume(not (sep == "." and text.count(".") == 1 and not tail))
    assert parse_number_text(text + tail) == (None, False)


@settings(deadline=None)
@given(st.lists(st.integers(1, 9999), min_size=2, max_size=4), st.integers(1, 10**6))
def test_several_dots_with_a_bad_last_group(parts, last):
    assume(len(str(last)) != 3)
    text = ".".join(str(p) for p in parts) + f".{last}"
    assert parse_number_text(text) == (None, False)


# ---------- dates ----------

@pytest.mark.parametrize("raw, expected", [
    ("5/3/2021", dt.date(2021, 3, 5)),
    ("05/03/2021", dt.date(2021, 3, 5)),
    ("5-3-2021", dt.date(2021, 3, 5)),
    ("05.03.2021", dt.date(2021, 3, 5)),
    ("  31/12/2021 ", dt.date(2021, 12, 31)),
    ("29/02/2024", dt.date(2024, 2, 29)),
    ("2021-03-05", dt.date(2021, 3, 5)),
    ("2021-03-05T10:30", dt.date(2021, 3, 5)),
    ("2021-03-05T10:30:15.123+07:00", dt.date(2021, 3, 5)),
    ("2021-03-05 10:30", dt.date(2021, 3, 5)),
    ("2021-03-05 10:30:59", dt.date(2021, 3, 5)),
    (dt.date(2021, 3, 5), dt.date(2021, 3, 5)),
    (dt.datetime(2021, 3, 5, 23, 59), dt.date(2021, 3, 5)),
])
def test_dates_read(raw, expected):
    reading = read_date(raw)
    assert reading == DateReading(expected, "")
    assert type(reading.value) is dt.date
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw, problem", [
    (None, "blank"), ("", "blank"), ("   ", "blank"), (float("nan"), "blank"),
    ("31/06/2021", "invalid-date"), ("29/02/2021", "invalid-date"), ("2021-13-45", "invalid-date"),
    ("00/01/2021", "invalid-date"), ("1/0/2021", "invalid-date"), ("2021-02-30", "invalid-date"),
    ("5/3/21", "not-a-date"), ("05-03-21", "not-a-date"),  # two-digit years
    (44256, "not-a-date"), (44256.0, "not-a-date"), (True, "not-a-date"),  # spreadsheet serials
    ("5/3-2021", "not-a-date"), ("2021/03/05", "not-a-date"), ("2021-3-5", "not-a-date"),
    ("2021-03-05Tnoon", "not-a-date"), ("2021-03-05 x", "not-a-date"), ("123/4/2021", "not-a-date"),
    ("ngày 5 tháng 3 năm 2021", "not-a-date"), ("５/３/２０２１", "not-a-date"), ("hôm qua", "not-a-date"),
    (dt.time(10, 30), "not-a-date"),
])
def test_dates_rejected(raw, problem):
    assert read_date(raw) == DateReading(None, problem)
    assert parse_date(raw) is None


dates = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))


@settings(deadline=None)
@given(dates)
def test_date_round_trip(d):
    for text in (f"{d.day}/{d.month}/{d.year}", f"{d:%d/%m/%Y}", f"{d:%d-%m-%Y}", f"{d:%d.%m.%Y}", d.isoformat()):
        assert read_date(text) == DateReading(d, ""), text


@st.composite
def impossible_days(draw):
    """(year, month, day) with day in 1-31 past the end of that month: built, not filtered."""
    year = draw(st.integers(1900, 2100))
    month = draw(st.sampled_from([2, 4, 6, 9, 11]))  # the months with fewer than 31 days
    day = draw(st.integers(calendar.monthrange(year, month)[1] + 1, 31))
    return year, month, day


@settings(deadline=None)
@given(impossible_days(), st.sampled_from("/-."))
def test_impossible_days_are_invalid(ymd, sep):
    year, month, day = ymd
    assert read_date(f"{day}{sep}{month}{sep}{year}") == DateReading(None, "invalid-date")
    assert read_date(f"{year}-{month:02d}-{day:02d}") == DateReading(None, "invalid-date")


@settings(deadline=None)
@given(st.one_of(st.text(), st.text("0123456789/-.:T +Z", max_size=30)))
def test_read_date_never_raises(text):
    reading = read_date(text)
    assert reading.problem in ("", "blank", "not-a-date", "invalid-date")
    assert (reading.value is None) == (reading.problem != "")
