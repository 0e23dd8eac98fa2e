"""Command line: thin wrappers that build core objects and call one function each."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from dti_report.forms.catalog import CatalogError, IndicatorSet, UnknownSetError, builtin_sets, get_set
from dti_report.forms.targets import TargetSet
from dti_report.evaluation.engine import Result
from dti_report.core.issues import SEVERITY_LABELS
from dti_report.workbook.layout import check_period
from dti_report.evaluation.unit_values import LongFileError
from dti_report.evaluation.scoring import score_long_files, write_result
from dti_report.forms.units import Registry, builtin_registry, load_registry

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


class _VietnameseHelp:
    """Every command's -h/--help described in Vietnamese, like the rest of the CLI."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "Hiển thị hướng dẫn này và thoát."
        return option

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="Cách dùng: ")

    def format_options(self, ctx, formatter):
        records = [r for p in self.get_params(ctx) if (r := p.get_help_record(ctx))]
        if records:
            with formatter.section("Tùy chọn"):
                formatter.write_dl(records)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class Command(_VietnameseHelp, click.Command):
    pass


class Group(_VietnameseHelp, click.Group):
    command_class = Command
    group_class = type  # subgroups are of this same class

    def format_commands(self, ctx, formatter):
        commands = [(name, cmd) for name in self.list_commands(ctx)
                    if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section("Lệnh"):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in commands])


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dti-report", message="dti-report %(version)s", help="Hiển thị phiên bản và thoát.")
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
        if isinstance(s, TargetSet):
            table.add_row(s.id, s.version, s.title, s.source.document, "—", f"{len(s.targets)} chỉ tiêu", "—")
            continue
        table.add_row(s.id, s.version, s.title, f"{s.source.appendix}, QĐ {s.source.decision} ngày {s.source.date:%d/%m/%Y}",
                      str(len(s.indices)), str(len(s.criteria)), f"{s.total_points:g}")
    from dti_report.forms.plans import TaskSet, builtin_plans

    for p in builtin_plans().values():
        source = f"{p.source.appendix + ', ' if p.source.appendix else ''}{p.source.document}"
        if isinstance(p, TaskSet):
            table.add_row(p.id, p.version, p.title, source, "—", f"{len(p.tasks)} nhiệm vụ", "—")
        else:
            points = sum(i.max_points or 0 for i in p.indices)
            table.add_row(p.id, p.version, p.title, source, str(len(p.indices)), f"{len(p.assigned)} tiêu chí",
                          f"{points:g}" if points else "—")
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
    if isinstance(indicator_set, TargetSet):
        show_target_set(indicator_set)
        return
    from dti_report.forms.plans import AssignmentSet, TaskSet

    if isinstance(indicator_set, (TaskSet, AssignmentSet)):
        show_plan(indicator_set)
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


def show_plan(plan) -> None:
    from dti_report.forms.plans import TaskSet

    console.print(f"[bold]{plan.title}[/] ({plan.id}, phiên bản {plan.version})")
    console.print(f"{plan.source.appendix + ', ' if plan.source.appendix else ''}{plan.source.document}, {plan.source.issuer}")
    if isinstance(plan, TaskSet):
        for group in plan.groups:
            console.print(f"\n[bold]{group.name}[/]")
            for t in group.tasks:
                console.print(f"  {t.id}. {t.content} — hạn: {t.deadline.text}; chủ trì: {', '.join(t.lead)}", markup=False)
    else:
        for pillar in plan.pillars:
            console.print(f"\n[bold]{pillar.id}. {pillar.name}[/]")
            for index in pillar.indices:
                console.print(f"  {index.id} {index.name}", markup=False)
        console.print(f"\n{len(plan.assigned)} tiêu chí được phân công (xem --json để có đầy đủ).")
    for note in plan.notes:
        console.print(f"  - [{note.id}] {note.text}", markup=False)


