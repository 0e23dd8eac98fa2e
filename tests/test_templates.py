"""Unit workbook templates: the layout contract, protection and validation, and
the self-score formulas recalculated by LibreOffice against the engine."""

import math
import os
import shutil
import subprocess

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from conftest import long_rows
from dti_report.workbook import layout
from dti_report.forms.rules import MinMaxRule
from dti_report.kinds import get_form
from dti_report.evaluation.scoring import score_rows
from dti_report.workbook.templates import ERROR_TEXT, write_template, write_templates
from dti_report.forms.units import builtin_registry
from dti_report.kinds import catalog as forms_catalog
from dti_report.workbook.plan_templates import write_plan_template
from dti_report.workbook.reader import read_submission
from dti_report.workbook.target_templates import write_target_template

SO, HUYEN = get_form("hcm-dti-so"), get_form("hcm-dti-huyen")
PERIOD = "2023"
HEADER_ROW = layout.HEADER_ROW + 1  # 1-based, as openpyxl counts
COL = {key: i + 1 for key, i in layout.COLUMN_INDEX.items()}


def unit_for(indicator_set):
    return builtin_registry().units_for_set(indicator_set.id)[0]


def opt(indicator_set, field_id, i):
    """The i-th option label (0-based) of a choice or yes/no field."""
    return indicator_set.fields[field_id].options[i].label


def rows_by_id(ws):
    """Field id column value → row numbers holding it."""
    found = {}
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        key = ws.cell(row, COL["field_id"]).value
        if key is not None:
            found.setdefault(key, []).append(row)
    return found


# --- structure ----------------------------------------------------------------


@pytest.fixture(params=["hcm-dti-so", "hcm-dti-huyen"])
def template(request, tmp_path):
    indicator_set = get_form(request.param)
    unit = unit_for(indicator_set)
    path = write_template(indicator_set, unit, PERIOD, tmp_path / "t.xlsx", deadline="15/11/2023")
    return indicator_set, unit, path


def test_sheets_and_meta(template):
    indicator_set, unit, path = template
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [layout.GUIDE_SHEET, layout.INPUT_SHEET, layout.LISTS_SHEET, layout.META_SHEET]
    assert wb.active.title == layout.GUIDE_SHEET
    assert [wb[name].sheet_state for name in wb.sheetnames] == ["visible", "visible", "hidden", "veryHidden"]
    meta = {row[0]: row[1] for row in wb[layout.META_SHEET].iter_rows(values_only=True)}
    assert meta == {
        "set_id": indicator_set.id,
        "set_version": indicator_set.version,
        "template_hash": layout.template_hash(indicator_set),
        "template_format": layout.TEMPLATE_FORMAT,
        "unit_code": unit.code,
        "period": PERIOD,
    }
    assert wb.properties.title and wb.properties.subject
    guide = "\n".join(str(v) for row in wb[layout.GUIDE_SHEET].iter_rows(values_only=True) for v in row if v)
    for text in (indicator_set.title, unit.name, unit.code, "10/01/2023", "15/11/2023",
                 "Theo văn bản hướng dẫn của Sở Thông tin và Truyền thông", layout.NA_LABEL, layout.MIN_MAX_TEXT):
        assert text in guide


def test_input_rows(template):
    indicator_set, _, path = template
    ws = openpyxl.load_workbook(path)[layout.INPUT_SHEET]
    assert [ws.cell(HEADER_ROW, COL[key]).value for key, _ in layout.COLUMNS] == [h for _, h in layout.COLUMNS]
    found = rows_by_id(ws)
    for field_id in indicator_set.fields:
        assert len(found.get(field_id, [])) == 1, field_id
    for criterion in indicator_set.criteria:
        (row,) = found[criterion.id + layout.NA_SUFFIX]
        assert ws.cell(row, COL["criterion"]).value == criterion.id
        assert ws.cell(row, COL["max_points"]).value == criterion.max_points
        assert ws.cell(row, COL["self_score"]).value.startswith("=IF(")
        assert ws.cell(row, COL["value"]).value is None


