"""Workbooks for a target set: each unit gets only the figures it reports,
grouped under the table's targets, in the same layout (and read by the same
reader) as the DTI workbooks."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from dti_report.workbook import layout
from dti_report.forms.targets import TargetSet
from dti_report.workbook.templates import (
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
    mine = {i.id for i in target_set.inputs_for(unit)}
    by_key = target_set.input_by_key
    row = layout.HEADER_ROW + 1
    placed: set[str] = set()
    for group in target_set.groups:
        group_rows = []
        for target in group.targets:
            for entry in (target, *target.rows):
                inputs = [by_key[k].id for k in _keys_in(entry, target_set) if by_key[k].id in mine and by_key[k].id not in placed]
                if inputs:
                    group_rows.append((entry, inputs))
                    placed.update(inputs)
        if not group_rows:
            continue
        if group.name:
            _band_row(ws, fmt, row, "", group.name, None)
            row += 1
        for entry, inputs in group_rows:
            ws.write_string(row, COL["criterion"], entry.id, fmt["bold"])
            ws.write_string(row, COL["content"], entry.text, fmt["bold"])
            target_text = f"Chỉ tiêu: {entry.target.text}" if entry.target else ""
            ws.write_string(row, COL["method"], target_text, fmt["cell"])
            _fit_row(ws, row, {COL["content"]: entry.text}, WIDTHS)
            row += 1
            for input_id in inputs:
                for f in next(c for c in target_set.criteria if c.id == input_id).fields:
                    _field_row(ws, fmt, row, f, sources, contents.get(f.id))
                    row += 1
    finish_input_sheet(ws)


def _keys_in(entry, target_set: TargetSet) -> list[str]:
    """The input keys a table row shows or evaluates, in reading order."""
    from dti_report.forms.placeholders import find_placeholders  # placeholders builds on targets

    resolver = _resolver(target_set)
    keys: list[str] = []
    if entry.evaluates and entry.evaluates.key:
        keys.append(entry.evaluates.key)
    if entry.evaluates and entry.evaluates.ratio:
        keys.extend(k for k in resolver.ratios.get(entry.evaluates.ratio, ()) if k)
    for ph in find_placeholders(entry.cells.value):
        resolution = resolver.resolve(ph)
        canonical = resolution.resolved
        keys.extend(part for part in canonical.replace("sodonvi", "", 1).split(".") if part in target_set.input_by_key)
    return [target_set.input_by_key[k].key for k in dict.fromkeys(keys) if k in target_set.input_by_key]


_RESOLVERS: dict[int, object] = {}


def _resolver(target_set: TargetSet):
    from dti_report.forms.placeholders import Resolver

    if id(target_set) not in _RESOLVERS:
        _RESOLVERS[id(target_set)] = Resolver(target_set)
    return _RESOLVERS[id(target_set)]


def write_target_template(target_set: TargetSet, unit: Unit, period: str, target_path: Path | str, *,
                          deadline: str | None = None, contact: str | None = None,
                          values: Mapping[str, object] | None = None) -> Path:
    if not target_set.inputs_for(unit):
        raise ValueError(f"đơn vị {unit.code} không báo cáo số liệu nào của {target_set.id}")
    return write_unit_workbook(target_set, unit, period, target_path, subject="Mẫu báo cáo số liệu theo dõi chỉ tiêu",
                               write_guide=write_guide, write_inputs=write_inputs,
                               values=values, deadline=deadline, contact=contact)
