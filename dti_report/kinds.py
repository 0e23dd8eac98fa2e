"""The registry of kinds: the one module that knows every kind of form.

For each kind: its model, how its typed values are evaluated, which unit
workbook it writes, what its results leave in the run folder, which reports it
feeds and how it describes itself (`catalog show`). Everything else works on
the Form base and asks this registry; a new kind is a model, its functions and
one entry here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import pandas as pd

from dti_report.batch.run import BatchResult, FormBatch
from dti_report.core.cache import cache_dir
from dti_report.core.files import write_csv
from dti_report.core.issues import Issue
from dti_report.core.workers import Background
from dti_report.evaluation.engine import component_totals
from dti_report.evaluation.plans import task_report, write_assignment_outputs, write_task_outputs
from dti_report.evaluation.scoring import score_typed
from dti_report.evaluation.targets import collect
from dti_report.evaluation.unit_values import plain_values
from dti_report.forms.base import Form
from dti_report.forms.catalog import (DEFAULT_KIND, Catalog, CatalogError, Problem, check_form_files, load_catalog,
                                      read_form_file)
from dti_report.forms.indicators import IndicatorSet
from dti_report.forms.plans import AssignmentSet, TaskSet
from dti_report.forms.targets import TargetSet
from dti_report.renderers.monitoring_table import Finding
from dti_report.reports.monitoring import write_monitoring
from dti_report.workbook.plan_templates import write_plan_template
from dti_report.workbook.target_templates import write_target_template
from dti_report.workbook.templates import write_template

FORMS_ENV = "DTI_REPORT_FORMS"  # folders of the user's own form files, separated like PATH


# --- evaluating a period's typed values ---------------------------------------------------


def _score(key: str, fb: FormBatch, batch: BatchResult, overrides: pd.DataFrame | None) -> list[Issue]:
    if not fb.data.units:
        return []
    result = score_typed(fb.form, fb.data, fb.rows() if overrides is not None else None, overrides, batch.period)
    batch.results[key] = result
    return result.issues


def _aggregate(key: str, fb: FormBatch, batch: BatchResult, overrides: pd.DataFrame | None) -> list[Issue]:
    batch.targets[key] = collect(fb.form, fb.data if fb.data.units else None, batch.registry, batch.period)
    return []


def _keep_reports(key: str, fb: FormBatch, batch: BatchResult, overrides: pd.DataFrame | None) -> list[Issue]:
    # A plan's reports are kept typed (statuses by label, dates, documents, proposals).
    batch.plans[key] = plain_values(fb.form, fb.data)
    return []


# --- what each kind leaves in the run folder -------------------------------------------------

Written = tuple[list[Path], list[Finding]]


def _score_files(batch: BatchResult, form_ids: list[str], out_dir: Path, background: Background) -> Written:
    written = []
    for form_id in form_ids:
        result = batch.results.get(form_id)
        if result is None:
            continue
        # scores.csv has a row per unit and criterion: half a million at 10,000 units, seconds of
        # formatting, written while the run's other files are.
        background.start(write_csv, result.scores, out_dir / form_id / "scores.csv")
        written.append(out_dir / form_id / "scores.csv")
        written.append(write_csv(result.totals, out_dir / form_id / "totals.csv"))
        if any(index.components for index in result.indicator_set.indices):
            written.append(write_csv(component_totals(result.indicator_set, result.scores, "verified_score"),
                                     out_dir / form_id / "component-totals.csv"))
    return written, []


def _monitoring_files(batch: BatchResult, form_ids: list[str], out_dir: Path, _background: Background) -> Written:
    targets = {f: batch.targets[f] for f in form_ids if f in batch.targets}
    if not targets:
        return [], []
    return write_monitoring(out_dir, targets, {f: batch.forms[f].form for f in targets}, batch.previous_targets)


def _task_files(batch: BatchResult, form_ids: list[str], out_dir: Path, _background: Background) -> Written:
    return [p for f in form_ids
            for p in write_task_outputs(out_dir, batch.forms[f].form, batch.plans.get(f, {}), batch.registry,
                                        batch.period, f)], []


def _assignment_files(batch: BatchResult, form_ids: list[str], out_dir: Path, _background: Background) -> Written:
    return [p for f in form_ids
            for p in write_assignment_outputs(out_dir, batch.forms[f].form, batch.plans.get(f, {}), batch.registry,
                                              batch.period, f)], []


def _task_standings(form: TaskSet, values: dict, registry, period: str) -> list[tuple]:
    return [(s.task.id, s.standing, s.label, s.note) for s in task_report(form, values, registry, period).standings]


# --- unit workbooks -------------------------------------------------------------------


def _indicator_template(form, unit, registry, period, path, **kw) -> Path:
    return write_template(form, unit, period, path, **kw)


def _target_template(form, unit, registry, period, path, **kw) -> Path:
    return write_target_template(form, unit, period, path, **kw)


# --- describing itself (`catalog show`) --------------------------------------------------


def _describe_indicators(form: IndicatorSet) -> list[str]:
    lines = [form.source_text]
    for index in form.indices:
        lines.append(f"\n{index.id}. {index.name} — {index.max_points:g} điểm")
        for c in index.items:
            lines.append(f"  {c.id} {c.name} — {c.max_points:g} điểm ({c.rule.kind})")
            for f in c.fields:
                lines.append(f"      {f.id} {f.label} ({f.type})")
                lines += [f"          {i} = {o.label} ({o.fraction:g} × điểm tối đa)" for i, o in enumerate(f.options, 1)]
    return lines + _notes(list(form.notes) + [n for c in form.criteria for n in c.notes])


def _describe_targets(form: TargetSet) -> list[str]:
    lines = [form.source_text]
    for group in form.groups:
        if group.name:
            lines.append(f"\n{group.name}")
        for row in (r for t in group.targets for r in (t, *t.rows)):
            lines.append(f"  {row.id} {row.text}" + (f" — chỉ tiêu: {row.target.text}" if row.target else ""))
    lines.append("\nSố liệu đơn vị báo cáo")
    for inp in form.inputs:
        who = ", ".join(inp.reporters.levels + inp.reporters.units)
        lines.append(f"  {inp.id} {inp.label} ({inp.type}; {inp.aggregate}; {who})")
    return lines + _notes(form.notes)


def _describe_tasks(form: TaskSet) -> list[str]:
    lines = [f"{form.source_text}, {form.source.issuer}"]
    for group in form.groups:
        lines.append(f"\n{group.name}")
        lines += [f"  {t.id}. {t.content} — hạn: {t.deadline.text}; chủ trì: {', '.join(t.lead)}" for t in group.tasks]
    return lines + _notes(form.notes)


def _describe_assignments(form: AssignmentSet) -> list[str]:
    lines = [f"{form.source_text}, {form.source.issuer}"]
    for pillar in form.pillars:
        lines.append(f"\n{pillar.id}. {pillar.name}")
        lines += [f"  {index.id} {index.name}" for index in pillar.indices]
    lines.append(f"\n{len(form.assigned)} tiêu chí được phân công (xem --json để có đầy đủ).")
    return lines + _notes(form.notes)


def _notes(notes) -> list[str]:
    return (["\nGhi chú áp dụng"] + [f"  - [{n.id}] {n.text}" for n in notes]) if notes else []


@dataclass(frozen=True)
class Kind:
    name: str
    label: str                                   # what the catalog calls a form of this kind
    model: type[Form]
    evaluate: Callable[[str, FormBatch, BatchResult, pd.DataFrame | None], list[Issue]]
    # The files of a kind's forms; the long ones may be written in `background`, joined before
    # the reports read the folder.
    write_outputs: Callable[[BatchResult, list[str], Path, Background], Written]
    write_template: Callable[..., Path]
    describe: Callable[[Form], list[str]]
    size: Callable[[Form], str]                  # "6 chỉ số chính, 32 tiêu chí, 330 điểm"
    scored: bool = False                         # Sở TTTT's adjustments (--verified) apply
    monitoring: bool = False                     # its figures fill a monitoring table's placeholders
    # Each task's standing (task, standing, label, note), kept in a workspace's store per period.
    standings: Callable[[Form, dict, object, str], list[tuple]] | None = None


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("indicators", "Bộ chỉ số", IndicatorSet, _score, _score_files, _indicator_template, _describe_indicators,
         lambda f: f"{len(f.indices)} chỉ số chính, {len(f.criteria)} tiêu chí, {f.total_points:g} điểm", scored=True),
    Kind("targets", "Bảng chỉ tiêu", TargetSet, _aggregate, _monitoring_files, _target_template, _describe_targets,
         lambda f: f"{len(f.targets)} chỉ tiêu", monitoring=True),
    Kind("tasks", "Nhiệm vụ kế hoạch", TaskSet, _keep_reports, _task_files, write_plan_template, _describe_tasks,
         lambda f: f"{len(f.tasks)} nhiệm vụ", standings=_task_standings),
    Kind("assignments", "Phân công theo dõi chỉ số", AssignmentSet, _keep_reports, _assignment_files,
         write_plan_template, _describe_assignments, lambda f: f"{len(f.assigned)} tiêu chí"),
)}
MODELS = {name: kind.model for name, kind in KINDS.items()}


def kind_of(form: Form) -> Kind:
    return KINDS[form.kind]


def forms_dirs(extra: tuple[Path, ...] = ()) -> tuple[Path, ...]:
    """The user's form folders: those named on the command line, then the environment's."""
    env = tuple(Path(p) for p in os.environ.get(FORMS_ENV, "").split(os.pathsep) if p)
    return tuple(extra) + env


@lru_cache(maxsize=8)
def _catalog(dirs: tuple[Path, ...]) -> Catalog:
    return load_catalog(MODELS, dirs, cache_dir=cache_dir())


def catalog(extra: tuple[Path, ...] = ()) -> Catalog:
    """The built-in forms plus the user's own (cached per set of folders)."""
    return _catalog(tuple(p.resolve() for p in forms_dirs(tuple(Path(p) for p in extra))))


