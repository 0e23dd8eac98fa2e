"""Command line: thin wrappers that build core objects and call one function each."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click
import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dti_report import kinds, pipeline
from dti_report.batch.workspace import Workspace, WorkspaceError, find_workspace
from dti_report.core.errors import DtiError
from dti_report.core.issues import SEVERITY_LABELS
from dti_report.evaluation.engine import Result
from dti_report.evaluation.scoring import score_long_files, write_result
from dti_report.forms.base import Form
from dti_report.forms.catalog import Catalog
from dti_report.forms.periods import check_period
from dti_report.forms.placeholders import FUZZY, UNKNOWN
from dti_report.forms.units import Registry, builtin_registry, load_registry
from dti_report.renderers.pdf import soffice_path
from dti_report.reports.monitoring import FINDINGS_CSV
from dti_report.reports.settings import load_settings
from dti_report.workbook.reader import STATUS_LABELS as FILE_STATUS

# Piped output (CI logs, redirects) gets a width wide enough for the score tables.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 2) -> None:
    err_console.print(f"[bold red]Lỗi:[/] {message}")
    sys.exit(code)


def current_workspace() -> Workspace | None:
    """The workspace named by --workspace, else the one holding the current folder, else None."""
    ctx = click.get_current_context(silent=True)
    named = ctx.find_root().params.get("workspace_dir") if ctx is not None else None
    if named is not None:
        ws = find_workspace(named)
        if ws is None:
            raise WorkspaceError(f"{named} không nằm trong không gian làm việc nào (chưa chạy dti-report init?)")
        return ws
    return find_workspace()


def need_workspace() -> Workspace:
    ws = current_workspace()
    if ws is None:
        raise WorkspaceError("lệnh này chạy trong một không gian làm việc; hãy chuyển vào thư mục đã tạo bằng "
                             "dti-report init (hoặc dùng --workspace)")
    return ws


def forms_catalog() -> Catalog:
    """The built-in forms and the user's (--forms, DTI_REPORT_FORMS, the workspace's own)."""
    ctx = click.get_current_context()
    return pipeline.workspace_catalog(current_workspace(), tuple(ctx.find_root().params.get("forms_dirs") or ()))


def load_set(set_id: str) -> Form:
    return forms_catalog().get(set_id)


def _points(value: float) -> str:
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


METAVARS = {"INTEGER RANGE": "SỐ", "DIRECTORY": "THƯ-MỤC", "FILE": "TỆP", "PATH": "ĐƯỜNG-DẪN", "TEXT": "VĂN-BẢN",
            "INTEGER": "SỐ"}


def _vietnamese_metavars(signature: str) -> str:
    for english, vietnamese in METAVARS.items():
        signature = re.sub(rf"\b{english}\b", vietnamese, signature)
    return signature


def _vietnamese_extra(help_text: str) -> str:
    """Click's "[required]" and "[default: …]" tags after an option's help."""
    return help_text.replace("[required]", "[bắt buộc]").replace("[default: ", "[mặc định: ")


class _VietnameseHelp:
    """Every command's -h/--help described in Vietnamese, like the rest of the CLI."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[TÙY CHỌN]")
        if issubclass(type(self), click.Group):
            kwargs.setdefault("subcommand_metavar", "LỆNH [THAM SỐ]...")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "Hiển thị hướng dẫn này và thoát."
        return option

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="Cách dùng: ")

    def format_options(self, ctx, formatter):
        records = [(_vietnamese_metavars(r[0]), _vietnamese_extra(r[1]))
                   for p in self.get_params(ctx) if (r := p.get_help_record(ctx))]
        if records:
            with formatter.section("Tùy chọn"):
                formatter.write_dl(records)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class Command(_VietnameseHelp, click.Command):
    pass


