"""Workbooks for a target set: each unit gets only the figures it reports,
grouped under the table's targets, in the same layout (and read by the same
reader) as the DTI workbooks."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from dti_report.workbook import layout
from dti_report.forms.targets import TargetSet
from dti_report.workbook.templates import (
    TemplateError,
    COL,
    DEFAULT_CONTACT,
    GUIDE_WIDTHS,
    LAST_COL,
    WIDTHS,
    _band_row,
    _field_row,
    _fit_row,
    finish_input_sheet,
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
    info = [("Đơn vị", f"{unit.name} (mã đơn vị: {unit.code})"), ("Kỳ báo cáo", period),
            ("Thời hạn gửi", deadline or DEFAULT_CONTACT), ("Đầu mối liên hệ", contact or DEFAULT_CONTACT),
            ("Bảng chỉ tiêu", f"{target_set.id}, phiên bản {target_set.version}")]
    row = write_info_rows(ws, fmt, 3, info)
    steps = [
        f"Trang \"{layout.INPUT_SHEET}\" chỉ gồm các số liệu đơn vị có trách nhiệm báo cáo. Chỉ điền vào các ô tô màu vàng.",
        "Ô để trống được hiểu là \"chưa có số liệu\"; khi giá trị thực tế bằng 0, hãy ghi số 0.",
        "Số lượng là số nguyên không âm, nhập theo định dạng tiếng Việt (1.234). Tỷ lệ phần trăm nhập dạng 80%.",
        "Với nội dung \"đã ban hành / đã triển khai\", chọn trong danh sách và ghi số, ngày văn bản ở dòng ngay dưới.",
        f"Không đổi tên trang tính, không sửa cột \"{layout.HEADER['field_id']}\".",
        "Số liệu của các đơn vị được cộng lại thành số liệu toàn Thành phố (tỷ lệ toàn Thành phố = tổng tử số / tổng mẫu số).",
    ]
    write_steps(ws, fmt, row + 1, steps)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.protect()
    ws.activate()


def write_inputs(ws, fmt, target_set: TargetSet, unit: Unit, period: str, sources: dict[str, str],
                 contents: dict[str, object]) -> None:
    for col, width in WIDTHS.items():
        ws.set_column(col, col, width)
    for row, text in enumerate([target_set.title, f"Đơn vị: {unit.name} (mã đơn vị: {unit.code})", f"Kỳ báo cáo: {period}"]):
        ws.merge_range(row, 0, row, LAST_COL, text, fmt["title"] if row == 0 else fmt["label"])
    for key, header in layout.COLUMNS:
        ws.write_string(layout.HEADER_ROW, COL[key], header, fmt["header"])
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
            _band_row(ws, fmt, row, "", group, None)
            row += 1
            band = group
        ws.write_string(row, COL["criterion"], section.id, fmt["bold"])
        ws.write_string(row, COL["content"], section.name, fmt["bold"])
        ws.write_string(row, COL["method"], section.description, fmt["cell"])
        _fit_row(ws, row, {COL["content"]: section.name}, WIDTHS)
        row += 1
        for item in items:
            for f in item.fields:
                _field_row(ws, fmt, row, f, sources, contents.get(f.id))
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
