"""Workbooks for plans: each responsible agency gets only its own tasks (status,
completion date, document, difficulties and proposals) or only the criteria
assigned to it (value, evidence, status). Same layout and reader as every other
unit workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from dti_report.workbook import layout
from dti_report.forms.plans import Plan
from dti_report.workbook.templates import (COL, DEFAULT_CONTACT, TemplateError, GUIDE_WIDTHS, LAST_COL, WIDTHS, _band_row, _field_row, _fit_row,
                        finish_input_sheet, write_info_rows, write_unit_workbook)
from dti_report.forms.units import Registry, Unit


def _guide(plan, items_label: str):
    def write(ws, fmt, _plan, unit: Unit, period: str, deadline: str | None, contact: str | None) -> None:
        for col, width in GUIDE_WIDTHS.items():
            ws.set_column(col, col, width)
        ws.merge_range(0, 0, 0, 1, plan.title, fmt["title"])
        ws.merge_range(1, 0, 1, 1, f"{plan.source.document}, {plan.source.appendix or ''}".rstrip(", "), fmt["subtitle"])
        rows = [("Đơn vị", f"{unit.name} (mã đơn vị: {unit.code})"), ("Kỳ báo cáo", period),
                ("Thời hạn gửi", deadline or DEFAULT_CONTACT), ("Đầu mối liên hệ", contact or DEFAULT_CONTACT),
                ("Hướng dẫn", f"Trang \"{layout.INPUT_SHEET}\" liệt kê {items_label} do đơn vị chủ trì. Chỉ điền các ô tô màu "
                              "vàng; ngày ghi dạng ngày/tháng/năm; không sửa cột mã trường.")]
        write_info_rows(ws, fmt, 3, rows)
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.protect()
        ws.activate()
    return write


def _inputs(items: list):
    def write(ws, fmt, plan, unit: Unit, period: str, sources: dict[str, str], contents: dict[str, object]) -> None:
        for col, width in WIDTHS.items():
            ws.set_column(col, col, width)
        for row, text in enumerate([plan.title, f"Đơn vị: {unit.name} (mã đơn vị: {unit.code})", f"Kỳ báo cáo: {period}"]):
            ws.merge_range(row, 0, row, LAST_COL, text, fmt["title"] if row == 0 else fmt["label"])
        for key, header in layout.COLUMNS:
            ws.write_string(layout.HEADER_ROW, COL[key], header, fmt["header"])
        row = layout.HEADER_ROW + 1
        _band_row(ws, fmt, row, "", plan.title, None)
        row += 1
        for item in items:
            ws.write_string(row, COL["criterion"], item.id, fmt["bold"])
            ws.write_string(row, COL["content"], item.name, fmt["bold"])
            ws.write_string(row, COL["method"], item.description, fmt["cell"])
            _fit_row(ws, row, {COL["content"]: item.name, COL["method"]: item.description}, WIDTHS)
            row += 1
            for f in item.fields:
                _field_row(ws, fmt, row, f, sources, contents.get(f.id))
                row += 1
        finish_input_sheet(ws)
    return write


def write_plan_template(plan: Plan, unit: Unit, registry: Registry, period: str, target_path: Path | str, *,
                        deadline: str | None = None, contact: str | None = None,
                        values: Mapping[str, object] | None = None) -> Path:
    items = plan.items_for(unit, registry)
    if not items:
        raise TemplateError(f"đơn vị {unit.code} không chủ trì nội dung nào của {plan.id}")
    return write_unit_workbook(plan, unit, period, target_path, subject=plan.sheet_subject,
                               write_guide=_guide(plan, plan.items_label), write_inputs=_inputs(items),
                               values=values, deadline=deadline, contact=contact)
