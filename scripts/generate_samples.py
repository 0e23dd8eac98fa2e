"""Generate the 2023 DTI sample inputs in input_samples/ (long format: unit_code, field, value).

Synthetic but realistic self-assessments for every unit of the built-in registry:
hcm-dti-so-2023.csv (24 Sở, ban, ngành), hcm-dti-huyen-2023.csv (22 quận, huyện, TP Thủ Đức)
and hcm-dti-so-2023-dieu-chinh.csv (Sở TTTT's corrections, with reasons). The data carry
~5% blanks, two "không áp dụng" units, a Min-Max tie and five deliberate input errors in
the Sở file. Fixed seed: re-running writes byte-identical files.

The same values also go into the units' workbooks under bieu-mau-2023/, as a month's
inbox looks: one workbook per unit, except one unit that has not sent yet; a draft the
Sở TTTT sent before its final one (superseded); and an evidence PDF (ignored).

Plans: kh68-2021-Q2/ holds KH 68's agencies' Q2 2021 workbooks (Phụ lục 1 tasks; Phụ lục 2
criteria from three agencies); ninhthuan-2022-Q4/ a few Ninh Thuận agencies' KH 4233 workbooks for
Q4 2022, the Sở TTTT's with the period's DTI figures beside the 2021 baseline.

The 2021 district index (dti-huyen-2021): ninhthuan-dti-huyen-2022/ holds the 2022
self-assessments of six of Ninh Thuận's seven districts and the provincial city (one has
not sent): points per item within its maximum, a few items left blank.

Figures a director would not question: shares near what the city and province report,
counts of the size a department or a district has, document numbers as clerks write them
("Kế hoạch số 123/KH-SNV ngày 15/06/2021"), and every workbook saved (docProps) on a working
day at the end of its reporting period, its completion dates before that day.

    .venv/bin/python scripts/generate_samples.py
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
import zipfile
from pathlib import Path

from dti_report.kinds import get_form
from dti_report.workbook.layout import template_file_name
from dti_report.workbook.templates import write_template
from dti_report.forms.units import builtin_registry

SEED = 2023
OUT_DIR = Path(__file__).resolve().parents[1] / "input_samples"
# Blanks (~5% of fields): mostly a whole criterion left unanswered, sometimes one field of it.
CRITERION_BLANK, FIELD_BLANK = 0.04, 0.012
YES, NO, NA = ["Có", "có", "x", "1", "Có"], ["Không", "không", "0"], ["N/A", "Không áp dụng", "không áp dụng"]
# Chance that a unit uses each shared platform (6.5–6.12), before its maturity is applied.
PLATFORM_USE = {"6.5": 0.8, "6.6": 0.6, "6.7": 0.9, "6.8": 0.95, "6.9": 0.5, "6.10": 0.85, "6.11": 0.35, "6.12": 0.3}
# Approximate population (thousands, 2019 census) and number of wards/communes, for plausible scale.
DISTRICTS = {
    "tp-thu-duc": (1013, 34), "q1": (142, 10), "q3": (190, 12), "q4": (175, 13), "q5": (159, 14),
    "q6": (233, 14), "q7": (360, 10), "q8": (424, 16), "q10": (234, 14), "q11": (209, 16),
    "q12": (620, 11), "q-binh-tan": (784, 10), "q-binh-thanh": (499, 20), "q-go-vap": (676, 16),
    "q-phu-nhuan": (163, 13), "q-tan-binh": (474, 15), "q-tan-phu": (485, 11), "h-binh-chanh": (705, 16),
    "h-can-gio": (71, 7), "h-cu-chi": (462, 21), "h-hoc-mon": (542, 12), "h-nha-be": (206, 7),
}
CITY_INDICATORS = 30  # 6.16.b: the same list of indicators for every district (illustrative count)

# How an agency numbers its documents ("Kế hoạch số 45/KH-SNV"): the initials of its name, a district's
# or city's People's Committee "UBND", a few as they are known.
SYMBOLS = {"vp-ubnd": "VP", "evnhcmc": "EVNHCMC", "hfic": "HFIC", "hiep-hoi-dn": "HHDN", "vien-ncpt": "VNCPT",
           "ttphcc": "TTPVHCC", "so-nnptnt": "SNN", "cong-an": "CATP", "cuc-thong-ke": "CTK", "nhnn": "NHNN",
           "hoi-tin-hoc": "HTH", "shtp": "BQLKCNC", "hepza": "HEPZA", "bql-attp": "BQLATTP"}
DOCUMENT_KINDS = {"KH": "Kế hoạch", "BC": "Báo cáo", "QĐ": "Quyết định"}


def symbol(unit) -> str:
    if unit.code in SYMBOLS:
        return SYMBOLS[unit.code]
    if unit.name.startswith(("Quận", "Huyện", "Thành phố", "Thị xã")):
        return "UBND"
    words = [w for w in re.split(r"[\s\-–]+", unit.name) if w and w not in ("và", "của")]
    return "".join(w[0].upper() for w in words)


def document(rng, unit, day: dt.date, kinds=("KH", "BC", "QĐ", "CV")) -> str:
    """A document reference as a clerk writes it: "Kế hoạch số 123/KH-SNV ngày 15/06/2021"."""
    kind, number = rng.choice(kinds), rng.randint(12, 980)
    if kind == "CV":
        return f"Công văn số {number}/{symbol(unit)}-VP ngày {day:%d/%m/%Y}"
    return f"{DOCUMENT_KINDS[kind]} số {number}/{kind}-{symbol(unit)} ngày {day:%d/%m/%Y}"


def save_time(name: str, first: dt.date, last: dt.date) -> dt.datetime:
    """When a unit saved its file: a working hour of a day in [first, last], the same for the same
    file name on every run (UTC: 8:00–16:59 in Việt Nam)."""
    rng = random.Random(f"{SEED}:luu:{name}")
    day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
    return dt.datetime.combine(day, dt.time(rng.randint(1, 9), rng.randint(0, 59)))


def stamp(path: Path, when: dt.datetime) -> None:
    """The save time a spreadsheet program writes into docProps/core.xml (the newest copy of a unit's
    files wins by it), instead of the writer's fixed stamp."""
    with zipfile.ZipFile(path) as z:
        parts = [(info, z.read(info.filename)) for info in z.infolist()]
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]+", lambda m: m.group(1) + iso, data)
            z.writestr(info, data)


