"""Properties of the monitoring table's placeholder grammar (forms.placeholders) against
the real target set "hcm-chi-tieu-2023":

- find_placeholders never raises; what it finds is ordered, non-overlapping, opens on "[["
  and every "[[" of the text opens one;
- every known key round-trips: [[K]], [[danhgia.K]], [[ghichu.K]] resolve exactly to K,
  whatever whitespace, case or Vietnamese diacritics the template adds inside the brackets;
- rendering never leaves raw brackets: known keys give their text, unknown ones the
  visible marker;
- the real template's slips ("[[K[]", "[[K]]]", an unclosed "[[K") resolve and are reported;
- a key cut short (≥ 30 characters kept) resolves fuzzily to the full key; letters far
  from every key are unknown.
"""

from __future__ import annotations

import re
import string
import unicodedata

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from dti_report.evaluation.targets import Evaluator, TargetData
from dti_report.forms.placeholders import (EXACT, FUZZY, TRUNCATION_MIN, UNKNOWN, UNKNOWN_MARK, Resolver,
                                           find_placeholders, normalize, render_text, row_hints)
from dti_report.kinds import get_form

TS = get_form("hcm-chi-tieu-2023")
KEYS = sorted(TS.input_by_key)
NORMALIZED = {normalize(k): k for k in KEYS}
RESOLVER = Resolver(TS)
UNITS = {"so-a": {"name": "Sở A", "level": "so-nganh"}, "q-c": {"name": "Quận C", "level": "quan-huyen"},
         "cuc-thong-ke": {"name": "Cục Thống kê", "level": "co-quan-khac"}}
LEVELS = {"so-nganh": "Sở, ban, ngành", "quan-huyen": "Quận, huyện", "co-quan-khac": "Cơ quan khác"}
# A run with figures for a few keys and none for the rest: texts as a real report computes them.
SOME_VALUES = {TS.inputs[i].key: {"so-a": float(i % 3), "q-c": None} for i in range(0, len(TS.inputs), 3)}
EVALUATING = Resolver(TS, Evaluator(TS, TargetData(TS.id, TS.version, "2023", SOME_VALUES, UNITS, LEVELS)))
UNKNOWN_PREFIX = UNKNOWN_MARK.split("{}")[0]

FAST = dict(deadline=None, derandomize=True, database=None)

WHITESPACE = st.sampled_from([" ", "  ", "\n", "\t", "\r\n", "\u00a0", "\u2003", "\u202f", "\u3000", " \n "])
KIND = st.sampled_from(["", "danhgia.", "ghichu."])
# Text around placeholders: anything but brackets.
SURROUNDING = st.text(st.characters(blacklist_characters="[]", blacklist_categories=("Cs",)), max_size=20)
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
COMBINING = ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u0306", "\u031b"]


def strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def expected(kind: str, key: str) -> str:
    return kind + key


# --- find_placeholders -------------------------------------------------------------------------

BRACKETY = st.text(st.one_of(st.sampled_from(list("[[]]. aK\n")), st.characters(blacklist_categories=("Cs",))),
                   max_size=80)


@settings(max_examples=300, **FAST)
@given(BRACKETY)
def test_find_placeholders_spans_are_ordered_and_open_on_double_brackets(text):
    found = find_placeholders(text)
    pos = 0
    for ph in found:
        assert pos <= ph.start < ph.end <= len(text), (text, found)
        assert text[ph.start:ph.start + 2] == "[[", (text, ph)
        assert "[[" not in text[pos:ph.start], f"an '[[' before {ph} opens no placeholder: {text!r}"
        assert ph.closing in ("]]", "]]]", "[]", ""), ph
        close = ph.end - len(ph.closing)
        assert text[close:ph.end] == ph.closing, (text, ph)
        assert ph.body == re.sub(r"\s+", "", text[ph.start + 2:close]), (text, ph)
        pos = ph.end
    assert "[[" not in text[pos:], f"an '[[' after the last placeholder opens none: {text!r} {found}"


# --- round trip of every known key --------------------------------------------------------------


