"""Typing what units reported: the one path every form's values take, from long
rows (read from a workbook or a long-format file) to typed wide frames.

`check_rows` drops rows that cannot belong to the form (no unit, unknown field,
duplicates); `type_values` parses each value for its field (forms.values) and
collects one issue per unreadable value, a warning per blank cell where a blank
costs points, and a warning per date after the reporting period. `check` and
`run` both call these, so they say the same thing about every file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd

from dti_report.core.issues import Issue
from dti_report.forms.base import Form
from dti_report.forms.periods import period_end
from dti_report.forms.values import ERROR, NOT_APPLICABLE, OK, fold, is_blank, is_not_applicable, parse_value
from dti_report.workbook.layout import NA_LABEL, NA_SUFFIX
from dti_report.workbook.longfile import LONG_COLUMNS, OVERRIDE_COLUMNS

__all__ = ["LONG_COLUMNS", "OVERRIDE_COLUMNS", "UnitValues", "check_rows", "type_values", "apply_overrides",
           "plain_values", "type_rows"]


@dataclass
class UnitValues:
    """Typed values of one form for many units, wide: units × fields.

    `values` holds numbers (NaN = blank or unusable; a choice is its option number,
    a date its day number); `invalid` marks cells whose raw text could not be read;
    `not_applicable` marks units × items the unit declared "không áp dụng"; `texts`
    keeps text fields as written. `sources` says where each value came from, so a
    problem found while evaluating points back to its cell.
    """

    units: list[str]
    values: pd.DataFrame
    invalid: pd.DataFrame
    not_applicable: pd.DataFrame
    issues: list[Issue]
    sources: pd.DataFrame | None = None  # unit_code, field, file, sheet, cell of every value
    files: dict[str, str] = field(default_factory=dict)  # unit -> the file its values came from
    texts: dict[str, dict[str, str]] = field(default_factory=dict)  # text field -> unit -> text
    unreadable: dict[tuple[str, str], str] = field(default_factory=dict)  # (unit, field) -> what could not be read
    _locations: dict | None = field(default=None, repr=False)

    def location(self, unit: str, field_id: str) -> tuple[str, str, str]:
        """Where a unit's value of a field came from; the unit's file when it gave none."""
        if self._locations is None:  # built on first need: most batches raise few rule problems
            s = self.sources
            cols = [] if s is None else [s[c].to_numpy(dtype=object) for c in ("unit_code", "field", "file", "sheet", "cell")]
            self._locations = dict(zip(zip(cols[0], cols[1]), zip(*cols[2:]))) if cols else {}
        return self._locations.get((unit, field_id), (self.files.get(unit, ""), "", ""))

    def column(self, field_id: str) -> np.ndarray:
        return self.values[field_id].to_numpy(dtype=float)

    def invalid_column(self, field_id: str) -> np.ndarray:
        return self.invalid[field_id].to_numpy(dtype=bool)


def _shown(value) -> str:
    """A value as the unit typed it: 5.0 read from a cell is "5"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _row_issue(code: str, row, **extra) -> Issue:
    located = {"file": row.file, "sheet": row.sheet, "cell": row.cell, "unit": row.unit_code, "field": row.field,
               "value": _shown(row.value)}
    return Issue(code, **{**located, **extra})


def na_item(field_id: str) -> str | None:
    """The item a "<item>.khong-ap-dung" marker row stands for."""
    return field_id[: -len(NA_SUFFIX)] if field_id.endswith(NA_SUFFIX) else None


def known_fields(form: Form) -> set[str]:
    known = set(form.fields)
    if form.allows_not_applicable:
        known |= {item.id + NA_SUFFIX for item in form.items}
    return known


