"""The scoring engine: one implementation of every rule kind, vectorised over units.

Each rule yields, per unit, a fraction of the criterion's maximum, the ratio
it looked at (where there is one) and a status. Points = fraction × max.
Section II.2c of QĐ 79 applies on top: no data → 0 points, not applicable →
full points; invalid input gives no score at all until it is corrected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dti_report.forms.catalog import (
    CappedCountRule,
    ChoiceRule,
    Criterion,
    GrowthRule,
    IndicatorSet,
    InputField,
    Measure,
    MinMaxRule,
    PartsRule,
    RatioRule,
    TiersRule,
)
from dti_report.forms.catalog import rule_fields as rule_fields_of  # noqa: E402  (kept apart: reads as a verb here)
from dti_report.core.issues import Issue
from dti_report.evaluation.unit_values import UnitValues

SCORED, NO_DATA, NOT_APPLICABLE, INVALID = 0, 1, 2, 3
STATUS_NAMES = {SCORED: "scored", NO_DATA: "no-data", NOT_APPLICABLE: "not-applicable", INVALID: "invalid"}
STATUS_LABELS = {
    "scored": "Đã chấm điểm",
    "no-data": "Không có số liệu",
    "not-applicable": "Không áp dụng",
    "invalid": "Số liệu lỗi",
}
# Ratios computed from integers land exactly on 0.8 or 0.5; the tolerance only
# absorbs float noise from sums of decimals.
EPS = 1e-9


@dataclass
class Outcome:
    fraction: np.ndarray
    ratio: np.ndarray
    status: np.ndarray
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)  # (unit position, code, detail, field id)


@dataclass
class Context:
    data: UnitValues
    criterion: Criterion
    fields: dict[str, InputField]
    skip: np.ndarray  # units whose criterion is not applicable: left out of Min-Max

    @property
    def n(self) -> int:
        return len(self.data.units)

    def fields_status(self, field_ids: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Status before any computation (INVALID / NO_DATA / SCORED) and a
        mask of units that filled some but not all of these fields."""
        values = np.column_stack([self.data.column(f) for f in field_ids])
        invalid = np.column_stack([self.data.invalid_column(f) for f in field_ids]).any(axis=1)
        blank = np.isnan(values) & ~np.column_stack([self.data.invalid_column(f) for f in field_ids])
        status = np.full(self.n, SCORED)
        status[blank.any(axis=1)] = NO_DATA
        status[invalid] = INVALID
        partial = blank.any(axis=1) & ~blank.all(axis=1) & ~invalid
        return status, partial

    def incomplete(self, mask: np.ndarray, field_ids: tuple[str, ...]) -> list[tuple[int, str, str, str]]:
        problems = []
        for pos in np.flatnonzero(mask & ~self.skip):
            missing = self.blank_fields(int(pos), field_ids)
            problems.append((int(pos), "incomplete-criterion", ", ".join(missing), missing[0] if missing else ""))
        return problems

    def blank_fields(self, pos: int, field_ids) -> list[str]:
        return [f for f in field_ids if np.isnan(self.data.values.iat[pos, self.data.values.columns.get_loc(f)])
                and not self.data.invalid.iat[pos, self.data.invalid.columns.get_loc(f)]]


def _fmt(x: float) -> str:
    return f"{x:g}"


def _sum(ctx: Context, field_ids: tuple[str, ...]) -> np.ndarray:
    return np.sum([ctx.data.column(f) for f in field_ids], axis=0)


