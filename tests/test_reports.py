"""Reports for leadership (issue #5): the Word report per set, the analysts'
workbook, the unit scorecards and their PDFs, all rendered from a run's output
folder (results.load_results).

The results folder is built from the long-format samples, with what a real
month brings: Sở TTTT's corrections (so self ≠ verified), a unit that sent
nothing, one whose file was rejected, a rejected file naming no unit, and a
unit that typed "=1+1" into a number field."""

import datetime as dt
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import python_calamine
from click.testing import CliRunner
from docx import Document
from docx.shared import Mm, Pt

from dti_report.core import formatting as fmt
from dti_report.kinds import get_form
from dti_report.cli import main
from dti_report.core.issues import ISSUE_COLUMNS
from dti_report.workbook.longfile import OVERRIDE_COLUMNS, read_long_file
from dti_report.core.files import write_csv
from dti_report.core.text import curly_quotes
from dti_report.reports import rendering
from dti_report.reports.rendering import render_reports, report_file_name, report_warnings, scorecard_file_name
from dti_report.reports import workbook as analysts
from dti_report.reports.workbook import WORKBOOK_NAME
from dti_report.reports.context import names_list, report_context
from dti_report.renderers.documents import ReportError
from dti_report.renderers.pdf import convert_to_pdf
from dti_report.batch.results import load_results, write_run_info
from dti_report.evaluation.scoring import issues_frame, score_rows
from dti_report.reports.settings import SettingsError, load_settings
from dti_report.forms.units import builtin_registry
from dti_report.kinds import catalog as forms_catalog

from workbook_helpers import assert_reads_as_per_cell

SAMPLES = Path(__file__).resolve().parents[1] / "input_samples"
DAY = dt.date(2027, 3, 5)
MANIFEST_COLUMNS = ["path", "sha256", "size", "unit_code", "set_id", "set_version", "period", "modified",
                    "status", "errors", "warnings", "issue_count"]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def build_results(out: Path) -> Path:
    """A run's output folder as write_batch leaves it, without reading any workbook."""
    registry = builtin_registry()
    sets = {"hcm-dti-so": ("hcm-dti-so-2023.csv", "hcm-dti-so-2023-dieu-chinh.csv"),
            "hcm-dti-huyen": ("hcm-dti-huyen-2023.csv", None)}
    issues, manifest, missing = [], [], {}
    for set_id, (data, verified) in sets.items():
        indicator_set = get_form(set_id)
        rows = read_long_file(SAMPLES / data)
        if set_id == "hcm-dti-so":
            rows = rows[rows.unit_code != "shtp"]  # its workbook is the rejected file below
            # a unit typed a formula into a number field; it must reach the workbook as text
            rows.loc[(rows.unit_code == "so-gtvt") & (rows.field == "1.2.a"), "value"] = "=1+1"
        overrides = read_long_file(SAMPLES / verified, OVERRIDE_COLUMNS) if verified else None
        result = score_rows(indicator_set, rows, overrides)
        write_csv(result.scores, out / set_id / "scores.csv")
        write_csv(result.totals, out / set_id / "totals.csv")
        issues.append(issues_frame(result.issues))
        scored = set(result.totals["unit_code"])
        missing[set_id] = [u.code for u in registry.units_for_set(set_id) if u.code not in scored]
        for code in sorted(scored):
            manifest.append({"path": f"{set_id}/{code}_{set_id}_2023.xlsx", "sha256": "0" * 64, "size": 1000,
                             "unit_code": code, "set_id": set_id, "set_version": indicator_set.version,
                             "period": "2023", "modified": "2024-01-10T08:00:00Z", "status": "accepted",
                             "errors": 0, "warnings": 0, "issue_count": 0})
    # shtp (hcm-dti-so) sent a file that was rejected; someone sent a file naming no unit
    manifest += [
        {"path": "so-nganh/shtp_hcm-dti-so_2023.xlsx", "sha256": "1" * 64, "size": 2000, "unit_code": "",
         "set_id": "", "set_version": "", "period": "", "modified": "", "status": "rejected", "errors": 1,
         "warnings": 0, "issue_count": 1},
        {"path": "khac/bang-tinh-la.xlsx", "sha256": "2" * 64, "size": 3000, "unit_code": "", "set_id": "",
         "set_version": "", "period": "", "modified": "", "status": "rejected", "errors": 1, "warnings": 0,
         "issue_count": 1},
    ]
    extra = pd.DataFrame([
        {"severity": "error", "code": "not-a-template", "file": "so-nganh/shtp_hcm-dti-so_2023.xlsx",
         "message": "Tệp không phải biểu mẫu do Sở phát hành"},
        {"severity": "error", "code": "corrupt-workbook", "file": "khac/bang-tinh-la.xlsx",
         "message": "Tệp bị hỏng, không mở được"},
    ], columns=ISSUE_COLUMNS)
    write_csv(pd.DataFrame(manifest, columns=MANIFEST_COLUMNS), out / "manifest.csv")
    write_csv(pd.concat([*issues, extra], ignore_index=True), out / "issues.csv")
    write_run_info(out, "2023", registry, {s: get_form(s).version for s in sets}, missing, final=True)
    return out


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory):
    out = build_results(tmp_path_factory.mktemp("ket-qua"))
    settings = load_settings()
    render_reports(load_results(out, forms_catalog()), settings, day=DAY, workers=1)
    return out


