"""Whatever units type, no criterion scores below 0 or above its maximum.

Property tests over every criterion of the built-in indicator sets "hcm-dti-so",
"hcm-dti-huyen" and "dti-huyen-2021" (together: choice, ratio, tiers, capped-count,
growth, min-max, self-points and parts rules). Values are generated per field type
(numbers stored as numbers or typed as Vietnamese text, option labels and numbers,
garbage, blanks, "N/A", "Không áp dụng") for 2–6 units, scored with `score_rows`,
and every row of the score table is checked against QĐ 79 II.2c:

    scored          → finite, 0 ≤ points ≤ max
    no-data         → exactly 0
    not-applicable  → exactly max
    invalid         → no points (NaN)

and every unit's total is the sum of its points, never above the set's total.
"""

from __future__ import annotations

import math
import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from dti_report.evaluation.scoring import score_rows
from dti_report.forms.base import InputField, Option
from dti_report.forms.rules import (CappedCountRule, ChoiceRule, GrowthRule, Measure, MinMaxRule, Part, PartsRule,
                                    RatioRule, Tier, TiersRule)
from dti_report.kinds import get_form
from dti_report.workbook.layout import NA_SUFFIX

SET_IDS = ("hcm-dti-so", "hcm-dti-huyen", "dti-huyen-2021")
FORMS = {set_id: get_form(set_id) for set_id in SET_IDS}
STATUSES = ("scored", "no-data", "not-applicable", "invalid")
TOL = 1e-6
MAX_FLOAT = 1.7976931348623157e308
OMIT = None  # no row at all for the field

