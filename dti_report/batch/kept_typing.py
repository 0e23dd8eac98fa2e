"""Typed values a workspace period keeps between its runs, a group of units at a time.

Typing ten thousand units' rows takes seconds of CPU on every rerun, though a rerun after a
hundred new workbooks changes the rows of only the groups those units fall in. A group's
typed values are kept in the user's cache (core.cache) under a key made of everything typing
reads: the package's code, the form (its version and what its template asks), the period,
the day (a date after today is an issue), and each unit's code, the field rows its template
holds and its rows as the reader packed them. A kept group is taken back only under its key;
anything missing, stale or corrupt is typed again, so keeping never changes a result.

The groups are cut where a unit's code says (unit_groups), not every thousand units: a new
unit changes the group it falls in, not every group after it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import zlib
from pathlib import Path

from dti_report.core.cache import cache_dir, cached_value, keep_value, value_key
from dti_report.core.kept_outputs import package_code
from dti_report.evaluation.unit_values import UnitValues
from dti_report.forms.base import Form
from dti_report.workbook.layout import template_hash

GROUP_SIZE = 1000  # units typed together, on average: a group's rows are unpacked at once
# A period not run for this long (or a workspace gone) has its folder removed by the next run of any.
STALE_SECONDS = 90 * 24 * 3600


def unit_groups(units: list[str], size: int | None = None) -> list[list[str]]:
    """Units (sorted) in consecutive groups of about `size` (GROUP_SIZE): a group ends at a
    unit whose code's CRC-32 is a multiple of `size`, or at 3 × size units. Adding or removing
    a unit changes only the group it is in (and, within an overlong stretch, the cuts after it)."""
    size = size or GROUP_SIZE
    longest = 3 * size
    groups, current = [], []
    for unit in units:
        current.append(unit)
        if zlib.crc32(unit.encode("utf-8")) % size == 0 or len(current) >= longest:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


class KeptTyping:
    """The typed groups of one workspace period, in a folder of the user's cache that holds
    only what the period's last run used (settle)."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.used: set[str] = set()

    @classmethod
    def for_period(cls, store: Path, period: str) -> KeptTyping:
        """The folder of a workspace's period, named by the store's path: None (nothing kept)
        when the user turned the cache off."""
        base = cache_dir()
        if base is None:
            return cls(None)
        name = hashlib.sha256(f"{Path(store).resolve()}\0{period}".encode("utf-8", "surrogateescape")).hexdigest()
        return cls(base / "typed" / name[:32])

    @staticmethod
    def key(form: Form, period: str | None, today: int, units: list[str], expected: dict[str, frozenset[str]],
            packed: list[list[bytes]]) -> str:
        """Everything typing a group reads (packed: each unit's submissions' packed rows)."""
        parts = [package_code().hex(), form.id, form.version, template_hash(form), str(period), str(today),
                 *(f"{unit}\0{sorted(expected.get(unit, ()))}\0{len(rows)}" for unit, rows in zip(units, packed))]
        return value_key(parts, (), (data for rows in packed for data in rows))

    def get(self, key: str) -> UnitValues | None:
        if self.folder is None:
            return None
        self.used.add(key)
        value = cached_value(self.folder / key, key)
        return value if isinstance(value, UnitValues) else None

    def keep(self, key: str, value: UnitValues) -> None:
        if self.folder is not None:
            keep_value(self.folder / key, key, value)

    def settle(self) -> None:
        """The groups this run did not use removed: the folder does not grow run after run; and
        the folders of periods not run for STALE_SECONDS (a workspace deleted leaves its own)."""
        if self.folder is None:
            return
        try:
            stale = [p for p in self.folder.iterdir() if p.name not in self.used]
            others = [p for p in self.folder.parent.iterdir() if p != self.folder]
        except OSError:
            return
        now = time.time()
        for path in stale:
            _remove(path)
        for folder in others:
            try:
                old = now - folder.stat().st_mtime > STALE_SECONDS
            except OSError:
                continue
            if old:
                _remove(folder)
        try:
            os.utime(self.folder)  # used now, though nothing in it changed
        except OSError:
            pass


def _remove(path: Path) -> None:
    try:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    except OSError:
        pass
