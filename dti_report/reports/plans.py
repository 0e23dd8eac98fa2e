"""Reports in the shape of a plan: KH 68/KH-UBND of Thành phố Hồ Chí Minh and
KH 4233/KH-UBND of Ninh Thuận, each a task appendix (Phụ lục 1) and an
appendix assigning the provincial DTI criteria (Phụ lục 2).

bao-cao-<plan>-<period>.docx (template dti_report/data/templates/bao-cao-<plan>.docx, the
same header, signature and layout as the DTI report) and its .xlsx: I. the
tasks' standings, II. the criteria with what their lead agencies reported
(and, for a plan with a baseline, the baseline beside the period's figures),
III. the difficulties and proposals the agencies wrote. Everything comes from
RunResults.plans (ke-hoach.json): `report --results` re-renders without
rereading the inputs. A report is rendered when the run read either of its
plans; the other one then reads as "nobody reported".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dti_report.core import formatting as fmt
from dti_report.evaluation.plans import (CriterionReport, TaskReport, assignment_proposals, assignment_reports,
                            assignment_table, current_figures, task_report)
from dti_report.forms.plans import ASSIGNMENT_STATUSES, AssignedCriterion, AssignmentSet, Deadline, TaskSet
from dti_report.batch.results import RunResults
from dti_report.reports.settings import ReportSettings
from dti_report.evaluation.tasks import IN_PROGRESS, INVALID_REPORT, LATE, NO_REPORT, ON_TIME, OVERDUE, STANDING_LABELS, Standing, period_end
from dti_report.forms.units import Registry, Unit
from dti_report.workbook.xlsx import FONT, workbook, write_table
from dti_report.reports.context import header_context, names_list
from dti_report.renderers.documents import find_template, render_docx

# How the summary sentence says each standing ("3 nhiệm vụ hoàn thành đúng hạn").
STANDING_PHRASES = {
    ON_TIME: "hoàn thành đúng hạn",
    LATE: "hoàn thành trễ hạn",
    IN_PROGRESS: "đang thực hiện",
    OVERDUE: "đã quá hạn nhưng chưa hoàn thành",
    NO_REPORT: "chưa có báo cáo của đơn vị chủ trì",
    INVALID_REPORT: "có báo cáo nhưng số liệu lỗi, chờ đơn vị sửa",
}
REPORTED = ASSIGNMENT_STATUSES[0].label  # "Đã có số liệu": said beside a value adds nothing
NO_DATA = "Chưa có số liệu"
# Beyond this many agencies a "not reported" cell gives a count and the first few names (the
# workbook keeps the full list): a criterion led by every district would fill the page otherwise.
MAX_NAMES = 3


@dataclass(frozen=True)
class PlanReport:
    id: str            # file names and settings key: bao-cao-<id>-<period>.docx, templates.<id>
    tasks: str         # the task appendix (Phụ lục 1)
    assignments: str   # the criteria appendix (Phụ lục 2)
    template: str

    def file_name(self, period: str, suffix: str) -> str:
        return f"bao-cao-{self.id}-{period}{suffix}"


PLAN_REPORTS = (
    PlanReport("kh68", "kh68-nhiem-vu", "kh68-dti-tinh", "bao-cao-kh68.docx"),
    PlanReport("kh4233", "ninhthuan-kh4233-nhiem-vu", "ninhthuan-kh4233-phan-cong", "bao-cao-kh4233.docx"),
)


def reports_for(results: RunResults) -> list[PlanReport]:
    """The plan reports a run calls for: those whose task or criteria appendix it read."""
    return [spec for spec in PLAN_REPORTS if spec.tasks in results.plans or spec.assignments in results.plans]


# ---------------------------------------------------------------- small texts

def day_month_year(text: str) -> str:
    """'2021-03-10' -> '10/03/2021': every date of the report in one style, dd/mm/yyyy."""
    return fmt.short_date(dt.date.fromisoformat(text))


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


_CLOSING = {"(": ")", "“": "”", "[": "]", '"': '"'}


def shorten(text: str, limit: int = 90) -> str:
    """A task's content cut at a word, to name it in a list; a bracket or quote opened in what is
    kept is cut off with what follows it, so nothing opened is left unclosed."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    while True:
        stack: list[tuple[str, int]] = []
        for i, ch in enumerate(cut):
            if stack and ch == _CLOSING[stack[-1][0]]:
                stack.pop()
            elif ch in _CLOSING:
                stack.append((ch, i))
        if not stack:
            break
        cut = cut[:stack[0][1]]
    return cut.rstrip(" ,;:.–-") + "…"


