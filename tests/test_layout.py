"""The documents of the sample runs (`make run`) as their readers see them: every Word document
converted to PDF by LibreOffice and read back page by page with poppler. A director signs the
reports, a clerk files them, a unit reads its scorecard; what they would send back is checked
here on the pages, not in the XML: a signature block alone on a page, a KH 68 body too long to
read, a table header that does not come back on the next page, a code where a word should be."""

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dti_report.cli import main
from dti_report.forms.units import builtin_registry
from dti_report.kinds import catalog as forms_catalog
from dti_report.renderers.pages import (body_pages, pages_text, raw_codes, signature_only, signature_text,
                                        tables_without_repeated_header)
from dti_report.renderers.pdf import soffice_convert

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "input_samples"
DATA = ROOT / "dti_report" / "data"
NINH_THUAN = ["--units", str(DATA / "units" / "ninhthuan-2022.yaml"),
              "--settings", str(DATA / "settings" / "ninhthuan-stttt.yaml")]
# The Makefile's `make run`, one output folder each.
RUNS = {
    "hcm-2023": ["--period", "2023", "--inputs", str(SAMPLES / "bieu-mau-2023"),
                 "--verified", str(SAMPLES / "hcm-dti-so-2023-dieu-chinh.csv")],
    "kh68-2021-Q2": ["--period", "2021-Q2", "--inputs", str(SAMPLES / "kh68-2021-Q2")],
    "ninhthuan-2022-Q4": ["--period", "2022-Q4", "--inputs", str(SAMPLES / "ninhthuan-2022-Q4"), *NINH_THUAN],
    "ninhthuan-dti-huyen-2022": ["--period", "2022", "--inputs", str(SAMPLES / "ninhthuan-dti-huyen-2022"),
                                 *NINH_THUAN],
}
# Codes a reader must never meet in a document: besides these, every level of the registries and
# every form id of the catalog (below), and a period written as its code ("2021-Q2").
RAW_CODES = ["khong-ap-dung", ".gia-tri", ".trang-thai", ".minh-chung", ".tinh-trang", ".kho-khan", "de-xuat"]
PERIOD_CODE = re.compile(r"\b\d{4}-Q[1-4]\b")

pytestmark = pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice"))
                                or not shutil.which("pdftotext"),
                                reason="LibreOffice and poppler-utils render the pages")


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[Path, Path]:
    """Every Word document of the four runs -> its PDF."""
    root = tmp_path_factory.mktemp("mau")
    for name, args in RUNS.items():
        result = CliRunner().invoke(main, ["run", *args, "--out", str(root / name), "--workers", "2"])
        assert result.exit_code == 0, (name, result.output)
    docs = sorted(root.rglob("*.docx"))
    pdf_dir = root / "pdf"
    soffice_convert(docs, pdf_dir, root)
    return {doc: pdf_dir / f"{doc.stem}.pdf" for doc in docs}


def named(documents, pattern: str) -> list[Path]:
    return [doc for doc in documents if re.fullmatch(pattern, doc.name)]


def test_every_kind_of_document_is_there(documents):
    assert len(named(documents, r"bao-cao-ket-qua-dti-.*\.docx")) == 3          # two HCM sets, the districts 2021
    assert len(named(documents, r".*-hcm-dti-(so|huyen)\.docx")) == 45          # 23 departments, 22 districts
    assert len(named(documents, r".*-dti-huyen-2021\.docx")) == 6               # one district has not sent
    assert named(documents, r"bao-cao-kh68-2021-Q2\.docx") and named(documents, r"bao-cao-kh4233-2022-Q4\.docx")
    assert named(documents, r"bang-theo-doi-chi-tieu\.docx")


def test_no_page_holds_only_the_signature_block(documents):
    alone = []
    signed = 0
    for doc, pdf in documents.items():
        signature = signature_text(doc)
        if not signature:
            continue
        signed += 1
        alone += [f"{doc.name} trang {n}" for n, text in enumerate(pages_text(pdf), start=1)
                  if signature_only(text, signature)]
    assert signed == len(documents) - 1   # all but the monitoring table are signed
    assert alone == []


def test_kh68_body_fits_eight_pages_before_its_appendix(documents):
    (doc,) = named(documents, r"bao-cao-kh68-2021-Q2\.docx")
    pages = pages_text(documents[doc])
    body = body_pages(pages, "Phụ lục I")
    assert 0 < body <= 8 < len(pages)   # the 359 criteria are in Phụ lục I, after the signature
    assert any("Nơi nhận:" in text for text in pages[:body])


def test_every_table_header_repeats_on_each_page(documents):
    assert {doc.name: missing for doc in documents if (missing := tables_without_repeated_header(doc))} == {}


def test_no_raw_code_in_any_document(documents):
    catalog = forms_catalog()
    levels = {level.id for name in ("hcm-2023", "ninhthuan-2022") for level in builtin_registry(name).levels}
    codes = sorted(levels | {"xa-phuong"} | set(catalog.forms) | set(RAW_CODES))
    found = {}
    for doc, pdf in documents.items():
        text = "\n".join(pages_text(pdf))
        hits = raw_codes(text, codes) + PERIOD_CODE.findall(text)
        if hits:
            found[doc.name] = hits
    assert found == {}
