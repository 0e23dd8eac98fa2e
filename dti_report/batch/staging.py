"""A run folder is replaced whole, never mixed.

A run writes into a fresh staging folder beside `--out` and swaps it in only
when every file is written: a rerun with fewer inputs leaves nothing of the
earlier run, and a run that is killed leaves the previous run as it was (its
staging folder is removed by the next run). A lock beside the folder refuses a
second run into the same folder while one is going.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import shutil
import socket
from pathlib import Path
from typing import Iterator

from dti_report.core.errors import DtiError
from dti_report.core.files import relative_text

STAGING, OLD, LOCK = ".dang-ghi", ".cu", ".khoa"


class RunFolderError(DtiError):
    pass


def _sibling(out_dir: Path, tag: str, pid: int | None = None) -> Path:
    return out_dir.parent / f".{out_dir.name}{tag}" if pid is None else out_dir.parent / f".{out_dir.name}{tag}-{pid}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def os_error_text(exc: OSError, path: Path | str) -> str:
    """A write failure as the clerk can act on it, naming the path."""
    reasons = {errno.ENOSPC: "ổ đĩa đã đầy", errno.EROFS: "thư mục chỉ cho phép đọc",
               errno.EACCES: "không có quyền ghi", errno.EPERM: "không có quyền ghi",
               errno.EDQUOT: "vượt hạn mức dung lượng"}
    reason = reasons.get(exc.errno, exc.strerror or "lỗi hệ thống tệp")
    return f"không ghi được vào {path}: {reason}"


class RunFolder:
    """The folder one run leaves: written in staging, swapped in whole, guarded by a lock."""

    def __init__(self, out_dir: Path | str):
        self.out_dir = Path(out_dir).absolute()
        self.lock_path = _sibling(self.out_dir, LOCK)

    @property
    def previous(self) -> Path | None:
        """The previous run's folder, whole until this run's is swapped in; None before the first."""
        return self.out_dir if self.out_dir.is_dir() else None

    # --- the lock -------------------------------------------------------------------

    def _lock(self) -> None:
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": dt.datetime.now().astimezone().isoformat(timespec="seconds")}
        for _ in range(2):
            try:
                fd = os.open(self.lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                other = self._holder()
                if other is not None and (other.get("host") != info["host"] or _alive(int(other.get("pid", 0)))):
                    raise RunFolderError(
                        f"thư mục {self.out_dir} đang được một lần chạy khác ghi (tiến trình {other.get('pid')} trên máy "
                        f"{other.get('host')}, bắt đầu lúc {other.get('started')}); hãy đợi lần chạy đó xong "
                        f"hoặc ghi vào thư mục khác") from None
                self.lock_path.unlink(missing_ok=True)  # left by a run that was killed
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(info, f)
            return
        raise RunFolderError(f"không lấy được khóa {self.lock_path}")

    def _holder(self) -> dict | None:
        try:
            return json.loads(self.lock_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _unlock(self) -> None:
        self.lock_path.unlink(missing_ok=True)

    # --- leftovers of killed runs -----------------------------------------------------------

    def _recover(self) -> None:
        """Remove what killed runs left; if one died between the two renames of a swap,
        its previous run is put back first."""
        parent = self.out_dir.parent
        if not parent.is_dir():
            return
        for entry in parent.iterdir():
            for tag in (OLD, STAGING):
                prefix = f".{self.out_dir.name}{tag}-"
                if not entry.name.startswith(prefix):
                    continue
                if tag == OLD and not self.out_dir.exists():
                    entry.rename(self.out_dir)
                else:
                    shutil.rmtree(entry, ignore_errors=True)

    # --- writing -----------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[Path]:
        """The staging folder to write the whole run into; swapped in when the block ends."""
        parent = self.out_dir.parent
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise RunFolderError(f"{self.out_dir} là một tệp, không phải thư mục; hãy chọn thư mục kết quả khác")
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunFolderError(os_error_text(exc, parent)) from None
        if not os.access(parent, os.W_OK):
            raise RunFolderError(f"không ghi được vào {parent}: không có quyền ghi hoặc thư mục chỉ cho phép đọc")
        self._lock()
        staging = _sibling(self.out_dir, STAGING, os.getpid())
        try:
            self._recover()
            staging.mkdir()
            try:
                yield staging
            except OSError as exc:
                raise RunFolderError(os_error_text(exc, exc.filename or staging)) from None
            self._swap(staging)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
            self._unlock()

    def _swap(self, staging: Path) -> None:
        old = _sibling(self.out_dir, OLD, os.getpid())
        if self.out_dir.exists():
            os.rename(self.out_dir, old)
        os.rename(staging, self.out_dir)
        shutil.rmtree(old, ignore_errors=True)

    def final(self, path: Path, staging: Path) -> Path:
        """Where a file written in staging is once the run is swapped in."""
        return self.out_dir / relative_text(path, staging)  # twenty thousand at national scale
