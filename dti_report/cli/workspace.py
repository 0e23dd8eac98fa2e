"""A workspace's store: deadlines (`status`), reminders (`remind`), Sở TTTT's adjustments
(`verify`), a unit across periods (`history`), everything as one table (`export`)."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd
from rich.table import Table

from dti_report import pipeline
from dti_report.cli.common import (console, forms_catalog, need_workspace, period_argument, period_option,
                                   period_or_latest, points)
from dti_report.cli.vietnamese import Command


@click.command("status", cls=Command)
@click.argument("period", metavar="[KỲ]", required=False, callback=period_argument)
def status_command(period: str | None) -> None:
    """Thời hạn gửi của một kỳ (mặc định: kỳ gần nhất): đơn vị đúng hạn, trễ hạn bao nhiêu ngày, chưa gửi."""
    ws = need_workspace()
    period = period_or_latest(ws, period)
    frame = pipeline.period_status(ws, period, forms_catalog())
    run = pipeline.last_run(ws, period)
    console.print(f"Theo lần chạy kỳ {period} kết thúc lúc {run['finished'][:16].replace('T', ' ')} "
                  f"({run['files_found']} tệp trong hộp thư); tệp nhận sau đó chưa được tính, hãy chạy lại "
                  f"dti-report run {period}.")
    for set_id in dict.fromkeys(frame["set_id"]):
        mine = frame[frame["set_id"] == set_id]
        deadline = next((d for d in mine["deadline"] if d), "")
        title = f"{set_id} — kỳ {period}" + (f", hạn gửi {pipeline.fmt_day(deadline)}" if deadline else ", chưa đặt hạn gửi")
        table = Table(title=title)
        for column in ("Mã đơn vị", "Đơn vị", "Thời điểm nhận", "Tình trạng", "Ghi chú"):
            table.add_column(column)
        for row in mine.to_dict("records"):
            table.add_row(row["unit_code"], row["unit_name"], row["arrived"][:16].replace("T", " "),
                          row["status_label"], row["note"])
        console.print(table)
        counts = mine["status"].value_counts()
        console.print(f"{set_id}: {counts.get('on-time', 0)} đúng hạn, {counts.get('late', 0)} trễ hạn, "
                      f"{counts.get('missing', 0)} chưa gửi" + (f", {counts.get('sent', 0)} đã gửi" if counts.get('sent') else "")
                      + f" (trên {len(mine)} đơn vị).")


@click.command("remind", cls=Command)
@click.argument("period", metavar="[KỲ]", required=False, callback=period_argument)
def remind_command(period: str | None) -> None:
    """Viết thư nhắc (.eml, kèm biểu mẫu trống) cho mỗi đơn vị chưa gửi biểu mẫu hợp lệ của kỳ."""
    ws = need_workspace()
    period = period_or_latest(ws, period)
    written, no_email = pipeline.write_reminders(ws, period, forms_catalog())
    if not written:
        console.print(f"Kỳ {period}: mọi đơn vị đã gửi biểu mẫu hợp lệ; không có thư nhắc.")
        return
    console.print(f"Đã viết {len(written)} thư nhắc trong {ws.reminders(period)}: mở từng tệp bằng chương trình thư "
                  "và bấm gửi.")
    if no_email:
        console.print(f"{len(no_email)} đơn vị chưa có email trong danh mục (điền người nhận khi gửi): "
                      + ", ".join(no_email))


@click.command("verify", cls=Command)
@click.argument("file", metavar="[TỆP]", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@period_option(required=False)
@click.option("--by", "by", help="Người điều chỉnh; mặc định: tên người dùng trên máy.")
@click.option("--list", "list_unit", is_flag=False, flag_value="", default=None, metavar="[MÃ-ĐƠN-VỊ]",
              help="Liệt kê lịch sử điều chỉnh (của một đơn vị nếu ghi mã).")
def verify_command(file: Path | None, period: str | None, by: str | None, list_unit: str | None) -> None:
    """Ghi điều chỉnh của Sở (unit_code, field, value, reason) vào kho dữ liệu, kèm người và thời điểm;
    điều chỉnh sau của cùng trường thay điều chỉnh trước, cả hai đều được lưu."""
    ws = need_workspace()
    if list_unit is not None:
        frame = pipeline.adjustment_history(ws, period, list_unit or None)
        table = Table(title="Lịch sử điều chỉnh" + (f" — {list_unit}" if list_unit else ""))
        for column in ("Số", "Kỳ", "Đơn vị", "Trường", "Giá trị", "Lý do", "Người điều chỉnh", "Thời điểm",
                       "Tình trạng"):
            table.add_column(column)
        for row in frame.to_dict("records"):
            state = "đang áp dụng" if pd.isna(row["superseded_by"]) else f"thay bằng số {int(row['superseded_by'])}"
            table.add_row(str(row["id"]), row["period"], row["unit_code"], row["field"], row["value"], row["reason"],
                          row["made_by"], row["made_at"][:16].replace("T", " "), state)
        console.print(table)
        console.print(f"{len(frame)} điều chỉnh.")
        return
    if file is None:
        raise click.UsageError("Missing argument 'TỆP'.")
    period = period_or_latest(ws, period)
    added = pipeline.record_adjustments(ws, period, file, forms_catalog(), by=by)
    console.print(f"Kỳ {period}: đã ghi {added} điều chỉnh mới từ {file}. Chạy lại dti-report run {period} để "
                  "áp dụng vào kết quả và báo cáo.")


@click.command("history", cls=Command)
@click.argument("unit_code", metavar="MÃ-ĐƠN-VỊ")
def history_command(unit_code: str) -> None:
    """Kết quả của một đơn vị qua các kỳ trong kho dữ liệu: tổng điểm, thứ hạng, lỗi, cảnh báo."""
    ws = need_workspace()
    table_frame, issues = pipeline.unit_history(ws, unit_code)
    name = ws.registry().by_code()[unit_code].name
    table = Table(title=f"{name} ({unit_code}) qua các kỳ")
    for column in ("Kỳ", "Bộ chỉ số", "Phiên bản", "Tổng điểm", "Hạng", "Tự đánh giá", "Thời điểm nhận", "Lỗi",
                   "Cảnh báo"):
        table.add_column(column)
    for row in table_frame.to_dict("records"):
        ranked = not pd.isna(row["rank"])
        table.add_row(row["period"], row["set_id"], str(row["set_version"] or ""),
                      points(row["total"]) if ranked else "–",
                      f"{int(row['rank'])}/{int(row['units'])}" if ranked else "–",
                      points(row["self_total"]) if ranked else "–", str(row["arrived"] or "")[:16].replace("T", " "),
                      str(row["error"]), str(row["warning"]))
    console.print(table)
    errors = issues[issues["severity"] == "error"]
    for row in errors.to_dict("records"):
        console.print(f"  {row['period']} [Lỗi] {row['code']}: {row['message']}", markup=False, soft_wrap=True)


@click.command("export", cls=Command)
@click.option("--out", "target", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp CSV; mặc định: ket-qua/kho-du-lieu.csv của không gian làm việc.")
@click.option("--parquet", is_flag=True, help="Ghi thêm tệp Parquet cùng tên (cần gói pyarrow).")
def export_command(target: Path | None, parquet: bool) -> None:
    """Ghi mọi kỳ trong kho dữ liệu thành một bảng dạng dài (CSV; Parquet nếu có pyarrow) cho pandas, DuckDB, Excel."""
    ws = need_workspace()
    target = target or ws.root / "ket-qua" / "kho-du-lieu.csv"
    for path in pipeline.export(ws, target, parquet):
        console.print(f"Đã ghi {path}")
