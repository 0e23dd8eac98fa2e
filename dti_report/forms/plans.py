"""Plans as data: task sets (a plan's key tasks with deadlines, lead and
coordinating agencies) and assignment sets (which agency follows which
criterion of an index, how often), as KH 68/KH-UBND, QĐ 79 Phụ lục III and
Ninh Thuận's KH 4233/KH-UBND give them.

Agencies are written as the plan names them (proper Vietnamese); the registry
maps names to units (units.Registry.unit_for_name).
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from dti_report.core import formatting
from dti_report.core.text import natural_key
from dti_report.forms.base import Form, InputField, Item, Model, Option, Section

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
    label: str | None = None   # the group's number in the plan's table ("I", "A"), where it has one


class TaskPart(Model):
    """A level above the groups, as a plan's table heads it ("B. Nhóm nhiệm vụ trọng tâm nâng cao
    Chỉ số DTI" over groups I–VIII): the groups whose id starts with "<id>." belong to it."""

    id: str
    name: str


_LEADS: dict[int, tuple] = {}


class Plan(Form):
    """What task sets and assignment sets share: a plan's source, and items answered
    by the agencies the plan names (by name, or a whole level named as one)."""

    source: PlanSource

    @property
    def source_text(self) -> str:
        return f"{self.source.appendix + ', ' if self.source.appendix else ''}{self.source.document}"

    def item_leads(self) -> dict[str, tuple[str, ...]]:
        raise NotImplementedError

    def lead_units(self, registry) -> dict[str, list[str]]:
        """Item id -> the registry units leading it; names the registry does not know map to nothing."""
        key = (id(registry), registry.id)
        cached = _LEADS.get(id(self))
        if cached is not None and cached[0] == key and cached[1] is registry:
            return cached[2]
        leads = self.item_leads()
        units = {n: [u.code for u in registry.units_for_agency(n)] for names in leads.values() for n in set(names)}
        found = {item: list(dict.fromkeys(code for n in names for code in units[n])) for item, names in leads.items()}
        _LEADS[id(self)] = (key, registry, found)  # every unit of a registry asks for its items
        return found

    def items_for(self, unit, registry) -> list:
        mine = {item for item, codes in self.lead_units(registry).items() if unit.code in codes}
        return [item for item in self.items if item.id in mine | self.shared_items(mine)]

    def shared_items(self, mine: set[str]) -> set[str]:
        """Items every answering agency also gets (the proposals box)."""
        return set()


class TaskSet(Plan):
    kind: ClassVar[str] = "tasks"
    sheet_subject: ClassVar[str] = "Mẫu báo cáo tiến độ nhiệm vụ"
    items_label: ClassVar[str] = "các nhiệm vụ"
    sheet_columns: ClassVar[dict[str, str]] = {"criterion": "STT", "content": "Nhiệm vụ, nội dung báo cáo",
                                               "description": "Thời hạn hoàn thành"}

    expected: dict[str, int]        # {"tasks": 30}
    groups: tuple[TaskGroup, ...]
    parts: tuple[TaskPart, ...] = ()

    @cached_property
    def tasks(self) -> list[Task]:
        return [t for g in self.groups for t in g.tasks]

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        return tuple(Section(g.id, g.name, tuple(Item(t.id, t.content, task_fields(t.id), f"Thời hạn: {t.deadline.text}")
                                                  for t in g.tasks)) for g in self.groups)

    def item_leads(self) -> dict[str, tuple[str, ...]]:
        return {t.id: t.lead for t in self.tasks}

    def structure_problems(self) -> list[tuple[str, str]]:
        expected = self.expected.get("tasks")
        if expected is not None and expected != len(self.tasks):
            return [("groups", f"có {len(self.tasks)} nhiệm vụ, kế hoạch có {expected}")]
        return []


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


class AssessmentGroup(Model):
    """A numbered row of a pillar's table after its main indices that assesses them again another
    way (KH 68: "8. Đánh giá trên không gian mạng …", "9. Đánh giá qua phỏng vấn chuyên gia"). Its
    rows are kept under the main index they assess ("1.8.3" under "1.3"); the criteria whose id is
    "<pillar>.<id>.<k>" are this group's, listed together after the main indices as the plan does."""

    id: str
    name: str


