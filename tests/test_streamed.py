"""The streamed tables' cells made once per distinct value read as each value written alone,
and in their columns where cells before them are missing."""

import math

import numpy as np
import openpyxl
import pandas as pd
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dti_report.workbook import streamed


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats() | st.sampled_from([0.0, -0.0, 7.5, 1 / 3, 1e-300, 1.7e308]), max_size=60), st.booleans())
def test_numbers_are_each_number_as_write_cell_writes_it(values, blanks):
    expected = [streamed._other_cell(' s="3"', v, blanks) for v in values]
    array = np.array(values, dtype=float)
    # made from the numbers of several columns, read for one
    made = streamed._NumberCells([np.array([2.5, -0.0, math.inf]), array], ' s="3"', blanks)
    assert made.rows(array, 0, len(array)) == expected
    assert made.rows(array, 1, 3) == expected[1:3]


_TEXT = st.none() | st.sampled_from(["", "a", "Đạt", "x y"])
_NUMBER = st.none() | st.sampled_from([0.0, 2.5, -1.0, 1 / 3])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_TEXT, _NUMBER, _TEXT, _NUMBER, _TEXT), min_size=1, max_size=12), st.booleans())
def test_cells_after_missing_ones_stay_in_their_columns(tmp_path, rows, blanks):
    """A cell names its place only after a missing one: every value reads back in its column and
    row, whatever is missing before it (rows with nothing at all too), in calamine and openpyxl."""
    names = ["text1", "n1", "text2", "n2", "text3"]
    frame = pd.DataFrame(rows, columns=names)
    for column in ("n1", "n2"):
        frame[column] = frame[column].astype(float)
    target = tmp_path / f"table-{blanks}.xlsx"
    with streamed.streamed_workbook(target, "Bảng") as (book, formats, streams):
        streamed.stream_table(book.add_worksheet("Bảng"), frame, formats, streams, blanks=blanks)

    def shown(value):
        return None if value is None or value == "" or (isinstance(value, float) and math.isnan(value)) else value

    expected = [[shown(v) for v in row] for row in rows]
    read = python_calamine.CalamineWorkbook.from_path(target).get_sheet_by_name("Bảng").to_python()
    data = [[shown(v) for v in row] + [None] * (len(names) - len(row)) for row in read[1:]]
    data += [[None] * len(names)] * (len(expected) - len(data))  # trailing rows with no cell
    assert data == expected
    sheet = openpyxl.load_workbook(target)["Bảng"]
    cells = [[shown(c.value) for c in row] for row in sheet.iter_rows(min_row=2, max_row=len(rows) + 1,
                                                                      max_col=len(names))]
    assert cells == expected
