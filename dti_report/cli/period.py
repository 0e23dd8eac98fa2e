"""A period's work: blank workbooks (`templates`), a workspace (`init`), the run and its
reports (`run`, `report`)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from dti_report import pipeline
from dti_report.batch.workspace import WorkspaceError
from dti_report.cli.common import (console, current_workspace, forms_catalog, load_units, pdf_option,
                                   period_argument, period_option, period_or_latest, print_findings, print_reports,
                                   progress_bar, settings_option, units_option, workers_option)
from dti_report.cli.vietnamese import Command
from dti_report.reports.monitoring import FINDINGS_CSV
from dti_report.workbook.reader import STATUS_LABELS as FILE_STATUS


@click.command("templates", cls=Command)
@click.option("--set", "set_id", required=True, help="Mã bộ chỉ số, ví dụ hcm-dti-so.")
@period_option()
@click.option("--unit", "unit_codes", multiple=True, help="Mã đơn vị (có thể lặp lại); mặc định: mọi đơn vị áp dụng bộ chỉ số.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi biểu mẫu; trong không gian làm việc mặc định là bieu-mau-trong/<kỳ>/.")
@click.option("--deadline", help="Hạn gửi, in trong trang hướng dẫn (ví dụ: 15/01/2024); trong không gian làm việc "
                                 "được ghi vào kho dữ liệu để tính đúng hạn, trễ hạn.")
@click.option("--contact", help="Đầu mối liên hệ, in trong trang hướng dẫn.")
@units_option
def templates_command(set_id: str, period: str, unit_codes: tuple[str, ...], out_dir: Path | None,
                      deadline: str | None, contact: str | None, units_path: Path | None) -> None:
    """Tạo biểu mẫu Excel trống cho từng đơn vị."""
    ws = current_workspace()
    if out_dir is None:
        if ws is None:
            raise click.UsageError("Missing option '--out'.")
        out_dir = ws.blanks(period)
    form = forms_catalog().for_period(set_id, period)
    written = pipeline.write_unit_templates(form, load_units(units_path), period, out_dir,
                                            unit_codes=list(unit_codes), deadline=deadline, contact=contact)
    console.print(f"Đã tạo {len(written)} biểu mẫu trong {out_dir}")
    if ws is not None:
        ws.inbox(period).mkdir(parents=True, exist_ok=True)
        if deadline:
            day = pipeline.record_deadline(ws, form.id, period, deadline)
            console.print(f"Hạn gửi {day:%d/%m/%Y} của {form.id} kỳ {period} đã ghi vào kho dữ liệu; "
                          f"tệp đơn vị gửi chép vào {ws.inbox(period)}")


@click.command("init", cls=Command)
@click.argument("root", metavar="THƯ-MỤC", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="Tên không gian làm việc; mặc định: tên thư mục.")
@click.option("--units", "units_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Danh mục đơn vị chép vào không gian làm việc; mặc định: danh mục Thành phố Hồ Chí Minh năm 2023.")
@click.option("--settings", "settings_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Cài đặt báo cáo chép vào không gian làm việc; mặc định: cài đặt có sẵn của công cụ.")
def init_command(root: Path, name: str | None, units_path: Path | None, settings_path: Path | None) -> None:
    """Tạo không gian làm việc: cài đặt, danh mục đơn vị, hộp thư và kết quả theo kỳ, kho dữ liệu."""
    written = pipeline.init_workspace(root, name, units=units_path, report_settings=settings_path)
    console.print(f"Đã tạo không gian làm việc {root.absolute()} ({len(written)} tệp). Đọc {root / 'README.md'} "
                  "để biết cách dùng; sửa dti-report.yaml để đặt hạn gửi.")


@click.command("run", cls=Command)
@click.argument("period_arg", metavar="[KỲ]", required=False, callback=period_argument)
@period_option(required=False)
@click.option("--inputs", "inputs", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Thư mục chứa các biểu mẫu đơn vị đã gửi (đọc cả thư mục con); trong không gian làm việc: "
                   "hop-thu/<kỳ>/.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi kết quả; trong không gian làm việc: ket-qua/<kỳ>/.")
@click.option("--verified", "verified_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Tệp điều chỉnh của Sở TTTT (unit_code, field, value, reason).")
@units_option
@workers_option
@click.option("--set", "expect_sets", multiple=True,
              help="Bộ chỉ số phải có trong kỳ (có thể lặp lại); đơn vị chưa gửi được liệt kê dù chưa ai gửi.")
@click.option("--decisions", "decisions", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Tệp quyết định của Sở (CSV: file, reason; hoặc YAML: pin) chọn tệp dùng cho đơn vị, thay cho "
                   "bản mới nhất.")
@settings_option
@pdf_option
@click.option("--strict", is_flag=True,
              help="Không ghi kết quả nếu placeholder của bảng theo dõi chỉ tiêu khớp gần đúng hoặc không xác định.")
@click.option("--final", is_flag=True,
              help="Kết quả chính thức của kỳ: phiếu kết quả đơn vị ghi thứ hạng. Không có --final, kết quả là tạm "
                   "tính: phiếu không ghi thứ hạng, vì thứ hạng đổi mỗi khi có thêm đơn vị gửi.")
def run_command(period_arg: str | None, period: str | None, inputs: Path | None, out_dir: Path | None,
                verified_path: Path | None, units_path: Path | None, workers: int | None,
                expect_sets: tuple[str, ...], decisions: Path | None, settings, pdf: bool, strict: bool,
                final: bool) -> None:
    """Tổng hợp hằng kỳ: đọc mọi biểu mẫu, kiểm tra, chấm điểm, ghi kết quả và báo cáo. Trong không gian
    làm việc chỉ cần kỳ (dti-report run 2026-11): đọc hop-thu/<kỳ>/, ghi ket-qua/<kỳ>/ và kho dữ liệu."""
    period = period_arg or period
    if period is None:
        raise click.UsageError("Missing option '--period'.")
    ws = current_workspace() if inputs is None and out_dir is None else None
    if ws is None and (inputs is None or out_dir is None):
        raise click.UsageError("Missing option '--inputs'." if inputs is None else "Missing option '--out'.")
    with progress_bar() as progress:
        if ws is not None:
            if units_path is not None:
                raise WorkspaceError(f"trong không gian làm việc, danh mục đơn vị là {ws.registry_path}; "
                                     "hãy sửa tệp đó thay cho --units")
            found = forms_catalog()
            if verified_path is not None:
                added = pipeline.record_adjustments(ws, period, verified_path, found, by=None)
                console.print(f"Đã ghi {added} điều chỉnh mới từ {verified_path} vào kho dữ liệu.")
            out_dir = ws.results(period)
            outcome = pipeline.run_in_workspace(ws, period, found, settings, expect_forms=list(expect_sets),
                                                workers=workers, pdf=pdf, strict=strict, decisions=decisions,
                                                final=final, progress=progress)
        else:
            outcome = pipeline.run_period(inputs, out_dir, period, load_units(units_path), forms_catalog(), settings,
                                          overrides_path=verified_path, expect_forms=list(expect_sets),
                                          workers=workers, pdf=pdf, strict=strict, decisions=decisions,
                                          final=final, progress=progress)
    print_batch_summary(outcome.batch, out_dir, outcome.counts)
    if ws is not None:
        known = len(outcome.batch.stored)
        console.print(f"Đọc {len(outcome.batch.submissions) - known} tệp mới; {known} tệp đã có trong kho dữ liệu, "
                      "không đọc lại (cột origin của manifest.csv).")
    problems = outcome.placeholder_problems
    if problems:
        print_findings(problems, only_problems=True)
        console.print(f"{len(problems)} placeholder của bảng theo dõi chỉ tiêu khớp gần đúng hoặc không xác định "
                      f"(xem {out_dir / FINDINGS_CSV}).")
    print_reports(outcome.written, out_dir, pdf)


@click.command("report", cls=Command)
@click.argument("period", metavar="[KỲ]", required=False, callback=period_argument)
@click.option("--results", "results_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Thư mục kết quả của lệnh run; trong không gian làm việc: ket-qua/<kỳ>/ (mặc định kỳ gần nhất).")
@settings_option
@pdf_option
@workers_option
def report_command(period: str | None, results_dir: Path | None, settings, pdf: bool, workers: int | None) -> None:
    """Dựng lại báo cáo Word, sổ tính tổng hợp và phiếu kết quả từng đơn vị từ kết quả của lệnh run,
    không đọc lại biểu mẫu."""
    if results_dir is None:
        ws = current_workspace()
        if ws is None:
            raise click.UsageError("Missing option '--results'.")
        results_dir = ws.results(period_or_latest(ws, period))
        if not results_dir.is_dir():
            raise WorkspaceError(f"chưa có kết quả {results_dir}; hãy chạy dti-report run trước")
    with progress_bar() as progress:
        written = pipeline.report(results_dir, forms_catalog(), settings, pdf=pdf, workers=workers, progress=progress)
    print_reports(written, results_dir, pdf)


def print_batch_summary(batch, out_dir: Path, counts: dict) -> None:
    table = Table(title=f"Tổng hợp kỳ {batch.period}: {len(batch.submissions)} tệp")
    table.add_column("Bộ chỉ số")
    for status in ("accepted", "rejected", "superseded"):
        table.add_column(FILE_STATUS[status], justify="right")
    table.add_column("Đơn vị chưa gửi", justify="right")
    unsent = batch.unsent
    for set_id in sorted(k for k in counts if k):
        c = counts[set_id]
        table.add_row(set_id, str(c["accepted"]), str(c["rejected"]), str(c["superseded"]),
                      str(len(unsent.get(set_id, []))))
    for set_id, missing in unsent.items():
        if set_id not in counts:
            table.add_row(set_id, "0", "0", "0", str(len(missing)))
    console.print(table)
    ignored = counts.get("", {}).get("ignored", 0)
    if ignored:
        console.print(f"{ignored} mục không phải sổ tính được bỏ qua (có trong manifest.csv).")
    unnamed = counts.get("", {}).get("rejected", 0)
    if unnamed:
        console.print(f"{unnamed} tệp bị từ chối không xác định được bộ chỉ số (xem manifest.csv).")
    for set_id, missing in unsent.items():
        if missing:
            console.print(f"Chưa gửi ({set_id}): " + ", ".join(u.name for u in missing))
    for set_id, fb in batch.forms.items():
        unusable = [u for u in fb.missing if u.code in fb.unusable]
        if unusable:
            console.print(f"Đã gửi nhưng không dùng được ({set_id}): " + ", ".join(u.name for u in unusable))
    errors = sum(1 for i in batch.issues if i.severity == "error")
    console.print(f"{errors} lỗi, {len(batch.issues) - errors} cảnh báo — xem {out_dir / 'issues.xlsx'}")
    console.print(f"Kết quả: {out_dir / 'ket-qua-tong-hop.xlsx'}")
