"""What a run leaves for a plan: task standings per task and per lead agency,
the values reported for assigned criteria, and the scores of a points index."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .outputs import write_csv
from .plan_templates import lead_units
from .plans import EVIDENCE, POINTS, STATUS, VALUE, AssignmentSet, TaskSet
from .tasks import STANDING_LABELS, Standing, counts, track
from .units import Registry


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


def assignment_table(plan: AssignmentSet, values: dict, registry: Registry) -> pd.DataFrame:
    """Per criterion: its lead agencies, what each reported, and who has not reported."""
    leads = lead_units(plan, registry)
    by_code = registry.by_code()
    rows = []
    for c in plan.assigned:
        reported, missing = [], []
        for unit in leads.get(c.id, []):
            mine = values.get(unit, {})
            if any(mine.get(c.id + suffix) not in (None, "") for suffix in (VALUE, EVIDENCE, STATUS)):
                status = mine.get(c.id + STATUS, "")
                reported.append(f"{by_code[unit].name}: {mine.get(c.id + VALUE, '')}"
                                + (f" ({status})" if status else "") + (f" – {mine[c.id + EVIDENCE]}" if mine.get(c.id + EVIDENCE) else ""))
            else:
                missing.append(by_code[unit].name)
        rows.append({"criterion": c.id, "name": c.name, "max_points": c.max_points, "frequency": c.frequency or "",
                     "lead": "; ".join(c.lead), "reported": "; ".join(reported), "not_reported": "; ".join(missing),
                     "unassigned": "" if leads.get(c.id) else "không có đơn vị chủ trì trong danh mục"})
    return pd.DataFrame(rows)


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


def _number(raw) -> float | None:
    if isinstance(raw, (int, float)):
        return float(raw)
    if isinstance(raw, str) and raw.strip():
        from .values import parse_number_text

        value, percent = parse_number_text(raw)
        return None if percent else value
    return None


def write_plan_outputs(out_dir: Path, plans: dict[str, dict], registry: Registry, period: str) -> list[Path]:
    from .catalog import get_set

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
    return written

