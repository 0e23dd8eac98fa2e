"""Text as units and decisions write it: one NFC normaliser and one folding key."""

from __future__ import annotations

import re
import unicodedata


def nfc(text: str) -> str:
    """Unicode NFC, stripped: what every id, label and typed value is compared as."""
    return unicodedata.normalize("NFC", text).strip()


def nfc_tree(value):
    """Every string of a parsed YAML tree in Unicode NFC, so ids and labels compare equal."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {nfc_tree(k): nfc_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc_tree(v) for v in value]
    return value


def fold(text: str) -> str:
    """Case- and diacritic-insensitive key: 'Không áp dụng' -> 'khong ap dung'."""
    text = unicodedata.normalize("NFD", text.strip().casefold()).replace("đ", "d")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", text)


# Characters XML 1.0 cannot hold (C0 controls but tab, line feed, carriage return; the
# non-characters U+FFFE/U+FFFF; lone surrogates), and DEL and C1 controls, which no
# unit means to type. docxtpl turns \a and \f into paragraph and page breaks.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def strip_control(text: str) -> str:
    """The text without control characters, before it goes into any XML."""
    return _CONTROL.sub("", text)


def natural_key(code: str) -> tuple:
    """Sort key of a dotted code in number order: 6.2 before 6.10, B.II before B.III stays textual."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"[.\-]", str(code)))


def curly_quotes(text: str) -> str:
    """Straight double quotes as a printed document writes them: '"Trên 80%"' -> '“Trên 80%”'.
    Quotes pair up in order; an odd one left over stays straight."""
    parts = text.split('"')
    if len(parts) < 3:
        return text
    out = [parts[0]]
    for i, part in enumerate(parts[1:], start=1):
        if i == len(parts) - 1 and i % 2 == 1:
            out.append('"' + part)  # unpaired
        else:
            out.append(("“" if i % 2 == 1 else "”") + part)
    return "".join(out)
