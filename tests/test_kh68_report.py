"""Reports in the shape of a plan (issue 6, item 5): KH 68 for a quarter of Thành phố Hồ Chí Minh and
KH 4233 for Ninh Thuận, from agency workbooks built here. Standings worked out by hand against
the plan's deadlines and the end of the quarter (30/6/2021), as in test_kh68_batch."""

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from dti_report.kinds import get_form
from dti_report.cli import main
from dti_report.workbook.layout import template_file_name
from dti_report.workbook.plan_templates import write_plan_template
from conftest import KH68_Q2_REPORTS
from dti_report.reports.plans import plan_report_context, shorten, PLAN_REPORTS
from dti_report.batch.results import PLANS_JSON, load_results
from dti_report.reports.settings import load_settings
from dti_report.forms.units import builtin_registry
from dti_report.kinds import catalog as forms_catalog

ROOT = Path(__file__).resolve().parents[1]
TASKS, CRITERIA = get_form("kh68-nhiem-vu"), get_form("kh68-dti-tinh")
REG = builtin_registry()
PERIOD = "2021-Q2"
DAY = dt.date(2027, 3, 5)

TASK_REPORTS = KH68_Q2_REPORTS
STANDINGS = {"3": "Hoàn thành đúng hạn", "7": "Hoàn thành đúng hạn", "15": "Hoàn thành đúng hạn",  # 15: "Đã ban hành"
             "8": "Hoàn thành trễ hạn", "11": "Quá hạn, chưa hoàn thành", "2": "Đang thực hiện",
             "6": "Đang thực hiện", "1": "Đang thực hiện", "9": "Chưa báo cáo"}
# Only the Sở TTTT sends its Phụ lục 2 workbook: 1.1.1.2 and 1.1.1.3 are its criteria;
# 1.1.1.1 is the Văn phòng UBND's, 1.7.1.1 the Sở Nội vụ's: neither sent anything.
CRITERIA_REPORTS = {
    "so-tttt": {
        "1.1.1.2.gia-tri": "12", "1.1.1.2.tinh-trang": "Đã có số liệu", "1.1.1.2.minh-chung": "Công văn số 5/STTTT",
        "1.1.1.3.tinh-trang": "Đang tổng hợp",
        "1.1.1.4.gia-tri": "=1+1",  # what a unit typed stays text in the workbook
        "de-xuat.kho-khan": "Đề nghị Bộ hướng dẫn cách tính tiêu chí 1.1.2.2",
    },
}


