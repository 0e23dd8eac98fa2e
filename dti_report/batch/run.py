"""The monthly batch: every entry under the inputs folder is accounted for in the
manifest, every regular file read and validated; the accepted submissions of
each form are typed together. Evaluating them is the kind's business
(dti_report.kinds).

Inputs are only ever read, and each in a worker process whose address space is
capped: whatever a file does to its reader (an exception, exhausted memory, a
crash) fails that file alone. A pool that breaks is replaced; the files it held
are read again one by one, so the file that broke it is found and refused.

When one unit sent several workbooks for the same form, the clerk's decision
wins when there is one; otherwise the newest does: the one whose own save
stamp is latest (reader.save_stamp: LibreOffice's local times read in the
workspace's zone), else the file's modification time; a stamp in the future or
far before the period never beats a believable one; equal stamps fall to the
path that sorts last. The others are marked superseded, with why.
"""

from __future__ import annotations

import datetime as dt
import faulthandler
import os
from collections import defaultdict, deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

import pandas as pd

from dti_report.batch.inbox import Entry, discover_entries, is_too_long, read_decisions
from dti_report.batch.kept_typing import KeptTyping, unit_groups
from dti_report.core.files import display_path, escaped_path
from dti_report.core.issues import Issue
from dti_report.core.progress import READING, Progress
from dti_report.core.workers import available_cores, largest_first_map
from dti_report.evaluation.engine import Result
from dti_report.evaluation.targets import TargetData
from dti_report.evaluation.unit_values import UnitValues, combined, type_rows
from dti_report.forms.base import Form
from dti_report.forms.catalog import Catalog, version_key
from dti_report.forms.units import Registry, Unit
from dti_report.workbook.packed_rows import unpack_rows
from dti_report.workbook.reader import (ACCEPTED, DEFAULT_TIMEZONE, FILE, FOLDER, IGNORED, REJECTED, SUPERSEDED,
                                        Limits, Submission, not_opened, os_error_text, read_submission, rows_frame)

try:
    import resource
except ImportError:  # not on every system: the cap is then left to the operating system
    resource = None


@dataclass
class FormBatch:
    """One form's part of a period: the accepted submissions, their rows typed, and who was awaited."""

    form: Form
    accepted: list[Submission]
    data: UnitValues
    expected: list[Unit]
    missing: list[Unit]  # awaited units with no accepted workbook (sent nothing, or nothing usable)
    # Of those, the units whose files were listed but could not be used: unit -> the files.
    unusable: dict[str, list[str]] = field(default_factory=dict)

    def rows(self) -> pd.DataFrame:
        """The accepted submissions' input rows, made again when asked (the adjustments'
        second typing): a national batch does not hold two million rows between phases."""
        return _unpacked_frame([s.packed_rows for s in self.accepted])

    @property
    def unsent(self) -> list[Unit]:
        """Awaited units that sent no file at all."""
        return [u for u in self.missing if u.code not in self.unusable]


@dataclass
class BatchResult:
    period: str
    registry: Registry
    submissions: list[Submission]
    forms: dict[str, FormBatch]                # per form id
    issues: list[Issue] = field(default_factory=list)  # every issue of the batch, per file
    # What each kind's evaluation leaves (dti_report.kinds): scores per indicator set,
    # figures per target set, reported values per plan (unit -> field -> value).
    results: dict[str, Result] = field(default_factory=dict)
    targets: dict[str, TargetData] = field(default_factory=dict)
    plans: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)
    # Files whose reading came from the workspace's store (content seen before), by path.
    stored: set[str] = field(default_factory=set)
    # The previous period's figures per target set, from the store: [[kytruoc.Key]].
    previous_targets: dict[str, TargetData] = field(default_factory=dict)
    # The official results of the period (run --final): the scorecards give each unit's rank.
    # Until then results are provisional: a rank moves with every file that arrives.
    final: bool = False

    @property
    def missing(self) -> dict[str, list[Unit]]:
        return {key: fb.missing for key, fb in self.forms.items()}

    def key_of(self, sub: Submission) -> str:
        """Where a submission's form is in `forms`: its id, or "id@version" when the period
        holds several versions of it."""
        versioned = f"{sub.set_id}@{sub.set_version}"
        return versioned if versioned in self.forms else sub.set_id

    @property
    def unsent(self) -> dict[str, list[Unit]]:
        return {form_id: fb.unsent for form_id, fb in self.forms.items()}

    def submissions_for(self, status: str) -> list[Submission]:
        return [s for s in self.submissions if s.status == status]


