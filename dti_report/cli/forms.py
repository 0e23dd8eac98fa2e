"""`dti-report catalog`: the forms the tool knows, one form shown, form files checked."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.table import Table

from dti_report import kinds
from dti_report.cli.common import console, forms_catalog
from dti_report.cli.vietnamese import Group


@click.group(cls=Group)
def catalog() -> None:
    """Xem các bộ chỉ số có trong công cụ."""


@catalog.command("list")
def catalog_list() -> None:
    """Liệt kê các bộ chỉ số, bảng chỉ tiêu và kế hoạch (mọi phiên bản)."""
    table = Table(title="Các biểu mẫu")
    for column in ("Mã", "Phiên bản", "Loại", "Tên", "Căn cứ", "Quy mô"):
        table.add_column(column)
    found = forms_catalog()
    for form_id in found.ids():
        for version in sorted(found.forms[form_id], key=lambda v: v):
            form = found.get(form_id, version)
            kind = kinds.kind_of(form)
            table.add_row(form.id, form.version, kind.label, form.title, form.source_text, kind.size(form))
    console.print(table)


@catalog.command("show")
@click.argument("set_id", metavar="SET")
@click.option("--version", "version", help="Phiên bản; mặc định: phiên bản mới nhất.")
@click.option("--json", "as_json", is_flag=True, help="In toàn bộ bộ chỉ số dạng JSON.")
def catalog_show(set_id: str, version: str | None, as_json: bool) -> None:
    """Hiển thị một bộ chỉ số: tiêu chí, trường nhập liệu, quy tắc chấm điểm."""
    form = forms_catalog().get(set_id, version)
    if as_json:
        click.echo(json.dumps({"kind": form.kind, **form.model_dump(mode="json", by_alias=True)}, ensure_ascii=False, indent=2))
        return
    console.print(f"[bold]{form.title}[/] ({form.id}, phiên bản {form.version})")
    for line in kinds.kind_of(form).describe(form):
        console.print(line, markup=False, soft_wrap=True)


@catalog.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def catalog_check(files: tuple[Path, ...]) -> None:
    """Kiểm tra tệp biểu mẫu (YAML): liệt kê mọi lỗi của từng tệp (tệp, vị trí trong tệp, nội dung)."""
    problems = kinds.check_files(list(files))
    by_file = {str(path): [p for p in problems if p.source == str(path)] for path in files}
    for path, found in by_file.items():
        if not found:
            console.print(f"[bold]{path}[/]: [green]hợp lệ[/]")
            continue
        console.print(f"[bold]{path}[/]: [red]{len(found)} lỗi[/]")
        for problem in found:
            console.print(f"  {problem.path or '(toàn tệp)'}: {problem.message}", markup=False)
    sys.exit(1 if problems else 0)


@catalog.command("schema")
def catalog_schema() -> None:
    """In JSON Schema của tệp biểu mẫu (để trình soạn thảo gợi ý và kiểm tra khi viết tệp YAML)."""
    click.echo(json.dumps(kinds.form_schema(), ensure_ascii=False, indent=1))
