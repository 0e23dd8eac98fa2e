"""The sheet scan's fast path (regular expressions over the part) finds what the element walk
finds, or declines and leaves the sheet to the walk."""

import io
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st

from dti_report.workbook import scan
from dti_report.workbook.scan import ERROR_TEXT, SheetScan, cell_ref

PART = "xl/worksheets/sheet1.xml"
# What a cell may hold, as spreadsheet programs write it.
BODIES = {
    "number": ('', "<v>12.5</v>"),
    "empty value": ('', "<v></v>"),
    "nothing": ('', ""),
    "error": (' t="e"', "<v>#DIV/0!</v>"),
    "error without text": (' t="e"', "<f>1/0</f><v></v>"),
    "true": (' t="b"', "<v>1</v>"),
    "false": (' t="b"', "<v>0</v>"),
    "formula TRUE()": ('', "<f>TRUE()</f><v>1</v>"),
    "formula false": ('', "<f> false </f>"),
    "formula": ('', "<f>SUM(A1:A2)</f><v>3</v>"),
    "inline string": (' t="inlineStr"', "<is><t>có</t></is>"),
    "shared string": (' t="s"', "<v>0</v>"),
}


def _sheet_xml(cells: list[tuple[int, int, str, str]]) -> bytes:
    """cells: (row, column, body kind, how the cell opens: "ref", "ref later", "no ref")."""
    rows: dict[int, list[str]] = {}
    for row, col, kind, opening in sorted(cells, key=lambda c: (c[0], c[1])):
        attrs, body = BODIES[kind]
        ref = f'r="{cell_ref(row, col)}"'
        head = {"ref": f"<c {ref}{attrs} s=\"1\"", "ref later": f'<c s="1"{attrs} {ref}', "no ref": f"<c{attrs}"}[opening]
        rows.setdefault(row, []).append(f"{head}/>" if not body else f"{head}>{body}</c>")
    data = "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(rows.items()))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<cols><col min=\"1\" max=\"2\" width=\"9\"/></cols><sheetData>{data}</sheetData></worksheet>").encode()


def _walked(data: bytes, max_rows: int, max_cols: int) -> SheetScan:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(PART, data)
    kept, scan.FAST_PART_BYTES = scan.FAST_PART_BYTES, -1  # every part takes the walk
    try:
        with zipfile.ZipFile(buffer) as z:
            return scan.scan_xlsx_sheet(z, PART, "Nhập liệu", max_rows, max_cols)
    finally:
        scan.FAST_PART_BYTES = kept


CELLS = st.lists(st.tuples(st.integers(1, 1300), st.integers(1, 40), st.sampled_from(sorted(BODIES)),
                           st.sampled_from(["ref", "ref", "ref", "ref later", "no ref"])),
                 max_size=25, unique_by=lambda c: (c[0], c[1]))


@settings(max_examples=300, deadline=None)
@given(CELLS, st.sampled_from([(20, 8), (120, 26), (999, 27), (1000, 30)]))
def test_the_fast_path_finds_what_the_walk_finds_or_declines(cells, limits):
    data = _sheet_xml(cells)
    fast = scan._scan_xlsx_fast(data, "Nhập liệu", *limits)
    if any(opening != "ref" for *_, opening in cells):
        assert fast is None
    else:
        assert fast == _walked(data, *limits)


def test_far_cells_errors_and_booleans_by_reference():
    data = _sheet_xml([(3, 2, "error", "ref"), (4, 2, "true", "ref"), (5, 2, "formula TRUE()", "ref"),
                       (6, 2, "error without text", "ref"), (7, 2, "nothing", "ref"), (30, 2, "number", "ref"),
                       (31, 2, "number", "ref")])
    assert scan._scan_xlsx_fast(data, "Nhập liệu", 20, 8) == SheetScan(
        "Nhập liệu", far_cell="B30", errors={"B3": "#DIV/0!", "B6": ERROR_TEXT}, booleans={"B4": True, "B5": True})


def _package(sheets: list[tuple[str, str]]) -> zipfile.ZipFile:
    """A package naming its sheets (name, target) in workbook.xml and its relationships."""
    main, rel = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                 "http://schemas.openxmlformats.org/officeDocument/2006/relationships")
    listed = "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>' for i, (name, _) in enumerate(sheets, 1))
    targets = "".join(f'<Relationship Id="rId{i}" Target="{target}"/>' for i, (_, target) in enumerate(sheets, 1))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>{listed}</sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{rel}">{targets}</Relationships>')
    return zipfile.ZipFile(buffer)


def test_sheet_parts_follow_each_packages_own_names_and_relationships():
    """Parsed once per content: a package naming the same sheets with other targets, or other
    sheets, gets its own; what one caller changes in the answer is not what the next gets."""
    first = scan.xlsx_sheet_parts(_package([("_meta", "worksheets/sheet1.xml"), ("Nhập liệu", "worksheets/sheet2.xml")]))
    assert first == {"_meta": "xl/worksheets/sheet1.xml", "Nhập liệu": "xl/worksheets/sheet2.xml"}
    first["_meta"] = "changed"
    again = scan.xlsx_sheet_parts(_package([("_meta", "worksheets/sheet1.xml"), ("Nhập liệu", "worksheets/sheet2.xml")]))
    assert again["_meta"] == "xl/worksheets/sheet1.xml"
    moved = scan.xlsx_sheet_parts(_package([("_meta", "/xl/worksheets/b.xml"), ("Nhập liệu", "worksheets/a.xml")]))
    assert moved == {"_meta": "xl/worksheets/b.xml", "Nhập liệu": "xl/worksheets/a.xml"}


def test_a_sheet_whose_cells_carry_a_namespace_prefix_is_left_to_the_walk():
    plain = _sheet_xml([(3, 2, "number", "ref")]).decode()
    prefixed = plain.replace("<c ", "<x:c ").replace("</c>", "</x:c>").replace("<v>", "<x:v>").replace("</v>", "</x:v>")
    assert scan._scan_xlsx_fast(prefixed.encode(), "Nhập liệu", 20, 8) is None
    # Prefixed attributes and extension elements elsewhere (Excel's rows, LibreOffice's extLst) keep the fast path.
    extended = plain.replace('<row r="3">', '<row r="3" x14ac:dyDescent="0.25">').replace(
        "</worksheet>", '<extLst><x14:conditionalFormattings/><mc:c-like/></extLst></worksheet>')
    assert scan._scan_xlsx_fast(extended.encode(), "Nhập liệu", 20, 8) == SheetScan("Nhập liệu")
