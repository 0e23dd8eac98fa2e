"""The monitoring table: the placeholder grammar, city-wide aggregates worked out
by hand, targets at their edges, and Word/Excel rendering of split placeholders."""

import json
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from dti_report.kinds import get_form
from dti_report.cli import main
from dti_report.forms.placeholders import EXACT, FUZZY, UNKNOWN, Resolver, find_placeholders, normalize, render_text
from dti_report.renderers.monitoring_table import RenderError, render_docx, render_template, render_xlsx, unresolved_text
from dti_report.evaluation.targets import Evaluator, TargetData

TS = get_form("hcm-chi-tieu-2023")
KEY = {i.id: i.key for i in TS.inputs}
UNITS = {"so-a": {"name": "Sở A", "level": "so-nganh"}, "so-b": {"name": "Sở B", "level": "so-nganh"},
         "q-c": {"name": "Quận C", "level": "quan-huyen"}, "cuc-thong-ke": {"name": "Cục Thống kê", "level": "co-quan-khac"}}
LEVELS = {"so-nganh": "Sở, ban, ngành", "quan-huyen": "Quận, huyện", "co-quan-khac": "Cơ quan khác"}


def data(values: dict[str, dict[str, float | None]]) -> TargetData:
    """Hand-made results: input id -> unit -> value (None: required, no data)."""
    return TargetData(TS.id, TS.version, "2023", {KEY[i]: v for i, v in values.items()}, UNITS, LEVELS)


def render(text: str, values: dict) -> str:
    resolver = Resolver(TS, Evaluator(TS, data(values)))
    out, _ = render_text(text, resolver)
    return out


# --- grammar ------------------------------------------------------------------------------

def test_find_placeholders_tolerates_the_real_templates_slips():
    text = "a [[Key .One]] b [[danhgia.X]]] c [[ghichu.Y[] d [[open"
    found = find_placeholders(text)
    assert [(p.body, p.closing) for p in found] == [("Key.One", "]]"), ("danhgia.X", "]]]"), ("ghichu.Y", "[]"), ("open", "")]
    assert text[found[1].end:].startswith(" c")  # the stray "]" is consumed


def test_keys_match_without_case_spaces_or_diacritics():
    assert normalize("Trienkhai ankhôngdung") == normalize("trienkhaiankhongdung")
    resolver = Resolver(TS)
    (ph,) = find_placeholders("[[TRIENKHAICACHOAATDONGTHUCDAYCHUYENDOISOTHANHTOANKHONGDUNG tienmatrongcaccosoyte]]")
    resolution = resolver.resolve(ph)
    assert resolution.status == EXACT and resolution.resolved == KEY["28.2"]


def test_fuzzy_key_names_both_and_unknown_is_a_visible_marker():
    resolver = Resolver(TS)
    (typo,) = find_placeholders("[[danhgia.tyle.Tylesohoaaketquagiaiquyetthutuchanhchinh]]")
    res = resolver.resolve(typo)
    assert res.status == FUZZY and res.resolved == "danhgia.tyle.Tylesohoaketquagiaiquyetthutuchanhchinh"
    assert res.matches[0][0] == "Tylesohoaaketquagiaiquyetthutuchanhchinh"
    out, (unknown,) = render_text("x [[Hoantoankhongcotrongbang]] y", resolver)
    assert unknown.status == UNKNOWN and "[[" not in out and "]]" not in out and "‹không xác định" in out


def test_row_context_resolves_28_1_to_its_own_key():
    resolver = Resolver(TS)
    row = TS.rows[[r.id for r in TS.rows].index("28.1")]
    from dti_report.forms.placeholders import row_hints

    hints = row_hints([row.cells.value, row.cells.danhgia, row.cells.ghichu])
    (ph,) = find_placeholders(row.cells.danhgia)
    assert resolver.resolve(ph, hints).resolved == "danhgia." + KEY["28.1"]
    # without the row's context the same typo is nearer 28.2's key
    assert resolver.resolve(ph).resolved == "danhgia." + KEY["28.2"]


# --- aggregates, computed by hand ------------------------------------------------------------

def test_ratio_of_sums_not_mean_of_ratios():
    values = {"16.a": {"so-a": 30, "so-b": 10, "q-c": 20}, "16.b": {"so-a": 40, "so-b": 60, "q-c": None}}
    # q-c has no denominator: left out of both sums. (30 + 10) / (40 + 60) = 40%, not (75% + 16,7%)/2
    text = "[[tyletoanthanhpho.Sohosothutuchanhchinhduocxulytructuyen.Tongsosohosothutuchanhchinhduocxulytructuyentructiep.T16]]"
    assert render(text, values) == "40,0%"
    assert render("[[tyle.Tylehosothutuchanhchinhxulytructuyen]]", values) == "40,0%"
    assert render("[[danhgia.tyle.Tylehosothutuchanhchinhxulytructuyen]]", values) == "Chưa đạt"  # target: đạt 60%
    note = render("[[ghichu.tyle.Tylehosothutuchanhchinhxulytructuyen]]", values)
    assert "2/3 đơn vị" in note and "40/100" in note and "Quận C" in note


