"""A run's results as files, and read back: reports are rendered from the
output folder, so `report --results DIR` re-renders without rereading inputs.

`run.json` records the period, the sets scored (with version) and the units
that sent nothing; the registry used is copied beside it. `ke-hoach.json`, when
the run read plan workbooks, keeps what each agency reported per plan (the plan
reports are built from it, not from the inputs).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from dti_report.batch.history_files import PeriodHistory, load_history
from dti_report.core.cache import cache_dir, cached_value, keep_value, value_key
from dti_report.core.errors import DtiError
from dti_report.core.workers import Background
from dti_report.core.files import atomic_path, read_csv
from dti_report.forms.catalog import Catalog, UnknownFormError
from dti_report.forms.indicators import IndicatorSet
from dti_report.forms.units import Registry, Unit, load_registry

RUN_INFO = "run.json"
PLANS_JSON = "ke-hoach.json"
REGISTRY_COPY = "danh-muc-don-vi.yaml"
# LibYAML's emitter where PyYAML has it: the same text, a third of the time for 10,000 units.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
REGISTRY_YAML_FORMAT, REGISTRY_YAML_CACHE = "registry-yaml-1", "registry_yaml.pickle"
TEXT_COLUMNS = {"unit_code": str, "criterion": str, "index": str, "status": str, "self_status": str}


class ResultsError(DtiError):
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
    catalog: Catalog
    sets: dict[str, SetResults]
    manifest: pd.DataFrame
    issues: pd.DataFrame
    # Plans read in the run: plan id -> unit -> field -> value as reported; and the units
    # the plan expected that sent no workbook.
    plans: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)
    plan_missing: dict[str, list[Unit]] = field(default_factory=dict)
    # What units wrote beside their values, and their general information (ghi-chu.csv,
    # thong-tin-chung.csv); empty for a folder written before these files existed.
    notes: pd.DataFrame = field(default_factory=pd.DataFrame)
    info: pd.DataFrame = field(default_factory=pd.DataFrame)
    # A workspace's run: comparisons with stored periods, timeliness, adjustments (history_files).
    history: PeriodHistory = field(default_factory=PeriodHistory)
    # Official results (run --final): the scorecards give each unit's rank. A folder written
    # before runs said so had ranks on every scorecard.
    final: bool = True

    def unit_name(self, code: str) -> str:
        if not hasattr(self, "_names"):  # one index, not one per call: reports ask for thousands of names
            self._names = {u.code: u.name for u in self.registry.units}
        return self._names.get(code, code)


def unit_rows(units: list[str]) -> dict[str, range | list[int]]:
    """Each unit's row positions in a table of scores (a range when its rows are together, as
    the engine writes them and scores.csv keeps them), found by sorting the units' codes once:
    half a million rows at 10,000 units."""
    codes, distinct = pd.factorize(pd.Series(units, dtype=object), use_na_sentinel=False)
    order = np.argsort(codes, kind="stable")
    ends = np.cumsum(np.bincount(codes, minlength=len(distinct)))
    rows_of = {}
    for unit, start, end in zip(distinct, [0, *ends[:-1].tolist()], ends.tolist()):
        first, last = int(order[start]), int(order[end - 1])
        rows_of[unit] = range(first, last + 1) if last - first + 1 == end - start else order[start:end].tolist()
    return rows_of


def write_run_info(out_dir: Path, period: str, registry: Registry, set_versions: dict[str, str],
                   missing: dict[str, list[str]], form_ids: dict[str, str] | None = None,
                   background: Background | None = None, *, final: bool = False) -> list[Path]:
    """run.json: whether the results are final (run --final), and per scored set (by its key:
    the id, or "id@version" when a period held several versions) its form id, version and the
    units that sent nothing; and the registry's copy (in `background` when given: the run's
    own reports take the registry at hand)."""
    form_ids = form_ids or {}
    info = {"period": period, "registry": registry.id, "final": final,
            "sets": {key: {"form": form_ids.get(key, key), "version": version, "missing": missing.get(key, [])}
                     for key, version in set_versions.items()}}
    with atomic_path(out_dir / RUN_INFO) as tmp:
        tmp.write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    (background or Background(enabled=False)).start(write_registry_copy, registry, out_dir / REGISTRY_COPY, aside=True)
    return [out_dir / RUN_INFO, out_dir / REGISTRY_COPY]


def write_registry_copy(registry: Registry, target: Path) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(registry_yaml(registry), encoding="utf-8")
    return target


def registry_yaml(registry: Registry) -> str:
    """The registry as YAML. The last one made is kept in the user's cache folder (core.cache)
    by the registry's content: a national registry takes a second to write out, every run, and
    a workspace runs with one registry."""
    def made() -> str:
        return yaml.dump(registry.model_dump(mode="json", exclude_none=True), Dumper=_DUMPER, allow_unicode=True,
                         sort_keys=False)

    folder = cache_dir()
    if folder is None:
        return made()
    key = value_key([REGISTRY_YAML_FORMAT, yaml.__version__], [Path(__file__).parent],
                    [registry.model_dump_json(exclude_none=True).encode()])
    kept = cached_value(folder / REGISTRY_YAML_CACHE, key)
    if not isinstance(kept, str):
        kept = made()
        keep_value(folder / REGISTRY_YAML_CACHE, key, kept)
    return kept


def write_plan_values(out_dir: Path, period: str, plans: dict[str, dict], missing: dict[str, list[str]],
                      versions: dict[str, str]) -> list[Path]:
    """The plan values of the run (batch.plans) beside run.json; a run without plans
    removes the file an earlier run left, so a re-render never mixes two runs."""
    target = Path(out_dir) / PLANS_JSON
    if not plans:
        target.unlink(missing_ok=True)
        return []
    info = {"period": period,
            "plans": {plan_id: {"form": plan_id.split("@")[0], "version": versions[plan_id], "missing": missing.get(plan_id, []),
                                "values": values} for plan_id, values in plans.items()}}
    with atomic_path(target) as tmp:
        # default=str: a date a unit typed stays readable (tasks.parse_date reads ISO text)
        tmp.write_text(json.dumps(info, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return [target]


def _form(catalog: Catalog, form_id: str, version: str):
    try:
        return catalog.get(form_id, version)
    except UnknownFormError:
        raise ResultsError(f"kết quả tính theo bộ {form_id} phiên bản {version}, không có trong danh mục biểu mẫu "
                           "hiện có; hãy thêm tệp biểu mẫu đó (--forms) hoặc chạy lại lệnh run") from None


def _plan_values(out_dir: Path, by_code: dict[str, Unit], catalog: Catalog) -> tuple[dict, dict]:
    path = out_dir / PLANS_JSON
    if not path.is_file():
        return {}, {}
    info = json.loads(path.read_text(encoding="utf-8"))
    plans, missing = {}, {}
    for plan_id, meta in info["plans"].items():
        _form(catalog, meta.get("form", plan_id), meta["version"])
        plans[plan_id] = meta["values"]
        missing[plan_id] = [by_code[c] for c in meta["missing"] if c in by_code]
    return plans, missing


def _csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise ResultsError(f"thiếu tệp {path.name} trong {path.parent}")
    return read_csv(path, dtype=TEXT_COLUMNS, keep_default_na=True)


def _text_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise ResultsError(f"thiếu tệp {path.name} trong {path.parent}")
    return read_csv(path, dtype=str, keep_default_na=False)


def load_results(out_dir: Path | str, catalog: Catalog, registry: Registry | None = None) -> RunResults:
    """A run's folder as the reports read it. `registry`: the one its copy was just written
    from (a run writing its folder), instead of parsing the copy again (10,000 units: seconds)."""
    out_dir = Path(out_dir)
    info_path = out_dir / RUN_INFO
    if not info_path.is_file():
        raise ResultsError(f"{out_dir} không phải thư mục kết quả của lệnh run (thiếu {RUN_INFO})")
    info = json.loads(info_path.read_text(encoding="utf-8"))
    registry = registry if registry is not None else load_registry(out_dir / REGISTRY_COPY)
    by_code = registry.by_code()
    sets: dict[str, SetResults] = {}
    for set_id, meta in info["sets"].items():
        indicator_set = _form(catalog, meta.get("form", set_id), meta["version"])
        scores_path = out_dir / set_id / "scores.csv"
        scores = _csv(scores_path) if scores_path.exists() else None
        totals = _csv(out_dir / set_id / "totals.csv") if scores is not None else None
        if totals is not None:
            totals.columns = [str(c) for c in totals.columns]
        sets[set_id] = SetResults(indicator_set, scores, totals, [by_code[c] for c in meta["missing"] if c in by_code])
    plans, plan_missing = _plan_values(out_dir, by_code, catalog)
    written_beside = {name: _text_csv(out_dir / name) if (out_dir / name).is_file() else pd.DataFrame()
                      for name in ("ghi-chu.csv", "thong-tin-chung.csv")}
    return RunResults(out_dir, info["period"], registry, catalog, sets, _csv(out_dir / "manifest.csv"),
                      _text_csv(out_dir / "issues.csv"), plans, plan_missing,
                      written_beside["ghi-chu.csv"], written_beside["thong-tin-chung.csv"], load_history(out_dir, sets),
                      final=bool(info.get("final", True)))
