"""What a printed document looks like, page by page: its PDF (LibreOffice) read back with
poppler (pdftotext, pdftoppm), for `make preview` and for the layout tests.

A reader judges pages, not XML: a signature block alone on the last page, a body too long
to read, a table whose header does not come back on the next page, a code where a word
should be. These helpers find those facts in the rendered pages.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from lxml import etree

from dti_report.renderers.documents import ReportError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# A signature block (NĐ 30/2020) opens with "Nơi nhận:"; the signer's side beside it.
SIGNATURE_START = "Nơi nhận"


def poppler(tool: str) -> str:
    found = shutil.which(tool)
    if not found:
        raise ReportError(f"không tìm thấy {tool} (gói poppler-utils) để đọc trang PDF")
    return found


def page_count(pdf: Path) -> int:
    out = subprocess.run([poppler("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE).group(1))


def pages_text(pdf: Path) -> list[str]:
    """Each page's text, in reading order (pdftotext separates pages with a form feed)."""
    out = subprocess.run([poppler("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = out.split("\f")
    return pages[:page_count(pdf)]


def page_images(pdf: Path, out_dir: Path, dpi: int = 60, first: int | None = None, last: int | None = None) -> list[Path]:
    """PNG images of the pages: <name>-1.png, <name>-2.png … (pdftoppm numbers them)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob(f"{pdf.stem}-*.png"):
        old.unlink()
    command = [poppler("pdftoppm"), "-png", "-r", str(dpi)]
    if first:
        command += ["-f", str(first)]
    if last:
        command += ["-l", str(last)]
    subprocess.run(command + [str(pdf), str(out_dir / pdf.stem)], check=True)
    return sorted(out_dir.glob(f"{pdf.stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not re.fullmatch(r"\d+", line.strip())]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def signature_text(docx: Path) -> str:
    """The text of a document's signature block (the borderless table that opens with
    "Nơi nhận:"), or "" when it has none."""
    with zipfile.ZipFile(docx) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    for tbl in root.iter(f"{W}tbl"):
        paragraphs = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in tbl.iter(f"{W}p")]
        if paragraphs and paragraphs[0].startswith(SIGNATURE_START):
            return " ".join(p for p in paragraphs if p)
    return ""


def signature_only(text: str, signature: str) -> bool:
    """A page whose text is the signature block and nothing else, page number aside: every line
    of it is part of the block (a long recipient line wraps into several). The body's closing
    formula ("Trên đây là báo cáo …./.") above it does not count as content: carried over alone
    with the signature, it leaves the reader the same page."""
    lines = _lines(text)
    for i, line in enumerate(lines):
        if line.endswith("./.") and i + 1 < len(lines) and lines[i + 1].startswith(SIGNATURE_START):
            opening = _squash(" ".join(lines[:i + 1]))
            if ". " not in opening:  # one sentence, the formula: nothing of the body before it
                lines = lines[i + 1:]
            break
    block = _squash(signature)
    return bool(lines and block) and all(_squash(line) in block for line in lines)


def body_pages(pages: list[str], appendix_title: str) -> int:
    """Pages before the one an appendix opens on (the appendix's title on its own line)."""
    for number, text in enumerate(pages, start=1):
        if appendix_title in _lines(text):
            return number - 1
    return len(pages)


def tables_without_repeated_header(docx: Path) -> list[str]:
    """The data tables (bordered, more than one row) whose first row is not marked to repeat on
    each page (w:tblHeader), named by their first cell's text. Layout tables (the header
    block, the signature) have no borders and are left out."""
    with zipfile.ZipFile(docx) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    missing = []
    for tbl in root.iter(f"{W}tbl"):
        rows = tbl.findall(f"{W}tr")
        borders = tbl.find(f"{W}tblPr/{W}tblBorders")
        invisible = borders is not None and all(b.get(f"{W}val") in ("nil", "none") for b in borders)
        styled = tbl.find(f"{W}tblPr/{W}tblStyle") is not None
        if len(rows) < 2 or invisible or (borders is None and not styled):
            continue
        if rows[0].find(f"{W}trPr/{W}tblHeader") is None:
            missing.append("".join(t.text or "" for t in rows[0].iter(f"{W}t"))[:40])
    return missing


def raw_codes(text: str, codes: list[str]) -> list[str]:
    """The codes of a list that appear in a text, not as part of a longer word: "hcm-dti-so" in
    "hcm-dti-so-2023" too (a file name is a code as well), a suffix (".gia-tri") wherever it is."""
    found = []
    for code in codes:
        before = r"(?<!\w)" if code[:1].isalnum() else ""
        if re.search(rf"{before}{re.escape(code)}(?!\w)", text):
            found.append(code)
    return found
