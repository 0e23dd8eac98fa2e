"""Reading one typed value as units write it: Vietnamese number formats,
percentages, yes/no words, option numbers or labels, calendar dates, and "not
applicable". The one place a raw value becomes a typed one, for every kind of
form, in `check` and `run` and for long-format files alike.

Blank is "no data", never zero. A boolean is not a number: TRUE in a count cell
is not 1 (a yes/no field still takes it as yes). A number must be finite and
plausible: above its field's bound (PLAUSIBLE_MAX per type, or the field's own
`plausible_max`) it is an error, so one slip cannot flatten a Min-Max criterion
or overflow a sum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dti_report.core.numbers import parse_number_text, read_date
from dti_report.core.text import fold
from dti_report.forms.base import InputField

BLANK, OK, NOT_APPLICABLE, ERROR = "blank", "ok", "na", "error"

_NA_WORDS = {"n/a", "na", "khong ap dung"}
_YES_WORDS = {"co", "x", "yes", "y", "true", "dung"}
_NO_WORDS = {"khong", "no", "n", "false", "sai"}
# Bounds per field type (the form may set its own per field): a count of documents,
# systems, people or transactions of one unit stays far below a trillion.
PLAUSIBLE_MAX = {"integer": 1e12, "decimal": 1e15}


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
    return isinstance(raw, str) and raw.lstrip()[:1] in "nNkK" and fold(raw) in _NA_WORDS


def plausible_max(field: InputField) -> float | None:
    return field.plausible_max if field.plausible_max is not None else PLAUSIBLE_MAX.get(field.type)


def _bound_text(bound: float) -> str:
    return f"{bound:,.0f}".replace(",", ".") if bound >= 1 else f"{bound:g}".replace(".", ",")


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
    if field.type == "date":
        return _parse_date(raw)
    if isinstance(raw, bool):
        if field.type == "yes-no":
            return Parsed(OK, 1.0 if raw else 0.0)
        return Parsed(ERROR, code="invalid-option" if field.type == "choice" else "not-a-number")
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
    if field.maximum is not None and number > field.maximum + 1e-9:
        return Parsed(ERROR, code="points-above-max", detail=f"{field.maximum:g}")
    bound = plausible_max(field)
    if bound is not None and number > bound:
        return Parsed(ERROR, code="implausible-number", detail=_bound_text(bound))
    return Parsed(OK, number)


def _parse_date(raw) -> Parsed:
    """A real calendar date, kept as its ordinal (day number) so it types like any value."""
    reading = read_date(raw)
    if reading.value is None:
        return Parsed(ERROR, code=reading.problem if reading.problem != "blank" else "not-a-date")
    return Parsed(OK, float(reading.value.toordinal()))


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
