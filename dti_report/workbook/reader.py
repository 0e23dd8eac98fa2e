"""Reading one returned unit workbook, safely.

Nothing a file holds can stop the batch: every failure becomes the file's own
issue (a stable code and a Vietnamese sentence; what a library said goes to the
issue's technical detail, for the clerk), and read_submission never raises.

The file is opened without following a link and only when it is a regular
file. Before anything parses it: its size, what its first bytes say it is, and
for zip containers the entry count, the uncompressed size, the compression
ratios and any DTD/ENTITY declaration in the parts that are XML (checked with
defusedxml; binary parts such as printer settings and pictures are left
alone). Then each sheet python-calamine would build is scanned for how far its
content reaches (scan.py), so a stray cell at XFD1048576 is named, not
allocated. Only then does calamine read values, of the template's sheets only:
macros never run and formula cells are never trusted, since scores are
recomputed from inputs.
"""

from __future__ import annotations

import codecs
import datetime as dt
import errno
import hashlib
import io
import os
import re
import stat as stat_mode
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from struct import error as struct_error
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import olefile
import pandas as pd
import python_calamine
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from dti_report.core.files import display_path, escaped_path, relative_text
from dti_report.core.issues import Issue
from dti_report.forms.base import Form
from dti_report.forms.catalog import Catalog
from dti_report.forms.units import Registry
from dti_report.workbook.packed_rows import pack_rows, unpack_rows
from dti_report.workbook.layout import (HEADER, column_letter, INPUT_SHEET, META_KEYS, META_SHEET, TEMPLATE_FORMAT, TEMPLATE_STAMP,
                                       template_hash)
