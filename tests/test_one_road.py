"""`check` and `run` say the same thing about every file.

One inbox per registry (HCM 2023, Ninh Thuận 2022-Q4) holds workbooks of every kind of form,
good and bad, one unit per file and form (so no file supersedes another): indicator sets, a
target set, task sets, assignment sets, plus a workbook for the wrong period, one stamped with an
unknown set id, PDF bytes (as .pdf and renamed .xlsx) and one saved by LibreOffice headless.
Each file is checked on its own (`check_file`, what a unit runs before sending) and the folder is
run (`run_batch`); for every file the issues located in it must be the same in both. The cells
expected are found by reading each workbook written with openpyxl (the "Mã trường" column gives
the row, "Số liệu / lựa chọn" the column), never by row number.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from dti_report.evaluation.plans import task_report
from dti_report.evaluation.tasks import DONE, INVALID_REPORT, ON_TIME, STANDING_LABELS
from dti_report.forms.plans import TASK_DATE, TASK_STATUS
from dti_report.forms.units import Registry, builtin_registry
from dti_report.forms.values import parse_value
from dti_report.kinds import catalog, get_form, kind_of
from dti_report.checking import check_file
from dti_report.pipeline import run_batch
from dti_report.workbook.fill import fill_workbook
from dti_report.workbook.layout import INPUT_SHEET, META_SHEET, NA_LABEL, NA_SUFFIX
from dti_report.workbook.longfile import read_long_file
from dti_report.workbook.reader import ACCEPTED, IGNORED, REJECTED

SAMPLES = Path(__file__).resolve().parents[1] / "input_samples"
FIELD_ID_HEADER = "Mã trường"
VALUE_HEADER = "Số liệu / lựa chọn"
PDF_BYTES = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
KEY = ("code", "sheet", "cell", "field", "severity")

# --- the cases ------------------------------------------------------------------------------


@dataclass
class Case:
    """One workbook of the inbox: made for `unit` from `form_id` with `values` by field id
    (pre-filled by the template writer, or filled with fill_workbook), then `raw` cell contents
    typed over the value cells with openpyxl, as a unit typing by hand would. `expect`:
    (code, field id, severity) issues at the field's value cell; field None means the `_meta`
    sheet (no cell)."""

    name: str
    form_id: str
    unit: str
    values: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)
    expect: list = field(default_factory=list)
    status: str = ACCEPTED
    period: str | None = None        # the workbook is made for another period
    set_id: str | None = None        # the `_meta` stamp's set id rewritten
    libreoffice: bool = False        # saved again by LibreOffice headless

    @property
    def file(self) -> str:
        """Unit code first, as the tool names templates; the case's name makes it unique."""
        return f"{self.unit}_{self.form_id}_{self.name}.xlsx"


def sample_values(file: str, unit: str, form_id: str) -> dict:
    """A unit's clean values from the long-format samples; a choice the sample leaves out (no
    row there, a blank cell in a workbook) gets its first option."""
    rows = read_long_file(SAMPLES / file)
    mine = rows[rows.unit_code == unit]
    values = dict(zip(mine["field"], mine["value"]))
    for f in get_form(form_id).fields.values():
        if f.id not in values:
            assert f.type in ("choice", "yes-no", "text"), f.id
            values[f.id] = f.options[0].label if f.options else ""
    return values


def complete_values(form, unit, registry, day: str) -> dict:
    """Every field the unit's workbook asks, with a valid value of its type."""
    out = {}
    for item in form.items_for(unit, registry):
        for f in item.fields:
            if f.type in ("choice", "yes-no"):
                out[f.id] = f.options[0].label
            elif f.type == "text":
                out[f.id] = f"Văn bản số 12/KH-{unit.code.upper()}"
            elif f.type == "date":
                out[f.id] = day
            elif f.type == "integer":
                out[f.id] = 10 if f.id.endswith(".b") else 7
            elif f.type == "percent":
                out[f.id] = "50%"
            elif f.maximum is not None:
                out[f.id] = f.maximum / 2
            else:
                out[f.id] = 0.5
    return out