def settings_file(folder: Path, base: str | None = None) -> Path:
    """A settings file with a fixed report date; `base`: a shipped settings file to start from."""
    text = (ROOT / "dti_report" / "data" / "settings" / base).read_text(encoding="utf-8") if base else ""
    text = text.replace("report_date:\n", "") + "report_date: 2027-03-05\n"
    path = folder / "cai-dat.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def kh68(tmp_path_factory):
    root = tmp_path_factory.mktemp("kh68")
    inbox, out = root / "hop-thu", root / "ket-qua"
    by_code = REG.by_code()
    for plan, reports in ((TASKS, TASK_REPORTS), (CRITERIA, CRITERIA_REPORTS)):
        for unit, values in reports.items():
            write_plan_template(plan, by_code[unit], REG, PERIOD, inbox / template_file_name(unit, plan.id, PERIOD),
                                values=values)
    result = CliRunner().invoke(main, ["run", "--period", PERIOD, "--inputs", str(inbox), "--out", str(out),
                                       "--settings", str(settings_file(root)), "--workers", "1"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def doc(kh68):
    return Document(kh68 / "bao-cao-kh68-2021-Q2.docx")


def table_with(document, *header):
    return next(t for t in document.tables if tuple(c.text for c in t.rows[0].cells[:len(header)]) == header)


def body_rows(table):
    """Rows as texts; a merged band row (a group's heading) as one text."""
    out = []
    for row in table.rows[1:]:
        cells = row.cells
        texts = [c.text for c in cells]
        out.append(texts[:1] if all(c._tc is cells[0]._tc for c in cells) else texts)
    return out


def text_of(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


# ---------------------------------------------------------------- the Word report

def test_header_title_and_signature(doc):
    left, right = doc.tables[0].rows[0].cells
    assert left.text.split("\n")[:3] == ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HỒ CHÍ MINH", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"]
    assert right.text.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc")
    number, date = doc.tables[0].rows[1].cells
    assert number.text == "Số:      /BC-STTTT" and date.text == "Thành phố Hồ Chí Minh, ngày 05 tháng 3 năm 2027"
    texts = [p.text for p in doc.paragraphs]
    title = texts.index("BÁO CÁO")
    assert texts[title + 1] == ("Kết quả thực hiện Kế hoạch số 68/KH-UBND ngày 10/03/2021 của Ủy ban nhân dân "
                                "Thành phố Hồ Chí Minh quý II năm 2021")
    signature = next(t for t in doc.tables if t.rows[0].cells[0].paragraphs[0].text == "Nơi nhận:")
    left, right = signature.rows[0].cells
    assert left.paragraphs[-1].text == "- Lưu: VT, CĐS."
    # no name in the settings: a visible line to fill in, never a blank
    assert [p.text for p in right.paragraphs if p.text] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "(Họ và tên)"]
    # the body ends, the signature follows, then Phụ lục I with the report's number line
    assert "Trên đây là báo cáo kết quả thực hiện Kế hoạch số 68/KH-UBND quý II năm 2021 của Sở Thông tin và " \
           "Truyền thông./." in texts
    appendix = texts.index("Phụ lục I")
    assert texts[appendix + 1] == "TÌNH HÌNH BÁO CÁO CÁC TIÊU CHÍ THEO PHỤ LỤC 2 CỦA KẾ HOẠCH SỐ 68/KH-UBND"
    assert texts[appendix + 2] == "(Kèm theo Báo cáo số      /BC-STTTT ngày 05/03/2027 của Sở Thông tin và Truyền thông)"


def test_tasks_table_in_plan_order_with_standings(doc):
    rows = body_rows(table_with(doc, "STT", "Nhiệm vụ", "Thời hạn", "Cơ quan chủ trì", "Tình trạng", "Ghi chú"))
    bands = [r[0] for r in rows if len(r) == 1]
    tasks = {r[0]: r for r in rows if len(r) > 1}
    assert bands == [g.name for g in TASKS.groups]
    assert [r[0] for r in rows if len(r) > 1] == [t.id for t in TASKS.tasks]
    for task_id, label in STANDINGS.items():
        assert tasks[task_id][4] == label, task_id
    # the deadline column gives the plan's deadline short; the note the standing and the documents
    assert tasks["3"][2] == "Tháng 04/2021" and tasks["3"][3] == "Sở Thông tin và Truyền thông"
    assert tasks["3"][5] == "Hoàn thành ngày 15/04/2021; Kế hoạch số 1/KH-STTTT ngày 15/4/2021"
    assert tasks["8"][5] == "Hoàn thành ngày 05/07/2021, hạn tháng 06/2021"
    assert tasks["11"][5] == "Hạn tháng 02/2021, đến cuối kỳ chưa hoàn thành"
    # no report: the standing column says so, the note gives the deadline only
    assert tasks["9"][5] == "Hạn tháng 02/2020 (đã quá hạn)"
    # task 12's lead (the city's state-owned enterprises) sends no workbook
    assert tasks["12"][4:] == ["Chưa báo cáo", "Chưa có đầu mối báo cáo"]


def test_counts_per_standing(doc):
    assert ("Tính đến ngày 30/06/2021: 3 nhiệm vụ hoàn thành đúng hạn, 1 nhiệm vụ hoàn thành trễ hạn, 3 nhiệm vụ "
            "đang thực hiện, 1 nhiệm vụ đã quá hạn nhưng chưa hoàn thành và 22 nhiệm vụ chưa có báo cáo của đơn vị "
            "chủ trì.") in text_of(doc)
    rows = body_rows(table_with(doc, "Tình trạng", "Số nhiệm vụ", "Tỷ lệ"))
    assert rows == [["Hoàn thành đúng hạn", "3", "10,0%"], ["Hoàn thành trễ hạn", "1", "3,3%"],
                    ["Đang thực hiện", "3", "10,0%"], ["Quá hạn, chưa hoàn thành", "1", "3,3%"],
                    ["Chưa báo cáo", "22", "73,3%"], ["Tổng cộng", "30", "100%"]]


def test_criteria_counted_in_the_body_listed_in_the_appendix(doc):
    # The body counts per pillar and main index, with the plan's rows 8 and 9 on their own.
    summary = body_rows(table_with(doc, "Trụ cột, chỉ số chính", "Số tiêu chí", "Đã có báo cáo", "Chưa báo cáo"))
    assert summary[0] == ["1. Chính quyền số", "153", "3", "150"] and summary[-1] == ["Tổng cộng", "359", "3", "356"]
    # 1.1 holds 1.1.1.1–1.1.1.4, 1.1.2.1–1.1.2.4, 1.1.3.1–1.1.3.3, 1.1.4.1–1.1.4.2; the Sở TTTT reported
    # 1.1.1.2, 1.1.1.3 and 1.1.1.4 (1.8.1 and 1.9.1 assess it too but are rows 8.1 and 9.1 of the plan)
    assert summary[1] == ["1.1. Chuyển đổi nhận thức", "13", "3", "10"]
    # rows 8.1–8.8 with the two unnumbered rows under 8.5
    assert summary[8] == ["8. Đánh giá trên không gian mạng về chuyển đổi số, phát triển chính quyền số của "
                          "Thành phố", "10", "0", "10"]
    assert summary[9][0] == "9. Đánh giá qua phỏng vấn chuyên gia" and summary[10][0] == "2. Kinh tế số"
    detail = table_with(doc, "Mã", "Chỉ số chính, chỉ số thành phần, tiêu chí", "Tần suất", "Đơn vị chủ trì đánh giá",
                        "Ghi chú", "Kết quả báo cáo kỳ này")
    listed = body_rows(detail)
    rows = {r[0]: r for r in listed if len(r) > 1}
    assert rows["1.1.1.2"][2:] == ["Quý", "Sở Thông tin và Truyền thông", "", "12"]
    assert rows["1.1.1.3"][5] == "Đang tổng hợp"
    assert rows["1.1.1.1"][3:] == ["Văn phòng Ủy ban nhân dân Thành phố", "", "Chưa báo cáo"]
    assert rows["1.1.2.1"][5] == "Chưa báo cáo"   # the Sở TTTT's, left blank
    assert rows["1.1.4.1"][3:5] == ["Sở Thông tin và Truyền thông (phối hợp: Cơ quan chuyên môn của Bộ Thông tin và "
                                    "Truyền thông; Tổng cục Thống kê)", "Điều tra xã hội"]
    bands = [r[0] for r in listed if len(r) == 1]
    assert bands[:2] == ["1.1. Chuyển đổi nhận thức", "1.1.1. Tuyên truyền, phổ biến, tập huấn về chuyển đổi số, "
                                                          "Chính quyền số"]
    # the plan's order: main indices 1.1–1.7, then rows 8.1–8.8, then 9.1–9.8
    order = [r[0] for r in listed]
    eight = order.index("8. Đánh giá trên không gian mạng về chuyển đổi số, phát triển chính quyền số của Thành phố")
    assert order.index("1.7.1.1") < eight
    assert order[eight + 1:eight + 4] == ["1.8.1", "1.8.2", "1.8.3"]
    nine = order.index("9. Đánh giá qua phỏng vấn chuyên gia")
    assert order[nine - 1] == "1.8.8" and order[nine + 1] == "1.9.1"
    # Kinh tế số's 8.1 and 9.1 read alike; their bands and notes tell them apart
    kinh_te = [t for t in doc.tables if t.rows[0].cells[0].text == "Mã"][1]   # one table per pillar
    rows2 = {r[0]: r for r in body_rows(kinh_te) if len(r) > 1}
    assert rows2["2.8.1"][1] == rows2["2.9.1"][1]
    assert (rows2["2.8.1"][4], rows2["2.9.1"][4]) == ("Đánh giá trên không gian mạng", "Đánh giá qua phỏng vấn chuyên gia")
    assert "Theo Phụ lục 2 (Phân công đánh giá Chỉ số chuyển đổi số cấp tỉnh), 16 cơ quan, đơn vị chủ trì" in text_of(doc)


def test_proposals_grouped_by_agency(doc):
    texts = [p.text for p in doc.paragraphs]
    start = next(i for i, t in enumerate(texts) if t.startswith("III. KHÓ KHĂN"))
    section = [t for t in texts[start + 1:] if t][:3]
    assert section[0] == "1. Sở Thông tin và Truyền thông"
    assert section[1].startswith("- Nhiệm vụ 6 (") and section[1].endswith("): Đề nghị bổ sung kinh phí năm 2021.")
    assert section[2] == ("- Các chỉ số được phân công theo dõi (Phụ lục 2): Đề nghị Bộ hướng dẫn cách tính tiêu chí "
                          "1.1.2.2.")


def test_no_criteria_workbook_lists_every_lead(kh68):
    results = load_results(kh68, forms_catalog())
    results.plans.pop("kh68-dti-tinh")
    results.plan_missing.pop("kh68-dti-tinh")
    context = plan_report_context(results, PLAN_REPORTS[0], load_settings(), DAY)
    criteria = context["criteria"]
    assert not criteria["sent"] and criteria["done"] == 0 and criteria["open"] == 359
    assert criteria["missing_count"] == 16   # every agency Phụ lục 2 names
    rows = [row for p in criteria["pillars"] for b in p["blocks"] for g in b["groups"] for row in g["rows"]]
    assert len(rows) == 359
    assert all(row["missing"] == row["lead"] and not row["value"] and row["result"] == "Chưa báo cáo" for row in rows)


# ---------------------------------------------------------------- the workbook, the run's folder, re-rendering

def test_workbook_sheets_and_cells(kh68):
    book = openpyxl.load_workbook(kh68 / "bao-cao-kh68-2021-Q2.xlsx")
    assert book.sheetnames == ["Nhiệm vụ", "Theo đơn vị chủ trì", "Chỉ số DTI tỉnh", "Đề xuất"]
    tasks = book["Nhiệm vụ"]
    header = [c.value for c in tasks[4]]
    row = next(r for r in tasks.iter_rows(min_row=5, values_only=True) if r[0] == "8")
    assert row[header.index("Tình trạng")] == "Hoàn thành trễ hạn"
    criteria = book["Chỉ số DTI tỉnh"]
    header = [c.value for c in criteria[4]]
    cells = {r[header.index("Mã")].value: r for r in criteria.iter_rows(min_row=5)}
    reported = cells["1.1.1.4"][header.index("Giá trị báo cáo (đơn vị: giá trị (tình trạng) – minh chứng)")]
    assert reported.value == "Sở Thông tin và Truyền thông: =1+1" and reported.data_type == "s"
    agencies = {r[0]: r for r in book["Theo đơn vị chủ trì"].iter_rows(min_row=2, values_only=True)}
    assert agencies["so-tttt"][2:9] == (3, 1, 2, 1, 4, 0, 11) and agencies["so-noi-vu"][-1] == "Đã gửi"
    proposals = list(book["Đề xuất"].iter_rows(min_row=2, values_only=True))
    assert [p[0] for p in proposals] == ["Sở Thông tin và Truyền thông"] * 2


def test_report_command_rerenders_from_the_folder(kh68, tmp_path):
    assert set(json.loads((kh68 / PLANS_JSON).read_text(encoding="utf-8"))["plans"]) == {TASKS.id, CRITERIA.id}
    target = tmp_path / "ket-qua"
    shutil.copytree(kh68, target)
    (target / "bao-cao-kh68-2021-Q2.docx").unlink()
    (target / "bao-cao-kh68-2021-Q2.xlsx").unlink()
    result = CliRunner().invoke(main, ["report", "--results", str(target), "--settings", str(settings_file(tmp_path)),
                                       "--workers", "1"])
    assert result.exit_code == 0, result.output
    for name in ("bao-cao-kh68-2021-Q2.docx", "bao-cao-kh68-2021-Q2.xlsx"):
        assert (target / name).read_bytes() == (kh68 / name).read_bytes(), name


# ---------------------------------------------------------------- Ninh Thuận: KH 4233 with its 2021 baseline

NT_PERIOD = "2022-Q4"


def test_current_figures_are_asked_of_the_sotttt_only():
    plan = get_form("ninhthuan-kh4233-phan-cong")
    reg = builtin_registry("ninhthuan-2022")
    by_code = reg.by_code()
    mine = [i.id for i in plan.items_for(by_code["so-tttt"], reg)]
    assert mine[-5:] == ["kq.1", "kq.2", "kq.3", "kq.4", "de-xuat"]
    assert [f.id for f in plan.fields.values() if f.id.startswith("kq.1")] == ["kq.1.gia-tri", "kq.1.xep-hang"]
    other = [i.id for i in plan.items_for(by_code["so-khdt"], reg)]
    assert other[-1] == "de-xuat" and not any(i.startswith("kq.") for i in other)
    assert plan.items_for(by_code["thanh-tra"], reg) == []  # leads nothing: no workbook, not even the proposals box


@pytest.fixture(scope="module")
def kh4233(tmp_path_factory):
    root = tmp_path_factory.mktemp("kh4233")
    inbox, out = root / "hop-thu", root / "ket-qua"
    reg = builtin_registry("ninhthuan-2022")
    tasks, criteria = get_form("ninhthuan-kh4233-nhiem-vu"), get_form("ninhthuan-kh4233-phan-cong")
    so_tttt = reg.by_code()["so-tttt"]
    write_plan_template(criteria, so_tttt, reg, NT_PERIOD, inbox / template_file_name("so-tttt", criteria.id, NT_PERIOD),
                        values={"kq.1.gia-tri": "0,4215", "kq.1.xep-hang": 38, "kq.2.gia-tri": 0.463,
                                "1.1.gia-tri": "Có"})
    write_plan_template(tasks, so_tttt, reg, NT_PERIOD, inbox / template_file_name("so-tttt", tasks.id, NT_PERIOD),
                        values={"B.II.1.trang-thai": "Hoàn thành", "B.II.1.ngay-hoan-thanh": "20/12/2022"})
    units = ROOT / "dti_report" / "data" / "units" / "ninhthuan-2022.yaml"
    result = CliRunner().invoke(main, ["run", "--period", NT_PERIOD, "--inputs", str(inbox), "--out", str(out),
                                       "--units", str(units), "--settings", str(settings_file(root, "ninhthuan-stttt.yaml")),
                                       "--workers", "1"])
    assert result.exit_code == 0, result.output
    return out


def test_ninhthuan_report_baseline_beside_current(kh4233):
    doc = Document(kh4233 / "bao-cao-kh4233-2022-Q4.docx")
    left = doc.tables[0].rows[0].cells[0]
    assert left.text.split("\n")[:3] == ["ỦY BAN NHÂN DÂN", "TỈNH NINH THUẬN", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"]
    assert doc.tables[0].rows[1].cells[1].text == "Ninh Thuận, ngày 05 tháng 3 năm 2027"
    table = table_with(doc, "Chỉ số", "Năm 2021", "Năm 2021")  # the year spans its value and rank
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[1] == ["Chỉ số", "Giá trị", "Xếp hạng", "Giá trị", "Xếp hạng"]
    assert rows[2] == ["Chỉ số chuyển đổi số (DTI) tỉnh Ninh Thuận", "0,3048", "53/63", "0,4215", "38/63"]
    assert rows[3] == ["Chính quyền số", "0,3512", "47/63", "0,4630", "Chưa có số liệu"]
    assert rows[5] == ["Xã hội số", "0,3220", "49/63", "Chưa có số liệu", "Chưa có số liệu"]
    assert ("Chỉ số chuyển đổi số (DTI) tỉnh Ninh Thuận quý IV năm 2022 đạt 0,4215, xếp hạng 38/63 (năm 2021: "
            "0,3048, hạng 53/63; tăng 15 bậc).") in text_of(doc)
    book = openpyxl.load_workbook(kh4233 / "bao-cao-kh4233-2022-Q4.xlsx")
    assert book.sheetnames == ["Nhiệm vụ", "Theo đơn vị chủ trì", "Kết quả chỉ số", "Chỉ số DTI tỉnh", "Đề xuất"]
    dti = [c.value for c in book["Kết quả chỉ số"][4]]
    assert dti[:6] == ["kq.1", "Chỉ số chuyển đổi số (DTI) tỉnh Ninh Thuận", 0.3048, 53, 0.4215, 38]


def test_ninhthuan_report_in_the_plans_shape(kh4233):
    doc = Document(kh4233 / "bao-cao-kh4233-2022-Q4.docx")
    tasks = table_with(doc, "STT", "Nhiệm vụ", "Thời hạn", "Cơ quan chủ trì", "Tình trạng", "Ghi chú")
    bands = [r[0] for r in body_rows(tasks) if len(r) == 1]
    # Phụ lục 1 of KH 4233: part A (one group), part B over groups I–VIII, each with its label
    assert bands[:4] == ["A. Nhóm nhiệm vụ chuyển đổi số năm 2022 trên địa bàn tỉnh",
                         "B. Nhóm nhiệm vụ trọng tâm nâng cao Chỉ số DTI", "I. Nhóm Nhận thức số", "II. Nhóm Thể chế số"]
    assert bands[-1] == "VIII. Nhóm Hoạt động xã hội số" and len(bands) == 10
    # Phụ lục 2 part A: the 20 general-information items with who follows them
    info = body_rows(table_with(doc, "Mã", "Nội dung", "Cơ quan phụ trách"))
    assert len(info) == 20 and info[3] == ["A.4", "Số lượng dân số", "Cục Thống kê tỉnh"]
    criteria = table_with(doc, "Mã", "Chỉ số thành phần", "Điểm tối đa", "Cơ quan phụ trách", "Cơ quan phối hợp",
                          "Kết quả báo cáo kỳ này")
    listed = body_rows(criteria)
    assert listed[0] == ["1. Nhận thức số (100 điểm)"]
    rows = {r[0]: r for r in listed if len(r) > 1}
    assert rows["1.1"][2:] == ["10", "Sở Thông tin và Truyền thông", "Văn phòng Tỉnh ủy; Văn phòng Ủy ban nhân dân tỉnh",
                               "Có"]
    assert rows["1.4"][4:] == ["", "Chưa báo cáo"]


def test_shorten_closes_nothing_it_does_not_open():
    title = "Chương trình “Nghiên cứu và phát triển ứng dụng trí tuệ nhân tạo (AI) tại Thành phố Hồ Chí Minh”"
    # cut at 40 characters the quote is open: it goes, with what follows it
    assert shorten(title, 40) == "Chương trình…"
    # cut after the brackets close: kept as typed
    assert shorten(title, 70) == "Chương trình…"   # the quote is still open at 70
    assert shorten("Định hướng (Khu Công nghệ cao) cho doanh nghiệp viễn thông", 40) == "Định hướng (Khu Công nghệ cao) cho…"
    assert shorten("Ngắn", 40) == "Ngắn"


# ---------------------------------------------------------------- what goes back to the agency

def feedback_sheets(path: Path) -> dict[str, list[list[str]]]:
    """Each sheet of a feedback workbook by the form named on its second line, as rows of texts."""
    book = openpyxl.load_workbook(path)
    out = {}
    for sheet in book.worksheets:
        rows = [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
        out[rows[1][0].rsplit(" — ", 1)[-1] if len(rows) > 1 else sheet.title] = rows
    return out


def test_plan_feedback_lists_what_the_agency_reported(kh68):
    sheets = feedback_sheets(kh68 / "phan-hoi" / "so-tttt.xlsx")
    tasks, criteria = sheets[TASKS.title], sheets[CRITERIA.title]
    for rows in (tasks, criteria):
        texts = [r[0] for r in rows]
        assert texts[0] == "Sở Thông tin và Truyền thông (so-tttt) — quý II năm 2021"
        assert texts[2] == "Đã tiếp nhận báo cáo. Nội dung đơn vị đã báo cáo:"
        assert not any("không được" in cell for r in rows for cell in r)   # nothing says the file went unused
    header = tasks[4]
    assert header[:6] == ["Mã", "Nội dung", "Tình trạng thực hiện", "Ngày hoàn thành", "Văn bản, sản phẩm",
                          "Khó khăn, vướng mắc và đề xuất, kiến nghị"]
    by_task = {r[0]: r for r in tasks[5:]}
    assert by_task["3"][2:5] == ["Hoàn thành", "15/04/2021", "Kế hoạch số 1/KH-STTTT ngày 15/4/2021"]
    assert by_task["6"][2] == "Chưa thực hiện" and by_task["6"][5] == "Đề nghị bổ sung kinh phí năm 2021"
    # the group of the tasks as a band above them, by its name (its id "chung" is not shown); task 1 is the
    # Sở Nội vụ's, so the Sở TTTT's sheet starts at task 2
    assert tasks[5][0] == "Nhóm nhiệm vụ chung" and tasks[6][0] == "2"
    header = criteria[4]
    assert header[:5] == ["Mã", "Nội dung", "Giá trị, kết quả của chỉ tiêu", "Tài liệu kiểm chứng", "Tình trạng"]
    by_criterion = {r[0]: r for r in criteria[5:]}
    assert by_criterion["1.1.1.2"][2:5] == ["12", "Công văn số 5/STTTT", "Đã có số liệu"]
    assert by_criterion["1.1.1.4"][2] == "=1+1"   # typed text, never a formula
    book = openpyxl.load_workbook(kh68 / "phan-hoi" / "so-tttt.xlsx")
    typed = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value == "=1+1"]
    assert len(typed) == 1 and typed[0].data_type == "s"
