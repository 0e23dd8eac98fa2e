"""ket-qua-tong-hop.xlsx, the analysts' workbook, rendered from a run's results.

Per scored set: the ranking (with a native bar chart of the totals), the unit ×
criterion matrices (verified and self-assessed), one sheet per main index and
the long data; then the units not assessed, the files and every issue. Every
text is a text cell (a shared string), never a formula: what a unit typed, even "=1+1",
stays text. The tables' rows are streamed into the package (workbook.streamed).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from dti_report.batch.run_folder import ISSUE_HEADERS, MANIFEST_HEADERS, ORIGIN_LABELS
from dti_report.core import formatting as fmt
from dti_report.core.text import natural_key
from dti_report.forms.indicators import IndicatorSet
from dti_report.evaluation.engine import STATUS_LABELS
from dti_report.core.issues import SEVERITY_LABELS
from dti_report.batch.results import RunResults
from dti_report.workbook.reader import STATUS_LABELS as FILE_STATUS_LABELS
from dti_report.workbook.streamed import Streams, stream_table, streamed_workbook
from dti_report.workbook.xlsx import sheet_name
from dti_report.reports.context import SAME, WORKBOOK_NAME, unassessed, unit_names
from dti_report.reports.history import write_history_sheets

# The chart draws one bar per unit; past this many it shows the first ones only.
CHART_MAX_UNITS = 60
_SHOWN_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the times a sheet shows
LEVEL_SHORT = {"so-nganh": "Sở", "quan-huyen": "Huyện", "cap-huyen": "Huyện"}


def write_columns(sheet, frame: pd.DataFrame, formats: dict, streams: Streams, *, headers: dict[str, str],
                  column_formats: dict[str, str], widths: dict[str, float], title_columns: int = 0) -> None:
    """The big sheets (51 000 rows at 1000 units): a missing number or an empty text is no cell
    at all, rows as tall as their wrapped text."""
    stream_table(sheet, frame, formats, streams, headers=headers, column_formats=column_formats, widths=widths,
                 title_columns=title_columns, blanks=False)


def short_name(indicator_set: IndicatorSet) -> str:
    return LEVEL_SHORT.get(indicator_set.level, indicator_set.id)


class _Names:
    """Sheet names are unique and at most 31 characters (Excel)."""

    def __init__(self):
        self.used: set[str] = set()

    def __call__(self, text: str) -> str:
        name = sheet_name(text).rstrip()
        n = 2
        while name.lower() in self.used:
            suffix = f" ({n})"
            name = sheet_name(text)[: 31 - len(suffix)].rstrip() + suffix
            n += 1
        self.used.add(name.lower())
        return name


def _names_of(results: RunResults, codes: pd.Series) -> pd.Series:
    names = unit_names(results)
    return pd.Series(fmt.relabelled(codes, names), index=codes.index)


def ranking_frame(results: RunResults, set_id: str) -> pd.DataFrame:
    sr = results.sets[set_id]
    s, totals = sr.indicator_set, sr.totals
    # The name first, the code after it: a reader looks for the unit, a formula for its code.
    frame = pd.DataFrame({"rank": totals["rank"], "unit_name": _names_of(results, totals["unit_code"]),
                          "unit_code": totals["unit_code"]})
    for index in s.indices:
        frame[index.id] = totals[index.id]
    frame["total"] = totals["total"]
    frame["share"] = totals["total"] / s.total_points if s.total_points else 0.0
    frame["self_total"] = totals["self_total"]
    frame["difference"] = totals["total"] - totals["self_total"]
    frame.loc[frame["difference"].abs() <= SAME, "difference"] = 0.0
    frame["self_rank"] = totals["self_rank"]
    for column in ("no_data", "not_applicable", "invalid"):
        frame[column] = totals[column]
    return frame.reset_index(drop=True)


def ranking_headers(s: IndicatorSet) -> dict[str, str]:
    headers = {"rank": "Hạng", "unit_code": "Mã đơn vị", "unit_name": "Đơn vị", "total": f"Tổng điểm ({s.total_points:g})",
               "share": "Tỷ lệ điểm tối đa", "self_total": "Tự đánh giá", "difference": "Chênh lệch so với tự đánh giá",
               "self_rank": "Hạng tự đánh giá", "no_data": "Tiêu chí không có số liệu",
               "not_applicable": "Tiêu chí không áp dụng", "invalid": "Tiêu chí lỗi số liệu"}
    headers.update({i.id: f"{i.id}. {i.name} ({i.max_points:g})" for i in s.indices})
    return headers


def matrix_frame(results: RunResults, set_id: str, column: str) -> pd.DataFrame:
    """Units (ranked) × criteria, the points in `column` (self_score or verified_score)."""
    sr = results.sets[set_id]
    criteria = [c.id for c in sr.indicator_set.criteria]
    wide = sr.scores.pivot(index="unit_code", columns="criterion", values=column)
    wide = wide.reindex(columns=criteria).reindex(list(sr.totals["unit_code"])).reset_index()
    wide.insert(0, "unit_name", _names_of(results, wide["unit_code"]))
    wide.columns.name = None
    return wide


def _ranking_sheet(book, formats, streams: Streams, names, results: RunResults, set_id: str) -> None:
    s = results.sets[set_id].indicator_set
    frame = ranking_frame(results, set_id)
    sheet = book.add_worksheet(names(f"Xếp hạng {short_name(s)}"))
    sheet.write_string(0, 0, f"{s.title} — {fmt.period_words(results.period)}", formats["title"])
    sheet.write_string(1, 0, f"{len(frame)} đơn vị được đánh giá; điểm tối đa {s.total_points:g}.", formats["plain"])
    start = 3
    points = {i.id: "points" for i in s.indices}
    stream_table(sheet, frame, formats, streams, start_row=start, headers=ranking_headers(s),
                column_formats={**points, "total": "points", "self_total": "points", "difference": "points",
                                "share": "percent", "rank": "integer", "self_rank": "integer", "no_data": "integer",
                                "not_applicable": "integer", "invalid": "integer"},
                widths={"unit_name": 36, "unit_code": 16, "rank": 7, **{i.id: 12 for i in s.indices}}, title_columns=3)
    if frame.empty:
        return
    shown = min(len(frame), CHART_MAX_UNITS)
    first, last = start + 1, start + shown
    name_col = frame.columns.get_loc("unit_name")
    chart = book.add_chart({"type": "bar", "subtype": "stacked"})
    for index in s.indices:
        col = frame.columns.get_loc(index.id)
        chart.add_series({"name": [sheet.name, start, col], "categories": [sheet.name, first, name_col, last, name_col],
                          "values": [sheet.name, first, col, last, col], "gap": 40})
    more = f" ({shown} đơn vị đứng đầu)" if shown < len(frame) else ""
    chart.set_title({"name": f"Tổng điểm theo chỉ số chính{more}", "name_font": {"size": 12, "bold": True}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 8}})
    chart.set_x_axis({"min": 0, "max": s.total_points, "num_format": "0", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom", "font": {"size": 8}})
    # On a sheet of its own, after the table's: printed whole on one page, where beside or below a
    # wide table it would shrink with it or break across pages.
    charts = book.add_chartsheet(names(f"Biểu đồ {short_name(s)}"))
    charts.set_chart(chart)
    charts.set_paper(9)
    charts.set_landscape()


MATRIX_COLUMNS = ("verified_score", "self_score")


def _matrix_sheets(book, formats, streams: Streams, names, results: RunResults, set_id: str,
                   matrices: dict[str, pd.DataFrame]) -> None:
    s = results.sets[set_id].indicator_set
    short = short_name(s)
    for column, label in zip(MATRIX_COLUMNS, ("Kết quả", "Tự chấm")):
        matrix = matrices[column]
        sheet = book.add_worksheet(names(f"{label} {short} theo tiêu chí"))
        headers = {"unit_code": "Mã đơn vị", "unit_name": "Đơn vị",
                   **{c.id: f"{c.id} ({c.max_points:g})" for c in s.criteria}}
        write_columns(sheet, matrix, formats, streams, headers=headers, column_formats={c.id: "points" for c in s.criteria},
                      widths={"unit_name": 36, "unit_code": 16}, title_columns=2)


def _index_sheets(book, formats, streams: Streams, names, results: RunResults, set_id: str,
                  matrices: dict[str, pd.DataFrame]) -> None:
    sr = results.sets[set_id]
    s = sr.indicator_set
    verified, self_scored = matrices["verified_score"], matrices["self_score"]
    for index in s.indices:
        ids = [c.id for c in index.items]
        frame = verified[["unit_name", "unit_code", *ids]].copy()
        frame["points"] = sr.totals[index.id].to_numpy()
        frame["share"] = frame["points"] / index.max_points if index.max_points else 0.0
        frame.insert(0, "rank", frame["points"].rank(method="min", ascending=False).astype(int))
        self_points = self_scored[ids].sum(axis=1, min_count=1)
        frame["self_points"] = self_points.to_numpy()
        sheet = book.add_worksheet(names(f"{short_name(s)} {index.id}. {index.name}"))
        sheet.write_string(0, 0, f"Chỉ số {index.id}. {index.name} — tối đa {index.max_points:g} điểm — "
                                 f"{fmt.period_words(results.period)}", formats["title"])
        headers = {"rank": "Hạng theo chỉ số", "unit_code": "Mã đơn vị", "unit_name": "Đơn vị",
                   "points": f"Điểm chỉ số ({index.max_points:g})", "share": "Tỷ lệ điểm tối đa",
                   "self_points": "Tự đánh giá",
                   **{c.id: f"{c.id}. {c.name} ({c.max_points:g})" for c in index.items}}
        stream_table(sheet, frame, formats, streams, start_row=2, headers=headers,
                    column_formats={**{c: "points" for c in ids}, "points": "points", "self_points": "points",
                                    "share": "percent", "rank": "integer"},
                    widths={"unit_name": 36, "unit_code": 16, **{c: 16 for c in ids}}, title_columns=3)


def _long_sheet(book, formats, streams: Streams, names, results: RunResults, set_id: str) -> None:
    sr = results.sets[set_id]
    s = sr.indicator_set
    criterion_names = {c.id: c.name for c in s.criteria}
    # Units in ranked order, criteria in number order (6.2 before 6.10), not as scores.csv sorts text.
    unit_order = {code: i for i, code in enumerate(sr.totals["unit_code"])}
    criterion_order = {c: i for i, c in enumerate(sorted(sr.scores["criterion"].unique(), key=natural_key))}
    scores = sr.scores.assign(_unit=sr.scores["unit_code"].map(unit_order),
                              _criterion=sr.scores["criterion"].map(criterion_order))
    scores = scores.sort_values(["_unit", "_criterion"], kind="stable")
    frame = pd.DataFrame({
        "unit_name": _names_of(results, scores["unit_code"]), "unit_code": scores["unit_code"],
        "index": scores["index"], "criterion": scores["criterion"],
        "criterion_name": scores["criterion"].map(criterion_names), "max_points": scores["max_points"],
        "self_ratio": scores["self_ratio"], "self_score": scores["self_score"],
        "self_status": fmt.relabelled(scores["self_status"], STATUS_LABELS),
        "ratio": scores["ratio"], "verified_score": scores["verified_score"],
        "status": fmt.relabelled(scores["status"], STATUS_LABELS),
    }).reset_index(drop=True)
    if "reason" in scores.columns:
        frame["reason"] = [r if isinstance(r, str) else "" for r in scores["reason"]]
    sheet = book.add_worksheet(names(f"Dữ liệu {short_name(s)}"))
    write_columns(sheet, frame, formats, streams, headers={
        "unit_code": "Mã đơn vị", "unit_name": "Đơn vị", "index": "Chỉ số chính", "criterion": "Mã tiêu chí",
        "criterion_name": "Tiêu chí", "max_points": "Điểm tối đa", "self_ratio": "Tỷ lệ tự đánh giá",
        "self_score": "Điểm tự đánh giá", "self_status": "Tình trạng tự đánh giá", "ratio": "Tỷ lệ đánh giá",
        "verified_score": "Điểm đánh giá", "status": "Tình trạng", "reason": "Lý do điều chỉnh"},
        column_formats={"max_points": "points", "self_score": "points", "verified_score": "points",
                        "self_ratio": "percent", "ratio": "percent"},
        widths={"unit_name": 32, "unit_code": 16, "criterion_name": 50, "self_status": 18, "status": 18, "reason": 50},
        title_columns=2)


def form_label(results: RunResults, form_id: str) -> str:
    """'Bộ chỉ số … (hcm-dti-so)': the form by its title, its id after it."""
    if not form_id:
        return ""
    if form_id not in results.catalog.forms:  # a file naming a form the catalog does not hold
        return form_id
    return f"{results.catalog.get(form_id).title} ({form_id})"


def _unassessed_sheet(book, formats, streams: Streams, names, results: RunResults) -> None:
    """Units of a scored set not assessed, with why; and the agencies a plan awaited that did not
    report this period."""
    records = []
    for set_id in results.sets:
        rows, others = unassessed(results, set_id)
        label = form_label(results, set_id)
        records += [{"form": label, "unit_name": r["name"], "unit_code": r["code"], "reason": r["reason"]} for r in rows]
        records += [{"form": label, "unit_name": o["unit"], "unit_code": "", "reason": f"{o['path']}: {o['reason']}"}
                    for o in others]
    for plan_id, units in results.plan_missing.items():
        label = form_label(results, plan_id)
        records += [{"form": label, "unit_name": u.name, "unit_code": u.code, "reason": "Chưa gửi báo cáo kỳ này."}
                    for u in units]
    frame = pd.DataFrame(records, columns=["form", "unit_name", "unit_code", "reason"])
    sheet = book.add_worksheet(names("Chưa được đánh giá"))
    stream_table(sheet, frame, formats, streams, headers={"form": "Biểu mẫu", "unit_name": "Đơn vị", "unit_code": "Mã đơn vị",
                                                "reason": "Lý do"},
                widths={"form": 40, "unit_name": 36, "unit_code": 16, "reason": 70})


def _version_text(results: RunResults, form_id: str, version) -> str:
    """A version as the form writes it: read back from manifest.csv, "2023.1" is the number 2023.1."""
    if version is None or version == "" or (isinstance(version, float) and version != version):
        return ""
    known = list(results.catalog.forms.get(form_id, {})) if form_id else []
    for text in known:
        try:
            if float(text) == float(version):
                return text
        except (TypeError, ValueError):
            continue
    return f"{version:g}" if isinstance(version, float) else str(version)


def _saved_at(value):
    """manifest.csv's ISO time as a real date and time (dd/mm/yyyy hh:mm in the sheet)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = dt.datetime.fromisoformat(value)  # what the run writes; a tenth of pd.Timestamp's time
    except ValueError:
        try:
            stamp = pd.Timestamp(value).to_pydatetime()
        except ValueError:
            return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(_SHOWN_ZONE).replace(tzinfo=None)
    return stamp


