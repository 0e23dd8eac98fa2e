"""`dti-report check`: a unit's workbook before it is sent (`score`, a long file of
figures, is scoring.py: its table printing is not loaded to check a file)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dti_report import checking
from dti_report.cli.common import forms_catalog, load_units, points, units_option
from dti_report.cli.vietnamese import Command
from dti_report.core.issues import SEVERITY_LABELS


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
            click.echo(f"{_bold(path)}: {click.style('lỗi', fg='red')} — không tìm thấy tệp")
            any_error = True
            continue
        checked = checking.check_file(path, registry, found)
        errors = [i for i in checked.issues if i.severity == "error"]
        ignored = checked.submission.status == "ignored"  # as `run` ignores it: not a valid return either
        any_error |= bool(errors) or ignored
        verdict = click.style("có lỗi", fg="red") if errors else \
            click.style("bỏ qua, không đọc như biểu mẫu", fg="yellow") if ignored else click.style("hợp lệ", fg="green")
        click.echo(f"{_bold(path)}: {verdict} — {len(errors)} lỗi, {len(checked.issues) - len(errors)} cảnh báo")
        for issue in checked.issues:
            where = ", ".join(p for p in (issue.sheet and f"trang {issue.sheet}", issue.cell, issue.field and f"trường {issue.field}") if p)
            click.echo(f"  [{SEVERITY_LABELS[issue.severity]}] {issue.code}{f' ({where})' if where else ''}: {issue.message}")
        if checked.result is not None:
            row = checked.result.totals.iloc[0]
            click.echo(f"  Điểm tự chấm (tính lại): {points(row['total'])}/{checked.result.indicator_set.total_points:g}")
    sys.exit(1 if any_error else 0)


def _bold(path: Path) -> str:
    # click, not rich: a unit's check prints a few lines and need not load rich.
    return click.style(str(path), bold=True)
