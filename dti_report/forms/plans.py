"""Plans as data: task sets (a plan's key tasks with deadlines, lead and
coordinating agencies) and assignment sets (which agency follows which
criterion of an index, how often), as KH 68/KH-UBND, QĐ 79 Phụ lục III and
Ninh Thuận's KH 4233/KH-UBND give them.

Agencies are written as the plan names them (proper Vietnamese); the registry
maps names to units (units.Registry.unit_for_name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Literal

from pydantic import Field, model_validator

from dti_report.forms.catalog import InputField, Model, Note, Option

DEADLINE_PATTERNS = {
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "month": r"^\d{4}-(0[1-9]|1[0-2])$",
    "quarter": r"^\d{4}-Q[1-4]$",
    "year": r"^\d{4}$",
}


class Deadline(Model):
    """A deadline as data: a date, a month, a quarter, a year; or "thường xuyên"
    (continuous), "theo tiến độ dự án" (project), "đã ban hành" (issued)."""

    kind: Literal["date", "month", "quarter", "year", "continuous", "project", "issued"]
    value: str | None = None
    text: str  # as the plan writes it

    @model_validator(mode="after")
    def _value_matches_kind(self):
        pattern = DEADLINE_PATTERNS.get(self.kind)
        if pattern is None:
            if self.value is not None:
                raise ValueError(f"hạn '{self.kind}' không có giá trị")
        elif self.value is None or not re.match(pattern, self.value):
            raise ValueError(f"hạn kiểu {self.kind} cần giá trị dạng {pattern}, nhận '{self.value}'")
        return self


class PlanSource(Model):
    document: str          # "Kế hoạch số 68/KH-UBND"
    date: str              # "2021-03-10"
    issuer: str
    appendix: str | None = None


class Task(Model):
    id: str
    content: str
    deadline: Deadline
    lead: tuple[str, ...] = Field(min_length=1)
    coordinating: tuple[str, ...] = ()
    product: str | None = None   # the expected output, where the plan names one
    note: str | None = None


class TaskGroup(Model):
    id: str
    name: str
    tasks: tuple[Task, ...]


class TaskSet(Model):
    kind: Literal["tasks"]
    id: str
    version: str
    title: str
    source: PlanSource
    expected: dict[str, int]        # {"tasks": 30}
    notes: tuple[Note, ...] = ()
    groups: tuple[TaskGroup, ...]

    @cached_property
    def tasks(self) -> list[Task]:
        return [t for g in self.groups for t in g.tasks]

    # What the workbook reader needs: the fields a lead agency reports for each task.
    info_fields: tuple = ()

    @cached_property
    def criteria(self) -> list:
        return [_PlanItem(t.id, t.content, task_fields(t.id)) for t in self.tasks]

    def item_leads(self) -> dict[str, tuple[str, ...]]:
        return {t.id: t.lead for t in self.tasks}

    @cached_property
    def fields(self) -> dict[str, InputField]:
        return {f.id: f for c in self.criteria for f in c.fields}

    def criterion_of_field(self) -> dict[str, str]:
        return {f.id: c.id for c in self.criteria for f in c.fields}


class AssignedCriterion(Model):
    id: str
    name: str
    max_points: float | None = None
    frequency: Literal["Quý", "Năm", "6 tháng", "Tháng"] | None = None
    lead: tuple[str, ...] = ()
    coordinating: tuple[str, ...] = ()
    unit: str | None = None         # what is measured ("%", "số lượng"…)
    note: str | None = None         # e.g. "Đánh giá qua phỏng vấn chuyên gia"
    criteria: tuple["AssignedCriterion", ...] = ()  # sub-criteria (5.12.1 …)


AssignedCriterion.model_rebuild()


class AssignedComponent(Model):
    id: str
    name: str
    max_points: float | None = None
    criteria: tuple[AssignedCriterion, ...] = ()


class AssignedIndex(Model):
    id: str
    name: str
    max_points: float | None = None
    lead: tuple[str, ...] = ()
    components: tuple[AssignedComponent, ...] = ()
    criteria: tuple[AssignedCriterion, ...] = ()   # criteria directly under the index (no component level)


class Pillar(Model):
    id: str
    name: str
    max_points: float | None = None
    indices: tuple[AssignedIndex, ...]


class InfoItem(Model):
    id: str
    name: str
    lead: tuple[str, ...] = ()


class BaselineFigure(Model):
    name: str
    value: float
    rank: int | None = None


class Baseline(Model):
    year: int
    index: BaselineFigure                 # DTI overall
    of: int | None = None                 # ranked among (63 provinces)
    pillars: tuple[BaselineFigure, ...] = ()
    note: str | None = None
    # Who reports the current figures beside the baseline (the agency that follows the
    # overall index); none named: the plan's workbooks do not ask for them.
    lead: tuple[str, ...] = ()

    @property
    def figures(self) -> list[BaselineFigure]:
        """The overall index first, then the pillars: the order of the "kq.<n>" items."""
        return [self.index, *self.pillars]


class AssignmentSet(Model):
    kind: Literal["assignments"]
    id: str
    version: str
    title: str
    source: PlanSource
    expected: dict[str, float]            # e.g. {"pillars": 3, "main_indices": 9, "criteria": 100, "total_points": 1000}
    notes: tuple[Note, ...] = ()
    general_info: tuple[InfoItem, ...] = ()
    pillars: tuple[Pillar, ...]
    baseline: Baseline | None = None

    @cached_property
    def indices(self) -> list[AssignedIndex]:
        return [i for p in self.pillars for i in p.indices]

    @cached_property
    def assigned(self) -> list[AssignedCriterion]:
        """Every criterion an agency follows, sub-criteria after their parent."""
        out: list[AssignedCriterion] = []

        def walk(items):
            for c in items:
                out.append(c)
                walk(c.criteria)

        for index in self.indices:
            walk(index.criteria)
            for component in index.components:
                walk(component.criteria)
        return out

    # What the workbook reader needs: per criterion, what the responsible agency reports
    # (a value with its evidence and status), or for a points index, its self-assessed points.
    info_fields: tuple = ()
    scoring: Literal["points"] | None = None

    @cached_property
    def criteria(self) -> list:
        """What a workbook asks, in order: each assigned criterion; then, when the plan has a
        baseline with a lead, the current figures beside it ("kq.<n>", see result_items); then
        one box for the agency's difficulties and proposals on its criteria as a whole."""
        if self.scoring == "points":
            return [_PlanItem(c.id, c.name, points_fields(c)) for c in self.assigned if c.max_points is not None and not c.criteria]
        return ([_PlanItem(c.id, c.name, assignment_fields(c.id)) for c in self.assigned] + self.result_items
                + [_PlanItem(PROPOSALS, PROPOSALS_LABEL, (proposals_field(),))])

    @cached_property
    def result_items(self) -> list:
        """One item per baseline figure (overall index "kq.1", then each pillar "kq.2" …):
        its value and rank for the period, asked of the baseline's lead agency only."""
        if self.baseline is None or not self.baseline.lead or self.scoring == "points":
            return []
        return [_PlanItem(f"{RESULT_PREFIX}{n}", figure.name, result_fields(f"{RESULT_PREFIX}{n}", self.baseline.of))
                for n, figure in enumerate(self.baseline.figures, start=1)]

    def item_leads(self) -> dict[str, tuple[str, ...]]:
        """Item id -> the agencies (as the plan names them) that answer it. The proposals box
        is not here: every agency answering anything gets it (plan_templates.items_for)."""
        leads = {c.id: c.lead for c in self.assigned}
        leads.update({item.id: self.baseline.lead for item in self.result_items})
        return leads

    @cached_property
    def fields(self) -> dict[str, InputField]:
        return {f.id: f for c in self.criteria for f in c.fields}

    def criterion_of_field(self) -> dict[str, str]:
        return {f.id: c.id for c in self.criteria for f in c.fields}


