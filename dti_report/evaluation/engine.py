"""The scoring engine: every criterion of a set scored by its own rule, vectorised
over units (forms.rules), then totals and ranks.

Section II.2c of QĐ 79 applies on top of the rules: no data → 0 points, not
applicable → full points; invalid input gives no score at all until corrected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dti_report.core.issues import Issue
from dti_report.evaluation.unit_values import UnitValues
from dti_report.forms.base import InputField
from dti_report.forms.indicators import Criterion, IndicatorSet
from dti_report.forms.rules import INVALID, NO_DATA, NOT_APPLICABLE, SCORED, STATUS_NAMES, Problem

STATUS_LABELS = {
    "scored": "Đã chấm điểm",
    "no-data": "Không có số liệu",
    "not-applicable": "Không áp dụng",
    "invalid": "Số liệu lỗi",
}


@dataclass
class Context:
    """A criterion's view of the typed values of every unit (the rules' Context)."""

    data: UnitValues
    criterion: Criterion
    fields: dict[str, InputField]
    skip: np.ndarray  # units whose criterion is not applicable: left out of Min-Max

    @property
    def n(self) -> int:
        return len(self.data.units)

    @property
    def max_points(self) -> float:
        return self.criterion.max_points

    def field(self, field_id: str) -> InputField:
        return self.fields[field_id]

    def column(self, field_id: str) -> np.ndarray:
        return self.data.column(field_id)

    def fields_status(self, field_ids: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Status before any computation (INVALID / NO_DATA / SCORED) and a
        mask of units that filled some but not all of these fields."""
        values = np.column_stack([self.data.column(f) for f in field_ids])
        invalid_cols = np.column_stack([self.data.invalid_column(f) for f in field_ids])
        invalid = invalid_cols.any(axis=1)
        blank = np.isnan(values) & ~invalid_cols
        status = np.full(self.n, SCORED)
        status[blank.any(axis=1)] = NO_DATA
        status[invalid] = INVALID
        partial = blank.any(axis=1) & ~blank.all(axis=1) & ~invalid
        return status, partial

    def incomplete(self, mask: np.ndarray, field_ids: tuple[str, ...]) -> list[Problem]:
        positions = np.flatnonzero(mask & ~self.skip)
        problems = []
        for pos, missing in zip(positions.tolist(), self._blank_fields(positions, field_ids)):
            problems.append((pos, "incomplete-criterion", ", ".join(missing), missing[0] if missing else ""))
        return problems

    def blank_fields(self, pos: int, field_ids) -> list[str]:
        return self._blank_fields(np.array([pos]), field_ids)[0]

    def _blank_fields(self, positions: np.ndarray, field_ids) -> list[list[str]]:
        """The fields each unit at `positions` left blank (not invalid), in the fields' order."""
        if not len(positions):
            return []
        values = np.column_stack([self.data.column(f)[positions] for f in field_ids])
        invalid = np.column_stack([self.data.invalid_column(f)[positions] for f in field_ids])
        blank = (np.isnan(values) & ~invalid).tolist()
        return [[f for f, b in zip(field_ids, row) if b] for row in blank]


SCORE_COLUMNS = ["unit_code", "index", "criterion", "max_points", "ratio", "points", "status"]


def score(indicator_set: IndicatorSet, data: UnitValues) -> tuple[pd.DataFrame, list[Issue]]:
    """Score every unit × component criterion. Returns the long score table
    and the issues the rules raised (zero denominators and the like), each
    located at the cell of the field at fault where the data says where."""
    index_of = indicator_set.index_of_criterion()
    fields = indicator_set.fields
    units = np.array(data.units, dtype=object)
    # The columns gathered criterion by criterion and framed once: a frame per criterion
    # cost more than the scoring itself.
    columns: dict[str, list] = {name: [] for name in SCORE_COLUMNS}
    statuses: list[str] = []
    issues = []
    for criterion in indicator_set.criteria:
        skip = data.not_applicable[criterion.id].to_numpy(dtype=bool)
        ctx = Context(data, criterion, fields, skip)
        out = criterion.rule.evaluate(ctx)
        status = np.where(skip, NOT_APPLICABLE, out.status)
        points = np.select(
            [status == SCORED, status == NO_DATA, status == NOT_APPLICABLE],
            [out.fraction * criterion.max_points, 0.0, criterion.max_points],
            default=np.nan,
        )
        ratio = np.where(skip, np.nan, out.ratio)
        columns["unit_code"].append(units)
        columns["index"].append(np.full(len(units), index_of[criterion.id], dtype=object))
        columns["criterion"].append(np.full(len(units), criterion.id, dtype=object))
        columns["max_points"].append(np.full(len(units), criterion.max_points))
        columns["ratio"].append(ratio)
        columns["points"].append(np.round(points, 6))
        statuses += [STATUS_NAMES[s] for s in status]
        for pos, code, detail, field_id in out.problems:
            unit = str(units[pos])
            file, sheet, cell = data.location(unit, field_id)
            issues.append(Issue(code, file=file, sheet=sheet, cell=cell, unit=unit, field=field_id, criterion=criterion.id, detail=detail))
    if not indicator_set.criteria:
        return pd.DataFrame(columns=SCORE_COLUMNS), issues
    scores = pd.DataFrame({**{name: np.concatenate(parts) for name, parts in columns.items() if name != "status"},
                           "status": statuses})
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
    pillar_of = indicator_set.pillar_of_index()
    for pillar in indicator_set.pillars:
        table[pillar.id] = table[[i for i in index_ids if pillar_of[i] == pillar.id]].sum(axis=1).round(6)
    table["rank"] = rank_desc(table["total"])
    return table


def component_totals(indicator_set: IndicatorSet, scores: pd.DataFrame, points_column: str = "points") -> pd.DataFrame:
    """Per unit × component (sets whose main indices have components): the points of its
    items. An item shared by several components belongs to none and is left out."""
    component_of = indicator_set.component_of_criterion()
    frame = scores.assign(component=scores["criterion"].map(component_of).fillna(""))
    frame = frame[frame["component"] != ""]
    return (frame.groupby(["unit_code", "index", "component"], sort=False)[points_column].sum().round(6)
            .reset_index())


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
    # Without Sở TTTT's adjustments the two scorings are one (scoring is a pure function): done once.
    same = verified_data is self_data
    verified_scores, verified_issues = (self_scores, self_issues) if same else score(indicator_set, verified_data)
    key = ["unit_code", "index", "criterion", "max_points"]
    mine = self_scores.rename(columns={"ratio": "self_ratio", "points": "self_score", "status": "self_status"})
    if same:
        # The one scoring side by side with itself, its rows in the order the outer merge below
        # gives them (its keys sorted): a merge of half a million rows with itself took a second.
        merged = mine.assign(ratio=self_scores["ratio"], verified_score=self_scores["points"],
                             status=self_scores["status"]).sort_values(key, kind="stable", ignore_index=True)
    else:
        merged = mine.merge(verified_scores.rename(columns={"points": "verified_score"}), on=key, how="outer",
                            validate="one_to_one")
    merged = merged[key + ["self_ratio", "self_score", "self_status", "ratio", "verified_score", "status"]]
    verified_totals = totals(indicator_set, verified_scores)
    self_totals = verified_totals if same else totals(indicator_set, self_scores)
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
