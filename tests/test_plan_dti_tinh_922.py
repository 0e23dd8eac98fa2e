"""QĐ 79/QĐ-UBND Phụ lục III: the provincial DTI (922/QĐ-BTTTT) with the city unit
responsible for each criterion, as dti_report/data/forms/dti-tinh-922.yaml transcribes it."""

import unicodedata
from pathlib import Path

import pytest

from dti_report.kinds import load_form_file as load_plan  # noqa: F401
from dti_report.forms.plans import AssignmentSet

PLAN = Path(__file__).resolve().parent.parent / "dti_report" / "data" / "forms" / "dti-tinh-922.yaml"


@pytest.fixture(scope="module")
def plan() -> AssignmentSet:
    return load_plan(PLAN)


def top_level(plan):
    """The criteria (chỉ số thành phần) directly under the indices, without 5.12's sub-items."""
    return [c for index in plan.indices for c in index.criteria]


def criterion(plan, cid):
    hits = [c for c in plan.assigned if c.id == cid]
    assert len(hits) == 1, cid
    return hits[0]


def test_header(plan):
    assert plan.kind == "assignments"
    assert plan.id == "dti-tinh-922"
    assert plan.version == "2023.1"
    assert plan.source.document == "Quyết định số 79/QĐ-UBND"
    assert plan.source.date == "2023-01-10"
    assert plan.source.issuer == "Ủy ban nhân dân Thành phố Hồ Chí Minh"
    assert plan.source.appendix == "Phụ lục III"
    assert plan.title.endswith("(Quyết định số 922/QĐ-BTTTT)")


def test_expected_counts_match(plan):
    assert plan.expected == {"general_info": 17, "pillars": 1, "main_indices": 9, "criteria": 98,
                             "sub_criteria": 6, "total_points": 1000}
    assert len(plan.general_info) == plan.expected["general_info"]
    assert len(plan.pillars) == plan.expected["pillars"]
    assert len(plan.indices) == plan.expected["main_indices"]
    assert len(top_level(plan)) == plan.expected["criteria"]
    assert len(plan.assigned) == plan.expected["criteria"] + plan.expected["sub_criteria"]
    assert sum(i.max_points for i in plan.indices) == plan.expected["total_points"]


def test_ids_unique_and_workbook_items(plan):
    ids = [c.id for c in plan.assigned]
    assert len(ids) == len(set(ids))
    # every assigned criterion (sub-items after their parent) is an item of the workbook,
    # then the box for difficulties and proposals
    assert [c.id for c in plan.items] == ids + ["de-xuat"]


def test_one_pillar_nine_indices_with_points(plan):
    (pillar,) = plan.pillars
    assert (pillar.id, pillar.name, pillar.max_points) == ("II", "Chỉ số đánh giá", 1000)
    assert [i.id for i in plan.indices] == [str(n) for n in range(1, 10)]
    assert [i.name for i in plan.indices] == [
        "Nhận thức số", "Thể chế số", "Hạ tầng số", "Nhân lực số", "An toàn thông tin mạng",
        "Hoạt động chính quyền số", "Hoạt động kinh tế số", "Hoạt động xã hội số", "Đô thị thông minh",
    ]
    assert [i.max_points for i in plan.indices] == [100, 100, 100, 100, 100, 200, 150, 150, 0]
    assert sum(i.max_points for i in plan.indices) == 1000


def test_criteria_directly_under_indices(plan):
    for index in plan.indices:
        assert index.components == ()
        assert index.lead == ()
        assert index.criteria
        for c in index.criteria:
            assert c.id.startswith(index.id + "."), c.id


def test_criteria_counts_per_index(plan):
    assert [len(i.criteria) for i in plan.indices] == [10, 11, 7, 13, 12, 22, 12, 8, 3]


def test_criteria_points_sum_to_index(plan):
    for index in plan.indices:
        assert sum(c.max_points for c in index.criteria) == index.max_points, index.id


def test_5_12_subitems(plan):
    c = criterion(plan, "5.12")
    assert c.max_points == 15
    assert [s.id for s in c.criteria] == [f"5.12.{n}" for n in range(1, 7)]
    assert [s.max_points for s in c.criteria] == [5, 2, 2, 2, 2, 2]
    assert sum(s.max_points for s in c.criteria) == 15
    assert c.criteria[0].name == "Kinh phí chung, chi cho ATTT"
    # the only criterion with sub-items
    assert [x.id for x in plan.assigned if x.criteria] == ["5.12"]
    assert all(s.lead == () for s in c.criteria)  # the appendix leaves their unit blank (note 5.12-muc-con)


def test_every_criterion_has_a_lead(plan):
    assert all(c.lead for c in top_level(plan))
    assert all(c.frequency is None for c in plan.assigned)  # Phụ lục III has no frequency column


