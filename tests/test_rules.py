"""Each rule kind against points worked out by hand from QĐ 79/QĐ-UBND, Phụ lục I and II."""

import math

import pytest

from conftest import codes, points, row_of, run_score

SO, HUYEN = "hcm-dti-so", "hcm-dti-huyen"


# --- choice and yes/no -------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("1", 10.0),  # Trưởng ban là Giám đốc: điểm tối đa
    ("2", 5.0),   # Phó giám đốc: 1/2 × 10
    ("3", 0.0),   # chưa có Ban chỉ đạo
    ("Trưởng ban là Phó giám đốc Sở/Ban/Ngành", 5.0),  # the option's own label
])
def test_so_1_1_choice(value, expected):
    assert points(run_score(SO, [("u", "1.1", value)]), "u", "1.1") == expected


@pytest.mark.parametrize("value, expected", [("Có", 10.0), ("không", 0.0), ("x", 10.0), ("0", 0.0), ("1", 10.0), ("2", 0.0), ("Có sử dụng", 10.0), ("Chưa sử dụng", 0.0)])
def test_so_6_5_yes_no(value, expected):
    assert points(run_score(SO, [("u", "6.5", value)]), "u", "6.5") == expected


def test_huyen_9_1_three_options():
    result = run_score(HUYEN, [("a", "9.1", "1"), ("b", "9.1", "2"), ("c", "9.1", "3")])
    assert [points(result, u, "9.1") for u in "abc"] == [20.0, 10.0, 0.0]


def test_huyen_1_5_broadcast_frequency():
    result = run_score(HUYEN, [("a", "1.5", "1"), ("b", "1.5", "2"), ("c", "1.5", "3")])
    assert [points(result, u, "1.5") for u in "abc"] == [20.0, 10.0, 0.0]


# --- ratio × max ----------------------------------------------------------------

def test_so_1_2_ratio_times_max():
    result = run_score(SO, [("u", "1.2.a", "3"), ("u", "1.2.b", "4")])
    row = row_of(result, "u", "1.2")
    assert row.ratio == 0.75 and row.verified_score == 7.5 and row.status == "scored"


def test_so_6_3_ratio_of_sums():
    # Tỷ lệ = (c + d) / (a + b) = (4 + 5) / (10 + 6) = 0.5625 → 5.625 of 10
    rows = [("u", "6.3.a", "10"), ("u", "6.3.b", "6"), ("u", "6.3.c", "4"), ("u", "6.3.d", "5")]
    row = row_of(run_score(SO, rows), "u", "6.3")
    assert row.ratio == pytest.approx(0.5625) and row.verified_score == pytest.approx(5.625)


def test_huyen_4_3_is_plain_ratio_not_min_max():
    # (a+b+c+d)/(e+f) = (2+3+1+4)/(40+60) = 0.1 → 1 of 10, even as the only unit
    rows = [("u", f"4.3.{k}", v) for k, v in zip("abcdef", ["2", "3", "1", "4", "40", "60"])]
    assert points(run_score(HUYEN, rows), "u", "4.3") == pytest.approx(1.0)


# --- ratio with a target ----------------------------------------------------------

@pytest.mark.parametrize("total, satisfied, expected", [
    (200, 171, 0.855 / 0.9 * 5),  # 85,5% < 90%: Tỷ lệ/90% × 5 = 4.75
    (100, 90, 5.0),               # exactly 90%: ≥ 90% → điểm tối đa
    (100, 95, 5.0),
])
def test_so_6_4_target_90(total, satisfied, expected):
    rows = [("u", "6.4.a", total), ("u", "6.4.b", satisfied)]  # Tỷ lệ = b/a
    assert points(run_score(SO, rows), "u", "6.4") == pytest.approx(expected)


def test_so_6_14_target_80():
    result = run_score(SO, [("a", "6.14.a", "60"), ("a", "6.14.b", "100"), ("b", "6.14.a", "80"), ("b", "6.14.b", "100")])
    assert points(result, "a", "6.14") == pytest.approx(7.5)  # 0.6/0.8 × 10
    assert points(result, "b", "6.14") == 10.0