def full_stop(text: str) -> str:
    """What a unit typed, ending as a sentence in the list."""
    text = " ".join(str(text).split())
    return text if not text or text.endswith((".", "!", "?", "…", ";", ":")) else text + "."


def join_words(parts: list[str]) -> str:
    """'a, b và c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} và {parts[-1]}"


def shown_value(value) -> str:
    """A reported value as text: numbers the Vietnamese way, text as typed."""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, (int, float)):
        return fmt.number(value, 4)
    return str(value or "").strip()


_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}
# A lead agency the registry does not hold sends no workbook: nobody reports on its items.
NO_REPORTER = "Chưa có đầu mối báo cáo"


def deadline_short(deadline: Deadline) -> str:
    """'Tháng 02/2021', 'Quý IV/2022', 'Năm 2021', 'Thường xuyên': the deadline column stays
    narrow; the plan's own words (some are a sentence long) stay in the workbook. Months with
    two digits, as every date of the report (dd/mm/yyyy)."""
    kind, value = deadline.kind, deadline.value
    if kind == "date":
        return fmt.short_date(dt.date.fromisoformat(value))
    if kind == "month":
        year, month = value.split("-")
        return f"Tháng {month}/{year}"
    if kind == "quarter":
        return f"Quý {_ROMAN[value[-1]]}/{value[:4]}"
    if kind == "year":
        return f"Năm {value}"
    return {"continuous": "Thường xuyên", "project": "Theo tiến độ đề án, dự án", "issued": "Đã ban hành"}[kind]


def task_note(s: Standing, documents: str, has_lead: bool) -> str:
    """The standing's note and the documents reported. The plan's deadline words are given short
    (the deadline column has them); "no report" is the standing column's already."""
    if not has_lead:
        return NO_REPORTER
    short = deadline_short(s.task.deadline)
    note = s.note.replace(s.task.deadline.text, short[:1].lower() + short[1:]) if s.task.deadline.text else s.note
    if s.standing == NO_REPORT:
        note = note.removeprefix("chưa có báo cáo của đơn vị chủ trì").lstrip("; ")
    parts = ([sentence_case(note)] if note else []) + ([documents] if documents else [])
    return "; ".join(parts)


def missing_units(results: RunResults, plan: TaskSet | AssignmentSet) -> list[Unit]:
    """The plan's agencies that sent no workbook: as the run found them, or, when nobody
    sent anything for the plan, every agency it gives something to."""
    if plan.id in results.plan_missing:
        return results.plan_missing[plan.id]
    return plan.expected_units(results.registry)


# ---------------------------------------------------------------- I. tasks

def _task_groups(plan: TaskSet, rows_of: dict[str, dict]) -> list[dict]:
    """The table's bands in the plan's order: a part's heading ("B. Nhóm nhiệm vụ trọng tâm …")
    before its first group, then each group ("I. Nhóm Nhận thức số") with its tasks."""
    out, opened = [], set()
    for group in plan.groups:
        part = next((p for p in plan.parts if group.id.startswith(p.id + ".")), None)
        if part is not None and part.id not in opened:
            opened.add(part.id)
            out.append({"heading": f"{part.id}. {part.name}", "tasks": []})
        heading = f"{group.label}. {group.name}" if group.label else group.name
        out.append({"heading": heading, "tasks": [rows_of[t.id] for t in group.tasks]})
    return out


