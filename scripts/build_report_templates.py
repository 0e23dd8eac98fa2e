"""Build the Word templates of the reports, once, with python-docx.

    .venv/bin/python scripts/build_report_templates.py

writes dti_report/data/templates/bao-cao-ket-qua-dti.docx (the report on one indicator set),
dti_report/data/templates/phieu-ket-qua-dti.docx (one unit's scorecard), and the reports on the
plans KH 68 and KH 4233 (dti_report/data/templates/bao-cao-kh68.docx, bao-cao-kh4233.docx). All are committed;
the renderer (dti_report/reports/) only reads them, never this script, so the
clerk can edit wording, fonts and layout in Word. Tags are docxtpl/Jinja:
{{ value }}, {%p for … %} / {%tr for … %} / {%tc for … %} for repeated
paragraphs, table rows and table columns.

Layout per Nghị định 30/2020/NĐ-CP, Phụ lục I: A4, margins top/bottom 20 mm,
left 30 mm, right 15 mm; Times New Roman; the header block as a borderless
two-column table; page numbers centred in the header from page 2.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

OUT_DIR = Path(__file__).resolve().parents[1] / "dti_report" / "data" / "templates"
FONT = "Times New Roman"
TEXT_WIDTH_MM = 210 - 30 - 15
CENTER, LEFT, RIGHT, JUSTIFY = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT,
                                WD_ALIGN_PARAGRAPH.JUSTIFY)


# ---------------------------------------------------------------- document and styles

def set_fonts(rpr_owner, name: str = FONT) -> None:
    """All four font slots: Vietnamese text must not fall back to a theme font."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def new_document():
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)

    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(14)
    set_fonts(normal.element)
    pf = normal.paragraph_format
    pf.space_before, pf.space_after = Pt(0), Pt(6)
    pf.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    pf.line_spacing = 1.1
    # docDefaults carry theme fonts; tables and headers inherit from there.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None and rpr_default.find(qn("w:rPr")) is not None:
            fonts = rpr_default.find(qn("w:rPr")).find(qn("w:rFonts"))
            if fonts is not None:
                for attr in list(fonts.attrib):
                    del fonts.attrib[attr]
                for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                    fonts.set(qn(attr), FONT)
    for name, size in (("Heading 1", 14), ("Heading 2", 14), ("Heading 3", 14)):
        style = styles[name]
        style.font.name, style.font.size, style.font.bold = FONT, Pt(size), True
        style.font.italic = name == "Heading 3"
        style.font.color.rgb = RGBColor(0, 0, 0)
        set_fonts(style.element)
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(6), Pt(6)
        style.paragraph_format.first_line_indent = Cm(1.27)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.alignment = JUSTIFY
    for name in ("Header", "Caption"):
        style = styles[name]
        style.font.name = FONT
        set_fonts(style.element)
    caption = styles["Caption"]
    caption.font.size, caption.font.italic, caption.font.bold = Pt(13), True, False
    caption.font.color.rgb = RGBColor(0, 0, 0)
    caption.paragraph_format.alignment = CENTER
    caption.paragraph_format.space_before, caption.paragraph_format.space_after = Pt(3), Pt(9)
    header_style = styles["Header"]
    header_style.font.size = Pt(14)

    body = styles.add_style("Body Text DTI", 1)
    body.base_style = normal
    body.paragraph_format.first_line_indent = Cm(1.27)
    body.paragraph_format.alignment = JUSTIFY
    table_text = styles.add_style("Table Text", 1)
    table_text.base_style = normal
    table_text.font.size = Pt(11)
    table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.line_spacing = 1.0
    table_text.paragraph_format.first_line_indent = Cm(0)
    return doc


