"""The store: one SQLite file in the workspace (WAL; no server) remembering every
period.

It holds every run (when, with which options, by which version of the tool, how
many files), every file seen in an inbox (SHA-256, path, size, first seen, the
save stamp, what became of it and why, and what reading it gave, so a rerun
does not read it again), each period's submissions with their typed values and
notes, every issue, every score (self and verified), totals and ranks per main
index, target figures and task standings, the deadlines and Sở TTTT's
adjustments with who made them and when.

A run is recorded in one transaction: a run that is killed leaves the store as
it was. The schema is versioned (PRAGMA user_version); opening an older store
backs it up beside itself and migrates it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import sqlite3
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

import pandas as pd

from dti_report.core.errors import DtiError
from dti_report.core.files import relative_text
from dti_report.core.issues import Issue
from dti_report.core.kept_outputs import unit_digests
from dti_report.forms.catalog import Catalog
from dti_report.forms.units import Registry
from dti_report.workbook.layout import template_hash
from dti_report.workbook.packed_rows import PACKED_FORMAT, rows_json, stored_packed
from dti_report.workbook.reader import ACCEPTED, REJECTED, SUPERSEDED, Limits, Submission

# Each step takes the store from version n to n + 1; a store is created by running them all.
MIGRATIONS: list[list[str]] = [
    # 1: runs, files and what reading them gave, each period's submissions, issues, scores, figures
    [
        """CREATE TABLE runs (id INTEGER PRIMARY KEY, period TEXT NOT NULL, started TEXT NOT NULL,
            finished TEXT NOT NULL, options TEXT NOT NULL, tool_version TEXT NOT NULL, files_found INTEGER NOT NULL,
            files_read INTEGER NOT NULL, files_known INTEGER NOT NULL, counts TEXT NOT NULL)""",
        """CREATE TABLE files (id INTEGER PRIMARY KEY, period TEXT NOT NULL, path TEXT NOT NULL,
            sha256 TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER, first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL, saved TEXT NOT NULL, read_status TEXT NOT NULL, status TEXT NOT NULL,
            why TEXT NOT NULL, unit_code TEXT NOT NULL, set_id TEXT NOT NULL, set_version TEXT NOT NULL,
            file_period TEXT NOT NULL, reader TEXT NOT NULL, present INTEGER NOT NULL,
            first_run INTEGER REFERENCES runs(id), last_run INTEGER REFERENCES runs(id),
            UNIQUE (period, path, sha256))""",
        """CREATE TABLE file_rows (file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, unit_code TEXT, field TEXT, value, note TEXT, sheet TEXT, cell TEXT,
            PRIMARY KEY (file_id, seq))""",
        """CREATE TABLE file_issues (file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, code TEXT NOT NULL, sheet TEXT, cell TEXT, unit TEXT, field TEXT, criterion TEXT,
            value TEXT, detail TEXT, PRIMARY KEY (file_id, seq))""",
        """CREATE TABLE submissions (id INTEGER PRIMARY KEY, period TEXT NOT NULL, set_key TEXT NOT NULL,
            set_id TEXT NOT NULL, set_version TEXT NOT NULL, unit_code TEXT NOT NULL,
            file_id INTEGER NOT NULL REFERENCES files(id), status TEXT NOT NULL)""",
        """CREATE TABLE submission_values (submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
            field TEXT NOT NULL, raw, number REAL, text TEXT, note TEXT, cell TEXT)""",
        """CREATE TABLE issues (period TEXT NOT NULL, seq INTEGER NOT NULL, severity TEXT, code TEXT, file TEXT,
            sheet TEXT, cell TEXT, unit TEXT, field TEXT, criterion TEXT, value TEXT, message TEXT)""",
        """CREATE TABLE scores (period TEXT NOT NULL, set_key TEXT NOT NULL, set_id TEXT NOT NULL,
            set_version TEXT NOT NULL, unit_code TEXT NOT NULL, idx TEXT, criterion TEXT NOT NULL, max_points REAL,
            self_ratio REAL, self_score REAL, self_status TEXT, ratio REAL, verified_score REAL, status TEXT)""",
        """CREATE TABLE totals (period TEXT NOT NULL, set_key TEXT NOT NULL, set_id TEXT NOT NULL,
            set_version TEXT NOT NULL, unit_code TEXT NOT NULL, total REAL, rank INTEGER, self_total REAL,
            self_rank INTEGER, no_data INTEGER, not_applicable INTEGER, invalid INTEGER)""",
        """CREATE TABLE index_totals (period TEXT NOT NULL, set_key TEXT NOT NULL, unit_code TEXT NOT NULL,
            index_id TEXT NOT NULL, points REAL)""",
        """CREATE TABLE target_data (period TEXT NOT NULL, set_key TEXT NOT NULL, set_id TEXT NOT NULL,
            set_version TEXT NOT NULL, data TEXT NOT NULL)""",
        """CREATE TABLE target_figures (period TEXT NOT NULL, set_key TEXT NOT NULL, key TEXT NOT NULL,
            value REAL, display TEXT, verdict TEXT)""",
        """CREATE TABLE task_standings (period TEXT NOT NULL, plan_key TEXT NOT NULL, plan_id TEXT NOT NULL,
            task_id TEXT NOT NULL, standing TEXT NOT NULL, label TEXT NOT NULL, note TEXT)""",
        "CREATE INDEX files_period ON files (period, path)",
        "CREATE INDEX scores_period ON scores (period, set_key)",
        "CREATE INDEX totals_unit ON totals (unit_code, period)",
    ],
    # 2: when each submission arrived (from its file's first sighting), who was awaited, deadlines,
    # and Sở TTTT's adjustments with who made them and when
    [
        "ALTER TABLE submissions ADD COLUMN arrived TEXT NOT NULL DEFAULT ''",
        "UPDATE submissions SET arrived = (SELECT first_seen FROM files WHERE files.id = submissions.file_id)",
        """CREATE TABLE expected_units (period TEXT NOT NULL, set_key TEXT NOT NULL, set_id TEXT NOT NULL,
            unit_code TEXT NOT NULL)""",
        """CREATE TABLE deadlines (set_id TEXT NOT NULL, period TEXT NOT NULL, deadline TEXT NOT NULL,
            source TEXT NOT NULL, recorded TEXT NOT NULL, PRIMARY KEY (set_id, period))""",
        """CREATE TABLE adjustments (id INTEGER PRIMARY KEY, period TEXT NOT NULL, unit_code TEXT NOT NULL,
            field TEXT NOT NULL, value TEXT NOT NULL, reason TEXT NOT NULL, made_by TEXT NOT NULL,
            made_at TEXT NOT NULL, source TEXT NOT NULL)""",
        "CREATE INDEX adjustments_key ON adjustments (period, unit_code, field)",
    ],
    # 3: how long each phase of a run took (reading, evaluating, each kind of output), in seconds
    [
        "ALTER TABLE runs ADD COLUMN phases TEXT NOT NULL DEFAULT '[]'",
    ],
    # 4: a file's input rows as one JSON array in its row ([unit_code, field, value, note, sheet,
    # cell] each, in order), not a table row each: 10,000 files' readings written and taken
    # back without 1.7 million row operations
    [
        "ALTER TABLE files ADD COLUMN rows TEXT NOT NULL DEFAULT '[]'",
        """UPDATE files SET rows = (SELECT json_group_array(json_array(unit_code, field, value, note, sheet, cell))
            FROM (SELECT unit_code, field, value, note, sheet, cell FROM file_rows r WHERE r.file_id = files.id
                  ORDER BY seq)) WHERE id IN (SELECT file_id FROM file_rows)""",
        "DROP TABLE file_rows",
    ],
    # 5: a submission's typed values as one JSON array in its row ([field, raw, number, text, note,
    # cell] each, in order), not a table row each; submission_values stays, as a view over them
    [
        "ALTER TABLE submissions ADD COLUMN field_values TEXT NOT NULL DEFAULT '[]'",
        """UPDATE submissions SET field_values = (SELECT json_group_array(json_array(field, raw, number, text, note,
                                                                                     cell))
            FROM (SELECT field, raw, number, text, note, cell FROM submission_values v
                  WHERE v.submission_id = submissions.id ORDER BY rowid))
            WHERE id IN (SELECT submission_id FROM submission_values)""",
        "DROP TABLE submission_values",
        """CREATE VIEW submission_values AS
            SELECT s.id AS submission_id, json_extract(v.value, '$[0]') AS field, json_extract(v.value, '$[1]') AS raw,
                   json_extract(v.value, '$[2]') AS number, json_extract(v.value, '$[3]') AS text,
                   json_extract(v.value, '$[4]') AS note, json_extract(v.value, '$[5]') AS cell
            FROM submissions s, json_each(s.field_values) v""",
    ],
    # 6: files found by their content: a new file's earlier sightings (moved, renamed, sent again)
    # are looked up by period and hash, which scanned every file of the period (33 ms at 10,000
    # files, twice per new file)
    [
        "CREATE INDEX files_content ON files (period, sha256)",
    ],
    # 7: beside a file's rows as JSON, the same rows as the reader packed them and the format they
    # are in (workbook/packed_rows.py): a rerun by the same Python takes them back as they are
    [
        "ALTER TABLE files ADD COLUMN packed BLOB",
        "ALTER TABLE files ADD COLUMN packed_format TEXT NOT NULL DEFAULT ''",
    ],
    # 8: a period's scores written again only for the units whose rows changed (score_digests):
    # a rerun after a hundred new workbooks rewrote the half million rows of ten thousand units
    [
        """CREATE TABLE score_digests (period TEXT NOT NULL, set_key TEXT NOT NULL, unit_code TEXT NOT NULL,
            digest INTEGER NOT NULL, PRIMARY KEY (period, set_key, unit_code))""",
        "DROP INDEX scores_period",
        "CREATE INDEX scores_unit ON scores (period, set_key, unit_code)",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)
# A file's content looked up in its period (both use the files_content index).
FIRST_SEEN_SQL = "SELECT MIN(first_seen) FROM files WHERE period = ? AND sha256 = ?"
SAME_CONTENT_SQL = ("SELECT id, first_seen, reader, saved, mtime_ns, path FROM files WHERE period = ? AND sha256 = ? "
                    "AND reader = ? ORDER BY id")


class StoreError(DtiError):
    pass


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=60, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=60000")
    return conn


def tool_version() -> str:
    try:
        return metadata.version("dti-report")
    except metadata.PackageNotFoundError:
        return "0+khong-ro"


def reader_fingerprint(registry: Registry, catalog: Catalog, period: str, limits: Limits) -> str:
    """What reading a file depends on besides its bytes: a stored reading is reused only
    while all of it is the same."""
    forms = sorted((f.id, v, template_hash(f)) for f_id in catalog.ids() for v, f in catalog.forms[f_id].items())
    payload = json.dumps({"tool": tool_version(), "registry": registry.model_dump(mode="json"), "forms": forms,
                          "period": period, "limits": asdict(limits)}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _iso_mtime(stat: os.stat_result, zone) -> str:
    return dt.datetime.fromtimestamp(stat.st_mtime, zone).replace(microsecond=0).isoformat()


def _utc_iso(mtime_ns: int) -> str:
    """A file time as the reader dates a workbook without its own save stamp."""
    return dt.datetime.fromtimestamp(mtime_ns / 1e9, dt.timezone.utc).isoformat(timespec="seconds")


def _rows(frame: pd.DataFrame, columns: list[str]) -> Iterator[tuple]:
    """A frame's rows as SQLite takes them, column by column: Python scalars, NULL for NaN and
    NA. Given one at a time: half a million score rows are never all held as tuples."""
    cols = []
    for column in columns:
        values = frame[column].tolist()
        cols.append([None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v for v in values])
    return zip(*cols)


# A unit's score rows as the store keeps them, beside its code.
STORED_SCORE_COLUMNS = ["index", "criterion", "max_points", "self_ratio", "self_score", "self_status", "ratio",
                 "verified_score", "status"]


def _json_rows(rows: list[list]) -> str:
    """Typed value rows as one JSON array; a raw value or number JSON cannot write (NaN, an
    infinity) is NULL. Cleaned only when the encoder refuses: a reader's values almost never need it."""
    try:
        return json.dumps(rows, separators=(",", ":"), allow_nan=False)
    except ValueError:
        return json.dumps([[row[0], _json_value(row[1]), _json_value(row[2]), *row[3:]] for row in rows],
                          separators=(",", ":"))


