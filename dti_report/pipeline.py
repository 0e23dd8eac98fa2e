"""The library's entry points, one call each: run a period, render reports again from
a run's folder, make blank workbooks, ask the workspace's store. The command line only
parses options, calls one of these and prints what they return. Checking one file is
checking.py; the forms catalog and report settings in force are in_force.py (neither
loads the writers).

A run: discover → read → supersede → type (batch) → evaluate (each form by
its kind) → the run's files, each kind's outputs, the analysts' workbook, the
units' feedback → the reports.
"""

from __future__ import annotations

import datetime as dt
import getpass
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from dti_report.batch.history_files import write_history_files
from dti_report.batch.kept_typing import KeptTyping
from dti_report.batch import reminders
from dti_report.batch.recording import arrivals, previous_targets, run_record
from dti_report.batch.results import load_results, write_plan_values
from dti_report.batch.run import BatchResult, counts_by_status, read_batch
from dti_report.batch.run_folder import write_run_files
from dti_report.batch.staging import RunFolder, os_error_text
from dti_report.batch.store import Store, reader_fingerprint, record_when_released
from dti_report.batch.workspace import Workspace, load_workspace
from dti_report.batch.workspace import init_workspace as create_workspace
from dti_report.core.files import write_csv
from dti_report.core.errors import DtiError
from dti_report.core.memory import frozen_heap, release_freed_memory
from dti_report.core.progress import EVALUATING, RECORDING, RUN_FILES, WORKBOOK, WORKBOOK_DONE, Progress
from dti_report.core.workers import Background, available_cores
from dti_report.core.numbers import parse_date
from dti_report.evaluation.timeliness import MISSING, timeliness
from dti_report.evaluation.unit_values import known_fields
from dti_report.core.formatting import period_words
from dti_report.forms.catalog import Catalog
from dti_report.forms.units import Registry
from dti_report.forms.base import Form
from dti_report.in_force import open_store, store_order
from dti_report.forms.placeholders import FUZZY, UNKNOWN, Resolver
from dti_report.kinds import KINDS, kind_of
from dti_report.kinds import catalog as default_catalog
from dti_report.reports.monitoring import (FINDINGS_CSV, findings_frame, load_results_json, previous_json,
                                          resolver_for)
from dti_report.workbook.layout import template_file_name
from dti_report.renderers.monitoring_table import Finding, render_template
from dti_report.reports.rendering import render_reports
from dti_report.reports.feedback import write_feedback
from dti_report.reports.settings import ReportSettings
from dti_report.reports.context import WORKBOOK_NAME
from dti_report.reports.workbook import write_results_workbook
from dti_report.workbook.longfile import OVERRIDE_COLUMNS, read_long_file
from dti_report.workbook.reader import DEFAULT_TIMEZONE, Limits


class PipelineError(DtiError):
    pass


class StrictError(PipelineError):
    """--strict: a monitoring placeholder matched fuzzily or not at all; the run is not kept."""


def default_workers() -> int:
    """One process per core this process may use: reading, the units' feedback workbooks and
    scorecards, and the PDF conversion all spread over them."""
    return available_cores()


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


def evaluate_batch(batch: BatchResult, overrides_path: Path | None = None,
                   overrides: pd.DataFrame | None = None, progress: Progress | None = None) -> None:
    """Each form's typed values evaluated by its kind; Sở TTTT's adjustments (a file, or
    rows already read: the workspace's store) go to the scored forms whose units they name."""
    progress = progress or Progress()
    if overrides_path is not None:
        overrides = read_long_file(overrides_path, OVERRIDE_COLUMNS)
    progress.phase(EVALUATING, len(batch.forms))
    for key, fb in progress.counted(list(batch.forms.items())):
        kind = kind_of(fb.form)
        mine = overrides[overrides["unit_code"].isin(fb.data.units)] if overrides is not None and kind.scored else None
        batch.issues += kind.evaluate(key, fb, batch, mine)
    batch.issues = list(dict.fromkeys(batch.issues))


