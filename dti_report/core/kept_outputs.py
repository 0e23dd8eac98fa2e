"""Per-unit documents a rerun takes from the previous run's folder instead of writing them
again: each kind keeps an index (a CSV beside the documents) of what each document was made
from, as one digest, and its bytes' SHA-256 and size. A document whose digest is the same and
whose bytes are still those written is linked into the new run's folder.

Whether the bytes are still those written is told, as git tells an unchanged file, without
reading them: the same size, and a modification time older than the index's, which is written
after every document; a file saved over since is as new as the index or newer. Any other file
is read and hashed."""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import shutil
import sys
from functools import lru_cache
from pathlib import Path
from typing import Iterable, NamedTuple

import numpy as np
import pandas as pd

from dti_report.core.cache import code_digest
from dti_report.core.files import read_csv

PACKAGE = Path(__file__).resolve().parent.parent
# An index's columns after each kind's own (what names the document).
RECORD_COLUMNS = ["made_from", "sha256", "size"]


class Record(NamedTuple):
    """A document as its index holds it."""
    made_from: str
    sha256: str
    size: int


@lru_cache(maxsize=1)
def package_code() -> bytes:
    """The package's code and Python's version: a document made by other code is made again."""
    return code_digest(PACKAGE, *(p for p in PACKAGE.iterdir() if p.is_dir())) + sys.version.encode()


def digest(prefix: bytes, value) -> str:
    """What a document is made from, as one digest: `prefix` (code, template…) and a value of
    plain types (marshal version 2 keeps no references between equal objects, so equal values
    give equal bytes; a value marshal does not know is taken as JSON text)."""
    try:
        data = marshal.dumps(value, 2)
    except ValueError:
        data = json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
    return hashlib.sha256(prefix + data).hexdigest()


def _column_hashes(column: pd.Series) -> np.ndarray:
    """A 64-bit hash of each value of a column, the same for the same value whatever the rest
    of the column holds. Text is hashed a distinct text at a time (ten thousand unit codes over
    half a million rows); a value of another type in a column of objects, by its type and repr
    (pandas would take 1, 1.0, True and "1" for one value)."""
    values = column.to_numpy()
    if values.dtype != object:
        return pd.util.hash_array(values)
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        values = np.array([v if type(v) is str else f"\0{type(v).__name__}\0{v!r}" for v in values.tolist()],
                          dtype=object)
    codes, distinct = pd.factorize(values)
    return pd.util.hash_array(np.asarray(distinct, dtype=object))[codes]


def _row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """Each row's columns' hashes combined in order (as pandas' hash of a frame's rows does)."""
    out = np.full(len(frame), 0x345678, dtype=np.uint64)
    multiplier = np.uint64(1000003)
    count = len(frame.columns)
    with np.errstate(over="ignore"):
        for k in range(count):
            out = (out ^ _column_hashes(frame.iloc[:, k])) * multiplier
            multiplier += np.uint64(82520 + 2 * (count - k))
        return out + np.uint64(97531)


def unit_digests(frame: pd.DataFrame, salt: str) -> dict[str, int]:
    """Per unit (the first column), a 64-bit digest of its rows in order, and of `salt`: each
    row's hash, weighted by the row's place among the unit's and summed."""
    if not len(frame):
        return {}
    rows = _row_hashes(frame)
    codes, units = pd.factorize(frame.iloc[:, 0])
    place = frame.groupby(codes).cumcount().to_numpy(dtype=np.uint64)
    salted = int.from_bytes(hashlib.blake2b(salt.encode("utf-8", "surrogateescape"), digest_size=8).digest(), "little")
    sums = np.full(len(units), salted, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.add.at(sums, codes, rows * (place * np.uint64(2) + np.uint64(1)))
    # SQLite's integers are signed: the same 64 bits, read as such.
    return dict(zip(units.tolist(), sums.view(np.int64).tolist()))


def unit_fingerprints(prefix: bytes, units: Iterable[str], frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Per unit, what its document is made from as one digest, without making it: `prefix`
    (the code, the template and what every document of the kind shares) and the unit's
    rows of each frame (unit code first), each frame's rows digested at once (unit_digests)."""
    parts = [unit_digests(frame, name) for name, frame in frames.items()]
    return {unit: digest(prefix, [unit, *(part.get(unit) for part in parts)]) for unit in units}


def record_of(path: Path, made_from: str) -> Record:
    """A document just written, for the index."""
    data = Path(path).read_bytes()
    return Record(made_from, hashlib.sha256(data).hexdigest(), len(data))


class EarlierIndex:
    """The previous run's documents of one kind, by key (the index's first column). Empty when
    there is no previous run or its index is missing or of another shape."""

    def __init__(self, previous: Path | None, index_name: str, columns: list[str]):
        self.folder = previous
        self.records: dict[str, Record] = {}
        self.index_mtime_ns = 0
        if previous is None:
            return
        try:
            frame = read_csv(previous / index_name, dtype=str, keep_default_na=False)
            self.index_mtime_ns = (previous / index_name).stat().st_mtime_ns
            if list(frame.columns) != columns:
                return
            self.records = {key: Record(made, sha, int(size)) for key, made, sha, size in
                            zip(frame[columns[0]], *(frame[c] for c in RECORD_COLUMNS))}
        except (OSError, ValueError):
            self.records = {}

    def __bool__(self) -> bool:
        return bool(self.records)

    def take(self, key: str, made_from: str, name: str, target: Path) -> Record | None:
        """The previous run's document `name` (in its folder) taken into this run's folder (the
        staging folder, swapped in whole) when it was made from the same and its bytes are still
        those written: linked (the previous folder is removed once this run is in place), or
        copied where the file system cannot link. Its record in the new index; None when it must
        be written again."""
        before = self.records.get(key)
        if before is None or before.made_from != made_from:
            return None
        source = os.path.join(self.folder, name)  # a string, not a Path: this runs for every unit
        try:
            stat = os.stat(source)
            if stat.st_size != before.size:
                return None
            if stat.st_mtime_ns >= self.index_mtime_ns:
                if hashlib.sha256(Path(source).read_bytes()).hexdigest() != before.sha256:
                    return None
        except OSError:
            return None
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        return before
