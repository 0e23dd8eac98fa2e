"""Big tables in an xlsxwriter workbook, their rows written as XML of their own.

xlsxwriter spends some 14 µs on a cell; the analysts' workbook has millions at national
scale. Here xlsxwriter still writes everything a sheet has besides its data rows (titles,
header row, widths, frozen panes, autofilter, print setup, the defined names, the styles, the
charts), while the data rows are only described (stream_table). When the workbook closes, its
package is copied entry by entry into the target, each described sheet with its rows spliced
in, made from the table's columns a batch at a time and compressed as they come: the whole
sheet is never in memory. The cells are those xlsxwriter writes in constant-memory mode
(the same style indexes, the same numbers), with five differences: a cell names its place
(r="C7") only after a missing cell, elsewhere its place is the column after the cell before
it, as the standard has it (no row number to put in each cell: at 10,000 units the long
sheet is a quarter smaller, the file nearly half); a text is an entry of the package's shared
strings, not an inline string (a unit's name and a criterion's come back in every row: the
long sheet of 10,000 units is half the size so, and as much faster to write and to open); an
empty text is a blank cell in its format, not an empty string; a text loses its control
characters instead of having them escaped; and a text looking like xlsxwriter's rich-string
markup ("<r>…</r>") stays the text it is.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path

import numpy as np
import pandas as pd

from dti_report.core.files import atomic_path
from dti_report.core.formatting import distinct_floats
from dti_report.workbook.layout import column_letter
from dti_report.workbook.sheet_xml import XML_DECLARATION, text_xml
from dti_report.workbook.xlsx import LINE_HEIGHT, lines_needed, workbook, write_table
from dti_report.core.zipped import Entry, ZipWriter

# The spliced sheets are compressed fast: level 1 takes under half the time of xlsxwriter's 6
# for a file about a fifth larger.
STREAM_LEVEL = 1
BATCH_ROWS = 2000  # rows made into one string before it goes to the compressor
_MADE_LIMIT = 200_000  # cells (or line counts) kept per style; a column of notes is nearly all distinct
_INFINITE = (math.inf, -math.inf)
_EPOCH = dt.datetime(1899, 12, 31)
_DIMENSION = re.compile(r'<dimension ref="([A-Z]+[0-9]+)(?::([A-Z]+)([0-9]+))?"/>')


@dataclass
class _Body:
    """A table's data rows, described: made into XML only when the package is written."""
    columns: list              # each column's values, a numpy array (held compact until written)
    styles: list[str]          # each column's style attribute (' s="n"')
    wraps: list[float]         # each column's width if its texts wrap, else 0
    row_styles: list[str] | None  # a style per row, overriding the column's
    first_row: int             # the first data row (0-based)
    blanks: bool               # a missing value is a styled blank cell (else no cell)
    last_row: int              # the last row holding a cell (0-based)
    last_col: int

    def chunks(self, made: _Made) -> Iterator[str]:
        """The rows' XML, a batch at a time. A cell's XML is made once per distinct value of its
        column (a criterion's name or a status comes back in every unit's rows) and carries no
        reference: its place is the column after the cell before it, as the standard reads a
        cell without one (Excel, LibreOffice, calamine and openpyxl do). Only a cell after a
        missing one is given its reference. A batch is then joined at once, its rows' tags
        between the cells."""
        rows = len(self.columns[0]) if self.columns else 0
        lines_of = [made.lines(width) for width in self.wraps]
        numbers = self.numbers()
        texts: dict[int, tuple | None] = {}  # a column of texts, made at its first batch (_text_column)
        for start in range(0, rows, BATCH_ROWS):
            stop = min(start + BATCH_ROWS, rows)
            row_styles = self.row_styles[start:stop] if self.row_styles is not None else None
            cells, heights = [], []
            for c, column in enumerate(self.columns):
                if c in numbers:
                    cells.append(made.numbers(self.styles[c], self.blanks).rows(column, start, stop))
                    continue
                if row_styles is None:
                    if c not in texts:
                        texts[c] = _text_column(column, made.cells(self.styles[c], self.blanks),
                                                lines_of[c] if self.wraps[c] else None)
                    if texts[c] is not None:
                        codes, distinct_cells, distinct_lines = texts[c]
                        at = codes[start:stop]
                        cells.append(distinct_cells[at].tolist())
                        if distinct_lines is not None:
                            heights.append(distinct_lines[at])
                        continue
                values = column[start:stop].tolist()
                cells.append(self._cells(values, made, row_styles or self.styles[c]))
                if self.wraps[c]:
                    known = lines_of[c]
                    heights.append(np.array([known[v] for v in values]))
            numbered = range(self.first_row + start + 1, self.first_row + stop + 1)
            heads = [f'<row r="{n}">' for n in numbered]
            if heights:
                for i in np.flatnonzero(np.maximum.reduce(heights) > 1).tolist():
                    lines = max(int(h[i]) for h in heights)
                    heads[i] = f'<row r="{numbered[i]}" ht="{LINE_HEIGHT * lines:g}" customHeight="1">'
            if not self.blanks:
                heads, cells = _placed(heads, cells, numbered)
            yield "".join(chain.from_iterable(zip(heads, *cells, repeat("</row>"))))

    def numbers(self) -> set[int]:
        """The columns written as numbers (a style per row makes every column a column of cells)."""
        return {c for c, column in enumerate(self.columns) if column.dtype != object and self.row_styles is None}

    def _cells(self, values: list, made: _Made, styles: str | list[str]) -> list[str]:
        """A column's cells in a batch ("" where there is no cell): one style for the column,
        or one per row."""
        blanks = self.blanks
        if isinstance(styles, str):
            xml = made.cells(styles, blanks)
            blank = xml.blank
            return [xml[v] if type(v) is str
                    else blank if v is None or (type(v) is float and v != v)  # noqa: PLR0124
                    else _other_cell(styles, v, blanks)
                    for v in values]
        return [made.cells(s, blanks)[v]
                if type(v) is str or type(v) is float
                else _other_cell(s, v, blanks)
                for v, s in zip(values, styles)]


