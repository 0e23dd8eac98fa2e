"""How many processes to work with by default (one per core this process may use), work
shared among them a chunk at a time, and work done in the background beside them."""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import Callable, Iterable, Iterator, TypeVar

from dti_report.core.errors import DtiError

T = TypeVar("T")
R = TypeVar("R")


def available_cores() -> int:
    """The cores this process may run on: its CPU affinity (what a container, a job
    scheduler or `taskset` left it), not the machine's count when that is larger."""
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counted is not None:
        return counted() or 1
    if hasattr(os, "sched_getaffinity"):
        try:
            return len(os.sched_getaffinity(0)) or 1
        except OSError:
            pass
    return os.cpu_count() or 1


def chunked_map(function: Callable[[list[T]], list[R]], items: Iterable[T], workers: int, size: int) -> Iterator[R]:
    """function over `items` a chunk of `size` at a time in `workers` processes; the results
    in the items' order, as they come. Items are taken from the iterable only as chunks are
    sent, and at most two chunks per process wait: ten thousand documents' contexts are
    never all held at once."""
    items = iter(items)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        waiting: deque = deque()
        while chunk := list(islice(items, size)):
            waiting.append(pool.submit(function, chunk))
            if len(waiting) >= 2 * workers:  # the oldest first: order kept, few chunks held
                yield from waiting.popleft().result()
        while waiting:
            yield from waiting.popleft().result()


def largest_first_map(function: Callable[[T], R], items: list[T], workers: int, cost: Callable[[T], int]) -> list[R]:
    """function over each of a few large `items` in `workers` processes, the costliest sent
    first; the results in the items' order. A dozen groups of units sized from 80 to 2,300
    keep both cores busy to the end so, where in their own order one core waited on the
    largest while the other had nothing left to take."""
    order = sorted(range(len(items)), key=lambda i: cost(items[i]), reverse=True)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {i: pool.submit(function, items[i]) for i in order}
        return [futures[i].result() for i in range(len(items))]


class BackgroundError(DtiError):
    """Work done in the background stopped without saying how (its process was killed)."""


class Background:
    """Work done in a process of its own while this one goes on: writers that would
    otherwise run alone (the analysts' workbook, the issues workbook, the set reports, the
    store's recording) beside the per-unit pools, so neither core waits. The process is
    forked: what it works on is shared, not copied or pickled. Where processes are not forked
    (Windows, macOS; or when told not to), each piece runs at once, here. Leaving the block
    waits for every piece and raises the first failure as it was raised; leaving it by an
    error stops the pieces still running."""

    def __init__(self, enabled: bool = True):
        # Linux only: Windows cannot fork, and macOS's system libraries are not safe in a forked child.
        self.enabled = enabled and sys.platform.startswith("linux")
        self._running: list[tuple[int, int]] = []  # (pid, read end of its pipe)
        self._held: list[int] = []  # the write ends of held pieces' release pipes

    def start(self, function: Callable[..., object], *args, held: bool = False, aside: bool = False) -> None:
        """function(*args) in its own process. held: it is given one more argument, a call that
        waits for what `release` sends and returns it (a piece that must not finish before the
        run says so); held pieces need the background enabled. aside: a piece the run waits for only
        at its end (the issues workbook, a set report, the store's recording), run at a lower
        priority (ASIDE_NICENESS): while the cores are busy, what the next phase waits for (the
        long files the analysts' workbook is made from, then that workbook) goes first, and the
        piece takes the time it leaves."""
        if not self.enabled:
            if held:
                raise ValueError("a held piece needs a process of its own")
            function(*args)
            return
        read_end, write_end = os.pipe()
        release_read, release_write = os.pipe() if held else (None, None)
        pid = os.fork()
        if pid == 0:  # the child: do the work, say how it went, leave without running the parent's exit code
            code = 0
            try:
                # Only its own pipes: a held piece hears the end of its release pipe only when no
                # other process still holds its write end.
                for fd in _PIPES | {read_end, release_write} - {None}:
                    with contextlib.suppress(OSError):
                        os.close(fd)
                _die_with_parent()
                if aside:
                    with contextlib.suppress(OSError):
                        os.nice(ASIDE_NICENESS)
                try:
                    function(*args, *([_released(release_read)] if held else []))
                    message = pickle.dumps(None)
                except BaseException as exc:  # noqa: BLE001 - any failure goes back to the parent as it was
                    code = 1
                    try:
                        message = pickle.dumps(exc)
                    except Exception:  # noqa: BLE001 - an exception that cannot be pickled: its class and text
                        message = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
                with os.fdopen(write_end, "wb") as out:
                    out.write(message)
            finally:
                os._exit(code)
        os.close(write_end)
        _PIPES.add(read_end)
        if held:
            os.close(release_read)
            self._held.append(release_write)
            _PIPES.add(release_write)
        self._running.append((pid, read_end))

    def release(self, payload: object) -> None:
        """What the held pieces wait for, sent to each (a piece that already failed is not
        listening: its failure comes with wait)."""
        while self._held:
            fd = self._held.pop(0)
            _PIPES.discard(fd)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(pickle.dumps(payload))
            except BrokenPipeError:
                pass

    def wait(self) -> None:
        for fd in self._held:  # never released: each held piece gives up, keeping nothing
            _PIPES.discard(fd)
            os.close(fd)
        self._held.clear()
        failure = None
        while self._running:
            pid, read_end = self._running.pop(0)
            _PIPES.discard(read_end)
            with os.fdopen(read_end, "rb") as pipe:
                message = pipe.read()
            _, status = os.waitpid(pid, 0)
            if failure is not None:
                continue
            if message:
                failure = pickle.loads(message)
            elif status:
                failure = BackgroundError(f"tiến trình ghi chạy song song dừng bất thường (mã {status})")
        if failure is not None:
            raise failure

    def stop(self) -> None:
        for fd in self._held:
            _PIPES.discard(fd)
            os.close(fd)
        self._held.clear()
        while self._running:
            pid, read_end = self._running.pop()
            _PIPES.discard(read_end)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)
            os.close(read_end)

    def __enter__(self) -> "Background":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.wait()
        else:
            self.stop()


# How much lower a piece set aside runs (nice(1)'s scale: 0 to 19).
ASIDE_NICENESS = 10
# The parent's ends of every background piece's pipes, open in this process.
_PIPES: set[int] = set()


class NotReleased(DtiError):
    """A held piece's run ended without releasing it."""


def _released(fd: int) -> Callable[[], object]:
    def released() -> object:
        with os.fdopen(fd, "rb") as pipe:
            data = pipe.read()
        if not data:
            raise NotReleased("lần chạy kết thúc trước khi cho phép ghi kết quả; không có gì được ghi")
        return pickle.loads(data)
    return released


def _die_with_parent() -> None:
    """On Linux, the child is killed if the run that forked it is (PR_SET_PDEATHSIG): a killed
    run leaves no writer behind in its staging folder."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
