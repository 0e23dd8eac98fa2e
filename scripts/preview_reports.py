"""Page images of the Word reports, for a reviewer to look at without Word.

    .venv/bin/python scripts/preview_reports.py                 # output/ -> output/xem-truoc/
    .venv/bin/python scripts/preview_reports.py --results ket-qua/ --pages 3 --all-scorecards

Converts each report (bao-cao-*.docx: the DTI reports, and the plan reports
bao-cao-kh68-*, bao-cao-kh4233-* also in the run folders below, e.g.
output/kh68-2021-Q2/) and the first scorecard of each set (or all of them) to
PDF with LibreOffice headless, then the first pages to PNG with pdftoppm:
<name>-1.png, <name>-2.png…
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from dti_report.kinds import catalog
from dti_report.reports import SCORECARD_DIR
from dti_report.renderers.documents import ReportError
from dti_report.renderers.pdf import soffice_convert

ROOT = Path(__file__).resolve().parents[1]


def documents(results: Path, all_scorecards: bool) -> list[Path]:
    found = sorted(results.rglob("bao-cao-*.docx"), key=lambda p: p.relative_to(results).as_posix())
    cards = sorted(results.rglob(f"{SCORECARD_DIR}/*.docx"))
    if all_scorecards:
        return found + cards
    first_per_set: dict[str, Path] = {}
    for card in cards:
        set_id = next((s for s in catalog().ids() if card.stem.endswith("-" + s)), "")
        first_per_set.setdefault(set_id, card)
    return found + sorted(first_per_set.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "output", help="thư mục kết quả (mặc định output/)")
    parser.add_argument("--out", type=Path, default=None, help="thư mục ảnh (mặc định <results>/xem-truoc/)")
    parser.add_argument("--pages", type=int, default=1, help="số trang đầu của mỗi tài liệu (mặc định 1)")
    parser.add_argument("--dpi", type=int, default=80)
    parser.add_argument("--all-scorecards", action="store_true", help="mọi phiếu kết quả, không chỉ phiếu đầu mỗi bộ")
    args = parser.parse_args()
    docs = documents(args.results, args.all_scorecards)
    if not docs:
        print(f"Không có báo cáo nào trong {args.results}; hãy chạy `make run` trước.", file=sys.stderr)
        return 1
    if not shutil.which("pdftoppm"):
        print("Không tìm thấy pdftoppm (gói poppler-utils).", file=sys.stderr)
        return 1
    out = args.out or args.results / "xem-truoc"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pdf_dir = Path(tmp) / "pdf"
        try:
            soffice_convert(docs, pdf_dir, Path(tmp))
        except ReportError as exc:
            print(f"Lỗi: {exc}", file=sys.stderr)
            return 1
        for doc in docs:
            for old in out.glob(f"{doc.stem}-*.png"):
                old.unlink()
            subprocess.run(["pdftoppm", "-png", "-r", str(args.dpi), "-f", "1", "-l", str(args.pages),
                            str(pdf_dir / f"{doc.stem}.pdf"), str(out / doc.stem)], check=True)
    for png in sorted(out.glob("*.png")):
        print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
