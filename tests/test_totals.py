"""Totals, ranks, and the two scorings (Tự đánh giá / Kết quả đánh giá)."""

import pytest

from conftest import codes, points, row_of, run_score
from dti_report.kinds import get_form


def perfect_rows(set_id, unit="u"):
    """Data that earns every criterion's maximum, written from the decision's rules:
    every count 20 (ratios 20/20 = 100%, 1.4 ≥ 20 posts, huyện 8.5: 20 activities),
    every yes/no "Có", every choice its first option, 6.13 from 50% to 80%;
    where four counts share a denominator of two, (10+10+10+10)/(20+20) = 100%."""
    special = {"6.13.a": "80%", "6.13.b": "50%"}
    if set_id == "hcm-dti-so":
        special.update({f"4.1.{k}": "10" for k in "abcd"})
    else:
        special.update({f"4.3.{k}": "10" for k in "abcd"})
        special["6.3.a"] = "40"  # (b + c) / a = (20 + 20) / 40
    rows = []
    for field_id, field in get_form(set_id).fields.items():
        value = special.get(field_id, {"integer": "20", "yes-no": "Có", "choice": "1"}.get(field.type))
        rows.append((unit, field_id, value))
    return rows


def test_perfect_department_scores_330():
    result = run_score("hcm-dti-so", perfect_rows("hcm-dti-so"))
    totals = result.totals.set_index("unit_code")
    assert totals.loc["u", "total"] == 330
    assert [totals.loc["u", i] for i in "123456"] == [40, 25, 70, 30, 35, 130]
    assert codes(result) == []


def test_perfect_district_scores_660():
    result = run_score("hcm-dti-huyen", perfect_rows("hcm-dti-huyen"))
    totals = result.totals.set_index("unit_code")
    assert totals.loc["u", "total"] == 660
    assert [totals.loc["u", i] for i in "123456789"] == [60, 50, 70, 60, 35, 185, 90, 90, 20]


def test_rank_ties_share_rank():
    # 1.1 (10/5/0) + 2.1 (5/0) give totals 15, 10, 10, 0
    rows = [("a", "1.1", "1"), ("a", "2.1", "Có"),
            ("b", "1.1", "1"), ("b", "2.1", "Không"),
            ("c", "1.1", "2"), ("c", "2.1", "Có"),
            ("d", "1.1", "3"), ("d", "2.1", "Không")]
    totals = run_score("hcm-dti-so", rows).totals
    assert list(totals.unit_code) == ["a", "b", "c", "d"]
    assert list(totals.total) == [15, 10, 10, 0]
    assert list(totals["rank"]) == [1, 2, 2, 4]


def test_totals_per_main_index():
    rows = [("u", "1.1", "2"), ("u", "1.2.a", "1"), ("u", "1.2.b", "4"), ("u", "6.5", "Có"), ("u", "6.1.a", "Có")]
    totals = run_score("hcm-dti-so", rows).totals.set_index("unit_code")
    assert totals.loc["u", "1"] == pytest.approx(7.5)   # 5 + 2.5
    assert totals.loc["u", "6"] == pytest.approx(18.0)  # 10 + 8
    assert totals.loc["u", "total"] == pytest.approx(25.5)


def test_invalid_criterion_adds_nothing_and_is_counted():
    rows = [("u", "1.1", "1"), ("u", "1.2.a", "5"), ("u", "1.2.b", "0")]
    totals = run_score("hcm-dti-so", rows).totals.set_index("unit_code")
    assert totals.loc["u", "total"] == 10 and totals.loc["u", "invalid"] == 1


def test_verified_applies_overrides_and_keeps_self():
    rows = [("a", "1.2.a", "3"), ("a", "1.2.b", "4"), ("b", "1.1", "1")]
    overrides = [("a", "1.2.a", "2", "Biên bản họp chỉ có 2 cuộc do Giám đốc chủ trì")]
    result = run_score("hcm-dti-so", rows, overrides)
    assert points(result, "a", "1.2", "self_score") == 7.5
    assert points(result, "a", "1.2", "verified_score") == 5.0
    assert row_of(result, "a", "1.2").self_ratio == 0.75 and row_of(result, "a", "1.2").ratio == 0.5
    totals = result.totals.set_index("unit_code")
    assert (totals.loc["a", "self_total"], totals.loc["a", "total"]) == (7.5, 5.0)
    assert (totals.loc["a", "self_rank"], totals.loc["a", "rank"]) == (2, 2)
    assert (totals.loc["b", "self_rank"], totals.loc["b", "rank"]) == (1, 1)


def test_verified_fixes_an_invalid_self_value():
    rows = [("a", "1.2.a", "5"), ("a", "1.2.b", "0")]
    result = run_score("hcm-dti-so", rows, [("a", "1.2.b", "5", "Sở TTTT xác minh: 5 cuộc họp")])
    assert row_of(result, "a", "1.2").self_status == "invalid"
    assert points(result, "a", "1.2") == 10.0


def test_override_without_reason_is_refused():
    rows = [("a", "1.2.a", "3"), ("a", "1.2.b", "4")]
    result = run_score("hcm-dti-so", rows, [("a", "1.2.a", "1", "")])
    assert points(result, "a", "1.2") == 7.5
    issue = next(i for i in result.issues if i.code == "override-without-reason")
    assert (issue.file, issue.cell, issue.unit, issue.field) == ("dieu-chinh.csv", "dòng 2", "a", "1.2.a")


def test_override_for_unknown_unit_is_ignored():
    result = run_score("hcm-dti-so", [("a", "1.1", "1")], [("zz", "1.1", "2", "lý do")])
    assert list(result.totals.unit_code) == ["a"]
    assert "override-unknown-unit" in codes(result)


def test_min_max_is_computed_separately_for_verified():
    rows = [("a", "5.1.a", 2), ("b", "5.1.a", 6), ("c", "5.1.a", 4)]
    result = run_score("hcm-dti-so", rows, [("b", "5.1.a", "3", "Chỉ 3 hồ sơ được phê duyệt")])
    assert points(result, "c", "5.1", "self_score") == 5.0       # (4−2)/(6−2)
    assert points(result, "c", "5.1", "verified_score") == 10.0  # now the highest


def test_rows_that_do_not_belong_are_reported_and_skipped():
    rows = [("a", "1.1", "1"), ("a", "9.9", "1"), ("", "1.1", "1"), ("a", "1.1", "2"), ("a", "tt.1.5", "120")]
    result = run_score("hcm-dti-so", rows)
    assert codes(result) == ["duplicate-field", "missing-unit-code", "unknown-field"]
    duplicate = next(i for i in result.issues if i.code == "duplicate-field")
    assert duplicate.cell == "dòng 5" and duplicate.detail == "dòng 2"
    assert points(result, "a", "1.1") == 10.0  # the first value is kept
