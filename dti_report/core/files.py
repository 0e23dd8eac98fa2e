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
import csv
import io
import os
import tempfile
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from dti_report.core.formatting import each_distinct


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
            # One text object per distinct value: a national scores.csv repeats ten thousand
            # unit codes and a few hundred criterion ids and statuses over a million rows.
            distinct = {value: restored(value) for value in pd.unique(frame[column].dropna())}
            frame[column] = frame[column].map(distinct, na_action="ignore")
    frame.columns = [restored(c) for c in frame.columns]
    return frame


def write_csv(frame: pd.DataFrame, target: Path | str) -> Path:
    """UTF-8 with a byte-order mark, so Excel opens Vietnamese text correctly; text
    that would run as a formula is neutralised."""
    columns = _csv_columns(frame)
    with atomic_path(target) as tmp:
        if columns is None:
            safe_frame(frame).to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
        else:
            header = ",".join(_csv_field(neutralised(str(c))) for c in frame.columns)
            with open(tmp, "w", encoding="utf-8-sig", newline="") as out:
                out.write(header + "\n")
                for start in range(0, len(frame), _CSV_BATCH):
                    lines = zip(*(column[start:start + _CSV_BATCH] for column in columns))
                    out.write("".join([",".join(line) + "\n" for line in lines]))
    return Path(target)


_CSV_BATCH = 50_000
_CSV_SPECIAL = frozenset(',"\r\n')


_QUOTED = io.StringIO()
_QUOTING = csv.writer(_QUOTED, lineterminator="\n")  # what pandas' to_csv writes with


def _csv_field(text: str) -> str:
    """A text as the csv module writes it in a row of several: as it is, or quoted where it
    holds a comma, a quote or a line break (as this Python's csv quotes them)."""
    if _CSV_SPECIAL.isdisjoint(text):
        return text
    _QUOTED.seek(0)
    _QUOTED.truncate()
    _QUOTING.writerow([text, ""])
    return _QUOTED.getvalue()[:-2]  # less the empty field's comma and the line's end


def _float_text(value: float) -> str:
    return repr(value) if value == value else ""  # noqa: PLR0124 (NaN: empty)


def _float_columns(columns: list[pd.Series]) -> list[list[str]]:
    """Columns of floats as text, repr's (the shortest text that reads back as the same float,
    as numpy prints it), each distinct value of all of them formatted once: points take few
    values over thousands of rows, and a ratio recurs in its self-assessed column. Values are
    told apart by their bits: -0.0 is not 0.0 in the text."""
    if not columns:
        return []
    texts = each_distinct(np.concatenate([c.to_numpy() for c in columns]), _float_text)
    bounds = np.cumsum([0] + [len(c) for c in columns]).tolist()
    return [texts[start:stop] for start, stop in zip(bounds, bounds[1:])]


def _csv_columns(frame: pd.DataFrame) -> list[list[str]] | None:
    """Each column's cells as pandas' to_csv writes them (numbers as numpy prints them, text
    neutralised and quoted where needed, missing values empty), made a column and a distinct
    text at a time: a national scores.csv has half a million rows, and to_csv formats them cell
    by cell. None where a frame holds what this does not write the same (dates, mixed objects,
    a single column, whose empty rows csv writes quoted): pandas writes it then."""
    if len(frame.columns) < 2 or not frame.columns.is_unique:
        return None
    numbers = _float_columns([frame[name] for name in frame.columns if frame[name].dtype == np.float64])
    columns = []
    for name in frame.columns:
        series = frame[name]
        dtype = series.dtype
        if pd.api.types.is_bool_dtype(dtype) and dtype == bool:
            columns.append(["True" if v else "False" for v in series.tolist()])
        elif pd.api.types.is_integer_dtype(dtype) and isinstance(dtype, np.dtype):
            columns.append(list(map(str, series.tolist())))
        elif dtype == np.float64:
            columns.append(numbers.pop(0))
        elif dtype == object or pd.api.types.is_string_dtype(dtype):
            at, distinct = pd.factorize(series, use_na_sentinel=True)
            if not all(type(v) is str for v in distinct):
                return None
            # the missing (-1) take the last: empty
            texts = np.array([_csv_field(neutralised(v)) for v in distinct] + [""], dtype=object)
            columns.append(texts[at].tolist())
        else:
            return None
    return columns


def relative_text(path: Path | str, root: Path | str) -> str:
    """Path(path).relative_to(root).as_posix(), by text where path's text begins with root's: an
    inbox of ten thousand files asks for each, and pathlib takes some microseconds a call."""
    text, prefix = os.fspath(path), os.path.join(os.fspath(root), "")
    if text.startswith(prefix) and len(text) > len(prefix):
        rest = text[len(prefix):]
        return rest if os.sep == "/" else rest.replace(os.sep, "/")
    return Path(path).relative_to(root).as_posix()


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
