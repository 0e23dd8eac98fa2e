"""Timeliness and completeness of a period: per awaited unit, on time, late (by how many
days) or missing, against the deadline of its set and period.

A unit's submission arrived when its earliest accepted workbook (a later correction
does not make it late) was first seen in the inbox. The deadline is the last day
units may send, inclusive, in the workspace's time zone.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

ON_TIME, LATE, MISSING, SENT = "on-time", "late", "missing", "sent"
TIMELINESS_LABELS = {ON_TIME: "Đúng hạn", LATE: "Trễ hạn", MISSING: "Chưa gửi", SENT: "Đã gửi (chưa đặt hạn)"}
COLUMNS = ["set_id", "unit_code", "unit_name", "deadline", "arrived", "status", "status_label", "days_late", "note"]


def timeliness(set_id: str, expected: list[tuple[str, str]], arrived: dict[str, str], rejected: dict[str, int],
               deadline: dt.date | None, now: dt.datetime) -> pd.DataFrame:
    """`expected`: (code, name) of the units awaited; `arrived`: unit -> ISO time of its first
    accepted workbook; `rejected`: unit -> rejected files it sent; `now` in the workspace's zone."""
    rows = []
    for code, name in expected:
        when = arrived.get(code)
        notes = []
        if when:
            day = dt.datetime.fromisoformat(when).astimezone(now.tzinfo).date()
            late = (day - deadline).days if deadline else 0
            status = SENT if deadline is None else LATE if late > 0 else ON_TIME
            days = max(late, 0)
            if status == LATE:
                notes.append(f"gửi ngày {day:%d/%m/%Y}, trễ {days} ngày so với hạn {deadline:%d/%m/%Y}")
        else:
            status = MISSING
            days = max((now.date() - deadline).days, 0) if deadline else 0
            if deadline and days:
                notes.append(f"quá hạn {days} ngày (hạn {deadline:%d/%m/%Y})")
            elif deadline:
                notes.append(f"chưa đến hạn ({deadline:%d/%m/%Y})")
            if rejected.get(code):
                notes.append(f"{rejected[code]} tệp đã gửi bị từ chối")
        rows.append({"set_id": set_id, "unit_code": code, "unit_name": name,
                     "deadline": deadline.isoformat() if deadline else "", "arrived": when or "", "status": status,
                     "status_label": TIMELINESS_LABELS[status], "days_late": days, "note": "; ".join(notes)})
    return pd.DataFrame(rows, columns=COLUMNS)


def summary(frame: pd.DataFrame) -> dict[str, int]:
    counts = frame["status"].value_counts().to_dict() if len(frame) else {}
    return {status: int(counts.get(status, 0)) for status in TIMELINESS_LABELS}
