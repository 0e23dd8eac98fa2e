"""Build the sample workspace (output/khong-gian-mau/ by default): two years of the Sở,
ban, ngành DTI (2022 and 2023) and two months of the monitoring table (11 and 12/2023),
run the way a clerk runs them, so the first outputs show the comparison with the
previous period, the trend, timeliness, reminders and Sở TTTT's adjustments.

The inputs come from the fixed samples in input_samples/: the 2023 workbooks as they
are, the 2022 year and the two months made from them (numerators and yes/no answers
a little lower a year earlier; every figure a little lower in November). Files arrive
in batches with set file times and each run has a set moment, so every build gives the
same arrivals: most units on time, two late by three days, one missing.

    .venv/bin/python scripts/build_sample_workspace.py [--out output/khong-gian-mau]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import zoneinfo
from pathlib import Path

import yaml

from dti_report.batch.workspace import load_workspace
from dti_report.forms.units import builtin_registry
from dti_report.kinds import catalog
from dti_report.in_force import workspace_catalog, workspace_settings
from dti_report.pipeline import export, init_workspace, record_adjustments, run_in_workspace, write_reminders
from dti_report.workbook.layout import template_file_name
from dti_report.workbook.reader import ACCEPTED, read_submission
from dti_report.workbook.target_templates import write_target_template
from dti_report.workbook.templates import write_template

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "input_samples"
ZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
NAME = "Sở Thông tin và Truyền thông Thành phố Hồ Chí Minh"
DEADLINES = {"hcm-dti-so": {"2022": "2023-01-16", "2023": "2024-01-15"},
             "hcm-chi-tieu-2023": {"2023-11": "2023-12-05", "2023-12": "2024-01-05"}}
LATE = {"hcm-dti-so": ["so-y-te", "thanh-tra"], "hcm-chi-tieu-2023": ["h-can-gio", "q-tan-phu"]}
NEVER_2022 = "so-ngoai-vu"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZONE)


def sample_values(folder: Path, period: str) -> dict[str, dict[str, object]]:
    """unit -> field -> value of the sample workbooks of a folder, as read."""
    registry, found = builtin_registry(), catalog()
    out: dict[str, dict[str, object]] = {}
    for path in sorted(folder.glob("*.xlsx")):
        sub = read_submission(path, folder, registry, period, catalog=found)
        if sub.status == ACCEPTED:
            out[sub.unit_code] = {field: value for _, field, value, *_ in sub.records if value not in ("", None)}
    return out


def earlier(values: dict[str, object], rng: random.Random, share: float, flip: float) -> dict[str, object]:
    """The same unit a period earlier: counts of what was done lower (a ≤ b kept), some "yes" a "no"."""
    out = {}
    for field, value in values.items():
        if field.endswith((".a", ".c")) and isinstance(value, float) and value == int(value):
            value = float(int(value * share))
        elif isinstance(value, str) and value.strip().lower() in ("có", "x", "1") and rng.random() < flip:
            value = "Không"
        out[field] = value
    return out


def drop(ws, period: str, files: list[tuple[Path, str]], when: dt.datetime) -> None:
    """Workbooks saved into the period's inbox, their file time the moment they came."""
    inbox = ws.inbox(period)
    inbox.mkdir(parents=True, exist_ok=True)
    for source, name in files:
        target = inbox / name
        shutil.copyfile(source, target)
        os.utime(target, (when.timestamp(), when.timestamp()))


