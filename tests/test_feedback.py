"""What goes back to a unit that reported figures for the monitoring table: its figures under the
table row they go to, never a sentence saying the file was not used."""

import openpyxl

from dti_report.kinds import get_form
from dti_report.reports.feedback import Feedback, FeedbackPart, shown, write_feedback_workbook

TS = get_form("hcm-chi-tieu-2023")


def test_target_feedback_shows_figures_and_where_they_went(tmp_path):
    part = FeedbackPart("chi-tieu/cuc-thong-ke_hcm-chi-tieu-2023_2023.xlsx", "accepted", TS.id, TS,
                        {"25": 0.213}, {"25": "E8"}, {"25": "Niên giám thống kê 2023"}, None, None)
    target = write_feedback_workbook(Feedback("cuc-thong-ke", "Cục Thống kê Thành phố", "2023", [part], []),
                                     tmp_path / "cuc-thong-ke.xlsx")
    rows = [["" if v is None else str(v) for v in r] for r in openpyxl.load_workbook(target).worksheets[0].iter_rows(
        values_only=True)]
    assert rows[0][0] == "Cục Thống kê Thành phố (cuc-thong-ke) — năm 2023"
    assert rows[2][0] == TS.received_text
    assert rows[4][:4] == ["Mã", "Nội dung", "Số liệu đã nhập", "Ghi chú, minh chứng"]
    # the table row the figure goes to (target 25, its target 19%) heads it
    assert rows[5][0].startswith("25. ") and rows[5][0].endswith("— Chỉ tiêu: Đạt 19%")
    assert rows[6][:4] == ["25", "Tỷ trọng kinh tế số trong GRDP của Thành phố", "21,3%", "Niên giám thống kê 2023"]


def test_values_read_back_the_vietnamese_way():
    assert shown(0.5, TS.fields["25"]) == "50%"
    assert shown(1234.5, None) == "1.234,5"
    assert shown("", None) == ""
