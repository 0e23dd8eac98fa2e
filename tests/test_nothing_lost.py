"""Nothing a unit wrote is lost: its notes (evidence, why an item does not apply) and its
general information reach the run folder and are read back with the results."""


import openpyxl

from dti_report.batch.results import load_results
from dti_report.forms.units import builtin_registry
from dti_report.kinds import catalog, get_form
from dti_report.pipeline import run_period
from dti_report.reports.workbook import WORKBOOK_NAME
from dti_report.reports.settings import load_settings
from dti_report.workbook.fill import fill_workbook
from dti_report.workbook.layout import template_file_name
from dti_report.workbook.templates import write_template

PERIOD = "2023"


def test_notes_and_general_information_reach_the_run_folder(tmp_path):
    form, registry = get_form("hcm-dti-so"), builtin_registry()
    unit = registry.by_code()["so-tttt"]
    blank = write_template(form, unit, PERIOD, tmp_path / "mau" / template_file_name(unit.code, form.id, PERIOD))
    inbox = tmp_path / "hop-thu"
    fill_workbook(form, blank, {"tt.1.1": "Sở Thông tin và Truyền thông", "tt.1.5": 120, "1.1": 1, "1.2.a": 7,
                                "1.2.b": 12},
                  inbox / blank.name,
                  notes={"1.2.a": "Quyết định số 15/QĐ-STTTT ngày 02/3/2023", "1.1.khong-ap-dung": ""})
    run_period(inbox, tmp_path / "ket-qua", PERIOD, registry, catalog(), load_settings(), workers=1)
    results = load_results(tmp_path / "ket-qua", catalog())
    notes = results.notes
    assert list(zip(notes.unit_code, notes.field, notes.note)) == [
        ("so-tttt", "1.2.a", "Quyết định số 15/QĐ-STTTT ngày 02/3/2023")]
    info = dict(zip(results.info.field, results.info.value))
    assert info["tt.1.1"] == "Sở Thông tin và Truyền thông" and info["tt.1.5"] == "120"
    assert set(results.info.label) >= {"Tên Sở/Ban/Ngành"}


def test_the_analysts_workbook_shows_them(tmp_path):
    test_notes_and_general_information_reach_the_run_folder(tmp_path)
    book = openpyxl.load_workbook(tmp_path / "ket-qua" / WORKBOOK_NAME, read_only=True)
    notes = [row for row in book["Ghi chú, minh chứng"].iter_rows(values_only=True)]
    assert ("Sở Thông tin và Truyền thông (so-tttt)", "hcm-dti-so", "1.2.a",
            "Quyết định số 15/QĐ-STTTT ngày 02/3/2023") in notes
    info = [row for row in book["Thông tin chung"].iter_rows(values_only=True)]
    assert any(r[2] == "Tên Sở/Ban/Ngành" and r[3] == "Sở Thông tin và Truyền thông" for r in info)
