"""`dti-report score`: indicators scored from a long file of figures (unit_code, field,
value), with Sở TTTT's adjustments, and the ranking printed."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from dti_report.cli.common import console, load_set, points
from dti_report.cli.vietnamese import Command
from dti_report.core.issues import SEVERITY_LABELS
from dti_report.evaluation.engine import Result
from dti_report.evaluation.scoring import score_long_files, write_result
from dti_report.forms.units import builtin_registry


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
