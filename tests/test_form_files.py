"""Form files written by a province: the shipped JSON Schema matches the models and
accepts every built-in file; `catalog check` reports every problem at once; several
versions of one set coexist and a period picks the one that applies to it."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from dti_report.cli import main
from dti_report.forms.catalog import Catalog
from dti_report.kinds import MODELS, check_files, form_schema

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "dti_report" / "data" / "forms"
SHIPPED = ROOT / "dti_report" / "data" / "form-schema.json"


def test_shipped_schema_is_the_models_schema():
    """Regenerate with `dti-report catalog schema > dti_report/data/form-schema.json`."""
    assert json.loads(SHIPPED.read_text(encoding="utf-8")) == form_schema()


@pytest.mark.parametrize("path", sorted(FORMS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_builtin_form_file_satisfies_the_schema(path):
    raw = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
    errors = list(jsonschema.Draft202012Validator(form_schema()).iter_errors(raw))
    assert errors == []


def test_schema_refuses_what_the_loader_refuses():
    validator = jsonschema.Draft202012Validator(form_schema())
    assert list(validator.iter_errors({"kind": "tasks", "id": "x"}))   # version, title, source… missing
    assert list(validator.iter_errors({"kind": "khong-co", "id": "x"}))


def test_catalog_check_lists_every_problem(tmp_path):
    raw = yaml.safe_load((FORMS / "hcm-dti-so-2023.yaml").read_text(encoding="utf-8"))
    raw["total_points"] = "ba trăm"
    raw["indices"][0]["criteria"][0]["max_points"] = -1
    del raw["title"]
    path = tmp_path / "loi.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    problems = check_files([path])
    assert {p.path for p in problems} >= {"total_points", "indices[0].criteria[0].max_points", "title"}
    assert all(p.source == str(path) for p in problems)
    result = CliRunner().invoke(main, ["catalog", "check", str(path)])
    assert result.exit_code == 1 and "thiếu mục bắt buộc" in result.output and "phải là số" in result.output


def _version(tmp_path: Path, version: str, applies_from: str | None, label: str) -> None:
    raw = yaml.safe_load((FORMS / "hcm-dti-so-2023.yaml").read_text(encoding="utf-8"))
    raw.update(id="tinh-dti-so", version=version)
    if applies_from:
        raw["applies_from"] = applies_from
    raw["indices"][0]["criteria"][0]["fields"][0]["options"][0]["label"] = label
    (tmp_path / f"tinh-dti-so-{version}.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")


def test_versions_coexist_and_the_period_picks_the_one_that_applies(tmp_path):
    _version(tmp_path, "2024.1", None, "Trưởng ban là Giám đốc Sở")
    _version(tmp_path, "2025.1", "2025", "Trưởng ban là Giám đốc Sở hoặc Phó Giám đốc phụ trách")
    catalog = Catalog(MODELS)
    assert catalog.load_dir(tmp_path) == []
    assert sorted(catalog.forms["tinh-dti-so"]) == ["2024.1", "2025.1"]
    assert catalog.get("tinh-dti-so").version == "2025.1"
    assert catalog.for_period("tinh-dti-so", "2024-Q4").version == "2024.1"
    assert catalog.for_period("tinh-dti-so", "2025").version == "2025.1"
    assert catalog.for_period("tinh-dti-so", "2026-03").version == "2025.1"
