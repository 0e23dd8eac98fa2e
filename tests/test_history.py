"""Comparison with earlier stored periods: rank changes and point deltas of named units over
three periods, the trend sheet, a set whose version changed, and [[kytruoc.Key]].

The example set of the README (vi-du-xa-phuong: 1.1 ratio with an 80% target, 30 points;
1.2 choice, 30; 2.1 tiers ≥5: 20, 2–4: 10; 2.2 self-assessed, 20). Points by hand:

2024  p-an-phu    400/1000 = 40% → 40/80 × 30 = 15; đang xây dựng 15; 3 tổ 10; 10 → 50    (hạng 2)
      x-binh-minh 900/1000 → 30; đã ban hành 30; 6 tổ 20; 15                 → 95    (hạng 1)
      x-tan-lap   100/200 = 50% → 18,75; chưa có 0; 1 tổ 0; 5                → 23,75 (hạng 3)
2025  p-an-phu    850/1000 → 30; 30; 6 tổ 20; 18                             → 98    (hạng 1: ↑1 bậc, +48)
      x-binh-minh 600/1000 = 60% → 22,5; 30; 3 tổ 10; 12                     → 74,5  (hạng 2: ↓1 bậc, −20,5)
      x-tan-lap   160/200 = 80% → 30; 15; 2 tổ 10; 10                        → 65    (hạng 3: không đổi, +41,25)
2026  x-binh-minh 800/800 → 30; 30; 7 tổ 20; 19                              → 99    (hạng 1: ↑1 bậc, +24,5)
      x-hoa-binh  950/1000 → 30; 30; 5 tổ 20; 16                             → 96    (hạng 2: mới)
      p-an-phu    700/1000 = 70% → 26,25; 30; 5 tổ 20; 14                    → 90,25 (hạng 3: ↓2 bậc, −7,75)
      x-tan-lap   100/200 → 18,75; 15; 2 tổ 10; 8                            → 51,75 (hạng 4: ↓1 bậc, −13,25)
"""

import json
import shutil
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest

from dti_report import kinds
from dti_report.batch.results import load_results
from dti_report.batch.workspace import load_workspace
from dti_report.evaluation.history import rank_change_text
from dti_report.in_force import workspace_catalog, workspace_settings
from dti_report.pipeline import init_workspace, report, write_unit_templates
from dti_report.workbook.fill import fill_workbook

from workbook_helpers import assert_reads_as_per_cell
from workspace_helpers import at, run

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "xa-phuong"
SET = "vi-du-xa-phuong"


def values(a, b, status, teams, points):
    return {"1.1.a": a, "1.1.b": b, "1.2": status, "2.1": teams, "2.2.diem": points}


DONE, DRAFTING, NONE = "Đã ban hành", "Đang xây dựng", "Chưa có"
PERIODS = {
    "2024": {"p-an-phu": values(400, 1000, DRAFTING, 3, 10), "x-binh-minh": values(900, 1000, DONE, 6, 15),
             "x-tan-lap": values(100, 200, NONE, 1, 5)},
    "2025": {"p-an-phu": values(850, 1000, DONE, 6, 18), "x-binh-minh": values(600, 1000, DONE, 3, 12),
             "x-tan-lap": values(160, 200, DRAFTING, 2, 10)},
    "2026": {"p-an-phu": values(700, 1000, DONE, 5, 14), "x-binh-minh": values(800, 800, DONE, 7, 19),
             "x-tan-lap": values(100, 200, DRAFTING, 2, 8), "x-hoa-binh": values(950, 1000, DONE, 5, 16)},
}


def example_workspace(tmp_path, name="xa"):
    units = tmp_path / "don-vi.yaml"
    units.write_text(EXAMPLE.joinpath("don-vi.yaml").read_text(encoding="utf-8")
                     + "  - {code: x-hoa-binh, name: Xã Hòa Bình, level: xa-phuong}\n", encoding="utf-8")
    init_workspace(tmp_path / name, "Xã, phường", units=units)
    ws = load_workspace(tmp_path / name)
    shutil.copy(EXAMPLE / "bieu-mau" / "xa-phuong-2026.yaml", ws.root / "bieu-mau-rieng")
    return ws


