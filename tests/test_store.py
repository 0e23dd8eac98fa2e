"""The store: what a run records, one transaction per run (a killed run leaves it as it
was), schema versions migrated with a backup, and reruns that read only new content."""

import json
import signal
import sqlite3
import subprocess
import sys

import pandas as pd
import pytest

from dti_report import kinds, pipeline
from dti_report.batch.staging import RunFolderError
from dti_report.batch.store import FIRST_SEEN_SQL, SAME_CONTENT_SQL, SCHEMA_VERSION, Store, StoreError
from dti_report.in_force import workspace_catalog, workspace_settings
from dti_report.core.numbers import parse_number_text
from dti_report.workbook import packed_rows
from dti_report.workbook.fill import fill_workbook

from workspace_helpers import at, drop, files_of, make_workspace, run, sample, workbook_values

UNITS = ["so-gtvt", "hepza", "bql-attp"]


def test_a_run_is_recorded_whole(tmp_path):
    ws = make_workspace(tmp_path)
    drop(ws, "2023", [sample(u) for u in UNITS], at("2024-01-05 08:00"))
    run(ws, "2023", at("2024-01-10 09:00"))
    with Store.open(ws.store_path) as store:
        runs = store.runs("2023")
        assert len(runs) == 1
        row = runs.iloc[0]
        assert (row.files_found, row.files_read, row.files_known) == (3, 3, 0)
        assert json.loads(row.counts) == {"accepted": 3}
        assert row.started == "2024-01-10T09:00:00+07:00" and row.tool_version
        files = store.frame("SELECT path, size, first_seen, status, unit_code FROM files ORDER BY path")
        assert list(files["unit_code"]) == ["bql-attp", "hepza", "so-gtvt"]
        # First run of the period: a file arrived when its file time says.
        assert set(files["first_seen"]) == {"2024-01-05T08:00:00+07:00"}
        totals = store.totals_of("hcm-dti-so")
        assert len(totals) == 3 and sorted(totals["rank"]) == [1, 2, 3]
        scores = store.frame("SELECT COUNT(*) AS n FROM scores WHERE period = '2023'")
        assert scores["n"][0] == 3 * 32  # three units × 32 criteria of hcm-dti-so
        values = store.frame("SELECT v.field, v.raw, v.number FROM submission_values v JOIN submissions s "
                             "ON s.id = v.submission_id WHERE s.unit_code = 'so-gtvt' AND v.field IN "
                             "('3.1.a', '3.1.b', '4.1.a', '1.2.a') AND v.raw <> '' ORDER BY v.field")
        assert len(values) >= 1
        assert all(number == parse_number_text(str(raw))[0] for raw, number in zip(values["raw"], values["number"]))
        index_points = store.frame("SELECT SUM(points) AS p FROM index_totals WHERE unit_code = 'so-gtvt'")["p"][0]
        assert index_points == pytest.approx(totals.set_index("unit_code").at["so-gtvt", "total"])


def _version_1(path):
    """A store as the first schema made it, with one file and one submission."""
    store = Store.open(path, upto=1)
    with store.transaction() as c:
        c.execute("INSERT INTO runs VALUES (1, '2023', '2024-01-10T09:00:00+07:00', '2024-01-10T09:01:00+07:00', '{}', "
                  "'0.1.0', 1, 1, 0, '{}')")
        c.execute("INSERT INTO files (id, period, path, sha256, size, first_seen, last_seen, saved, read_status, status, "
                  "why, unit_code, set_id, set_version, file_period, reader, present) VALUES (7, '2023', 'a.xlsx', "
                  "'ab', 10, '2024-01-04T16:30:00+07:00', '2024-01-10T09:00:00+07:00', '', 'accepted', 'accepted', '', "
                  "'so-tttt', 'hcm-dti-so', '2023.1', '2023', 'x', 1)")
        c.execute("INSERT INTO submissions VALUES (1, '2023', 'hcm-dti-so', 'hcm-dti-so', '2023.1', 'so-tttt', 7, "
                  "'accepted')")
        # Its input rows, stored out of order: a number, a text with a quote, an integer, a blank.
        c.executemany("INSERT INTO file_rows VALUES (7, ?, 'so-tttt', ?, ?, ?, 'Nhập liệu', ?)",
                      [(2, "1.2.a", 3, None, "E9"), (0, "1.1.a", 12.5, "theo QĐ 12", "E7"),
                       (1, "1.1.b", 'có "dấu"', "", "E8"), (3, "1.2.b", None, "", "E10")])
        # Its typed values, in the order they were written.
        c.executemany("INSERT INTO submission_values VALUES (1, ?, ?, ?, ?, ?, ?)",
                      [("1.1.a", 12.5, 12.5, "12,5", "theo QĐ 12", "E7"), ("1.1.b", 'có "dấu"', None, 'có "dấu"', "", "E8"),
                       ("1.2.a", 3, 3.0, "3", None, "E9")])
    store.close()


