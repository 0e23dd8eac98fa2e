"""A minimal zip writer for packages made by the thousand.

zipfile costs about a tenth of a millisecond per entry before compressing anything, and an
xlsx package has ten entries, most of them the same in every workbook. Here a part is
compressed once (Part) and a package is its parts' bytes laid end to end with the two
directories the format asks for: the parts that never change are compressed once per
process. Every entry carries the same date, so the same parts give the same bytes.

ZipWriter writes the same layout to a file, part by part, and can take a part as a stream of
chunks compressed as they come: a sheet of millions of cells is never whole in memory.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

# 1980-01-01 00:00, the earliest date a zip entry holds, in MS-DOS form.
DOS_TIME, DOS_DATE = 0, (1 << 5) | 1
_VERSION = 20                      # "deflate", the feature the entries need
_MADE_BY = (3 << 8) | _VERSION     # made on Unix: the external attributes are file modes
_FILE_MODE = 0o644 << 16
_DEFLATE = 8
_LIMIT = 0xFFFFFFFF  # beyond this a size or offset needs zip64, which this writer does not write


@dataclass(frozen=True)
class Part:
    name: bytes
    crc: int
    size: int
    deflated: bytes


def part(name: str, data: bytes, level: int = 6) -> Part:
    """A package entry compressed (raw deflate, as zip stores it)."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Part(name.encode("ascii"), zlib.crc32(data), len(data), packer.compress(data) + packer.flush())


def _local_header(name: bytes, crc: int, deflated: int, size: int) -> bytes:
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, _VERSION, 0, _DEFLATE, DOS_TIME, DOS_DATE,
                       crc, deflated, size, len(name), 0) + name


class ZipWriter:
    """A zip archive written to a seekable file, entry by entry, then closed."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.start = out.tell()
        self.directory: list[bytes] = []
        self.count = 0

    def _entry(self, name: bytes, crc: int, deflated: int, size: int, offset: int) -> None:
        if max(deflated, size, offset) >= _LIMIT:
            raise ValueError(f"{name.decode()}: too large for a zip without zip64")
        self.directory.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, _MADE_BY, _VERSION, 0, _DEFLATE, DOS_TIME,
                                          DOS_DATE, crc, deflated, size, len(name), 0, 0, 0, 0, _FILE_MODE,
                                          offset) + name)
        self.count += 1

    def add(self, p: Part) -> None:
        offset = self.out.tell() - self.start
        self.out.write(_local_header(p.name, p.crc, len(p.deflated), p.size))
        self.out.write(p.deflated)
        self._entry(p.name, p.crc, len(p.deflated), p.size, offset)

    def add_stream(self, name: str, chunks: Iterable[bytes], level: int = 6) -> None:
        """An entry compressed chunk by chunk; its header is written again once its sizes are known."""
        raw = name.encode("ascii")
        offset = self.out.tell() - self.start
        self.out.write(_local_header(raw, 0, 0, 0))
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
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
        self.out.write(_local_header(raw, crc, min(deflated, _LIMIT), min(size, _LIMIT)))
        self.out.seek(end)
        self._entry(raw, crc, deflated, size, offset)

    def close(self) -> None:
        offset = self.out.tell() - self.start
        central = b"".join(self.directory)
        self.out.write(central)
        self.out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, self.count, self.count, len(central), offset, 0))


def zip_bytes(parts: list[Part]) -> bytes:
    """The zip archive of the parts, in their order."""
    buffer = io.BytesIO()
    writer = ZipWriter(buffer)
    for p in parts:
        writer.add(p)
    writer.close()
    return buffer.getvalue()
