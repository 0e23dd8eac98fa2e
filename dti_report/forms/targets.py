"""Target sets ("bảng theo dõi chỉ tiêu"): the city's targets, what units report
for them, how reports aggregate city-wide, and the monitoring table's cells.

A target set is read by the same workbook reader as a DTI set: it exposes
`fields`, `criteria` (one per input) and `criterion_of_field()`. Instead of
scoring, its values are aggregated (dti_report.targets) and rendered through
the placeholder grammar (dti_report.placeholders).
"""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar, Literal

from pydantic import model_validator

from dti_report.forms.base import Form, InputField, Item, Model, Option, Section
from dti_report.forms.placeholders import Resolver, find_placeholders

Aggregate = Literal["sum", "count-done", "responsible", "mean"]
DOCUMENT_SUFFIX = ".vb"


class Reporters(Model):
    """Who reports an input: whole levels of the registry and/or named units."""

    levels: tuple[str, ...] = ()
    units: tuple[str, ...] = ()

    def includes(self, unit) -> bool:
        return unit.code in self.units or unit.level in self.levels


class TargetInput(Model):
    id: str
    key: str                      # the placeholder key, as the monitoring table writes it
    aliases: tuple[str, ...] = ()  # other spellings the table uses for the same figure
    label: str
    type: Literal["integer", "decimal", "percent", "yes-no"]
    options: tuple[Option, ...] = ()
    document: bool = False        # a yes/no backed by a document: number and date asked beside it
    reporters: Reporters
    aggregate: Aggregate

    @model_validator(mode="after")
    def _consistent(self):
        if (self.type == "yes-no") != bool(self.options):
            raise ValueError(f"số liệu {self.id}: chỉ kiểu yes-no mới có lựa chọn")
        if self.aggregate == "count-done" and self.type != "yes-no":
            raise ValueError(f"số liệu {self.id}: count-done chỉ dùng cho kiểu yes-no")
        if not (self.reporters.levels or self.reporters.units):
            raise ValueError(f"số liệu {self.id}: chưa nói đơn vị nào báo cáo")
        return self

    @property
    def field(self) -> InputField:
        return InputField(id=self.id, label=self.label, type=self.type, options=self.options)

    @property
    def document_field(self) -> InputField | None:
        if not self.document:
            return None
        return InputField(id=self.id + DOCUMENT_SUFFIX, label=f"Số, ngày văn bản ({self.label[:60]}…)" if len(self.label) > 60
                          else f"Số, ngày văn bản ({self.label})", type="text")


class RatioDef(Model):
    name: str
    numerator: str
    denominator: str


class Target(Model):
    op: Literal[">=", ">", "<=", "="]
    value: float | None = None
    levels: dict[str, float] | None = None  # a minimum per level of the registry (18: 50%, 40%, 35%)
    # How the target names each level ("cấp xã"): a level may be in no registry of the period.
    level_names: dict[str, str] = {}
    text: str

    @model_validator(mode="after")
    def _one(self):
        if (self.value is None) == (self.levels is None):
            raise ValueError("chỉ tiêu cần đúng một trong hai: value hoặc levels")
        return self


class Evaluates(Model):
    key: str | None = None
    ratio: str | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.key is None) == (self.ratio is None):
            raise ValueError("evaluates cần đúng một trong hai: key hoặc ratio")
        return self


class Cells(Model):
    value: str = ""
    danhgia: str = ""
    ghichu: str = ""


class Row(Model):
    id: str
    text: str
    evaluates: Evaluates | None = None
    target: Target | None = None
    cells: Cells = Cells()
    rows: tuple["Row", ...] = ()
    # Sở TTTT's remark printed in the row's Ghi chú cell, where the original table needs one (a label
    # that says the opposite of the figure shown); the original cells stay as they are.
    remark: str = ""

    @model_validator(mode="after")
    def _target_with_subject(self):
        if (self.evaluates is None) != (self.target is None):
            raise ValueError(f"dòng {self.id}: evaluates và target phải đi cùng nhau")
        return self


class Group(Model):
    name: str
    targets: tuple[Row, ...]


class TargetSource(Model):
    document: str
    issuer: str


class TargetExpected(Model):
    targets: int


