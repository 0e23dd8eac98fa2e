"""The monitoring table of a run: every computed placeholder value saved to
results.json, and the shipped Word template rendered from it."""

from __future__ import annotations

import json

import pandas as pd
from pathlib import Path

from dti_report.forms.catalog import Catalog
from dti_report.core.errors import DtiError
from dti_report.core.files import atomic_path
from dti_report.forms.placeholders import Resolver, find_placeholders
from dti_report.renderers.common import TEMPLATE_DIR
from dti_report.renderers.monitoring_table import Finding, render_template
from dti_report.evaluation.targets import Evaluator, TargetData
from dti_report.forms.targets import TargetSet

SHIPPED_TEMPLATES = {"hcm-chi-tieu-2023": "bang-theo-doi-chi-tieu-2023.docx"}
RESULTS_JSON = "results.json"
OUTPUT_NAME = "bang-theo-doi-chi-tieu.docx"


class ResultsJsonError(DtiError):
    pass


def resolver_for(target_set: TargetSet, data: TargetData, previous: TargetData | None = None) -> Resolver:
    """The run's figures; with the previous stored period's, [[kytruoc.…]] shows them."""
    return Resolver(target_set, Evaluator(target_set, data),
                    Evaluator(target_set, previous) if previous is not None else None)


def computed_placeholders(target_set: TargetSet, resolver: Resolver) -> dict[str, str]:
    """Every placeholder the set can answer, in canonical form, and the table's own as written."""
    forms: list[str] = []
    for inp in target_set.inputs:
        forms += [inp.key, f"danhgia.{inp.key}", f"ghichu.{inp.key}", f"kytruoc.{inp.key}"]
        if inp.type == "yes-no":
            forms.append(f"sodonvi{inp.key}")
    for name, (n, d) in resolver.ratios.items():
        forms += [f"tyle.{name}", f"danhgia.tyle.{name}", f"ghichu.tyle.{name}"]
        if n and d:
            forms.append(f"tyletoanthanhpho.{n}.{d}.{name}")
    out = {}
    for form in forms:
        (ph,) = find_placeholders(f"[[{form}]]")
        out[form] = resolver.resolve(ph).text
    for row in target_set.rows:
        for text in (row.cells.value, row.cells.danhgia, row.cells.ghichu):
            for ph in find_placeholders(text):
                out.setdefault(text[ph.start:ph.end], resolver.resolve(ph).text)
    return out


def write_results_json(out_dir: Path, targets: dict[str, TargetData], forms: dict[str, TargetSet],
                       previous: dict[str, TargetData] | None = None) -> Path:
    payload = {"sets": {}}
    previous = previous or {}
    for set_id, data in targets.items():
        target_set = forms[set_id]
        earlier = previous.get(set_id)
        payload["sets"][set_id] = {"data": data.to_json(),
                                   "placeholders": computed_placeholders(target_set,
                                                                         resolver_for(target_set, data, earlier))}
        if earlier is not None:
            payload["sets"][set_id]["previous"] = earlier.to_json()
    with atomic_path(out_dir / RESULTS_JSON) as tmp:
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return out_dir / RESULTS_JSON


def load_results_json(results_dir: Path, catalog: Catalog, set_id: str | None = None) -> tuple[TargetSet, TargetData]:
    path = Path(results_dir) / RESULTS_JSON
    if not path.is_file():
        raise ResultsJsonError(f"{results_dir} không có {RESULTS_JSON} (chạy lệnh run trước)")
    sets = json.loads(path.read_text(encoding="utf-8"))["sets"]
    if not sets:
        raise ResultsJsonError(f"{path} không có số liệu chỉ tiêu nào")
    if set_id is None:
        if len(sets) > 1:
            raise ResultsJsonError(f"{path} có nhiều bảng chỉ tiêu ({', '.join(sets)}); chọn bằng --set")
        set_id = next(iter(sets))
    if set_id not in sets:
        raise ResultsJsonError(f"{path} không có bảng chỉ tiêu {set_id}")
    data = TargetData.from_json(sets[set_id]["data"])
    if data.set_id not in catalog or data.set_version not in catalog.forms[data.set_id]:
        raise ResultsJsonError(f"kết quả tính theo bảng {set_id} phiên bản {data.set_version}, không có trong danh mục "
                               "biểu mẫu hiện có; hãy thêm tệp biểu mẫu đó (--forms) hoặc chạy lại lệnh run")
    return catalog.get(data.set_id, data.set_version), data


def write_monitoring(out_dir: Path, targets: dict[str, TargetData], forms: dict[str, TargetSet],
                     previous: dict[str, TargetData] | None = None) -> tuple[list[Path], list[Finding]]:
    """results.json, and each target set's shipped table rendered into the output folder."""
    previous = previous or {}
    written = [write_results_json(out_dir, targets, forms, previous)]
    findings: list[Finding] = []
    for set_id, data in targets.items():
        name = SHIPPED_TEMPLATES.get(set_id)
        if name is None or not (TEMPLATE_DIR / name).is_file():
            continue
        target_set = forms[set_id]
        target = out_dir / OUTPUT_NAME if len(targets) == 1 else out_dir / f"bang-theo-doi-{set_id}.docx"
        findings += render_template(TEMPLATE_DIR / name, resolver_for(target_set, data, previous.get(set_id)), target)
        written.append(target)
    return written, findings


FINDINGS_CSV = "placeholder.csv"
FINDING_STATUS = {"exact": "khớp chính xác", "fuzzy": "khớp gần đúng", "unknown": "không xác định"}


def findings_frame(findings: list[Finding]):
    """Every placeholder of the rendered tables, how it was written and what it resolved to."""
    rows = [{"location": f.location, "written": f.written, "status": f.status,
                    "status_label": FINDING_STATUS[f.status], "resolved": f.resolution.resolved,
                    "notes": "; ".join(f.resolution.findings)} for f in findings]
    return pd.DataFrame(rows, columns=["location", "written", "status", "status_label", "resolved", "notes"])


def previous_json(results_dir: Path, set_id: str | None = None) -> TargetData | None:
    """The previous stored period's figures a workspace's run kept beside its own, if any."""
    path = Path(results_dir) / RESULTS_JSON
    if not path.is_file():
        return None
    sets = json.loads(path.read_text(encoding="utf-8"))["sets"]
    if set_id is None and len(sets) == 1:
        set_id = next(iter(sets))
    earlier = sets.get(set_id, {}).get("previous") if set_id else None
    return TargetData.from_json(earlier) if earlier else None
