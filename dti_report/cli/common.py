"""What the commands share: the consoles, the workspace and forms in force, the options
several commands take, and how results are printed."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Iterator

import click

from dti_report import in_force
from dti_report.batch.workspace import Workspace, WorkspaceError, find_workspace
from dti_report.cli.vietnamese import err_console
from dti_report.core.progress import Progress
from dti_report.forms.base import Form
from dti_report.forms.catalog import Catalog
from dti_report.forms.periods import check_period
from dti_report.forms.units import Registry, builtin_registry, load_registry
from dti_report.renderers.pdf import soffice_path
from dti_report.reports.settings import load_settings

class _Console:
    """rich's console, made when a command first prints through it: `check` prints with
    click and never pays for importing rich. Piped output (CI logs, redirects) gets a
    width wide enough for the score tables."""

    _made = None

    def __getattr__(self, name):
        if _Console._made is None:
            from rich.console import Console
            _Console._made = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
        return getattr(_Console._made, name)


console = _Console()


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
    return in_force.workspace_catalog(current_workspace(), tuple(ctx.find_root().params.get("forms_dirs") or ()))


def load_set(set_id: str) -> Form:
    return forms_catalog().get(set_id)


def points(value: float) -> str:
    return f"{value:,.2f}".replace(",", " ").replace(".", ",")


def load_units(path: Path | None) -> Registry:
    if path:
        return load_registry(path)
    ws = current_workspace()
    return ws.registry() if ws is not None else builtin_registry()


units_option = click.option("--units", "units_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                            help="Danh mục đơn vị (YAML); mặc định: danh mục của không gian làm việc, ngoài không "
                                 "gian làm việc là danh mục Thành phố Hồ Chí Minh năm 2023.")


def period_argument(ctx, param, value):
    """A period given as an option or an argument, checked before any work."""
    if value is None:
        return value
    try:
        return check_period(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def period_option(required: bool = True):
    return click.option("--period", required=required, callback=period_argument,
                        help="Kỳ báo cáo: năm (2023), tháng (2024-06) hoặc quý (2024-Q2).")


def _settings(ctx, param, value):
    ws = current_workspace()
    return in_force.workspace_settings(ws, value) if ws is not None else load_settings(value)


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


def period_or_latest(ws: Workspace, period: str | None) -> str:
    return period or in_force.latest_period(ws)


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


workers_option = click.option("--workers", type=click.IntRange(1, 64), default=None,
                              help="Số tiến trình song song (đọc tệp, phiếu phản hồi, phiếu kết quả, PDF); mặc "
                                   "định: số lõi CPU máy dành cho lệnh.")


class _Bar(Progress):
    """The library's phases on one bar on the terminal: each phase replaces the one before."""

    def __init__(self, bar):
        super().__init__()
        self.bar = bar  # a rich.progress.Progress
        self.task = None

    def phase(self, name: str, total: int | None = None) -> None:
        super().phase(name, total)
        if self.task is not None:
            self.bar.remove_task(self.task)
        self.task = self.bar.add_task(name, total=total)

    def advance(self, n: int = 1) -> None:
        super().advance(n)
        if self.task is not None:
            self.bar.advance(self.task, n)


@contextlib.contextmanager
def progress_bar() -> Iterator[Progress]:
    """A progress bar on the terminal (nothing when the output is piped), gone when the work ends."""
    import rich.progress  # only the commands that show one pay for it

    columns = (rich.progress.TextColumn("{task.description}"), rich.progress.BarColumn(),
               rich.progress.MofNCompleteColumn(), rich.progress.TimeElapsedColumn())
    with rich.progress.Progress(*columns, console=err_console(), transient=True,
                                disable=not err_console().is_terminal) as bar:
        yield _Bar(bar)
