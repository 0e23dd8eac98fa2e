"""DTI indicator sets: main indices (optionally under pillars) → scored criteria.

Two shapes of decision are held:
- QĐ 79 (HCM DTI): each main index lists its component criteria, each with its
  input fields, its scoring rule and the decision's method text;
- the 2021 district index (seed 001): pillar → main index → component →
  criterion with printed points and no formula. Each criterion is one
  self-assessed item (the unit enters points within the maximum, Sở TTTT
  verifies); a component whose criteria lost their points in the scan is one
  item at the component's printed maximum; components printed without any
  points share one item at what their main index leaves (`shared`).

Loading checks the tree against the decision's counts and totals, so a
transcription slip is caught when the file is read, not when a report is wrong.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import ClassVar

from pydantic import Field, model_validator

from dti_report.forms.base import POINT_TOLERANCE, Form, InputField, Model, Note, Section
from dti_report.forms.rules import AnyRule, SelfPointsRule

SELF_POINTS_SUFFIX = ".diem"


class Criterion(Model):
    """One scored item: its fields, its rule and the decision's method text."""

    id: str
    name: str
    max_points: float = Field(ge=0)
    method: str = ""
    fields: tuple[InputField, ...] = Field(min_length=1)
    rule: AnyRule
    notes: tuple[Note, ...] = ()

    @model_validator(mode="after")
    def _rule_reads_own_fields(self):
        own = {f.id for f in self.fields}
        for fid in own:
            if fid != self.id and not fid.startswith(self.id + "."):
                raise ValueError(f"trường {fid} không thuộc tiêu chí {self.id}")
        missing = [f for f in self.rule.fields if f not in own]
        if missing:
            raise ValueError(f"quy tắc dùng trường không khai báo: {', '.join(missing)}")
        unused = [f for f in own if f not in self.rule.fields]
        if unused:
            raise ValueError(f"trường khai báo mà quy tắc không dùng: {', '.join(unused)}")
        return self

    @property
    def description(self) -> str:
        return self.method


def self_assessed(item_id: str, name: str, max_points: float, method: str, notes: tuple[Note, ...] = ()) -> Criterion:
    """An item the unit scores itself: one points field bounded by the maximum."""
    field = InputField(id=item_id + SELF_POINTS_SUFFIX, label=f"Điểm tự đánh giá (từ 0 đến {max_points:g})",
                       type="decimal", maximum=max_points)
    return Criterion(id=item_id, name=name, max_points=max_points, method=method, fields=(field,),
                     rule=SelfPointsRule(kind="self-points", field=field.id), notes=notes)


class PrintedCriterion(Model):
    """A criterion as the 2021 table prints it: a name and, where the scan kept it, points."""

    id: str
    name: str
    max_points: float | None = Field(default=None, ge=0)
    note: str | None = None


class Component(Model):
    id: str
    name: str
    max_points: float | None = Field(default=None, ge=0)
    # The criteria lost their points in the scan: the unit assesses the component as one item.
    score_as_one: bool = False
    note: str | None = None
    criteria: tuple[PrintedCriterion, ...] = ()


class SharedItem(Model):
    """Components printed without points, assessed together at what their main index leaves."""

    id: str
    name: str
    max_points: float = Field(ge=0)
    components: tuple[str, ...] = Field(min_length=1)
    note: str | None = None


class MainIndex(Model):
    id: str
    name: str
    max_points: float = Field(ge=0)
    group: str | None = None
    pillar: str | None = None
    criteria: tuple[Criterion, ...] = ()
    components: tuple[Component, ...] = ()
    shared: tuple[SharedItem, ...] = ()

    @model_validator(mode="after")
    def _has_items(self):
        if not (self.criteria or self.components):
            raise ValueError(f"chỉ số {self.id} không có tiêu chí nào")
        return self

    @cached_property
    def items(self) -> tuple[Criterion, ...]:
        """The scored items in the table's order."""
        if not self.components:
            return self.criteria
        out: list[Criterion] = list(self.criteria)
        shared_at = {s.components[0]: s for s in self.shared}
        in_shared = {c for s in self.shared for c in s.components}
        by_id = {c.id: c for c in self.components}
        for comp in self.components:
            if comp.id in shared_at:
                s = shared_at[comp.id]
                listed = "; ".join(f"{c} {by_id[c].name}" for c in s.components if c in by_id)
                notes = (Note(id=s.id, text=s.note),) if s.note else ()
                out.append(self_assessed(s.id, s.name, s.max_points,
                                         f"Tự đánh giá chung cho các chỉ số thành phần: {listed}", notes))
            elif comp.id in in_shared:
                continue
            elif comp.score_as_one:
                listed = "; ".join(f"{c.id} {c.name}" for c in comp.criteria)
                notes = (Note(id=comp.id, text=comp.note),) if comp.note else ()
                out.append(self_assessed(comp.id, comp.name, comp.max_points or 0,
                                         f"Tự đánh giá chung cho các tiêu chí: {listed}" if listed else "", notes))
            else:
                out.extend(self_assessed(c.id, c.name, c.max_points or 0, "",
                                         (Note(id=c.id, text=c.note),) if c.note else ()) for c in comp.criteria)
        return tuple(out)

    def component_of(self) -> dict[str, str]:
        """Item id → its component id (itself for a component item, "" for a shared one)."""
        out = {}
        shared = {s.id for s in self.shared}
        for comp in self.components:
            out[comp.id] = comp.id
            for c in comp.criteria:
                out[c.id] = comp.id
        return {item.id: ("" if item.id in shared else out.get(item.id, "")) for item in self.items}