def test_target_met_exactly_at_its_edge():
    at_60 = {"16.a": {"so-a": 30, "so-b": 30}, "16.b": {"so-a": 40, "so-b": 60}}  # 60/100 = 60%: "đạt 60%"
    assert render("[[danhgia.tyle.Tylehosothutuchanhchinhxulytructuyen]]", at_60) == "Đạt"
    above_10 = "[[danhgia.tyle.Hoatdongkiemtrahanhchinhdinhkycuacoquanquanlynhanuocdoivoidoituongquanly]]"
    exactly = {"23.a": {"so-a": 5, "so-b": 5}, "23.b": {"so-a": 50, "so-b": 50}}   # 10/100 = 10%: not "trên 10%"
    assert render(above_10, exactly) == "Chưa đạt"
    over = {"23.a": {"so-a": 6, "so-b": 5}, "23.b": {"so-a": 50, "so-b": 50}}     # 11%
    assert render(above_10, over) == "Đạt"


def test_sum_of_a_key_and_units_without_data():
    values = {"9.b": {"so-a": 3, "so-b": None, "q-c": 1.0}}
    assert render("[[Sotrangcongthongtindientudonvidangquanly]]", values) == "4"
    assert render("[[ghichu.Sotrangcongthongtindientudonvidangquanly]]", values) == \
        "Tổng của 2/3 đơn vị đã báo cáo; chưa có số liệu: Sở B"


def test_ratio_says_which_units_it_covers():
    # Sở B gave (a) only: the sum of (a) counts it, the ratio (a)/(b) does not
    values = {"9.a": {"so-a": 3, "so-b": 5, "q-c": 1}, "9.b": {"so-a": 4, "so-b": None, "q-c": 2}}
    name = "Tylecongthongtindientucuacoquannhanuocduocdanhgiaantoanthongtinvadannahntinnhiemmang"
    assert render(f"[[tyle.{name}]]", values) == "66,7%"   # (3 + 1) / (4 + 2)
    assert render(f"[[ghichu.tyle.{name}]]", values).startswith(
        "Tính trên 2/3 đơn vị có đủ tử số và mẫu số: 4/6; chưa có số liệu: Sở B")


def test_units_done_out_of_units_required():
    values = {"2": {"so-a": 1, "so-b": 0, "q-c": None}}
    key = KEY["2"]
    assert render(f"[[{key}]]", values) == "1/3 đơn vị"
    assert render(f"[[danhgia.{key}]]", values) == "Chưa đạt"
    note = render(f"[[ghichu.{key}]]", values)
    assert note.startswith("1/3 đơn vị đã ban hành") and "chưa ban hành: Sở B" in note and "chưa có số liệu: Quận C" in note
    all_done = {"2": {"so-a": 1, "so-b": 1, "q-c": 1}}
    assert render(f"[[danhgia.{key}]]", all_done) == "Đạt"


def test_number_of_units():
    values = {"22": {"so-a": 1, "so-b": 1, "q-c": 0}}
    assert render("[[sodonviTrienkhaiketnoivoihethongthongtincuadoituongquanlydethuthapdulieutructuyenphucvucongtacquanlynhanuoctheoquydinghucuphapluat]]", values) == "2"


def test_responsible_unit_value_and_no_data():
    key = KEY["25"]  # Kinh tế số đạt 19% of GRDP, reported by Cục Thống kê
    assert render(f"[[{key}]]", {"25": {"cuc-thong-ke": 0.19}}) == "19,0%"
    assert render(f"[[danhgia.{key}]]", {"25": {"cuc-thong-ke": 0.19}}) == "Đạt"
    assert render(f"[[danhgia.{key}]]", {"25": {"cuc-thong-ke": 0.189}}) == "Chưa đạt"
    assert render(f"[[danhgia.{key}]]", {"25": {"cuc-thong-ke": None}}) == "Chưa có số liệu"
    assert "Chưa có số liệu của Cục Thống kê" in render(f"[[ghichu.{key}]]", {"25": {"cuc-thong-ke": None}})


