"""Ninh Thuận's KH 4233/KH-UBND (28/9/2022): Phụ lục 1 (tasks by group) and Phụ lục 2 (who follows which
provincial DTI criterion, with the plan's 2021 baseline), as dti_report/data/forms/ninhthuan-kh4233-*.yaml
transcribe them from the OCR seed seeds/004_0080acf6573c02d1.txt. Line numbers in comments are that
file's (1-based)."""

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from dti_report.kinds import load_form_file as load_plan  # noqa: F401

PLANS = Path(__file__).resolve().parent.parent / "dti_report" / "data" / "forms"
TASKS = PLANS / "ninhthuan-kh4233-nhiem-vu.yaml"
ASSIGNMENTS = PLANS / "ninhthuan-kh4233-phan-cong.yaml"

TTTT = "Sở Thông tin và Truyền thông"
PVHCC = "Văn phòng Ủy ban nhân dân tỉnh (Trung tâm Phục vụ hành chính công)"


@pytest.fixture(scope="module")
def tasks():
    return load_plan(TASKS)


@pytest.fixture(scope="module")
def assignments():
    return load_plan(ASSIGNMENTS)


def task(plan, tid):
    hits = [t for t in plan.tasks if t.id == tid]
    assert len(hits) == 1, tid
    return hits[0]


def walk_criteria(items):
    for c in items:
        yield c
        yield from walk_criteria(c.criteria)


def all_criteria(plan):
    """Every assigned criterion, sub-criteria after their parent (independent of AssignmentSet helpers)."""
    out = []
    for index in plan.indices:
        out += list(walk_criteria(index.criteria))
        for component in index.components:
            out += list(walk_criteria(component.criteria))
    return out


def top_criteria(plan):
    return [c for index in plan.indices for c in index.criteria]


def criterion(plan, cid):
    hits = [c for c in all_criteria(plan) if c.id == cid]
    assert len(hits) == 1, cid
    return hits[0]


# ---------------------------------------------------------------- headers

def test_task_set_header(tasks):
    assert tasks.kind == "tasks"
    assert tasks.id == "ninhthuan-kh4233-nhiem-vu"
    assert tasks.version == "2022.1"
    assert tasks.title == "Nhiệm vụ nâng cao Chỉ số chuyển đổi số tỉnh Ninh Thuận"
    assert tasks.source.document == "Kế hoạch số 4233/KH-UBND"
    assert tasks.source.date == "2022-09-28"
    assert tasks.source.issuer == "Ủy ban nhân dân tỉnh Ninh Thuận"
    assert tasks.source.appendix == "Phụ lục 1"


def test_assignment_set_header(assignments):
    assert assignments.kind == "assignments"
    assert assignments.id == "ninhthuan-kh4233-phan-cong"
    assert assignments.version == "2022.1"
    assert assignments.source.document == "Kế hoạch số 4233/KH-UBND"
    assert assignments.source.date == "2022-09-28"
    assert assignments.source.issuer == "Ủy ban nhân dân tỉnh Ninh Thuận"
    assert assignments.source.appendix == "Phụ lục 2"


# ---------------------------------------------------------------- Phụ lục 1: tasks

def test_task_counts_per_group(tasks):
    # OCR 388–606: A has one task; B.I–B.VIII have 3, 4, 4, 6, 4, 7, 6, 5.
    assert [(g.id, len(g.tasks)) for g in tasks.groups] == [
        ("A", 1), ("B.I", 3), ("B.II", 4), ("B.III", 4), ("B.IV", 6),
        ("B.V", 4), ("B.VI", 7), ("B.VII", 6), ("B.VIII", 5),
    ]
    assert len(tasks.tasks) == tasks.expected["tasks"] == 40
    assert len({t.id for t in tasks.tasks}) == 40


def test_group_names(tasks):
    assert [g.name for g in tasks.groups] == [
        "Nhóm nhiệm vụ chuyển đổi số năm 2022 trên địa bàn tỉnh",
        "Nhóm Nhận thức số", "Nhóm Thể chế số", "Nhóm Hạ tầng số", "Nhóm Nhân lực số",
        "Nhóm An toàn thông tin mạng", "Nhóm Hoạt động chính quyền số",
        "Nhóm Hoạt động kinh tế số", "Nhóm Hoạt động xã hội số",
    ]


def test_every_task_has_lead_and_deadline(tasks):
    for t in tasks.tasks:
        assert t.lead and all(name.strip() for name in t.lead), t.id
        assert t.deadline.kind and t.deadline.text, t.id
        assert t.content.strip(), t.id


