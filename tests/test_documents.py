"""The scorecards' renderer (CompiledTemplate) and its zip writer: typed spaces kept,
broken XML refused in Vietnamese, the same context giving the same bytes, files that
zipfile, python-docx and LibreOffice read."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import zipfile
from pathlib import Path

import docx
import PIL.Image
import pytest
from docxtpl import DocxTemplate
from lxml import etree
from markupsafe import Markup

from dti_report.core import zipped
from dti_report.renderers import documents
from dti_report.renderers.documents import (ENV, SCORECARD_TEMPLATE, CompiledTemplate, ReportError, find_template,
                                            render_docx)
from dti_report.renderers.pdf import convert_to_pdf

DAY = dt.date(2024, 1, 15)
W_T = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _template(tmp_path, *paragraphs, table=None):
    path = tmp_path / "mau.docx"
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    document.save(path)
    return path


def _texts(path):
    return [p.text for p in docx.Document(path).paragraphs]


def _w_t(path):
    with zipfile.ZipFile(path) as z:
        return list(etree.fromstring(z.read("word/document.xml")).iter(W_T))


def test_typed_spaces_are_kept_with_and_without_tags(tmp_path):
    template = _template(tmp_path, "Số:      /BC-STTTT", "Kính gửi:  {{ unit }}  ", "  hai  khoảng  ")
    target = CompiledTemplate(template).render({"unit": "Quận  1"}, tmp_path / "a.docx", day=DAY, title="t", author="a")
    assert _texts(target) == ["Số:      /BC-STTTT", "Kính gửi:  Quận  1  ", "  hai  khoảng  "]
    assert all(t.get(XML_SPACE) == "preserve" for t in _w_t(target))


def test_line_breaks_and_tabs_in_a_value_keep_their_spaces(tmp_path):
    template = _template(tmp_path, "Ghi chú: {{ note }}")
    target = CompiledTemplate(template).render({"note": "a  b\nc\td"}, tmp_path / "a.docx", day=DAY, title="t",
                                               author="a")
    with zipfile.ZipFile(target) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "<w:br/>" in xml and "<w:tab/>" in xml
    assert all(t.get(XML_SPACE) == "preserve" for t in _w_t(target))


def test_malformed_rendered_xml_is_refused_in_vietnamese(tmp_path):
    template = _template(tmp_path, "A {{ broken }} B")
    compiled = CompiledTemplate(template)
    with pytest.raises(ReportError, match="mau.docx tạo ra văn bản Word không hợp lệ"):
        compiled.render({"broken": Markup("</w:t><w:r>")}, tmp_path / "a.docx", day=DAY, title="t", author="a")
    with pytest.raises(ReportError, match="không hợp lệ"):  # an undeclared namespace prefix too
        compiled.render({"broken": Markup("</w:t><x:t>b</x:t><w:t>")}, tmp_path / "a.docx", day=DAY, title="t",
                        author="a")
    assert not (tmp_path / "a.docx").exists() and not list(tmp_path.glob("*.tmp"))


def test_a_table_marked_for_fitting_still_goes_through_the_tree(tmp_path):
    template = _template(tmp_path, "Bảng", table=[["Mã", "{%tc for c in cols %}", "{{ c }}", "{%tc endfor %}"],
                                                   ["1", "{%tc for c in cols %}", "{{ c }}", "{%tc endfor %}"]])
    compiled = CompiledTemplate(template)
    assert compiled.in_tree == {"word/document.xml"}
    target = compiled.render({"cols": ["Chỉ số một", "Hai"]}, tmp_path / "a.docx", day=DAY, title="t", author="a")
    table = docx.Document(target).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Mã", "Chỉ số một", "Hai"]
    with zipfile.ZipFile(target) as z:
        assert b"dti-fit" not in z.read("word/document.xml")
    with pytest.raises(ReportError, match="không hợp lệ"):
        compiled.render({"cols": [Markup("<w:r>")]}, tmp_path / "b.docx", day=DAY, title="t", author="a")


def _count_full_checks(monkeypatch) -> list:
    calls = []
    check = documents.check_rendered
    monkeypatch.setattr(documents, "check_rendered", lambda data, template: (calls.append(1), check(data, template)))
    return calls


def test_the_scorecard_template_needs_only_its_values_checked():
    compiled = CompiledTemplate(find_template(None, SCORECARD_TEMPLATE))
    assert set(compiled.scopes) == {"word/document.xml"}


NASTY = 'a <w:p> & &amp; ]]> " \' {{ x }} {% if %} \x00\x01\x0b\x7f\ufffe\ud800 b'


@pytest.mark.parametrize("value", [NASTY, NASTY + "\nsau\tdấu tab", "]", "]]", "", 3, 2.5, None, True])
def test_a_value_that_would_break_xml_still_gives_a_valid_document(tmp_path, monkeypatch, value):
    """Without the full check (the template is shown safe): the value written as text, its
    control characters dropped, its line breaks and tabs as Word's."""
    template = _template(tmp_path, "Trước {{ v }} sau", "{% if v %}Có: {{ v }}{% endif %}")
    compiled = CompiledTemplate(template)
    assert set(compiled.scopes) == {"word/document.xml"}
    checks = _count_full_checks(monkeypatch)
    target = compiled.render({"v": value}, tmp_path / "a.docx", day=DAY, title="t", author="a")
    assert checks == []
    with zipfile.ZipFile(target) as z:
        etree.fromstring(z.read("word/document.xml"), parser=documents.PARSER)
    text = documents.strip_control(str(value)).replace("\n", "").replace("\t", "")
    assert _texts(target)[0].replace("\t", "").replace("\n", "") == f"Trước {text} sau"


