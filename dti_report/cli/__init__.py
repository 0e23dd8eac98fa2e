"""Command line: thin wrappers that build core objects and call one function each.

The commands live in the modules of this package; this one names them. A command's
module, and the library it calls (pandas, the form models, the writers), is imported
only when that command runs: `dti-report --help` loads click and nothing else, and
`dti-report check` does not pay for the report writers.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import click

from dti_report.cli.vietnamese import Group, vietnamese_usage_error

__all__ = ["COMMANDS", "main", "vietnamese_usage_error"]

# The package does no linear algebra, yet importing numpy starts OpenBLAS's thread pool, one
# thread per core: about 0.06 s of every command's start-up (and of each worker process's,
# which inherit this). One thread, unless the user asks for more.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Command → (module of this package, attribute, its help's first sentence). The sentence is
# what `dti-report --help` lists, without importing the module (tests/test_cli_lazy.py checks
# it against the command's own help).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "catalog": ("forms", "catalog", "Xem các bộ chỉ số có trong công cụ."),
    "check": ("checking", "check_command", "Kiểm tra biểu mẫu trước khi gửi: liệt kê lỗi, cảnh báo của từng tệp."),
    "export": ("workspace", "export_command",
               ("Ghi mọi kỳ trong kho dữ liệu thành một bảng dạng dài (CSV; Parquet nếu có pyarrow) cho pandas, "
                "DuckDB, Excel.")),
    "history": ("workspace", "history_command",
                "Kết quả của một đơn vị qua các kỳ trong kho dữ liệu: tổng điểm, thứ hạng, lỗi, cảnh báo."),
    "init": ("period", "init_command",
             "Tạo không gian làm việc: cài đặt, danh mục đơn vị, hộp thư và kết quả theo kỳ, kho dữ liệu."),
    "lint": ("templating", "lint_command",
             "Liệt kê mọi placeholder của mẫu: vị trí, khớp chính xác, gần đúng (với khóa nào) hay không xác định."),
    "remind": ("workspace", "remind_command",
               "Viết thư nhắc (.eml, kèm biểu mẫu trống) cho mỗi đơn vị chưa gửi biểu mẫu hợp lệ của kỳ."),
    "render": ("templating", "render_command", "Điền số liệu vào mẫu Word/Excel có placeholder [[...]]."),
    "report": ("period", "report_command",
               ("Dựng lại báo cáo Word, sổ tính tổng hợp và phiếu kết quả từng đơn vị từ kết quả của lệnh run, "
                "không đọc lại biểu mẫu.")),
    "run": ("period", "run_command",
            "Tổng hợp hằng kỳ: đọc mọi biểu mẫu, kiểm tra, chấm điểm, ghi kết quả và báo cáo."),
    "score": ("scoring", "score_command",
              "Chấm điểm từ tệp số liệu dạng dài; ghi scores.csv, totals.csv, issues.csv."),
    "status": ("workspace", "status_command",
               "Thời hạn gửi của một kỳ (mặc định: kỳ gần nhất): đơn vị đúng hạn, trễ hạn bao nhiêu ngày, chưa gửi."),
    "templates": ("period", "templates_command", "Tạo biểu mẫu Excel trống cho từng đơn vị."),
    "verify": ("workspace", "verify_command",
               ("Ghi điều chỉnh của Sở (unit_code, field, value, reason) vào kho dữ liệu, kèm người và thời điểm; "
                "điều chỉnh sau của cùng trường thay điều chỉnh trước, cả hai đều được lưu.")),
}


class LazyGroup(Group):
    """The root group: a command's module is imported when the command is asked for.

    This is the package's one import made at run time rather than at the top of a module
    (tests/test_architecture.py allows it here only): start-up time, not a cycle."""

    def list_commands(self, ctx) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx, name: str):
        entry = COMMANDS.get(name)
        if entry is None:
            return None
        module = importlib.import_module(f"{__name__}.{entry[0]}")
        return getattr(module, entry[1])

    def format_commands(self, ctx, formatter):
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        with formatter.section("Lệnh"):
            # A bare command carrying the sentence shortens it as the real one would.
            formatter.write_dl([(name, click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit))
                                for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dti-report", message="dti-report %(version)s", help="Hiển thị phiên bản và thoát.")
@click.option("--forms", "forms_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Thư mục chứa tệp biểu mẫu (YAML) riêng của đơn vị, thêm vào các bộ có sẵn (có thể lặp lại; "
                   "hoặc biến môi trường DTI_REPORT_FORMS).")
@click.option("--workspace", "workspace_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Không gian làm việc (mặc định: thư mục hiện tại hoặc thư mục cha có tệp dti-report.yaml).")
@click.option("--debug", is_flag=True, help="Hiển thị chi tiết kỹ thuật khi có lỗi không mong đợi.")
def main(forms_dirs: tuple[Path, ...], workspace_dir: Path | None, debug: bool) -> None:
    """Công cụ tổng hợp, chấm điểm và báo cáo Chỉ số chuyển đổi số (DTI)."""
