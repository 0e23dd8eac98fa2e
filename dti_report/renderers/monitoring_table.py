"""Placeholders rendered into Word and Excel templates, and linted.

Word splits text into runs wherever formatting, spell-check marks or editing
sessions change, so a placeholder may be spread over several runs, across a
formatting change, or over two paragraphs of one table cell. The document is
patched first (a placeholder's text is gathered into the run where it starts),
then replaced; python-docx escapes the values for XML.
"""

from __future__ import annotations

from dti_report.core.errors import DtiError
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from dti_report.core.files import atomic_path
from dti_report.forms.placeholders import FUZZY, UNKNOWN, Resolution, Resolver, find_placeholders, render_text, row_hints

RUN_PATH = "./w:r | ./w:hyperlink/w:r | ./w:smartTag/w:r | ./w:ins/w:r | ./w:fldSimple/w:r"


@dataclass
class Finding:
    location: str
    written: str
    resolution: Resolution

    @property
    def status(self) -> str:
        return self.resolution.status


class RenderError(DtiError):
    """--strict: a fuzzy or unknown placeholder."""


# --- walking a Word document -------------------------------------------------------------

@dataclass
class Block:
    """Paragraphs that belong together (a cell, or the body) and the row they sit in."""

    paragraphs: list
    location: str
    hints: list[str]


# python-docx and openpyxl are imported where a template is opened: the commands that
# open none (check, run without a monitoring table) start without them.


def _paragraph_text(p) -> str:
    from docx.text.run import Run

    return "".join(Run(r, None).text for r in p.xpath(RUN_PATH))


def _cells(row) -> list:
    seen, out = set(), []
    for tc in row._tr.tc_lst:
        if id(tc) not in seen:
            seen.add(id(tc))
            out.append(tc)
    return out


def _blocks_of_table(table, where: str) -> Iterator[Block]:
    for r, row in enumerate(table.rows, start=1):
        cells = _cells(row)
        texts = ["\n".join(_paragraph_text(p) for p in tc.xpath(".//w:p")) for tc in cells]
        hints = row_hints(texts)
        for c, tc in enumerate(cells, start=1):
            yield Block(tc.xpath("./w:p"), f"{where}, dòng {r}, cột {c}", hints)
            for n, nested in enumerate(tc.xpath("./w:tbl"), start=1):
                from docx.table import Table

                yield from _blocks_of_table(Table(nested, None), f"{where}, dòng {r}, cột {c}, bảng lồng {n}")


def _blocks_of_part(container, where: str) -> Iterator[Block]:
    element = container.element.body if hasattr(container, "sections") else container._element
    body_paragraphs = element.xpath("./w:p")
    for n, p in enumerate(body_paragraphs, start=1):
        yield Block([p], f"{where}, đoạn {n}", [])
    for t, table in enumerate(container.tables, start=1):
        yield from _blocks_of_table(table, f"{where}, bảng {t}")


def document_blocks(document) -> Iterator[Block]:
    yield from _blocks_of_part(document, "thân văn bản")
    for s, section in enumerate(document.sections, start=1):
        for name, part in (("đầu trang", section.header), ("chân trang", section.footer),
                           ("đầu trang đầu", section.first_page_header), ("chân trang đầu", section.first_page_footer)):
            if part.is_linked_to_previous and s > 1:
                continue
            yield from _blocks_of_part(part, f"{name} (phần {s})")


# --- patching split placeholders -----------------------------------------------------------

def _unclosed_at_end(text: str) -> bool:
    found = find_placeholders(text)
    return bool(found) and found[-1].closing == "" and found[-1].end == len(text)


def join_split_paragraphs(block: Block) -> None:
    """A placeholder broken over two paragraphs of one cell (Enter pressed inside it):
    move the next paragraph's runs up so the placeholder is whole again."""
    paragraphs = block.paragraphs
    i = 0
    while i < len(paragraphs) - 1:
        here, following = _paragraph_text(paragraphs[i]), _paragraph_text(paragraphs[i + 1])
        nxt = find_placeholders("[[" + following)
        if _unclosed_at_end(here) and nxt and nxt[0].closing:
            for r in paragraphs[i + 1].xpath(RUN_PATH):
                paragraphs[i].append(r)
            paragraphs[i + 1].getparent().remove(paragraphs[i + 1])
            del paragraphs[i + 1]
        else:
            i += 1


