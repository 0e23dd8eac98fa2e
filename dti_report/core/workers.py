"""How many processes to work with by default (one per core this process may use), and
work shared among them a chunk at a time."""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import Callable, Iterable, Iterator, TypeVar

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
