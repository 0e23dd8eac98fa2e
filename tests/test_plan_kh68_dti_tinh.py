"""KH 68/KH-UBND Phụ lục 2: who evaluates which criterion of the provincial DTI (1726/QĐ-BTTTT),
as dti_report/data/forms/kh68-dti-tinh.yaml transcribes it from the OCR in
seed 000_3f52aba3e7fc0c92.txt (lines 680–6649). Line numbers in comments are OCR lines."""

import re
import unicodedata
from pathlib import Path

import pytest

from dti_report.kinds import load_form_file as load_plan  # noqa: F401
from dti_report.forms.plans import AssignmentSet

PLAN = Path(__file__).resolve().parent.parent / "dti_report" / "data" / "forms" / "kh68-dti-tinh.yaml"

TTTT = "Sở Thông tin và Truyền thông"
VP = "Văn phòng Ủy ban nhân dân Thành phố"
WITH_MINISTRY = ("Cơ quan chuyên môn của Bộ Thông tin và Truyền thông", "Tổng cục Thống kê")
SURVEY, CYBER, EXPERT = "Điều tra xã hội", "Đánh giá trên không gian mạng", "Đánh giá qua phỏng vấn chuyên gia"


@pytest.fixture(scope="module")
def plan() -> AssignmentSet:
    return load_plan(PLAN)


def top_level(scope):
    """The criteria of a plan or a pillar: under the components and directly under the indices."""
    indices = scope.indices
    return [c for i in indices for comp in i.components for c in comp.criteria] + [c for i in indices for c in i.criteria]


def criterion(plan, cid):
    hits = [c for c in plan.assigned if c.id == cid]
    assert len(hits) == 1, cid
    return hits[0]


def is_assessment(c):
    """A row of the tables' sections 8 (cyberspace) and 9 (expert interview)."""
    return c.note in (CYBER, EXPERT)


def test_header(plan):
    assert plan.kind == "assignments"
    assert plan.id == "kh68-dti-tinh"
    assert plan.version == "2021.1"
    assert plan.title == "Phân công đánh giá Chỉ số chuyển đổi số cấp tỉnh"
    assert plan.source.document == "Kế hoạch số 68/KH-UBND"
    assert plan.source.date == "2021-03-10"
    assert plan.source.issuer == "Ủy ban nhân dân Thành phố Hồ Chí Minh"
    assert plan.source.appendix == "Phụ lục 2"


def test_expected_counts_match(plan):
    assert plan.expected == {"pillars": 3, "main_indices": 21, "components": 103, "criteria": 355, "sub_criteria": 4}
    assert len(plan.pillars) == plan.expected["pillars"]
    assert len(plan.indices) == plan.expected["main_indices"]
    assert sum(len(i.components) for i in plan.indices) == plan.expected["components"]
    assert len(top_level(plan)) == plan.expected["criteria"]
    assert len(plan.assigned) == plan.expected["criteria"] + plan.expected["sub_criteria"]
    # every assigned criterion is an item of the units' workbooks, then the box for difficulties and proposals
    assert [c.id for c in plan.items] == [c.id for c in plan.assigned] + ["de-xuat"]


def test_ids_unique_and_numbered_by_pillar(plan):
    ids = [i.id for i in plan.indices] + [comp.id for i in plan.indices for comp in i.components]
    ids += [c.id for c in plan.assigned]
    assert len(ids) == len(set(ids))
    for pillar in plan.pillars:
        for index in pillar.indices:
            assert index.id.startswith(pillar.id + ".")
            for comp in index.components:
                assert comp.id.startswith(index.id + ".")
                for c in comp.criteria:
                    assert c.id.startswith(comp.id + ".")
            for c in index.criteria:
                if is_assessment(c):  # rows 8.k / 9.k keep the table's number after the pillar
                    assert re.fullmatch(rf"{pillar.id}\.[89]\.\d", c.id), c.id
                else:
                    assert c.id.startswith(index.id + ".")


