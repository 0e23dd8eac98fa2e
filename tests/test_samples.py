"""The bundled samples: 24 departments and the 22 districts of the 2023 city, in long format."""

import datetime as dt
import re
import zipfile
from pathlib import Path

from dti_report.kinds import get_form
from dti_report.evaluation.scoring import score_long_files
from dti_report.forms.units import builtin_registry
from dti_report.core.numbers import parse_number_text
from dti_report.kinds import catalog as forms_catalog
from dti_report.workbook.reader import read_submission

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


# --- what a director would question ------------------------------------------------------------

INBOXES = {  # the sample inbox of each run and the days its files may be saved on (its reporting period's end)
    "bieu-mau-2023": (dt.date(2023, 12, 1), dt.date(2023, 12, 31)),
    "kh68-2021-Q2": (dt.date(2021, 6, 1), dt.date(2021, 6, 30)),
    "ninhthuan-2022-Q4": (dt.date(2022, 12, 1), dt.date(2022, 12, 25)),   # KH 4233: before the 25th
    "ninhthuan-dti-huyen-2022": (dt.date(2022, 12, 1), dt.date(2022, 12, 31)),
}
# "Kế hoạch số 123/KH-SNV ngày 15/06/2021", "Công văn số 45/UBND-VP ngày 02/12/2022"
DOCUMENT = re.compile(r"^(Kế hoạch|Báo cáo|Quyết định|Công văn) số \d+/((KH|BC|QĐ)-[A-ZĐ]+|[A-ZĐ]+-VP) ngày "
                      r"\d{2}/\d{2}/\d{4}$")


def saved_on(path: Path) -> dt.date:
    with zipfile.ZipFile(path) as z:
        core = z.read("docProps/core.xml").decode()
    return dt.date.fromisoformat(re.search(r"<dcterms:modified[^>]*>(\d{4}-\d{2}-\d{2})", core).group(1))


def sample_values(inbox: str, pattern: str) -> dict[str, dict[str, object]]:
    """Unit -> field -> value of the inbox's workbooks whose name matches, as the reader reads them."""
    root = SAMPLES / inbox
    out = {}
    for path in sorted(root.rglob(pattern)):
        sub = read_submission(path, root, REGISTRIES.get(inbox, builtin_registry()), catalog=forms_catalog())
        if sub.status == "accepted" and "ban-nhap" not in path.parts:
            out[sub.unit_code] = {r[1]: r[2] for r in sub.records}
    return out


REGISTRIES = {"ninhthuan-2022-Q4": builtin_registry("ninhthuan-2022"),
              "ninhthuan-dti-huyen-2022": builtin_registry("ninhthuan-2022")}


def test_every_sample_workbook_is_saved_at_the_end_of_its_period():
    for inbox, (first, last) in INBOXES.items():
        days = {p.name: saved_on(p) for p in (SAMPLES / inbox).rglob("*.xlsx")}
        assert days and all(first <= d <= last for d in days.values()), inbox


def test_document_numbers_are_written_as_clerks_write_them():
    refs = []
    for inbox in ("kh68-2021-Q2", "ninhthuan-2022-Q4"):
        for values in sample_values(inbox, "*.xlsx").values():
            refs += [v for f, v in values.items() if f.endswith((".van-ban", ".minh-chung")) and v]
    for values in sample_values("bieu-mau-2023", "*hcm-chi-tieu-2023*.xlsx").values():
        refs += [v for f, v in values.items() if f.endswith(".vb") and v]
    assert len(refs) > 50 and all(DOCUMENT.match(r) for r in refs), [r for r in refs if not DOCUMENT.match(r)][:3]
    assert not any("SO-" in r for r in refs)   # never a unit code ("so-noi-vu") turned into a symbol


def percent(text) -> float:
    value, _sign = parse_number_text(str(text))
    return value / 100


def test_figures_are_of_a_plausible_size():
    form = get_form("hcm-chi-tieu-2023")
    figures = sample_values("bieu-mau-2023", "*hcm-chi-tieu-2023*.xlsx")
    shares = [percent(v) for unit in figures.values() for f, v in unit.items()
              if f in form.fields and form.fields[f].type == "percent" and v != ""]
    assert len(shares) > 10 and all(0 < v < 1 for v in shares)
    # e-commerce is under a tenth of the city's retail sales (about 8% in 2023), not 86%
    assert percent(figures["so-cong-thuong"]["26"]) < 0.12
    # the digital economy is about a fifth of GRDP
    assert 0.15 < percent(figures["cuc-thong-ke"]["25"]) < 0.25
    # the city's adult population is in millions, not hundreds; a department manages a few portals
    assert figures["so-tttt"]["33.b"] > 5_000_000
    assert all(unit["9.b"] < 50 for unit in figures.values() if unit.get("9.b") not in (None, ""))