def test_per_level_minimums_of_target_18():
    # sở: 50/100 = 50% (≥ 50%: đạt); quận: 39/100 = 39% (< 40%: chưa đạt)
    values = {"18.a": {"so-a": 30, "so-b": 20, "q-c": 39}, "17.b": {"so-a": 60, "so-b": 40, "q-c": 100}}
    name = "Tylesohoahosogiaiquyetthutuchanhchinhcuacacsobannganhthanhphocaphuyencapxa"
    assert render(f"[[tyle.{name}]]", values) == "44,5%"  # (30 + 20 + 39) / (60 + 40 + 100)
    assert render(f"[[danhgia.tyle.{name}]]", values) == "Chưa đạt"
    note = render(f"[[ghichu.tyle.{name}]]", values)
    # the levels as the target names them; cấp xã has no unit in the 2023 registry: said in words, never by its code
    assert "Sở, ban, ngành: 50,0%" in note and "Cấp huyện: 39,0%" in note
    assert "Cấp xã: không có đơn vị báo cáo trong kỳ, không tính" in note and "xa-phuong" not in note
    values["18.a"]["q-c"] = 40
    assert render(f"[[danhgia.tyle.{name}]]", values) == "Đạt"


def test_no_data_at_all():
    assert render("[[danhgia.tyle.Tylehosothutuchanhchinhxulytructuyen]]", {}) == "Chưa có số liệu"
    assert render("[[tyle.Tylehosothutuchanhchinhxulytructuyen]]", {}) == "–"


# --- Word: placeholders split the ways Word splits them -----------------------------------------

def split_document(path: Path, key: str) -> Path:
    document = docx.Document()
    p = document.add_paragraph()
    for piece in ("Giá trị: [[", key[:10], key[10:25], key[25:] + "]] hết"):  # several runs
        p.add_run(piece)
    p = document.add_paragraph()
    p.add_run("[[danhgia.")
    p.add_run(key[:12]).bold = True  # a formatting change inside
    p.add_run(key[12:] + "]]")
    table = document.add_table(rows=1, cols=2)
    cell = table.rows[0].cells[0]
    run = cell.paragraphs[0].add_run("[[ghichu." + key[:8])
    run.add_break()  # a line break inside the cell
    cell.paragraphs[0].add_run(key[8:] + "]]")
    other = table.rows[0].cells[1]
    other.paragraphs[0].add_run("[[" + key[:20])  # Enter pressed inside: two paragraphs
    other.add_paragraph().add_run(key[20:] + "]] <&>")
    document.save(str(path))
    return path


def test_docx_placeholders_split_across_runs_formatting_breaks_and_paragraphs(tmp_path):
    key = KEY["2"]
    src = split_document(tmp_path / "mau.docx", key)
    values = {"2": {"so-a": 1, "so-b": 1, "q-c": 0}}
    out = tmp_path / "ra.docx"
    findings = render_docx(src, Resolver(TS, Evaluator(TS, data(values))), out)
    assert len(findings) == 4 and {f.status for f in findings} == {EXACT}
    text = unresolved_text(out)
    assert "[[" not in text and "]]" not in text
    document = docx.Document(str(out))
    assert document.paragraphs[0].text == "Giá trị: 2/3 đơn vị hết"
    assert document.paragraphs[1].text == "Chưa đạt"
    cell_texts = [c.text for c in document.tables[0].rows[0].cells]
    assert cell_texts[0].startswith("2/3 đơn vị đã ban hành; chưa ban hành: Quận C")
    assert cell_texts[1] == "2/3 đơn vị <&>"  # escaped in the XML, read back as text
    with zipfile.ZipFile(out) as z:
        assert b"&lt;&amp;&gt;" in z.read("word/document.xml")


def test_strict_refuses_fuzzy_and_unknown(tmp_path):
    document = docx.Document()
    document.add_paragraph("[[danhgia.tyle.Tylesohoaaketquagiaiquyetthutuchanhchinh]]")
    path = tmp_path / "mau.docx"
    document.save(str(path))
    with pytest.raises(RenderError):
        render_template(path, Resolver(TS), tmp_path / "ra.docx", strict=True)
    assert not (tmp_path / "ra.docx").exists()


