"""Indicator sets held as data: YAML files validated against a pydantic schema.

A set is a tree: main index -> component criterion -> input fields + one
scoring rule. Loading checks the tree against the decision's own counts and
totals, so a transcription slip is caught when the file is read, not when a
report comes out wrong.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal, Union

import yaml
from dti_report.core.text import nfc_tree
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SETS_PACKAGE = "dti_report.data.sets"
POINT_TOLERANCE = 1e-9


class CatalogError(Exception):
    """A set file that cannot be used; names the file and the path inside it."""

    def __init__(self, source: str, path: str, message: str):
        self.source = source
        self.path = path
        super().__init__(f"{source}: {path}: {message}" if path else f"{source}: {message}")




class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


FieldType = Literal["integer", "decimal", "percent", "choice", "yes-no", "text"]
NUMERIC_TYPES = {"integer", "decimal", "percent"}


class Option(Model):
    label: str
    fraction: float = Field(ge=0, le=1)


class InputField(Model):
    id: str
    label: str
    type: FieldType
    options: tuple[Option, ...] = ()
    unit: str | None = None  # what is counted: "cuộc họp", "văn bản"…

    @model_validator(mode="after")
    def _options_match_type(self):
        if self.type in ("choice", "yes-no") and len(self.options) < 2:
            raise ValueError(f"trường {self.id}: kiểu {self.type} cần ít nhất 2 lựa chọn")
        if self.type == "yes-no" and len(self.options) != 2:
            raise ValueError(f"trường {self.id}: kiểu yes-no cần đúng 2 lựa chọn (có trước, không sau)")
        if self.type not in ("choice", "yes-no") and self.options:
            raise ValueError(f"trường {self.id}: chỉ kiểu choice/yes-no mới có lựa chọn")
        return self


class Measure(Model):
    """What a rule looks at: one field's value, or a ratio of two sums of fields."""

    field: str | None = None
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    # A ratio whose numerator counts a subset of its denominator cannot exceed 1.
    bounded: bool = True

    @model_validator(mode="after")
    def _one_kind(self):
        is_ratio = bool(self.numerator) or bool(self.denominator)
        if (self.field is None) == (not is_ratio):
            raise ValueError("measure cần đúng một trong hai: field, hoặc numerator + denominator")
        if is_ratio and not (self.numerator and self.denominator):
            raise ValueError("tỷ lệ cần cả numerator và denominator")
        return self

    @property
    def is_ratio(self) -> bool:
        return self.field is None

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field,) if self.field else self.numerator + self.denominator


class ChoiceRule(Model):
    """Choice or yes/no: points = option's fraction × max."""

    kind: Literal["choice"]
    field: str


class RatioRule(Model):
    """Ratio × max; with a target T: ratio ≥ T → max, else ratio/T × max."""

    kind: Literal["ratio"]
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    target: float | None = Field(default=None, gt=0, le=1)
    bounded: bool = True

    @property
    def measure(self) -> Measure:
        return Measure(numerator=self.numerator, denominator=self.denominator, bounded=self.bounded)


class Tier(Model):
    min: float
    # False: the value must be strictly above min ("Trên 80%").
    inclusive: bool = True
    fraction: float = Field(ge=0, le=1)


class TiersRule(Model):
    """First tier whose lower bound the measure reaches gives its fraction; none → 0.

    An optional yes/no gate field must be "yes" for any tier to count (1.4:
    a column must exist before its posts are counted).
    """

    kind: Literal["tiers"]
    measure: Measure
    tiers: tuple[Tier, ...] = Field(min_length=1)
    gate: str | None = None

    @field_validator("tiers")
    @classmethod
    def _descending(cls, tiers):
        bounds = [t.min for t in tiers]
        if bounds != sorted(bounds, reverse=True):
            raise ValueError("các bậc phải xếp theo ngưỡng giảm dần")
        return tiers


class CappedCountRule(Model):
    """Each counted item earns points_each, the total capped at max (huyện 8.5)."""

    kind: Literal["capped-count"]
    field: str
    points_each: float = Field(gt=0)
    # Optional field the count cannot exceed (items listed ≥ items effective).
    of: str | None = None


