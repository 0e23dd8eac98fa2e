"""The monthly batch end to end: templates generated for every sample unit,
filled by field id with openpyxl, read back, scored — and the points equal
those of `score` on the same values in long format."""

import copy
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from dti_report.batch import kept_typing
from dti_report.batch.run_folder import sorted_issues
from dti_report.pipeline import run_batch
from dti_report.pipeline import write_outputs
from dti_report.reports.settings import load_settings
from dti_report.kinds import get_form
from dti_report.cli import main
from dti_report.workbook.fill import fill_workbook
from dti_report.workbook.layout import template_file_name
from dti_report.workbook.longfile import read_long_file
from dti_report.evaluation.engine import score_self_and_verified
from dti_report.evaluation.scoring import score_long_files
from dti_report.workbook.templates import write_templates
from dti_report.forms.units import builtin_registry
from dti_report.kinds import catalog as forms_catalog

SAMPLES = Path(__file__).resolve().parents[1] / "input_samples"
SAMPLE_FILES = {"hcm-dti-so": "hcm-dti-so-2023.csv", "hcm-dti-huyen": "hcm-dti-huyen-2023.csv"}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    """Every sample unit's workbook, filled from the long-format samples."""
    root = tmp_path_factory.mktemp("batch")
    inbox = root / "inbox"
    registry = builtin_registry()
    for set_id, sample in SAMPLE_FILES.items():
        indicator_set = get_form(set_id)
        templates = write_templates(indicator_set, registry.units_for_set(set_id), "2023", root / "templates" / set_id)
        rows = read_long_file(SAMPLES / sample)
        by_unit = {u: dict(zip(g["field"], g["value"])) for u, g in rows.groupby("unit_code")}
        for template in templates:
            unit = template.name.split("_")[0]
            fill_workbook(indicator_set, template, by_unit.get(unit, {}), inbox / set_id / template.name)
    return inbox


@pytest.fixture(scope="module")
def batch(inbox):
    return run_batch(inbox, "2023", builtin_registry(), workers=1)


@pytest.mark.parametrize("set_id", sorted(SAMPLE_FILES))
def test_batch_points_equal_long_format_points(batch, set_id):
    expected = score_long_files(get_form(set_id), SAMPLES / SAMPLE_FILES[set_id]).scores
    got = batch.results[set_id].scores
    merged = expected.merge(got, on=["unit_code", "criterion"], suffixes=("_long", "_xlsx"), validate="one_to_one")
    assert len(merged) == len(expected) == len(got)
    assert (merged["self_status_long"] == merged["self_status_xlsx"]).all()
    np.testing.assert_allclose(merged["self_score_xlsx"], merged["self_score_long"], rtol=0, atol=1e-9, equal_nan=True)


def test_value_errors_found_in_workbooks_as_in_long_format(batch):
    expected = score_long_files(get_form("hcm-dti-so"), SAMPLES / SAMPLE_FILES["hcm-dti-so"]).issues
    errors = lambda issues: {(i.unit, i.criterion, i.code) for i in issues if i.severity == "error"}  # noqa: E731
    assert errors(expected) == errors(batch.results["hcm-dti-so"].issues)
    bad = next(i for i in batch.issues if i.code == "not-a-number")
    assert bad.file == "hcm-dti-so/" + template_file_name("so-gtvt", "hcm-dti-so", "2023")
    assert bad.sheet == "Nhập liệu" and bad.cell.startswith("E") and bad.field == "1.2.b"


def test_every_file_accepted_and_in_manifest(batch, inbox):
    files = sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file())
    assert sorted(s.path for s in batch.submissions) == files
    assert {s.status for s in batch.submissions} == {"accepted"}
    assert all(not batch.missing[set_id] for set_id in SAMPLE_FILES)
    # nobody sent the monitoring table's workbook in this inbox: it is not awaited unless named
    assert "hcm-chi-tieu-2023" not in batch.missing
    named = run_batch(inbox, "2023", builtin_registry(), workers=1, expect_forms=["hcm-chi-tieu-2023"])
    assert len(named.missing["hcm-chi-tieu-2023"]) == 46 + 3  # every unit with figures to report


def test_outputs_written(batch, tmp_path):
    write_outputs(batch, tmp_path, forms_catalog(), load_settings())
    manifest = pd.read_csv(tmp_path / "manifest.csv")
    assert len(manifest) == 46 and set(manifest.status) == {"accepted"}
    assert manifest.sha256.str.len().eq(64).all()
    for set_id in SAMPLE_FILES:
        totals = pd.read_csv(tmp_path / set_id / "totals.csv")
        assert list(totals["rank"])[0] == 1
    book = openpyxl.load_workbook(tmp_path / "ket-qua-tong-hop.xlsx", read_only=True)
    assert {"Xếp hạng Sở", "Xếp hạng Huyện", "Danh sách tệp", "Lỗi và cảnh báo"} <= set(book.sheetnames)
    assert len(list((tmp_path / "phan-hoi").glob("*.xlsx"))) == 46
    feedback = openpyxl.load_workbook(tmp_path / "phan-hoi" / "so-gtvt.xlsx")
    sheet = feedback[feedback.sheetnames[0]]
    highlighted = [row for row in sheet.iter_rows() if row[3].value == "1.2.b"][0][5]
    assert highlighted.value == "mười hai" and highlighted.fill.fgColor.rgb.endswith("F8CBAD")


