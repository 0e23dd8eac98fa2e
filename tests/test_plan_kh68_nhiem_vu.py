"""KH 68/KH-UBND (10/3/2021), Phụ lục 1 "Nhiệm vụ trọng tâm": the 30 key tasks with deadline and lead
agencies, as dti_report/data/forms/kh68-nhiem-vu.yaml transcribes them from the OCR
(seed 000_3f52aba3e7fc0c92.txt, lines 279–678)."""

import re
import unicodedata
from pathlib import Path

import pytest

from dti_report.kinds import load_form_file as load_plan  # noqa: F401
from dti_report.forms.plans import TaskSet

PLAN = Path(__file__).resolve().parent.parent / "dti_report" / "data" / "forms" / "kh68-nhiem-vu.yaml"

SO_TTTT = "Sở Thông tin và Truyền thông"
SO_KHCN = "Sở Khoa học và Công nghệ"


@pytest.fixture(scope="module")
def plan():
    return load_plan(PLAN)


def by_id(plan):
    return {t.id: t for t in plan.tasks}


def test_header(plan):
    assert isinstance(plan, TaskSet)
    assert plan.id == "kh68-nhiem-vu"
    assert plan.version == "2021.1"
    assert plan.source.document == "Kế hoạch số 68/KH-UBND"
    assert plan.source.date == "2021-03-10"
    assert plan.source.issuer == "Ủy ban nhân dân Thành phố Hồ Chí Minh"
    assert plan.source.appendix == "Phụ lục 1"
    assert plan.expected == {"tasks": 30}


def test_thirty_tasks_in_order(plan):
    assert len(plan.tasks) == plan.expected["tasks"] == 30
    assert [t.id for t in plan.tasks] == [str(n) for n in range(1, 31)]


def test_every_task_has_a_lead_and_content(plan):
    for task in plan.tasks:
        assert task.lead, task.id
        assert all(name.strip() for name in task.lead), task.id
        assert task.content.strip(), task.id
        assert task.deadline.text.strip(), task.id


def test_groups(plan):
    # OCR lines 283, 314, 321 (page 1) and 593 (page 3).
    assert [(g.name, [t.id for t in g.tasks]) for g in plan.groups] == [
        ("Nhóm nhiệm vụ chung", [str(n) for n in range(1, 9)]),
        ("Phát triển chính quyền số", ["9"]),
        ("Nhóm phát triển kinh tế số", [str(n) for n in range(10, 22)]),
        ("Chuyển đổi số trong một số ngành, lĩnh vực", [str(n) for n in range(22, 31)]),
    ]
    assert len({g.id for g in plan.groups}) == len(plan.groups)


# Deadlines checked by hand against the OCR (line numbers of seeds/000_3f52aba3e7fc0c92.txt).
DEADLINES = {
    "1": ("year", "2021"),            # l. 332 "Trong nam 2021"
    "3": ("month", "2021-04"),        # l. 336-338 "Trinh 0y ban ... k€& hoach trong thang 04/2021."
    "4": ("year", "2021"),            # l. 339-344 "Nam 2021 ... (thuong xuyén)"
    "6": ("project", None),           # l. 346-351 "Theo D& an phat trién ha tang vién thong ..."
    "7": ("month", "2021-06"),        # l. 353-355 "... trong thang 6/2021."
    "9": ("month", "2020-02"),        # l. 361-363 "... trong thang 02/2020" (kept as written)
    "10": ("year", "2021"),           # l. 365-367 "Trong nam 2021 (thuong xuyén)"
    "11": ("month", "2021-02"),       # l. 471-473 "P& trinh 4y ban nhén dan thanh phdé trong thang 02/2021"
    "13": ("month", "2021-03"),       # l. 480-485 "Vién Nghién ctu ... trong thang 03/2021"
    "14": ("month", "2020-01"),       # l. 487-489 "... trong thang 01/2020" (kept as written)
    "15": ("issued", None),           # l. 491 "Pa ban hanh"
    "17": ("month", "2021-03"),       # l. 498 "Thang 03/2021"
    "18": ("project", None),          # l. 500 "Theo tién do duv an"
    "20": ("project", None),          # l. 506-516 "Thuc hién theo Quyét dinh s 4328/QD-UBND ..."
    "21": ("month", "2021-02"),       # l. 620-626 "Trinh UBND TP phrong an trong thang 02/2021."
    "22": ("project", None),          # l. 628 "Theo tién dd du an"
    "23": ("month", "2021-02"),       # l. 630-644 "Can ctr vao Chuong trinh ... trong thang 02/2021"
    "30": ("month", "2021-02"),       # same merged cell as 23
}


@pytest.mark.parametrize("task_id", sorted(DEADLINES, key=int))
def test_deadlines_checked_by_hand(plan, task_id):
    kind, value = DEADLINES[task_id]
    deadline = by_id(plan)[task_id].deadline
    assert (deadline.kind, deadline.value) == (kind, value)