def test_xlsx_placeholders_in_any_sheet_keep_formatting(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Một"
    book["Một"]["B2"] = "Tỷ lệ: [[tyle.Tylehosothutuchanhchinhxulytructuyen]]"
    book["Một"]["B2"].font = openpyxl.styles.Font(bold=True, size=14)
    book.create_sheet("Hai")["C3"] = "[[danhgia.tyle.Tylehosothutuchanhchinhxulytructuyen]]"
    src, out = tmp_path / "mau.xlsx", tmp_path / "ra.xlsx"
    book.save(src)
    values = {"16.a": {"so-a": 30, "so-b": 30}, "16.b": {"so-a": 40, "so-b": 60}}
    render_xlsx(src, Resolver(TS, Evaluator(TS, data(values))), out)
    result = openpyxl.load_workbook(out)
    assert result["Một"]["B2"].value == "Tỷ lệ: 60,0%" and result["Một"]["B2"].font.bold
    assert result["Hai"]["C3"].value == "Đạt"


# --- the shipped template and the run --------------------------------------------------------------

SHIPPED = Path(__file__).resolve().parents[1] / "dti_report" / "data" / "templates" / "bang-theo-doi-chi-tieu-2023.docx"


def test_shipped_template_holds_every_target_and_the_seed_typos():
    findings = render_docx(SHIPPED, Resolver(TS), None)
    fuzzy = {f.resolution.matches[0][0]: f.resolution.matches[0][1] for f in findings if f.status == FUZZY}
    assert fuzzy["Tylesohoaaketquagiaiquyetthutuchanhchinh"] == "Tylesohoaketquagiaiquyetthutuchanhchinh"  # 17
    assert fuzzy["Canbocongchucvienchucduoctaphuanboiduongphoc"] == "Canbocongchucvienchucduoctaphuanboiduongphocapkynangsocoban"  # 24
    assert not [f for f in findings if f.status == UNKNOWN]
    closings = {f.resolution.placeholder.closing for f in findings}
    assert {"]]]", "[]"} <= closings  # 33's stray "]" and 41's "[]"


def test_run_renders_the_table_and_writes_results_json(tmp_path):
    from dti_report.reports.monitoring import write_monitoring
    from dti_report.evaluation.targets import collect
    from dti_report.forms.units import builtin_registry

    empty = collect(TS, None, builtin_registry(), "2023")
    written, findings = write_monitoring(tmp_path, {TS.id: empty}, {TS.id: TS})
    assert "[[" not in unresolved_text(tmp_path / "bang-theo-doi-chi-tieu.docx")
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    placeholders = results["sets"][TS.id]["placeholders"]
    assert placeholders["danhgia.tyle.Tylehosothutuchanhchinhxulytructuyen"] == "Chưa có số liệu"
    # the CLI renders any template from the saved results, and lint lists the typos
    out = tmp_path / "lai.docx"
    result = CliRunner().invoke(main, ["render", str(SHIPPED), "--results", str(tmp_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "[[" not in unresolved_text(out)
    lint = CliRunner().invoke(main, ["lint", str(SHIPPED), "--results", str(tmp_path)])
    assert lint.exit_code == 0 and "gần đúng → danhgia.tyle.Tylesohoaketquagiaiquyetthutuchanhchinh" in lint.output
    strict = CliRunner().invoke(main, ["lint", str(SHIPPED), "--strict"])
    assert strict.exit_code != 0


def test_shipped_table_rows_do_not_split_and_say_what_the_original_does_not():
    document = docx.Document(str(SHIPPED))
    table = document.tables[0]
    W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    assert all(row._tr.find(f"{W}trPr/{W}cantSplit") is not None for row in table.rows[1:])
    rows = {row.cells[0].text: row for row in table.rows[1:]}
    # 9.1 and 9.2: the original's labels say the opposite of the figures their keys hold
    assert "số liệu là số trang, cổng đã được đánh giá" in rows["9.1"].cells[4].text
    assert "số liệu là số trang, cổng đơn vị đang quản lý" in rows["9.2"].cells[4].text
    # a sub-row's sum says how many units it covers
    assert rows["9.1"].cells[4].text.startswith(
        "[[ghichu.Sotrangcongthongtindientudonvidangquanlyduocdanhgiaaantoanthongtinvadannahntinnhiemmang]]")


def test_target_set_matches_the_table():
    assert len(TS.targets) == 41 and [t.id for t in TS.targets] == [str(n) for n in range(1, 42)]
    assert [g.name for g in TS.groups] == ["", "Dữ liệu số", "Chính quyền số", "Kinh tế số", "Xã hội số", "An toàn, an ninh mạng"]
    t18 = next(t for t in TS.targets if t.id == "18").target
    assert t18.levels == {"so-nganh": 0.5, "quan-huyen": 0.4, "xa-phuong": 0.35}
    t26 = next(t for t in TS.targets if t.id == "26").target
    assert (t26.op, t26.value) == (">", 0.085)
    # responsible units follow QĐ 79 Phụ lục III: statistics office, police, State Bank branch
    by_id = {i.id: i for i in TS.inputs}
    assert by_id["25"].reporters.units == ("cuc-thong-ke",)
    assert by_id["32"].reporters.units == ("cong-an",) and by_id["34"].reporters.units == ("nhnn",)
