"""What goes back to each unit: one feedback workbook with what it reported, its
points where its form is scored, and its issues with the faulty cells marked."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Collection, Iterator

import pandas as pd
import xlsxwriter

from dti_report.batch.results import unit_rows
from dti_report.batch.run import BatchResult
from dti_report.core import formatting as fmt
from dti_report.core.files import write_csv
from dti_report.core.kept_outputs import RECORD_COLUMNS, EarlierIndex, Record, package_code, record_of, unit_fingerprints
from dti_report.core.numbers import parse_date
from dti_report.forms.base import Form
from dti_report.forms.indicators import IndicatorSet
from dti_report.evaluation.engine import STATUS_LABELS
from dti_report.batch.run_folder import ISSUE_HEADERS, sorted_issues
from dti_report.reports.context import UNIT_SCORE_COLUMNS, registry_entries
from dti_report.core.issues import ISSUE_COLUMNS, SEVERITY_LABELS, Issue, group_by_file
from dti_report.core.progress import FEEDBACK, Progress
from dti_report.core.workers import chunked_map
from dti_report.workbook.reader import STATUS_LABELS as FILE_STATUS_LABELS
from dti_report.workbook.reader import Submission
from dti_report.workbook.packed_rows import rows_json, unpack_rows
from dti_report.workbook.house_package import house_workbook
from dti_report.workbook.sheet_xml import Sheet
from dti_report.workbook.xlsx import LINE_HEIGHT, chars_per_line, lines_needed, print_setup, sheet_name, write_rows

@dataclass
class FeedbackPart:
    """One returned file of a unit, with what the unit should see of its scoring."""

    path: str
    status: str
    set_id: str
    form: Form | None              # the form the file was read with; None when it names none known
    packed_rows: bytes             # its input rows as read (workbook.packed_rows), unpacked where written
    scores: pd.DataFrame | None    # this unit's rows of scores.csv, by criterion
    total: dict | None             # this unit's total and self-assessed total (totals.csv)
    sha256: str = ""               # the file's content, which its rows are read from

    @cached_property
    def _rows(self) -> list[tuple]:
        return unpack_rows(self.packed_rows)  # once, for the three views below

    @cached_property
    def values(self) -> dict[str, object]:
        """Field id -> value as read."""
        return {r[1]: r[2] for r in self._rows}

    @cached_property
    def cells(self) -> dict[str, str]:
        return {r[1]: r[6] for r in self._rows}

    @cached_property
    def notes(self) -> dict[str, str]:
        """Field id -> what the unit wrote in the note column."""
        return {r[1]: r[3] for r in self._rows if r[3] not in (None, "")}


@dataclass
class Feedback:
    unit_code: str
    unit_name: str
    period: str
    parts: list[FeedbackPart]
    issues: list[Issue]


def write_feedback_workbook(feedback: Feedback, target: Path) -> Path:
    """What goes back to one unit: its values, its points, its issues, faulty cells highlighted."""
    with house_workbook(target, f"Phản hồi kết quả — {feedback.unit_name}") as (book, formats):
        severity_of: dict[tuple[str, str], str] = {}
        for issue in feedback.issues:
            key = (issue.file, issue.field)
            if severity_of.get(key) != "error":
                severity_of[key] = issue.severity
        parts = feedback.parts
        for n, part in enumerate(parts, start=1):
            sheet = book.add_worksheet(sheet_name(f"Kết quả {part.set_id}" if len(parts) == 1 else f"Tệp {n} {part.set_id}"))
            sheet.write_string(0, 0, f"{feedback.unit_name} ({feedback.unit_code}) — {fmt.period_words(feedback.period)}",
                               formats["title"])
            form_title = f" — {part.form.title}" if part.form is not None else ""
            sheet.write_string(1, 0, f"Tệp: {part.path} — {FILE_STATUS_LABELS[part.status]}{form_title}", formats["bold"])
            if part.scores is not None:
                write_unit_scores(sheet, formats, part.form, part, severity_of)
            elif part.form is not None and part.status == "accepted":
                write_unit_figures(sheet, formats, part.form, part, severity_of)
            else:
                sheet.write_string(3, 0, "Tệp không được sử dụng; xem lý do ở trang Lỗi và cảnh báo.", formats["text"])
        sheet = book.add_worksheet("Lỗi và cảnh báo")
        rows = [(SEVERITY_LABELS.get(i.severity), *(getattr(i, column) for column in ISSUE_COLUMNS[1:]))
                for i in feedback.issues]
        row_formats = [formats["error"] if i.severity == "error" else formats["warning"] for i in feedback.issues]
        write_rows(sheet, ISSUE_COLUMNS, rows, formats, headers=ISSUE_HEADERS,
                   widths={"file": 36, "message": 80, "code": 26}, row_formats=row_formats or None)
    return target


# The part of a field id after its item's id names what the field asks ("2.trang-thai" ->
# ".trang-thai"): fields with the same part share a column, whatever the kind of form.
VALUE_COLUMN = "Số liệu đã nhập"
NOTE_COLUMN = "Ghi chú, minh chứng"
# Wide enough that a unit's note or document reference reads in a few lines; rows grow to fit it.
TEXT_WIDTH = 28
FIELD_WIDTHS = {"choice": 16, "yes-no": 12, "date": 12, "integer": 14, "decimal": 14, "percent": 14}


def _role(item_id: str, field_id: str) -> str:
    return field_id[len(item_id):] if field_id.startswith(item_id) else field_id


def _header(label: str) -> str:
    """A field's label as a column header: its explanation in brackets left out."""
    return label.split(" (")[0].strip()