def run_batch(inputs: Path, period: str, registry: Registry, catalog: Catalog | None = None, *,
              overrides_path: Path | None = None, expect_forms: list[str] = (), workers: int | None = None,
              limits: Limits = Limits(), decisions: Path | None = None,
              timezone: str = DEFAULT_TIMEZONE, progress: Progress | None = None) -> BatchResult:
    """A period read and evaluated, nothing written: what a script or a test looks at.
    `decisions`: the clerk's file of returns pinned for their unit (batch.inbox)."""
    catalog = catalog or default_catalog()
    batch = read_batch(Path(inputs), period, registry, catalog, expect_forms=list(expect_forms), limits=limits,
                       workers=workers or default_workers(), decisions=decisions, timezone=timezone,
                       progress=progress)
    evaluate_batch(batch, overrides_path, progress=progress)
    if progress is not None:
        progress.finish()
    return batch


def write_outputs(batch: BatchResult, out_dir: Path, catalog: Catalog, settings: ReportSettings, *,
                  pdf: bool = False, workers: int = 1, extra: Callable[[Path], list[Path]] | None = None,
                  progress: Progress | None = None, background: Background | None = None,
                  previous: Path | None = None) -> tuple[list[Path], list[Finding]]:
    """Everything a run leaves in its folder; reports render from the files written, as
    `report` does later. `extra` writes more files before the reports read the folder
    (a workspace's comparisons, timeliness and adjustments). What nothing after reads (the
    issues workbook, the analysts' workbook, the set reports) is written in `background` when
    given, while the rest goes on (the caller waits for it: finish_background); else here, in turn.
    `previous`: the previous run's folder, whose unit workbooks made from the same are reused."""
    progress = progress or Progress()
    background = background or Background(enabled=False)
    release_freed_memory()  # what typing the rows used
    with frozen_heap():  # the batch, read and evaluated, from here on
        return _write_outputs(batch, out_dir, catalog, settings, pdf, workers, extra, progress, background, previous)


def _write_outputs(batch: BatchResult, out_dir: Path, catalog: Catalog, settings: ReportSettings, pdf: bool,
                   workers: int, extra: Callable[[Path], list[Path]] | None, progress: Progress,
                   background: Background, previous: Path | None) -> tuple[list[Path], list[Finding]]:
    progress.phase(RUN_FILES)
    findings: list[Finding] = []
    by_kind: dict[str, list[str]] = defaultdict(list)
    for form_id, fb in batch.forms.items():
        by_kind[fb.form.kind].append(form_id)
    # The kinds' long files (scores.csv) are written in processes of their own while the rest
    # is, and waited for before the reports read the folder.
    with Background(enabled=background.enabled) as read_back:
        kinds_written = []
        for form_ids in by_kind.values():
            paths, found = kind_of(batch.forms[form_ids[0]].form).write_outputs(batch, form_ids, out_dir, read_back)
            kinds_written += paths
            findings += found
        written = write_run_files(batch, out_dir, background) + kinds_written
        if findings:
            written.append(write_csv(findings_frame(findings), out_dir / FINDINGS_CSV))
        # What the plan reports need, beside run.json: `report --results` rebuilds them from it.
        written += write_plan_values(out_dir, batch.period, batch.plans,
                                     {p: [u.code for u in batch.missing.get(p, [])] for p in batch.plans},
                                     {p: batch.forms[p].form.version for p in batch.plans})
        if extra is not None:
            written += extra(out_dir)
    results = load_results(out_dir, catalog, registry=batch.registry)
    progress.phase(WORKBOOK)
    background.start(write_results_workbook, results, out_dir / WORKBOOK_NAME)
    written.append(out_dir / WORKBOOK_NAME)
    release_freed_memory()
    written += write_feedback(batch, out_dir, workers, progress=progress, previous=previous)
    release_freed_memory()
    written += render_reports(results, settings, pdf=pdf, workbook=False, workers=workers, progress=progress,
                              background=background, previous=previous)
    progress.finish()
    return written, findings