def page_number_header(doc) -> None:
    """Page number centred in the header from page 2: a different first page and a PAGE field."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    section.first_page_header.paragraphs[0].text = ""
    p = section.header.paragraphs[0]
    p.alignment = CENTER
    p.style = doc.styles["Header"]

    def run_with(element):
        r = p.add_run()
        set_fonts(r._r)
        r.font.size = Pt(14)
        r._r.append(element)
        return r

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    shown = p.add_run("2")
    set_fonts(shown._r)
    shown.font.size = Pt(14)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


# ---------------------------------------------------------------- paragraphs

def add_runs(p, parts, size=None):
    """parts: a string, or a list of (text, {"bold":…, "italic":…}) pieces."""
    if isinstance(parts, str):
        parts = [(parts, {})]
    for text, style in parts:
        run = p.add_run(text)
        run.bold = style.get("bold")
        run.italic = style.get("italic")
        if style.get("size") or size:
            run.font.size = Pt(style.get("size") or size)
        t = run._r.find(qn("w:t"))
        if t is not None:
            t.set(qn("xml:space"), "preserve")
    return p


def para(container, parts="", *, style=None, bold=None, italic=None, size=None, align=None, first_line=None,
         left=None, before=None, after=None, keep_next=False, line=None):
    p = container.add_paragraph(style=style)
    if isinstance(parts, str):
        parts = [(parts, {"bold": bold, "italic": italic})] if parts else []
    add_runs(p, parts, size)
    pf = p.paragraph_format
    if align is not None:
        pf.alignment = align
    if first_line is not None:
        pf.first_line_indent = Cm(first_line)
    if left is not None:
        pf.left_indent = Cm(left)
    if before is not None:
        pf.space_before = Pt(before)
    if after is not None:
        pf.space_after = Pt(after)
    if line is not None:
        pf.line_spacing = line
    if keep_next:
        pf.keep_with_next = True
    return p


def tag(container, text):
    """A paragraph holding only a {%p … %} tag: docxtpl removes it when rendering."""
    return para(container, text, after=0, first_line=0)


def rule(container, length_mm: float, width_mm: float, before: float = 0, after: float = 0):
    """A short horizontal rule, centred in a column of width_mm: an empty paragraph
    with a bottom border, narrowed by its indents."""
    p = container.add_paragraph()
    pf = p.paragraph_format
    side = max((width_mm - length_mm) / 2, 0)
    pf.left_indent, pf.right_indent = Mm(side), Mm(side)
    pf.first_line_indent = Cm(0)
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(2)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # pBdr sits before spacing/ind in the schema order
    ppr.insert(0, borders) if ppr.find(qn("w:pStyle")) is None else ppr.find(qn("w:pStyle")).addnext(borders)
    return p


def page_break(doc):
    p = doc.add_paragraph()
    p.paragraph_format.space_after = Pt(0)
    p.add_run().add_break(WD_BREAK.PAGE)


# ---------------------------------------------------------------- tables

def cell_margins(table, top=0, bottom=0, left=0.08, right=0.08):
    tbl_pr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side, cm in (("top", top), ("left", left), ("bottom", bottom), ("right", right)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(cm * 567)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tbl_pr.append(margins)


def borders(table, val="single"):
    tbl_pr = table._tbl.tblPr
    el = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{side}")
        b.set(qn("w:val"), val)
        if val != "nil":
            b.set(qn("w:sz"), "4")
            b.set(qn("w:space"), "0")
            b.set(qn("w:color"), "000000")
        el.append(b)
    tbl_pr.append(el)


def fixed_widths(table, widths_mm, indent_mm: float = 0):
    table.autofit = False  # w:tblLayout fixed
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:w"), str(int(sum(widths_mm) * 56.7)))
    tbl_w.set(qn("w:type"), "dxa")
    if indent_mm:
        ind = OxmlElement("w:tblInd")
        ind.set(qn("w:w"), str(int(indent_mm * 56.7)))
        ind.set(qn("w:type"), "dxa")
        tbl_pr.append(ind)
    for col, width in zip(table.columns, widths_mm):
        col.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)


def repeat_header(row):
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    tr_pr.append(el)
    cant = OxmlElement("w:cantSplit")
    tr_pr.append(cant)


def shade(cell, color="D9E2F3"):
    tc_pr = cell._tc.get_or_add_tcPr()
    el = OxmlElement("w:shd")
    el.set(qn("w:val"), "clear")
    el.set(qn("w:color"), "auto")
    el.set(qn("w:fill"), color)
    tc_pr.append(el)


def cell_text(cell, parts, *, align=CENTER, bold=None, italic=None, size=None, style="Table Text", valign=None):
    p = cell.paragraphs[0]
    p.style = cell.part.document.styles[style] if style else None
    if isinstance(parts, str):
        parts = [(parts, {"bold": bold, "italic": italic})] if parts else []
    add_runs(p, parts, size)
    p.alignment = align
    if valign is not None:
        cell.vertical_alignment = valign
    return p


def data_table(doc, headers, body, widths_mm, *, header_fill=True, size=None):
    """A bordered table: a header row, then rows of cell texts (tags included)."""
    table = doc.add_table(rows=1 + len(body), cols=len(headers))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    borders(table)
    cell_margins(table, left=0.08, right=0.08, top=0.03, bottom=0.03)
    for cell, (text, _align) in zip(table.rows[0].cells, headers):
        cell_text(cell, text, bold=True, size=size, valign=WD_CELL_VERTICAL_ALIGNMENT.CENTER)
        if header_fill:
            shade(cell)
    repeat_header(table.rows[0])
    for row, values in zip(table.rows[1:], body):
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row never breaks across pages
        for cell, value, (_text, align) in zip(row.cells, values, headers):
            cell_text(cell, value, align=align, size=size, valign=WD_CELL_VERTICAL_ALIGNMENT.CENTER)
    fixed_widths(table, widths_mm)
    return table


# ---------------------------------------------------------------- shared blocks

def header_block(doc, *, with_number: bool = True):
    """Agency left, national title right (NĐ 30/2020, Phụ lục I, ô 1–4)."""
    # Wider than the text area, as in most issued documents: the agency line
    # "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" and the date line each stay on one line.
    left_w, right_w = 80, 100
    table = doc.add_table(rows=2, cols=2)
    borders(table, "nil")
    cell_margins(table, left=0.05, right=0.05)
    fixed_widths(table, [left_w, right_w], indent_mm=-12)
    left, right = table.rows[0].cells
    cell_text(left, "{{ parent_agency }}", size=12, style=None)
    p = left.add_paragraph()
    add_runs(p, [("{{ agency }}", {"bold": True})], size=12)
    p.alignment = CENTER
    rule(left, 26, left_w - 1, before=1)
    cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12, style=None)
    p = right.add_paragraph()
    add_runs(p, [("Độc lập - Tự do - Hạnh phúc", {"bold": True})], size=13)
    p.alignment = CENTER
    rule(right, 57, right_w - 1, before=1)
    for cell in (left, right):
        for p in cell.paragraphs:
            p.paragraph_format.space_after = Pt(0)
            p.paragraph_format.first_line_indent = Cm(0)
            p.paragraph_format.line_spacing = 1.0
    left, right = table.rows[1].cells
    cell_text(left, "{{ number_line }}" if with_number else "", size=13, style=None)
    cell_text(right, [("{{ date_line }}", {"italic": True})], size=13, style=None)
    for cell in (left, right):
        pf = cell.paragraphs[0].paragraph_format
        pf.space_before, pf.space_after, pf.first_line_indent = Pt(6), Pt(0), Cm(0)
    return table


def signature_block(doc, recipients: str = "recipients"):
    """'Nơi nhận' beside the signer (NĐ 30/2020, Phụ lục I, ô 7–9). recipients: the
    context list of recipient lines, or None for the unit itself (scorecards)."""
    table = doc.add_table(rows=1, cols=2)
    borders(table, "nil")
    cell_margins(table, left=0.05, right=0.05)
    fixed_widths(table, [80, 90], indent_mm=-2)
    left, right = table.rows[0].cells
    cell_text(left, [("Nơi nhận:", {"bold": True, "italic": True})], align=LEFT, size=12, style=None)
    if recipients:
        tag(left, f"{{%p for line in {recipients} %}}")
        para(left, "- {{ line }}", size=11, after=0, first_line=0, align=LEFT, line=1.0)
        tag(left, "{%p endfor %}")
    else:
        para(left, "- {{ unit_name }};", size=11, after=0, first_line=0, align=LEFT, line=1.0)
    para(left, "- {{ archive }}", size=11, after=0, first_line=0, align=LEFT, line=1.0)
    first = right.paragraphs[0]
    add_runs(first, "{%p if signer_authority %}")
    para(right, "{{ signer_authority }}", bold=True, size=14, align=CENTER, after=0, first_line=0, line=1.0)
    tag(right, "{%p endif %}")
    para(right, "{{ signer_title }}", bold=True, size=14, align=CENTER, after=0, first_line=0, line=1.0)
    for _ in range(4):
        para(right, "", after=0, first_line=0)
    para(right, "{{ signer_name }}", bold=True, size=14, align=CENTER, after=0, first_line=0)
    for cell in (left, right):
        for p in cell.paragraphs:
            p.paragraph_format.space_after = Pt(0)
            p.paragraph_format.first_line_indent = Cm(0)
    return table


# Element order inside w:tblPr and w:tcPr (ECMA-376 schema): Word refuses a file
# whose properties are out of order, LibreOffice does not, so a preview would not tell.
TBL_PR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
                "tblCaption", "tblDescription"]
TC_PR_ORDER = ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
               "textDirection", "tcFitText", "vAlign", "hideMark"]


def schema_order(doc) -> None:
    for tag_name, order in (("w:tblPr", TBL_PR_ORDER), ("w:tcPr", TC_PR_ORDER)):
        rank = {qn(f"w:{name}"): i for i, name in enumerate(order)}
        for props in doc.element.body.iter(qn(tag_name)):
            children = sorted(props, key=lambda el: rank.get(el.tag, len(rank)))
            for child in children:
                props.append(child)


def slim(doc) -> None:
    """Drop what python-docx's default template carries and the reports never use:
    ~250 unused style definitions (Word offers the built-in ones again on demand),
    the Word 2010 stylesWithEffects copy and a thumbnail of some other document.
    Every rendered document carries these parts, so their size is render time."""
    styles = doc.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    used = set()
    parts = [doc.element] + [s.header._element for s in doc.sections] + [s.first_page_header._element for s in doc.sections]
    for root in parts:
        for tag_name in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            used |= {el.get(qn("w:val")) for el in root.iter(qn(tag_name))}
    used |= {sid for sid, s in by_id.items() if s.get(qn("w:default")) == "1"}
    used |= {"Heading1", "Heading2", "Heading3", "Caption", "TableGrid", "Header", "Footer", "BodyTextDTI", "TableText"}
    pending = list(used)
    while pending:
        style = by_id.get(pending.pop())
        if style is None:
            continue
        for link in ("w:basedOn", "w:link", "w:next"):
            el = style.find(qn(link))
            if el is not None and el.get(qn("w:val")) not in used:
                used.add(el.get(qn("w:val")))
                pending.append(el.get(qn("w:val")))
    for sid, style in by_id.items():
        if sid not in used:
            styles.remove(style)
    document_part = doc.part
    for rel_id, rel in list(document_part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            del document_part.rels[rel_id]
    package = document_part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rel_id]


def save(doc, name: str) -> Path:
    schema_order(doc)
    slim(doc)
    doc.core_properties.author = "dti-report"
    doc.core_properties.title = name
    OUT_DIR.mkdir(exist_ok=True)
    target = OUT_DIR / name
    buffer = io.BytesIO()
    doc.save(buffer)
    # Fixed zip dates: rebuilding gives the same bytes, so a rebuild shows no change in git.
    with zipfile.ZipFile(buffer) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, zin.read(item.filename))
    return target


# ---------------------------------------------------------------- the report on one set

def closing_line(doc, text: str):
    """The last sentence of the body, kept on the page of the signature below it."""
    return para(doc, text, style="Body Text DTI", keep_next=True, before=6)



def build_report() -> Path:
    doc = new_document()
    page_number_header(doc)
    header_block(doc)

    para(doc, "BÁO CÁO", bold=True, size=14, align=CENTER, before=18, after=0, first_line=0)
    para(doc, "Kết quả đánh giá chuyển đổi số {{ scope }} {{ period_text }}", bold=True, size=14, align=CENTER,
         after=0, first_line=0)
    rule(doc, 40, TEXT_WIDTH_MM, before=2, after=12)

    body = "Body Text DTI"
    para(doc, "Căn cứ {{ basis }} ban hành {{ set_title }}{% if not appendix_in_title %} ({{ appendix_of_decision }})"
              "{% endif %}, trên cơ sở số liệu tự "
              "đánh giá của các đơn vị và kết quả thẩm định, kết quả đánh giá {{ period_text }} như sau:", style=body)

    doc.add_paragraph("I. TỔNG QUAN", style="Heading 1")
    para(doc, "1. Số đơn vị được đánh giá: {{ summary.assessed }}/{{ summary.expected }} đơn vị"
              "{% if summary.missing %}; {{ summary.missing }} đơn vị chưa gửi biểu mẫu hoặc biểu mẫu bị từ chối "
              "(mục IV){% endif %}.", style=body)
    para(doc, "2. Điểm trung bình: {{ summary.average }}/{{ max_total }} điểm ({{ summary.average_percent }} "
              "điểm tối đa).", style=body)
    para(doc, "3. Cao nhất: {{ summary.highest }} ({{ summary.highest_points }} điểm); thấp nhất: "
              "{{ summary.lowest }} ({{ summary.lowest_points }} điểm).", style=body)
    para(doc, "4. Theo chỉ số chính, tỷ lệ điểm bình quân cao nhất ở {{ summary.strongest_index }} "
              "({{ summary.strongest_index_percent }} điểm tối đa), thấp nhất ở {{ summary.weakest_index }} "
              "({{ summary.weakest_index_percent }}).", style=body)
    tag(doc, "{%p if summary.changed %}")
    para(doc, "5. Qua thẩm định, {{ summary.changed }} đơn vị có kết quả đánh giá khác điểm tự đánh giá "
              "(cột “Tự đánh giá” tại Bảng 1).", style=body)
    tag(doc, "{%p endif %}")
    # A workspace's history: the change since the previous stored period, timeliness, adjustments.
    tag(doc, "{%p if comparison.has_previous %}")
    para(doc, "{{ comparison.no }}. So với {{ comparison.previous_period_text }}: {{ comparison.improved }} đơn vị tăng hạng, "
              "{{ comparison.declined }} đơn vị giảm hạng, {{ comparison.unchanged }} đơn vị giữ nguyên hạng"
              "{% if comparison.new %}, {{ comparison.new }} đơn vị lần đầu được đánh giá{% endif %} (Bảng 1a).",
         style=body)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if timeliness.has %}")
    para(doc, "{{ timeliness.no }}. Thời hạn gửi{% if timeliness.deadline %} (hạn {{ timeliness.deadline }}){% endif %}: "
              "{{ timeliness.on_time }} đơn vị gửi đúng hạn, {{ timeliness.late }} đơn vị gửi trễ hạn, "
              "{{ timeliness.missing }} đơn vị chưa gửi{% if timeliness.rows %} (mục IV){% endif %}.", style=body)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if adjustments %}")
    para(doc, "{{ adjustments_no }}. Các điều chỉnh của Sở khi thẩm định:", style=body, keep_next=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for a in adjustments %}")
    para(doc, "- {{ a.unit }}, tiêu chí {{ a.criterion }} ({{ a.field }} = {{ a.value }}): {{ a.reason }}"
              "{% if a.by %} ({{ a.by }}, {{ a.at }}){% endif %}.", style=body)
    tag(doc, "{%p endfor %}")

    doc.add_paragraph("II. KẾT QUẢ XẾP HẠNG", style="Heading 1")
    para(doc, "Bảng 1. Kết quả đánh giá, xếp hạng {{ period_text }}", style="Caption", keep_next=True)
    headers = [("STT", CENTER), ("Đơn vị", LEFT), ("{%tc for index in indices %}", CENTER), ("{{ index.label }}", CENTER),
               ("{%tc endfor %}", CENTER), ("Tổng điểm\n({{ max_total }})", CENTER),
               ("{%tc if show_self %}", CENTER), ("Tự đánh giá", CENTER), ("{%tc endif %}", CENTER),
               ("Xếp hạng", CENTER)]
    tr_open = ["{%tr for row in ranking %}"] + [""] * (len(headers) - 1)
    row = ["{{ row.no }}", "{{ row.name }}", "{%tc for points in row.indices %}", "{{ points }}", "{%tc endfor %}",
           "{{ row.total }}", "{%tc if show_self %}", "{{ row.self_total }}", "{%tc endif %}", "{{ row.rank }}"]
    tr_close = ["{%tr endfor %}"] + [""] * (len(headers) - 1)
    table = data_table(doc, headers, [tr_open, row, tr_close], [9, 46, 8, 14, 8, 17, 8, 17, 8, 14], size=10)
    # Totals in bold: what the table is read for.
    for run in table.rows[2].cells[5].paragraphs[0].runs:
        run.bold = True
    para(doc, [("Ghi chú: ", {"italic": True, "bold": True}),
               ("điểm theo {{ columns_kind }} — {{ indices_legend }}.", {"italic": True})], size=12, before=3, after=6, first_line=0,
         align=JUSTIFY)
    # A national batch: the table lists the highest ranked (settings.ranking_rows) and says where the rest are.
    tag(doc, "{%p if ranking_more %}")
    para(doc, "Bảng 1 liệt kê {{ ranking_shown }} đơn vị xếp hạng cao nhất; kết quả của {{ ranking_more }} đơn vị còn "
              "lại có trong sổ tính tổng hợp {{ workbook_name }} (trang xếp hạng) và phiếu kết quả của từng đơn vị.",
         size=12, before=0, after=6, first_line=0, align=JUSTIFY)
    tag(doc, "{%p endif %}")

    tag(doc, "{%p if comparison.has_previous %}")
    para(doc, "Bảng 1a. So sánh với {{ comparison.previous_period_text }}", style="Caption", keep_next=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if comparison.has_previous %}")
    data_table(doc, [("STT", CENTER), ("Đơn vị", LEFT), ("Tổng điểm kỳ này", CENTER), ("Tổng điểm kỳ trước", CENTER),
                     ("Tăng, giảm", CENTER), ("Hạng kỳ trước", CENTER), ("Hạng kỳ này", CENTER), ("Thay đổi", CENTER)],
               [["{%tr for row in comparison.rows %}", "", "", "", "", "", "", ""],
                ["{{ row.no }}", "{{ row.name }}", "{{ row.total }}", "{{ row.previous_total }}", "{{ row.delta }}",
                 "{{ row.previous_rank }}", "{{ row.rank }}", "{{ row.change }}"],
                ["{%tr endfor %}", "", "", "", "", "", "", ""]], [10, 49, 18, 18, 17, 16, 16, 21], size=10)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if comparison.more %}")
    para(doc, "Bảng 1a liệt kê {{ comparison.shown }} đơn vị xếp hạng cao nhất kỳ này; {{ comparison.more }} đơn vị "
              "còn lại có trong sổ tính tổng hợp {{ workbook_name }}.", size=12, before=0, after=6, first_line=0,
         align=JUSTIFY)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if comparison.note %}")
    para(doc, [("Ghi chú: ", {"italic": True, "bold": True}), ("{{ comparison.note }}", {"italic": True})], size=12,
         before=3, after=6, first_line=0, align=JUSTIFY)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if chart_trend %}")
    para(doc, "{{ chart_trend }}", align=CENTER, first_line=0, after=0, keep_next=True)
    para(doc, "Hình 1a. Tổng điểm cao nhất, bình quân và thấp nhất qua các kỳ ({{ comparison.periods_text }})",
         style="Caption")
    tag(doc, "{%p endif %}")

    doc.add_paragraph("III. PHÂN TÍCH THEO CHỈ SỐ CHÍNH", style="Heading 1")
    para(doc, "Bảng 2. Điểm bình quân, đơn vị cao nhất và thấp nhất theo từng chỉ số chính", style="Caption",
         keep_next=True)
    headers = [("Chỉ số chính", LEFT), ("Tối đa", CENTER), ("Bình quân", CENTER), ("Cao nhất", LEFT),
               ("Thấp nhất", LEFT)]
    body_rows = [["{%tr for index in index_rows %}", "", "", "", ""],
                 ["{{ index.id }}. {{ index.name }}", "{{ index.max }}",
                  "{{ index.average }}\n({{ index.average_percent }})",
                  "{{ index.best }}: {{ index.best_points }}", "{{ index.worst }}: {{ index.worst_points }}"],
                 ["{%tr endfor %}", "", "", "", ""]]
    data_table(doc, headers, body_rows, [42, 13, 20, 45, 45], size=11)
    para(doc, "", after=0)
    para(doc, "{{ chart_totals }}", align=CENTER, first_line=0, after=0, keep_next=True)
    para(doc, "Hình 1. Tổng điểm của các đơn vị theo thứ hạng, chia theo chỉ số chính{{ chart_totals_note }}",
         style="Caption")
    para(doc, "{{ chart_spread }}", align=CENTER, first_line=0, after=0, keep_next=True)
    para(doc, "Hình 2. Phân bố tỷ lệ điểm (% điểm tối đa) của các đơn vị theo từng chỉ số chính "
              "(hộp: từ tứ phân vị thứ nhất đến thứ ba; vạch: trung vị; hình thoi: bình quân)", style="Caption")

    doc.add_paragraph("IV. ĐƠN VỊ CHƯA ĐƯỢC ĐÁNH GIÁ", style="Heading 1")
    tag(doc, "{%p if not_assessed %}")
    para(doc, "Các đơn vị sau chưa được đánh giá {{ period_text }} do chưa gửi biểu mẫu hoặc biểu mẫu bị từ chối:",
         style=body, keep_next=True)
    tag(doc, "{%p endif %}")
    # The table sits between paragraph tags: docxtpl drops the whole table with them.
    tag(doc, "{%p if not_assessed %}")
    data_table(doc, [("STT", CENTER), ("Đơn vị", LEFT), ("Lý do", LEFT)],
               [["{%tr for unit in not_assessed %}", "", ""], ["{{ unit.no }}", "{{ unit.name }}", "{{ unit.reason }}"],
                ["{%tr endfor %}", "", ""]], [12, 60, 93], size=11)
    tag(doc, "{%p else %}")
    para(doc, "Tất cả các đơn vị thuộc phạm vi đánh giá đã gửi biểu mẫu hợp lệ.", style=body)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if timeliness.rows %}")
    para(doc, "Đơn vị gửi trễ hạn hoặc chưa gửi{% if timeliness.deadline %} (hạn {{ timeliness.deadline }})"
              "{% endif %}:", style=body, before=6, keep_next=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for unit in timeliness.rows %}")
    para(doc, "- {{ unit.name }}: {{ unit.status|lower }}{% if unit.note %} ({{ unit.note }}){% endif %}.", style=body)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if other_rejected %}")
    para(doc, "Ngoài ra, các tệp sau bị từ chối và chưa xác định được đơn vị gửi:", style=body, before=6)
    tag(doc, "{%p for file in other_rejected %}")
    para(doc, "- {{ file.path }}{% if file.unit %} ({{ file.unit }}){% endif %}: {{ file.reason }}", style=body)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    para(doc, "Chi tiết số liệu, điểm từng tiêu chí, danh sách tệp và các lỗi, cảnh báo có trong sổ tính tổng hợp "
              "(Excel) kèm theo; phương pháp đánh giá tại Phụ lục.", style=body, before=6, keep_next=True)
    closing_line(doc, "Trên đây là báo cáo kết quả đánh giá chuyển đổi số {{ scope }} {{ period_text }} của "
                      "{{ agency_name }}./.")
    signature = signature_block(doc)
    signature.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))

    page_break(doc)
    # The appendix in one size (13), headings included: a page of method text reads as one piece.
    appendix = 13
    para(doc, "PHỤ LỤC", bold=True, size=14, align=CENTER, after=0, first_line=0)
    para(doc, "PHƯƠNG PHÁP ĐÁNH GIÁ VÀ CÁC QUYẾT ĐỊNH ÁP DỤNG", bold=True, size=14, align=CENTER, after=0, first_line=0)
    para(doc, "{{ attachment_line }}", italic=True, size=appendix, align=CENTER, after=12, first_line=0)
    para(doc, "Điểm được tính theo {{ appendix_of_decision }}, {{ basis }}: {{ set_title }}, tổng điểm tối đa "
              "{{ max_total }} điểm. Điểm tự đánh giá và kết quả đánh giá (sau thẩm định, điều chỉnh) được tính "
              "theo cùng quy tắc.", style=body, size=appendix)
    para(doc, "1. Quy định chung và các quyết định áp dụng", style="Heading 2", size=appendix)
    tag(doc, "{%p for note in set_notes %}")
    para(doc, "- {{ note.text }}", style=body, size=appendix)
    tag(doc, "{%p endfor %}")
    para(doc, "2. Cách xác định và tính điểm từng chỉ số thành phần", style="Heading 2", size=appendix)
    tag(doc, "{%p for index in method %}")
    para(doc, "Chỉ số {{ index.id }}. {{ index.name }} ({{ index.max }} điểm)", style="Heading 3", size=appendix)
    tag(doc, "{%p for c in index.criteria %}")
    para(doc, [("{{ c.id }}. {{ c.name }}", {"bold": True}), (" (tối đa {{ c.max }} điểm)", {})], style=body,
         size=appendix, keep_next=True, after=2)
    tag(doc, "{%p for line in c.lines %}")
    para(doc, "{{ line }}", style=body, size=13, left=1.27, first_line=0, after=0)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p for note in c.notes %}")
    para(doc, [("Quyết định áp dụng: ", {"bold": True, "italic": True}), ("{{ note }}", {"italic": True})],
         style=body, size=13, left=1.27, first_line=0, before=2, after=0)
    tag(doc, "{%p endfor %}")
    para(doc, "", after=4, size=6)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    return save(doc, "bao-cao-ket-qua-dti.docx")


# ---------------------------------------------------------------- one unit's scorecard

def build_scorecard() -> Path:
    """One unit's scorecard, sent with the report (the report's number line under its title): the
    summary, the criteria adjusted with their reasons, the table, the unit as the recipient. The
    table's index rows stay with their first criterion, its total row and the signature with what
    comes before them: no page holds the signature alone."""
    doc = new_document()
    page_number_header(doc)
    header_block(doc, with_number=False)
    para(doc, "PHIẾU KẾT QUẢ ĐÁNH GIÁ CHUYỂN ĐỔI SỐ", bold=True, size=14, align=CENTER, before=18, after=0,
         first_line=0)
    para(doc, "{{ unit_name }} — {{ period_text }}", bold=True, size=14, align=CENTER, after=0, first_line=0)
    para(doc, "{{ attachment_line }}", italic=True, size=13, align=CENTER, after=0, first_line=0)
    rule(doc, 40, TEXT_WIDTH_MM, before=2, after=12)
    body = "Body Text DTI"
    para(doc, "Theo {{ set_title }}, tổng điểm tối đa {{ max_total }} điểm.", style=body)
    # Ranks only on official results (ranked); a provisional scorecard says when they come. Whole
    # paragraphs as the alternatives: a tag inside one run's text keeps the part safe for any value.
    tag(doc, "{%p if ranked %}")
    para(doc, [("1. Tổng điểm: ", {}), ("{{ total }}/{{ max_total }} điểm", {"bold": True}),
               (" ({{ percent }} điểm tối đa); xếp hạng ", {}), ("{{ rank }}/{{ unit_count }}", {"bold": True}),
               (" đơn vị.", {})], style=body)
    tag(doc, "{%p else %}")
    para(doc, [("1. Tổng điểm: ", {}), ("{{ total }}/{{ max_total }} điểm", {"bold": True}),
               (" ({{ percent }} điểm tối đa). Đây là kết quả tạm tính; thứ hạng được công bố cùng kết quả chính "
                "thức.", {})], style=body)
    tag(doc, "{%p endif %}")
    para(doc, "2. Điểm tự đánh giá: {{ self_total }} điểm{% if ranked %} (hạng {{ self_rank }}){% endif %}"
              "{% if self_differs %}; kết quả đánh giá sau thẩm định khác điểm tự đánh giá ở các tiêu chí "
              "đánh dấu (*) trong bảng dưới{% endif %}.", style=body)
    tag(doc, "{%p if even %}")
    para(doc, "3. Tỷ lệ điểm đạt được đồng đều ở mọi chỉ số chính ({{ strongest[0] }}).", style=body)
    tag(doc, "{%p else %}")
    para(doc, "3. Chỉ số chính mạnh nhất (theo tỷ lệ điểm tối đa): {{ strongest|join('; ') }}; yếu nhất: "
              "{{ weakest|join('; ') }}.", style=body)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if no_data %}")
    para(doc, "4. Tiêu chí chưa có số liệu (0 điểm): {{ no_data|join('; ') }}.", style=body)
    tag(doc, "{%p else %}")
    para(doc, "4. Đơn vị đã cung cấp số liệu cho mọi tiêu chí.", style=body)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if invalid %}")
    para(doc, "{{ invalid_no }}. Tiêu chí có số liệu lỗi, chưa được chấm điểm: {{ invalid|join('; ') }}.", style=body)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if adjusted %}")
    para(doc, "{{ adjusted_no }}. Tiêu chí có kết quả đánh giá khác điểm tự đánh giá, lý do:", style=body,
         keep_next=True)
    tag(doc, "{%p for a in adjusted %}")
    para(doc, [("- {{ a.id }}. {{ a.name }}: ", {"italic": True}),
               ("tự đánh giá {{ a.self }}, kết quả đánh giá {{ a.verified }} điểm. {{ a.reason }}", {})], style=body)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if previous %}")
    para(doc, "{{ previous_no }}. So với {{ previous.period_text }}: {% if previous.is_new %}kỳ trước đơn vị chưa được đánh giá"
              "{% else %}tổng điểm {{ previous.total }} → {{ total }} ({{ previous.delta }} điểm)"
              "{% if ranked %}, hạng {{ previous.rank }} → {{ rank }} ({{ previous.change }}){% endif %}; theo chỉ "
              "số chính: {{ previous.indices }}"
              "{% endif %}.{% if previous.note %} {{ previous.note }}{% endif %}", style=body)
    tag(doc, "{%p endif %}")
    para(doc, "Bảng. Điểm từng tiêu chí", style="Caption", keep_next=True)
    headers = [("Mã", CENTER), ("Chỉ số, tiêu chí", LEFT), ("Điểm tối đa", CENTER), ("Tự đánh giá", CENTER),
               ("Kết quả đánh giá", CENTER), ("Tình trạng", LEFT)]
    rows = [
        ["{%tr for index in indices %}", "", "", "", "", ""],
        [[("{{ index.id }}", {"bold": True})], [("{{ index.name }}", {"bold": True})], [("{{ index.max }}", {"bold": True})],
         [("{{ index.self_points }}", {"bold": True})], [("{{ index.points }}", {"bold": True})],
         [("Đạt {{ index.percent }}", {"italic": True})]],
        ["{%tr for c in index.criteria %}", "", "", "", "", ""],
        ["{{ c.id }}", "{{ c.name }}{% if c.reason %} (điều chỉnh: {{ c.reason }}){% endif %}", "{{ c.max }}",
         "{{ c.self }}{% if c.differs %} (*){% endif %}", "{{ c.verified }}", "{{ c.status }}"],
        ["{%tr endfor %}", "", "", "", "", ""],
        ["{%tr endfor %}", "", "", "", "", ""],
        [[("", {})], [("Tổng cộng", {"bold": True})], [("{{ max_total }}", {"bold": True})],
         [("{{ self_total }}", {"bold": True})], [("{{ total }}", {"bold": True})], ""],
    ]
    table = data_table(doc, headers, rows, [12, 75, 15, 18, 18, 27], size=11)
    keep_header(table)
    for r in (2, 7):
        for cell in table.rows[r].cells:
            shade(cell, "F2F2F2")
            for p in cell.paragraphs:  # an index row stays with its first criterion; the total with the signature
                p.paragraph_format.keep_with_next = True
    para(doc, "", after=6, keep_next=True)
    signature = signature_block(doc)
    signature.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    para(doc, "", after=0, size=2)  # Word wants a paragraph, not a table, last in the body
    return save(doc, "phieu-ket-qua-dti.docx")


# ---------------------------------------------------------------- the report on a plan (KH 68, KH 4233)

def band(table, row_index: int, fill: str = "F2F2F2"):
    """Merge a row of a data table into one shaded cell: a group's heading row inside a loop,
    kept on the page of the row after it."""
    row = table.rows[row_index]
    merged = row.cells[0].merge(row.cells[-1])
    for p in merged.paragraphs:
        p.alignment = LEFT
        p.paragraph_format.keep_with_next = True
    shade(merged, fill)
    return merged


def keep_header(table):
    """The header row stays with the first body row: no header alone at the foot of a page."""
    for cell in table.rows[0].cells:
        for p in cell.paragraphs:
            p.paragraph_format.keep_with_next = True


def landscape_section(doc):
    """A new landscape section on a new page (an appendix's wide table); the page numbers go on,
    its first page numbered too."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.different_first_page_header_footer = False
    return section


LANDSCAPE_WIDTH_MM = 297 - 30 - 15


def build_plan_report(name: str, *, baseline: bool) -> Path:
    """The report on a plan's two appendices (reports/plans.py gives the context), in the plan's
    shape: the body holds the tasks (section I), the criteria counted per pillar and main index
    with the agencies that did not report (II) and the proposals (III); the full criteria table
    goes to Phụ lục I after the signature, landscape, with the plan's own columns. With
    `baseline` (KH 4233): the baseline beside the period's figures, part A of the plan's
    Phụ lục 2 (general information) and points, lead and coordinating agencies as its
    columns; without (KH 68): frequency, the lead cell (with whom it coordinates) and the
    note ("Ghi chú": how the criterion is assessed)."""
    doc = new_document()
    page_number_header(doc)
    header_block(doc)

    para(doc, "BÁO CÁO", bold=True, size=14, align=CENTER, before=18, after=0, first_line=0)
    para(doc, "{{ title }}", bold=True, size=14, align=CENTER, after=0, first_line=0)
    rule(doc, 40, TEXT_WIDTH_MM, before=2, after=12)
    body = "Body Text DTI"
    para(doc, "Thực hiện {{ plan_ref }}, trên cơ sở báo cáo của các cơ quan, đơn vị được giao chủ trì (số liệu tính "
              "đến ngày {{ period_end }}), {{ agency_name }} báo cáo kết quả thực hiện {{ period_text }} như sau:",
         style=body)

    table_no = iter(range(1, 10))

    # I. Tasks
    doc.add_paragraph("I. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ ({{ tasks.appendix|upper }} CỦA KẾ HOẠCH)", style="Heading 1")
    doc.add_paragraph("1. Tổng hợp chung", style="Heading 2")
    para(doc, "{{ tasks.appendix }} của Kế hoạch ({{ tasks.title }}) gồm {{ tasks.total }} nhiệm vụ. Tính đến ngày "
              "{{ period_end }}: {{ tasks.counts_sentence }}.", style=body)
    tag(doc, "{%p if tasks.missing_count %}")
    para(doc, "Cơ quan, đơn vị chưa gửi báo cáo tiến độ kỳ này ({{ tasks.missing_count }}): {{ tasks.missing }}.",
         style=body)
    tag(doc, "{%p endif %}")
    para(doc, f"Bảng {next(table_no)}. Số nhiệm vụ theo tình trạng thực hiện", style="Caption", keep_next=True)
    table = data_table(doc, [("Tình trạng", LEFT), ("Số nhiệm vụ", CENTER), ("Tỷ lệ", CENTER)],
                       [["{%tr for row in tasks.counts %}", "", ""], ["{{ row.label }}", "{{ row.count }}", "{{ row.percent }}"],
                        ["{%tr endfor %}", "", ""],
                        [[("Tổng cộng", {"bold": True})], [("{{ tasks.total }}", {"bold": True})], [("100%", {"bold": True})]]],
                       [75, 30, 30], size=11)
    for cell in table.rows[-1].cells:
        shade(cell, "F2F2F2")
    doc.add_paragraph("2. Tình hình thực hiện từng nhiệm vụ", style="Heading 2")
    para(doc, f"Bảng {next(table_no)}. Tình hình thực hiện các nhiệm vụ của {{{{ tasks.appendix }}}}", style="Caption",
         keep_next=True)
    headers = [("STT", CENTER), ("Nhiệm vụ", LEFT), ("Thời hạn", CENTER), ("Cơ quan chủ trì", LEFT),
               ("Tình trạng", LEFT), ("Ghi chú", LEFT)]
    empty = [""] * (len(headers) - 1)
    table = data_table(doc, headers, [
        ["{%tr for group in tasks.groups %}", *empty],
        [[("{{ group.heading }}", {"bold": True})], *empty],
        ["{%tr for t in group.tasks %}", *empty],
        ["{{ t.id }}", "{{ t.content }}", "{{ t.deadline }}", "{{ t.lead }}", "{{ t.standing }}", "{{ t.note }}"],
        ["{%tr endfor %}", *empty],
        ["{%tr endfor %}", *empty],
    ], [17, 55, 20, 25, 20, 28] if baseline else [11, 60, 20, 25, 20, 29], size=10)  # Ninh Thuận's ids: "B.VIII.6"
    keep_header(table)
    band(table, 2)

    # II. Criteria: counts in the body, every criterion in Phụ lục I
    doc.add_paragraph("II. THEO DÕI CÁC CHỈ SỐ CHUYỂN ĐỔI SỐ CẤP TỈNH ({{ criteria.appendix|upper }} CỦA KẾ HOẠCH)",
                      style="Heading 1")
    section = iter(range(1, 10))
    if baseline:
        doc.add_paragraph(f"{next(section)}. Chỉ số DTI của tỉnh năm {{{{ baseline.year }}}} và kỳ báo cáo", style="Heading 2")
        para(doc, "{{ baseline.sentence }}", style=body)
        para(doc, f"Bảng {next(table_no)}. Chỉ số DTI của tỉnh năm {{{{ baseline.year }}}} và {{{{ period_text }}}}",
             style="Caption", keep_next=True)
        table = data_table(doc, [("Chỉ số", LEFT), ("Năm {{ baseline.year }}", CENTER), ("", CENTER),
                                 ("Kỳ báo cáo ({{ period_text }})", CENTER), ("", CENTER)],
                           [["", "Giá trị", "Xếp hạng", "Giá trị", "Xếp hạng"],
                            ["{%tr for row in baseline.rows %}", "", "", "", ""],
                            ["{{ row.name }}", "{{ row.base_value }}", "{{ row.base_rank }}", "{{ row.value }}",
                             "{{ row.rank }}"],
                            ["{%tr endfor %}", "", "", "", ""]], [57, 27, 27, 27, 27], size=11)
        # Two header rows: "Chỉ số" spans both; each year spans its value and rank.
        second = table.rows[1]
        for cell in second.cells:
            for run in cell.paragraphs[0].runs:
                run.bold = True
            shade(cell)
        repeat_header(second)
        top = table.rows[0]
        top.cells[1].merge(top.cells[2])
        top.cells[3].merge(top.cells[4])
        top.cells[0].merge(second.cells[0])
        para(doc, [("Nguồn: ", {"italic": True, "bold": True}),
                   ("năm {{ baseline.year }} theo {{ plan_document }} (số liệu của Bộ Thông tin và Truyền thông); kỳ báo "
                    "cáo theo số liệu do {{ baseline.reporter }} báo cáo; “Chưa có số liệu”: đơn vị chưa báo cáo.",
                    {"italic": True})], size=12, before=3, after=6, first_line=0, align=JUSTIFY)
    doc.add_paragraph(f"{next(section)}. Tình hình báo cáo số liệu các chỉ số được phân công", style="Heading 2")
    tag(doc, "{%p if criteria.sent %}")
    para(doc, "Theo {{ criteria.appendix }} ({{ criteria.title }}), {{ criteria.agency_count }} cơ quan, đơn vị "
              "chủ trì theo dõi {{ criteria.total }} tiêu chí. Kỳ này {{ criteria.done }} tiêu chí đã có báo cáo của "
              "đơn vị chủ trì; {{ criteria.open }} tiêu chí chưa có báo cáo (hoặc chưa đủ báo cáo của các đơn vị cùng "
              "chủ trì).", style=body)
    tag(doc, "{%p else %}")
    para(doc, "Theo {{ criteria.appendix }} ({{ criteria.title }}), {{ criteria.agency_count }} cơ quan, đơn vị "
              "chủ trì theo dõi {{ criteria.total }} tiêu chí. Kỳ này chưa có cơ quan, đơn vị nào gửi báo cáo số liệu "
              "theo {{ criteria.appendix }}.", style=body)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if criteria.missing_count %}")
    para(doc, "Cơ quan, đơn vị chưa gửi báo cáo số liệu kỳ này ({{ criteria.missing_count }}): {{ criteria.missing }}.",
         style=body)
    tag(doc, "{%p endif %}")
    para(doc, f"Bảng {next(table_no)}. Số tiêu chí đã có báo cáo theo {{{{ criteria.summary_label|lower }}}}",
         style="Caption", keep_next=True)
    table = data_table(doc, [("{{ criteria.summary_label }}", LEFT), ("Số tiêu chí", CENTER), ("Đã có báo cáo", CENTER),
                             ("Chưa báo cáo", CENTER)],
                       [["{%tr for row in criteria.summary %}", "", "", ""],
                        ["{%tr if row.band %}", "", "", ""],
                        [[("{{ row.label }}", {"bold": True})], [("{{ row.total }}", {"bold": True})],
                         [("{{ row.done }}", {"bold": True})], [("{{ row.open }}", {"bold": True})]],
                        ["{%tr else %}", "", "", ""],
                        ["{{ row.label }}", "{{ row.total }}", "{{ row.done }}", "{{ row.open }}"],
                        ["{%tr endif %}", "", "", ""],
                        ["{%tr endfor %}", "", "", ""],
                        [[("Tổng cộng", {"bold": True})], [("{{ criteria.summary_total.total }}", {"bold": True})],
                         [("{{ criteria.summary_total.done }}", {"bold": True})],
                         [("{{ criteria.summary_total.open }}", {"bold": True})]]],
                       [95, 22, 24, 24], size=11)
    keep_header(table)
    for r in (3, 8):
        for cell in table.rows[r].cells:
            shade(cell, "F2F2F2")
    para(doc, "Chi tiết từng tiêu chí (đơn vị chủ trì, kết quả báo cáo kỳ này) tại Phụ lục I kèm theo Báo cáo này.",
         style=body, before=6)
    tag(doc, "{%p if criteria.general_info %}")
    para(doc, "Phần A “Thông tin chung” của {{ criteria.appendix }} ({{ criteria.general_info|length }} mục, không tính "
              "điểm) không có trong biểu mẫu báo cáo định kỳ của các cơ quan, đơn vị nên không được theo dõi trong Báo "
              "cáo này; danh sách các mục và cơ quan phụ trách tại mục A Phụ lục I.", style=body)
    tag(doc, "{%p endif %}")

    # III. Proposals
    doc.add_paragraph("III. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ CỦA CÁC CƠ QUAN, ĐƠN VỊ", style="Heading 1")
    tag(doc, "{%p if proposals %}")
    tag(doc, "{%p for group in proposals %}")
    para(doc, [("{{ loop.index }}. {{ group.agency }}", {"bold": True})], style=body, keep_next=True, after=2)
    tag(doc, "{%p set last_group = loop.last %}")
    tag(doc, "{%p for item in group.entries %}")
    # The last entry stays with the closing line and the signature: they never open a page alone.
    tag(doc, "{%p if last_group and loop.last %}")
    para(doc, [("- {{ item.ref }}: ", {"italic": True}), ("{{ item.text }}", {})], style=body, after=2, keep_next=True)
    tag(doc, "{%p else %}")
    para(doc, [("- {{ item.ref }}: ", {"italic": True}), ("{{ item.text }}", {})], style=body, after=2)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "Trong kỳ, các cơ quan, đơn vị không nêu khó khăn, vướng mắc hay đề xuất, kiến nghị.", style=body,
         keep_next=True)
    tag(doc, "{%p endif %}")
    closing_line(doc, "Trên đây là báo cáo kết quả thực hiện {{ plan_document }} {{ period_text }} của "
                      "{{ agency_name }}./.")
    signature = signature_block(doc)
    signature.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # the signer's lines stay together

    # Phụ lục I: every criterion of the plan's Phụ lục 2, in its order and with its columns
    landscape_section(doc)
    para(doc, "Phụ lục I", bold=True, size=14, align=CENTER, after=0, first_line=0)
    para(doc, "TÌNH HÌNH BÁO CÁO CÁC TIÊU CHÍ THEO {{ criteria.appendix|upper }} CỦA {{ plan_document_upper }}",
         bold=True, size=14, align=CENTER, after=0, first_line=0)
    para(doc, "{{ attachment_line }}", italic=True, size=13, align=CENTER, after=0, first_line=0)
    rule(doc, 40, LANDSCAPE_WIDTH_MM, before=2, after=8)
    if baseline:
        tag(doc, "{%p if criteria.general_info %}")
        para(doc, "A. THÔNG TIN CHUNG", bold=True, size=13, first_line=0, keep_next=True, after=3)
        para(doc, "Các mục thông tin chung không tính điểm, không có trong biểu mẫu báo cáo định kỳ nên không có kết "
                  "quả báo cáo kỳ này.", italic=True, size=12, first_line=0, keep_next=True, after=3)
        table = data_table(doc, [("Mã", CENTER), ("Nội dung", LEFT), ("Cơ quan phụ trách", LEFT)],
                           [["{%tr for item in criteria.general_info %}", "", ""],
                            ["{{ item.id }}", "{{ item.name }}", "{{ item.lead }}"],
                            ["{%tr endfor %}", "", ""]], [16, 150, 86], size=10)
        keep_header(table)
        para(doc, "B. CHỈ SỐ ĐÁNH GIÁ", bold=True, size=13, first_line=0, keep_next=True, before=9, after=3)
        tag(doc, "{%p endif %}")
        headers = [("Mã", CENTER), ("Chỉ số thành phần", LEFT), ("Điểm tối đa", CENTER), ("Cơ quan phụ trách", LEFT),
                   ("Cơ quan phối hợp", LEFT), ("Kết quả báo cáo kỳ này", LEFT)]
        cells = ["{{ c.id }}", "{{ c.name }}", "{{ c.points }}", "{{ c.lead }}", "{{ c.coordinating }}", "{{ c.result }}"]
        widths = [15, 92, 15, 45, 42, 43]
    else:
        headers = [("Mã", CENTER), ("Chỉ số chính, chỉ số thành phần, tiêu chí", LEFT), ("Tần suất", CENTER),
                   ("Đơn vị chủ trì đánh giá", LEFT), ("Ghi chú", LEFT), ("Kết quả báo cáo kỳ này", LEFT)]
        cells = ["{{ c.id }}", "{{ c.name }}", "{{ c.frequency }}", "{{ c.lead_with_coordinating }}", "{{ c.note }}",
                 "{{ c.result }}"]
        widths = [17, 98, 16, 50, 27, 44]
    empty = [""] * (len(headers) - 1)
    tag(doc, "{%p for pillar in criteria.pillars %}")
    tag(doc, "{%p if pillar.caption %}")
    para(doc, "{{ pillar.caption }}", style="Caption", keep_next=True)
    tag(doc, "{%p endif %}")
    table = data_table(doc, headers, [
        ["{%tr for block in pillar.blocks %}", *empty],
        [[("{{ block.title }}", {"bold": True})], *empty],
        ["{%tr for group in block.groups %}", *empty],
        ["{%tr if group.title %}", *empty],
        [[("{{ group.title }}", {"bold": True, "italic": True})], *empty],
        ["{%tr endif %}", *empty],
        ["{%tr for c in group.rows %}", *empty],
        cells,
        ["{%tr endfor %}", *empty],
        ["{%tr endfor %}", *empty],
        ["{%tr endfor %}", *empty],
    ], widths, size=10)
    keep_header(table)
    band(table, 2, "E7EEF7")
    band(table, 5)
    para(doc, "", after=0, size=6)
    tag(doc, "{%p endfor %}")
    return save(doc, name)


def main() -> None:
    for path in (build_report(), build_scorecard(), build_plan_report("bao-cao-kh68.docx", baseline=False),
                 build_plan_report("bao-cao-kh4233.docx", baseline=True)):
        print(f"Đã ghi {path}")


if __name__ == "__main__":
    main()