@pytest.fixture(scope="module")
def so_report(results_dir):
    return Document(results_dir / report_file_name("hcm-dti-so", "2023"))


def runs_text(paragraph, predicate) -> str:
    return "".join(r.text for r in paragraph.runs if predicate(r))


def ranking_table(doc):
    return next(t for t in doc.tables if t.rows[0].cells[0].text == "STT" and t.rows[0].cells[-1].text == "Xếp hạng")


# ---------------------------------------------------------------- settings and formatting

def test_settings_defaults_and_overlay(tmp_path):
    default = load_settings()
    assert default.agency == ("SỞ THÔNG TIN VÀ TRUYỀN THÔNG",) and default.document_symbol == "BC-STTTT"
    assert default.number_line() == "Số:      /BC-STTTT"
    own = tmp_path / "cai-dat.yaml"
    own.write_text("agency: Sở Khoa học và Công nghệ\ndocument_symbol: BC-SKHCN\ndocument_number: 12\n"
                   "report_date: 2027-03-05\nsigner: {name: Nguyễn Văn A}\nrecipients: ['- Như trên;']\n",
                   encoding="utf-8")
    settings = load_settings(own)
    assert settings.agency == ("Sở Khoa học và Công nghệ",) and settings.number_line() == "Số: 12/BC-SKHCN"
    assert settings.signer.name == "Nguyễn Văn A" and settings.signer.title == "PHÓ GIÁM ĐỐC"  # merged over defaults
    assert settings.recipients == ("Như trên;",) and settings.date() == DAY
    # the agency as a sentence names it, made from the header's capitals
    assert default.agency_text == "Sở Thông tin và Truyền thông" and settings.agency_text == "Sở Khoa học và Công nghệ"
    # the shipped settings name no signer: the run is told, the document shows a line to fill in
    assert report_warnings(default) == ["Chưa có họ tên người ký (mục signer.name trong tệp cài đặt): các văn bản "
                                        "in dòng \"(Họ và tên)\" ở chỗ ký tên."]
    assert report_warnings(settings) == []
    bad = tmp_path / "hong.yaml"
    bad.write_text("report_date: hôm qua\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="report_date"):
        load_settings(bad)


def test_period_words():
    assert fmt.period_words("2023") == "năm 2023"
    assert fmt.period_words("2024-06") == "tháng 6 năm 2024"
    assert fmt.period_words("2024-Q2") == "quý II năm 2024"
    assert fmt.fixed(151) == "151,0" and fmt.of_max(298.016, 330) == "298,02/330"


# ---------------------------------------------------------------- the Word report

def test_report_page_layout_and_fonts(so_report):
    section = so_report.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    slack = Mm(0.1)  # Word stores margins in twips
    assert Mm(20) - slack <= section.top_margin <= Mm(25) and Mm(20) - slack <= section.bottom_margin <= Mm(25)
    assert Mm(30) - slack <= section.left_margin <= Mm(35) and Mm(15) - slack <= section.right_margin <= Mm(20)
    normal = so_report.styles["Normal"]
    assert normal.font.name == "Times New Roman" and Pt(13) <= normal.font.size <= Pt(14)
    fonts = normal.element.rPr.rFonts
    assert {fonts.get(f"{W}{slot}") for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {"Times New Roman"}
    for p in so_report.paragraphs:
        for run in p.runs:
            assert run.font.name in (None, "Times New Roman")


def test_header_block(so_report):
    table = so_report.tables[0]
    assert len(table.columns) == 2
    borders = table._tbl.tblPr.find(f"{W}tblBorders")
    assert borders is not None and {b.get(f"{W}val") for b in borders} == {"nil"}
    left, right = table.rows[0].cells
    lines = left.text.split("\n")
    assert lines[:2] == ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HỒ CHÍ MINH"]
    assert runs_text(left.paragraphs[1], lambda r: r.bold) == "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
    assert runs_text(right.paragraphs[0], lambda r: r.bold) == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert runs_text(right.paragraphs[1], lambda r: r.bold) == "Độc lập - Tự do - Hạnh phúc"
    for cell in (left, right):  # the short rules under the agency and the motto
        assert cell.paragraphs[-1]._p.find(f"{W}pPr/{W}pBdr/{W}bottom") is not None
    number, date = table.rows[1].cells
    assert number.text == "Số:      /BC-STTTT"
    assert runs_text(date.paragraphs[0], lambda r: r.italic) == "Thành phố Hồ Chí Minh, ngày 05 tháng 3 năm 2027"
    texts = [p.text for p in so_report.paragraphs]
    title = texts.index("BÁO CÁO")
    assert texts[title + 1] == "Kết quả đánh giá chuyển đổi số các Sở, ban, ngành Thành phố Hồ Chí Minh năm 2023"


def test_page_number_from_page_two(so_report):
    section = so_report.sections[0]
    assert section.different_first_page_header_footer
    header = section.header._element
    assert "PAGE" in "".join(t.text or "" for t in header.iter(f"{W}instrText"))
    assert header.find(f".//{W}fldChar") is not None and header.find(f".//{W}p/{W}pPr/{W}jc").get(f"{W}val") == "center"
    assert "PAGE" not in section.first_page_header._element.xml


def test_ranking_table_follows_totals(results_dir, so_report):
    totals = pd.read_csv(results_dir / "hcm-dti-so" / "totals.csv", encoding="utf-8-sig")
    names = {u.code: u.name for u in builtin_registry().units}
    table = ranking_table(so_report)
    header = [c.text for c in table.rows[0].cells]
    # the corrections changed some totals: the self-assessed column is there
    assert header[:3] == ["STT", "Đơn vị", "1\n(40)"] and "Tự đánh giá" in header
    body = table.rows[1:]
    assert [r.cells[1].text for r in body] == [names[c] for c in totals["unit_code"]]
    assert [r.cells[0].text for r in body] == [str(i) for i in range(1, len(totals) + 1)]
    assert [r.cells[-1].text for r in body] == [str(r) for r in totals["rank"]]
    total_col = header.index("Tổng điểm\n(330)")
    assert [r.cells[total_col].text for r in body] == [fmt.points(v) for v in totals["total"]]
    # widths recomputed for the columns the loop made: they fill the text width
    grid = table._tbl.find(f"{W}tblGrid")
    assert len(grid) == len(header) and abs(sum(int(c.get(f"{W}w")) for c in grid) - 9354) < 50


def test_a_ranking_longer_than_the_settings_allow_says_where_the_rest_are(results_dir, tmp_path):
    target = tmp_path / "ket-qua"
    shutil.copytree(results_dir, target)
    own = tmp_path / "cai-dat.yaml"
    own.write_text("ranking_rows: 5\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", "--results", str(target), "--settings", str(own), "--workers", "1"])
    assert result.exit_code == 0, result.output
    totals = pd.read_csv(target / "hcm-dti-so" / "totals.csv", encoding="utf-8-sig")
    doc = Document(target / report_file_name("hcm-dti-so", "2023"))
    body = ranking_table(doc).rows[1:]
    assert [r.cells[-1].text for r in body] == [str(r) for r in totals["rank"][:5]]  # the five highest ranked
    said = [p.text for p in doc.paragraphs if p.text.startswith("Bảng 1 liệt kê")]
    assert said == [f"Bảng 1 liệt kê 5 đơn vị xếp hạng cao nhất; kết quả của {len(totals) - 5} đơn vị còn lại có trong "
                    f"sổ tính tổng hợp {WORKBOOK_NAME} (trang xếp hạng) và phiếu kết quả của từng đơn vị."]
    # every unit keeps its scorecard
    assert len(list((target / "phieu-ket-qua").glob("*-hcm-dti-so.docx"))) == len(totals)
    # under the limit, nothing is said
    assert not [p for p in Document(results_dir / report_file_name("hcm-dti-so", "2023")).paragraphs
                if p.text.startswith("Bảng 1 liệt kê")]


def test_self_column_only_when_a_total_differs(results_dir):
    huyen = Document(results_dir / report_file_name("hcm-dti-huyen", "2023"))
    header = [c.text for c in ranking_table(huyen).rows[0].cells]
    assert "Tự đánh giá" not in header and len(header) == 2 + 9 + 2


def test_summary_charts_unassessed_and_signature(so_report):
    text = "\n".join(p.text for p in so_report.paragraphs)
    assert "Số đơn vị được đánh giá: 23/24 đơn vị" in text and "Điểm trung bình:" in text
    assert len(so_report.inline_shapes) == 2  # the ranked totals and the spread per main index
    unassessed = next(t for t in so_report.tables if t.rows[0].cells[-1].text == "Lý do")
    row = unassessed.rows[1].cells
    assert row[1].text == "Ban Quản lý Khu Công nghệ cao" and "shtp_hcm-dti-so_2023.xlsx bị từ chối" in row[2].text
    assert "khac/bang-tinh-la.xlsx: Tệp bị hỏng" in text
    signature = so_report.tables[-1]
    left, right = signature.rows[0].cells
    label = left.paragraphs[0].runs[0]
    assert label.text == "Nơi nhận:" and label.bold and label.italic
    assert left.paragraphs[-1].text == "- Lưu: VT, CĐS."
    assert [p.text for p in right.paragraphs if p.text][:2] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]


