"""Reporting periods: a year "2023", a quarter "2024-Q2" or a month "2024-06"."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from dti_report.core.errors import DtiError

PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$"


class PeriodError(DtiError, ValueError):
    pass


def check_period(period: str) -> str:
    if not re.match(PERIOD_PATTERN, period):
        raise PeriodError(f"kỳ báo cáo '{period}' không hợp lệ; dùng dạng 2023, 2024-06 hoặc 2024-Q2")
    return period


def period_end(period: str) -> dt.date:
    """Last day of a reporting period: "2021" → 31/12/2021, "2021-Q2" → 30/6/2021, "2021-06" → 30/6/2021."""
    year = int(period[:4])
    if len(period) == 4:
        return dt.date(year, 12, 31)
    month = int(period[6]) * 3 if period[5] == "Q" else int(period[5:7])
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_start(period: str) -> dt.date:
    """First day of a reporting period: "2021-Q2" → 1/4/2021."""
    year = int(period[:4])
    if len(period) == 4:
        return dt.date(year, 1, 1)
    month = (int(period[6]) - 1) * 3 + 1 if period[5] == "Q" else int(period[5:7])
    return dt.date(year, month, 1)


def period_text(period: str) -> str:
    """The period in words: "Năm 2023", "Quý II năm 2021", "Tháng 11 năm 2026"."""
    year = period[:4]
    if len(period) == 4:
        return f"Năm {year}"
    if period[5] == "Q":
        return f"Quý {'I II III IV'.split()[int(period[6]) - 1]} năm {year}"
    return f"Tháng {int(period[5:7])} năm {year}"
