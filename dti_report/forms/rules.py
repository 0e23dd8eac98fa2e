"""Scoring rules, one class per kind and the only place a kind of rule is known.

Each rule reads its fields (`fields`), scores itself vectorised over units
(`evaluate`: the fraction of the criterion's maximum, a ratio where there is
one, a status per unit) and builds the Excel expression of its self-score
(`formula`). The schema refuses a rule that could give more than the
criterion's maximum or less than 0.

Section II.2c of QĐ 79 applies on top, in the engine: no data → 0 points,
not applicable → full points; invalid input gives no score until corrected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, ClassVar, Literal, Protocol, Union

import numpy as np
from pydantic import Field, field_validator, model_validator

from dti_report.forms.base import POINT_TOLERANCE, InputField, Model

SCORED, NO_DATA, NOT_APPLICABLE, INVALID = 0, 1, 2, 3
STATUS_NAMES = {SCORED: "scored", NO_DATA: "no-data", NOT_APPLICABLE: "not-applicable", INVALID: "invalid"}
# Ratios computed from integers land exactly on 0.8 or 0.5; the tolerance only
# absorbs float noise from sums of decimals.
EPS = 1e-9

Problem = tuple[int, str, str, str]  # (unit position, issue code, detail, field id)


@dataclass
class Outcome:
    fraction: np.ndarray
    ratio: np.ndarray
    status: np.ndarray
    problems: list[Problem] = field(default_factory=list)


class Context(Protocol):
    """What a rule sees of a batch: one criterion's typed values for every unit."""

    n: int
    max_points: float
    skip: np.ndarray  # units whose criterion is not applicable: left out of Min-Max and problems

    def column(self, field_id: str) -> np.ndarray: ...
    def field(self, field_id: str) -> InputField: ...
    def fields_status(self, field_ids: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]: ...
    def incomplete(self, mask: np.ndarray, field_ids: tuple[str, ...]) -> list[Problem]: ...
    def blank_fields(self, pos: int, field_ids) -> list[str]: ...


def _fmt(x: float) -> str:
    return f"{x:g}"


# --- Excel expressions ----------------------------------------------------------------


def num(x: float) -> str:
    return f"{x:.15g}"


