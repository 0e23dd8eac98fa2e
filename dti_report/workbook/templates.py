"""Blank unit workbooks: one .xlsx per unit and period, laid out as layout.py says.

The input sheet carries, beside each criterion, an Excel formula that scores
it the way engine.py does, so a unit sees an indicative self-score while it
types. The official score is always recomputed by the engine when the
workbooks come back.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Mapping

from dti_report.workbook import layout
from dti_report.core.errors import DtiError
from dti_report.forms.base import InputField
from dti_report.forms.indicators import Criterion, IndicatorSet
from dti_report.forms.rules import Formula, num
from dti_report.forms.rules import text as excel_text
from dti_report.workbook.fill import cell_values
from dti_report.core.files import atomic_path
from dti_report.forms.periods import period_text
from dti_report.forms.units import Unit
from dti_report.workbook.xlsx import write_cell



class TemplateError(DtiError, ValueError):
    """A workbook that cannot be made (a unit the form is not for, a bad period)."""


ERROR_TEXT = "Lỗi số liệu"
DEFAULT_CONTACT = "Theo văn bản hướng dẫn của Sở Thông tin và Truyền thông"
# Nothing time-varying goes into the file: regenerating gives the same bytes.
FIXED_CREATED = layout.TEMPLATE_STAMP
FONT = {"font_name": "Times New Roman", "font_size": 12}

COL = layout.COLUMN_INDEX
LAST_COL = len(layout.COLUMNS) - 1
COLUMN_WIDTHS = {"criterion": 8, "content": 50, "max_points": 8, "method": 48,
                 "value": 24, "note": 30, "self_score": 10, "field_id": 14}
# The reported layout (layout.REPORTED_COLUMNS): tasks, assigned criteria, figures.
REPORTED_WIDTHS = {"criterion": 9, "content": 58, "description": 26, "value": 26, "note": 36, "field_id": 13}
WIDTHS = {COL[key]: width for key, width in COLUMN_WIDTHS.items()}
GUIDE_WIDTHS = {0: 20, 1: 100}
LINE_HEIGHT = 15.75  # points per line of 12 pt Times New Roman

VALUE_FILL = "#FFF2CC"  # light yellow: the cells a unit fills
NA_FILL = "#DDEBF7"     # light blue: "Không áp dụng" on a criterion row
BAND_FILL = "#D9D9D9"
HEADER_FILL = "#BDD7EE"

TYPE_HINTS = {
    "integer": "Số nguyên",
    "decimal": "Số",
    "percent": "Tỷ lệ phần trăm (%)",
    "choice": "Chọn một lựa chọn trong danh sách",
    "yes-no": "Chọn một lựa chọn trong danh sách",
    "text": "Văn bản",
    "date": "Ngày (ngày/tháng/năm)",
}
BLANK_HINT = " Giá trị bằng 0 thì ghi 0; để trống là không có số liệu (0 điểm)."
# Data validation per field type: rule, input message (title ≤ 32, text ≤ 255 characters), error text.
VALIDATIONS = {
    "integer": ({"validate": "integer", "criteria": ">=", "value": 0},
                "Số nguyên", "Nhập số nguyên không âm, ví dụ 1.234." + BLANK_HINT,
                "Chỉ nhập số nguyên không âm (0, 1, 2, ...)."),
    "decimal": ({"validate": "decimal", "criteria": ">=", "value": 0},
                "Số", "Nhập số không âm, ví dụ 0,5 hoặc 1.234." + BLANK_HINT,
                "Chỉ nhập số không âm."),
    "percent": ({"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1},
                "Tỷ lệ phần trăm", "Nhập tỷ lệ dạng phần trăm, ví dụ 80%." + BLANK_HINT,
                "Chỉ nhập tỷ lệ từ 0% đến 100%, ví dụ 80%."),
    "choice": ({"validate": "list"},
               "Chọn một lựa chọn", "Bấm vào ô và chọn trong danh sách thả xuống. Để trống là không có số liệu (0 điểm).",
               "Chỉ chọn một giá trị trong danh sách thả xuống."),
    "text": ({"validate": "any"}, "Nội dung", "Nhập nội dung.", ""),
}
VALIDATIONS["yes-no"] = VALIDATIONS["choice"]
VALIDATIONS["date"] = ({"validate": "date", "criteria": "between", "minimum": datetime(2000, 1, 1),
                        "maximum": datetime(2100, 12, 31)},
                       "Ngày", "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 30/06/2021.",
                       "Chỉ nhập một ngày có thật, dạng ngày/tháng/năm.")
NA_VALIDATION = ({"validate": "list"}, layout.NA_LABEL,
                 f"Chỉ chọn \"{layout.NA_LABEL}\" khi tiêu chí không áp dụng với đơn vị (được điểm tối đa) "
                 "và ghi lý do ở cột ghi chú. Để trống nếu tiêu chí có áp dụng.",
                 f"Chỉ chọn \"{layout.NA_LABEL}\" hoặc để trống.")


def unscored(spec: tuple) -> tuple:
    """A field's validation where a blank costs no points (a task's status, a figure)."""
    rule, title, message, error = spec
    return rule, title, message.replace(" (0 điểm)", ""), error


# --- Self-score formulas ------------------------------------------------------


def self_score_formula(criterion: Criterion, fields: dict[str, InputField], cells: dict[str, str], na_cell: str | None) -> str:
    """The criterion row's formula: not applicable → max; Min-Max → a note; else fraction × max."""
    top = num(criterion.max_points)
    if criterion.rule.scored_across_units:
        shown = excel_text(layout.MIN_MAX_TEXT)
    else:
        fraction = criterion.rule.formula(Formula(fields, cells, criterion.max_points))
        shown = f"IFERROR({top}*({fraction}),{excel_text(ERROR_TEXT)})"
    if na_cell is None:  # the decision has no "không áp dụng"
        return f"={shown}"
    return f"=IF({na_cell}={excel_text(layout.NA_LABEL)},{top},{shown})"