def test_huyen_6_3_target_50():
    # (b + c) / a = (300 + 100) / 1000 = 40% < 50% → 0.4/0.5 × 20 = 16
    rows = [("u", "6.3.a", "1.000"), ("u", "6.3.b", "300"), ("u", "6.3.c", "100")]
    assert points(run_score(HUYEN, rows), "u", "6.3") == pytest.approx(16.0)


# --- thresholds and tiers ----------------------------------------------------------

@pytest.mark.parametrize("a, b, expected", [(8, 10, 5.0), (81, 100, 5.0), (79, 100, 0.0)])
def test_so_3_1_edge_80_is_full(a, b, expected):
    # Catalog decision 3.1-nguong-80: exactly 80% earns the maximum.
    assert points(run_score(SO, [("u", "3.1.a", a), ("u", "3.1.b", b)]), "u", "3.1") == expected


@pytest.mark.parametrize("a, b, expected", [
    (81, 100, 30.0),  # trên 80%
    (8, 10, 15.0),    # đúng 80%: thuộc "Từ 50% - 80%"
    (5, 10, 15.0),    # đúng 50%
    (49, 100, 0.0),   # dưới 50%
])
def test_so_3_3_tiers(a, b, expected):
    assert points(run_score(SO, [("u", "3.3.a", a), ("u", "3.3.b", b)]), "u", "3.3") == expected


def test_huyen_3_3_erratum_150_points_read_as_15():
    assert points(run_score(HUYEN, [("u", "3.3.a", 6), ("u", "3.3.b", 10)]), "u", "3.3") == 15.0


@pytest.mark.parametrize("column, posts, expected", [
    ("Có", 20, 10.0), ("Có", 35, 10.0),
    ("Có", 19, 5.0), ("Có", 10, 5.0),
    ("Có", 9, 2.5), ("Có", 0, 2.5),
    ("Không", 25, 0.0),  # chưa có chuyên mục: 0 điểm whatever the count
])
def test_so_1_4_column_and_posts(column, posts, expected):
    result = run_score(SO, [("u", "1.4.a", column), ("u", "1.4.b", posts)])
    assert points(result, "u", "1.4") == expected
    assert row_of(result, "u", "1.4").status == "scored"


def test_so_1_4_without_column_needs_no_count():
    result = run_score(SO, [("u", "1.4.a", "Không")])
    assert points(result, "u", "1.4") == 0.0 and row_of(result, "u", "1.4").status == "scored"
    assert codes(result) == []


def test_so_1_4_count_without_column_answer_is_incomplete():
    result = run_score(SO, [("u", "1.4.b", "25")])
    assert row_of(result, "u", "1.4").status == "no-data" and points(result, "u", "1.4") == 0.0
    assert codes(result) == ["incomplete-criterion"]


# --- additive parts ----------------------------------------------------------------

@pytest.mark.parametrize("meets, ipv6, expected", [("Có", "Không", 8.0), ("Không", "Có", 2.0), ("Có", "Có", 10.0), ("Không", "Không", 0.0)])
def test_so_6_1_parts(meets, ipv6, expected):
    assert points(run_score(SO, [("u", "6.1.a", meets), ("u", "6.1.b", ipv6)]), "u", "6.1") == expected


def test_so_6_1_missing_part_scores_zero_with_a_warning():
    result = run_score(SO, [("u", "6.1.a", "Có")])
    assert points(result, "u", "6.1") == 8.0
    issue = next(i for i in result.issues if i.code == "incomplete-criterion")
    assert (issue.unit, issue.criterion, issue.detail) == ("u", "6.1", "6.1.b")


def test_so_3_4_two_halves():
    # 7/7 × 1/2 × 30 + 3/6 × 1/2 × 30 = 15 + 7.5
    rows = [("u", "3.4.a", 7), ("u", "3.4.b", 7), ("u", "3.4.c", 3), ("u", "3.4.d", 6)]
    assert points(run_score(SO, rows), "u", "3.4") == pytest.approx(22.5)


