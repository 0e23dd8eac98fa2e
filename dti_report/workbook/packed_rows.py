"""A submission's input rows held compactly between reading and the batch.

A national batch reads 10,000 workbooks of some 170 rows each: as Python tuples
the rows of one file take about 70 KB, packed (marshal, deflated) about 2 KB. A
reading process packs what it read and the batch unpacks a submission's rows
when it types them: marshal gives the tuples back as they were, names and cells
shared between files (interned where they were read), in a few tens of
microseconds. marshal is for data this program made itself, read back by the
same Python; the record is JSON: the store holds a file's rows as one JSON array
(`files.rows`, [unit_code, field, value, note, sheet, cell] each; the file
column is the submission's path), so a rerun takes a stored reading back without
a row-by-row query. Beside it the store keeps the packed bytes themselves,
marked with PACKED_FORMAT: a rerun by the same Python takes them as they are
(0.5 ms a file less than packing the JSON again); any other packs the JSON.
"""

from __future__ import annotations

import json
import marshal
import sys
import zlib
from typing import Iterable

from isal import isal_zlib

_FILE = 4  # the position of the file column in reader.ROW_COLUMNS
# What packed bytes can be read back by: marshal's format is not promised beyond one Python version.
PACKED_FORMAT = f"marshal {marshal.version}, Python {sys.version_info[0]}.{sys.version_info[1]}"


def pack_rows(records: Iterable[tuple]) -> bytes:
    intern = sys.intern
    rows = [(intern(unit), intern(field_id), value, note, path, intern(sheet), intern(cell))
            for unit, field_id, value, note, path, sheet, cell in records]
    # ISA-L: a zlib stream as zlib writes it, in a tenth of the time for these few kilobytes.
    return isal_zlib.compress(marshal.dumps(rows), 1) if rows else b""


def unpack_rows(packed: bytes) -> list[tuple]:
    """The rows as tuples in ROW_COLUMNS order."""
    return marshal.loads(zlib.decompress(packed)) if packed else []


def rows_json(packed: bytes) -> str:
    """The rows as the store keeps them."""
    rows = [row[:_FILE] + row[_FILE + 1:] for row in unpack_rows(packed)]
    return json.dumps(rows, separators=(",", ":")) if rows else "[]"


def packed_from_json(text: str | None, path: str) -> bytes:
    """A stored reading packed again, its rows under the file's `path` (a moved file's new name)."""
    rows = json.loads(text) if text else []
    return pack_rows((unit, field_id, value, note, path, sheet, cell)
                     for unit, field_id, value, note, sheet, cell in rows)


def stored_packed(packed: bytes | None, packed_format: str, text: str | None, stored_path: str, path: str) -> bytes:
    """A stored reading's packed rows under `path`: the stored bytes when this Python packed
    them under the same path, else packed again from the JSON."""
    if packed is not None and packed_format == PACKED_FORMAT and stored_path == path:
        return packed
    return packed_from_json(text, path)
