"""Per-unit documents a rerun takes from the previous run's folder instead of writing them
again: each kind keeps an index (a CSV beside the documents) of what each document was made
from, as one digest, and its bytes' SHA-256. A document whose digest is the same and whose
bytes are still those written is linked into the new run's folder."""

from __future__ import annotations

import hashlib
import os
import sys
from functools import lru_cache
from pathlib import Path

from dti_report.core.cache import code_digest
from dti_report.core.files import read_csv

PACKAGE = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def package_code() -> bytes:
    """The package's code and Python's version: a document made by other code is made again."""
    return code_digest(PACKAGE, *(p for p in PACKAGE.iterdir() if p.is_dir())) + sys.version.encode()


def earlier_index(previous: Path | None, index_name: str, columns: list[str]) -> dict[str, tuple[str, str]]:
    """The previous run's documents of one kind by key (the index's first column): (made from,
    sha256). Nothing when there is no previous run or its index is missing or of another shape."""
    if previous is None:
        return {}
    try:
        frame = read_csv(previous / index_name, dtype=str, keep_default_na=False)
    except (OSError, ValueError):
        return {}
    if list(frame.columns) != columns:
        return {}
    return dict(zip(frame[columns[0]], zip(frame["made_from"], frame["sha256"])))


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def take_if_same(source: Path, sha256: str, target: Path) -> bool:
    """The previous run's document taken into this run's folder (the staging folder, swapped in
    whole), if its bytes are still those it was written with: linked (the previous folder is
    removed once this run is in place), or copied where the file system cannot link."""
    try:
        data = source.read_bytes()
    except OSError:
        return False
    if hashlib.sha256(data).hexdigest() != sha256:
        return False
    try:
        os.link(source, target)
    except OSError:
        target.write_bytes(data)
    return True