def text(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def any_of(conditions: list[str]) -> str:
    return conditions[0] if len(conditions) == 1 else f"OR({','.join(conditions)})"


class Formula:
    """Excel helpers for a criterion's fraction of its maximum, read from its value cells.

    A rule's expression gives the fraction (0 when an input is blank: no data scores
    0), or an Excel error (NA()) where the engine would call the data invalid. Only
    functions Excel and LibreOffice share are used, and nothing is rounded.
    """

    def __init__(self, fields: dict[str, InputField], cells: dict[str, str], max_points: float):
        self.fields = fields
        self.cells = cells
        self.max_points = max_points

    def bad(self, field_id: str) -> list[str]:
        """Conditions, any TRUE when a filled cell cannot be read (the typing's errors)."""
        ref, f = self.cells[field_id], self.fields[field_id]
        if f.type in ("choice", "yes-no"):
            return [f'NOT(OR({ref}="",{",".join(f"{ref}={text(o.label)}" for o in f.options)}))']
        checks = [f"ISTEXT({ref})", f"{ref}<0"]
        if f.type == "integer":
            checks.append(f"{ref}<>INT({ref})")
        if f.type == "percent":
            checks.append(f"{ref}>1")
        if f.maximum is not None:
            checks.append(f"{ref}>{num(f.maximum)}")
        return checks

    def guard(self, field_ids: tuple[str, ...], expr: str) -> str:
        """An unreadable input outranks a blank one; any blank input means no data (0)."""
        blanks = [f'{self.cells[f]}=""' for f in field_ids]
        bad = [check for f in field_ids for check in self.bad(f)]
        return f"IF({any_of(bad)},NA(),IF({any_of(blanks)},0,{expr}))"

    def total(self, field_ids: tuple[str, ...]) -> str:
        refs = [self.cells[f] for f in field_ids]
        return refs[0] if len(refs) == 1 else f"SUM({','.join(refs)})"

    def checked_ratio(self, numerator, denominator, bounded: bool, then) -> str:
        """Σnumerator/Σdenominator handed to `then`; a zero denominator, or a numerator
        above a denominator it counts a subset of, is invalid."""
        n, d = self.total(numerator), self.total(denominator)
        checks = [f"{d}=0"] + ([f"{n}>{d}"] if bounded else [])
        return f"IF({any_of(checks)},NA(),{then(f'{n}/{d}')})"


# --- shared computations -------------------------------------------------------------------


def _sum(ctx: Context, field_ids: tuple[str, ...]) -> np.ndarray:
    return np.sum([ctx.column(f) for f in field_ids], axis=0)


def _towards_target(value: np.ndarray, target: float | None) -> np.ndarray:
    if target is None:
        return value
    return np.where(value >= target - EPS, 1.0, value / target)


class Measure(Model):
    """What a threshold, target or Min-Max looks at: one field, or a ratio of two sums."""

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

    def evaluate(self, ctx: Context) -> Outcome:
        """The measured value, with the ratio's own checks (zero denominator, numerator
        above a denominator it is part of)."""
        status, partial = ctx.fields_status(self.fields)
        problems = ctx.incomplete(partial, self.fields)
        if not self.is_ratio:
            value = np.where(status == SCORED, ctx.column(self.field), np.nan)
            return Outcome(value, np.full(ctx.n, np.nan), status, problems)
        with np.errstate(over="ignore", invalid="ignore"):
            n, d = _sum(ctx, self.numerator), _sum(ctx, self.denominator)
        candidate = status == SCORED
        # Sums of huge counts overflow: a value that cannot be computed is an error, never a blank score.
        overflow = candidate & ~(np.isfinite(n) & np.isfinite(d))
        for pos in np.flatnonzero(overflow & ~ctx.skip):
            problems.append((int(pos), "non-finite-result", " + ".join(self.numerator + self.denominator),
                             self.numerator[0]))
        status[overflow] = INVALID
        candidate &= ~overflow
        zero = candidate & (d == 0)
        d_label, n_label = " + ".join(self.denominator), " + ".join(self.numerator)
        for pos in np.flatnonzero(zero & ~ctx.skip):
            problems.append((int(pos), "zero-denominator", d_label, self.denominator[0]))
        status[zero] = INVALID
        if self.bounded:
            over = candidate & ~zero & (n > d + EPS)
            for pos in np.flatnonzero(over & ~ctx.skip):
                problems.append((int(pos), "numerator-exceeds-denominator",
                                 f"{n_label} = {_fmt(n[pos])} > {d_label} = {_fmt(d[pos])}", self.numerator[0]))
            status[over] = INVALID
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(status == SCORED, n / d, np.nan)
        return Outcome(ratio, ratio.copy(), status, problems)

    def formula(self, f: Formula, then) -> str:
        if self.is_ratio:
            return f.checked_ratio(self.numerator, self.denominator, self.bounded, then)
        return then(f.cells[self.field])


# --- the rule kinds ---------------------------------------------------------------------


class Rule(Model):
    kind: str

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field id the rule reads, in the order it names them."""
        raise NotImplementedError

    def evaluate(self, ctx: Context) -> Outcome:
        raise NotImplementedError

    def formula(self, f: Formula) -> str:
        raise NotImplementedError

    def moot_fields(self, values: dict[str, float | None]) -> set[str]:
        """Fields whose blank costs nothing given the other answers (typed values by field)."""
        return set()

    # Min-Max compares units: no self-score can be shown while a unit types.
    scored_across_units: ClassVar[bool] = False


class OneFieldRule(Rule):
    """A rule that reads a single field."""

    field: str

    @property
    def fields(self):
        return (self.field,)


class ChoiceRule(OneFieldRule):
    """Choice or yes/no: points = the chosen option's fraction × max."""

    kind: Literal["choice"]

    def evaluate(self, ctx):
        status, _ = ctx.fields_status((self.field,))
        f, value = ctx.field(self.field), ctx.column(self.field)
        if f.type == "yes-no":  # typed yes/no: 1 = the first (yes) option, 0 = the second
            fraction = np.where(value >= 0.5, f.options[0].fraction, f.options[1].fraction)
        else:
            fractions = np.array([np.nan] + [o.fraction for o in f.options])
            fraction = fractions[np.where(np.isnan(value), 0, value).astype(int)]
        return Outcome(np.where(status == SCORED, fraction, np.nan), np.full(ctx.n, np.nan), status)

    def formula(self, f):
        """The chosen label's fraction; an unknown label is invalid."""
        ref = f.cells[self.field]
        chain = "NA()"
        for option in reversed(f.fields[self.field].options):
            chain = f"IF({ref}={text(option.label)},{num(option.fraction)},{chain})"
        return f'IF({ref}="",0,{chain})'


class RatioRule(Rule):
    """Ratio × max; with a target T: ratio ≥ T → max, else ratio/T × max."""

    kind: Literal["ratio"]
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    target: float | None = Field(default=None, gt=0, le=1)
    bounded: bool = True

    @model_validator(mode="after")
    def _within_max(self):
        if not self.bounded and self.target is None:
            # An unbounded ratio (numerator not part of the denominator) can exceed 1.
            raise ValueError("tỷ lệ không giới hạn (bounded: false) cần có target, "
                             "nếu không điểm có thể vượt điểm tối đa")
        return self

    @property
    def measure(self) -> Measure:
        return Measure(numerator=self.numerator, denominator=self.denominator, bounded=self.bounded)

    @property
    def fields(self):
        return self.numerator + self.denominator

    def evaluate(self, ctx):
        out = self.measure.evaluate(ctx)
        out.fraction = np.minimum(_towards_target(out.fraction, self.target), 1.0)
        return out

    def formula(self, f):
        """Ratio, or with a target T: ratio ≥ T gives 1, below it ratio/T."""
        then = (lambda r: r) if self.target is None else (lambda r: f"MIN(1,{r}/{num(self.target)})")
        return f.guard(self.fields, self.measure.formula(f, then))


class Tier(Model):
    min: float
    # False: the value must be strictly above min ("Trên 80%").
    inclusive: bool = True
    fraction: float = Field(ge=0, le=1)


class TiersRule(Rule):
    """First tier whose lower bound the measure reaches gives its fraction; none → 0.

    An optional yes/no gate field must be "yes" for any tier to count (1.4: a
    column must exist before its posts are counted)."""

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

    @property
    def fields(self):
        return ((self.gate,) if self.gate else ()) + self.measure.fields

    def moot_fields(self, values):
        # A gate answered "no" (no column yet) makes the count moot: it scores 0 anyway.
        return set(self.measure.fields) if self.gate is not None and values.get(self.gate) == 0 else set()

    def _apply(self, value: np.ndarray) -> np.ndarray:
        fraction = np.where(np.isnan(value), np.nan, 0.0)
        assigned = np.isnan(value)
        for tier in self.tiers:
            hit = ~assigned & ((value >= tier.min - EPS) if tier.inclusive else (value > tier.min + EPS))
            fraction[hit] = tier.fraction
            assigned |= hit
        return fraction

    def evaluate(self, ctx):
        out = self.measure.evaluate(ctx)
        out.fraction = self._apply(out.fraction)
        if self.gate is None:
            return out
        gate_status, _ = ctx.fields_status((self.gate,))
        is_open = (gate_status == SCORED) & (ctx.column(self.gate) >= 0.5)
        closed = (gate_status == SCORED) & ~is_open
        # Gate "no" (1.4: no column yet) gives 0 points whatever the count says.
        status = np.where(is_open, out.status, gate_status)
        fraction = np.where(is_open, out.fraction, np.where(closed, 0.0, np.nan))
        ratio = np.where(is_open, out.ratio, np.nan)
        problems = [p for p in out.problems if is_open[p[0]]]
        flagged = {p[0] for p in problems if p[1] == "incomplete-criterion"}
        missing_measure = is_open & (out.status == NO_DATA)
        missing_gate = (gate_status == NO_DATA) & (out.status != NO_DATA)
        problems += [p for p in ctx.incomplete(missing_measure | missing_gate, self.fields) if p[0] not in flagged]
        return Outcome(fraction, ratio, status, problems)

    def formula(self, f):
        """First tier whose bound the measure reaches (≥, or > when not inclusive); none
        reached gives 0. A gate answered "no" gives 0 whatever the count."""
        def chain(value: str) -> str:
            out = "0"
            for tier in reversed(self.tiers):
                out = f"IF({value}{'>=' if tier.inclusive else '>'}{num(tier.min)},{num(tier.fraction)},{out})"
            return out

        expr = f.guard(self.measure.fields, self.measure.formula(f, chain))
        if self.gate is None:
            return expr
        gate = f.cells[self.gate]
        yes = text(f.fields[self.gate].options[0].label)
        return f'IF({any_of(f.bad(self.gate))},NA(),IF({gate}="",0,IF({gate}={yes},{expr},0)))'


class CappedCountRule(Rule):
    """Each counted item earns points_each, the total capped at max (huyện 8.5)."""

    kind: Literal["capped-count"]
    field: str
    points_each: float = Field(gt=0)
    # Optional field the count cannot exceed (items listed ≥ items effective).
    of: str | None = None

    @property
    def fields(self):
        return (self.field,) + ((self.of,) if self.of else ())

    def evaluate(self, ctx):
        status, _ = ctx.fields_status((self.field,))
        count = ctx.column(self.field)
        problems: list[Problem] = []
        if self.of is not None:
            of_status, _ = ctx.fields_status((self.of,))
            status[(status == SCORED) & (of_status == INVALID)] = INVALID
            total = ctx.column(self.of)
            over = (status == SCORED) & (of_status == SCORED) & (count > total)
            for pos in np.flatnonzero(over & ~ctx.skip):
                problems.append((int(pos), "count-exceeds-total",
                                 f"{self.field} = {_fmt(count[pos])} > {self.of} = {_fmt(total[pos])}", self.field))
            status[over] = INVALID
        top = ctx.max_points
        with np.errstate(invalid="ignore"):
            fraction = np.where(status == SCORED, np.minimum(count * self.points_each, top) / top if top else 1.0, np.nan)
        return Outcome(fraction, np.full(ctx.n, np.nan), status, problems)

    def formula(self, f):
        """count × points_each, capped at the maximum. A count above its total is
        invalid; a blank total is not checked (as in the engine)."""
        count, top = f.cells[self.field], num(f.max_points)
        expr = f"MIN({count}*{num(self.points_each)},{top})/{top}"
        if self.of is not None:
            total = f.cells[self.of]
            expr = f'IF({any_of(f.bad(self.of))},NA(),IF(AND({total}<>"",{count}>{total}),NA(),{expr}))'
        return f.guard((self.field,), expr)


class GrowthRule(Rule):
    """Growth of a rate against the previous period: g = (current − previous) / previous;
    g ≥ target → max, else g/target × max, never below 0. Two edges the formula leaves open
    are decided (QĐ 79, 6.13): a rate already at its ceiling (100%) cannot grow and scores the
    maximum; from a previous rate of 0, any rise scores the maximum and none scores 0."""

    kind: Literal["growth"]
    current: str
    previous: str
    target: float = Field(gt=0)

    @property
    def fields(self):
        return (self.current, self.previous)

    def evaluate(self, ctx):
        status, partial = ctx.fields_status(self.fields)
        problems = ctx.incomplete(partial, self.fields)
        current, previous = ctx.column(self.current), ctx.column(self.previous)
        scored = status == SCORED
        with np.errstate(divide="ignore", invalid="ignore"):
            growth = np.where(scored & (previous > 0), (current - previous) / previous, np.nan)
        fraction = np.clip(_towards_target(growth, self.target), 0.0, 1.0)
        fraction = np.where(scored & (previous == 0), np.where(current > 0, 1.0, 0.0), fraction)
        if ctx.field(self.current).type == "percent":
            fraction = np.where(scored & (current >= 1.0 - EPS), 1.0, fraction)
        return Outcome(np.where(scored, fraction, np.nan), growth, status, problems)

    def formula(self, f):
        """The same edges as evaluate: a current rate of 100% (percent fields) or a rise from 0
        gives 1; otherwise g = (current − previous)/previous against the target, kept in [0, 1]."""
        cur, prev = f.cells[self.current], f.cells[self.previous]
        expr = f"IF({prev}=0,IF({cur}>0,1,0),MAX(0,MIN(1,({cur}-{prev})/{prev}/{num(self.target)})))"
        if f.fields[self.current].type == "percent":
            expr = f"IF({cur}>=1,1,{expr})"
        return f.guard(self.fields, expr)


class MinMaxRule(Rule):
    """Min-Max over all units of the same set and period with data:
    (x − min) / (max − min) × max points."""

    kind: Literal["min-max"]
    measure: Measure
    scored_across_units: ClassVar[bool] = True

    @property
    def fields(self):
        return self.measure.fields

    def evaluate(self, ctx):
        out = self.measure.evaluate(ctx)
        pool = (out.status == SCORED) & ~ctx.skip & np.isfinite(out.fraction)
        fraction = np.full(ctx.n, np.nan)
        if pool.any():
            lo, hi = np.min(out.fraction[pool]), np.max(out.fraction[pool])
            # All equal (one unit, or a tie for everyone): each is the best, full points; but when
            # every unit reports 0 nobody achieved anything: 0 points (QĐ 79 gives no rule for it).
            if hi - lo <= EPS:
                fraction[pool] = 1.0 if hi > EPS else 0.0
            else:
                fraction[pool] = (out.fraction[pool] - lo) / (hi - lo)
        return Outcome(fraction, out.ratio, out.status, out.problems)

    def formula(self, f):
        raise TypeError("Min-Max is computed when every unit's values are in")


class SelfPointsRule(OneFieldRule):
    """The unit enters its own points, from 0 to the criterion's maximum; Sở TTTT
    verifies them (district index 2021, which gives no formula)."""

    kind: Literal["self-points"]

    def evaluate(self, ctx):
        status, _ = ctx.fields_status((self.field,))
        points = ctx.column(self.field)
        top = ctx.max_points
        problems: list[Problem] = []
        over = (status == SCORED) & (points > top + EPS)
        for pos in np.flatnonzero(over & ~ctx.skip):
            problems.append((int(pos), "points-above-max", _fmt(top), self.field))
        status[over] = INVALID
        with np.errstate(invalid="ignore", divide="ignore"):
            fraction = np.where(status == SCORED, points / top if top else 1.0, np.nan)
        return Outcome(fraction, np.full(ctx.n, np.nan), status, problems)

    def formula(self, f):
        ref, top = f.cells[self.field], num(f.max_points)
        return f.guard((self.field,), f"IF({ref}>{top},NA(),{ref}/{top})")


class Part(Model):
    weight: float = Field(gt=0, le=1)
    rule: "PartRule"


class PartsRule(Rule):
    """Additive parts: points = Σ weight × part's fraction × max."""

    kind: Literal["parts"]
    parts: tuple[Part, ...] = Field(min_length=2)

    @field_validator("parts")
    @classmethod
    def _weights_sum_to_one(cls, parts):
        if abs(sum(p.weight for p in parts) - 1) > POINT_TOLERANCE:
            raise ValueError("tổng trọng số các phần phải bằng 1")
        return parts

    @property
    def fields(self):
        return tuple(f for part in self.parts for f in part.rule.fields)

    def moot_fields(self, values):
        return set().union(*(part.rule.moot_fields(values) for part in self.parts))

    def evaluate(self, ctx):
        outcomes = [part.rule.evaluate(ctx) for part in self.parts]
        statuses = np.column_stack([o.status for o in outcomes])
        fraction = np.zeros(ctx.n)
        for part, out in zip(self.parts, outcomes):
            fraction += part.weight * np.where(out.status == SCORED, out.fraction, 0.0)
        status = np.full(ctx.n, SCORED)
        status[(statuses == NO_DATA).all(axis=1)] = NO_DATA
        status[(statuses == INVALID).any(axis=1)] = INVALID
        problems = [p for o in outcomes for p in o.problems]
        # A part left blank while another is filled scores 0 for that part: say so.
        blank_part = (statuses == NO_DATA).any(axis=1) & (status == SCORED)
        for pos in np.flatnonzero(blank_part & ~ctx.skip):
            if not any(p[0] == pos and p[1] == "incomplete-criterion" for p in problems):
                missing = ctx.blank_fields(int(pos), self.fields)
                problems.append((int(pos), "incomplete-criterion", ", ".join(missing), missing[0] if missing else ""))
        return Outcome(np.where(status == SCORED, np.minimum(fraction, 1.0), np.nan), np.full(ctx.n, np.nan), status,
                       problems)

    def formula(self, f):
        """Σ weight × part: a blank part adds 0, an invalid part spoils the whole."""
        return "+".join(f"{num(part.weight)}*{part.rule.formula(f)}" for part in self.parts)


# The registry of rule kinds: a new kind is a class above and one entry in each union.
PartRule = Annotated[Union[ChoiceRule, RatioRule, TiersRule], Field(discriminator="kind")]
AnyRule = Annotated[
    Union[ChoiceRule, RatioRule, TiersRule, CappedCountRule, GrowthRule, MinMaxRule, SelfPointsRule, PartsRule],
    Field(discriminator="kind"),
]
Part.model_rebuild()