def test_a_store_of_the_first_schema_is_backed_up_and_migrated(tmp_path):
    path = tmp_path / "kho.sqlite"
    _version_1(path)
    with Store.open(path, tmp_path / "sao-luu") as store:
        assert store.version == SCHEMA_VERSION == 8
        schema = set(store.frame("SELECT name FROM sqlite_master")["name"])
        assert {"score_digests", "scores_unit"} <= schema and "scores_period" not in schema
        # Its submission's arrival is its file's first sighting.
        assert store.frame("SELECT arrived FROM submissions")["arrived"][0] == "2024-01-04T16:30:00+07:00"
        assert store.adjustments().empty and store.deadlines("2023") == {}
        # Its input rows kept in their order, each value of its own type, read back as the reader gave them.
        assert store.stored_submission(7).records == [
            ("so-tttt", "1.1.a", 12.5, "theo QĐ 12", "a.xlsx", "Nhập liệu", "E7"),
            ("so-tttt", "1.1.b", 'có "dấu"', "", "a.xlsx", "Nhập liệu", "E8"),
            ("so-tttt", "1.2.a", 3, None, "a.xlsx", "Nhập liệu", "E9"),
            ("so-tttt", "1.2.b", None, "", "a.xlsx", "Nhập liệu", "E10")]
        assert "file_rows" not in set(store.frame("SELECT name FROM sqlite_master")["name"])
        # Its typed values moved into its row, in order and of their types; the view reads them as the table did.
        values = store.conn.execute("SELECT submission_id, field, raw, number, text, note, cell "
                                    "FROM submission_values").fetchall()
        assert values == [(1, "1.1.a", 12.5, 12.5, "12,5", "theo QĐ 12", "E7"),
                          (1, "1.1.b", 'có "dấu"', None, 'có "dấu"', "", "E8"),
                          (1, "1.2.a", 3, 3.0, "3", None, "E9")]
    (backup,) = (tmp_path / "sao-luu").iterdir()
    assert backup.name.startswith("kho-cau-truc-1-")
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT unit_code FROM submissions").fetchall() == [("so-tttt",)]
    old.close()


def test_a_file_is_found_by_its_content_through_an_index(tmp_path):
    """A new file's earlier sightings are looked up by period and hash for every new file: without
    an index each lookup reads every file of the period (a migrated store gets it too)."""
    path = tmp_path / "kho.sqlite"
    _version_1(path)
    with Store.open(path, tmp_path / "sao-luu") as store:
        for sql, params in ((FIRST_SEEN_SQL, ("2023", "ab")), (SAME_CONTENT_SQL, ("2023", "ab", "x"))):
            plan = " ".join(row[-1] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
            assert "USING INDEX files_content (period=? AND sha256=?)" in plan
        assert store.first_seen("2023", "ab") == "2024-01-04T16:30:00+07:00"
        assert store.first_seen("2023", "cd") is None and store.first_seen("2024", "ab") is None


def test_a_store_of_a_newer_tool_is_refused(tmp_path):
    path = tmp_path / "kho.sqlite"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError) as err:
        Store.open(path)
    assert "mới hơn công cụ này" in str(err.value)


def _a_period_then_one_more_file(tmp_path):
    """A workspace with a recorded run of two units and a third unit's file waiting, and what
    its store and results folder hold."""
    ws = make_workspace(tmp_path)
    drop(ws, "2023", [sample(u) for u in UNITS[:2]], at("2024-01-05 08:00"))
    run(ws, "2023", at("2024-01-10 09:00"))
    kept = _as_kept(ws)
    drop(ws, "2023", [sample(UNITS[2])], at("2024-01-06 08:00"))
    return ws, kept


def _as_kept(ws):
    out = ws.results("2023")
    with Store.open(ws.store_path) as store:
        return store.dump(), {name: (out / name).read_bytes() for name in files_of(out)}


