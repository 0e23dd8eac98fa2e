"""The monthly batch: every file under the inputs folder is read, validated,
accounted for in the manifest, and the accepted submissions are scored.

Inputs are only ever read. When one unit sent several workbooks for the same
set, the newest wins: the one whose own save stamp (docProps/core.xml
"modified", or the ODS meta date) is latest, else the file's modification
time; equal stamps fall to the path that sorts last. The others are marked
superseded.
"""

from __future__ import annotations

import os
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from dti_report.forms.catalog import get_set
from dti_report.evaluation.engine import Result
from dti_report.core.issues import Issue
from dti_report.evaluation.unit_values import OVERRIDE_COLUMNS, check_rows, read_long_file, type_values
from dti_report.evaluation.scoring import score_rows
from dti_report.workbook.reader import ACCEPTED, IGNORED, REJECTED, SUPERSEDED, Limits, Submission, read_submission, rows_frame
from dti_report.evaluation.targets import TargetData, collect
from dti_report.workbook.plan_templates import items_for
from dti_report.forms.plans import AssignmentSet, TaskSet
from dti_report.forms.targets import TargetSet
from dti_report.forms.units import Registry, Unit


@dataclass
class BatchResult:
    period: str
    registry: Registry
    submissions: list[Submission]
    results: dict[str, Result]                 # per indicator set id
    missing: dict[str, list[Unit]]             # per set: registry units with no accepted workbook
    issues: list[Issue] = field(default_factory=list)  # every issue of the batch, per file
    targets: dict[str, TargetData] = field(default_factory=dict)  # per target set: what units reported
    plans: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)  # per plan: unit -> field -> value

    def submissions_for(self, status: str) -> list[Submission]:
        return [s for s in self.submissions if s.status == status]


def discover(inputs: Path) -> list[Path]:
    """Every file below the inputs folder, in a stable order."""
    return sorted((p for p in inputs.rglob("*") if p.is_file()), key=lambda p: p.relative_to(inputs).as_posix())


def _read_all(paths: list[Path], root: Path, registry: Registry, period: str, limits: Limits,
              workers: int, on_done: Callable[[], None] | None) -> list[Submission]:
    if workers <= 1 or len(paths) < 50:
        out = []
        for path in paths:
            out.append(read_submission(path, root, registry, period, limits))
            if on_done:
                on_done()
        return out
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = pool.map(read_submission, paths, [root] * len(paths), [registry] * len(paths),
                           [period] * len(paths), [limits] * len(paths), chunksize=32)
        out = []
        for sub in futures:
            out.append(sub)
            if on_done:
                on_done()
        return out


def mark_superseded(submissions: list[Submission]) -> None:
    by_key: dict[tuple[str, str], list[Submission]] = defaultdict(list)
    for sub in submissions:
        if sub.status == ACCEPTED:
            by_key[(sub.set_id, sub.unit_code)].append(sub)
    for (set_id, unit), group in by_key.items():
        if len(group) < 2:
            continue
        winner = max(group, key=lambda s: (s.modified, s.path))
        for sub in group:
            if sub is not winner:
                sub.status = SUPERSEDED
                sub.issue("superseded", unit=unit, detail=f"{winner.path}, lưu lúc {winner.modified}")


def _overrides_by_set(path: Path | None, units_by_set: dict[str, set[str]]) -> dict[str, pd.DataFrame]:
    if path is None:
        return {}
    overrides = read_long_file(path, OVERRIDE_COLUMNS)
    return {set_id: overrides[overrides["unit_code"].isin(units)] for set_id, units in units_by_set.items()}


