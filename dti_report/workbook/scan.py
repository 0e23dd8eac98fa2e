"""What a workbook's sheets hold, found before python-calamine opens them.

calamine builds a dense grid from the first to the last cell with content: one
cell at XFD1048576 costs hundreds of GiB, and the process aborts. So each sheet
calamine would build is first streamed here, element by element, to find how
far its content reaches; a sheet that reaches past the cells a template can hold
is refused by name and far cell, never built. calamine builds only the sheets
asked for in .xlsx, and every sheet when it opens .ods and .xls, so those are
all scanned.

The same pass notes what calamine flattens: cells holding an error value
(#DIV/0!, #N/A), which it reads as empty, and cells holding a boolean, which
it reads as 1 or 0 (LibreOffice stores TRUE as the formula TRUE()). A unit's
"=7/0" is not "no data", and TRUE is not the number 1.

Parts are parsed only after reader.check_container found no DTD in them, so
the standard library's pull parser expands no entity here.
"""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from xml.etree.ElementTree import XMLPullParser, fromstring

import olefile

from dti_report.workbook.layout import column_letter

CHUNK = 1 << 16
ERROR_TEXT = "#LỖI"  # an error value whose own text the file does not give
# BIFF error codes (BOOLERR, cached FORMULA results).
_XLS_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
               0x2A: "#N/A"}


class ScanError(Exception):
    """The structure the scan walks is broken: the file is corrupt."""


@dataclass
class SheetScan:
    """One sheet: the first cell with content past the limits, if any, and, for the
    sheets read, its error and boolean cells by A1 reference."""

    name: str
    far_cell: str = ""      # the first cell with content outside the limits
    errors: dict[str, str] = field(default_factory=dict)   # A1 -> the error as shown ("#DIV/0!")
    booleans: dict[str, bool] = field(default_factory=dict)


def cell_ref(row: int, col: int) -> str:
    """A1 reference of a 1-based row and column."""
    return f"{column_letter(col - 1)}{row}"


_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})$")


def parse_ref(ref: str) -> tuple[int, int] | None:
    match = _REF.match(ref or "")
    if match is None:
        return None
    col = 0
    for ch in match.group(1):
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)), col


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(elem, name: str) -> str | None:
    """An attribute by local name, whatever its namespace."""
    for key, value in elem.attrib.items():
        if _local(key) == name:
            return value
    return None


class _Sheet:
    """Accumulates one sheet's extent against the limits."""

    def __init__(self, name: str, max_rows: int, max_cols: int, wanted: bool):
        self.scan = SheetScan(name)
        self.max_rows, self.max_cols, self.wanted = max_rows, max_cols, wanted

    def content(self, row: int, col: int, rows: int = 1, cols: int = 1) -> None:
        """A block of cells with content: rows × cols from (row, col)."""
        last_row, last_col = row + rows - 1, col + cols - 1
        scan = self.scan
        if not scan.far_cell and (last_row > self.max_rows or last_col > self.max_cols):
            # A cell of the block that lies outside: the first row or column past the limit.
            far_row = max(row, self.max_rows + 1) if last_row > self.max_rows else row
            far_col = max(col, self.max_cols + 1) if last_col > self.max_cols else col
            scan.far_cell = cell_ref(far_row, far_col)

    def special(self, row: int, col: int, *, error: str = "", boolean: bool | None = None) -> None:
        if not self.wanted or row > self.max_rows or col > self.max_cols:
            return
        if error:
            self.scan.errors[cell_ref(row, col)] = error
        elif boolean is not None:
            self.scan.booleans[cell_ref(row, col)] = boolean


def _pull(stream, parser: XMLPullParser):
    """Feed a part in chunks; yield (event, element) as they come."""
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        parser.feed(chunk)
        yield from parser.read_events()
    parser.close()
    yield from parser.read_events()


# --- .xlsx / .xlsm ------------------------------------------------------------------

