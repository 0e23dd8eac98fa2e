"""The corpus of bad returned workbooks (tests/data/bad_workbooks, made by
tests/data/make_bad_workbooks.py): each file is read as the batch reads it and
must give its expected issue, at its expected place, without anything raising.

expected.csv: file, code, severity, sheet, cell, field. An empty code means the
file must be accepted with no error (warnings allowed); a file-level code must
get the file rejected, any other code leaves it accepted with that issue.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from dti_report.kinds import catalog as forms_catalog
from dti_report.checking import check_file
from dti_report.pipeline import run_batch, run_period
from dti_report.reports.settings import load_settings
from dti_report.kinds import get_form
from dti_report.workbook.layout import INPUT_SHEET
from dti_report.evaluation.scoring import score_rows
from dti_report.workbook.reader import ACCEPTED, FILE_LEVEL_CODES, IGNORED, REJECTED, SUPERSEDED, Limits, read_submission
from dti_report.forms.units import builtin_registry

CORPUS = Path(__file__).resolve().parent / "data" / "bad_workbooks"
PERIOD = "2023"


def expected_rows() -> list[dict[str, str]]:
    with open(CORPUS / "expected.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


EXPECTED = expected_rows()

# Files the package does not yet handle as expected.csv says: file -> why.
KNOWN_BUGS: dict[str, str] = {}  # file -> reason, for a failure the package does not handle yet

# Values an accepted file must read, by field id (as the long format has them).
# (fill_workbook writes choices as their labels, percentages as fractions: 90,1% is 0.901.)
OPTION_3_OF_1_1 = "Chưa có Ban chỉ đạo hoặc có nhưng Trưởng ban không phải Lãnh đạo Sở/Ban/Ngành"
VALUES = {
    "36-libreoffice.ods": {"1.1": OPTION_3_OF_1_1, "1.2.a": 7, "1.4.a": "Đã có chuyên mục", "6.13.a": "90,1%", "6.4.a": 7583},
    "37-legacy.xls": {"1.1": OPTION_3_OF_1_1, "1.2.a": 7, "1.4.a": "Đã có chuyên mục", "6.13.a": "90,1%", "6.4.a": 7583},
    "38-rows-moved.xlsx": {"1.2.a": 7, "3.1.b": 303, "1.2.b": 11, "3.1.a": 258},
}


def check(path: Path):
    """What `dti-report check` does, with the batch's period: read, and score an accepted file."""
    checked = check_file(path, builtin_registry(), forms_catalog(), period=PERIOD, root=CORPUS)
    return checked.submission, checked.issues


def _param(row):
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[row["file"]])] if row["file"] in KNOWN_BUGS else []
    return pytest.param(row, id=row["file"], marks=marks)


def test_corpus_is_complete():
    files = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file())
    assert sorted(r["file"] for r in EXPECTED) + ["expected.csv"] == files
    assert len(EXPECTED) >= 30
    assert sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file()) < 5 * 1024 * 1024


@pytest.mark.parametrize("row", [_param(r) for r in EXPECTED])
def test_bad_workbook(row):
    sub, issues = check(CORPUS / row["file"])
    code = row["code"]
    errors = [i for i in issues if i.severity == "error"]
    if not code:
        assert sub.status == ACCEPTED, [(i.code, i.detail) for i in issues]
        assert not errors, [(i.code, i.cell, i.field, i.detail) for i in errors]
        return
    found = [i for i in issues if i.code == code]
    assert found, f"no {code}: got {[(i.code, i.sheet, i.cell, i.field, i.detail) for i in issues]}"
    at = [i for i in found
          if all(not row[k] or getattr(i, k) == row[k] for k in ("sheet", "cell", "field"))]
    assert at, (f"{code} expected at sheet={row['sheet']!r} cell={row['cell']!r} field={row['field']!r}, "
                f"got {[(i.sheet, i.cell, i.field) for i in found]}")
    assert at[0].severity == row["severity"]
    assert at[0].file == row["file"]
    if code in FILE_LEVEL_CODES:
        assert sub.status == REJECTED
    else:
        assert sub.status == ACCEPTED
        # The one thing broken is the only error: nothing else in the file was misread.
        assert {i.code for i in errors} <= {code}, [(i.code, i.cell, i.field) for i in errors]