class TargetSet(Form):
    kind: ClassVar[str] = "targets"
    sheet_subject: ClassVar[str] = "Mẫu báo cáo số liệu theo dõi chỉ tiêu"
    sheet_columns: ClassVar[dict[str, str]] = {"criterion": "STT", "content": "Chỉ tiêu, số liệu báo cáo",
                                               "description": "Chỉ tiêu cần đạt"}
    received_text: ClassVar[str] = "Đã tiếp nhận số liệu; số liệu được tổng hợp vào bảng theo dõi chỉ tiêu."
    warns_blank: ClassVar[bool] = True

    source: TargetSource
    expected: TargetExpected
    inputs: tuple[TargetInput, ...]
    ratios: tuple[RatioDef, ...] = ()
    groups: tuple[Group, ...]

    @property
    def source_text(self) -> str:
        return f"{self.source.document}, {self.source.issuer}"

    @cached_property
    def targets(self) -> list[Row]:
        return [t for g in self.groups for t in g.targets]

    @cached_property
    def rows(self) -> list[Row]:
        """Every row of the table, sub-rows after their target, in table order."""
        out = []
        for target in self.targets:
            out.append(target)
            out.extend(target.rows)
        return out

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        """One band per table row that asks for figures: the row's text, its target, and the
        inputs it shows or evaluates that no earlier row asked for."""
        items = {i.id: Item(i.id, i.label, tuple(f for f in (i.field, i.document_field) if f)) for i in self.inputs}
        placed: set[str] = set()
        sections = []
        for group in self.groups:
            for target in group.targets:
                for row in (target, *target.rows):
                    ids = [self.input_by_key[k].id for k in self.keys_in(row)]
                    mine = tuple(items[i] for i in dict.fromkeys(ids) if i not in placed)
                    placed.update(i.id for i in mine)
                    if mine:
                        text = f"Chỉ tiêu: {row.target.text}" if row.target else ""
                        sections.append(Section(row.id, row.text, mine, None, text))
        rest = tuple(item for i, item in items.items() if i not in placed)
        if rest:
            sections.append(Section("", "Số liệu khác", rest, None))
        return tuple(sections)

    def group_of_section(self) -> dict[str, str]:
        """Table row id -> the name of its group, for the sheet's group bands."""
        return {row.id: group.name for group in self.groups for target in group.targets for row in (target, *target.rows)}

    def keys_in(self, row: "Row") -> list[str]:
        """The input keys a table row shows or evaluates, in reading order."""
        resolver = self.name_resolver
        keys: list[str] = []
        if row.evaluates and row.evaluates.key:
            keys.append(row.evaluates.key)
        if row.evaluates and row.evaluates.ratio:
            keys.extend(k for k in resolver.ratios.get(row.evaluates.ratio, ()) if k)
        for ph in find_placeholders(row.cells.value):
            canonical = resolver.resolve(ph).resolved
            keys.extend(part for part in canonical.replace("sodonvi", "", 1).split(".") if part in self.input_by_key)
        return [self.input_by_key[k].key for k in dict.fromkeys(keys) if k in self.input_by_key]

    @cached_property
    def name_resolver(self) -> Resolver:
        return Resolver(self)

    def items_for(self, unit, registry) -> list:
        """The figures this unit reports (the inputs name levels and units: no registry needed)."""
        mine = {i.id for i in self.inputs_for(unit)}
        return [item for item in self.items if item.id in mine]

    def structure_problems(self) -> list[tuple[str, str]]:
        return check_target_tree(self)

    @cached_property
    def input_by_key(self) -> dict[str, TargetInput]:
        out = {}
        for i in self.inputs:
            for key in (i.key, *i.aliases):
                out[key] = i
        return out

    def inputs_for(self, unit) -> list[TargetInput]:
        return [i for i in self.inputs if i.reporters.includes(unit)]


def check_target_tree(target_set: TargetSet) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if len(target_set.targets) != target_set.expected.targets:
        problems.append(("groups", f"có {len(target_set.targets)} chỉ tiêu, bảng gốc có {target_set.expected.targets}"))
    seen: dict[str, str] = {}
    for n, i in enumerate(target_set.inputs):
        for key in (i.key, *i.aliases, i.id):
            if key in seen:
                problems.append((f"inputs[{n}] ({i.id})", f"khóa hoặc mã '{key}' trùng với {seen[key]}"))
            seen[key] = i.id
    keys = target_set.input_by_key
    for n, r in enumerate(target_set.ratios):
        for part in (r.numerator, r.denominator):
            if part not in keys:
                problems.append((f"ratios[{n}] ({r.name})", f"khóa '{part}' không có trong inputs"))
    for row in target_set.rows:
        if row.evaluates and row.evaluates.key and row.evaluates.key not in keys:
            problems.append((f"dòng {row.id}", f"evaluates.key '{row.evaluates.key}' không có trong inputs"))
    return problems
