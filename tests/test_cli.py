"""The command line, run through click's CliRunner in a temporary folder."""

import json

import pandas as pd
from click.testing import CliRunner

from dti_report.cli import main


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_catalog_list():
    result = CliRunner().invoke(main, ["catalog", "list"])
    assert result.exit_code == 0
    assert "hcm-dti-so" in result.output and "hcm-dti-huyen" in result.output


def test_catalog_show_json_keeps_decision_order():
    result = CliRunner().invoke(main, ["catalog", "show", "hcm-dti-huyen", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    criteria = [c for index in data["indices"] for c in index["criteria"]]
    assert len(criteria) == 51 and data["total_points"] == 660
    c91 = next(c for c in criteria if c["id"] == "9.1")
    assert [o["label"] for o in c91["fields"][0]["options"]] == ["Đã triển khai", "Đang triển khai", "Chưa triển khai"]
    assert c91["rule"]["kind"] == "choice"


def test_catalog_show_text():
    result = CliRunner().invoke(main, ["catalog", "show", "hcm-dti-so"])
    assert result.exit_code == 0 and "6.14" in result.output and "Ghi chú áp dụng" in result.output


def test_unknown_set_fails_in_vietnamese(tmp_path):
    data = write(tmp_path / "d.csv", "unit_code,field,value\nu,1.1,1\n")
    result = CliRunner().invoke(main, ["score", "--set", "khong-co", "--data", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code != 0 and "Không có bộ chỉ số 'khong-co'" in result.output


def test_missing_file_fails(tmp_path):
    result = CliRunner().invoke(main, ["score", "--set", "hcm-dti-so", "--data", str(tmp_path / "khong.csv"), "--out", str(tmp_path / "out")])
    assert result.exit_code != 0 and "không tìm thấy tệp" in result.output


def test_wrong_columns_fail(tmp_path):
    data = write(tmp_path / "d.csv", "ma,truong,gia_tri\nu,1.1,1\n")
    result = CliRunner().invoke(main, ["score", "--set", "hcm-dti-so", "--data", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code != 0 and "thiếu cột unit_code" in result.output


def test_score_writes_scores_totals_and_issues(tmp_path):
    data = write(tmp_path / "d.csv", "\n".join([
        "unit_code,field,value",
        "a,1.1,1", "a,1.2.a,3", "a,1.2.b,4",
        "b,1.1,2", "b,1.2.a,bốn", "b,1.2.b,4",
    ]) + "\n")
    verified = write(tmp_path / "v.csv", "unit_code,field,value,reason\nb,1.2.a,4,Biên bản họp số 12\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["score", "--set", "hcm-dti-so", "--data", str(data), "--verified", str(verified), "--out", str(out)])
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out / "scores.csv", dtype={"criterion": str, "index": str})
    assert {"unit_code", "criterion", "max_points", "ratio", "self_score", "verified_score", "status"} <= set(scores.columns)
    assert len(scores) == 2 * 32
    b12 = scores[(scores.unit_code == "b") & (scores.criterion == "1.2")].iloc[0]
    assert b12.self_status == "invalid" and b12.status == "scored" and b12.verified_score == 10.0
    totals = pd.read_csv(out / "totals.csv")
    assert list(totals.columns[:8]) == ["unit_code", "1", "2", "3", "4", "5", "6", "total"]
    assert "rank" in totals.columns
    # a: 10 + 7.5; b: 5 + 10 verified
    assert dict(zip(totals.unit_code, totals.total)) == {"a": 17.5, "b": 15.0}
    issues = pd.read_csv(out / "issues.csv")
    bad = issues[issues.code == "not-a-number"].iloc[0]
    assert (bad.file, bad.cell, bad.unit, bad.field) == ("d.csv", "dòng 6", "b", "1.2.a")


def test_score_reads_xlsx(tmp_path):
    path = tmp_path / "d.xlsx"
    pd.DataFrame({"unit_code": ["a", "a"], "field": ["1.2.a", "1.2.b"], "value": ["1", "2"]}).to_excel(path, index=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["score", "--set", "hcm-dti-so", "--data", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out / "scores.csv", dtype={"criterion": str})
    assert scores[scores.criterion == "1.2"].iloc[0].verified_score == 5.0
