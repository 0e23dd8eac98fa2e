"""Writing results: every file goes to a temporary name beside its target and
is renamed into place, so a reader never sees half a file.

A CSV is opened by a spreadsheet, which runs any cell that starts like a formula
(=, +, -, @, a tab or a carriage return, also after leading spaces). Such text
cells get a leading apostrophe, as spreadsheet-injection guidance says; the
text itself, leading spaces included, is kept. Text that already starts with an
apostrophe gets one more, so `read_csv` gives back exactly what was written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

import pandas as pd


def _file_mode() -> int:
    """What a new file gets under the user's umask (mkstemp alone gives 0600, which
    colleagues on a shared drive cannot open)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _file_mode()


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it over the target on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, FILE_MODE)
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_bytes_atomic(target: Path | str, data: bytes) -> Path:
    """atomic_path for bytes at hand, in as few system calls as it takes: the file is written
    through the descriptor that created it (a thousand small workbooks spend more time in the
    file system than in Python otherwise)."""
    target = Path(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            os.fchmod(out.fileno(), FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
    return target


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """A text cell a spreadsheet would run as a formula, made inert with a leading
    apostrophe; anything else as it is."""
    if isinstance(value, str) and value and (value.startswith(FORMULA_TRIGGERS + ("'",))
                                             or value.lstrip(" \t\r\n\u00a0").startswith(FORMULA_TRIGGERS[:4])):
        return "'" + value
    return value


def restored(value):
    """What `neutralised` was given."""
    return value[1:] if isinstance(value, str) and value.startswith("'") else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell (and header) neutralised."""
    text_columns = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    if not text_columns and not any(neutralised(str(c)) != str(c) for c in frame.columns):
        return frame
    out = frame.copy()
    for column in text_columns:
        out[column] = out[column].map(neutralised).astype(object)
    out.columns = [neutralised(c) for c in out.columns]
    return out


def read_csv(path: Path | str, **options) -> pd.DataFrame:
    """A CSV this tool wrote (write_csv), text cells as they were before neutralising."""
    frame = pd.read_csv(path, encoding="utf-8-sig", **options)
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(restored)
    frame.columns = [restored(c) for c in frame.columns]
    return frame


def write_csv(frame: pd.DataFrame, target: Path | str) -> Path:
    """UTF-8 with a byte-order mark, so Excel opens Vietnamese text correctly; text
    that would run as a formula is neutralised."""
    with atomic_path(target) as tmp:
        safe_frame(frame).to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
    return Path(target)


def _raw(text: str) -> bytes:
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate no file system produced
        return text.encode("utf-8", "replace")


def display_path(text: str) -> str:
    """A path as a person reads it: the bytes of a name that are not UTF-8 (which
    Python keeps as surrogate escapes, and no UTF-8 writer accepts) shown as U+FFFD."""
    return _raw(text).decode("utf-8", "replace")


def escaped_path(text: str) -> str:
    """The path's exact bytes, those that are not UTF-8 escaped as \\xNN."""
    return _raw(text).decode("utf-8", "backslashreplace")


def is_valid_utf8(text: str) -> bool:
    return display_path(text) == text