def test_appendix_has_every_rule_and_decision(so_report):
    text = "\n".join(p.text for p in so_report.paragraphs)
    s = get_form("hcm-dti-so")
    for criterion in s.criteria:
        assert f"{criterion.id}. {criterion.name}" in text
        assert curly_quotes(criterion.method.splitlines()[0].strip()) in text
        for note in criterion.notes:
            assert curly_quotes(note.text) in text
    for note in s.notes:
        assert curly_quotes(note.text) in text
    # printed quotes: no straight double quote left in the appendix
    appendix = text[text.index("PHƯƠNG PHÁP ĐÁNH GIÁ VÀ CÁC QUYẾT ĐỊNH ÁP DỤNG"):]
    assert '"' not in appendix and "“Trên 80%: điểm tối đa; <80%: 0 điểm”" in appendix
    # the decisions say what is applied and what follows from it
    assert "mọi đơn vị đều báo cáo 0 thì mỗi đơn vị được 0 điểm" in appendix
    assert "đơn vị đạt 100% ở năm báo cáo được điểm tối đa" in appendix


def test_strongest_and_weakest_per_main_index(results_dir):
    results = load_results(results_dir, forms_catalog())
    context = report_context(results, "hcm-dti-so", load_settings(), DAY)
    totals = results.sets["hcm-dti-so"].totals
    first = context["index_rows"][0]
    assert first["best_points"] == fmt.points(totals["1"].max()) and first["worst_points"] == fmt.points(totals["1"].min())
    # the lowest on index 1 are the units whose index-1 points are the minimum, named as the registry names them
    names = {u.code: u.name for u in results.registry.units}
    lowest = [names[c] for c, p in zip(totals["unit_code"], totals["1"]) if p == totals["1"].min()]
    assert first["worst"] == names_list(lowest) and first["worst_count"] == len(lowest)


