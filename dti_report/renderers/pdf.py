"""PDF copies of the Word reports through LibreOffice headless.

The documents are shared among `workers` soffice processes run side by side, each
converting its share in one call with a throwaway profile of its own: two soffice
processes on one profile wait for each other (or fail), and a profile of our own
keeps the conversion away from any LibreOffice the user has open and from their
settings. soffice writes the PDFs into one temporary folder beside the outputs;
each is then renamed next to its .docx, so a reader never sees half a PDF.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from dti_report.core.progress import PDF, Progress
from dti_report.renderers.common import ReportError

TIMEOUT_SECONDS = 1800


def soffice_path() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ReportError("không tìm thấy LibreOffice (lệnh soffice) để xuất PDF; hãy cài LibreOffice "
                          "hoặc chạy lại không có tùy chọn --pdf")
    return found


def soffice_convert(documents: list[Path], out_dir: Path, work_dir: Path) -> None:
    """Convert every document to PDF in out_dir with one soffice call, using a
    profile under work_dir that is thrown away with it."""
    command = [soffice_path(), f"-env:UserInstallation={(work_dir / 'profile').resolve().as_uri()}", "--headless",
               "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(out_dir),
               *map(str, documents)]
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT_SECONDS,
                              env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"})
    except subprocess.TimeoutExpired as exc:
        raise ReportError(f"LibreOffice không xuất xong PDF sau {TIMEOUT_SECONDS} giây") from exc
    missing = [d.name for d in documents if not (out_dir / f"{Path(d).stem}.pdf").is_file()]
    if missing:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise ReportError(f"LibreOffice không xuất được PDF cho {len(missing)} tài liệu (ví dụ {missing[0]})"
                          f"{': ' + detail[0] if detail[0] else ''}")


def convert_to_pdf(documents: list[Path], *, out_root: Path | None = None, workers: int = 1,
                   progress: Progress | None = None) -> list[Path]:
    """A PDF beside each document, converted by up to `workers` soffice processes at once.
    Returns the PDFs' paths."""
    progress = progress or Progress()
    progress.phase(PDF, len(documents))
    if not documents:
        return []
    soffice_path()  # fail before any work when LibreOffice is missing
    documents = [Path(d).resolve() for d in documents]
    by_name: dict[str, list[Path]] = defaultdict(list)
    for doc in documents:
        by_name[doc.stem].append(doc)
    clashes = [name for name, docs in by_name.items() if len(docs) > 1]
    if clashes:  # one output folder: two documents of the same name would overwrite each other
        raise ReportError(f"hai tài liệu cùng tên {clashes[0]}.docx, không xuất PDF chung một lần được")
    work_root = Path(out_root).resolve() if out_root else documents[0].parent
    work_root.mkdir(parents=True, exist_ok=True)
    # Inside the output folder: the final rename stays on one file system, hence atomic.
    with tempfile.TemporaryDirectory(prefix=".pdf-", dir=work_root) as tmp:
        converted = Path(tmp) / "pdf"
        # Every soffice start costs seconds: one share per process, each converted in one call.
        count = max(1, min(workers, len(documents)))
        shares = [documents[i::count] for i in range(count)]
        with ThreadPoolExecutor(max_workers=count) as pool:
            jobs = {pool.submit(soffice_convert, share, converted, Path(tmp) / f"soffice-{i}"): len(share)
                    for i, share in enumerate(shares)}
            for job in as_completed(jobs):
                job.result()
                progress.advance(jobs[job])
        written = []
        for doc in documents:
            target = doc.with_suffix(".pdf")
            os.replace(converted / f"{doc.stem}.pdf", target)
            written.append(target)
    return written