from dti_report.workbook.scan import (ScanError, SheetScan, scan_ods, scan_xls, scan_xlsx_sheet,
                                      xls_is_encrypted, xlsx_sheet_parts)

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
# Workbooks in a format the reader does not open: a return saved so is refused with the
# format named (the unit sent something), not ignored like a PDF, a note or a CSV (a
# CSV holds one sheet: never a whole template).
UNSUPPORTED_SUFFIXES = {".fods", ".xlsb", ".xltx", ".xltm", ".xlt", ".ots", ".et", ".ett", ".numbers", ".sxc"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

ACCEPTED, REJECTED, SUPERSEDED, IGNORED = "accepted", "rejected", "superseded", "ignored"
STATUS_LABELS = {ACCEPTED: "Được chấp nhận", REJECTED: "Bị từ chối", SUPERSEDED: "Bị thay thế", IGNORED: "Bỏ qua"}
# What a directory entry is; only a regular file is ever opened.
FILE, SYMLINK, FOLDER, FIFO, DEVICE, SOCKET = "file", "symlink", "folder", "fifo", "device", "socket"
ENTRY_LABELS = {FILE: "tệp", SYMLINK: "liên kết", FOLDER: "thư mục", FIFO: "ống dẫn (FIFO)", DEVICE: "tệp thiết bị",
                SOCKET: "socket"}

# Issues that make a whole file unusable; value problems only touch their criterion.
FILE_LEVEL_CODES = {
    "file-too-large", "zip-bomb", "xml-bomb", "not-a-workbook", "password-protected", "corrupt-workbook",
    "not-a-template", "missing-sheet", "missing-header", "template-version-mismatch", "unknown-set",
    "unknown-unit", "unit-set-mismatch", "unit-mismatch", "wrong-period", "file-unreadable",
    "reading-failed", "reading-crashed", "sheet-too-large", "unsupported-format", "unit-title-mismatch",
    "path-too-long", "folder-unreadable",
}
ROW_COLUMNS = ["unit_code", "field", "value", "note", "file", "sheet", "cell"]


@dataclass(frozen=True)
class Limits:
    """Ceilings checked before a workbook is opened; a unit's real return is far below each."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_entries: int = 2000
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_ratio: float = 200.0            # uncompressed / compressed, for any entry over ratio_floor_bytes
    ratio_floor_bytes: int = 1024 * 1024
    xml_sniff_bytes: int = 4096         # a DOCTYPE can only stand before the root element
    # The cells a template can hold: the largest form asks about 1,500 rows in 8 columns;
    # a unit may insert rows and add a column or two. Beyond this a sheet is refused, not built.
    max_sheet_rows: int = 10_000
    max_sheet_columns: int = 64
    # Address space a reading process may add to what it starts with: whatever a file
    # does past this fails that file, not the batch.
    worker_memory_bytes: int = 1536 * 1024 * 1024


@dataclass
class Submission:
    path: str              # relative to the inputs folder, as shown (invalid UTF-8 bytes as U+FFFD)
    sha256: str = ""
    size: int = 0
    status: str = REJECTED
    unit_code: str = ""
    set_id: str = ""
    set_version: str = ""
    period: str = ""
    modified: str = ""     # ISO timestamp in the workspace's zone: the workbook's own save time, else the file's
    packed_rows: bytes = b""  # the input rows, packed (workbook.packed_rows); `records` gives them as tuples
    issues: list[Issue] = field(default_factory=list)
    entry: str = FILE      # what the directory entry is (ENTRY_LABELS)
    target: str = ""       # a link's target, as the link says it (never followed)
    path_bytes: str = ""   # the name's bytes escaped, when it is not valid UTF-8
    reason: str = ""       # why the file was not used, in a sentence (the manifest shows it)
    stamp_trusted: bool = True  # False: a save time in the future or far before the period

    @property
    def records(self) -> list[tuple]:
        """One tuple per input row, in ROW_COLUMNS order (unpacked on each call: bind it once)."""
        return unpack_rows(self.packed_rows)

    @records.setter
    def records(self, rows: list[tuple]) -> None:
        self.packed_rows = pack_rows(rows)

    @property
    def rows(self) -> pd.DataFrame:
        return rows_frame(self.records)

    def issue(self, code: str, **where) -> None:
        self.issues.append(Issue(code, file=self.path, **where))

    @property
    def has_file_errors(self) -> bool:
        return any(i.code in FILE_LEVEL_CODES for i in self.issues)


def _human_size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


# --- before opening -------------------------------------------------------------

def check_container(sub: Submission, data: bytes, suffix: str, limits: Limits) -> zipfile.ZipFile | None:
    """Size, kind, zip-bomb and XML-bomb checks. Returns the open zip for OOXML/ODS."""
    return _container(sub, data, suffix, limits)[0]


XLSX, ODS, XLS = "xlsx", "ods", "xls"


def _container(sub: Submission, data: bytes, suffix: str, limits: Limits) -> tuple[zipfile.ZipFile | None, str]:
    """check_container, and which of XLSX, ODS, XLS the content is ("" when refused)."""
    if len(data) > limits.max_file_bytes:
        sub.issue("file-too-large", detail=f"{_human_size(len(data))} > {_human_size(limits.max_file_bytes)}")
        return None, ""
    head = data[:8]
    if head.startswith(OLE_MAGIC):
        if _ole_is_encrypted(data):
            sub.issue("password-protected")
        elif suffix != ".xls":
            sub.issue("corrupt-workbook", detail=f"nội dung là tệp Office cũ (.xls) nhưng tên có đuôi {suffix}")
        elif xls_is_encrypted(data):
            sub.issue("password-protected")
        else:
            return None, XLS
        return None, ""
    if not head.startswith(ZIP_MAGIC):
        sub.issue("not-a-workbook", detail="nội dung không phải định dạng Excel/ODS")
        return None, ""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        sub.issue("corrupt-workbook", detail="tệp nén bị hỏng hoặc không trọn vẹn", technical=_technical(exc))
        return None, ""
    if len(entries) > limits.max_entries:
        sub.issue("zip-bomb", detail=f"{len(entries)} mục nén, tối đa {limits.max_entries}")
        return None, ""
    total = sum(e.file_size for e in entries)
    if total > limits.max_uncompressed_bytes:
        sub.issue("zip-bomb", detail=f"giải nén ra {_human_size(total)}, tối đa {_human_size(limits.max_uncompressed_bytes)}")
        return None, ""
    for entry in entries:
        if entry.file_size > limits.ratio_floor_bytes and entry.file_size > limits.max_ratio * max(entry.compress_size, 1):
            sub.issue("zip-bomb", detail=f"mục {entry.filename} nén {entry.file_size // max(entry.compress_size, 1)}:1")
            return None, ""
    names = {e.filename for e in entries}
    is_ooxml = "[Content_Types].xml" in names and any(n.startswith("xl/workbook") for n in names)
    is_ods = "content.xml" in names and "mimetype" in names
    if not (is_ooxml or is_ods):
        sub.issue("not-a-workbook", detail="tệp nén không chứa sổ tính (có thể là tài liệu Word hoặc tệp nén khác)")
        return None, ""
    for entry in entries:
        if entry.is_dir():
            continue
        # Every part, whatever its name: relationships can point a reader at "sheet2.dat".
        try:
            declares_dtd = _prolog_declares_dtd(archive, entry, limits.xml_sniff_bytes, data)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError, ValueError) as exc:
            sub.issue("corrupt-workbook", detail=f"không giải nén được mục {entry.filename}", technical=_technical(exc))
            return None, ""
        if declares_dtd:
            try:
                SafeET.fromstring(archive.read(entry))
            except DefusedXmlException:
                sub.issue("xml-bomb", detail=entry.filename)
                return None, ""
            except (SafeET.ParseError, ValueError) as exc:
                sub.issue("corrupt-workbook", detail=f"XML hỏng trong mục {entry.filename}", technical=_technical(exc))
                return None, ""
    if is_ods and _ods_is_encrypted(archive):
        sub.issue("password-protected")
        return None, ""
    return archive, XLSX if is_ooxml else ODS


def _technical(exc: BaseException) -> str:
    """What a library said, for the clerk's technical column."""
    return f"{exc.__class__.__name__}: {exc}"


def _ole_is_encrypted(data: bytes) -> bool:
    """An encrypted OOXML file is an OLE container with these streams; read the
    directory rather than search the bytes (an .xls keeps cell text in UTF-16)."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(path) for path in ole.listdir()}
    except (OSError, ValueError, IndexError):  # olefile raises these for a broken directory
        return False
    return bool(streams & {"EncryptionInfo", "EncryptedPackage"})


def _ods_is_encrypted(archive: zipfile.ZipFile) -> bool:
    """A password-protected ODS keeps its manifest in clear and lists how each
    encrypted part was encrypted."""
    try:
        with archive.open("META-INF/manifest.xml") as stream:
            return b"encryption-data" in stream.read(1 << 20)
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError):
        return False


# UTF-16 without a byte-order mark: an XML part can only begin with "<" or white space.
_UTF16_STARTS = {b"<\x00": "utf-16-le", b"\x00<": "utf-16-be", b" \x00": "utf-16-le", b"\x00 ": "utf-16-be",
                 b"\r\x00": "utf-16-le", b"\x00\r": "utf-16-be", b"\n\x00": "utf-16-le", b"\x00\n": "utf-16-be",
                 b"\t\x00": "utf-16-le", b"\x00\t": "utf-16-be"}


def _xml_encoding(raw: bytes) -> str | None:
    """The encoding a part is read in to look for a DTD, or None when it cannot be XML:
    printer settings, EMF/WMF pictures and other binary parts start with other bytes."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if raw[:2] in _UTF16_STARTS:
        return _UTF16_STARTS[raw[:2]]
    first = raw.lstrip(b" \t\r\n")[:1]
    if raw.startswith(b"\xef\xbb\xbf") or first == b"<" or not first:
        return "utf-8"
    return None


# A part as spreadsheet programs write it: at most the XML declaration before the root element.
_PLAIN_PROLOG = re.compile(rb"\A(?:\xef\xbb\xbf)?[ \t\r\n]*(?:<\?xml[^?<>]*\?>[ \t\r\n]*)?<[A-Za-z_:]")


def _part_head(data: bytes, entry: zipfile.ZipInfo, chunk: int) -> bytes | None:
    """A part's first bytes, inflated straight from the file's bytes (opening zipfile's
    stream costs more than the look, a dozen parts a workbook); None when the part is
    not plainly stored or deflated, or its data is not where its header says."""
    if entry.flag_bits & 0x1 or entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    start = entry.header_offset
    header = data[start:start + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        return None
    name_length, extra_length = int.from_bytes(header[26:28], "little"), int.from_bytes(header[28:30], "little")
    begin = start + 30 + name_length + extra_length
    raw = data[begin:begin + entry.compress_size]
    if entry.compress_type == zipfile.ZIP_STORED:
        return raw[:chunk]
    try:
        return zlib.decompressobj(-15).decompress(raw, chunk)
    except zlib.error:
        return None  # said by the stream below, as any broken part


def _prolog_declares_dtd(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, chunk: int, data: bytes = b"") -> bool:
    """Does this part declare a DTD before its root element? Reads only the prolog:
    comments and processing instructions of any length may come first, and the
    part may be UTF-16. Parts that are not XML say no at their first bytes."""
    head = _part_head(data, entry, chunk) if data else None
    if head is not None and (_PLAIN_PROLOG.match(head) or (head and _xml_encoding(head) is None)):
        return False  # the root element right after the declaration, or not XML at all
    with archive.open(entry) as stream:
        raw = stream.read(chunk)
        encoding = _xml_encoding(raw)
        if encoding is None:
            return False
        decoder = codecs.getincrementaldecoder(encoding)(errors="ignore")
        text, pos, closing_from = "", 0, 0
        while True:
            try:
                text += decoder.decode(raw, final=not raw)
            except UnicodeError:  # not text in the encoding its first bytes suggest: not XML
                return False
            while True:
                while pos < len(text) and text[pos] in " \t\r\n\ufeff":
                    pos += 1
                opener = "<?" if text.startswith("<?", pos) else "<!--" if text.startswith("<!--", pos) else None
                if opener is None:
                    break
                # Search for the end only in what is new, so a huge comment costs one pass.
                end = text.find("?>" if opener == "<?" else "-->", max(pos + len(opener), closing_from))
                if end < 0:
                    closing_from = max(len(text) - 3, pos)
                    break
                pos, closing_from = end + (2 if opener == "<?" else 3), 0
            rest = text[pos:pos + 9]
            if rest.startswith(("<!DOCTYPE", "<!ENTITY")):
                return True
            waiting = not rest or rest.startswith(("<!--", "<?")) or (rest.startswith("<") and len(rest) < 9)
            if not waiting or not raw:
                return False
            raw = stream.read(chunk)


# --- the save stamp ---------------------------------------------------------------

_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>|<dc:date>([^<]+)</dc:date>")
_APPLICATION = re.compile(rb"<(?:\w+:)?Application>([^<]*)</(?:\w+:)?Application>")
_STAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?(Z|[+-]\d{2}:?\d{2})?$")


def workspace_zone(name: str = DEFAULT_TIMEZONE) -> dt.tzinfo:
    """The time zone save stamps without one are read in."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name == DEFAULT_TIMEZONE:  # no zone database on this machine: Vietnam keeps no summer time
            return dt.timezone(dt.timedelta(hours=7), "+07")
        raise


def _parse_stamp(text: str, zone: dt.tzinfo, local_despite_label: bool) -> dt.datetime | None:
    match = _STAMP.match(text.strip())
    if match is None:
        return None
    y, mo, d, h, mi, s, offset = match.groups()
    try:
        naive = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
    except ValueError:
        return None
    if offset is None or local_despite_label:
        return naive.replace(tzinfo=zone)
    if offset == "Z":
        return naive.replace(tzinfo=dt.timezone.utc)
    sign = 1 if offset[0] == "+" else -1
    hours, minutes = int(offset[1:3]), int(offset[-2:])
    return naive.replace(tzinfo=dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes)))


def save_stamp(archive: zipfile.ZipFile | None, data: bytes, kind: str, zone: dt.tzinfo) -> dt.datetime | None:
    """When the spreadsheet program last saved the file, as an aware time.

    .xlsx: docProps/core.xml "modified"; LibreOffice writes its local time there with
    a "Z" (UTC) label, so for a file docProps/app.xml says LibreOffice made, the time
    is read in the workspace's zone. .ods: meta.xml dc:date, local time without a
    zone. .xls: the summary stream's last-saved time (UTC)."""
    if kind == XLS:
        try:
            with olefile.OleFileIO(io.BytesIO(data)) as ole:
                saved = ole.get_metadata().last_saved_time
        except (OSError, ValueError, IndexError, TypeError, AttributeError):
            return None
        if not isinstance(saved, dt.datetime) or saved.year < 1990:  # FILETIME 0: never stamped
            return None
        return saved.replace(tzinfo=dt.timezone.utc)
    if archive is None:
        return None
    part = "docProps/core.xml" if kind == XLSX else "meta.xml"
    try:
        with archive.open(part) as stream:
            text = stream.read(65536)
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError):
        return None
    match = _MODIFIED.search(text)
    if match is None:
        return None
    local = False
    if kind == XLSX:
        try:
            with archive.open("docProps/app.xml") as stream:
                app = _APPLICATION.search(stream.read(65536))
        except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError):
            app = None
        local = app is not None and app.group(1).decode("utf-8", "replace").startswith(("LibreOffice", "OpenOffice"))
    stamp = _parse_stamp((match.group(1) or match.group(2)).decode("ascii", "replace"), zone, local)
    if stamp is not None and stamp.replace(tzinfo=None) == TEMPLATE_STAMP:
        return None  # the generated template's own stamp: never saved since, the file's time tells more
    return stamp


