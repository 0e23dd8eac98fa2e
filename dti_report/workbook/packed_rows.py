"""A submission's input rows held compactly between reading and the batch.

A national batch reads 10,000 workbooks of some 170 rows each: as Python tuples
the rows of one file take about 70 KB, packed (JSON, deflated) under 2 KB. A
reading process packs what it read, the batch unpacks a submission's rows when it
types them, and the store keeps the same JSON (`files.rows`), so a rerun takes a
stored reading back without a row-by-row query.

The JSON is an array of [unit_code, field, value, note, sheet, cell]: the file
column of the rows is the submission's path, given back on unpacking (a reading
reused under a moved file's new name carries the new name).
"""

from __future__ import annotations

import json
import sys
import zlib
from typing import Iterable

_FILE = 4  # the position of the file column in reader.ROW_COLUMNS


def pack_rows(records: Iterable[tuple]) -> bytes:
    rows = [row[:_FILE] + row[_FILE + 1:] for row in records]
    return zlib.compress(json.dumps(rows, separators=(",", ":")).encode("utf-8"), 1) if rows else b""


def unpack_rows(packed: bytes, path: str) -> list[tuple]:
    """The rows as tuples in ROW_COLUMNS order; names and cells shared between files
    (a batch holds a million rows naming the same few hundred fields)."""
    if not packed:
        return []
    intern = sys.intern
    return [(intern(unit), intern(field_id), value, note, path, intern(sheet), intern(cell))
            for unit, field_id, value, note, sheet, cell in json.loads(zlib.decompress(packed))]


def rows_json(packed: bytes) -> str:
    """The rows as the store keeps them."""
    return zlib.decompress(packed).decode("utf-8") if packed else "[]"


def packed_from_json(text: str | None) -> bytes:
    return zlib.compress(text.encode("utf-8"), 1) if text and text != "[]" else b""
