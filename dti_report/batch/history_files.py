"""What a run in a workspace adds to its folder from the store, so the reports (and
`report --results` later) render it without the store:

    <set>/so-sanh.csv          per unit: this period's and the previous period's total and rank, the change
    <set>/so-sanh-chi-so.csv   per unit × main index: points now and before, the change
    <set>/so-sanh.json         which periods, versions, criteria compared and those left out (with why)
    <set>/qua-cac-ky.csv       per unit × stored period: total and rank (the trend)
    thoi-han.csv               per set × awaited unit: deadline, arrival, on time / late by N days / missing
    dieu-chinh.csv             Sở TTTT's adjustments applied: unit, field, criterion, value, reason, who, when
    <plan>/tien-do-ky-truoc.csv  per task: its standing the previous stored period and now
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dti_report.batch.run import BatchResult
from dti_report.batch.store import Store
from dti_report.core.files import atomic_path, write_csv
from dti_report.evaluation.history import Comparison, compare, previous_period, trend
from dti_report.evaluation.timeliness import timeliness
from dti_report.workbook.reader import ACCEPTED, REJECTED, SUPERSEDED

COMPARISON, INDEX_COMPARISON, COMPARISON_META, TREND = "so-sanh.csv", "so-sanh-chi-so.csv", "so-sanh.json", "qua-cac-ky.csv"
TIMELINESS, ADJUSTMENTS, STANDINGS = "thoi-han.csv", "dieu-chinh.csv", "tien-do-ky-truoc.csv"
ADJUSTMENT_COLUMNS = ["unit_code", "field", "criterion", "value", "reason", "made_by", "made_at"]


@dataclass
class SetHistory:
    """One scored set's comparison with its previous stored period, and its trend."""

    previous: str | None
    units: pd.DataFrame | None
    indices: pd.DataFrame | None
    trend: pd.DataFrame
    meta: dict = field(default_factory=dict)


@dataclass
class PeriodHistory:
    sets: dict[str, SetHistory] = field(default_factory=dict)
    timeliness: pd.DataFrame | None = None
    adjustments: pd.DataFrame | None = None
    standings: dict[str, pd.DataFrame] = field(default_factory=dict)   # plan key -> task standings then and now


def comparisons(batch: BatchResult, store: Store) -> dict[str, tuple[Comparison | None, pd.DataFrame, dict]]:
    """Per scored set of the batch: its comparison with the previous stored period (None
    when there is none), its trend and what the comparison rests on."""
    out = {}
    for key, result in batch.results.items():
        iset = result.indicator_set
        stored = store.totals_of(iset.id)
        stored = stored[stored["period"] != batch.period]
        before = previous_period(batch.period, sorted(set(stored["period"])))
        meta = {"period": batch.period, "version": iset.version, "previous": before}
        comparison = None
        if before is not None:
            then_scores = store.scores_of(iset.id, before)
            then_totals = stored[stored["period"] == before]
            then_max = dict(zip(then_scores["criterion"], then_scores["max_points"]))
            now_max = {c.id: c.max_points for c in iset.criteria}
            comparison = compare(result.scores, result.totals, now_max, batch.period, then_scores, then_totals,
                                 then_max, before)
            meta.update({"previous_version": ", ".join(sorted(set(then_totals["set_version"]))),
                         "compared": comparison.compared, "criteria": comparison.criteria,
                         "not_compared": comparison.not_compared})
        out[key] = (comparison, trend(stored, batch.period, result.totals, iset.version), meta)
    return out


def unit_timeliness(batch: BatchResult, arrived: dict[str, str], deadlines: dict[str, dt.date],
                    now: dt.datetime) -> pd.DataFrame:
    """Every form of the batch: its awaited units, on time, late or missing."""
    frames = []
    newest = {fb.form.id: fb for fb in batch.forms.values()}  # a form's versions come oldest first
    for fb in newest.values():
        first: dict[str, str] = {}
        rejected: dict[str, int] = {}
        for sub in batch.submissions:
            if sub.set_id != fb.form.id:
                continue
            if sub.status in (ACCEPTED, SUPERSEDED) and sub.path in arrived:
                first[sub.unit_code] = min(first.get(sub.unit_code, arrived[sub.path]), arrived[sub.path])
            elif sub.status == REJECTED and sub.unit_code:
                rejected[sub.unit_code] = rejected.get(sub.unit_code, 0) + 1
        frames.append(timeliness(fb.form.id, [(u.code, u.name) for u in fb.expected], first, rejected,
                                 deadlines.get(fb.form.id), now))
    return pd.concat(frames, ignore_index=True) if frames else timeliness("", [], {}, {}, None, now)