def _manifest_sheet(book, formats, streams: Streams, names, results: RunResults) -> None:
    manifest = results.manifest
    unit_name = unit_names(results)
    frame = pd.DataFrame({
        "path": manifest["path"],
        "unit": [f"{unit_name[c]} ({c})" if isinstance(c, str) and c in unit_name else ("" if c != c else str(c))
                 for c in manifest["unit_code"]],
        "set": [form_label(results, f) if isinstance(f, str) else "" for f in manifest["set_id"]],
        "version": [_version_text(results, f if isinstance(f, str) else "", v)
                    for f, v in zip(manifest["set_id"], manifest["set_version"])],
        "period": [fmt.period_words(str(p)) if isinstance(p, (str, int)) and str(p) else "" for p in
                   manifest["period"].astype(object).where(manifest["period"].notna(), "")],
        "modified": [_saved_at(v) for v in manifest["modified"]],
        "status": fmt.relabelled(manifest["status"], FILE_STATUS_LABELS),
        "errors": manifest["errors"], "warnings": manifest["warnings"], "issue_count": manifest["issue_count"],
        "size": manifest["size"], "sha256": manifest["sha256"],
    })
    sheet = book.add_worksheet(names("Danh sách tệp"))
    # What the inbox listing adds (entry kind, link target, why unused) and whether the run read the file.
    for column in ("entry", "target", "reason"):
        if column in manifest.columns:
            frame[column] = manifest[column].astype(object).where(manifest[column].notna(), "")
    if "origin" in manifest.columns:
        frame["origin"] = fmt.relabelled(manifest["origin"], ORIGIN_LABELS)
    stream_table(sheet, frame, formats, streams, headers={**MANIFEST_HEADERS, "unit": "Đơn vị", "set": "Biểu mẫu",
                                                "version": "Phiên bản"},
                column_formats={"size": "bytes", "errors": "integer", "warnings": "integer", "issue_count": "integer",
                                "modified": "datetime"},
                widths={"path": 48, "unit": 36, "set": 40, "version": 10, "period": 14, "modified": 17, "status": 14,
                        "size": 12, "sha256": 20}, title_columns=1)