class Pillar(Model):
    id: str
    name: str
    max_points: float = Field(ge=0)
    # A file may nest its main indices here; the set holds them flat (IndicatorSet._flatten_pillars).
    indices: tuple[dict, ...] = Field(default=(), exclude=True)


class InfoField(Model):
    """General information (Thông tin chung): collected, never scored."""

    id: str
    label: str
    type: str

    def as_field(self) -> InputField:
        return InputField(id=self.id, label=self.label, type=self.type)


class Source(Model):
    decision: str
    date: dt.date | None = None  # None: the scan left the day blank
    issuer: str
    appendix: str


class Expected(Model):
    main_indices: int
    criteria: int
    components: int | None = None
    pillars: int | None = None


class IndicatorSet(Form):
    kind: ClassVar[str] = "indicators"
    sheet_subject: ClassVar[str] = "Mẫu nhập số liệu tự đánh giá Chỉ số chuyển đổi số"
    warns_blank: ClassVar[bool] = True

    source: Source
    level: str
    total_points: float
    expected: Expected
    info: tuple[InfoField, ...] = Field(default=(), alias="info_fields")
    pillars: tuple[Pillar, ...] = ()
    indices: tuple[MainIndex, ...] = ()  # or nested under `pillars`
    # QĐ 79 II.2c: a criterion that does not apply to the unit gets full points.
    # A decision without that rule (the 2021 district index) sets this false.
    not_applicable: bool = True

    @model_validator(mode="before")
    @classmethod
    def _flatten_pillars(cls, raw):
        """A file may nest main indices under their pillars; the model holds them flat,
        each naming its pillar."""
        if isinstance(raw, dict) and raw.get("pillars") and any("indices" in p for p in raw["pillars"] if isinstance(p, dict)):
            raw = dict(raw)
            indices = list(raw.get("indices") or [])
            pillars = []
            for p in raw["pillars"]:
                p = dict(p)
                indices += [{**index, "pillar": p.get("id")} for index in p.pop("indices", [])]
                pillars.append(p)
            raw["pillars"], raw["indices"] = pillars, indices
        return raw

    @property
    def decision_text(self) -> str:
        """"Quyết định số 79/QĐ-UBND ngày 10/01/2023 của …"; without its day where the source left it blank."""
        src = self.source
        day = f" ngày {src.date:%d/%m/%Y}" if src.date else ""
        return f"Quyết định số {src.decision}{day} của {src.issuer}"

    @property
    def source_text(self) -> str:
        return f"{self.source.appendix}, {self.decision_text}"

    @cached_property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for index in self.indices for c in index.items)

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        return tuple(Section(index.id, index.name, index.items, index.max_points) for index in self.indices)

    @cached_property
    def info_fields(self) -> tuple[InputField, ...]:
        return tuple(f.as_field() for f in self.info)

    @property
    def allows_not_applicable(self) -> bool:  # type: ignore[override]
        return self.not_applicable

    def criterion(self, criterion_id: str) -> Criterion:
        return self.item_by_id[criterion_id]

    def index_of_criterion(self) -> dict[str, str]:
        return {c.id: index.id for index in self.indices for c in index.items}

    def pillar_of_index(self) -> dict[str, str]:
        return {index.id: index.pillar or "" for index in self.indices}

    def component_of_criterion(self) -> dict[str, str]:
        return {k: v for index in self.indices for k, v in index.component_of().items()}

    def items_for(self, unit, registry) -> list:
        return list(self.items) if registry.assesses(unit, self.id) else []

    def item_rule_key(self, item) -> object:
        return {"max_points": item.max_points, "rule": item.rule.model_dump(mode="json")}

    def structure_problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if not self.indices:
            return [("indices", "bộ chỉ số không có chỉ số chính nào")]
        seen: dict[str, str] = {}
        pillar_ids = {p.id for p in self.pillars}
        for i, index in enumerate(self.indices):
            index_path = f"indices[{i}] ({index.id})"
            if self.pillars and index.pillar not in pillar_ids:
                problems.append((index_path, f"chỉ số {index.id} không thuộc trụ cột nào"))
            problems += _component_problems(index, index_path)
            item_sum = sum(c.max_points for c in index.items)
            if abs(item_sum - index.max_points) > POINT_TOLERANCE:
                problems.append((index_path, f"tổng điểm các tiêu chí {item_sum:g} khác điểm chỉ số chính {index.max_points:g}"))
            for j, criterion in enumerate(index.items):
                path = f"{index_path}.criteria[{j}] ({criterion.id})"
                if not criterion.id.startswith(index.id + "."):
                    problems.append((path, f"mã tiêu chí {criterion.id} không thuộc chỉ số chính {index.id}"))
                for f in criterion.fields:
                    if f.id in seen:
                        problems.append((path, f"mã trường {f.id} trùng với {seen[f.id]}"))
                    seen[f.id] = path
        for p in self.pillars:
            total = sum(index.max_points for index in self.indices if index.pillar == p.id)
            if abs(total - p.max_points) > POINT_TOLERANCE:
                problems.append((f"pillars ({p.id})", f"tổng điểm các chỉ số chính {total:g} khác điểm trụ cột {p.max_points:g}"))
        total = sum(index.max_points for index in self.indices)
        if abs(total - self.total_points) > POINT_TOLERANCE:
            problems.append(("total_points", f"tổng điểm các chỉ số chính {total:g} khác tổng điểm bộ chỉ số {self.total_points:g}"))
        counts = {"main_indices": len(self.indices), "criteria": self.printed_criteria_count,
                  "components": sum(len(index.components) for index in self.indices), "pillars": len(self.pillars)}
        labels = {"main_indices": "chỉ số chính", "criteria": "tiêu chí", "components": "chỉ số thành phần",
                  "pillars": "trụ cột"}
        for key, label in labels.items():
            expected = getattr(self.expected, key)
            if expected is not None and counts[key] != expected:
                problems.append((f"expected.{key}", f"có {counts[key]} {label}, quyết định quy định {expected}"))
        return problems

    @property
    def printed_criteria_count(self) -> int:
        """The decision's own count: its criteria as printed (a component item counts its criteria)."""
        return sum(len(index.criteria) + sum(max(len(c.criteria), 1) for c in index.components)
                   for index in self.indices)


