"""Which of the previous run's documents a rerun takes: made from the same, and bytes still
those written, told without reading them when the file is the size written and older than
the index (written after every document); otherwise read and hashed."""

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dti_report.core import kept_outputs
from dti_report.core.kept_outputs import RECORD_COLUMNS, EarlierIndex, Record

COLUMNS = ["file", *RECORD_COLUMNS]
WRITTEN = b"PK the document as written"
SECOND = 1_000_000_000


def previous_run(tmp_path: Path, document_age_s: int) -> Path:
    """A previous run's folder: one document and its index, the index written at t = 1000 s,
    the document `document_age_s` before it."""
    folder = tmp_path / "truoc"
    folder.mkdir()
    document = folder / "a.docx"
    document.write_bytes(WRITTEN)
    os.utime(document, ns=(0, 1000 * SECOND - document_age_s * SECOND))
    pd.DataFrame([["a.docx", "made", hashlib.sha256(WRITTEN).hexdigest(), len(WRITTEN)]],
                 columns=COLUMNS).to_csv(folder / "index.csv", index=False)
    os.utime(folder / "index.csv", ns=(0, 1000 * SECOND))
    return folder


def take(folder: Path, tmp_path: Path, made_from: str = "made") -> Record | None:
    target = tmp_path / "moi.docx"
    target.unlink(missing_ok=True)
    return EarlierIndex(folder, "index.csv", COLUMNS).take("a.docx", made_from, "a.docx", target)


@pytest.fixture
def reads(monkeypatch) -> list[Path]:
    """The documents read to be hashed."""
    read: list[Path] = []
    real = Path.read_bytes

    def counting(path):
        read.append(path)
        return real(path)

    monkeypatch.setattr(kept_outputs.Path, "read_bytes", counting)
    return read


def test_an_unchanged_document_older_than_the_index_is_linked_without_reading_it(tmp_path, reads):
    folder = previous_run(tmp_path, document_age_s=5)
    assert take(folder, tmp_path) == Record("made", hashlib.sha256(WRITTEN).hexdigest(), len(WRITTEN))
    assert reads == []
    assert (tmp_path / "moi.docx").stat().st_ino == (folder / "a.docx").stat().st_ino


def test_a_document_made_from_something_else_is_not_taken(tmp_path, reads):
    assert take(previous_run(tmp_path, 5), tmp_path, made_from="other") is None
    assert not (tmp_path / "moi.docx").exists()


@pytest.mark.parametrize("saved_at_s", [0, 1, 60])  # in the index's clock tick, or after it
def test_a_document_saved_over_as_new_as_the_index_is_hashed_and_refused(tmp_path, reads, saved_at_s):
    folder = previous_run(tmp_path, 5)
    document = folder / "a.docx"
    document.write_bytes(WRITTEN.replace(b"PK", b"XX"))  # the same size
    os.utime(document, ns=(0, 1000 * SECOND + saved_at_s * SECOND))
    assert take(folder, tmp_path) is None
    assert reads == [document]


def test_a_document_as_new_as_the_index_and_unchanged_is_hashed_and_taken(tmp_path, reads):
    folder = previous_run(tmp_path, 0)  # written in the index's clock tick
    assert take(folder, tmp_path) is not None
    assert reads == [folder / "a.docx"]


def test_a_document_of_another_size_is_refused_without_reading_it(tmp_path, reads):
    folder = previous_run(tmp_path, 5)
    (folder / "a.docx").write_bytes(WRITTEN + b"!")
    os.utime(folder / "a.docx", ns=(0, 1000 * SECOND - 5 * SECOND))
    assert take(folder, tmp_path) is None
    assert reads == []


def test_a_document_gone_is_written_again(tmp_path):
    folder = previous_run(tmp_path, 5)
    (folder / "a.docx").unlink()
    assert take(folder, tmp_path) is None


# --- per-unit digests of a table's rows ----------------------------------------------------

CELLS = st.one_of(st.none(), st.sampled_from(["", "a", "1", "b c"]), st.integers(0, 3),
                  st.floats(allow_nan=True, allow_infinity=False), st.booleans())
ROWS = st.lists(st.tuples(st.sampled_from(["u1", "u2", "u3"]), st.sampled_from(["", "x", "y"]),
                          st.floats(allow_nan=True, allow_infinity=False), CELLS), min_size=1, max_size=12)


def framed(rows) -> pd.DataFrame:
    """The rows as a table, the mixed column's values as they are (not made floats)."""
    columns = list(zip(*rows))
    return pd.DataFrame({"unit_code": list(columns[0]), "text": list(columns[1]),
                         "number": pd.Series(columns[2], dtype=float), "mixed": pd.Series(columns[3], dtype=object)})


@settings(max_examples=200, deadline=None)
@given(ROWS)
def test_a_units_digest_is_of_its_own_rows_alone(rows):
    """Other units' rows, before, between or after, change nothing."""
    digests = kept_outputs.unit_digests(framed(rows), "salt")
    for unit, digest in digests.items():
        alone = kept_outputs.unit_digests(framed([r for r in rows if r[0] == unit]), "salt")
        assert alone == {unit: digest}


def same_cell(a, b) -> bool:
    """The same value of the same type (NaN the same as NaN)."""
    return type(a) is type(b) and (a == b or (a != a and b != b))


@settings(max_examples=300, deadline=None)
@given(ROWS, st.data())
def test_any_cell_changed_changes_its_units_digest_alone(rows, data):
    """A text, a number or a value of a column of mixed values (1, "1", True and 1.0 are four
    values), a missing value or NaN: any other value in a cell is another digest for its unit."""
    at = data.draw(st.integers(0, len(rows) - 1))
    column = data.draw(st.integers(1, 3))
    value = data.draw([None, st.sampled_from(["", "x", "y", "z"]), st.floats(allow_infinity=False), CELLS][column])
    if column == 2 and value is None:
        value = float("nan")
    assume(not same_cell(value, rows[at][column]))
    changed = [list(r) for r in rows]
    changed[at][column] = value
    before = kept_outputs.unit_digests(framed(rows), "salt")
    after = kept_outputs.unit_digests(framed([tuple(r) for r in changed]), "salt")
    unit = rows[at][0]
    assert after[unit] != before[unit]
    assert {u: d for u, d in after.items() if u != unit} == {u: d for u, d in before.items() if u != unit}


def test_a_units_rows_in_another_order_or_salt_give_another_digest():
    rows = [("u1", "x", 1.0, "a"), ("u1", "y", 2.0, "b")]
    digest = kept_outputs.unit_digests(framed(rows), "salt")["u1"]
    assert kept_outputs.unit_digests(framed(rows[::-1]), "salt")["u1"] != digest
    assert kept_outputs.unit_digests(framed(rows), "other")["u1"] != digest
