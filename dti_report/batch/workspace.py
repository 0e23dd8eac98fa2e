"""A workspace: one folder holding everything of one agency's collection work, so a
command run anywhere inside it needs no paths spelled out (found as git finds its
repository: the nearest folder upwards holding the settings file).

    dti-report.yaml        the workspace's settings (name, time zone, registry, deadlines…)
    danh-muc-don-vi.yaml   the units registry
    cai-dat-bao-cao.yaml   the report settings (agency, signer, recipients)
    bieu-mau-rieng/        the workspace's own form files (YAML)
    mau-bao-cao/           template overrides (Word templates, the reminder text)
    bieu-mau-trong/<kỳ>/   blank workbooks sent to the units
    thu-nhac/<kỳ>/         reminders (.eml) to units that have not sent
    hop-thu/<kỳ>/          what the units sent, one folder per period
    ket-qua/<kỳ>/          each period's results
    kho-du-lieu/           the store (SQLite) and its backups

Outside a workspace every command works with explicit options, as before.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from dti_report.core.errors import DtiError
from dti_report.core.numbers import parse_date
from dti_report.core.text import nfc_tree
from dti_report.forms.catalog import schema_message
from dti_report.forms.periods import check_period
from dti_report.forms.units import DEFAULT_REGISTRY, Registry, load_registry

SETTINGS_FILE = "dti-report.yaml"
REGISTRY_FILE = "danh-muc-don-vi.yaml"
REPORT_SETTINGS_FILE = "cai-dat-bao-cao.yaml"
FORMS_DIR, TEMPLATES_DIR, BLANKS_DIR = "bieu-mau-rieng", "mau-bao-cao", "bieu-mau-trong"
INBOX_DIR, RESULTS_DIR, STORE_DIR, REMINDERS_DIR = "hop-thu", "ket-qua", "kho-du-lieu", "thu-nhac"
STORE_FILE, BACKUP_DIR = "kho.sqlite", "sao-luu"
REMINDER_TEMPLATE = "thu-nhac-nho.txt"
DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh"


class WorkspaceError(DtiError):
    pass


class WorkspaceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    time_zone: str = DEFAULT_TIME_ZONE
    units: str = REGISTRY_FILE
    report_settings: str = REPORT_SETTINGS_FILE
    forms: str = FORMS_DIR
    templates: str = TEMPLATES_DIR
    sender: str | None = None          # the From of reminders: "Phòng Chuyển đổi số <cds@…>"
    # set id -> period -> the last day units may send (inclusive)
    deadlines: dict[str, dict[str, dt.date]] = {}

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"múi giờ '{value}' không có; ví dụ: {DEFAULT_TIME_ZONE}") from None
        return value

    @field_validator("deadlines", mode="before")
    @classmethod
    def _deadlines(cls, value):
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("cần dạng mã bộ chỉ số → kỳ → ngày")
        out = {}
        for set_id, periods in value.items():
            out[str(set_id)] = {}
            for period, day in (periods or {}).items():
                period = check_period(str(period))
                if not isinstance(day, dt.date):
                    day = parse_date(str(day))
                    if day is None:
                        raise ValueError(f"hạn gửi của {set_id} kỳ {period} không phải ngày (ngày/tháng/năm)")
                out[str(set_id)][period] = day
        return out


class Workspace:
    def __init__(self, root: Path, settings: WorkspaceSettings):
        self.root = Path(root).absolute()
        self.settings = settings

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.settings.time_zone)

    def path(self, name: str) -> Path:
        return self.root / name

    @property
    def registry_path(self) -> Path:
        return self.path(self.settings.units)

    @property
    def report_settings_path(self) -> Path | None:
        path = self.path(self.settings.report_settings)
        return path if path.is_file() else None

    @property
    def forms_dir(self) -> Path | None:
        path = self.path(self.settings.forms)
        return path if path.is_dir() else None

    @property
    def templates_dir(self) -> Path:
        return self.path(self.settings.templates)

    @property
    def store_path(self) -> Path:
        return self.root / STORE_DIR / STORE_FILE

    @property
    def backup_dir(self) -> Path:
        return self.root / STORE_DIR / BACKUP_DIR

    def inbox(self, period: str) -> Path:
        return self.root / INBOX_DIR / period

    def results(self, period: str) -> Path:
        return self.root / RESULTS_DIR / period

    def blanks(self, period: str) -> Path:
        return self.root / BLANKS_DIR / period

    def reminders(self, period: str) -> Path:
        return self.root / REMINDERS_DIR / period

    @property
    def reminder_template(self) -> Path:
        return self.templates_dir / REMINDER_TEMPLATE

    def registry(self) -> Registry:
        if not self.registry_path.is_file():
            raise WorkspaceError(f"không tìm thấy danh mục đơn vị {self.registry_path} (mục 'units' trong {SETTINGS_FILE})")
        return load_registry(self.registry_path)

    def deadlines_for(self, period: str) -> dict[str, dt.date]:
        return {set_id: periods[period] for set_id, periods in self.settings.deadlines.items() if period in periods}

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.zone).replace(microsecond=0)


def load_workspace(root: Path) -> Workspace:
    path = Path(root) / SETTINGS_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise WorkspaceError(f"không đọc được {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise WorkspaceError(f"{path} không phải YAML hợp lệ: {exc}") from None
    if not isinstance(raw, dict):
        raise WorkspaceError(f"{path} phải là một bảng khóa: giá trị")
    try:
        settings = WorkspaceSettings.model_validate(nfc_tree(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise WorkspaceError(f"{path}: mục '{where}': {schema_message(first)}") from None
    return Workspace(Path(root), settings)


def find_workspace(start: Path | None = None) -> Workspace | None:
    """The workspace holding `start` (the current folder by default), or None."""
    here = Path(start or Path.cwd()).absolute()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return load_workspace(folder)
    return None


SETTINGS_TEXT = """\
# Cài đặt của không gian làm việc dti-report. Mọi lệnh dti-report chạy trong thư mục này (hoặc thư mục con)
# đọc tệp này; đường dẫn tính từ thư mục chứa tệp.

