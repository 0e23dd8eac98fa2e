"""The analysts' workbook as the per-cell writer would write it, and the check that the
streamed one reads back the same."""

from pathlib import Path

import openpyxl
import python_calamine

from dti_report.batch.results import load_results
from dti_report.kinds import catalog as forms_catalog
from dti_report.reports import history
from dti_report.reports import workbook as analysts
from dti_report.reports.workbook import WORKBOOK_NAME
from dti_report.workbook.xlsx import write_table


def per_cell_workbook(results_dir: Path, target: Path, monkeypatch, catalog=None) -> Path:
    """The same workbook with every cell written by xlsxwriter (xlsx.write_table), the writer
    the streamed tables replace: what they must read back as."""
    def per_cell(sheet, frame, formats, streams, *, blanks=True, **options):
        return write_table(sheet, frame, formats, **options)

    monkeypatch.setattr(analysts, "stream_table", per_cell)
    monkeypatch.setattr(history, "stream_table", per_cell)
    return analysts.write_results_workbook(load_results(results_dir, catalog or forms_catalog()), target)


def _cells(sheet) -> list[list]:
    # an empty text and a blank cell read back alike: the streamed tables write the blank
    return [[None if c.value == "" else c.value for c in row] for row in sheet.iter_rows()]


def _looks(sheet) -> dict:
    """What a reader sees of a sheet besides its values."""
    return {"panes": sheet.freeze_panes, "filter": sheet.auto_filter.ref, "title_rows": sheet.print_title_rows,
            "title_cols": sheet.print_title_cols, "orientation": sheet.page_setup.orientation,
            "paper": sheet.page_setup.paperSize, "scale": sheet.page_setup.scale,
            "fit": bool(sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage),
            "widths": {k: d.width for k, d in sheet.column_dimensions.items()},
            "heights": {k: d.height for k, d in sheet.row_dimensions.items() if d.height},
            "styles": [[(c.number_format, c.fill.fgColor.rgb, c.font.b, c.font.name, c.alignment.wrap_text)
                        for c in row if c.value not in (None, "")] for row in sheet.iter_rows()]}


def assert_reads_as_per_cell(results_dir: Path, tmp_path: Path, monkeypatch, catalog=None):
    """Every sheet of the folder's streamed workbook, as calamine and openpyxl read it, holds
    the cells the per-cell writer writes, with the same formats, fills, widths, heights, panes,
    filters and print setup. Returns the streamed workbook as openpyxl reads it."""
    streamed = results_dir / WORKBOOK_NAME
    per_cell = per_cell_workbook(results_dir, tmp_path / WORKBOOK_NAME, monkeypatch, catalog)
    new, old = python_calamine.CalamineWorkbook.from_path(streamed), python_calamine.CalamineWorkbook.from_path(per_cell)
    assert new.sheet_names == old.sheet_names
    for name in new.sheet_names:
        if not name.startswith("Biểu đồ"):  # a chart sheet has no cells
            assert new.get_sheet_by_name(name).to_python() == old.get_sheet_by_name(name).to_python(), name
    new, old = openpyxl.load_workbook(streamed), openpyxl.load_workbook(per_cell)
    assert new.sheetnames == old.sheetnames and len(new.chartsheets) == len(old.chartsheets)
    for before, after in zip(old.worksheets, new.worksheets):
        assert _cells(after) == _cells(before), after.title
        assert _looks(after) == _looks(before), after.title
    return new