KILLER = """
import os, signal, sys
from pathlib import Path
from dti_report.batch import store as store_module
real = store_module.Store._record_period
def record_then_die(self, c, record, file_ids):
    real(self, c, record, file_ids)   # every row of the run written, the transaction not committed
    os.kill(os.getpid(), signal.SIGKILL)
store_module.Store._record_period = record_then_die
from dti_report.cli import main
main(sys.argv[1:])
"""
# Two workers: the run is recorded by a process of its own; the run itself is killed once that
# process has written every row and waits to commit, and the recording process dies with it.
KILLER_OF_THE_RUN = KILLER.replace("os.kill(os.getpid(), signal.SIGKILL)",
                                   "os.kill(os.getppid(), signal.SIGKILL)\n    import time; time.sleep(60)")


@pytest.mark.parametrize("workers, killer", [("1", KILLER), ("2", KILLER_OF_THE_RUN)])
def test_a_run_killed_before_it_commits_leaves_the_store_and_the_results_as_they_were(tmp_path, workers, killer):
    ws, kept = _a_period_then_one_more_file(tmp_path)
    killed = subprocess.run([sys.executable, "-c", killer, "--workspace", str(ws.root), "run", "2023", "--workers",
                             workers], capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _as_kept(ws) == kept
    # The next run does it all: the third file is read and recorded.
    outcome = run(ws, "2023", at("2024-01-11 09:00"))
    assert len(outcome.batch.stored) == 2
    with Store.open(ws.store_path) as store:
        assert list(store.runs("2023")["files_read"]) == [2, 1]


def _outputs(folder):
    """Every output file, comparable: text files as text, workbooks by their cell values; the
    manifest's column saying whether a file was read now is left out."""
    out = {}
    for name in sorted(files_of(folder)):
        path = folder / name
        if name == "manifest.csv":
            out[name] = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="origin").to_dict("list")
        elif path.suffix == ".xlsx":
            out[name] = workbook_values(path, skip_column="Nguồn")
        else:
            out[name] = path.read_bytes()
    return out


def test_reruns_read_only_new_content_and_equal_a_cold_run(tmp_path):
    ws = make_workspace(tmp_path, "am")
    drop(ws, "2023", [sample(u) for u in UNITS], at("2024-01-05 08:00"))
    first = run(ws, "2023", at("2024-01-10 09:00"))
    assert first.batch.stored == set()
    second = run(ws, "2023", at("2024-01-10 10:00"))
    assert len(second.batch.stored) == 3  # nothing read again
    manifest = pd.read_csv(ws.results("2023") / "manifest.csv")
    assert set(manifest["origin"]) == {"stored"}
    # One more unit's workbook arrives: exactly that file is read.
    arrived = at("2024-01-12 14:00")
    drop(ws, "2023", [sample("so-tttt", period="2023")], arrived)
    third = run(ws, "2023", arrived)
    assert len(third.batch.submissions) - len(third.batch.stored) == 1
    manifest = pd.read_csv(ws.results("2023") / "manifest.csv").set_index("path")
    assert manifest.at["so-tttt_hcm-dti-so_2023.xlsx", "origin"] == "read"
    assert (manifest.drop(index="so-tttt_hcm-dti-so_2023.xlsx")["origin"] == "stored").all()

    cold = make_workspace(tmp_path, "lanh")
    drop(cold, "2023", [sample(u) for u in UNITS], at("2024-01-05 08:00"))
    drop(cold, "2023", [sample("so-tttt", period="2023")], arrived)
    run(cold, "2023", arrived)
    assert _outputs(ws.results("2023")) == _outputs(cold.results("2023"))
    with Store.open(ws.store_path) as warm_store, Store.open(cold.store_path) as cold_store:
        query = "SELECT unit_code, total, rank FROM totals ORDER BY unit_code"
        assert warm_store.frame(query).equals(cold_store.frame(query))