@st.composite
def respelled(draw, body: str) -> str:
    """body as a template might write it: whitespace and newlines anywhere, any case,
    diacritics removed or added (dấu, combining marks, đ for d)."""
    case = draw(st.sampled_from(["same", "upper", "lower", "swap", "each"]))
    if case == "upper":
        body = body.upper()
    elif case == "lower":
        body = body.lower()
    elif case == "swap":
        body = body.swapcase()
    elif case == "each":
        flips = draw(st.lists(st.booleans(), min_size=len(body), max_size=len(body)))
        body = "".join(c.swapcase() if f else c for c, f in zip(body, flips))
    accents = draw(st.sampled_from(["same", "strip", "add", "nfd"]))
    if accents == "strip":
        body = strip_accents(body)
    elif accents == "nfd":
        body = unicodedata.normalize("NFD", body)
    elif accents == "add":
        marks = draw(st.lists(st.tuples(st.integers(0, len(body) - 1), st.sampled_from(COMBINING)), max_size=8))
        chars = list(body)
        for at, mark in marks:
            if chars[at].isalpha():
                chars[at] += mark
        body = "".join("đ" if c == "d" else "Đ" if c == "D" else c for c in chars)
    spaces = draw(st.lists(st.tuples(st.integers(0, len(body)), WHITESPACE), max_size=6))
    for at, ws in sorted(spaces, reverse=True):
        body = body[:at] + ws + body[at:]
    return body


@settings(max_examples=150, **FAST)
@given(st.sampled_from(KEYS), KIND, st.data())
def test_every_known_key_resolves_exactly_however_it_is_spelled(key, kind, data):
    written = data.draw(respelled(kind + key), label="written")
    (ph,) = find_placeholders(f"[[{written}]]")
    res = RESOLVER.resolve(ph)
    assert (res.status, res.resolved) == (EXACT, expected(kind, key)), (
        f"[[{written!r}]] → {res.status} {res.resolved!r}, expected exact {expected(kind, key)!r}")
    assert res.findings == []


def test_every_known_key_as_written_resolves_exactly():
    wrong = []
    for key in KEYS:
        for kind in ("", "danhgia.", "ghichu."):
            (ph,) = find_placeholders(f"[[{kind}{key}]]")
            res = RESOLVER.resolve(ph)
            if (res.status, res.resolved) != (EXACT, kind + key):
                wrong.append(f"[[{kind}{key}]] → {res.status} {res.resolved!r}")
    assert not wrong, "\n".join(wrong)


@settings(max_examples=100, **FAST)
@given(st.text(st.sampled_from(VIETNAMESE + VIETNAMESE.upper() + string.digits + " \n"), max_size=40))
def test_normalize_folds_case_diacritics_and_whitespace_of_vietnamese(text):
    plain = normalize(text)
    assert not re.search(r"\s", plain)
    assert normalize(text.upper()) == plain == normalize(text.lower())
    assert normalize(strip_accents(text)) == plain == normalize(unicodedata.normalize("NFD", text))
    assert normalize(plain) == plain
    assert plain.isascii(), f"{text!r} → {plain!r} keeps a diacritic"


# --- rendering ----------------------------------------------------------------------------------


@st.composite
def known_text(draw):
    """Arbitrary text without brackets around placeholders of known keys."""
    parts, keys = [draw(SURROUNDING)], []
    for _ in range(draw(st.integers(1, 4))):
        key, kind = draw(st.sampled_from(KEYS)), draw(KIND)
        keys.append((kind, key))
        parts += [f"[[{draw(respelled(kind + key))}]]", draw(SURROUNDING)]
    return "".join(parts), keys


@settings(max_examples=60, **FAST)
@given(known_text())
def test_rendering_known_placeholders_leaves_no_brackets(generated):
    text, keys = generated
    for resolver in (RESOLVER, EVALUATING):
        out, resolutions = render_text(text, resolver)
        assert "[[" not in out and "]]" not in out, f"{text!r} rendered {out!r}"
        assert [(r.status, r.resolved) for r in resolutions] == [(EXACT, kind + key) for kind, key in keys]
    hints = [normalize(h) for h in row_hints([text])]
    assert all(normalize(key) in hints for _, key in keys), (text, hints)