def check_rows(form: Form, rows: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """Drop rows that cannot belong to the form (no unit, unknown field,
    duplicates), each with its issue; returns the usable rows."""
    issues: list[Issue] = []
    known = known_fields(form)
    info_ids = {f.id for f in form.info_fields}
    no_unit = (rows["unit_code"] == "").to_numpy()
    no_field = ~no_unit & (rows["field"] == "").to_numpy()
    unknown = ~no_unit & ~no_field & ~rows["field"].isin(known).to_numpy()
    reported = unknown & ~rows["field"].isin(info_ids).to_numpy()
    for flags, code, extra in ((no_unit, "missing-unit-code", {}), (no_field, "missing-field-id", {}),
                               (reported, "unknown-field", {"detail": form.id})):
        for row in rows[flags].itertuples(index=False):
            issues.append(_row_issue(code, row, **extra))
    usable = rows[~(no_unit | no_field | unknown)]
    duplicated = usable.duplicated(["unit_code", "field"], keep="first")
    if duplicated.any():
        first_cells = usable.drop_duplicates(["unit_code", "field"]).set_index(["unit_code", "field"])["cell"]
        for row in usable[duplicated].itertuples(index=False):
            issues.append(_row_issue("duplicate-field", row, detail=str(first_cells[(row.unit_code, row.field)])))
    return usable[~duplicated], issues


def _fast_numbers(form: Form, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Values that need no parsing: plain digit strings and numbers a workbook
    stored, in integer/decimal/percent fields without a maximum. Returns (numbers,
    mask); the rest goes through parse_value one by one."""
    simple = {f.id: f.type for f in form.fields.values() if f.maximum is None}
    field_type = rows["field"].map(simple).to_numpy()
    raw = rows["value"]
    numeric_field = np.isin(field_type, ["integer", "decimal", "percent"])
    digits = _digit_strings(raw)
    stored = raw.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).to_numpy(dtype=bool)
    candidate = numeric_field & (digits | stored)
    numbers = np.full(len(rows), np.nan)
    numbers[candidate] = pd.to_numeric(raw[candidate], errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        ok = candidate & np.isfinite(numbers) & (numbers >= 0)
        ok &= (field_type != "integer") | (numbers == np.floor(numbers))
        percent = field_type == "percent"
        numbers[percent] = numbers[percent] / 100
        ok &= ~percent | (numbers <= 1)
    return numbers, ok


def _digit_strings(raw: pd.Series) -> np.ndarray:
    """Which values are plain digit strings; a column may hold numbers only (a workbook's cells)."""
    try:
        return raw.str.fullmatch(r"\d{1,15}").fillna(False).to_numpy(dtype=bool)
    except AttributeError:  # no strings at all
        return np.zeros(len(raw), dtype=bool)


def _is_yes(raw) -> bool:
    return isinstance(raw, str) and fold(raw) in {"x", "co", "1"}


def _is_no(raw) -> bool:
    return isinstance(raw, str) and fold(raw) in {"khong", "0"}


def type_values(form: Form, rows: pd.DataFrame, units: list[str] | None = None,
                period: str | None = None) -> UnitValues:
    """Parse checked rows into typed wide frames, one issue per unreadable value."""
    fields = form.fields
    item_of = form.item_of_field
    field_ids = list(fields)
    item_ids = [item.id for item in form.items]
    if units is None:
        units = sorted(rows["unit_code"].unique())
    issues: list[Issue] = []

    numbers, fast = _fast_numbers(form, rows)
    bad = np.zeros(len(rows), dtype=bool)
    na = np.zeros(len(rows), dtype=bool)
    item_col = rows["field"].map(item_of)
    markers = item_col.isna().to_numpy()
    item_col = item_col.where(~markers, rows["field"].str.slice(stop=-len(NA_SUFFIX))).to_numpy()
    slow = np.flatnonzero(~fast)
    cache: dict = {}
    texts: dict[str, dict[str, str]] = {}
    unreadable: dict[tuple[str, str], str] = {}
    last_day = period_end(period).toordinal() if period else None
    today = dt.date.today().toordinal()
    # Plain object arrays: iterating pandas' string arrays row by row is many times slower.
    field_arr, value_arr, unit_arr = (rows[c].to_numpy(dtype=object) for c in ("field", "value", "unit_code"))
    row_at = lambda i: SimpleNamespace(**{c: rows[c].iat[i] for c in ("unit_code", "field", "value", "file", "sheet", "cell")})  # noqa: E731
    for i in slow:
        field_id, value = field_arr[i], value_arr[i]
        if markers[i]:
            # The item row's marker: "Không áp dụng" (or yes/x) marks it; blank or "không" leaves it.
            if is_not_applicable(value) or _is_yes(value):
                na[i] = True
            elif not (is_blank(value) or _is_no(value)):
                bad[i] = True
                issues.append(_row_issue("invalid-option", row_at(i), criterion=item_col[i],
                                         detail=f"chỉ nhận '{NA_LABEL}' hoặc để trống"))
            continue
        f = fields[field_id]
        if f.type == "text":
            if not is_blank(value):
                texts.setdefault(field_id, {})[unit_arr[i]] = str(value).strip()
            continue
        key = (field_id, value if isinstance(value, str) else repr(value))
        parsed = cache.get(key)
        if parsed is None:
            parsed = cache[key] = parse_value(f, value)
        if parsed.status == OK:
            numbers[i] = np.nan if parsed.value is None else parsed.value
            if f.type == "date" and parsed.value is not None:
                late = _late_date(parsed.value, last_day, today, period)
                if late:
                    issues.append(_row_issue("date-after-period", row_at(i), criterion=item_of[field_id],
                                             value=dt.date.fromordinal(int(parsed.value)).strftime("%d/%m/%Y"),
                                             detail=late))
        elif parsed.status == NOT_APPLICABLE:
            if form.allows_not_applicable:
                na[i] = True
            else:
                bad[i] = True
                issues.append(_row_issue("not-a-number" if f.type != "choice" else "invalid-option", row_at(i),
                                         criterion=item_of[field_id], detail=parsed.detail))
        elif parsed.status == ERROR:
            bad[i] = True
            unreadable[(unit_arr[i], field_id)] = _shown(value)
            issues.append(_row_issue(parsed.code, row_at(i), criterion=item_of[field_id], detail=parsed.detail))
    sources = rows[["unit_code", "field", "file", "sheet", "cell"]]
    files = rows.drop_duplicates("unit_code").set_index("unit_code")["file"].to_dict()

    unit_index = pd.Index(units, name="unit_code")
    value_grid = np.full((len(units), len(field_ids)), np.nan)
    invalid_grid = np.zeros((len(units), len(field_ids)), dtype=bool)
    na_grid = np.zeros((len(units), len(item_ids)), dtype=bool)
    if len(rows):
        unit_pos = unit_index.get_indexer(rows["unit_code"])
        field_pos = pd.Index(field_ids).get_indexer(rows["field"])
        item_pos = pd.Index(item_ids).get_indexer(item_col)
        is_field = (unit_pos >= 0) & (field_pos >= 0)
        value_grid[unit_pos[is_field], field_pos[is_field]] = numbers[is_field]
        invalid_grid[unit_pos[is_field], field_pos[is_field]] = bad[is_field]
        marked = (unit_pos >= 0) & na & (item_pos >= 0)
        na_grid[unit_pos[marked], item_pos[marked]] = True
    values = pd.DataFrame(value_grid, index=unit_index, columns=field_ids)
    invalid = pd.DataFrame(invalid_grid, index=unit_index, columns=field_ids)
    not_applicable = pd.DataFrame(na_grid, index=unit_index, columns=item_ids)
    if form.warns_blank:
        issues += _blank_issues(form, rows, not_applicable)
    return UnitValues(list(units), values, invalid, not_applicable, issues, sources, files, texts, unreadable)


def type_rows(form: Form, rows: pd.DataFrame, units: list[str] | None = None,
              period: str | None = None) -> UnitValues:
    """Raw long rows checked and typed: the road every form's values take."""
    rows, row_issues = check_rows(form, rows)
    data = type_values(form, rows, units, period)
    data.issues = row_issues + data.issues
    return data


def _late_date(day: float, last_day: int | None, today: int, period: str | None) -> str:
    if last_day is not None and day > last_day:
        return f"ngày cuối kỳ báo cáo {period}"
    if day > today:
        return "ngày hôm nay"
    return ""


def _blank_issues(form: Form, rows: pd.DataFrame, not_applicable: pd.DataFrame) -> list[Issue]:
    """A value cell left blank is "no data" (a DTI criterion scores 0): tell the unit where,
    unless its item is marked not applicable or an answer makes the cell moot (a gate
    answered "no")."""
    issues = []
    item_of = form.item_of_field
    fields = form.fields
    by_unit: dict[str, dict[str, object]] = {}
    for unit, field_id, value in zip(rows["unit_code"], rows["field"], rows["value"]):
        by_unit.setdefault(unit, {})[field_id] = value
    for row in rows.itertuples(index=False):
        field_id = row.field
        if field_id not in item_of or not is_blank(row.value) or fields[field_id].type == "text":
            continue
        item_id = item_of[field_id]
        if row.unit_code in not_applicable.index and not_applicable.at[row.unit_code, item_id]:
            continue
        answers = by_unit[row.unit_code]
        rule = getattr(form.item_by_id[item_id], "rule", None)
        if rule is not None and field_id in rule.moot_fields(
                {f: parse_value(fields[f], answers.get(f)).value for f in rule.fields}):
            continue
        issues.append(_row_issue("blank-field", row, criterion=item_id))
    return issues


def plain_values(form: Form, data: UnitValues) -> dict[str, dict[str, object]]:
    """unit -> field -> typed value as a report shows it: a choice by its label, a date
    as dd/mm/yyyy, a count as an integer, text as written. Blank values are left out; an
    unreadable one is kept as written (it has its issue), so a report can say the unit
    did report, wrongly, rather than not at all."""
    out: dict[str, dict[str, object]] = {}
    for (unit, field_id), raw in data.unreadable.items():
        out.setdefault(unit, {})[field_id] = raw
    for field_id, f in form.fields.items():
        if f.type == "text":
            for unit, text in data.texts.get(field_id, {}).items():
                out.setdefault(unit, {})[field_id] = text
            continue
        column = data.values[field_id]
        for unit, value in column[column.notna()].items():
            if f.type in ("choice", "yes-no"):
                shown = f.options[0 if value >= 0.5 else 1].label if f.type == "yes-no" else f.options[int(value) - 1].label
            elif f.type == "date":
                shown = dt.date.fromordinal(int(value)).strftime("%d/%m/%Y")
            elif f.type == "integer":
                shown = int(value)
            else:
                shown = float(value)
            out.setdefault(unit, {})[field_id] = shown
    return out


def apply_overrides(rows: pd.DataFrame, overrides: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """The verified data: the unit's own rows with Sở TTTT's corrections put in
    their place. An override without a reason is refused."""
    issues: list[Issue] = []
    if "reason" not in overrides.columns:
        overrides = overrides.assign(reason="")
    has_reason = overrides["reason"] != ""
    for row in overrides[~has_reason].itertuples(index=False):
        issues.append(_row_issue("override-without-reason", row))
    accepted = overrides[has_reason]
    known_units = set(rows["unit_code"])
    unknown = ~accepted["unit_code"].isin(known_units)
    for row in accepted[unknown].itertuples(index=False):
        issues.append(_row_issue("override-unknown-unit", row))
    accepted = accepted[~unknown]
    replaced = rows.set_index(["unit_code", "field"]).index.isin(accepted.set_index(["unit_code", "field"]).index)
    merged = pd.concat([rows[~replaced], accepted], ignore_index=True)
    return merged, issues