def test_blank_template_cached_scores(template):
    """Readers that do not recalculate on load see the blank workbook's scores."""
    indicator_set, _, path = template
    ws = openpyxl.load_workbook(path, data_only=True)[layout.INPUT_SHEET]
    found = rows_by_id(ws)
    for criterion in indicator_set.criteria:
        (row,) = found[criterion.id + layout.NA_SUFFIX]
        expected = layout.MIN_MAX_TEXT if isinstance(criterion.rule, MinMaxRule) else 0
        assert ws.cell(row, COL["self_score"]).value == expected


def test_only_input_cells_unlocked(template):
    indicator_set, _, path = template
    ws = openpyxl.load_workbook(path)[layout.INPUT_SHEET]
    assert ws.protection.sheet and not ws.protection.password
    assert ws.protection.formatColumns is False and ws.protection.formatRows is False  # False = allowed
    input_ids = set(indicator_set.fields) | {f.id for f in indicator_set.info_fields} \
        | {c.id + layout.NA_SUFFIX for c in indicator_set.criteria}
    expected, unlocked = set(), set()
    for key, rows in rows_by_id(ws).items():
        if key in input_ids:
            expected |= {(rows[0], COL["value"]), (rows[0], COL["note"])}
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row + 1, max_col=len(layout.COLUMNS) + 1):
        unlocked |= {(c.row, c.column) for c in row if not c.protection.locked}
    assert unlocked == expected
    value_cell = ws.cell(rows_by_id(ws)["1.2.a"][0], COL["value"])
    assert value_cell.fill.fgColor.rgb.endswith("FFF2CC")


def _validation(ws, cell):
    hits = [dv for dv in ws.data_validations.dataValidation if cell.coordinate in dv.sqref]
    assert len(hits) == 1, cell.coordinate
    return hits[0]


def list_labels(wb, formula):
    """The labels a list validation offers: the cells of its range on the lists sheet."""
    sheet, cells = formula.rsplit("!", 1)
    assert sheet == f"'{layout.LISTS_SHEET}'"
    min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
    return [v for row in wb[layout.LISTS_SHEET].iter_rows(min_row, max_row, min_col, max_col, values_only=True) for v in row]


def test_data_validation(template):
    indicator_set, _, path = template
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.INPUT_SHEET]
    found = rows_by_id(ws)

    choice = _validation(ws, ws.cell(found["1.1"][0], COL["value"]))
    assert choice.type == "list" and choice.prompt and choice.showErrorMessage
    assert choice.errorStyle in (None, "stop")  # "stop" is the OOXML default and may be left out
    assert list_labels(wb, choice.formula1) == [o.label for o in indicator_set.fields["1.1"].options]

    count = _validation(ws, ws.cell(found["1.2.a"][0], COL["value"]))
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert count.prompt and count.showErrorMessage and count.errorStyle in (None, "stop")

    percent_cell = ws.cell(found["6.13.a"][0], COL["value"])
    percent = _validation(ws, percent_cell)
    assert (percent.type, percent.formula1, percent.formula2) == ("decimal", "0", "1")
    assert percent.operator in (None, "between")  # the OOXML default
    assert percent_cell.number_format == "0.00%"

    na = _validation(ws, ws.cell(found["1.1" + layout.NA_SUFFIX][0], COL["value"]))
    assert list_labels(wb, na.formula1) == [layout.NA_LABEL]


def test_print_setup_and_panes(template):
    _, _, path = template
    ws = openpyxl.load_workbook(path)[layout.INPUT_SHEET]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the OOXML default and may be left out
    assert int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows.replace("$", "") == f"{HEADER_ROW}:{HEADER_ROW}"
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"