@pytest.mark.parametrize("name", sorted(VALUES))
def test_accepted_files_read_right_values(name):
    sub, _ = check(CORPUS / name)
    assert sub.status == ACCEPTED
    assert sub.unit_code == "so-tttt" and sub.set_id == "hcm-dti-so" and sub.period == PERIOD
    got = dict(zip(sub.rows.field, sub.rows.value))
    for field_id, value in VALUES[name].items():
        if isinstance(value, str):
            assert got[field_id] == value, field_id
        else:
            assert float(got[field_id]) == pytest.approx(value), field_id


def test_moved_rows_are_read_from_where_they_went():
    """1.2.a and 3.1.b swapped rows: each value is located at its new cell."""
    path = CORPUS / "38-rows-moved.xlsx"
    sheet = openpyxl.load_workbook(path)[INPUT_SHEET]
    row_of = {c.value: c.row for c in sheet["H"] if isinstance(c.value, str)}
    assert row_of["1.2.a"] > row_of["3.1.b"]  # really moved
    sub, _ = check(path)
    cells = dict(zip(sub.rows.field, sub.rows.cell))
    assert cells["1.2.a"] == f"E{row_of['1.2.a']}" and cells["3.1.b"] == f"E{row_of['3.1.b']}"


def test_copies_of_one_return_score_alike():
    """The .ods, the .xls and the rows-moved .xlsx hold the same values: same points."""
    scores = []
    for name in ("36-libreoffice.ods", "37-legacy.xls", "38-rows-moved.xlsx"):
        sub, _ = check(CORPUS / name)
        assert sub.status == ACCEPTED, name
        table = score_rows(get_form(sub.set_id), sub.rows).scores
        scores.append(table.set_index("criterion")["self_score"].round(9).to_dict())
    assert scores[0] == scores[1] == scores[2]


def test_bombs_exceed_the_limit_they_test():
    """Each zip bomb is over its own ceiling, and only the size bomb over the size one."""
    limits = Limits()

    def stats(name):
        with zipfile.ZipFile(CORPUS / name) as z:
            entries = z.infolist()
        ratio = max(e.file_size / max(e.compress_size, 1) for e in entries if e.file_size > limits.ratio_floor_bytes)\
            if any(e.file_size > limits.ratio_floor_bytes for e in entries) else 0
        return len(entries), sum(e.file_size for e in entries), ratio

    count, total, _ = stats("07-zip-bomb-size.xlsx")
    assert count <= limits.max_entries and total > limits.max_uncompressed_bytes
    count, total, ratio = stats("08-zip-bomb-ratio.xlsx")
    assert count <= limits.max_entries and total <= limits.max_uncompressed_bytes and ratio > limits.max_ratio
    count, total, ratio = stats("09-zip-bomb-entries.xlsx")
    assert count > limits.max_entries and total <= limits.max_uncompressed_bytes and ratio == 0


def test_oversized_file_is_refused_before_opening(tmp_path):
    """25 MB (sparse on disk) that starts like a zip: file-too-large, nothing else."""
    path = tmp_path / "so-tttt_hcm-dti-so_2023.xlsx"
    with open(path, "wb") as f:
        f.write(b"PK\x03\x04")
        f.truncate(25 * 1024 * 1024)
    sub = read_submission(path, tmp_path, builtin_registry(), PERIOD, catalog=forms_catalog())
    assert sub.status == REJECTED
    assert [i.code for i in sub.issues] == ["file-too-large"]
    assert sub.issues[0].severity == "error" and sub.issues[0].file == path.name