def share(rng, total, level, spread=0.12):
    """A count out of `total` near the fraction `level`: a numerator never above its denominator."""
    return round(total * min(1.0, max(0.0, rng.gauss(level, spread))))


def pair(v, rng, cid, total, level, spread=0.12):
    v[cid + ".a"], v[cid + ".b"] = share(rng, total, level, spread), total


def yes(rng, p):
    return int(rng.random() < p)


def option(rng, m):
    return rng.choices([1, 2, 3], weights=[m, 1 - m, 0.15])[0]


def common(rng, m, staff, computers, approved):
    """Criteria with the same ids and meaning in both sets: 1.1–1.4, 3.x, 5.x, 6.1, 6.4–6.14."""
    v = {"1.1": option(rng, m)}
    pair(v, rng, "1.2", rng.randint(2, 12), m)
    pair(v, rng, "1.3", rng.randint(2, 15), m + 0.1)
    v["1.4.a"] = yes(rng, 0.5 + 0.5 * m)
    v["1.4.b"] = round(rng.triangular(0, 60, 45 * m)) if v["1.4.a"] else 0
    pair(v, rng, "3.1", staff, 0.8 + 0.2 * m, 0.08)
    pair(v, rng, "3.2", computers, 0.8 + 0.2 * m, 0.08)
    pair(v, rng, "3.3", rng.randint(2, 25), m, 0.2)
    platforms = max(2, share(rng, 7, m))  # 3.4.b: the city's list has 7 platforms, a minimum
    if m > 0.8 and rng.random() < 0.5:
        platforms = 7 + rng.randint(1, 2)  # a mature unit runs more shared platforms than the list asks
    v |= {"3.4.a": platforms, "3.4.b": 7, "3.4.c": share(rng, platforms, m), "3.4.d": platforms}
    systems = rng.randint(3, 40)
    approved = approved or max(1, share(rng, systems, m))
    systems = max(systems, approved)
    v["5.1.a"] = approved
    pair(v, rng, "5.2", approved, m)
    pair(v, rng, "5.3", systems, m)
    pair(v, rng, "5.4", systems, m)
    v["6.1.a"], v["6.1.b"] = yes(rng, 0.6 + 0.4 * m), yes(rng, m)
    raters = rng.randint(150, 9000)
    v["6.4.a"], v["6.4.b"] = raters, share(rng, raters, 0.8 + 0.15 * m, 0.06)
    for cid, p in PLATFORM_USE.items():
        v[cid] = yes(rng, p * (0.5 + m))
    previous = rng.uniform(35, 90)
    v["6.13.a"], v["6.13.b"] = round(min(99.5, previous * (1 + rng.gauss(0.12 * m, 0.06))), 1), round(previous, 1)
    pair(v, rng, "6.14", rng.randint(800, 25000), 0.6 + 0.35 * m, 0.1)
    return v


