"""Word/Excel templates with [[placeholders]]: filled from a run (`render`), or listed and
resolved (`lint`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dti_report import pipeline
from dti_report.cli.common import console, forms_catalog, print_findings
from dti_report.cli.vietnamese import Command
from dti_report.forms.placeholders import FUZZY, UNKNOWN


@click.command("render", cls=Command)
@click.argument("template", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--results", "results_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Thư mục kết quả của lệnh run (có results.json).")
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Tệp kết quả.")
@click.option("--set", "set_id", help="Bảng chỉ tiêu, khi results.json có nhiều bảng.")
@click.option("--strict", is_flag=True, help="Coi placeholder khớp gần đúng hoặc không xác định là lỗi.")
def render_command(template: Path, results_dir: Path, out_file: Path, set_id: str | None, strict: bool) -> None:
    """Điền số liệu vào mẫu Word/Excel có placeholder [[...]]."""
    findings = pipeline.render(template, forms_catalog(), results_dir, out_file, form_id=set_id, strict=strict)
    print_findings(findings, only_problems=True)
    console.print(f"Đã ghi {out_file}")


@click.command("lint", cls=Command)
@click.argument("template", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--results", "results_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Thư mục kết quả của lệnh run (để xem cả giá trị).")
@click.option("--set", "set_id", help="Bảng chỉ tiêu.")
@click.option("--strict", is_flag=True, help="Mã thoát khác 0 nếu có placeholder gần đúng hoặc không xác định.")
def lint_command(template: Path, results_dir: Path | None, set_id: str | None, strict: bool) -> None:
    """Liệt kê mọi placeholder của mẫu: vị trí, khớp chính xác, gần đúng (với khóa nào) hay không xác định."""
    findings = pipeline.render(template, forms_catalog(), results_dir, None, form_id=set_id)
    print_findings(findings, only_problems=False, with_values=results_dir is not None)
    problems = [f for f in findings if f.status in (FUZZY, UNKNOWN)]
    unknown = sum(1 for f in findings if f.status == UNKNOWN)
    console.print(f"{len(findings)} placeholder: {len(findings) - len(problems)} khớp chính xác, "
                  f"{len(problems) - unknown} khớp gần đúng, {unknown} không xác định.")
    if strict and problems:
        sys.exit(1)
