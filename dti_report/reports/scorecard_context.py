"""What each unit's scorecard says, in two steps: the unit's facts (its rows of points, its
totals, its comparison with the previous period: plain values, most of them slices of the
period's columns formatted once for every unit) and the context made from those facts and
from what every scorecard shares (`shared`: the header, the set's criteria, whether the
results are official).

A context is made only from its facts and `shared`, so the two say everything a scorecard
shows. A rerun knows a scorecard unchanged without making its facts: `fingerprints` digests,
for every unit at once, the rows its facts are read from (reports.rendering), and only the
scorecards to render again get facts and a context. Ten thousand contexts cost seconds;
their facts, about one; their fingerprints, a fraction of one.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Collection, Iterator

import numpy as np
import pandas as pd

from dti_report.batch.results import RunResults, unit_rows
from dti_report.core import formatting as fmt
from dti_report.core.kept_outputs import digest, unit_fingerprints
from dti_report.evaluation.engine import STATUS_LABELS
from dti_report.reports.context import (SAME, UNIT_SCORE_COLUMNS, SetView, header_context, registry_entries,
                                        scope_of, unit_names)
from dti_report.reports.history import comparison_context, signed
from dti_report.reports.settings import ReportSettings

# Why a verified score differs when no adjustment names the criterion: a Min-Max criterion moves
# with the other units' verified figures.
ACROSS_UNITS_REASON = ("điểm theo phương pháp Min-Max được tính lại theo số liệu đã thẩm định của các đơn vị cùng bộ "
                       "chỉ số")
ADJUSTED_REASON = "Sở Thông tin và Truyền thông điều chỉnh khi thẩm định"


def sentence(text: str) -> str:
    text = " ".join(str(text).split())
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _taken(column: list, rows: range | list[int]) -> list:
    return column[rows.start:rows.stop] if isinstance(rows, range) else [column[i] for i in rows]


class ScorecardFacts:
    """A scored set's scorecards: `units()` gives each unit's facts in ranked order, `context`
    makes a scorecard's context from them. Every column is formatted once for all units."""

    def __init__(self, results: RunResults, set_id: str, settings: ReportSettings, day: dt.date):
        view = SetView(results, set_id)
        s, totals = view.iset, view.totals
        self.final = results.final
        self.shared = {
            "common": {
                **header_context(settings, day), "set_id": set_id, "set_title": s.title, "scope": scope_of(s),
                "period": results.period, "period_text": fmt.period_words(results.period),
                "max_total": fmt.number(s.total_points),
                # Ranks only on official results: while files arrive every new unit moves them, and a
                # provisional scorecard stays the same until its own unit's points change.
                "ranked": results.final, "unit_count": len(totals) if results.final else "",
            },
            "static": {c.id: {"id": c.id, "name": c.name, "max": fmt.number(c.max_points)} for c in s.criteria},
            "indices": [(i.id, i.name, fmt.number(i.max_points), [c.id for c in i.items]) for i in s.indices],
            "label": {i.id: f"chỉ số {i.id} – {i.name}" for i in s.indices},
            "across": sorted(c.id for c in s.criteria if getattr(c.rule, "scored_across_units", False)),
            "missing": {"self": "–", "verified": "–", "status": STATUS_LABELS["no-data"], "differs": False},
        }
        self._results, self._set_id, self._view = results, set_id, view

    @cached_property
    def _history(self) -> _History:
        return _History(self._results, self._set_id)

    def fingerprints(self, prefix: bytes) -> dict[str, str]:
        """Per scored unit, in ranked order, one digest of every row its facts are read from
        (units(): its totals, its rows of points, its entry in the registry, its history) and of
        `prefix` (the code, the template, `shared`): what a rerun compares, made for every unit
        at once without making the facts. A rank counts only where it is shown."""
        results, view = self._results, self._view
        s, totals, scores = view.iset, view.totals, view.sr.scores
        ranks = ["rank", "self_rank"] if self.final else []
        history = self._history
        frames = {
            "totals": totals[["unit_code", "total", "self_total", *(i.id for i in s.indices), *ranks]],
            "scores": scores[["unit_code", *(c for c in UNIT_SCORE_COLUMNS if c in scores.columns)]],
            "registry": registry_entries(results.registry),
            **history.frames,
        }
        set_prefix = digest(prefix, [self._set_id, s.model_dump_json(), *history.shared]).encode()
        return unit_fingerprints(set_prefix, totals["unit_code"].tolist(), frames)

    def units(self, only: Collection[str] | None = None) -> Iterator[tuple[str, tuple]]:
        """(unit code, facts) of each scored unit (of those in `only`, when given), in ranked
        order, as they are asked for."""
        results, view = self._results, self._view
        s, totals = view.iset, view.totals
        names = unit_names(results)
        by_code = results.registry.by_code()
        scores = view.sr.scores
        if only is not None:  # a rerun's few: their rows alone formatted
            scores = scores[scores["unit_code"].isin(list(only))]
        self_score = scores["self_score"].to_numpy(dtype=float)
        verified = scores["verified_score"].to_numpy(dtype=float)
        # Read back from scores.csv, a column of blanks is a float column of NaN.
        reasons = ([r if isinstance(r, str) else "" for r in scores["reason"].tolist()] if "reason" in scores.columns
                   else [""] * len(scores))
        # Columns as lists: iterating a pandas column costs a call per value.
        columns = [
            scores["criterion"].tolist(),
            fmt.fixed_column(self_score, 2, blank="–"),
            fmt.fixed_column(verified, 2, blank="–"),
            fmt.relabelled(scores["status"], STATUS_LABELS).tolist(),
            (np.abs(np.nan_to_num(self_score) - np.nan_to_num(verified)) > SAME).tolist(),
            reasons,
            self_score.tolist(),
            scores["status"].tolist(),
        ]
        rows_of = unit_rows(scores["unit_code"].tolist())
        shares = view.shares()
        share_values = [shares[i.id].tolist() for i in s.indices]
        share_text = [fmt.fixed_column(values, 1, percent=True) for values in share_values]
        # Each points column formatted in one pass: ten thousand units hold few distinct texts.
        points_text = [fmt.fixed_column(totals[i.id], 2) for i in s.indices]
        total_text, self_total_text = fmt.fixed_column(totals["total"], 2), fmt.fixed_column(totals["self_total"], 2)
        shares_of_total = totals["total"] / s.total_points if s.total_points else np.zeros(len(totals))
        percent_text = fmt.fixed_column(shares_of_total, 1, percent=True)
        history = self._history
        final = self.final
        for pos, (code, rank, self_rank, total, self_total) in enumerate(zip(
                totals["unit_code"].tolist(), totals["rank"].tolist(), totals["self_rank"].tolist(),
                totals["total"].tolist(), totals["self_total"].tolist())):
            if only is not None and code not in only:
                continue
            rows = rows_of.get(code, [])
            yield code, (
                code, names.get(code, code),
                f"{results.registry.recipient_of(by_code[code])};" if code in by_code else f"{names.get(code, code)};",
                [column[pos] for column in points_text], total_text[pos], self_total_text[pos], percent_text[pos],
                str(int(rank)) if final else "", str(int(self_rank)) if final else "",
                abs(self_total - total) > SAME,
                [values[pos] for values in share_values], [texts[pos] for texts in share_text],
                [_taken(column, rows) for column in columns],
                history.of(code, s.indices),
            )

    def context(self, facts: tuple) -> dict:
        """A scorecard's context, from its facts and `shared` alone."""
        shared = self.shared
        static, label, missing = shared["static"], shared["label"], shared["missing"]
        across = set(shared["across"])
        (code, name, recipient, index_points, total, self_total, percent, rank, self_rank, self_differs,
         unit_shares, unit_share_text, rows, (previous, reasons)) = facts
        criterion_ids, self_text, verified_text, status_text, differs_of, reason_of, self_score, statuses = rows
        at = {criterion: j for j, criterion in enumerate(criterion_ids)}
        indices, no_data, invalid, adjusted = [], [], [], []
        for k, (index_id, index_name, index_max, items) in enumerate(shared["indices"]):
            criteria = []
            self_points = 0.0
            for c in items:
                j = at.get(c)
                if j is None:
                    criteria.append({**static[c], **missing, "reason": "; ".join(reasons.get(c, []))})
                    no_data.append(f"{c}. {static[c]['name']}")
                    continue
                differs, reason = bool(differs_of[j]), reason_of[j]
                criteria.append({**static[c], "self": self_text[j], "verified": verified_text[j],
                                 "status": status_text[j], "differs": differs,
                                 "reason": "; ".join(reasons.get(c, []))})
                if differs or reason:
                    adjusted.append({"id": c, "name": static[c]["name"], "self": self_text[j],
                                     "verified": verified_text[j],
                                     "reason": sentence(reason or (ACROSS_UNITS_REASON if c in across
                                                                   else ADJUSTED_REASON))})
                if self_score[j] == self_score[j]:  # not NaN
                    self_points += self_score[j]
                if statuses[j] == "no-data":
                    no_data.append(f"{c}. {static[c]['name']}")
                elif statuses[j] == "invalid":
                    invalid.append(f"{c}. {static[c]['name']}")
            indices.append({"id": index_id, "name": index_name, "max": index_max, "points": index_points[k],
                            "self_points": fmt.points(self_points), "percent": unit_share_text[k],
                            "criteria": criteria})
        ids = [index[0] for index in shared["indices"]]
        top, bottom = max(unit_shares), min(unit_shares)
        context = {
            **shared["common"],
            "unit_code": code, "unit_name": name,
            "total": total, "percent": percent, "rank": rank,
            "self_total": self_total, "self_rank": self_rank, "self_differs": self_differs,
            "even": top - bottom <= 1e-9,
            "strongest": [f"{label[i]} ({t})" for i, v, t in zip(ids, unit_shares, unit_share_text)
                          if abs(v - top) <= 1e-9],
            "weakest": [f"{label[i]} ({t})" for i, v, t in zip(ids, unit_shares, unit_share_text)
                        if abs(v - bottom) <= 1e-9],
            "indices": indices,
            "no_data": no_data,
            "invalid": invalid,
            "adjusted": adjusted,
            # The summary's points are numbered as they appear: 5 and 6 only when there is something to say.
            "invalid_no": 5,
            "adjusted_no": 5 + bool(invalid),
            "recipients": [recipient],
        }
        context["previous"] = previous
        # The scorecard already lists each adjusted criterion with its reason (from scores.csv);
        # the comparison comes after that list.
        context["previous_no"] = context["adjusted_no"] + bool(adjusted)
        return context


