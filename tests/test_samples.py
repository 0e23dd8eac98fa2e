"""The bundled samples: 24 departments and the 22 districts of the 2023 city, in long format."""

from pathlib import Path

from dti_report.kinds import get_form
from dti_report.evaluation.scoring import score_long_files
from dti_report.forms.units import builtin_registry

SAMPLES = Path(__file__).resolve().parents[1] / "input_samples"


def test_departments_are_all_ranked_and_overrides_apply():
    result = score_long_files(get_form("hcm-dti-so"), SAMPLES / "hcm-dti-so-2023.csv", SAMPLES / "hcm-dti-so-2023-dieu-chinh.csv")
    registry_codes = {u.code for u in builtin_registry().units_for_set("hcm-dti-so")}
    assert set(result.totals.unit_code) == registry_codes and len(registry_codes) >= 20
    assert sorted(result.totals["rank"])[0] == 1 and result.totals["total"].is_monotonic_decreasing
    # The five deliberate input errors of the sample are each reported.
    errors = {(i.unit, i.code) for i in result.issues if i.severity == "error"}
    assert {("so-gtvt", "not-a-number"), ("so-xay-dung", "negative-number"), ("so-y-te", "percent-out-of-range"),
            ("so-tnmt", "numerator-exceeds-denominator"), ("so-ngoai-vu", "zero-denominator")} <= errors
    # so-khcn declared 35 posts (≥ 20: 10 points); Sở TTTT verified 18 (10–19: 1/2 × 10).
    khcn = result.scores[(result.scores.unit_code == "so-khcn") & (result.scores.criterion == "1.4")].iloc[0]
    assert (khcn.self_score, khcn.verified_score) == (10.0, 5.0)
    # so-gtvt wrote "mười hai" meetings: invalid in self-assessment, corrected to 12 in the verified result.
    gtvt = result.scores[(result.scores.unit_code == "so-gtvt") & (result.scores.criterion == "1.2")].iloc[0]
    assert gtvt.self_status == "invalid" and gtvt.status == "scored"


def test_districts_are_all_ranked():
    result = score_long_files(get_form("hcm-dti-huyen"), SAMPLES / "hcm-dti-huyen-2023.csv")
    assert len(result.totals) == 22
    assert set(result.totals.unit_code) == {u.code for u in builtin_registry().units_for_set("hcm-dti-huyen")}
    assert (result.totals["total"] <= 660).all()