def test_a_markup_value_is_checked_in_full(tmp_path, monkeypatch):
    compiled = CompiledTemplate(_template(tmp_path, "A {{ v }} B"))
    assert compiled.scopes
    checks = _count_full_checks(monkeypatch)
    compiled.render({"v": Markup("<w:br/>")}, tmp_path / "a.docx", day=DAY, title="t", author="a")
    compiled.render({"v": ["a", "b"]}, tmp_path / "a.docx", day=DAY, title="t", author="a")
    assert len(checks) == 2
    compiled.render({"v": "a"}, tmp_path / "a.docx", day=DAY, title="t", author="a")
    assert len(checks) == 2


DOCUMENT = '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{}</w:body></w:document>'


@pytest.mark.parametrize("body", [
    '<w:p><w:r><w:t xml:space="preserve">{{ a }} và {{ b.c }}</w:t></w:r></w:p>',
    '<w:p><w:pPr><w:pStyle w:val="{{ style }}"/></w:pPr></w:p>',
    '{% for r in rows %}<w:p><w:r><w:t>{{ r }}{% if r.x %} (*){% endif %}</w:t></w:r></w:p>{% else %}<w:p/>{% endfor %}',
    '{% if a %}<w:p/>{% elif b %}<w:p><w:r/></w:p>{% else %}{% endif %}{% set n = 2 %}<w:p><w:r><w:t>{{ n }}</w:t></w:r></w:p>',
    "<w:p><w:r><w:t>{{ '{{' }}</w:t></w:r></w:p>",
])
def test_templates_shown_to_stay_well_formed(body):
    assert documents.values_only_scope(documents.parse_patched(DOCUMENT.format(body))) is not None


@pytest.mark.parametrize("body", [
    '<w:p {% if a %}w:rsidR="1"{% endif %}/>',  # a block inside a tag
    '<w:{{ tag }}/>',  # a value in a name
    '<w:p w{{ a }}="1"/>',
    '<w:p><w:r><w:t>a{% if x %}</w:t></w:r></w:p><w:p><w:r><w:t>{% endif %}b</w:t></w:r></w:p>',  # not whole elements
    '{% if x %}<w:p>{% endif %}<w:r/></w:p>',
    '<!-- {{ a }} --><w:p/>',  # a comment, CDATA, a processing instruction
    '<w:p><w:r><w:t><![CDATA[{{ a }}]]></w:t></w:r></w:p>',
    '<?pi {{ a }}?><w:p/>',
    '{% set x %}<w:p/>{% endset %}{{ x }}',  # markup made by the template
    "{{ '<w:p/>'|safe }}",
    '{% autoescape false %}<w:p><w:r><w:t>{{ a }}</w:t></w:r></w:p>{% endautoescape %}',
    '{% macro m() %}<w:p/>{% endmacro %}{{ m() }}',
    '{% filter upper %}<w:p/>{% endfilter %}',
    '{% if a %}<w:p xmlns:x="urn:x"><x:y/></w:p>{% endif %}',  # a namespace of its own
    '<w:p xmlns:w="urn:other"><w:r><w:t>{{ a }}</w:t></w:r></w:p>',
    '<w:p><w:r><w:t>]]{{ a }}&gt;</w:t></w:r></w:p>',  # "]]>" made where text meets a value
    '<w:p><w:r><w:t>a]{% if a %}]&gt;{% endif %}</w:t></w:r></w:p>',
    '<w:p><w:r><w:t>&am{{ a }}p;</w:t></w:r></w:p>',
    '<w:p><w:r><w:t xml:space="{{ a }}">x</w:t></w:r></w:p>',  # a value XML reads
])
def test_templates_not_shown_safe_are_checked_in_full(body):
    assert documents.values_only_scope(documents.parse_patched(DOCUMENT.format(body))) is None


def test_a_value_in_a_namespace_declaration_is_not_shown_safe():
    source = '<w:document xmlns:w="{{ ns }}"><w:body/></w:document>'
    assert documents.values_only_scope(documents.parse_patched(source)) is None