def _component_problems(index: MainIndex, index_path: str) -> list[tuple[str, str]]:
    problems = []
    by_id = {c.id: c for c in index.components}
    in_shared = {}
    for s in index.shared:
        for cid in s.components:
            if cid not in by_id:
                problems.append((f"{index_path}.shared ({s.id})", f"chỉ số thành phần {cid} không có trong chỉ số {index.id}"))
            in_shared[cid] = s.id
    for comp in index.components:
        path = f"{index_path}.components ({comp.id})"
        printed = [c.max_points for c in comp.criteria]
        if comp.id in in_shared:
            if comp.max_points is not None or any(p is not None for p in printed):
                problems.append((path, f"chỉ số thành phần {comp.id} có điểm riêng, không được chấm chung ({in_shared[comp.id]})"))
        elif comp.score_as_one:
            if comp.max_points is None:
                problems.append((path, f"chấm chung chỉ số thành phần {comp.id} cần điểm tối đa của nó"))
        else:
            if comp.max_points is None or not comp.criteria or any(p is None for p in printed):
                problems.append((path, f"chỉ số thành phần {comp.id} thiếu điểm: chấm chung (score_as_one) "
                                       "hoặc ghi vào một mục shared"))
            elif abs(sum(printed) - comp.max_points) > POINT_TOLERANCE:
                problems.append((path, f"tổng điểm các tiêu chí {sum(printed):g} khác điểm chỉ số thành phần "
                                       f"{comp.max_points:g}"))
    return problems
