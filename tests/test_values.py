"""Reading values as units write them."""

import pytest

from dti_report.kinds import get_form
from dti_report.forms.values import BLANK, ERROR, NOT_APPLICABLE, OK, fold, parse_number_text, parse_value

FIELDS = get_form("hcm-dti-so").fields


@pytest.mark.parametrize("text, expected", [
    ("1.234", (1234.0, False)), ("1.234.567", (1234567.0, False)), ("0,5", (0.5, False)),
    ("1.234,5", (1234.5, False)), ("80 %", (80.0, True)),
    ("0.5", (0.5, False)), ("12.75", (12.75, False)), ("−3", (-3.0, False)), ("1 234", (1234.0, False)),
    ("abc", (None, False)), ("1,2,3.4.5", (None, False)), ("1,234.5", (None, False)), ("1.234.5", (None, False)),
])
def test_number_formats(text, expected):
    assert parse_number_text(text) == expected


@pytest.mark.parametrize("field, raw, status, value, code", [
    ("6.13.a", "80%", OK, 0.8, ""),
    ("6.13.a", "80", OK, 0.8, ""),
    ("6.13.a", "85,5 %", OK, 0.855, ""),
    ("6.13.a", "120%", ERROR, None, "percent-out-of-range"),
    ("1.2.a", "2,5", ERROR, None, "not-an-integer"),
    ("1.2.a", "-2", ERROR, None, "negative-number"),
    ("1.2.a", "mười hai", ERROR, None, "not-a-number"),
    ("1.2.a", "50%", ERROR, None, "not-a-number"),
    ("1.2.a", 12.0, OK, 12.0, ""),
    ("1.2.a", "", BLANK, None, ""),
    ("1.2.a", "   ", BLANK, None, ""),
    ("1.2.a", "Không áp dụng", NOT_APPLICABLE, None, ""),
    ("1.2.a", "n/a", NOT_APPLICABLE, None, ""),
    ("6.5", "CÓ", OK, 1.0, ""),
    ("6.5", "khong", OK, 0.0, ""),
    ("6.5", "X", OK, 1.0, ""),
    ("6.5", "2", OK, 0.0, ""),
    ("6.5", "có thể", ERROR, None, "invalid-yes-no"),
    ("1.1", "3", OK, 3.0, ""),
    ("1.1", "0", ERROR, None, "invalid-option"),
    ("1.1", "1,5", ERROR, None, "invalid-option"),
])
def test_parse_value(field, raw, status, value, code):
    parsed = parse_value(FIELDS[field], raw)
    assert (parsed.status, parsed.code) == (status, code)
    if value is not None:
        assert parsed.value == pytest.approx(value)


def test_fold_removes_case_and_diacritics():
    assert fold("  Không   Áp Dụng ") == "khong ap dung"
    assert fold("Đã ban hành") == "da ban hanh"


@pytest.mark.parametrize("field, raw, status, code", [
    ("1.2.a", True, ERROR, "not-a-number"),           # TRUE in a count is not 1
    ("1.2.a", "TRUE", ERROR, "not-a-number"),
    ("6.13.a", False, ERROR, "not-a-number"),
    ("1.1", True, ERROR, "invalid-option"),
    ("6.5", True, OK, ""),                            # a yes/no cell may hold TRUE
    ("6.5", "FALSE", OK, ""),
    ("1.2.a", float("inf"), ERROR, "not-a-number"),
    ("1.2.a", float("nan"), BLANK, ""),
    ("1.2.a", 1e308, ERROR, "implausible-number"),
    ("1.2.a", "1.000.000.000.001", ERROR, "implausible-number"),
    ("1.2.a", "1.000.000.000.000", OK, ""),
    ("1.2.a", "1.234.5", ERROR, "not-a-number"),
    ("1.2.a", "1 96", ERROR, "not-a-number"),
    ("1.2.a", "  N/A", NOT_APPLICABLE, ""),
])
def test_values_as_the_unit_meant_them(field, raw, status, code):
    parsed = parse_value(FIELDS[field], raw)
    assert (parsed.status, parsed.code) == (status, code)
    if field == "6.5" and status == OK:
        assert parsed.value == (1.0 if raw is True else 0.0)


def test_a_form_may_set_its_own_bound():
    field = FIELDS["1.2.a"].model_copy(update={"plausible_max": 500})
    assert parse_value(field, 500).status == OK
    parsed = parse_value(field, 501)
    assert (parsed.code, parsed.detail) == ("implausible-number", "500")
