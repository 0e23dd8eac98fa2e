"""How many processes to work with by default: one per core this process may use."""

from __future__ import annotations

import os


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