class Pillar(Model):
    id: str
    name: str
    max_points: float | None = None
    indices: tuple[AssignedIndex, ...]
    assessments: tuple[AssessmentGroup, ...] = ()

    def assessment_of(self, criterion_id: str) -> AssessmentGroup | None:
        return next((g for g in self.assessments if criterion_id.startswith(f"{self.id}.{g.id}.")), None)

    def blocks(self) -> list[tuple[AssignedIndex | AssessmentGroup, list[tuple[AssignedComponent | None,
                                                                          list[AssignedCriterion]]]]]:
        """The pillar in the plan's own order: each main index with its criteria (those right under
        it first, as a group without a component, then each component's), leaving out the rows of
        the assessment groups; then each assessment group with its rows, sorted by the number of
        the main index they assess."""
        out: list = []
        extra: dict[str, list[AssignedCriterion]] = {g.id: [] for g in self.assessments}
        for index in self.indices:
            own = []
            for c in index.criteria:
                group = self.assessment_of(c.id)
                (extra[group.id] if group else own).append(c)
            groups = ([(None, own)] if own else []) + [(comp, list(comp.criteria)) for comp in index.components]
            out.append((index, groups))
        for g in self.assessments:
            rows = sorted(extra[g.id], key=lambda c: natural_key(c.id))
            out.append((g, [(None, rows)]))
        return out


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


class AssignmentSet(Plan):
    kind: ClassVar[str] = "assignments"
    sheet_subject: ClassVar[str] = "Mẫu báo cáo chỉ tiêu được phân công"
    items_label: ClassVar[str] = "các chỉ tiêu"
    sheet_columns: ClassVar[dict[str, str]] = {"criterion": "Mã", "content": "Chỉ tiêu được phân công, nội dung báo cáo",
                                               "description": "Tần suất, điểm tối đa, ghi chú"}

    expected: dict[str, float]            # e.g. {"pillars": 3, "main_indices": 9, "criteria": 100, "total_points": 1000}
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

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        """What a workbook asks, in order: each assigned criterion, per pillar; then, when the
        plan has a baseline with a lead, the current figures beside it ("kq.<n>"); then one box
        for the agency's difficulties and proposals on its criteria as a whole."""
        sections = [Section(p.id, p.name, tuple(Item(c.id, c.name, assignment_fields(c.id), _describe(c))
                                                 for c in _walk_pillar(p))) for p in self.pillars]
        if self.result_items:
            sections.append(Section(RESULT_PREFIX, "Kết quả Chỉ số chuyển đổi số của kỳ báo cáo", self.result_items))
        sections.append(Section(PROPOSALS, PROPOSALS_LABEL, (Item(PROPOSALS, PROPOSALS_LABEL, (proposals_field(),),
                                "Ghi chung cho các chỉ tiêu đơn vị được phân công theo dõi (nếu có)"),)))
        return tuple(sections)

    @cached_property
    def result_items(self) -> tuple[Item, ...]:
        """One item per baseline figure (overall index "kq.1", then each pillar "kq.2" …):
        its value and rank for the period, asked of the baseline's lead agency only."""
        b = self.baseline
        if b is None or not b.lead:
            return ()
        items = []
        for n, figure in enumerate(b.figures, start=1):
            rank = (f", xếp hạng {figure.rank}" + (f"/{b.of}" if b.of else "")) if figure.rank else ""
            items.append(Item(f"{RESULT_PREFIX}{n}", figure.name, result_fields(f"{RESULT_PREFIX}{n}", b.of),
                              f"Năm {b.year}: {formatting.fixed(figure.value, 4)}{rank}"))
        return tuple(items)

    def item_leads(self) -> dict[str, tuple[str, ...]]:
        """Item id -> the agencies (as the plan names them) that answer it. The proposals box
        is not here: every agency answering anything gets it (shared_items)."""
        leads = {c.id: c.lead for c in self.assigned}
        leads.update({item.id: self.baseline.lead for item in self.result_items})
        return leads

    def shared_items(self, mine: set[str]) -> set[str]:
        return {PROPOSALS} if mine else set()

    def structure_problems(self) -> list[tuple[str, str]]:
        problems = []
        # The plan's own count leaves out sub-criteria (5.12.1 …).
        top = sum(len(index.criteria) + sum(len(c.criteria) for c in index.components) for index in self.indices)
        for key, count in (("pillars", len(self.pillars)), ("main_indices", len(self.indices)), ("criteria", top)):
            expected = self.expected.get(key)
            if expected is not None and expected != count:
                problems.append((f"expected.{key}", f"có {count}, kế hoạch có {expected:g}"))
        return problems


def _walk(items):
    for c in items:
        yield c
        yield from _walk(c.criteria)


def _walk_pillar(pillar: "Pillar"):
    for index in pillar.indices:
        yield from _walk(index.criteria)
        for component in index.components:
            yield from _walk(component.criteria)


def _describe(c: "AssignedCriterion") -> str:
    parts = [f"Điểm tối đa: {c.max_points:g}" if c.max_points is not None else "",
             f"Tần suất: {c.frequency}" if c.frequency else "", c.note or ""]
    return "; ".join(p for p in parts if p)


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
        InputField(id=task_id + TASK_DATE, label="Ngày hoàn thành (ngày/tháng/năm)", type="date"),
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
