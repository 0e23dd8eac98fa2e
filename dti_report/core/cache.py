"""The user's cache folder: what the tool can rebuild but would rather not on every start
(the validated forms, the units' registry). Anything in it may be missing, stale, corrupt or unwritable; the
callers then do the work again, so a cache never changes a result.

DTI_REPORT_CACHE names another folder; set empty, it turns the cache off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Iterable

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


def code_digest(*folders: Path) -> bytes:
    """The package's code in these folders: what a cached value was made by. A value kept by
    other code is made again."""
    digest = hashlib.sha256()
    for code in sorted(path for folder in folders for path in Path(folder).glob("*.py")):
        digest.update(f"{code.parent.name}/{code.name}".encode() + b"\0" + code.read_bytes() + b"\0")
    return digest.digest()


def value_key(parts: Iterable[str], folders: Iterable[Path], contents: Iterable[bytes]) -> str:
    """Everything a kept value depends on: named parts (a format, library versions, file
    names), the package's code in these folders, Python's version, the bytes it was made from."""
    digest = hashlib.sha256()
    for part in (*parts, sys.version):
        digest.update(part.encode() + b"\0")
    digest.update(code_digest(*folders))
    for data in contents:
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def cached_value(path: Path, key: str) -> object | None:
    """The value kept under key, or None when there is none (missing, corrupt, another key)."""
    data = read_cached(path)
    if data is None:
        return None
    try:
        # The cache folder is the user's own, as writable to them as this package is.
        stored_key, value = pickle.loads(data)
    except Exception:  # corrupt or from code that no longer exists: made again
        return None
    return value if stored_key == key else None


def keep_value(path: Path, key: str, value: object) -> None:
    """value kept under key, when it pickles and the folder can be written."""
    try:
        data = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a value that does not pickle is simply not kept
        return
    write_cached(path, data)