def test_batch_over_the_corpus():
    """The whole folder in one batch: nothing raises, every file is in the manifest
    (expected.csv ignored), each rejected or not as expected.csv says."""
    batch = run_batch(CORPUS, PERIOD, builtin_registry(), workers=1)
    files = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file())
    assert sorted(s.path for s in batch.submissions) == files
    status = {s.path: s.status for s in batch.submissions}
    assert status.pop("expected.csv") == IGNORED
    for row in EXPECTED:
        if row["file"] in KNOWN_BUGS:
            continue
        if row["code"] in FILE_LEVEL_CODES:
            assert status[row["file"]] == REJECTED, row["file"]
        else:
            assert status[row["file"]] in (ACCEPTED, SUPERSEDED), row["file"]
    # Several accepted so-tttt files: the batch keeps one and marks the others superseded.
    assert sum(s == ACCEPTED for (set_id, s) in ((x.set_id, x.status) for x in batch.submissions)
               if set_id == "hcm-dti-so") == 1
    assert "hcm-dti-so" in batch.results
    assert all(i.file in status or i.file == "expected.csv" or not i.file for i in batch.issues)


@pytest.mark.parametrize("name, shown", [
    ("58-implausible-number.xlsx", "100" + ".000" * 102),   # 1e308: 309 digits
    ("68-huge-number-libreoffice.xlsx", "1" + ".000" * 10),  # 1e30, saved by LibreOffice
])
def test_a_run_writes_a_huge_number_back_to_the_unit_whole(tmp_path, name, shown):
    """An implausible number is an error in that cell, and the run still writes every
    output: the unit's feedback shows the number as typed (formatting it once failed the run)."""
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    shutil.copy(CORPUS / name, inbox / name)
    outcome = run_period(inbox, tmp_path / "ket-qua", PERIOD, builtin_registry(), forms_catalog(), load_settings(),
                         workers=1)
    found = [(i.code, i.sheet, i.cell, i.field) for i in outcome.batch.issues if i.code == "implausible-number"]
    assert found == [("implausible-number", INPUT_SHEET, "E100", "6.4.a")]
    sheet = openpyxl.load_workbook(tmp_path / "ket-qua" / "phan-hoi" / "so-tttt.xlsx").worksheets[0]
    assert shown in {c.value for row in sheet.iter_rows() for c in row}


def _fstat_saying(size: int, real=os.fstat):
    """os.fstat as it answers when the file grew after it was looked at: the older, smaller size."""
    def fstat(fd):
        s = real(fd)
        return os.stat_result((s.st_mode, s.st_ino, s.st_dev, s.st_nlink, s.st_uid, s.st_gid, size,
                               int(s.st_atime), int(s.st_mtime), int(s.st_ctime)))
    return fstat


SAMPLE = Path(__file__).resolve().parents[1] / "input_samples" / "bieu-mau-2023" / "quan-huyen" / "h-can-gio_hcm-dti-huyen_2023.xlsx"


def test_a_file_that_grew_while_read_is_read_whole(tmp_path, monkeypatch):
    path = tmp_path / SAMPLE.name
    shutil.copyfile(SAMPLE, path)
    monkeypatch.setattr(os, "fstat", _fstat_saying(100))
    sub = read_submission(path, tmp_path, builtin_registry(), PERIOD, catalog=forms_catalog())
    assert sub.status == ACCEPTED
    assert (sub.size, sub.sha256) == (len(path.read_bytes()), hashlib.sha256(path.read_bytes()).hexdigest())


def test_a_file_that_grew_past_the_ceiling_while_read_is_refused(tmp_path, monkeypatch):
    path = tmp_path / SAMPLE.name
    shutil.copyfile(SAMPLE, path)
    monkeypatch.setattr(os, "fstat", _fstat_saying(100))
    sub = read_submission(path, tmp_path, builtin_registry(), PERIOD, Limits(max_file_bytes=1000), catalog=forms_catalog())
    assert sub.status == REJECTED
    assert [i.code for i in sub.issues] == ["file-too-large"]
