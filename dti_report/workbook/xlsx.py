"""Small helpers for the workbooks the tool writes with xlsxwriter.

Every text cell goes through write_string: a unit's text that begins with
"=", "+", "-" or "@" stays text and never becomes a formula. Text loses its
control characters (XML cannot hold them) and is cut to Excel's cell limit
with a note saying so.
"""

from __future__ import annotations

import datetime as dt
import math
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pandas as pd

from dti_report.core.files import atomic_path
from dti_report.workbook import layout
from dti_report.core.text import strip_control

if TYPE_CHECKING:  # imported where a workbook is written
    import xlsxwriter

FONT = "Times New Roman"
# A fixed creation stamp: rerunning on the same inputs gives the same workbook content.
FIXED_CREATED = layout.TEMPLATE_STAMP
CELL_LIMIT = 32767  # characters an Excel cell holds


def _excel_length(text: str) -> int:
    """Length as Excel counts it: UTF-16 units (a character beyond the BMP, an emoji, is two)."""
    return len(text.encode("utf-16-le")) // 2


def cell_text(value: str) -> str:
    """Text as a cell can hold it: no control characters, cut to the limit with a note."""
    text = strip_control(value)
    if len(text) <= CELL_LIMIT // 2 or _excel_length(text) <= CELL_LIMIT:
        return text
    length, limit = (f"{n:,}".replace(",", ".") for n in (len(text), CELL_LIMIT))
    note = f"… [cắt bớt: {length} ký tự, ô chỉ chứa {limit}]"
    keep = CELL_LIMIT - len(note)
    # cut in UTF-16 units; a character split in two is dropped
    return text[:keep].encode("utf-16-le")[:keep * 2].decode("utf-16-le", errors="ignore") + note


_BASE = {"font_name": FONT, "font_size": 11, "valign": "top"}
# The house formats by name, as xlsxwriter format properties; sheet_xml's workbooks use the same.
HOUSE_FORMATS = {
    "text": {**_BASE, "text_wrap": True},
    # A line above a table, running over the empty cells beside it.
    "plain": _BASE,
    "header": {**_BASE, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "align": "center",
               "valign": "vcenter"},
    "title": {**_BASE, "bold": True, "font_size": 14},
    "number": {**_BASE, "num_format": "#,##0.##"},
    "points": {**_BASE, "num_format": "0.00"},
    "percent": {**_BASE, "num_format": "0.0%"},
    "integer": {**_BASE, "num_format": "0"},
    "bytes": {**_BASE, "num_format": "#,##0"},
    "datetime": {**_BASE, "num_format": "dd/mm/yyyy hh:mm"},
    "date": {**_BASE, "num_format": "dd/mm/yyyy"},
    "error": {**_BASE, "bg_color": "#F8CBAD", "text_wrap": True},
    "warning": {**_BASE, "bg_color": "#FFF2CC", "text_wrap": True},
    "bold": {**_BASE, "bold": True},
    # A group's heading row across a table: merged, wrapped, shaded.
    "band": {**_BASE, "bold": True, "text_wrap": True, "bg_color": "#F2F2F2", "border": 1},
}


@contextmanager
def workbook(target: Path | str, title: str, *, constant_memory: bool = False) -> Iterator[tuple[xlsxwriter.Workbook, dict]]:
    """An xlsxwriter workbook written atomically, with the house formats. constant_memory:
    each row goes to a temporary file once the next row starts (every sheet must then be
    written row by row, top to bottom: a cell written above the current row is lost)."""
    import xlsxwriter  # only when a workbook is written: checking and reading never need it

    with atomic_path(target) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                              "nan_inf_to_errors": True, "in_memory": not constant_memory,
                                              "constant_memory": constant_memory})
        book.set_properties({"title": title, "created": FIXED_CREATED})
        formats = {name: book.add_format(properties) for name, properties in HOUSE_FORMATS.items()}
        try:
            yield book, formats
        finally:
            book.close()


def write_cell(sheet, row: int, col: int, value, fmt=None) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "Có" if value else "Không", fmt)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, dt.date):
        day = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        sheet.write_datetime(row, col, day, fmt)
    elif hasattr(value, "item"):  # numpy scalar
        write_cell(sheet, row, col, value.item(), fmt)
    else:
        sheet.write_string(row, col, cell_text(str(value)), fmt)


# Row height of one line of 11-point text, in points; a wrapped cell's row gets one per line.
LINE_HEIGHT = 15
# A4 landscape between Excel's default margins holds about this many column-width units; a
# sheet up to PAGE_WIDTH / MIN_SCALE wide is printed one page wide, a wider one over several
# pages (fitting it would print 4-point text).
PAGE_WIDTH = 140
MIN_SCALE = 0.7