_BOOLEAN_FORMULA = {"TRUE()": True, "FALSE()": False, "TRUE": True, "FALSE": False}


def xlsx_sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name (NFC) -> its part in the zip, from workbook.xml and its relationships."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    return dict(_sheet_parts(workbook, rels))


@lru_cache(maxsize=64)
def _sheet_parts(workbook: bytes, rels: bytes) -> tuple[tuple[str, str], ...]:
    # Parsed once per content: the workbooks made from one template, and saved by one program,
    # mostly hold the same two parts.
    targets = {}
    for rel in fromstring(rels).iter():
        if _local(rel.tag) == "Relationship":
            targets[rel.get("Id")] = rel.get("Target", "")
    parts = {}
    for sheet in fromstring(workbook).iter():
        if _local(sheet.tag) != "sheet":
            continue
        target = targets.get(_attr(sheet, "id") or "")
        if not target:
            continue
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        parts[unicodedata.normalize("NFC", sheet.get("name", ""))] = part
    return tuple(parts.items())


# The fast path: a sheet as a template's writers and spreadsheet programs save it (every cell
# with its reference) is searched by regular expressions in C for the few cells that matter,
# never walked cell by cell in Python: cells whose reference has as many letters or digits as
# the limits' own (the only ones that can lie past them), error and boolean cells, and boolean
# formulas. Anything else (a cell without its reference, a huge part) takes the streamed walk.
FAST_PART_BYTES = 8 << 20
_CELL_RE = re.compile(rb"<(?:[\w.-]+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?c>)", re.S)
_ATTR_RE = re.compile(rb'([\w:.-]+)\s*=\s*"([^"]*)"')
_V_RE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)</(?:[\w.-]+:)?v>")
_F_RE = re.compile(rb"<(?:[\w.-]+:)?f\b[^>]*>([^<]*)</(?:[\w.-]+:)?f>")
_IS_RE = re.compile(rb"<(?:[\w.-]+:)?is\b")
# A cell not opened as `<c r="B7"` (no reference, another attribute first).
_CELL_WITHOUT_REF = rb'(?P<unplaced>>|/>| (?!r="[A-Z]{1,3}[0-9]{1,7}"))'
_PREFIXED_CELL_PART = re.compile(rb"<[\w.-]+:(?:c|f|v|is)[\s/>]")
# Its tail, searched first: it starts with a plain ":" that the search skips to, where the
# whole pattern is tried at every "<" (a quarter of the time on a filled sheet).
_PREFIXED_TAIL = re.compile(rb":(?:c|f|v|is)[\s/>]")
_ERROR_OR_BOOLEAN = re.compile(rb' t="[eb]"')
_OPENINGS: dict[tuple[int, int], re.Pattern] = {}
_BOOLEAN_F = re.compile(rb'<f(?:\s[^>]*)?>\s*(?i:TRUE|FALSE)(?:\(\))?\s*</f>')


def _openings_re(max_rows: int, max_cols: int) -> re.Pattern:
    """In one pass over the cells: one opened without its reference first (group "unplaced"),
    or one whose reference is at least as long as the far edge's in letters or in digits."""
    key = (max_rows, max_cols)
    if key not in _OPENINGS:
        letters, digits = len(cell_ref(1, max_cols)) - 1, len(str(max_rows))
        far = rb'(?= r="(?:[A-Z]{%d,}[0-9]|[A-Z]+[0-9]{%d,}))' % (letters, digits)
        _OPENINGS[key] = re.compile(rb"<c(?:" + _CELL_WITHOUT_REF + rb"|" + far + rb")")
    return _OPENINGS[key]