@dataclass(frozen=True)
class _PlanItem:
    """A task or an assigned criterion, as the workbook reader sees a criterion."""

    id: str
    name: str
    fields: tuple[InputField, ...]
    rule: None = None


TASK_STATUSES = (
    Option(label="Hoàn thành", fraction=1),
    Option(label="Đang thực hiện", fraction=0.5),
    Option(label="Chưa thực hiện", fraction=0),
)
TASK_STATUS, TASK_DATE, TASK_DOCUMENT, TASK_ISSUES = ".trang-thai", ".ngay-hoan-thanh", ".van-ban", ".kho-khan"
ASSIGNMENT_STATUSES = (
    Option(label="Đã có số liệu", fraction=1),
    Option(label="Đang tổng hợp", fraction=0.5),
    Option(label="Chưa có số liệu", fraction=0),
)
VALUE, EVIDENCE, STATUS, POINTS = ".gia-tri", ".minh-chung", ".tinh-trang", ".diem"
RANK = ".xep-hang"
RESULT_PREFIX = "kq."
PROPOSALS = "de-xuat"
PROPOSALS_LABEL = "Khó khăn, vướng mắc và đề xuất, kiến nghị (chung cho các chỉ tiêu được phân công)"


def task_fields(task_id: str) -> tuple[InputField, ...]:
    return (
        InputField(id=task_id + TASK_STATUS, label="Tình trạng thực hiện", type="choice", options=TASK_STATUSES),
        InputField(id=task_id + TASK_DATE, label="Ngày hoàn thành (ngày/tháng/năm)", type="text"),
        InputField(id=task_id + TASK_DOCUMENT, label="Văn bản, sản phẩm (số, ngày văn bản; đường dẫn)", type="text"),
        InputField(id=task_id + TASK_ISSUES, label="Khó khăn, vướng mắc và đề xuất, kiến nghị", type="text"),
    )