def indicator_cases(form_id: str, base: dict, units: list[str]) -> list[Case]:
    """The same clean values for each unit, one thing broken per file (criterion 1.2 is a
    ratio 1.2.a / 1.2.b in both HCM sets)."""
    u = iter(units)
    return [
        Case("hop-le", form_id, next(u), base),
        Case("chu-trong-o-so", form_id, next(u), {**base, "1.2.a": "mười hai"},
             expect=[("not-a-number", "1.2.a", "error")]),
        Case("mau-so-0", form_id, next(u), {**base, "1.2.a": 0, "1.2.b": 0},
             expect=[("zero-denominator", "1.2.b", "error")]),
        Case("tu-so-lon-hon", form_id, next(u), {**base, "1.2.a": 20, "1.2.b": 5},
             expect=[("numerator-exceeds-denominator", "1.2.a", "error")]),
        Case("de-trong", form_id, next(u), {**base, "1.3.a": ""},
             expect=[("blank-field", "1.3.a", "warning"), ("incomplete-criterion", "1.3.a", "warning")]),
        Case("khong-ap-dung", form_id, next(u), {**base, "1.2.a": NA_LABEL, "1.2.b": ""}),
        Case("libreoffice", form_id, next(u), {**base, "1.3.a": "mười hai"}, libreoffice=True,
             expect=[("not-a-number", "1.3.a", "error")]),
    ]


def hcm_cases(registry) -> list[Case]:
    by = registry.by_code()
    so = sample_values("hcm-dti-so-2023.csv", "so-tttt", "hcm-dti-so")
    huyen = sample_values("hcm-dti-huyen-2023.csv", "q3", "hcm-dti-huyen")
    cases = indicator_cases("hcm-dti-so", so, ["so-tttt", "so-noi-vu", "so-tu-phap", "so-khdt", "so-tai-chinh",
                                               "so-cong-thuong", "so-nnptnt"])
    cases += indicator_cases("hcm-dti-huyen", huyen, ["q3", "q1", "q4", "q5", "q6", "q7", "q8"])
    cases += [
        Case("ky-khac", "hcm-dti-so", "so-gtvt", so, period="2022", status=REJECTED,
             expect=[("wrong-period", None, "error")]),
        Case("bo-khong-co", "hcm-dti-so", "so-xay-dung", so, set_id="hcm-dti-khong-co", status=REJECTED,
             expect=[("unknown-set", None, "error")]),
    ]
    targets = get_form("hcm-chi-tieu-2023")
    good = complete_values(targets, by["so-noi-vu"], registry, "15/06/2023")
    cases += [
        Case("hop-le", targets.id, "so-noi-vu", good),
        Case("so-sai-co-khong-sai", targets.id, "so-tu-phap", {**good, "9.a": "mười hai", "2": "Có lẽ"},
             expect=[("not-a-number", "9.a", "error"), ("invalid-yes-no", "2", "error")]),
    ]
    tasks = get_form("kh68-nhiem-vu")
    cases += [
        Case("hop-le", tasks.id, "so-tttt", complete_values(tasks, by["so-tttt"], registry, "15/06/2023")),
        Case("trang-thai-sai", tasks.id, "so-khcn", {"17.trang-thai": "Xong rồi", "17.ngay-hoan-thanh": "15/03/2021"},
             expect=[("invalid-option", "17.trang-thai", "error")]),
        Case("ngay-khong-co-that", tasks.id, "so-nnptnt", {"27.trang-thai": "Hoàn thành",
                                                            "27.ngay-hoan-thanh": "31/06/2021"},
             expect=[("invalid-date", "27.ngay-hoan-thanh", "error")]),
        Case("ngay-iso-sai", tasks.id, "so-gtvt", {"25.trang-thai": "Hoàn thành", "25.ngay-hoan-thanh": "2021-13-45"},
             expect=[("invalid-date", "25.ngay-hoan-thanh", "error")]),
        Case("ngay-sau-ky", tasks.id, "so-cong-thuong", {"20.trang-thai": "Hoàn thành",
                                                         "20.ngay-hoan-thanh": "15/01/2024"},
             expect=[("date-after-period", "20.ngay-hoan-thanh", "warning")]),
    ]
    assigned = get_form("kh68-dti-tinh")
    cases += [
        Case("hop-le", assigned.id, "so-tu-phap", complete_values(assigned, by["so-tu-phap"], registry, "15/06/2023")),
        Case("tinh-trang-sai", assigned.id, "so-noi-vu", {"1.1.2.4.gia-tri": "85%", "1.1.2.4.tinh-trang": "Đã xong"},
             expect=[("invalid-option", "1.1.2.4.tinh-trang", "error")]),
    ]
    return cases