# Click's own messages, as it words them (click 8), and what the clerk reads instead.
CLICK_MESSAGES = [
    (r"Missing option '(.+?)'\.?", "Thiếu tùy chọn bắt buộc {0}."),
    (r"Missing argument '(.+?)'\.?", "Thiếu tham số {0}."),
    (r"No such option: (.+?)(?: Did you mean (.+?)\?)?$", "Không có tùy chọn {0}.{1}"),
    (r"No such option '(.+?)'\.?(?: Did you mean '(.+?)'\?)?$", "Không có tùy chọn '{0}'.{1}"),
    (r"No such command '(.+?)'\.?", "Không có lệnh '{0}'."),
    (r"Option '(.+?)' requires an argument\.?", "Tùy chọn '{0}' cần một giá trị."),
    (r"Got unexpected extra arguments? \((.+)\)", "Thừa tham số: {0}."),
    (r"Invalid value for '(.+?)': (?:Directory|File|Path) '(.+?)' does not exist\.?", "{0}: không tìm thấy '{1}'."),
    (r"Invalid value for '(.+?)': (?:Directory|File|Path) '(.+?)' is a file\.?", "{0}: '{1}' là một tệp, cần một thư mục."),
    (r"Invalid value for '(.+?)': (?:Directory|File|Path) '(.+?)' is a directory\.?", "{0}: '{1}' là một thư mục, cần một tệp."),
    (r"Invalid value for '(.+?)': (?:Directory|File|Path) '(.+?)' is not readable\.?", "{0}: không có quyền đọc '{1}'."),
    (r"Invalid value for '(.+?)': '(.+?)' is not a valid integer(?: range)?\.?", "{0}: '{1}' không phải số nguyên."),
    (r"Invalid value for '(.+?)': (.+?) is not in the range (.+?)\.?$", "{0}: {1} nằm ngoài khoảng cho phép ({2})."),
    (r"Invalid value for '(.+?)': (.+)", "Giá trị không hợp lệ cho {0}: {1}"),
]


def vietnamese_usage_error(message: str) -> str:
    for pattern, text in CLICK_MESSAGES:
        match = re.match(pattern, message.strip())
        if match:
            parts = [g or "" for g in match.groups()]
            if "Did you mean" in message and len(parts) > 1 and parts[1]:
                parts[1] = f" Có phải ý bạn là {parts[1]}?"
            return text.format(*parts).replace("....", "...")
    return message


class Group(_VietnameseHelp, click.Group):
    command_class = Command
    group_class = type  # subgroups are of this same class

    def invoke(self, ctx):
        # The one handler: an error the user can act on is a Vietnamese message and exit 2, never a traceback.
        try:
            return super().invoke(ctx)
        except DtiError as exc:
            fail(str(exc))

    def main(self, args=None, prog_name=None, **extra):
        """Click's usage errors in Vietnamese; an unexpected failure is a short Vietnamese
        message (its traceback only with --debug)."""
        args = list(sys.argv[1:] if args is None else args)
        try:
            return super().main(args, prog_name=prog_name, standalone_mode=False, **extra)
        except click.UsageError as exc:
            hint = f"\nXem '{exc.ctx.command_path} --help' để biết cách dùng." if exc.ctx else ""
            err_console.print(f"[bold red]Lỗi:[/] {vietnamese_usage_error(exc.format_message())}{hint}",
                              markup=True, highlight=False)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            fail(vietnamese_usage_error(exc.format_message()), exc.exit_code)
        except click.exceptions.Abort:
            fail("đã dừng theo yêu cầu.", 1)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except (SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if "--debug" in args:
                raise
            fail(f"lỗi không mong đợi ({type(exc).__name__}); hãy chạy lại lệnh với --debug và gửi nội dung hiển thị "
                 "cho bộ phận kỹ thuật.", 1)

    def format_commands(self, ctx, formatter):
        commands = [(name, cmd) for name in self.list_commands(ctx)
                    if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section("Lệnh"):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in commands])


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dti-report", message="dti-report %(version)s", help="Hiển thị phiên bản và thoát.")
@click.option("--forms", "forms_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Thư mục chứa tệp biểu mẫu (YAML) riêng của đơn vị, thêm vào các bộ có sẵn (có thể lặp lại; "
                   "hoặc biến môi trường DTI_REPORT_FORMS).")
@click.option("--workspace", "workspace_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Không gian làm việc (mặc định: thư mục hiện tại hoặc thư mục cha có tệp dti-report.yaml).")
@click.option("--debug", is_flag=True, help="Hiển thị chi tiết kỹ thuật khi có lỗi không mong đợi.")
def main(forms_dirs: tuple[Path, ...], workspace_dir: Path | None, debug: bool) -> None:
    """Công cụ tổng hợp, chấm điểm và báo cáo Chỉ số chuyển đổi số (DTI)."""


@main.group()
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
    result = score_long_files(load_set(set_id), data_path, verified_path)
    written = write_result(result, out_dir)
    print_summary(result)
    for path in written:
        console.print(f"Đã ghi {path}")


def load_units(path: Path | None) -> Registry:
    if path:
        return load_registry(path)
    ws = current_workspace()
    return ws.registry() if ws is not None else builtin_registry()