def test_other_agency_from_settings(results_dir, tmp_path):
    target = tmp_path / "ket-qua"
    shutil.copytree(results_dir, target)
    own = tmp_path / "cai-dat.yaml"
    own.write_text("agency: SỞ KHOA HỌC VÀ CÔNG NGHỆ\ndocument_symbol: BC-SKHCN\ndocument_number: '15'\n"
                   "report_date: 2027-02-01\nsigner: {authority: '', title: Giám đốc, name: Trần Thị B}\n"
                   "archive: VT, QLCN\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", "--results", str(target), "--settings", str(own), "--workers", "1"])
    assert result.exit_code == 0, result.output
    doc = Document(target / report_file_name("hcm-dti-so", "2023"))
    left, right = doc.tables[0].rows[0].cells
    assert runs_text(left.paragraphs[1], lambda r: r.bold) == "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    number, date = doc.tables[0].rows[1].cells
    assert number.text == "Số: 15/BC-SKHCN" and date.text == "Thành phố Hồ Chí Minh, ngày 01 tháng 02 năm 2027"
    signer = [p.text for p in doc.tables[-1].rows[0].cells[1].paragraphs if p.text]
    assert signer == ["GIÁM ĐỐC", "Trần Thị B"]
    assert doc.tables[-1].rows[0].cells[0].paragraphs[-1].text == "- Lưu: VT, QLCN."


