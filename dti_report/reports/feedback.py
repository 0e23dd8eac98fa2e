"""What goes back to each unit: one feedback workbook with what it reported, its
points where its form is scored, and its issues with the faulty cells marked."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dti_report.batch.run import BatchResult
from dti_report.forms.base import Form
from dti_report.forms.indicators import IndicatorSet
from dti_report.evaluation.engine import STATUS_LABELS
from dti_report.batch.run_folder import ISSUE_HEADERS, sorted_issues
from dti_report.core.issues import SEVERITY_LABELS, Issue, issues_frame
from dti_report.workbook.reader import STATUS_LABELS as FILE_STATUS_LABELS
from dti_report.workbook.reader import Submission
from dti_report.workbook.xlsx import print_setup, sheet_name, workbook, write_cell, write_table

@dataclass
class FeedbackPart:
    """One returned file of a unit, with what the unit should see of its scoring."""

    path: str
    status: str
    set_id: str
    form: Form | None              # the form the file was read with; None when it names none known
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
            if part.scores is not None:
                write_unit_scores(sheet, formats, part.form, part, severity_of)
            elif part.form is not None and part.status == "accepted":
                write_unit_figures(sheet, formats, part.form, part, severity_of)
            else:
                sheet.write_string(3, 0, "Tệp không được sử dụng; xem lý do ở trang Lỗi và cảnh báo.", formats["text"])
        sheet = book.add_worksheet("Lỗi và cảnh báo")
        frame = issues_frame(feedback.issues)
        frame["severity"] = frame["severity"].map(SEVERITY_LABELS)
        row_formats = [formats["error"] if i.severity == "error" else formats["warning"] for i in feedback.issues]
        write_table(sheet, frame, formats, headers=ISSUE_HEADERS, widths={"file": 36, "message": 80, "code": 26},
                    row_formats=row_formats or None)
    return target


def write_unit_figures(sheet, formats, form: Form, part: FeedbackPart,
                       severity_of: dict[tuple[str, str], str]) -> None:
    """An accepted workbook that is not scored (figures, task reports), as read: what the
    unit reported, and where it goes."""
    sheet.write_string(2, 0, form.received_text, formats["text"])
    row = 4
    for c, (header, width) in enumerate(zip(["Mã", "Nội dung", "Ô", "Giá trị đã nhập"], [10, 80, 8, 30])):
        sheet.write_string(row, c, header, formats["header"])
        sheet.set_column(c, c, width)
    for field_id, f in form.fields.items():
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
            key = batch.key_of(sub)
            used = sub.status == "accepted" and key in batch.results
            form = batch.forms[key].form if key in batch.forms else None
            parts.append(FeedbackPart(
                sub.path, sub.status, sub.set_id, form,
                {r[1]: r[2] for r in sub.records}, {r[1]: r[6] for r in sub.records},
                scores_by_unit.get((key, unit_code)) if used else None,
                totals_by_unit.get((key, unit_code)) if used else None,
                len(batch.results[key].totals) if used else 0))
        unit_issues = [i for sub in subs for i in issues_by_file.get(sub.path, [])]
        payloads.append(Feedback(unit_code, names[unit_code], batch.period, parts, unit_issues))
    return payloads


def _write_feedback_job(job: tuple[Feedback, Path]) -> Path:
    return write_feedback_workbook(*job)


def write_feedback(batch: BatchResult, out_dir: Path, workers: int = 1) -> list[Path]:
    """One workbook per unit that sent anything, in phan-hoi/."""
    issues = sorted_issues(batch.issues)
    jobs = [(payload, out_dir / "phan-hoi" / f"{payload.unit_code}.xlsx") for payload in feedback_payloads(batch, issues)]
    if workers > 1 and len(jobs) >= 50:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(_write_feedback_job, jobs, chunksize=16))
    return [_write_feedback_job(job) for job in jobs]
