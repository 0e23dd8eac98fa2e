"""One worksheet's XML built as plain strings: the fast path for workbooks written by the
thousand (a feedback workbook per unit), where xlsxwriter's per-cell writer costs more than
everything else the run does.

A Sheet answers the part of xlsxwriter's worksheet interface the house helpers use
(write_string, write_number, set_row, set_column, freeze_panes, merge_range, the print setup,
autofilter), so xlsx.write_cell, write_table and print_setup work on either. Formats are the
style indexes of house_package. The XML follows what xlsxwriter writes for the same calls, in
the element order the schema requires (Excel refuses a sheet whose elements are out of order).

Text cells are inline strings, never formulas, whatever they begin with; they lose their
control characters (XML cannot hold them) and are cut to the cell limit with a note.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from dti_report.workbook.layout import column_letter
from dti_report.workbook.xlsx import CELL_LIMIT, cell_text, write_cell

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'  # every part's first line

DEFAULT_HEIGHT = 15  # points; rows without set_row keep it
_EPOCH = dt.datetime(1899, 12, 30)
_INFINITE = (math.inf, -math.inf)
# Excel reads "_x0041_" in a cell's text as an escaped character: a literal one is kept by
# escaping its underscore, as Excel itself does.
_ESCAPE_LIKE = re.compile(r"(_x[0-9a-fA-F]{4}_)")


_LETTERS = [column_letter(c) for c in range(702)]  # A to ZZ


def _letters(col: int) -> str:
    return _LETTERS[col] if col < 702 else column_letter(col)


def cell_ref(row: int, col: int) -> str:
    return f"{_letters(col)}{row + 1}"


# A cell's style attribute by format (a style index; the house has a few dozen at most).
_STYLES = ["", *(f' s="{i}"' for i in range(1, 256))]


def _style(fmt) -> str:
    return _STYLES[fmt] if fmt else ""


# What a text needs done before it goes into XML: characters to strip or escape, an Excel-like
# escape to protect, edge whitespace to keep. Most texts need nothing.
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]|_x[0-9a-fA-F]{4}_"
                      "|^\\s|\\s$")
# Texts seen before, as XML: the labels and codes of a form repeat in every unit's workbook.
_SEEN: dict[str, str] = {}
_SEEN_LIMIT = 100_000


def text_xml(text: str) -> str:
    """A text as an inline string's content (<t>…</t>): control characters stripped, cut to the
    cell limit with a note, escaped, its edge whitespace kept."""
    xml = _SEEN.get(text)
    if xml is not None:
        return xml
    if len(text) <= CELL_LIMIT // 2 and not _SPECIAL.search(text):  # longer: cell_text measures it
        xml = f"<t>{text}</t>"
    else:
        clean = cell_text(text)
        if "_x" in clean:
            clean = _ESCAPE_LIKE.sub(r"_x005F\1", clean)
        clean = clean.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
        if clean[:1].isspace() or clean[-1:].isspace():
            xml = f'<t xml:space="preserve">{clean}</t>'
        else:
            xml = f"<t>{clean}</t>"
    if len(text) <= 200:  # a long text is a unit's own, seldom seen twice
        if len(_SEEN) >= _SEEN_LIMIT:
            _SEEN.clear()
        _SEEN[text] = xml
    return xml


def column_width_xml(width: float) -> str:
    """A width in characters as Excel stores it: through whole pixels of the default font's
    7-pixel digit, 5 pixels of padding (what xlsxwriter and Excel write)."""
    pixels = int(width * 7 + 0.5) + 5 if width >= 1 else int(width * 12 + 0.5)
    return f"{pixels * 256 // 7 / 256:.16g}"


# A row's start tag by row and height: the same few hundred in every workbook of a form.
_ROW_HEADS: dict[tuple[int, float | None], str] = {}
_ROW_HEADS_LIMIT = 100_000


def _row_head(r: int, height: float | None) -> str:
    head = f'<row r="{r + 1}" ht="{height:g}" customHeight="1">' \
        if height is not None and height != DEFAULT_HEIGHT else f'<row r="{r + 1}">'
    if len(_ROW_HEADS) >= _ROW_HEADS_LIMIT:
        _ROW_HEADS.clear()
    _ROW_HEADS[(r, height)] = head
    return head


class Sheet:
    """The cells and settings of one worksheet, written out by xml()."""

    def __init__(self, name: str):
        self.name = name
        self.rows: dict[int, dict[int, str]] = {}  # row -> column -> the cell's XML
        self.heights: dict[int, float] = {}
        self.widths: dict[int, tuple[int, float]] = {}  # first column -> (last column, width)
        self.merges: list[str] = []
        self.frozen: tuple[int, int] | None = None
        self.paper = 0
        self.landscape = False
        self.fit: tuple[int, int] | None = None
        self.scale = 100
        self.title_rows: tuple[int, int] | None = None
        self.title_columns: tuple[int, int] | None = None
        self.filter: tuple[int, int, int, int] | None = None
        self.max_col = 0

    # ------------------------------------------------------------ cells

    def _put(self, row: int, col: int, xml: str) -> None:
        cells = self.rows.get(row)
        if cells is None:
            cells = self.rows[row] = {}
        cells[col] = xml
        if col > self.max_col:
            self.max_col = col

    def write_value(self, row: int, col: int, value, fmt=None) -> None:
        """xlsx.write_cell with a short way for what a feedback workbook mostly holds (text and
        finite numbers); anything else (blank, NaN, "Có"/"Không", a date) goes through it.
        Called for most cells of a thousand workbooks: _letters is written out here."""
        if type(value) is str:
            if value:
                xml = (f'<c r="{_LETTERS[col] if col < 702 else column_letter(col)}{row + 1}"{_STYLES[fmt or 0]}'
                       f' t="inlineStr"><is>{_SEEN.get(value) or text_xml(value)}</is></c>')
            elif fmt:
                xml = f'<c r="{_LETTERS[col] if col < 702 else column_letter(col)}{row + 1}"{_STYLES[fmt]}/>'
            else:
                return
        elif (type(value) is float or type(value) is int) and value == value and value not in _INFINITE:
            # repr: the shortest text that reads back as the same float, and quick to make
            xml = f'<c r="{_LETTERS[col] if col < 702 else column_letter(col)}{row + 1}"{_STYLES[fmt or 0]}><v>{value!r}</v></c>'
        else:
            write_cell(self, row, col, value, fmt)
            return
        self._put(row, col, xml)

    def write_string(self, row: int, col: int, text: str, fmt=None) -> None:
        if not text:
            self.write_blank(row, col, None, fmt)
            return
        self._put(row, col, f'<c r="{_letters(col)}{row + 1}"{_style(fmt)} t="inlineStr"><is>{text_xml(str(text))}</is></c>')

    def write_number(self, row: int, col: int, number, fmt=None) -> None:
        number = float(number)
        if math.isnan(number) or math.isinf(number):
            value = "#NUM!" if math.isnan(number) else "#DIV/0!"
            self._put(row, col, f'<c r="{_letters(col)}{row + 1}"{_style(fmt)} t="e"><v>{value}</v></c>')
            return
        self._put(row, col, f'<c r="{_letters(col)}{row + 1}"{_style(fmt)}><v>{number:.16G}</v></c>')

    def write_datetime(self, row: int, col: int, moment: dt.datetime, fmt=None) -> None:
        self.write_number(row, col, (moment.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400, fmt)

    def write_blank(self, row: int, col: int, _value=None, fmt=None) -> None:
        if fmt:  # an unformatted blank cell is no cell at all
            self._put(row, col, f'<c r="{_letters(col)}{row + 1}" s="{fmt}"/>')

    def merge_range(self, first_row: int, first_col: int, last_row: int, last_col: int, text: str, fmt=None) -> None:
        """The text in the first cell, the others blank in the same format (their borders)."""
        for row in range(first_row, last_row + 1):
            for col in range(first_col, last_col + 1):
                self.write_blank(row, col, None, fmt)
        self.write_string(first_row, first_col, text, fmt)
        if (first_row, first_col) != (last_row, last_col):
            self.merges.append(f"{cell_ref(first_row, first_col)}:{cell_ref(last_row, last_col)}")

    def write_cells_of(self, prototype: Sheet) -> None:
        """Every cell and row height of a prototype sheet, as if written here again: what
        many sheets share (a scored form's criteria and fields in each unit's feedback) made
        once. Later writes to a cell or a row's height replace the prototype's, as usual."""
        rows = self.rows
        for r, cells in prototype.rows.items():
            own = rows.get(r)
            if own is None:
                rows[r] = cells.copy()
            else:
                own.update(cells)
        self.heights.update(prototype.heights)
        if prototype.max_col > self.max_col:
            self.max_col = prototype.max_col

    # ------------------------------------------------------------ layout and print setup

    def set_row(self, row: int, height: float, fmt=None) -> None:
        self.heights[row] = height

    def set_column(self, first_col: int, last_col: int, width: float, fmt=None) -> None:
        self.widths[first_col] = (last_col, width)

    def freeze_panes(self, row: int, col: int = 0) -> None:
        self.frozen = (row, col)

    def set_paper(self, paper: int) -> None:
        self.paper = paper

    def set_landscape(self) -> None:
        self.landscape = True

    def fit_to_pages(self, width: int, height: int) -> None:
        self.fit = (width, height)

    def set_print_scale(self, scale: int) -> None:
        self.scale = scale

    def repeat_rows(self, first_row: int, last_row: int | None = None) -> None:
        self.title_rows = (first_row, first_row if last_row is None else last_row)

    def repeat_columns(self, first_col: int, last_col: int | None = None) -> None:
        self.title_columns = (first_col, first_col if last_col is None else last_col)

    def autofilter(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        self.filter = (first_row, first_col, last_row, last_col)

    # ------------------------------------------------------------ the workbook's view of it

    def quoted_name(self) -> str:
        return "'" + self.name.replace("'", "''") + "'"

    def print_titles(self) -> str | None:
        """The _xlnm.Print_Titles formula: title columns, then title rows."""
        name, parts = self.quoted_name(), []
        if self.title_columns:
            first, last = self.title_columns
            parts.append(f"{name}!${_letters(first)}:${_letters(last)}")
        if self.title_rows:
            first, last = self.title_rows
            parts.append(f"{name}!${first + 1}:${last + 1}")
        return ",".join(parts) or None

    def filter_range(self) -> str | None:
        if self.filter is None:
            return None
        r1, c1, r2, c2 = self.filter
        return f"{self.quoted_name()}!${_letters(c1)}${r1 + 1}:${_letters(c2)}${r2 + 1}"

    # ------------------------------------------------------------ the XML

    def _pane(self) -> str:
        if not self.frozen or self.frozen == (0, 0):
            return ""
        row, col = self.frozen
        top_left = cell_ref(row, col)
        split = (f' xSplit="{col}"' if col else "") + (f' ySplit="{row}"' if row else "")
        if row and col:
            return (f'<pane{split} topLeftCell="{top_left}" activePane="bottomRight" state="frozen"/>'
                    f'<selection pane="topRight" activeCell="{cell_ref(0, col)}" sqref="{cell_ref(0, col)}"/>'
                    f'<selection pane="bottomLeft" activeCell="{cell_ref(row, 0)}" sqref="{cell_ref(row, 0)}"/>'
                    '<selection pane="bottomRight"/>')
        pane = "topRight" if col else "bottomLeft"
        return f'<pane{split} topLeftCell="{top_left}" activePane="{pane}" state="frozen"/><selection pane="{pane}"/>'

    def xml(self, selected: bool = False) -> str:
        rows = self.rows
        out = [XML_DECLARATION +
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">']
        if self.fit:
            out.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
        if rows:
            out.append(f'<dimension ref="A{min(rows) + 1}:{_letters(self.max_col)}{max(rows) + 1}"/>')
        else:
            out.append('<dimension ref="A1"/>')
        out.append('<sheetViews><sheetView' + (' tabSelected="1"' if selected else '') + ' workbookViewId="0">')
        pane = self._pane()
        out.append(pane + "</sheetView></sheetViews>" if pane else "</sheetView></sheetViews>")
        out.append(f'<sheetFormatPr defaultRowHeight="{DEFAULT_HEIGHT}"/>')
        if self.widths:
            out.append("<cols>")
            spans: list[list] = []  # neighbouring columns of one width make one span, as Excel writes them
            for first in sorted(self.widths):
                last, width = self.widths[first]
                if spans and spans[-1][1] == first - 1 and spans[-1][2] == width:
                    spans[-1][1] = last
                else:
                    spans.append([first, last, width])
            out += [f'<col min="{first + 1}" max="{last + 1}" width="{column_width_xml(width)}" customWidth="1"/>'
                    for first, last, width in spans]
            out.append("</cols>")
        out.append("<sheetData>")
        heights = self.heights
        for r in sorted(rows.keys() | heights.keys()):
            height = heights.get(r)
            head = _ROW_HEADS.get((r, height))
            if head is None:
                head = _row_head(r, height)
            cells = rows.get(r)
            if not cells:
                out.append(head + "</row>")
            elif len(cells) == 1 or list(cells) == sorted(cells):
                out.append(head + "".join(cells.values()) + "</row>")
            else:
                out.append(head + "".join(cells[c] for c in sorted(cells)) + "</row>")
        out.append("</sheetData>")
        if self.filter:
            r1, c1, r2, c2 = self.filter
            out.append(f'<autoFilter ref="{cell_ref(r1, c1)}:{cell_ref(r2, c2)}"/>')
        if self.merges:
            out.append(f'<mergeCells count="{len(self.merges)}">'
                       + "".join(f'<mergeCell ref="{ref}"/>' for ref in self.merges) + "</mergeCells>")
        out.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
        setup = f' paperSize="{self.paper}"' if self.paper else ""
        if self.scale != 100:
            setup += f' scale="{self.scale}"'
        if self.fit:
            width, height = self.fit
            setup += (f' fitToWidth="{width}"' if width != 1 else "") + (f' fitToHeight="{height}"' if height != 1 else "")
        setup += f' orientation="{"landscape" if self.landscape else "portrait"}"'
        out.append(f"<pageSetup{setup}/></worksheet>")
        return "".join(out)