def _measure(ctx: Context, measure: Measure) -> Outcome:
    """The value a threshold, target or Min-Max looks at; ratio checks included."""
    status, partial = ctx.fields_status(measure.fields)
    problems = ctx.incomplete(partial, measure.fields)
    if not measure.is_ratio:
        value = ctx.data.column(measure.field)
        value = np.where(status == SCORED, value, np.nan)
        return Outcome(value, np.full(ctx.n, np.nan), status, problems)
    num, den = _sum(ctx, measure.numerator), _sum(ctx, measure.denominator)
    candidate = status == SCORED
    zero = candidate & (den == 0)
    den_label = " + ".join(measure.denominator)
    num_label = " + ".join(measure.numerator)
    for pos in np.flatnonzero(zero & ~ctx.skip):
        problems.append((int(pos), "zero-denominator", den_label, measure.denominator[0]))
    status[zero] = INVALID
    if measure.bounded:
        over = candidate & ~zero & (num > den + EPS)
        for pos in np.flatnonzero(over & ~ctx.skip):
            problems.append((int(pos), "numerator-exceeds-denominator",
                             f"{num_label} = {_fmt(num[pos])} > {den_label} = {_fmt(den[pos])}", measure.numerator[0]))
        status[over] = INVALID
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(status == SCORED, num / den, np.nan)
    return Outcome(ratio, ratio.copy(), status, problems)


def _choice_fraction(ctx: Context, field_id: str, value: np.ndarray) -> np.ndarray:
    field_def = ctx.fields[field_id]
    if field_def.type == "yes-no":
        # Parsed yes/no: 1 = the first (yes) option, 0 = the second.
        return np.where(value >= 0.5, field_def.options[0].fraction, field_def.options[1].fraction)
    fractions = np.array([np.nan] + [o.fraction for o in field_def.options])
    index = np.where(np.isnan(value), 0, value).astype(int)
    return fractions[index]


def eval_choice(ctx: Context, rule: ChoiceRule) -> Outcome:
    status, _ = ctx.fields_status((rule.field,))
    fraction = np.where(status == SCORED, _choice_fraction(ctx, rule.field, ctx.data.column(rule.field)), np.nan)
    return Outcome(fraction, np.full(ctx.n, np.nan), status)


def _towards_target(value: np.ndarray, target: float | None) -> np.ndarray:
    if target is None:
        return value
    return np.where(value >= target - EPS, 1.0, value / target)


def eval_ratio(ctx: Context, rule: RatioRule) -> Outcome:
    out = _measure(ctx, rule.measure)
    out.fraction = _towards_target(out.fraction, rule.target)
    return out


def _apply_tiers(value: np.ndarray, rule: TiersRule) -> np.ndarray:
    fraction = np.where(np.isnan(value), np.nan, 0.0)
    assigned = np.isnan(value)
    for tier in rule.tiers:
        hit = ~assigned & ((value >= tier.min - EPS) if tier.inclusive else (value > tier.min + EPS))
        fraction[hit] = tier.fraction
        assigned |= hit
    return fraction


def eval_tiers(ctx: Context, rule: TiersRule) -> Outcome:
    out = _measure(ctx, rule.measure)
    out.fraction = _apply_tiers(out.fraction, rule)
    if rule.gate is None:
        return out
    gate_status, _ = ctx.fields_status((rule.gate,))
    is_open = (gate_status == SCORED) & (ctx.data.column(rule.gate) >= 0.5)
    closed = (gate_status == SCORED) & ~is_open
    # Gate "no" (1.4: no column yet) gives 0 points whatever the count says.
    status = np.where(is_open, out.status, gate_status)
    fraction = np.where(is_open, out.fraction, np.where(closed, 0.0, np.nan))
    ratio = np.where(is_open, out.ratio, np.nan)
    problems = [p for p in out.problems if is_open[p[0]]]
    flagged = {p[0] for p in problems if p[1] == "incomplete-criterion"}
    missing_measure = is_open & (out.status == NO_DATA)
    missing_gate = (gate_status == NO_DATA) & (out.status != NO_DATA)
    problems += [p for p in ctx.incomplete(missing_measure | missing_gate, rule_fields_of(rule)) if p[0] not in flagged]
    return Outcome(fraction, ratio, status, problems)


