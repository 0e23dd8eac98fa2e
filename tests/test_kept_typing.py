"""A workspace rerun types again only the groups of units whose rows changed; the rest come
back from the user's cache, and the results are those of typing everything."""

import os
import time
import zlib

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dti_report.batch import kept_typing, run as batch_run
from dti_report.batch.kept_typing import KeptTyping, unit_groups
from workspace_helpers import drop, make_workspace, run, sample

PERIOD = "2023"
UNITS = ["so-gtvt", "bql-attp", "so-tttt", "hepza", "so-y-te", "so-khcn"]
SIZE = 2  # units per group, on average: six units make several groups


def cut_here(unit: str, size: int) -> bool:
    return zlib.crc32(unit.encode()) % size == 0


codes = st.lists(st.text("abcdefgh-", min_size=1, max_size=6), unique=True, max_size=40).map(sorted)


@settings(max_examples=200, deadline=None)
@given(codes, st.integers(2, 6))
def test_groups_end_where_a_code_says_or_at_three_times_the_size(units, size):
    groups = unit_groups(units, size)
    assert [u for g in groups for u in g] == units
    for group in groups[:-1]:
        assert cut_here(group[-1], size) or len(group) == 3 * size
        assert all(not cut_here(u, size) for u in group[:-1])
    assert all(len(g) <= 3 * size for g in groups)


@settings(max_examples=200, deadline=None)
@given(codes, st.text("abcdefgh-", min_size=1, max_size=6), st.integers(4, 8))
def test_a_new_unit_changes_only_the_group_it_falls_in(units, new, size):
    if new in units or len(units) >= 2 * size:  # no stretch long enough to be cut by its length
        return
    before = unit_groups(units, size)
    after = unit_groups(sorted(units + [new]), size)
    # The group the new unit lands in (the first to end after it) is the only one made anew,
    # in one piece or in two when the new unit ends a group.
    landing = next((g for g in before if g[-1] > new), before[-1] if before else [])
    typed_again = {u for g in after if g not in before for u in g}
    assert new in typed_again and typed_again <= set(landing) | {new}


@pytest.fixture
def typed_units(monkeypatch):
    """The units typed in each run (not taken back), in six units' small groups."""
    monkeypatch.setattr(kept_typing, "GROUP_SIZE", SIZE)
    typed: list[str] = []
    real = batch_run.type_rows

    def spy(form, rows, units=None, *args, **kwargs):
        typed.extend(units)
        return real(form, rows, units, *args, **kwargs)

    monkeypatch.setattr(batch_run, "type_rows", spy)
    return typed


def results(ws) -> dict[str, list]:
    out = ws.results(PERIOD)
    return {name: pd.read_csv(out / name, dtype=str, keep_default_na=False).values.tolist()
            for name in ("hcm-dti-so/scores.csv", "hcm-dti-so/totals.csv", "issues.csv", "ghi-chu.csv")}


def group_of(unit: str, units: list[str]) -> set[str]:
    return next(set(g) for g in unit_groups(sorted(units), SIZE) if unit in g)


def test_a_rerun_types_only_the_group_a_new_unit_falls_in(tmp_path, typed_units, monkeypatch):
    ws = make_workspace(tmp_path)
    drop(ws, PERIOD, [sample(u) for u in UNITS[:5]])
    run(ws, PERIOD)
    assert sorted(typed_units) == sorted(UNITS[:5])
    typed_units.clear()
    run(ws, PERIOD)
    assert typed_units == []
    drop(ws, PERIOD, [sample(UNITS[5])])
    run(ws, PERIOD)
    assert set(typed_units) == group_of(UNITS[5], UNITS) and len(typed_units) < len(UNITS)
    # The same as typing every unit: a workspace whose cache is off.
    monkeypatch.setenv("DTI_REPORT_CACHE", "")
    fresh = make_workspace(tmp_path, "lan-dau")
    drop(fresh, PERIOD, [sample(u) for u in UNITS])
    typed_units.clear()
    run(fresh, PERIOD)
    assert sorted(typed_units) == sorted(UNITS)
    assert results(ws) == results(fresh)


def test_a_corrected_workbook_is_typed_again(tmp_path, typed_units):
    ws = make_workspace(tmp_path)
    drop(ws, PERIOD, [sample(u) for u in UNITS])
    run(ws, PERIOD)
    path = ws.inbox(PERIOD) / sample("hepza").name
    book = openpyxl.load_workbook(path)
    sheet = book["Nhập liệu"]
    # 5.1.a, the row under criterion 5.1: hepza's 38 systems, the most of all, become 1, the fewest.
    heading = next(row[0].row for row in sheet.iter_rows(min_row=2) if row[0].value == "5.1")
    assert sheet.cell(heading + 1, 5).value == 38
    sheet.cell(heading + 1, 5).value = 1
    book.save(path)
    points = lambda: pd.read_csv(ws.results(PERIOD) / "hcm-dti-so" / "scores.csv", dtype=str).query(  # noqa: E731
        "unit_code == 'hepza' and criterion == '5.1'")["verified_score"].tolist()
    assert points() == ["10.0"]
    typed_units.clear()
    run(ws, PERIOD)
    assert set(typed_units) == group_of("hepza", UNITS)
    assert points() == ["0.0"]


def test_kept_groups_damaged_or_gone_are_typed_again_and_the_folder_keeps_only_the_last_run(tmp_path, typed_units):
    ws = make_workspace(tmp_path)
    drop(ws, PERIOD, [sample(u) for u in UNITS])
    run(ws, PERIOD)
    first = results(ws)
    folder = KeptTyping.for_period(ws.store_path, PERIOD).folder
    kept = sorted(folder.iterdir())
    assert len(kept) == len(unit_groups(sorted(UNITS), SIZE))
    kept[0].write_bytes(b"not a pickle")
    kept[1].unlink()
    (folder / "left-by-an-older-run").write_bytes(b"")
    typed_units.clear()
    run(ws, PERIOD)
    assert 0 < len(typed_units) < len(UNITS)
    assert results(ws) == first
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in kept)


def test_a_run_removes_the_folders_of_periods_not_run_for_long(tmp_path, typed_units):
    ws = make_workspace(tmp_path)
    drop(ws, PERIOD, [sample(u) for u in UNITS[:2]])
    folder = KeptTyping.for_period(ws.store_path, PERIOD).folder
    old, recent = folder.parent / "old", folder.parent / "recent"
    for other, age in ((old, kept_typing.STALE_SECONDS + 3600), (recent, kept_typing.STALE_SECONDS - 3600)):
        (other / "group").parent.mkdir(parents=True)
        (other / "group").write_bytes(b"")
        moment = time.time() - age
        os.utime(other, (moment, moment))
    run(ws, PERIOD)
    assert not old.exists() and recent.exists() and folder.exists()