def so_values(rng, m, unit, approved=None):
    cc, vc = rng.randint(40, 260), rng.choice([0, rng.randint(10, 340)])  # công chức, viên chức
    computers = round((cc + vc) * rng.uniform(0.9, 1.3))
    v = common(rng, m, cc + vc, computers, approved)
    v["2.1"], v["2.2"] = yes(rng, 0.4 + 0.6 * m), yes(rng, 0.6 + 0.4 * m)
    pair(v, rng, "2.3", cc + vc, 0.6 * m, 0.1)
    v |= {"4.1.a": rng.randint(0, 3), "4.1.b": rng.randint(1, 8), "4.1.c": rng.randint(0, 3) if vc else 0,
          "4.1.d": rng.randint(0, 6) if vc else 0, "4.1.e": cc, "4.1.f": vc}
    v["4.2"] = yes(rng, 0.5 + 0.5 * m)
    pair(v, rng, "4.3", cc + vc, m)
    pair(v, rng, "6.2", rng.randint(1, 12), m)
    partial, full = rng.randint(5, 120), rng.randint(2, 60)  # online services with any case files
    v |= {"6.3.a": partial, "6.3.b": full, "6.3.c": share(rng, partial, m), "6.3.d": share(rng, full, m)}
    v |= {"tt.1.1": unit.name, "tt.1.4": rng.randint(1, 25), "tt.1.5": cc, "tt.1.6": vc, "tt.1.7": rng.randint(2, 30),
          "tt.1.8": computers, "tt.1.9": v["5.3.b"], "tt.1.10": rng.randint(20, 250)}
    return v


def huyen_values(rng, m, unit, approved=None):
    pop_k, wards = DISTRICTS[unit.code]
    pop = pop_k * 1000 + rng.randint(-999, 999)
    labour, adults = round(pop * rng.uniform(0.62, 0.7)), round(pop * rng.uniform(0.76, 0.8))
    cc, vc = rng.randint(150, 420), rng.randint(900, 5000)
    computers = round(cc * rng.uniform(1.0, 1.4))
    v = common(rng, m, cc, computers, approved)
    v["1.5"] = option(rng, m)
    v["2.1"], v["2.2"], v["2.3"] = yes(rng, 0.3 + 0.6 * m), yes(rng, 0.4 + 0.6 * m), yes(rng, 0.6 + 0.4 * m)
    pair(v, rng, "2.4", cc, 0.6 * m, 0.1)
    v["2.5"], v["2.6"] = yes(rng, 0.3 + 0.6 * m), yes(rng, 0.2 + 0.6 * m)
    hamlets = wards * rng.randint(4, 9)
    pair(v, rng, "4.1", wards, 0.5 + 0.5 * m, 0.15)
    pair(v, rng, "4.2", hamlets, 0.3 + 0.6 * m, 0.15)
    v |= {"4.3.a": rng.randint(1, 4), "4.3.b": rng.randint(wards, 2 * wards), "4.3.c": rng.randint(0, 3),
          "4.3.d": rng.randint(0, 10), "4.3.e": cc, "4.3.f": vc}
    v["4.4"] = yes(rng, 0.5 + 0.5 * m)
    pair(v, rng, "4.5", cc + vc, m)
    pair(v, rng, "4.6", labour, 0.02 + 0.08 * m, 0.02)
    pair(v, rng, "4.7", max(12, round(pop_k / 7)), 0.3 + 0.5 * m)
    partial, full = rng.randint(80, 250), rng.randint(20, 120)
    v |= {"6.2.a": partial, "6.2.b": full, "6.2.c": share(rng, partial, m), "6.2.d": share(rng, full, m)}
    files = round(pop * rng.uniform(0.08, 0.25))
    online = share(rng, files, 0.3 + 0.6 * m)
    online_partial = share(rng, online, 0.5, 0.15)
    v |= {"6.3.a": files, "6.3.b": online_partial, "6.3.c": online - online_partial}
    pair(v, rng, "6.15", rng.randint(300, 6000), 0.85 + 0.15 * m, 0.05)
    pair(v, rng, "6.16", CITY_INDICATORS, m)
    firms = round(pop * rng.uniform(0.02, 0.09))
    smes = round(firms * rng.uniform(0.93, 0.98))
    pair(v, rng, "7.1", smes, 0.15 + 0.45 * m)
    pair(v, rng, "7.2", firms, 0.4 + 0.5 * m)
    pair(v, rng, "7.3", firms, 0.9 + 0.1 * m, 0.03)
    pair(v, rng, "8.1", pop, 0.35 + 0.5 * m)
    pair(v, rng, "8.2", adults, 0.5 + 0.4 * m)
    pair(v, rng, "8.3", adults, 0.05 + 0.4 * m)
    pair(v, rng, "8.4", labour, 0.15 + 0.6 * m)
    pair(v, rng, "8.5", rng.randint(5, 30), m, 0.2)
    v["9.1"] = option(rng, m)
    v |= {"tt.1.1": unit.name, "tt.1.4": pop, "tt.1.5": labour, "tt.1.6": round(pop / rng.uniform(3.2, 3.8)),
          "tt.1.7": wards, "tt.1.8": hamlets, "tt.1.9": rng.randint(12, 30), "tt.1.10": cc, "tt.1.11": vc,
          "tt.1.12": rng.randint(2, 25), "tt.1.13": computers, "tt.1.14": v["5.3.b"], "tt.1.15": firms,
          "tt.1.16": smes, "tt.1.17": rng.randint(10, 80), "tt.1.18": round(rng.uniform(3, 60), 1),
          "tt.1.19": rng.randint(250, 320), "tt.1.20": round(rng.uniform(800, 6000), 1)}
    return v


