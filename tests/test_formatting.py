import datetime as dt

from dti_report.core import formatting as f


def test_numbers_in_vietnamese():
    assert f.number(1234.5) == "1.234,5"
    assert f.number(1234567) == "1.234.567"
    assert f.points(7.5) == "7,50"
    assert f.percent(0.853) == "85,3%"
    assert f.number(float("nan")) == "" and f.points(None, blank="–") == "–"


def test_date_line_leading_zeros_per_decree_30():
    assert f.date_words(dt.date(2027, 3, 5)) == "ngày 05 tháng 3 năm 2027"
    assert f.date_words(dt.date(2027, 2, 15)) == "ngày 15 tháng 02 năm 2027"
    assert f.date_words(dt.date(2027, 12, 31)) == "ngày 31 tháng 12 năm 2027"
    assert f.date_line("Thành phố Hồ Chí Minh", dt.date(2024, 1, 9)) == "Thành phố Hồ Chí Minh, ngày 09 tháng 01 năm 2024"
