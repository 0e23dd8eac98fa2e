"""The long-format exchange file: one row per unit × field.

Columns `unit_code, field, value` (UTF-8, header row), CSV or XLSX; an
overrides file for the verified scoring adds `reason`. This module reads the
file into a frame of raw strings and types the values against an indicator
set, collecting issues instead of stopping at the first bad row.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from types import SimpleNamespace
from pathlib import Path

import numpy as np
import pandas as pd

from dti_report.forms.catalog import IndicatorSet
from dti_report.core.issues import Issue
from dti_report.workbook.layout import NA_LABEL, NA_SUFFIX
from dti_report.forms.values import BLANK, ERROR, NOT_APPLICABLE, OK, fold, is_blank, is_not_applicable, parse_value

LONG_COLUMNS = ["unit_code", "field", "value"]
OVERRIDE_COLUMNS = LONG_COLUMNS + ["reason"]
FIRST_DATA_ROW = 2  # row 1 is the header


class LongFileError(Exception):
    """The file cannot be used at all (missing, unreadable, wrong columns)."""

    def __init__(self, path: Path | str, message: str):
        self.path = str(path)
        super().__init__(f"{Path(path).name}: {message}")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def read_long_file(path: Path | str, required: list[str] = LONG_COLUMNS) -> pd.DataFrame:
    """Raw rows located by file, sheet and cell ("dòng 7" in a CSV); every value a stripped NFC string."""
    path = Path(path)
    if not path.is_file():
        raise LongFileError(path, "không tìm thấy tệp")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            frame = pd.read_csv(path, dtype=object, keep_default_na=False, encoding="utf-8-sig")
        elif suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="calamine").astype(object)
        else:
            raise LongFileError(path, f"định dạng '{suffix}' không được hỗ trợ (dùng .csv hoặc .xlsx)")
    except LongFileError:
        raise
    except UnicodeDecodeError:
        raise LongFileError(path, "tệp CSV không phải mã UTF-8") from None
    except Exception as exc:  # pandas/calamine raise many types for a broken file
        raise LongFileError(path, f"không đọc được tệp ({exc.__class__.__name__}: {exc})") from None
    frame.columns = [_nfc(str(c)).casefold() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise LongFileError(path, f"thiếu cột {', '.join(missing)} ở dòng tiêu đề (cần: {', '.join(required)})")
    frame = frame[[c for c in OVERRIDE_COLUMNS if c in frame.columns]].copy()
    for column in frame.columns:
        frame[column] = frame[column].map(_nfc)
    frame["file"] = path.name
    frame["sheet"] = ""
    frame["cell"] = [f"dòng {n}" for n in range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame))]
    # Rows left entirely blank (a trailing line in a spreadsheet) are not data.
    frame = frame[(frame[LONG_COLUMNS] != "").any(axis=1)]
    return frame.reset_index(drop=True)


@dataclass
class UnitValues:
    """Typed values of one indicator set for many units, wide: units × fields.

    `values` holds numbers (NaN = blank or unusable); `invalid` marks cells
    whose raw text could not be read; `not_applicable` marks units × criteria
    the unit declared "không áp dụng". `locations` says where each value came
    from, so a problem found while scoring points back to its cell.
    """

    units: list[str]
    values: pd.DataFrame
    invalid: pd.DataFrame
    not_applicable: pd.DataFrame
    issues: list[Issue]
    sources: pd.DataFrame | None = None  # unit_code, field, file, sheet, cell of every value
    files: dict[str, str] = field(default_factory=dict)  # unit -> the file its values came from
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
    return Issue(code, file=row.file, sheet=row.sheet, cell=row.cell, unit=row.unit_code, field=row.field,
                 value=_shown(row.value), **extra)


def na_criterion(field_id: str) -> str | None:
    """The criterion a "<criterion>.khong-ap-dung" marker row stands for."""
    return field_id[: -len(NA_SUFFIX)] if field_id.endswith(NA_SUFFIX) else None


def check_rows(indicator_set: IndicatorSet, rows: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """Drop rows that cannot belong to the set (no unit, unknown field,
    duplicates), each with its issue; returns the usable rows."""
    issues: list[Issue] = []
    known = set(indicator_set.fields) | {c.id + NA_SUFFIX for c in indicator_set.criteria}
    info_ids = {f.id for f in indicator_set.info_fields}
    no_unit = (rows["unit_code"] == "").to_numpy()
    no_field = ~no_unit & (rows["field"] == "").to_numpy()
    unknown = ~no_unit & ~no_field & ~rows["field"].isin(known).to_numpy()
    reported = unknown & ~rows["field"].isin(info_ids).to_numpy()
    for flags, code, extra in ((no_unit, "missing-unit-code", {}), (no_field, "missing-field-id", {}),
                               (reported, "unknown-field", {"detail": indicator_set.id})):
        for row in rows[flags].itertuples(index=False):
            issues.append(_row_issue(code, row, **extra))
    usable = rows[~(no_unit | no_field | unknown)]
    duplicated = usable.duplicated(["unit_code", "field"], keep="first")
    if duplicated.any():
        first_cells = usable.drop_duplicates(["unit_code", "field"]).set_index(["unit_code", "field"])["cell"]
        for row in usable[duplicated].itertuples(index=False):
            issues.append(_row_issue("duplicate-field", row, detail=str(first_cells[(row.unit_code, row.field)])))
    return usable[~duplicated], issues


def _fast_numbers(indicator_set: IndicatorSet, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Values that need no parsing: plain digit strings and numbers a workbook
    stored, in integer/decimal/percent fields. Returns (numbers, mask); the rest
    goes through parse_value one by one."""
    field_type = rows["field"].map({f.id: f.type for f in indicator_set.fields.values()}).to_numpy()
    raw = rows["value"]
    numeric_field = np.isin(field_type, ["integer", "decimal", "percent"])
    digits = raw.str.fullmatch(r"\d{1,15}").fillna(False).to_numpy(dtype=bool) if raw.dtype != float else np.zeros(len(rows), bool)
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