def _json_value(value):
    """A value as read, as the store's JSON holds it: NaN and infinities (which JSON cannot
    write) are NULL, as _clean makes NaN for a column."""
    if isinstance(value, float) and (value != value or value in (math.inf, -math.inf)):
        return None
    return value


def _clean(value):
    """A frame's value as SQLite takes it: NaN and pandas' NA are NULL."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    return value


@dataclass
class Sighting:
    """A file as this run found it: where, its content, and whether the store already knew it."""

    path: str
    sha256: str
    size: int
    mtime_ns: int
    mtime: str
    file_id: int | None = None   # its row in the store, when known
    first_seen: str = ""


# What a stored reading is made from (Store.stored_submission), the rows as JSON aside.
_SUBMISSION_COLUMNS = ("path, sha256, size, read_status, unit_code, set_id, set_version, file_period, saved, packed, "
                       "packed_format")


class _KnownFile(NamedTuple):
    """A stored file of the period, as a rerun looks it up by path, with the columns its stored
    reading is made from."""
    id: int
    mtime_ns: int
    reader: str
    first_seen: str
    stored: tuple  # _SUBMISSION_COLUMNS

    @property
    def sha256(self) -> str:
        return self.stored[1]

    @property
    def size(self) -> int:
        return self.stored[2]

    @property
    def saved(self) -> str:
        return self.stored[8]


@dataclass
class StoredReading:
    """Hands read_batch the stored reading of each file whose content the store has seen
    (with the same reader), and keeps what it saw for the run's record."""

    store: "Store"
    inputs: Path
    period: str
    reader: str
    zone: object
    sightings: dict[str, Sighting] = field(default_factory=dict)
    reused: set[str] = field(default_factory=set)
    # The period's stored files by path (with what their readings are made from), and their
    # issues by file: two queries for the whole inbox, not four per file (40,000 at 10,000 files).
    _files: dict[str, list[_KnownFile]] | None = None
    _file_issues: dict[int, list[tuple]] | None = None

    def _known(self) -> dict[str, list[_KnownFile]]:
        if self._files is None:
            self._files = {}
            for file_id, mtime_ns, reader, first_seen, *stored in self.store.conn.execute(
                    f"SELECT id, mtime_ns, reader, first_seen, {_SUBMISSION_COLUMNS} FROM files "
                    "WHERE period = ? ORDER BY id", (self.period,)):
                self._files.setdefault(stored[0], []).append(_KnownFile(file_id, mtime_ns, reader, first_seen,
                                                                        tuple(stored)))
        return self._files

    def _issues(self) -> dict[int, list[tuple]]:
        if self._file_issues is None:
            self._file_issues = {}
            for file_id, *issue in self.store.conn.execute(
                    "SELECT file_id, code, sheet, cell, unit, field, criterion, value, detail FROM file_issues "
                    "WHERE file_id IN (SELECT id FROM files WHERE period = ?) ORDER BY file_id, seq", (self.period,)):
                self._file_issues.setdefault(file_id, []).append(issue)
        return self._file_issues

    def __call__(self, path: Path) -> Submission | None:
        rel = relative_text(path, self.inputs)
        try:
            stat = path.stat()
        except OSError:
            return None
        known = self._known().get(rel, ())
        quick = next((r.sha256 for r in known if (r.size, r.mtime_ns, r.reader) == (stat.st_size, stat.st_mtime_ns,
                                                                                     self.reader)), None)
        try:
            sha = quick or _sha256(path)
        except OSError:
            return None
        sighting = Sighting(rel, sha, stat.st_size, stat.st_mtime_ns, _iso_mtime(stat, self.zone))
        self.sightings[rel] = sighting
        hit = next((r for r in known if r.sha256 == sha), None)
        row = (hit.id, hit.first_seen, hit.reader, hit.saved, hit.mtime_ns) if hit is not None else None
        if row is None:
            # The same content moved to another folder: read the same (only the file's name is read
            # for what it says), so its reading is reused under its new path.
            row = next((r for r in self.store.conn.execute(SAME_CONTENT_SQL, (self.period, sha, self.reader))
                        if Path(r[5]).name == path.name), None)
            if row is None:
                return None
        else:
            sighting.file_id = row[0]
        sighting.first_seen = row[1]
        if row[2] != self.reader:
            return None
        sub = self.store.stored_submission(row[0], rel, self._issues(), hit.stored if hit is not None else None)
        if row[4] is not None and row[3] == _utc_iso(row[4]):
            # Dated by its file time when read (no save stamp inside): a fresh reading takes today's.
            sub.modified = _utc_iso(stat.st_mtime_ns)
        self.reused.add(rel)
        return sub