def discover(inputs: Path) -> list[Path]:
    """Every regular file below the inputs folder, in a stable order (links not followed)."""
    return [e.path for e in discover_entries(Path(inputs)) if e.kind == FILE and e.problem is None]


# --- reading, isolated ---------------------------------------------------------------

_WORKER_CATALOG: Catalog | None = None
_WORKER_ARGS: tuple = ()


def _init_worker(catalog: Catalog, memory_bytes: int, shared: tuple = ()) -> None:
    global _WORKER_CATALOG, _WORKER_ARGS
    _WORKER_CATALOG = catalog
    _WORKER_ARGS = shared
    _cap_memory(memory_bytes)
    # A worker that crashes is reported as its file's issue; a Python stack dump on the
    # clerk's console (when the parent enabled faulthandler) says nothing more.
    faulthandler.disable()


def _cap_memory(extra: int) -> None:
    """Let this process grow by `extra` bytes of address space at most: past it an
    allocation fails (a Python MemoryError, or an abort in native code, which breaks
    the pool and is caught there) instead of taking the machine's memory."""
    if resource is None or extra <= 0:
        return
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            current = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = current + extra
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        if soft == resource.RLIM_INFINITY or cap < soft:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (OSError, ValueError):
        pass


def _read_in_worker(path: Path, root: Path, registry: Registry, period: str, limits: Limits,
                    timezone: str, now: dt.datetime) -> Submission:
    return read_submission(path, root, registry, period, limits, catalog=_WORKER_CATALOG, timezone=timezone, now=now)


def _read_chunk_in_worker(paths: list[Path]) -> list[Submission]:
    """A few files read in one task: the registry and the rest came with the worker, so a
    task carries only paths out and readings back."""
    return [_read_in_worker(path, *_WORKER_ARGS) for path in paths]


def _failed(path: Path, root: Path, code: str, technical: str) -> Submission:
    """A file whose reading killed its worker process, or whose result could not come back."""
    relative = path.relative_to(root).as_posix()
    sub = Submission(path=display_path(relative))
    sub.issue(code, technical=technical)
    return sub


