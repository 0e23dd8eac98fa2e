"""Build dti_report/data/templates/bang-theo-doi-chi-tieu-2023.docx: the monitoring table as the
city's Word document has it (A4 landscape, Times New Roman, header row repeated
on every page), each cell holding the placeholders exactly as the original
writes them, typos included.

Like a document edited in Word, a few placeholders are split over several runs,
across a formatting change, by a line break, or over two paragraphs of a cell:
the renderer must cope with the real thing, not a cleaned copy.

Three additions to the original, so the table reads right: no row breaks across
pages (a group's heading stays with its first row); a sub-row whose Ghi chú cell
is empty and whose figure is the sum of one key gets [[ghichu.<key>]], which says
how many units the sum covers (the ratio above it covers only those that gave
both figures); a row with a remark in the form (9.1, 9.2: labels swapped against
their keys in the original) prints it in its Ghi chú cell.

    .venv/bin/python scripts/build_monitoring_template.py
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from dti_report.forms.placeholders import find_placeholders
from dti_report.kinds import get_form

OUT = Path(__file__).resolve().parents[1] / "dti_report" / "data" / "templates" / "bang-theo-doi-chi-tieu-2023.docx"
FONT = "Times New Roman"
WIDTHS = [Cm(1.3), Cm(9.0), Cm(5.6), Cm(3.3), Cm(6.5)]
HEADERS = ["STT", "Chỉ tiêu", "Số liệu tổng hợp", "Đánh giá", "Ghi chú"]
# How Word happened to store some cells: (row id, column) -> split style.
SPLITS = {("9", "value"): "runs", ("13", "danhgia"): "runs", ("17", "danhgia"): "bold",
          ("22.1", "value"): "break", ("8", "ghichu"): "paragraph", ("25", "value"): "runs"}


def set_font(run, bold=False, italic=False, size=12):
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold, run.italic = bold, italic
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def fill_cell(cell, text: str, style: str = "plain", bold=False, align=None) -> None:
    p = cell.paragraphs[0]
    if align is not None:
        p.alignment = align
    if not text:
        return
    third = max(len(text) // 3, 1)
    if style == "runs":  # an editing session's rsid boundaries
        for piece in (text[:third], text[third:2 * third], text[2 * third:]):
            set_font(p.add_run(piece), bold=bold)
    elif style == "bold":  # someone bolded part of it
        set_font(p.add_run(text[:third]), bold=bold)
        set_font(p.add_run(text[third:2 * third]), bold=True)
        set_font(p.add_run(text[2 * third:]), bold=bold)
    elif style == "break":  # Shift+Enter inside the placeholder
        run = p.add_run(text[:third])
        set_font(run, bold=bold)
        run.add_break()
        set_font(p.add_run(text[third:]), bold=bold)
    elif style == "paragraph":  # Enter inside the placeholder
        set_font(p.add_run(text[:third]), bold=bold)
        second = cell.add_paragraph()
        set_font(second.add_run(text[third:]), bold=bold)
    else:
        set_font(p.add_run(text), bold=bold)


def repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def cant_split(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def keep_with_next(cells) -> None:
    for cell in cells:
        for p in cell.paragraphs:
            p.paragraph_format.keep_with_next = True


def coverage_note(target_set, row) -> str:
    """[[ghichu.<key>]] for a sub-row that shows one key's sum and has no note of its own."""
    if row.cells.ghichu:
        return row.cells.ghichu
    found = find_placeholders(row.cells.value)
    if len(found) != 1:
        return ""
    resolved = target_set.name_resolver.resolve(found[0]).resolved
    return f"[[ghichu.{resolved}]]" if resolved in target_set.input_by_key else ""


def build(path: Path = OUT) -> Path:
    target_set = get_form("hcm-chi-tieu-2023")
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin, section.right_margin = Cm(2.0), Cm(1.5)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(title.add_run("BẢNG THEO DÕI CHỈ TIÊU CHUYỂN ĐỔI SỐ NĂM 2023"), bold=True, size=14)

    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, WIDTHS):  # the grid: LibreOffice reads widths from here
        column.width = width
    for cell, header, width in zip(table.rows[0].cells, HEADERS, WIDTHS):
        cell.width = width
        fill_cell(cell, header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    repeat_header(table.rows[0])

    for group in target_set.groups:
        if group.name:
            band = table.add_row()
            cant_split(band)
            cells = band.cells
            merged = cells[1].merge(cells[4])
            fill_cell(merged, group.name, bold=True)
            keep_with_next(band.cells)
        for target in group.targets:
            for row in (target, *target.rows):
                added = table.add_row()
                cant_split(added)
                cells = added.cells
                for cell, width in zip(cells, WIDTHS):
                    cell.width = width
                top = row is target
                fill_cell(cells[0], f"{row.id}." if top else row.id, bold=top, align=WD_ALIGN_PARAGRAPH.CENTER)
                fill_cell(cells[1], row.text, bold=top)
                notes = row.cells.ghichu if top else coverage_note(target_set, row)
                texts = {"value": row.cells.value, "danhgia": row.cells.danhgia, "ghichu": notes}
                for column, cell in zip(("value", "danhgia", "ghichu"), cells[2:]):
                    fill_cell(cell, texts[column], SPLITS.get((row.id, column), "plain"))
                if row.remark:
                    p = cells[4].add_paragraph() if texts["ghichu"] else cells[4].paragraphs[0]
                    set_font(p.add_run(" ".join(row.remark.split())), italic=True, size=11)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.core_properties.title = target_set.title
    document.save(str(path))
    return path


if __name__ == "__main__":
    print(build())