class _History:
    """Per unit: the previous period's total and rank and the change, per main index; and
    Sở TTTT's reasons for each adjusted criterion (the workspace's history, batch/history_files)."""

    def __init__(self, results: RunResults, set_id: str):
        h = results.history.sets.get(set_id)
        indices = h.indices if h is not None and h.indices is not None else None
        self.reasons: dict[str, dict[str, list[str]]] = {}
        # What `of` reads, per unit (frames, unit code first) and for every unit (`shared`).
        self.frames: dict[str, pd.DataFrame] = {}
        self.shared: list = []
        frame = results.history.adjustments
        if frame is not None:
            self.frames["adjustments"] = frame[["unit_code", "criterion", "reason"]]
            for unit, criterion, reason in zip(frame["unit_code"], frame["criterion"], frame["reason"]):
                known = self.reasons.setdefault(unit, {}).setdefault(criterion, [])
                if reason not in known:
                    known.append(reason)
        self.by_unit_index = {}
        if indices is not None:
            self.frames["index changes"] = indices[["unit_code", "index", "delta"]]
            self.by_unit_index = {(u, i): d for u, i, d in zip(indices["unit_code"], indices["index"], indices["delta"])}
        # Each unit's comparison made once from the columns as lists, the note once for all.
        self.previous_of: dict[str, dict] = {}
        if h is not None and h.units is not None and len(h.units):
            period_text = fmt.period_words(h.previous)
            note = comparison_context(results, set_id)["note"] if h.meta.get("not_compared") else ""
            u = h.units
            # The change of rank, on official results only; a unit new since then, always.
            shown = u["change"] if results.final else u["change"].where(u["change"] == "mới", "")
            self.frames["previous"] = u[["unit_code", "previous_total", "previous_rank", "delta"]].assign(change=shown)
            self.shared = [h.previous, note]
            for code, total, rank, delta, change in zip(u["unit_code"].tolist(), u["previous_total"].tolist(),
                                                        u["previous_rank"].tolist(), u["delta"].tolist(),
                                                        shown.tolist()):
                self.previous_of[code] = {
                    "period_text": period_text, "total": fmt.points(total, blank="–"),
                    "rank": "–" if pd.isna(rank) else str(int(rank)), "delta": signed(delta),
                    "change": change, "is_new": change == "mới", "note": note}

    def of(self, code: str, indices) -> tuple[dict | None, dict[str, list[str]]]:
        previous = None
        if code in self.previous_of:
            previous = {**self.previous_of[code],
                        "indices": "; ".join(f"{index.id}: {signed(self.by_unit_index.get((code, index.id)))}"
                                             for index in indices)}
        return previous, self.reasons.get(code, {})
