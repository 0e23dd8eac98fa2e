"""Page images of every output, for a reviewer to look at as its readers will, without Word or Excel.

    .venv/bin/python scripts/preview_reports.py                 # output/ -> output/xem-truoc/
    .venv/bin/python scripts/preview_reports.py --results ket-qua/ --pages 3 --dpi 80

Converts every Word document and workbook of a results folder and the run folders below it
(reports, scorecards, the monitoring table, the analysts' and plan workbooks, the units'
feedback) to PDF with LibreOffice headless, then each page to PNG with pdftoppm, in a folder
per run and kind: xem-truoc/<run>/docx/<name>-1.png, <name>-2.png… Then it says what a reader would send
back: a page holding only the signature block, a table whose header does not repeat, the KH 68
report's body longer than 8 pages.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from dti_report.renderers.documents import ReportError
from dti_report.renderers.pages import (body_pages, page_images, pages_text, signature_only, signature_text,
                                        tables_without_repeated_header)
from dti_report.renderers.pdf import soffice_convert

ROOT = Path(__file__).resolve().parents[1]
PREVIEW_DIR = "xem-truoc"
KH68_BODY_PAGES = 8


def outputs(results: Path) -> list[Path]:
    """Every .docx and .xlsx the runs wrote (the run's own copies and previews left out)."""
    found = [p for p in results.rglob("*") if p.suffix in (".docx", ".xlsx") and PREVIEW_DIR not in p.parts
             and not p.name.startswith((".", "~$"))]
    return sorted(found, key=lambda p: p.relative_to(results).as_posix())


def findings(doc: Path, pages: list[str]) -> list[str]:
    out = []
    if doc.suffix == ".docx":
        signature = signature_text(doc)
        out += [f"trang {n} chỉ có phần ký" for n, text in enumerate(pages, start=1)
                if signature and signature_only(text, signature)]
        out += [f"bảng '{name}' không lặp dòng tiêu đề" for name in tables_without_repeated_header(doc)]
        if doc.name.startswith("bao-cao-kh68-") and (body := body_pages(pages, "Phụ lục I")) > KH68_BODY_PAGES:
            out.append(f"phần chính {body} trang (quá {KH68_BODY_PAGES} trang)")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "output", help="thư mục kết quả (mặc định output/)")
    parser.add_argument("--out", type=Path, default=None, help=f"thư mục ảnh (mặc định <results>/{PREVIEW_DIR}/)")
    parser.add_argument("--pages", type=int, default=0, help="số trang đầu của mỗi tệp (mặc định mọi trang)")
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args()
    docs = outputs(args.results)
    if not docs:
        print(f"Không có tệp Word, Excel nào trong {args.results}; hãy chạy `make run` trước.", file=sys.stderr)
        return 1
    out = args.out or args.results / PREVIEW_DIR
    problems = 0
    with tempfile.TemporaryDirectory() as tmp:
        pdf_dir = Path(tmp) / "pdf"
        # One soffice call per folder and kind of file: names repeat across runs (ket-qua-tong-hop.xlsx
        # in each) and within one (bao-cao-kh68-2021-Q2.docx and .xlsx), and soffice names a PDF by its stem.
        by_folder: dict[tuple[Path, str], list[Path]] = {}
        for doc in docs:
            by_folder.setdefault((doc.parent, doc.suffix), []).append(doc)
        for (folder, suffix), group in by_folder.items():
            target = pdf_dir / suffix.lstrip(".") / folder.relative_to(args.results)
            try:
                soffice_convert(group, target, Path(tmp))
            except ReportError as exc:
                print(f"Lỗi: {exc}", file=sys.stderr)
                return 1
            for doc in group:
                pdf = target / f"{doc.stem}.pdf"
                # The workbook and the document of one plan report share a name: the images say which is which.
                images = page_images(pdf, out / folder.relative_to(args.results) / suffix.lstrip("."), args.dpi,
                                     last=args.pages or None)
                said = findings(doc, pages_text(pdf))
                problems += len(said)
                print(f"{doc.relative_to(args.results)}: {len(images)} ảnh trang" + "".join(f"; {s}" for s in said))
    print(f"Ảnh trang trong {out}" + (f"; {problems} điểm cần xem lại" if problems else "; không có điểm cần xem lại"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
