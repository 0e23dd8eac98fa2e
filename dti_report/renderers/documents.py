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
  strictly: a part that is not well formed is an error, not silently mended
  (a scorecard's part whose template is shown to stay well formed whatever
  text its values hold needs only its values checked: values_only_scope).

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
from jinja2 import Environment, TemplateError, nodes
from markupsafe import escape
from lxml import etree

from dti_report.core.files import atomic_path
from dti_report.core import zipped
from dti_report.core.text import strip_control
from dti_report.renderers.common import TEMPLATE_DIR, ReportError

REPORT_TEMPLATE = "bao-cao-ket-qua-dti.docx"
SCORECARD_TEMPLATE = "phieu-ket-qua-dti.docx"
# Zip entries get this date: the same context gives the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


# Values Jinja writes as text XML always accepts once escaped: numbers, and strings once
# _as_text has taken their control characters out.
PLAIN_TYPES = frozenset({int, float, bool, type(None)})
# How many values of any other kind (markup such as a RichText, a list, a numpy number…)
# Jinja has written in this process: a scorecard part whose render moved it is checked in
# full (CompiledTemplate.render_part). A count shared by threads errs on the safe side: a
# value another thread writes meanwhile only adds a check.
unchecked_values = 0


def _as_text(value):
    """What Jinja writes for a value: a plain string without control characters
    (every character strip_control removes is one isprintable refuses); any value
    but a string or a number is counted in unchecked_values."""
    if type(value) is str:
        return value if value.isprintable() else strip_control(value)
    if type(value) not in PLAIN_TYPES:
        global unchecked_values
        unchecked_values += 1
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
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# A w:t as a template holds it, and as the renderer writes it: typed spaces kept.
W_T = re.compile(r'<w:t(?: xml:space="[a-z]*")?>')
W_T_PRESERVED = '<w:t xml:space="preserve">'
DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"  # as lxml writes it
DECLARATION_BYTES = DECLARATION.encode("utf-8")
# The scorecards' zip: the parts every copy shares deflated hard once; the rest fast, per document.
STATIC_LEVEL, PART_LEVEL = 9, 1
FRAGMENTS_KEPT = 256  # paragraphs remembered as checked (CompiledTemplate._balanced)
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


def parse_patched(patched: str) -> nodes.Template:
    """A patched part as Jinja's syntax tree. Each paragraph starts a line for Jinja's error
    messages (a part is one line otherwise); the line break is in a comment, which Jinja
    counts and does not write."""
    source = _LITERAL.sub(lambda m: LITERAL_BRACES[m.group(0)], patched)
    return ENV.parse(re.sub(r"<w:p([ >])", "{#\n#}<w:p\\1", source))


def compile_patched(patched: str):
    return ENV.from_string(parse_patched(patched))


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


# What stands for a value when a template is shown safe: a character reference is well formed
# only where text may stand (an element's content, an attribute's value), and a character the
# template itself never holds shows where it went.
VALUE_SLOT, VALUE_CHAR = "&#xE000;", "\ue000"
# What stands for a block's output ({% if %}, {% for %}): an element, well formed only between elements.
BLOCK_SLOT = "<dti-block/>"
# A template's text holding these is not shown safe: a comment, CDATA, a declaration or a
# processing instruction reads values by other rules.
_OTHER_MARKUP = re.compile("<!|<\\?|" + VALUE_CHAR)
XML_ATTRIBUTE = "{http://www.w3.org/XML/1998/namespace}"


def _strict_tree(xml: str):
    """The tree of a text check_rendered accepts, or None."""
    parser = etree.XMLParser(huge_tree=True)
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser=parser)
    except (etree.XMLSyntaxError, ValueError):  # ValueError: a character UTF-8 cannot hold
        return None
    return None if any(e.level >= etree.ErrorLevels.ERROR for e in parser.error_log) else root


