import datetime as dt
import decimal
import random

from babel.numbers import parse_pattern
from hypothesis import given, settings
from hypothesis import strategies as st

from dti_report.core import formatting as f
from dti_report.core.formatting import _LOCALE, _PLAIN, _plain


def test_numbers_in_vietnamese():
    assert f.number(1234.5) == "1.234,5"
    assert f.number(1234567) == "1.234.567"
    assert f.points(7.5) == "7,50"
    assert f.percent(0.853) == "85,3%"
    assert f.number(float("nan")) == "" and f.points(None, blank="–") == "–"


def test_date_line_leading_zeros_per_decree_30():
    assert f.date_words(dt.date(2027, 3, 5)) == "ngày 05 tháng 3 năm 2027"
    assert f.date_words(dt.date(2027, 2, 15)) == "ngày 15 tháng 02 năm 2027"
    assert f.date_words(dt.date(2027, 12, 31)) == "ngày 31 tháng 12 năm 2027"
    assert f.date_line("Thành phố Hồ Chí Minh", dt.date(2024, 1, 9)) == "Thành phố Hồ Chí Minh, ngày 09 tháng 01 năm 2024"


PLAIN_PATTERNS = ("#,##0", "#,##0.##", "#,##0.00", "#,##0.0", "#,##0.0%", "#,##0%", "#,##0.00%", "#,##0.####")


@settings(max_examples=3000, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e17, max_value=1e17)
       | st.decimals(min_value=-10**6, max_value=10**6, places=4, allow_nan=False).map(float),
       st.sampled_from(PLAIN_PATTERNS))
def test_any_float_is_written_as_babel_writes_it(value, pattern):
    """Rounding on repr's digits gives Babel's text for every finite float: ties to even,
    long fractions, exponents (1e-09, 1e+16), the sign of a value that rounds to zero."""
    assert _plain(value, _PLAIN.fullmatch(pattern)) == parse_pattern(pattern).apply(value, _LOCALE)


def test_plain_patterns_write_what_babel_writes():
    """The fast path for "#,##0.00"-like patterns gives Babel's text, ties and signs included."""
    rng = random.Random(7)
    values = [0.0, -0.0, 0.005, 0.015, 2.675, -2.675, 0.125, -0.001, -0.0049, 1e-9, 999.995, 0.5, 2.5, 1e15,
              123456789012.345, -0.0005]
    values += [rng.uniform(-1e6, 1e6) for _ in range(2000)] + [round(rng.uniform(-100, 100), rng.randint(0, 4))
                                                                for _ in range(2000)] + [k / 1000 for k in range(-2000, 2000)]
    for pattern in PLAIN_PATTERNS:
        babel = parse_pattern(pattern)
        plain = _PLAIN.fullmatch(pattern)
        assert [_plain(v, plain) for v in values] == [babel.apply(v, _LOCALE) for v in values], pattern


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([0.0, -0.0, 7.5, 10.0, float("nan"), 1 / 3]) | st.floats(allow_infinity=False),
                max_size=60))
def test_a_column_formatted_once_per_distinct_value_reads_as_each_value_formatted(values):
    assert f.each_distinct(values, lambda v: f.points(v, blank="–")) == [f.points(v, blank="–") for v in values]


# Ties at two decimals and at a percent's one ("0,125", "2,675", "0,0005"), their neighbours, and
# values beyond what is rounded in numpy.
NEAR_TIES = (st.integers(-10**7, 10**7).map(lambda k: k / 1000 + 0.0005)
             | st.integers(-10**6, 10**6).map(lambda k: k / 1000)
             | st.integers(10**8, 10**13).map(lambda k: k / 100 + 0.005)
             | st.integers(10**6, 10**12).map(lambda k: k / 10000 + 0.00005)
             | st.floats(min_value=5e8, max_value=1e12) | st.floats(min_value=-1e-3, max_value=1e-3))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.floats() | NEAR_TIES | st.sampled_from([0.0, -0.0, 2.675, 0.125, 999.995, -0.004]), max_size=40),
       st.sampled_from([(0, False), (1, False), (2, False), (1, True), (2, True), (0, True)]))
def test_a_column_rounded_in_numpy_reads_as_each_value_formatted(values, shape):
    digits, percent = shape
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + ("%" if percent else "")
    expected = ["–" if v != v else parse_pattern(pattern).apply(v, _LOCALE) if abs(v) < 1e17 else
                f.format_decimal(v, pattern) for v in values]
    assert f.fixed_column(values, digits, percent=percent, blank="–") == expected
    if (digits, percent) == (2, False):
        assert f.fixed_column(values, 2, blank="–") == [f.points(v, blank="–") for v in values]
    elif (digits, percent) == (1, True):
        assert f.fixed_column(values, 1, percent=True) == [f.percent(v) for v in values]


def test_minus_zero_is_written_the_same_whichever_zero_came_first():
    """-0.0 == 0.0: a cache keyed by the value alone gave "0,00" or "-0,00" for both by order."""
    assert (f.points(0.0), f.points(-0.0), f.points(0.0)) == ("0,00", "-0,00", "0,00")
    assert (f.percent(-0.0), f.percent(0.0)) == ("-0,0%", "0,0%")


def test_numbers_too_long_for_babel_are_still_written():
    """A unit may type 1e30: Babel (28 digits) refuses it; the number is written whole."""
    assert f.number(1e30) == "1" + ".000" * 10
    assert f.points(1e24) == "1" + ".000" * 8 + ",00"
    assert f.percent(1e30) == "100" + ".000" * 10 + ",0%"
    assert f.number(-1.5e300).startswith("-1.500.000") and f.number(-1.5e300).count(".") == 100


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=1e17, max_value=1.7e308))
def test_any_large_float_is_its_shortest_decimal_grouped(value):
    assert f.number(value, 4) == f"{int(decimal.Decimal(repr(value))):,}".replace(",", ".")