def _text_column(column: np.ndarray, cells: _Cells, lines: _Lines | None) -> tuple | None:
    """A column holding only texts and missing values as its distinct texts' cells (and line
    counts, if it wraps) and where each row's is among them, the missing last: its batches
    are then looked up, with no call per row. None for a column holding anything else."""
    codes, distinct = pd.factorize(column, use_na_sentinel=True)
    distinct = list(distinct)
    if not all(type(v) is str for v in distinct):
        return None
    made = np.array([cells[v] for v in distinct] + [cells.blank], dtype=object)
    counts = np.array([lines[v] for v in distinct] + [1]) if lines is not None else None
    if counts is not None and counts.max() <= 1:  # every text fits its width
        counts = None
    return codes, made, counts


def _placed(heads: list[str], cells: list[list[str]], numbered: range) -> tuple[list[str], list[list[str]]]:
    """A batch where a missing value is no cell: the cell after one given its reference, and
    the rows with no cell at all left out."""
    present = [np.fromiter(map(bool, column), dtype=bool, count=len(column)) for column in cells]
    for c in range(1, len(cells)):
        after_gap = np.flatnonzero(present[c] & ~present[c - 1])
        if len(after_gap):
            letter, column = column_letter(c), cells[c]
            for i in after_gap.tolist():
                column[i] = f'<c r="{letter}{numbered[i]}"{column[i][2:]}'
    kept = np.logical_or.reduce(present) if present else np.zeros(len(heads), dtype=bool)
    if kept.all():
        return heads, cells
    at = np.flatnonzero(kept)
    return (np.array(heads, dtype=object)[at].tolist(),
            [np.array(column, dtype=object)[at].tolist() for column in cells])