def finish_background(background: Background, progress: Progress) -> None:
    """The run's last phase: what was written in the background, waited for (the analysts'
    workbook, the largest, is what it usually waits for)."""
    progress.phase(WORKBOOK_DONE)
    background.wait()
    progress.finish()


def run_period(inputs: Path, out_dir: Path, period: str, registry: Registry, catalog: Catalog,
               settings: ReportSettings, *, overrides_path: Path | None = None, expect_forms: list[str] = (),
               workers: int | None = None, pdf: bool = False, strict: bool = False, limits: Limits = Limits(),
               progress: Progress | None = None, decisions: Path | None = None,
               timezone: str = DEFAULT_TIMEZONE, final: bool = False) -> RunOutcome:
    """One period, from the inbox to every report. The output folder ends holding this run
    whole, or, if anything fails (or --strict finds a placeholder problem), the previous
    run as it was. `progress` hears of each phase (core.progress). `final`: the period's
    official results (BatchResult.final)."""
    inputs, out_dir = Path(inputs), Path(out_dir)
    if inputs.resolve() == out_dir.resolve() or out_dir.resolve().is_relative_to(inputs.resolve()):
        raise PipelineError("thư mục kết quả không được nằm trong thư mục đầu vào")
    for form_id in expect_forms:
        catalog.get(form_id)
    workers = workers or default_workers()
    folder = RunFolder(out_dir)
    overrides = read_long_file(overrides_path, OVERRIDE_COLUMNS) if overrides_path is not None else None
    progress = progress or Progress()
    with folder.writing() as staging, Background(enabled=workers > 1) as background:
        batch = read_batch(inputs, period, registry, catalog, expect_forms=list(expect_forms), limits=limits,
                           workers=workers, progress=progress, decisions=decisions, timezone=timezone)
        batch.final = final
        evaluate_batch(batch, overrides=overrides, progress=progress)
        written, findings = write_outputs(
            batch, staging, catalog, settings, pdf=pdf, workers=workers,
            extra=lambda out: write_history_files(out, batch, None, None, {}, None, overrides), progress=progress,
            background=background, previous=folder.previous)
        finish_background(background, progress)
        outcome = RunOutcome(batch, out_dir, [], findings)
        if strict and outcome.placeholder_problems:
            listed = "; ".join(f"{f.location}: {f.written}" for f in outcome.placeholder_problems[:10])
            raise StrictError(f"{len(outcome.placeholder_problems)} placeholder khớp gần đúng hoặc không xác định "
                              f"({listed}); kết quả lần chạy này không được ghi")
    outcome.written = [folder.final(p, staging) for p in written]
    return outcome


def report(results_dir: Path, catalog: Catalog, settings: ReportSettings, *, pdf: bool = False,
           workers: int | None = None, day: dt.date | None = None, progress: Progress | None = None) -> list[Path]:
    """The reports of a run rendered again from its folder, without rereading the inbox."""
    try:
        return render_reports(load_results(results_dir, catalog), settings, pdf=pdf, day=day,
                              workers=workers or default_workers(), progress=progress)
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
        target_set, data = load_results_json(results_dir, catalog, form_id)
        return resolver_for(target_set, data, previous_json(results_dir, data.set_id))
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


# --- a workspace: one folder for every period, remembered in its store ---------------------

def init_workspace(root: Path, name: str | None = None, *, units: Path | None = None,
                   report_settings: Path | None = None) -> list[Path]:
    """A new workspace, its store created."""
    written = create_workspace(root, name, units=units, report_settings=report_settings,
                               reminder_text=reminders.DEFAULT_TEXT)
    ws = load_workspace(root)
    Store.open(ws.store_path, ws.backup_dir).close()
    return written + [ws.store_path]


