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

import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable

from isal import isal_zlib

from dti_report.core.files import write_bytes_atomic

# 1980-01-01 00:00:00 in MS-DOS form: zipfile's ZipInfo(date_time=(1980, 1, 1, 0, 0, 0)).
DOS_DATE, DOS_TIME = (0 << 9) | (1 << 5) | 1, 0
VERSION = 20  # 2.0: deflate
MADE_BY = (3 << 8) | VERSION  # Unix, so the permission bits below are read
FILE_ATTRIBUTES = 0o100644 << 16
UTF8_NAMES = 0x800
LIMIT = 0xFFFFFFFF  # beyond this, zip64 would be needed


def compressor(level: int):
    """A raw deflate stream at `level`: the fast levels (0–3, what the parts made per package
    use) by ISA-L, which deflates four times as fast as zlib's level 1 for the same size and
    starts a stream in a tenth of the time (a feedback workbook compresses five small parts);
    the higher ones, for the parts compressed once, by zlib."""
    if level <= isal_zlib.ISAL_BEST_COMPRESSION:
        return isal_zlib.compressobj(level, isal_zlib.DEFLATED, -15)
    return zlib.compressobj(level, zlib.DEFLATED, -15)


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
        packer = compressor(level)
        return cls(name, zlib.crc32(content), len(content), packer.compress(content) + packer.flush())


def _local_header(name: bytes, flags: int, crc: int, deflated: int, size: int) -> bytes:
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, VERSION, flags, 8, DOS_TIME, DOS_DATE,
                       crc, deflated, size, len(name), 0) + name


class ZipWriter:
    """The archive written to a seekable file entry by entry, then closed. An entry may come
    as a stream of chunks compressed as they come: a sheet of millions of cells is never
    whole in memory."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.start = out.tell()
        self.directory: list[bytes] = []
        self.count = 0

    def _entry(self, name: bytes, flags: int, crc: int, deflated: int, size: int, offset: int) -> None:
        if max(deflated, size, offset) >= LIMIT or self.count + 1 >= 0xFFFF:
            raise ValueError(f"{name.decode('utf-8', 'replace')}: too large for a zip without zip64")
        self.directory.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, MADE_BY, VERSION, flags, 8, DOS_TIME,
                                          DOS_DATE, crc, deflated, size, len(name), 0, 0, 0, 0, FILE_ATTRIBUTES,
                                          offset) + name)
        self.count += 1

    def add(self, e: Entry) -> None:
        name = e.name.encode("utf-8")
        flags = 0 if name.isascii() else UTF8_NAMES
        offset = self.out.tell() - self.start
        self.out.write(_local_header(name, flags, e.crc, len(e.data), e.size))
        self.out.write(e.data)
        self._entry(name, flags, e.crc, len(e.data), e.size, offset)

    def add_stream(self, name: str, chunks: Iterable[bytes], level: int = 6) -> None:
        """An entry compressed chunk by chunk; its header is written again once its sizes are known."""
        raw = name.encode("utf-8")
        flags = 0 if raw.isascii() else UTF8_NAMES
        offset = self.out.tell() - self.start
        self.out.write(_local_header(raw, flags, 0, 0, 0))
        packer = compressor(level)
        crc = size = deflated = 0
        for chunk in chunks:
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
            data = packer.compress(chunk)
            deflated += len(data)
            self.out.write(data)
        data = packer.flush()
        deflated += len(data)
        self.out.write(data)
        end = self.out.tell()
        self.out.seek(self.start + offset)
        self.out.write(_local_header(raw, flags, crc, min(deflated, LIMIT), min(size, LIMIT)))
        self.out.seek(end)
        self._entry(raw, flags, crc, deflated, size, offset)

    def close(self) -> None:
        offset = self.out.tell() - self.start
        central = b"".join(self.directory)
        if offset + len(central) >= LIMIT:
            raise ValueError("too large for a zip without zip64")
        self.out.write(central)
        self.out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, self.count, self.count, len(central), offset, 0))


def zip_bytes(entries: list[Entry]) -> bytes:
    """The archive's bytes: local headers and data, then the central directory."""
    buffer = io.BytesIO()
    writer = ZipWriter(buffer)
    for e in entries:
        writer.add(e)
    writer.close()
    return buffer.getvalue()


def write_entries(target: Path, entries: list[Entry]) -> Path:
    """The archive written atomically (a temporary file renamed over the target)."""
    return write_bytes_atomic(target, zip_bytes(entries))
