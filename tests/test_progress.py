"""Each phase of a run reaches the caller's progress, in order, with its steps; the
default number of workers is the cores this process may use; PDF conversion shares
the documents among that many soffice processes, each with its own profile."""

import json
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest

from dti_report import pipeline
from dti_report.core import progress as phases
from dti_report.core.progress import Progress
from dti_report.core.workers import available_cores
from dti_report.forms.units import builtin_registry
from dti_report.kinds import catalog
from dti_report.renderers import pdf
from dti_report.reports.settings import load_settings

from workspace_helpers import drop, make_workspace, sample

ROOT = Path(__file__).resolve().parents[1]
INBOX = ROOT / "input_samples" / "bieu-mau-2023"


class Recording(Progress):
    def __init__(self):
        super().__init__()
        self.steps: dict[str, int] = {}

    def advance(self, n: int = 1) -> None:
        super().advance(n)
        name = self.phases[-1].name
        self.steps[name] = self.steps.get(name, 0) + n


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    progress = Recording()
    out = tmp_path_factory.mktemp("run") / "ket-qua"
    outcome = pipeline.run_period(INBOX, out, "2023", builtin_registry(), catalog(), load_settings(), workers=2,
                                  progress=progress)
    return progress, outcome


def test_every_phase_of_a_run_is_reported_in_order(recorded):
    progress, outcome = recorded
    assert [p.name for p in progress.phases] == [phases.READING, phases.EVALUATING, phases.RUN_FILES,
                                                 phases.WORKBOOK, phases.FEEDBACK, phases.REPORTS,
                                                 phases.SCORECARDS, phases.PLAN_REPORTS, phases.WORKBOOK_DONE]
    assert all(p.ended is not None and p.ended >= p.started for p in progress.phases)
    assert [name for name, _ in progress.durations()] == [p.name for p in progress.phases]


def test_each_counted_phase_reaches_its_total(recorded):
    progress, outcome = recorded
    by_name = {p.name: p for p in progress.phases}
    assert by_name[phases.READING].total == len(outcome.batch.submissions)
    assert by_name[phases.EVALUATING].total == len(outcome.batch.forms)
    feedback = [p for p in outcome.written if p.parent.name == "phan-hoi"]
    scorecards = [p for p in outcome.written if p.parent.name == "phieu-ket-qua"]
    assert by_name[phases.FEEDBACK].total == len(feedback) > 0
    assert by_name[phases.SCORECARDS].total == len(scorecards) > 0
    for phase in progress.phases:
        if phase.total is not None:
            assert phase.done == phase.total == progress.steps.get(phase.name, 0), phase.name


def test_without_a_progress_nothing_changes(tmp_path):
    batch = pipeline.run_batch(INBOX / "quan-huyen", "2023", builtin_registry(), workers=1)
    assert batch.forms


def test_default_workers_are_the_cores_this_process_may_use(monkeypatch):
    assert pipeline.default_workers() == available_cores() >= 1
    if hasattr(os, "process_cpu_count"):
        monkeypatch.setattr(os, "process_cpu_count", lambda: 3)
        assert available_cores() == 3
    else:
        if hasattr(os, "sched_getaffinity"):
            monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
            assert available_cores() == 3
            monkeypatch.delattr(os, "sched_getaffinity")
        monkeypatch.setattr(os, "cpu_count", lambda: 5)
        assert available_cores() == 5
        monkeypatch.setattr(os, "cpu_count", lambda: None)
        assert available_cores() == 1


def test_pdf_shares_the_documents_among_processes_with_their_own_profiles(tmp_path, monkeypatch):
    documents = []
    for n in range(5):
        documents.append(tmp_path / f"bao-cao-{n}.docx")
        documents[-1].write_bytes(b"docx")
    calls = []

    def fake_convert(share, out_dir, work_dir):
        calls.append((sorted(d.name for d in share), work_dir))
        out_dir.mkdir(parents=True, exist_ok=True)
        for doc in share:
            (out_dir / f"{doc.stem}.pdf").write_bytes(b"%PDF")

    monkeypatch.setattr(pdf, "soffice_path", lambda: "soffice")
    monkeypatch.setattr(pdf, "soffice_convert", fake_convert)
    progress = Recording()
    written = pdf.convert_to_pdf(documents, out_root=tmp_path, workers=2, progress=progress)
    assert written == [d.with_suffix(".pdf") for d in documents]
    assert all(p.is_file() for p in written)
    assert len(calls) == 2
    assert sorted(name for names, _ in calls for name in names) == sorted(d.name for d in documents)
    assert len({work_dir for _, work_dir in calls}) == 2  # a profile each
    assert [p.name for p in progress.phases] == [phases.PDF]
    assert progress.phases[0].total == progress.steps[phases.PDF] == 5


def test_a_rerun_counts_the_readings_it_takes_back_from_the_store(tmp_path):
    ws = make_workspace(tmp_path)
    drop(ws, "2023", [sample("so-tttt"), sample("so-gtvt")])
    pipeline.run_in_workspace(ws, "2023", catalog(), load_settings(), workers=1)
    drop(ws, "2023", [sample("hepza")])
    progress = Recording()
    outcome = pipeline.run_in_workspace(ws, "2023", catalog(), load_settings(), workers=1, progress=progress)
    assert len(outcome.batch.stored) == 2
    reading = progress.phases[0]
    assert reading.name == phases.READING and reading.total == reading.done == 3


def test_a_workspace_run_keeps_its_phase_times_in_the_store(tmp_path):
    ws = make_workspace(tmp_path)
    drop(ws, "2023", [sample("so-tttt"), sample("so-gtvt")])
    pipeline.run_in_workspace(ws, "2023", catalog(), load_settings(), workers=1)
    with sqlite3.connect(ws.store_path) as conn:
        kept = json.loads(conn.execute("SELECT phases FROM runs ORDER BY id DESC").fetchone()[0])
    names = [name for name, _ in kept]
    assert names[:2] == [phases.READING, phases.EVALUATING] and names[-2:] == [phases.WORKBOOK_DONE, phases.RECORDING]
    assert all(seconds >= 0 for _, seconds in kept)


def content(path: Path):
    """A file's bytes; a workbook's or a document's parts (the zip's own dates aside)."""
    if path.suffix in (".xlsx", ".docx"):
        with zipfile.ZipFile(path) as z:
            return {name: z.read(name) for name in z.namelist()}
    return path.read_bytes()


def test_writers_in_the_background_leave_the_same_files_as_one_process(recorded, tmp_path):
    _, outcome = recorded  # two workers: the workbooks and the set reports written in forked processes
    alone = pipeline.run_period(INBOX, tmp_path / "ket-qua", "2023", builtin_registry(), catalog(), load_settings(),
                                workers=1)
    mine = {p.relative_to(outcome.out_dir): content(p) for p in outcome.written}
    theirs = {p.relative_to(alone.out_dir): content(p) for p in alone.written}
    assert {Path("ket-qua-tong-hop.xlsx"), Path("issues.xlsx")} <= set(mine)
    assert any(p.name.startswith("bao-cao-ket-qua-dti-") for p in mine)
    assert mine.keys() == theirs.keys()
    assert [p for p in mine if mine[p] != theirs[p]] == []
