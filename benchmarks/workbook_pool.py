"""Filled district workbooks for the benchmarks, made once and kept between runs.

The pool folder holds `bench-00000 … bench-NNNNN` workbooks of hcm-dti-huyen (random
values, as bench_score.py makes them) and a stamp of the template fingerprint: a
change in what the template asks makes the pool again. A benchmark of N units links
the first N into its own inbox (hard links: no copy, no symbolic link the inbox
would refuse to follow).

    .venv/bin/python benchmarks/workbook_pool.py --count 10100
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_score import denominators, value  # noqa: E402

from dti_report.forms.units import Unit  # noqa: E402
from dti_report.kinds import get_form  # noqa: E402
from dti_report.workbook.layout import template_file_name, template_hash  # noqa: E402
from dti_report.workbook.templates import write_template  # noqa: E402

SET_ID, PERIOD, LEVEL = "hcm-dti-huyen", "2023", "quan-huyen"
DEFAULT_POOL = Path(__file__).resolve().parent / "so-tinh"


def unit(i: int) -> Unit:
    return Unit(code=f"bench-{i:05d}", name=f"Đơn vị thử {i}", level=LEVEL)


def file_name(i: int) -> str:
    return template_file_name(unit(i).code, SET_ID, PERIOD)


def write_registry(n: int, path: Path) -> None:
    path.write_text(yaml.safe_dump({
        "id": "bench", "title": "Danh mục đơn vị thử hiệu năng",
        "levels": [{"id": LEVEL, "name": "Quận, huyện", "sets": [SET_ID]}],
        "units": [unit(i).model_dump(exclude_none=True) for i in range(n)],
    }, allow_unicode=True), encoding="utf-8")


def _make(args: tuple[int, str]) -> None:
    i, folder = args
    iset = get_form(SET_ID)
    rng = random.Random(i)
    dens = set().union(*(denominators(c.rule) for c in iset.criteria))
    values = {f.id: value(rng, f, f.id in dens) for f in iset.fields.values()}
    target = Path(folder) / file_name(i)
    tmp = target.with_suffix(".tmp")
    write_template(iset, unit(i), PERIOD, tmp, values=values)
    os.replace(tmp, target)  # a pool cut short holds whole workbooks only


def ensure_pool(count: int, folder: Path = DEFAULT_POOL, workers: int | None = None) -> Path:
    """The pool holds at least `count` workbooks of the current template."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp, fingerprint = folder / "template-hash", template_hash(get_form(SET_ID))
    if not stamp.is_file() or stamp.read_text().strip() != fingerprint:
        for old in folder.glob("*.xlsx"):
            old.unlink()
        stamp.write_text(fingerprint)
    missing = [i for i in range(count) if not (folder / file_name(i)).is_file()]
    if missing:
        start = time.perf_counter()
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_make, [(i, str(folder)) for i in missing], chunksize=32))
        print(f"{len(missing)} sổ tính mẫu được tạo trong {time.perf_counter() - start:.0f} s", flush=True)
    return folder


def link_inbox(pool: Path, inbox: Path, numbers: range) -> None:
    inbox.mkdir(parents=True, exist_ok=True)
    for i in numbers:
        target = inbox / file_name(i)
        if not target.exists():
            os.link(pool / file_name(i), target)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10100)
    parser.add_argument("--pool", type=Path, default=DEFAULT_POOL)
    args = parser.parse_args()
    ensure_pool(args.count, args.pool)