def get_form(form_id: str, version: str | None = None) -> Form:
    return catalog().get(form_id, version)


def load_form_file(path: Path) -> Form:
    """One form file on its own, validated; every problem raised at once."""
    form, problems = read_form_file(Path(path), MODELS)
    if problems:
        raise CatalogError(problems)
    return form


def check_files(paths: list[Path]) -> list[Problem]:
    """Every problem of each form file (`catalog check`), not only the first."""
    return check_form_files(paths, MODELS)


SCHEMA_ID = "https://dti-report/form-schema.json"


def form_schema() -> dict:
    """The JSON Schema of a form file, built from the models: one branch per kind, told
    apart by `kind` (an indicator set may omit it). Shipped as dti_report/data/form-schema.json
    so an editor completes and checks form files."""
    defs: dict = {}
    branches = []
    for name, kind in KINDS.items():
        schema = kind.model.model_json_schema(by_alias=True, ref_template=f"#/$defs/{name}.{{model}}")
        defs.update({f"{name}.{key}": value for key, value in schema.pop("$defs", {}).items()})
        schema["properties"] = {"kind": {"const": name, "title": "Loại biểu mẫu"}, **schema["properties"]}
        if name != DEFAULT_KIND:
            schema["required"] = ["kind", *schema.get("required", [])]
        schema["title"] = f"{kind.label} ({name})"
        defs[name] = schema
        branches.append({"$ref": f"#/$defs/{name}"})
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "Tệp biểu mẫu dti-report", "oneOf": branches, "$defs": dict(sorted(defs.items()))}
