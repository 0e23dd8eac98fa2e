"""A quarter's batch over KH 68 agency workbooks: task standings worked out by hand."""

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import KH68_Q2_REPORTS as REPORTS
from dti_report.pipeline import run_batch
from dti_report.kinds import get_form
from dti_report.cli import main
from dti_report.workbook.layout import template_file_name
from dti_report.evaluation.plans import task_report
from dti_report.workbook.plan_templates import write_plan_template
from dti_report.evaluation.tasks import IN_PROGRESS, INVALID_REPORT, LATE, NO_REPORT, ON_TIME, OVERDUE
from dti_report.forms.units import builtin_registry

PLAN = get_form("kh68-nhiem-vu")
REG = builtin_registry()
PERIOD = "2021-Q2"


EXPECTED = {"3": ON_TIME, "7": ON_TIME, "15": ON_TIME,  # 15: "Đã ban hành"
            "8": LATE, "11": OVERDUE, "2": IN_PROGRESS, "6": IN_PROGRESS, "1": IN_PROGRESS,
            "9": NO_REPORT}  # hạn tháng 02/2020, nobody reported


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    root = tmp_path_factory.mktemp("kh68")
    by_unit = REG.by_code()
    for unit, values in REPORTS.items():
        write_plan_template(PLAN, by_unit[unit], REG, PERIOD, root / template_file_name(unit, PLAN.id, PERIOD), values=values)
    return root


def test_quarter_standings(inbox):
    batch = run_batch(inbox, PERIOD, REG, workers=1)
    assert {s.status for s in batch.submissions} == {"accepted"}
    report = task_report(PLAN, batch.plans[PLAN.id], REG, PERIOD)
    standing = {s.task.id: s.standing for s in report.standings}
    for task_id, expected in EXPECTED.items():
        assert standing[task_id] == expected, task_id
    assert report.counts == {ON_TIME: 3, LATE: 1, IN_PROGRESS: 3, OVERDUE: 1, NO_REPORT: 22, INVALID_REPORT: 0}
    assert report.proposals() == [("6", "Sở Thông tin và Truyền thông", "Đề nghị bổ sung kinh phí năm 2021")]
    by_agency = report.by_agency().set_index("unit_code")
    assert by_agency.loc["so-noi-vu", IN_PROGRESS] == 1
    assert (by_agency.loc["so-tttt", ON_TIME], by_agency.loc["so-tttt", LATE], by_agency.loc["so-tttt", OVERDUE]) == (3, 1, 1)


def test_cli_writes_task_tables(inbox, tmp_path):
    result = CliRunner().invoke(main, ["run", "--period", PERIOD, "--inputs", str(inbox), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / PLAN.id / "tien-do-nhiem-vu.csv", dtype={"task": str})
    assert len(table) == 30
    row = table[table.task == "3"].iloc[0]
    assert row.documents == "Kế hoạch số 1/KH-STTTT ngày 15/4/2021"
    agencies = pd.read_csv(tmp_path / PLAN.id / "theo-don-vi-chu-tri.csv")
    assert "so-tttt" in set(agencies.unit_code)
