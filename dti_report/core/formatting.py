"""Vietnamese number and date formatting, in one place for every renderer.

Numbers go through Babel's vi locale ("1.234,5", "85,3%"); the date line of an
administrative document follows Nghị định 30/2020/NĐ-CP: a leading zero only for
days below 10 and for months 1 and 2 ("ngày 05 tháng 3 năm 2027").
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from functools import lru_cache

import numpy as np
import pandas as pd
from babel import Locale
from babel.numbers import parse_pattern

LOCALE = "vi"
_LOCALE = Locale.parse(LOCALE)


@lru_cache(maxsize=None)
def _pattern(pattern: str):
    # Parsed once: a 1000-unit run formats a few hundred thousand numbers.
    return parse_pattern(pattern)


def format_decimal(value, format: str, locale: str = LOCALE) -> str:
    """babel.numbers.format_decimal / format_percent with the pattern and locale parsed once."""
    if locale == LOCALE and isinstance(value, (int, float)):
        value = float(value)
        return _formatted(value, format, math.copysign(1.0, value))
    return _pattern(format).apply(value, Locale.parse(locale))


@lru_cache(maxsize=65536)
def _formatted(value: float, format: str, sign: float) -> str:
    # Points repeat (10,00; 5,00; 0,00…): a report of a thousand units formats each value once.
    # The sign is part of the key: -0.0 == 0.0, and Babel writes "-0,00" for the one only.
    plain = _PLAIN.fullmatch(format)
    if plain is not None and math.isfinite(value):
        return _plain(value, plain)
    return _pattern(format).apply(value, _LOCALE)


# Room for every digit of any float (1e308 has 309) and its decimals: in the default 28 digits
# Babel and decimal refuse a number a unit may type (1e30).
_WIDE = decimal.Context(prec=400)
# The patterns this module writes: "#,##0", "#,##0.00", "#,##0.##", "#,##0.0%"…
_PLAIN = re.compile(r"#,##0(?:\.(0+|#+))?(%?)")
_SEPARATORS = str.maketrans({",": ".", ".": ","})


def _plain(value: float, plain: re.Match) -> str:
    """What Babel's vi locale writes for a plain pattern, the same way (the float's
    shortest text as a Decimal, rounded half to even) at a fraction of the cost:
    decimal's own grouping, the separators swapped."""
    digits, percent = plain.group(1) or "", plain.group(2)
    number = decimal.Decimal(repr(value))
    if percent:
        number = number.scaleb(2)
    negative = number.is_signed()
    number = abs(number).normalize(_WIDE).quantize(decimal.Decimal(1).scaleb(-len(digits)), context=_WIDE)
    text = format(number, ",f")
    if digits.startswith("#") and "." in text:
        text = text.rstrip("0").rstrip(".")
    return ("-" if negative else "") + text.translate(_SEPARATORS) + percent


format_percent = format_decimal  # the pattern's "%" sets the ×100 scale


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value, digits: int = 2, blank: str = "") -> str:
    """1234.5 -> "1.234,5"; at most `digits` decimals, trailing zeros dropped."""
    if _missing(value):
        return blank
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def distinct_floats(values) -> tuple[np.ndarray, np.ndarray]:
    """An array of numbers as its distinct values (by their bits: -0.0 stays itself, every NaN
    is one value) and where each value is among them, found by hashing (a sort took four times
    as long over the millions of numbers of a national workbook)."""
    positions, bits = pd.factorize(np.ascontiguousarray(values, dtype=float).view(np.int64))
    return np.asarray(bits, dtype=np.int64).view(float), positions


def relabelled(values, labels: dict) -> np.ndarray:
    """Each value as `labels` names it, itself where it names none (a missing value stays
    missing), looked up once per distinct value: a status or a unit's name comes back in
    thousands of rows."""
    codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    named = np.array([labels.get(v, v) for v in distinct] + [np.nan], dtype=object)
    return named[codes]


def each_distinct(values, formatter) -> list[str]:
    """formatter over an array of numbers, called once per distinct value: a column of 500,000
    points holds far fewer."""
    distinct, positions = distinct_floats(values)
    texts = np.array([formatter(v) for v in distinct.tolist()], dtype=object)
    return texts[positions].tolist()


