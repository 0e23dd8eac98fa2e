"""A run's results as files, and read back: reports are rendered from the
output folder, so `report --results DIR` re-renders without rereading inputs.

`run.json` records the period, the sets scored (with version) and the units
that sent nothing; the registry used is copied beside it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from .catalog import IndicatorSet, get_set
from .outputs import atomic_path
from .units import Registry, Unit, load_registry

RUN_INFO = "run.json"
REGISTRY_COPY = "danh-muc-don-vi.yaml"
TEXT_COLUMNS = {"unit_code": str, "criterion": str, "index": str, "status": str, "self_status": str}


class ResultsError(Exception):
    """The folder does not hold a complete run."""


@dataclass
class SetResults:
    indicator_set: IndicatorSet
    scores: pd.DataFrame   # as scores.csv
    totals: pd.DataFrame   # as totals.csv, ranked
    missing: list[Unit]    # registry units with no accepted workbook


@dataclass
class RunResults:
    out_dir: Path
    period: str
    registry: Registry
    sets: dict[str, SetResults]
    manifest: pd.DataFrame
    issues: pd.DataFrame

    def unit_name(self, code: str) -> str:
        if not hasattr(self, "_names"):  # one index, not one per call: reports ask for thousands of names
            self._names = {u.code: u.name for u in self.registry.units}
        return self._names.get(code, code)


def write_run_info(out_dir: Path, period: str, registry: Registry, set_versions: dict[str, str],
                   missing: dict[str, list[str]]) -> list[Path]:
    info = {"period": period, "registry": registry.id,
            "sets": {set_id: {"version": version, "missing": missing.get(set_id, [])} for set_id, version in set_versions.items()}}
    with atomic_path(out_dir / RUN_INFO) as tmp:
        tmp.write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    with atomic_path(out_dir / REGISTRY_COPY) as tmp:
        tmp.write_text(yaml.safe_dump(registry.model_dump(mode="json", exclude_none=True), allow_unicode=True, sort_keys=False),
                       encoding="utf-8")
    return [out_dir / RUN_INFO, out_dir / REGISTRY_COPY]


def _csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise ResultsError(f"thiếu tệp {path.name} trong {path.parent}")
    return pd.read_csv(path, dtype=TEXT_COLUMNS, keep_default_na=True, encoding="utf-8-sig")


def _text_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise ResultsError(f"thiếu tệp {path.name} trong {path.parent}")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def load_results(out_dir: Path | str) -> RunResults:
    out_dir = Path(out_dir)
    info_path = out_dir / RUN_INFO
    if not info_path.is_file():
        raise ResultsError(f"{out_dir} không phải thư mục kết quả của lệnh run (thiếu {RUN_INFO})")
    info = json.loads(info_path.read_text(encoding="utf-8"))
    registry = load_registry(out_dir / REGISTRY_COPY)
    by_code = registry.by_code()
    sets: dict[str, SetResults] = {}
    for set_id, meta in info["sets"].items():
        indicator_set = get_set(set_id)
        if indicator_set.version != meta["version"]:
            raise ResultsError(f"kết quả bộ {set_id} tính theo phiên bản {meta['version']}, "
                               f"công cụ hiện có phiên bản {indicator_set.version}; hãy chạy lại lệnh run")
        scores_path = out_dir / set_id / "scores.csv"
        scores = _csv(scores_path) if scores_path.exists() else None
        totals = _csv(out_dir / set_id / "totals.csv") if scores is not None else None
        if totals is not None:
            totals.columns = [str(c) for c in totals.columns]
        sets[set_id] = SetResults(indicator_set, scores, totals, [by_code[c] for c in meta["missing"] if c in by_code])
    return RunResults(out_dir, info["period"], registry, sets, _csv(out_dir / "manifest.csv"),
                      _text_csv(out_dir / "issues.csv"))