@pytest.mark.parametrize("pool_from", [rendering.POOL_THRESHOLD, 1], ids=["in-process", "in-a-pool"])
def test_rendering_is_deterministic(results_dir, tmp_path, monkeypatch, pool_from):
    """Rendered again, by one process or by a pool of two, the same bytes."""
    monkeypatch.setattr(rendering, "POOL_THRESHOLD", pool_from)
    again = tmp_path / "lan-2"
    shutil.copytree(results_dir, again)
    render_reports(load_results(again, forms_catalog()), load_settings(), day=DAY, workers=2)
    for name in (report_file_name("hcm-dti-so", "2023"), report_file_name("hcm-dti-huyen", "2023"), WORKBOOK_NAME,
                 f"phieu-ket-qua/{scorecard_file_name('q1', 'hcm-dti-huyen')}"):
        assert (again / name).read_bytes() == (results_dir / name).read_bytes(), name


# ---------------------------------------------------------------- scorecards

def test_one_scorecard_per_unit_and_set(results_dir):
    cards = sorted(p.name for p in (results_dir / "phieu-ket-qua").glob("*.docx"))
    so = pd.read_csv(results_dir / "hcm-dti-so" / "totals.csv", encoding="utf-8-sig")
    huyen = pd.read_csv(results_dir / "hcm-dti-huyen" / "totals.csv", encoding="utf-8-sig")
    expected = sorted([scorecard_file_name(c, "hcm-dti-so") for c in so.unit_code]
                      + [scorecard_file_name(c, "hcm-dti-huyen") for c in huyen.unit_code])
    assert cards == expected


def test_scorecard_content(results_dir):
    totals = pd.read_csv(results_dir / "hcm-dti-so" / "totals.csv", encoding="utf-8-sig").set_index("unit_code")
    scores = pd.read_csv(results_dir / "hcm-dti-so" / "scores.csv", encoding="utf-8-sig", dtype={"criterion": str})
    unit = scores[scores.status == "no-data"].unit_code.iloc[0]
    doc = Document(results_dir / "phieu-ket-qua" / scorecard_file_name(unit, "hcm-dti-so"))
    text = "\n".join(p.text for p in doc.paragraphs)
    row = totals.loc[unit]
    assert f"Tổng điểm: {fmt.points(row['total'])}/330 điểm" in text
    assert f"xếp hạng {int(row['rank'])}/{len(totals)} đơn vị" in text
    assert "Chỉ số chính mạnh nhất" in text or "đồng đều" in text
    s = get_form("hcm-dti-so")
    for criterion_id in scores[(scores.unit_code == unit) & (scores.status == "no-data")].criterion:
        assert f"{criterion_id}. {s.criterion(criterion_id).name}" in text
    table = doc.tables[-2]
    ids = [r.cells[0].text for r in table.rows[1:-1]]
    assert ids == [x for index in s.indices for x in [index.id] + [c.id for c in index.criteria]]
    assert table.rows[-1].cells[-2].text == fmt.points(row["total"])