def stamp_problem(stamp: dt.datetime, period: str, now: dt.datetime) -> str:
    """Why a save time cannot be believed, or "": in the future, or more than a year
    before the period begins."""
    if stamp > now + dt.timedelta(days=1):
        return "ở tương lai"
    if period[:4].isdigit() and stamp.date() < dt.date(int(period[:4]) - 1, 1, 1):
        return f"sớm hơn kỳ báo cáo {period} hơn một năm"
    return ""


# --- scanning -------------------------------------------------------------------------

def scan_sheets(data: bytes, archive: zipfile.ZipFile | None, kind: str, wanted: set[str],
                limits: Limits) -> dict[str, SheetScan]:
    """What the sheets calamine will build hold (scan.py): for .xlsx the wanted ones,
    for .ods and .xls all of them."""
    rows, cols = limits.max_sheet_rows, limits.max_sheet_columns
    if kind == XLS:
        return scan_xls(data, wanted, rows, cols)
    if kind == ODS:
        return scan_ods(archive, wanted, rows, cols)
    parts = xlsx_sheet_parts(archive)
    return {name: scan_xlsx_sheet(archive, parts[name], name, rows, cols) for name in wanted if name in parts}


# --- reading --------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


class _Sheets:
    """The workbook's sheets by NFC name (a name typed on a Mac may come decomposed)."""

    def __init__(self, book):
        self.book = book
        self.names = {unicodedata.normalize("NFC", n): n for n in book.sheet_names}

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def grid(self, name: str) -> list[list]:
        return self.book.get_sheet_by_name(self.names[name]).to_python(skip_empty_area=False)