def eval_capped_count(ctx: Context, rule: CappedCountRule) -> Outcome:
    status, _ = ctx.fields_status((rule.field,))
    count = ctx.data.column(rule.field)
    problems: list[tuple[int, str, str, str]] = []
    if rule.of is not None:
        of_status, _ = ctx.fields_status((rule.of,))
        status[(status == SCORED) & (of_status == INVALID)] = INVALID
        total = ctx.data.column(rule.of)
        over = (status == SCORED) & (of_status == SCORED) & (count > total)
        for pos in np.flatnonzero(over & ~ctx.skip):
            problems.append((int(pos), "count-exceeds-total", f"{rule.field} = {_fmt(count[pos])} > {rule.of} = {_fmt(total[pos])}", rule.field))
        status[over] = INVALID
    max_points = ctx.criterion.max_points
    fraction = np.where(status == SCORED, np.minimum(count * rule.points_each, max_points) / max_points, np.nan)
    return Outcome(fraction, np.full(ctx.n, np.nan), status, problems)


def eval_growth(ctx: Context, rule: GrowthRule) -> Outcome:
    fields = (rule.current, rule.previous)
    status, partial = ctx.fields_status(fields)
    problems = ctx.incomplete(partial, fields)
    current, previous = ctx.data.column(rule.current), ctx.data.column(rule.previous)
    zero = (status == SCORED) & (previous == 0)
    for pos in np.flatnonzero(zero & ~ctx.skip):
        problems.append((int(pos), "zero-denominator", rule.previous, rule.previous))
    status[zero] = INVALID
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(status == SCORED, (current - previous) / previous, np.nan)
    fraction = np.clip(_towards_target(growth, rule.target), 0.0, 1.0)
    return Outcome(fraction, growth, status, problems)


def eval_min_max(ctx: Context, rule: MinMaxRule) -> Outcome:
    out = _measure(ctx, rule.measure)
    pool = (out.status == SCORED) & ~ctx.skip
    fraction = np.full(ctx.n, np.nan)
    if pool.any():
        lo, hi = np.min(out.fraction[pool]), np.max(out.fraction[pool])
        # All equal (one unit, or a tie for everyone): each is the best, full points.
        fraction[pool] = 1.0 if hi - lo <= EPS else (out.fraction[pool] - lo) / (hi - lo)
    return Outcome(fraction, out.ratio, out.status, out.problems)


def eval_parts(ctx: Context, rule: PartsRule) -> Outcome:
    outcomes = [evaluate(ctx, part.rule) for part in rule.parts]
    statuses = np.column_stack([o.status for o in outcomes])
    fraction = np.zeros(ctx.n)
    for part, out in zip(rule.parts, outcomes):
        fraction += part.weight * np.where(out.status == SCORED, out.fraction, 0.0)
    status = np.full(ctx.n, SCORED)
    status[(statuses == NO_DATA).all(axis=1)] = NO_DATA
    status[(statuses == INVALID).any(axis=1)] = INVALID
    problems = [p for o in outcomes for p in o.problems]
    # A part left blank while another is filled scores 0 for that part: say so.
    blank_part = (statuses == NO_DATA).any(axis=1) & (status == SCORED)
    for pos in np.flatnonzero(blank_part & ~ctx.skip):
        if not any(p[0] == pos and p[1] == "incomplete-criterion" for p in problems):
            missing = ctx.blank_fields(int(pos), rule_fields_of(rule))
            problems.append((int(pos), "incomplete-criterion", ", ".join(missing), missing[0] if missing else ""))
    fraction = np.where(status == SCORED, fraction, np.nan)
    return Outcome(fraction, np.full(ctx.n, np.nan), status, problems)


EVALUATORS = {
    ChoiceRule: eval_choice,
    RatioRule: eval_ratio,
    TiersRule: eval_tiers,
    CappedCountRule: eval_capped_count,
    GrowthRule: eval_growth,
    MinMaxRule: eval_min_max,
    PartsRule: eval_parts,
}


def evaluate(ctx: Context, rule) -> Outcome:
    return EVALUATORS[type(rule)](ctx, rule)


SCORE_COLUMNS = ["unit_code", "index", "criterion", "max_points", "ratio", "points", "status"]