def test_write_templates_names_and_same_bytes(tmp_path):
    units = builtin_registry().units_for_set(SO.id)[:2]
    first = write_templates(SO, units, PERIOD, tmp_path / "a")
    again = write_templates(SO, units, PERIOD, tmp_path / "b")
    assert [p.name for p in first] == [layout.template_file_name(u.code, SO.id, PERIOD) for u in units]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(p.name for p in first)  # no temp files left


def test_refuses_bad_period(tmp_path):
    with pytest.raises(ValueError):
        write_template(SO, unit_for(SO), "năm 2023", tmp_path / "x.xlsx")


def test_prefilled_template_reads_back(tmp_path):
    from dti_report.kinds import catalog
    from dti_report.workbook.reader import read_submission
    from dti_report.forms.units import builtin_registry

    unit = unit_for(SO)
    path = write_template(SO, unit, PERIOD, tmp_path / "x.xlsx", values={"1.2.a": "3", "1.2.b": "4", "6.13.a": "80%", "6.3.a": "N/A", "1.1": "2"})
    sub = read_submission(path, tmp_path, builtin_registry(), PERIOD, catalog=catalog())
    values = dict(zip(sub.rows.field, sub.rows.value))
    assert (values["1.2.a"], values["1.2.b"], values["6.13.a"]) == (3, 4, "80%")
    assert values["1.1"] == "Trưởng ban là Phó giám đốc Sở/Ban/Ngành"
    assert values["6.3.khong-ap-dung"] == "Không áp dụng"


# --- self-score formulas, recalculated by LibreOffice --------------------------

