"""What the reports say about a workspace's history (batch/history_files): the change since
the previous stored period, the trend over stored periods, timeliness and Sở TTTT's
adjustments with their reasons. Plain data for the templates, sheets for the analysts'
workbook and the trend chart. A run outside a workspace has none of it: every key is
there, empty, so the templates need no other test.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dti_report.batch.results import RunResults
from dti_report.core import formatting as fmt
from dti_report.evaluation.timeliness import LATE, MISSING, ON_TIME, SENT
from dti_report.reports.charts import _png, _style, pyplot
from dti_report.workbook.streamed import Streams, stream_table

TREND_MAX_UNITS_IN_SHEET_CHART = 12


def signed(value) -> str:
    """+3,50 / −1,25 / 0,00; "–" when there is nothing to compare."""
    if value is None or pd.isna(value):
        return "–"
    if abs(value) < 0.005:
        return fmt.points(0)
    return ("+" if value > 0 else "−") + fmt.points(abs(value))


def _names(results: RunResults) -> dict[str, str]:
    return {u.code: u.name for u in results.registry.units}


def _criterion_names(results: RunResults, set_id: str) -> dict[str, str]:
    return {c.id: c.name for c in results.sets[set_id].indicator_set.criteria}


def comparison_context(results: RunResults, set_id: str, rows_limit: int | None = None) -> dict:
    """The DTI report's comparison with the previous stored period (its table: the first
    `rows_limit` units in this period's ranking; `more`: how many it leaves out)."""
    h = results.history.sets.get(set_id)
    empty = {"has_previous": False, "rows": [], "shown": "", "more": "", "note": "", "previous_period": "", "previous_period_text": "",
             "improved": 0, "declined": 0, "unchanged": 0, "new": 0, "periods": 1, "periods_text": ""}
    if h is None:
        return empty
    periods = sorted(set(h.trend["period"])) if h.trend is not None else []
    base = {**empty, "periods": len(periods), "periods_text": ", ".join(fmt.period_words(p) for p in periods)}
    if h.units is None:
        return base
    names = _names(results)
    rows = []
    listed = h.units if rows_limit is None else h.units.head(rows_limit)
    for no, r in enumerate(listed.to_dict("records"), start=1):
        rows.append({"no": no, "code": r["unit_code"], "name": names.get(r["unit_code"], r["unit_code"]),
                     "total": fmt.points(r["total"]), "previous_total": fmt.points(r["previous_total"], blank="–"),
                     "delta": signed(r["delta"]), "rank": str(int(r["rank"])),
                     "previous_rank": "–" if pd.isna(r["previous_rank"]) else str(int(r["previous_rank"])),
                     "change": r["change"]})
    moved = h.units["rank_change"]
    meta = h.meta
    note = ""
    if meta.get("not_compared"):
        cnames = _criterion_names(results, set_id)
        left = "; ".join(f"{c['id']}{' ' + cnames[c['id']] if c['id'] in cnames else ''} ({c['why']})"
                         for c in meta["not_compared"])
        note = (f"Bộ chỉ số đổi phiên bản ({meta.get('previous_version')} → {meta.get('version')}): tổng điểm và "
                f"thứ hạng của hai kỳ được so sánh trên {meta['compared']}/{meta['criteria']} tiêu chí giữ nguyên mã "
                f"và điểm tối đa; không so sánh: {left}.")
    return {**base, "has_previous": True, "rows": rows, "shown": fmt.number(len(listed)),
            "more": fmt.number(len(h.units) - len(listed)) if len(h.units) > len(listed) else "", "note": note, "previous_period": h.previous,
            "previous_period_text": fmt.period_words(h.previous),
            "improved": int((moved > 0).sum()), "declined": int((moved < 0).sum()),
            "unchanged": int((moved == 0).sum()), "new": int(moved.isna().sum())}


def timeliness_context(results: RunResults, set_id: str | None = None) -> dict:
    frame = results.history.timeliness
    if frame is None or not len(frame):
        return {"has": False, "on_time": 0, "late": 0, "missing": 0, "sent": 0, "deadline": "", "rows": []}
    if set_id is not None:
        form_id = results.sets[set_id].indicator_set.id if set_id in results.sets else set_id
        frame = frame[frame["set_id"] == form_id]
    counts = frame["status"].value_counts()
    deadlines = sorted(set(d for d in frame["deadline"] if d))
    if not deadlines:  # without a deadline there is no on time or late: section IV lists who is missing
        return {"has": False, "on_time": 0, "late": 0, "missing": 0, "sent": 0, "deadline": "", "rows": []}
    rows = [{"name": r["unit_name"], "status": r["status_label"], "note": r["note"]}
            for r in frame.to_dict("records") if r["status"] in (LATE, MISSING)]
    return {"has": bool(len(frame)), "on_time": int(counts.get(ON_TIME, 0)), "late": int(counts.get(LATE, 0)),
            "missing": int(counts.get(MISSING, 0)), "sent": int(counts.get(SENT, 0)),
            "deadline": ", ".join(dt.date.fromisoformat(d).strftime("%d/%m/%Y") for d in deadlines), "rows": rows}