def applied_adjustments(batch: BatchResult, overrides: pd.DataFrame | None) -> pd.DataFrame:
    """The adjustments the verified scores took, each with the criterion of its field."""
    if overrides is None or not len(overrides):
        return pd.DataFrame(columns=ADJUSTMENT_COLUMNS)
    criterion_of = {}
    for result in batch.results.values():
        criterion_of.update(result.indicator_set.item_of_field)
    frame = overrides[overrides["reason"].astype(str).str.strip() != ""].copy()
    frame["criterion"] = frame["field"].map(criterion_of).fillna("")
    for column in ("made_by", "made_at"):
        if column not in frame.columns:
            frame[column] = ""
    return frame[ADJUSTMENT_COLUMNS].reset_index(drop=True)


def standing_changes(batch: BatchResult, store: Store, standings: dict[str, tuple[str, list[tuple]]]) -> dict[str, pd.DataFrame]:
    """Per plan: each task's standing in the previous stored period of the same kind and now."""
    out = {}
    for key, (plan_id, rows) in standings.items():
        before = previous_period(batch.period, [p for p in store.periods(plan_id) if p != batch.period])
        if before is None:
            continue
        then = store.standings_of(plan_id, before).set_index("task_id")
        frame = pd.DataFrame([{"task": task, "previous_period": before,
                               "previous_standing": then["label"].get(task, ""), "standing": label,
                               "changed": "" if then["standing"].get(task) == standing else "có"}
                              for task, standing, label, _ in rows])
        out[key] = frame
    return out


def write_history_files(out_dir: Path, batch: BatchResult, store: Store | None, arrived: dict[str, str] | None,
                        deadlines: dict[str, dt.date], now: dt.datetime | None,
                        overrides: pd.DataFrame | None,
                        standings: dict[str, tuple[str, list[tuple]]] | None = None) -> list[Path]:
    out_dir = Path(out_dir)
    written = []
    if store is not None and standings:
        for key, frame in standing_changes(batch, store, standings).items():
            written.append(write_csv(frame, out_dir / key / STANDINGS))
    if store is not None:
        for key, (comparison, trend_frame, meta) in comparisons(batch, store).items():
            folder = out_dir / key
            if comparison is not None:
                written.append(write_csv(comparison.units, folder / COMPARISON))
                written.append(write_csv(comparison.indices, folder / INDEX_COMPARISON))
            written.append(write_csv(trend_frame, folder / TREND))
            with atomic_path(folder / COMPARISON_META) as tmp:
                tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
            written.append(folder / COMPARISON_META)
    if arrived is not None and now is not None:
        written.append(write_csv(unit_timeliness(batch, arrived, deadlines, now), out_dir / TIMELINESS))
    adjustments = applied_adjustments(batch, overrides)
    if len(adjustments):
        written.append(write_csv(adjustments, out_dir / ADJUSTMENTS))
    return written


def _read(path: Path, **kw) -> pd.DataFrame | None:
    return pd.read_csv(path, encoding="utf-8-sig", **kw) if path.is_file() else None


def load_history(out_dir: Path, set_keys) -> PeriodHistory:
    """What write_history_files left in a run folder (nothing, for a run outside a workspace)."""
    out_dir = Path(out_dir)
    history = PeriodHistory()
    text = {"unit_code": str, "index": str, "period": str, "set_version": str}
    for key in set_keys:
        folder = out_dir / key
        meta_path = folder / COMPARISON_META
        if not meta_path.is_file():
            continue
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        units = _read(folder / COMPARISON, dtype=text)
        if units is not None:
            for column in ("previous_rank", "rank_change"):
                units[column] = units[column].astype("Int64")
            units["change"] = units["change"].fillna("")
        history.sets[key] = SetHistory(meta.get("previous"), units, _read(folder / INDEX_COMPARISON, dtype=text),
                                       _read(folder / TREND, dtype=text), meta)
    history.standings = {path.parent.name: pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
                         for path in sorted(out_dir.glob(f"*/{STANDINGS}"))}
    history.timeliness = _read(out_dir / TIMELINESS, dtype=str, keep_default_na=False)
    history.adjustments = _read(out_dir / ADJUSTMENTS, dtype=str, keep_default_na=False)
    return history