def _issues_sheet(book, formats, streams: Streams, names, results: RunResults) -> None:
    issues = results.issues
    sheet = book.add_worksheet(names("Lỗi và cảnh báo"))
    unit_name = unit_names(results)
    frame = issues.assign(severity=fmt.relabelled(issues["severity"], SEVERITY_LABELS),
                          unit=[f"{unit_name[c]} ({c})" if c in unit_name else c for c in issues["unit"]])
    # What a reader reads first: the severity and the message; the codes after them.
    frame = frame[["severity", "message", "file", "sheet", "cell", "unit", "field", "criterion", "value", "code"]]
    # Errors stand out; warnings (often thousands of blank fields) stay plain.
    row_formats = [formats["error"] if v == "error" else formats["text"] for v in issues["severity"]]
    stream_table(sheet, frame, formats, streams, headers=ISSUE_HEADERS, widths={"file": 40, "message": 80, "code": 26, "unit": 30},
                row_formats=row_formats or None)


def _written_by_units_sheets(book, formats, streams: Streams, names, results: RunResults) -> None:
    """What units wrote beside their values (notes, evidence, why an item does not apply) and
    their general information: nothing a unit wrote is lost."""
    unit_name = unit_names(results)

    def unit_of(code: str) -> str:
        return f"{unit_name[code]} ({code})" if code in unit_name else code

    if len(results.notes):
        notes = results.notes.assign(unit=results.notes["unit_code"].map(unit_of))
        notes = notes.sort_values(["set_id", "unit_code", "field"], key=lambda c: c.map(natural_key), kind="stable")
        stream_table(book.add_worksheet(names("Ghi chú, minh chứng")), notes[["unit", "set_id", "field", "note"]],
                     formats, streams, headers={"unit": "Đơn vị", "set_id": "Biểu mẫu", "field": "Mã trường",
                                                "note": "Ghi chú, minh chứng của đơn vị"},
                     widths={"unit": 36, "set_id": 22, "field": 14, "note": 90})
    if len(results.info):
        info = results.info.assign(unit=results.info["unit_code"].map(unit_of))
        stream_table(book.add_worksheet(names("Thông tin chung")), info[["unit", "set_id", "label", "value", "field"]],
                     formats, streams, headers={"unit": "Đơn vị", "set_id": "Biểu mẫu", "label": "Thông tin",
                                                "value": "Đơn vị ghi", "field": "Mã trường"},
                     widths={"unit": 36, "set_id": 22, "label": 60, "value": 40, "field": 12})