def test_a_file_moved_to_another_folder_is_not_read_again(tmp_path):
    ws = make_workspace(tmp_path)
    drop(ws, "2023", [sample(u) for u in UNITS[:2]], at("2024-01-05 08:00"))
    run(ws, "2023", at("2024-01-10 09:00"))
    moved = ws.inbox("2023") / "da-xem"
    moved.mkdir()
    (ws.inbox("2023") / "hepza_hcm-dti-so_2023.xlsx").rename(moved / "hepza_hcm-dti-so_2023.xlsx")
    again = run(ws, "2023", at("2024-01-11 09:00"))
    assert again.batch.stored == {"da-xem/hepza_hcm-dti-so_2023.xlsx", "so-gtvt_hcm-dti-so_2023.xlsx"}
    issues = pd.read_csv(ws.results("2023") / "issues.csv", dtype=str, keep_default_na=False)
    hepza = set(issues.loc[issues["unit"] == "hepza", "file"])
    assert hepza == {"da-xem/hepza_hcm-dti-so_2023.xlsx"}  # every issue under the new path
    (sub,) = [s for s in again.batch.submissions if s.unit_code == "hepza"]
    assert {record[4] for record in sub.records} == {"da-xem/hepza_hcm-dti-so_2023.xlsx"}  # and every row
    with Store.open(ws.store_path) as store:
        arrived = store.frame("SELECT path, first_seen, present FROM files WHERE unit_code = 'hepza' ORDER BY id")
    assert list(arrived["present"]) == [0, 1] and set(arrived["first_seen"]) == {"2024-01-05T08:00:00+07:00"}
    third = run(ws, "2023", at("2024-01-12 09:00"))
    assert len(third.batch.stored) == 2


def test_a_rerun_takes_back_the_rows_as_the_reader_packed_them(tmp_path, monkeypatch):
    """The store keeps a file's packed rows beside their JSON: a rerun by the same Python gives the
    reader's own bytes back without packing the JSON again; rows packed in another format are
    packed again from the JSON, the same rows."""
    ws = make_workspace(tmp_path)
    drop(ws, "2023", [sample(u) for u in UNITS[:2]], at("2024-01-05 08:00"))
    first = run(ws, "2023", at("2024-01-10 09:00"))
    read = {s.path: s.packed_rows for s in first.batch.submissions}
    assert all(read.values())

    def no_json(text, path):
        raise AssertionError("packed again from JSON")

    with monkeypatch.context() as patched:
        patched.setattr(packed_rows, "packed_from_json", no_json)
        again = run(ws, "2023", at("2024-01-10 10:00"))
    assert again.batch.stored == set(read)
    assert {s.path: s.packed_rows for s in again.batch.submissions} == read

    with Store.open(ws.store_path) as store:
        store.conn.execute("UPDATE files SET packed_format = 'marshal 3, Python 3.8'")
    third = run(ws, "2023", at("2024-01-10 11:00"))
    assert third.batch.stored == set(read)
    assert {s.path: s.records for s in third.batch.submissions} == {s.path: s.records for s in first.batch.submissions}
    with Store.open(ws.store_path) as store:  # kept again in this Python's format
        assert set(store.frame("SELECT packed_format FROM files")["packed_format"]) == {packed_rows.PACKED_FORMAT}


def test_typed_values_go_into_their_submissions_row_even_when_a_units_values_come_apart(tmp_path):
    with Store.open(tmp_path / "kho.sqlite") as store:
        with store.transaction() as c:
            c.execute("INSERT INTO runs VALUES (1, '2023', 's', 'f', '{}', 'v', 0, 0, 0, '{}', '[]')")
            c.execute("INSERT INTO files (id, period, path, sha256, size, first_seen, last_seen, saved, read_status, "
                      "status, why, unit_code, set_id, set_version, file_period, reader, present) VALUES (1, '2023', "
                      "'a.xlsx', 'ab', 1, '', '', '', 'accepted', 'accepted', '', 'a', 's', '1', '2023', 'x', 1)")
            for sub_id, unit in ((1, "a"), (2, "b")):
                c.execute("INSERT INTO submissions (id, period, set_key, set_id, set_version, unit_code, file_id, "
                          "status) VALUES (?, '2023', 's', 's', '1', ?, 1, 'accepted')", (sub_id, unit))
            values = [("s", "a", [["1", "12,5", 12.5, "12,5", "ghi chú", "E7"]]),
                      ("s", "b", [["1", float("nan"), float("inf"), None, None, "E7"]]),
                      ("s", "c", [["1", 1, 1.0, "1", None, "E7"]]),   # a unit without a used submission: not kept
                      ("s", "a", [["2", "có", None, "có", "", "E8"]])]
            Store._record_values(c, iter(values), {("s", "a"): 1, ("s", "b"): 2})
        rows = store.conn.execute("SELECT submission_id, field, raw, number, text, note, cell FROM submission_values "
                                  "ORDER BY submission_id").fetchall()
    assert rows == [(1, "1", "12,5", 12.5, "12,5", "ghi chú", "E7"), (1, "2", "có", None, "có", "", "E8"),
                    (2, "1", None, None, None, None, "E7")]


