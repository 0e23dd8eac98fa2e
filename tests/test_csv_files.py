"""The run's CSV files: written a column at a time, exactly as pandas' to_csv writes the
neutralised frame (the format every earlier run folder has), and read back as they were."""

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dti_report.core.files import _csv_columns, read_csv, relative_text, safe_frame, write_csv

TEXTS = st.one_of(st.none(), st.sampled_from(["", "a,b", 'có "dấu"', "hai\ndòng", "=1+1", "-3", " @x", "'x", "\r",
                                               "Đã chấm điểm", "nan", "1.0"]),
                  st.text(max_size=8))
FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 1e16, 1e-5, 0.1, 10.0]))


def pandas_text(frame: pd.DataFrame, path) -> bytes:
    safe_frame(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path.read_bytes()


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(TEXTS, FLOATS, st.integers(-10**12, 10**12), st.booleans(), TEXTS), max_size=12),
       string_dtype=st.booleans())
def test_a_frame_is_written_as_pandas_writes_it(tmp_path_factory, rows, string_dtype):
    folder = tmp_path_factory.mktemp("csv")
    frame = pd.DataFrame(rows, columns=["unit_code", "score", "rank", "flag", "=note"])
    frame["score"] = frame["score"].astype(float)
    frame["rank"] = frame["rank"].astype("int64")
    frame["flag"] = frame["flag"].astype(bool)
    if string_dtype:
        frame["unit_code"] = frame["unit_code"].astype("string")
    assert _csv_columns(frame) is not None
    write_csv(frame, folder / "a.csv")
    assert (folder / "a.csv").read_bytes() == pandas_text(frame, folder / "b.csv")


def test_what_the_column_writer_does_not_take_goes_to_pandas(tmp_path):
    single = pd.DataFrame({"unit_code": ["a", "", None]})  # csv quotes a row whose only field is empty
    dated = pd.DataFrame({"unit_code": ["a", "b"], "day": [dt.date(2024, 1, 5), None]})
    mixed = pd.DataFrame({"unit_code": ["a", "b"], "value": ["x", 1.5]})
    for frame in (single, dated, mixed):
        assert _csv_columns(frame) is None
        write_csv(frame, tmp_path / "a.csv")
        assert (tmp_path / "a.csv").read_bytes() == pandas_text(frame, tmp_path / "b.csv")


def test_texts_and_numbers_read_back_as_written(tmp_path):
    frame = pd.DataFrame({"unit_code": ["so-tttt", "=HYPERLINK(1)", None], "total": [12.5, math.nan, 1e-7],
                          "note": ['có "dấu", phẩy', "'trích", "hai\ndòng"]})
    back = read_csv(write_csv(frame, tmp_path / "a.csv"))
    assert back["unit_code"].tolist()[:2] == ["so-tttt", "=HYPERLINK(1)"] and pd.isna(back["unit_code"][2])
    assert back["note"].tolist() == ['có "dấu", phẩy', "'trích", "hai\ndòng"]
    np.testing.assert_array_equal(back["total"].to_numpy(), [12.5, math.nan, 1e-7])


_PART = st.text(alphabet="aĐơ .-_\udcff", min_size=1, max_size=6).filter(lambda p: p not in (".", ".."))


@settings(max_examples=200, deadline=None)
@given(st.lists(_PART, min_size=1, max_size=3), st.lists(_PART, max_size=3))
def test_relative_text_is_what_pathlib_gives(root_parts, rest):
    """A path below its root as pathlib gives it, the root itself too."""
    root = Path("/hộp-thư", *root_parts)
    path = root.joinpath(*rest)
    assert relative_text(path, root) == path.relative_to(root).as_posix()
    assert relative_text(str(path), str(root)) == path.relative_to(root).as_posix()