def test_deadline_texts(plan):
    tasks = by_id(plan)
    assert tasks["4"].deadline.text == "Năm 2021 (thường xuyên)"
    assert tasks["15"].deadline.text == "Đã ban hành"
    assert tasks["18"].deadline.text == "Theo tiến độ dự án"
    assert "4328/QĐ-UBND" in tasks["20"].deadline.text
    # the sector tasks share one merged cell
    assert len({tasks[str(n)].deadline for n in range(23, 31)}) == 1


def test_leads_checked_by_hand(plan):
    tasks = by_id(plan)
    # page 1 "Chủ trì" block, OCR l. 371-413
    assert tasks["1"].lead == ("Sở Nội vụ",)
    assert all(tasks[str(n)].lead == (SO_TTTT,) for n in range(2, 10))
    assert tasks["10"].lead == ("Hiệp hội Doanh nghiệp Thành phố", "Hội Tin học Thành phố")
    # page 2, OCR l. 520-567
    assert tasks["11"].lead == (SO_TTTT,)
    assert tasks["12"].lead == ("Các doanh nghiệp nhà nước Thành phố",)
    assert tasks["13"].lead == ("Viện Nghiên cứu phát triển Thành phố",)
    assert tasks["15"].lead == (SO_TTTT,)
    assert all(tasks[str(n)].lead == (SO_KHCN,) for n in (14, 16, 17, 18, 19))
    assert tasks["20"].lead == ("Sở Công Thương",)
    # page 3, OCR l. 648-676
    assert tasks["21"].lead == (SO_TTTT,)
    assert tasks["22"].lead == ("Công ty Đầu tư Tài chính nhà nước Thành phố (HFIC)",)
    assert tasks["23"].lead == ("Sở Y tế",)
    assert tasks["27"].lead == ("Sở Nông nghiệp và Phát triển nông thôn",)
    assert tasks["29"].lead == ("Sở Tài nguyên và Môi trường",)
    assert tasks["30"].lead == ("Sở Công Thương", "Tổng Công ty Điện lực Thành phố Hồ Chí Minh")


def test_no_coordinating_column(plan):
    # The appendix table has no "Phối hợp" column (headers: Nội dung, Thời gian hoàn thành, Chủ trì).
    assert all(t.coordinating == () for t in plan.tasks)
    assert "cot-bang" in {n.id for n in plan.notes}


def test_ambiguous_readings_are_noted(plan):
    ids = {n.id for n in plan.notes}
    assert {"nam-2021-thuong-xuyen", "nam-2020", "nhom-nhiem-vu", "ghep-cot"} <= ids
    assert len(ids) == len(plan.notes)


def _strings(plan):
    out = [plan.title, plan.source.document, plan.source.issuer, plan.source.appendix]
    out += [n.text for n in plan.notes]
    for group in plan.groups:
        out.append(group.name)
        for task in group.tasks:
            out += [task.content, task.deadline.text, *task.lead, *task.coordinating]
            out += [s for s in (task.product, task.note) if s]
    return out


def test_text_is_nfc(plan):
    # load_plan normalises to NFC; the file itself must already be NFC too
    assert unicodedata.is_normalized("NFC", PLAN.read_text(encoding="utf-8"))
    for s in _strings(plan):
        assert unicodedata.is_normalized("NFC", s), s


# Typical fragments of the OCR (diacritics lost or misread); none may survive in the transcription.
OCR_FRAGMENTS = [
    "Chuyén", "chuyén", "Chuyen", "chuyen doi", "doi s", " s6", "s0 ", " sd ", "Thong tin", "Thoéng",
    "Truyén", "truyén", "Truyen", "S&", "Sé ", "Gy ban", "0y ban", "Uy ban", "nhan dan", "thanh pho",
    "Thanh pho", "thanh phd", "Trinh ", "trong thang", "Thang ", "nam 2021", "Nam 2021", "Ké hoach",
    "Ke hoach", "hoach", "Cong nghé", "cong nghe", "dién t", "Nhém", "Nhom ", "nhiém", "Pa ban", "P&",
    "Cha tri", "Noi vu", "tién do", "Khoa hoc", "Dy an", "Fintech hub)?", "HO6", "H6 Chi", "Ho Chi",
]
OCR_CHARACTERS = set("&¢€~|®©°¥£")

VIETNAMESE_LETTERS = set(
    "abcdefghijklmnopqrstuvwxyzđ"
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
)


@pytest.mark.parametrize("fragment", OCR_FRAGMENTS)
def test_no_ocr_fragments(plan, fragment):
    hits = [s for s in _strings(plan) if fragment in s]
    assert not hits, (fragment, hits)


def test_no_ocr_characters_and_only_vietnamese_letters(plan):
    for s in _strings(plan):
        assert not (set(s) & OCR_CHARACTERS), s
        letters = {c for c in s.lower() if c.isalpha()}
        assert letters <= VIETNAMESE_LETTERS, (s, letters - VIETNAMESE_LETTERS)
        assert not re.search(r"\s{2,}", s), s