def _slotted(body: list, blocks: list) -> str | None:
    """The text of a template's statements, values and blocks in slots; the blocks' bodies
    added to `blocks`. None when a statement writes in some other way (a macro, a {% set %}
    block, {% autoescape %}, {% filter %}, {% include %}…) or a value may be markup."""
    eval_ctx = nodes.EvalContext(ENV)
    out = []
    for node in body:
        kind = type(node)
        if kind is nodes.Output:
            for child in node.nodes:
                if type(child) is nodes.TemplateData:
                    data = child.data
                    # "]]>" may not stand in text: nor may it be made where text meets a value or a block.
                    if _OTHER_MARKUP.search(data) or data.startswith(("]", ">")) or data.endswith("]"):
                        return None
                    out.append(data)
                    continue
                try:  # Jinja writes a constant when compiling, without _as_text seeing it at run time
                    const = child.as_const(eval_ctx)
                except Exception:  # as Jinja's compiler: a value computed at run time
                    out.append(VALUE_SLOT)
                    continue
                if not (type(const) in PLAIN_TYPES or type(const) is str and const.isprintable()):
                    return None
                out.append(VALUE_SLOT)
        elif kind is nodes.If:
            blocks += [node.body, node.else_] + [branch.body for branch in node.elif_]
            out.append(BLOCK_SLOT)
        elif kind is nodes.For:
            blocks += [node.body, node.else_]
            out.append(BLOCK_SLOT)
        elif kind in (nodes.With, nodes.Scope):
            blocks.append(node.body)
            out.append(BLOCK_SLOT)
        elif kind is not nodes.Assign:
            return None
    return "".join(out)


def _one_namespace_scope(root, nsmap: dict) -> bool:
    """No element declares a namespace but the root, and no value stands in a declaration
    or an xml: attribute (whose values XML reads)."""
    if any(VALUE_CHAR in uri for uri in nsmap.values()):
        return False
    for el in root.iter():
        if el.nsmap != nsmap:
            return False
        if any(VALUE_CHAR in value for name, value in el.attrib.items() if name.startswith(XML_ATTRIBUTE)):
            return False
    return True


def balanced(text: str, nsmap: dict) -> bool:
    """Whether a text is whole elements and text, well formed inside an element declaring
    these namespaces, declaring none of its own."""
    declarations = "".join(f' xmlns:{prefix}="{escape(uri)}"' if prefix else f' xmlns="{escape(uri)}"'
                           for prefix, uri in nsmap.items())
    fragment = _strict_tree(f"<dti-fragment{declarations}>{text}</dti-fragment>")
    return fragment is not None and _one_namespace_scope(fragment, nsmap)


def values_only_scope(template: nodes.Template) -> dict | None:
    """The namespaces of a part whose every rendering is well formed XML whatever text its
    values hold, so that only the values need checking (_as_text makes them safe text, or
    counts them); None for any other part.

    Shown when the part with its values and blocks in slots is well formed, every block
    stands between elements, and each block's body, its own blocks in slots, is balanced
    (whole elements and text, no namespace declaration of its own). A rendering then puts
    escaped text where text may stand and whole elements between elements, any number of
    times: well formed, as XML's grammar of an element's content shows. Anything this does
    not recognise gives None, and each rendering of the part is checked in full."""
    blocks: list = []
    top = _slotted(template.body, blocks)
    root = None if top is None else _strict_tree(DECLARATION + top)
    if root is None or not _one_namespace_scope(root, root.nsmap):
        return None
    while blocks:
        text = _slotted(blocks.pop(), blocks)
        if text is None or not balanced(text, root.nsmap):
            return None
    return root.nsmap


LISTING_CHARS = "\n\t\a\f"


def has_listing(xml: str) -> bool:
    return "\n" in xml or "\t" in xml or "\a" in xml or "\f" in xml  # a search in C


def render_part(template, context: dict) -> str:
    return resolve_listings(template.render(context))


def listing_paragraphs(xml: str) -> list[tuple[int, int, str]]:
    """Line breaks, tabs, page breaks inside values (docxtpl's resolve_listing), applied only to
    the paragraphs that hold one: over a whole document it costs more than the rest of the
    render. Each such paragraph's start, end and text resolved."""
    paragraphs: list[tuple[int, int, str]] = []
    done = pos = 0  # the end of the last paragraph resolved; where to look for the next character
    while True:
        found = [i for i in (xml.find(ch, pos) for ch in LISTING_CHARS) if i >= 0]
        if not found:
            return paragraphs
        at = min(found)
        start = max(xml.rfind("<w:p ", done, at), xml.rfind("<w:p>", done, at))
        end = xml.find("</w:p>", at)
        if start < 0 or end < 0:  # not in a paragraph: left as it is
            pos = at + 1
            continue
        done = pos = end + len("</w:p>")
        paragraphs.append((start, done, DocxTemplate.resolve_listing(None, xml[start:done])))


