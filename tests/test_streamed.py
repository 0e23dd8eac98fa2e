"""The streamed tables' cells made once per distinct value read as each value written alone."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dti_report.workbook import streamed


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats() | st.sampled_from([0.0, -0.0, 7.5, 1 / 3, 1e-300, 1.7e308]), max_size=60), st.booleans())
def test_a_batch_of_numbers_is_each_number_as_write_cell_writes_it(values, blanks):
    ref = f"C{streamed._ROW}"
    expected = [streamed._other_cell(ref, ' s="3"', v, blanks) for v in values]
    assert streamed._number_cells(np.array(values, dtype=float), "C", ' s="3"', blanks) == expected