def fmt(rng, ftype, value) -> str:
    """Write a value the way units do: yes/no words, "85,5%", "1.234", "1.234,5"."""
    if ftype == "yes-no":
        return rng.choice(YES if value else NO)
    if ftype == "percent":
        text = f"{value:.1f}".replace(".", ",").removesuffix(",0")
        return text + "%" if rng.random() < 0.85 else text
    if ftype == "decimal":
        return f"{value:,.1f}".translate(str.maketrans(",.", ".,"))
    if ftype == "integer" and value >= 1000 and rng.random() < 0.5:
        return f"{value:,}".replace(",", ".")
    return str(value)


# What each file shows beyond plain data. `force` pins self-declared values (None: no row) so
# that errors and corrections land on known numbers; `errors` replaces the written text.
SO_PLAN = {
    "tie": ("so-tu-phap", "so-khdt"),  # same 5.1.a (Min-Max input)
    "na": {"ban-dan-toc": ("6.3", "6.4", "6.13")},  # no administrative procedures
    "force": {
        ("so-gtvt", "1.2.b"): 12,
        ("so-xay-dung", "1.3.b"): 6,
        ("so-y-te", "6.13.b"): 75.0,
        ("so-tnmt", "6.14.a"): 2418, ("so-tnmt", "6.14.b"): 2148,  # transposed digits: numerator > denominator
        ("so-ngoai-vu", "6.2.a"): 0, ("so-ngoai-vu", "6.2.b"): 0,  # zero denominator
        ("so-khcn", "1.4.a"): 1, ("so-khcn", "1.4.b"): 35,
        ("so-cong-thuong", "6.12"): 1,
        ("so-qhkt", "1.1"): 1,
        ("ban-dan-toc", "tt.1.10"): 0,
    },
    "errors": {
        ("so-gtvt", "1.2.b"): "mười hai",
        ("so-xay-dung", "1.3.a"): "-4",
        ("so-y-te", "6.13.a"): "112,5%",
    },
    "overrides": {
        ("so-gtvt", "1.2.b"): ("12", "Đơn vị ghi số cuộc họp bằng chữ; theo Văn bản số 215/SGTVT-VP ngày 16/01/2024 "
                                     "của Sở Giao thông vận tải, năm 2023 có 12 cuộc họp về chuyển đổi số"),
        ("so-y-te", "6.13.a"): ("82,5%", "Đơn vị nhập nhầm tỷ lệ 112,5%; Sở TTTT đối chiếu Hệ thống giải quyết thủ tục "
                                         "hành chính Thành phố, tỷ lệ năm 2023 là 82,5%"),
        ("so-khcn", "1.4.b"): ("18", "Theo Văn bản số 123/STTTT-CĐS ngày 15/01/2024, chuyên mục chuyển đổi số "
                                     "trên Cổng thông tin điện tử của đơn vị chỉ có 18 tin, bài trong năm 2023; "
                                     "số liệu đã xác minh lại"),
        ("so-cong-thuong", "6.12"): ("Không", "Kiểm tra ngày 18/01/2024: đơn vị chưa đưa nền tảng trợ lý ảo vào "
                                              "phục vụ người dân, doanh nghiệp (mới thử nghiệm nội bộ)"),
        ("so-qhkt", "1.1"): ("2", "Theo quyết định thành lập Ban chỉ đạo chuyển đổi số của đơn vị, Trưởng ban là "
                                  "Phó Giám đốc Sở; đơn vị kê khai chưa đúng"),
    },
}
HUYEN_PLAN = {
    "tie": ("q5", "q10"),
    "na": {"q1": ("4.2",)},  # urban district: no thôn, xóm
    "force": {("q1", "tt.1.8"): None},
    "errors": {},
    "overrides": {},
}


def build_rows(set_id, make_values, plan):
    iset = get_form(set_id)
    types = {f.id: f.type for f in iset.info_fields} | {fid: f.type for fid, f in iset.fields.items()}
    criterion_of = iset.item_of_field
    order = [f.id for f in iset.info_fields] + list(iset.fields)
    rng = random.Random(f"{SEED}:{set_id}")
    rows, tied = [], None
    for unit in builtin_registry().units_for_set(set_id):
        v = make_values(rng, rng.uniform(0.3, 0.95), unit, tied if unit.code == plan["tie"][1] else None)
        if unit.code == plan["tie"][0]:
            tied = v["5.1.a"]
        missing = set(iset.fields) - set(v)
        assert not missing, f"{set_id}: no generator for {sorted(missing)}"
        pinned = {f for (code, f) in plan["force"] | plan["errors"] if code == unit.code}
        v |= {f: value for (code, f), value in plan["force"].items() if code == unit.code}
        keep = {criterion_of.get(f) for f in pinned} | ({"5.1"} if unit.code in plan["tie"] else set())
        na = plan["na"].get(unit.code, ())
        with_info = rng.random() < 0.6
        unanswered = {c.id for c in iset.criteria if c.id not in keep and rng.random() < CRITERION_BLANK}
        for fid in order:
            criterion = criterion_of.get(fid)
            if v.get(fid) is None or (criterion is None and not with_info):
                continue
            if criterion in na:
                text = rng.choice(NA)
            elif (unit.code, fid) in plan["errors"]:
                text = plan["errors"][(unit.code, fid)]
            elif criterion in unanswered or (criterion and criterion not in keep and rng.random() < FIELD_BLANK):
                if rng.random() < 0.5:
                    continue  # row left out
                text = ""
            else:
                text = fmt(rng, types[fid], v[fid])
            rows.append((unit.code, fid, text))
    position = {u.code: i for i, u in enumerate(builtin_registry().units)}
    overrides = sorted(((u, f, value, reason) for (u, f), (value, reason) in plan["overrides"].items()),
                       key=lambda r: (position[r[0]], order.index(r[1])))
    return rows, overrides