def show_target_set(target_set: TargetSet) -> None:
    console.print(f"[bold]{target_set.title}[/] ({target_set.id}, phiên bản {target_set.version})")
    for group in target_set.groups:
        if group.name:
            console.print(f"\n[bold]{group.name}[/]")
        for row in (r for t in group.targets for r in (t, *t.rows)):
            target = f" — chỉ tiêu: {row.target.text}" if row.target else ""
            console.print(f"  {row.id} {row.text}{target}")
    console.print("\n[bold]Số liệu đơn vị báo cáo[/]")
    for inp in target_set.inputs:
        who = ", ".join(inp.reporters.levels + inp.reporters.units)
        console.print(f"  [cyan]{inp.id}[/] {inp.label} [dim]({inp.type}; {inp.aggregate}; {who})[/]")
    console.print("\n[bold]Ghi chú áp dụng[/]")
    for note in target_set.notes:
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


def load_units(path: Path | None) -> Registry:
    try:
        return load_registry(path) if path else builtin_registry()
    except CatalogError as exc:
        fail(f"danh mục đơn vị không hợp lệ: {exc}")


units_option = click.option("--units", "units_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                            help="Danh mục đơn vị (YAML); mặc định: danh mục Thành phố Hồ Chí Minh năm 2023.")


def period_option(required: bool = True):
    def validate(ctx, param, value):
        if value is None:
            return value
        try:
            return check_period(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    return click.option("--period", required=required, callback=validate,
                        help="Kỳ báo cáo: năm (2023), tháng (2024-06) hoặc quý (2024-Q2).")


@main.command("templates")
@click.option("--set", "set_id", required=True, help="Mã bộ chỉ số, ví dụ hcm-dti-so.")
@period_option()
@click.option("--unit", "unit_codes", multiple=True, help="Mã đơn vị (có thể lặp lại); mặc định: mọi đơn vị áp dụng bộ chỉ số.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Thư mục ghi biểu mẫu.")
@click.option("--deadline", help="Hạn gửi, in trong trang hướng dẫn (ví dụ: 15/01/2024).")
@click.option("--contact", help="Đầu mối liên hệ, in trong trang hướng dẫn.")
@units_option
def templates_command(set_id: str, period: str, unit_codes: tuple[str, ...], out_dir: Path, deadline: str | None,
                      contact: str | None, units_path: Path | None) -> None:
    """Tạo biểu mẫu Excel trống cho từng đơn vị."""
    from dti_report.workbook.templates import write_templates

    from dti_report.workbook.reader import takes_set

    indicator_set = load_set(set_id)
    registry = load_units(units_path)
    eligible = {u.code: u for u in registry.units if takes_set(registry, u, indicator_set)}
    if unit_codes:
        unknown = [c for c in unit_codes if c not in registry.by_code()]
        if unknown:
            fail(f"mã đơn vị không có trong danh mục: {', '.join(unknown)}")
        foreign = [c for c in unit_codes if c not in eligible]
        if foreign:
            fail(f"đơn vị không đánh giá theo bộ chỉ số {set_id}: {', '.join(foreign)}")
        units = [eligible[c] for c in unit_codes]
    else:
        units = list(eligible.values())
    if not units:
        fail(f"danh mục đơn vị không có đơn vị nào đánh giá theo bộ chỉ số {set_id}")
    from dti_report.forms.plans import AssignmentSet, TaskSet

    if isinstance(indicator_set, (TaskSet, AssignmentSet)):
        from dti_report.workbook.layout import template_file_name
        from dti_report.workbook.plan_templates import write_plan_template

        written = [write_plan_template(indicator_set, u, registry, period, out_dir / template_file_name(u.code, set_id, period),
                                       deadline=deadline, contact=contact) for u in units]
    elif isinstance(indicator_set, TargetSet):
        from dti_report.workbook.layout import template_file_name
        from dti_report.workbook.target_templates import write_target_template

        units = [u for u in units if indicator_set.inputs_for(u)]
        written = [write_target_template(indicator_set, u, period, out_dir / template_file_name(u.code, set_id, period),
                                         deadline=deadline, contact=contact) for u in units]
    else:
        written = write_templates(indicator_set, units, period, out_dir, deadline=deadline, contact=contact)
    console.print(f"Đã tạo {len(written)} biểu mẫu trong {out_dir}")


@main.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@units_option
def check_command(files: tuple[Path, ...], units_path: Path | None) -> None:
    """Kiểm tra biểu mẫu trước khi gửi: liệt kê lỗi, cảnh báo của từng tệp."""
    from dti_report.batch.run import check_file

    registry = load_units(units_path)
    any_error = False
    for path in files:
        if not Path(path).is_file():
            console.print(f"[bold red]{path}[/]: không tìm thấy tệp")
            any_error = True
            continue
        checked = check_file(path, registry)
        errors = [i for i in checked.issues if i.severity == "error"]
        any_error |= bool(errors)
        verdict = "[red]có lỗi[/]" if errors else "[green]hợp lệ[/]"
        console.print(f"[bold]{path}[/]: {verdict} — {len(errors)} lỗi, {len(checked.issues) - len(errors)} cảnh báo")
        for issue in checked.issues:
            where = ", ".join(p for p in (issue.sheet and f"trang {issue.sheet}", issue.cell, issue.field and f"trường {issue.field}") if p)
            console.print(f"  [{SEVERITY_LABELS[issue.severity]}] {issue.code}{f' ({where})' if where else ''}: {issue.message}")
        if checked.result is not None:
            row = checked.result.totals.iloc[0]
            console.print(f"  Điểm tự chấm (tính lại): {_points(row['total'])}/{checked.result.indicator_set.total_points:g}")
    sys.exit(1 if any_error else 0)


def _settings(ctx, param, value):
    from dti_report.reports.settings import SettingsError, load_settings

    try:
        return load_settings(value)
    except SettingsError as exc:
        fail(str(exc))


def _pdf(ctx, param, value):
    from dti_report.reports import ReportError
    from dti_report.renderers.pdf import soffice_path

    if value:
        try:
            soffice_path()  # before any work: a missing LibreOffice is known now, not after the batch
        except ReportError as exc:
            fail(str(exc))
    return value


settings_option = click.option("--settings", "settings", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                               callback=_settings, help="Tệp cài đặt báo cáo (YAML): cơ quan ban hành, số ký hiệu, "
                               "người ký, nơi nhận; mặc định: Sở Thông tin và Truyền thông Thành phố Hồ Chí Minh.")
pdf_option = click.option("--pdf", is_flag=True, callback=_pdf,
                          help="Xuất thêm bản PDF của mỗi báo cáo Word (cần LibreOffice).")


def write_reports(out_dir: Path, settings, pdf: bool, workers: int | None, workbook: bool = True) -> None:
    """Reports rendered from the run's output folder (results.load_results)."""
    from dti_report.reports import ReportError, render_reports
    from dti_report.batch.results import ResultsError, load_results

    try:
        written = render_reports(load_results(out_dir), settings, pdf=pdf, workbook=workbook,
                                 workers=workers or min(4, os.cpu_count() or 1))
    except (ResultsError, ReportError) as exc:
        fail(str(exc))
    counts = {suffix: sum(1 for p in written if p.suffix == suffix) for suffix in (".docx", ".pdf")}
    pdfs = f", {counts['.pdf']} tệp PDF" if pdf else ""
    if counts[".docx"]:
        console.print(f"Báo cáo: {counts['.docx']} tệp Word{pdfs} trong {out_dir}")
    else:
        console.print("Không có bộ chỉ số nào được chấm điểm: không có báo cáo Word.")


@main.command("run")
@period_option()
@click.option("--inputs", "inputs", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Thư mục chứa các biểu mẫu đơn vị đã gửi (đọc cả thư mục con).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Thư mục ghi kết quả.")
@click.option("--verified", "verified_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Tệp điều chỉnh của Sở TTTT (unit_code, field, value, reason).")
@units_option
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Số tiến trình đọc tệp song song.")
@click.option("--set", "expect_sets", multiple=True,
              help="Bộ chỉ số phải có trong kỳ (có thể lặp lại); đơn vị chưa gửi được liệt kê dù chưa ai gửi.")
@settings_option
@pdf_option
def run_command(period: str, inputs: Path, out_dir: Path, verified_path: Path | None, units_path: Path | None,
                workers: int | None, expect_sets: tuple[str, ...], settings, pdf: bool) -> None:
    """Tổng hợp hằng kỳ: đọc mọi biểu mẫu, kiểm tra, chấm điểm, ghi kết quả."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from dti_report.batch.run import counts_by_status, run_batch
    from dti_report.reports.feedback import write_batch

    if inputs.resolve() == out_dir.resolve() or out_dir.resolve().is_relative_to(inputs.resolve()):
        fail("thư mục kết quả không được nằm trong thư mục đầu vào")
    registry = load_units(units_path)
    with Progress(TextColumn("Đang đọc biểu mẫu"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True, disable=not err_console.is_terminal) as progress:
        task = progress.add_task("read", total=None)
        try:
            for set_id in expect_sets:
                load_set(set_id)
            batch = run_batch(inputs, period, registry, overrides_path=verified_path, workers=workers,
                              expect_sets=list(expect_sets),
                              on_start=lambda n: progress.update(task, total=n),
                              on_done=lambda: progress.advance(task))
        except LongFileError as exc:
            fail(str(exc))
    write_batch(batch, out_dir, workers=workers or min(4, os.cpu_count() or 1))
    if batch.targets:
        from dti_report.reports.monitoring import write_monitoring

        write_monitoring(out_dir, batch.targets)
    if batch.plans:
        from dti_report.evaluation.plans import write_plan_outputs

        write_plan_outputs(out_dir, batch.plans, registry, period)
    from dti_report.batch.results import write_plan_values

    # What the plan reports need, beside run.json: `report --results` rebuilds them from it.
    write_plan_values(out_dir, period, batch.plans, {p: [u.code for u in batch.missing.get(p, [])] for p in batch.plans})
    print_batch_summary(batch, out_dir, counts_by_status(batch))
    write_reports(out_dir, settings, pdf, workers, workbook=False)  # write_batch wrote the workbook


@main.command("report")
@click.option("--results", "results_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Thư mục kết quả của lệnh run.")
@settings_option
@pdf_option
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Số tiến trình dựng phiếu kết quả song song.")
def report_command(results_dir: Path, settings, pdf: bool, workers: int | None) -> None:
    """Dựng lại báo cáo Word, sổ tính tổng hợp và phiếu kết quả từng đơn vị từ kết quả của lệnh run,
    không đọc lại biểu mẫu."""
    write_reports(results_dir, settings, pdf, workers)


def _resolver(results_dir: Path | None, set_id: str | None):
    from dti_report.reports.monitoring import ResultsJsonError, load_results_json
    from dti_report.forms.placeholders import Resolver

    if results_dir is None:
        target_sets = [s for s in builtin_sets().values() if isinstance(s, TargetSet)]
        chosen = [s for s in target_sets if s.id == set_id] if set_id else target_sets
        if len(chosen) != 1:
            fail("chọn bảng chỉ tiêu bằng --set: " + ", ".join(s.id for s in target_sets))
        return Resolver(chosen[0])
    try:
        target_set, data = load_results_json(results_dir, set_id)
    except ResultsJsonError as exc:
        fail(str(exc))
    from dti_report.reports.monitoring import resolver_for

    return resolver_for(target_set, data)


@main.command("render")
@click.argument("template", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--results", "results_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Thư mục kết quả của lệnh run (có results.json).")
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Tệp kết quả.")
@click.option("--set", "set_id", help="Bảng chỉ tiêu, khi results.json có nhiều bảng.")
@click.option("--strict", is_flag=True, help="Coi placeholder khớp gần đúng hoặc không xác định là lỗi.")
def render_command(template: Path, results_dir: Path, out_file: Path, set_id: str | None, strict: bool) -> None:
    """Điền số liệu vào mẫu Word/Excel có placeholder [[...]]."""
    from dti_report.renderers.monitoring_table import RenderError, render_template

    try:
        findings = render_template(template, _resolver(results_dir, set_id), out_file, strict=strict)
    except RenderError as exc:
        fail(str(exc))
    print_findings(findings, only_problems=True)
    console.print(f"Đã ghi {out_file}")


@main.command("lint")
@click.argument("template", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--results", "results_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Thư mục kết quả của lệnh run (để xem cả giá trị).")
@click.option("--set", "set_id", help="Bảng chỉ tiêu.")
@click.option("--strict", is_flag=True, help="Mã thoát khác 0 nếu có placeholder gần đúng hoặc không xác định.")
def lint_command(template: Path, results_dir: Path | None, set_id: str | None, strict: bool) -> None:
    """Liệt kê mọi placeholder của mẫu: vị trí, khớp chính xác, gần đúng (với khóa nào) hay không xác định."""
    from dti_report.forms.placeholders import FUZZY, UNKNOWN
    from dti_report.renderers.monitoring_table import RenderError, render_template

    try:
        findings = render_template(template, _resolver(results_dir, set_id), None)
    except RenderError as exc:
        fail(str(exc))
    print_findings(findings, only_problems=False, with_values=results_dir is not None)
    problems = [f for f in findings if f.status in (FUZZY, UNKNOWN)]
    unknown = sum(1 for f in findings if f.status == UNKNOWN)
    console.print(f"{len(findings)} placeholder: {len(findings) - len(problems)} khớp chính xác, "
                  f"{len(problems) - unknown} khớp gần đúng, {unknown} không xác định.")
    if strict and problems:
        sys.exit(1)


STATUS_TEXT = {"exact": "chính xác", "fuzzy": "gần đúng", "unknown": "không xác định"}


def print_findings(findings, only_problems: bool, with_values: bool = False) -> None:
    for f in findings:
        notes = f.resolution.findings
        if only_problems and f.status == "exact" and not notes:
            continue
        written = f.written if len(f.written) <= 70 else f.written[:67] + "…"
        line = f"{f.location}: {written} — {STATUS_TEXT[f.status]}"
        if f.resolution.resolved and f.status != "exact":
            line += f" → {f.resolution.resolved}"
        if notes:
            line += f" ({'; '.join(notes)})"
        if with_values:
            line += f" = {f.resolution.text}"
        console.print(line, soft_wrap=True, markup=False)


def print_batch_summary(batch, out_dir: Path, counts: dict) -> None:
    from dti_report.workbook.reader import STATUS_LABELS as FILE_STATUS

    table = Table(title=f"Tổng hợp kỳ {batch.period}: {len(batch.submissions)} tệp")
    table.add_column("Bộ chỉ số")
    for status in ("accepted", "rejected", "superseded"):
        table.add_column(FILE_STATUS[status], justify="right")
    table.add_column("Đơn vị chưa gửi", justify="right")
    for set_id in sorted(k for k in counts if k):
        c = counts[set_id]
        table.add_row(set_id, str(c["accepted"]), str(c["rejected"]), str(c["superseded"]),
                      str(len(batch.missing.get(set_id, []))))
    for set_id, missing in batch.missing.items():
        if set_id not in counts:
            table.add_row(set_id, "0", "0", "0", str(len(missing)))
    console.print(table)
    ignored = counts.get("", {}).get("ignored", 0)
    if ignored:
        console.print(f"{ignored} tệp không phải sổ tính được bỏ qua (có trong manifest.csv).")
    for set_id, missing in batch.missing.items():
        if missing:
            console.print(f"Chưa gửi ({set_id}): " + ", ".join(u.name for u in missing))
    errors = sum(1 for i in batch.issues if i.severity == "error")
    console.print(f"{errors} lỗi, {len(batch.issues) - errors} cảnh báo — xem {out_dir / 'issues.xlsx'}")
    console.print(f"Kết quả: {out_dir / 'ket-qua-tong-hop.xlsx'}")


if __name__ == "__main__":  # pragma: no cover
    main()