def far_from_every_key(body: str) -> bool:
    norm = normalize(body)
    pool = list(NORMALIZED) + list(RESOLVER.ratio_names())
    if not norm or norm.startswith(("sodonvi", "tyle", "danhgia", "ghichu")):
        return False
    best = process.extractOne(norm, pool, scorer=fuzz.ratio)[1]
    longest_prefix = max(len(_common_prefix(norm, k)) for k in pool)
    return best < 70 and longest_prefix < TRUNCATION_MIN


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


LETTERS = st.text(st.sampled_from(string.ascii_letters), min_size=1, max_size=60)


@settings(max_examples=150, **FAST)
@given(SURROUNDING, KIND, LETTERS, SURROUNDING)
def test_unknown_keys_render_the_visible_marker_never_brackets(before, kind, letters, after):
    assume(far_from_every_key(letters))
    text = f"{before}[[{kind}{letters}]]{after}"
    for resolver in (RESOLVER, EVALUATING):
        out, (res,) = render_text(text, resolver)
        assert res.status == UNKNOWN and res.resolved == "", (text, res)
        assert res.text.startswith(UNKNOWN_PREFIX) and res.text.endswith("›"), res.text
        assert out == before + res.text + after, (text, out)
        assert "[[" not in out and "]]" not in out, out


@settings(max_examples=150, **FAST)
@given(LETTERS)
def test_letters_far_from_every_key_resolve_unknown(letters):
    assume(far_from_every_key(letters))
    (ph,) = find_placeholders(f"[[{letters}]]")
    res = RESOLVER.resolve(ph)
    assert res.status == UNKNOWN and res.matches == [], (letters, res.status, res.resolved)


# --- the template's own slips -------------------------------------------------------------------

SLIPS = {"[]": "đóng bằng '[]' thay cho ']]'", "]]]": "thừa dấu ']'"}


@settings(max_examples=200, **FAST)
@given(st.sampled_from(KEYS), KIND, st.sampled_from(sorted(SLIPS)), SURROUNDING, SURROUNDING)
def test_template_slips_resolve_and_are_reported(key, kind, closing, before, after):
    opened = f"[[{kind}{key}" + ("[]" if closing == "[]" else "]]]")
    text = before + opened + after
    out, (res,) = render_text(text, RESOLVER)
    assert res.placeholder.closing == closing and res.placeholder.malformed
    assert (res.status, res.resolved) == (EXACT, kind + key), (opened, res.status, res.resolved)
    assert SLIPS[closing] in res.findings, res.findings
    assert out == before + res.text + after, f"the slip's brackets stay in {out!r}"


@settings(max_examples=100, **FAST)
@given(st.sampled_from(KEYS), KIND, SURROUNDING)
def test_an_unclosed_placeholder_at_the_end_resolves_and_is_reported(key, kind, before):
    (ph,) = find_placeholders(f"{before}[[{kind}{key}")
    res = RESOLVER.resolve(ph)
    assert ph.closing == "" and (res.status, res.resolved) == (EXACT, kind + key)
    assert "thiếu ']]'" in res.findings


# --- keys cut short -----------------------------------------------------------------------------

LONG_KEYS = [k for k in KEYS if len(normalize(k)) > TRUNCATION_MIN]


@settings(max_examples=200, **FAST)
@given(st.sampled_from(LONG_KEYS), KIND, st.data())
def test_a_key_cut_short_resolves_fuzzily_to_the_full_key(key, kind, data):
    full = normalize(key)
    n = data.draw(st.integers(TRUNCATION_MIN, len(full) - 1), label="kept")
    cut = full[:n]
    assume(cut not in NORMALIZED)  # the cut is not itself another key
    # a cut shared by several keys may name any of them; otherwise it is this key's
    candidates = {k for norm, k in NORMALIZED.items() if norm.startswith(cut)}
    (ph,) = find_placeholders(f"[[{kind}{cut}]]")
    res = RESOLVER.resolve(ph)
    assert res.status == FUZZY and res.resolved in {kind + k for k in candidates}, (
        f"[[{kind}{cut}]] (the first {n} of {len(full)} characters of {key!r}) → {res.status} {res.resolved!r}; "
        f"expected fuzzy → {sorted(kind + k for k in candidates)}")
    assert res.matches and res.matches[0][1] in candidates