def test_three_pillars_seven_main_indices(plan):
    assert [(p.id, p.name) for p in plan.pillars] == [("1", "Chính quyền số"), ("2", "Kinh tế số"), ("3", "Xã hội số")]
    for pillar in plan.pillars:
        assert [i.id for i in pillar.indices] == [f"{pillar.id}.{k}" for k in range(1, 8)]
        names = [i.name for i in pillar.indices]
        assert names[:4] == ["Chuyển đổi nhận thức", "Kiến tạo thể chế", "Hạ tầng và nền tảng số", "Thông tin và Dữ liệu số"]
        assert names[4] == "Hoạt động " + pillar.name
        assert names[5] == "An toàn, an ninh mạng"
        assert names[6] == "Đào tạo và phát triển nhân lực " + pillar.name
        assert all(i.max_points is None for i in pillar.indices)


# components per main index, criteria per pillar (from the tables; 8/9 rows counted apart)
COMPONENTS = {"1": [4, 4, 10, 3, 16, 5, 3], "2": [3, 4, 6, 3, 14, 2, 4], "3": [4, 4, 3, 3, 5, 0, 3]}
CRITERIA_IN_COMPONENTS = {"1": 133, "2": 101, "3": 72}
CRITERIA_UNDER_INDEX = {"1": 0, "2": 0, "3": 5}   # Xã hội số 6.1–6.5 have no component
ASSESSMENT_ROWS = {"1": 16, "2": 14, "3": 14}      # 8.1–8.8 + 9.1–9.8 (CQS), 8.1–8.7 + 9.1–9.7


@pytest.mark.parametrize("pid", ["1", "2", "3"])
def test_counts_per_pillar(plan, pid):
    pillar = next(p for p in plan.pillars if p.id == pid)
    assert [len(i.components) for i in pillar.indices] == COMPONENTS[pid]
    assert sum(len(comp.criteria) for i in pillar.indices for comp in i.components) == CRITERIA_IN_COMPONENTS[pid]
    direct = [c for i in pillar.indices for c in i.criteria]
    assert len([c for c in direct if not is_assessment(c)]) == CRITERIA_UNDER_INDEX[pid]
    assert len([c for c in direct if is_assessment(c)]) == ASSESSMENT_ROWS[pid]
    assert all(comp.criteria for i in pillar.indices for comp in i.components)


def test_sections_8_and_9_folded_into_their_main_index(plan):
    for pillar in plan.pillars:
        k_max = 8 if pillar.id == "1" else 7
        for section, note in (("8", CYBER), ("9", EXPERT)):
            for k in range(1, k_max + 1):
                c = criterion(plan, f"{pillar.id}.{section}.{k}")
                # 8.k / 9.k re-assess main index k; the CQS rows 8.8 / 9.8 ("các vấn đề khác") sit under index 5
                home = 5 if k == 8 else k
                index = next(i for i in pillar.indices if i.id == f"{pillar.id}.{home}")
                assert c in index.criteria
                assert c.note == note
                assert c.frequency is None
                assert c.lead == (TTTT,) and c.coordinating == WITH_MINISTRY
    assert all(c.note in (CYBER, EXPERT) for c in plan.assigned if re.fullmatch(r"\d\.[89]\.\d(\.\d)?", c.id))


def test_cqs_8_5_and_9_5_have_two_rows(plan):
    # lines 2307–2333: one heading, two rows (internal digital management; online public services), each its own cell
    for section in ("8", "9"):
        c = criterion(plan, f"1.{section}.5")
        assert [s.id for s in c.criteria] == [f"1.{section}.5.1", f"1.{section}.5.2"]
        assert c.criteria[0].name.startswith("Hoạt động quản trị số, ứng dụng CNTT trong hoạt động nội bộ")
        assert c.criteria[1].name.startswith("Hoạt động cung cấp")
        assert all(s.lead == c.lead and s.note == c.note for s in c.criteria)
    assert {c.id for c in plan.assigned if c.criteria} == {"1.8.5", "1.9.5"}


