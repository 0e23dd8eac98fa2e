"""Workbooks for a target set: each unit gets only the figures it reports,
grouped under the table's targets, in the reported layout (layout.REPORTED_COLUMNS:
the target beside its row, no points) and read by the same reader as every
other unit workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from dti_report.workbook import layout
from dti_report.forms.targets import TargetSet
from dti_report.forms.periods import period_text
from dti_report.workbook.templates import (
    DEFAULT_CONTACT,
    GUIDE_WIDTHS,
    TemplateError,
    finish_input_sheet,
    reported_band,
    reported_field_row,
    reported_header,
    reported_item_row,
    write_info_rows,
    write_steps,
    write_unit_workbook,
)
from dti_report.forms.units import Unit


def write_guide(ws, fmt, target_set: TargetSet, unit: Unit, period: str, deadline: str | None, contact: str | None) -> None:
    for col, width in GUIDE_WIDTHS.items():
        ws.set_column(col, col, width)
    ws.merge_range(0, 0, 0, 1, target_set.title, fmt["title"])
    ws.merge_range(1, 0, 1, 1, "Mẫu báo cáo số liệu theo dõi chỉ tiêu", fmt["subtitle"])
    columns = dict(layout.columns_for(target_set))
    info = [("Đơn vị", f"{unit.name} (mã đơn vị: {unit.code})"), ("Kỳ báo cáo", period_text(period)),
            ("Thời hạn gửi", deadline or DEFAULT_CONTACT), ("Đầu mối liên hệ", contact or DEFAULT_CONTACT),
            ("Bảng chỉ tiêu", f"{target_set.source_text} (mã {target_set.id}, phiên bản {target_set.version})")]
    row = write_info_rows(ws, fmt, 3, info)
    steps = [
        f"Trang \"{layout.INPUT_SHEET}\" chỉ gồm các số liệu đơn vị có trách nhiệm báo cáo, dưới chỉ tiêu mà số liệu "
        "phục vụ. Chỉ điền vào các ô tô màu vàng.",
        "Ô để trống được hiểu là \"chưa có số liệu\"; khi giá trị thực tế bằng 0, hãy ghi số 0.",
        "Số lượng là số nguyên không âm, nhập theo định dạng tiếng Việt (1.234). Tỷ lệ phần trăm nhập dạng 80%.",
        "Với nội dung \"đã ban hành / đã triển khai\", chọn trong danh sách và ghi số, ngày văn bản ở dòng ngay dưới.",
        f"Không đổi tên trang tính, không sửa cột \"{columns['field_id']}\" (mã để tổng hợp).",
        "Số liệu của các đơn vị được cộng lại thành số liệu toàn Thành phố (tỷ lệ toàn Thành phố = tổng tử số / tổng mẫu số).",
    ]
    write_steps(ws, fmt, row + 1, steps)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.protect()
    ws.activate()


def write_inputs(ws, fmt, target_set: TargetSet, unit: Unit, period: str, sources: dict[str, str],
                 contents: dict[str, object]) -> None:
    """The table's groups as bands; each row of the table that asks this unit for figures, with its
    target beside it; the figures below it."""
    col = reported_header(ws, fmt, target_set, unit, period)
    mine = {item.id for item in target_set.items_for(unit, None)}
    group_of = target_set.group_of_section()
    row = layout.HEADER_ROW + 1
    band = None
    for section in target_set.sections:
        items = [item for item in section.items if item.id in mine]
        if not items:
            continue
        group = group_of.get(section.id, "")
        if group and group != band:
            reported_band(ws, fmt, row, col, group)
            row += 1
            band = group
        reported_item_row(ws, fmt, row, col, section.id, section.name, section.description.removeprefix("Chỉ tiêu: "))
        row += 1
        for item in items:
            for f in item.fields:
                reported_field_row(ws, fmt, row, col, f, sources, contents.get(f.id))
                row += 1
    finish_input_sheet(ws)


def write_target_template(target_set: TargetSet, unit: Unit, period: str, target_path: Path | str, *,
                          deadline: str | None = None, contact: str | None = None,
                          values: Mapping[str, object] | None = None) -> Path:
    if not target_set.inputs_for(unit):
        raise TemplateError(f"đơn vị {unit.code} không báo cáo số liệu nào của {target_set.id}")
    return write_unit_workbook(target_set, unit, period, target_path, subject="Mẫu báo cáo số liệu theo dõi chỉ tiêu",
                               write_guide=write_guide, write_inputs=write_inputs,
                               values=values, deadline=deadline, contact=contact)