def ninhthuan_cases(registry) -> list[Case]:
    by = registry.by_code()
    points = get_form("dti-huyen-2021")
    base = complete_values(points, by["tp-prtc"], registry, "")
    first, second = list(points.fields)[:2]
    top = points.fields[first].maximum
    cases = [
        Case("hop-le", points.id, "tp-prtc", base),
        Case("chu-trong-o-so", points.id, "h-ninh-hai", {**base, first: "mười hai"},
             expect=[("not-a-number", first, "error")]),
        Case("de-trong", points.id, "h-ninh-phuoc", {**base, second: ""},
             expect=[("blank-field", second, "warning")]),
        Case("vuot-diem-toi-da", points.id, "h-ninh-son", {**base, first: top + 3},
             expect=[("points-above-max", first, "error")]),
        Case("diem-am", points.id, "h-bac-ai", base, raw={second: -1},
             expect=[("negative-number", second, "error")]),
        # The 2021 index has no "không áp dụng": typed into a points cell it is not a number.
        Case("khong-ap-dung", points.id, "h-thuan-bac", base, raw={first: NA_LABEL},
             expect=[("not-a-number", first, "error")]),
        Case("libreoffice", points.id, "h-thuan-nam", {**base, second: top + 3}, libreoffice=True,
             expect=[("points-above-max", second, "error")]),
        Case("ky-khac", points.id, "tp-prtc", base, period="2022-Q3", status=REJECTED,
             expect=[("wrong-period", None, "error")]),
        Case("bo-khong-co", points.id, "h-ninh-hai", base, set_id="dti-huyen-2099", status=REJECTED,
             expect=[("unknown-set", None, "error")]),
    ]
    tasks = get_form("ninhthuan-kh4233-nhiem-vu")
    cases += [
        Case("hop-le", tasks.id, "so-tttt", complete_values(tasks, by["so-tttt"], registry, "15/11/2022")),
        Case("trang-thai-sai", tasks.id, "so-khdt", {"B.VII.1.trang-thai": "Xong rồi",
                                                     "B.VII.1.ngay-hoan-thanh": "15/11/2022"},
             expect=[("invalid-option", "B.VII.1.trang-thai", "error")]),
        Case("ngay-khong-co-that", tasks.id, "so-tai-chinh", {"B.II.4.trang-thai": "Hoàn thành",
                                                              "B.II.4.ngay-hoan-thanh": "31/11/2022"},
             expect=[("invalid-date", "B.II.4.ngay-hoan-thanh", "error")]),
        Case("ngay-iso-sai", tasks.id, "so-cong-thuong", {"B.VII.6.trang-thai": "Hoàn thành",
                                                          "B.VII.6.ngay-hoan-thanh": "2021-13-45"},
             expect=[("invalid-date", "B.VII.6.ngay-hoan-thanh", "error")]),
        Case("ngay-sau-ky", tasks.id, "so-ldtbxh", {"B.IV.5.trang-thai": "Hoàn thành",
                                                    "B.IV.5.ngay-hoan-thanh": "15/01/2023"},
             expect=[("date-after-period", "B.IV.5.ngay-hoan-thanh", "warning")]),
    ]
    assigned = get_form("ninhthuan-kh4233-phan-cong")
    cases += [
        Case("hop-le", assigned.id, "so-khdt", complete_values(assigned, by["so-khdt"], registry, "15/11/2022")),
        Case("tinh-trang-sai", assigned.id, "so-noi-vu", {"6.20.gia-tri": "12", "6.20.tinh-trang": "Hoàn tất"},
             expect=[("invalid-option", "6.20.tinh-trang", "error")]),
    ]
    return cases


REGISTRIES = {"hcm-2023": ("2023", hcm_cases), "ninhthuan-2022": ("2022-Q4", ninhthuan_cases)}
# Files that are not workbooks of any form: name -> (status, expected code).
JUNK = {"minh-chung.pdf": (IGNORED, "ignored-file", "warning"),
        "bao-cao-la-pdf.xlsx": (REJECTED, "not-a-workbook", "error")}


# --- building an inbox ------------------------------------------------------------------------