def write_csv(path: Path, header, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"{path.name}: {len(rows)} dòng")


INBOX = OUT_DIR / "bieu-mau-2023"
# The 2023 workbooks are sent in December, before the year's report (QĐ 79: Sở TTTT verifies in January).
SENT_2023 = (dt.date(2023, 12, 8), dt.date(2023, 12, 28))
NOT_SENT = {"shtp"}
DRAFT_UNIT = "so-tttt"  # sent a first draft with only its first criteria filled
FOLDERS = {"hcm-dti-so": "so-nganh", "hcm-dti-huyen": "quan-huyen"}


def write_workbooks(set_id: str, rows) -> None:
    """The inbox: each unit's workbook filled with its sample values."""
    iset = get_form(set_id)
    by_unit: dict[str, dict[str, str]] = {}
    for unit_code, field_id, value in rows:
        by_unit.setdefault(unit_code, {})[field_id] = value
    for unit in builtin_registry().units_for_set(set_id):
        if unit.code in NOT_SENT:
            continue
        name = template_file_name(unit.code, set_id, "2023")
        values = by_unit.get(unit.code, {})
        final = write_template(iset, unit, "2023", INBOX / FOLDERS[set_id] / name, values=values)
        saved = save_time(name, *SENT_2023)
        stamp(final, saved)
        if unit.code == DRAFT_UNIT:
            # A first draft saved a week before the final one: the newest copy wins.
            draft = {k: v for k, v in values.items() if k.split(".")[0] in ("1", "2")}
            stamp(write_template(iset, unit, "2023", INBOX / "ban-nhap" / name, values=draft),
                  saved - dt.timedelta(days=7))
            evidence = INBOX / FOLDERS[set_id] / "minh-chung" / f"{unit.code}-minh-chung.pdf"
            evidence.parent.mkdir(parents=True, exist_ok=True)
            evidence.write_bytes(b"%PDF-1.4\n% Minh chung: Ke hoach chuyen doi so nam 2023\n%%EOF\n")


TARGET_SET = "hcm-chi-tieu-2023"
TARGETS_NOT_SENT = {"q12"}


# The monitoring table's figures near what Thành phố Hồ Chí Minh reports: percentages in a plausible
# band for each (digital economy ~20% of GRDP, e-commerce under 10% of retail, 4G/5G smartphones
# above 80%…), counts of the right order for a department or a district (a district has far more
# case files than portals), the city's adult population in millions.
PERCENT_RANGES = {"14.1": (32, 48), "14.2": (45, 66), "15": (55, 78), "25": (18.5, 21.5), "26": (7.5, 10.5),
                  "29.1": (22, 45), "29.2": (12, 28), "30": (82, 91), "31": (88, 96), "32": (55, 72), "34": (82, 90),
                  "35": (28, 45), "36": (4, 12), "37": (35, 60), "40": (20, 38), "41": (10, 25)}
# (department, district) ranges of a denominator; its numerator is a share of it.
COUNT_RANGES = {"8.b": ((40, 90), (40, 90)), "9.b": ((1, 4), (12, 30)), "12.a": ((20, 180), (0, 0)),
                "12.b": ((30, 260), (0, 0)), "13.b": ((30, 260), (0, 0)), "16.b": ((1500, 60000), (20000, 180000)),
                "17.b": ((1500, 60000), (20000, 180000)), "20.b": ((15, 120), (60, 260)),
                "21.b": ((4000, 30000), (15000, 60000)), "23.b": ((4, 40), (10, 60)), "24.b": ((60, 900), (500, 2500)),
                "33.b": ((7_100_000, 7_300_000), (0, 0)), "38.b": ((3, 30), (4, 20))}
SHARES = {"33.a": (0.12, 0.22), "12.c": (0.45, 0.8), "8.a": (0.5, 0.9)}


