"""What a run leaves for a plan: task standings per task and per lead agency,
the values reported for assigned criteria, and the scores of a points index."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dti_report.core.files import write_csv
from dti_report.workbook.plan_templates import lead_units
from dti_report.forms.plans import (EVIDENCE, POINTS, PROPOSALS, RANK, RESULT_PREFIX, STATUS, TASK_ISSUES, VALUE, AssignedCriterion,
                    AssignmentSet, TaskSet)
from dti_report.evaluation.tasks import STANDING_LABELS, Standing, counts, track
from dti_report.forms.units import Registry


@dataclass
class TaskReport:
    plan: TaskSet
    period: str
    standings: list[Standing]
    leads: dict[str, list[str]]      # task -> lead unit codes
    registry: Registry

    def names(self, codes) -> str:
        by_code = self.registry.by_code()
        return ", ".join(by_code[c].name if c in by_code else c for c in codes)

    def table(self) -> pd.DataFrame:
        rows = []
        for s in self.standings:
            t = s.task
            rows.append({
                "task": t.id, "content": t.content, "deadline": t.deadline.text, "lead": "; ".join(t.lead),
                "standing": s.standing, "standing_label": s.label, "note": s.note,
                "documents": "; ".join(r.document for r in s.reports if r.document),
                "proposals": "; ".join(f"{self.names([r.unit])}: {r.issues}" for r in s.reports if r.issues),
                "unassigned": "" if self.leads.get(t.id) else "không có đơn vị chủ trì trong danh mục",
            })
        return pd.DataFrame(rows)

    def by_agency(self) -> pd.DataFrame:
        rows: dict[str, dict[str, int]] = {}
        for s in self.standings:
            for unit in self.leads.get(s.task.id, []):
                row = rows.setdefault(unit, {k: 0 for k in STANDING_LABELS})
                row[s.standing] += 1
        frame = pd.DataFrame([{"unit_code": u, "unit_name": self.names([u]), **c} for u, c in sorted(rows.items())])
        return frame

    def proposals(self) -> list[tuple[str, str, str]]:
        """(task, agency, what it asked) for every difficulty or proposal reported."""
        return [(s.task.id, self.names([r.unit]), r.issues) for s in self.standings for r in s.reports if r.issues]

    @property
    def counts(self) -> dict[str, int]:
        return counts(self.standings)


def task_report(plan: TaskSet, values: dict, registry: Registry, period: str) -> TaskReport:
    leads = lead_units(plan, registry)
    return TaskReport(plan, period, track(plan, values, leads, period), leads, registry)


@dataclass
class CriterionReport:
    """One assigned criterion: its lead units, what each that reported said (value,
    status, evidence as written), and the lead units that said nothing."""

    criterion: AssignedCriterion
    leads: list[str]
    reported: list[tuple[str, dict[str, object]]]
    missing: list[str]


def assignment_reports(plan: AssignmentSet, values: dict, registry: Registry) -> list[CriterionReport]:
    leads = lead_units(plan, registry)
    out = []
    for c in plan.assigned:
        reported, missing = [], []
        for unit in leads.get(c.id, []):
            mine = values.get(unit, {})
            said = {key: mine.get(c.id + suffix, "") for key, suffix in (("value", VALUE), ("status", STATUS),
                                                                          ("evidence", EVIDENCE))}
            if any(v not in (None, "") for v in said.values()):
                reported.append((unit, said))
            else:
                missing.append(unit)
        out.append(CriterionReport(c, leads.get(c.id, []), reported, missing))
    return out


def assignment_table(plan: AssignmentSet, values: dict, registry: Registry) -> pd.DataFrame:
    """Per criterion: its lead agencies, what each reported, and who has not reported."""
    by_code = registry.by_code()
    rows = []
    for r in assignment_reports(plan, values, registry):
        c = r.criterion
        reported = [f"{by_code[unit].name}: {said['value']}" + (f" ({said['status']})" if said["status"] else "")
                    + (f" – {said['evidence']}" if said["evidence"] else "") for unit, said in r.reported]
        rows.append({"criterion": c.id, "name": c.name, "max_points": c.max_points, "frequency": c.frequency or "",
                     "lead": "; ".join(c.lead), "reported": "; ".join(reported),
                     "not_reported": "; ".join(by_code[u].name for u in r.missing),
                     "unassigned": "" if r.leads else "không có đơn vị chủ trì trong danh mục"})
    return pd.DataFrame(rows)


def assignment_proposals(plan: AssignmentSet, values: dict) -> list[tuple[str, str]]:
    """(unit code, what it asked) from the difficulties and proposals box of the plan's workbooks."""
    field_id = PROPOSALS + TASK_ISSUES
    return [(unit, str(mine[field_id]).strip()) for unit, mine in values.items() if str(mine.get(field_id) or "").strip()]