def _read_meta(sheets: _Sheets, sub: Submission) -> dict[str, str] | None:
    if META_SHEET not in sheets:
        sub.issue("not-a-template", detail=f"không có trang '{META_SHEET}'")
        return None
    meta = {_text(r[0]): _text(r[1]) for r in sheets.grid(META_SHEET) if len(r) >= 2 and _text(r[0])}
    missing = [k for k in META_KEYS if not meta.get(k)]
    if missing:
        sub.issue("not-a-template", sheet=META_SHEET, detail=f"thiếu thông tin {', '.join(missing)}")
        return None
    return meta


def _check_meta(meta: dict[str, str], sub: Submission, registry: Registry, catalog: Catalog,
                period: str | None) -> Form | None:
    """The form the workbook was made from (its id and version), checked against the stamp's
    fingerprint, the unit and the period."""
    sub.set_id, sub.set_version, sub.unit_code, sub.period = meta["set_id"], meta["set_version"], meta["unit_code"], meta["period"]
    if meta["set_id"] not in catalog:
        sub.issue("unknown-set", sheet=META_SHEET, value=meta["set_id"], detail=", ".join(catalog.ids()))
        return None
    versions = catalog.forms[meta["set_id"]]
    form = versions.get(meta["set_version"]) or catalog.get(meta["set_id"])
    expected = f"{form.version} (mẫu {TEMPLATE_FORMAT}, mã {template_hash(form)})"
    found = f"{meta['set_version']} (mẫu {meta['template_format']}, mã {meta['template_hash']})"
    if (meta["set_version"], meta["template_format"], meta["template_hash"]) != (
            form.version, TEMPLATE_FORMAT, template_hash(form)):
        sub.issue("template-version-mismatch", sheet=META_SHEET, value=found, detail=expected)
    unit = registry.by_code().get(meta["unit_code"])
    if unit is None:
        sub.issue("unknown-unit", sheet=META_SHEET, unit=meta["unit_code"], value=meta["unit_code"])
    elif not form.takes(unit, registry):
        sub.issue("unit-set-mismatch", sheet=META_SHEET, unit=unit.code, value=form.id, detail=unit.level)
    named_unit = Path(sub.path).name.split("_")[0]
    if Path(sub.path).name.count("_") >= 2 and named_unit in registry.by_code() and named_unit != meta["unit_code"]:
        # The file name says one unit, the stamp inside another: a template filled for someone else.
        sub.issue("unit-mismatch", sheet=META_SHEET, unit=meta["unit_code"], value=named_unit)
    if period is not None and meta["period"] != period:
        sub.issue("wrong-period", sheet=META_SHEET, value=meta["period"], detail=period)
    return form


