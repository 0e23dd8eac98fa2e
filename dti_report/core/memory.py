"""Freed memory given back to the system between the phases of a long run.

A national batch frees hundreds of megabytes between phases (the typed rows, a
report's document tree); glibc's allocator keeps freed heap for reuse and the
process stays as large as its largest phase. malloc_trim returns what is free,
so the next phase starts from what is still in use. Elsewhere than glibc this
does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import sys
from functools import lru_cache
from typing import Iterator


@lru_cache(maxsize=1)
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


def release_freed_memory() -> None:
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """What is held when the block starts left out of the garbage collector's passes until it
    ends (gc.freeze): a national batch holds millions of objects the collector would walk at
    each full pass (a second of a rerun), and the processes forked to write the outputs would
    copy every page it touched. What the block frees is still freed; cycles among the frozen,
    after the block."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