def run_in_workspace(ws: Workspace, period: str, catalog: Catalog, settings: ReportSettings, *,
                     expect_forms: list[str] = (), workers: int | None = None, pdf: bool = False,
                     strict: bool = False, limits: Limits = Limits(), now: dt.datetime | None = None,
                     decisions: Path | None = None, final: bool = False,
                     options: dict | None = None, progress: Progress | None = None) -> RunOutcome:
    """A period of the workspace: its inbox read (only the files whose content the store has
    not seen), evaluated with Sở TTTT's adjustments in force, compared with the stored
    periods, written to its results folder and recorded in the store in one transaction.
    A run that fails or is killed leaves both the results folder and the store as they were."""
    inputs, out_dir = ws.inbox(period), ws.results(period)
    if not inputs.is_dir():
        raise PipelineError(f"chưa có hộp thư {inputs}: hãy tạo thư mục này và chép vào đó các tệp đơn vị gửi "
                            f"cho kỳ {period}")
    registry = ws.registry()
    workers = workers or default_workers()
    progress = progress or Progress()  # its phases' times are kept with the run
    start = now or ws.now()
    started, clock = start.isoformat(), time.monotonic()
    with open_store(ws) as store:
        deadlines = {**store.deadlines(period), **ws.deadlines_for(period)}
        expect = sorted(set(expect_forms) | {s for s in deadlines if s in catalog})
        for form_id in expect:
            catalog.get(form_id)
        reading = store.reading(inputs, period, reader_fingerprint(registry, catalog, period, limits), ws.zone)
        first_run = not store.has_period(period)
        folder = RunFolder(out_dir)
        with folder.writing() as staging, Background(enabled=workers > 1) as background, \
                Background(enabled=workers > 1) as recorder:
            batch = read_batch(inputs, period, registry, catalog, expect_forms=expect, limits=limits,
                               workers=workers, progress=progress, reuse=reading, decisions=decisions,
                               timezone=ws.settings.time_zone, kept=KeptTyping.for_period(ws.store_path, period))
            batch.final = final
            adjustments = store.adjustments_in_force(period)
            evaluate_batch(batch, overrides=adjustments if len(adjustments) else None, progress=progress)
            arrived = arrivals(batch, store, reading, period, started, first_run)
            batch.previous_targets = previous_targets(batch, store)
            moment = dt.datetime.fromisoformat(started)
            standings = {key: (batch.forms[key].form.id,
                               kind.standings(batch.forms[key].form, values, registry, period))
                         for key, values in batch.plans.items()
                         if (kind := kind_of(batch.forms[key].form)).standings is not None}
            record = run_record(batch, reading, started=started, finished=started, arrived=arrived,
                                standings=standings, options={"workers": workers, "pdf": pdf, "strict": strict, "final": final,
                                                              "sets": expect, **(options or {})})
            if recorder.enabled:
                # Recorded by a process of its own while the files are written; committed only once
                # they all are (record_when_released). No SQLite connection crosses the fork.
                store.close()
                recorder.start(record_when_released, ws.store_path, record, held=True, aside=True)
                store.reopen()
            written, findings = write_outputs(
                batch, staging, catalog, settings, pdf=pdf, workers=workers,
                extra=lambda out: write_history_files(out, batch, store, arrived, deadlines, moment, adjustments,
                                                      standings),
                progress=progress, background=background, previous=folder.previous)
            outcome = RunOutcome(batch, out_dir, [], findings)
            if strict and outcome.placeholder_problems:
                listed = "; ".join(f"{f.location}: {f.written}" for f in outcome.placeholder_problems[:10])
                raise StrictError(f"{len(outcome.placeholder_problems)} placeholder khớp gần đúng hoặc không xác định "
                                  f"({listed}); kết quả lần chạy này không được ghi, kho dữ liệu giữ nguyên")
            finish_background(background, progress)
            # The end as the run's own clock says: `now` given (a replayed day) stays its day.
            record.finished = (start + dt.timedelta(seconds=round(time.monotonic() - clock))).isoformat()
            progress.phase(RECORDING)
            if recorder.enabled:
                recorder.release((record.finished, progress.durations()))
                recorder.wait()
            else:
                release_freed_memory()
                record.phases = progress.durations
                store.record_run(record)
            progress.finish()
        outcome.written = [folder.final(p, staging) for p in written]
    return outcome


