"""Filling a unit workbook by field id: long-format values (as in `score`)
written into the template's input cells as a spreadsheet would hold them.

Used to pre-fill templates from another system, and by the tests and the
benchmark to produce returned workbooks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Mapping

from dti_report.forms.base import Form, InputField
from dti_report.workbook.layout import HEADER, HEADER_SEARCH_ROWS, INPUT_SHEET, NA_LABEL, NA_SUFFIX
from dti_report.core.files import atomic_path
from dti_report.forms.values import BLANK, ERROR, NOT_APPLICABLE, parse_value


def cell_value(field: InputField, raw):
    """What the input cell holds for a long-format value: numbers as numbers,
    percentages as fractions, choices as their labels. A value the tool cannot
    read is kept as typed, so the workbook carries the same mistake."""
    parsed = parse_value(field, raw)
    if parsed.status in (BLANK, NOT_APPLICABLE):
        return None
    if parsed.status == ERROR or field.type == "text":
        return raw
    if field.type == "choice":
        return field.options[int(parsed.value) - 1].label
    if field.type == "yes-no":
        return field.options[0 if parsed.value >= 0.5 else 1].label
    if field.type == "integer":
        return int(parsed.value)
    if field.type == "date":
        return dt.date.fromordinal(int(parsed.value))
    return parsed.value


def cell_values(form: Form, values: Mapping[str, object]) -> dict[str, object]:
    """Field id -> cell content; a "không áp dụng" value marks its criterion's row instead."""
    fields, item_of = form.fields, form.item_of_field
    info = {f.id: f for f in form.info_fields}
    out: dict[str, object] = {}
    for field_id, raw in values.items():
        if field_id in info:
            out[field_id] = cell_value(info[field_id], raw)
            continue
        if field_id not in fields:
            continue
        if parse_value(fields[field_id], raw).status == NOT_APPLICABLE:
            out[item_of[field_id] + NA_SUFFIX] = NA_LABEL
        else:
            out[field_id] = cell_value(fields[field_id], raw)
    return out


def fill_workbook(form: Form, template: Path | str, values: Mapping[str, object], target: Path | str,
                  notes: Mapping[str, str] | None = None) -> Path:
    """Open a template with openpyxl, write the values (and notes, beside them) by field id,
    save to target."""
    import openpyxl  # only here: reading and checking workbooks never needs it

    book = openpyxl.load_workbook(template)
    sheet = book[INPUT_SHEET]
    header_row = id_col = None
    for row in sheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS):
        for cell in row:
            if cell.value == HEADER["field_id"]:
                header_row, id_col = cell.row, cell.column
    if header_row is None:
        raise ValueError(f"{template}: không tìm thấy cột '{HEADER['field_id']}'")
    # The value and note columns by their headers, as the reader finds them: every kind of sheet has them.
    value_col = next(c.column for c in sheet[header_row] if c.value == HEADER["value"])
    note_col = next((c.column for c in sheet[header_row] if c.value == HEADER["note"]), None)
    contents, notes = cell_values(form, values), notes or {}
    for r in range(header_row + 1, sheet.max_row + 1):
        field_id = sheet.cell(r, id_col).value
        if field_id in contents:
            sheet.cell(r, value_col).value = contents[field_id]
        if field_id in notes and note_col is not None:
            sheet.cell(r, note_col).value = notes[field_id]
    with atomic_path(target) as tmp:
        book.save(tmp)
    return Path(target)