def value_cells(path: Path) -> dict[str, str]:
    """Field id -> the coordinate of its value cell, read from the workbook with openpyxl:
    the row whose "Mã trường" column holds the id, the "Số liệu / lựa chọn" column."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = enumerate(book[INPUT_SHEET].iter_rows(values_only=True), start=1)
        for _, row in rows:
            if FIELD_ID_HEADER in row:
                id_col, value_col = row.index(FIELD_ID_HEADER), row.index(VALUE_HEADER)
                break
        letter = get_column_letter(value_col + 1)
        return {row[id_col]: f"{letter}{n}" for n, row in rows if len(row) > id_col and row[id_col]}
    finally:
        book.close()


def type_raw(path: Path, cells: dict[str, str], raw: dict) -> None:
    book = openpyxl.load_workbook(path)
    for field_id, content in raw.items():
        book[INPUT_SHEET][cells[field_id]].value = content
    book.save(path)


def restamp_set(path: Path, set_id: str) -> None:
    book = openpyxl.load_workbook(path)
    meta = book[META_SHEET]
    row = next(r for r in meta.iter_rows() if r[0].value == "set_id")
    row[1].value = set_id
    book.save(path)


def libreoffice_resave(sources: list[Path], work: Path) -> dict[Path, Path]:
    """Each file opened and saved as .xlsx by LibreOffice headless, into another folder."""
    out = work / "libreoffice"
    out.mkdir()
    profile = (work / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore",
                    "--convert-to", "xlsx", "--outdir", str(out), *map(str, sources)],
                   check=True, capture_output=True, timeout=120)
    return {src: out / src.name for src in sources}


@dataclass
class Inbox:
    root: Path
    period: str
    registry: Registry
    cases: list[Case]
    cells: dict[str, dict[str, str]]      # case file -> field id -> cell
    checks: dict = field(default_factory=dict)
    batch: object = None

    def case(self, form_id: str, name: str) -> Case:
        return next(c for c in self.cases if c.form_id == form_id and c.name == name)


def build_inbox(work: Path, registry_id: str) -> Inbox:
    period, make_cases = REGISTRIES[registry_id]
    registry = builtin_registry(registry_id)
    by = registry.by_code()
    inbox, templates, drafts = work / "inbox", work / "templates", work / "drafts"
    for folder in (inbox, templates, drafts):
        folder.mkdir()
    cases = make_cases(registry)
    cells, to_convert = {}, {}
    for case in cases:
        form, unit = get_form(case.form_id), by[case.unit]
        write = kind_of(form).write_template
        target = (drafts if case.libreoffice else inbox) / case.file
        if case.raw or case.libreoffice:
            # A unit's road: the blank template filled in a spreadsheet program (openpyxl here).
            template = templates / case.file
            write(form, unit, registry, case.period or period, template)
            fill_workbook(form, template, case.values, target)
        else:  # the tool's own road: a template pre-filled by field id
            write(form, unit, registry, case.period or period, target, values=case.values)
        cells[case.file] = value_cells(target)
        if case.raw:
            type_raw(target, cells[case.file], case.raw)
        if case.set_id:
            restamp_set(target, case.set_id)
        if case.libreoffice:
            to_convert[target] = inbox / case.file
    for src, saved in libreoffice_resave(list(to_convert), work).items():
        shutil.copy(saved, to_convert[src])
    (inbox / "minh-chung.pdf").write_bytes(PDF_BYTES)
    (inbox / "bao-cao-la-pdf.xlsx").write_bytes(PDF_BYTES)
    box = Inbox(inbox, period, registry, cases, cells)
    forms = catalog()
    box.checks = {p.name: check_file(p, registry, forms, period=period, root=inbox) for p in sorted(inbox.iterdir())}
    box.batch = run_batch(inbox, period, registry, forms, workers=1)
    return box


@pytest.fixture(scope="module", params=sorted(REGISTRIES))
def box(request, tmp_path_factory):
    return build_inbox(tmp_path_factory.mktemp(request.param), request.param)


def keyed(issues) -> Counter:
    return Counter(tuple(getattr(i, k) for k in KEY) for i in issues)


# What only a whole inbox can say: who did not send, who sent only unusable files, which copy lost.
BATCH_ONLY = {"missing-submission", "submission-unusable", "superseded"}


def run_issues(box: Inbox, file: str) -> list:
    return [i for i in box.batch.issues if i.file == file and i.code not in BATCH_ONLY]


def check_issues(box: Inbox, file: str) -> list:
    return [i for i in box.checks[file].issues if i.code not in BATCH_ONLY]


# --- check and run agree ------------------------------------------------------------------------


def test_every_file_read_once_by_both(box):
    files = sorted(p.name for p in box.root.iterdir())
    assert len(files) == len(box.cases) + len(JUNK)
    assert sorted(s.path for s in box.batch.submissions) == files
    assert sorted(box.checks) == files
    forms = {c.form_id for c in box.cases}
    kinds = {get_form(f).kind for f in forms}
    assert kinds == {"indicators", "tasks", "assignments"} | ({"targets"} if box.registry.id == "hcm-2023" else set())


def test_check_and_run_give_the_same_issues_for_every_file(box):
    """The multiset of (code, sheet, cell, field, severity) located in each file is the same."""
    differ = {}
    for file in box.checks:
        from_check, from_run = keyed(check_issues(box, file)), keyed(run_issues(box, file))
        if from_check != from_run:
            differ[file] = {"check only": from_check - from_run, "run only": from_run - from_check}
    assert not differ, differ


def test_check_and_run_give_the_same_status(box):
    run_status = {s.path: s.status for s in box.batch.submissions}
    assert {f: c.submission.status for f, c in box.checks.items()} == run_status
    assert not [s for s in box.batch.submissions if s.status == "superseded"]


def test_no_issue_lost_or_unlocated(box):
    """Every issue of the run, but the awaited units', names the file it came from."""
    files = set(box.checks)
    assert {i.file for i in box.batch.issues if i.code != "missing-submission"} <= files
    assert all(not i.file for i in box.batch.issues if i.code == "missing-submission")