def test_scorecard_is_a_document_sent_with_the_report(results_dir):
    # so-khcn: 35 posts self-declared (10 points), 18 verified by the Sở (10–19 posts: 1/2 × 10 = 5), with the
    # reason of the adjustment file
    doc = Document(results_dir / "phieu-ket-qua" / scorecard_file_name("so-khcn", "hcm-dti-so"))
    texts = [p.text for p in doc.paragraphs]
    assert "(Kèm theo Báo cáo số      /BC-STTTT ngày 05/03/2027 của Sở Thông tin và Truyền thông)" in texts
    adjusted = next(t for t in texts if t.startswith("- 1.4. "))
    assert adjusted == ("- 1.4. Cổng thông tin điện tử có chuyên mục riêng về chuyển đổi số: tự đánh giá 10,00, kết "
                        "quả đánh giá 5,00 điểm. Theo Văn bản số 123/STTTT-CĐS ngày 15/01/2024, chuyên mục chuyển đổi "
                        "số trên Cổng thông tin điện tử của đơn vị chỉ có 18 tin, bài trong năm 2023; số liệu đã xác "
                        "minh lại.")
    left = doc.tables[-1].rows[0].cells[0]
    assert [p.text for p in left.paragraphs if p.text] == ["Nơi nhận:", "- Sở Khoa học và Công nghệ;", "- Lưu: VT, CĐS."]
    # a district is addressed by its People's Committee; a named one with the lower-case word of its kind
    for code, recipient in (("q1", "- Ủy ban nhân dân Quận 1;"), ("h-cu-chi", "- Ủy ban nhân dân huyện Củ Chi;")):
        card = Document(results_dir / "phieu-ket-qua" / scorecard_file_name(code, "hcm-dti-huyen"))
        assert card.tables[-1].rows[0].cells[0].paragraphs[1].text == recipient
    # no adjustment, same points: no reason to give
    plain = Document(results_dir / "phieu-ket-qua" / scorecard_file_name("q1", "hcm-dti-huyen"))
    assert not any("lý do:" in p.text for p in plain.paragraphs)


# ---------------------------------------------------------------- the analysts' workbook

def test_workbook_sheets_chart_and_formats(results_dir):
    path = results_dir / WORKBOOK_NAME
    book = openpyxl.load_workbook(path)
    names = book.sheetnames
    assert {"Xếp hạng Sở", "Xếp hạng Huyện", "Danh sách tệp", "Lỗi và cảnh báo", "Chưa được đánh giá",
            "Kết quả Sở theo tiêu chí", "Tự chấm Sở theo tiêu chí", "Dữ liệu Sở", "Sở 1. Nhận thức số"} <= set(names)
    assert sum(n.startswith("Huyện ") and n[6].isdigit() for n in names) == 9
    ranking = book["Xếp hạng Sở"]
    # the chart on its own sheet after the ranking, printed whole
    assert names[names.index("Xếp hạng Sở") + 1] == "Biểu đồ Sở" and len(book.chartsheets) == 2
    assert ranking.freeze_panes == "D5" and ranking.auto_filter.ref
    header = [c.value for c in ranking[4]]
    total_col = header.index("Tổng điểm (330)") + 1
    totals = pd.read_csv(results_dir / "hcm-dti-so" / "totals.csv", encoding="utf-8-sig")
    first = ranking.cell(row=5, column=total_col)
    assert first.number_format == "0.00" and first.value == pytest.approx(totals.total.iloc[0])
    # the unit's name first, its code after it
    assert header[1:3] == ["Đơn vị", "Mã đơn vị"]
    assert [ranking.cell(row=5 + i, column=3).value for i in range(len(totals))] == list(totals.unit_code)
    with zipfile.ZipFile(path) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
    # a matrix of 32 criteria does not fit a page width: printed over several pages, the unit repeated on each
    matrix = book["Kết quả Sở theo tiêu chí"]
    assert matrix.print_title_cols == "$A:$B" and matrix.freeze_panes == "C2"
    assert not matrix.sheet_properties.pageSetUpPr or not matrix.sheet_properties.pageSetUpPr.fitToPage
    # criteria in number order: 6.1, 6.2, … 6.9, 6.10
    data = book["Dữ liệu Sở"]
    first_unit = [r[3] for r in data.iter_rows(min_row=2, values_only=True) if r[1] == totals.unit_code.iloc[0]]
    assert first_unit[-14:] == ["6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", "6.9", "6.10", "6.11", "6.12",
                                "6.13", "6.14"]
    # the file list: versions as written, save times as dates, sizes with separators
    files = book["Danh sách tệp"]
    header = [c.value for c in files[1]]
    row = next(r for r in files.iter_rows(min_row=2) if r[header.index("Trạng thái")].value == "Được chấp nhận")
    assert row[header.index("Phiên bản")].value == "2023.1"
    saved = row[header.index("Thời điểm lưu")]
    assert isinstance(saved.value, dt.datetime) and saved.number_format == "dd/mm/yyyy hh:mm"
    assert row[header.index("Kích thước (byte)")].number_format == "#,##0"
    assert row[header.index("Biểu mẫu")].value.endswith("(hcm-dti-so)") or \
        row[header.index("Biểu mẫu")].value.endswith("(hcm-dti-huyen)")