# A value scaled to its last digit (× 10^digits, × 100 more for a percent) below _EXACT_BELOW is
# within 1e-6 of its decimal digits scaled: further than _TIE_MARGIN from a tie, it rounds the
# same by float as by those digits.
_EXACT_BELOW, _TIE_MARGIN = 1e9, 1e-4


def fixed_column(values, digits: int, *, percent: bool = False, blank: str = "") -> list[str]:
    """points / fixed / percent over an array, the same texts (ties to even on repr's
    digits, the sign of a value that rounds to zero kept), rounded in numpy: a column of
    500,000 points has as many distinct floats but few distinct texts. A value within
    _TIE_MARGIN of a tie, scaled beyond _EXACT_BELOW or not finite is formatted alone."""
    array = np.ascontiguousarray(values, dtype=float)
    pattern = _fixed_pattern(digits, percent)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = array * 10.0 ** (digits + 2 * percent)
        near_tie = np.abs(scaled - np.floor(scaled) - 0.5) < _TIE_MARGIN
        rounded = (np.abs(scaled) < _EXACT_BELOW) & ~near_tie
        units = np.where(rounded, np.abs(np.rint(scaled)), 0).astype(np.int64)
    # One key per text: the rounded units and the sign; the rest by their bits.
    keys = np.where(rounded, units * 2 + np.signbit(array), -1)
    distinct, positions = np.unique(keys, return_inverse=True)
    texts = [_units_text(key >> 1, bool(key & 1), digits, percent) if key >= 0 else "" for key in distinct.tolist()]
    out = np.array(texts, dtype=object)[positions]
    alone = np.flatnonzero(~rounded)
    if len(alone):
        out[alone] = each_distinct(array[alone], lambda v: blank if math.isnan(v) else format_decimal(v, pattern))
    return out.tolist()


def _fixed_pattern(digits: int, percent: bool = False) -> str:
    """Always `digits` decimals: "#,##0.00", "#,##0.0%"."""
    return "#,##0" + ("." + "0" * digits if digits else "") + ("%" if percent else "")


def _units_text(units: int, negative: bool, digits: int, percent: bool) -> str:
    whole, part = divmod(units, 10 ** digits)
    text = f"{whole:,}".replace(",", ".") + (f",{part:0{digits}d}" if digits else "")
    return ("-" if negative else "") + text + ("%" if percent else "")


def points(value, blank: str = "") -> str:
    """Points always with two decimals: 7.5 -> "7,50"."""
    if _missing(value):
        return blank
    return format_decimal(value, format="#,##0.00", locale=LOCALE)


def fixed(value, digits: int = 1, blank: str = "") -> str:
    """Always `digits` decimals: 151 -> "151,0" (labels that line up in a chart)."""
    if _missing(value):
        return blank
    return format_decimal(value, format=_fixed_pattern(digits), locale=LOCALE)


def percent(fraction, digits: int = 1, blank: str = "") -> str:
    """0.853 -> "85,3%"."""
    if _missing(fraction):
        return blank
    return format_percent(fraction, format=_fixed_pattern(digits, percent=True), locale=LOCALE)


def date_line(place: str, day: dt.date) -> str:
    """'Thành phố Hồ Chí Minh, ngày 05 tháng 3 năm 2027' (NĐ 30/2020, Phụ lục I)."""
    return f"{place}, {date_words(day)}"


def date_words(day: dt.date) -> str:
    day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_text = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day_text} tháng {month_text} năm {day.year}"


def short_date(day: dt.date) -> str:
    """Dates inside tables: dd/mm/yyyy."""
    return f"{day:%d/%m/%Y}"


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_words(period: str) -> str:
    """A reporting period in running text: '2023' -> 'năm 2023', '2024-06' -> 'tháng 6 năm 2024',
    '2024-Q2' -> 'quý II năm 2024'."""
    year, _, rest = period.partition("-")
    if not rest:
        return f"năm {year}"
    if rest.upper().startswith("Q"):
        return f"quý {_ROMAN[int(rest[1:])]} năm {year}"
    return f"tháng {int(rest)} năm {year}"


def of_max(value, maximum, blank: str = "") -> str:
    """Points against the maximum: '298,02/330'."""
    if _missing(value):
        return blank
    return f"{points(value)}/{number(maximum)}"
