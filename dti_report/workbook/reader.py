"""Reading one returned unit workbook, safely.

Before anything parses the file: its size, what its first bytes say it is,
and for zip containers the entry count, the uncompressed size, the
compression ratios and any DTD/ENTITY declaration (checked with defusedxml).
Then python-calamine reads values only: macros never run and formula cells
are never trusted, since scores are recomputed from inputs.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import html
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import olefile
import python_calamine
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from dti_report.forms.base import Form
from dti_report.forms.catalog import Catalog
from dti_report.core.issues import Issue
from dti_report.workbook.layout import (
    HEADER,
    HEADER_SEARCH_ROWS,
    INPUT_SHEET,
    META_KEYS,
    META_SHEET,
    TEMPLATE_FORMAT,
    template_hash,
)
from dti_report.forms.units import Registry

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

ACCEPTED, REJECTED, SUPERSEDED, IGNORED = "accepted", "rejected", "superseded", "ignored"
STATUS_LABELS = {ACCEPTED: "Được chấp nhận", REJECTED: "Bị từ chối", SUPERSEDED: "Bị thay thế", IGNORED: "Bỏ qua"}

# Issues that make a whole file unusable; value problems only touch their criterion.
FILE_LEVEL_CODES = {
    "file-too-large", "zip-bomb", "xml-bomb", "not-a-workbook", "password-protected", "corrupt-workbook",
    "not-a-template", "missing-sheet", "missing-header", "template-version-mismatch", "unknown-set",
    "unknown-unit", "unit-set-mismatch", "unit-mismatch", "wrong-period", "file-unreadable",
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


@dataclass
class Submission:
    path: str              # relative to the inputs folder
    sha256: str = ""
    size: int = 0
    status: str = REJECTED
    unit_code: str = ""
    set_id: str = ""
    set_version: str = ""
    period: str = ""
    modified: str = ""     # ISO timestamp: the workbook's own "modified", else the file's
    records: list[tuple] = field(default_factory=list)  # one tuple per input row, in ROW_COLUMNS order
    issues: list[Issue] = field(default_factory=list)

    @property
    def rows(self) -> pd.DataFrame:
        return rows_frame(self.records)

    def issue(self, code: str, **where) -> None:
        self.issues.append(Issue(code, file=self.path, **where))

    @property
    def has_file_errors(self) -> bool:
        return any(i.code in FILE_LEVEL_CODES for i in self.issues)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _human_size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


# --- before opening -------------------------------------------------------------

def check_container(sub: Submission, data: bytes, suffix: str, limits: Limits) -> zipfile.ZipFile | None:
    """Size, kind, zip-bomb and XML-bomb checks. Returns the open zip for OOXML/ODS."""
    if len(data) > limits.max_file_bytes:
        sub.issue("file-too-large", detail=f"{_human_size(len(data))} > {_human_size(limits.max_file_bytes)}")
        return None
    head = data[:8]
    if head.startswith(OLE_MAGIC):
        if _ole_is_encrypted(data):
            sub.issue("password-protected")
        elif suffix != ".xls":
            sub.issue("corrupt-workbook", detail=f"nội dung là tệp Office cũ (.xls) nhưng tên có đuôi {suffix}")
        return None
    if not head.startswith(ZIP_MAGIC):
        sub.issue("not-a-workbook", detail="nội dung không phải định dạng Excel/ODS")
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        sub.issue("corrupt-workbook", detail=f"tệp nén hỏng ({exc})")
        return None
    if len(entries) > limits.max_entries:
        sub.issue("zip-bomb", detail=f"{len(entries)} mục nén, tối đa {limits.max_entries}")
        return None
    total = sum(e.file_size for e in entries)
    if total > limits.max_uncompressed_bytes:
        sub.issue("zip-bomb", detail=f"giải nén ra {_human_size(total)}, tối đa {_human_size(limits.max_uncompressed_bytes)}")
        return None
    for entry in entries:
        if entry.file_size > limits.ratio_floor_bytes and entry.file_size > limits.max_ratio * max(entry.compress_size, 1):
            sub.issue("zip-bomb", detail=f"mục {entry.filename} nén {entry.file_size // max(entry.compress_size, 1)}:1")
            return None
    names = {e.filename for e in entries}
    is_ooxml = "[Content_Types].xml" in names and any(n.startswith("xl/workbook") for n in names)
    is_ods = "content.xml" in names and "mimetype" in names
    if not (is_ooxml or is_ods):
        sub.issue("not-a-workbook", detail="tệp nén không chứa sổ tính (có thể là tài liệu Word hoặc tệp nén khác)")
        return None
    for entry in entries:
        if entry.is_dir():
            continue
        # Every part, whatever its name: relationships can point a reader at "sheet2.dat".
        try:
            declares_dtd = _prolog_declares_dtd(archive, entry, limits.xml_sniff_bytes)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
            sub.issue("corrupt-workbook", detail=f"không giải nén được {entry.filename} ({exc})")
            return None
        if declares_dtd:
            try:
                SafeET.fromstring(archive.read(entry))
            except DefusedXmlException:
                sub.issue("xml-bomb", detail=entry.filename)
                return None
            except SafeET.ParseError:
                sub.issue("corrupt-workbook", detail=f"XML hỏng trong {entry.filename}")
                return None
    return archive


def _ole_is_encrypted(data: bytes) -> bool:
    """An encrypted OOXML file is an OLE container with these streams; read the
    directory rather than search the bytes (an .xls keeps cell text in UTF-16)."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(path) for path in ole.listdir()}
    except (OSError, ValueError, IndexError):  # olefile raises these for a broken directory
        return False
    return bool(streams & {"EncryptionInfo", "EncryptedPackage"})