@pytest.mark.parametrize("form", [SO, HUYEN])
def test_3_4_more_platforms_than_the_minimum_is_the_whole_half(form):
    # b = 7 is the list's minimum: 9 platforms is 100% of the first half (15), not an error; 4/8 of the second (7.5)
    result = run_score(form, [("u", "3.4.a", 9), ("u", "3.4.b", 7), ("u", "3.4.c", 4), ("u", "3.4.d", 8)])
    assert points(result, "u", "3.4") == pytest.approx(22.5) and codes(result) == []
    # the second half counts platforms among the unit's own: more centralised than it has is still an error
    wrong = run_score(form, [("u", "3.4.a", 7), ("u", "3.4.b", 7), ("u", "3.4.c", 9), ("u", "3.4.d", 8)])
    assert codes(wrong) == ["numerator-exceeds-denominator"]


# --- capped count --------------------------------------------------------------------

@pytest.mark.parametrize("effective, listed, expected", [(12, 15, 12.0), (25, 30, 20.0), (0, 4, 0.0)])
def test_huyen_8_5_one_point_each_capped(effective, listed, expected):
    result = run_score(HUYEN, [("u", "8.5.a", effective), ("u", "8.5.b", listed)])
    assert points(result, "u", "8.5") == expected


def test_huyen_8_5_more_effective_than_listed_is_invalid():
    result = run_score(HUYEN, [("u", "8.5.a", 16), ("u", "8.5.b", 10)])
    assert row_of(result, "u", "8.5").status == "invalid" and math.isnan(points(result, "u", "8.5"))
    assert codes(result) == ["count-exceeds-total"]


# --- growth against the previous period (6.13) ----------------------------------------

@pytest.mark.parametrize("this_year, last_year, expected", [
    ("66%", "60%", 10.0),   # (66 − 60)/60 = 10% → điểm tối đa (edge)
    ("63%", "60%", 5.0),    # 5% → 5%/10% × 10
    ("90", "45", 10.0),     # doubled
    ("50%", "60%", 0.0),    # fell: no points
    ("60%", "60%", 0.0),
    ("100%", "100%", 10.0),  # already at 100%: nothing left to grow, full points
    ("100%", "80%", 10.0),
    ("35%", "0%", 10.0),     # a rise from nothing is growth above any threshold
    ("0%", "0%", 0.0),       # nothing then, nothing now
])
def test_so_6_13_growth(this_year, last_year, expected):
    result = run_score(SO, [("u", "6.13.a", this_year), ("u", "6.13.b", last_year)])
    assert points(result, "u", "6.13") == pytest.approx(expected)


def test_huyen_6_13_growth_ratio_column():
    result = run_score(HUYEN, [("u", "6.13.a", "63%"), ("u", "6.13.b", "60%")])
    assert row_of(result, "u", "6.13").ratio == pytest.approx(0.05)


def test_6_13_previous_zero_is_not_an_error():
    result = run_score(SO, [("u", "6.13.a", "40%"), ("u", "6.13.b", "0%")])
    assert row_of(result, "u", "6.13").status == "scored" and codes(result) == []


# --- Min-Max ----------------------------------------------------------------------------

def test_so_5_1_min_max_with_ties():
    rows = [("a", "5.1.a", 2), ("b", "5.1.a", 5), ("c", "5.1.a", 8), ("d", "5.1.a", 8)]
    result = run_score(SO, rows)
    # (x − 2) / (8 − 2) × 10
    assert [points(result, u, "5.1") for u in "abcd"] == [0.0, 5.0, 10.0, 10.0]


def test_so_5_1_min_max_single_unit_gets_full_points():
    assert points(run_score(SO, [("a", "5.1.a", 3)]), "a", "5.1") == 10.0


def test_so_5_1_min_max_all_equal_get_full_points():
    result = run_score(SO, [("a", "5.1.a", 4), ("b", "5.1.a", 4)])
    assert points(result, "a", "5.1") == points(result, "b", "5.1") == 10.0


def test_so_5_1_min_max_all_zero_get_nothing():
    # every unit reports 0 approved systems: nobody sets a best value, nobody earns points
    result = run_score(SO, [("a", "5.1.a", 0), ("b", "5.1.a", 0)])
    assert points(result, "a", "5.1") == points(result, "b", "5.1") == 0.0
    assert points(run_score(SO, [("a", "5.1.a", 0)]), "a", "5.1") == 0.0


