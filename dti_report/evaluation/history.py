"""A period compared with an earlier one: per unit the previous total and rank and the
change ("↑2 bậc", "↓1 bậc", "không đổi", "mới"), per main index the change in points.

When the set's version changed between the periods, only the criteria that kept
their id and their maximum are compared: both periods' totals, main-index
points and ranks are taken over those criteria alone, and the criteria left out
are listed with why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dti_report.evaluation.engine import rank_desc

NEW = "mới"


def same_grain(a: str, b: str) -> bool:
    """Two periods of the same kind: years, quarters or months."""
    return len(a) == len(b) and ("Q" in a) == ("Q" in b)


def previous_period(period: str, stored: list[str]) -> str | None:
    """The latest stored period of the same kind before `period`."""
    earlier = [p for p in stored if same_grain(p, period) and p < period]
    return max(earlier) if earlier else None


def rank_change_text(rank: int | None, previous: int | None) -> str:
    if previous is None:
        return NEW
    if rank is None:
        return ""
    moved = previous - rank
    if moved > 0:
        return f"↑{moved} bậc"
    if moved < 0:
        return f"↓{-moved} bậc"
    return "không đổi"


@dataclass
class Comparison:
    period: str
    previous: str
    units: pd.DataFrame      # unit_code, total, rank, previous_total, previous_rank, delta, rank_change, change
    indices: pd.DataFrame    # unit_code, index, points, previous_points, delta
    compared: int            # criteria compared
    criteria: int            # criteria of the current version
    not_compared: list[dict] = field(default_factory=list)   # id, why

    @property
    def whole(self) -> bool:
        return not self.not_compared


def criteria_changes(current: dict[str, float], previous: dict[str, float]) -> tuple[list[str], list[dict]]:
    """The criteria both versions share with the same maximum, and each other one with why."""
    kept, left = [], []
    for cid, points in current.items():
        if cid not in previous:
            left.append({"id": cid, "why": "tiêu chí mới, kỳ trước không có"})
        elif abs(previous[cid] - points) > 1e-9:
            left.append({"id": cid, "why": f"điểm tối đa đổi từ {previous[cid]:g} thành {points:g}"})
        else:
            kept.append(cid)
    left += [{"id": cid, "why": "kỳ này không còn tiêu chí này"} for cid in previous if cid not in current]
    return kept, left


def _over(scores: pd.DataFrame, criteria: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Totals and main-index points over the given criteria only, ranked."""
    part = scores[scores["criterion"].isin(criteria)]
    by_index = (part.groupby(["unit_code", "index"])["verified_score"].sum(min_count=0).round(6)
                .reset_index().rename(columns={"verified_score": "points"}))
    totals = by_index.groupby("unit_code")["points"].sum().round(6).rename("total").reset_index()
    totals["rank"] = rank_desc(totals["total"]).astype(int)
    return totals, by_index


def compare(scores: pd.DataFrame, totals: pd.DataFrame, criteria: dict[str, float], period: str,
            previous_scores: pd.DataFrame, previous_totals: pd.DataFrame, previous_criteria: dict[str, float],
            previous: str) -> Comparison:
    """`scores`/`totals` as scores.csv and totals.csv; `criteria`: criterion id -> maximum."""
    kept, left = criteria_changes(criteria, previous_criteria)
    now_totals, now_index = _over(scores, kept)
    then_totals, then_index = _over(previous_scores, kept)
    if not left:  # the same criteria: the totals and ranks as published
        now_totals = totals[["unit_code", "total", "rank"]].copy()
        then_totals = previous_totals[["unit_code", "total", "rank"]].copy()
    units = now_totals.merge(then_totals.rename(columns={"total": "previous_total", "rank": "previous_rank"}),
                             on="unit_code", how="left")
    order = {code: n for n, code in enumerate(totals["unit_code"])}
    units = units.sort_values("unit_code", key=lambda s: s.map(order)).reset_index(drop=True)
    units["rank"] = units["rank"].astype(int)
    units["previous_rank"] = units["previous_rank"].astype("Int64")
    units["delta"] = (units["total"] - units["previous_total"]).round(6)
    units["rank_change"] = (units["previous_rank"] - units["rank"]).astype("Int64")
    units["change"] = [rank_change_text(r, None if pd.isna(p) else int(p))
                       for r, p in zip(units["rank"], units["previous_rank"])]
    indices = now_index.merge(then_index.rename(columns={"points": "previous_points"}), on=["unit_code", "index"],
                              how="left")
    indices["delta"] = (indices["points"] - indices["previous_points"]).round(6)
    return Comparison(period, previous, units, indices, len(kept), len(criteria), left)


def trend(stored: pd.DataFrame, period: str, totals: pd.DataFrame, version: str) -> pd.DataFrame:
    """Each unit's total and rank in every stored period of the same kind, this one included:
    period, unit_code, total, rank, set_version."""
    earlier = stored[stored["period"].map(lambda p: same_grain(p, period) and p < period).astype(bool)]
    now = pd.DataFrame({"period": period, "unit_code": totals["unit_code"], "total": totals["total"],
                        "rank": totals["rank"], "set_version": version})
    frame = pd.concat([earlier[["period", "unit_code", "total", "rank", "set_version"]], now], ignore_index=True)
    frame["rank"] = frame["rank"].astype(int)
    return frame.sort_values(["period", "rank", "unit_code"], kind="stable").reset_index(drop=True)