def target_values(rng: random.Random, target_set, unit) -> dict[str, str]:
    """One unit's figures for the monitoring table: ratios' parts consistent (a ≤ b), figures of a
    plausible size (PERCENT_RANGES, COUNT_RANGES), most yes/no answers "yes", a few blanks."""
    from dti_report.forms.placeholders import Resolver

    ratios = [pair for pair in Resolver(target_set).ratios.values() if pair[0]]
    by_key = target_set.input_by_key
    denominators = {by_key[d].id for _, d in ratios}
    values: dict[str, float] = {}
    out: dict[str, str] = {}
    district = unit.level != "so-nganh"
    mine = target_set.inputs_for(unit)
    for inp in sorted(mine, key=lambda i: i.id not in denominators):  # denominators first
        if rng.random() < 0.04:
            continue  # no data
        if inp.type == "yes-no":
            out[inp.id] = rng.choice(YES) if rng.random() < 0.85 else rng.choice(NO)
            if inp.document and out[inp.id] in YES:
                out[inp.id + ".vb"] = document(rng, unit, dt.date(2023, rng.randint(2, 11), rng.randint(1, 28)),
                                               kinds=("KH", "QĐ"))
        elif inp.type == "percent":
            low, high = PERCENT_RANGES.get(inp.id, (40, 80))
            out[inp.id] = f"{rng.uniform(low, high):.1f}%".replace(".", ",")
        elif inp.id == "1":
            out[inp.id] = "7"
        elif inp.id in denominators:
            low, high = COUNT_RANGES.get(inp.id, ((40, 400), (40, 400)))[district]
            values[inp.id] = rng.randint(low, high) if high else rng.randint(40, 400)
            out[inp.id] = str(int(values[inp.id]))
        else:
            # its denominator's figure, or where that was left blank one of the same size
            dens = [by_key[d].id for n, d in ratios if by_key[n].id == inp.id]
            low, high = COUNT_RANGES.get(dens[0] if dens else "", ((40, 400), (40, 400)))[district]
            limit = min((values[d] for d in dens if d in values), default=rng.randint(low, high) if high else 400)
            low, high = SHARES.get(inp.id, (0.4, 0.98))
            out[inp.id] = str(round(limit * rng.uniform(low, high)))
    return out


def write_target_workbooks() -> None:
    from dti_report.workbook.target_templates import write_target_template

    target_set = get_form(TARGET_SET)
    rng = random.Random(SEED + 1)
    for unit in builtin_registry().units_for_set(TARGET_SET):
        if not target_set.inputs_for(unit):
            continue
        values = target_values(rng, target_set, unit)  # drawn for every unit, so one absence shifts nothing
        if unit.code in TARGETS_NOT_SENT:
            continue
        name = template_file_name(unit.code, TARGET_SET, "2023")
        stamp(write_target_template(target_set, unit, "2023", INBOX / "chi-tieu" / name, values=values),
              save_time(name, *SENT_2023))


PLAN_INBOX = OUT_DIR / "kh68-2021-Q2"
PLAN_PERIOD = "2021-Q2"
SENT_KH68 = (dt.date(2021, 6, 21), dt.date(2021, 6, 30))  # the quarter's report, sent at its end (IV.1.e)
PLAN_NOT_SENT = {"hoi-tin-hoc"}


def write_plan_workbooks() -> None:
    """KH 68's lead agencies report on their tasks for Q2 2021 (one has not sent)."""
    from dti_report.workbook.plan_templates import write_plan_template
    from dti_report.evaluation.tasks import deadline_end

    plan = get_form("kh68-nhiem-vu")
    registry = builtin_registry()
    deadlines = {t.id: t.deadline for t in plan.tasks}
    rng = random.Random(SEED + 2)
    proposals = ["Đề nghị bố trí kinh phí thực hiện trong năm 2021",
                 "Đề nghị Sở Thông tin và Truyền thông hướng dẫn kết nối với Nền tảng tích hợp, chia sẻ dữ liệu Thành phố",
                 "Chậm do chờ ý kiến góp ý của các sở, ngành"]
    for unit in registry.units:
        items = plan.items_for(unit, registry)
        if not items:
            continue
        name = template_file_name(unit.code, plan.id, PLAN_PERIOD)
        saved = save_time(name, *SENT_KH68)
        values: dict[str, str] = {}
        for item in items:
            roll = rng.random()
            if roll < 0.15:
                continue  # not reported
            due = deadline_end(deadlines[item.id]) or dt.date(2021, 12, 31)
            if roll < 0.6:
                # finished before the file was saved, on time or late
                done = min(due - dt.timedelta(days=rng.randint(-20, 40)), saved.date() - dt.timedelta(days=1))
                values[item.id + ".trang-thai"] = "Hoàn thành"
                values[item.id + ".ngay-hoan-thanh"] = f"{done.day:02d}/{done.month:02d}/{done.year}"
                values[item.id + ".van-ban"] = document(rng, unit, done)
            else:
                values[item.id + ".trang-thai"] = "Đang thực hiện" if roll < 0.9 else "Chưa thực hiện"
                if rng.random() < 0.5:
                    values[item.id + ".kho-khan"] = rng.choice(proposals)
        if unit.code in PLAN_NOT_SENT:
            continue
        stamp(write_plan_template(plan, unit, registry, PLAN_PERIOD, PLAN_INBOX / name, values=values), saved)