def adjustments_context(results: RunResults, set_id: str) -> list[dict]:
    frame = results.history.adjustments
    if frame is None or not len(frame):
        return []
    names, cnames = _names(results), _criterion_names(results, set_id)
    return [{"unit": names.get(r["unit_code"], r["unit_code"]), "criterion": r["criterion"],
             "criterion_name": cnames.get(r["criterion"], ""), "field": r["field"], "value": r["value"],
             "reason": r["reason"], "by": r["made_by"], "at": r["made_at"][:16].replace("T", " ")}
            for r in frame.to_dict("records") if r["criterion"] in cnames]


def report_history(results: RunResults, set_id: str, first: int, rows_limit: int | None = None) -> dict:
    """Context keys of the DTI report; `first` numbers the first of its overview items that shows."""
    comparison = comparison_context(results, set_id, rows_limit)
    timeliness = timeliness_context(results, set_id)
    adjustments = adjustments_context(results, set_id)
    n = first
    for part, shown in ((comparison, comparison["has_previous"]), (timeliness, timeliness["has"])):
        part["no"] = n
        n += bool(shown)
    return {"comparison": comparison, "timeliness": timeliness, "adjustments": adjustments, "adjustments_no": n}


# --- the trend chart (Word report) ----------------------------------------------------------

