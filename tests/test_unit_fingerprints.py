"""A rerun takes a unit's scorecard or feedback workbook from the previous run when its
fingerprint is the same: the digest of the rows the document is read from, made for every
unit at once without making the document's facts. A fingerprint that missed something a
document shows would leave a stale document of record, so here each thing a scorecard or a
feedback workbook shows is changed for one unit: every unit whose document changes has a new
fingerprint. What a document does not show (a provisional rank) leaves it the same."""

import copy
import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from dti_report.batch.history_files import SetHistory
from dti_report.batch.results import load_results
from dti_report.core.issues import Issue
from dti_report.forms.units import builtin_registry
from dti_report.kinds import catalog
from dti_report.pipeline import run_batch
from dti_report.reports.feedback import feedback_fingerprints, feedback_payloads
from dti_report.reports.scorecard_context import ScorecardFacts
from dti_report.reports.settings import load_settings

from reuse_helpers import SET, UNITS, inbox, run

DAY = dt.date(2024, 1, 15)
PREFIX = b"code and template"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("fingerprints")
    files = inbox(tmp, UNITS)
    run(files, tmp / "ket-qua")
    return tmp


# --- scorecards ----------------------------------------------------------------------------

def with_history(results):
    """The results as a workspace's run gives them: each unit's previous total, rank and change,
    its change per main index, and Sở TTTT's reasons for adjusted criteria."""
    units = results.sets[SET].totals["unit_code"].tolist()
    indices = [i.id for i in results.catalog.get(SET).indices]
    results.history.sets[SET] = SetHistory(
        "2022",
        pd.DataFrame({"unit_code": units, "previous_total": [200.0 + k for k in range(len(units))],
                      "previous_rank": [float(k + 1) for k in range(len(units))],
                      "delta": [1.5 * k for k in range(len(units))],
                      "change": ["↑1", "↓1", "mới", "="][:len(units)]}),
        pd.DataFrame([(u, i, 0.5) for u in units for i in indices], columns=["unit_code", "index", "delta"]),
        pd.DataFrame())
    results.history.adjustments = pd.DataFrame({"unit_code": [units[0]], "criterion": ["1.1"],
                                                "reason": ["Minh chứng chưa đủ"]})
    return results


@pytest.fixture(scope="module")
def base(folder):
    return with_history(load_results(folder / "ket-qua", catalog()))


def scorecards(results) -> tuple[dict, dict]:
    """Each unit's scorecard context and fingerprint."""
    maker = ScorecardFacts(results, SET, load_settings(), DAY)
    contexts = {code: maker.context(facts) for code, facts in maker.units()}
    return contexts, maker.fingerprints(PREFIX)


def changed(results, change) -> object:
    results = copy.deepcopy(results)
    change(results)
    return results


def set_cell(frame: pd.DataFrame, row: int, column: str, value) -> None:
    if isinstance(value, str) or frame[column].dtype == object:
        frame[column] = frame[column].astype(object)
    frame.loc[frame.index[row], column] = value


def totals(r):
    return r.sets[SET].totals


def scores(r):
    return r.sets[SET].scores


def rebuilt(registry, **fields):
    """The registry made again with other units or levels (a copy would keep its index by code)."""
    return type(registry)(**{**dict(registry), **fields})


def renamed(r, code: str, **fields):
    r.registry = rebuilt(r.registry, units=tuple(u.model_copy(update=fields) if u.code == code else u
                                                 for u in r.registry.units))


def level_addressed(r, template: str):
    level_of = {u.code: u.level for u in r.registry.units}[UNITS[0]]
    levels = tuple(lv.model_copy(update={"recipient": template}) if lv.id == level_of else lv
                   for lv in r.registry.levels)
    r.registry = rebuilt(r.registry, levels=levels)


def previous_of(r):
    return r.history.sets[SET].units


SCORECARD_CHANGES = {
    **{f"totals {c}": (lambda c: lambda r: set_cell(totals(r), 1, c, totals(r)[c].iloc[1] + 1.25))(c)
       for c in ["1", "2", "3", "4", "5", "6", "total", "self_total"]},
    "a score's criterion": lambda r: set_cell(scores(r), 3, "criterion", "9.9"),
    "a self score": lambda r: set_cell(scores(r), 3, "self_score", scores(r)["self_score"].iloc[3] + 0.5),
    "a verified score": lambda r: set_cell(scores(r), 3, "verified_score", scores(r)["verified_score"].iloc[3] + 0.5),
    "a status": lambda r: set_cell(scores(r), 3, "status", "invalid"),
    "a reason": lambda r: set_cell(scores(r), 3, "reason", "Thiếu minh chứng"),
    "a unit's name": lambda r: renamed(r, UNITS[0], name="Sở Giao thông công chính"),
    "a unit's recipient": lambda r: renamed(r, UNITS[0], recipient="Giám đốc Sở Giao thông vận tải"),
    "a level's recipient": lambda r: level_addressed(r, "Thủ trưởng {name}"),
    "a previous total": lambda r: set_cell(previous_of(r), 0, "previous_total", 150.0),
    "a previous rank": lambda r: set_cell(previous_of(r), 0, "previous_rank", 9.0),
    "a previous delta": lambda r: set_cell(previous_of(r), 0, "delta", -3.0),
    "a unit new since": lambda r: set_cell(previous_of(r), 0, "change", "mới"),
    "an index's change": lambda r: set_cell(r.history.sets[SET].indices, 0, "delta", 2.0),
    "an adjustment's reason": lambda r: set_cell(r.history.adjustments, 0, "reason", "Số liệu chưa khớp"),
    "the previous period": lambda r: setattr(r.history.sets[SET], "previous", "2021"),
    "official results": lambda r: setattr(r, "final", True),
}


