"""The monthly batch: every file under the inputs folder is read, validated,
accounted for in the manifest; the accepted submissions of each form are typed
together. Evaluating them is the kind's business (dti_report.kinds).

Inputs are only ever read. When one unit sent several workbooks for the same
form, the newest wins: the one whose own save stamp (docProps/core.xml
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

from dti_report.core.issues import Issue
from dti_report.evaluation.engine import Result
from dti_report.evaluation.targets import TargetData
from dti_report.evaluation.unit_values import UnitValues, type_rows
from dti_report.forms.base import Form
from dti_report.forms.catalog import Catalog, version_key
from dti_report.forms.units import Registry, Unit
from dti_report.workbook.reader import (ACCEPTED, IGNORED, REJECTED, SUPERSEDED, Limits, Submission, read_submission,
                                        rows_frame)


@dataclass
class FormBatch:
    """One form's part of a period: the accepted rows, typed, and who was awaited."""

    form: Form
    rows: pd.DataFrame
    data: UnitValues
    expected: list[Unit]
    missing: list[Unit]


@dataclass
class BatchResult:
    period: str
    registry: Registry
    submissions: list[Submission]
    forms: dict[str, FormBatch]                # per form id
    issues: list[Issue] = field(default_factory=list)  # every issue of the batch, per file
    # What each kind's evaluation leaves (dti_report.kinds): scores per indicator set,
    # figures per target set, reported values per plan (unit -> field -> value).
    results: dict[str, Result] = field(default_factory=dict)
    targets: dict[str, TargetData] = field(default_factory=dict)
    plans: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)
    # Files whose reading came from the workspace's store (content seen before), by path.
    stored: set[str] = field(default_factory=set)
    # The previous period's figures per target set, from the store: [[kytruoc.Key]].
    previous_targets: dict[str, TargetData] = field(default_factory=dict)

    @property
    def missing(self) -> dict[str, list[Unit]]:
        return {key: fb.missing for key, fb in self.forms.items()}

    def key_of(self, sub: Submission) -> str:
        """Where a submission's form is in `forms`: its id, or "id@version" when the period
        holds several versions of it."""
        versioned = f"{sub.set_id}@{sub.set_version}"
        return versioned if versioned in self.forms else sub.set_id

    def submissions_for(self, status: str) -> list[Submission]:
        return [s for s in self.submissions if s.status == status]


def discover(inputs: Path) -> list[Path]:
    """Every file below the inputs folder, in a stable order."""
    return sorted((p for p in inputs.rglob("*") if p.is_file()), key=lambda p: p.relative_to(inputs).as_posix())


_WORKER_CATALOG: Catalog | None = None


def _init_worker(catalog: Catalog) -> None:
    global _WORKER_CATALOG
    _WORKER_CATALOG = catalog


def _read_in_worker(path: Path, root: Path, registry: Registry, period: str, limits: Limits) -> Submission:
    return read_submission(path, root, registry, period, limits, catalog=_WORKER_CATALOG)


def _read_all(paths: list[Path], root: Path, registry: Registry, catalog: Catalog, period: str, limits: Limits,
              workers: int, on_done: Callable[[], None] | None) -> list[Submission]:
    if workers <= 1 or len(paths) < 50:
        out = []
        for path in paths:
            out.append(read_submission(path, root, registry, period, limits, catalog=catalog))
            if on_done:
                on_done()
        return out
    # The catalog goes to each worker once, not with every file.
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(catalog,)) as pool:
        futures = pool.map(_read_in_worker, paths, [root] * len(paths), [registry] * len(paths),
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


def form_batch(form: Form, submissions: list[Submission], registry: Registry, period: str | None,
               sent: set[str] | None = None) -> FormBatch:
    """The accepted submissions of one form version, typed together with that version: the
    same typing `check` gives a single file, so both name the same issues at the same cells.
    `sent`: units that sent this form in any version (none of them is missing)."""
    accepted = [s for s in submissions if s.status == ACCEPTED and s.set_id == form.id and s.set_version == form.version]
    rows = rows_frame([r for s in accepted for r in s.records])
    units = sorted({s.unit_code for s in accepted})
    data = type_rows(form, rows, units, period)
    expected = form.expected_units(registry)
    sent = set(units) if sent is None else sent
    return FormBatch(form, rows, data, expected, [u for u in expected if u.code not in sent])


def read_batch(inputs: Path, period: str, registry: Registry, catalog: Catalog, *,
               expect_forms: list[str] | None = None, limits: Limits = Limits(), workers: int | None = None,
               on_start: Callable[[int], None] | None = None,
               on_done: Callable[[], None] | None = None,
               reuse: Callable[[Path], Submission | None] | None = None) -> BatchResult:
    """Discover, read, supersede and type: everything before the kinds evaluate.
    `reuse` gives a file's stored reading when its content was read before (the
    workspace's store); only the other files are read."""
    paths = discover(inputs)
    known = {p: sub for p in paths if (sub := reuse(p)) is not None} if reuse else {}
    fresh = [p for p in paths if p not in known]
    if on_start:
        on_start(len(fresh))
    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    read = dict(zip(fresh, _read_all(fresh, inputs, registry, catalog, period, limits, workers, on_done)))
    submissions = [known.get(p) or read[p] for p in paths]
    mark_superseded(submissions)
    # The forms this period is about: those the inputs hold (accepted or not) and those asked for.
    # A form nobody sent anything for is only awaited when named: a quarterly plan run does not
    # wait for the yearly DTI.
    form_ids = sorted({s.set_id for s in submissions if s.set_id and s.set_id in catalog} | set(expect_forms or ()))
    issues = [i for s in submissions for i in s.issues]
    forms: dict[str, FormBatch] = {}
    for form_id in form_ids:
        # Each workbook is read with the version it was made from; a period holding several
        # versions of one form evaluates each version apart ("id@version").
        mine = [s for s in submissions if s.set_id == form_id and s.status == ACCEPTED]
        versions = sorted({s.set_version for s in mine}, key=version_key) or [catalog.get(form_id).version]
        sent = {s.unit_code for s in mine}
        for n, version in enumerate(versions):
            # Who has not sent is said once, beside the newest version.
            newest = n == len(versions) - 1
            fb = form_batch(catalog.get(form_id, version), submissions, registry, period,
                            sent if newest else {u.code for u in registry.units})
            key = form_id if len(versions) == 1 else f"{form_id}@{version}"
            forms[key] = fb
            issues += fb.data.issues
            issues += [Issue("missing-submission", unit=u.code, detail=form_id) for u in fb.missing]
    return BatchResult(period, registry, submissions, forms, issues, stored={s.path for s in known.values()})


def counts_by_status(batch: BatchResult) -> dict[str, dict[str, int]]:
    """Per form: how many files were accepted, rejected, superseded; ignored files under ''."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: {ACCEPTED: 0, REJECTED: 0, SUPERSEDED: 0, IGNORED: 0})
    for sub in batch.submissions:
        table[sub.set_id if sub.status != IGNORED else ""][sub.status] += 1
    return dict(table)