def trend_chart(results: RunResults, set_id: str) -> bytes | None:
    """Highest, average and lowest total per stored period; None with a single period."""
    h = results.history.sets.get(set_id)
    if h is None or h.trend is None or h.trend["period"].nunique() < 2:
        return None
    by_period = h.trend.groupby("period")["total"].agg(["max", "mean", "min"]).sort_index()
    labels = [fmt.period_words(p) for p in by_period.index]
    iset = results.sets[set_id].indicator_set
    with _style():
        fig, ax = pyplot().subplots(figsize=(6.3, 3.0))
        x = range(len(labels))
        ax.fill_between(x, by_period["min"], by_period["max"], color="#9DC3E6", alpha=0.4, label="Từ thấp nhất đến cao nhất")
        ax.plot(x, by_period["mean"], marker="o", color="#1F4E79", label="Điểm bình quân")
        for i, v in enumerate(by_period["mean"]):
            ax.annotate(fmt.points(v), (i, v), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
        ax.set_xticks(list(x), labels)
        ax.set_ylim(0, iset.total_points)
        ax.set_ylabel("Tổng điểm")
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        fig.tight_layout()
        return _png(fig)


# --- the analysts' workbook ------------------------------------------------------------------

def _trend_sheet(book, formats, streams: Streams, names, results: RunResults, set_id: str, short: str) -> None:
    h = results.history.sets.get(set_id)
    if h is None or h.trend is None:
        return
    unit_names = _names(results)
    periods = sorted(set(h.trend["period"]))
    wide_total = h.trend.pivot(index="unit_code", columns="period", values="total").reindex(columns=periods)
    wide_rank = h.trend.pivot(index="unit_code", columns="period", values="rank").reindex(columns=periods)
    current = results.sets[set_id].totals["unit_code"].tolist()
    listed = set(current)
    order = current + sorted(c for c in wide_total.index if c not in listed)
    frame = pd.DataFrame({"unit_code": order, "unit_name": [unit_names.get(c, c) for c in order]})
    for p in periods:
        frame[f"total {p}"] = wide_total[p].reindex(order).to_numpy()
    for p in periods:
        frame[f"rank {p}"] = wide_rank[p].reindex(order).astype("Int64").to_numpy()
    if h.units is not None:
        comparison = h.units.set_index("unit_code").reindex(order)
        frame["delta"] = comparison["delta"].to_numpy()
        frame["change"] = comparison["change"].fillna("").to_numpy()
    headers = {"unit_code": "Mã đơn vị", "unit_name": "Đơn vị",
               **{f"total {p}": f"Tổng điểm {fmt.period_words(p)}" for p in periods},
               **{f"rank {p}": f"Hạng {fmt.period_words(p)}" for p in periods},
               "delta": f"Tăng/giảm điểm so với {fmt.period_words(h.previous)}" if h.previous else "",
               "change": "Thay đổi thứ hạng"}
    sheet = book.add_worksheet(names(f"Qua các kỳ {short}"))
    sheet.write_string(0, 0, f"{results.sets[set_id].indicator_set.title} — tổng điểm và thứ hạng qua các kỳ "
                             "trong kho dữ liệu", formats["title"])
    note = (h.meta.get("not_compared") and comparison_context(results, set_id)["note"]) or ""
    sheet.write_string(1, 0, note or f"{len(periods)} kỳ: " + ", ".join(fmt.period_words(p) for p in periods),
                       formats["text"])
    start = 3
    stream_table(sheet, frame, formats, streams, start_row=start, headers=headers,
                column_formats={**{f"total {p}": "points" for p in periods}, **{f"rank {p}": "integer" for p in periods},
                                "delta": "points"},
                widths={"unit_name": 36, "unit_code": 16, "change": 16})
    sheet.freeze_panes(start + 1, 2)
    if len(periods) < 2 or not len(frame):
        return
    chart = book.add_chart({"type": "line"})
    shown = min(len(frame), TREND_MAX_UNITS_IN_SHEET_CHART)
    first_total = frame.columns.get_loc(f"total {periods[0]}")
    last_total = frame.columns.get_loc(f"total {periods[-1]}")
    for r in range(start + 1, start + 1 + shown):
        chart.add_series({"name": [sheet.name, r, 1], "categories": [sheet.name, start, first_total, start, last_total],
                          "values": [sheet.name, r, first_total, r, last_total], "marker": {"type": "circle"}})
    more = f" ({shown} đơn vị đứng đầu kỳ này)" if shown < len(frame) else ""
    chart.set_title({"name": f"Tổng điểm qua các kỳ{more}", "name_font": {"size": 12, "bold": True}})
    chart.set_legend({"position": "right", "font": {"size": 8}})
    chart.set_size({"width": 760, "height": 400})
    sheet.insert_chart(start + len(frame) + 3, 1, chart)


def _index_change_sheet(book, formats, streams: Streams, names, results: RunResults, set_id: str, short: str) -> None:
    h = results.history.sets.get(set_id)
    if h is None or h.indices is None:
        return
    unit_names = _names(results)
    iset = results.sets[set_id].indicator_set
    index_names = {i.id: i.name for i in iset.indices}
    frame = h.indices.assign(unit_name=fmt.relabelled(h.indices["unit_code"], unit_names),
                             index_name=h.indices["index"].map(lambda i: index_names.get(i, "")))
    frame = frame[["unit_code", "unit_name", "index", "index_name", "points", "previous_points", "delta"]]
    sheet = book.add_worksheet(names(f"Chỉ số chính so kỳ trước {short}"))
    stream_table(sheet, frame, formats, streams, headers={
        "unit_code": "Mã đơn vị", "unit_name": "Đơn vị", "index": "Chỉ số chính", "index_name": "Tên chỉ số",
        "points": f"Điểm {fmt.period_words(results.period)}", "previous_points": f"Điểm {fmt.period_words(h.previous)}",
        "delta": "Tăng/giảm"}, column_formats={"points": "points", "previous_points": "points", "delta": "points"},
        widths={"unit_name": 36, "unit_code": 16, "index_name": 40})


def write_history_sheets(book, formats, streams: Streams, names, results: RunResults, short_names: dict[str, str]) -> None:
    """The workspace's sheets of the analysts' workbook: trend and change per set, timeliness,
    adjustments. Nothing for a run outside a workspace."""
    for set_id in results.sets:
        if results.sets[set_id].totals is None:
            continue
        _trend_sheet(book, formats, streams, names, results, set_id, short_names[set_id])
        _index_change_sheet(book, formats, streams, names, results, set_id, short_names[set_id])
    frame = results.history.timeliness
    if frame is not None and len(frame):
        shown = frame.assign(arrived=frame["arrived"].str.slice(0, 16).str.replace("T", " "))
        sheet = book.add_worksheet(names("Thời hạn gửi"))
        stream_table(sheet, shown[["set_id", "unit_code", "unit_name", "deadline", "arrived", "status_label",
                                   "days_late", "note"]], formats, streams,
                     headers={"set_id": "Bộ chỉ số", "unit_code": "Mã đơn vị", "unit_name": "Đơn vị",
                              "deadline": "Hạn gửi", "arrived": "Thời điểm nhận", "status_label": "Tình trạng",
                              "days_late": "Số ngày trễ", "note": "Ghi chú"},
                     widths={"unit_name": 36, "unit_code": 16, "arrived": 18, "status_label": 20, "note": 50})
    for key, changes in results.history.standings.items():
        if not len(changes):
            continue
        period = changes["previous_period"].iloc[0]
        sheet = book.add_worksheet(names(f"Nhiệm vụ so kỳ trước {key}"))
        sheet.write_string(0, 0, f"{key}: tình trạng nhiệm vụ {fmt.period_words(results.period)} so với "
                                 f"{fmt.period_words(period)}", formats["title"])
        stream_table(sheet, changes.drop(columns="previous_period"), formats, streams, start_row=2, headers={
            "task": "Nhiệm vụ", "previous_standing": f"Tình trạng {fmt.period_words(period)}",
            "standing": f"Tình trạng {fmt.period_words(results.period)}", "changed": "Thay đổi"},
            widths={"previous_standing": 30, "standing": 30})
    adjustments = results.history.adjustments
    if adjustments is not None and len(adjustments):
        sheet = book.add_worksheet(names("Điều chỉnh của Sở"))
        stream_table(sheet, adjustments, formats, streams, headers={
            "unit_code": "Mã đơn vị", "field": "Mã trường", "criterion": "Tiêu chí", "value": "Giá trị điều chỉnh",
            "reason": "Lý do", "made_by": "Người điều chỉnh", "made_at": "Thời điểm"},
            widths={"reason": 60, "made_at": 24, "unit_code": 16})