def _task_section(results: RunResults, plan: TaskSet) -> tuple[dict, TaskReport]:
    report = task_report(plan, results.plans.get(plan.id, {}), results.registry, results.period)
    table = report.table().set_index("task")
    by_task = {s.task.id: s for s in report.standings}
    # A workspace's run: each task's standing the previous stored period, said where it changed.
    changes = results.history.standings.get(plan.id)
    before = {} if changes is None else {t: (p, was) for t, p, was, changed in zip(
        changes["task"], changes["previous_period"], changes["previous_standing"], changes["changed"]) if changed and was}
    rows_of = {}
    for task in plan.tasks:
        s, row = by_task[task.id], table.loc[task.id]
        note = task_note(s, row["documents"], bool(report.leads.get(task.id)))
        if task.id in before:
            period, was = before[task.id]
            said = f"{fmt.period_words(period)}: {was.lower()}"
            note = f"{note}; {said}" if note else said
        rows_of[task.id] = {"id": task.id, "content": task.content, "deadline": deadline_short(task.deadline),
                            "lead": "; ".join(task.lead), "standing": s.label, "note": note,
                            "previous": before.get(task.id, ("", ""))[1]}
    counts = report.counts
    total = len(report.standings)
    missing = missing_units(results, plan)
    section = {
        "appendix": plan.source.appendix or "",
        "title": plan.title,
        "total": total,
        "sent": bool(results.plans.get(plan.id)),
        "counts_sentence": join_words([f"{n} nhiệm vụ {STANDING_PHRASES[k]}" for k, n in counts.items() if n]),
        # A standing nobody has is left out when it is the exceptional one (an unreadable report).
        "counts": [{"label": STANDING_LABELS[k], "count": n, "percent": fmt.percent(n / total if total else 0)}
                   for k, n in counts.items() if n or k != INVALID_REPORT],
        "groups": _task_groups(plan, rows_of),
        "missing": names_of(missing),
        "missing_count": len(missing),
    }
    return section, report


def names_of(units: list[Unit]) -> str:
    return ", ".join(u.name for u in units)


# ---------------------------------------------------------------- II. criteria

def _reported_text(r: CriterionReport, names: dict[str, str]) -> str:
    parts = []
    for unit, said in r.reported:
        value, status = shown_value(said["value"]), str(said["status"] or "")
        text = value
        if status and status != REPORTED:
            text = f"{value} ({status})" if value else status
        elif not value:
            text = status or "Có tài liệu kiểm chứng"
        parts.append(text if len(r.leads) == 1 else f"{names[unit]}: {text}")
    return "; ".join(parts)


def _missing_text(r: CriterionReport, names: dict[str, str]) -> str:
    if not r.leads:
        return NO_REPORTER
    missing = [names[u] for u in r.missing]
    if len(missing) <= MAX_NAMES:
        return ", ".join(missing)
    return f"{len(missing)}/{len(r.leads)} đơn vị: {names_list(missing, MAX_NAMES)}"


def _result_text(r: CriterionReport, names: dict[str, str]) -> str:
    """What the period brought for one criterion, in one cell: the values reported, then who
    has not reported where some lead agencies have not."""
    if not r.leads:
        return NO_REPORTER
    reported = _reported_text(r, names)
    if not r.missing:
        return reported
    if not reported:
        return "Chưa báo cáo" if len(r.leads) == 1 else f"Chưa báo cáo ({_missing_text(r, names)})"
    return f"{reported}; chưa báo cáo: {_missing_text(r, names)}"


def _criterion_rows(c: AssignedCriterion, reports: dict[str, CriterionReport], names: dict[str, str]) -> list[dict]:
    """A criterion and its sub-criteria after it (5.12.1 …), as the plan lists them."""
    r = reports[c.id]
    lead = "; ".join(c.lead)
    row = {"id": c.id, "name": c.name, "frequency": c.frequency or "",
           "points": fmt.number(c.max_points) if c.max_points is not None else "",
           "lead": lead, "coordinating": "; ".join(c.coordinating),
           # KH 68 writes the coordinating agencies inside the lead cell ("… phối hợp với …").
           "lead_with_coordinating": lead + (f" (phối hợp: {'; '.join(c.coordinating)})" if c.coordinating else ""),
           "note": c.note or "", "value": _reported_text(r, names), "missing": _missing_text(r, names),
           "result": _result_text(r, names)}
    return [row] + [sub for child in c.criteria for sub in _criterion_rows(child, reports, names)]