def check_adjustments(rows: pd.DataFrame, registry: Registry, catalog: Catalog) -> list[str]:
    """What is wrong with an adjustments file, row by row: a missing reason, a unit not in
    the registry, a field no scored set of the unit asks."""
    by_code = registry.by_code()
    sets_of = {level.id: level.sets for level in registry.levels}
    problems = []
    for row in rows.itertuples(index=False):
        where = f"{row.file} {row.cell}"
        unit = by_code.get(row.unit_code)
        if not str(getattr(row, "reason", "")).strip():
            problems.append(f"{where}: điều chỉnh trường '{row.field}' của đơn vị {row.unit_code} không có lý do")
        if unit is None:
            problems.append(f"{where}: mã đơn vị '{row.unit_code}' không có trong danh mục")
            continue
        forms = [catalog.get(s) for s in sets_of.get(unit.level, ()) if s in catalog]
        forms = [f for f in forms if kind_of(f).scored]
        if not any(row.field in known_fields(f) for f in forms):
            problems.append(f"{where}: trường '{row.field}' không có trong bộ chỉ số của đơn vị {row.unit_code} "
                            f"({', '.join(f.id for f in forms) or 'không có bộ chỉ số được chấm điểm'})")
    return problems


def record_adjustments(ws: Workspace, period: str, path: Path, catalog: Catalog, *, by: str | None = None,
                       now: dt.datetime | None = None) -> int:
    """Sở TTTT's adjustments (unit_code, field, value, reason) recorded in the store with who
    and when; nothing is recorded if any row is wrong. Returns how many are new."""
    rows = read_long_file(path, OVERRIDE_COLUMNS)
    problems = check_adjustments(rows, ws.registry(), catalog)
    if problems:
        listed = "; ".join(problems[:10]) + (f"; và {len(problems) - 10} lỗi khác" if len(problems) > 10 else "")
        raise PipelineError(f"tệp điều chỉnh có lỗi, chưa ghi điều chỉnh nào: {listed}")
    who = by or getpass.getuser()
    with open_store(ws) as store:
        return store.add_adjustments(period, rows[["unit_code", "field", "value", "reason"]].to_dict("records"), who,
                                     (now or ws.now()).isoformat(), Path(path).name)


def record_deadline(ws: Workspace, set_id: str, period: str, text: str, source: str = "templates --deadline") -> dt.date:
    """A deadline given when the blank workbooks were made, kept in the store for timeliness."""
    day = parse_date(text)
    if day is None:
        raise PipelineError(f"hạn gửi '{text}' không phải ngày (ghi theo dạng ngày/tháng/năm, ví dụ 15/01/2027)")
    with open_store(ws) as store:
        store.set_deadline(set_id, period, day, source, ws.now().isoformat())
    return day