def _find_header(grid: list[list]) -> tuple[int, dict[str, int]] | None:
    """The column headers' row, anywhere in the (bounded) sheet: a unit may paste its
    letterhead above the title block."""
    wanted = {HEADER["field_id"]: "field_id", HEADER["value"]: "value", HEADER["note"]: "note"}
    for r, row in enumerate(grid):
        found = {wanted[t]: c for c, v in enumerate(row) if isinstance(v, str) and (t := _text(v)) in wanted}
        if "field_id" in found and "value" in found:
            return r, found
    return None


def rows_frame(records: list[tuple]) -> pd.DataFrame:
    """The long rows of one or many submissions, as the scoring reads them."""
    return pd.DataFrame.from_records(records, columns=ROW_COLUMNS)


# The visible title every template writes above the header: "Đơn vị: <name> (mã đơn vị: <code>)".
_TITLE_UNIT = re.compile(r"\(mã đơn vị:\s*([^\s()]+)\s*\)")


def _title_unit(grid: list[list], header_row: int) -> str:
    for row in grid[:header_row]:
        for value in row:
            if isinstance(value, str):
                match = _TITLE_UNIT.search(unicodedata.normalize("NFC", value))
                if match:
                    return match.group(1)
    return ""


def _cell_value(value, ref: str, scan: SheetScan | None, percent: bool):
    """A value cell as the unit meant it: an error value is an error (never blank), a
    boolean stays a word (never the number 1), text keeps its own spacing."""
    if scan is not None:
        if ref in scan.errors:
            return scan.errors[ref]
        if ref in scan.booleans:
            return "TRUE" if scan.booleans[ref] else "FALSE"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if value is None or value == "":
        return ""
    if isinstance(value, (int, float)):
        # A percent cell holds a fraction (0.8): written as "80%" (decimal comma) it reads
        # as the long format does and shows in messages as the unit saw it.
        return f"{value * 100:.12g}".replace(".", ",") + "%" if percent else value
    return str(value)  # a date or time typed into a value cell