def chars_per_line(width: float) -> float:
    """Characters of wrapped text a line holds at a column width: Times New Roman 11 fits about
    1.4 per column-width unit (units are digits of the default font); a little short, so a row
    is never too low for its text. A text no longer than this, without a line break, is one line."""
    return max(width * 1.4 - 2, 1)


def lines_needed(texts_widths) -> int:
    """Lines the tallest of a row's wrapped cells takes at its column width (in characters)."""
    lines = 1
    for text, width in texts_widths:
        per_line = chars_per_line(width)
        text = str(text)
        if len(text) <= per_line and "\n" not in text:
            continue  # one line, the most common case
        lines = max(lines, sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n")))
    return lines


def column_width(headers: dict[str, str], widths: dict[str, float], column: str) -> float:
    return widths.get(column, min(max(len(headers.get(column, str(column))) + 2, 10), 60))


def write_table(sheet, frame: pd.DataFrame, formats: dict, *, start_row: int = 0, headers: dict[str, str] | None = None,
                column_formats: dict[str, str] | None = None, widths: dict[str, float] | None = None,
                row_formats: list | None = None, title_columns: int = 0) -> int:
    """A header row, the data, frozen panes, an autofilter and column widths; rows as tall as their
    wrapped text (neither Excel nor LibreOffice grows them on opening). Returns the next free row.
    title_columns: the columns printed again on each page when the table is too wide for one."""
    return write_rows(sheet, list(frame.columns), list(frame.itertuples(index=False, name=None)), formats,
                      start_row=start_row, headers=headers, column_formats=column_formats, widths=widths,
                      row_formats=row_formats, title_columns=title_columns)


def write_rows(sheet, columns: list[str], rows: list[tuple], formats: dict, *, start_row: int = 0,
               headers: dict[str, str] | None = None, column_formats: dict[str, str] | None = None,
               widths: dict[str, float] | None = None, row_formats: list | None = None, title_columns: int = 0) -> int:
    """write_table for rows already at hand (tuples in column order), without a DataFrame."""
    headers = headers or {}
    column_formats = column_formats or {}
    widths = widths or {}
    sizes = [column_width(headers, widths, column) for column in columns]
    for c, column in enumerate(columns):
        header = headers.get(column, str(column))
        sheet.write_string(start_row, c, header, formats["header"])
        sheet.set_column(c, c, sizes[c])
    header_lines = lines_needed(zip([headers.get(c, str(c)) for c in columns], sizes))
    if header_lines > 1:
        sheet.set_row(start_row, LINE_HEIGHT * header_lines)
    wrapped = [column_formats.get(column, "text") == "text" for column in columns]
    column_fmts = [formats[column_formats.get(column, "text")] for column in columns]
    # A sheet that writes values itself (sheet_xml.Sheet) is given them directly.
    write = getattr(sheet, "write_value", None) or (lambda r, c, value, fmt: write_cell(sheet, r, c, value, fmt))
    for r, values in enumerate(rows, start=start_row + 1):
        row_fmt = row_formats[r - start_row - 1] if row_formats else None
        texts = []
        for c, value in enumerate(values):
            write(r, c, value, row_fmt or column_fmts[c])
            if wrapped[c] and isinstance(value, str) and value:
                texts.append((value, sizes[c]))
        lines = lines_needed(texts)
        if lines > 1:
            sheet.set_row(r, LINE_HEIGHT * lines)
    sheet.freeze_panes(start_row + 1, title_columns)
    print_setup(sheet, start_row, sum(sizes), title_columns, sum(sizes[:title_columns]))
    if columns:
        sheet.autofilter(start_row, 0, start_row + max(len(rows), 1), len(columns) - 1)
    return start_row + len(rows) + 1


def print_setup(sheet, header_row: int, width: float | None = None, title_columns: int = 0,
                title_width: float = 0) -> None:
    """A4 landscape, the header row repeated on every page; one page wide when that keeps the
    text readable (width: the columns' total, in column-width units), else two or three pages
    wide at a fixed scale no smaller than MIN_SCALE, else as many pages as it takes at full size;
    the title columns (title_width wide) repeated on each."""
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.repeat_rows(header_row)
    if width is None or width <= PAGE_WIDTH / MIN_SCALE:
        sheet.fit_to_pages(1, 0)
        return
    if title_columns:
        sheet.repeat_columns(0, title_columns - 1)
    for pages in (2, 3):
        # every page after the first repeats the title columns
        scale = pages * PAGE_WIDTH / (width + title_width * (pages - 1))
        if scale >= MIN_SCALE:
            sheet.set_print_scale(min(100, int(scale * 100)))
            return


def sheet_name(text: str) -> str:
    """Excel's limit: 31 characters, none of []:*?/\\."""
    for ch in "[]:*?/\\":
        text = text.replace(ch, "-")
    return text[:31]