def test_long_sheet_written_row_by_row_keeps_its_layout(results_dir):
    """The workbook is written in constant memory: every row of the long sheet is there,
    with its header, frozen pane, filter, widths and the heights of wrapped rows."""
    book = openpyxl.load_workbook(results_dir / WORKBOOK_NAME)
    data = book["Dữ liệu Sở"]
    scores = pd.read_csv(results_dir / "hcm-dti-so" / "scores.csv", encoding="utf-8-sig")
    assert data.max_row == len(scores) + 1
    assert [c.value for c in data[1]][:5] == ["Đơn vị", "Mã đơn vị", "Chỉ số chính", "Mã tiêu chí", "Tiêu chí"]
    assert data.freeze_panes == "C2" and data.auto_filter.ref == f"A1:{data.cell(1, data.max_column).column_letter}{len(scores) + 1}"
    assert data.column_dimensions["E"].width > 40
    long_rows = [r for r in range(2, data.max_row + 1) if len(data.cell(r, 5).value or "") > 80]
    assert long_rows and all(data.row_dimensions[r].height and data.row_dimensions[r].height > 15 for r in long_rows)
    assert all(isinstance(data.cell(r, 6).value, (int, float)) for r in range(2, 12))


def test_unit_text_stays_text_in_workbook(results_dir):
    sheet = openpyxl.load_workbook(results_dir / WORKBOOK_NAME)["Lỗi và cảnh báo"]
    header = [c.value for c in sheet[1]]
    value_col = header.index("Giá trị")
    cells = [row[value_col] for row in sheet.iter_rows(min_row=2) if row[value_col].value == "=1+1"]
    assert cells and all(c.data_type == "s" for c in cells)