def read_input_rows(book, sub: Submission, form: Form, scan: SheetScan | None = None) -> list[tuple] | None:
    sheets = book if isinstance(book, _Sheets) else _Sheets(book)
    if INPUT_SHEET not in sheets:
        sub.issue("missing-sheet", sheet=INPUT_SHEET)
        return None
    grid = sheets.grid(INPUT_SHEET)
    header = _find_header(grid)
    if header is None:
        sub.issue("missing-header", sheet=INPUT_SHEET, detail=f"{HEADER['field_id']}, {HEADER['value']}")
        return None
    header_row, cols = header
    named = _title_unit(grid, header_row)
    if named and sub.unit_code and named != sub.unit_code:
        # The hidden stamp names one unit, the title the unit sees another: a stamp sheet
        # copied into someone else's workbook.
        sub.issue("unit-title-mismatch", sheet=INPUT_SHEET, unit=sub.unit_code, value=named)
        return None
    percent_fields = form.percent_field_ids
    records = []
    value_col, note_col, id_col = cols["value"], cols.get("note"), cols["field_id"]
    letter = column_letter(value_col)
    unit, path = sub.unit_code, sub.path
    for r in range(header_row + 1, len(grid)):
        row = grid[r]
        width = len(row)
        field_id = _text(row[id_col]) if id_col < width else ""
        if not field_id:
            continue
        cell = f"{letter}{r + 1}"
        value = _cell_value(row[value_col] if value_col < width else None, cell, scan, field_id in percent_fields)
        note = row[note_col] if note_col is not None and note_col < width else ""
        records.append((unit, field_id, value, _text(note) if note != "" else "", path, INPUT_SHEET, cell))
    return records