def _scan_xlsx_fast(data: bytes, name: str, max_rows: int, max_cols: int) -> SheetScan | None:
    # Every writer seen puts the reference first: `<c r="B7" …`. A cell written otherwise (no
    # reference, another order, a namespace prefix) is left to the walk.
    if _PREFIXED_TAIL.search(data) and _PREFIXED_CELL_PART.search(data):
        return None
    starts = set()
    for m in _openings_re(max_rows, max_cols).finditer(data):
        if m.group("unplaced") is not None:
            return None
        starts.add(m.start())
    starts.update(data.rfind(b"<c ", 0, m.start()) for m in _ERROR_OR_BOOLEAN.finditer(data))
    starts.update(data.rfind(b"<c ", 0, m.start()) for m in _BOOLEAN_F.finditer(data))
    sheet = _Sheet(name, max_rows, max_cols, wanted=True)
    for start in sorted(starts):
        match = _CELL_RE.match(data, start) if start >= 0 else None
        if match is None:
            return None
        attrs = dict(_ATTR_RE.findall(match.group(1)))
        where = parse_ref(attrs.get(b"r", b"").decode("ascii", "replace"))
        if where is None:
            return None
        body = match.group(2) or b""
        value, formula = _V_RE.search(body), _F_RE.search(body)
        if not ((value and value.group(1)) or _IS_RE.search(body) or (formula and formula.group(1).strip())):
            continue
        row, col = where
        sheet.content(row, col)
        kind = attrs.get(b"t", b"n")
        if kind == b"e":
            text = value.group(1).decode("utf-8", "replace") if value else ""
            sheet.special(row, col, error=text or ERROR_TEXT)
        elif kind == b"b" and value is not None:
            sheet.special(row, col, boolean=value.group(1).strip() == b"1")
        elif formula is not None:
            key = formula.group(1).decode("utf-8", "replace").strip().upper()
            if key in _BOOLEAN_FORMULA:
                sheet.special(row, col, boolean=_BOOLEAN_FORMULA[key])
    return sheet.scan


def scan_xlsx_sheet(archive: zipfile.ZipFile, part: str, name: str, max_rows: int, max_cols: int) -> SheetScan:
    if archive.getinfo(part).file_size <= FAST_PART_BYTES:
        fast = _scan_xlsx_fast(archive.read(part), name, max_rows, max_cols)
        if fast is not None:
            return fast
    sheet = _Sheet(name, max_rows, max_cols, wanted=True)
    parser = XMLPullParser(events=("start", "end"))
    row_no, col_no = 0, 0
    parents: list = []
    with archive.open(part) as stream:
        for event, elem in _pull(stream, parser):
            tag = _local(elem.tag)
            if event == "start":
                parents.append(elem)
                if tag == "row":
                    given = elem.get("r")
                    row_no = int(given) if given and given.isdigit() else row_no + 1
                    col_no = 0
                continue
            parents.pop()
            if tag == "c":
                where = parse_ref(elem.get("r", ""))
                row, col = where if where else (row_no or 1, col_no + 1)
                col_no = col
                kids = {_local(k.tag): k for k in elem}
                value, formula = kids.get("v"), kids.get("f")
                if (value is not None and value.text) or "is" in kids or (formula is not None and formula.text):
                    sheet.content(row, col)
                    kind = elem.get("t", "n")
                    if kind == "e":
                        sheet.special(row, col, error=(value.text if value is not None else "") or ERROR_TEXT)
                    elif kind == "b" and value is not None:
                        sheet.special(row, col, boolean=(value.text or "").strip() == "1")
                    elif formula is not None and (formula.text or "").strip().upper() in _BOOLEAN_FORMULA:
                        sheet.special(row, col, boolean=_BOOLEAN_FORMULA[formula.text.strip().upper()])
                elem.clear()
            elif tag == "row" and parents:
                _drop_last(parents[-1], elem)
    return sheet.scan


def _drop_last(parent, elem) -> None:
    """Forget a finished element (the last child of its parent), so memory stays flat."""
    if len(parent) and parent[-1] is elem:
        del parent[-1]
    else:
        parent.remove(elem)


# --- .ods ---------------------------------------------------------------------------