def type_values(indicator_set: IndicatorSet, rows: pd.DataFrame, units: list[str] | None = None) -> UnitValues:
    """Parse checked rows into typed wide frames, one issue per unreadable value."""
    fields = indicator_set.fields
    criterion_of = indicator_set.criterion_of_field()
    field_ids = list(fields)
    criterion_ids = [c.id for c in indicator_set.criteria]
    if units is None:
        units = sorted(rows["unit_code"].unique())
    issues: list[Issue] = []

    numbers, fast = _fast_numbers(indicator_set, rows)
    bad = np.zeros(len(rows), dtype=bool)
    na = np.zeros(len(rows), dtype=bool)
    criterion_col = rows["field"].map(criterion_of)
    markers = criterion_col.isna().to_numpy()
    criterion_col = criterion_col.where(~markers, rows["field"].str.slice(stop=-len(NA_SUFFIX))).to_numpy()
    slow = np.flatnonzero(~fast)
    cache: dict = {}
    # Plain object arrays: iterating pandas' string arrays row by row is many times slower.
    field_arr, value_arr = (rows[c].to_numpy(dtype=object) for c in ("field", "value"))
    row_at = lambda i: SimpleNamespace(**{c: rows[c].iat[i] for c in ("unit_code", "field", "value", "file", "sheet", "cell")})  # noqa: E731
    for i in slow:
        field_id, value = field_arr[i], value_arr[i]
        if markers[i]:
            # The criterion row's marker: "Không áp dụng" (or yes/x) marks it; blank or "không" leaves it.
            if is_not_applicable(value) or _is_yes(value):
                na[i] = True
            elif not (is_blank(value) or _is_no(value)):
                bad[i] = True
                issues.append(_row_issue("invalid-option", row_at(i), criterion=criterion_col[i], detail=f"chỉ nhận '{NA_LABEL}' hoặc để trống"))
            continue
        key = (field_id, value if isinstance(value, str) else repr(value))
        parsed = cache.get(key)
        if parsed is None:
            parsed = cache[key] = parse_value(fields[field_id], value)
        if parsed.status == OK:
            numbers[i] = np.nan if parsed.value is None else parsed.value
        elif parsed.status == NOT_APPLICABLE:
            na[i] = True
        elif parsed.status == ERROR:
            bad[i] = True
            issues.append(_row_issue(parsed.code, row_at(i), criterion=criterion_of[field_id], detail=parsed.detail))
        else:
            assert parsed.status == BLANK
    sources = rows[["unit_code", "field", "file", "sheet", "cell"]]
    files = rows.drop_duplicates("unit_code").set_index("unit_code")["file"].to_dict()

    unit_index = pd.Index(units, name="unit_code")
    value_grid = np.full((len(units), len(field_ids)), np.nan)
    invalid_grid = np.zeros((len(units), len(field_ids)), dtype=bool)
    na_grid = np.zeros((len(units), len(criterion_ids)), dtype=bool)
    if len(rows):
        unit_pos = unit_index.get_indexer(rows["unit_code"])
        field_pos = pd.Index(field_ids).get_indexer(rows["field"])
        crit_pos = pd.Index(criterion_ids).get_indexer(criterion_col)
        is_field = (unit_pos >= 0) & (field_pos >= 0)
        value_grid[unit_pos[is_field], field_pos[is_field]] = numbers[is_field]
        invalid_grid[unit_pos[is_field], field_pos[is_field]] = bad[is_field]
        marked = (unit_pos >= 0) & na
        na_grid[unit_pos[marked], crit_pos[marked]] = True
    values = pd.DataFrame(value_grid, index=unit_index, columns=field_ids)
    invalid = pd.DataFrame(invalid_grid, index=unit_index, columns=field_ids)
    not_applicable = pd.DataFrame(na_grid, index=unit_index, columns=criterion_ids)
    return UnitValues(list(units), values, invalid, not_applicable, issues, sources, files)


def _is_yes(raw) -> bool:
    return isinstance(raw, str) and fold(raw) in {"x", "co", "1"}


def _is_no(raw) -> bool:
    return isinstance(raw, str) and fold(raw) in {"khong", "0"}


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
