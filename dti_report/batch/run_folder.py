"""The files every run leaves in its folder, whatever the forms: the manifest of
every entry of the inputs folder (each once, with what it is and why it was not
used), every issue (CSV and workbook, with the clerk's technical column), and
run.json with the registry used. Each file is written to a temporary name and
renamed into place; CSV cells that a spreadsheet would run are neutralised
(core.files.write_csv)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd

from dti_report.batch.results import write_run_info
from dti_report.batch.run import BatchResult
from dti_report.core.files import write_csv
from dti_report.core.workers import Background
from dti_report.core.issues import SEVERITY_LABELS, Issue, issues_frame
from dti_report.workbook.reader import ACCEPTED, ENTRY_LABELS
from dti_report.workbook.streamed import stream_table, streamed_workbook

MANIFEST_COLUMNS = ["path", "sha256", "size", "unit_code", "set_id", "set_version", "period", "modified",
                    "status", "errors", "warnings", "issue_count", "entry", "target", "path_bytes", "reason", "origin"]
# Whether a file was read by this run or its reading came from the workspace's store.
READ_NOW, FROM_STORE = "read", "stored"
ORIGIN_LABELS = {READ_NOW: "Đọc lần này", FROM_STORE: "Đã có trong kho"}
MANIFEST_HEADERS = {
    "path": "Tệp", "sha256": "SHA-256", "size": "Kích thước (byte)", "unit_code": "Mã đơn vị", "set_id": "Bộ chỉ số",
    "set_version": "Phiên bản", "period": "Kỳ", "modified": "Thời điểm lưu", "status": "Trạng thái",
    "errors": "Số lỗi", "warnings": "Số cảnh báo", "issue_count": "Tổng số vấn đề", "entry": "Loại mục",
    "target": "Liên kết trỏ tới", "path_bytes": "Tên tệp (byte gốc)", "reason": "Lý do không dùng", "origin": "Nguồn",
}
ISSUE_HEADERS = {
    "severity": "Mức độ", "code": "Mã lỗi", "file": "Tệp", "sheet": "Trang", "cell": "Ô/dòng", "unit": "Đơn vị",
    "field": "Mã trường", "criterion": "Tiêu chí", "value": "Giá trị", "message": "Nội dung",
    "technical": "Chi tiết kỹ thuật",
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
            "entry": ENTRY_LABELS.get(sub.entry, sub.entry), "target": sub.target, "path_bytes": sub.path_bytes,
            "reason": "" if sub.status == ACCEPTED else (sub.reason or _first_reason(sub.issues)),
            "origin": FROM_STORE if sub.path in batch.stored else READ_NOW,
        })
    return pd.DataFrame(records, columns=MANIFEST_COLUMNS)


def _first_reason(issues: list[Issue]) -> str:
    """Why a file was not used, in the words of its first error (else its first warning)."""
    ranked = [i for i in issues if i.severity == "error"] or [i for i in issues if i.code != "name-not-utf8"]
    return ranked[0].message if ranked else ""


def write_issues_workbook(issues: list[Issue], target: Path) -> Path:
    # A national batch lists tens of thousands of issues: the rows are streamed (workbook.streamed).
    with streamed_workbook(target, "Lỗi và cảnh báo") as (book, formats, streams):
        frame = issues_frame(issues, technical=True)
        frame["severity"] = frame["severity"].map(SEVERITY_LABELS)
        stream_table(book.add_worksheet("Lỗi và cảnh báo"), frame, formats, streams, headers=ISSUE_HEADERS,
                     widths={"file": 40, "message": 80, "code": 26, "technical": 40})
    return target


NOTES_CSV, INFO_CSV = "ghi-chu.csv", "thong-tin-chung.csv"


def notes_frame(batch: BatchResult) -> pd.DataFrame:
    """What units wrote beside their values (notes, evidence, why an item does not apply):
    one row per form × unit × field."""
    rows = [{"set_id": key, "unit_code": unit, "field": field_id, "note": note}
            for key, fb in batch.forms.items() for field_id, by_unit in fb.data.notes.items()
            for unit, note in by_unit.items()]
    return pd.DataFrame(rows, columns=["set_id", "unit_code", "field", "note"])


def info_frame(batch: BatchResult) -> pd.DataFrame:
    """The general information block (contact person, phone, counts…) as each unit gave it."""
    rows = [{"set_id": key, "unit_code": unit, "field": field_id, "label": labels.get(field_id, field_id), "value": value}
            for key, fb in batch.forms.items() for labels in [{f.id: f.label for f in fb.form.info_fields}]
            for field_id, by_unit in fb.data.info.items() for unit, value in by_unit.items()]
    return pd.DataFrame(rows, columns=["set_id", "unit_code", "field", "label", "value"])


def write_run_files(batch: BatchResult, out_dir: Path, background: Background | None = None) -> list[Path]:
    """The run's own files; the issues workbook, which nothing after reads, in `background`."""
    out_dir = Path(out_dir)
    issues = sorted_issues(batch.issues)
    (background or Background(enabled=False)).start(write_issues_workbook, issues, out_dir / "issues.xlsx", aside=True)
    written = [
        write_csv(manifest_frame(batch), out_dir / "manifest.csv"),
        write_csv(issues_frame(issues, technical=True), out_dir / "issues.csv"),
        out_dir / "issues.xlsx",
        # Nothing a unit wrote is lost: its notes and general information, beside the scores.
        write_csv(notes_frame(batch), out_dir / NOTES_CSV),
        write_csv(info_frame(batch), out_dir / INFO_CSV),
    ]
    written += write_run_info(out_dir, batch.period, batch.registry,
                              {form_id: r.indicator_set.version for form_id, r in batch.results.items()},
                              {form_id: [u.code for u in units] for form_id, units in batch.missing.items()},
                              {key: r.indicator_set.id for key, r in batch.results.items()}, background,
                              final=batch.final)
    return written
