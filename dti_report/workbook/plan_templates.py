"""Workbooks for plans: each responsible agency gets only its own tasks (status,
completion date, document, difficulties and proposals) or only the criteria
assigned to it (value, evidence, status); a points index (dti-huyen-2021)
asks every district for its self-assessed points. Same layout and reader as
every other unit workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from dti_report.core import formatting as fmt
from dti_report.workbook import layout
from dti_report.forms.plans import PROPOSALS, AssignmentSet, TaskSet
from dti_report.workbook.templates import (COL, DEFAULT_CONTACT, GUIDE_WIDTHS, LAST_COL, WIDTHS, _band_row, _field_row, _fit_row,
                        finish_input_sheet, write_info_rows, write_unit_workbook)
from dti_report.forms.units import Registry, Unit


def items_for(plan: TaskSet | AssignmentSet, unit: Unit, registry: Registry) -> list:
    """The tasks or criteria a unit answers for: it leads them (by name or as part of
    a level the plan names); a points index is answered by every unit given it. An
    agency following criteria also gets the plan's box for difficulties and proposals."""
    if isinstance(plan, AssignmentSet) and plan.scoring == "points":
        return list(plan.criteria)
    mine = set()
    codes: dict[str, set[str]] = {}  # per agency name: a plan names the same few agencies hundreds of times
    for item_id, names in plan.item_leads().items():
        for n in names:
            if n not in codes:
                codes[n] = {u.code for u in registry.units_for_agency(n)}
        if any(unit.code in codes[n] for n in names):
            mine.add(item_id)
    if mine and isinstance(plan, AssignmentSet):
        mine.add(PROPOSALS)
    return [c for c in plan.criteria if c.id in mine]


def lead_units(plan: TaskSet | AssignmentSet, registry: Registry) -> dict[str, list[str]]:
    """Item id -> the registry units leading it; names the registry does not know map to nothing."""
    units = {n: [u.code for u in registry.units_for_agency(n)] for names in plan.item_leads().values() for n in set(names)}
    return {item: list(dict.fromkeys(code for n in names for code in units[n])) for item, names in plan.item_leads().items()}


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


def _inputs(items: list, describe):
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
            ws.write_string(row, COL["method"], describe(item.id), fmt["cell"])
            _fit_row(ws, row, {COL["content"]: item.name, COL["method"]: describe(item.id)}, WIDTHS)
            row += 1
            for f in item.fields:
                _field_row(ws, fmt, row, f, sources, contents.get(f.id))
                row += 1
        finish_input_sheet(ws)
    return write


def write_plan_template(plan: TaskSet | AssignmentSet, unit: Unit, registry: Registry, period: str,
                        target_path: Path | str, *, deadline: str | None = None, contact: str | None = None,
                        values: Mapping[str, object] | None = None) -> Path:
    items = items_for(plan, unit, registry)
    if not items:
        raise ValueError(f"đơn vị {unit.code} không chủ trì nội dung nào của {plan.id}")
    if isinstance(plan, TaskSet):
        deadlines = {t.id: t.deadline.text for t in plan.tasks}
        describe, label, subject = (lambda i: f"Thời hạn: {deadlines[i]}"), "các nhiệm vụ", "Mẫu báo cáo tiến độ nhiệm vụ"
    else:
        by_id = {c.id: c for c in plan.assigned}
        figures = {item.id: figure for item, figure in zip(plan.result_items, plan.baseline.figures)} if plan.result_items else {}

        def describe(i: str) -> str:
            if i in figures:  # the current figure beside its baseline
                f, of = figures[i], plan.baseline.of
                rank = f", xếp hạng {f.rank}" + (f"/{of}" if of else "") if f.rank else ""
                return f"Năm {plan.baseline.year}: {fmt.fixed(f.value, 4)}{rank}"
            if i == PROPOSALS:
                return "Ghi chung cho các chỉ tiêu đơn vị được phân công theo dõi (nếu có)"
            c = by_id[i]
            parts = [f"Điểm tối đa: {c.max_points:g}" if c.max_points is not None else "",
                     f"Tần suất: {c.frequency}" if c.frequency else "", c.note or ""]
            return "; ".join(p for p in parts if p)
        label, subject = "các chỉ tiêu", "Mẫu báo cáo chỉ tiêu được phân công"
    return write_unit_workbook(plan, unit, period, target_path, subject=subject, write_guide=_guide(plan, label),
                               write_inputs=_inputs(items, describe), values=values, deadline=deadline, contact=contact)
