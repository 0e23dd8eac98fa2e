"""The monitoring table's placeholder grammar, implemented once for every renderer.

    [[Key]]                          the aggregated value of a key (or of a named ratio)
    [[danhgia.Key]] [[ghichu.Key]]   "Đạt" / "Chưa đạt" / "Chưa có số liệu", and a generated note
    [[tyletoanthanhpho.N.D.Name]]    Σ N / Σ D over all accepted units; defines Name (".Name" optional)
    [[tyle.Name]] [[danhgia.tyle.Name]] [[ghichu.tyle.Name]]
    [[sodonviKey]]                   a number of units (done, for a yes/no key; reporting, otherwise)
    [[kytruoc.…]]                    any of the above for the previous stored period ("–" without one)

Keys match after removing whitespace and folding case and Vietnamese
diacritics. A key that is not exactly known resolves to the closest known key
only above a similarity threshold (reported as fuzzy, naming both); in a table
row, the keys of the row's own placeholders are tried first. An unknown key
renders as a visible marker, never raw brackets. The real template's own slips
are tolerated: "[]" for "]]", a stray "]" after "]]", an unclosed "[[".
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the target model builds on this grammar
    from dti_report.forms.targets import TargetSet

from dti_report.core.text import fold

THRESHOLD = 85.0          # rapidfuzz ratio, 0–100
TRUNCATION_MIN = 30       # a key cut short by the table: a prefix this long still counts
EXACT, FUZZY, UNKNOWN = "exact", "fuzzy", "unknown"
UNKNOWN_MARK = "‹không xác định: {}›"
EMPTY = "–"


def normalize(text: str) -> str:
    return re.sub(r"\s+", "", fold(text))


@dataclass(frozen=True)
class Placeholder:
    start: int
    end: int
    body: str          # between the brackets, whitespace removed
    closing: str       # "]]", "]]]" (a stray "]"), "[]", or "" (never closed)

    @property
    def malformed(self) -> bool:
        return self.closing != "]]"


def find_placeholders(text: str) -> list[Placeholder]:
    out = []
    pos = 0
    while True:
        start = text.find("[[", pos)
        if start < 0:
            return out
        inner = start + 2
        candidates = [(i, tok) for tok in ("]]", "[]") if (i := text.find(tok, inner)) >= 0]
        next_open = text.find("[[", inner)
        candidates = [(i, tok) for i, tok in candidates if next_open < 0 or i < next_open]
        if candidates:
            close, token = min(candidates)
            end = close + 2
            if token == "]]" and text.startswith("]", end):
                end, token = end + 1, "]]]"
        else:  # never closed: up to the next "[[" or the end
            close = end = next_open if next_open >= 0 else len(text)
            token = ""
        out.append(Placeholder(start, end, re.sub(r"\s+", "", text[inner:close]), token))
        pos = end


@dataclass
class Resolution:
    placeholder: Placeholder
    text: str                      # what the placeholder renders as
    status: str                    # exact / fuzzy / unknown
    resolved: str = ""             # the canonical placeholder it resolved to
    matches: list[tuple[str, str, float]] = field(default_factory=list)  # (as written, known key, score)

    @property
    def findings(self) -> list[str]:
        notes = [f"'{written}' → '{known}' (độ giống {score:.1f}%)" for written, known, score in self.matches]
        if self.placeholder.malformed:
            notes.append({"]]]": "thừa dấu ']'", "[]": "đóng bằng '[]' thay cho ']]'", "": "thiếu ']]'"}[self.placeholder.closing])
        return notes


class Resolver:
    """Resolves placeholders against a target set's keys and computes their text."""

    def __init__(self, target_set: "TargetSet", evaluator=None, previous=None):
        # evaluator: the run's figures (evaluation.targets.Evaluator); None resolves names only.
        # previous: the previous stored period's figures, for [[kytruoc.…]].
        self.target_set = target_set
        self.evaluator = evaluator
        self.previous = previous
        self.keys = {normalize(k): k for k in target_set.input_by_key}
        self.ratios: dict[str, tuple[str, str]] = {r.name: (r.numerator, r.denominator) for r in target_set.ratios}
        for row in target_set.rows:
            if row.evaluates and row.evaluates.ratio:
                self.ratios.setdefault(row.evaluates.ratio, ("", ""))
        # Ratios the set's own table defines with tyletoanthanhpho.
        self.define_from([c for row in target_set.rows for c in (row.cells.value, row.cells.danhgia, row.cells.ghichu)])

    # --- matching -----------------------------------------------------------------

    def match(self, written: str, known: dict[str, str], hints: list[str] = ()) -> tuple[str | None, str, float]:
        norm = normalize(written)
        if norm in known:
            return known[norm], EXACT, 100.0
        if not norm or not known:
            return None, UNKNOWN, 0.0
        # A key the table cut short: the one known key it begins (a ratio scores it far below the cut-off).
        if len(norm) >= TRUNCATION_MIN:
            longer = [k for k in known if k.startswith(norm)]
            if len(longer) == 1:
                return known[longer[0]], FUZZY, round(100.0 * len(norm) / len(longer[0]), 1)
        from rapidfuzz import fuzz, process  # only a placeholder that matches no key exactly needs it

        # Keys the row itself uses first: 28.1's typo is nearer 28.2's key than its own.
        for pool in ([normalize(h) for h in hints if normalize(h) in known], list(known)):
            if not pool:
                continue
            best, score, _ = process.extractOne(norm, pool, scorer=fuzz.ratio)
            prefix = len(_common_prefix(norm, best))
            if prefix >= TRUNCATION_MIN and prefix == min(len(norm), len(best)):
                score = max(score, THRESHOLD)
            if score >= THRESHOLD:
                return known[best], FUZZY, score
        return None, UNKNOWN, 0.0

    def ratio_names(self) -> dict[str, str]:
        return {normalize(n): n for n in self.ratios}

    def define_from(self, texts: list[str]) -> None:
        """Collect the ratios a document defines, so [[tyle.Name]] before its definition resolves."""
        for text in texts:
            for ph in find_placeholders(text):
                parts = ph.body.split(".")
                if normalize(parts[0]) == "tyletoanthanhpho" and len(parts) >= 4:
                    n, _, _ = self.match(parts[1], self.keys)
                    d, _, _ = self.match(parts[2], self.keys)
                    if n and d and (parts[3] not in self.ratios or self.ratios[parts[3]] == ("", "")):
                        self.ratios[".".join(parts[3:])] = (n, d)

    # --- resolving ------------------------------------------------------------------

    def resolve(self, ph: Placeholder, hints: list[str] = ()) -> Resolution:
        parts = ph.body.split(".")
        head = normalize(parts[0])
        matches: list[tuple[str, str, float]] = []

        def key(written: str, known: dict[str, str]) -> str | None:
            found, status, score = self.match(written, known, hints)
            if status == FUZZY:
                matches.append((written, found, score))
            return found

        def done(text: str, canonical: str | None) -> Resolution:
            if canonical is None:
                return Resolution(ph, UNKNOWN_MARK.format(_short(ph.body)), UNKNOWN, "", matches)
            return Resolution(ph, text, FUZZY if matches else EXACT, canonical, matches)

        if head == "kytruoc" and len(parts) >= 2:
            # The same grammar against the previous period's figures; names resolve as for this period.
            inner = Placeholder(ph.start, ph.end, ".".join(parts[1:]), ph.closing)
            earlier = copy.copy(self)
            earlier.evaluator = self.previous
            resolution = earlier.resolve(inner, hints)
            if resolution.status == UNKNOWN:
                return Resolution(ph, UNKNOWN_MARK.format(_short(ph.body)), UNKNOWN, "", resolution.matches)
            text = resolution.text if self.previous is not None else (EMPTY if self.evaluator is not None else "")
            return Resolution(ph, text, resolution.status, f"kytruoc.{resolution.resolved}", resolution.matches)
        if head == "tyletoanthanhpho" and len(parts) >= 3:
            n, d = key(parts[1], self.keys), key(parts[2], self.keys)
            if not (n and d):
                return done("", None)
            name = ".".join(parts[3:])
            canonical = f"tyletoanthanhpho.{n}.{d}" + (f".{name}" if name else "")
            return done(self._show((n, d), "display"), canonical)
        if head in ("danhgia", "ghichu", "tyle"):
            kind = head
            rest = parts[1:]
            is_ratio = kind == "tyle" or (rest and normalize(rest[0]) == "tyle")
            if is_ratio and kind != "tyle":
                rest = rest[1:]
            written = ".".join(rest)
            if is_ratio:
                name = key(written, self.ratio_names())
                if name is None:
                    return done("", None)
                canonical = f"{'' if kind == 'tyle' else kind + '.'}tyle.{name}"
                return done(self._ratio_text(kind, name), canonical)
            name = key(written, {**self.keys, **self.ratio_names()})
            if name is None:
                return done("", None)
            return done(self._key_text(kind, name), f"{kind}.{name}")
        if head.startswith("sodonvi") and len(parts) == 1:
            name = key(ph.body[len("sodonvi"):], self.keys)
            if name is None:
                return done("", None)
            return done(self._count_text(name), f"sodonvi{name}")
        name = key(ph.body, {**self.keys, **self.ratio_names()})
        if name is None:
            return done("", None)
        return done(self._key_text("value", name), name)

    # --- texts: computed by the evaluator of a run; without one, placeholders only resolve ---

    def _show(self, figure_of, part: str) -> str:
        return self.evaluator.ratio_display(*figure_of) if self.evaluator is not None else ""

    def _key_text(self, kind: str, name: str) -> str:
        return self.evaluator.key_text(kind, name, self.ratios) if self.evaluator is not None else ""

    def _ratio_text(self, kind: str, name: str) -> str:
        return self._key_text("value" if kind == "tyle" else kind, name)

    def _count_text(self, name: str) -> str:
        return self.evaluator.count_text(name) if self.evaluator is not None else ""


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return a[:n]


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_text(text: str, resolver: Resolver, hints: list[str] = ()) -> tuple[str, list[Resolution]]:
    """The text with every placeholder replaced; and how each resolved."""
    out, pos, resolutions = [], 0, []
    for ph in find_placeholders(text):
        resolution = resolver.resolve(ph, hints)
        resolutions.append(resolution)
        out.append(text[pos:ph.start])
        out.append(resolution.text)
        pos = ph.end
    out.append(text[pos:])
    return "".join(out), resolutions


def row_hints(texts: list[str]) -> list[str]:
    """The keys a table row names in its placeholders: the context for its typos."""
    hints = []
    for text in texts:
        for ph in find_placeholders(text):
            parts = ph.body.split(".")
            head = normalize(parts[0])
            if head == "tyletoanthanhpho":
                hints.extend(parts[1:])
            elif head in ("danhgia", "ghichu", "tyle"):
                hints.append(parts[-1])
            elif head == "kytruoc":
                hints.append(parts[-1])
            elif head.startswith("sodonvi"):
                hints.append(ph.body[len("sodonvi"):])
            else:
                hints.append(ph.body)
    return hints