def shown(value, field) -> str:
    """A value as the unit should read it back: numbers the Vietnamese way, percentages with
    their sign, dates dd/mm/yyyy, text as typed."""
    if type(value) is str and value and (field is None or field.type != "date"):
        return value  # the most common case first
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return ""
    if field is not None and field.type == "date" and not isinstance(value, (dt.date, int, float)):
        value = parse_date(value) or value  # a date kept as text ("2022-11-04") reads as one
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    if isinstance(value, dt.date):
        return fmt.short_date(value) if not isinstance(value, dt.datetime) else f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, (int, float)):
        if field is not None and field.type == "percent" and value <= 1:
            return fmt.number(value * 100, 2) + "%"
        return fmt.number(value, 4)
    return str(value)


def _header_row(sheet, formats, headers: list[str], widths: list[float], frozen_columns: int, row: int = 4) -> int:
    """The table's header row, column widths, frozen panes and print setup; returns the row."""
    for c, (header, width) in enumerate(zip(headers, widths)):
        sheet.write_string(row, c, header, formats["header"])
        sheet.set_column(c, c, width)
    sheet.set_row(row, LINE_HEIGHT * lines_needed(zip(headers, widths)))
    sheet.freeze_panes(row + 1, frozen_columns)
    print_setup(sheet, row, sum(widths))
    return row


def write_unit_figures(sheet, formats, form: Form, part: FeedbackPart,
                       severity_of: dict[tuple[str, str], str]) -> None:
    """An accepted workbook that is not scored (figures, task reports, assigned criteria): each
    item the unit answered, one row, what it reported beside it; the section it belongs to (a
    group of tasks, a row of the monitoring table) as a band above, so the unit sees where its
    figures went."""
    sheet.write_string(2, 0, form.received_text, formats["bold"])
    sections = [(section, [item for item in section.items if any(f.id in part.values for f in item.fields)])
                for section in form.sections]
    sections = [(section, items) for section, items in sections if items]
    roles: dict[str, str] = {}
    role_widths: dict[str, float] = {}
    for _section, items in sections:
        for item in items:
            for f in item.fields:
                role = _role(item.id, f.id)
                roles.setdefault(role, VALUE_COLUMN if role == "" else _header(f.label))
                role_widths[role] = max(role_widths.get(role, 0), FIELD_WIDTHS.get(f.type, TEXT_WIDTH))
    has_notes = any(part.notes.get(f.id) for _s, items in sections for item in items for f in item.fields)
    headers = ["Mã", "Nội dung", *roles.values(), *([NOTE_COLUMN] if has_notes else [])]
    widths = [10, 50, *role_widths.values(), *([TEXT_WIDTH] if has_notes else [])]
    row = _header_row(sheet, formats, headers, widths, frozen_columns=2)
    band = formats["band"]
    for section, items in sections:
        row += 1
        title = section.name if not section.id or not re.match(r"^[\dA-Z][\w.]*$", section.id) else \
            f"{section.id}. {section.name}"
        if section.description:
            title += f" — {section.description}"
        sheet.merge_range(row, 0, row, len(headers) - 1, title, band)
        sheet.set_row(row, LINE_HEIGHT * lines_needed([(title, sum(widths))]))
        for item in items:
            row += 1
            cells = {roles_key: "" for roles_key in roles}
            notes, severity = [], ""
            for f in item.fields:
                cells[_role(item.id, f.id)] = shown(part.values.get(f.id), f)
                if part.notes.get(f.id):
                    notes.append(str(part.notes[f.id]))
                found = severity_of.get((part.path, f.id), "")
                severity = "error" if "error" in (found, severity) else (found or severity)
            values = [item.id, item.name, *cells.values(), *(["; ".join(notes)] if has_notes else [])]
            for c, value in enumerate(values):
                style = formats.get(severity, formats["text"]) if c >= 2 and value else formats["text"]
                sheet.write_string(row, c, value, style)
            sheet.set_row(row, LINE_HEIGHT * lines_needed(list(zip(values, widths))))


