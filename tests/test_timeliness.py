"""Timeliness and completeness: on time, late by N days, missing; `status`; reminders as .eml
files the email package reads back, the unit's blank workbook attached."""

import email
import email.policy

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from dti_report.cli import main
from dti_report.evaluation.timeliness import timeliness
from dti_report.in_force import workspace_catalog
from dti_report.pipeline import period_status

from workbook_helpers import assert_reads_as_per_cell
from workspace_helpers import at, drop, flat, make_workspace, run, sample

DEADLINE = 'deadlines:\n  hcm-dti-so:\n    "2023": 2024-01-08\n'


def test_timeliness_by_hand():
    frame = timeliness("bo", [("a", "A"), ("b", "B"), ("c", "C")],
                       {"a": "2024-01-08T23:59:00+07:00", "b": "2024-01-11T00:10:00+07:00"}, {"c": 1},
                       pd.Timestamp("2024-01-08").date(), at("2024-01-15 09:00"))
    rows = frame.set_index("unit_code")
    assert rows.at["a", "status"] == "on-time" and rows.at["a", "days_late"] == 0   # the deadline day counts
    assert rows.at["b", "status"] == "late" and rows.at["b", "days_late"] == 3
    assert rows.at["c", "status"] == "missing" and rows.at["c", "days_late"] == 7
    assert rows.at["c", "note"] == "quá hạn 7 ngày (hạn 08/01/2024); 1 tệp đã gửi bị từ chối"


@pytest.fixture(scope="module")
def period(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("han"), deadlines=DEADLINE)
    units = ws.root / "danh-muc-don-vi.yaml"
    registry = yaml.safe_load(units.read_text(encoding="utf-8"))
    for unit in registry["units"]:
        if unit["code"] == "so-tttt":
            unit["email"] = "cds@so-tttt.example.vn"
    units.write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # so-gtvt's workbook was in the inbox before the first run (dated by its file time, 05/01);
    # hepza's came in between the runs: first seen by the run of 11/01, three days after the deadline.
    drop(ws, "2023", [sample("so-gtvt")], at("2024-01-05 08:00"))
    run(ws, "2023", at("2024-01-07 09:00"))
    drop(ws, "2023", [sample("hepza")], at("2024-01-06 08:00"))  # its file time says nothing of arrival
    run(ws, "2023", at("2024-01-11 10:00"))
    return ws


def test_on_time_late_and_missing_after_two_runs(period):
    ws = period
    frame = pd.read_csv(ws.results("2023") / "thoi-han.csv", dtype=str, keep_default_na=False).set_index("unit_code")
    assert frame.at["so-gtvt", "status"] == "on-time" and frame.at["so-gtvt", "arrived"] == "2024-01-05T08:00:00+07:00"
    assert frame.at["hepza", "status"] == "late" and frame.at["hepza", "days_late"] == "3"
    assert frame.at["hepza", "arrived"] == "2024-01-11T10:00:00+07:00"
    assert frame.at["so-tttt", "status"] == "missing" and frame.at["so-tttt", "note"] == "quá hạn 3 ngày (hạn 08/01/2024)"
    assert (frame["status"] == "missing").sum() == 22  # 24 Sở, ban, ngành awaited, 2 sent
    status = period_status(ws, "2023", workspace_catalog(ws), at("2024-01-20 08:00")).set_index("unit_code")
    assert status.at["so-tttt", "days_late"] == 12 and status.at["hepza", "days_late"] == 3


def test_status_prints_the_table(period, monkeypatch):
    monkeypatch.chdir(period.root)
    result = CliRunner().invoke(main, ["status", "2023"])
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "Theo lần chạy kỳ 2023 kết thúc lúc" in text and "(2 tệp trong hộp thư)" in text
    assert "hạn gửi 08/01/2024" in text and "Trễ hạn" in text and "1 đúng hạn, 1 trễ hạn, 22 chưa gửi" in text


def test_the_report_and_the_workbook_include_timeliness(period):
    import docx
    import openpyxl

    out = period.results("2023")
    text = "\n".join(p.text for p in docx.Document(out / "bao-cao-ket-qua-dti-hcm-dti-so-2023.docx").paragraphs)
    assert "5. Thời hạn gửi (hạn 08/01/2024): 1 đơn vị gửi đúng hạn, 1 đơn vị gửi trễ hạn, 22 đơn vị chưa gửi" in text
    assert "Ban Quản lý các Khu chế xuất và công nghiệp: trễ hạn (gửi ngày 11/01/2024, trễ 3 ngày" in text
    book = openpyxl.load_workbook(out / "ket-qua-tong-hop.xlsx", read_only=True)
    assert "Thời hạn gửi" in book.sheetnames


def test_the_timeliness_sheet_reads_as_the_per_cell_writer_writes_it(period, tmp_path, monkeypatch):
    book = assert_reads_as_per_cell(period.results("2023"), tmp_path, monkeypatch, workspace_catalog(period))
    rows = list(book["Thời hạn gửi"].iter_rows(values_only=True))
    assert ("hcm-dti-so", "hepza") in {r[:2] for r in rows}


def test_one_reminder_per_missing_unit_with_its_blank_workbook(period, monkeypatch):
    ws = period
    monkeypatch.chdir(ws.root)
    result = CliRunner().invoke(main, ["remind", "2023"])
    assert result.exit_code == 0, result.output
    files = sorted(ws.reminders("2023").glob("*.eml"))
    assert len(files) == 22
    assert not any(f.name.startswith(("so-gtvt", "hepza")) for f in files)
    message = email.message_from_bytes((ws.reminders("2023") / "so-tttt_hcm-dti-so_2023.eml").read_bytes(),
                                       policy=email.policy.default)
    assert message["To"] == "cds@so-tttt.example.vn"
    assert message["Subject"].startswith("Đề nghị gửi biểu mẫu Bộ chỉ số")
    body = message.get_body(("plain",)).get_content()
    assert "Kính gửi: Sở Thông tin và Truyền thông," in body and "quá hạn" in body and "08/01/2024" in body
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "so-tttt_hcm-dti-so_2023.xlsx"
    assert attachment.get_content()[:2] == b"PK"
    assert "21 đơn vị chưa có email" in flat(result.output)


def test_the_workspace_rewrites_the_reminder_text(period, monkeypatch):
    ws = period
    (ws.root / "mau-bao-cao" / "thu-nhac-nho.txt").write_text(
        "Tiêu đề: Nhắc $ma_don_vi\n\nHạn $han_gui, $tinh_trang.\n", encoding="utf-8")
    monkeypatch.chdir(ws.root)
    assert CliRunner().invoke(main, ["remind", "2023"]).exit_code == 0
    message = email.message_from_bytes((ws.reminders("2023") / "so-tttt_hcm-dti-so_2023.eml").read_bytes(),
                                       policy=email.policy.default)
    assert message["Subject"] == "Nhắc so-tttt"
    body = message.get_body(("plain",)).get_content().strip()
    assert body.startswith("Hạn 08/01/2024, quá hạn ") and body.endswith(" ngày (hạn 08/01/2024).")
    (ws.root / "mau-bao-cao" / "thu-nhac-nho.txt").write_text("Tiêu đề: $khong_co\n\nx\n", encoding="utf-8")
    bad = CliRunner().invoke(main, ["remind", "2023"])
    assert bad.exit_code != 0 and "không có tên $khong_co" in flat(bad.output)
