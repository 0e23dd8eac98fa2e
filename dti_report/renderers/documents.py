"""Word documents from the templates under templates/ (docxtpl/Jinja tags).

The renderer only reads the templates: scripts/build_report_templates.py made
them once and the clerk may edit them in Word. Beyond docxtpl's own work:

- a table whose columns come from a {%tc %} loop is marked before rendering
  and gets widths from its content after it (LibreOffice and Word both lay out
  by the table grid, which a column loop leaves wrong); other tables keep the
  widths the clerk gave them;
- the file is saved byte-for-byte reproducibly (fixed zip dates and document
  properties), so the same results, settings and date give the same bytes;
- values are text, never markup or template syntax: every value loses its
  control characters before it enters the XML (docxtpl would turn \a and \f
  into paragraph and page breaks, and XML cannot hold the rest), docxtpl's
  literal-brace escapes ({_{ ... }_}) are resolved in the template before
  rendering, never in what a unit wrote, and the rendered XML is parsed
  strictly: a part that is not well formed is an error, not silently mended.

Two ways through the same template syntax: the reports (a few, with charts)
go through docxtpl in full; the scorecards (one per unit, a thousand in a
large run, no images) through CompiledTemplate, which patches and compiles a
template once per process and renders straight into the zip.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from docx.oxml.ns import qn
from docx.oxml.parser import element_class_lookup
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import Environment, TemplateError
from lxml import etree

from dti_report.core.files import atomic_path
from dti_report.core import zipped
from dti_report.core.text import strip_control
from dti_report.renderers.common import TEMPLATE_DIR, ReportError

REPORT_TEMPLATE = "bao-cao-ket-qua-dti.docx"
SCORECARD_TEMPLATE = "phieu-ket-qua-dti.docx"
# Zip entries get this date: the same context gives the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _as_text(value):
    """What Jinja writes for a value: a plain string without control characters
    (every character strip_control removes is one isprintable refuses)."""
    if type(value) is str and not value.isprintable():
        return strip_control(value)
    return value


# A plain dict has no attributes but dict's own: for any other name Jinja's getattr
# would fail first and then look the key up; the contexts are dicts, a scorecard
# reads some five hundred of them.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(Environment):
    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except (KeyError, TypeError):
                pass
        return super().getattr(obj, attribute)


# One environment for every render, so compiled templates can be reused.
# Autoescape: criterion texts hold "<", "&" and must stay text in the XML.
ENV = _Environment(autoescape=True, finalize=_as_text)
# Set on a table before rendering when a {%tc %} loop makes its columns; removed before saving.
FIT_MARK = "dti-fit"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
PARSER = etree.XMLParser(huge_tree=True)  # strict: nothing a value holds is dropped to mend the XML
# The same, giving python-docx's element classes: a report's rendered body becomes the document's.
DOCX_PARSER = etree.XMLParser(huge_tree=True)
DOCX_PARSER.set_element_class_lookup(element_class_lookup)
# docxtpl's escapes for braces meant literally in a template, made Jinja string literals
# before compiling, so a unit's own "{_{" in a value stays as written.
LITERAL_BRACES = {"{_{": "{{ '{{' }}", "}_}": "{{ '}}' }}", "{_%": "{{ '{%' }}", "%_}": "{{ '%}' }}"}
_LITERAL = re.compile("|".join(re.escape(k) for k in LITERAL_BRACES))
SPECIAL_CHAR = re.compile(r"[\n\t\a\f]")
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# A w:t as a template holds it, and as the renderer writes it: typed spaces kept.
W_T = re.compile(r'<w:t(?: xml:space="[a-z]*")?>')
W_T_PRESERVED = '<w:t xml:space="preserve">'
DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"  # as lxml writes it
# The scorecards' zip: the parts every copy shares deflated hard once; the rest fast, per document.
STATIC_LEVEL, PART_LEVEL = 9, 1
TITLE_SLOT = "DTI-REPORT-TITLE-SLOT"  # core properties made once per author and day; the title put in per document
CORE_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}


def find_template(configured: Path | None, name: str) -> Path:
    path = Path(configured) if configured else TEMPLATE_DIR / name
    if not path.is_file():
        raise ReportError(f"không tìm thấy mẫu báo cáo {path}; hãy khôi phục tệp mẫu hoặc chỉ định mẫu khác "
                          f"trong tệp cài đặt (mục templates)")
    return path


def _template_error(template: Path, exc: TemplateError) -> ReportError:
    where = f" (dòng {exc.lineno})" if getattr(exc, "lineno", None) else ""
    return ReportError(f"mẫu {template.name} có thẻ Jinja không hợp lệ{where}: {exc}")


# ---------------------------------------------------------------- table widths

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


def _cell_text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(qn("w:t")))


def _font_half_points(tbl) -> int:
    for sz in tbl.iter(qn("w:sz")):
        if sz.getparent().tag == qn("w:rPr"):
            return int(sz.get(qn("w:val")))
    return 22


def fit_table(tbl, available: int) -> None:
    """Column widths from content. Each column gets at least its longest word;
    what is left of the text width goes to the columns whose text would wrap, in
    proportion to how much they would need (capped, so one long text does not
    starve the others)."""
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
            longest_word[c] = max(longest_word[c], max((text_em(w) * bold for w in text.split()), default=0))
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
        grid.append(grid.makeelement(qn("w:gridCol"), {qn("w:w"): str(w)}))
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


def _text_width(root) -> int:
    """The last section's text width in twips (A4 less the margins)."""
    sect = None
    for sect in root.iter(qn("w:sectPr")):
        pass
    if sect is None:
        return 9354  # 165 mm
    size, margins = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
    return int(size.get(qn("w:w"))) - int(margins.get(qn("w:left"))) - int(margins.get(qn("w:right")))