def write_results_workbook(results: RunResults, target: Path | str | None = None) -> Path:
    target = Path(target) if target else results.out_dir / WORKBOOK_NAME
    names = _Names()
    # At 10 000 units the long sheets alone hold some 6 million cells: the tables' rows are
    # streamed into the package (workbook.streamed), the rest is xlsxwriter's.
    with streamed_workbook(target, f"Kết quả tổng hợp {fmt.period_words(results.period)}") as (book, formats, streams):
        scored = [set_id for set_id, sr in results.sets.items() if sr.totals is not None]
        for set_id in scored:
            _ranking_sheet(book, formats, streams, names, results, set_id)
        for set_id in scored:
            # The two matrices of points, made once for the set's matrix and index sheets: pivoting
            # half a million scores once per sheet took 2.5 s at 10,000 units.
            matrices = {column: matrix_frame(results, set_id, column) for column in MATRIX_COLUMNS}
            _matrix_sheets(book, formats, streams, names, results, set_id, matrices)
            _index_sheets(book, formats, streams, names, results, set_id, matrices)
            _long_sheet(book, formats, streams, names, results, set_id)
        write_history_sheets(book, formats, streams, names, results,
                             {set_id: short_name(sr.indicator_set) for set_id, sr in results.sets.items()})
        _unassessed_sheet(book, formats, streams, names, results)
        _written_by_units_sheets(book, formats, streams, names, results)
        _manifest_sheet(book, formats, streams, names, results)
        _issues_sheet(book, formats, streams, names, results)
    return target