# Every call of score_rows costs 0.1–0.25 s (it scores every criterion twice): few,
# dense examples, reproducible (derandomize), no example database written to the
# project, no shrinking (each shrink step is another full scoring) and no print of the
# whole generated batch: the assertion messages name the offending rows and their values.
HEAVY = dict(deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
             verbosity=Verbosity.quiet,
             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
LIGHT = dict(deadline=None, derandomize=True, database=None)


# --- building rows ------------------------------------------------------------------------------


def rows_frame(records: list[tuple[str, str, object]]) -> pd.DataFrame:
    """Long rows located like the workbook reader's; values kept as typed (numbers stay numbers)."""
    frame = pd.DataFrame({
        "unit_code": [r[0] for r in records],
        "field": [r[1] for r in records],
        "value": pd.Series([r[2] for r in records], dtype=object),
    })
    frame["file"] = "du-lieu.xlsx"
    frame["sheet"] = "Nhập số liệu"
    frame["cell"] = [f"E{n}" for n in range(2, 2 + len(frame))]
    return frame


def vn(x: float, decimals: int = 0) -> str:
    """A number as Vietnamese units type it: "1.234.567,5"."""
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


def strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


# --- values per field type ----------------------------------------------------------------------
#
# Each field draws a category, then a value from that category's pool for its type: two
# choices per cell keep a batch of 6 units × 131 fields cheap to generate.


def as_typed(xs, integer: bool, decimals=(0, 2, 6)) -> list:
    """Each x stored as a number and typed as text (plain digits, Vietnamese "1.234,5")."""
    out = []
    for x in xs:
        out.append(float(x))
        if integer:
            out += ([int(x)] if abs(x) <= 2 ** 53 else []) + [str(int(x)), vn(x)]
        else:
            out += [vn(x, d) for d in decimals]
    return out


BLANK_OR_NA = ["", "   ", "N/A", "n/a", "Không áp dụng", "KHONG AP DUNG", "không áp dụng"]
GARBAGE = ["abc", "#LỖI", "1,2,3", "1.234.5", "1e5", "inf", "nan", "—", "１２", "?", "có lẽ", "12/3/2021", "1.",
           ".5", "+-1", "0x10", "1 96"]
INTEGERS = as_typed([0, 0, 1, 2, 3, 5, 7, 10, 12, 19, 20, 21, 50, 99, 100, 101, 1000, 1234, 12345, 10 ** 6,
                     987654321, 10 ** 15, 10 ** 18, 10 ** 22], integer=True)
# Counts so large that two of them add up to more than a float holds.
HUGE_INTEGERS = as_typed([1e308, MAX_FLOAT], integer=True)
NOT_INTEGERS = [-1, -1.0, "-5", "-1.234", 2.5, "1,5", "0,001", "80%", "12.75"]
PERCENTS = as_typed([0, 5e-324, 1e-300, 1e-9, 0.001, 0.5, 1, 10, 33.333, 50, 79.99, 80, 90, 99.999, 100],
                    integer=False, decimals=(0, 3))
PERCENTS += [v + "%" for v in PERCENTS if isinstance(v, str)] + ["80 %", "100%", "0%"]
NOT_PERCENTS = [100.5, "150%", 1e6, "1.000.000%", 1e300, -1.0, "-5%", "-0,5"]
# ~70 % valid values; blanks, "N/A", invalid and garbage make up the rest.
CATEGORY = st.sampled_from(("valid",) * 15 + ("invalid", "garbage", "text", "blank", "blank", "omit"))


def self_points(top: float) -> list:
    return as_typed([0, 5e-324, 1e-9, 0.25, top / 3, top / 2, top - 0.25, top - 1e-12, top, top, top + 5e-10],
                    integer=False)


def option_pool(f: InputField) -> tuple[list, list]:
    """A choice's labels (as written, upper-cased, without diacritics) and numbers; and values it refuses."""
    n = len(f.options)
    valid = [v for o in f.options for v in (o.label, o.label.upper(), strip_accents(o.label), f"  {o.label} ")]
    valid += [v for i in range(1, n + 1) for v in (i, float(i), str(i))]
    if f.type == "yes-no":
        valid += ["x", "X", "Có", "có", "không", "KHÔNG", "1", "0", "2", 0, 1, True, False]
    return valid, [0, n + 1, "0", str(n + 1), 1.5, "1,5", -1, "Có và không"]


def field_pools(f: InputField) -> dict[str, st.SearchStrategy]:
    if f.type == "integer":
        valid, invalid = INTEGERS, NOT_INTEGERS
    elif f.type == "percent":
        valid, invalid = PERCENTS, NOT_PERCENTS
    elif f.type == "decimal":
        top = f.maximum if f.maximum is not None else 1e6
        valid = self_points(top)
        invalid = as_typed([top + 0.5, top * 10, 1e300, MAX_FLOAT], integer=False) + [-0.5, "-1", "5%"]
    else:
        valid, invalid = option_pool(f)
    return {"valid": st.sampled_from(valid), "invalid": st.sampled_from(invalid),
            "huge": st.sampled_from(HUGE_INTEGERS if f.type == "integer" else valid),
            "garbage": st.sampled_from(GARBAGE), "text": st.text(max_size=6), "blank": st.sampled_from(BLANK_OR_NA)}


POOLS = {f.id: field_pools(f) for form in FORMS.values() for f in form.fields.values()}
NA_MARKS = st.sampled_from(["Không áp dụng", "x", "", "không", "có thể"])


@st.composite
def batch(draw, form, min_units: int = 2, max_units: int = 6):
    """Long rows for 2–6 units, every field of every criterion of the form."""
    n = draw(st.integers(min_units, max_units))
    units = [f"dv-{i}" for i in range(1, n + 1)]
    records = []
    for unit in units:
        # Now and then a unit types absurdly large counts everywhere (sums of them overflow).
        huge = draw(st.integers(0, 4)) == 0
        for criterion in form.criteria:
            for f in criterion.fields:
                category = draw(CATEGORY)
                if category == "omit":
                    continue
                if category == "valid" and huge:
                    category = "huge"
                records.append((unit, f.id, draw(POOLS[f.id][category])))
            if draw(st.integers(0, 24)) == 0:  # the criterion's own "không áp dụng" row
                records.append((unit, criterion.id + NA_SUFFIX, draw(NA_MARKS)))
    # Every unit is in the batch even if it typed nothing at all.
    records += [(unit, "~", "") for unit in units if not any(r[0] == unit and r[1] in form.fields for r in records)]
    # A batch whose every usable value is a stored number fails in the typing, before any
    # rule runs: test_values_stored_only_as_numbers covers that; here one cell is blank text.
    fields = [i for i, r in enumerate(records) if r[1] in form.fields]
    if not any(isinstance(records[i][2], str) for i in fields):
        unit, field_id, _ = records[fields[0]]
        records[fields[0]] = (unit, field_id, "")
    return units, records


# --- the checks ---------------------------------------------------------------------------------


def bound_problems(scores: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(unit, criterion, message) for each row of the score table breaking QĐ 79 II.2c's
    bounds, on either side."""
    out = []
    top = scores["max_points"].to_numpy(dtype=float)
    for points_col, status_col in (("self_score", "self_status"), ("verified_score", "status")):
        points = scores[points_col].to_numpy(dtype=float)
        status = scores[status_col].to_numpy(dtype=object)
        with np.errstate(invalid="ignore"):
            bad = ~np.isin(status, STATUSES)
            bad |= (points < -TOL) | (points > top + TOL)  # never negative, never above the maximum
            bad |= (status == "scored") & ~np.isfinite(points)
            bad |= (status == "no-data") & (points != 0)
            bad |= (status == "not-applicable") & (points != top)
            bad |= (status == "invalid") & ~np.isnan(points)
        for pos in np.flatnonzero(bad):
            row = scores.iloc[pos]
            out.append((row.unit_code, row.criterion, f"{row.unit_code} tiêu chí {row.criterion}: "
                        f"{points_col}={float(points[pos])!r} ({status_col}={status[pos]!r}, max_points={top[pos]:g})"))
    return out


def total_problems(form, result, units) -> list[str]:
    out = []
    totals = result.totals.set_index("unit_code")
    for total_col, points_col in (("total", "verified_score"), ("self_total", "self_score")):
        sums = result.scores.groupby("unit_code")[points_col].sum()  # NaN (invalid) adds nothing
        for unit in units:
            total = float(totals.at[unit, total_col])
            if not (math.isfinite(total) and abs(total - float(sums[unit])) <= TOL):
                out.append(f"{unit}: {total_col}={total!r} ≠ Σ {points_col}={float(sums[unit])!r}")
            if not total <= form.total_points + TOL:
                out.append(f"{unit}: {total_col}={total!r} > tổng điểm bộ chỉ số {form.total_points:g}")
    return out


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:16]}…({len(text)} chars)"


def assert_in_bounds(form, result, units, records=()):
    assert len(result.scores) == len(units) * len(form.criteria), "every unit × criterion has one score row"
    found = bound_problems(result.scores)
    problems = [message for _, _, message in found]
    if found and records:  # what the offending units typed for those criteria
        typed = {(u, f): v for u, f, v in reversed(list(records))}
        for unit, criterion_id in dict.fromkeys((u, c) for u, c, _ in found):
            values = ", ".join(f"{f.id}={_short(typed.get((unit, f.id), '(no row)'))}"
                               for f in form.item_by_id[criterion_id].fields)
            problems.append(f"    {unit} {criterion_id} typed: {values}")
    assert not problems, ("điểm ngoài giới hạn [0, tối đa] hoặc không khớp trạng thái (QĐ 79 II.2c):\n  "
                          + "\n  ".join(p if len(p) < 300 else p[:300] + "…" for p in problems[:40]))
    problems = total_problems(form, result, units)
    assert not problems, "tổng điểm sai:\n  " + "\n  ".join(problems[:25])


# --- every criterion of the built-in sets ---------------------------------------------------------


def test_the_sets_cover_every_rule_kind():
    kinds = {c.rule.kind for form in FORMS.values() for c in form.criteria}
    assert kinds == {"choice", "ratio", "tiers", "capped-count", "growth", "min-max", "self-points", "parts"}


@pytest.mark.parametrize("set_id, examples", [("hcm-dti-so", 6), ("hcm-dti-huyen", 4), ("dti-huyen-2021", 3)])
def test_every_criterion_scores_within_bounds(set_id, examples):
    form = FORMS[set_id]

    @settings(max_examples=examples, **HEAVY)
    @given(batch(form))
    def check(generated):
        units, records = generated
        assert_in_bounds(form, score_rows(form, rows_frame(records)), units, records)

    check()


def test_ratio_of_sums_with_huge_counts_keeps_a_score():
    """hcm-dti-so 6.3 = (c + d) / (a + b). Counts of 1e308 are accepted by the typing;
    their sums overflow to inf and inf/inf is NaN, which must not pass as "scored"."""
    form = FORMS["hcm-dti-so"]
    records = [("dv-1", f"6.3.{k}", 1e308) for k in "abcd"] + [("dv-2", f"6.3.{k}", v) for k, v in zip("abcd", "1064")]
    result = score_rows(form, rows_frame(records))
    row = result.scores[(result.scores.unit_code == "dv-1") & (result.scores.criterion == "6.3")].iloc[0]
    assert not (row.status == "scored" and math.isnan(row.verified_score)), (
        f"6.3 with every count 1e308: status 'scored' but verified_score={row.verified_score!r} "
        "(Σ numerator and Σ denominator overflow to inf; inf/inf = NaN is scored without points)")
    assert_in_bounds(form, result, ["dv-1", "dv-2"])


def test_values_stored_only_as_numbers():
    """Values the workbook reader keeps as numbers are typed whatever else the batch holds.

    The typing's fast path calls `.str` on the value column; when the rows it keeps hold
    only numbers in an object (or integer) column, pandas refuses. One way there with real
    workbooks: every item of dti-huyen-2021 filled with a number, and one row check_rows
    drops (an unknown field id) holding the only text."""
    cases = [
        ("hcm-dti-so", [("dv-1", "1.2.a", 3), ("dv-1", "1.2.b", 4)], "1.2", 7.5),
        ("hcm-dti-so", [("dv-1", "1.2.a", 3.0), ("dv-1", "1.2.b", 4.0)], "1.2", 7.5),
        ("hcm-dti-so", [("dv-1", "1.2.a", 3), ("dv-1", "1.2.b", 4.0)], "1.2", 7.5),
        ("dti-huyen-2021", [("dv-1", "1.1.1.1.diem", 1.0), ("dv-1", "ghi-chu-rieng", "ghi chú")], "1.1.1.1", 1.0),
    ]
    failures = []
    for set_id, records, criterion, expected in cases:
        rows = rows_frame(records)
        try:
            result = score_rows(FORMS[set_id], rows)
        except AttributeError as exc:
            failures.append(f"{set_id} {records!r}: score_rows raises AttributeError: {exc}")
            continue
        got = result.scores[result.scores.criterion == criterion].iloc[0].verified_score
        if got != expected:
            failures.append(f"{set_id} {records!r}: {criterion} = {got!r}, expected {expected}")
    assert not failures, "values stored as numbers:\n  " + "\n  ".join(failures)


# --- Min-Max: one unit, all equal, one absurd value -------------------------------------------------

MIN_MAX = {set_id: [c for c in FORMS[set_id].criteria if c.rule.kind == "min-max"] for set_id in ("hcm-dti-so", "hcm-dti-huyen")}


@st.composite
def min_max_batch(draw, form, scenario: str):
    """Valid counts for the Min-Max criteria only: one unit / every unit equal / one unit typing
    the largest float in every field of the measure (5.1: one absurd value; hcm-dti-so 4.1's
    ratio of sums: an overflow, see test_ratio_of_sums_with_huge_counts_keeps_a_score)."""
    n = 1 if scenario == "one" else draw(st.integers(2, 6))
    units = [f"dv-{i}" for i in range(1, n + 1)]
    records = []
    for criterion in MIN_MAX[form.id]:
        rule = criterion.rule
        fields = rule.measure.fields
        # a ratio measure counts a subset of its denominator: keep Σ numerator ≤ Σ denominator
        # Above 0: when every unit reports 0, nobody achieved anything and all get 0 (the decision
        # note min-max), tested on its own below.
        base = {f: draw(st.integers(1, 50)) for f in fields}
        if rule.measure.is_ratio:
            base[rule.measure.denominator[0]] += sum(base[f] for f in rule.measure.numerator) + 1
        absurd = draw(st.integers(0, n - 1))
        for i, unit in enumerate(units):
            values = dict(base) if scenario != "absurd" or i != absurd else {f: MAX_FLOAT for f in fields}
            if scenario == "absurd" and i != absurd:
                values = {f: draw(st.integers(0, 50)) for f in fields}
                if rule.measure.is_ratio:
                    values[rule.measure.denominator[0]] += sum(values[f] for f in rule.measure.numerator) + 1
            for f, v in values.items():
                records.append((unit, f, draw(st.sampled_from([v, str(int(v)) if v < 1e16 else vn(v)]))))
    # One text cell elsewhere: a value column of numbers only is another matter
    # (test_values_stored_only_as_numbers).
    records.append((units[0], form.criteria[0].fields[0].id, ""))
    return units, records


@pytest.mark.parametrize("scenario", ["one", "equal", "absurd"])
@pytest.mark.parametrize("set_id", ["hcm-dti-so", "hcm-dti-huyen"])
def test_min_max_stays_within_bounds(set_id, scenario):
    form = FORMS[set_id]

    @settings(max_examples=2, **HEAVY)
    @given(min_max_batch(form, scenario))
    def check(generated):
        units, records = generated
        result = score_rows(form, rows_frame(records))
        assert_in_bounds(form, result, units, records)
        scores = result.scores[result.scores.criterion.isin([c.id for c in MIN_MAX[set_id]])]
        if scenario in ("one", "equal"):  # every unit is the best: full points
            wrong = scores[scores.verified_score != scores.max_points]
            assert wrong.empty, f"Min-Max, {scenario}: every unit should get the maximum:\n{wrong}"

    check()


# --- the schema refuses rules that could leave [0, max] -------------------------------------------

FIELD_IDS = st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=3, unique=True).map(tuple)
OUTSIDE_0_1 = st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not (0 <= x <= 1))


def test_unbounded_ratio_without_target_is_refused():
    with pytest.raises(ValidationError):
        RatioRule(kind="ratio", numerator=("a",), denominator=("b",), bounded=False)
    assert RatioRule(kind="ratio", numerator=("a",), denominator=("b",), bounded=False, target=0.5).target == 0.5


@settings(max_examples=60, **LIGHT)
@given(FIELD_IDS, FIELD_IDS, st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)), st.booleans())
def test_ratio_rule_accepted_only_when_bounded(numerator, denominator, target, bounded):
    ok = (target is None or 0 < target <= 1) and (bounded or target is not None)
    kwargs = {} if target is None else {"target": target}
    if ok:
        rule = RatioRule(kind="ratio", numerator=numerator, denominator=denominator, bounded=bounded, **kwargs)
        assert rule.bounded or rule.target is not None
    else:
        with pytest.raises(ValidationError):
            RatioRule(kind="ratio", numerator=numerator, denominator=denominator, bounded=bounded, **kwargs)


@settings(max_examples=60, **LIGHT)
@given(OUTSIDE_0_1, st.floats(0, 1))
def test_option_fraction_outside_0_1_is_refused(outside, inside):
    with pytest.raises(ValidationError):
        Option(label="x", fraction=outside)
    assert Option(label="x", fraction=inside).fraction == inside
    with pytest.raises(ValidationError):  # a tier gives a fraction of the maximum too
        Tier(min=0, fraction=outside)


def _choice_part(weight: float, i: int) -> Part:
    return Part(weight=weight, rule=ChoiceRule(kind="choice", field=f"f{i}"))


@settings(max_examples=60, **LIGHT)
@given(st.lists(st.floats(min_value=1e-6, max_value=1), min_size=2, max_size=5))
def test_parts_weights_not_summing_to_one_are_refused(weights):
    if abs(math.fsum(weights) - 1) <= 1e-6:
        weights = weights[:-1] + [weights[-1] / 2]  # move it off 1
    with pytest.raises(ValidationError):
        PartsRule(kind="parts", parts=tuple(_choice_part(w, i) for i, w in enumerate(weights)))


@settings(max_examples=60, **LIGHT)
@given(st.lists(st.integers(1, 20), min_size=2, max_size=5))
def test_parts_weights_summing_to_one_are_accepted(shares):
    weights = [s / sum(shares) for s in shares]
    rule = PartsRule(kind="parts", parts=tuple(_choice_part(w, i) for i, w in enumerate(weights)))
    assert abs(sum(p.weight for p in rule.parts) - 1) <= 1e-9


@pytest.mark.parametrize("build", [
    lambda: CappedCountRule(kind="capped-count", field="a", points_each=0),
    lambda: CappedCountRule(kind="capped-count", field="a", points_each=-1),
    lambda: GrowthRule(kind="growth", current="a", previous="b", target=0),
    lambda: RatioRule(kind="ratio", numerator=("a",), denominator=("b",), target=1.5),
    lambda: TiersRule(kind="tiers", measure=Measure(field="a"), tiers=(Tier(min=1, fraction=0.5), Tier(min=2, fraction=1))),
    lambda: MinMaxRule(kind="min-max", measure=Measure(numerator=("a",))),
], ids=["points_each=0", "points_each<0", "growth-target=0", "target>1", "tiers-ascending", "ratio-without-denominator"])
def test_rules_that_could_leave_the_bounds_are_refused(build):
    with pytest.raises(ValidationError):
        build()


# --- self-assessed points (dti-huyen-2021) -----------------------------------------------------------

HUYEN_2021 = FORMS["dti-huyen-2021"]


def _at_max(criterion, text: bool):
    return vn(criterion.max_points, 2 if criterion.max_points % 1 else 0) if text else float(criterion.max_points)


@settings(max_examples=2, **HEAVY)
@given(st.lists(st.sampled_from([c.id for c in HUYEN_2021.criteria]), min_size=1, max_size=6, unique=True),
       st.lists(st.sampled_from([1e-3, 0.25, 1.0, 7.5, 1000.0, 1e300]), min_size=6, max_size=6),
       st.lists(st.booleans(), min_size=len(HUYEN_2021.criteria), max_size=len(HUYEN_2021.criteria)))
def test_self_points_above_the_maximum_are_an_issue_and_no_score(over_ids, excesses, as_text):
    form = HUYEN_2021
    records = []
    over_value = {}
    for i, c in enumerate(form.criteria):
        field_id = c.fields[0].id
        if c.id in over_ids:
            x = c.max_points + excesses[over_ids.index(c.id)]
            over_value[c.id] = vn(x, 3) if as_text[i] and x < 1e16 else x
            records.append(("dv-a", field_id, over_value[c.id]))
        else:
            records.append(("dv-a", field_id, _at_max(c, as_text[i])))
        records.append(("dv-b", field_id, _at_max(c, not as_text[i])))
    rows = rows_frame(records)
    result = score_rows(form, rows)
    assert_in_bounds(form, result, ["dv-a", "dv-b"])
    scores = {(r.unit_code, r.criterion): r for r in result.scores.itertuples()}
    cell_of = {(r.unit_code, r.field): r.cell for r in rows.itertuples()}
    over_issues = [i for i in result.issues if i.code == "points-above-max"]
    for c in form.criteria:
        field_id = c.fields[0].id
        row = scores[("dv-a", c.id)]
        if c.id in over_ids:
            found = [i for i in over_issues if i.unit == "dv-a" and i.field == field_id]
            assert len(found) == 1, f"{c.id} = {over_value[c.id]!r} > {c.max_points:g}: one points-above-max issue, got {found}"
            assert (found[0].cell, found[0].file, found[0].sheet) == (cell_of[("dv-a", field_id)], "du-lieu.xlsx",
                                                                     "Nhập số liệu"), found[0]
            assert row.status == "invalid" and math.isnan(row.verified_score), (c.id, row.status, row.verified_score)
        else:
            assert row.status == "scored" and row.verified_score == c.max_points, (c.id, row.status, row.verified_score)
        b = scores[("dv-b", c.id)]
        assert b.status == "scored" and b.verified_score == c.max_points, (c.id, b.status, b.verified_score)
    assert not [i for i in over_issues if i.unit == "dv-b"], "a value exactly at the maximum is not above it"


def test_every_item_at_its_maximum_sums_to_420():
    form = HUYEN_2021
    records = [(u, c.fields[0].id, _at_max(c, text=(u == "dv-text"))) for u in ("dv-number", "dv-text") for c in form.criteria]
    result = score_rows(form, rows_frame(records))
    assert_in_bounds(form, result, ["dv-number", "dv-text"])
    totals = result.totals.set_index("unit_code")
    for unit in ("dv-number", "dv-text"):
        got = {col: float(totals.at[unit, col]) for col in ("total", "1", "2", "3")}
        assert got == {"total": 420.0, "1": 200.0, "2": 95.0, "3": 125.0}, f"{unit}: {got}"
    assert not [i for i in result.issues if i.code == "points-above-max"]


def test_min_max_when_every_unit_reports_zero_gives_zero():
    """Decision (note min-max): all units at 0 share no maximum; 0 points each."""
    form = FORMS["hcm-dti-so"]
    criterion = MIN_MAX["hcm-dti-so"][0]
    records = [(unit, f, "0" if f not in criterion.rule.measure.denominator else "10")
               for unit in ("a", "b") for f in criterion.rule.measure.fields]
    result = score_rows(form, rows_frame(records))
    scores = result.scores[result.scores.criterion == criterion.id]
    assert list(scores.verified_score) == [0.0, 0.0] and set(scores.status) == {"scored"}