# ---------------------------------------------------------------- steps shared by both ways

def mark_column_loops(root) -> None:
    for tbl in root.iter(qn("w:tbl")):
        if any("{%tc" in (t.text or "") for t in tbl.iter(qn("w:t"))):
            tbl.set(FIT_MARK, "1")


def finish_tree(root) -> None:
    """After Jinja: fit the marked tables; keep typed spaces ("Số:      /BC-STTTT")."""
    available = _text_width(root)
    for tbl in root.iter(qn("w:tbl")):
        if tbl.get(FIT_MARK) is not None:
            del tbl.attrib[FIT_MARK]
            fit_table(tbl, available)
    for t in root.iter(qn("w:t")):
        t.set(XML_SPACE, "preserve")


def compile_part(xml: str):
    """docxtpl's preparation of a part (DocxTemplate.patch_xml, render_xml_part), compiled once."""
    return compile_patched(DocxTemplate.patch_xml(None, xml))


def compile_patched(patched: str):
    source = _LITERAL.sub(lambda m: LITERAL_BRACES[m.group(0)], patched)
    return ENV.from_string(re.sub(r"<w:p([ >])", r"\n<w:p\1", source))


def _malformed(template: Path, line: int | None) -> ReportError:
    return ReportError(f"mẫu {Path(template).name} tạo ra văn bản Word không hợp lệ (dòng {line}); "
                       "hãy kiểm tra các thẻ {{ }} và {% %} của mẫu")


def parse_rendered(xml: str | bytes, template: Path, parser=PARSER):
    """A rendered part as a tree, strictly: malformed XML is the template's fault, said so."""
    try:
        return etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise _malformed(template, exc.lineno) from exc


class _NoTree:
    """A parser target that keeps nothing: libxml2 still checks the XML, without the
    cost of building a tree."""

    def close(self):
        return None


def check_rendered(data: bytes, template: Path) -> None:
    """What parse_rendered refuses, refused the same way, without a tree. A broken
    element structure stops the parse; a namespace error (a prefix not declared) does
    not stop a parse into a target, so it is read from the parser's log."""
    parser = etree.XMLParser(target=_NoTree(), huge_tree=True)
    try:
        etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise _malformed(template, exc.lineno) from exc
    for error in parser.error_log:
        if error.level >= etree.ErrorLevels.ERROR:
            raise _malformed(template, error.line)


