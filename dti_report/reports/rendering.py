"""Every report of a run rendered from its results (results.load_results): the DTI report
per scored set (with charts), the analysts' workbook, the scorecards, the plan reports
and, on request, the PDFs (the package's docstring lists the files).

Same results + settings + date give the same files.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path
from typing import Iterator

import pandas as pd

from dti_report.batch.results import RunResults
from dti_report.core.files import write_csv
from dti_report.core.kept_outputs import RECORD_COLUMNS, EarlierIndex, Record, digest, package_code, record_of
from dti_report.core.memory import release_freed_memory
from dti_report.core.workers import Background, chunked_map
from dti_report.core.progress import PLAN_REPORTS, REPORTS, SCORECARDS, Progress
from dti_report.reports.settings import ReportSettings
from dti_report.reports import charts
from dti_report.reports.context import SetView, report_context
from dti_report.reports.history import report_history, trend_chart
from dti_report.reports.scorecard_context import ScorecardFacts
from dti_report.renderers.documents import REPORT_TEMPLATE, SCORECARD_TEMPLATE, compiled_template, find_template, render_docx
from dti_report.renderers.pdf import convert_to_pdf
from dti_report.reports.plans import render_plan_reports
from dti_report.reports.workbook import write_results_workbook

SCORECARD_DIR = "phieu-ket-qua"
# Each scorecard with what it was made from and its bytes' digest: a rerun takes the previous
# run's scorecard of a unit whose points did not change instead of rendering it.
SCORECARD_INDEX = "phieu-ket-qua.csv"
SCORECARD_INDEX_COLUMNS = ["file", *RECORD_COLUMNS]
TEXT_WIDTH_MM = 160  # the charts' width: A4 less 30 + 15 mm margins, a little air
# Below this many scorecards a process pool costs more than it saves: each of its processes
# compiles the template (about 0.7 s), and a scorecard renders in about 6 ms.
POOL_THRESHOLD = 250
# Scorecards a process renders per task: large enough to amortise sending, small enough to hold few.
SCORECARD_CHUNK = 64


def report_file_name(set_id: str, period: str) -> str:
    return f"bao-cao-ket-qua-dti-{set_id}-{period}.docx"


def scorecard_file_name(unit_code: str, set_id: str) -> str:
    return f"{unit_code}-{set_id}.docx"


def report_warnings(settings: ReportSettings) -> list[str]:
    """What to tell the user once the reports are written (the command line prints these): a
    document about to go out for signature with something missing, e.g. the signer's name."""
    return settings.warnings()


def _author(settings: ReportSettings) -> str:
    return " ".join(settings.agency)


def render_set_report(results: RunResults, set_id: str, settings: ReportSettings, day: dt.date) -> Path:
    template = find_template(settings.templates.report, REPORT_TEMPLATE)
    view = SetView(results, set_id)
    context = report_context(results, set_id, settings, day)
    context.update(report_history(results, set_id, first=6 if context["summary"]["changed"] else 5,
                                  rows_limit=settings.ranking_rows))
    totals_png, note = charts.totals_chart(view)
    context["chart_totals_note"] = note
    images = {"chart_totals": (totals_png, TEXT_WIDTH_MM), "chart_spread": (charts.spread_chart(view), TEXT_WIDTH_MM)}
    trend_png = trend_chart(results, set_id)
    if trend_png is not None:
        images["chart_trend"] = (trend_png, TEXT_WIDTH_MM)
    target = results.out_dir / report_file_name(set_id, results.period)
    title = f"Báo cáo kết quả đánh giá chuyển đổi số {context['scope']} {context['period_text']}"
    return render_docx(template, context, target, day=day, title=title, author=_author(settings), images=images)


def _render_scorecards(template_path: Path, day: dt.date, author: str,
                       items: list[tuple[dict, Path, str]]) -> list[tuple[Path, Record]]:
    """Each scorecard written (with what it was made from), and its record for the index."""
    template = compiled_template(template_path)
    return [(target, record_of(template.render(context, target, day=day, author=author,
                                               title=f"Phiếu kết quả đánh giá chuyển đổi số — {context['unit_name']}"),
                               made_from))
            for context, target, made_from in items]