# Tên không gian làm việc: tên cơ quan tổng hợp, in trong thư nhắc ("… chưa nhận được biểu mẫu").
name: {name}
# Múi giờ dùng để ghi thời điểm nhận tệp và tính hạn gửi.
time_zone: {zone}
# Danh mục đơn vị: mã, tên, cấp, email của từng đơn vị.
units: {units}
# Cài đặt báo cáo: cơ quan ban hành, người ký, nơi nhận (chỉ cần ghi mục khác mặc định).
report_settings: {report}
# Thư mục chứa tệp biểu mẫu (YAML) riêng của tỉnh, thêm vào các bộ có sẵn.
forms: {forms}
# Thư mục mẫu thay thế: bao-cao-ket-qua-dti.docx, phieu-ket-qua-dti.docx, bao-cao-kh68.docx, bao-cao-kh4233.docx,
# thu-nhac-nho.txt. Tệp nào có trong thư mục thì dùng tệp đó thay mẫu có sẵn.
templates: {templates}
# Người gửi thư nhắc (dòng "From" của tệp .eml), ví dụ: "Phòng Chuyển đổi số <cds@example.gov.vn>".
sender:
# Hạn gửi theo bộ chỉ số và kỳ (ngày cuối cùng đơn vị được gửi, tính cả ngày đó), ví dụ:
#   hcm-dti-so:
#     "2026": 2027-01-15
#   hcm-chi-tieu-2023:
#     "2026-11": 2026-12-05
# Kỳ có hạn gửi của một bộ thì lệnh run chờ bộ đó (đơn vị chưa gửi được liệt kê dù chưa ai gửi).
deadlines: {{}}
"""

README_TEXT = """\
# {name}

Thư mục làm việc của dti-report: mọi lệnh chạy trong thư mục này (hoặc thư mục con) tự tìm thấy cài đặt,
danh mục đơn vị và kho dữ liệu, không cần ghi đường dẫn.