_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"

def scan_ods(archive: zipfile.ZipFile, wanted: set[str], max_rows: int, max_cols: int) -> dict[str, SheetScan]:
    """Every table of content.xml (calamine reads them all when it opens the file)."""
    parser = XMLPullParser(events=("start", "end"))
    scans: dict[str, SheetScan] = {}
    sheet: _Sheet | None = None
    row_no, col_no = 0, 0
    parents: list = []
    with archive.open("content.xml") as stream:
        for event, elem in _pull(stream, parser):
            tag = _local(elem.tag)
            if event == "start":
                parents.append(elem)
                if tag == "table" and len(parents) > 1 and _local(parents[-2].tag) == "spreadsheet":
                    name = unicodedata.normalize("NFC", _attr(elem, "name") or "")
                    sheet = _Sheet(name, max_rows, max_cols, wanted=name in wanted)
                    row_no = 0
                elif tag == "table-row":
                    col_no = 0
                continue
            parents.pop()
            if sheet is None:
                continue
            if tag in ("table-cell", "covered-table-cell"):
                repeat = _count(elem.get(_TABLE + "number-columns-repeated"))
                kind = elem.get(_OFFICE + "value-type")
                if kind is not None or len(elem):
                    rows = _count(parents[-1].get(_TABLE + "number-rows-repeated")) if parents else 1
                    sheet.content(row_no + 1, col_no + 1, rows, repeat)
                    # LibreOffice: an error result keeps office:value-type "string" or "float" and says
                    # "error" in its own attribute; TRUE typed in a cell is the formula TRUE().
                    error = ERROR_TEXT if elem.get(_CALCEXT + "value-type") == "error" else ""
                    if error:
                        error = "".join(elem.itertext()).strip() or error
                    formula = (elem.get(_TABLE + "formula") or "").upper().replace(" ", "")
                    for c in range(col_no + 1, min(col_no + repeat, max_cols) + 1):
                        if error:
                            sheet.special(row_no + 1, c, error=error)
                        elif kind == "boolean":
                            sheet.special(row_no + 1, c, boolean=elem.get(_OFFICE + "boolean-value") == "true")
                        elif formula.endswith(("=TRUE()", "=FALSE()")):
                            sheet.special(row_no + 1, c, boolean=formula.endswith("=TRUE()"))
                col_no += repeat
                elem.clear()
                _drop_last(parents[-1], elem) if parents else None
            elif tag == "table-row":
                row_no += _count(elem.get(_TABLE + "number-rows-repeated"))
                elem.clear()
                _drop_last(parents[-1], elem) if parents else None
            elif tag == "table" and parents and _local(parents[-1].tag) == "spreadsheet":
                scans[sheet.scan.name] = sheet.scan
                sheet = None
                elem.clear()
    return scans


def _count(text: str | None) -> int:
    try:
        return max(1, int(text)) if text else 1
    except ValueError:
        raise ScanError(f"bad repeat count {text!r}") from None


# --- .xls ---------------------------------------------------------------------------

BOF, EOF, BOUNDSHEET, FILEPASS = 0x0809, 0x000A, 0x0085, 0x002F
# Cell records whose body starts with row (2 bytes) and column (2 bytes).
_CELL_RECORDS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6}
MULRK = 0x00BD


def _records(stream: bytes, start: int):
    pos = start
    while pos + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4:pos + 4 + size]
        if len(body) < size:
            raise ScanError("record past the end of the stream")
        yield pos, kind, body
        pos += 4 + size


def _workbook_stream(data: bytes) -> bytes:
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        for name in ("Workbook", "Book"):
            if ole.exists(name):
                return ole.openstream(name).read()
    raise ScanError("no Workbook stream")


def xls_is_encrypted(data: bytes) -> bool:
    """A FILEPASS record among the workbook globals: the file is encrypted."""
    try:
        stream = _workbook_stream(data)
    except (ScanError, OSError, ValueError, IndexError):
        return False
    for _, kind, _ in _records(stream, 0):
        if kind == FILEPASS:
            return True
        if kind == EOF:
            return False
    return False


