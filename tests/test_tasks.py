"""Task standings against deadlines and the reporting period, worked out by hand."""

import datetime as dt

import pytest

from dti_report.forms.plans import Deadline, Task
from dti_report.evaluation.tasks import (INVALID_REPORT, LATE, IN_PROGRESS, NO_REPORT, ON_TIME, OVERDUE, Report, counts, deadline_end,
                              parse_date, parse_status, period_end, standing_of)


def task(kind, value=None, text="hạn"):
    return Task(id="1", content="Nhiệm vụ thử", deadline=Deadline(kind=kind, value=value, text=text), lead=("Sở A",))


def report(status=None, completed=None):
    return Report("so-a", status, completed, "", "")


def test_period_and_deadline_ends():
    assert period_end("2021") == dt.date(2021, 12, 31)
    assert period_end("2021-Q2") == dt.date(2021, 6, 30)
    assert period_end("2024-02") == dt.date(2024, 2, 29)
    assert deadline_end(Deadline(kind="month", value="2021-06", text="tháng 6/2021")) == dt.date(2021, 6, 30)
    assert deadline_end(Deadline(kind="quarter", value="2022-Q4", text="Quý IV/2022")) == dt.date(2022, 12, 31)
    assert deadline_end(Deadline(kind="continuous", text="Thường xuyên")) is None


@pytest.mark.parametrize("deadline, period, rep, expected", [
    (("month", "2021-06"), "2021-Q2", report("Hoàn thành", dt.date(2021, 6, 30)), ON_TIME),   # on the last day
    (("month", "2021-06"), "2021-Q3", report("Hoàn thành", dt.date(2021, 7, 1)), LATE),       # one day late
    (("month", "2021-06"), "2021-Q2", report("Đang thực hiện"), IN_PROGRESS),               # due at the period's end
    (("month", "2021-06"), "2021-Q3", report("Đang thực hiện"), OVERDUE),                   # past due, not done
    (("month", "2021-06"), "2021-Q3", report("Chưa thực hiện"), OVERDUE),
    (("month", "2021-06"), "2021-Q3", report(), NO_REPORT),
    (("year", "2021"), "2021-Q3", report("Hoàn thành"), ON_TIME),                            # done, no date given
    (("continuous", None), "2025", report("Đang thực hiện"), IN_PROGRESS),                  # never overdue
    (("project", None), "2025", report("Chưa thực hiện"), IN_PROGRESS),
    (("issued", None), "2021-Q1", report(), ON_TIME),
])
def test_standing(deadline, period, rep, expected):
    assert standing_of(task(*deadline), [rep], period).standing == expected


def test_two_lead_agencies_both_must_be_done():
    t = task("quarter", "2021-Q2")
    both = [Report("a", "Hoàn thành", dt.date(2021, 5, 1), "", ""), Report("b", "Hoàn thành", dt.date(2021, 6, 1), "", "")]
    assert standing_of(t, both, "2021-Q2").standing == ON_TIME
    one = [Report("a", "Hoàn thành", dt.date(2021, 5, 1), "", ""), Report("b", "Đang thực hiện", None, "", "")]
    assert standing_of(t, one, "2021-Q2").standing == IN_PROGRESS
    assert standing_of(t, one, "2021-Q3").standing == OVERDUE
    late = [Report("a", "Hoàn thành", dt.date(2021, 5, 1), "", ""), Report("b", "Hoàn thành", dt.date(2021, 7, 2), "", "")]
    assert standing_of(t, late, "2021-Q3").standing == LATE  # the last one decides


def test_counts_and_parsing():
    standings = [standing_of(task("year", "2021"), [report("Hoàn thành")], "2021"),
                 standing_of(task("year", "2021"), [report()], "2021")]
    assert counts(standings) == {ON_TIME: 1, LATE: 0, IN_PROGRESS: 0, OVERDUE: 0, NO_REPORT: 1, INVALID_REPORT: 0}
    assert parse_date("05/3/2021") == dt.date(2021, 3, 5) and parse_date("31/2/2021") is None
    assert parse_status("hoàn thành") == "Hoàn thành" and parse_status("2") == "Đang thực hiện" and parse_status("?") is None