SCORE_HEADERS = ["Mã tiêu chí", "Nội dung", "Điểm tối đa", "Mã trường", "Ô", "Giá trị đã nhập",
                 "Điểm tự chấm (tính lại)", "Điểm đánh giá", "Tình trạng",
                 "Lý do điều chỉnh của Sở Thông tin và Truyền thông"]
SCORE_WIDTHS = [10, 60, 10, 14, 8, 24, 14, 14, 20, 40]
NAME_WIDTH, VALUE_WIDTH, REASON_WIDTH = SCORE_WIDTHS[1], SCORE_WIDTHS[5], SCORE_WIDTHS[9]
VALUE_LINE = chars_per_line(VALUE_WIDTH)  # a value no longer, on one line, leaves its row as the label needs it

# A scored form's rows as far as every unit's sheet shows the same (criterion ids, names and
# maximum points, field labels and ids, the heights they need), written once per form into a
# prototype sheet that each unit's sheet starts from: they are most of its cells. Kept for the
# few forms of a run; the entry holds its form, so the id in the key is never another form's.
_SHARED_ROWS: dict[tuple, tuple[IndicatorSet, Sheet]] = {}
_SHARED_ROWS_LIMIT = 8


def _shared_score_rows(s: IndicatorSet, formats, header_row: int) -> Sheet:
    key = (id(s), header_row, formats["bold"], formats["points"], formats["text"])
    found = _SHARED_ROWS.get(key)
    if found is not None and found[0] is s:
        return found[1]
    sheet, row = Sheet("rows"), header_row
    for criterion in s.criteria:
        row += 1
        sheet.write_value(row, 0, criterion.id, formats["bold"])
        sheet.write_value(row, 1, criterion.name, formats["bold"])
        sheet.write_value(row, 2, criterion.max_points, formats["points"])
        sheet.set_row(row, LINE_HEIGHT * lines_needed([(criterion.name, NAME_WIDTH)]))
        for f in criterion.fields:
            row += 1
            sheet.write_value(row, 1, f.label, formats["text"])
            sheet.write_value(row, 3, f.id, formats["text"])
            sheet.set_row(row, LINE_HEIGHT * lines_needed([(f.label, NAME_WIDTH)]))
    if len(_SHARED_ROWS) >= _SHARED_ROWS_LIMIT:
        del _SHARED_ROWS[next(iter(_SHARED_ROWS))]  # the oldest
    _SHARED_ROWS[key] = (s, sheet)
    return sheet


def write_unit_scores(sheet, formats, s: IndicatorSet, part: FeedbackPart, severity_of: dict[tuple[str, str], str]) -> None:
    """Each criterion of a scored form with the unit's points, each of its fields below it
    with what the unit entered; a row grows when the unit's reason or value needs more lines
    than the shared text beside it."""
    total = part.total
    # No rank: a unit's rank moves whenever another unit's file arrives; it is in the scorecard
    # and the reports. The workbook then depends on the unit's own files alone (reused on reruns).
    sheet.write_string(2, 0, f"Tổng điểm: {total['total']:.2f}/{s.total_points:g}"
                       f" (tự đánh giá {total['self_total']:.2f})".replace(".", ","), formats["bold"])
    row = _header_row(sheet, formats, SCORE_HEADERS, SCORE_WIDTHS, frozen_columns=0)
    sheet.write_cells_of(_shared_score_rows(s, formats, row))
    scores, values, cells, path = part.scores, part.values, part.cells, part.path
    points, text = formats["points"], formats["text"]
    for criterion in s.criteria:
        row += 1
        self_score, verified_score, status, reason = scores[criterion.id]
        sheet.write_value(row, 6, self_score, points)
        sheet.write_value(row, 7, verified_score, points)
        sheet.write_value(row, 8, STATUS_LABELS[status], text)
        if reason:
            sheet.write_value(row, 9, reason, text)
            sheet.set_row(row, LINE_HEIGHT * lines_needed([(criterion.name, NAME_WIDTH), (reason, REASON_WIDTH)]))
        for f in criterion.fields:
            row += 1
            style = formats.get(severity_of.get((path, f.id), ""), text) if severity_of else text
            value = shown(values.get(f.id), f)
            sheet.write_value(row, 4, cells.get(f.id, ""), text)
            sheet.write_value(row, 5, value, style)
            if len(value) > VALUE_LINE or "\n" in value:
                sheet.set_row(row, LINE_HEIGHT * lines_needed([(f.label, NAME_WIDTH), (value, VALUE_WIDTH)]))


