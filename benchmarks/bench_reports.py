"""Benchmark of a run's report writing: the scorecards, the set report and the
analysts' workbook, each timed on its own over an inbox already filled.

Reads the inbox with run_batch, writes the run's files the way
pipeline.write_outputs does (run files, each kind's outputs, plan values,
history files), loads the results back, then times each report phase. Each
phase runs in a forked child, so its peak memory is its own: the figure given
is the child's peak resident size less what it had when it started.

    .venv/bin/python benchmarks/bench_reports.py --inbox INBOX --units units.yaml --period 2023
    .venv/bin/python benchmarks/bench_reports.py ... --scorecards 200     # a sample of the scorecards

Make an inbox with bench_batch.py / workbook_pool.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from dti_report.batch.history_files import write_history_files
from dti_report.batch.results import load_results, write_plan_values
from dti_report.batch.run_folder import write_run_files
from dti_report.forms.units import load_registry
from dti_report.kinds import catalog as default_catalog
from dti_report.kinds import kind_of
from dti_report.pipeline import run_batch
from dti_report.reports.scorecard_context import ScorecardFacts
from dti_report.reports.rendering import SCORECARD_DIR, render_scorecards, render_set_report
from dti_report.reports.settings import load_settings
from dti_report.reports.workbook import write_results_workbook

DAY = dt.date(2024, 1, 15)


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def prepare(inbox: Path, units: Path, period: str, out: Path, workers: int | None):
    catalog = default_catalog()
    start = time.perf_counter()
    batch = run_batch(inbox, period, load_registry(units), catalog, workers=workers)
    print(f"run_batch: {time.perf_counter() - start:.1f} s")
    write_run_files(batch, out)
    by_kind: dict[str, list[str]] = defaultdict(list)
    for form_id, fb in batch.forms.items():
        by_kind[fb.form.kind].append(form_id)
    for form_ids in by_kind.values():
        kind_of(batch.forms[form_ids[0]].form).write_outputs(batch, form_ids, out)
    write_plan_values(out, batch.period, batch.plans, {p: [u.code for u in batch.missing.get(p, [])] for p in batch.plans},
                      {p: batch.forms[p].form.version for p in batch.plans})
    write_history_files(out, batch, None, None, {}, None, None)
    return load_results(out, catalog)


def _phase(queue, name, fn):
    base = _rss_mib()
    wall, cpu = time.perf_counter(), time.process_time()
    detail = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu += children.ru_utime + children.ru_stime
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((name, wall, cpu, peak - base, detail))


def run_phase(name, fn):
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_phase, args=(queue, name, fn))
    child.start()
    result = queue.get()
    child.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument("--units", type=Path, required=True)
    parser.add_argument("--period", default="2023")
    parser.add_argument("--workers", type=int, default=2, help="for run_batch and the pooled scorecards")
    parser.add_argument("--scorecards", type=int, default=None, help="render only this many scorecards (workers=1)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="a folder for the run's files: made on the first call, read again on the next")
    parser.add_argument("--skip", default="", help="phases to leave out, comma separated: "
                        "contexts,scorecards,pool,report,workbook")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    settings = load_settings(None)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp) / "out"
        if args.keep is not None and (out / "run.json").is_file():
            results = load_results(out, default_catalog())
        else:
            out.mkdir(parents=True, exist_ok=True)
            results = prepare(args.inbox, args.units, args.period, out, args.workers)
        sets = [s for s, sr in results.sets.items() if sr.totals is not None and len(sr.totals)]
        set_id = sets[0]
        units = len(results.sets[set_id].totals)
        print(f"bộ chỉ số {set_id}: {units} đơn vị")
        phases = []

        def contexts():
            maker = ScorecardFacts(results, set_id, settings, DAY)
            facts = [f for _, f in maker.units()]
            start = time.process_time()
            for f in facts:
                maker.context(f)
            return f"trong đó dựng ngữ cảnh từ dữ kiện {1000 * (time.process_time() - start):.0f} ms"

        def scorecards():
            shutil.rmtree(out / SCORECARD_DIR, ignore_errors=True)  # a run writes into a new folder
            if args.scorecards:
                sr = results.sets[set_id]
                sr.totals = sr.totals.head(args.scorecards)
            paths = render_scorecards(results, set_id, settings, DAY, workers=1)
            return len(paths)

        def pool():
            shutil.rmtree(out / SCORECARD_DIR, ignore_errors=True)
            return len(render_scorecards(results, set_id, settings, DAY, workers=args.workers))

        if "contexts" not in skip:
            phases.append(("ngữ cảnh phiếu (dữ kiện từng đơn vị + ngữ cảnh)", contexts))
        if "scorecards" not in skip:
            phases.append(("phiếu kết quả, workers=1", scorecards))
        if "pool" not in skip:
            phases.append((f"phiếu kết quả, workers={args.workers}", pool))
        if "report" not in skip:
            phases.append(("báo cáo bộ chỉ số (docx, biểu đồ)", lambda: render_set_report(results, set_id, settings, DAY).stat().st_size))
        if "workbook" not in skip:
            phases.append(("sổ tính tổng hợp ket-qua-tong-hop.xlsx", lambda: write_results_workbook(results).stat().st_size))
        print(f"{'':<46} {'giây':>7} {'CPU s':>7} {'bộ nhớ MiB':>11}  chi tiết")
        for label, fn in phases:
            name, wall, cpu, mem, detail = run_phase(label, fn)
            if isinstance(detail, int) and "phiếu" in label:
                detail = f"{detail} phiếu, {1000 * cpu / detail:.2f} ms CPU/phiếu"
            elif isinstance(detail, int):
                detail = f"{detail / 1024:.0f} KiB"
            print(f"{name:<46} {wall:>7.2f} {cpu:>7.2f} {mem:>11.0f}  {detail}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