def test_min_max_ignores_units_without_data_and_not_applicable():
    rows = [("a", "5.1.a", 2), ("b", "5.1.a", 6), ("c", "5.1.a", "N/A"), ("d", "1.1", "1"), ("e", "5.1.a", 4)]
    result = run_score(SO, rows)
    assert points(result, "a", "5.1") == 0.0
    assert points(result, "e", "5.1") == 5.0  # (4 − 2)/(6 − 2) × 10
    assert points(result, "b", "5.1") == 10.0
    assert points(result, "c", "5.1") == 10.0 and row_of(result, "c", "5.1").status == "not-applicable"
    assert points(result, "d", "5.1") == 0.0 and row_of(result, "d", "5.1").status == "no-data"


def test_so_4_1_min_max_on_ratio():
    def unit(code, a):  # a chuyên trách công chức, 20 công chức + viên chức in all
        return [(code, "4.1.a", a), (code, "4.1.b", 0), (code, "4.1.c", 0), (code, "4.1.d", 0), (code, "4.1.e", 12), (code, "4.1.f", 8)]
    result = run_score(SO, unit("a", 2) + unit("b", 4) + unit("c", 6))
    # ratios 0.1, 0.2, 0.3 → 0, 5, 10
    assert [points(result, u, "4.1") for u in "abc"] == [0.0, 5.0, 10.0]
    assert row_of(result, "b", "4.1").ratio == pytest.approx(0.2)


def test_huyen_5_1_min_max():
    result = run_score(HUYEN, [("a", "5.1.a", 10), ("b", "5.1.a", 20), ("c", "5.1.a", 30)])
    assert [points(result, u, "5.1") for u in "abc"] == [0.0, 5.0, 10.0]


# --- general rules of II.2c, and invalid input -------------------------------------------

def test_not_applicable_gives_full_points():
    result = run_score(SO, [("u", "6.3.a", "không áp dụng"), ("u", "6.4.a", "N/A")])
    assert points(result, "u", "6.3") == 10.0 and row_of(result, "u", "6.3").status == "not-applicable"
    assert points(result, "u", "6.4") == 5.0


def test_no_data_gives_zero():
    result = run_score(SO, [("u", "1.1", "1")])
    row = row_of(result, "u", "1.2")
    assert row.status == "no-data" and row.verified_score == 0.0 and math.isnan(row.ratio)


def test_blank_value_is_no_data_not_zero():
    result = run_score(SO, [("u", "1.2.a", ""), ("u", "1.2.b", "")])
    assert row_of(result, "u", "1.2").status == "no-data"


def test_partial_ratio_is_no_data_with_warning():
    result = run_score(SO, [("u", "1.2.a", "3")])
    assert row_of(result, "u", "1.2").status == "no-data"
    issue = result.issues[0]
    assert (issue.code, issue.criterion, issue.detail) == ("incomplete-criterion", "1.2", "1.2.b")


@pytest.mark.parametrize("a, b, code", [
    ("3", "0", "zero-denominator"),
    ("5", "4", "numerator-exceeds-denominator"),
    ("-1", "4", "negative-number"),
    ("ba", "4", "not-a-number"),
    ("2,5", "4", "not-an-integer"),
])
def test_invalid_input_is_reported_never_scored(a, b, code):
    result = run_score(SO, [("u", "1.1", "1"), ("u", "1.2.a", a), ("u", "1.2.b", b)])
    row = row_of(result, "u", "1.2")
    assert row.status == "invalid" and math.isnan(row.verified_score)
    assert codes(result) == [code]
    # the other criteria of the same unit are still scored
    assert points(result, "u", "1.1") == 10.0


def test_value_error_names_its_row_and_field():
    result = run_score(SO, [("u", "1.1", "1"), ("u", "1.2.a", "-1"), ("u", "1.2.b", "4")])
    issue = result.issues[0]
    assert (issue.file, issue.cell, issue.unit, issue.field, issue.value) == ("du-lieu.csv", "dòng 3", "u", "1.2.a", "-1")


def test_percent_above_100_is_invalid():
    result = run_score(SO, [("u", "6.13.a", "120%"), ("u", "6.13.b", "50%")])
    assert row_of(result, "u", "6.13").status == "invalid"
    assert codes(result) == ["percent-out-of-range"]


def test_option_not_in_list():
    result = run_score(SO, [("u", "1.1", "4")])
    assert row_of(result, "u", "1.1").status == "invalid"
    assert codes(result) == ["invalid-option"]
