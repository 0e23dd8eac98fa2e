"""The user's cache folder: what the tool can rebuild but would rather not on every start
(the validated forms). Anything in it may be missing, stale, corrupt or unwritable; the
callers then do the work again, so a cache never changes a result.

DTI_REPORT_CACHE names another folder; set empty, it turns the cache off.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

CACHE_ENV = "DTI_REPORT_CACHE"
APP = "dti-report"


def cache_dir() -> Path | None:
    """Where the cache lives on this system, or None when the user turned it off."""
    named = os.environ.get(CACHE_ENV)
    if named is not None:
        return Path(named) if named.strip() else None
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / APP
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / APP


def read_cached(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def write_cached(path: Path, data: bytes) -> bool:
    """Written whole or not at all (a temporary file renamed into place, so two processes
    starting together never read half a file); False when the folder cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False
