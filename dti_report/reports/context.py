"""What the reports say, computed once from a run's results.

Everything here is plain data (dicts, lists, strings already formatted the
Vietnamese way), so a template only places values and a clerk can reword it
without touching code. Figures come from RunResults alone: `report --results`
re-renders without rereading the inputs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePosixPath

import pandas as pd

from dti_report.core import formatting as fmt
from dti_report.core.text import curly_quotes
from dti_report.forms.indicators import IndicatorSet
from dti_report.batch.results import RunResults, SetResults
from dti_report.reports.settings import SIGNER_PLACEHOLDER, ReportSettings

WORKBOOK_NAME = "ket-qua-tong-hop.xlsx"  # the analysts' workbook (reports.workbook), named in the reports

# Self and verified totals closer than this are the same result (CSV rounding).
SAME = 0.005
TITLE_PREFIX = "Bộ chỉ số đánh giá chuyển đổi số "


def unit_names(results: RunResults) -> dict[str, str]:
    # RunResults.unit_name builds the registry's index on every call: quadratic over 1000 units.
    return {u.code: u.name for u in results.registry.units}


# The columns of a scores table a unit's documents show of each of its criteria (feedback
# workbook, scorecard).
UNIT_SCORE_COLUMNS = ["criterion", "self_score", "verified_score", "status", "reason"]


def registry_entries(registry) -> pd.DataFrame:
    """Each unit's entry in the registry and its level's, as text beside its code: what a
    unit's documents take from the registry (its name, how it is addressed), for digests
    (core.kept_outputs.unit_fingerprints)."""
    levels: dict[str, str] = {}
    for level in registry.levels:
        levels.setdefault(level.id, repr(tuple(level)))
    return pd.DataFrame([(u.code, repr(tuple(u)), levels.get(u.level, "")) for u in registry.units],
                        columns=["unit_code", "unit", "level"])


def names_list(names: list[str], limit: int = 3) -> str:
    """'A, B, C và 4 đơn vị khác': ties can be many, a sentence should not be."""
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} và {len(names) - limit} đơn vị khác"


def scope_of(indicator_set: IndicatorSet) -> str:
    """'các Sở, ban, ngành Thành phố Hồ Chí Minh' from the set's title."""
    title = indicator_set.title
    return title[len(TITLE_PREFIX):] if title.startswith(TITLE_PREFIX) else title


def method_lines(text: str) -> list[str]:
    return [curly_quotes(line.strip()) for line in text.splitlines() if line.strip()]


@dataclass
class SetView:
    """One scored set's tables, in totals.csv order (ranked)."""

    results: RunResults
    set_id: str

    @property
    def sr(self) -> SetResults:
        return self.results.sets[self.set_id]

    @property
    def iset(self) -> IndicatorSet:
        return self.sr.indicator_set

    @property
    def totals(self) -> pd.DataFrame:
        return self.sr.totals

    def names(self) -> list[str]:
        names = unit_names(self.results)
        return [names.get(c, c) for c in self.totals["unit_code"]]

    def shares(self) -> pd.DataFrame:
        """Each main index's points as a fraction of its maximum, units in ranked order."""
        return pd.DataFrame({i.id: self.totals[i.id] / i.max_points if i.max_points else 0.0 for i in self.iset.indices})

    def self_differs(self) -> pd.Series:
        return (self.totals["self_total"] - self.totals["total"]).abs() > SAME


def _extremes(values: pd.Series, names: list[str]) -> tuple[list[str], list[str], float, float]:
    high, low = values.max(), values.min()
    best = [n for n, v in zip(names, values) if abs(v - high) <= 1e-9]
    worst = [n for n, v in zip(names, values) if abs(v - low) <= 1e-9]
    return best, worst, high, low


def header_context(settings: ReportSettings, day: dt.date) -> dict:
    """The administrative header, signature and recipients (NĐ 30/2020, Phụ lục I)."""
    signer = settings.signer
    number_ref = settings.number_line().removeprefix("Số: ")
    return {
        "parent_agency": "\n".join(line.upper() for line in settings.parent_agency),
        "agency": "\n".join(line.upper() for line in settings.agency),
        "agency_name": settings.agency_text,
        "number_line": settings.number_line(),
        "number_ref": number_ref,
        "date_line": fmt.date_line(settings.place, day),
        "date_words": fmt.date_words(day),
        "day": fmt.short_date(day),
        # Under an appendix's title, and on a scorecard sent with the report (NĐ 30/2020, Phụ lục I).
        "attachment_line": f"(Kèm theo Báo cáo số {number_ref} ngày {fmt.short_date(day)} của {settings.agency_text})",
        "recipients": list(settings.recipients),
        "archive": f"Lưu: {settings.archive.rstrip('.')}.",
        "signer_authority": signer.authority.upper(),
        "signer_title": signer.title.upper(),
        "signer_name": signer.name.strip() or SIGNER_PLACEHOLDER,
    }