def test_a_run_whose_workbook_fails_in_the_background_keeps_nothing(tmp_path, monkeypatch):
    ws, kept = _a_period_then_one_more_file(tmp_path)

    def full_disk(results, target):
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr(pipeline, "write_results_workbook", full_disk)
    with pytest.raises(RunFolderError) as err:
        pipeline.run_in_workspace(ws, "2023", workspace_catalog(ws), workspace_settings(ws), workers=2,
                                  now=at("2024-01-11 09:00"))
    assert "ket-qua-tong-hop.xlsx" in str(err.value)
    assert _as_kept(ws) == kept


def _rows_of(store) -> dict[str, list]:
    """Every table's rows, less what differs between two runs by design (ids, when, options)."""
    out = {}
    for (table,) in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        rows = store.conn.execute(f"SELECT * FROM {table}").fetchall()
        names = [d[0] for d in store.conn.execute(f"SELECT * FROM {table} LIMIT 0").description]
        keep = [i for i, n in enumerate(names) if n not in ("options", "phases", "finished")]
        out[table] = [tuple(row[i] for i in keep) for row in rows]
    return out


def test_a_run_recorded_in_the_background_records_what_one_process_does(tmp_path):
    alone, beside = make_workspace(tmp_path, "mot"), make_workspace(tmp_path, "hai")
    for ws in (alone, beside):
        drop(ws, "2023", [sample(u) for u in UNITS], at("2024-01-05 08:00"))
    run(alone, "2023", at("2024-01-10 09:00"))
    pipeline.run_in_workspace(beside, "2023", workspace_catalog(beside), workspace_settings(beside), workers=2,
                              now=at("2024-01-10 09:00"))
    with Store.open(alone.store_path) as one, Store.open(beside.store_path) as two:
        assert _rows_of(one) == _rows_of(two)
        phases = json.loads(two.conn.execute("SELECT phases FROM runs").fetchone()[0])
        assert phases and phases[-1][0] == "Ghi kho dữ liệu"
        assert two.conn.execute("SELECT finished FROM runs").fetchone()[0] >= "2024-01-10T09:00:00+07:00"


def test_a_run_whose_background_recording_fails_keeps_nothing(tmp_path, monkeypatch):
    ws, kept = _a_period_then_one_more_file(tmp_path)

    def full_disk(self, c, record, file_ids):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "_record_period", full_disk)
    with pytest.raises(sqlite3.OperationalError):
        pipeline.run_in_workspace(ws, "2023", workspace_catalog(ws), workspace_settings(ws), workers=2,
                                  now=at("2024-01-11 09:00"))
    assert _as_kept(ws) == kept


def _submissions(store: Store) -> dict[str, tuple]:
    """Each used submission by its file: its row's id, unit, status, arrival and typed values."""
    rows = store.conn.execute("SELECT f.path, s.id, s.unit_code, s.status, s.arrived, s.field_values FROM submissions s "
                              "JOIN files f ON f.id = s.file_id WHERE s.period = '2023'").fetchall()
    return {path: tuple(rest) for path, *rest in rows}


