"""Command line: thin wrappers that build core objects and call one function each."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from .catalog import CatalogError, IndicatorSet, UnknownSetError, builtin_sets, get_set
from .engine import Result
from .issues import SEVERITY_LABELS
from .longdata import LongFileError
from .scoring import score_long_files, write_result
from .units import builtin_registry

# Piped output (CI logs, redirects) gets a width wide enough for the score tables.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 2) -> None:
    err_console.print(f"[bold red]Lỗi:[/] {message}")
    sys.exit(code)


def load_set(set_id: str) -> IndicatorSet:
    try:
        return get_set(set_id)
    except UnknownSetError as exc:
        fail(str(exc))
    except CatalogError as exc:
        fail(f"bộ chỉ số không hợp lệ: {exc}")


def _points(value: float) -> str:
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dti-report", message="dti-report %(version)s")
def main() -> None:
    """Công cụ tổng hợp, chấm điểm và báo cáo Chỉ số chuyển đổi số (DTI)."""


@main.group()
def catalog() -> None:
    """Xem các bộ chỉ số có trong công cụ."""


@catalog.command("list")
def catalog_list() -> None:
    """Liệt kê các bộ chỉ số."""
    try:
        sets = builtin_sets()
    except CatalogError as exc:
        fail(f"bộ chỉ số không hợp lệ: {exc}")
    table = Table(title="Các bộ chỉ số")
    for column in ("Mã", "Phiên bản", "Tên", "Căn cứ", "Chỉ số chính", "Chỉ số thành phần", "Tổng điểm"):
        table.add_column(column)
    for s in sets.values():
        table.add_row(s.id, s.version, s.title, f"{s.source.appendix}, QĐ {s.source.decision} ngày {s.source.date:%d/%m/%Y}",
                      str(len(s.indices)), str(len(s.criteria)), f"{s.total_points:g}")
    console.print(table)


@catalog.command("show")
@click.argument("set_id", metavar="SET")
@click.option("--json", "as_json", is_flag=True, help="In toàn bộ bộ chỉ số dạng JSON.")
def catalog_show(set_id: str, as_json: bool) -> None:
    """Hiển thị một bộ chỉ số: tiêu chí, trường nhập liệu, quy tắc chấm điểm."""
    indicator_set = load_set(set_id)
    if as_json:
        click.echo(json.dumps(indicator_set.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    console.print(f"[bold]{indicator_set.title}[/] ({indicator_set.id}, phiên bản {indicator_set.version})")
    console.print(f"{indicator_set.source.appendix}, Quyết định số {indicator_set.source.decision} "
                  f"ngày {indicator_set.source.date:%d/%m/%Y} của {indicator_set.source.issuer}")
    for index in indicator_set.indices:
        console.print(f"\n[bold]{index.id}. {index.name}[/] — {index.max_points:g} điểm")
        for criterion in index.criteria:
            console.print(f"  {criterion.id} {criterion.name} — {criterion.max_points:g} điểm [dim]({criterion.rule.kind})[/]")
            for f in criterion.fields:
                console.print(f"      [cyan]{f.id}[/] {f.label} [dim]({f.type})[/]")
                for i, option in enumerate(f.options, start=1):
                    console.print(f"          {i} = {option.label} ({option.fraction:g} × điểm tối đa)")
    notes = list(indicator_set.notes) + [n for c in indicator_set.criteria for n in c.notes]
    if notes:
        console.print("\n[bold]Ghi chú áp dụng[/]")
        for note in notes:
            console.print(f"  - [{note.id}] {note.text}")


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
            *[_points(row[index.id]) for index in indicator_set.indices],
            _points(row["total"]),
            _points(row["self_total"]),
            str(row["no_data"]),
            str(row["invalid"]),
        )
    console.print(table)
    errors = sum(1 for i in result.issues if i.severity == "error")
    warnings = len(result.issues) - errors
    console.print(f"{len(result.totals)} đơn vị được chấm điểm; {errors} {SEVERITY_LABELS['error'].lower()}, "
                  f"{warnings} {SEVERITY_LABELS['warning'].lower()} (xem issues.csv).")


@main.command("score")
@click.option("--set", "set_id", required=True, help="Mã bộ chỉ số, ví dụ hcm-dti-so.")
@click.option("--data", "data_path", required=True, type=click.Path(path_type=Path),
              help="Tệp số liệu dạng dài (CSV/XLSX: unit_code, field, value).")
@click.option("--verified", "verified_path", type=click.Path(path_type=Path),
              help="Tệp điều chỉnh của Sở TTTT (unit_code, field, value, reason).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi kết quả.")
def score_command(set_id: str, data_path: Path, verified_path: Path | None, out_dir: Path) -> None:
    """Chấm điểm từ tệp số liệu dạng dài; ghi scores.csv, totals.csv, issues.csv."""
    indicator_set = load_set(set_id)
    try:
        result = score_long_files(indicator_set, data_path, verified_path)
    except LongFileError as exc:
        fail(str(exc))
    written = write_result(result, out_dir)
    print_summary(result)
    for path in written:
        console.print(f"Đã ghi {path}")


if __name__ == "__main__":  # pragma: no cover
    main()
