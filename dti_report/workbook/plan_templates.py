"""Workbooks for plans: each responsible agency gets only its own tasks (status,
completion date, document, difficulties and proposals) or only the criteria
assigned to it (value, evidence, status). The sheet has the reported layout
(layout.REPORTED_COLUMNS: no points, no method, no self-score; the deadline or the
frequency beside each item); the reader reads it as every other unit workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from dti_report.workbook import layout
from dti_report.forms.plans import Plan
from dti_report.forms.periods import period_text
from dti_report.workbook.templates import (DEFAULT_CONTACT, GUIDE_WIDTHS, TemplateError, finish_input_sheet,
                                           reported_band, reported_field_row, reported_header, reported_item_row,
                                           write_info_rows, write_unit_workbook)
from dti_report.forms.units import Registry, Unit


def _guide(plan, items_label: str):
    def write(ws, fmt, _plan, unit: Unit, period: str, deadline: str | None, contact: str | None) -> None:
        for col, width in GUIDE_WIDTHS.items():
            ws.set_column(col, col, width)
        ws.merge_range(0, 0, 0, 1, plan.title, fmt["title"])
        ws.merge_range(1, 0, 1, 1, f"{plan.source.document}, {plan.source.appendix or ''}".rstrip(", "), fmt["subtitle"])
        columns = dict(layout.columns_for(plan))
        rows = [("Đơn vị", f"{unit.name} (mã đơn vị: {unit.code})"), ("Kỳ báo cáo", period_text(period)),
                ("Thời hạn gửi", deadline or DEFAULT_CONTACT), ("Đầu mối liên hệ", contact or DEFAULT_CONTACT),
                ("Hướng dẫn", f"Trang \"{layout.INPUT_SHEET}\" liệt kê {items_label} do đơn vị chủ trì; mỗi nội dung "
                              f"cần báo cáo một dòng, ô màu vàng ở cột \"{columns['value']}\". Chỉ điền các ô màu vàng "
                              f"và cột \"{columns['note']}\"; ngày ghi dạng ngày/tháng/năm; không sửa cột "
                              f"\"{columns['field_id']}\" (mã để tổng hợp).")]
        write_info_rows(ws, fmt, 3, rows)
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.protect()
        ws.activate()
    return write


def _inputs(items: list):
    """One band per part of the plan the items come from (a group of tasks, a pillar), each item
    on its own row with what it is measured against, its fields below it."""
    def write(ws, fmt, plan, unit: Unit, period: str, sources: dict[str, str], contents: dict[str, object]) -> None:
        col = reported_header(ws, fmt, plan, unit, period)
        mine = {item.id for item in items}
        row = layout.HEADER_ROW + 1
        for section in plan.sections:
            shown = [item for item in section.items if item.id in mine]
            if not shown:
                continue
            reported_band(ws, fmt, row, col, section.name)
            row += 1
            for item in shown:
                reported_item_row(ws, fmt, row, col, item.id, item.name, item.description)
                row += 1
                for f in item.fields:
                    reported_field_row(ws, fmt, row, col, f, sources, contents.get(f.id))
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
