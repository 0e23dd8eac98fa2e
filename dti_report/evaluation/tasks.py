"""Task tracking: each task's standing against its deadline and the reporting
period, from what its lead agency reported.

Standings: done on time, done late, in progress (not yet due), overdue (due and
not done), no report, and a report that cannot be read (a status not in the list,
a date that is no real day: the unit did report, but nothing can be concluded
until it corrects its workbook). A "thường xuyên" (continuous) or "theo tiến độ dự án"
(project) task is never overdue; an "đã ban hành" task is done.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from dti_report.core.numbers import parse_date
from dti_report.forms.periods import period_end
from dti_report.forms.plans import TASK_DATE, TASK_DOCUMENT, TASK_ISSUES, TASK_STATUS, Deadline, Task, TaskSet
from dti_report.core.text import fold

ON_TIME, LATE, IN_PROGRESS, OVERDUE, NO_REPORT = "on-time", "late", "in-progress", "overdue", "no-report"
INVALID_REPORT = "invalid-report"
STANDING_LABELS = {
    ON_TIME: "Hoàn thành đúng hạn",
    LATE: "Hoàn thành trễ hạn",
    IN_PROGRESS: "Đang thực hiện",
    OVERDUE: "Quá hạn, chưa hoàn thành",
    NO_REPORT: "Chưa báo cáo",
    INVALID_REPORT: "Báo cáo có lỗi, chờ đơn vị sửa",
}
DONE, DOING, NOT_STARTED = "Hoàn thành", "Đang thực hiện", "Chưa thực hiện"




def deadline_end(deadline: Deadline) -> dt.date | None:
    """The last day a task may be finished on; None when it has no such day."""
    if deadline.kind == "date":
        return dt.date.fromisoformat(deadline.value)
    if deadline.kind in ("month", "quarter", "year"):
        return period_end(deadline.value)
    return None




def parse_status(raw) -> str | None:
    if raw is None:
        return None
    key = fold(str(raw))
    for label, number in ((DONE, "1"), (DOING, "2"), (NOT_STARTED, "3")):
        if key in (fold(label), number):
            return label
    return None


@dataclass
class Report:
    """What a lead agency said about one task."""

    unit: str
    status: str | None
    completed: dt.date | None
    document: str
    issues: str
    unreadable: tuple[str, ...] = ()  # what the unit wrote that is not a status or a real date


@dataclass
class Standing:
    task: Task
    standing: str
    reports: list[Report]
    note: str

    @property
    def label(self) -> str:
        return STANDING_LABELS[self.standing]


def standing_of(task: Task, reports: list[Report], period: str) -> Standing:
    """One task's standing at the end of the period, from its lead agencies' reports.
    With several lead agencies the task is done only when every one reported it done."""
    end, due = period_end(period), deadline_end(task.deadline)
    if task.deadline.kind == "issued":
        return Standing(task, ON_TIME, reports, "Đã ban hành trước kỳ kế hoạch")
    faulty = [r for r in reports if r.unreadable]
    if faulty:
        return Standing(task, INVALID_REPORT, reports, "; ".join(", ".join(r.unreadable) for r in faulty))
    reported = [r for r in reports if r.status]
    if not reported:
        # Unknown is not late: the standing is "no report", the note says whether it is past due.
        note = "chưa có báo cáo của đơn vị chủ trì"
        if due is not None:
            note += f"; hạn {task.deadline.text}" + (" (đã quá hạn)" if end > due else "")
        return Standing(task, NO_REPORT, reports, note)
    if all(r.status == DONE for r in reported) and len(reported) == len(reports):
        dates = [r.completed for r in reported if r.completed]
        finished = max(dates) if dates else None
        if due is not None and finished is not None and finished > due:
            return Standing(task, LATE, reports, f"hoàn thành ngày {finished:%d/%m/%Y}, hạn {task.deadline.text}")
        note = f"hoàn thành ngày {finished:%d/%m/%Y}" if finished else "hoàn thành (không ghi ngày)"
        return Standing(task, ON_TIME, reports, note)
    if due is not None and end > due:
        return Standing(task, OVERDUE, reports, f"hạn {task.deadline.text}, đến cuối kỳ chưa hoàn thành")
    return Standing(task, IN_PROGRESS, reports, f"hạn {task.deadline.text}")


def reports_from(values: dict[str, dict[str, object]], task: Task, lead_units: list[str]) -> list[Report]:
    """The lead units' reports on a task, from their workbooks' values (unit -> field -> value)."""
    out = []
    for unit in lead_units:
        mine = values.get(unit, {})
        status_raw, date_raw = mine.get(task.id + TASK_STATUS), mine.get(task.id + TASK_DATE)
        status, completed = parse_status(status_raw), parse_date(date_raw)
        unreadable = []
        if status_raw not in (None, "") and status is None:
            unreadable.append(f"tình trạng '{status_raw}' không thuộc danh sách")
        if date_raw not in (None, "") and completed is None:
            unreadable.append(f"ngày hoàn thành '{date_raw}' không phải ngày có thật")
        out.append(Report(unit, status, completed, str(mine.get(task.id + TASK_DOCUMENT) or ""),
                          str(mine.get(task.id + TASK_ISSUES) or ""), tuple(unreadable)))
    return out


def track(task_set: TaskSet, values: dict[str, dict[str, object]], leads: dict[str, list[str]], period: str) -> list[Standing]:
    """Every task's standing; `leads` maps task id -> unit codes of its lead agencies."""
    return [standing_of(t, reports_from(values, t, leads.get(t.id, [])), period) for t in task_set.tasks]


def counts(standings: list[Standing]) -> dict[str, int]:
    c = Counter(s.standing for s in standings)
    return {k: c.get(k, 0) for k in STANDING_LABELS}