def feedback_payloads(batch: BatchResult, issues: list[Issue], only: Collection[str] | None = None) -> Iterator[Feedback]:
    """One payload per unit that sent anything (of those in `only`, when given), in unit order,
    made as it is asked for: the tables are grouped once, each unit's part of them taken when
    its turn comes, so ten thousand payloads are never all held at once."""
    names = {u.code: u.name for u in batch.registry.units}
    columns: dict[str, tuple] = {}
    rows_of: dict[str, dict] = {}
    totals_by_unit: dict[tuple[str, str], dict] = {}
    for set_id, result in batch.results.items():
        table = result.scores
        if only is not None:  # a rerun's few: their rows alone taken apart
            table = table[table["unit_code"].isin(list(only))]
        reasons = table["reason"].tolist() if "reason" in table.columns else [""] * len(table)
        columns[set_id] = (table["criterion"].tolist(), table["self_score"].tolist(),
                           table["verified_score"].tolist(), table["status"].tolist(), reasons)
        rows_of[set_id] = unit_rows(table["unit_code"].tolist())
        for code, total, self_total in zip(result.totals["unit_code"].tolist(), result.totals["total"].tolist(),
                                           result.totals["self_total"].tolist()):
            totals_by_unit[(set_id, code)] = {"total": total, "self_total": self_total}

    def scores_of(key: str, unit: str) -> dict | None:
        if key not in columns or unit not in rows_of[key]:
            return None
        criteria, self_scores, verified, statuses, reasons = columns[key]
        return {criteria[i]: (self_scores[i], verified[i], statuses[i], reasons[i])
                for i in rows_of[key][unit]}

    issues_by_file = group_by_file(issues)
    by_unit: dict[str, list[Submission]] = defaultdict(list)
    for sub in batch.submissions:
        if sub.unit_code in names:
            by_unit[sub.unit_code].append(sub)
    for unit_code, subs in sorted(by_unit.items()):
        if only is not None and unit_code not in only:
            continue
        parts = []
        for sub in subs:
            key = batch.key_of(sub)
            used = sub.status == "accepted" and key in batch.results
            form = batch.forms[key].form if key in batch.forms else None
            parts.append(FeedbackPart(
                sub.path, sub.status, sub.set_id, form,
                sub.packed_rows,
                scores_of(key, unit_code) if used else None,
                totals_by_unit.get((key, unit_code)) if used else None, sub.sha256))
        unit_issues = [i for sub in subs for i in issues_by_file.get(sub.path, [])]
        yield Feedback(unit_code, names[unit_code], batch.period, parts, unit_issues)


def _written(feedback: Feedback, target: Path, made_from: str) -> tuple[Path, Record]:
    write_feedback_workbook(feedback, target)
    return target, record_of(target, made_from)


def _write_feedback_chunk(jobs: list[tuple[Feedback, Path, str]]) -> list[tuple[Path, Record]]:
    return [_written(*job) for job in jobs]


# Workbooks a process writes per task: large enough to amortise sending, small enough to hold few.
FEEDBACK_CHUNK = 32
FEEDBACK_FOLDER = "phan-hoi"
# Each workbook with what it was made from and its bytes' digest: a rerun copies the previous
# run's workbook of a unit whose files, points and issues did not change instead of writing it.
FEEDBACK_INDEX = "phan-hoi.csv"
FEEDBACK_INDEX_COLUMNS = ["unit_code", "file", *RECORD_COLUMNS]