@pytest.mark.parametrize("cid, lead", [
    ("1.1", ("Sở Thông tin và Truyền thông",)),
    ("2.6", ("Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Thông tin và Truyền thông")),
    ("2.8", ("Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Thông tin và Truyền thông")),
    ("4.5", ("Sở Nội vụ",)),
    ("4.8", ("Sở Giáo dục và Đào tạo",)),
    ("6.22", ("Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Thông tin và Truyền thông")),
    ("7.1", ("Cục Thống kê Thành phố",)),
    ("7.2", ("Sở Kế hoạch và Đầu tư",)),
    ("7.6", ("Sở Công Thương",)),
    ("7.7", ("Cục Thuế Thành phố Hồ Chí Minh",)),
    ("7.11", ("Sở Tài chính", "Sở Kế hoạch và Đầu tư")),
    ("7.12", ("Sở Tài chính",)),
    ("8.1", ("Công an Thành phố",)),
    ("8.2", ("Ngân hàng Nhà nước Thành phố",)),
    ("8.5", ("Cục Thống kê Thành phố",)),
    ("9.3", ("Sở Thông tin và Truyền thông",)),
])
def test_responsible_units(plan, cid, lead):
    assert criterion(plan, cid).lead == lead


def test_coordinating_units(plan):
    assert criterion(plan, "7.4").lead == ("Sở Thông tin và Truyền thông",)
    assert criterion(plan, "7.4").coordinating == (
        "Cơ quan chuyên môn của Bộ Thông tin và Truyền thông (Vụ Quản lý doanh nghiệp)",)
    assert criterion(plan, "8.3").coordinating == (
        "Cơ quan chuyên môn của Bộ Thông tin và Truyền thông", "Tổng cục Thống kê")
    assert {c.id for c in plan.assigned if c.coordinating} == {"7.4", "8.3"}


def test_unit_names_normalised(plan):
    names = {n for c in plan.assigned for n in c.lead + c.coordinating}
    names |= {n for item in plan.general_info for n in item.lead}
    for bad in ("Sở Nội Vụ", "Sở Tài Chính", "Sở Kế hoạch và đầu tư", "Sở Kế hoạch đầu tư",
                "Cục Thống kê", "Sở Thông tin và truyền thông", "Văn phòng UBND Thành phố"):
        assert bad not in names
    assert names <= {
        "Sở Thông tin và Truyền thông", "Sở Nội vụ", "Sở Tài chính", "Sở Kế hoạch và Đầu tư",
        "Sở Giáo dục và Đào tạo", "Sở Công Thương", "Cục Thống kê Thành phố", "Cục Thuế Thành phố Hồ Chí Minh",
        "Công an Thành phố", "Ngân hàng Nhà nước Thành phố", "Văn phòng Ủy ban nhân dân Thành phố",
        "Tổng cục Thống kê", "Cơ quan chuyên môn của Bộ Thông tin và Truyền thông",
        "Cơ quan chuyên môn của Bộ Thông tin và Truyền thông (Vụ Quản lý doanh nghiệp)",
    }


def test_general_info(plan):
    items = plan.general_info
    assert [i.id for i in items] == [f"I.{n}" for n in range(1, 18)]
    assert items[0].name == "Số lượng dân số"
    assert items[0].lead == ("Cục Thống kê Thành phố",)
    assert items[6].lead == ("Sở Nội vụ",)
    assert items[12].lead == ("Sở Kế hoạch và Đầu tư",)
    assert items[15].name == "Tổng chi Ngân sách nhà nước cho chuyển đổi số"
    assert items[15].lead == ("Sở Tài chính",)
    assert items[16].lead == ("Văn phòng Ủy ban nhân dân Thành phố",)
    assert all(i.lead for i in items)


def test_typos_fixed_and_text_clean(plan):
    assert plan.indices[1].name == "Thể chế số"
    assert "Vỏ Sò" in criterion(plan, "7.9").name
    texts = [plan.title] + [i.name for i in plan.indices] + [i.name for i in plan.general_info]
    texts += [c.name for c in plan.assigned]
    for t in texts:
        assert t == unicodedata.normalize("NFC", t)
        assert "<" not in t and "\t" not in t and t == t.strip()
        assert not t.endswith(".")


def test_notes_present(plan):
    ids = {n.id for n in plan.notes}
    assert {"cau-truc", "5.12-muc-con", "chi-so-9-khong-diem", "chuan-hoa-ten-don-vi", "phoi-hop-bo"} <= ids


def test_every_lead_is_a_unit_of_the_registry():
    from dti_report.forms.units import builtin_registry

    registry = builtin_registry()
    plan = load_plan(PLAN)
    names = {n for c in plan.assigned for n in c.lead} | {n for i in plan.general_info for n in i.lead}
    for name in sorted(names):
        assert len(registry.units_for_agency(name)) == 1, name