def _done(r: CriterionReport) -> bool:
    return bool(r.leads) and not r.missing


def _walk_criteria(items):
    """Criteria in plan order, sub-criteria after their parent (as AssignmentSet.assigned)."""
    for c in items:
        yield c
        yield from _walk_criteria(c.criteria)


def _counts(criteria: list[AssignedCriterion], reports: dict[str, CriterionReport]) -> dict:
    rs = [reports[c.id] for c in _walk_criteria(criteria)]
    done = sum(1 for r in rs if _done(r))
    return {"total": len(rs), "done": done, "open": len(rs) - done}


def _block_title(head, points: bool) -> str:
    title = f"{head.id}. {head.name}"
    if points and getattr(head, "max_points", None) is not None:
        title += f" ({fmt.number(head.max_points)} điểm)"
    return title


def _assignment_section(results: RunResults, plan: AssignmentSet) -> dict:
    values = results.plans.get(plan.id, {})
    names = {u.code: u.name for u in results.registry.units}
    reports = {r.criterion.id: r for r in assignment_reports(plan, values, results.registry)}
    several = len(plan.pillars) > 1
    with_points = any(c.max_points is not None for c in plan.assigned)

    pillars, summary = [], []
    for pillar in plan.pillars:
        blocks = []
        pillar_criteria: list[AssignedCriterion] = []
        index_rows = []
        for head, groups in pillar.blocks():
            criteria = [c for _comp, items in groups for c in items]
            pillar_criteria += criteria
            blocks.append({"title": _block_title(head, with_points),
                           "groups": [{"title": f"{comp.id}. {comp.name}" if comp is not None else "",
                                       "rows": [row for c in items for row in _criterion_rows(c, reports, names)]}
                                      for comp, items in groups]})
            index_rows.append({"label": f"{head.id}. {head.name}", "band": False, **_counts(criteria, reports)})
        if several:
            summary.append({"label": f"{pillar.id}. {pillar.name}", "band": True, **_counts(pillar_criteria, reports)})
        summary += index_rows
        pillars.append({"id": pillar.id, "name": pillar.name,
                        "caption": f"Trụ cột {pillar.id}. {pillar.name}" if several else "", "blocks": blocks})
    all_reports = list(reports.values())
    done = sum(1 for r in all_reports if _done(r))
    agencies = sorted({u for r in all_reports for u in r.leads})
    missing = missing_units(results, plan)
    return {
        "appendix": plan.source.appendix or "",
        "title": plan.title,
        "sent": bool(values),
        "total": len(all_reports),
        "done": done,
        "open": len(all_reports) - done,
        "agency_count": len(agencies),
        "summary_label": "Trụ cột, chỉ số chính" if several else "Chỉ số chính",
        "summary": summary,
        "summary_total": {"total": len(all_reports), "done": done, "open": len(all_reports) - done},
        "pillars": pillars,
        "general_info": [{"id": i.id, "name": i.name, "lead": "; ".join(i.lead)} for i in plan.general_info],
        "missing": names_of(missing),
        "missing_count": len(missing),
    }