class GrowthRule(Model):
    """Growth of a rate against the previous period: g = (current − previous) / previous;
    g ≥ target → max, else g/target × max, never below 0."""

    kind: Literal["growth"]
    current: str
    previous: str
    target: float = Field(gt=0)


class MinMaxRule(Model):
    """Min-Max over all units of the same set and period with data:
    (x − min) / (max − min) × max points."""

    kind: Literal["min-max"]
    measure: Measure


class Part(Model):
    weight: float = Field(gt=0, le=1)
    rule: "PartRule"


class PartsRule(Model):
    """Additive parts: points = Σ weight × part's fraction × max."""

    kind: Literal["parts"]
    parts: tuple[Part, ...] = Field(min_length=2)

    @field_validator("parts")
    @classmethod
    def _weights_sum_to_one(cls, parts):
        if abs(sum(p.weight for p in parts) - 1) > POINT_TOLERANCE:
            raise ValueError("tổng trọng số các phần phải bằng 1")
        return parts


PartRule = Annotated[Union[ChoiceRule, RatioRule, TiersRule], Field(discriminator="kind")]
Rule = Annotated[
    Union[ChoiceRule, RatioRule, TiersRule, CappedCountRule, GrowthRule, MinMaxRule, PartsRule],
    Field(discriminator="kind"),
]
Part.model_rebuild()


def rule_fields(rule) -> tuple[str, ...]:
    """Every field id a rule reads, in the order it names them."""
    if isinstance(rule, ChoiceRule):
        return (rule.field,)
    if isinstance(rule, RatioRule):
        return rule.numerator + rule.denominator
    if isinstance(rule, TiersRule):
        return ((rule.gate,) if rule.gate else ()) + rule.measure.fields
    if isinstance(rule, CappedCountRule):
        return (rule.field,) + ((rule.of,) if rule.of else ())
    if isinstance(rule, GrowthRule):
        return (rule.current, rule.previous)
    if isinstance(rule, MinMaxRule):
        return rule.measure.fields
    if isinstance(rule, PartsRule):
        return tuple(f for part in rule.parts for f in rule_fields(part.rule))
    raise TypeError(rule)


class Note(Model):
    """An interpretation or erratum decision; reports print these."""

    id: str
    text: str


class Criterion(Model):
    id: str
    name: str
    max_points: float = Field(ge=0)
    method: str
    fields: tuple[InputField, ...] = Field(min_length=1)
    rule: Rule
    notes: tuple[Note, ...] = ()

    @model_validator(mode="after")
    def _rule_reads_own_fields(self):
        own = {f.id for f in self.fields}
        for fid in own:
            if fid != self.id and not fid.startswith(self.id + "."):
                raise ValueError(f"trường {fid} không thuộc tiêu chí {self.id}")
        missing = [f for f in rule_fields(self.rule) if f not in own]
        if missing:
            raise ValueError(f"quy tắc dùng trường không khai báo: {', '.join(missing)}")
        unused = [f for f in own if f not in rule_fields(self.rule)]
        if unused:
            raise ValueError(f"trường khai báo mà quy tắc không dùng: {', '.join(unused)}")
        return self


class MainIndex(Model):
    id: str
    name: str
    max_points: float = Field(ge=0)
    group: str | None = None
    criteria: tuple[Criterion, ...] = Field(min_length=1)


class InfoField(Model):
    """General information (Thông tin chung): collected, never scored."""

    id: str
    label: str
    type: FieldType


class Source(Model):
    decision: str
    date: dt.date
    issuer: str
    appendix: str


class Expected(Model):
    main_indices: int
    criteria: int


class IndicatorSet(Model):
    id: str
    version: str
    title: str
    source: Source
    level: str
    total_points: float
    expected: Expected
    notes: tuple[Note, ...] = ()
    info_fields: tuple[InfoField, ...] = ()
    indices: tuple[MainIndex, ...]

    # Cached: scoring and reading ask for these for every workbook of a batch.
    @cached_property
    def criteria(self) -> list[Criterion]:
        return [c for index in self.indices for c in index.criteria]

    @cached_property
    def fields(self) -> dict[str, InputField]:
        return {f.id: f for c in self.criteria for f in c.fields}

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    def criterion_of_field(self) -> dict[str, str]:
        return self._criterion_of_field

    @cached_property
    def _criterion_of_field(self) -> dict[str, str]:
        return {f.id: c.id for c in self.criteria for f in c.fields}

    def index_of_criterion(self) -> dict[str, str]:
        return {c.id: index.id for index in self.indices for c in index.criteria}


