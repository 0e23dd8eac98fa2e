"""The catalog against the decision's own structure and counts (QĐ 79, section II.1)."""

import unicodedata
from pathlib import Path

import pytest
import yaml

from dti_report.forms.catalog import CatalogError, UnknownFormError
from dti_report.forms.rules import ChoiceRule
from dti_report.kinds import catalog, get_form
from dti_report.kinds import load_form_file as load_set_file

SETS_DIR = Path(__file__).resolve().parents[1] / "dti_report" / "data" / "forms"


def test_department_set_matches_decision_table():
    s = get_form("hcm-dti-so")
    assert (len(s.indices), len(s.criteria), s.total_points) == (6, 32, 330)
    assert [i.max_points for i in s.indices] == [40, 25, 70, 30, 35, 130]
    assert [len(i.criteria) for i in s.indices] == [4, 3, 4, 3, 4, 14]
    assert [i.name for i in s.indices][:2] == ["Nhận thức số", "Thể chế số"]
    assert s.source.decision == "79/QĐ-UBND" and s.source.appendix == "Phụ lục I"


def test_district_set_matches_decision_table():
    s = get_form("hcm-dti-huyen")
    assert (len(s.indices), len(s.criteria), s.total_points) == (9, 51, 660)
    assert [i.max_points for i in s.indices] == [60, 50, 70, 60, 35, 185, 90, 90, 20]
    assert [len(i.criteria) for i in s.indices] == [5, 6, 4, 7, 4, 16, 3, 5, 1]
    assert s.indices[8].name == "Đô thị thông minh"


def test_criterion_ids_and_points_follow_the_decision():
    s = get_form("hcm-dti-so")
    assert [c.id for c in s.indices[5].criteria] == [f"6.{n}" for n in range(1, 15)]
    assert s.criterion("3.3").max_points == 30 and s.criterion("6.4").max_points == 5
    h = get_form("hcm-dti-huyen")
    assert h.criterion("6.15").max_points == 20 and h.criterion("8.5").max_points == 20


def test_field_id_conventions():
    s = get_form("hcm-dti-so")
    fields = s.fields
    assert {"1.2.a", "1.2.b", "4.1.f", "6.3.d", "3.1.a", "3.1.b", "1.4.a", "1.4.b", "6.1.a", "6.1.b"} <= set(fields)
    assert fields["1.1"].type == "choice" and fields["6.5"].type == "yes-no"
    assert [o.fraction for o in fields["1.1"].options] == [1, 0.5, 0]
    assert fields["1.1"].options[0].label == "Trưởng ban là Giám đốc Sở/Ban/Ngành"
    assert "8.5.a" in get_form("hcm-dti-huyen").fields


def test_errata_and_edges_are_decided_in_the_catalog():
    h = get_form("hcm-dti-huyen")
    set_notes = {n.id for n in h.notes}
    assert "tong-diem-660" in set_notes
    assert any(n.id == "3.3-150-diem" for n in h.criterion("3.3").notes)
    s = get_form("hcm-dti-so")
    for criterion in ("3.1", "3.2", "3.3", "6.13"):
        assert s.criterion(criterion).notes, criterion
    assert h.criterion("6.13").notes


def test_method_text_is_kept():
    c = get_form("hcm-dti-so").criterion("6.4")
    assert "Tỷ lệ ≥ 90%: Điểm tối đa" in c.method


def test_all_text_is_nfc():
    for path in SETS_DIR.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), path.name


def test_choice_rules_point_to_choice_fields():
    for s in catalog().latest():
        for c in getattr(s, "criteria", ()):
            if isinstance(c.rule, ChoiceRule):
                assert s.fields[c.rule.field].type in ("choice", "yes-no")


def _broken_copy(tmp_path, mutate):
    raw = yaml.safe_load((SETS_DIR / "hcm-dti-so-2023.yaml").read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "bo-loi.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_component_sum_mismatch_names_file_and_path(tmp_path):
    path = _broken_copy(tmp_path, lambda raw: raw["indices"][0]["criteria"][1].update(max_points=15))
    with pytest.raises(CatalogError) as err:
        load_set_file(path)
    assert err.value.source == "bo-loi.yaml" and err.value.path == "indices[0] (1)"


def test_count_mismatch_is_caught(tmp_path):
    path = _broken_copy(tmp_path, lambda raw: raw["expected"].update(criteria=33))
    with pytest.raises(CatalogError) as err:
        load_set_file(path)
    assert err.value.path == "expected.criteria"


def test_schema_error_names_the_path(tmp_path):
    path = _broken_copy(tmp_path, lambda raw: raw["indices"][1]["criteria"][0].update(rule={"kind": "eval", "expr": "a/b"}))
    with pytest.raises(CatalogError) as err:
        load_set_file(path)
    assert err.value.path.startswith("indices[1].criteria[0].rule")


def test_rule_must_use_declared_fields(tmp_path):
    path = _broken_copy(tmp_path, lambda raw: raw["indices"][0]["criteria"][1]["rule"].update(numerator=["1.2.z"]))
    with pytest.raises(CatalogError) as err:
        load_set_file(path)
    assert "1.2.z" in str(err.value)


def test_unknown_set():
    with pytest.raises(UnknownFormError) as err:
        get_form("khong-co")
    assert "hcm-dti-so" in str(err.value)
