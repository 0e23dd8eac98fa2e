"""Benchmark of the monthly batch: `dti-report run` over N filled unit workbooks,
beside a naive loop of pandas.read_excel (openpyxl engine) over the same files.

Generates a registry of N districts and one pre-filled hcm-dti-huyen workbook
each (random values, as bench_score.py makes them) in a temporary folder, then
times, in one run:
  - `dti-report run` as a subprocess: read, validate, score and write every
    output (manifest, issues, scores, the summary workbook and one feedback
    workbook per unit), with its peak memory (the largest process: the command
    or one of its workers);
  - the read + validate + score part alone (run_batch, in this process);
  - a loop calling pandas.read_excel(path, sheet_name="Nhập liệu", engine="openpyxl")
    on each file: reading only, no validation or scoring.

    .venv/bin/python benchmarks/bench_batch.py                   # 1000 workbooks
    .venv/bin/python benchmarks/bench_batch.py --workbooks 200 --workers 1
    .venv/bin/python benchmarks/bench_batch.py --workbooks 200 --phases   # and where a run spends its time
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_score import denominators, value  # noqa: E402

from dti_report.core.progress import Progress  # noqa: E402
from dti_report.pipeline import run_batch, run_period  # noqa: E402
from dti_report.reports.settings import load_settings  # noqa: E402
from dti_report.kinds import catalog, get_form  # noqa: E402
from dti_report.workbook.layout import INPUT_SHEET, template_file_name  # noqa: E402
from dti_report.workbook.templates import write_template  # noqa: E402
from dti_report.forms.units import Unit, load_registry  # noqa: E402

SET_ID, PERIOD, LEVEL = "hcm-dti-huyen", "2023", "quan-huyen"


def write_registry(n: int, path: Path) -> list[Unit]:
    units = [Unit(code=f"bench-{i:05d}", name=f"Đơn vị thử {i}", level=LEVEL) for i in range(n)]
    path.write_text(yaml.safe_dump({
        "id": "bench", "title": "Danh mục đơn vị thử hiệu năng",
        "levels": [{"id": LEVEL, "name": "Quận, huyện", "sets": [SET_ID]}],
        "units": [u.model_dump(exclude_none=True) for u in units],
    }, allow_unicode=True), encoding="utf-8")
    return units


def make_workbook(args: tuple[Unit, Path, int]) -> Path:
    unit, folder, seed = args
    iset = get_form(SET_ID)
    rng = random.Random(seed)
    dens = set().union(*(denominators(c.rule) for c in iset.criteria))
    values = {f.id: value(rng, f, f.id in dens) for f in iset.fields.values()}
    return write_template(iset, unit, PERIOD, folder / template_file_name(unit.code, SET_ID, PERIOD), values=values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workbooks", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None, help="passed to dti-report run (default: its own)")
    parser.add_argument("--naive-sample", type=int, default=None,
                        help="time the naive loop on this many files and extrapolate (default: all)")
    parser.add_argument("--phases", action="store_true",
                        help="run once more in this process and print each phase's seconds and share")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inbox, out = root / "inbox", root / "out"
        inbox.mkdir()
        units = write_registry(args.workbooks, root / "units.yaml")
        start = time.perf_counter()
        with ProcessPoolExecutor() as pool:
            list(pool.map(make_workbook, [(u, inbox, i) for i, u in enumerate(units)], chunksize=16))
        size = sum(p.stat().st_size for p in inbox.iterdir())
        print(f"{args.workbooks} sổ tính ({size / 1024 / 1024:.1f} MB) được tạo trong {time.perf_counter() - start:.1f} s")

        command = [sys.executable, "-m", "dti_report.cli", "run", "--period", PERIOD, "--inputs", str(inbox),
                   "--out", str(out), "--units", str(root / "units.yaml")]
        if args.workers:
            command += ["--workers", str(args.workers)]
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        run_seconds = time.perf_counter() - start
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

        start = time.perf_counter()
        run_batch(inbox, PERIOD, load_registry(root / "units.yaml"), workers=args.workers)
        core_seconds = time.perf_counter() - start

        files = sorted(inbox.iterdir())
        sample = files[: args.naive_sample] if args.naive_sample else files
        start = time.perf_counter()
        for path in sample:
            pd.read_excel(path, sheet_name=INPUT_SHEET, engine="openpyxl")
        naive_seconds = (time.perf_counter() - start) * len(files) / len(sample)

        note = "" if len(sample) == len(files) else f" (ước từ {len(sample)} tệp)"
        rows = [("dti-report run: đọc, kiểm tra, chấm, ghi mọi kết quả", run_seconds, ""),
                ("  trong đó đọc, kiểm tra, chấm điểm (run_batch)", core_seconds, ""),
                ("pandas.read_excel, openpyxl: chỉ đọc", naive_seconds, note)]
        print(f"{'':<54} {'giây':>7} {'tệp/giây':>9} {'so với cách đọc đơn giản':>26}")
        for label, seconds, extra in rows:
            print(f"{label:<54} {seconds:>7.2f} {len(files) / seconds:>9.1f} {naive_seconds / seconds:>25.1f}×{extra}")
        print(f"bộ nhớ đỉnh của tiến trình lớn nhất khi chạy dti-report run: {peak_mib:.0f} MiB")
        if args.phases:
            progress = Progress()
            run_period(inbox, root / "out-phases", PERIOD, load_registry(root / "units.yaml"), catalog(),
                       load_settings(), workers=args.workers, progress=progress)
            total = sum(seconds for _, seconds in progress.durations())
            for name, seconds in progress.durations():
                print(f"  {name:<30} {seconds:>7.2f} s {100 * seconds / total:>5.1f} %")


if __name__ == "__main__":
    main()
