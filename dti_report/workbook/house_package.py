"""A whole xlsx package around sheet_xml's sheets, for workbooks written by the thousand.

Everything but the sheets never changes: the styles (the house formats), the theme, the
relationships. Those parts come once per process from a prototype xlsxwriter writes with
the house formats, so a cell formatted "error" here looks exactly like one xlsxwriter
formats; each workbook then only builds its sheets' XML and a few lines naming them.
Dates are fixed (the template stamp, the zip entries' date): the same input gives the same
bytes.
"""

from __future__ import annotations

import io
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator
from xml.sax.saxutils import escape

from dti_report.core.files import write_bytes_atomic
from dti_report.core.text import strip_control
from dti_report.workbook.sheet_xml import XML_DECLARATION, Sheet
from dti_report.core.zipped import Entry, zip_bytes
from dti_report.workbook.xlsx import FIXED_CREATED, HOUSE_FORMATS

# The parts made anew for each workbook are compressed fast: level 1 takes less than half the
# time of the default for a file about a fifth larger.
SHEET_LEVEL = 1
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


@dataclass(frozen=True)
class HouseStyle:
    styles: Entry             # xl/styles.xml with every house format
    theme: Entry              # xl/theme/theme1.xml
    formats: dict[str, int]  # house format name -> its style (cellXfs) index


@lru_cache(maxsize=1)
def house_style() -> HouseStyle:
    """The house formats as xlsxwriter writes them, read back from a prototype workbook."""
    import xlsxwriter  # here, not on import: checking a workbook never writes one

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    formats = {name: book.add_format(properties) for name, properties in HOUSE_FORMATS.items()}
    for row, fmt in enumerate(formats.values()):
        sheet.write_blank(row, 0, None, fmt)  # a format gets its index when a cell uses it
    book.close()
    with zipfile.ZipFile(buffer) as package:
        return HouseStyle(Entry.deflated("xl/styles.xml", package.read("xl/styles.xml"), 9),
                          Entry.deflated("xl/theme/theme1.xml", package.read("xl/theme/theme1.xml"), 9),
                          {name: fmt.xf_index for name, fmt in formats.items()})