def _prolog_declares_dtd(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, chunk: int) -> bool:
    """Does this part declare a DTD before its root element? Reads only the prolog:
    comments and processing instructions of any length may come first, and the
    part may be UTF-16. Parts that are not XML say no at their first byte."""
    with archive.open(entry) as stream:
        raw = stream.read(chunk)
        utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:2]
        decoder = codecs.getincrementaldecoder("utf-16" if utf16 else "utf-8")(errors="ignore")
        text, pos, closing_from = "", 0, 0
        while True:
            text += decoder.decode(raw, final=not raw)
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


_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>|<dc:date>([^<]+)</dc:date>")


def workbook_modified(archive: zipfile.ZipFile | None) -> str:
    """The save time the spreadsheet program stamped (docProps/core.xml or ODS meta.xml)."""
    if archive is None:
        return ""
    for name in ("docProps/core.xml", "meta.xml"):
        try:
            text = archive.read(name)[:65536]
        except KeyError:
            continue
        match = _MODIFIED.search(text)
        if match:
            return (match.group(1) or match.group(2)).decode("ascii", "replace").strip()
    return ""


# --- reading --------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _read_meta(book, sub: Submission) -> dict[str, str] | None:
    if META_SHEET not in book.sheet_names:
        sub.issue("not-a-template", detail=f"không có trang '{META_SHEET}'")
        return None
    rows = book.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False)
    meta = {_text(r[0]): _text(r[1]) for r in rows if len(r) >= 2 and _text(r[0])}
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
    wanted = {HEADER["field_id"]: "field_id", HEADER["value"]: "value", HEADER["note"]: "note"}
    for r, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found = {wanted[_text(v)]: c for c, v in enumerate(row) if _text(v) in wanted}
        if "field_id" in found and "value" in found:
            return r, found
    return None


def rows_frame(records: list[tuple]) -> pd.DataFrame:
    """The long rows of one or many submissions, as the scoring reads them."""
    return pd.DataFrame.from_records(records, columns=ROW_COLUMNS)


_SHEET_ENTRY = re.compile(r"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_CELL = re.compile(r"<c\b([^>]*)>")


def error_cells(archive: zipfile.ZipFile | None, sheet: str) -> set[str]:
    """Cells of an .xlsx sheet holding an error value (#DIV/0!, #N/A…). calamine
    reads them as empty; a unit's "=7/0" must not pass for a blank."""
    if archive is None or "xl/workbook.xml" not in archive.namelist():
        return set()
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "ignore")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "ignore")
    except KeyError:
        return set()
    rel_id = None
    for tag in _SHEET_ENTRY.findall(workbook):
        attrs = dict(_ATTR.findall(tag))
        if unicodedata.normalize("NFC", html.unescape(attrs.get("name", ""))) == sheet:
            rel_id = attrs.get("r:id")
    target = None
    for tag in re.findall(r"<Relationship\b[^>]*>", rels):
        attrs = dict(_ATTR.findall(tag))
        if attrs.get("Id") == rel_id:
            target = attrs.get("Target", "")
    if not target:
        return set()
    part = target.lstrip("/") if target.startswith("/") else "xl/" + target
    try:
        xml = archive.read(part).decode("utf-8", "ignore")
    except KeyError:
        return set()
    found = set()
    for attrs_text in _CELL.findall(xml):
        if 't="e"' in attrs_text:
            ref = dict(_ATTR.findall(attrs_text)).get("r")
            if ref:
                found.add(ref)
    return found