def _read_all(paths: list[Path], root: Path, registry: Registry, catalog: Catalog, period: str, limits: Limits,
              workers: int, on_done: Callable[[], None] | None, timezone: str = DEFAULT_TIMEZONE,
              now: dt.datetime | None = None) -> list[Submission]:
    """Every file read, in order. workers <= 0 reads in this process (no isolation:
    for debugging only)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    done = on_done or (lambda: None)
    if workers <= 0:
        out = []
        for path in paths:
            out.append(read_submission(path, root, registry, period, limits, catalog=catalog, timezone=timezone,
                                       now=now))
            done()
        return out
    args = (root, registry, period, limits, timezone, now)
    results: dict[int, Submission] = {}
    queue = deque(range(len(paths)))
    while queue:
        suspects = _pool_pass(paths, queue, args, catalog, limits, workers, results, done)
        # Every file the broken pool held is read alone: the one that breaks its own pool is refused.
        for i in suspects:
            results[i] = _read_alone(paths[i], args, catalog, limits)
            done()
    return [results[i] for i in range(len(paths))]


def _pool(workers: int, catalog: Catalog, limits: Limits, shared: tuple = ()) -> ProcessPoolExecutor:
    # The catalog, the registry and the run's settings go to each worker once, not with every file.
    return ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                               initargs=(catalog, limits.worker_memory_bytes, shared))


CHUNK = 8  # files per task: few enough that a pool that breaks leaves few suspects


def _pool_pass(paths: list[Path], queue: deque, args: tuple, catalog: Catalog, limits: Limits, workers: int,
               results: dict[int, Submission], done: Callable[[], None]) -> list[int]:
    """Read from the queue until it is empty or the pool breaks; returns the files the
    pool held when it broke. Few files are in flight at once, so few are suspects."""
    inflight: dict = {}
    suspects: list[int] = []
    with _pool(workers, catalog, limits, args) as pool:
        while queue or inflight:
            while queue and len(inflight) < 2 * workers:
                chunk = [queue.popleft() for _ in range(min(CHUNK, len(queue)))]
                inflight[pool.submit(_read_chunk_in_worker, [paths[i] for i in chunk])] = chunk
            finished, _ = wait(inflight, return_when=FIRST_COMPLETED)
            broken = False
            for future in finished:
                chunk = inflight.pop(future)
                try:
                    read = future.result()
                except BrokenProcessPool:
                    suspects += chunk
                    broken = True
                    continue
                except Exception:  # noqa: BLE001 - a chunk whose result cannot come back: its files are read alone
                    suspects += chunk
                    continue
                for i, sub in zip(chunk, read):
                    results[i] = sub
                    done()
            if broken:
                suspects += [i for chunk in inflight.values() for i in chunk]
                break
    return sorted(suspects)



def _read_alone(path: Path, args: tuple, catalog: Catalog, limits: Limits) -> Submission:
    with _pool(1, catalog, limits) as pool:
        try:
            return pool.submit(_read_in_worker, path, *args).result()
        except BrokenProcessPool:
            return _failed(path, args[0], "reading-crashed", "BrokenProcessPool: the reading process ended abruptly")


# --- entries that are not read -------------------------------------------------------

def listed(entry: Entry) -> Submission:
    """The manifest row of an entry that is never read: a link, a FIFO, a device, a folder
    that cannot be listed, an entry that cannot even be examined."""
    sub = Submission(path=display_path(entry.relative), entry=entry.kind)
    if sub.path != entry.relative:
        sub.path_bytes = escaped_path(entry.relative)
        sub.issue("name-not-utf8", detail=sub.path_bytes)
    if entry.problem is not None:
        exc = entry.problem
        technical = f"{exc.__class__.__name__}: {exc}"
        if is_too_long(exc):
            sub.issue("path-too-long", detail=f"{len(os.fsencode(entry.path))} byte", technical=technical)
        elif entry.kind == FOLDER:
            sub.issue("folder-unreadable", detail=os_error_text(exc), technical=technical)
        else:
            sub.issue("file-unreadable", detail=os_error_text(exc), technical=technical)
        return sub
    return not_opened(sub, entry.kind, entry.target)


# --- which return is used ---------------------------------------------------------------

def _when(sub: Submission) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(sub.modified)
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def mark_superseded(submissions: list[Submission], pins: dict[str, str] | None = None) -> list[Issue]:
    """One accepted submission per unit and form; the others superseded, each with why.
    Returns the issues about the clerk's decisions (`pins`: file -> reason)."""
    pins = pins or {}
    issues: list[Issue] = []
    by_path = {s.path: s for s in submissions}
    for file, reason in pins.items():
        sub = by_path.get(file)
        if sub is None:
            issues.append(Issue("decision-not-applied", value=file, detail="không có tệp này trong thư mục đầu vào"))
        elif sub.status != ACCEPTED:
            issues.append(Issue("decision-not-applied", file=file, value=file,
                                detail="tệp không được chấp nhận (xem lỗi của tệp)"))
    by_key: dict[tuple[str, str], list[Submission]] = defaultdict(list)
    for sub in submissions:
        if sub.status == ACCEPTED:
            by_key[(sub.set_id, sub.unit_code)].append(sub)
    for (set_id, unit), group in by_key.items():
        if len(group) < 2:
            continue
        pinned = sorted((s for s in group if s.path in pins), key=lambda s: s.path)
        if pinned:
            winner = pinned[-1]
            for extra in pinned[:-1]:
                issues.append(Issue("decision-not-applied", file=extra.path, value=extra.path,
                                    detail=f"tệp {winner.path} của cùng đơn vị cũng được chọn và được dùng"))
        else:
            winner = max(group, key=lambda s: (s.stamp_trusted, _when(s), s.path))
        for sub in group:
            if sub is winner:
                continue
            sub.status = SUPERSEDED
            sub.reason = _lost_because(sub, winner, pins)
            sub.issue("superseded", unit=unit, detail=sub.reason)
    return issues


def _lost_because(sub: Submission, winner: Submission, pins: dict[str, str]) -> str:
    if winner.path in pins:
        why = f": {pins[winner.path]}" if pins[winner.path] else ""
        return f"Sở chọn dùng bản {winner.path} (tệp quyết định{why})"
    if winner.stamp_trusted and not sub.stamp_trusted:
        return f"thời điểm lưu của bản này ({sub.modified}) không đáng tin; dùng bản {winner.path} lưu lúc {winner.modified}"
    if _when(sub) == _when(winner):
        return f"cùng thời điểm lưu {sub.modified}; dùng bản {winner.path}, xếp sau theo đường dẫn"
    return f"bản {winner.path} lưu lúc {winner.modified}, mới hơn bản này (lưu lúc {sub.modified})"