def _render_paragraph(p, resolver: Resolver, hints: list[str]) -> list[Resolution]:
    from docx.text.run import Run

    runs = [Run(r, None) for r in p.xpath(RUN_PATH)]
    texts = [run.text for run in runs]
    full = "".join(texts)
    found = find_placeholders(full)
    if not found:
        return []
    _, resolutions = render_text(full, resolver, hints)
    starts, pos = [], 0
    for t in texts:
        starts.append(pos)
        pos += len(t)

    def run_at(offset: int) -> int:
        for i in range(len(runs) - 1, -1, -1):
            if starts[i] <= offset and (offset < starts[i] + len(texts[i]) or i == len(runs) - 1):
                return i
        return 0

    # Right to left, so the offsets of earlier placeholders stay valid.
    for ph, resolution in reversed(list(zip(found, resolutions))):
        first, last = run_at(ph.start), run_at(max(ph.end - 1, ph.start))
        head = runs[first].text[: ph.start - starts[first]]
        tail = runs[last].text[ph.end - starts[last]:]
        if first == last:
            runs[first].text = head + resolution.text + tail
        else:
            runs[first].text = head + resolution.text
            for k in range(first + 1, last):
                runs[k].text = ""
            runs[last].text = tail
    return resolutions


def render_docx(template: Path | str, resolver: Resolver, target: Path | str | None = None) -> list[Finding]:
    """Render every placeholder of a .docx; write it to target (None: lint only)."""
    import docx

    document = docx.Document(str(template))
    blocks = list(document_blocks(document))
    resolver.define_from([_paragraph_text(p) for b in blocks for p in b.paragraphs])
    findings: list[Finding] = []
    for block in blocks:
        join_split_paragraphs(block)
        for p in block.paragraphs:
            text = _paragraph_text(p)
            resolutions = _render_paragraph(p, resolver, block.hints)
            for ph, res in zip(find_placeholders(text), resolutions):
                findings.append(Finding(block.location, text[ph.start:ph.end], res))
    if target is not None:
        with atomic_path(target) as tmp:
            document.save(str(tmp))
    return findings


def render_xlsx(template: Path | str, resolver: Resolver, target: Path | str | None = None) -> list[Finding]:
    """Placeholders in any cell of any sheet; each cell keeps its formatting."""
    import openpyxl

    book = openpyxl.load_workbook(str(template))
    texts = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    resolver.define_from(texts)
    findings: list[Finding] = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            hints = row_hints([c.value for c in row if isinstance(c.value, str)])
            for cell in row:
                if isinstance(cell.value, str) and "[[" in cell.value:
                    text = cell.value
                    cell.value, resolutions = render_text(text, resolver, hints)
                    for ph, res in zip(find_placeholders(text), resolutions):
                        findings.append(Finding(f"trang {ws.title}, ô {cell.coordinate}", text[ph.start:ph.end], res))
    if target is not None:
        with atomic_path(target) as tmp:
            book.save(str(tmp))
    return findings


def render_template(template: Path | str, resolver: Resolver, target: Path | str | None = None,
                    strict: bool = False) -> list[Finding]:
    suffix = Path(template).suffix.lower()
    renderer = {".docx": render_docx, ".xlsx": render_xlsx, ".xlsm": render_xlsx}.get(suffix)
    if renderer is None:
        raise RenderError(f"{Path(template).name}: chỉ nhận mẫu .docx hoặc .xlsx")
    if strict:
        findings = renderer(template, resolver, None)
        bad = [f for f in findings if f.status in (FUZZY, UNKNOWN) or f.resolution.placeholder.malformed]
        if bad:
            raise RenderError(f"{len(bad)} placeholder không khớp chính xác (chế độ --strict); xem lệnh lint")
    return renderer(template, resolver, target)


def unresolved_text(path: Path | str) -> str:
    """All text of a rendered .docx, to check that no placeholder is left."""
    import docx

    document = docx.Document(str(path))
    return "\n".join(_paragraph_text(p) for b in document_blocks(document) for p in b.paragraphs)

