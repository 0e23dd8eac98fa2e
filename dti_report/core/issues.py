"""Validation problems as values.

Every check yields `Issue`s: a stable kebab-case code, a severity, where it
happened (file, sheet, cell or row, unit, field) and a Vietnamese message
rendered from the code's template. Exceptions are kept for inputs that cannot
even be opened.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Iterable, Literal

Severity = Literal["error", "warning"]

SEVERITY_LABELS = {"error": "Lỗi", "warning": "Cảnh báo"}

# code -> (severity, message template). Templates use the Issue's fields.
CODES: dict[str, tuple[Severity, str]] = {
    "file-unreadable": ("error", "Không đọc được tệp: {detail}"),
    "missing-column": ("error", "Thiếu cột bắt buộc '{detail}' ở dòng tiêu đề"),
    "missing-unit-code": ("error", "Dòng thiếu mã đơn vị"),
    "missing-field-id": ("error", "Dòng thiếu mã trường"),
    "unknown-field": ("error", "Mã trường '{field}' không có trong bộ chỉ số {detail}"),
    "info-field": ("warning", "Trường '{field}' là thông tin chung, không dùng để chấm điểm"),
    "duplicate-field": ("error", "Trường '{field}' của đơn vị {unit} khai báo nhiều lần; chỉ dùng lần đầu ({detail})"),
    "not-a-number": ("error", "Trường '{field}': giá trị '{value}' không phải là số"),
    "not-an-integer": ("error", "Trường '{field}': giá trị '{value}' phải là số nguyên"),
    "negative-number": ("error", "Trường '{field}': giá trị '{value}' là số âm"),
    "percent-out-of-range": ("error", "Trường '{field}': tỷ lệ '{value}' vượt quá 100%"),
    "invalid-option": ("error", "Trường '{field}': giá trị '{value}' không thuộc danh sách lựa chọn ({detail})"),
    "invalid-date": ("error", "Trường '{field}': '{value}' không phải ngày có thật (ngày/tháng/năm)"),
    "not-a-date": ("error", "Trường '{field}': '{value}' không phải ngày; ghi theo dạng ngày/tháng/năm, ví dụ 30/06/2021"),
    "date-after-period": ("warning", "Trường '{field}': ngày {value} sau {detail}"),
    "points-above-max": ("error", "Trường '{field}': điểm tự đánh giá vượt điểm tối đa {detail}"),
    "invalid-yes-no": ("error", "Trường '{field}': giá trị '{value}' phải là Có hoặc Không"),
    "zero-denominator": ("error", "Tiêu chí {criterion}: mẫu số ({detail}) bằng 0"),
    "numerator-exceeds-denominator": ("error", "Tiêu chí {criterion}: tử số lớn hơn mẫu số ({detail})"),
    "count-exceeds-total": ("error", "Tiêu chí {criterion}: số đếm lớn hơn tổng ({detail})"),
    "incomplete-criterion": ("warning", "Tiêu chí {criterion}: thiếu số liệu {detail}; phần thiếu số liệu được tính 0 điểm"),
    "override-without-reason": ("error", "Điều chỉnh trường '{field}' của đơn vị {unit} không có lý do; điều chỉnh bị bỏ qua"),
    "file-too-large": ("error", "Tệp quá lớn: {detail}"),
    "zip-bomb": ("error", "Tệp nén bất thường, không mở để bảo đảm an toàn: {detail}"),
    "xml-bomb": ("error", "Tệp chứa khai báo XML nguy hiểm (DTD/ENTITY) trong {detail}; không mở để bảo đảm an toàn"),
    "not-a-workbook": ("error", "Tệp không phải là sổ tính Excel/ODS: {detail}"),
    "password-protected": ("error", "Tệp được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại"),
    "corrupt-workbook": ("error", "Tệp bị hỏng, không mở được: {detail}"),
    "not-a-template": ("error", "Tệp không phải biểu mẫu do Sở Thông tin và Truyền thông phát hành ({detail}); hãy dùng biểu mẫu được gửi kèm"),
    "missing-sheet": ("error", "Thiếu trang '{sheet}' của biểu mẫu"),
    "missing-header": ("error", "Không tìm thấy dòng tiêu đề có các cột {detail} trên trang '{sheet}'"),
    "template-version-mismatch": ("error", "Biểu mẫu phiên bản {value} không phải phiên bản hiện hành {detail}; hãy nhập lại số liệu vào biểu mẫu mới"),
    "unknown-set": ("error", "Bộ chỉ số '{value}' không có trong danh sách bộ chỉ số đang áp dụng (hiện có: {detail})"),
    "unknown-unit": ("error", "Mã đơn vị '{value}' không có trong danh mục đơn vị"),
    "unit-set-mismatch": ("error", "Đơn vị {unit} (cấp {detail}) không đánh giá theo bộ chỉ số {value}"),
    "unit-mismatch": ("error", "Tên tệp ghi đơn vị '{value}' nhưng biểu mẫu được lập cho đơn vị {unit}"),
    "wrong-period": ("error", "Biểu mẫu cho kỳ {value}, không phải kỳ đang tổng hợp {detail}"),
    "ignored-file": ("warning", "Tệp không phải sổ tính ({detail}), bỏ qua"),
    "blank-field": ("warning", "Trường '{field}' để trống: được coi là chưa có số liệu (tiêu chí chấm điểm thì được 0 điểm); nếu giá trị thực là 0 hãy ghi 0"),
    "superseded": ("warning", "Đơn vị {unit} đã gửi bản mới hơn ({detail}); bản này không được dùng"),
    "missing-submission": ("warning", "Đơn vị {unit} chưa gửi biểu mẫu bộ chỉ số {detail}"),
    "override-unknown-unit": ("warning", "Điều chỉnh cho đơn vị {unit} không có số liệu tự đánh giá; điều chỉnh bị bỏ qua"),
}


@dataclasses.dataclass(frozen=True)
class Issue:
    code: str
    file: str = ""
    sheet: str = ""
    cell: str = ""  # an Excel cell ("D12") or a row of a long file ("dòng 7")
    unit: str = ""
    field: str = ""
    criterion: str = ""
    value: str = ""
    detail: str = ""

    def __post_init__(self):
        if self.code not in CODES:
            raise ValueError(f"unknown issue code {self.code!r}")

    @property
    def severity(self) -> Severity:
        return CODES[self.code][0]

    @property
    def message(self) -> str:
        return CODES[self.code][1].format(**dataclasses.asdict(self))

    @property
    def location(self) -> str:
        parts = [self.file, self.sheet and f"trang {self.sheet}", self.cell, self.unit and f"đơn vị {self.unit}"]
        return ", ".join(p for p in parts if p)

    def as_row(self) -> dict[str, str]:
        row = dataclasses.asdict(self)
        row["severity"] = self.severity
        row["message"] = self.message
        return row


ISSUE_COLUMNS = ["severity", "code", "file", "sheet", "cell", "unit", "field", "criterion", "value", "message"]


def issues_frame(issues: Iterable[Issue]):
    """Issues as a table, one row each, in ISSUE_COLUMNS order (issues.csv, issues.xlsx)."""
    import pandas as pd  # only the writers need it

    return pd.DataFrame([i.as_row() for i in issues], columns=ISSUE_COLUMNS)


def has_errors(issues: Iterable[Issue]) -> bool:
    return any(i.severity == "error" for i in issues)


def group_by_file(issues: Iterable[Issue]) -> dict[str, list[Issue]]:
    grouped: dict[str, list[Issue]] = defaultdict(list)
    for issue in issues:
        grouped[issue.file].append(issue)
    return dict(grouped)


def render_text(issues: Iterable[Issue]) -> str:
    """Issues grouped per file, one line each, for the terminal."""
    lines = []
    for file, file_issues in group_by_file(issues).items():
        lines.append(file or "(không rõ tệp)")
        for issue in file_issues:
            where = ", ".join(p for p in [issue.cell, issue.unit and f"đơn vị {issue.unit}"] if p)
            lines.append(f"  [{SEVERITY_LABELS[issue.severity]}] {issue.code}{f' ({where})' if where else ''}: {issue.message}")
    return "\n".join(lines)