def test_every_criterion_has_a_lead(plan):
    assert all(c.lead for c in plan.assigned)
    leads = {n for c in plan.assigned for n in c.lead}
    assert leads == {
        TTTT, VP, "Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp", "Sở Khoa học và Công nghệ", "Sở Kế hoạch và Đầu tư",
        "Sở Công Thương", "Sở Giáo dục và Đào tạo", "Sở Y tế", "Sở Nông nghiệp và Phát triển nông thôn",
        "Cục Thống kê Thành phố", "Cục Thuế Thành phố Hồ Chí Minh", "Cục Hải quan Thành phố Hồ Chí Minh",
        "Ngân hàng Nhà nước Việt Nam – Chi nhánh Thành phố Hồ Chí Minh", "Tổng Công ty Điện lực Thành phố Hồ Chí Minh",
    }
    # the only coordinating agencies: the Ministry's specialised bodies and the General Statistics Office
    assert {c.coordinating for c in plan.assigned} == {(), WITH_MINISTRY}
    assert all(c.lead == (TTTT,) for c in plan.assigned if c.coordinating)


def test_every_lead_is_one_unit_of_the_registry():
    from dti_report.forms.units import builtin_registry

    registry = builtin_registry()
    plan = load_plan(PLAN)
    unknown = sorted({n for c in plan.assigned for n in c.lead if len(registry.units_for_agency(n)) != 1})
    assert unknown == []


# The criteria whose frequency cell is empty in the scan (notes tan-suat, tan-suat-trong): every row of
# sections 8/9, every "Điều tra xã hội" row except Kinh tế số 5.12, and Kinh tế số 5.7, 7.3, 7.4.
NO_FREQUENCY_BESIDES_SURVEYS = {
    "2.5.7.1", "2.5.7.2", "2.5.7.3",                 # lines 3798–3808: no "Quý" on the 5.7 row (3831–3849)
    "2.7.3.1", "2.7.3.2", "2.7.3.3", "2.7.4.1", "2.7.4.2", "2.7.4.3",  # lines 4224–4337: Sở GD&ĐT rows
}


def test_frequencies(plan):
    assert {c.frequency for c in plan.assigned} == {"Quý", "6 tháng", None}
    missing = {c.id for c in plan.assigned if c.frequency is None}
    surveys = {c.id for c in plan.assigned if c.note == SURVEY}
    assessments = {c.id for c in plan.assigned if is_assessment(c)}
    assert missing == (surveys - {"2.5.12.1", "2.5.12.2"}) | assessments | NO_FREQUENCY_BESIDES_SURVEYS
    assert len(missing) == 19 + 58 + 33 + 4
    # Chính quyền số is evaluated quarterly wherever the table gives a frequency
    assert {c.frequency for c in top_level(plan.pillars[0])} == {"Quý", None}
    # Kinh tế số 5.12 keeps the "Quý" the scan shows (line 3936) although both criteria are surveys
    assert criterion(plan, "2.5.12.1").frequency == criterion(plan, "2.5.12.2").frequency == "Quý"


def test_notes_column(plan):
    assert {c.note for c in plan.assigned} == {None, SURVEY, CYBER, EXPERT}
    survey = [c for c in plan.assigned if c.note == SURVEY]
    assert len(survey) == 3 + 37 + 19
    assert all(c.lead == (TTTT,) and c.coordinating == WITH_MINISTRY for c in survey)