def score(indicator_set: IndicatorSet, data: UnitValues) -> tuple[pd.DataFrame, list[Issue]]:
    """Score every unit × component criterion. Returns the long score table
    and the issues the rules raised (zero denominators and the like), each
    located at the cell of the field at fault where the data says where."""
    index_of = indicator_set.index_of_criterion()
    fields = indicator_set.fields
    units = np.array(data.units, dtype=object)
    frames, issues = [], []
    for criterion in indicator_set.criteria:
        skip = data.not_applicable[criterion.id].to_numpy(dtype=bool)
        ctx = Context(data, criterion, fields, skip)
        out = evaluate(ctx, criterion.rule)
        status = np.where(skip, NOT_APPLICABLE, out.status)
        points = np.select(
            [status == SCORED, status == NO_DATA, status == NOT_APPLICABLE],
            [out.fraction * criterion.max_points, 0.0, criterion.max_points],
            default=np.nan,
        )
        ratio = np.where(skip, np.nan, out.ratio)
        frames.append(pd.DataFrame({
            "unit_code": units,
            "index": index_of[criterion.id],
            "criterion": criterion.id,
            "max_points": criterion.max_points,
            "ratio": ratio,
            "points": np.round(points, 6),
            "status": [STATUS_NAMES[s] for s in status],
        }))
        for pos, code, detail, field_id in out.problems:
            unit = str(units[pos])
            file, sheet, cell = data.location(unit, field_id)
            issues.append(Issue(code, file=file, sheet=sheet, cell=cell, unit=unit, field=field_id, criterion=criterion.id, detail=detail))
    scores = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SCORE_COLUMNS)
    return scores, issues


def rank_desc(values: pd.Series) -> pd.Series:
    """Highest first; ties share the best rank: 1, 2, 2, 4."""
    return values.round(6).rank(method="min", ascending=False).astype("Int64")


def totals(indicator_set: IndicatorSet, scores: pd.DataFrame, points_column: str = "points") -> pd.DataFrame:
    """Per unit: points per main index, total and rank. An invalid criterion
    adds nothing to the total (it has no score) and is counted."""
    index_ids = [index.id for index in indicator_set.indices]
    table = scores.pivot_table(index="unit_code", columns="index", values=points_column, aggfunc="sum", fill_value=0.0)
    table = table.reindex(columns=index_ids, fill_value=0.0).round(6)
    table["total"] = table[index_ids].sum(axis=1).round(6)
    table["rank"] = rank_desc(table["total"])
    return table


def _status_column(scores: pd.DataFrame, status: str) -> pd.Series:
    return scores.assign(hit=scores["status"] == status).groupby("unit_code")["hit"].sum()


@dataclass
class Result:
    indicator_set: IndicatorSet
    scores: pd.DataFrame  # one row per unit × criterion, self and verified side by side
    totals: pd.DataFrame  # one row per unit
    issues: list[Issue]


def score_self_and_verified(indicator_set: IndicatorSet, self_data: UnitValues, verified_data: UnitValues) -> Result:
    """Tự đánh giá and Kết quả đánh giá: two scorings by the same rules. A rule
    problem that only the corrected values raise points to the override's row."""
    self_scores, self_issues = score(indicator_set, self_data)
    verified_scores, verified_issues = score(indicator_set, verified_data)
    key = ["unit_code", "index", "criterion", "max_points"]
    merged = self_scores.rename(columns={"ratio": "self_ratio", "points": "self_score", "status": "self_status"}).merge(
        verified_scores.rename(columns={"points": "verified_score"}), on=key, how="outer", validate="one_to_one")
    merged = merged[key + ["self_ratio", "self_score", "self_status", "ratio", "verified_score", "status"]]
    verified_totals = totals(indicator_set, verified_scores)
    self_totals = totals(indicator_set, self_scores)
    table = verified_totals.copy()
    table["self_total"] = self_totals["total"]
    table["self_rank"] = self_totals["rank"]
    table["no_data"] = _status_column(verified_scores, "no-data")
    table["not_applicable"] = _status_column(verified_scores, "not-applicable")
    table["invalid"] = _status_column(verified_scores, "invalid")
    table = table.reset_index().sort_values(["rank", "unit_code"], kind="stable").reset_index(drop=True)
    table.columns.name = None
    issues = list(dict.fromkeys(self_data.issues + self_issues + verified_data.issues + verified_issues))
    return Result(indicator_set, merged.sort_values(["unit_code"], kind="stable").reset_index(drop=True), table, issues)
