"""Benchmark of the batch at national scale: N filled unit workbooks, every output.

For each N (1,000 by default; `--workbooks 1000 5000 10000`), with the filled
workbooks of the pool (workbook_pool.py: made once, reused between runs), times
in one run, with the same number of processes:

  - python-calamine alone opening every file and reading every sheet: the floor;
  - read + validate + score (pipeline.run_batch, nothing written);
  - `dti-report run` cold in a new workspace, every output;
  - an incremental rerun after 100 more workbooks arrive (the store reads only
    the new ones);
  - a cold run over the same N + 100 workbooks in another workspace, whose
    outputs the incremental rerun's must equal;

with the peak memory of the largest process of each command (the command or one
of its workers) and each phase's share of the cold run.

    .venv/bin/python benchmarks/bench_batch.py
    .venv/bin/python benchmarks/bench_batch.py --workbooks 1000 5000 10000
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import python_calamine

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workbook_pool as pool  # noqa: E402

from dti_report.forms.units import load_registry  # noqa: E402
from dti_report.pipeline import default_workers, run_batch  # noqa: E402

EXTRA = 100  # workbooks that arrive between the cold run and the rerun
# What a rerun writes differently from a cold run by design: when the run happened, when
# each file arrived (a file first seen by the rerun arrived then), and whether a file's
# reading came from the store (the manifest's origin column, in the CSV and the workbook).
BOOKKEEPING = {"run.json"}
BOOKKEEPING_COLUMNS = {"origin", "Nguồn", "arrived", "Thời điểm nhận"}

# Run one command; print its wall time and the peak resident memory of the largest
# process among it and its descendants (RUSAGE_CHILDREN: every waited-for descendant).
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
seconds = time.perf_counter() - start
if done.returncode:
    sys.exit(done.stderr)
print(json.dumps({"seconds": seconds, "peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def _read_every_sheet(paths: list[str]) -> int:
    cells = 0
    for path in paths:
        book = python_calamine.CalamineWorkbook.from_path(path)
        for name in book.sheet_names:
            cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python())
    return cells


def calamine_alone(paths: list[Path], workers: int) -> float:
    start = time.perf_counter()
    chunks = [[str(p) for p in paths[i:i + 8]] for i in range(0, len(paths), 8)]
    with ProcessPoolExecutor(workers) as executor:
        sum(executor.map(_read_every_sheet, chunks))
    return time.perf_counter() - start


def measured(command: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def cli(workspace: Path | None, *args: str) -> list[str]:
    named = ["--workspace", str(workspace)] if workspace is not None else []
    return [sys.executable, "-m", "dti_report.cli", *named, *args]


def new_workspace(root: Path, units: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run(cli(None, "init", str(root), "--units", str(units)), check=True, stdout=subprocess.DEVNULL)
    return root


def zip_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _without_bookkeeping(rows: list[list]) -> list[list]:
    drop = {c for c, v in enumerate(rows[0]) if v in BOOKKEEPING_COLUMNS} if rows else set()
    return [[v for c, v in enumerate(row) if c not in drop] for row in rows]


def _same_content(left: Path, right: Path) -> bool:
    if left.read_bytes() == right.read_bytes():
        return True
    if left.suffix == ".csv":
        read = lambda p: _without_bookkeeping(list(csv.reader(p.read_text(encoding="utf-8-sig").splitlines())))  # noqa: E731
        return read(left) == read(right)
    if left.suffix in (".xlsx", ".docx") and zip_parts(left) == zip_parts(right):
        return True
    if left.suffix == ".xlsx":  # the same cells, sheet by sheet (shared strings may be numbered apart)
        books = [python_calamine.CalamineWorkbook.from_path(str(p)) for p in (left, right)]
        if books[0].sheet_names != books[1].sheet_names:
            return False
        return all(_without_bookkeeping(books[0].get_sheet_by_name(n).to_python())
                   == _without_bookkeeping(books[1].get_sheet_by_name(n).to_python()) for n in books[0].sheet_names)
    return False


def differences(a: Path, b: Path) -> list[str]:
    """Files of two run folders whose content differs, bookkeeping columns aside."""
    files_a = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    return sorted(files_a ^ files_b) + [n for n in sorted(files_a & files_b) if not _same_content(a / n, b / n)]


def last_run_phases(workspace: Path) -> list[tuple[str, float]]:
    """Each phase of the workspace's last run and its seconds, as the store kept them."""
    store = next((workspace / "kho-du-lieu").glob("*.sqlite"))
    with sqlite3.connect(store) as conn:
        return [tuple(p) for p in json.loads(conn.execute("SELECT phases FROM runs ORDER BY id DESC").fetchone()[0])]