def period_status(ws: Workspace, period: str, catalog: Catalog, now: dt.datetime | None = None) -> pd.DataFrame:
    """Per set and awaited unit, at `now`: on time, late by N days, or missing, as the last
    run of the period found the inbox (timeliness.COLUMNS)."""
    now = now or ws.now()
    registry = ws.registry()
    names = {u.code: u.name for u in registry.units}
    with open_store(ws) as store:
        if store.runs(period).empty:
            raise PipelineError(f"kỳ {period} chưa được tổng hợp; hãy chạy dti-report run {period}")
        deadlines = {**store.deadlines(period), **ws.deadlines_for(period)}
        expected = store.frame("SELECT DISTINCT set_id, unit_code FROM expected_units WHERE period = ? "
                               "ORDER BY rowid", (period,))
        sent = store.frame("SELECT set_id, unit_code, MIN(arrived) AS arrived FROM submissions WHERE period = ? "
                           "GROUP BY set_id, unit_code", (period,))
        rejected = store.frame("SELECT set_id, unit_code, COUNT(*) AS n FROM files WHERE period = ? AND present = 1 "
                               "AND status = 'rejected' AND unit_code != '' GROUP BY set_id, unit_code", (period,))
    frames = []
    for set_id in dict.fromkeys(expected["set_id"]):
        units = [c for c in expected.loc[expected["set_id"] == set_id, "unit_code"]]
        mine = sent[sent["set_id"] == set_id]
        bad = rejected[rejected["set_id"] == set_id]
        frames.append(timeliness(set_id, [(c, names.get(c, c)) for c in dict.fromkeys(units)],
                                 dict(zip(mine["unit_code"], mine["arrived"])), dict(zip(bad["unit_code"], bad["n"])),
                                 deadlines.get(set_id), now))
    return pd.concat(frames, ignore_index=True) if frames else timeliness("", [], {}, {}, None, now)


def write_reminders(ws: Workspace, period: str, catalog: Catalog,
                    now: dt.datetime | None = None) -> tuple[list[Path], list[str]]:
    """One .eml per unit that has not sent a valid workbook of a set awaited in the period,
    into thu-nhac/<kỳ>/ (emptied first). Returns the files and the units without an email."""
    status = period_status(ws, period, catalog, now)
    missing = status[status["status"] == MISSING]
    template = ws.reminder_template
    text = template.read_text(encoding="utf-8") if template.is_file() else reminders.DEFAULT_TEXT
    source = str(template) if template.is_file() else "thư nhắc có sẵn"
    registry = ws.registry()
    by_code = registry.by_code()
    folder = ws.reminders(period)
    if folder.is_dir():
        for old in folder.glob("*.eml"):
            old.unlink()
    written, no_email = [], []
    for row in missing.to_dict("records"):
        form = catalog.get(row["set_id"])
        unit = by_code[row["unit_code"]]
        name = template_file_name(unit.code, form.id, period)
        blank = ws.blanks(period) / name
        if not blank.is_file():
            write_unit_templates(form, registry, period, ws.blanks(period), unit_codes=[unit.code],
                                 deadline=fmt_day(row["deadline"]))
        values = {"ten_don_vi": unit.name, "ma_don_vi": unit.code, "bo_chi_so": form.title, "ma_bo_chi_so": form.id,
                  "ky": period_words(period), "han_gui": fmt_day(row["deadline"]) or "chưa đặt",
                  "tinh_trang": row["note"] or "chưa gửi", "tep_dinh_kem": name, "noi_gui": ws.settings.name}
        message = reminders.reminder(text, source, values, to=unit.email, sender=ws.settings.sender,
                                     attachment=(name, blank.read_bytes()))
        written.append(reminders.write_eml(message, folder / f"{unit.code}_{form.id}_{period}.eml"))
        if not unit.email:
            no_email.append(unit.name)
    return written, no_email


