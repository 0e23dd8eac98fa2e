"""The library's entry points, one call each: run a period, check files, render
reports again from a run's folder. The command line only parses options, calls
one of these and prints what they return.

A run: discover → read → supersede → type (batch) → evaluate (each form by
its kind) → the run's files, each kind's outputs, the analysts' workbook, the
units' feedback → the reports.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from dti_report.batch.results import load_results, write_plan_values
from dti_report.batch.run import BatchResult, counts_by_status, form_batch, read_batch
from dti_report.batch.run_folder import write_run_files
from dti_report.batch.staging import RunFolder, os_error_text
from dti_report.core.files import write_csv
from dti_report.core.errors import DtiError
from dti_report.core.issues import Issue
from dti_report.evaluation.engine import Result
from dti_report.forms.catalog import Catalog
from dti_report.forms.units import Registry
from dti_report.forms.base import Form
from dti_report.forms.placeholders import FUZZY, UNKNOWN, Resolver
from dti_report.kinds import KINDS, kind_of
from dti_report.kinds import catalog as default_catalog
from dti_report.reports.monitoring import FINDINGS_CSV, findings_frame, load_results_json, resolver_for
from dti_report.workbook.layout import template_file_name
from dti_report.renderers.monitoring_table import Finding, render_template
from dti_report.reports import render_reports
from dti_report.reports.feedback import write_feedback
from dti_report.reports.settings import ReportSettings
from dti_report.reports.workbook import write_results_workbook
from dti_report.workbook.longfile import OVERRIDE_COLUMNS, read_long_file
from dti_report.workbook.reader import ACCEPTED, DEFAULT_TIMEZONE, Limits, Submission, read_submission


class PipelineError(DtiError):
    pass


class StrictError(PipelineError):
    """--strict: a monitoring placeholder matched fuzzily or not at all; the run is not kept."""


def default_workers() -> int:
    return min(4, os.cpu_count() or 1)


@dataclass
class RunOutcome:
    batch: BatchResult
    out_dir: Path
    written: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # monitoring placeholders and how each resolved

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        return counts_by_status(self.batch)

    @property
    def placeholder_problems(self) -> list[Finding]:
        return [f for f in self.findings if f.status in (FUZZY, UNKNOWN)]


def evaluate_batch(batch: BatchResult, overrides_path: Path | None = None) -> None:
    """Each form's typed values evaluated by its kind; Sở TTTT's adjustments go to the
    scored forms whose units they name."""
    overrides = read_long_file(overrides_path, OVERRIDE_COLUMNS) if overrides_path is not None else None
    for key, fb in batch.forms.items():
        kind = kind_of(fb.form)
        mine = overrides[overrides["unit_code"].isin(fb.data.units)] if overrides is not None and kind.scored else None
        batch.issues += kind.evaluate(key, fb, batch, mine)
    batch.issues = list(dict.fromkeys(batch.issues))


def run_batch(inputs: Path, period: str, registry: Registry, catalog: Catalog | None = None, *,
              overrides_path: Path | None = None, expect_forms: list[str] = (), workers: int | None = None,
              limits: Limits = Limits(), decisions: Path | None = None,
              timezone: str = DEFAULT_TIMEZONE) -> BatchResult:
    """A period read and evaluated, nothing written: what a script or a test looks at.
    `decisions`: the clerk's file of returns pinned for their unit (batch.inbox)."""
    catalog = catalog or default_catalog()
    batch = read_batch(Path(inputs), period, registry, catalog, expect_forms=list(expect_forms), limits=limits,
                       workers=workers or default_workers(), decisions=decisions, timezone=timezone)
    evaluate_batch(batch, overrides_path)
    return batch


def write_outputs(batch: BatchResult, out_dir: Path, catalog: Catalog, settings: ReportSettings, *,
                  pdf: bool = False, workers: int = 1) -> tuple[list[Path], list[Finding]]:
    """Everything a run leaves in its folder; reports render from the files written, as
    `report` does later."""
    written = write_run_files(batch, out_dir)
    findings: list[Finding] = []
    by_kind: dict[str, list[str]] = defaultdict(list)
    for form_id, fb in batch.forms.items():
        by_kind[fb.form.kind].append(form_id)
    for form_ids in by_kind.values():
        paths, found = kind_of(batch.forms[form_ids[0]].form).write_outputs(batch, form_ids, out_dir)
        written += paths
        findings += found
    if findings:
        written.append(write_csv(findings_frame(findings), out_dir / FINDINGS_CSV))
    # What the plan reports need, beside run.json: `report --results` rebuilds them from it.
    written += write_plan_values(out_dir, batch.period, batch.plans,
                                 {p: [u.code for u in batch.missing.get(p, [])] for p in batch.plans},
                                 {p: batch.forms[p].form.version for p in batch.plans})
    results = load_results(out_dir, catalog)
    written.append(write_results_workbook(results))
    written += write_feedback(batch, out_dir, workers)
    written += render_reports(results, settings, pdf=pdf, workbook=False, workers=workers)
    return written, findings