# --- Sheets -------------------------------------------------------------------


def _fit_row(ws, row: int, texts: dict[int, str], widths: dict[int, float]) -> None:
    """Set a row's height from an estimate of its wrapped lines: LibreOffice
    does not fit rows of an imported .xlsx, so every reader gets this height."""
    lines = 1
    for col, text in texts.items():
        per_line = max(1, int(widths[col] / 0.85) - 2)  # characters per line, a little pessimistic
        lines = max(lines, sum(-(-len(part) // per_line) or 1 for part in text.split("\n")))
    if lines > 1:
        ws.set_row(row, lines * LINE_HEIGHT + 2)


def _formats(workbook) -> dict:
    base = {"text_wrap": True, "valign": "top", "border": 1}
    spec = {
        "title": {"bold": True, "font_size": 14},
        "subtitle": {"italic": True},
        "label": {"bold": True, "valign": "top"},
        "wrap": {"text_wrap": True, "valign": "top"},
        "header": {**base, "bold": True, "align": "center", "valign": "vcenter", "bg_color": HEADER_FILL},
        "band": {**base, "bold": True, "bg_color": BAND_FILL},
        "band_points": {**base, "bold": True, "bg_color": BAND_FILL, "align": "center", "num_format": "0.##"},
        "cell": base,
        "bold": {**base, "bold": True},
        "points": {**base, "align": "center", "num_format": "0.##"},
        "hint": {**base, "italic": True, "font_color": "#595959"},
        "score": {**base, "align": "center", "num_format": "0.00"},
        # The technical id column: narrow, small and grey, for the reader of the file, not the unit.
        "id": {**base, "font_color": "#7F7F7F", "font_size": 9, "num_format": "@"},
        "note": {**base, "locked": False},
        "na": {**base, "locked": False, "bg_color": NA_FILL},
        "integer": {**base, "locked": False, "bg_color": VALUE_FILL, "num_format": "#,##0"},
        "decimal": {**base, "locked": False, "bg_color": VALUE_FILL, "num_format": "General"},
        "percent": {**base, "locked": False, "bg_color": VALUE_FILL, "num_format": "0.00%"},
        "choice": {**base, "locked": False, "bg_color": VALUE_FILL},
        "text": {**base, "locked": False, "bg_color": VALUE_FILL, "num_format": "@"},
        "date": {**base, "locked": False, "bg_color": VALUE_FILL, "num_format": "dd/mm/yyyy"},
    }
    spec["yes-no"] = spec["choice"]
    return {name: workbook.add_format(props) for name, props in spec.items()}




def write_info_rows(ws, fmt, row: int, info: list[tuple[str, str]]) -> int:
    """A guide sheet's label / text rows (unit, period, deadline…); returns the next free row."""
    for label, text in info:
        ws.write_string(row, 0, label, fmt["label"])
        ws.write_string(row, 1, text, fmt["wrap"])
        _fit_row(ws, row, {1: text}, GUIDE_WIDTHS)
        row += 1
    return row


def write_steps(ws, fmt, row: int, steps: list[str]) -> None:
    """The numbered "how to fill" list of a guide sheet."""
    ws.merge_range(row, 0, row, 1, "Hướng dẫn điền số liệu", fmt["label"])
    for i, text in enumerate(steps, start=1):
        ws.write_string(row + i, 0, f"{i}.", fmt["label"])
        ws.write_string(row + i, 1, text, fmt["wrap"])
        _fit_row(ws, row + i, {1: text}, GUIDE_WIDTHS)


def finish_input_sheet(ws) -> None:
    """A4 landscape, one page wide, header repeated and frozen; locked but for the input and note cells."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(layout.HEADER_ROW)
    ws.freeze_panes(layout.HEADER_ROW + 1, 0)
    ws.protect("", {"format_columns": True, "format_rows": True,
                    "select_locked_cells": True, "select_unlocked_cells": True})


def guide_steps(indicator_set: IndicatorSet) -> list[str]:
    """How to fill this set's workbook: only the steps its own rules call for."""
    H = layout.HEADER
    rules = [c.rule for c in indicator_set.criteria]
    na = indicator_set.allows_not_applicable
    self_points = any(f.maximum is not None for f in indicator_set.fields.values())
    steps = [
        f"Chỉ điền vào các ô được tô màu trên trang \"{layout.INPUT_SHEET}\": ô màu vàng ở cột "
        f"\"{H['value']}\" là số liệu hoặc lựa chọn của từng nội dung"
        + (f"; ô màu xanh nhạt ở dòng tiêu chí chỉ dùng để chọn \"{layout.NA_LABEL}\"" if na else "")
        + f". Được ghi thêm vào cột \"{H['note']}\". Các ô khác đã được khóa.",
        "Ô để trống được hiểu là \"không có số liệu\" và tiêu chí được 0 điểm"
        + (f" (mục II.2.c {indicator_set.decision_text})" if na else "")
        + ". Vì vậy khi giá trị thực tế bằng 0, hãy ghi số 0, không để trống.",
    ]
    if na:
        steps.append(f"Chỉ chọn \"{layout.NA_LABEL}\" ở dòng tiêu chí (dòng có mã tiêu chí) khi tiêu chí đó không áp "
                     "dụng với đơn vị, ví dụ đơn vị không có thủ tục hành chính; tiêu chí không áp dụng được điểm tối đa. "
                     "Ghi rõ lý do ở cột ghi chú.")
    if self_points:
        steps.append(f"Điểm tự đánh giá: nhập số điểm từ 0 đến điểm tối đa ghi ở cột \"{H['max_points']}\" của nội dung "
                     "đó, ví dụ 1,5; Sở Thông tin và Truyền thông thẩm định và ghi điểm đánh giá chính thức.")
    if any(f.options for f in indicator_set.fields.values()):
        steps.append("Với ô lựa chọn: bấm vào ô và chọn một mục trong danh sách thả xuống.")
    steps += [
        "Số nhập theo cách viết thông thường của máy tính dùng định dạng tiếng Việt, ví dụ 1.234 hoặc 0,5. "
        "Số lượng là số nguyên không âm.",
    ]
    if any(f.type == "percent" for f in indicator_set.fields.values()):
        steps.append("Tỷ lệ phần trăm nhập dạng 80% (ô đã được định dạng phần trăm).")
    steps += [
        f"Ghi số, ngày văn bản hoặc đường dẫn đến minh chứng vào cột \"{H['note']}\".",
        f"Không đổi tên, thêm hoặc xóa trang tính; không sửa cột \"{H['field_id']}\": "
        "phần mềm tổng hợp dựa vào mã trường để đọc số liệu.",
        f"Cột \"{H['self_score']}\" tự tính để đơn vị tham khảo; điểm chính thức do Sở Thông tin và Truyền thông "
        f"tính lại khi tổng hợp. \"{ERROR_TEXT}\" là số liệu mâu thuẫn (mẫu số bằng 0, tử số lớn hơn mẫu số, "
        "số âm, điểm vượt điểm tối đa...), đơn vị cần kiểm tra lại.",
    ]
    if any(r.scored_across_units for r in rules):
        steps.append("Các tiêu chí tính điểm theo phương pháp Min-Max được so sánh giữa tất cả các đơn vị, nên cột "
                     f"\"{H['self_score']}\" ghi \"{layout.MIN_MAX_TEXT}\".")
    steps.append("Lưu tệp theo định dạng Excel (.xlsx) và gửi lại đúng tệp này.")
    return steps


def write_guide_sheet(ws, fmt, indicator_set: IndicatorSet, unit: Unit, period: str,
                      deadline: str | None, contact: str | None) -> None:
    for col, width in GUIDE_WIDTHS.items():
        ws.set_column(col, col, width)
    ws.merge_range(0, 0, 0, 1, indicator_set.title, fmt["title"])
    ws.merge_range(1, 0, 1, 1, "Mẫu nhập số liệu tự đánh giá Chỉ số chuyển đổi số", fmt["subtitle"])
    info = [
        ("Căn cứ", indicator_set.source_text),
        ("Đơn vị", f"{unit.name} (mã đơn vị: {unit.code})"),
        ("Kỳ báo cáo", period_text(period)),
        ("Thời hạn gửi", deadline or DEFAULT_CONTACT),
        ("Đầu mối liên hệ", contact or DEFAULT_CONTACT),
        ("Bộ chỉ số", f"{indicator_set.title}; tổng điểm tối đa {indicator_set.total_points:g} "
                      f"(mã {indicator_set.id}, phiên bản {indicator_set.version})"),
    ]
    row = write_info_rows(ws, fmt, 3, info)
    write_steps(ws, fmt, row + 1, guide_steps(indicator_set))
    ws.set_paper(9)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.protect()
    ws.activate()


def write_lists_sheet(ws, fmt, indicator_set: IndicatorSet) -> dict[str, str]:
    """One column per list (the NA list first, then each choice field, options in
    the decision's order); returns list key → absolute range for validations."""
    from xlsxwriter.utility import quote_sheetname, xl_range_abs  # xlsxwriter: only when writing

    lists = {layout.NA_SUFFIX: [layout.NA_LABEL]}
    lists.update({f.id: [o.label for o in f.options] for f in indicator_set.fields.values() if f.options})
    sources = {}
    for col, (key, labels) in enumerate(lists.items()):
        ws.write_string(0, col, key, fmt["label"])
        for i, label in enumerate(labels, start=1):
            ws.write_string(i, col, label)
        ws.set_column(col, col, 40)
        sources[key] = f"={quote_sheetname(layout.LISTS_SHEET)}!{xl_range_abs(1, col, len(labels), col)}"
    ws.hide()
    ws.protect()
    return sources


def _validate(ws, row: int, col: int, spec: tuple, source: str | None = None) -> None:
    rule, title, message, error = spec
    options = {**rule, "input_title": title, "input_message": message}
    if source is not None:
        options["source"] = source
    if rule["validate"] != "any":
        options.update(error_type="stop", error_title="Giá trị không hợp lệ", error_message=error)
    ws.data_validation(row, col, row, col, options)


def _field_row(ws, fmt, row: int, field, sources: dict[str, str], value=None) -> None:
    hint = TYPE_HINTS[field.type] + (f" (đơn vị tính: {field.unit})" if getattr(field, "unit", None) else "")
    ws.write_blank(row, COL["criterion"], None, fmt["cell"])
    ws.write_string(row, COL["content"], field.label, fmt["cell"])
    ws.write_blank(row, COL["max_points"], None, fmt["cell"])
    ws.write_string(row, COL["method"], hint, fmt["hint"])
    write_cell(ws, row, COL["value"], value, fmt[field.type])
    ws.write_blank(row, COL["note"], None, fmt["note"])
    ws.write_blank(row, COL["self_score"], None, fmt["cell"])
    ws.write_string(row, COL["field_id"], field.id, fmt["id"])
    _validate(ws, row, COL["value"], VALIDATIONS[field.type], sources.get(field.id))
    _fit_row(ws, row, {COL["content"]: field.label, COL["method"]: hint,
                       COL["value"]: value if isinstance(value, str) else ""}, WIDTHS)


def _band_row(ws, fmt, row: int, index_id: str, name: str, points: float | None) -> None:
    for col in range(LAST_COL + 1):
        ws.write_blank(row, col, None, fmt["band"])
    ws.write_string(row, COL["criterion"], index_id, fmt["band"])
    ws.write_string(row, COL["content"], name, fmt["band"])
    if points is not None:
        ws.write_number(row, COL["max_points"], points, fmt["band_points"])
    _fit_row(ws, row, {COL["content"]: name}, WIDTHS)


def write_input_sheet(ws, fmt, indicator_set: IndicatorSet, unit: Unit, period: str, sources: dict[str, str],
                      contents: dict[str, object]) -> None:
    from xlsxwriter.utility import xl_rowcol_to_cell  # xlsxwriter: only when writing

    for col, width in WIDTHS.items():
        ws.set_column(col, col, width)
    title_block = [
        (indicator_set.title, fmt["title"]),
        (f"Đơn vị: {unit.name} (mã đơn vị: {unit.code})", fmt["label"]),
        (f"Kỳ báo cáo: {period_text(period)}", fmt["label"]),
        (f"Chỉ điền vào các ô tô màu; xem trang \"{layout.GUIDE_SHEET}\" trước khi điền.", fmt["subtitle"]),
    ]
    for row, (text, style) in enumerate(title_block[:layout.HEADER_ROW]):
        ws.merge_range(row, 0, row, LAST_COL, text, style)
    for key, header in layout.COLUMNS:
        ws.write_string(layout.HEADER_ROW, COL[key], header, fmt["header"])
    _fit_row(ws, layout.HEADER_ROW, {COL[key]: header for key, header in layout.COLUMNS}, WIDTHS)

    row = layout.HEADER_ROW + 1
    fields = indicator_set.fields
    if indicator_set.info_fields:
        _band_row(ws, fmt, row, "", "Thông tin chung (không tính điểm)", None)
        row += 1
        for info in indicator_set.info_fields:
            _field_row(ws, fmt, row, info, sources, contents.get(info.id))
            row += 1
    for index in indicator_set.indices:
        _band_row(ws, fmt, row, index.id, index.name, index.max_points)
        row += 1
        for criterion in index.items:
            crit_row = row
            cells = {f.id: xl_rowcol_to_cell(crit_row + 1 + i, COL["value"]) for i, f in enumerate(criterion.fields)}
            na_cell = xl_rowcol_to_cell(crit_row, COL["value"]) if indicator_set.allows_not_applicable else None
            formula = self_score_formula(criterion, fields, cells, na_cell)
            blank_value = layout.MIN_MAX_TEXT if criterion.rule.scored_across_units else 0
            ws.write_string(crit_row, COL["criterion"], criterion.id, fmt["bold"])
            ws.write_string(crit_row, COL["content"], criterion.name, fmt["bold"])
            ws.write_number(crit_row, COL["max_points"], criterion.max_points, fmt["points"])
            ws.write_string(crit_row, COL["method"], criterion.method, fmt["cell"])
            ws.write_blank(crit_row, COL["note"], None, fmt["note"])
            # The cached result is the blank workbook's score, for readers that do not recalculate on load.
            ws.write_formula(crit_row, COL["self_score"], formula, fmt["score"], blank_value)
            if na_cell is not None:
                write_cell(ws, crit_row, COL["value"], contents.get(criterion.id + layout.NA_SUFFIX), fmt["na"])
                ws.write_string(crit_row, COL["field_id"], criterion.id + layout.NA_SUFFIX, fmt["id"])
                _validate(ws, crit_row, COL["value"], NA_VALIDATION, sources[layout.NA_SUFFIX])
            else:
                ws.write_blank(crit_row, COL["value"], None, fmt["cell"])
                ws.write_blank(crit_row, COL["field_id"], None, fmt["id"])
            _fit_row(ws, crit_row, {COL["content"]: criterion.name, COL["method"]: criterion.method}, WIDTHS)
            row += 1
            for field in criterion.fields:
                _field_row(ws, fmt, row, field, sources, contents.get(field.id))
                row += 1

    finish_input_sheet(ws)


def write_meta_sheet(ws, indicator_set: IndicatorSet, unit: Unit, period: str) -> None:
    values = {
        "set_id": indicator_set.id,
        "set_version": indicator_set.version,
        "template_hash": layout.template_hash(indicator_set),
        "template_format": layout.TEMPLATE_FORMAT,
        "unit_code": unit.code,
        "period": period,
    }
    for row, key in enumerate(layout.META_KEYS):
        ws.write_string(row, 0, key)
        ws.write_string(row, 1, values[key])
    ws.very_hidden()
    ws.protect()


# --- The reported layout (tasks, assigned criteria, figures) ----------------------


def reported_header(ws, fmt, form, unit: Unit, period: str) -> dict[str, int]:
    """Title block and column headers of a reported sheet; returns the column index."""
    columns = layout.columns_for(form)
    col = layout.column_index(form)
    widths = {col[key]: width for key, width in REPORTED_WIDTHS.items()}
    for c, width in widths.items():
        ws.set_column(c, c, width)
    last = len(columns) - 1
    block = [(form.title, fmt["title"]), (f"Đơn vị: {unit.name} (mã đơn vị: {unit.code})", fmt["label"]),
             (f"Kỳ báo cáo: {period_text(period)}", fmt["label"]),
             (f"Chỉ điền vào các ô màu vàng; xem trang \"{layout.GUIDE_SHEET}\" trước khi điền.", fmt["subtitle"])]
    for row, (text, style) in enumerate(block[:layout.HEADER_ROW]):
        ws.merge_range(row, 0, row, last, text, style)
    for key, header in columns:
        ws.write_string(layout.HEADER_ROW, col[key], header, fmt["header"])
    _fit_row(ws, layout.HEADER_ROW, {col[key]: header for key, header in columns}, widths)
    return col


def reported_band(ws, fmt, row: int, col: dict[str, int], text: str) -> None:
    for c in range(len(col)):
        ws.write_blank(row, c, None, fmt["band"])
    ws.write_string(row, col["content"], text, fmt["band"])
    _fit_row(ws, row, {col["content"]: text}, {col["content"]: REPORTED_WIDTHS["content"]})


def reported_item_row(ws, fmt, row: int, col: dict[str, int], item_id: str, name: str, description: str) -> None:
    """An item's own row: its number, what it is, what it is measured against."""
    for c in range(len(col)):
        ws.write_blank(row, c, None, fmt["cell"])
    ws.write_string(row, col["criterion"], item_id, fmt["bold"])
    ws.write_string(row, col["content"], name, fmt["bold"])
    ws.write_string(row, col["description"], description, fmt["cell"])
    _fit_row(ws, row, {col["content"]: name, col["description"]: description},
             {col["content"]: REPORTED_WIDTHS["content"], col["description"]: REPORTED_WIDTHS["description"]})


def reported_field_row(ws, fmt, row: int, col: dict[str, int], field, sources: dict[str, str], value=None) -> None:
    """One cell to fill: its label, what to type in the description column, the value cell."""
    hint = TYPE_HINTS[field.type] + (f" (đơn vị tính: {field.unit})" if getattr(field, "unit", None) else "")
    ws.write_blank(row, col["criterion"], None, fmt["cell"])
    ws.write_string(row, col["content"], field.label, fmt["cell"])
    ws.write_string(row, col["description"], hint, fmt["hint"])
    write_cell(ws, row, col["value"], value, fmt[field.type])
    ws.write_blank(row, col["note"], None, fmt["note"])
    ws.write_string(row, col["field_id"], field.id, fmt["id"])
    _validate(ws, row, col["value"], unscored(VALIDATIONS[field.type]), sources.get(field.id))
    # A pre-filled text (a document reference) wraps in its cell: the row grows for it too.
    typed = value if isinstance(value, str) else ""
    _fit_row(ws, row, {col["content"]: field.label, col["description"]: hint, col["value"]: typed},
             {col["content"]: REPORTED_WIDTHS["content"], col["description"]: REPORTED_WIDTHS["description"],
              col["value"]: REPORTED_WIDTHS["value"]})


# --- Entry points -------------------------------------------------------------


def write_unit_workbook(indicator_set, unit: Unit, period: str, target_path: Path | str, *, subject: str,
                        write_guide, write_inputs, values: Mapping[str, object] | None = None,
                        deadline: str | None = None, contact: str | None = None) -> Path:
    """The four sheets every unit workbook has, whatever the set: the guide and the
    input sheet come from the caller; the lists and the stamp are the same for all."""
    import xlsxwriter  # only when a workbook is written: checking and reading never need it

    layout.check_period(period)  # which units take which set is the registry's call, not this writer's
    target = Path(target_path)
    with atomic_path(target) as tmp:
        workbook = xlsxwriter.Workbook(str(tmp), {"default_format_properties": FONT})
        workbook.set_properties({
            "title": f"{indicator_set.title} – {unit.name} – {period_text(period)}",
            "subject": subject,
            "author": "Sở Thông tin và Truyền thông",
            "keywords": f"DTI, {indicator_set.id}, {unit.code}, {period}",
            "created": FIXED_CREATED,
        })
        fmt = _formats(workbook)
        guide = workbook.add_worksheet(layout.GUIDE_SHEET)
        inputs = workbook.add_worksheet(layout.INPUT_SHEET)
        lists = workbook.add_worksheet(layout.LISTS_SHEET)
        meta = workbook.add_worksheet(layout.META_SHEET)
        sources = write_lists_sheet(lists, fmt, indicator_set)
        write_guide(guide, fmt, indicator_set, unit, period, deadline, contact)
        write_inputs(inputs, fmt, indicator_set, unit, period, sources, cell_values(indicator_set, values or {}))
        write_meta_sheet(meta, indicator_set, unit, period)
        workbook.close()
    return target


def write_template(indicator_set: IndicatorSet, unit: Unit, period: str, target_path: Path | str, *,
                   deadline: str | None = None, contact: str | None = None,
                   values: Mapping[str, object] | None = None) -> Path:
    """Write the workbook of one unit for one period, blank or pre-filled with
    long-format values by field id; returns its path."""
    return write_unit_workbook(indicator_set, unit, period, target_path,
                               subject="Mẫu nhập số liệu tự đánh giá Chỉ số chuyển đổi số (DTI)",
                               write_guide=write_guide_sheet, write_inputs=write_input_sheet,
                               values=values, deadline=deadline, contact=contact)


def write_templates(indicator_set: IndicatorSet, units, period: str, out_dir: Path | str, **kw) -> list[Path]:
    """One workbook per unit in out_dir, named by layout.template_file_name."""
    out_dir = Path(out_dir)
    return [write_template(indicator_set, unit, period, out_dir / layout.template_file_name(unit.code, indicator_set.id, period), **kw)
            for unit in units]
