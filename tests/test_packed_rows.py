"""A submission's rows packed and unpacked: what comes back is what was read."""

from hypothesis import given, strategies as st

from dti_report.workbook.packed_rows import pack_rows, packed_from_json, rows_json, unpack_rows
from dti_report.workbook.reader import Submission

texts = st.text(st.characters(blacklist_categories=["Cs"]))
values = st.none() | texts | st.integers(-10**15, 10**15) | st.floats(allow_nan=False, allow_infinity=False)
rows = st.lists(st.tuples(texts, texts, values, st.none() | texts, texts, texts), max_size=30)


@given(rows, texts)
def test_rows_come_back_as_read_under_the_submissions_path(read, path):
    records = [(unit, field, value, note, path, sheet, cell) for unit, field, value, note, sheet, cell in read]
    packed = pack_rows(records)
    back = unpack_rows(packed)
    assert back == records
    assert [type(r[2]) for r in back] == [type(r[2]) for r in records]  # 3 stays an integer, 3.0 a number
    assert unpack_rows(packed_from_json(rows_json(packed), path)) == records  # through the store's JSON


def test_a_stored_reading_taken_back_under_a_moved_files_name():
    sub = Submission("cu/a.xlsx")
    sub.records = [("so-tttt", "1.1.a", 12.5, "", "cu/a.xlsx", "Nhập liệu", "E7")]
    moved = Submission("moi/a.xlsx", packed_rows=packed_from_json(rows_json(sub.packed_rows), "moi/a.xlsx"))
    assert moved.records == [("so-tttt", "1.1.a", 12.5, "", "moi/a.xlsx", "Nhập liệu", "E7")]
    assert rows_json(sub.packed_rows) == '[["so-tttt","1.1.a",12.5,"","Nh\\u1eadp li\\u1ec7u","E7"]]'


def test_no_rows_pack_to_nothing():
    assert pack_rows([]) == b"" and unpack_rows(b"") == [] and rows_json(b"") == "[]"