# --- one file -----------------------------------------------------------------------

def _reject(sub: Submission, code: str, **where) -> Submission:
    sub.status, sub.records = REJECTED, []
    sub.issue(code, **where)
    return sub


_ERRNO_TEXT = {
    errno.EACCES: "không có quyền đọc", errno.EPERM: "không có quyền đọc", errno.ENOENT: "tệp không còn trong thư mục",
    errno.EIO: "lỗi đọc ổ đĩa", errno.EISDIR: "đây là thư mục", errno.ENAMETOOLONG: "đường dẫn quá dài",
    errno.ELOOP: "liên kết vòng",
}


def os_error_text(exc: OSError) -> str:
    """An operating-system error in Vietnamese words (the errno text goes to the technical column)."""
    return _ERRNO_TEXT.get(exc.errno, "lỗi hệ thống khi mở tệp")


def entry_kind(mode: int) -> str:
    if stat_mode.S_ISREG(mode):
        return FILE
    if stat_mode.S_ISLNK(mode):
        return SYMLINK
    if stat_mode.S_ISDIR(mode):
        return FOLDER
    if stat_mode.S_ISFIFO(mode):
        return FIFO
    if stat_mode.S_ISSOCK(mode):
        return SOCKET
    return DEVICE


def not_opened(sub: Submission, kind: str, target: str = "") -> Submission:
    """An entry that is listed and never opened: a link (its target shown), a FIFO, a device."""
    sub.entry, sub.status = kind, IGNORED
    if kind == SYMLINK:
        sub.target = display_path(target)
        sub.issue("symlink-ignored", detail=sub.target or "?")
    else:
        sub.issue("special-file-ignored", detail=ENTRY_LABELS.get(kind, kind))
    return sub


def _read_bytes(sub: Submission, path: Path, limits: Limits) -> tuple[bytes | None, os.stat_result | None]:
    """The file's bytes, opened without following a link and only when it is a regular
    file (a FIFO would block, a device never ends); None when it is refused."""
    try:
        before = os.lstat(path)
        if not stat_mode.S_ISREG(before.st_mode):
            kind = entry_kind(before.st_mode)
            not_opened(sub, kind, os.readlink(path) if kind == SYMLINK else "")
            return None, None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        code = "path-too-long" if exc.errno == errno.ENAMETOOLONG else "file-unreadable"
        detail = f"{len(os.fsencode(path))} byte" if code == "path-too-long" else os_error_text(exc)
        _reject(sub, code, detail=detail, technical=_technical(exc))
        return None, None
    with os.fdopen(fd, "rb") as stream:
        st = os.fstat(stream.fileno())
        if not stat_mode.S_ISREG(st.st_mode) or (st.st_ino, st.st_dev) != (before.st_ino, before.st_dev):
            not_opened(sub, entry_kind(st.st_mode))  # swapped after the look: open nothing else
            return None, None
        if st.st_size > limits.max_file_bytes:
            # Never load an oversized upload: hash it in chunks for the manifest and refuse it.
            digest = hashlib.sha256()
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
            sub.sha256, sub.size = digest.hexdigest(), st.st_size
            _reject(sub, "file-too-large", detail=f"{_human_size(st.st_size)} > {_human_size(limits.max_file_bytes)}")
            return None, None
        # As many bytes as the file holds (asking for the ceiling's 20 MB costs a buffer that size
        # each time), then the rest of a file growing while read, up to the ceiling.
        data = stream.read(st.st_size + 1)
        if len(data) > st.st_size:
            data += stream.read(limits.max_file_bytes + 1 - len(data))
    return data, st