def fmt_day(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def unit_history(ws: Workspace, unit_code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A unit across the stored periods: per period and set its version, total, rank (of how
    many), self-assessed total, arrival, errors and warnings; and every issue of it."""
    registry = ws.registry()
    if unit_code not in registry.by_code():
        raise PipelineError(f"mã đơn vị '{unit_code}' không có trong danh mục {ws.registry_path}")
    with open_store(ws) as store:
        sent = store.frame("SELECT period, set_id, set_version, MIN(arrived) AS arrived FROM submissions "
                           "WHERE unit_code = ? GROUP BY period, set_id", (unit_code,))
        totals = store.frame(
            "SELECT t.period, t.set_id, t.total, t.rank, t.self_total, (SELECT COUNT(*) FROM totals o "
            "WHERE o.period = t.period AND o.set_key = t.set_key) AS units FROM totals t WHERE t.unit_code = ?",
            (unit_code,))
        issues = store.frame("SELECT period, severity, code, file, cell, field, message FROM issues WHERE unit = ? "
                             "ORDER BY period, seq", (unit_code,))
    table = sent.merge(totals, on=["period", "set_id"], how="left")
    counts = issues.groupby(["period", "severity"]).size().unstack(fill_value=0) if len(issues) else pd.DataFrame()
    for severity in ("error", "warning"):
        table[severity] = table["period"].map(counts[severity] if severity in counts else {}).fillna(0).astype(int)
    table = table.sort_values("period", key=lambda s: s.map(store_order), kind="stable").reset_index(drop=True)
    return table, issues


EXPORT_COLUMNS = ["period", "set_id", "set_version", "unit_code", "unit_name", "measure", "item", "value",
                  "self_value", "max_points", "rank", "status"]


def export_table(ws: Workspace) -> pd.DataFrame:
    """Every stored period in one long table: criterion scores, main-index points, totals and
    ranks, target figures and task standings (`measure` says which)."""
    with open_store(ws) as store:
        frame = store.frame("""
            SELECT period, set_id, set_version, unit_code, 'criterion' AS measure, criterion AS item,
                   verified_score AS value, self_score AS self_value, max_points, NULL AS rank, status FROM scores
            UNION ALL
            SELECT i.period, t.set_id, t.set_version, i.unit_code, 'index', i.index_id, i.points, NULL, NULL, NULL, NULL
              FROM index_totals i JOIN totals t ON t.period = i.period AND t.set_key = i.set_key
                                               AND t.unit_code = i.unit_code
            UNION ALL
            SELECT period, set_id, set_version, unit_code, 'total', '', total, self_total, NULL, rank, NULL FROM totals
            UNION ALL
            SELECT f.period, d.set_id, d.set_version, '', 'target', f.key, f.value, NULL, NULL, NULL, f.verdict
              FROM target_figures f JOIN target_data d ON d.period = f.period AND d.set_key = f.set_key
            UNION ALL
            SELECT period, plan_id, '', '', 'task', task_id, NULL, NULL, NULL, NULL, standing FROM task_standings
            """)
    names = {u.code: u.name for u in ws.registry().units}
    frame.insert(4, "unit_name", frame["unit_code"].map(lambda c: names.get(c, "")))
    frame["rank"] = frame["rank"].astype("Int64")
    order = ["criterion", "index", "total", "target", "task"]
    frame["_m"] = frame["measure"].map(order.index)
    frame = frame.sort_values(["period", "set_id", "set_version", "_m", "unit_code", "item"], kind="stable").drop(columns="_m")
    return frame[EXPORT_COLUMNS].reset_index(drop=True)


def export(ws: Workspace, target: Path, parquet: bool = False) -> list[Path]:
    """The long table as CSV (UTF-8 with BOM, for Excel), and as Parquet when pyarrow is there."""
    frame = export_table(ws)
    written = [write_csv(frame, target)]
    if parquet:
        try:
            frame.to_parquet(Path(target).with_suffix(".parquet"), index=False)
        except ImportError:
            raise PipelineError("ghi Parquet cần gói pyarrow (pip install pyarrow); tệp CSV đã được ghi") from None
        written.append(Path(target).with_suffix(".parquet"))
    return written


def adjustment_history(ws: Workspace, period: str | None = None, unit: str | None = None) -> pd.DataFrame:
    """Every recorded adjustment (of a period, of a unit), with the one that replaced it."""
    with open_store(ws) as store:
        return store.adjustments(period, unit)


def last_run(ws: Workspace, period: str) -> dict | None:
    """The period's latest run in the store: when it ended and how many files it found."""
    with open_store(ws) as store:
        runs = store.runs(period)
    return None if runs.empty else runs.iloc[-1].to_dict()
