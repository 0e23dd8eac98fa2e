"""The house-style writer (sheet_xml, house_package, core/zipped): what openpyxl and calamine read
back from its workbooks is what was written, in the house formats, and nothing a unit typed
becomes a formula or breaks the XML."""

import datetime as dt
import unicodedata
import zipfile

import openpyxl
from python_calamine import CalamineWorkbook

from dti_report.core.files import FILE_MODE, write_bytes_atomic
from dti_report.workbook.house_package import house_style, house_workbook
from dti_report.workbook.layout import column_letter as column_letters
from dti_report.workbook.xlsx import CELL_LIMIT, HOUSE_FORMATS, print_setup, write_rows

HEADERS = {"code": "Mã", "text": "Nội dung", "points": "Điểm"}


def write_sample(target, texts):
    with house_workbook(target, "Phản hồi kết quả — Sở Thông tin & Truyền thông") as (book, formats):
        sheet = book.add_worksheet("Kết quả thử")
        sheet.write_string(0, 0, "Tiêu đề <thử> & \"trích dẫn\"", formats["title"])
        for row, text in enumerate(texts, start=2):
            sheet.write_value(row, 1, text, formats["error"] if row == 2 else formats["text"])
        sheet.write_value(2, 2, 7.5, formats["points"])
        sheet.write_value(2, 3, dt.date(2023, 11, 4), formats["date"])
        sheet.write_value(2, 4, True, formats["text"])
        sheet.write_value(2, 5, None, formats["warning"])
        sheet.merge_range(1, 0, 1, 3, "Nhóm 1. Hạ tầng số", formats["band"])
        sheet.set_row(1, 30)
        sheet.set_column(0, 0, 10)
        sheet.set_column(1, 1, 60)
        sheet.freeze_panes(2, 1)
        print_setup(sheet, 1, 300, title_columns=1, title_width=10)
        issues = book.add_worksheet("Lỗi và cảnh báo")
        write_rows(issues, ["code", "text", "points"], [("a", "Lỗi một", 1), ("b", "Cảnh báo hai", 2.25)], formats,
                   headers=HEADERS, column_formats={"points": "points"},
                   row_formats=[formats["error"], formats["warning"]])
    return target


def test_values_formats_and_layout_read_back(tmp_path):
    target = write_sample(tmp_path / "a.xlsx", ["=SUM(A1:A3)", "+84 912", "@x"])
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Kết quả thử", "Lỗi và cảnh báo"]
    assert book.properties.title == "Phản hồi kết quả — Sở Thông tin & Truyền thông"
    assert book.properties.created == dt.datetime(2000, 1, 1)
    sheet = book["Kết quả thử"]
    assert sheet["A1"].value == 'Tiêu đề <thử> & "trích dẫn"'
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 14 and sheet["A1"].font.name == "Times New Roman"
    # text that looks like a formula stays text
    assert [sheet.cell(r, 2).value for r in (3, 4, 5)] == ["=SUM(A1:A3)", "+84 912", "@x"]
    assert all(sheet.cell(r, 2).data_type == "s" for r in (3, 4, 5))
    assert sheet["B3"].fill.fgColor.rgb == "FFF8CBAD" and sheet["B3"].alignment.wrap_text
    assert sheet["F3"].fill.fgColor.rgb == "FFFFF2CC" and sheet["F3"].value is None
    assert sheet["C3"].value == 7.5 and sheet["C3"].number_format == "0.00"
    assert sheet["D3"].value == dt.datetime(2023, 11, 4) and sheet["D3"].number_format == "dd/mm/yyyy"
    assert sheet["E3"].value == "Có"
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A2:D2"]
    assert sheet["A2"].value == "Nhóm 1. Hạ tầng số" and sheet["A2"].fill.fgColor.rgb == "FFF2F2F2"
    assert sheet["A2"].border.left.style == "thin"
    assert sheet.row_dimensions[2].height == 30
    assert sheet.column_dimensions["B"].width == 60.7109375  # what xlsxwriter writes for 60
    assert sheet.freeze_panes == "B3"
    assert sheet.print_title_rows == "$2:$2" and sheet.print_title_cols == "$A:$A"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    issues = book["Lỗi và cảnh báo"]
    assert [[c.value for c in row] for row in issues.iter_rows()] == [
        ["Mã", "Nội dung", "Điểm"], ["a", "Lỗi một", 1], ["b", "Cảnh báo hai", 2.25]]
    assert issues["A1"].fill.fgColor.rgb == "FFDDEBF7" and issues["A1"].font.b
    assert issues["C3"].fill.fgColor.rgb == "FFFFF2CC"
    assert issues.auto_filter.ref == "A1:C3" and issues.freeze_panes == "A2"
    assert issues.print_title_rows == "$1:$1" and issues.sheet_properties.pageSetUpPr.fitToPage
    assert issues.page_setup.fitToHeight == 0
    names = zipfile.ZipFile(target).read("xl/workbook.xml").decode()
    assert "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"1\" hidden=\"1\">'Lỗi và cảnh báo'!$A$1:$C$3" in names


def test_calamine_reads_the_same(tmp_path):
    target = write_sample(tmp_path / "a.xlsx", ["=1+2", "Tỷ lệ hồ sơ trực tuyến"])
    book = CalamineWorkbook.from_path(str(target))
    rows = book.get_sheet_by_name("Kết quả thử").to_python()
    assert rows[0][0] == 'Tiêu đề <thử> & "trích dẫn"'
    assert rows[2][1:5] == ["=1+2", 7.5, dt.date(2023, 11, 4), "Có"]
    assert rows[3][1] == "Tỷ lệ hồ sơ trực tuyến"
    assert book.get_sheet_by_name("Lỗi và cảnh báo").to_python()[2] == ["b", "Cảnh báo hai", 2.25]