# --- typing a form's submissions ---------------------------------------------------------

def expected_fields(form: Form, registry: Registry, unit_code: str,
                    shared: dict[tuple[str, ...], frozenset[str]] | None = None) -> frozenset[str]:
    """The field rows a template made for this unit holds (the items it answers). `shared`
    keeps one set per distinct list of items: ten thousand communes answering the same
    items hold one set, not ten thousand."""
    unit = registry.by_code().get(unit_code)
    if unit is None:
        return frozenset()
    items = form.items_for(unit, registry)
    key = tuple(item.id for item in items)
    if shared is not None and key in shared:
        return shared[key]
    fields = frozenset(f.id for item in items for f in item.fields)
    if shared is not None:
        shared[key] = fields
    return fields


def _unpacked_frame(packed: list[bytes]) -> pd.DataFrame:
    return rows_frame([r for p in packed for r in unpack_rows(p)])


def _type_group(group: tuple) -> UnitValues:
    """A group typed, and kept under its key when a KeptTyping is given."""
    form, packed, units, period, expected, kept, key = group
    data = type_rows(form, _unpacked_frame([p for rows in packed for p in rows]), units, period, expected=expected)
    if kept is not None:
        kept.keep(key, data)
    return data


def form_batch(form: Form, submissions: list[Submission], registry: Registry, period: str | None,
               sent: set[str] | None = None, workers: int = 1, kept: KeptTyping | None = None) -> FormBatch:
    """The accepted submissions of one form version, typed together with that version: the
    same typing `check` gives a single file, so both name the same issues at the same cells.
    Every accepted submission is a workbook, so a field row missing from it is its own issue.
    `sent`: units that sent this form in any version (none of them is missing). `kept`: the
    workspace period's typed groups, taken back where their rows are the same."""
    accepted = [s for s in submissions if s.status == ACCEPTED and s.set_id == form.id and s.set_version == form.version]
    units = sorted({s.unit_code for s in accepted})
    shared: dict[tuple[str, ...], frozenset[str]] = {}
    sheet_fields = {s.unit_code: expected_fields(form, registry, s.unit_code, shared) for s in accepted}
    of_unit: dict[str, list[Submission]] = defaultdict(list)
    for sub in accepted:
        of_unit[sub.unit_code].append(sub)
    # A group of units at a time: the rows of ten thousand workbooks are never all unpacked at
    # once, and the groups of a large batch are typed in as many processes as it has.
    today = dt.date.today().toordinal()
    groups, found = [], []
    for group in unit_groups(units):
        packed = [[s.packed_rows for s in of_unit[unit]] for unit in group]
        expected = {u: sheet_fields[u] for u in group}
        key = kept.key(form, period, today, group, expected, packed) if kept is not None else ""
        found.append(kept.get(key) if kept is not None else None)
        if found[-1] is None:
            groups.append((form, packed, group, period, expected, kept, key))
    if workers > 1 and len(groups) > 1:
        typed = iter(largest_first_map(_type_group, groups, min(workers, len(groups)), cost=lambda g: len(g[2])))
    else:
        typed = iter([_type_group(g) for g in groups])
    parts = [data if data is not None else next(typed) for data in found]
    data = combined(parts) if parts else type_rows(form, rows_frame([]), [], period, expected={})
    expected = form.expected_units(registry)
    sent = set(units) if sent is None else sent
    return FormBatch(form, accepted, data, expected, [u for u in expected if u.code not in sent])


def _claimed(sub: Submission, registry: Registry, catalog: Catalog) -> tuple[str, str] | None:
    """The (form, unit) an unusable entry was meant for: what its stamp sheet said, else what
    its name says (<unit>_<form>_<period>.xlsx, the name the tool gives a template)."""
    if sub.set_id and sub.unit_code:
        return sub.set_id, sub.unit_code
    parts = PurePosixPath(sub.path).name.split("_")
    if len(parts) >= 3 and parts[0] in registry.by_code() and parts[1] in catalog:
        return parts[1], parts[0]
    return None