def test_deadline_kinds(tasks):
    kinds = [t.deadline.kind for t in tasks.tasks]
    assert kinds.count("month") == 16
    assert kinds.count("quarter") == 23
    assert kinds.count("project") == 1
    for t in tasks.tasks:
        if t.deadline.kind == "quarter":
            assert (t.deadline.value, t.deadline.text) == ("2022-Q4", "Quý IV/2022"), t.id
        if t.deadline.kind == "month":
            month = int(t.deadline.value[5:])
            assert t.deadline.value.startswith("2022-") and 9 <= month <= 12, t.id
            assert t.deadline.text == f"Tháng {month}/2022", t.id


def test_task_a1_refers_to_kh3609(tasks):
    # OCR 389–393: merged cell "Theo Phụ lục của Kế hoạch số 3609/KH-BĐHCĐS ngày 18/8/2022".
    t = task(tasks, "A.1")
    assert t.deadline.kind == "project"
    assert t.deadline.value is None
    assert "3609/KH-BĐHCĐS" in t.deadline.text and "18/8/2022" in t.deadline.text
    assert t.lead == ("Các sở, ban, ngành, địa phương, cơ quan, đơn vị liên quan",)


def test_task_smartphones(tasks):
    # OCR 422–425: Sở TTTT chủ trì, các doanh nghiệp viễn thông phối hợp, Tháng 12/2022.
    t = task(tasks, "B.III.1")
    assert "85%" in t.content and "95%" in t.content and "75%" in t.content
    assert t.lead == (TTTT,)
    assert t.coordinating == ("Các doanh nghiệp viễn thông",)
    assert (t.deadline.kind, t.deadline.value) == ("month", "2022-12")


def test_task_community_tech_teams(tasks):
    # OCR 435–437: UBND các huyện, thành phố chủ trì; Sở TTTT phối hợp; Tháng 9/2022.
    t = task(tasks, "B.IV.1")
    assert "1813/KH-UBND" in t.content
    assert t.lead == ("Ủy ban nhân dân các huyện, thành phố",)
    assert t.coordinating == (TTTT,)
    assert (t.deadline.kind, t.deadline.value, t.deadline.text) == ("month", "2022-09", "Tháng 9/2022")


def test_task_labour_skills(tasks):
    # OCR 460–461: Sở LĐTB&XH chủ trì; Sở TTTT và các cơ quan, đơn vị liên quan phối hợp; Quý IV/2022.
    t = task(tasks, "B.IV.5")
    assert t.content == "Tổ chức bồi dưỡng, tập huấn kỹ năng số cho người lao động"
    assert t.lead == ("Sở Lao động - Thương binh và Xã hội",)
    assert t.coordinating == (TTTT, "Các cơ quan, đơn vị liên quan")
    assert (t.deadline.kind, t.deadline.value) == ("quarter", "2022-Q4")


def test_task_spending_training_november(tasks):
    # OCR 409–410: the only November deadline.
    t = task(tasks, "B.II.3")
    assert (t.deadline.kind, t.deadline.value) == ("month", "2022-11")
    assert t.coordinating == ("Các sở, ban, ngành cấp tỉnh", "Ủy ban nhân dân cấp huyện")


def test_task_e_invoices_and_ecommerce(tasks):
    # OCR 563–567: Cục Thuế tỉnh, 100% hóa đơn điện tử, Tháng 12/2022.
    t = task(tasks, "B.VII.5")
    assert t.lead == ("Cục Thuế tỉnh",)
    assert "100%" in t.content
    assert t.deadline.value == "2022-12"
    # OCR 568–571: Sở Công Thương; Bưu điện tỉnh, Viettel Post - Chi nhánh tỉnh Ninh Thuận phối hợp.
    t = task(tasks, "B.VII.6")
    assert t.lead == ("Sở Công Thương",)
    assert t.coordinating[:2] == ("Bưu điện tỉnh Ninh Thuận", "Viettel Post - Chi nhánh tỉnh Ninh Thuận")
    assert "Vỏ Sò và Postmart" in t.content and "7%" in t.content


def test_task_bank_accounts(tasks):
    # OCR 576–592: Ngân hàng Nhà nước chi nhánh tỉnh Ninh Thuận; 65 – 70%; Quý IV/2022.
    t = task(tasks, "B.VIII.2")
    assert t.lead == ("Ngân hàng Nhà nước Chi nhánh tỉnh Ninh Thuận",)
    assert "1466/KH-UBND" in t.content and "65 – 70%" in t.content
    assert t.deadline.value == "2022-Q4"


