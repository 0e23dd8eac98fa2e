"""Strict reading of numbers and dates as Vietnamese units type them.

Numbers (``parse_number_text``), after NFC, trimming and U+2212 -> "-":

    [+|-] body [spaces] [%]

    body, form A (Vietnamese): integer [ "," digits ]
        integer = digits                           "1234", "007"
                | lead (sep ddd)+                   "1.234", "12.345.678", "1 234 567"
        lead = 1-3 digits not starting with "0"; sep = one of "." " " U+00A0 U+202F,
        the same separator throughout one number.  "1.234,5", "0,5", "1 234,56"
    body, form B (plain decimal): digits "." digits   "0.5", "12.75", "1234.567"

Form A is tried first, so a single dot followed by exactly three digits after a
short non-zero lead is a thousands group: "1.234" = 1234, "12.750" = 12750, while
"0.234" = 0.234 and "1234.567" = 1234.567.  Everything else is not a number:
"1.234.5", "1.5.2023", "1,234.5", "1 96", "1,2,3", ".5", "1.", "1e5", "inf", "１２".

Dates (``read_date`` / ``parse_date``): "d/m/yyyy" or "dd/mm/yyyy" with "/", "-"
or "." (day first, one separator), ISO "yyyy-mm-dd" with an optional ignored time
("2021-03-05T10:30", "2021-03-05 10:30:00"), or date/datetime objects.
Spreadsheet serial numbers are not dates here: the workbook reader converts them.

Standard library only: every other module may import this one.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

# ASCII digits only ([0-9], never \d): full-width or other-script digits are rejected.
_GROUP_SEPARATORS = ". \u00a0\u202f"
_NUMBER = re.compile(
    r"(?P<sign>[+-]?)"
    r"(?:"
    # Form A. The lead of a grouped integer must not start with "0": "0.234" is a decimal.
    r"(?P<int>[0-9]+|[1-9][0-9]{0,2}(?P<sep>[. \u00a0\u202f])[0-9]{3}(?:(?P=sep)[0-9]{3})*)"
    r"(?:,(?P<frac>[0-9]+))?"
    # Form B, only reached when form A fails: so "12.750" is 12750 (in a Vietnamese form
    # a dot followed by exactly three digits is a thousands group), "12.75" is 12.75.
    r"|(?P<plain_int>[0-9]+)\.(?P<plain_frac>[0-9]+)"
    r")"
    r"(?P<percent>[ \u00a0\u202f]*%)?"
)


def parse_number_text(text: str) -> tuple[float | None, bool]:
    """Read a typed number; returns (value, had_percent_sign), or (None, False) when
    the text is not a number under the module grammar. "80 %" -> (80.0, True)."""
    if not isinstance(text, str):
        raise TypeError(f"parse_number_text expects str, got {type(text).__name__}")
    text = unicodedata.normalize("NFC", text).strip().replace("\u2212", "-")
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None, False
    if match["plain_int"] is not None:
        whole, frac = match["plain_int"], match["plain_frac"]
    else:
        whole = match["int"]
        for sep in _GROUP_SEPARATORS:
            whole = whole.replace(sep, "")
        frac = match["frac"] or "0"
    value = float(f"{whole}.{frac}")
    if math.isinf(value):  # too many digits for a float
        return None, False
    if match["sign"] == "-":
        value = -value
    return value + 0.0, match["percent"] is not None  # + 0.0 turns "-0" into 0.0


BLANK, NOT_A_DATE, INVALID_DATE = "blank", "not-a-date", "invalid-date"


@dataclass(frozen=True)
class DateReading:
    """A date read from a cell; problem is "" when value is set, else BLANK,
    NOT_A_DATE (not in a date shape) or INVALID_DATE (date shape, no such day)."""

    value: dt.date | None
    problem: str = ""


# Day first as Vietnamese write it; the same separator twice; four-digit years only.
_DAY_FIRST = re.compile(r"(?P<d>[0-9]{1,2})(?P<sep>[/.-])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})")
# ISO with an optional time whose shape is checked but whose value is ignored.
_TIME = r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
_ISO = re.compile(
    r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})"
    rf"(?:T{_TIME}(?:Z|[+-][0-9]{{2}}:?[0-9]{{2}})?| {_TIME})?"
)


def read_date(raw) -> DateReading:
    """Read a date typed by a unit or stored as a date object; never raises."""
    if raw is None:
        return DateReading(None, BLANK)
    if isinstance(raw, float) and math.isnan(raw):  # pandas' empty cell
        return DateReading(None, BLANK)
    if isinstance(raw, dt.date):
        if raw != raw:  # pandas NaT subclasses datetime and is unequal to itself
            return DateReading(None, BLANK)
        # A datetime is a date subclass; keep only its day.
        return DateReading(raw.date() if isinstance(raw, dt.datetime) else raw)
    if not isinstance(raw, str):
        return DateReading(None, NOT_A_DATE)  # numbers included: serials are the reader's job
    text = unicodedata.normalize("NFC", raw).strip()
    if not text:
        return DateReading(None, BLANK)
    match = _DAY_FIRST.fullmatch(text) or _ISO.fullmatch(text)
    if match is None:
        return DateReading(None, NOT_A_DATE)
    try:
        return DateReading(dt.date(int(match["y"]), int(match["m"]), int(match["d"])))
    except ValueError:
        return DateReading(None, INVALID_DATE)


def parse_date(raw) -> dt.date | None:
    """The date in raw, or None when it is blank or not a valid date."""
    return read_date(raw).value