@dataclass
class RunRecord:
    """Everything a run leaves in the store, gathered before the one transaction."""

    period: str
    started: str
    finished: str
    options: dict
    reader: str
    submissions: list[Submission]
    sightings: dict[str, Sighting]
    reused: set[str]
    arrivals: dict[str, str]                      # path -> first seen
    set_rows: list[dict]                          # one per form key: key, id, version
    # Typed values of the winning submissions, a unit at a time: (key, unit, [[field, raw, number,
    # text, note, cell], …]) (recording.typed_values), read once as they are written; given the
    # (key, unit) pairs whose stored values stand, without them.
    values: Callable[[set[tuple[str, str]]], Iterable[tuple[str, str, list[list]]]]
    issues: list[Issue]
    scores: dict[str, pd.DataFrame]               # set key -> scores.csv
    totals: dict[str, pd.DataFrame]               # set key -> totals.csv
    index_ids: dict[str, list[str]]               # set key -> main index and pillar ids
    targets: dict[str, tuple[str, str, dict, list[tuple]]]   # key -> (id, version, data json, figures)
    standings: dict[str, tuple[str, list[tuple]]]            # plan key -> (plan id, [(task, standing, label, note)])
    expected: dict[str, tuple[str, list[str]]]               # set key -> (form id, units awaited)
    # [phase label, seconds] in order (core.progress), asked for when everything else is
    # recorded, so the recording's own time is in it.
    phases: Callable[[], list[tuple[str, float]]] = list


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    # --- opening --------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, backup_dir: Path | str | None = None, *, create: bool = True,
             upto: int = SCHEMA_VERSION) -> "Store":
        """The store at `path`, created or migrated to the current schema (`upto` only
        for tests that build an older store)."""
        path = Path(path)
        if not path.exists() and not create:
            raise StoreError(f"chưa có kho dữ liệu {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = _connect(path)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path} không phải kho dữ liệu dùng được ({exc})") from None
        store = cls(conn, path)
        if version > SCHEMA_VERSION:
            conn.close()
            raise StoreError(f"kho dữ liệu {path} có cấu trúc phiên bản {version}, mới hơn công cụ này "
                             f"(phiên bản {SCHEMA_VERSION}); hãy cập nhật dti-report")
        if version < upto:
            if version > 0:
                store.backup(Path(backup_dir or path.parent / "sao-luu"), version)
            store._migrate(version, upto)
        return store

    def reopen(self) -> None:
        """A new connection in place of this one. A run closes its connection before it forks
        the process that records it (SQLite's state must not cross a fork) and reopens it then."""
        self.conn.close()
        self.conn = _connect(self.path)

    def _migrate(self, version: int, upto: int) -> None:
        with self.transaction():
            for step in range(version, upto):
                for statement in MIGRATIONS[step]:
                    self.conn.execute(statement)
            self.conn.execute(f"PRAGMA user_version = {int(upto)}")

    def backup(self, folder: Path, version: int) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = folder / f"{self.path.stem}-cau-truc-{version}-{stamp}.sqlite"
        dest = sqlite3.connect(target)
        try:
            self.conn.backup(dest)
        finally:
            dest.close()
        return target

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it or, on any failure or kill, none of it."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # --- reading again what the store has seen ---------------------------------------

    def reading(self, inputs: Path, period: str, reader: str, zone) -> StoredReading:
        return StoredReading(self, Path(inputs), period, reader, zone)

    def stored_submission(self, file_id: int, path: str | None = None,
                          issues: dict[int, list[tuple]] | None = None, stored: tuple | None = None) -> Submission:
        """A file's stored reading, as read_submission gave it (under `path` when it moved).
        `issues`: the file issues of its period by file, and `stored`, its row's
        _SUBMISSION_COLUMNS, when they were read at once for a whole inbox."""
        row = stored or self.conn.execute(f"SELECT {_SUBMISSION_COLUMNS} FROM files WHERE id = ?",
                                          (file_id,)).fetchone()
        sub = Submission(path=path or row[0], sha256=row[1], size=row[2], status=row[3], unit_code=row[4], set_id=row[5],
                         set_version=row[6], period=row[7], modified=row[8])
        packed, packed_format = row[9], row[10]
        # The rows as JSON (the record of what was read) only where the packed bytes cannot be taken.
        text = None if packed is not None and packed_format == PACKED_FORMAT and row[0] == sub.path else \
            self.conn.execute("SELECT rows FROM files WHERE id = ?", (file_id,)).fetchone()[0]
        sub.packed_rows = stored_packed(packed, packed_format, text, row[0], sub.path)
        stored = issues.get(file_id, ()) if issues is not None else self.conn.execute(
            "SELECT code, sheet, cell, unit, field, criterion, value, detail FROM file_issues "
            "WHERE file_id = ? ORDER BY seq", (file_id,))
        sub.issues = [Issue(code, file=sub.path, sheet=sheet or "", cell=cell or "", unit=unit or "", field=fld or "",
                            criterion=criterion or "", value=value or "", detail=detail or "")
                      for code, sheet, cell, unit, fld, criterion, value, detail in stored]
        return sub

    def has_period(self, period: str) -> bool:
        return self.conn.execute("SELECT 1 FROM files WHERE period = ? LIMIT 1", (period,)).fetchone() is not None

    # --- a run, in one transaction --------------------------------------------------

    def record_run(self, record: RunRecord, before_commit: Callable[[], None] | None = None) -> int:
        """The run in one transaction. `before_commit`: what must end well before the run is kept
        (a run recorded while its files are written waits there for them: record_when_released);
        it may still set the record's end and phase times. Its failure keeps nothing."""
        with self.transaction() as c:
            counts: dict[str, int] = {}
            for sub in record.submissions:
                counts[sub.status] = counts.get(sub.status, 0) + 1
            run_id = c.execute(
                "INSERT INTO runs (period, started, finished, options, tool_version, files_found, files_read, "
                "files_known, counts, phases) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (record.period, record.started, record.finished, json.dumps(record.options, ensure_ascii=False,
                                                                            default=str),
                 tool_version(), len(record.submissions), len(record.submissions) - len(record.reused),
                 len(record.reused), json.dumps(counts, sort_keys=True), "[]")).lastrowid
            file_ids = self._record_files(c, record, run_id)
            self._record_period(c, record, file_ids)
            if before_commit is not None:
                before_commit()
            phases = [[name, round(seconds, 3)] for name, seconds in record.phases()]
            c.execute("UPDATE runs SET finished = ?, phases = ? WHERE id = ?",
                      (record.finished, json.dumps(phases, ensure_ascii=False), run_id))
            return run_id

    def _record_files(self, c: sqlite3.Connection, record: RunRecord, run_id: int) -> dict[str, int]:
        c.execute("UPDATE files SET present = 0 WHERE period = ?", (record.period,))
        ids: dict[str, int] = {}
        for sub in record.submissions:
            seen = record.sightings.get(sub.path)
            mtime_ns = seen.mtime_ns if seen else None
            read_status = ACCEPTED if sub.status == SUPERSEDED else sub.status
            why = _why(sub)
            existing = c.execute("SELECT id, reader FROM files WHERE period = ? AND path = ? AND sha256 = ?",
                                 (record.period, sub.path, sub.sha256)).fetchone()
            if existing is not None:
                file_id = existing[0]
                # Rows packed in another format (another Python) are kept again as this one packs them.
                c.execute("UPDATE files SET last_seen = ?, last_run = ?, status = ?, why = ?, present = 1, "
                          "mtime_ns = ?, saved = ?, packed = CASE WHEN packed_format = ? THEN packed ELSE ? END, "
                          "packed_format = ? WHERE id = ?",
                          (record.started, run_id, sub.status, why, mtime_ns, sub.modified, PACKED_FORMAT,
                           sub.packed_rows, PACKED_FORMAT, file_id))
                if sub.path in record.reused:
                    ids[sub.path] = file_id
                    continue
                # Read again (the reader changed): its stored reading is replaced.
                c.execute("DELETE FROM file_issues WHERE file_id = ?", (file_id,))
                c.execute("UPDATE files SET reader = ?, read_status = ?, saved = ?, unit_code = ?, set_id = ?, "
                          "set_version = ?, file_period = ?, rows = ?, packed = ?, packed_format = ? WHERE id = ?",
                          (record.reader, read_status, sub.modified, sub.unit_code, sub.set_id, sub.set_version,
                           sub.period, rows_json(sub.packed_rows), sub.packed_rows, PACKED_FORMAT, file_id))
            else:
                first_seen = record.arrivals.get(sub.path, record.started)
                file_id = c.execute(
                    "INSERT INTO files (period, path, sha256, size, mtime_ns, first_seen, last_seen, saved, "
                    "read_status, status, why, unit_code, set_id, set_version, file_period, reader, present, "
                    "first_run, last_run, rows, packed, packed_format) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)",
                    (record.period, sub.path, sub.sha256, sub.size, mtime_ns, first_seen, record.started, sub.modified,
                     read_status, sub.status, why, sub.unit_code, sub.set_id, sub.set_version, sub.period,
                     record.reader, run_id, run_id, rows_json(sub.packed_rows), sub.packed_rows,
                     PACKED_FORMAT)).lastrowid
            ids[sub.path] = file_id
            # What reading found, without what the batch added after (a newer copy superseding it).
            c.executemany("INSERT INTO file_issues (file_id, seq, code, sheet, cell, unit, field, criterion, value, "
                          "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          [(file_id, n, i.code, i.sheet, i.cell, i.unit, i.field, i.criterion, i.value, i.detail)
                           for n, i in enumerate(i for i in sub.issues if i.code != "superseded")])
        return ids

    def _record_period(self, c: sqlite3.Connection, record: RunRecord, file_ids: dict[str, int]) -> None:
        """The period's current state, replaced whole (what this run made of its inbox), except
        the submissions of units whose files did not change (_record_submissions)."""
        p = record.period
        for table in ("issues", "totals", "index_totals", "target_data", "target_figures",
                      "task_standings", "expected_units"):
            c.execute(f"DELETE FROM {table} WHERE period = ?", (p,))
        by_unit, kept = self._record_submissions(c, record, file_ids)
        self._record_values(c, record.values(kept), by_unit)
        c.executemany("INSERT INTO issues (period, seq, severity, code, file, sheet, cell, unit, field, criterion, "
                      "value, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      [(p, n, i.severity, i.code, i.file, i.sheet, i.cell, i.unit, i.field, i.criterion, i.value,
                        i.message) for n, i in enumerate(record.issues)])
        versions = {row["key"]: (row["id"], row["version"]) for row in record.set_rows}
        self._record_scores(c, p, record.scores, versions)
        for key, totals in record.totals.items():
            set_id, version = versions[key]
            c.executemany(
                "INSERT INTO totals (period, set_key, set_id, set_version, unit_code, total, rank, self_total, "
                "self_rank, no_data, not_applicable, invalid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((p, key, set_id, version, *row) for row in _rows(totals, [
                    "unit_code", "total", "rank", "self_total", "self_rank", "no_data", "not_applicable",
                    "invalid"])))
            ids = [i for i in record.index_ids[key] if i in totals.columns]
            c.executemany("INSERT INTO index_totals (period, set_key, unit_code, index_id, points) "
                          "VALUES (?, ?, ?, ?, ?)",
                          ((p, key, unit, i, points) for i in ids for unit, points in _rows(totals, ["unit_code", i])))
        for key, (set_id, version, data, figures) in record.targets.items():
            c.execute("INSERT INTO target_data (period, set_key, set_id, set_version, data) VALUES (?, ?, ?, ?, ?)",
                      (p, key, set_id, version, json.dumps(data, ensure_ascii=False)))
            c.executemany("INSERT INTO target_figures (period, set_key, key, value, display, verdict) "
                          "VALUES (?, ?, ?, ?, ?, ?)", [(p, key, *(_clean(v) for v in f)) for f in figures])
        for key, (plan_id, rows) in record.standings.items():
            c.executemany("INSERT INTO task_standings (period, plan_key, plan_id, task_id, standing, label, note) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)", [(p, key, plan_id, *row) for row in rows])
        for key, (set_id, units) in record.expected.items():
            c.executemany("INSERT INTO expected_units (period, set_key, set_id, unit_code) VALUES (?, ?, ?, ?)",
                          [(p, key, set_id, u) for u in units])

    @staticmethod
    def _record_scores(c: sqlite3.Connection, p: str, scores_by_key: dict[str, pd.DataFrame],
                       versions: dict[str, tuple[str, str]]) -> None:
        """The period's scores, each unit's rows written again only when they changed: a digest of
        each unit's rows as written is kept beside them (score_digests). A period recorded
        before the digests existed has its rows replaced whole."""
        stored = {(key, unit): digest for key, unit, digest in c.execute(
            "SELECT set_key, unit_code, digest FROM score_digests WHERE period = ?", (p,))}
        if not stored:
            c.execute("DELETE FROM scores WHERE period = ?", (p,))
        digests: dict[tuple[str, str], int] = {}
        for key, scores in scores_by_key.items():
            set_id, version = versions[key]
            columns = ["unit_code", *STORED_SCORE_COLUMNS]
            mine = unit_digests(scores[columns], f"{set_id}\0{version}")
            digests.update(((key, unit), digest) for unit, digest in mine.items())
            changed = [unit for unit, digest in mine.items() if stored.get((key, unit)) != digest]
            c.executemany("DELETE FROM scores WHERE period = ? AND set_key = ? AND unit_code = ?",
                          [(p, key, unit) for unit in changed if (key, unit) in stored])
            rows = scores[scores["unit_code"].isin(changed)] if len(changed) < len(mine) else scores
            c.executemany(
                "INSERT INTO scores (period, set_key, set_id, set_version, unit_code, idx, criterion, max_points, "
                "self_ratio, self_score, self_status, ratio, verified_score, status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((p, key, set_id, version, *row) for row in _rows(rows, columns)))
        c.executemany("DELETE FROM scores WHERE period = ? AND set_key = ? AND unit_code = ?",
                      [(p, *pair) for pair in stored if pair not in digests])
        c.execute("DELETE FROM score_digests WHERE period = ?", (p,))
        c.executemany("INSERT INTO score_digests (period, set_key, unit_code, digest) VALUES (?, ?, ?, ?)",
                      [(p, key, unit, digest) for (key, unit), digest in digests.items()])

    @staticmethod
    def _record_submissions(c: sqlite3.Connection, record: RunRecord,
                            file_ids: dict[str, int]) -> tuple[dict[tuple[str, str], int], set[tuple[str, str]]]:
        """The period's used submissions (accepted and superseded) per form and unit. A unit whose
        submissions are the files already stored for it, each read before (its reading taken
        back from the store), keeps its rows and typed values; the others' rows are written
        again. Returns, for the units written again, each one's accepted row by (set key, unit),
        and the (set key, unit) pairs kept: their values are not made again."""
        keys = {(row["id"], row["version"]): row["key"] for row in record.set_rows}
        # Per (set key, unit): each submission as its row holds it (set key, set id, version, unit,
        # file id, status), with its file's path.
        wanted: dict[tuple[str, str], list[tuple[tuple, str]]] = {}
        for sub in record.submissions:
            if sub.status not in (ACCEPTED, SUPERSEDED):
                continue
            key = keys.get((sub.set_id, sub.set_version), sub.set_id)
            row = (key, sub.set_id, sub.set_version, sub.unit_code, file_ids[sub.path], sub.status)
            wanted.setdefault((key, sub.unit_code), []).append((row, sub.path))
        stored: dict[tuple[str, str], list[tuple]] = {}
        for sub_id, *row in c.execute("SELECT id, set_key, set_id, set_version, unit_code, file_id, status "
                                      "FROM submissions WHERE period = ?", (record.period,)):
            stored.setdefault((row[0], row[3]), []).append((sub_id, tuple(row)))
        kept: set[tuple[str, str]] = set()
        gone: list[tuple[int]] = []
        for pair, rows in stored.items():
            subs = wanted.get(pair, [])
            if (subs and all(path in record.reused for _, path in subs)
                    and sorted(row for _, row in rows) == sorted(row for row, _ in subs)):
                kept.add(pair)
            else:
                gone += [(sub_id,) for sub_id, _ in rows]
        c.executemany("DELETE FROM submissions WHERE id = ?", gone)
        by_unit: dict[tuple[str, str], int] = {}
        for pair, subs in wanted.items():
            if pair in kept:
                continue
            for row, _ in subs:
                sub_id = c.execute(
                    "INSERT INTO submissions (period, set_key, set_id, set_version, unit_code, file_id, status, "
                    "arrived) VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT first_seen FROM files WHERE id = ?))",
                    (record.period, *row, row[4])).lastrowid
                if row[5] == ACCEPTED:
                    by_unit[pair] = sub_id
        return by_unit, kept

    @staticmethod
    def _record_values(c: sqlite3.Connection, values: Iterable[tuple[str, str, list[list]]],
                       by_unit: dict[tuple[str, str], int]) -> None:
        """Each used submission's typed values into its row, one JSON array each. The values come
        a unit at a time (recording.typed_values); a unit's values that come back apart (two
        files of one form for the same unit) are added to what its row holds."""
        written: set[int] = set()
        later: dict[int, list] = {}

        def arrays() -> Iterator[tuple[str, int]]:
            for key, unit, rows in values:
                sub_id = by_unit.get((key, unit))
                if sub_id is None:
                    continue
                if sub_id in written:
                    later.setdefault(sub_id, []).extend(rows)
                    continue
                written.add(sub_id)
                yield _json_rows(rows), sub_id

        c.executemany("UPDATE submissions SET field_values = ? WHERE id = ?", arrays())
        for sub_id, rows in later.items():
            (held,) = c.execute("SELECT field_values FROM submissions WHERE id = ?", (sub_id,)).fetchone()
            c.execute("UPDATE submissions SET field_values = ? WHERE id = ?",
                      (_json_rows(json.loads(held) + rows), sub_id))

    def first_seen(self, period: str, sha256: str) -> str | None:
        """When the store first saw this content in the period's inbox, under any name."""
        return self.conn.execute(FIRST_SEEN_SQL, (period, sha256)).fetchone()[0]

    # --- what earlier periods left ---------------------------------------------------

    def periods(self, set_id: str | None = None) -> list[str]:
        if set_id is None:
            rows = self.conn.execute("SELECT DISTINCT period FROM runs ORDER BY period")
        else:
            rows = self.conn.execute("SELECT DISTINCT period FROM totals WHERE set_id = ? UNION "
                                     "SELECT DISTINCT period FROM target_data WHERE set_id = ? UNION "
                                     "SELECT DISTINCT period FROM task_standings WHERE plan_id = ? ORDER BY period",
                                     (set_id, set_id, set_id))
        return [r[0] for r in rows]

    def frame(self, sql: str, params: Iterable = ()) -> pd.DataFrame:
        cursor = self.conn.execute(sql, tuple(params))
        return pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description])

    def totals_of(self, set_id: str, periods: list[str] | None = None) -> pd.DataFrame:
        """Each stored period's totals and ranks of a set (every version of it)."""
        frame = self.frame("SELECT period, set_key, set_id, set_version, unit_code, total, rank, self_total, "
                           "self_rank FROM totals WHERE set_id = ? ORDER BY period, rank, unit_code", (set_id,))
        return frame if periods is None else frame[frame["period"].isin(periods)].reset_index(drop=True)

    def scores_of(self, set_id: str, period: str) -> pd.DataFrame:
        # In the order a period's rows were made (each unit's rows are written together).
        return self.frame("SELECT set_key, set_version, unit_code, idx AS 'index', criterion, max_points, "
                          "verified_score FROM scores WHERE set_id = ? AND period = ? "
                          "ORDER BY set_key, unit_code, rowid", (set_id, period))

    def target_data(self, set_id: str, period: str) -> dict | None:
        row = self.conn.execute("SELECT data FROM target_data WHERE set_id = ? AND period = ? LIMIT 1",
                                (set_id, period)).fetchone()
        return json.loads(row[0]) if row else None

    def standings_of(self, plan_id: str, period: str) -> pd.DataFrame:
        return self.frame("SELECT task_id, standing, label FROM task_standings WHERE plan_id = ? AND period = ?",
                          (plan_id, period))

    def runs(self, period: str | None = None) -> pd.DataFrame:
        where = "WHERE period = ?" if period else ""
        return self.frame(f"SELECT * FROM runs {where} ORDER BY id", (period,) if period else ())

    # --- deadlines -------------------------------------------------------------------

    def set_deadline(self, set_id: str, period: str, deadline: dt.date, source: str, recorded: str) -> None:
        with self.transaction() as c:
            c.execute("INSERT INTO deadlines (set_id, period, deadline, source, recorded) VALUES (?, ?, ?, ?, ?) "
                      "ON CONFLICT (set_id, period) DO UPDATE SET deadline = excluded.deadline, "
                      "source = excluded.source, recorded = excluded.recorded",
                      (set_id, period, deadline.isoformat(), source, recorded))

    def deadlines(self, period: str) -> dict[str, dt.date]:
        return {s: dt.date.fromisoformat(d) for s, d in self.conn.execute(
            "SELECT set_id, deadline FROM deadlines WHERE period = ?", (period,))}

    # --- Sở TTTT's adjustments --------------------------------------------------------

    def add_adjustments(self, period: str, rows: list[dict], made_by: str, made_at: str, source: str) -> int:
        """Record adjustments; one that repeats the field's adjustment in force (same value and
        reason) is not recorded again, so passing the same file twice changes nothing."""
        added = 0
        with self.transaction() as c:
            for row in rows:
                last = c.execute("SELECT value, reason FROM adjustments WHERE period = ? AND unit_code = ? AND "
                                 "field = ? ORDER BY id DESC LIMIT 1",
                                 (period, row["unit_code"], row["field"])).fetchone()
                if last is not None and tuple(last) == (row["value"], row["reason"]):
                    continue
                c.execute("INSERT INTO adjustments (period, unit_code, field, value, reason, made_by, made_at, source) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                          (period, row["unit_code"], row["field"], row["value"], row["reason"], made_by, made_at,
                           source))
                added += 1
        return added

    def adjustments(self, period: str | None = None, unit: str | None = None) -> pd.DataFrame:
        """Every adjustment, oldest first, with whether a later one of the same field replaced it."""
        where, params = [], []
        if period:
            where.append("a.period = ?")
            params.append(period)
        if unit:
            where.append("a.unit_code = ?")
            params.append(unit)
        sql = ("SELECT a.id, a.period, a.unit_code, a.field, a.value, a.reason, a.made_by, a.made_at, a.source, "
               "(SELECT MIN(b.id) FROM adjustments b WHERE b.period = a.period AND b.unit_code = a.unit_code AND "
               "b.field = a.field AND b.id > a.id) AS superseded_by FROM adjustments a"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY a.id")
        return self.frame(sql, params)

    def adjustments_in_force(self, period: str) -> pd.DataFrame:
        """The latest adjustment of each field, as the overrides file reads: located by its entry."""
        frame = self.adjustments(period)
        frame = frame[frame["superseded_by"].isna()].reset_index(drop=True)
        return pd.DataFrame({
            "unit_code": frame["unit_code"], "field": frame["field"], "value": frame["value"],
            "reason": frame["reason"], "file": "kho-du-lieu",
            "sheet": "", "cell": [f"điều chỉnh số {i}" for i in frame["id"]],
            "made_by": frame["made_by"], "made_at": frame["made_at"],
        })

    # --- export ------------------------------------------------------------------------

    def dump(self) -> list[str]:
        """Every row of every table, as SQL: what a test compares to say the store is unchanged."""
        return list(self.conn.iterdump())


def _why(sub: Submission) -> str:
    """Why a file is not used, in the words of its first errors (or of its superseding)."""
    if sub.status == SUPERSEDED:
        return "; ".join(i.message for i in sub.issues if i.code == "superseded")
    if sub.status == REJECTED:
        return "; ".join(i.message for i in sub.issues if i.severity == "error")[:1000]
    return ""


def record_when_released(path: Path, record: RunRecord, released: Callable[[], tuple[str, list]]) -> None:
    """A run recorded by a process of its own, with its own connection, while the run's files
    are written (core.workers.Background, a held piece): every row goes in at once, then the
    transaction waits for the run to say it ended well (its end and phase times) before it
    commits. If the run fails or is killed first, nothing is kept."""
    with Store.open(path, create=False) as store:
        def before_commit() -> None:
            finished, phases = released()
            record.finished = finished
            record.phases = lambda: phases

        store.record_run(record, before_commit)
