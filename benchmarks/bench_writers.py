"""CPU time of the feedback workbooks: one per unit, written in this process.

Reads an inbox once (run_batch), then writes every unit's feedback workbook into
a temporary folder with one worker and prints the CPU milliseconds per workbook
(time.process_time), the best of --repeat runs.

    .venv/bin/python benchmarks/bench_writers.py INBOX REGISTRY --period 2023
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from dti_report.forms.units import load_registry
from dti_report.pipeline import run_batch
from dti_report.reports.feedback import write_feedback


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inbox", type=Path)
    parser.add_argument("registry", type=Path)
    parser.add_argument("--period", default="2023")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="workers reading the inbox")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of one run")
    args = parser.parse_args()
    batch = run_batch(args.inbox, args.period, load_registry(args.registry), workers=args.workers)
    best = None
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.process_time()
            paths = write_feedback(batch, Path(tmp), workers=1)
            spent = time.process_time() - start
            size = sum(p.stat().st_size for p in paths)
        best = spent if best is None else min(best, spent)
        print(f"{len(paths)} workbooks, {spent * 1000 / len(paths):.2f} ms CPU each, {size / len(paths) / 1024:.1f} KiB each")
    print(f"best: {best * 1000 / max(len(paths), 1):.2f} ms CPU per workbook")
    if args.profile:
        with tempfile.TemporaryDirectory() as tmp:
            profiler = cProfile.Profile()
            profiler.runcall(write_feedback, batch, Path(tmp), workers=1)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