@lru_cache(maxsize=16)
def _fixed_parts(count: int) -> tuple[Entry, Entry, Entry]:
    """The parts that depend only on how many sheets a workbook has: content types and
    relationships."""
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
                        for i in range(1, count + 1))
    relations = "".join(f'<Relationship Id="rId{i}" Type="{_DOC_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                        for i in range(1, count + 1))
    workbook_rels = (f'{XML_DECLARATION}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                     f'{relations}<Relationship Id="rId{count + 1}" Type="{_DOC_REL}/theme" Target="theme/theme1.xml"/>'
                     f'<Relationship Id="rId{count + 2}" Type="{_DOC_REL}/styles" Target="styles.xml"/>'
                     "</Relationships>")
    return (Entry.deflated("[Content_Types].xml", _CONTENT_TYPES.replace("<!--sheets-->", overrides).encode(), 9),
            Entry.deflated("_rels/.rels", _ROOT_RELS.encode(), 9),
            Entry.deflated("xl/_rels/workbook.xml.rels", workbook_rels.encode(), 9))


def _text(text: str) -> str:
    return escape(strip_control(text))


def _attr(text: str) -> str:
    return escape(strip_control(text), {'"': "&quot;"})


class Book:
    """The sheets of one workbook and its title; parts() gives the package's files."""

    def __init__(self, title: str):
        self.title = title
        self.sheets: list[Sheet] = []

    def add_worksheet(self, name: str) -> Sheet:
        sheet = Sheet(name)
        self.sheets.append(sheet)
        return sheet

    def _defined_names(self) -> tuple[list[str], list[str]]:
        """The workbook's defined names (autofilter ranges, print titles), and the print titles
        as the document properties list them."""
        names, titles = [], []
        for i, sheet in enumerate(self.sheets):
            if sheet.filter_range():
                names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
                             f"{_attr(sheet.filter_range())}</definedName>")
        for i, sheet in enumerate(self.sheets):
            if sheet.print_titles():
                names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
                             f"{_attr(sheet.print_titles())}</definedName>")
                titles.append(f"{sheet.quoted_name()}!Print_Titles")
        return names, titles

    def parts(self) -> list[Entry]:
        """The package's entries, compressed; only the sheets and the few lines naming them are
        made anew."""
        style = house_style()
        names, titles = self._defined_names()
        sheets = "".join(f'<sheet name="{_attr(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, s in enumerate(self.sheets, start=1))
        workbook = (f'{XML_DECLARATION}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                    f'xmlns:r="{_DOC_REL}"><fileVersion appName="xl" lastEdited="4" lowestEdited="4" rupBuild="4505"/>'
                    '<workbookPr defaultThemeVersion="124226"/><bookViews><workbookView xWindow="240" yWindow="15" '
                    f'windowWidth="16095" windowHeight="9660"/></bookViews><sheets>{sheets}</sheets>'
                    + (f"<definedNames>{''.join(names)}</definedNames>" if names else "")
                    + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')
        return [*_fixed_parts(len(self.sheets)),
                *(Entry.deflated(f"xl/worksheets/sheet{i}.xml", sheet.xml(selected=i == 1).encode(), SHEET_LEVEL)
                  for i, sheet in enumerate(self.sheets, start=1)),
                Entry.deflated("xl/workbook.xml", workbook.encode(), SHEET_LEVEL), style.styles, style.theme,
                Entry.deflated("docProps/core.xml", _CORE.replace("<!--title-->", _text(self.title)).encode(), SHEET_LEVEL),
                Entry.deflated("docProps/app.xml", self._app(titles).encode(), SHEET_LEVEL)]

    def _app(self, titles: list[str]) -> str:
        names = [_text(s.name) for s in self.sheets] + [_text(t) for t in titles]
        pairs = f'<vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{len(self.sheets)}</vt:i4></vt:variant>'
        if titles:
            pairs += f'<vt:variant><vt:lpstr>Named Ranges</vt:lpstr></vt:variant><vt:variant><vt:i4>{len(titles)}</vt:i4></vt:variant>'
        return (f'{XML_DECLARATION}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
                'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>Microsoft Excel'
                '</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs>'
                f'<vt:vector size="{2 if not titles else 4}" baseType="variant">{pairs}</vt:vector></HeadingPairs>'
                f'<TitlesOfParts><vt:vector size="{len(names)}" baseType="lpstr">'
                + "".join(f"<vt:lpstr>{n}</vt:lpstr>" for n in names)
                + "</vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false"
                "</SharedDoc><HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>")

    def save(self, target: Path | str) -> Path:
        """The package zipped, written atomically."""
        return write_bytes_atomic(target, zip_bytes(self.parts()))


@contextmanager
def house_workbook(target: Path | str, title: str) -> Iterator[tuple[Book, dict[str, int]]]:
    """A workbook with the house formats (name -> style index), saved on leaving without error."""
    book = Book(title)
    yield book, dict(house_style().formats)
    book.save(target)


_CONTENT_TYPES = (
    f'{XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><!--sheets--></Types>')
_ROOT_RELS = (
    f'{XML_DECLARATION}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_DOC_REL}/extended-properties" Target="docProps/app.xml"/></Relationships>')
_STAMP = FIXED_CREATED.strftime("%Y-%m-%dT%H:%M:%SZ")
_CORE = (
    f'{XML_DECLARATION}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    '<dc:title><!--title--></dc:title><dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy>'
    f'<dcterms:created xsi:type="dcterms:W3CDTF">{_STAMP}</dcterms:created>'
    f'<dcterms:modified xsi:type="dcterms:W3CDTF">{_STAMP}</dcterms:modified></cp:coreProperties>')
