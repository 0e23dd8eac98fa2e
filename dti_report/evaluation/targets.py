"""City-wide figures for a target set: what each unit reported, aggregated
(sum; units done out of units required; the responsible unit's value; mean;
ratios of sums), evaluated against the targets, with a generated note.

Everything is computed from `TargetData`, which is what results.json holds:
per input key, each reporting unit's value. So any template can be rendered
later from a run's results without rereading the workbooks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from dti_report.core import formatting
from dti_report.evaluation.unit_values import UnitValues
from dti_report.forms.targets import Evaluates, Target, TargetInput, TargetSet
from dti_report.forms.units import Registry

PASSED, FAILED, NO_DATA = "Đạt", "Chưa đạt", "Chưa có số liệu"
EPS = 1e-9
EMPTY = "–"  # a figure with nothing to show


@dataclass
class TargetData:
    """Per input key: unit -> value (None: required but no data). Plus who the units are."""

    set_id: str
    set_version: str
    period: str
    values: dict[str, dict[str, float | None]]
    units: dict[str, dict[str, str]]  # code -> {"name", "level"}
    levels: dict[str, str]            # level id -> name

    def to_json(self) -> dict:
        return {"set": self.set_id, "version": self.set_version, "period": self.period, "units": self.units,
                "levels": self.levels, "values": self.values}

    @classmethod
    def from_json(cls, data: dict) -> "TargetData":
        return cls(data["set"], data["version"], data["period"], data["values"], data["units"], data["levels"])


def collect(target_set: TargetSet, data: UnitValues | None, registry: Registry, period: str) -> TargetData:
    """Each required unit's value of each input; units that sent nothing are there with None."""
    values: dict[str, dict[str, float | None]] = {}
    for inp in target_set.inputs:
        required = [u for u in registry.units if inp.reporters.includes(u)]
        column = data.values[inp.id] if data is not None else None
        per_unit: dict[str, float | None] = {}
        for unit in required:
            v = column.get(unit.code) if column is not None else None
            per_unit[unit.code] = None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
        values[inp.key] = per_unit
    units = {u.code: {"name": u.name, "level": u.level} for u in registry.units}
    levels = {level.id: level.name for level in registry.levels}
    return TargetData(target_set.id, target_set.version, period, values, units, levels)


@dataclass
class Figure:
    """One aggregated figure with what the note needs to say about it."""

    value: float | None
    display: str
    note: str
    by_level: dict[str, float | None] = field(default_factory=dict)