def test_rerun_gives_same_results(inbox, batch):
    again = run_batch(inbox, "2023", builtin_registry(), workers=2)
    for set_id in SAMPLE_FILES:
        pd.testing.assert_frame_equal(again.results[set_id].totals, batch.results[set_id].totals)
    assert [s.sha256 for s in again.submissions] == [s.sha256 for s in batch.submissions]


def test_typing_a_few_units_at_a_time_changes_nothing(inbox, batch, monkeypatch):
    """A national batch types its units a group at a time: the same values, scores and
    issues (in each file's order) as typing them all together."""
    monkeypatch.setattr(kept_typing, "GROUP_SIZE", 3)
    for set_id in SAMPLE_FILES:
        assert len(kept_typing.unit_groups(batch.forms[set_id].data.units)) > 1
    for workers in (1, 2):  # the groups typed here, or in two processes
        grouped = run_batch(inbox, "2023", builtin_registry(), workers=workers)
        for set_id in SAMPLE_FILES:
            pd.testing.assert_frame_equal(grouped.forms[set_id].data.values, batch.forms[set_id].data.values)
            pd.testing.assert_frame_equal(grouped.results[set_id].scores, batch.results[set_id].scores)
        assert sorted_issues(grouped.issues) == sorted_issues(batch.issues)
    assert any(i.severity == "error" for i in batch.issues)


def restamp(path: Path, modified: str) -> None:
    """Set the save time a spreadsheet program stamps in docProps/core.xml."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts["docProps/core.xml"] = re.sub(rb"(<dcterms:modified[^>]*>)[^<]+", rb"\g<1>" + modified.encode(), parts["docProps/core.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_cli_run_newest_wins_and_junk_is_listed(inbox, tmp_path):
    small = tmp_path / "inbox"
    src = inbox / "hcm-dti-so" / template_file_name("so-tttt", "hcm-dti-so", "2023")
    (small / "a-ban-sua").mkdir(parents=True)
    (small / "b-ban-dau").mkdir()
    # The corrected copy sorts first by path but was saved later: it must win.
    fill_workbook(get_form("hcm-dti-so"), src, {"1.1": "3"}, small / "a-ban-sua" / src.name)
    restamp(small / "a-ban-sua" / src.name, "2024-01-12T09:00:00Z")
    shutil.copy(src, small / "b-ban-dau" / src.name)
    restamp(small / "b-ban-dau" / src.name, "2024-01-10T16:30:00Z")
    (small / "ghi-chu.txt").write_text("không phải biểu mẫu", encoding="utf-8")
    before = {p: p.read_bytes() for p in small.rglob("*") if p.is_file()}
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--period", "2023", "--inputs", str(small), "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = pd.read_csv(out / "manifest.csv").set_index("path")
    assert manifest.loc["ghi-chu.txt", "status"] == "ignored"
    assert manifest.loc[f"a-ban-sua/{src.name}", "status"] == "accepted"
    assert manifest.loc[f"b-ban-dau/{src.name}", "status"] == "superseded"
    issues = pd.read_csv(out / "issues.csv")
    superseded = issues[issues.code == "superseded"].iloc[0]
    assert superseded.file == f"b-ban-dau/{src.name}"
    scores = pd.read_csv(out / "hcm-dti-so" / "scores.csv", dtype={"criterion": str})
    # option 3 of 1.1 ("Chưa có Ban chỉ đạo…") = 0 points, where the older copy had option 1 = 10
    assert scores[(scores.unit_code == "so-tttt") & (scores.criterion == "1.1")].iloc[0].verified_score == 0.0
    assert "Chưa gửi" in result.output
    assert {p: p.read_bytes() for p in small.rglob("*") if p.is_file()} == before  # inputs untouched
    feedback = openpyxl.load_workbook(out / "phan-hoi" / "so-tttt.xlsx", read_only=True)
    assert len(feedback.sheetnames) == 3  # two files and the issues


def test_one_scoring_side_by_side_with_itself_is_what_two_scorings_merged_give(batch):
    """Without adjustments the self-assessed and verified scorings are one, put side by side
    without merging: the same rows, in the same order, as merging two equal scorings."""
    for set_id, result in batch.results.items():
        data = batch.forms[set_id].data
        once = score_self_and_verified(result.indicator_set, data, data)
        merged = score_self_and_verified(result.indicator_set, data, copy.copy(data))
        pd.testing.assert_frame_equal(once.scores, merged.scores)
        pd.testing.assert_frame_equal(once.totals, merged.totals)
        assert len(once.scores) > 100