# What a unit's feedback shows of an issue: all but its technical text.
ISSUE_FIELDS = ["code", "file", "sheet", "cell", "unit", "field", "criterion", "value", "detail"]


def feedback_fingerprints(batch: BatchResult, issues: list[Issue]) -> dict[str, str]:
    """Per unit that sent anything, in code order, one digest of every row its payload is
    read from (feedback_payloads): each of its files as the store keys a reading (path,
    status, set, the form as validated, the content; the rows as JSON when there is no
    content), its rows of points and its totals in each set, its files' issues without their
    technical text, its entry in the registry; and the period, the code and the libraries
    that write it. Made for every unit at once, without making a payload. A unit's files taken
    back from the store give what reading them again gives, so a rerun's index is a cold run's."""
    known = {u.code for u in batch.registry.units}
    forms = {key: hashlib.sha256(fb.form.model_dump_json().encode()).hexdigest() for key, fb in batch.forms.items()}
    issues_by_file = group_by_file(issues)
    files, issue_rows = [], []
    for sub in batch.submissions:
        if sub.unit_code not in known:
            continue
        key = batch.key_of(sub)
        files.append((sub.unit_code, sub.path, sub.status, sub.set_id, key,
                      forms.get(key, ""), sub.sha256 or rows_json(sub.packed_rows)))
        issue_rows += [(sub.unit_code, i.code, i.file, i.sheet, i.cell, i.unit, i.field, i.criterion, i.value, i.detail)
                       for i in issues_by_file.get(sub.path, ())]
    frames = {
        "files": pd.DataFrame(files, columns=["unit_code", "path", "status", "set_id", "key", "form", "content"]),
        "issues": pd.DataFrame(issue_rows, columns=["unit_code", *ISSUE_FIELDS]),
        "registry": registry_entries(batch.registry),
    }
    for key, result in batch.results.items():
        scores = result.scores
        frames[f"scores {key}"] = scores[["unit_code", *(c for c in UNIT_SCORE_COLUMNS if c in scores.columns)]]
        frames[f"totals {key}"] = result.totals[["unit_code", "total", "self_total"]]
    prefix = b"\0".join([package_code(), xlsxwriter.__version__.encode(), batch.period.encode()])
    return unit_fingerprints(prefix, sorted(dict.fromkeys(row[0] for row in files)), frames)


def write_feedback(batch: BatchResult, out_dir: Path, workers: int = 1, progress: Progress | None = None,
                   previous: Path | None = None) -> list[Path]:
    """One workbook per unit that sent anything, in phan-hoi/, and their index. Payloads are
    made as the workbooks are written (core.workers.chunked_map). `previous`: the previous
    run's folder, whose workbooks made from the same are copied, not written again."""
    progress = progress or Progress()
    issues = sorted_issues(batch.issues)
    made_from = feedback_fingerprints(batch, issues)
    earlier = EarlierIndex(previous, FEEDBACK_INDEX, FEEDBACK_INDEX_COLUMNS)
    if earlier:
        (out_dir / FEEDBACK_FOLDER).mkdir(parents=True, exist_ok=True)
    index: dict[str, Record] = {}
    progress.phase(FEEDBACK, len(made_from))
    for unit, made in made_from.items():
        name = f"{FEEDBACK_FOLDER}/{unit}.xlsx"
        kept = earlier.take(unit, made, name, out_dir / name)
        if kept is not None:
            index[unit] = kept
            progress.advance()
    again = {unit for unit in made_from if unit not in index}
    jobs = ((payload, out_dir / FEEDBACK_FOLDER / f"{payload.unit_code}.xlsx", made_from[payload.unit_code])
            for payload in (feedback_payloads(batch, issues, only=again) if again else ()))
    if workers <= 1 or len(again) < 50:
        results = (_written(*job) for job in jobs)
    else:
        results = chunked_map(_write_feedback_chunk, jobs, workers, FEEDBACK_CHUNK)
    for path, record in progress.counted(results):
        index[path.stem] = record
    rows = [(unit, f"{FEEDBACK_FOLDER}/{unit}.xlsx", *index[unit]) for unit in sorted(index)]
    written = [out_dir / FEEDBACK_FOLDER / f"{unit}.xlsx" for unit in sorted(index)]
    return written + [write_csv(pd.DataFrame(rows, columns=FEEDBACK_INDEX_COLUMNS), out_dir / FEEDBACK_INDEX)]