def test_public_service_centre_tasks(tasks):
    # OCR 522–530: Trung tâm PVHCC tỉnh chủ trì VI.4 and VI.5.
    assert task(tasks, "B.VI.4").lead == ("Trung tâm Phục vụ hành chính công tỉnh",)
    assert task(tasks, "B.VI.5").lead == ("Trung tâm Phục vụ hành chính công tỉnh",)
    assert "55%" in task(tasks, "B.VI.4").content and "60%" in task(tasks, "B.VI.4").content


def test_lead_agencies_by_count(tasks):
    leads = [name for t in tasks.tasks for name in t.lead]
    assert leads.count(TTTT) == 22
    assert leads.count("Sở Kế hoạch và Đầu tư") == 4


# ---------------------------------------------------------------- Phụ lục 2: assignments

def test_assignment_structure_and_counts(assignments):
    assert len(assignments.general_info) == assignments.expected["general_info"] == 20
    assert len(assignments.pillars) == assignments.expected["pillars"] == 1
    (pillar,) = assignments.pillars
    assert (pillar.id, pillar.name, pillar.max_points) == ("B", "Chỉ số đánh giá", 1000)
    assert [i.id for i in assignments.indices] == [str(n) for n in range(1, 10)]
    assert [i.name for i in assignments.indices] == [
        "Nhận thức số", "Thể chế số", "Hạ tầng số", "Nhân lực số", "An toàn thông tin mạng",
        "Hoạt động chính quyền số", "Hoạt động kinh tế số", "Hoạt động xã hội số", "Đô thị thông minh",
    ]
    assert [len(i.criteria) for i in assignments.indices] == [10, 11, 7, 13, 12, 22, 12, 8, 3]
    assert len(top_criteria(assignments)) == assignments.expected["criteria"] == 98
    assert len(all_criteria(assignments)) - 98 == assignments.expected["sub_criteria"] == 6
    ids = [c.id for c in all_criteria(assignments)]
    assert len(ids) == len(set(ids))
    for index in assignments.indices:
        for c in index.criteria:
            assert c.id.split(".")[0] == index.id, c.id


def test_points_add_up(assignments):
    assert [i.max_points for i in assignments.indices] == [100, 100, 100, 100, 100, 200, 150, 150, 0]
    for index in assignments.indices:
        assert sum(c.max_points for c in index.criteria) == index.max_points, index.id
    assert sum(i.max_points for i in assignments.indices) == assignments.expected["total_points"] == 1000
    parent = criterion(assignments, "5.12")
    assert [c.max_points for c in parent.criteria] == [5, 2, 2, 2, 2, 2]
    assert sum(c.max_points for c in parent.criteria) == parent.max_points == 15


def test_every_criterion_has_a_lead(assignments):
    for c in all_criteria(assignments):
        assert c.lead, c.id
    for item in assignments.general_info:
        assert item.lead, item.id


def test_criteria_checked_by_hand(assignments):
    # OCR 759–771: 1.6 Báo Ninh Thuận phụ trách, Sở TTTT phối hợp.
    c = criterion(assignments, "1.6")
    assert (c.lead, c.coordinating) == (("Báo Ninh Thuận",), (TTTT,))
    # OCR 653–659: 1.1 Sở TTTT; VP Tỉnh ủy, VP UBND tỉnh.
    c = criterion(assignments, "1.1")
    assert c.coordinating == ("Văn phòng Tỉnh ủy", "Văn phòng Ủy ban nhân dân tỉnh")
    # OCR 829–830: 2.9 Sở TTTT; Sở Nội vụ, Sở Tài chính.
    c = criterion(assignments, "2.9")
    assert (c.lead, c.coordinating) == ((TTTT,), ("Sở Nội vụ", "Sở Tài chính"))
    # OCR 1289–1292: 6.8 VP UBND tỉnh (Trung tâm PVHCC); Sở TTTT.
    c = criterion(assignments, "6.8")
    assert (c.lead, c.coordinating, c.max_points) == ((PVHCC,), (TTTT,), 10)
    # OCR 1396: 6.20 Sở Nội vụ; Sở TTTT.
    assert criterion(assignments, "6.20").lead == ("Sở Nội vụ",)
    # OCR 1674–1678: 7.9 Sở Công Thương; Sở NN&PTNT, Sở TTTT.
    c = criterion(assignments, "7.9")
    assert (c.lead, c.coordinating) == (("Sở Công Thương",), ("Sở Nông nghiệp và Phát triển nông thôn", TTTT))
    # OCR 1740–1744: 8.2 Ngân hàng Nhà nước chi nhánh Ninh Thuận; các ngân hàng thương mại.
    c = criterion(assignments, "8.2")
    assert c.lead == ("Ngân hàng Nhà nước Chi nhánh tỉnh Ninh Thuận",)
    assert c.coordinating == ("Các ngân hàng thương mại trên địa bàn tỉnh",)
    # OCR 1613: 7.7 Cục Thuế tỉnh. OCR 1873: 9.3 Sở Xây dựng; Sở TTTT.
    assert criterion(assignments, "7.7").lead == ("Cục Thuế tỉnh",)
    c = criterion(assignments, "9.3")
    assert (c.lead, c.coordinating, c.max_points) == (("Sở Xây dựng",), (TTTT,), 0)
    # OCR 1120–1121: 5.5 Sở TTTT; các sở ngành và UBND các huyện, thành phố.
    assert criterion(assignments, "5.5").coordinating == ("Các sở, ngành", "Ủy ban nhân dân các huyện, thành phố")
    # OCR 647–649: thông tin chung 20, số lượng TTHC — VP UBND tỉnh (Trung tâm PVHCC).
    assert assignments.general_info[-1].lead == (PVHCC,)


