"""Sở TTTT's adjustments with an audit trail: who and when, a later adjustment of a field
supersedes the earlier one and both stay listed; the reports give the reason beside the
criterion; the --verified file still works outside a workspace."""

import docx
import pandas as pd
import pytest
from click.testing import CliRunner

from dti_report.batch.store import Store
from dti_report.cli import main

from workspace_helpers import at, drop, flat, make_workspace, run, sample


def overrides(path, value, reason):
    pd.DataFrame([{"unit_code": "so-gtvt", "field": "2.1", "value": value, "reason": reason}]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def adjusted(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("dieu-chinh"))
    drop(ws, "2023", [sample("so-gtvt"), sample("hepza")], at("2024-01-05 08:00"))
    run(ws, "2023", at("2024-01-10 09:00"))
    runner = CliRunner()
    first = runner.invoke(main, ["--workspace", str(ws.root), "verify", str(overrides(ws.root / "a.csv", "có",
                          "Có quyết định ban hành kế hoạch số 12/KH-SGTVT")), "--period", "2023", "--by", "Nguyễn Văn A"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(main, ["--workspace", str(ws.root), "verify", str(overrides(ws.root / "b.csv", "không",
                           "Kế hoạch 12/KH-SGTVT là kế hoạch năm 2022, không phải năm đánh giá")), "--period", "2023",
                           "--by", "Trần Thị B"])
    assert second.exit_code == 0, second.output
    run(ws, "2023", at("2024-01-12 09:00"))
    return ws


def test_two_adjustments_of_one_field_are_both_kept_and_the_later_applies(adjusted):
    with Store.open(adjusted.store_path) as store:
        history = store.adjustments("2023", "so-gtvt")
    assert list(history["made_by"]) == ["Nguyễn Văn A", "Trần Thị B"]
    assert list(history["value"]) == ["có", "không"]
    assert history["superseded_by"].iloc[0] == history["id"].iloc[1] and pd.isna(history["superseded_by"].iloc[1])
    scores = pd.read_csv(adjusted.results("2023") / "hcm-dti-so" / "scores.csv", dtype=str)
    row = scores[(scores["unit_code"] == "so-gtvt") & (scores["criterion"] == "2.1")].iloc[0]
    assert float(row["verified_score"]) == 0  # "không": no plan of the year
    applied = pd.read_csv(adjusted.results("2023") / "dieu-chinh.csv", dtype=str)
    assert list(applied["reason"]) == ["Kế hoạch 12/KH-SGTVT là kế hoạch năm 2022, không phải năm đánh giá"]
    assert list(applied["made_by"]) == ["Trần Thị B"] and list(applied["criterion"]) == ["2.1"]


def test_verify_list_shows_the_history(adjusted):
    result = CliRunner().invoke(main, ["--workspace", str(adjusted.root), "verify", "--list", "so-gtvt"])
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "Nguyễn Văn A" in text and "Trần Thị B" in text and "thay bằng số 2" in text and "đang áp dụng" in text
    assert "2 điều chỉnh." in text


def test_the_scorecard_gives_the_reason_beside_the_criterion(adjusted):
    card = docx.Document(adjusted.results("2023") / "phieu-ket-qua" / "so-gtvt-hcm-dti-so.docx")
    cells = [c.text for t in card.tables for r in t.rows for c in r.cells]
    assert any("(điều chỉnh: Kế hoạch 12/KH-SGTVT là kế hoạch năm 2022" in c for c in cells)
    report = "\n".join(p.text for p in docx.Document(adjusted.results("2023") / "bao-cao-ket-qua-dti-hcm-dti-so-2023.docx").paragraphs)
    assert "tiêu chí 2.1 (2.1 = không): Kế hoạch 12/KH-SGTVT là kế hoạch năm 2022" in report


def test_the_same_file_twice_records_nothing_new_and_a_row_without_reason_records_nothing(adjusted):
    runner = CliRunner()
    again = runner.invoke(main, ["--workspace", str(adjusted.root), "verify", str(adjusted.root / "b.csv"),
                                 "--period", "2023"])
    assert again.exit_code == 0 and "đã ghi 0 điều chỉnh mới" in flat(again.output)
    bad = adjusted.root / "c.csv"
    pd.DataFrame([{"unit_code": "so-gtvt", "field": "2.2", "value": "có", "reason": ""},
                  {"unit_code": "khong-co", "field": "2.2", "value": "có", "reason": "x"}]).to_csv(bad, index=False)
    refused = runner.invoke(main, ["--workspace", str(adjusted.root), "verify", str(bad), "--period", "2023"])
    assert refused.exit_code != 0
    text = flat(refused.output)
    assert "không có lý do" in text and "'khong-co' không có trong danh mục" in text
    with Store.open(adjusted.store_path) as store:
        assert len(store.adjustments()) == 2


def test_verified_outside_a_workspace_still_applies_and_is_listed(tmp_path):
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    import shutil
    shutil.copy(sample("so-gtvt"), inbox)
    result = CliRunner().invoke(main, ["run", "--period", "2023", "--inputs", str(inbox), "--out", str(tmp_path / "kq"),
                                       "--verified", str(overrides(tmp_path / "d.csv", "không", "Chưa ban hành")),
                                       "--workers", "1"])
    assert result.exit_code == 0, result.output
    applied = pd.read_csv(tmp_path / "kq" / "dieu-chinh.csv", dtype=str, keep_default_na=False)
    assert list(applied["reason"]) == ["Chưa ban hành"] and list(applied["made_by"]) == [""]


def test_verified_in_a_workspace_is_recorded_then_applied(tmp_path, monkeypatch):
    ws = make_workspace(tmp_path)
    drop(ws, "2023", [sample("so-gtvt")], at("2024-01-05 08:00"))
    monkeypatch.chdir(ws.root)
    result = CliRunner().invoke(main, ["run", "2023", "--workers", "1", "--verified",
                                       str(overrides(tmp_path / "e.csv", "không", "Chưa ban hành"))])
    assert result.exit_code == 0, result.output
    assert "Đã ghi 1 điều chỉnh mới" in flat(result.output)
    listed = CliRunner().invoke(main, ["verify", "--list"])
    assert listed.exit_code == 0 and "Chưa ban hành" in flat(listed.output) and "1 điều chỉnh." in flat(listed.output)
