"""What a run makes of a plan: task standings per task and per lead agency, and
the values reported for assigned criteria beside the baseline figures."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dti_report.core.numbers import parse_number_text

from dti_report.core.files import write_csv
from dti_report.forms.plans import (EVIDENCE, PROPOSALS, RANK, RESULT_PREFIX, STATUS, TASK_ISSUES, VALUE, AssignedCriterion,
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
    leads = plan.lead_units(registry)
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
    leads = plan.lead_units(registry)
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
    leads = plan.lead_units(registry)
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
        value, percent = parse_number_text(raw)
        return None if percent else value
    return None


def write_task_outputs(out_dir: Path, plan: TaskSet, values: dict, registry: Registry, period: str,
                       key: str | None = None) -> list[Path]:
    folder = Path(out_dir) / (key or plan.id)
    report = task_report(plan, values, registry, period)
    return [write_csv(report.table(), folder / "tien-do-nhiem-vu.csv"),
            write_csv(report.by_agency(), folder / "theo-don-vi-chu-tri.csv")]


def write_assignment_outputs(out_dir: Path, plan: AssignmentSet, values: dict, registry: Registry,
                             period: str, key: str | None = None) -> list[Path]:
    folder = Path(out_dir) / (key or plan.id)
    written = [write_csv(assignment_table(plan, values, registry), folder / "chi-tieu-phan-cong.csv")]
    if plan.result_items:
        written.append(write_csv(current_figures(plan, values, registry), folder / "ket-qua-chi-so.csv"))
    return written