@pytest.mark.parametrize("cid, name, frequency, lead, note", [
    # lines 745–750, lead 745–748 (printed beside the name)
    ("1.1.1.1", "Có Chuyên mục về Chuyển đổi số trên Cổng/Trang thông tin điện tử của Thành phố (TP)", "Quý", VP, None),
    # lines 803–808, lead 808
    ("1.1.2.4", "Phát động phong trào thi đua chuyển đổi số trong toàn Thành phố. Lựa chọn, vinh danh, khen "
                "thưởng cho các điển hình tiên tiến về chuyển đổi số", "Quý", "Sở Nội vụ", None),
    # lines 851–854, lead 892–899, note 915–916
    ("1.1.4.1", "Tỷ lệ CBCC hiểu khái niệm cơ bản về chuyển đổi số, Chính quyền số, công nghệ số, dịch vụ số và sự "
                "cần thiết phải chuyển đổi số, phát triển Chính quyền số", None, TTTT, SURVEY),
    # lines 966–972, lead 1017
    ("1.2.2.1", "Ban hành hoặc sửa đổi, bổ sung các văn bản pháp luật, cơ chế chính sách thuộc thẩm quyền của Thành "
                "phố nhằm tạo môi trường pháp lý thuận lợi cho chuyển đổi số, thúc đẩy chính phủ số, kinh tế số, xã "
                "hội số, sẵn sàng thử nghiệm và áp dụng cái mới", "Quý", "Sở Tư pháp", None),
    # lines 1101–1103, lead 1160, frequency 1141
    ("1.2.4.1", "Tỷ lệ chi ngân sách địa phương cho CNTT", "Quý", "Sở Tài chính", None),
    # lines 1785–1788, lead 1831 (between two Văn phòng rows 1828, 1834)
    ("1.5.8.2", "Hệ thống một cửa điện tử đã kết nối, tích hợp, chia sẻ dữ liệu với hệ thống quản lý văn bản để xử "
                "lý hồ sơ trên môi trường mạng", "Quý", TTTT, None),
    # lines 1869–1872: no "Quý" on the 5.13 row; lead 1920–1927, note 1950
    ("1.5.13.1", "Tỷ lệ người dân, doanh nghiệp hài lòng khi sử dụng DVCTT", None, TTTT, SURVEY),
    # lines 2131–2133, lead 2166
    ("1.7.3.1", "Tỷ lệ lãnh đạo các cấp chính quyền của tỉnh được đào tạo về ATTT cho cán bộ quản lý", "Quý",
     "Sở Nội vụ", None),
    # lines 2815–2817 (row layout): "1.1 Tuyên truyền, phổ biến về kinh tế số 6 tháng"
    ("2.1.1.1", "Chuyên mục về chuyển đổi số trên Đài truyền hình Thành phố", "6 tháng", TTTT, None),
    # lines 2892–2897, lead 2950
    ("2.2.1.2", "Có Chương trình, Đề án cơ chế, chính sách hỗ trợ doanh nghiệp khởi nghiệp sáng tạo công nghệ số, "
                "phát triển 4 loại hình doanh nghiệp công nghệ số, phát triển mô hình kinh doanh theo hình thức kinh "
                "tế chia sẻ tại địa phương", "6 tháng", "Sở Khoa học và Công nghệ", None),
    # lines 2905–2906, lead 2957
    ("2.2.1.4", "Có Chương trình, Đề án phát triển thương mại điện tử", "6 tháng", "Sở Công Thương", None),
    # lines 2927–2929, lead 2968, frequency 2935
    ("2.2.3.1", "Tỷ lệ chi ngân sách địa phương cho phát triển kinh tế số (như xây dựng khu CNTT tập trung, hỗ trợ "
                "phát triển hạ tầng, phát triển các lĩnh vực kinh tế số, ...)", "Quý", "Sở Kế hoạch và Đầu tư", None),
    # lines 3227–3229, "6 tháng" beside the lead 3268–3269; the survey row 3.6.2 has no cell
    ("2.3.6.1", "Có hệ thống thông tin của Thành phố trực tiếp hỗ trợ phát triển kinh tế số, chuyển đổi số cho "
                "doanh nghiệp", "6 tháng", TTTT, None),
    # lines 3780, 3831–3832
    ("2.5.5.1", "Tỷ trọng kinh tế số trong GRDP", "Quý", "Cục Thống kê Thành phố", None),
    # lines 3791–3792, lead 3840
    ("2.5.6.2", "Tỷ lệ giá trị xuất khẩu về sản phẩm, dịch vụ ICT", "Quý", "Cục Hải quan Thành phố Hồ Chí Minh", None),
    # lines 3914–3916, lead 3953–3955
    ("2.5.11.1", "Tỷ lệ số giao dịch tài chính của doanh nghiệp qua các kênh trực tuyến (e-banking, mobile-banking)",
     "Quý", "Ngân hàng Nhà nước Việt Nam – Chi nhánh Thành phố Hồ Chí Minh", None),
    # lines 4005–4007, lead 4051–4052
    ("2.5.13.1", "Tỷ lệ tiền sử dụng điện được thanh toán theo hình thức không dùng tiền mặt trong năm", "Quý",
     "Tổng Công ty Điện lực Thành phố Hồ Chí Minh", None),
    # lines 4018–4019 ("hằng Quý" is part of the name), lead 4059
    ("2.5.14.2", "Chỉ số sản xuất công nghiệp hằng Quý của địa phương", "Quý", "Cục Thống kê Thành phố", None),
    # lines 4305–4306, lead 4364
    ("2.7.3.1", "Tỷ lệ trường đại học, cao đẳng có chuyên ngành CNTT-TT (ICT)", None, "Sở Giáo dục và Đào tạo", None),
    # lines 5147–5149, "6 tháng" 5185, lead 5187
    ("3.2.3.1", "Tỷ lệ chi ngân sách địa phương cho phát triển xã hội số, thúc đẩy chuyển đổi số cho người dân",
     "6 tháng", "Sở Tài chính", None),
    # lines 5250–5252 (row layout, "6 tháng" on the component row 5237)
    ("3.3.1.7", "Tỷ lệ min/max chi trả gói cước truy nhập băng rộng cố định hằng Quý/thu nhập bình quân đầu người "
                "theo Quý", "6 tháng", TTTT, None),
    # lines 5620–5621: "6 tháng" on this row only, the three survey rows above have none
    ("3.5.2.4", "Điểm giải đáp thắc mắc và hỗ trợ người dân về chuyển đổi số và công nghệ số", "6 tháng", TTTT, None),
    # lines 5670–5673, lead and "6 tháng" 5716–5718
    ("3.5.3.3", "Tỷ lệ ngân hàng trên địa bàn đã cung cấp các dịch vụ tài chính - ngân hàng điện tử đến các đối "
                "tượng là người dân ở vùng sâu, vùng xa", "6 tháng",
     "Ngân hàng Nhà nước Việt Nam – Chi nhánh Thành phố Hồ Chí Minh", None),
    # lines 5681–5682, "6 tháng Sở Y tế" 5730
    ("3.5.4.2", "Tỷ lệ cơ sở y tế từ cấp xã trở lên có kết nối hỗ trợ tư vấn khám chữa bệnh từ xa", "6 tháng",
     "Sở Y tế", None),
    # lines 5686–5689, lead 5733–5735
    ("3.5.5.1", "Tỷ lệ nông dân được tập huấn, đào tạo ứng dụng công nghệ số trong sản xuất nông nghiệp và cách "
                "thức quảng bá, bán sản phẩm trên mạng", "6 tháng", "Sở Nông nghiệp và Phát triển nông thôn", None),
    # lines 5769–5771, lead 5813, note 5854; four "6 tháng" 5802–5808 for 6.2–6.5
    ("3.6.1", "Tỷ lệ người dùng Internet bị lạm dụng thông tin cá nhân hoặc vi phạm quyền riêng tư", None, TTTT, SURVEY),
    ("3.6.2", "Tỷ lệ máy tính bị nhiễm mã độc", "6 tháng", TTTT, None),
    # lines 5895–5897, lead 5946
    ("3.7.2.2", "Tỷ lệ người dân được tập huấn, phổ biến về các dịch vụ công trực tuyến, dịch vụ số trên mạng",
     "6 tháng", VP, None),
    # lines 5996–5998, lead 6045, note 6072
    ("3.7.3.3", "Tỷ lệ người dân đọc sách (sách in và sách điện tử nhưng không bao gồm sách giáo khoa)", None, TTTT,
     SURVEY),
])
def test_criteria_checked_against_the_scan(plan, cid, name, frequency, lead, note):
    c = criterion(plan, cid)
    assert c.name == name
    assert c.frequency == frequency
    assert c.lead == (lead,)
    assert c.note == note
    assert c.coordinating == (WITH_MINISTRY if note else ())


