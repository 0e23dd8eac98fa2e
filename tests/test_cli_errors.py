"""Every command's error cases: a Vietnamese message naming what is wrong, a non-zero
exit, and never a traceback or click's English."""

import json
import re

import pytest
import yaml
from click.testing import CliRunner

from dti_report.cli import main, vietnamese_usage_error
from dti_report.forms.units import builtin_registry

VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)
ENGLISH = ("Traceback", "Error:", "Usage:", "Missing option", "Invalid value", "No such", "does not exist",
           "Try '", "is a file", "requires an argument")


def cases(tmp_path):
    not_a_run = tmp_path / "trong"
    not_a_run.mkdir()
    foreign = tmp_path / "ket-qua-cu"
    foreign.mkdir()
    (foreign / "run.json").write_text(json.dumps({"period": "2023", "registry": "hcm-2023", "sets": {
        "bo-da-bo": {"version": "2019.1", "missing": []}}}), encoding="utf-8")
    (foreign / "danh-muc-don-vi.yaml").write_text((tmp_path / "units.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    a_file = tmp_path / "tep.txt"
    a_file.write_text("x", encoding="utf-8")
    bad_csv = tmp_path / "du-lieu.csv"
    bad_csv.write_text("ma,truong\n1,2\n", encoding="utf-8")
    bad_form = tmp_path / "bieu-mau.yaml"
    bad_form.write_text("kind: indicators\nid: x\n", encoding="utf-8")
    template = tmp_path / "mau.docx"
    template.write_bytes(b"PK not a docx")
    return {
        "run without a period": ["run", "--inputs", str(tmp_path), "--out", str(tmp_path / "o")],
        "run with a bad period": ["run", "--period", "20x3", "--inputs", str(tmp_path), "--out", str(tmp_path / "o")],
        "run on a missing inbox": ["run", "--period", "2023", "--inputs", str(tmp_path / "khong-co"), "--out", "o"],
        "run into a file": ["run", "--period", "2023", "--inputs", str(not_a_run), "--out", str(a_file)],
        "run into the inbox": ["run", "--period", "2023", "--inputs", str(tmp_path), "--out", str(tmp_path / "o")],
        "run awaiting an unknown set": ["run", "--period", "2023", "--inputs", str(not_a_run), "--out",
                                        str(tmp_path / "o2"), "--set", "khong-co"],
        "run with a bad workers count": ["run", "--period", "2023", "--workers", "0"],
        "unknown option": ["run", "--khong-co"],
        "unknown command": ["chay"],
        "report on a folder that is no run": ["report", "--results", str(not_a_run)],
        "report on a set no longer shipped": ["report", "--results", str(foreign)],
        "check without files": ["check"],
        "check a missing file": ["check", str(tmp_path / "khong-co.xlsx")],
        "catalog show unknown set": ["catalog", "show", "khong-co"],
        "catalog check a broken form": ["catalog", "check", str(bad_form)],
        "templates for an unknown unit": ["templates", "--set", "hcm-dti-so", "--period", "2023", "--unit", "khong-co",
                                          "--out", str(tmp_path / "m")],
        "templates for a unit the set is not for": ["templates", "--set", "hcm-dti-so", "--period", "2023", "--unit",
                                                     "q1", "--out", str(tmp_path / "m")],
        "score a file without the columns": ["score", "--set", "hcm-dti-so", "--data", str(bad_csv), "--out",
                                             str(tmp_path / "s")],
        "render without results": ["render", str(template), "--results", str(not_a_run), "--out", str(tmp_path / "r.docx")],
        "units file that is not a registry": ["run", "--period", "2023", "--inputs", str(not_a_run), "--out",
                                              str(tmp_path / "o3"), "--units", str(a_file)],
        "settings file that is not YAML settings": ["report", "--results", str(not_a_run), "--settings", str(bad_csv)],
    }


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("loi")
    (tmp / "units.yaml").write_text(yaml.safe_dump(builtin_registry().model_dump(mode="json", exclude_none=True),
                                                   allow_unicode=True), encoding="utf-8")
    return cases(tmp)




@pytest.mark.parametrize("name", [
    "run without a period", "run with a bad period", "run on a missing inbox", "run into a file", "run into the inbox",
    "run awaiting an unknown set", "run with a bad workers count", "unknown option", "unknown command",
    "report on a folder that is no run", "report on a set no longer shipped", "check without files",
    "check a missing file", "catalog show unknown set", "catalog check a broken form", "templates for an unknown unit",
    "templates for a unit the set is not for", "score a file without the columns", "render without results",
    "units file that is not a registry", "settings file that is not YAML settings",
])
def test_error_case_is_vietnamese_and_fails(folder, name):
    args = folder[name]
    result = CliRunner().invoke(main, args)
    text = result.output
    assert result.exit_code != 0, text
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Lỗi" in text or "lỗi" in text, text
    assert VIETNAMESE.search(text), text
    assert not any(word in text for word in ENGLISH), text


def test_click_messages_are_translated():
    assert vietnamese_usage_error("Missing option '--period'.") == "Thiếu tùy chọn bắt buộc --period."
    assert vietnamese_usage_error("No such command 'chay'.") == "Không có lệnh 'chay'."
    assert "là một tệp" in vietnamese_usage_error("Invalid value for '--out': Directory 'x' is a file.")


def test_debug_shows_the_traceback_of_an_unexpected_error(monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("x")

    monkeypatch.setattr("dti_report.checking.check_file", broken)
    plain = CliRunner().invoke(main, ["check", __file__])
    assert plain.exit_code == 1 and "--debug" in plain.output and "Traceback" not in plain.output
    debug = CliRunner().invoke(main, ["--debug", "check", __file__])
    assert isinstance(debug.exception, ZeroDivisionError)