def read_submission(path: Path, root: Path, registry: Registry, period: str | None = None,
                    limits: Limits = Limits(), *, catalog: Catalog, timezone: str = DEFAULT_TIMEZONE,
                    now: dt.datetime | None = None) -> Submission:
    """Everything the batch needs to know about one file; never raises for a bad file.
    Save stamps are read in `timezone` when they carry none (or lie about it);
    `now` is when a stamp starts being "in the future"."""
    relative = relative_text(path, root)
    sub = Submission(path=display_path(relative))
    if sub.path != relative:
        sub.path_bytes = escaped_path(relative)
        sub.issue("name-not-utf8", detail=sub.path_bytes)
    try:
        _read(sub, path, registry, period, limits, catalog, workspace_zone(timezone),
              now or dt.datetime.now(dt.timezone.utc))
    except MemoryError as exc:
        _reject(sub, "reading-crashed", technical=_technical(exc))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a Rust panic in calamine is a BaseException
        _reject(sub, "reading-failed", technical=_technical(exc))
    return sub


def _read(sub: Submission, path: Path, registry: Registry, period: str | None, limits: Limits, catalog: Catalog,
          zone: dt.tzinfo, now: dt.datetime) -> None:
    data, st = _read_bytes(sub, path, limits)
    if data is None:
        return
    sub.sha256, sub.size = hashlib.sha256(data).hexdigest(), len(data)
    suffix, name = path.suffix.lower(), path.name
    if name.startswith(("~$", ".")):
        sub.status = IGNORED
        sub.issue("ignored-file", detail="tệp tạm của Excel" if name.startswith("~$") else "tệp ẩn")
        return
    if suffix in UNSUPPORTED_SUFFIXES:
        _reject(sub, "unsupported-format", detail=suffix)
        return
    if suffix not in WORKBOOK_SUFFIXES:
        sub.status = IGNORED
        sub.issue("ignored-file", detail=suffix or name)
        return
    archive, kind = _container(sub, data, suffix, limits)
    if not kind:
        return
    stamp = save_stamp(archive, data, kind, zone) or dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc)
    sub.modified = stamp.astimezone(zone).isoformat(timespec="seconds")
    try:
        scans = scan_sheets(data, archive, kind, {META_SHEET, INPUT_SHEET}, limits)
    except (ScanError, SafeET.ParseError, KeyError, ValueError, zipfile.BadZipFile, OSError, EOFError,
            RuntimeError, struct_error) as exc:
        _reject(sub, "corrupt-workbook", detail="cấu trúc trang tính bị hỏng", technical=_technical(exc))
        return
    for scan in scans.values():
        if scan.far_cell:
            _reject(sub, "sheet-too-large", sheet=scan.name, cell=scan.far_cell,
                    detail=f"tối đa {limits.max_sheet_rows:,} dòng".replace(",", ".")
                           + f", đến cột {column_letter(limits.max_sheet_columns - 1)}")
            return
    try:
        sheets = _Sheets(python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)))
        meta = _read_meta(sheets, sub)
        form = _check_meta(meta, sub, registry, catalog, period) if meta else None
        if form is None or sub.has_file_errors:
            return
        rows = read_input_rows(sheets, sub, form, scans.get(INPUT_SHEET))
    except python_calamine.PasswordError:
        _reject(sub, "password-protected")
        return
    except (python_calamine.CalamineError, zipfile.BadZipFile, ValueError, KeyError, IndexError, OverflowError,
            EOFError, RuntimeError) as exc:
        _reject(sub, "corrupt-workbook", detail="chương trình đọc sổ tính báo tệp hỏng", technical=_technical(exc))
        return
    if rows is None:
        return
    problem = stamp_problem(stamp, sub.period or period or "", now)
    if problem:
        sub.stamp_trusted = False
        sub.issue("suspicious-save-time", value=sub.modified, detail=problem)
    sub.records = rows
    sub.status = ACCEPTED