# scenario → (values by field id, criteria marked not applicable, points worked out by hand)
SO_SCENARIOS = {
    "edges": ({
        "1.1": opt(SO, "1.1", 1), "1.2.a": 3, "1.2.b": 4, "1.3.a": 0, "1.3.b": 5,
        "1.4.a": opt(SO, "1.4.a", 0), "1.4.b": 19,
        "2.1": opt(SO, "2.1", 0), "2.2": opt(SO, "2.2", 1),
        "3.1.a": 8, "3.1.b": 10, "3.2.a": 79, "3.2.b": 100, "3.3.a": 8, "3.3.b": 10,
        "3.4.a": 7, "3.4.b": 7, "3.4.c": 3, "3.4.d": 6,
        "4.1.a": 1, "4.1.b": 1, "4.1.c": 1, "4.1.d": 1, "4.1.e": 10, "4.1.f": 10,
        "4.2": opt(SO, "4.2", 0), "4.3.a": 5, "4.3.b": 0, "5.1.a": 3, "5.2.a": 6, "5.2.b": 5,
        "5.3.a": 1, "5.3.b": 0, "5.4.a": 1, "5.4.b": 3,
        "6.1.a": opt(SO, "6.1.a", 0), "6.1.b": opt(SO, "6.1.b", 1), "6.2.b": 4,
        "6.3.a": 2, "6.3.b": 2, "6.3.c": 1, "6.3.d": 2, "6.4.a": 10, "6.4.b": 9,
        "6.5": opt(SO, "6.5", 0), "6.6": opt(SO, "6.6", 1), "6.7": opt(SO, "6.7", 0),
        "6.13.a": 0.66, "6.13.b": 0.60, "6.14.a": 8, "6.14.b": 10,
    }, {"5.3"}, {
        "1.1": 5, "1.2": 7.5, "1.3": 0, "1.4": 5, "2.3": 0, "3.1": 5, "3.2": 0, "3.3": 15, "3.4": 22.5,
        "4.1": layout.MIN_MAX_TEXT, "4.3": ERROR_TEXT, "5.2": ERROR_TEXT, "5.3": 10, "5.4": 5 / 3,
        "6.1": 8, "6.2": 0, "6.3": 7.5, "6.4": 5, "6.13": 10, "6.14": 10,
    }),
    "below": ({
        "1.1": opt(SO, "1.1", 0), "1.2.a": 4, "1.2.b": 4, "1.3.a": 0, "1.3.b": 0,
        "1.4.a": opt(SO, "1.4.a", 1), "1.4.b": 25,
        "3.1.a": 9, "3.1.b": 10, "3.2.a": 0, "3.2.b": 0, "3.3.a": 5, "3.3.b": 10, "3.4.a": 3, "3.4.b": 6,
        "5.2.a": "abc", "5.2.b": 5, "5.3.a": -1, "5.3.b": 5, "5.4.a": 2.5, "5.4.b": 5,
        "6.1.a": opt(SO, "6.1.a", 1), "6.1.b": opt(SO, "6.1.b", 0), "6.4.a": 10, "6.4.b": 8,
        "6.13.a": 0.50, "6.13.b": 0.60, "6.14.a": 7, "6.14.b": 10,
    }, {"4.1"}, {
        "1.1": 10, "1.2": 10, "1.3": ERROR_TEXT, "1.4": 0, "3.1": 5, "3.2": ERROR_TEXT, "3.3": 15, "3.4": 7.5,
        "4.1": 10, "5.2": ERROR_TEXT, "5.3": ERROR_TEXT, "5.4": ERROR_TEXT,
        "6.1": 2, "6.4": 40 / 9, "6.13": 0, "6.14": 8.75,
    }),
    "gate-9": ({
        "1.4.a": opt(SO, "1.4.a", 0), "1.4.b": 9, "3.3.a": 49, "3.3.b": 100,
        "3.4.a": 8, "3.4.b": 7, "3.4.c": 1, "3.4.d": 2, "6.13.a": 0.63, "6.13.b": 0.60,
    }, set(), {"1.4": 2.5, "3.3": 0, "3.4": 22.5, "6.13": 5}),  # 3.4: 8 of a minimum of 7 is 15, 1/2 of 15 is 7.5
    "gate-10": ({
        "1.4.a": opt(SO, "1.4.a", 0), "1.4.b": 10, "6.13.a": 0.5, "6.13.b": 0, "6.4.a": 0, "6.4.b": 0,
    }, set(), {"1.4": 5, "6.13": 10, "6.4": ERROR_TEXT}),  # 6.13: from 0% to 50% is a rise, full points
    "gate-20": ({
        "1.4.a": opt(SO, "1.4.a", 0), "1.4.b": 20, "6.13.a": 1.2, "6.13.b": 0.5,
    }, set(), {"1.4": 10, "6.13": ERROR_TEXT}),
    "gate-zero": ({"1.4.a": opt(SO, "1.4.a", 0), "1.4.b": 0}, set(), {"1.4": 2.5}),
    "gate-no-bad-count": ({"1.4.a": opt(SO, "1.4.a", 1), "1.4.b": "abc"}, set(), {"1.4": 0}),
    "gate-blank": ({"1.4.b": 20}, set(), {"1.4": 0}),
    "count-blank": ({"1.4.a": opt(SO, "1.4.a", 0)}, set(), {"1.4": 0}),
    "blank": ({}, set(), {"1.1": 0, "3.4": 0, "6.1": 0, "6.13": 0, "5.1": layout.MIN_MAX_TEXT}),
}

