"""Typing what units reported: the one path every form's values take, from long
rows (read from a workbook or a long-format file) to typed wide frames.

`check_rows` drops rows that cannot belong to the form (no unit, unknown field,
duplicates); `type_values` parses each value for its field (forms.values) and
collects one issue per unreadable value, a warning per blank cell where a blank
costs points, and a warning per date after the reporting period. `check` and
`run` both call these, so they say the same thing about every file.

An item is not applicable only as the unit marks it: its "không áp dụng" cell
(which the template's own formula also obeys), or N/A typed in its fields with
no figure beside it. N/A typed beside a figure is a contradiction, an error
naming both cells, and the item is not scored. For a
workbook (`expected`: the fields its template holds), a field row the unit
deleted is `missing-field`, not a blank. General information (contact person,
phone, email, counts) is typed too: malformed entries are warnings, never
errors, and the values and the notes column are kept with the typed data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import namedtuple
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Iterator

import numpy as np
import pandas as pd

from dti_report.core.issues import Issue
from dti_report.forms.base import Form
from dti_report.forms.periods import period_end
from dti_report.forms.values import (BLANK, ERROR, NOT_APPLICABLE, OK, fold, is_blank, is_not_applicable, parse_value,
                                     plausible_max)
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
    info: dict[str, dict[str, str]] = field(default_factory=dict)   # general information field -> unit -> value
    notes: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> unit -> the note beside it
    expected: dict[str, frozenset[str]] | None = None  # unit -> the field rows its workbook holds (None: long format)
    _locations: dict | None = field(default=None, repr=False)  # field -> unit -> (file, sheet, cell)
    _source_rows: dict | None = field(default=None, repr=False)  # field -> its rows in sources

    def location(self, unit: str, field_id: str) -> tuple[str, str, str]:
        """Where a unit's value of a field came from; the unit's file when it gave none."""
        if self._locations is None:
            s = self.sources
            self._locations = {}
            self._source_rows = _positions_by_value(s["field"]) if s is not None else {}
        at = self._locations.get(field_id)
        if at is None:
            # Built for a field on its first need: a national batch's problems name a few
            # fields, and its sources hold a million rows.
            s = self.sources
            rows = s.iloc[self._source_rows.get(field_id, [])] if s is not None else None
            cols = [] if rows is None else [_objects(rows[c]) for c in ("unit_code", "file", "sheet", "cell")]
            at = self._locations[field_id] = dict(zip(cols[0], zip(*cols[1:]))) if cols else {}
        return at.get(unit, (self.files.get(unit, ""), "", ""))

    def column(self, field_id: str) -> np.ndarray:
        return self.values[field_id].to_numpy(dtype=float)

    def invalid_column(self, field_id: str) -> np.ndarray:
        return self.invalid[field_id].to_numpy(dtype=bool)


def _positions_by_value(column: pd.Series) -> dict[object, np.ndarray]:
    """Each distinct value of a column -> the positions holding it, in order."""
    codes, distinct = pd.factorize(column)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(distinct) + 1))
    return {value: order[bounds[i]:bounds[i + 1]] for i, value in enumerate(distinct)}


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
    bounds = {f.id: plausible_max(f) or np.inf for f in form.fields.values() if f.maximum is None}
    field_type = rows["field"].map(simple).to_numpy()
    bound = rows["field"].map(bounds).to_numpy(dtype=float, na_value=np.inf)
    raw = rows["value"]
    numeric_field = np.isin(field_type, ["integer", "decimal", "percent"])
    digits = _digit_strings(raw)
    stored = np.array([isinstance(v, (int, float)) and not isinstance(v, bool) for v in _objects(raw)], dtype=bool)
    candidate = numeric_field & (digits | stored)
    numbers = np.full(len(rows), np.nan)
    numbers[candidate] = pd.to_numeric(raw[candidate], errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        ok = candidate & np.isfinite(numbers) & (numbers >= 0) & (numbers <= bound)
        ok &= (field_type != "integer") | (numbers == np.floor(numbers))
        percent = field_type == "percent"
        numbers[percent] = numbers[percent] / 100
        ok &= ~percent | (numbers <= 1)
    return numbers, ok


_DIGITS = re.compile(r"\d{1,15}")


def _digit_strings(raw: pd.Series) -> np.ndarray:
    """Which values are plain digit strings; a column may hold numbers only (a workbook's cells)."""
    fullmatch = _DIGITS.fullmatch
    return np.array([type(v) is str and fullmatch(v) is not None for v in _objects(raw)], dtype=bool)


def _objects(column: pd.Series) -> np.ndarray:
    """A column's values as a plain object array: iterating pandas' string arrays (or tolist)
    costs a call per value."""
    return column.to_numpy(dtype=object)


def _records(frame: pd.DataFrame) -> Iterator[tuple]:
    """A frame's rows as itertuples(index=False) gives them, made from plain object arrays."""
    record = namedtuple("Pandas", frame.columns, rename=True)
    return map(record._make, zip(*(_objects(frame[c]) for c in frame.columns)))


def _is_yes(raw) -> bool:
    return isinstance(raw, str) and fold(raw) in {"x", "co", "1"}


def _is_no(raw) -> bool:
    return isinstance(raw, str) and fold(raw) in {"khong", "0"}


def _distinct_pairs(fields: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Each row's number among the distinct (field, value) pairs, and the first row of each.
    A value that is not text is keyed by its repr: 1, 1.0 and True stay apart."""
    if not len(fields):
        return np.zeros(0, dtype=np.int64), []
    keys = np.array([v if type(v) is str else repr(v) for v in values], dtype=object)
    field_code, _ = pd.factorize(fields)
    value_code, value_uniques = pd.factorize(keys)
    _, firsts, pair = np.unique(field_code.astype(np.int64) * len(value_uniques) + value_code,
                                return_index=True, return_inverse=True)
    return pair.ravel(), firsts.tolist()


def _outcome(form: Form, field_id: str, value, marker: bool, last_day: int | None, today: int,
             period: str | None) -> tuple:
    """What one value in one field means: (not applicable, unusable, a figure, whether the
    number is set, the number, text kept, text shown as unreadable, (issue code, issue
    fields) or None)."""
    nan = float("nan")
    if marker:
        # The item row's marker: "Không áp dụng" (or yes/x) marks it; blank or "không" leaves it.
        if is_not_applicable(value) or _is_yes(value):
            return 1, 0, 0, 0, nan, None, None, None
        if not (is_blank(value) or _is_no(value)):
            return 0, 1, 0, 0, nan, None, None, ("invalid-option", {"criterion": field_id[:-len(NA_SUFFIX)],
                                                                     "detail": f"chỉ nhận '{NA_LABEL}' hoặc để trống"})
        return 0, 0, 0, 0, nan, None, None, None
    f = form.fields[field_id]
    item_id = form.item_of_field[field_id]
    if f.type == "text":
        return 0, 0, 0, 0, nan, (None if is_blank(value) else str(value).strip()), None, None
    parsed = parse_value(f, value)
    figure = int(parsed.status not in (BLANK, NOT_APPLICABLE))
    if parsed.status == OK:
        number = nan if parsed.value is None else parsed.value
        if f.type == "date" and parsed.value is not None:
            late = _late_date(parsed.value, last_day, today, period)
            if late:
                return 0, 0, figure, 1, number, None, None, (
                    "date-after-period", {"criterion": item_id, "detail": late,
                                          "value": dt.date.fromordinal(int(parsed.value)).strftime("%d/%m/%Y")})
        return 0, 0, figure, 1, number, None, None, None
    if parsed.status == NOT_APPLICABLE:
        if form.allows_not_applicable:
            return 1, 0, figure, 0, nan, None, None, None
        return 0, 1, figure, 0, nan, None, None, ("not-a-number" if f.type != "choice" else "invalid-option",
                                                   {"criterion": item_id, "detail": parsed.detail})
    if parsed.status == ERROR:
        return 0, 1, figure, 0, nan, None, _shown(value), (parsed.code, {"criterion": item_id,
                                                                          "detail": parsed.detail})
    return 0, 0, figure, 0, nan, None, None, None  # blank


def type_values(form: Form, rows: pd.DataFrame, units: list[str] | None = None,
                period: str | None = None, expected: dict[str, frozenset[str]] | None = None) -> UnitValues:
    """Parse checked rows into typed wide frames, one issue per unreadable value.
    `expected`: unit -> the field rows its workbook's template holds (None for a
    long-format file, where an absent row is simply no data)."""
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
    figure = fast.copy()  # rows holding a figure (not blank, not N/A, text fields aside)
    item_col = rows["field"].map(item_of)
    markers = item_col.isna().to_numpy()
    item_col = item_col.where(~markers, rows["field"].str.slice(stop=-len(NA_SUFFIX))).to_numpy()
    texts: dict[str, dict[str, str]] = {}
    unreadable: dict[tuple[str, str], str] = {}
    last_day = period_end(period).toordinal() if period else None
    today = dt.date.today().toordinal()
    # Plain object arrays: iterating pandas' string arrays row by row is many times slower.
    field_arr, value_arr, unit_arr = (_objects(rows[c]) for c in ("field", "value", "unit_code"))
    row_at = lambda i: SimpleNamespace(**{c: rows[c].iat[i] for c in ("unit_code", "field", "value", "file", "sheet", "cell")})  # noqa: E731
    slow = np.flatnonzero(~fast)
    # What a value means is decided once per distinct (field, value) and spread to every row
    # holding it: ten thousand units answer the same few words ("Có", "x", "Không áp dụng").
    pair, firsts = _distinct_pairs(field_arr[slow], value_arr[slow])
    outcomes = [_outcome(form, field_arr[slow[k]], value_arr[slow[k]], bool(markers[slow[k]]), last_day, today,
                         period) for k in firsts]
    flags = np.array([o[:5] for o in outcomes], dtype=float).reshape(-1, 5)[pair]
    na[slow] = flags[:, 0] > 0
    bad[slow] = flags[:, 1] > 0
    figure[slow] = flags[:, 2] > 0
    numbered = flags[:, 3] > 0
    numbers[slow[numbered]] = flags[numbered, 4]
    noted = [p for p, o in enumerate(outcomes) if o[5:] != (None, None, None)]
    for k in np.flatnonzero(np.isin(pair, noted)) if noted else ():
        i = slow[k]
        text, unusable, issue = outcomes[pair[k]][5:]
        if text is not None:
            texts.setdefault(field_arr[i], {})[unit_arr[i]] = text
        if unusable is not None:
            unreadable[(unit_arr[i], field_arr[i])] = unusable
        if issue is not None:
            code, extra = issue
            issues.append(_row_issue(code, row_at(i), **extra))
    if form.allows_not_applicable and na.any():
        issues += _contradicted_not_applicable(rows, item_col, markers, na, bad, figure)
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
    if expected:
        issues += _missing_fields(form, rows, expected, unit_index, invalid_grid)
    values = pd.DataFrame(value_grid, index=unit_index, columns=field_ids)
    invalid = pd.DataFrame(invalid_grid, index=unit_index, columns=field_ids)
    not_applicable = pd.DataFrame(na_grid, index=unit_index, columns=item_ids)
    if form.warns_blank:
        issues += _blank_issues(form, rows, not_applicable)
    notes: dict[str, dict[str, str]] = {}
    if "note" in rows.columns:
        for unit, field_id, note in zip(unit_arr, field_arr, _objects(rows["note"])):
            if isinstance(note, str) and note:
                notes.setdefault(field_id, {})[unit] = note
    return UnitValues(list(units), values, invalid, not_applicable, issues, sources, files, texts, unreadable,
                      notes=notes, expected=expected)


def type_rows(form: Form, rows: pd.DataFrame, units: list[str] | None = None,
              period: str | None = None, expected: dict[str, frozenset[str]] | None = None) -> UnitValues:
    """Raw long rows checked and typed: the road every form's values take."""
    info, info_issues = _type_info(form, rows)
    rows, row_issues = check_rows(form, rows)
    data = type_values(form, rows, units, period, expected)
    data.issues = row_issues + info_issues + data.issues
    data.info = info
    return data


def combined(parts: list[UnitValues]) -> UnitValues:
    """Typed values of disjoint groups of units as one: each group typed alone (a national
    batch typed a thousand units at a time) gives what typing them together gives, each
    unit's issues in the same order."""
    if len(parts) == 1:
        return parts[0]

    def merged(dicts: list[dict]) -> dict:  # field -> unit -> …, each unit in one part
        out: dict = {}
        for d in dicts:
            for key, inner in d.items():
                out.setdefault(key, {}).update(inner)
        return out

    sources = [p.sources for p in parts if p.sources is not None]
    return UnitValues(
        [u for p in parts for u in p.units],
        pd.concat([p.values for p in parts]), pd.concat([p.invalid for p in parts]),
        pd.concat([p.not_applicable for p in parts]), [i for p in parts for i in p.issues],
        pd.concat(sources, ignore_index=True) if sources else None,
        {k: v for p in parts for k, v in p.files.items()}, merged([p.texts for p in parts]),
        {k: v for p in parts for k, v in p.unreadable.items()}, merged([p.info for p in parts]),
        merged([p.notes for p in parts]),
        None if any(p.expected is None for p in parts) else {k: v for p in parts for k, v in p.expected.items()})


def _contradicted_not_applicable(rows: pd.DataFrame, item_col: np.ndarray, markers: np.ndarray, na: np.ndarray,
                                 bad: np.ndarray, figure: np.ndarray) -> list[Issue]:
    """Items with N/A typed in a field and a figure in another: not applicable and
    reported at once. Neither is believed: the item's fields are invalid and the item
    is not N/A. N/A beside blanks alone stays N/A; the item's own "không áp dụng"
    cell is the unit's explicit choice and stands."""
    unit_arr = _objects(rows["unit_code"])
    keys = {(unit_arr[i], item_col[i]) for i in np.flatnonzero(na)}
    members: dict[tuple, list[int]] = {}
    for i, key in enumerate(zip(unit_arr, item_col)):
        if key in keys:
            members.setdefault(key, []).append(i)
    issues = []
    cells = _objects(rows["cell"])
    for key, idx in members.items():
        with_figure = [i for i in idx if figure[i] and not markers[i]]
        if not with_figure or any(markers[i] and na[i] for i in idx):
            continue
        at = next(i for i in idx if na[i])
        shown = ", ".join(str(cells[i]) or rows["field"].iat[i] for i in with_figure)
        issues.append(_row_issue("mixed-not-applicable", _RowAt(rows, at), criterion=key[1], detail=f"ô {shown}"))
        for i in idx:
            na[i] = False
            bad[i] = not markers[i]
    return issues


class _RowAt:
    """One row of the long frame by position, with attribute access (as itertuples gives)."""

    def __init__(self, rows: pd.DataFrame, i: int):
        for column in ("unit_code", "field", "value", "file", "sheet", "cell"):
            setattr(self, column, rows[column].iat[i])


def _missing_fields(form: Form, rows: pd.DataFrame, expected: dict[str, frozenset[str]], unit_index: pd.Index,
                    invalid_grid: np.ndarray) -> list[Issue]:
    """Fields a unit's workbook should hold a row for and does not: an error, and the
    value is unusable (a deleted row is not "no data")."""
    units = _objects(rows["unit_code"])
    present = set(zip(units, _objects(rows["field"])))
    field_pos = {f: k for k, f in enumerate(form.fields)}
    position = {unit: u for u, unit in enumerate(unit_index)}
    where: dict[str, tuple[str, str]] | None = None
    issues = []
    for unit, wanted in expected.items():
        u = position.get(unit, -1)
        if u < 0 or all((unit, f) in present for f in wanted):  # the usual case: every row there
            continue
        lacking = {f for f in wanted if (unit, f) not in present}
        if where is None:  # the first unit's file and sheet that each unit's rows name
            where = {}
            for row_unit, file, sheet in zip(units, _objects(rows["file"]), _objects(rows["sheet"])):
                where.setdefault(row_unit, (file, sheet))
        file, sheet = where.get(unit, ("", ""))
        for field_id in form.fields:
            if field_id in lacking:
                issues.append(Issue("missing-field", file=file, sheet=sheet, unit=unit, field=field_id,
                                    criterion=form.item_of_field[field_id]))
                invalid_grid[u, field_pos[field_id]] = True
    return issues


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE_PART = re.compile(r"\+?[0-9][0-9 .()\-]*")


def _info_kind(f) -> str:
    label = fold(f.label)
    if "email" in label:
        return "email"
    if "dien thoai" in label:
        return "phone"
    return f.type


def _info_problem(f, value) -> str:
    """Why a general information value looks wrong (a warning), or ""."""
    kind = _info_kind(f)
    text = str(value).strip()
    if kind == "email":
        return "" if all(_EMAIL.fullmatch(p.strip()) for p in re.split(r"[;,]", text) if p.strip()) \
            else "một địa chỉ email"
    if kind == "phone":
        parts = [p.strip() for p in re.split(r"[;,/]", text) if p.strip()]
        ok = all(_PHONE_PART.fullmatch(p) and 8 <= sum(c.isdigit() for c in p) <= 12 for p in parts)
        return "" if ok else "một số điện thoại"
    if kind in ("integer", "decimal"):
        return "" if parse_value(f, value).status in (OK, BLANK) else "một số không âm"
    return ""


def _type_info(form: Form, rows: pd.DataFrame) -> tuple[dict[str, dict[str, str]], list[Issue]]:
    """General information: kept as written, malformed entries warned about."""
    info_fields = {f.id: f for f in form.info_fields}
    if not info_fields or rows.empty:
        return {}, []
    mine = rows[rows["field"].isin(info_fields) & (rows["unit_code"] != "")]
    values: dict[str, dict[str, str]] = {}
    issues = []
    for row in _records(mine):
        if is_blank(row.value):
            continue
        f = info_fields[row.field]
        values.setdefault(row.field, {})[row.unit_code] = _shown(row.value).strip()
        problem = _info_problem(f, row.value)
        if problem:
            issues.append(_row_issue("invalid-info", row, detail=problem))
    return values, issues


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
    item_of = form.item_of_field
    fields = form.fields
    # Plain object arrays: iterating pandas' string arrays element by element is many times slower.
    asked = {field_id for field_id in item_of if fields[field_id].type != "text"}
    blank = [field_id in asked and is_blank(v) for field_id, v in zip(_objects(rows["field"]), _objects(rows["value"]))]
    if not any(blank):
        return []
    blank_rows = rows[blank]
    # The answers of only the units with a blank cell (a moot test reads the item's other fields).
    with_blank = rows[rows["unit_code"].isin(set(blank_rows["unit_code"]))]
    by_unit: dict[str, dict[str, object]] = {}
    for unit, field_id, value in zip(_objects(with_blank["unit_code"]), _objects(with_blank["field"]),
                                     _objects(with_blank["value"])):
        by_unit.setdefault(unit, {})[field_id] = value
    at_unit, at_item = np.nonzero(not_applicable.to_numpy())
    marked = set(zip(not_applicable.index[at_unit], not_applicable.columns[at_item]))
    issues = []
    for row in blank_rows.itertuples(index=False):
        field_id = row.field
        item_id = item_of[field_id]
        if (row.unit_code, item_id) in marked:
            continue
        answers = by_unit[row.unit_code]
        rule = getattr(form.item_by_id[item_id], "rule", None)
        if rule is not None and field_id in rule.moot_fields(
                {f: parse_value(fields[f], answers.get(f)).value for f in rule.fields}):
            continue
        issues.append(_row_issue("blank-field", row, criterion=item_id))
    return issues


def plain_values(form: Form, data: UnitValues, units: set[str] | None = None) -> dict[str, dict[str, object]]:
    """unit -> field -> typed value as a report shows it: a choice by its label, a date
    as dd/mm/yyyy, a count as an integer, text as written. Blank values are left out; an
    unreadable one is kept as written (it has its issue), so a report can say the unit
    did report, wrongly, rather than not at all. `units`: only these (default: every unit)."""
    out: dict[str, dict[str, object]] = {}
    values = data.values if units is None else data.values[data.values.index.isin(units)]
    for (unit, field_id), raw in data.unreadable.items():
        if units is None or unit in units:
            out.setdefault(unit, {})[field_id] = raw
    for field_id, f in form.fields.items():
        if f.type == "text":
            for unit, text in data.texts.get(field_id, {}).items():
                if units is None or unit in units:
                    out.setdefault(unit, {})[field_id] = text
            continue
        column = values[field_id]
        given = column.notna()
        # As lists: iterating a pandas column costs a call per value, a million at national scale.
        for unit, value in zip(column.index[given].tolist(), column[given].tolist()):
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
