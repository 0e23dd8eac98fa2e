"""What the commands work with, in a workspace or outside one: the forms catalog (the
built-in forms, the workspace's own, any named), the report settings with the
workspace's template overrides, and the latest stored period.

A module of its own beside pipeline: every command asks for these first, and a command
that writes no report (check) does not load the writers to get them.
"""

from __future__ import annotations

from pathlib import Path

from dti_report.batch.store import Store
from dti_report.batch.workspace import Workspace, WorkspaceError
from dti_report.forms.catalog import Catalog
from dti_report.kinds import catalog as default_catalog
from dti_report.reports.settings import ReportSettings, load_settings

# Word templates a workspace may override by putting a file of this name in its templates folder.
TEMPLATE_OVERRIDES = {"report": "bao-cao-ket-qua-dti.docx", "scorecard": "phieu-ket-qua-dti.docx",
                      "kh68": "bao-cao-kh68.docx", "kh4233": "bao-cao-kh4233.docx"}


def workspace_settings(ws: Workspace, path: Path | None = None) -> ReportSettings:
    """The workspace's report settings (or those named), with the templates its overrides
    folder holds for any the settings leave to the defaults."""
    settings = load_settings(path or ws.report_settings_path)
    found = {name: ws.templates_dir / file for name, file in TEMPLATE_OVERRIDES.items()
             if (ws.templates_dir / file).is_file() and getattr(settings.templates, name) is None}
    return settings.model_copy(update={"templates": settings.templates.model_copy(update=found)}) if found else settings


def workspace_catalog(ws: Workspace | None, extra: tuple[Path, ...] = ()) -> Catalog:
    """The built-in forms, the workspace's own and any named on the command line."""
    own = (ws.forms_dir,) if ws is not None and ws.forms_dir is not None else ()
    return default_catalog(tuple(extra) + own)


def open_store(ws: Workspace) -> Store:
    return Store.open(ws.store_path, ws.backup_dir)


def latest_period(ws: Workspace) -> str:
    with open_store(ws) as store:
        periods = store.periods()
    if not periods:
        raise WorkspaceError("kho dữ liệu chưa có kỳ nào; hãy chạy dti-report run <kỳ> trước")
    return max(periods, key=lambda p: (store_order(p), p))


def store_order(period: str) -> str:
    """Periods in time order whatever their kind: 2023 sorts after 2023-12."""
    return f"{period}-99" if len(period) == 4 else period
