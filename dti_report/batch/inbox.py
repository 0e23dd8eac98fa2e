"""The inbox as a clerk leaves it: every entry below the inputs folder, and the
clerk's decisions about which file of a unit to use.

Discovery never follows a link and never opens anything: it lists each entry
once with what it is (a regular file, a link and its target, a FIFO, a device,
a folder it could not list or enter, a path too long to open), so the manifest
accounts for everything the folder holds. Only regular files are read later.

Decisions (`--decisions`): a small CSV (`file,reason`) or YAML file
(`pin: [{file: ..., reason: ...}]`) naming files, relative to the inputs folder,
that the clerk chose for their unit and form, whatever their save times say.
"""

from __future__ import annotations

import csv
import errno
import io
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from dti_report.core.errors import DtiError
from dti_report.core.text import nfc
from dti_report.workbook.reader import FILE, FOLDER, SYMLINK, entry_kind

DECISION_COLUMNS = ("file", "reason")


class InboxError(DtiError):
    """The inputs folder itself, or the decisions file, cannot be used."""


@dataclass(frozen=True)
class Entry:
    """One directory entry. `relative` keeps the name's bytes (undecodable ones as
    surrogate escapes); `problem` is why it could not be listed or examined."""

    path: Path
    relative: str
    kind: str
    target: str = ""
    problem: OSError | None = None


def discover_entries(inputs: Path) -> list[Entry]:
    """Every entry below the inputs folder, in a stable order; folders are walked, not
    listed, unless they cannot be."""
    inputs = Path(inputs)
    try:
        with os.scandir(inputs) as it:
            top = list(it)
    except OSError as exc:
        raise InboxError(f"không đọc được thư mục đầu vào {inputs}: {exc.strerror or exc}") from None
    found: list[Entry] = []
    pending: list[tuple[list[os.DirEntry], str]] = [(top, "")]
    while pending:
        children, prefix = pending.pop()
        for child in children:
            relative = prefix + child.name
            path = Path(child.path)
            try:
                mode = child.stat(follow_symlinks=False).st_mode
            except OSError as exc:
                found.append(Entry(path, relative, FILE, problem=exc))
                continue
            kind = entry_kind(mode)
            if kind == FOLDER:
                try:
                    with os.scandir(path) as it:
                        pending.append((list(it), relative + "/"))
                except OSError as exc:
                    found.append(Entry(path, relative, FOLDER, problem=exc))
            elif kind == SYMLINK:
                try:
                    target = os.readlink(path)
                except OSError:
                    target = ""
                found.append(Entry(path, relative, SYMLINK, target=target))
            else:
                found.append(Entry(path, relative, kind))
    return sorted(found, key=lambda e: e.relative)


def is_too_long(exc: OSError) -> bool:
    return exc.errno == errno.ENAMETOOLONG


# --- the clerk's decisions --------------------------------------------------------

def read_decisions(path: Path) -> dict[str, str]:
    """File (relative to the inputs folder, "/" separated) -> the clerk's reason."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InboxError(f"không đọc được tệp quyết định {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        entries = _yaml_decisions(path, text)
    else:
        reader = csv.DictReader(io.StringIO(text))
        if "file" not in (reader.fieldnames or []):
            raise InboxError(f"tệp quyết định {path.name} thiếu cột 'file' (các cột: file, reason)")
        entries = [(row.get("file") or "", row.get("reason") or "") for row in reader]
    decisions: dict[str, str] = {}
    for file, reason in entries:
        file = nfc(str(file)).replace("\\", "/")
        if file:
            decisions[PurePosixPath(file).as_posix()] = nfc(str(reason or ""))
    return decisions


def _yaml_decisions(path: Path, text: str) -> list[tuple[str, str]]:
    try:
        tree = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise InboxError(f"tệp quyết định {path.name} không phải YAML hợp lệ (dòng "
                         f"{getattr(getattr(exc, 'problem_mark', None), 'line', -1) + 1})") from None
    pins = tree.get("pin") if isinstance(tree, dict) else None
    if not isinstance(pins, list):
        raise InboxError(f"tệp quyết định {path.name} cần mục 'pin': danh sách tệp được chọn")
    out = []
    for item in pins:
        if isinstance(item, str):
            out.append((item, ""))
        elif isinstance(item, dict) and "file" in item:
            out.append((str(item["file"]), str(item.get("reason") or "")))
        else:
            raise InboxError(f"tệp quyết định {path.name}: mỗi mục của 'pin' là tên tệp hoặc có khóa 'file'")
    return out
