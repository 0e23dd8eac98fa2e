"""Reading one typed value as units write it: Vietnamese number formats,
percentages, yes/no words, option numbers or labels, and "not applicable".

Blank is "no data", never zero.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from dti_report.core.text import fold
from dti_report.forms.catalog import InputField

BLANK, OK, NOT_APPLICABLE, ERROR = "blank", "ok", "na", "error"

_NA_WORDS = {"n/a", "na", "khong ap dung"}
_YES_WORDS = {"co", "x", "yes", "y", "true", "dung"}
_NO_WORDS = {"khong", "no", "n", "false", "sai"}
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)*|[.,]\d+)$")


@dataclass(frozen=True)
class Parsed:
    status: str
    value: float | None = None
    code: str = ""  # issue code when status is ERROR
    detail: str = ""




def is_blank(raw) -> bool:
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and not raw.strip()


def is_not_applicable(raw) -> bool:
    # Cheap first-letter test before folding: nearly every value is a number or a yes/no word.
    return isinstance(raw, str) and raw[:1] in "nNkK" and fold(raw) in _NA_WORDS


def parse_number_text(text: str) -> tuple[float | None, bool]:
    """Parse a number as written in Vietnam or elsewhere; returns (value, had_percent_sign).

    "1.234" -> 1234 (dot groups thousands), "0,5" -> 0.5 (comma is the decimal
    mark), "1.234,5" -> 1234.5, "80 %" -> (80, True). With a single dot the
    text is read as thousands only when exactly three digits follow a short
    non-zero integer part ("1.234"); "0.5" and "12.75" stay decimals.
    """
    text = unicodedata.normalize("NFC", text).strip().replace("\u2212", "-")
    text = re.sub(r"[\s\u00a0\u202f]", "", text)
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    if not _NUMBER.match(text):
        return None, percent
    sign = -1.0 if text.startswith("-") else 1.0
    text = text.lstrip("+-")
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        if text.count(decimal) > 1:
            return None, percent
        text = text.replace(thousands, "").replace(decimal, ".")
    elif commas:
        text = text.replace(",", "") if commas > 1 else text.replace(",", ".")
    elif dots > 1:
        text = text.replace(".", "")
    elif dots == 1:
        whole, frac = text.split(".")
        if len(frac) == 3 and whole and whole[0] != "0" and len(whole) <= 3:
            text = whole + frac
    try:
        return sign * float(text), percent
    except ValueError:
        return None, percent


def _format_raw(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def parse_value(field: InputField, raw) -> Parsed:
    """Parse one raw value for a field. Choices give their 1-based option number,
    yes/no gives 1 (yes) or 0 (no), percentages a fraction (80% -> 0.8)."""
    if is_blank(raw):
        return Parsed(BLANK)
    if is_not_applicable(raw):
        return Parsed(NOT_APPLICABLE)
    if field.type == "text":
        return Parsed(OK)
    if isinstance(raw, bool):
        raw = int(raw)
    if not isinstance(raw, (str, int, float)):
        return Parsed(ERROR, code="not-a-number")  # a date or time typed into a number cell
    return _parse_typed(field, raw if isinstance(raw, str) else float(raw))


def _parse_typed(field: InputField, raw) -> Parsed:
    if field.type == "yes-no":
        return _parse_yes_no(field, raw)
    if field.type == "choice":
        return _parse_choice(field, raw)
    return _parse_numeric(field, raw)


def _parse_numeric(field: InputField, raw) -> Parsed:
    if isinstance(raw, str):
        number, percent = parse_number_text(raw)
        if number is None:
            return Parsed(ERROR, code="not-a-number")
    else:
        number, percent = float(raw), False
    if math.isnan(number) or math.isinf(number):
        return Parsed(ERROR, code="not-a-number")
    if number < 0:
        return Parsed(ERROR, code="negative-number")
    if field.type == "percent":
        # Long-format convention: "80%" and "80" both mean 80 percent.
        fraction = number / 100
        if fraction > 1 + 1e-12:
            return Parsed(ERROR, code="percent-out-of-range")
        return Parsed(OK, fraction)
    if percent:
        return Parsed(ERROR, code="not-a-number", detail="dấu % chỉ dùng cho trường tỷ lệ")
    if field.type == "integer" and not float(number).is_integer():
        return Parsed(ERROR, code="not-an-integer")
    return Parsed(OK, number)


def _option_listing(field: InputField) -> str:
    return "; ".join(f"{i} = {o.label}" for i, o in enumerate(field.options, start=1))


def _parse_choice(field: InputField, raw) -> Parsed:
    n = len(field.options)
    if isinstance(raw, str):
        folded = fold(raw)
        for i, option in enumerate(field.options, start=1):
            if folded == fold(option.label):
                return Parsed(OK, float(i))
        number, percent = parse_number_text(raw)
    else:
        number, percent = float(raw), False
    if number is not None and not percent and float(number).is_integer() and 1 <= number <= n:
        return Parsed(OK, float(number))
    return Parsed(ERROR, code="invalid-option", detail=_option_listing(field))


def _parse_yes_no(field: InputField, raw) -> Parsed:
    # Option numbers follow the decision's order: 1 = the "yes" option, 2 = the "no" one.
    yes_words = _YES_WORDS | {"1", fold(field.options[0].label)}
    no_words = _NO_WORDS | {"0", "2", fold(field.options[1].label)}
    key = fold(raw) if isinstance(raw, str) else _format_raw(raw)
    if key in yes_words:
        return Parsed(OK, 1.0)
    if key in no_words:
        return Parsed(OK, 0.0)
    return Parsed(ERROR, code="invalid-yes-no", detail=_option_listing(field))


def yes_no_fraction(field: InputField, value: float) -> float:
    """Point fraction of a parsed yes/no (1 yes, 0 no) value."""
    return field.options[0].fraction if value >= 0.5 else field.options[1].fraction