class Evaluator:
    def __init__(self, target_set: TargetSet, data: TargetData):
        self.target_set = target_set
        self.data = data
        self._targets: dict[tuple[str, str], Target] = {}
        for row in target_set.rows:
            if row.evaluates is not None:
                self._targets[self._subject(row.evaluates)] = row.target
        self.ratios = {r.name: (r.numerator, r.denominator) for r in target_set.ratios}

    @staticmethod
    def _subject(evaluates: Evaluates) -> tuple[str, str]:
        return ("key", evaluates.key) if evaluates.key else ("ratio", evaluates.ratio)

    def names(self, codes) -> str:
        return ", ".join(self.data.units.get(c, {}).get("name", c) for c in codes)

    def input(self, key: str) -> TargetInput:
        return self.target_set.input_by_key[key]

    def unit_values(self, key: str) -> dict[str, float | None]:
        return self.data.values.get(self.input(key).key, {})

    # --- figures ------------------------------------------------------------------

    def key_figure(self, key: str) -> Figure:
        inp = self.input(key)
        values = self.unit_values(key)
        reported = {u: v for u, v in values.items() if v is not None}
        missing = [u for u, v in values.items() if v is None]
        if inp.aggregate == "count-done":
            done = [u for u, v in reported.items() if v >= 0.5]
            not_done = [u for u, v in reported.items() if v < 0.5]
            required = len(values)
            yes, no = (o.label[:1].lower() + o.label[1:] for o in inp.options)
            parts = [f"{len(done)}/{required} đơn vị {yes}"]
            if not_done:
                parts.append(f"{no}: {self.names(not_done)}")
            if missing:
                parts.append(f"chưa có số liệu: {self.names(missing)}")
            value = len(done) / required if required and reported else None
            return Figure(value, f"{len(done)}/{required} đơn vị" if reported else "", "; ".join(parts))
        if inp.aggregate == "responsible":
            unit = next(iter(values), None)
            v = values.get(unit) if unit else None
            who = self.names([unit]) if unit else "đơn vị phụ trách"
            note = f"Số liệu do {who} cung cấp" if v is not None else f"Chưa có số liệu của {who}"
            return Figure(v, self.display(inp, v), note)
        if not reported:
            return Figure(None, "", f"Chưa có số liệu; đơn vị phải báo cáo: {self.names(values)}")
        v = sum(reported.values()) if inp.aggregate == "sum" else sum(reported.values()) / len(reported)
        note = f"Tổng của {len(reported)}/{len(values)} đơn vị đã báo cáo"
        if missing:
            note += f"; chưa có số liệu: {self.names(missing)}"
        return Figure(v, self.display(inp, v), note)

    def display(self, inp: TargetInput, v: float | None) -> str:
        if v is None:
            return ""
        if inp.type == "percent":
            return formatting.percent(v)
        if inp.type == "yes-no":
            return inp.options[0 if v >= 0.5 else 1].label
        return formatting.number(v)

    def ratio_figure(self, numerator: str, denominator: str) -> Figure:
        """Σ numerator / Σ denominator over units that reported both (a ratio of sums)."""
        num, den = self.unit_values(numerator), self.unit_values(denominator)
        units = [u for u in num if u in den]
        both = [u for u in units if num[u] is not None and den[u] is not None]
        missing = [u for u in dict.fromkeys(list(num) + list(den)) if u not in both]
        by_level: dict[str, float | None] = {}
        for level in dict.fromkeys(self.data.units[u]["level"] for u in units if u in self.data.units):
            members = [u for u in both if self.data.units.get(u, {}).get("level") == level]
            n, d = sum(num[u] for u in members), sum(den[u] for u in members)
            by_level[level] = n / d if members and d > 0 else None
        n, d = sum(num[u] for u in both), sum(den[u] for u in both)
        if not both or d <= 0:
            return Figure(None, "", f"Chưa có số liệu; đơn vị phải báo cáo: {self.names(missing or units)}", by_level)
        # A ratio of sums over the units that gave both figures: the sums in its sub-rows count every unit
        # that gave one, so the note says which units the ratio covers.
        note = (f"Tính trên {len(both)}/{len(set(num) | set(den))} đơn vị có đủ tử số và mẫu số: "
                f"{formatting.number(n)}/{formatting.number(d)}")
        if missing:
            note += f"; chưa có số liệu: {self.names(missing)}"
        return Figure(n / d, formatting.percent(n / d), note, by_level)

    def named_ratio(self, name: str) -> Figure | None:
        parts = self.ratios.get(name)
        return self.ratio_figure(*parts) if parts else None

    # --- evaluation -------------------------------------------------------------------

    def target_for(self, kind: str, name: str) -> Target | None:
        return self._targets.get((kind, name))

    def evaluate(self, figure: Figure, target: Target | None) -> tuple[str, str]:
        """(Đạt / Chưa đạt / Chưa có số liệu, a note on the target)."""
        if target is None:
            return "", ""
        if target.levels is not None:
            return self._evaluate_levels(figure, target)
        if figure.value is None:
            return NO_DATA, f"Chỉ tiêu: {target.text}"
        return (PASSED if compare(figure.value, target.op, target.value) else FAILED), f"Chỉ tiêu: {target.text}"

    def _evaluate_levels(self, figure: Figure, target: Target) -> tuple[str, str]:
        parts, verdicts = [], []
        for level, minimum in target.levels.items():
            name = target.level_names.get(level) or self.data.levels.get(level) or level
            if level not in figure.by_level:
                parts.append(f"{name}: không có đơn vị báo cáo trong kỳ, không tính")
                continue
            v = figure.by_level[level]
            if v is None:
                parts.append(f"{name}: chưa có số liệu")
                verdicts.append(None)
                continue
            ok = compare(v, target.op, minimum)
            verdicts.append(ok)
            parts.append(f"{name}: {formatting.percent(v)} (tối thiểu {formatting.percent(minimum, 0)}: {'đạt' if ok else 'chưa đạt'})")
        note = "; ".join(parts)
        if not verdicts or all(v is None for v in verdicts):
            return NO_DATA, note
        return (PASSED if all(v is True for v in verdicts) else FAILED), note

    # --- placeholder texts (forms.placeholders.Resolver asks for these) ----------------

    def ratio_display(self, numerator: str, denominator: str) -> str:
        return self.ratio_figure(numerator, denominator).display or EMPTY

    def _figure(self, name: str, ratios: dict[str, tuple[str, str]]) -> tuple[Figure, str, str]:
        """The figure a key or ratio name stands for, and its target subject."""
        if name in self.target_set.input_by_key:
            return self.key_figure(name), "key", self.target_set.input_by_key[name].key
        n, d = ratios[name]
        figure = self.ratio_figure(n, d) if n else self.named_ratio(name) or Figure(None, "", "Chưa có định nghĩa tỷ lệ")
        return figure, "ratio", name

    def key_text(self, kind: str, name: str, ratios: dict[str, tuple[str, str]]) -> str:
        """"value", "danhgia" or "ghichu" of a key or named ratio."""
        figure, subject_kind, subject = self._figure(name, ratios)
        if kind == "value":
            return figure.display or EMPTY
        verdict, target_note = self.evaluate(figure, self.target_for(subject_kind, subject))
        if kind == "danhgia":
            return verdict or EMPTY
        return "; ".join(p for p in (figure.note, target_note) if p)

    def count_text(self, name: str) -> str:
        inp = self.target_set.input_by_key[name]
        values = self.unit_values(name)
        if inp.type == "yes-no":
            return str(sum(1 for v in values.values() if v is not None and v >= 0.5))
        return str(sum(1 for v in values.values() if v is not None))


def compare(value: float, op: str, target: float) -> bool:
    if op == ">=":
        return value >= target - EPS
    if op == ">":
        return value > target + EPS
    if op == "<=":
        return value <= target + EPS
    return abs(value - target) <= EPS