HUYEN_SCENARIOS = {
    "cap": ({
        "8.5.a": 25, "8.5.b": 30, "1.5": opt(HUYEN, "1.5", 0), "9.1": opt(HUYEN, "9.1", 1),
        "4.3.a": 1, "4.3.b": 2, "4.3.c": 3, "4.3.d": 4, "4.3.e": 20, "4.3.f": 20,
        "4.7.a": 2, "4.7.b": 5, "7.1.a": 1, "7.1.b": 2, "8.2.a": 3, "8.2.b": 6,
        "6.2.a": 3, "6.2.b": 1, "6.2.c": 2, "6.2.d": 1, "6.3.a": 10, "6.3.b": 1, "6.3.c": 2,
    }, set(), {
        "8.5": 20, "1.5": 20, "9.1": 10, "4.3": 2.5, "4.7": 4, "7.1": 30, "8.2": 50 / 3, "6.2": 7.5, "6.3": 12,
    }),
    "cap-7": ({"8.5.a": 7, "8.5.b": 10, "7.2.a": 4, "7.2.b": 5, "9.1": opt(HUYEN, "9.1", 2)}, {"9.1"},
              {"8.5": 7, "9.1": 20, "7.2": 30}),
    "over": ({"8.5.a": 12, "8.5.b": 10, "4.7.a": 5, "4.7.b": 10}, set(), {"8.5": ERROR_TEXT, "4.7": 5}),
    "total-blank": ({"8.5.a": 5, "5.1.a": 4}, {"5.1"}, {"8.5": 5, "5.1": 10}),
    "count-blank": ({"8.5.b": 10}, set(), {"8.5": 0}),
    "blank": ({}, set(), {"8.5": 0, "9.1": 0}),
}


def long_value(field, value) -> str:
    """As a unit would write it in the long format (a bare number in a percent field means points)."""
    if value is None:
        return ""
    if field.type == "percent" and not isinstance(value, str):
        return f"{value * 100:g}%"
    return str(value)


def engine_scores(indicator_set, scenarios):
    """(scenario, criterion) → (points, status) from the engine, one unit per scenario."""
    rows = []
    for name, (values, na, _) in scenarios.items():
        # The item's own "không áp dụng" row, as the workbook's N/A cell gives it: it stands
        # whatever the item's fields hold (N/A typed beside a figure would be an error).
        for criterion_id in sorted(na):
            rows.append((name, criterion_id + layout.NA_SUFFIX, layout.NA_LABEL))
        for field_id, field in indicator_set.fields.items():
            rows.append((name, field_id, long_value(field, values.get(field_id))))
    scores = score_rows(indicator_set, long_rows(rows)).scores
    return {(r.unit_code, r.criterion): (r.verified_score, r.status) for r in scores.itertuples()}


def fill(path, values, na):
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.INPUT_SHEET]
    found = rows_by_id(ws)
    for field_id, value in values.items():
        ws.cell(found[field_id][0], COL["value"]).value = value
    for criterion_id in na:
        ws.cell(found[criterion_id + layout.NA_SUFFIX][0], COL["value"]).value = layout.NA_LABEL
    wb.save(path)


# LibreOffice keeps the cached results of formulas by default ("never recalculate"
# Excel 2007+ files); openpyxl drops them on save, which already forces a
# recalculation, but the profile setting makes the test independent of that.
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalculate(files, out_dir, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        # CI installs LibreOffice and sets this, so the check cannot silently vanish there.
        if os.environ.get("DTI_REQUIRE_LIBREOFFICE"):
            pytest.fail("LibreOffice (soffice) is required here but not installed")
        pytest.skip("LibreOffice (soffice) không có trên máy")
    profile = tmp_path / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out_dir), *map(str, files)],
                   check=True, capture_output=True, timeout=600)
    return [out_dir / f.name for f in files]


def self_scores(path):
    ws = openpyxl.load_workbook(path, data_only=True)[layout.INPUT_SHEET]
    return {key[: -len(layout.NA_SUFFIX)]: ws.cell(rows[0], COL["self_score"]).value
            for key, rows in rows_by_id(ws).items() if key.endswith(layout.NA_SUFFIX)}


