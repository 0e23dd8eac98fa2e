"""A small inbox of hcm-dti-so workbooks run again and again: what the tests of documents
taken from the previous run (feedback workbooks, scorecards) share."""

import shutil
from pathlib import Path

import pandas as pd

from dti_report.forms.units import builtin_registry
from dti_report.kinds import catalog
from dti_report.pipeline import run_period
from dti_report.reports.settings import load_settings

SET = "hcm-dti-so"
SAMPLES = Path(__file__).resolve().parents[1] / "input_samples" / "bieu-mau-2023" / "so-nganh"
# The last unit's 5.1.a (38 systems) is the highest: it moves the Min-Max points of the units
# before it, except the lowest's (so-gtvt, 1 system: 0 points either way).
UNITS = ["so-gtvt", "bql-attp", "so-tttt", "hepza"]


def inbox(tmp_path: Path, units: list[str]) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir(exist_ok=True)
    for code in units:
        shutil.copy(SAMPLES / f"{code}_{SET}_2023.xlsx", folder)
    return folder


def run(inputs: Path, out: Path, final: bool = False):
    return run_period(inputs, out, "2023", builtin_registry(), catalog(), load_settings(), workers=1, final=final)


def scores_by_unit(out: Path) -> dict[str, list]:
    scores = pd.read_csv(out / SET / "scores.csv", dtype=str, keep_default_na=False).sort_values(
        ["unit_code", "criterion"])
    return {u: rows.drop(columns="unit_code").values.tolist() for u, rows in scores.groupby("unit_code")}


def a_new_unit_moving_min_max(tmp_path: Path, made: set[str]) -> tuple[Path, Path]:
    """Three units run, then the fourth arrives and the run is made again: the documents
    `made` (the units whose document was written, not taken) are exactly the new unit's and
    those whose Min-Max points it moved. Returns that run's folder and a first run's over the
    same four files."""
    folder, out = inbox(tmp_path, UNITS[:3]), tmp_path / "ket-qua"
    run(folder, out)
    before = scores_by_unit(out)
    made.clear()
    inbox(tmp_path, UNITS[3:])
    run(folder, out)
    after = scores_by_unit(out)
    moved = {u for u in UNITS[:3] if after[u] != before[u]}
    assert moved == {"bql-attp", "so-tttt"}
    assert made == {UNITS[3]} | moved
    cold = tmp_path / "lan-dau"
    run(folder, cold)
    return out, cold
