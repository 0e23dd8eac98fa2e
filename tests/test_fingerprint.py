"""The template fingerprint covers only what the sheet asks.

A copy of the built-in hcm-dti-so form (its id changed so it never collides with the built-in
one) makes a workbook for a unit of a small registry written here; the workbook is filled, then
read with catalogs loaded from changed copies of the form file. Rewording (a note, a method
text, the title, names and labels) keeps the workbook valid; changing what a cell accepts or
how it scores (an option's label or fraction, a new field, a criterion's maximum) refuses it with
`template-version-mismatch` on the `_meta` sheet. Two versions of one id coexist: each workbook
is read with the version it was made from.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from dti_report import kinds
from dti_report.core.issues import Issue
from dti_report.forms.catalog import Catalog
from dti_report.forms.units import load_registry
from dti_report.checking import check_file
from dti_report.pipeline import run_batch
from dti_report.workbook.fill import fill_workbook
from dti_report.workbook.layout import META_SHEET, template_file_name, template_hash
from dti_report.workbook.longfile import read_long_file
from dti_report.workbook.reader import ACCEPTED, REJECTED

ROOT = Path(__file__).resolve().parents[1]
ORIGINAL = ROOT / "dti_report" / "data" / "forms" / "hcm-dti-so-2023.yaml"
SAMPLE = ROOT / "input_samples" / "hcm-dti-so-2023.csv"
COPY_ID = "hcm-dti-so-ban-sao"
PERIOD = "2023"
MISMATCH = "template-version-mismatch"

REGISTRY_YAML = f"""\
id: thu-nghiem
title: Danh mục đơn vị thử nghiệm
levels:
  - {{id: so-nganh, name: "Sở, ban, ngành", sets: [{COPY_ID}]}}
units:
  - {{code: so-tttt, name: Sở Thông tin và Truyền thông, level: so-nganh}}
  - {{code: so-noi-vu, name: Sở Nội vụ, level: so-nganh}}
"""


# --- form copies ------------------------------------------------------------------------------


def original_raw() -> dict:
    """The built-in file as data, with the copy's id."""
    text, count = re.subn(r"^id: hcm-dti-so$", f"id: {COPY_ID}", ORIGINAL.read_text(encoding="utf-8"), flags=re.M)
    assert count == 1
    return yaml.safe_load(text)