def run_batch(inputs: Path, period: str, registry: Registry, *, overrides_path: Path | None = None,
              expect_sets: list[str] | None = None,
              limits: Limits = Limits(), workers: int | None = None,
              on_start: Callable[[int], None] | None = None, on_done: Callable[[], None] | None = None) -> BatchResult:
    paths = discover(inputs)
    if on_start:
        on_start(len(paths))
    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    submissions = _read_all(paths, inputs, registry, period, limits, workers, on_done)
    mark_superseded(submissions)

    accepted = [s for s in submissions if s.status == ACCEPTED]
    # The sets this period is about: those the inputs hold (accepted or not) and those asked for.
    # A set nobody sent anything for is only awaited when named: a quarterly plan run
    # does not wait for the yearly DTI.
    sets = sorted({s.set_id for s in submissions if s.set_id} | set(expect_sets or ()))
    units_by_set = {set_id: {s.unit_code for s in accepted if s.set_id == set_id} for set_id in sets}
    overrides = _overrides_by_set(overrides_path, units_by_set)
    results: dict[str, Result] = {}
    targets: dict[str, TargetData] = {}
    plans: dict[str, dict[str, dict[str, object]]] = {}
    issues = [i for s in submissions for i in s.issues]
    missing: dict[str, list[Unit]] = {}
    for set_id in sets:
        try:
            indicator_set = get_set(set_id)
        except KeyError:
            continue
        records = [r for s in accepted if s.set_id == set_id for r in s.records]
        expected_units = registry.units_for_set(set_id)
        if isinstance(indicator_set, (TaskSet, AssignmentSet)):
            # A plan's reports are kept as written (statuses, dates, documents, proposals).
            expected_units = [u for u in registry.units if items_for(indicator_set, u, registry)]
            plans[set_id] = plan_values(indicator_set, records)
        elif isinstance(indicator_set, TargetSet):
            # Targets are aggregated, not scored; a unit with nothing to report is not awaited.
            expected_units = [u for u in expected_units if indicator_set.inputs_for(u)]
            data, value_issues = type_target_rows(indicator_set, records)
            targets[set_id] = collect(indicator_set, data, registry, period)
            issues += value_issues
        elif records:
            result = score_rows(indicator_set, rows_frame(records), overrides.get(set_id))
            results[set_id] = result
            issues += result.issues
        missing[set_id] = [u for u in expected_units if u.code not in units_by_set[set_id]]
        issues += [Issue("missing-submission", unit=u.code, detail=set_id) for u in missing[set_id]]
    issues = list(dict.fromkeys(issues))
    return BatchResult(period, registry, submissions, results, missing, issues, targets, plans)


def plan_values(plan, records: list[tuple]) -> dict[str, dict[str, object]]:
    """unit -> field -> value as the workbook holds it, for the plan's own fields."""
    out: dict[str, dict[str, object]] = {}
    for unit, field_id, value, *_ in records:
        if field_id in plan.fields and value not in ("", None):
            out.setdefault(unit, {})[field_id] = value
    return out


def type_target_rows(target_set: TargetSet, records: list[tuple]):
    """A target set's rows typed as any set's are; no scoring follows."""
    if not records:
        return None, []
    rows, row_issues = check_rows(target_set, rows_frame(records))
    data = type_values(target_set, rows)
    return data, row_issues + data.issues


def counts_by_status(batch: BatchResult) -> dict[str, dict[str, int]]:
    """Per set: how many files were accepted, rejected, superseded; ignored files under ''."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: {ACCEPTED: 0, REJECTED: 0, SUPERSEDED: 0, IGNORED: 0})
    for sub in batch.submissions:
        table[sub.set_id if sub.status != IGNORED else ""][sub.status] += 1
    return dict(table)


@dataclass
class CheckedFile:
    submission: Submission
    issues: list[Issue]
    result: Result | None


def check_file(path: Path, registry: Registry, limits: Limits = Limits()) -> CheckedFile:
    """What a unit runs before sending: the file read and scored as the batch would."""
    path = Path(path)
    sub = read_submission(path, path.parent, registry, None, limits)
    issues, result = list(sub.issues), None
    if sub.status == ACCEPTED:
        indicator_set = get_set(sub.set_id)
        if isinstance(indicator_set, (TargetSet, TaskSet, AssignmentSet)):
            new = type_target_rows(indicator_set, sub.records)[1]  # values checked, nothing scored
        else:
            result = score_rows(indicator_set, sub.rows)
            new = result.issues
        issues += [i for i in new if i not in issues]
    return CheckedFile(sub, issues, result)