def scan_xls(data: bytes, wanted: set[str], max_rows: int, max_cols: int) -> dict[str, SheetScan]:
    """Every sheet of a BIFF8 workbook. Returns {} for older BIFF versions, which
    cannot exceed 16,384 rows × 256 columns anyway."""
    try:
        stream = _workbook_stream(data)
    except (OSError, ValueError, IndexError) as exc:
        raise ScanError(str(exc)) from exc
    sheets: list[tuple[str, int]] = []
    records = _records(stream, 0)
    first = next(records, None)
    if first is None or first[1] != BOF or len(first[2]) < 2 or struct.unpack_from("<H", first[2])[0] != 0x0600:
        return {}
    for _, kind, body in records:
        if kind == BOUNDSHEET and len(body) >= 8:
            # lbPlyPos (4), hsState (1), dt (1), then the name: cch (1), fHighByte (1), characters.
            offset, length, flags, raw = struct.unpack_from("<I", body)[0], body[6], body[7], body[8:]
            name = raw[:length * 2].decode("utf-16-le", "replace") if flags & 1 else raw[:length].decode("latin-1")
            sheets.append((unicodedata.normalize("NFC", name), offset))
        elif kind == EOF:
            break
    scans = {}
    for name, offset in sheets:
        sheet = _Sheet(name, max_rows, max_cols, wanted=name in wanted)
        for _, kind, body in _records(stream, offset):
            if kind == EOF:
                break
            if kind in _CELL_RECORDS and len(body) >= 4:
                row, col = struct.unpack_from("<HH", body)
                sheet.content(row + 1, col + 1)
                if kind == 0x0205 and len(body) >= 8:  # BOOLERR: a boolean, or an error constant
                    if body[7]:
                        sheet.special(row + 1, col + 1, error=_XLS_ERRORS.get(body[6], ERROR_TEXT))
                    else:
                        sheet.special(row + 1, col + 1, boolean=bool(body[6]))
                elif kind == 0x0006 and len(body) >= 22:
                    _formula(sheet, row + 1, col + 1, body)
            elif kind == MULRK and len(body) >= 6:
                row, first_col = struct.unpack_from("<HH", body)
                last_col = struct.unpack_from("<H", body, len(body) - 2)[0]
                sheet.content(row + 1, first_col + 1, 1, max(last_col - first_col + 1, 1))
        scans[name] = sheet.scan
    return scans


_PTG_BOOL, _PTG_FUNC, _TRUE, _FALSE = 0x1D, (0x21, 0x41, 0x61), 34, 35


def _formula(sheet: _Sheet, row: int, col: int, body: bytes) -> None:
    """A FORMULA record: rw, col, ixfe (6 bytes), cached value (8), grbit (2), chn (4),
    cce (2), then the parsed expression."""
    if body[12:14] == b"\xff\xff":  # the cached value is not a number
        if body[6] == 1:
            sheet.special(row, col, boolean=bool(body[8]))
        elif body[6] == 2:
            sheet.special(row, col, error=_XLS_ERRORS.get(body[8], ERROR_TEXT))
        return
    cce, rgce = struct.unpack_from("<H", body, 20)[0], body[22:]
    # LibreOffice saves a typed TRUE as the formula TRUE (a boolean token) with the number 1 cached.
    if cce == 2 and rgce[:1] == bytes([_PTG_BOOL]):
        sheet.special(row, col, boolean=bool(rgce[1]))
    elif cce == 3 and rgce[:1] and rgce[0] in _PTG_FUNC and struct.unpack_from("<H", rgce, 1)[0] in (_TRUE, _FALSE):
        sheet.special(row, col, boolean=struct.unpack_from("<H", rgce, 1)[0] == _TRUE)
