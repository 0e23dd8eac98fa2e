"""A rerun copies each unit's feedback workbook made from the same files, points and issues
from the previous run instead of writing it again: byte for byte what writing it again gives."""

from pathlib import Path

import pytest

from dti_report.core import kept_outputs
from dti_report.reports import feedback

from reuse_helpers import UNITS, a_new_unit_moving_min_max, inbox, run


@pytest.fixture
def written(monkeypatch) -> set[str]:
    """The units whose feedback workbook was written (not copied)."""
    units: set[str] = set()
    real = feedback.write_feedback_workbook

    def counting(payload, target):
        units.add(payload.unit_code)
        return real(payload, target)

    monkeypatch.setattr(feedback, "write_feedback_workbook", counting)
    return units


def same_feedback(a: Path, b: Path) -> None:
    names = sorted(p.name for p in (a / "phan-hoi").iterdir())
    assert names == sorted(p.name for p in (b / "phan-hoi").iterdir())
    for name in names:
        assert (a / "phan-hoi" / name).read_bytes() == (b / "phan-hoi" / name).read_bytes(), name
    assert (a / feedback.FEEDBACK_INDEX).read_bytes() == (b / feedback.FEEDBACK_INDEX).read_bytes()


def test_a_rerun_over_the_same_files_writes_no_feedback_workbook(tmp_path, written):
    folder, out = inbox(tmp_path, UNITS), tmp_path / "ket-qua"
    run(folder, out)
    assert written == set(UNITS)
    first = {p.name: p.read_bytes() for p in (out / "phan-hoi").iterdir()}
    written.clear()
    run(folder, out)
    assert written == set()
    assert {p.name: p.read_bytes() for p in (out / "phan-hoi").iterdir()} == first


def test_a_workbook_is_copied_where_the_file_system_cannot_link(tmp_path, written, monkeypatch):
    folder, out = inbox(tmp_path, UNITS), tmp_path / "ket-qua"
    run(folder, out)
    first = {p.name: p.read_bytes() for p in (out / "phan-hoi").iterdir()}
    written.clear()

    def refuse(source, target):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(kept_outputs.os, "link", refuse)
    run(folder, out)
    assert written == set()
    kept = {p.name: p for p in (out / "phan-hoi").iterdir()}
    assert {name: p.read_bytes() for name, p in kept.items()} == first
    assert all(p.stat().st_nlink == 1 for p in kept.values())


def test_a_new_unit_rewrites_only_the_workbooks_whose_points_moved(tmp_path, written):
    """A new unit can move the others' min-max points (hcm-dti-so scores three criteria across
    units): exactly those units' workbooks are written again, with the new unit's; the rest are
    copied, and the folder holds what a first run over the same files writes."""
    out, cold = a_new_unit_moving_min_max(tmp_path, written)
    same_feedback(out, cold)


def test_a_workbook_changed_since_it_was_written_is_written_again(tmp_path, written):
    folder, out = inbox(tmp_path, UNITS[:2]), tmp_path / "ket-qua"
    run(folder, out)
    kept = out / "phan-hoi" / f"{UNITS[0]}.xlsx"
    original = kept.read_bytes()
    kept.write_bytes(original[:-10] + b"0" * 10)  # saved over by someone, or damaged
    written.clear()
    run(folder, out)
    assert written == {UNITS[0]}
    assert kept.read_bytes() == original


@pytest.mark.parametrize("index", ["", "unit_code,file\nso-gtvt,x\n", "\x00\x01 not a table"])
def test_an_unreadable_index_only_means_writing_every_workbook(tmp_path, written, index):
    folder, out = inbox(tmp_path, UNITS[:2]), tmp_path / "ket-qua"
    run(folder, out)
    (out / feedback.FEEDBACK_INDEX).write_text(index, encoding="utf-8")
    written.clear()
    run(folder, out)
    assert written == set(UNITS[:2])
    cold = tmp_path / "lan-dau"
    run(folder, cold)
    same_feedback(out, cold)
