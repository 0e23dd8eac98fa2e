"""Start-up time of the command line: `dti-report --help` and `dti-report check` on one
sample workbook, each run as a fresh process; best of N, wall time and CPU time (user +
system, which a busy machine inflates less than wall time).

The commands run with their bytecode cached (__pycache__), as an installed package has
it: PYTHONDONTWRITEBYTECODE is dropped for them, and the first, untimed run writes it.

    .venv/bin/python benchmarks/bench_startup.py             # best of 5
    .venv/bin/python benchmarks/bench_startup.py --repeat 10
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "input_samples" / "bieu-mau-2023" / "quan-huyen" / "h-can-gio_hcm-dti-huyen_2023.xlsx"
COMMANDS = {"--help": ["--help"], "check": ["check", str(SAMPLE)]}


def timed(args: list[str]) -> tuple[float, float]:
    """One run: wall seconds and CPU seconds of the child."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "dti_report.cli", *args], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    # The first runs warm the file cache and write the bytecode and the form cache.
    timed(COMMANDS["check"])
    for name, command in COMMANDS.items():
        runs = [timed(command) for _ in range(args.repeat)]
        print(f"{name:8} best wall {min(w for w, _ in runs):.3f} s, best CPU {min(c for _, c in runs):.3f} s "
              f"(of {args.repeat})")


if __name__ == "__main__":
    main()