def render_scorecards(results: RunResults, set_id: str, settings: ReportSettings, day: dt.date,
                      workers: int = 1, progress: Progress | None = None,
                      previous: Path | None = None) -> list[tuple[Path, Record]]:
    """One scorecard per scored unit, in ranked order: each document and its record (the index
    a rerun reads). Contexts are made as the documents are written, a chunk at a time
    (core.workers.chunked_map): memory stays the same for ten units or ten thousand.
    `previous`: the previous run's folder, whose scorecards made from the same (template, date,
    author, code, `shared` and the unit's rows: ScorecardFacts.fingerprints) are taken
    (core.kept_outputs), not rendered again; only the others get facts and a context."""
    template = find_template(settings.templates.scorecard, SCORECARD_TEMPLATE)
    folder = results.out_dir / SCORECARD_DIR
    author = _author(settings)
    maker = ScorecardFacts(results, set_id, settings, day)
    made_from = maker.fingerprints(b"\0".join([package_code(), Path(template).read_bytes(), day.isoformat().encode(),
                                               author.encode("utf-8"), digest(b"", maker.shared).encode()]))
    earlier = EarlierIndex(previous, SCORECARD_INDEX, SCORECARD_INDEX_COLUMNS)
    if earlier:
        folder.mkdir(parents=True, exist_ok=True)
    progress = progress or Progress()
    order = {code: folder / scorecard_file_name(code, set_id) for code in made_from}  # ranked
    records: dict[Path, Record] = {}
    for code, target in order.items():
        name = f"{SCORECARD_DIR}/{target.name}"
        kept = earlier.take(name, made_from[code], name, target)
        if kept is not None:
            records[target] = kept
            progress.advance()
    again = {code for code, target in order.items() if target not in records}

    def items() -> Iterator[tuple[dict, Path, str]]:
        if again:
            for code, facts in maker.units(only=again):
                yield maker.context(facts), order[code], made_from[code]

    render = partial(_render_scorecards, template, day, author)
    count = len(again)
    if workers <= 1 or count < POOL_THRESHOLD:
        rendered = (done for item in items() for done in render([item]))
    else:
        size = min(SCORECARD_CHUNK, max(1, -(-count // (workers * 4))))
        rendered = chunked_map(render, items(), workers, size)
    records.update(progress.counted(rendered))
    return [(path, records[path]) for path in order.values()]


def write_scorecard_index(out_dir: Path, scorecards: list[tuple[Path, Record]]) -> Path:
    rows = [(f"{SCORECARD_DIR}/{path.name}", *record) for path, record in scorecards]
    return write_csv(pd.DataFrame(rows, columns=SCORECARD_INDEX_COLUMNS), out_dir / SCORECARD_INDEX)


def render_reports(results: RunResults, settings: ReportSettings, *, day: dt.date | None = None, pdf: bool = False,
                   workbook: bool = True, scorecards: bool = True, workers: int = 1,
                   progress: Progress | None = None, background: Background | None = None,
                   previous: Path | None = None) -> list[Path]:
    """Every report of the run into its output folder. Returns the files written. The set
    reports are rendered in `background` when given (beside the scorecards; the PDFs wait for
    them). `previous`: the previous run's folder, whose scorecards made from the same are
    taken, not rendered again."""
    progress = progress or Progress()
    day = settings.date(day)
    written: list[Path] = []
    if workbook:
        written.append(write_results_workbook(results))
    documents: list[Path] = []
    scored = [set_id for set_id, sr in results.sets.items() if sr.totals is not None and len(sr.totals)]
    progress.phase(REPORTS, len(scored))
    background = background or Background(enabled=False)
    for set_id in progress.counted(scored):
        background.start(render_set_report, results, set_id, settings, day, aside=True)
        documents.append(results.out_dir / report_file_name(set_id, results.period))
    release_freed_memory()  # a report's document tree
    if scorecards:
        progress.phase(SCORECARDS, sum(len(results.sets[set_id].totals) for set_id in scored))
        made = [card for set_id in scored
                for card in render_scorecards(results, set_id, settings, day, workers, progress, previous)]
        documents += [path for path, _ in made]
        written.append(write_scorecard_index(results.out_dir, made))
    progress.phase(PLAN_REPORTS)
    for path in progress.counted(render_plan_reports(results, settings, day)):
        (documents if path.suffix == ".docx" else written).append(path)
    written += documents
    if pdf:
        background.wait()
        written += convert_to_pdf(documents, out_root=results.out_dir, workers=workers, progress=progress)
    progress.finish()
    return written