def test_a_rerun_keeps_the_stored_values_of_units_whose_files_did_not_change(tmp_path):
    """Only a unit with a new or changed file has its submission rows and typed values written
    again; the others' rows stay as they were, and the store holds what a cold run records."""
    ws = make_workspace(tmp_path, "am")
    drop(ws, "2023", [sample(u) for u in UNITS], at("2024-01-05 08:00"))
    run(ws, "2023", at("2024-01-10 09:00"))
    with Store.open(ws.store_path) as store:
        first = _submissions(store)
    assert all(json.loads(values) for *_, values in first.values())
    arrived = at("2024-01-12 14:00")
    drop(ws, "2023", [sample("so-tttt")], arrived)
    # so-gtvt sends a corrected workbook: its first one is superseded
    corrected = fill_workbook(kinds.catalog().get("hcm-dti-so"), sample("so-gtvt"), {"1.1": "3"},
                              tmp_path / "sua" / "so-gtvt-ban-sua.xlsx")
    drop(ws, "2023", [corrected], arrived)
    run(ws, "2023", at("2024-01-12 15:00"))
    with Store.open(ws.store_path) as store:
        second = _submissions(store)
    kept = [f"{u}_hcm-dti-so_2023.xlsx" for u in UNITS if u != "so-gtvt"]
    assert {path: second[path] for path in kept} == {path: first[path] for path in kept}  # the same rows, ids and all
    gtvt = "so-gtvt_hcm-dti-so_2023.xlsx"
    assert second[gtvt][2] == "superseded" and second["so-gtvt-ban-sua.xlsx"][2] == "accepted"

    def field_1_1(values: str) -> list:
        return [row for row in json.loads(values) if row[0] == "1.1"]

    assert field_1_1(second["so-gtvt-ban-sua.xlsx"][4]) != field_1_1(first[gtvt][4])  # the corrected values
    assert json.loads(second["so-tttt_hcm-dti-so_2023.xlsx"][4])

    cold = make_workspace(tmp_path, "lanh")
    drop(cold, "2023", [sample(u) for u in UNITS], at("2024-01-05 08:00"))
    drop(cold, "2023", [sample("so-tttt"), corrected], arrived)
    run(cold, "2023", at("2024-01-12 15:00"))
    with Store.open(cold.store_path) as store:
        # (Arrivals aside: a cold run takes a file's own time, a rerun the moment it first saw it.)
        assert {path: (unit, status, values) for path, (_, unit, status, _, values) in _submissions(store).items()} \
            == {path: (unit, status, values) for path, (_, unit, status, _, values) in second.items()}

    # What the store holds for a unit whose file did not change is not made again (a marker put
    # in its place stays), until its file is read again by another reader (a new version).
    hepza = "hepza_hcm-dti-so_2023.xlsx"

    def hepza_values() -> str:
        with Store.open(ws.store_path) as store:
            return _submissions(store)[hepza][4]

    with Store.open(ws.store_path) as store:
        store.conn.execute("UPDATE submissions SET field_values = '[]' WHERE id = ?", (second[hepza][0],))
    run(ws, "2023", at("2024-01-12 16:00"))
    assert hepza_values() == "[]"
    with Store.open(ws.store_path) as store:
        store.conn.execute("UPDATE files SET reader = 'an earlier reader'")
    run(ws, "2023", at("2024-01-12 17:00"))
    assert hepza_values() == second[hepza][4]


def _scores(ws) -> list[tuple]:
    with Store.open(ws.store_path) as store:
        return store.conn.execute("SELECT * FROM scores ORDER BY period, set_key, unit_code, rowid").fetchall()


def test_a_rerun_writes_again_the_scores_of_only_the_units_whose_rows_changed(tmp_path):
    """hepza's 38 systems, the most, move the Min-Max points of bql-attp and so-tttt (not those
    of so-gtvt, the fewest, 0 points either way): only those units' rows and hepza's are
    written; a marker in so-gtvt's rows stays. A unit gone has its rows removed, and the store
    holds what a cold run records."""
    units = ["so-gtvt", "bql-attp", "so-tttt", "hepza"]
    ws = make_workspace(tmp_path, "am")
    drop(ws, "2023", [sample(u) for u in units[:3]], at("2024-01-05 08:00"))
    run(ws, "2023", at("2024-01-10 09:00"))
    with Store.open(ws.store_path) as store:
        store.conn.execute("UPDATE scores SET status = status || ' dấu' "
                           "WHERE unit_code IN ('so-gtvt', 'bql-attp', 'so-tttt')")
        store.conn.commit()
    drop(ws, "2023", [sample("hepza")], at("2024-01-12 14:00"))
    run(ws, "2023", at("2024-01-12 15:00"))
    marked = {row[4] for row in _scores(ws) if row[13].endswith(" dấu")}
    assert marked == {"so-gtvt"}
    with Store.open(ws.store_path) as store:
        store.conn.execute("UPDATE scores SET status = replace(status, ' dấu', '')")  # as it was
        store.conn.commit()
    (ws.inbox("2023") / sample("so-tttt").name).unlink()
    run(ws, "2023", at("2024-01-12 16:00"))

    cold = make_workspace(tmp_path, "lanh")
    drop(cold, "2023", [sample(u) for u in units if u != "so-tttt"], at("2024-01-05 08:00"))
    run(cold, "2023", at("2024-01-12 16:00"))
    assert _scores(ws) == _scores(cold)
    assert {row[4] for row in _scores(ws)} == {"so-gtvt", "bql-attp", "hepza"}
    with Store.open(ws.store_path) as store:
        kept = store.conn.execute("SELECT set_key, unit_code FROM score_digests ORDER BY unit_code").fetchall()
    assert kept == [("hcm-dti-so", "bql-attp"), ("hcm-dti-so", "hepza"), ("hcm-dti-so", "so-gtvt")]