def _with_paragraphs(xml: str, paragraphs: list[tuple[int, int, str]]) -> str:
    pieces, done = [], 0
    for start, end, text in paragraphs:
        pieces += [xml[done:start], text]
        done = end
    return "".join(pieces) + xml[done:] if pieces else xml


def resolve_listings(xml: str) -> str:
    return _with_paragraphs(xml, listing_paragraphs(xml)) if has_listing(xml) else xml


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
    well formed: a parse without building a tree (as strict, a fraction of the
    cost), or, for a part shown once to stay well formed whatever text its values
    hold (values_only_scope), a look at its values as they are written (_as_text)
    and at the paragraphs a line break or tab in a value changed. A part with a
    table marked for fitting still goes through the tree."""

    def __init__(self, path: Path):
        self.path = Path(path)
        with zipfile.ZipFile(self.path) as z:
            self.entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
        self.compiled: dict[str, object] = {}
        self.in_tree: set[str] = set()  # parts that need finish_tree after each render
        self.scopes: dict[str, dict] = {}  # parts whose values alone can break them: their namespaces
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
                        syntax = parse_patched(patched)
                        scope = None if name in self.in_tree else values_only_scope(syntax)
                        if scope is not None:
                            self.scopes[name] = scope
                        self.compiled[name] = ENV.from_string(syntax)
        except TemplateError as exc:
            raise _template_error(self.path, exc) from exc
        # Deflated once: every part that is the same in each document.
        self.static = {name: zipped.Entry.deflated(name, data, STATIC_LEVEL) for name, data in self.entries
                       if name not in self.compiled and name != "docProps/core.xml"}
        self._core: dict[tuple[str, dt.date], bytes] = {}
        self._fragments: dict[tuple[str, str], bool] = {}  # (part, paragraph): balanced or not

    def _core_properties(self, title: str, author: str, day: dt.date) -> bytes:
        key = (author, day)
        if key not in self._core:
            data = dict(self.entries).get("docProps/core.xml")
            self._core[key] = core_properties(data, title=TITLE_SLOT, author=author, day=day)
        title = strip_control(title).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return self._core[key].replace(TITLE_SLOT.encode(), title.encode("utf-8"))

    def _balanced(self, name: str, text: str) -> bool:
        """balanced in the part's scope, remembered: such a paragraph is most often the same in
        every document (the agency's name on two lines in the header)."""
        key = (name, text)
        if key not in self._fragments:
            if len(self._fragments) >= FRAGMENTS_KEPT:
                self._fragments.clear()
            self._fragments[key] = balanced(text, self.scopes[name])
        return self._fragments[key]

    def render_part(self, name: str, context: dict) -> bytes:
        """One part rendered and checked: its bytes in the document."""
        unchecked = unchecked_values
        try:
            xml = self.compiled[name].render(context)
        except TemplateError as exc:
            raise _template_error(self.path, exc) from exc
        paragraphs = listing_paragraphs(xml) if has_listing(xml) else []
        # The full check is left out only for a part shown safe (values_only_scope) whose values
        # were all text or numbers (_as_text); a paragraph where a value's line break or tab was
        # made into elements is checked alone, as it was and as it is: an element of a well formed
        # part, put back as whole elements.
        scope = self.scopes.get(name) if unchecked_values == unchecked else None
        values_only = scope is not None and all(self._balanced(name, xml[start:end]) and self._balanced(name, text)
                                                for start, end, text in paragraphs)
        xml = _with_paragraphs(xml, paragraphs)
        if name in self.in_tree:
            root = parse_rendered(xml, self.path)
            finish_tree(root)
            return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        if "<w:t>" in xml:  # from a value that is markup (docxtpl's RichText, Listing)
            xml = xml.replace("<w:t>", W_T_PRESERVED)
        data = DECLARATION_BYTES + xml.encode("utf-8")
        if not values_only:
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