def render_part(template, context: dict) -> str:
    xml = template.render(context).replace("\n<w:p", "<w:p")  # undo compile_part's line starts
    if not ("\n" in xml or "\t" in xml or "\a" in xml or "\f" in xml):  # the usual case: a search in C
        return xml
    # Line breaks, tabs, page breaks inside values (docxtpl's resolve_listing), applied only to the
    # paragraphs that hold one: over a whole document it costs more than the rest of the render.
    pieces, done = [], 0
    for m in SPECIAL_CHAR.finditer(xml):
        if m.start() < done:  # in a paragraph already resolved
            continue
        start = max(xml.rfind("<w:p ", done, m.start()), xml.rfind("<w:p>", done, m.start()))
        end = xml.find("</w:p>", m.start())
        if start < 0 or end < 0:
            continue
        end += len("</w:p>")
        pieces += [xml[done:start], DocxTemplate.resolve_listing(None, xml[start:end])]
        done = end
    return "".join(pieces) + xml[done:] if pieces else xml


def core_properties(xml: bytes, *, title: str, author: str, day: dt.date) -> bytes:
    root = etree.fromstring(xml)
    stamp = dt.datetime.combine(day, dt.time()).strftime("%Y-%m-%dT%H:%M:%SZ")
    values = {"dc:title": title, "dc:creator": author, "cp:lastModifiedBy": author, "cp:revision": "1",
              "dcterms:created": stamp, "dcterms:modified": stamp}
    for name, value in values.items():
        prefix, local = name.split(":")
        el = root.find(f"{{{CORE_NS[prefix]}}}{local}")
        if el is None:
            el = etree.SubElement(root, f"{{{CORE_NS[prefix]}}}{local}")
            if prefix == "dcterms":
                el.set(f"{{{CORE_NS['xsi']}}}type", "dcterms:W3CDTF")
        el.text = value
    for el in root.findall(f"{{{CORE_NS['cp']}}}lastPrinted"):
        root.remove(el)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def write_zip(target: Path, entries: list[tuple[str, bytes]]) -> Path:
    with atomic_path(target) as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for name, data in entries:
                info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zout.writestr(info, data)
    return target


# ---------------------------------------------------------------- the reports: docxtpl in full (images)

class _Template(DocxTemplate):
    def get_xml(self):
        mark_column_loops(self.docx._element.body)
        return super().get_xml()

    def render_xml_part(self, src_xml, part, context, jinja_env=None):
        # docxtpl's own turns "{_{" into "{{" after rendering, in values too; this one
        # resolves the template's escapes before it renders (compile_patched).
        self.current_rendering_part = part
        return render_part(compile_patched(src_xml), context)

    def fix_tables(self, xml):
        tree = parse_rendered(xml, Path(self.template_file), DOCX_PARSER)
        finish_tree(tree)
        return tree

    def fix_docpr_ids(self, tree):
        # docxtpl's, without xpath(namespaces=…), which python-docx's elements do not take.
        for elt in tree.iter(qn("wp:docPr")):
            self.docx_ids_index += 1
            elt.attrib["id"] = str(self.docx_ids_index)

    def map_tree(self, tree):
        """docxtpl puts the rendered body in place of the template's (root.replace), which moves
        it into the template's tree: lxml takes time growing with the square of the body's size
        for that (4 s for the ranking of 10 000 units). The document is built around the rendered
        body instead, in the body's own tree (parsed with python-docx's element classes, which
        docxtpl's footnotes and python-docx's sections read): the same XML, in time growing with
        its size."""
        root = self.docx._element
        document = tree.makeelement(root.tag, dict(root.attrib), nsmap=root.nsmap)
        document.text = root.text
        for child in list(root):
            document.append(tree if child is root.body else child)
        self.docx._element = self.docx._part._element = document


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
        raise _template_error(template, exc) from exc
    buffer = io.BytesIO()
    tpl.save(buffer)
    with zipfile.ZipFile(buffer) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    entries = [(name, core_properties(data, title=title, author=author, day=day) if name == "docProps/core.xml" else data)
               for name, data in entries]
    return write_zip(target, entries)


