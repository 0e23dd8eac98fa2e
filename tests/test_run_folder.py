"""A run is one whole thing: the folder holds exactly one run, a killed run leaves the
previous one, a second run into the same folder is refused, files are readable by
colleagues, and the library's pipeline writes what the command line writes."""

import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dti_report.batch.results import REGISTRY_COPY, load_results, unit_rows
from dti_report.batch.run_folder import write_issues_workbook
from dti_report.batch.staging import RunFolder, RunFolderError
from dti_report.cli import main
from dti_report.core.issues import Issue
from dti_report.forms.units import builtin_registry, load_registry
from dti_report.kinds import catalog
from dti_report.pipeline import run_period
from dti_report.reports.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "input_samples" / "bieu-mau-2023" / "so-nganh"
UNITS = ["so-gtvt", "hepza", "bql-attp"]


def inbox(tmp_path: Path, units: list[str], name: str = "inbox") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for code in units:
        shutil.copy(SAMPLES / f"{code}_hcm-dti-so_2023.xlsx", folder)
    return folder


def run(inputs: Path, out: Path):
    return run_period(inputs, out, "2023", builtin_registry(), catalog(), load_settings(), workers=1)


def files_of(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_rerun_with_fewer_inputs_leaves_nothing_of_the_earlier_run(tmp_path):
    out = tmp_path / "ket-qua"
    run(inbox(tmp_path, UNITS), out)
    assert {p.name for p in (out / "phan-hoi").iterdir()} == {f"{u}.xlsx" for u in UNITS}
    run(inbox(tmp_path, UNITS[:2], "inbox2"), out)
    assert {p.name for p in (out / "phan-hoi").iterdir()} == {f"{u}.xlsx" for u in UNITS[:2]}
    assert not any(p.name.startswith("bql-attp") for p in (out / "phieu-ket-qua").iterdir())
    # Nothing beside the folder but the folder: no staging, no lock.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_failed_run_keeps_the_previous_run_whole(tmp_path, monkeypatch):
    out = tmp_path / "ket-qua"
    run(inbox(tmp_path, UNITS), out)
    before = {name: (out / name).read_bytes() for name in files_of(out)}

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device", str(out / "x.csv"))

    monkeypatch.setattr("dti_report.pipeline.write_outputs", boom)
    with pytest.raises(RunFolderError) as err:
        run(inbox(tmp_path, UNITS[:1], "inbox2"), out)
    assert "ổ đĩa đã đầy" in str(err.value)
    assert {name: (out / name).read_bytes() for name in files_of(out)} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


KILLER = """
import os, signal, sys
from pathlib import Path
import dti_report.pipeline as pipeline
real = pipeline.write_outputs
def write_then_die(batch, out_dir, *args, **kwargs):
    from dti_report.core.files import write_csv
    import pandas as pd
    write_csv(pd.DataFrame({"a": [1]}), Path(out_dir) / "manifest.csv")  # half a run in staging
    os.kill(os.getpid(), signal.SIGKILL)
pipeline.write_outputs = write_then_die
from dti_report.cli import main
from dti_report.core.issues import Issue
main(sys.argv[1:])
"""


def test_killed_run_leaves_the_previous_run_and_the_next_run_cleans_up(tmp_path):
    out = tmp_path / "ket-qua"
    run(inbox(tmp_path, UNITS), out)
    before = {name: (out / name).read_bytes() for name in files_of(out)}
    second = inbox(tmp_path, UNITS[:1], "inbox2")
    killed = subprocess.run([sys.executable, "-c", KILLER, "run", "--period", "2023", "--inputs", str(second),
                             "--out", str(out), "--workers", "1"], capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL
    assert {name: (out / name).read_bytes() for name in files_of(out)} == before
    assert load_results(out, catalog()).sets["hcm-dti-so"].totals.shape[0] == 3  # still readable
    assert any(p.name.startswith(".ket-qua") for p in tmp_path.iterdir())  # what the killed run left
    run(second, out)
    assert {p.name for p in (out / "phan-hoi").iterdir()} == {"so-gtvt.xlsx"}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_second_concurrent_run_is_refused(tmp_path):
    out = tmp_path / "ket-qua"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock = RunFolder(out).lock_path
        lock.write_text(json.dumps({"pid": sleeper.pid, "host": socket.gethostname(),
                                    "started": "2026-12-01T08:00:00+07:00"}), encoding="utf-8")
        with pytest.raises(RunFolderError) as err:
            run(inbox(tmp_path, UNITS[:1]), out)
        assert str(sleeper.pid) in str(err.value) and "đang được một lần chạy khác ghi" in str(err.value)
        assert not out.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    # The other run has ended (its process is gone): its lock is stale and taken over.
    run(inbox(tmp_path, UNITS[:1], "inbox2"), out)
    assert (out / "run.json").is_file() and not RunFolder(out).lock_path.exists()


def test_files_are_readable_by_colleagues_under_umask_022(tmp_path):
    out = tmp_path / "ket-qua"
    source = inbox(tmp_path, UNITS[:1])
    done = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.umask(0o022); from dti_report.cli import main; main(sys.argv[1:])",
         "run", "--period", "2023", "--inputs", str(source), "--out", str(out), "--workers", "1"],
        capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    modes = {p.relative_to(out).as_posix(): p.stat().st_mode & 0o777 for p in out.rglob("*")}
    assert modes and all(mode & 0o044 == 0o044 for mode in modes.values()), modes


def test_pipeline_writes_what_the_command_line_writes(tmp_path):
    source = inbox(tmp_path, UNITS)
    library, command = tmp_path / "thu-vien", tmp_path / "dong-lenh"
    run(source, library)
    result = CliRunner().invoke(main, ["run", "--period", "2023", "--inputs", str(source), "--out", str(command),
                                       "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert files_of(library) == files_of(command)
    differ = [name for name in files_of(library) if (library / name).read_bytes() != (command / name).read_bytes()]
    assert differ == []


def test_output_folder_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "ket-qua"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(RunFolderError):
        run(inbox(tmp_path, UNITS[:1]), target)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_read_only_output_is_reported_before_reading(tmp_path):
    parent = tmp_path / "chi-doc"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        with pytest.raises(RunFolderError) as err:
            run(inbox(tmp_path, UNITS[:1]), parent / "ket-qua")
        assert str(parent) in str(err.value)
    finally:
        parent.chmod(0o755)


def test_the_registry_copy_reads_back_as_the_registry_the_run_used(tmp_path):
    # The run's reports take the registry at hand instead of parsing the copy: they must be the same.
    outcome = run(inbox(tmp_path, ["so-tttt", "so-gtvt"]), tmp_path / "ket-qua")
    assert load_registry(outcome.out_dir / REGISTRY_COPY) == outcome.batch.registry
    assert load_results(outcome.out_dir, catalog()).registry == outcome.batch.registry


def test_an_issues_row_is_its_fields_in_order_with_severity_and_message():
    issue = Issue("negative-number", file="a.xlsx", sheet="Nhập liệu", cell="D4", unit="q1", field="1.1", value="-3",
                  technical="ValueError")
    expected = {**dataclasses.asdict(issue), "severity": issue.severity, "message": issue.message}
    assert issue.as_row() == expected and list(issue.as_row()) == list(expected)


def test_the_issues_workbook_lists_each_issue_under_the_vietnamese_headers(tmp_path):
    issues = [Issue("negative-number", file="a.xlsx", sheet="Nhập liệu", cell="D4", unit="q1", field="1.1", value="-3",
                    technical="ValueError"),
              Issue("blank-field", file="b.xlsx", sheet="Nhập liệu", cell="E7", unit="q2", field="2.1.a", criterion="2.1")]
    target = write_issues_workbook(issues, tmp_path / "issues.xlsx")
    sheet = openpyxl.load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "Lỗi và cảnh báo" and sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:K3"
    assert rows[0] == ("Mức độ", "Mã lỗi", "Tệp", "Trang", "Ô/dòng", "Đơn vị", "Mã trường", "Tiêu chí", "Giá trị",
                       "Nội dung", "Chi tiết kỹ thuật")
    assert rows[1][:9] == ("Lỗi", "negative-number", "a.xlsx", "Nhập liệu", "D4", "q1", "1.1", None, "-3")
    assert rows[1][9] == issues[0].message and rows[1][10] == "ValueError"
    # A blank is no cell, never an empty text or a zero.
    assert rows[2][:9] == ("Cảnh báo", "blank-field", "b.xlsx", "Nhập liệu", "E7", "q2", "2.1.a", "2.1", None)
    assert rows[2][10] is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["u1", "u2", "u10", "x"]), max_size=40))
def test_unit_rows_are_each_units_positions(units):
    """Each unit's rows where they are, in order; a range exactly when they are together."""
    rows_of = unit_rows(units)
    assert set(rows_of) == set(units)
    for unit, rows in rows_of.items():
        expected = [i for i, u in enumerate(units) if u == unit]
        assert list(rows) == expected
        assert isinstance(rows, range) == (expected[-1] - expected[0] + 1 == len(expected))