def fill_period(ws, period, by_unit, set_id=SET):
    catalog = workspace_catalog(ws)
    form = catalog.get(set_id)
    blanks = write_unit_templates(form, ws.registry(), period, ws.blanks(period), unit_codes=list(by_unit))
    ws.inbox(period).mkdir(parents=True, exist_ok=True)
    for blank in blanks:
        fill_workbook(form, blank, by_unit[blank.name.split("_")[0]], ws.inbox(period) / blank.name)


@pytest.fixture(scope="module")
def three_periods(tmp_path_factory):
    ws = example_workspace(tmp_path_factory.mktemp("lich-su"))
    for n, (period, by_unit) in enumerate(PERIODS.items()):
        fill_period(ws, period, by_unit)
        run(ws, period, at(f"{int(period) + 1}-01-20 09:00"), final=True)
    return ws


def test_history_sheets_read_as_the_per_cell_writer_writes_them(three_periods, tmp_path, monkeypatch):
    """The trend and index-change sheets, streamed like the other big tables, hold the cells,
    formats and row heights xlsxwriter's per-cell writer gives them."""
    ws = three_periods
    book = assert_reads_as_per_cell(ws.results("2026"), tmp_path, monkeypatch, workspace_catalog(ws))
    assert any(n.startswith("Qua các kỳ") for n in book.sheetnames)
    assert any(n.startswith("Chỉ số chính so kỳ trước") for n in book.sheetnames)


def test_rank_change_words():
    assert [rank_change_text(1, 3), rank_change_text(4, 3), rank_change_text(2, 2), rank_change_text(2, None)] == \
        ["↑2 bậc", "↓1 bậc", "không đổi", "mới"]


def test_named_units_rank_changes_and_deltas_over_three_periods(three_periods):
    ws = three_periods
    comparison = pd.read_csv(ws.results("2026") / SET / "so-sanh.csv", dtype={"unit_code": str}).set_index("unit_code")
    assert list(comparison.index) == ["x-binh-minh", "x-hoa-binh", "p-an-phu", "x-tan-lap"]
    assert comparison.at["p-an-phu", "total"] == pytest.approx(90.25)
    assert comparison.at["p-an-phu", "previous_total"] == pytest.approx(98)
    assert comparison.at["p-an-phu", "delta"] == pytest.approx(-7.75)
    assert (comparison.at["p-an-phu", "previous_rank"], comparison.at["p-an-phu", "rank"]) == (1, 3)
    assert comparison.at["p-an-phu", "change"] == "↓2 bậc"
    assert comparison.at["x-binh-minh", "change"] == "↑1 bậc"
    assert comparison.at["x-binh-minh", "delta"] == pytest.approx(24.5)
    assert comparison.at["x-tan-lap", "change"] == "↓1 bậc"
    assert comparison.at["x-tan-lap", "delta"] == pytest.approx(-13.25)
    assert comparison.at["x-hoa-binh", "change"] == "mới" and pd.isna(comparison.at["x-hoa-binh", "previous_total"])
    earlier = pd.read_csv(ws.results("2025") / SET / "so-sanh.csv").set_index("unit_code")
    assert earlier.at["p-an-phu", "change"] == "↑1 bậc" and earlier.at["p-an-phu", "delta"] == pytest.approx(48)
    assert earlier.at["x-binh-minh", "change"] == "↓1 bậc" and earlier.at["x-binh-minh", "delta"] == pytest.approx(-20.5)
    assert earlier.at["x-tan-lap", "change"] == "không đổi" and earlier.at["x-tan-lap", "delta"] == pytest.approx(41.25)
    # Per main index: p-an-phu 2025 → 2026: index 1 60 → 56,25; index 2 38 → 34.
    indices = pd.read_csv(ws.results("2026") / SET / "so-sanh-chi-so.csv", dtype=str).set_index(["unit_code", "index"])
    assert float(indices.at[("p-an-phu", "1"), "delta"]) == pytest.approx(-3.75)
    assert float(indices.at[("p-an-phu", "2"), "delta"]) == pytest.approx(-4)