# KH 68 Phụ lục 2 (kh68-dti-tinh): three agencies report values for some of their criteria.
ASSIGNMENT_UNITS = {"so-tttt": 0.12, "so-noi-vu": 0.7, "so-gddt": 0.6}  # share of their criteria reported


def share_for(name: str, rng: random.Random) -> float:
    """A percentage a criterion of this kind plausibly reports: shares of trade or of the economy are
    small, of officials or of offices large."""
    lower = name.lower()
    if any(k in lower for k in ("thương mại điện tử", "kinh tế số", "doanh thu", "grdp")):
        return rng.uniform(6, 22)
    if any(k in lower for k in ("doanh nghiệp", "hợp tác xã", "hộ kinh doanh")):
        return rng.uniform(20, 60)
    if any(k in lower for k in ("cbcc", "cán bộ", "công chức", "cqnn", "cơ quan", "máy tính")):
        return rng.uniform(70, 99)
    if any(k in lower for k in ("người dân", "dân số", "hộ gia đình", "học sinh", "sinh viên")):
        return rng.uniform(30, 85)
    return rng.uniform(40, 90)


def assignment_values(rng: random.Random, items, share: float, unit, period: str,
                      saved: dt.datetime) -> dict[str, object]:
    """A value, a status and now and then a document for some of the agency's criteria,
    shaped by what the criterion measures ("Tỷ lệ …" a percentage, "Số …" a count)."""
    values: dict[str, object] = {}
    year, last_month = int(period[:4]), int(period[-1]) * 3  # documents dated within the quarter, before the file
    for item in items:
        if not item.id[0].isdigit() or rng.random() >= share:
            continue
        name = item.name
        if rng.random() < 0.15:
            values[item.id + ".tinh-trang"] = "Đang tổng hợp"
            continue
        if name.startswith("Tỷ lệ"):
            value = f"{share_for(name, rng):.1f}%".replace(".", ",")
        elif name.startswith(("Số ", "Số lượng", "Tổng số")):
            value = str(rng.randint(2, 60))
        else:
            value = rng.choice(["Có", "Đã ban hành", "Đã triển khai"])
        values[item.id + ".gia-tri"] = value
        values[item.id + ".tinh-trang"] = "Đã có số liệu"
        if rng.random() < 0.4:
            day = min(dt.date(year, rng.randint(last_month - 2, last_month), rng.randint(1, 28)),
                      saved.date() - dt.timedelta(days=1))
            values[item.id + ".minh-chung"] = document(rng, unit, day)
    return values


def write_assignment_workbooks() -> None:
    """KH 68 Phụ lục 2: three agencies' workbooks in the same Q2 2021 inbox."""
    from dti_report.workbook.plan_templates import write_plan_template

    plan = get_form("kh68-dti-tinh")
    registry = builtin_registry()
    rng = random.Random(SEED + 3)
    by_code = registry.by_code()
    for code, share in ASSIGNMENT_UNITS.items():
        unit = by_code[code]
        items = plan.items_for(unit, registry)
        name = template_file_name(code, plan.id, PLAN_PERIOD)
        saved = save_time(name, *SENT_KH68)
        values = assignment_values(rng, items, share, unit, PLAN_PERIOD, saved)
        if code == "so-noi-vu":
            values["de-xuat.kho-khan"] = ("Đề nghị Sở Thông tin và Truyền thông hướng dẫn cách xác định cán bộ chuyên trách "
                                          "công nghệ thông tin tại các cơ quan, đơn vị")
        stamp(write_plan_template(plan, unit, registry, PLAN_PERIOD, PLAN_INBOX / name, values=values), saved)


# Ninh Thuận, KH 4233/KH-UBND, quarter IV 2022: a few agencies' task and criteria workbooks; the
# Sở TTTT also reports the period's DTI figures beside the 2021 baseline (kq.1–kq.3; kq.4 left blank).
NT_INBOX = OUT_DIR / "ninhthuan-2022-Q4"
NT_PERIOD = "2022-Q4"
SENT_NT = (dt.date(2022, 12, 12), dt.date(2022, 12, 24))  # KH 4233 V.1: before the 25th of the quarter's last month
NT_TASK_UNITS = ("so-tttt", "so-khdt", "so-tai-chinh", "so-gddt", "ttphcc", "tp-prtc")
NT_ASSIGNMENT_UNITS = {"so-tttt": 0.5, "so-khdt": 0.8, "vp-ubnd": 0.6, "tp-prtc": 0.75}
NT_CURRENT = {"kq.1.gia-tri": 0.4215, "kq.1.xep-hang": 38, "kq.2.gia-tri": 0.4630, "kq.2.xep-hang": 33,
              "kq.3.gia-tri": 0.3874, "kq.3.xep-hang": 40}


