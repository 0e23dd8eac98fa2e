"""Benchmark of score_long_files end to end (read + validate + score, self and verified).

Writes synthetic long-format CSV data for N units of hcm-dti-huyen (plus a small
overrides file) to a temporary folder, then times scoring, best of 3 runs.

    .venv/bin/python benchmarks/bench_score.py                # 100, 1000, 5000 units
    .venv/bin/python benchmarks/bench_score.py --units 20000 --repeat 1
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

from dti_report.forms.indicators import IndicatorSet
from dti_report.forms.rules import CappedCountRule, PartsRule
from dti_report.kinds import get_form
from dti_report.evaluation.scoring import score_long_files

SET_ID = "hcm-dti-huyen"
OVERRIDES = 20


def denominators(rule) -> set[str]:
    """Fields a rule divides by (a capped count's total included)."""
    if isinstance(rule, PartsRule):
        return set().union(*(denominators(p.rule) for p in rule.parts))
    if isinstance(rule, CappedCountRule):
        return {rule.of} if rule.of else set()
    measure = getattr(rule, "measure", None)  # ratio, tiers, min-max
    return set(measure.denominator) if measure else set()


def value(rng: random.Random, field, is_denominator: bool) -> str:
    if field.type == "yes-no":
        return rng.choice(["Có", "có", "x", "1", "Không", "0"])
    if field.type == "choice":
        return str(rng.randint(1, len(field.options)))
    if field.type == "percent":
        return f"{rng.uniform(30, 95):.1f}%".replace(".", ",")
    if rng.random() < 0.03:
        return ""  # blank
    if is_denominator:  # numerators stay below any sum of denominators
        n = rng.randint(4000, 90000)
        return f"{n:,}".replace(",", ".") if rng.random() < 0.5 else str(n)
    return str(rng.randint(0, 999))


def write_data(iset: IndicatorSet, units: int, folder: Path) -> tuple[Path, Path, int]:
    rng = random.Random(units)
    dens = set().union(*(denominators(c.rule) for c in iset.criteria))
    fields = list(iset.fields.values())
    rows = [(f"u{u:05d}", f.id, value(rng, f, f.id in dens)) for u in range(units) for f in fields]
    data, overrides = folder / f"data-{units}.csv", folder / f"overrides-{units}.csv"
    with data.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([("unit_code", "field", "value"), *rows])
    with overrides.open("w", encoding="utf-8", newline="") as fh:
        fixes = [(u, f, value(rng, iset.fields[f], f in dens), "Sở TTTT xác minh lại")
                 for u, f, _ in rng.sample(rows, min(OVERRIDES, len(rows)))]
        csv.writer(fh, lineterminator="\n").writerows([("unit_code", "field", "value", "reason"), *fixes])
    return data, overrides, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="+", default=[100, 1000, 5000], help="unit counts to time")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the best is kept")
    args = parser.parse_args()
    iset = get_form(SET_ID)
    print(f"{SET_ID}: {len(iset.fields)} fields per unit, {OVERRIDES} overrides; best of {args.repeat}")
    print(f"{'units':>7} {'rows':>9} {'seconds':>9} {'rows/s':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for units in args.units:
            data, overrides, rows = write_data(iset, units, Path(tmp))
            best = float("inf")
            for _ in range(args.repeat):
                start = time.perf_counter()
                score_long_files(iset, data, overrides)
                best = min(best, time.perf_counter() - start)
            print(f"{units:>7} {rows:>9} {best:>9.3f} {rows / best:>9,.0f}")


if __name__ == "__main__":
    main()