# --- what each file is said to hold ---------------------------------------------------------


def test_expected_issues_at_their_cells_in_both(box):
    problems = []
    for case in box.cases:
        cells = box.cells[case.file]
        for label, issues in (("check", check_issues(box, case.file)), ("run", run_issues(box, case.file))):
            got = keyed(issues)
            for code, field_id, severity in case.expect:
                where = (INPUT_SHEET, cells[field_id], field_id) if field_id else (META_SHEET, "", "")
                wanted = (code, where[0], where[1], where[2], severity)
                if not got[wanted]:
                    problems.append(f"{label} {case.file}: no {wanted}; got {sorted(got)}")
            errors = {k[0] for k in got if k[4] == "error"}
            allowed = {code for code, _, severity in case.expect if severity == "error"}
            if not errors <= allowed:
                problems.append(f"{label} {case.file}: unexpected errors {sorted(errors - allowed)} "
                                f"({[k for k in got if k[0] in errors - allowed]})")
            if not case.expect and got:
                problems.append(f"{label} {case.file}: a valid workbook got {sorted(got)}")
    assert not problems, "\n".join(problems)


def test_status_of_each_case(box):
    for case in box.cases:
        assert box.checks[case.file].submission.status == case.status, case.file
    for name, (status, code, severity) in JUNK.items():
        assert box.checks[name].submission.status == status
        for issues in (check_issues(box, name), run_issues(box, name)):
            assert [(i.code, i.severity) for i in issues] == [(code, severity)], name


def test_libreoffice_round_trip_reads_every_value(box):
    """The file LibreOffice saved is read as the unit filled it: same field ids at the same
    cells, and the one bad value found at its cell (asserted above)."""
    case = next(c for c in box.cases if c.libreoffice)
    sub = box.checks[case.file].submission
    assert sub.status == ACCEPTED and sub.set_id == case.form_id and sub.unit_code == case.unit
    rows = sub.rows
    cells = box.cells[case.file]
    assert dict(zip(rows.field, rows.cell)) == {f: c for f, c in cells.items()}
    form = get_form(case.form_id)
    read = dict(zip(rows.field, rows.value))
    for field_id, value in case.values.items():
        f = form.fields.get(field_id)
        if f is None:
            continue
        if f.type == "text":
            assert read[field_id] == value, field_id
        else:  # as typed: the sample's "7" and the stored 7.0 are one value
            assert parse_value(f, read[field_id]) == parse_value(f, value), (field_id, read[field_id], value)


def test_scores_of_check_equal_scores_of_run(box):
    """An accepted indicator workbook scores the same alone (check) as in the batch (run),
    but for Min-Max criteria, which compare units."""
    for case in box.cases:
        form = get_form(case.form_id)
        if form.kind != "indicators" or case.status != ACCEPTED:
            continue
        relative = {c.id for c in form.criteria if c.rule.scored_across_units}
        alone = box.checks[case.file].result.scores
        alone = alone[(alone.unit_code == case.unit) & ~alone.criterion.isin(relative)]
        together = box.batch.results[case.form_id].scores
        together = together[(together.unit_code == case.unit) & ~together.criterion.isin(relative)]
        a = alone.set_index("criterion")[["self_status", "self_score"]].sort_index()
        b = together.set_index("criterion")[["self_status", "self_score"]].sort_index()
        assert a.equals(b), case.file