def test_awkward_text_round_trips(tmp_path):
    texts = ["a < b && c > d; 'đơn' \"kép\"",
             unicodedata.normalize("NFC", "Ủy ban nhân dân huyện Cần Giờ — Sở Thông tin và Truyền thông"),
             "  thụt đầu dòng và cuối  ",
             "dòng một\ndòng hai",
             "mã _x0041_ giữ nguyên",
             "ký tự\x00 điều\x07 khiển\x1f\ufffe",
             "x" * (CELL_LIMIT + 10)]
    target = write_sample(tmp_path / "a.xlsx", texts)
    got = [openpyxl.load_workbook(target)["Kết quả thử"].cell(r, 2).value for r in range(3, 3 + len(texts))]
    # openpyxl leaves an inline string's "_x005F_" escape as it is; Excel and calamine read it back
    assert got[:4] == texts[:4]
    assert unicodedata.is_normalized("NFC", got[1])
    assert got[5] == "ký tự điều khiển"  # control characters stripped
    assert len(got[6]) == CELL_LIMIT and got[6].endswith("ô chỉ chứa 32.767]")
    calamine = CalamineWorkbook.from_path(str(target)).get_sheet_by_name("Kết quả thử").to_python()
    assert [row[1] for row in calamine[2:7]] == texts[:5]


def test_house_formats_are_xlsxwriters(tmp_path):
    style = house_style()
    assert set(style.formats) == set(HOUSE_FORMATS)
    assert len(set(style.formats.values())) == len(style.formats)  # every format its own style
    assert b"Times New Roman" in zipfile.ZipFile(write_sample(tmp_path / "a.xlsx", [])).read("xl/styles.xml")


def test_same_input_same_bytes(tmp_path):
    a = write_sample(tmp_path / "a.xlsx", ["một", "hai"]).read_bytes()
    b = write_sample(tmp_path / "b.xlsx", ["một", "hai"]).read_bytes()
    assert a == b
    with zipfile.ZipFile(tmp_path / "a.xlsx") as package:
        assert package.testzip() is None
        assert {i.date_time for i in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert package.namelist()[0] == "[Content_Types].xml"


def test_no_file_left_when_writing_fails(tmp_path):
    try:
        with house_workbook(tmp_path / "a.xlsx", "thử") as (book, formats):
            book.add_worksheet("Trang").write_string(0, 0, "x", formats["text"])
            raise RuntimeError("hỏng")
    except RuntimeError:
        pass
    assert list(tmp_path.iterdir()) == []


def test_column_letters():
    assert [column_letters(c) for c in (0, 25, 26, 701, 702, 16383)] == ["A", "Z", "AA", "ZZ", "AAA", "XFD"]


def test_bytes_written_whole_into_a_new_folder(tmp_path):
    target = tmp_path / "phan-hoi" / "a.xlsx"
    write_bytes_atomic(target, b"first")
    write_bytes_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["a.xlsx"]  # no temporary file left
    assert target.stat().st_mode & 0o777 == FILE_MODE


def test_cut_counts_characters_as_excel_does(tmp_path):
    """Excel's limit is in UTF-16 units: an emoji counts twice, and is never split."""
    target = write_sample(tmp_path / "a.xlsx", ["😀" * 20_000, "😀" * 16_000])
    sheet = openpyxl.load_workbook(target)["Kết quả thử"]
    cut, kept = sheet["B3"].value, sheet["B4"].value
    assert cut.endswith("[cắt bớt: 20.000 ký tự, ô chỉ chứa 32.767]") and cut.startswith("😀" * 100)
    assert CELL_LIMIT - 1 <= len(cut.encode("utf-16-le")) // 2 <= CELL_LIMIT
    assert kept == "😀" * 16_000  # 32.000 units: fits


def test_a_missing_number_is_a_blank_cell_as_xlsx_write_cell_writes_it(tmp_path):
    """A score with no value (NaN) is "no data": a blank cell in its format, never an error value."""
    target = tmp_path / "nan.xlsx"
    with house_workbook(target, "Thử") as (book, formats):
        sheet = book.add_worksheet("Thử")
        sheet.write_value(0, 0, float("nan"), formats["points"])
        sheet.write_value(0, 1, 2.5, formats["points"])
    cell = openpyxl.load_workbook(target)["Thử"]["A1"]
    assert cell.value is None and cell.data_type != "e" and cell.number_format == "0.00"


def test_cells_of_a_prototype_as_if_written_again():
    """write_cells_of: the prototype's cells and heights, merged into rows already written; later
    writes replace them, and the prototype is never changed by the sheets made from it."""
    from dti_report.workbook.sheet_xml import Sheet

    prototype = Sheet("mẫu")
    prototype.write_value(5, 0, "1.1", 3)
    prototype.write_value(5, 1, "Tiêu chí", 3)
    prototype.set_row(5, 30)
    expected = Sheet("a")
    expected.write_string(0, 0, "Đơn vị A")
    expected.write_value(5, 0, "1.1", 3)
    expected.write_value(5, 1, "Tiêu chí", 3)
    expected.set_row(5, 30)
    expected.write_value(5, 6, 7.5, 4)
    expected.write_value(5, 1, "Khác", 3)
    copied = Sheet("a")
    copied.write_string(0, 0, "Đơn vị A")
    copied.write_cells_of(prototype)
    copied.write_value(5, 6, 7.5, 4)
    copied.write_value(5, 1, "Khác", 3)
    assert copied.xml() == expected.xml()
    assert list(prototype.rows[5]) == [0, 1] and "Khác" not in prototype.xml() and prototype.max_col == 1