units_option = click.option("--units", "units_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                            help="Danh mục đơn vị (YAML); mặc định: danh mục của không gian làm việc, ngoài không "
                                 "gian làm việc là danh mục Thành phố Hồ Chí Minh năm 2023.")


def _period_argument(ctx, param, value):
    """A period given as an option or an argument, checked before any work."""
    if value is None:
        return value
    try:
        return check_period(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def period_option(required: bool = True):
    return click.option("--period", required=required, callback=_period_argument,
                        help="Kỳ báo cáo: năm (2023), tháng (2024-06) hoặc quý (2024-Q2).")


@main.command("templates")
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


@main.command("init")
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


@main.command("check")
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
        checked = pipeline.check_file(path, registry, found)
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
            console.print(f"  Điểm tự chấm (tính lại): {_points(row['total'])}/{checked.result.indicator_set.total_points:g}")
    sys.exit(1 if any_error else 0)


def _settings(ctx, param, value):
    ws = current_workspace()
    return pipeline.workspace_settings(ws, value) if ws is not None else load_settings(value)


def _pdf(ctx, param, value):
    if value:
        soffice_path()  # before any work: a missing LibreOffice is known now, not after the batch
    return value


settings_option = click.option("--settings", "settings", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                               callback=_settings, help="Tệp cài đặt báo cáo (YAML): cơ quan ban hành, số ký hiệu, "
                               "người ký, nơi nhận; mặc định: Sở Thông tin và Truyền thông Thành phố Hồ Chí Minh.")
pdf_option = click.option("--pdf", is_flag=True, callback=_pdf,
                          help="Xuất thêm bản PDF của mỗi báo cáo Word (cần LibreOffice).")


def print_reports(written: list[Path], out_dir: Path, pdf: bool) -> None:
    counts = {suffix: sum(1 for p in written if p.suffix == suffix) for suffix in (".docx", ".pdf")}
    pdfs = f", {counts['.pdf']} tệp PDF" if pdf else ""
    if counts[".docx"]:
        console.print(f"Báo cáo: {counts['.docx']} tệp Word{pdfs} trong {out_dir}")
    else:
        console.print("Không có bộ chỉ số nào được chấm điểm: không có báo cáo Word.")


@main.command("run")
@click.argument("period_arg", metavar="[KỲ]", required=False, callback=_period_argument)
@period_option(required=False)
@click.option("--inputs", "inputs", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Thư mục chứa các biểu mẫu đơn vị đã gửi (đọc cả thư mục con); trong không gian làm việc: "
                   "hop-thu/<kỳ>/.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi kết quả; trong không gian làm việc: ket-qua/<kỳ>/.")
@click.option("--verified", "verified_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Tệp điều chỉnh của Sở TTTT (unit_code, field, value, reason).")
@units_option
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Số tiến trình đọc tệp song song.")
@click.option("--set", "expect_sets", multiple=True,
              help="Bộ chỉ số phải có trong kỳ (có thể lặp lại); đơn vị chưa gửi được liệt kê dù chưa ai gửi.")
@click.option("--decisions", "decisions", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Tệp quyết định của Sở (CSV: file, reason; hoặc YAML: pin) chọn tệp dùng cho đơn vị, thay cho "
                   "bản mới nhất.")
@settings_option
@pdf_option
@click.option("--strict", is_flag=True,
              help="Không ghi kết quả nếu placeholder của bảng theo dõi chỉ tiêu khớp gần đúng hoặc không xác định.")
def run_command(period_arg: str | None, period: str | None, inputs: Path | None, out_dir: Path | None,
                verified_path: Path | None, units_path: Path | None, workers: int | None,
                expect_sets: tuple[str, ...], decisions: Path | None, settings, pdf: bool, strict: bool) -> None:
    """Tổng hợp hằng kỳ: đọc mọi biểu mẫu, kiểm tra, chấm điểm, ghi kết quả và báo cáo. Trong không gian
    làm việc chỉ cần kỳ (dti-report run 2026-11): đọc hop-thu/<kỳ>/, ghi ket-qua/<kỳ>/ và kho dữ liệu."""
    period = period_arg or period
    if period is None:
        raise click.UsageError("Missing option '--period'.")
    ws = current_workspace() if inputs is None and out_dir is None else None
    if ws is None and (inputs is None or out_dir is None):
        raise click.UsageError("Missing option '--inputs'." if inputs is None else "Missing option '--out'.")
    with Progress(TextColumn("Đang đọc biểu mẫu"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True, disable=not err_console.is_terminal) as progress:
        task = progress.add_task("read", total=None)
        progress_calls = {"on_start": lambda n: progress.update(task, total=n), "on_done": lambda: progress.advance(task)}
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
                                                **progress_calls)
        else:
            outcome = pipeline.run_period(inputs, out_dir, period, load_units(units_path), forms_catalog(), settings,
                                          overrides_path=verified_path, expect_forms=list(expect_sets),
                                          workers=workers, pdf=pdf, strict=strict, decisions=decisions,
                                          **progress_calls)
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


@main.command("report")
@click.argument("period", metavar="[KỲ]", required=False, callback=_period_argument)
@click.option("--results", "results_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Thư mục kết quả của lệnh run; trong không gian làm việc: ket-qua/<kỳ>/ (mặc định kỳ gần nhất).")
@settings_option
@pdf_option
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Số tiến trình dựng phiếu kết quả song song.")
def report_command(period: str | None, results_dir: Path | None, settings, pdf: bool, workers: int | None) -> None:
    """Dựng lại báo cáo Word, sổ tính tổng hợp và phiếu kết quả từng đơn vị từ kết quả của lệnh run,
    không đọc lại biểu mẫu."""
    if results_dir is None:
        ws = current_workspace()
        if ws is None:
            raise click.UsageError("Missing option '--results'.")
        results_dir = ws.results(_period_or_latest(ws, period))
        if not results_dir.is_dir():
            raise WorkspaceError(f"chưa có kết quả {results_dir}; hãy chạy dti-report run trước")
    written = pipeline.report(results_dir, forms_catalog(), settings, pdf=pdf, workers=workers)
    print_reports(written, results_dir, pdf)


@main.command("render")
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


@main.command("lint")
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


def _period_or_latest(ws: Workspace, period: str | None) -> str:
    return period or pipeline.latest_period(ws)


@main.command("status")
@click.argument("period", metavar="[KỲ]", required=False, callback=_period_argument)
def status_command(period: str | None) -> None:
    """Thời hạn gửi của một kỳ (mặc định: kỳ gần nhất): đơn vị đúng hạn, trễ hạn bao nhiêu ngày, chưa gửi."""
    ws = need_workspace()
    period = _period_or_latest(ws, period)
    frame = pipeline.period_status(ws, period, forms_catalog())
    run = pipeline.last_run(ws, period)
    console.print(f"Theo lần chạy kỳ {period} kết thúc lúc {run['finished'][:16].replace('T', ' ')} "
                  f"({run['files_found']} tệp trong hộp thư); tệp nhận sau đó chưa được tính, hãy chạy lại "
                  f"dti-report run {period}.")
    for set_id in dict.fromkeys(frame["set_id"]):
        mine = frame[frame["set_id"] == set_id]
        deadline = next((d for d in mine["deadline"] if d), "")
        title = f"{set_id} — kỳ {period}" + (f", hạn gửi {pipeline.fmt_day(deadline)}" if deadline else ", chưa đặt hạn gửi")
        table = Table(title=title)
        for column in ("Mã đơn vị", "Đơn vị", "Thời điểm nhận", "Tình trạng", "Ghi chú"):
            table.add_column(column)
        for row in mine.to_dict("records"):
            table.add_row(row["unit_code"], row["unit_name"], row["arrived"][:16].replace("T", " "),
                          row["status_label"], row["note"])
        console.print(table)
        counts = mine["status"].value_counts()
        console.print(f"{set_id}: {counts.get('on-time', 0)} đúng hạn, {counts.get('late', 0)} trễ hạn, "
                      f"{counts.get('missing', 0)} chưa gửi" + (f", {counts.get('sent', 0)} đã gửi" if counts.get('sent') else "")
                      + f" (trên {len(mine)} đơn vị).")


@main.command("remind")
@click.argument("period", metavar="[KỲ]", required=False, callback=_period_argument)
def remind_command(period: str | None) -> None:
    """Viết thư nhắc (.eml, kèm biểu mẫu trống) cho mỗi đơn vị chưa gửi biểu mẫu hợp lệ của kỳ."""
    ws = need_workspace()
    period = _period_or_latest(ws, period)
    written, no_email = pipeline.write_reminders(ws, period, forms_catalog())
    if not written:
        console.print(f"Kỳ {period}: mọi đơn vị đã gửi biểu mẫu hợp lệ; không có thư nhắc.")
        return
    console.print(f"Đã viết {len(written)} thư nhắc trong {ws.reminders(period)}: mở từng tệp bằng chương trình thư "
                  "và bấm gửi.")
    if no_email:
        console.print(f"{len(no_email)} đơn vị chưa có email trong danh mục (điền người nhận khi gửi): "
                      + ", ".join(no_email))


@main.command("verify")
@click.argument("file", metavar="[TỆP]", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@period_option(required=False)
@click.option("--by", "by", help="Người điều chỉnh; mặc định: tên người dùng trên máy.")
@click.option("--list", "list_unit", is_flag=False, flag_value="", default=None, metavar="[MÃ-ĐƠN-VỊ]",
              help="Liệt kê lịch sử điều chỉnh (của một đơn vị nếu ghi mã).")
def verify_command(file: Path | None, period: str | None, by: str | None, list_unit: str | None) -> None:
    """Ghi điều chỉnh của Sở (unit_code, field, value, reason) vào kho dữ liệu, kèm người và thời điểm;
    điều chỉnh sau của cùng trường thay điều chỉnh trước, cả hai đều được lưu."""
    ws = need_workspace()
    if list_unit is not None:
        frame = pipeline.adjustment_history(ws, period, list_unit or None)
        table = Table(title="Lịch sử điều chỉnh" + (f" — {list_unit}" if list_unit else ""))
        for column in ("Số", "Kỳ", "Đơn vị", "Trường", "Giá trị", "Lý do", "Người điều chỉnh", "Thời điểm",
                       "Tình trạng"):
            table.add_column(column)
        for row in frame.to_dict("records"):
            state = "đang áp dụng" if pd.isna(row["superseded_by"]) else f"thay bằng số {int(row['superseded_by'])}"
            table.add_row(str(row["id"]), row["period"], row["unit_code"], row["field"], row["value"], row["reason"],
                          row["made_by"], row["made_at"][:16].replace("T", " "), state)
        console.print(table)
        console.print(f"{len(frame)} điều chỉnh.")
        return
    if file is None:
        raise click.UsageError("Missing argument 'TỆP'.")
    period = _period_or_latest(ws, period)
    added = pipeline.record_adjustments(ws, period, file, forms_catalog(), by=by)
    console.print(f"Kỳ {period}: đã ghi {added} điều chỉnh mới từ {file}. Chạy lại dti-report run {period} để "
                  "áp dụng vào kết quả và báo cáo.")


@main.command("history")
@click.argument("unit_code", metavar="MÃ-ĐƠN-VỊ")
def history_command(unit_code: str) -> None:
    """Kết quả của một đơn vị qua các kỳ trong kho dữ liệu: tổng điểm, thứ hạng, lỗi, cảnh báo."""
    ws = need_workspace()
    table_frame, issues = pipeline.unit_history(ws, unit_code)
    name = ws.registry().by_code()[unit_code].name
    table = Table(title=f"{name} ({unit_code}) qua các kỳ")
    for column in ("Kỳ", "Bộ chỉ số", "Phiên bản", "Tổng điểm", "Hạng", "Tự đánh giá", "Thời điểm nhận", "Lỗi",
                   "Cảnh báo"):
        table.add_column(column)
    for row in table_frame.to_dict("records"):
        ranked = not pd.isna(row["rank"])
        table.add_row(row["period"], row["set_id"], str(row["set_version"] or ""),
                      _points(row["total"]) if ranked else "–",
                      f"{int(row['rank'])}/{int(row['units'])}" if ranked else "–",
                      _points(row["self_total"]) if ranked else "–", str(row["arrived"] or "")[:16].replace("T", " "),
                      str(row["error"]), str(row["warning"]))
    console.print(table)
    errors = issues[issues["severity"] == "error"]
    for row in errors.to_dict("records"):
        console.print(f"  {row['period']} [Lỗi] {row['code']}: {row['message']}", markup=False, soft_wrap=True)


@main.command("export")
@click.option("--out", "target", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp CSV; mặc định: ket-qua/kho-du-lieu.csv của không gian làm việc.")
@click.option("--parquet", is_flag=True, help="Ghi thêm tệp Parquet cùng tên (cần gói pyarrow).")
def export_command(target: Path | None, parquet: bool) -> None:
    """Ghi mọi kỳ trong kho dữ liệu thành một bảng dạng dài (CSV; Parquet nếu có pyarrow) cho pandas, DuckDB, Excel."""
    ws = need_workspace()
    target = target or ws.root / "ket-qua" / "kho-du-lieu.csv"
    for path in pipeline.export(ws, target, parquet):
        console.print(f"Đã ghi {path}")


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


if __name__ == "__main__":  # pragma: no cover
    main()
