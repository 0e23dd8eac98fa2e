"""One model of "a form units fill": what every kind of set shares.

A form (a DTI indicator set, a target set, a task set, an assignment set) has an
id, a version, a title, a legal source and notes; it asks units ordered items,
each a few typed input fields; and it says who answers each item. Kinds differ
in how their items are grouped and how their values are evaluated, never in
how a workbook asks for them or how a typed value is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:  # annotations only: units build on this module
    from dti_report.forms.units import Registry, Unit

POINT_TOLERANCE = 1e-9

FieldType = Literal["integer", "decimal", "percent", "choice", "yes-no", "text", "date"]
NUMERIC_TYPES = frozenset({"integer", "decimal", "percent"})
CHOICE_TYPES = frozenset({"choice", "yes-no"})


class Model(BaseModel):
    # defer_build: a catalog read from its cache never validates, so the validators are
    # built on first validation, not when the models are defined.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Option(Model):
    label: str
    fraction: float = Field(ge=0, le=1)


class InputField(Model):
    """One cell a unit fills: typed, with its options and, for points, a maximum."""

    id: str
    label: str
    type: FieldType
    options: tuple[Option, ...] = ()
    unit: str | None = None  # what is counted: "cuộc họp", "văn bản"…
    maximum: float | None = None  # points a unit may give itself at most (self-assessed points)
    # Above this a value is taken for a slip (a wrong unit, digits typed twice), not a figure:
    # unset, the default of the field's type (forms.values.PLAUSIBLE_MAX) applies.
    plausible_max: float | None = None

    @model_validator(mode="after")
    def _options_match_type(self):
        if self.type in CHOICE_TYPES and len(self.options) < 2:
            raise ValueError(f"trường {self.id}: kiểu {self.type} cần ít nhất 2 lựa chọn")
        if self.type == "yes-no" and len(self.options) != 2:
            raise ValueError(f"trường {self.id}: kiểu yes-no cần đúng 2 lựa chọn (có trước, không sau)")
        if self.type not in CHOICE_TYPES and self.options:
            raise ValueError(f"trường {self.id}: chỉ kiểu choice/yes-no mới có lựa chọn")
        if (self.maximum is not None or self.plausible_max is not None) and self.type not in NUMERIC_TYPES:
            raise ValueError(f"trường {self.id}: chỉ trường số mới có giá trị tối đa")
        return self

    def sheet_key(self) -> dict:
        """What the sheet asks of this field: its id, type, options and bound, not its wording."""
        key = {"id": self.id, "type": self.type, "options": [(o.label, o.fraction) for o in self.options],
               "maximum": self.maximum}
        if self.plausible_max is not None:  # only when set: workbooks already sent out keep their fingerprint
            key["plausible_max"] = self.plausible_max
        return key


class Note(Model):
    """An interpretation or erratum decision; reports print these."""

    id: str
    text: str


@dataclass(frozen=True)
class Item:
    """One thing a unit answers: a task, a target figure, an assigned criterion.
    (A DTI criterion is a pydantic model with the same attributes.)"""

    id: str
    name: str
    fields: tuple[InputField, ...]
    description: str = ""  # what the sheet prints beside it: a deadline, a target, a maximum


@dataclass(frozen=True)
class Section:
    """A band of the input sheet: a heading and the items under it."""

    id: str
    name: str
    items: tuple
    max_points: float | None = None
    description: str = ""


class Form(Model):
    """The base every kind extends. Subclasses set `kind` and implement `sections`,
    `items_for` and `structure_problems`."""

    kind: ClassVar[str]
    # What the kind is called on the guide sheet ("Mẫu báo cáo tiến độ nhiệm vụ").
    sheet_subject: ClassVar[str] = "Mẫu báo cáo số liệu"
    # What a unit's feedback says of an accepted workbook that is not scored.
    received_text: ClassVar[str] = "Đã tiếp nhận báo cáo. Nội dung đơn vị đã báo cáo:"
    # The input sheet's own column headers for a form that reports rather than scores ("criterion",
    # "content", "description"; workbook.layout.REPORTED_COLUMNS); None: the scored layout, with
    # points, method and self-score.
    sheet_columns: ClassVar[dict[str, str] | None] = None

    id: str
    version: str
    title: str
    notes: tuple[Note, ...] = ()
    # The first reporting period this version is for ("2024", "2024-Q3", "2024-07"): new
    # templates of a period use the newest version that applies to it.
    applies_from: str | None = Field(default=None, pattern=r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$")

    # --- what a unit answers ---------------------------------------------------------

    @property
    def source_text(self) -> str:
        """The legal source in one line."""
        raise NotImplementedError

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        raise NotImplementedError

    @cached_property
    def items(self) -> tuple:
        """Every item in the order the sheet asks them."""
        return tuple(item for section in self.sections for item in section.items)

    @cached_property
    def info_fields(self) -> tuple[InputField, ...]:
        """General information asked before the items; collected, never evaluated."""
        return ()

    @cached_property
    def fields(self) -> dict[str, InputField]:
        return {f.id: f for item in self.items for f in item.fields}

    @cached_property
    def percent_field_ids(self) -> frozenset[str]:
        """Fields whose cell holds a fraction that reads as a percentage."""
        return frozenset(f.id for f in self.fields.values() if f.type == "percent")

    @cached_property
    def item_of_field(self) -> dict[str, str]:
        return {f.id: item.id for item in self.items for f in item.fields}

    @cached_property
    def item_by_id(self) -> dict[str, object]:
        return {item.id: item for item in self.items}

    # --- who answers ----------------------------------------------------------------

    def items_for(self, unit: "Unit", registry: "Registry") -> list:
        """The items this unit answers; empty when the form is not for it."""
        raise NotImplementedError

    def takes(self, unit: "Unit", registry: "Registry") -> bool:
        return bool(self.items_for(unit, registry))

    def expected_units(self, registry: "Registry") -> list["Unit"]:
        """The units awaited for this form in a period."""
        return [u for u in registry.units if self.takes(u, registry)]

    # --- rules of the sheet ---------------------------------------------------------

    # Whether a unit may mark an item "Không áp dụng" (QĐ 79 II.2c: full points).
    allows_not_applicable: ClassVar[bool] = False
    # Whether a blank value cell is worth a warning (a DTI criterion scores 0; a plan's
    # blank is just nothing to report yet).
    warns_blank: ClassVar[bool] = False

    def structure_problems(self) -> list[tuple[str, str]]:
        """Checks the schema cannot express, as (path, message) pairs."""
        return []

    def sheet_key(self) -> dict:
        """What a workbook made from this form asks: field ids, types, options, bounds and
        the rule inputs, in sheet order. Titles, notes and method texts are not part of it,
        so rewording them keeps workbooks already sent out valid."""
        return {"kind": self.kind, "id": self.id, "version": self.version,
                "info": [f.sheet_key() for f in self.info_fields],
                "items": [{"id": item.id, "fields": [f.sheet_key() for f in item.fields],
                           "rule": self.item_rule_key(item)} for item in self.items],
                "not_applicable": self.allows_not_applicable}

    def item_rule_key(self, item) -> object:
        return None
