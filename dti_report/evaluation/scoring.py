"""The scoring job: a long-format data file (and optionally Sở TTTT's
overrides) in, scores and totals out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dti_report.core.files import write_csv
from dti_report.core.issues import issues_frame
from dti_report.evaluation.engine import Result, score_self_and_verified
from dti_report.evaluation.unit_values import apply_overrides, check_rows, type_rows, type_values
from dti_report.forms.indicators import IndicatorSet
from dti_report.workbook.longfile import OVERRIDE_COLUMNS, read_long_file


def score_long_files(indicator_set: IndicatorSet, data_path: Path | str, overrides_path: Path | str | None = None) -> Result:
    rows = read_long_file(data_path)
    overrides = read_long_file(overrides_path, OVERRIDE_COLUMNS) if overrides_path is not None else None
    return score_rows(indicator_set, rows, overrides)


def score_rows(indicator_set: IndicatorSet, rows: pd.DataFrame, overrides: pd.DataFrame | None = None,
               period: str | None = None) -> Result:
    """Score raw long rows (as `read_long_file` or the workbook reader give them) for
    self-assessment and, with Sở TTTT's overrides, for the verified result."""
    units = sorted(rows["unit_code"][rows["unit_code"] != ""].unique())
    self_data = type_rows(indicator_set, rows, units, period)
    return score_typed(indicator_set, self_data, rows, overrides, period)


def score_typed(indicator_set: IndicatorSet, self_data, rows: pd.DataFrame | None,
                overrides: pd.DataFrame | None = None, period: str | None = None) -> Result:
    """Score values already typed; the overrides replace their rows in a second, verified typing
    (`rows`, the raw rows typed, are needed only then)."""
    verified_data = self_data
    reasons: dict[tuple[str, str], list[str]] = {}
    if overrides is not None:
        checked, _ = check_rows(indicator_set, rows)
        overrides, override_row_issues = check_rows(indicator_set, overrides)
        merged, override_issues = apply_overrides(checked, overrides)
        # A field row a workbook lacks stays unusable in the verified data unless Sở TTTT gives its value.
        expected = None if self_data.expected is None else {
            unit: fields - set(overrides["field"][overrides["unit_code"] == unit])
            for unit, fields in self_data.expected.items()}
        verified_data = type_values(indicator_set, merged, self_data.units, period, expected)
        verified_data.issues = override_row_issues + override_issues + verified_data.issues
        reasons = override_reasons(indicator_set, overrides, set(self_data.units))
    result = score_self_and_verified(indicator_set, self_data, verified_data)
    # Why Sở TTTT changed what a unit reported, beside the criterion it changed: the scorecard
    # and the unit's feedback print it (QĐ 79 II.3: the verified result replaces the self-assessment).
    if reasons:
        keys = zip(result.scores["unit_code"].tolist(), result.scores["criterion"].tolist())
        result.scores["reason"] = ["; ".join(reasons.get(key, [])) for key in keys]
    else:  # no adjustment gave a reason: half a million rows need no lookup
        result.scores["reason"] = ""
    return result


def override_reasons(indicator_set: IndicatorSet, overrides: pd.DataFrame, units: set[str]) -> dict[tuple[str, str], list[str]]:
    """(unit, criterion) -> the reasons of the adjustments applied to its fields, as apply_overrides
    keeps them (a reason given, a unit with data of its own)."""
    item_of = indicator_set.item_of_field
    out: dict[tuple[str, str], list[str]] = {}
    for unit, field_id, reason in zip(overrides["unit_code"], overrides["field"], overrides.get("reason", [])):
        reason = str(reason or "").strip()
        criterion = item_of.get(field_id)
        if reason and unit in units and criterion is not None:
            mine = out.setdefault((unit, criterion), [])
            if reason not in mine:
                mine.append(reason)
    return out



def write_result(result: Result, out_dir: Path | str) -> list[Path]:
    out_dir = Path(out_dir)
    return [
        write_csv(result.scores, out_dir / "scores.csv"),
        write_csv(result.totals, out_dir / "totals.csv"),
        write_csv(issues_frame(result.issues), out_dir / "issues.csv"),
    ]