def test_not_applicable_where_the_set_allows_it(box):
    """HCM: "Không áp dụng" on criterion 1.2's row gives its maximum, alone and in the batch.
    The 2021 district index has no such row (its typed "Không áp dụng" is not-a-number, above)."""
    for case in (c for c in box.cases if c.name == "khong-ap-dung"):
        form = get_form(case.form_id)
        markers = [f for f in box.cells[case.file] if f.endswith(NA_SUFFIX)]
        if not form.allows_not_applicable:
            assert markers == [], case.file
            continue
        assert "1.2" + NA_SUFFIX in markers
        for result in (box.checks[case.file].result, box.batch.results[case.form_id]):
            scores = result.scores
            row = scores[(scores.unit_code == case.unit) & (scores.criterion == "1.2")].iloc[0]
            assert row.self_score == form.item_by_id["1.2"].max_points, case.file


# --- plans: a bad value is not a report -------------------------------------------------------


def _plan(box: Inbox, kind: str):
    return next(get_form(c.form_id) for c in box.cases if get_form(c.form_id).kind == kind)


def _standing(box: Inbox, plan, task_id: str):
    report = task_report(plan, box.batch.plans[plan.id], box.registry, box.period)
    return next(s for s in report.standings if s.task.id == task_id)


def _task_of(case: Case, suffix: str) -> str:
    return next(f[: -len(suffix)] for f in case.values if f.endswith(suffix))


def test_invalid_status_is_not_reported_done(box):
    plan = _plan(box, "tasks")
    case = box.case(plan.id, "trang-thai-sai")
    task = _task_of(case, TASK_STATUS)
    said = box.batch.plans[plan.id].get(case.unit, {})
    # Kept as written (the unit did report, wrongly), never read as a status.
    assert said.get(task + TASK_STATUS) == case.values[task + TASK_STATUS], said
    standing = _standing(box, plan, task)
    assert standing.standing == INVALID_REPORT, (standing.label, standing.note)
    assert case.values[task + TASK_STATUS] in standing.note


def test_impossible_date_does_not_make_a_task_done_on_time(box):
    """'Hoàn thành' with a completion date that does not exist (31/06, 31/11, 2021-13-45):
    the date is refused (invalid-date), and the task must not stand 'Hoàn thành đúng hạn' on
    the strength of a date nobody can read — its deadline is before the period's end."""
    plan = _plan(box, "tasks")
    wrong = []
    for name in ("ngay-khong-co-that", "ngay-iso-sai"):
        case = box.case(plan.id, name)
        task = _task_of(case, TASK_DATE)
        said = box.batch.plans[plan.id].get(case.unit, {})
        assert said.get(task + TASK_STATUS) == DONE and said.get(task + TASK_DATE) == case.values[task + TASK_DATE], said
        standing = _standing(box, plan, task)
        assert standing.standing == INVALID_REPORT, (standing.label, standing.note)
        if standing.standing == ON_TIME:
            wrong.append(f"{case.file}: task {task} ({case.values[task + TASK_DATE]!r}) stands "
                         f"'{STANDING_LABELS[ON_TIME]}' ({standing.note})")
    assert not wrong, "\n".join(wrong)


def test_late_date_is_kept_with_its_warning(box):
    plan = _plan(box, "tasks")
    case = box.case(plan.id, "ngay-sau-ky")
    task = _task_of(case, TASK_DATE)
    said = box.batch.plans[plan.id][case.unit]
    assert said[task + TASK_STATUS] == DONE and said[task + TASK_DATE] == case.values[task + TASK_DATE]


def test_valid_plan_values_are_reported(box):
    for kind in ("tasks", "assignments"):
        plan = _plan(box, kind)
        case = box.case(plan.id, "hop-le")
        said = box.batch.plans[plan.id][case.unit]
        choices = {f: v for f, v in case.values.items() if plan.fields[f].type == "choice"}
        assert choices and all(said[f] == v for f, v in choices.items()), plan.id


def test_invalid_assignment_status_is_kept_as_written(box):
    plan = _plan(box, "assignments")
    case = box.case(plan.id, "tinh-trang-sai")
    status_field = next(f for f in case.values if f.endswith(".tinh-trang"))
    said = box.batch.plans[plan.id].get(case.unit, {})
    assert said[status_field] == case.values[status_field] and said.get(status_field.replace(".tinh-trang", ".gia-tri"))
