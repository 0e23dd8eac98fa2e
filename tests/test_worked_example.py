"""The README's worked example, end to end: a new decision written as a form file outside
the package, checked, turned into workbooks, filled, run and reported, with no code change.
Points computed by hand from the example's own method texts."""

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from dti_report.cli import main
from dti_report.kinds import catalog
from dti_report.workbook.fill import fill_workbook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "xa-phuong"
FORM = EXAMPLE / "bieu-mau" / "xa-phuong-2026.yaml"

VALUES = {
    # 850/1000 = 85% ≥ 80%: 30; "Đã ban hành": 30; 6 tổ ≥ 5: 20; self-assessed 15 → 95
    "p-an-phu": {"1.1.a": 850, "1.1.b": 1000, "1.2": "Đã ban hành", "2.1": 6, "2.2.diem": 15},
    # 300/500 = 60% → 60/80 × 30 = 22,5; "Đang xây dựng": 15; 3 tổ: 10; 12 → 59,5
    "x-binh-minh": {"1.1.a": 300, "1.1.b": 500, "1.2": "Đang xây dựng", "2.1": 3, "2.2.diem": 12},
    # 0/200: 0; "Chưa có": 0; 1 tổ: 0; 25 points above the maximum 20: an error, no score → 0
    "x-tan-lap": {"1.1.a": 0, "1.1.b": 200, "1.2": "Chưa có", "2.1": 1, "2.2.diem": 25},
}


def test_readme_shows_the_form_file_as_it_is():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    body = FORM.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.S)
    assert body in blocks


def test_the_example_form_is_not_in_the_package():
    assert "vi-du-xa-phuong" not in catalog()


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    work = tmp_path_factory.mktemp("vi-du")
    shutil.copytree(EXAMPLE, work / "vi-du")
    return work / "vi-du"


def test_worked_example_from_form_file_to_report(example):
    runner = CliRunner()
    forms, units = example / "bieu-mau", example / "don-vi.yaml"
    checked = runner.invoke(main, ["catalog", "check", str(forms / "xa-phuong-2026.yaml")])
    assert checked.exit_code == 0 and "hợp lệ" in checked.output

    made = runner.invoke(main, ["--forms", str(forms), "templates", "--set", "vi-du-xa-phuong", "--period", "2026",
                                "--units", str(units), "--out", str(example / "bieu-mau-trong")])
    assert made.exit_code == 0, made.output
    blank = sorted((example / "bieu-mau-trong").glob("*.xlsx"))
    assert [p.name for p in blank] == [f"{code}_vi-du-xa-phuong_2026.xlsx" for code in sorted(VALUES)]

    form = catalog((forms,)).get("vi-du-xa-phuong")
    inbox = example / "hop-thu"
    for path in blank:
        fill_workbook(form, path, VALUES[path.name.split("_")[0]], inbox / path.name)

    ran = runner.invoke(main, ["--forms", str(forms), "run", "--period", "2026", "--inputs", str(inbox),
                               "--units", str(units), "--out", str(example / "ket-qua"), "--workers", "1"])
    assert ran.exit_code == 0, ran.output
    out = example / "ket-qua"
    totals = pd.read_csv(out / "vi-du-xa-phuong" / "totals.csv", dtype={"unit_code": str}).set_index("unit_code")
    assert totals["total"].to_dict() == pytest.approx({"p-an-phu": 95.0, "x-binh-minh": 59.5, "x-tan-lap": 0.0})
    assert totals["rank"].to_dict() == {"p-an-phu": 1, "x-binh-minh": 2, "x-tan-lap": 3}
    issues = pd.read_csv(out / "issues.csv", dtype=str, keep_default_na=False)
    above = issues[issues.code == "points-above-max"]
    assert list(above.unit) == ["x-tan-lap"] and list(above.field) == ["2.2.diem"]
    assert (out / "bao-cao-ket-qua-dti-vi-du-xa-phuong-2026.docx").stat().st_size > 0
    assert len(list((out / "phieu-ket-qua").glob("*.docx"))) == 3

    # The environment variable works as --forms does.
    shown = runner.invoke(main, ["catalog", "show", "vi-du-xa-phuong"], env={"DTI_REPORT_FORMS": str(forms)})
    assert shown.exit_code == 0 and "Tổ công nghệ số" in shown.output.replace("tổ công nghệ số", "Tổ công nghệ số")