def assignment_fields(criterion_id: str) -> tuple[InputField, ...]:
    return (
        InputField(id=criterion_id + VALUE, label="Giá trị, kết quả của chỉ tiêu", type="text"),
        InputField(id=criterion_id + EVIDENCE, label="Tài liệu kiểm chứng (số, ngày văn bản; đường dẫn)", type="text"),
        InputField(id=criterion_id + STATUS, label="Tình trạng", type="choice", options=ASSIGNMENT_STATUSES),
    )


def result_fields(item_id: str, of: int | None) -> tuple[InputField, ...]:
    among = f" (trên {of} tỉnh, thành phố)" if of else ""
    return (
        InputField(id=item_id + VALUE, label="Giá trị chỉ số của kỳ báo cáo (từ 0 đến 1)", type="decimal"),
        InputField(id=item_id + RANK, label=f"Xếp hạng{among}", type="integer"),
    )


def proposals_field() -> InputField:
    return InputField(id=PROPOSALS + TASK_ISSUES, label="Khó khăn, vướng mắc và đề xuất, kiến nghị", type="text")


def points_fields(criterion: "AssignedCriterion") -> tuple[InputField, ...]:
    return (
        InputField(id=criterion.id + POINTS, label=f"Điểm tự đánh giá (tối đa {criterion.max_points:g})", type="decimal"),
        InputField(id=criterion.id + EVIDENCE, label="Tài liệu kiểm chứng (số, ngày văn bản; đường dẫn)", type="text"),
    )


def load_plan(path) -> TaskSet | AssignmentSet:
    """A plan file: kind "tasks" or "assignments"; errors name the file and the path inside."""
    from pathlib import Path

    import yaml
    from pydantic import ValidationError

    from dti_report.core.text import nfc_tree
    from dti_report.forms.catalog import CatalogError, _error_path

    path = Path(path)
    try:
        raw = nfc_tree(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(path.name, "", f"không đọc được tệp YAML: {exc}") from exc
    model = {"tasks": TaskSet, "assignments": AssignmentSet}.get(raw.get("kind") if isinstance(raw, dict) else None)
    if model is None:
        raise CatalogError(path.name, "kind", "cần 'tasks' hoặc 'assignments'")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CatalogError(path.name, _error_path(first["loc"]), first["msg"]) from exc


@lru_cache(maxsize=None)
def builtin_plans() -> dict[str, TaskSet | AssignmentSet]:
    """The plans shipped in dti_report/data/plans (loaded apart from the scored sets,
    so a plan file being edited cannot stop scoring)."""
    plans: dict = {}
    for entry in sorted(resources.files("dti_report.data.plans").iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            with resources.as_file(entry) as path:
                plan = load_plan(path)
            plans[plan.id] = plan
    return plans
