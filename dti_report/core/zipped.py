"""A minimal zip writer for packages made by the thousand (scorecards, feedback workbooks).

zipfile costs about a tenth of a millisecond per entry before compressing anything and
compresses every entry on each write, while a scorecard's styles, theme and numbering,
or a workbook's styles and theme, are the same in every copy. Here an entry is deflated
once (`Entry.deflated`) and its compressed bytes are copied into each file; only the
parts that change are compressed per package. Every entry gets the same
fixed date, so the same parts give the same bytes. The layout is the plain zip
format (no zip64, no extra fields, names in UTF-8), which Word, LibreOffice and
zipfile read.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from dti_report.core.files import atomic_path

# 1980-01-01 00:00:00 in MS-DOS form: zipfile's ZipInfo(date_time=(1980, 1, 1, 0, 0, 0)).
DOS_DATE, DOS_TIME = (0 << 9) | (1 << 5) | 1, 0
VERSION = 20  # 2.0: deflate
MADE_BY = (3 << 8) | VERSION  # Unix, so the permission bits below are read
FILE_ATTRIBUTES = 0o100644 << 16
UTF8_NAMES = 0x800
LIMIT = 0xFFFFFFFF  # beyond this, zip64 would be needed


@dataclass(frozen=True)
class Entry:
    name: str
    crc: int
    size: int
    data: bytes  # raw deflate stream

    @classmethod
    def deflated(cls, name: str, content: bytes, level: int = 6) -> Entry:
        if len(content) >= LIMIT:
            raise ValueError(f"{name}: too large for a zip without zip64")
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        return cls(name, zlib.crc32(content), len(content), packer.compress(content) + packer.flush())


def zip_bytes(entries: list[Entry]) -> bytes:
    """The archive's bytes: local headers and data, then the central directory."""
    parts, central, offset = [], [], 0
    for e in entries:
        name = e.name.encode("utf-8")
        flags = 0 if name.isascii() else UTF8_NAMES
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, VERSION, flags, 8, DOS_TIME, DOS_DATE,
                             e.crc, len(e.data), e.size, len(name), 0)
        parts += [header, name, e.data]
        central += [struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, MADE_BY, VERSION, flags, 8, DOS_TIME, DOS_DATE,
                                e.crc, len(e.data), e.size, len(name), 0, 0, 0, 0, FILE_ATTRIBUTES, offset), name]
        offset += len(header) + len(name) + len(e.data)
    directory = b"".join(central)
    if offset + len(directory) >= LIMIT or len(entries) >= 0xFFFF:
        raise ValueError("too large for a zip without zip64")
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), offset, 0)
    return b"".join(parts) + directory + end


def write_entries(target: Path, entries: list[Entry]) -> Path:
    """The archive written atomically (a temporary file renamed over the target)."""
    data = zip_bytes(entries)
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return target