def bench(n: int, workers: int, root: Path) -> dict:
    source = pool.ensure_pool(n + EXTRA, workers=workers)
    folder = root / f"n{n}"
    folder.mkdir(parents=True, exist_ok=True)
    # A cache of its own, emptied: the cold runs find nothing kept by an earlier benchmark
    # (a workspace made again at the same path would find its typed groups).
    shutil.rmtree(folder / "cache", ignore_errors=True)
    os.environ["DTI_REPORT_CACHE"] = str(folder / "cache")
    units = folder / "units.yaml"
    pool.write_registry(n + EXTRA, units)
    paths = [source / pool.file_name(i) for i in range(n)]
    row: dict = {"n": n, "workers": workers}

    row["calamine"] = calamine_alone(paths, workers)
    inbox = folder / "inbox"
    pool.link_inbox(source, inbox, range(n))
    for extra in range(n, n + EXTRA):  # a rerun of the benchmark starts from N files again
        (inbox / pool.file_name(extra)).unlink(missing_ok=True)
    start = time.perf_counter()
    run_batch(inbox, pool.PERIOD, load_registry(units), workers=workers)
    row["core"] = time.perf_counter() - start

    ws = new_workspace(folder / "ws", units)
    pool.link_inbox(source, ws / "hop-thu" / pool.PERIOD, range(n))
    cold = measured(cli(ws, "run", pool.PERIOD, "--workers", str(workers)))
    row["phases"] = last_run_phases(ws)
    pool.link_inbox(source, ws / "hop-thu" / pool.PERIOD, range(n, n + EXTRA))
    rerun = measured(cli(ws, "run", pool.PERIOD, "--workers", str(workers)))

    fresh = new_workspace(folder / "ws-moi", units)
    pool.link_inbox(source, fresh / "hop-thu" / pool.PERIOD, range(n + EXTRA))
    cold_more = measured(cli(fresh, "run", pool.PERIOD, "--workers", str(workers)))
    differ = differences(ws / "ket-qua" / pool.PERIOD, fresh / "ket-qua" / pool.PERIOD)
    row.update(cold=cold["seconds"], rerun=rerun["seconds"], cold_more=cold_more["seconds"],
               peak_mib=max(r["peak_kib"] for r in (cold, rerun, cold_more)) / 1024,
               differ=[d for d in differ if d not in BOOKKEEPING], bookkeeping=[d for d in differ if d in BOOKKEEPING])
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workbooks", type=int, nargs="+", default=[1000])
    parser.add_argument("--workers", type=int, default=default_workers(), help="processes (default: every core)")
    parser.add_argument("--folder", type=Path, default=pool.DEFAULT_POOL.parent / "chay-thu",
                        help="where the workspaces go (kept between runs, rebuilt each time)")
    args = parser.parse_args()
    rows = []
    for n in args.workbooks:
        row = bench(n, args.workers, args.folder)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    print(f"\n{os.cpu_count()} lõi, {args.workers} tiến trình")
    print(f"{'sổ tính':>8} {'calamine':>9} {'đọc+chấm':>9} {'tỉ lệ':>6} {'chạy đầu':>9} {'chạy lại':>9} "
          f"{'+100 từ đầu':>12} {'bộ nhớ':>8}  kết quả chạy lại")
    for r in rows:
        same = "giống chạy từ đầu" if not r["differ"] else f"khác: {', '.join(r['differ'][:5])}"
        print(f"{r['n']:>8} {r['calamine']:>8.1f}s {r['core']:>8.1f}s {r['core'] / r['calamine']:>5.1f}× "
              f"{r['cold']:>8.1f}s {r['rerun']:>8.1f}s {r['cold_more']:>11.1f}s {r['peak_mib']:>6.0f} MiB  {same}")
    for r in rows:
        total = sum(seconds for _, seconds in r["phases"]) or 1
        print(f"\nchạy đầu, {r['n']} sổ tính, từng bước: " + " · ".join(
            f"{name} {seconds:.1f}s ({seconds / total:.0%})" for name, seconds in r["phases"]))
    if len(rows) > 1:
        first = rows[0]
        for r in rows[1:]:
            print(f"{r['n']} so với {first['n']}: chạy đầu {r['cold'] / first['cold']:.1f}× "
                  f"(số sổ tính {r['n'] / first['n']:.0f}×)")


if __name__ == "__main__":
    main()