def check_tree(indicator_set: IndicatorSet) -> list[tuple[str, str]]:
    """Structural checks the schema cannot express; returns (path, message) pairs."""
    problems: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for i, index in enumerate(indicator_set.indices):
        index_path = f"indices[{i}] ({index.id})"
        component_sum = sum(c.max_points for c in index.criteria)
        if abs(component_sum - index.max_points) > POINT_TOLERANCE:
            problems.append((index_path, f"tổng điểm các chỉ số thành phần {component_sum:g} khác điểm chỉ số chính {index.max_points:g}"))
        for j, criterion in enumerate(index.criteria):
            path = f"{index_path}.criteria[{j}] ({criterion.id})"
            if not criterion.id.startswith(index.id + "."):
                problems.append((path, f"mã tiêu chí {criterion.id} không thuộc chỉ số chính {index.id}"))
            for field in criterion.fields:
                if field.id in seen:
                    problems.append((path, f"mã trường {field.id} trùng với {seen[field.id]}"))
                seen[field.id] = path
    total = sum(index.max_points for index in indicator_set.indices)
    if abs(total - indicator_set.total_points) > POINT_TOLERANCE:
        problems.append(("total_points", f"tổng điểm các chỉ số chính {total:g} khác tổng điểm bộ chỉ số {indicator_set.total_points:g}"))
    if len(indicator_set.indices) != indicator_set.expected.main_indices:
        problems.append(("indices", f"có {len(indicator_set.indices)} chỉ số chính, quyết định quy định {indicator_set.expected.main_indices}"))
    if len(indicator_set.criteria) != indicator_set.expected.criteria:
        problems.append(("indices", f"có {len(indicator_set.criteria)} chỉ số thành phần, quyết định quy định {indicator_set.expected.criteria}"))
    return problems


def _error_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def load_set_file(path: Path | str, source_name: str | None = None) -> IndicatorSet:
    path = Path(path)
    source = source_name or path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(source, "", f"không đọc được tệp YAML: {exc}") from exc
    return parse_set(raw, source)


def parse_set(raw, source: str):
    """An indicator set, or a target set when the file says `kind: targets`."""
    from dti_report.forms.targets import TargetSet, check_target_tree  # the target model builds on this module

    is_targets = isinstance(raw, dict) and raw.get("kind") == "targets"
    model, checker = (TargetSet, check_target_tree) if is_targets else (IndicatorSet, check_tree)
    try:
        indicator_set = model.model_validate(nfc_tree(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CatalogError(source, _error_path(first["loc"]), first["msg"]) from exc
    problems = checker(indicator_set)
    if problems:
        where, message = problems[0]
        raise CatalogError(source, where, message)
    return indicator_set


@lru_cache(maxsize=None)
def builtin_sets() -> dict[str, IndicatorSet]:
    sets: dict[str, IndicatorSet] = {}
    for entry in sorted(resources.files(SETS_PACKAGE).iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            with resources.as_file(entry) as file_path:
                indicator_set = load_set_file(file_path, f"{SETS_PACKAGE}/{entry.name}")
            if indicator_set.id in sets:
                raise CatalogError(entry.name, "id", f"bộ chỉ số {indicator_set.id} khai báo hai lần")
            sets[indicator_set.id] = indicator_set
    return sets


class UnknownSetError(KeyError):
    def __init__(self, set_id: str):
        self.set_id = set_id
        super().__init__(set_id)

    def __str__(self) -> str:
        from dti_report.forms.plans import builtin_plans

        known = ", ".join(sorted(builtin_sets()) + sorted(builtin_plans()))
        return f"Không có bộ chỉ số '{self.set_id}'. Các bộ chỉ số hiện có: {known}"


def get_set(set_id: str):
    """An indicator or target set, else a plan (tasks, assignments) of that id."""
    if set_id in builtin_sets():
        return builtin_sets()[set_id]
    from dti_report.forms.plans import builtin_plans  # plans build on this module

    if set_id in builtin_plans():
        return builtin_plans()[set_id]
    raise UnknownSetError(set_id)
