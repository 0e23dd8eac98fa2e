"""What goes back to a unit that reported figures for the monitoring table: its figures under the
table row they go to, never a sentence saying the file was not used."""

import shutil
import subprocess

import openpyxl
import pytest

from dti_report.core.issues import Issue
from dti_report.kinds import get_form
from dti_report.workbook.packed_rows import pack_rows
from dti_report.reports.feedback import Feedback, FeedbackPart, shown, write_feedback_workbook

TS = get_form("hcm-chi-tieu-2023")


def packed(path: str, *rows: tuple) -> bytes:
    """A file's input rows as the reader packs them: (field, value, note, cell) each."""
    return pack_rows([("cuc-thong-ke", field, value, note, path, "Nhập liệu", cell) for field, value, note, cell in rows])


def test_target_feedback_shows_figures_and_where_they_went(tmp_path):
    path = "chi-tieu/cuc-thong-ke_hcm-chi-tieu-2023_2023.xlsx"
    part = FeedbackPart(path, "accepted", TS.id, TS, packed(path, ("25", 0.213, "Niên giám thống kê 2023", "E8")),
                        None, None)
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


def figures_feedback(tmp_path):
    """A target workbook's feedback with one faulty figure: its cell marked, its issue listed."""
    path = "chi-tieu/cuc-thong-ke_hcm-chi-tieu-2023_2023.xlsx"
    part = FeedbackPart(path, "accepted", TS.id, TS,
                        packed(path, ("25", 0.213, "Niên giám thống kê 2023", "E8"),
                               ("26", "=1+1 <ước tính> & \"tạm\"", "", "E9")), None, None)
    issue = Issue("implausible-number", file=path, sheet="Nhập liệu", cell="E8", unit="cuc-thong-ke", field="25",
                  value="0,213", detail="1")
    return write_feedback_workbook(Feedback("cuc-thong-ke", "Cục Thống kê Thành phố", "2023", [part], [issue]),
                                   tmp_path / "cuc-thong-ke.xlsx")


def test_faulty_figure_marked_and_listed(tmp_path):
    book = openpyxl.load_workbook(figures_feedback(tmp_path))
    sheet, issues = book.worksheets
    assert sheet.freeze_panes == "C6" and sheet.print_title_rows == "$5:$5"
    assert "A6:D6" in [str(r) for r in sheet.merged_cells.ranges]
    figure = next(row for row in sheet.iter_rows(min_row=6) if row[0].value == "25")
    assert figure[2].value == "21,3%" and figure[2].fill.fgColor.rgb == "FFF8CBAD"  # the error colour
    assert figure[0].fill.fill_type is None
    texts = [c.value for row in sheet.iter_rows() for c in row]
    assert "=1+1 <ước tính> & \"tạm\"" in texts  # stays text
    assert [c.value for c in issues[1]][:3] == ["Mức độ", "Mã lỗi", "Tệp"]
    assert issues["A2"].value == "Lỗi" and issues["A2"].fill.fgColor.rgb == "FFF8CBAD"
    assert issues.auto_filter.ref == "A1:J2"


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) không có trên máy")
def test_libreoffice_opens_feedback(tmp_path):
    """LibreOffice opens the workbook without repair and saves the same cells, merges and marks."""
    source = figures_feedback(tmp_path)
    out = tmp_path / "libreoffice"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                    "--norestore", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=120)
    original, resaved = openpyxl.load_workbook(source), openpyxl.load_workbook(out / source.name)
    assert resaved.sheetnames == original.sheetnames
    for before, after in zip(original.worksheets, resaved.worksheets):
        values = [[c.value for c in row] for row in before.iter_rows()]
        assert [[c.value for c in row][:len(values[0])] for row in after.iter_rows()][:len(values)] == values
        assert sorted(map(str, after.merged_cells.ranges)) == sorted(map(str, before.merged_cells.ranges))
        # (headless, LibreOffice keeps no view settings: the frozen panes are not compared)
        def tall_rows(sheet):
            return {r: sheet.row_dimensions[r].height for r in range(1, len(values) + 1)
                    if (sheet.row_dimensions[r].height or 15) != 15}
        assert tall_rows(after) == tall_rows(before) != {}
    figure = next(row for row in resaved.worksheets[0].iter_rows(min_row=6) if row[0].value == "25")
    assert figure[2].fill.fgColor.rgb == "FFF8CBAD"


DTI = get_form("hcm-dti-huyen")


def scored_feedback(tmp_path, unit: str, value, reason: str = ""):
    """A unit's scored workbook whose first field holds `value`, its first criterion adjusted for `reason`."""
    path = f"dti/{unit}_{DTI.id}_2023.xlsx"
    first = DTI.criteria[0]
    part = FeedbackPart(path, "accepted", DTI.id, DTI, packed(path, (first.fields[0].id, value, "", "E7")),
                        {c.id: (1.0, 1.0 if c is not first else 0.5, "scored", reason if c is first else "")
                         for c in DTI.criteria},
                        {"total": 10.0, "self_total": 10.0})
    return write_feedback_workbook(Feedback(unit, f"Đơn vị {unit}", "2023", [part], []), tmp_path / f"{unit}.xlsx")


REASON = "; ".join(["Thiếu minh chứng"] * 8)


def test_units_of_one_form_each_see_their_own_values(tmp_path):
    """The rows a scored form's units share are made once; what each unit entered and was given
    stays its own, whichever unit's workbook was written first."""
    long_value = "Cổng dịch vụ công trực tuyến của huyện, kết nối với Cổng dịch vụ công quốc gia"
    sheets = [openpyxl.load_workbook(scored_feedback(tmp_path, unit, value, reason)).worksheets[0]
              for unit, value, reason in [("don-vi-a", "Có", ""), ("don-vi-b", long_value, REASON),
                                          ("don-vi-c", 12, "")]]
    first = DTI.criteria[0]
    for sheet, shown_value in zip(sheets, ["Có", long_value, "12"]):
        assert sheet["A6"].value == first.id and sheet["B6"].value == first.name
        assert sheet["B7"].value == first.fields[0].label and sheet["D7"].value == first.fields[0].id
        assert sheet["E7"].value == "E7" and str(sheet["F7"].value) == shown_value
    assert [sheet["J6"].value for sheet in sheets] == [None, REASON, None]
    assert sheets[0]["A1"].value.startswith("Đơn vị don-vi-a") and sheets[1]["A1"].value.startswith("Đơn vị don-vi-b")
    # the unit's own points, no rank: it moves whenever another unit's file arrives
    assert sheets[0]["A3"].value == f"Tổng điểm: 10,00/{DTI.total_points:g} (tự đánh giá 10,00)"
    # a long value or reason grows its row; the other units' rows keep the height their labels need
    heights = [(sheet.row_dimensions[6].height or 15, sheet.row_dimensions[7].height or 15) for sheet in sheets]
    assert heights[0] == heights[2]
    assert heights[1][0] > heights[0][0] and heights[1][1] > heights[0][1]


def test_a_huge_number_a_unit_typed_is_shown_whole(tmp_path):
    """1e30 in a field (an error the unit is told about) is written back as typed; formatting
    it once failed the whole run (Babel keeps 28 digits)."""
    sheet = openpyxl.load_workbook(scored_feedback(tmp_path, "don-vi-a", 1e30)).worksheets[0]
    assert sheet["F7"].value == "1" + ".000" * 10