def _baseline_section(results: RunResults, plan: AssignmentSet, period_text: str) -> dict | None:
    if plan.baseline is None:
        return None
    b = plan.baseline
    figures = current_figures(plan, results.plans.get(plan.id, {}), results.registry)
    names = {u.code: u.name for u in results.registry.units}
    of = f"/{b.of}" if b.of else ""
    rows = []
    for record in figures.to_dict("records"):
        value, rank = record["value"], record["rank"]
        rows.append({
            "name": record["name"],
            "base_value": fmt.fixed(record["baseline_value"], 4),
            "base_rank": f"{record['baseline_rank']}{of}" if not pd.isna(record["baseline_rank"]) else "",
            "value": fmt.fixed(value, 4) if value is not None and not pd.isna(value) else NO_DATA,
            "rank": f"{int(rank)}{of}" if not pd.isna(rank) else NO_DATA,
        })
    reporter = "; ".join(b.lead)
    first = figures.iloc[0]  # the overall index
    base = f"năm {b.year}: {fmt.fixed(first['baseline_value'], 4)}, hạng {first['baseline_rank']}{of}"
    if pd.isna(first["value"]):
        sentence = f"Kỳ này chưa có số liệu {first['name']} của kỳ báo cáo ({reporter} chưa báo cáo); {base}."
    else:
        sentence = (f"Theo số liệu do {names.get(first['reported_by'], reporter)} báo cáo, {first['name']} "
                    f"{period_text} đạt {fmt.fixed(first['value'], 4)}")
        compared = [base]
        if not pd.isna(first["rank"]):
            sentence += f", xếp hạng {first['rank']}{of}"
            if not pd.isna(first["baseline_rank"]):
                compared.append(rank_change(int(first["baseline_rank"]), int(first["rank"])))
        sentence += f" ({'; '.join(compared)})."
    return {"year": b.year, "of": b.of or "", "rows": rows, "reporter": reporter, "sentence": sentence}


def rank_change(before: int, now: int) -> str:
    """A rank is better when lower: 53 → 38 is 'tăng 15 bậc'."""
    step = before - now
    return f"tăng {step} bậc" if step > 0 else f"giảm {-step} bậc" if step < 0 else "giữ nguyên thứ hạng"


# ---------------------------------------------------------------- III. proposals

def _proposals(results: RunResults, task_rep: TaskReport, tasks: TaskSet, assignments: AssignmentSet) -> list[dict]:
    """Grouped by agency, in the registry's order."""
    registry: Registry = results.registry
    order = {u.name: i for i, u in enumerate(registry.units)}
    by_code = registry.by_code()
    content = {t.id: t.content for t in tasks.tasks}
    items: dict[str, list[dict]] = {}
    for task_id, agency, text in task_rep.proposals():
        items.setdefault(agency, []).append({"ref": f"Nhiệm vụ {task_id} ({shorten(content[task_id])})",
                                             "text": full_stop(text)})
    ref = f"Các chỉ số được phân công theo dõi ({assignments.source.appendix})"
    for unit, text in assignment_proposals(assignments, results.plans.get(assignments.id, {})):
        items.setdefault(by_code[unit].name if unit in by_code else unit, []).append({"ref": ref, "text": full_stop(text)})
    return [{"agency": agency, "entries": rows}
            for agency, rows in sorted(items.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))]


# ---------------------------------------------------------------- the report

def plan_report_context(results: RunResults, spec: PlanReport, settings: ReportSettings, day: dt.date) -> dict:
    tasks, assignments = results.catalog.get(spec.tasks), results.catalog.get(spec.assignments)
    task_section, task_rep = _task_section(results, tasks)
    source = tasks.source
    plan_ref = f"{source.document} ngày {day_month_year(source.date)} của {source.issuer}"
    period_text = fmt.period_words(results.period)
    baseline = _baseline_section(results, assignments, period_text)
    return {
        **header_context(settings, day),
        "report_id": spec.id,
        "period": results.period,
        "period_text": period_text,
        "period_end": fmt.short_date(period_end(results.period)),
        "plan_ref": plan_ref,
        "plan_document": source.document,
        # "Kế hoạch số 68/KH-UBND" -> "KẾ HOẠCH SỐ 68/KH-UBND" for the appendix's title.
        "plan_document_upper": source.document.upper(),
        "title": f"Kết quả thực hiện {plan_ref} {period_text}",
        "tasks": task_section,
        "criteria": _assignment_section(results, assignments),
        "baseline": baseline,
        "proposals": _proposals(results, task_rep, tasks, assignments),
    }


