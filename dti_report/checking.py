"""`check`: what a unit runs before sending, one workbook read, typed and evaluated as
the batch would, so `check` and `run` say the same thing about it.

A module of its own beside pipeline: checking a file reads and evaluates, it writes
nothing, so it does not load the run's writers and reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dti_report.batch.run import BatchResult, form_batch
from dti_report.core.issues import Issue
from dti_report.evaluation.engine import Result
from dti_report.forms.catalog import Catalog
from dti_report.forms.units import Registry
from dti_report.kinds import kind_of
from dti_report.workbook.reader import ACCEPTED, DEFAULT_TIMEZONE, Limits, Submission, read_submission


@dataclass
class CheckedFile:
    submission: Submission
    issues: list[Issue]
    result: Result | None


def check_file(path: Path, registry: Registry, catalog: Catalog, limits: Limits = Limits(),
               period: str | None = None, root: Path | None = None, *,
               timezone: str = DEFAULT_TIMEZONE) -> CheckedFile:
    """The file read, typed and evaluated as the batch would. With a period, a workbook
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