def read_batch(inputs: Path, period: str, registry: Registry, catalog: Catalog, *,
               expect_forms: list[str] | None = None, limits: Limits = Limits(), workers: int | None = None,
               progress: Progress | None = None, decisions: Path | None = None,
               timezone: str = DEFAULT_TIMEZONE, now: dt.datetime | None = None,
               reuse: Callable[[Path], Submission | None] | None = None,
               kept: KeptTyping | None = None) -> BatchResult:
    """Discover, read, supersede and type: everything before the kinds evaluate.
    `decisions`: the clerk's file of pinned returns (batch.inbox.read_decisions);
    `timezone`: the workspace's, for save stamps that carry none; `reuse` gives a file's
    stored reading when its content was read before (the workspace's store): only the
    other files are read; `kept`, the period's typed groups (the groups typed now replace
    them). `progress` counts the inbox's entries as they are read."""
    progress = progress or Progress()
    inputs = Path(inputs)
    pins = read_decisions(decisions) if decisions is not None else {}
    entries = discover_entries(inputs)
    readable = [e for e in entries if e.kind == FILE and e.problem is None]
    # Every entry counts: a rerun taking ten thousand readings back from the store spends seconds there.
    progress.phase(READING, len(entries))
    known: dict[Path, Submission] = {}
    for entry in readable if reuse else ():
        if (sub := reuse(entry.path)) is not None:
            known[entry.path] = sub
            progress.advance()
    fresh = [e.path for e in readable if e.path not in known]
    workers = workers if workers is not None else available_cores()
    read = iter(_read_all(fresh, inputs, registry, catalog, period, limits, workers, progress.advance, timezone,
                          now))
    submissions = []
    for entry in entries:
        if entry.kind == FILE and entry.problem is None:
            submissions.append(known[entry.path] if entry.path in known else next(read))
        else:
            submissions.append(listed(entry))
            progress.advance()
    issues = mark_superseded(submissions, pins)
    # The forms this period is about: those the inputs hold (accepted or not) and those asked for.
    # A form nobody sent anything for is only awaited when named: a quarterly plan run does not
    # wait for the yearly DTI.
    form_ids = sorted({s.set_id for s in submissions if s.set_id and s.set_id in catalog} | set(expect_forms or ()))
    issues = [i for s in submissions for i in s.issues] + issues
    unusable: dict[tuple[str, str], list[str]] = defaultdict(list)
    for sub in submissions:
        claim = _claimed(sub, registry, catalog) if sub.status in (REJECTED, IGNORED) else None
        if claim:
            unusable[claim].append(sub.path)
    forms: dict[str, FormBatch] = {}
    for form_id in form_ids:
        # Each workbook is read with the version it was made from; a period holding several
        # versions of one form evaluates each version apart ("id@version").
        mine = [s for s in submissions if s.set_id == form_id and s.status == ACCEPTED]
        versions = sorted({s.set_version for s in mine}, key=version_key) or [catalog.get(form_id).version]
        sent = {s.unit_code for s in mine}
        for n, version in enumerate(versions):
            # Who has not sent is said once, beside the newest version.
            newest = n == len(versions) - 1
            fb = form_batch(catalog.get(form_id, version), submissions, registry, period,
                            sent if newest else {u.code for u in registry.units}, workers, kept)
            fb.unusable = {u.code: unusable[(form_id, u.code)] for u in fb.missing if (form_id, u.code) in unusable}
            key = form_id if len(versions) == 1 else f"{form_id}@{version}"
            forms[key] = fb
            issues += fb.data.issues
            issues += [Issue("submission-unusable", file=fb.unusable[u.code][0], unit=u.code, detail=form_id)
                       for u in fb.missing if u.code in fb.unusable]
            issues += [Issue("missing-submission", unit=u.code, detail=form_id) for u in fb.unsent]
    if kept is not None:
        kept.settle()
    return BatchResult(period, registry, submissions, forms, issues, stored={s.path for s in known.values()})


def counts_by_status(batch: BatchResult) -> dict[str, dict[str, int]]:
    """Per form: how many files were accepted, rejected, superseded; ignored files, and
    rejected ones that name no form, under ''."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: {ACCEPTED: 0, REJECTED: 0, SUPERSEDED: 0, IGNORED: 0})
    for sub in batch.submissions:
        table[sub.set_id if sub.status != IGNORED else ""][sub.status] += 1
    return dict(table)
