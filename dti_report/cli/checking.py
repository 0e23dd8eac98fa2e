"""`dti-report check` (a unit's workbook before it is sent) and `dti-report score` (a long
file of figures)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table

from dti_report import checking
from dti_report.cli.common import console, forms_catalog, load_set, load_units, points, units_option
from dti_report.cli.vietnamese import Command
from dti_report.core.issues import SEVERITY_LABELS
from dti_report.evaluation.engine import Result
from dti_report.evaluation.scoring import score_long_files, write_result
from dti_report.forms.units import builtin_registry


@click.command("check", cls=Command)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@units_option
def check_command(files: tuple[Path, ...], units_path: Path | None) -> None:
    """Kiểm tra biểu mẫu trước khi gửi: liệt kê lỗi, cảnh báo của từng tệp."""
    registry = load_units(units_path)
    found = forms_catalog()
    any_error = False
    for path in files:
        if not Path(path).is_file():
            console.print(f"[bold]{path}[/]: [red]lỗi[/] — không tìm thấy tệp")
            any_error = True
            continue
        checked = checking.check_file(path, registry, found)
        errors = [i for i in checked.issues if i.severity == "error"]
        ignored = checked.submission.status == "ignored"  # as `run` ignores it: not a valid return either
        any_error |= bool(errors) or ignored
        verdict = "[red]có lỗi[/]" if errors else "[yellow]bỏ qua, không đọc như biểu mẫu[/]" if ignored \
            else "[green]hợp lệ[/]"
        console.print(f"[bold]{path}[/]: {verdict} — {len(errors)} lỗi, {len(checked.issues) - len(errors)} cảnh báo")
        for issue in checked.issues:
            where = ", ".join(p for p in (issue.sheet and f"trang {issue.sheet}", issue.cell, issue.field and f"trường {issue.field}") if p)
            console.print(f"  [{SEVERITY_LABELS[issue.severity]}] {issue.code}{f' ({where})' if where else ''}: {issue.message}")
        if checked.result is not None:
            row = checked.result.totals.iloc[0]
            console.print(f"  Điểm tự chấm (tính lại): {points(row['total'])}/{checked.result.indicator_set.total_points:g}")
    sys.exit(1 if any_error else 0)


def print_summary(result: Result) -> None:
    names = {u.code: u.name for u in builtin_registry().units}
    indicator_set = result.indicator_set
    table = Table(title=f"{indicator_set.title} — kết quả đánh giá")
    table.add_column("Hạng", justify="right")
    table.add_column("Đơn vị")
    for index in indicator_set.indices:
        table.add_column(f"{index.id}", justify="right")
    table.add_column("Tổng", justify="right")
    table.add_column("Tự đánh giá", justify="right")
    table.add_column("Không số liệu", justify="right")
    table.add_column("Lỗi", justify="right")
    for row in result.totals.to_dict("records"):
        table.add_row(
            str(row["rank"]),
            names.get(row["unit_code"], row["unit_code"]),
            *[points(row[index.id]) for index in indicator_set.indices],
            points(row["total"]),
            points(row["self_total"]),
            str(row["no_data"]),
            str(row["invalid"]),
        )
    console.print(table)
    errors = sum(1 for i in result.issues if i.severity == "error")
    warnings = len(result.issues) - errors
    console.print(f"{len(result.totals)} đơn vị được chấm điểm; {errors} {SEVERITY_LABELS['error'].lower()}, "
                  f"{warnings} {SEVERITY_LABELS['warning'].lower()} (xem issues.csv).")


@click.command("score", cls=Command)
@click.option("--set", "set_id", required=True, help="Mã bộ chỉ số, ví dụ hcm-dti-so.")
@click.option("--data", "data_path", required=True, type=click.Path(path_type=Path),
              help="Tệp số liệu dạng dài (CSV/XLSX: unit_code, field, value).")
@click.option("--verified", "verified_path", type=click.Path(path_type=Path),
              help="Tệp điều chỉnh của Sở TTTT (unit_code, field, value, reason).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi kết quả.")
def score_command(set_id: str, data_path: Path, verified_path: Path | None, out_dir: Path) -> None:
    """Chấm điểm từ tệp số liệu dạng dài; ghi scores.csv, totals.csv, issues.csv."""
    result = score_long_files(load_set(set_id), data_path, verified_path)
    written = write_result(result, out_dir)
    print_summary(result)
    for path in written:
        console.print(f"Đã ghi {path}")