def test_the_trend_sheet_holds_every_stored_period(three_periods):
    ws = three_periods
    book = openpyxl.load_workbook(ws.results("2026") / "ket-qua-tong-hop.xlsx", read_only=True)
    sheet = next(s for s in book.worksheets if s.title.startswith("Qua các kỳ"))
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[3]
    assert header[:5] == ("Mã đơn vị", "Đơn vị", "Tổng điểm năm 2024", "Tổng điểm năm 2025", "Tổng điểm năm 2026")
    by_unit = {r[0]: r for r in rows[4:] if r[0]}
    assert by_unit["p-an-phu"][2:8] == pytest.approx((50, 98, 90.25, 2, 1, 3))
    assert by_unit["x-tan-lap"][2:8] == pytest.approx((23.75, 65, 51.75, 3, 3, 4))
    assert by_unit["x-hoa-binh"][2:4] == (None, None) and by_unit["x-hoa-binh"][4] == 96
    assert by_unit["p-an-phu"][-1] == "↓2 bậc"


def test_the_report_and_the_scorecards_show_the_change(three_periods):
    ws = three_periods
    out = ws.results("2026")
    text = "\n".join(p.text for p in docx.Document(out / f"bao-cao-ket-qua-dti-{SET}-2026.docx").paragraphs)
    assert "So với năm 2025: 1 đơn vị tăng hạng, 2 đơn vị giảm hạng, 0 đơn vị giữ nguyên hạng, 1 đơn vị lần đầu" in text
    assert "Hình 1a" in text
    card = docx.Document(out / "phieu-ket-qua" / f"p-an-phu-{SET}.docx")
    card_text = "\n".join(p.text for p in card.paragraphs)
    assert "So với năm 2025: tổng điểm 98,00 → 90,25 (−7,75 điểm), hạng 1 → 3 (↓2 bậc)" in card_text
    assert "theo chỉ số chính: 1: −3,75; 2: −4,00" in card_text
    new = "\n".join(p.text for p in docx.Document(out / "phieu-ket-qua" / f"x-hoa-binh-{SET}.docx").paragraphs)
    assert "kỳ trước đơn vị chưa được đánh giá" in new
    # Re-rendered from the folder alone, the comparison is still there.
    results = load_results(out, workspace_catalog(ws))
    assert results.history.sets[SET].previous == "2025"


def test_a_provisional_scorecard_compares_points_without_ranks(three_periods, tmp_path):
    """Re-rendered (report) from a copy of the folder whose run.json says the results are not
    final: the comparison keeps the points and each main index, without the ranks."""
    out = tmp_path / "tam-tinh"
    shutil.copytree(three_periods.results("2026"), out)
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert info["final"] is True
    (out / "run.json").write_text(json.dumps({**info, "final": False}), encoding="utf-8")
    report(out, workspace_catalog(three_periods), workspace_settings(three_periods), workers=1)
    card_text = "\n".join(p.text for p in docx.Document(out / "phieu-ket-qua" / f"p-an-phu-{SET}.docx").paragraphs)
    assert "So với năm 2025: tổng điểm 98,00 → 90,25 (−7,75 điểm); theo chỉ số chính: 1: −3,75; 2: −4,00." in card_text
    assert "1. Tổng điểm: 90,25/" in card_text and "Đây là kết quả tạm tính" in card_text
    assert "hạng" not in card_text.replace("thứ hạng được công bố", "")


