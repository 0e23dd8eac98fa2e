"""Ready-to-send reminders: one .eml file per unit that has not sent a valid workbook,
addressed to the unit's email from the registry, with its blank workbook attached and a
Vietnamese text the workspace can rewrite (mau-bao-cao/thu-nhac-nho.txt). No mail
server: the clerk opens each file in the mail program and sends it.

The text file: a first line "Tiêu đề: …", a blank line, then the body; $names are
replaced (string.Template): $ten_don_vi, $ma_don_vi, $bo_chi_so, $ma_bo_chi_so, $ky,
$han_gui, $tinh_trang, $tep_dinh_kem, $noi_gui.
"""

from __future__ import annotations

import email.policy
import string
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from dti_report.core.errors import DtiError

DEFAULT_TEXT = """\
Tiêu đề: Đề nghị gửi biểu mẫu $bo_chi_so $ky

Kính gửi: $ten_don_vi,

Đến nay $noi_gui chưa nhận được biểu mẫu $bo_chi_so $ky của Quý đơn vị ($tinh_trang). Hạn gửi: $han_gui.

Đề nghị Quý đơn vị điền số liệu vào biểu mẫu gửi kèm ($tep_dinh_kem), tự kiểm tra bằng lệnh
dti-report check (nếu có) và gửi lại trong thời gian sớm nhất.

Trân trọng cảm ơn.
"""
SUBJECT_PREFIX = "Tiêu đề:"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class ReminderError(DtiError):
    pass


def split_text(text: str, source: str) -> tuple[str, str]:
    """(subject template, body template) of a reminder text file."""
    first, _, body = text.lstrip("\ufeff").partition("\n")
    if not first.startswith(SUBJECT_PREFIX):
        raise ReminderError(f"{source}: dòng đầu phải là '{SUBJECT_PREFIX} …' (tiêu đề thư)")
    return first[len(SUBJECT_PREFIX):].strip(), body.lstrip("\n")


def fill(template: str, values: dict[str, str], source: str) -> str:
    try:
        return string.Template(template).substitute(values)
    except KeyError as exc:
        known = ", ".join(f"${k}" for k in sorted(values))
        raise ReminderError(f"{source}: không có tên ${exc.args[0]} (dùng được: {known})") from None
    except ValueError as exc:
        raise ReminderError(f"{source}: dấu $ đặt sai ({exc}); muốn ghi chính dấu $ hãy viết $$") from None


def reminder(text: str, source: str, values: dict[str, str], *, to: str | None, sender: str | None,
             attachment: tuple[str, bytes] | None) -> EmailMessage:
    subject, body = split_text(text, source)
    message = EmailMessage()
    message["Subject"] = fill(subject, values, source)
    if to:
        message["To"] = to
    if sender:
        message["From"] = sender
    message["Date"] = formatdate(localtime=True)
    message["X-Unsent"] = "1"  # opened as a draft ready to send (Outlook)
    message.set_content(fill(body, values, source))
    if attachment is not None:
        name, data = attachment
        message.add_attachment(data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=name)
    return message


# Headers unfolded: the standard library's folding of a long Vietnamese subject into several
# encoded words drops the space at a boundary ("chỉsố") when a mail program reads it back.
EML_POLICY = email.policy.default.clone(max_line_length=998)


def write_eml(message: EmailMessage, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(message.as_bytes(policy=EML_POLICY))
    return target