# ---------------------------------------------------------------- the scorecards: compiled once

class CompiledTemplate:
    """A template without images, prepared once for many documents.

    The parts with tags are patched and compiled; the rest is deflated once and
    copied into each document as it is (renderers.zipped). What finish_tree does
    after each render is done here on the template instead, when it can be: typed
    spaces are kept by giving every w:t of the template xml:space="preserve" before
    compiling (the w:t a value's line break or tab makes have it already), so a
    rendered part goes into the zip as Jinja wrote it, after a check that it is
    well formed (a parse without building a tree: as strict, a fraction of the
    cost). A part with a table marked for fitting still goes through the tree."""

    def __init__(self, path: Path):
        self.path = Path(path)
        with zipfile.ZipFile(self.path) as z:
            self.entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
        self.compiled: dict[str, object] = {}
        self.in_tree: set[str] = set()  # parts that need finish_tree after each render
        try:
            for name, data in self.entries:
                if name == "word/document.xml" or re.match(r"word/(header|footer)\d*\.xml$", name):
                    root = etree.fromstring(data, parser=PARSER)
                    mark_column_loops(root)
                    xml = etree.tostring(root, encoding="unicode")
                    if "{{" in xml or "{%" in xml or name == "word/document.xml":
                        patched = DocxTemplate.patch_xml(None, xml)
                        if root.find(f".//{{*}}tbl[@{FIT_MARK}]") is not None or root.nsmap.get("w") != W_NS:
                            self.in_tree.add(name)
                        else:
                            patched = W_T.sub(W_T_PRESERVED, patched)
                        self.compiled[name] = compile_patched(patched)
        except TemplateError as exc:
            raise _template_error(self.path, exc) from exc
        # Deflated once: every part that is the same in each document.
        self.static = {name: zipped.Entry.deflated(name, data, STATIC_LEVEL) for name, data in self.entries
                       if name not in self.compiled and name != "docProps/core.xml"}
        self._core: dict[tuple[str, dt.date], bytes] = {}

    def _core_properties(self, title: str, author: str, day: dt.date) -> bytes:
        key = (author, day)
        if key not in self._core:
            data = dict(self.entries).get("docProps/core.xml")
            self._core[key] = core_properties(data, title=TITLE_SLOT, author=author, day=day)
        title = strip_control(title).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return self._core[key].replace(TITLE_SLOT.encode(), title.encode("utf-8"))

    def render_part(self, name: str, context: dict) -> bytes:
        """One part rendered and checked: its bytes in the document."""
        try:
            xml = render_part(self.compiled[name], context)
        except TemplateError as exc:
            raise _template_error(self.path, exc) from exc
        if name in self.in_tree:
            root = parse_rendered(xml, self.path)
            finish_tree(root)
            return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        if "<w:t>" in xml:  # from a value that is markup (docxtpl's RichText, Listing)
            xml = xml.replace("<w:t>", W_T_PRESERVED)
        data = (DECLARATION + xml).encode("utf-8")
        check_rendered(data, self.path)
        return data

    def render(self, context: dict, target: Path, *, day: dt.date, title: str, author: str) -> Path:
        out = []
        for name, _data in self.entries:
            if name in self.compiled:
                out.append(zipped.Entry.deflated(name, self.render_part(name, context), PART_LEVEL))
            elif name == "docProps/core.xml":
                out.append(zipped.Entry.deflated(name, self._core_properties(title, author, day), PART_LEVEL))
            else:
                out.append(self.static[name])
        return zipped.write_entries(target, out)


_COMPILED: dict[tuple[str, float], CompiledTemplate] = {}


def compiled_template(path: Path) -> CompiledTemplate:
    """Per process, per template file (and its modification time)."""
    key = (str(Path(path).resolve()), Path(path).stat().st_mtime)
    if key not in _COMPILED:
        _COMPILED[key] = CompiledTemplate(path)
    return _COMPILED[key]
