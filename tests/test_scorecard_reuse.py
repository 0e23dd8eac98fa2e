"""Scorecards while files arrive: provisional results give no rank (every new unit moves every
rank), so a rerun takes the previous run's scorecard of each unit whose own points did not
change; official results (run --final) give each unit's rank."""

from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from dti_report.core import kept_outputs
from dti_report.forms.units import builtin_registry
from dti_report.kinds import catalog
from dti_report.pipeline import run_period
from dti_report.reports import rendering
from dti_report.reports.settings import load_settings

from reuse_helpers import SET, UNITS, a_new_unit_moving_min_max, inbox, run


@pytest.fixture
def rendered(monkeypatch) -> set[str]:
    """The units whose scorecard was rendered (not taken from the previous run)."""
    units: set[str] = set()
    real = rendering._render_scorecards

    def counting(template, day, author, items):
        units.update(context["unit_code"] for context, *_ in items)
        return real(template, day, author, items)

    monkeypatch.setattr(rendering, "_render_scorecards", counting)
    return units


def scorecards(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (out / rendering.SCORECARD_DIR).iterdir()}


def text_of(out: Path, unit: str) -> str:
    doc = Document(out / rendering.SCORECARD_DIR / rendering.scorecard_file_name(unit, SET))
    return "\n".join(p.text for p in doc.paragraphs)


def test_provisional_scorecards_give_no_rank_and_official_ones_do(tmp_path):
    folder = inbox(tmp_path, UNITS)
    provisional, official = tmp_path / "tam-tinh", tmp_path / "chinh-thuc"
    run(folder, provisional)
    run(folder, official, final=True)
    totals = pd.read_csv(official / SET / "totals.csv", dtype={"rank": int, "self_rank": int}).set_index("unit_code")
    for unit in UNITS:
        text = text_of(provisional, unit)
        assert "Đây là kết quả tạm tính; thứ hạng được công bố cùng kết quả chính thức." in text
        assert "hạng" not in text.replace("thứ hạng được công bố", "")
        text = text_of(official, unit)
        assert f"xếp hạng {totals.loc[unit, 'rank']}/{len(UNITS)} đơn vị." in text
        assert f"(hạng {totals.loc[unit, 'self_rank']})" in text
        assert "tạm tính" not in text


def test_a_rerun_over_the_same_files_renders_no_scorecard(tmp_path, rendered):
    folder, out = inbox(tmp_path, UNITS), tmp_path / "ket-qua"
    run(folder, out)
    assert rendered == set(UNITS)
    first, index = scorecards(out), (out / rendering.SCORECARD_INDEX).read_bytes()
    rendered.clear()
    run(folder, out)
    assert rendered == set()
    assert scorecards(out) == first
    assert (out / rendering.SCORECARD_INDEX).read_bytes() == index


def test_a_new_unit_renders_again_only_the_scorecards_whose_points_moved(tmp_path, rendered):
    """hcm-dti-so scores three criteria across units (Min-Max): a new unit can move the others'
    points. Exactly those scorecards are rendered again, with the new unit's, and the folder
    holds what a first run over the same files writes."""
    out, cold = a_new_unit_moving_min_max(tmp_path, rendered)
    assert scorecards(out) == scorecards(cold)
    assert (out / rendering.SCORECARD_INDEX).read_bytes() == (cold / rendering.SCORECARD_INDEX).read_bytes()


def test_official_results_render_every_scorecard_again(tmp_path, rendered):
    """Every unit's rank is out of all units: on official results a new unit changes them all."""
    folder, out = inbox(tmp_path, UNITS[:3]), tmp_path / "ket-qua"
    run(folder, out, final=True)
    rendered.clear()
    inbox(tmp_path, UNITS[3:])
    run(folder, out, final=True)
    assert rendered == set(UNITS)


def test_a_scorecard_changed_since_it_was_written_is_rendered_again(tmp_path, rendered, monkeypatch):
    folder, out = inbox(tmp_path, UNITS[:2]), tmp_path / "ket-qua"
    run(folder, out)
    kept = out / rendering.SCORECARD_DIR / rendering.scorecard_file_name(UNITS[0], SET)
    original = kept.read_bytes()
    kept.write_bytes(original[:-10] + b"0" * 10)  # saved over by someone, or damaged
    rendered.clear()
    monkeypatch.setattr(kept_outputs.os, "link", lambda source, target: (_ for _ in ()).throw(PermissionError(1, "")))
    run(folder, out)
    assert rendered == {UNITS[0]}
    assert kept.read_bytes() == original
    assert all(p.stat().st_nlink == 1 for p in (out / rendering.SCORECARD_DIR).iterdir())  # copied, not linked


@pytest.mark.parametrize("index", ["", "file,made_from\nx,y\n", "\x00\x01 not a table"])
def test_an_unreadable_index_only_means_rendering_every_scorecard(tmp_path, rendered, index):
    folder, out = inbox(tmp_path, UNITS[:2]), tmp_path / "ket-qua"
    run(folder, out)
    first = scorecards(out)
    (out / rendering.SCORECARD_INDEX).write_text(index, encoding="utf-8")
    rendered.clear()
    run(folder, out)
    assert rendered == set(UNITS[:2])
    assert scorecards(out) == first


def test_what_every_scorecard_shares_changed_renders_every_scorecard(tmp_path, rendered):
    """The parent agency renamed in the report settings: no unit's points moved, yet every
    scorecard's header did."""
    folder, out = inbox(tmp_path, UNITS), tmp_path / "ket-qua"
    run(folder, out)
    rendered.clear()
    renamed = load_settings().model_copy(update={"parent_agency": ("ỦY BAN NHÂN DÂN TỈNH THỬ",)})
    run_period(folder, out, "2023", builtin_registry(), catalog(), renamed, workers=1)
    assert rendered == set(UNITS)
    assert "ỦY BAN NHÂN DÂN TỈNH THỬ" in "\n".join(
        p.text for t in Document(out / rendering.SCORECARD_DIR / rendering.scorecard_file_name(UNITS[0], SET)).tables
        for row in t.rows for cell in row.cells for p in cell.paragraphs)
