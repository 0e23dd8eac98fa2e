"""Reading a rendered page: what counts as a page holding only the signature block."""

from dti_report.renderers.pages import raw_codes, signature_only

SIGNATURE = ("Nơi nhận: - Ủy ban nhân dân Thành phố (để báo cáo); - Các Sở, ban, ngành Thành phố; - Lưu: VT, CĐS. "
             "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC (Họ và tên)")


def test_a_page_of_the_signature_alone():
    page = ("4\nNơi nhận:\n- Ủy ban nhân dân Thành phố (để\nbáo cáo);\n- Các Sở, ban, ngành Thành phố;\n- Lưu: VT, CĐS.\n"
            "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n(Họ và tên)\n")
    assert signature_only(page, SIGNATURE)
    # the closing formula carried over with it is no content either
    assert signature_only("Trên đây là báo cáo kết quả quý II năm 2021\ncủa Sở Thông tin và Truyền thông./.\n" + page,
                          SIGNATURE)


def test_a_page_with_content_before_the_signature():
    page = "Một kiến nghị của đơn vị.\nTrên đây là báo cáo./.\nNơi nhận:\n- Lưu: VT, CĐS.\nKT. GIÁM ĐỐC\n"
    assert not signature_only(page, SIGNATURE)
    assert not signature_only("2\nBảng 1. Điểm từng tiêu chí\n", SIGNATURE)
    assert not signature_only("Nơi nhận:\n- Lưu: VT.", "")   # a document without a signature block


def test_raw_codes_anywhere_but_inside_a_word():
    text = "Cấp xã: không có đơn vị báo cáo; xa-phuong: 35%; tệp bao-cao-hcm-dti-so-2023.docx; trường 1.1.gia-tri"
    assert raw_codes(text, ["xa-phuong", "hcm-dti-so", "so-nganh", ".gia-tri", "dti-so"]) == \
        ["xa-phuong", "hcm-dti-so", ".gia-tri", "dti-so"]
    assert raw_codes("cơ sở ngành", ["so-nganh"]) == [] and raw_codes("khso-nganh", ["so-nganh"]) == []