def test_same_context_same_bytes(tmp_path):
    template = find_template(None, SCORECARD_TEMPLATE)
    context = {"unit_name": "Quận 1 & <Thủ Đức>", "indices": [], "recipients": ["Như trên;"]}
    first = CompiledTemplate(template).render(context, tmp_path / "a.docx", day=DAY, title="Phiếu — Quận 1 & <b>",
                                              author="Sở TTTT")
    again = CompiledTemplate(template).render(dict(context), tmp_path / "b.docx", day=DAY,
                                              title="Phiếu — Quận 1 & <b>", author="Sở TTTT")
    assert first.read_bytes() == again.read_bytes()
    with zipfile.ZipFile(first) as z:
        assert z.testzip() is None
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    properties = docx.Document(first).core_properties
    assert properties.title == "Phiếu — Quận 1 & <b>" and properties.author == "Sở TTTT"
    assert properties.created.date() == DAY


def test_parts_without_tags_are_copied_as_the_template_has_them(tmp_path):
    template = find_template(None, SCORECARD_TEMPLATE)
    target = CompiledTemplate(template).render({"indices": []}, tmp_path / "a.docx", day=DAY, title="t", author="a")
    with zipfile.ZipFile(template) as a, zipfile.ZipFile(target) as b:
        assert a.namelist() == b.namelist()
        for name in ("word/styles.xml", "word/theme/theme1.xml", "word/numbering.xml", "[Content_Types].xml"):
            assert a.read(name) == b.read(name), name


def test_zip_writer_is_read_by_zipfile(tmp_path):
    entries = [zipped.Entry.deflated("a.xml", b"<a/>" * 1000), zipped.Entry.deflated("thư-mục/b.txt", "chữ".encode()),
               zipped.Entry.deflated("empty", b"")]
    target = zipped.write_entries(tmp_path / "x.zip", entries)
    with zipfile.ZipFile(target) as z:
        assert z.testzip() is None
        assert z.namelist() == ["a.xml", "thư-mục/b.txt", "empty"]
        assert z.read("a.xml") == b"<a/>" * 1000 and z.read("thư-mục/b.txt") == "chữ".encode() and z.read("empty") == b""
        assert all(i.external_attr >> 16 == 0o100644 for i in z.infolist())


def test_dict_keys_and_methods_read_as_jinja_reads_them():
    """A key named like a dict method does not hide the method (Jinja's own order)."""
    template = ENV.from_string("{{ d.name }}|{{ d.get('name') }}|{{ d.items() | list | length }}|{{ d.missing }}|"
                               "{{ d.items is callable }}|{{ o.real }}")
    assert template.render(d={"name": "x", "items": 3}, o=2) == "x|x|2||True|2"


def test_scorecard_path_and_docxtpl_path_write_the_same_text(tmp_path):
    template = _template(tmp_path, "Số:   {{ a }}", "{{ b }}  cuối")
    context = {"a": "x  y", "b": "Một & <hai>"}
    compiled = CompiledTemplate(template).render(context, tmp_path / "c.docx", day=DAY, title="t", author="a")
    full = render_docx(template, context, tmp_path / "d.docx", day=DAY, title="t", author="a")
    assert _texts(compiled) == _texts(full) == ["Số:   x  y", "Một & <hai>  cuối"]


def test_libreoffice_opens_a_scorecard(tmp_path):
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        if os.environ.get("DTI_REQUIRE_LIBREOFFICE"):
            pytest.fail("LibreOffice (soffice) is required here but not installed")
        pytest.skip("LibreOffice (soffice) không có trên máy")
    template = _template(tmp_path, "Số:      /BC-STTTT", "Đơn vị: {{ unit }}")
    target = CompiledTemplate(template).render({"unit": "Quận 1"}, tmp_path / "phieu.docx", day=DAY, title="t",
                                               author="a")
    [pdf] = convert_to_pdf([target], out_root=tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_report_body_put_in_place_gives_docxtpls_document(tmp_path, monkeypatch):
    """render_docx builds the document around the rendered body (map_tree): the same bytes as
    docxtpl's own replacement, pictures numbered the same, sections still readable."""
    png = convert_png()
    template = _template(tmp_path, "Hình: {{ chart }}", "Lần nữa: {{ chart2 }}", "{{ note }}")
    images = {"chart": (png, 40), "chart2": (png, 30)}
    ours = render_docx(template, {"note": "a  b"}, tmp_path / "a.docx", day=DAY, title="t", author="a", images=images)
    monkeypatch.setattr(documents._Template, "map_tree", DocxTemplate.map_tree)
    monkeypatch.setattr(documents._Template, "fix_tables", _plain_fix_tables)
    theirs = render_docx(template, {"note": "a  b"}, tmp_path / "b.docx", day=DAY, title="t", author="a", images=images)
    assert ours.read_bytes() == theirs.read_bytes()
    document = docx.Document(ours)
    assert len(document.inline_shapes) == 2 and len(document.sections) == 1
    with zipfile.ZipFile(ours) as z:
        ids = re.findall(rb'<wp:docPr id="(\d+)"', z.read("word/document.xml"))
    assert len(ids) == 2 and len(set(ids)) == 2


def _plain_fix_tables(self, xml):
    tree = documents.parse_rendered(xml, Path(self.template_file))
    documents.finish_tree(tree)
    return tree


def convert_png() -> bytes:
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (20, 10), "white").save(buffer, format="PNG")
    return buffer.getvalue()