def current_figures(plan: AssignmentSet, values: dict, registry: Registry) -> pd.DataFrame:
    """Per baseline figure (overall index, then pillars): the baseline value and rank beside
    what the lead agency reported for the period ("kq.<n>"); NaN where nothing was reported."""
    if plan.baseline is None:
        return pd.DataFrame()
    b = plan.baseline
    leads = lead_units(plan, registry)
    rows = []
    for n, figure in enumerate(b.figures, start=1):
        item = f"{RESULT_PREFIX}{n}"
        value = rank = None
        reporter = ""
        for unit in leads.get(item, []):
            mine = values.get(unit, {})
            value, rank = _number(mine.get(item + VALUE)), _rank(mine.get(item + RANK))
            if value is not None or rank is not None:
                reporter = unit
                break
        rows.append({"item": item, "name": figure.name, "baseline_year": b.year, "baseline_value": figure.value,
                     "baseline_rank": figure.rank, "of": b.of, "value": value, "rank": rank, "reported_by": reporter})
    frame = pd.DataFrame(rows)
    for column in ("baseline_rank", "of", "rank"):  # ranks stay whole numbers beside a missing one
        frame[column] = frame[column].astype("Int64")
    return frame


def points_scores(plan: AssignmentSet, values: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Self-assessed points within each criterion's maximum (above it: not counted, flagged);
    totals per component, main index and pillar; rank highest first, ties sharing a rank."""
    rows = []
    for pillar in plan.pillars:
        for index in pillar.indices:
            groups = [(None, index.criteria)] + [(comp, comp.criteria) for comp in index.components]
            for comp, criteria in groups:
                for c in criteria:
                    for unit, mine in values.items():
                        raw = mine.get(c.id + POINTS)
                        points = _number(raw)
                        valid = points is not None and 0 <= points <= (c.max_points or 0)
                        rows.append({"unit_code": unit, "pillar": pillar.id, "index": index.id,
                                     "component": comp.id if comp else "", "criterion": c.id, "max_points": c.max_points,
                                     "points": points if valid else None,
                                     "status": "scored" if valid else ("no-data" if points is None else "invalid")})
    scores = pd.DataFrame(rows)
    if scores.empty:
        return scores, pd.DataFrame()
    totals = scores.pivot_table(index="unit_code", columns="pillar", values="points", aggfunc="sum", fill_value=0.0)
    totals["total"] = totals.sum(axis=1)
    totals["rank"] = totals["total"].round(6).rank(method="min", ascending=False).astype(int)
    return scores, totals.reset_index().sort_values(["rank", "unit_code"])


def _rank(raw) -> int | None:
    """A rank as typed: 45, "45", "45/63"."""
    if isinstance(raw, (int, float)) and raw == raw and raw == int(raw):
        return int(raw)
    match = re.match(r"^\s*(\d+)\s*(/\s*\d+\s*)?$", raw) if isinstance(raw, str) else None
    return int(match.group(1)) if match else None


def _number(raw) -> float | None:
    if isinstance(raw, (int, float)):
        return float(raw)
    if isinstance(raw, str) and raw.strip():
        from dti_report.forms.values import parse_number_text

        value, percent = parse_number_text(raw)
        return None if percent else value
    return None


def write_plan_outputs(out_dir: Path, plans: dict[str, dict], registry: Registry, period: str) -> list[Path]:
    from dti_report.forms.catalog import get_set

    written = []
    for plan_id, values in plans.items():
        plan = get_set(plan_id)
        folder = Path(out_dir) / plan_id
        if isinstance(plan, TaskSet):
            report = task_report(plan, values, registry, period)
            written.append(write_csv(report.table(), folder / "tien-do-nhiem-vu.csv"))
            written.append(write_csv(report.by_agency(), folder / "theo-don-vi-chu-tri.csv"))
        elif plan.scoring == "points":
            scores, totals = points_scores(plan, values)
            written.append(write_csv(scores, folder / "scores.csv"))
            written.append(write_csv(totals, folder / "totals.csv"))
        else:
            written.append(write_csv(assignment_table(plan, values, registry), folder / "chi-tieu-phan-cong.csv"))
            if plan.result_items:
                written.append(write_csv(current_figures(plan, values, registry), folder / "ket-qua-chi-so.csv"))
    return written