@pytest.mark.parametrize("indicator_set, scenarios", [(SO, SO_SCENARIOS), (HUYEN, HUYEN_SCENARIOS)], ids=["so", "huyen"])
def test_self_score_matches_engine(indicator_set, scenarios, tmp_path):
    unit = unit_for(indicator_set)
    files = []
    for name, (values, na, _) in scenarios.items():
        path = write_template(indicator_set, unit, PERIOD, tmp_path / "in" / f"{name}.xlsx")
        fill(path, values, na)
        files.append(path)
    (tmp_path / "out").mkdir()
    recalculated = recalculate(files, tmp_path / "out", tmp_path)
    engine = engine_scores(indicator_set, scenarios)

    for (name, (_, _, by_hand)), path in zip(scenarios.items(), recalculated):
        got = self_scores(path)
        assert set(got) == {c.id for c in indicator_set.criteria}
        for criterion in indicator_set.criteria:
            points, status = engine[(name, criterion.id)]
            if isinstance(criterion.rule, MinMaxRule) and status != "not-applicable":
                expected = layout.MIN_MAX_TEXT
            elif status == "invalid":
                assert math.isnan(points)
                expected = ERROR_TEXT
            else:
                expected = pytest.approx(points, abs=1e-6)
            assert got[criterion.id] == expected, (name, criterion.id, status)
        for criterion_id, value in by_hand.items():
            expected = value if isinstance(value, str) else pytest.approx(value, abs=1e-6)
            assert got[criterion_id] == expected, (name, criterion_id)


# --- sheets of the forms that report rather than score --------------------------------------

def input_rows(path):
    ws = openpyxl.load_workbook(path)[layout.INPUT_SHEET]
    return ws, [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]


def test_task_sheet_has_its_own_columns_and_reads_back(tmp_path):
    registry = builtin_registry()
    plan = get_form("kh68-nhiem-vu")
    path = write_plan_template(plan, registry.by_code()["so-tttt"], registry, "2021-Q2", tmp_path / "t.xlsx",
                               values={"3.trang-thai": "Hoàn thành", "3.ngay-hoan-thanh": "15/04/2021"})
    ws, rows = input_rows(path)
    assert rows[2][0] == "Kỳ báo cáo: Quý II năm 2021"   # the period in words, not "2021-Q2"
    assert rows[layout.HEADER_ROW] == ["STT", "Nhiệm vụ, nội dung báo cáo", "Thời hạn hoàn thành", layout.HEADER["value"],
                                       layout.HEADER["note"], layout.HEADER["field_id"]]
    # no points, method or self-score column: nothing to leave empty
    assert not {"Điểm tối đa", "Cách xác định và tính điểm", "Điểm tự chấm"} & set(rows[layout.HEADER_ROW])
    task = next(i for i, r in enumerate(rows) if r[0] == "3")
    assert rows[task][2] == "Thời hạn: Trình Ủy ban nhân dân thành phố kế hoạch trong tháng 04/2021."  # as Phụ lục 1 writes it
    assert [r[5] for r in rows[task + 1:task + 5]] == ["3.trang-thai", "3.ngay-hoan-thanh", "3.van-ban", "3.kho-khan"]
    assert rows[task + 1][3] == "Hoàn thành"
    # the technical id: a narrow grey column in small type
    id_cell = ws.cell(task + 2, 6)
    assert ws.column_dimensions["F"].width < 15 and id_cell.font.sz == 9 and id_cell.font.color.rgb.endswith("7F7F7F")
    submission = read_submission(path, tmp_path, registry, "2021-Q2", catalog=forms_catalog())
    assert submission.status == "accepted"
    assert {r[1]: r[2] for r in submission.records}["3.trang-thai"] == "Hoàn thành"


def test_target_sheet_shows_each_target_beside_its_row(tmp_path):
    target_set = get_form("hcm-chi-tieu-2023")
    unit = builtin_registry().by_code()["cuc-thong-ke"]
    ws, rows = input_rows(write_target_template(target_set, unit, "2023", tmp_path / "t.xlsx"))
    assert rows[2][0] == "Kỳ báo cáo: Năm 2023"
    assert rows[layout.HEADER_ROW][:3] == ["STT", "Chỉ tiêu, số liệu báo cáo", "Chỉ tiêu cần đạt"]
    # the statistics office reports target 25 only: its row, its target, its one figure
    row = next(i for i, r in enumerate(rows) if r[0] == "25")
    assert rows[row][2] == "Đạt 19%" and rows[row + 1][5] == "25"
