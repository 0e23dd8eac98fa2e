"""Click in Vietnamese: every command's -h/--help, click's own usage errors, and the
one handler that turns an error the user can act on into a message, never a traceback.

Kept light (click only, rich on first use): `dti-report --help` loads this and nothing else.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache

import click

from dti_report.core.errors import DtiError


@lru_cache(maxsize=1)
def err_console():
    # rich costs a tenth of a second to import: loaded when there is something to print.
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def fail(message: str, code: int = 2) -> None:
    err_console().print(f"[bold red]Lỗi:[/] {message}")
    sys.exit(code)


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
            err_console().print(f"[bold red]Lỗi:[/] {vietnamese_usage_error(exc.format_message())}{hint}",
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