def test_streamed_workbook_reads_as_the_per_cell_one(results_dir, tmp_path, monkeypatch):
    """Every sheet, as calamine and openpyxl read it, holds the cells the per-cell writer writes,
    with the same formats, fills, widths, heights, panes, filters and print setup."""
    streamed = results_dir / WORKBOOK_NAME
    new = assert_reads_as_per_cell(results_dir, tmp_path, monkeypatch)
    assert len(new.chartsheets) == 2
    issues = new["Lỗi và cảnh báo"]
    errors = [r for r in issues.iter_rows(min_row=2) if r[0].value == "Lỗi"]
    assert errors and all(c.fill.fgColor.rgb == "FFF8CBAD" for c in errors[0])
    # the same bytes on a second writing
    again = tmp_path / "again.xlsx"
    monkeypatch.undo()
    analysts.write_results_workbook(load_results(results_dir, forms_catalog()), again)
    assert again.read_bytes() == streamed.read_bytes()


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) không có trên máy")
def test_libreoffice_opens_streamed_workbook(results_dir, tmp_path):
    """LibreOffice opens the workbook and saves the same sheets and cells."""
    source = results_dir / WORKBOOK_NAME
    out = tmp_path / "libreoffice"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                    "--norestore", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=300)
    original = python_calamine.CalamineWorkbook.from_path(source)
    resaved = python_calamine.CalamineWorkbook.from_path(out / source.name)
    assert resaved.sheet_names == original.sheet_names
    for name in original.sheet_names:
        if name.startswith("Biểu đồ"):
            continue
        before, after = original.get_sheet_by_name(name).to_python(), resaved.get_sheet_by_name(name).to_python()
        assert len(after) == len(before), name
        for row_before, row_after in zip(before, after):
            assert [v if not isinstance(v, float) else pytest.approx(v) for v in row_before] == row_after[:len(row_before)], name


# ---------------------------------------------------------------- command line and PDF

def test_report_command_rerenders_without_inputs(results_dir, tmp_path):
    target = tmp_path / "ket-qua"
    shutil.copytree(results_dir, target)
    for path in [target / WORKBOOK_NAME, target / report_file_name("hcm-dti-so", "2023")]:
        path.unlink()
    shutil.rmtree(target / "phieu-ket-qua")
    result = CliRunner().invoke(main, ["report", "--results", str(target), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert (target / WORKBOOK_NAME).is_file() and (target / report_file_name("hcm-dti-so", "2023")).is_file()
    assert len(list((target / "phieu-ket-qua").glob("*.docx"))) == 45
    assert not list(target.rglob("*.tmp"))


def test_report_command_on_a_folder_without_results(tmp_path):
    result = CliRunner().invoke(main, ["report", "--results", str(tmp_path)])
    assert result.exit_code != 0 and "không phải thư mục kết quả" in " ".join(result.output.split())


def test_pdf_without_libreoffice_fails_in_vietnamese(results_dir, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = CliRunner().invoke(main, ["report", "--results", str(results_dir), "--pdf"])
    assert result.exit_code != 0 and "không tìm thấy LibreOffice" in " ".join(result.output.split())
    with pytest.raises(ReportError, match="LibreOffice"):
        convert_to_pdf([results_dir / report_file_name("hcm-dti-so", "2023")])


def test_pdf_beside_each_document(results_dir, tmp_path):
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        if os.environ.get("DTI_REQUIRE_LIBREOFFICE"):
            pytest.fail("LibreOffice (soffice) is required here but not installed")
        pytest.skip("LibreOffice (soffice) không có trên máy")
    docs = [tmp_path / report_file_name("hcm-dti-so", "2023"), tmp_path / "phieu" / scorecard_file_name("q1", "hcm-dti-huyen")]
    shutil.copy(results_dir / docs[0].name, docs[0])
    docs[1].parent.mkdir()
    shutil.copy(results_dir / "phieu-ket-qua" / docs[1].name, docs[1])
    pdfs = convert_to_pdf(docs, out_root=tmp_path)
    assert pdfs == [d.with_suffix(".pdf") for d in docs]
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([docs[0].name, docs[0].with_suffix(".pdf").name, "phieu"])


def test_broken_template_tag_is_reported_in_vietnamese(results_dir, tmp_path):
    broken = tmp_path / "mau-hong.docx"
    source = Path(__file__).resolve().parents[1] / "dti_report" / "data" / "templates" / "phieu-ket-qua-dti.docx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(broken, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace("{{ unit_name }}".encode(), b"{{ unit_name ")
            zout.writestr(item, data)
    own = tmp_path / "cai-dat.yaml"
    own.write_text(f"templates: {{scorecard: {broken.name}}}\n", encoding="utf-8")
    target = tmp_path / "ket-qua"
    shutil.copytree(results_dir, target)
    result = CliRunner().invoke(main, ["report", "--results", str(target), "--settings", str(own), "--workers", "1"])
    assert result.exit_code != 0 and "mau-hong.docx có thẻ Jinja không hợp lệ" in " ".join(result.output.split())