def run_period(inputs: Path, out_dir: Path, period: str, registry: Registry, catalog: Catalog,
               settings: ReportSettings, *, overrides_path: Path | None = None, expect_forms: list[str] = (),
               workers: int | None = None, pdf: bool = False, strict: bool = False, limits: Limits = Limits(),
               on_start: Callable[[int], None] | None = None,
               on_done: Callable[[], None] | None = None, decisions: Path | None = None,
               timezone: str = DEFAULT_TIMEZONE) -> RunOutcome:
    """One period, from the inbox to every report. The output folder ends holding this run
    whole, or, if anything fails (or --strict finds a placeholder problem), the previous
    run as it was."""
    inputs, out_dir = Path(inputs), Path(out_dir)
    if inputs.resolve() == out_dir.resolve() or out_dir.resolve().is_relative_to(inputs.resolve()):
        raise PipelineError("thư mục kết quả không được nằm trong thư mục đầu vào")
    for form_id in expect_forms:
        catalog.get(form_id)
    workers = workers or default_workers()
    folder = RunFolder(out_dir)
    with folder.writing() as staging:
        batch = read_batch(inputs, period, registry, catalog, expect_forms=list(expect_forms), limits=limits,
                           workers=workers, on_start=on_start, on_done=on_done, decisions=decisions,
                           timezone=timezone)
        evaluate_batch(batch, overrides_path)
        written, findings = write_outputs(batch, staging, catalog, settings, pdf=pdf, workers=workers)
        outcome = RunOutcome(batch, out_dir, [], findings)
        if strict and outcome.placeholder_problems:
            listed = "; ".join(f"{f.location}: {f.written}" for f in outcome.placeholder_problems[:10])
            raise StrictError(f"{len(outcome.placeholder_problems)} placeholder khớp gần đúng hoặc không xác định "
                              f"({listed}); kết quả lần chạy này không được ghi")
    outcome.written = [folder.final(p, staging) for p in written]
    return outcome


@dataclass
class CheckedFile:
    submission: Submission
    issues: list[Issue]
    result: Result | None


def check_file(path: Path, registry: Registry, catalog: Catalog, limits: Limits = Limits(),
               period: str | None = None, root: Path | None = None, *,
               timezone: str = DEFAULT_TIMEZONE) -> CheckedFile:
    """What a unit runs before sending: the file read, typed and evaluated as the batch
    would, so `check` and `run` say the same thing about it. With a period, a workbook
    made for another one is refused, as in the batch."""
    path = Path(path)
    sub = read_submission(path, root or path.parent, registry, period, limits, catalog=catalog, timezone=timezone)
    issues, result = list(sub.issues), None
    if sub.status == ACCEPTED:
        form = catalog.get(sub.set_id, sub.set_version if sub.set_version in catalog.forms[sub.set_id] else None)
        fb = form_batch(form, [sub], registry, sub.period)
        batch = BatchResult(sub.period, registry, [sub], {form.id: fb})
        found = fb.data.issues + kind_of(form).evaluate(form.id, fb, batch, None)
        issues += [i for i in dict.fromkeys(found) if i not in issues]
        result = batch.results.get(form.id)
    return CheckedFile(sub, issues, result)


def report(results_dir: Path, catalog: Catalog, settings: ReportSettings, *, pdf: bool = False,
           workers: int | None = None, day: dt.date | None = None) -> list[Path]:
    """The reports of a run rendered again from its folder, without rereading the inbox."""
    try:
        return render_reports(load_results(results_dir, catalog), settings, pdf=pdf, day=day,
                              workers=workers or default_workers())
    except OSError as exc:
        raise PipelineError(os_error_text(exc, exc.filename or results_dir)) from None


def write_unit_templates(form: Form, registry: Registry, period: str, out_dir: Path, *, unit_codes: list[str] = (),
                         deadline: str | None = None, contact: str | None = None) -> list[Path]:
    """One blank workbook per unit the form is for (or per unit named), named by codes only."""
    eligible = {u.code: u for u in form.expected_units(registry)}
    if unit_codes:
        unknown = [c for c in unit_codes if c not in registry.by_code()]
        if unknown:
            raise PipelineError(f"mã đơn vị không có trong danh mục: {', '.join(unknown)}")
        foreign = [c for c in unit_codes if c not in eligible]
        if foreign:
            raise PipelineError(f"đơn vị không đánh giá theo bộ chỉ số {form.id}: {', '.join(foreign)}")
        units = [eligible[c] for c in unit_codes]
    else:
        units = list(eligible.values())
    if not units:
        raise PipelineError(f"danh mục đơn vị không có đơn vị nào đánh giá theo bộ chỉ số {form.id}")
    write = kind_of(form).write_template
    return [write(form, u, registry, period, Path(out_dir) / template_file_name(u.code, form.id, period),
                  deadline=deadline, contact=contact) for u in units]


def placeholder_resolver(catalog: Catalog, results_dir: Path | None, form_id: str | None) -> Resolver:
    """What `render` and `lint` resolve placeholders with: a run's figures, or, without a
    run, the names of a form that has a monitoring table."""
    if results_dir is not None:
        return resolver_for(*load_results_json(results_dir, catalog, form_id))
    tables = [f for f in catalog.latest() if KINDS[f.kind].monitoring]
    chosen = [f for f in tables if f.id == form_id] if form_id else tables
    if len(chosen) != 1:
        raise PipelineError("chọn bảng chỉ tiêu bằng --set: " + ", ".join(f.id for f in tables))
    return Resolver(chosen[0])


def render(template: Path, catalog: Catalog, results_dir: Path | None, out_file: Path | None, *,
           form_id: str | None = None, strict: bool = False) -> list[Finding]:
    """A Word/Excel template with [[placeholders]] filled from a run (or, without an output
    file, only resolved: `lint`); every placeholder and how it resolved."""
    return render_template(template, placeholder_resolver(catalog, results_dir, form_id), out_file, strict=strict)