def unassessed(results: RunResults, set_id: str) -> tuple[list[dict], list[dict]]:
    """Units of the set with no accepted workbook, each with why; and rejected files
    of the set that name no such unit. Reasons are the rejected files' errors."""
    manifest = results.manifest.astype(object).fillna("")
    issues = results.issues
    errors_by_file: dict[str, list[str]] = {}
    for file, severity, message in zip(issues["file"], issues["severity"], issues["message"]):
        if severity == "error" and file:
            errors_by_file.setdefault(file, []).append(str(message))
    rejected = manifest[manifest["status"] == "rejected"]
    missing = results.sets[set_id].missing
    missing_codes = {u.code for u in missing}
    used: set[str] = set()
    rows = []
    for no, unit in enumerate(missing, start=1):
        files = []
        for path, code in zip(rejected["path"], rejected["unit_code"]):
            named = PurePosixPath(path).name.split("_")[0]
            if code == unit.code or (not code and named == unit.code):
                files.append(path)
                used.add(path)
        if files:
            reason = "; ".join(f"tệp {path} bị từ chối: " + "; ".join(errors_by_file.get(path, ["không rõ lỗi"]))
                               for path in files)
        else:
            reason = "Chưa gửi biểu mẫu."
        rows.append({"no": no, "code": unit.code, "name": unit.name, "reason": reason})
    others = []
    for path, code, file_set in zip(rejected["path"], rejected["unit_code"], rejected["set_id"]):
        if path in used or (code and code in missing_codes):
            continue
        if file_set == set_id or (not file_set and not code):
            others.append({"path": path, "unit": unit_names(results).get(code, code),
                           "reason": "; ".join(errors_by_file.get(path, ["không rõ lỗi"]))})
    return rows, others


def report_context(results: RunResults, set_id: str, settings: ReportSettings, day: dt.date) -> dict:
    view = SetView(results, set_id)
    s, totals = view.iset, view.totals
    names = view.names()
    expected = len(results.registry.units_for_set(set_id)) or len(totals)
    differs = view.self_differs()
    show_self = bool(differs.any())

    # The ranking table's columns: the pillars where the set has them (20 main indices do not fit
    # a page), else the main indices.
    columns = list(s.pillars) or list(s.indices)
    ranking = []
    shown = min(len(totals), settings.ranking_rows)
    for no, (record, name, diff) in enumerate(zip(totals.head(shown).to_dict("records"), names, differs), start=1):
        ranking.append({
            "no": no, "code": record["unit_code"], "name": name,
            "indices": [fmt.points(record[c.id]) for c in columns],
            "total": fmt.points(record["total"]),
            "self_total": fmt.points(record["self_total"]),
            "self_differs": bool(diff),
            "rank": str(int(record["rank"])),
        })

    best, worst, high, low = _extremes(totals["total"], names)
    average = totals["total"].mean()
    shares = view.shares()
    index_rows = []
    for index in s.indices:
        top, bottom, top_points, bottom_points = _extremes(totals[index.id], names)
        index_rows.append({
            "id": index.id, "name": index.name, "max": fmt.number(index.max_points),
            "average": fmt.points(totals[index.id].mean()), "average_percent": fmt.percent(shares[index.id].mean()),
            "best": names_list(top), "best_points": fmt.points(top_points), "best_count": len(top),
            "worst": names_list(bottom), "worst_points": fmt.points(bottom_points), "worst_count": len(bottom),
        })
    weakest_index = min(s.indices, key=lambda i: shares[i.id].mean())
    strongest_index = max(s.indices, key=lambda i: shares[i.id].mean())

    not_assessed, other_rejected = unassessed(results, set_id)
    notes = [{"id": n.id, "text": curly_quotes(n.text)} for n in s.notes]
    method = [{
        "id": index.id, "name": index.name, "max": fmt.number(index.max_points),
        "criteria": [{"id": c.id, "name": c.name, "max": fmt.number(c.max_points), "lines": method_lines(c.method),
                      "notes": [curly_quotes(n.text) for n in c.notes]} for c in index.items],
    } for index in s.indices]

    return {
        **header_context(settings, day),
        "set_id": set_id,
        "set_title": s.title,
        "scope": scope_of(s),
        "period": results.period,
        "period_text": fmt.period_words(results.period),
        "basis": s.decision_text,
        "appendix_of_decision": s.source.appendix,
        # "… cấp huyện (Phụ lục II, năm 2021)": a title that names its appendix is not followed by it again.
        "appendix_in_title": bool(s.source.appendix) and s.source.appendix in s.title,
        "max_total": fmt.number(s.total_points),
        "summary": {
            "assessed": len(totals), "expected": expected, "missing": len(not_assessed),
            "average": fmt.points(average), "average_percent": fmt.percent(average / s.total_points if s.total_points else 0),
            "highest": names_list(best), "highest_points": fmt.points(high),
            "lowest": names_list(worst), "lowest_points": fmt.points(low),
            "changed": int(differs.sum()),
            "strongest_index": f"chỉ số {strongest_index.id} – {strongest_index.name}",
            "strongest_index_percent": fmt.percent(shares[strongest_index.id].mean()),
            "weakest_index": f"chỉ số {weakest_index.id} – {weakest_index.name}",
            "weakest_index_percent": fmt.percent(shares[weakest_index.id].mean()),
        },
        "indices": [{"id": c.id, "name": c.name, "max": fmt.number(c.max_points),
                     "label": f"{c.id}\n({fmt.number(c.max_points)})"} for c in columns],
        "columns_kind": "trụ cột" if s.pillars else "chỉ số chính",
        "indices_legend": "; ".join(f"{c.id} – {c.name} ({fmt.number(c.max_points)} điểm)" for c in columns),
        "show_self": show_self,
        "ranking": ranking,
        # Units the ranking leaves out (settings.ranking_rows): the report says where they are.
        "ranking_shown": fmt.number(shown),
        "ranking_more": fmt.number(len(totals) - shown) if len(totals) > shown else "",
        "workbook_name": WORKBOOK_NAME,
        "index_rows": index_rows,
        "not_assessed": not_assessed,
        "other_rejected": other_rejected,
        "set_notes": notes,
        "method": method,
    }