def write_ninhthuan_workbooks() -> None:

    from dti_report.workbook.plan_templates import write_plan_template
    from dti_report.evaluation.tasks import deadline_end, period_end

    registry = builtin_registry("ninhthuan-2022")
    by_code = registry.by_code()
    tasks, assignments = get_form("ninhthuan-kh4233-nhiem-vu"), get_form("ninhthuan-kh4233-phan-cong")
    deadlines = {t.id: t.deadline for t in tasks.tasks}
    end = period_end(NT_PERIOD)
    rng = random.Random(SEED + 4)
    proposals = ["Đề nghị bố trí kinh phí năm 2023 để triển khai",
                 "Đề nghị Sở Thông tin và Truyền thông hỗ trợ kỹ thuật kết nối Nền tảng tích hợp, chia sẻ dữ liệu của tỉnh",
                 "Thiếu nhân lực chuyên trách công nghệ thông tin"]
    for code in NT_TASK_UNITS:
        unit = by_code[code]
        name = template_file_name(code, tasks.id, NT_PERIOD)
        saved = save_time(name, *SENT_NT)
        values: dict[str, str] = {}
        for item in tasks.items_for(unit, registry):
            roll = rng.random()
            if roll < 0.1:
                continue  # not reported
            due = deadline_end(deadlines[item.id]) or end
            if roll < 0.6:
                # finished before the file was saved, a few days after the deadline now and then
                done = min(due + dt.timedelta(days=rng.randint(-25, 12)), saved.date() - dt.timedelta(days=1))
                values[item.id + ".trang-thai"] = "Hoàn thành"
                values[item.id + ".ngay-hoan-thanh"] = f"{done.day:02d}/{done.month:02d}/{done.year}"
                values[item.id + ".van-ban"] = document(rng, unit, done)
            else:
                values[item.id + ".trang-thai"] = "Đang thực hiện" if roll < 0.9 else "Chưa thực hiện"
                if rng.random() < 0.5:
                    # the Sở TTTT does not ask itself for help
                    values[item.id + ".kho-khan"] = rng.choice([x for x in proposals if code != "so-tttt" or "Sở Thông" not in x])
        stamp(write_plan_template(tasks, unit, registry, NT_PERIOD, NT_INBOX / name, values=values), saved)
    for code, share in NT_ASSIGNMENT_UNITS.items():
        unit = by_code[code]
        name = template_file_name(code, assignments.id, NT_PERIOD)
        saved = save_time(name, *SENT_NT)
        values = assignment_values(rng, assignments.items_for(unit, registry), share, unit, NT_PERIOD, saved)
        if code == "so-tttt":
            values.update(NT_CURRENT)
        if code == "vp-ubnd":
            values["de-xuat.kho-khan"] = "Đề nghị thống nhất cách tính tỷ lệ hồ sơ trực tuyến toàn trình giữa các hệ thống"
        stamp(write_plan_template(assignments, unit, registry, NT_PERIOD, NT_INBOX / name, values=values), saved)


# The 2021 district index, self-assessed for 2022: the share of each item's maximum a district
# gives itself (its maturity), points rounded to the half point as districts write them.
NT_HUYEN_INBOX = OUT_DIR / "ninhthuan-dti-huyen-2022"
NT_HUYEN_PERIOD = "2022"
NT_HUYEN_MATURITY = {"tp-prtc": 0.78, "h-ninh-hai": 0.61, "h-ninh-phuoc": 0.58, "h-ninh-son": 0.52,
                     "h-thuan-bac": 0.47, "h-thuan-nam": 0.55}  # h-bac-ai has not sent


def write_huyen_2021_workbooks() -> None:
    form = get_form("dti-huyen-2021")
    registry = builtin_registry("ninhthuan-2022")
    by_code = registry.by_code()
    rng = random.Random(SEED + 5)
    for code, maturity in NT_HUYEN_MATURITY.items():
        values: dict[str, object] = {}
        for item in form.criteria:
            if rng.random() < 0.03:
                continue  # left blank: no data
            share = min(1.0, max(0.0, rng.gauss(maturity, 0.2)))
            points = round(item.max_points * share * 2) / 2
            values[item.fields[0].id] = f"{points:g}".replace(".", ",")
        name = template_file_name(code, form.id, NT_HUYEN_PERIOD)
        stamp(write_template(form, by_code[code], NT_HUYEN_PERIOD, NT_HUYEN_INBOX / name, values=values),
              save_time(name, dt.date(2022, 12, 5), dt.date(2022, 12, 28)))


def main() -> None:
    OUT_DIR.mkdir(exist_ok=True)
    for set_id, make_values, plan in (("hcm-dti-so", so_values, SO_PLAN), ("hcm-dti-huyen", huyen_values, HUYEN_PLAN)):
        rows, overrides = build_rows(set_id, make_values, plan)
        write_csv(OUT_DIR / f"{set_id}-2023.csv", ["unit_code", "field", "value"], rows)
        if overrides:
            write_csv(OUT_DIR / f"{set_id}-2023-dieu-chinh.csv", ["unit_code", "field", "value", "reason"], overrides)
        write_workbooks(set_id, rows)
    write_target_workbooks()
    write_plan_workbooks()
    write_assignment_workbooks()
    write_ninhthuan_workbooks()
    write_huyen_2021_workbooks()


if __name__ == "__main__":
    main()
