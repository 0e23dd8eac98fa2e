"""What the batch leaves in the output folder: the manifest, every issue,
scores and totals per set, the summary workbook and one feedback workbook
per unit. Each file is written to a temporary name and renamed into place."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dti_report.batch.run import BatchResult
from dti_report.forms.catalog import IndicatorSet, builtin_sets, get_set
from dti_report.forms.targets import TargetSet
from dti_report.evaluation.engine import STATUS_LABELS
from dti_report.core.issues import SEVERITY_LABELS, Issue, issues_frame
from dti_report.core.files import write_csv
from dti_report.batch.results import load_results, write_run_info
from dti_report.workbook.reader import STATUS_LABELS as FILE_STATUS_LABELS
from dti_report.workbook.reader import Submission
from dti_report.workbook.xlsx import print_setup, sheet_name, workbook, write_cell, write_table

MANIFEST_COLUMNS = ["path", "sha256", "size", "unit_code", "set_id", "set_version", "period", "modified",
                    "status", "errors", "warnings", "issue_count"]
MANIFEST_HEADERS = {
    "path": "Tệp", "sha256": "SHA-256", "size": "Kích thước (byte)", "unit_code": "Mã đơn vị", "set_id": "Bộ chỉ số",
    "set_version": "Phiên bản", "period": "Kỳ", "modified": "Thời điểm lưu", "status": "Trạng thái",
    "errors": "Số lỗi", "warnings": "Số cảnh báo", "issue_count": "Tổng số vấn đề",
}
ISSUE_HEADERS = {
    "severity": "Mức độ", "code": "Mã lỗi", "file": "Tệp", "sheet": "Trang", "cell": "Ô/dòng", "unit": "Đơn vị",
    "field": "Mã trường", "criterion": "Tiêu chí", "value": "Giá trị", "message": "Nội dung",
}


def sorted_issues(issues: list[Issue]) -> list[Issue]:
    order = {code: i for i, code in enumerate(["error", "warning"])}
    return sorted(issues, key=lambda i: (i.file == "", i.file, order[i.severity]))



def manifest_frame(batch: BatchResult) -> pd.DataFrame:
    by_file: dict[str, list[Issue]] = defaultdict(list)
    for issue in batch.issues:
        by_file[issue.file].append(issue)
    records = []
    for sub in batch.submissions:
        file_issues = by_file.get(sub.path, [])
        errors = sum(1 for i in file_issues if i.severity == "error")
        records.append({
            "path": sub.path, "sha256": sub.sha256, "size": sub.size, "unit_code": sub.unit_code,
            "set_id": sub.set_id, "set_version": sub.set_version, "period": sub.period, "modified": sub.modified,
            "status": sub.status, "errors": errors, "warnings": len(file_issues) - errors, "issue_count": len(file_issues),
        })
    return pd.DataFrame(records, columns=MANIFEST_COLUMNS)


def write_issues_sheet(book, formats, issues: list[Issue]) -> None:
    sheet = book.add_worksheet("Lỗi và cảnh báo")
    frame = issues_frame(issues)
    frame["severity"] = frame["severity"].map(SEVERITY_LABELS)
    write_table(sheet, frame, formats, headers=ISSUE_HEADERS, widths={"file": 40, "message": 80, "code": 26})


def write_issues_workbook(issues: list[Issue], target: Path) -> Path:
    with workbook(target, "Lỗi và cảnh báo") as (book, formats):
        write_issues_sheet(book, formats, issues)
    return target


@dataclass
class FeedbackPart:
    """One returned file of a unit, with what the unit should see of its scoring."""

    path: str
    status: str
    set_id: str
    values: dict[str, object]      # field id -> value as read
    cells: dict[str, str]          # field id -> cell
    scores: pd.DataFrame | None    # this unit's rows of scores.csv, by criterion
    total: dict | None             # this unit's row of totals.csv
    unit_count: int = 0


@dataclass
class Feedback:
    unit_code: str
    unit_name: str
    period: str
    parts: list[FeedbackPart]
    issues: list[Issue]


def write_feedback_workbook(feedback: Feedback, target: Path) -> Path:
    """What goes back to one unit: its values, its points, its issues, faulty cells highlighted."""
    with workbook(target, f"Phản hồi kết quả — {feedback.unit_name}") as (book, formats):
        severity_of: dict[tuple[str, str], str] = {}
        for issue in feedback.issues:
            key = (issue.file, issue.field)
            if severity_of.get(key) != "error":
                severity_of[key] = issue.severity
        parts = feedback.parts
        for n, part in enumerate(parts, start=1):
            sheet = book.add_worksheet(sheet_name(f"Kết quả {part.set_id}" if len(parts) == 1 else f"Tệp {n} {part.set_id}"))
            sheet.write_string(0, 0, f"{feedback.unit_name} ({feedback.unit_code}) — kỳ {feedback.period}", formats["title"])
            sheet.write_string(1, 0, f"Tệp: {part.path} — {FILE_STATUS_LABELS[part.status]}", formats["bold"])
            indicator_set = get_set(part.set_id) if part.set_id in builtin_sets() else None
            if isinstance(indicator_set, TargetSet) and part.status == "accepted":
                write_unit_figures(sheet, formats, indicator_set, part, severity_of)
                continue
            if part.scores is None:
                sheet.write_string(3, 0, "Tệp không được dùng để chấm điểm; xem trang Lỗi và cảnh báo.", formats["text"])
                continue
            write_unit_scores(sheet, formats, get_set(part.set_id), part, severity_of)
        sheet = book.add_worksheet("Lỗi và cảnh báo")
        frame = issues_frame(feedback.issues)
        frame["severity"] = frame["severity"].map(SEVERITY_LABELS)
        row_formats = [formats["error"] if i.severity == "error" else formats["warning"] for i in feedback.issues]
        write_table(sheet, frame, formats, headers=ISSUE_HEADERS, widths={"file": 36, "message": 80, "code": 26},
                    row_formats=row_formats or None)
    return target


def write_unit_figures(sheet, formats, target_set: TargetSet, part: FeedbackPart,
                       severity_of: dict[tuple[str, str], str]) -> None:
    """A target set's workbook, as read: the figures go into the city's monitoring table."""
    sheet.write_string(2, 0, "Số liệu đã được tổng hợp vào bảng theo dõi chỉ tiêu của Thành phố.", formats["text"])
    row = 4
    for c, (header, width) in enumerate(zip(["Mã", "Nội dung", "Ô", "Giá trị đã nhập"], [10, 80, 8, 30])):
        sheet.write_string(row, c, header, formats["header"])
        sheet.set_column(c, c, width)
    for field_id, f in target_set.fields.items():
        if field_id not in part.values:
            continue
        row += 1
        write_cell(sheet, row, 0, field_id, formats["text"])
        write_cell(sheet, row, 1, f.label, formats["text"])
        write_cell(sheet, row, 2, part.cells.get(field_id, ""), formats["text"])
        write_cell(sheet, row, 3, part.values.get(field_id, ""),
                   formats.get(severity_of.get((part.path, field_id), ""), formats["text"]))
    print_setup(sheet, 4)


def write_unit_scores(sheet, formats, s: IndicatorSet, part: FeedbackPart, severity_of: dict[tuple[str, str], str]) -> None:
    total = part.total
    sheet.write_string(2, 0, f"Tổng điểm: {total['total']:.2f}/{s.total_points:g} — hạng {total['rank']}/{part.unit_count}"
                       f" (tự đánh giá {total['self_total']:.2f})".replace(".", ","), formats["bold"])
    headers = ["Mã tiêu chí", "Nội dung", "Điểm tối đa", "Mã trường", "Ô", "Giá trị đã nhập", "Điểm tự chấm (tính lại)",
               "Điểm đánh giá", "Tình trạng"]
    widths = [10, 60, 10, 14, 8, 24, 14, 14, 20]
    row = 4
    for c, (header, width) in enumerate(zip(headers, widths)):
        sheet.write_string(row, c, header, formats["header"])
        sheet.set_column(c, c, width)
    sheet.freeze_panes(row + 1, 0)
    print_setup(sheet, row)
    scores = part.scores
    for criterion in s.criteria:
        row += 1
        self_score, verified_score, status = scores[criterion.id]
        write_cell(sheet, row, 0, criterion.id, formats["bold"])
        write_cell(sheet, row, 1, criterion.name, formats["bold"])
        write_cell(sheet, row, 2, criterion.max_points, formats["points"])
        write_cell(sheet, row, 6, self_score, formats["points"])
        write_cell(sheet, row, 7, verified_score, formats["points"])
        write_cell(sheet, row, 8, STATUS_LABELS[status], formats["text"])
        for f in criterion.fields:
            row += 1
            fmt = formats.get(severity_of.get((part.path, f.id), ""), formats["text"])
            write_cell(sheet, row, 1, f.label, formats["text"])
            write_cell(sheet, row, 3, f.id, formats["text"])
            write_cell(sheet, row, 4, part.cells.get(f.id, ""), formats["text"])
            write_cell(sheet, row, 5, part.values.get(f.id, ""), fmt)


def feedback_payloads(batch: BatchResult, issues: list[Issue]) -> list[Feedback]:
    """One payload per unit that sent anything, everything grouped once (not per unit)."""
    names = {u.code: u.name for u in batch.registry.units}
    scores_by_unit: dict[tuple[str, str], dict] = {}
    totals_by_unit: dict[tuple[str, str], dict] = {}
    for set_id, result in batch.results.items():
        table = result.scores
        for unit, criterion, self_score, verified, status in zip(table["unit_code"], table["criterion"], table["self_score"],
                                                                 table["verified_score"], table["status"]):
            scores_by_unit.setdefault((set_id, unit), {})[criterion] = (self_score, verified, status)
        for record in result.totals.to_dict("records"):
            totals_by_unit[(set_id, record["unit_code"])] = record
    issues_by_file: dict[str, list[Issue]] = defaultdict(list)
    for issue in issues:
        issues_by_file[issue.file].append(issue)
    by_unit: dict[str, list[Submission]] = defaultdict(list)
    for sub in batch.submissions:
        if sub.unit_code in names:
            by_unit[sub.unit_code].append(sub)
    payloads = []
    for unit_code, subs in sorted(by_unit.items()):
        parts = []
        for sub in subs:
            used = sub.status == "accepted" and sub.set_id in batch.results
            parts.append(FeedbackPart(
                sub.path, sub.status, sub.set_id,
                {r[1]: r[2] for r in sub.records}, {r[1]: r[6] for r in sub.records},
                scores_by_unit.get((sub.set_id, unit_code)) if used else None,
                totals_by_unit.get((sub.set_id, unit_code)) if used else None,
                len(batch.results[sub.set_id].totals) if used else 0))
        unit_issues = [i for sub in subs for i in issues_by_file.get(sub.path, [])]
        payloads.append(Feedback(unit_code, names[unit_code], batch.period, parts, unit_issues))
    return payloads


def _write_feedback_job(job: tuple[Feedback, Path]) -> Path:
    return write_feedback_workbook(*job)


def write_batch(batch: BatchResult, out_dir: Path, workers: int = 1) -> list[Path]:
    out_dir = Path(out_dir)
    issues = sorted_issues(batch.issues)
    written = [
        write_csv(manifest_frame(batch), out_dir / "manifest.csv"),
        write_csv(issues_frame(issues), out_dir / "issues.csv"),
        write_issues_workbook(issues, out_dir / "issues.xlsx"),
    ]
    for set_id, result in batch.results.items():
        written.append(write_csv(result.scores, out_dir / set_id / "scores.csv"))
        written.append(write_csv(result.totals, out_dir / set_id / "totals.csv"))
    written += write_run_info(out_dir, batch.period, batch.registry,
                              {set_id: r.indicator_set.version for set_id, r in batch.results.items()},
                              {set_id: [u.code for u in units] for set_id, units in batch.missing.items()})
    # The analysts' workbook renders from the files just written, as `report --results` does.
    from dti_report.reports.workbook import write_results_workbook  # here: reports imports this module
    written.append(write_results_workbook(load_results(out_dir)))
    jobs = [(payload, out_dir / "phan-hoi" / f"{payload.unit_code}.xlsx") for payload in feedback_payloads(batch, issues)]
    if workers > 1 and len(jobs) >= 50:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            written += list(pool.map(_write_feedback_job, jobs, chunksize=16))
    else:
        written += [_write_feedback_job(job) for job in jobs]
    return written