def test_baseline_2021(assignments):
    # OCR 9–15.
    b = assignments.baseline
    assert b.year == 2021
    assert b.index.name == "Chỉ số chuyển đổi số (DTI) tỉnh Ninh Thuận"
    assert (b.index.value, b.index.rank, b.of) == (0.3048, 53, 63)
    assert [(p.name, p.value, p.rank) for p in b.pillars] == [
        ("Chính quyền số", 0.3512, 47),
        ("Kinh tế số", 0.3393, 47),
        ("Xã hội số", 0.3220, 49),
    ]
    assert "44,6%" in b.note


def test_reporting_rule_noted_in_both(tasks, assignments):
    for plan in (tasks, assignments):
        note = {n.id: n.text for n in plan.notes}["bao-cao-dinh-ky"]
        assert "hằng quý (trước ngày 25 tháng cuối quý)" in note
        assert "hằng năm (trước ngày 20/12)" in note


# ---------------------------------------------------------------- no OCR noise

OCR_FRAGMENTS = [
    "chuyén", "Chuyén", "chuyen doi", "doi so", "déi", "dbi", "ddi", "s6", "sb ", "sO", "Thong tin", "Truyén",
    "Truyen", "dién", "nganh", "huyén", "thanh pho", "Uy ban", "nhan dan", "Piém", "diém", "nudc", "nguoi",
    "ngudi", "tinh,", "Quy IV", "Quy 1V", "1V/", "Thang ", "So TTTT", "SoTTTT", "S6 ", "Sé ", "S& ", "UBNDA",
    "¢", "€", "ﬁ", "ﬂ", "|", "{", "}", "\\", "’", "‘", "®", "™", "Ã", "Â¸",
]
AGENCY_ABBREVIATIONS = re.compile(r"\b(UBND|TTTT|TT&TT|KH&ĐT|GD&ĐT|LĐTB&XH|PVHCC|VP|PTTH|NHNN|NN&PTNT)\b")


def strings(tree):
    if isinstance(tree, str):
        yield tree
    elif isinstance(tree, dict):
        for key, value in tree.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from strings(value)


@pytest.mark.parametrize("path", [TASKS, ASSIGNMENTS], ids=lambda p: p.name)
def test_no_ocr_artefacts(path):
    raw = path.read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", raw) == raw
    for text in strings(yaml.safe_load(raw)):
        for fragment in OCR_FRAGMENTS:
            assert fragment not in text, (fragment, text)


def agency_names(tasks, assignments):
    for t in tasks.tasks:
        yield from t.lead
        yield from t.coordinating
    for c in all_criteria(assignments):
        yield from c.lead
        yield from c.coordinating
    for item in assignments.general_info:
        yield from item.lead


def test_agency_names_are_written_in_full(tasks, assignments):
    names = set(agency_names(tasks, assignments))
    for name in names:
        assert not AGENCY_ABBREVIATIONS.search(name), name
        assert name[0].isupper(), name
    assert {TTTT, "Sở Kế hoạch và Đầu tư", "Sở Tài chính", "Sở Nội vụ", "Sở Giáo dục và Đào tạo",
            "Ủy ban nhân dân các huyện, thành phố", "Ủy ban nhân dân cấp huyện", PVHCC} <= names
    # The Ministry's name in task text is written in full too.
    assert "Bộ Thông tin và Truyền thông" in task(tasks, "B.IV.2").content