def render_plan_report(results: RunResults, spec: PlanReport, settings: ReportSettings, day: dt.date) -> list[Path]:
    context = plan_report_context(results, spec, settings, day)
    template = find_template(getattr(settings.templates, spec.id), spec.template)
    docx = render_docx(template, context, results.out_dir / spec.file_name(results.period, ".docx"), day=day,
                       title=f"Báo cáo {context['title']}", author=" ".join(settings.agency))
    xlsx = write_plan_workbook(results, spec, context)
    return [docx, xlsx]


# ---------------------------------------------------------------- the workbook

def write_plan_workbook(results: RunResults, spec: PlanReport, context: dict) -> Path:
    tasks, assignments = results.catalog.get(spec.tasks), results.catalog.get(spec.assignments)
    registry, period = results.registry, results.period
    task_rep = task_report(tasks, results.plans.get(tasks.id, {}), registry, period)
    target = results.out_dir / spec.file_name(period, ".xlsx")
    with workbook(target, f"Báo cáo {context['title']}") as (book, formats):
        # Nhiệm vụ
        sheet = book.add_worksheet("Nhiệm vụ")
        sheet.write_string(0, 0, f"{tasks.title} ({tasks.source.appendix}, {context['plan_ref']}) — {context['period_text']}",
                           formats["title"])
        sheet.write_string(1, 0, f"Đến ngày {context['period_end']}: {context['tasks']['counts_sentence']}.", formats["plain"])
        group_of = {t.id: g.name for g in tasks.groups for t in g.tasks}
        table = task_rep.table()
        table.insert(1, "group", table["task"].map(group_of))
        table = table.drop(columns=["standing"])
        table["note"] = table["note"].map(sentence_case)
        table["unassigned"] = table["unassigned"].map(sentence_case)
        write_table(sheet, table, formats, start_row=3, headers={
            "task": "STT", "group": "Nhóm nhiệm vụ", "content": "Nhiệm vụ", "deadline": "Thời hạn",
            "lead": "Cơ quan chủ trì", "standing_label": "Tình trạng", "note": "Ghi chú", "documents": "Văn bản, sản phẩm",
            "proposals": "Khó khăn, vướng mắc, đề xuất", "unassigned": "Đơn vị chủ trì trong danh mục"},
            widths={"task": 8, "group": 22, "content": 60, "deadline": 16, "lead": 28, "standing_label": 18, "note": 36,
                    "documents": 36, "proposals": 40, "unassigned": 20}, title_columns=1)
        # Theo đơn vị chủ trì
        sheet = book.add_worksheet("Theo đơn vị chủ trì")
        agencies = task_rep.by_agency()
        if agencies.empty:
            agencies = pd.DataFrame(columns=["unit_code", "unit_name", *STANDING_LABELS])
        agencies["total"] = agencies[list(STANDING_LABELS)].sum(axis=1)
        missing = {u.code for u in missing_units(results, tasks)}
        agencies["sent"] = ["Chưa gửi" if code in missing else "Đã gửi" for code in agencies["unit_code"]]
        write_table(sheet, agencies, formats, headers={"unit_code": "Mã đơn vị", "unit_name": "Đơn vị", **STANDING_LABELS,
                                                        "total": "Tổng số nhiệm vụ", "sent": "Báo cáo kỳ này"},
                    column_formats={k: "integer" for k in [*STANDING_LABELS, "total"]},
                    widths={"unit_code": 16, "unit_name": 40, **{k: 14 for k in STANDING_LABELS}, "total": 12, "sent": 14})
        # Kết quả chỉ số (a plan with a baseline)
        if assignments.baseline is not None:
            b = assignments.baseline
            sheet = book.add_worksheet("Kết quả chỉ số")
            sheet.write_string(0, 0, f"Chỉ số DTI năm {b.year} và {context['period_text']}", formats["title"])
            figures = current_figures(assignments, results.plans.get(assignments.id, {}), registry)
            names = {u.code: u.name for u in registry.units}
            figures["reported_by"] = figures["reported_by"].map(lambda c: names.get(c, c))
            figures = figures.drop(columns=["baseline_year", "of"]).astype(object).where(figures.notna(), None)
            # DTI values have four decimals (0,3048): the house "number" format shows two.
            index_format = book.add_format({"font_name": FONT, "font_size": 11, "valign": "top",
                                            "num_format": "0.0000"})
            period = f"Kỳ báo cáo ({context['period_text']})"
            write_table(sheet, figures, {**formats, "index": index_format}, start_row=2, headers={
                "item": "Mã mục", "name": "Chỉ số", "baseline_value": f"Năm {b.year}: giá trị",
                "baseline_rank": f"Năm {b.year}: xếp hạng/{b.of}", "value": f"{period}: giá trị",
                "rank": f"{period}: xếp hạng/{b.of}", "reported_by": "Đơn vị báo cáo"},
                column_formats={"baseline_value": "index", "value": "index", "baseline_rank": "integer",
                                "rank": "integer"},
                widths={"item": 10, "name": 44, "reported_by": 30})
        # Chỉ số DTI tỉnh
        sheet = book.add_worksheet("Chỉ số DTI tỉnh")
        sheet.write_string(0, 0, f"{assignments.title} ({assignments.source.appendix}) — {context['period_text']}",
                           formats["title"])
        criteria = context["criteria"]
        note = (f"{criteria['done']}/{criteria['total']} tiêu chí đã có báo cáo của đơn vị chủ trì." if criteria["sent"] else
                "Kỳ này chưa có đơn vị nào gửi báo cáo số liệu theo phụ lục này.")
        sheet.write_string(1, 0, note, formats["plain"])
        place = {c.id: (p.id, i.id) for p in assignments.pillars for i in p.indices for c in _walk(i)}
        frame = assignment_table(assignments, results.plans.get(assignments.id, {}), registry)
        frame.insert(0, "pillar", frame["criterion"].map(lambda c: place[c][0]))
        frame.insert(1, "index", frame["criterion"].map(lambda c: place[c][1]))
        if frame["max_points"].isna().all():
            frame = frame.drop(columns=["max_points"])
        if not frame["frequency"].any():
            frame = frame.drop(columns=["frequency"])
        write_table(sheet, frame, formats, start_row=3, headers={
            "pillar": "Trụ cột", "index": "Chỉ số chính", "criterion": "Mã", "name": "Tiêu chí", "max_points": "Điểm tối đa",
            "frequency": "Tần suất", "lead": "Đơn vị chủ trì", "reported": "Giá trị báo cáo (đơn vị: giá trị (tình trạng) – minh chứng)",
            "not_reported": "Chưa báo cáo", "unassigned": "Đơn vị chủ trì trong danh mục"},
            column_formats={"max_points": "number"},
            widths={"pillar": 8, "index": 10, "criterion": 11, "name": 60, "lead": 30, "reported": 50,
                    "not_reported": 36, "unassigned": 20}, title_columns=3)
        # Đề xuất
        sheet = book.add_worksheet("Đề xuất")
        rows = [{"agency": group["agency"], "ref": item["ref"], "text": item["text"]}
                for group in context["proposals"] for item in group["entries"]]
        write_table(sheet, pd.DataFrame(rows, columns=["agency", "ref", "text"]), formats,
                    headers={"agency": "Đơn vị", "ref": "Nội dung", "text": "Khó khăn, vướng mắc và đề xuất, kiến nghị"},
                    widths={"agency": 36, "ref": 60, "text": 70})
    return target


def _walk(index):
    yield from _walk_criteria(index.criteria)
    for comp in index.components:
        yield from _walk_criteria(comp.criteria)


def render_plan_reports(results: RunResults, settings: ReportSettings, day: dt.date) -> list[Path]:
    written: list[Path] = []
    for spec in reports_for(results):
        written += render_plan_report(results, spec, settings, day)
    return written
