import os
import tempfile

# The validated forms are cached in a folder of the test session, never the user's.
os.environ["DTI_REPORT_CACHE"] = tempfile.mkdtemp(prefix="dti-report-cache-")

import pandas as pd
import pytest

from dti_report.kinds import get_form
from dti_report.evaluation.scoring import score_rows


def long_rows(rows, file="du-lieu.csv", with_reason=False):
    """Rows as read_long_file returns them: (unit, field, value[, reason]) tuples, file row numbers from 2."""
    columns = ["unit_code", "field", "value"] + (["reason"] if with_reason else [])
    frame = pd.DataFrame([tuple(str(v) for v in r) for r in rows], columns=columns)
    frame["file"] = file
    frame["sheet"] = ""
    frame["cell"] = [f"dòng {n}" for n in range(2, 2 + len(frame))]
    return frame


def run_score(set_id, rows, overrides=None):
    indicator_set = get_form(set_id)
    return score_rows(indicator_set, long_rows(rows),
                      long_rows(overrides, "dieu-chinh.csv", with_reason=True) if overrides is not None else None)


def points(result, unit, criterion, column="verified_score"):
    table = result.scores
    hit = table[(table.unit_code == unit) & (table.criterion == criterion)]
    assert len(hit) == 1, (unit, criterion)
    return hit.iloc[0][column]


def row_of(result, unit, criterion):
    table = result.scores
    return table[(table.unit_code == unit) & (table.criterion == criterion)].iloc[0]


def codes(result):
    return sorted(i.code for i in result.issues)


@pytest.fixture
def so():
    return get_form("hcm-dti-so")


@pytest.fixture
def huyen():
    return get_form("hcm-dti-huyen")


# Reports for Q2 2021, each judged by hand against the plan's deadline (Phụ lục 1, KH 68) and
# the end of the quarter (30/6/2021):
KH68_Q2_REPORTS = {
    "so-tttt": {
        "3.trang-thai": "Hoàn thành", "3.ngay-hoan-thanh": "15/4/2021",        # hạn tháng 4/2021 → đúng hạn
        "3.van-ban": "Kế hoạch số 1/KH-STTTT ngày 15/4/2021",
        "7.trang-thai": "Hoàn thành", "7.ngay-hoan-thanh": "28/6/2021",        # hạn tháng 6/2021 → đúng hạn
        "8.trang-thai": "Hoàn thành", "8.ngay-hoan-thanh": "05/7/2021",        # hạn tháng 6/2021 → trễ hạn
        "11.trang-thai": "Đang thực hiện",                                     # hạn tháng 02/2021 → quá hạn
        "2.trang-thai": "Đang thực hiện",                                      # hạn năm 2021 → đang thực hiện
        "6.trang-thai": "Chưa thực hiện",                                      # theo tiến độ đề án → không quá hạn
        "6.kho-khan": "Đề nghị bổ sung kinh phí năm 2021",
    },
    "so-noi-vu": {"1.trang-thai": "Chưa thực hiện"},                           # hạn năm 2021 → đang thực hiện
}