class SharedStrings(dict):
    """The package's shared strings: each distinct text -> its index, in the order first met."""

    def __missing__(self, text: str) -> int:
        index = self[text] = len(self)
        return index

    def xml(self) -> Iterator[str]:
        yield (f'{XML_DECLARATION}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               f'uniqueCount="{len(self)}">')
        batch = []
        for text in self:
            batch.append(f"<si>{text_xml(text)}</si>")
            if len(batch) >= BATCH_ROWS:
                yield "".join(batch)
                batch = []
        yield "".join(batch) + "</sst>"


_SST_PART = "xl/sharedStrings.xml"
_SST_TYPE = ('<Override PartName="/xl/sharedStrings.xml" '
             'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _with_shared_strings(name: str, xml: str) -> str:
    """The package's content types and the workbook's relationships naming the shared strings."""
    if name == "[Content_Types].xml" and "/xl/sharedStrings.xml" not in xml:
        return xml.replace("</Types>", _SST_TYPE + "</Types>")
    if name == "xl/_rels/workbook.xml.rels" and _SST_REL not in xml:
        taken = {int(n) for n in re.findall(r'Id="rId([0-9]+)"', xml)}
        free = max(taken, default=0) + 1
        return xml.replace("</Relationships>",
                           f'<Relationship Id="rId{free}" Type="{_SST_REL}" Target="sharedStrings.xml"/></Relationships>')
    return xml


class _Made:
    """What every sheet of the package shares, made once for all: the shared strings, each
    style's cells by value and each wrapped width's line counts (a unit's name comes back in a
    dozen sheets)."""

    def __init__(self, bodies: list[_Body]):
        self.strings = SharedStrings()
        self._cells: dict[tuple[str, bool], _Cells] = {}
        self._lines: dict[float, _Lines] = {}
        numbers: dict[tuple[str, bool], list[np.ndarray]] = {}
        for body in bodies:
            for c in body.numbers():
                numbers.setdefault((body.styles[c], body.blanks), []).append(body.columns[c])
        self._numbers = {key: _NumberCells(columns, *key) for key, columns in numbers.items()}

    def numbers(self, style: str, blanks: bool) -> _NumberCells:
        return self._numbers[(style, blanks)]

    def cells(self, style: str, blanks: bool) -> _Cells:
        made = self._cells.get((style, blanks))
        if made is None:
            made = self._cells[(style, blanks)] = _Cells(style, blanks, self.strings)
        return made

    def lines(self, width: float) -> _Lines:
        made = self._lines.get(width)
        if made is None:
            made = self._lines[width] = _Lines(width)
        return made


class _Cells(dict):
    """A style's cell XML by value, made once per distinct value: a criterion's name or a
    status comes back in every unit's rows. Bounded: a column of notes has nearly as many
    values as rows."""

    def __init__(self, style: str, blanks: bool, strings: SharedStrings):
        super().__init__()
        self.style, self.blanks, self.strings = style, blanks, strings
        self.blank = f"<c{style}/>" if blanks else ""

    def __missing__(self, value) -> str:
        if len(self) >= _MADE_LIMIT:
            self.clear()
        if type(value) is str:
            if value:
                xml = f'<c{self.style} t="s"><v>{self.strings[value]}</v></c>'
            else:
                xml = self.blank
        elif type(value) is float and value == value and value not in _INFINITE:  # noqa: PLR0124
            xml = f"<c{self.style}><v>{value:.16G}</v></c>"
        else:
            return _other_cell(self.style, value, self.blanks)  # NaN is never found again
        self[value] = xml
        return xml


class _NumberCells:
    """The cells of every number the package's tables hold in one style, each distinct value
    made once, by one format call (a unit's points come back in its matrix, its index sheet and
    the long data: at 10,000 units 4.7 million numbers are 0.7 million values). Values are
    told apart by their bits: -0.0 stays itself, every NaN is one value."""

    def __init__(self, columns: list[np.ndarray], style: str, blanks: bool):
        values, codes = distinct_floats(np.concatenate([np.asarray(column, dtype=float) for column in columns]))
        codes = codes.astype(np.int32)  # half the memory: far fewer than 2**31 distinct numbers
        self._codes, at = {}, 0  # by column: where each of its values is among the distinct ones
        for column in columns:
            self._codes[id(column)] = codes[at:at + len(column)]
            at += len(column)
        finite = np.isfinite(values)
        self._cells = np.empty(len(values), dtype=object)
        template = f"<c{style}><v>%.16G</v></c>"  # "%" formats as "{:.16G}".format does
        self._cells[finite] = [template % value for value in values[finite].tolist()]
        self._cells[~finite] = [_other_cell(style, v, blanks) for v in values[~finite].tolist()]

    def rows(self, column: np.ndarray, start: int, stop: int) -> list[str]:
        """The cells of rows start:stop of one of the columns it was made from."""
        return self._cells[self._codes[id(column)][start:stop]].tolist()


class _Lines(dict):
    """Lines each text of a wrapped column takes (xlsx.lines_needed), 1 for what is not a text;
    once per distinct text: a criterion's name comes back for every unit."""

    def __init__(self, width: float):
        super().__init__()
        self.width, self.per_line = width, max(width * 1.4 - 2, 1)

    def __missing__(self, value) -> int:
        if type(value) is not str:
            return 1
        if len(self) >= _MADE_LIMIT:
            self.clear()
        lines = self[value] = (1 if len(value) <= self.per_line and "\n" not in value
                               else lines_needed([(value, self.width)]))
        return lines


def _excel_date(moment: dt.datetime) -> float:
    """The serial number xlsxwriter writes for a date and time: days since 1899-12-31, one more
    from March 1900 on (Excel counts a 29 February 1900)."""
    delta = moment.replace(tzinfo=None) - _EPOCH
    serial = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / 86400
    return serial + 1 if serial > 59 else serial


def _other_cell(s: str, v, blanks: bool) -> str:
    """A cell for what is neither a float nor a text, as xlsx.write_cell writes it."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return f"<c{s}/>" if blanks else ""
    if isinstance(v, bool):
        return f'<c{s} t="inlineStr"><is>{text_xml("Có" if v else "Không")}</is></c>'
    if isinstance(v, (int, float)):
        v = float(v)
        if v in _INFINITE:
            return f'<c{s} t="e"><v>#DIV/0!</v></c>'
        return f"<c{s}><v>{v:.16G}</v></c>"
    if isinstance(v, dt.date):
        moment = v if isinstance(v, dt.datetime) else dt.datetime.combine(v, dt.time())
        return f"<c{s}><v>{_excel_date(moment):.16G}</v></c>"
    if hasattr(v, "item"):  # a numpy scalar
        return _other_cell(s, v.item(), blanks)
    text = str(v)
    return f'<c{s} t="inlineStr"><is>{text_xml(text)}</is></c>' if text else (f"<c{s}/>" if blanks else "")


class Streams:
    """The described tables of a workbook, by sheet."""

    def __init__(self):
        self.bodies: list[tuple[object, _Body]] = []

    def parts(self, book) -> dict[str, _Body]:
        """The package entry of each described sheet: xlsxwriter numbers worksheets apart from
        chartsheets, in the order they were added."""
        names, index = {}, 0
        for sheet in book.worksheets():
            if not sheet.is_chartsheet:
                index += 1
                names[id(sheet)] = f"xl/worksheets/sheet{index}.xml"
        return {names[id(sheet)]: body for sheet, body in self.bodies}


def stream_table(sheet, frame: pd.DataFrame, formats: dict, streams: Streams, *, start_row: int = 0,
                 headers: dict[str, str] | None = None, column_formats: dict[str, str] | None = None,
                 widths: dict[str, float] | None = None, row_formats: list | None = None, title_columns: int = 0,
                 blanks: bool = True) -> int:
    """xlsx.write_table with the data rows written when the package is: the same header, widths,
    frozen panes, print setup and autofilter, the same cells and row heights. blanks=False: a
    missing value or an empty text is no cell at all, where write_table writes a styled blank
    (the big sheets, mostly numbers, are smaller so). Returns the next free row."""
    headers, column_formats, widths = headers or {}, column_formats or {}, widths or {}
    write_table(sheet, frame.iloc[:0], formats, start_row=start_row, headers=headers, column_formats=column_formats,
                widths=widths, title_columns=title_columns)
    columns, styles, wraps, written = [], [], [], []
    for name in frame.columns:
        fmt_name = column_formats.get(name, "text")
        values = frame[name]
        styles.append(f' s="{formats[fmt_name]._get_xf_index()}"')
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            numbers = values.to_numpy(dtype=float, na_value=math.nan)
            columns.append(numbers)
            wraps.append(0)
            written.append(None if blanks else ~pd.isna(numbers))
        else:
            columns.append(values.to_numpy(dtype=object))
            wraps.append(widths.get(name, min(max(len(headers.get(name, str(name))) + 2, 10), 60))
                         if fmt_name == "text" else 0)
            written.append(None if blanks else (values.astype(object) != "").to_numpy())
    rows = len(frame)
    last_row = start_row + rows
    if not blanks and rows:
        any_cell = None
        for mask in written:
            any_cell = mask if any_cell is None else any_cell | mask
        hits = any_cell.nonzero()[0] if any_cell is not None else []
        last_row = start_row + (int(hits[-1]) + 1 if len(hits) else 0)
    row_styles = [f' s="{f._get_xf_index()}"' for f in row_formats] if row_formats else None
    if rows:
        streams.bodies.append((sheet, _Body(columns, styles, wraps, row_styles, start_row + 1, blanks, last_row,
                                            len(frame.columns) - 1)))
    if len(frame.columns):
        sheet.autofilter(start_row, 0, start_row + max(rows, 1), len(frame.columns) - 1)
    return start_row + rows + 1


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number - 1


def _spliced(xml: str, body: _Body) -> tuple[str, str]:
    """The sheet's XML before and after its data rows, its dimension grown to hold them."""
    found = _DIMENSION.search(xml)
    if found:
        first, col, row = found.groups()
        last_col = max(body.last_col, _column_number(col) if col else 0)
        last_row = max(body.last_row, int(row) - 1 if row else 0)
        xml = xml[:found.start()] + f'<dimension ref="{first}:{column_letter(last_col)}{last_row + 1}"/>' + xml[found.end():]
    if "</sheetData>" in xml:
        at = xml.index("</sheetData>")
        return xml[:at], xml[at:]
    at = xml.index("<sheetData/>")
    return xml[:at] + "<sheetData>", "</sheetData>" + xml[at + len("<sheetData/>"):]


def _copied(raw, info: zipfile.ZipInfo, source: zipfile.ZipFile) -> Entry:
    """An entry of the draft as it is, still compressed."""
    if info.compress_type != zipfile.ZIP_DEFLATED:
        return Entry.deflated(info.filename, source.read(info))
    raw.seek(info.header_offset)
    header = raw.read(30)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    raw.seek(info.header_offset + 30 + name_length + extra_length)
    return Entry(info.filename, info.CRC, info.file_size, raw.read(info.compress_size))


def splice(draft: Path, target: Path, bodies: dict[str, _Body]) -> None:
    """The draft package copied into target, the described sheets' rows spliced in, their texts
    in the shared strings (a part the draft, written in constant-memory mode, does not have)."""
    made = _Made(list(bodies.values()))
    with zipfile.ZipFile(draft) as source, open(draft, "rb") as raw, open(target, "wb") as out:
        writer = ZipWriter(out)
        for info in source.infolist():
            body = bodies.get(info.filename)
            if info.filename in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels") and bodies:
                xml = _with_shared_strings(info.filename, source.read(info).decode("utf-8"))
                writer.add(Entry.deflated(info.filename, xml.encode("utf-8")))
            elif body is None:
                writer.add(_copied(raw, info, source))
            else:
                head, tail = _spliced(source.read(info).decode("utf-8"), body)
                chunks = chain([head], body.chunks(made), [tail])
                writer.add_stream(info.filename, (chunk.encode("utf-8") for chunk in chunks), STREAM_LEVEL)
        if bodies:
            writer.add_stream(_SST_PART, (chunk.encode("utf-8") for chunk in made.strings.xml()), STREAM_LEVEL)
        writer.close()


@contextmanager
def streamed_workbook(target: Path | str, title: str) -> Iterator[tuple[object, dict, Streams]]:
    """xlsx.workbook in constant memory, with the Streams its big tables are described in;
    written atomically to target on leaving without error."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    streams = Streams()
    with tempfile.TemporaryDirectory(prefix=f".{target.name}.", dir=target.parent) as folder:
        draft = Path(folder) / "draft.xlsx"
        with workbook(draft, title, constant_memory=True) as (book, formats):
            yield book, formats, streams
        with atomic_path(target) as tmp:
            splice(draft, tmp, streams.parts(book))