def write_form(folder: Path, raw: dict, name: str = "form.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def catalog_of(*paths: Path) -> Catalog:
    cat = Catalog(kinds.MODELS)
    for path in paths:
        assert cat.load_file(path) == [], path
    return cat


def criterion(raw: dict, criterion_id: str) -> dict:
    return next(c for index in raw["indices"] for c in index["criteria"] if c["id"] == criterion_id)


def field_of(raw: dict, field_id: str) -> dict:
    return next(f for index in raw["indices"] for c in index["criteria"] for f in c["fields"] if f["id"] == field_id)


# Rewordings: what the sheet shows, not what it asks.
def reword_note(raw):
    raw["notes"][0]["text"] = "Diễn giải mới của mục II.2.c: " + raw["notes"][0]["text"]


def reword_method(raw):
    criterion(raw, "1.2")["method"] = "Tỷ lệ = a/b (a, b như trên); Điểm = Tỷ lệ × Điểm tối đa."


def reword_title(raw):
    raw["title"] = "Bộ chỉ số đánh giá chuyển đổi số các Sở, ban, ngành (bản hiệu đính)"


def reword_all_three(raw):
    reword_note(raw)
    reword_method(raw)
    reword_title(raw)


def reword_names_and_labels(raw):
    criterion(raw, "1.3")["name"] = "Văn bản chỉ đạo về chuyển đổi số do người đứng đầu ký"
    field_of(raw, "1.3.a")["label"] = "Số văn bản chỉ đạo chuyên đề do Giám đốc ký"
    criterion(raw, "1.4")["notes"][0]["text"] = "Bậc tin, bài: xem mục 1.4 của Quyết định."


# Changes of what a cell accepts or how it scores.
def relabel_option(raw):
    field_of(raw, "1.1")["options"][0]["label"] = "Trưởng ban là Giám đốc hoặc Thủ trưởng Sở/Ban/Ngành"


def refraction_option(raw):
    field_of(raw, "1.1")["options"][1]["fraction"] = 0.6


def add_field(raw):
    c = criterion(raw, "1.2")
    c["fields"].append({"id": "1.2.c", "label": "Số cuộc họp CĐS do Phó giám đốc được ủy quyền chủ trì",
                        "type": "integer"})
    c["rule"]["numerator"] = ["1.2.a", "1.2.c"]


def raise_max_points(raw):
    index = raw["indices"][0]
    index["criteria"][0]["max_points"] += 5  # 1.1: 10 → 15, its index and the total follow
    index["max_points"] += 5
    raw["total_points"] += 5


REWORDINGS = [reword_note, reword_method, reword_title, reword_all_three, reword_names_and_labels]
CHANGES = [relabel_option, refraction_option, add_field, raise_max_points]


# --- a workbook made from the original copy ----------------------------------------------------


SAMPLE_ROWS = read_long_file(SAMPLE)


def sample_values(form) -> dict:
    """so-tttt's clean sample values, and 1.1 (the choice the changes touch) on its first option."""
    mine = SAMPLE_ROWS[SAMPLE_ROWS.unit_code == "so-tttt"]
    return {**dict(zip(mine["field"], mine["value"])), "1.1": form.fields["1.1"].options[0].label}


def make_workbook(form, registry, unit_code: str, folder: Path, *, by_hand: bool = False) -> Path:
    """A unit's filled workbook: the blank template filled with openpyxl (by_hand), or the
    template pre-filled by field id."""
    unit = registry.by_code()[unit_code]
    name = template_file_name(unit_code, form.id, PERIOD)
    write = kinds.kind_of(form).write_template
    if not by_hand:
        return write(form, unit, registry, PERIOD, folder / name, values=sample_values(form))
    blank = write(form, unit, registry, PERIOD, folder / "blank" / name)
    return fill_workbook(form, blank, sample_values(form), folder / "filled" / name)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("fingerprint")
    (root / "units.yaml").write_text(REGISTRY_YAML, encoding="utf-8")
    registry = load_registry(root / "units.yaml")
    original = root / "original" / "form.yaml"
    original.parent.mkdir()
    original.write_text(ORIGINAL.read_text(encoding="utf-8").replace("id: hcm-dti-so\n", f"id: {COPY_ID}\n", 1),
                        encoding="utf-8")
    cat = catalog_of(original)
    form = cat.get(COPY_ID)
    assert form.version == "2023.1"
    workbook = make_workbook(form, registry, "so-tttt", root / "v1", by_hand=True)
    return root, registry, cat, form, workbook


_SCORES: dict = {}


def original_scores(made):
    """The workbook's points as the original copy gives them (computed once)."""
    if "scores" not in _SCORES:
        root, registry, cat, form, workbook = made
        _SCORES["scores"] = check(workbook, registry, cat).result.scores[["criterion", "self_score"]]
    return _SCORES["scores"]


def check(path: Path, registry, cat: Catalog):
    return check_file(path, registry, cat, period=PERIOD, root=path.parent)


def where(issues: list[Issue]) -> list[tuple]:
    return [(i.code, i.severity, i.sheet, i.cell, i.field, i.value, i.detail) for i in issues]


def test_the_copy_reads_its_own_workbook(made):
    root, registry, cat, form, workbook = made
    checked = check(workbook, registry, cat)
    assert checked.submission.status == ACCEPTED
    assert (checked.submission.set_id, checked.submission.set_version) == (COPY_ID, "2023.1")
    assert checked.issues == [], where(checked.issues)
    assert checked.result is not None and checked.result.indicator_set is form


def test_a_dumped_copy_has_the_same_fingerprint(made, tmp_path):
    """The form read back from YAML written by a program (not the hand-made file) asks the same."""
    _, _, _, form, _ = made
    assert template_hash(catalog_of(write_form(tmp_path, original_raw())).get(COPY_ID)) == template_hash(form)


def edited_copy(tmp_path, edit):
    """The copy's form file with one edit, loaded: its catalog and the form."""
    raw = original_raw()
    edit(raw)
    changed_cat = catalog_of(write_form(tmp_path, raw))
    return changed_cat, changed_cat.get(COPY_ID)


@pytest.mark.parametrize("edit", REWORDINGS, ids=lambda f: f.__name__)
def test_rewording_keeps_workbooks_valid(made, tmp_path, edit):
    root, registry, cat, form, workbook = made
    changed_cat, changed = edited_copy(tmp_path, edit)
    assert changed.version == form.version
    assert changed != form, "the edit changed nothing"
    assert template_hash(changed) == template_hash(form)
    checked = check(workbook, registry, changed_cat)
    assert checked.submission.status == ACCEPTED, where(checked.issues)
    assert not [i for i in checked.issues if i.code == MISMATCH]
    assert checked.issues == [], where(checked.issues)
    # scored as the original copy scores it
    assert checked.result.scores[["criterion", "self_score"]].equals(original_scores(made))


@pytest.mark.parametrize("edit", CHANGES, ids=lambda f: f.__name__)
def test_changing_what_the_sheet_asks_refuses_old_workbooks(made, tmp_path, edit):
    root, registry, cat, form, workbook = made
    changed_cat, changed = edited_copy(tmp_path, edit)
    assert changed.version == form.version  # no version bump: only the fingerprint tells
    assert template_hash(changed) != template_hash(form)
    checked = check(workbook, registry, changed_cat)
    assert checked.submission.status == REJECTED, where(checked.issues)
    mismatch = [i for i in checked.issues if i.code == MISMATCH]
    assert [(i.severity, i.sheet, i.cell) for i in mismatch] == [("error", META_SHEET, "")], where(checked.issues)
    assert template_hash(form) in mismatch[0].value and template_hash(changed) in mismatch[0].detail
    assert checked.result is None
    # a workbook made from the changed form is read by it
    fresh = make_workbook(changed, registry, "so-tttt", tmp_path / "fresh")
    again = check(fresh, registry, changed_cat)
    assert again.submission.status == ACCEPTED and not [i for i in again.issues if i.code == MISMATCH]


# --- versions coexist -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def versions(made, tmp_path_factory):
    """One folder with 2023.1 (the copy) and 2023.2 (an option relabelled); a workbook of each,
    for two units, in one inbox."""
    root, registry, _, _, v1_workbook = made
    folder = tmp_path_factory.mktemp("versions")
    v1, v2 = original_raw(), original_raw()
    v2["version"] = "2023.2"
    relabel_option(v2)
    write_form(folder / "forms", v1, "a-2023.1.yaml")
    write_form(folder / "forms", v2, "b-2023.2.yaml")
    cat = Catalog(kinds.MODELS)
    assert cat.load_dir(folder / "forms") == []
    v2_workbook = make_workbook(cat.get(COPY_ID, "2023.2"), registry, "so-noi-vu", folder / "v2")
    inbox = folder / "inbox"
    inbox.mkdir()
    for path in (v1_workbook, v2_workbook):
        (inbox / path.name).write_bytes(path.read_bytes())
    return registry, cat, inbox


def test_newest_version_is_the_default(versions):
    _, cat, _ = versions
    assert sorted(cat.forms[COPY_ID]) == ["2023.1", "2023.2"]
    assert cat.get(COPY_ID).version == "2023.2"
    assert template_hash(cat.get(COPY_ID, "2023.1")) != template_hash(cat.get(COPY_ID, "2023.2"))


@pytest.mark.parametrize("unit,version", [("so-tttt", "2023.1"), ("so-noi-vu", "2023.2")])
def test_each_workbook_checked_with_its_own_version(versions, unit, version):
    registry, cat, inbox = versions
    checked = check(inbox / template_file_name(unit, COPY_ID, PERIOD), registry, cat)
    assert checked.submission.status == ACCEPTED, where(checked.issues)
    assert checked.submission.set_version == version
    assert checked.issues == [], where(checked.issues)
    assert checked.result.indicator_set is cat.get(COPY_ID, version)


def test_a_version_the_catalog_no_longer_has_is_refused(made, tmp_path):
    """A 2023.1 workbook read by a catalog holding only 2023.2."""
    root, registry, _, _, workbook = made
    v2 = original_raw()
    v2["version"] = "2023.2"
    relabel_option(v2)
    checked = check(workbook, registry, catalog_of(write_form(tmp_path, v2)))
    assert checked.submission.status == REJECTED
    assert [(i.code, i.sheet) for i in checked.issues] == [(MISMATCH, META_SHEET)]


def test_run_reads_each_workbook_with_its_own_version(versions):
    """The period holds a 2023.1 and a 2023.2 workbook of one set: `run` must read each as
    `check` does, with the version it was made from (forms/catalog.py: "a workbook is read
    with the version it was made from"); the 2023.1 workbook's option 1 is a label 2023.2 no
    longer has."""
    registry, cat, inbox = versions
    batch = run_batch(inbox, PERIOD, registry, cat, workers=1)
    assert {s.path: (s.status, s.set_version) for s in batch.submissions} == {
        template_file_name("so-tttt", COPY_ID, PERIOD): (ACCEPTED, "2023.1"),
        template_file_name("so-noi-vu", COPY_ID, PERIOD): (ACCEPTED, "2023.2"),
    }
    for path in sorted(inbox.iterdir()):
        from_check = sorted(where(check(path, registry, cat).issues))
        from_run = sorted(where([i for i in batch.issues if i.file == path.name]))
        assert from_run == from_check, (
            f"{path.name}: run says {from_run}, check says {from_check} — the batch typed it with "
            f"{batch.forms[COPY_ID].form.version}")