def test_a_set_whose_version_changed_is_compared_on_the_criteria_that_kept_id_and_maximum(tmp_path):
    ws = example_workspace(tmp_path)
    newer = (EXAMPLE / "bieu-mau" / "xa-phuong-2026.yaml").read_text(encoding="utf-8")
    newer = newer.replace('version: "2026.1"', 'version: "2027.1"')
    lines = newer.splitlines()
    lines[26] = lines[26].replace("max_points: 30", "max_points: 40")   # 1.1
    lines[34] = lines[34].replace("max_points: 30", "max_points: 20")   # 1.2
    fill_period(ws, "2026", PERIODS["2025"])
    run(ws, "2026", at("2027-01-20 09:00"))
    # The next year's decision: a new version beside the old one (the catalog is read again).
    (ws.root / "bieu-mau-rieng" / "xa-phuong-2027.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    kinds._catalog.cache_clear()
    fill_period(ws, "2027", PERIODS["2026"])
    run(ws, "2027", at("2028-01-20 09:00"))
    meta = json.loads((ws.results("2027") / SET / "so-sanh.json").read_text(encoding="utf-8"))
    assert (meta["version"], meta["previous_version"], meta["compared"], meta["criteria"]) == ("2027.1", "2026.1", 2, 4)
    assert meta["not_compared"] == [{"id": "1.1", "why": "điểm tối đa đổi từ 30 thành 40"},
                                    {"id": "1.2", "why": "điểm tối đa đổi từ 30 thành 20"}]
    # Over 2.1 and 2.2 only: 2026 p-an-phu 20 + 18 = 38 (hạng 1), x-binh-minh 10 + 12 = 22 (2),
    # x-tan-lap 10 + 10 = 20 (3).
    # 2027: x-binh-minh 20 + 19 = 39 (1), x-hoa-binh 20 + 16 = 36 (2), p-an-phu 20 + 14 = 34 (3), x-tan-lap 10 + 8 = 18 (4).
    comparison = pd.read_csv(ws.results("2027") / SET / "so-sanh.csv").set_index("unit_code")
    assert comparison.at["p-an-phu", "total"] == pytest.approx(34)
    assert comparison.at["p-an-phu", "previous_total"] == pytest.approx(38)
    assert comparison.at["p-an-phu", "change"] == "↓2 bậc"
    assert comparison.at["x-binh-minh", "previous_rank"] == 2 and comparison.at["x-binh-minh", "change"] == "↑1 bậc"
    text = "\n".join(p.text for p in docx.Document(ws.results("2027") / f"bao-cao-ket-qua-dti-{SET}-2027.docx").paragraphs)
    assert "so sánh trên 2/4 tiêu chí giữ nguyên mã và điểm tối đa" in text
    assert "1.1 Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận trực tuyến (điểm tối đa đổi từ 30 thành 40)" in text


def test_the_monitoring_table_shows_the_previous_month(tmp_path):
    init_workspace(tmp_path / "ct", "Chỉ tiêu")
    ws = load_workspace(tmp_path / "ct")
    for period, (gddt, ldtbxh) in {"2023-11": (120, 80), "2023-12": (130, 90)}.items():
        fill_period(ws, period, {"so-gddt": {"8.b": gddt}, "so-ldtbxh": {"8.b": ldtbxh}}, "hcm-chi-tieu-2023")
        run(ws, period, at("2024-01-05 09:00"))
    placeholders = json.loads((ws.results("2023-12") / "results.json").read_text(encoding="utf-8"))
    shown = placeholders["sets"]["hcm-chi-tieu-2023"]["placeholders"]
    assert shown["Tongsocosodaotao"] == "220" and shown["kytruoc.Tongsocosodaotao"] == "200"
    first = json.loads((ws.results("2023-11") / "results.json").read_text(encoding="utf-8"))
    assert first["sets"]["hcm-chi-tieu-2023"]["placeholders"]["kytruoc.Tongsocosodaotao"] == "–"


def test_history_of_a_unit_prints_every_stored_period(three_periods, monkeypatch):
    from click.testing import CliRunner

    from dti_report.cli import main

    monkeypatch.chdir(three_periods.root)
    result = CliRunner().invoke(main, ["history", "p-an-phu"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if SET in line]
    assert [line.split("│")[1].strip() for line in lines] == ["2024", "2025", "2026"]
    assert ["50,00" in lines[0], "98,00" in lines[1], "90,25" in lines[2]] == [True, True, True]
    assert "2/3" in lines[0] and "1/3" in lines[1] and "3/4" in lines[2]


def test_export_writes_one_long_table_of_every_stored_period(three_periods, monkeypatch):
    from click.testing import CliRunner

    from dti_report.cli import main

    monkeypatch.chdir(three_periods.root)
    target = three_periods.root / "xuat.csv"
    result = CliRunner().invoke(main, ["export", "--out", str(target)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(target, dtype={"period": str, "unit_code": str})
    totals = frame[(frame["measure"] == "total") & (frame["unit_code"] == "p-an-phu")]
    assert list(totals["period"]) == ["2024", "2025", "2026"]
    assert list(totals["value"]) == pytest.approx([50, 98, 90.25]) and list(totals["rank"]) == [2, 1, 3]
    assert (frame["measure"] == "criterion").sum() == (3 + 3 + 4) * 4
    index = frame[(frame["measure"] == "index") & (frame["unit_code"] == "x-tan-lap") & (frame["period"] == "2024")]
    assert list(index["value"]) == pytest.approx([18.75, 5])
    assert set(frame["unit_name"].dropna()) >= {"Phường An Phú", "Xã Hòa Bình"}


def test_export_as_parquet_when_pyarrow_is_there(three_periods, monkeypatch):
    import importlib.util

    from click.testing import CliRunner

    from dti_report.cli import main

    monkeypatch.chdir(three_periods.root)
    target = three_periods.root / "xuat-parquet.csv"
    result = CliRunner().invoke(main, ["export", "--out", str(target), "--parquet"])
    assert target.is_file()  # the CSV is written either way
    if importlib.util.find_spec("pyarrow") is None:
        assert result.exit_code != 0 and "pyarrow" in " ".join(result.output.split())
    else:
        assert result.exit_code == 0, result.output
        assert len(pd.read_parquet(target.with_suffix(".parquet"))) == len(pd.read_csv(target))


@pytest.fixture(scope="module")
def two_quarters(tmp_path_factory):
    from conftest import KH68_Q2_REPORTS

    root = tmp_path_factory.mktemp("kh") / "kh"
    init_workspace(root, "Kế hoạch 68")
    ws = load_workspace(root)
    fill_period(ws, "2021-Q2", {"so-tttt": KH68_Q2_REPORTS["so-tttt"]}, "kh68-nhiem-vu")
    run(ws, "2021-Q2", at("2021-07-05 09:00"))
    # Q3: task 11 (due 02/2021, overdue at the end of Q2) reported done on 15/8/2021: done late.
    q3 = {**KH68_Q2_REPORTS["so-tttt"], "11.trang-thai": "Hoàn thành", "11.ngay-hoan-thanh": "15/8/2021"}
    fill_period(ws, "2021-Q3", {"so-tttt": q3}, "kh68-nhiem-vu")
    run(ws, "2021-Q3", at("2021-10-05 09:00"))
    return ws


def test_task_standings_change_since_the_last_quarter(two_quarters):
    ws = two_quarters
    changes = pd.read_csv(ws.results("2021-Q3") / "kh68-nhiem-vu" / "tien-do-ky-truoc.csv", dtype=str,
                          keep_default_na=False).set_index("task")
    assert changes.at["11", "previous_standing"] == "Quá hạn, chưa hoàn thành"
    assert changes.at["11", "standing"] == "Hoàn thành trễ hạn" and changes.at["11", "changed"] == "có"
    assert changes.at["3", "standing"] == "Hoàn thành đúng hạn" and changes.at["3", "changed"] == ""
    book = openpyxl.load_workbook(ws.results("2021-Q3") / "ket-qua-tong-hop.xlsx", read_only=True)
    assert any(name.startswith("Nhiệm vụ so kỳ trước") for name in book.sheetnames)


def test_the_plan_report_says_which_tasks_changed_since_the_last_quarter(two_quarters):
    report = docx.Document(two_quarters.results("2021-Q3") / "bao-cao-kh68-2021-Q3.docx")
    cells = [c.text for t in report.tables for r in t.rows for c in r.cells]
    assert any("quý II năm 2021: quá hạn, chưa hoàn thành" in c for c in cells)