def test_components_checked_against_the_scan(plan):
    comps = {comp.id: comp for i in plan.indices for comp in i.components}
    # line 1378: the payment-platform component after 3.9 (its number is not legible)
    assert comps["1.3.10"].name == "Nền tảng thanh toán trực tuyến, di động"
    assert [c.id for c in comps["1.5.16"].criteria] == ["1.5.16.1", "1.5.16.2", "1.5.16.3", "1.5.16.4"]  # 1952–1959
    assert comps["2.5.7"].name == "Doanh thu trong lĩnh vực viễn thông, Internet"  # 3798–3799
    assert comps["3.5.5"].name == "Ứng dụng công nghệ số trong lĩnh vực nông nghiệp"  # 5683 (scan: "công nghiệp")
    assert len(comps["3.7.2"].criteria) == 8  # 5862–5878: 7.2.1–7.2.8


def test_assessment_rows_checked_against_the_scan(plan):
    # lines 2433–2445, 2497–2504
    assert criterion(plan, "1.8.8").name.startswith(
        "Đánh giá trên không gian mạng về các vấn đề khác về chuyển đổi số, Chính quyền số của Thành phố: niềm tin")
    # lines 4597–4606
    assert criterion(plan, "2.9.1").name.startswith(
        "Đánh giá nhận thức về phát triển kinh tế số của Thành phố: tuyên truyền, phổ biến về kinh tế số;")
    # line 6260 reads "Kiểm soát trực tuyến"; 6591 (row 9.6) reads "kinh doanh trực tuyến"
    assert criterion(plan, "3.8.6").name.endswith("các dịch vụ thương mại điện tử, kinh doanh trực tuyến,...")


