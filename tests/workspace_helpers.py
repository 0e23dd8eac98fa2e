"""Shared by the workspace tests: a workspace in a temporary folder with sample workbooks
in a period's inbox, and runs of it through the library."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import zoneinfo
from pathlib import Path

import openpyxl

from dti_report.batch.workspace import load_workspace
from dti_report.in_force import workspace_catalog, workspace_settings
from dti_report.pipeline import init_workspace, run_in_workspace

ROOT = Path(__file__).resolve().parents[1]
SO_NGANH = ROOT / "input_samples" / "bieu-mau-2023" / "so-nganh"
ZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> dt.datetime:
    """A moment in the workspace's time zone: "2024-01-10 09:00"."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZONE)


def make_workspace(tmp_path: Path, name: str = "ws", deadlines: str = ""):
    root = tmp_path / name
    init_workspace(root, "Không gian thử")
    if deadlines:
        settings = root / "dti-report.yaml"
        settings.write_text(settings.read_text(encoding="utf-8").replace("deadlines: {}", deadlines),
                            encoding="utf-8")
    return load_workspace(root)


def drop(ws, period: str, files: list[Path], when: dt.datetime | None = None) -> list[Path]:
    """Files put in a period's inbox, their file time set to `when` (as a mail client saves them)."""
    inbox = ws.inbox(period)
    inbox.mkdir(parents=True, exist_ok=True)
    out = []
    for f in files:
        target = inbox / Path(f).name
        shutil.copyfile(f, target)
        if when is not None:
            os.utime(target, (when.timestamp(), when.timestamp()))
        out.append(target)
    return out


def sample(unit: str, set_id: str = "hcm-dti-so", period: str = "2023") -> Path:
    return SO_NGANH / f"{unit}_{set_id}_{period}.xlsx"


def run(ws, period: str, now: dt.datetime | None = None, **kw):
    return run_in_workspace(ws, period, workspace_catalog(ws), workspace_settings(ws), workers=1, now=now, **kw)


def files_of(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def workbook_values(path: Path, skip_column: str | None = None) -> dict[str, list[tuple]]:
    """Every sheet's cell values; a column headed `skip_column` left out."""
    book = openpyxl.load_workbook(path, read_only=True)
    out = {}
    for sheet in book.worksheets:
        rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
        if skip_column and rows and skip_column in rows[0]:
            i = rows[0].index(skip_column)
            rows = [r[:i] + r[i + 1:] for r in rows]
        out[sheet.title] = rows
    return out


def flat(text: str) -> str:
    """Terminal output with its line wrapping undone."""
    return " ".join(text.split())
