"""Word documents from the templates under templates/ (docxtpl/Jinja tags).

The renderer only reads the templates: scripts/build_report_templates.py made
them once and the clerk may edit them in Word. After Jinja, two fix-ups that
templates cannot express: data tables whose columns come from loops get widths
from their content, and the file is saved byte-for-byte reproducibly.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import Environment, TemplateError
from lxml import etree

from ..outputs import atomic_path

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"
REPORT_TEMPLATE = "bao-cao-ket-qua-dti.docx"
SCORECARD_TEMPLATE = "phieu-ket-qua-dti.docx"
# Zip entries get this date: the same context gives the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
TWIPS_PER_MM = 56.7


class ReportError(Exception):
    """A report that cannot be produced; the message is for the user, in Vietnamese."""


def find_template(configured: Path | None, name: str) -> Path:
    path = Path(configured) if configured else TEMPLATE_DIR / name
    if not path.is_file():
        raise ReportError(f"không tìm thấy mẫu báo cáo {path}; hãy khôi phục tệp mẫu hoặc chỉ định mẫu khác "
                          f"trong tệp cài đặt (mục templates)")
    return path


# One environment for every render, so compiled templates can be reused.
# Autoescape: criterion texts hold "<", "&" and must stay text in the XML.
ENV = Environment(autoescape=True)
# Set on a table before rendering when a {%tc %} loop makes its columns.
FIT_MARK = "dti-fit"  # removed again before saving
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _text_width_twips(doc) -> int:
    section = doc.sections[-1]
    return int((section.page_width - section.left_margin - section.right_margin) / 635)  # EMU -> twips


def _cell_text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(qn("w:t")))


def _font_half_points(tbl) -> int:
    for sz in tbl.iter(qn("w:sz")):
        if sz.getparent().tag == qn("w:rPr"):
            return int(sz.get(qn("w:val")))
    return 22


def text_em(text: str) -> float:
    """Rough width of a text in ems of Times New Roman: digits are half an em,
    capitals wider than lower case; diacritics do not change the width."""
    width = 0.0
    for ch in text:
        if ch.isdigit():
            width += 0.5
        elif ch in " ,.;:()/-–'\"":
            width += 0.28
        elif ch.isupper():
            width += 0.72
        else:
            width += 0.47
    return width


def fit_table(tbl, available: int) -> None:
    """Column widths from content: a loop may have added or removed columns, and
    LibreOffice and Word both lay out by the grid. Each column gets at least its
    longest word; what is left of the text width goes to the columns whose text
    would wrap, in proportion to how much they would need (capped, so one long
    reason does not starve the others)."""
    grid = tbl.find(qn("w:tblGrid"))
    rows = tbl.findall(qn("w:tr"))
    if grid is None or not rows:
        return
    count = max(len(r.findall(qn("w:tc"))) for r in rows)
    longest_word, longest_text = [0.0] * count, [0.0] * count
    for r, tr in enumerate(rows):
        cells = tr.findall(qn("w:tc"))
        if len(cells) != count:  # merged cells: leave them out of the measure
            continue
        bold = 1.1 if r == 0 else 1.0  # header row
        for c, tc in enumerate(cells):
            text = _cell_text(tc)
            words = text.split()
            longest_word[c] = max(longest_word[c], max((text_em(w) * bold for w in words), default=0))
            if r > 0 or len(rows) == 1:  # headers wrap at spaces: their words count, their length not
                longest_text[c] = max(longest_text[c], min(text_em(text), 24))
    em = _font_half_points(tbl) * 10  # twips
    pad = 2 * 60 + 40  # cell margins and a little air
    minimum = [w * em + pad for w in longest_word]
    wanted = [max(t * em + pad, m) for t, m in zip(longest_text, minimum)]
    if sum(wanted) <= available:
        widths = [w * available / sum(wanted) for w in wanted]
    elif sum(minimum) >= available:
        widths = [m * available / sum(minimum) for m in minimum]
    else:
        spare = available - sum(minimum)
        extra = [w - m for w, m in zip(wanted, minimum)]
        widths = [m + spare * e / sum(extra) for m, e in zip(minimum, extra)]
    widths = [int(w) for w in widths]
    for col in list(grid):
        grid.remove(col)
    for w in widths:
        col = grid.makeelement(qn("w:gridCol"), {qn("w:w"): str(w)})
        grid.append(col)
    tbl_pr = tbl.find(qn("w:tblPr"))
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = tbl_pr.makeelement(qn("w:tblW"), {})
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:w"), str(sum(widths)))
    tbl_w.set(qn("w:type"), "dxa")
    for tr in rows:
        cells = tr.findall(qn("w:tc"))
        if len(cells) != count:
            continue
        for tc, w in zip(cells, widths):
            tc_pr = tc.find(qn("w:tcPr"))
            if tc_pr is None:
                tc_pr = tc.makeelement(qn("w:tcPr"), {})
                tc.insert(0, tc_pr)
            tc_w = tc_pr.find(qn("w:tcW"))
            if tc_w is None:
                tc_w = tc_pr.makeelement(qn("w:tcW"), {})
                tc_pr.insert(0, tc_w)
            tc_w.set(qn("w:w"), str(w))
            tc_w.set(qn("w:type"), "dxa")


def preserve_spaces(root) -> None:
    """Spaces typed into values ("Số:      /BC-STTTT") survive only with xml:space."""
    for t in root.iter(qn("w:t")):
        t.set(XML_SPACE, "preserve")


class _Template(DocxTemplate):
    """docxtpl, with two additions.

    Tables whose columns come from a {%tc %} loop are marked before rendering
    and get widths from their content after it (fit_table); other tables keep
    the widths the clerk gave them in the template.

    The patched XML and the compiled Jinja are kept per process: a thousand
    scorecards from one template parse and compile it once.
    """

    _patched: dict[str, str] = {}
    _compiled: dict[str, object] = {}

    def get_xml(self):
        body = self.docx._element.body
        for tbl in body.iter(qn("w:tbl")):
            if any("{%tc" in (t.text or "") for t in tbl.iter(qn("w:t"))):
                tbl.set(FIT_MARK, "1")
        return super().get_xml()

    def patch_xml(self, src_xml):
        patched = self._patched.get(src_xml)
        if patched is None:
            patched = self._patched[src_xml] = super().patch_xml(src_xml)
        return patched

    def render_xml_part(self, src_xml, part, context, jinja_env=None):
        # docxtpl's own steps (template.py, render_xml_part), with the compiled template cached
        template = self._compiled.get(src_xml)
        if template is None:
            template = ENV.from_string(re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml))
            self._compiled[src_xml] = template
        self.current_rendering_part = part
        dst_xml = template.render(context)
        dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", dst_xml)
        dst_xml = dst_xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        return self.resolve_listing(dst_xml)

    def fix_tables(self, xml):
        tree = etree.fromstring(xml, parser=etree.XMLParser(recover=True, huge_tree=True))
        available = _text_width_twips(self.docx)
        for tbl in tree.iter(qn("w:tbl")):
            if tbl.get(FIT_MARK) is not None:
                del tbl.attrib[FIT_MARK]
                fit_table(tbl, available)
        preserve_spaces(tree)
        return tree


def reproducible_zip(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, zin.read(item.filename))
    return out.getvalue()


def render_docx(template: Path, context: dict, target: Path, *, day: dt.date, title: str, author: str,
                images: dict[str, tuple[bytes, float]] | None = None) -> Path:
    """Render one document and write it atomically. images: name -> (PNG, width in mm)."""
    tpl = _Template(str(template))
    values = dict(context)
    for name, (png, width_mm) in (images or {}).items():
        values[name] = InlineImage(tpl, io.BytesIO(png), width=Mm(width_mm))
    try:
        tpl.render(values, jinja_env=ENV)
    except TemplateError as exc:
        where = f" (dòng {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise ReportError(f"mẫu {template.name} có thẻ Jinja không hợp lệ{where}: {exc}") from exc
    props = tpl.docx.core_properties
    stamp = dt.datetime.combine(day, dt.time())
    props.title, props.author, props.last_modified_by = title, author, author
    props.created, props.modified, props.last_printed, props.revision = stamp, stamp, stamp, 1
    buffer = io.BytesIO()
    tpl.save(buffer)
    with atomic_path(target) as tmp:
        tmp.write_bytes(reproducible_zip(buffer.getvalue()))
    return target
