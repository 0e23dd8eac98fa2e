"""The command line loads a command's module only when that command runs; what the
user reads is the same as if every command were loaded."""

import subprocess
import sys
import textwrap

import click
import pytest
from click.testing import CliRunner

from dti_report.cli import COMMANDS, main


def test_help_lists_every_command_with_its_own_vietnamese_help():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "Cách dùng:" in result.output and "Lệnh:" in result.output
    ctx = click.Context(main)
    for name in COMMANDS:
        command = main.get_command(ctx, name)
        assert command is not None, name
        # The sentence listed without loading the module is the command's own.
        assert command.get_short_help_str(500) == COMMANDS[name][2], name
        assert f"  {name} " in result.output
    assert main.list_commands(ctx) == sorted(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_help_is_vietnamese(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Cách dùng:" in result.output
    assert "Hiển thị hướng dẫn này và thoát." in result.output
    assert "Usage:" not in result.output and "Show this message" not in result.output


def test_unknown_command_is_a_vietnamese_usage_error():
    result = CliRunner().invoke(main, ["khong-co"])
    assert result.exit_code == 2
    assert "Không có lệnh 'khong-co'." in result.output
    assert "--help' để biết cách dùng." in result.output
    sub = CliRunner().invoke(main, ["catalog", "khong-co"])
    assert sub.exit_code == 2 and "Không có lệnh 'khong-co'." in sub.output


def _modules_after(args: list[str]) -> set[str]:
    code = textwrap.dedent(f"""
        import sys
        from dti_report.cli import main
        try:
            main({args!r})
        except SystemExit:
            pass
        print(" ".join(sorted(sys.modules)), file=sys.stderr)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    return set(done.stderr.split())


def test_help_loads_no_command_and_no_library():
    loaded = _modules_after(["--help"])
    assert "click" in loaded
    for heavy in ("dti_report.pipeline", "dti_report.cli.common", "pandas", "pydantic", "rich", "yaml"):
        assert heavy not in loaded, heavy


def test_check_does_not_load_the_report_writers():
    loaded = _modules_after(["check", "--help"])
    assert "dti_report.cli.checking" in loaded
    assert "dti_report.cli.period" not in loaded
    for heavy in ("matplotlib", "openpyxl", "xlsxwriter", "docx", "docxtpl", "jinja2", "rich.table",
                  "dti_report.pipeline", "dti_report.reports.rendering", "dti_report.reports.feedback",
                  "dti_report.batch.run_folder", "dti_report.batch.history_files"):
        assert heavy not in loaded, heavy