def build(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    registry_file = out.parent / ".danh-muc-mau.yaml"
    registry = builtin_registry().model_dump(mode="json", exclude_none=True)
    for unit in registry["units"]:
        unit["email"] = f"{unit['code']}@example.org"  # the sample's addresses: replace with the units' own
    out.parent.mkdir(parents=True, exist_ok=True)
    registry_file.write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False), encoding="utf-8")
    init_workspace(out, NAME, units=registry_file)
    registry_file.unlink()
    settings_file = out / "dti-report.yaml"
    settings_text = settings_file.read_text(encoding="utf-8").replace(
        "deadlines: {}", "deadlines:\n" + "".join(
            f"  {set_id}:\n" + "".join(f'    "{p}": {d}\n' for p, d in periods.items())
            for set_id, periods in DEADLINES.items()))
    settings_file.write_text(settings_text.replace("sender:\n", "sender: Phòng Chuyển đổi số <cds@example.org>\n"),
                             encoding="utf-8")
    ws = load_workspace(out)
    found, settings = workspace_catalog(ws), workspace_settings(ws)
    units = ws.registry().by_code()

    def run(period: str, moment: str, final: bool = False) -> None:
        """final: the period's official results, once every file is in (run --final)."""
        outcome = run_in_workspace(ws, period, found, settings, workers=2, now=at(moment), final=final)
        read = len(outcome.batch.submissions) - len(outcome.batch.stored)
        print(f"{period} ({moment}): {read} tệp đọc mới, {len(outcome.batch.stored)} tệp đã có trong kho")

    staging = out / ".tam"
    # --- the DTI of the Sở, ban, ngành: 2022, made from 2023 ---------------------------------
    so = found.get("hcm-dti-so")
    values_2023 = sample_values(SAMPLES / "bieu-mau-2023" / "so-nganh", "2023")
    rng = random.Random(2022)
    made = []
    for code, values in sorted(values_2023.items()):
        if code == NEVER_2022:
            continue
        path = staging / template_file_name(code, so.id, "2022")
        write_template(so, units[code], "2022", path, values=earlier(values, rng, rng.uniform(0.55, 0.95), 0.25))
        made.append((path, path.name))
    on_time = [f for f in made if f[1].split("_")[0] not in LATE["hcm-dti-so"]]
    drop(ws, "2022", on_time, at("2023-01-10 15:00"))
    run("2022", "2023-01-17 08:00")
    drop(ws, "2022", [f for f in made if f not in on_time], at("2023-01-18 09:00"))
    run("2022", "2023-01-19 08:00", final=True)

    # --- 2023: the sample inbox itself, the draft included -------------------------------------
    folder = SAMPLES / "bieu-mau-2023"
    files = [(p, p.name) for p in sorted((folder / "so-nganh").glob("*.xlsx"))]
    late = [f for f in files if f[1].split("_")[0] in LATE["hcm-dti-so"]]
    drop(ws, "2023", [f for f in files if f not in late], at("2024-01-12 16:00"))
    drop(ws, "2023", [(folder / "ban-nhap" / "so-tttt_hcm-dti-so_2023.xlsx", "ban-nhap-so-tttt_hcm-dti-so_2023.xlsx")],
         at("2024-01-08 10:00"))
    run("2023", "2024-01-15 17:00")
    drop(ws, "2023", late, at("2024-01-18 09:00"))
    run("2023", "2024-01-18 10:00")
    added = record_adjustments(ws, "2023", SAMPLES / "hcm-dti-so-2023-dieu-chinh.csv", found,
                               by="Phòng Chuyển đổi số", now=at("2024-01-19 08:30"))
    print(f"2023: {added} điều chỉnh của Sở ghi vào kho dữ liệu")
    run("2023", "2024-01-19 09:00", final=True)

    # --- the monitoring table, November and December 2023 ------------------------------------
    targets = found.get("hcm-chi-tieu-2023")
    figures = sample_values(folder / "chi-tieu", "2023")
    rng = random.Random(202311)
    for period, share, moment, deadline_run in (("2023-11", 0.9, "2023-12-04 10:00", "2023-12-06 08:00"),
                                                ("2023-12", 1.0, "2024-01-04 10:00", "2024-01-06 08:00")):
        made = []
        for code, values in sorted(figures.items()):
            path = staging / template_file_name(code, targets.id, period)
            month = earlier(values, rng, share, 0.0 if share == 1.0 else 0.1)
            write_target_template(targets, units[code], period, path, values=month)
            made.append((path, path.name))
        late = [f for f in made if f[1].split("_")[0] in LATE["hcm-chi-tieu-2023"]] if period == "2023-12" else []
        drop(ws, period, [f for f in made if f not in late], at(moment))
        run(period, deadline_run)
    reminders, _ = write_reminders(ws, "2023-12", found, at("2024-01-06 08:30"))
    print(f"2023-12: {len(reminders)} thư nhắc trong {ws.reminders('2023-12')}")
    drop(ws, "2023-12", late, at("2024-01-08 14:00"))
    run("2023-12", "2024-01-08 15:00")
    shutil.rmtree(staging)
    for path in export(ws, ws.root / "ket-qua" / "kho-du-lieu.csv"):
        print(f"Đã ghi {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Dựng không gian làm việc mẫu.")
    parser.add_argument("--out", type=Path, default=ROOT / "output" / "khong-gian-mau")
    build(parser.parse_args().out)


if __name__ == "__main__":
    main()
