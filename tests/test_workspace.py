"""A workspace: created by `init`, found from any folder inside it, a period run by its name;
outside a workspace every command still needs its options."""

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from dti_report.batch.store import SCHEMA_VERSION, Store
from dti_report.batch.workspace import WorkspaceError, find_workspace, load_workspace
from dti_report.cli import main
from dti_report.pipeline import init_workspace

from workspace_helpers import at, drop, flat, make_workspace, sample


def test_init_lays_out_a_workspace_a_clerk_understands(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "cds"), "--name", "Tổng hợp chuyển đổi số"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "cds"
    for name in ("README.md", "dti-report.yaml", "danh-muc-don-vi.yaml", "cai-dat-bao-cao.yaml", "bieu-mau-rieng",
                 "mau-bao-cao", "bieu-mau-trong", "hop-thu", "ket-qua", "kho-du-lieu/kho.sqlite"):
        assert (root / name).exists(), name
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "# Tổng hợp chuyển đổi số" in readme and "dti-report run 2026-11" in readme
    settings = yaml.safe_load((root / "dti-report.yaml").read_text(encoding="utf-8"))
    assert settings["name"] == "Tổng hợp chuyển đổi số" and settings["time_zone"] == "Asia/Ho_Chi_Minh"
    ws = load_workspace(root)
    assert ws.registry().id == "hcm-2023"
    with Store.open(ws.store_path) as store:
        assert store.version == SCHEMA_VERSION
    again = CliRunner().invoke(main, ["init", str(root)])
    assert again.exit_code != 0 and "đã là một không gian làm việc" in flat(again.output)


def test_a_workspace_is_found_from_any_folder_inside_it(tmp_path, monkeypatch):
    ws = make_workspace(tmp_path)
    deep = ws.root / "hop-thu" / "2023" / "con"
    deep.mkdir(parents=True)
    assert find_workspace(deep).root == ws.root
    assert find_workspace(tmp_path) is None
    drop(ws, "2023", [sample("so-gtvt")], at("2024-01-05 08:00"))
    monkeypatch.chdir(deep)
    result = CliRunner().invoke(main, ["run", "2023", "--workers", "1"])
    assert result.exit_code == 0, result.output
    totals = pd.read_csv(ws.results("2023") / "hcm-dti-so" / "totals.csv")
    assert list(totals["unit_code"]) == ["so-gtvt"]
    assert "Đọc 1 tệp mới; 0 tệp đã có trong kho dữ liệu" in flat(result.output)


def test_outside_a_workspace_run_still_needs_its_options(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["run", "2023"])
    assert result.exit_code != 0 and "Thiếu tùy chọn bắt buộc --inputs" in flat(result.output)
    missing = CliRunner().invoke(main, ["run", "--inputs", str(tmp_path), "--out", str(tmp_path / "o")])
    assert missing.exit_code != 0 and "--period" in flat(missing.output)


def test_a_period_without_its_inbox_is_named(tmp_path, monkeypatch):
    ws = make_workspace(tmp_path)
    monkeypatch.chdir(ws.root)
    result = CliRunner().invoke(main, ["run", "2026-11"])
    assert result.exit_code != 0
    assert "chưa có hộp thư" in flat(result.output) and "2026-11" in flat(result.output)


def test_deadlines_in_the_settings_are_days_per_set_and_period(tmp_path):
    ws = make_workspace(tmp_path, deadlines='deadlines:\n  hcm-dti-so:\n    "2023": 15/01/2024\n'
                                           '  hcm-chi-tieu-2023:\n    "2026-11": 2026-12-05\n')
    assert str(ws.deadlines_for("2023")["hcm-dti-so"]) == "2024-01-15"
    assert str(ws.deadlines_for("2026-11")["hcm-chi-tieu-2023"]) == "2026-12-05"
    bad = ws.root / "dti-report.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("15/01/2024", "31/02/2024"), encoding="utf-8")
    with pytest.raises(WorkspaceError) as err:
        load_workspace(ws.root)
    assert "không phải ngày" in str(err.value)


def test_templates_in_a_workspace_go_to_its_blanks_and_keep_the_deadline(tmp_path, monkeypatch):
    ws = make_workspace(tmp_path)
    monkeypatch.chdir(ws.root)
    result = CliRunner().invoke(main, ["templates", "--set", "hcm-dti-so", "--period", "2026", "--unit", "so-tttt",
                                       "--deadline", "15/01/2027"])
    assert result.exit_code == 0, result.output
    assert (ws.blanks("2026") / "so-tttt_hcm-dti-so_2026.xlsx").is_file()
    assert ws.inbox("2026").is_dir()
    with Store.open(ws.store_path) as store:
        assert str(store.deadlines("2026")["hcm-dti-so"]) == "2027-01-15"


def test_init_refuses_a_file(tmp_path):
    target = tmp_path / "tep"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(WorkspaceError):
        init_workspace(target)


def test_a_template_in_the_overrides_folder_replaces_the_shipped_one(tmp_path):
    from dti_report.in_force import workspace_settings

    ws = make_workspace(tmp_path)
    assert workspace_settings(ws).templates.report is None
    own = ws.root / "mau-bao-cao" / "phieu-ket-qua-dti.docx"
    own.write_bytes(b"PK")
    settings = workspace_settings(ws)
    assert settings.templates.scorecard == own and settings.templates.report is None


def test_report_in_a_workspace_renders_the_latest_period_again(tmp_path, monkeypatch):
    ws = make_workspace(tmp_path)
    drop(ws, "2023", [sample("so-gtvt")], at("2024-01-05 08:00"))
    monkeypatch.chdir(ws.root)
    assert CliRunner().invoke(main, ["run", "2023", "--workers", "1"]).exit_code == 0
    (ws.results("2023") / "bao-cao-ket-qua-dti-hcm-dti-so-2023.docx").unlink()
    result = CliRunner().invoke(main, ["report"])
    assert result.exit_code == 0, result.output
    assert (ws.results("2023") / "bao-cao-ket-qua-dti-hcm-dti-so-2023.docx").is_file()