def read_input_rows(book, sub: Submission, form: Form, errors: set[str] = frozenset()) -> list[tuple] | None:
    if INPUT_SHEET not in book.sheet_names:
        sub.issue("missing-sheet", sheet=INPUT_SHEET)
        return None
    grid = book.get_sheet_by_name(INPUT_SHEET).to_python(skip_empty_area=False)
    header = _find_header(grid)
    if header is None:
        sub.issue("missing-header", sheet=INPUT_SHEET, detail=f"{HEADER['field_id']}, {HEADER['value']}")
        return None
    header_row, cols = header
    percent_fields = {f.id for f in form.fields.values() if f.type == "percent"}
    records = []
    value_col, note_col, id_col = cols["value"], cols.get("note"), cols["field_id"]
    for r in range(header_row + 1, len(grid)):
        row = grid[r]
        field_id = _text(row[id_col]) if id_col < len(row) else ""
        if not field_id:
            continue
        value = row[value_col] if value_col < len(row) else None
        cell = f"{column_letter(value_col)}{r + 1}"
        if cell in errors:
            value = "#LỖI"  # an error value in the cell: not a number, and never "no data"
        if isinstance(value, str):
            value = unicodedata.normalize("NFC", value).strip()
        elif value == "" or value is None:
            value = ""
        elif isinstance(value, bool):
            value = "1" if value else "0"
        elif isinstance(value, (int, float)):
            # A percent cell holds a fraction (0.8): written as "80%" (decimal comma) it reads
            # as the long format does and shows in messages as the unit saw it.
            value = f"{value * 100:.12g}".replace(".", ",") + "%" if field_id in percent_fields else value
        else:  # a date or time typed into a value cell
            value = str(value)
        note = _text(row[note_col]) if note_col is not None and note_col < len(row) else ""
        records.append((sub.unit_code, field_id, value, note, sub.path, INPUT_SHEET, cell))
    return records


def _sha256_streamed(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_submission(path: Path, root: Path, registry: Registry, period: str | None = None,
                    limits: Limits = Limits(), *, catalog: Catalog) -> Submission:
    """Everything the batch needs to know about one file; never raises for a bad file."""
    sub = Submission(path=path.relative_to(root).as_posix())
    try:
        stat = path.stat()
        if stat.st_size > limits.max_file_bytes:
            # Never load an oversized upload: hash it in chunks for the manifest and refuse it.
            sub.sha256, sub.size = _sha256_streamed(path), stat.st_size
            sub.issue("file-too-large", detail=f"{_human_size(stat.st_size)} > {_human_size(limits.max_file_bytes)}")
            return sub
        data = path.read_bytes()
    except OSError as exc:
        sub.issue("file-unreadable", detail=str(exc))
        return sub
    sub.sha256, sub.size = hashlib.sha256(data).hexdigest(), len(data)
    suffix = path.suffix.lower()
    if path.name.startswith(("~$", ".")) or suffix not in WORKBOOK_SUFFIXES:
        sub.status = IGNORED
        sub.issue("ignored-file", detail=suffix or path.name)
        return sub
    archive = check_container(sub, data, suffix, limits)
    if sub.issues:
        return sub
    sub.modified = workbook_modified(archive) or dt.datetime.fromtimestamp(stat.st_mtime, dt.timezone.utc).isoformat(timespec="seconds")
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        meta = _read_meta(book, sub)
        form = _check_meta(meta, sub, registry, catalog, period) if meta else None
        if form is None or sub.has_file_errors:
            return sub
        rows = read_input_rows(book, sub, form, error_cells(archive, INPUT_SHEET))
    except python_calamine.PasswordError:
        sub.issue("password-protected")
        return sub
    except (python_calamine.CalamineError, zipfile.BadZipFile, ValueError, KeyError, IndexError, OverflowError,
            EOFError, RuntimeError) as exc:
        sub.issue("corrupt-workbook", detail=f"{exc.__class__.__name__}: {exc}"[:300])
        return sub
    if rows is None:
        return sub
    sub.records = rows
    sub.status = ACCEPTED
    return sub