@pytest.mark.parametrize("name", list(SCORECARD_CHANGES))
def test_every_scorecard_that_changes_has_a_new_fingerprint(base, name):
    contexts, prints = scorecards(base)
    after_contexts, after_prints = scorecards(changed(base, SCORECARD_CHANGES[name]))
    moved = {code for code in contexts if after_contexts.get(code) != contexts[code]}
    assert moved, "the change shows in no scorecard: it tests nothing"
    assert {code for code in moved if after_prints.get(code) == prints[code]} == set()


def test_provisional_ranks_and_rank_changes_leave_every_fingerprint_the_same(base):
    """While files arrive, each new unit moves every rank: provisional scorecards show none."""
    def reranked(r):
        totals(r)["rank"] = totals(r)["rank"].iloc[::-1].to_numpy()
        totals(r)["self_rank"] = totals(r)["self_rank"].iloc[::-1].to_numpy()
        set_cell(previous_of(r), 0, "change", "↓3")
    contexts, prints = scorecards(base)
    after_contexts, after_prints = scorecards(changed(base, reranked))
    assert after_contexts == contexts
    assert after_prints == prints


def test_official_ranks_give_new_fingerprints(base):
    official = changed(base, lambda r: setattr(r, "final", True))
    _, prints = scorecards(official)
    _, after = scorecards(changed(official, lambda r: set_cell(totals(r), 0, "rank", 4)))
    unit = totals(official)["unit_code"].iloc[0]
    assert after[unit] != prints[unit]
    assert {u for u in prints if after[u] != prints[u]} == {unit}


# --- feedback workbooks -------------------------------------------------------------------

@pytest.fixture(scope="module")
def batch(folder):
    return run_batch(folder / "inbox", "2023", builtin_registry(), catalog(), workers=1)


def feedback(batch) -> tuple[dict, dict]:
    """Each unit's payload (an issue without its technical text, which a unit never sees) and
    fingerprint."""
    issues = [dataclasses.replace(i, technical="") for i in batch.issues]
    payloads = {p.unit_code: p for p in feedback_payloads(batch, issues)}
    return payloads, feedback_fingerprints(batch, issues)


def result(b):
    return b.results[SET]


def submission(b, unit: str, **fields):
    b.submissions = [dataclasses.replace(s, **fields) if s.unit_code == unit else s for s in b.submissions]


def file_of(b, unit: str) -> str:
    return next(s.path for s in b.submissions if s.unit_code == unit)


def issue_changed(b, **fields):
    k = next(k for k, i in enumerate(b.issues) if i.file == file_of(b, UNITS[1]))
    b.issues[k] = dataclasses.replace(b.issues[k], **fields)


FEEDBACK_CHANGES = {
    "a score's criterion": lambda b: set_cell(result(b).scores, 3, "criterion", "9.9"),
    "a self score": lambda b: set_cell(result(b).scores, 3, "self_score", result(b).scores["self_score"].iloc[3] + 1),
    "a verified score": lambda b: set_cell(result(b).scores, 3, "verified_score", 0.25),
    "a status": lambda b: set_cell(result(b).scores, 3, "status", "invalid"),
    "a reason": lambda b: set_cell(result(b).scores, 3, "reason", "Thiếu minh chứng"),
    "a total": lambda b: set_cell(result(b).totals, 1, "total", 1.5),
    "a self total": lambda b: set_cell(result(b).totals, 1, "self_total", 1.5),
    "a file's path": lambda b: submission(b, UNITS[1], path="khac.xlsx"),
    "a file's status": lambda b: submission(b, UNITS[1], status="superseded"),
    "a file's content": lambda b: submission(b, UNITS[1], sha256="0" * 64),
    "a file's rows, without its content's digest": lambda b: (
        submission(b, UNITS[1], sha256=""),
        submission(b, UNITS[2], sha256="", packed_rows=next(s.packed_rows for s in b.submissions
                                                            if s.unit_code == UNITS[1]))),
    "a new issue": lambda b: b.issues.append(Issue("blank-field", file=file_of(b, UNITS[2]), field="1.1.a")),
    "an issue's cell": lambda b: issue_changed(b, cell="Z99"),
    "an issue's value": lambda b: issue_changed(b, value="abc"),
    "an issue's detail": lambda b: issue_changed(b, detail="khác"),
    "an issue's code": lambda b: issue_changed(b, code="not-a-number"),
    "a unit's name": lambda b: renamed(b, UNITS[1], name="Ban Quản lý An toàn thực phẩm mới"),
}


@pytest.mark.parametrize("name", list(FEEDBACK_CHANGES))
def test_every_feedback_workbook_that_changes_has_a_new_fingerprint(batch, name):
    payloads, prints = feedback(batch)
    after_payloads, after_prints = feedback(changed(batch, FEEDBACK_CHANGES[name]))
    moved = {code for code in payloads if repr(after_payloads.get(code)) != repr(payloads[code])}
    assert moved, "the change shows in no workbook: it tests nothing"
    assert {code for code in moved if after_prints.get(code) == prints[code]} == set()


def test_a_feedback_fingerprint_is_each_units_own(batch):
    """One unit's change leaves the others' workbooks, and fingerprints, as they were."""
    _, prints = feedback(batch)
    _, after = feedback(changed(batch, FEEDBACK_CHANGES["a verified score"]))
    unit = result(batch).scores["unit_code"].iloc[3]
    assert {u for u in prints if after[u] != prints[u]} == {unit}
