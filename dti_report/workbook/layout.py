"""The unit workbook's layout: the one contract between the template writer and
the submission reader. Values are found by field id and columns by header
text, so a unit that inserts a row or re-sorts still reads right."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from dti_report.forms.base import Form
from dti_report.forms.periods import PERIOD_PATTERN, check_period  # noqa: F401  (the writer's and reader's period check)

# Bump when the layout below changes: older workbooks are then refused.
TEMPLATE_FORMAT = "2"

GUIDE_SHEET = "Hướng dẫn"
INPUT_SHEET = "Nhập liệu"
LISTS_SHEET = "Danh mục"  # hidden: option lists behind the dropdowns
META_SHEET = "_meta"      # very hidden: what the file was made for

# (key, header text) in column order on the input sheet.
COLUMNS = [
    ("criterion", "Mã tiêu chí"),
    ("content", "Nội dung"),
    ("max_points", "Điểm tối đa"),
    ("method", "Cách xác định và tính điểm"),
    ("value", "Số liệu / lựa chọn"),
    ("note", "Ghi chú, minh chứng (số, ngày văn bản; đường dẫn)"),
    ("self_score", "Điểm tự chấm"),
    ("field_id", "Mã trường"),
]
HEADER = dict(COLUMNS)
COLUMN_INDEX = {key: i for i, (key, _) in enumerate(COLUMNS)}
# The sheet of a form that reports rather than scores (tasks, assigned criteria, figures): no
# points, no method, no self-score; what the item is measured against (a deadline, a target) in
# "description". The value, note and field-id headers are the reader's, the same as above; the
# form names the other three (Form.sheet_columns).
REPORTED_COLUMNS = [
    ("criterion", "STT"),
    ("content", "Nội dung"),
    ("description", "Thời hạn, chỉ tiêu"),
    ("value", HEADER["value"]),
    ("note", HEADER["note"]),
    ("field_id", HEADER["field_id"]),
]


def columns_for(form: Form) -> list[tuple[str, str]]:
    """The input sheet's columns for a form: the scored layout, or the reported one with the
    form's own headers."""
    own = form.sheet_columns
    if own is None:
        return COLUMNS
    return [(key, own.get(key, header)) for key, header in REPORTED_COLUMNS]


def column_index(form: Form) -> dict[str, int]:
    return {key: i for i, (key, _) in enumerate(columns_for(form))}
HEADER_ROW = 4  # 0-based row of the column headers; rows above hold the title block
HEADER_SEARCH_ROWS = 30  # the reader looks this far down for the header row

# A criterion row carries "<criterion id>.khong-ap-dung" in the field id column;
# choosing NA_LABEL in its value cell marks the whole criterion not applicable.
NA_SUFFIX = ".khong-ap-dung"
NA_LABEL = "Không áp dụng"
MIN_MAX_TEXT = "Tính khi tổng hợp"

# The save stamp every generated workbook carries (nothing time-varying goes into a template,
# so regenerating gives the same bytes). A returned file still holding it was never saved by a
# spreadsheet program: its stamp says nothing about when the unit finished it.
TEMPLATE_STAMP = dt.datetime(2000, 1, 1)

META_KEYS = ("set_id", "set_version", "template_hash", "template_format", "unit_code", "period")


_HASHES: dict[int, tuple[Form, str]] = {}


def column_letter(index: int) -> str:
    """Column letters of a 0-based column index: 0 -> "A", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def template_hash(form: Form) -> str:
    """Fingerprint of what a template asks: field ids, types, options, bounds, the rule
    inputs and the cell layout (Form.sheet_key). Rewording a title, a note or a method
    text keeps workbooks already sent out valid; changing an option list or adding a
    field does not, even without a version bump."""
    cached = _HASHES.get(id(form))
    if cached is not None and cached[0] is form:  # every workbook of a batch asks again
        return cached[1]
    payload = json.dumps({"format": TEMPLATE_FORMAT, "layout": columns_for(form), "sheet": form.sheet_key()},
                         ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
    _HASHES[id(form)] = (form, digest)
    return digest


def template_file_name(unit_code: str, set_id: str, period: str) -> str:
    """Built from codes only, never from free text."""
    return f"{unit_code}_{set_id}_{period}.xlsx"