OCR_NOISE = re.compile(
    r"S&|S¢|Truyén|Thong tin|thong tin|Thanh ph[oéd6]|Gy ban|chtrc|chirc|\bcla\b|\bctia\b|\bclia\b|dién|"
    r"\bs[06od]\b|Piéu|banh gia|Panh gia|Pon vi|Bon vi|Pao tao|\bQuy\b(?! (hoạch|định|chế|chuẩn))|Ouv|QWY|"
    r"NSKN|TMBPT|TMBT|UNBD|\bdn\b")


def test_no_ocr_artefacts(plan):
    texts = [plan.title] + [p.name for p in plan.pillars] + [i.name for i in plan.indices]
    texts += [comp.name for i in plan.indices for comp in i.components]
    for c in plan.assigned:
        texts += [c.name, *c.lead, *c.coordinating] + ([c.note] if c.note else [])
    for t in texts:
        assert t == unicodedata.normalize("NFC", t), t
        assert t == t.strip() and "  " not in t and "\n" not in t, t
        assert not re.search(r"[^\w\s\"%&(),\-./:;–]", t), t      # only letters, digits and ordinary punctuation
        assert not OCR_NOISE.search(t), t
        assert not re.search(r"[A-Za-zÀ-ỹ]\d|\d[a-zà-ỹ]", t.replace("IPv6", "").replace("3G", "").replace("4G", "")
                             .replace("5G", "").replace("B2C", "").replace("27001", "")), t
    # words written without any diacritic are abbreviations, loanwords or real diacritic-free Vietnamese
    plain = {w for t in texts for w in re.findall(r"[^\W\d_]+", t)
             if unicodedata.normalize("NFD", w).encode("ascii", "ignore").decode() == w}
    assert plain <= ALLOWED_PLAIN_WORDS, sorted(plain - ALLOWED_PLAIN_WORDS)


ALLOWED_PLAIN_WORDS = set("""
AI ATTT An B BCCI Ban C CBCC CNTT CP CQNN CSDL Cam Chi Cloud Computing Cung D DVCTT Danh Doanh ERP G GRDP Giao
HSTT I ICT II IOC IOT IPv ISO Internet Khen Khoa Kinh LAN LGSP Make Minh NGSP NSNN Nam PayGov Quy R SOC STEAM STEAME
STEM TP TSLCD TT TTHC TTg Tham Thi Trang Trung UBND VT Viet Vpost WAN Website Y an ban banking bao big blockchain
botnet cao chi chia cho chung clip code combo cung danh data di do doanh du dung e em gia giai gian giao in internet
khai khen khi khoa khu kinh lao logistics max min minh mobile mua ninh phong qua quan quang quy ra sang sinh sms sung
tay tham thanh thao theo thi thu tin tinh tra trang trao tri trong trung truy ty vay vi video vinh vn website xa xe y
""".split())


def test_notes_cover_the_reading_decisions(plan):
    ids = {n.id for n in plan.notes}
    assert {"cau-truc", "ma-so", "muc-8-9", "muc-8-8-9-8", "muc-8-5-9-5", "tan-suat", "tan-suat-trong",
            "tan-suat-suy-ra", "don-vi-chu-tri", "phoi-hop-bo", "ghi-chu", "so-ke-hoach", "sua-loi"} <= ids