| Tệp, thư mục | Nội dung |
|---|---|
| `dti-report.yaml` | cài đặt: tên, múi giờ, danh mục đơn vị, cài đặt báo cáo, hạn gửi theo bộ chỉ số và kỳ |
| `danh-muc-don-vi.yaml` | danh mục đơn vị: mã, tên, cấp, email (dùng để gửi thư nhắc) |
| `cai-dat-bao-cao.yaml` | cơ quan ban hành, số ký hiệu, người ký, nơi nhận của báo cáo |
| `bieu-mau-rieng/` | tệp biểu mẫu (YAML) riêng của tỉnh, nếu có |
| `mau-bao-cao/` | mẫu thay thế: đặt vào đây mẫu Word đã sửa (cùng tên với mẫu có sẵn) hoặc sửa `thu-nhac-nho.txt` |
| `bieu-mau-trong/<kỳ>/` | biểu mẫu trống gửi các đơn vị |
| `hop-thu/<kỳ>/` | **chép vào đây các tệp đơn vị gửi** (mỗi kỳ một thư mục, ví dụ `hop-thu/2026-11/`) |
| `thu-nhac/<kỳ>/` | thư nhắc (.eml) cho đơn vị chưa gửi: mở bằng chương trình thư và bấm gửi |
| `ket-qua/<kỳ>/` | kết quả từng kỳ: bảng điểm, báo cáo Word, sổ tính tổng hợp, phản hồi từng đơn vị |
| `kho-du-lieu/` | kho dữ liệu (SQLite): mọi kỳ đã tổng hợp, tệp đã nhận, điều chỉnh của Sở; không sửa tay |

Hằng tháng (ví dụ kỳ 2026-11):

```sh
dti-report templates --set hcm-chi-tieu-2023 --period 2026-11 --deadline 05/12/2026   # biểu mẫu trống, ghi hạn gửi
# … chép các tệp nhận được vào hop-thu/2026-11/ …
dti-report run 2026-11        # tổng hợp; chạy lại bao nhiêu lần cũng được, chỉ đọc tệp mới
dti-report status 2026-11     # đơn vị đúng hạn, trễ hạn, chưa gửi
dti-report remind 2026-11     # thư nhắc (.eml) cho đơn vị chưa gửi
dti-report verify dieu-chinh.csv --period 2026-11   # điều chỉnh của Sở (có lý do), lưu lại ai sửa, lúc nào
dti-report history so-tttt    # kết quả của một đơn vị qua các kỳ
dti-report export             # mọi kỳ trong kho thành một bảng CSV
```
"""


def init_workspace(root: Path, name: str | None = None, *, units: Path | None = None,
                   report_settings: Path | None = None, reminder_text: str = "") -> list[Path]:
    """A new workspace in `root` (created if needed). Existing files are never overwritten;
    a folder that already is a workspace is refused."""
    root = Path(root).absolute()
    if (root / SETTINGS_FILE).exists():
        raise WorkspaceError(f"{root} đã là một không gian làm việc (có {SETTINGS_FILE})")
    if root.exists() and not root.is_dir():
        raise WorkspaceError(f"{root} là một tệp, không phải thư mục")
    name = name or root.name
    written: list[Path] = []

    def write(rel: str, text: str) -> None:
        target = root / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written.append(target)

    def copy_or_default(rel: str, given: Path | None, package: str, default: str) -> None:
        if given is not None:
            write(rel, Path(given).read_text(encoding="utf-8"))
            return
        write(rel, (resources.files(package) / default).read_text(encoding="utf-8"))

    for folder in (FORMS_DIR, TEMPLATES_DIR, BLANKS_DIR, INBOX_DIR, RESULTS_DIR, STORE_DIR):
        (root / folder).mkdir(parents=True, exist_ok=True)
    write(SETTINGS_FILE, SETTINGS_TEXT.format(name=yaml.safe_dump(name, allow_unicode=True).strip().removesuffix("...").strip(),
                                              zone=DEFAULT_TIME_ZONE, units=REGISTRY_FILE,
                                              report=REPORT_SETTINGS_FILE, forms=FORMS_DIR, templates=TEMPLATES_DIR))
    write("README.md", README_TEXT.format(name=name))
    copy_or_default(REGISTRY_FILE, units, "dti_report.data.units", f"{DEFAULT_REGISTRY}.yaml")
    copy_or_default(REPORT_SETTINGS_FILE, report_settings, "dti_report.data.settings", "hcm-stttt.yaml")
    if reminder_text:
        write(f"{TEMPLATES_DIR}/{REMINDER_TEMPLATE}", reminder_text)
    load_registry(root / REGISTRY_FILE)  # a broken registry is said now, not at the first run
    return written

