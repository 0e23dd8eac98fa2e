"""Validation problems as values.

Every check yields `Issue`s: a stable kebab-case code, a severity, where it
happened (file, sheet, cell or row, unit, field) and a Vietnamese message
rendered from the code's template. Exceptions are kept for inputs that cannot
even be opened.

A unit reads the message; a library's own words (an exception text, an errno)
go to `technical`, which only the clerk's files show. Every text an issue holds
is capped (MAX_TEXT characters, the full length noted), so a workbook of long
strings cannot make the issue files grow out of proportion.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Iterable, Literal

Severity = Literal["error", "warning"]

SEVERITY_LABELS = {"error": "Lỗi", "warning": "Cảnh báo"}
MAX_TEXT = 300
MAX_PATH = 2000  # a file path is the clerk's key to the file: cut only when absurd

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
    "non-finite-result": ("error", "Tiêu chí {criterion}: số liệu quá lớn, không tính được ({detail})"),
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
    "superseded": ("warning", "Đơn vị {unit} có bản khác được dùng: {detail}; bản này không được dùng"),
    "missing-submission": ("warning", "Đơn vị {unit} chưa gửi biểu mẫu bộ chỉ số {detail}"),
    "override-unknown-unit": ("warning", "Điều chỉnh cho đơn vị {unit} không có số liệu tự đánh giá; điều chỉnh bị bỏ qua"),
    # A file the reader could not finish: the file is refused, the batch goes on.
    "reading-failed": ("error", "Không đọc được tệp do lỗi không lường trước khi mở sổ tính; hãy mở tệp bằng Excel, "
                                "lưu lại dạng .xlsx rồi gửi lại"),
    "reading-crashed": ("error", "Đọc tệp làm dừng chương trình đọc (hết bộ nhớ hoặc lỗi nghiêm trọng); tệp không được "
                                 "dùng. Hãy mở tệp bằng Excel, lưu lại dạng .xlsx rồi gửi lại"),
    "sheet-too-large": ("error", "Trang '{sheet}' có nội dung ở ô {cell}, ngoài vùng một biểu mẫu có thể có ({detail}); "
                                 "hãy xóa nội dung các ô thừa rồi gửi lại"),
    "unsupported-format": ("error", "Định dạng {detail} không được hỗ trợ; hãy lưu biểu mẫu dạng .xlsx (Excel) rồi gửi lại"),
    "unit-title-mismatch": ("error", "Biểu mẫu được lập cho đơn vị {unit} nhưng tiêu đề trang '{sheet}' ghi đơn vị "
                                     "{value}; tệp có thể được sao chép từ biểu mẫu của đơn vị khác"),
    "path-too-long": ("error", "Đường dẫn quá dài ({detail}), hệ thống không mở được; hãy đổi tên ngắn hơn hoặc chuyển "
                               "tệp lên thư mục cao hơn"),
    "folder-unreadable": ("error", "Không mở được thư mục: {detail}; các tệp bên trong không được đọc"),
    # Entries of the inbox that are listed and never opened.
    "symlink-ignored": ("warning", "Liên kết (trỏ tới {detail}) không được đọc: chỉ đọc tệp nằm trong thư mục đầu vào"),
    "special-file-ignored": ("warning", "Mục này là {detail}, không phải tệp thông thường; không mở"),
    "name-not-utf8": ("warning", "Tên tệp không viết bằng mã UTF-8 (các byte: {detail}); tên hiển thị thay ký tự "
                                 "không đọc được bằng dấu �"),
    # Which return of a unit is used.
    "submission-unusable": ("warning", "Đơn vị {unit} đã gửi tệp cho bộ {detail} nhưng không tệp nào dùng được (xem lỗi "
                                       "của tệp); cần gửi lại"),
    "suspicious-save-time": ("warning", "Thời điểm lưu ghi trong tệp ({value}) {detail}; không dùng để chọn bản mới nhất"),
    "decision-not-applied": ("warning", "Quyết định chọn tệp '{value}' không áp dụng được: {detail}"),
    # Values as the unit meant them.
    "implausible-number": ("error", "Trường '{field}': giá trị '{value}' lớn bất thường (trên {detail}); hãy kiểm tra "
                                    "lại số liệu và đơn vị tính"),
    "mixed-not-applicable": ("error", "Tiêu chí {criterion}: ô {cell} ghi không áp dụng nhưng {detail} có số liệu; "
                                      "hoặc đánh dấu không áp dụng cho cả tiêu chí, hoặc nhập số liệu"),
    "missing-field": ("error", "Trang '{sheet}' thiếu dòng của trường '{field}' (dòng có mã trường đã bị xóa hoặc sửa); "
                               "hãy nhập lại vào biểu mẫu gốc"),
    "invalid-info": ("warning", "Thông tin chung '{field}': '{value}' không phải {detail}; hãy kiểm tra lại"),
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
    technical: str = ""  # for the clerk only: what a library said, never shown to a unit

    def __post_init__(self):
        if self.code not in CODES:
            raise ValueError(f"unknown issue code {self.code!r}")
        for f in dataclasses.fields(self):
            if f.name != "code":
                text = getattr(self, f.name)
                limit = MAX_PATH if f.name == "file" else MAX_TEXT
                if not isinstance(text, str) or len(text) > limit:
                    object.__setattr__(self, f.name, capped(str(text), limit))

    @property
    def severity(self) -> Severity:
        return CODES[self.code][0]

    @property
    def message(self) -> str:
        return CODES[self.code][1].format(**vars(self))  # the fields, all text (asdict copies them deeply)

    @property
    def location(self) -> str:
        parts = [self.file, self.sheet and f"trang {self.sheet}", self.cell, self.unit and f"đơn vị {self.unit}"]
        return ", ".join(p for p in parts if p)

    def as_row(self) -> dict[str, str]:
        row = dict(vars(self))  # the fields in order, all text: asdict's deep copy costs ten times more
        row["severity"] = self.severity
        row["message"] = self.message
        return row


def capped(text: str, limit: int = MAX_TEXT) -> str:
    """The text, or its first `limit` characters and how long it really was."""
    if len(text) <= limit:
        return text
    length = f"{len(text):,}".replace(",", ".")
    return f"{text[:limit]}… (cắt bớt, dài {length} ký tự)"


ISSUE_COLUMNS = ["severity", "code", "file", "sheet", "cell", "unit", "field", "criterion", "value", "message"]
TECHNICAL_COLUMN = "technical"


def issues_frame(issues: Iterable[Issue], *, technical: bool = False):
    """Issues as a table, one row each, in ISSUE_COLUMNS order (issues.csv, issues.xlsx);
    with `technical`, the clerk's column of library detail last. A unit's feedback
    never has it."""
    import pandas as pd  # only the writers need it

    columns = ISSUE_COLUMNS + [TECHNICAL_COLUMN] if technical else ISSUE_COLUMNS
    return pd.DataFrame([i.as_row() for i in issues], columns=columns)


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
